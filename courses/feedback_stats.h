/*
 * feedback_stats.h - the aggregates of a feedback round, computed in SQL,
 * and the actions coordination attaches to its findings
 * (courses/sql/0017_feedback_actions.sql): the data of the coordination
 * dashboard, its CSV exports, its PDF report and the summary API.
 *
 * Only submitted responses count in the aggregates: a draft may still
 * change, and a half-filled form would bend the means.  The status table
 * lists every organisation of the round.
 *
 * Every function returns 0 (or an id > 0) on success and -1 on a database
 * error, already logged by db.c.  Results and their strings live in the
 * arena passed in.  Dates shown to people are "DD/MM/YYYY" in
 * Europe/Rome; ISO forms are kept beside them for the API.
 */
#ifndef COURSES_FEEDBACK_STATS_H
#define COURSES_FEEDBACK_STATS_H

#include "compat.h"

#include "arena.h"

struct db;
struct feedback_def;

#define FEEDBACK_STATS_POINTS 5		/* points of a Likert scale: 1..5 */
#define FEEDBACK_STATS_WEAKEST 3	/* hardest questions listed per module */

/* Where an organisation stands in the round. */
struct feedback_stats_org {
	int64_t org_id;
	const char *name;
	const char *status;		/* "submitted", "draft" or "new" (nothing saved) */
	bool late;			/* due date passed and not submitted */
	const char *submitted_at;	/* "DD/MM/YYYY HH:MM", NULL unless submitted */
	const char *submitted_iso;	/* ISO 8601, NULL unless submitted */
	const char *reminded_at;	/* "DD/MM/YYYY HH:MM" of the last reminder, or NULL */
	int referents;			/* active referents (who a reminder reaches) */
	int nanswers;
};

/*
 * The numeric answers (likert, number) of one key.  question is the
 * question's key; a grid cell has column set and module_id > 0, and a
 * grid column over all modules has column set and module_id 0; a plain
 * question has column NULL and module_id 0.
 */
struct feedback_stats_num {
	const char *question;
	int64_t module_id;
	const char *column;
	long long n;
	double sum, mean, min, max;	/* mean 0 when n is 0 */
	long long dist[FEEDBACK_STATS_POINTS];	/* answers equal to 1..5 */
};

/* How many organisations chose option of a single or multiple choice question. */
struct feedback_stats_choice {
	const char *question;
	const char *option;
	long long n;
};

/* A text answer, with who wrote it. */
struct feedback_stats_text {
	const char *question;
	int64_t module_id;		/* 0 for a plain question */
	const char *column;		/* NULL for a plain question */
	int64_t org_id;
	const char *org_name;
	const char *text;
};

/* One organisation's mean for a likert question (grid: over its modules). */
struct feedback_stats_org_num {
	int64_t org_id;
	const char *question;
	const char *column;		/* NULL for a plain question */
	long long n;
	double mean;
};

/* One of the questions of a final test that were hardest for the round's people. */
struct feedback_stats_weak {
	int64_t question_id;
	const char *text;		/* the question's Markdown source, cut to 200 characters */
	double facility;		/* mean share of its points earned, 0..1 */
	int attempts;
};

/*
 * A module of the round's course, with the final-test figures of the
 * people of the round's organisations (users.org_id one of them).
 */
struct feedback_stats_module {
	int64_t module_id;
	int position;
	const char *title;
	bool has_test;			/* a final test exists */
	int64_t quiz_id;		/* 0 when none */
	int enrolled;			/* enrolled in the course */
	int graded;			/* with a grade in the module's final test */
	int passed;
	struct feedback_stats_weak weak[FEEDBACK_STATS_WEAKEST];
	int nweak;
};

struct feedback_stats {
	struct feedback_stats_org *orgs;	/* by name */
	int norgs, nsubmitted, ndraft, nnew, nlate;
	struct feedback_stats_num *nums;	/* by question, column, module */
	int nnums;
	struct feedback_stats_choice *choices;	/* by question, then count descending */
	int nchoices;
	struct feedback_stats_choice *respondents;	/* option NULL: organisations that answered */
	int nrespondents;
	struct feedback_stats_text *texts;	/* by question, column, module, organisation */
	int ntexts;
	struct feedback_stats_org_num *org_nums;
	int norg_nums;
	struct feedback_stats_module *modules;	/* by position */
	int nmodules;
};

/*
 * Loads every aggregate of round_id; def is the round's parsed template
 * version (it tells which string answers are choices and which texts).
 * course_id is the round's course.
 */
int feedback_stats_load(struct db *db, struct arena *a, int64_t round_id, int64_t course_id,
			const struct feedback_def *def, struct feedback_stats *out);

/* The numeric aggregate of (question, module_id, column), or NULL when nobody answered it. */
const struct feedback_stats_num *feedback_stats_num(const struct feedback_stats *st,
						    const char *question, int64_t module_id,
						    const char *column);

/* Organisations that chose option of question; 0 when none did. */
long long feedback_stats_choice_count(const struct feedback_stats *st, const char *question,
				      const char *option);

/* Organisations that answered the choice question at all. */
long long feedback_stats_respondents(const struct feedback_stats *st, const char *question);

/* The mean of org_id for (question, column), or NULL when it gave none. */
const struct feedback_stats_org_num *feedback_stats_org_num(const struct feedback_stats *st,
							    int64_t org_id, const char *question,
							    const char *column);

/* An action on a finding. */
struct feedback_action {
	int64_t id;
	int64_t module_id;		/* 0 when not about a module */
	const char *module_title;	/* NULL when not about a module */
	const char *question_key;	/* NULL when not about a question */
	const char *body;
	int64_t owner_id;		/* 0 when the owner is free text (or gone) */
	const char *owner;		/* the user's name or the text; "" if neither */
	const char *due_date;		/* ISO date, NULL when none */
	const char *due_local;		/* "DD/MM/YYYY", NULL when none */
	bool overdue;			/* not done and due before today */
	const char *created_by;		/* name, "" if the account is gone */
	const char *created_at;		/* "DD/MM/YYYY" */
	bool done;
	const char *done_at;		/* "DD/MM/YYYY HH:MM", NULL unless done */
	const char *done_by;		/* name, NULL unless done ("" if gone) */
};

/* The actions of round_id: open ones first (by due date), then done ones. */
int feedback_stats_actions(struct db *db, struct arena *a, int64_t round_id,
			   struct feedback_action **out, int *n);

/* What a new action needs; module_id 0, question_key NULL, due_date NULL mean none. */
struct feedback_action_new {
	int64_t module_id;		/* must be a module of the round's course */
	const char *question_key;	/* checked by the caller against the round's version */
	const char *body;
	int64_t owner_id;		/* a user, or 0 */
	const char *owner_name;		/* free text when owner_id is 0, or NULL */
	const char *due_date;		/* "YYYY-MM-DD" */
};

/*
 * Adds an action to round_id.  Returns its id, 0 when module_id is not a
 * module of the round's course or owner_id is not an active user, or -1.
 */
int64_t feedback_stats_action_add(struct db *db, int64_t round_id,
				  const struct feedback_action_new *act, int64_t user_id);

/*
 * Marks action_id of round_id done by user_id (done true) or open again.
 * Returns 1 when it changed, 0 when there is no such action of that round
 * or it already was in that state, -1 on error.
 */
int feedback_stats_action_done(struct db *db, int64_t round_id, int64_t action_id, bool done,
			       int64_t user_id);

/* A person an action may be given to: active staff (formatore, coordinamento, admin). */
struct feedback_owner {
	int64_t id;
	const char *name;
};
int feedback_stats_owners(struct db *db, struct arena *a, struct feedback_owner **out, int *n);

/*
 * Records that a reminder was queued for org_id of round_id now (sets
 * feedback_round_orgs.reminded_at).  Returns 1, 0 when the organisation is
 * not in the round, -1 on error.
 */
int feedback_stats_mark_reminded(struct db *db, int64_t round_id, int64_t org_id);

#endif
