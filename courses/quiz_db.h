/*
 * quiz_db.h - the SQL of question banks, quizzes, attempts and grades
 * (courses/sql/0008_quizzes.sql), behind typed functions.
 *
 * Every function returns 0 (or an id > 0) on success and -1 on a database
 * error, already logged by db.c.  Strings of the results live in the
 * arena passed in.  Times are compared by PostgreSQL's clock (now()), so
 * that the deadline of an attempt is the server's, whatever the browser
 * says.
 */
#ifndef COURSES_QUIZ_DB_H
#define COURSES_QUIZ_DB_H

#include "compat.h"

#include "arena.h"
#include "grade.h"

struct db;

/* When the learner may see one part of a submitted attempt. */
enum quiz_review_when {
	QUIZ_REVIEW_IMMEDIATELY,
	QUIZ_REVIEW_AFTER_CLOSE,
	QUIZ_REVIEW_NEVER,
};

/* The parts of a review, each with its own quizzes.review_* setting. */
enum quiz_review_part {
	QUIZ_REVIEW_ANSWERS,
	QUIZ_REVIEW_CORRECTNESS,
	QUIZ_REVIEW_FEEDBACK,
	QUIZ_REVIEW_RIGHT_ANSWERS,
	QUIZ_REVIEW_PARTS
};

struct quiz {
	int64_t id;
	int64_t course_id;
	int64_t module_id;		/* 0 for a verification quiz */
	bool verification;		/* a level's verification test (certificate.h) */
	const char *course_title;
	const char *module_title;	/* "" for a verification quiz */
	int module_position;
	bool course_published;
	bool published;
	const char *title;
	const char *intro_html;
	int pass_percent;
	int time_limit_seconds;		/* 0: no limit */
	int attempts_allowed;		/* 0: no limit */
	int min_delay_seconds;
	enum grade_method grading;
	bool shuffle_questions, shuffle_choices;
	enum quiz_review_when review[QUIZ_REVIEW_PARTS];
	const char *opens_at, *closes_at;	/* ISO 8601, NULL when not set */
	bool not_yet_open;		/* opens_at is in the future */
	bool closed;			/* closes_at has passed */
	int nquestions;			/* what an attempt draws */
};

/* A learner's standing in one quiz. */
struct quiz_standing {
	bool enrolled;			/* in the quiz's course */
	int attempts;			/* started, submitted or not */
	int64_t open_attempt;		/* the attempt in progress, 0 if none */
	bool open_overdue;		/* its deadline has passed: grade it before anything else */
	int wait_seconds;		/* until min_delay_seconds after the last submission */
	bool graded;			/* has a grade (quiz_grades) */
	/* Verification tests only, filled by quiz.c (certificate.h): */
	const char *verification_opens;	/* DD/MM/YYYY, NULL before the level below is certified */
	bool verification_open;
	double grade;			/* 0..1 */
	bool passed;
};

/*
 * The quiz of module_id (*found false if none, or a draft course or quiz
 * and drafts is false) and, when user_id > 0, that user's standing.
 */
int quiz_db_for_module(struct db *db, struct arena *a, int64_t module_id, int64_t user_id,
		       bool drafts, struct quiz *out, struct quiz_standing *standing, bool *found);

/* The same for quiz_id; without standing (NULL) a lighter query that ignores user_id. */
int quiz_db_get(struct db *db, struct arena *a, int64_t quiz_id, int64_t user_id, bool drafts,
		struct quiz *out, struct quiz_standing *standing, bool *found);

/*
 * Locks user_id's enrolment in course_id for the rest of the caller's
 * transaction, so that one learner's starts of attempts run one at a
 * time.  *enrolled false if there is none.
 */
int quiz_db_lock_enrolment(struct db *db, int64_t user_id, int64_t course_id, bool *enrolled);

/* The same, reaching the enrolment through quiz_id's course. */
int quiz_db_lock_enrolment_for_quiz(struct db *db, int64_t user_id, int64_t quiz_id, bool *enrolled);

/*
 * Inside the caller's transaction: creates attempt number n of user_id
 * for quiz q, with its deadline, and draws its questions (in random order
 * when q->shuffle_questions, each with its choices or matching options in
 * random order when q->shuffle_choices).  Returns the attempt's id, or -1;
 * *drawn gets the number of questions drawn (fewer than q->nquestions
 * when the bank is too small).
 */
int64_t quiz_db_attempt_create(struct db *db, const struct quiz *q, int64_t user_id, int number,
			       int *drawn);

/* A question as an attempt holds it. */
struct quiz_item {
	int64_t question_id;
	int position;
	enum grade_kind kind;
	const char *text_html;
	const char *feedback_html;
	int points;
	const char *spec;		/* questions.spec as text */
	struct grade_question key;	/* parsed from it */
	int order[GRADE_ITEMS_MAX];	/* choice (matching: option) ids as shown; norder 0: key order */
	int norder;
	bool answered;
	struct grade_answer answer;	/* when answered */
	const char *answered_at;
	bool scored;
	double score;			/* 0..1 of points, once graded */
};

struct quiz_attempt {
	int64_t id;
	int64_t quiz_id;
	int64_t user_id;
	int number;
	const char *started_at;
	const char *deadline;		/* NULL: no time limit */
	int seconds_left;		/* until the deadline, 0 when passed or none */
	bool overdue;			/* open and past its deadline */
	const char *submitted_at;	/* NULL while open */
	double score;
	bool passed;
	struct quiz_item *items;
	int nitems;
};

/*
 * Attempt attempt_id with its questions in position order (*found false if
 * none).  A question whose stored key or answer no longer parses is a
 * database error (-1, logged): keys are checked before they are stored.
 */
int quiz_db_attempt(struct db *db, struct arena *a, int64_t attempt_id, struct quiz_attempt *out,
		    bool *found);

/*
 * Locks attempt_id (FOR UPDATE) for the caller's transaction and reads it
 * like quiz_db_attempt().
 */
int quiz_db_attempt_lock(struct db *db, struct arena *a, int64_t attempt_id,
			 struct quiz_attempt *out, bool *found);

/* An attempt and one of its questions, as saving an answer needs them. */
struct quiz_save_target {
	int64_t user_id;
	int64_t quiz_id;
	const char *deadline;		/* ISO 8601, NULL: no limit */
	const char *submitted_at;	/* NULL while open */
	bool overdue;			/* open and past its deadline */
	bool in_attempt;		/* question_id is one of the attempt's */
	enum grade_kind kind;
	const char *spec;		/* questions.spec as text, when in_attempt */
	struct grade_question key;	/* parsed from it */
};

/* Attempt attempt_id and its question question_id, in one query (*found false if no such attempt). */
int quiz_db_save_target(struct db *db, struct arena *a, int64_t attempt_id, int64_t question_id,
			struct quiz_save_target *out, bool *found);

/* How a save of an answer ended. */
enum quiz_save {
	QUIZ_SAVED,
	QUIZ_SAVE_REFUSED,		/* not the user's, not open, or not holding the question */
};

/* One answer for quiz_db_answers_save(), and how its save ended. */
struct quiz_answer_write {
	int64_t attempt_id;
	int64_t question_id;
	int64_t user_id;
	const char *json;	/* grade_answer_json() output; NULL clears the answer */
	bool saved;		/* out: false when refused as quiz_db_answer_save() says */
};

/*
 * Saves w[0..n-1] in one statement, so in one commit outside a
 * transaction; each one's saved tells how it ended.  At most one write
 * per attempt: a statement holding two rows of an attempt could deadlock
 * with the attempt's submission, which locks them all.  Returns 0, or -1
 * on a database error (nothing saved).
 */
int quiz_db_answers_save(struct db *db, struct arena *a, struct quiz_answer_write *w, int n);

/*
 * Saves answer_json (an answer written by grade_answer_json(); NULL
 * clears it) to question_id of attempt_id, if the attempt is user_id's,
 * still open and before its deadline by the database's clock, and holds
 * that question; else *result is QUIZ_SAVE_REFUSED (quiz_db_save_target()
 * tells why).  A submission locks the question rows before it reads the
 * answers, so a save either lands before it reads them or is refused.
 */
int quiz_db_answer_save(struct db *db, struct arena *a, int64_t attempt_id, int64_t question_id,
			int64_t user_id, const char *answer_json, enum quiz_save *result);

/*
 * Inside the caller's transaction, with the attempt locked: stores each
 * question's score (scores parallel to a->items) and the attempt's score
 * and pass; marks it submitted now unless it already was (a regrade).
 * *a is updated to match what is stored (submitted_at in arena), and
 * *all gets the scores of every graded attempt of the learner in this
 * quiz, this one included, oldest first (*nall of them, arena).
 */
int quiz_db_attempt_grade(struct db *db, struct arena *arena, struct quiz_attempt *a,
			  const double *scores, double score, bool passed, double **all, int *nall);

/*
 * Writes user_id's grade for quiz_id and, when every published final
 * test of course_id is now passed, marks the enrolment completed (once).
 * *completed says whether this call completed the course.
 */
int quiz_db_grade_store(struct db *db, int64_t quiz_id, int64_t user_id, int64_t course_id,
			double grade, bool passed, bool *completed);

/* The user's attempts of quiz_id, newest first. */
struct quiz_attempt_row {
	int64_t id;
	int number;
	const char *started_at;
	const char *submitted_at;	/* NULL while open */
	const char *submitted_local;	/* "26/11/2026 10:35" in Europe/Rome, NULL while open */
	double score;
	bool passed;
};
int quiz_db_attempts(struct db *db, struct arena *a, int64_t quiz_id, int64_t user_id,
		     struct quiz_attempt_row **out, int *n);

/* ---- question bank and settings (trainers, demo seed) ---- */

/* The category called name of module_id, created if missing; its id, or -1. */
int64_t quiz_db_category(struct db *db, int64_t module_id, const char *name);

/* A new question; spec_json is grade_question_json()'s output.  Its id, or -1. */
int64_t quiz_db_question_create(struct db *db, int64_t category_id, enum grade_kind kind,
				const char *text_md, const char *text_html, const char *feedback_md,
				const char *feedback_html, int points, const char *spec_json);

/* The settings trainers write; strings are copied by PostgreSQL. */
struct quiz_settings {
	const char *title;
	const char *intro_md, *intro_html;
	int pass_percent;
	int time_limit_seconds;		/* 0: none */
	int attempts_allowed;
	int min_delay_seconds;
	enum grade_method grading;
	bool shuffle_questions, shuffle_choices;
	enum quiz_review_when review[QUIZ_REVIEW_PARTS];
	const char *opens_at, *closes_at;	/* ISO 8601 or NULL */
	bool published;
};

/*
 * Creates module_id's final test, or (module_id 0) the verification test
 * of certification level level_id; the course is the module's or the
 * level's.  Its id, or -1.
 */
int64_t quiz_db_create(struct db *db, int64_t module_id, int64_t level_id, const struct quiz_settings *s);

/* Adds a draw of count random questions of category_id to quiz_id, at the end. */
int quiz_db_draw_category(struct db *db, int64_t quiz_id, int64_t category_id, int count);

/* A module as the test editor shows it. */
struct quiz_module {
	int64_t id;
	int64_t course_id;
	const char *course_title;
	int position;
	const char *title;
	int64_t quiz_id;		/* its final test, 0 if none yet */
};

/* Module id with its course and test (*found false if none). */
int quiz_db_module(struct db *db, struct arena *a, int64_t id, struct quiz_module *out, bool *found);

/* A question of a bank as trainers edit it. */
struct quiz_question {
	int64_t id;
	int64_t module_id;
	int64_t course_id;
	int64_t category_id;
	const char *category;
	enum grade_kind kind;
	const char *text_md;
	const char *text_html;
	const char *feedback_md;
	int points;
	struct grade_question key;
	bool retired;
	int64_t answers;		/* attempts that hold it: its key's shape is then fixed */
};

/*
 * What a test draws from: one module's bank (a final test) or the banks of
 * every module of a course (a verification test).
 */
struct quiz_scope {
	int64_t module_id;		/* 0: the whole course */
	int64_t course_id;
	int64_t quiz_id;		/* the test whose draws are counted, 0 if none yet */
	int64_t level_id;		/* a verification test's level, else 0 */
};

/* The scope's questions, by module, category then id (retired ones included). */
int quiz_db_bank(struct db *db, struct arena *a, const struct quiz_scope *scope, struct quiz_question **out,
		 int *n);

/* Question id (*found false if none). */
int quiz_db_question(struct db *db, struct arena *a, int64_t id, struct quiz_question *out, bool *found);

/* Rewrites question id; the caller has checked the key's shape against its answers. */
int quiz_db_question_update(struct db *db, int64_t id, int64_t category_id, enum grade_kind kind,
			    const char *text_md, const char *text_html, const char *feedback_md,
			    const char *feedback_html, int points, const char *spec_json);

/* Retires question id (or brings it back): never drawn again, kept for the attempts that hold it. */
int quiz_db_question_retire(struct db *db, int64_t id, bool retired);

/* A category of the scope with its live questions and how many the scope's test draws from it. */
struct quiz_category {
	int64_t id;
	const char *name;
	int questions;			/* not retired */
	int drawn;			/* 0 if the test does not draw from it */
};
int quiz_db_categories(struct db *db, struct arena *a, const struct quiz_scope *scope,
		       struct quiz_category **out, int *n);

/* Rewrites quiz_id's settings. */
int quiz_db_update(struct db *db, int64_t quiz_id, const struct quiz_settings *s);

/* Removes every draw of quiz_id (before adding the new ones, in one transaction). */
int quiz_db_draws_clear(struct db *db, int64_t quiz_id);

/* The settings of quiz_id as stored (intro_md included), for the editor; *found false if none. */
int quiz_db_settings(struct db *db, struct arena *a, int64_t quiz_id, struct quiz_settings *out,
		     bool *found);

/* The submitted attempts of quiz_id, oldest first (for a regrade). */
int quiz_db_submitted(struct db *db, struct arena *a, int64_t quiz_id, int64_t **ids, int *n);

/* One question's score in one submitted attempt (statistics). */
struct quiz_score_row {
	int64_t attempt_id;
	int64_t question_id;
	double score;			/* 0..1 of the question */
	double share;			/* the question's points / the attempt's points */
	double total;			/* the attempt's score, 0..1 */
};
int quiz_db_score_rows(struct db *db, struct arena *a, int64_t quiz_id, struct quiz_score_row **out,
		       int *n);

/* The questions that appeared in quiz_id's submitted attempts, by first position then id. */
int quiz_db_stat_questions(struct db *db, struct arena *a, int64_t quiz_id, struct quiz_question **out,
			   int *n);

/* Adds the fixed question question_id to quiz_id's draws, at the end. */
int quiz_db_draw_question(struct db *db, int64_t quiz_id, int64_t question_id);

/* The fixed questions quiz_id draws (ids, arena). */
int quiz_db_fixed(struct db *db, struct arena *a, int64_t quiz_id, int64_t **ids, int *n);

/* The names of a review setting ("immediately"...) and back (0, or -1 if unknown). */
const char *quiz_db_review_name(enum quiz_review_when w);
int quiz_db_review_parse(const char *name, enum quiz_review_when *out);

#endif
