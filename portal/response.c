/*
 * response.c - the response builders handlers use (see response.h): pages
 * rendered into the layout, redirects, JSON, errors and plain text.  All
 * of it lives in req->arena or req->body.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "internal.h"
#include "html.h"
#include "json.h"
#include "log.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"

void
response_header(struct request *req, const char *name, const char *value)
{
	struct response_header *h = arena_alloc(req->arena, sizeof(*h));

	/* Prepended: the list may end in nodes shared by every request (a
	 * static file's headers), which must never be written. */
	h->name = arena_strdup(req->arena, name);
	h->value = arena_strdup(req->arena, value);
	h->next = req->headers;
	req->headers = h;
}

int
response_redirect(struct request *req, const char *path)
{
	/* Only local paths: an attacker-chosen "next" cannot send users away.
	 * Browsers drop tabs and line breaks and read "\\" as "/", so
	 * "/\t/evil" would become "//evil": refuse any of them anywhere. */
	if (path == NULL || path[0] != '/' || path[1] == '/' || strchr(path, '\\') != NULL)
		path = "/";
	for (const char *p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			path = "/";
			break;
		}
	response_header(req, "Location", path);
	req->status = 303;
	req->content_type = "text/plain; charset=utf-8";
	buf_reset(&req->body);
	return req->status;
}

/*
 * Marks the navigation sections a page belongs to, for aria-current in the
 * layout: its first path segment and its first two joined by '_'
 * ("/admin/utenti/5" sets nav.admin and nav.admin_utenti, "/corsi/3"
 * nav.corsi and nav.corsi_3), "home" for "/".
 */
static void
response_nav(struct request *req, struct tmpl_ctx *ctx)
{
	struct tmpl_ctx *nav = tmpl_set_obj(ctx, "nav");
	const char *p = req->path + 1, *second;
	size_t n;

	if (*p == '\0') {
		tmpl_set_bool(nav, "home", true);
		return;
	}
	n = strcspn(p, "/");
	tmpl_set_bool(nav, arena_strndup(req->arena, p, n), true);
	second = p[n] == '/' ? p + n + 1 : NULL;
	if (second != NULL && *second != '\0')
		tmpl_set_bool(nav, arena_printf(req->arena, "%.*s_%.*s", (int)n, p,
						 (int)strcspn(second, "/"), second), true);
}

/* req's path as a query value, for links that say where one came from. */
static const char *
response_path_query(struct request *req)
{
	struct buf q;
	const char *out;

	buf_init(&q, 64 * 1024);
	html_url_encode(&q, req->path, true);
	out = arena_strdup(req->arena, q.data ? q.data : "");
	buf_release(&q);
	return out;
}

struct tmpl_ctx *
response_ctx(struct request *req, const char *title)
{
	struct tmpl_ctx *ctx = tmpl_ctx_new(req->arena);

	tmpl_set(ctx, "title", title);
	tmpl_set(ctx, "portal_name", request_config()->portal_name);
	tmpl_set(ctx, "csrf_token", req->csrf_token);
	tmpl_set(ctx, "path", req->path);
	tmpl_set(ctx, "path_query", response_path_query(req));
	response_nav(req, ctx);
	if (req->user != NULL) {
		struct tmpl_ctx *u = tmpl_set_obj(ctx, "user");
		tmpl_set(u, "name", req->user->name);
		tmpl_set(u, "email", req->user->email);
		tmpl_set_bool(u, "is_admin", req->user->roles & (ROLE_ADMIN | ROLE_COORDINAMENTO));
		tmpl_set_bool(u, "is_trainer",
			      req->user->roles & (ROLE_FORMATORE | ROLE_COORDINAMENTO | ROLE_ADMIN));
		tmpl_set_bool(u, "sees_progress", req->user->roles & (ROLE_REFERENTE | ROLE_FORMATORE |
								       ROLE_COORDINAMENTO | ROLE_ADMIN));
	}
	return ctx;
}

int
response_page(struct request *req, int status, const char *view, struct tmpl_ctx *ctx)
{
	struct buf content;

	if (ctx == NULL)
		ctx = response_ctx(req, NULL);
	buf_init(&content, 0);
	if (tmpl_render(view, ctx, &content) == -1) {
		buf_release(&content);
		log_warnx("request %s: cannot render \"%s\"", req->id, view);
		return req->status = 500;
	}
	tmpl_set_html(ctx, "content", arena_strndup(req->arena, content.data, content.len));
	buf_release(&content);
	buf_reset(&req->body);
	if (tmpl_render("portal/layout", ctx, &req->body) == -1) {
		buf_reset(&req->body);
		buf_adds(&req->body, "Errore interno.");
		req->content_type = "text/plain; charset=utf-8";
		return req->status = 500;
	}
	req->content_type = "text/html; charset=utf-8";
	return req->status = status;
}

struct tmpl_ctx *
response_form(struct request *req, struct tmpl_ctx *ctx)
{
	struct tmpl_ctx *form = tmpl_set_obj(ctx, "form");
	struct tmpl_ctx *errors = tmpl_set_obj(ctx, "errors");
	int path_index = 0;

	for (size_t i = 0; req->route && i < req->route->nfields; i++) {
		const struct field *f = &req->route->fields[i];
		size_t len = 0;
		bool wrong_type;
		const char *raw = request_raw_value(req, f, path_index, &len, &wrong_type);

		if (f->source == FIELD_PATH)
			path_index++;
		if (raw != NULL && !(f->flags & FIELD_RAW) && valid_utf8(raw, len))
			tmpl_set(form, f->name, raw);
		if (req->field_errors != NULL && req->field_errors[i] != NULL) {
			struct tmpl_ctx *e = tmpl_list_add(ctx, "error_list");
			tmpl_set(errors, f->name, req->field_errors[i]);
			tmpl_set(e, "field", f->name);
			tmpl_set(e, "message", req->field_errors[i]);
		}
	}
	tmpl_set_bool(ctx, "has_errors", req->nerrors > 0);
	return form;
}

void
response_field_error(struct request *req, const char *name, const char *message)
{
	for (size_t i = 0; i < req->route->nfields; i++) {
		if (strcmp(req->route->fields[i].name, name) != 0)
			continue;
		if (req->field_errors == NULL)
			req->field_errors = arena_calloc(req->arena, req->route->nfields,
							 sizeof(*req->field_errors));
		if (req->field_errors[i] == NULL) {
			req->field_errors[i] = message;
			req->nerrors++;
		}
		return;
	}
}

const char *
response_field_message(const struct request *req, const char *name)
{
	if (req->route == NULL || req->field_errors == NULL)
		return NULL;
	for (size_t i = 0; i < req->route->nfields; i++)
		if (strcmp(req->route->fields[i].name, name) == 0)
			return req->field_errors[i];
	return NULL;
}

int
response_json(struct request *req, int status)
{
	req->content_type = "application/json";
	return req->status = status;
}

int
response_json_error(struct request *req, int status, const char *code, const char *message)
{
	struct json_writer w;

	buf_reset(&req->body);
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_obj_open(&w, "error");
	json_str(&w, "code", code);
	json_str(&w, "message", message);
	json_obj_close(&w);
	json_obj_close(&w);
	return response_json(req, status);
}

static const char *
response_status_code(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 413: return "payload_too_large";
	case 415: return "unsupported_media_type";
	case 422: return "unprocessable";
	case 429: return "too_many_requests";
	case 503: return "unavailable";
	default: return "internal_error";
	}
}

static const char *
response_status_title(int status)
{
	switch (status) {
	case 400: return "Richiesta non valida";
	case 401: return "Accesso richiesto";
	case 403: return "Accesso negato";
	case 404: return "Pagina non trovata";
	case 405: return "Metodo non consentito";
	case 413: return "Richiesta troppo grande";
	case 429: return "Troppi tentativi";
	case 503: return "Servizio momentaneamente non disponibile";
	default: return "Errore";
	}
}

/* API paths answer JSON even before a route is known (404, 405, 413). */
static bool
response_wants_json(const struct request *req)
{
	if (req->route != NULL)
		return (req->route->flags & ROUTE_API) != 0;
	return strncmp(req->path, "/api/", 5) == 0;
}

int
response_error(struct request *req, int status, const char *message)
{
	struct tmpl_ctx *ctx;

	if (response_wants_json(req))
		return response_json_error(req, status, response_status_code(status), message);
	ctx = response_ctx(req, response_status_title(status));
	tmpl_set(ctx, "message", message);
	tmpl_set_int(ctx, "status", status);
	if (response_page(req, status, "portal/error", ctx) == 500 && status != 500)
		return response_text(req, status, "text/plain; charset=utf-8", message);
	return req->status;
}

int
response_busy(struct request *req)
{
	response_header(req, "Retry-After", "5");
	return response_error(req, 503, "Il portale è molto occupato in questo momento: riprova tra pochi secondi.");
}

int
response_stream(struct request *req, const char *content_type,
		ssize_t (*read)(void *state, char *out, size_t max),
		void (*done)(void *state), void *state)
{
	struct request_stream *st = calloc(1, sizeof(*st));

	if (st == NULL)
		log_oom(sizeof(*st));
	st->read = read;
	st->done = done;
	st->state = state;
	st->size = REQUEST_STREAM_UNKNOWN;
	buf_reset(&req->body);
	req->stream = st;
	req->content_type = content_type;
	return req->status = 200;
}

int
response_text(struct request *req, int status, const char *content_type, const char *text)
{
	buf_reset(&req->body);
	buf_adds(&req->body, text);
	req->content_type = content_type;
	return req->status = status;
}

void
response_notice(struct request *req, struct tmpl_ctx *ctx,
		const struct response_notice *notices, size_t n)
{
	const char *code = request_str(req, "esito");

	for (size_t i = 0; code != NULL && i < n; i++)
		if (strcmp(code, notices[i].code) == 0)
			tmpl_set(ctx, "notice", notices[i].text);
}
