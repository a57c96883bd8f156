/*
 * quiz_edit.c - question banks, test settings, statistics and regrades
 * for trainers (see quiz_edit.h).
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account_db.h"
#include "buf.h"
#include "certificate_db.h"
#include "course_db.h"
#include "course.h"
#include "csv.h"
#include "db.h"
#include "grade.h"
#include "json.h"
#include "md.h"
#include "quiz.h"
#include "quiz_db.h"
#include "quiz_edit.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "tmpl.h"
#include "valid.h"

#define QUIZ_EDIT_TEXT_MAX 8000		/* questions.text_md, feedback_md, quizzes.intro_md */
#define QUIZ_EDIT_DRAWS_MAX 100
#define QUIZ_EDIT_BUCKETS 10		/* score distribution: 0-9 %, ..., 90-100 % */

/* What a trainer sends for a question, from the API or the form. */
struct quiz_edit_question {
	const char *category;
	enum grade_kind kind;
	const char *text;
	const char *feedback;
	int points;
	struct grade_question key;
};

/* One draw of a test: count questions of a category, or one fixed question. */
struct quiz_edit_draw {
	int64_t category_id;
	int64_t question_id;
	int count;
};

/*
 * The test a page or an API call edits: a module's final test (its bank
 * edited beside it) or a certification level's verification test (drawn
 * from every module of the course).
 */
struct quiz_edit_target {
	struct quiz_scope scope;
	int64_t course_id;
	const char *course_title;
	const char *heading;		/* "Modulo 2: ..." or "Livello Autonomo" */
	const char *default_title;	/* of a test not created yet */
	const char *url;		/* its editor page */
};

/* Module id's final test; *found false if there is no such module. */
static int
quiz_edit_target_module(struct request *req, int64_t id, struct quiz_edit_target *t, bool *found)
{
	struct quiz_module m;

	memset(t, 0, sizeof(*t));
	if (quiz_db_module(req->db, req->arena, id, &m, found) == -1 || !*found)
		return *found ? -1 : 0;
	t->scope = (struct quiz_scope){ .module_id = m.id, .course_id = m.course_id, .quiz_id = m.quiz_id };
	t->course_id = m.course_id;
	t->course_title = m.course_title;
	t->heading = arena_printf(req->arena, "Modulo %d: %s", m.position, m.title);
	t->default_title = arena_printf(req->arena, "Test finale: %s", m.title);
	t->url = arena_printf(req->arena, "/gestione/moduli/%lld/test", (long long)m.id);
	return 0;
}

/* Level id's verification test; *found false unless it is a verification level. */
static int
quiz_edit_target_level(struct request *req, int64_t id, struct quiz_edit_target *t, bool *found)
{
	struct certificate_level_row l;
	struct course *c;
	int n;

	memset(t, 0, sizeof(*t));
	if (certificate_db_level_get(req->db, req->arena, id, &l, found) == -1)
		return -1;
	if (!*found || strcmp(l.rule, "verification") != 0)
		return *found = false, 0;
	if (course_db_outlines(req->db, req->arena, l.course_id, 0, true, &c, &n) == -1)
		return -1;
	t->scope = (struct quiz_scope){ .course_id = l.course_id, .quiz_id = l.quiz_id, .level_id = l.id };
	t->course_id = l.course_id;
	t->course_title = n > 0 ? c->title : "";
	t->heading = arena_printf(req->arena, "Livello %s", l.name);
	t->default_title = arena_printf(req->arena, "Verifica del livello %s", l.name);
	t->url = arena_printf(req->arena, "/gestione/livelli/%lld/test", (long long)l.id);
	return 0;
}

/* md_render() into the arena; NULL if it fails (logged by md.c). */
static const char *
quiz_edit_md(struct request *req, const char *text)
{
	struct buf b;
	const char *out = NULL;

	buf_init(&b, 0);
	if (md_render(text, strlen(text), &b) == 0)
		out = arena_strdup(req->arena, b.data);
	buf_release(&b);
	return out;
}

/*
 * Whether key b may replace key a of a question attempts hold: the same
 * kind, the same number of choices or pairs and, for matching, the same
 * options, so every stored answer still names what exists.
 */
static bool
quiz_edit_same_shape(enum grade_kind ka, const struct grade_question *a, enum grade_kind kb,
		     const struct grade_question *b)
{
	if (ka != kb)
		return false;
	if (ka != GRADE_SINGLE && ka != GRADE_MULTIPLE && ka != GRADE_MATCHING)
		return true;
	if (a->nitems != b->nitems)
		return false;
	if (ka == GRADE_MATCHING) {
		int oa[GRADE_ITEMS_MAX], ob[GRADE_ITEMS_MAX];
		int na = grade_matching_options(a, oa), nb = grade_matching_options(b, ob);

		return na == nb && memcmp(oa, ob, (size_t)na * sizeof(*oa)) == 0;
	}
	return true;
}

/*
 * Stores in (a new question of module_id when old is NULL, else over
 * old).  Returns 0 with *id, 1 when refused (*problem, *status), or -1.
 */
static int
quiz_edit_question_store(struct request *req, int64_t module_id, const struct quiz_question *old,
			 const struct quiz_edit_question *in, int64_t *id, const char **problem,
			 int *status)
{
	const char *text_html, *feedback_html, *spec;
	struct json_writer w;
	struct buf b;
	int64_t category;
	int rc = -1;

	if (old != NULL && old->answers > 0 && !quiz_edit_same_shape(old->kind, &old->key, in->kind, &in->key)) {
		*status = 409;
		*problem = "La domanda è già stata data in qualche tentativo: puoi correggere i testi e le "
			   "risposte giuste, ma non cambiarne il tipo né aggiungere o togliere scelte o coppie. "
			   "Ritirala e creane una nuova.";
		return 1;
	}
	if ((text_html = quiz_edit_md(req, in->text)) == NULL ||
	    (feedback_html = quiz_edit_md(req, in->feedback)) == NULL)
		return -1;
	buf_init(&b, 64 * 1024);
	json_writer_init(&w, &b);
	grade_question_json(&w, NULL, &in->key);
	spec = b.err ? NULL : arena_strdup(req->arena, b.data);
	buf_release(&b);
	if (spec == NULL)
		return -1;
	if (db_begin(req->db) == -1 || (category = quiz_db_category(req->db, module_id, in->category)) < 0)
		goto out;
	if (old == NULL) {
		if ((*id = quiz_db_question_create(req->db, category, in->kind, in->text, text_html,
						   in->feedback, feedback_html, in->points, spec)) < 0)
			goto out;
	} else {
		*id = old->id;
		if (quiz_db_question_update(req->db, old->id, category, in->kind, in->text, text_html,
					    in->feedback, feedback_html, in->points, spec) == -1)
			goto out;
	}
	if (db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

/* Text of at most max code points, valid UTF-8: the string or NULL. */
static const char *
quiz_edit_json_text(const struct json_value *v, size_t min, size_t max)
{
	size_t n;

	if (v == NULL || v->type != JSON_STRING || !valid_utf8(v->str, v->len))
		return NULL;
	n = valid_utf8_length(v->str, v->len);
	return n >= min && n <= max ? v->str : NULL;
}

/*
 * The question in req's JSON body over base (old's values for a PATCH,
 * NULL for a new one, where category, kind, text and spec are required).
 * Returns 0, or -1 with *err.
 */
static int
quiz_edit_question_json(struct request *req, const struct quiz_question *base,
			struct quiz_edit_question *q, const char **err)
{
	const struct json_value *j = req->json, *v, *spec;
	long long points;

	if (j == NULL || j->type != JSON_OBJECT)
		return *err = "Il corpo deve essere un oggetto JSON.", -1;
	for (v = j->child; v != NULL; v = v->next)
		if (strcmp(v->key, "category") != 0 && strcmp(v->key, "kind") != 0 &&
		    strcmp(v->key, "text") != 0 && strcmp(v->key, "feedback") != 0 &&
		    strcmp(v->key, "points") != 0 && strcmp(v->key, "spec") != 0)
			return *err = arena_printf(req->arena, "Campo sconosciuto «%s».", v->key), -1;
	memset(q, 0, sizeof(*q));
	q->category = base ? base->category : NULL;
	q->kind = base ? base->kind : GRADE_SINGLE;
	q->text = base ? base->text_md : NULL;
	q->feedback = base ? base->feedback_md : "";
	q->points = base ? base->points : 1;
	if (base != NULL)
		q->key = base->key;
	if ((v = json_get(j, "category")) != NULL && (q->category = quiz_edit_json_text(v, 1, 100)) == NULL)
		return *err = "«category»: da 1 a 100 caratteri.", -1;
	if ((v = json_get(j, "kind")) != NULL &&
	    (v->type != JSON_STRING || grade_kind_parse(v->str, &q->kind) == -1))
		return *err = "«kind»: single, multiple, truefalse, matching, short o numeric.", -1;
	if ((v = json_get(j, "text")) != NULL &&
	    (q->text = quiz_edit_json_text(v, 1, QUIZ_EDIT_TEXT_MAX)) == NULL)
		return *err = "«text»: da 1 a 8000 caratteri.", -1;
	if ((v = json_get(j, "feedback")) != NULL &&
	    (q->feedback = quiz_edit_json_text(v, 0, QUIZ_EDIT_TEXT_MAX)) == NULL)
		return *err = "«feedback»: al massimo 8000 caratteri.", -1;
	if ((v = json_get(j, "points")) != NULL &&
	    (json_get_int(v, &points) == -1 || points < 1 || points > 100))
		return *err = "«points»: un intero da 1 a 100.", -1;
	if (v != NULL)
		q->points = (int)points;
	spec = json_get(j, "spec");
	if (base == NULL && (q->category == NULL || json_get(j, "kind") == NULL || q->text == NULL || spec == NULL))
		return *err = "Servono «category», «kind», «text» e «spec».", -1;
	if (base != NULL && json_get(j, "kind") != NULL && q->kind != base->kind && spec == NULL)
		return *err = "Cambiando «kind» serve anche «spec».", -1;
	if (spec != NULL && grade_question_parse(req->arena, q->kind, spec, &q->key, err) == -1)
		return -1;
	return 0;
}

static void
quiz_edit_question_write(struct json_writer *w, const struct quiz_question *q)
{
	json_obj_open(w, NULL);
	json_int(w, "id", q->id);
	json_int(w, "module_id", q->module_id);
	json_str(w, "category", q->category);
	json_str(w, "kind", grade_kind_name(q->kind));
	json_str(w, "text", q->text_md);
	json_str(w, "feedback", q->feedback_md);
	json_int(w, "points", q->points);
	grade_question_json(w, "spec", &q->key);
	json_bool(w, "retired", q->retired);
	json_int(w, "attempts", q->answers);
	json_obj_close(w);
}

/* Writes question id as the response with status; 404 if gone. */
static int
quiz_edit_question_reply(struct request *req, int status, int64_t id)
{
	struct quiz_question q;
	struct json_writer w;
	bool found;

	if (quiz_db_question(req->db, req->arena, id, &q, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Domanda non trovata.");
	json_writer_init(&w, &req->body);
	quiz_edit_question_write(&w, &q);
	return response_json(req, status);
}

/* ---- API ---- */

static const struct field quiz_edit_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
};

/* GET /api/v1/modules/{id}/questions: 200 {module_id, categories, questions}; 404; 500. */
static int
quiz_edit_api_bank(struct request *req)
{
	struct quiz_question *bank;
	struct quiz_category *cats;
	struct quiz_edit_target t;
	struct json_writer w;
	int n, ncats;
	bool found;

	if (quiz_edit_target_module(req, request_int(req, "id", 0), &t, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Modulo non trovato.");
	if (quiz_db_bank(req->db, req->arena, &t.scope, &bank, &n) == -1 ||
	    quiz_db_categories(req->db, req->arena, &t.scope, &cats, &ncats) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "module_id", t.scope.module_id);
	if (t.scope.quiz_id > 0)
		json_int(&w, "quiz_id", t.scope.quiz_id);
	else
		json_null(&w, "quiz_id");
	json_arr_open(&w, "categories");
	for (int i = 0; i < ncats; i++) {
		json_obj_open(&w, NULL);
		json_int(&w, "id", cats[i].id);
		json_str(&w, "name", cats[i].name);
		json_int(&w, "questions", cats[i].questions);
		json_int(&w, "drawn", cats[i].drawn);
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_arr_open(&w, "questions");
	for (int i = 0; i < n; i++)
		quiz_edit_question_write(&w, &bank[i]);
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* POST /api/v1/modules/{id}/questions: 201 the question; 400; 404; 500. */
static int
quiz_edit_api_create(struct request *req)
{
	struct quiz_edit_question in;
	struct quiz_module m;
	const char *err = NULL;
	int64_t id;
	bool found;
	int status, rc;

	if (quiz_db_module(req->db, req->arena, request_int(req, "id", 0), &m, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Modulo non trovato.");
	if (quiz_edit_question_json(req, NULL, &in, &err) == -1)
		return response_json_error(req, 400, "bad_request", err);
	if ((rc = quiz_edit_question_store(req, m.id, NULL, &in, &id, &err, &status)) == -1)
		return 500;
	if (rc == 1)
		return response_json_error(req, status, "conflict", err);
	return quiz_edit_question_reply(req, 201, id);
}

/* PATCH /api/v1/questions/{id}: 200; 400; 404; 409 the key's shape of a question already given; 500. */
static int
quiz_edit_api_update(struct request *req)
{
	struct quiz_edit_question in;
	struct quiz_question old;
	const char *err = NULL;
	int64_t id;
	bool found;
	int status, rc;

	if (quiz_db_question(req->db, req->arena, request_int(req, "id", 0), &old, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Domanda non trovata.");
	if (quiz_edit_question_json(req, &old, &in, &err) == -1)
		return response_json_error(req, 400, "bad_request", err);
	if ((rc = quiz_edit_question_store(req, old.module_id, &old, &in, &id, &err, &status)) == -1)
		return 500;
	if (rc == 1)
		return response_json_error(req, status, "conflict", err);
	return quiz_edit_question_reply(req, 200, id);
}

/* DELETE /api/v1/questions/{id}: 200 retired (kept for the attempts that hold it); 404; 500. */
static int
quiz_edit_api_retire(struct request *req)
{
	struct quiz_question q;
	bool found;

	if (quiz_db_question(req->db, req->arena, request_int(req, "id", 0), &q, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Domanda non trovata.");
	if (quiz_db_question_retire(req->db, q.id, true) == -1)
		return 500;
	return quiz_edit_question_reply(req, 200, q.id);
}

/* "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]" with a real date and time; NULL and "" pass (no date). */
static bool
quiz_edit_time_ok(const char *s)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, n = 0;

	if (s == NULL || *s == '\0')
		return true;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16 ||
	    y < 2000 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > days[mo - 1] || h > 23 || mi > 59 ||
	    (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
		return false;
	s += n;
	if (s[0] == ':' && s[1] >= '0' && s[1] <= '5' && s[2] >= '0' && s[2] <= '9')
		s += 3;
	if (strcmp(s, "Z") == 0 || *s == '\0')
		return true;
	return (s[0] == '+' || s[0] == '-') && strlen(s) == 6 && s[3] == ':' &&
	       strspn(s + 1, "0123456789") == 2 && strspn(s + 4, "0123456789") == 2 &&
	       (s[1] - '0') * 10 + (s[2] - '0') <= 14 && s[4] <= '5';
}

/*
 * Checks draws against the scope's banks: their categories and
 * questions, counts within the live questions (fixed ones set apart).
 * Returns NULL, the problem, or "" on a database error.
 */
static const char *
quiz_edit_draws_check(struct request *req, const struct quiz_scope *scope, const struct quiz_edit_draw *d,
		      int n, bool published)
{
	struct quiz_category *cats;
	struct quiz_question *bank;
	int ncats, nbank;

	if (quiz_db_categories(req->db, req->arena, scope, &cats, &ncats) == -1 ||
	    quiz_db_bank(req->db, req->arena, scope, &bank, &nbank) == -1)
		return "";
	if (published && n == 0)
		return "Un test pubblicato deve estrarre almeno una domanda.";
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < i; j++)
			if ((d[i].category_id != 0 && d[i].category_id == d[j].category_id) ||
			    (d[i].question_id != 0 && d[i].question_id == d[j].question_id))
				return "Ogni categoria e ogni domanda fissa può comparire una volta sola.";
		if (d[i].question_id != 0) {
			int j;
			for (j = 0; j < nbank && (bank[j].id != d[i].question_id || bank[j].retired); j++)
				;
			if (j == nbank)
				return arena_printf(req->arena, "La domanda %lld non è tra quelle che questo test può estrarre.",
						    (long long)d[i].question_id);
			continue;
		}
		int c, available;
		for (c = 0; c < ncats && cats[c].id != d[i].category_id; c++)
			;
		if (c == ncats)
			return arena_printf(req->arena, "La categoria %lld non è tra quelle che questo test può estrarre.",
					    (long long)d[i].category_id);
		available = cats[c].questions;
		for (int k = 0; k < n; k++)
			for (int j = 0; d[k].question_id != 0 && j < nbank; j++)
				available -= bank[j].id == d[k].question_id && bank[j].category_id == cats[c].id;
		if (d[i].count > available)
			return arena_printf(req->arena, "La categoria «%s» ha %d domande da estrarre: non se ne "
					    "possono chiedere %d.", cats[c].name, available, d[i].count);
	}
	return NULL;
}

/*
 * Creates or rewrites the scope's test with s and draws d; *quiz_id gets
 * its id.  Returns 0, 1 when the closing time is not after the opening
 * (compared by PostgreSQL, which reads both with their zones), or -1.
 */
static int
quiz_edit_settings_store(struct request *req, const struct quiz_scope *scope, const struct quiz_settings *s,
			 const struct quiz_edit_draw *d, int n, int64_t *quiz_id)
{
	int rc = -1;

	if (db_begin(req->db) == -1)
		goto out;
	if (scope->quiz_id == 0)
		*quiz_id = quiz_db_create(req->db, scope->module_id, scope->level_id, s);
	else
		*quiz_id = quiz_db_update(req->db, scope->quiz_id, s) == -1 ? -1 : scope->quiz_id;
	if (*quiz_id < 0) {
		if (strcmp(db_sqlstate(req->db), "23514") == 0)	/* closes_at > opens_at */
			rc = 1;
		goto out;
	}
	if (scope->quiz_id != 0 && quiz_db_draws_clear(req->db, scope->quiz_id) == -1)
		goto out;
	for (int i = 0; i < n; i++)
		if ((d[i].question_id != 0 ? quiz_db_draw_question(req->db, *quiz_id, d[i].question_id) :
		     quiz_db_draw_category(req->db, *quiz_id, d[i].category_id, d[i].count)) == -1)
			goto out;
	if (db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

static const char *const quiz_edit_methods[] = { "highest", "last", "average", "first", NULL };
static const char *const quiz_edit_reviews[] = { "immediately", "after_close", "never", NULL };

/* The settings fields, common to the API (seconds) and the form (minutes, see below). */
#define QUIZ_EDIT_SETTINGS_FIELDS(limit, delay, limit_max, delay_max) \
	{ "title", FIELD_BODY, VALID_TEXT, 1, 200, NULL, FIELD_REQUIRED, "Titolo" }, \
	{ "intro", FIELD_BODY, VALID_TEXT, 0, QUIZ_EDIT_TEXT_MAX, NULL, FIELD_MULTILINE, "Introduzione" }, \
	{ "pass_percent", FIELD_BODY, VALID_INT, 0, 100, NULL, FIELD_REQUIRED, "Soglia per superarlo (%)" }, \
	{ limit, FIELD_BODY, VALID_INT, 0, limit_max, NULL, 0, "Tempo a disposizione" }, \
	{ "attempts_allowed", FIELD_BODY, VALID_INT, 0, 100, NULL, 0, "Tentativi (0: senza limite)" }, \
	{ delay, FIELD_BODY, VALID_INT, 0, delay_max, NULL, 0, "Attesa tra due tentativi" }, \
	{ "grading", FIELD_BODY, VALID_ENUM, 0, 0, quiz_edit_methods, 0, "Voto del test" }, \
	{ "shuffle_questions", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Domande in ordine casuale" }, \
	{ "shuffle_choices", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Risposte in ordine casuale" }, \
	{ "review_answers", FIELD_BODY, VALID_ENUM, 0, 0, quiz_edit_reviews, 0, "Risposte date" }, \
	{ "review_correctness", FIELD_BODY, VALID_ENUM, 0, 0, quiz_edit_reviews, 0, "Esito di ogni domanda" }, \
	{ "review_feedback", FIELD_BODY, VALID_ENUM, 0, 0, quiz_edit_reviews, 0, "Spiegazioni" }, \
	{ "review_right_answers", FIELD_BODY, VALID_ENUM, 0, 0, quiz_edit_reviews, 0, "Risposte giuste" }, \
	{ "opens_at", FIELD_BODY, VALID_TEXT, 0, 30, NULL, 0, "Apertura" }, \
	{ "closes_at", FIELD_BODY, VALID_TEXT, 0, 30, NULL, 0, "Chiusura" }, \
	{ "published", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Pubblicato" }

/*
 * The settings in req's validated fields; unit is 1 for the API's
 * seconds, 60 for the form's minutes.  Returns NULL, or a problem with
 * the field it concerns in *field.
 */
static const char *
quiz_edit_settings_read(struct request *req, int unit, struct quiz_settings *s, const char **field)
{
	static const char *const reviews[QUIZ_REVIEW_PARTS] = {
		"review_answers", "review_correctness", "review_feedback", "review_right_answers",
	};
	const char *intro = request_str(req, "intro");

	memset(s, 0, sizeof(*s));
	s->title = request_str(req, "title");
	s->intro_md = intro != NULL ? intro : "";
	s->intro_html = quiz_edit_md(req, s->intro_md);
	s->pass_percent = (int)request_int(req, "pass_percent", 60);
	s->time_limit_seconds = (int)request_int(req, unit == 1 ? "time_limit_seconds" : "time_limit_minutes", 0) * unit;
	s->attempts_allowed = (int)request_int(req, "attempts_allowed", 0);
	s->min_delay_seconds = (int)request_int(req, unit == 1 ? "min_delay_seconds" : "min_delay_minutes", 0) * unit;
	s->grading = (enum grade_method)request_int(req, "grading", GRADE_HIGHEST);
	/* An unticked checkbox is not sent: absent is "no" in the form, "yes" in the API. */
	s->shuffle_questions = request_int(req, "shuffle_questions", unit == 1) != 0;
	s->shuffle_choices = request_int(req, "shuffle_choices", unit == 1) != 0;
	for (int i = 0; i < QUIZ_REVIEW_PARTS; i++)
		s->review[i] = (enum quiz_review_when)request_int(req, reviews[i],
			i == QUIZ_REVIEW_RIGHT_ANSWERS ? QUIZ_REVIEW_AFTER_CLOSE : QUIZ_REVIEW_IMMEDIATELY);
	s->opens_at = request_str(req, "opens_at");
	s->closes_at = request_str(req, "closes_at");
	s->published = request_int(req, "published", 0) != 0;
	if (s->opens_at != NULL && *s->opens_at == '\0')
		s->opens_at = NULL;
	if (s->closes_at != NULL && *s->closes_at == '\0')
		s->closes_at = NULL;
	if (s->time_limit_seconds > 0 && s->time_limit_seconds < 60)
		return *field = "time_limit_seconds", "Il tempo a disposizione è di almeno un minuto (0: senza limite).";
	if (!quiz_edit_time_ok(s->opens_at))
		return *field = "opens_at", "Data e ora non valide (AAAA-MM-GGTHH:MM).";
	if (!quiz_edit_time_ok(s->closes_at))
		return *field = "closes_at", "Data e ora non valide (AAAA-MM-GGTHH:MM).";
	if (s->intro_html == NULL)
		return *field = "intro", "Introduzione non valida.";
	return NULL;
}

static const struct field quiz_edit_api_settings_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	QUIZ_EDIT_SETTINGS_FIELDS("time_limit_seconds", "min_delay_seconds", 604800, 31536000),
};

/* The "draws" array of the API: [{"category_id", "count"} | {"question_id"}]; -1 with *err. */
static int
quiz_edit_draws_json(struct request *req, struct quiz_edit_draw **out, int *n, const char **err)
{
	const struct json_value *arr = json_get(req->json, "draws");
	long long v;

	*n = 0;
	*out = arena_calloc(req->arena, QUIZ_EDIT_DRAWS_MAX + 1, sizeof(**out));
	if (arr == NULL)
		return 0;
	if (arr->type != JSON_ARRAY || arr->count > QUIZ_EDIT_DRAWS_MAX)
		return *err = "«draws»: un elenco di al massimo 100 estrazioni.", -1;
	for (const struct json_value *d = arr->child; d != NULL; d = d->next) {
		struct quiz_edit_draw *x = &(*out)[(*n)++];
		const struct json_value *c = json_get(d, "category_id"), *q = json_get(d, "question_id"),
					*k = json_get(d, "count");

		if (d->type != JSON_OBJECT || (c == NULL) == (q == NULL) || d->count != (c ? 1 + (k != NULL) : 1))
			return *err = "«draws»: ogni elemento è {\"category_id\", \"count\"} oppure {\"question_id\"}.", -1;
		if (c != NULL) {
			if (json_get_int(c, &v) == -1 || v < 1)
				return *err = "«category_id»: un intero positivo.", -1;
			x->category_id = v;
			if (json_get_int(k, &v) == -1 || v < 1 || v > 100)
				return *err = "«count»: un intero da 1 a 100.", -1;
			x->count = (int)v;
		} else {
			if (json_get_int(q, &v) == -1 || v < 1)
				return *err = "«question_id»: un intero positivo.", -1;
			x->question_id = v;
			x->count = 1;
		}
	}
	return 0;
}

/*
 * PUT /api/v1/modules/{id}/quiz and PUT /api/v1/levels/{id}/quiz {title,
 * pass_percent, ..., draws}: 201 a new test, 200 rewritten (draws
 * replaced); 400; 404 no such module, or no such verification level; 500.
 */
static int
quiz_edit_api_settings(struct request *req)
{
	bool level = strncmp(req->path, "/api/v1/levels/", 15) == 0;
	struct quiz_edit_draw *draws;
	struct quiz_edit_target t;
	struct quiz_settings s;
	struct json_writer w;
	struct quiz q;
	const char *problem, *field, *err = NULL;
	int64_t quiz_id;
	int n, rc;
	bool found;

	if ((level ? quiz_edit_target_level : quiz_edit_target_module)(req, request_int(req, "id", 0), &t,
								      &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", level ? "Livello di verifica non trovato." :
					   "Modulo non trovato.");
	if ((problem = quiz_edit_settings_read(req, 1, &s, &field)) != NULL)
		return response_json_error(req, 400, "bad_request", arena_printf(req->arena, "«%s»: %s", field, problem));
	if (quiz_edit_draws_json(req, &draws, &n, &err) == -1)
		return response_json_error(req, 400, "bad_request", err);
	if ((problem = quiz_edit_draws_check(req, &t.scope, draws, n, s.published)) != NULL)
		return *problem ? response_json_error(req, 400, "bad_request", problem) : 500;
	if ((rc = quiz_edit_settings_store(req, &t.scope, &s, draws, n, &quiz_id)) == 1)
		return response_json_error(req, 400, "bad_request", "«closes_at»: la chiusura deve venire dopo l'apertura.");
	if (rc == -1 || quiz_db_get(req->db, req->arena, quiz_id, 0, true, &q, NULL, &found) == -1 || !found)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "id", q.id);
	if (level)
		json_int(&w, "level_id", t.scope.level_id);
	else
		json_int(&w, "module_id", q.module_id);
	json_str(&w, "title", q.title);
	json_int(&w, "questions", q.nquestions);
	json_bool(&w, "published", q.published);
	json_obj_close(&w);
	return response_json(req, t.scope.quiz_id == 0 ? 201 : 200);
}

/* ---- statistics ---- */

struct quiz_edit_item {
	const struct quiz_question *q;
	int n;				/* attempts that held it */
	struct grade_item_stats st;
};

struct quiz_edit_stats {
	struct quiz quiz;
	int attempts;
	double mean;			/* 0..1 */
	int buckets[QUIZ_EDIT_BUCKETS];
	struct quiz_edit_item *items;
	int nitems;
};

static int
quiz_edit_cmp_attempt(const void *a, const void *b)
{
	const struct quiz_score_row *x = a, *y = b;

	return (x->attempt_id > y->attempt_id) - (x->attempt_id < y->attempt_id);
}

/* The statistics of quiz id; *found false if there is no such quiz. */
static int
quiz_edit_stats_read(struct request *req, int64_t id, struct quiz_edit_stats *s, bool *found)
{
	struct quiz_score_row *rows, *byattempt;
	struct quiz_question *qs;
	double *item, *total, *share;
	int nrows, nq;

	memset(s, 0, sizeof(*s));
	if (quiz_db_get(req->db, req->arena, id, 0, true, &s->quiz, NULL, found) == -1)
		return -1;
	if (!*found)
		return 0;
	if (quiz_db_score_rows(req->db, req->arena, id, &rows, &nrows) == -1 ||
	    quiz_db_stat_questions(req->db, req->arena, id, &qs, &nq) == -1)
		return -1;
	/* The attempts: rows sorted by attempt, one total each. */
	byattempt = arena_calloc(req->arena, (size_t)nrows + 1, sizeof(*byattempt));
	memcpy(byattempt, rows, (size_t)nrows * sizeof(*rows));
	qsort(byattempt, (size_t)nrows, sizeof(*byattempt), quiz_edit_cmp_attempt);
	for (int i = 0; i < nrows; i++) {
		if (i > 0 && byattempt[i].attempt_id == byattempt[i - 1].attempt_id)
			continue;
		int b = (int)floor(byattempt[i].total * QUIZ_EDIT_BUCKETS);
		s->buckets[b >= QUIZ_EDIT_BUCKETS ? QUIZ_EDIT_BUCKETS - 1 : b < 0 ? 0 : b]++;
		s->mean += byattempt[i].total;
		s->attempts++;
	}
	if (s->attempts > 0)
		s->mean /= s->attempts;
	/* The questions: rows are sorted by question, then attempt. */
	item = arena_calloc(req->arena, (size_t)nrows + 1, sizeof(*item));
	total = arena_calloc(req->arena, (size_t)nrows + 1, sizeof(*total));
	share = arena_calloc(req->arena, (size_t)nrows + 1, sizeof(*share));
	s->items = arena_calloc(req->arena, (size_t)nq + 1, sizeof(*s->items));
	for (int i = 0; i < nq; i++) {
		struct quiz_edit_item *it = &s->items[s->nitems++];

		it->q = &qs[i];
		for (int r = 0; r < nrows; r++)
			if (rows[r].question_id == qs[i].id) {
				item[it->n] = rows[r].score;
				total[it->n] = rows[r].total;
				share[it->n] = rows[r].share;
				it->n++;
			}
		grade_item_stats(item, total, share, it->n, &it->st);
	}
	return 0;
}

/* A question worth a look: almost nobody or almost everybody right, or the strong fail it. */
static const char *
quiz_edit_flag(const struct quiz_edit_item *it)
{
	if (it->n < 5)
		return NULL;
	if (it->st.has_discrimination && it->st.discrimination < 0)
		return "discrimina al contrario: controlla la chiave";
	if (it->st.facility < 0.2)
		return "molto difficile";
	if (it->st.facility > 0.95)
		return "molto facile";
	if (it->st.has_discrimination && it->st.discrimination < 0.2)
		return "discrimina poco";
	return NULL;
}

/* GET /api/v1/quizzes/{id}/statistics: 200; 404; 500. */
static int
quiz_edit_api_stats(struct request *req)
{
	struct quiz_edit_stats s;
	struct json_writer w;
	bool found;

	if (quiz_edit_stats_read(req, request_int(req, "id", 0), &s, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Test non trovato.");
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "quiz_id", s.quiz.id);
	json_int(&w, "attempts", s.attempts);
	json_raw(&w, "mean_score", arena_printf(req->arena, "%.4f", s.mean));
	json_arr_open(&w, "distribution");
	for (int i = 0; i < QUIZ_EDIT_BUCKETS; i++)
		json_int(&w, NULL, s.buckets[i]);
	json_arr_close(&w);
	json_arr_open(&w, "questions");
	for (int i = 0; i < s.nitems; i++) {
		const struct quiz_edit_item *it = &s.items[i];

		json_obj_open(&w, NULL);
		json_int(&w, "id", it->q->id);
		json_str(&w, "kind", grade_kind_name(it->q->kind));
		json_str(&w, "text", it->q->text_md);
		json_int(&w, "attempts", it->n);
		json_raw(&w, "facility", arena_printf(req->arena, "%.4f", it->st.facility));
		if (it->st.has_discrimination)
			json_raw(&w, "discrimination", arena_printf(req->arena, "%.4f", it->st.discrimination));
		else
			json_null(&w, "discrimination");
		json_str(&w, "flag", quiz_edit_flag(it));
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* POST /api/v1/quizzes/{id}/regrade: 200 {attempts, changed}; 404; 500.  Audited. */
static int
quiz_edit_api_regrade(struct request *req)
{
	struct json_writer w;
	struct quiz q;
	int attempts, changed;
	bool found;

	if (quiz_db_get(req->db, req->arena, request_int(req, "id", 0), 0, true, &q, NULL, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Test non trovato.");
	if (quiz_regrade(req, q.id, &attempts, &changed) == -1 ||
	    account_db_audit(req->db, req->user->id, "quiz_regrade", q.id,
			     arena_printf(req->arena, "%d/%d", changed, attempts), req->client_addr) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "quiz_id", q.id);
	json_int(&w, "attempts", attempts);
	json_int(&w, "changed", changed);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* ---- pages ---- */

static const char *const quiz_edit_kind_names[] = {
	"single", "multiple", "truefalse", "matching", "short", "numeric", NULL
};

static const struct response_notice quiz_edit_notices[] = {
	{ "salvato", "Impostazioni del test salvate." },
	{ "domanda", "Domanda salvata." },
	{ "ritirata", "Domanda ritirata: non sarà più estratta." },
	{ "ripristinata", "Domanda di nuovo estraibile." },
	{ "ricalcolato", "Tentativi ricalcolati con le chiavi attuali." },
};

/* Fills the kind choices of a question form (selected: kind). */
static void
quiz_edit_kinds(struct tmpl_ctx *ctx, enum grade_kind kind)
{
	for (int i = 0; quiz_edit_kind_names[i] != NULL; i++) {
		struct tmpl_ctx *k = tmpl_list_add(ctx, "kinds");

		tmpl_set(k, "value", quiz_edit_kind_names[i]);
		tmpl_set(k, "label", grade_kind_label((enum grade_kind)i));
		tmpl_set_bool(k, "selected", (int)kind == i);
	}
}

/* Fills an enum's options under key (value, label, selected). */
static void
quiz_edit_options(struct tmpl_ctx *ctx, const char *key, const char *const *values,
		  const char *const *labels, int selected)
{
	for (int i = 0; values[i] != NULL; i++) {
		struct tmpl_ctx *o = tmpl_list_add(ctx, key);

		tmpl_set(o, "value", values[i]);
		tmpl_set(o, "label", labels[i]);
		tmpl_set_bool(o, "selected", i == selected);
	}
}

/* datetime-local's value of an ISO UTC time: shown as typed is not kept, so show UTC plainly. */
static const char *
quiz_edit_time_value(struct request *req, const char *iso)
{
	return iso != NULL ? arena_strndup(req->arena, iso, 16) : NULL;
}

/*
 * The editor of t's test: its settings and draws, and for a module's
 * test the bank with the new-question form; problem for a refused save.
 */
static int
quiz_edit_render(struct request *req, int status, const struct quiz_edit_target *t, const char *problem)
{
	static const char *const method_labels[] = { "il migliore", "l'ultimo", "la media", "il primo" };
	static const char *const review_labels[] = { "subito dopo la consegna", "alla chiusura del test", "mai" };
	static const char *const review_keys[QUIZ_REVIEW_PARTS] = {
		"review_answers", "review_correctness", "review_feedback", "review_right_answers" };
	static const char *const review_names[QUIZ_REVIEW_PARTS] = {
		"Le risposte date", "L'esito di ogni domanda", "Le spiegazioni", "Le risposte giuste" };
	struct quiz_category *cats;
	struct quiz_question *bank;
	struct quiz_settings s;
	struct tmpl_ctx *ctx, *form;
	int64_t *fixed = NULL;
	int ncats, nbank, nfixed = 0;
	bool found = false;

	if (t->scope.quiz_id > 0 &&
	    (quiz_db_settings(req->db, req->arena, t->scope.quiz_id, &s, &found) == -1 ||
	     quiz_db_fixed(req->db, req->arena, t->scope.quiz_id, &fixed, &nfixed) == -1))
		return 500;
	if (!found) {
		memset(&s, 0, sizeof(s));
		s.title = t->default_title;
		s.pass_percent = 60;
		s.attempts_allowed = 3;
		s.shuffle_questions = s.shuffle_choices = true;
		s.review[QUIZ_REVIEW_RIGHT_ANSWERS] = QUIZ_REVIEW_AFTER_CLOSE;
	}
	if (quiz_db_categories(req->db, req->arena, &t->scope, &cats, &ncats) == -1 ||
	    quiz_db_bank(req->db, req->arena, &t->scope, &bank, &nbank) == -1)
		return 500;
	ctx = response_ctx(req, arena_printf(req->arena, "%s: %s", t->scope.module_id ?
					     "Test finale" : "Test di verifica", t->heading));
	response_notice(req, ctx, quiz_edit_notices, ARRAY_SIZE(quiz_edit_notices));
	form = response_form(req, ctx);
	tmpl_set_bool(ctx, "is_module", t->scope.module_id != 0);
	tmpl_set_int(ctx, "module_id", t->scope.module_id);
	tmpl_set(ctx, "heading", t->heading);
	tmpl_set(ctx, "url", t->url);
	tmpl_set_int(ctx, "course_id", t->course_id);
	tmpl_set(ctx, "course_title", t->course_title);
	tmpl_set_int(ctx, "quiz_id", t->scope.quiz_id);
	if (problem != NULL)
		tmpl_set(ctx, "problem", problem);
	/* A fresh page shows what is stored; a refused one what was sent. */
	if (status == 200) {
		tmpl_set(form, "title", s.title);
		tmpl_set(form, "intro", s.intro_md);
		tmpl_set_int(form, "pass_percent", s.pass_percent);
		tmpl_set_int(form, "time_limit_minutes", s.time_limit_seconds / 60);
		tmpl_set_int(form, "attempts_allowed", s.attempts_allowed);
		tmpl_set_int(form, "min_delay_minutes", s.min_delay_seconds / 60);
		tmpl_set(form, "opens_at", quiz_edit_time_value(req, s.opens_at));
		tmpl_set(form, "closes_at", quiz_edit_time_value(req, s.closes_at));
	}
	tmpl_set_bool(ctx, "shuffle_questions", s.shuffle_questions);
	tmpl_set_bool(ctx, "shuffle_choices", s.shuffle_choices);
	tmpl_set_bool(ctx, "published", s.published);
	quiz_edit_options(ctx, "methods", quiz_edit_methods, method_labels, (int)s.grading);
	for (int i = 0; i < QUIZ_REVIEW_PARTS; i++) {
		struct tmpl_ctx *r = tmpl_list_add(ctx, "reviews");

		tmpl_set(r, "name", review_keys[i]);
		tmpl_set(r, "label", review_names[i]);
		quiz_edit_options(r, "options", quiz_edit_reviews, review_labels, (int)s.review[i]);
	}
	for (int i = 0; i < ncats; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "categories");

		tmpl_set_int(c, "id", cats[i].id);
		tmpl_set(c, "name", cats[i].name);
		tmpl_set_int(c, "questions", cats[i].questions);
		tmpl_set_int(c, "drawn", cats[i].drawn);
	}
	tmpl_set_bool(ctx, "has_categories", ncats > 0);
	for (int i = 0; i < nbank; i++) {
		struct tmpl_ctx *q = tmpl_list_add(ctx, "questions");
		bool is_fixed = false;

		for (int j = 0; j < nfixed; j++)
			is_fixed |= fixed[j] == bank[i].id;
		tmpl_set_int(q, "id", bank[i].id);
		tmpl_set(q, "category", bank[i].category);
		tmpl_set(q, "kind", grade_kind_label(bank[i].kind));
		tmpl_set(q, "text", bank[i].text_md);
		tmpl_set_int(q, "points", bank[i].points);
		tmpl_set_bool(q, "retired", bank[i].retired);
		tmpl_set_bool(q, "fixed", is_fixed);
		tmpl_set_int(q, "attempts", bank[i].answers);
	}
	tmpl_set_bool(ctx, "has_questions", nbank > 0);
	/* FIELD_RAW values are not echoed by response_form(): this one is no secret. */
	if (status != 200)
		tmpl_set(form, "answers", request_str(req, "answers"));
	quiz_edit_kinds(ctx, request_field(req, "kind") != NULL && request_field(req, "kind")->present ?
			(enum grade_kind)request_int(req, "kind", 0) : GRADE_SINGLE);
	return response_page(req, status, "courses/manage_quiz", ctx);
}

static const struct field quiz_edit_page_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	RESPONSE_NOTICE_FIELD,
};

/*
 * The test of a page: /gestione/moduli/{id}/... or /gestione/livelli/{id}/...
 * (path field "id").  0, or the status answered (404).
 */
static int
quiz_edit_target(struct request *req, struct quiz_edit_target *t)
{
	bool level = strncmp(req->path, "/gestione/livelli/", 18) == 0, found;

	if ((level ? quiz_edit_target_level : quiz_edit_target_module)(req, request_int(req, "id", 0), t,
								      &found) == -1)
		return 500;
	return found ? 0 : response_error(req, 404, level ? "Livello di verifica non trovato." :
					  "Modulo non trovato.");
}

/* GET /gestione/moduli/{id}/test and /gestione/livelli/{id}/test: 200; 404; 500. */
static int
quiz_edit_page(struct request *req)
{
	struct quiz_edit_target t;
	int rc;

	if ((rc = quiz_edit_target(req, &t)) != 0)
		return rc;
	return quiz_edit_render(req, 200, &t, NULL);
}

static const struct field quiz_edit_settings_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	QUIZ_EDIT_SETTINGS_FIELDS("time_limit_minutes", "min_delay_minutes", 10080, 525600),
	{ "draw_category", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_MULTI, "Categoria" },
	{ "draw_count", FIELD_BODY, VALID_INT, 0, 100, NULL, FIELD_MULTI, "Domande da estrarre" },
	{ "fixed", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_MULTI, "Domanda fissa" },
};

/*
 * POST /gestione/moduli/{id}/test and /gestione/livelli/{id}/test: the
 * settings and draws (each category row a draw_category with its
 * draw_count, 0 for none; the questions always drawn checked as fixed):
 * 303; 400 with the form; 404; 500.
 */
static int
quiz_edit_settings_submit(struct request *req)
{
	const struct field_value *c = request_field(req, "draw_category"), *k = request_field(req, "draw_count"),
				 *f = request_field(req, "fixed");
	struct quiz_edit_draw *draws = arena_calloc(req->arena, QUIZ_EDIT_DRAWS_MAX + 1, sizeof(*draws));
	struct quiz_edit_target t;
	struct quiz_settings s;
	const char *problem, *field;
	int64_t quiz_id;
	int rc, n = 0;

	if ((rc = quiz_edit_target(req, &t)) != 0)
		return rc;
	if (req->nerrors > 0)
		return quiz_edit_render(req, 400, &t, NULL);
	if ((problem = quiz_edit_settings_read(req, 60, &s, &field)) != NULL) {
		response_field_error(req, strcmp(field, "time_limit_seconds") == 0 ? "time_limit_minutes" : field,
				     problem);
		return quiz_edit_render(req, 400, &t, NULL);
	}
	for (; c != NULL && c->present && k != NULL && n < QUIZ_EDIT_DRAWS_MAX; c = c->next, k = k->next)
		if (k->present && k->num > 0)
			draws[n++] = (struct quiz_edit_draw){ .category_id = c->num, .count = (int)k->num };
	for (; f != NULL && f->present && n < QUIZ_EDIT_DRAWS_MAX; f = f->next)
		draws[n++] = (struct quiz_edit_draw){ .question_id = f->num, .count = 1 };
	if ((problem = quiz_edit_draws_check(req, &t.scope, draws, n, s.published)) != NULL)
		return *problem ? quiz_edit_render(req, 400, &t, problem) : 500;
	if ((rc = quiz_edit_settings_store(req, &t.scope, &s, draws, n, &quiz_id)) == 1) {
		response_field_error(req, "closes_at", "La chiusura deve venire dopo l'apertura.");
		return quiz_edit_render(req, 400, &t, NULL);
	}
	if (rc == -1)
		return 500;
	return response_redirect(req, arena_printf(req->arena, "%s?esito=salvato", t.url));
}

/* The question form's fields, for a new question and for an edit. */
#define QUIZ_EDIT_QUESTION_FIELDS \
	{ "category", FIELD_BODY, VALID_TEXT, 1, 100, NULL, FIELD_REQUIRED, "Categoria" }, \
	{ "kind", FIELD_BODY, VALID_ENUM, 0, 0, quiz_edit_kind_names, FIELD_REQUIRED, "Tipo" }, \
	{ "text", FIELD_BODY, VALID_TEXT, 1, QUIZ_EDIT_TEXT_MAX, NULL, FIELD_REQUIRED | FIELD_MULTILINE, "Domanda" }, \
	/* Raw: blank lines kept, so that "Riga N" in a message is the line the trainer sees. */ \
	{ "answers", FIELD_BODY, VALID_TEXT, 1, 20000, NULL, FIELD_REQUIRED | FIELD_MULTILINE | FIELD_RAW, \
	  "Risposte" }, \
	{ "feedback", FIELD_BODY, VALID_TEXT, 0, QUIZ_EDIT_TEXT_MAX, NULL, FIELD_MULTILINE, "Spiegazione" }, \
	{ "points", FIELD_BODY, VALID_INT, 1, 100, NULL, 0, "Punti" }

/* The question in the form's fields; -1 with the field marked wrong. */
static int
quiz_edit_question_form(struct request *req, struct quiz_edit_question *q)
{
	const char *err = NULL, *feedback = request_str(req, "feedback");

	memset(q, 0, sizeof(*q));
	q->category = request_str(req, "category");
	q->kind = (enum grade_kind)request_int(req, "kind", 0);
	q->text = request_str(req, "text");
	q->feedback = feedback != NULL ? feedback : "";
	q->points = (int)request_int(req, "points", 1);
	if (grade_lines_parse(req->arena, q->kind, request_str(req, "answers"), &q->key, &err) == -1) {
		response_field_error(req, "answers", err);
		return -1;
	}
	return 0;
}

static const struct field quiz_edit_add_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Modulo" },
	QUIZ_EDIT_QUESTION_FIELDS,
};

/* POST /gestione/moduli/{id}/domande: 303 to the editor; 400 with the form; 404; 500. */
static int
quiz_edit_add_submit(struct request *req)
{
	struct quiz_edit_question in;
	struct quiz_edit_target t;
	const char *problem;
	int64_t id;
	int rc, status;

	if ((rc = quiz_edit_target(req, &t)) != 0)
		return rc;
	if (req->nerrors > 0 || quiz_edit_question_form(req, &in) == -1)
		return quiz_edit_render(req, 400, &t, NULL);
	if ((rc = quiz_edit_question_store(req, t.scope.module_id, NULL, &in, &id, &problem, &status)) != 0)
		return rc == 1 ? quiz_edit_render(req, status, &t, problem) : 500;
	return response_redirect(req, arena_printf(req->arena, "%s?esito=domanda#domande", t.url));
}

/* The editor of question q; problem for a refused save. */
static int
quiz_edit_question_render(struct request *req, int status, const struct quiz_question *q,
			  const char *problem)
{
	struct tmpl_ctx *ctx = response_ctx(req, arena_printf(req->arena, "Domanda %lld", (long long)q->id));
	struct tmpl_ctx *form = response_form(req, ctx);

	response_notice(req, ctx, quiz_edit_notices, ARRAY_SIZE(quiz_edit_notices));
	tmpl_set_int(ctx, "id", q->id);
	tmpl_set_int(ctx, "module_id", q->module_id);
	tmpl_set_bool(ctx, "retired", q->retired);
	tmpl_set_int(ctx, "attempts", q->answers);
	if (problem != NULL)
		tmpl_set(ctx, "problem", problem);
	if (status == 200) {
		const char *lines = grade_lines_format(req->arena, &q->key);

		/* Keys written through the API may hold what lines cannot say
		 * (a line break in a choice): then this form cannot edit them. */
		if (lines == NULL && problem == NULL)
			tmpl_set(ctx, "problem", "Le risposte di questa domanda non si possono scrivere una per "
				 "riga (contengono a capo o spazi ai bordi): modificale con l'API.");
		tmpl_set(form, "category", q->category);
		tmpl_set(form, "text", q->text_md);
		tmpl_set(form, "answers", lines);
		tmpl_set(form, "feedback", q->feedback_md);
		tmpl_set_int(form, "points", q->points);
	}
	if (status != 200)
		tmpl_set(form, "answers", request_str(req, "answers"));
	quiz_edit_kinds(ctx, status == 200 ? q->kind : (enum grade_kind)request_int(req, "kind", q->kind));
	return response_page(req, status, "courses/manage_question", ctx);
}

static const struct field quiz_edit_question_page_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Domanda" },
	RESPONSE_NOTICE_FIELD,
};

/* The question of a page (path field "id"); 0, or the status answered (404). */
static int
quiz_edit_question_get(struct request *req, struct quiz_question *q)
{
	bool found;

	if (quiz_db_question(req->db, req->arena, request_int(req, "id", 0), q, &found) == -1)
		return 500;
	return found ? 0 : response_error(req, 404, "Domanda non trovata.");
}

/* GET /gestione/domande/{id}: 200; 404; 500. */
static int
quiz_edit_question_page(struct request *req)
{
	struct quiz_question q;
	int rc;

	if ((rc = quiz_edit_question_get(req, &q)) != 0)
		return rc;
	return quiz_edit_question_render(req, 200, &q, NULL);
}

static const struct field quiz_edit_save_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Domanda" },
	QUIZ_EDIT_QUESTION_FIELDS,
};

/* POST /gestione/domande/{id}: 303; 400 with the form; 404; 409 the key's shape is fixed; 500. */
static int
quiz_edit_question_submit(struct request *req)
{
	struct quiz_edit_question in;
	struct quiz_question q;
	const char *problem;
	int64_t id;
	int rc, status;

	if ((rc = quiz_edit_question_get(req, &q)) != 0)
		return rc;
	if (req->nerrors > 0 || quiz_edit_question_form(req, &in) == -1)
		return quiz_edit_question_render(req, 400, &q, NULL);
	if ((rc = quiz_edit_question_store(req, q.module_id, &q, &in, &id, &problem, &status)) != 0)
		return rc == 1 ? quiz_edit_question_render(req, status, &q, problem) : 500;
	return response_redirect(req, arena_printf(req->arena, "/gestione/domande/%lld?esito=domanda",
						   (long long)id));
}

static const struct field quiz_edit_retire_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Domanda" },
	{ "retired", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Ritirata" },
};

/* POST /gestione/domande/{id}/ritira (retired=1 or 0): 303; 404; 500. */
static int
quiz_edit_retire_submit(struct request *req)
{
	struct quiz_question q;
	bool retire = request_int(req, "retired", 1) != 0;
	int rc;

	if ((rc = quiz_edit_question_get(req, &q)) != 0)
		return rc;
	if (quiz_db_question_retire(req->db, q.id, retire) == -1)
		return 500;
	return response_redirect(req, arena_printf(req->arena, "/gestione/domande/%lld?esito=%s",
						   (long long)q.id, retire ? "ritirata" : "ripristinata"));
}

static const struct field quiz_edit_stats_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Test" },
	RESPONSE_NOTICE_FIELD,
};

/* GET /gestione/test/{id}/statistiche: 200; 404; 500. */
static int
quiz_edit_stats_page(struct request *req)
{
	struct quiz_edit_stats s;
	struct tmpl_ctx *ctx;
	bool found;

	if (quiz_edit_stats_read(req, request_int(req, "id", 0), &s, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Test non trovato.");
	ctx = response_ctx(req, arena_printf(req->arena, "Statistiche: %s", s.quiz.title));
	response_notice(req, ctx, quiz_edit_notices, ARRAY_SIZE(quiz_edit_notices));
	tmpl_set_int(ctx, "quiz_id", s.quiz.id);
	tmpl_set(ctx, "quiz_title", s.quiz.title);
	tmpl_set_int(ctx, "module_id", s.quiz.module_id);
	tmpl_set_int(ctx, "attempts", s.attempts);
	tmpl_setf(ctx, "mean", "%d%%", (int)floor(s.mean * 100 + 0.5));
	for (int i = 0; i < QUIZ_EDIT_BUCKETS; i++) {
		struct tmpl_ctx *b = tmpl_list_add(ctx, "buckets");

		tmpl_setf(b, "range", "%d–%d%%", i * 10, i == QUIZ_EDIT_BUCKETS - 1 ? 100 : i * 10 + 9);
		tmpl_set_int(b, "count", s.buckets[i]);
		tmpl_set_int(b, "percent", s.attempts > 0 ? s.buckets[i] * 100 / s.attempts : 0);
	}
	for (int i = 0; i < s.nitems; i++) {
		const struct quiz_edit_item *it = &s.items[i];
		struct tmpl_ctx *q = tmpl_list_add(ctx, "questions");

		tmpl_set_int(q, "id", it->q->id);
		tmpl_set(q, "text", it->q->text_md);
		tmpl_set(q, "kind", grade_kind_label(it->q->kind));
		tmpl_set_int(q, "n", it->n);
		tmpl_setf(q, "facility", "%d%%", (int)floor(it->st.facility * 100 + 0.5));
		tmpl_set(q, "discrimination", it->st.has_discrimination ?
			 arena_printf(req->arena, "%.2f", it->st.discrimination) : "–");
		tmpl_set(q, "flag", quiz_edit_flag(it));
	}
	tmpl_set_bool(ctx, "has_questions", s.nitems > 0);
	return response_page(req, 200, "courses/quiz_stats", ctx);
}

/* GET /gestione/test/{id}/statistiche.csv: 200 one row per question; 404; 500. */
static int
quiz_edit_stats_csv(struct request *req)
{
	static const char *const header[] = {
		"Domanda", "Tipo", "Testo", "Tentativi", "Facilità (%)", "Discriminazione", "Segnalazione",
	};
	struct quiz_edit_stats s;
	bool found;

	if (quiz_edit_stats_read(req, request_int(req, "id", 0), &s, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Test non trovato.");
	buf_adds(&req->body, CSV_BOM);
	csv_row(&req->body, header, (int)ARRAY_SIZE(header));
	for (int i = 0; i < s.nitems; i++) {
		const struct quiz_edit_item *it = &s.items[i];
		char *disc = it->st.has_discrimination ? arena_printf(req->arena, "%.2f", it->st.discrimination) : "";
		const char *cells[] = {
			arena_printf(req->arena, "%lld", (long long)it->q->id), grade_kind_label(it->q->kind),
			it->q->text_md, arena_printf(req->arena, "%d", it->n),
			arena_printf(req->arena, "%d", (int)floor(it->st.facility * 100 + 0.5)), disc,
			quiz_edit_flag(it),
		};
		/* Italian spreadsheets read a comma as the decimal separator. */
		for (char *p = disc; *p; p++)
			if (*p == '.')
				*p = ',';
		csv_row(&req->body, cells, (int)ARRAY_SIZE(cells));
	}
	response_header(req, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"statistiche-test-%lld.csv\"",
				     (long long)s.quiz.id));
	req->content_type = "text/csv; charset=utf-8";
	req->status = 200;
	return 200;
}

static const struct field quiz_edit_regrade_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Test" },
};

/* POST /gestione/test/{id}/ricalcola: 303 to the statistics; 404; 500.  Audited. */
static int
quiz_edit_regrade_submit(struct request *req)
{
	struct quiz q;
	int attempts, changed;
	bool found;

	if (quiz_db_get(req->db, req->arena, request_int(req, "id", 0), 0, true, &q, NULL, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Test non trovato.");
	if (quiz_regrade(req, q.id, &attempts, &changed) == -1 ||
	    account_db_audit(req->db, req->user->id, "quiz_regrade", q.id,
			     arena_printf(req->arena, "%d/%d", changed, attempts), req->client_addr) == -1)
		return 500;
	return response_redirect(req, arena_printf(req->arena, "/gestione/test/%lld/statistiche?esito=ricalcolato",
						   (long long)q.id));
}

static const struct route quiz_edit_routes[] = {
	{ METHOD_GET, "/gestione/moduli/{id}/test", quiz_edit_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(quiz_edit_page_fields), "quiz.manage" },
	{ METHOD_POST, "/gestione/moduli/{id}/test", quiz_edit_settings_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(quiz_edit_settings_fields), "quiz.manage.settings" },
	{ METHOD_GET, "/gestione/livelli/{id}/test", quiz_edit_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(quiz_edit_page_fields), "quiz.manage.level" },
	{ METHOD_POST, "/gestione/livelli/{id}/test", quiz_edit_settings_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(quiz_edit_settings_fields), "quiz.manage.level_settings" },
	{ METHOD_POST, "/gestione/moduli/{id}/domande", quiz_edit_add_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(quiz_edit_add_fields), "quiz.manage.add" },
	{ METHOD_GET, "/gestione/domande/{id}", quiz_edit_question_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(quiz_edit_question_page_fields), "quiz.manage.question" },
	{ METHOD_POST, "/gestione/domande/{id}", quiz_edit_question_submit, COURSE_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(quiz_edit_save_fields), "quiz.manage.save" },
	{ METHOD_POST, "/gestione/domande/{id}/ritira", quiz_edit_retire_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(quiz_edit_retire_fields), "quiz.manage.retire" },
	{ METHOD_GET, "/gestione/test/{id}/statistiche", quiz_edit_stats_page, COURSE_STAFF, 0,
	  ROUTER_FIELDS(quiz_edit_stats_fields), "quiz.manage.stats" },
	{ METHOD_GET, "/gestione/test/{id}/statistiche.csv", quiz_edit_stats_csv, COURSE_STAFF, 0,
	  ROUTER_FIELDS(quiz_edit_regrade_fields), "quiz.manage.stats_csv" },
	{ METHOD_POST, "/gestione/test/{id}/ricalcola", quiz_edit_regrade_submit, COURSE_STAFF, 0,
	  ROUTER_FIELDS(quiz_edit_regrade_fields), "quiz.manage.regrade" },
	{ METHOD_GET, "/api/v1/modules/{id}/questions", quiz_edit_api_bank, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(quiz_edit_id_fields), "api.quiz.bank" },
	{ METHOD_POST, "/api/v1/modules/{id}/questions", quiz_edit_api_create, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(quiz_edit_id_fields), "api.quiz.question_create" },
	{ METHOD_PATCH, "/api/v1/questions/{id}", quiz_edit_api_update, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(quiz_edit_id_fields), "api.quiz.question_update" },
	{ METHOD_DELETE, "/api/v1/questions/{id}", quiz_edit_api_retire, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(quiz_edit_id_fields), "api.quiz.question_retire" },
	{ METHOD_PUT, "/api/v1/modules/{id}/quiz", quiz_edit_api_settings, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(quiz_edit_api_settings_fields), "api.quiz.settings" },
	{ METHOD_PUT, "/api/v1/levels/{id}/quiz", quiz_edit_api_settings, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(quiz_edit_api_settings_fields), "api.quiz.level_settings" },
	{ METHOD_GET, "/api/v1/quizzes/{id}/statistics", quiz_edit_api_stats, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(quiz_edit_id_fields), "api.quiz.statistics" },
	{ METHOD_POST, "/api/v1/quizzes/{id}/regrade", quiz_edit_api_regrade, COURSE_STAFF, ROUTE_API,
	  ROUTER_FIELDS(quiz_edit_id_fields), "api.quiz.regrade" },
};

void
quiz_edit_register(struct router *r)
{
	router_add(r, quiz_edit_routes, ARRAY_SIZE(quiz_edit_routes));
}
