/*
 * cohort_db.c - cohorts SQL (see cohort_db.h).
 */
#include "compat.h"

#include <string.h>

#include "cohort_db.h"
#include "db.h"

static const struct db_stmt cohort_list = {
	"cohort_list",
	"SELECT co.id, co.course_id, c.title, co.name, to_char(co.starts_on, 'DD/MM/YYYY'), "
	"       (SELECT count(*) FROM cohort_members m WHERE m.cohort_id = co.id), "
	"       (SELECT count(*) FROM cohort_sessions s WHERE s.cohort_id = co.id) "
	"FROM cohorts co JOIN courses c ON c.id = co.course_id "
	"WHERE co.course_id = $1 ORDER BY co.starts_on, co.name, co.id", 1
};

static const struct db_stmt cohort_get = {
	"cohort_get",
	"SELECT co.id, co.course_id, c.title, co.name, to_char(co.starts_on, 'DD/MM/YYYY'), "
	"       (SELECT count(*) FROM cohort_members m WHERE m.cohort_id = co.id), "
	"       (SELECT count(*) FROM cohort_sessions s WHERE s.cohort_id = co.id) "
	"FROM cohorts co JOIN courses c ON c.id = co.course_id WHERE co.id = $1", 1
};

static void
cohort_row(const struct db_res *res, int r, struct cohort *c)
{
	c->id = db_get_int(res, r, 0);
	c->course_id = db_get_int(res, r, 1);
	c->course_title = db_get(res, r, 2);
	c->name = db_get(res, r, 3);
	c->starts_on = db_get(res, r, 4);
	c->nmembers = (int)db_get_int(res, r, 5);
	c->nsessions = (int)db_get_int(res, r, 6);
}

int
cohort_db_list(struct db *db, struct arena *a, int64_t course_id, struct cohort **out, int *count)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id) };
	struct db_res *res;

	*out = NULL;
	*count = 0;
	if ((res = db_query(db, a, &cohort_list, params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++)
		cohort_row(res, r, &(*out)[r]);
	*count = res->nrows;
	return 0;
}

static const struct db_stmt cohort_create = {
	"cohort_create",
	"INSERT INTO cohorts (course_id, name, starts_on, created_by) "
	"VALUES ($1, $2, $3::date, NULLIF($4::bigint, 0)) "
	"ON CONFLICT (course_id, name) DO NOTHING RETURNING id", 4
};

int64_t
cohort_db_create(struct db *db, int64_t course_id, const char *name, const char *starts_on,
		 int64_t created_by)
{
	char cid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), name, starts_on,
				 db_int_param(uid, created_by) };

	return db_query_int(db, &cohort_create, params);
}

int
cohort_db_get(struct db *db, struct arena *a, int64_t id, struct cohort *out, bool *found)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, id) };
	struct db_res *res;

	memset(out, 0, sizeof(*out));
	*found = false;
	if ((res = db_query(db, a, &cohort_get, params)) == NULL)
		return -1;
	if (res->nrows > 0) {
		cohort_row(res, 0, out);
		*found = true;
	}
	return 0;
}

static const struct db_stmt cohort_find = {
	"cohort_find", "SELECT id FROM cohorts WHERE course_id = $1 AND name = $2", 2
};

int64_t
cohort_db_find(struct db *db, int64_t course_id, const char *name)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), name };

	return db_query_int(db, &cohort_find, params);
}

static const struct db_stmt cohort_members = {
	"cohort_members",
	"SELECT u.id, u.name, u.email FROM cohort_members m JOIN users u ON u.id = m.user_id "
	"WHERE m.cohort_id = $1 ORDER BY u.name, u.id", 1
};

int
cohort_db_members(struct db *db, struct arena *a, int64_t cohort_id, struct cohort_member **out,
		  int *count)
{
	char cid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, cohort_id) };
	struct db_res *res;

	*out = NULL;
	*count = 0;
	if ((res = db_query(db, a, &cohort_members, params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		(*out)[r].user_id = db_get_int(res, r, 0);
		(*out)[r].name = db_get(res, r, 1);
		(*out)[r].email = db_get(res, r, 2);
	}
	*count = res->nrows;
	return 0;
}

static const struct db_stmt cohort_add_member = {
	"cohort_add_member",
	"WITH member AS (INSERT INTO cohort_members (cohort_id, user_id) VALUES ($1, $2) "
	"                ON CONFLICT DO NOTHING) "
	"INSERT INTO enrolments (user_id, course_id) SELECT $2, course_id FROM cohorts WHERE id = $1 "
	"ON CONFLICT DO NOTHING", 2
};

int
cohort_db_add_member(struct db *db, int64_t cohort_id, int64_t user_id)
{
	char cid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, cohort_id), db_int_param(uid, user_id) };

	return db_exec(db, &cohort_add_member, params) < 0 ? -1 : 0;
}

static const struct db_stmt cohort_is_member = {
	"cohort_is_member",
	"SELECT count(*) FROM cohort_members WHERE cohort_id = $1 AND user_id = $2", 2
};

int
cohort_db_is_member(struct db *db, int64_t cohort_id, int64_t user_id, bool *member)
{
	char cid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, cohort_id), db_int_param(uid, user_id) };
	int64_t n = db_query_int(db, &cohort_is_member, params);

	*member = n > 0;
	return n < 0 ? -1 : 0;
}

/* The wall-clock time in Rome becomes an instant here, so DST is PostgreSQL's business. */
static const struct db_stmt cohort_session_add = {
	"cohort_session_add",
	"INSERT INTO cohort_sessions (cohort_id, module_id, kind, starts_at, ends_at, place, "
	"                             meeting_url, recording_url) "
	"SELECT $1, NULLIF($2::bigint, 0), $3, t, t + make_interval(mins => $5::int), $6, $7, $8 "
	"FROM (SELECT $4::timestamp AT TIME ZONE 'Europe/Rome' AS t) x RETURNING id", 8
};

int64_t
cohort_db_session_add(struct db *db, int64_t cohort_id, int64_t module_id, bool live,
		      const char *local_start, int minutes, const char *place,
		      const char *meeting_url, const char *recording_url)
{
	char cid[DB_INT_LEN], mid[DB_INT_LEN], mins[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, cohort_id), db_int_param(mid, module_id),
				 live ? "live" : "recording", local_start, db_int_param(mins, minutes),
				 place ? place : "", meeting_url, recording_url };

	return db_query_int(db, &cohort_session_add, params);
}

static const struct db_stmt cohort_session_recording = {
	"cohort_session_recording",
	"UPDATE cohort_sessions SET recording_url = $3 "
	"WHERE id = $1 AND cohort_id = $2 AND starts_at <= now()", 3
};

int
cohort_db_session_recording(struct db *db, int64_t session_id, int64_t cohort_id, const char *url,
			    bool *found)
{
	char sid[DB_INT_LEN], cid[DB_INT_LEN];
	const char *params[] = { db_int_param(sid, session_id), db_int_param(cid, cohort_id), url };
	int64_t n = db_exec(db, &cohort_session_recording, params);

	*found = n > 0;
	return n < 0 ? -1 : 0;
}

static const struct db_stmt cohort_session_cohort = {
	"cohort_session_cohort", "SELECT cohort_id FROM cohort_sessions WHERE id = $1", 1
};

int64_t
cohort_db_session_cohort(struct db *db, int64_t session_id)
{
	char sid[DB_INT_LEN];
	const char *params[] = { db_int_param(sid, session_id) };

	return db_query_int(db, &cohort_session_cohort, params);
}

/* Italian day and month names, independent of the server's lc_time. */
#define COHORT_SESSION_COLS \
	"SELECT s.id, s.cohort_id, co.name, c.title, m.title, s.kind = 'live', " \
	"       (ARRAY['domenica','lunedì','martedì','mercoledì','giovedì','venerdì','sabato']) " \
	"         [extract(dow FROM s.starts_at AT TIME ZONE 'Europe/Rome')::int + 1] || ' ' || " \
	"       extract(day FROM s.starts_at AT TIME ZONE 'Europe/Rome')::int || ' ' || " \
	"       (ARRAY['gennaio','febbraio','marzo','aprile','maggio','giugno','luglio','agosto', " \
	"              'settembre','ottobre','novembre','dicembre']) " \
	"         [extract(month FROM s.starts_at AT TIME ZONE 'Europe/Rome')::int] || ' ' || " \
	"       extract(year FROM s.starts_at AT TIME ZONE 'Europe/Rome')::int, " \
	"       to_char(s.starts_at AT TIME ZONE 'Europe/Rome', 'HH24:MI'), " \
	"       to_char(s.ends_at AT TIME ZONE 'Europe/Rome', 'HH24:MI'), " \
	"       to_char(s.starts_at AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'), " \
	"       to_char(s.ends_at AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'), " \
	"       s.place, s.meeting_url, s.recording_url, s.starts_at <= now() " \
	"FROM cohort_sessions s JOIN cohorts co ON co.id = s.cohort_id " \
	"JOIN courses c ON c.id = co.course_id LEFT JOIN modules m ON m.id = s.module_id "

static const struct db_stmt cohort_sessions_cohort = {
	"cohort_sessions_cohort",
	COHORT_SESSION_COLS "WHERE s.cohort_id = $1 AND $2::bigint >= 0 ORDER BY s.starts_at, s.id", 2
};

/* Learners only see the sessions of published courses. */
static const struct db_stmt cohort_sessions_course = {
	"cohort_sessions_course",
	COHORT_SESSION_COLS
	"JOIN cohort_members cm ON cm.cohort_id = co.id AND cm.user_id = $2 "
	"WHERE co.course_id = $1 ORDER BY s.starts_at, s.id", 2
};

static const struct db_stmt cohort_sessions_user = {
	"cohort_sessions_user",
	COHORT_SESSION_COLS
	"JOIN cohort_members cm ON cm.cohort_id = co.id AND cm.user_id = $2 "
	"WHERE c.published AND $1::bigint >= 0 ORDER BY s.starts_at, s.id", 2
};

int
cohort_db_sessions(struct db *db, struct arena *a, enum cohort_scope scope, int64_t id,
		   int64_t user_id, struct cohort_session **out, int *count)
{
	static const struct db_stmt *const stmts[] = {
		[COHORT_SCOPE_COHORT] = &cohort_sessions_cohort,
		[COHORT_SCOPE_COURSE] = &cohort_sessions_course,
		[COHORT_SCOPE_USER] = &cohort_sessions_user,
	};
	char cid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, id), db_int_param(uid, user_id) };
	struct db_res *res;

	*out = NULL;
	*count = 0;
	if ((res = db_query(db, a, stmts[scope], params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		struct cohort_session *s = &(*out)[r];
		s->id = db_get_int(res, r, 0);
		s->cohort_id = db_get_int(res, r, 1);
		s->cohort_name = db_get(res, r, 2);
		s->course_title = db_get(res, r, 3);
		s->module_title = db_get(res, r, 4);
		s->live = db_get_bool(res, r, 5);
		s->day = db_get(res, r, 6);
		s->start = db_get(res, r, 7);
		s->end = db_get(res, r, 8);
		s->utc_start = db_get(res, r, 9);
		s->utc_end = db_get(res, r, 10);
		s->place = db_get(res, r, 11);
		s->meeting_url = db_get(res, r, 12);
		s->recording_url = db_get(res, r, 13);
		s->past = db_get_bool(res, r, 14);
	}
	*count = res->nrows;
	return 0;
}

static const struct db_stmt cohort_now_utc = {
	"cohort_now_utc", "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"')", 0
};

const char *
cohort_db_now_utc(struct db *db, struct arena *a)
{
	struct db_res *res = db_query(db, a, &cohort_now_utc, NULL);

	return res != NULL && res->nrows == 1 ? db_get(res, 0, 0) : NULL;
}
