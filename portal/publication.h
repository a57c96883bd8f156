/*
 * publication.h - what the portal publishes, for whoever announces it.
 *
 * A feature that makes something public (a news post, an event, a
 * document, a course opening) records a publication in the transaction
 * that publishes it; the newsletter (content/) reads the table and mails
 * subscribers of the topic.  Features thus never call each other, and a
 * publication is announced at most once: publishing the same thing again
 * (an edit, unpublish and republish) updates the row, never re-announces.
 */
#ifndef PORTAL_PUBLICATION_H
#define PORTAL_PUBLICATION_H

#include "compat.h"

struct db;

/* Built-in topics; the newsletter may define more. */
#define PUBLICATION_NEWS	"news"
#define PUBLICATION_EVENTS	"events"
#define PUBLICATION_DOCUMENTS	"documents"
#define PUBLICATION_COURSES	"courses"

/* Every string is borrowed for the call. */
struct publication {
	const char *topic;		/* a topic slug, e.g. PUBLICATION_NEWS */
	const char *source;		/* what kind of thing: "news", "event", "document", "course" */
	int64_t source_id;		/* its id in the feature's table */
	const char *title;		/* plain text */
	const char *summary;		/* plain text, may be NULL; its first 500 characters are kept */
	const char *path;		/* where it is read: "/notizie/12" (the base URL is added) */
	const char *published_at;	/* timestamptz text; NULL: now; a future time: scheduled */
};

/*
 * Records p on db's connection (the caller's transaction).  A thing
 * already recorded is updated; if it was already announced it is not
 * announced again.  Returns 0, or -1 on a database error (logged).
 */
int publication_record(struct db *db, const struct publication *p);

/*
 * Forgets a publication not yet announced (a scheduled post withdrawn, a
 * document made private before the announcement went out).  Announced
 * ones stay.  Returns 0, or -1 on a database error.
 */
int publication_retract(struct db *db, const char *source, int64_t source_id);

#endif
