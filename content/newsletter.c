/*
 * newsletter.c - subscriptions, signed links, updates and digests (see newsletter.h).
 */
#include "compat.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account_db.h"
#include "buf.h"
#include "db.h"
#include "html.h"
#include "log.h"
#include "mail.h"
#include "newsletter.h"
#include "newsletter_db.h"
#include "ratelimit.h"
#include "request.h"
#include "response.h"
#include "tmpl.h"
#include "token.h"

#define NEWSLETTER_PER_ADDR 30		/* subscription requests per client address per hour */
#define NEWSLETTER_MAILS_PER_EMAIL 3	/* confirmation mails per address per hour */
#define NEWSLETTER_HOUR 3600
#define NEWSLETTER_TOPICS_MAX 50

static const struct config *newsletter_cfg;

/* ---- signed links ---- */

/*
 * A link token is "ID_EXPIRY_MAC": the subscriber id, the unix time it
 * expires (0: never) and token_mac(purpose, "ID.EXPIRY.SECRET") with the
 * subscriber's link secret, so a new secret voids every older link and
 * an erased subscriber's links lead nowhere.  Digits never hold '_', so
 * the two first fields split unambiguously from the MAC.
 */
#define NEWSLETTER_CONFIRM "newsletter-confirm"
#define NEWSLETTER_MANAGE "newsletter-manage"

static const char *
newsletter_token(struct arena *a, const char *purpose, int64_t id, int64_t expires, const char *secret)
{
	char mac[TOKEN_LEN + 1];
	const char *data = arena_printf(a, "%" PRId64 ".%" PRId64 ".%s", id, expires, secret);

	token_mac(purpose, data, mac);
	return arena_printf(a, "%" PRId64 "_%" PRId64 "_%s", id, expires, mac);
}

static const char *
newsletter_link(struct arena *a, const char *page, const char *purpose, int64_t id, int64_t expires,
		const char *secret, int64_t campaign_id)
{
	const char *t = newsletter_token(a, purpose, id, expires, secret);

	return campaign_id > 0
	    ? arena_printf(a, "%s%s?token=%s&c=%" PRId64, newsletter_cfg->base_url, page, t, campaign_id)
	    : arena_printf(a, "%s%s?token=%s", newsletter_cfg->base_url, page, t);
}

enum newsletter_token_check {
	NEWSLETTER_TOKEN_OK,
	NEWSLETTER_TOKEN_BAD,		/* malformed, forged, or its subscriber is gone */
	NEWSLETTER_TOKEN_EXPIRED,
	NEWSLETTER_TOKEN_ERROR,		/* database error */
};

/* Checks req's "token" for purpose and loads its subscriber into *s. */
static enum newsletter_token_check
newsletter_token_check(struct request *req, const char *purpose, bool lock,
		       struct newsletter_subscriber *s)
{
	const char *t = request_str(req, "token"), *mac;
	long long id, expires;
	char *end;
	bool found;

	if (t == NULL)
		return NEWSLETTER_TOKEN_BAD;
	id = strtoll(t, &end, 10);
	if (end == t || *end != '_' || id <= 0)
		return NEWSLETTER_TOKEN_BAD;
	mac = end + 1;
	expires = strtoll(mac, &end, 10);
	if (end == mac || *end != '_' || expires < 0)
		return NEWSLETTER_TOKEN_BAD;
	mac = end + 1;
	if (strlen(mac) != TOKEN_LEN)
		return NEWSLETTER_TOKEN_BAD;
	if (newsletter_db_subscriber(req->db, req->arena, id, NULL, lock, s, &found) == -1)
		return NEWSLETTER_TOKEN_ERROR;
	if (!found || !token_mac_ok(purpose, arena_printf(req->arena, "%lld.%lld.%s", id, expires,
							   s->link_secret), mac))
		return NEWSLETTER_TOKEN_BAD;
	if (expires != 0 && expires < (long long)time(NULL))
		return NEWSLETTER_TOKEN_EXPIRED;
	return NEWSLETTER_TOKEN_OK;
}

/* The page for a link that does not work: 404 (forged, gone) or 410 (expired). */
static int
newsletter_bad_link(struct request *req, enum newsletter_token_check c)
{
	if (c == NEWSLETTER_TOKEN_ERROR)
		return 500;
	if (c == NEWSLETTER_TOKEN_EXPIRED)
		return response_error(req, 410, "Il collegamento è scaduto. Puoi iscriverti di nuovo "
					   "dalla pagina degli aggiornamenti.");
	return response_error(req, 404, "Il collegamento non è valido o l'iscrizione non esiste più.");
}

/*
 * Loads the subscriber of req's link (the "token" field, signed for
 * purpose) into *s: 0, or the status of the error page already made.
 */
static int
newsletter_from_link(struct request *req, const char *purpose, bool lock, struct newsletter_subscriber *s)
{
	enum newsletter_token_check c = NEWSLETTER_TOKEN_BAD;

	if (response_field_message(req, "token") == NULL && response_field_message(req, "c") == NULL)
		c = newsletter_token_check(req, purpose, lock, s);
	return c == NEWSLETTER_TOKEN_OK ? 0 : newsletter_bad_link(req, c);
}

static void
newsletter_origin(const struct request *req, struct newsletter_origin *o)
{
	const char *ua = request_header(req, "User-Agent");

	o->ip = req->client_addr ? req->client_addr : "";
	o->user_agent = ua ? ua : "";
	o->campaign_id = request_int(req, "c", 0);
}

/* ---- topics ---- */

/*
 * The topics of req's "topics" field as a PostgreSQL text[] literal of
 * known slugs (an unknown one is a field error), or NULL after an error.
 */
static const char *
newsletter_topics_param(struct request *req, const struct newsletter_topic *topics, int ntopics)
{
	const struct field_value *v = request_field(req, "topics");
	struct buf b;
	const char *out;
	int n = 0;

	buf_init(&b, 64 * 1024);
	buf_printf(&b, "{");
	for (; v != NULL && v->present; v = v->next) {
		int i;

		for (i = 0; i < ntopics && strcmp(topics[i].slug, v->str) != 0; i++)
			;
		if (i == ntopics) {
			response_field_error(req, "topics", "Argomento sconosciuto.");
			buf_release(&b);
			return NULL;
		}
		/* Slugs are [a-z0-9-]: nothing to quote in the literal. */
		buf_printf(&b, "%s%s", n++ ? "," : "", v->str);
	}
	buf_printf(&b, "}");
	if (n == 0)
		response_field_error(req, "topics", "Scegli almeno un argomento.");
	out = n == 0 ? NULL : arena_strdup(req->arena, b.data);
	buf_release(&b);
	return out;
}

/* Puts the topics into ctx's "topics" list, checked where chosen (a comma-separated list). */
static void
newsletter_topics_fill(struct tmpl_ctx *ctx, const struct newsletter_topic *topics, int ntopics,
		       const char *chosen)
{
	for (int i = 0; i < ntopics; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "topics");
		size_t len = strlen(topics[i].slug);
		bool on = false;

		for (const char *p = chosen; p != NULL && *p != '\0'; p += strcspn(p, ",") + (p[strcspn(p, ",")] != '\0'))
			if (strncmp(p, topics[i].slug, len) == 0 && (p[len] == ',' || p[len] == '\0'))
				on = true;
		tmpl_set(t, "slug", topics[i].slug);
		tmpl_set(t, "name", topics[i].name);
		tmpl_set_bool(t, "checked", on);
	}
}

/* The topics sent with the form, comma-separated (to re-check them on a re-render). */
static const char *
newsletter_topics_sent(struct request *req)
{
	struct buf b;
	const char *out;

	buf_init(&b, 64 * 1024);
	for (const struct field_value *v = request_field(req, "topics"); v && v->present; v = v->next)
		buf_printf(&b, "%s%s", b.len ? "," : "", v->str);
	out = arena_strdup(req->arena, b.data ? b.data : "");
	buf_release(&b);
	return out;
}

/* ---- the public form ---- */

static const struct response_notice newsletter_notices[] = {
	{ "richiesta", "Grazie. Se l'indirizzo è corretto riceverai a breve un'email: segui il "
		       "collegamento che contiene per confermare l'iscrizione." },
};

static const struct field newsletter_page_fields[] = {
	RESPONSE_NOTICE_FIELD,
};

#define NEWSLETTER_SUBSCRIBE_FIELDS(src) \
	{ "email", src, VALID_EMAIL, 0, 0, NULL, FIELD_REQUIRED, "Indirizzo email" }, \
	{ "name", src, VALID_TEXT, 2, 120, NULL, FIELD_REQUIRED, "Nome e cognome" }, \
	{ "organisation", src, VALID_TEXT, 0, 200, NULL, 0, "Ente o organizzazione" }, \
	{ "topics", src, VALID_TOKEN, 1, 40, NULL, FIELD_MULTI | FIELD_REQUIRED, "Argomenti" }, \
	{ "consent", src, VALID_BOOL, 0, 0, NULL, FIELD_REQUIRED, "Consenso" }, \
	{ "consent_version", src, VALID_INT, 1, INT32_MAX, NULL, FIELD_REQUIRED, "Versione del consenso" }

static const struct field newsletter_subscribe_fields[] = {
	NEWSLETTER_SUBSCRIBE_FIELDS(FIELD_BODY),
};

static int
newsletter_form(struct request *req, int status)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Iscriviti agli aggiornamenti");
	struct newsletter_topic *topics;
	const char *consent;
	int ntopics, version;

	response_form(req, ctx);
	response_notice(req, ctx, newsletter_notices, ARRAY_SIZE(newsletter_notices));
	if (newsletter_db_topics(req->db, req->arena, &topics, &ntopics) == -1 ||
	    newsletter_db_consent(req->db, req->arena, &version, &consent) == -1)
		return 500;
	newsletter_topics_fill(ctx, topics, ntopics,
			       req->method == METHOD_POST ? newsletter_topics_sent(req) : "news,events");
	tmpl_set(ctx, "consent_text", consent);
	tmpl_set_int(ctx, "consent_version", version);
	tmpl_set_bool(ctx, "member", req->user != NULL);
	return response_page(req, status, "content/newsletter", ctx);
}

/* GET /newsletter: the subscription form. */
static int
newsletter_page(struct request *req)
{
	return newsletter_form(req, 200);
}

/* The confirmation mail of subscriber id (or, if already active, a note with the preferences link). */
static int
newsletter_mail_request(struct request *req, int64_t id, bool already_active)
{
	static const char *const confirm_body[] = {
		"abbiamo ricevuto la richiesta di iscrivere questo indirizzo agli aggiornamenti del "
		"portale. Per confermarla segui il collegamento qui sotto entro 7 giorni.",
		"Se non sei stato tu, ignora questo messaggio: senza conferma l'iscrizione non è attiva "
		"e i dati vengono cancellati.",
		NULL
	};
	static const char *const active_body[] = {
		"abbiamo ricevuto una nuova richiesta di iscrizione per questo indirizzo, che è già "
		"iscritto agli aggiornamenti del portale. Non è cambiato nulla.",
		"Dal collegamento qui sotto puoi cambiare argomenti e frequenza o annullare l'iscrizione.",
		NULL
	};
	struct newsletter_subscriber s;
	struct mail_content mail = { 0 };
	bool found;

	if (newsletter_db_subscriber(req->db, req->arena, id, NULL, false, &s, &found) == -1 || !found)
		return -1;
	mail.greeting = arena_printf(req->arena, "Gentile %s,", s.name);
	if (already_active) {
		mail.subject = "Sei già iscritto agli aggiornamenti";
		mail.paragraphs = active_body;
		mail.action_label = "Gestisci le preferenze";
		mail.action_url = newsletter_link(req->arena, "/newsletter/preferences", NEWSLETTER_MANAGE,
						  s.id, 0, s.link_secret, 0);
	} else {
		mail.subject = "Conferma l'iscrizione agli aggiornamenti";
		mail.paragraphs = confirm_body;
		mail.action_label = "Conferma l'iscrizione";
		mail.action_url = newsletter_link(req->arena, "/newsletter/confirm", NEWSLETTER_CONFIRM,
						  s.id, s.confirm_expires, s.link_secret, 0);
	}
	return mail_queue(req->db, req->arena, s.email, s.name, &mail);
}

/*
 * The request of a subscription, shared by the form and the API: 0 done
 * (or silently not mailed past the per-address limit), 1 field errors,
 * 429 past the per-client limit (*retry), -1 error.  The outcome is the
 * same whether the address is new, pending or active: only its owner
 * learns which, by mail.
 */
static int
newsletter_request(struct request *req, int64_t *retry)
{
	const char *email = request_str(req, "email"), *topics;
	struct newsletter_topic *all;
	struct newsletter_origin o;
	int64_t count, id;
	int nall, version;
	const char *consent;
	bool already_active;
	int rc = -1;

	if (req->nerrors == 0 && request_int(req, "consent", 0) != 1)
		response_field_error(req, "consent", "Per iscriverti devi dare il consenso.");
	if (newsletter_db_topics(req->db, req->arena, &all, &nall) == -1 ||
	    newsletter_db_consent(req->db, req->arena, &version, &consent) == -1)
		return -1;
	if (req->nerrors == 0 && request_int(req, "consent_version", 0) != version)
		response_field_error(req, "consent", "Il testo del consenso è cambiato: leggilo di nuovo "
				     "e conferma.");
	topics = newsletter_topics_param(req, all, nall);
	if (req->nerrors > 0)
		return 1;
	if (ratelimit_count(req->db, "newsletter_addr", req->client_addr, NEWSLETTER_HOUR, &count, retry) == -1)
		return -1;
	if (count >= NEWSLETTER_PER_ADDR)
		return 429;
	newsletter_origin(req, &o);
	if (db_begin(req->db) == -1 || ratelimit_add(req->db, "newsletter_addr", req->client_addr) == -1 ||
	    ratelimit_count(req->db, "newsletter_email", email, NEWSLETTER_HOUR, &count, retry) == -1 ||
	    newsletter_db_request(req->db, email, request_str(req, "name"), request_str(req, "organisation"),
				  topics, version, &o, &id, &already_active) == -1)
		goto out;
	/* A flood of requests for one address sends it three mails an hour, not more. */
	if (count < NEWSLETTER_MAILS_PER_EMAIL &&
	    (ratelimit_add(req->db, "newsletter_email", email) == -1 ||
	     newsletter_mail_request(req, id, already_active) == -1))
		goto out;
	if (db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	db_rollback(req->db);
	return rc;
}

/* POST /newsletter: 303 to the form with a notice; 400 with the form; 429; 500. */
static int
newsletter_submit(struct request *req)
{
	int64_t retry = 0;
	int rc = newsletter_request(req, &retry);

	if (rc == 1)
		return newsletter_form(req, 400);
	if (rc == 429) {
		response_header(req, "Retry-After", arena_printf(req->arena, "%lld", (long long)retry));
		return response_error(req, 429, "Troppe richieste da questo indirizzo. Riprova più tardi.");
	}
	if (rc == -1)
		return 500;
	return response_redirect(req, "/newsletter?esito=richiesta");
}

static const struct field newsletter_api_fields[] = {
	NEWSLETTER_SUBSCRIBE_FIELDS(FIELD_BODY),
};

/* POST /api/v1/subscriptions: 202 whatever the address's state; 400; 429; 500. */
static int
newsletter_api_subscribe(struct request *req)
{
	int64_t retry = 0;
	int rc = newsletter_request(req, &retry);

	if (rc == 1) {
		for (size_t i = 0; i < req->route->nfields; i++)
			if (req->field_errors[i] != NULL)
				return response_json_error(req, 400, "invalid",
					arena_printf(req->arena, "%s: %s", req->route->fields[i].label,
						     req->field_errors[i]));
		return response_json_error(req, 400, "invalid", "Richiesta non valida.");
	}
	if (rc == 429) {
		response_header(req, "Retry-After", arena_printf(req->arena, "%lld", (long long)retry));
		return response_json_error(req, 429, "rate_limited", "Troppe richieste. Riprova più tardi.");
	}
	if (rc == -1)
		return 500;
	buf_printf(&req->body, "{\"status\":\"accepted\",\"message\":\"Se l'indirizzo è corretto "
		   "riceverà un'email per confermare l'iscrizione.\"}");
	return response_json(req, 202);
}

/* ---- links from the mails ---- */

static const struct field newsletter_token_fields[] = {
	{ "token", FIELD_QUERY, VALID_TOKEN, 45, 120, NULL, FIELD_REQUIRED, "Collegamento" },
	{ "c", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "Campagna" },
	RESPONSE_NOTICE_FIELD,
};

/* A page that only says something, with the token's links where useful. */
static int
newsletter_message(struct request *req, int status, const char *title, const char *text,
		   const char *preferences_url)
{
	struct tmpl_ctx *ctx = response_ctx(req, title);

	tmpl_set(ctx, "heading", title);
	tmpl_set(ctx, "text", text);
	tmpl_set(ctx, "preferences_url", preferences_url);
	return response_page(req, status, "content/newsletter_message", ctx);
}

/* A page with one button that POSTs back to the same link (link scanners only GET). */
static int
newsletter_button(struct request *req, const char *title, const char *text, const char *action,
		  const char *label)
{
	struct tmpl_ctx *ctx = response_ctx(req, title);

	tmpl_set(ctx, "heading", title);
	tmpl_set(ctx, "text", text);
	tmpl_set(ctx, "action", action);
	tmpl_set(ctx, "label", label);
	return response_page(req, 200, "content/newsletter_button", ctx);
}

/* The link that posts back here: the path with the token (and campaign). */
static const char *
newsletter_self(struct request *req)
{
	long long c = request_int(req, "c", 0);

	return c > 0 ? arena_printf(req->arena, "%s?token=%s&c=%lld", req->path, request_str(req, "token"), c)
		     : arena_printf(req->arena, "%s?token=%s", req->path, request_str(req, "token"));
}

/* GET /newsletter/confirm?token=: a button (confirming is the POST). */
static int
newsletter_confirm_page(struct request *req)
{
	struct newsletter_subscriber s;
	int status;

	if ((status = newsletter_from_link(req, NEWSLETTER_CONFIRM, false, &s)) != 0)
		return status;
	if (strcmp(s.status, "active") == 0)
		return newsletter_message(req, 200, "Iscrizione già confermata",
					  "La tua iscrizione agli aggiornamenti è attiva.",
					  newsletter_link(req->arena, "/newsletter/preferences", NEWSLETTER_MANAGE,
							  s.id, 0, s.link_secret, 0));
	return newsletter_button(req, "Conferma l'iscrizione",
				 arena_printf(req->arena, "Conferma l'iscrizione di %s agli aggiornamenti del "
					      "portale.", s.email),
				 newsletter_self(req), "Conferma l'iscrizione");
}

/* POST /newsletter/confirm?token=: 200 confirmed (again: harmless); 404; 410; 500. */
static int
newsletter_confirm_submit(struct request *req)
{
	struct newsletter_subscriber s;
	struct newsletter_origin o;
	bool changed;
	int status = 500;

	if (db_begin(req->db) == -1)
		return 500;
	if ((status = newsletter_from_link(req, NEWSLETTER_CONFIRM, true, &s)) != 0) {
		db_rollback(req->db);
		return status;
	}
	newsletter_origin(req, &o);
	if (newsletter_db_confirm(req->db, s.id, &o, &changed) == -1 || db_commit(req->db) == -1)
		goto out;
	if (!changed && strcmp(s.status, "active") != 0) {
		status = newsletter_bad_link(req, NEWSLETTER_TOKEN_BAD);
		goto out;
	}
	status = newsletter_message(req, 200, "Iscrizione confermata",
				    "Da ora riceverai gli aggiornamenti sugli argomenti che hai scelto.",
				    newsletter_link(req->arena, "/newsletter/preferences", NEWSLETTER_MANAGE,
						    s.id, 0, s.link_secret, 0));
out:
	db_rollback(req->db);
	return status;
}

static const char *const newsletter_frequencies[] = { "immediate", "weekly", NULL };

static const struct field newsletter_preferences_fields[] = {
	{ "token", FIELD_QUERY, VALID_TOKEN, 45, 120, NULL, FIELD_REQUIRED, "Collegamento" },
	{ "c", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "Campagna" },
	{ "topics", FIELD_BODY, VALID_TOKEN, 1, 40, NULL, FIELD_MULTI | FIELD_REQUIRED, "Argomenti" },
	{ "frequency", FIELD_BODY, VALID_ENUM, 0, 0, newsletter_frequencies, FIELD_REQUIRED, "Frequenza" },
};

static const struct response_notice newsletter_preferences_notices[] = {
	{ "salvate", "Preferenze salvate." },
};

static int
newsletter_preferences_form(struct request *req, int status, const struct newsletter_subscriber *s)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Preferenze degli aggiornamenti");
	struct newsletter_topic *topics;
	const char *self = newsletter_self(req);
	int ntopics;
	bool posted = req->method == METHOD_POST;

	response_form(req, ctx);
	response_notice(req, ctx, newsletter_preferences_notices, ARRAY_SIZE(newsletter_preferences_notices));
	if (newsletter_db_topics(req->db, req->arena, &topics, &ntopics) == -1)
		return 500;
	newsletter_topics_fill(ctx, topics, ntopics, posted ? newsletter_topics_sent(req) : s->topics);
	tmpl_set(ctx, "email", s->email);
	tmpl_set(ctx, "name", s->name);
	tmpl_set_bool(ctx, "active", strcmp(s->status, "active") == 0);
	tmpl_set_bool(ctx, "weekly", strcmp(posted && request_str(req, "frequency") ?
					    request_str(req, "frequency") : s->frequency, "weekly") == 0);
	tmpl_set(ctx, "action", self);
	tmpl_set(ctx, "token", request_str(req, "token"));
	tmpl_set(ctx, "unsubscribe_action", arena_printf(req->arena, "/newsletter/unsubscribe%s",
							 strchr(self, '?')));
	tmpl_set(ctx, "data_url", arena_printf(req->arena, "/newsletter/data?token=%s", request_str(req, "token")));
	tmpl_set(ctx, "erase_action", arena_printf(req->arena, "/newsletter/erase?token=%s",
						   request_str(req, "token")));
	return response_page(req, status, "content/newsletter_preferences", ctx);
}

/* GET /newsletter/preferences?token=: 200; 404 a bad link; 500. */
static int
newsletter_preferences_page(struct request *req)
{
	struct newsletter_subscriber s;
	int status;

	if ((status = newsletter_from_link(req, NEWSLETTER_MANAGE, false, &s)) != 0)
		return status;
	return newsletter_preferences_form(req, 200, &s);
}

/* POST /newsletter/preferences?token=: 303 back with a notice; 400 the form; 404; 409 not active; 500. */
static int
newsletter_preferences_submit(struct request *req)
{
	struct newsletter_subscriber s;
	struct newsletter_topic *all;
	struct newsletter_origin o;
	int status;
	const char *topics;
	int nall;

	if ((status = newsletter_from_link(req, NEWSLETTER_MANAGE, false, &s)) != 0)
		return status;
	if (strcmp(s.status, "active") != 0)
		return response_error(req, 409, "L'iscrizione non è attiva: iscriviti di nuovo dalla pagina "
					   "degli aggiornamenti.");
	if (newsletter_db_topics(req->db, req->arena, &all, &nall) == -1)
		return 500;
	topics = newsletter_topics_param(req, all, nall);
	if (req->nerrors > 0)
		return newsletter_preferences_form(req, 400, &s);
	newsletter_origin(req, &o);
	if (db_begin(req->db) == -1 ||
	    newsletter_db_preferences(req->db, s.id, topics, request_str(req, "frequency"), &o) == -1 ||
	    db_commit(req->db) == -1) {
		db_rollback(req->db);
		return 500;
	}
	return response_redirect(req, arena_printf(req->arena, "%s&esito=salvate", newsletter_self(req)));
}

static const struct field newsletter_unsubscribe_fields[] = {
	{ "token", FIELD_QUERY, VALID_TOKEN, 45, 120, NULL, FIELD_REQUIRED, "Collegamento" },
	{ "c", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "Campagna" },
	/* RFC 8058's body; mail clients send it, the page's button need not. */
	{ "List-Unsubscribe", FIELD_BODY, VALID_TEXT, 0, 40, NULL, 0, "List-Unsubscribe" },
};

/* GET /newsletter/unsubscribe?token=: a button; nothing changes on a GET. */
static int
newsletter_unsubscribe_page(struct request *req)
{
	struct newsletter_subscriber s;
	int status;

	if ((status = newsletter_from_link(req, NEWSLETTER_MANAGE, false, &s)) != 0)
		return status;
	if (strcmp(s.status, "unsubscribed") == 0)
		return newsletter_message(req, 200, "Iscrizione già annullata",
					  "Questo indirizzo non riceve più gli aggiornamenti.", NULL);
	return newsletter_button(req, "Annulla l'iscrizione",
				 arena_printf(req->arena, "Vuoi che %s non riceva più gli aggiornamenti del "
					      "portale?", s.email),
				 newsletter_self(req), "Annulla l'iscrizione");
}

/*
 * POST /newsletter/unsubscribe?token= (RFC 8058 one-click, or the page's
 * button): 200 unsubscribed (also when it already was); 404; 500.  No
 * session, no CSRF token: the signed link is the authority.
 */
static int
newsletter_unsubscribe_submit(struct request *req)
{
	struct newsletter_subscriber s;
	struct newsletter_origin o;
	int status;
	bool changed;

	if ((status = newsletter_from_link(req, NEWSLETTER_MANAGE, false, &s)) != 0)
		return status;
	newsletter_origin(req, &o);
	if (db_begin(req->db) == -1 || newsletter_db_unsubscribe(req->db, s.id, &o, &changed) == -1 ||
	    db_commit(req->db) == -1) {
		db_rollback(req->db);
		return 500;
	}
	return newsletter_message(req, 200, "Iscrizione annullata",
				  "Non riceverai più gli aggiornamenti del portale. Puoi iscriverti di nuovo "
				  "quando vuoi.", NULL);
}

/* GET /newsletter/data?token=: what is held about the subscriber, as a JSON file; 404; 500. */
static int
newsletter_data(struct request *req)
{
	struct newsletter_subscriber s;
	int status;
	const char *json;

	if ((status = newsletter_from_link(req, NEWSLETTER_MANAGE, false, &s)) != 0)
		return status;
	if (newsletter_db_export(req->db, req->arena, s.id, &json) == -1)
		return 500;
	response_header(req, "Content-Disposition", "attachment; filename=\"iscrizione-aggiornamenti.json\"");
	response_header(req, "Cache-Control", "no-store");
	return response_text(req, 200, "application/json; charset=utf-8", json);
}

/* POST /newsletter/erase?token=: deletes the subscriber and their ledger; 200; 404; 500. */
static int
newsletter_erase(struct request *req)
{
	struct newsletter_subscriber s;
	int status;

	if (db_begin(req->db) == -1)
		return 500;
	if ((status = newsletter_from_link(req, NEWSLETTER_MANAGE, true, &s)) != 0) {
		db_rollback(req->db);
		return status;
	}
	/* The audit line names no one: what was erased stays erased. */
	if (newsletter_db_erase(req->db, s.id) == -1 ||
	    account_db_audit(req->db, 0, "newsletter_erase", 0, "un iscritto ha cancellato i suoi dati",
			     req->client_addr) == -1 ||
	    db_commit(req->db) == -1) {
		db_rollback(req->db);
		return 500;
	}
	return newsletter_message(req, 200, "Dati cancellati",
				  "Abbiamo cancellato l'iscrizione e tutti i dati che la riguardano, compreso "
				  "il registro dei consensi.", NULL);
}

/* ---- members ---- */

static const struct field newsletter_member_fields[] = {
	{ "topics", FIELD_BODY, VALID_TOKEN, 1, 40, NULL, FIELD_MULTI, "Argomenti" },
	{ "frequency", FIELD_BODY, VALID_ENUM, 0, 0, newsletter_frequencies, 0, "Frequenza" },
	{ "consent", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Consenso" },
	{ "consent_version", FIELD_BODY, VALID_INT, 1, INT32_MAX, NULL, 0, "Versione del consenso" },
	{ "action", FIELD_BODY, VALID_ENUM, 0, 0, (const char *const[]){ "save", "unsubscribe", NULL },
	  FIELD_REQUIRED, "Azione" },
	RESPONSE_NOTICE_FIELD,
};

static const struct response_notice newsletter_member_notices[] = {
	{ "salvate", "Iscrizione agli aggiornamenti salvata: è già attiva." },
	{ "annullata", "Iscrizione agli aggiornamenti annullata." },
};

static int
newsletter_member_form(struct request *req, int status)
{
	struct tmpl_ctx *ctx = response_ctx(req, "I miei aggiornamenti via email");
	struct newsletter_subscriber s;
	struct newsletter_topic *topics;
	const char *consent;
	int ntopics, version;
	bool found, active;

	response_form(req, ctx);
	response_notice(req, ctx, newsletter_member_notices, ARRAY_SIZE(newsletter_member_notices));
	if (newsletter_db_topics(req->db, req->arena, &topics, &ntopics) == -1 ||
	    newsletter_db_consent(req->db, req->arena, &version, &consent) == -1 ||
	    newsletter_db_subscriber(req->db, req->arena, 0, req->user->email, false, &s, &found) == -1)
		return 500;
	active = found && strcmp(s.status, "active") == 0;
	newsletter_topics_fill(ctx, topics, ntopics, req->method == METHOD_POST ? newsletter_topics_sent(req) :
			       active ? s.topics : "news,events");
	tmpl_set_bool(ctx, "active", active);
	tmpl_set_bool(ctx, "weekly", active && strcmp(s.frequency, "weekly") == 0);
	tmpl_set(ctx, "email", req->user->email);
	tmpl_set(ctx, "consent_text", consent);
	tmpl_set_int(ctx, "consent_version", version);
	return response_page(req, status, "content/newsletter_member", ctx);
}

/* GET /profilo/aggiornamenti. */
static int
newsletter_member_page(struct request *req)
{
	return newsletter_member_form(req, 200);
}

/* POST /profilo/aggiornamenti: 303 with a notice; 400 the form; 500. */
static int
newsletter_member_submit(struct request *req)
{
	struct newsletter_subscriber s;
	struct newsletter_topic *all;
	struct newsletter_origin o;
	const char *topics = NULL, *consent;
	int nall, version;
	bool found, changed, unsubscribe = request_int(req, "action", 0) == 1;

	if (req->nerrors > 0)
		return newsletter_member_form(req, 400);
	newsletter_origin(req, &o);
	if (unsubscribe) {
		if (db_begin(req->db) == -1 ||
		    newsletter_db_subscriber(req->db, req->arena, 0, req->user->email, true, &s, &found) == -1 ||
		    (found && newsletter_db_unsubscribe(req->db, s.id, &o, &changed) == -1) ||
		    db_commit(req->db) == -1) {
			db_rollback(req->db);
			return 500;
		}
		return response_redirect(req, "/profilo/aggiornamenti?esito=annullata");
	}
	if (newsletter_db_topics(req->db, req->arena, &all, &nall) == -1 ||
	    newsletter_db_consent(req->db, req->arena, &version, &consent) == -1)
		return 500;
	topics = newsletter_topics_param(req, all, nall);
	if (request_str(req, "frequency") == NULL)
		response_field_error(req, "frequency", "Scegli la frequenza.");
	if (request_int(req, "consent", 0) != 1 || request_int(req, "consent_version", 0) != version)
		response_field_error(req, "consent", "Per iscriverti devi dare il consenso.");
	if (req->nerrors > 0)
		return newsletter_member_form(req, 400);
	if (db_begin(req->db) == -1 ||
	    newsletter_db_member_subscribe(req->db, req->user->id, req->user->email, req->user->name,
					   req->user->org_name, topics, request_str(req, "frequency"),
					   version, &o) == -1 ||
	    db_commit(req->db) == -1) {
		db_rollback(req->db);
		return 500;
	}
	return response_redirect(req, "/profilo/aggiornamenti?esito=salvate");
}

/* ---- rendering at send time (mail.h) ---- */

/* The links every bulk message carries, signed for subscriber sid. */
static struct mail_list *
newsletter_list(struct arena *a, int64_t sid, const char *secret, int64_t campaign_id, const char *reason)
{
	struct mail_list *l = arena_calloc(a, 1, sizeof(*l));
	const char *t = newsletter_token(a, NEWSLETTER_MANAGE, sid, 0, secret);

	l->unsubscribe_url = newsletter_link(a, "/newsletter/unsubscribe", NEWSLETTER_MANAGE, sid, 0, secret,
					     campaign_id);
	/* Reaches the editorial office's mailbox: it is read by people
	 * (the portal receives no mail), the token says who. */
	l->unsubscribe_mailto = arena_printf(a, "mailto:%s?subject=unsubscribe%%20%s",
					     newsletter_cfg->mail_from, t);
	l->preferences_url = newsletter_link(a, "/newsletter/preferences", NEWSLETTER_MANAGE, sid, 0, secret,
					     campaign_id);
	l->reason = reason;
	return l;
}

static int
newsletter_render_update(struct db *db, struct arena *a, int64_t publication_id, int64_t sid,
			 const char **to_name, struct mail_content *out)
{
	struct newsletter_recipient r;
	struct newsletter_item it;
	const char **paragraphs = arena_calloc(a, 4, sizeof(*paragraphs));
	bool found;

	if (newsletter_db_update_for(db, a, publication_id, sid, &r, &it, &found) == -1)
		return -1;
	if (!found || !r.active)
		return 1;
	*to_name = r.name;
	paragraphs[0] = arena_printf(a, "è stato pubblicato sul portale un nuovo contenuto in «%s»:",
				     it.topic_name);
	paragraphs[1] = it.title;
	paragraphs[2] = it.summary[0] != '\0' ? it.summary : NULL;
	out->subject = it.title;
	out->greeting = arena_printf(a, "Gentile %s,", r.name);
	out->paragraphs = paragraphs;
	out->action_label = "Leggi sul portale";
	out->action_url = arena_printf(a, "%s%s", newsletter_cfg->base_url, it.path);
	out->list = newsletter_list(a, sid, r.link_secret, 0, arena_printf(a,
		"Ricevi questo messaggio perché sei iscritto agli aggiornamenti su «%s».", it.topic_name));
	return 0;
}

static int
newsletter_render_digest(struct db *db, struct arena *a, int64_t digest_id, int64_t sid,
			 const char **to_name, struct mail_content *out)
{
	struct newsletter_recipient r = { 0 };
	struct newsletter_item *items;
	struct buf html, text;
	int n;

	if (newsletter_db_digest_for(db, a, digest_id, sid, &r, &items, &n) == -1)
		return -1;
	if (n == 0 || !r.active)
		return 1;
	buf_init(&html, 1 << 20);
	buf_init(&text, 1 << 20);
	buf_printf(&html, "<p>ecco cosa è stato pubblicato sul portale questa settimana:</p><ul>");
	buf_printf(&text, "ecco cosa è stato pubblicato sul portale questa settimana:\n\n");
	for (int i = 0; i < n; i++) {
		const char *url = arena_printf(a, "%s%s", newsletter_cfg->base_url, items[i].path);

		buf_printf(&html, "<li><a href=\"");
		html_escape(&html, url, strlen(url));
		buf_printf(&html, "\" style=\"color: #0059b3;\">");
		html_escape(&html, items[i].title, strlen(items[i].title));
		buf_printf(&html, "</a> (");
		html_escape(&html, items[i].topic_name, strlen(items[i].topic_name));
		buf_printf(&html, ", %s)", items[i].published_at);
		if (items[i].summary[0] != '\0') {
			buf_printf(&html, "<br>");
			html_escape(&html, items[i].summary, strlen(items[i].summary));
		}
		buf_printf(&html, "</li>");
		buf_printf(&text, "- %s (%s, %s)\n  %s\n", items[i].title, items[i].topic_name,
			   items[i].published_at, url);
	}
	buf_printf(&html, "</ul>");
	out->body_html = arena_strdup(a, html.data);
	out->body_text = arena_strdup(a, text.data);
	buf_release(&html);
	buf_release(&text);
	*to_name = r.name;
	out->subject = "Gli aggiornamenti della settimana";
	out->greeting = arena_printf(a, "Gentile %s,", r.name);
	out->list = newsletter_list(a, sid, r.link_secret, 0,
				    "Ricevi questo riepilogo settimanale perché sei iscritto agli aggiornamenti "
				    "del portale.");
	return 0;
}

static int
newsletter_render_campaign(struct db *db, struct arena *a, int64_t campaign_id, int64_t sid,
			   const char **to_name, struct mail_content *out)
{
	struct newsletter_recipient r;
	bool found;

	if (newsletter_db_campaign_for(db, a, campaign_id, sid, &r, &out->subject, &out->body_text,
				       &out->body_html, &found) == -1)
		return -1;
	if (!found || !r.active)
		return 1;
	*to_name = r.name;
	out->greeting = arena_printf(a, "Gentile %s,", r.name);
	out->list = newsletter_list(a, sid, r.link_secret, campaign_id,
				    "Ricevi questo messaggio perché sei iscritto agli aggiornamenti del portale.");
	return 0;
}

int
newsletter_send_test(struct db *db, struct arena *a, int64_t campaign_id, const char *to_addr,
		     const char *to_name)
{
	struct newsletter_recipient r;
	struct mail_content c = { 0 };
	struct mail_list *l = arena_calloc(a, 1, sizeof(*l));
	bool found;

	/* Any subscriber row will do for the query; the recipient is to_addr. */
	if (newsletter_db_campaign_for(db, a, campaign_id, 0, &r, &c.subject, &c.body_text, &c.body_html,
				       &found) == -1)
		return -1;
	if (!found)
		return 1;
	l->unsubscribe_url = arena_printf(a, "%s/newsletter", newsletter_cfg->base_url);
	l->preferences_url = l->unsubscribe_url;
	l->reason = "Messaggio di prova: gli iscritti vedranno qui i loro collegamenti personali.";
	c.subject = arena_printf(a, "[Prova] %s", c.subject);
	c.greeting = arena_printf(a, "Gentile %s,", to_name);
	c.list = l;
	return mail_queue(db, a, to_addr, to_name, &c);
}

/* ---- the periodic job ---- */

static void
newsletter_job(struct db *db)
{
	int64_t n;

	if ((n = newsletter_db_expire(db)) > 0)
		log_info("newsletter: %" PRId64 " unconfirmed subscriptions expired", n);
	if ((n = newsletter_db_announce(db)) > 0)
		log_info("newsletter: %" PRId64 " publications announced", n);
	if ((n = newsletter_db_campaigns_due(db)) > 0)
		log_info("newsletter: %" PRId64 " scheduled campaigns queued", n);
	if ((n = newsletter_db_digests(db, newsletter_cfg->digest_weekday, newsletter_cfg->digest_hour)) > 0)
		log_info("newsletter: %" PRId64 " weekly digests queued", n);
}

static const struct route newsletter_routes[] = {
	{ METHOD_GET, "/newsletter", newsletter_page, ROLE_PUBLIC, ROUTE_FORM,
	  ROUTER_FIELDS(newsletter_page_fields), "newsletter.form" },
	{ METHOD_POST, "/newsletter", newsletter_submit, ROLE_PUBLIC, ROUTE_FORM,
	  ROUTER_FIELDS(newsletter_subscribe_fields), "newsletter.subscribe" },
	{ METHOD_POST, "/api/v1/subscriptions", newsletter_api_subscribe, ROLE_PUBLIC,
	  ROUTE_API | ROUTE_NO_CSRF, ROUTER_FIELDS(newsletter_api_fields), "api.newsletter.subscribe" },
	{ METHOD_GET, "/newsletter/confirm", newsletter_confirm_page, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(newsletter_token_fields), "newsletter.confirm" },
	{ METHOD_POST, "/newsletter/confirm", newsletter_confirm_submit, ROLE_PUBLIC, ROUTE_NO_CSRF,
	  ROUTER_FIELDS(newsletter_token_fields), "newsletter.confirm" },
	{ METHOD_GET, "/newsletter/preferences", newsletter_preferences_page, ROLE_PUBLIC, ROUTE_FORM,
	  ROUTER_FIELDS(newsletter_token_fields), "newsletter.preferences" },
	{ METHOD_POST, "/newsletter/preferences", newsletter_preferences_submit, ROLE_PUBLIC,
	  ROUTE_FORM | ROUTE_NO_CSRF, ROUTER_FIELDS(newsletter_preferences_fields), "newsletter.preferences" },
	{ METHOD_GET, "/newsletter/unsubscribe", newsletter_unsubscribe_page, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(newsletter_unsubscribe_fields), "newsletter.unsubscribe" },
	{ METHOD_POST, "/newsletter/unsubscribe", newsletter_unsubscribe_submit, ROLE_PUBLIC, ROUTE_NO_CSRF,
	  ROUTER_FIELDS(newsletter_unsubscribe_fields), "newsletter.unsubscribe" },
	{ METHOD_GET, "/newsletter/data", newsletter_data, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(newsletter_token_fields), "newsletter.data" },
	{ METHOD_POST, "/newsletter/erase", newsletter_erase, ROLE_PUBLIC, ROUTE_NO_CSRF,
	  ROUTER_FIELDS(newsletter_token_fields), "newsletter.erase" },
	{ METHOD_GET, "/profilo/aggiornamenti", newsletter_member_page, ROLE_MEMBER, ROUTE_FORM,
	  ROUTER_FIELDS(newsletter_member_fields), "newsletter.member" },
	{ METHOD_POST, "/profilo/aggiornamenti", newsletter_member_submit, ROLE_MEMBER, ROUTE_FORM,
	  ROUTER_FIELDS(newsletter_member_fields), "newsletter.member" },
};

void
newsletter_register(struct router *r, const struct config *cfg)
{
	newsletter_cfg = cfg;
	router_add(r, newsletter_routes, ARRAY_SIZE(newsletter_routes));
	mail_add_renderer("update", newsletter_render_update);
	mail_add_renderer("digest", newsletter_render_digest);
	mail_add_renderer("campaign", newsletter_render_campaign);
	mail_sender_add_job(newsletter_job);
}
