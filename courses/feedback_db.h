/*
 * feedback_db.h - the SQL of feedback forms (schede di segnalazione):
 * templates and their versions, rounds (rilevazioni), responses and
 * answers (courses/sql/0016_feedback.sql), behind typed functions.
 *
 * A template version's definition is JSON, checked by feedback.c before it
 * is stored:
 *   {"sections": [{"title": "...", "questions": [
 *     {"key": "q1", "kind": "likert|single|multiple|number|short_text|
 *      long_text|module_grid", "text": "...", "help": "...",
 *      "required": true|false,
 *      "labels": [5 strings]            (likert),
 *      "options": [strings]             (single, multiple),
 *      "min": int, "max": int           (number),
 *      "columns": [{"key", "kind": likert|short_text|long_text, "text",
 *                   "labels" (likert)}] (module_grid)}]}]}
 * Keys are [a-z0-9_]{1,40}, unique in a version (column keys in their
 * grid).  An answer's key is the question's key, or "q/m<module id>/col"
 * for a cell of a module grid (one row per module of the round's course).
 * An answer's value is JSON: a number (likert 1..5, number), a string
 * (single, texts) or an array of strings (multiple).
 *
 * Every function returns 0 (or an id > 0) on success and -1 on a database
 * error, already logged by db.c.  Strings of the results live in the
 * arena passed in.  Dates are ISO "YYYY-MM-DD", times ISO 8601 with zone.
 */
#ifndef COURSES_FEEDBACK_DB_H
#define COURSES_FEEDBACK_DB_H

#include "compat.h"

#include "arena.h"

struct db;

#define FEEDBACK_KEY_MAX 40		/* bytes of a question or column key */
#define FEEDBACK_ANSWER_KEY_MAX 110	/* bytes of an answer key */

/* A template with its latest version. */
struct feedback_template {
	int64_t id;
	const char *name;
	const char *description;
	bool retired;
	const char *created_at;
	int64_t version_id;		/* the latest version */
	int version;
	const char *definition;		/* JSON text of the latest version */
	const char *version_at;		/* when it was made */
	const char *version_by;		/* who made it (name), "" if gone */
};

/* Templates, newest first, retired ones when retired is true. */
int feedback_db_templates(struct db *db, struct arena *a, bool retired,
			  struct feedback_template **out, int *n);

/* Template id with its latest version; *found false if there is none. */
int feedback_db_template_get(struct db *db, struct arena *a, int64_t id,
			     struct feedback_template *out, bool *found);

/*
 * Creates a template and its version 1 (definition already checked) in
 * one statement.  Returns the template id, 0 when the name is taken
 * (case-insensitively), or -1.
 */
int64_t feedback_db_template_create(struct db *db, const char *name, const char *description,
				    const char *definition, int64_t user_id);

/*
 * Adds the next version of template_id (definition already checked), and
 * sets its name and description when not NULL.  Returns the new version's
 * id with *version set, 0 when the template does not exist or the new name
 * is taken, or -1.
 */
int64_t feedback_db_template_version_add(struct db *db, int64_t template_id, const char *name,
					 const char *description, const char *definition,
					 int64_t user_id, int *version);

/* Retires (or brings back) a template: it is no longer offered for new rounds. */
int feedback_db_template_retire(struct db *db, int64_t template_id, bool retired);

/* A round, with its template version and course. */
struct feedback_round {
	int64_t id;
	int64_t template_version_id;
	int64_t template_id;
	const char *template_name;
	int version;
	const char *definition;		/* JSON text of the round's version */
	int64_t course_id;
	const char *course_title;
	const char *title;
	const char *period_from, *period_to, *due_date;
	const char *created_at;
	bool closed;
	bool overdue;			/* due_date has passed (server's date) */
	int days_left;			/* due_date - today, negative when overdue */
	int norgs;			/* organisations asked */
	int nsubmitted;			/* of them, submitted */
	/* Only from feedback_db_rounds_for_org(): */
	int64_t org_id;
	const char *org_name;
	const char *status;		/* "new" (nothing saved), "draft", "submitted" */
};

/* Every round, newest first. */
int feedback_db_rounds(struct db *db, struct arena *a, struct feedback_round **out, int *n);

/* The rounds that ask org_id, newest first, with that org's status. */
int feedback_db_rounds_for_org(struct db *db, struct arena *a, int64_t org_id,
			       struct feedback_round **out, int *n);

/* Round id; *found false if there is none. */
int feedback_db_round_get(struct db *db, struct arena *a, int64_t id, struct feedback_round *out,
			  bool *found);

/* What a new round needs. */
struct feedback_round_new {
	int64_t template_version_id;
	int64_t course_id;
	const char *title;
	const char *period_from, *period_to, *due_date;
	const int64_t *org_ids;
	int norgs;
};

/*
 * Inside the caller's transaction: creates the round and its
 * organisations.  Returns the round id, or -1 (a missing course, version
 * or organisation is a foreign-key error: db_sqlstate() "23503").
 */
int64_t feedback_db_round_create(struct db *db, const struct feedback_round_new *r, int64_t user_id);

/* Marks a round closed (closed true) or open again. */
int feedback_db_round_close(struct db *db, int64_t round_id, bool closed);

/* An organisation of a round and where its response stands. */
struct feedback_round_org {
	int64_t org_id;
	const char *org_name;
	const char *status;		/* "new", "draft" or "submitted" */
	const char *submitted_at;	/* NULL unless submitted */
	const char *submitted_by;	/* name, NULL unless submitted */
	const char *reopened_at;	/* NULL if never reopened */
	const char *reminded_at;	/* NULL until the reminder was queued */
	const char *last_change;	/* latest answer's updated_at, NULL if none */
	int nanswers;
};

/* The organisations of round_id, by name. */
int feedback_db_round_orgs(struct db *db, struct arena *a, int64_t round_id,
			   struct feedback_round_org **out, int *n);

/* *asked true when org_id is one of round_id's organisations. */
int feedback_db_round_has_org(struct db *db, int64_t round_id, int64_t org_id, bool *asked);

/* A referent who receives a round's mail. */
struct feedback_referent {
	int64_t org_id;
	const char *email;
	const char *name;
};

/*
 * The active referents of round_id's organisations (of org_id only when
 * org_id > 0; when unsubmitted is true, only of organisations that have
 * not submitted).
 */
int feedback_db_referents(struct db *db, struct arena *a, int64_t round_id, int64_t org_id,
			  bool unsubmitted, struct feedback_referent **out, int *n);

/* A response as stored. */
struct feedback_response {
	const char *status;		/* "new", "draft" or "submitted" */
	const char *submitted_at, *submitted_by;	/* NULL unless submitted */
	const char *reopened_at, *reopened_by;		/* NULL unless reopened */
};

/* The response of org_id to round_id; status "new" when there is no row. */
int feedback_db_response_get(struct db *db, struct arena *a, int64_t round_id, int64_t org_id,
			     struct feedback_response *out);

/*
 * Inside the caller's transaction: creates the response row if needed
 * (draft) and locks it until the transaction ends, so that a submission
 * and answer writes do not interleave.  *submitted tells its status.
 */
int feedback_db_response_lock(struct db *db, int64_t round_id, int64_t org_id, bool *submitted);

/* One saved answer. */
struct feedback_answer {
	const char *key;
	const char *value;		/* JSON text (PostgreSQL's jsonb rendering) */
	const char *updated_by;		/* name, "" if the account is gone */
	const char *updated_at;		/* ISO 8601 */
	const char *updated_at_local;	/* "DD/MM/YYYY HH:MM", Europe/Rome */
};

/* The answers of org_id to round_id, by key. */
int feedback_db_answers(struct db *db, struct arena *a, int64_t round_id, int64_t org_id,
			struct feedback_answer **out, int *n);

/*
 * Inside a transaction holding feedback_db_response_lock(): writes one
 * answer (value JSON text, already checked), or deletes it when value is
 * NULL.  Last write wins.
 */
int feedback_db_answer_put(struct db *db, int64_t round_id, int64_t org_id, const char *key,
			   const char *value, int64_t user_id);

/* Inside the same kind of transaction: marks the response submitted by user_id. */
int feedback_db_submit(struct db *db, int64_t round_id, int64_t org_id, int64_t user_id);

/*
 * Sets a submitted response back to draft, recording who and when.
 * Returns 1 when it was submitted and is now a draft, 0 when it was not
 * submitted (nothing changed), -1 on error.
 */
int feedback_db_reopen(struct db *db, int64_t round_id, int64_t org_id, int64_t user_id);

/* A round organisation whose reminder is due. */
struct feedback_reminder {
	int64_t round_id;
	int64_t org_id;
	const char *round_title;
	const char *course_title;
	const char *due_date;		/* DD/MM/YYYY */
};

/*
 * Inside the caller's transaction: claims (sets reminded_at on) the
 * organisations of open rounds due within 3 days, not yet due, not
 * reminded and not submitted, and returns them.  Rows another process
 * holds are skipped, so a reminder is claimed once.
 */
int feedback_db_reminders_claim(struct db *db, struct arena *a, struct feedback_reminder **out,
				int *n);

/* An organisation's real figures for one module of a course. */
struct feedback_module_figures {
	int64_t module_id;
	int position;
	const char *title;
	int enrolled;			/* the org's users enrolled in the course */
	int lessons;			/* published lessons of the module */
	int64_t lessons_done;		/* lessons of the module completed, summed over them */
	int graded;			/* of them, with a grade in the module's final test */
	int passed;			/* of them, passed it */
	bool has_test;			/* the module has a published final test */
};

/*
 * The modules of course_id in order, with org_id's figures (org_id 0:
 * every organisation together).  Progress is lessons_done / (lessons *
 * enrolled); the pass rate passed / enrolled.
 */
int feedback_db_module_figures(struct db *db, struct arena *a, int64_t course_id, int64_t org_id,
			       struct feedback_module_figures **out, int *n);

#endif
