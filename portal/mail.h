/*
 * mail.h - the durable outbox and its sender.
 *
 * mail_queue() renders a message (text and HTML from one set of pieces)
 * and inserts it into mail_outbox on the caller's connection, so it
 * commits or rolls back with the change that caused it.  Bulk mail (one
 * message to thousands) is queued unrendered with MAIL_FANOUT and
 * rendered at send time by the renderer its feature registered.
 *
 * mail_concurrency sender threads take due rows with FOR UPDATE SKIP
 * LOCKED (several portal processes never send one row twice), at most
 * mail_rate a second, and send them by SMTP with libcurl, each thread
 * keeping its connection to the relay, or, when no SMTP URL is
 * configured, write them as .eml files under var/mail/.  A temporary
 * failure (no connection, SMTP 4xx) is retried with exponential backoff;
 * a permanent one (5xx) is not, and counts against the address: after
 * mail_bounce_limit of them it is suppressed.  Delivery is at least once:
 * a sender killed between the relay's acceptance and its mark sends that
 * message again after mail_lease (at most one per thread).
 */
#ifndef PORTAL_MAIL_H
#define PORTAL_MAIL_H

#include "compat.h"

#include "arena.h"
#include "config.h"

struct db;

/* What makes a message bulk mail: the links every such message carries. */
struct mail_list {
	const char *unsubscribe_url;	/* https URL taking RFC 8058 one-click POSTs */
	const char *unsubscribe_mailto;	/* mailto: URL, or NULL */
	const char *preferences_url;	/* the recipient's preferences page */
	const char *reason;		/* why they receive it, one sentence */
};

/* What a message says; both parts are made from it. */
struct mail_content {
	const char *subject;
	const char *greeting;		/* "Gentile Maria Rossi," */
	const char *const *paragraphs;	/* NULL-terminated */
	const char *body_html;		/* or, instead of paragraphs: HTML the portal made
					 * (a stored Markdown rendering), never user input */
	const char *body_text;		/* its text part, required with body_html */
	const char *action_label;	/* button text, or NULL */
	const char *action_url;		/* absolute URL, or NULL */
	const struct mail_list *list;	/* bulk mail, or NULL */
};

/* Reads the mail settings; once, at start-up (before threads). */
int mail_configure(const struct config *cfg);

/* Queues one message; -1 on a database or composition error. */
int mail_queue(struct db *db, struct arena *a, const char *to_addr, const char *to_name,
	       const struct mail_content *content);

/*
 * Queues, for bulk mail, one unrendered message per row of a SELECT giving
 * the columns to_addr, subject, source, source_id, recipient_id: the
 * statement's SQL is MAIL_FANOUT("SELECT ... AS to_addr, ..."), run with
 * db_exec() in the caller's transaction.  Each row is rendered at send
 * time by the renderer registered for its source.
 */
#define MAIL_FANOUT(select)						\
	"INSERT INTO mail_outbox (to_addr, subject, source, source_id, recipient_id, priority) " \
	"SELECT r.to_addr, r.subject, r.source, r.source_id, r.recipient_id, 1 FROM (" select ") r"

/*
 * Renders a message queued with MAIL_FANOUT for recipient_id of the thing
 * source_id, on the sender's connection: fills *to_name (may stay NULL)
 * and *out with strings in a (freed after the send).  Returns 0, 1 when
 * there is nothing to send any more (the recipient left: the message is
 * cancelled), or -1 on an error (retried later).
 */
typedef int (*mail_render_fn)(struct db *db, struct arena *a, int64_t source_id,
			      int64_t recipient_id, const char **to_name, struct mail_content *out);

/* Registers render for messages queued with source; before mail_sender_start(). */
#define MAIL_RENDERERS_MAX 8
void mail_add_renderer(const char *source, mail_render_fn render);

/* What became of the messages of one source_id. */
struct mail_counts {
	int64_t queued, sent, failed, bounced, cancelled;
};

/* Counts source's messages for source_id; 0, or -1 on a database error. */
int mail_counts(struct db *db, struct arena *a, const char *source, int64_t source_id,
		struct mail_counts *out);

/* True when address no longer receives mail (it bounced); -1 on error. */
int mail_address_suppressed(struct db *db, const char *address);

/*
 * Adds job to what the sender thread runs every jobs_interval seconds
 * (configuration, default a minute) on its own
 * connection (features' periodic work that ends in mail: reminders).
 * Only before mail_sender_start(); at most MAIL_JOBS_MAX jobs.
 */
#define MAIL_JOBS_MAX 8
void mail_sender_add_job(void (*job)(struct db *db));

/* Sends the due messages once, on db; returns how many were handled, or -1. */
int mail_send_due(struct db *db);

/* Messages waiting, or -1 on error. */
int64_t mail_outbox_depth(struct db *db, struct arena *a);

/* The background sender (also purges expired sessions and tokens). */
int mail_sender_start(void);
void mail_sender_stop(void);

#endif
