/*
 * progress_db.h - learners' progress across people, for referents,
 * trainers and coordination: the SQL behind progress.c.
 *
 * One statement answers the page, the CSV and the API, so the three can
 * never disagree.  Filters are optional (0 = any): course, organisation
 * (with its sub-organisations), cohort; scope_org (0 = everyone) is the
 * organisation a referent is limited to, whatever the filters say, and
 * in published courses only (drafts do not leak to referents).  Percent
 * counts published lessons only.
 */
#ifndef COURSES_PROGRESS_DB_H
#define COURSES_PROGRESS_DB_H

#include "compat.h"

#include "arena.h"
#include "db.h"

struct progress_filter {
	int64_t course_id;
	int64_t org_id;
	int64_t cohort_id;
	int64_t scope_org;
};

/* One learner in one course. */
struct progress_row {
	int64_t course_id;
	const char *course_title;
	int64_t user_id;
	const char *name;
	const char *email;
	const char *org_name;	/* "" without an organisation */
	const char *cohorts;	/* names of the learner's cohorts of the course, "" if none */
	const char *enrolled_on;	/* DD/MM/YYYY, Rome */
	int done;		/* published lessons completed */
	int total;		/* published lessons of the course */
	int percent;		/* 0..100, rounded */
	const char *last_activity;	/* DD/MM/YYYY HH:MM, Rome; "" if none */
};

/* Columns of the export, in the order progress_db_stream() returns them. */
#define PROGRESS_COLS 12

/*
 * Up to limit rows from offset, ordered by course, organisation and name,
 * into a; *total is the count of all matching rows.  0 or -1.
 */
int progress_db_page(struct db *db, struct arena *a, const struct progress_filter *f,
		     int limit, int offset, struct progress_row **out, int *n, int *total);

/*
 * Every matching row, streamed on a connection of its own (db_stream_*):
 * columns as struct progress_row, in that order, as text.  NULL with
 * *busy set when too many exports run (see db_stream_open()).
 */
struct db_stream *progress_db_stream(const char *conninfo, const struct progress_filter *f,
				     bool *busy);

/* Maps the cells of a row of progress_db_stream() onto r (pointers into cells). */
void progress_db_row(const char *const *cells, struct progress_row *r);

/* Courses to filter by (id, title), by title, drafts only if drafts; strings in a. */
struct progress_choice {
	int64_t id;
	const char *label;
};
int progress_db_courses(struct db *db, struct arena *a, bool drafts, struct progress_choice **out, int *n);

/* The cohorts of course_id, by start date; none for a draft unless drafts. */
int progress_db_cohorts(struct db *db, struct arena *a, int64_t course_id, bool drafts,
			struct progress_choice **out, int *n);

#endif
