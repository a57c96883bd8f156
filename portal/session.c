/*
 * session.c - sessions, bearer tokens and CSRF (see session.h).
 *
 * Cookie sessions are looked up once and then kept in memory: every signed-in
 * page would otherwise pay a query before its own.  An entry is used while
 * the session has not expired, no account or session change has been
 * committed by this process since it was read (db_accounts_generation():
 * logout, password change, an administrator's edit), and it is younger
 * than SESSION_CACHE_TTL, which bounds what a change made outside the
 * portal (SQL by hand, another process) can go unseen.  Bearer tokens of
 * the API are kept the same way, in the same table but never mistaken for
 * a cookie (or the reverse): an API client sends one with every request.
 */
#include "compat.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

#define SESSION_CACHE_SLOTS 1024
#define SESSION_CACHE_TTL 5	/* seconds */

struct session_cache_slot {
	char hash[TOKEN_HASH_PARAM_LEN];	/* "" when empty */
	bool bearer;		/* an API token, not a session cookie */
	uint64_t generation;
	time_t read_at;		/* CLOCK_MONOTONIC seconds */
	int64_t expires_at;	/* Unix time */
	int64_t session_id;
	struct user user;	/* strings point into text */
	char *text;		/* email, name and organisation name, NUL-separated */
};

static struct session_cache_slot session_cache[SESSION_CACHE_SLOTS];
static pthread_mutex_t session_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static time_t
session_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* The slot of a token hash ("\x" and 64 hex digits, already random):
 * its last 8 digits. */
static struct session_cache_slot *
session_cache_slot(const char *hash)
{
	return &session_cache[strtoul(hash + TOKEN_HASH_PARAM_LEN - 9, NULL, 16) % SESSION_CACHE_SLOTS];
}

/* Copies the live entry for hash (a bearer token's or a cookie's) into the request; false when there is none. */
static bool
session_cache_get(struct request *req, const char *hash, bool bearer)
{
	struct session_cache_slot *c = session_cache_slot(hash);
	bool hit;

	pthread_mutex_lock(&session_cache_lock);
	hit = strcmp(c->hash, hash) == 0 && c->bearer == bearer && c->generation == db_accounts_generation() &&
	      session_monotonic() - c->read_at < SESSION_CACHE_TTL && c->expires_at > time(NULL);
	if (hit) {
		req->user = arena_alloc(req->arena, sizeof(*req->user));
		*req->user = c->user;
		req->user->email = arena_strdup(req->arena, c->user.email);
		req->user->name = arena_strdup(req->arena, c->user.name);
		if (c->user.org_name != NULL)
			req->user->org_name = arena_strdup(req->arena, c->user.org_name);
		req->session_id = c->session_id;
	}
	pthread_mutex_unlock(&session_cache_lock);
	return hit;
}

/* Keeps what the database said of hash, as of generation. */
static void
session_cache_put(const char *hash, bool bearer, uint64_t generation, time_t read_at, int64_t session_id,
		  int64_t expires_at, const struct user *u)
{
	struct session_cache_slot *c = session_cache_slot(hash);
	size_t le = strlen(u->email) + 1, ln = strlen(u->name) + 1;
	size_t lo = u->org_name ? strlen(u->org_name) + 1 : 0;
	char *text = malloc(le + ln + lo), *old;

	if (text == NULL)
		log_oom(le + ln + lo);
	memcpy(text, u->email, le);
	memcpy(text + le, u->name, ln);
	if (lo > 0)
		memcpy(text + le + ln, u->org_name, lo);
	pthread_mutex_lock(&session_cache_lock);
	old = c->text;
	snprintf(c->hash, sizeof(c->hash), "%s", hash);
	c->bearer = bearer;
	c->generation = generation;
	c->read_at = read_at;
	c->expires_at = expires_at;
	c->session_id = session_id;
	c->user = *u;
	c->user.email = text;
	c->user.name = text + le;
	c->user.org_name = lo > 0 ? text + le + ln : NULL;
	c->text = text;
	pthread_mutex_unlock(&session_cache_lock);
	free(old);
}

void
session_cache_clear(void)
{
	pthread_mutex_lock(&session_cache_lock);
	for (size_t i = 0; i < SESSION_CACHE_SLOTS; i++) {
		free(session_cache[i].text);
		memset(&session_cache[i], 0, sizeof(session_cache[i]));
	}
	pthread_mutex_unlock(&session_cache_lock);
}

/*
 * The user of the session cookie hash, or of the API bearer token hash,
 * from memory or the database.
 */
static int
session_lookup(struct request *req, const char *hash, bool bearer)
{
	uint64_t generation;
	time_t read_at;
	int64_t expires_at = INT64_MAX;	/* bearer tokens last until revoked */

	if (session_cache_get(req, hash, bearer))
		return 0;
	/* Read before the query: a change committed meanwhile makes the
	 * entry stale at once rather than keeping what it replaced. */
	generation = db_accounts_generation();
	read_at = session_monotonic();
	if ((bearer ? account_db_bearer_user(req->db, req->arena, hash, &req->user) :
	     account_db_session_user(req->db, req->arena, hash, &req->user, &req->session_id,
				     &expires_at)) == -1)
		return -1;
	if (req->user != NULL)
		session_cache_put(hash, bearer, generation, read_at, req->session_id, expires_at, req->user);
	return 0;
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
		if (session_lookup(req, hash, true) == -1)
			return -1;
		req->via_bearer = req->user != NULL;
		return 0;
	}
	cookie = http_cookie(req, SESSION_COOKIE);
	if (token_well_formed(cookie)) {
		token_hash_param(cookie, hash);
		if (session_lookup(req, hash, false) == -1)
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
