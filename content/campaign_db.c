/*
 * campaign_db.c - campaigns' SQL (see campaign_db.h).
 */
#include "compat.h"

#include "campaign_db.h"
#include "csv.h"
#include "db.h"

#define CAMPAIGN_DB_COLS \
	"c.id, c.subject, c.body_md, c.body_html, coalesce(array_to_string(c.topics, ','), ''), " \
	"c.status, to_char(c.scheduled_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI'), " \
	"to_char(c.scheduled_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM-DD\"T\"HH24:MI'), " \
	"to_char(c.scheduled_at, 'YYYY-MM-DD\"T\"HH24:MI:SSOF'), " \
	"to_char(c.queued_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI'), " \
	"to_char(c.created_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI'), u.name, c.recipients, " \
	"(SELECT count(*) FROM consent_events e WHERE e.campaign_id = c.id AND e.action = 'withdrawn') "

static void
campaign_db_row(const struct db_res *res, int r, struct campaign *c)
{
	c->id = db_get_int(res, r, 0);
	c->subject = db_get(res, r, 1);
	c->body_md = db_get(res, r, 2);
	c->body_html = db_get(res, r, 3);
	c->topics = db_get(res, r, 4);
	c->status = db_get(res, r, 5);
	c->scheduled_at = db_get(res, r, 6);
	c->scheduled_input = db_get(res, r, 7);
	c->scheduled_iso = db_get(res, r, 8);
	c->queued_at = db_get(res, r, 9);
	c->created_at = db_get(res, r, 10);
	c->author = db_get(res, r, 11);
	c->recipients = db_get_int(res, r, 12);
	c->unsubscribed = db_get_int(res, r, 13);
}

static const struct db_stmt campaign_db_list_stmt = {
	"campaign_db_list",
	"SELECT " CAMPAIGN_DB_COLS "FROM campaigns c LEFT JOIN users u ON u.id = c.created_by "
	"ORDER BY c.id DESC LIMIT $1", 1
};

int
campaign_db_list(struct db *db, struct arena *a, int max, struct campaign **out, int *n)
{
	char m[DB_INT_LEN];
	const char *params[] = { db_int_param(m, max) };
	struct db_res *res = db_query(db, a, &campaign_db_list_stmt, params);

	if (res == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++)
		campaign_db_row(res, i, &(*out)[i]);
	*n = res->nrows;
	return 0;
}

static const struct db_stmt campaign_db_get_stmt = {
	"campaign_db_get",
	"SELECT " CAMPAIGN_DB_COLS "FROM campaigns c LEFT JOIN users u ON u.id = c.created_by "
	"WHERE c.id = $1", 1
};

int
campaign_db_get(struct db *db, struct arena *a, int64_t id, struct campaign *c, bool *found)
{
	char idp[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id) };
	struct db_res *res = db_query(db, a, &campaign_db_get_stmt, params);

	if (res == NULL)
		return -1;
	if ((*found = res->nrows == 1))
		campaign_db_row(res, 0, c);
	return 0;
}

static const struct db_stmt campaign_db_create_stmt = {
	"campaign_db_create",
	"INSERT INTO campaigns (subject, body_md, body_html, topics, created_by) "
	"VALUES ($1, $2, $3, $4::text[], nullif($5::bigint, 0)) RETURNING id", 5
};

int
campaign_db_create(struct db *db, const char *subject, const char *md, const char *html,
		   const char *topics, int64_t author, int64_t *id)
{
	char ap[DB_INT_LEN];
	const char *params[] = { subject, md, html, topics, db_int_param(ap, author) };

	return (*id = db_query_int(db, &campaign_db_create_stmt, params)) < 0 ? -1 : 0;
}

static const struct db_stmt campaign_db_update_stmt = {
	"campaign_db_update",
	"UPDATE campaigns SET subject = $2, body_md = $3, body_html = $4, topics = $5::text[], "
	"updated_at = now() WHERE id = $1 AND status IN ('draft', 'scheduled')", 5
};

int
campaign_db_update(struct db *db, int64_t id, const char *subject, const char *md, const char *html,
		   const char *topics, bool *changed)
{
	char idp[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id), subject, md, html, topics };
	int64_t n = db_exec(db, &campaign_db_update_stmt, params);

	if (n < 0)
		return -1;
	*changed = n == 1;
	return 0;
}

static const struct db_stmt campaign_db_schedule_stmt = {
	"campaign_db_schedule",
	"UPDATE campaigns SET status = CASE WHEN $2::text IS NULL THEN 'draft' ELSE 'scheduled' END, "
	"scheduled_at = $2::timestamp AT TIME ZONE 'Europe/Rome', updated_at = now() "
	"WHERE id = $1 AND status IN ('draft', 'scheduled') "
	"AND ($2::text IS NULL OR $2::timestamp AT TIME ZONE 'Europe/Rome' > now())", 2
};

int
campaign_db_schedule(struct db *db, int64_t id, const char *at, bool *changed)
{
	char idp[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id), at };
	int64_t n = db_exec(db, &campaign_db_schedule_stmt, params);

	if (n < 0)
		return -1;
	*changed = n == 1;
	return 0;
}

static const struct db_stmt campaign_db_finish_stmt = {
	"campaign_db_finish",
	"UPDATE campaigns c SET status = 'sent', updated_at = now() WHERE c.status = 'sending' "
	"AND NOT EXISTS (SELECT 1 FROM mail_outbox o WHERE o.source = 'campaign' "
	"AND o.source_id = c.id AND o.status = 'queued')", 0
};

int64_t
campaign_db_finish(struct db *db)
{
	return db_exec(db, &campaign_db_finish_stmt, NULL);
}

static const struct db_stmt campaign_db_stats_stmt = {
	"campaign_db_stats",
	"SELECT count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'pending'), "
	"count(*) FILTER (WHERE status = 'unsubscribed'), "
	"count(*) FILTER (WHERE status = 'active' AND frequency = 'weekly'), "
	"count(*) FILTER (WHERE EXISTS (SELECT 1 FROM mail_bounces b WHERE b.address = s.email "
	"AND b.suppressed_at IS NOT NULL)) FROM subscribers s", 0
};

int
campaign_db_stats(struct db *db, struct arena *a, struct campaign_stats *out)
{
	struct db_res *res = db_query(db, a, &campaign_db_stats_stmt, NULL);

	if (res == NULL || res->nrows != 1)
		return -1;
	out->active = db_get_int(res, 0, 0);
	out->pending = db_get_int(res, 0, 1);
	out->unsubscribed = db_get_int(res, 0, 2);
	out->weekly = db_get_int(res, 0, 3);
	out->bounced = db_get_int(res, 0, 4);
	return 0;
}

static const struct db_stmt campaign_db_ledger_stmt = {
	"campaign_db_ledger",
	"SELECT e.id, e.subscriber_id, e.email, e.action, e.consent_version, "
	"to_char(e.at, 'YYYY-MM-DD\"T\"HH24:MI:SSOF'), e.ip, e.user_agent, "
	"array_to_string(e.topics, ','), e.frequency, e.campaign_id, c.body "
	"FROM consent_events e LEFT JOIN consent_texts c ON c.version = e.consent_version ORDER BY e.id", 0
};

int
campaign_db_ledger_csv(struct db *db, struct arena *a, struct buf *out)
{
	static const char *const header[] = {
		"n.", "iscritto", "email", "azione", "versione consenso", "data e ora", "indirizzo IP",
		"user agent", "argomenti", "frequenza", "campagna", "testo del consenso"
	};
	struct db_res *res = db_query(db, a, &campaign_db_ledger_stmt, NULL);

	if (res == NULL)
		return -1;
	buf_adds(out, CSV_BOM);
	csv_row(out, header, (int)ARRAY_SIZE(header));
	for (int i = 0; i < res->nrows; i++)
		csv_row(out, &res->cells[(size_t)i * (size_t)res->ncols], res->ncols);
	return 0;
}
