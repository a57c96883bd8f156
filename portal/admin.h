/*
 * admin.h - administration of users and organisations: pages and JSON API.
 */
#ifndef PORTAL_ADMIN_H
#define PORTAL_ADMIN_H

#include "compat.h"

struct config;
struct router;

/*
 * Adds the administration routes (users and organisations, pages and JSON
 * API, for ROLE_ADMIN and ROLE_COORDINAMENTO) to r; once, at start-up.
 * cfg must outlive the router.  Cannot fail.
 */
void admin_register(struct router *r, const struct config *cfg);

#endif
