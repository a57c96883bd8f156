/*
 * news.h - news posts (notizie): the public list /notizie with paging,
 * the post /notizie/{id}, the Atom feed /notizie/feed.atom, the staff's
 * list and forms under /gestione/notizie, and /api/v1/news.  A post may
 * be scheduled (published_at in the future) or kept as a draft; either
 * way only staff see it until it is due.
 */
#ifndef CONTENT_NEWS_H
#define CONTENT_NEWS_H

#include "compat.h"

struct config;
struct db;
struct router;

/* Adds the routes; cfg (base URL, portal name) must outlive the server. */
void news_register(struct router *r, const struct config *cfg);

/* Loads the demo posts unless there; 0, or -1 (logged). */
int news_seed_demo(struct db *db);

#endif
