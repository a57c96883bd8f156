/*
 * campaign.h - email campaigns (an editor's message to the subscribers of
 * chosen topics: written in Markdown, previewed, tested, scheduled or sent,
 * followed while it goes out) and the newsletter's administration
 * (subscriber figures, topics, the consent ledger as CSV).
 */
#ifndef CONTENT_CAMPAIGN_H
#define CONTENT_CAMPAIGN_H

#include "compat.h"

#include "router.h"

/* Adds the routes and the job that closes finished campaigns; before the mail sender starts. */
void campaign_register(struct router *r);

struct db;

/* Demo content: a draft campaign, unless there is any campaign. */
int campaign_seed_demo(struct db *db);

#endif
