/*
 * course_modules.c - course modules as choices (see course_modules.h).
 */
#include "compat.h"

#include "course_modules.h"
#include "db.h"
#include "tmpl.h"

static const struct db_stmt course_modules_stmt = {
	"course_modules",
	"SELECT m.id, c.title || ' — Modulo ' || m.position || ': ' || m.title"
	" FROM modules m JOIN courses c ON c.id = m.course_id"
	" WHERE c.published OR NOT $1::boolean ORDER BY c.title, c.id, m.position", 1
};

static const struct db_stmt course_modules_exists_stmt = {
	"course_modules_exists",
	"SELECT count(*) FROM modules m JOIN courses c ON c.id = m.course_id"
	" WHERE m.id = $1 AND (c.published OR NOT $2::boolean)", 2
};

int
course_modules_exists(struct db *db, int64_t id, bool published_only)
{
	char idp[DB_INT_LEN];
	const char *params[] = { db_int_param(idp, id), published_only ? "t" : "f" };
	int64_t n = db_query_int(db, &course_modules_exists_stmt, params);

	return n < 0 ? -1 : n > 0;
}

int
course_modules_fill(struct db *db, struct arena *a, struct tmpl_ctx *ctx, int64_t selected,
		    bool published_only)
{
	const char *params[] = { published_only ? "t" : "f" };
	struct db_res *r = db_query(db, a, &course_modules_stmt, params);

	if (r == NULL)
		return -1;
	for (int i = 0; i < r->nrows; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "modules");
		int64_t id = db_get_int(r, i, 0);

		tmpl_set_int(t, "id", id);
		tmpl_set(t, "label", db_get(r, i, 1));
		tmpl_set_bool(t, "selected", id == selected);
	}
	return 0;
}
