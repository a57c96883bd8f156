/*
 * ratelimit.c - counters of rate_events (see ratelimit.h).
 */
#include "compat.h"

#include "db.h"
#include "ratelimit.h"

static const struct db_stmt ratelimit_count_stmt = {
	"ratelimit_count",
	"SELECT count(*), coalesce(ceil(extract(epoch FROM min(at) + make_interval(secs => $3::int) "
	"- now())), 0) FROM rate_events "
	"WHERE kind = $1 AND key = $2 AND at > now() - make_interval(secs => $3::int)", 3
};

int
ratelimit_count(struct db *db, const char *kind, const char *key, int window,
		int64_t *count, int64_t *retry_after)
{
	char win[DB_INT_LEN];
	const char *params[] = { kind, key, db_int_param(win, window) };
	struct arena *a = arena_new();
	struct db_res *res = db_query(db, a, &ratelimit_count_stmt, params);
	int rc = -1;

	if (res != NULL && res->nrows == 1) {
		*count = db_get_int(res, 0, 0);
		*retry_after = db_get_int(res, 0, 1);
		if (*count > 0 && *retry_after < 1)
			*retry_after = 1;
		rc = 0;
	}
	arena_free(a);
	return rc;
}

static const struct db_stmt ratelimit_add_stmt = {
	"ratelimit_add", "INSERT INTO rate_events (kind, key) VALUES ($1, left($2, 254))", 2
};

int
ratelimit_add(struct db *db, const char *kind, const char *key)
{
	const char *params[] = { kind, key };

	return db_exec(db, &ratelimit_add_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt ratelimit_clear_stmt = {
	"ratelimit_clear", "DELETE FROM rate_events WHERE kind = $1 AND key = left($2, 254)", 2
};

int
ratelimit_clear(struct db *db, const char *kind, const char *key)
{
	const char *params[] = { kind, key };

	return db_exec(db, &ratelimit_clear_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt ratelimit_purge_stmt = {
	"ratelimit_purge",
	"DELETE FROM rate_events WHERE at < now() - make_interval(secs => $1::int)", 1
};

int
ratelimit_purge(struct db *db)
{
	char win[DB_INT_LEN];
	const char *params[] = { db_int_param(win, RATELIMIT_MAX_WINDOW) };

	return db_exec(db, &ratelimit_purge_stmt, params) < 0 ? -1 : 0;
}
