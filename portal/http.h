/*
 * http.h - the libmicrohttpd server: the only module that sees MHD.
 *
 * http_start() runs MHD's internal thread pool (epoll); each request is
 * decoded into a struct request and handed to request_run() (request.c),
 * whose response http.c turns into an MHD response.  The functions below
 * let request.c read what only MHD knows, without seeing MHD types.
 */
#ifndef PORTAL_HTTP_H
#define PORTAL_HTTP_H

#include "compat.h"

#include "config.h"
#include "request.h"

struct router;

/* One decoded request parameter, from the query string or the body. */
struct http_param {
	const char *name;
	const char *value;	/* NUL-terminated; may contain embedded NULs up to len */
	size_t len;
	int source;		/* FIELD_QUERY or FIELD_BODY */
	struct http_param *next;
};

/*
 * Starts serving cfg->listen with the router's routes; returns -1 (logged)
 * if the address cannot be bound.  cfg and router must outlive the server.
 */
int http_start(const struct config *cfg, const struct router *router);

/* Stops accepting, waits for the pool threads, frees the daemon. */
void http_stop(void);

/*
 * The request's decoded parameters, a list in req's arena: first the body
 * (form) fields in the order they arrived, then the query string's, which
 * http_access() adds last, once the body has been read.  A consumer that
 * matches on source as well as name (as request.c does) sees the first of
 * several same-named parameters of that source.  NULL when there are none.
 */
const struct http_param *http_params(const struct request *req);

/* A request header or cookie (names case-insensitive for headers), or NULL. */
const char *http_header(const struct request *req, const char *name);
const char *http_cookie(const struct request *req, const char *name);

/* The connection of req's stored upload, in its open transaction (req->upload set). */
struct db *http_upload_db(const struct request *req);

/* This pool thread's database handle (created on first use). */
struct db *http_thread_db(void);

/* Any thread: resumes the connection of a deferred request (request_wake()). */
void http_wake(struct request *req);

#endif
