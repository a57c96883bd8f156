/*
 * ratelimit.h - sliding-window limits kept in PostgreSQL (table rate_events),
 * so that every portal process behind a load balancer counts the same.
 *
 * A kind names what is counted ("login_email", "register_addr"...), a key
 * whom (an email, lower-cased by the caller, or a client address).
 * Functions return -1 on a database error (logged), else 0.
 */
#ifndef PORTAL_RATELIMIT_H
#define PORTAL_RATELIMIT_H

#include "compat.h"

struct db;

#define RATELIMIT_MAX_WINDOW 86400	/* events older than this are purged */

/*
 * Events of (kind, key) within the last window seconds in *count, and in
 * *retry_after the seconds until the oldest of them leaves the window
 * (at least 1 when count > 0).
 */
int ratelimit_count(struct db *db, const char *kind, const char *key, int window,
		    int64_t *count, int64_t *retry_after);

/* Records one event now. */
int ratelimit_add(struct db *db, const char *kind, const char *key);

/* Forgets the events of (kind, key), e.g. failures after a success. */
int ratelimit_clear(struct db *db, const char *kind, const char *key);

/* Deletes events older than RATELIMIT_MAX_WINDOW. */
int ratelimit_purge(struct db *db);

#endif
