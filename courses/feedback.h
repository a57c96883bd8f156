/*
 * feedback.h - feedback forms (schede di segnalazione): templates,
 * collection rounds (rilevazioni), and the referents' responses.
 *
 * Coordination (coordinamento, admin) defines versioned templates and
 * sends rounds to organisations; the active referents of each get an
 * email, and a reminder 3 days before the due date if their organisation
 * has not submitted.  Referents (referente) fill in their own
 * organisation's response, shared by all of them: answers are saved one
 * by one (last write per answer wins), then submitted (read-only until
 * coordination reopens it, audited).
 *
 * Pages: /segnalazioni (the rounds of the user's organisation; all of
 * them for coordination), /segnalazioni/{round}/{org} (the form; POST
 * saves or submits), POST /segnalazioni/{round}/{org}/riapri,
 * /gestione/schede (templates), /gestione/schede/{id} (new version),
 * /gestione/rilevazioni (rounds).
 * API: GET/POST /api/v1/feedback/templates, GET/POST
 * /api/v1/feedback/rounds, GET/PUT
 * /api/v1/feedback/rounds/{id}/responses/{org_id}, POST .../submit,
 * POST .../reopen.
 * Access to a response: the referents of that organisation and
 * coordination; an operator gets 403, anyone else 404.
 */
#ifndef COURSES_FEEDBACK_H
#define COURSES_FEEDBACK_H

#include "compat.h"

#include "arena.h"

struct config;
struct db;
struct json_value;
struct json_writer;
struct request;
struct router;

#define FEEDBACK_SECTIONS_MAX 20
#define FEEDBACK_QUESTIONS_MAX 100	/* in a whole definition */
#define FEEDBACK_OPTIONS_MAX 30		/* of a single or multiple choice */
#define FEEDBACK_COLUMNS_MAX 6		/* of a module grid */
#define FEEDBACK_LIKERT 5		/* points of a Likert scale */
#define FEEDBACK_SHORT_MAX 200		/* code points of a short text answer */
#define FEEDBACK_LONG_MAX 4000		/* code points of a long text answer */

enum feedback_kind {
	FEEDBACK_LIKERT_Q,
	FEEDBACK_SINGLE,
	FEEDBACK_MULTIPLE,
	FEEDBACK_NUMBER,
	FEEDBACK_SHORT_TEXT,
	FEEDBACK_LONG_TEXT,
	FEEDBACK_MODULE_GRID,
};

/* A column of a module grid: likert, short_text or long_text. */
struct feedback_column {
	const char *key;
	enum feedback_kind kind;
	const char *text;
	const char *labels[FEEDBACK_LIKERT];	/* likert only */
};

struct feedback_question {
	const char *key;
	enum feedback_kind kind;
	const char *text;
	const char *help;			/* "" when none */
	bool required;
	const char *labels[FEEDBACK_LIKERT];	/* likert */
	const char **options;			/* single, multiple */
	int noptions;
	long long min, max;			/* number (defaults 0 and 1000000) */
	struct feedback_column *columns;	/* module_grid */
	int ncolumns;
};

struct feedback_section {
	const char *title;
	struct feedback_question *questions;
	int nquestions;
};

/* A parsed, checked template definition (the JSON of feedback_db.h). */
struct feedback_def {
	struct feedback_section *sections;
	int nsections;
	int nquestions;
};

/* The stored name of a kind ("likert", "module_grid"...). */
const char *feedback_kind_name(enum feedback_kind kind);

/*
 * Parses and checks a definition strictly: only the documented members,
 * kinds known, keys [a-z0-9_]{1,40} unique (column keys within their
 * grid), 5 labels for a likert scale, 1..FEEDBACK_OPTIONS_MAX distinct
 * options for a choice, min <= max for a number, at least one question.
 * Everything lives in a.  Returns 0, or -1 with *err an Italian sentence
 * (in a or static) saying what is wrong.  Never logs.
 */
int feedback_def_parse(struct arena *a, const char *text, size_t len, struct feedback_def *out,
		       const char **err);

/* Writes def as canonical JSON (what is stored) as member key (NULL: a value). */
void feedback_def_write(struct json_writer *w, const char *key, const struct feedback_def *def);

/* The question of def whose key is key, or NULL. */
const struct feedback_question *feedback_def_question(const struct feedback_def *def,
						      const char *key);

/*
 * Checks one answer against def: key is "q" or "q/m<module>/col" (module
 * one of the nmodules ids of module_ids), value a parsed JSON value (NULL
 * or JSON null: the answer is removed).  On success returns 0 with
 * *canonical the JSON text to store (in a), or NULL when the answer is to
 * be removed (null, "", []).  Returns -1 with *err an Italian sentence.
 */
int feedback_answer_check(struct arena *a, const struct feedback_def *def,
			  const int64_t *module_ids, int nmodules, const char *key,
			  const struct json_value *value, const char **canonical, const char **err);

/*
 * Adds the routes to r (the form route's field table is built here, once)
 * and the reminder job to the mail sender; keeps cfg (base URL) for the
 * mail links.  At start-up only.
 */
void feedback_register(struct router *r, const struct config *cfg);

/*
 * The demo template "Scheda di segnalazione dei referenti pilota" and a
 * round of it for course_id sent to the demo organisations, due in 10
 * days (no mail: nobody asked for it yet).  Idempotent: nothing happens
 * when the template exists.  Its own transaction; 0 or -1 (logged).
 */
int feedback_seed_demo(struct db *db, int64_t course_id);

#endif
