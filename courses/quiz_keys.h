/*
 * quiz_keys.h - the keys of questions that attempts hold, kept in memory
 * to check the answers learners save.
 *
 * Checking an answer reads only the shape of its question's key (kind,
 * choices, pairs and options), and that shape is fixed once an attempt
 * holds the question (quiz_edit.h refuses to change it).  So a key read
 * once checks answers as well as a fresh one: the entry never goes stale
 * for that purpose.  Grading never uses it: it reads the current key.
 * Thread-safe; a fixed number of slots, a newer key replaces an older one.
 */
#ifndef COURSES_QUIZ_KEYS_H
#define COURSES_QUIZ_KEYS_H

#include "compat.h"

#include "arena.h"
#include "grade.h"

/* The key of question_id, its spec text copied into a; false if not kept. */
bool quiz_keys_get(struct arena *a, int64_t question_id, enum grade_kind *kind, const char **spec);

/* Keeps the key of question_id (spec: questions.spec as text, copied). */
void quiz_keys_put(int64_t question_id, enum grade_kind kind, const char *spec);

/* Frees every entry (at exit). */
void quiz_keys_clear(void);

#endif
