/*
 * campaign_db.h - campaigns and the newsletter's administration
 * (content/sql/0014_newsletter.sql).  Results live in the arena;
 * functions return 0, or -1 on a database error (logged).
 */
#ifndef CONTENT_CAMPAIGN_DB_H
#define CONTENT_CAMPAIGN_DB_H

#include "compat.h"

#include "arena.h"
#include "buf.h"

struct db;

struct campaign {
	int64_t id;
	const char *subject;
	const char *body_md;
	const char *body_html;
	const char *topics;		/* comma-separated slugs; "" = every subscriber */
	const char *status;		/* draft, scheduled, sending, sent */
	const char *scheduled_at;	/* "dd/mm/yyyy HH:MM" (Rome) or NULL */
	const char *scheduled_input;	/* "yyyy-mm-ddTHH:MM" (Rome) or NULL, for the form */
	const char *scheduled_iso;	/* ISO 8601 or NULL */
	const char *queued_at;		/* "dd/mm/yyyy HH:MM" or NULL */
	const char *created_at;		/* "dd/mm/yyyy HH:MM" */
	const char *author;		/* name, or NULL */
	int64_t recipients;		/* queued when sent */
	int64_t unsubscribed;		/* withdrawals through its links */
};

/* The latest campaigns, newest first, at most max. */
int campaign_db_list(struct db *db, struct arena *a, int max, struct campaign **out, int *n);

/* Campaign id into *c; *found. */
int campaign_db_get(struct db *db, struct arena *a, int64_t id, struct campaign *c, bool *found);

/* A new draft; topics is a text[] literal or NULL for everyone.  *id. */
int campaign_db_create(struct db *db, const char *subject, const char *md, const char *html,
		       const char *topics, int64_t author, int64_t *id);

/* Edits a draft or scheduled campaign (it stays as it was); *changed false otherwise. */
int campaign_db_update(struct db *db, int64_t id, const char *subject, const char *md, const char *html,
		       const char *topics, bool *changed);

/* Schedules a draft or scheduled campaign at `at` ("yyyy-mm-ddTHH:MM", Rome), or with NULL
 * makes it a draft again; *changed false if it was already queued or `at` is past. */
int campaign_db_schedule(struct db *db, int64_t id, const char *at, bool *changed);

/* Marks sent the sending campaigns none of whose messages wait any more; their count. */
int64_t campaign_db_finish(struct db *db);

/* Subscribers by status, and how many addresses bounce. */
struct campaign_stats {
	int64_t active, pending, unsubscribed, weekly, bounced;
};
int campaign_db_stats(struct db *db, struct arena *a, struct campaign_stats *out);

/* Appends the consent ledger as CSV rows (header included) to out. */
int campaign_db_ledger_csv(struct db *db, struct arena *a, struct buf *out);

#endif
