/*
 * progress_db.c - progress across people (see progress_db.h).
 */
#include "compat.h"

#include <stdlib.h>

#include "progress_db.h"

/*
 * $1 course, $2 organisation filter, $3 cohort, $4 referent's scope (NULL =
 * any), $5 limit (NULL = all), $6 offset.  Completions are counted for
 * all learners at once (one pass over lesson_progress, a hash aggregate
 * per user and course) rather than learner by learner: 10,000 learners x
 * 100 lessons is one sequential scan, not 10,000 index walks.
 */
#define PROGRESS_SQL(extra_col) \
	"WITH totals AS ( " \
	"    SELECT m.course_id, count(*) AS total FROM lessons l JOIN modules m ON m.id = l.module_id " \
	"    WHERE l.published AND ($1::bigint IS NULL OR m.course_id = $1) GROUP BY m.course_id), " \
	"  done AS ( " \
	"    SELECT p.user_id, m.course_id, count(*) AS done, max(p.completed_at) AS last_at " \
	"    FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id AND l.published " \
	"    JOIN modules m ON m.id = l.module_id " \
	"    WHERE $1::bigint IS NULL OR m.course_id = $1 " \
	"    GROUP BY p.user_id, m.course_id) " \
	"SELECT c.id, c.title, u.id, u.name, u.email, coalesce(o.name, ''), " \
	"       coalesce((SELECT string_agg(h.name, ', ' ORDER BY h.starts_on, h.name) " \
	"                 FROM cohort_members cm JOIN cohorts h ON h.id = cm.cohort_id " \
	"                 WHERE cm.user_id = e.user_id AND h.course_id = e.course_id), ''), " \
	"       to_char(e.enrolled_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY'), " \
	"       coalesce(d.done, 0), coalesce(t.total, 0), " \
	"       CASE WHEN coalesce(t.total, 0) = 0 THEN 0 " \
	"            ELSE round(100.0 * coalesce(d.done, 0) / t.total)::int END, " \
	"       coalesce(to_char(d.last_at AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI'), '') " \
	extra_col \
	"FROM enrolments e " \
	"JOIN users u ON u.id = e.user_id " \
	"JOIN courses c ON c.id = e.course_id " \
	"LEFT JOIN orgs o ON o.id = u.org_id " \
	"LEFT JOIN totals t ON t.course_id = e.course_id " \
	"LEFT JOIN done d ON d.user_id = e.user_id AND d.course_id = e.course_id " \
	"WHERE ($1::bigint IS NULL OR e.course_id = $1) " \
	"  AND ($2::bigint IS NULL OR u.org_id IN (SELECT org_subtree($2))) " \
	"  AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM cohort_members cm " \
	"       WHERE cm.cohort_id = $3 AND cm.user_id = e.user_id)) " \
	"  AND ($4::bigint IS NULL OR (c.published AND u.org_id IN (SELECT org_subtree($4)))) " \
	"ORDER BY c.title, c.id, coalesce(o.name, ''), lower(u.name), u.id " \
	"LIMIT $5 OFFSET $6"

static const struct db_stmt progress_page = {
	"progress_page", PROGRESS_SQL(", count(*) OVER () "), 6
};

static const struct db_stmt progress_export = {
	"progress_export", PROGRESS_SQL(""), 6
};

/* $1: whether drafts are listed (staff) or not (referents). */
static const struct db_stmt progress_courses = {
	"progress_courses",
	"SELECT id, title FROM courses WHERE published OR $1 ORDER BY lower(title), id", 1
};

static const struct db_stmt progress_cohorts = {
	"progress_cohorts",
	"SELECT h.id, h.name FROM cohorts h JOIN courses c ON c.id = h.course_id "
	"WHERE h.course_id = $1 AND (c.published OR $2) ORDER BY h.starts_on, h.name, h.id", 2
};

/* Text parameters of f; 0 filters become SQL NULL. */
struct progress_params {
	char course[DB_INT_LEN], org[DB_INT_LEN], cohort[DB_INT_LEN], scope[DB_INT_LEN];
	char limit[DB_INT_LEN], offset[DB_INT_LEN];
	const char *v[6];
};

static void
progress_params(struct progress_params *p, const struct progress_filter *f, int limit, int offset)
{
	p->v[0] = f->course_id ? db_int_param(p->course, f->course_id) : NULL;
	p->v[1] = f->org_id ? db_int_param(p->org, f->org_id) : NULL;
	p->v[2] = f->cohort_id ? db_int_param(p->cohort, f->cohort_id) : NULL;
	p->v[3] = f->scope_org ? db_int_param(p->scope, f->scope_org) : NULL;
	p->v[4] = limit > 0 ? db_int_param(p->limit, limit) : NULL;
	p->v[5] = db_int_param(p->offset, offset);
}

void
progress_db_row(const char *const *cells, struct progress_row *r)
{
	r->course_id = strtoll(cells[0], NULL, 10);
	r->course_title = cells[1];
	r->user_id = strtoll(cells[2], NULL, 10);
	r->name = cells[3];
	r->email = cells[4];
	r->org_name = cells[5];
	r->cohorts = cells[6];
	r->enrolled_on = cells[7];
	r->done = atoi(cells[8]);
	r->total = atoi(cells[9]);
	r->percent = atoi(cells[10]);
	r->last_activity = cells[11];
}

int
progress_db_page(struct db *db, struct arena *a, const struct progress_filter *f,
		 int limit, int offset, struct progress_row **out, int *n, int *total)
{
	struct progress_params p;
	struct db_res *res;

	progress_params(&p, f, limit, offset);
	if ((res = db_query(db, a, &progress_page, p.v)) == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows, sizeof(**out));
	for (int r = 0; r < res->nrows; r++)
		progress_db_row(&res->cells[r * res->ncols], &(*out)[r]);
	/* Past the last page the window count is not there: count again. */
	*total = res->nrows > 0 ? (int)db_get_int(res, 0, PROGRESS_COLS) : 0;
	if (res->nrows == 0 && offset > 0) {
		progress_params(&p, f, 1, 0);
		if ((res = db_query(db, a, &progress_page, p.v)) == NULL)
			return -1;
		*total = res->nrows > 0 ? (int)db_get_int(res, 0, PROGRESS_COLS) : 0;
	}
	return 0;
}

struct db_stream *
progress_db_stream(const char *conninfo, const struct progress_filter *f, bool *busy)
{
	struct progress_params p;

	progress_params(&p, f, 0, 0);
	return db_stream_open(conninfo, &progress_export, p.v, busy);
}

static int
progress_db_choices(struct db *db, struct arena *a, const struct db_stmt *stmt,
		    const char *const *params, struct progress_choice **out, int *n)
{
	struct db_res *res;

	if ((res = db_query(db, a, stmt, params)) == NULL)
		return -1;
	*n = res->nrows;
	*out = arena_calloc(a, (size_t)res->nrows, sizeof(**out));
	for (int r = 0; r < res->nrows; r++) {
		(*out)[r].id = db_get_int(res, r, 0);
		(*out)[r].label = db_get(res, r, 1);
	}
	return 0;
}

int
progress_db_courses(struct db *db, struct arena *a, bool drafts, struct progress_choice **out, int *n)
{
	const char *params[] = { drafts ? "t" : "f" };

	return progress_db_choices(db, a, &progress_courses, params, out, n);
}

int
progress_db_cohorts(struct db *db, struct arena *a, int64_t course_id, bool drafts,
		    struct progress_choice **out, int *n)
{
	char id[DB_INT_LEN];
	const char *params[] = { db_int_param(id, course_id), drafts ? "t" : "f" };

	return progress_db_choices(db, a, &progress_cohorts, params, out, n);
}
