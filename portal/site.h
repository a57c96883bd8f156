/*
 * site.h - the portal's own pages and probes: home, accessibility
 * statement, /healthz, /readyz, /metrics, the OpenAPI document, assets.
 */
#ifndef PORTAL_SITE_H
#define PORTAL_SITE_H

#include "compat.h"

struct config;
struct router;

/*
 * Reads the OpenAPI document <cfg->views_dir>/portal/openapi.json and adds
 * the site's routes to r; once, at start-up.  The document is malloc'ed
 * and kept for the life of the process.  Returns -1 (logged, no route
 * added) if the document cannot be read or is larger than 4 MiB: it is
 * never served truncated.
 */
int site_register(struct router *r, const struct config *cfg);

#endif
