/*
 * event.c - events, registrations, the waiting list, calendars and the
 * attendance sheet (see event.h).
 *
 * Times are typed as Rome wall-clock time and turned into instants by
 * PostgreSQL ("... Europe/Rome"), so daylight saving needs no code here.
 * A registration, a cancellation and the mails they cause commit in one
 * transaction, under a lock on the event's row (event_db.c).  The cancel
 * link's token exists only in the mail; the table holds its hash.  The
 * link's GET only shows a button: mail scanners that follow links cancel
 * nothing.
 */
#include "compat.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "config.h"
#include "db.h"
#include "event.h"
#include "event_db.h"
#include "event_sheet.h"
#include "html.h"
#include "ical.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "md.h"
#include "publication.h"
#include "ratelimit.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"
#include "token.h"
#include "valid.h"

#define EVENT_STAFF (ROLE_FORMATORE | ROLE_COORDINAMENTO | ROLE_ADMIN)
#define EVENT_PRODID "-//SIGeSS//Portale formazione//IT"
#define EVENT_ICS_MAX ((size_t)4 << 20)
#define EVENT_LIST_MAX 200
#define EVENT_REMIND_BATCH 50
#define EVENT_DUP_MAILS 3	/* mails an hour to one address for repeated registrations */

static const struct config *event_cfg;

static const char *const event_kinds[] = { "convegno", "workshop", "seminario", "webinar", NULL };
static const char *const event_kind_labels[] = { "Convegno", "Workshop", "Seminario", "Webinar" };

static const char *const event_months[] = {
	"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
	"settembre", "ottobre", "novembre", "dicembre",
};

static bool
event_staff(const struct request *req)
{
	return req->user != NULL && (req->user->roles & EVENT_STAFF);
}

static int64_t
event_uid(const struct request *req)
{
	return req->user != NULL ? req->user->id : 0;
}

static const struct response_notice event_notices[] = {
	{ "creato", "Evento creato e pubblicato." },
	{ "salvato", "Modifiche salvate." },
	{ "eliminato", "Evento eliminato; gli iscritti sono stati avvisati." },
};

/* ---- dates ----------------------------------------------------------------- */

/* Reads exactly n digits at s into *v. */
static bool
event_digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

int
event_time_parse(const char *s, char out[EVENT_TIME_LEN])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec = 0, zh, zm;
	const char *p;

	out[0] = '\0';
	if (s == NULL || strlen(s) < 16 ||
	    !event_digits(s, 4, &y) || s[4] != '-' || !event_digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !event_digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
	    !event_digits(s + 11, 2, &h) || s[13] != ':' || !event_digits(s + 14, 2, &mi))
		return -1;
	p = s + 16;
	if (*p == ':') {
		if (!event_digits(p + 1, 2, &sec))
			return -1;
		p += 3;
	}
	if (y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
		return -1;
	if (d > mdays[mo - 1] + (mo == 2 && y % 4 == 0 ? 1 : 0))
		return -1;
	if (*p == '\0') {
		snprintf(out, EVENT_TIME_LEN, "%04d-%02d-%02d %02d:%02d:%02d Europe/Rome", y, mo, d, h, mi, sec);
		return 0;
	}
	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		snprintf(out, EVENT_TIME_LEN, "%04d-%02d-%02d %02d:%02d:%02d+00:00", y, mo, d, h, mi, sec);
		return 0;
	}
	if ((p[0] == '+' || p[0] == '-') && event_digits(p + 1, 2, &zh) && p[3] == ':' &&
	    event_digits(p + 4, 2, &zm) && p[6] == '\0' && zh <= 14 && zm <= 59) {
		snprintf(out, EVENT_TIME_LEN, "%04d-%02d-%02d %02d:%02d:%02d%c%02d:%02d", y, mo, d, h, mi,
			 sec, p[0], zh, zm);
		return 0;
	}
	return -1;
}

const char *
event_day_long(struct arena *a, const char *ymd)
{
	int y, m, d;

	if (ymd == NULL || strlen(ymd) < 10 || !event_digits(ymd, 4, &y) || ymd[4] != '-' ||
	    !event_digits(ymd + 5, 2, &m) || ymd[7] != '-' || !event_digits(ymd + 8, 2, &d) ||
	    m < 1 || m > 12)
		return ymd;
	return arena_printf(a, "%d %s %d", d, event_months[m - 1], y);
}

const char *
event_when_long(struct arena *a, const char *ymd_hm)
{
	if (ymd_hm == NULL || strlen(ymd_hm) != 16)
		return ymd_hm;
	return arena_printf(a, "%s, %s", event_day_long(a, ymd_hm), ymd_hm + 11);
}

/* "2 marzo 2026, 09:30–13:00", or both dates when it spans days. */
static const char *
event_range(struct arena *a, const struct event *e)
{
	if (strncmp(e->start_local, e->end_local, 10) == 0)
		return arena_printf(a, "%s–%s", event_when_long(a, e->start_local), e->end_local + 11);
	return arena_printf(a, "dal %s al %s", event_when_long(a, e->start_local),
			    event_when_long(a, e->end_local));
}

static const char *
event_kind_label(const char *kind)
{
	for (int i = 0; event_kinds[i] != NULL; i++)
		if (strcmp(kind, event_kinds[i]) == 0)
			return event_kind_labels[i];
	return kind;
}

/* Where it happens, in words: the place, "Online", or both. */
static const char *
event_where(struct arena *a, const struct event *e)
{
	if (e->place[0] != '\0' && e->online_url[0] != '\0')
		return arena_printf(a, "%s e online", e->place);
	return e->place[0] != '\0' ? e->place : "Online";
}

/* The URL of path on this portal, for mails and feeds. */
static const char *
event_url(struct arena *a, const char *fmt_path, int64_t id)
{
	return arena_printf(a, "%s%s%lld", event_cfg->base_url, fmt_path, (long long)id);
}

/* ---- what an editor writes -------------------------------------------------- */

#define EVENT_EDIT_FIELDS \
	{ "title", FIELD_BODY, VALID_TEXT, 1, 200, NULL, 0, "Titolo" }, \
	{ "description", FIELD_BODY, VALID_TEXT, 0, 20000, NULL, FIELD_MULTILINE, "Descrizione" }, \
	{ "kind", FIELD_BODY, VALID_ENUM, 0, 0, event_kinds, 0, "Tipo di evento" }, \
	{ "starts_at", FIELD_BODY, VALID_TEXT, 1, 40, NULL, 0, "Inizio" }, \
	{ "ends_at", FIELD_BODY, VALID_TEXT, 1, 40, NULL, 0, "Fine" }, \
	{ "place", FIELD_BODY, VALID_TEXT, 0, 300, NULL, 0, "Luogo" }, \
	{ "online_url", FIELD_BODY, VALID_TEXT, 0, HTML_URL_WEB_MAX, NULL, 0, "Collegamento online" }, \
	{ "capacity", FIELD_BODY, VALID_INT, 0, 100000, NULL, 0, "Posti disponibili" }

/*
 * Reads and checks the event's fields into e (strings in the arena).
 * Returns 0, 1 after marking the wrong fields, or -1 (database).
 */
static int
event_edit_read(struct request *req, struct event_edit *e)
{
	char *start = arena_alloc(req->arena, EVENT_TIME_LEN);
	char *end = arena_alloc(req->arena, EVENT_TIME_LEN);
	struct buf html;
	int bad = req->nerrors > 0, rc = -1;

	memset(e, 0, sizeof(*e));
	buf_init(&html, 1 << 20);
	e->title = request_str(req, "title");
	e->description = request_str(req, "description") ? request_str(req, "description") : "";
	e->kind = request_str(req, "kind");
	e->place = request_str(req, "place") ? request_str(req, "place") : "";
	e->online_url = request_str(req, "online_url") ? request_str(req, "online_url") : "";
	e->capacity = (int)request_int(req, "capacity", 0);
	if (e->title == NULL && response_field_message(req, "title") == NULL) {
		response_field_error(req, "title", "Il campo «Titolo» è obbligatorio.");
		bad = 1;
	}
	if (e->kind == NULL && response_field_message(req, "kind") == NULL) {
		response_field_error(req, "kind", "Scegli il tipo di evento.");
		bad = 1;
	}
	if (response_field_message(req, "starts_at") == NULL &&
	    event_time_parse(request_str(req, "starts_at"), start) == -1) {
		response_field_error(req, "starts_at", "Indica l'inizio come data e ora valide (gg/mm/aaaa, hh:mm).");
		bad = 1;
	}
	if (response_field_message(req, "ends_at") == NULL &&
	    event_time_parse(request_str(req, "ends_at"), end) == -1) {
		response_field_error(req, "ends_at", "Indica la fine come data e ora valide (gg/mm/aaaa, hh:mm).");
		bad = 1;
	}
	if (e->online_url[0] != '\0' && !html_url_is_web(e->online_url)) {
		response_field_error(req, "online_url",
				     "Il collegamento deve essere un indirizzo web completo (http:// o https://).");
		bad = 1;
	}
	if (e->place[0] == '\0' && e->online_url[0] == '\0' && response_field_message(req, "place") == NULL &&
	    response_field_message(req, "online_url") == NULL) {
		response_field_error(req, "place", "Indica il luogo o il collegamento online.");
		bad = 1;
	}
	if (start[0] != '\0' && end[0] != '\0') {
		int ok = event_db_order_ok(req->db, start, end);
		if (ok == -1)
			goto out;
		if (ok == 0) {
			response_field_error(req, "ends_at", "La fine deve essere dopo l'inizio.");
			bad = 1;
		}
	}
	e->starts_at = start;
	e->ends_at = end;
	if (md_render(e->description, strlen(e->description), &html) == -1 || html.err) {
		response_field_error(req, "description", "La descrizione non si può impaginare.");
		bad = 1;
	} else {
		e->description_html = arena_strdup(req->arena, html.data);
	}
	rc = bad;
out:
	buf_release(&html);
	return rc;
}

/* ---- mail ----------------------------------------------------------------------- */

static int
event_mail(struct db *db, struct arena *a, const struct event_reg *g, const char *subject,
	   const char *const *paragraphs, const char *label, const char *url)
{
	struct mail_content m = {
		.subject = subject,
		.greeting = arena_printf(a, "Gentile %s,", g->name),
		.paragraphs = paragraphs,
		.action_label = label,
		.action_url = url,
	};

	return mail_queue(db, a, g->email, g->name, &m);
}

/* The mail after a registration (or a repeated one): its status and the cancel link. */
static int
event_mail_registered(struct db *db, struct arena *a, const struct event *e,
		      const struct event_reg *g, const char *token, bool dup)
{
	bool confirmed = strcmp(g->status, "confirmed") == 0;
	const char *p[5] = {
		dup ? arena_printf(a, "abbiamo ricevuto una nuova richiesta di iscrizione a «%s» per "
				   "questo indirizzo, che era già iscritto: non abbiamo aggiunto nulla.", e->title)
		    : arena_printf(a, "grazie per esserti iscritto a «%s».", e->title),
		confirmed ? "La tua iscrizione è confermata: hai un posto."
			  : "I posti sono esauriti: sei in lista d'attesa. Se si libera un posto "
			    "ti scriviamo subito.",
		arena_printf(a, "Quando: %s. Dove: %s%s%s.", event_range(a, e), event_where(a, e),
			     e->online_url[0] ? " – " : "", e->online_url),
		"Se non puoi partecipare, annulla l'iscrizione con il pulsante qui sotto: il posto "
		"andrà a chi è in lista d'attesa. I link delle email precedenti non valgono più.",
		NULL
	};

	if (!dup)
		p[3] = "Se non puoi partecipare, annulla l'iscrizione con il pulsante qui sotto: il "
		       "posto andrà a chi è in lista d'attesa.";
	return event_mail(db, a, g,
			  arena_printf(a, "%s: %s", confirmed ? "Iscrizione confermata" : "Sei in lista d'attesa",
				       e->title),
			  p, "Annulla l'iscrizione",
			  arena_printf(a, "%s/eventi/annulla?token=%s", event_cfg->base_url, token));
}

/* Tells the ones moved up from the waiting list that they have a seat. */
static int
event_mail_promoted(struct db *db, struct arena *a, const struct event *e,
		    const struct event_reg *up, int n)
{
	for (int i = 0; i < n; i++) {
		const char *p[] = {
			arena_printf(a, "si è liberato un posto per «%s»: la tua iscrizione è ora confermata.",
				     e->title),
			arena_printf(a, "Quando: %s. Dove: %s.", event_range(a, e), event_where(a, e)),
			"Se non puoi più partecipare, annulla con il link dell'email di iscrizione.",
			NULL
		};
		if (event_mail(db, a, &up[i], arena_printf(a, "Posto confermato: %s", e->title), p,
			       "Vedi l'evento", event_url(a, "/eventi/", e->id)) == -1)
			return -1;
	}
	return 0;
}

/* ---- pages ------------------------------------------------------------------------ */

static void
event_fill(struct request *req, struct tmpl_ctx *t, const struct event *e)
{
	tmpl_set_int(t, "id", e->id);
	tmpl_set(t, "title", e->title);
	tmpl_set(t, "kind", event_kind_label(e->kind));
	tmpl_set(t, "when", event_range(req->arena, e));
	tmpl_set(t, "start_iso", e->start_iso);
	tmpl_set(t, "day", event_day_long(req->arena, e->start_local));
	tmpl_set(t, "place", e->place[0] ? e->place : NULL);
	tmpl_set(t, "online_url", html_url_is_web(e->online_url) ? e->online_url : NULL);
	tmpl_set(t, "where", event_where(req->arena, e));
	tmpl_set_bool(t, "past", e->past);
	tmpl_set_int(t, "confirmed", e->confirmed);
	tmpl_set_int(t, "waiting", e->waiting);
	if (e->capacity > 0) {
		tmpl_set_int(t, "capacity", e->capacity);
		tmpl_set_int(t, "seats_left", e->capacity > e->confirmed ? e->capacity - e->confirmed : 0);
		tmpl_set_bool(t, "full", e->confirmed >= e->capacity);
	}
}

/* GET /eventi: upcoming events, then the past ones. */
static int
event_list_page(struct request *req)
{
	struct event *up, *past;
	struct tmpl_ctx *ctx;
	int nup, npast;

	if (event_db_list(req->db, req->arena, EVENT_UPCOMING, EVENT_LIST_MAX, 0, &up, &nup) == -1 ||
	    event_db_list(req->db, req->arena, EVENT_PAST, 50, 0, &past, &npast) == -1)
		return 500;
	ctx = response_ctx(req, "Eventi");
	tmpl_set_bool(ctx, "staff", event_staff(req));
	tmpl_set_bool(ctx, "no_upcoming", nup == 0);
	for (int i = 0; i < nup; i++)
		event_fill(req, tmpl_list_add(ctx, "upcoming"), &up[i]);
	for (int i = 0; i < npast; i++)
		event_fill(req, tmpl_list_add(ctx, "past_events"), &past[i]);
	return response_page(req, 200, "content/events", ctx);
}

/* The UTC now for DTSTAMP, "YYYYMMDDTHHMMSSZ". */
static const char *
event_stamp(struct arena *a)
{
	time_t now = time(NULL);
	struct tm tm;
	char s[32];

	gmtime_r(&now, &tm);
	strftime(s, sizeof(s), "%Y%m%dT%H%M%SZ", &tm);
	return arena_strdup(a, s);
}

/* Writes events as a calendar into req->body: 200, or 500 past the cap. */
static int
event_ics(struct request *req, const char *name, const struct event *es, int n, const char *filename)
{
	const char *stamp = event_stamp(req->arena);

	buf_reset(&req->body);
	req->body.max = EVENT_ICS_MAX;
	ical_begin(&req->body, EVENT_PRODID, name);
	for (int i = 0; i < n; i++) {
		const struct event *e = &es[i];
		const char *url = event_url(req->arena, "/eventi/", e->id);
		const char *online = html_url_is_web(e->online_url) ? e->online_url : NULL;
		struct ical_event ev = {
			.uid = arena_printf(req->arena, "evento-%lld@portale-sigess", (long long)e->id),
			.dtstart = e->start_utc,
			.dtend = e->end_utc,
			.summary = arena_printf(req->arena, "%s: %s", event_kind_label(e->kind), e->title),
			.description = arena_printf(req->arena, "%s%s%s\n\nIscrizioni: %s", e->description,
						    online ? "\n\nCollegamento: " : "", online ? online : "", url),
			.location = e->place[0] ? e->place : online,
			.url = url,
		};
		ical_event(&req->body, &ev, stamp);
	}
	ical_end(&req->body);
	if (req->body.err) {
		buf_reset(&req->body);
		return 500;
	}
	req->content_type = "text/calendar; charset=utf-8";
	response_header(req, "Content-Disposition", arena_printf(req->arena, "attachment; filename=\"%s\"", filename));
	return req->status = 200;
}

/* GET /eventi.ics: every event. */
static int
event_all_ics(struct request *req)
{
	struct event *es;
	int n;

	if (event_db_list(req->db, req->arena, EVENT_ALL, 5000, 0, &es, &n) == -1)
		return 500;
	return event_ics(req, "Eventi", es, n, "eventi.ics");
}

/* The event page; status and the registration form sent back when it was wrong. */
static int
event_render(struct request *req, int status, int64_t id)
{
	struct tmpl_ctx *ctx, *form;
	struct event e;
	bool found;

	if (event_db_get(req->db, req->arena, id, &e, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Evento non trovato.");
	ctx = response_ctx(req, e.title);
	form = response_form(req, ctx);
	response_notice(req, ctx, event_notices, ARRAY_SIZE(event_notices));
	event_fill(req, ctx, &e);
	tmpl_set(ctx, "event_title", e.title);
	tmpl_set_html(ctx, "description_html", e.description_html[0] ? e.description_html : NULL);
	tmpl_set_bool(ctx, "staff", event_staff(req));
	if (req->method == METHOD_GET && req->user != NULL) {
		tmpl_set(form, "name", req->user->name);
		tmpl_set(form, "email", req->user->email);
		tmpl_set(form, "organisation", req->user->org_name);
	}
	return response_page(req, status, "content/event", ctx);
}

static const struct field event_path_fields[] = {
	{ "id", FIELD_PATH, VALID_TEXT, 1, 24, NULL, FIELD_REQUIRED, "Evento" },
	RESPONSE_NOTICE_FIELD,
};

/* GET /eventi/{id} and /eventi/{id}.ics */
static int
event_page(struct request *req)
{
	const char *s = request_str(req, "id");
	size_t digits = strspn(s, "0123456789");
	struct event e;
	bool found;
	int64_t id;

	if (digits == 0 || digits > 18 || (s[digits] != '\0' && strcmp(s + digits, ".ics") != 0))
		return response_error(req, 404, "Evento non trovato.");
	id = strtoll(s, NULL, 10);
	if (s[digits] == '\0')
		return event_render(req, 200, id);
	if (event_db_get(req->db, req->arena, id, &e, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Evento non trovato.");
	return event_ics(req, e.title, &e, 1, arena_printf(req->arena, "evento-%lld.ics", (long long)id));
}

/* ---- registration ------------------------------------------------------------------ */

#define EVENT_REG_FIELDS \
	{ "name", FIELD_BODY, VALID_TEXT, 1, 200, NULL, 0, "Nome e cognome" }, \
	{ "email", FIELD_BODY, VALID_EMAIL, 0, 0, NULL, 0, "Email" }, \
	{ "organisation", FIELD_BODY, VALID_TEXT, 0, 200, NULL, 0, "Ente o organizzazione" }

static const struct field event_reg_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Evento" },
	EVENT_REG_FIELDS,
};

/*
 * Registers the sender for event id (members: their name and address
 * unless they typed others).  Returns 0 with *seats ("confirmed" or
 * "waiting": what a new registration gets now, the same for an address
 * already registered), 1 when fields are wrong (marked), 2 when there is
 * no such event or it has started, -1 on error.
 */
static int
event_register_do(struct request *req, int64_t id, const char **seats)
{
	const char *name = request_str(req, "name"), *email = request_str(req, "email");
	const char *org = request_str(req, "organisation"), *status;
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_PARAM_LEN];
	struct event_reg g = { 0 };
	struct event e;
	bool found, dup;
	int rc = -1;

	if (req->user != NULL) {
		if (name == NULL && response_field_message(req, "name") == NULL)
			name = req->user->name;
		if (email == NULL && response_field_message(req, "email") == NULL)
			email = req->user->email;
		if (org == NULL && response_field_message(req, "organisation") == NULL)
			org = req->user->org_name;
	}
	if (event_db_get(req->db, req->arena, id, &e, &found) == -1)
		return -1;
	if (!found || e.past)
		return 2;
	if (name == NULL && response_field_message(req, "name") == NULL)
		response_field_error(req, "name", "Il campo «Nome e cognome» è obbligatorio.");
	if (email == NULL && response_field_message(req, "email") == NULL)
		response_field_error(req, "email", "Il campo «Email» è obbligatorio.");
	if (req->nerrors > 0)
		return 1;
	token_new(token);
	token_hash_param(token, hash);
	if (db_begin(req->db) == -1)
		goto out;
	rc = event_db_register(req->db, req->arena, id, event_uid(req), name, email, org ? org : "",
			       hash, &status, seats, &dup);
	if (rc != 0) {
		rc = rc == 1 ? 2 : -1;
		goto out;
	}
	rc = -1;
	if (dup) {
		/* A repeated form must not become a way to flood someone's inbox. */
		int64_t count, retry;
		if (ratelimit_count(req->db, "event_reg_mail", email, 3600, &count, &retry) == -1 ||
		    ratelimit_add(req->db, "event_reg_mail", email) == -1)
			goto out;
		if (count >= EVENT_DUP_MAILS) {
			/* No mail, so no new link either: the one sent last keeps working. */
			db_rollback(req->db);
			rc = 0;
			goto out;
		}
	}
	g.name = name;
	g.email = email;
	g.status = status;
	if (event_mail_registered(req->db, req->arena, &e, &g, token, dup) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	rc = 0;
out:
	sodium_memzero(token, sizeof(token));
	if (rc == -1)
		db_rollback(req->db);
	return rc;
}

/* POST /eventi/{id}/iscrizione */
static int
event_register_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct tmpl_ctx *ctx;
	const char *seats;
	struct event e;
	bool found;

	switch (event_register_do(req, id, &seats)) {
	case 0:
		break;
	case 1:
		return event_render(req, 400, id);
	case 2:
		return response_error(req, 404, "Evento non trovato o iscrizioni chiuse.");
	default:
		return 500;
	}
	if (event_db_get(req->db, req->arena, id, &e, &found) == -1 || !found)
		return 500;
	/* The same page whether the address was new or already registered. */
	ctx = response_ctx(req, "Richiesta di iscrizione ricevuta");
	event_fill(req, ctx, &e);
	tmpl_set(ctx, "event_title", e.title);
	tmpl_set(ctx, "email", request_str(req, "email") ? request_str(req, "email")
			       : req->user ? req->user->email : NULL);
	return response_page(req, 200, "content/event_registered", ctx);
}

static const struct field event_cancel_page_fields[] = {
	{ "token", FIELD_QUERY, VALID_TOKEN, TOKEN_LEN, TOKEN_LEN, NULL, 0, "Codice" },
};

static const struct field event_cancel_fields[] = {
	{ "token", FIELD_BODY, VALID_TOKEN, TOKEN_LEN, TOKEN_LEN, NULL, 0, "Codice" },
};

/* GET /eventi/annulla?token=: a button, never the cancellation itself. */
static int
event_cancel_page(struct request *req)
{
	const char *token = request_str(req, "token"), *title;
	char hash[TOKEN_HASH_PARAM_LEN];
	struct event_reg g;
	struct tmpl_ctx *ctx;
	bool found = false;

	if (token != NULL) {
		token_hash_param(token, hash);
		if (event_db_by_token(req->db, req->arena, hash, &g, &title, &found) == -1)
			return 500;
	}
	ctx = response_ctx(req, "Annulla l'iscrizione");
	if (found) {
		tmpl_set(ctx, "token", token);
		tmpl_set(ctx, "event_title", title);
		tmpl_set_int(ctx, "event_id", g.event_id);
		tmpl_set_bool(ctx, "waiting", strcmp(g.status, "waiting") == 0);
	}
	tmpl_set_bool(ctx, "ask", found);
	tmpl_set_bool(ctx, "invalid", !found);
	return response_page(req, found ? 200 : 404, "content/event_cancel", ctx);
}

/* POST /eventi/annulla: cancels, moves the waiting list up and mails who got a seat. */
static int
event_cancel_submit(struct request *req)
{
	const char *token = request_str(req, "token");
	char hash[TOKEN_HASH_PARAM_LEN];
	struct event_reg g, *up;
	struct tmpl_ctx *ctx;
	struct event e;
	bool found = false, efound;
	int nup;

	if (token != NULL) {
		token_hash_param(token, hash);
		if (db_begin(req->db) == -1 ||
		    event_db_cancel(req->db, req->arena, hash, &g, &found, &up, &nup) == -1)
			return 500;
		if (found && nup > 0 &&
		    (event_db_get(req->db, req->arena, g.event_id, &e, &efound) == -1 || !efound ||
		     event_mail_promoted(req->db, req->arena, &e, up, nup) == -1))
			return 500;
		if (db_commit(req->db) == -1)
			return 500;
	}
	ctx = response_ctx(req, "Annulla l'iscrizione");
	tmpl_set_bool(ctx, "done", found);
	tmpl_set_bool(ctx, "invalid", !found);
	return response_page(req, found ? 200 : 404, "content/event_cancel", ctx);
}

/* ---- staff ------------------------------------------------------------------------------ */

static const struct field event_esito_fields[] = {
	RESPONSE_NOTICE_FIELD,
};

/* GET /gestione/eventi */
static int
event_manage_page(struct request *req)
{
	struct tmpl_ctx *ctx;
	struct event *es;
	int n;

	if (event_db_list(req->db, req->arena, EVENT_ALL, 1000, 0, &es, &n) == -1)
		return 500;
	ctx = response_ctx(req, "Gestione eventi");
	response_notice(req, ctx, event_notices, ARRAY_SIZE(event_notices));
	tmpl_set_bool(ctx, "empty", n == 0);
	/* Newest first: the ones being prepared are the ones edited. */
	for (int i = n - 1; i >= 0; i--)
		event_fill(req, tmpl_list_add(ctx, "events"), &es[i]);
	return response_page(req, 200, "content/event_manage", ctx);
}

/* The new and edit forms share one template; e is NULL for a new event. */
static int
event_form_render(struct request *req, int status, const struct event *e)
{
	struct tmpl_ctx *ctx = response_ctx(req, e ? "Modifica l'evento" : "Nuovo evento");
	struct tmpl_ctx *form = response_form(req, ctx);
	const char *kind = request_str(req, "kind");

	if (e != NULL && req->method == METHOD_GET) {
		tmpl_set(form, "title", e->title);
		tmpl_set(form, "description", e->description);
		tmpl_set(form, "starts_at", arena_printf(req->arena, "%.10sT%s", e->start_local, e->start_local + 11));
		tmpl_set(form, "ends_at", arena_printf(req->arena, "%.10sT%s", e->end_local, e->end_local + 11));
		tmpl_set(form, "place", e->place);
		tmpl_set(form, "online_url", e->online_url);
		if (e->capacity > 0)
			tmpl_setf(form, "capacity", "%d", e->capacity);
		kind = e->kind;
	}
	tmpl_set_bool(ctx, "editing", e != NULL);
	tmpl_set_int(ctx, "id", e ? e->id : 0);
	if (e != NULL)
		tmpl_set(ctx, "event_title", e->title);
	for (int i = 0; event_kinds[i] != NULL; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "kinds");
		tmpl_set(t, "value", event_kinds[i]);
		tmpl_set(t, "label", event_kind_labels[i]);
		tmpl_set_bool(t, "selected", kind != NULL && strcmp(kind, event_kinds[i]) == 0);
	}
	return response_page(req, status, "content/event_form", ctx);
}

/* GET /gestione/eventi/nuovo */
static int
event_new_page(struct request *req)
{
	return event_form_render(req, 200, NULL);
}

static const struct field event_create_fields[] = {
	EVENT_EDIT_FIELDS,
};

static const struct field event_edit_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Evento" },
	EVENT_EDIT_FIELDS,
};

/* Records the event's publication (the newsletter announces it once). */
static int
event_publish(struct request *req, int64_t id)
{
	struct event e;
	bool found;
	struct publication p = { 0 };

	if (event_db_get(req->db, req->arena, id, &e, &found) == -1 || !found)
		return -1;
	p.topic = PUBLICATION_EVENTS;
	p.source = "event";
	p.source_id = id;
	p.title = e.title;
	p.summary = arena_printf(req->arena, "%s, %s. %s", event_kind_label(e.kind),
				 event_range(req->arena, &e), event_where(req->arena, &e));
	p.path = arena_printf(req->arena, "/eventi/%lld", (long long)id);
	return publication_record(req->db, &p);
}

/*
 * Creates (id 0) or updates an event from the request: 0 with *out_id,
 * 1 fields wrong, 2 no such event, -1.  A larger capacity moves the
 * waiting list up, and those moved up are mailed, in the same transaction.
 */
static int
event_save(struct request *req, int64_t id, int64_t *out_id)
{
	struct event_edit e;
	struct event_reg *up;
	struct event ev;
	bool found;
	int rc, nup;

	if (id != 0) {
		if (event_db_get(req->db, req->arena, id, &ev, &found) == -1)
			return -1;
		if (!found)
			return 2;
	}
	if ((rc = event_edit_read(req, &e)) != 0)
		return rc;
	if (db_begin(req->db) == -1 ||
	    (rc = event_db_save(req->db, id, &e, event_uid(req), out_id)) == -1)
		goto fail;
	if (rc == 1) {
		db_rollback(req->db);
		return 2;
	}
	if (event_publish(req, *out_id) == -1 ||
	    event_db_promote(req->db, req->arena, *out_id, &up, &nup) == -1)
		goto fail;
	if (nup > 0 && (event_db_get(req->db, req->arena, *out_id, &ev, &found) == -1 || !found ||
			event_mail_promoted(req->db, req->arena, &ev, up, nup) == -1))
		goto fail;
	if (db_commit(req->db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(req->db);
	return -1;
}

/* POST /gestione/eventi */
static int
event_create_submit(struct request *req)
{
	int64_t id;

	switch (event_save(req, 0, &id)) {
	case 0:
		return response_redirect(req, arena_printf(req->arena, "/eventi/%lld?esito=creato", (long long)id));
	case 1:
		return event_form_render(req, 400, NULL);
	default:
		return 500;
	}
}

/* GET /gestione/eventi/{id} */
static int
event_edit_page(struct request *req)
{
	struct event e;
	bool found;

	if (event_db_get(req->db, req->arena, request_int(req, "id", 0), &e, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Evento non trovato.");
	return event_form_render(req, 200, &e);
}

/* POST /gestione/eventi/{id} */
static int
event_edit_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), got;
	struct event e;
	bool found;

	switch (event_save(req, id, &got)) {
	case 0:
		return response_redirect(req, arena_printf(req->arena, "/eventi/%lld?esito=salvato", (long long)id));
	case 1:
		if (event_db_get(req->db, req->arena, id, &e, &found) == -1 || !found)
			return 500;
		return event_form_render(req, 400, &e);
	case 2:
		return response_error(req, 404, "Evento non trovato.");
	default:
		return 500;
	}
}

static const struct field event_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Evento" },
};

/* POST /gestione/eventi/{id}/elimina: the live registrants are told it is cancelled. */
static int
event_delete_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct event_reg *g;
	struct event e;
	bool found;
	int n, rc;

	if (event_db_get(req->db, req->arena, id, &e, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Evento non trovato.");
	if (db_begin(req->db) == -1 || event_db_registrations(req->db, req->arena, id, &g, &n) == -1)
		return 500;
	for (int i = 0; i < n && !e.past; i++) {
		const char *p[] = {
			arena_printf(req->arena, "l'evento «%s» previsto per %s è stato annullato e la tua "
				     "iscrizione con esso.", e.title, event_range(req->arena, &e)),
			"Ci scusiamo per il disagio.",
			NULL
		};
		if (event_mail(req->db, req->arena, &g[i], arena_printf(req->arena, "Evento annullato: %s", e.title),
			       p, NULL, NULL) == -1)
			return 500;
	}
	if (publication_retract(req->db, "event", id) == -1 ||
	    (rc = event_db_delete(req->db, id)) == -1 || db_commit(req->db) == -1)
		return 500;
	return response_redirect(req, "/gestione/eventi?esito=eliminato");
}

static const char *
event_status_label(const char *status)
{
	return strcmp(status, "confirmed") == 0 ? "confermato" : "in attesa";
}

/* GET /gestione/eventi/{id}/iscritti */
static int
event_registrations_page(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct event_reg *g;
	struct tmpl_ctx *ctx;
	struct event e;
	bool found;
	int n;

	if (event_db_get(req->db, req->arena, id, &e, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Evento non trovato.");
	if (event_db_registrations(req->db, req->arena, id, &g, &n) == -1)
		return 500;
	ctx = response_ctx(req, arena_printf(req->arena, "Iscritti: %s", e.title));
	event_fill(req, ctx, &e);
	tmpl_set(ctx, "event_title", e.title);
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "registrations");
		tmpl_set_int(t, "n", i + 1);
		tmpl_set(t, "name", g[i].name);
		tmpl_set(t, "email", g[i].email);
		tmpl_set(t, "organisation", g[i].organisation);
		tmpl_set(t, "status", event_status_label(g[i].status));
		tmpl_set_bool(t, "waiting", strcmp(g[i].status, "waiting") == 0);
		tmpl_set(t, "created", g[i].created_local);
	}
	return response_page(req, 200, "content/event_registrations", ctx);
}

/* The sheet of event id: its confirmed registrants (PDF) or every live one (CSV). */
static int
event_sheet_send(struct request *req, bool pdf)
{
	int64_t id = request_int(req, "id", 0);
	struct event_sheet s = { 0 };
	struct event_sheet_row *rows;
	struct event_reg *g;
	struct event e;
	bool found;
	int n, k = 0;

	if (event_db_get(req->db, req->arena, id, &e, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Evento non trovato.");
	if (event_db_registrations(req->db, req->arena, id, &g, &n) == -1)
		return 500;
	rows = arena_calloc(req->arena, (size_t)n + 1, sizeof(*rows));
	for (int i = 0; i < n; i++) {
		/* Who signs is who has a seat; the CSV lists the waiting list too. */
		if (pdf && strcmp(g[i].status, "confirmed") != 0)
			continue;
		rows[k].name = g[i].name;
		rows[k].email = g[i].email;
		rows[k].organisation = g[i].organisation;
		rows[k].status = event_status_label(g[i].status);
		rows[k].registered = g[i].created_local;
		k++;
	}
	s.portal_name = event_cfg->portal_name;
	s.title = e.title;
	s.when = event_range(req->arena, &e);
	s.place = e.place[0] ? e.place : e.online_url;
	s.rows = rows;
	s.nrows = k;
	buf_reset(&req->body);
	req->body.max = (size_t)64 << 20;
	if (pdf) {
		if (event_sheet_pdf(&s, &req->body) == -1)
			return 500;
		req->content_type = "application/pdf";
	} else {
		event_sheet_csv(&s, &req->body);
		if (req->body.err) {
			buf_reset(&req->body);
			return 500;
		}
		req->content_type = "text/csv; charset=utf-8";
	}
	response_header(req, "Content-Disposition",
			arena_printf(req->arena, "%s; filename=\"foglio-firme-evento-%lld.%s\"",
				     pdf ? "inline" : "attachment", (long long)id, pdf ? "pdf" : "csv"));
	response_header(req, "Cache-Control", "private, no-store");
	return req->status = 200;
}

static int
event_sheet_pdf_page(struct request *req)
{
	return event_sheet_send(req, true);
}

static int
event_sheet_csv_page(struct request *req)
{
	return event_sheet_send(req, false);
}

/* ---- JSON API ---------------------------------------------------------------------------- */

static void
event_json(struct request *req, struct json_writer *w, const struct event *e)
{
	json_obj_open(w, NULL);
	json_int(w, "id", e->id);
	json_str(w, "title", e->title);
	json_str(w, "kind", e->kind);
	json_str(w, "description", e->description);
	json_str(w, "description_html", e->description_html);
	json_str(w, "starts_at", e->start_iso);
	json_str(w, "ends_at", e->end_iso);
	if (e->place[0])
		json_str(w, "place", e->place);
	else
		json_null(w, "place");
	if (e->online_url[0])
		json_str(w, "online_url", e->online_url);
	else
		json_null(w, "online_url");
	if (e->capacity > 0) {
		json_int(w, "capacity", e->capacity);
		json_int(w, "seats_left", e->capacity > e->confirmed ? e->capacity - e->confirmed : 0);
	} else {
		json_null(w, "capacity");
		json_null(w, "seats_left");
	}
	if (event_staff(req)) {
		json_int(w, "confirmed", e->confirmed);
		json_int(w, "waiting", e->waiting);
	}
	json_bool(w, "registration_open", !e->past);
	json_str(w, "url", event_url(req->arena, "/eventi/", e->id));
	json_str(w, "ics_url", arena_printf(req->arena, "%s/eventi/%lld.ics", event_cfg->base_url, (long long)e->id));
	json_obj_close(w);
}

static const char *const event_scopes[] = { "upcoming", "past", "all", NULL };

static const struct field event_api_list_fields[] = {
	{ "when", FIELD_QUERY, VALID_ENUM, 0, 0, event_scopes, 0, "when" },
	{ "limit", FIELD_QUERY, VALID_INT, 1, 200, NULL, 0, "limit" },
	{ "offset", FIELD_QUERY, VALID_INT, 0, 1000000, NULL, 0, "offset" },
};

/* GET /api/v1/events: 200 {events, csrf_token}. */
static int
event_api_list(struct request *req)
{
	struct json_writer w;
	struct event *es;
	int n;

	if (event_db_list(req->db, req->arena, (enum event_scope)request_int(req, "when", EVENT_UPCOMING),
			  (int)request_int(req, "limit", 50), (int)request_int(req, "offset", 0), &es, &n) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "events");
	for (int i = 0; i < n; i++)
		event_json(req, &w, &es[i]);
	json_arr_close(&w);
	/* A visitor's client registers with this token (and the portal_csrf cookie set with it). */
	json_str(&w, "csrf_token", req->via_bearer ? NULL : req->csrf_token);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* The first field message, for an API 400. */
static int
event_api_invalid(struct request *req)
{
	for (size_t i = 0; i < req->route->nfields; i++)
		if (req->field_errors != NULL && req->field_errors[i] != NULL)
			return response_json_error(req, 400, "invalid", req->field_errors[i]);
	return response_json_error(req, 400, "invalid", "Richiesta non valida.");
}

/* POST /api/v1/events: 201 the event; 400; 401; 403. */
static int
event_api_create(struct request *req)
{
	struct json_writer w;
	struct event e;
	int64_t id;
	bool found;

	switch (event_save(req, 0, &id)) {
	case 0:
		break;
	case 1:
		return event_api_invalid(req);
	default:
		return 500;
	}
	if (event_db_get(req->db, req->arena, id, &e, &found) == -1 || !found)
		return 500;
	json_writer_init(&w, &req->body);
	event_json(req, &w, &e);
	response_header(req, "Location", arena_printf(req->arena, "/eventi/%lld", (long long)id));
	return response_json(req, 201);
}

static const struct field event_api_reg_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Evento" },
	EVENT_REG_FIELDS,
};

/*
 * POST /api/v1/events/{id}/registrations: 201 a seat, 202 the waiting
 * list (what a new registration gets now: the same for an address already
 * registered, whose mail tells the truth); 400; 403 (CSRF); 404.
 */
static int
event_api_register(struct request *req)
{
	struct json_writer w;
	const char *seats;
	bool seat;

	switch (event_register_do(req, request_int(req, "id", 0), &seats)) {
	case 0:
		break;
	case 1:
		return event_api_invalid(req);
	case 2:
		return response_json_error(req, 404, "not_found", "Evento non trovato o iscrizioni chiuse.");
	default:
		return 500;
	}
	seat = strcmp(seats, "confirmed") == 0;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_str(&w, "status", seat ? "registered" : "waiting_list");
	json_str(&w, "message", "Richiesta ricevuta: l'esito e il link per annullare arrivano per email.");
	json_obj_close(&w);
	return response_json(req, seat ? 201 : 202);
}

/* ---- reminders ------------------------------------------------------------------------------ */

/*
 * The reminder of the day before, for each confirmed registration once:
 * the mail and the reminded_at mark commit together, and the rows are
 * locked SKIP LOCKED, so concurrent portals never send one twice.
 */
static void
event_remind_job(struct db *db)
{
	struct arena *a = arena_new();
	struct event_reg *g;
	struct event e = { 0 };
	bool found = false;
	int n;

	if (db_begin(db) == -1)
		goto out;
	if (event_db_reminders_due(db, a, EVENT_REMIND_BATCH, &g, &n) == -1)
		goto fail;
	for (int i = 0; i < n; i++) {
		if ((!found || e.id != g[i].event_id) &&
		    (event_db_get(db, a, g[i].event_id, &e, &found) == -1 || !found))
			goto fail;
		{
			const char *p[] = {
				arena_printf(a, "ti ricordiamo che sei iscritto a «%s».", e.title),
				arena_printf(a, "Quando: %s. Dove: %s%s%s.", event_range(a, &e), event_where(a, &e),
					     e.online_url[0] ? " – " : "", e.online_url),
				"Se non puoi più partecipare, annulla con il link dell'email di iscrizione: "
				"il tuo posto andrà a chi è in lista d'attesa.",
				NULL
			};
			if (event_mail(db, a, &g[i], arena_printf(a, "Promemoria: %s", e.title), p,
				       "Vedi l'evento", event_url(a, "/eventi/", e.id)) == -1 ||
			    event_db_reminded(db, g[i].id) == -1)
				goto fail;
		}
	}
	if (db_commit(db) == -1)
		goto fail;
	goto out;
fail:
	db_rollback(db);
out:
	arena_free(a);
}

/* ---- demo ------------------------------------------------------------------------------------ */

static const struct {
	const char *title, *kind, *start, *end, *place, *url;
	int capacity;
	const char *description;
} event_demo[] = {
	{ "Convegno di avvio: il riuso di SIGeSS negli ambiti sociali", "convegno",
	  "-40 days 09:30", "-40 days 13:30", "Roma, Sala conferenze della Regione Lazio, via Cristoforo Colombo 212", "", 0,
	  "L'incontro che ha aperto il programma di formazione: gli enti riusanti, il cronoprogramma "
	  "delle azioni pilota e diffuse, il ruolo dei referenti pilota.\n\n"
	  "Interventi di Regione Lazio, Roma Capitale e dell'ambito sociale di Sant'Antonio Abate." },
	{ "Webinar: la Cartella Sociale e il Piano di Assistenza Individuale", "webinar",
	  "+12 days 10:00", "+12 days 11:30", "", "https://meet.example.it/sigess-cartella-sociale", 0,
	  "Un'ora e mezza in diretta con i formatori sul modulo 2: come si apre la cartella sociale, "
	  "come si compila il **PAI** e come si aggiorna.\n\nLa registrazione sarà disponibile nella "
	  "sezione dei corsi." },
	{ "Workshop per i referenti pilota: le schede di segnalazione", "workshop",
	  "+30 days 14:30", "+30 days 17:30", "Orvieto, Palazzo del Popolo, sala dei Quattrocento", "", 30,
	  "Un pomeriggio di lavoro per i referenti pilota: come osservare i colleghi, come compilare "
	  "le schede di segnalazione e come leggere i risultati con il gruppo di coordinamento.\n\n"
	  "Posti limitati: oltre i 30 iscritti si entra in lista d'attesa." },
};

static const struct db_stmt event_demo_time_stmt = {
	"event_demo_time",
	"SELECT to_char((date_trunc('day', now() AT TIME ZONE 'Europe/Rome') + $1::interval),"
	" 'YYYY-MM-DD HH24:MI:SS') || ' Europe/Rome'", 1
};

int
event_seed_demo(struct db *db)
{
	struct arena *a = arena_new();
	struct buf html;
	int rc = -1;

	buf_init(&html, 1 << 20);
	for (size_t i = 0; i < ARRAY_SIZE(event_demo); i++) {
		struct event_edit e = { 0 };
		const char *p1[1] = { event_demo[i].start }, *p2[1] = { event_demo[i].end };
		struct db_res *r1, *r2;
		struct publication p = { 0 };
		int64_t have = event_db_count_titled(db, event_demo[i].title), id;

		if (have == -1)
			goto out;
		if (have > 0)
			continue;
		if ((r1 = db_query(db, a, &event_demo_time_stmt, p1)) == NULL ||
		    (r2 = db_query(db, a, &event_demo_time_stmt, p2)) == NULL)
			goto out;
		buf_reset(&html);
		if (md_render(event_demo[i].description, strlen(event_demo[i].description), &html) == -1)
			goto out;
		e.title = event_demo[i].title;
		e.description = event_demo[i].description;
		e.description_html = html.data;
		e.kind = event_demo[i].kind;
		e.starts_at = db_get(r1, 0, 0);
		e.ends_at = db_get(r2, 0, 0);
		e.place = event_demo[i].place;
		e.online_url = event_demo[i].url;
		e.capacity = event_demo[i].capacity;
		p.topic = PUBLICATION_EVENTS;
		p.source = "event";
		p.title = e.title;
		p.summary = event_kind_labels[i == 0 ? 0 : i == 1 ? 3 : 1];
		if (db_begin(db) == -1 || event_db_save(db, 0, &e, 0, &id) != 0)
			goto fail;
		p.source_id = id;
		p.path = arena_printf(a, "/eventi/%lld", (long long)id);
		if (publication_record(db, &p) == -1 || db_commit(db) == -1)
			goto fail;
	}
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	buf_release(&html);
	arena_free(a);
	return rc;
}

/* ---- routes ------------------------------------------------------------------------------ */

static const struct route event_routes[] = {
	{ METHOD_GET, "/eventi", event_list_page, ROLE_PUBLIC, 0, NULL, 0, "events.list" },
	{ METHOD_GET, "/eventi.ics", event_all_ics, ROLE_PUBLIC, 0, NULL, 0, "events.ics" },
	{ METHOD_GET, "/eventi/annulla", event_cancel_page, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(event_cancel_page_fields), "events.cancel" },
	{ METHOD_POST, "/eventi/annulla", event_cancel_submit, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(event_cancel_fields), "events.cancel" },
	{ METHOD_GET, "/eventi/{id}", event_page, ROLE_PUBLIC, 0, ROUTER_FIELDS(event_path_fields),
	  "events.event" },
	/* Visitors too: the CSRF token of their portal_csrf cookie guards it like any form. */
	{ METHOD_POST, "/eventi/{id}/iscrizione", event_register_submit, ROLE_PUBLIC, ROUTE_FORM,
	  ROUTER_FIELDS(event_reg_fields), "events.register" },

	{ METHOD_GET, "/gestione/eventi", event_manage_page, EVENT_STAFF, 0,
	  ROUTER_FIELDS(event_esito_fields), "events.manage" },
	{ METHOD_GET, "/gestione/eventi/nuovo", event_new_page, EVENT_STAFF, 0, NULL, 0, "events.new" },
	{ METHOD_POST, "/gestione/eventi", event_create_submit, EVENT_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(event_create_fields), "events.create" },
	{ METHOD_GET, "/gestione/eventi/{id}", event_edit_page, EVENT_STAFF, 0,
	  ROUTER_FIELDS(event_id_fields), "events.edit" },
	{ METHOD_POST, "/gestione/eventi/{id}", event_edit_submit, EVENT_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(event_edit_fields), "events.edit" },
	{ METHOD_POST, "/gestione/eventi/{id}/elimina", event_delete_submit, EVENT_STAFF, 0,
	  ROUTER_FIELDS(event_id_fields), "events.delete" },
	{ METHOD_GET, "/gestione/eventi/{id}/iscritti", event_registrations_page, EVENT_STAFF, 0,
	  ROUTER_FIELDS(event_id_fields), "events.registrations" },
	{ METHOD_GET, "/gestione/eventi/{id}/foglio-firme.pdf", event_sheet_pdf_page, EVENT_STAFF, 0,
	  ROUTER_FIELDS(event_id_fields), "events.sheet_pdf" },
	{ METHOD_GET, "/gestione/eventi/{id}/foglio-firme.csv", event_sheet_csv_page, EVENT_STAFF, 0,
	  ROUTER_FIELDS(event_id_fields), "events.sheet_csv" },

	{ METHOD_GET, "/api/v1/events", event_api_list, ROLE_PUBLIC, ROUTE_API,
	  ROUTER_FIELDS(event_api_list_fields), "api.events.list" },
	{ METHOD_POST, "/api/v1/events", event_api_create, EVENT_STAFF, ROUTE_API | ROUTE_FORM,
	  ROUTER_FIELDS(event_create_fields), "api.events.create" },
	/* Public and not ROUTE_NO_CSRF: a cookie caller (a visitor's portal_csrf
	 * cookie included) sends X-CSRF-Token; a bearer token needs none. */
	{ METHOD_POST, "/api/v1/events/{id}/registrations", event_api_register, ROLE_PUBLIC,
	  ROUTE_API | ROUTE_FORM, ROUTER_FIELDS(event_api_reg_fields), "api.events.register" },
};

void
event_register(struct router *r, const struct config *cfg)
{
	event_cfg = cfg;
	router_add(r, event_routes, ARRAY_SIZE(event_routes));
	mail_sender_add_job(event_remind_job);
}
