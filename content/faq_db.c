/*
 * faq_db.c - the FAQ's queries (see faq_db.h).
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "course_modules.h"
#include "db.h"
#include "faq_db.h"
#include "log.h"

/* The columns faq_fill() reads, over entry f, module m, course c and vote counts vc. */
#define FAQ_COLS \
	"f.id, f.category, coalesce(f.module_id, 0), " \
	"coalesce(c.title || ' — Modulo ' || m.position || ': ' || m.title, ''), " \
	"f.question, f.answer_md, f.answer_html, f.published, coalesce(f.source_ticket_id, 0), " \
	"vc.yes, vc.no, to_char(f.updated_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY'), " \
	"to_char(f.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define FAQ_NCOLS 13
#define FAQ_FROM \
	" FROM faq_entries f" \
	" LEFT JOIN modules m ON m.id = f.module_id" \
	" LEFT JOIN courses c ON c.id = m.course_id" \
	" CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE v.useful) AS yes," \
	"  count(*) FILTER (WHERE NOT v.useful) AS no FROM faq_votes v WHERE v.faq_id = f.id) vc"
/* $2 category (NULL: any), $3 module (0: any), $4 editor. */
#define FAQ_FILTERS \
	" AND ($2::text IS NULL OR f.category = $2::text)" \
	" AND ($3::bigint = 0 OR f.module_id = $3::bigint)" \
	" AND ($4::boolean OR f.published)"
/* The categories in the order the pages show them. */
#define FAQ_CATEGORY_ORDER \
	"array_position(ARRAY['access', 'module', 'platform', 'documents', 'other'], f.category)"
/* A passage of the answer around the hits, Markdown marks dropped; \x01..\x02 around hits. */
#define FAQ_HEADLINE(q) \
	"ts_headline('portal_it', regexp_replace(f.answer_md, '[#*_`>\\[\\]]', '', 'g'), " q "," \
	" 'StartSel=\x01, StopSel=\x02, MaxWords=30, MinWords=12, MaxFragments=2," \
	"  FragmentDelimiter=\" … \"')"

static void
faq_fill(const struct db_res *r, int row, struct faq *f)
{
	memset(f, 0, sizeof(*f));
	f->id = db_get_int(r, row, 0);
	f->category = db_get(r, row, 1);
	f->module_id = db_get_int(r, row, 2);
	f->module_title = db_get(r, row, 3);
	f->question = db_get(r, row, 4);
	f->answer_md = db_get(r, row, 5);
	f->answer_html = db_get(r, row, 6);
	f->published = db_get_bool(r, row, 7);
	f->source_ticket_id = db_get_int(r, row, 8);
	f->useful_yes = db_get_int(r, row, 9);
	f->useful_no = db_get_int(r, row, 10);
	f->updated_local = db_get(r, row, 11);
	f->updated_iso = db_get(r, row, 12);
}

/* Rows of FAQ_COLS, then optionally a snippet column, into an arena array. */
static void
faq_fill_all(struct arena *a, const struct db_res *r, bool snippet, struct faq **out, int *n)
{
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++) {
		faq_fill(r, i, &(*out)[i]);
		if (snippet)
			(*out)[i].snippet = db_get(r, i, FAQ_NCOLS);
	}
}

/* $1 the words; planned for them at every run, as document_search is. */
static const struct db_stmt faq_search_stmt = {
	"faq_search",
	"WITH q AS (SELECT websearch_to_tsquery('portal_it', $1) AS q)"
	" SELECT " FAQ_COLS ", " FAQ_HEADLINE("q.q") ", count(*) OVER ()" FAQ_FROM ", q"
	" WHERE f.search @@ q.q" FAQ_FILTERS
	" ORDER BY ts_rank_cd(f.search, q.q) DESC, f.id LIMIT $5 OFFSET $6", 6
};

/* $1 unused (""): every entry matching the filters, grouped for reading. */
static const struct db_stmt faq_list_stmt = {
	"faq_list",
	"SELECT " FAQ_COLS ", NULL, count(*) OVER ()" FAQ_FROM
	" WHERE $1 = ''" FAQ_FILTERS
	" ORDER BY " FAQ_CATEGORY_ORDER ", coalesce(c.title, ''), coalesce(m.position, 0),"
	" lower(f.question), f.id LIMIT $5 OFFSET $6", 6
};

int
faq_db_search(struct db *db, struct arena *a, const struct faq_query *q, struct faq **out,
	      int *n, int64_t *total)
{
	char m[DB_INT_LEN], l[DB_INT_LEN], o[DB_INT_LEN];
	bool words = q->q != NULL && q->q[0] != '\0';
	const char *params[6] = {
		words ? q->q : "", q->category, db_int_param(m, q->module_id), q->editor ? "t" : "f",
		db_int_param(l, q->limit), db_int_param(o, q->offset),
	};
	struct db_res *r;

	r = words ? db_query_planned(db, a, &faq_search_stmt, params)
		  : db_query(db, a, &faq_list_stmt, params);
	if (r == NULL)
		return -1;
	faq_fill_all(a, r, words, out, n);
	*total = r->nrows > 0 ? db_get_int(r, 0, FAQ_NCOLS + 1) : 0;
	return 0;
}

/* $1 the words joined by "or": any of them. */
static const struct db_stmt faq_suggest_stmt = {
	"faq_suggest",
	"WITH q AS (SELECT websearch_to_tsquery('portal_it', $1) AS q)"
	" SELECT " FAQ_COLS ", " FAQ_HEADLINE("q.q") FAQ_FROM ", q"
	" WHERE f.published AND f.search @@ q.q"
	" ORDER BY ts_rank_cd(f.search, q.q) DESC, f.id LIMIT $2", 2
};

#define FAQ_SUGGEST_WORDS 40
#define FAQ_SUGGEST_WORD_MAX 60

/* A byte that belongs to a word: ASCII letters and digits, and any non-ASCII byte (UTF-8 letters). */
static bool
faq_word_byte(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch >= 0x80;
}

int
faq_db_suggest(struct db *db, struct arena *a, const char *text, int max, struct faq **out,
	       int *n)
{
	char l[DB_INT_LEN];
	const unsigned char *p = (const unsigned char *)text;
	const char *params[2];
	struct db_res *r;
	struct buf words;
	int nwords = 0, rc = -1;

	*out = NULL;
	*n = 0;
	if (max < 1)
		max = 1;
	if (max > 20)
		max = 20;
	/*
	 * Only word characters reach websearch_to_tsquery, joined by its
	 * "or": no quote, minus or other syntax from the text survives, so
	 * any input is "any of these words".  Long runs are cut (a pasted
	 * hash is no word anyone searches).
	 */
	buf_init(&words, 8192);
	while (*p != '\0' && nwords < FAQ_SUGGEST_WORDS) {
		size_t len = 0;

		while (*p != '\0' && !faq_word_byte(*p))
			p++;
		while (faq_word_byte(p[len]))
			len++;
		if (len == 0)
			break;
		if (len <= FAQ_SUGGEST_WORD_MAX) {
			if (nwords++ > 0)
				buf_adds(&words, " or ");
			buf_add(&words, (const char *)p, len);
		}
		p += len;
	}
	if (nwords == 0 || words.err) {
		rc = 0;
		goto out;
	}
	params[0] = words.data;
	params[1] = db_int_param(l, max);
	if ((r = db_query_planned(db, a, &faq_suggest_stmt, params)) == NULL)
		goto out;
	faq_fill_all(a, r, true, out, n);
	rc = 0;
out:
	buf_release(&words);
	return rc;
}

static const struct db_stmt faq_get_stmt = {
	"faq_get",
	"SELECT " FAQ_COLS FAQ_FROM " WHERE f.id = $1 AND ($2::boolean OR f.published)", 2
};

int
faq_db_get(struct db *db, struct arena *a, int64_t id, bool editor, struct faq *out, bool *found)
{
	char i[DB_INT_LEN];
	const char *params[2] = { db_int_param(i, id), editor ? "t" : "f" };
	struct db_res *r = db_query(db, a, &faq_get_stmt, params);

	if (r == NULL)
		return -1;
	*found = r->nrows == 1;
	if (*found)
		faq_fill(r, 0, out);
	return 0;
}

static const struct db_stmt faq_question_taken_stmt = {
	"faq_question_taken",
	"SELECT count(*) FROM faq_entries WHERE lower(question) = lower($1) AND id <> $2", 2
};

static const struct db_stmt faq_insert_stmt = {
	"faq_insert",
	"INSERT INTO faq_entries (category, module_id, question, answer_md, answer_html, published,"
	" source_ticket_id, created_by, updated_by)"
	" VALUES ($1, nullif($2::bigint, 0), $3, $4, $5, $6,"
	" (SELECT id FROM tickets WHERE id = nullif($7::bigint, 0)),"
	" nullif($8::bigint, 0), nullif($8::bigint, 0)) RETURNING id", 8
};

/* An update keeps the source ticket unless a new one is given. */
static const struct db_stmt faq_update_stmt = {
	"faq_update",
	"UPDATE faq_entries SET category = $1, module_id = nullif($2::bigint, 0), question = $3,"
	" answer_md = $4, answer_html = $5, published = $6,"
	" source_ticket_id = coalesce((SELECT id FROM tickets WHERE id = nullif($7::bigint, 0)),"
	"  source_ticket_id),"
	" updated_by = nullif($8::bigint, 0), updated_at = now() WHERE id = $9 RETURNING id", 9
};

int
faq_db_save(struct db *db, int64_t id, const struct faq_edit *e, int64_t uid, int64_t *out_id)
{
	char mo[DB_INT_LEN], st[DB_INT_LEN], u[DB_INT_LEN], i[DB_INT_LEN];
	const char *params[9] = {
		e->category, db_int_param(mo, e->module_id), e->question, e->answer_md,
		e->answer_html, e->published ? "t" : "f", db_int_param(st, e->source_ticket_id),
		db_int_param(u, uid), db_int_param(i, id),
	};
	const char *taken[2] = { e->question, params[8] };
	int64_t v;

	if (e->module_id != 0) {
		if ((v = course_modules_exists(db, e->module_id, false)) == -1)
			return -1;
		if (v == 0)
			return 3;
	}
	/* Checked first, so that a duplicate does not abort the caller's transaction. */
	if ((v = db_query_int(db, &faq_question_taken_stmt, taken)) == -1)
		return -1;
	if (v > 0)
		return 2;
	v = db_query_int(db, id == 0 ? &faq_insert_stmt : &faq_update_stmt, params);
	if (v == -1)
		return strcmp(db_sqlstate(db), "23505") == 0 ? 2 : -1;
	if (v == 0)
		return 1;
	*out_id = v;
	return 0;
}

static const struct db_stmt faq_delete_stmt = {
	"faq_delete", "DELETE FROM faq_entries WHERE id = $1", 1
};

int
faq_db_delete(struct db *db, int64_t id)
{
	char i[DB_INT_LEN];
	const char *params[1] = { db_int_param(i, id) };
	int64_t n = db_exec(db, &faq_delete_stmt, params);

	if (n == -1)
		return -1;
	return n == 0 ? 1 : 0;
}

static const struct db_stmt faq_votable_stmt = {
	"faq_votable", "SELECT count(*) FROM faq_entries WHERE id = $1 AND published", 1
};

/* Inserts, or changes a different earlier vote; no row when the same vote was there. */
static const struct db_stmt faq_vote_stmt = {
	"faq_vote",
	"INSERT INTO faq_votes (faq_id, voter, useful) VALUES ($1, $2, $3)"
	" ON CONFLICT (faq_id, voter) DO UPDATE SET useful = EXCLUDED.useful, updated_at = now()"
	" WHERE faq_votes.useful <> EXCLUDED.useful", 3
};

int
faq_db_vote(struct db *db, int64_t id, const char *voter, bool useful, bool *changed)
{
	char i[DB_INT_LEN];
	const char *params[3] = { db_int_param(i, id), voter, useful ? "t" : "f" };
	int64_t v;

	*changed = false;
	if ((v = db_query_int(db, &faq_votable_stmt, params)) == -1)
		return -1;
	if (v == 0)
		return 1;
	if ((v = db_exec(db, &faq_vote_stmt, params)) == -1)
		return -1;
	*changed = v > 0;
	return 0;
}

static const struct db_stmt faq_voted_stmt = {
	"faq_voted", "SELECT useful FROM faq_votes WHERE faq_id = $1 AND voter = $2", 2
};

int
faq_db_voted(struct db *db, int64_t id, const char *voter)
{
	char i[DB_INT_LEN];
	const char *params[2] = { db_int_param(i, id), voter };
	struct arena *a = arena_new();
	struct db_res *r = db_query(db, a, &faq_voted_stmt, params);
	int rc = -2;

	if (r != NULL)
		rc = r->nrows == 0 ? -1 : db_get_bool(r, 0, 0) ? 1 : 0;
	arena_free(a);
	return rc;
}

static const struct db_stmt faq_count_question_stmt = {
	"faq_count_question", "SELECT count(*) FROM faq_entries WHERE lower(question) = lower($1)", 1
};

int64_t
faq_db_count_question(struct db *db, const char *question)
{
	const char *params[1] = { question };

	return db_query_int(db, &faq_count_question_stmt, params);
}
