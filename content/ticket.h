/*
 * ticket.h - the help desk's tickets: the "Serve aiuto?" form, the
 * reporter's and the agents' pages, the queues per level, canned replies,
 * the JSON API (/api/v1/tickets), and the job that closes resolved
 * tickets after 7 days and tells the coordination team of overdue ones.
 *
 * Levels: 0 the tutors of the reporter's organisation (when it has any),
 * 1 the front office, 2 the specialists; a ticket only moves up, with a
 * required note, and each level runs its own service-level clock
 * (content/sla.h, targets in sla_targets).  Every feedback to the
 * reporter goes through the front office except at level 0: at level 2
 * the specialists write internal notes and the front office answers.
 */
#ifndef CONTENT_TICKET_H
#define CONTENT_TICKET_H

#include "compat.h"

#include "router.h"

struct config;
struct db;

/*
 * Adds the routes and the periodic job (mail_sender_add_job); cfg (the
 * base URL for mail links) must outlive the server.  Before the server
 * and the mail sender start.
 */
void ticket_register(struct router *r, const struct config *cfg);

/*
 * Demo tickets at every level and status and a few canned replies, for
 * `portal seed-demo`; needs the demo accounts (portal/seed.c).  Sends no
 * mail.  Idempotent: a demo ticket whose subject exists is skipped.
 * Returns 0, or -1 (logged).
 */
int ticket_seed_demo(struct db *db);

#endif
