/*
 * faq.c - the help desk's FAQ: pages, votes, editors' forms, the
 * ticket-to-entry conversion and the JSON API (see faq.h).
 *
 * Answers are Markdown rendered once at save (md.h) and stored as HTML.
 * A draft answers 404 to everyone but editors, on pages and in the API.
 */
#include "compat.h"

#include <string.h>

#include "account_db.h"
#include "config.h"
#include "db.h"
#include "course_modules.h"
#include "faq.h"
#include "faq_db.h"
#include "html.h"
#include "json.h"
#include "log.h"
#include "md.h"
#include "ratelimit.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "session.h"
#include "ticket_db.h"
#include "tmpl.h"
#include "token.h"
#include "valid.h"

#define FAQ_EDITORS (ROLE_HELPDESK1 | ROLE_HELPDESK2 | ROLE_COORDINAMENTO | ROLE_ADMIN)
/* Who may open the help-desk statistics (helpdesk_stats.c), for a link. */
#define FAQ_STATS_READERS (ROLE_TUTOR | ROLE_COORDINAMENTO | ROLE_ADMIN)
#define FAQ_PAGE 50
#define FAQ_SEARCH_PAGE 20
#define FAQ_VOTE_WINDOW 3600

static const struct config *faq_cfg;

const char *const faq_categories[] = {
	"access", "module", "platform", "documents", "other", NULL,
};

static const char *const faq_category_labels[] = {
	"Accesso al portale", "Modulo di un corso", "Funzioni della piattaforma SIGeSS", "Documenti",
	"Altro",
};

const char *
faq_category_label(const char *category)
{
	for (size_t i = 0; faq_categories[i] != NULL; i++)
		if (strcmp(faq_categories[i], category) == 0)
			return faq_category_labels[i];
	return category;
}

static bool
faq_editor(const struct request *req)
{
	return req->user != NULL && (req->user->roles & FAQ_EDITORS);
}

static const struct response_notice faq_notices[] = {
	{ "grazie", "Grazie: il tuo parere è stato registrato." },
	{ "aggiornato", "Grazie: il tuo parere è stato aggiornato." },
	{ "gia", "Avevi già dato questo parere." },
	{ "salvata", "Voce salvata." },
	{ "eliminata", "Voce eliminata." },
};

static void
faq_fill(struct tmpl_ctx *t, const struct faq *f)
{
	tmpl_set_int(t, "id", f->id);
	tmpl_set(t, "question", f->question);
	tmpl_set(t, "category", f->category);
	tmpl_set(t, "category_label", faq_category_label(f->category));
	tmpl_set(t, "module", f->module_title[0] ? f->module_title : NULL);
	tmpl_set_bool(t, "draft", !f->published);
	tmpl_set_int(t, "useful_yes", f->useful_yes);
	tmpl_set_int(t, "useful_no", f->useful_no);
	tmpl_set(t, "updated", f->updated_local);
	tmpl_set(t, "updated_iso", f->updated_iso);
}

/* Escapes a snippet and turns its \x01..\x02 hit marks into <mark>; "" if it does not fit. */
static const char *
faq_snippet_html(struct arena *a, const char *s)
{
	struct buf b;
	const char *out;

	buf_init(&b, 64 * 1024);
	for (const char *p = s; *p != '\0';) {
		size_t n = strcspn(p, "\x01\x02");

		html_escape(&b, p, n);
		p += n;
		if (*p == '\x01')
			buf_adds(&b, "<mark>");
		else if (*p == '\x02')
			buf_adds(&b, "</mark>");
		if (*p != '\0')
			p++;
	}
	out = b.err ? "" : arena_strdup(a, b.data);
	buf_release(&b);
	return out;
}

/* ---- public pages --------------------------------------------------------------- */

/* The search's parameters as a query string for the paging links ("q=...&"), in the arena. */
static const char *
faq_page_query(struct request *req, const char *q, const char *category, int64_t module)
{
	struct buf b;
	const char *s;

	buf_init(&b, 4096);
	if (q != NULL) {
		buf_adds(&b, "q=");
		html_url_encode(&b, q, false);
		buf_addch(&b, '&');
	}
	if (category != NULL)
		buf_printf(&b, "categoria=%s&", category);
	if (module != 0)
		buf_printf(&b, "modulo=%lld&", (long long)module);
	s = b.err ? "" : arena_strdup(req->arena, b.data);
	buf_release(&b);
	return s;
}

static const struct field faq_list_fields[] = {
	{ "q", FIELD_QUERY, VALID_TEXT, 0, 200, NULL, 0, "Cerca" },
	{ "categoria", FIELD_QUERY, VALID_ENUM, 0, 0, faq_categories, 0, "Categoria" },
	{ "modulo", FIELD_QUERY, VALID_INT, 0, INT64_MAX, NULL, 0, "Modulo" },
	{ "pagina", FIELD_QUERY, VALID_INT, 1, 100000, NULL, 0, "Pagina" },
	RESPONSE_NOTICE_FIELD,
};

/* The filter form's category and module choices. */
static int
faq_ctx_filters(struct request *req, struct tmpl_ctx *ctx, const char *category, int64_t module)
{

	for (size_t i = 0; faq_categories[i] != NULL; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "categories");

		tmpl_set(t, "key", faq_categories[i]);
		tmpl_set(t, "label", faq_category_labels[i]);
		tmpl_set_bool(t, "selected", category != NULL && strcmp(category, faq_categories[i]) == 0);
	}
	return course_modules_fill(req->db, req->arena, ctx, module, false);
}

/*
 * GET /faq: every entry by category, or the entries matching q (all its
 * words, stemmed, accents aside); with none, those matching any word.
 * 200; 400 (a filter out of range, shown on the page); 404 past the last page.
 */
static int
faq_list_page(struct request *req)
{
	const char *q = request_str(req, "q");
	const struct field_value *cat = request_field(req, "categoria");
	const char *category = cat->present ? cat->str : NULL;
	int64_t module = request_int(req, "modulo", 0);
	int page = (int)request_int(req, "pagina", 1), n = 0, size;
	struct faq_query fq = { 0 };
	struct tmpl_ctx *ctx, *group = NULL;
	const char *last = NULL;
	bool loose = false;
	struct faq *fs;
	int64_t total = 0;

	ctx = response_ctx(req, q ? "Cerca nelle domande frequenti" : "Domande frequenti");
	response_notice(req, ctx, faq_notices, ARRAY_SIZE(faq_notices));
	if (req->nerrors > 0) {
		response_form(req, ctx);
		tmpl_set(ctx, "message", "Controlla i filtri della ricerca.");
		if (faq_ctx_filters(req, ctx, NULL, 0) == -1)
			return 500;
		return response_page(req, 400, "content/faq_list", ctx);
	}
	size = q ? FAQ_SEARCH_PAGE : FAQ_PAGE;
	fq.q = q;
	fq.category = category;
	fq.module_id = module;
	fq.editor = faq_editor(req);
	fq.limit = size;
	fq.offset = (page - 1) * size;
	if (faq_db_search(req->db, req->arena, &fq, &fs, &n, &total) == -1)
		return 500;
	/* No entry has every word: offer those sharing some (first page only). */
	if (q != NULL && n == 0 && page == 1 && category == NULL && module == 0) {
		if (faq_db_suggest(req->db, req->arena, q, FAQ_SEARCH_PAGE, &fs, &n) == -1)
			return 500;
		loose = n > 0;
		total = n;
	}
	if (page > 1 && n == 0)
		return response_error(req, 404, "Pagina non trovata.");
	tmpl_set(ctx, "q", q);
	tmpl_set_bool(ctx, "searching", q != NULL);
	tmpl_set_bool(ctx, "loose", loose);
	tmpl_set_bool(ctx, "empty", n == 0);
	tmpl_set_int(ctx, "total", total);
	tmpl_set_bool(ctx, "editor", faq_editor(req));
	tmpl_set_bool(ctx, "stats", req->user != NULL && (req->user->roles & FAQ_STATS_READERS));
	if (faq_ctx_filters(req, ctx, category, module) == -1)
		return 500;
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t;

		if (q != NULL) {
			t = tmpl_list_add(ctx, "results");
			if (fs[i].snippet != NULL && fs[i].snippet[0] != '\0')
				tmpl_set_html(t, "snippet", faq_snippet_html(req->arena, fs[i].snippet));
		} else {
			/* Rows come by category: a new group at each change. */
			if (last == NULL || strcmp(last, fs[i].category) != 0) {
				group = tmpl_list_add(ctx, "groups");
				tmpl_set(group, "label", faq_category_label(fs[i].category));
				tmpl_set(group, "anchor", fs[i].category);
				last = fs[i].category;
			}
			t = tmpl_list_add(group, "entries");
		}
		faq_fill(t, &fs[i]);
	}
	if (total > (int64_t)page * size && !loose)
		tmpl_set_int(ctx, "next_page", page + 1);
	if (page > 1)
		tmpl_set_int(ctx, "prev_page", page - 1);
	tmpl_set(ctx, "page_query", faq_page_query(req, q, category, module));
	return response_page(req, 200, "content/faq_list", ctx);
}

/* The caller's identity for votes, in the arena: "u:<id>", "v:<hash>", or NULL (no cookie). */
static const char *
faq_voter(struct request *req)
{
	const char *c;
	char h[TOKEN_HASH_PARAM_LEN];

	if (req->user != NULL)
		return arena_printf(req->arena, "u:%lld", (long long)req->user->id);
	c = request_cookie(req, SESSION_CSRF_COOKIE);
	if (c == NULL || !token_well_formed(c))
		return NULL;
	/* "\x" and 64 hex digits: the column keeps the digits. */
	token_hash_param(c, h);
	return arena_printf(req->arena, "v:%s", h + 2);
}

static const struct field faq_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Voce" },
	RESPONSE_NOTICE_FIELD,
};

/* GET /faq/{id}: 200; 404 (none, or a draft for a non-editor). */
static int
faq_page(struct request *req)
{
	struct tmpl_ctx *ctx;
	const char *voter;
	struct faq f;
	bool found;
	int voted = -1;

	if (faq_db_get(req->db, req->arena, request_int(req, "id", 0), faq_editor(req), &f,
		       &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Voce non trovata.");
	if ((voter = faq_voter(req)) != NULL && (voted = faq_db_voted(req->db, f.id, voter)) == -2)
		return 500;
	ctx = response_ctx(req, f.question);
	response_notice(req, ctx, faq_notices, ARRAY_SIZE(faq_notices));
	faq_fill(ctx, &f);
	tmpl_set_html(ctx, "answer_html", f.answer_html);
	tmpl_set_bool(ctx, "voted_yes", voted == 1);
	tmpl_set_bool(ctx, "voted_no", voted == 0);
	tmpl_set_bool(ctx, "votable", f.published);
	tmpl_set_bool(ctx, "editor", faq_editor(req));
	if (faq_editor(req) && f.source_ticket_id != 0)
		tmpl_set_int(ctx, "source_ticket_id", f.source_ticket_id);
	return response_page(req, 200, "content/faq_entry", ctx);
}

/*
 * Records the caller's vote on entry id: 0 (*changed set), 1 no such
 * published entry, 2 too many visitors' votes from this address
 * (*retry seconds), 3 no identity (a visitor without the cookie), -1.
 */
static int
faq_vote(struct request *req, int64_t id, bool useful, bool *changed, int64_t *retry)
{
	const char *voter = faq_voter(req);
	int64_t count;
	int rc;

	if (voter == NULL)
		return 3;
	if (req->user == NULL) {
		if (ratelimit_count(req->db, "faq_vote_addr", req->client_addr, FAQ_VOTE_WINDOW, &count,
				    retry) == -1)
			return -1;
		if (count >= FAQ_VOTES_PER_ADDRESS)
			return 2;
	}
	if ((rc = faq_db_vote(req->db, id, voter, useful, changed)) != 0)
		return rc;
	if (req->user == NULL && *changed &&
	    ratelimit_add(req->db, "faq_vote_addr", req->client_addr) == -1)
		return -1;
	return 0;
}

static const char *const faq_yes_no[] = { "si", "no", NULL };

static const struct field faq_vote_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Voce" },
	{ "utile", FIELD_BODY, VALID_ENUM, 0, 0, faq_yes_no, FIELD_REQUIRED, "Utile" },
};

/* POST /faq/{id}/utile: 303 back to the entry; 400; 404; 429. */
static int
faq_vote_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), retry = 0;
	bool changed;
	int rc;

	if (response_field_message(req, "id") != NULL)
		return response_error(req, 404, "Voce non trovata.");
	if (req->nerrors > 0)
		return response_error(req, 400, "Scegli «Sì» oppure «No».");
	rc = faq_vote(req, id, request_field(req, "utile")->num == 0, &changed, &retry);
	switch (rc) {
	case 0:
		break;
	case 1:
		return response_error(req, 404, "Voce non trovata.");
	case 2:
		response_header(req, "Retry-After", arena_printf(req->arena, "%lld", (long long)retry));
		return response_error(req, 429, "Troppi pareri da questo indirizzo: riprova più tardi.");
	case 3:
		return response_error(req, 400, "Per dare un parere il browser deve accettare i cookie tecnici del portale.");
	default:
		return 500;
	}
	return response_redirect(req, arena_printf(req->arena, "/faq/%lld?esito=%s#utile", (long long)id,
						   changed ? "grazie" : "gia"));
}

/* ---- editors' forms ----------------------------------------------------------------- */

#define FAQ_EDIT_FIELDS \
	{ "question", FIELD_BODY, VALID_TEXT, 1, 300, NULL, FIELD_REQUIRED, "Domanda" }, \
	{ "answer", FIELD_BODY, VALID_TEXT, 1, 20000, NULL, FIELD_REQUIRED | FIELD_MULTILINE, \
	  "Risposta" }, \
	{ "category", FIELD_BODY, VALID_ENUM, 0, 0, faq_categories, FIELD_REQUIRED, "Categoria" }, \
	{ "module_id", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Modulo" }, \
	{ "published", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Pubblicata" }, \
	{ "source_ticket_id", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Segnalazione di origine" }

/* What the form shows when it is not a re-rendered post. */
struct faq_prefill {
	const char *question, *answer, *category;
	int64_t module_id, source_ticket_id;
	bool published;
};

/* The new and edit forms share one template; f is NULL for a new entry. */
static int
faq_form_render(struct request *req, int status, const struct faq *f, const struct faq_prefill *p)
{
	struct tmpl_ctx *ctx = response_ctx(req, f ? "Modifica la voce" : "Nuova voce delle FAQ");
	struct tmpl_ctx *form = response_form(req, ctx);
	const char *category = request_str(req, "category");
	int64_t module = request_int(req, "module_id", 0);
	int64_t ticket = request_int(req, "source_ticket_id", 0);

	if (p != NULL) {
		tmpl_set(form, "question", p->question);
		tmpl_set(form, "answer", p->answer);
		tmpl_set_bool(form, "published", p->published);
		category = p->category;
		module = p->module_id;
		ticket = p->source_ticket_id;
	} else if (req->method == METHOD_POST) {
		tmpl_set_bool(form, "published", request_int(req, "published", 0) != 0);
	}
	for (size_t i = 0; faq_categories[i] != NULL; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "categories");

		tmpl_set(t, "key", faq_categories[i]);
		tmpl_set(t, "label", faq_category_labels[i]);
		tmpl_set_bool(t, "selected", category != NULL && strcmp(category, faq_categories[i]) == 0);
	}
	if (course_modules_fill(req->db, req->arena, ctx, module, false) == -1)
		return 500;
	tmpl_set_bool(ctx, "editing", f != NULL);
	tmpl_set_int(ctx, "id", f ? f->id : 0);
	if (ticket > 0)
		tmpl_set_int(ctx, "source_ticket_id", ticket);
	if (f != NULL)
		tmpl_set(ctx, "entry_question", f->question);
	return response_page(req, status, "content/faq_form", ctx);
}

/* GET /gestione/faq/nuova: an empty form, published by default. */
static int
faq_new_page(struct request *req)
{
	struct faq_prefill p = { .published = true };

	return faq_form_render(req, 200, NULL, &p);
}

/* Creates (id 0) or updates an entry: 0 with *out_id, 1 fields wrong, 2 no such entry, -1. */
static int
faq_save(struct request *req, int64_t id, int64_t *out_id)
{
	struct faq_edit e = { 0 };
	int bad = req->nerrors > 0, rc = -1;
	struct buf html;

	buf_init(&html, 1 << 20);
	e.category = request_str(req, "category");
	e.module_id = request_int(req, "module_id", 0);
	e.question = request_str(req, "question");
	e.answer_md = request_str(req, "answer");
	e.published = request_int(req, "published", 0) != 0;
	e.source_ticket_id = request_int(req, "source_ticket_id", 0);
	if (e.module_id != 0 && e.category != NULL && strcmp(e.category, "module") != 0) {
		response_field_error(req, "module_id",
				     "Scegli un modulo solo con la categoria «Modulo di un corso».");
		bad = 1;
	}
	if (e.answer_md != NULL) {
		if (md_render(e.answer_md, strlen(e.answer_md), &html) == -1 || html.err) {
			response_field_error(req, "answer", "La risposta non si può impaginare.");
			bad = 1;
		} else {
			e.answer_html = arena_strdup(req->arena, html.data);
		}
	}
	if (bad) {
		rc = 1;
		goto out;
	}
	if (db_begin(req->db) == -1)
		goto out;
	switch (faq_db_save(req->db, id, &e, req->user->id, out_id)) {
	case 0:
		if (db_commit(req->db) == -1)
			goto fail;
		rc = 0;
		goto out;
	case 1:
		rc = 2;
		goto fail;
	case 2:
		response_field_error(req, "question", "Esiste già una voce con questa domanda.");
		rc = 1;
		goto fail;
	case 3:
		response_field_error(req, "module_id", "Il modulo scelto non esiste più.");
		rc = 1;
		goto fail;
	default:
		goto fail;
	}
fail:
	db_rollback(req->db);
out:
	buf_release(&html);
	return rc;
}

static const struct field faq_create_fields[] = {
	FAQ_EDIT_FIELDS,
};

/* POST /gestione/faq: 303 to the entry; 400 the form with messages. */
static int
faq_create_submit(struct request *req)
{
	int64_t id;

	switch (faq_save(req, 0, &id)) {
	case 0:
		return response_redirect(req, arena_printf(req->arena, "/faq/%lld?esito=salvata", (long long)id));
	case 1:
		return faq_form_render(req, 400, NULL, NULL);
	default:
		return 500;
	}
}

static const struct field faq_edit_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Voce" },
};

/* GET /gestione/faq/{id}: 200; 404. */
static int
faq_edit_page(struct request *req)
{
	struct faq_prefill p;
	struct faq f;
	bool found;

	if (faq_db_get(req->db, req->arena, request_int(req, "id", 0), true, &f, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Voce non trovata.");
	p = (struct faq_prefill){ f.question, f.answer_md, f.category, f.module_id, 0, f.published };
	return faq_form_render(req, 200, &f, &p);
}

static const struct field faq_edit_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Voce" },
	FAQ_EDIT_FIELDS,
};

/* POST /gestione/faq/{id}: 303 to the entry; 400 the form; 404. */
static int
faq_edit_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), got;
	struct faq f;
	bool found;

	if (faq_db_get(req->db, req->arena, id, true, &f, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Voce non trovata.");
	switch (faq_save(req, id, &got)) {
	case 0:
		return response_redirect(req, arena_printf(req->arena, "/faq/%lld?esito=salvata", (long long)id));
	case 1:
		return faq_form_render(req, 400, &f, NULL);
	case 2:
		return response_error(req, 404, "Voce non trovata.");
	default:
		return 500;
	}
}

/* POST /gestione/faq/{id}/elimina: 303 to /faq; 404. */
static int
faq_delete_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct faq f;
	bool found;
	int rc;

	if (faq_db_get(req->db, req->arena, id, true, &f, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Voce non trovata.");
	if (db_begin(req->db) == -1)
		return 500;
	if ((rc = faq_db_delete(req->db, id)) != 0 ||
	    account_db_audit(req->db, req->user->id, "faq_delete", id, f.question, req->client_addr) == -1) {
		db_rollback(req->db);
		return rc == 1 ? response_error(req, 404, "Voce non trovata.") : 500;
	}
	if (db_commit(req->db) == -1)
		return 500;
	return response_redirect(req, "/faq?esito=eliminata");
}

static const struct field faq_ticket_fields[] = {
	{ "ticket", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Segnalazione" },
};

/*
 * POST /faq/da-segnalazione/{ticket}: the new-entry form, prefilled with
 * the ticket's subject, category and module and its last public reply
 * written by an agent (never an internal note or handover, which
 * ticket_db_messages leaves out of the reporter's view used here).  The
 * entry starts as a draft: the editor removes personal details first.
 * 200; 404 (no such ticket, or one the editor may not see); 409 (not
 * resolved, or no public reply).
 */
static int
faq_from_ticket(struct request *req)
{
	struct ticket_viewer v = { req->user->id, req->user->org_id, req->user->roles };
	int64_t id = request_int(req, "ticket", 0);
	const struct ticket_msg *reply = NULL;
	struct faq_prefill p = { 0 };
	struct ticket_msg *msgs;
	struct ticket t;
	bool found;
	int n;

	if (ticket_db_get(req->db, req->arena, id, &v, &t, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Segnalazione non trovata.");
	if (strcmp(t.status, "risolto") != 0 && strcmp(t.status, "chiuso") != 0)
		return response_error(req, 409, "Solo una segnalazione risolta può diventare una voce delle FAQ.");
	if (ticket_db_messages(req->db, req->arena, id, false, &msgs, &n) == -1)
		return 500;
	for (int i = 0; i < n; i++) {
		if (msgs[i].author_id == 0 || msgs[i].author_id == t.reporter_id || msgs[i].body_md[0] == '\0')
			continue;
		if (strcmp(msgs[i].kind, "public") == 0 || strcmp(msgs[i].kind, "status") == 0)
			reply = &msgs[i];
	}
	if (reply == NULL)
		return response_error(req, 409, "La segnalazione non ha una risposta pubblica da trasformare in una voce delle FAQ.");
	p.question = t.subject;
	p.answer = reply->body_md;
	p.category = t.category;
	p.module_id = t.module_id;
	p.source_ticket_id = id;
	p.published = false;
	return faq_form_render(req, 200, NULL, &p);
}

/* ---- JSON API ------------------------------------------------------------------------ */

static void
faq_json(struct request *req, struct json_writer *w, const struct faq *f, bool editor)
{
	json_obj_open(w, NULL);
	json_int(w, "id", f->id);
	json_str(w, "question", f->question);
	json_str(w, "answer_html", f->answer_html);
	if (editor)
		json_str(w, "answer_md", f->answer_md);
	json_str(w, "category", f->category);
	json_str(w, "category_label", faq_category_label(f->category));
	if (f->module_id != 0) {
		json_int(w, "module_id", f->module_id);
		json_str(w, "module_title", f->module_title);
	} else {
		json_null(w, "module_id");
		json_null(w, "module_title");
	}
	json_bool(w, "published", f->published);
	json_int(w, "useful_yes", f->useful_yes);
	json_int(w, "useful_no", f->useful_no);
	if (f->snippet != NULL)
		json_str(w, "snippet_html", faq_snippet_html(req->arena, f->snippet));
	json_str(w, "updated_at", f->updated_iso);
	json_str(w, "url", arena_printf(req->arena, "%s/faq/%lld", faq_cfg->base_url, (long long)f->id));
	json_obj_close(w);
}

static const struct field faq_api_list_fields[] = {
	{ "q", FIELD_QUERY, VALID_TEXT, 0, 200, NULL, 0, "q" },
	{ "category", FIELD_QUERY, VALID_ENUM, 0, 0, faq_categories, 0, "category" },
	{ "module", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "module" },
	{ "limit", FIELD_QUERY, VALID_INT, 1, 100, NULL, 0, "limit" },
	{ "offset", FIELD_QUERY, VALID_INT, 0, 1000000, NULL, 0, "offset" },
};

/* GET /api/v1/faq: 200 {total, entries}; 400 a parameter out of range. */
static int
faq_api_list(struct request *req)
{
	const struct field_value *cat = request_field(req, "category");
	struct faq_query fq = { 0 };
	struct json_writer w;
	struct faq *fs;
	int64_t total;
	int n;

	fq.q = request_str(req, "q");
	fq.category = cat->present ? cat->str : NULL;
	fq.module_id = request_int(req, "module", 0);
	fq.editor = faq_editor(req);
	fq.limit = (int)request_int(req, "limit", FAQ_SEARCH_PAGE);
	fq.offset = (int)request_int(req, "offset", 0);
	if (faq_db_search(req->db, req->arena, &fq, &fs, &n, &total) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "total", total);
	json_arr_open(&w, "entries");
	for (int i = 0; i < n; i++)
		faq_json(req, &w, &fs[i], fq.editor);
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const struct field faq_api_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
};

/* GET /api/v1/faq/{id}: 200; 400; 404. */
static int
faq_api_get(struct request *req)
{
	struct json_writer w;
	struct faq f;
	bool found;

	if (faq_db_get(req->db, req->arena, request_int(req, "id", 0), faq_editor(req), &f, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Voce non trovata.");
	json_writer_init(&w, &req->body);
	faq_json(req, &w, &f, faq_editor(req));
	return response_json(req, 200);
}

static const struct field faq_api_vote_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "id" },
	{ "useful", FIELD_BODY, VALID_BOOL, 0, 0, NULL, FIELD_REQUIRED, "useful" },
};

/* POST /api/v1/faq/{id}/vote {"useful": bool}: 200 {changed, useful_yes, useful_no}; 400; 404; 429. */
static int
faq_api_vote(struct request *req)
{
	int64_t id = request_int(req, "id", 0), retry = 0;
	struct json_writer w;
	bool changed, found;
	struct faq f;

	switch (faq_vote(req, id, request_int(req, "useful", 0) != 0, &changed, &retry)) {
	case 0:
		break;
	case 1:
		return response_json_error(req, 404, "not_found", "Voce non trovata.");
	case 2:
		response_header(req, "Retry-After", arena_printf(req->arena, "%lld", (long long)retry));
		return response_json_error(req, 429, "too_many", "Troppi pareri da questo indirizzo: riprova più tardi.");
	case 3:
		return response_json_error(req, 400, "no_voter", "Serve il cookie tecnico del portale (portal_csrf).");
	default:
		return 500;
	}
	if (faq_db_get(req->db, req->arena, id, false, &f, &found) == -1 || !found)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_bool(&w, "changed", changed);
	json_int(&w, "useful_yes", f.useful_yes);
	json_int(&w, "useful_no", f.useful_no);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* ---- demo ------------------------------------------------------------------------------ */

static const struct {
	const char *category, *question, *answer;
} faq_demo[] = {
	{ "access", "Ho dimenticato la password: come posso entrare?",
	  "Nella pagina **Accedi** scegli «Password dimenticata?» e scrivi l'indirizzo email con cui "
	  "ti sei registrato. Riceverai un link valido 24 ore per sceglierne una nuova.\n\n"
	  "Se l'email non arriva, controlla la cartella della posta indesiderata; se ancora non "
	  "arriva, apri una segnalazione: il tuo tutor o il front office verificheranno l'indirizzo." },
	{ "access", "Il mio account risulta bloccato dopo troppi tentativi",
	  "Dopo alcuni tentativi di accesso sbagliati il portale sospende l'accesso per 15 minuti, per "
	  "proteggere l'account. Attendi e riprova, oppure reimposta la password." },
	{ "module", "Come recupero un modulo che ho interrotto a metà?",
	  "Il portale ricorda le lezioni completate: apri il corso da **Corsi** e riprendi dalla prima "
	  "lezione non completata. L'avanzamento del modulo è visibile anche al tuo referente." },
	{ "module", "Quante volte posso ripetere il test finale di un modulo?",
	  "Il test finale si può ripetere: conta il risultato migliore. Prima di riprovare conviene "
	  "rivedere le lezioni indicate nel riepilogo delle risposte." },
	{ "platform", "Come si registra una nuova cartella sociale in SIGeSS?",
	  "Dal menu **Cartella sociale** scegli «Nuova cartella», cerca prima la persona nell'anagrafe "
	  "per evitare duplicati e compila i dati obbligatori. Il modulo «Cartella sociale e PAI» "
	  "del corso spiega ogni passaggio con un esempio." },
	{ "platform", "Perché non riesco a chiudere un PAI?",
	  "Un PAI si chiude solo quando tutte le attività previste hanno un esito. Controlla le "
	  "attività ancora aperte nella scheda del progetto: di solito manca la data di conclusione." },
	{ "documents", "Dove trovo il modello del foglio firme per gli incontri?",
	  "Nel **Kit di comunicazione** c'è il foglio firme da stampare, insieme al volantino "
	  "dell'help desk e al comunicato stampa standard." },
	{ "other", "Che differenza c'è tra tutor, front office e specialisti?",
	  "Il **tutor** del tuo ente è il primo filtro per le domande semplici (livello 0). Il "
	  "**front office** riceve tutte le richieste che il tutor non risolve, le segue e ti tiene "
	  "informato (livello 1). Gli **specialisti** risolvono i casi più complessi (livello 2)." },
};

int
faq_seed_demo(struct db *db)
{
	struct buf html;
	int rc = -1;

	buf_init(&html, 1 << 20);
	for (size_t i = 0; i < ARRAY_SIZE(faq_demo); i++) {
		struct faq_edit e = { 0 };
		int64_t have = faq_db_count_question(db, faq_demo[i].question), id;

		if (have == -1)
			goto out;
		if (have > 0)
			continue;
		buf_reset(&html);
		if (md_render(faq_demo[i].answer, strlen(faq_demo[i].answer), &html) == -1)
			goto out;
		e.category = faq_demo[i].category;
		e.question = faq_demo[i].question;
		e.answer_md = faq_demo[i].answer;
		e.answer_html = html.data;
		e.published = true;
		if (faq_db_save(db, 0, &e, 0, &id) != 0)
			goto out;
	}
	rc = 0;
out:
	buf_release(&html);
	return rc;
}

/* ---- routes -------------------------------------------------------------------------- */

static const struct route faq_routes[] = {
	{ METHOD_GET, "/faq", faq_list_page, ROLE_PUBLIC, ROUTE_FORM, ROUTER_FIELDS(faq_list_fields),
	  "faq.list" },
	{ METHOD_POST, "/faq/da-segnalazione/{ticket}", faq_from_ticket, FAQ_EDITORS, 0,
	  ROUTER_FIELDS(faq_ticket_fields), "faq.from_ticket" },
	{ METHOD_GET, "/faq/{id}", faq_page, ROLE_PUBLIC, 0, ROUTER_FIELDS(faq_id_fields), "faq.entry" },
	{ METHOD_POST, "/faq/{id}/utile", faq_vote_submit, ROLE_PUBLIC, ROUTE_FORM,
	  ROUTER_FIELDS(faq_vote_fields), "faq.vote" },

	{ METHOD_GET, "/gestione/faq/nuova", faq_new_page, FAQ_EDITORS, 0, NULL, 0, "faq.new" },
	{ METHOD_POST, "/gestione/faq", faq_create_submit, FAQ_EDITORS, ROUTE_FORM,
	  ROUTER_FIELDS(faq_create_fields), "faq.create" },
	{ METHOD_GET, "/gestione/faq/{id}", faq_edit_page, FAQ_EDITORS, 0,
	  ROUTER_FIELDS(faq_edit_id_fields), "faq.edit" },
	{ METHOD_POST, "/gestione/faq/{id}", faq_edit_submit, FAQ_EDITORS, ROUTE_FORM,
	  ROUTER_FIELDS(faq_edit_fields), "faq.edit" },
	{ METHOD_POST, "/gestione/faq/{id}/elimina", faq_delete_submit, FAQ_EDITORS, 0,
	  ROUTER_FIELDS(faq_edit_id_fields), "faq.delete" },

	{ METHOD_GET, "/api/v1/faq", faq_api_list, ROLE_PUBLIC, ROUTE_API,
	  ROUTER_FIELDS(faq_api_list_fields), "api.faq.list" },
	{ METHOD_GET, "/api/v1/faq/{id}", faq_api_get, ROLE_PUBLIC, ROUTE_API,
	  ROUTER_FIELDS(faq_api_id_fields), "api.faq.get" },
	{ METHOD_POST, "/api/v1/faq/{id}/vote", faq_api_vote, ROLE_PUBLIC, ROUTE_API,
	  ROUTER_FIELDS(faq_api_vote_fields), "api.faq.vote" },
};

void
faq_register(struct router *r, const struct config *cfg)
{
	faq_cfg = cfg;
	router_add(r, faq_routes, ARRAY_SIZE(faq_routes));
}
