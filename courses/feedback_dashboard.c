/*
 * feedback_dashboard.c - the coordination dashboard of feedback rounds
 * (see feedback_dashboard.h).
 *
 * Every page, export, report and the summary API start from the same
 * load (dash_load): the round, its template version parsed, the
 * aggregates of feedback_stats.c and the actions.  The charts are SVG
 * from chart.c, each followed in the page by its data in a disclosure.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "account_db.h"
#include "chart.h"
#include "config.h"
#include "csv.h"
#include "db.h"
#include "feedback.h"
#include "feedback_dashboard.h"
#include "feedback_db.h"
#include "feedback_report.h"
#include "feedback_stats.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "request.h"
#include "response.h"
#include "role.h"
#include "router.h"
#include "tmpl.h"

#define DASH_READ (ROLE_FORMATORE | ROLE_COORDINAMENTO | ROLE_ADMIN)
#define DASH_WRITE (ROLE_COORDINAMENTO | ROLE_ADMIN)
#define DASH_DASH "\xe2\x80\x94"	/* "—": no figure */

static const struct config *dash_cfg;

/* Everything a round's views show. */
struct dash {
	struct feedback_round round;
	struct feedback_def def;
	struct feedback_stats st;
	struct feedback_action *actions;
	int nactions;
};

/*
 * Loads round_id: 1 when found, 0 when there is no such round, -1 on a
 * database error or a stored definition that does not parse (logged).
 */
static int
dash_load(struct request *req, int64_t round_id, struct dash *d)
{
	const char *err;
	bool found;

	memset(d, 0, sizeof(*d));
	if (feedback_db_round_get(req->db, req->arena, round_id, &d->round, &found) == -1)
		return -1;
	if (!found)
		return 0;
	if (feedback_def_parse(req->arena, d->round.definition, strlen(d->round.definition), &d->def,
			       &err) == -1) {
		log_warnx("feedback dashboard: round %lld: stored definition does not parse: %s",
			  (long long)round_id, err);
		return -1;
	}
	if (feedback_stats_load(req->db, req->arena, round_id, d->round.course_id, &d->def,
				&d->st) == -1 ||
	    feedback_stats_actions(req->db, req->arena, round_id, &d->actions, &d->nactions) == -1)
		return -1;
	return 1;
}

/* "YYYY-MM-DD" as "DD/MM/YYYY" (anything else as it is), in the arena. */
static const char *
dash_date(struct arena *a, const char *iso)
{
	if (iso == NULL)
		return NULL;
	if (strlen(iso) < 10 || iso[4] != '-' || iso[7] != '-')
		return iso;
	return arena_printf(a, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

/* v with dec decimals and a decimal comma, or "—" when n is 0. */
static const char *
dash_num(struct arena *a, double v, int dec, long long n)
{
	struct buf b;
	const char *s;

	if (n == 0)
		return DASH_DASH;
	buf_init(&b, 64);
	chart_number(&b, v, dec);
	s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

/* num / den as a whole percentage ("75 %"), or "—" when den is 0. */
static const char *
dash_pct(struct arena *a, long long num, long long den)
{
	if (den <= 0)
		return DASH_DASH;
	return arena_printf(a, "%.0f %%", 100.0 * (double)num / (double)den);
}

static const char *
dash_status_label(const char *status)
{
	if (strcmp(status, "submitted") == 0)
		return "Inviata";
	if (strcmp(status, "draft") == 0)
		return "Bozza";
	return "Non iniziata";
}

static const char *
dash_kind_label(enum feedback_kind k)
{
	switch (k) {
	case FEEDBACK_LIKERT_Q: return "Scala da 1 a 5";
	case FEEDBACK_SINGLE: return "Scelta singola";
	case FEEDBACK_MULTIPLE: return "Scelta multipla";
	case FEEDBACK_NUMBER: return "Numero";
	case FEEDBACK_SHORT_TEXT: return "Testo breve";
	case FEEDBACK_LONG_TEXT: return "Testo lungo";
	case FEEDBACK_MODULE_GRID: return "Griglia per modulo";
	}
	return "";
}

/* "Modulo 2 – Cartella sociale", or NULL for a module not in the course. */
static const char *
dash_module_title(struct arena *a, const struct feedback_stats *st, int64_t module_id)
{
	for (int i = 0; i < st->nmodules; i++)
		if (st->modules[i].module_id == module_id)
			return arena_printf(a, "Modulo %d \xe2\x80\x93 %s", st->modules[i].position,
					    st->modules[i].title);
	return NULL;
}

/* The question of def with key, or NULL. */
static const struct feedback_question *
dash_question(const struct dash *d, const char *key)
{
	return key == NULL ? NULL : feedback_def_question(&d->def, key);
}

/* A likert series: a plain likert question or a likert column of a grid. */
struct dash_key {
	const struct feedback_question *q;
	const struct feedback_column *col;	/* NULL for a plain question */
	const char *label;
};

/* The likert series of def, in the form's order, in the arena. */
static struct dash_key *
dash_likert_keys(struct arena *a, const struct feedback_def *def, int *n)
{
	struct dash_key *k = arena_calloc(a, (size_t)def->nquestions * (FEEDBACK_COLUMNS_MAX + 1) + 1,
					  sizeof(*k));

	*n = 0;
	for (int s = 0; s < def->nsections; s++)
		for (int i = 0; i < def->sections[s].nquestions; i++) {
			const struct feedback_question *q = &def->sections[s].questions[i];

			if (q->kind == FEEDBACK_LIKERT_Q)
				k[(*n)++] = (struct dash_key){ q, NULL, q->text };
			else if (q->kind == FEEDBACK_MODULE_GRID)
				for (int c = 0; c < q->ncolumns; c++)
					if (q->columns[c].kind == FEEDBACK_LIKERT_Q)
						k[(*n)++] = (struct dash_key){
							q, &q->columns[c],
							arena_printf(a, "%s: %s", q->text, q->columns[c].text)
						};
		}
	return k;
}

/* An SVG from chart.c as an arena string, or NULL (logged) if it could not be drawn. */
static const char *
dash_svg_bars(struct arena *a, const struct chart_bars *c)
{
	struct buf b;
	const char *s = NULL;

	buf_init(&b, 1 << 20);
	if (chart_bars_svg(&b, c) == 0)
		s = arena_strdup(a, b.data);
	else
		log_warnx("feedback dashboard: chart \"%s\" not drawn", c->id);
	buf_release(&b);
	return s;
}

static const char *
dash_svg_dist(struct arena *a, const struct chart_dist *c)
{
	struct buf b;
	const char *s = NULL;

	buf_init(&b, 1 << 20);
	if (chart_dist_svg(&b, c) == 0)
		s = arena_strdup(a, b.data);
	else
		log_warnx("feedback dashboard: chart \"%s\" not drawn", c->id);
	buf_release(&b);
	return s;
}

/* The five points of a scale as chart categories, named by labels (may be NULL). */
static void
dash_categories(struct chart_category *cats, const char *const *labels)
{
	static const char *const keys[FEEDBACK_STATS_POINTS] = { "1", "2", "3", "4", "5" };

	for (int k = 0; k < FEEDBACK_STATS_POINTS; k++)
		cats[k] = (struct chart_category){ keys[k], labels != NULL && labels[k] != NULL &&
						   labels[k][0] != '\0' ? labels[k] : NULL };
}

static const char *
dash_answers(struct arena *a, long long n)
{
	return arena_printf(a, "%lld %s", n, n == 1 ? "risposta" : "risposte");
}

/* One row of a distribution table: counts and shares of 1..5. */
static void
dash_dist_cells(struct request *req, struct tmpl_ctx *row, const struct feedback_stats_num *x)
{
	for (int k = 0; k < FEEDBACK_STATS_POINTS; k++) {
		struct tmpl_ctx *c = tmpl_list_add(row, "dist");
		long long v = x != NULL ? x->dist[k] : 0;

		tmpl_set_int(c, "n", v);
		tmpl_set(c, "pct", dash_pct(req->arena, v, x != NULL ? x->n : 0));
	}
}

/*
 * The comprehension section: per likert column of each module grid, the
 * bars of the mean per module and the distribution per module.
 */
static void
dash_ctx_grids(struct request *req, struct tmpl_ctx *ctx, const struct dash *d, int *chart_no)
{
	const struct feedback_stats *st = &d->st;
	struct chart_bar *bars = arena_calloc(req->arena, (size_t)st->nmodules + 1, sizeof(*bars));
	struct chart_series *series = arena_calloc(req->arena, (size_t)st->nmodules + 1,
						   sizeof(*series));
	static const long long zero[FEEDBACK_STATS_POINTS];
	struct chart_category cats[FEEDBACK_STATS_POINTS];

	for (int s = 0; s < d->def.nsections; s++)
		for (int i = 0; i < d->def.sections[s].nquestions; i++) {
			const struct feedback_question *q = &d->def.sections[s].questions[i];

			if (q->kind != FEEDBACK_MODULE_GRID)
				continue;
			for (int c = 0; c < q->ncolumns; c++) {
				const struct feedback_column *col = &q->columns[c];
				const struct feedback_stats_num *all;
				struct tmpl_ctx *g;

				if (col->kind != FEEDBACK_LIKERT_Q)
					continue;
				g = tmpl_list_add(ctx, "grids");
				tmpl_set(g, "question", q->text);
				tmpl_set(g, "column", col->text);
				tmpl_setf(g, "anchor", "g-%s-%s", q->key, col->key);
				all = feedback_stats_num(st, q->key, 0, col->key);
				tmpl_set(g, "mean", dash_num(req->arena, all ? all->mean : 0, 2, all ? all->n : 0));
				tmpl_set_int(g, "n", all ? all->n : 0);
				for (int k = 0; k < FEEDBACK_STATS_POINTS; k++) {
					struct tmpl_ctx *l = tmpl_list_add(g, "labels");
					tmpl_set_int(l, "point", k + 1);
					tmpl_set(l, "label", col->labels[k]);
				}
				for (int m = 0; m < st->nmodules; m++) {
					const struct feedback_stats_module *md = &st->modules[m];
					const struct feedback_stats_num *x =
						feedback_stats_num(st, q->key, md->module_id, col->key);
					const char *title = dash_module_title(req->arena, st, md->module_id);
					struct tmpl_ctx *row = tmpl_list_add(g, "rows");

					bars[m] = (struct chart_bar){ title, x ? x->mean : NAN,
								      dash_answers(req->arena, x ? x->n : 0) };
					series[m] = (struct chart_series){ title, x ? x->dist : zero };
					tmpl_set(row, "module", title);
					tmpl_set(row, "mean", dash_num(req->arena, x ? x->mean : 0, 2, x ? x->n : 0));
					tmpl_set_int(row, "n", x ? x->n : 0);
					dash_dist_cells(req, row, x);
				}
				dash_categories(cats, col->labels);
				tmpl_set_html(g, "bars_svg", dash_svg_bars(req->arena, &(struct chart_bars){
					arena_printf(req->arena, "chart-%d", ++*chart_no),
					arena_printf(req->arena, "%s: media per modulo (scala da 1 a 5)", col->text),
					"su 5", 5, 1, bars, (size_t)st->nmodules }));
				tmpl_set_html(g, "dist_svg", dash_svg_dist(req->arena, &(struct chart_dist){
					arena_printf(req->arena, "chart-%d", ++*chart_no),
					arena_printf(req->arena, "%s: distribuzione delle risposte per modulo",
						     col->text),
					cats, FEEDBACK_STATS_POINTS, series, (size_t)st->nmodules }));
			}
		}
}

/* Texts of question q (column col, or NULL) as a list under key of t. */
static int
dash_ctx_texts(struct request *req, struct tmpl_ctx *t, const struct dash *d, const char *q,
	       const char *col)
{
	int n = 0;

	for (int i = 0; i < d->st.ntexts; i++) {
		const struct feedback_stats_text *x = &d->st.texts[i];
		struct tmpl_ctx *it;

		if (strcmp(x->question, q) != 0 || (col == NULL) != (x->column == NULL) ||
		    (col != NULL && strcmp(col, x->column) != 0))
			continue;
		it = tmpl_list_add(t, "texts");
		tmpl_set(it, "org", x->org_name);
		tmpl_set(it, "text", x->text);
		if (x->module_id > 0)
			tmpl_set(it, "module", dash_module_title(req->arena, &d->st, x->module_id));
		n++;
	}
	return n;
}

/* Every question of the form with its aggregate, section by section. */
static void
dash_ctx_questions(struct request *req, struct tmpl_ctx *ctx, const struct dash *d, int *chart_no)
{
	const struct feedback_stats *st = &d->st;
	struct chart_bar *bars = arena_calloc(req->arena, (size_t)d->def.nquestions + 1, sizeof(*bars));
	struct chart_series *series = arena_calloc(req->arena, (size_t)d->def.nquestions + 1,
						   sizeof(*series));
	static const long long zero[FEEDBACK_STATS_POINTS];
	struct chart_category cats[FEEDBACK_STATS_POINTS];
	const char *const *first_labels = NULL;
	size_t nl = 0;

	for (int s = 0; s < d->def.nsections; s++) {
		struct tmpl_ctx *sec = tmpl_list_add(ctx, "sections");

		tmpl_set(sec, "title", d->def.sections[s].title);
		for (int i = 0; i < d->def.sections[s].nquestions; i++) {
			const struct feedback_question *q = &d->def.sections[s].questions[i];
			struct tmpl_ctx *t = tmpl_list_add(sec, "questions");
			const struct feedback_stats_num *x;

			tmpl_set(t, "key", q->key);
			tmpl_set(t, "text", q->text);
			tmpl_set(t, "kind", dash_kind_label(q->kind));
			switch (q->kind) {
			case FEEDBACK_LIKERT_Q:
				x = feedback_stats_num(st, q->key, 0, NULL);
				tmpl_set_bool(t, "is_likert", true);
				tmpl_set_int(t, "n", x ? x->n : 0);
				tmpl_set(t, "mean", dash_num(req->arena, x ? x->mean : 0, 2, x ? x->n : 0));
				for (int k = 0; k < FEEDBACK_STATS_POINTS; k++) {
					struct tmpl_ctx *c = tmpl_list_add(t, "dist");
					tmpl_setf(c, "point", "%d", k + 1);
					tmpl_set(c, "label", q->labels[k]);
					tmpl_set_int(c, "n", x ? x->dist[k] : 0);
					tmpl_set(c, "pct", dash_pct(req->arena, x ? x->dist[k] : 0, x ? x->n : 0));
				}
				bars[nl] = (struct chart_bar){ q->text, x ? x->mean : NAN,
							       dash_answers(req->arena, x ? x->n : 0) };
				series[nl] = (struct chart_series){ q->text, x ? x->dist : zero };
				if (first_labels == NULL)
					first_labels = q->labels;
				nl++;
				break;
			case FEEDBACK_NUMBER:
				x = feedback_stats_num(st, q->key, 0, NULL);
				tmpl_set_bool(t, "is_number", true);
				tmpl_set_int(t, "n", x ? x->n : 0);
				tmpl_set(t, "mean", dash_num(req->arena, x ? x->mean : 0, 2, x ? x->n : 0));
				tmpl_set(t, "min", dash_num(req->arena, x ? x->min : 0, 0, x ? x->n : 0));
				tmpl_set(t, "max", dash_num(req->arena, x ? x->max : 0, 0, x ? x->n : 0));
				break;
			case FEEDBACK_SINGLE:
			case FEEDBACK_MULTIPLE: {
				long long resp = feedback_stats_respondents(st, q->key);

				tmpl_set_bool(t, "is_choice", true);
				tmpl_set_int(t, "respondents", resp);
				for (int o = 0; o < q->noptions; o++) {
					struct tmpl_ctx *c = tmpl_list_add(t, "options");
					long long n = feedback_stats_choice_count(st, q->key, q->options[o]);

					tmpl_set(c, "option", q->options[o]);
					tmpl_set_int(c, "n", n);
					tmpl_set(c, "pct", dash_pct(req->arena, n, resp));
				}
				break;
			}
			case FEEDBACK_SHORT_TEXT:
			case FEEDBACK_LONG_TEXT:
				tmpl_set_bool(t, "is_text", true);
				tmpl_set_bool(t, "no_texts", dash_ctx_texts(req, t, d, q->key, NULL) == 0);
				break;
			case FEEDBACK_MODULE_GRID:
				tmpl_set_bool(t, "is_grid", true);
				for (int c = 0; c < q->ncolumns; c++) {
					struct tmpl_ctx *col = tmpl_list_add(t, "columns");

					tmpl_set(col, "text", q->columns[c].text);
					if (q->columns[c].kind == FEEDBACK_LIKERT_Q) {
						tmpl_set_bool(col, "is_likert", true);
						tmpl_setf(col, "anchor", "g-%s-%s", q->key, q->columns[c].key);
						continue;
					}
					tmpl_set_bool(col, "no_texts", dash_ctx_texts(req, col, d, q->key,
										    q->columns[c].key) == 0);
				}
				break;
			}
		}
	}
	if (nl == 0)
		return;
	dash_categories(cats, first_labels);
	tmpl_set_html(ctx, "likert_bars_svg", dash_svg_bars(req->arena, &(struct chart_bars){
		arena_printf(req->arena, "chart-%d", ++*chart_no),
		"Domande con scala da 1 a 5: media", "su 5", 5, 1, bars, nl }));
	tmpl_set_html(ctx, "likert_dist_svg", dash_svg_dist(req->arena, &(struct chart_dist){
		arena_printf(req->arena, "chart-%d", ++*chart_no),
		"Domande con scala da 1 a 5: distribuzione delle risposte",
		cats, FEEDBACK_STATS_POINTS, series, nl }));
}

/* Each organisation's mean on every likert series. */
static void
dash_ctx_orgs(struct request *req, struct tmpl_ctx *ctx, const struct dash *d)
{
	int nk;
	struct dash_key *keys = dash_likert_keys(req->arena, &d->def, &nk);

	tmpl_set_bool(ctx, "has_org_means", nk > 0);
	for (int k = 0; k < nk; k++)
		tmpl_set(tmpl_list_add(ctx, "org_heads"), "label", keys[k].label);
	for (int o = 0; o < d->st.norgs; o++) {
		const struct feedback_stats_org *org = &d->st.orgs[o];
		struct tmpl_ctx *row = tmpl_list_add(ctx, "org_means");

		tmpl_set(row, "name", org->name);
		tmpl_set(row, "status", dash_status_label(org->status));
		for (int k = 0; k < nk; k++) {
			const struct feedback_stats_org_num *x = feedback_stats_org_num(
				&d->st, org->org_id, keys[k].q->key, keys[k].col ? keys[k].col->key : NULL);

			tmpl_set(tmpl_list_add(row, "cells"), "value",
				 dash_num(req->arena, x ? x->mean : 0, 2, x ? x->n : 0));
		}
	}
}

/* The final-test figures per module, and their chart. */
static void
dash_ctx_tests(struct request *req, struct tmpl_ctx *ctx, const struct dash *d, int *chart_no)
{
	const struct feedback_stats *st = &d->st;
	struct chart_bar *bars = arena_calloc(req->arena, (size_t)st->nmodules + 1, sizeof(*bars));

	for (int m = 0; m < st->nmodules; m++) {
		const struct feedback_stats_module *md = &st->modules[m];
		const char *title = dash_module_title(req->arena, st, md->module_id);
		struct tmpl_ctx *row = tmpl_list_add(ctx, "tests");

		tmpl_set(row, "module", title);
		tmpl_set_bool(row, "has_test", md->has_test);
		tmpl_set_int(row, "enrolled", md->enrolled);
		tmpl_set_int(row, "graded", md->graded);
		tmpl_set_int(row, "passed", md->passed);
		tmpl_set(row, "rate", md->has_test ? dash_pct(req->arena, md->passed, md->enrolled) : DASH_DASH);
		for (int w = 0; w < md->nweak; w++) {
			struct tmpl_ctx *it = tmpl_list_add(row, "weak");
			tmpl_set(it, "text", md->weak[w].text);
			tmpl_set(it, "facility", arena_printf(req->arena, "%.0f %%", 100 * md->weak[w].facility));
			tmpl_set_int(it, "attempts", md->weak[w].attempts);
		}
		bars[m] = (struct chart_bar){
			title, md->has_test && md->enrolled > 0 ? 100.0 * md->passed / md->enrolled : NAN,
			md->has_test ? arena_printf(req->arena, "%d su %d iscritti", md->passed, md->enrolled) :
				       "nessun test finale"
		};
	}
	tmpl_set_html(ctx, "tests_svg", dash_svg_bars(req->arena, &(struct chart_bars){
		arena_printf(req->arena, "chart-%d", ++*chart_no),
		"Test finale: quota di iscritti degli enti della rilevazione che lo hanno superato",
		"%", 100, 0, bars, (size_t)st->nmodules }));
}

/* The actions, each with the form that marks it done or open. */
static void
dash_ctx_actions(struct request *req, struct tmpl_ctx *ctx, const struct dash *d)
{
	for (int i = 0; i < d->nactions; i++) {
		const struct feedback_action *x = &d->actions[i];
		const struct feedback_question *q = dash_question(d, x->question_key);
		struct tmpl_ctx *it = tmpl_list_add(ctx, "actions");

		tmpl_set_int(it, "id", x->id);
		tmpl_set(it, "body", x->body);
		tmpl_set(it, "module", x->module_id ? dash_module_title(req->arena, &d->st, x->module_id) : NULL);
		tmpl_set(it, "question", q != NULL ? q->text : x->question_key);
		tmpl_set(it, "owner", x->owner[0] ? x->owner : NULL);
		tmpl_set(it, "due", x->due_local);
		tmpl_set_bool(it, "overdue", x->overdue);
		tmpl_set_bool(it, "done", x->done);
		tmpl_set(it, "done_at", x->done_at);
		tmpl_set(it, "done_by", x->done_by);
		tmpl_set(it, "created_by", x->created_by);
		tmpl_set(it, "created_at", x->created_at);
	}
}

/* The choices of the action form: modules, questions, owners. */
static int
dash_ctx_action_form(struct request *req, struct tmpl_ctx *ctx, const struct dash *d)
{
	struct feedback_owner *owners;
	int n;

	for (int m = 0; m < d->st.nmodules; m++) {
		struct tmpl_ctx *o = tmpl_list_add(ctx, "module_options");
		tmpl_set_int(o, "id", d->st.modules[m].module_id);
		tmpl_set(o, "label", dash_module_title(req->arena, &d->st, d->st.modules[m].module_id));
		tmpl_set_bool(o, "selected", request_int(req, "modulo", 0) == d->st.modules[m].module_id);
	}
	for (int s = 0; s < d->def.nsections; s++)
		for (int i = 0; i < d->def.sections[s].nquestions; i++) {
			const struct feedback_question *q = &d->def.sections[s].questions[i];
			const char *sel = request_str(req, "domanda");
			struct tmpl_ctx *o = tmpl_list_add(ctx, "question_options");

			tmpl_set(o, "key", q->key);
			tmpl_set(o, "label", q->text);
			tmpl_set_bool(o, "selected", sel != NULL && strcmp(sel, q->key) == 0);
		}
	if (feedback_stats_owners(req->db, req->arena, &owners, &n) == -1)
		return -1;
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *o = tmpl_list_add(ctx, "owner_options");
		tmpl_set_int(o, "id", owners[i].id);
		tmpl_set(o, "label", owners[i].name);
		tmpl_set_bool(o, "selected", request_int(req, "responsabile", 0) == owners[i].id);
	}
	return 0;
}

static const struct response_notice dash_notices[] = {
	{ "promemoria", "Promemoria inviato ai referenti dell'ente." },
	{ "azione", "Azione aggiunta." },
	{ "fatta", "Azione segnata come completata." },
	{ "riaperta", "Azione riaperta." },
};

/* The round's page with status (200, or 400 when the action form comes back with errors). */
static int
dash_round_render(struct request *req, int status, const struct dash *d)
{
	const struct feedback_round *r = &d->round;
	bool can_edit = (req->user->roles & DASH_WRITE) != 0;
	struct tmpl_ctx *ctx = response_ctx(req, r->title);
	int chart_no = 0;

	response_notice(req, ctx, dash_notices, ARRAY_SIZE(dash_notices));
	if (status != 200)
		response_form(req, ctx);
	tmpl_set_int(ctx, "round_id", r->id);
	tmpl_set(ctx, "round_title", r->title);
	tmpl_set(ctx, "course_title", r->course_title);
	tmpl_set(ctx, "template_name", r->template_name);
	tmpl_set_int(ctx, "version", r->version);
	tmpl_set(ctx, "period_from", dash_date(req->arena, r->period_from));
	tmpl_set(ctx, "period_to", dash_date(req->arena, r->period_to));
	tmpl_set(ctx, "due_date", dash_date(req->arena, r->due_date));
	tmpl_set_bool(ctx, "closed", r->closed);
	tmpl_set_bool(ctx, "can_edit", can_edit);
	tmpl_set_int(ctx, "norgs", d->st.norgs);
	tmpl_set_int(ctx, "nsubmitted", d->st.nsubmitted);
	tmpl_set_int(ctx, "ndraft", d->st.ndraft);
	tmpl_set_int(ctx, "nnew", d->st.nnew);
	tmpl_set_int(ctx, "nlate", d->st.nlate);
	for (int o = 0; o < d->st.norgs; o++) {
		const struct feedback_stats_org *org = &d->st.orgs[o];
		struct tmpl_ctx *it = tmpl_list_add(ctx, "orgs");

		tmpl_set_int(it, "id", org->org_id);
		tmpl_set(it, "name", org->name);
		tmpl_set(it, "status", dash_status_label(org->status));
		tmpl_set_bool(it, "submitted", strcmp(org->status, "submitted") == 0);
		tmpl_set_bool(it, "late", org->late);
		tmpl_set(it, "submitted_at", org->submitted_at);
		tmpl_set(it, "reminded_at", org->reminded_at);
		tmpl_set_int(it, "referents", org->referents);
		tmpl_set_int(it, "nanswers", org->nanswers);
		tmpl_set_bool(it, "can_remind", can_edit && org->late && org->referents > 0);
	}
	dash_ctx_grids(req, ctx, d, &chart_no);
	dash_ctx_questions(req, ctx, d, &chart_no);
	dash_ctx_orgs(req, ctx, d);
	dash_ctx_tests(req, ctx, d, &chart_no);
	dash_ctx_actions(req, ctx, d);
	if (can_edit && dash_ctx_action_form(req, ctx, d) == -1)
		return 500;
	return response_page(req, status, "courses/feedback_dashboard_round", ctx);
}

/* ---- pages -------------------------------------------------------------- */

/* GET /gestione/segnalazioni: every round with its answers; 200; 403. */
static int
dash_rounds(struct request *req)
{
	struct feedback_round *rounds;
	struct tmpl_ctx *ctx;
	int n;

	if (feedback_db_rounds(req->db, req->arena, &rounds, &n) == -1)
		return 500;
	ctx = response_ctx(req, "Segnalazioni dei referenti: rilevazioni");
	tmpl_set_bool(ctx, "empty", n == 0);
	for (int i = 0; i < n; i++) {
		struct tmpl_ctx *it = tmpl_list_add(ctx, "rounds");

		tmpl_set_int(it, "id", rounds[i].id);
		tmpl_set(it, "title", rounds[i].title);
		tmpl_set(it, "course", rounds[i].course_title);
		tmpl_set(it, "period_from", dash_date(req->arena, rounds[i].period_from));
		tmpl_set(it, "period_to", dash_date(req->arena, rounds[i].period_to));
		tmpl_set(it, "due_date", dash_date(req->arena, rounds[i].due_date));
		tmpl_set_bool(it, "overdue", rounds[i].overdue);
		tmpl_set_bool(it, "closed", rounds[i].closed);
		tmpl_set_int(it, "norgs", rounds[i].norgs);
		tmpl_set_int(it, "nsubmitted", rounds[i].nsubmitted);
	}
	return response_page(req, 200, "courses/feedback_dashboard", ctx);
}

#define FIELD_ROUND { "round", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Rilevazione" }

static const struct field dash_round_fields[] = {
	FIELD_ROUND,
	RESPONSE_NOTICE_FIELD,
};

/* Loads the round of the path into d: 0, or the status to return (404, 500). */
static int
dash_round_arg(struct request *req, struct dash *d)
{
	int rc = dash_load(req, request_int(req, "round", 0), d);

	if (rc == -1)
		return 500;
	if (rc == 0)
		return response_error(req, 404, "Rilevazione non trovata.");
	return 0;
}

/* GET /gestione/segnalazioni/{round}; 200; 403; 404. */
static int
dash_round(struct request *req)
{
	struct dash d;
	int rc;

	if ((rc = dash_round_arg(req, &d)) != 0)
		return rc;
	return dash_round_render(req, 200, &d);
}

/* ---- CSV ------------------------------------------------------------------ */

static const char *const dash_tables[] = {
	"stato", "comprensione", "domande", "scelte", "testi", "enti", "test", "azioni", NULL,
};

static const struct field dash_csv_fields[] = {
	FIELD_ROUND,
	{ "table", FIELD_PATH, VALID_ENUM, 0, 0, dash_tables, FIELD_REQUIRED, "Tabella" },
};

/* A number cell with a decimal comma ("" when n is 0). */
static const char *
dash_csv_num(struct arena *a, double v, int dec, long long n)
{
	return n == 0 ? "" : dash_num(a, v, dec, n);
}

static void
dash_csv_dist(struct arena *a, struct buf *b, const struct feedback_stats_num *x)
{
	for (int k = 0; k < FEEDBACK_STATS_POINTS; k++)
		csv_cell(b, arena_printf(a, "%lld", x ? x->dist[k] : 0), false);
}

/* The numeric aggregate of (q, module, column) as CSV cells n; mean; min; max; 1..5. */
static void
dash_csv_num_cells(struct arena *a, struct buf *b, const struct feedback_stats_num *x)
{
	csv_cell(b, arena_printf(a, "%lld", x ? x->n : 0), false);
	csv_cell(b, dash_csv_num(a, x ? x->mean : 0, 2, x ? x->n : 0), false);
	csv_cell(b, dash_csv_num(a, x ? x->min : 0, 0, x ? x->n : 0), false);
	csv_cell(b, dash_csv_num(a, x ? x->max : 0, 0, x ? x->n : 0), false);
	dash_csv_dist(a, b, x);
}

/* Writes table t (an index of dash_tables) of d as CSV rows into b. */
static void
dash_csv_write(struct request *req, struct buf *b, const struct dash *d, int t)
{
	struct arena *a = req->arena;
	const struct feedback_stats *st = &d->st;

	switch (t) {
	case 0: {
		static const char *const h[] = { "Ente", "Stato", "In ritardo", "Inviata il",
						 "Referenti attivi", "Ultimo promemoria", "Risposte salvate" };
		csv_row(b, h, (int)ARRAY_SIZE(h));
		for (int i = 0; i < st->norgs; i++) {
			const struct feedback_stats_org *o = &st->orgs[i];
			const char *row[] = { o->name, dash_status_label(o->status), o->late ? "sì" : "no",
					      o->submitted_at, arena_printf(a, "%d", o->referents),
					      o->reminded_at, arena_printf(a, "%d", o->nanswers) };
			csv_row(b, row, (int)ARRAY_SIZE(row));
		}
		break;
	}
	case 1: {
		static const char *const h[] = { "Domanda", "Colonna", "Modulo", "Risposte", "Media",
						 "Minimo", "Massimo", "1", "2", "3", "4", "5" };
		csv_row(b, h, (int)ARRAY_SIZE(h));
		for (int s = 0; s < d->def.nsections; s++)
			for (int i = 0; i < d->def.sections[s].nquestions; i++) {
				const struct feedback_question *q = &d->def.sections[s].questions[i];

				if (q->kind != FEEDBACK_MODULE_GRID)
					continue;
				for (int c = 0; c < q->ncolumns; c++) {
					if (q->columns[c].kind != FEEDBACK_LIKERT_Q)
						continue;
					for (int m = 0; m <= st->nmodules; m++) {
						int64_t mid = m < st->nmodules ? st->modules[m].module_id : 0;

						csv_cell(b, q->text, true);
						csv_cell(b, q->columns[c].text, false);
						csv_cell(b, mid ? dash_module_title(a, st, mid) : "Tutti i moduli",
							 false);
						dash_csv_num_cells(a, b, feedback_stats_num(st, q->key, mid,
											    q->columns[c].key));
						csv_row_end(b);
					}
				}
			}
		break;
	}
	case 2: {
		static const char *const h[] = { "Domanda", "Tipo", "Risposte", "Media", "Minimo",
						 "Massimo", "1", "2", "3", "4", "5" };
		csv_row(b, h, (int)ARRAY_SIZE(h));
		for (int s = 0; s < d->def.nsections; s++)
			for (int i = 0; i < d->def.sections[s].nquestions; i++) {
				const struct feedback_question *q = &d->def.sections[s].questions[i];

				if (q->kind != FEEDBACK_LIKERT_Q && q->kind != FEEDBACK_NUMBER)
					continue;
				csv_cell(b, q->text, true);
				csv_cell(b, dash_kind_label(q->kind), false);
				dash_csv_num_cells(a, b, feedback_stats_num(st, q->key, 0, NULL));
				csv_row_end(b);
			}
		break;
	}
	case 3: {
		static const char *const h[] = { "Domanda", "Opzione", "Enti che l'hanno scelta",
						 "Enti che hanno risposto" };
		csv_row(b, h, (int)ARRAY_SIZE(h));
		for (int s = 0; s < d->def.nsections; s++)
			for (int i = 0; i < d->def.sections[s].nquestions; i++) {
				const struct feedback_question *q = &d->def.sections[s].questions[i];

				if (q->kind != FEEDBACK_SINGLE && q->kind != FEEDBACK_MULTIPLE)
					continue;
				for (int o = 0; o < q->noptions; o++) {
					const char *row[] = {
						q->text, q->options[o],
						arena_printf(a, "%lld", feedback_stats_choice_count(st, q->key,
												     q->options[o])),
						arena_printf(a, "%lld", feedback_stats_respondents(st, q->key)),
					};
					csv_row(b, row, (int)ARRAY_SIZE(row));
				}
			}
		break;
	}
	case 4: {
		static const char *const h[] = { "Domanda", "Colonna", "Modulo", "Ente", "Testo" };
		csv_row(b, h, (int)ARRAY_SIZE(h));
		for (int i = 0; i < st->ntexts; i++) {
			const struct feedback_stats_text *x = &st->texts[i];
			const struct feedback_question *q = dash_question(d, x->question);
			const char *col = NULL;

			if (q != NULL && x->column != NULL)
				for (int c = 0; c < q->ncolumns; c++)
					if (strcmp(q->columns[c].key, x->column) == 0)
						col = q->columns[c].text;
			{
				const char *row[] = {
					q ? q->text : x->question, col ? col : x->column,
					x->module_id ? dash_module_title(a, st, x->module_id) : NULL,
					x->org_name, x->text,
				};
				csv_row(b, row, (int)ARRAY_SIZE(row));
			}
		}
		break;
	}
	case 5: {
		int nk;
		struct dash_key *keys = dash_likert_keys(a, &d->def, &nk);

		csv_cell(b, "Ente", true);
		csv_cell(b, "Stato", false);
		for (int k = 0; k < nk; k++)
			csv_cell(b, keys[k].label, false);
		csv_row_end(b);
		for (int o = 0; o < st->norgs; o++) {
			csv_cell(b, st->orgs[o].name, true);
			csv_cell(b, dash_status_label(st->orgs[o].status), false);
			for (int k = 0; k < nk; k++) {
				const struct feedback_stats_org_num *x = feedback_stats_org_num(
					st, st->orgs[o].org_id, keys[k].q->key,
					keys[k].col ? keys[k].col->key : NULL);
				csv_cell(b, dash_csv_num(a, x ? x->mean : 0, 2, x ? x->n : 0), false);
			}
			csv_row_end(b);
		}
		break;
	}
	case 6: {
		static const char *const h[] = {
			"Modulo", "Test finale", "Iscritti", "Con voto", "Superato", "Quota superato (%)",
			"Domanda più difficile", "Facilità (%)", "Seconda domanda", "Facilità (%)",
			"Terza domanda", "Facilità (%)",
		};
		csv_row(b, h, (int)ARRAY_SIZE(h));
		for (int m = 0; m < st->nmodules; m++) {
			const struct feedback_stats_module *md = &st->modules[m];

			csv_cell(b, dash_module_title(a, st, md->module_id), true);
			csv_cell(b, md->has_test ? "sì" : "no", false);
			csv_cell(b, arena_printf(a, "%d", md->enrolled), false);
			csv_cell(b, arena_printf(a, "%d", md->graded), false);
			csv_cell(b, arena_printf(a, "%d", md->passed), false);
			csv_cell(b, md->has_test && md->enrolled > 0 ?
				 dash_num(a, 100.0 * md->passed / md->enrolled, 1, 1) : "", false);
			for (int w = 0; w < FEEDBACK_STATS_WEAKEST; w++) {
				csv_cell(b, w < md->nweak ? md->weak[w].text : "", false);
				csv_cell(b, w < md->nweak ? dash_num(a, 100 * md->weak[w].facility, 1, 1) : "",
					 false);
			}
			csv_row_end(b);
		}
		break;
	}
	default: {
		static const char *const h[] = { "Azione", "Modulo", "Domanda", "Responsabile",
						 "Scadenza", "Stato", "Completata il", "Completata da",
						 "Creata da", "Creata il" };
		csv_row(b, h, (int)ARRAY_SIZE(h));
		for (int i = 0; i < d->nactions; i++) {
			const struct feedback_action *x = &d->actions[i];
			const struct feedback_question *q = dash_question(d, x->question_key);
			const char *row[] = {
				x->body, x->module_id ? dash_module_title(a, st, x->module_id) : NULL,
				q ? q->text : x->question_key, x->owner, x->due_local,
				x->done ? "completata" : x->overdue ? "scaduta" : "aperta",
				x->done_at, x->done_by, x->created_by, x->created_at,
			};
			csv_row(b, row, (int)ARRAY_SIZE(row));
		}
		break;
	}
	}
}

/* GET /gestione/segnalazioni/{round}/csv/{table}; 200; 400; 403; 404. */
static int
dash_csv(struct request *req)
{
	const struct field_value *t = request_field(req, "table");
	struct dash d;
	int rc;

	if ((rc = dash_round_arg(req, &d)) != 0)
		return rc;
	buf_reset(&req->body);
	buf_adds(&req->body, CSV_BOM);
	dash_csv_write(req, &req->body, &d, (int)t->num);
	if (req->body.err)
		return 500;
	req->status = 200;
	req->content_type = "text/csv; charset=utf-8";
	response_header(req, "Content-Disposition",
			arena_printf(req->arena, "attachment; filename=\"rilevazione-%lld-%s.csv\"",
				     (long long)d.round.id, t->str));
	response_header(req, "Cache-Control", "no-store");
	return 200;
}

/* ---- PDF ------------------------------------------------------------------ */

static const struct db_stmt dash_now_q = {
	"feedback_dashboard_now",
	"SELECT to_char(now() AT TIME ZONE 'Europe/Rome', 'DD/MM/YYYY HH24:MI')", 0
};

/* GET /gestione/segnalazioni/{round}/report.pdf; 200; 403; 404. */
static int
dash_pdf(struct request *req)
{
	struct feedback_report rep;
	struct db_res *res;
	struct dash d;
	int rc;

	if ((rc = dash_round_arg(req, &d)) != 0)
		return rc;
	if ((res = db_query(req->db, req->arena, &dash_now_q, NULL)) == NULL || res->nrows != 1)
		return 500;
	rep = (struct feedback_report){
		.portal_name = dash_cfg->portal_name,
		.generated = db_get(res, 0, 0),
		.round = &d.round,
		.def = &d.def,
		.st = &d.st,
		.actions = d.actions,
		.nactions = d.nactions,
	};
	buf_reset(&req->body);
	if (feedback_report_render(&rep, &req->body) == -1)
		return 500;
	req->status = 200;
	req->content_type = "application/pdf";
	response_header(req, "Content-Disposition",
			arena_printf(req->arena, "inline; filename=\"rilevazione-%lld.pdf\"",
				     (long long)d.round.id));
	response_header(req, "Cache-Control", "no-store");
	return 200;
}

/* ---- the reminder --------------------------------------------------------- */

static const struct field dash_remind_fields[] = {
	FIELD_ROUND,
	{ "org", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Ente" },
};

/*
 * POST /gestione/segnalazioni/{round}/promemoria/{org}: mails the active
 * referents of a late organisation, in the transaction that records it
 * (reminded_at and the audit log); 303 to the round; 403; 404 (no round,
 * or the organisation is not in it); 409 (not late, or no referent).
 */
static int
dash_remind(struct request *req)
{
	int64_t org_id = request_int(req, "org", 0);
	const struct feedback_stats_org *org = NULL;
	struct feedback_referent *refs;
	struct mail_content mail;
	const char **paragraphs;
	struct dash d;
	int rc, n, status = 500;

	if ((rc = dash_round_arg(req, &d)) != 0)
		return rc;
	for (int i = 0; i < d.st.norgs; i++)
		if (d.st.orgs[i].org_id == org_id)
			org = &d.st.orgs[i];
	if (org == NULL)
		return response_error(req, 404, "Questo ente non fa parte della rilevazione.");
	if (!org->late)
		return response_error(req, 409, "Questo ente non è in ritardo: il promemoria non serve.");
	if (db_begin(req->db) == -1)
		return 500;
	if (feedback_db_referents(req->db, req->arena, d.round.id, org_id, true, &refs, &n) == -1)
		goto out;
	if (n == 0) {
		db_rollback(req->db);
		return response_error(req, 409, "L'ente non ha referenti attivi a cui inviare il promemoria.");
	}
	paragraphs = arena_calloc(req->arena, 4, sizeof(*paragraphs));
	paragraphs[0] = arena_printf(req->arena, "la scheda di segnalazione \xc2\xab%s\xc2\xbb del corso "
				     "\xc2\xab%s\xc2\xbb per %s doveva essere inviata entro il %s e non "
				     "risulta ancora inviata.", d.round.title, d.round.course_title,
				     org->name, dash_date(req->arena, d.round.due_date));
	paragraphs[1] = "Le risposte già salvate sono conservate: basta completarle e inviare la scheda. "
			"Il gruppo di coordinamento la attende per preparare le prossime azioni formative.";
	for (int i = 0; i < n; i++) {
		mail = (struct mail_content){
			.subject = arena_printf(req->arena, "Promemoria: scheda di segnalazione "
						"\xc2\xab%s\xc2\xbb in ritardo", d.round.title),
			.greeting = arena_printf(req->arena, "Gentile %s,", refs[i].name),
			.paragraphs = paragraphs,
			.action_label = "Compila la scheda",
			.action_url = arena_printf(req->arena, "%s/segnalazioni/%lld/%lld", dash_cfg->base_url,
						   (long long)d.round.id, (long long)org_id),
		};
		if (mail_queue(req->db, req->arena, refs[i].email, refs[i].name, &mail) == -1)
			goto out;
	}
	if (feedback_stats_mark_reminded(req->db, d.round.id, org_id) == -1 ||
	    account_db_audit(req->db, req->user->id, "feedback_remind", d.round.id,
			     arena_printf(req->arena, "org=%lld referents=%d", (long long)org_id, n),
			     req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena,
				   "/gestione/segnalazioni/%lld?esito=promemoria#stato", (long long)d.round.id));
out:
	if (status == 500)
		db_rollback(req->db);
	return status;
}

/* ---- actions -------------------------------------------------------------- */

static const struct field dash_action_fields[] = {
	FIELD_ROUND,
	{ "testo", FIELD_BODY, VALID_TEXT, 1, 2000, NULL, FIELD_REQUIRED | FIELD_MULTILINE, "Azione" },
	{ "modulo", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, 0, "Modulo" },
	{ "domanda", FIELD_BODY, VALID_TOKEN, 1, FEEDBACK_KEY_MAX, NULL, 0, "Domanda" },
	{ "responsabile", FIELD_BODY, VALID_INT, 1, INT64_MAX, NULL, 0, "Responsabile" },
	{ "responsabile_testo", FIELD_BODY, VALID_TEXT, 1, 200, NULL, 0, "Responsabile (altro)" },
	{ "scadenza", FIELD_BODY, VALID_DATE, 20000101, 21001231, NULL, 0, "Scadenza" },
};

/*
 * POST /gestione/segnalazioni/{round}/azioni: adds an action (audited);
 * 303 to the round's actions; 400 with the form and its errors; 403; 404.
 */
static int
dash_action_add(struct request *req)
{
	const char *key = request_str(req, "domanda"), *owner_text = request_str(req, "responsabile_testo");
	struct feedback_action_new act;
	struct dash d;
	int64_t id;
	int rc, status = 500;

	if ((rc = dash_round_arg(req, &d)) != 0)
		return rc;
	if (key != NULL && dash_question(&d, key) == NULL)
		response_field_error(req, "domanda", "Scegli una domanda della scheda.");
	if (request_int(req, "responsabile", 0) > 0 && owner_text != NULL)
		response_field_error(req, "responsabile_testo",
				     "Scegli una persona dall'elenco oppure scrivi un nome, non entrambi.");
	if (req->nerrors > 0)
		return dash_round_render(req, 400, &d);
	act = (struct feedback_action_new){
		.module_id = request_int(req, "modulo", 0),
		.question_key = key,
		.body = request_str(req, "testo"),
		.owner_id = request_int(req, "responsabile", 0),
		.owner_name = owner_text,
		.due_date = request_str(req, "scadenza"),
	};
	if (db_begin(req->db) == -1)
		return 500;
	if ((id = feedback_stats_action_add(req->db, d.round.id, &act, req->user->id)) == -1)
		goto out;
	if (id == 0) {
		db_rollback(req->db);
		response_field_error(req, act.module_id ? "modulo" : "responsabile",
				     act.module_id ? "Scegli un modulo del corso della rilevazione." :
						     "Scegli una persona attiva dall'elenco.");
		return dash_round_render(req, 400, &d);
	}
	if (account_db_audit(req->db, req->user->id, "feedback_action_add", d.round.id,
			     arena_printf(req->arena, "action=%lld", (long long)id), req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena,
				   "/gestione/segnalazioni/%lld?esito=azione#azioni", (long long)d.round.id));
out:
	if (status == 500)
		db_rollback(req->db);
	return status;
}

static const struct field dash_action_done_fields[] = {
	FIELD_ROUND,
	{ "action", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Azione" },
	{ "fatta", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Completata" },
};

/*
 * POST /gestione/segnalazioni/{round}/azioni/{action}: fatta=1 marks the
 * action done by the user, fatta=0 opens it again (audited); 303 to the
 * round's actions; 403; 404 no such action of that round.
 */
static int
dash_action_done(struct request *req)
{
	int64_t round_id = request_int(req, "round", 0), action_id = request_int(req, "action", 0);
	bool done = request_int(req, "fatta", 0) != 0;
	int rc, status = 500;

	if (db_begin(req->db) == -1)
		return 500;
	if ((rc = feedback_stats_action_done(req->db, round_id, action_id, done, req->user->id)) == -1)
		goto out;
	if (rc == 0) {
		/* Already in that state (a second click) or not an action of this round. */
		struct feedback_action *acts;
		int n;
		bool exists = false;

		db_rollback(req->db);
		if (feedback_stats_actions(req->db, req->arena, round_id, &acts, &n) == -1)
			return 500;
		for (int i = 0; i < n; i++)
			exists = exists || acts[i].id == action_id;
		if (!exists)
			return response_error(req, 404, "Azione non trovata.");
		return response_redirect(req, arena_printf(req->arena, "/gestione/segnalazioni/%lld#azioni",
							   (long long)round_id));
	}
	if (account_db_audit(req->db, req->user->id, done ? "feedback_action_done" : "feedback_action_reopen",
			     round_id, arena_printf(req->arena, "action=%lld", (long long)action_id),
			     req->client_addr) == -1 ||
	    db_commit(req->db) == -1)
		goto out;
	status = response_redirect(req, arena_printf(req->arena, "/gestione/segnalazioni/%lld?esito=%s#azioni",
						     (long long)round_id, done ? "fatta" : "riaperta"));
out:
	if (status == 500)
		db_rollback(req->db);
	return status;
}

/* ---- the summary API ------------------------------------------------------ */

/* A double as a JSON number ("%.6f" trimmed is enough for means of 1..5). */
static void
dash_json_double(struct json_writer *w, const char *key, double v)
{
	char tmp[64];

	if (!isfinite(v)) {
		json_null(w, key);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.6f", v);
	json_raw(w, key, tmp);
}

/* The numeric aggregate x (NULL: nobody answered) as members of the open object. */
static void
dash_json_num(struct json_writer *w, const struct feedback_stats_num *x, bool likert)
{
	json_int(w, "count", x ? x->n : 0);
	dash_json_double(w, "sum", x ? x->sum : 0);
	if (x != NULL && x->n > 0)
		dash_json_double(w, "mean", x->mean);
	else
		json_null(w, "mean");
	if (likert) {
		json_arr_open(w, "distribution");
		for (int k = 0; k < FEEDBACK_STATS_POINTS; k++)
			json_int(w, NULL, x ? x->dist[k] : 0);
		json_arr_close(w);
	} else if (x != NULL && x->n > 0) {
		dash_json_double(w, "min", x->min);
		dash_json_double(w, "max", x->max);
	} else {
		json_null(w, "min");
		json_null(w, "max");
	}
}

static void
dash_json_texts(struct json_writer *w, const struct dash *d, const char *q, const char *col)
{
	json_arr_open(w, "answers");
	for (int i = 0; i < d->st.ntexts; i++) {
		const struct feedback_stats_text *x = &d->st.texts[i];

		if (strcmp(x->question, q) != 0 || (col == NULL) != (x->column == NULL) ||
		    (col != NULL && strcmp(col, x->column) != 0))
			continue;
		json_obj_open(w, NULL);
		if (x->module_id > 0)
			json_int(w, "module_id", x->module_id);
		json_int(w, "organisation_id", x->org_id);
		json_str(w, "organisation", x->org_name);
		json_str(w, "text", x->text);
		json_obj_close(w);
	}
	json_arr_close(w);
}

static void
dash_json_question(struct json_writer *w, const struct dash *d, const struct feedback_question *q)
{
	const struct feedback_stats *st = &d->st;

	json_obj_open(w, NULL);
	json_str(w, "key", q->key);
	json_str(w, "kind", feedback_kind_name(q->kind));
	json_str(w, "text", q->text);
	switch (q->kind) {
	case FEEDBACK_LIKERT_Q:
	case FEEDBACK_NUMBER:
		dash_json_num(w, feedback_stats_num(st, q->key, 0, NULL), q->kind == FEEDBACK_LIKERT_Q);
		break;
	case FEEDBACK_SINGLE:
	case FEEDBACK_MULTIPLE:
		json_int(w, "respondents", feedback_stats_respondents(st, q->key));
		json_arr_open(w, "options");
		for (int o = 0; o < q->noptions; o++) {
			json_obj_open(w, NULL);
			json_str(w, "option", q->options[o]);
			json_int(w, "count", feedback_stats_choice_count(st, q->key, q->options[o]));
			json_obj_close(w);
		}
		json_arr_close(w);
		break;
	case FEEDBACK_SHORT_TEXT:
	case FEEDBACK_LONG_TEXT:
		dash_json_texts(w, d, q->key, NULL);
		break;
	case FEEDBACK_MODULE_GRID:
		json_arr_open(w, "columns");
		for (int c = 0; c < q->ncolumns; c++) {
			const struct feedback_column *col = &q->columns[c];

			json_obj_open(w, NULL);
			json_str(w, "key", col->key);
			json_str(w, "kind", feedback_kind_name(col->kind));
			json_str(w, "text", col->text);
			if (col->kind == FEEDBACK_LIKERT_Q) {
				dash_json_num(w, feedback_stats_num(st, q->key, 0, col->key), true);
				json_arr_open(w, "modules");
				for (int m = 0; m < st->nmodules; m++) {
					json_obj_open(w, NULL);
					json_int(w, "module_id", st->modules[m].module_id);
					json_str(w, "title", st->modules[m].title);
					dash_json_num(w, feedback_stats_num(st, q->key, st->modules[m].module_id,
									    col->key), true);
					json_obj_close(w);
				}
				json_arr_close(w);
			} else {
				dash_json_texts(w, d, q->key, col->key);
			}
			json_obj_close(w);
		}
		json_arr_close(w);
		break;
	}
	json_obj_close(w);
}

static const struct field dash_api_fields[] = {
	{ "id", FIELD_PATH, VALID_INT, 1, INT64_MAX, NULL, FIELD_REQUIRED, "Rilevazione" },
};

/*
 * GET /api/v1/feedback/rounds/{id}/summary: the round's aggregates over
 * its submitted responses; 200; 401; 403; 404.
 */
static int
dash_api_summary(struct request *req)
{
	const struct feedback_stats *st;
	struct json_writer w;
	struct dash d;
	int rc, nk;
	struct dash_key *keys;

	if ((rc = dash_load(req, request_int(req, "id", 0), &d)) == -1)
		return 500;
	if (rc == 0)
		return response_json_error(req, 404, "not_found", "Rilevazione non trovata.");
	st = &d.st;
	json_writer_init(&w, &req->body);
	json_obj_open(&w, NULL);
	json_obj_open(&w, "round");
	json_int(&w, "id", d.round.id);
	json_str(&w, "title", d.round.title);
	json_int(&w, "course_id", d.round.course_id);
	json_str(&w, "course", d.round.course_title);
	json_int(&w, "template_version_id", d.round.template_version_id);
	json_str(&w, "period_from", d.round.period_from);
	json_str(&w, "period_to", d.round.period_to);
	json_str(&w, "due_date", d.round.due_date);
	json_bool(&w, "closed", d.round.closed);
	json_obj_close(&w);
	json_obj_open(&w, "counts");
	json_int(&w, "organisations", st->norgs);
	json_int(&w, "submitted", st->nsubmitted);
	json_int(&w, "draft", st->ndraft);
	json_int(&w, "not_started", st->nnew);
	json_int(&w, "late", st->nlate);
	json_obj_close(&w);
	json_arr_open(&w, "organisations");
	for (int i = 0; i < st->norgs; i++) {
		json_obj_open(&w, NULL);
		json_int(&w, "id", st->orgs[i].org_id);
		json_str(&w, "name", st->orgs[i].name);
		json_str(&w, "status", st->orgs[i].status);
		json_bool(&w, "late", st->orgs[i].late);
		json_str(&w, "submitted_at", st->orgs[i].submitted_iso);
		json_int(&w, "referents", st->orgs[i].referents);
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_arr_open(&w, "questions");
	for (int s = 0; s < d.def.nsections; s++)
		for (int i = 0; i < d.def.sections[s].nquestions; i++)
			dash_json_question(&w, &d, &d.def.sections[s].questions[i]);
	json_arr_close(&w);
	keys = dash_likert_keys(req->arena, &d.def, &nk);
	json_arr_open(&w, "organisation_means");
	for (int o = 0; o < st->norgs; o++)
		for (int k = 0; k < nk; k++) {
			const struct feedback_stats_org_num *x = feedback_stats_org_num(
				st, st->orgs[o].org_id, keys[k].q->key, keys[k].col ? keys[k].col->key : NULL);

			if (x == NULL)
				continue;
			json_obj_open(&w, NULL);
			json_int(&w, "organisation_id", x->org_id);
			json_str(&w, "question", x->question);
			json_str(&w, "column", x->column);
			json_int(&w, "count", x->n);
			dash_json_double(&w, "mean", x->mean);
			json_obj_close(&w);
		}
	json_arr_close(&w);
	json_arr_open(&w, "modules");
	for (int m = 0; m < st->nmodules; m++) {
		const struct feedback_stats_module *md = &st->modules[m];

		json_obj_open(&w, NULL);
		json_int(&w, "module_id", md->module_id);
		json_int(&w, "position", md->position);
		json_str(&w, "title", md->title);
		json_bool(&w, "has_test", md->has_test);
		json_int(&w, "enrolled", md->enrolled);
		json_int(&w, "graded", md->graded);
		json_int(&w, "passed", md->passed);
		if (md->has_test && md->enrolled > 0)
			dash_json_double(&w, "pass_rate", (double)md->passed / md->enrolled);
		else
			json_null(&w, "pass_rate");
		json_arr_open(&w, "weakest_questions");
		for (int k = 0; k < md->nweak; k++) {
			json_obj_open(&w, NULL);
			json_int(&w, "question_id", md->weak[k].question_id);
			json_str(&w, "text", md->weak[k].text);
			dash_json_double(&w, "facility", md->weak[k].facility);
			json_int(&w, "attempts", md->weak[k].attempts);
			json_obj_close(&w);
		}
		json_arr_close(&w);
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_arr_open(&w, "actions");
	for (int i = 0; i < d.nactions; i++) {
		const struct feedback_action *x = &d.actions[i];

		json_obj_open(&w, NULL);
		json_int(&w, "id", x->id);
		json_str(&w, "text", x->body);
		if (x->module_id)
			json_int(&w, "module_id", x->module_id);
		else
			json_null(&w, "module_id");
		json_str(&w, "question_key", x->question_key);
		json_str(&w, "owner", x->owner);
		json_str(&w, "due_date", x->due_date);
		json_bool(&w, "done", x->done);
		json_obj_close(&w);
	}
	json_arr_close(&w);
	json_obj_close(&w);
	if (req->body.err)
		return 500;
	return response_json(req, 200);
}

static const struct route dash_routes[] = {
	{ METHOD_GET, "/gestione/segnalazioni", dash_rounds, DASH_READ, 0, NULL, 0,
	  "feedback.dashboard" },
	{ METHOD_GET, "/gestione/segnalazioni/{round}/report.pdf", dash_pdf, DASH_READ, 0,
	  ROUTER_FIELDS(dash_round_fields), "feedback.dashboard.pdf" },
	{ METHOD_GET, "/gestione/segnalazioni/{round}/csv/{table}", dash_csv, DASH_READ, 0,
	  ROUTER_FIELDS(dash_csv_fields), "feedback.dashboard.csv" },
	{ METHOD_POST, "/gestione/segnalazioni/{round}/promemoria/{org}", dash_remind, DASH_WRITE, 0,
	  ROUTER_FIELDS(dash_remind_fields), "feedback.dashboard.remind" },
	{ METHOD_POST, "/gestione/segnalazioni/{round}/azioni", dash_action_add, DASH_WRITE, ROUTE_FORM,
	  ROUTER_FIELDS(dash_action_fields), "feedback.dashboard.action" },
	{ METHOD_POST, "/gestione/segnalazioni/{round}/azioni/{action}", dash_action_done, DASH_WRITE, 0,
	  ROUTER_FIELDS(dash_action_done_fields), "feedback.dashboard.action_done" },
	{ METHOD_GET, "/gestione/segnalazioni/{round}", dash_round, DASH_READ, 0,
	  ROUTER_FIELDS(dash_round_fields), "feedback.dashboard.round" },
	{ METHOD_GET, "/api/v1/feedback/rounds/{id}/summary", dash_api_summary, DASH_READ, ROUTE_API,
	  ROUTER_FIELDS(dash_api_fields), "api.feedback.summary" },
};

/* Contract in feedback_dashboard.h. */
void
feedback_dashboard_register(struct router *r, const struct config *cfg)
{
	dash_cfg = cfg;
	router_add(r, dash_routes, ARRAY_SIZE(dash_routes));
}
