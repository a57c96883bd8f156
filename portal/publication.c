/*
 * publication.c - the record of what was published (see publication.h).
 */
#include "compat.h"

#include "db.h"
#include "publication.h"

static const struct db_stmt publication_record_stmt = {
	"publication_record",
	"INSERT INTO publications (topic, source, source_id, title, summary, path, published_at) "
	"VALUES ($1, $2, $3, $4, left(coalesce($5, ''), 500), $6, coalesce($7::timestamptz, now())) "
	"ON CONFLICT (source, source_id) DO UPDATE SET topic = EXCLUDED.topic, "
	"title = EXCLUDED.title, summary = EXCLUDED.summary, path = EXCLUDED.path, "
	/* Once announced, the date it went out stays the date it was published. */
	"published_at = CASE WHEN publications.announced_at IS NULL "
	"THEN EXCLUDED.published_at ELSE publications.published_at END", 7
};

int
publication_record(struct db *db, const struct publication *p)
{
	char id[DB_INT_LEN];
	const char *params[] = { p->topic, p->source, db_int_param(id, p->source_id), p->title,
				 p->summary, p->path, p->published_at };

	return db_exec(db, &publication_record_stmt, params) < 0 ? -1 : 0;
}

static const struct db_stmt publication_retract_stmt = {
	"publication_retract",
	"DELETE FROM publications WHERE source = $1 AND source_id = $2 AND announced_at IS NULL", 2
};

int
publication_retract(struct db *db, const char *source, int64_t source_id)
{
	char id[DB_INT_LEN];
	const char *params[] = { source, db_int_param(id, source_id) };

	return db_exec(db, &publication_retract_stmt, params) < 0 ? -1 : 0;
}
