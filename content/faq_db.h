/*
 * faq_db.h - the help desk's FAQ entries and their votes
 * (content/sql/0019_faq.sql).
 *
 * Searches use the Italian text-search configuration portal_it (stems,
 * accents ignored: "attivita" finds "attività").  Drafts (unpublished
 * entries) are returned only when the caller says the reader is an
 * editor.  Results live in the arena given; functions return 0, or -1
 * on a database error (logged), unless said otherwise.  The ones that
 * write run in the caller's transaction when one is open.
 */
#ifndef CONTENT_FAQ_DB_H
#define CONTENT_FAQ_DB_H

#include "compat.h"

#include "arena.h"

struct db;

struct faq {
	int64_t id;
	const char *category;		/* access, module, platform, documents, other */
	int64_t module_id;		/* 0: none */
	const char *module_title;	/* "Course — Modulo n: title", "" when none */
	const char *question;
	const char *answer_md;
	const char *answer_html;	/* rendered at save */
	bool published;
	int64_t source_ticket_id;	/* 0: none */
	int64_t useful_yes, useful_no;
	const char *updated_local;	/* "DD/MM/YYYY", Europe/Rome */
	const char *updated_iso;	/* RFC 3339, UTC */
	/* searches only: the answer's matching passage, hits between \x01 and \x02; else NULL */
	const char *snippet;
};

/* What an editor writes. */
struct faq_edit {
	const char *category;
	int64_t module_id;		/* 0: none; only with category module */
	const char *question, *answer_md, *answer_html;
	bool published;
	int64_t source_ticket_id;	/* 0: none */
};

struct faq_query {
	const char *q;			/* words (websearch syntax); NULL or "": no search */
	const char *category;		/* NULL: any */
	int64_t module_id;		/* 0: any */
	bool editor;			/* drafts too */
	int limit, offset;
};

/*
 * Entries matching q: with words, best match first (all words must
 * match, stemmed); without, by category, module and question.  *total
 * counts every match.
 */
int faq_db_search(struct db *db, struct arena *a, const struct faq_query *q, struct faq **out,
		  int *n, int64_t *total);

/*
 * Suggestions for a ticket being written: published entries sharing
 * words with text (any word, stemmed; the more shared the better), at
 * most max (1..20).  text is UTF-8 of any length; only its first 40
 * words are used, and a text with no searchable word gives none (*n 0).
 * For helper forms: cheap, never fails on odd input.
 */
int faq_db_suggest(struct db *db, struct arena *a, const char *text, int max, struct faq **out,
		   int *n);

/* Entry id: *found false when there is none, or it is a draft and editor is false. */
int faq_db_get(struct db *db, struct arena *a, int64_t id, bool editor, struct faq *out,
	       bool *found);

/*
 * Creates (id 0) or updates entry id; *out_id set.  Returns 1 if entry
 * id does not exist, 2 if another entry already has this question
 * (case aside), 3 if module_id names no module.
 */
int faq_db_save(struct db *db, int64_t id, const struct faq_edit *e, int64_t uid,
		int64_t *out_id);

/* Deletes entry id and its votes; 1 if there was none. */
int faq_db_delete(struct db *db, int64_t id);

/*
 * Records voter's vote on published entry id (voter as in 0019: "u:<id>"
 * or "v:<64 hex>"), replacing an earlier one.  *changed is true when it
 * added or altered a vote, false when the same vote was there.  Returns
 * 1 if there is no such published entry.
 */
int faq_db_vote(struct db *db, int64_t id, const char *voter, bool useful, bool *changed);

/* voter's vote on entry id: 1 yes, 0 no, -1 none; -2 on a database error. */
int faq_db_voted(struct db *db, int64_t id, const char *voter);


/* Count of entries with this question (case aside): the demo's idempotence; -1 on error. */
int64_t faq_db_count_question(struct db *db, const char *question);

#endif
