/*
 * faq.h - the help desk's FAQ (domande frequenti): the public pages
 * /faq (by category and module, or searched in Italian) and /faq/{id}
 * with its "was this useful?" vote, the editors' forms under
 * /gestione/faq (helpdesk1, helpdesk2, coordinamento, admin), the
 * conversion of a resolved ticket's last public reply into a new entry
 * (POST /faq/da-segnalazione/{ticket}), and GET /api/v1/faq.
 *
 * Votes: one per entry and voter, a signed-in user or a visitor's
 * browser (its portal_csrf cookie, of which only a hash is stored);
 * voting again replaces the vote.  A visitor who drops the cookie could
 * vote again, so visitors' votes are also capped per client address
 * (FAQ_VOTES_PER_ADDRESS an hour).
 */
#ifndef CONTENT_FAQ_H
#define CONTENT_FAQ_H

#include "compat.h"

struct config;
struct db;
struct router;

#define FAQ_VOTES_PER_ADDRESS 30	/* visitors' votes per client address per hour */

/* The ticket categories, as stored, in the order pages show them; NULL-terminated. */
extern const char *const faq_categories[];

/* Italian label of a category ("Accesso al portale"); the key itself if unknown. */
const char *faq_category_label(const char *category);

/* Adds the routes; cfg (the base URL of API links) must outlive the server. */
void faq_register(struct router *r, const struct config *cfg);

/* Loads the demo entries, each once (by question); 0, or -1 (logged). */
int faq_seed_demo(struct db *db);

#endif
