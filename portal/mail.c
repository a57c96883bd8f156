/*
 * mail.c - outbox and sender (see mail.h).
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "account_db.h"
#include "buf.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "mail_db.h"
#include "mime.h"
#include "ratelimit.h"
#include "tmpl.h"

#define MAIL_MAX_ATTEMPTS 8

static const struct config *mail_cfg;
static char *mail_domain;		/* for Message-IDs: the base URL's host */
static char *mail_password;		/* SMTP password, from its own file */
static atomic_bool mail_running;

/* The host part of an http(s) URL, or "localhost". */
static char *
mail_url_host(const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;
	char *host;

	p = p ? p + 3 : url;
	n = strcspn(p, ":/?#");
	if (n == 0)
		return strdup("localhost");
	host = strndup(p, n);
	if (host == NULL)
		log_oom(n);
	return host;
}

int
mail_configure(const struct config *cfg)
{
	mail_cfg = cfg;
	mail_domain = mail_url_host(cfg->base_url);
	if (cfg->smtp_password_file[0] != '\0') {
		FILE *f = fopen(cfg->smtp_password_file, "r");
		char line[512];
		if (f == NULL) {
			log_warn("smtp password file \"%s\"", cfg->smtp_password_file);
			return -1;
		}
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
		line[strcspn(line, "\r\n")] = '\0';
		mail_password = strdup(line);
		sodium_memzero(line, sizeof(line));
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_warnx("curl_global_init failed");
		return -1;
	}
	return 0;
}

/* The text part: greeting, paragraphs or body, the action's link on its own line, the list's links. */
static void
mail_text(const struct mail_content *c, struct buf *out)
{
	if (c->greeting)
		buf_printf(out, "%s\n\n", c->greeting);
	for (const char *const *p = c->paragraphs; p && *p; p++)
		buf_printf(out, "%s\n\n", *p);
	if (c->body_text)
		buf_printf(out, "%s\n\n", c->body_text);
	if (c->action_url)
		buf_printf(out, "%s:\n%s\n\n", c->action_label ? c->action_label : "Link",
			   c->action_url);
	buf_printf(out, "-- \n");
	if (c->list)
		buf_printf(out, "%s\nGestisci le tue preferenze: %s\nAnnulla l'iscrizione: %s\n\n",
			   c->list->reason, c->list->preferences_url, c->list->unsubscribe_url);
	buf_printf(out, "%s\n%s\n", mail_cfg->portal_name, mail_cfg->base_url);
}

/*
 * Composes the whole message for to_addr into msg (text and HTML parts,
 * the list headers of bulk mail).  Returns 0, or -1 (logged).
 */
static int
mail_compose(struct arena *a, const char *to_addr, const char *to_name,
	     const struct mail_content *c, struct buf *msg)
{
	struct mime_message m = { 0 };
	struct tmpl_ctx *ctx = tmpl_ctx_new(a);
	const char *headers[3] = { NULL };
	struct buf text, html;
	char rnd[17];
	int rc = -1;

	buf_init(&text, 1 << 20);
	buf_init(&html, 1 << 20);
	mail_text(c, &text);
	tmpl_set(ctx, "subject", c->subject);
	tmpl_set(ctx, "greeting", c->greeting);
	for (const char *const *p = c->paragraphs; p && *p; p++)
		tmpl_set(tmpl_list_add(ctx, "paragraphs"), "text", *p);
	tmpl_set_html(ctx, "body_html", c->body_html);
	tmpl_set(ctx, "action_label", c->action_label);
	tmpl_set(ctx, "action_url", c->action_url);
	tmpl_set(ctx, "portal_name", mail_cfg->portal_name);
	tmpl_set(ctx, "base_url", mail_cfg->base_url);
	if (c->list) {
		struct tmpl_ctx *l = tmpl_set_obj(ctx, "list");

		tmpl_set(l, "reason", c->list->reason);
		tmpl_set(l, "preferences_url", c->list->preferences_url);
		tmpl_set(l, "unsubscribe_url", c->list->unsubscribe_url);
		/* RFC 2369 and RFC 8058: mail clients offer a one-click
		 * unsubscribe that POSTs to the https URL. */
		headers[0] = c->list->unsubscribe_mailto
		    ? arena_printf(a, "List-Unsubscribe: <%s>, <%s>", c->list->unsubscribe_url,
				   c->list->unsubscribe_mailto)
		    : arena_printf(a, "List-Unsubscribe: <%s>", c->list->unsubscribe_url);
		headers[1] = "List-Unsubscribe-Post: List-Unsubscribe=One-Click";
	}
	if (tmpl_render("portal/mail", ctx, &html) == -1 || text.err)
		goto out;

	uint64_t id_bits = ((uint64_t)randombytes_random() << 32) | randombytes_random();
	snprintf(rnd, sizeof(rnd), "%016llx", (unsigned long long)id_bits);
	m.from_addr = mail_cfg->mail_from;
	m.from_name = mail_cfg->portal_name;
	m.to_addr = to_addr;
	m.to_name = to_name;
	m.subject = c->subject;
	m.text = text.data;
	m.html = html.data;
	m.extra_headers = headers;
	m.message_id = arena_printf(a, "%lld.%s@%s", (long long)time(NULL), rnd, mail_domain);
	m.date = time(NULL);
	if (mime_build(&m, msg) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		log_warnx("mail to \"%s\": cannot compose \"%s\"", to_addr, c->subject);
	buf_release(&text);
	buf_release(&html);
	return rc;
}

int
mail_queue(struct db *db, struct arena *a, const char *to_addr, const char *to_name,
	   const struct mail_content *c)
{
	struct buf msg;
	int rc;

	buf_init(&msg, 4 << 20);
	rc = mail_compose(a, to_addr, to_name, c, &msg) == 0 &&
	     mail_db_insert(db, to_addr, c->subject, msg.data) == 0 ? 0 : -1;
	buf_release(&msg);
	return rc;
}

/* libcurl reads the message from here. */
struct mail_upload {
	const char *data;
	size_t len, off;
};

static size_t
mail_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct mail_upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(dst, u->data + u->off, n);
	u->off += n;
	return n;
}

/* How a send went. */
enum mail_outcome {
	MAIL_SENT,
	MAIL_TEMPORARY,		/* retried with backoff */
	MAIL_PERMANENT,		/* the relay refused it for good (5xx): a bounce */
};

/*
 * Sends message to `to` on curl, the thread's handle: reused, so that
 * libcurl keeps the connection to the relay between messages.
 */
static enum mail_outcome
mail_send_smtp(CURL *curl, const char *to, const char *message, char *err, size_t errlen)
{
	struct mail_upload u = { message, strlen(message), 0 };
	struct curl_slist *rcpt = NULL;
	char curl_err[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;

	rcpt = curl_slist_append(rcpt, to);
	curl_easy_setopt(curl, CURLOPT_URL, mail_cfg->smtp_url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_cfg->mail_from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, mail_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	/* smtp:// upgrades with STARTTLS whenever the relay offers it, and
	 * insists on it before sending credentials (else a man in the middle
	 * strips STARTTLS and reads the password); smtps:// is TLS from the
	 * first byte (libcurl knows by the scheme). */
	curl_easy_setopt(curl, CURLOPT_USE_SSL,
			 mail_cfg->smtp_user[0] != '\0' ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (mail_cfg->smtp_user[0] != '\0') {
		curl_easy_setopt(curl, CURLOPT_USERNAME, mail_cfg->smtp_user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, mail_password ? mail_password : "");
	}
	rc = curl_easy_perform(curl);
	curl_slist_free_all(rcpt);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, NULL);
	if (rc == CURLE_OK)
		return MAIL_SENT;
	/* The relay's last reply code; 0 when it never answered. */
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
	return code >= 500 && code <= 599 ? MAIL_PERMANENT : MAIL_TEMPORARY;
}

/* Without SMTP, a message becomes var/mail/<id>.eml, written atomically. */
static int
mail_send_file(const char *id, const char *message, char *err, size_t errlen)
{
	char dir[4096], tmp[4200], path[4200];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/mail", mail_cfg->var_dir);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %.300s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, id);
	snprintf(path, sizeof(path), "%s/%s.eml", dir, id);
	if ((f = fopen(tmp, "w")) == NULL) {
		snprintf(err, errlen, "%.300s: %s", tmp, strerror(errno));
		return -1;
	}
	fputs(message, f);
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	log_info("mail %s written to %s", id, path);
	return 0;
}

/* One sender thread: its connections to the database and the relay. */
struct mail_sender {
	pthread_t thread;
	int index;		/* the first one also runs the periodic jobs */
	CURL *curl;		/* NULL without SMTP */
};

static struct mail_sender *mail_senders;
static int mail_nsenders;

/* Registered renderers of bulk mail; written before the threads start. */
static struct {
	const char *source;
	mail_render_fn render;
} mail_renderers[MAIL_RENDERERS_MAX];
static int mail_nrenderers;

void
mail_add_renderer(const char *source, mail_render_fn render)
{
	if (mail_nrenderers == MAIL_RENDERERS_MAX)
		fatalx("mail: more than %d renderers", MAIL_RENDERERS_MAX);
	mail_renderers[mail_nrenderers].source = source;
	mail_renderers[mail_nrenderers++].render = render;
}

static mail_render_fn
mail_renderer(const char *source)
{
	for (int i = 0; i < mail_nrenderers; i++)
		if (strcmp(mail_renderers[i].source, source) == 0)
			return mail_renderers[i].render;
	return NULL;
}

/* mail_rate for the whole process: each send takes the next free slot. */
static pthread_mutex_t mail_rate_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timespec mail_rate_next;

static void
mail_rate_wait(void)
{
	struct timespec now, slot;
	long step;

	if (mail_cfg->mail_rate == 0)
		return;
	step = 1000000000L / mail_cfg->mail_rate;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&mail_rate_lock);
	slot = mail_rate_next;
	if (slot.tv_sec < now.tv_sec || (slot.tv_sec == now.tv_sec && slot.tv_nsec < now.tv_nsec))
		slot = now;
	mail_rate_next = slot;
	mail_rate_next.tv_nsec += step;
	mail_rate_next.tv_sec += mail_rate_next.tv_nsec / 1000000000L;
	mail_rate_next.tv_nsec %= 1000000000L;
	pthread_mutex_unlock(&mail_rate_lock);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &slot, NULL) == EINTR)
		;
}

/*
 * The text of a message queued unrendered, in *message; returns 0, 1 when
 * its renderer says there is nothing to send, -1 on an error (err).
 */
static int
mail_render(struct db *db, struct arena *a, const struct mail_db_item *it, const char **message,
	    char *err, size_t errlen)
{
	mail_render_fn render = mail_renderer(it->source);
	struct mail_content c = { 0 };
	const char *to_name = NULL;
	struct buf msg;
	int rc;

	if (render == NULL) {
		snprintf(err, errlen, "no renderer for \"%s\"", it->source);
		return -1;
	}
	if ((rc = render(db, a, it->source_id, it->recipient_id, &to_name, &c)) != 0) {
		snprintf(err, errlen, "renderer \"%s\" failed", it->source);
		return rc;
	}
	buf_init(&msg, 4 << 20);
	if (mail_compose(a, it->to, to_name, &c, &msg) == -1) {
		snprintf(err, errlen, "cannot compose");
		rc = -1;
	} else {
		*message = arena_strndup(a, msg.data, msg.len);
	}
	buf_release(&msg);
	return rc;
}

/*
 * Sends (or renders and sends) one claimed message and records the
 * outcome.  Returns 0, 1 after a temporary failure of the relay, or -1 on
 * a database error.
 */
static int
mail_deliver(struct mail_sender *s, struct db *db, struct arena *a, const struct mail_db_item *it)
{
	const char *message = it->message;
	enum mail_outcome outcome;
	char err[512] = "";
	int rc;

	if (it->suppressed)
		return mail_db_finish(db, it->id, "suppressed");
	if (message == NULL) {
		rc = mail_render(db, a, it, &message, err, sizeof(err));
		if (rc == 1)
			return mail_db_finish(db, it->id, "cancelled");
		if (rc == -1) {
			log_warnx("mail %s to \"%s\": %s", it->id, it->to, err);
			return mail_db_failed(db, it->id, err, MAIL_MAX_ATTEMPTS);
		}
	}
	mail_rate_wait();
	if (s->curl == NULL)
		outcome = mail_send_file(it->id, message, err, sizeof(err)) == 0 ? MAIL_SENT : MAIL_TEMPORARY;
	else
		outcome = mail_send_smtp(s->curl, it->to, message, err, sizeof(err));
	if (outcome == MAIL_SENT)
		return mail_db_sent(db, it->id);
	log_warnx("mail %s to \"%s\": %s", it->id, it->to, err);
	if (outcome == MAIL_PERMANENT)
		return mail_db_bounced(db, it->id, err, mail_cfg->mail_bounce_limit);
	return mail_db_failed(db, it->id, err, MAIL_MAX_ATTEMPTS) == -1 ? -1 : 1;
}

/* Claims a batch and sends it; returns how many were handled, or -1. */
static int
mail_send_batch(struct mail_sender *s, struct db *db)
{
	struct mail_db_item items[MAIL_DB_BATCH];
	struct arena *a = arena_new();
	int n, handled = -1;

	if ((n = mail_db_claim(db, a, mail_cfg->mail_lease, items)) == -1)
		goto out;
	for (int i = 0; i < n; i++) {
		/* A renderer's strings live until the next message. */
		struct arena *m = arena_new();
		int rc = mail_deliver(s, db, m, &items[i]);

		arena_free(m);
		if (rc == -1)
			goto out;
		if (rc == 1) {
			/* The relay is unwell: the rest of the batch goes back
			 * to the queue at once (not at the end of the lease),
			 * and this thread waits a moment before the next try. */
			if (mail_db_release(db, a, items + i + 1, n - i - 1) == -1)
				goto out;
			sleep(1);
			break;
		}
	}
	handled = n;
out:
	arena_free(a);
	return handled;
}

int
mail_send_due(struct db *db)
{
	struct mail_sender s = { .index = 0 };
	int n;

	if (mail_cfg->smtp_url[0] != '\0' && (s.curl = curl_easy_init()) == NULL)
		return -1;
	n = mail_send_batch(&s, db);
	if (s.curl != NULL)
		curl_easy_cleanup(s.curl);
	return n;
}

int64_t
mail_outbox_depth(struct db *db, struct arena *a)
{
	return mail_db_depth(db, a);
}

int
mail_counts(struct db *db, struct arena *a, const char *source, int64_t source_id,
	    struct mail_counts *out)
{
	return mail_db_counts(db, a, source, source_id, out);
}

int
mail_address_suppressed(struct db *db, const char *address)
{
	return mail_db_suppressed(db, address);
}

/* Periodic jobs; written before the sender threads start, read by the first only. */
static void (*mail_jobs[MAIL_JOBS_MAX])(struct db *db);
static int mail_njobs;

void
mail_sender_add_job(void (*job)(struct db *db))
{
	if (mail_njobs == MAIL_JOBS_MAX)
		fatalx("mail: more than %d periodic jobs", MAIL_JOBS_MAX);
	mail_jobs[mail_njobs++] = job;
}

/* Idle sender threads (all but the first) sleep here until there is work. */
static pthread_mutex_t mail_wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mail_wake = PTHREAD_COND_INITIALIZER;
static unsigned long mail_wake_gen;

static void
mail_wake_all(void)
{
	pthread_mutex_lock(&mail_wake_lock);
	mail_wake_gen++;
	pthread_cond_broadcast(&mail_wake);
	pthread_mutex_unlock(&mail_wake_lock);
}

/* Waits for mail_wake_all() or at most seconds. */
static void
mail_wait(int seconds)
{
	struct timespec until;
	unsigned long gen;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&mail_wake_lock);
	gen = mail_wake_gen;
	while (gen == mail_wake_gen && atomic_load(&mail_running))
		if (pthread_cond_timedwait(&mail_wake, &mail_wake_lock, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&mail_wake_lock);
}

static void *
mail_loop(void *arg)
{
	struct mail_sender *s = arg;
	/* Marking a message sent may be lost in a database crash (it is
	 * then sent again); the jobs' writes get the usual durability. */
	struct db *db = db_open_async_commit(mail_cfg->database_url);
	struct db *jobs_db = s->index == 0 ? db_open(mail_cfg->database_url) : NULL;
	time_t last_jobs = 0;

	while (atomic_load(&mail_running)) {
		int n = db_ready(db) == 0 ? mail_send_batch(s, db) : -1;
		time_t now = time(NULL);

		if (jobs_db != NULL && now - last_jobs >= mail_cfg->jobs_interval &&
		    db_ready(jobs_db) == 0) {
			last_jobs = now;
			account_db_purge_expired(jobs_db);
			ratelimit_purge(jobs_db);
			for (int i = 0; i < mail_njobs; i++)
				mail_jobs[i](jobs_db);
		}
		/* A full batch means more may be due: go on at once, and wake
		 * the others.  Otherwise only the first thread polls the queue
		 * (twice a second); the others wait to be woken.  Idle pollers
		 * are not free: each poll steps over the rows of a large
		 * campaign still being queued. */
		if (n == MAIL_DB_BATCH)
			mail_wake_all();
		else if (s->index == 0)
			nanosleep(&(struct timespec){ 0, 500 * 1000 * 1000 }, NULL);
		else
			mail_wait(5);
	}
	if (jobs_db != NULL)
		db_close(jobs_db);
	db_close(db);
	return NULL;
}

int
mail_sender_start(void)
{
	mail_nsenders = mail_cfg->mail_concurrency;
	if ((mail_senders = calloc((size_t)mail_nsenders, sizeof(*mail_senders))) == NULL)
		log_oom(sizeof(*mail_senders));
	atomic_store(&mail_running, true);
	for (int i = 0; i < mail_nsenders; i++) {
		struct mail_sender *s = &mail_senders[i];

		s->index = i;
		if (mail_cfg->smtp_url[0] != '\0' && (s->curl = curl_easy_init()) == NULL) {
			log_warnx("mail: curl_easy_init failed");
			mail_nsenders = i;
			mail_sender_stop();
			return -1;
		}
		if (pthread_create(&s->thread, NULL, mail_loop, s) != 0) {
			log_warn("cannot start the mail sender");
			if (s->curl != NULL)
				curl_easy_cleanup(s->curl);
			mail_nsenders = i;
			mail_sender_stop();
			return -1;
		}
	}
	return 0;
}

void
mail_sender_stop(void)
{
	if (!atomic_exchange(&mail_running, false))
		return;
	mail_wake_all();
	for (int i = 0; i < mail_nsenders; i++) {
		pthread_join(mail_senders[i].thread, NULL);
		if (mail_senders[i].curl != NULL)
			curl_easy_cleanup(mail_senders[i].curl);
	}
	free(mail_senders);
	mail_senders = NULL;
	mail_nsenders = 0;
}
