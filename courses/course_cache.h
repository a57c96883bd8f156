/*
 * course_cache.h - the outlines of published courses kept in memory.
 *
 * A course page shows the same modules, lessons and materials to every
 * learner; only the completion marks differ.  The outline (rows of
 * course_db_outline_rows() and course_db_material_rows()) is kept per
 * course with the version it was read at (course_outline_versions, kept
 * by triggers, sql/0006), and checked at each use with the one query that
 * also brings the user's enrolment and completed lessons.  A stale entry
 * is read again; nothing else ever invalidates.  Thread-safe.
 */
#ifndef COURSES_COURSE_CACHE_H
#define COURSES_COURSE_CACHE_H

#include "compat.h"

#include "arena.h"
#include "course_db.h"
#include "db.h"

/*
 * The published course course_id as user_id (0 for a visitor) sees it:
 * published modules and lessons, materials attached, user_id's completed
 * lessons marked and counted; *state holds the user's enrolment and final
 * tests.  Everything is in a.  Returns 0 with *out NULL when there is no
 * such published course; -1 on a database error.
 */
int course_cache_get(struct db *db, struct arena *a, int64_t course_id, int64_t user_id,
		     struct course **out, struct course_learner_state *state);

/* Empties the cache (at exit, so that leak checkers see nothing). */
void course_cache_clear(void);

#endif
