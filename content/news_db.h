/*
 * news_db.h - the news posts' queries (content/sql/0015).
 *
 * A post is public once it is not a draft and its published_at has come;
 * reads take "staff" to see the others too.  Results live in the arena
 * given; functions return 0, or -1 on a database error (logged), unless
 * said otherwise.
 */
#ifndef CONTENT_NEWS_DB_H
#define CONTENT_NEWS_DB_H

#include "compat.h"

#include "arena.h"

struct db;

struct news {
	int64_t id;
	const char *title;
	const char *body;		/* Markdown */
	const char *body_html;		/* rendered at save */
	const char *summary;		/* the body's first 200 characters, one line */
	int64_t cover_id;		/* document id, 0 for none */
	const char *cover_title;	/* NULL for none */
	bool draft;
	bool due;			/* published_at has come */
	const char *published_local;	/* "YYYY-MM-DD HH:MM" in Europe/Rome */
	const char *published_iso;	/* RFC 3339, UTC */
	const char *updated_iso;	/* RFC 3339, UTC */
};

/* What an editor writes. */
struct news_edit {
	const char *title, *body, *body_html;
	int64_t cover_id;		/* 0 for none */
	bool draft;
	const char *published_at;	/* timestamptz text; NULL: now (new) or unchanged (edit) */
};

/* A page of posts, newest first: published ones, or every one for staff. */
int news_db_list(struct db *db, struct arena *a, bool staff, int limit, int offset,
		 struct news **out, int *n, int64_t *total);

/* Post id (only if public unless staff); *found false when not. */
int news_db_get(struct db *db, struct arena *a, int64_t id, bool staff, struct news *out,
		bool *found);

/*
 * Creates (id 0) or updates post id in the caller's transaction; *out_id
 * is the post's id.  Returns 1 if post id does not exist.
 */
int news_db_save(struct db *db, int64_t id, const struct news_edit *e, int64_t uid,
		 int64_t *out_id);

/* Deletes post id; 1 if there was none. */
int news_db_delete(struct db *db, int64_t id);

/* 1 when document id is public, not in the bin and its current file an image; 0 if not. */
int news_db_cover_ok(struct db *db, int64_t id);

/* A public image of the document area, for the form's choice of cover. */
struct news_cover {
	int64_t id;
	const char *title;
};

/* Every public image, newest first (at most 200). */
int news_db_covers(struct db *db, struct arena *a, struct news_cover **out, int *n);

/* Number of posts titled title (the demo's idempotence), or -1. */
int64_t news_db_count_titled(struct db *db, const char *title);

#endif
