/*
 * session.h - who is asking: session cookies, bearer tokens, CSRF tokens.
 *
 * The session cookie "portal_session" holds a random token; the database
 * holds its hash.  CSRF tokens are MACs of the session token (signed in)
 * or of a random "portal_csrf" cookie (visitors, so that the sign-in and
 * registration forms are protected too).
 */
#ifndef PORTAL_SESSION_H
#define PORTAL_SESSION_H

#include "compat.h"

#include "request.h"

#define SESSION_COOKIE "portal_session"
#define SESSION_CSRF_COOKIE "portal_csrf"

/*
 * Once, at start-up: cookies get the Secure attribute when secure_cookies
 * (the base URL is https), and sessions last ttl seconds.
 */
void session_configure(bool secure_cookies, int ttl);

/*
 * Identifies the caller from "Authorization: Bearer" (API routes) or the
 * session cookie, setting req->user, req->session_id, req->via_bearer.
 * Always sets req->csrf_token (issuing a visitor cookie if needed).
 * Returns -1 on a database error, else 0 (also when nobody is signed in).
 */
int session_authenticate(struct request *req);

/* Empties the in-memory copies of sessions (at exit, for leak checkers);
 * only once the HTTP threads have stopped. */
void session_cache_clear(void);

/* True if the request carries the right CSRF token (form field csrf_token or X-CSRF-Token). */
bool session_csrf_ok(const struct request *req);

/*
 * Signs user_id in: a new session row, the cookie, a new CSRF token.
 * Any previous session of this request is ended (no session fixation).
 * Sets req->session_id, but not req->user.  Returns 0, or -1 on a
 * database error (logged), in which case no session cookie is issued.
 */
int session_start(struct request *req, int64_t user_id);

/*
 * Signs out: deletes the session row, if any, clears the cookie and
 * req->session_id.  Returns -1 if the row could not be deleted (logged);
 * the cookie is cleared anyway.
 */
int session_end(struct request *req);

#endif
