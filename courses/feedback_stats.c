/*
 * feedback_stats.c - the SQL of the coordination dashboard (see
 * feedback_stats.h): a round's aggregates and the actions on its findings.
 *
 * Every figure is computed by PostgreSQL over the stored answers (means,
 * counts, distributions, pass rates, facility indices); C only arranges
 * the rows.  An answer key "q5/m12/comprensione" is split with
 * split_part() into question, module and column, so one statement serves
 * plain questions and grid cells alike.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "feedback.h"
#include "feedback_stats.h"
#include "log.h"

/* The submitted answers of round $1: the only ones the aggregates count. */
#define STATS_SUBMITTED \
	"SELECT a.org_id, a.answer_key, a.value, split_part(a.answer_key, '/', 1) AS q, " \
	"       coalesce(nullif(substr(split_part(a.answer_key, '/', 2), 2), '')::bigint, 0) AS m, " \
	"       nullif(split_part(a.answer_key, '/', 3), '') AS col " \
	"FROM feedback_answers a JOIN feedback_responses r " \
	"  ON r.round_id = a.round_id AND r.org_id = a.org_id AND r.status = 'submitted' " \
	"WHERE a.round_id = $1"

static const struct db_stmt stats_orgs_q = {
	"feedback_stats_orgs",
	"SELECT ro.org_id, o.name, coalesce(r.status, 'new'), "
	"       coalesce(r.status, '') <> 'submitted' "
	"         AND fr.due_date < (now() AT TIME ZONE 'Europe/Rome')::date, "
	"       to_char(r.submitted_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI'), "
	"       to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	"       to_char(ro.reminded_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI'), "
	"       (SELECT count(*) FROM users u WHERE u.org_id = ro.org_id AND u.status = 'active' "
	"          AND 'referente' = ANY (u.roles)), "
	"       (SELECT count(*) FROM feedback_answers fa "
	"          WHERE fa.round_id = ro.round_id AND fa.org_id = ro.org_id) "
	"FROM feedback_round_orgs ro JOIN feedback_rounds fr ON fr.id = ro.round_id "
	"JOIN orgs o ON o.id = ro.org_id "
	"LEFT JOIN feedback_responses r ON r.round_id = ro.round_id AND r.org_id = ro.org_id "
	"WHERE ro.round_id = $1 ORDER BY lower(o.name), o.id", 1
};

/*
 * Numeric answers: per key (a plain question, or a grid cell of one
 * module) and per grid column over every module.  The grouping set
 * (q, col) repeats plain questions (col NULL): HAVING drops the repeat.
 */
static const struct db_stmt stats_nums_q = {
	"feedback_stats_nums",
	"WITH v AS (SELECT q, m, col, (value #>> '{}')::numeric AS x FROM (" STATS_SUBMITTED ") s "
	"           WHERE jsonb_typeof(value) = 'number') "
	"SELECT q, CASE WHEN grouping(m) = 0 THEN m ELSE 0 END, col, count(*), sum(x)::float8, "
	"       avg(x)::float8, min(x)::float8, max(x)::float8, "
	"       count(*) FILTER (WHERE x = 1), count(*) FILTER (WHERE x = 2), "
	"       count(*) FILTER (WHERE x = 3), count(*) FILTER (WHERE x = 4), "
	"       count(*) FILTER (WHERE x = 5) "
	"FROM v GROUP BY GROUPING SETS ((q, m, col), (q, col)) "
	"HAVING grouping(m) = 0 OR col IS NOT NULL "
	"ORDER BY q, col NULLS FIRST, 2", 1
};

/*
 * Choices: $2 is the text[] of the keys of single and multiple choice
 * questions; a single answer is a string, a multiple one an array.
 */
static const struct db_stmt stats_choices_q = {
	"feedback_stats_choices",
	"WITH v AS (SELECT org_id, q, value FROM (" STATS_SUBMITTED ") s "
	"           WHERE col IS NULL AND q = ANY ($2::text[])) "
	"SELECT v.q, o.opt, count(DISTINCT v.org_id) FROM v "
	"CROSS JOIN LATERAL (SELECT v.value #>> '{}' AS opt WHERE jsonb_typeof(v.value) = 'string' "
	"                    UNION SELECT e FROM jsonb_array_elements_text(CASE WHEN "
	"                      jsonb_typeof(v.value) = 'array' THEN v.value ELSE '[]' END) e) o "
	"GROUP BY v.q, o.opt ORDER BY v.q, 3 DESC, o.opt", 2
};

static const struct db_stmt stats_respondents_q = {
	"feedback_stats_respondents",
	"SELECT q, count(DISTINCT org_id) FROM (" STATS_SUBMITTED ") s "
	"WHERE col IS NULL AND q = ANY ($2::text[]) "
	"  AND (jsonb_typeof(value) <> 'array' OR jsonb_array_length(value) > 0) "
	"GROUP BY q ORDER BY q", 2
};

/* Texts: every string answer that is not a choice. */
static const struct db_stmt stats_texts_q = {
	"feedback_stats_texts",
	"SELECT s.q, s.m, s.col, s.org_id, o.name, s.value #>> '{}' FROM (" STATS_SUBMITTED ") s "
	"JOIN orgs o ON o.id = s.org_id "
	"LEFT JOIN modules md ON md.id = s.m "
	"WHERE jsonb_typeof(s.value) = 'string' AND NOT (s.col IS NULL AND s.q = ANY ($2::text[])) "
	"  AND btrim(s.value #>> '{}') <> '' "
	"ORDER BY s.q, s.col NULLS FIRST, md.position NULLS FIRST, lower(o.name), s.org_id", 2
};

/* Each organisation's mean per likert question or grid column ($2: their keys). */
static const struct db_stmt stats_org_nums_q = {
	"feedback_stats_org_nums",
	"SELECT org_id, q, col, count(*), avg((value #>> '{}')::numeric)::float8 "
	"FROM (" STATS_SUBMITTED ") s "
	"WHERE jsonb_typeof(value) = 'number' AND (CASE WHEN col IS NULL THEN q ELSE q || '/' || col END) "
	"      = ANY ($2::text[]) "
	"GROUP BY org_id, q, col ORDER BY org_id, q, col NULLS FIRST", 2
};

/*
 * Per module: the people of the round's organisations enrolled in the
 * course, and the grades of the module's final test among them.
 */
static const struct db_stmt stats_modules_q = {
	"feedback_stats_modules",
	"WITH e AS (SELECT en.user_id FROM enrolments en JOIN users u ON u.id = en.user_id "
	"           JOIN feedback_round_orgs ro ON ro.round_id = $1 AND ro.org_id = u.org_id "
	"           WHERE en.course_id = $2) "
	"SELECT m.id, m.position, m.title, coalesce(z.id, 0), (SELECT count(*) FROM e), "
	"       (SELECT count(*) FROM quiz_grades g WHERE g.quiz_id = z.id "
	"          AND g.user_id IN (SELECT user_id FROM e)), "
	"       (SELECT count(*) FROM quiz_grades g WHERE g.quiz_id = z.id AND g.passed "
	"          AND g.user_id IN (SELECT user_id FROM e)) "
	"FROM modules m LEFT JOIN quizzes z ON z.module_id = m.id AND z.purpose = 'final' "
	"WHERE m.course_id = $2 ORDER BY m.position", 2
};

/*
 * The facility index of each question of each final test of the course,
 * over the submitted attempts of the round's people (as quiz_db.c's
 * statistics compute it: an unscored question counts 0), and the
 * FEEDBACK_STATS_WEAKEST lowest per module.
 */
static const struct db_stmt stats_weak_q = {
	"feedback_stats_weak",
	"SELECT module_id, question_id, text, facility, n FROM ("
	"  SELECT z.module_id, aq.question_id, left(q.text_md, 200) AS text, "
	"         avg(coalesce(aq.score, 0))::float8 AS facility, count(*) AS n, "
	"         row_number() OVER (PARTITION BY z.module_id "
	"                            ORDER BY avg(coalesce(aq.score, 0)), aq.question_id) AS rk "
	"  FROM quizzes z JOIN quiz_attempts at ON at.quiz_id = z.id AND at.submitted_at IS NOT NULL "
	"  JOIN users u ON u.id = at.user_id "
	"  JOIN feedback_round_orgs ro ON ro.round_id = $1 AND ro.org_id = u.org_id "
	"  JOIN attempt_questions aq ON aq.attempt_id = at.id "
	"  JOIN questions q ON q.id = aq.question_id "
	"  WHERE z.course_id = $2 AND z.purpose = 'final' "
	"  GROUP BY z.module_id, aq.question_id, q.text_md) w "
	"WHERE rk <= 3 ORDER BY module_id, rk", 2	/* 3: FEEDBACK_STATS_WEAKEST */
};

/* The text[] literal of keys (each [a-z0-9_/]: nothing to quote), into b. */
static void
stats_key_array(struct buf *b, const char *const *keys, int n)
{
	buf_addch(b, '{');
	for (int i = 0; i < n; i++) {
		if (i > 0)
			buf_addch(b, ',');
		buf_adds(b, keys[i]);
	}
	buf_addch(b, '}');
}

static double
stats_double(const struct db_res *res, int r, int c)
{
	const char *s = db_get(res, r, c);

	return s == NULL ? 0 : strtod(s, NULL);
}

/* A cell as an arena string, or NULL for SQL NULL. */
static const char *
stats_str(const struct db_res *res, int r, int c)
{
	return db_get(res, r, c);
}

static int
stats_orgs(struct db *db, struct arena *a, const char *const *params, struct feedback_stats *st)
{
	struct db_res *res;

	if ((res = db_query(db, a, &stats_orgs_q, params)) == NULL)
		return -1;
	st->orgs = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*st->orgs));
	for (int r = 0; r < res->nrows; r++) {
		struct feedback_stats_org *o = &st->orgs[r];

		o->org_id = db_get_int(res, r, 0);
		o->name = stats_str(res, r, 1);
		o->status = stats_str(res, r, 2);
		o->late = db_get_bool(res, r, 3);
		o->submitted_at = stats_str(res, r, 4);
		o->submitted_iso = stats_str(res, r, 5);
		o->reminded_at = stats_str(res, r, 6);
		o->referents = (int)db_get_int(res, r, 7);
		o->nanswers = (int)db_get_int(res, r, 8);
		if (strcmp(o->status, "submitted") == 0)
			st->nsubmitted++;
		else if (strcmp(o->status, "draft") == 0)
			st->ndraft++;
		else
			st->nnew++;
		if (o->late)
			st->nlate++;
	}
	st->norgs = res->nrows;
	return 0;
}

static int
stats_nums(struct db *db, struct arena *a, const char *const *params, struct feedback_stats *st)
{
	struct db_res *res;

	if ((res = db_query(db, a, &stats_nums_q, params)) == NULL)
		return -1;
	st->nums = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*st->nums));
	for (int r = 0; r < res->nrows; r++) {
		struct feedback_stats_num *x = &st->nums[r];

		x->question = stats_str(res, r, 0);
		x->module_id = db_get_int(res, r, 1);
		x->column = stats_str(res, r, 2);
		x->n = db_get_int(res, r, 3);
		x->sum = stats_double(res, r, 4);
		x->mean = stats_double(res, r, 5);
		x->min = stats_double(res, r, 6);
		x->max = stats_double(res, r, 7);
		for (int k = 0; k < FEEDBACK_STATS_POINTS; k++)
			x->dist[k] = db_get_int(res, r, 8 + k);
	}
	st->nnums = res->nrows;
	return 0;
}

static int
stats_choices(struct db *db, struct arena *a, const char *const *params, struct feedback_stats *st)
{
	struct db_res *res;

	if ((res = db_query(db, a, &stats_choices_q, params)) == NULL)
		return -1;
	st->choices = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*st->choices));
	for (int r = 0; r < res->nrows; r++) {
		st->choices[r].question = stats_str(res, r, 0);
		st->choices[r].option = stats_str(res, r, 1);
		st->choices[r].n = db_get_int(res, r, 2);
	}
	st->nchoices = res->nrows;
	if ((res = db_query(db, a, &stats_respondents_q, params)) == NULL)
		return -1;
	st->respondents = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*st->respondents));
	for (int r = 0; r < res->nrows; r++) {
		st->respondents[r].question = stats_str(res, r, 0);
		st->respondents[r].n = db_get_int(res, r, 1);
	}
	st->nrespondents = res->nrows;
	return 0;
}

static int
stats_texts(struct db *db, struct arena *a, const char *const *params, struct feedback_stats *st)
{
	struct db_res *res;

	if ((res = db_query(db, a, &stats_texts_q, params)) == NULL)
		return -1;
	st->texts = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*st->texts));
	for (int r = 0; r < res->nrows; r++) {
		struct feedback_stats_text *t = &st->texts[r];

		t->question = stats_str(res, r, 0);
		t->module_id = db_get_int(res, r, 1);
		t->column = stats_str(res, r, 2);
		t->org_id = db_get_int(res, r, 3);
		t->org_name = stats_str(res, r, 4);
		t->text = stats_str(res, r, 5);
	}
	st->ntexts = res->nrows;
	return 0;
}

static int
stats_org_nums(struct db *db, struct arena *a, const char *const *params, struct feedback_stats *st)
{
	struct db_res *res;

	if ((res = db_query(db, a, &stats_org_nums_q, params)) == NULL)
		return -1;
	st->org_nums = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*st->org_nums));
	for (int r = 0; r < res->nrows; r++) {
		struct feedback_stats_org_num *o = &st->org_nums[r];

		o->org_id = db_get_int(res, r, 0);
		o->question = stats_str(res, r, 1);
		o->column = stats_str(res, r, 2);
		o->n = db_get_int(res, r, 3);
		o->mean = stats_double(res, r, 4);
	}
	st->norg_nums = res->nrows;
	return 0;
}

static int
stats_modules(struct db *db, struct arena *a, const char *const *params, struct feedback_stats *st)
{
	struct db_res *res;

	if ((res = db_query(db, a, &stats_modules_q, params)) == NULL)
		return -1;
	st->modules = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*st->modules));
	for (int r = 0; r < res->nrows; r++) {
		struct feedback_stats_module *m = &st->modules[r];

		m->module_id = db_get_int(res, r, 0);
		m->position = (int)db_get_int(res, r, 1);
		m->title = stats_str(res, r, 2);
		m->quiz_id = db_get_int(res, r, 3);
		m->has_test = m->quiz_id > 0;
		m->enrolled = (int)db_get_int(res, r, 4);
		m->graded = (int)db_get_int(res, r, 5);
		m->passed = (int)db_get_int(res, r, 6);
	}
	st->nmodules = res->nrows;
	if ((res = db_query(db, a, &stats_weak_q, params)) == NULL)
		return -1;
	for (int r = 0; r < res->nrows; r++) {
		int64_t mid = db_get_int(res, r, 0);

		for (int i = 0; i < st->nmodules; i++) {
			struct feedback_stats_module *m = &st->modules[i];

			if (m->module_id != mid || m->nweak >= FEEDBACK_STATS_WEAKEST)
				continue;
			m->weak[m->nweak].question_id = db_get_int(res, r, 1);
			m->weak[m->nweak].text = stats_str(res, r, 2);
			m->weak[m->nweak].facility = stats_double(res, r, 3);
			m->weak[m->nweak].attempts = (int)db_get_int(res, r, 4);
			m->nweak++;
		}
	}
	return 0;
}

/*
 * The keys of def's choice questions into choice, and those of its likert
 * questions and likert grid columns ("q" or "q/col") into likert.
 */
static void
stats_def_keys(const struct feedback_def *def, struct buf *choice, struct buf *likert,
	       struct arena *a)
{
	const char **ck, **lk;
	int nc = 0, nl = 0, cap = def->nquestions * (FEEDBACK_COLUMNS_MAX + 1) + 1;

	ck = arena_calloc(a, (size_t)cap, sizeof(*ck));
	lk = arena_calloc(a, (size_t)cap, sizeof(*lk));
	for (int s = 0; s < def->nsections; s++) {
		const struct feedback_section *sec = &def->sections[s];

		for (int i = 0; i < sec->nquestions && nc < cap && nl < cap; i++) {
			const struct feedback_question *q = &sec->questions[i];

			if (q->kind == FEEDBACK_SINGLE || q->kind == FEEDBACK_MULTIPLE)
				ck[nc++] = q->key;
			else if (q->kind == FEEDBACK_LIKERT_Q)
				lk[nl++] = q->key;
			else if (q->kind == FEEDBACK_MODULE_GRID)
				for (int c = 0; c < q->ncolumns && nl < cap; c++)
					if (q->columns[c].kind == FEEDBACK_LIKERT_Q)
						lk[nl++] = arena_printf(a, "%s/%s", q->key,
									q->columns[c].key);
		}
	}
	stats_key_array(choice, ck, nc);
	stats_key_array(likert, lk, nl);
}

/* Contract in feedback_stats.h. */
int
feedback_stats_load(struct db *db, struct arena *a, int64_t round_id, int64_t course_id,
		    const struct feedback_def *def, struct feedback_stats *out)
{
	char rid[DB_INT_LEN], cid[DB_INT_LEN];
	struct buf choice, likert;
	const char *p1[1], *pc[2], *pl[2], *pm[2];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	buf_init(&choice, 0);
	buf_init(&likert, 0);
	stats_def_keys(def, &choice, &likert, a);
	if (choice.err || likert.err) {
		log_warnx("feedback stats: key lists too long");
		goto out;
	}
	p1[0] = db_int_param(rid, round_id);
	pc[0] = rid;
	pc[1] = choice.data;
	pl[0] = rid;
	pl[1] = likert.data;
	pm[0] = rid;
	pm[1] = db_int_param(cid, course_id);
	if (stats_orgs(db, a, p1, out) == -1 || stats_nums(db, a, p1, out) == -1 ||
	    stats_choices(db, a, pc, out) == -1 || stats_texts(db, a, pc, out) == -1 ||
	    stats_org_nums(db, a, pl, out) == -1 || stats_modules(db, a, pm, out) == -1)
		goto out;
	rc = 0;
out:
	buf_release(&choice);
	buf_release(&likert);
	return rc;
}

static bool
stats_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Contract in feedback_stats.h. */
const struct feedback_stats_num *
feedback_stats_num(const struct feedback_stats *st, const char *question, int64_t module_id,
		   const char *column)
{
	for (int i = 0; i < st->nnums; i++)
		if (st->nums[i].module_id == module_id && stats_same(st->nums[i].question, question) &&
		    stats_same(st->nums[i].column, column))
			return &st->nums[i];
	return NULL;
}

/* Contract in feedback_stats.h. */
long long
feedback_stats_choice_count(const struct feedback_stats *st, const char *question,
			    const char *option)
{
	for (int i = 0; i < st->nchoices; i++)
		if (strcmp(st->choices[i].question, question) == 0 &&
		    strcmp(st->choices[i].option, option) == 0)
			return st->choices[i].n;
	return 0;
}

/* Contract in feedback_stats.h. */
long long
feedback_stats_respondents(const struct feedback_stats *st, const char *question)
{
	for (int i = 0; i < st->nrespondents; i++)
		if (strcmp(st->respondents[i].question, question) == 0)
			return st->respondents[i].n;
	return 0;
}

/* Contract in feedback_stats.h. */
const struct feedback_stats_org_num *
feedback_stats_org_num(const struct feedback_stats *st, int64_t org_id, const char *question,
		       const char *column)
{
	for (int i = 0; i < st->norg_nums; i++)
		if (st->org_nums[i].org_id == org_id && stats_same(st->org_nums[i].question, question) &&
		    stats_same(st->org_nums[i].column, column))
			return &st->org_nums[i];
	return NULL;
}

/* ---- actions ---------------------------------------------------------- */

static const struct db_stmt stats_actions_q = {
	"feedback_stats_actions",
	"SELECT x.id, coalesce(x.module_id, 0), m.title, x.question_key, x.body, "
	"       coalesce(x.owner_id, 0), coalesce(ou.name, x.owner_name, ''), "
	"       to_char(x.due_date, 'YYYY-MM-DD'), to_char(x.due_date, 'DD/MM/YYYY'), "
	"       x.done_at IS NULL AND x.due_date < (now() AT TIME ZONE 'Europe/Rome')::date, "
	"       coalesce(cu.name, ''), to_char(x.created_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY'), "
	"       x.done_at IS NOT NULL, "
	"       to_char(x.done_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI'), "
	"       CASE WHEN x.done_at IS NULL THEN NULL ELSE coalesce(du.name, '') END "
	"FROM feedback_actions x LEFT JOIN modules m ON m.id = x.module_id "
	"LEFT JOIN users ou ON ou.id = x.owner_id LEFT JOIN users cu ON cu.id = x.created_by "
	"LEFT JOIN users du ON du.id = x.done_by "
	"WHERE x.round_id = $1 "
	"ORDER BY x.done_at IS NOT NULL, x.due_date NULLS LAST, x.done_at, x.id", 1
};

/* Contract in feedback_stats.h. */
int
feedback_stats_actions(struct db *db, struct arena *a, int64_t round_id,
		       struct feedback_action **out, int *n)
{
	char rid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id) };
	struct db_res *res;

	*out = NULL;
	*n = 0;
	if ((res = db_query(db, a, &stats_actions_q, params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		struct feedback_action *x = &(*out)[r];

		x->id = db_get_int(res, r, 0);
		x->module_id = db_get_int(res, r, 1);
		x->module_title = stats_str(res, r, 2);
		x->question_key = stats_str(res, r, 3);
		x->body = stats_str(res, r, 4);
		x->owner_id = db_get_int(res, r, 5);
		x->owner = stats_str(res, r, 6);
		x->due_date = stats_str(res, r, 7);
		x->due_local = stats_str(res, r, 8);
		x->overdue = db_get_bool(res, r, 9);
		x->created_by = stats_str(res, r, 10);
		x->created_at = stats_str(res, r, 11);
		x->done = db_get_bool(res, r, 12);
		x->done_at = stats_str(res, r, 13);
		x->done_by = stats_str(res, r, 14);
	}
	*n = res->nrows;
	return 0;
}

/*
 * The module must belong to the round's course and the owner be an active
 * user: the INSERT ... SELECT adds nothing otherwise, and RETURNING gives
 * no row (db_query_int() 0).
 */
static const struct db_stmt stats_action_add_q = {
	"feedback_stats_action_add",
	"INSERT INTO feedback_actions (round_id, module_id, question_key, body, owner_id, owner_name, "
	"                              due_date, created_by) "
	"SELECT r.id, nullif($2::bigint, 0), $3, $4, nullif($5::bigint, 0), $6, $7::date, $8 "
	"FROM feedback_rounds r WHERE r.id = $1 "
	"  AND ($2::bigint = 0 OR EXISTS (SELECT 1 FROM modules m "
	"                                 WHERE m.id = $2 AND m.course_id = r.course_id)) "
	"  AND ($5::bigint = 0 OR EXISTS (SELECT 1 FROM users u "
	"                                 WHERE u.id = $5 AND u.status = 'active')) "
	"RETURNING id", 8
};

/* Contract in feedback_stats.h. */
int64_t
feedback_stats_action_add(struct db *db, int64_t round_id, const struct feedback_action_new *act,
			  int64_t user_id)
{
	char rid[DB_INT_LEN], mid[DB_INT_LEN], oid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = {
		db_int_param(rid, round_id), db_int_param(mid, act->module_id), act->question_key,
		act->body, db_int_param(oid, act->owner_id),
		act->owner_id > 0 ? NULL : act->owner_name, act->due_date,
		db_int_param(uid, user_id),
	};

	return db_query_int(db, &stats_action_add_q, params);
}

static const struct db_stmt stats_action_done_q = {
	"feedback_stats_action_done",
	"UPDATE feedback_actions SET done_at = CASE WHEN $3::boolean THEN now() END, "
	"       done_by = CASE WHEN $3::boolean THEN $4::bigint END "
	"WHERE id = $2 AND round_id = $1 AND (done_at IS NOT NULL) <> $3::boolean", 4
};

/* Contract in feedback_stats.h. */
int
feedback_stats_action_done(struct db *db, int64_t round_id, int64_t action_id, bool done,
			   int64_t user_id)
{
	char rid[DB_INT_LEN], aid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = {
		db_int_param(rid, round_id), db_int_param(aid, action_id), done ? "true" : "false",
		db_int_param(uid, user_id),
	};
	int64_t n = db_exec(db, &stats_action_done_q, params);

	return n < 0 ? -1 : n > 0 ? 1 : 0;
}

static const struct db_stmt stats_owners_q = {
	"feedback_stats_owners",
	"SELECT id, name FROM users WHERE status = 'active' "
	"  AND roles && ARRAY['formatore', 'coordinamento', 'admin'] "
	"ORDER BY lower(name), id LIMIT 500", 0
};

/* Contract in feedback_stats.h. */
int
feedback_stats_owners(struct db *db, struct arena *a, struct feedback_owner **out, int *n)
{
	struct db_res *res;

	*out = NULL;
	*n = 0;
	if ((res = db_query(db, a, &stats_owners_q, NULL)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		(*out)[r].id = db_get_int(res, r, 0);
		(*out)[r].name = stats_str(res, r, 1);
	}
	*n = res->nrows;
	return 0;
}

static const struct db_stmt stats_reminded_q = {
	"feedback_stats_reminded",
	"UPDATE feedback_round_orgs SET reminded_at = now() WHERE round_id = $1 AND org_id = $2", 2
};

/* Contract in feedback_stats.h. */
int
feedback_stats_mark_reminded(struct db *db, int64_t round_id, int64_t org_id)
{
	char rid[DB_INT_LEN], oid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id), db_int_param(oid, org_id) };
	int64_t n = db_exec(db, &stats_reminded_q, params);

	return n < 0 ? -1 : n > 0 ? 1 : 0;
}
