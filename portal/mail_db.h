/*
 * mail_db.h - the SQL of the mail outbox, behind typed functions.
 * Functions return -1 on a database error (logged), else 0 or the value said.
 */
#ifndef PORTAL_MAIL_DB_H
#define PORTAL_MAIL_DB_H

#include "compat.h"

#include "arena.h"

struct db;

#define MAIL_DB_BATCH 10	/* messages claimed at once */

/* A message claimed for sending; strings are in the arena. */
struct mail_db_item {
	const char *id;
	const char *to;
	const char *message;	/* NULL: rendered at send time by source's renderer */
	const char *source;	/* NULL for a message queued rendered */
	int64_t source_id, recipient_id;
	bool suppressed;	/* the address bounces: not to be sent */
};

/* Queues a rendered message on db's connection (in the caller's transaction). */
int mail_db_insert(struct db *db, const char *to, const char *subject, const char *message);

/*
 * Claims up to MAIL_DB_BATCH due messages, those a person waits for
 * first, with a lease of lease seconds, in one statement: other senders
 * skip them, and no lock stays held while they are sent.  A sender that
 * dies leaves them to be sent again when the lease ends (at-least-once
 * delivery).  Returns how many were claimed.
 */
int mail_db_claim(struct db *db, struct arena *a, int lease, struct mail_db_item items[MAIL_DB_BATCH]);

/* Gives n claimed messages back to the queue, due now, attempts unchanged. */
int mail_db_release(struct db *db, struct arena *a, const struct mail_db_item *items, int n);

/* Closes a message unsent with status "cancelled" or "suppressed". */
int mail_db_finish(struct db *db, const char *id, const char *status);

/* Records a permanent failure: the message failed, its address one bounce
 * more, suppressed once it has bounce_limit. */
int mail_db_bounced(struct db *db, const char *id, const char *error, int bounce_limit);

/* Fills *out (mail.h) for source's messages of source_id. */
struct mail_counts;
int mail_db_counts(struct db *db, struct arena *a, const char *source, int64_t source_id,
		   struct mail_counts *out);

/* 1 when address is suppressed, 0 when not, -1 on error. */
int mail_db_suppressed(struct db *db, const char *address);

/* Marks a message sent. */
int mail_db_sent(struct db *db, const char *id);

/* Records a failed attempt: retried with doubling backoff (30 s .. 1 h),
 * marked failed after max_attempts, error kept. */
int mail_db_failed(struct db *db, const char *id, const char *error, int max_attempts);

/* Messages waiting, or -1. */
int64_t mail_db_depth(struct db *db, struct arena *a);

#endif
