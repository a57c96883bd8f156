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

/* A downloadable material of a module (module_materials): a link for now. */
struct course_material {
	int64_t id;
	int64_t module_id;
	int position;
	const char *title;
	const char *kind;	/* module_materials.kind: manuale, esercitazione, altro */
	const char *url;	/* http or https */
};

struct course_module {
	int64_t id;
	int position;
	const char *title;
	const char *description;
	struct course_lesson *lessons;
	int nlessons;
	int ncompleted;		/* completed lessons among them */
	struct course_material *materials;	/* filled by course_db_materials() only */
	int nmaterials;
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
	bool materials;		/* the modules' materials were loaded (course_db_materials) */
};

/*
 * Courses with their modules and lessons, ordered by title, in one query.
 * course_id 0 means every course, else just that one (*count 0 if it does
 * not exist or is a draft and drafts is false).  user_id (0 for visitors)
 * is whose completed lessons are marked.
 */
int course_db_outlines(struct db *db, struct arena *a, int64_t course_id, int64_t user_id,
		       bool drafts, struct course **out, int *count);

/*
 * Fills the materials of every module of c (an outline from
 * course_db_outlines), in position order, and sets c->materials.
 */
int course_db_materials(struct db *db, struct arena *a, struct course *c);

/*
 * For course_cache.c: the rows of course_db_outlines() for one course as
 * learners see it (no drafts, nothing marked completed) and their
 * parsing (0, or -1 on error); the rows of course_db_materials() and
 * their attaching to c.  The parsed course points into res.
 */
struct db_res *course_db_outline_rows(struct db *db, struct arena *a, int64_t course_id);
int course_db_outline_parse(struct arena *a, const struct db_res *res, struct course **out, int *count);
struct db_res *course_db_material_rows(struct db *db, struct arena *a, int64_t course_id);
void course_db_materials_attach(struct arena *a, struct course *c, const struct db_res *res);

/* A published final test of a course with the user's grade (courses/quiz.h). */
struct course_test_state {
	int64_t module_id;
	int64_t quiz_id;
	bool graded;
	bool passed;
	double grade;		/* 0..1 */
};

/* What a course page checks before using a cached outline. */
struct course_learner_state {
	bool published;		/* false also when there is no such course */
	int64_t version;	/* course_outline_versions.version */
	bool enrolled;
	int64_t *completed;	/* every lesson the user completed, any course, unsorted (arena) */
	size_t ncompleted;
	struct course_test_state *tests;	/* the course's final tests, by module position */
	int ntests;
};
int course_db_learner_state(struct db *db, struct arena *a, int64_t course_id, int64_t user_id,
			    struct course_learner_state *out);

/* Whether user_id is enrolled in course_id; enrolled_at (arena) is "" if not. */
int course_db_enrolment(struct db *db, struct arena *a, int64_t user_id, int64_t course_id,
			bool *enrolled, const char **enrolled_at);

/* Enrols user_id; *created is false when already enrolled. */
int course_db_enrol(struct db *db, int64_t user_id, int64_t course_id, bool *created);

struct course_video {
	const char *title;
	const char *url;
	const char *kind;	/* lesson_videos.kind */
	const char *embed_url;	/* NULL unless kind is youtube, vimeo or peertube */
	int duration_minutes;
	const char *transcript_md;	/* Markdown source, "" if none (never NULL when loaded) */
	const char *transcript_html;	/* rendered at save by md.c, "" if none */
	const char *captions_url;	/* https WebVTT file, NULL if none */
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
	bool auto_completion;	/* lessons.completion_mode is 'auto' */
	struct course_video *videos;
	int nvideos;
};

/* A lesson with its course, module and videos; *found false if no such lesson. */
int course_db_lesson(struct db *db, struct arena *a, int64_t lesson_id, int64_t user_id,
		     struct course_lesson_page *out, bool *found);

/* Marks lesson_id completed by user_id (once; a second call changes nothing). */
int course_db_complete(struct db *db, int64_t user_id, int64_t lesson_id);

/* What the page of an automatic lesson reported for a user (lesson_views). */
struct course_view {
	bool read;		/* read to the end */
	int *played;		/* positions of the videos played to the end (arena) */
	int nplayed;
};

/*
 * Records in lesson_views that user_id read lesson_id to its end (read)
 * and/or played its video at position video (> 0; 0 for none), keeping
 * what was there; stores the row as it is now in *out.  One statement, so
 * reports that arrive together are all kept.
 */
int course_db_view_record(struct db *db, struct arena *a, int64_t user_id, int64_t lesson_id,
			  bool read, int video, struct course_view *out);

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
	bool auto_completion;	/* lessons.completion_mode is 'auto' */
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

/*
 * Replaces a lesson's videos with v[0..n) (kind and embed_url set;
 * transcript_md and transcript_html may be NULL for "", captions_url NULL
 * for none), in order.
 */
int course_db_videos_replace(struct db *db, int64_t lesson_id, const struct course_video *v, int n);

/* Sets lessons.completion_mode: 'auto' when auto_completion, else 'manual'. */
int course_db_lesson_completion(struct db *db, int64_t lesson_id, bool auto_completion);

/* ---- module materials, copies and deletion (trainer authoring) ---- */

/*
 * Appends a material after the module's last one (the module is locked by
 * the caller, see course_db_module_parent); returns its id, or -1.
 */
int64_t course_db_material_append(struct db *db, int64_t module_id, const char *title,
				  const char *kind, const char *url, int *position);

/* Stores material_id's module in *module_id (0 if no such material). */
int course_db_material_module(struct db *db, int64_t material_id, int64_t *module_id);

/*
 * Deletes material_id of module_id (locked by the caller) and renumbers
 * the module's other materials 1..n; *found false if no such material.
 */
int course_db_material_delete(struct db *db, int64_t module_id, int64_t material_id, bool *found);

/*
 * Copies course_id, in one statement (one snapshot), into a new draft
 * course with title, slug and created_by (0: none): its summary, audience
 * and duration, its modules, their lessons (with their Markdown, HTML,
 * duration, publication and completion mode), the lessons' videos and the
 * modules' materials, all at the same positions.  Enrolments, progress,
 * cohorts and revisions are not copied.  Returns the new course's id, 0
 * when slug is taken or there is no such course, -1 on error.
 */
int64_t course_db_copy(struct db *db, int64_t course_id, const char *title, const char *slug,
		       int64_t created_by);

/* What deleting a course would lose, or what keeps it from being deleted. */
struct course_usage {
	int64_t enrolled;	/* learners enrolled */
	int64_t completions;	/* completed lessons (lesson_progress rows) */
	int64_t cohorts;
	int64_t modules;
	int64_t lessons;
};

/* Counts course_id's enrolments, completions, cohorts, modules and lessons. */
int course_db_usage(struct db *db, int64_t course_id, struct course_usage *u);

/*
 * Deletion runs in the caller's transaction, in three steps: lock, count
 * the completions (a fresh statement, so after the lock every committed
 * one is seen), delete.  The locks are FOR UPDATE, which a new enrolment
 * or completion (its foreign-key check takes FOR KEY SHARE) waits for: no
 * progress can arrive between the count and the delete.  Locks are taken
 * parent first (course, module, lesson), as the moves take them.
 */

/* Locks course_id FOR UPDATE; *title (arena) is its title, NULL if there is no such course. */
int course_db_course_lock_delete(struct db *db, struct arena *a, int64_t course_id,
				 const char **title);

/* Deletes course_id and everything in it (the schema cascades). */
int course_db_course_delete(struct db *db, int64_t course_id);

/*
 * Locks module_id and its lessons FOR UPDATE (the course being locked by
 * the caller with course_db_lock) and counts the lessons' completions in
 * *completions; *found false if there is no such module.
 */
int course_db_module_lock_delete(struct db *db, int64_t module_id, bool *found,
				 int64_t *completions);

/* Deletes module_id of course_id and renumbers the course's modules 1..n. */
int course_db_module_delete(struct db *db, int64_t course_id, int64_t module_id);

/*
 * Locks lesson_id FOR UPDATE (its module being locked by the caller with
 * course_db_module_parent) and counts its completions in *completions;
 * *found false if there is no such lesson.
 */
int course_db_lesson_lock_delete(struct db *db, int64_t lesson_id, bool *found,
				 int64_t *completions);

/* Deletes lesson_id of module_id and renumbers the module's lessons 1..n. */
int course_db_lesson_delete(struct db *db, int64_t module_id, int64_t lesson_id);

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

/*
 * Records course_id as published for the newsletter (publication.h) when
 * it is open, or withdraws its announcement if it is not (not yet sent);
 * in the caller's transaction.
 */
int course_db_publication(struct db *db, struct arena *a, int64_t course_id);

#endif
