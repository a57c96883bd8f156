/*
 * document.c - the reserved document area: browsing and search, upload
 * and versions, downloads, the bin; pages and JSON API (see document.h).
 *
 * Who sees what is decided in SQL (DOC_VISIBLE in document_db.c)
 * for every read; a document the viewer may not see answers 404, never
 * 403, so its existence does not leak.  Uploads arrive with their file
 * already stored in the request's open transaction (portal/blob.h): the
 * handler adds the document rows and commits, or everything is rolled back.
 */
#include "compat.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account_db.h"
#include "blob.h"
#include "db.h"
#include "course_modules.h"
#include "document.h"
#include "document_db.h"
#include "document_text.h"
#include "html.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "org_db.h"
#include "md.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"
#include "valid.h"

#define DOC_EDITORS (ROLE_FORMATORE | ROLE_COORDINAMENTO | ROLE_ADMIN)
#define DOC_PAGE 20
#define DOC_TAGS_MAX 20
#define DOC_TAG_LEN 40

static const char *const document_visibilities[] = { "public", "members", "restricted", NULL };
static const char *const document_visibility_labels[] = {
	"Pubblico: chiunque, anche senza accesso",
	"Tutti gli utenti registrati",
	"Solo ruoli o enti scelti",
};

static int64_t
document_uid(const struct request *req)
{
	return req->user != NULL ? req->user->id : 0;
}

static bool
document_editor(const struct request *req)
{
	return req->user != NULL && (req->user->roles & DOC_EDITORS);
}

static bool
document_admin(const struct request *req)
{
	return req->user != NULL && (req->user->roles & ROLE_ADMIN);
}

/* Messages shown after a redirect, chosen by a fixed code in the URL. */
static const struct response_notice document_notices[] = {
	{ "caricato", "Documento caricato." },
	{ "versione", "Nuova versione caricata: ora è quella corrente." },
	{ "corrente", "Versione resa corrente." },
	{ "salvato", "Modifiche salvate." },
	{ "cestino", "Documento spostato nel cestino." },
	{ "ripristinato", "Documento ripristinato." },
	{ "svuotato", "Cestino svuotato." },
	{ "cartella", "Cartella creata." },
};

/* "1,2 MB", "340 KB", "12 byte". */
static const char *
document_size(struct arena *a, int64_t n)
{
	if (n >= 1024 * 1024)
		return arena_printf(a, "%.1f MB", (double)n / (1024.0 * 1024.0));
	if (n >= 1024)
		return arena_printf(a, "%lld KB", (long long)((n + 1023) / 1024));
	return arena_printf(a, "%lld byte", (long long)n);
}

/* A short label of a stored type, for lists ("PDF", "Immagine"). */
static const char *
document_kind_label(const char *type)
{
	for (size_t i = 0; i < document_nkinds; i++) {
		const char *t = strstr(document_kinds[i].types, type);
		size_t n = strlen(type);
		if (t != NULL && (t[n] == ',' || t[n] == '}') && (t[-1] == ',' || t[-1] == '{'))
			return document_kinds[i].one;
	}
	return "File";
}

/* ---- what a trainer writes -------------------------------------------- */

/* Appends s as an element of a PostgreSQL array literal. */
static void
document_array_add(struct buf *b, const char *s)
{
	if (b->len > 1)
		buf_addch(b, ',');
	buf_addch(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addch(b, '\\');
		buf_addch(b, *s);
	}
	buf_addch(b, '"');
}

/* Collects list values into an array literal (see document_edit_read). */
struct document_list {
	struct buf lit;
	int n;
};

static void
document_list_init(struct document_list *l)
{
	buf_init(&l->lit, 64 * 1024);
	buf_addch(&l->lit, '{');
	l->n = 0;
}

static const char *
document_list_done(struct document_list *l, struct arena *a)
{
	const char *out;

	buf_addch(&l->lit, '}');
	out = l->lit.err ? NULL : arena_strdup(a, l->lit.data);
	buf_release(&l->lit);
	return out;
}

/* Splits "a, b,c" into tags: each trimmed, 1..40 characters, at most 20, no repeats. */
static const char *
document_tags_add(struct document_list *l, struct arena *a, const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		while (n > 0 && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n > 0) {
			char *tag = arena_strndup(a, p, n);
			if (valid_utf8_length(tag, n) > DOC_TAG_LEN)
				return "Ogni parola chiave può avere al massimo 40 caratteri.";
			if (++l->n > DOC_TAGS_MAX)
				return "Al massimo 20 parole chiave.";
			document_array_add(&l->lit, tag);
		}
		p = end != NULL ? end + 1 : p + strlen(p);
	}
	return NULL;
}

/*
 * Whether the request carries list field name: a JSON body only when it
 * has the member (PATCH leaves out what stays); a form always (a box left
 * unticked sends nothing and means none).
 */
static bool
document_list_sent(const struct request *req, const char *name)
{
	return req->json == NULL || json_get(req->json, name) != NULL;
}

/* Whether a JSON body has member name (null counts as left out). */
static bool
document_sent(const struct request *req, const char *name)
{
	const struct json_value *v = req->json != NULL ? json_get(req->json, name) : NULL;

	return v != NULL && v->type != JSON_NULL;
}

/* Appends the comma-separated items of s ("a,b") to l. */
static void
document_list_split(struct document_list *l, struct arena *a, const char *s, bool numbers)
{
	for (char *rest = arena_strdup(a, s), *item; (item = strsep(&rest, ",")) != NULL;) {
		while (*item == ' ')
			item++;
		if (*item == '\0')
			continue;
		l->n++;
		if (numbers) {
			if (l->lit.len > 1)
				buf_addch(&l->lit, ',');
			buf_adds(&l->lit, item);
		} else {
			document_array_add(&l->lit, item);
		}
	}
}

/*
 * Reads the document's fields from req into e: form and multipart fields,
 * or a JSON body (PATCH), where a member left out keeps base's value.
 * Returns 0, or 1 after marking the wrong fields, or -1 (database).
 */
static int
document_edit_read(struct request *req, const struct document *base, struct document_edit *e)
{
	struct document_list tags, roles, orgs;
	const char *msg;
	int bad = 0, rc = -1;
	struct buf html;

	memset(e, 0, sizeof(*e));
	document_list_init(&tags);
	document_list_init(&roles);
	document_list_init(&orgs);
	buf_init(&html, 1 << 20);

/* A member a JSON body leaves out keeps base's value; one sent empty is empty. */
#define DOC_STR(field, member) \
	(base == NULL || document_sent(req, field) ? request_str(req, field) : base->member)
	e->title = DOC_STR("title", title);
	e->description = DOC_STR("description", description);
	e->visibility = DOC_STR("visibility", visibility);
#undef DOC_STR
	if (e->description == NULL)
		e->description = "";
	e->folder_id = request_int(req, "folder_id", base != NULL && !document_sent(req, "folder_id")
				   ? base->folder_id : 0);
	e->module_id = request_int(req, "module_id", base != NULL && !document_sent(req, "module_id")
				   ? base->module_id : 0);
	if (e->title == NULL) {
		response_field_error(req, "title", "Il campo «Titolo» è obbligatorio.");
		bad = 1;
	}
	if (e->visibility == NULL)
		e->visibility = "members";

	/* Tags: a JSON array of words, or the form's one comma-separated field. */
	if (!document_list_sent(req, "tags")) {
		document_list_split(&tags, req->arena, base->tags, false);
	} else {
		for (const struct field_value *v = request_field(req, "tags"); v && v->present; v = v->next)
			if ((msg = req->json && strchr(v->str, ',') ? "Una parola chiave non può contenere virgole."
				   : document_tags_add(&tags, req->arena, v->str)) != NULL) {
				response_field_error(req, "tags", msg);
				bad = 1;
				break;
			}
	}
	if (!document_list_sent(req, "roles")) {
		document_list_split(&roles, req->arena, base->roles, false);
	} else {
		for (const struct field_value *v = request_field(req, "roles"); v && v->present; v = v->next) {
			if (role_from_name(v->str) == 0) {
				response_field_error(req, "roles", "Ruolo sconosciuto.");
				bad = 1;
				break;
			}
			roles.n++;
			document_array_add(&roles.lit, v->str);
		}
	}
	if (!document_list_sent(req, "orgs"))
		document_list_split(&orgs, req->arena, base->orgs, true);
	else
		for (const struct field_value *v = request_field(req, "orgs"); v && v->present; v = v->next)
			document_list_split(&orgs, req->arena, v->str, true);
	e->tags = document_list_done(&tags, req->arena);
	e->roles = document_list_done(&roles, req->arena);
	e->orgs = document_list_done(&orgs, req->arena);
	if (e->tags == NULL || e->roles == NULL || e->orgs == NULL)
		goto out;

	if (!bad && strcmp(e->visibility, "restricted") == 0 && roles.n == 0 && orgs.n == 0) {
		response_field_error(req, "visibility",
				     "Per un documento riservato scegli almeno un ruolo o un ente.");
		bad = 1;
	}
	if (orgs.n > 0) {
		int ok = document_db_orgs_exist(req->db, e->orgs);
		if (ok == -1)
			goto out;
		if (ok == 0) {
			response_field_error(req, "orgs", "Uno degli enti scelti non esiste.");
			bad = 1;
		}
	}
	if (e->folder_id != 0) {
		int ok = document_db_folder_exists(req->db, e->folder_id);
		if (ok == -1)
			goto out;
		if (ok == 0) {
			response_field_error(req, "folder_id", "La cartella scelta non esiste.");
			bad = 1;
		}
	}
	if (e->module_id != 0) {
		int ok = course_modules_exists(req->db, e->module_id, false);
		if (ok == -1)
			goto out;
		if (ok == 0) {
			response_field_error(req, "module_id", "Il modulo scelto non esiste.");
			bad = 1;
		}
	}
	if (md_render(e->description, strlen(e->description), &html) == -1 || html.err) {
		response_field_error(req, "description", "La descrizione non si può impaginare.");
		bad = 1;
	} else {
		e->description_html = arena_strdup(req->arena, html.len ? html.data : "");
	}
	rc = bad;
out:
	buf_release(&html);
	return rc;
}

/* The fields of every form and API request that writes a document. */
#define DOC_EDIT_FIELDS \
	{ "title", FIELD_BODY, VALID_TEXT, 1, 200, NULL, 0, "Titolo" }, \
	{ "description", FIELD_BODY, VALID_TEXT, 0, 20000, NULL, FIELD_MULTILINE, "Descrizione" }, \
	{ "tags", FIELD_BODY, VALID_TEXT, 0, 1000, NULL, FIELD_MULTI, "Parole chiave" }, \
	{ "folder_id", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Cartella" }, \
	{ "module_id", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Modulo" }, \
	{ "visibility", FIELD_BODY, VALID_ENUM, 0, 0, document_visibilities, 0, "Visibilità" }, \
	{ "roles", FIELD_BODY, VALID_TOKEN, 1, 40, NULL, FIELD_MULTI, "Ruoli" }, \
	{ "orgs", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, FIELD_MULTI, "Enti" }

/* ---- pages ------------------------------------------------------------- */

/* The search form's filters and the folder list for selects. */
static int
document_fill_choices(struct request *req, struct tmpl_ctx *ctx, int64_t folder, const char *type)
{
	struct document_folder *f;
	int n;

	if (document_db_folders(req->db, req->arena, document_uid(req), &f, &n) == -1)
		return -1;
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "folders");
		tmpl_set_int(t, "id", f[i].id);
		tmpl_set(t, "path", f[i].path);
		tmpl_set(t, "name", f[i].name);
		tmpl_set_int(t, "documents", f[i].documents);
		tmpl_set_bool(t, "selected", f[i].id == folder);
		tmpl_set_bool(t, "child", f[i].parent_id == folder);
	}
	for (size_t i = 0; i < document_nkinds; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "kinds");
		tmpl_set(t, "name", document_kinds[i].name);
		tmpl_set(t, "label", document_kinds[i].label);
		tmpl_set_bool(t, "selected", type != NULL && strcmp(type, document_kinds[i].name) == 0);
	}
	return 0;
}

/* The course modules a document may refer to, for a select; selected is chosen. */
static int
document_fill_modules(struct request *req, struct tmpl_ctx *ctx, int64_t selected)
{
	return course_modules_fill(req->db, req->arena, ctx, selected, false);
}

/* Escapes a search snippet and turns its \x01..\x02 hit marks into <mark>. */
static const char *
document_snippet_html(struct arena *a, const char *s)
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
	out = b.err ? "" : arena_strdup(a, b.len ? b.data : "");
	buf_release(&b);
	return out;
}

static void
document_fill_item(struct request *req, struct tmpl_ctx *t, const struct document *d)
{
	tmpl_set_int(t, "id", d->id);
	tmpl_set(t, "title", d->title);
	tmpl_set(t, "updated_at", d->updated_at);
	tmpl_set(t, "kind", document_kind_label(d->file.type));
	tmpl_set(t, "size", document_size(req->arena, d->file.size));
	tmpl_set(t, "folder", d->folder_name);
	tmpl_set(t, "module", d->module_title);
	tmpl_set(t, "tags", d->tags[0] ? d->tags : NULL);
	tmpl_set_bool(t, "public", strcmp(d->visibility, "public") == 0);
	if (d->snippet != NULL && d->snippet[0] != '\0')
		tmpl_set_html(t, "snippet", document_snippet_html(req->arena, d->snippet));
}

static const struct field document_list_fields[] = {
	{ "q", FIELD_QUERY, VALID_TEXT, 0, 200, NULL, 0, "Cerca" },
	{ "cartella", FIELD_QUERY, VALID_INT, 0, INT64_MAX, NULL, 0, "Cartella" },
	{ "modulo", FIELD_QUERY, VALID_INT, 0, INT64_MAX, NULL, 0, "Modulo" },
	{ "tipo", FIELD_QUERY, VALID_TOKEN, 1, 20, NULL, 0, "Tipo" },
	{ "dal", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "Dal" },
	{ "al", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "Al" },
	{ "pagina", FIELD_QUERY, VALID_INT, 1, 100000, NULL, 0, "Pagina" },
	{ "esito", FIELD_QUERY, VALID_TOKEN, 1, 20, NULL, 0, NULL },
};

/* GET /documenti: a folder's documents, or the results of a search. */
static int
document_list_page(struct request *req)
{
	struct document_query q = { 0 };
	struct tmpl_ctx *ctx;
	struct document *docs;
	int64_t total;
	int n, page = (int)request_int(req, "pagina", 1);

	q.q = request_str(req, "q");
	q.folder_id = request_int(req, "cartella", 0);
	q.module_id = request_int(req, "modulo", 0);
	q.type = request_str(req, "tipo");
	q.from = request_str(req, "dal");
	q.to = request_str(req, "al");
	q.listing = q.q == NULL && q.module_id == 0 && q.type == NULL && q.from == NULL && q.to == NULL;
	q.limit = DOC_PAGE;
	q.offset = (page - 1) * DOC_PAGE;
	if (q.folder_id != 0) {
		int ok = document_db_folder_exists(req->db, q.folder_id);
		if (ok == -1)
			return 500;
		if (ok == 0)
			return response_error(req, 404, "Cartella non trovata.");
	}
	if (document_db_search(req->db, req->arena, &q, document_uid(req), &docs, &n, &total) == -1)
		return 500;
	if (page > 1 && n == 0)
		return response_error(req, 404, "Pagina non trovata.");
	ctx = response_ctx(req, q.listing ? "Documenti" : "Ricerca nei documenti");
	response_notice(req, ctx, document_notices, ARRAY_SIZE(document_notices));
	if (document_fill_choices(req, ctx, q.folder_id, q.type) == -1 ||
	    document_fill_modules(req, ctx, q.module_id) == -1)
		return 500;
	tmpl_set(ctx, "q", q.q);
	tmpl_set(ctx, "dal", q.from);
	tmpl_set(ctx, "al", q.to);
	tmpl_set_bool(ctx, "listing", q.listing);
	tmpl_set_int(ctx, "folder_id", q.folder_id);
	tmpl_set(ctx, "found", total == 1 ? "1 documento trovato." :
		 total >= DOCUMENT_SEARCH_CANDIDATES && !q.listing
		 ? arena_printf(req->arena, "Più di %d documenti trovati: i più pertinenti tra i %d più "
				"recenti; aggiungi parole o filtri per restringere la ricerca.",
				DOCUMENT_SEARCH_CANDIDATES, DOCUMENT_SEARCH_CANDIDATES)
		 : arena_printf(req->arena, "%lld documenti trovati.", (long long)total));
	tmpl_set_bool(ctx, "editor", document_editor(req));
	tmpl_set_bool(ctx, "admin", document_admin(req));
	tmpl_set_bool(ctx, "visitor", req->user == NULL);
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++) {
		document_fill_item(req, tmpl_list_add(ctx, "documents"), &docs[i]);
		if (q.listing && docs[i].folder_name != NULL)
			tmpl_set(ctx, "folder_name", docs[i].folder_name);
	}
	if (total > (int64_t)page * DOC_PAGE)
		tmpl_set_int(ctx, "next_page", page + 1);
	if (page > 1)
		tmpl_set_int(ctx, "prev_page", page - 1);
	return response_page(req, 200, "content/documents", ctx);
}

static const struct field document_id_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Documento" },
	{ "esito", FIELD_QUERY, VALID_TOKEN, 1, 20, NULL, 0, NULL },
};

/* The detail page; status and message when a form of it is sent back. */
static int
document_render(struct request *req, int status, int64_t id, const char *view,
		const char *message)
{
	struct document d;
	struct document_version *v;
	struct document_download *dl;
	struct tmpl_ctx *ctx;
	bool found;
	int n;

	if (document_db_get(req->db, req->arena, id, document_uid(req), document_admin(req), &d,
			    &found) == -1)
		return 500;
	if (!found || (d.deleted && !document_admin(req)))
		return response_error(req, 404, "Documento non trovato.");
	ctx = response_ctx(req, d.title);
	response_form(req, ctx);	/* the new version's note, when sent back */
	response_notice(req, ctx, document_notices, ARRAY_SIZE(document_notices));
	tmpl_set(ctx, "message", message);
	tmpl_set_int(ctx, "id", d.id);
	tmpl_set(ctx, "doc_title", d.title);
	tmpl_set_html(ctx, "description_html", d.description_html);
	tmpl_set(ctx, "tags", d.tags[0] ? d.tags : NULL);
	tmpl_set(ctx, "folder", d.folder_name);
	tmpl_set_int(ctx, "folder_id", d.folder_id);
	tmpl_set(ctx, "module", d.module_title);
	tmpl_set(ctx, "updated_at", d.updated_at);
	tmpl_set(ctx, "filename", d.file.name);
	tmpl_set(ctx, "kind", document_kind_label(d.file.type));
	tmpl_set(ctx, "size", document_size(req->arena, d.file.size));
	tmpl_set_int(ctx, "current", d.current);
	tmpl_set_bool(ctx, "preview", d.has_preview && !d.deleted);
	tmpl_set_bool(ctx, "deleted", d.deleted);
	tmpl_set_bool(ctx, "editor", document_editor(req));
	tmpl_set_bool(ctx, "admin", document_admin(req));
	for (int i = 0; document_visibilities[i] != NULL; i++)
		if (strcmp(d.visibility, document_visibilities[i]) == 0)
			tmpl_set(ctx, "visibility", document_visibility_labels[i]);
	if (document_editor(req)) {
		tmpl_set_int(ctx, "downloads", d.downloads);
		if (document_db_versions(req->db, req->arena, id, &v, &n) == -1 ||
		    document_db_downloads(req->db, req->arena, id, &dl, &n) == -1)
			return 500;
		for (int i = 0; v[i].filename != NULL; i++) {
			struct tmpl_ctx *t = tmpl_list_add(ctx, "versions");
			tmpl_set_int(t, "doc", id);
			tmpl_set_int(t, "n", v[i].n);
			tmpl_set(t, "filename", v[i].filename);
			tmpl_set(t, "size", document_size(req->arena, v[i].size));
			tmpl_set(t, "note", v[i].note[0] ? v[i].note : NULL);
			tmpl_set(t, "author", v[i].author[0] ? v[i].author : NULL);
			tmpl_set(t, "created_at", v[i].created_at);
			tmpl_set_bool(t, "current", v[i].n == d.current);
		}
		for (int i = 0; i < n; i++) {
			struct tmpl_ctx *t = tmpl_list_add(ctx, "download_list");
			tmpl_set(t, "who", dl[i].who != NULL ? dl[i].who : "Visitatore");
			tmpl_set_int(t, "n", dl[i].n);
			tmpl_set(t, "at", dl[i].at);
		}
	}
	return response_page(req, status, view, ctx);
}

/* GET /documenti/{id} */
static int
document_page(struct request *req)
{
	return document_render(req, 200, request_int(req, "id", 0), "content/document", NULL);
}

/* Whether id is in the comma-separated list ids. */
static bool
document_in_list(const char *ids, int64_t id)
{
	for (const char *p = ids; p != NULL && *p != '\0'; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strtoll(p, NULL, 10) == id)
			return true;
	return false;
}

/* The form's module choice and organisation list, with what is chosen. */
static int
document_form_lists(struct request *req, struct tmpl_ctx *ctx, const struct document *d)
{
	bool stored = d != NULL && req->method == METHOD_GET;
	struct org_list orgs;

	if (document_fill_modules(req, ctx, stored ? d->module_id : request_int(req, "module_id", 0)) == -1 ||
	    org_db_list(req->db, req->arena, &orgs) == -1)
		return -1;
	for (int i = 0; i < orgs.count; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "orgs");
		bool on = stored && document_in_list(d->orgs, orgs.items[i].id);
		for (const struct field_value *v = request_field(req, "orgs"); !stored && v && v->present; v = v->next)
			on |= v->num == orgs.items[i].id;
		tmpl_set_int(t, "id", orgs.items[i].id);
		tmpl_set(t, "path", orgs.items[i].path);
		tmpl_set_bool(t, "selected", on);
	}
	return 0;
}

/* The new-document and edit forms share one template. */
static int
document_form_render(struct request *req, int status, const struct document *d)
{
	struct tmpl_ctx *ctx = response_ctx(req, d ? "Modifica il documento" : "Carica un documento");
	struct tmpl_ctx *form = response_form(req, ctx);
	const char *vis = request_str(req, "visibility");
	int64_t folder = request_int(req, "folder_id", request_int(req, "cartella", 0));

	if (d != NULL && req->method == METHOD_GET) {
		tmpl_set(form, "title", d->title);
		tmpl_set(form, "description", d->description);
		tmpl_set(form, "tags", d->tags);
		vis = d->visibility;
		folder = d->folder_id;
	}
	if (vis == NULL)
		vis = "members";
	tmpl_set_bool(ctx, "editing", d != NULL);
	tmpl_set_int(ctx, "id", d ? d->id : 0);
	if (document_fill_choices(req, ctx, folder, NULL) == -1 ||
	    document_form_lists(req, ctx, d) == -1)
		return 500;
	for (int i = 0; document_visibilities[i] != NULL; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "visibilities");
		tmpl_set(t, "value", document_visibilities[i]);
		tmpl_set(t, "label", document_visibility_labels[i]);
		tmpl_set_bool(t, "checked", strcmp(vis, document_visibilities[i]) == 0);
	}
	for (int i = 0; i < ROLE_COUNT; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "roles");
		const char *name = role_name(i);
		bool on = false;
		if (d != NULL && req->method == METHOD_GET) {
			char *rs = arena_strdup(req->arena, d->roles), *s;
			while ((s = strsep(&rs, ",")) != NULL)
				on |= strcmp(s, name) == 0;
		}
		for (const struct field_value *v = request_field(req, "roles"); v && v->present; v = v->next)
			on |= strcmp(v->str, name) == 0;
		tmpl_set(t, "name", name);
		tmpl_set(t, "label", role_label(i));
		tmpl_set_bool(t, "checked", on);
	}
	return response_page(req, status, "content/document_form", ctx);
}

static const struct field document_new_fields[] = {
	{ "cartella", FIELD_QUERY, VALID_INT, 0, INT64_MAX, NULL, 0, "Cartella" },
};

/* GET /documenti/nuovo */
static int
document_new_page(struct request *req)
{
	return document_form_render(req, 200, NULL);
}

/* "file" is the file part itself (stored before the handler, see blob.h):
 * declared so that a refusal is shown on its input. */
static const struct field document_create_fields[] = {
	{ "file", FIELD_BODY, VALID_TEXT, 0, 0, NULL, 0, "File" },
	DOC_EDIT_FIELDS,
	{ "note", FIELD_BODY, VALID_TEXT, 0, 500, NULL, 0, "Nota sulla versione" },
};

/*
 * Stores the uploaded file as a new document: 0 with *id, 1 when the
 * request is wrong (fields marked, or the upload refused: *status), -1.
 */
static int
document_create(struct request *req, int64_t *id, int *status)
{
	struct document_edit e;
	int rc;

	*status = 400;
	if (req->upload_status != 0) {
		*status = req->upload_status;
		response_field_error(req, "file", req->upload_message);
		return 1;
	}
	if (req->upload == NULL) {
		response_field_error(req, "file", "Scegli il file da caricare.");
		return 1;
	}
	if (req->nerrors > 0)
		return 1;
	if ((rc = document_edit_read(req, NULL, &e)) != 0)
		return rc;
	if (document_db_create(req->db, &e, req->upload, request_str(req, "note") ? request_str(req, "note") : "",
			       document_uid(req), id) == -1 ||
	    db_commit(req->db) == -1)
		return -1;
	return 0;
}

/* POST /documenti (multipart, with the file) */
static int
document_create_submit(struct request *req)
{
	int64_t id;
	int status, rc = document_create(req, &id, &status);

	if (rc == -1)
		return 500;
	if (rc == 1)
		return document_form_render(req, status, NULL);
	return response_redirect(req, arena_printf(req->arena, "/documenti/%lld?esito=caricato", (long long)id));
}

static const struct field document_edit_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Documento" },
	DOC_EDIT_FIELDS,
};

/* GET /documenti/{id}/modifica */
static int
document_edit_page(struct request *req)
{
	struct document d;
	bool found;

	if (document_db_get(req->db, req->arena, request_int(req, "id", 0), document_uid(req), false,
			    &d, &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, "Documento non trovato.");
	return document_form_render(req, 200, &d);
}

/* Applies an edit; 0 saved, 1 fields wrong, 2 no such document, -1. */
static int
document_update(struct request *req, bool partial)
{
	int64_t id = request_int(req, "id", 0);
	struct document d;
	struct document_edit e;
	bool found;
	int rc;

	if (document_db_get(req->db, req->arena, id, document_uid(req), false, &d, &found) == -1)
		return -1;
	if (!found)
		return 2;
	if (req->nerrors > 0)
		return 1;
	if ((rc = document_edit_read(req, partial ? &d : NULL, &e)) != 0)
		return rc;
	if (db_begin(req->db) == -1 || (rc = document_db_update(req->db, id, &e)) == -1 ||
	    db_commit(req->db) == -1)
		return -1;
	return rc == 1 ? 2 : 0;
}

/* POST /documenti/{id}/modifica */
static int
document_edit_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	struct document d;
	bool found;

	switch (document_update(req, false)) {
	case 0:
		return response_redirect(req, arena_printf(req->arena, "/documenti/%lld?esito=salvato", (long long)id));
	case 1:
		if (document_db_get(req->db, req->arena, id, document_uid(req), false, &d, &found) == -1 || !found)
			return 500;
		return document_form_render(req, 400, &d);
	case 2:
		return response_error(req, 404, "Documento non trovato.");
	default:
		return 500;
	}
}

static const struct field document_version_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Documento" },
	{ "note", FIELD_BODY, VALID_TEXT, 0, 500, NULL, 0, "Nota sulla versione" },
};

/* Adds the uploaded file as the document's new current version: 0 with *n, 1 refused (*status), 2 none, -1. */
static int
document_version_add(struct request *req, int *n, int *status)
{
	int64_t id = request_int(req, "id", 0);
	struct blob_file f;
	bool found;
	int rc;

	*status = 400;
	if (document_db_version_file(req->db, req->arena, id, 0, false, document_uid(req), &f,
				     &found) == -1)
		return -1;
	if (!found)
		return 2;
	if (req->upload_status != 0 || req->upload == NULL) {
		*status = req->upload_status ? req->upload_status : 400;
		if (req->upload_message == NULL)
			req->upload_message = "Scegli il file da caricare.";
		return 1;
	}
	if (req->nerrors > 0)
		return 1;
	if ((rc = document_db_add_version(req->db, id, req->upload,
					  request_str(req, "note") ? request_str(req, "note") : "",
					  document_uid(req), n)) != 0 ||
	    db_commit(req->db) == -1)
		return rc == 1 ? 2 : -1;
	return 0;
}

/* POST /documenti/{id}/versioni (multipart) */
static int
document_version_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	int n, status;

	switch (document_version_add(req, &n, &status)) {
	case 0:
		return response_redirect(req, arena_printf(req->arena, "/documenti/%lld?esito=versione", (long long)id));
	case 1:
		return document_render(req, status, id, "content/document",
				       req->upload_message ? req->upload_message : "Controlla la nota.");
	case 2:
		return response_error(req, 404, "Documento non trovato.");
	default:
		return 500;
	}
}

static const struct field document_version_n_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Documento" },
	{ "n", FIELD_PATH, VALID_INT, 1, 1000000, NULL, FIELD_REQUIRED, "Versione" },
};

/* POST /documenti/{id}/versioni/{n}/corrente */
static int
document_current_submit(struct request *req)
{
	int64_t id = request_int(req, "id", 0);
	int rc;

	if (db_begin(req->db) == -1 ||
	    (rc = document_db_make_current(req->db, id, (int)request_int(req, "n", 0))) == -1 ||
	    db_commit(req->db) == -1)
		return 500;
	if (rc == 1)
		return response_error(req, 404, "Versione non trovata.");
	return response_redirect(req, arena_printf(req->arena, "/documenti/%lld?esito=corrente", (long long)id));
}

/* POST /documenti/{id}/cestino and /ripristino: 404 when not where it should be. */
static int
document_bin_submit(struct request *req, bool into)
{
	int64_t id = request_int(req, "id", 0);
	int rc;

	if (db_begin(req->db) == -1 ||
	    (rc = document_db_bin_move(req->db, id, document_uid(req), into)) == -1 ||
	    db_commit(req->db) == -1)
		return 500;
	if (rc == 1)
		return response_error(req, 404, "Documento non trovato.");
	if (into)
		return response_redirect(req, "/documenti?esito=cestino");
	return response_redirect(req, arena_printf(req->arena, "/documenti/%lld?esito=ripristinato", (long long)id));
}

static int
document_delete_submit(struct request *req)
{
	return document_bin_submit(req, true);
}

static int
document_restore_submit(struct request *req)
{
	return document_bin_submit(req, false);
}

static const struct field document_esito_fields[] = {
	{ "esito", FIELD_QUERY, VALID_TOKEN, 1, 20, NULL, 0, NULL },
};

/* GET /documenti/cestino (admins) */
static int
document_bin_page(struct request *req)
{
	struct document *docs;
	struct tmpl_ctx *ctx;
	int n;

	if (document_db_bin(req->db, req->arena, &docs, &n) == -1)
		return 500;
	ctx = response_ctx(req, "Cestino dei documenti");
	response_notice(req, ctx, document_notices, ARRAY_SIZE(document_notices));
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++)
		document_fill_item(req, tmpl_list_add(ctx, "documents"), &docs[i]);
	return response_page(req, 200, "content/documents_bin", ctx);
}

/* POST /documenti/cestino/svuota (admins): deleted for good, files no version uses with them. */
static int
document_bin_empty_submit(struct request *req)
{
	int64_t n;

	if (db_begin(req->db) == -1 || document_db_bin_empty(req->db, &n) == -1 ||
	    account_db_audit(req->db, req->user->id, "documents_bin_empty", 0,
			     arena_printf(req->arena, "%lld", (long long)n), req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		return 500;
	return response_redirect(req, "/documenti/cestino?esito=svuotato");
}

static const struct field document_folder_fields[] = {
	{ "name", FIELD_BODY, VALID_TEXT, 1, 120, NULL, FIELD_REQUIRED, "Nome della cartella" },
	{ "parent_id", FIELD_BODY, VALID_INT, 0, INT64_MAX, NULL, 0, "Cartella superiore" },
};

/* Creates a folder from req: 0 with *id, or an HTTP status with *message. */
static int
document_folder_make(struct request *req, int64_t *id, const char **message)
{
	int64_t parent = request_int(req, "parent_id", 0);
	int rc;

	if (req->nerrors > 0) {
		*message = req->field_errors[0] ? req->field_errors[0] : req->field_errors[1];
		return 400;
	}
	if (parent != 0 && (rc = document_db_folder_exists(req->db, parent)) != 1) {
		*message = "La cartella superiore non esiste.";
		return rc == -1 ? 500 : 400;
	}
	if ((rc = document_db_folder_create(req->db, parent, request_str(req, "name"), id)) == -1)
		return 500;
	if (rc == 1) {
		*message = "C'è già una cartella con questo nome qui.";
		return 409;
	}
	return 0;
}

/* POST /documenti/cartelle */
static int
document_folder_submit(struct request *req)
{
	const char *message;
	int64_t id;
	int status = document_folder_make(req, &id, &message);

	if (status == 500)
		return 500;
	if (status != 0)
		return response_error(req, status, message);
	return response_redirect(req, arena_printf(req->arena, "/documenti?cartella=%lld&esito=cartella", (long long)id));
}

/* ---- downloads ----------------------------------------------------------- */

static const struct field document_download_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Documento" },
	{ "n", FIELD_PATH, VALID_INT, 1, 1000000, NULL, FIELD_REQUIRED, "Versione" },
};

/*
 * The file of version n (0: the current one), counted when it starts from
 * its first byte; or the current version's preview picture, not counted.
 */
static int
document_download(struct request *req, int n, bool preview)
{
	int64_t id = request_int(req, "id", 0);
	struct blob_file f;
	bool found;
	int status;

	if (document_db_version_file(req->db, req->arena, id, n, preview, document_uid(req), &f,
				     &found) == -1)
		return 500;
	if (!found)
		return response_error(req, 404, preview ? "Anteprima non disponibile."
							: "Documento non trovato.");
	status = blob_send(req, &f);
	/* Counted: the bytes from the first, not a revalidation (304) or a
	 * refused range.  The response is under way: a count that cannot be
	 * written is logged, the file still goes out. */
	if (!preview && req->method == METHOD_GET && (status == 200 || status == 206) &&
	    blob_request_is_start(req) &&
	    document_db_record_download(req->db, id, n, document_uid(req)) == -1)
		log_warnx("document %lld: a download was not recorded", (long long)id);
	return status;
}

static int
document_download_current(struct request *req)
{
	return document_download(req, 0, false);
}

static int
document_download_version(struct request *req)
{
	return document_download(req, (int)request_int(req, "n", 0), false);
}

static int
document_preview(struct request *req)
{
	return document_download(req, 0, true);
}

/* ---- the kit ------------------------------------------------------------- */

/* GET /kit: the communication kit, each asset previewed and downloadable. */
static int
document_kit_page(struct request *req)
{
	struct document *docs;
	struct tmpl_ctx *ctx;
	int n;

	if (document_db_kit(req->db, req->arena, &docs, &n) == -1)
		return 500;
	ctx = response_ctx(req, "Kit di comunicazione");
	tmpl_set_bool(ctx, "admin", document_admin(req));
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "assets");
		const char *type = docs[i].file.type;
		document_fill_item(req, t, &docs[i]);
		tmpl_set_html(t, "description_html", docs[i].description_html);
		tmpl_set(t, "filename", docs[i].file.name);
		tmpl_set_bool(t, "image", strncmp(type, "image/", 6) == 0);
		tmpl_set_bool(t, "preview", docs[i].has_preview);
		tmpl_set_bool(t, "text", strcmp(type, "text/plain") == 0);
		tmpl_set_bool(t, "dark", strstr(docs[i].kit_slot, "negativo") != NULL);
		if (strcmp(type, "text/plain") == 0 && docs[i].file.size <= 64 * 1024) {
			char *text = arena_alloc(req->arena, (size_t)docs[i].file.size + 1);
			size_t len;
			if (blob_read(req->db, &docs[i].file, text, (size_t)docs[i].file.size, &len) == 0 &&
			    valid_utf8(text, len)) {
				text[len] = '\0';
				tmpl_set(t, "text_content", text);
			}
		}
	}
	return response_page(req, 200, "content/kit", ctx);
}

/* ---- JSON API ---------------------------------------------------------- */

static void
document_json(struct request *req, struct json_writer *w, const char *key, const struct document *d,
	      bool full)
{
	json_obj_open(w, key);
	json_int(w, "id", d->id);
	json_str(w, "title", d->title);
	if (full) {
		json_str(w, "description", d->description);
		json_str(w, "description_html", d->description_html);
	}
	json_arr_open(w, "tags");
	for (char *t = arena_strdup(req->arena, d->tags), *s; (s = strsep(&t, ",")) != NULL;) {
		while (*s == ' ')
			s++;
		if (*s != '\0')
			json_str(w, NULL, s);
	}
	json_arr_close(w);
	if (d->folder_id != 0)
		json_int(w, "folder_id", d->folder_id);
	else
		json_null(w, "folder_id");
	if (d->module_id != 0)
		json_int(w, "module_id", d->module_id);
	else
		json_null(w, "module_id");
	json_str(w, "visibility", d->visibility);
	if (document_editor(req)) {
		json_arr_open(w, "roles");
		for (char *t = arena_strdup(req->arena, d->roles), *s; (s = strsep(&t, ",")) != NULL;)
			if (*s != '\0')
				json_str(w, NULL, s);
		json_arr_close(w);
		json_arr_open(w, "orgs");
		for (char *t = arena_strdup(req->arena, d->orgs), *s; (s = strsep(&t, ",")) != NULL;)
			if (*s != '\0')
				json_int(w, NULL, strtoll(s, NULL, 10));
		json_arr_close(w);
		json_int(w, "downloads", d->downloads);
	}
	json_int(w, "current_version", d->current);
	json_str(w, "filename", d->file.name);
	json_str(w, "type", d->file.type);
	json_int(w, "size", d->file.size);
	json_str(w, "sha256", d->file.sha256);
	json_str(w, "updated_at", d->updated_iso);
	json_str(w, "download_url", arena_printf(req->arena, "/documents/%lld/download", (long long)d->id));
	if (d->snippet != NULL)
		json_str(w, "snippet", d->snippet[0] ? document_snippet_html(req->arena, d->snippet) : "");
	json_obj_close(w);
}

static const struct field document_api_list_fields[] = {
	{ "q", FIELD_QUERY, VALID_TEXT, 0, 200, NULL, 0, "q" },
	{ "folder", FIELD_QUERY, VALID_INT, 0, INT64_MAX, NULL, 0, "folder" },
	{ "module", FIELD_QUERY, VALID_INT, 0, INT64_MAX, NULL, 0, "module" },
	{ "type", FIELD_QUERY, VALID_TOKEN, 1, 20, NULL, 0, "type" },
	{ "from", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "from" },
	{ "to", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "to" },
	{ "limit", FIELD_QUERY, VALID_INT, 1, 100, NULL, 0, "limit" },
	{ "offset", FIELD_QUERY, VALID_INT, 0, 1000000, NULL, 0, "offset" },
};

/* GET /api/v1/documents: ranked matches of q (or the newest), filtered. */
static int
document_api_list(struct request *req)
{
	struct document_query q = { 0 };
	struct document *docs;
	struct json_writer w;
	int64_t total;
	int n;

	q.q = request_str(req, "q");
	q.folder_id = request_int(req, "folder", 0);
	q.module_id = request_int(req, "module", 0);
	q.type = request_str(req, "type");
	q.from = request_str(req, "from");
	q.to = request_str(req, "to");
	q.limit = (int)request_int(req, "limit", DOC_PAGE);
	q.offset = (int)request_int(req, "offset", 0);
	if (q.type != NULL) {
		bool known = false;
		for (size_t i = 0; i < document_nkinds; i++)
			known |= strcmp(q.type, document_kinds[i].name) == 0;
		if (!known)
			return response_json_error(req, 400, "bad_type",
				"«type» deve essere pdf, testo, foglio, presentazione, immagine, archivio o video.");
	}
	if (document_db_search(req->db, req->arena, &q, document_uid(req), &docs, &n, &total) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "total", total);
	/* A search counts no further than the matches it ranks. */
	json_bool(&w, "more", q.q != NULL && total >= DOCUMENT_SEARCH_CANDIDATES);
	json_arr_open(&w, "documents");
	for (int i = 0; i < n; i++) {
		if (q.q == NULL)
			docs[i].snippet = NULL;
		document_json(req, &w, NULL, &docs[i], false);
	}
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* The API's answer for a document just written: 200/201 with it. */
static int
document_api_reply(struct request *req, int status, int64_t id)
{
	struct json_writer w;
	struct document d;
	bool found;

	if (document_db_get(req->db, req->arena, id, document_uid(req), false, &d, &found) == -1)
		return 500;
	if (!found)
		return response_json_error(req, 404, "not_found", "Documento non trovato.");
	json_writer_init(&w, &req->body);
	document_json(req, &w, NULL, &d, true);
	return response_json(req, status);
}

/* The first field message, for an API 400. */
static int
document_api_invalid(struct request *req, int status)
{
	for (size_t i = 0; i < req->route->nfields; i++)
		if (req->field_errors[i] != NULL)
			return response_json_error(req, status, "invalid", req->field_errors[i]);
	return response_json_error(req, status, "invalid",
				   req->upload_message ? req->upload_message : "Richiesta non valida.");
}

/* POST /api/v1/documents (multipart: file and fields) */
static int
document_api_create(struct request *req)
{
	int64_t id;
	int status, rc = document_create(req, &id, &status);

	if (rc == -1)
		return 500;
	if (rc == 1)
		return document_api_invalid(req, status);
	return document_api_reply(req, 201, id);
}

/* GET /api/v1/documents/{id} */
static int
document_api_get(struct request *req)
{
	return document_api_reply(req, 200, request_int(req, "id", 0));
}

static const struct field document_api_patch_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Documento" },
	DOC_EDIT_FIELDS,
};

/* PATCH /api/v1/documents/{id}: the members sent change, the rest stays. */
static int
document_api_patch(struct request *req)
{
	switch (document_update(req, true)) {
	case 0:
		return document_api_reply(req, 200, request_int(req, "id", 0));
	case 1:
		return document_api_invalid(req, 400);
	case 2:
		return response_json_error(req, 404, "not_found", "Documento non trovato.");
	default:
		return 500;
	}
}

/* DELETE /api/v1/documents/{id}: into the bin. */
static int
document_api_delete(struct request *req)
{
	int rc;

	if (db_begin(req->db) == -1 ||
	    (rc = document_db_bin_move(req->db, request_int(req, "id", 0), document_uid(req), true)) == -1 ||
	    db_commit(req->db) == -1)
		return 500;
	if (rc == 1)
		return response_json_error(req, 404, "not_found", "Documento non trovato.");
	return response_text(req, 204, "application/json", "");
}

/* POST /api/v1/documents/{id}/versions (multipart) */
static int
document_api_version(struct request *req)
{
	int n, status;

	switch (document_version_add(req, &n, &status)) {
	case 0:
		return document_api_reply(req, 201, request_int(req, "id", 0));
	case 1:
		return document_api_invalid(req, status);
	case 2:
		return response_json_error(req, 404, "not_found", "Documento non trovato.");
	default:
		return 500;
	}
}

/* GET /api/v1/folders */
static int
document_api_folders(struct request *req)
{
	struct document_folder *f;
	struct json_writer w;
	int n;

	if (document_db_folders(req->db, req->arena, document_uid(req), &f, &n) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "folders");
	for (int i = 0; i < n; i++) {
		json_obj_open(&w, NULL);
		json_int(&w, "id", f[i].id);
		if (f[i].parent_id != 0)
			json_int(&w, "parent_id", f[i].parent_id);
		else
			json_null(&w, "parent_id");
		json_str(&w, "name", f[i].name);
		json_str(&w, "path", f[i].path);
		json_int(&w, "documents", f[i].documents);
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* POST /api/v1/folders */
static int
document_api_folder_create(struct request *req)
{
	const char *message;
	struct json_writer w;
	int64_t id;
	int status = document_folder_make(req, &id, &message);

	if (status == 500)
		return 500;
	if (status != 0)
		return response_json_error(req, status, status == 409 ? "conflict" : "invalid", message);
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "id", id);
	json_obj_close(&w);
	return response_json(req, 201);
}

/* GET /api/v1/kit */
static int
document_api_kit(struct request *req)
{
	struct document *docs;
	struct json_writer w;
	int n;

	if (document_db_kit(req->db, req->arena, &docs, &n) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "assets");
	for (int i = 0; i < n; i++) {
		json_obj_open(&w, NULL);
		json_str(&w, "slot", docs[i].kit_slot);
		json_int(&w, "document_id", docs[i].id);
		json_str(&w, "title", docs[i].title);
		json_str(&w, "filename", docs[i].file.name);
		json_str(&w, "type", docs[i].file.type);
		json_int(&w, "size", docs[i].file.size);
		json_str(&w, "download_url",
			 arena_printf(req->arena, "/documents/%lld/download", (long long)docs[i].id));
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

/* ---- text extraction job --------------------------------------------------- */

#define DOC_TEXT_MAX (200 * 1024)	/* bytes of a file's text kept for search */
#define DOC_TEXT_BATCH 20		/* files per run of the job */

#define DOC_PREVIEW_PX 480	/* largest side of a preview picture */

/*
 * Stores the preview picture of version n of doc (its file at path), if
 * its type has one; a failure leaves the version without (logged).
 */
static void
document_preview_make(const char *path, const struct blob_file *f, int64_t doc, int n)
{
	struct blob_upload *u = NULL;
	const struct blob_file *stored;
	const char *msg = NULL;
	struct arena *a;
	size_t len;
	char *png;

	if (document_text_preview(path, f->type, DOC_PREVIEW_PX, 30, &png, &len) != 0)
		return;
	a = arena_new();
	if (blob_upload_begin("anteprima.png", &u, &msg) != 0 ||
	    blob_upload_write(u, png, len, &msg) != 0 ||
	    blob_upload_finish(u, a, &stored, &msg) != 0 ||
	    document_db_preview_store(blob_upload_db(u), doc, n, stored->id) == -1 ||
	    db_commit(blob_upload_db(u)) == -1)
		log_warnx("document %lld version %d: no preview%s%s", (long long)doc, n,
			  msg ? ": " : "", msg ? msg : "");
	blob_upload_free(u);
	arena_free(a);
	free(png);
}

/* Extracts the text of waiting versions, a few each run (mail sender's jobs). */
static void
document_text_job(struct db *db)
{
	for (int i = 0; i < DOC_TEXT_BATCH; i++) {
		struct arena *a = arena_new();
		struct blob_file f;
		int64_t doc;
		int n;
		bool found;
		char path[] = "/tmp/portal-text-XXXXXX";
		char *text = NULL;
		int fd = -1;

		if (document_db_text_next(db, a, &doc, &n, &f, &found) == -1 || !found) {
			arena_free(a);
			return;
		}
		if ((fd = mkostemp(path, O_CLOEXEC)) != -1 && blob_save(db, &f, fd) == 0) {
			text = document_text_extract(path, f.type, DOC_TEXT_MAX, 30);
			document_preview_make(path, &f, doc, n);
		}
		if (fd != -1) {
			close(fd);
			unlink(path);
		}
		if (document_db_text_store(db, doc, n, text != NULL ? "done" : "failed",
					   text != NULL ? text : "") == -1) {
			free(text);
			arena_free(a);
			return;
		}
		free(text);
		arena_free(a);
	}
}

/* ---- routes ---------------------------------------------------------------- */

static const struct route document_routes[] = {
	{ METHOD_GET, "/documenti", document_list_page, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(document_list_fields), "documents.list" },
	{ METHOD_GET, "/documenti/nuovo", document_new_page, DOC_EDITORS, 0,
	  ROUTER_FIELDS(document_new_fields), "documents.new" },
	{ METHOD_POST, "/documenti", document_create_submit, DOC_EDITORS, ROUTE_FORM | ROUTE_UPLOAD,
	  ROUTER_FIELDS(document_create_fields), "documents.create" },
	{ METHOD_GET, "/documenti/cestino", document_bin_page, ROLE_ADMIN, 0,
	  ROUTER_FIELDS(document_esito_fields), "documents.bin" },
	{ METHOD_POST, "/documenti/cestino/svuota", document_bin_empty_submit, ROLE_ADMIN, 0, NULL, 0,
	  "documents.bin_empty" },
	{ METHOD_POST, "/documenti/cartelle", document_folder_submit, DOC_EDITORS, 0,
	  ROUTER_FIELDS(document_folder_fields), "documents.folder" },
	{ METHOD_GET, "/documenti/{id}", document_page, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(document_id_fields), "documents.document" },
	{ METHOD_GET, "/documenti/{id}/modifica", document_edit_page, DOC_EDITORS, 0,
	  ROUTER_FIELDS(document_id_fields), "documents.edit" },
	{ METHOD_POST, "/documenti/{id}/modifica", document_edit_submit, DOC_EDITORS, ROUTE_FORM,
	  ROUTER_FIELDS(document_edit_fields), "documents.edit" },
	{ METHOD_POST, "/documenti/{id}/versioni", document_version_submit, DOC_EDITORS,
	  ROUTE_FORM | ROUTE_UPLOAD, ROUTER_FIELDS(document_version_fields), "documents.version" },
	{ METHOD_POST, "/documenti/{id}/versioni/{n}/corrente", document_current_submit, DOC_EDITORS,
	  0, ROUTER_FIELDS(document_version_n_fields), "documents.current" },
	{ METHOD_POST, "/documenti/{id}/cestino", document_delete_submit, DOC_EDITORS, 0,
	  ROUTER_FIELDS(document_id_fields), "documents.delete" },
	{ METHOD_POST, "/documenti/{id}/ripristino", document_restore_submit, ROLE_ADMIN, 0,
	  ROUTER_FIELDS(document_id_fields), "documents.restore" },
	{ METHOD_GET, "/documents/{id}/download", document_download_current, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(document_id_fields), "documents.download" },
	{ METHOD_GET, "/documents/{id}/versions/{n}/download", document_download_version, ROLE_PUBLIC,
	  0, ROUTER_FIELDS(document_download_fields), "documents.download_version" },
	{ METHOD_GET, "/documents/{id}/preview", document_preview, ROLE_PUBLIC, 0,
	  ROUTER_FIELDS(document_id_fields), "documents.preview" },
	{ METHOD_GET, "/kit", document_kit_page, ROLE_PUBLIC, 0, NULL, 0, "documents.kit" },

	{ METHOD_GET, "/api/v1/documents", document_api_list, ROLE_PUBLIC, ROUTE_API,
	  ROUTER_FIELDS(document_api_list_fields), "api.documents.list" },
	{ METHOD_POST, "/api/v1/documents", document_api_create, DOC_EDITORS,
	  ROUTE_API | ROUTE_FORM | ROUTE_UPLOAD, ROUTER_FIELDS(document_create_fields),
	  "api.documents.create" },
	{ METHOD_GET, "/api/v1/documents/{id}", document_api_get, ROLE_PUBLIC, ROUTE_API,
	  ROUTER_FIELDS(document_id_fields), "api.documents.get" },
	{ METHOD_PATCH, "/api/v1/documents/{id}", document_api_patch, DOC_EDITORS,
	  ROUTE_API | ROUTE_FORM, ROUTER_FIELDS(document_api_patch_fields), "api.documents.patch" },
	{ METHOD_DELETE, "/api/v1/documents/{id}", document_api_delete, DOC_EDITORS, ROUTE_API,
	  ROUTER_FIELDS(document_id_fields), "api.documents.delete" },
	{ METHOD_POST, "/api/v1/documents/{id}/versions", document_api_version, DOC_EDITORS,
	  ROUTE_API | ROUTE_FORM | ROUTE_UPLOAD, ROUTER_FIELDS(document_version_fields),
	  "api.documents.version" },
	{ METHOD_GET, "/api/v1/folders", document_api_folders, ROLE_PUBLIC, ROUTE_API, NULL, 0,
	  "api.folders.list" },
	{ METHOD_POST, "/api/v1/folders", document_api_folder_create, DOC_EDITORS,
	  ROUTE_API | ROUTE_FORM, ROUTER_FIELDS(document_folder_fields), "api.folders.create" },
	{ METHOD_GET, "/api/v1/kit", document_api_kit, ROLE_PUBLIC, ROUTE_API, NULL, 0, "api.kit" },
};

void
document_register(struct router *r)
{
	router_add(r, document_routes, ARRAY_SIZE(document_routes));
	mail_sender_add_job(document_text_job);
}
