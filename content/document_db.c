/*
 * document_db.c - the document area's queries (see document_db.h).
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "document_db.h"
#include "log.h"
#include "publication.h"

const struct document_kind document_kinds[] = {
	{ "pdf", "PDF", "PDF", "{application/pdf}" },
	{ "testo", "Documenti di testo", "Documento di testo",
	  "{application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
	  "application/vnd.oasis.opendocument.text,text/plain}" },
	{ "foglio", "Fogli di calcolo e CSV", "Foglio di calcolo",
	  "{application/vnd.ms-excel,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
	  "application/vnd.oasis.opendocument.spreadsheet,text/csv}" },
	{ "presentazione", "Presentazioni", "Presentazione",
	  "{application/vnd.ms-powerpoint,"
	  "application/vnd.openxmlformats-officedocument.presentationml.presentation,"
	  "application/vnd.oasis.opendocument.presentation}" },
	{ "immagine", "Immagini", "Immagine", "{image/png,image/jpeg,image/gif,image/webp,image/svg+xml}" },
	{ "archivio", "Archivi ZIP", "Archivio ZIP", "{application/zip}" },
	{ "video", "Video", "Video", "{video/mp4}" },
};
const size_t document_nkinds = ARRAY_SIZE(document_kinds);

/* The columns document_fill() reads, over documents d, its current version
 * cv, the version's blob b, its folder f and module m. */
#define DOC_COLS \
	"d.id, coalesce(d.folder_id, 0), coalesce(d.module_id, 0), d.title, d.description, " \
	"d.description_html, array_to_string(d.tags, ', '), d.visibility, " \
	"array_to_string(d.roles, ','), " \
	"(SELECT coalesce(string_agg(org_id::text, ',' ORDER BY org_id), '') " \
	" FROM document_orgs WHERE document_id = d.id), " \
	"f.name, m.title, to_char(d.updated_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY'), " \
	"to_char(d.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), d.kit_slot, " \
	"d.deleted_at IS NOT NULL, d.current_version, " \
	"(SELECT count(*) FROM document_downloads dl WHERE dl.document_id = d.id), " \
	"cv.blob_id, cv.size, encode(b.sha256, 'hex'), cv.type, cv.filename, " \
	"cv.preview_blob_id IS NOT NULL"
#define DOC_NCOLS 24
#define DOC_FROM \
	" FROM documents d" \
	" JOIN document_versions cv ON cv.document_id = d.id AND cv.n = d.current_version" \
	" JOIN blobs b ON b.id = cv.blob_id" \
	" LEFT JOIN document_folders f ON f.id = d.folder_id" \
	" LEFT JOIN modules m ON m.id = d.module_id"
/*
 * The viewer of $1, computed once per statement ("OFFSET 0" keeps the
 * planner from folding the functions into every row).
 */
#define DOC_VIEWER \
	"(SELECT document_viewer_roles($1) AS roles, document_viewer_orgs($1) AS orgs OFFSET 0) v"
/*
 * Whether viewer v may see document d: the one definition every read of
 * the area uses.  Public to everyone; to an active user when for members,
 * when they are an editor (trainers, coordination, admins see all), hold
 * one of its roles, or belong to one of its organisations or one below.
 * Written out rather than a SQL function: one with a subquery is not
 * inlined, and calling it per row made searches several times slower.
 */
#define DOC_VISIBLE \
	"(d.visibility = 'public' OR (v.roles IS NOT NULL AND (d.visibility = 'members'" \
	" OR v.roles && ARRAY['formatore', 'coordinamento', 'admin']::text[] OR v.roles && d.roles" \
	" OR EXISTS (SELECT 1 FROM document_orgs o" \
	"  WHERE o.document_id = d.id AND o.org_id = ANY (v.orgs)))))"

static void
document_fill(const struct db_res *r, int row, struct document *d)
{
	memset(d, 0, sizeof(*d));
	d->id = db_get_int(r, row, 0);
	d->folder_id = db_get_int(r, row, 1);
	d->module_id = db_get_int(r, row, 2);
	d->title = db_get(r, row, 3);
	d->description = db_get(r, row, 4);
	d->description_html = db_get(r, row, 5);
	d->tags = db_get(r, row, 6);
	d->visibility = db_get(r, row, 7);
	d->roles = db_get(r, row, 8);
	d->orgs = db_get(r, row, 9);
	d->folder_name = db_get(r, row, 10);
	d->module_title = db_get(r, row, 11);
	d->updated_at = db_get(r, row, 12);
	d->updated_iso = db_get(r, row, 13);
	d->kit_slot = db_get(r, row, 14);
	d->deleted = db_get_bool(r, row, 15);
	d->current = (int)db_get_int(r, row, 16);
	d->downloads = db_get_int(r, row, 17);
	d->file.id = db_get_int(r, row, 18);
	d->file.size = db_get_int(r, row, 19);
	d->file.sha256 = db_get(r, row, 20);
	d->file.type = db_get(r, row, 21);
	d->file.name = db_get(r, row, 22);
	d->has_preview = db_get_bool(r, row, 23);
}

static int
document_fill_all(struct arena *a, const struct db_res *r, struct document **out, int *n)
{
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++)
		document_fill(r, i, &(*out)[i]);
	return 0;
}

static const struct db_stmt document_get_stmt = {
	"document_get",
	"SELECT " DOC_COLS DOC_FROM ", " DOC_VIEWER
	" WHERE d.id = $2 AND " DOC_VISIBLE
	" AND (d.deleted_at IS NULL OR ($3 AND v.roles && ARRAY['admin']))", 3
};

int
document_db_get(struct db *db, struct arena *a, int64_t id, int64_t uid, bool in_bin,
		struct document *out, bool *found)
{
	char u[DB_INT_LEN], i[DB_INT_LEN];
	const char *params[3] = { db_int_param(u, uid), db_int_param(i, id), in_bin ? "t" : "f" };
	struct db_res *r = db_query(db, a, &document_get_stmt, params);

	if (r == NULL)
		return -1;
	*found = r->nrows == 1;
	if (*found)
		document_fill(r, 0, out);
	return 0;
}

/* $4: the file itself, or its preview (a PNG named after the file). */
static const struct db_stmt document_version_file_stmt = {
	"document_version_file",
	"SELECT b.id, b.size, encode(b.sha256, 'hex'),"
	"  CASE WHEN $4 THEN 'image/png' ELSE cv.type END,"
	"  CASE WHEN $4 THEN 'anteprima-' || regexp_replace(cv.filename, '\\.[^.]*$', '') || '.png'"
	"  ELSE cv.filename END"
	" FROM documents d"
	" JOIN document_versions cv ON cv.document_id = d.id"
	"  AND cv.n = CASE WHEN $3::int = 0 THEN d.current_version ELSE $3::int END"
	" JOIN blobs b ON b.id = CASE WHEN $4 THEN cv.preview_blob_id ELSE cv.blob_id END, "
	DOC_VIEWER
	" WHERE d.id = $2 AND d.deleted_at IS NULL AND " DOC_VISIBLE, 4
};

int
document_db_version_file(struct db *db, struct arena *a, int64_t id, int n, bool preview,
			 int64_t uid, struct blob_file *file, bool *found)
{
	char u[DB_INT_LEN], i[DB_INT_LEN], v[DB_INT_LEN];
	const char *params[4] = { db_int_param(u, uid), db_int_param(i, id), db_int_param(v, n),
				  preview ? "t" : "f" };
	struct db_res *r = db_query(db, a, &document_version_file_stmt, params);

	if (r == NULL)
		return -1;
	*found = r->nrows == 1;
	if (*found) {
		file->id = db_get_int(r, 0, 0);
		file->size = db_get_int(r, 0, 1);
		file->sha256 = db_get(r, 0, 2);
		file->type = db_get(r, 0, 3);
		file->name = db_get(r, 0, 4);
	}
	return 0;
}

static const struct db_stmt document_versions_stmt = {
	"document_versions",
	"SELECT v.n, v.filename, v.type, v.size, v.note, coalesce(u.name, ''),"
	" to_char(v.created_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI'), v.text_status"
	" FROM document_versions v LEFT JOIN users u ON u.id = v.created_by"
	" WHERE v.document_id = $1 ORDER BY v.n DESC", 1
};

int
document_db_versions(struct db *db, struct arena *a, int64_t id, struct document_version **out,
		     int *n)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	struct db_res *r = db_query(db, a, &document_versions_stmt, params);

	if (r == NULL)
		return -1;
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int k = 0; k < r->nrows; k++) {
		struct document_version *v = &(*out)[k];
		v->n = (int)db_get_int(r, k, 0);
		v->filename = db_get(r, k, 1);
		v->type = db_get(r, k, 2);
		v->size = db_get_int(r, k, 3);
		v->note = db_get(r, k, 4);
		v->author = db_get(r, k, 5);
		v->created_at = db_get(r, k, 6);
		v->text_status = db_get(r, k, 7);
	}
	return 0;
}

static const struct db_stmt document_downloads_stmt = {
	"document_downloads",
	"SELECT u.name, dl.n, to_char(dl.at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI')"
	" FROM document_downloads dl LEFT JOIN users u ON u.id = dl.user_id"
	" WHERE dl.document_id = $1 ORDER BY dl.at DESC, dl.id DESC LIMIT 200", 1
};

int
document_db_downloads(struct db *db, struct arena *a, int64_t id, struct document_download **out,
		      int *n)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	struct db_res *r = db_query(db, a, &document_downloads_stmt, params);

	if (r == NULL)
		return -1;
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int k = 0; k < r->nrows; k++) {
		(*out)[k].who = db_get(r, k, 0);
		(*out)[k].n = (int)db_get_int(r, k, 1);
		(*out)[k].at = db_get(r, k, 2);
	}
	return 0;
}

#define DOC_QUOTE_(x) #x
#define DOC_QUOTE(x) DOC_QUOTE_(x)

/*
 * The filters both statements share: $3 folder (listing: exactly that
 * one, 0 the top; search: any when 0), $4 module (0: any), $5 types
 * (text[], NULL: any; a subquery, so that without it no version is read),
 * $6/$7 dates (Rome, NULL: open), $9 listing.
 */
#define DOC_FILTERS \
	" AND d.deleted_at IS NULL" \
	" AND CASE WHEN $9 THEN coalesce(d.folder_id, 0) = $3::bigint" \
	"          ELSE ($3::bigint = 0 OR d.folder_id = $3::bigint) END" \
	" AND ($4::bigint = 0 OR d.module_id = $4::bigint)" \
	" AND ($5::text[] IS NULL OR EXISTS (SELECT 1 FROM document_versions t" \
	"  WHERE t.document_id = d.id AND t.n = d.current_version AND t.type = ANY ($5::text[])))" \
	" AND ($6::date IS NULL OR d.updated_at >= $6::date::timestamp AT TIME ZONE 'Europe/Rome')" \
	" AND ($7::date IS NULL OR d.updated_at < ($7::date + 1)::timestamp AT TIME ZONE 'Europe/Rome')" \
	" AND " DOC_VISIBLE
/*
 * A search takes the DOCUMENT_SEARCH_CANDIDATES newest visible matches
 * (the GIN index finds rare words, the newest-first index walks common
 * ones, whichever the planner finds cheaper), ranks only those, and cuts
 * the page; ts_headline parses the text again, so it runs on the page's
 * twenty rows only.  Planned at every run: the right plan depends on how
 * common the words are.  The snippet marks hits with \x01 and \x02, which the
 * page turns into <mark> after escaping the text.  $2 is never empty here.
 */
static const struct db_stmt document_search_stmt = {
	"document_search",
	"WITH cand AS MATERIALIZED ("
	"  SELECT d.id, d.updated_at FROM documents d, " DOC_VIEWER
	"  WHERE d.search @@ websearch_to_tsquery('portal_it', $2)" DOC_FILTERS
	"  ORDER BY d.updated_at DESC, d.id DESC LIMIT " DOC_QUOTE(DOCUMENT_SEARCH_CANDIDATES) "),"
	" ranked AS (SELECT c.id, ts_rank_cd(d.search, websearch_to_tsquery('portal_it', $2)) AS rank,"
	"  c.updated_at, (SELECT count(*) FROM cand) AS total"
	"  FROM cand c JOIN documents d ON d.id = c.id)"
	" SELECT " DOC_COLS ","
	"  ts_headline('portal_it', d.description || ' ' || left(d.body_text, 20000),"
	"   websearch_to_tsquery('portal_it', $2),"
	"   'StartSel=\x01, StopSel=\x02, MaxWords=30, MinWords=12, MaxFragments=2,"
	"    FragmentDelimiter=\" … \"'),"
	"  h.total"
	" FROM (SELECT * FROM ranked ORDER BY rank DESC, updated_at DESC, id DESC"
	"  LIMIT $8 OFFSET $10) h"
	" JOIN documents d ON d.id = h.id"
	" JOIN document_versions cv ON cv.document_id = d.id AND cv.n = d.current_version"
	" JOIN blobs b ON b.id = cv.blob_id"
	" LEFT JOIN document_folders f ON f.id = d.folder_id"
	" LEFT JOIN modules m ON m.id = d.module_id"
	" ORDER BY h.rank DESC, h.updated_at DESC, h.id DESC", 10
};

/* A folder's documents or a filtered list, newest first ($2 unused, ""). */
static const struct db_stmt document_list_stmt = {
	"document_list",
	"SELECT " DOC_COLS ", '', count(*) OVER () FROM documents d"
	" JOIN document_versions cv ON cv.document_id = d.id AND cv.n = d.current_version"
	" JOIN blobs b ON b.id = cv.blob_id"
	" LEFT JOIN document_folders f ON f.id = d.folder_id"
	" LEFT JOIN modules m ON m.id = d.module_id, " DOC_VIEWER
	" WHERE $2 = ''" DOC_FILTERS
	" ORDER BY d.updated_at DESC, d.id DESC LIMIT $8 OFFSET $10", 10
};

int
document_db_search(struct db *db, struct arena *a, const struct document_query *q, int64_t uid,
		   struct document **out, int *n, int64_t *total)
{
	char u[DB_INT_LEN], f[DB_INT_LEN], m[DB_INT_LEN], l[DB_INT_LEN], o[DB_INT_LEN];
	const char *types = NULL;
	struct db_res *r;

	for (size_t i = 0; q->type != NULL && i < document_nkinds; i++)
		if (strcmp(q->type, document_kinds[i].name) == 0)
			types = document_kinds[i].types;
	const char *params[10] = {
		db_int_param(u, uid), q->q ? q->q : "", db_int_param(f, q->folder_id),
		db_int_param(m, q->module_id), types, q->from, q->to,
		db_int_param(l, q->limit), q->listing ? "t" : "f", db_int_param(o, q->offset),
	};
	/* Planned for the values: the best plan depends on the words and filters. */
	if ((r = db_query_planned(db, a, q->q != NULL && q->q[0] != '\0' ? &document_search_stmt
				  : &document_list_stmt, params)) == NULL)
		return -1;
	document_fill_all(a, r, out, n);
	for (int i = 0; i < r->nrows; i++)
		(*out)[i].snippet = db_get(r, i, DOC_NCOLS);
	*total = r->nrows > 0 ? db_get_int(r, 0, DOC_NCOLS + 1) : 0;
	return 0;
}

static const struct db_stmt document_bin_stmt = {
	"document_bin",
	"SELECT " DOC_COLS DOC_FROM " WHERE d.deleted_at IS NOT NULL ORDER BY d.deleted_at DESC", 0
};

int
document_db_bin(struct db *db, struct arena *a, struct document **out, int *n)
{
	struct db_res *r = db_query(db, a, &document_bin_stmt, NULL);

	return r == NULL ? -1 : document_fill_all(a, r, out, n);
}

static const struct db_stmt document_folders_stmt = {
	"document_folders",
	"WITH RECURSIVE t (id, parent_id, name, path, depth, sortkey) AS ("
	"  SELECT id, parent_id, name, name, 0, ARRAY[lower(name)]"
	"  FROM document_folders WHERE parent_id IS NULL"
	"  UNION ALL"
	"  SELECT f.id, f.parent_id, f.name, t.path || ' / ' || f.name, t.depth + 1,"
	"   t.sortkey || lower(f.name)"
	"  FROM document_folders f JOIN t ON f.parent_id = t.id WHERE t.depth < 16)"
	" SELECT t.id, coalesce(t.parent_id, 0), t.name, t.path, t.depth,"
	"  (SELECT count(*) FROM documents d WHERE d.folder_id = t.id AND d.deleted_at IS NULL"
	"   AND " DOC_VISIBLE ")"
	" FROM t, " DOC_VIEWER " ORDER BY t.sortkey", 1
};

int
document_db_folders(struct db *db, struct arena *a, int64_t uid, struct document_folder **out,
		    int *n)
{
	char u[DB_INT_LEN];
	const char *params[1] = { db_int_param(u, uid) };
	struct db_res *r = db_query(db, a, &document_folders_stmt, params);

	if (r == NULL)
		return -1;
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int k = 0; k < r->nrows; k++) {
		struct document_folder *f = &(*out)[k];
		f->id = db_get_int(r, k, 0);
		f->parent_id = db_get_int(r, k, 1);
		f->name = db_get(r, k, 2);
		f->path = db_get(r, k, 3);
		f->depth = (int)db_get_int(r, k, 4);
		f->documents = db_get_int(r, k, 5);
	}
	return 0;
}

static const struct db_stmt document_folder_exists_stmt = {
	"document_folder_exists", "SELECT count(*) FROM document_folders WHERE id = $1", 1
};

int
document_db_folder_exists(struct db *db, int64_t id)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };

	return (int)db_query_int(db, &document_folder_exists_stmt, params);
}

static const struct db_stmt document_folder_create_stmt = {
	"document_folder_create",
	"INSERT INTO document_folders (parent_id, name) VALUES (nullif($1::bigint, 0), $2)"
	" ON CONFLICT DO NOTHING RETURNING id", 2
};

int
document_db_folder_create(struct db *db, int64_t parent, const char *name, int64_t *id)
{
	char p[DB_INT_LEN];
	const char *params[2] = { db_int_param(p, parent), name };

	if ((*id = db_query_int(db, &document_folder_create_stmt, params)) == -1)
		return -1;
	return *id == 0 ? 1 : 0;
}

static const struct db_stmt document_create_stmt = {
	"document_create",
	"WITH d AS ("
	"  INSERT INTO documents (folder_id, module_id, title, description, description_html, tags,"
	"   visibility, roles, kit_slot, created_by)"
	"  VALUES (nullif($1::bigint, 0), nullif($2::bigint, 0), $3, $4, $5, $6::text[], $7,"
	"   $8::text[], $9, nullif($10::bigint, 0)) RETURNING id),"
	" o AS (INSERT INTO document_orgs (document_id, org_id)"
	"  SELECT DISTINCT d.id, x FROM d, unnest($11::bigint[]) x),"
	" v AS (INSERT INTO document_versions (document_id, n, blob_id, filename, type, size, note,"
	"   created_by, text_status)"
	"  SELECT d.id, 1, $12, $13, $14, $15, $16, nullif($10::bigint, 0), $17 FROM d)"
	" SELECT id FROM d", 17
};

/* Whether the job has text to extract from a file of this type. */
static const char *
document_text_status(const char *type)
{
	static const char *const with_text[] = {
		"application/pdf", "text/plain", "text/csv",
		"application/vnd.oasis.opendocument.text",
		"application/vnd.oasis.opendocument.presentation",
		"application/vnd.oasis.opendocument.spreadsheet",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	};

	for (size_t i = 0; i < ARRAY_SIZE(with_text); i++)
		if (strcmp(type, with_text[i]) == 0)
			return "pending";
	return "none";
}

/*
 * Tells the newsletter about document id as e describes it: a public or
 * members' document is published (the summary only of a public one: the
 * update may reach people who cannot sign in); a restricted one is not,
 * and neither are the kit's files (the portal's own material).
 */
static int
document_db_publication(struct db *db, int64_t id, const struct document_edit *e)
{
	bool open = strcmp(e->visibility, "public") == 0, members = strcmp(e->visibility, "members") == 0;
	char path[64];
	struct publication p = { PUBLICATION_DOCUMENTS, "document", id, e->title, NULL, path, NULL };

	if (e->kit_slot != NULL || (!open && !members))
		return publication_retract(db, "document", id);
	snprintf(path, sizeof(path), "/documenti/%lld", (long long)id);
	if (open)
		p.summary = e->description;
	return publication_record(db, &p);
}

int
document_db_create(struct db *db, const struct document_edit *e, const struct blob_file *f,
		   const char *note, int64_t uid, int64_t *id)
{
	char fo[DB_INT_LEN], mo[DB_INT_LEN], u[DB_INT_LEN], b[DB_INT_LEN], s[DB_INT_LEN];
	const char *params[17] = {
		db_int_param(fo, e->folder_id), db_int_param(mo, e->module_id), e->title,
		e->description, e->description_html, e->tags, e->visibility, e->roles, e->kit_slot,
		db_int_param(u, uid), e->orgs, db_int_param(b, f->id), f->name, f->type,
		db_int_param(s, f->size), note, document_text_status(f->type),
	};

	*id = db_query_int(db, &document_create_stmt, params);
	return *id > 0 ? document_db_publication(db, *id, e) : -1;
}

static const struct db_stmt document_lock_stmt = {
	"document_lock",
	"SELECT coalesce((SELECT max(n) FROM document_versions WHERE document_id = $1), 0)"
	" FROM documents WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", 1
};
static const struct db_stmt document_add_version_stmt = {
	"document_add_version",
	"WITH v AS (INSERT INTO document_versions (document_id, n, blob_id, filename, type, size,"
	"   note, created_by, text_status)"
	"  VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8::bigint, 0), $9) RETURNING n)"
	" UPDATE documents SET current_version = (SELECT n FROM v), body_text = '', updated_at = now()"
	" WHERE id = $1", 9
};

int
document_db_add_version(struct db *db, int64_t id, const struct blob_file *f, const char *note,
			int64_t uid, int *n)
{
	char i[DB_INT_LEN], k[DB_INT_LEN], b[DB_INT_LEN], s[DB_INT_LEN], u[DB_INT_LEN];
	const char *lock[1] = { db_int_param(i, id) };
	int64_t last;

	/* The row lock orders concurrent uploads: each sees the other's version. */
	if ((last = db_query_int(db, &document_lock_stmt, lock)) == -1)
		return -1;
	if (last == 0)
		return 1;
	*n = (int)last + 1;
	const char *params[9] = {
		i, db_int_param(k, *n), db_int_param(b, f->id), f->name, f->type,
		db_int_param(s, f->size), note, db_int_param(u, uid), document_text_status(f->type),
	};
	return db_exec(db, &document_add_version_stmt, params) == 1 ? 0 : -1;
}

static const struct db_stmt document_update_stmt = {
	"document_update",
	"WITH d AS ("
	"  UPDATE documents SET folder_id = nullif($2::bigint, 0), module_id = nullif($3::bigint, 0),"
	"   title = $4, description = $5, description_html = $6, tags = $7::text[],"
	"   visibility = $8, roles = $9::text[], updated_at = now()"
	"  WHERE id = $1 AND deleted_at IS NULL RETURNING id),"
	" gone AS (DELETE FROM document_orgs WHERE document_id IN (SELECT id FROM d)"
	"  AND org_id <> ALL ($10::bigint[]))"
	" INSERT INTO document_orgs (document_id, org_id)"
	" SELECT d.id, x FROM d, unnest($10::bigint[]) x ON CONFLICT DO NOTHING", 10
};
static const struct db_stmt document_exists_stmt = {
	"document_exists", "SELECT count(*) FROM documents WHERE id = $1 AND deleted_at IS NULL", 1
};

int
document_db_update(struct db *db, int64_t id, const struct document_edit *e)
{
	char i[DB_INT_LEN], fo[DB_INT_LEN], mo[DB_INT_LEN];
	const char *params[10] = {
		db_int_param(i, id), db_int_param(fo, e->folder_id), db_int_param(mo, e->module_id),
		e->title, e->description, e->description_html, e->tags, e->visibility, e->roles,
		e->orgs,
	};
	int64_t n;

	if ((n = db_query_int(db, &document_exists_stmt, params)) <= 0)
		return n == 0 ? 1 : -1;
	return db_exec(db, &document_update_stmt, params) == -1 ? -1 : document_db_publication(db, id, e);
}

static const struct db_stmt document_make_current_stmt = {
	"document_make_current",
	"UPDATE documents d SET current_version = v.n, body_text = v.body_text, updated_at = now()"
	" FROM document_versions v"
	" WHERE d.id = $1 AND d.deleted_at IS NULL AND v.document_id = d.id AND v.n = $2", 2
};

int
document_db_make_current(struct db *db, int64_t id, int n)
{
	char i[DB_INT_LEN], k[DB_INT_LEN];
	const char *params[2] = { db_int_param(i, id), db_int_param(k, n) };
	int64_t r = db_exec(db, &document_make_current_stmt, params);

	return r == -1 ? -1 : r == 1 ? 0 : 1;
}

static const struct db_stmt document_bin_in_stmt = {
	"document_bin_in",
	"UPDATE documents SET deleted_at = now(), deleted_by = nullif($2::bigint, 0)"
	" WHERE id = $1 AND deleted_at IS NULL", 2
};
static const struct db_stmt document_bin_out_stmt = {
	"document_bin_out",
	"UPDATE documents SET deleted_at = NULL, deleted_by = NULL"
	" WHERE id = $1 AND deleted_at IS NOT NULL", 1
};

int
document_db_bin_move(struct db *db, int64_t id, int64_t uid, bool into)
{
	char i[DB_INT_LEN], u[DB_INT_LEN];
	const char *params[2] = { db_int_param(i, id), db_int_param(u, uid) };
	int64_t r = db_exec(db, into ? &document_bin_in_stmt : &document_bin_out_stmt, params);

	if (r == 1 && into && publication_retract(db, "document", id) == -1)
		return -1;
	return r == -1 ? -1 : r == 1 ? 0 : 1;
}

static const struct db_stmt document_bin_empty_stmt = {
	"document_bin_empty", "DELETE FROM documents WHERE deleted_at IS NOT NULL", 0
};
/* Blobs belong to document versions and to help-desk tickets' attachments
 * (content/ticket_db.c): one neither uses is garbage, unless an upload is
 * taking it over right now (blob_same locks it). */
static const struct db_stmt document_blobs_gc_stmt = {
	"document_blobs_gc",
	"DELETE FROM blobs WHERE id IN (SELECT b.id FROM blobs b WHERE b.sha256 IS NOT NULL"
	" AND NOT EXISTS (SELECT 1 FROM document_versions v"
	"  WHERE v.blob_id = b.id OR v.preview_blob_id = b.id)"
	" AND NOT EXISTS (SELECT 1 FROM ticket_attachments t WHERE t.blob_id = b.id)"
	" FOR UPDATE SKIP LOCKED)", 0
};

int
document_db_bin_empty(struct db *db, int64_t *n)
{
	if ((*n = db_exec(db, &document_bin_empty_stmt, NULL)) == -1 ||
	    db_exec(db, &document_blobs_gc_stmt, NULL) == -1)
		return -1;
	return 0;
}

static const struct db_stmt document_record_download_stmt = {
	"document_record_download",
	"INSERT INTO document_downloads (document_id, n, user_id)"
	" SELECT $1, CASE WHEN $2::int = 0 THEN current_version ELSE $2::int END,"
	"  nullif($3::bigint, 0) FROM documents WHERE id = $1", 3
};

int
document_db_record_download(struct db *db, int64_t id, int n, int64_t uid)
{
	char i[DB_INT_LEN], k[DB_INT_LEN], u[DB_INT_LEN];
	const char *params[3] = { db_int_param(i, id), db_int_param(k, n), db_int_param(u, uid) };

	return db_exec(db, &document_record_download_stmt, params) == -1 ? -1 : 0;
}

static const struct db_stmt document_orgs_exist_stmt = {
	"document_orgs_exist",
	"SELECT CASE WHEN count(*) FILTER (WHERE o.id IS NULL) = 0 THEN 1 ELSE 0 END"
	" FROM unnest($1::bigint[]) x LEFT JOIN orgs o ON o.id = x", 1
};

int
document_db_orgs_exist(struct db *db, const char *orgs)
{
	const char *params[1] = { orgs };

	return (int)db_query_int(db, &document_orgs_exist_stmt, params);
}

static const struct db_stmt document_kit_folder_stmt = {
	"document_kit_folder",
	"WITH made AS (INSERT INTO document_folders (name, role)"
	"  SELECT 'Kit di comunicazione', 'kit'"
	"  WHERE NOT EXISTS (SELECT 1 FROM document_folders WHERE role = 'kit')"
	"  ON CONFLICT DO NOTHING RETURNING id)"
	" SELECT id FROM made UNION ALL SELECT id FROM document_folders WHERE role = 'kit'", 0
};

int64_t
document_db_kit_folder(struct db *db)
{
	int64_t id = db_query_int(db, &document_kit_folder_stmt, NULL);

	return id > 0 ? id : -1;
}

static const struct db_stmt document_kit_stmt = {
	"document_kit",
	"SELECT " DOC_COLS DOC_FROM
	" WHERE d.kit_slot IS NOT NULL AND d.deleted_at IS NULL AND d.visibility = 'public'"
	" ORDER BY array_position(ARRAY['logo', 'logo-png', 'logo-negativo', 'logo-negativo-png',"
	"  'modello-presentazione', 'foglio-firme', 'volantino', 'brochure', 'comunicato'], d.kit_slot),"
	"  d.kit_slot", 0
};

int
document_db_kit(struct db *db, struct arena *a, struct document **out, int *n)
{
	struct db_res *r = db_query(db, a, &document_kit_stmt, NULL);

	return r == NULL ? -1 : document_fill_all(a, r, out, n);
}

static const struct db_stmt document_text_next_stmt = {
	"document_text_next",
	"SELECT v.document_id, v.n, v.blob_id, v.size, encode(b.sha256, 'hex'), v.type, v.filename"
	" FROM document_versions v JOIN blobs b ON b.id = v.blob_id"
	" WHERE v.text_status = 'pending' ORDER BY v.created_at, v.document_id LIMIT 1", 0
};

int
document_db_text_next(struct db *db, struct arena *a, int64_t *doc, int *n, struct blob_file *file,
		      bool *found)
{
	struct db_res *r = db_query(db, a, &document_text_next_stmt, NULL);

	if (r == NULL)
		return -1;
	*found = r->nrows == 1;
	if (*found) {
		*doc = db_get_int(r, 0, 0);
		*n = (int)db_get_int(r, 0, 1);
		file->id = db_get_int(r, 0, 2);
		file->size = db_get_int(r, 0, 3);
		file->sha256 = db_get(r, 0, 4);
		file->type = db_get(r, 0, 5);
		file->name = db_get(r, 0, 6);
	}
	return 0;
}

static const struct db_stmt document_text_store_stmt = {
	"document_text_store",
	"WITH v AS (UPDATE document_versions SET text_status = $3, body_text = $4"
	"  WHERE document_id = $1 AND n = $2 RETURNING document_id, n)"
	" UPDATE documents d SET body_text = $4 FROM v"
	" WHERE d.id = v.document_id AND d.current_version = v.n", 4
};

static const struct db_stmt document_preview_store_stmt = {
	"document_preview_store",
	"UPDATE document_versions SET preview_blob_id = $3 WHERE document_id = $1 AND n = $2", 3
};

int
document_db_preview_store(struct db *db, int64_t doc, int n, int64_t blob)
{
	char d[DB_INT_LEN], k[DB_INT_LEN], b[DB_INT_LEN];
	const char *params[3] = { db_int_param(d, doc), db_int_param(k, n), db_int_param(b, blob) };

	return db_exec(db, &document_preview_store_stmt, params) == -1 ? -1 : 0;
}

int
document_db_text_store(struct db *db, int64_t doc, int n, const char *status, const char *text)
{
	char d[DB_INT_LEN], k[DB_INT_LEN];
	const char *params[4] = { db_int_param(d, doc), db_int_param(k, n), status, text };

	return db_exec(db, &document_text_store_stmt, params) == -1 ? -1 : 0;
}
