/*
 * mail_db.c - outbox SQL (see mail_db.h).
 */
#include "compat.h"

#include "db.h"
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
	"UPDATE mail_outbox SET next_attempt_at = now() + interval '10 minutes' "
	"WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'queued' "
	"AND next_attempt_at <= now() ORDER BY id LIMIT " MAIL_DB_STR(MAIL_DB_BATCH)
	" FOR UPDATE SKIP LOCKED) RETURNING id, to_addr, message", 0
};

int
mail_db_claim(struct db *db, struct arena *a, struct mail_db_item items[MAIL_DB_BATCH])
{
	struct db_res *res = db_query(db, a, &mail_db_claim_stmt, NULL);

	if (res == NULL)
		return -1;
	for (int i = 0; i < res->nrows && i < MAIL_DB_BATCH; i++) {
		items[i].id = db_get(res, i, 0);
		items[i].to = db_get(res, i, 1);
		items[i].message = db_get(res, i, 2);
	}
	return res->nrows < MAIL_DB_BATCH ? res->nrows : MAIL_DB_BATCH;
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
