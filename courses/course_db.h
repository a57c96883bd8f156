/*
 * course_db.h - the SQL of courses, modules, lessons, videos, enrolment
 * and progress (courses/sql/0002_courses.sql), behind typed functions.
 *
 * Every function returns 0 (or an id > 0) on success and -1 on a database
 * error, already logged by db.c.  Strings of the results live in the
 * arena passed in and die with it.  "drafts" says whether unpublished
 * courses and lessons are included (trainers, coordination, admins).
 */
#ifndef COURSES_COURSE_DB_H
#define COURSES_COURSE_DB_H

#include "compat.h"

#include "arena.h"

struct db;

struct course_lesson {
	int64_t id;
	int position;
	const char *title;
	int duration_minutes;
	bool published;
	bool completed;		/* by the user the outline was read for */
};

struct course_module {
	int64_t id;
	int position;
	const char *title;
	const char *description;
	struct course_lesson *lessons;
	int nlessons;
	int ncompleted;		/* completed lessons among them */
};

struct course {
	int64_t id;
	const char *title;
	const char *slug;
	const char *summary;
	const char *audience;
	int duration_minutes;
	bool published;
	struct course_module *modules;	/* in position order, lessons too */
	int nmodules;
	int nlessons;		/* over all modules */
	int ncompleted;
};

/*
 * Courses with their modules and lessons, ordered by title, in one query.
 * course_id 0 means every course, else just that one (*count 0 if it does
 * not exist or is a draft and drafts is false).  user_id (0 for visitors)
 * is whose completed lessons are marked.
 */
int course_db_outlines(struct db *db, struct arena *a, int64_t course_id, int64_t user_id,
		       bool drafts, struct course **out, int *count);

/* Whether user_id is enrolled in course_id; enrolled_at (arena) is "" if not. */
int course_db_enrolment(struct db *db, struct arena *a, int64_t user_id, int64_t course_id,
			bool *enrolled, const char **enrolled_at);

/* Enrols user_id; *created is false when already enrolled. */
int course_db_enrol(struct db *db, int64_t user_id, int64_t course_id, bool *created);

struct course_video {
	const char *title;
	const char *url;
	const char *kind;	/* lesson_videos.kind */
	const char *embed_url;	/* NULL unless kind is youtube or vimeo */
	int duration_minutes;
};

struct course_lesson_page {
	int64_t id;
	int64_t course_id;
	const char *course_title;
	bool course_published;
	const char *module_title;
	int module_position;
	int position;
	const char *title;
	const char *body_html;
	int duration_minutes;
	bool published;
	bool completed;		/* by the user asked about */
	bool enrolled;		/* that user is enrolled in the course */
	struct course_video *videos;
	int nvideos;
};

/* A lesson with its course, module and videos; *found false if no such lesson. */
int course_db_lesson(struct db *db, struct arena *a, int64_t lesson_id, int64_t user_id,
		     struct course_lesson_page *out, bool *found);

/* Marks lesson_id completed by user_id (once; a second call changes nothing). */
int course_db_complete(struct db *db, int64_t user_id, int64_t lesson_id);

struct course_progress {
	int64_t course_id;
	const char *title;
	const char *enrolled_at;	/* ISO 8601 */
	int nlessons;			/* published lessons */
	int ncompleted;
};

/* The courses user_id is enrolled in, by title, with published-lesson counts. */
int course_db_progress(struct db *db, struct arena *a, int64_t user_id,
		       struct course_progress **out, int *count);

/* ---- authoring (used by the demo seed for now) ---- */

/* The id of the course with slug, 0 if none. */
int64_t course_db_find_slug(struct db *db, const char *slug);

/* New rows; each returns the new id, or -1. */
int64_t course_db_create(struct db *db, const char *title, const char *slug, const char *summary,
			 const char *audience, int duration_minutes, bool published,
			 int64_t created_by);
/* Sets a course's estimated duration. */
int course_db_set_duration(struct db *db, int64_t course_id, int minutes);

int64_t course_db_module_create(struct db *db, int64_t course_id, int position, const char *title,
				const char *description);
int64_t course_db_lesson_create(struct db *db, int64_t module_id, int position, const char *title,
				const char *body_md, const char *body_html, int duration_minutes,
				bool published);
int64_t course_db_video_create(struct db *db, int64_t lesson_id, int position, const char *title,
			       const char *url, const char *kind, const char *embed_url,
			       int duration_minutes);

/* ---- trainer authoring (/gestione, API writes) ----
 *
 * Positions stay 1..n without duplicates: an append takes max + 1 and a
 * move swaps two neighbours in one UPDATE (the DEFERRABLE unique
 * constraints are checked at the end of the statement), both while the
 * caller's transaction holds the parent row (course_db_lock for modules,
 * course_db_module_parent with lock for lessons), so concurrent edits of one parent
 * run one after the other.
 */

/* Like course_db_create, but returns 0 (nothing inserted) when slug is taken. */
int64_t course_db_create_try(struct db *db, const char *title, const char *slug, const char *summary,
			     const char *audience, int duration_minutes, bool published,
			     int64_t created_by);

/*
 * Changes the fields given: NULL strings, duration_minutes < 0 and
 * published < 0 leave the column as it is.  *found false: no such course.
 */
int course_db_update(struct db *db, int64_t course_id, const char *title, const char *summary,
		     const char *audience, int duration_minutes, int published, bool *found);

/* Locks the course row until the caller's transaction ends; *found false if none. */
int course_db_lock(struct db *db, int64_t course_id, bool *found);

/*
 * Stores module_id's course in *course_id (0 if no such module); with lock,
 * the module row stays locked until the caller's transaction ends.  Module
 * moves lock only the course (locking the module first could deadlock two
 * moves of neighbours).
 */
int course_db_module_parent(struct db *db, int64_t module_id, bool lock, int64_t *course_id);

/* Appends a module after the last one (the course is locked); returns its id, -1. */
int64_t course_db_module_append(struct db *db, int64_t course_id, const char *title,
				const char *description, int *position);

/* Appends a lesson after the last one of its module (the module is locked); returns its id, -1. */
int64_t course_db_lesson_append(struct db *db, int64_t module_id, const char *title,
				const char *body_md, const char *body_html, int duration_minutes,
				bool published, int64_t author_id, int *position);

/*
 * Swaps a module (a lesson) with its neighbour before it (dir < 0) or after
 * it (dir > 0), the parent being locked; *moved false at either end.
 */
int course_db_module_move(struct db *db, int64_t module_id, int dir, bool *moved);
int course_db_lesson_move(struct db *db, int64_t lesson_id, int dir, bool *moved);

/* What the lesson editor shows and saves. */
struct course_lesson_src {
	int64_t id;
	int64_t module_id;
	int64_t course_id;
	const char *course_title;
	const char *module_title;
	int position;
	const char *title;
	const char *body_md;
	const char *body_html;
	int duration_minutes;
	bool published;
	struct course_video *videos;
	int nvideos;
};

/*
 * A lesson with its videos; with lock, its row stays locked until the
 * caller's transaction ends (saves of one lesson run one at a time).
 * *found false if no such lesson.
 */
int course_db_lesson_source(struct db *db, struct arena *a, int64_t lesson_id, bool lock,
			    struct course_lesson_src *out, bool *found);

/*
 * Saves a new version of a lesson after copying the one it replaces (title,
 * body, author and time) into lesson_revisions.  *found false if none.
 */
int course_db_lesson_save(struct db *db, int64_t lesson_id, const char *title, const char *body_md,
			  const char *body_html, int duration_minutes, bool published,
			  int64_t saved_by, bool *found);

/* Replaces a lesson's videos with v[0..n) (kind and embed_url set), in order. */
int course_db_videos_replace(struct db *db, int64_t lesson_id, const struct course_video *v, int n);

struct course_revision {
	int64_t id;
	const char *title;
	const char *body_md;	/* NULL in course_db_revisions() lists */
	const char *saved_by;	/* author's name, "" if unknown */
	const char *saved_at;	/* "DD/MM/YYYY HH:MM", Italian time */
};

/* The latest 100 revisions of a lesson, newest first. */
int course_db_revisions(struct db *db, struct arena *a, int64_t lesson_id,
			struct course_revision **out, int *count);

/* Revision rev_id of lesson_id with its body; *found false if it is not that lesson's. */
int course_db_revision(struct db *db, struct arena *a, int64_t lesson_id, int64_t rev_id,
		       struct course_revision *out, bool *found);

#endif
