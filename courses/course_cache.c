/*
 * course_cache.c - outlines of published courses in memory (see
 * course_cache.h).
 *
 * A direct-mapped table of COURSE_CACHE_SLOTS entries, each one block
 * holding the outline rows and the material rows as db_res copies.  A hit
 * copies the block into the request's arena under the lock (a memcpy of a
 * few kilobytes), so an entry replaced by another thread a moment later
 * never pulls memory from under a request.
 */
#include "compat.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "course_cache.h"
#include "log.h"

#define COURSE_CACHE_SLOTS 64
#define COURSE_CACHE_ALIGN(n) (((n) + 15) & ~(size_t)15)

struct course_cache_slot {
	int64_t course_id;	/* 0: empty */
	int64_t version;
	void *block;		/* outline db_res, then materials db_res */
	size_t outline_size;	/* aligned: the materials start there */
	size_t size;
};

static struct course_cache_slot course_cache_slots[COURSE_CACHE_SLOTS];
static pthread_mutex_t course_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* Copies the entry for course_id at version into a; false on a miss. */
static bool
course_cache_lookup(struct arena *a, int64_t course_id, int64_t version,
		    struct db_res **outline, struct db_res **materials)
{
	struct course_cache_slot *s = &course_cache_slots[(uint64_t)course_id % COURSE_CACHE_SLOTS];
	bool hit;
	char *copy = NULL;

	pthread_mutex_lock(&course_cache_lock);
	hit = s->course_id == course_id && s->version == version;
	if (hit) {
		copy = arena_alloc(a, s->size);
		*outline = db_res_copy(copy, s->block);
		*materials = db_res_copy(copy + s->outline_size, (const struct db_res *)(const void *)((char *)s->block + s->outline_size));
	}
	pthread_mutex_unlock(&course_cache_lock);
	return hit;
}

/* Keeps a copy of the two results for course_id at version. */
static void
course_cache_store(int64_t course_id, int64_t version, const struct db_res *outline,
		   const struct db_res *materials)
{
	struct course_cache_slot *s = &course_cache_slots[(uint64_t)course_id % COURSE_CACHE_SLOTS];
	size_t outline_size = COURSE_CACHE_ALIGN(db_res_size(outline));
	size_t size = outline_size + db_res_size(materials);
	char *block = malloc(size);
	void *old;

	if (block == NULL)
		log_oom(size);
	db_res_copy(block, outline);
	db_res_copy(block + outline_size, materials);
	pthread_mutex_lock(&course_cache_lock);
	/* A slower reader of an older version must not replace a newer entry. */
	if (s->course_id == course_id && s->version > version) {
		pthread_mutex_unlock(&course_cache_lock);
		free(block);
		return;
	}
	old = s->block;
	s->course_id = course_id;
	s->version = version;
	s->block = block;
	s->outline_size = outline_size;
	s->size = size;
	pthread_mutex_unlock(&course_cache_lock);
	free(old);
}

static int
course_cache_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Marks the lessons of c whose ids are in done (sorted), and counts them. */
static void
course_cache_mark(struct course *c, const int64_t *done, size_t ndone)
{
	for (int i = 0; i < c->nmodules; i++) {
		struct course_module *m = &c->modules[i];
		for (int j = 0; j < m->nlessons; j++) {
			struct course_lesson *l = &m->lessons[j];
			l->completed = ndone > 0 &&
			    bsearch(&l->id, done, ndone, sizeof(*done), course_cache_cmp) != NULL;
			if (l->completed) {
				m->ncompleted++;
				c->ncompleted++;
			}
		}
	}
}

int
course_cache_get(struct db *db, struct arena *a, int64_t course_id, int64_t user_id,
		 struct course **out, struct course_learner_state *state)
{
	struct course_learner_state st;
	struct db_res *outline, *materials;
	int n;

	*out = NULL;
	if (course_db_learner_state(db, a, course_id, user_id, &st) == -1)
		return -1;
	*state = st;
	state->enrolled = false;
	if (!st.published)
		return 0;
	if (!course_cache_lookup(a, course_id, st.version, &outline, &materials)) {
		if ((outline = course_db_outline_rows(db, a, course_id)) == NULL ||
		    (materials = course_db_material_rows(db, a, course_id)) == NULL)
			return -1;
		course_cache_store(course_id, st.version, outline, materials);
	}
	if (course_db_outline_parse(a, outline, out, &n) == -1)
		return -1;
	if (n == 0) {		/* unpublished between the two reads */
		*out = NULL;
		return 0;
	}
	course_db_materials_attach(a, *out, materials);
	qsort(st.completed, st.ncompleted, sizeof(*st.completed), course_cache_cmp);
	course_cache_mark(*out, st.completed, st.ncompleted);
	state->enrolled = st.enrolled;
	return 0;
}

void
course_cache_clear(void)
{
	pthread_mutex_lock(&course_cache_lock);
	for (size_t i = 0; i < COURSE_CACHE_SLOTS; i++) {
		free(course_cache_slots[i].block);
		memset(&course_cache_slots[i], 0, sizeof(course_cache_slots[i]));
	}
	pthread_mutex_unlock(&course_cache_lock);
}
