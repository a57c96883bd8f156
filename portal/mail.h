/*
 * mail.h - the durable outbox and its sender.
 *
 * mail_queue() renders a message (text and HTML from one set of pieces)
 * and inserts it into mail_outbox on the caller's connection, so it
 * commits or rolls back with the change that caused it.  A sender thread
 * takes due rows with FOR UPDATE SKIP LOCKED (several portal processes
 * never send one row twice), sends them by SMTP with libcurl or, when no
 * SMTP URL is configured, writes them as .eml files under var/mail/, and
 * retries failures with exponential backoff.
 */
#ifndef PORTAL_MAIL_H
#define PORTAL_MAIL_H

#include "compat.h"

#include "arena.h"
#include "config.h"

struct db;

/* What a message says; both parts are made from it. */
struct mail_content {
	const char *subject;
	const char *greeting;		/* "Gentile Maria Rossi," */
	const char *const *paragraphs;	/* NULL-terminated */
	const char *action_label;	/* button text, or NULL */
	const char *action_url;		/* absolute URL, or NULL */
};

/* Reads the mail settings; once, at start-up (before threads). */
int mail_configure(const struct config *cfg);

/* Queues one message; -1 on a database or composition error. */
int mail_queue(struct db *db, struct arena *a, const char *to_addr, const char *to_name,
	       const struct mail_content *content);

/*
 * Adds job to what the sender thread runs every jobs_interval seconds
 * (configuration, default a minute) on its own
 * connection (features' periodic work that ends in mail: reminders).
 * Only before mail_sender_start(); at most MAIL_JOBS_MAX jobs.
 */
#define MAIL_JOBS_MAX 8
void mail_sender_add_job(void (*job)(struct db *db));

/* Sends the due messages once; returns how many were handled, or -1. */
int mail_send_due(struct db *db);

/* Messages waiting, or -1 on error. */
int64_t mail_outbox_depth(struct db *db, struct arena *a);

/* The background sender (also purges expired sessions and tokens). */
int mail_sender_start(void);
void mail_sender_stop(void);

#endif
