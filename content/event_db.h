/*
 * event_db.h - events and their registrations (content/sql/0015).
 *
 * Seats are counted under a lock on the event's row (SELECT ... FOR
 * UPDATE), so two registrations for the last seat, or a cancellation and
 * a registration, never both take it.  Results live in the arena given;
 * functions return 0, or -1 on a database error (logged), unless said
 * otherwise.  The ones that write run in the caller's transaction.
 */
#ifndef CONTENT_EVENT_DB_H
#define CONTENT_EVENT_DB_H

#include "compat.h"

#include "arena.h"

struct db;

struct event {
	int64_t id;
	const char *title;
	const char *description;	/* Markdown */
	const char *description_html;	/* rendered at save */
	const char *kind;		/* convegno, workshop, seminario, webinar */
	const char *start_local;	/* "YYYY-MM-DD HH:MM", Europe/Rome */
	const char *end_local;
	const char *start_utc;		/* "YYYYMMDDTHHMMSSZ" (iCalendar) */
	const char *end_utc;
	const char *start_iso;		/* RFC 3339, UTC */
	const char *end_iso;
	const char *place;		/* "" for none */
	const char *online_url;		/* "" for none */
	int capacity;			/* 0: no limit */
	int64_t confirmed, waiting;
	bool past;			/* it has started */
	const char *updated_iso;
};

/* What an editor writes. */
struct event_edit {
	const char *title, *description, *description_html, *kind;
	const char *starts_at, *ends_at;	/* timestamptz text */
	const char *place, *online_url;		/* "" for none */
	int capacity;				/* 0: no limit */
};

enum event_scope { EVENT_UPCOMING, EVENT_PAST, EVENT_ALL };

/* Upcoming ones soonest first, past ones latest first, all by start. */
int event_db_list(struct db *db, struct arena *a, enum event_scope scope, int limit, int offset,
		  struct event **out, int *n);

int event_db_get(struct db *db, struct arena *a, int64_t id, struct event *out, bool *found);

/* 1 when starts_at is before ends_at, 0 if not (both timestamptz text). */
int event_db_order_ok(struct db *db, const char *starts_at, const char *ends_at);

/* Creates (id 0) or updates event id; *out_id set.  1 if event id does not exist. */
int event_db_save(struct db *db, int64_t id, const struct event_edit *e, int64_t uid,
		  int64_t *out_id);

/* Deletes event id and its registrations; 1 if there was none. */
int event_db_delete(struct db *db, int64_t id);

/* One registration, as staff and mails see it. */
struct event_reg {
	int64_t id;
	int64_t event_id;
	const char *name, *email, *organisation;
	const char *status;		/* confirmed, waiting, cancelled */
	const char *created_local;	/* "DD/MM/YYYY HH:MM", Europe/Rome */
};

/*
 * Registers email for event id, open until it starts: a seat if one is
 * free, else the waiting list.  When the address already holds a live
 * registration nothing is added: its cancel hash is replaced by hash (so
 * the new mail's link works) and *dup is set.  *status is the resulting
 * status of the address's registration; *seats is "confirmed" or
 * "waiting", what a new registration would get now (the API's answer,
 * the same whether or not the address was known).  Returns 1 when the
 * event does not exist or has started.
 */
int event_db_register(struct db *db, struct arena *a, int64_t event_id, int64_t uid,
		      const char *name, const char *email, const char *organisation,
		      const char *hash, const char **status, const char **seats, bool *dup);

/* The live registration whose cancel hash is hash: *found, *reg and its event's title. */
int event_db_by_token(struct db *db, struct arena *a, const char *hash, struct event_reg *reg,
		      const char **title, bool *found);

/*
 * Cancels the live registration of cancel hash hash (*found false when
 * there is none, e.g. used twice) and moves waiting ones up into the
 * seats that frees: they are returned in *up (*nup of them) for mailing.
 */
int event_db_cancel(struct db *db, struct arena *a, const char *hash, struct event_reg *reg,
		    bool *found, struct event_reg **up, int *nup);

/* Moves waiting registrations of event id into free seats (after a capacity rise). */
int event_db_promote(struct db *db, struct arena *a, int64_t id, struct event_reg **up, int *nup);

/* The live registrations of event id: confirmed ones, then the waiting list, in order. */
int event_db_registrations(struct db *db, struct arena *a, int64_t id, struct event_reg **out,
			   int *n);

/*
 * Confirmed registrations of events starting within a day that were not
 * reminded yet, locked for this transaction (SKIP LOCKED: several portal
 * processes never remind one twice); at most limit.
 */
int event_db_reminders_due(struct db *db, struct arena *a, int limit, struct event_reg **out,
			   int *n);

/* Records that registration id was reminded. */
int event_db_reminded(struct db *db, int64_t id);

/* Number of events titled title (the demo's idempotence), or -1. */
int64_t event_db_count_titled(struct db *db, const char *title);

#endif
