/*
 * admin.h - administration of users and organisations: pages and JSON API.
 */
#ifndef PORTAL_ADMIN_H
#define PORTAL_ADMIN_H

#include "compat.h"

struct config;
struct router;

void admin_register(struct router *r, const struct config *cfg);

#endif
