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
static pthread_t mail_thread;
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

/* The text part: greeting, paragraphs, and the action's link on its own line. */
static void
mail_text(const struct mail_content *c, struct buf *out)
{
	if (c->greeting)
		buf_printf(out, "%s\n\n", c->greeting);
	for (const char *const *p = c->paragraphs; p && *p; p++)
		buf_printf(out, "%s\n\n", *p);
	if (c->action_url)
		buf_printf(out, "%s:\n%s\n\n", c->action_label ? c->action_label : "Link",
			   c->action_url);
	buf_printf(out, "-- \n%s\n%s\n", mail_cfg->portal_name, mail_cfg->base_url);
}

int
mail_queue(struct db *db, struct arena *a, const char *to_addr, const char *to_name,
	   const struct mail_content *c)
{
	struct mime_message m = { 0 };
	struct tmpl_ctx *ctx = tmpl_ctx_new(a);
	struct buf text, html, msg;
	char rnd[17];
	int rc = -1;

	buf_init(&text, 1 << 20);
	buf_init(&html, 1 << 20);
	buf_init(&msg, 4 << 20);
	mail_text(c, &text);
	tmpl_set(ctx, "subject", c->subject);
	tmpl_set(ctx, "greeting", c->greeting);
	for (const char *const *p = c->paragraphs; p && *p; p++)
		tmpl_set(tmpl_list_add(ctx, "paragraphs"), "text", *p);
	tmpl_set(ctx, "action_label", c->action_label);
	tmpl_set(ctx, "action_url", c->action_url);
	tmpl_set(ctx, "portal_name", mail_cfg->portal_name);
	tmpl_set(ctx, "base_url", mail_cfg->base_url);
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
	m.message_id = arena_printf(a, "%lld.%s@%s", (long long)time(NULL), rnd, mail_domain);
	m.date = time(NULL);
	if (mime_build(&m, &msg) == -1) {
		log_warnx("mail to \"%s\": cannot compose \"%s\"", to_addr, c->subject);
		goto out;
	}
	if (mail_db_insert(db, to_addr, c->subject, msg.data) == -1)
		goto out;
	rc = 0;
out:
	buf_release(&text);
	buf_release(&html);
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

static int
mail_send_smtp(const char *to, const char *message, char *err, size_t errlen)
{
	struct mail_upload u = { message, strlen(message), 0 };
	struct curl_slist *rcpt = NULL;
	char curl_err[CURL_ERROR_SIZE] = "";
	CURL *curl;
	CURLcode rc;

	if ((curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
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
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	return rc == CURLE_OK ? 0 : -1;
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

int
mail_send_due(struct db *db)
{
	struct mail_db_item items[MAIL_DB_BATCH];
	struct arena *a = arena_new();
	int n, handled = -1;

	if ((n = mail_db_claim(db, a, items)) == -1)
		goto out;
	for (int i = 0; i < n; i++) {
		char err[512] = "";
		int sent = mail_cfg->smtp_url[0] == '\0'
		    ? mail_send_file(items[i].id, items[i].message, err, sizeof(err))
		    : mail_send_smtp(items[i].to, items[i].message, err, sizeof(err));

		if (sent == -1)
			log_warnx("mail %s to \"%s\": %s", items[i].id, items[i].to, err);
		if ((sent == 0 ? mail_db_sent(db, items[i].id)
			       : mail_db_failed(db, items[i].id, err, MAIL_MAX_ATTEMPTS)) == -1)
			goto out;
	}
	handled = n;
out:
	arena_free(a);
	return handled;
}

int64_t
mail_outbox_depth(struct db *db, struct arena *a)
{
	return mail_db_depth(db, a);
}

/* Periodic jobs; written before the sender thread starts, read by it only. */
static void (*mail_jobs[MAIL_JOBS_MAX])(struct db *db);
static int mail_njobs;

void
mail_sender_add_job(void (*job)(struct db *db))
{
	if (mail_njobs == MAIL_JOBS_MAX)
		fatalx("mail: more than %d periodic jobs", MAIL_JOBS_MAX);
	mail_jobs[mail_njobs++] = job;
}

static void *
mail_loop(void *arg)
{
	struct db *db = db_open(mail_cfg->database_url);
	time_t last_purge = 0;

	(void)arg;
	while (atomic_load(&mail_running)) {
		int n = db_ready(db) == 0 ? mail_send_due(db) : -1;
		time_t now = time(NULL);

		if (now - last_purge >= mail_cfg->jobs_interval && db_ready(db) == 0) {
			last_purge = now;
			account_db_purge_expired(db);
			ratelimit_purge(db);
			for (int i = 0; i < mail_njobs; i++)
				mail_jobs[i](db);
		}
		/* A full batch means more may be due: go on at once. */
		if (n < MAIL_DB_BATCH) {
			struct timespec ts = { 0, 500 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	db_close(db);
	return NULL;
}

int
mail_sender_start(void)
{
	atomic_store(&mail_running, true);
	if (pthread_create(&mail_thread, NULL, mail_loop, NULL) != 0) {
		log_warn("cannot start the mail sender");
		return -1;
	}
	return 0;
}

void
mail_sender_stop(void)
{
	if (!atomic_exchange(&mail_running, false))
		return;
	pthread_join(mail_thread, NULL);
}
