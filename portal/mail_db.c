/*
 * mail_db.c - outbox SQL (see mail_db.h).
 */
#include "compat.h"

#include "buf.h"
#include "db.h"
#include "mail.h"
#include "mail_db.h"

#define MAIL_DB_STR(x) MAIL_DB_STR2(x)
#define MAIL_DB_STR2(x) #x

static const struct db_stmt mail_db_insert_stmt = {
	"mail_db_insert",
	"INSERT INTO mail_outbox (to_addr, subject, message) VALUES ($1, $2, $3)", 3
};

int
mail_db_insert(struct db *db, const char *to, const char *subject, const char *message)
{
	const char *params[] = { to, subject, message };

	return db_exec(db, &mail_db_insert_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt mail_db_claim_stmt = {
	"mail_db_claim",
	"UPDATE mail_outbox o SET next_attempt_at = now() + make_interval(secs => $1::int) "
	"WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'queued' "
	"AND next_attempt_at <= now() ORDER BY priority, next_attempt_at, id LIMIT "
	MAIL_DB_STR(MAIL_DB_BATCH) " FOR UPDATE SKIP LOCKED) "
	"RETURNING id, to_addr, message, source, source_id, recipient_id, "
	"EXISTS (SELECT 1 FROM mail_bounces b WHERE b.address = lower(o.to_addr) "
	"AND b.suppressed_at IS NOT NULL)", 1
};

int
mail_db_claim(struct db *db, struct arena *a, int lease, struct mail_db_item items[MAIL_DB_BATCH])
{
	char lease_param[DB_INT_LEN];
	const char *params[] = { db_int_param(lease_param, lease) };
	struct db_res *res = db_query(db, a, &mail_db_claim_stmt, params);
	int n;

	if (res == NULL)
		return -1;
	n = res->nrows < MAIL_DB_BATCH ? res->nrows : MAIL_DB_BATCH;
	for (int i = 0; i < n; i++) {
		items[i].id = db_get(res, i, 0);
		items[i].to = db_get(res, i, 1);
		items[i].message = db_get(res, i, 2);
		items[i].source = db_get(res, i, 3);
		items[i].source_id = db_get_int(res, i, 4);
		items[i].recipient_id = db_get_int(res, i, 5);
		items[i].suppressed = db_get_bool(res, i, 6);
	}
	return n;
}

static const struct db_stmt mail_db_release_stmt = {
	"mail_db_release",
	"UPDATE mail_outbox SET next_attempt_at = now() WHERE id = ANY ($1::bigint[]) "
	"AND status = 'queued'", 1
};

int
mail_db_release(struct db *db, struct arena *a, const struct mail_db_item *items, int n)
{
	struct buf ids;
	const char *params[1];
	int rc;

	if (n <= 0)
		return 0;
	buf_init(&ids, 64 * MAIL_DB_BATCH);
	buf_printf(&ids, "{");
	for (int i = 0; i < n; i++)
		buf_printf(&ids, "%s%s", i ? "," : "", items[i].id);
	buf_printf(&ids, "}");
	params[0] = arena_strdup(a, ids.data);
	buf_release(&ids);
	rc = db_exec(db, &mail_db_release_stmt, params) < 0 ? -1 : 0;
	return rc;
}

static const struct db_stmt mail_db_finish_stmt = {
	"mail_db_finish",
	"UPDATE mail_outbox SET status = $2 WHERE id = $1 AND $2 IN ('cancelled', 'suppressed')", 2
};

int
mail_db_finish(struct db *db, const char *id, const char *status)
{
	const char *params[] = { id, status };

	return db_exec(db, &mail_db_finish_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt mail_db_bounced_stmt = {
	"mail_db_bounced",
	"WITH m AS (UPDATE mail_outbox SET status = 'failed', bounced = true, "
	"attempts = attempts + 1, last_error = left($2, 500) WHERE id = $1 "
	"RETURNING lower(to_addr) AS address) "
	"INSERT INTO mail_bounces AS b (address, bounces, last_error, suppressed_at) "
	"SELECT address, 1, left($2, 500), CASE WHEN $3::int <= 1 THEN now() END FROM m "
	"ON CONFLICT (address) DO UPDATE SET bounces = b.bounces + 1, "
	"last_error = EXCLUDED.last_error, updated_at = now(), "
	"suppressed_at = CASE WHEN b.bounces + 1 >= $3::int THEN coalesce(b.suppressed_at, now()) "
	"ELSE b.suppressed_at END", 3
};

int
mail_db_bounced(struct db *db, const char *id, const char *error, int bounce_limit)
{
	char limit[DB_INT_LEN];
	const char *params[] = { id, error, db_int_param(limit, bounce_limit) };

	return db_exec(db, &mail_db_bounced_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt mail_db_counts_stmt = {
	"mail_db_counts",
	"SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'sent'), "
	"count(*) FILTER (WHERE status = 'failed' AND NOT bounced), "
	"count(*) FILTER (WHERE bounced OR status = 'suppressed'), "
	"count(*) FILTER (WHERE status = 'cancelled') "
	"FROM mail_outbox WHERE source = $1 AND source_id = $2", 2
};

int
mail_db_counts(struct db *db, struct arena *a, const char *source, int64_t source_id,
	       struct mail_counts *out)
{
	char id[DB_INT_LEN];
	const char *params[] = { source, db_int_param(id, source_id) };
	struct db_res *res = db_query(db, a, &mail_db_counts_stmt, params);

	if (res == NULL || res->nrows != 1)
		return -1;
	out->queued = db_get_int(res, 0, 0);
	out->sent = db_get_int(res, 0, 1);
	out->failed = db_get_int(res, 0, 2);
	out->bounced = db_get_int(res, 0, 3);
	out->cancelled = db_get_int(res, 0, 4);
	return 0;
}

static const struct db_stmt mail_db_suppressed_stmt = {
	"mail_db_suppressed",
	"SELECT count(*) FROM mail_bounces WHERE address = lower($1) AND suppressed_at IS NOT NULL", 1
};

int
mail_db_suppressed(struct db *db, const char *address)
{
	const char *params[] = { address };
	int64_t n = db_query_int(db, &mail_db_suppressed_stmt, params);

	return n < 0 ? -1 : n > 0;
}

static const struct db_stmt mail_db_sent_stmt = {
	"mail_db_sent",
	"UPDATE mail_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, "
	"last_error = NULL WHERE id = $1", 1
};

int
mail_db_sent(struct db *db, const char *id)
{
	const char *params[] = { id };

	return db_exec(db, &mail_db_sent_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt mail_db_failed_stmt = {
	"mail_db_failed",
	"UPDATE mail_outbox SET attempts = attempts + 1, last_error = left($2, 500), "
	"status = CASE WHEN attempts + 1 >= $3::int THEN 'failed' ELSE 'queued' END, "
	"next_attempt_at = now() + make_interval(secs => least(3600, 30 * power(2, attempts))) "
	"WHERE id = $1", 3
};

int
mail_db_failed(struct db *db, const char *id, const char *error, int max_attempts)
{
	char max[DB_INT_LEN];
	const char *params[] = { id, error, db_int_param(max, max_attempts) };

	return db_exec(db, &mail_db_failed_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt mail_db_depth_stmt = {
	"mail_db_depth", "SELECT count(*) FROM mail_outbox WHERE status = 'queued'", 0
};

int64_t
mail_db_depth(struct db *db, struct arena *a)
{
	struct db_res *res = db_query(db, a, &mail_db_depth_stmt, NULL);

	return res && res->nrows == 1 ? db_get_int(res, 0, 0) : -1;
}
