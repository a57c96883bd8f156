/*
 * account.h - registration, confirmation, sign-in and out, password reset
 * and change, profile: the pages and their JSON API.
 */
#ifndef PORTAL_ACCOUNT_H
#define PORTAL_ACCOUNT_H

#include "compat.h"

struct config;
struct json_writer;
struct router;
struct user;

/* Adds the account routes; cfg must outlive the router. */
void account_register(struct router *r, const struct config *cfg);

/* Writes the public view of a user as member key (never the password hash); status may be NULL. */
void account_json_user(struct json_writer *w, const char *key, const struct user *u,
		       const char *status);

#endif
