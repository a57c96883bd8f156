/*
 * event_db.c - events and their registrations (see event_db.h).
 */
#include "compat.h"

#include <string.h>

#include "db.h"
#include "event_db.h"
#include "log.h"

#define EVENT_COLS \
	"e.id, e.title, e.description, e.description_html, e.kind, " \
	"to_char(e.starts_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM-DD HH24:MI'), " \
	"to_char(e.ends_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM-DD HH24:MI'), " \
	"to_char(e.starts_at AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'), " \
	"to_char(e.ends_at AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'), " \
	"to_char(e.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
	"to_char(e.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
	"e.place, e.online_url, coalesce(e.capacity, 0), k.confirmed, k.waiting, " \
	"e.starts_at <= now(), to_char(e.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define EVENT_FROM \
	" FROM events e CROSS JOIN LATERAL (SELECT" \
	" count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed," \
	" count(*) FILTER (WHERE r.status = 'waiting') AS waiting" \
	" FROM event_registrations r WHERE r.event_id = e.id) k"

static void
event_fill(const struct db_res *r, int row, struct event *e)
{
	memset(e, 0, sizeof(*e));
	e->id = db_get_int(r, row, 0);
	e->title = db_get(r, row, 1);
	e->description = db_get(r, row, 2);
	e->description_html = db_get(r, row, 3);
	e->kind = db_get(r, row, 4);
	e->start_local = db_get(r, row, 5);
	e->end_local = db_get(r, row, 6);
	e->start_utc = db_get(r, row, 7);
	e->end_utc = db_get(r, row, 8);
	e->start_iso = db_get(r, row, 9);
	e->end_iso = db_get(r, row, 10);
	e->place = db_get(r, row, 11);
	e->online_url = db_get(r, row, 12);
	e->capacity = (int)db_get_int(r, row, 13);
	e->confirmed = db_get_int(r, row, 14);
	e->waiting = db_get_int(r, row, 15);
	e->past = db_get_bool(r, row, 16);
	e->updated_iso = db_get(r, row, 17);
}

static const struct db_stmt event_list_stmts[] = {
	{ "event_list_upcoming", "SELECT " EVENT_COLS EVENT_FROM " WHERE e.ends_at > now()"
	  " ORDER BY e.starts_at, e.id LIMIT $1 OFFSET $2", 2 },
	{ "event_list_past", "SELECT " EVENT_COLS EVENT_FROM " WHERE e.ends_at <= now()"
	  " ORDER BY e.starts_at DESC, e.id DESC LIMIT $1 OFFSET $2", 2 },
	{ "event_list_all", "SELECT " EVENT_COLS EVENT_FROM
	  " ORDER BY e.starts_at, e.id LIMIT $1 OFFSET $2", 2 },
};

int
event_db_list(struct db *db, struct arena *a, enum event_scope scope, int limit, int offset,
	      struct event **out, int *n)
{
	char l[DB_INT_LEN], o[DB_INT_LEN];
	const char *params[2] = { db_int_param(l, limit), db_int_param(o, offset) };
	struct db_res *r = db_query(db, a, &event_list_stmts[scope], params);

	if (r == NULL)
		return -1;
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		event_fill(r, i, &(*out)[i]);
	return 0;
}

static const struct db_stmt event_get_stmt = {
	"event_get", "SELECT " EVENT_COLS EVENT_FROM " WHERE e.id = $1", 1
};

int
event_db_get(struct db *db, struct arena *a, int64_t id, struct event *out, bool *found)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	struct db_res *r = db_query(db, a, &event_get_stmt, params);

	if (r == NULL)
		return -1;
	*found = r->nrows == 1;
	if (*found)
		event_fill(r, 0, out);
	return 0;
}

static const struct db_stmt event_order_stmt = {
	"event_order", "SELECT ($1::timestamptz < $2::timestamptz)::int", 2
};

int
event_db_order_ok(struct db *db, const char *starts_at, const char *ends_at)
{
	const char *params[2] = { starts_at, ends_at };

	return (int)db_query_int(db, &event_order_stmt, params);
}

static const struct db_stmt event_insert_stmt = {
	"event_insert",
	"INSERT INTO events (title, description, description_html, kind, starts_at, ends_at, place,"
	" online_url, capacity, created_by) VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz,"
	" $7, $8, nullif($9::int, 0), nullif($10::bigint, 0)) RETURNING id", 10
};

static const struct db_stmt event_update_stmt = {
	"event_update",
	"UPDATE events SET title = $1, description = $2, description_html = $3, kind = $4,"
	" starts_at = $5::timestamptz, ends_at = $6::timestamptz, place = $7, online_url = $8,"
	" capacity = nullif($9::int, 0), updated_at = now() WHERE id = $10 RETURNING id", 10
};

int
event_db_save(struct db *db, int64_t id, const struct event_edit *e, int64_t uid, int64_t *out_id)
{
	char c[DB_INT_LEN], last[DB_INT_LEN];
	/* The last parameter is the author for an insert, the event for an update. */
	const char *params[10] = { e->title, e->description, e->description_html, e->kind,
				   e->starts_at, e->ends_at, e->place, e->online_url,
				   db_int_param(c, e->capacity), db_int_param(last, id == 0 ? uid : id) };
	int64_t got = db_query_int(db, id == 0 ? &event_insert_stmt : &event_update_stmt, params);

	if (got == -1)
		return -1;
	if (got == 0)
		return 1;
	*out_id = got;
	return 0;
}

static const struct db_stmt event_delete_stmt = {
	"event_delete", "DELETE FROM events WHERE id = $1", 1
};

int
event_db_delete(struct db *db, int64_t id)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	int64_t n = db_exec(db, &event_delete_stmt, params);

	return n < 0 ? -1 : n == 0 ? 1 : 0;
}

/* ---- registrations ---- */

#define REG_COLS \
	"r.id, r.event_id, r.name, r.email, r.organisation, r.status, " \
	"to_char(r.created_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI')"

static void
event_reg_fill(const struct db_res *r, int row, struct event_reg *g)
{
	g->id = db_get_int(r, row, 0);
	g->event_id = db_get_int(r, row, 1);
	g->name = db_get(r, row, 2);
	g->email = db_get(r, row, 3);
	g->organisation = db_get(r, row, 4);
	g->status = db_get(r, row, 5);
	g->created_local = db_get(r, row, 6);
}

static void
event_reg_fill_all(struct arena *a, const struct db_res *r, struct event_reg **out, int *n)
{
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		event_reg_fill(r, i, &(*out)[i]);
}

/* The event's row lock: seats are counted and taken under it. */
static const struct db_stmt event_lock_open_stmt = {
	"event_lock_open", "SELECT id FROM events WHERE id = $1 AND starts_at > now() FOR UPDATE", 1
};

static const struct db_stmt event_lock_stmt = {
	"event_lock", "SELECT id FROM events WHERE id = $1 FOR UPDATE", 1
};

/* What a new registration gets now: a seat while confirmed ones are fewer than the capacity. */
static const struct db_stmt event_seats_stmt = {
	"event_seats",
	"SELECT CASE WHEN e.capacity IS NULL OR (SELECT count(*) FROM event_registrations r"
	" WHERE r.event_id = e.id AND r.status = 'confirmed') < e.capacity"
	" THEN 'confirmed' ELSE 'waiting' END FROM events e WHERE e.id = $1", 1
};

/* Inside the reminder window already: the confirmation mail is reminder enough. */
static const struct db_stmt event_reg_insert_stmt = {
	"event_reg_insert",
	"INSERT INTO event_registrations (event_id, user_id, name, email, organisation, status,"
	" cancel_hash, confirmed_at, reminded_at)"
	" SELECT e.id, nullif($2::bigint, 0), $3, $4, $5, $6::text, $7::bytea,"
	" CASE WHEN $6::text = 'confirmed' THEN now() END,"
	" CASE WHEN e.starts_at <= now() + interval '1 day' THEN now() END"
	" FROM events e WHERE e.id = $1"
	" ON CONFLICT (event_id, lower(email)) WHERE status <> 'cancelled' DO NOTHING"
	" RETURNING status", 7
};

static const struct db_stmt event_reg_rehash_stmt = {
	"event_reg_rehash",
	"UPDATE event_registrations SET cancel_hash = $3::bytea"
	" WHERE event_id = $1 AND lower(email) = lower($2) AND status <> 'cancelled' RETURNING status", 3
};

int
event_db_register(struct db *db, struct arena *a, int64_t event_id, int64_t uid,
		  const char *name, const char *email, const char *organisation,
		  const char *hash, const char **status, const char **seats, bool *dup)
{
	char e[DB_INT_LEN], u[DB_INT_LEN];
	const char *lock[1] = { db_int_param(e, event_id) };
	struct db_res *r;

	*dup = false;
	if ((r = db_query(db, a, &event_lock_open_stmt, lock)) == NULL)
		return -1;
	if (r->nrows == 0)
		return 1;
	if ((r = db_query(db, a, &event_seats_stmt, lock)) == NULL || r->nrows != 1)
		return -1;
	*seats = db_get(r, 0, 0);
	{
		const char *params[7] = { lock[0], db_int_param(u, uid), name, email, organisation,
					  *seats, hash };
		if ((r = db_query(db, a, &event_reg_insert_stmt, params)) == NULL)
			return -1;
	}
	if (r->nrows == 1) {
		*status = db_get(r, 0, 0);
		return 0;
	}
	{
		const char *params[3] = { lock[0], email, hash };
		if ((r = db_query(db, a, &event_reg_rehash_stmt, params)) == NULL || r->nrows != 1)
			return -1;
	}
	*dup = true;
	*status = db_get(r, 0, 0);
	return 0;
}

static const struct db_stmt event_reg_by_token_stmt = {
	"event_reg_by_token",
	"SELECT " REG_COLS ", e.title FROM event_registrations r JOIN events e ON e.id = r.event_id"
	" WHERE r.cancel_hash = $1::bytea AND r.status <> 'cancelled'", 1
};

int
event_db_by_token(struct db *db, struct arena *a, const char *hash, struct event_reg *reg,
		  const char **title, bool *found)
{
	const char *params[1] = { hash };
	struct db_res *r = db_query(db, a, &event_reg_by_token_stmt, params);

	if (r == NULL)
		return -1;
	*found = r->nrows == 1;
	if (*found) {
		event_reg_fill(r, 0, reg);
		*title = db_get(r, 0, 7);
	}
	return 0;
}

static const struct db_stmt event_reg_cancel_stmt = {
	"event_reg_cancel",
	"UPDATE event_registrations r SET status = 'cancelled', cancelled_at = now()"
	" WHERE r.cancel_hash = $1::bytea AND r.status <> 'cancelled' RETURNING " REG_COLS, 1
};

/*
 * The waiting ones, first come first served, into the seats free now
 * (LIMIT NULL, without a capacity, is every one).  The event is locked.
 */
static const struct db_stmt event_promote_stmt = {
	"event_promote",
	"UPDATE event_registrations r SET status = 'confirmed', confirmed_at = now()"
	" WHERE r.id IN (SELECT w.id FROM event_registrations w"
	"  WHERE w.event_id = $1 AND w.status = 'waiting' ORDER BY w.id"
	"  LIMIT (SELECT CASE WHEN e.capacity IS NULL THEN NULL ELSE greatest(0, e.capacity -"
	"   (SELECT count(*) FROM event_registrations c WHERE c.event_id = e.id"
	"    AND c.status = 'confirmed')) END FROM events e WHERE e.id = $1))"
	" RETURNING " REG_COLS, 1
};

int
event_db_promote(struct db *db, struct arena *a, int64_t id, struct event_reg **up, int *nup)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	struct db_res *r;

	if (db_query(db, a, &event_lock_stmt, params) == NULL ||
	    (r = db_query(db, a, &event_promote_stmt, params)) == NULL)
		return -1;
	event_reg_fill_all(a, r, up, nup);
	return 0;
}

int
event_db_cancel(struct db *db, struct arena *a, const char *hash, struct event_reg *reg,
		bool *found, struct event_reg **up, int *nup)
{
	const char *params[1] = { hash };
	const char *title;
	struct db_res *r;
	char i[DB_INT_LEN];

	*nup = 0;
	*up = NULL;
	/* Lock the event first, as registrations do, so the seat freed is counted once. */
	if (event_db_by_token(db, a, hash, reg, &title, found) == -1)
		return -1;
	if (!*found)
		return 0;
	{
		const char *lock[1] = { db_int_param(i, reg->event_id) };
		if (db_query(db, a, &event_lock_stmt, lock) == NULL)
			return -1;
	}
	if ((r = db_query(db, a, &event_reg_cancel_stmt, params)) == NULL)
		return -1;
	*found = r->nrows == 1;
	if (!*found)
		return 0;
	event_reg_fill(r, 0, reg);
	return event_db_promote(db, a, reg->event_id, up, nup);
}

static const struct db_stmt event_registrations_stmt = {
	"event_registrations",
	"SELECT " REG_COLS " FROM event_registrations r WHERE r.event_id = $1 AND r.status <> 'cancelled'"
	" ORDER BY r.status = 'waiting', r.id", 1
};

int
event_db_registrations(struct db *db, struct arena *a, int64_t id, struct event_reg **out, int *n)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	struct db_res *r = db_query(db, a, &event_registrations_stmt, params);

	if (r == NULL)
		return -1;
	event_reg_fill_all(a, r, out, n);
	return 0;
}

static const struct db_stmt event_reminders_due_stmt = {
	"event_reminders_due",
	"SELECT " REG_COLS " FROM event_registrations r JOIN events e ON e.id = r.event_id"
	" WHERE r.status = 'confirmed' AND r.reminded_at IS NULL"
	" AND e.starts_at > now() AND e.starts_at <= now() + interval '1 day'"
	" ORDER BY r.id LIMIT $1 FOR UPDATE OF r SKIP LOCKED", 1
};

int
event_db_reminders_due(struct db *db, struct arena *a, int limit, struct event_reg **out, int *n)
{
	char l[DB_INT_LEN];
	const char *params[1] = { db_int_param(l, limit) };
	struct db_res *r = db_query(db, a, &event_reminders_due_stmt, params);

	if (r == NULL)
		return -1;
	event_reg_fill_all(a, r, out, n);
	return 0;
}

static const struct db_stmt event_reminded_stmt = {
	"event_reminded", "UPDATE event_registrations SET reminded_at = now() WHERE id = $1", 1
};

int
event_db_reminded(struct db *db, int64_t id)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };

	return db_exec(db, &event_reminded_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt event_count_titled_stmt = {
	"event_count_titled", "SELECT count(*) FROM events WHERE title = $1", 1
};

int64_t
event_db_count_titled(struct db *db, const char *title)
{
	const char *params[1] = { title };

	return db_query_int(db, &event_count_titled_stmt, params);
}
