/*
 * migrate.h - schema migrations and the portal's secret.
 *
 * Migrations are the files NNNN_name.sql under portal/sql, courses/sql and
 * content/sql (one numbering across folders), applied in number order, each
 * in its own transaction, under an advisory lock so that several portal
 * processes starting together apply each file once.
 */
#ifndef PORTAL_MIGRATE_H
#define PORTAL_MIGRATE_H

#include "compat.h"

#include "token.h"

struct db;

/* Applies the pending migrations found under root; -1 on any failure (logged). */
int migrate_run(struct db *db, const char *root);

/* The portal's MAC secret, created at first use and shared by every process. */
int migrate_secret(struct db *db, unsigned char out[TOKEN_SECRET_LEN]);

#endif
