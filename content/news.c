/*
 * news.c - news posts: pages, Atom feed, staff forms, JSON API (see news.h).
 *
 * The body is Markdown rendered once at save time (md.h) and stored as
 * HTML.  Publishing records the post in the core's publications table in
 * the same transaction (the newsletter announces it once, when due);
 * making it a draft again or deleting it retracts a record not yet
 * announced.  A post not yet visible answers 404 to everyone but staff.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "event.h"
#include "html.h"
#include "json.h"
#include "log.h"
#include "md.h"
#include "news.h"
#include "news_db.h"
#include "publication.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"
#include "valid.h"

#define NEWS_STAFF (ROLE_FORMATORE | ROLE_COORDINAMENTO | ROLE_ADMIN)
#define NEWS_PAGE 10
#define NEWS_FEED_ENTRIES 20
#define NEWS_FEED_MAX ((size_t)8 << 20)

static const struct config *news_cfg;

static bool
news_staff(const struct request *req)
{
	return req->user != NULL && (req->user->roles & NEWS_STAFF);
}

static const struct response_notice news_notices[] = {
	{ "pubblicata", "Notizia pubblicata." },
	{ "programmata", "Notizia programmata: sarà visibile dalla data di pubblicazione." },
	{ "bozza", "Bozza salvata: la notizia non è visibile al pubblico." },
	{ "eliminata", "Notizia eliminata." },
};

/* "Pubblicata", "Programmata" or "Bozza", for staff. */
static const char *
news_state(const struct news *p)
{
	return p->draft ? "Bozza" : p->due ? "Pubblicata" : "Programmata";
}

static void
news_fill(struct request *req, struct tmpl_ctx *t, const struct news *p)
{
	tmpl_set_int(t, "id", p->id);
	tmpl_set(t, "title", p->title);
	tmpl_set(t, "summary", p->summary[0] ? p->summary : NULL);
	tmpl_set(t, "published", event_when_long(req->arena, p->published_local));
	tmpl_set(t, "published_day", event_day_long(req->arena, p->published_local));
	tmpl_set(t, "published_iso", p->published_iso);
	tmpl_set(t, "state", news_state(p));
	tmpl_set_bool(t, "draft", p->draft);
	tmpl_set_bool(t, "scheduled", !p->draft && !p->due);
	if (p->cover_id != 0) {
		tmpl_set_int(t, "cover_id", p->cover_id);
		tmpl_set(t, "cover_title", p->cover_title);
	}
}

/* ---- public pages ------------------------------------------------------------- */

static const struct field news_list_fields[] = {
	{ "pagina", FIELD_QUERY, VALID_INT, 1, 100000, NULL, 0, "Pagina" },
};

/* GET /notizie: published posts, newest first, NEWS_PAGE a page. */
static int
news_list_page(struct request *req)
{
	int page = (int)request_int(req, "pagina", 1), n;
	struct tmpl_ctx *ctx;
	struct news *ps;
	int64_t total;

	if (news_db_list(req->db, req->arena, false, NEWS_PAGE, (page - 1) * NEWS_PAGE, &ps, &n,
			 &total) == -1)
		return 500;
	if (page > 1 && n == 0)
		return response_error(req, 404, "Pagina non trovata.");
	ctx = response_ctx(req, page > 1 ? arena_printf(req->arena, "Notizie, pagina %d", page) : "Notizie");
	tmpl_set_bool(ctx, "staff", news_staff(req));
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++)
		news_fill(req, tmpl_list_add(ctx, "news"), &ps[i]);
	if (total > (int64_t)page * NEWS_PAGE)
		tmpl_set_int(ctx, "next_page", page + 1);
	if (page > 1)
		tmpl_set_int(ctx, "prev_page", page - 1);
	tmpl_set_int(ctx, "page", page);
	return response_page(req, 200, "content/news", ctx);
}

static const struct field news_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Notizia" },
	RESPONSE_NOTICE_FIELD,
};

/* GET /notizie/{id}: 404 until published, except for staff. */
static int
news_page(struct request *req)
{
	struct tmpl_ctx *ctx;
	struct news p;
	bool found;

	if (news_db_get(req->db, req->arena, request_int(req, "id", 0), news_staff(req), &p, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Notizia non trovata.");
	ctx = response_ctx(req, p.title);
	response_notice(req, ctx, news_notices, ARRAY_SIZE(news_notices));
	news_fill(req, ctx, &p);
	tmpl_set(ctx, "post_title", p.title);
	tmpl_set_html(ctx, "body_html", p.body_html[0] ? p.body_html : NULL);
	tmpl_set_bool(ctx, "staff", news_staff(req));
	tmpl_set_bool(ctx, "hidden", p.draft || !p.due);
	return response_page(req, 200, "content/news_post", ctx);
}

/* The time now as RFC 3339 UTC (an empty feed's <updated>). */
static const char *
news_now_iso(struct arena *a)
{
	time_t now = time(NULL);
	struct tm tm;
	char s[32];

	gmtime_r(&now, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return arena_strdup(a, s);
}

/* Appends <name>text</name>, text escaped for XML. */
static void
news_xml(struct buf *b, const char *name, const char *attrs, const char *text)
{
	buf_printf(b, "<%s%s>", name, attrs);
	html_escape(b, text, strlen(text));
	buf_printf(b, "</%s>\n", name);
}

/* GET /notizie/feed.atom: the latest published posts (Atom 1.0, RFC 4287). */
static int
news_feed(struct request *req)
{
	const char *base = news_cfg->base_url, *updated;
	struct buf *b = &req->body;
	struct news *ps;
	int64_t total;
	int n;

	if (news_db_list(req->db, req->arena, false, NEWS_FEED_ENTRIES, 0, &ps, &n, &total) == -1)
		return 500;
	/* The feed changed when its newest entry did; ISO strings of one shape compare as text. */
	updated = n > 0 ? ps[0].published_iso : news_now_iso(req->arena);
	for (int i = 0; i < n; i++) {
		if (strcmp(ps[i].published_iso, updated) > 0)
			updated = ps[i].published_iso;
		if (strcmp(ps[i].updated_iso, updated) > 0)
			updated = ps[i].updated_iso;
	}
	buf_reset(b);
	b->max = NEWS_FEED_MAX;
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		 "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"it\">\n");
	news_xml(b, "id", "", arena_printf(req->arena, "%s/notizie", base));
	news_xml(b, "title", "", arena_printf(req->arena, "Notizie – %s", news_cfg->portal_name));
	news_xml(b, "updated", "", updated);
	buf_adds(b, "<author>");
	news_xml(b, "name", "", news_cfg->portal_name);
	buf_adds(b, "</author>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	html_escape(b, base, strlen(base));
	buf_adds(b, "/notizie/feed.atom\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	html_escape(b, base, strlen(base));
	buf_adds(b, "/notizie\"/>\n");
	for (int i = 0; i < n; i++) {
		const struct news *p = &ps[i];
		const char *url = arena_printf(req->arena, "%s/notizie/%lld", base, (long long)p->id);
		/* An entry is never updated before it was published. */
		const char *up = strcmp(p->updated_iso, p->published_iso) > 0 ? p->updated_iso : p->published_iso;

		buf_adds(b, "<entry>\n");
		news_xml(b, "id", "", url);
		news_xml(b, "title", "", p->title);
		news_xml(b, "published", "", p->published_iso);
		news_xml(b, "updated", "", up);
		buf_adds(b, "<link rel=\"alternate\" type=\"text/html\" href=\"");
		html_escape(b, url, strlen(url));
		buf_adds(b, "\"/>\n");
		if (p->summary[0])
			news_xml(b, "summary", "", p->summary);
		news_xml(b, "content", " type=\"html\"", p->body_html);
		buf_adds(b, "</entry>\n");
	}
	buf_adds(b, "</feed>\n");
	if (b->err) {
		buf_reset(b);
		return 500;
	}
	req->content_type = "application/atom+xml; charset=utf-8";
	return req->status = 200;
}

/* ---- what an editor writes ------------------------------------------------------ */

#define NEWS_EDIT_FIELDS \
	{ "title", FIELD_BODY, VALID_TEXT, 1, 200, NULL, 0, "Titolo" }, \
	{ "body", FIELD_BODY, VALID_TEXT, 0, 50000, NULL, FIELD_MULTILINE, "Testo" }, \
	{ "cover_document_id", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Immagine di copertina" }, \
	{ "published_at", FIELD_BODY, VALID_TEXT, 0, 40, NULL, 0, "Data di pubblicazione" }, \
	{ "draft", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Bozza" }

/* Reads and checks the post's fields: 0, 1 after marking wrong fields, -1. */
static int
news_edit_read(struct request *req, struct news_edit *e)
{
	const char *when = request_str(req, "published_at");
	char *at = arena_alloc(req->arena, EVENT_TIME_LEN);
	int bad = req->nerrors > 0, rc = -1;
	struct buf html;

	memset(e, 0, sizeof(*e));
	buf_init(&html, 1 << 20);
	e->title = request_str(req, "title");
	e->body = request_str(req, "body") ? request_str(req, "body") : "";
	e->cover_id = request_int(req, "cover_document_id", 0);
	e->draft = request_int(req, "draft", 0) != 0;
	if (e->title == NULL && response_field_message(req, "title") == NULL) {
		response_field_error(req, "title", "Il campo «Titolo» è obbligatorio.");
		bad = 1;
	}
	if (when != NULL) {
		if (event_time_parse(when, at) == -1) {
			response_field_error(req, "published_at",
					     "Indica la data di pubblicazione come data e ora valide (gg/mm/aaaa, hh:mm).");
			bad = 1;
		} else {
			e->published_at = at;
		}
	}
	if (e->cover_id != 0) {
		int ok = news_db_cover_ok(req->db, e->cover_id);
		if (ok == -1)
			goto out;
		if (ok == 0) {
			response_field_error(req, "cover_document_id",
					     "La copertina deve essere un'immagine pubblica dell'area documenti.");
			bad = 1;
		}
	}
	if (md_render(e->body, strlen(e->body), &html) == -1 || html.err) {
		response_field_error(req, "body", "Il testo non si può impaginare.");
		bad = 1;
	} else {
		e->body_html = arena_strdup(req->arena, html.data);
	}
	rc = bad;
out:
	buf_release(&html);
	return rc;
}

/*
 * Records (published or scheduled) or retracts (a draft) the post's
 * publication, on the request's open transaction.
 */
static int
news_publish(struct request *req, int64_t id)
{
	struct publication p = { 0 };
	struct news n;
	bool found;

	if (news_db_get(req->db, req->arena, id, true, &n, &found) == -1 || !found)
		return -1;
	if (n.draft)
		return publication_retract(req->db, "news", id);
	p.topic = PUBLICATION_NEWS;
	p.source = "news";
	p.source_id = id;
	p.title = n.title;
	p.summary = n.summary;
	p.path = arena_printf(req->arena, "/notizie/%lld", (long long)id);
	p.published_at = n.published_iso;
	return publication_record(req->db, &p);
}

/* Creates (id 0) or updates a post: 0 with *out_id, 1 fields wrong, 2 no such post, -1. */
static int
news_save(struct request *req, int64_t id, int64_t *out_id)
{
	struct news_edit e;
	int rc;

	if ((rc = news_edit_read(req, &e)) != 0)
		return rc;
	if (db_begin(req->db) == -1 ||
	    (rc = news_db_save(req->db, id, &e, req->user->id, out_id)) == -1)
		goto fail;
	if (rc == 1) {
		db_rollback(req->db);
		return 2;
	}
	if (news_publish(req, *out_id) == -1 || db_commit(req->db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(req->db);
	return -1;
}

/* Where the editor lands after saving: the post, with what became of it. */
static int
news_saved(struct request *req, int64_t id)
{
	struct news p;
	bool found;

	if (news_db_get(req->db, req->arena, id, true, &p, &found) == -1 || !found)
		return 500;
	return response_redirect(req, arena_printf(req->arena, "/notizie/%lld?esito=%s", (long long)id,
						   p.draft ? "bozza" : p.due ? "pubblicata" : "programmata"));
}

/* ---- staff pages ---------------------------------------------------------------- */

static const struct field news_esito_fields[] = {
	RESPONSE_NOTICE_FIELD,
};

/* GET /gestione/notizie: every post, drafts and scheduled ones included. */
static int
news_manage_page(struct request *req)
{
	struct tmpl_ctx *ctx;
	struct news *ps;
	int64_t total;
	int n;

	if (news_db_list(req->db, req->arena, true, 500, 0, &ps, &n, &total) == -1)
		return 500;
	ctx = response_ctx(req, "Gestione notizie");
	response_notice(req, ctx, news_notices, ARRAY_SIZE(news_notices));
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++)
		news_fill(req, tmpl_list_add(ctx, "news"), &ps[i]);
	return response_page(req, 200, "content/news_manage", ctx);
}

/* The new and edit forms share one template; p is NULL for a new post. */
static int
news_form_render(struct request *req, int status, const struct news *p)
{
	struct tmpl_ctx *ctx = response_ctx(req, p ? "Modifica la notizia" : "Nuova notizia");
	struct tmpl_ctx *form = response_form(req, ctx);
	int64_t cover = request_int(req, "cover_document_id", 0);
	struct news_cover *covers;
	int n;

	if (p != NULL && req->method == METHOD_GET) {
		tmpl_set(form, "title", p->title);
		tmpl_set(form, "body", p->body);
		tmpl_set(form, "published_at", arena_printf(req->arena, "%.10sT%s", p->published_local,
							    p->published_local + 11));
		tmpl_set_bool(form, "draft", p->draft);
		cover = p->cover_id;
	} else if (req->method == METHOD_POST) {
		tmpl_set_bool(form, "draft", request_int(req, "draft", 0) != 0);
	}
	if (news_db_covers(req->db, req->arena, &covers, &n) == -1)
		return 500;
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "covers");
		tmpl_set_int(t, "id", covers[i].id);
		tmpl_set(t, "title", covers[i].title);
		tmpl_set_bool(t, "selected", covers[i].id == cover);
	}
	tmpl_set_bool(ctx, "editing", p != NULL);
	tmpl_set_int(ctx, "id", p ? p->id : 0);
	if (p != NULL)
		tmpl_set(ctx, "post_title", p->title);
	return response_page(req, status, "content/news_form", ctx);
}

/* GET /gestione/notizie/nuova */
static int
news_new_page(struct request *req)
{
	return news_form_render(req, 200, NULL);
}

static const struct field news_create_fields[] = {
	NEWS_EDIT_FIELDS,
};

/* POST /gestione/notizie */
static int
news_create_submit(struct request *req)
{
	int64_t id;

	switch (news_save(req, 0, &id)) {
	case 0:
		return news_saved(req, id);
	case 1:
		return news_form_render(req, 400, NULL);
	default:
		return 500;
	}
}

static const struct field news_edit_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Notizia" },
};

/* GET /gestione/notizie/{id} */
static int
news_edit_page(struct request *req)
{
	struct news p;
	bool found;

	if (news_db_get(req->db, req->arena, request_int(req, "id", 0), true, &p, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Notizia non trovata.");
	return news_form_render(req, 200, &p);
}

static const struct field news_edit_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Notizia" },
	NEWS_EDIT_FIELDS,
};

/* POST /gestione/notizie/{id} */
static int
news_edit_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0), got;
	struct news p;
	bool found;

	if (news_db_get(req->db, req->arena, id, true, &p, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Notizia non trovata.");
	switch (news_save(req, id, &got)) {
	case 0:
		return news_saved(req, id);
	case 1:
		return news_form_render(req, 400, &p);
	case 2:
		return response_error(req, 404, "Notizia non trovata.");
	default:
		return 500;
	}
}

/* POST /gestione/notizie/{id}/elimina */
static int
news_delete_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	int rc;

	if (db_begin(req->db) == -1 || publication_retract(req->db, "news", id) == -1 ||
	    (rc = news_db_delete(req->db, id)) == -1)
		return 500;
	if (rc == 1)
		return response_error(req, 404, "Notizia non trovata.");
	if (db_commit(req->db) == -1)
		return 500;
	return response_redirect(req, "/gestione/notizie?esito=eliminata");
}

/* ---- JSON API ---------------------------------------------------------------------- */

static void
news_json(struct request *req, struct json_writer *w, const struct news *p)
{
	json_obj_open(w, NULL);
	json_int(w, "id", p->id);
	json_str(w, "title", p->title);
	json_str(w, "summary", p->summary);
	json_str(w, "body_html", p->body_html);
	if (p->cover_id != 0) {
		json_int(w, "cover_document_id", p->cover_id);
		json_str(w, "cover_url", arena_printf(req->arena, "/documents/%lld/download", (long long)p->cover_id));
	} else {
		json_null(w, "cover_document_id");
		json_null(w, "cover_url");
	}
	json_str(w, "published_at", p->published_iso);
	json_str(w, "updated_at", p->updated_iso);
	json_bool(w, "draft", p->draft);
	json_bool(w, "visible", !p->draft && p->due);
	json_str(w, "url", arena_printf(req->arena, "%s/notizie/%lld", news_cfg->base_url, (long long)p->id));
	json_obj_close(w);
}

static const struct field news_api_list_fields[] = {
	{ "limit", FIELD_QUERY, VALID_INT, 1, 100, NULL, 0, "limit" },
	{ "offset", FIELD_QUERY, VALID_INT, 0, 1000000, NULL, 0, "offset" },
};

/* GET /api/v1/news: 200 {total, news} (published posts only). */
static int
news_api_list(struct request *req)
{
	struct json_writer w;
	struct news *ps;
	int64_t total;
	int n;

	if (news_db_list(req->db, req->arena, false, (int)request_int(req, "limit", NEWS_PAGE),
			 (int)request_int(req, "offset", 0), &ps, &n, &total) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "total", total);
	json_arr_open(&w, "news");
	for (int i = 0; i < n; i++)
		news_json(req, &w, &ps[i]);
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* POST /api/v1/news: 201 the post; 400 (the first wrong member); 401; 403. */
static int
news_api_create(struct request *req)
{
	struct json_writer w;
	struct news p;
	int64_t id;
	bool found;

	switch (news_save(req, 0, &id)) {
	case 0:
		break;
	case 1:
		for (size_t i = 0; i < req->route->nfields; i++)
			if (req->field_errors != NULL && req->field_errors[i] != NULL)
				return response_json_error(req, 400, "invalid", req->field_errors[i]);
		return response_json_error(req, 400, "invalid", "Richiesta non valida.");
	default:
		return 500;
	}
	if (news_db_get(req->db, req->arena, id, true, &p, &found) == -1 || !found)
		return 500;
	json_writer_init(&w, &req->body);
	news_json(req, &w, &p);
	response_header(req, "Location", arena_printf(req->arena, "/notizie/%lld", (long long)id));
	return response_json(req, 201);
}

/* ---- demo ------------------------------------------------------------------------------ */

static const struct {
	const char *title, *ago, *body;
} news_demo[] = {
	{ "Al via la formazione a distanza per gli enti che riusano SIGeSS", "21 days",
	  "Da oggi i moduli FAD sono aperti agli operatori dei **Municipi di Roma Capitale**, della "
	  "Regione Lazio, dell'ambito sociale di Sant'Antonio Abate e della Regione Umbria.\n\n"
	  "Ogni modulo segue un contesto di lavoro: segretariato sociale e PUA, cartella sociale e "
	  "PAI, erogazione e rendicontazione, interoperabilità e debito informativo. Alla fine di "
	  "ogni modulo c'è un test di comprensione." },
	{ "Referenti pilota: pubblicate le schede di segnalazione", "9 days",
	  "Nell'area documenti trovate le schede con cui i referenti pilota raccontano come i "
	  "colleghi usano il sistema: il grado di comprensione, le difficoltà incontrate, le "
	  "lacune della formazione.\n\nLe schede compilate arrivano al gruppo di coordinamento, che "
	  "ne tiene conto per le prossime azioni formative." },
	{ "Help desk: come aprire una segnalazione", "2 days",
	  "Per un dubbio sull'uso del sistema rivolgetevi prima al vostro tutor (livello 0). Se il "
	  "problema resta, aprite una segnalazione dal portale: il front office (livello 1) la "
	  "prende in carico e vi tiene informati, gli specialisti (livello 2) risolvono i casi più "
	  "complessi.\n\nIl volantino dell'help desk è nel kit di comunicazione." },
};

static const struct db_stmt news_demo_time_stmt = {
	"news_demo_time", "SELECT (now() - $1::interval)::text", 1
};

int
news_seed_demo(struct db *db)
{
	struct arena *a = arena_new();
	struct buf html;
	int rc = -1;

	buf_init(&html, 1 << 20);
	for (size_t i = 0; i < ARRAY_SIZE(news_demo); i++) {
		const char *params[1] = { news_demo[i].ago };
		struct news_edit e = { 0 };
		struct publication p = { 0 };
		struct db_res *r;
		int64_t have = news_db_count_titled(db, news_demo[i].title), id;

		if (have == -1)
			goto out;
		if (have > 0)
			continue;
		if ((r = db_query(db, a, &news_demo_time_stmt, params)) == NULL || r->nrows != 1)
			goto out;
		buf_reset(&html);
		if (md_render(news_demo[i].body, strlen(news_demo[i].body), &html) == -1)
			goto out;
		e.title = news_demo[i].title;
		e.body = news_demo[i].body;
		e.body_html = html.data;
		e.published_at = db_get(r, 0, 0);
		if (db_begin(db) == -1 || news_db_save(db, 0, &e, 0, &id) != 0)
			goto fail;
		p.topic = PUBLICATION_NEWS;
		p.source = "news";
		p.source_id = id;
		p.title = e.title;
		p.path = arena_printf(a, "/notizie/%lld", (long long)id);
		p.published_at = e.published_at;
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

/* ---- routes -------------------------------------------------------------------------- */

static const struct route news_routes[] = {
	{ METHOD_GET, "/notizie", news_list_page, ROLE_PUBLIC, 0, ROUTER_FIELDS(news_list_fields),
	  "news.list" },
	{ METHOD_GET, "/notizie/feed.atom", news_feed, ROLE_PUBLIC, 0, NULL, 0, "news.feed" },
	{ METHOD_GET, "/notizie/{id}", news_page, ROLE_PUBLIC, 0, ROUTER_FIELDS(news_id_fields),
	  "news.post" },

	{ METHOD_GET, "/gestione/notizie", news_manage_page, NEWS_STAFF, 0,
	  ROUTER_FIELDS(news_esito_fields), "news.manage" },
	{ METHOD_GET, "/gestione/notizie/nuova", news_new_page, NEWS_STAFF, 0, NULL, 0, "news.new" },
	{ METHOD_POST, "/gestione/notizie", news_create_submit, NEWS_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(news_create_fields), "news.create" },
	{ METHOD_GET, "/gestione/notizie/{id}", news_edit_page, NEWS_STAFF, 0,
	  ROUTER_FIELDS(news_edit_id_fields), "news.edit" },
	{ METHOD_POST, "/gestione/notizie/{id}", news_edit_submit, NEWS_STAFF, ROUTE_FORM,
	  ROUTER_FIELDS(news_edit_fields), "news.edit" },
	{ METHOD_POST, "/gestione/notizie/{id}/elimina", news_delete_submit, NEWS_STAFF, 0,
	  ROUTER_FIELDS(news_edit_id_fields), "news.delete" },

	{ METHOD_GET, "/api/v1/news", news_api_list, ROLE_PUBLIC, ROUTE_API,
	  ROUTER_FIELDS(news_api_list_fields), "api.news.list" },
	{ METHOD_POST, "/api/v1/news", news_api_create, NEWS_STAFF, ROUTE_API | ROUTE_FORM,
	  ROUTER_FIELDS(news_create_fields), "api.news.create" },
};

void
news_register(struct router *r, const struct config *cfg)
{
	news_cfg = cfg;
	router_add(r, news_routes, ARRAY_SIZE(news_routes));
}
