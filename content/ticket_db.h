/*
 * ticket_db.h - the help desk's tickets (content/sql/0018_helpdesk.sql).
 *
 * Who sees a ticket is decided here, in SQL, for every read: the
 * reporter (public messages only), the tutors of the ticket's
 * organisation while it is at level 0, helpdesk1 at levels 1 and 2 (the
 * front office follows what it escalated), helpdesk2 at level 2,
 * coordinamento and admin always.  A ticket someone may not see is "not
 * found" to them, the same as one that does not exist.
 *
 * Results live in the arena given.  Functions return 0, or -1 on a
 * database error (logged), unless said otherwise; the ones that write run
 * in the caller's transaction (mail is queued in it by the caller).
 */
#ifndef CONTENT_TICKET_DB_H
#define CONTENT_TICKET_DB_H

#include "compat.h"

#include "arena.h"

struct db;
struct sla_pause;

#define TICKET_LEVELS 3	/* 0 tutors, 1 front office, 2 specialists */

/* Who is asking (from struct user). */
struct ticket_viewer {
	int64_t uid;
	int64_t org_id;		/* 0: none */
	unsigned roles;		/* ROLE_* bits */
};

/* How the viewer reaches a ticket. */
enum ticket_access {
	TICKET_NONE = 0,	/* may not see it (answer 404) */
	TICKET_REPORTER,	/* their own ticket: public messages only */
	TICKET_AGENT,		/* an agent of its current level, or coordination */
	TICKET_FOLLOWER,	/* helpdesk1 on a level-2 ticket: acts as the front office */
};

struct ticket {
	int64_t id;
	int64_t reporter_id;
	const char *reporter_name, *reporter_email;
	int64_t org_id;			/* 0: none */
	const char *org_name;		/* "" when none */
	const char *category;		/* access, module, platform, documents, other */
	int64_t module_id;		/* 0: none */
	const char *module_title;	/* "" when none */
	const char *subject;
	const char *body_md, *body_html;
	const char *page_url;		/* a path, "" when none */
	int level;
	int64_t assignee_id;		/* 0: nobody */
	const char *assignee_name;	/* "" when nobody */
	const char *status;		/* nuovo, in_lavorazione, in_attesa, risolto, chiuso */
	const char *created_local;	/* "DD/MM/YYYY HH:MM", Europe/Rome */
	const char *updated_local;
	const char *created_iso, *updated_iso;	/* RFC 3339, UTC */
	const char *resolved_iso;	/* NULL when not resolved */
	int rating;			/* 0: not rated */
	const char *rating_comment;
	int64_t created_epoch;
	/* the current level's clock (ticket_levels), epoch seconds; 0 = not yet */
	int64_t level_entered, level_first_response;
	enum ticket_access access;
	int64_t nattachments;
	/* the ticket's waiting periods (sla.h), in the arena */
	const struct sla_pause *pauses;
	int npauses;
};

struct ticket_msg {
	int64_t id;
	int64_t author_id;		/* 0: the system (the auto-close job) */
	const char *author_name;	/* "" for the system */
	const char *kind;		/* public, internal, handover, status */
	int level;
	const char *status;		/* kind status: the new status; else NULL */
	const char *body_md, *body_html;
	const char *created_local, *created_iso;
};

struct ticket_attachment {
	int64_t id;
	int64_t ticket_id;
	int64_t blob_id;
	const char *filename, *type;
	int64_t size;
	const char *sha256;		/* the blob's, for blob_send's ETag */
};

/* What a reporter sends. */
struct ticket_new {
	int64_t reporter_id;
	int64_t org_id;			/* the reporter's organisation, 0 if none */
	const char *category;
	int64_t module_id;		/* 0: none (category module only) */
	const char *subject, *body_md, *body_html;
	const char *page_url;		/* "" when none */
};

/* A queue's filters (agents), or the reporter's own list (mine_reported). */
struct ticket_filter {
	bool reported;		/* the viewer's own tickets, whatever the roles */
	int level;		/* -1: every level the viewer may see */
	const char *status;	/* NULL: every open one (not chiuso); "tutti": every one */
	bool mine;		/* assigned to the viewer */
	bool unassigned;
	bool waiting;		/* in_attesa */
	const char *category;	/* NULL: any */
	int limit, offset;
};

/*
 * Opens a ticket: level 0 when the reporter's organisation has an active
 * tutor other than the reporter, else level 1; its level clock starts.
 * *id and *level set.  1 if module_id names no module.
 */
int ticket_db_create(struct db *db, const struct ticket_new *t, int64_t *id, int *level);

/*
 * Ticket id as viewer may see it: *found false (and out untouched) when it
 * does not exist or the viewer may not see it.
 */
int ticket_db_get(struct db *db, struct arena *a, int64_t id, const struct ticket_viewer *v,
		  struct ticket *out, bool *found);

/*
 * Ticket id, locked FOR UPDATE for the caller's transaction, with the same
 * visibility rule as ticket_db_get.
 */
int ticket_db_lock(struct db *db, struct arena *a, int64_t id, const struct ticket_viewer *v,
		   struct ticket *out, bool *found);

/*
 * The thread of ticket id, oldest first: public and status messages only
 * when agent is false (the reporter's view), every kind when true.
 */
int ticket_db_messages(struct db *db, struct arena *a, int64_t id, bool agent,
		       struct ticket_msg **out, int *n);

/* Tickets viewer may see matching f, newest activity first; *total counts all matches. */
int ticket_db_list(struct db *db, struct arena *a, const struct ticket_viewer *v,
		   const struct ticket_filter *f, struct ticket **out, int *n, int64_t *total);

/*
 * Adds a message (kind public, internal, handover or status) written at
 * the ticket's current level; *msg_id set.  For agents' public replies and
 * status messages it also sets the level's first response, once.
 */
int ticket_db_add_message(struct db *db, int64_t ticket_id, int64_t author_id, const char *kind,
			  int level, const char *status, const char *body_md,
			  const char *body_html, bool first_response, int64_t *msg_id);

/*
 * Moves ticket id to status (nuovo excluded), keeping resolved_at,
 * closed_at, the waits and the level clock in step; *changed false when it
 * already was in it (nothing written).
 */
int ticket_db_set_status(struct db *db, int64_t id, int level, const char *status,
			 bool *changed);

/* Assigns ticket id to uid (0: nobody). */
int ticket_db_assign(struct db *db, int64_t id, int64_t uid);

/*
 * 1 when uid is an active agent of level for a ticket of organisation
 * org_id (a tutor of that organisation, helpdesk1, helpdesk2), or a
 * coordinator; 0 if not.
 */
int ticket_db_is_agent(struct db *db, int64_t uid, int level, int64_t org_id);

/* Agents of level (for org_id at level 0), by name: who a ticket may be assigned to. */
struct ticket_person {
	int64_t id;
	const char *name, *email;
};
int ticket_db_agents(struct db *db, struct arena *a, int level, int64_t org_id,
		     struct ticket_person **out, int *n);

/* The coordination team (active coordinamento users): the leads told of overdue tickets. */
int ticket_db_leads(struct db *db, struct arena *a, struct ticket_person **out, int *n);

/*
 * Moves ticket id from level from to level from + 1: closes from's clock
 * (left_at), starts the next one, unassigns.  1 if it was not at from.
 */
int ticket_db_escalate(struct db *db, int64_t id, int from);

/* Records the reporter's rating (1..5) and comment; 1 if not risolto/chiuso or already rated. */
int ticket_db_rate(struct db *db, int64_t id, int rating, const char *comment);

/* Attachments of ticket id; add one (blob already stored). */
int ticket_db_attachments(struct db *db, struct arena *a, int64_t id,
			  struct ticket_attachment **out, int *n);
int ticket_db_attach(struct db *db, int64_t ticket_id, int64_t message_id, int64_t blob_id,
		     const char *filename, const char *type, int64_t size, int64_t uid);
/* Attachment att of ticket id: *found false when it is not one of its. */
int ticket_db_attachment(struct db *db, struct arena *a, int64_t id, int64_t att,
			 struct ticket_attachment *out, bool *found);

/* Service-level targets in working minutes; 0/0 if the row is missing. */
struct ticket_target {
	const char *category;
	int level;
	int first_response_minutes, resolution_minutes;
};
int ticket_db_targets(struct db *db, struct arena *a, struct ticket_target **out, int *n);

/*
 * Open tickets (not risolto/chiuso) with their current level's clock, at
 * most limit, whose lead was not told yet (for the overdue job) when
 * unnotified is true.
 */
int ticket_db_open(struct db *db, struct arena *a, bool unnotified, int limit,
		   struct ticket **out, int *n);

/* Records the overdue notice of (id, level); 1 if it was recorded already. */
int ticket_db_overdue_noticed(struct db *db, int64_t id, int level, const char *kind);

/*
 * Risolto tickets resolved more than days ago, locked (SKIP LOCKED), at
 * most limit: the auto-close job's work.
 */
int ticket_db_close_due(struct db *db, struct arena *a, int days, int limit,
			struct ticket **out, int *n);

/* Canned replies. */
struct ticket_canned {
	int64_t id;
	const char *category, *title, *body_md;
};
/* Of category (NULL: all), by category and title. */
int ticket_db_canned_list(struct db *db, struct arena *a, const char *category,
			  struct ticket_canned **out, int *n);
int ticket_db_canned_get(struct db *db, struct arena *a, int64_t id, struct ticket_canned *out,
			 bool *found);
/* Creates (id 0) or updates; 1 if id does not exist, 2 if the title is taken in the category. */
int ticket_db_canned_save(struct db *db, int64_t id, const char *category, const char *title,
			  const char *body_md, int64_t uid, int64_t *out_id);
/* 1 if there was none. */
int ticket_db_canned_delete(struct db *db, int64_t id);


/* The first active user holding role (the demo's accounts): *id 0 when none. */
int ticket_db_demo_user(struct db *db, struct arena *a, const char *role, int64_t *id,
			int64_t *org_id);

/* Number of tickets with subject subject (the demo's idempotence), or -1. */
int64_t ticket_db_count_subject(struct db *db, const char *subject);

#endif
