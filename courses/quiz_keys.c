/*
 * quiz_keys.c - question keys in memory for checking answers (see
 * quiz_keys.h).
 */
#include "compat.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "quiz_keys.h"

#define QUIZ_KEYS_SLOTS 4096

struct quiz_keys_slot {
	int64_t question_id;	/* 0 when empty */
	enum grade_kind kind;
	char *spec;
};

static struct quiz_keys_slot quiz_keys[QUIZ_KEYS_SLOTS];
static pthread_mutex_t quiz_keys_lock = PTHREAD_MUTEX_INITIALIZER;

static struct quiz_keys_slot *
quiz_keys_slot(int64_t question_id)
{
	return &quiz_keys[(uint64_t)question_id % QUIZ_KEYS_SLOTS];
}

bool
quiz_keys_get(struct arena *a, int64_t question_id, enum grade_kind *kind, const char **spec)
{
	struct quiz_keys_slot *s = quiz_keys_slot(question_id);
	bool hit;

	pthread_mutex_lock(&quiz_keys_lock);
	if ((hit = s->question_id == question_id && question_id > 0)) {
		*kind = s->kind;
		*spec = arena_strdup(a, s->spec);
	}
	pthread_mutex_unlock(&quiz_keys_lock);
	return hit;
}

void
quiz_keys_put(int64_t question_id, enum grade_kind kind, const char *spec)
{
	struct quiz_keys_slot *s = quiz_keys_slot(question_id);
	char *copy = strdup(spec), *old;

	if (copy == NULL)
		log_oom(strlen(spec) + 1);
	pthread_mutex_lock(&quiz_keys_lock);
	old = s->spec;
	s->question_id = question_id;
	s->kind = kind;
	s->spec = copy;
	pthread_mutex_unlock(&quiz_keys_lock);
	free(old);
}

void
quiz_keys_clear(void)
{
	pthread_mutex_lock(&quiz_keys_lock);
	for (size_t i = 0; i < QUIZ_KEYS_SLOTS; i++) {
		free(quiz_keys[i].spec);
		memset(&quiz_keys[i], 0, sizeof(quiz_keys[i]));
	}
	pthread_mutex_unlock(&quiz_keys_lock);
}
