/*
 * progress.c - progress across people (see progress.h).
 *
 * The CSV is streamed: rows come one at a time from a connection of the
 * export's own (progress_db_stream()) and leave in 64 KiB pieces, so
 * memory does not grow with the number of learners and the pool thread's
 * connection stays free.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "course.h"
#include "course_db.h"
#include "csv.h"
#include "json.h"
#include "log.h"
#include "org.h"
#include "org_db.h"
#include "progress.h"
#include "progress_db.h"
#include "request.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"

#define PROGRESS_PAGE_ROWS 50
#define PROGRESS_API_MAX 1000
#define PROGRESS_ROW_MAX ((size_t)1 << 20)	/* bytes of CSV one row may take, with slack */
#define PROGRESS_ROLES (ROLE_REFERENTE | COURSE_STAFF)

static const struct config *progress_cfg;

/*
 * Sets f->scope_org for the user: 0 for staff, who see everyone, else the
 * referent's organisation.  -1 for a referent without one.
 */
static int
progress_scope(const struct request *req, struct progress_filter *f)
{
	if (req->user->roles & COURSE_STAFF) {
		f->scope_org = 0;
		return 0;
	}
	if (req->user->org_id <= 0)
		return -1;
	f->scope_org = req->user->org_id;
	return 0;
}

static const char progress_no_org[] =
	"Il tuo profilo non è associato a un ente: chiedi all'amministratore di associarlo "
	"per vedere l'avanzamento delle persone del tuo ente.";

/* The filters of the page and the CSV, from the query string. */
static void
progress_filter_read(const struct request *req, struct progress_filter *f)
{
	f->course_id = request_int(req, "corso", 0);
	f->org_id = request_int(req, "ente", 0);
	f->cohort_id = request_int(req, "classe", 0);
}

/* "corso=1&ente=2" for the filters set, "" for none; in the arena. */
static const char *
progress_query(struct request *req, const struct progress_filter *f)
{
	struct buf q;
	const char *out;

	buf_init(&q, 256);
	if (f->course_id)
		buf_printf(&q, "&corso=%lld", (long long)f->course_id);
	if (f->org_id)
		buf_printf(&q, "&ente=%lld", (long long)f->org_id);
	if (f->cohort_id)
		buf_printf(&q, "&classe=%lld", (long long)f->cohort_id);
	out = q.len > 0 ? arena_strdup(req->arena, q.data + 1) : "";
	buf_release(&q);
	return out;
}

static void
progress_choices(struct tmpl_ctx *ctx, const char *key, const struct progress_choice *c, int n,
		 int64_t selected)
{
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, key);
		tmpl_set_int(t, "id", c[i].id);
		tmpl_set(t, "label", c[i].label);
		tmpl_set_bool(t, "selected", c[i].id == selected);
	}
}

static const struct field progress_page_fields[] = {
	{ "corso", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "Corso" },
	{ "ente", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "Ente" },
	{ "classe", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "Classe" },
	{ "pagina", FIELD_QUERY, VALID_INT, 1, 1000000, NULL, 0, "Pagina" },
};

/* GET /avanzamento: the filters, one page of learners and the CSV link; 200; 400; 403. */
static int
progress_page(struct request *req)
{
	struct progress_filter f = { 0 };
	struct progress_row *rows;
	struct progress_choice *choices;
	struct tmpl_ctx *ctx;
	const char *query;
	int n, total, nchoices, page = (int)request_int(req, "pagina", 1);

	if (progress_scope(req, &f) == -1)
		return response_error(req, 403, progress_no_org);
	progress_filter_read(req, &f);
	if (progress_db_page(req->db, req->arena, &f, PROGRESS_PAGE_ROWS,
			     (page - 1) * PROGRESS_PAGE_ROWS, &rows, &n, &total) == -1)
		return 500;
	if (n == 0 && page > 1)
		return response_error(req, 404, "Questa pagina dei risultati non esiste.");
	ctx = response_ctx(req, "Avanzamento della formazione");
	query = progress_query(req, &f);
	tmpl_set_bool(ctx, "all_orgs", f.scope_org == 0);
	tmpl_set(ctx, "scope_org", req->user->org_name);
	if (progress_db_courses(req->db, req->arena, f.scope_org == 0, &choices, &nchoices) == -1)
		return 500;
	progress_choices(ctx, "courses", choices, nchoices, f.course_id);
	if (f.scope_org == 0) {
		struct org_list orgs;
		if (org_db_list(req->db, req->arena, &orgs) == -1)
			return 500;
		org_options(ctx, &orgs, f.org_id);
	}
	if (f.course_id != 0) {
		if (progress_db_cohorts(req->db, req->arena, f.course_id, f.scope_org == 0, &choices,
					&nchoices) == -1)
			return 500;
		progress_choices(ctx, "cohorts", choices, nchoices, f.cohort_id);
		tmpl_set_bool(ctx, "has_cohorts", nchoices > 0);
	}
	tmpl_set_int(ctx, "total", total);
	tmpl_set_bool(ctx, "empty", total == 0);
	tmpl_set(ctx, "csv_url", *query ? arena_printf(req->arena, "/avanzamento.csv?%s", query) :
		 "/avanzamento.csv");
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "rows");
		tmpl_set(t, "course", rows[i].course_title);
		tmpl_set(t, "name", rows[i].name);
		tmpl_set(t, "email", rows[i].email);
		tmpl_set(t, "org", rows[i].org_name);
		tmpl_set(t, "cohorts", rows[i].cohorts);
		tmpl_set(t, "enrolled_on", rows[i].enrolled_on);
		tmpl_setf(t, "lessons", "%d di %d", rows[i].done, rows[i].total);
		tmpl_set_int(t, "percent", rows[i].percent);
		tmpl_set(t, "last_activity", rows[i].last_activity);
	}
	if (total > PROGRESS_PAGE_ROWS) {
		int pages = (total + PROGRESS_PAGE_ROWS - 1) / PROGRESS_PAGE_ROWS;
		struct tmpl_ctx *p = tmpl_set_obj(ctx, "pager");
		const char *sep = *query ? "&" : "";
		tmpl_setf(p, "label", "Pagina %d di %d", page, pages);
		if (page > 1)
			tmpl_setf(p, "prev", "/avanzamento?%s%spagina=%d", query, sep, page - 1);
		if (page < pages)
			tmpl_setf(p, "next", "/avanzamento?%s%spagina=%d", query, sep, page + 1);
	}
	return response_page(req, 200, "courses/progress", ctx);
}

/* The export in progress: formatted bytes wait in pending until read. */
struct progress_export {
	struct db_stream *rows;
	struct buf pending;
	size_t sent;		/* bytes of pending already handed out */
	bool ended;
};

static void
progress_csv_row(struct buf *b, const struct progress_row *r)
{
	char done[12], total[12], percent[12];
	const char *cells[] = {
		r->course_title, r->name, r->email, r->org_name, r->cohorts, r->enrolled_on,
		done, total, percent, r->last_activity,
	};

	snprintf(done, sizeof(done), "%d", r->done);
	snprintf(total, sizeof(total), "%d", r->total);
	snprintf(percent, sizeof(percent), "%d", r->percent);
	csv_row(b, cells, (int)ARRAY_SIZE(cells));
}

static ssize_t
progress_export_read(void *state, char *out, size_t max)
{
	struct progress_export *x = state;
	const char *const *cells;
	struct progress_row r;
	size_t n;
	int ncols, rc;

	if (x->sent > 0) {	/* drop what left already */
		memmove(x->pending.data, x->pending.data + x->sent, x->pending.len - x->sent);
		buf_truncate(&x->pending, x->pending.len - x->sent);
		x->sent = 0;
	}
	while (x->pending.len < max && !x->ended) {
		if ((rc = db_stream_next(x->rows, &cells, &ncols)) == -1)
			return -1;
		if (rc == 0) {
			x->ended = true;
			break;
		}
		if (ncols != PROGRESS_COLS) {
			log_warnx("progress: export row has %d columns", ncols);
			return -1;
		}
		progress_db_row(cells, &r);
		progress_csv_row(&x->pending, &r);
		if (x->pending.err)
			return -1;
	}
	n = x->pending.len < max ? x->pending.len : max;
	memcpy(out, x->pending.data, n);
	x->sent = n;
	return (ssize_t)n;
}

static void
progress_export_done(void *state)
{
	struct progress_export *x = state;

	db_stream_close(x->rows);
	buf_release(&x->pending);
	free(x);
}

/* GET /avanzamento.csv: the table's rows, all pages, as CSV; 200; 400; 403; 503 when busy. */
static int
progress_csv(struct request *req)
{
	static const char *const header[] = {
		"Corso", "Nome e cognome", "Email", "Ente", "Classi", "Iscrizione",
		"Lezioni completate", "Lezioni totali", "Percentuale completamento", "Ultima attività",
	};
	struct progress_filter f = { 0 };
	struct progress_export *x;
	bool busy;

	if (progress_scope(req, &f) == -1)
		return response_error(req, 403, progress_no_org);
	progress_filter_read(req, &f);
	if ((x = calloc(1, sizeof(*x))) == NULL)
		log_oom(sizeof(*x));
	if ((x->rows = progress_db_stream(progress_cfg->database_url, &f, &busy)) == NULL) {
		free(x);
		return busy ? response_busy(req) : 500;
	}
	buf_init(&x->pending, PROGRESS_ROW_MAX + 64 * 1024);
	buf_adds(&x->pending, CSV_BOM);
	csv_row(&x->pending, header, (int)ARRAY_SIZE(header));
	response_header(req, "Content-Disposition", "attachment; filename=\"avanzamento.csv\"");
	response_header(req, "Cache-Control", "no-store");
	return response_stream(req, "text/csv; charset=utf-8", progress_export_read,
			       progress_export_done, x);
}

static const struct field progress_api_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Corso" },
	{ "org", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "Ente" },
	{ "cohort", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "Classe" },
	{ "limit", FIELD_QUERY, VALID_INT, 1, PROGRESS_API_MAX, NULL, 0, "Limite" },
	{ "offset", FIELD_QUERY, VALID_INT, 0, 100000000, NULL, 0, "Scostamento" },
};

/*
 * GET /api/v1/courses/{id}/progress: {"total", "learners": [...], "next_offset"}
 * for one course; 200; 400; 403 (not a referent, or one without an
 * organisation); 404 no such course, or a draft for a referent.
 */
static int
progress_api(struct request *req)
{
	struct progress_filter f = { 0 };
	struct progress_row *rows;
	struct json_writer w;
	struct course *c;
	int n, total, nc, limit = (int)request_int(req, "limit", 100),
	    offset = (int)request_int(req, "offset", 0);

	if (progress_scope(req, &f) == -1)
		return response_json_error(req, 403, "no_organisation", progress_no_org);
	f.course_id = request_int(req, "id", 0);
	f.org_id = request_int(req, "org", 0);
	f.cohort_id = request_int(req, "cohort", 0);
	if (course_db_outlines(req->db, req->arena, f.course_id, 0,
			       (req->user->roles & COURSE_STAFF) != 0, &c, &nc) == -1)
		return 500;
	if (nc == 0)
		return response_json_error(req, 404, "not_found", "Corso non trovato.");
	if (progress_db_page(req->db, req->arena, &f, limit, offset, &rows, &n, &total) == -1)
		return 500;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_int(&w, "course_id", f.course_id);
	json_int(&w, "total", total);
	if (offset + n < total)
		json_int(&w, "next_offset", offset + n);
	else
		json_null(&w, "next_offset");
	json_arr_open(&w, "learners");
	for (int i = 0; i < n; i++) {
		json_obj_open(&w, NULL);
		json_int(&w, "user_id", rows[i].user_id);
		json_str(&w, "name", rows[i].name);
		json_str(&w, "email", rows[i].email);
		json_str(&w, "organisation", rows[i].org_name);
		json_str(&w, "cohorts", rows[i].cohorts);
		json_str(&w, "enrolled_on", rows[i].enrolled_on);
		json_int(&w, "lessons_done", rows[i].done);
		json_int(&w, "lessons_total", rows[i].total);
		json_int(&w, "percent", rows[i].percent);
		json_str(&w, "last_activity", rows[i].last_activity);
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const struct route progress_routes[] = {
	{ METHOD_GET, "/avanzamento", progress_page, PROGRESS_ROLES, 0,
	  ROUTER_FIELDS(progress_page_fields), "progress.page" },
	{ METHOD_GET, "/avanzamento.csv", progress_csv, PROGRESS_ROLES, 0,
	  ROUTER_FIELDS(progress_page_fields), "progress.csv" },
	{ METHOD_GET, "/api/v1/courses/{id}/progress", progress_api, PROGRESS_ROLES, ROUTE_API,
	  ROUTER_FIELDS(progress_api_fields), "api.course.progress" },
};

void
progress_register(struct router *r, const struct config *cfg)
{
	progress_cfg = cfg;
	router_add(r, progress_routes, ARRAY_SIZE(progress_routes));
}
