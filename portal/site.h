/*
 * site.h - the portal's own pages and probes: home, accessibility
 * statement, /healthz, /readyz, /metrics, the OpenAPI document, assets.
 */
#ifndef PORTAL_SITE_H
#define PORTAL_SITE_H

#include "compat.h"

struct config;
struct router;

/* Loads the OpenAPI document from the source root; -1 if unreadable. */
int site_register(struct router *r, const struct config *cfg);

#endif
