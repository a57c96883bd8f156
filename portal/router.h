/*
 * router.h - the route table: pattern, methods, roles, validators, handler.
 *
 * A pattern is a path of literal segments and "{name}" segments matching
 * one non-empty segment; a final "{name*}" matches the rest of the path
 * (one or more segments).  Routes are tried in the order they were added,
 * so put literal routes before parameterised siblings.
 */
#ifndef PORTAL_ROUTER_H
#define PORTAL_ROUTER_H

#include "compat.h"

#include "request.h"
#include "valid.h"

/* A handler: fills req's response and returns its HTTP status. */
typedef int (*route_handler)(struct request *req);

#define ROUTE_API     0x1u	/* JSON errors; accepts bearer tokens; JSON bodies */
#define ROUTE_FORM    0x2u	/* the handler re-renders its form on invalid fields */
#define ROUTE_NO_CSRF 0x4u	/* unsafe method allowed without CSRF token (login-free one-click actions) */
#define ROUTE_NO_DB   0x8u	/* needs no database: answers even while it is down */
#define ROUTE_STATIC  0x10u	/* static files: no session lookup, no dynamic headers */
#define ROUTE_UPLOAD  0x20u	/* multipart with one file part streamed into blob storage
				 * (blob.h); its other fields are form fields, API or not */

struct route {
	unsigned methods;		/* METHOD_* bits; GET implies HEAD */
	const char *pattern;
	route_handler handler;
	unsigned roles;			/* ROLE_PUBLIC, ROLE_MEMBER or ROLE_* bits (role.h) */
	unsigned flags;
	const struct field *fields;
	size_t nfields;
	const char *name;		/* for metrics, e.g. "account.login" */
};

/* The fields and nfields members of a struct route from one static array:
 * { ..., ROUTER_FIELDS(login_fields), "account.login" }. */
#define ROUTER_FIELDS(f) (f), ARRAY_SIZE(f)

struct router;

/* An empty router; the routes added must outlive it (static tables). */
struct router *router_new(void);

/*
 * Frees r and its index; the route tables it points to are the caller's
 * and are left alone.  No route returned by router_match() or router_get()
 * may be used afterwards.  NULL is a no-op.
 */
void router_free(struct router *r);

/* Adds n routes; a malformed pattern is a programming error (fatalx). */
void router_add(struct router *r, const struct route *routes, size_t n);

/*
 * Matches path (decoded, starting with "/") and method.  On success returns
 * the route and stores up to REQUEST_MAX_ARGS path arguments (pointers into
 * copies made in arena) in args/nargs.  If the path matches but no route
 * allows the method, returns NULL and sets *allowed to the union of methods
 * of the routes that match the path; if nothing matches, *allowed is 0.
 */
const struct route *router_match(const struct router *r, struct arena *arena,
				 enum http_method method, const char *path,
				 const char **args, int *nargs, unsigned *allowed);

/* Writes "GET, HEAD, POST" for an Allow header. */
void router_allow_string(unsigned methods, char *out, size_t outlen);

/* All routes in order (for the OpenAPI document and metrics). */
size_t router_count(const struct router *r);
const struct route *router_get(const struct router *r, size_t i);

#endif
