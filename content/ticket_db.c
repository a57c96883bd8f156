/*
 * ticket_db.c - the help desk's tickets (see ticket_db.h).
 *
 * Every read joins the viewer's own users row (v) and computes, in SQL,
 * how they reach the ticket (TICKET_ACCESS): the rule lives here once, so
 * a page, the API and the attachment download cannot disagree about it.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "course_modules.h"
#include "db.h"
#include "log.h"
#include "sla.h"
#include "ticket_db.h"

/*
 * 0 none, 1 reporter, 2 agent, 3 follower (enum ticket_access).  The
 * coordination team sees everything; otherwise a reporter is only ever a
 * reporter of their own ticket (nobody handles their own request).
 */
#define TICKET_ACCESS \
	"CASE WHEN v.id IS NULL THEN 0" \
	" WHEN v.roles && ARRAY['coordinamento', 'admin'] THEN 2" \
	" WHEN t.reporter_id = v.id THEN 1" \
	" WHEN t.level = 0 AND 'tutor' = ANY (v.roles) AND v.org_id = t.org_id THEN 2" \
	" WHEN t.level = 1 AND 'helpdesk1' = ANY (v.roles) THEN 2" \
	" WHEN t.level = 2 AND 'helpdesk2' = ANY (v.roles) THEN 2" \
	" WHEN t.level = 2 AND 'helpdesk1' = ANY (v.roles) THEN 3" \
	" ELSE 0 END"

#define TICKET_ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define TICKET_LOCAL(col) "to_char(" col " AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI')"

#define TICKET_COLS \
	"t.id, t.reporter_id, r.name, r.email, coalesce(t.org_id, 0), coalesce(o.name, ''), " \
	"t.category, coalesce(t.module_id, 0), coalesce(c.title || ' – ' || m.title, ''), " \
	"t.subject, t.body_md, t.body_html, t.page_url, t.level, coalesce(t.assignee_id, 0), " \
	"coalesce(g.name, ''), t.status, " TICKET_LOCAL("t.created_at") ", " \
	TICKET_LOCAL("t.updated_at") ", " TICKET_ISO("t.created_at") ", " \
	TICKET_ISO("t.updated_at") ", " TICKET_ISO("t.resolved_at") ", " \
	"coalesce(t.rating, 0), t.rating_comment, extract(epoch FROM t.created_at)::bigint, " \
	"coalesce(extract(epoch FROM l.entered_at)::bigint, 0), " \
	"coalesce(extract(epoch FROM l.first_response_at)::bigint, 0), " \
	TICKET_ACCESS ", " \
	"(SELECT count(*) FROM ticket_attachments x WHERE x.ticket_id = t.id), " \
	"(SELECT coalesce(string_agg(extract(epoch FROM w.started_at)::bigint || ':' ||" \
	"  coalesce(extract(epoch FROM w.ended_at)::bigint, 0), ',' ORDER BY w.started_at), '')" \
	"  FROM ticket_waits w WHERE w.ticket_id = t.id)"

/* $1 is the viewer's id (0: nobody). */
#define TICKET_FROM \
	" FROM tickets t JOIN users r ON r.id = t.reporter_id" \
	" LEFT JOIN orgs o ON o.id = t.org_id" \
	" LEFT JOIN modules m ON m.id = t.module_id LEFT JOIN courses c ON c.id = m.course_id" \
	" LEFT JOIN users g ON g.id = t.assignee_id" \
	" LEFT JOIN ticket_levels l ON l.ticket_id = t.id AND l.level = t.level" \
	" LEFT JOIN users v ON v.id = $1 AND v.status = 'active'"

/* Parses "from:to,from:to" (epoch seconds) into pauses in a. */
static void
ticket_pauses(struct arena *a, const char *s, struct ticket *t)
{
	struct sla_pause *p;
	int n = 0;

	t->pauses = NULL;
	t->npauses = 0;
	if (s == NULL || *s == '\0')
		return;
	for (const char *q = s; *q != '\0'; q++)
		if (*q == ',')
			n++;
	p = arena_calloc(a, (size_t)n + 1, sizeof(*p));
	n = 0;
	while (*s != '\0') {
		char *end;
		long long from = strtoll(s, &end, 10), to = 0;
		if (*end == ':')
			to = strtoll(end + 1, &end, 10);
		p[n].from = (time_t)from;
		p[n].to = (time_t)to;
		n++;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			break;	/* cannot happen: the text is SQL's */
	}
	t->pauses = p;
	t->npauses = n;
}

static void
ticket_fill(struct arena *a, const struct db_res *r, int row, struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	t->id = db_get_int(r, row, 0);
	t->reporter_id = db_get_int(r, row, 1);
	t->reporter_name = db_get(r, row, 2);
	t->reporter_email = db_get(r, row, 3);
	t->org_id = db_get_int(r, row, 4);
	t->org_name = db_get(r, row, 5);
	t->category = db_get(r, row, 6);
	t->module_id = db_get_int(r, row, 7);
	t->module_title = db_get(r, row, 8);
	t->subject = db_get(r, row, 9);
	t->body_md = db_get(r, row, 10);
	t->body_html = db_get(r, row, 11);
	t->page_url = db_get(r, row, 12);
	t->level = (int)db_get_int(r, row, 13);
	t->assignee_id = db_get_int(r, row, 14);
	t->assignee_name = db_get(r, row, 15);
	t->status = db_get(r, row, 16);
	t->created_local = db_get(r, row, 17);
	t->updated_local = db_get(r, row, 18);
	t->created_iso = db_get(r, row, 19);
	t->updated_iso = db_get(r, row, 20);
	t->resolved_iso = db_get(r, row, 21);
	t->rating = (int)db_get_int(r, row, 22);
	t->rating_comment = db_get(r, row, 23);
	t->created_epoch = db_get_int(r, row, 24);
	t->level_entered = db_get_int(r, row, 25);
	t->level_first_response = db_get_int(r, row, 26);
	t->access = (enum ticket_access)db_get_int(r, row, 27);
	t->nattachments = db_get_int(r, row, 28);
	ticket_pauses(a, db_get(r, row, 29), t);
}

/* Fills *out with every row of r. */
static void
ticket_fill_all(struct arena *a, const struct db_res *r, struct ticket **out, int *n)
{
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		ticket_fill(a, r, i, &(*out)[i]);
}

/* ---- opening ------------------------------------------------------------------ */

/* Level 0 when the organisation has an active tutor other than the reporter. */
static const struct db_stmt ticket_insert_stmt = {
	"ticket_insert",
	"WITH t AS (INSERT INTO tickets (reporter_id, org_id, category, module_id, subject, body_md,"
	" body_html, page_url, level) VALUES ($1, nullif($2::bigint, 0), $3, nullif($4::bigint, 0),"
	" $5, $6, $7, $8, CASE WHEN EXISTS (SELECT 1 FROM users u WHERE u.org_id = $2::bigint"
	"  AND u.id <> $1 AND u.status = 'active' AND 'tutor' = ANY (u.roles)) THEN 0 ELSE 1 END)"
	" RETURNING id, level, created_at),"
	" l AS (INSERT INTO ticket_levels (ticket_id, level, entered_at)"
	"  SELECT id, level, created_at FROM t)"
	" SELECT id, level FROM t", 8
};

int
ticket_db_create(struct db *db, const struct ticket_new *t, int64_t *id, int *level)
{
	char rid[DB_INT_LEN], org[DB_INT_LEN], mod[DB_INT_LEN];
	const char *params[8] = {
		db_int_param(rid, t->reporter_id), db_int_param(org, t->org_id), t->category,
		db_int_param(mod, t->module_id), t->subject, t->body_md, t->body_html, t->page_url,
	};
	struct arena *a = arena_new();
	struct db_res *r;
	int rc = -1;

	if (t->module_id != 0) {
		int have = course_modules_exists(db, t->module_id, true);
		if (have == -1)
			goto out;
		if (have == 0) {
			rc = 1;
			goto out;
		}
	}
	if ((r = db_query(db, a, &ticket_insert_stmt, params)) == NULL || r->nrows != 1)
		goto out;
	*id = db_get_int(r, 0, 0);
	*level = (int)db_get_int(r, 0, 1);
	rc = 0;
out:
	arena_free(a);
	return rc;
}

/* ---- reading ------------------------------------------------------------------ */

static const struct db_stmt ticket_get_stmt = {
	"ticket_get", "SELECT " TICKET_COLS TICKET_FROM " WHERE t.id = $2", 2
};

static const struct db_stmt ticket_lock_stmt = {
	"ticket_lock", "SELECT " TICKET_COLS TICKET_FROM " WHERE t.id = $2 FOR UPDATE OF t", 2
};

static int
ticket_get_with(struct db *db, struct arena *a, const struct db_stmt *stmt, int64_t id,
		const struct ticket_viewer *v, struct ticket *out, bool *found)
{
	char u[DB_INT_LEN], i[DB_INT_LEN];
	const char *params[2] = { db_int_param(u, v != NULL ? v->uid : 0), db_int_param(i, id) };
	struct db_res *r = db_query(db, a, stmt, params);
	struct ticket t;

	*found = false;
	if (r == NULL)
		return -1;
	if (r->nrows != 1)
		return 0;
	ticket_fill(a, r, 0, &t);
	if (v != NULL && t.access == TICKET_NONE)
		return 0;
	*out = t;
	*found = true;
	return 0;
}

int
ticket_db_get(struct db *db, struct arena *a, int64_t id, const struct ticket_viewer *v,
	      struct ticket *out, bool *found)
{
	return ticket_get_with(db, a, &ticket_get_stmt, id, v, out, found);
}

int
ticket_db_lock(struct db *db, struct arena *a, int64_t id, const struct ticket_viewer *v,
	       struct ticket *out, bool *found)
{
	return ticket_get_with(db, a, &ticket_lock_stmt, id, v, out, found);
}

/* $2: whether internal kinds are included (agents). */
static const struct db_stmt ticket_messages_stmt = {
	"ticket_messages",
	"SELECT m.id, coalesce(m.author_id, 0), coalesce(u.name, ''), m.kind, m.level, m.status,"
	" m.body_md, m.body_html, " TICKET_LOCAL("m.created_at") ", " TICKET_ISO("m.created_at")
	" FROM ticket_messages m LEFT JOIN users u ON u.id = m.author_id"
	" WHERE m.ticket_id = $1 AND ($2::boolean OR m.kind IN ('public', 'status'))"
	" ORDER BY m.id", 2
};

int
ticket_db_messages(struct db *db, struct arena *a, int64_t id, bool agent,
		   struct ticket_msg **out, int *n)
{
	char i[DB_INT_LEN];
	const char *params[2] = { db_int_param(i, id), agent ? "true" : "false" };
	struct db_res *r = db_query(db, a, &ticket_messages_stmt, params);

	if (r == NULL)
		return -1;
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int k = 0; k < r->nrows; k++) {
		struct ticket_msg *m = &(*out)[k];
		m->id = db_get_int(r, k, 0);
		m->author_id = db_get_int(r, k, 1);
		m->author_name = db_get(r, k, 2);
		m->kind = db_get(r, k, 3);
		m->level = (int)db_get_int(r, k, 4);
		m->status = db_get(r, k, 5);
		m->body_md = db_get(r, k, 6);
		m->body_html = db_get(r, k, 7);
		m->created_local = db_get(r, k, 8);
		m->created_iso = db_get(r, k, 9);
	}
	return 0;
}

/*
 * $2 reported (the viewer's own) or a queue (what they handle); $3 level
 * (-1 any); $4 status (NULL: open ones, 'tutti': any); $5 mine; $6
 * unassigned; $7 category (NULL any); $8 limit; $9 offset.  Queues run
 * oldest first (first come, first served), one's own list newest first.
 */
static const struct db_stmt ticket_list_stmt = {
	"ticket_list",
	"SELECT * FROM (SELECT " TICKET_COLS ", count(*) OVER (), t.updated_at AS ord_u,"
	" t.created_at AS ord_c" TICKET_FROM
	" WHERE CASE WHEN $2::boolean THEN t.reporter_id = $1::bigint"
	"  ELSE (" TICKET_ACCESS ") IN (2, 3) END"
	" AND ($3::int < 0 OR t.level = $3::int)"
	" AND CASE WHEN $4::text IS NULL THEN t.status <> 'chiuso'"
	"  WHEN $4::text = 'tutti' THEN true ELSE t.status = $4::text END"
	" AND (NOT $5::boolean OR t.assignee_id = $1::bigint)"
	" AND (NOT $6::boolean OR t.assignee_id IS NULL)"
	" AND ($7::text IS NULL OR t.category = $7::text)) s"
	" ORDER BY CASE WHEN $2::boolean THEN 0 ELSE extract(epoch FROM ord_c) END,"
	" CASE WHEN $2::boolean THEN -extract(epoch FROM ord_u) ELSE 0 END, 1"
	" LIMIT $8 OFFSET $9", 9
};

int
ticket_db_list(struct db *db, struct arena *a, const struct ticket_viewer *v,
	       const struct ticket_filter *f, struct ticket **out, int *n, int64_t *total)
{
	char u[DB_INT_LEN], lv[DB_INT_LEN], l[DB_INT_LEN], o[DB_INT_LEN];
	const char *params[9] = {
		db_int_param(u, v->uid), f->reported ? "true" : "false", db_int_param(lv, f->level),
		f->waiting ? "in_attesa" : f->status, f->mine ? "true" : "false",
		f->unassigned ? "true" : "false", f->category, db_int_param(l, f->limit),
		db_int_param(o, f->offset),
	};
	struct db_res *r = db_query(db, a, &ticket_list_stmt, params);

	if (r == NULL)
		return -1;
	ticket_fill_all(a, r, out, n);
	*total = r->nrows > 0 ? db_get_int(r, 0, 30) : 0;
	return 0;
}

/* ---- writing ------------------------------------------------------------------ */

static const struct db_stmt ticket_message_insert_stmt = {
	"ticket_message_insert",
	"WITH m AS (INSERT INTO ticket_messages (ticket_id, author_id, kind, level, status, body_md,"
	" body_html) VALUES ($1, nullif($2::bigint, 0), $3, $4, $5, $6, $7) RETURNING id),"
	" l AS (UPDATE ticket_levels SET first_response_at = now() WHERE $8::boolean"
	"  AND ticket_id = $1 AND level = $4 AND first_response_at IS NULL),"
	" t AS (UPDATE tickets SET updated_at = now() WHERE id = $1)"
	" SELECT id FROM m", 8
};

int
ticket_db_add_message(struct db *db, int64_t ticket_id, int64_t author_id, const char *kind,
		      int level, const char *status, const char *body_md,
		      const char *body_html, bool first_response, int64_t *msg_id)
{
	char t[DB_INT_LEN], u[DB_INT_LEN], l[DB_INT_LEN];
	const char *params[8] = {
		db_int_param(t, ticket_id), db_int_param(u, author_id), kind, db_int_param(l, level),
		status, body_md, body_html, first_response ? "true" : "false",
	};
	int64_t id = db_query_int(db, &ticket_message_insert_stmt, params);

	if (id <= 0)
		return -1;
	*msg_id = id;
	return 0;
}

/*
 * One statement keeps the row, the waits and the level clock in step: a
 * wait opens on in_attesa and ends on any other status; the level's
 * resolution is stamped on risolto (and kept on chiuso), cleared on a
 * reopening.
 */
static const struct db_stmt ticket_status_stmt = {
	"ticket_status",
	"WITH t AS (UPDATE tickets SET status = $2, updated_at = now(),"
	"  resolved_at = CASE WHEN $2 = 'risolto' THEN now() WHEN $2 = 'chiuso' THEN"
	"   coalesce(resolved_at, now()) ELSE NULL END,"
	"  closed_at = CASE WHEN $2 = 'chiuso' THEN now() ELSE NULL END"
	"  WHERE id = $1 AND status <> $2 RETURNING id, status),"
	" w1 AS (INSERT INTO ticket_waits (ticket_id) SELECT id FROM t WHERE status = 'in_attesa'"
	"  ON CONFLICT (ticket_id) WHERE ended_at IS NULL DO NOTHING),"
	" w2 AS (UPDATE ticket_waits SET ended_at = now() WHERE ended_at IS NULL"
	"  AND ticket_id IN (SELECT id FROM t WHERE status <> 'in_attesa')),"
	" l AS (UPDATE ticket_levels SET resolved_at = CASE WHEN $2 IN ('risolto', 'chiuso')"
	"  THEN coalesce(resolved_at, now()) ELSE NULL END"
	"  WHERE ticket_id IN (SELECT id FROM t) AND level = $3)"
	" SELECT count(*) FROM t", 3
};

int
ticket_db_set_status(struct db *db, int64_t id, int level, const char *status, bool *changed)
{
	char i[DB_INT_LEN], l[DB_INT_LEN];
	const char *params[3] = { db_int_param(i, id), status, db_int_param(l, level) };
	struct arena *a = arena_new();
	struct db_res *r = db_query(db, a, &ticket_status_stmt, params);
	int rc = -1;

	if (r == NULL || r->nrows != 1)
		goto out;
	*changed = db_get_int(r, 0, 0) > 0;
	rc = 0;
out:
	arena_free(a);
	return rc;
}

static const struct db_stmt ticket_assign_stmt = {
	"ticket_assign",
	"UPDATE tickets SET assignee_id = nullif($2::bigint, 0), updated_at = now() WHERE id = $1", 2
};

int
ticket_db_assign(struct db *db, int64_t id, int64_t uid)
{
	char i[DB_INT_LEN], u[DB_INT_LEN];
	const char *params[2] = { db_int_param(i, id), db_int_param(u, uid) };

	return db_exec(db, &ticket_assign_stmt, params) == -1 ? -1 : 0;
}

/* $2 level, $3 organisation (level 0). */
#define TICKET_AGENT_OF \
	"u.status = 'active' AND (u.roles && ARRAY['coordinamento', 'admin']" \
	" OR ($2 = 0 AND 'tutor' = ANY (u.roles) AND u.org_id = $3::bigint)" \
	" OR ($2 = 1 AND 'helpdesk1' = ANY (u.roles))" \
	" OR ($2 = 2 AND 'helpdesk2' = ANY (u.roles)))"

static const struct db_stmt ticket_is_agent_stmt = {
	"ticket_is_agent", "SELECT count(*) FROM users u WHERE u.id = $1 AND " TICKET_AGENT_OF, 3
};

int
ticket_db_is_agent(struct db *db, int64_t uid, int level, int64_t org_id)
{
	char u[DB_INT_LEN], l[DB_INT_LEN], o[DB_INT_LEN];
	const char *params[3] = { db_int_param(u, uid), db_int_param(l, level), db_int_param(o, org_id) };
	int64_t n = db_query_int(db, &ticket_is_agent_stmt, params);

	return n == -1 ? -1 : n > 0;
}

/* Coordinators are agents everywhere but not in the pick lists of the levels. */
static const struct db_stmt ticket_agents_stmt = {
	"ticket_agents",
	"SELECT u.id, u.name, u.email FROM users u WHERE u.status = 'active' AND ("
	" ($1::int = 0 AND 'tutor' = ANY (u.roles) AND u.org_id = $2::bigint)"
	" OR ($1::int = 1 AND 'helpdesk1' = ANY (u.roles))"
	" OR ($1::int = 2 AND 'helpdesk2' = ANY (u.roles)))"
	" ORDER BY u.name, u.id LIMIT 200", 2
};

static int
ticket_people(const struct db_res *r, struct arena *a, struct ticket_person **out, int *n)
{
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++) {
		(*out)[i].id = db_get_int(r, i, 0);
		(*out)[i].name = db_get(r, i, 1);
		(*out)[i].email = db_get(r, i, 2);
	}
	return 0;
}

int
ticket_db_agents(struct db *db, struct arena *a, int level, int64_t org_id,
		 struct ticket_person **out, int *n)
{
	char l[DB_INT_LEN], o[DB_INT_LEN];
	const char *params[2] = { db_int_param(l, level), db_int_param(o, org_id) };
	struct db_res *r = db_query(db, a, &ticket_agents_stmt, params);

	return r == NULL ? -1 : ticket_people(r, a, out, n);
}

static const struct db_stmt ticket_leads_stmt = {
	"ticket_leads",
	"SELECT id, name, email FROM users WHERE status = 'active'"
	" AND 'coordinamento' = ANY (roles) ORDER BY id LIMIT 50", 0
};

int
ticket_db_leads(struct db *db, struct arena *a, struct ticket_person **out, int *n)
{
	struct db_res *r = db_query(db, a, &ticket_leads_stmt, NULL);

	return r == NULL ? -1 : ticket_people(r, a, out, n);
}

static const struct db_stmt ticket_escalate_stmt = {
	"ticket_escalate",
	"WITH t AS (UPDATE tickets SET level = $2 + 1, assignee_id = NULL, updated_at = now()"
	"  WHERE id = $1 AND level = $2 AND $2 < 2 RETURNING id, level),"
	" o AS (UPDATE ticket_levels SET left_at = now()"
	"  WHERE ticket_id IN (SELECT id FROM t) AND level = $2),"
	" n AS (INSERT INTO ticket_levels (ticket_id, level) SELECT id, level FROM t"
	"  ON CONFLICT (ticket_id, level) DO NOTHING)"
	" SELECT count(*) FROM t", 2
};

int
ticket_db_escalate(struct db *db, int64_t id, int from)
{
	char i[DB_INT_LEN], l[DB_INT_LEN];
	const char *params[2] = { db_int_param(i, id), db_int_param(l, from) };
	int64_t n = db_query_int(db, &ticket_escalate_stmt, params);

	if (n == -1)
		return -1;
	return n == 1 ? 0 : 1;
}

static const struct db_stmt ticket_rate_stmt = {
	"ticket_rate",
	"UPDATE tickets SET rating = $2, rating_comment = $3, rated_at = now()"
	" WHERE id = $1 AND status IN ('risolto', 'chiuso') AND rating IS NULL", 3
};

int
ticket_db_rate(struct db *db, int64_t id, int rating, const char *comment)
{
	char i[DB_INT_LEN], r[DB_INT_LEN];
	const char *params[3] = { db_int_param(i, id), db_int_param(r, rating), comment };
	int64_t n = db_exec(db, &ticket_rate_stmt, params);

	if (n == -1)
		return -1;
	return n == 1 ? 0 : 1;
}

/* ---- attachments ---------------------------------------------------------------- */

static const struct db_stmt ticket_attachments_stmt = {
	"ticket_attachments",
	"SELECT a.id, a.ticket_id, a.blob_id, a.filename, a.type, a.size, b.sha256"
	" FROM ticket_attachments a JOIN blobs b ON b.id = a.blob_id"
	" WHERE a.ticket_id = $1 AND ($2::bigint = 0 OR a.id = $2::bigint) ORDER BY a.id", 2
};

static void
ticket_attachment_fill(const struct db_res *r, int row, struct ticket_attachment *t)
{
	t->id = db_get_int(r, row, 0);
	t->ticket_id = db_get_int(r, row, 1);
	t->blob_id = db_get_int(r, row, 2);
	t->filename = db_get(r, row, 3);
	t->type = db_get(r, row, 4);
	t->size = db_get_int(r, row, 5);
	t->sha256 = db_get(r, row, 6);
}

int
ticket_db_attachments(struct db *db, struct arena *a, int64_t id,
		      struct ticket_attachment **out, int *n)
{
	char i[DB_INT_LEN];
	const char *params[2] = { db_int_param(i, id), "0" };
	struct db_res *r = db_query(db, a, &ticket_attachments_stmt, params);

	if (r == NULL)
		return -1;
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int k = 0; k < r->nrows; k++)
		ticket_attachment_fill(r, k, &(*out)[k]);
	return 0;
}

int
ticket_db_attachment(struct db *db, struct arena *a, int64_t id, int64_t att,
		     struct ticket_attachment *out, bool *found)
{
	char i[DB_INT_LEN], t[DB_INT_LEN];
	const char *params[2] = { db_int_param(i, id), db_int_param(t, att) };
	struct db_res *r = db_query(db, a, &ticket_attachments_stmt, params);

	*found = false;
	if (r == NULL)
		return -1;
	if (r->nrows == 1) {
		ticket_attachment_fill(r, 0, out);
		*found = true;
	}
	return 0;
}

static const struct db_stmt ticket_attach_stmt = {
	"ticket_attach",
	"INSERT INTO ticket_attachments (ticket_id, message_id, blob_id, filename, type, size,"
	" created_by) VALUES ($1, nullif($2::bigint, 0), $3, $4, $5, $6, nullif($7::bigint, 0))", 7
};

int
ticket_db_attach(struct db *db, int64_t ticket_id, int64_t message_id, int64_t blob_id,
		 const char *filename, const char *type, int64_t size, int64_t uid)
{
	char t[DB_INT_LEN], m[DB_INT_LEN], b[DB_INT_LEN], s[DB_INT_LEN], u[DB_INT_LEN];
	const char *params[7] = {
		db_int_param(t, ticket_id), db_int_param(m, message_id), db_int_param(b, blob_id),
		filename, type, db_int_param(s, size), db_int_param(u, uid),
	};

	return db_exec(db, &ticket_attach_stmt, params) == -1 ? -1 : 0;
}

/* ---- service levels and jobs ------------------------------------------------------- */

static const struct db_stmt ticket_targets_stmt = {
	"ticket_targets",
	"SELECT category, level, first_response_minutes, resolution_minutes FROM sla_targets"
	" ORDER BY category, level", 0
};

int
ticket_db_targets(struct db *db, struct arena *a, struct ticket_target **out, int *n)
{
	struct db_res *r = db_query(db, a, &ticket_targets_stmt, NULL);

	if (r == NULL)
		return -1;
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++) {
		(*out)[i].category = db_get(r, i, 0);
		(*out)[i].level = (int)db_get_int(r, i, 1);
		(*out)[i].first_response_minutes = (int)db_get_int(r, i, 2);
		(*out)[i].resolution_minutes = (int)db_get_int(r, i, 3);
	}
	return 0;
}

static const struct db_stmt ticket_open_stmt = {
	"ticket_open",
	"SELECT " TICKET_COLS TICKET_FROM
	" WHERE t.status NOT IN ('risolto', 'chiuso') AND (NOT $2::boolean OR NOT EXISTS ("
	"  SELECT 1 FROM ticket_overdue_notices n WHERE n.ticket_id = t.id AND n.level = t.level))"
	" ORDER BY t.created_at, t.id LIMIT $3", 3
};

int
ticket_db_open(struct db *db, struct arena *a, bool unnotified, int limit, struct ticket **out,
	       int *n)
{
	char l[DB_INT_LEN];
	const char *params[3] = { "0", unnotified ? "true" : "false", db_int_param(l, limit) };
	struct db_res *r = db_query(db, a, &ticket_open_stmt, params);

	if (r == NULL)
		return -1;
	ticket_fill_all(a, r, out, n);
	return 0;
}

static const struct db_stmt ticket_overdue_notice_stmt = {
	"ticket_overdue_notice",
	"INSERT INTO ticket_overdue_notices (ticket_id, level, kind) VALUES ($1, $2, $3)"
	" ON CONFLICT (ticket_id, level) DO NOTHING", 3
};

int
ticket_db_overdue_noticed(struct db *db, int64_t id, int level, const char *kind)
{
	char i[DB_INT_LEN], l[DB_INT_LEN];
	const char *params[3] = { db_int_param(i, id), db_int_param(l, level), kind };
	int64_t n = db_exec(db, &ticket_overdue_notice_stmt, params);

	if (n == -1)
		return -1;
	return n == 1 ? 0 : 1;
}

static const struct db_stmt ticket_close_due_stmt = {
	"ticket_close_due",
	"SELECT " TICKET_COLS TICKET_FROM
	" WHERE t.status = 'risolto' AND t.resolved_at < now() - make_interval(days => $2::int)"
	" ORDER BY t.resolved_at, t.id LIMIT $3 FOR UPDATE OF t SKIP LOCKED", 3
};

int
ticket_db_close_due(struct db *db, struct arena *a, int days, int limit, struct ticket **out,
		    int *n)
{
	char d[DB_INT_LEN], l[DB_INT_LEN];
	const char *params[3] = { "0", db_int_param(d, days), db_int_param(l, limit) };
	struct db_res *r = db_query(db, a, &ticket_close_due_stmt, params);

	if (r == NULL)
		return -1;
	ticket_fill_all(a, r, out, n);
	return 0;
}

/* ---- canned replies ------------------------------------------------------------ */

static const struct db_stmt ticket_canned_list_stmt = {
	"ticket_canned_list",
	"SELECT id, category, title, body_md FROM canned_replies"
	" WHERE $1::text IS NULL OR category = $1::text ORDER BY category, lower(title), id", 1
};

static const struct db_stmt ticket_canned_get_stmt = {
	"ticket_canned_get", "SELECT id, category, title, body_md FROM canned_replies WHERE id = $1", 1
};

static void
ticket_canned_fill(const struct db_res *r, int row, struct ticket_canned *c)
{
	c->id = db_get_int(r, row, 0);
	c->category = db_get(r, row, 1);
	c->title = db_get(r, row, 2);
	c->body_md = db_get(r, row, 3);
}

int
ticket_db_canned_list(struct db *db, struct arena *a, const char *category,
		      struct ticket_canned **out, int *n)
{
	const char *params[1] = { category };
	struct db_res *r = db_query(db, a, &ticket_canned_list_stmt, params);

	if (r == NULL)
		return -1;
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		ticket_canned_fill(r, i, &(*out)[i]);
	return 0;
}

int
ticket_db_canned_get(struct db *db, struct arena *a, int64_t id, struct ticket_canned *out,
		     bool *found)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	struct db_res *r = db_query(db, a, &ticket_canned_get_stmt, params);

	*found = false;
	if (r == NULL)
		return -1;
	if (r->nrows == 1) {
		ticket_canned_fill(r, 0, out);
		*found = true;
	}
	return 0;
}

static const struct db_stmt ticket_canned_insert_stmt = {
	"ticket_canned_insert",
	"INSERT INTO canned_replies (category, title, body_md, created_by)"
	" VALUES ($1, $2, $3, nullif($4::bigint, 0)) RETURNING id", 4
};

static const struct db_stmt ticket_canned_update_stmt = {
	"ticket_canned_update",
	"UPDATE canned_replies SET category = $1, title = $2, body_md = $3, updated_at = now(),"
	" created_by = coalesce(created_by, nullif($4::bigint, 0)) WHERE id = $5 RETURNING id", 5
};

int
ticket_db_canned_save(struct db *db, int64_t id, const char *category, const char *title,
		      const char *body_md, int64_t uid, int64_t *out_id)
{
	char u[DB_INT_LEN], i[DB_INT_LEN];
	const char *params[5] = { category, title, body_md, db_int_param(u, uid), db_int_param(i, id) };
	int64_t r = db_query_int(db, id == 0 ? &ticket_canned_insert_stmt : &ticket_canned_update_stmt,
				 params);

	if (r == -1)
		return strcmp(db_sqlstate(db), "23505") == 0 ? 2 : -1;
	if (r == 0)
		return 1;
	*out_id = r;
	return 0;
}

static const struct db_stmt ticket_canned_delete_stmt = {
	"ticket_canned_delete", "DELETE FROM canned_replies WHERE id = $1", 1
};

int
ticket_db_canned_delete(struct db *db, int64_t id)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	int64_t n = db_exec(db, &ticket_canned_delete_stmt, params);

	if (n == -1)
		return -1;
	return n == 1 ? 0 : 1;
}

/* ---- the rest --------------------------------------------------------------------- */

static const struct db_stmt ticket_count_subject_stmt = {
	"ticket_count_subject", "SELECT count(*) FROM tickets WHERE subject = $1", 1
};

int64_t
ticket_db_count_subject(struct db *db, const char *subject)
{
	const char *params[1] = { subject };

	return db_query_int(db, &ticket_count_subject_stmt, params);
}

static const struct db_stmt ticket_demo_user_stmt = {
	"ticket_demo_user",
	"SELECT id, coalesce(org_id, 0) FROM users WHERE status = 'active' AND $1 = ANY (roles)"
	" ORDER BY id LIMIT 1", 1
};

int
ticket_db_demo_user(struct db *db, struct arena *a, const char *role, int64_t *id, int64_t *org_id)
{
	const char *params[1] = { role };
	struct db_res *r = db_query(db, a, &ticket_demo_user_stmt, params);

	if (r == NULL)
		return -1;
	*id = r->nrows == 1 ? db_get_int(r, 0, 0) : 0;
	*org_id = r->nrows == 1 ? db_get_int(r, 0, 1) : 0;
	return 0;
}
