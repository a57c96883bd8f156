/*
 * newsletter_db.h - subscribers, consent ledger, updates, digests and
 * campaign fan-out (content/sql/0014_newsletter.sql).
 *
 * Functions run on the caller's connection (and transaction); results
 * live in the arena.  They return 0, or -1 on a database error (logged),
 * unless said otherwise.
 */
#ifndef CONTENT_NEWSLETTER_DB_H
#define CONTENT_NEWSLETTER_DB_H

#include "compat.h"

#include "arena.h"

struct db;

struct newsletter_topic {
	const char *slug;
	const char *name;
	bool builtin;
	int64_t subscribers;	/* active ones */
};

struct newsletter_subscriber {
	int64_t id;
	int64_t user_id;	/* 0 when not a member's */
	const char *email;
	const char *name;
	const char *organisation;
	const char *status;	/* pending, active, unsubscribed */
	const char *frequency;	/* immediate, weekly */
	const char *link_secret;
	const char *topics;	/* comma-separated slugs */
	const char *created_at;	/* ISO 8601 */
	const char *confirmed_at;	/* ISO 8601 or NULL */
	int64_t confirm_expires;	/* unix time, 0 when none */
};

/* Who asked, for the consent ledger. */
struct newsletter_origin {
	const char *ip;
	const char *user_agent;
	int64_t campaign_id;	/* the campaign whose link was followed, or 0 */
};

/* Every topic in display order (built-in first), with active subscribers. */
int newsletter_db_topics(struct db *db, struct arena *a, struct newsletter_topic **out, int *n);

/* Adds a topic; *taken when the slug exists. */
int newsletter_db_topic_add(struct db *db, const char *slug, const char *name, bool *taken);

/* The consent text shown now: its version and words. */
int newsletter_db_consent(struct db *db, struct arena *a, int *version, const char **text);

/* The subscriber with id, or with email when id is 0; *found. */
int newsletter_db_subscriber(struct db *db, struct arena *a, int64_t id, const char *email,
			     bool lock, struct newsletter_subscriber *out, bool *found);

/*
 * A visitor's request (double opt-in): creates or renews a pending
 * subscription with these topics (a PostgreSQL text[] literal) and a new
 * link secret, the confirmation valid 7 days, and records the consent
 * given.  An active subscription is left alone (*already_active).  *id is
 * the subscriber.
 */
int newsletter_db_request(struct db *db, const char *email, const char *name, const char *org,
			  const char *topics, int consent_version, const struct newsletter_origin *o,
			  int64_t *id, bool *already_active);

/*
 * A member subscribing from their profile (no confirmation: their address
 * is confirmed): active at once with these topics and frequency, consent
 * recorded.
 */
int newsletter_db_member_subscribe(struct db *db, int64_t user_id, const char *email,
				   const char *name, const char *org, const char *topics,
				   const char *frequency, int consent_version,
				   const struct newsletter_origin *o);

/* Confirms a pending, unexpired subscription; *changed false if it was not pending. */
int newsletter_db_confirm(struct db *db, int64_t id, const struct newsletter_origin *o, bool *changed);

/* New topics and frequency for an active subscriber (ledger: changed). */
int newsletter_db_preferences(struct db *db, int64_t id, const char *topics, const char *frequency,
			      const struct newsletter_origin *o);

/* Withdraws consent; *changed false if it was not active or pending. */
int newsletter_db_unsubscribe(struct db *db, int64_t id, const struct newsletter_origin *o,
			      bool *changed);

/* Erases the subscriber and everything held about them. */
int newsletter_db_erase(struct db *db, int64_t id);

/*
 * Writes what is held about subscriber id as one JSON object into out
 * (PostgreSQL builds it: subscriber, topics, consent events with texts).
 */
int newsletter_db_export(struct db *db, struct arena *a, int64_t id, const char **json);

/* Deletes pending subscriptions whose confirmation expired; their count. */
int64_t newsletter_db_expire(struct db *db);

/* ---- sending ---- */

/*
 * Queues the update of every due publication not yet announced for the
 * active subscribers of its topic who get mail at once (each once), and
 * marks the publication announced.  Returns how many were announced.
 */
int64_t newsletter_db_announce(struct db *db);

/*
 * When the weekly slot (weekday 0 = Sunday, hour, Europe/Rome) has passed
 * and a weekly subscriber has had no digest for it: gathers their unsent
 * items of their topics into a digest and queues it.  One process at a
 * time (advisory lock).  Returns the digests queued.
 */
int64_t newsletter_db_digests(struct db *db, int weekday, int hour);

/*
 * Queues campaign id for its recipients (every active subscriber, or
 * those of its topics) and marks it sending; *recipients is how many.
 * *queued is false when it was not a draft or scheduled campaign.
 */
int newsletter_db_campaign_queue(struct db *db, int64_t id, int64_t *recipients, bool *queued);

/* Queues the scheduled campaigns that are due; their count. */
int64_t newsletter_db_campaigns_due(struct db *db);

/* What a message to one subscriber needs (renderers). */
struct newsletter_recipient {
	const char *email;
	const char *name;
	const char *link_secret;
	bool active;
};

/* An update's publication for subscriber sid; *found false if either is gone. */
struct newsletter_item {
	int64_t id;
	const char *title;
	const char *summary;
	const char *path;
	const char *topic_name;
	const char *published_at;	/* "dd/mm/yyyy" */
};

int newsletter_db_update_for(struct db *db, struct arena *a, int64_t publication_id, int64_t sid,
			     struct newsletter_recipient *r, struct newsletter_item *item, bool *found);

/* A digest's items (at most NEWSLETTER_DIGEST_MAX) and subscriber. */
#define NEWSLETTER_DIGEST_MAX 50
int newsletter_db_digest_for(struct db *db, struct arena *a, int64_t digest_id, int64_t sid,
			     struct newsletter_recipient *r, struct newsletter_item **items, int *n);

/* A campaign's subject and body for subscriber sid (r->active false when
 * there is no such subscriber); *found false when there is no campaign. */
int newsletter_db_campaign_for(struct db *db, struct arena *a, int64_t campaign_id, int64_t sid,
			       struct newsletter_recipient *r, const char **subject,
			       const char **body_md, const char **body_html, bool *found);

#endif
