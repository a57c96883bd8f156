/*
 * request_run.h - the request pipeline, called by http.c only.
 *
 * request_run(): route (404, 405 with Allow), database (503 while it is
 * down), authentication (session cookie or bearer token), role check
 * (login redirect, 401, 403), CSRF on unsafe methods (403), parameter
 * validation (400 or the handler's form), the handler, then defaults
 * such as Cache-Control.  request_fail() answers an error found by http.c
 * while reading the request (413, 400, 415).
 */
#ifndef PORTAL_REQUEST_RUN_H
#define PORTAL_REQUEST_RUN_H

#include "compat.h"

#include "request.h"

struct config;
struct router;

/* Sets the configuration pages read (portal name); once, at start-up. */
void request_configure(const struct config *cfg);

/*
 * The first steps of request_run(): route, database, authentication and
 * role.  True when the request may go on; else req holds the answer.
 * http.c runs it as soon as the headers are in for routes taking uploads,
 * so that no file byte is stored for a request that would be refused.
 */
bool request_admit(struct request *req, const struct router *router);

/*
 * Routes, checks and runs the handler.  When the handler deferred its
 * answer (req->defer_resume set, request_defer()), nothing is answered
 * yet: http.c sets the connection aside and calls request_hand_off().
 */
void request_run(struct request *req, const struct router *router);

/* Passes a deferred request's work to the thread that does it. */
void request_hand_off(struct request *req);

/*
 * Makes the deferred answer, on the request's own thread: once woken
 * (request_wake()), or at once while the server stops.
 */
void request_resume(struct request *req);
void request_fail(struct request *req, int status, const char *message);

#endif
