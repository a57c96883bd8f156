/*
 * newsletter.h - email updates for stakeholders: subscriptions with
 * double opt-in and a consent ledger, signed links to preferences and
 * one-click unsubscribe (RFC 8058), the updates of what the portal
 * publishes (publication.h) at once or in a weekly digest, and the
 * rendering of campaigns (campaign.h) for each recipient.
 */
#ifndef CONTENT_NEWSLETTER_H
#define CONTENT_NEWSLETTER_H

#include "compat.h"

#include "config.h"
#include "router.h"

/* Adds the routes, the mail renderers and the periodic job; before the mail sender starts. */
void newsletter_register(struct router *r, const struct config *cfg);

struct db;

/*
 * Queues campaign_id's message, exactly as subscribers will get it but
 * with links that lead to the public subscription page, to one address
 * (the editor's test).  Returns 0, 1 when there is no such campaign, -1
 * on an error.
 */
int newsletter_send_test(struct db *db, struct arena *a, int64_t campaign_id, const char *to_addr,
			 const char *to_name);

#endif
