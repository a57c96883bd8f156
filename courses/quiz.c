/*
 * quiz.c - final tests: start, answer, submit, review (see quiz.h).
 *
 * Every change of an attempt's state runs in a transaction that first
 * locks the learner's enrolment row and then the attempt: one learner's
 * starts and submissions are serialised (no two attempts in progress, no
 * course completion missed between two tests submitted at once), while
 * different learners never wait for each other.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "certificate.h"
#include "course.h"
#include "course_db.h"
#include "db.h"
#include "grade.h"
#include "json.h"
#include "quiz.h"
#include "quiz_db.h"
#include "quiz_keys.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "tmpl.h"
#include "valid.h"

/* The answer of one question as the submission body may carry it. */
#define QUIZ_ANSWER_JSON_MAX 4096

static bool
quiz_staff(const struct request *req)
{
	return req->user != NULL && (req->user->roles & COURSE_STAFF);
}

/* A share (0..1) as a whole percentage, rounded half up. */
static int
quiz_percent(double share)
{
	return (int)floor(share * 100 + 0.5);
}

/* Whether the learner may now see part of a submitted attempt of q. */
static bool
quiz_may_review(const struct quiz *q, enum quiz_review_part part)
{
	return q->review[part] == QUIZ_REVIEW_IMMEDIATELY ||
	       (q->review[part] == QUIZ_REVIEW_AFTER_CLOSE && q->closed);
}

/* The ids of it's choices (matching: options) in the order the learner sees them. */
static int
quiz_item_ids(const struct quiz_item *it, int ids[GRADE_ITEMS_MAX])
{
	if (it->norder > 0) {
		memcpy(ids, it->order, (size_t)it->norder * sizeof(*ids));
		return it->norder;
	}
	if (it->kind == GRADE_MATCHING)
		return grade_matching_options(&it->key, ids);
	for (int i = 0; i < it->key.nitems; i++)
		ids[i] = i + 1;
	return it->key.nitems;
}

/*
 * Grades at, an attempt of q held locked by the caller's transaction
 * (open, or submitted for a regrade), and stores the learner's grade for
 * q and, when it completes the course, the course's completion.
 */
static int
quiz_grade(struct request *req, const struct quiz *q, struct quiz_attempt *at, bool *completed)
{
	double *scores = arena_calloc(req->arena, (size_t)at->nitems + 1, sizeof(*scores));
	double earned = 0, total = 0, score, *all, grade;
	bool passed;
	int nall;

	for (int i = 0; i < at->nitems; i++) {
		const struct quiz_item *it = &at->items[i];

		scores[i] = grade_score(&it->key, it->answered ? &it->answer : NULL);
		earned += scores[i] * it->points;
		total += it->points;
	}
	score = total > 0 ? earned / total : 0;
	/* The pass mark compares whole percentages as the learner reads them. */
	if (quiz_db_attempt_grade(req->db, req->arena, at, scores, score,
				  quiz_percent(score) >= q->pass_percent, &all, &nall) == -1)
		return -1;
	grade = grade_combine(q->grading, all, nall);
	passed = quiz_percent(grade) >= q->pass_percent;
	if (quiz_db_grade_store(req->db, q->id, at->user_id, q->course_id, grade, passed, completed) == -1)
		return -1;
	/* A level earned is certified in the same transaction as the grade
	 * that earns it: the final tests' level when this grade completes
	 * the course, a verification level when one of its tests is passed. */
	if ((*completed || (q->verification && passed)) &&
	    certificate_award(req->db, req->arena, at->user_id, q->course_id) < 0)
		return -1;
	return 0;
}

/* An answer given with a submission: the question and its stored JSON. */
struct quiz_pending {
	int64_t question_id;
	const char *json;	/* grade_answer_json() output, NULL to clear */
};

/*
 * Closes attempt attempt_id of quiz q: saves pending answers (those that
 * still make the deadline), grades it unless it already was, commits,
 * and leaves it, as stored, in *at.  Returns 0, or -1 on a database error.
 */
static int
quiz_close(struct request *req, const struct quiz *q, int64_t attempt_id,
	   const struct quiz_pending *pending, int npending, struct quiz_attempt *at,
	   bool *completed)
{
	enum quiz_save saved;
	bool enrolled, found;
	int rc = -1;

	*completed = false;
	if (db_begin(req->db) == -1 ||
	    quiz_db_lock_enrolment(req->db, req->user->id, q->course_id, &enrolled) == -1 ||
	    quiz_db_attempt_lock(req->db, req->arena, attempt_id, at, &found) == -1 || !found)
		goto out;
	if (at->submitted_at == NULL) {
		/* Answers sent with the submission count only before the
		 * deadline: a late one is graded with what was saved in time. */
		for (int i = 0; i < npending; i++)
			if (quiz_db_answer_save(req->db, req->arena, attempt_id, pending[i].question_id,
						req->user->id, pending[i].json, &saved) == -1)
				goto out;
		if (npending > 0 && quiz_db_attempt_lock(req->db, req->arena, attempt_id, at, &found) == -1)
			goto out;
		if (quiz_grade(req, q, at, completed) == -1)
			goto out;
	}
	/* *at is what was read under the lock, graded in memory as stored. */
	if (db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

/*
 * Attempt id of req's user with its quiz: *found false when there is no
 * such attempt or it is someone else's (the same 404 for both, so ids
 * reveal nothing).  An attempt past its deadline is graded first.
 */
static int
quiz_attempt_load(struct request *req, int64_t id, struct quiz_attempt *at, struct quiz *q,
		  bool quiz_known, bool *found)
{
	bool completed;

	if (quiz_db_attempt(req->db, req->arena, id, at, found) == -1)
		return -1;
	if (!*found || at->user_id != req->user->id)
		return *found = false, 0;
	/* The saves that follow check their answers against these keys. */
	for (int i = 0; at->submitted_at == NULL && i < at->nitems; i++)
		quiz_keys_put(at->items[i].question_id, at->items[i].kind, at->items[i].spec);
	if (quiz_known)
		*found = q->id == at->quiz_id;
	else if (quiz_db_get(req->db, req->arena, at->quiz_id, 0, true, q, NULL, found) == -1)
		return -1;
	if (*found && at->overdue)
		return quiz_close(req, q, id, NULL, 0, at, &completed);
	return 0;
}

/* quiz_db_get() for req's user, with when a verification test opens for them. */
static int
quiz_read(struct request *req, int64_t id, bool drafts, struct quiz *q, struct quiz_standing *st,
	  bool *found)
{
	if (quiz_db_get(req->db, req->arena, id, req->user->id, drafts, q, st, found) == -1)
		return -1;
	if (!*found || !q->verification)
		return 0;
	return certificate_verification_opens(req->db, req->arena, q->id, req->user->id,
					      &st->verification_opens, &st->verification_open);
}

/* Why a learner may not start an attempt now, or NULL; *status is the HTTP status. */
static const char *
quiz_refusal(struct request *req, const struct quiz *q, const struct quiz_standing *st, int *status)
{
	*status = 409;
	if (!st->enrolled)
		return *status = 403, "Per fare il test devi essere iscritto al corso.";
	if (q->not_yet_open)
		return "Il test non è ancora aperto.";
	if (q->closed)
		return "Il test è chiuso.";
	if (q->verification && !st->verification_open)
		return st->verification_opens == NULL ?
		       "Il test di verifica si apre dopo la certificazione del livello precedente." :
		       arena_printf(req->arena, "Il test di verifica si apre il %s.", st->verification_opens);
	if (q->attempts_allowed > 0 && st->attempts >= q->attempts_allowed)
		return q->attempts_allowed == 1 ? "Hai già usato l'unico tentativo disponibile." :
		       arena_printf(req->arena, "Hai già usato tutti i %d tentativi disponibili.",
				    q->attempts_allowed);
	if (st->wait_seconds > 0)
		return arena_printf(req->arena, "Potrai fare un nuovo tentativo tra %d minut%s.",
				    (st->wait_seconds + 59) / 60, (st->wait_seconds + 59) / 60 == 1 ? "o" : "i");
	return NULL;
}

/*
 * Starts an attempt of quiz_id for req's user or resumes the one in
 * progress.  Returns 0 with *attempt_id and *created, 1 when refused
 * (*problem and *status say why), or -1 on a database error.
 */
static int
quiz_start(struct request *req, int64_t quiz_id, struct quiz *q, int64_t *attempt_id, bool *created,
	   const char **problem, int *status)
{
	struct quiz_standing st;
	struct quiz_attempt at;
	bool found, enrolled, completed;
	int drawn, rc = -1;

	*created = false;
	*attempt_id = 0;
	for (int pass = 0;; pass++) {
		/* Under the enrolment's lock: another tab may be starting too. */
		if (db_begin(req->db) == -1 ||
		    quiz_db_lock_enrolment_for_quiz(req->db, req->user->id, quiz_id, &enrolled) == -1 ||
		    quiz_read(req, quiz_id, false, q, &st, &found) == -1)
			goto out;
		if (!found) {
			*status = 404, *problem = "Test non trovato.", rc = 1;
			goto out;
		}
		if (pass > 0 || st.open_attempt == 0 || !st.open_overdue)
			break;
		/* An attempt left past its deadline is graded first, in a
		 * transaction of its own, and then the start is read again. */
		db_rollback(req->db);
		if (quiz_close(req, q, st.open_attempt, NULL, 0, &at, &completed) == -1)
			return -1;
	}
	if (st.open_attempt > 0 && !st.open_overdue) {
		*attempt_id = st.open_attempt;
		rc = 0;
		goto out;
	}
	if ((*problem = quiz_refusal(req, q, &st, status)) != NULL) {
		rc = 1;
		goto out;
	}
	if ((*attempt_id = quiz_db_attempt_create(req->db, q, req->user->id, st.attempts + 1,
						  &drawn)) < 0)
		goto out;
	if (drawn == 0 || drawn < q->nquestions) {
		*status = 409, rc = 1;
		*problem = "Il test non è pronto: le domande disponibili sono meno di quelle previste. "
			   "Avvisa i formatori.";
		goto out;
	}
	if (db_commit(req->db) == -1)
		goto out;
	*created = true;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

int
quiz_regrade(struct request *req, int64_t quiz_id, int *attempts, int *changed)
{
	struct quiz_attempt at;
	struct quiz q;
	int64_t *ids;
	bool found, enrolled, completed;
	int n;

	*attempts = *changed = 0;
	if (quiz_db_get(req->db, req->arena, quiz_id, 0, true, &q, NULL, &found) == -1 || !found ||
	    quiz_db_submitted(req->db, req->arena, quiz_id, &ids, &n) == -1)
		return -1;
	for (int i = 0; i < n; i++) {
		double before;

		/* The enrolment before the attempt, in the order submissions lock them. */
		if (quiz_db_attempt(req->db, req->arena, ids[i], &at, &found) == -1 || !found ||
		    db_begin(req->db) == -1 ||
		    quiz_db_lock_enrolment(req->db, at.user_id, q.course_id, &enrolled) == -1 ||
		    quiz_db_attempt_lock(req->db, req->arena, ids[i], &at, &found) == -1 || !found)
			goto fail;
		before = at.score;
		if (quiz_grade(req, &q, &at, &completed) == -1 || db_commit(req->db) == -1)
			goto fail;
		(*attempts)++;
		*changed += fabs(at.score - before) > 1e-9;
	}
	return 0;
fail:
	db_rollback(req->db);
	return -1;
}

/* ---- JSON ---- */

static void
quiz_json(struct json_writer *w, const char *key, const struct quiz *q,
	  const struct quiz_standing *st)
{
	json_obj_open(w, key);
	json_int(w, "id", q->id);
	json_int(w, "course_id", q->course_id);
	json_int(w, "module_id", q->module_id);
	json_str(w, "title", q->title);
	json_str(w, "intro_html", q->intro_html);
	json_int(w, "questions", q->nquestions);
	json_int(w, "pass_percent", q->pass_percent);
	if (q->time_limit_seconds > 0)
		json_int(w, "time_limit_seconds", q->time_limit_seconds);
	else
		json_null(w, "time_limit_seconds");
	json_int(w, "attempts_allowed", q->attempts_allowed);
	json_int(w, "min_delay_seconds", q->min_delay_seconds);
	json_str(w, "grading", grade_method_name(q->grading));
	json_str(w, "opens_at", q->opens_at);
	json_str(w, "closes_at", q->closes_at);
	json_bool(w, "open", !q->not_yet_open && !q->closed);
	if (st != NULL) {
		json_obj_open(w, "standing");
		json_bool(w, "enrolled", st->enrolled);
		json_int(w, "attempts", st->attempts);
		if (st->open_attempt > 0)
			json_int(w, "attempt_in_progress", st->open_attempt);
		else
			json_null(w, "attempt_in_progress");
		json_int(w, "wait_seconds", st->wait_seconds);
		if (st->graded) {
			json_int(w, "grade_percent", quiz_percent(st->grade));
			json_bool(w, "passed", st->passed);
		} else {
			json_null(w, "grade_percent");
			json_bool(w, "passed", false);
		}
		json_obj_close(w);
	}
	json_obj_close(w);
}

/* A question of an attempt as its learner may see it now. */
static void
quiz_item_json(struct json_writer *w, const struct quiz *q, const struct quiz_attempt *at,
	       const struct quiz_item *it)
{
	bool done = at->submitted_at != NULL;
	int ids[GRADE_ITEMS_MAX], n = quiz_item_ids(it, ids);

	json_obj_open(w, NULL);
	json_int(w, "id", it->question_id);
	json_int(w, "position", it->position);
	json_str(w, "kind", grade_kind_name(it->kind));
	json_str(w, "text_html", it->text_html);
	json_int(w, "points", it->points);
	if (it->kind == GRADE_SINGLE || it->kind == GRADE_MULTIPLE) {
		json_arr_open(w, "choices");
		for (int i = 0; i < n; i++) {
			json_obj_open(w, NULL);
			json_int(w, "id", ids[i]);
			json_str(w, "text", it->key.items[ids[i] - 1].text);
			json_obj_close(w);
		}
		json_arr_close(w);
	} else if (it->kind == GRADE_MATCHING) {
		json_arr_open(w, "prompts");
		for (int i = 0; i < it->key.nitems; i++) {
			json_obj_open(w, NULL);
			json_int(w, "id", i + 1);
			json_str(w, "text", it->key.items[i].text);
			json_obj_close(w);
		}
		json_arr_close(w);
		json_arr_open(w, "options");
		for (int i = 0; i < n; i++) {
			json_obj_open(w, NULL);
			json_int(w, "id", ids[i]);
			json_str(w, "text", it->key.items[ids[i] - 1].match);
			json_obj_close(w);
		}
		json_arr_close(w);
	}
	if (!done || quiz_may_review(q, QUIZ_REVIEW_ANSWERS)) {
		if (it->answered)
			grade_answer_json(w, "answer", &it->key, &it->answer);
		else
			json_null(w, "answer");
	}
	if (done && quiz_may_review(q, QUIZ_REVIEW_CORRECTNESS) && it->scored) {
		json_int(w, "score_percent", quiz_percent(it->score));
		json_bool(w, "correct", it->score >= 1 - 1e-9);
	}
	if (done && quiz_may_review(q, QUIZ_REVIEW_FEEDBACK))
		json_str(w, "feedback_html", it->feedback_html);
	if (done && quiz_may_review(q, QUIZ_REVIEW_RIGHT_ANSWERS))
		grade_question_json(w, "right_answer", &it->key);
	json_obj_close(w);
}

static void
quiz_attempt_json(struct json_writer *w, const struct quiz *q, const struct quiz_attempt *at,
		  bool completed)
{
	json_obj_open(w, NULL);
	json_int(w, "id", at->id);
	json_int(w, "quiz_id", at->quiz_id);
	json_int(w, "number", at->number);
	json_str(w, "state", at->submitted_at != NULL ? "submitted" : "open");
	json_str(w, "started_at", at->started_at);
	json_str(w, "deadline", at->deadline);
	if (at->deadline != NULL && at->submitted_at == NULL)
		json_int(w, "seconds_left", at->seconds_left);
	json_str(w, "submitted_at", at->submitted_at);
	if (at->submitted_at != NULL) {
		json_int(w, "score_percent", quiz_percent(at->score));
		json_bool(w, "passed", at->passed);
		json_bool(w, "course_completed", completed);
	}
	json_arr_open(w, "questions");
	for (int i = 0; i < at->nitems; i++)
		quiz_item_json(w, q, at, &at->items[i]);
	json_arr_close(w);
	json_obj_close(w);
}

/* ---- answers ---- */

/*
 * Parses answer (a JSON value from the client) to it and writes its
 * stored form into *json (arena).  Returns 0, or -1 with *err.
 */
static int
quiz_answer_canonical(struct request *req, const struct grade_question *key,
		      const struct json_value *answer, const char **json, const char **err)
{
	struct grade_answer ans;
	struct json_writer w;
	struct buf b;

	if (grade_answer_parse(req->arena, key, answer, &ans, err) == -1)
		return -1;
	buf_init(&b, QUIZ_ANSWER_JSON_MAX);
	json_writer_init(&w, &b);
	grade_answer_json(&w, NULL, key, &ans);
	*json = b.err ? NULL : arena_strdup(req->arena, b.data);
	buf_release(&b);
	if (*json == NULL)
		return *err = "Risposta troppo lunga.", -1;
	return 0;
}

static const struct quiz_item *
quiz_item_find(const struct quiz_attempt *at, int64_t question_id)
{
	for (int i = 0; i < at->nitems; i++)
		if (at->items[i].question_id == question_id)
			return &at->items[i];
	return NULL;
}

/* The message of a save refused because the attempt (deadline, submitted_at: ISO 8601) is over. */
static const char *
quiz_closed_message(const char *deadline, const char *submitted_at)
{
	/* An attempt graded at its deadline was closed by the clock, not by the learner. */
	bool timed_out = deadline != NULL && (submitted_at == NULL || strcmp(submitted_at, deadline) >= 0);

	return timed_out ? "Il tempo a disposizione è scaduto: vale quanto avevi salvato entro la scadenza." :
	       "Il tentativo è già stato consegnato.";
}

/* ---- API ---- */

static const struct field quiz_api_module_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Modulo" },
};

/* GET /api/v1/modules/{id}/quiz: 200 the module's test and the user's standing; 404; 500. */
static int
quiz_api_module(struct request *req)
{
	struct quiz_standing st;
	struct json_writer w;
	struct quiz q;
	bool found;

	if (quiz_db_for_module(req->db, req->arena, request_int(req, "id", 0), req->user->id,
			       quiz_staff(req), &q, &st, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Questo modulo non ha un test finale.");
	json_writer_init(&w, &req->body);
	quiz_json(&w, NULL, &q, &st);
	return response_json(req, 200);
}

static const struct field quiz_api_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
};

/*
 * Writes attempt id of req's user as the response; 404 if not theirs.
 * q is the attempt's quiz when the caller has it, else NULL.
 */
static int
quiz_api_attempt_reply(struct request *req, int status, int64_t id, const struct quiz *known)
{
	struct quiz_attempt at;
	struct json_writer w;
	struct quiz q;
	bool found;

	if (known != NULL)
		q = *known;
	if (quiz_attempt_load(req, id, &at, &q, known != NULL, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Tentativo non trovato.");
	json_writer_init(&w, &req->body);
	quiz_attempt_json(&w, &q, &at, false);
	return response_json(req, status);
}

/*
 * POST /api/v1/quizzes/{id}/attempts: 201 a new attempt, 200 the one in
 * progress; 403 not enrolled; 404; 409 not open, no attempts left, too
 * soon, bank too small; 500.
 */
static int
quiz_api_start(struct request *req)
{
	const char *problem = NULL;
	int64_t attempt_id;
	struct quiz q;
	bool created;
	int status, rc;

	rc = quiz_start(req, request_int(req, "id", 0), &q, &attempt_id, &created, &problem, &status);
	if (rc == -1)
		return 500;
	if (rc == 1)
		return response_json_error(req, status, status == 403 ? "not_enrolled" :
					   status == 404 ? "not_found" : "not_allowed", problem);
	return quiz_api_attempt_reply(req, created ? 201 : 200, attempt_id, &q);
}

/* GET /api/v1/attempts/{id}: 200; 404 (also someone else's); 500. */
static int
quiz_api_attempt(struct request *req)
{
	return quiz_api_attempt_reply(req, 200, request_int(req, "id", 0), NULL);
}

static const struct field quiz_api_answer_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	{ "question", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "question" },
};

/*
 * The answer in req's body checked against the key of question qid (kind,
 * spec text) into its stored form *json.  Returns 0, or -1 with *err.
 */
static int
quiz_answer_check(struct request *req, enum grade_kind kind, const char *spec, const char **json,
		  const char **err)
{
	struct grade_question key;
	const struct json_value *v;

	if ((v = json_parse(req->arena, spec, strlen(spec), err)) == NULL ||
	    grade_question_parse(req->arena, kind, v, &key, err) == -1)
		return *err = "Chiave della domanda non leggibile.", -1;
	if (req->json == NULL)
		return *err = "Manca la risposta (un oggetto JSON).", -1;
	return quiz_answer_canonical(req, &key, req->json, json, err);
}

/* The answer of a saved answer, an empty one (DELETE) or not. */
static int
quiz_answer_saved(struct request *req, int64_t qid, bool cleared)
{
	struct json_writer w;

	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "question_id", qid);
	json_bool(&w, "saved", true);
	json_bool(&w, "cleared", cleared);
	json_obj_close(&w);
	return response_json(req, 200);
}

/*
 * The save of an answer that was not saved at once: reads the attempt
 * first, so as to answer with the right status when it is refused.  200
 * saved; 400 a wrong answer; 404 not the user's attempt, or a question
 * not in it; 409 submitted or past the deadline; 500.
 */
static int
quiz_answer_checked(struct request *req)
{
	int64_t id = request_int(req, "id", 0), qid = request_int(req, "question", 0);
	struct quiz_save_target t;
	enum quiz_save saved;
	const char *json = NULL, *err;
	bool found;

	if (quiz_db_save_target(req->db, req->arena, id, qid, &t, &found) == -1)
		return 500;
	if (!found || t.user_id != req->user->id)
		return response_json_error(req, 404, "not_found", "Tentativo non trovato.");
	if (t.overdue) {
		/* Graded now, with what was saved in time. */
		struct quiz_attempt at;
		struct quiz q;

		if (quiz_attempt_load(req, id, &at, &q, false, &found) == -1)
			return 500;
		return response_json_error(req, 409, "closed", quiz_closed_message(at.deadline, at.submitted_at));
	}
	if (!t.in_attempt)
		return response_json_error(req, 404, "not_found", "La domanda non fa parte di questo tentativo.");
	quiz_keys_put(qid, t.kind, t.spec);
	if (req->method == METHOD_PUT && quiz_answer_check(req, t.kind, t.spec, &json, &err) == -1)
		return response_json_error(req, 400, "bad_answer", err);
	if (t.submitted_at != NULL)
		return response_json_error(req, 409, "closed", quiz_closed_message(t.deadline, t.submitted_at));
	if (quiz_db_answer_save(req->db, req->arena, id, qid, req->user->id, json, &saved) == -1)
		return 500;
	if (saved == QUIZ_SAVE_REFUSED)
		return response_json_error(req, 409, "closed", quiz_closed_message(t.deadline, NULL));
	return quiz_answer_saved(req, qid, json == NULL);
}

/* ---- answer saves, many in one commit (batch.h) ---- */

#define QUIZ_SAVES_MAX 256	/* answers saved by one statement */

static struct batch *quiz_saves;

/* A save handed to quiz_saves by a deferred request. */
struct quiz_deferred_save {
	struct batch_item item;		/* first: what batch.c sees */
	struct quiz_answer_write w;
	bool done;			/* the batch ran it: w.saved tells how it ended */
};

/*
 * Saves the answers of one batch: one statement for all of them, unless
 * some attempt has several (two tabs): then its later saves go in the
 * statements that follow, one per attempt each time, in arrival order, so
 * that the last answer sent is the one kept, as one at a time.
 */
static int
quiz_saves_run(struct db *db, struct arena *a, struct batch_item **items, int n)
{
	struct quiz_answer_write *w = arena_calloc(a, (size_t)n, sizeof(*w));
	struct quiz_deferred_save **round = arena_calloc(a, (size_t)n, sizeof(*round));
	int pending = n;

	while (pending > 0) {
		int m = 0;

		/* The first save not yet done of each attempt. */
		for (int i = 0; i < n; i++) {
			struct quiz_deferred_save *sv = (struct quiz_deferred_save *)items[i];
			bool later = false;

			for (int j = 0; j < i && !later; j++) {
				const struct quiz_deferred_save *before =
					(const struct quiz_deferred_save *)items[j];

				later = !before->done && before->w.attempt_id == sv->w.attempt_id;
			}
			if (sv->done || later)
				continue;
			round[m] = sv;
			w[m++] = sv->w;
		}
		/* A failed statement saved nothing: each request saves its own. */
		if (quiz_db_answers_save(db, a, w, m) == -1)
			break;
		for (int j = 0; j < m; j++) {
			round[j]->w.saved = w[j].saved;
			round[j]->done = true;
		}
		pending -= m;
	}
	return n - pending;
}

/* On the request's thread, once its connection is set aside. */
static void
quiz_save_hand_off(void *arg)
{
	batch_add(quiz_saves, arg);
}

/*
 * On the request's thread, once the batch ran (or not, while the server
 * stops): 200 when saved, else what quiz_answer_checked() answers.
 */
static int
quiz_save_resume(struct request *req, void *arg)
{
	const struct quiz_deferred_save *sv = arg;

	if (sv->done && sv->w.saved)
		return quiz_answer_saved(req, sv->w.question_id, sv->w.json == NULL);
	return quiz_answer_checked(req);
}

int
quiz_saves_start(const char *conninfo)
{
	quiz_saves = batch_start("quiz_saves", conninfo, QUIZ_SAVES_MAX, quiz_saves_run);
	return quiz_saves != NULL ? 0 : -1;
}

void
quiz_saves_stop(void)
{
	batch_stop(quiz_saves);
	quiz_saves = NULL;
}

/*
 * PUT /api/v1/attempts/{id}/answers/{question} with the answer object, or
 * DELETE to clear it: 200 {question_id, saved, cleared}; 400 a wrong
 * answer (forged choice...); 404 no such attempt of the user, or a
 * question not in it; 409 submitted or past the deadline; 500.  Two tabs
 * may save at will: each question keeps the last answer saved.
 *
 * The learners' busiest request.  Its usual way costs no read: the
 * question's key comes from memory (quiz_keys.h), and the save itself,
 * which checks the attempt's owner, state and deadline, is deferred to
 * quiz_saves and committed with the saves of other learners (the
 * deadline is then checked against the clock of that statement, a few
 * milliseconds after the request came, as a request that waited on the
 * database would see it).  Anything
 * unusual (a key not in memory, a refused save, a wrong answer) takes
 * the way that reads the attempt first, which answers with the right
 * status.
 */
static int
quiz_api_answer(struct request *req)
{
	int64_t qid = request_int(req, "question", 0);
	struct quiz_deferred_save *sv;
	enum grade_kind kind;
	const char *json = NULL, *err, *spec;

	if (req->method == METHOD_PUT &&
	    !(quiz_keys_get(req->arena, qid, &kind, &spec) &&
	      quiz_answer_check(req, kind, spec, &json, &err) == 0))
		return quiz_answer_checked(req);
	sv = arena_calloc(req->arena, 1, sizeof(*sv));
	sv->item.req = req;
	sv->w.attempt_id = request_int(req, "id", 0);
	sv->w.question_id = qid;
	sv->w.user_id = req->user->id;
	sv->w.json = json;
	return request_defer(req, quiz_save_hand_off, quiz_save_resume, sv);
}

/*
 * POST /api/v1/attempts/{id}/submit, optionally {"answers": {"QUESTION_ID":
 * answer, ...}} saved first (all checked before anything is saved): 200
 * the graded attempt, also when it was already submitted (a retry grades
 * nothing again); 400 a wrong answer or a question not in the attempt;
 * 404; 500.  After the deadline the answers sent are ignored and the
 * attempt is graded with what was saved in time.
 */
static int
quiz_api_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	const struct json_value *answers = json_get(req->json, "answers");
	struct quiz_pending *pending = NULL;
	struct quiz_attempt at;
	struct json_writer w;
	struct quiz q;
	int npending = 0;
	bool found, completed;

	if (answers == NULL) {
		/* Nothing to check against the questions: the owner and the
		 * quiz are enough, quiz_close() reads the rest under its lock. */
		struct quiz_save_target t;

		if (quiz_db_save_target(req->db, req->arena, id, 0, &t, &found) == -1)
			return 500;
		if (!found || t.user_id != req->user->id)
			return response_json_error(req, 404, "not_found", "Tentativo non trovato.");
		if (quiz_db_get(req->db, req->arena, t.quiz_id, 0, true, &q, NULL, &found) == -1 || !found)
			return 500;
	} else if (quiz_attempt_load(req, id, &at, &q, false, &found) == -1) {
		return 500;
	} else if (!found) {
		return response_json_error(req, 404, "not_found", "Tentativo non trovato.");
	}
	if (req->json != NULL && (req->json->type != JSON_OBJECT ||
				  (req->json->count > 0 && answers == NULL) || req->json->count > 1))
		return response_json_error(req, 400, "bad_request", "Il corpo può contenere solo «answers».");
	if (answers != NULL && at.submitted_at == NULL) {
		if (answers->type != JSON_OBJECT)
			return response_json_error(req, 400, "bad_request",
						   "«answers»: un oggetto con le risposte per numero di domanda.");
		pending = arena_calloc(req->arena, (size_t)answers->count + 1, sizeof(*pending));
		for (const struct json_value *v = answers->child; v != NULL; v = v->next) {
			const struct quiz_item *it;
			const char *err;
			long long qid;
			char *end;

			qid = strtoll(v->key, &end, 10);
			if (*v->key == '\0' || *end != '\0' || (it = quiz_item_find(&at, qid)) == NULL)
				return response_json_error(req, 400, "bad_request", arena_printf(req->arena,
							   "La domanda «%s» non fa parte di questo tentativo.", v->key));
			pending[npending].question_id = qid;
			if (v->type != JSON_NULL &&
			    quiz_answer_canonical(req, &it->key, v, &pending[npending].json, &err) == -1)
				return response_json_error(req, 400, "bad_answer", arena_printf(req->arena,
							   "Domanda %d: %s", it->position, err));
			npending++;
		}
	}
	if (quiz_close(req, &q, id, pending, npending, &at, &completed) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	quiz_attempt_json(&w, &q, &at, completed);
	return response_json(req, 200);
}

/* ---- pages ---- */

/* Fills what the pages of a quiz share: titles and the way back to the course. */
static void
quiz_fill(struct tmpl_ctx *ctx, const struct quiz *q)
{
	tmpl_set_int(ctx, "quiz_id", q->id);
	tmpl_set(ctx, "quiz_title", q->title);
	tmpl_set_int(ctx, "course_id", q->course_id);
	tmpl_set(ctx, "course_title", q->course_title);
	tmpl_set_int(ctx, "module_position", q->module_position);
	tmpl_set(ctx, "module_title", q->module_title);
	tmpl_set_int(ctx, "pass_percent", q->pass_percent);
}

static const char *
quiz_minutes_text(struct arena *a, int seconds)
{
	int m = (seconds + 59) / 60;

	return arena_printf(a, "%d minut%s", m, m == 1 ? "o" : "i");
}

static const struct response_notice quiz_notices[] = {
	{ "consegnato", "Tentativo consegnato." },
};

static const struct field quiz_page_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Test" },
	RESPONSE_NOTICE_FIELD,
};

/* The quiz page; problem (may be NULL) is why a start was just refused. */
static int
quiz_render(struct request *req, int status, int64_t id, const char *problem)
{
	struct quiz_attempt_row *rows;
	struct quiz_standing st;
	struct tmpl_ctx *ctx;
	struct quiz q;
	int n, refused_status;
	bool found;

	if (quiz_read(req, id, quiz_staff(req), &q, &st, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Test non trovato.");
	if (quiz_db_attempts(req->db, req->arena, q.id, req->user->id, &rows, &n) == -1)
		return 500;
	ctx = response_ctx(req, q.title);
	response_notice(req, ctx, quiz_notices, ARRAY_SIZE(quiz_notices));
	quiz_fill(ctx, &q);
	tmpl_set_html(ctx, "intro_html", q.intro_html);
	tmpl_set_bool(ctx, "draft", !q.published || !q.course_published);
	tmpl_set_int(ctx, "nquestions", q.nquestions);
	if (q.time_limit_seconds > 0)
		tmpl_set(ctx, "time_limit", quiz_minutes_text(req->arena, q.time_limit_seconds));
	if (q.attempts_allowed > 0)
		tmpl_set_int(ctx, "attempts_allowed", q.attempts_allowed);
	tmpl_set_int(ctx, "attempts_used", st.attempts);
	tmpl_set_bool(ctx, "enrolled", st.enrolled);
	if (st.graded) {
		tmpl_set_int(ctx, "grade_percent", quiz_percent(st.grade));
		tmpl_set_bool(ctx, "passed", st.passed);
		tmpl_set_bool(ctx, "graded", true);
	}
	if (problem != NULL)
		tmpl_set(ctx, "problem", problem);
	if (st.open_attempt > 0 && !st.open_overdue)
		tmpl_set_bool(ctx, "resume", true);
	else if (quiz_refusal(req, &q, &st, &refused_status) == NULL)
		tmpl_set_bool(ctx, "can_start", true);
	else if (problem == NULL)
		tmpl_set(ctx, "why_not", quiz_refusal(req, &q, &st, &refused_status));
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *r = tmpl_list_add(ctx, "attempts");

		tmpl_set_int(r, "id", rows[i].id);
		tmpl_set_int(r, "number", rows[i].number);
		if (rows[i].submitted_at != NULL) {
			tmpl_set(r, "submitted", rows[i].submitted_local);
			tmpl_set_int(r, "score_percent", quiz_percent(rows[i].score));
			tmpl_set(r, "outcome", rows[i].passed ? "superato" : "non superato");
		}
	}
	return response_page(req, status, "courses/quiz", ctx);
}

/* GET /test/{id}: 200; 404 (drafts too, except to staff); 500. */
static int
quiz_page(struct request *req)
{
	return quiz_render(req, 200, request_int(req, "id", 0), NULL);
}

static const struct field quiz_start_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Test" },
};

/* POST /test/{id}/tentativi: 303 to the first question; 403/404/409 the quiz page with why; 500. */
static int
quiz_start_submit(struct request *req)
{
	const char *problem = NULL;
	int64_t attempt_id;
	struct quiz q;
	bool created;
	int status, rc;

	rc = quiz_start(req, request_int(req, "id", 0), &q, &attempt_id, &created, &problem, &status);
	if (rc == -1)
		return 500;
	if (rc == 1)
		return status == 404 ? response_error(req, 404, problem) :
		       quiz_render(req, status, request_int(req, "id", 0), problem);
	return response_redirect(req, arena_printf(req->arena, "/tentativi/%lld/domande/1",
						   (long long)attempt_id));
}

/* Adds one question of an attempt to ctx as the question page or the review shows it. */
static void
quiz_item_fill(struct request *req, struct tmpl_ctx *t, const struct quiz *q,
	       const struct quiz_attempt *at, const struct quiz_item *it)
{
	bool done = at->submitted_at != NULL;
	bool show_answer = !done || quiz_may_review(q, QUIZ_REVIEW_ANSWERS);
	bool right = done && quiz_may_review(q, QUIZ_REVIEW_RIGHT_ANSWERS);
	int ids[GRADE_ITEMS_MAX], n = quiz_item_ids(it, ids);

	tmpl_set_int(t, "question_id", it->question_id);
	tmpl_set_int(t, "position", it->position);
	tmpl_set_html(t, "text_html", it->text_html);
	tmpl_set(t, "kind_label", grade_kind_label(it->kind));
	tmpl_setf(t, "points_text", "%d punt%s", it->points, it->points == 1 ? "o" : "i");
	tmpl_set_bool(t, "answered", it->answered);
	tmpl_set_bool(t, "disabled", done);
	switch (it->kind) {
	case GRADE_SINGLE:
	case GRADE_MULTIPLE:
		tmpl_set_bool(t, it->kind == GRADE_SINGLE ? "single" : "multiple", true);
		for (int i = 0; i < n; i++) {
			struct tmpl_ctx *c = tmpl_list_add(t, "choices");
			bool chosen = false;

			for (int j = 0; show_answer && it->answered && j < it->answer.nids; j++)
				chosen |= it->answer.ids[j] == ids[i];
			tmpl_set_int(c, "id", ids[i]);
			tmpl_set(c, "text", it->key.items[ids[i] - 1].text);
			tmpl_set_bool(c, "checked", chosen);
			tmpl_set_bool(c, "right", right && it->key.items[ids[i] - 1].correct);
		}
		break;
	case GRADE_TRUEFALSE: {
		static const char *const labels[] = { "Vero", "Falso" };

		tmpl_set_bool(t, "single", true);
		for (int i = 0; i < 2; i++) {
			struct tmpl_ctx *c = tmpl_list_add(t, "choices");
			bool value = i == 0;

			tmpl_set_int(c, "id", i + 1);
			tmpl_set(c, "text", labels[i]);
			tmpl_set_bool(c, "checked", show_answer && it->answered && it->answer.truth == value);
			tmpl_set_bool(c, "right", right && it->key.truth == value);
		}
		break;
	}
	case GRADE_MATCHING:
		tmpl_set_bool(t, "matching", true);
		for (int p = 0; p < it->key.nitems; p++) {
			struct tmpl_ctx *pr = tmpl_list_add(t, "prompts");
			int chosen = show_answer && it->answered ? it->answer.matches[p] : 0;

			tmpl_set_int(pr, "id", p + 1);
			tmpl_set(pr, "text", it->key.items[p].text);
			if (right)
				tmpl_set(pr, "right", it->key.items[p].match);
			for (int i = 0; i < n; i++) {
				struct tmpl_ctx *o = tmpl_list_add(pr, "options");

				tmpl_setf(o, "value", "%d-%d", p + 1, ids[i]);
				tmpl_set(o, "text", it->key.items[ids[i] - 1].match);
				tmpl_set_bool(o, "selected", chosen == ids[i]);
			}
		}
		break;
	case GRADE_SHORT:
		tmpl_set_bool(t, "short", true);
		if (show_answer && it->answered)
			tmpl_set(t, "text", it->answer.text);
		if (right)
			tmpl_set(t, "right", it->key.accepted[0]);
		break;
	case GRADE_NUMERIC:
		tmpl_set_bool(t, "numeric", true);
		if (show_answer && it->answered)
			tmpl_setf(t, "text", "%.15g", it->answer.number);
		if (right)
			tmpl_set(t, "right", it->key.tolerance > 0 ?
				 arena_printf(req->arena, "%.15g (± %.15g)", it->key.value, it->key.tolerance) :
				 arena_printf(req->arena, "%.15g", it->key.value));
		break;
	}
	if (done && quiz_may_review(q, QUIZ_REVIEW_CORRECTNESS) && it->scored) {
		tmpl_set(t, "outcome", it->score >= 1 - 1e-9 ? "Risposta corretta" :
			 it->score > 0 ? arena_printf(req->arena, "Risposta corretta in parte (%d%%)",
						      quiz_percent(it->score)) :
			 "Risposta non corretta");
		tmpl_set_bool(t, "is_right", it->score >= 1 - 1e-9);
	}
	if (done && quiz_may_review(q, QUIZ_REVIEW_FEEDBACK) && it->feedback_html[0] != '\0')
		tmpl_set_html(t, "feedback_html", it->feedback_html);
}

/* Fills the navigation between the questions of an open attempt. */
static void
quiz_nav_fill(struct request *req, struct tmpl_ctx *ctx, const struct quiz_attempt *at, int current)
{
	int answered = 0;

	for (int i = 0; i < at->nitems; i++) {
		struct tmpl_ctx *n = tmpl_list_add(ctx, "nav");

		tmpl_set_int(n, "position", i + 1);
		tmpl_set_bool(n, "answered", at->items[i].answered);
		tmpl_set_bool(n, "current", i + 1 == current);
		answered += at->items[i].answered;
	}
	tmpl_set_int(ctx, "answered", answered);
	tmpl_set_int(ctx, "total", at->nitems);
	tmpl_set_int(ctx, "attempt_id", at->id);
	if (at->deadline != NULL)
		tmpl_set(ctx, "time_left", at->seconds_left > 0 ?
			 quiz_minutes_text(req->arena, at->seconds_left) : NULL);
}

static const struct field quiz_attempt_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Tentativo" },
	RESPONSE_NOTICE_FIELD,
};

/* GET /tentativi/{id}: 200 the summary (open) or the review (submitted); 404; 500. */
static int
quiz_attempt_page(struct request *req)
{
	struct quiz_attempt at;
	struct tmpl_ctx *ctx;
	struct quiz q;
	bool found;

	if (quiz_attempt_load(req, request_int(req, "id", 0), &at, &q, false, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Tentativo non trovato.");
	ctx = response_ctx(req, arena_printf(req->arena, "%s: tentativo %d", q.title, at.number));
	response_notice(req, ctx, quiz_notices, ARRAY_SIZE(quiz_notices));
	quiz_fill(ctx, &q);
	tmpl_set_int(ctx, "number", at.number);
	quiz_nav_fill(req, ctx, &at, 0);
	if (at.submitted_at == NULL) {
		tmpl_set_bool(ctx, "open", true);
		return response_page(req, 200, "courses/quiz_attempt", ctx);
	}
	tmpl_set_int(ctx, "score_percent", quiz_percent(at.score));
	tmpl_set_bool(ctx, "passed", at.passed);
	tmpl_set_bool(ctx, "review", quiz_may_review(&q, QUIZ_REVIEW_ANSWERS) ||
		      quiz_may_review(&q, QUIZ_REVIEW_CORRECTNESS) ||
		      quiz_may_review(&q, QUIZ_REVIEW_RIGHT_ANSWERS));
	for (int i = 0; i < at.nitems; i++)
		quiz_item_fill(req, tmpl_list_add(ctx, "questions"), &q, &at, &at.items[i]);
	return response_page(req, 200, "courses/quiz_attempt", ctx);
}

static const struct field quiz_question_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Tentativo" },
	{ "n", FIELD_PATH, VALID_INT, 1, 1000, NULL, FIELD_REQUIRED, "Domanda" },
};

/* The page of question n of an attempt; status 400 with the form's error. */
static int
quiz_question_render(struct request *req, int status, struct quiz_attempt *at, const struct quiz *q,
		     int n, const char *error, bool saved)
{
	struct tmpl_ctx *ctx;

	ctx = response_ctx(req, arena_printf(req->arena, "%s: domanda %d di %d", q->title, n, at->nitems));
	quiz_fill(ctx, q);
	quiz_nav_fill(req, ctx, at, n);
	quiz_item_fill(req, tmpl_set_obj(ctx, "question"), q, at, &at->items[n - 1]);
	tmpl_set_int(ctx, "n", n);
	tmpl_set_bool(ctx, "has_prev", n > 1);
	tmpl_set_bool(ctx, "has_next", n < at->nitems);
	tmpl_set_int(ctx, "prev", n - 1);
	tmpl_set_int(ctx, "next", n + 1);
	if (error != NULL)
		tmpl_set(ctx, "error", error);
	if (saved)
		tmpl_set_bool(ctx, "saved", true);
	return response_page(req, status, "courses/quiz_question", ctx);
}

/*
 * Loads attempt id and its question n for a question page: 0, or an HTTP
 * status already answered (404 not theirs or no such question, 303 to the
 * review once submitted).
 */
static int
quiz_question_load(struct request *req, struct quiz_attempt *at, struct quiz *q, int *n)
{
	bool found;

	*n = (int)request_int(req, "n", 0);
	if (quiz_attempt_load(req, request_int(req, "id", 0), at, q, false, &found) == -1)
		return 500;
	if (!found || *n > at->nitems)
		return response_error(req, 404, "Domanda non trovata.");
	if (at->submitted_at != NULL)
		return response_redirect(req, arena_printf(req->arena, "/tentativi/%lld", (long long)at->id));
	return 0;
}

/* GET /tentativi/{id}/domande/{n}: 200; 303 to the review once submitted; 404; 500. */
static int
quiz_question_page(struct request *req)
{
	struct quiz_attempt at;
	struct quiz q;
	int n, rc;

	if ((rc = quiz_question_load(req, &at, &q, &n)) != 0)
		return rc;
	return quiz_question_render(req, 200, &at, &q, n, NULL, false);
}

static const char *const quiz_go_choices[] = { "avanti", "indietro", "riepilogo", "resta", NULL };

static const struct field quiz_answer_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Tentativo" },
	{ "n", FIELD_PATH, VALID_INT, 1, 1000, NULL, FIELD_REQUIRED, "Domanda" },
	{ "scelta", FIELD_BODY, VALID_INT, 1, GRADE_ITEMS_MAX, NULL, FIELD_MULTI, "Risposta" },
	{ "abbinamento", FIELD_BODY, VALID_TOKEN, 3, 5, NULL, FIELD_MULTI, "Abbinamento" },
	{ "testo", FIELD_BODY, VALID_TEXT, 0, GRADE_TEXT_MAX, NULL, 0, "Risposta" },
	{ "vai", FIELD_BODY, VALID_ENUM, 0, 0, quiz_go_choices, 0, "Azione" },
};

/*
 * The form's answer to it as the JSON the API takes, or NULL for no
 * answer; *err is set (and NULL returned) when the form is wrong.
 */
static const char *
quiz_form_answer(struct request *req, const struct quiz_item *it, const char **err)
{
	const struct field_value *v = request_field(req, "scelta");
	const char *text = request_str(req, "testo");
	struct json_writer w;
	struct buf b;
	const char *out = NULL;
	unsigned seen = 0;	/* matching: prompts answered */
	double number;

	*err = NULL;
	buf_init(&b, QUIZ_ANSWER_JSON_MAX);
	json_writer_init(&w, &b);
	json_obj_open(&w, NULL);
	switch (it->kind) {
	case GRADE_SINGLE:
	case GRADE_TRUEFALSE:
		if (v == NULL || !v->present)
			goto out;
		if (v->next != NULL) {
			*err = "Scegli una sola risposta.";
			goto out;
		}
		if (it->kind == GRADE_SINGLE)
			json_int(&w, "choice", v->num);
		else
			json_bool(&w, "value", v->num == 1);
		break;
	case GRADE_MULTIPLE:
		json_arr_open(&w, "choices");
		for (; v != NULL; v = v->next)
			if (v->present)
				json_int(&w, NULL, v->num);
		json_arr_close(&w);
		break;
	case GRADE_MATCHING:
		json_obj_open(&w, "matches");
		for (v = request_field(req, "abbinamento"); v != NULL; v = v->next) {
			int prompt, option;
			char key[16], tail;

			if (!v->present)
				continue;
			if (sscanf(v->str, "%d-%d%c", &prompt, &option, &tail) != 2 || prompt < 1 ||
			    prompt > GRADE_ITEMS_MAX) {
				*err = "Abbinamento non valido.";
				goto out;
			}
			if (seen & (1u << prompt)) {
				*err = "Lo stesso elemento è abbinato più volte.";
				goto out;
			}
			seen |= 1u << prompt;
			snprintf(key, sizeof(key), "%d", prompt);
			json_int(&w, arena_strdup(req->arena, key), option);
		}
		json_obj_close(&w);
		break;
	case GRADE_SHORT:
		if (text == NULL || *text == '\0')
			goto out;
		json_str(&w, "text", text);
		break;
	case GRADE_NUMERIC:
		if (text == NULL || *text == '\0')
			goto out;
		if (grade_number_parse(text, &number) == -1) {
			*err = "Scrivi un numero, per esempio 12 o 12,5.";
			goto out;
		}
		json_raw(&w, "value", arena_printf(req->arena, "%.17g", number));
		break;
	}
	json_obj_close(&w);
	if (!b.err)
		out = arena_strdup(req->arena, b.data);
out:
	buf_release(&b);
	return out;
}

/*
 * POST /tentativi/{id}/domande/{n}: saves the answer and goes on (vai:
 * avanti, indietro, riepilogo, resta): 303; 400 the question with the
 * error (nothing saved); 404; 409 the attempt is over (303 to it); 500.
 */
static int
quiz_answer_submit(struct request *req)
{
	const char *answer, *json = NULL, *err = NULL;
	const struct json_value *parsed;
	const struct quiz_item *it;
	struct quiz_attempt at;
	enum quiz_save saved;
	struct quiz q;
	int n, rc, next;
	long long go = request_int(req, "vai", 0);

	if ((rc = quiz_question_load(req, &at, &q, &n)) != 0)
		return rc;
	it = &at.items[n - 1];
	if (req->nerrors > 0)
		return quiz_question_render(req, 400, &at, &q, n, "Risposta non valida.", false);
	answer = quiz_form_answer(req, it, &err);
	if (err != NULL)
		return quiz_question_render(req, 400, &at, &q, n, err, false);
	if (answer != NULL &&
	    ((parsed = json_parse(req->arena, answer, strlen(answer), &err)) == NULL ||
	     quiz_answer_canonical(req, &it->key, parsed, &json, &err) == -1))
		return quiz_question_render(req, 400, &at, &q, n, err, false);
	if (quiz_db_answer_save(req->db, req->arena, at.id, it->question_id, req->user->id, json,
				&saved) == -1)
		return 500;
	if (saved == QUIZ_SAVE_REFUSED)
		return response_redirect(req, arena_printf(req->arena, "/tentativi/%lld", (long long)at.id));
	next = go == 1 ? n - 1 : go == 3 ? n : n + 1;
	if (go == 2 || next < 1 || next > at.nitems)
		return response_redirect(req, arena_printf(req->arena, "/tentativi/%lld", (long long)at.id));
	return response_redirect(req, arena_printf(req->arena, "/tentativi/%lld/domande/%d",
						   (long long)at.id, next));
}

static const struct field quiz_submit_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Tentativo" },
};

/* POST /tentativi/{id}/consegna: 303 to the review (also when already submitted); 404; 500. */
static int
quiz_submit_page(struct request *req)
{
	struct quiz_attempt at;
	struct quiz q;
	bool found, completed;

	if (quiz_attempt_load(req, request_int(req, "id", 0), &at, &q, false, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Tentativo non trovato.");
	if (at.submitted_at == NULL && quiz_close(req, &q, at.id, NULL, 0, &at, &completed) == -1)
		return 500;
	return response_redirect(req, arena_printf(req->arena, "/tentativi/%lld?esito=consegnato",
						   (long long)at.id));
}

void
quiz_course_fill(struct tmpl_ctx *ctx, const struct course *c, const struct course_test_state *tests, int n)
{
	bool all_passed = n > 0;

	for (int i = 0; i < n; i++) {
		const struct course_test_state *s = &tests[i];
		struct tmpl_ctx *t = tmpl_list_add(ctx, "tests");
		int j;

		/* Numbered as the page numbers the modules it shows. */
		for (j = 0; j < c->nmodules && c->modules[j].id != s->module_id; j++)
			;
		all_passed &= s->passed;
		tmpl_set_int(t, "module_position", j + 1);
		tmpl_set(t, "module_title", j < c->nmodules ? c->modules[j].title : "");
		tmpl_setf(t, "url", "/test/%lld", (long long)s->quiz_id);
		if (!s->graded)
			tmpl_set(t, "state", "da fare");
		else
			tmpl_setf(t, "state", "%s (%d%%)", s->passed ? "superato" : "non superato",
				  quiz_percent(s->grade));
		tmpl_set_bool(t, "passed", s->passed);
	}
	tmpl_set_bool(ctx, "has_tests", n > 0);
	tmpl_set_bool(ctx, "tests_passed", all_passed);
}

static const struct route quiz_routes[] = {
	{ METHOD_GET, "/test/{id}", quiz_page, ROLE_MEMBER, 0, ROUTER_FIELDS(quiz_page_fields),
	  "quiz.page" },
	{ METHOD_POST, "/test/{id}/tentativi", quiz_start_submit, ROLE_MEMBER, 0,
	  ROUTER_FIELDS(quiz_start_fields), "quiz.start" },
	{ METHOD_GET, "/tentativi/{id}", quiz_attempt_page, ROLE_MEMBER, 0,
	  ROUTER_FIELDS(quiz_attempt_fields), "quiz.attempt" },
	{ METHOD_GET, "/tentativi/{id}/domande/{n}", quiz_question_page, ROLE_MEMBER, 0,
	  ROUTER_FIELDS(quiz_question_fields), "quiz.question" },
	{ METHOD_POST, "/tentativi/{id}/domande/{n}", quiz_answer_submit, ROLE_MEMBER, ROUTE_FORM,
	  ROUTER_FIELDS(quiz_answer_fields), "quiz.answer" },
	{ METHOD_POST, "/tentativi/{id}/consegna", quiz_submit_page, ROLE_MEMBER, 0,
	  ROUTER_FIELDS(quiz_submit_fields), "quiz.submit" },
	{ METHOD_GET, "/api/v1/modules/{id}/quiz", quiz_api_module, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(quiz_api_module_fields), "api.quiz.module" },
	{ METHOD_POST, "/api/v1/quizzes/{id}/attempts", quiz_api_start, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(quiz_api_id_fields), "api.quiz.start" },
	{ METHOD_GET, "/api/v1/attempts/{id}", quiz_api_attempt, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(quiz_api_id_fields), "api.quiz.attempt" },
	{ METHOD_PUT | METHOD_DELETE, "/api/v1/attempts/{id}/answers/{question}", quiz_api_answer, ROLE_MEMBER,
	  ROUTE_API, ROUTER_FIELDS(quiz_api_answer_fields), "api.quiz.answer" },
	{ METHOD_POST, "/api/v1/attempts/{id}/submit", quiz_api_submit, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(quiz_api_id_fields), "api.quiz.submit" },
};

void
quiz_register(struct router *r)
{
	router_add(r, quiz_routes, ARRAY_SIZE(quiz_routes));
}
