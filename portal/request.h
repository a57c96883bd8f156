/*
 * request.h - one HTTP request as handlers see it.
 *
 * A handler never touches libmicrohttpd or libpq types: it reads the
 * validated fields, the user and the path arguments from struct request,
 * and fills status, body and headers through the response_* functions
 * (response.h).  Everything here lives in req->arena unless said otherwise.
 */
#ifndef PORTAL_REQUEST_H
#define PORTAL_REQUEST_H

#include "compat.h"

#include <sys/types.h>

#include "arena.h"
#include "buf.h"
#include "role.h"
#include "valid.h"

struct blob_file;
struct db;
struct route;
struct tmpl_ctx;

enum http_method {
	METHOD_GET = 1 << 0,
	METHOD_HEAD = 1 << 1,
	METHOD_POST = 1 << 2,
	METHOD_PUT = 1 << 3,
	METHOD_PATCH = 1 << 4,
	METHOD_DELETE = 1 << 5,
	METHOD_OPTIONS = 1 << 6,
};

/* The signed-in user; NULL in struct request for visitors. */
struct user {
	int64_t id;
	const char *email;
	const char *name;
	unsigned roles;
	int64_t org_id;		/* 0 when the user has no organisation */
	const char *org_name;	/* NULL when org_id is 0 */
};

/*
 * A body produced piece by piece while it is sent (exports): read fills
 * out with up to max bytes and returns how many (> 0), 0 at the end, or
 * -1 on error (the connection is then cut, so the client sees a truncated
 * transfer rather than a complete-looking file).  done is always called
 * once, when the response is dropped, sent or not.  read runs after the
 * request's arena is gone: state must be malloc'd and own what it needs.
 */
struct request_stream {
	ssize_t (*read)(void *state, char *out, size_t max);
	void (*done)(void *state);
	void *state;
	uint64_t size;		/* bytes read will give, or REQUEST_STREAM_UNKNOWN */
	size_t block;		/* most bytes asked of read at once; 0: 64 KiB */
	uint64_t *bytes;	/* http.c counts what was sent, for the access log */
};

#define REQUEST_STREAM_UNKNOWN UINT64_MAX

struct response_header {
	const char *name;
	const char *value;
	const struct response_header *next;
};

#define REQUEST_MAX_ARGS 4

struct request {
	struct arena *arena;
	const char *id;			/* request id, also in the access log */
	enum http_method method;
	const char *method_name;
	const char *path;
	const char *client_addr;	/* peer, or X-Forwarded-For from a trusted proxy */
	bool peer_local;		/* the peer itself (not X-Forwarded-For) is this host */
	const struct route *route;
	const char *args[REQUEST_MAX_ARGS];	/* path arguments, in pattern order */
	int nargs;

	/* Validated parameters, parallel to route->fields. */
	struct field_value *fields;
	const char **field_errors;	/* Italian message per field, or NULL */
	int nerrors;

	struct user *user;
	int64_t session_id;		/* 0 when not signed in through a session */
	bool via_bearer;		/* authenticated with Authorization: Bearer */
	const char *csrf_token;		/* token that forms of this page must carry */
	bool wants_json;		/* API route: errors are JSON */

	struct db *db;			/* this thread's connection; NULL on ROUTE_NO_DB routes */

	/* The response. */
	int status;
	const char *content_type;
	struct buf body;
	const struct response_header *headers;	/* may end in nodes shared by all requests */
	const char *static_body;	/* long-lived bytes sent instead of body (assets) */
	size_t static_len;
	bool shared_response;		/* status, headers and static_body are the same for every
					 * request that yields this static_body: may be reused */
	struct request_stream *stream;	/* a body produced after the handler (response_stream()) */

	void *conn;			/* http.c's private state */
	const char *raw_body;		/* JSON bodies: the raw bytes */
	size_t raw_body_len;
	const struct json_value *json;	/* parsed JSON body of API requests, or NULL */
	bool admitted;			/* routed, authenticated and authorised already */

	/*
	 * ROUTE_UPLOAD routes: the file part, stored in a transaction left open
	 * on req->db (the handler adds its rows and commits, or it is rolled
	 * back); or why it was refused (400, 413, 415, 503, 500 and a message).
	 * Neither is set when the body had no file part.
	 */
	const struct blob_file *upload;
	int upload_status;
	const char *upload_message;

	/* A deferred request (request_defer()): what runs when; defer_resume
	 * is NULL unless the answer is still to come. */
	void (*defer_hand_off)(void *arg);
	int (*defer_resume)(struct request *req, void *arg);
	void *defer_arg;
};

/*
 * Answering later, so that a pool thread does not wait on work that
 * another thread does for many requests at once (the quiz's answer
 * saves, committed together).  A handler returns
 * request_defer(req, hand_off, resume, arg); once the connection is set
 * aside, hand_off(arg) passes the work to the other thread, which calls
 * request_wake(req) when it is done; resume(req, arg) then runs on the
 * request's own thread, with req->db, and returns the status like a
 * handler.  While the server stops, nothing is set aside: resume runs at
 * once, without hand_off, and must then do the work itself.  The value
 * returned is not a status: what marks the request deferred is
 * defer_resume, set until resume runs.
 */
#define REQUEST_DEFERRED 0

int request_defer(struct request *req, void (*hand_off)(void *arg),
		  int (*resume)(struct request *req, void *arg), void *arg);

/* Any thread: the work of a deferred request is done (see request_defer()). */
void request_wake(struct request *req);

/* The validated value of the route field called name (present=false if absent), or NULL if the route declares no such field. */
const struct field_value *request_field(const struct request *req, const char *name);

/* Convenience: the validated text of a field, or NULL if absent. */
const char *request_str(const struct request *req, const char *name);

/* The validated integer of a field, or def if absent. */
long long request_int(const struct request *req, const char *name, long long def);

/* A request header (case-insensitive name), or NULL. */
const char *request_header(const struct request *req, const char *name);

/* A cookie's value, or NULL. */
const char *request_cookie(const struct request *req, const char *name);

#endif
