/*
 * news_db.c - the news posts' queries (see news_db.h).
 */
#include "compat.h"

#include <string.h>

#include "db.h"
#include "log.h"
#include "news_db.h"

/* The columns news_fill() reads, over news p and its cover document c. */
#define NEWS_COLS \
	"p.id, p.title, p.body, p.body_html, " \
	"left(btrim(regexp_replace(regexp_replace(p.body, '[#*_`>\\[\\]]', '', 'g'), '\\s+', ' ', 'g')), 200), " \
	"coalesce(p.cover_document_id, 0), c.title, p.draft, p.published_at <= now(), " \
	"to_char(p.published_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM-DD HH24:MI'), " \
	"to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
	"to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* The cover only while it is still a public document: one made private later is not shown. */
#define NEWS_FROM \
	" FROM news p LEFT JOIN documents c ON c.id = p.cover_document_id" \
	" AND c.visibility = 'public' AND c.deleted_at IS NULL"
/* $1: whether the reader is staff. */
#define NEWS_VISIBLE "($1 OR (NOT p.draft AND p.published_at <= now()))"

static void
news_fill(const struct db_res *r, int row, struct news *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_get_int(r, row, 0);
	p->title = db_get(r, row, 1);
	p->body = db_get(r, row, 2);
	p->body_html = db_get(r, row, 3);
	p->summary = db_get(r, row, 4);
	p->cover_id = db_get(r, row, 6) != NULL ? db_get_int(r, row, 5) : 0;
	p->cover_title = db_get(r, row, 6);
	p->draft = db_get_bool(r, row, 7);
	p->due = db_get_bool(r, row, 8);
	p->published_local = db_get(r, row, 9);
	p->published_iso = db_get(r, row, 10);
	p->updated_iso = db_get(r, row, 11);
}

static const struct db_stmt news_list_stmt = {
	"news_list",
	"SELECT " NEWS_COLS ", count(*) OVER ()" NEWS_FROM " WHERE " NEWS_VISIBLE
	" ORDER BY p.published_at DESC, p.id DESC LIMIT $2 OFFSET $3", 3
};

static const struct db_stmt news_count_stmt = {
	"news_count", "SELECT count(*) FROM news p WHERE " NEWS_VISIBLE, 1
};

int
news_db_list(struct db *db, struct arena *a, bool staff, int limit, int offset,
	     struct news **out, int *n, int64_t *total)
{
	char l[DB_INT_LEN], o[DB_INT_LEN];
	const char *params[3] = { staff ? "t" : "f", db_int_param(l, limit), db_int_param(o, offset) };
	struct db_res *r = db_query(db, a, &news_list_stmt, params);

	if (r == NULL)
		return -1;
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		news_fill(r, i, &(*out)[i]);
	if (r->nrows > 0) {
		*total = db_get_int(r, 0, 12);
	} else {
		/* A page past the end still says how many there are. */
		*total = db_query_int(db, &news_count_stmt, params);
		if (*total == -1)
			return -1;
	}
	return 0;
}

static const struct db_stmt news_get_stmt = {
	"news_get", "SELECT " NEWS_COLS NEWS_FROM " WHERE p.id = $2 AND " NEWS_VISIBLE, 2
};

int
news_db_get(struct db *db, struct arena *a, int64_t id, bool staff, struct news *out, bool *found)
{
	char i[DB_INT_LEN];
	const char *params[2] = { staff ? "t" : "f", db_int_param(i, id) };
	struct db_res *r = db_query(db, a, &news_get_stmt, params);

	if (r == NULL)
		return -1;
	*found = r->nrows == 1;
	if (*found)
		news_fill(r, 0, out);
	return 0;
}

static const struct db_stmt news_insert_stmt = {
	"news_insert",
	"INSERT INTO news (title, body, body_html, cover_document_id, draft, published_at, created_by)"
	" VALUES ($1, $2, $3, nullif($4::bigint, 0), $5, coalesce($6::timestamptz, now()),"
	" nullif($7::bigint, 0)) RETURNING id", 7
};

static const struct db_stmt news_update_stmt = {
	"news_update",
	"UPDATE news SET title = $1, body = $2, body_html = $3, cover_document_id = nullif($4::bigint, 0),"
	" draft = $5, published_at = coalesce($6::timestamptz, published_at), updated_at = now()"
	" WHERE id = $7 RETURNING id", 7
};

int
news_db_save(struct db *db, int64_t id, const struct news_edit *e, int64_t uid, int64_t *out_id)
{
	char c[DB_INT_LEN], u[DB_INT_LEN], i[DB_INT_LEN];
	/* The last parameter is the author for an insert, the post for an update. */
	const char *params[7] = { e->title, e->body, e->body_html, db_int_param(c, e->cover_id),
				  e->draft ? "t" : "f", e->published_at,
				  id == 0 ? db_int_param(u, uid) : db_int_param(i, id) };
	int64_t got = db_query_int(db, id == 0 ? &news_insert_stmt : &news_update_stmt, params);

	if (got == -1)
		return -1;
	if (got == 0)
		return 1;
	*out_id = got;
	return 0;
}

static const struct db_stmt news_delete_stmt = {
	"news_delete", "DELETE FROM news WHERE id = $1", 1
};

int
news_db_delete(struct db *db, int64_t id)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	int64_t n = db_exec(db, &news_delete_stmt, params);

	return n < 0 ? -1 : n == 0 ? 1 : 0;
}

/* A public image: the only documents a post may show to everyone. */
#define NEWS_COVER_WHERE \
	" d.visibility = 'public' AND d.deleted_at IS NULL AND cv.type LIKE 'image/%'"
#define NEWS_COVER_FROM \
	" FROM documents d JOIN document_versions cv ON cv.document_id = d.id AND cv.n = d.current_version"

static const struct db_stmt news_cover_ok_stmt = {
	"news_cover_ok", "SELECT count(*)" NEWS_COVER_FROM " WHERE d.id = $1 AND" NEWS_COVER_WHERE, 1
};

int
news_db_cover_ok(struct db *db, int64_t id)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	int64_t n = db_query_int(db, &news_cover_ok_stmt, params);

	return n < 0 ? -1 : n > 0;
}

static const struct db_stmt news_covers_stmt = {
	"news_covers",
	"SELECT d.id, d.title" NEWS_COVER_FROM " WHERE" NEWS_COVER_WHERE
	" ORDER BY d.updated_at DESC, d.id DESC LIMIT 200", 0
};

int
news_db_covers(struct db *db, struct arena *a, struct news_cover **out, int *n)
{
	struct db_res *r = db_query(db, a, &news_covers_stmt, NULL);

	if (r == NULL)
		return -1;
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++) {
		(*out)[i].id = db_get_int(r, i, 0);
		(*out)[i].title = db_get(r, i, 1);
	}
	return 0;
}

static const struct db_stmt news_count_titled_stmt = {
	"news_count_titled", "SELECT count(*) FROM news WHERE title = $1", 1
};

int64_t
news_db_count_titled(struct db *db, const char *title)
{
	const char *params[1] = { title };

	return db_query_int(db, &news_count_titled_stmt, params);
}
