/*
 * request.c - the request pipeline and the request accessors (see
 * request.h and request_run.h); the response builders are in response.c.
 * Handlers meet requests only here, after every check a route declares
 * has passed.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "html.h"
#include "http.h"
#include "internal.h"
#include "json.h"
#include "log.h"
#include "request_run.h"
#include "response.h"
#include "router.h"
#include "session.h"

static const struct config *request_cfg;

void
request_configure(const struct config *cfg)
{
	request_cfg = cfg;
}

const struct config *
request_config(void)
{
	return request_cfg;
}

const struct field_value *
request_field(const struct request *req, const char *name)
{
	if (req->route == NULL || req->fields == NULL)
		return NULL;
	for (size_t i = 0; i < req->route->nfields; i++)
		if (strcmp(req->route->fields[i].name, name) == 0)
			return &req->fields[i];
	return NULL;
}

const char *
request_str(const struct request *req, const char *name)
{
	const struct field_value *v = request_field(req, name);

	return v && v->present ? v->str : NULL;
}

long long
request_int(const struct request *req, const char *name, long long def)
{
	const struct field_value *v = request_field(req, name);

	return v && v->present ? v->num : def;
}

const char *
request_header(const struct request *req, const char *name)
{
	return http_header(req, name);
}

const char *
request_cookie(const struct request *req, const char *name)
{
	return http_cookie(req, name);
}

static bool
request_has_header(const struct request *req, const char *name)
{
	for (const struct response_header *h = req->headers; h != NULL; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return true;
	return false;
}

void
request_fail(struct request *req, int status, const char *message)
{
	response_error(req, status, message);
	if (status == 413 || status == 400)
		response_header(req, "Connection", "close");
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

/* See internal.h. */
const char *
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
	if (f->source == FIELD_BODY && req->route != NULL &&
	    (req->route->flags & (ROUTE_API | ROUTE_UPLOAD)) == ROUTE_API) {
		const struct json_value *v = req->json ? json_get(req->json, f->name) : NULL;
		/* A FIELD_MULTI member is an array of values (its first here,
		 * the others in request_validate_more()); [] sends none. */
		if (v != NULL && (f->flags & FIELD_MULTI) && v->type == JSON_ARRAY)
			v = v->child;
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

/*
 * The values of a FIELD_MULTI form field after the first (first_raw, as
 * request_raw_value() found it), each validated and linked after first.
 * Returns 1 if one is invalid (its message in *msg), else 0.
 */
static int
request_validate_more(struct request *req, const struct field *f, const char *first_raw,
		      struct field_value *first, const char **msg)
{
	struct field_value *last = first;
	bool seen_first = false;

	if (f->source == FIELD_PATH)
		return 0;
	if ((req->route->flags & (ROUTE_API | ROUTE_UPLOAD)) == ROUTE_API) {
		const struct json_value *arr = req->json ? json_get(req->json, f->name) : NULL;
		if (arr == NULL || arr->type != JSON_ARRAY || arr->child == NULL)
			return 0;
		for (const struct json_value *e = arr->child->next; e != NULL; e = e->next) {
			struct field_value *v = arena_calloc(req->arena, 1, sizeof(*v));
			size_t len = e->type == JSON_STRING ? e->len : e->str ? strlen(e->str) : 0;
			if (!request_json_type_ok(f, e)) {
				*msg = arena_printf(req->arena, "«%s»: tipo di valore non valido.",
						    f->label ? f->label : f->name);
				return 1;
			}
			if (valid_field(f, e->str, len, req->arena, v, msg) == -1)
				return 1;
			last->next = v;
			last = v;
		}
		return 0;
	}
	for (const struct http_param *p = http_params(req); p != NULL; p = p->next) {
		struct field_value *v;

		if ((int)f->source != p->source || strcmp(p->name, f->name) != 0)
			continue;
		if (!seen_first && p->value == first_raw) {
			seen_first = true;
			continue;
		}
		v = arena_calloc(req->arena, 1, sizeof(*v));
		if (valid_field(f, p->value, p->len, req->arena, v, msg) == -1)
			return 1;
		last->next = v;
		last = v;
	}
	return 0;
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
		} else if ((f->flags & FIELD_MULTI) && raw != NULL) {
			req->nerrors += request_validate_more(req, f, raw, &req->fields[i],
							      &req->field_errors[i]);
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
	response_error(req, 400, msg.len ? msg.data : "Parametri non validi.");
	buf_release(&msg);
}

static bool
request_unsafe(enum http_method m)
{
	return !(m & (METHOD_GET | METHOD_HEAD | METHOD_OPTIONS));
}

static void
request_unavailable(struct request *req)
{
	response_error(req, 503, "Il servizio è momentaneamente non disponibile: riprova tra poco.");
	response_header(req, "Retry-After", "5");
	response_header(req, "Cache-Control", "no-store");
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
			response_json_error(req, 401, "unauthorized", "Accesso richiesto.");
			response_header(req, "WWW-Authenticate", "Bearer");
		} else if (req->method & (METHOD_GET | METHOD_HEAD)) {
			struct buf next;
			buf_init(&next, 4096);
			buf_adds(&next, "/accedi?next=");
			html_url_encode(&next, req->path, true);
			response_redirect(req, next.err ? "/accedi" : arena_strdup(req->arena, next.data));
			buf_release(&next);
		} else {
			response_error(req, 401, "Accesso richiesto.");
		}
		return false;
	}
	if (roles == ROLE_MEMBER || (req->user->roles & roles))
		return true;
	response_error(req, 403, "Non hai i permessi per questa pagina.");
	return false;
}

bool
request_admit(struct request *req, const struct router *router)
{
	const struct route *rt;
	unsigned allowed;

	if (req->admitted)
		return true;
	if (req->method == 0) {
		response_error(req, 405, "Metodo non consentito.");
		response_header(req, "Allow", "GET, HEAD, POST, PUT, PATCH, DELETE");
		return false;
	}
	rt = router_match(router, req->arena, req->method, req->path, req->args, &req->nargs,
			  &allowed);
	if (rt == NULL) {
		if (allowed) {
			char allow[80];
			router_allow_string(allowed, allow, sizeof(allow));
			response_error(req, 405, "Metodo non consentito per questo indirizzo.");
			response_header(req, "Allow", allow);
		} else {
			response_error(req, 404, "La pagina richiesta non esiste.");
		}
		return false;
	}
	req->route = rt;
	req->wants_json = (rt->flags & ROUTE_API) != 0;

	if (!(rt->flags & ROUTE_NO_DB)) {
		req->db = http_thread_db();
		if (db_ready(req->db) == -1 || session_authenticate(req) == -1) {
			request_unavailable(req);
			return false;
		}
	}
	if (!request_authorised(req))
		return false;
	return req->admitted = true;
}

/* What follows a handler's answer, now or deferred. */
static void
request_finish(struct request *req)
{
	if (req->db != NULL) {
		/* A handler never leaves a transaction open on the thread's
		 * connection; if one did, nothing of it is kept. */
		db_rollback(req->db);
		if (req->status == 500 && db_is_down(req->db)) {
			request_unavailable(req);
			return;
		}
	}
	/* A handler that failed without a page of its own gets the error page. */
	if (req->status == 500 && req->body.len == 0)
		response_error(req, 500, "Si è verificato un errore interno. Riprova più tardi.");
	if (!request_has_header(req, "Cache-Control"))
		response_header(req, "Cache-Control", req->user ? "private, no-store" : "no-cache");
}

void
request_run(struct request *req, const struct router *router)
{
	const struct route *rt;

	if (!request_admit(req, router))
		return;
	rt = req->route;
	if (request_unsafe(req->method) && !(rt->flags & ROUTE_NO_CSRF) && !req->via_bearer &&
	    !session_csrf_ok(req)) {
		response_error(req, 403, "Il modulo è scaduto o non proviene da questo sito: "
					 "ricarica la pagina e riprova.");
		return;
	}
	if (req->wants_json && req->raw_body_len > 0) {
		const char *err;
		req->json = json_parse(req->arena, req->raw_body, req->raw_body_len, &err);
		if (req->json == NULL || req->json->type != JSON_OBJECT) {
			response_json_error(req, 400, "bad_json", req->json
					    ? "Il corpo deve essere un oggetto JSON."
					    : arena_printf(req->arena, "JSON non valido: %s", err));
			return;
		}
	}
	if (request_validate(req) > 0 && !(rt->flags & ROUTE_FORM)) {
		request_invalid(req);
		return;
	}
	if (req->upload != NULL)
		req->db = http_upload_db(req);
	req->status = 500;
	req->status = rt->handler(req);
	if (req->defer_resume != NULL) {
		/* Nothing of the transaction outlives the handler here either. */
		if (req->db != NULL)
			db_rollback(req->db);
		return;
	}
	request_finish(req);
}

/* Records what runs when (request.h); the status is decided by resume. */
int
request_defer(struct request *req, void (*hand_off)(void *arg),
	      int (*resume)(struct request *req, void *arg), void *arg)
{
	req->defer_hand_off = hand_off;
	req->defer_resume = resume;
	req->defer_arg = arg;
	return REQUEST_DEFERRED;
}

/* http.c, once the connection is set aside. */
void
request_hand_off(struct request *req)
{
	req->defer_hand_off(req->defer_arg);
}

/* Any thread: the work is done, the request's own thread answers. */
void
request_wake(struct request *req)
{
	http_wake(req);
}

/* The request's own thread: the deferred answer, then what follows any answer. */
void
request_resume(struct request *req)
{
	int (*resume)(struct request *, void *) = req->defer_resume;

	req->defer_resume = NULL;	/* answered now */
	req->status = 500;
	req->status = resume(req, req->defer_arg);
	request_finish(req);
}
