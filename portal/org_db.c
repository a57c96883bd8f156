/*
 * org_db.c - organisation SQL (see org_db.h).
 */
#include "compat.h"

#include "db.h"
#include "org_db.h"

const char *const org_db_kinds[] = { "regione", "comune", "municipio", "ambito", "altro", NULL };

/* The tree in depth-first order, with each node's path of names. */
static const struct db_stmt org_list = {
	"org_list",
	"WITH RECURSIVE t AS ("
	"  SELECT id, name, kind, parent_id, 0 AS depth, name AS path, ARRAY[lower(name)] AS sort"
	"  FROM orgs WHERE parent_id IS NULL"
	"  UNION ALL"
	"  SELECT o.id, o.name, o.kind, o.parent_id, t.depth + 1, t.path || ' › ' || o.name,"
	"         t.sort || lower(o.name)"
	"  FROM orgs o JOIN t ON o.parent_id = t.id)"
	"SELECT t.id, t.name, t.kind, coalesce(t.parent_id, 0), t.depth, t.path,"
	"       (SELECT count(*) FROM users u WHERE u.org_id = t.id)"
	"FROM t ORDER BY t.sort", 0
};

int
org_db_list(struct db *db, struct arena *a, struct org_list *out)
{
	struct db_res *res = db_query(db, a, &org_list, NULL);

	if (res == NULL)
		return -1;
	out->count = res->nrows;
	out->items = arena_calloc(a, (size_t)res->nrows, sizeof(*out->items));
	for (int i = 0; i < res->nrows; i++) {
		struct org *o = &out->items[i];
		o->id = db_get_int(res, i, 0);
		o->name = db_get(res, i, 1);
		o->kind = db_get(res, i, 2);
		o->parent_id = db_get_int(res, i, 3);
		o->depth = (int)db_get_int(res, i, 4);
		o->path = db_get(res, i, 5);
		o->members = db_get_int(res, i, 6);
	}
	return 0;
}

static const struct db_stmt org_exists = {
	"org_exists", "SELECT 1 FROM orgs WHERE id = $1", 1
};

int
org_db_exists(struct db *db, int64_t id, bool *exists)
{
	char ids[DB_INT_LEN];
	const char *params[] = { db_int_param(ids, id) };
	int64_t n = db_exec(db, &org_exists, params);

	if (n < 0)
		return -1;
	*exists = n > 0;
	return 0;
}

static const struct db_stmt org_create = {
	"org_create",
	"INSERT INTO orgs (name, kind, parent_id) VALUES ($1, $2, nullif($3::bigint, 0)) "
	"ON CONFLICT (coalesce(parent_id, 0), lower(name)) DO NOTHING RETURNING id", 3
};

int64_t
org_db_create(struct db *db, const char *name, const char *kind, int64_t parent_id)
{
	char parent[DB_INT_LEN];
	const char *params[] = { name, kind, db_int_param(parent, parent_id) };
	return db_query_int(db, &org_create, params);
}

static const struct db_stmt org_find = {
	"org_find",
	"SELECT id FROM orgs WHERE coalesce(parent_id, 0) = $2::bigint AND lower(name) = lower($1)", 2
};

int64_t
org_db_find(struct db *db, const char *name, int64_t parent_id)
{
	char parent[DB_INT_LEN];
	const char *params[] = { name, db_int_param(parent, parent_id) };
	return db_query_int(db, &org_find, params);
}
