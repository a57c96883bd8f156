/*
 * cohort_db.h - cohorts SQL: cohorts of a course, their members and the
 * sessions of their calendar (see sql/0004_cohorts.sql).
 *
 * Every function runs on the caller's connection; writes that belong
 * together are wrapped by the caller in db_begin()/db_commit().  Rows are
 * copied into the arena a, so their strings live as long as it does.  All
 * return 0 (or an id) on success and -1 on a database error, already
 * logged by db.c.  Times are formatted by PostgreSQL: in Europe/Rome for
 * pages, in UTC ("YYYYMMDDTHHMMSSZ") for iCalendar.
 */
#ifndef COURSES_COHORT_DB_H
#define COURSES_COHORT_DB_H

#include "compat.h"

#include "arena.h"

struct db;

struct cohort {
	int64_t id;
	int64_t course_id;
	const char *course_title;
	const char *name;
	const char *starts_on;		/* "DD/MM/YYYY" */
	int nmembers;
	int nsessions;
};

struct cohort_member {
	int64_t user_id;
	const char *name;
	const char *email;
};

struct cohort_session {
	int64_t id;
	int64_t cohort_id;
	const char *cohort_name;
	const char *course_title;
	const char *module_title;	/* NULL: not tied to a module */
	bool live;			/* kind 'live', else 'recording' */
	const char *day;		/* "lunedì 2 marzo 2026", Europe/Rome */
	const char *start, *end;	/* "10:00", Europe/Rome */
	const char *utc_start, *utc_end;	/* "20260302T090000Z" */
	const char *place;		/* "" when none */
	const char *meeting_url;	/* NULL when none */
	const char *recording_url;	/* NULL when none */
	bool past;			/* started before now */
};

/* The cohorts of course_id, by start date then name. */
int cohort_db_list(struct db *db, struct arena *a, int64_t course_id, struct cohort **out, int *count);

/*
 * Inserts a cohort; starts_on is "YYYY-MM-DD".  Returns its id, 0 when the
 * course already has a cohort of that name, -1 on error.
 */
int64_t cohort_db_create(struct db *db, int64_t course_id, const char *name, const char *starts_on,
			 int64_t created_by);

/* One cohort with its course title; *found false when there is none. */
int cohort_db_get(struct db *db, struct arena *a, int64_t id, struct cohort *out, bool *found);

/* The id of cohort name of course_id, 0 if none, -1 on error. */
int64_t cohort_db_find(struct db *db, int64_t course_id, const char *name);

/* The members of a cohort, by name. */
int cohort_db_members(struct db *db, struct arena *a, int64_t cohort_id, struct cohort_member **out,
		      int *count);

/* Adds a member and enrols them in the cohort's course (a cohort is an
 * edition of the course for its people); adding one twice is not an error. */
int cohort_db_add_member(struct db *db, int64_t cohort_id, int64_t user_id);

/* *member true when user_id belongs to cohort_id. */
int cohort_db_is_member(struct db *db, int64_t cohort_id, int64_t user_id, bool *member);

/*
 * Inserts a session.  local_start is "YYYY-MM-DD HH:MM" in Europe/Rome;
 * module_id 0 means none; place may be ""; urls may be NULL and must be
 * http(s) (the table refuses anything else).  Returns the id or -1.
 */
int64_t cohort_db_session_add(struct db *db, int64_t cohort_id, int64_t module_id, bool live,
			      const char *local_start, int minutes, const char *place,
			      const char *meeting_url, const char *recording_url);

/*
 * Sets the recording URL of session_id of cohort_id, if it has already
 * started.  *found false: no such session, or not yet started.
 */
int cohort_db_session_recording(struct db *db, int64_t session_id, int64_t cohort_id, const char *url,
				bool *found);

/* The cohort a session belongs to, 0 if none, -1 on error. */
int64_t cohort_db_session_cohort(struct db *db, int64_t session_id);

/* Which sessions cohort_db_sessions() returns. */
enum cohort_scope {
	COHORT_SCOPE_COHORT,	/* id: a cohort */
	COHORT_SCOPE_COURSE,	/* id: a course; only the cohorts user_id belongs to */
	COHORT_SCOPE_USER	/* every cohort user_id belongs to */
};

/* Sessions in time order. */
int cohort_db_sessions(struct db *db, struct arena *a, enum cohort_scope scope, int64_t id,
		       int64_t user_id, struct cohort_session **out, int *count);

/* The current time in UTC as an iCalendar DATE-TIME, for DTSTAMP (arena). */
const char *cohort_db_now_utc(struct db *db, struct arena *a);

#endif
