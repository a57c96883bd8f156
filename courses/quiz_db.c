/*
 * quiz_db.c - the SQL of quizzes and attempts (see quiz_db.h).
 */
#include "compat.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "quiz_db.h"

/* A timestamp as ISO 8601 in UTC, NULL staying NULL. */
#define QUIZ_ISO(t) "to_char((" t ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * A time the editor typed: with a zone (ISO 8601, "Z" or an offset) as
 * it says, without one (an HTML datetime-local) in Europe/Rome.
 */
#define QUIZ_TIME(p) \
	"CASE WHEN " p "::text ~ '(Z|[+-][0-9][0-9]:?[0-9][0-9])$' THEN " p "::text::timestamptz " \
	"ELSE " p "::text::timestamp AT TIME ZONE 'Europe/Rome' END"

static const char *const quiz_review_names[] = { "immediately", "after_close", "never", NULL };

const char *
quiz_db_review_name(enum quiz_review_when w)
{
	return quiz_review_names[w];
}

int
quiz_db_review_parse(const char *name, enum quiz_review_when *out)
{
	for (int i = 0; quiz_review_names[i] != NULL; i++)
		if (strcmp(name, quiz_review_names[i]) == 0) {
			*out = (enum quiz_review_when)i;
			return 0;
		}
	return -1;
}

/* A float column; PostgreSQL writes them exactly (extra_float_digits 1). */
static double
quiz_db_double(const struct db_res *res, int row, int col)
{
	const char *v = db_get(res, row, col);

	return v != NULL ? strtod(v, NULL) : 0;
}

/* The quiz's own columns (0..25), for every statement below. */
#define QUIZ_HEAD_COLS \
	"SELECT z.id, z.course_id, coalesce(z.module_id, 0), c.title, coalesce(m.title, ''), " \
	"       coalesce(m.position, 0), c.published, z.published, z.title, z.intro_html, " \
	"       z.pass_percent, coalesce(z.time_limit_seconds, 0), z.attempts_allowed, " \
	"       z.min_delay_seconds, z.grading, z.shuffle_questions, z.shuffle_choices, " \
	"       z.review_answers, z.review_correctness, z.review_feedback, z.review_right_answers, " \
	"       " QUIZ_ISO("z.opens_at") ", " QUIZ_ISO("z.closes_at") ", " \
	"       coalesce(z.opens_at > now(), false), coalesce(z.closes_at <= now(), false), " \
	"       (SELECT coalesce(sum(d.count), 0) FROM quiz_draws d WHERE d.quiz_id = z.id), "
#define QUIZ_FROM \
	"FROM quizzes z JOIN courses c ON c.id = z.course_id LEFT JOIN modules m ON m.id = z.module_id "

/*
 * The quiz and the standing of user $2 (columns 26..33, then the
 * purpose); $3: drafts.  The WHERE clause is added by the statements.
 */
#define QUIZ_SQL(where) \
	QUIZ_HEAD_COLS \
	"       EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = $2 AND e.course_id = z.course_id), " \
	"       (SELECT count(*) FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = $2), " \
	"       coalesce(o.id, 0), coalesce(o.deadline < now(), false), " \
	"       coalesce(ceil(extract(epoch FROM l.last + make_interval(secs => z.min_delay_seconds) " \
	"                                        - now()))::int, 0), " \
	"       g.grade IS NOT NULL, coalesce(g.grade, 0), coalesce(g.passed, false), " \
	"       z.purpose = 'verification' " \
	QUIZ_FROM \
	"LEFT JOIN quiz_attempts o ON o.quiz_id = z.id AND o.user_id = $2 AND o.submitted_at IS NULL " \
	"LEFT JOIN LATERAL (SELECT max(a.submitted_at) AS last FROM quiz_attempts a " \
	"                   WHERE a.quiz_id = z.id AND a.user_id = $2) l ON true " \
	"LEFT JOIN quiz_grades g ON g.quiz_id = z.id AND g.user_id = $2 " \
	"WHERE " where " AND ((c.published AND z.published) OR $3)"

static const struct db_stmt quiz_by_module = {
	"quiz_by_module", QUIZ_SQL("z.module_id = $1"), 3
};

static const struct db_stmt quiz_by_id = {
	"quiz_by_id", QUIZ_SQL("z.id = $1"), 3
};

/* The quiz alone (no one's standing), as attempts need it; $2: drafts. */
static const struct db_stmt quiz_head = {
	"quiz_head",
	QUIZ_HEAD_COLS "false, 0, 0, false, 0, false, 0, false, z.purpose = 'verification' "
	QUIZ_FROM "WHERE z.id = $1 AND ((c.published AND z.published) OR $2)", 2
};

static int
quiz_db_read(struct db *db, struct arena *a, const struct db_stmt *stmt, int64_t id,
	     int64_t user_id, bool drafts, struct quiz *q, struct quiz_standing *st, bool *found)
{
	char ids[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(ids, id), db_int_param(uid, user_id),
				 drafts ? "true" : "false" };
	const char *head_params[] = { params[0], params[2] };
	bool head = st == NULL && stmt == &quiz_by_id;
	struct db_res *res = db_query(db, a, head ? &quiz_head : stmt, head ? head_params : params);
	int wait;

	if (res == NULL)
		return -1;
	memset(q, 0, sizeof(*q));
	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if ((*found = res->nrows > 0) == false)
		return 0;
	q->id = db_get_int(res, 0, 0);
	q->course_id = db_get_int(res, 0, 1);
	q->module_id = db_get_int(res, 0, 2);
	q->course_title = db_get(res, 0, 3);
	q->module_title = db_get(res, 0, 4);
	q->module_position = (int)db_get_int(res, 0, 5);
	q->course_published = db_get_bool(res, 0, 6);
	q->published = db_get_bool(res, 0, 7);
	q->title = db_get(res, 0, 8);
	q->intro_html = db_get(res, 0, 9);
	q->pass_percent = (int)db_get_int(res, 0, 10);
	q->time_limit_seconds = (int)db_get_int(res, 0, 11);
	q->attempts_allowed = (int)db_get_int(res, 0, 12);
	q->min_delay_seconds = (int)db_get_int(res, 0, 13);
	q->shuffle_questions = db_get_bool(res, 0, 15);
	q->shuffle_choices = db_get_bool(res, 0, 16);
	if (grade_method_parse(db_get(res, 0, 14), &q->grading) == -1)
		goto bad;
	for (int i = 0; i < QUIZ_REVIEW_PARTS; i++)
		if (quiz_db_review_parse(db_get(res, 0, 17 + i), &q->review[i]) == -1)
			goto bad;
	q->opens_at = db_get(res, 0, 21);
	q->closes_at = db_get(res, 0, 22);
	q->not_yet_open = db_get_bool(res, 0, 23);
	q->closed = db_get_bool(res, 0, 24);
	q->nquestions = (int)db_get_int(res, 0, 25);
	if (st != NULL) {
		st->enrolled = db_get_bool(res, 0, 26);
		st->attempts = (int)db_get_int(res, 0, 27);
		st->open_attempt = db_get_int(res, 0, 28);
		st->open_overdue = db_get_bool(res, 0, 29);
		wait = (int)db_get_int(res, 0, 30);
		st->wait_seconds = wait > 0 ? wait : 0;
		st->graded = db_get_bool(res, 0, 31);
		st->grade = quiz_db_double(res, 0, 32);
		st->passed = db_get_bool(res, 0, 33);
	}
	q->verification = db_get_bool(res, 0, 34);
	return 0;
bad:
	log_warnx("quiz %lld: unknown grading or review setting", (long long)q->id);
	return -1;
}

int
quiz_db_for_module(struct db *db, struct arena *a, int64_t module_id, int64_t user_id,
		   bool drafts, struct quiz *out, struct quiz_standing *standing, bool *found)
{
	return quiz_db_read(db, a, &quiz_by_module, module_id, user_id, drafts, out, standing, found);
}

int
quiz_db_get(struct db *db, struct arena *a, int64_t quiz_id, int64_t user_id, bool drafts,
	    struct quiz *out, struct quiz_standing *standing, bool *found)
{
	return quiz_db_read(db, a, &quiz_by_id, quiz_id, user_id, drafts, out, standing, found);
}

static const struct db_stmt quiz_lock_enrolment = {
	"quiz_lock_enrolment",
	"SELECT id FROM enrolments WHERE user_id = $1 AND course_id = $2 FOR UPDATE", 2
};

int
quiz_db_lock_enrolment(struct db *db, int64_t user_id, int64_t course_id, bool *enrolled)
{
	char uid[DB_INT_LEN], cid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), db_int_param(cid, course_id) };
	int64_t id = db_query_int(db, &quiz_lock_enrolment, params);

	*enrolled = id > 0;
	return id < 0 ? -1 : 0;
}

static const struct db_stmt quiz_lock_enrolment_for_quiz = {
	"quiz_lock_enrolment_for_quiz",
	"SELECT e.id FROM enrolments e JOIN quizzes z ON z.course_id = e.course_id "
	"WHERE e.user_id = $1 AND z.id = $2 FOR UPDATE OF e", 2
};

int
quiz_db_lock_enrolment_for_quiz(struct db *db, int64_t user_id, int64_t quiz_id, bool *enrolled)
{
	char uid[DB_INT_LEN], qid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), db_int_param(qid, quiz_id) };
	int64_t id = db_query_int(db, &quiz_lock_enrolment_for_quiz, params);

	*enrolled = id > 0;
	return id < 0 ? -1 : 0;
}

/* $1 quiz, $2 user, $3 number: the attempt row of the statement below. */
#define QUIZ_ATTEMPT_INSERT \
	"INSERT INTO quiz_attempts (quiz_id, user_id, number, deadline) " \
	"SELECT z.id, $2, $3, CASE WHEN z.time_limit_seconds IS NULL THEN z.closes_at " \
	"       ELSE least(now() + make_interval(secs => z.time_limit_seconds), z.closes_at) END " \
	"FROM quizzes z WHERE z.id = $1 RETURNING id"

/*
 * The attempt and its questions in one statement: $1 quiz, $2 user, $3
 * number, $4 shuffle questions, $5 shuffle choices.  Random draws leave
 * out the quiz's fixed questions, so no question comes twice.  A matching
 * question's options are its distinct match texts, each named by the
 * first pair that has it (courses/grade.h).  Returns the attempt's id and
 * how many questions were drawn.
 */
static const struct db_stmt quiz_attempt_create = {
	"quiz_attempt_create",
	"WITH a AS (" QUIZ_ATTEMPT_INSERT "), "
	"drawn AS (INSERT INTO attempt_questions (attempt_id, question_id, position, item_order) "
	"SELECT (SELECT id FROM a), q.id, "
	"       row_number() OVER (ORDER BY CASE WHEN $4 THEN random() END, p.dpos, p.qpos), "
	"       CASE WHEN NOT $5 THEN '{}'::int[] "
	"            WHEN q.kind IN ('single', 'multiple') THEN ARRAY(SELECT i::int FROM "
	"                 generate_series(1, jsonb_array_length(q.spec->'choices')) i ORDER BY random()) "
	"            WHEN q.kind = 'matching' THEN ARRAY(SELECT min(i)::int FROM "
	"                 jsonb_array_elements(q.spec->'pairs') WITH ORDINALITY e(p, i) "
	"                 GROUP BY p->>'match' ORDER BY random()) "
	"            ELSE '{}'::int[] END "
	"FROM (SELECT d.position AS dpos, r.id AS qid, r.rn AS qpos FROM quiz_draws d "
	"      CROSS JOIN LATERAL (SELECT q.id, row_number() OVER () AS rn FROM "
	"          (SELECT q.id FROM questions q WHERE q.category_id = d.category_id AND NOT q.retired "
	"             AND q.id NOT IN (SELECT f.question_id FROM quiz_draws f "
	"                              WHERE f.quiz_id = $1 AND f.question_id IS NOT NULL) "
	"           ORDER BY random() LIMIT d.count) q) r "
	"      WHERE d.quiz_id = $1 AND d.category_id IS NOT NULL "
	"      UNION ALL "
	"      SELECT d.position, d.question_id, 1 FROM quiz_draws d "
	"      JOIN questions f ON f.id = d.question_id AND NOT f.retired "
	"      WHERE d.quiz_id = $1) p "
	"JOIN questions q ON q.id = p.qid RETURNING 1) "
	"SELECT (SELECT id FROM a), (SELECT count(*) FROM drawn)", 5
};

int64_t
quiz_db_attempt_create(struct db *db, const struct quiz *q, int64_t user_id, int number,
		       int *drawn)
{
	char qid[DB_INT_LEN], uid[DB_INT_LEN], num[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, q->id), db_int_param(uid, user_id),
				 db_int_param(num, number), q->shuffle_questions ? "true" : "false",
				 q->shuffle_choices ? "true" : "false" };
	struct arena *a = arena_new();
	struct db_res *res = db_query(db, a, &quiz_attempt_create, params);
	int64_t id = -1;

	*drawn = 0;
	if (res != NULL && res->nrows == 1 && db_get(res, 0, 0) != NULL) {
		id = db_get_int(res, 0, 0);
		*drawn = (int)db_get_int(res, 0, 1);
	}
	arena_free(a);
	return id;
}

/*
 * An attempt and its questions in one statement: the attempt's columns
 * (0..10) repeat on each question's row (11..21).  join is "LEFT JOIN"
 * (an attempt without questions gives one row with NULL question
 * columns) or "JOIN" (rows to lock: an attempt always has questions).
 */
#define QUIZ_ATTEMPT_SQL(join) \
	"SELECT a.id, a.quiz_id, a.user_id, a.number, " QUIZ_ISO("a.started_at") ", " \
	"       " QUIZ_ISO("a.deadline") ", " \
	"       CASE WHEN a.submitted_at IS NULL " \
	"            THEN coalesce(greatest(0, floor(extract(epoch FROM a.deadline - now())))::int, 0) " \
	"            ELSE 0 END, " \
	"       a.submitted_at IS NULL AND coalesce(a.deadline < now(), false), " \
	"       " QUIZ_ISO("a.submitted_at") ", coalesce(a.score, 0), coalesce(a.passed, false), " \
	"       aq.question_id, aq.position, q.kind, q.text_html, q.feedback_html, q.points, " \
	"       q.spec::text, array_to_string(aq.item_order, ','), aq.answer::text, " \
	"       " QUIZ_ISO("aq.answered_at") ", aq.score " \
	"FROM quiz_attempts a " join " attempt_questions aq ON aq.attempt_id = a.id " \
	join " questions q ON q.id = aq.question_id WHERE a.id = $1 ORDER BY aq.position"

static const struct db_stmt quiz_attempt_head = {
	"quiz_attempt_head", QUIZ_ATTEMPT_SQL("LEFT JOIN"), 1
};

/*
 * Locks the attempt's row and its questions' rows: a save of an answer
 * under way is waited for (and its answer read), and one that comes
 * later finds the question graded (quiz_answers_save).
 */
static const struct db_stmt quiz_attempt_head_lock = {
	"quiz_attempt_head_lock", QUIZ_ATTEMPT_SQL("JOIN") " FOR UPDATE OF a, aq", 1
};

/* Parses stored JSON text: a key (answer NULL) or an answer to key. */
static int
quiz_db_json(struct arena *a, const char *text, enum grade_kind kind, struct grade_question *key,
	     struct grade_answer *answer)
{
	const char *err = NULL;
	const struct json_value *v = json_parse(a, text, strlen(text), &err);

	if (v == NULL)
		return -1;
	if (answer == NULL)
		return grade_question_parse(a, kind, v, key, &err);
	return grade_answer_parse(a, key, v, answer, &err);
}

/* "3,1,2" into it->order. */
static int
quiz_db_order(const char *text, struct quiz_item *it)
{
	const char *p = text;

	it->norder = 0;
	while (*p != '\0') {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v < 1 || v > GRADE_ITEMS_MAX || it->norder == GRADE_ITEMS_MAX)
			return -1;
		it->order[it->norder++] = (int)v;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

/* The questions of out from the rows of QUIZ_ATTEMPT_SQL. */
static int
quiz_db_items(struct arena *a, const struct db_res *res, struct quiz_attempt *out)
{
	out->nitems = 0;
	out->items = arena_calloc(a, (size_t)res->nrows + 1, sizeof(*out->items));
	for (int i = 0; i < res->nrows; i++) {
		struct quiz_item *it = &out->items[out->nitems];

		if (db_get(res, i, 11) == NULL)
			continue;
		out->nitems++;
		it->question_id = db_get_int(res, i, 11);
		it->position = (int)db_get_int(res, i, 12);
		it->text_html = db_get(res, i, 14);
		it->feedback_html = db_get(res, i, 15);
		it->points = (int)db_get_int(res, i, 16);
		it->spec = db_get(res, i, 17);
		if (grade_kind_parse(db_get(res, i, 13), &it->kind) == -1 ||
		    quiz_db_json(a, it->spec, it->kind, &it->key, NULL) == -1 ||
		    quiz_db_order(db_get(res, i, 18), it) == -1)
			goto bad;
		if ((it->answered = db_get(res, i, 19) != NULL) &&
		    quiz_db_json(a, db_get(res, i, 19), it->kind, &it->key, &it->answer) == -1)
			goto bad;
		it->answered_at = db_get(res, i, 20);
		if ((it->scored = db_get(res, i, 21) != NULL))
			it->score = quiz_db_double(res, i, 21);
	}
	return 0;
bad:
	log_warnx("attempt %lld: a stored question or answer does not parse", (long long)out->id);
	return -1;
}

static int
quiz_db_attempt_read(struct db *db, struct arena *a, const struct db_stmt *stmt, int64_t attempt_id,
		     struct quiz_attempt *out, bool *found)
{
	char aid[DB_INT_LEN];
	const char *params[] = { db_int_param(aid, attempt_id) };
	struct db_res *res = db_query(db, a, stmt, params);

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return -1;
	if ((*found = res->nrows > 0) == false)
		return 0;
	out->id = db_get_int(res, 0, 0);
	out->quiz_id = db_get_int(res, 0, 1);
	out->user_id = db_get_int(res, 0, 2);
	out->number = (int)db_get_int(res, 0, 3);
	out->started_at = db_get(res, 0, 4);
	out->deadline = db_get(res, 0, 5);
	out->seconds_left = (int)db_get_int(res, 0, 6);
	out->overdue = db_get_bool(res, 0, 7);
	out->submitted_at = db_get(res, 0, 8);
	out->score = quiz_db_double(res, 0, 9);
	out->passed = db_get_bool(res, 0, 10);
	return quiz_db_items(a, res, out);
}

int
quiz_db_attempt(struct db *db, struct arena *a, int64_t attempt_id, struct quiz_attempt *out,
		bool *found)
{
	return quiz_db_attempt_read(db, a, &quiz_attempt_head, attempt_id, out, found);
}

int
quiz_db_attempt_lock(struct db *db, struct arena *a, int64_t attempt_id, struct quiz_attempt *out,
		     bool *found)
{
	return quiz_db_attempt_read(db, a, &quiz_attempt_head_lock, attempt_id, out, found);
}

/*
 * No lock on the attempt: a submission locks the attempt's question rows
 * (quiz_attempt_head_lock) before it reads the answers, so a save under
 * way is waited for and graded, and a save that comes later waits, then
 * finds its row graded (score set: PostgreSQL checks the row's own
 * condition again on the version the submission committed) and is
 * refused rather than lost.
 */
static const struct db_stmt quiz_answers_save = {
	"quiz_answers_save",
	"UPDATE attempt_questions aq SET answer = x.v, "
	"       answered_at = CASE WHEN x.v IS NULL THEN NULL ELSE now() END "
	"FROM jsonb_to_recordset($1::jsonb) AS x (i int, a bigint, q bigint, u bigint, v jsonb) "
	"WHERE aq.attempt_id = x.a AND aq.question_id = x.q AND aq.score IS NULL "
	"  AND EXISTS (SELECT 1 FROM quiz_attempts t WHERE t.id = x.a AND t.user_id = x.u "
	"              AND t.submitted_at IS NULL AND (t.deadline IS NULL OR t.deadline >= now())) "
	"RETURNING x.i", 1
};

int
quiz_db_answers_save(struct db *db, struct arena *a, struct quiz_answer_write *w, int n)
{
	struct json_writer jw;
	struct db_res *res;
	struct buf rows;
	const char *params[1];

	buf_init(&rows, 0);	/* n answers of at most a few KiB each: far below the default cap */
	json_writer_init(&jw, &rows);
	json_arr_open(&jw, NULL);
	for (int i = 0; i < n; i++) {
		w[i].saved = false;
		json_obj_open(&jw, NULL);
		json_int(&jw, "i", i);
		json_int(&jw, "a", w[i].attempt_id);
		json_int(&jw, "q", w[i].question_id);
		json_int(&jw, "u", w[i].user_id);
		if (w[i].json != NULL)
			json_raw(&jw, "v", w[i].json);
		json_obj_close(&jw);
	}
	json_arr_close(&jw);
	if (rows.err) {
		log_warnx("quiz: %d answers do not fit in one statement", n);
		buf_release(&rows);
		return -1;
	}
	params[0] = rows.data;
	res = db_query(db, a, &quiz_answers_save, params);
	buf_release(&rows);
	if (res == NULL)
		return -1;
	for (int r = 0; r < res->nrows; r++) {
		int64_t i = db_get_int(res, r, 0);

		if (i >= 0 && i < n)
			w[i].saved = true;
	}
	return 0;
}

int
quiz_db_answer_save(struct db *db, struct arena *a, int64_t attempt_id, int64_t question_id,
		    int64_t user_id, const char *answer_json, enum quiz_save *result)
{
	struct quiz_answer_write w = { attempt_id, question_id, user_id, answer_json, false };

	if (quiz_db_answers_save(db, a, &w, 1) == -1)
		return -1;
	*result = w.saved ? QUIZ_SAVED : QUIZ_SAVE_REFUSED;
	return 0;
}

static const struct db_stmt quiz_attempt_store = {
	"quiz_attempt_store",
	"WITH s AS (UPDATE attempt_questions aq SET score = x.score "
	"           FROM unnest($2::bigint[], $3::float8[]) x (qid, score) "
	"           WHERE aq.attempt_id = $1 AND aq.question_id = x.qid) "
	"UPDATE quiz_attempts SET score = $4, passed = $5, submitted_at = coalesce(submitted_at, now()) "
	"WHERE id = $1 RETURNING " QUIZ_ISO("submitted_at") ", "
	/* The learner's other graded attempts, as this statement's snapshot
	 * saw them (this one's new score is not visible to it). */
	"       (SELECT string_agg(o.number || ':' || o.score, ',' ORDER BY o.number) "
	"        FROM quiz_attempts o WHERE o.quiz_id = quiz_attempts.quiz_id "
	"        AND o.user_id = quiz_attempts.user_id AND o.id <> $1 AND o.submitted_at IS NOT NULL)", 5
};

/*
 * The scores of "number:score,..." (in number order) with this attempt's
 * (number, score) put in its place, into *all (arena).
 */
static int
quiz_db_all_scores(struct arena *arena, const char *others, int number, double score, double **all,
		   int *n)
{
	int cap = 1;
	bool placed = false;

	for (const char *p = others; p != NULL && *p; p++)
		cap += *p == ',';
	cap += others != NULL && *others;
	*all = arena_calloc(arena, (size_t)cap + 1, sizeof(**all));
	*n = 0;
	for (const char *p = others; p != NULL && *p;) {
		char *end;
		long num = strtol(p, &end, 10);

		if (*end != ':')
			return -1;
		if (!placed && num > number) {
			(*all)[(*n)++] = score;
			placed = true;
		}
		(*all)[(*n)++] = strtod(end + 1, &end);
		p = *end == ',' ? end + 1 : end;
	}
	if (!placed)
		(*all)[(*n)++] = score;
	return 0;
}

int
quiz_db_attempt_grade(struct db *db, struct arena *arena, struct quiz_attempt *a, const double *scores,
		      double score, bool passed, double **all, int *nall)
{
	struct db_res *res;
	char aid[DB_INT_LEN], total[32];
	struct buf ids, values;
	int rc = -1;

	buf_init(&ids, 0);
	buf_init(&values, 0);
	buf_addch(&ids, '{');
	buf_addch(&values, '{');
	for (int i = 0; i < a->nitems; i++) {
		buf_printf(&ids, "%s%lld", i > 0 ? "," : "", (long long)a->items[i].question_id);
		buf_printf(&values, "%s%.17g", i > 0 ? "," : "", scores[i]);
	}
	buf_addch(&ids, '}');
	buf_addch(&values, '}');
	snprintf(total, sizeof(total), "%.17g", score);
	const char *params[] = { db_int_param(aid, a->id), ids.data, values.data, total,
				 passed ? "true" : "false" };
	if (ids.err || values.err)
		goto out;
	if ((res = db_query(db, arena, &quiz_attempt_store, params)) == NULL || res->nrows != 1)
		goto out;
	if (quiz_db_all_scores(arena, db_get(res, 0, 1), a->number, score, all, nall) == -1) {
		log_warnx("attempt %lld: scores of the other attempts not understood", (long long)a->id);
		goto out;
	}
	a->submitted_at = db_get(res, 0, 0);
	a->score = score;
	a->passed = passed;
	for (int i = 0; i < a->nitems; i++) {
		a->items[i].scored = true;
		a->items[i].score = scores[i];
	}
	a->overdue = false;
	a->seconds_left = 0;
	rc = 0;
out:
	buf_release(&ids);
	buf_release(&values);
	return rc;
}

/*
 * The grade, then the course: the grade written by the CTE is not visible
 * to the outer statement, so this quiz counts through $4 and the others
 * through their stored grades.  The caller holds the enrolment row, so
 * two tests submitted at once cannot both miss each other's pass.
 */
static const struct db_stmt quiz_grade_store = {
	"quiz_grade_store",
	"WITH g AS (INSERT INTO quiz_grades (quiz_id, user_id, grade, passed) VALUES ($1, $2, $3, $4) "
	"           ON CONFLICT (quiz_id, user_id) DO UPDATE "
	"           SET grade = EXCLUDED.grade, passed = EXCLUDED.passed, updated_at = now()) "
	"UPDATE enrolments e SET completed_at = now() "
	"WHERE e.user_id = $2 AND e.course_id = $5 AND e.completed_at IS NULL AND $4 "
	"  AND EXISTS (SELECT 1 FROM quizzes z WHERE z.id = $1 AND z.purpose = 'final') "
	"  AND NOT EXISTS (SELECT 1 FROM quizzes z WHERE z.course_id = $5 AND z.purpose = 'final' "
	"                  AND z.published AND z.id <> $1 AND NOT EXISTS "
	"                  (SELECT 1 FROM quiz_grades o WHERE o.quiz_id = z.id AND o.user_id = $2 "
	"                   AND o.passed))", 5
};

int
quiz_db_grade_store(struct db *db, int64_t quiz_id, int64_t user_id, int64_t course_id, double grade,
		    bool passed, bool *completed)
{
	char qid[DB_INT_LEN], uid[DB_INT_LEN], cid[DB_INT_LEN], g[32];
	const char *params[] = { db_int_param(qid, quiz_id), db_int_param(uid, user_id), g,
				 passed ? "true" : "false", db_int_param(cid, course_id) };
	int64_t n;

	snprintf(g, sizeof(g), "%.17g", grade);
	if ((n = db_exec(db, &quiz_grade_store, params)) < 0)
		return -1;
	*completed = n > 0;
	return 0;
}

static const struct db_stmt quiz_attempt_list = {
	"quiz_attempt_list",
	"SELECT id, number, " QUIZ_ISO("started_at") ", " QUIZ_ISO("submitted_at") ", "
	"       coalesce(score, 0), coalesce(passed, false), "
	"       to_char(submitted_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI') "
	"FROM quiz_attempts WHERE quiz_id = $1 AND user_id = $2 ORDER BY number DESC", 2
};

int
quiz_db_attempts(struct db *db, struct arena *a, int64_t quiz_id, int64_t user_id,
		 struct quiz_attempt_row **out, int *n)
{
	char qid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, quiz_id), db_int_param(uid, user_id) };
	struct db_res *res = db_query(db, a, &quiz_attempt_list, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++) {
		struct quiz_attempt_row *r = &(*out)[i];

		r->id = db_get_int(res, i, 0);
		r->number = (int)db_get_int(res, i, 1);
		r->started_at = db_get(res, i, 2);
		r->submitted_at = db_get(res, i, 3);
		r->score = quiz_db_double(res, i, 4);
		r->passed = db_get_bool(res, i, 5);
		r->submitted_local = db_get(res, i, 6);
	}
	return 0;
}

/* ---- question bank and settings ---- */

static const struct db_stmt quiz_category = {
	"quiz_category",
	"WITH n AS (INSERT INTO question_categories (module_id, name) VALUES ($1, $2) "
	"           ON CONFLICT (module_id, name) DO NOTHING RETURNING id) "
	"SELECT id FROM n UNION ALL "
	"SELECT id FROM question_categories WHERE module_id = $1 AND name = $2", 2
};

int64_t
quiz_db_category(struct db *db, int64_t module_id, const char *name)
{
	char mid[DB_INT_LEN];
	const char *params[] = { db_int_param(mid, module_id), name };
	int64_t id = db_query_int(db, &quiz_category, params);

	return id > 0 ? id : -1;
}

static const struct db_stmt quiz_question_insert = {
	"quiz_question_insert",
	"INSERT INTO questions (category_id, kind, text_md, text_html, feedback_md, feedback_html, "
	"                       points, spec) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING id", 8
};

int64_t
quiz_db_question_create(struct db *db, int64_t category_id, enum grade_kind kind, const char *text_md,
			const char *text_html, const char *feedback_md, const char *feedback_html,
			int points, const char *spec_json)
{
	char cid[DB_INT_LEN], pts[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, category_id), grade_kind_name(kind), text_md,
				 text_html, feedback_md, feedback_html, db_int_param(pts, points),
				 spec_json };
	int64_t id = db_query_int(db, &quiz_question_insert, params);

	return id > 0 ? id : -1;
}

/* $1 the module (final test) or NULL, $19 the level (verification test) or NULL. */
static const struct db_stmt quiz_create = {
	"quiz_create",
	"INSERT INTO quizzes (course_id, module_id, level_id, purpose, title, intro_md, intro_html, "
	"    pass_percent, time_limit_seconds, attempts_allowed, min_delay_seconds, grading, "
	"    shuffle_questions, shuffle_choices, review_answers, review_correctness, review_feedback, "
	"    review_right_answers, opens_at, closes_at, published) "
	"SELECT coalesce(m.course_id, l.course_id), m.id, l.id, "
	"       CASE WHEN m.id IS NULL THEN 'verification' ELSE 'final' END, $2, $3, $4, $5, "
	"       nullif($6::int, 0), $7, $8, $9, $10, $11, $12, $13, $14, $15, " QUIZ_TIME("$16") ", "
	"       " QUIZ_TIME("$17") ", $18 "
	"FROM (SELECT 1) one LEFT JOIN modules m ON m.id = $1::bigint "
	"LEFT JOIN certification_levels l ON l.id = $19::bigint "
	"WHERE (m.id IS NULL) <> (l.id IS NULL) RETURNING id", 19
};

int64_t
quiz_db_create(struct db *db, int64_t module_id, int64_t level_id, const struct quiz_settings *s)
{
	char mid[DB_INT_LEN], lid[DB_INT_LEN], pass[DB_INT_LEN], limit[DB_INT_LEN],
	     allowed[DB_INT_LEN], delay[DB_INT_LEN];
	const char *params[] = {
		module_id > 0 ? db_int_param(mid, module_id) : NULL, s->title, s->intro_md,
		s->intro_html, db_int_param(pass, s->pass_percent),
		db_int_param(limit, s->time_limit_seconds), db_int_param(allowed, s->attempts_allowed),
		db_int_param(delay, s->min_delay_seconds), grade_method_name(s->grading),
		s->shuffle_questions ? "true" : "false", s->shuffle_choices ? "true" : "false",
		quiz_db_review_name(s->review[QUIZ_REVIEW_ANSWERS]),
		quiz_db_review_name(s->review[QUIZ_REVIEW_CORRECTNESS]),
		quiz_db_review_name(s->review[QUIZ_REVIEW_FEEDBACK]),
		quiz_db_review_name(s->review[QUIZ_REVIEW_RIGHT_ANSWERS]),
		s->opens_at, s->closes_at, s->published ? "true" : "false",
		level_id > 0 ? db_int_param(lid, level_id) : NULL,
	};
	int64_t id = db_query_int(db, &quiz_create, params);

	return id > 0 ? id : -1;
}

static const struct db_stmt quiz_draw_category = {
	"quiz_draw_category",
	"INSERT INTO quiz_draws (quiz_id, position, category_id, count) "
	"SELECT $1, coalesce(max(position), 0) + 1, $2, $3 FROM quiz_draws WHERE quiz_id = $1", 3
};

int
quiz_db_draw_category(struct db *db, int64_t quiz_id, int64_t category_id, int count)
{
	char qid[DB_INT_LEN], cid[DB_INT_LEN], n[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, quiz_id), db_int_param(cid, category_id),
				 db_int_param(n, count) };

	return db_exec(db, &quiz_draw_category, params) == 1 ? 0 : -1;
}

#define QUIZ_QUESTION_COLS \
	"q.id, c.module_id, m.course_id, c.id, c.name, q.kind, q.text_md, q.text_html, q.feedback_md, " \
	"q.points, q.spec::text, q.retired, " \
	"(SELECT count(*) FROM attempt_questions aq WHERE aq.question_id = q.id) "
#define QUIZ_QUESTION_FROM \
	"FROM questions q JOIN question_categories c ON c.id = q.category_id " \
	"JOIN modules m ON m.id = c.module_id "

static int
quiz_db_question_row(struct arena *a, const struct db_res *res, int row, struct quiz_question *q)
{
	memset(q, 0, sizeof(*q));
	q->id = db_get_int(res, row, 0);
	q->module_id = db_get_int(res, row, 1);
	q->course_id = db_get_int(res, row, 2);
	q->category_id = db_get_int(res, row, 3);
	q->category = db_get(res, row, 4);
	q->text_md = db_get(res, row, 6);
	q->text_html = db_get(res, row, 7);
	q->feedback_md = db_get(res, row, 8);
	q->points = (int)db_get_int(res, row, 9);
	q->retired = db_get_bool(res, row, 11);
	q->answers = db_get_int(res, row, 12);
	if (grade_kind_parse(db_get(res, row, 5), &q->kind) == -1 ||
	    quiz_db_json(a, db_get(res, row, 10), q->kind, &q->key, NULL) == -1) {
		log_warnx("question %lld: its stored key does not parse", (long long)q->id);
		return -1;
	}
	return 0;
}

static int
quiz_db_questions(struct db *db, struct arena *a, const struct db_stmt *stmt, int64_t id,
		  struct quiz_question **out, int *n)
{
	char ids[DB_INT_LEN];
	const char *params[] = { db_int_param(ids, id) };
	struct db_res *res = db_query(db, a, stmt, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++)
		if (quiz_db_question_row(a, res, i, &(*out)[i]) == -1)
			return -1;
	return 0;
}

/* $1 a module (its bank), or a course ($2 true: every module's bank). */
static const struct db_stmt quiz_bank = {
	"quiz_bank",
	"SELECT " QUIZ_QUESTION_COLS QUIZ_QUESTION_FROM
	"WHERE CASE WHEN $2 THEN m.course_id = $1 ELSE c.module_id = $1 END "
	"ORDER BY q.retired, m.position, c.name, q.id", 2
};

int
quiz_db_bank(struct db *db, struct arena *a, const struct quiz_scope *scope, struct quiz_question **out,
	     int *n)
{
	char id[DB_INT_LEN];
	bool course = scope->module_id == 0;
	const char *params[] = { db_int_param(id, course ? scope->course_id : scope->module_id),
				 course ? "true" : "false" };
	struct db_res *res = db_query(db, a, &quiz_bank, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++)
		if (quiz_db_question_row(a, res, i, &(*out)[i]) == -1)
			return -1;
	return 0;
}

static const struct db_stmt quiz_question_get = {
	"quiz_question_get",
	"SELECT " QUIZ_QUESTION_COLS QUIZ_QUESTION_FROM "WHERE q.id = $1", 1
};

int
quiz_db_question(struct db *db, struct arena *a, int64_t id, struct quiz_question *out, bool *found)
{
	struct quiz_question *q;
	int n;

	memset(out, 0, sizeof(*out));
	if (quiz_db_questions(db, a, &quiz_question_get, id, &q, &n) == -1)
		return -1;
	if ((*found = n > 0))
		*out = q[0];
	return 0;
}

static const struct db_stmt quiz_question_update = {
	"quiz_question_update",
	"UPDATE questions SET category_id = $2, text_md = $3, text_html = $4, feedback_md = $5, "
	"       feedback_html = $6, points = $7, spec = $8::jsonb, kind = $9, updated_at = now() "
	"WHERE id = $1", 9
};

int
quiz_db_question_update(struct db *db, int64_t id, int64_t category_id, enum grade_kind kind,
			const char *text_md, const char *text_html, const char *feedback_md,
			const char *feedback_html, int points, const char *spec_json)
{
	char qid[DB_INT_LEN], cid[DB_INT_LEN], pts[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, id), db_int_param(cid, category_id), text_md,
				 text_html, feedback_md, feedback_html, db_int_param(pts, points),
				 spec_json, grade_kind_name(kind) };

	return db_exec(db, &quiz_question_update, params) == 1 ? 0 : -1;
}

static const struct db_stmt quiz_question_retire = {
	"quiz_question_retire",
	"UPDATE questions SET retired = $2, updated_at = now() WHERE id = $1", 2
};

int
quiz_db_question_retire(struct db *db, int64_t id, bool retired)
{
	char qid[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, id), retired ? "true" : "false" };

	return db_exec(db, &quiz_question_retire, params) == 1 ? 0 : -1;
}

/*
 * $1 a module (its categories), or a course ($2 true: every module's,
 * named after their module); $3 the test whose draws are counted.
 */
static const struct db_stmt quiz_categories = {
	"quiz_categories",
	"SELECT c.id, CASE WHEN $2 THEN 'Modulo ' || m.position || ': ' || c.name ELSE c.name END, "
	"       (SELECT count(*) FROM questions q WHERE q.category_id = c.id AND NOT q.retired), "
	"       coalesce((SELECT d.count FROM quiz_draws d WHERE d.quiz_id = $3 AND d.category_id = c.id), 0) "
	"FROM question_categories c JOIN modules m ON m.id = c.module_id "
	"WHERE CASE WHEN $2 THEN m.course_id = $1 ELSE c.module_id = $1 END ORDER BY m.position, c.name", 3
};

int
quiz_db_categories(struct db *db, struct arena *a, const struct quiz_scope *scope,
		   struct quiz_category **out, int *n)
{
	char id[DB_INT_LEN], qid[DB_INT_LEN];
	bool course = scope->module_id == 0;
	const char *params[] = { db_int_param(id, course ? scope->course_id : scope->module_id),
				 course ? "true" : "false", db_int_param(qid, scope->quiz_id) };
	struct db_res *res = db_query(db, a, &quiz_categories, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++) {
		(*out)[i].id = db_get_int(res, i, 0);
		(*out)[i].name = db_get(res, i, 1);
		(*out)[i].questions = (int)db_get_int(res, i, 2);
		(*out)[i].drawn = (int)db_get_int(res, i, 3);
	}
	return 0;
}

static const struct db_stmt quiz_update = {
	"quiz_update",
	"UPDATE quizzes SET title = $2, intro_md = $3, intro_html = $4, pass_percent = $5, "
	"       time_limit_seconds = nullif($6::int, 0), attempts_allowed = $7, min_delay_seconds = $8, "
	"       grading = $9, shuffle_questions = $10, shuffle_choices = $11, review_answers = $12, "
	"       review_correctness = $13, review_feedback = $14, review_right_answers = $15, "
	"       opens_at = " QUIZ_TIME("$16") ", closes_at = " QUIZ_TIME("$17") ", published = $18, "
	"       updated_at = now() WHERE id = $1", 18
};

int
quiz_db_update(struct db *db, int64_t quiz_id, const struct quiz_settings *s)
{
	char qid[DB_INT_LEN], pass[DB_INT_LEN], limit[DB_INT_LEN], allowed[DB_INT_LEN],
	     delay[DB_INT_LEN];
	const char *params[] = {
		db_int_param(qid, quiz_id), s->title, s->intro_md, s->intro_html,
		db_int_param(pass, s->pass_percent), db_int_param(limit, s->time_limit_seconds),
		db_int_param(allowed, s->attempts_allowed), db_int_param(delay, s->min_delay_seconds),
		grade_method_name(s->grading), s->shuffle_questions ? "true" : "false",
		s->shuffle_choices ? "true" : "false",
		quiz_db_review_name(s->review[QUIZ_REVIEW_ANSWERS]),
		quiz_db_review_name(s->review[QUIZ_REVIEW_CORRECTNESS]),
		quiz_db_review_name(s->review[QUIZ_REVIEW_FEEDBACK]),
		quiz_db_review_name(s->review[QUIZ_REVIEW_RIGHT_ANSWERS]),
		s->opens_at, s->closes_at, s->published ? "true" : "false",
	};

	return db_exec(db, &quiz_update, params) == 1 ? 0 : -1;
}

static const struct db_stmt quiz_draws_clear = {
	"quiz_draws_clear", "DELETE FROM quiz_draws WHERE quiz_id = $1", 1
};

int
quiz_db_draws_clear(struct db *db, int64_t quiz_id)
{
	char qid[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, quiz_id) };

	return db_exec(db, &quiz_draws_clear, params) < 0 ? -1 : 0;
}

static const struct db_stmt quiz_settings_get = {
	"quiz_settings_get",
	"SELECT title, intro_md, intro_html, pass_percent, coalesce(time_limit_seconds, 0), "
	"       attempts_allowed, min_delay_seconds, grading, shuffle_questions, shuffle_choices, "
	"       review_answers, review_correctness, review_feedback, review_right_answers, "
	"       " QUIZ_ISO("opens_at") ", " QUIZ_ISO("closes_at") ", published "
	"FROM quizzes WHERE id = $1", 1
};

int
quiz_db_settings(struct db *db, struct arena *a, int64_t quiz_id, struct quiz_settings *s, bool *found)
{
	char qid[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, quiz_id) };
	struct db_res *res = db_query(db, a, &quiz_settings_get, params);

	memset(s, 0, sizeof(*s));
	if (res == NULL)
		return -1;
	if ((*found = res->nrows > 0) == false)
		return 0;
	s->title = db_get(res, 0, 0);
	s->intro_md = db_get(res, 0, 1);
	s->intro_html = db_get(res, 0, 2);
	s->pass_percent = (int)db_get_int(res, 0, 3);
	s->time_limit_seconds = (int)db_get_int(res, 0, 4);
	s->attempts_allowed = (int)db_get_int(res, 0, 5);
	s->min_delay_seconds = (int)db_get_int(res, 0, 6);
	s->shuffle_questions = db_get_bool(res, 0, 8);
	s->shuffle_choices = db_get_bool(res, 0, 9);
	s->opens_at = db_get(res, 0, 14);
	s->closes_at = db_get(res, 0, 15);
	s->published = db_get_bool(res, 0, 16);
	if (grade_method_parse(db_get(res, 0, 7), &s->grading) == -1)
		return -1;
	for (int i = 0; i < QUIZ_REVIEW_PARTS; i++)
		if (quiz_db_review_parse(db_get(res, 0, 10 + i), &s->review[i]) == -1)
			return -1;
	return 0;
}

static const struct db_stmt quiz_submitted = {
	"quiz_submitted",
	"SELECT id FROM quiz_attempts WHERE quiz_id = $1 AND submitted_at IS NOT NULL ORDER BY id", 1
};

/* The ids in the first column of stmt's rows for quiz quiz_id (arena). */
static int
quiz_db_ids(struct db *db, struct arena *a, const struct db_stmt *stmt, int64_t quiz_id, int64_t **ids,
	    int *n)
{
	char qid[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, quiz_id) };
	struct db_res *res = db_query(db, a, stmt, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*ids = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**ids));
	for (int i = 0; i < res->nrows; i++)
		(*ids)[i] = db_get_int(res, i, 0);
	return 0;
}

int
quiz_db_submitted(struct db *db, struct arena *a, int64_t quiz_id, int64_t **ids, int *n)
{
	return quiz_db_ids(db, a, &quiz_submitted, quiz_id, ids, n);
}

static const struct db_stmt quiz_score_rows = {
	"quiz_score_rows",
	"SELECT a.id, aq.question_id, coalesce(aq.score, 0), "
	"       q.points::float8 / sum(q.points) OVER (PARTITION BY a.id), a.score "
	"FROM quiz_attempts a JOIN attempt_questions aq ON aq.attempt_id = a.id "
	"JOIN questions q ON q.id = aq.question_id "
	"WHERE a.quiz_id = $1 AND a.submitted_at IS NOT NULL ORDER BY aq.question_id, a.id", 1
};

int
quiz_db_score_rows(struct db *db, struct arena *a, int64_t quiz_id, struct quiz_score_row **out, int *n)
{
	char qid[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, quiz_id) };
	struct db_res *res = db_query(db, a, &quiz_score_rows, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++) {
		struct quiz_score_row *r = &(*out)[i];

		r->attempt_id = db_get_int(res, i, 0);
		r->question_id = db_get_int(res, i, 1);
		r->score = quiz_db_double(res, i, 2);
		r->share = quiz_db_double(res, i, 3);
		r->total = quiz_db_double(res, i, 4);
	}
	return 0;
}

static const struct db_stmt quiz_stat_questions = {
	"quiz_stat_questions",
	"SELECT " QUIZ_QUESTION_COLS QUIZ_QUESTION_FROM
	"WHERE q.id IN (SELECT aq.question_id FROM attempt_questions aq "
	"               JOIN quiz_attempts a ON a.id = aq.attempt_id "
	"               WHERE a.quiz_id = $1 AND a.submitted_at IS NOT NULL) ORDER BY q.id", 1
};

int
quiz_db_stat_questions(struct db *db, struct arena *a, int64_t quiz_id, struct quiz_question **out, int *n)
{
	return quiz_db_questions(db, a, &quiz_stat_questions, quiz_id, out, n);
}

static const struct db_stmt quiz_module_get = {
	"quiz_module_get",
	"SELECT m.id, m.course_id, c.title, m.position, m.title, coalesce(z.id, 0) "
	"FROM modules m JOIN courses c ON c.id = m.course_id LEFT JOIN quizzes z ON z.module_id = m.id "
	"WHERE m.id = $1", 1
};

int
quiz_db_module(struct db *db, struct arena *a, int64_t id, struct quiz_module *out, bool *found)
{
	char mid[DB_INT_LEN];
	const char *params[] = { db_int_param(mid, id) };
	struct db_res *res = db_query(db, a, &quiz_module_get, params);

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return -1;
	if ((*found = res->nrows > 0)) {
		out->id = db_get_int(res, 0, 0);
		out->course_id = db_get_int(res, 0, 1);
		out->course_title = db_get(res, 0, 2);
		out->position = (int)db_get_int(res, 0, 3);
		out->title = db_get(res, 0, 4);
		out->quiz_id = db_get_int(res, 0, 5);
	}
	return 0;
}

static const struct db_stmt quiz_draw_question = {
	"quiz_draw_question",
	"INSERT INTO quiz_draws (quiz_id, position, question_id) "
	"SELECT $1, coalesce(max(position), 0) + 1, $2 FROM quiz_draws WHERE quiz_id = $1", 2
};

int
quiz_db_draw_question(struct db *db, int64_t quiz_id, int64_t question_id)
{
	char qid[DB_INT_LEN], id[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, quiz_id), db_int_param(id, question_id) };

	return db_exec(db, &quiz_draw_question, params) == 1 ? 0 : -1;
}

static const struct db_stmt quiz_fixed = {
	"quiz_fixed",
	"SELECT question_id FROM quiz_draws WHERE quiz_id = $1 AND question_id IS NOT NULL "
	"ORDER BY position", 1
};

int
quiz_db_fixed(struct db *db, struct arena *a, int64_t quiz_id, int64_t **ids, int *n)
{
	return quiz_db_ids(db, a, &quiz_fixed, quiz_id, ids, n);
}

static const struct db_stmt quiz_save_target = {
	"quiz_save_target",
	"SELECT a.user_id, a.quiz_id, " QUIZ_ISO("a.deadline") ", " QUIZ_ISO("a.submitted_at") ", "
	"       a.submitted_at IS NULL AND coalesce(a.deadline < now(), false), q.kind, q.spec::text "
	"FROM quiz_attempts a "
	"LEFT JOIN attempt_questions aq ON aq.attempt_id = a.id AND aq.question_id = $2 "
	"LEFT JOIN questions q ON q.id = aq.question_id WHERE a.id = $1", 2
};

int
quiz_db_save_target(struct db *db, struct arena *a, int64_t attempt_id, int64_t question_id,
		    struct quiz_save_target *out, bool *found)
{
	char aid[DB_INT_LEN], qid[DB_INT_LEN];
	const char *params[] = { db_int_param(aid, attempt_id), db_int_param(qid, question_id) };
	struct db_res *res = db_query(db, a, &quiz_save_target, params);

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return -1;
	if ((*found = res->nrows > 0) == false)
		return 0;
	out->user_id = db_get_int(res, 0, 0);
	out->quiz_id = db_get_int(res, 0, 1);
	out->deadline = db_get(res, 0, 2);
	out->submitted_at = db_get(res, 0, 3);
	out->overdue = db_get_bool(res, 0, 4);
	out->spec = db_get(res, 0, 6);
	if ((out->in_attempt = db_get(res, 0, 5) != NULL) &&
	    (grade_kind_parse(db_get(res, 0, 5), &out->kind) == -1 ||
	     quiz_db_json(a, db_get(res, 0, 6), out->kind, &out->key, NULL) == -1)) {
		log_warnx("question %lld: its stored key does not parse", (long long)question_id);
		return -1;
	}
	return 0;
}
