/*
 * document_db.h - the document area's queries (content/sql/0011).
 *
 * Every read takes the viewer's user id (0 for visitors) and returns only
 * what document_visible() lets them see; results live in the arena.
 * Functions return 0, or -1 on a database error (logged).
 */
#ifndef CONTENT_DOCUMENT_DB_H
#define CONTENT_DOCUMENT_DB_H

#include "compat.h"

#include "arena.h"
#include "blob.h"

struct db;

struct document {
	int64_t id;
	int64_t folder_id;	/* 0 at the top */
	int64_t module_id;	/* 0 for none */
	const char *title;
	const char *description;	/* Markdown */
	const char *description_html;	/* rendered at save */
	const char *tags;		/* comma-separated */
	const char *visibility;		/* public, members, restricted */
	const char *roles;		/* comma-separated role names (restricted) */
	const char *orgs;		/* comma-separated organisation ids (restricted) */
	const char *folder_name;	/* NULL at the top */
	const char *module_title;	/* NULL for none */
	const char *updated_at;		/* "dd/mm/yyyy" */
	const char *updated_iso;	/* ISO 8601 */
	const char *kit_slot;		/* NULL unless a kit asset */
	bool deleted;
	int current;			/* current version number */
	int64_t downloads;
	struct blob_file file;		/* the current version's file */
	const char *snippet;		/* search: text around the hits, marked with \x01..\x02 */
	bool has_preview;		/* the current version has a preview picture */
};

struct document_version {
	int n;
	const char *filename;
	const char *type;
	int64_t size;
	const char *note;
	const char *author;
	const char *created_at;		/* "dd/mm/yyyy HH:MM" (Rome) */
	const char *text_status;
};

struct document_download {
	const char *who;		/* name, or NULL for a visitor */
	int n;
	const char *at;
};

struct document_folder {
	int64_t id;
	int64_t parent_id;
	const char *name;
	const char *path;		/* "Parent / Child" */
	int depth;
	int64_t documents;		/* visible to the viewer, not in the bin */
};

/*
 * A search ranks at most this many of its newest matches; its total stops
 * there too (the page then asks for more words).
 */
#define DOCUMENT_SEARCH_CANDIDATES 300

/* What a search or a folder listing asks. */
struct document_query {
	const char *q;			/* words; "" lists instead of searching */
	int64_t folder_id;		/* 0: any (search) or the top (listing) */
	int64_t module_id;		/* 0: any */
	const char *type;		/* a DOCUMENT_KIND name, "" for any */
	const char *from, *to;		/* "YYYY-MM-DD" or "" */
	bool listing;			/* folder listing: only folder_id's documents */
	int limit, offset;
};

/* The kinds of file the search filters by ("pdf", "testo"...): name, label, types. */
struct document_kind {
	const char *name;
	const char *label;		/* of the filter: "Fogli di calcolo e CSV" */
	const char *one;		/* of one file: "Foglio di calcolo" */
	const char *types;		/* a PostgreSQL text[] literal */
};
extern const struct document_kind document_kinds[];
extern const size_t document_nkinds;

/* Document id as uid sees it (in_bin: also when in the bin; for admins). */
int document_db_get(struct db *db, struct arena *a, int64_t id, int64_t uid, bool in_bin,
		    struct document *out, bool *found);

/*
 * Version n (0: the current one) of document id, if uid sees the document:
 * its file in *file, or with preview its preview picture (not found when
 * it has none).
 */
int document_db_version_file(struct db *db, struct arena *a, int64_t id, int n, bool preview,
			     int64_t uid, struct blob_file *file, bool *found);

int document_db_versions(struct db *db, struct arena *a, int64_t id, struct document_version **out,
			 int *n);
int document_db_downloads(struct db *db, struct arena *a, int64_t id,
			  struct document_download **out, int *n);

/* Search or list; *total is the count of all matches (of a search, at most DOCUMENT_SEARCH_CANDIDATES). */
int document_db_search(struct db *db, struct arena *a, const struct document_query *q, int64_t uid,
		       struct document **out, int *n, int64_t *total);

/* Documents in the bin (admins). */
int document_db_bin(struct db *db, struct arena *a, struct document **out, int *n);

/* The folders, depth-first by name, with the count of documents uid sees. */
int document_db_folders(struct db *db, struct arena *a, int64_t uid, struct document_folder **out,
			int *n);
/* 1 when folder id exists (kit: it is the kit's), 0 if not, -1 on error. */
int document_db_folder_exists(struct db *db, int64_t id);
/* New folder; 0 with *id, 1 when the parent has one of that name, -1 on error. */
int document_db_folder_create(struct db *db, int64_t parent, const char *name, int64_t *id);

/* The fields a trainer writes. */
struct document_edit {
	int64_t folder_id, module_id;
	const char *title, *description, *description_html;
	const char *tags;		/* PostgreSQL text[] literal */
	const char *visibility;
	const char *roles;		/* text[] literal */
	const char *orgs;		/* bigint[] literal */
	const char *kit_slot;		/* NULL for none */
};

/* Inside the caller's transaction (the upload's): the document and its version 1. */
int document_db_create(struct db *db, const struct document_edit *e, const struct blob_file *f,
		       const char *note, int64_t uid, int64_t *id);
/* Version n+1 of id made current; *n set; 0 when added, 1 if no such document. */
int document_db_add_version(struct db *db, int64_t id, const struct blob_file *f, const char *note,
			    int64_t uid, int *n);
/* Metadata; 1 if no such document (or in the bin). */
int document_db_update(struct db *db, int64_t id, const struct document_edit *e);
/* Version n becomes current; 1 if there is no such version. */
int document_db_make_current(struct db *db, int64_t id, int n);
/* Into the bin (deleting) or out of it; 1 if it was not there to move. */
int document_db_bin_move(struct db *db, int64_t id, int64_t uid, bool into);
/* Deletes what is in the bin and the files no version uses any more; *n documents. */
int document_db_bin_empty(struct db *db, int64_t *n);

int document_db_record_download(struct db *db, int64_t id, int n, int64_t uid);

/* 1 when every id in the bigint[] literal is an organisation, 0 if one is not, -1 on error. */
int document_db_orgs_exist(struct db *db, const char *orgs);


/* The kit's folder id (created if missing, named "Kit di comunicazione"), or -1. */
int64_t document_db_kit_folder(struct db *db);
/* The kit's documents (public, in the kit folder, with a slot), by slot. */
int document_db_kit(struct db *db, struct arena *a, struct document **out, int *n);

/*
 * Text extraction: the oldest version waiting (0 with *found false when
 * none), marked done with its text (and copied to the document when it is
 * current) or failed.
 */
int document_db_text_next(struct db *db, struct arena *a, int64_t *doc, int *n,
			  struct blob_file *file, bool *found);
int document_db_text_store(struct db *db, int64_t doc, int n, const char *status, const char *text);
/* Links a stored preview picture to version n of doc (in the caller's transaction). */
int document_db_preview_store(struct db *db, int64_t doc, int n, int64_t blob);

#endif
