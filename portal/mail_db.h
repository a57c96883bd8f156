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
	const char *message;
};

/* Queues a rendered message on db's connection (in the caller's transaction). */
int mail_db_insert(struct db *db, const char *to, const char *subject, const char *message);

/*
 * Claims up to MAIL_DB_BATCH due messages with a ten-minute lease, in one
 * statement: other senders skip them, and no lock stays held while they
 * are sent.  A sender that dies leaves them to be sent again when the
 * lease ends (at-least-once delivery).  Returns how many were claimed.
 */
int mail_db_claim(struct db *db, struct arena *a, struct mail_db_item items[MAIL_DB_BATCH]);

/* Marks a message sent. */
int mail_db_sent(struct db *db, const char *id);

/* Records a failed attempt: retried with doubling backoff (30 s .. 1 h),
 * marked failed after max_attempts, error kept. */
int mail_db_failed(struct db *db, const char *id, const char *error, int max_attempts);

/* Messages waiting, or -1. */
int64_t mail_db_depth(struct db *db, struct arena *a);

#endif
