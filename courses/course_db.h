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

#endif
