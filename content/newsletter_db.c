/*
 * newsletter_db.c - the newsletter's SQL (see newsletter_db.h).
 */
#include "compat.h"

#include <string.h>

#include <sodium.h>

#include "db.h"
#include "mail.h"
#include "newsletter_db.h"

#define NEWSLETTER_DB_STR(x) NEWSLETTER_DB_STR2(x)
#define NEWSLETTER_DB_STR2(x) #x

static const struct db_stmt newsletter_db_topics_stmt = {
	"newsletter_db_topics",
	"SELECT t.slug, t.name, t.builtin, "
	"(SELECT count(*) FROM subscriber_topics st JOIN subscribers s ON s.id = st.subscriber_id "
	" WHERE st.topic = t.slug AND s.status = 'active') "
	"FROM newsletter_topics t ORDER BY NOT t.builtin, "
	"array_position(ARRAY['news', 'events', 'documents', 'courses'], t.slug), t.name", 0
};

int
newsletter_db_topics(struct db *db, struct arena *a, struct newsletter_topic **out, int *n)
{
	struct db_res *res = db_query(db, a, &newsletter_db_topics_stmt, NULL);

	if (res == NULL)
		return -1;
	*out = arena_calloc(a, (size_t)res->nrows + 1, sizeof(**out));
	for (int i = 0; i < res->nrows; i++) {
		(*out)[i].slug = db_get(res, i, 0);
		(*out)[i].name = db_get(res, i, 1);
		(*out)[i].builtin = db_get_bool(res, i, 2);
		(*out)[i].subscribers = db_get_int(res, i, 3);
	}
	*n = res->nrows;
	return 0;
}

static const struct db_stmt newsletter_db_topic_add_stmt = {
	"newsletter_db_topic_add",
	"INSERT INTO newsletter_topics (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING", 2
};

int
newsletter_db_topic_add(struct db *db, const char *slug, const char *name, bool *taken)
{
	const char *params[] = { slug, name };
	int64_t n = db_exec(db, &newsletter_db_topic_add_stmt, params);

	if (n < 0)
		return -1;
	*taken = n == 0;
	return 0;
}

static const struct db_stmt newsletter_db_consent_stmt = {
	"newsletter_db_consent",
	"SELECT version, body FROM consent_texts ORDER BY version DESC LIMIT 1", 0
};

int
newsletter_db_consent(struct db *db, struct arena *a, int *version, const char **text)
{
	struct db_res *res = db_query(db, a, &newsletter_db_consent_stmt, NULL);

	if (res == NULL || res->nrows != 1)
		return -1;
	*version = (int)db_get_int(res, 0, 0);
	*text = db_get(res, 0, 1);
	return 0;
}

#define NEWSLETTER_DB_SUBSCRIBER_COLS \
	"s.id, coalesce(s.user_id, 0), s.email, s.name, s.organisation, s.status, s.frequency, " \
	"s.link_secret, coalesce((SELECT string_agg(topic, ',' ORDER BY topic) FROM subscriber_topics " \
	"WHERE subscriber_id = s.id), ''), " \
	"to_char(s.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SSOF'), " \
	"to_char(s.confirmed_at, 'YYYY-MM-DD\"T\"HH24:MI:SSOF'), " \
	"coalesce(extract(epoch FROM s.confirm_expires)::bigint, 0) "

static const struct db_stmt newsletter_db_subscriber_stmt = {
	"newsletter_db_subscriber",
	"SELECT " NEWSLETTER_DB_SUBSCRIBER_COLS "FROM subscribers s "
	"WHERE CASE WHEN $1::bigint > 0 THEN s.id = $1 ELSE s.email = lower($2) END", 2
};

static const struct db_stmt newsletter_db_subscriber_lock_stmt = {
	"newsletter_db_subscriber_lock",
	"SELECT " NEWSLETTER_DB_SUBSCRIBER_COLS "FROM subscribers s "
	"WHERE CASE WHEN $1::bigint > 0 THEN s.id = $1 ELSE s.email = lower($2) END FOR UPDATE", 2
};

int
newsletter_db_subscriber(struct db *db, struct arena *a, int64_t id, const char *email, bool lock,
			 struct newsletter_subscriber *out, bool *found)
{
	char idp[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id), email ? email : "" };
	struct db_res *res = db_query(db, a, lock ? &newsletter_db_subscriber_lock_stmt :
				      &newsletter_db_subscriber_stmt, params);

	if (res == NULL)
		return -1;
	*found = res->nrows == 1;
	if (!*found)
		return 0;
	out->id = db_get_int(res, 0, 0);
	out->user_id = db_get_int(res, 0, 1);
	out->email = db_get(res, 0, 2);
	out->name = db_get(res, 0, 3);
	out->organisation = db_get(res, 0, 4);
	out->status = db_get(res, 0, 5);
	out->frequency = db_get(res, 0, 6);
	out->link_secret = db_get(res, 0, 7);
	out->topics = db_get(res, 0, 8);
	out->created_at = db_get(res, 0, 9);
	out->confirmed_at = db_get(res, 0, 10);
	out->confirm_expires = db_get_int(res, 0, 11);
	return 0;
}

/* A new link secret: 128 random bits in hex. */
static void
newsletter_db_secret(char out[33])
{
	unsigned char raw[16];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, 33, raw, sizeof(raw));
}

/*
 * The ledger's insert, shared by every change: $1 subscriber, then
 * action, consent version (or NULL), ip, user agent, campaign (or NULL);
 * topics and frequency are read from the subscriber as they now are.
 */
#define NEWSLETTER_DB_EVENT(action, version, ip, ua, campaign) \
	"INSERT INTO consent_events (subscriber_id, email, action, consent_version, topics, frequency, " \
	"ip, user_agent, campaign_id) SELECT s.id, s.email, " action ", " version ", " \
	"coalesce((SELECT array_agg(topic ORDER BY topic) FROM subscriber_topics " \
	"WHERE subscriber_id = s.id), '{}'), s.frequency, left(" ip ", 64), left(" ua ", 500), " \
	campaign " FROM subscribers s WHERE s.id = "

static const struct db_stmt newsletter_db_request_stmt = {
	"newsletter_db_request",
	"WITH prev AS (SELECT id, status FROM subscribers WHERE email = lower($1) FOR UPDATE), "
	"up AS (INSERT INTO subscribers (email, name, organisation, status, link_secret, confirm_expires) "
	"SELECT lower($1), $2, $3, 'pending', $5, now() + interval '7 days' "
	"WHERE NOT EXISTS (SELECT 1 FROM prev WHERE status = 'active') "
	"ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, organisation = EXCLUDED.organisation, "
	"status = 'pending', link_secret = EXCLUDED.link_secret, "
	"confirm_expires = EXCLUDED.confirm_expires, confirmed_at = NULL, unsubscribed_at = NULL "
	"RETURNING id), "
	"del AS (DELETE FROM subscriber_topics WHERE subscriber_id IN (SELECT id FROM up) "
	"AND NOT topic = ANY ($4::text[])), "
	"ins AS (INSERT INTO subscriber_topics (subscriber_id, topic) "
	"SELECT up.id, t.slug FROM up, newsletter_topics t WHERE t.slug = ANY ($4::text[]) "
	"ON CONFLICT DO NOTHING) "
	"SELECT coalesce((SELECT id FROM up), (SELECT id FROM prev)), "
	"EXISTS (SELECT 1 FROM prev WHERE status = 'active')", 5
};

/* The ledger line of a request, after the statement above (it sees the topics then). */
static const struct db_stmt newsletter_db_event_requested_stmt = {
	"newsletter_db_event_requested",
	NEWSLETTER_DB_EVENT("'requested'", "$2::int", "$3", "$4", "NULL") "$1", 4
};

int
newsletter_db_request(struct db *db, const char *email, const char *name, const char *org,
		      const char *topics, int consent_version, const struct newsletter_origin *o,
		      int64_t *id, bool *already_active)
{
	char secret[33], version[DB_INT_LEN], idp[DB_INT_LEN];
	const char *params[] = { email, name, org ? org : "", topics, secret };
	struct arena *a = arena_new();
	struct db_res *res;
	int rc = -1;

	newsletter_db_secret(secret);
	if ((res = db_query(db, a, &newsletter_db_request_stmt, params)) == NULL || res->nrows != 1)
		goto out;
	*id = db_get_int(res, 0, 0);
	*already_active = db_get_bool(res, 0, 1);
	if (!*already_active) {
		const char *ev[] = { db_int_param(idp, *id), db_int_param(version, consent_version),
				     o->ip, o->user_agent };

		if (db_exec(db, &newsletter_db_event_requested_stmt, ev) < 0)
			goto out;
	}
	rc = 0;
out:
	arena_free(a);
	return rc;
}

static const struct db_stmt newsletter_db_member_stmt = {
	"newsletter_db_member",
	"WITH up AS (INSERT INTO subscribers (email, name, organisation, user_id, status, frequency, "
	"link_secret, confirmed_at) VALUES (lower($1), $2, $3, $4, 'active', $6, $7, now()) "
	"ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, organisation = EXCLUDED.organisation, "
	"user_id = EXCLUDED.user_id, status = 'active', frequency = EXCLUDED.frequency, "
	"confirmed_at = CASE WHEN subscribers.status = 'active' THEN subscribers.confirmed_at "
	"ELSE now() END, confirm_expires = NULL, unsubscribed_at = NULL RETURNING id), "
	"del AS (DELETE FROM subscriber_topics WHERE subscriber_id IN (SELECT id FROM up) "
	"AND NOT topic = ANY ($5::text[])), "
	"ins AS (INSERT INTO subscriber_topics (subscriber_id, topic) "
	"SELECT up.id, t.slug FROM up, newsletter_topics t WHERE t.slug = ANY ($5::text[]) "
	"ON CONFLICT DO NOTHING) "
	"SELECT id FROM up", 7
};

static const struct db_stmt newsletter_db_event_member_stmt = {
	"newsletter_db_event_member",
	NEWSLETTER_DB_EVENT("'confirmed'", "$2::int", "$3", "$4", "NULL") "$1", 4
};

int
newsletter_db_member_subscribe(struct db *db, int64_t user_id, const char *email, const char *name,
			       const char *org, const char *topics, const char *frequency,
			       int consent_version, const struct newsletter_origin *o)
{
	char secret[33], uid[DB_INT_LEN], version[DB_INT_LEN];
	const char *params[] = { email, name, org ? org : "", db_int_param(uid, user_id), topics,
				 frequency, secret };
	int64_t id;

	newsletter_db_secret(secret);
	if ((id = db_query_int(db, &newsletter_db_member_stmt, params)) < 0)
		return -1;
	{
		char idp[DB_INT_LEN];
		const char *ev[] = { db_int_param(idp, id), db_int_param(version, consent_version),
				     o->ip, o->user_agent };

		return db_exec(db, &newsletter_db_event_member_stmt, ev) < 0 ? -1 : 0;
	}
}

static const struct db_stmt newsletter_db_confirm_stmt = {
	"newsletter_db_confirm",
	"UPDATE subscribers SET status = 'active', confirmed_at = now(), confirm_expires = NULL "
	"WHERE id = $1 AND status = 'pending' AND confirm_expires > now()", 1
};

/* The confirmation keeps the version of the request it confirms. */
static const struct db_stmt newsletter_db_event_confirmed_stmt = {
	"newsletter_db_event_confirmed",
	NEWSLETTER_DB_EVENT("'confirmed'", "(SELECT consent_version FROM consent_events WHERE "
			    "subscriber_id = s.id AND action = 'requested' ORDER BY id DESC LIMIT 1)",
			    "$2", "$3", "NULL") "$1", 3
};

int
newsletter_db_confirm(struct db *db, int64_t id, const struct newsletter_origin *o, bool *changed)
{
	char idp[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id), o->ip, o->user_agent };
	int64_t n = db_exec(db, &newsletter_db_confirm_stmt, params);

	if (n < 0)
		return -1;
	*changed = n == 1;
	return *changed && db_exec(db, &newsletter_db_event_confirmed_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt newsletter_db_preferences_stmt = {
	"newsletter_db_preferences",
	"WITH up AS (UPDATE subscribers SET frequency = $3 WHERE id = $1 AND status = 'active' "
	"RETURNING id), "
	"del AS (DELETE FROM subscriber_topics WHERE subscriber_id IN (SELECT id FROM up) "
	"AND NOT topic = ANY ($2::text[])), "
	"ins AS (INSERT INTO subscriber_topics (subscriber_id, topic) "
	"SELECT up.id, t.slug FROM up, newsletter_topics t WHERE t.slug = ANY ($2::text[]) "
	"ON CONFLICT DO NOTHING) "
	"SELECT count(*) FROM up", 3
};

/* Runs after the change commits its CTEs: a separate statement sees the new topics. */
static const struct db_stmt newsletter_db_event_changed_stmt = {
	"newsletter_db_event_changed",
	NEWSLETTER_DB_EVENT("'changed'", "NULL", "$2", "$3", "NULL") "$1", 3
};

int
newsletter_db_preferences(struct db *db, int64_t id, const char *topics, const char *frequency,
			  const struct newsletter_origin *o)
{
	char idp[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id), topics, frequency };
	const char *ev[] = { idp, o->ip, o->user_agent };
	int64_t n = db_query_int(db, &newsletter_db_preferences_stmt, params);

	if (n < 0)
		return -1;
	return n == 1 && db_exec(db, &newsletter_db_event_changed_stmt, ev) < 0 ? -1 : 0;
}

static const struct db_stmt newsletter_db_unsubscribe_stmt = {
	"newsletter_db_unsubscribe",
	"UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = now(), "
	"confirm_expires = NULL WHERE id = $1 AND status IN ('active', 'pending')", 1
};

static const struct db_stmt newsletter_db_event_withdrawn_stmt = {
	"newsletter_db_event_withdrawn",
	NEWSLETTER_DB_EVENT("'withdrawn'", "NULL", "$2", "$3", "nullif($4::bigint, 0)") "$1", 4
};

int
newsletter_db_unsubscribe(struct db *db, int64_t id, const struct newsletter_origin *o, bool *changed)
{
	char idp[DB_INT_LEN], cp[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id) };
	const char *ev[] = { idp, o->ip, o->user_agent, db_int_param(cp, o->campaign_id) };
	int64_t n = db_exec(db, &newsletter_db_unsubscribe_stmt, params);

	if (n < 0)
		return -1;
	*changed = n == 1;
	return *changed && db_exec(db, &newsletter_db_event_withdrawn_stmt, ev) < 0 ? -1 : 0;
}

static const struct db_stmt newsletter_db_erase_stmt = {
	"newsletter_db_erase", "DELETE FROM subscribers WHERE id = $1", 1
};

int
newsletter_db_erase(struct db *db, int64_t id)
{
	char idp[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id) };

	return db_exec(db, &newsletter_db_erase_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt newsletter_db_export_stmt = {
	"newsletter_db_export",
	"SELECT json_build_object("
	"'email', s.email, 'name', s.name, 'organisation', s.organisation, 'status', s.status, "
	"'frequency', s.frequency, 'member', s.user_id IS NOT NULL, 'created_at', s.created_at, "
	"'confirmed_at', s.confirmed_at, 'unsubscribed_at', s.unsubscribed_at, "
	"'topics', coalesce((SELECT json_agg(t.name ORDER BY t.name) FROM subscriber_topics st "
	" JOIN newsletter_topics t ON t.slug = st.topic WHERE st.subscriber_id = s.id), '[]'), "
	"'consent_events', coalesce((SELECT json_agg(json_build_object('action', e.action, 'at', e.at, "
	" 'ip', e.ip, 'user_agent', e.user_agent, 'topics', e.topics, 'frequency', e.frequency, "
	" 'consent_version', e.consent_version, 'consent_text', c.body) ORDER BY e.id) "
	" FROM consent_events e LEFT JOIN consent_texts c ON c.version = e.consent_version "
	" WHERE e.subscriber_id = s.id), '[]'), "
	"'updates_received', (SELECT count(*) FROM newsletter_sent WHERE subscriber_id = s.id))::text "
	"FROM subscribers s WHERE s.id = $1", 1
};

int
newsletter_db_export(struct db *db, struct arena *a, int64_t id, const char **json)
{
	char idp[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id) };
	struct db_res *res = db_query(db, a, &newsletter_db_export_stmt, params);

	if (res == NULL || res->nrows != 1)
		return -1;
	*json = db_get(res, 0, 0);
	return 0;
}

static const struct db_stmt newsletter_db_expire_stmt = {
	"newsletter_db_expire",
	"DELETE FROM subscribers WHERE status = 'pending' AND confirm_expires <= now()", 0
};

int64_t
newsletter_db_expire(struct db *db)
{
	return db_exec(db, &newsletter_db_expire_stmt, NULL);
}

/* ---- sending ---- */

static const struct db_stmt newsletter_db_repeatable_stmt = {
	"newsletter_db_repeatable", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", 0
};

static const struct db_stmt newsletter_db_due_stmt = {
	"newsletter_db_due",
	"SELECT id FROM publications WHERE announced_at IS NULL AND published_at <= now() "
	"ORDER BY published_at LIMIT 1 FOR UPDATE SKIP LOCKED", 0
};

/* Under repeatable read, so that the mails and the records see one set of subscribers. */
static const struct db_stmt newsletter_db_update_fanout_stmt = {
	"newsletter_db_update_fanout",
	MAIL_FANOUT("SELECT s.email AS to_addr, p.title AS subject, 'update' AS source, "
		    "p.id AS source_id, s.id AS recipient_id "
		    "FROM publications p JOIN subscriber_topics t ON t.topic = p.topic "
		    "JOIN subscribers s ON s.id = t.subscriber_id "
		    "WHERE p.id = $1 AND s.status = 'active' AND s.frequency = 'immediate' "
		    "AND NOT EXISTS (SELECT 1 FROM newsletter_sent n WHERE n.subscriber_id = s.id "
		    "AND n.publication_id = p.id)"), 1
};

static const struct db_stmt newsletter_db_update_sent_stmt = {
	"newsletter_db_update_sent",
	"WITH r AS (INSERT INTO newsletter_sent (subscriber_id, publication_id) "
	"SELECT s.id, p.id FROM publications p JOIN subscriber_topics t ON t.topic = p.topic "
	"JOIN subscribers s ON s.id = t.subscriber_id "
	"WHERE p.id = $1 AND s.status = 'active' AND s.frequency = 'immediate' "
	"ON CONFLICT DO NOTHING) "
	"UPDATE publications SET announced_at = now() WHERE id = $1", 1
};

int64_t
newsletter_db_announce(struct db *db)
{
	struct arena *a = arena_new();
	int64_t done = 0;

	for (;;) {
		struct db_res *res;
		const char *params[1];

		if (db_begin(db) == -1 ||
		    db_exec(db, &newsletter_db_repeatable_stmt, NULL) < 0 ||
		    (res = db_query(db, a, &newsletter_db_due_stmt, NULL)) == NULL)
			goto fail;
		if (res->nrows == 0)
			break;
		params[0] = db_get(res, 0, 0);
		if (db_exec(db, &newsletter_db_update_fanout_stmt, params) < 0 ||
		    db_exec(db, &newsletter_db_update_sent_stmt, params) < 0 || db_commit(db) == -1)
			goto fail;
		done++;
	}
	db_rollback(db);
	arena_free(a);
	return done;
fail:
	db_rollback(db);
	arena_free(a);
	return -1;
}

static const struct db_stmt newsletter_db_digest_make_stmt = {
	"newsletter_db_digest_make",
	"WITH slot AS (SELECT newsletter_digest_slot($1::int, $2::int) AS at), "
	"due AS (SELECT s.id, s.confirmed_at FROM subscribers s, slot "
	"WHERE s.status = 'active' AND s.frequency = 'weekly' AND NOT EXISTS "
	"(SELECT 1 FROM newsletter_digests d WHERE d.subscriber_id = s.id AND d.slot = slot.at)), "
	"items AS (SELECT due.id AS sid, p.id AS pid FROM due "
	"JOIN subscriber_topics t ON t.subscriber_id = due.id "
	"JOIN publications p ON p.topic = t.topic, slot "
	"WHERE p.published_at <= slot.at AND p.published_at >= due.confirmed_at "
	"AND NOT EXISTS (SELECT 1 FROM newsletter_sent n WHERE n.subscriber_id = due.id "
	"AND n.publication_id = p.id)), "
	"dig AS (INSERT INTO newsletter_digests (subscriber_id, slot) "
	"SELECT DISTINCT items.sid, slot.at FROM items, slot RETURNING id, subscriber_id), "
	"sent AS (INSERT INTO newsletter_sent (subscriber_id, publication_id, digest_id) "
	"SELECT i.sid, i.pid, dig.id FROM items i JOIN dig ON dig.subscriber_id = i.sid "
	"ON CONFLICT DO NOTHING) "
	"SELECT count(*) FROM dig", 2
};

static const struct db_stmt newsletter_db_digest_fanout_stmt = {
	"newsletter_db_digest_fanout",
	MAIL_FANOUT("SELECT s.email AS to_addr, 'Gli aggiornamenti della settimana' AS subject, "
		    "'digest' AS source, d.id AS source_id, s.id AS recipient_id "
		    "FROM newsletter_digests d JOIN subscribers s ON s.id = d.subscriber_id "
		    "WHERE d.made_by = txid_current()"), 0
};

static const struct db_stmt newsletter_db_digest_lock_stmt = {
	"newsletter_db_digest_lock",
	"SELECT count(*) FROM (SELECT pg_try_advisory_xact_lock(hashtext('newsletter_digest')) AS got) x "
	"WHERE got", 0
};

int64_t
newsletter_db_digests(struct db *db, int weekday, int hour)
{
	char wd[DB_INT_LEN], hr[DB_INT_LEN];
	const char *params[] = { db_int_param(wd, weekday), db_int_param(hr, hour) };
	int64_t made = 0, locked;

	if (db_begin(db) == -1 || (locked = db_query_int(db, &newsletter_db_digest_lock_stmt, NULL)) < 0)
		goto fail;
	if (locked == 1 &&
	    ((made = db_query_int(db, &newsletter_db_digest_make_stmt, params)) < 0 ||
	     db_exec(db, &newsletter_db_digest_fanout_stmt, NULL) < 0))
		goto fail;
	if (db_commit(db) == -1)
		goto fail;
	return made;
fail:
	db_rollback(db);
	return -1;
}

static const struct db_stmt newsletter_db_campaign_lock_stmt = {
	"newsletter_db_campaign_lock",
	"SELECT count(*) FROM (SELECT 1 FROM campaigns WHERE id = $1 "
	"AND status IN ('draft', 'scheduled') FOR UPDATE) x", 1
};

static const struct db_stmt newsletter_db_campaign_fanout_stmt = {
	"newsletter_db_campaign_fanout",
	MAIL_FANOUT("SELECT s.email AS to_addr, c.subject AS subject, 'campaign' AS source, "
		    "c.id AS source_id, s.id AS recipient_id FROM campaigns c JOIN subscribers s "
		    "ON s.status = 'active' WHERE c.id = $1 AND (c.topics IS NULL OR EXISTS "
		    "(SELECT 1 FROM subscriber_topics t WHERE t.subscriber_id = s.id "
		    "AND t.topic = ANY (c.topics)))"), 1
};

static const struct db_stmt newsletter_db_campaign_sending_stmt = {
	"newsletter_db_campaign_sending",
	"UPDATE campaigns SET status = 'sending', queued_at = now(), recipients = $2, "
	"updated_at = now() WHERE id = $1", 2
};

int
newsletter_db_campaign_queue(struct db *db, int64_t id, int64_t *recipients, bool *queued)
{
	char idp[DB_INT_LEN], np[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id), NULL };
	int64_t ok;

	*queued = false;
	*recipients = 0;
	if ((ok = db_query_int(db, &newsletter_db_campaign_lock_stmt, params)) < 0)
		return -1;
	if (ok == 0)
		return 0;
	if ((*recipients = db_exec(db, &newsletter_db_campaign_fanout_stmt, params)) < 0)
		return -1;
	params[1] = db_int_param(np, *recipients);
	if (db_exec(db, &newsletter_db_campaign_sending_stmt, params) < 0)
		return -1;
	*queued = true;
	return 0;
}

static const struct db_stmt newsletter_db_campaigns_due_stmt = {
	"newsletter_db_campaigns_due",
	"SELECT id FROM campaigns WHERE status = 'scheduled' AND scheduled_at <= now() "
	"ORDER BY scheduled_at LIMIT 1 FOR UPDATE SKIP LOCKED", 0
};

int64_t
newsletter_db_campaigns_due(struct db *db)
{
	struct arena *a = arena_new();
	int64_t done = 0;

	for (;;) {
		struct db_res *res;
		int64_t recipients;
		bool queued;

		if (db_begin(db) == -1 || (res = db_query(db, a, &newsletter_db_campaigns_due_stmt, NULL)) == NULL)
			goto fail;
		if (res->nrows == 0)
			break;
		if (newsletter_db_campaign_queue(db, db_get_int(res, 0, 0), &recipients, &queued) == -1 ||
		    db_commit(db) == -1)
			goto fail;
		done++;
	}
	db_rollback(db);
	arena_free(a);
	return done;
fail:
	db_rollback(db);
	arena_free(a);
	return -1;
}

/* ---- what renderers read ---- */

#define NEWSLETTER_DB_RECIPIENT_COLS \
	"s.email, s.name, s.link_secret, coalesce(s.status = 'active', false)"

static void
newsletter_db_recipient(const struct db_res *res, struct newsletter_recipient *r)
{
	r->email = db_get(res, 0, 0);
	r->name = db_get(res, 0, 1);
	r->link_secret = db_get(res, 0, 2);
	r->active = db_get_bool(res, 0, 3);
}

#define NEWSLETTER_DB_ITEM_COLS \
	"p.id, p.title, p.summary, p.path, coalesce(t.name, p.topic), " \
	"to_char(p.published_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY')"

static void
newsletter_db_item(const struct db_res *res, int row, int col, struct newsletter_item *it)
{
	it->id = db_get_int(res, row, col);
	it->title = db_get(res, row, col + 1);
	it->summary = db_get(res, row, col + 2);
	it->path = db_get(res, row, col + 3);
	it->topic_name = db_get(res, row, col + 4);
	it->published_at = db_get(res, row, col + 5);
}

static const struct db_stmt newsletter_db_update_for_stmt = {
	"newsletter_db_update_for",
	"SELECT " NEWSLETTER_DB_RECIPIENT_COLS ", " NEWSLETTER_DB_ITEM_COLS " "
	"FROM subscribers s, publications p LEFT JOIN newsletter_topics t ON t.slug = p.topic "
	"WHERE s.id = $2 AND p.id = $1", 2
};

int
newsletter_db_update_for(struct db *db, struct arena *a, int64_t publication_id, int64_t sid,
			 struct newsletter_recipient *r, struct newsletter_item *item, bool *found)
{
	char pp[DB_INT_LEN], sp[DB_INT_LEN];
	const char *params[] = { db_int_param(pp, publication_id), db_int_param(sp, sid) };
	struct db_res *res = db_query(db, a, &newsletter_db_update_for_stmt, params);

	if (res == NULL)
		return -1;
	if (!(*found = res->nrows == 1))
		return 0;
	newsletter_db_recipient(res, r);
	newsletter_db_item(res, 0, 4, item);
	return 0;
}

static const struct db_stmt newsletter_db_digest_for_stmt = {
	"newsletter_db_digest_for",
	"SELECT " NEWSLETTER_DB_RECIPIENT_COLS ", " NEWSLETTER_DB_ITEM_COLS " "
	"FROM newsletter_digests d JOIN subscribers s ON s.id = d.subscriber_id "
	"LEFT JOIN newsletter_sent n ON n.digest_id = d.id "
	"LEFT JOIN publications p ON p.id = n.publication_id "
	"LEFT JOIN newsletter_topics t ON t.slug = p.topic "
	"WHERE d.id = $1 AND s.id = $2 ORDER BY p.published_at DESC LIMIT "
	NEWSLETTER_DB_STR(NEWSLETTER_DIGEST_MAX), 2
};

int
newsletter_db_digest_for(struct db *db, struct arena *a, int64_t digest_id, int64_t sid,
			 struct newsletter_recipient *r, struct newsletter_item **items, int *n)
{
	char dp[DB_INT_LEN], sp[DB_INT_LEN];
	const char *params[] = { db_int_param(dp, digest_id), db_int_param(sp, sid) };
	struct db_res *res = db_query(db, a, &newsletter_db_digest_for_stmt, params);

	*n = 0;
	if (res == NULL)
		return -1;
	if (res->nrows == 0)
		return 0;
	newsletter_db_recipient(res, r);
	*items = arena_calloc(a, (size_t)res->nrows, sizeof(**items));
	for (int i = 0; i < res->nrows; i++)
		if (db_get(res, i, 4) != NULL)
			newsletter_db_item(res, i, 4, &(*items)[(*n)++]);
	return 0;
}

static const struct db_stmt newsletter_db_campaign_for_stmt = {
	"newsletter_db_campaign_for",
	"SELECT " NEWSLETTER_DB_RECIPIENT_COLS ", c.subject, c.body_md, c.body_html "
	"FROM campaigns c LEFT JOIN subscribers s ON s.id = $2 WHERE c.id = $1", 2
};

int
newsletter_db_campaign_for(struct db *db, struct arena *a, int64_t campaign_id, int64_t sid,
			   struct newsletter_recipient *r, const char **subject, const char **body_md,
			   const char **body_html, bool *found)
{
	char cp[DB_INT_LEN], sp[DB_INT_LEN];
	const char *params[] = { db_int_param(cp, campaign_id), db_int_param(sp, sid) };
	struct db_res *res = db_query(db, a, &newsletter_db_campaign_for_stmt, params);

	if (res == NULL)
		return -1;
	if (!(*found = res->nrows == 1))
		return 0;
	newsletter_db_recipient(res, r);
	*subject = db_get(res, 0, 4);
	*body_md = db_get(res, 0, 5);
	*body_html = db_get(res, 0, 6);
	return 0;
}
