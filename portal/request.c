/*
 * request.c - the request pipeline and the response helpers (see
 * request.h and request_run.h).  Handlers meet requests only here, after
 * every check a route declares has passed.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "html.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "request_run.h"
#include "router.h"
#include "session.h"
#include "tmpl.h"

static const struct config *request_cfg;

void
request_configure(const struct config *cfg)
{
	request_cfg = cfg;
}

const struct field_value *
req_field(const struct request *req, const char *name)
{
	if (req->route == NULL || req->fields == NULL)
		return NULL;
	for (size_t i = 0; i < req->route->nfields; i++)
		if (strcmp(req->route->fields[i].name, name) == 0)
			return &req->fields[i];
	return NULL;
}

const char *
req_str(const struct request *req, const char *name)
{
	const struct field_value *v = req_field(req, name);

	return v && v->present ? v->str : NULL;
}

long long
req_int(const struct request *req, const char *name, long long def)
{
	const struct field_value *v = req_field(req, name);

	return v && v->present ? v->num : def;
}

const char *
req_header(const struct request *req, const char *name)
{
	return http_header(req, name);
}

const char *
req_cookie(const struct request *req, const char *name)
{
	return http_cookie(req, name);
}

void
resp_header(struct request *req, const char *name, const char *value)
{
	struct resp_header *h = arena_alloc(req->arena, sizeof(*h));
	struct resp_header **tail = &req->headers;

	h->name = arena_strdup(req->arena, name);
	h->value = arena_strdup(req->arena, value);
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = h;
}

static bool
resp_has_header(const struct request *req, const char *name)
{
	for (const struct resp_header *h = req->headers; h != NULL; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return true;
	return false;
}

int
resp_redirect(struct request *req, const char *path)
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
	resp_header(req, "Location", path);
	req->status = 303;
	req->content_type = "text/plain; charset=utf-8";
	buf_reset(&req->body);
	return req->status;
}

struct tmpl_ctx *
resp_ctx(struct request *req, const char *title)
{
	struct tmpl_ctx *ctx = tmpl_ctx_new(req->arena);

	tmpl_set(ctx, "title", title);
	tmpl_set(ctx, "portal_name", request_cfg->portal_name);
	tmpl_set(ctx, "csrf_token", req->csrf_token);
	tmpl_set(ctx, "path", req->path);
	if (req->user != NULL) {
		struct tmpl_ctx *u = tmpl_set_obj(ctx, "user");
		tmpl_set(u, "name", req->user->name);
		tmpl_set(u, "email", req->user->email);
		tmpl_set_bool(u, "is_admin", req->user->roles & (ROLE_ADMIN | ROLE_COORDINAMENTO));
	}
	return ctx;
}

int
resp_page(struct request *req, int status, const char *view, struct tmpl_ctx *ctx)
{
	struct buf content;

	if (ctx == NULL)
		ctx = resp_ctx(req, NULL);
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

static const char *request_raw_value(const struct request *req, const struct field *f,
				     int path_index, size_t *len, bool *wrong_type);

struct tmpl_ctx *
resp_form(struct request *req, struct tmpl_ctx *ctx)
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

int
resp_json(struct request *req, int status)
{
	req->content_type = "application/json";
	return req->status = status;
}

int
resp_json_error(struct request *req, int status, const char *code, const char *message)
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
	return resp_json(req, status);
}

static const char *
request_status_code(int status)
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
request_status_title(int status)
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
request_wants_json(const struct request *req)
{
	if (req->route != NULL)
		return (req->route->flags & ROUTE_API) != 0;
	return strncmp(req->path, "/api/", 5) == 0;
}

int
resp_error(struct request *req, int status, const char *message)
{
	struct tmpl_ctx *ctx;

	if (request_wants_json(req))
		return resp_json_error(req, status, request_status_code(status), message);
	ctx = resp_ctx(req, request_status_title(status));
	tmpl_set(ctx, "message", message);
	tmpl_set_int(ctx, "status", status);
	if (resp_page(req, status, "portal/error", ctx) == 500 && status != 500)
		return resp_text(req, status, "text/plain; charset=utf-8", message);
	return req->status;
}

int
resp_busy(struct request *req)
{
	resp_header(req, "Retry-After", "5");
	return resp_error(req, 503, "Il portale è molto occupato in questo momento: riprova tra pochi secondi.");
}

int
resp_text(struct request *req, int status, const char *content_type, const char *text)
{
	buf_reset(&req->body);
	buf_adds(&req->body, text);
	req->content_type = content_type;
	return req->status = status;
}

const char *
req_client(const struct request *req)
{
	return req->client_addr;
}

void
request_fail(struct request *req, int status, const char *message)
{
	resp_error(req, status, message);
	if (status == 413 || status == 400)
		resp_header(req, "Connection", "close");
}

/* The JSON type a field's validator expects: strings for text, numbers
 * for integers, true/false for booleans; nothing else is converted. */
static bool
request_json_type_ok(const struct field *f, const struct json_value *v)
{
	switch (f->kind) {
	case VALID_INT:
		return v->type == JSON_NUMBER;
	case VALID_BOOL:
		return v->type == JSON_BOOL;
	default:
		return v->type == JSON_STRING;
	}
}

/*
 * The raw value of field f, or NULL if absent.  The k-th path argument
 * belongs to the k-th FIELD_PATH field.  *wrong_type is set when a JSON
 * member has a type the field cannot take.
 */
static const char *
request_raw_value(const struct request *req, const struct field *f, int path_index, size_t *len,
		  bool *wrong_type)
{
	*wrong_type = false;
	if (f->source == FIELD_PATH) {
		if (path_index >= req->nargs)
			return NULL;
		*len = strlen(req->args[path_index]);
		return req->args[path_index];
	}
	/* API bodies are JSON only: a form post from another site cannot
	 * reach an API route's fields. */
	if (f->source == FIELD_BODY && req->route != NULL && (req->route->flags & ROUTE_API)) {
		const struct json_value *v = req->json ? json_get(req->json, f->name) : NULL;
		if (v == NULL || v->type == JSON_NULL)
			return NULL;
		if (!request_json_type_ok(f, v)) {
			*wrong_type = true;
			return NULL;
		}
		if (v->type == JSON_BOOL) {
			*len = v->boolean ? 4 : 5;
			return v->boolean ? "true" : "false";
		}
		*len = v->type == JSON_STRING ? v->len : strlen(v->str);
		return v->str;
	}
	for (const struct http_param *p = http_params(req); p != NULL; p = p->next)
		if ((int)f->source == p->source && strcmp(p->name, f->name) == 0) {
			*len = p->len;
			return p->value;
		}
	return NULL;
}

/* Validates the route's fields; returns the number of invalid ones. */
static int
request_validate(struct request *req)
{
	const struct route *rt = req->route;
	int path_index = 0;

	req->fields = arena_calloc(req->arena, rt->nfields, sizeof(*req->fields));
	req->field_errors = arena_calloc(req->arena, rt->nfields, sizeof(*req->field_errors));
	for (size_t i = 0; i < rt->nfields; i++) {
		const struct field *f = &rt->fields[i];
		size_t len = 0;
		bool wrong_type;
		const char *raw = request_raw_value(req, f, path_index, &len, &wrong_type);

		if (f->source == FIELD_PATH)
			path_index++;
		if (wrong_type) {
			req->field_errors[i] = arena_printf(req->arena, "«%s»: tipo di valore non valido.",
							    f->label ? f->label : f->name);
			req->nerrors++;
		} else if (valid_field(f, raw, len, req->arena, &req->fields[i],
				       &req->field_errors[i]) == -1) {
			req->nerrors++;
		}
	}
	return req->nerrors;
}

/* A 400 that names every invalid field. */
static void
request_invalid(struct request *req)
{
	struct buf msg;

	buf_init(&msg, 4096);
	for (size_t i = 0; i < req->route->nfields; i++)
		if (req->field_errors[i] != NULL) {
			if (msg.len)
				buf_addch(&msg, ' ');
			buf_adds(&msg, req->field_errors[i]);
		}
	resp_error(req, 400, msg.len ? msg.data : "Parametri non validi.");
	buf_release(&msg);
}

static bool
request_unsafe(enum http_method m)
{
	return !(m & (METHOD_GET | METHOD_HEAD | METHOD_OPTIONS));
}

/* 401/redirect for visitors, 403 for users without the role. */
static bool
request_authorised(struct request *req)
{
	unsigned roles = req->route->roles;

	if (roles == ROLE_PUBLIC)
		return true;
	if (req->user == NULL) {
		if (req->route->flags & ROUTE_API) {
			resp_json_error(req, 401, "unauthorized", "Accesso richiesto.");
			resp_header(req, "WWW-Authenticate", "Bearer");
		} else if (req->method & (METHOD_GET | METHOD_HEAD)) {
			struct buf next;
			buf_init(&next, 4096);
			buf_adds(&next, "/accedi?next=");
			html_url_encode(&next, req->path, true);
			resp_redirect(req, next.err ? "/accedi" : arena_strdup(req->arena, next.data));
			buf_release(&next);
		} else {
			resp_error(req, 401, "Accesso richiesto.");
		}
		return false;
	}
	if (roles == ROLE_MEMBER || (req->user->roles & roles))
		return true;
	resp_error(req, 403, "Non hai i permessi per questa pagina.");
	return false;
}

void
request_run(struct request *req, const struct router *router)
{
	const struct route *rt;
	unsigned allowed;

	req->user_agent = http_header(req, "User-Agent");
	if (req->method == 0) {
		resp_error(req, 405, "Metodo non consentito.");
		resp_header(req, "Allow", "GET, HEAD, POST, PUT, PATCH, DELETE");
		return;
	}
	rt = router_match(router, req->arena, req->method, req->path, req->args, &req->nargs,
			  &allowed);
	if (rt == NULL) {
		if (allowed) {
			char allow[80];
			router_allow_string(allowed, allow, sizeof(allow));
			resp_error(req, 405, "Metodo non consentito per questo indirizzo.");
			resp_header(req, "Allow", allow);
		} else {
			resp_error(req, 404, "La pagina richiesta non esiste.");
		}
		return;
	}
	req->route = rt;
	req->wants_json = (rt->flags & ROUTE_API) != 0;

	if (!(rt->flags & ROUTE_NO_DB)) {
		req->db = http_thread_db();
		if (db_ready(req->db) == -1 || session_authenticate(req) == -1)
			goto unavailable;
	}
	if (!request_authorised(req))
		return;
	if (request_unsafe(req->method) && !(rt->flags & ROUTE_NO_CSRF) && !req->via_bearer &&
	    !session_csrf_ok(req)) {
		resp_error(req, 403, "Il modulo è scaduto o non proviene da questo sito: "
				     "ricarica la pagina e riprova.");
		return;
	}
	if (req->wants_json && req->raw_body_len > 0) {
		const char *err;
		req->json = json_parse(req->arena, req->raw_body, req->raw_body_len, &err);
		if (req->json == NULL || req->json->type != JSON_OBJECT) {
			resp_json_error(req, 400, "bad_json", req->json
					? "Il corpo deve essere un oggetto JSON."
					: arena_printf(req->arena, "JSON non valido: %s", err));
			return;
		}
	}
	if (request_validate(req) > 0 && !(rt->flags & ROUTE_FORM)) {
		request_invalid(req);
		return;
	}
	req->status = 500;
	req->status = rt->handler(req);
	if (req->db != NULL) {
		/* A handler never leaves a transaction open on the thread's
		 * connection; if one did, nothing of it is kept. */
		db_rollback(req->db);
		if (req->status == 500 && db_is_down(req->db))
			goto unavailable;
	}
	/* A handler that failed without a page of its own gets the error page. */
	if (req->status == 500 && req->body.len == 0)
		resp_error(req, 500, "Si è verificato un errore interno. Riprova più tardi.");
	if (!resp_has_header(req, "Cache-Control"))
		resp_header(req, "Cache-Control", req->user ? "private, no-store" : "no-cache");
	return;
unavailable:
	resp_error(req, 503, "Il servizio è momentaneamente non disponibile: riprova tra poco.");
	resp_header(req, "Retry-After", "5");
	resp_header(req, "Cache-Control", "no-store");
}
