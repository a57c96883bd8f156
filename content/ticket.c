/*
 * ticket.c - the help desk's tickets: pages, JSON API and the periodic
 * job (see ticket.h).
 *
 * Every change runs through one function per action (ticket_do_*) shared
 * by the pages and the API: it locks the ticket, checks who may do it,
 * writes, queues the reporter's mail in the same transaction and commits,
 * or answers a 4xx with an Italian message and changes nothing.
 *
 * What the reporter receives (page, mail, API) is built only from public
 * and status messages: internal notes and hand-over notes are read with
 * ticket_db_messages(..., agent = true) for agents alone, and no mail
 * ever carries their text.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blob.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "faq_db.h"
#include "html.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "md.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "sla.h"
#include "course_modules.h"
#include "ticket.h"
#include "ticket_db.h"
#include "tmpl.h"
#include "valid.h"

#define TICKET_AGENT_ROLES (ROLE_TUTOR | ROLE_HELPDESK1 | ROLE_HELPDESK2 | ROLE_COORDINAMENTO | ROLE_ADMIN)
#define TICKET_COORD (ROLE_COORDINAMENTO | ROLE_ADMIN)
#define TICKET_FAQ_EDITORS (ROLE_HELPDESK1 | ROLE_HELPDESK2 | ROLE_COORDINAMENTO | ROLE_ADMIN)
#define TICKET_PAGE 25
#define TICKET_CLOSE_DAYS 7	/* a resolved ticket closes by itself after these */
#define TICKET_JOB_BATCH 200
#define TICKET_OVERDUE_SCAN 1000	/* open tickets a queue's "overdue" filter looks at */
#define TICKET_BODY_MAX 20000
#define TICKET_MD_MAX (256 * 1024)
#define TICKET_FAQ_MAX 5	/* FAQ suggestions on the form */

static const struct config *ticket_cfg;

static const char *const ticket_categories[] = {
	"access", "module", "platform", "documents", "other", NULL
};
static const char *const ticket_category_labels[] = {
	"Accesso al portale o a SIGeSS", "Un modulo dei corsi", "Funzioni della piattaforma SIGeSS",
	"Documenti e materiali", "Altro",
};
static const char *const ticket_statuses[] = {
	"nuovo", "in_lavorazione", "in_attesa", "risolto", "chiuso", NULL
};
static const char *const ticket_status_labels[] = {
	"Nuova", "In lavorazione", "In attesa del segnalante", "Risolta", "Chiusa",
};
/* What an agent may set by hand (chiuso comes from the job). */
static const char *const ticket_agent_statuses[] = { "in_lavorazione", "in_attesa", "risolto", NULL };
static const char *const ticket_level_labels[] = {
	"Tutor dell'ente (livello 0)", "Front office (livello 1)", "Specialisti (livello 2)",
};
static const char *const ticket_kinds[] = { "public", "internal", NULL };
static const char *const ticket_filters[] = {
	"mie", "non_assegnate", "in_attesa", "in_ritardo", NULL
};
static const char *const ticket_filter_labels[] = {
	"Assegnate a me", "Non assegnate", "In attesa del segnalante", "In ritardo",
};
static const char *const ticket_scopes[] = { "mine", "queue", NULL };
static const char *const ticket_api_filters[] = { "mine", "unassigned", "waiting", "overdue", NULL };

static const struct response_notice ticket_notices[] = {
	{ "inviata", "Segnalazione inviata: ti scriveremo per email a ogni novità." },
	{ "risposta", "Messaggio aggiunto." },
	{ "assegnata", "Assegnazione aggiornata." },
	{ "passata", "Segnalazione passata al livello successivo." },
	{ "valutata", "Grazie per la tua valutazione." },
	{ "salvata", "Risposta predefinita salvata." },
	{ "eliminata", "Risposta predefinita eliminata." },
};

static int
ticket_index(const char *const *list, const char *s)
{
	for (int i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

static const char *
ticket_category_label(const char *c)
{
	int i = ticket_index(ticket_categories, c);

	return i >= 0 ? ticket_category_labels[i] : c;
}

static const char *
ticket_status_label(const char *s)
{
	int i = ticket_index(ticket_statuses, s);

	return i >= 0 ? ticket_status_labels[i] : s;
}

static const char *
ticket_level_label(int level)
{
	return level >= 0 && level < TICKET_LEVELS ? ticket_level_labels[level] : "";
}

static void
ticket_viewer_of(const struct request *req, struct ticket_viewer *v)
{
	v->uid = req->user->id;
	v->org_id = req->user->org_id;
	v->roles = req->user->roles;
}

static bool
ticket_is_coord(const struct request *req)
{
	return (req->user->roles & TICKET_COORD) != 0;
}

/*
 * May speak to the reporter (public replies, status changes): the agents
 * of levels 0 and 1; at level 2 the front office (a follower) and the
 * coordination team, never the specialists themselves.
 */
static bool
ticket_can_speak(const struct request *req, const struct ticket *t)
{
	if (t->access == TICKET_FOLLOWER)
		return true;
	return t->access == TICKET_AGENT && (t->level < 2 || ticket_is_coord(req));
}

static bool
ticket_is_staff(const struct ticket *t)
{
	return t->access == TICKET_AGENT || t->access == TICKET_FOLLOWER;
}

static bool
ticket_open(const struct ticket *t)
{
	return strcmp(t->status, "chiuso") != 0;
}

/* ---- service levels ------------------------------------------------------------- */

static const struct ticket_target *
ticket_target_of(const struct ticket *t, const struct ticket_target *tg, int ntg)
{
	for (int i = 0; i < ntg; i++)
		if (tg[i].level == t->level && strcmp(tg[i].category, t->category) == 0)
			return &tg[i];
	return NULL;
}

/* Working seconds the current level's clock has run until now (waits excluded). */
static int64_t
ticket_level_seconds(const struct ticket *t, time_t now)
{
	if (t->level_entered == 0)
		return 0;
	return sla_working_seconds(sla_calendar(), (time_t)t->level_entered, now, t->pauses,
				   t->npauses);
}

/*
 * The target the current level missed at now, "first_response" or
 * "resolution", or NULL: only open tickets (not resolved or closed) are
 * ever late.
 */
static const char *
ticket_overdue(const struct ticket *t, const struct ticket_target *tg, int ntg, time_t now)
{
	const struct ticket_target *x = ticket_target_of(t, tg, ntg);
	int64_t worked;

	if (x == NULL || strcmp(t->status, "risolto") == 0 || strcmp(t->status, "chiuso") == 0)
		return NULL;
	worked = ticket_level_seconds(t, now);
	if (t->level_first_response == 0 && worked > (int64_t)x->first_response_minutes * 60)
		return "first_response";
	if (worked > (int64_t)x->resolution_minutes * 60)
		return "resolution";
	return NULL;
}

/* "3 h 20 min" of working time. */
static const char *
ticket_duration(struct arena *a, int64_t seconds)
{
	int64_t m = seconds / 60;

	if (m < 60)
		return arena_printf(a, "%lld min", (long long)m);
	return arena_printf(a, "%lld h %lld min", (long long)(m / 60), (long long)(m % 60));
}

/* "DD/MM/YYYY HH:MM" in Rome of t. */
static const char *
ticket_local_time(struct arena *a, time_t t)
{
	struct tm tm;

	sla_rome_tm(t, &tm);
	return arena_printf(a, "%02d/%02d/%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
			    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

/* ---- mail --------------------------------------------------------------------------- */

static const char *
ticket_url(struct arena *a, int64_t id)
{
	return arena_printf(a, "%s/assistenza/%lld", ticket_cfg->base_url, (long long)id);
}

/* Who signs the feedback: the tutor at level 0, the front office above. */
static const char *
ticket_signature(struct arena *a, const struct ticket *t, const char *author)
{
	if (t->level == 0 && author != NULL && author[0] != '\0')
		return arena_printf(a, "Ti risponde %s, tutor del tuo ente.", author);
	return "Ti scrive il front office del servizio di assistenza.";
}

/*
 * Queues the reporter's one mail for an action: a public reply (reply
 * non-NULL: its stored HTML and Markdown), a new status, or both.  Only
 * public text ever goes in.
 */
static int
ticket_mail_reporter(struct db *db, struct arena *a, const struct ticket *t,
		     const char *new_status, const struct ticket_msg *reply, const char *author)
{
	struct mail_content m = { 0 };
	struct buf html, text;
	const char *subject;
	const char *status_line = NULL;
	int rc = -1;

	buf_init(&html, TICKET_MD_MAX);
	buf_init(&text, TICKET_MD_MAX);
	if (new_status != NULL) {
		status_line = strcmp(new_status, "risolto") == 0
		    ? arena_printf(a, "La segnalazione è ora «%s». Se il problema non è risolto, rispondi "
				   "dalla pagina della segnalazione: la riapriremo. Puoi anche dirci come "
				   "è andata con una valutazione.", ticket_status_label(new_status))
		    : strcmp(new_status, "in_attesa") == 0
		    ? "La segnalazione è ora «In attesa del segnalante»: ci serve una tua risposta, "
		      "che puoi scrivere dalla pagina della segnalazione."
		    : strcmp(new_status, "chiuso") == 0
		    ? arena_printf(a, "La segnalazione è stata chiusa: era risolta da %d giorni senza "
				   "nuove risposte. Per un nuovo problema apri una nuova segnalazione.",
				   TICKET_CLOSE_DAYS)
		    : arena_printf(a, "La segnalazione è ora «%s».", ticket_status_label(new_status));
	}
	if (reply != NULL)
		subject = arena_printf(a, "Segnalazione n. %lld: nuova risposta", (long long)t->id);
	else
		subject = arena_printf(a, "Segnalazione n. %lld: %s", (long long)t->id,
				       ticket_status_label(new_status));
	m.subject = subject;
	m.greeting = arena_printf(a, "Gentile %s,", t->reporter_name);
	m.action_label = "Vedi la segnalazione";
	m.action_url = ticket_url(a, t->id);
	/* The portal's own HTML: escaped text and the reply's stored rendering. */
	buf_adds(&html, "<p>");
	html_escape(&html, "Novità sulla tua segnalazione «", strlen("Novità sulla tua segnalazione «"));
	html_escape(&html, t->subject, strlen(t->subject));
	buf_adds(&html, "».</p>\n");
	buf_printf(&text, "Novità sulla tua segnalazione «%s».\n\n", t->subject);
	if (reply != NULL) {
		const char *sig = ticket_signature(a, t, author);
		buf_adds(&html, "<p>");
		html_escape(&html, sig, strlen(sig));
		buf_adds(&html, "</p>\n<blockquote>\n");
		buf_adds(&html, reply->body_html);
		buf_adds(&html, "</blockquote>\n");
		buf_printf(&text, "%s\n\n%s\n\n", sig, reply->body_md);
	}
	if (status_line != NULL) {
		buf_adds(&html, "<p>");
		html_escape(&html, status_line, strlen(status_line));
		buf_adds(&html, "</p>\n");
		buf_printf(&text, "%s\n", status_line);
	}
	if (html.err || text.err) {
		log_warnx("ticket %lld: mail too large", (long long)t->id);
		goto out;
	}
	m.body_html = arena_strdup(a, html.data);
	m.body_text = arena_strdup(a, text.data);
	rc = mail_queue(db, a, t->reporter_email, t->reporter_name, &m);
out:
	buf_release(&html);
	buf_release(&text);
	return rc;
}

/* Renders Markdown into the arena; NULL (logged) on error. */
static const char *
ticket_md(struct arena *a, const char *md)
{
	struct buf out;
	const char *html = NULL;

	buf_init(&out, TICKET_MD_MAX);
	if (md_render(md, strlen(md), &out) == 0 && !out.err)
		html = arena_strdup(a, out.data);
	buf_release(&out);
	return html;
}

/* ---- the actions ------------------------------------------------------------------- */

/* An action's refusal: HTTP status, the field at fault (or NULL), an Italian message. */
struct ticket_err {
	int status;
	const char *field;
	const char *message;
};

static int
ticket_fail(struct ticket_err *e, int status, const char *field, const char *message)
{
	e->status = status;
	e->field = field;
	e->message = message;
	return status;
}

/* A path of this portal: "/..." but not "//..." (another host), no control characters. */
static bool
ticket_path_ok(const char *p)
{
	if (p == NULL || p[0] == '\0')
		return true;
	if (p[0] != '/' || p[1] == '/' || p[1] == '\\')
		return false;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == '\\')
			return false;
	return true;
}

/*
 * Opens a ticket from req's fields (subject, body, category, module_id,
 * page_url) and its optional file.  0 with *id, else the error's status.
 * The upload, when there is one, came with a transaction open on req->db.
 */
static int
ticket_do_create(struct request *req, int64_t *id, struct ticket_err *e)
{
	const char *category = request_str(req, "category");
	int64_t module = request_int(req, "module_id", 0);
	const char *page = request_str(req, "page_url");
	struct ticket_new n = { 0 };
	struct ticket fresh;
	bool found;
	int level, rc;

	if (req->upload_status != 0)
		return ticket_fail(e, req->upload_status, "file", req->upload_message);
	if (req->nerrors > 0)
		return ticket_fail(e, 400, NULL, NULL);
	if (category == NULL)
		return ticket_fail(e, 400, "category", "Scegli la categoria della segnalazione.");
	if (request_str(req, "subject") == NULL)
		return ticket_fail(e, 400, "subject", "Scrivi l'oggetto della segnalazione.");
	if (request_str(req, "body") == NULL)
		return ticket_fail(e, 400, "body", "Descrivi il problema.");
	if (strcmp(category, "module") == 0 && module == 0)
		return ticket_fail(e, 400, "module_id", "Scegli il modulo a cui si riferisce la segnalazione.");
	if (strcmp(category, "module") != 0 && module != 0)
		return ticket_fail(e, 400, "module_id", "Il modulo si indica solo per la categoria «Un modulo dei corsi».");
	if (!ticket_path_ok(page))
		return ticket_fail(e, 400, "page_url", "La pagina di provenienza deve essere un indirizzo di questo portale.");
	n.reporter_id = req->user->id;
	n.org_id = req->user->org_id;
	n.category = category;
	n.module_id = module;
	n.subject = request_str(req, "subject");
	n.body_md = request_str(req, "body");
	n.page_url = page != NULL ? page : "";
	if ((n.body_html = ticket_md(req->arena, n.body_md)) == NULL)
		return ticket_fail(e, 500, NULL, NULL);
	if (req->upload == NULL && db_begin(req->db) == -1)
		return ticket_fail(e, 500, NULL, NULL);
	if ((rc = ticket_db_create(req->db, &n, id, &level)) == -1)
		goto fail;
	if (rc == 1) {
		db_rollback(req->db);
		return ticket_fail(e, 400, "module_id", "Il modulo scelto non esiste.");
	}
	if (req->upload != NULL &&
	    ticket_db_attach(req->db, *id, 0, req->upload->id, req->upload->name, req->upload->type,
			     req->upload->size, req->user->id) == -1)
		goto fail;
	if (ticket_db_get(req->db, req->arena, *id, NULL, &fresh, &found) == -1 || !found)
		goto fail;
	{
		const char *p[] = {
			arena_printf(req->arena, "abbiamo ricevuto la tua segnalazione «%s» (n. %lld).",
				     fresh.subject, (long long)*id),
			level == 0 ? "Se ne occupano per primi i tutor del tuo ente; se serve, la passeranno "
				     "al front office del servizio di assistenza."
				   : "Se ne occupa il front office del servizio di assistenza.",
			"Ti scriveremo a ogni cambio di stato e a ogni risposta.",
			NULL
		};
		struct mail_content m = {
			.subject = arena_printf(req->arena, "Segnalazione n. %lld ricevuta", (long long)*id),
			.greeting = arena_printf(req->arena, "Gentile %s,", fresh.reporter_name),
			.paragraphs = p,
			.action_label = "Vedi la segnalazione",
			.action_url = ticket_url(req->arena, *id),
		};
		if (mail_queue(req->db, req->arena, fresh.reporter_email, fresh.reporter_name, &m) == -1)
			goto fail;
	}
	if (db_commit(req->db) == -1)
		return ticket_fail(e, 500, NULL, NULL);
	return 0;
fail:
	db_rollback(req->db);
	return ticket_fail(e, 500, NULL, NULL);
}

/*
 * Adds a message and/or changes the status of ticket id.  body may be
 * NULL when status is set; kind "public" or "internal" (reporters: public
 * only); status NULL leaves it (reporters never set it: their reply
 * reopens a resolved or waiting ticket).  One mail to the reporter for a
 * public reply by the service and/or a status change it made.
 */
static int
ticket_do_message(struct request *req, int64_t id, const char *kind, const char *body,
		  const char *status, struct ticket_err *e)
{
	struct ticket_viewer v;
	struct ticket t;
	struct ticket_msg reply = { 0 };
	const char *new_status = NULL;
	bool found, changed = false, reporter, public;
	int64_t mid;

	ticket_viewer_of(req, &v);
	if (kind == NULL)
		kind = "public";
	public = strcmp(kind, "public") == 0;
	if ((body == NULL || body[0] == '\0') && status == NULL)
		return ticket_fail(e, 400, "body", "Scrivi il messaggio.");
	if (body != NULL && body[0] != '\0' &&
	    (reply.body_html = ticket_md(req->arena, body)) == NULL)
		return ticket_fail(e, 500, NULL, NULL);
	reply.body_md = body;
	if (db_begin(req->db) == -1 || ticket_db_lock(req->db, req->arena, id, &v, &t, &found) == -1)
		goto fail;
	if (!found) {
		db_rollback(req->db);
		return ticket_fail(e, 404, NULL, "Segnalazione non trovata.");
	}
	reporter = t.access == TICKET_REPORTER;
	if (!ticket_open(&t)) {
		db_rollback(req->db);
		return ticket_fail(e, 409, NULL, "La segnalazione è chiusa: per un nuovo problema apri una nuova segnalazione.");
	}
	if (reporter && (!public || status != NULL)) {
		db_rollback(req->db);
		return ticket_fail(e, 403, NULL, "Puoi solo rispondere pubblicamente alla tua segnalazione.");
	}
	if (!reporter && (public || status != NULL) && !ticket_can_speak(req, &t)) {
		db_rollback(req->db);
		return ticket_fail(e, 403, public ? "kind" : "status",
				   "Al livello 2 le risposte e gli stati per il segnalante passano dal front office: "
				   "scrivi una nota interna.");
	}
	if (reporter) {
		if (strcmp(t.status, "risolto") == 0 || strcmp(t.status, "in_attesa") == 0)
			new_status = "in_lavorazione";
	} else if (status != NULL) {
		new_status = status;
	} else if (public && strcmp(t.status, "nuovo") == 0) {
		new_status = "in_lavorazione";
	}
	if (reply.body_html != NULL &&
	    ticket_db_add_message(req->db, id, req->user->id, kind, t.level, NULL, body, reply.body_html,
				  !reporter && (public || t.level == 2), &mid) == -1)
		goto fail;
	if (new_status != NULL) {
		if (ticket_db_set_status(req->db, id, t.level, new_status, &changed) == -1)
			goto fail;
		if (changed && ticket_db_add_message(req->db, id, req->user->id, "status", t.level,
						     new_status, "", "", !reporter, &mid) == -1)
			goto fail;
	}
	/* The reporter hears of what the service did, once per action. */
	if (!reporter && ((public && reply.body_html != NULL) || changed) &&
	    ticket_mail_reporter(req->db, req->arena, &t, changed ? new_status : NULL,
				 public && reply.body_html != NULL ? &reply : NULL, req->user->name) == -1)
		goto fail;
	if (db_commit(req->db) == -1)
		return ticket_fail(e, 500, NULL, NULL);
	return 0;
fail:
	db_rollback(req->db);
	return ticket_fail(e, 500, NULL, NULL);
}

/* Assigns ticket id to assignee (0: nobody), an agent of its level; taking a new ticket starts the work. */
static int
ticket_do_assign(struct request *req, int64_t id, int64_t assignee, struct ticket_err *e)
{
	struct ticket_viewer v;
	struct ticket t;
	bool found, changed = false;
	int64_t mid;
	int ok;

	ticket_viewer_of(req, &v);
	if (db_begin(req->db) == -1 || ticket_db_lock(req->db, req->arena, id, &v, &t, &found) == -1)
		goto fail;
	if (!found) {
		db_rollback(req->db);
		return ticket_fail(e, 404, NULL, "Segnalazione non trovata.");
	}
	if (t.access != TICKET_AGENT) {
		db_rollback(req->db);
		return ticket_fail(e, 403, NULL, "Solo chi lavora a questo livello può assegnare la segnalazione.");
	}
	if (!ticket_open(&t)) {
		db_rollback(req->db);
		return ticket_fail(e, 409, NULL, "La segnalazione è chiusa.");
	}
	if (assignee != 0) {
		if ((ok = ticket_db_is_agent(req->db, assignee, t.level, t.org_id)) == -1)
			goto fail;
		if (ok == 0) {
			db_rollback(req->db);
			return ticket_fail(e, 400, "assignee_id", "La persona scelta non lavora a questo livello.");
		}
	}
	if (ticket_db_assign(req->db, id, assignee) == -1)
		goto fail;
	if (assignee != 0 && strcmp(t.status, "nuovo") == 0 && ticket_can_speak(req, &t)) {
		if (ticket_db_set_status(req->db, id, t.level, "in_lavorazione", &changed) == -1 ||
		    (changed && (ticket_db_add_message(req->db, id, req->user->id, "status", t.level,
						       "in_lavorazione", "", "", false, &mid) == -1 ||
				 ticket_mail_reporter(req->db, req->arena, &t, "in_lavorazione", NULL,
						      NULL) == -1)))
			goto fail;
	}
	if (db_commit(req->db) == -1)
		return ticket_fail(e, 500, NULL, NULL);
	return 0;
fail:
	db_rollback(req->db);
	return ticket_fail(e, 500, NULL, NULL);
}

/* Passes ticket id to the next level with a required note (agents of levels 0 and 1). */
static int
ticket_do_escalate(struct request *req, int64_t id, const char *note, struct ticket_err *e)
{
	struct ticket_viewer v;
	struct ticket t;
	const char *html;
	bool found, changed = false;
	int64_t mid;
	int rc;

	if (note == NULL || note[0] == '\0')
		return ticket_fail(e, 400, "note", "Scrivi la nota per chi riceve la segnalazione: cosa hai già verificato e cosa serve.");
	if ((html = ticket_md(req->arena, note)) == NULL)
		return ticket_fail(e, 500, NULL, NULL);
	ticket_viewer_of(req, &v);
	if (db_begin(req->db) == -1 || ticket_db_lock(req->db, req->arena, id, &v, &t, &found) == -1)
		goto fail;
	if (!found) {
		db_rollback(req->db);
		return ticket_fail(e, 404, NULL, "Segnalazione non trovata.");
	}
	if (t.access != TICKET_AGENT || t.level >= 2) {
		db_rollback(req->db);
		return ticket_fail(e, 403, NULL, t.level >= 2 ? "La segnalazione è già al livello più alto."
							       : "Solo chi lavora a questo livello può passare la segnalazione.");
	}
	if (!ticket_open(&t) || strcmp(t.status, "risolto") == 0) {
		db_rollback(req->db);
		return ticket_fail(e, 409, NULL, "Una segnalazione risolta o chiusa non si passa al livello successivo.");
	}
	if (ticket_db_add_message(req->db, id, req->user->id, "handover", t.level, NULL, note, html,
				  true, &mid) == -1 ||
	    (rc = ticket_db_escalate(req->db, id, t.level)) == -1)
		goto fail;
	if (rc == 1) {
		db_rollback(req->db);
		return ticket_fail(e, 409, NULL, "La segnalazione è cambiata nel frattempo: ricarica la pagina.");
	}
	if (ticket_db_set_status(req->db, id, t.level + 1, "in_lavorazione", &changed) == -1)
		goto fail;
	if (changed) {
		t.level++;
		if (ticket_db_add_message(req->db, id, req->user->id, "status", t.level, "in_lavorazione",
					  "", "", false, &mid) == -1 ||
		    ticket_mail_reporter(req->db, req->arena, &t, "in_lavorazione", NULL, NULL) == -1)
			goto fail;
	}
	if (db_commit(req->db) == -1)
		return ticket_fail(e, 500, NULL, NULL);
	return 0;
fail:
	db_rollback(req->db);
	return ticket_fail(e, 500, NULL, NULL);
}

/* The reporter rates a resolved ticket, once. */
static int
ticket_do_rate(struct request *req, int64_t id, int rating, const char *comment, struct ticket_err *e)
{
	struct ticket_viewer v;
	struct ticket t;
	bool found;
	int rc;

	if (rating < 1 || rating > 5)
		return ticket_fail(e, 400, "rating", "Scegli un voto da 1 a 5.");
	ticket_viewer_of(req, &v);
	if (db_begin(req->db) == -1 || ticket_db_lock(req->db, req->arena, id, &v, &t, &found) == -1)
		goto fail;
	if (!found) {
		db_rollback(req->db);
		return ticket_fail(e, 404, NULL, "Segnalazione non trovata.");
	}
	if (t.reporter_id != req->user->id) {
		db_rollback(req->db);
		return ticket_fail(e, 403, NULL, "Solo chi ha aperto la segnalazione può valutarla.");
	}
	if ((rc = ticket_db_rate(req->db, id, rating, comment != NULL ? comment : "")) == -1)
		goto fail;
	if (rc == 1) {
		db_rollback(req->db);
		return ticket_fail(e, 409, "rating", t.rating > 0 ? "Hai già valutato questa segnalazione."
								  : "Si valuta una segnalazione quando è risolta.");
	}
	if (db_commit(req->db) == -1)
		return ticket_fail(e, 500, NULL, NULL);
	return 0;
fail:
	db_rollback(req->db);
	return ticket_fail(e, 500, NULL, NULL);
}

/* ---- pages: the form ---------------------------------------------------------------- */

/* FAQ suggestions for the words typed (below). */
static void ticket_faq_suggest(struct request *req, struct tmpl_ctx *ctx, const char *text);

static const struct field ticket_new_page_fields[] = {
	{ "da", FIELD_QUERY, VALID_TEXT, 0, 500, NULL, 0, "Pagina di provenienza" },
	{ "category", FIELD_QUERY, VALID_ENUM, 0, 0, ticket_categories, 0, "Categoria" },
};

#define TICKET_CREATE_FIELDS \
	{ "category", FIELD_BODY, VALID_ENUM, 0, 0, ticket_categories, 0, "Categoria" }, \
	{ "module_id", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Modulo" }, \
	{ "subject", FIELD_BODY, VALID_TEXT, 1, 200, NULL, 0, "Oggetto" }, \
	{ "body", FIELD_BODY, VALID_TEXT, 1, TICKET_BODY_MAX, NULL, FIELD_MULTILINE, "Descrizione" }, \
	{ "page_url", FIELD_BODY, VALID_TEXT, 0, 500, NULL, 0, "Pagina di provenienza" }

static const struct field ticket_create_fields[] = {
	{ "file", FIELD_BODY, VALID_TEXT, 0, 0, NULL, 0, "Allegato" },
	TICKET_CREATE_FIELDS,
	{ "azione", FIELD_BODY, VALID_TOKEN, 0, 20, NULL, 0, "Azione" },
};

static const struct field ticket_api_create_fields[] = {
	TICKET_CREATE_FIELDS,
};

/* Renders the form, with values from the request (a re-render) or defaults. */
static int
ticket_form_render(struct request *req, int status, bool search)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Serve aiuto? Apri una segnalazione");
	struct tmpl_ctx *form = response_form(req, ctx);
	const char *category = request_str(req, "category");
	int64_t module = request_int(req, "module_id", 0);

	if (req->method == METHOD_GET) {
		const char *da = request_str(req, "da");
		if (da != NULL && ticket_path_ok(da))
			tmpl_set(form, "page_url", da);
	}
	for (int i = 0; ticket_categories[i] != NULL; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "categories");
		tmpl_set(c, "value", ticket_categories[i]);
		tmpl_set(c, "label", ticket_category_labels[i]);
		tmpl_set_bool(c, "selected", category != NULL && strcmp(category, ticket_categories[i]) == 0);
	}
	if (course_modules_fill(req->db, req->arena, ctx, module, true) == -1)
		return 500;
	if (search) {
		const char *subject = request_str(req, "subject"), *body = request_str(req, "body");
		ticket_faq_suggest(req, ctx, arena_printf(req->arena, "%s %s", subject ? subject : "",
							   body ? body : ""));
		tmpl_set_bool(ctx, "searched", true);
	}
	return response_page(req, status, "content/ticket_form", ctx);
}

/* GET /assistenza/nuova?da=<path> */
static int
ticket_new_page(struct request *req)
{
	return ticket_form_render(req, 200, false);
}

/* POST /assistenza/nuova (multipart): "Cerca nelle FAQ" re-renders, "Invia" opens the ticket. */
static int
ticket_create_submit(struct request *req)
{
	const char *action = request_str(req, "azione");
	struct ticket_err e = { 0 };
	int64_t id;
	int status;

	if (action != NULL && strcmp(action, "cerca") == 0) {
		/* Nothing is stored: a file sent with the search is dropped. */
		req->nerrors = 0;
		for (size_t i = 0; req->field_errors != NULL && i < req->route->nfields; i++)
			req->field_errors[i] = NULL;
		return ticket_form_render(req, 200, true);
	}
	if ((status = ticket_do_create(req, &id, &e)) == 0)
		return response_redirect(req, arena_printf(req->arena, "/assistenza/%lld?esito=inviata", (long long)id));
	if (status == 500)
		return 500;
	if (e.field != NULL)
		response_field_error(req, e.field, e.message);
	return ticket_form_render(req, status, false);
}

/* ---- pages: lists ------------------------------------------------------------------- */

static void
ticket_fill_item(struct request *req, struct tmpl_ctx *c, const struct ticket *t, const char *overdue)
{
	tmpl_set_int(c, "id", t->id);
	tmpl_set(c, "subject", t->subject);
	tmpl_set(c, "category", ticket_category_label(t->category));
	tmpl_set(c, "module", t->module_title[0] ? t->module_title : NULL);
	tmpl_set(c, "status", ticket_status_label(t->status));
	tmpl_set(c, "status_code", t->status);
	tmpl_set(c, "level", ticket_level_label(t->level));
	tmpl_set_int(c, "level_n", t->level);
	tmpl_set(c, "assignee", t->assignee_name[0] ? t->assignee_name : NULL);
	tmpl_set(c, "reporter", t->reporter_name);
	tmpl_set(c, "org", t->org_name[0] ? t->org_name : NULL);
	tmpl_set(c, "created", t->created_local);
	tmpl_set(c, "updated", t->updated_local);
	tmpl_set_bool(c, "overdue", overdue != NULL);
	tmpl_set(c, "overdue_what", overdue == NULL ? NULL
		 : strcmp(overdue, "first_response") == 0 ? "prima risposta" : "risoluzione");
	(void)req;
}

/* GET /assistenza: the member's own tickets. */
static const struct field ticket_mine_fields[] = {
	RESPONSE_NOTICE_FIELD,
	{ "pagina", FIELD_QUERY, VALID_INT, 1, 10000, NULL, 0, "Pagina" },
};

static void
ticket_pager(struct request *req, struct tmpl_ctx *ctx, int page, int64_t total, const char *base)
{
	int pages = (int)((total + TICKET_PAGE - 1) / TICKET_PAGE);

	if (pages <= 1)
		return;
	tmpl_set_bool(ctx, "paged", true);
	tmpl_set_int(ctx, "page", page);
	tmpl_set_int(ctx, "pages", pages);
	if (page > 1)
		tmpl_set(ctx, "prev_url", arena_printf(req->arena, "%s%spagina=%d", base,
						      strchr(base, '?') ? "&" : "?", page - 1));
	if (page < pages)
		tmpl_set(ctx, "next_url", arena_printf(req->arena, "%s%spagina=%d", base,
						      strchr(base, '?') ? "&" : "?", page + 1));
}

static int
ticket_mine_page(struct request *req)
{
	struct ticket_viewer v;
	struct ticket_filter f = { .reported = true, .level = -1, .status = "tutti", .limit = TICKET_PAGE };
	int page = (int)request_int(req, "pagina", 1);
	struct ticket *ts;
	struct tmpl_ctx *ctx;
	int64_t total;
	int n;

	ticket_viewer_of(req, &v);
	f.offset = (page - 1) * TICKET_PAGE;
	if (ticket_db_list(req->db, req->arena, &v, &f, &ts, &n, &total) == -1)
		return 500;
	ctx = response_ctx(req, "Le mie segnalazioni");
	response_notice(req, ctx, ticket_notices, ARRAY_SIZE(ticket_notices));
	tmpl_set_bool(ctx, "empty", n == 0);
	tmpl_set_bool(ctx, "agent", (req->user->roles & TICKET_AGENT_ROLES) != 0);
	tmpl_set_bool(ctx, "coord", ticket_is_coord(req));
	for (int i = 0; i < n; i++)
		ticket_fill_item(req, tmpl_list_add(ctx, "tickets"), &ts[i], NULL);
	ticket_pager(req, ctx, page, total, "/assistenza");
	return response_page(req, 200, "content/tickets", ctx);
}

static const struct field ticket_queue_fields[] = {
	RESPONSE_NOTICE_FIELD,
	{ "livello", FIELD_QUERY, VALID_INT, 0, 2, NULL, 0, "Livello" },
	{ "filtro", FIELD_QUERY, VALID_ENUM, 0, 0, ticket_filters, 0, "Filtro" },
	{ "categoria", FIELD_QUERY, VALID_ENUM, 0, 0, ticket_categories, 0, "Categoria" },
	{ "stato", FIELD_QUERY, VALID_ENUM, 0, 0, ticket_statuses, 0, "Stato" },
	{ "pagina", FIELD_QUERY, VALID_INT, 1, 10000, NULL, 0, "Pagina" },
};

/*
 * A queue's tickets: the filter's rows, and for "overdue" the late ones
 * among the first TICKET_OVERDUE_SCAN open ones (lateness is computed
 * here, with the working-time clock, not in SQL).  *out gets at most
 * limit from offset; *total counts them all.
 */
static int
ticket_queue_load(struct request *req, struct ticket_filter *f, bool overdue,
		  const struct ticket_target *tg, int ntg, struct ticket **out, int *n, int64_t *total)
{
	struct ticket_viewer v;
	struct ticket *all;
	int limit = f->limit, offset = f->offset, nall, k = 0;
	time_t now = time(NULL);

	ticket_viewer_of(req, &v);
	if (!overdue)
		return ticket_db_list(req->db, req->arena, &v, f, out, n, total);
	f->limit = TICKET_OVERDUE_SCAN;
	f->offset = 0;
	if (ticket_db_list(req->db, req->arena, &v, f, &all, &nall, total) == -1)
		return -1;
	*out = arena_calloc(req->arena, (size_t)nall + 1, sizeof(**out));
	*total = 0;
	for (int i = 0; i < nall; i++) {
		if (ticket_overdue(&all[i], tg, ntg, now) == NULL)
			continue;
		if (*total >= offset && k < limit)
			(*out)[k++] = all[i];
		(*total)++;
	}
	*n = k;
	return 0;
}

/* GET /assistenza/coda: the queues of the levels the agent works at. */
static int
ticket_queue_page(struct request *req)
{
	struct ticket_filter f = { .limit = TICKET_PAGE };
	const struct field_value *lv = request_field(req, "livello");
	const char *filter = request_str(req, "filtro");
	const char *category = request_str(req, "categoria");
	const char *status = request_str(req, "stato");
	int page = (int)request_int(req, "pagina", 1);
	struct ticket_target *tg;
	struct ticket *ts;
	struct tmpl_ctx *ctx;
	struct buf base;
	time_t now = time(NULL);
	int64_t total;
	int n, ntg;

	f.level = lv != NULL && lv->present ? (int)lv->num : -1;
	f.status = status;
	f.category = category;
	f.mine = filter != NULL && strcmp(filter, "mie") == 0;
	f.unassigned = filter != NULL && strcmp(filter, "non_assegnate") == 0;
	f.waiting = filter != NULL && strcmp(filter, "in_attesa") == 0;
	f.offset = (page - 1) * TICKET_PAGE;
	if (ticket_db_targets(req->db, req->arena, &tg, &ntg) == -1 ||
	    ticket_queue_load(req, &f, filter != NULL && strcmp(filter, "in_ritardo") == 0, tg, ntg,
			      &ts, &n, &total) == -1)
		return 500;
	ctx = response_ctx(req, "Code dell'assistenza");
	response_notice(req, ctx, ticket_notices, ARRAY_SIZE(ticket_notices));
	tmpl_set_bool(ctx, "empty", n == 0);
	tmpl_set_int(ctx, "total", total);
	tmpl_set_bool(ctx, "coord", ticket_is_coord(req));
	for (int i = 0; i < n; i++)
		ticket_fill_item(req, tmpl_list_add(ctx, "tickets"), &ts[i], ticket_overdue(&ts[i], tg, ntg, now));
	for (int i = 0; i < TICKET_LEVELS; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "levels");
		tmpl_set_int(c, "value", i);
		tmpl_set(c, "label", ticket_level_labels[i]);
		tmpl_set_bool(c, "selected", f.level == i);
	}
	for (int i = 0; ticket_filters[i] != NULL; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "filters");
		tmpl_set(c, "value", ticket_filters[i]);
		tmpl_set(c, "label", ticket_filter_labels[i]);
		tmpl_set_bool(c, "selected", filter != NULL && strcmp(filter, ticket_filters[i]) == 0);
	}
	for (int i = 0; ticket_categories[i] != NULL; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "categories");
		tmpl_set(c, "value", ticket_categories[i]);
		tmpl_set(c, "label", ticket_category_labels[i]);
		tmpl_set_bool(c, "selected", category != NULL && strcmp(category, ticket_categories[i]) == 0);
	}
	for (int i = 0; ticket_statuses[i] != NULL; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "statuses");
		tmpl_set(c, "value", ticket_statuses[i]);
		tmpl_set(c, "label", ticket_status_labels[i]);
		tmpl_set_bool(c, "selected", status != NULL && strcmp(status, ticket_statuses[i]) == 0);
	}
	/* The pager keeps the filters: their values are validated tokens and digits. */
	buf_init(&base, 1024);
	buf_adds(&base, "/assistenza/coda?x=1");
	if (f.level >= 0)
		buf_printf(&base, "&livello=%d", f.level);
	if (filter != NULL)
		buf_printf(&base, "&filtro=%s", filter);
	if (category != NULL)
		buf_printf(&base, "&categoria=%s", category);
	if (status != NULL)
		buf_printf(&base, "&stato=%s", status);
	ticket_pager(req, ctx, page, total, arena_strdup(req->arena, base.data));
	buf_release(&base);
	return response_page(req, 200, "content/ticket_queue", ctx);
}

/* ---- pages: one ticket ------------------------------------------------------------- */

static const struct field ticket_page_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Segnalazione" },
	RESPONSE_NOTICE_FIELD,
	{ "risposta", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "Risposta predefinita" },
};

/* Who wrote a message, as the reporter sees it: themself, their tutor, or the front office. */
static const char *
ticket_author_for_reporter(const struct ticket *t, const struct ticket_msg *m)
{
	if (m->author_id == t->reporter_id)
		return "Tu";
	if (m->author_id == 0)
		return "Servizio di assistenza";
	if (m->level == 0)
		return m->author_name;
	return "Front office";
}

static const char *
ticket_kind_label(const char *kind)
{
	if (strcmp(kind, "internal") == 0)
		return "Nota interna";
	if (strcmp(kind, "handover") == 0)
		return "Passaggio di livello";
	if (strcmp(kind, "status") == 0)
		return "Cambio di stato";
	return "Risposta pubblica";
}

/*
 * The ticket page: the reporter's view (public thread, reply, rating) or
 * the agents' (the whole thread, the level's clock, reply with status,
 * canned replies, assignment, hand-over).  status and message: a refused
 * action's, shown above the forms; body: the text to put back.
 */
static int
ticket_render(struct request *req, int status, int64_t id, const struct ticket_err *err,
	      const char *body_back)
{
	struct ticket_viewer v;
	struct ticket t;
	struct ticket_msg *ms;
	struct ticket_attachment *as;
	struct tmpl_ctx *ctx;
	bool found, staff;
	int nm, na;

	ticket_viewer_of(req, &v);
	if (ticket_db_get(req->db, req->arena, id, &v, &t, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Segnalazione non trovata.");
	staff = ticket_is_staff(&t);
	if (ticket_db_messages(req->db, req->arena, id, staff, &ms, &nm) == -1 ||
	    ticket_db_attachments(req->db, req->arena, id, &as, &na) == -1)
		return 500;
	ctx = response_ctx(req, arena_printf(req->arena, "Segnalazione n. %lld", (long long)id));
	response_notice(req, ctx, ticket_notices, ARRAY_SIZE(ticket_notices));
	if (err != NULL && err->message != NULL) {
		tmpl_set(ctx, "error", err->message);
		tmpl_set(ctx, "error_field", err->field);
	}
	tmpl_set_int(ctx, "id", t.id);
	tmpl_set_int(ctx, "ticket_id", t.id);
	tmpl_set(ctx, "subject", t.subject);
	tmpl_set(ctx, "category", ticket_category_label(t.category));
	tmpl_set(ctx, "module", t.module_title[0] ? t.module_title : NULL);
	tmpl_set(ctx, "status", ticket_status_label(t.status));
	tmpl_set(ctx, "status_code", t.status);
	tmpl_set(ctx, "level", ticket_level_label(t.level));
	tmpl_set(ctx, "created", t.created_local);
	tmpl_set(ctx, "updated", t.updated_local);
	tmpl_set_html(ctx, "body_html", t.body_html);
	tmpl_set(ctx, "page_url", t.page_url[0] ? t.page_url : NULL);
	tmpl_set(ctx, "reporter", t.reporter_name);
	tmpl_set(ctx, "org", t.org_name[0] ? t.org_name : NULL);
	tmpl_set(ctx, "assignee", t.assignee_name[0] ? t.assignee_name : NULL);
	tmpl_set_bool(ctx, "staff", staff);
	tmpl_set_bool(ctx, "reporter_view", !staff);
	tmpl_set_bool(ctx, "open", ticket_open(&t));
	tmpl_set(ctx, "body_back", body_back);
	for (int i = 0; i < na; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "attachments");
		tmpl_set_int(c, "id", as[i].id);
		tmpl_set(c, "filename", as[i].filename);
		tmpl_set(c, "size", as[i].size >= 1024 ? arena_printf(req->arena, "%lld KB", (long long)((as[i].size + 1023) / 1024))
						       : arena_printf(req->arena, "%lld byte", (long long)as[i].size));
	}
	for (int i = 0; i < nm; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "messages");
		bool is_status = strcmp(ms[i].kind, "status") == 0;
		tmpl_set(c, "author", staff ? (ms[i].author_name[0] ? ms[i].author_name : "Servizio di assistenza")
					    : ticket_author_for_reporter(&t, &ms[i]));
		tmpl_set(c, "when", ms[i].created_local);
		tmpl_set(c, "kind", ms[i].kind);
		tmpl_set(c, "kind_label", ticket_kind_label(ms[i].kind));
		tmpl_set_bool(c, "internal", strcmp(ms[i].kind, "internal") == 0 || strcmp(ms[i].kind, "handover") == 0);
		tmpl_set_bool(c, "is_status", is_status);
		tmpl_set(c, "new_status", is_status ? ticket_status_label(ms[i].status) : NULL);
		tmpl_set_html(c, "body_html", ms[i].body_html[0] ? ms[i].body_html : NULL);
		if (staff)
			tmpl_set(c, "level", ticket_level_label(ms[i].level));
	}
	if (!staff) {
		bool resolved = strcmp(t.status, "risolto") == 0 || strcmp(t.status, "chiuso") == 0;
		tmpl_set_bool(ctx, "can_rate", resolved && t.rating == 0);
		tmpl_set_int(ctx, "rating", t.rating);
		tmpl_set(ctx, "rating_comment", t.rating_comment[0] ? t.rating_comment : NULL);
		tmpl_set_bool(ctx, "waiting", strcmp(t.status, "in_attesa") == 0);
		for (int i = 5; i >= 1; i--) {
			struct tmpl_ctx *c = tmpl_list_add(ctx, "stars");
			tmpl_set_int(c, "value", i);
			tmpl_set(c, "label", i == 5 ? "5 – ottima" : i == 4 ? "4 – buona" : i == 3 ? "3 – sufficiente"
					     : i == 2 ? "2 – scarsa" : "1 – pessima");
		}
		return response_page(req, status, "content/ticket", ctx);
	}

	/* The agents' part. */
	{
		struct ticket_target *tg;
		struct ticket_canned *cs;
		struct ticket_person *ps;
		const struct ticket_target *x;
		int ntg, nc, np;
		time_t now = time(NULL);
		int64_t pick = request_int(req, "risposta", 0);
		const char *late;

		if (ticket_db_targets(req->db, req->arena, &tg, &ntg) == -1 ||
		    ticket_db_canned_list(req->db, req->arena, t.category, &cs, &nc) == -1 ||
		    ticket_db_agents(req->db, req->arena, t.level, t.org_id, &ps, &np) == -1)
			return 500;
		x = ticket_target_of(&t, tg, ntg);
		late = ticket_overdue(&t, tg, ntg, now);
		tmpl_set_bool(ctx, "overdue", late != NULL);
		tmpl_set(ctx, "overdue_what", late == NULL ? NULL
			 : strcmp(late, "first_response") == 0 ? "la prima risposta" : "la risoluzione");
		tmpl_set(ctx, "clock", ticket_duration(req->arena, ticket_level_seconds(&t, now)));
		tmpl_set_bool(ctx, "waiting", strcmp(t.status, "in_attesa") == 0);
		tmpl_set_bool(ctx, "answered", t.level_first_response != 0);
		if (x != NULL) {
			time_t fr = sla_deadline(sla_calendar(), (time_t)t.level_entered,
						 (int64_t)x->first_response_minutes * 60, t.pauses, t.npauses);
			time_t res = sla_deadline(sla_calendar(), (time_t)t.level_entered,
						  (int64_t)x->resolution_minutes * 60, t.pauses, t.npauses);
			tmpl_set(ctx, "target_first", ticket_duration(req->arena, (int64_t)x->first_response_minutes * 60));
			tmpl_set(ctx, "target_resolution", ticket_duration(req->arena, (int64_t)x->resolution_minutes * 60));
			tmpl_set(ctx, "deadline_first", fr != 0 ? ticket_local_time(req->arena, fr) : "sospesa (in attesa)");
			tmpl_set(ctx, "deadline_resolution", res != 0 ? ticket_local_time(req->arena, res) : "sospesa (in attesa)");
		}
		if (t.rating > 0) {
			tmpl_set_int(ctx, "rating", t.rating);
			tmpl_set(ctx, "rating_comment", t.rating_comment[0] ? t.rating_comment : NULL);
		}
		tmpl_set_bool(ctx, "can_speak", ticket_can_speak(req, &t));
		tmpl_set_bool(ctx, "can_assign", t.access == TICKET_AGENT && ticket_open(&t));
		tmpl_set_bool(ctx, "can_escalate", t.access == TICKET_AGENT && t.level < 2 && ticket_open(&t) &&
				   strcmp(t.status, "risolto") != 0);
		tmpl_set(ctx, "next_level", t.level == 0 ? "al front office" : "agli specialisti");
		tmpl_set_bool(ctx, "assigned_to_me", t.assignee_id == req->user->id);
		/* The FAQ's editors (content/faq.c) turn a resolved ticket's answer into an entry. */
		tmpl_set_bool(ctx, "can_faq", (req->user->roles & TICKET_FAQ_EDITORS) &&
				   (strcmp(t.status, "risolto") == 0 || strcmp(t.status, "chiuso") == 0));
		for (int i = 0; ticket_agent_statuses[i] != NULL; i++) {
			struct tmpl_ctx *c = tmpl_list_add(ctx, "statuses");
			tmpl_set(c, "value", ticket_agent_statuses[i]);
			tmpl_set(c, "label", ticket_status_label(ticket_agent_statuses[i]));
		}
		for (int i = 0; i < nc; i++) {
			struct tmpl_ctx *c = tmpl_list_add(ctx, "canned");
			tmpl_set_int(c, "id", cs[i].id);
			tmpl_set(c, "title", cs[i].title);
			tmpl_set_bool(c, "selected", cs[i].id == pick);
			if (cs[i].id == pick && body_back == NULL)
				tmpl_set(ctx, "body_back", cs[i].body_md);
		}
		for (int i = 0; i < np; i++) {
			struct tmpl_ctx *c = tmpl_list_add(ctx, "agents");
			tmpl_set_int(c, "id", ps[i].id);
			tmpl_set(c, "name", ps[i].name);
			tmpl_set_bool(c, "selected", ps[i].id == t.assignee_id);
		}
	}
	return response_page(req, status, "content/ticket", ctx);
}

/* GET /assistenza/{id} */
static int
ticket_page(struct request *req)
{
	return ticket_render(req, 200, request_int(req, "id", 0), NULL, NULL);
}

/* After a form action: the redirect, or the page again with the refusal. */
static int
ticket_after(struct request *req, int status, const struct ticket_err *e, const char *notice,
	     const char *body_back)
{
	int64_t id = request_int(req, "id", 0);

	if (status == 0)
		return response_redirect(req, arena_printf(req->arena, "/assistenza/%lld?esito=%s", (long long)id, notice));
	if (status == 500)
		return 500;
	if (status == 404)
		return response_error(req, 404, "Segnalazione non trovata.");
	return ticket_render(req, status, id, e, body_back);
}

/* The first invalid field's message (a form re-render or an API 400). */
static const char *
ticket_first_error(const struct request *req)
{
	for (size_t i = 0; req->field_errors != NULL && i < req->route->nfields; i++)
		if (req->field_errors[i] != NULL)
			return req->field_errors[i];
	return "Richiesta non valida.";
}

static const struct field ticket_message_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Segnalazione" },
	{ "body", FIELD_BODY, VALID_TEXT, 1, TICKET_BODY_MAX, NULL, FIELD_MULTILINE, "Messaggio" },
	{ "kind", FIELD_BODY, VALID_ENUM, 0, 0, ticket_kinds, 0, "Tipo di messaggio" },
	{ "status", FIELD_BODY, VALID_ENUM, 0, 0, ticket_agent_statuses, 0, "Nuovo stato" },
};

/* POST /assistenza/{id}/messaggi */
static int
ticket_message_submit(struct request *req)
{
	struct ticket_err e = { 0 };
	int status;

	if (req->nerrors > 0) {
		ticket_fail(&e, 400, NULL, ticket_first_error(req));
		return ticket_after(req, 400, &e, NULL, request_str(req, "body"));
	}
	status = ticket_do_message(req, request_int(req, "id", 0), request_str(req, "kind"),
				   request_str(req, "body"), request_str(req, "status"), &e);
	return ticket_after(req, status, &e, "risposta", request_str(req, "body"));
}

static const struct field ticket_assign_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Segnalazione" },
	{ "assignee_id", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Assegna a" },
	{ "me", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Assegna a me" },
};

/* POST /assistenza/{id}/assegna: assignee_id, or me=1 */
static int
ticket_assign_submit(struct request *req)
{
	struct ticket_err e = { 0 };
	int64_t who = request_int(req, "me", 0) ? req->user->id : request_int(req, "assignee_id", 0);
	int status;

	if (req->nerrors > 0) {
		ticket_fail(&e, 400, NULL, ticket_first_error(req));
		return ticket_after(req, 400, &e, NULL, NULL);
	}
	status = ticket_do_assign(req, request_int(req, "id", 0), who, &e);
	return ticket_after(req, status, &e, "assegnata", NULL);
}

static const struct field ticket_escalate_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Segnalazione" },
	{ "note", FIELD_BODY, VALID_TEXT, 1, 5000, NULL, FIELD_MULTILINE, "Nota per il livello successivo" },
};

/* POST /assistenza/{id}/passa */
static int
ticket_escalate_submit(struct request *req)
{
	struct ticket_err e = { 0 };
	int status;

	if (req->nerrors > 0) {
		ticket_fail(&e, 400, "note", ticket_first_error(req));
		return ticket_after(req, 400, &e, NULL, NULL);
	}
	status = ticket_do_escalate(req, request_int(req, "id", 0), request_str(req, "note"), &e);
	if (status == 0 && !(req->user->roles & (TICKET_COORD | ROLE_HELPDESK1)))
		return response_redirect(req, "/assistenza/coda?esito=passata");	/* out of a tutor's sight now */
	return ticket_after(req, status, &e, "passata", NULL);
}

static const struct field ticket_rate_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Segnalazione" },
	{ "rating", FIELD_BODY, VALID_INT, 1, 5, NULL, FIELD_REQUIRED, "Voto" },
	{ "rating_comment", FIELD_BODY, VALID_TEXT, 0, 2000, NULL, FIELD_MULTILINE, "Commento" },
};

/* POST /assistenza/{id}/valuta */
static int
ticket_rate_submit(struct request *req)
{
	struct ticket_err e = { 0 };
	int status;

	if (req->nerrors > 0) {
		ticket_fail(&e, 400, "rating", ticket_first_error(req));
		return ticket_after(req, 400, &e, NULL, NULL);
	}
	status = ticket_do_rate(req, request_int(req, "id", 0), (int)request_int(req, "rating", 0),
				request_str(req, "rating_comment"), &e);
	return ticket_after(req, status, &e, "valutata", NULL);
}

static const struct field ticket_attachment_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Segnalazione" },
	{ "att", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Allegato" },
};

/* GET /assistenza/{id}/allegati/{att}: only to who may see the ticket (404 otherwise). */
static int
ticket_attachment_download(struct request *req)
{
	struct ticket_viewer v;
	struct ticket t;
	struct ticket_attachment at;
	struct blob_file f;
	bool found;

	ticket_viewer_of(req, &v);
	if (ticket_db_get(req->db, req->arena, request_int(req, "id", 0), &v, &t, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Allegato non trovato.");
	if (ticket_db_attachment(req->db, req->arena, t.id, request_int(req, "att", 0), &at, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Allegato non trovato.");
	f.id = at.blob_id;
	f.size = at.size;
	f.sha256 = at.sha256;
	f.type = at.type;
	f.name = at.filename;
	return blob_send(req, &f);
}

/* ---- pages: canned replies (coordination) ------------------------------------------- */

static const struct field ticket_canned_page_fields[] = {
	RESPONSE_NOTICE_FIELD,
};

static int
ticket_canned_render(struct request *req, int status, const struct ticket_canned *editing)
{
	struct tmpl_ctx *ctx = response_ctx(req, editing ? "Modifica la risposta predefinita"
							 : "Risposte predefinite");
	struct tmpl_ctx *form;
	struct ticket_canned *cs;
	const char *category;
	int n;

	if (ticket_db_canned_list(req->db, req->arena, NULL, &cs, &n) == -1)
		return 500;
	response_notice(req, ctx, ticket_notices, ARRAY_SIZE(ticket_notices));
	form = response_form(req, ctx);
	if (editing != NULL && req->method == METHOD_GET) {
		tmpl_set(form, "category", editing->category);
		tmpl_set(form, "title", editing->title);
		tmpl_set(form, "body", editing->body_md);
	}
	category = req->method == METHOD_GET && editing != NULL ? editing->category : request_str(req, "category");
	if (editing != NULL) {
		tmpl_set_int(ctx, "editing_id", editing->id);
		tmpl_set_bool(ctx, "editing", true);
	}
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "replies");
		tmpl_set_int(c, "id", cs[i].id);
		tmpl_set(c, "category", ticket_category_label(cs[i].category));
		tmpl_set(c, "title", cs[i].title);
	}
	for (int i = 0; ticket_categories[i] != NULL; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "categories");
		tmpl_set(c, "value", ticket_categories[i]);
		tmpl_set(c, "label", ticket_category_labels[i]);
		tmpl_set_bool(c, "selected", category != NULL && strcmp(category, ticket_categories[i]) == 0);
	}
	return response_page(req, status, "content/ticket_canned", ctx);
}

/* GET /assistenza/risposte */
static int
ticket_canned_page(struct request *req)
{
	return ticket_canned_render(req, 200, NULL);
}

static const struct field ticket_canned_fields[] = {
	{ "category", FIELD_BODY, VALID_ENUM, 0, 0, ticket_categories, FIELD_REQUIRED, "Categoria" },
	{ "title", FIELD_BODY, VALID_TEXT, 1, 120, NULL, FIELD_REQUIRED, "Titolo" },
	{ "body", FIELD_BODY, VALID_TEXT, 1, 10000, NULL, FIELD_REQUIRED | FIELD_MULTILINE, "Testo" },
};

static const struct field ticket_canned_edit_fields[] = {
	{ "cid", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Risposta" },
	{ "category", FIELD_BODY, VALID_ENUM, 0, 0, ticket_categories, FIELD_REQUIRED, "Categoria" },
	{ "title", FIELD_BODY, VALID_TEXT, 1, 120, NULL, FIELD_REQUIRED, "Titolo" },
	{ "body", FIELD_BODY, VALID_TEXT, 1, 10000, NULL, FIELD_REQUIRED | FIELD_MULTILINE, "Testo" },
};

static const struct field ticket_canned_id_fields[] = {
	{ "cid", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Risposta" },
	RESPONSE_NOTICE_FIELD,
};

/* GET /assistenza/risposte/{cid} */
static int
ticket_canned_edit_page(struct request *req)
{
	struct ticket_canned c;
	bool found;

	if (ticket_db_canned_get(req->db, req->arena, request_int(req, "cid", 0), &c, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Risposta predefinita non trovata.");
	return ticket_canned_render(req, 200, &c);
}

/* POST /assistenza/risposte and /assistenza/risposte/{cid}: create or update. */
static int
ticket_canned_submit(struct request *req)
{
	int64_t id = request_int(req, "cid", 0), out;
	struct ticket_canned c = { .id = id };
	bool found = true;
	int rc;

	if (id != 0 && ticket_db_canned_get(req->db, req->arena, id, &c, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Risposta predefinita non trovata.");
	if (req->nerrors > 0)
		return ticket_canned_render(req, 400, id != 0 ? &c : NULL);
	rc = ticket_db_canned_save(req->db, id, request_str(req, "category"), request_str(req, "title"),
				   request_str(req, "body"), req->user->id, &out);
	if (rc == -1)
		return 500;
	if (rc == 1)
		return response_error(req, 404, "Risposta predefinita non trovata.");
	if (rc == 2) {
		response_field_error(req, "title", "C'è già una risposta con questo titolo nella categoria.");
		return ticket_canned_render(req, 409, id != 0 ? &c : NULL);
	}
	return response_redirect(req, "/assistenza/risposte?esito=salvata");
}

/* POST /assistenza/risposte/{cid}/elimina */
static int
ticket_canned_delete_submit(struct request *req)
{
	int rc = ticket_db_canned_delete(req->db, request_int(req, "cid", 0));

	if (rc == -1)
		return 500;
	if (rc == 1)
		return response_error(req, 404, "Risposta predefinita non trovata.");
	return response_redirect(req, "/assistenza/risposte?esito=eliminata");
}

/* ---- JSON API ------------------------------------------------------------------------ */

/* A ticket's object under key (NULL in an array); full adds its description. */
static void
ticket_json(struct request *req, struct json_writer *w, const char *key, const struct ticket *t,
	    const char *overdue, bool full)
{
	bool staff = ticket_is_staff(t);

	json_obj_open(w, key);
	json_int(w, "id", t->id);
	json_str(w, "subject", t->subject);
	if (full) {
		json_str(w, "body", t->body_md);
		json_str(w, "body_html", t->body_html);
	}
	json_str(w, "category", t->category);
	if (t->module_id != 0) {
		json_int(w, "module_id", t->module_id);
		json_str(w, "module", t->module_title);
	} else {
		json_null(w, "module_id");
		json_null(w, "module");
	}
	json_str(w, "status", t->status);
	json_int(w, "level", t->level);
	json_obj_open(w, "reporter");
	json_int(w, "id", t->reporter_id);
	json_str(w, "name", t->reporter_name);
	json_obj_close(w);
	if (t->org_id != 0)
		json_str(w, "organisation", t->org_name);
	else
		json_null(w, "organisation");
	if (staff && t->assignee_id != 0) {
		json_obj_open(w, "assignee");
		json_int(w, "id", t->assignee_id);
		json_str(w, "name", t->assignee_name);
		json_obj_close(w);
	} else {
		json_null(w, "assignee");
	}
	json_str(w, "page_url", t->page_url);
	json_str(w, "created_at", t->created_iso);
	json_str(w, "updated_at", t->updated_iso);
	json_str(w, "resolved_at", t->resolved_iso);
	if (t->rating > 0) {
		json_int(w, "rating", t->rating);
		json_str(w, "rating_comment", t->rating_comment);
	} else {
		json_null(w, "rating");
		json_null(w, "rating_comment");
	}
	if (staff)
		json_bool(w, "overdue", overdue != NULL);
	json_str(w, "url", ticket_url(req->arena, t->id));
	json_obj_close(w);
}

static const struct field ticket_api_list_fields[] = {
	{ "scope", FIELD_QUERY, VALID_ENUM, 0, 0, ticket_scopes, 0, "scope" },
	{ "level", FIELD_QUERY, VALID_INT, 0, 2, NULL, 0, "level" },
	{ "status", FIELD_QUERY, VALID_ENUM, 0, 0, ticket_statuses, 0, "status" },
	{ "filter", FIELD_QUERY, VALID_ENUM, 0, 0, ticket_api_filters, 0, "filter" },
	{ "category", FIELD_QUERY, VALID_ENUM, 0, 0, ticket_categories, 0, "category" },
	{ "limit", FIELD_QUERY, VALID_INT, 1, 200, NULL, 0, "limit" },
	{ "offset", FIELD_QUERY, VALID_INT, 0, 1000000, NULL, 0, "offset" },
};

/* GET /api/v1/tickets: 200 {tickets, total}; scope mine (default) or queue (agents). */
static int
ticket_api_list(struct request *req)
{
	struct ticket_filter f = { 0 };
	const struct field_value *lv = request_field(req, "level");
	const char *scope = request_str(req, "scope");
	const char *filter = request_str(req, "filter");
	struct ticket_target *tg;
	struct ticket *ts;
	struct json_writer w;
	time_t now = time(NULL);
	int64_t total;
	int n, ntg;

	f.reported = scope == NULL || strcmp(scope, "mine") == 0;
	f.level = lv != NULL && lv->present ? (int)lv->num : -1;
	f.status = request_str(req, "status");
	if (f.reported && f.status == NULL)
		f.status = "tutti";
	f.category = request_str(req, "category");
	f.mine = filter != NULL && strcmp(filter, "mine") == 0;
	f.unassigned = filter != NULL && strcmp(filter, "unassigned") == 0;
	f.waiting = filter != NULL && strcmp(filter, "waiting") == 0;
	f.limit = (int)request_int(req, "limit", 50);
	f.offset = (int)request_int(req, "offset", 0);
	if (!f.reported && !(req->user->roles & TICKET_AGENT_ROLES))
		return response_json_error(req, 403, "forbidden", "Le code sono solo per chi lavora all'assistenza.");
	if (ticket_db_targets(req->db, req->arena, &tg, &ntg) == -1 ||
	    ticket_queue_load(req, &f, filter != NULL && strcmp(filter, "overdue") == 0, tg, ntg, &ts, &n,
			      &total) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "tickets");
	for (int i = 0; i < n; i++)
		ticket_json(req, &w, NULL, &ts[i], ticket_overdue(&ts[i], tg, ntg, now), false);
	json_arr_close(&w);
	json_int(&w, "total", total);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* Writes ticket id whole (thread and attachments as the viewer may see them). */
static int
ticket_api_answer(struct request *req, int status, int64_t id)
{
	struct ticket_viewer v;
	struct ticket t;
	struct ticket_msg *ms;
	struct ticket_attachment *as;
	struct ticket_target *tg;
	struct json_writer w;
	bool found, staff;
	int nm, na, ntg;

	ticket_viewer_of(req, &v);
	if (ticket_db_get(req->db, req->arena, id, &v, &t, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Segnalazione non trovata.");
	staff = ticket_is_staff(&t);
	if (ticket_db_messages(req->db, req->arena, id, staff, &ms, &nm) == -1 ||
	    ticket_db_attachments(req->db, req->arena, id, &as, &na) == -1 ||
	    ticket_db_targets(req->db, req->arena, &tg, &ntg) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	ticket_json(req, &w, "ticket", &t, ticket_overdue(&t, tg, ntg, time(NULL)), true);
	json_arr_open(&w, "messages");
	for (int i = 0; i < nm; i++) {
		json_obj_open(&w, NULL);
		json_int(&w, "id", ms[i].id);
		json_str(&w, "kind", ms[i].kind);
		json_str(&w, "author", staff ? ms[i].author_name : ticket_author_for_reporter(&t, &ms[i]));
		if (staff)
			json_int(&w, "level", ms[i].level);
		json_str(&w, "status", ms[i].status);
		json_str(&w, "body", ms[i].body_md);
		json_str(&w, "body_html", ms[i].body_html);
		json_str(&w, "created_at", ms[i].created_iso);
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_arr_open(&w, "attachments");
	for (int i = 0; i < na; i++) {
		json_obj_open(&w, NULL);
		json_int(&w, "id", as[i].id);
		json_str(&w, "filename", as[i].filename);
		json_str(&w, "type", as[i].type);
		json_int(&w, "size", as[i].size);
		json_str(&w, "url", arena_printf(req->arena, "%s/assistenza/%lld/allegati/%lld",
						 ticket_cfg->base_url, (long long)id, (long long)as[i].id));
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, status);
}

/* An action's refusal as an API error. */
static int
ticket_api_error(struct request *req, const struct ticket_err *e)
{
	static const struct { int status; const char *code; } codes[] = {
		{ 400, "invalid" }, { 403, "forbidden" }, { 404, "not_found" }, { 409, "conflict" },
		{ 413, "too_large" }, { 415, "bad_type" }, { 503, "unavailable" },
	};
	const char *code = "invalid";

	if (e->status == 500)
		return 500;
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		if (codes[i].status == e->status)
			code = codes[i].code;
	return response_json_error(req, e->status, code,
				   e->message != NULL ? e->message : ticket_first_error(req));
}

/* POST /api/v1/tickets (JSON; a file goes to .../attachments): 201 the ticket; 400. */
static int
ticket_api_create(struct request *req)
{
	struct ticket_err e = { 0 };
	int64_t id;

	if (req->nerrors > 0) {
		ticket_fail(&e, 400, NULL, ticket_first_error(req));
		return ticket_api_error(req, &e);
	}
	if (ticket_do_create(req, &id, &e) != 0)
		return ticket_api_error(req, &e);
	return ticket_api_answer(req, 201, id);
}

static const struct field ticket_api_attach_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	{ "file", FIELD_BODY, VALID_TEXT, 0, 0, NULL, 0, "file" },
};

/*
 * POST /api/v1/tickets/{id}/attachments (multipart, one file): whoever
 * may see an open ticket adds a file to it.  201 the ticket; 400 (no
 * file); 404; 409 (closed); 413; 415.  The file came with a transaction
 * open on req->db: committed with the row, or rolled back.
 */
static int
ticket_api_attach(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct ticket_viewer v;
	struct ticket_err e = { 0 };
	struct ticket t;
	bool found;

	if (req->upload_status != 0) {
		ticket_fail(&e, req->upload_status, "file", req->upload_message);
		return ticket_api_error(req, &e);
	}
	if (req->upload == NULL) {
		ticket_fail(&e, 400, "file", "Manca il file da allegare.");
		return ticket_api_error(req, &e);
	}
	ticket_viewer_of(req, &v);
	if (ticket_db_lock(req->db, req->arena, id, &v, &t, &found) == -1)
		return 500;
	if (!found) {
		ticket_fail(&e, 404, NULL, "Segnalazione non trovata.");
		return ticket_api_error(req, &e);
	}
	if (!ticket_open(&t)) {
		ticket_fail(&e, 409, NULL, "La segnalazione è chiusa.");
		return ticket_api_error(req, &e);
	}
	if (ticket_db_attach(req->db, id, 0, req->upload->id, req->upload->name, req->upload->type,
			     req->upload->size, req->user->id) == -1 ||
	    db_commit(req->db) == -1)
		return 500;
	return ticket_api_answer(req, 201, id);
}

static const struct field ticket_api_get_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
};

/* GET /api/v1/tickets/{id}: 200; 404 also when the viewer may not see it. */
static int
ticket_api_get(struct request *req)
{
	return ticket_api_answer(req, 200, request_int(req, "id", 0));
}

static const struct field ticket_api_patch_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	{ "status", FIELD_BODY, VALID_ENUM, 0, 0, ticket_agent_statuses, 0, "status" },
	{ "assignee_id", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "assignee_id" },
	{ "rating", FIELD_BODY, VALID_INT, 1, 5, NULL, 0, "rating" },
	{ "rating_comment", FIELD_BODY, VALID_TEXT, 0, 2000, NULL, FIELD_MULTILINE, "rating_comment" },
};

/*
 * PATCH /api/v1/tickets/{id}: agents set status and assignee_id (0 or
 * null: nobody); the reporter sets rating and rating_comment.  All
 * checked before anything is written; 200 the ticket; 400; 403; 404; 409.
 */
static int
ticket_api_patch(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	const struct field_value *st = request_field(req, "status");
	const struct field_value *as = request_field(req, "assignee_id");
	const struct field_value *ra = request_field(req, "rating");
	bool assign = req->json != NULL && json_get(req->json, "assignee_id") != NULL;
	struct ticket_err e = { 0 };

	if (req->nerrors > 0) {
		ticket_fail(&e, 400, NULL, ticket_first_error(req));
		return ticket_api_error(req, &e);
	}
	if (!st->present && !assign && !ra->present) {
		ticket_fail(&e, 400, NULL, "Indica almeno uno tra status, assignee_id e rating.");
		return ticket_api_error(req, &e);
	}
	if (ra->present && (st->present || assign)) {
		ticket_fail(&e, 400, NULL, "La valutazione si invia da sola.");
		return ticket_api_error(req, &e);
	}
	if (ra->present) {
		if (ticket_do_rate(req, id, (int)ra->num, request_str(req, "rating_comment"), &e) != 0)
			return ticket_api_error(req, &e);
		return ticket_api_answer(req, 200, id);
	}
	/* Both checked before either is written, so a refusal changes nothing. */
	if (assign && st->present) {
		struct ticket_viewer v;
		struct ticket t;
		bool found;
		int ok = 1;

		ticket_viewer_of(req, &v);
		if (ticket_db_get(req->db, req->arena, id, &v, &t, &found) == -1 ||
		    (found && as->present && as->num != 0 &&
		     (ok = ticket_db_is_agent(req->db, as->num, t.level, t.org_id)) == -1))
			return 500;
		if (!found)
			ticket_fail(&e, 404, NULL, "Segnalazione non trovata.");
		else if (t.access != TICKET_AGENT || !ticket_can_speak(req, &t))
			ticket_fail(&e, 403, NULL, "Non puoi cambiare insieme assegnazione e stato di questa segnalazione.");
		else if (ok == 0)
			ticket_fail(&e, 400, "assignee_id", "La persona scelta non lavora a questo livello.");
		if (e.status != 0)
			return ticket_api_error(req, &e);
	}
	if (assign && ticket_do_assign(req, id, as->present ? as->num : 0, &e) != 0)
		return ticket_api_error(req, &e);
	if (st->present && ticket_do_message(req, id, "internal", NULL, st->str, &e) != 0)
		return ticket_api_error(req, &e);
	return ticket_api_answer(req, 200, id);
}

static const struct field ticket_api_message_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	{ "body", FIELD_BODY, VALID_TEXT, 1, TICKET_BODY_MAX, NULL, FIELD_MULTILINE, "body" },
	{ "kind", FIELD_BODY, VALID_ENUM, 0, 0, ticket_kinds, 0, "kind" },
	{ "status", FIELD_BODY, VALID_ENUM, 0, 0, ticket_agent_statuses, 0, "status" },
};

/* POST /api/v1/tickets/{id}/messages: 201 the ticket; 400; 403; 404; 409. */
static int
ticket_api_message(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct ticket_err e = { 0 };

	if (req->nerrors > 0) {
		ticket_fail(&e, 400, NULL, ticket_first_error(req));
		return ticket_api_error(req, &e);
	}
	if (ticket_do_message(req, id, request_str(req, "kind"), request_str(req, "body"),
			      request_str(req, "status"), &e) != 0)
		return ticket_api_error(req, &e);
	return ticket_api_answer(req, 201, id);
}

static const struct field ticket_api_escalate_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	{ "note", FIELD_BODY, VALID_TEXT, 1, 5000, NULL, FIELD_MULTILINE, "note" },
};

/*
 * POST /api/v1/tickets/{id}/escalate: 200 the ticket, or {ticket: {id,
 * level}, visible: false} for a tutor who no longer sees it; 400 (note
 * required); 403; 404; 409.
 */
static int
ticket_api_escalate(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct ticket_err e = { 0 };
	struct ticket_viewer v;
	struct json_writer w;
	struct ticket t;
	bool found;

	if (req->nerrors > 0) {
		ticket_fail(&e, 400, "note", ticket_first_error(req));
		return ticket_api_error(req, &e);
	}
	if (ticket_do_escalate(req, id, request_str(req, "note"), &e) != 0)
		return ticket_api_error(req, &e);
	ticket_viewer_of(req, &v);
	if (ticket_db_get(req->db, req->arena, id, &v, &t, &found) == -1)
		return 500;
	if (found)
		return ticket_api_answer(req, 200, id);
	/* A tutor hands over what they will no longer see: only the outcome. */
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_obj_open(&w, "ticket");
	json_int(&w, "id", id);
	json_int(&w, "level", 1);
	json_obj_close(&w);
	json_bool(&w, "visible", false);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* ---- the job --------------------------------------------------------------------------- */

/* Closes tickets resolved TICKET_CLOSE_DAYS ago, each with its mail. */
static int
ticket_close_due(struct db *db, struct arena *a)
{
	struct ticket *ts;
	bool changed;
	int64_t mid;
	int n;

	if (db_begin(db) == -1)
		return -1;
	if (ticket_db_close_due(db, a, TICKET_CLOSE_DAYS, TICKET_JOB_BATCH, &ts, &n) == -1)
		goto fail;
	for (int i = 0; i < n; i++) {
		if (ticket_db_set_status(db, ts[i].id, ts[i].level, "chiuso", &changed) == -1)
			goto fail;
		if (changed && (ticket_db_add_message(db, ts[i].id, 0, "status", ts[i].level, "chiuso",
						      "", "", false, &mid) == -1 ||
				ticket_mail_reporter(db, a, &ts[i], "chiuso", NULL, NULL) == -1))
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}

/* Tells the coordination team of each ticket late at its level, once per ticket and level. */
static int
ticket_notify_overdue(struct db *db, struct arena *a)
{
	struct ticket_target *tg;
	struct ticket_person *leads;
	struct ticket *ts;
	time_t now = time(NULL);
	int ntg, nl, n, rc;

	if (db_begin(db) == -1)
		return -1;
	if (ticket_db_targets(db, a, &tg, &ntg) == -1 || ticket_db_leads(db, a, &leads, &nl) == -1 ||
	    ticket_db_open(db, a, true, TICKET_OVERDUE_SCAN, &ts, &n) == -1)
		goto fail;
	for (int i = 0; i < n; i++) {
		const char *late = ticket_overdue(&ts[i], tg, ntg, now);
		if (late == NULL)
			continue;
		if ((rc = ticket_db_overdue_noticed(db, ts[i].id, ts[i].level, late)) == -1)
			goto fail;
		if (rc == 1)
			continue;
		for (int k = 0; k < nl; k++) {
			const char *p[] = {
				arena_printf(a, "la segnalazione n. %lld «%s» (%s) ha superato l'obiettivo di %s "
					     "al livello «%s».", (long long)ts[i].id, ts[i].subject,
					     ticket_category_label(ts[i].category),
					     strcmp(late, "first_response") == 0 ? "prima risposta" : "risoluzione",
					     ticket_level_label(ts[i].level)),
				arena_printf(a, "Aperta il %s; stato: %s; assegnata a: %s.", ts[i].created_local,
					     ticket_status_label(ts[i].status),
					     ts[i].assignee_name[0] ? ts[i].assignee_name : "nessuno"),
				"Questo avviso arriva una sola volta per segnalazione e livello.",
				NULL
			};
			struct mail_content m = {
				.subject = arena_printf(a, "Segnalazione n. %lld in ritardo (%s)", (long long)ts[i].id,
							ticket_level_label(ts[i].level)),
				.greeting = arena_printf(a, "Gentile %s,", leads[k].name),
				.paragraphs = p,
				.action_label = "Apri la segnalazione",
				.action_url = ticket_url(a, ts[i].id),
			};
			if (mail_queue(db, a, leads[k].email, leads[k].name, &m) == -1)
				goto fail;
		}
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}

static void
ticket_job(struct db *db)
{
	struct arena *a = arena_new();

	if (ticket_close_due(db, a) == -1)
		log_warnx("help desk: closing resolved tickets failed");
	arena_reset(a);
	if (ticket_notify_overdue(db, a) == -1)
		log_warnx("help desk: overdue notices failed");
	arena_free(a);
}

/* ---- FAQ suggestions --------------------------------------------------------------------- */

/*
 * The FAQ entries sharing words with what the member typed (faq_db.h),
 * listed above the form; a failed search only loses the suggestions.
 */
static void
ticket_faq_suggest(struct request *req, struct tmpl_ctx *ctx, const char *text)
{
	struct faq *fs;
	int n;

	if (faq_db_suggest(req->db, req->arena, text, TICKET_FAQ_MAX, &fs, &n) == -1) {
		log_warnx("help desk: FAQ suggestions failed");
		return;
	}
	tmpl_set_bool(ctx, "faq_none", n == 0);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *c = tmpl_list_add(ctx, "faq");
		tmpl_set_int(c, "id", fs[i].id);
		tmpl_set(c, "question", fs[i].question);
		tmpl_set(c, "category", ticket_category_label(fs[i].category));
	}
}

/* ---- demo ---------------------------------------------------------------------------------- */

static const struct {
	const char *category, *title, *body;
} ticket_demo_canned[] = {
	{ "access", "Reimpostare la password",
	  "Puoi reimpostare la password da sola/o: nella pagina **Accedi** scegli «Password dimenticata?» "
	  "e segui il link che ricevi per email (vale un'ora).\n\nSe l'email non arriva, controlla la "
	  "posta indesiderata e rispondi qui." },
	{ "access", "Account in attesa di approvazione",
	  "Il tuo account è in attesa dell'approvazione del referente del tuo ente: lo abbiamo "
	  "sollecitato. Riceverai un'email quando sarà attivo." },
	{ "module", "Test finale: tentativi esauriti",
	  "Hai esaurito i tentativi del test finale. Il formatore può concederne altri: abbiamo "
	  "inoltrato la richiesta e ti scriveremo appena fatto." },
	{ "platform", "Servono i dati per riprodurre il problema",
	  "Per capire il problema ci servono: la funzione di SIGeSS che stavi usando, l'ora "
	  "approssimativa, il messaggio di errore (una schermata aiuta). Rispondi qui con questi dati." },
	{ "documents", "Dove trovare i manuali",
	  "I manuali sono nella sezione **Documenti**, cartella «Manuali»: si possono cercare per "
	  "parola. Se non trovi quello che ti serve, dicci il titolo." },
};

static const struct {
	const char *reporter, *category, *subject, *body, *page;
	int level;		/* level to bring it to (0 stays with the tutors when there are any) */
	const char *handover0, *handover1;	/* notes of the hand-overs */
	const char *agent_role, *reply, *internal;
	const char *status;	/* final status, NULL: as it comes */
	int rating;
	const char *rating_comment;
} ticket_demo[] = {
	{ "operatore", "access", "Non riesco ad accedere a SIGeSS dopo il cambio della password",
	  "Da stamattina SIGeSS mi risponde «credenziali non valide», anche se ho appena cambiato "
	  "la password come richiesto. Ho provato anche da un altro computer.", "/profilo",
	  0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "referente", "documents", "Dove trovo il manuale della Cartella Sociale?",
	  "Cerco il manuale aggiornato della Cartella Sociale da dare ai colleghi del Municipio: "
	  "quello che ho è del 2023.", "/documenti",
	  0, NULL, NULL, "tutor",
	  "Il manuale aggiornato è nella sezione **Documenti**, cartella «Manuali»: si chiama "
	  "*Cartella Sociale e PAI – manuale operativo*. Fammi sapere se serve altro.", NULL,
	  "risolto", 5, "Risposta rapidissima, grazie!" },
	{ "referente", "other", "Chiarimento sul cronoprogramma della formazione diffusa",
	  "Nel cronoprogramma le sessioni del modulo 3 per la classe B coincidono con il nostro "
	  "sportello del martedì: si possono spostare?", "/eventi",
	  1, "Riguarda il calendario: non posso decidere io, passo al front office.", NULL, "helpdesk1",
	  "Possiamo spostare la classe B al giovedì mattina: ci confermi che va bene per tutti i "
	  "colleghi iscritti?", NULL, "in_attesa", 0, NULL },
	{ "operatore", "platform", "Errore nell'esportazione dei dati verso SIUSS",
	  "Quando esporto il debito informativo verso SIUSS per il secondo trimestre compare "
	  "«Errore 500: tracciato non valido» e il file non viene generato.", "/corsi",
	  2, "L'errore si ripete anche sul mio account: non è un problema di permessi.",
	  "Riprodotto sull'ambiente di prova: il tracciato ha un campo data vuoto. Serve lo specialista.",
	  "helpdesk2", NULL,
	  "Il campo *data_fine_intervento* è vuoto per tre interventi: correggo lo script di "
	  "esportazione e verifico con il front office.", NULL, 0, NULL },
};

/* One demo ticket in its own transaction; 0, or -1. */
static int
ticket_seed_one(struct db *db, struct arena *a, size_t i)
{
	struct ticket_new n = { 0 };
	int64_t rid, rorg, aid, aorg, id, mid;
	int level;
	bool changed;

	if (ticket_db_demo_user(db, a, ticket_demo[i].reporter, &rid, &rorg) == -1)
		return -1;
	if (rid == 0)
		return 0;	/* no demo accounts: nothing to attach the ticket to */
	n.reporter_id = rid;
	n.org_id = rorg;
	n.category = ticket_demo[i].category;
	n.subject = ticket_demo[i].subject;
	n.body_md = ticket_demo[i].body;
	n.page_url = ticket_demo[i].page;
	if ((n.body_html = ticket_md(a, n.body_md)) == NULL || db_begin(db) == -1)
		return -1;
	if (ticket_db_create(db, &n, &id, &level) != 0)
		goto fail;
	/* Hand-overs by whoever works the level: a tutor, then the front office. */
	while (level < ticket_demo[i].level) {
		const char *note = level == 0 ? ticket_demo[i].handover0 : ticket_demo[i].handover1;
		if (ticket_db_demo_user(db, a, level == 0 ? "tutor" : "helpdesk1", &aid, &aorg) == -1 ||
		    ticket_db_add_message(db, id, aid, "handover", level, NULL, note, ticket_md(a, note), true,
					  &mid) == -1 ||
		    ticket_db_escalate(db, id, level) != 0 ||
		    ticket_db_set_status(db, id, level + 1, "in_lavorazione", &changed) == -1)
			goto fail;
		if (changed && ticket_db_add_message(db, id, aid, "status", level + 1, "in_lavorazione", "", "",
						     false, &mid) == -1)
			goto fail;
		level++;
	}
	if (ticket_demo[i].agent_role != NULL) {
		if (ticket_db_demo_user(db, a, ticket_demo[i].agent_role, &aid, &aorg) == -1 ||
		    ticket_db_assign(db, id, aid) == -1)
			goto fail;
		if (ticket_demo[i].reply != NULL &&
		    ticket_db_add_message(db, id, aid, "public", level, NULL, ticket_demo[i].reply,
					  ticket_md(a, ticket_demo[i].reply), true, &mid) == -1)
			goto fail;
		if (ticket_demo[i].internal != NULL &&
		    ticket_db_add_message(db, id, aid, "internal", level, NULL, ticket_demo[i].internal,
					  ticket_md(a, ticket_demo[i].internal), true, &mid) == -1)
			goto fail;
		if (ticket_demo[i].status != NULL) {
			if (ticket_db_set_status(db, id, level, ticket_demo[i].status, &changed) == -1 ||
			    (changed && ticket_db_add_message(db, id, aid, "status", level, ticket_demo[i].status,
							      "", "", true, &mid) == -1))
				goto fail;
		}
		if (ticket_demo[i].rating > 0 &&
		    ticket_db_rate(db, id, ticket_demo[i].rating, ticket_demo[i].rating_comment) != 0)
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}

int
ticket_seed_demo(struct db *db)
{
	struct arena *a = arena_new();
	int rc = -1;

	for (size_t i = 0; i < ARRAY_SIZE(ticket_demo_canned); i++) {
		struct ticket_canned *cs;
		bool have = false;
		int64_t id;
		int n;

		if (ticket_db_canned_list(db, a, ticket_demo_canned[i].category, &cs, &n) == -1)
			goto out;
		for (int k = 0; k < n; k++)
			have = have || strcmp(cs[k].title, ticket_demo_canned[i].title) == 0;
		if (!have && ticket_db_canned_save(db, 0, ticket_demo_canned[i].category, ticket_demo_canned[i].title,
						   ticket_demo_canned[i].body, 0, &id) != 0)
			goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ticket_demo); i++) {
		int64_t have = ticket_db_count_subject(db, ticket_demo[i].subject);
		if (have == -1)
			goto out;
		if (have == 0 && ticket_seed_one(db, a, i) == -1) {
			log_warnx("seed: demo ticket \"%s\" not stored", ticket_demo[i].subject);
			goto out;
		}
	}
	rc = 0;
out:
	arena_free(a);
	return rc;
}

/* ---- routes ---------------------------------------------------------------------------------- */

static const struct route ticket_routes[] = {
	{ METHOD_GET, "/assistenza", ticket_mine_page, ROLE_MEMBER, 0, ROUTER_FIELDS(ticket_mine_fields),
	  "tickets.mine" },
	{ METHOD_GET, "/assistenza/nuova", ticket_new_page, ROLE_MEMBER, 0,
	  ROUTER_FIELDS(ticket_new_page_fields), "tickets.new" },
	{ METHOD_POST, "/assistenza/nuova", ticket_create_submit, ROLE_MEMBER, ROUTE_FORM | ROUTE_UPLOAD,
	  ROUTER_FIELDS(ticket_create_fields), "tickets.create" },
	{ METHOD_GET, "/assistenza/coda", ticket_queue_page, TICKET_AGENT_ROLES, 0,
	  ROUTER_FIELDS(ticket_queue_fields), "tickets.queue" },
	{ METHOD_GET, "/assistenza/risposte", ticket_canned_page, TICKET_COORD, 0,
	  ROUTER_FIELDS(ticket_canned_page_fields), "tickets.canned" },
	{ METHOD_POST, "/assistenza/risposte", ticket_canned_submit, TICKET_COORD, ROUTE_FORM,
	  ROUTER_FIELDS(ticket_canned_fields), "tickets.canned_create" },
	{ METHOD_GET, "/assistenza/risposte/{cid}", ticket_canned_edit_page, TICKET_COORD, 0,
	  ROUTER_FIELDS(ticket_canned_id_fields), "tickets.canned_edit" },
	{ METHOD_POST, "/assistenza/risposte/{cid}", ticket_canned_submit, TICKET_COORD, ROUTE_FORM,
	  ROUTER_FIELDS(ticket_canned_edit_fields), "tickets.canned_update" },
	{ METHOD_POST, "/assistenza/risposte/{cid}/elimina", ticket_canned_delete_submit, TICKET_COORD, 0,
	  ROUTER_FIELDS(ticket_canned_id_fields), "tickets.canned_delete" },
	{ METHOD_GET, "/assistenza/{id}", ticket_page, ROLE_MEMBER, 0, ROUTER_FIELDS(ticket_page_fields),
	  "tickets.ticket" },
	{ METHOD_POST, "/assistenza/{id}/messaggi", ticket_message_submit, ROLE_MEMBER, ROUTE_FORM,
	  ROUTER_FIELDS(ticket_message_fields), "tickets.message" },
	{ METHOD_POST, "/assistenza/{id}/assegna", ticket_assign_submit, TICKET_AGENT_ROLES, ROUTE_FORM,
	  ROUTER_FIELDS(ticket_assign_fields), "tickets.assign" },
	{ METHOD_POST, "/assistenza/{id}/passa", ticket_escalate_submit, TICKET_AGENT_ROLES, ROUTE_FORM,
	  ROUTER_FIELDS(ticket_escalate_fields), "tickets.escalate" },
	{ METHOD_POST, "/assistenza/{id}/valuta", ticket_rate_submit, ROLE_MEMBER, ROUTE_FORM,
	  ROUTER_FIELDS(ticket_rate_fields), "tickets.rate" },
	{ METHOD_GET, "/assistenza/{id}/allegati/{att}", ticket_attachment_download, ROLE_MEMBER, 0,
	  ROUTER_FIELDS(ticket_attachment_fields), "tickets.attachment" },

	{ METHOD_GET, "/api/v1/tickets", ticket_api_list, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(ticket_api_list_fields), "api.tickets.list" },
	{ METHOD_POST, "/api/v1/tickets", ticket_api_create, ROLE_MEMBER, ROUTE_API | ROUTE_FORM,
	  ROUTER_FIELDS(ticket_api_create_fields), "api.tickets.create" },
	{ METHOD_POST, "/api/v1/tickets/{id}/attachments", ticket_api_attach, ROLE_MEMBER,
	  ROUTE_API | ROUTE_FORM | ROUTE_UPLOAD, ROUTER_FIELDS(ticket_api_attach_fields),
	  "api.tickets.attach" },
	{ METHOD_GET, "/api/v1/tickets/{id}", ticket_api_get, ROLE_MEMBER, ROUTE_API,
	  ROUTER_FIELDS(ticket_api_get_fields), "api.tickets.get" },
	{ METHOD_PATCH, "/api/v1/tickets/{id}", ticket_api_patch, ROLE_MEMBER, ROUTE_API | ROUTE_FORM,
	  ROUTER_FIELDS(ticket_api_patch_fields), "api.tickets.patch" },
	{ METHOD_POST, "/api/v1/tickets/{id}/messages", ticket_api_message, ROLE_MEMBER,
	  ROUTE_API | ROUTE_FORM, ROUTER_FIELDS(ticket_api_message_fields), "api.tickets.message" },
	{ METHOD_POST, "/api/v1/tickets/{id}/escalate", ticket_api_escalate, ROLE_MEMBER,
	  ROUTE_API | ROUTE_FORM, ROUTER_FIELDS(ticket_api_escalate_fields), "api.tickets.escalate" },
};

void
ticket_register(struct router *r, const struct config *cfg)
{
	ticket_cfg = cfg;
	router_add(r, ticket_routes, ARRAY_SIZE(ticket_routes));
	mail_sender_add_job(ticket_job);
}
