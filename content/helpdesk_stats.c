/*
 * helpdesk_stats.c - the help desk's coordination dashboard, its CSV
 * exports and its JSON summary (see helpdesk_stats.h).
 *
 * One load (hs_load) feeds the page, each CSV table and the API, so the
 * three never disagree.  Counts come from SQL; working times are
 * computed here with sla.h, because the calendar (hours, holidays) and
 * the waiting periods are not something SQL can integrate.
 */
#include "compat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "csv.h"
#include "db.h"
#include "faq.h"
#include "helpdesk_stats.h"
#include "json.h"
#include "log.h"
#include "org_db.h"
#include "request.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "sla.h"
#include "tmpl.h"

#define HS_READERS (ROLE_TUTOR | ROLE_COORDINAMENTO | ROLE_ADMIN)
#define HS_ALL_ORGS (ROLE_COORDINAMENTO | ROLE_ADMIN)
#define HS_LEVELS 3
#define HS_CATEGORIES 5
#define HS_MAX_DAYS 1096	/* the longest period: three years */
#define HS_DASH "\xe2\x80\x94"	/* "—": no figure */

static const char *const hs_level_labels[HS_LEVELS] = {
	"Livello 0 (tutor)", "Livello 1 (front office)", "Livello 2 (specialisti)",
};

struct hs_week {
	const char *start;		/* YYYY-MM-DD, a Monday */
	int64_t opened, resolved;
};

/* A row of a per-category, per-organisation or per-module table. */
struct hs_row {
	int64_t id;			/* organisation or module; 0 none */
	const char *key;		/* category key; NULL otherwise */
	const char *label;
	int64_t opened, resolved, escalated, rated;
	double rating_mean;		/* NaN when rated is 0 */
};

struct hs_level {
	int64_t reached, escalated, resolved;
	int64_t fr_n, fr_ok;		/* first responses timed, and within the target */
	int64_t res_n, res_ok;		/* resolutions or hand-overs timed, within the target */
	double fr_median, res_median;	/* working minutes; NaN when none */
	int fr_target_lo, fr_target_hi;	/* the targets over the categories, minutes; 0 none */
	int res_target_lo, res_target_hi;
};

struct hs {
	const char *from, *to;		/* YYYY-MM-DD, inclusive */
	int64_t org_id;			/* 0: every organisation */
	const char *org_name;		/* NULL when org_id is 0 */
	int64_t opened, resolved, escalated;
	struct hs_week *weeks;
	int nweeks;
	struct hs_row cats[HS_CATEGORIES];
	struct hs_row *orgs, *modules;
	int norgs, nmodules;
	struct hs_level levels[HS_LEVELS];
	int64_t ratings[5];		/* how many rated 1..5 */
	int64_t rated;
	double rating_mean;		/* NaN when rated is 0 */
};

/* ---- queries ------------------------------------------------------------------------- */

/* The tickets opened in [$1, $2] (Rome dates) of organisation $3 (0: any). */
#define HS_COHORT \
	" t.created_at >= $1::date::timestamp AT TIME ZONE 'Europe/Rome'" \
	" AND t.created_at < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Rome'" \
	" AND ($3::bigint = 0 OR t.org_id = $3::bigint)"
#define HS_RESOLVED "t.status IN ('risolto', 'chiuso')"
#define HS_ESCALATED \
	"EXISTS (SELECT 1 FROM ticket_levels x WHERE x.ticket_id = t.id AND x.left_at IS NOT NULL)"

/* The period with its defaults filled in, and its length in days. */
static const struct db_stmt hs_period_stmt = {
	"helpdesk_stats_period",
	"WITH p AS (SELECT coalesce($2::date, (now() AT TIME ZONE 'Europe/Rome')::date) AS t)"
	" SELECT to_char(coalesce($1::date, p.t - 83), 'YYYY-MM-DD'), to_char(p.t, 'YYYY-MM-DD'),"
	" p.t - coalesce($1::date, p.t - 83) FROM p", 2
};

/* Per week (Monday to Sunday, cut to the period): opened, and resolved by resolution date. */
static const struct db_stmt hs_weeks_stmt = {
	"helpdesk_stats_weeks",
	"SELECT to_char(w.wk, 'YYYY-MM-DD'),"
	" (SELECT count(*) FROM tickets t WHERE ($3::bigint = 0 OR t.org_id = $3::bigint)"
	"  AND t.created_at >= greatest(w.wk, $1::date)::timestamp AT TIME ZONE 'Europe/Rome'"
	"  AND t.created_at < least(w.wk + 7, $2::date + 1)::timestamp AT TIME ZONE 'Europe/Rome'),"
	" (SELECT count(*) FROM tickets t WHERE ($3::bigint = 0 OR t.org_id = $3::bigint)"
	"  AND t.resolved_at >= greatest(w.wk, $1::date)::timestamp AT TIME ZONE 'Europe/Rome'"
	"  AND t.resolved_at < least(w.wk + 7, $2::date + 1)::timestamp AT TIME ZONE 'Europe/Rome')"
	" FROM (SELECT generate_series(date_trunc('week', $1::date::timestamp), $2::date::timestamp,"
	"  interval '7 days')::date AS wk) w ORDER BY w.wk", 3
};

static const struct db_stmt hs_totals_stmt = {
	"helpdesk_stats_totals",
	"SELECT count(*), count(*) FILTER (WHERE " HS_RESOLVED "),"
	" count(*) FILTER (WHERE " HS_ESCALATED ") FROM tickets t WHERE" HS_COHORT, 3
};

static const struct db_stmt hs_categories_stmt = {
	"helpdesk_stats_categories",
	"SELECT c.category, count(t.id), count(t.id) FILTER (WHERE " HS_RESOLVED "),"
	" count(t.id) FILTER (WHERE " HS_ESCALATED "), count(t.rating), coalesce(avg(t.rating), 0)"
	" FROM unnest(ARRAY['access', 'module', 'platform', 'documents', 'other'])"
	"  WITH ORDINALITY AS c (category, pos)"
	" LEFT JOIN tickets t ON t.category = c.category AND" HS_COHORT
	" GROUP BY c.category, c.pos ORDER BY c.pos", 3
};

static const struct db_stmt hs_orgs_stmt = {
	"helpdesk_stats_orgs",
	"SELECT coalesce(t.org_id, 0), coalesce(o.name, ''), count(*),"
	" count(*) FILTER (WHERE " HS_RESOLVED "), count(*) FILTER (WHERE " HS_ESCALATED "),"
	" count(t.rating), coalesce(avg(t.rating), 0)"
	" FROM tickets t LEFT JOIN orgs o ON o.id = t.org_id WHERE" HS_COHORT
	" GROUP BY 1, 2 ORDER BY 3 DESC, 2, 1", 3
};

static const struct db_stmt hs_modules_stmt = {
	"helpdesk_stats_modules",
	"SELECT m.id, c.title || ' — Modulo ' || m.position || ': ' || m.title, count(*),"
	" count(*) FILTER (WHERE " HS_RESOLVED "), count(*) FILTER (WHERE " HS_ESCALATED "),"
	" count(t.rating), coalesce(avg(t.rating), 0)"
	" FROM tickets t JOIN modules m ON m.id = t.module_id JOIN courses c ON c.id = m.course_id"
	" WHERE" HS_COHORT " GROUP BY m.id, c.title, m.position, m.title ORDER BY 3 DESC, 2 LIMIT 10", 3
};

static const struct db_stmt hs_ratings_stmt = {
	"helpdesk_stats_ratings",
	"SELECT t.rating, count(*) FROM tickets t WHERE" HS_COHORT " AND t.rating IS NOT NULL"
	" GROUP BY 1 ORDER BY 1", 3
};

/* Each level a cohort ticket reached, with its clock (epoch seconds, 0 none) and targets. */
static const struct db_stmt hs_levels_stmt = {
	"helpdesk_stats_levels",
	"SELECT l.ticket_id, l.level, floor(extract(epoch FROM l.entered_at))::bigint,"
	" coalesce(floor(extract(epoch FROM l.first_response_at))::bigint, 0),"
	" coalesce(floor(extract(epoch FROM coalesce(l.resolved_at, l.left_at)))::bigint, 0),"
	" l.left_at IS NOT NULL, l.resolved_at IS NOT NULL,"
	" coalesce(s.first_response_minutes, 0), coalesce(s.resolution_minutes, 0)"
	" FROM tickets t JOIN ticket_levels l ON l.ticket_id = t.id"
	" LEFT JOIN sla_targets s ON s.category = t.category AND s.level = l.level"
	" WHERE" HS_COHORT " ORDER BY l.ticket_id, l.level", 3
};

/* The cohort's waiting periods, by ticket (epoch seconds; end 0: still waiting). */
static const struct db_stmt hs_waits_stmt = {
	"helpdesk_stats_waits",
	"SELECT w.ticket_id, floor(extract(epoch FROM w.started_at))::bigint,"
	" coalesce(floor(extract(epoch FROM w.ended_at))::bigint, 0)"
	" FROM tickets t JOIN ticket_waits w ON w.ticket_id = t.id"
	" WHERE" HS_COHORT " ORDER BY w.ticket_id, w.started_at", 3
};

static int
hs_cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n) in minutes (sorts v); NaN when n is 0. */
static double
hs_median_minutes(int64_t *v, int64_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, (size_t)n, sizeof(*v), hs_cmp_int64);
	if (n % 2 == 1)
		return (double)v[n / 2] / 60.0;
	return ((double)v[n / 2 - 1] + (double)v[n / 2]) / 120.0;
}

static void
hs_target_range(int *lo, int *hi, int target)
{
	if (target <= 0)
		return;
	if (*lo == 0 || target < *lo)
		*lo = target;
	if (target > *hi)
		*hi = target;
}

/*
 * The levels' working-time figures: each level row timed with the
 * calendar, its ticket's waits excluded (both results are ordered by
 * ticket, so the waits of a row are found by walking along).
 */
static void
hs_levels(struct arena *a, const struct db_res *lv, const struct db_res *wt, struct hs *h)
{
	const struct sla_calendar *cal = sla_calendar();
	struct sla_pause *pauses = arena_calloc(a, (size_t)wt->nrows + 1, sizeof(*pauses));
	int64_t *fr[HS_LEVELS], *res[HS_LEVELS];
	int w = 0;

	for (int l = 0; l < HS_LEVELS; l++) {
		fr[l] = arena_calloc(a, (size_t)lv->nrows + 1, sizeof(int64_t));
		res[l] = arena_calloc(a, (size_t)lv->nrows + 1, sizeof(int64_t));
	}
	for (int i = 0; i < lv->nrows; i++) {
		int64_t ticket = db_get_int(lv, i, 0), entered = db_get_int(lv, i, 2);
		int64_t first = db_get_int(lv, i, 3), end = db_get_int(lv, i, 4);
		int level = (int)db_get_int(lv, i, 1), np = 0, w0;
		int fr_target = (int)db_get_int(lv, i, 7), res_target = (int)db_get_int(lv, i, 8);
		struct hs_level *L;

		if (level < 0 || level >= HS_LEVELS)
			continue;
		L = &h->levels[level];
		while (w < wt->nrows && db_get_int(wt, w, 0) < ticket)
			w++;
		for (w0 = w; w0 < wt->nrows && db_get_int(wt, w0, 0) == ticket; w0++) {
			pauses[np].from = (time_t)db_get_int(wt, w0, 1);
			pauses[np].to = (time_t)db_get_int(wt, w0, 2);
			np++;
		}
		L->reached++;
		L->escalated += db_get_bool(lv, i, 5);
		L->resolved += db_get_bool(lv, i, 6);
		hs_target_range(&L->fr_target_lo, &L->fr_target_hi, fr_target);
		hs_target_range(&L->res_target_lo, &L->res_target_hi, res_target);
		if (first != 0) {
			int64_t s = sla_working_seconds(cal, (time_t)entered, (time_t)first, pauses, np);

			fr[level][L->fr_n++] = s;
			L->fr_ok += fr_target > 0 && s <= (int64_t)fr_target * 60;
		}
		if (end != 0) {
			int64_t s = sla_working_seconds(cal, (time_t)entered, (time_t)end, pauses, np);

			res[level][L->res_n++] = s;
			L->res_ok += res_target > 0 && s <= (int64_t)res_target * 60;
		}
	}
	for (int l = 0; l < HS_LEVELS; l++) {
		h->levels[l].fr_median = hs_median_minutes(fr[l], h->levels[l].fr_n);
		h->levels[l].res_median = hs_median_minutes(res[l], h->levels[l].res_n);
	}
}

/* Rows of (id, label, opened, resolved, escalated, rated, mean) into *out. */
static void
hs_rows(struct arena *a, const struct db_res *r, struct hs_row **out, int *n)
{
	*n = r->nrows;
	*out = arena_calloc(a, (size_t)r->nrows + 1, sizeof(**out));
	for (int i = 0; i < r->nrows; i++) {
		struct hs_row *x = &(*out)[i];

		x->id = db_get_int(r, i, 0);
		x->label = db_get(r, i, 1);
		x->opened = db_get_int(r, i, 2);
		x->resolved = db_get_int(r, i, 3);
		x->escalated = db_get_int(r, i, 4);
		x->rated = db_get_int(r, i, 5);
		x->rating_mean = x->rated > 0 ? strtod(db_get(r, i, 6), NULL) : NAN;
	}
}

/*
 * Loads every figure of the period [from, to] (YYYY-MM-DD, NULL for the
 * defaults) for org_id (0: all).  Returns 0; 1 when the period is
 * backwards or longer than HS_MAX_DAYS (*why set); -1 on a database error.
 */
static int
hs_load(struct request *req, const char *from, const char *to, int64_t org_id, struct hs *h,
	const char **why)
{
	struct arena *a = req->arena;
	char o[DB_INT_LEN];
	const char *pp[2] = { from, to }, *params[3];
	struct db_res *r, *lv, *wt;
	double sum = 0;

	memset(h, 0, sizeof(*h));
	h->org_id = org_id;
	if ((r = db_query(req->db, a, &hs_period_stmt, pp)) == NULL || r->nrows != 1)
		return -1;
	if (db_get_int(r, 0, 2) < 0) {
		*why = "La data di inizio del periodo viene dopo quella di fine.";
		return 1;
	}
	if (db_get_int(r, 0, 2) >= HS_MAX_DAYS) {
		*why = "Il periodo può durare al massimo tre anni.";
		return 1;
	}
	h->from = db_get(r, 0, 0);
	h->to = db_get(r, 0, 1);
	params[0] = h->from;
	params[1] = h->to;
	params[2] = db_int_param(o, org_id);

	if ((r = db_query(req->db, a, &hs_totals_stmt, params)) == NULL || r->nrows != 1)
		return -1;
	h->opened = db_get_int(r, 0, 0);
	h->resolved = db_get_int(r, 0, 1);
	h->escalated = db_get_int(r, 0, 2);

	if ((r = db_query(req->db, a, &hs_weeks_stmt, params)) == NULL)
		return -1;
	h->nweeks = r->nrows;
	h->weeks = arena_calloc(a, (size_t)r->nrows + 1, sizeof(*h->weeks));
	for (int i = 0; i < r->nrows; i++) {
		h->weeks[i].start = db_get(r, i, 0);
		h->weeks[i].opened = db_get_int(r, i, 1);
		h->weeks[i].resolved = db_get_int(r, i, 2);
	}

	if ((r = db_query(req->db, a, &hs_categories_stmt, params)) == NULL || r->nrows != HS_CATEGORIES)
		return -1;
	for (int i = 0; i < HS_CATEGORIES; i++) {
		struct hs_row *x = &h->cats[i];

		x->key = db_get(r, i, 0);
		x->label = faq_category_label(x->key);
		x->opened = db_get_int(r, i, 1);
		x->resolved = db_get_int(r, i, 2);
		x->escalated = db_get_int(r, i, 3);
		x->rated = db_get_int(r, i, 4);
		x->rating_mean = x->rated > 0 ? strtod(db_get(r, i, 5), NULL) : NAN;
	}

	if ((r = db_query(req->db, a, &hs_orgs_stmt, params)) == NULL)
		return -1;
	hs_rows(a, r, &h->orgs, &h->norgs);
	for (int i = 0; i < h->norgs; i++)
		if (h->orgs[i].id == 0)
			h->orgs[i].label = "Nessun ente";
	if ((r = db_query(req->db, a, &hs_modules_stmt, params)) == NULL)
		return -1;
	hs_rows(a, r, &h->modules, &h->nmodules);

	if ((r = db_query(req->db, a, &hs_ratings_stmt, params)) == NULL)
		return -1;
	for (int i = 0; i < r->nrows; i++) {
		int64_t v = db_get_int(r, i, 0), n = db_get_int(r, i, 1);

		if (v >= 1 && v <= 5) {
			h->ratings[v - 1] = n;
			h->rated += n;
			sum += (double)(v * n);
		}
	}
	h->rating_mean = h->rated > 0 ? sum / (double)h->rated : NAN;

	if ((lv = db_query(req->db, a, &hs_levels_stmt, params)) == NULL ||
	    (wt = db_query(req->db, a, &hs_waits_stmt, params)) == NULL)
		return -1;
	hs_levels(a, lv, wt, h);
	return 0;
}

/* ---- the request's filter ------------------------------------------------------------ */

/*
 * Reads the period and organisation from the fields named from, to and
 * org, applying the tutor's restriction.  Returns 0 (*h loaded), or the
 * status of the error response it set (400, 403), or 500.
 */
static int
hs_request(struct request *req, const char *fn, const char *tn, const char *on, struct hs *h)
{
	int64_t org = request_int(req, on, 0);
	const char *why = NULL;
	int rc;

	if (req->nerrors > 0) {
		for (size_t i = 0; i < req->route->nfields; i++)
			if (req->field_errors != NULL && req->field_errors[i] != NULL)
				return response_error(req, 400, req->field_errors[i]);
		return response_error(req, 400, "Richiesta non valida.");
	}
	/* A tutor's report is their organisation's, whatever was asked. */
	if (!(req->user->roles & HS_ALL_ORGS)) {
		if (req->user->org_id == 0)
			return response_error(req, 403, "Il tuo profilo non è associato a un ente.");
		org = req->user->org_id;
	}
	rc = hs_load(req, request_str(req, fn), request_str(req, tn), org, h, &why);
	if (rc == 1)
		return response_error(req, 400, why);
	if (rc == -1)
		return 500;
	if (org != 0) {
		struct org_list ol;

		if (org_db_list(req->db, req->arena, &ol) == -1)
			return 500;
		for (int i = 0; i < ol.count; i++)
			if (ol.items[i].id == org)
				h->org_name = ol.items[i].path;
		if (h->org_name == NULL)
			return response_error(req, 400, "L'ente scelto non esiste.");
	}
	return 0;
}

/* ---- the page ------------------------------------------------------------------------- */

/* "YYYY-MM-DD" as "DD/MM/YYYY", in the arena. */
static const char *
hs_date(struct arena *a, const char *iso)
{
	return arena_printf(a, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

/* v with dec decimals and a decimal comma, or "—" for NaN. */
static const char *
hs_num(struct arena *a, double v, int dec)
{
	struct buf b;
	const char *s;

	if (isnan(v))
		return HS_DASH;
	buf_init(&b, 64);
	chart_number(&b, v, dec);
	s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

/* num / den as a whole percentage ("75 %"), or "—" when den is 0. */
static const char *
hs_pct(struct arena *a, int64_t num, int64_t den)
{
	if (den <= 0)
		return HS_DASH;
	return arena_printf(a, "%.0f %%", 100.0 * (double)num / (double)den);
}

/* Working minutes as hours with a decimal comma ("1,5"), or "—". */
static const char *
hs_hours(struct arena *a, double minutes)
{
	return hs_num(a, isnan(minutes) ? NAN : minutes / 60.0, 1);
}

/* A target range in working hours: "4" or "2–4", or "—". */
static const char *
hs_target(struct arena *a, int lo, int hi)
{
	if (lo <= 0)
		return HS_DASH;
	if (lo == hi)
		return hs_num(a, lo / 60.0, 1);
	return arena_printf(a, "%s–%s", hs_num(a, lo / 60.0, 1), hs_num(a, hi / 60.0, 1));
}

/* An SVG from chart.c as an arena string, or NULL (logged). */
static const char *
hs_svg(struct arena *a, const struct chart_bars *bars, const struct chart_dist *dist)
{
	struct buf b;
	const char *s = NULL;

	buf_init(&b, 1 << 20);
	if ((bars ? chart_bars_svg(&b, bars) : chart_dist_svg(&b, dist)) == 0)
		s = arena_strdup(a, b.data);
	else
		log_warnx("helpdesk stats: chart \"%s\" not drawn", bars ? bars->id : dist->id);
	buf_release(&b);
	return s;
}

/* Bars of a count per row. */
static const char *
hs_count_svg(struct arena *a, const char *id, const char *title, const struct hs_row *rows,
	     int n)
{
	struct chart_bar *bars = arena_calloc(a, (size_t)n + 1, sizeof(*bars));
	double max = 0;

	if (n > CHART_ITEMS_MAX)
		n = CHART_ITEMS_MAX;
	for (int i = 0; i < n; i++) {
		bars[i].label = rows[i].label;
		bars[i].value = (double)rows[i].opened;
		if (bars[i].value > max)
			max = bars[i].value;
	}
	return hs_svg(a, &(struct chart_bars){ .id = id, .title = title, .unit = "segnalazioni",
					      .max = max, .bars = bars, .nbars = (size_t)n }, NULL);
}

static void
hs_ctx_rows(struct request *req, struct tmpl_ctx *ctx, const char *key, const struct hs_row *rows,
	    int n)
{
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, key);

		tmpl_set(t, "label", rows[i].label);
		tmpl_set_int(t, "opened", rows[i].opened);
		tmpl_set_int(t, "resolved", rows[i].resolved);
		tmpl_set_int(t, "escalated", rows[i].escalated);
		tmpl_set(t, "escalation", hs_pct(req->arena, rows[i].escalated, rows[i].opened));
		tmpl_set_int(t, "rated", rows[i].rated);
		tmpl_set(t, "rating", hs_num(req->arena, rows[i].rating_mean, 1));
	}
}

/* The query string that keeps the filter in links ("dal=...&al=...&ente=..."). */
static const char *
hs_query(struct request *req, const struct hs *h)
{
	if (h->org_id != 0 && (req->user->roles & HS_ALL_ORGS))
		return arena_printf(req->arena, "dal=%s&al=%s&ente=%lld", h->from, h->to,
				    (long long)h->org_id);
	return arena_printf(req->arena, "dal=%s&al=%s", h->from, h->to);
}

static const struct field hs_page_fields[] = {
	{ "dal", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "Dal" },
	{ "al", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "Al" },
	{ "ente", FIELD_QUERY, VALID_INT, 0, INT64_MAX, NULL, 0, "Ente" },
};

/* GET /gestione/assistenza/statistiche: 200; 400 (bad period or ente); 403 (a tutor without ente). */
static int
hs_page(struct request *req)
{
	struct arena *a = req->arena;
	struct tmpl_ctx *ctx;
	struct chart_bar *wo, *wr, *lf, *lr;
	double wmax = 0;
	struct hs h;
	int rc;

	if ((rc = hs_request(req, "dal", "al", "ente", &h)) != 0)
		return rc;
	ctx = response_ctx(req, "Statistiche dell'help desk");
	tmpl_set(ctx, "from", h.from);
	tmpl_set(ctx, "to", h.to);
	tmpl_set(ctx, "from_it", hs_date(a, h.from));
	tmpl_set(ctx, "to_it", hs_date(a, h.to));
	tmpl_set(ctx, "org_name", h.org_name);
	tmpl_set(ctx, "qs", hs_query(req, &h));
	tmpl_set_bool(ctx, "all_orgs", (req->user->roles & HS_ALL_ORGS) != 0);
	if (req->user->roles & HS_ALL_ORGS) {
		struct org_list ol;

		if (org_db_list(req->db, a, &ol) == -1)
			return 500;
		for (int i = 0; i < ol.count; i++) {
			struct tmpl_ctx *t = tmpl_list_add(ctx, "orgs_choice");

			tmpl_set_int(t, "id", ol.items[i].id);
			tmpl_set(t, "name", ol.items[i].path);
			tmpl_set_bool(t, "selected", ol.items[i].id == h.org_id);
		}
	}
	tmpl_set_int(ctx, "opened", h.opened);
	tmpl_set_int(ctx, "resolved", h.resolved);
	tmpl_set_int(ctx, "escalated", h.escalated);
	tmpl_set(ctx, "escalation", hs_pct(a, h.escalated, h.opened));
	tmpl_set_int(ctx, "rated", h.rated);
	tmpl_set(ctx, "rating", hs_num(a, h.rating_mean, 1));

	/* Weeks. */
	wo = arena_calloc(a, (size_t)h.nweeks + 1, sizeof(*wo));
	wr = arena_calloc(a, (size_t)h.nweeks + 1, sizeof(*wr));
	for (int i = 0; i < h.nweeks; i++) {
		struct tmpl_ctx *t = tmpl_list_add(ctx, "weeks");
		const char *label = arena_printf(a, "Settimana del %s", hs_date(a, h.weeks[i].start));

		tmpl_set(t, "label", label);
		tmpl_set_int(t, "opened", h.weeks[i].opened);
		tmpl_set_int(t, "resolved", h.weeks[i].resolved);
		wo[i] = (struct chart_bar){ label, (double)h.weeks[i].opened, NULL };
		wr[i] = (struct chart_bar){ label, (double)h.weeks[i].resolved, NULL };
		if (wo[i].value > wmax)
			wmax = wo[i].value;
		if (wr[i].value > wmax)
			wmax = wr[i].value;
	}
	if (h.nweeks <= CHART_ITEMS_MAX) {
		tmpl_set_html(ctx, "weeks_opened_svg", hs_svg(a, &(struct chart_bars){
			.id = "settimane-aperte", .title = "Segnalazioni aperte per settimana",
			.unit = "aperte", .max = wmax, .bars = wo, .nbars = (size_t)h.nweeks }, NULL));
		tmpl_set_html(ctx, "weeks_resolved_svg", hs_svg(a, &(struct chart_bars){
			.id = "settimane-risolte", .title = "Segnalazioni risolte per settimana",
			.unit = "risolte", .max = wmax, .bars = wr, .nbars = (size_t)h.nweeks }, NULL));
	}

	/* Categories, organisations, modules. */
	hs_ctx_rows(req, ctx, "categories", h.cats, HS_CATEGORIES);
	tmpl_set_html(ctx, "categories_svg", hs_count_svg(a, "categorie",
		"Segnalazioni aperte per categoria", h.cats, HS_CATEGORIES));
	hs_ctx_rows(req, ctx, "orgs", h.orgs, h.norgs);
	if (h.norgs > 0)
		tmpl_set_html(ctx, "orgs_svg", hs_count_svg(a, "enti", "Segnalazioni aperte per ente",
							   h.orgs, h.norgs));
	hs_ctx_rows(req, ctx, "modules", h.modules, h.nmodules);
	if (h.nmodules > 0)
		tmpl_set_html(ctx, "modules_svg", hs_count_svg(a, "moduli",
			"Moduli dei corsi con più segnalazioni", h.modules, h.nmodules));

	/* Levels. */
	lf = arena_calloc(a, HS_LEVELS, sizeof(*lf));
	lr = arena_calloc(a, HS_LEVELS, sizeof(*lr));
	{
		double lmax = 0;

		for (int l = 0; l < HS_LEVELS; l++) {
			const struct hs_level *L = &h.levels[l];
			struct tmpl_ctx *t = tmpl_list_add(ctx, "levels");

			tmpl_set(t, "label", hs_level_labels[l]);
			tmpl_set_int(t, "reached", L->reached);
			tmpl_set_int(t, "resolved", L->resolved);
			tmpl_set_int(t, "escalated", L->escalated);
			tmpl_set(t, "escalation", hs_pct(a, L->escalated, L->reached));
			tmpl_set(t, "fr_median", hs_hours(a, L->fr_median));
			tmpl_set(t, "fr_target", hs_target(a, L->fr_target_lo, L->fr_target_hi));
			tmpl_set(t, "fr_ok", hs_pct(a, L->fr_ok, L->fr_n));
			tmpl_set_int(t, "fr_n", L->fr_n);
			tmpl_set(t, "res_median", hs_hours(a, L->res_median));
			tmpl_set(t, "res_target", hs_target(a, L->res_target_lo, L->res_target_hi));
			tmpl_set(t, "res_ok", hs_pct(a, L->res_ok, L->res_n));
			tmpl_set_int(t, "res_n", L->res_n);
			lf[l] = (struct chart_bar){ hs_level_labels[l], L->fr_median / 60.0,
				arena_printf(a, "obiettivo %s", hs_target(a, L->fr_target_lo, L->fr_target_hi)) };
			lr[l] = (struct chart_bar){ hs_level_labels[l], L->res_median / 60.0,
				arena_printf(a, "obiettivo %s", hs_target(a, L->res_target_lo, L->res_target_hi)) };
			if (!isnan(lf[l].value) && lf[l].value > lmax)
				lmax = lf[l].value;
			if (!isnan(lr[l].value) && lr[l].value > lmax)
				lmax = lr[l].value;
		}
		tmpl_set_html(ctx, "fr_svg", hs_svg(a, &(struct chart_bars){
			.id = "prima-risposta", .title = "Tempo mediano di prima risposta per livello",
			.unit = "ore lavorative", .max = lmax, .decimals = 1, .bars = lf,
			.nbars = HS_LEVELS }, NULL));
		tmpl_set_html(ctx, "res_svg", hs_svg(a, &(struct chart_bars){
			.id = "risoluzione", .title = "Tempo mediano di risoluzione o passaggio per livello",
			.unit = "ore lavorative", .max = lmax, .decimals = 1, .bars = lr,
			.nbars = HS_LEVELS }, NULL));
	}

	/* Satisfaction. */
	{
		static const struct chart_category cats[5] = {
			{ "1", "Per nulla soddisfatto" }, { "2", "Poco soddisfatto" },
			{ "3", "Abbastanza soddisfatto" }, { "4", "Soddisfatto" },
			{ "5", "Molto soddisfatto" },
		};
		long long *counts = arena_calloc(a, 5, sizeof(*counts));
		struct chart_series *s = arena_calloc(a, 1, sizeof(*s));

		for (int k = 0; k < 5; k++) {
			struct tmpl_ctx *t = tmpl_list_add(ctx, "ratings");

			counts[k] = h.ratings[k];
			tmpl_set(t, "point", cats[k].key);
			tmpl_set(t, "label", cats[k].name);
			tmpl_set_int(t, "n", h.ratings[k]);
			tmpl_set(t, "pct", hs_pct(a, h.ratings[k], h.rated));
		}
		s->label = "Valutazioni delle risposte";
		s->counts = counts;
		tmpl_set_html(ctx, "ratings_svg", hs_svg(a, NULL, &(struct chart_dist){
			.id = "soddisfazione", .title = "Soddisfazione dei segnalanti",
			.categories = cats, .ncategories = 5, .series = s, .nseries = 1 }));
	}
	return response_page(req, 200, "content/helpdesk_dashboard", ctx);
}

/* ---- CSV -------------------------------------------------------------------------------- */

static const char *const hs_tables[] = {
	"settimane", "categorie", "livelli", "enti", "moduli", "soddisfazione", NULL,
};

static const struct field hs_csv_fields[] = {
	{ "table", FIELD_PATH, VALID_ENUM, 0, 0, hs_tables, FIELD_REQUIRED, "Tabella" },
	{ "dal", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "Dal" },
	{ "al", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "Al" },
	{ "ente", FIELD_QUERY, VALID_INT, 0, INT64_MAX, NULL, 0, "Ente" },
};

/* A number cell with a decimal comma; "" for NaN. */
static const char *
hs_csv_num(struct arena *a, double v, int dec)
{
	return isnan(v) ? "" : hs_num(a, v, dec);
}

static void
hs_csv_rows(struct arena *a, struct buf *b, const char *first, const struct hs_row *rows, int n)
{
	const char *h[] = { first, "Aperte", "Risolte o chiuse", "Passate al livello successivo",
			    "Valutate", "Valutazione media (1-5)" };

	csv_row(b, h, (int)ARRAY_SIZE(h));
	for (int i = 0; i < n; i++) {
		csv_cell(b, rows[i].label, true);
		csv_cell(b, arena_printf(a, "%lld", (long long)rows[i].opened), false);
		csv_cell(b, arena_printf(a, "%lld", (long long)rows[i].resolved), false);
		csv_cell(b, arena_printf(a, "%lld", (long long)rows[i].escalated), false);
		csv_cell(b, arena_printf(a, "%lld", (long long)rows[i].rated), false);
		csv_cell(b, hs_csv_num(a, rows[i].rating_mean, 2), false);
		csv_row_end(b);
	}
}

static void
hs_csv_write(struct arena *a, struct buf *b, const struct hs *h, int table)
{
	switch (table) {
	case 0: {
		static const char *const hd[] = { "Settimana dal", "Aperte", "Risolte" };

		csv_row(b, hd, (int)ARRAY_SIZE(hd));
		for (int i = 0; i < h->nweeks; i++) {
			csv_cell(b, h->weeks[i].start, true);
			csv_cell(b, arena_printf(a, "%lld", (long long)h->weeks[i].opened), false);
			csv_cell(b, arena_printf(a, "%lld", (long long)h->weeks[i].resolved), false);
			csv_row_end(b);
		}
		break;
	}
	case 1:
		hs_csv_rows(a, b, "Categoria", h->cats, HS_CATEGORIES);
		break;
	case 2: {
		static const char *const hd[] = {
			"Livello", "Raggiunte", "Risolte al livello", "Passate al livello successivo",
			"Prime risposte", "Prima risposta mediana (minuti lavorativi)",
			"Prime risposte nei tempi", "Risoluzioni o passaggi",
			"Risoluzione mediana (minuti lavorativi)", "Risoluzioni nei tempi",
		};

		csv_row(b, hd, (int)ARRAY_SIZE(hd));
		for (int l = 0; l < HS_LEVELS; l++) {
			const struct hs_level *L = &h->levels[l];

			csv_cell(b, hs_level_labels[l], true);
			csv_cell(b, arena_printf(a, "%lld", (long long)L->reached), false);
			csv_cell(b, arena_printf(a, "%lld", (long long)L->resolved), false);
			csv_cell(b, arena_printf(a, "%lld", (long long)L->escalated), false);
			csv_cell(b, arena_printf(a, "%lld", (long long)L->fr_n), false);
			csv_cell(b, hs_csv_num(a, L->fr_median, 1), false);
			csv_cell(b, arena_printf(a, "%lld", (long long)L->fr_ok), false);
			csv_cell(b, arena_printf(a, "%lld", (long long)L->res_n), false);
			csv_cell(b, hs_csv_num(a, L->res_median, 1), false);
			csv_cell(b, arena_printf(a, "%lld", (long long)L->res_ok), false);
			csv_row_end(b);
		}
		break;
	}
	case 3:
		hs_csv_rows(a, b, "Ente", h->orgs, h->norgs);
		break;
	case 4:
		hs_csv_rows(a, b, "Modulo", h->modules, h->nmodules);
		break;
	default: {
		static const char *const hd[] = { "Valutazione", "Risposte" };

		csv_row(b, hd, (int)ARRAY_SIZE(hd));
		for (int k = 0; k < 5; k++) {
			csv_cell(b, arena_printf(a, "%d", k + 1), true);
			csv_cell(b, arena_printf(a, "%lld", (long long)h->ratings[k]), false);
			csv_row_end(b);
		}
		break;
	}
	}
}

/* GET /gestione/assistenza/statistiche/csv/{table}: 200 text/csv; 400; 403. */
static int
hs_csv(struct request *req)
{
	const struct field_value *t = request_field(req, "table");
	struct hs h;
	int rc;

	if ((rc = hs_request(req, "dal", "al", "ente", &h)) != 0)
		return rc;
	buf_reset(&req->body);
	buf_adds(&req->body, CSV_BOM);
	hs_csv_write(req->arena, &req->body, &h, (int)t->num);
	if (req->body.err)
		return 500;
	req->status = 200;
	req->content_type = "text/csv; charset=utf-8";
	response_header(req, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"helpdesk-%s-%s_%s.csv\"",
				     t->str, h.from, h.to));
	response_header(req, "Cache-Control", "no-store");
	return 200;
}

/* ---- JSON ------------------------------------------------------------------------------- */

/* A number with one decimal, or null for NaN. */
static void
hs_json_num(struct request *req, struct json_writer *w, const char *key, double v)
{
	if (isnan(v))
		json_null(w, key);
	else
		json_raw(w, key, arena_printf(req->arena, "%.2f", v));
}

static void
hs_json_rows(struct request *req, struct json_writer *w, const char *key, const char *idkey,
	     const struct hs_row *rows, int n)
{
	json_arr_open(w, key);
	for (int i = 0; i < n; i++) {
		json_obj_open(w, NULL);
		if (rows[i].key != NULL)
			json_str(w, idkey, rows[i].key);
		else if (rows[i].id != 0)
			json_int(w, idkey, rows[i].id);
		else
			json_null(w, idkey);
		json_str(w, "label", rows[i].label);
		json_int(w, "opened", rows[i].opened);
		json_int(w, "resolved", rows[i].resolved);
		json_int(w, "escalated", rows[i].escalated);
		json_int(w, "rated", rows[i].rated);
		hs_json_num(req, w, "rating_mean", rows[i].rating_mean);
		json_obj_close(w);
	}
	json_arr_close(w);
}

static const struct field hs_api_fields[] = {
	{ "from", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "from" },
	{ "to", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "to" },
	{ "org", FIELD_QUERY, VALID_INT, 1, INT64_MAX, NULL, 0, "org" },
};

/* GET /api/v1/helpdesk/stats: 200; 400; 401; 403. */
static int
hs_api(struct request *req)
{
	struct json_writer w;
	struct hs h;
	int rc;

	if ((rc = hs_request(req, "from", "to", "org", &h)) != 0)
		return rc;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_str(&w, "from", h.from);
	json_str(&w, "to", h.to);
	if (h.org_id != 0)
		json_int(&w, "org_id", h.org_id);
	else
		json_null(&w, "org_id");
	json_int(&w, "opened", h.opened);
	json_int(&w, "resolved", h.resolved);
	json_int(&w, "escalated", h.escalated);
	hs_json_num(req, &w, "escalation_rate",
		    h.opened > 0 ? (double)h.escalated / (double)h.opened : NAN);
	json_arr_open(&w, "weeks");
	for (int i = 0; i < h.nweeks; i++) {
		json_obj_open(&w, NULL);
		json_str(&w, "week_start", h.weeks[i].start);
		json_int(&w, "opened", h.weeks[i].opened);
		json_int(&w, "resolved", h.weeks[i].resolved);
		json_obj_close(&w);
	}
	json_arr_close(&w);
	hs_json_rows(req, &w, "categories", "category", h.cats, HS_CATEGORIES);
	json_arr_open(&w, "levels");
	for (int l = 0; l < HS_LEVELS; l++) {
		const struct hs_level *L = &h.levels[l];

		json_obj_open(&w, NULL);
		json_int(&w, "level", l);
		json_int(&w, "reached", L->reached);
		json_int(&w, "resolved", L->resolved);
		json_int(&w, "escalated", L->escalated);
		hs_json_num(req, &w, "escalation_rate",
			    L->reached > 0 ? (double)L->escalated / (double)L->reached : NAN);
		json_int(&w, "first_responses", L->fr_n);
		hs_json_num(req, &w, "median_first_response_minutes", L->fr_median);
		json_int(&w, "first_responses_within_target", L->fr_ok);
		json_int(&w, "resolutions", L->res_n);
		hs_json_num(req, &w, "median_resolution_minutes", L->res_median);
		json_int(&w, "resolutions_within_target", L->res_ok);
		json_obj_close(&w);
	}
	json_arr_close(&w);
	hs_json_rows(req, &w, "organisations", "org_id", h.orgs, h.norgs);
	hs_json_rows(req, &w, "modules", "module_id", h.modules, h.nmodules);
	json_obj_open(&w, "satisfaction");
	json_int(&w, "rated", h.rated);
	hs_json_num(req, &w, "mean", h.rating_mean);
	json_arr_open(&w, "distribution");
	for (int k = 0; k < 5; k++)
		json_int(&w, NULL, h.ratings[k]);
	json_arr_close(&w);
	json_obj_close(&w);
	json_obj_close(&w);
	return response_json(req, 200);
}

static const struct route hs_routes[] = {
	{ METHOD_GET, "/gestione/assistenza/statistiche", hs_page, HS_READERS, ROUTE_FORM,
	  ROUTER_FIELDS(hs_page_fields), "helpdesk.stats" },
	{ METHOD_GET, "/gestione/assistenza/statistiche/csv/{table}", hs_csv, HS_READERS, ROUTE_FORM,
	  ROUTER_FIELDS(hs_csv_fields), "helpdesk.stats.csv" },
	{ METHOD_GET, "/api/v1/helpdesk/stats", hs_api, HS_READERS, ROUTE_API | ROUTE_FORM,
	  ROUTER_FIELDS(hs_api_fields), "api.helpdesk.stats" },
};

void
helpdesk_stats_register(struct router *r)
{
	router_add(r, hs_routes, ARRAY_SIZE(hs_routes));
}
