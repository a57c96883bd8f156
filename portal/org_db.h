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

/*
 * The kinds an organisation may have, NULL-terminated (a VALID_ENUM
 * choice list); the same as the CHECK on orgs.kind in the schema.
 */
extern const char *const org_db_kinds[];

struct org_list {
	struct org *items;	/* depth-first, siblings by name */
	int count;
};

/*
 * Every organisation, as a tree flattened depth-first (siblings by name,
 * case-insensitively), with its depth, path and member count; the items
 * and their strings are in a.  An empty table gives count 0.
 */
int org_db_list(struct db *db, struct arena *a, struct org_list *out);

/* Sets *exists to whether organisation id exists; *exists is untouched on -1. */
int org_db_exists(struct db *db, int64_t id, bool *exists);

/*
 * Creates an organisation (parent_id 0 = at the top); returns its id, 0 if
 * the name is taken (case-insensitively) under that parent, -1 on error,
 * also when kind is not one of org_db_kinds or parent_id does not exist.
 */
int64_t org_db_create(struct db *db, const char *name, const char *kind, int64_t parent_id);

/* The id of the organisation called name (case-insensitive) under parent (0 = top), 0 if none, -1 on error. */
int64_t org_db_find(struct db *db, const char *name, int64_t parent_id);

#endif
