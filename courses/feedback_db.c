/*
 * feedback_db.c - feedback forms SQL (see feedback_db.h).
 */
#include "compat.h"

#include <string.h>

#include "buf.h"
#include "db.h"
#include "feedback_db.h"

/* Template columns: t.*, then the latest version (v) and its author (u). */
#define FEEDBACK_TEMPLATE_COLS							\
	"t.id, t.name, t.description, t.retired, t.created_at, v.id, v.version, "	\
	"v.definition::text, v.created_at, coalesce(u.name, '') "
#define FEEDBACK_TEMPLATE_FROM							\
	"FROM feedback_templates t "						\
	"JOIN LATERAL (SELECT * FROM feedback_template_versions x WHERE x.template_id = t.id " \
	"              ORDER BY x.version DESC LIMIT 1) v ON true "		\
	"LEFT JOIN users u ON u.id = v.created_by "

static const struct db_stmt feedback_template_list = {
	"feedback_template_list",
	"SELECT " FEEDBACK_TEMPLATE_COLS FEEDBACK_TEMPLATE_FROM
	"WHERE $1::boolean OR NOT t.retired ORDER BY t.created_at DESC, t.id DESC", 1
};

static const struct db_stmt feedback_template_by_id = {
	"feedback_template_by_id",
	"SELECT " FEEDBACK_TEMPLATE_COLS FEEDBACK_TEMPLATE_FROM "WHERE t.id = $1", 1
};

static void
feedback_template_row(const struct db_res *res, int r, struct feedback_template *t)
{
	t->id = db_get_int(res, r, 0);
	t->name = db_get(res, r, 1);
	t->description = db_get(res, r, 2);
	t->retired = db_get_bool(res, r, 3);
	t->created_at = db_get(res, r, 4);
	t->version_id = db_get_int(res, r, 5);
	t->version = (int)db_get_int(res, r, 6);
	t->definition = db_get(res, r, 7);
	t->version_at = db_get(res, r, 8);
	t->version_by = db_get(res, r, 9);
}

int
feedback_db_templates(struct db *db, struct arena *a, bool retired, struct feedback_template **out,
		      int *n)
{
	const char *params[] = { retired ? "true" : "false" };
	struct db_res *res;

	*out = NULL;
	*n = 0;
	if ((res = db_query(db, a, &feedback_template_list, params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++)
		feedback_template_row(res, r, &(*out)[r]);
	*n = res->nrows;
	return 0;
}

int
feedback_db_template_get(struct db *db, struct arena *a, int64_t id, struct feedback_template *out,
			 bool *found)
{
	char tid[DB_INT_LEN];
	const char *params[] = { db_int_param(tid, id) };
	struct db_res *res;

	memset(out, 0, sizeof(*out));
	*found = false;
	if ((res = db_query(db, a, &feedback_template_by_id, params)) == NULL)
		return -1;
	if (res->nrows > 0) {
		feedback_template_row(res, 0, out);
		*found = true;
	}
	return 0;
}

/* The name's unique index makes a taken name "no row", not an error. */
static const struct db_stmt feedback_template_insert = {
	"feedback_template_insert",
	"WITH t AS (INSERT INTO feedback_templates (name, description, created_by) "
	"           VALUES ($1, $2, NULLIF($4::bigint, 0)) "
	"           ON CONFLICT ((lower(name))) DO NOTHING RETURNING id), "
	"     v AS (INSERT INTO feedback_template_versions (template_id, version, definition, created_by) "
	"           SELECT id, 1, $3::jsonb, NULLIF($4::bigint, 0) FROM t) "
	"SELECT id FROM t", 4
};

int64_t
feedback_db_template_create(struct db *db, const char *name, const char *description,
			    const char *definition, int64_t user_id)
{
	char uid[DB_INT_LEN];
	const char *params[] = { name, description, definition, db_int_param(uid, user_id) };

	return db_query_int(db, &feedback_template_insert, params);
}

/*
 * The template row is locked first, so two editors get versions n+1 and
 * n+2 rather than a unique violation.  A name taken by another template
 * makes the update (and so the insert) produce no row.
 */
static const struct db_stmt feedback_template_version_insert = {
	"feedback_template_version_insert",
	"WITH t AS (SELECT id FROM feedback_templates WHERE id = $1 FOR UPDATE), "
	"     clash AS (SELECT 1 FROM feedback_templates o WHERE $2::text IS NOT NULL "
	"               AND lower(o.name) = lower($2) AND o.id <> $1), "
	"     up AS (UPDATE feedback_templates f SET name = coalesce($2, f.name), "
	"            description = coalesce($3, f.description) "
	"            FROM t WHERE f.id = t.id AND NOT EXISTS (SELECT 1 FROM clash) RETURNING f.id), "
	"     n AS (SELECT coalesce(max(version), 0) + 1 AS version FROM feedback_template_versions "
	"           WHERE template_id = $1) "
	"INSERT INTO feedback_template_versions (template_id, version, definition, created_by) "
	"SELECT up.id, n.version, $4::jsonb, NULLIF($5::bigint, 0) FROM up, n "
	"RETURNING id, version", 5
};

int64_t
feedback_db_template_version_add(struct db *db, int64_t template_id, const char *name,
				 const char *description, const char *definition, int64_t user_id,
				 int *version)
{
	char tid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(tid, template_id), name, description, definition,
				 db_int_param(uid, user_id) };
	struct arena *a = arena_new();
	struct db_res *res;
	int64_t id = -1;

	*version = 0;
	if ((res = db_query(db, a, &feedback_template_version_insert, params)) == NULL)
		goto out;
	id = 0;
	if (res->nrows > 0) {
		id = db_get_int(res, 0, 0);
		*version = (int)db_get_int(res, 0, 1);
	}
out:
	arena_free(a);
	return id;
}

static const struct db_stmt feedback_template_retire_set = {
	"feedback_template_retire_set",
	"UPDATE feedback_templates SET retired = $2::boolean WHERE id = $1", 2
};

int
feedback_db_template_retire(struct db *db, int64_t template_id, bool retired)
{
	char tid[DB_INT_LEN];
	const char *params[] = { db_int_param(tid, template_id), retired ? "true" : "false" };

	return db_exec(db, &feedback_template_retire_set, params) < 0 ? -1 : 0;
}

/* Round columns; $1 of the org variant is the organisation. */
#define FEEDBACK_ROUND_COLS							\
	"r.id, r.template_version_id, v.template_id, t.name, v.version, v.definition::text, "	\
	"r.course_id, c.title, r.title, r.period_from::text, r.period_to::text, r.due_date::text, " \
	"r.created_at, r.closed_at IS NOT NULL, r.due_date < current_date, "	\
	"r.due_date - current_date, "						\
	"(SELECT count(*) FROM feedback_round_orgs o WHERE o.round_id = r.id), "	\
	"(SELECT count(*) FROM feedback_responses s WHERE s.round_id = r.id AND s.status = 'submitted') "
#define FEEDBACK_ROUND_FROM							\
	"FROM feedback_rounds r "						\
	"JOIN feedback_template_versions v ON v.id = r.template_version_id "	\
	"JOIN feedback_templates t ON t.id = v.template_id "			\
	"JOIN courses c ON c.id = r.course_id "

static const struct db_stmt feedback_round_list = {
	"feedback_round_list",
	"SELECT " FEEDBACK_ROUND_COLS FEEDBACK_ROUND_FROM "ORDER BY r.created_at DESC, r.id DESC", 0
};

static const struct db_stmt feedback_round_list_org = {
	"feedback_round_list_org",
	"SELECT " FEEDBACK_ROUND_COLS ", ro.org_id, g.name, coalesce(s.status, 'new') "
	FEEDBACK_ROUND_FROM
	"JOIN feedback_round_orgs ro ON ro.round_id = r.id AND ro.org_id = $1 "
	"JOIN orgs g ON g.id = ro.org_id "
	"LEFT JOIN feedback_responses s ON s.round_id = r.id AND s.org_id = ro.org_id "
	"ORDER BY r.created_at DESC, r.id DESC", 1
};

static const struct db_stmt feedback_round_by_id = {
	"feedback_round_by_id",
	"SELECT " FEEDBACK_ROUND_COLS FEEDBACK_ROUND_FROM "WHERE r.id = $1", 1
};

static void
feedback_round_row(const struct db_res *res, int r, struct feedback_round *o)
{
	o->id = db_get_int(res, r, 0);
	o->template_version_id = db_get_int(res, r, 1);
	o->template_id = db_get_int(res, r, 2);
	o->template_name = db_get(res, r, 3);
	o->version = (int)db_get_int(res, r, 4);
	o->definition = db_get(res, r, 5);
	o->course_id = db_get_int(res, r, 6);
	o->course_title = db_get(res, r, 7);
	o->title = db_get(res, r, 8);
	o->period_from = db_get(res, r, 9);
	o->period_to = db_get(res, r, 10);
	o->due_date = db_get(res, r, 11);
	o->created_at = db_get(res, r, 12);
	o->closed = db_get_bool(res, r, 13);
	o->overdue = db_get_bool(res, r, 14);
	o->days_left = (int)db_get_int(res, r, 15);
	o->norgs = (int)db_get_int(res, r, 16);
	o->nsubmitted = (int)db_get_int(res, r, 17);
	if (res->ncols > 18) {
		o->org_id = db_get_int(res, r, 18);
		o->org_name = db_get(res, r, 19);
		o->status = db_get(res, r, 20);
	}
}

static int
feedback_rounds_fill(struct db_res *res, struct arena *a, struct feedback_round **out, int *n)
{
	if (res == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++)
		feedback_round_row(res, r, &(*out)[r]);
	*n = res->nrows;
	return 0;
}

int
feedback_db_rounds(struct db *db, struct arena *a, struct feedback_round **out, int *n)
{
	*out = NULL;
	*n = 0;
	return feedback_rounds_fill(db_query(db, a, &feedback_round_list, NULL), a, out, n);
}

int
feedback_db_rounds_for_org(struct db *db, struct arena *a, int64_t org_id,
			   struct feedback_round **out, int *n)
{
	char oid[DB_INT_LEN];
	const char *params[] = { db_int_param(oid, org_id) };

	*out = NULL;
	*n = 0;
	return feedback_rounds_fill(db_query(db, a, &feedback_round_list_org, params), a, out, n);
}

int
feedback_db_round_get(struct db *db, struct arena *a, int64_t id, struct feedback_round *out,
		      bool *found)
{
	char rid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, id) };
	struct db_res *res;

	memset(out, 0, sizeof(*out));
	*found = false;
	if ((res = db_query(db, a, &feedback_round_by_id, params)) == NULL)
		return -1;
	if (res->nrows > 0) {
		feedback_round_row(res, 0, out);
		*found = true;
	}
	return 0;
}

static const struct db_stmt feedback_round_insert = {
	"feedback_round_insert",
	"INSERT INTO feedback_rounds (template_version_id, course_id, title, period_from, period_to, "
	"                             due_date, created_by) "
	"VALUES ($1, $2, $3, $4::date, $5::date, $6::date, NULLIF($7::bigint, 0)) RETURNING id", 7
};

static const struct db_stmt feedback_round_orgs_insert = {
	"feedback_round_orgs_insert",
	"INSERT INTO feedback_round_orgs (round_id, org_id) "
	"SELECT $1, o FROM unnest($2::bigint[]) o ON CONFLICT DO NOTHING", 2
};

int64_t
feedback_db_round_create(struct db *db, const struct feedback_round_new *r, int64_t user_id)
{
	char vid[DB_INT_LEN], cid[DB_INT_LEN], uid[DB_INT_LEN], rid[DB_INT_LEN], one[DB_INT_LEN];
	const char *params[] = { db_int_param(vid, r->template_version_id),
				 db_int_param(cid, r->course_id), r->title, r->period_from,
				 r->period_to, r->due_date, db_int_param(uid, user_id) };
	const char *oparams[2];
	struct buf ids;
	int64_t id = -1;

	buf_init(&ids, 1 << 20);
	buf_addch(&ids, '{');
	for (int i = 0; i < r->norgs; i++) {
		if (i > 0)
			buf_addch(&ids, ',');
		buf_adds(&ids, db_int_param(one, r->org_ids[i]));
	}
	buf_addch(&ids, '}');
	if (ids.err)
		goto out;
	if ((id = db_query_int(db, &feedback_round_insert, params)) <= 0) {
		id = -1;
		goto out;
	}
	oparams[0] = db_int_param(rid, id);
	oparams[1] = ids.data;
	if (db_exec(db, &feedback_round_orgs_insert, oparams) < 0)
		id = -1;
out:
	buf_release(&ids);
	return id;
}

static const struct db_stmt feedback_round_close_set = {
	"feedback_round_close_set",
	"UPDATE feedback_rounds SET closed_at = CASE WHEN $2::boolean THEN coalesce(closed_at, now()) END "
	"WHERE id = $1", 2
};

int
feedback_db_round_close(struct db *db, int64_t round_id, bool closed)
{
	char rid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id), closed ? "true" : "false" };

	return db_exec(db, &feedback_round_close_set, params) < 0 ? -1 : 0;
}

static const struct db_stmt feedback_round_org_list = {
	"feedback_round_org_list",
	"SELECT ro.org_id, g.name, coalesce(s.status, 'new'), s.submitted_at, su.name, "
	"       s.reopened_at, ro.reminded_at, "
	"       (SELECT max(x.updated_at) FROM feedback_answers x "
	"        WHERE x.round_id = ro.round_id AND x.org_id = ro.org_id), "
	"       (SELECT count(*) FROM feedback_answers x "
	"        WHERE x.round_id = ro.round_id AND x.org_id = ro.org_id) "
	"FROM feedback_round_orgs ro JOIN orgs g ON g.id = ro.org_id "
	"LEFT JOIN feedback_responses s ON s.round_id = ro.round_id AND s.org_id = ro.org_id "
	"LEFT JOIN users su ON su.id = s.submitted_by "
	"WHERE ro.round_id = $1 ORDER BY g.name, g.id", 1
};

int
feedback_db_round_orgs(struct db *db, struct arena *a, int64_t round_id,
		       struct feedback_round_org **out, int *n)
{
	char rid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id) };
	struct db_res *res;

	*out = NULL;
	*n = 0;
	if ((res = db_query(db, a, &feedback_round_org_list, params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		struct feedback_round_org *o = &(*out)[r];

		o->org_id = db_get_int(res, r, 0);
		o->org_name = db_get(res, r, 1);
		o->status = db_get(res, r, 2);
		o->submitted_at = db_get(res, r, 3);
		o->submitted_by = db_get(res, r, 4);
		o->reopened_at = db_get(res, r, 5);
		o->reminded_at = db_get(res, r, 6);
		o->last_change = db_get(res, r, 7);
		o->nanswers = (int)db_get_int(res, r, 8);
	}
	*n = res->nrows;
	return 0;
}

static const struct db_stmt feedback_round_org_exists = {
	"feedback_round_org_exists",
	"SELECT 1 FROM feedback_round_orgs WHERE round_id = $1 AND org_id = $2", 2
};

int
feedback_db_round_has_org(struct db *db, int64_t round_id, int64_t org_id, bool *asked)
{
	char rid[DB_INT_LEN], oid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id), db_int_param(oid, org_id) };
	int64_t v = db_query_int(db, &feedback_round_org_exists, params);

	*asked = v > 0;
	return v < 0 ? -1 : 0;
}

static const struct db_stmt feedback_referent_list = {
	"feedback_referent_list",
	"SELECT u.org_id, u.email, u.name FROM feedback_round_orgs ro "
	"JOIN users u ON u.org_id = ro.org_id "
	"LEFT JOIN feedback_responses s ON s.round_id = ro.round_id AND s.org_id = ro.org_id "
	"WHERE ro.round_id = $1 AND ($2::bigint = 0 OR ro.org_id = $2) "
	"  AND u.status = 'active' AND 'referente' = ANY (u.roles) "
	"  AND (NOT $3::boolean OR coalesce(s.status, 'new') <> 'submitted') "
	"ORDER BY u.org_id, u.id", 3
};

int
feedback_db_referents(struct db *db, struct arena *a, int64_t round_id, int64_t org_id,
		      bool unsubmitted, struct feedback_referent **out, int *n)
{
	char rid[DB_INT_LEN], oid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id), db_int_param(oid, org_id),
				 unsubmitted ? "true" : "false" };
	struct db_res *res;

	*out = NULL;
	*n = 0;
	if ((res = db_query(db, a, &feedback_referent_list, params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		(*out)[r].org_id = db_get_int(res, r, 0);
		(*out)[r].email = db_get(res, r, 1);
		(*out)[r].name = db_get(res, r, 2);
	}
	*n = res->nrows;
	return 0;
}

static const struct db_stmt feedback_response_by_key = {
	"feedback_response_by_key",
	"SELECT s.status, s.submitted_at, su.name, s.reopened_at, ru.name "
	"FROM feedback_responses s LEFT JOIN users su ON su.id = s.submitted_by "
	"LEFT JOIN users ru ON ru.id = s.reopened_by "
	"WHERE s.round_id = $1 AND s.org_id = $2", 2
};

int
feedback_db_response_get(struct db *db, struct arena *a, int64_t round_id, int64_t org_id,
			 struct feedback_response *out)
{
	char rid[DB_INT_LEN], oid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id), db_int_param(oid, org_id) };
	struct db_res *res;

	memset(out, 0, sizeof(*out));
	out->status = "new";
	if ((res = db_query(db, a, &feedback_response_by_key, params)) == NULL)
		return -1;
	if (res->nrows > 0) {
		out->status = db_get(res, 0, 0);
		out->submitted_at = db_get(res, 0, 1);
		out->submitted_by = db_get(res, 0, 2);
		out->reopened_at = db_get(res, 0, 3);
		out->reopened_by = db_get(res, 0, 4);
	}
	return 0;
}

static const struct db_stmt feedback_response_ensure = {
	"feedback_response_ensure",
	"INSERT INTO feedback_responses (round_id, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2
};

static const struct db_stmt feedback_response_lock_row = {
	"feedback_response_lock_row",
	"SELECT CASE WHEN status = 'submitted' THEN 1 ELSE 2 END FROM feedback_responses "
	"WHERE round_id = $1 AND org_id = $2 FOR UPDATE", 2
};

int
feedback_db_response_lock(struct db *db, int64_t round_id, int64_t org_id, bool *submitted)
{
	char rid[DB_INT_LEN], oid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id), db_int_param(oid, org_id) };
	int64_t v;

	*submitted = false;
	if (db_exec(db, &feedback_response_ensure, params) < 0)
		return -1;
	if ((v = db_query_int(db, &feedback_response_lock_row, params)) <= 0)
		return -1;
	*submitted = v == 1;
	return 0;
}

static const struct db_stmt feedback_answer_list = {
	"feedback_answer_list",
	"SELECT x.answer_key, x.value::text, coalesce(u.name, ''), x.updated_at, "
	"       to_char(x.updated_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI') "
	"FROM feedback_answers x LEFT JOIN users u ON u.id = x.updated_by "
	"WHERE x.round_id = $1 AND x.org_id = $2 ORDER BY x.answer_key", 2
};

int
feedback_db_answers(struct db *db, struct arena *a, int64_t round_id, int64_t org_id,
		    struct feedback_answer **out, int *n)
{
	char rid[DB_INT_LEN], oid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id), db_int_param(oid, org_id) };
	struct db_res *res;

	*out = NULL;
	*n = 0;
	if ((res = db_query(db, a, &feedback_answer_list, params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		(*out)[r].key = db_get(res, r, 0);
		(*out)[r].value = db_get(res, r, 1);
		(*out)[r].updated_by = db_get(res, r, 2);
		(*out)[r].updated_at = db_get(res, r, 3);
		(*out)[r].updated_at_local = db_get(res, r, 4);
	}
	*n = res->nrows;
	return 0;
}

static const struct db_stmt feedback_answer_upsert = {
	"feedback_answer_upsert",
	"INSERT INTO feedback_answers (round_id, org_id, answer_key, value, updated_by) "
	"VALUES ($1, $2, $3, $4::jsonb, NULLIF($5::bigint, 0)) "
	"ON CONFLICT (round_id, org_id, answer_key) DO UPDATE "
	"SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()", 5
};

static const struct db_stmt feedback_answer_delete = {
	"feedback_answer_delete",
	"DELETE FROM feedback_answers WHERE round_id = $1 AND org_id = $2 AND answer_key = $3", 3
};

int
feedback_db_answer_put(struct db *db, int64_t round_id, int64_t org_id, const char *key,
		       const char *value, int64_t user_id)
{
	char rid[DB_INT_LEN], oid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id), db_int_param(oid, org_id), key, value,
				 db_int_param(uid, user_id) };

	if (value == NULL)
		return db_exec(db, &feedback_answer_delete, params) < 0 ? -1 : 0;
	return db_exec(db, &feedback_answer_upsert, params) < 0 ? -1 : 0;
}

static const struct db_stmt feedback_response_submit = {
	"feedback_response_submit",
	"UPDATE feedback_responses SET status = 'submitted', submitted_at = now(), "
	"       submitted_by = NULLIF($3::bigint, 0) "
	"WHERE round_id = $1 AND org_id = $2", 3
};

int
feedback_db_submit(struct db *db, int64_t round_id, int64_t org_id, int64_t user_id)
{
	char rid[DB_INT_LEN], oid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id), db_int_param(oid, org_id),
				 db_int_param(uid, user_id) };

	return db_exec(db, &feedback_response_submit, params) == 1 ? 0 : -1;
}

static const struct db_stmt feedback_response_reopen = {
	"feedback_response_reopen",
	"UPDATE feedback_responses SET status = 'draft', submitted_at = NULL, submitted_by = NULL, "
	"       reopened_at = now(), reopened_by = NULLIF($3::bigint, 0) "
	"WHERE round_id = $1 AND org_id = $2 AND status = 'submitted'", 3
};

int
feedback_db_reopen(struct db *db, int64_t round_id, int64_t org_id, int64_t user_id)
{
	char rid[DB_INT_LEN], oid[DB_INT_LEN], uid[DB_INT_LEN];
	const char *params[] = { db_int_param(rid, round_id), db_int_param(oid, org_id),
				 db_int_param(uid, user_id) };
	int64_t n = db_exec(db, &feedback_response_reopen, params);

	return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/*
 * The due window is "within 3 days and not past": a round created 2 days
 * before its due date is reminded at once, which is what its referents
 * would want.  SKIP LOCKED lets two portal processes run the job at once.
 */
static const struct db_stmt feedback_reminders_take = {
	"feedback_reminders_take",
	"WITH due AS (SELECT ro.round_id, ro.org_id FROM feedback_round_orgs ro "
	"             JOIN feedback_rounds r ON r.id = ro.round_id "
	"             LEFT JOIN feedback_responses s ON s.round_id = ro.round_id AND s.org_id = ro.org_id "
	"             WHERE ro.reminded_at IS NULL AND r.closed_at IS NULL "
	"               AND r.due_date - current_date BETWEEN 0 AND 3 "
	"               AND coalesce(s.status, 'new') <> 'submitted' "
	"             FOR UPDATE OF ro SKIP LOCKED), "
	"     up AS (UPDATE feedback_round_orgs ro SET reminded_at = now() FROM due "
	"            WHERE ro.round_id = due.round_id AND ro.org_id = due.org_id "
	"            RETURNING ro.round_id, ro.org_id) "
	"SELECT up.round_id, up.org_id, r.title, c.title, to_char(r.due_date, 'DD/MM/YYYY') "
	"FROM up JOIN feedback_rounds r ON r.id = up.round_id JOIN courses c ON c.id = r.course_id "
	"ORDER BY up.round_id, up.org_id", 0
};

int
feedback_db_reminders_claim(struct db *db, struct arena *a, struct feedback_reminder **out, int *n)
{
	struct db_res *res;

	*out = NULL;
	*n = 0;
	if ((res = db_query(db, a, &feedback_reminders_take, NULL)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		(*out)[r].round_id = db_get_int(res, r, 0);
		(*out)[r].org_id = db_get_int(res, r, 1);
		(*out)[r].round_title = db_get(res, r, 2);
		(*out)[r].course_title = db_get(res, r, 3);
		(*out)[r].due_date = db_get(res, r, 4);
	}
	*n = res->nrows;
	return 0;
}

/*
 * Per module: the org's enrolled learners (staff of any role count: the
 * figures are about who takes the course), the lessons they completed,
 * and grades of the module's final test.
 */
static const struct db_stmt feedback_module_figures_q = {
	"feedback_module_figures_q",
	"WITH e AS (SELECT en.user_id FROM enrolments en JOIN users u ON u.id = en.user_id "
	"           WHERE en.course_id = $1 AND ($2::bigint = 0 OR u.org_id = $2)) "
	"SELECT m.id, m.position, m.title, (SELECT count(*) FROM e), "
	"       (SELECT count(*) FROM lessons l WHERE l.module_id = m.id AND l.published), "
	"       (SELECT count(*) FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id "
	"        WHERE l.module_id = m.id AND l.published AND p.user_id IN (SELECT user_id FROM e)), "
	"       (SELECT count(*) FROM quiz_grades g JOIN quizzes q ON q.id = g.quiz_id "
	"        WHERE q.module_id = m.id AND g.user_id IN (SELECT user_id FROM e)), "
	"       (SELECT count(*) FROM quiz_grades g JOIN quizzes q ON q.id = g.quiz_id "
	"        WHERE q.module_id = m.id AND g.passed AND g.user_id IN (SELECT user_id FROM e)), "
	"       EXISTS (SELECT 1 FROM quizzes q WHERE q.module_id = m.id AND q.published) "
	"FROM modules m WHERE m.course_id = $1 ORDER BY m.position", 2
};

int
feedback_db_module_figures(struct db *db, struct arena *a, int64_t course_id, int64_t org_id,
			   struct feedback_module_figures **out, int *n)
{
	char cid[DB_INT_LEN], oid[DB_INT_LEN];
	const char *params[] = { db_int_param(cid, course_id), db_int_param(oid, org_id) };
	struct db_res *res;

	*out = NULL;
	*n = 0;
	if ((res = db_query(db, a, &feedback_module_figures_q, params)) == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		struct feedback_module_figures *f = &(*out)[r];

		f->module_id = db_get_int(res, r, 0);
		f->position = (int)db_get_int(res, r, 1);
		f->title = db_get(res, r, 2);
		f->enrolled = (int)db_get_int(res, r, 3);
		f->lessons = (int)db_get_int(res, r, 4);
		f->lessons_done = db_get_int(res, r, 5);
		f->graded = (int)db_get_int(res, r, 6);
		f->passed = (int)db_get_int(res, r, 7);
		f->has_test = db_get_bool(res, r, 8);
	}
	*n = res->nrows;
	return 0;
}
