/*
 * certificate_db.c - the SQL of certificates (see certificate_db.h).
 */
#include "compat.h"

#include <string.h>

#include "certificate_db.h"
#include "db.h"

/* Today as the holders live it. */
#define CERT_TODAY "(now() AT TIME ZONE 'Europe/Rome')::date"

#define CERT_COLS \
	"x.id, x.code, x.user_id, x.course_id, x.level_id, x.holder, u.email, x.course_title, " \
	"x.level_name, x.issued_on::text, x.expires_on::text, coalesce(x.expires_on < " CERT_TODAY \
	", false), x.payload, x.signature, x.key_id, x.granted_by IS NOT NULL OR x.grant_reason IS NOT NULL, " \
	"x.revoked_at IS NOT NULL, " \
	"to_char(x.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), x.revoke_reason"
#define CERT_NCOLS 19

static void
certificate_db_row(const struct db_res *res, int row, int col, struct certificate *c)
{
	c->id = db_get_int(res, row, col);
	c->code = db_get(res, row, col + 1);
	c->user_id = db_get_int(res, row, col + 2);
	c->course_id = db_get_int(res, row, col + 3);
	c->level_id = db_get_int(res, row, col + 4);
	c->holder = db_get(res, row, col + 5);
	c->email = db_get(res, row, col + 6);
	c->course_title = db_get(res, row, col + 7);
	c->level_name = db_get(res, row, col + 8);
	c->issued_on = db_get(res, row, col + 9);
	c->expires_on = db_get(res, row, col + 10);
	c->expired = db_get_bool(res, row, col + 11);
	c->payload = db_get(res, row, col + 12);
	c->signature = db_get(res, row, col + 13);
	c->key_id = db_get(res, row, col + 14);
	c->granted = db_get_bool(res, row, col + 15);
	c->revoked = db_get_bool(res, row, col + 16);
	c->revoked_at = db_get(res, row, col + 17);
	c->revoke_reason = db_get(res, row, col + 18);
}

static const struct db_stmt certificate_by_code = {
	"certificate_by_code",
	"SELECT " CERT_COLS " FROM certificates x JOIN users u ON u.id = x.user_id WHERE x.code = $1", 1
};

int
certificate_db_by_code(struct db *db, struct arena *a, const char *code, struct certificate *out,
		       bool *found)
{
	const char *params[] = { code };
	struct db_res *res = db_query(db, a, &certificate_by_code, params);

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return -1;
	if ((*found = res->nrows > 0))
		certificate_db_row(res, 0, 0, out);
	return 0;
}

static const struct db_stmt certificate_for_user = {
	"certificate_for_user",
	"SELECT " CERT_COLS " FROM certificates x JOIN users u ON u.id = x.user_id "
	"WHERE x.user_id = $1 ORDER BY x.created_at DESC, x.id DESC", 1
};

int
certificate_db_for_user(struct db *db, struct arena *a, int64_t user_id, struct certificate **out,
			int *n)
{
	char uid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id) };
	struct db_res *res = db_query(db, a, &certificate_for_user, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++)
		certificate_db_row(res, i, 0, &(*out)[i]);
	return 0;
}

/* The columns of a certificate_due for level l, user u, course c. */
#define CERT_DUE_COLS \
	"l.id, l.course_id, l.name, u.name, c.title, " CERT_TODAY "::text, " \
	"(" CERT_TODAY " + l.valid_days)::text"

static void
certificate_db_due_row(const struct db_res *res, int row, struct certificate_due *d)
{
	d->level_id = db_get_int(res, row, 0);
	d->course_id = db_get_int(res, row, 1);
	d->level_name = db_get(res, row, 2);
	d->holder = db_get(res, row, 3);
	d->course_title = db_get(res, row, 4);
	d->issued_on = db_get(res, row, 5);
	d->expires_on = db_get(res, row, 6);
}

/*
 * 'final_tests': the course is completed (every final test passed, see
 * quiz_db_grade_store).  'verification': the level has published tests
 * and every one is passed.
 */
static const struct db_stmt certificate_earned = {
	"certificate_earned",
	"SELECT " CERT_DUE_COLS " FROM certification_levels l "
	"JOIN courses c ON c.id = l.course_id JOIN users u ON u.id = $1 "
	"WHERE l.course_id = $2 "
	"  AND NOT EXISTS (SELECT 1 FROM certificates x WHERE x.user_id = $1 AND x.level_id = l.id) "
	"  AND CASE l.rule "
	"      WHEN 'final_tests' THEN EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = $1 "
	"                                      AND e.course_id = $2 AND e.completed_at IS NOT NULL) "
	"      ELSE EXISTS (SELECT 1 FROM quizzes z WHERE z.level_id = l.id AND z.published) "
	"           AND NOT EXISTS (SELECT 1 FROM quizzes z WHERE z.level_id = l.id AND z.published "
	"                           AND NOT EXISTS (SELECT 1 FROM quiz_grades g WHERE g.quiz_id = z.id "
	"                                           AND g.user_id = $1 AND g.passed)) END "
	"ORDER BY l.position", 2
};

int
certificate_db_earned(struct db *db, struct arena *a, int64_t user_id, int64_t course_id,
		      struct certificate_due **out, int *n)
{
	char uid[DB_INT_LEN], cid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), db_int_param(cid, course_id) };
	struct db_res *res = db_query(db, a, &certificate_earned, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++)
		certificate_db_due_row(res, i, &(*out)[i]);
	return 0;
}

static const struct db_stmt certificate_level = {
	"certificate_level",
	"SELECT " CERT_DUE_COLS ", EXISTS (SELECT 1 FROM certificates x WHERE x.user_id = $1 "
	"                                  AND x.level_id = l.id AND x.revoked_at IS NULL) "
	"FROM certification_levels l JOIN courses c ON c.id = l.course_id JOIN users u ON u.id = $1 "
	"WHERE l.course_id = $2 AND l.name = $3", 3
};

int
certificate_db_level(struct db *db, struct arena *a, int64_t user_id, int64_t course_id,
		     const char *level_name, struct certificate_due *out, bool *found, bool *held)
{
	char uid[DB_INT_LEN], cid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id), db_int_param(cid, course_id), level_name };
	struct db_res *res = db_query(db, a, &certificate_level, params);

	memset(out, 0, sizeof(*out));
	*held = false;
	if (res == NULL)
		return -1;
	if ((*found = res->nrows > 0)) {
		certificate_db_due_row(res, 0, out);
		*held = db_get_bool(res, 0, 7);
	}
	return 0;
}

static const struct db_stmt certificate_insert = {
	"certificate_insert",
	"INSERT INTO certificates (code, user_id, course_id, level_id, holder, course_title, level_name, "
	"    issued_on, expires_on, payload, signature, key_id, granted_by, grant_reason) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9::date, $10, $11, $12, nullif($13::bigint, 0), $14) "
	"ON CONFLICT (code) DO NOTHING RETURNING id", 14
};

int64_t
certificate_db_insert(struct db *db, int64_t user_id, const struct certificate_due *d, const char *code,
		      const char *payload, const char *signature, const char *key_id, int64_t granted_by,
		      const char *grant_reason)
{
	char uid[DB_INT_LEN], cid[DB_INT_LEN], lid[DB_INT_LEN], gid[DB_INT_LEN];
	const char *params[] = {
		code, db_int_param(uid, user_id), db_int_param(cid, d->course_id),
		db_int_param(lid, d->level_id), d->holder, d->course_title, d->level_name, d->issued_on,
		d->expires_on, payload, signature, key_id, db_int_param(gid, granted_by), grant_reason,
	};

	return db_query_int(db, &certificate_insert, params);
}

static const struct db_stmt certificate_revoke = {
	"certificate_revoke",
	"UPDATE certificates SET revoked_at = now(), revoked_by = $2, revoke_reason = $3 "
	"WHERE code = $1 AND revoked_at IS NULL", 3
};

int
certificate_db_revoke(struct db *db, const char *code, int64_t by, const char *reason, bool *done)
{
	char bid[DB_INT_LEN];
	const char *params[] = { code, db_int_param(bid, by), reason };
	int64_t n = db_exec(db, &certificate_revoke, params);

	*done = n > 0;
	return n < 0 ? -1 : 0;
}

/*
 * One due reminder, claimed by inserting its row: of two processes
 * claiming the same, the primary key lets one through.  Verification: the next level's tests
 * opened (issued_on + opens_after_days reached), the holder has no
 * certificate of that level yet.  Expiry: within 30 days of expires_on.
 */
static const struct db_stmt certificate_reminder_claim = {
	"certificate_reminder_claim",
	"WITH due AS ("
	"  SELECT x.id, 'verification_open' AS kind, n.name AS next_level FROM certificates x "
	"  JOIN certification_levels l ON l.id = x.level_id "
	"  JOIN certification_levels n ON n.course_id = l.course_id AND n.position = l.position + 1 "
	"       AND n.rule = 'verification' "
	"  WHERE x.revoked_at IS NULL AND x.issued_on + n.opens_after_days <= " CERT_TODAY
	"    AND EXISTS (SELECT 1 FROM quizzes z WHERE z.level_id = n.id AND z.published) "
	"    AND NOT EXISTS (SELECT 1 FROM certificates y WHERE y.user_id = x.user_id AND y.level_id = n.id) "
	"  UNION ALL "
	"  SELECT x.id, 'expiry', NULL FROM certificates x "
	"  WHERE x.revoked_at IS NULL AND x.expires_on IS NOT NULL "
	"    AND " CERT_TODAY " BETWEEN x.expires_on - 30 AND x.expires_on - 1), "
	"pick AS (SELECT d.* FROM due d WHERE NOT EXISTS (SELECT 1 FROM certificate_reminders r "
	"         WHERE r.certificate_id = d.id AND r.kind = d.kind) LIMIT 1), "
	"claimed AS (INSERT INTO certificate_reminders (certificate_id, kind) "
	"            SELECT id, kind FROM pick ON CONFLICT DO NOTHING RETURNING certificate_id, kind) "
	"SELECT " CERT_COLS ", c.kind, p.next_level FROM claimed c JOIN pick p ON p.id = c.certificate_id "
	"JOIN certificates x ON x.id = c.certificate_id JOIN users u ON u.id = x.user_id", 0
};

int
certificate_db_reminder_claim(struct db *db, struct arena *a, struct certificate_reminder *out,
			      bool *found)
{
	struct db_res *res = db_query(db, a, &certificate_reminder_claim, NULL);

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return -1;
	if ((*found = res->nrows > 0)) {
		certificate_db_row(res, 0, 0, &out->cert);
		out->kind = db_get(res, 0, CERT_NCOLS);
		out->next_level = db_get(res, 0, CERT_NCOLS + 1);
	}
	return 0;
}

static const struct db_stmt certificate_verification_opens = {
	"certificate_verification_opens",
	"SELECT (min(x.issued_on) + l.opens_after_days)::text, "
	"       coalesce(min(x.issued_on) + l.opens_after_days <= " CERT_TODAY ", false) "
	"FROM quizzes z JOIN certification_levels l ON l.id = z.level_id "
	"JOIN certification_levels p ON p.course_id = l.course_id AND p.position = l.position - 1 "
	"LEFT JOIN certificates x ON x.level_id = p.id AND x.user_id = $2 AND x.revoked_at IS NULL "
	"WHERE z.id = $1 GROUP BY l.opens_after_days", 2
};

int
certificate_db_verification_opens(struct db *db, struct arena *a, int64_t quiz_id, int64_t user_id,
				  const char **opens_on, bool *open_now)
{
	char qid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(qid, quiz_id), db_int_param(uid, user_id) };
	struct db_res *res = db_query(db, a, &certificate_verification_opens, params);

	*opens_on = NULL;
	*open_now = false;
	if (res == NULL)
		return -1;
	if (res->nrows > 0) {
		*opens_on = db_get(res, 0, 0);
		*open_now = db_get_bool(res, 0, 1);
	}
	return 0;
}

static const struct db_stmt certificate_verifications = {
	"certificate_verifications",
	"SELECT z.id, z.title, l.name, (x.issued_on + l.opens_after_days)::text, "
	"       x.issued_on + l.opens_after_days <= " CERT_TODAY " "
	"FROM certificates x JOIN certification_levels p ON p.id = x.level_id "
	"JOIN certification_levels l ON l.course_id = p.course_id AND l.position = p.position + 1 "
	"     AND l.rule = 'verification' "
	"JOIN quizzes z ON z.level_id = l.id AND z.published "
	"WHERE x.user_id = $1 AND x.revoked_at IS NULL "
	"  AND NOT EXISTS (SELECT 1 FROM certificates y WHERE y.user_id = $1 AND y.level_id = l.id) "
	"ORDER BY z.title, z.id", 1
};

int
certificate_db_verifications(struct db *db, struct arena *a, int64_t user_id,
			     struct certificate_verification **out, int *n)
{
	char uid[DB_INT_LEN];
	const char *params[] = { db_int_param(uid, user_id) };
	struct db_res *res = db_query(db, a, &certificate_verifications, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++) {
		struct certificate_verification *v = &(*out)[i];

		v->quiz_id = db_get_int(res, i, 0);
		v->title = db_get(res, i, 1);
		v->level_name = db_get(res, i, 2);
		v->opens_on = db_get(res, i, 3);
		v->open_now = db_get_bool(res, i, 4);
	}
	return 0;
}

static const struct db_stmt certificate_level_create = {
	"certificate_level_create",
	"INSERT INTO certification_levels (course_id, position, name, rule, opens_after_days, valid_days) "
	"SELECT $1, coalesce(max(position), 0) + 1, $2, $3, $4, nullif($5::int, 0) "
	"FROM certification_levels WHERE course_id = $1 RETURNING id", 5
};

int64_t
certificate_db_level_create(struct db *db, int64_t course_id, const char *name, const char *rule,
			    int opens_after_days, int valid_days)
{
	char cid[DB_INT_LEN], days[DB_INT_LEN], valid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), name, rule,
				 db_int_param(days, opens_after_days), db_int_param(valid, valid_days) };
	int64_t id = db_query_int(db, &certificate_level_create, params);

	return id > 0 ? id : -1;
}

static const struct db_stmt certificate_has_levels = {
	"certificate_has_levels",
	"SELECT count(*) FROM certification_levels WHERE course_id = $1", 1
};

int
certificate_db_has_levels(struct db *db, int64_t course_id)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id) };
	int64_t n = db_query_int(db, &certificate_has_levels, params);

	return n < 0 ? -1 : n > 0;
}

static const struct db_stmt certificate_recent = {
	"certificate_recent",
	"SELECT " CERT_COLS " FROM certificates x JOIN users u ON u.id = x.user_id "
	"ORDER BY x.created_at DESC, x.id DESC LIMIT $1", 1
};

int
certificate_db_recent(struct db *db, struct arena *a, int limit, struct certificate **out, int *n)
{
	char lim[DB_INT_LEN];
	const char *params[] = { db_int_param(lim, limit) };
	struct db_res *res = db_query(db, a, &certificate_recent, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++)
		certificate_db_row(res, i, 0, &(*out)[i]);
	return 0;
}

static const struct db_stmt certificate_levels = {
	"certificate_levels",
	"SELECT l.id, l.course_id, c.title, l.name FROM certification_levels l "
	"JOIN courses c ON c.id = l.course_id ORDER BY lower(c.title), c.id, l.position", 0
};

int
certificate_db_levels(struct db *db, struct arena *a, struct certificate_level **out, int *n)
{
	struct db_res *res = db_query(db, a, &certificate_levels, NULL);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++) {
		(*out)[i].id = db_get_int(res, i, 0);
		(*out)[i].course_id = db_get_int(res, i, 1);
		(*out)[i].course_title = db_get(res, i, 2);
		(*out)[i].name = db_get(res, i, 3);
	}
	return 0;
}

#define CERT_LEVEL_COLS \
	"l.id, l.course_id, l.position, l.name, l.rule, l.opens_after_days, coalesce(l.valid_days, 0), " \
	"coalesce((SELECT z.id FROM quizzes z WHERE z.level_id = l.id ORDER BY z.id LIMIT 1), 0), " \
	"(SELECT count(*) FROM certificates x WHERE x.level_id = l.id) "

static void
certificate_db_level_row(const struct db_res *res, int row, struct certificate_level_row *l)
{
	l->id = db_get_int(res, row, 0);
	l->course_id = db_get_int(res, row, 1);
	l->position = (int)db_get_int(res, row, 2);
	l->name = db_get(res, row, 3);
	l->rule = db_get(res, row, 4);
	l->opens_after_days = (int)db_get_int(res, row, 5);
	l->valid_days = (int)db_get_int(res, row, 6);
	l->quiz_id = db_get_int(res, row, 7);
	l->certificates = db_get_int(res, row, 8);
}

static const struct db_stmt certificate_course_levels = {
	"certificate_course_levels",
	"SELECT " CERT_LEVEL_COLS "FROM certification_levels l WHERE l.course_id = $1 ORDER BY l.position", 1
};

int
certificate_db_course_levels(struct db *db, struct arena *a, int64_t course_id,
			     struct certificate_level_row **out, int *n)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id) };
	struct db_res *res = db_query(db, a, &certificate_course_levels, params);

	if (res == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++)
		certificate_db_level_row(res, i, &(*out)[i]);
	return 0;
}

static const struct db_stmt certificate_level_get = {
	"certificate_level_get",
	"SELECT " CERT_LEVEL_COLS "FROM certification_levels l WHERE l.id = $1", 1
};

int
certificate_db_level_get(struct db *db, struct arena *a, int64_t id, struct certificate_level_row *out,
			 bool *found)
{
	char lid[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, id) };
	struct db_res *res = db_query(db, a, &certificate_level_get, params);

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return -1;
	if ((*found = res->nrows > 0))
		certificate_db_level_row(res, 0, out);
	return 0;
}

static const struct db_stmt certificate_level_update = {
	"certificate_level_update",
	"UPDATE certification_levels SET name = $2, "
	"       opens_after_days = CASE WHEN rule = 'verification' THEN $3::int ELSE 0 END, "
	"       valid_days = nullif($4::int, 0) WHERE id = $1", 4
};

int
certificate_db_level_update(struct db *db, int64_t id, const char *name, int opens_after_days,
			    int valid_days)
{
	char lid[DB_INT_LEN], days[DB_INT_LEN], valid[DB_INT_LEN];
	const char *params[] = { db_int_param(lid, id), name, db_int_param(days, opens_after_days),
				 db_int_param(valid, valid_days) };

	return db_exec(db, &certificate_level_update, params) == 1 ? 0 : -1;
}
