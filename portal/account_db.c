/*
 * account_db.c - account SQL (see account_db.h).
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "account_db.h"
#include "db.h"
#include "role.h"

/* Columns every user query returns, in this order (account_db_row). */
#define ACCOUNT_COLUMNS \
	"u.id, u.email, u.name, u.roles::text, coalesce(u.org_id, 0), o.name, u.status, " \
	"u.password_hash, to_char(u.created_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI')"
#define ACCOUNT_FROM " FROM users u LEFT JOIN orgs o ON o.id = u.org_id "

static void
account_db_row(const struct db_res *res, int row, struct account *out)
{
	out->user.id = db_get_int(res, row, 0);
	out->user.email = db_get(res, row, 1);
	out->user.name = db_get(res, row, 2);
	out->user.roles = role_parse_array(db_get(res, row, 3));
	out->user.org_id = db_get_int(res, row, 4);
	out->user.org_name = db_get(res, row, 5);
	out->status = db_get(res, row, 6);
	out->password_hash = db_get(res, row, 7);
	out->created_at = db_get(res, row, 8);
}

static const struct db_stmt account_session_user = {
	"account_session_user",
	"SELECT s.id, floor(extract(epoch FROM s.expires_at))::bigint, " ACCOUNT_COLUMNS
	" FROM sessions s JOIN users u ON u.id = s.user_id "
	"LEFT JOIN orgs o ON o.id = u.org_id "
	"WHERE s.token_hash = $1 AND s.expires_at > now() AND u.status = 'active'", 1
};

int
account_db_session_user(struct db *db, struct arena *a, const char *hash,
			struct user **out, int64_t *session_id, int64_t *expires_at)
{
	const char *params[] = { hash };
	struct db_res *res;
	struct account acct;

	*out = NULL;
	if ((res = db_query(db, a, &account_session_user, params)) == NULL)
		return -1;
	if (res->nrows == 0)
		return 0;
	*session_id = db_get_int(res, 0, 0);
	*expires_at = db_get_int(res, 0, 1);
	/* Skip the session columns: the user columns follow. */
	struct db_res shifted = *res;
	shifted.cells = res->cells + 2;
	account_db_row(&shifted, 0, &acct);
	*out = arena_alloc(a, sizeof(**out));
	**out = acct.user;
	return 0;
}

static const struct db_stmt account_bearer_user = {
	"account_bearer_user",
	"SELECT " ACCOUNT_COLUMNS " FROM api_tokens t JOIN users u ON u.id = t.user_id "
	"LEFT JOIN orgs o ON o.id = u.org_id "
	"WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.status = 'active'", 1
};

int
account_db_bearer_user(struct db *db, struct arena *a, const char *hash, struct user **out)
{
	const char *params[] = { hash };
	struct db_res *res;
	struct account acct;

	*out = NULL;
	if ((res = db_query(db, a, &account_bearer_user, params)) == NULL)
		return -1;
	if (res->nrows == 0)
		return 0;
	account_db_row(res, 0, &acct);
	*out = arena_alloc(a, sizeof(**out));
	**out = acct.user;
	return 0;
}

static const struct db_stmt account_session_create = {
	"account_session_create",
	"INSERT INTO sessions (user_id, token_hash, expires_at, addr, user_agent) "
	"VALUES ($1, $2, now() + make_interval(secs => $3::int), $4, left($5, 300)) RETURNING id", 5
};

int64_t
account_db_session_create(struct db *db, int64_t user_id, const char *hash, int ttl,
			  const char *addr, const char *user_agent)
{
	char uid[DB_INT_LEN], ttls[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), hash, db_int_param(ttls, ttl),
				 addr, user_agent };
	int64_t id = db_query_int(db, &account_session_create, params);

	return id > 0 ? id : -1;
}

/*
 * After a statement that changed users or sessions rows: tells db.c, so
 * that the sessions kept in memory are dropped once it is committed.
 * Returns 0 when the statement ran (affected >= 0), else -1.
 */
static int
account_db_changed(struct db *db, int64_t affected)
{
	if (affected < 0)
		return -1;
	db_accounts_changed(db);
	return 0;
}

static const struct db_stmt account_session_delete = {
	"account_session_delete", "DELETE FROM sessions WHERE id = $1", 1
};

int
account_db_session_delete(struct db *db, int64_t session_id)
{
	char sid[DB_INT_LEN];
	const char *params[] = { db_int_param(sid, session_id) };

	return account_db_changed(db, db_exec(db, &account_session_delete, params));
}

static const struct db_stmt account_sessions_end = {
	"account_sessions_end", "DELETE FROM sessions WHERE user_id = $1", 1
};

int
account_db_sessions_end(struct db *db, int64_t user_id)
{
	char uid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id) };

	return account_db_changed(db, db_exec(db, &account_sessions_end, params));
}

static const struct db_stmt account_bearer_create = {
	"account_bearer_create", "INSERT INTO api_tokens (user_id, token_hash) VALUES ($1, $2)", 2
};

int
account_db_bearer_create(struct db *db, int64_t user_id, const char *hash)
{
	char uid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), hash };

	return db_exec(db, &account_bearer_create, params) < 0 ? -1 : 0;
}

static const struct db_stmt account_by_email = {
	"account_by_email",
	"SELECT " ACCOUNT_COLUMNS ACCOUNT_FROM "WHERE lower(u.email) = lower($1)", 1
};

static const struct db_stmt account_by_id = {
	"account_by_id", "SELECT " ACCOUNT_COLUMNS ACCOUNT_FROM "WHERE u.id = $1", 1
};

static const struct db_stmt account_lock = {
	"account_lock", "SELECT " ACCOUNT_COLUMNS ACCOUNT_FROM "WHERE u.id = $1 FOR UPDATE OF u", 1
};

static int
account_db_one(struct db *db, struct arena *a, const struct db_stmt *stmt, const char *param,
	       struct account *out, bool *found)
{
	const char *params[] = { param };
	struct db_res *res;

	*found = false;
	if ((res = db_query(db, a, stmt, params)) == NULL)
		return -1;
	if (res->nrows == 1) {
		account_db_row(res, 0, out);
		*found = true;
	}
	return 0;
}

int
account_db_by_email(struct db *db, struct arena *a, const char *email,
		    struct account *out, bool *found)
{
	return account_db_one(db, a, &account_by_email, email, out, found);
}

int
account_db_by_id(struct db *db, struct arena *a, int64_t id, struct account *out, bool *found)
{
	char ids[DB_INT_LEN];

	return account_db_one(db, a, &account_by_id, db_int_param(ids, id), out, found);
}

int
account_db_lock(struct db *db, struct arena *a, int64_t id, struct account *out, bool *found)
{
	char ids[DB_INT_LEN];

	return account_db_one(db, a, &account_lock, db_int_param(ids, id), out, found);
}

static const struct db_stmt account_create = {
	"account_create",
	"INSERT INTO users (email, name, password_hash, org_id, status, roles, privacy_accepted_at) "
	"VALUES ($1, $2, $3, nullif($4::bigint, 0), $5, $6::text[], now()) "
	"ON CONFLICT (lower(email)) DO NOTHING RETURNING id", 6
};

int64_t
account_db_create(struct db *db, const char *email, const char *name, const char *password_hash,
		  int64_t org_id, const char *status, const char *roles)
{
	char org[DB_INT_LEN];
	const char *params[] = { email, name, password_hash, db_int_param(org, org_id), status, roles };
	return db_query_int(db, &account_create, params);
}

static const struct db_stmt account_set_status = {
	"account_set_status",
	"UPDATE users SET status = $2, "
	"approved_at = CASE WHEN $3::bigint > 0 THEN now() ELSE approved_at END, "
	"approved_by = CASE WHEN $3::bigint > 0 THEN $3::bigint ELSE approved_by END "
	"WHERE id = $1", 3
};

int
account_db_set_status(struct db *db, int64_t id, const char *status, int64_t approved_by)
{
	char ids[DB_INT_LEN], by[DB_INT_LEN];
	const char *params[] = { db_int_param(ids, id), status, db_int_param(by, approved_by) };

	return account_db_changed(db, db_exec(db, &account_set_status, params));
}

/* One-column updates share a shape: id and the new value. */
static int
account_db_set(struct db *db, const struct db_stmt *stmt, int64_t id, const char *value)
{
	char ids[DB_INT_LEN];
	const char *params[] = { db_int_param(ids, id), value };

	return account_db_changed(db, db_exec(db, stmt, params));
}

static const struct db_stmt account_set_password = {
	"account_set_password", "UPDATE users SET password_hash = $2 WHERE id = $1", 2
};
static const struct db_stmt account_set_name = {
	"account_set_name", "UPDATE users SET name = $2 WHERE id = $1", 2
};
static const struct db_stmt account_set_roles = {
	"account_set_roles", "UPDATE users SET roles = $2::text[] WHERE id = $1", 2
};
static const struct db_stmt account_set_org = {
	"account_set_org", "UPDATE users SET org_id = nullif($2::bigint, 0) WHERE id = $1", 2
};

int
account_db_set_password(struct db *db, int64_t id, const char *password_hash)
{
	return account_db_set(db, &account_set_password, id, password_hash);
}

int
account_db_set_name(struct db *db, int64_t id, const char *name)
{
	return account_db_set(db, &account_set_name, id, name);
}

int
account_db_set_roles(struct db *db, int64_t id, const char *roles)
{
	return account_db_set(db, &account_set_roles, id, roles);
}

int
account_db_set_org(struct db *db, int64_t id, int64_t org_id)
{
	char org[DB_INT_LEN];

	return account_db_set(db, &account_set_org, id, db_int_param(org, org_id));
}

/* The filter's text is matched as a literal substring: LIKE's wildcards
 * in it are escaped by the query itself, not by C code. */
static const struct db_stmt account_list = {
	"account_list",
	"SELECT " ACCOUNT_COLUMNS ", count(*) OVER ()" ACCOUNT_FROM
	"WHERE ($1::text IS NULL OR u.name ILIKE '%' || replace(replace(replace($1, '\\', '\\\\'), "
	"'%', '\\%'), '_', '\\_') || '%' OR u.email ILIKE '%' || replace(replace(replace($1, '\\', "
	"'\\\\'), '%', '\\%'), '_', '\\_') || '%') "
	"AND ($2::text IS NULL OR u.status = $2) AND ($3::bigint = 0 OR u.org_id = $3) "
	"ORDER BY u.status = 'pending' DESC, lower(u.name), u.id LIMIT $4 OFFSET $5", 5
};

int
account_db_list(struct db *db, struct arena *a, const struct account_filter *f,
		struct account_list *out)
{
	char org[DB_INT_LEN], lim[DB_INT_LEN], off[DB_INT_LEN];
	const char *params[] = { f->query, f->status, db_int_param(org, f->org_id),
				 db_int_param(lim, f->limit), db_int_param(off, f->offset) };
	struct db_res *res;

	if ((res = db_query(db, a, &account_list, params)) == NULL)
		return -1;
	out->count = res->nrows;
	out->total = res->nrows ? db_get_int(res, 0, 9) : 0;
	out->items = arena_calloc(a, (size_t)res->nrows, sizeof(*out->items));
	for (int i = 0; i < res->nrows; i++)
		account_db_row(res, i, &out->items[i]);
	return 0;
}

static const struct db_stmt account_token_create = {
	"account_token_create",
	"INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) "
	"VALUES ($1, $2, $3, now() + make_interval(secs => $4::int))", 4
};

int
account_db_token_create(struct db *db, int64_t user_id, const char *purpose, const char *hash,
			int ttl)
{
	char uid[DB_INT_LEN], ttls[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), purpose, hash, db_int_param(ttls, ttl) };

	return db_exec(db, &account_token_create, params) < 0 ? -1 : 0;
}

/* Consuming is one UPDATE: two concurrent uses cannot both succeed. */
static const struct db_stmt account_token_use = {
	"account_token_use",
	"UPDATE user_tokens SET used_at = now() WHERE token_hash = $2 AND purpose = $1 "
	"AND used_at IS NULL AND expires_at > now() RETURNING user_id", 2
};

int64_t
account_db_token_use(struct db *db, const char *purpose, const char *hash)
{
	const char *params[] = { purpose, hash };
	return db_query_int(db, &account_token_use, params);
}

static const struct db_stmt account_tokens_revoke = {
	"account_tokens_revoke",
	"UPDATE user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL", 2
};

int
account_db_tokens_revoke(struct db *db, int64_t user_id, const char *purpose)
{
	char uid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), purpose };

	return db_exec(db, &account_tokens_revoke, params) < 0 ? -1 : 0;
}

static const struct db_stmt account_purge_expired = {
	"account_purge_expired",
	"WITH s AS (DELETE FROM sessions WHERE expires_at < now()) "
	"DELETE FROM user_tokens WHERE expires_at < now() - interval '7 days'", 0
};

int
account_db_purge_expired(struct db *db)
{
	return db_exec(db, &account_purge_expired, NULL) < 0 ? -1 : 0;
}

static const struct db_stmt account_audit = {
	"account_audit",
	"INSERT INTO audit_log (actor_id, action, subject_id, detail, addr) "
	"VALUES (nullif($1::bigint, 0), $2, nullif($3::bigint, 0), $4, $5)", 5
};

int
account_db_audit(struct db *db, int64_t actor_id, const char *action, int64_t subject_id,
		 const char *detail, const char *addr)
{
	char actor[DB_INT_LEN], subject[DB_INT_LEN];
	const char *params[] = { db_int_param(actor, actor_id), action,
				 db_int_param(subject, subject_id), detail ? detail : "", addr };

	return db_exec(db, &account_audit, params) < 0 ? -1 : 0;
}
