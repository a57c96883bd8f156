/*
 * enrol_db.c - enrolment of many people at once (see enrol_db.h).
 */
#include "compat.h"

#include "enrol_db.h"

static const struct db_stmt enrol_user_by_email = {
	"enrol_user_by_email",
	"SELECT id FROM users WHERE lower(email) = lower($1) AND status = 'active'", 1
};

int64_t
enrol_db_user_by_email(struct db *db, const char *email)
{
	const char *params[] = { email };

	return db_query_int(db, &enrol_user_by_email, params);
}

static const struct db_stmt enrol_org = {
	"enrol_org",
	"INSERT INTO enrolments (user_id, course_id) "
	"SELECT u.id, $1 FROM users u WHERE u.status = 'active' "
	"  AND (u.org_id = $2 OR ($3 AND u.org_id IN (SELECT org_subtree($2)))) "
	"ON CONFLICT DO NOTHING", 3
};

int64_t
enrol_db_org(struct db *db, int64_t course_id, int64_t org_id, bool subtree)
{
	char cid[DB_INT_LEN], oid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), db_int_param(oid, org_id),
				 subtree ? "true" : "false" };

	return db_exec(db, &enrol_org, params);
}

static const struct db_stmt enrol_user = {
	"enrol_user",
	"INSERT INTO enrolments (user_id, course_id) VALUES ($2, $1) ON CONFLICT DO NOTHING", 2
};

int
enrol_db_user(struct db *db, int64_t course_id, int64_t user_id)
{
	char cid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), db_int_param(uid, user_id) };
	int64_t n = db_exec(db, &enrol_user, params);

	return n < 0 ? -1 : (int)n;
}

static const struct db_stmt enrol_count = {
	"enrol_count", "SELECT count(*) FROM enrolments WHERE course_id = $1", 1
};

int64_t
enrol_db_count(struct db *db, int64_t course_id)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id) };

	return db_query_int(db, &enrol_count, params);
}
