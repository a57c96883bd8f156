/*
 * quizload.c - the load client of the quiz scenario of make bench (F).
 *
 *   quizload tokens N
 *	prints N lines "n<TAB>token<TAB>hash": a fresh bearer token for
 *	learner n (1..N) and the hex of BLAKE2b-256(token), what api_tokens
 *	stores (portal/token.c computes both, so they cannot drift apart)
 *   quizload run [-c N] [-r N] [-o FILE] [-k FILE] URL QUIZ TOKENS
 *	each learner of the TOKENS file (the lines above) starts an
 *	attempt of quiz QUIZ, saves an answer to each of its questions
 *	with PUT, one request at a time, and submits; -r attempts each, one
 *	after the other.  -c: learners at once (default all; 1 makes the
 *	run sequential).  -o writes "n score_percent" per attempt; -k
 *	compares the scores with such a file and prints PASS or FAIL.
 *
 * One libcurl easy handle per active learner on one multi handle, so
 * every learner keeps its own keep-alive connection, as a browser does.
 * An answer is a pure function of the learner's number, the question's
 * id and the ids the attempt lists (sorted, since choices are shuffled),
 * so that two runs give each learner the same grades whatever the order
 * of questions and choices.  The short and numeric keys are the ones of
 * tests/bench/quiz.sql.
 *
 * Prints one line "QUIZBENCH key=value..." for run.sh (attempts per
 * second over the whole run, p50/p99 in ms per step, errors = non-2xx
 * answers, transport errors and answers that are not what the API
 * documents) and the learners' scores.  Exit status: 0 when the run
 * went through (errors are counted, not fatal), 1 when it could not run,
 * 2 on a FAIL of -k.
 */
#include "compat.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "log.h"
#include "token.h"

#define QL_QUESTIONS_MAX 100	/* questions of one attempt */
#define QL_IDS_MAX 16		/* choices, prompts or options of one question */
#define QL_RESPONSE_MAX ((size_t)1 << 20)
#define QL_LEARNERS_MAX 100000
#define QL_EVENTS 256		/* epoll events taken per wake-up */
#define QL_WAIT_MAX 1000	/* ms: longest sleep without a curl timer */

enum ql_step { QL_START, QL_SAVE, QL_SUBMIT, QL_STEPS };

static const char *const ql_step_names[QL_STEPS] = { "start", "save", "submit" };

/* A growable array of latencies in ms. */
struct ql_samples {
	double *v;
	size_t n, cap;
};

struct ql_learner {
	int n;				/* number in the tokens file, from 1 */
	char token[TOKEN_LEN + 1];
	CURL *h;
	struct curl_slist *headers;
	struct buf resp;		/* the body of the answer in flight */
	struct arena *arena;		/* one attempt's answers; reset per attempt */
	int round;			/* attempts finished */
	enum ql_step step;
	int save;			/* next question to save */
	long long attempt;
	int nq;
	long long qids[QL_QUESTIONS_MAX];
	const char *answers[QL_QUESTIONS_MAX];
	int *scores;			/* score_percent per round, -1 if not graded */
	double sent;			/* when the request in flight was sent */
	char url[512];
};

struct ql_run {
	const char *base;
	long long quiz;
	int rounds, concurrency;
	struct ql_learner *learners;
	int nlearners, next, active;
	CURLM *multi;
	int epfd;			/* the sockets curl waits on */
	long long deadline;		/* us when curl's timer is due, -1 if none */
	struct arena *parse;		/* the answer being read; reset per answer */
	struct buf answer;		/* scratch for ql_answer() */
	struct ql_samples lat[QL_STEPS];
	long errors, complete;
	double t0, t1;
};

static double
ql_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
ql_sample_add(struct ql_samples *s, double ms)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		double *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL)
			log_oom(cap * sizeof(*v));
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ms;
}

static int
ql_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile (nearest rank) of s, sorted by the caller; 0 if empty. */
static double
ql_percentile(const struct ql_samples *s, double p)
{
	size_t rank;

	if (s->n == 0)
		return 0;
	rank = (size_t)(p / 100 * (double)s->n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > s->n)
		rank = s->n;
	return s->v[rank - 1];
}

static size_t
ql_write(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_add(b, data, size * n);
	/* Past the cap the transfer fails, which counts as an error. */
	return b->err ? 0 : size * n;
}

static int
ql_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The sorted "id"s of array member key of question q into ids; -1 if malformed. */
static int
ql_ids(const struct json_value *q, const char *key, int ids[QL_IDS_MAX])
{
	const struct json_value *arr = json_get(q, key), *v;
	long long id;
	int n = 0;

	if (arr == NULL || arr->type != JSON_ARRAY || arr->count < 1 || arr->count > QL_IDS_MAX)
		return -1;
	for (v = arr->child; v != NULL; v = v->next) {
		if (json_get_int(json_get(v, "id"), &id) == -1 || id < 1 || id > 1000)
			return -1;
		ids[n++] = (int)id;
	}
	qsort(ids, (size_t)n, sizeof(*ids), ql_cmp_int);
	return n;
}

/*
 * The answer learner n gives to question q of the attempt (a JSON object
 * text in a), or NULL if q is not shaped as the API documents.  The
 * choices vary with n and the question, so that learners get different
 * grades and a swapped answer would show.  b is scratch space (capped at
 * 4 KiB by the caller), reused so that an answer costs no malloc.
 */
static const char *
ql_answer(struct arena *a, struct buf *b, int n, const struct json_value *q)
{
	const struct json_value *kindv = json_get(q, "kind");
	int ids[QL_IDS_MAX], opts[QL_IDS_MAX], k, nopts;
	char text[32];
	const char *kind;
	long long qid;
	struct json_writer w;

	if (json_get_int(json_get(q, "id"), &qid) == -1 || kindv == NULL ||
	    kindv->type != JSON_STRING)
		return NULL;
	kind = kindv->str;
	buf_reset(b);
	json_writer_init(&w, b);
	json_obj_open(&w, NULL);
	if (strcmp(kind, "single") == 0) {
		if ((k = ql_ids(q, "choices", ids)) == -1)
			return NULL;
		json_int(&w, "choice", ids[(unsigned long long)(n + qid) % (unsigned)k]);
	} else if (strcmp(kind, "multiple") == 0) {
		if ((k = ql_ids(q, "choices", ids)) == -1)
			return NULL;
		json_arr_open(&w, "choices");
		for (int i = 0; i < k; i++)
			if ((ids[i] + n + qid) % 3 != 0)
				json_int(&w, NULL, ids[i]);
		json_arr_close(&w);
	} else if (strcmp(kind, "truefalse") == 0) {
		json_bool(&w, "value", (n + qid) % 2 == 0);
	} else if (strcmp(kind, "matching") == 0) {
		if ((k = ql_ids(q, "prompts", ids)) == -1 || (nopts = ql_ids(q, "options", opts)) == -1)
			return NULL;
		json_obj_open(&w, "matches");
		for (int i = 0; i < k; i++) {
			char key[16];
			/* Every fifth prompt is left out: a partial answer. */
			if ((n + ids[i]) % 5 == 0)
				continue;
			snprintf(key, sizeof(key), "%d", ids[i]);
			json_int(&w, key, opts[(i + n) % nopts]);
		}
		json_obj_close(&w);
	} else if (strcmp(kind, "short") == 0) {
		/* quiz.sql accepts "risposta 0" and "RISPOSTA 2": the case
		 * differs on purpose, the grader folds it. */
		snprintf(text, sizeof(text), "Risposta %lld", (n + qid) % 4);
		json_str(&w, "text", text);
	} else if (strcmp(kind, "numeric") == 0) {
		/* 0, 0.5 ... 4: right when within 2 +- 1. */
		snprintf(text, sizeof(text), "%.1f", (double)((n + qid) % 9) / 2);
		json_raw(&w, "value", text);
	} else {
		return NULL;
	}
	json_obj_close(&w);
	return b->err ? NULL : arena_strndup(a, b->data, b->len);
}

/*
 * Reads the attempt a start answered with: its id, questions and the
 * learner's answers.  Returns 0, or -1 when it is not what the API
 * documents.
 */
static int
ql_read_attempt(struct ql_run *r, struct ql_learner *l, const struct json_value *root)
{
	const struct json_value *qs = json_get(root, "questions"), *q;

	if (json_get_int(json_get(root, "id"), &l->attempt) == -1 || qs == NULL ||
	    qs->type != JSON_ARRAY || qs->count < 1 || qs->count > QL_QUESTIONS_MAX)
		return -1;
	l->nq = 0;
	for (q = qs->child; q != NULL; q = q->next) {
		if (json_get_int(json_get(q, "id"), &l->qids[l->nq]) == -1 ||
		    (l->answers[l->nq] = ql_answer(l->arena, &r->answer, l->n, q)) == NULL)
			return -1;
		l->nq++;
	}
	return 0;
}

/* Sets up and sends l's request for its current step. */
static int
ql_send(struct ql_run *r, struct ql_learner *l)
{
	const char *method = "POST", *body = "";

	switch (l->step) {
	case QL_START:
		snprintf(l->url, sizeof(l->url), "%s/api/v1/quizzes/%lld/attempts", r->base, r->quiz);
		break;
	case QL_SAVE:
		snprintf(l->url, sizeof(l->url), "%s/api/v1/attempts/%lld/answers/%lld", r->base,
			 l->attempt, l->qids[l->save]);
		method = "PUT";
		body = l->answers[l->save];
		break;
	case QL_SUBMIT:
	default:
		snprintf(l->url, sizeof(l->url), "%s/api/v1/attempts/%lld/submit", r->base, l->attempt);
		break;
	}
	buf_reset(&l->resp);
	curl_easy_setopt(l->h, CURLOPT_URL, l->url);
	curl_easy_setopt(l->h, CURLOPT_CUSTOMREQUEST, method);
	/* The body is read during the transfer: it lives in l's arena. */
	curl_easy_setopt(l->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(l->h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	l->sent = ql_now_ms();
	if (curl_multi_add_handle(r->multi, l->h) != CURLM_OK) {
		log_warnx("cannot add the request of learner %d", l->n);
		return -1;
	}
	return 0;
}

/* Begins l's next attempt, or makes l inactive when it has done them all. */
static int
ql_next_attempt(struct ql_run *r, struct ql_learner *l)
{
	if (l->round >= r->rounds) {
		r->active--;
		return 0;
	}
	arena_reset(l->arena);
	l->step = QL_START;
	l->save = 0;
	l->attempt = 0;
	l->nq = 0;
	return ql_send(r, l);
}

/* Starts the next learner waiting, if any. */
static int
ql_activate(struct ql_run *r)
{
	struct ql_learner *l;

	if (r->next >= r->nlearners)
		return 0;
	l = &r->learners[r->next++];
	r->active++;
	return ql_next_attempt(r, l);
}

/*
 * Handles the end of l's request: records its latency, checks the answer
 * and sends l's next request.  A failed start or submit ends the attempt
 * (counted as an error); a failed save is counted and the attempt goes on.
 */
static int
ql_done(struct ql_run *r, struct ql_learner *l, CURLcode cc)
{
	double now = ql_now_ms();
	const struct json_value *root = NULL, *state;
	long status = 0;
	long long pct;
	bool ok;
	int rc = -1;

	curl_multi_remove_handle(r->multi, l->h);
	ql_sample_add(&r->lat[l->step], now - l->sent);
	r->t1 = now;
	if (cc == CURLE_OK)
		curl_easy_getinfo(l->h, CURLINFO_RESPONSE_CODE, &status);
	ok = cc == CURLE_OK && !l->resp.err && status >= 200 && status <= 299;
	if (ok && l->step != QL_SAVE) {
		arena_reset(r->parse);
		root = json_parse(r->parse, l->resp.data, l->resp.len, NULL);
		ok = root != NULL && root->type == JSON_OBJECT;
	}
	if (!ok) {
		r->errors++;
		if (r->errors <= 5)
			log_warnx("learner %d, %s: %s %ld %.200s", l->n, ql_step_names[l->step],
				  cc == CURLE_OK ? "HTTP" : curl_easy_strerror(cc), status, l->resp.data);
	}

	switch (l->step) {
	case QL_START:
		if (ok && ql_read_attempt(r, l, root) == -1) {
			r->errors++;
			log_warnx("learner %d: the attempt is not shaped as documented", l->n);
			ok = false;
		}
		if (!ok) {
			l->round++;
			rc = ql_next_attempt(r, l);
			goto out;
		}
		l->step = QL_SAVE;
		break;
	case QL_SAVE:
		l->save++;
		break;
	case QL_SUBMIT:
	default:
		state = json_get(root, "state");
		if (ok && (state == NULL || state->type != JSON_STRING ||
			   strcmp(state->str, "submitted") != 0 ||
			   json_get_int(json_get(root, "score_percent"), &pct) == -1 ||
			   pct < 0 || pct > 100)) {
			r->errors++;
			log_warnx("learner %d: the submitted attempt is not graded", l->n);
			ok = false;
		}
		if (ok) {
			l->scores[l->round] = (int)pct;
			r->complete++;
		}
		l->round++;
		rc = ql_next_attempt(r, l);
		goto out;
	}
	if (l->step == QL_SAVE && l->save == l->nq)
		l->step = QL_SUBMIT;
	rc = ql_send(r, l);
out:
	return rc;
}

/* Reads the tokens file: one "n<TAB>token[<TAB>...]" line per learner, n = 1, 2... */
static int
ql_read_tokens(struct ql_run *r, const char *path)
{
	char line[512];
	FILE *f;
	int rc = -1, cap = 0;

	if ((f = fopen(path, "r")) == NULL) {
		log_warn("cannot open \"%s\"", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tab = strchr(line, '\t'), *end;
		struct ql_learner *l;
		long n = strtol(line, &end, 10);

		if (tab == NULL || end != tab || n != r->nlearners + 1 || n > QL_LEARNERS_MAX) {
			log_warnx("\"%s\" line %d: expected \"%d<TAB>token\"", path,
				  r->nlearners + 1, r->nlearners + 1);
			goto out;
		}
		end = tab + 1 + strcspn(tab + 1, "\t\r\n");
		*end = '\0';
		if (!token_well_formed(tab + 1)) {
			log_warnx("\"%s\" line %ld: not a token", path, n);
			goto out;
		}
		if (r->nlearners == cap) {
			cap = cap ? cap * 2 : 256;
			l = realloc(r->learners, (size_t)cap * sizeof(*l));
			if (l == NULL)
				log_oom((size_t)cap * sizeof(*l));
			r->learners = l;
		}
		l = &r->learners[r->nlearners++];
		memset(l, 0, sizeof(*l));
		l->n = (int)n;
		memcpy(l->token, tab + 1, TOKEN_LEN + 1);
	}
	if (ferror(f) || r->nlearners == 0) {
		log_warnx("\"%s\": no tokens", path);
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

/* Creates the easy handle and buffers of every learner. */
static int
ql_setup(struct ql_run *r)
{
	char auth[sizeof("Authorization: Bearer ") + TOKEN_LEN];

	r->parse = arena_new();
	buf_init(&r->answer, 4096);
	for (int i = 0; i < r->nlearners; i++) {
		struct ql_learner *l = &r->learners[i];
		struct curl_slist *s;

		if ((l->h = curl_easy_init()) == NULL)
			return -1;
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", l->token);
		if ((s = curl_slist_append(NULL, auth)) == NULL)
			return -1;
		l->headers = s;
		if ((s = curl_slist_append(l->headers, "Content-Type: application/json")) == NULL)
			return -1;
		l->headers = s;
		buf_init(&l->resp, QL_RESPONSE_MAX);
		l->arena = arena_new();
		l->scores = calloc((size_t)r->rounds, sizeof(*l->scores));
		if (l->scores == NULL)
			log_oom((size_t)r->rounds * sizeof(*l->scores));
		for (int k = 0; k < r->rounds; k++)
			l->scores[k] = -1;
		curl_easy_setopt(l->h, CURLOPT_HTTPHEADER, l->headers);
		curl_easy_setopt(l->h, CURLOPT_WRITEFUNCTION, ql_write);
		curl_easy_setopt(l->h, CURLOPT_WRITEDATA, &l->resp);
		curl_easy_setopt(l->h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(l->h, CURLOPT_TIMEOUT, 60L);
		curl_easy_setopt(l->h, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(l->h, CURLOPT_PRIVATE, l);
	}
	return 0;
}

static void
ql_teardown(struct ql_run *r)
{
	for (int i = 0; i < r->nlearners; i++) {
		struct ql_learner *l = &r->learners[i];

		if (l->h != NULL)
			curl_easy_cleanup(l->h);
		curl_slist_free_all(l->headers);
		buf_release(&l->resp);
		arena_free(l->arena);
		free(l->scores);
	}
	free(r->learners);
	for (int s = 0; s < QL_STEPS; s++)
		free(r->lat[s].v);
	arena_free(r->parse);
	buf_release(&r->answer);
	if (r->epfd != -1)
		close(r->epfd);
}

static long long
ql_clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * CURLMOPT_SOCKETFUNCTION: mirrors in the epoll set what curl wants to
 * wait for on socket s.  socketp is non-NULL once s is in the set.  A
 * socket curl has already closed left the set by itself, so a failed
 * EPOLL_CTL_DEL is no error; an ADD or MOD that finds s in the other
 * state (a descriptor number reused) is retried with the other verb.
 */
static int
ql_socket_cb(CURL *e, curl_socket_t s, int what, void *arg, void *socketp)
{
	struct ql_run *r = arg;
	struct epoll_event ev;
	int op = socketp != NULL ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(r->epfd, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
	ev.data.fd = s;
	if (epoll_ctl(r->epfd, op, s, &ev) == -1) {
		if (op == EPOLL_CTL_ADD && errno == EEXIST)
			op = EPOLL_CTL_MOD;
		else if (op == EPOLL_CTL_MOD && errno == ENOENT)
			op = EPOLL_CTL_ADD;
		else
			op = -1;
		if (op == -1 || epoll_ctl(r->epfd, op, s, &ev) == -1) {
			log_warn("cannot watch socket %d", (int)s);
			return -1;
		}
	}
	if (socketp == NULL)
		curl_multi_assign(r->multi, s, r);
	return 0;
}

/*
 * CURLMOPT_TIMERFUNCTION: keeps curl's timer as a deadline, since one
 * epoll_wait() may return on a socket long before the timer is due.  A
 * timer in the future gets 1 ms more, so that it never fires before
 * curl's own clock says it is due (curl would then do nothing and not
 * report the timer again).
 */
static int
ql_timer_cb(CURLM *m, long timeout_ms, void *arg)
{
	struct ql_run *r = arg;
	long long now = ql_clock_us();

	(void)m;
	if (timeout_ms < 0)
		r->deadline = -1;
	else
		r->deadline = timeout_ms == 0 ? now : now + ((long long)timeout_ms + 1) * 1000;
	return 0;
}

/* Hands every finished request to ql_done(). */
static int
ql_reap(struct ql_run *r)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(r->multi, &left)) != NULL) {
		struct ql_learner *l;
		char *priv;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		l = (struct ql_learner *)(void *)priv;
		if (ql_done(r, l, m->data.result) == -1)
			return -1;
	}
	return 0;
}

/*
 * Runs every learner's attempts to the end.  curl tells which sockets
 * to watch and when its timer is due (ql_socket_cb, ql_timer_cb), and
 * is told of each ready socket alone: a wake-up costs what happened on
 * it, not a pass over the 200 connections as curl_multi_perform does.
 */
static int
ql_drive(struct ql_run *r)
{
	struct epoll_event evs[QL_EVENTS];
	int running = 0;

	if ((r->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_warn("epoll_create1");
		return -1;
	}
	if ((r->multi = curl_multi_init()) == NULL)
		return -1;
	/* Every learner keeps its connection between requests. */
	curl_multi_setopt(r->multi, CURLMOPT_MAXCONNECTS, (long)r->concurrency + 16);
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETFUNCTION, ql_socket_cb);
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETDATA, r);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERFUNCTION, ql_timer_cb);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERDATA, r);
	r->deadline = -1;
	r->t0 = r->t1 = ql_now_ms();
	while (r->active < r->concurrency && r->next < r->nlearners)
		if (ql_activate(r) == -1)
			return -1;
	while (r->active > 0) {
		long long left = r->deadline - ql_clock_us();
		int n, wait = QL_WAIT_MAX;

		/* Rounded up: waking before the deadline would only loop. */
		if (r->deadline >= 0 && left < (long long)QL_WAIT_MAX * 1000)
			wait = left <= 0 ? 0 : (int)((left + 999) / 1000);
		if ((n = epoll_wait(r->epfd, evs, QL_EVENTS, wait)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("epoll_wait");
			return -1;
		}
		for (int i = 0; i < n; i++) {
			int mask = 0;

			if (evs[i].events & EPOLLIN)
				mask |= CURL_CSELECT_IN;
			if (evs[i].events & EPOLLOUT)
				mask |= CURL_CSELECT_OUT;
			if (evs[i].events & (EPOLLERR | EPOLLHUP))
				mask |= CURL_CSELECT_ERR;
			if (curl_multi_socket_action(r->multi, evs[i].data.fd, mask, &running) !=
			    CURLM_OK) {
				log_warnx("curl_multi failed");
				return -1;
			}
		}
		/* Due, or no timer and nothing for a while: let curl check. */
		if ((r->deadline >= 0 && r->deadline <= ql_clock_us()) || (n == 0 && r->deadline < 0)) {
			r->deadline = -1;
			if (curl_multi_socket_action(r->multi, CURL_SOCKET_TIMEOUT, 0, &running) !=
			    CURLM_OK) {
				log_warnx("curl_multi failed");
				return -1;
			}
		}
		if (ql_reap(r) == -1)
			return -1;
		while (r->active < r->concurrency && r->next < r->nlearners)
			if (ql_activate(r) == -1)
				return -1;
	}
	return 0;
}

/* Writes "n score_percent" per graded attempt to path. */
static int
ql_write_scores(const struct ql_run *r, const char *path)
{
	FILE *f = fopen(path, "w");
	int rc = -1;

	if (f == NULL) {
		log_warn("cannot write \"%s\"", path);
		return -1;
	}
	for (int i = 0; i < r->nlearners; i++)
		for (int k = 0; k < r->rounds; k++)
			if (r->learners[i].scores[k] >= 0)
				fprintf(f, "%d %d\n", r->learners[i].n, r->learners[i].scores[k]);
	if (fclose(f) == 0)
		rc = 0;
	else
		log_warn("cannot write \"%s\"", path);
	return rc;
}

/*
 * Compares the grades of this run with those of file path: every learner
 * must have, in both runs, all attempts graded with one and the same
 * score.  Prints the verdict; returns 0 PASS, 1 FAIL, -1 unreadable.
 */
static int
ql_compare(const struct ql_run *r, const char *path)
{
	int *other = NULL, n, pct, bad = 0, shown = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		log_warn("cannot open \"%s\"", path);
		return -1;
	}
	/* -1 unseen, -2 two different scores in that run. */
	if ((other = malloc((size_t)r->nlearners * sizeof(*other))) == NULL)
		log_oom((size_t)r->nlearners * sizeof(*other));
	for (int i = 0; i < r->nlearners; i++)
		other[i] = -1;
	while (fscanf(f, "%d %d", &n, &pct) == 2) {
		if (n < 1 || n > r->nlearners)
			continue;
		if (other[n - 1] == -1)
			other[n - 1] = pct;
		else if (other[n - 1] != pct)
			other[n - 1] = -2;
	}
	fclose(f);
	for (int i = 0; i < r->nlearners; i++) {
		const struct ql_learner *l = &r->learners[i];
		bool same = other[i] >= 0;

		for (int k = 0; k < r->rounds && same; k++)
			same = l->scores[k] == other[i];
		if (!same) {
			bad++;
			if (shown++ < 5)
				printf("grades: learner %d: %d here (first attempt), %s in %s\n", l->n,
				       l->scores[0], other[i] == -1 ? "none" : other[i] == -2 ? "several" :
				       "a different one", path);
		}
	}
	free(other);
	printf("grades: %d learners, %d differ from %s: %s\n", r->nlearners, bad, path,
	       bad == 0 ? "PASS" : "FAIL");
	return bad == 0 ? 0 : 1;
}

static void
ql_report(struct ql_run *r)
{
	double secs = (r->t1 - r->t0) / 1e3;

	for (int s = 0; s < QL_STEPS; s++)
		if (r->lat[s].n > 0)
			qsort(r->lat[s].v, r->lat[s].n, sizeof(double), ql_cmp_double);
	printf("QUIZBENCH learners=%d concurrency=%d rounds=%d attempts=%d complete=%ld secs=%.3f "
	       "aps=%.1f errors=%ld", r->nlearners, r->concurrency, r->rounds, r->nlearners * r->rounds,
	       r->complete, secs, secs > 0 ? (double)r->complete / secs : 0, r->errors);
	for (int s = 0; s < QL_STEPS; s++)
		printf(" %s_n=%zu %s_p50=%.2f %s_p99=%.2f", ql_step_names[s], r->lat[s].n,
		       ql_step_names[s], ql_percentile(&r->lat[s], 50), ql_step_names[s],
		       ql_percentile(&r->lat[s], 99));
	printf("\nscore_percent of each learner (learner:score, first attempt):");
	for (int i = 0; i < r->nlearners; i++)
		printf("%s%d:%d", i % 12 == 0 ? "\n  " : " ", r->learners[i].n, r->learners[i].scores[0]);
	printf("\n");
}

static void
ql_usage(void)
{
	fprintf(stderr, "usage: quizload tokens N\n"
			"       quizload run [-c N] [-r N] [-o FILE] [-k FILE] URL QUIZ TOKENS\n");
	exit(1);
}

/* A number in [min, max] or the usage. */
static long
ql_number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		ql_usage();
	return v;
}

/* quizload tokens N */
static int
ql_tokens(long n)
{
	char tok[TOKEN_LEN + 1], hash[TOKEN_HASH_PARAM_LEN];

	for (long i = 1; i <= n; i++) {
		token_new(tok);
		token_hash_param(tok, hash);
		/* Without the "\x" of a bytea literal: psql decodes the hex. */
		printf("%ld\t%s\t%s\n", i, tok, hash + 2);
	}
	sodium_memzero(tok, sizeof(tok));
	return fflush(stdout) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	const char *scores_out = NULL, *compare = NULL;
	struct ql_run r;
	int ch, rc = 1;

	if (sodium_init() < 0) {
		log_warnx("cannot initialise libsodium");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "tokens") == 0)
		return ql_tokens(ql_number(argv[2], 1, QL_LEARNERS_MAX)) == 0 ? 0 : 1;
	if (argc < 2 || strcmp(argv[1], "run") != 0)
		ql_usage();

	memset(&r, 0, sizeof(r));
	r.epfd = -1;
	r.rounds = 1;
	optind = 2;
	while ((ch = getopt(argc, argv, "c:r:o:k:")) != -1) {
		switch (ch) {
		case 'c':
			r.concurrency = (int)ql_number(optarg, 1, QL_LEARNERS_MAX);
			break;
		case 'r':
			r.rounds = (int)ql_number(optarg, 1, 1000);
			break;
		case 'o':
			scores_out = optarg;
			break;
		case 'k':
			compare = optarg;
			break;
		default:
			ql_usage();
		}
	}
	if (argc - optind != 3)
		ql_usage();
	r.base = argv[optind];
	r.quiz = ql_number(argv[optind + 1], 1, LONG_MAX);
	if (strlen(r.base) > 200)
		ql_usage();

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("cannot initialise libcurl");
		return 1;
	}
	if (ql_read_tokens(&r, argv[optind + 2]) == -1)
		goto out;
	if (r.concurrency == 0 || r.concurrency > r.nlearners)
		r.concurrency = r.nlearners;
	if (ql_setup(&r) == -1) {
		log_warnx("cannot set up the learners");
		goto out;
	}
	if (ql_drive(&r) == -1)
		goto out;
	ql_report(&r);
	if (scores_out != NULL && ql_write_scores(&r, scores_out) == -1)
		goto out;
	rc = 0;
	if (compare != NULL) {
		int c = ql_compare(&r, compare);
		rc = c == 0 ? 0 : c == 1 ? 2 : 1;
	}
out:
	if (r.multi != NULL) {
		for (int i = 0; i < r.nlearners; i++)
			if (r.learners[i].h != NULL)
				curl_multi_remove_handle(r.multi, r.learners[i].h);
		curl_multi_cleanup(r.multi);
	}
	ql_teardown(&r);
	curl_global_cleanup();
	fflush(stdout);
	return rc;
}
