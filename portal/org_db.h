/*
 * org_db.h - the SQL of organisations (enti), behind typed functions.
 * Functions return -1 on a database error (logged); strings are in the arena.
 */
#ifndef PORTAL_ORG_DB_H
#define PORTAL_ORG_DB_H

#include "compat.h"

#include "arena.h"

struct db;

struct org {
	int64_t id;
	const char *name;
	const char *kind;
	int64_t parent_id;	/* 0 at the top */
	int depth;		/* 0 at the top */
	const char *path;	/* "Roma Capitale › Municipio I" */
	int64_t members;	/* users belonging to it */
};

struct org_list {
	struct org *items;	/* depth-first, siblings by name */
	int count;
};

int org_db_list(struct db *db, struct arena *a, struct org_list *out);
int org_db_exists(struct db *db, int64_t id, bool *exists);

/* Creates an organisation; returns its id, 0 if the name is taken under that parent, -1 on error. */
int64_t org_db_create(struct db *db, const char *name, const char *kind, int64_t parent_id);

/* The id of the organisation called name (case-insensitive) under parent (0 = top), or 0. */
int64_t org_db_find(struct db *db, const char *name, int64_t parent_id);

#endif
