/*
 * campaign.c - campaigns and the newsletter's administration (see campaign.h).
 */
#include "compat.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "campaign.h"
#include "campaign_db.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "md.h"
#include "newsletter.h"
#include "newsletter_db.h"
#include "request.h"
#include "response.h"
#include "tmpl.h"

/* Who writes and sends campaigns. */
#define CAMPAIGN_EDITORS (ROLE_COORDINAMENTO | ROLE_ADMIN)
#define CAMPAIGN_LIST_MAX 100
#define CAMPAIGN_LEDGER_CAP (256u << 20)

static const char *const campaign_status_labels[][2] = {
	{ "draft", "Bozza" }, { "scheduled", "Programmata" }, { "sending", "In invio" }, { "sent", "Inviata" },
};

static const char *
campaign_status_label(const char *status)
{
	for (size_t i = 0; i < ARRAY_SIZE(campaign_status_labels); i++)
		if (strcmp(campaign_status_labels[i][0], status) == 0)
			return campaign_status_labels[i][1];
	return status;
}

/*
 * The "topics" field as a text[] literal of known slugs, or NULL for
 * every subscriber (none chosen); *bad after a field error.
 */
static const char *
campaign_topics_param(struct request *req, bool *bad)
{
	struct newsletter_topic *all;
	struct buf b;
	const char *out;
	int nall, n = 0;

	*bad = false;
	if (newsletter_db_topics(req->db, req->arena, &all, &nall) == -1)
		return *bad = true, NULL;
	buf_init(&b, 64 * 1024);
	buf_printf(&b, "{");
	for (const struct field_value *v = request_field(req, "topics"); v && v->present; v = v->next) {
		int i;

		for (i = 0; i < nall && strcmp(all[i].slug, v->str) != 0; i++)
			;
		if (i == nall) {
			response_field_error(req, "topics", "Argomento sconosciuto.");
			*bad = true;
			break;
		}
		buf_printf(&b, "%s%s", n++ ? "," : "", v->str);
	}
	buf_printf(&b, "}");
	out = n == 0 || *bad ? NULL : arena_strdup(req->arena, b.data);
	buf_release(&b);
	return out;
}

/* The Markdown body rendered (stored with the campaign); NULL after a field error. */
static const char *
campaign_html(struct request *req)
{
	const char *md = request_str(req, "body");
	struct buf out;
	const char *html = NULL;

	buf_init(&out, 4u << 20);
	if (md_render(md, strlen(md), &out) == -1 || out.err)
		response_field_error(req, "body", "Il testo non si può impaginare: è troppo lungo?");
	else
		html = arena_strdup(req->arena, out.data ? out.data : "");
	buf_release(&out);
	return html;
}

/* Puts campaign c (and what it has done so far) into ctx. */
static int
campaign_fill(struct request *req, struct tmpl_ctx *ctx, const struct campaign *c)
{
	struct mail_counts counts;

	tmpl_set_int(ctx, "id", c->id);
	tmpl_set(ctx, "subject", c->subject);
	tmpl_set_html(ctx, "body_html", c->body_html);
	tmpl_set(ctx, "status", c->status);
	tmpl_set(ctx, "status_label", campaign_status_label(c->status));
	tmpl_set(ctx, "topics", c->topics[0] ? c->topics : NULL);
	tmpl_set(ctx, "scheduled_at", c->scheduled_at);
	tmpl_set(ctx, "queued_at", c->queued_at);
	tmpl_set(ctx, "created_at", c->created_at);
	tmpl_set(ctx, "author", c->author);
	tmpl_set_bool(ctx, "editable", strcmp(c->status, "draft") == 0 || strcmp(c->status, "scheduled") == 0);
	if (mail_counts(req->db, req->arena, "campaign", c->id, &counts) == -1)
		return -1;
	tmpl_set_int(ctx, "recipients", c->recipients);
	tmpl_set_int(ctx, "queued", counts.queued);
	tmpl_set_int(ctx, "sent", counts.sent);
	tmpl_set_int(ctx, "failed", counts.failed);
	tmpl_set_int(ctx, "bounced", counts.bounced);
	tmpl_set_int(ctx, "cancelled", counts.cancelled);
	tmpl_set_int(ctx, "unsubscribed", c->unsubscribed);
	tmpl_set_int(ctx, "done", c->recipients - counts.queued);
	tmpl_set_int(ctx, "percent", c->recipients > 0 ? (c->recipients - counts.queued) * 100 / c->recipients : 0);
	return 0;
}

/* ---- pages ---- */

static const struct field campaign_list_fields[] = {
	RESPONSE_NOTICE_FIELD,
};

/* GET /gestione/campagne. */
static int
campaign_list_page(struct request *req)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Campagne email");
	struct campaign *list;
	int n;

	if (campaign_db_list(req->db, req->arena, CAMPAIGN_LIST_MAX, &list, &n) == -1)
		return 500;
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "campaigns");

		tmpl_set_int(t, "id", list[i].id);
		tmpl_set(t, "subject", list[i].subject);
		tmpl_set(t, "status_label", campaign_status_label(list[i].status));
		tmpl_set(t, "created_at", list[i].created_at);
		tmpl_set(t, "queued_at", list[i].queued_at);
		tmpl_set(t, "scheduled_at", list[i].scheduled_at);
		tmpl_set_int(t, "recipients", list[i].recipients);
	}
	tmpl_set_bool(ctx, "empty", n == 0);
	return response_page(req, 200, "content/campaigns", ctx);
}

static const struct field campaign_edit_fields[] = {
	{ "subject", FIELD_BODY, VALID_TEXT, 3, 200, NULL, FIELD_REQUIRED, "Oggetto" },
	{ "body", FIELD_BODY, VALID_TEXT, 1, 100000, NULL, FIELD_REQUIRED | FIELD_MULTILINE, "Testo" },
	{ "topics", FIELD_BODY, VALID_TOKEN, 1, 40, NULL, FIELD_MULTI, "Argomenti" },
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, 0, "id" },
};

/* The edit form, new (c NULL) or of c; the fields sent win over c's values. */
static int
campaign_form(struct request *req, int status, const struct campaign *c)
{
	struct tmpl_ctx *ctx = response_ctx(req, c ? "Modifica la campagna" : "Nuova campagna");
	struct tmpl_ctx *form = response_form(req, ctx);
	struct newsletter_topic *all;
	const char *chosen = c ? c->topics : "";
	int nall;

	if (req->method != METHOD_POST && c != NULL) {
		tmpl_set(form, "subject", c->subject);
		tmpl_set(form, "body", c->body_md);
	}
	if (req->method == METHOD_POST) {
		struct buf b;

		buf_init(&b, 64 * 1024);
		for (const struct field_value *v = request_field(req, "topics"); v && v->present; v = v->next)
			buf_printf(&b, "%s%s,", b.len ? "" : ",", v->str);
		chosen = arena_strdup(req->arena, b.data ? b.data : "");
		buf_release(&b);
	} else if (chosen[0] != '\0') {
		chosen = arena_printf(req->arena, ",%s,", chosen);
	}
	if (newsletter_db_topics(req->db, req->arena, &all, &nall) == -1)
		return 500;
	for (int i = 0; i < nall; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "topic_choices");

		tmpl_set(t, "slug", all[i].slug);
		tmpl_set(t, "name", all[i].name);
		tmpl_set_int(t, "subscribers", all[i].subscribers);
		tmpl_set_bool(t, "checked", strstr(chosen, arena_printf(req->arena, ",%s,", all[i].slug)) != NULL);
	}
	tmpl_set(ctx, "action", c ? arena_printf(req->arena, "/gestione/campagne/%" PRId64, c->id)
				  : "/gestione/campagne/nuova");
	tmpl_set_bool(ctx, "editing", c != NULL);
	return response_page(req, status, "content/campaign_form", ctx);
}

/* GET /gestione/campagne/nuova. */
static int
campaign_new_page(struct request *req)
{
	return campaign_form(req, 200, NULL);
}

/* Validates and saves the form: 303 to the campaign; 400 the form; 409 already sent; 404; 500. */
static int
campaign_save(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	const char *topics = NULL, *html = NULL;
	struct campaign c;
	bool bad = false, found = false, changed = true;

	if (id > 0) {
		if (campaign_db_get(req->db, req->arena, id, &c, &found) == -1)
			return 500;
		if (!found)
			return response_error(req, 404, "Campagna non trovata.");
	}
	if (req->nerrors == 0)
		topics = campaign_topics_param(req, &bad);
	if (req->nerrors == 0)
		html = campaign_html(req);
	if (req->nerrors > 0)
		return campaign_form(req, 400, found ? &c : NULL);
	if (id > 0 ? campaign_db_update(req->db, id, request_str(req, "subject"), request_str(req, "body"),
					html, topics, &changed) == -1
		   : campaign_db_create(req->db, request_str(req, "subject"), request_str(req, "body"), html,
					topics, req->user->id, &id) == -1)
		return 500;
	if (!changed)
		return response_error(req, 409, "La campagna è già stata inviata: non si può più modificare.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/campagne/%" PRId64 "?esito=salvata", id));
}

static const struct field campaign_page_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	RESPONSE_NOTICE_FIELD,
};

static const struct response_notice campaign_notices[] = {
	{ "salvata", "Campagna salvata." },
	{ "prova", "Messaggio di prova inviato al tuo indirizzo." },
	{ "programmata", "Invio programmato." },
	{ "bozza", "Programmazione annullata: la campagna è di nuovo una bozza." },
	{ "inviata", "Campagna in invio: i messaggi sono in coda." },
};

/* GET /gestione/campagne/{id}: preview, progress and actions. */
static int
campaign_page(struct request *req)
{
	struct tmpl_ctx *ctx;
	struct campaign c;
	bool found;

	if (campaign_db_get(req->db, req->arena, request_int(req, "id", 0), &c, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Campagna non trovata.");
	ctx = response_ctx(req, c.subject);
	response_notice(req, ctx, campaign_notices, ARRAY_SIZE(campaign_notices));
	if (campaign_fill(req, ctx, &c) == -1)
		return 500;
	tmpl_set(ctx, "scheduled_input", c.scheduled_input);
	tmpl_set(ctx, "email", req->user->email);
	return response_page(req, 200, "content/campaign", ctx);
}

/* GET /gestione/campagne/{id}/modifica. */
static int
campaign_edit_page(struct request *req)
{
	struct campaign c;
	bool found;

	if (campaign_db_get(req->db, req->arena, request_int(req, "id", 0), &c, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Campagna non trovata.");
	return campaign_form(req, 200, &c);
}

/* POST /gestione/campagne/{id}/prova: the message to the editor's own address. */
static int
campaign_test_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	int rc;

	if (db_begin(req->db) == -1 ||
	    (rc = newsletter_send_test(req->db, req->arena, id, req->user->email, req->user->name)) == -1 ||
	    (rc == 0 && db_commit(req->db) == -1)) {
		db_rollback(req->db);
		return 500;
	}
	db_rollback(req->db);
	if (rc == 1)
		return response_error(req, 404, "Campagna non trovata.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/campagne/%" PRId64 "?esito=prova", id));
}

/*
 * Queues campaign id now: 0 queued (*recipients), 1 no such campaign,
 * 2 already queued, -1 error.
 */
static int
campaign_send(struct request *req, int64_t id, int64_t *recipients)
{
	struct campaign c;
	bool found, queued;

	if (campaign_db_get(req->db, req->arena, id, &c, &found) == -1)
		return -1;
	if (!found)
		return 1;
	if (db_begin(req->db) == -1 || newsletter_db_campaign_queue(req->db, id, recipients, &queued) == -1 ||
	    db_commit(req->db) == -1) {
		db_rollback(req->db);
		return -1;
	}
	if (!queued)
		return 2;
	log_info("campaign %" PRId64 " queued for %" PRId64 " recipients by user %" PRId64, id, *recipients,
		 req->user->id);
	return 0;
}

/* POST /gestione/campagne/{id}/invia. */
static int
campaign_send_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), recipients;
	int rc = campaign_send(req, id, &recipients);

	if (rc == -1)
		return 500;
	if (rc == 1)
		return response_error(req, 404, "Campagna non trovata.");
	if (rc == 2)
		return response_error(req, 409, "La campagna è già stata inviata.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/campagne/%" PRId64 "?esito=inviata", id));
}

static const struct field campaign_schedule_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	{ "at", FIELD_BODY, VALID_TEXT, 0, 16, NULL, 0, "Data e ora dell'invio" },
};

/* True for "yyyy-mm-ddTHH:MM" (the datetime-local input's value). */
static bool
campaign_datetime_ok(const char *s)
{
	int y, mo, d, h, mi, n = 0;

	return sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) == 5 && n == 16 &&
	       s[n] == '\0' && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && y >= 2000;
}

/* POST /gestione/campagne/{id}/programma: at set schedules, empty makes a draft again. */
static int
campaign_schedule_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	const char *at = request_str(req, "at");
	bool changed;

	if (at != NULL && at[0] == '\0')
		at = NULL;
	if (req->nerrors > 0 || (at != NULL && !campaign_datetime_ok(at)))
		return response_error(req, 400, "Data e ora non valide: usa il formato gg/mm/aaaa hh:mm.");
	if (campaign_db_schedule(req->db, id, at, &changed) == -1)
		return 500;
	if (!changed)
		return response_error(req, 409, "Non si può programmare: la campagna è già stata inviata "
					   "o la data è passata.");
	return response_redirect(req, arena_printf(req->arena, "/gestione/campagne/%" PRId64 "?esito=%s", id,
						   at ? "programmata" : "bozza"));
}

/* GET /gestione/newsletter: subscribers, topics, the ledger. */
static const struct field campaign_admin_fields[] = {
	RESPONSE_NOTICE_FIELD,
};

static const struct response_notice campaign_admin_notices[] = {
	{ "argomento", "Argomento aggiunto." },
};

static const struct field campaign_topic_fields[] = {
	{ "slug", FIELD_BODY, VALID_TOKEN, 1, 40, NULL, FIELD_REQUIRED, "Codice" },
	{ "name", FIELD_BODY, VALID_TEXT, 1, 80, NULL, FIELD_REQUIRED, "Nome" },
};

static int
campaign_admin_form(struct request *req, int status)
{
	struct tmpl_ctx *ctx = response_ctx(req, "Aggiornamenti via email");
	struct campaign_stats st;
	struct newsletter_topic *topics;
	int n;

	response_form(req, ctx);
	response_notice(req, ctx, campaign_admin_notices, ARRAY_SIZE(campaign_admin_notices));
	if (campaign_db_stats(req->db, req->arena, &st) == -1 ||
	    newsletter_db_topics(req->db, req->arena, &topics, &n) == -1)
		return 500;
	tmpl_set_int(ctx, "active", st.active);
	tmpl_set_int(ctx, "pending", st.pending);
	tmpl_set_int(ctx, "unsubscribed", st.unsubscribed);
	tmpl_set_int(ctx, "weekly", st.weekly);
	tmpl_set_int(ctx, "bounced", st.bounced);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "topics");

		tmpl_set(t, "slug", topics[i].slug);
		tmpl_set(t, "name", topics[i].name);
		tmpl_set_int(t, "subscribers", topics[i].subscribers);
		tmpl_set_bool(t, "builtin", topics[i].builtin);
	}
	return response_page(req, status, "content/newsletter_admin", ctx);
}

static int
campaign_admin_page(struct request *req)
{
	return campaign_admin_form(req, 200);
}

/* POST /gestione/newsletter/argomenti: a new topic. */
static int
campaign_topic_submit(struct request *req)
{
	const char *slug = request_str(req, "slug");
	bool taken;

	if (req->nerrors == 0 && (slug[0] == '-' || strlen(slug) > 40 || strpbrk(slug, "_ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
		response_field_error(req, "slug", "Usa solo lettere minuscole, cifre e trattini.");
	if (req->nerrors > 0)
		return campaign_admin_form(req, 400);
	if (newsletter_db_topic_add(req->db, slug, request_str(req, "name"), &taken) == -1)
		return 500;
	if (taken) {
		response_field_error(req, "slug", "Esiste già un argomento con questo codice.");
		return campaign_admin_form(req, 409);
	}
	return response_redirect(req, "/gestione/newsletter?esito=argomento");
}

/* GET /gestione/newsletter/consensi.csv: the consent ledger (GDPR art. 7(1)). */
static int
campaign_ledger(struct request *req)
{
	struct buf csv;
	int status;

	buf_init(&csv, CAMPAIGN_LEDGER_CAP);
	if (campaign_db_ledger_csv(req->db, req->arena, &csv) == -1 || csv.err) {
		buf_release(&csv);
		return 500;
	}
	response_header(req, "Content-Disposition", "attachment; filename=\"registro-consensi.csv\"");
	status = response_text(req, 200, "text/csv; charset=utf-8", csv.data);
	buf_release(&csv);
	return status;
}

/* ---- API ---- */

static void
campaign_json(struct request *req, struct json_writer *w, const char *key, const struct campaign *c,
	      const struct mail_counts *counts)
{
	json_obj_open(w, key);
	json_int(w, "id", c->id);
	json_str(w, "subject", c->subject);
	json_str(w, "body", c->body_md);
	json_str(w, "body_html", c->body_html);
	json_arr_open(w, "topics");
	for (const char *p = c->topics; *p != '\0'; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		size_t len = strcspn(p, ",");

		json_strn(w, NULL, p, len);
	}
	json_arr_close(w);
	json_str(w, "status", c->status);
	if (c->scheduled_iso)
		json_str(w, "scheduled_at", c->scheduled_iso);
	else
		json_null(w, "scheduled_at");
	json_int(w, "recipients", c->recipients);
	if (counts != NULL) {
		json_obj_open(w, "counts");
		json_int(w, "queued", counts->queued);
		json_int(w, "sent", counts->sent);
		json_int(w, "failed", counts->failed);
		json_int(w, "bounced", counts->bounced);
		json_int(w, "cancelled", counts->cancelled);
		json_int(w, "unsubscribed", c->unsubscribed);
		json_obj_close(w);
	}
	json_obj_close(w);
	(void)req;
}

/* GET /api/v1/campaigns. */
static int
campaign_api_list(struct request *req)
{
	struct json_writer w;
	struct campaign *list;
	int n;

	if (campaign_db_list(req->db, req->arena, CAMPAIGN_LIST_MAX, &list, &n) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "campaigns");
	for (int i = 0; i < n; i++)
		campaign_json(req, &w, NULL, &list[i], NULL);
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* The campaign id as JSON with its counts, with status. */
static int
campaign_api_reply(struct request *req, int status, int64_t id)
{
	struct json_writer w;
	struct mail_counts counts;
	struct campaign c;
	bool found;

	if (campaign_db_get(req->db, req->arena, id, &c, &found) == -1 ||
	    (found && mail_counts(req->db, req->arena, "campaign", id, &counts) == -1))
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Campagna non trovata.");
	json_writer_init(&w, &req->body);
	campaign_json(req, &w, NULL, &c, &counts);
	return response_json(req, status);
}

/* GET /api/v1/campaigns/{id}: 200 with counts; 404. */
static int
campaign_api_get(struct request *req)
{
	return campaign_api_reply(req, 200, request_int(req, "id", 0));
}

/* The first field error as a JSON 400. */
static int
campaign_api_invalid(struct request *req)
{
	for (size_t i = 0; i < req->route->nfields; i++)
		if (req->field_errors[i] != NULL)
			return response_json_error(req, 400, "invalid", arena_printf(req->arena, "%s: %s",
						   req->route->fields[i].label, req->field_errors[i]));
	return response_json_error(req, 400, "invalid", "Richiesta non valida.");
}

/* POST /api/v1/campaigns {subject, body, topics}: 201 a draft; 400. */
static int
campaign_api_create(struct request *req)
{
	const char *topics = NULL, *html = NULL;
	bool bad = false;
	int64_t id;

	if (req->nerrors == 0)
		topics = campaign_topics_param(req, &bad);
	if (req->nerrors == 0)
		html = campaign_html(req);
	if (req->nerrors > 0)
		return campaign_api_invalid(req);
	if (campaign_db_create(req->db, request_str(req, "subject"), request_str(req, "body"), html, topics,
			       req->user->id, &id) == -1)
		return 500;
	return campaign_api_reply(req, 201, id);
}

/* POST /api/v1/campaigns/{id}/send: 202 queued, with its recipients; 404; 409 already sent. */
static int
campaign_api_send(struct request *req)
{
	int64_t id = request_int(req, "id", 0), recipients;
	int rc = campaign_send(req, id, &recipients);

	if (rc == -1)
		return 500;
	if (rc == 1)
		return response_json_error(req, 404, "not_found", "Campagna non trovata.");
	if (rc == 2)
		return response_json_error(req, 409, "already_sent", "La campagna è già stata inviata.");
	return campaign_api_reply(req, 202, id);
}

static void
campaign_job(struct db *db)
{
	int64_t n = campaign_db_finish(db);

	if (n > 0)
		log_info("campaigns: %" PRId64 " sent", n);
}

static const struct field campaign_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
};

static const struct route campaign_routes[] = {
	{ METHOD_GET, "/gestione/newsletter", campaign_admin_page, CAMPAIGN_EDITORS, ROUTE_FORM,
	  ROUTER_FIELDS(campaign_admin_fields), "campaign.admin" },
	{ METHOD_POST, "/gestione/newsletter/argomenti", campaign_topic_submit, CAMPAIGN_EDITORS, ROUTE_FORM,
	  ROUTER_FIELDS(campaign_topic_fields), "campaign.topic" },
	{ METHOD_GET, "/gestione/newsletter/consensi.csv", campaign_ledger, CAMPAIGN_EDITORS, 0, NULL, 0,
	  "campaign.ledger" },
	{ METHOD_GET, "/gestione/campagne", campaign_list_page, CAMPAIGN_EDITORS, 0,
	  ROUTER_FIELDS(campaign_list_fields), "campaign.list" },
	{ METHOD_GET, "/gestione/campagne/nuova", campaign_new_page, CAMPAIGN_EDITORS, ROUTE_FORM, NULL, 0,
	  "campaign.new" },
	{ METHOD_POST, "/gestione/campagne/nuova", campaign_save, CAMPAIGN_EDITORS, ROUTE_FORM,
	  ROUTER_FIELDS(campaign_edit_fields), "campaign.new" },
	{ METHOD_GET, "/gestione/campagne/{id}", campaign_page, CAMPAIGN_EDITORS, 0,
	  ROUTER_FIELDS(campaign_page_fields), "campaign.page" },
	{ METHOD_POST, "/gestione/campagne/{id}", campaign_save, CAMPAIGN_EDITORS, ROUTE_FORM,
	  ROUTER_FIELDS(campaign_edit_fields), "campaign.edit" },
	{ METHOD_GET, "/gestione/campagne/{id}/modifica", campaign_edit_page, CAMPAIGN_EDITORS, ROUTE_FORM,
	  ROUTER_FIELDS(campaign_id_fields), "campaign.edit" },
	{ METHOD_POST, "/gestione/campagne/{id}/prova", campaign_test_submit, CAMPAIGN_EDITORS, 0,
	  ROUTER_FIELDS(campaign_id_fields), "campaign.test" },
	{ METHOD_POST, "/gestione/campagne/{id}/invia", campaign_send_submit, CAMPAIGN_EDITORS, 0,
	  ROUTER_FIELDS(campaign_id_fields), "campaign.send" },
	{ METHOD_POST, "/gestione/campagne/{id}/programma", campaign_schedule_submit, CAMPAIGN_EDITORS, 0,
	  ROUTER_FIELDS(campaign_schedule_fields), "campaign.schedule" },
	{ METHOD_GET, "/api/v1/campaigns", campaign_api_list, CAMPAIGN_EDITORS, ROUTE_API, NULL, 0,
	  "api.campaign.list" },
	{ METHOD_POST, "/api/v1/campaigns", campaign_api_create, CAMPAIGN_EDITORS, ROUTE_API,
	  ROUTER_FIELDS(campaign_edit_fields), "api.campaign.create" },
	{ METHOD_GET, "/api/v1/campaigns/{id}", campaign_api_get, CAMPAIGN_EDITORS, ROUTE_API,
	  ROUTER_FIELDS(campaign_id_fields), "api.campaign.get" },
	{ METHOD_POST, "/api/v1/campaigns/{id}/send", campaign_api_send, CAMPAIGN_EDITORS, ROUTE_API,
	  ROUTER_FIELDS(campaign_id_fields), "api.campaign.send" },
};

/* The demo's draft: what a coordinator might send before the first training cycle. */
static const char campaign_demo_body[] =
	"Il primo ciclo di formazione a distanza su SIGeSS parte **lunedì prossimo**.\n\n"
	"- i corsi sono nel catalogo, con i test di fine modulo;\n"
	"- i referenti pilota riceveranno le schede di segnalazione a metà ciclo;\n"
	"- per ogni dubbio c'è l'help desk del portale.\n\n"
	"Buona formazione!";

static const struct db_stmt campaign_seed_stmt = {
	"campaign_seed", "SELECT count(*) FROM campaigns", 0
};

int
campaign_seed_demo(struct db *db)
{
	struct buf html;
	int64_t have = db_query_int(db, &campaign_seed_stmt, NULL), id;
	int rc = -1;

	if (have != 0)
		return have < 0 ? -1 : 0;
	buf_init(&html, 64 * 1024);
	if (md_render(campaign_demo_body, strlen(campaign_demo_body), &html) == 0 && !html.err &&
	    campaign_db_create(db, "Al via il primo ciclo di formazione", campaign_demo_body, html.data,
			       NULL, 0, &id) == 0)
		rc = 0;
	buf_release(&html);
	return rc;
}

void
campaign_register(struct router *r)
{
	router_add(r, campaign_routes, ARRAY_SIZE(campaign_routes));
	mail_sender_add_job(campaign_job);
}
