/*
 * session.c - sessions, bearer tokens and CSRF (see session.h).
 */
#include "compat.h"

#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "account_db.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "response.h"
#include "router.h"
#include "session.h"
#include "token.h"

static bool session_secure;
static int session_ttl = 8 * 3600;

void
session_configure(bool secure_cookies, int ttl)
{
	session_secure = secure_cookies;
	session_ttl = ttl;
}

static void
session_set_cookie(struct request *req, const char *name, const char *value, int max_age)
{
	response_header(req, "Set-Cookie",
			arena_printf(req->arena, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
				     name, value, max_age, session_secure ? "; Secure" : ""));
}

/* The CSRF basis of a visitor: their portal_csrf cookie, issued if absent. */
static const char *
session_visitor_basis(struct request *req)
{
	const char *c = http_cookie(req, SESSION_CSRF_COOKIE);
	char *fresh;

	if (token_well_formed(c))
		return c;
	fresh = arena_alloc(req->arena, TOKEN_LEN + 1);
	token_new(fresh);
	/* Lives as long as a browser session would need to fill a form. */
	session_set_cookie(req, SESSION_CSRF_COOKIE, fresh, 86400);
	return fresh;
}

static void
session_set_csrf(struct request *req, const char *basis)
{
	char *t = arena_alloc(req->arena, TOKEN_LEN + 1);

	token_mac("csrf", basis, t);
	req->csrf_token = t;
}

int
session_authenticate(struct request *req)
{
	char hash[TOKEN_HASH_PARAM_LEN];
	const char *auth, *cookie;

	auth = (req->route->flags & ROUTE_API) ? http_header(req, "Authorization") : NULL;
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0) {
		const char *tok = auth + 7;
		if (!token_well_formed(tok))
			return 0;
		token_hash_param(tok, hash);
		if (account_db_bearer_user(req->db, req->arena, hash, &req->user) == -1)
			return -1;
		req->via_bearer = req->user != NULL;
		return 0;
	}
	cookie = http_cookie(req, SESSION_COOKIE);
	if (token_well_formed(cookie)) {
		token_hash_param(cookie, hash);
		if (account_db_session_user(req->db, req->arena, hash, &req->user,
					    &req->session_id) == -1)
			return -1;
		if (req->user != NULL) {
			session_set_csrf(req, cookie);
			return 0;
		}
	}
	session_set_csrf(req, session_visitor_basis(req));
	return 0;
}

bool
session_csrf_ok(const struct request *req)
{
	const char *sent = http_header(req, "X-CSRF-Token");

	if (sent == NULL) {
		const struct http_param *p;
		for (p = http_params(req); p != NULL; p = p->next)
			if (p->source == FIELD_BODY && strcmp(p->name, "csrf_token") == 0)
				break;
		sent = p ? p->value : NULL;
	}
	if (sent == NULL || req->csrf_token == NULL || strlen(sent) != TOKEN_LEN)
		return false;
	return sodium_memcmp(sent, req->csrf_token, TOKEN_LEN) == 0;
}

int
session_start(struct request *req, int64_t user_id)
{
	const char *ua;
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_PARAM_LEN];
	int64_t id;

	if (req->session_id != 0)
		session_end(req);
	ua = http_header(req, "User-Agent");
	token_new(token);
	token_hash_param(token, hash);
	id = account_db_session_create(req->db, user_id, hash, session_ttl, req->client_addr,
				       ua ? ua : "");
	if (id < 0)
		goto out;
	req->session_id = id;
	session_set_cookie(req, SESSION_COOKIE, token, session_ttl);
	session_set_csrf(req, token);
out:
	sodium_memzero(token, sizeof(token));
	return id < 0 ? -1 : 0;
}

int
session_end(struct request *req)
{
	int rc = 0;

	if (req->session_id != 0)
		rc = account_db_session_delete(req->db, req->session_id);
	req->session_id = 0;
	session_set_cookie(req, SESSION_COOKIE, "", 0);
	return rc;
}
