/*
 * feedback_report.c - the PDF report of a round (see feedback_report.h).
 *
 * A small flow layout over cairo: a cursor y moves down the page, every
 * block first asks for the room it needs (report_need) and a new page is
 * started when it is not there.  Text is wrapped at spaces; a word wider
 * than the column is broken between characters.  A4 portrait, in points.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>

#include "buf.h"
#include "feedback.h"
#include "feedback_db.h"
#include "feedback_report.h"
#include "feedback_stats.h"
#include "log.h"
#include "pdf.h"
#include "valid.h"

#define PAGE_W PDF_A4_WIDTH
#define PAGE_H PDF_A4_HEIGHT
#define MARGIN 56.0
#define TOP 78.0
#define BOTTOM (PAGE_H - 64.0)
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define BAR_W 300.0		/* a bar at the top of its scale */

/* Bootstrap Italia's blue, dark text and grey, as in the certificate. */
static const struct pdf_rgb blue = { 0x00 / 255.0, 0x66 / 255.0, 0xCC / 255.0 };
static const struct pdf_rgb dark = { 0x17 / 255.0, 0x32 / 255.0, 0x4D / 255.0 };
static const struct pdf_rgb grey = { 0x4D / 255.0, 0x5B / 255.0, 0x66 / 255.0 };
static const struct pdf_rgb light = { 0xE6 / 255.0, 0xEC / 255.0, 0xF2 / 255.0 };
static const struct pdf_rgb red = { 0xA6 / 255.0, 0x19 / 255.0, 0x19 / 255.0 };

struct report {
	cairo_t *cr;
	const struct feedback_report *r;
	double y;
	int page;
	bool full;		/* FEEDBACK_REPORT_PAGES_MAX reached: draw nothing more */
	bool bold;		/* report_text()'s font and colour, set again after a page break */
	double size;
	const struct pdf_rgb *color;
	struct buf line;	/* the line being built by report_text() */
	struct buf tmp;
};

/* The page's running header and footer. */
static void
report_furniture(struct report *p)
{
	cairo_t *cr = p->cr;
	struct buf head, cut;	/* its own: a page may start while p->tmp holds a word's rest */
	char num[32];

	pdf_font(cr, PDF_FONT, false, false, 8.5);
	pdf_color(cr, &grey);
	buf_init(&head, 0);
	buf_init(&cut, 0);
	buf_printf(&head, "%s \xe2\x80\x94 %s", p->r->portal_name, p->r->round->title);
	/* A long title is cut, without a mark: the header is one line. */
	cairo_move_to(cr, MARGIN, 44.0);
	cairo_show_text(cr, pdf_cut(cr, head.data, TEXT_W, 0, &cut));
	cairo_set_line_width(cr, 0.6);
	cairo_move_to(cr, MARGIN, 52.0);
	cairo_line_to(cr, PAGE_W - MARGIN, 52.0);
	cairo_stroke(cr);
	snprintf(num, sizeof(num), "Pagina %d", p->page);
	cairo_move_to(cr, PAGE_W - MARGIN - pdf_width(cr, num), PAGE_H - 36.0);
	cairo_show_text(cr, num);
	cairo_move_to(cr, MARGIN, PAGE_H - 36.0);
	buf_reset(&head);
	buf_printf(&head, "Generato il %s", p->r->generated);
	cairo_show_text(cr, head.data);
	buf_release(&head);
	buf_release(&cut);
}

/* Ends the page (if any) and starts the next, or marks the report full. */
static void
report_page(struct report *p)
{
	if (p->full)
		return;
	if (p->page >= FEEDBACK_REPORT_PAGES_MAX) {
		pdf_font(p->cr, PDF_FONT, true, false, 9.0);
		pdf_color(p->cr, &red);
		cairo_move_to(p->cr, MARGIN, BOTTOM + 14.0);
		cairo_show_text(p->cr, "Il rapporto continua oltre il numero massimo di pagine: "
				"scarica le tabelle in CSV.");
		p->full = true;
		return;
	}
	if (p->page > 0)
		cairo_show_page(p->cr);
	p->page++;
	p->y = TOP;
	report_furniture(p);
}

/* Makes room for h points, on a new page if needed; false when the report is full. */
static bool
report_need(struct report *p, double h)
{
	if (!p->full && p->y + h > BOTTOM)
		report_page(p);
	return !p->full;
}

/* Draws the line built so far at the cursor, indented by x, and empties it. */
static void
report_flush(struct report *p, double x, double size)
{
	double lh = size * 1.4;

	if (p->line.len == 0)
		return;
	if (p->y + lh > BOTTOM && !p->full) {
		/* The new page's furniture changed font and colour. */
		report_page(p);
		pdf_font(p->cr, PDF_FONT, p->bold, false, p->size);
		pdf_color(p->cr, p->color);
	}
	if (!p->full) {
		cairo_move_to(p->cr, MARGIN + x, p->y + size);
		cairo_show_text(p->cr, p->line.data);
		p->y += lh;
	}
	buf_reset(&p->line);
}

/*
 * Writes s wrapped to the column (indented by x) in the current colour:
 * words go on a line while they fit; a word wider than the whole column is
 * broken between characters.  Line breaks in s start new lines.
 */
static void
report_text(struct report *p, const char *s, bool bold, double size, const struct pdf_rgb *c,
	    double x)
{
	double w = TEXT_W - x;
	size_t i = 0, n;

	if (s == NULL || p->full)
		return;
	p->bold = bold;
	p->size = size;
	p->color = c;
	pdf_font(p->cr, PDF_FONT, bold, false, size);
	pdf_color(p->cr, c);
	n = strlen(s);
	buf_reset(&p->line);
	while (i < n) {
		size_t ws = i, we, keep;

		if (s[i] == '\n') {
			report_flush(p, x, size);
			i++;
			continue;
		}
		while (i < n && s[i] != ' ' && s[i] != '\n')
			i++;
		we = i;
		keep = p->line.len;
		if (keep > 0)
			buf_addch(&p->line, ' ');
		buf_add(&p->line, s + ws, we - ws);
		if (pdf_width(p->cr, p->line.data) > w) {
			buf_truncate(&p->line, keep);
			report_flush(p, x, size);
			buf_add(&p->line, s + ws, we - ws);
			/* Still too wide alone: break it between characters. */
			while (pdf_width(p->cr, p->line.data) > w && p->line.len > 1) {
				size_t cut = p->line.len, len;
				uint32_t cp;

				while (cut > 1) {
					cut--;
					while (cut > 0 && ((unsigned char)p->line.data[cut] & 0xC0) == 0x80)
						cut--;
					buf_reset(&p->tmp);
					buf_add(&p->tmp, p->line.data, cut);
					if (pdf_width(p->cr, p->tmp.data) <= w)
						break;
				}
				if (cut == 0) {	/* one glyph wider than the column: draw it anyway */
					cut = valid_utf8_char(p->line.data, p->line.len, &cp);
					if (cut == 0)
						cut = 1;
				}
				len = p->line.len;
				buf_reset(&p->tmp);
				buf_add(&p->tmp, p->line.data + cut, len - cut);
				buf_truncate(&p->line, cut);
				report_flush(p, x, size);
				buf_add(&p->line, p->tmp.data, p->tmp.len);
			}
		}
		while (i < n && s[i] == ' ')
			i++;
	}
	report_flush(p, x, size);
}

static void
report_heading(struct report *p, const char *s, int level)
{
	double size = level == 1 ? 15.0 : 12.0;

	if (!report_need(p, size * 1.4 + 30.0))	/* never alone at the foot of a page */
		return;
	p->y += level == 1 ? 12.0 : 6.0;
	report_text(p, s, true, size, level == 1 ? &blue : &dark, 0);
	p->y += 2.0;
}

/* Appends "1: 0 · 2: 1 · 3: 4 · 4: 2 · 5: 0" for a distribution to b. */
static void
report_dist(struct buf *b, const struct feedback_stats_num *x)
{
	for (int k = 0; k < FEEDBACK_STATS_POINTS; k++)
		buf_printf(b, "%s%d: %lld", k ? " \xc2\xb7 " : "", k + 1, x ? x->dist[k] : 0);
}

/* An ISO date "YYYY-MM-DD" as "DD/MM/YYYY" into out (16 bytes); anything else as it is. */
static const char *
report_date(char out[16], const char *iso)
{
	if (iso == NULL || strlen(iso) < 10 || iso[4] != '-' || iso[7] != '-')
		return iso == NULL ? "" : iso;
	snprintf(out, 16, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	return out;
}

/* A number with a decimal comma, into out (at least 32 bytes). */
static const char *
report_num(char *out, size_t size, double v, int dec)
{
	char *c;

	snprintf(out, size, "%.*f", dec, v);
	if ((c = strchr(out, '.')) != NULL)
		*c = ',';
	return out;
}

/*
 * A labelled horizontal bar: the label above, the bar (value of max)
 * with its figure written after it; value NaN draws an empty track and
 * "nessun dato".
 */
static void
report_bar(struct report *p, const char *label, double value, double max, const char *figure)
{
	double w;

	if (!report_need(p, 40.0))
		return;
	report_text(p, label, false, 9.5, &dark, 0);
	pdf_color(p->cr, &light);
	cairo_rectangle(p->cr, MARGIN, p->y + 1.0, BAR_W, 12.0);
	cairo_fill(p->cr);
	if (!isnan(value) && max > 0) {
		w = value <= 0 ? 0 : value >= max ? BAR_W : BAR_W * value / max;
		pdf_color(p->cr, &blue);
		cairo_rectangle(p->cr, MARGIN, p->y + 1.0, w < 1.5 ? 1.5 : w, 12.0);
		cairo_fill(p->cr);
	}
	pdf_font(p->cr, PDF_FONT, true, false, 9.5);
	pdf_color(p->cr, &dark);
	cairo_move_to(p->cr, MARGIN + BAR_W + 8.0, p->y + 11.0);
	cairo_show_text(p->cr, isnan(value) ? "nessun dato" : figure);
	p->y += 20.0;
}

static const char *
report_status(const char *s)
{
	return strcmp(s, "submitted") == 0 ? "inviata" : strcmp(s, "draft") == 0 ? "bozza" : "non iniziata";
}

/* The module's "Modulo n – titolo", into p->tmp. */
static const char *
report_module(struct report *p, int64_t module_id)
{
	const struct feedback_stats *st = p->r->st;

	buf_reset(&p->tmp);
	for (int i = 0; i < st->nmodules; i++)
		if (st->modules[i].module_id == module_id)
			buf_printf(&p->tmp, "Modulo %d \xe2\x80\x93 %s", st->modules[i].position,
				   st->modules[i].title);
	return p->tmp.data;
}

static void
report_intro(struct report *p)
{
	const struct feedback_round *r = p->r->round;
	const struct feedback_stats *st = p->r->st;
	char d1[16], d2[16], d3[16];
	struct buf b;

	buf_init(&b, 0);
	report_text(p, "Rapporto della rilevazione", false, 11.0, &grey, 0);
	report_text(p, r->title, true, 20.0, &dark, 0);
	p->y += 4.0;
	buf_printf(&b, "Corso: %s", r->course_title);
	report_text(p, b.data, false, 10.5, &dark, 0);
	buf_reset(&b);
	buf_printf(&b, "Periodo: dal %s al %s \xc2\xb7 Scadenza: %s%s", report_date(d1, r->period_from),
		   report_date(d2, r->period_to), report_date(d3, r->due_date),
		   r->closed ? " \xc2\xb7 chiusa" : "");
	report_text(p, b.data, false, 10.5, &dark, 0);
	buf_reset(&b);
	buf_printf(&b, "Scheda: %s, versione %d. Le medie contano solo le schede inviate.",
		   r->template_name, r->version);
	report_text(p, b.data, false, 10.5, &dark, 0);

	report_heading(p, "Stato delle schede", 1);
	buf_reset(&b);
	buf_printf(&b, "%d enti: %d %s, %d in bozza, %d non iniziate; %d in ritardo.", st->norgs,
		   st->nsubmitted, st->nsubmitted == 1 ? "inviata" : "inviate", st->ndraft, st->nnew,
		   st->nlate);
	report_text(p, b.data, true, 10.5, &dark, 0);
	for (int i = 0; i < st->norgs; i++) {
		const struct feedback_stats_org *o = &st->orgs[i];

		buf_reset(&b);
		buf_printf(&b, "%s: %s", o->name, report_status(o->status));
		if (o->submitted_at != NULL)
			buf_printf(&b, " il %s", o->submitted_at);
		if (o->late)
			buf_adds(&b, " \xe2\x80\x94 IN RITARDO");
		if (o->reminded_at != NULL)
			buf_printf(&b, " (promemoria del %s)", o->reminded_at);
		report_text(p, b.data, false, 10.0, o->late ? &red : &dark, 10.0);
	}
	buf_release(&b);
}

/* Per likert column of each grid: a bar per module with its mean, and its distribution. */
static void
report_grids(struct report *p)
{
	const struct feedback_def *def = p->r->def;
	const struct feedback_stats *st = p->r->st;
	char num[32];
	struct buf fig, label;

	buf_init(&fig, 0);
	buf_init(&label, 0);
	for (int s = 0; s < def->nsections; s++)
		for (int i = 0; i < def->sections[s].nquestions; i++) {
			const struct feedback_question *q = &def->sections[s].questions[i];

			if (q->kind != FEEDBACK_MODULE_GRID)
				continue;
			for (int c = 0; c < q->ncolumns; c++) {
				const struct feedback_column *col = &q->columns[c];

				if (col->kind != FEEDBACK_LIKERT_Q)
					continue;
				buf_reset(&label);
				buf_printf(&label, "%s: media per modulo (scala da 1 a 5)", col->text);
				report_heading(p, label.data, 2);
				for (int m = 0; m < st->nmodules; m++) {
					const struct feedback_stats_num *x = feedback_stats_num(
						st, q->key, st->modules[m].module_id, col->key);

					buf_reset(&fig);
					if (x != NULL)
						buf_printf(&fig, "%s su 5 (%lld %s)",
							   report_num(num, sizeof(num), x->mean, 1), x->n,
							   x->n == 1 ? "risposta" : "risposte");
					buf_reset(&label);
					buf_adds(&label, report_module(p, st->modules[m].module_id));
					report_bar(p, label.data, x ? x->mean : NAN, 5, fig.data);
					if (x != NULL) {
						buf_reset(&fig);
						report_dist(&fig, x);
						report_text(p, fig.data, false, 8.5, &grey, 0);
					}
				}
			}
		}
	buf_release(&fig);
	buf_release(&label);
}

/* The texts of (q, col) with their organisation (and module). */
static void
report_texts(struct report *p, const char *q, const char *col)
{
	const struct feedback_stats *st = p->r->st;
	struct buf b;
	int n = 0;

	buf_init(&b, 0);
	for (int i = 0; i < st->ntexts; i++) {
		const struct feedback_stats_text *x = &st->texts[i];

		if (strcmp(x->question, q) != 0 || (col == NULL) != (x->column == NULL) ||
		    (col != NULL && strcmp(col, x->column) != 0))
			continue;
		buf_reset(&b);
		buf_adds(&b, x->org_name);
		if (x->module_id > 0)
			buf_printf(&b, ", %s", report_module(p, x->module_id));
		report_text(p, b.data, true, 9.0, &grey, 10.0);
		report_text(p, x->text, false, 9.5, &dark, 10.0);
		p->y += 2.0;
		n++;
	}
	if (n == 0)
		report_text(p, "Nessuna risposta.", false, 9.5, &grey, 10.0);
	buf_release(&b);
}

static void
report_questions(struct report *p)
{
	const struct feedback_def *def = p->r->def;
	const struct feedback_stats *st = p->r->st;
	char num[32], num2[32], num3[32];
	struct buf b;

	buf_init(&b, 0);
	report_heading(p, "Risposte per domanda", 1);
	for (int s = 0; s < def->nsections; s++) {
		report_heading(p, def->sections[s].title, 2);
		for (int i = 0; i < def->sections[s].nquestions; i++) {
			const struct feedback_question *q = &def->sections[s].questions[i];
			const struct feedback_stats_num *x;

			report_need(p, 40.0);
			report_text(p, q->text, true, 10.0, &dark, 0);
			switch (q->kind) {
			case FEEDBACK_LIKERT_Q:
				x = feedback_stats_num(st, q->key, 0, NULL);
				buf_reset(&b);
				if (x == NULL)
					buf_adds(&b, "Nessuna risposta.");
				else
				{
					buf_printf(&b, "Media %s su 5 (%lld %s); ",
						   report_num(num, sizeof(num), x->mean, 2), x->n,
						   x->n == 1 ? "risposta" : "risposte");
					report_dist(&b, x);
				}
				report_text(p, b.data, false, 9.5, &dark, 10.0);
				break;
			case FEEDBACK_NUMBER:
				x = feedback_stats_num(st, q->key, 0, NULL);
				buf_reset(&b);
				if (x == NULL)
					buf_adds(&b, "Nessuna risposta.");
				else
					buf_printf(&b, "Media %s, minimo %s, massimo %s (%lld %s).",
						   report_num(num, sizeof(num), x->mean, 2),
						   report_num(num2, sizeof(num2), x->min, 0),
						   report_num(num3, sizeof(num3), x->max, 0), x->n,
						   x->n == 1 ? "risposta" : "risposte");
				report_text(p, b.data, false, 9.5, &dark, 10.0);
				break;
			case FEEDBACK_SINGLE:
			case FEEDBACK_MULTIPLE:
				buf_reset(&b);
				buf_printf(&b, "Enti che hanno risposto: %lld.", feedback_stats_respondents(st, q->key));
				report_text(p, b.data, false, 9.5, &grey, 10.0);
				for (int o = 0; o < q->noptions; o++) {
					buf_reset(&b);
					buf_printf(&b, "%s: %lld", q->options[o],
						   feedback_stats_choice_count(st, q->key, q->options[o]));
					report_text(p, b.data, false, 9.5, &dark, 10.0);
				}
				break;
			case FEEDBACK_SHORT_TEXT:
			case FEEDBACK_LONG_TEXT:
				report_texts(p, q->key, NULL);
				break;
			case FEEDBACK_MODULE_GRID:
				for (int c = 0; c < q->ncolumns; c++) {
					report_text(p, q->columns[c].text, true, 9.5, &dark, 10.0);
					if (q->columns[c].kind != FEEDBACK_LIKERT_Q) {
						report_texts(p, q->key, q->columns[c].key);
						continue;
					}
					x = feedback_stats_num(st, q->key, 0, q->columns[c].key);
					buf_reset(&b);
					if (x == NULL)
						buf_adds(&b, "Nessuna risposta.");
					else
						buf_printf(&b, "Su tutti i moduli: media %s su 5 (%lld %s); "
							   "per modulo nel grafico sopra.",
							   report_num(num, sizeof(num), x->mean, 2), x->n,
							   x->n == 1 ? "risposta" : "risposte");
					report_text(p, b.data, false, 9.5, &dark, 20.0);
				}
				break;
			}
			p->y += 4.0;
		}
	}
	buf_release(&b);
}

static void
report_tests(struct report *p)
{
	const struct feedback_stats *st = p->r->st;
	char num[32];
	struct buf b, label;

	buf_init(&b, 0);
	buf_init(&label, 0);
	report_heading(p, "Test finali dei moduli", 1);
	report_text(p, "Quota degli iscritti degli enti della rilevazione che ha superato il test finale "
		    "di ogni modulo, e le domande con la facilità più bassa (quota di punti ottenuta).",
		    false, 9.5, &grey, 0);
	p->y += 4.0;
	for (int m = 0; m < st->nmodules; m++) {
		const struct feedback_stats_module *md = &st->modules[m];
		double rate = md->has_test && md->enrolled > 0 ? 100.0 * md->passed / md->enrolled : NAN;

		buf_reset(&b);
		if (!isnan(rate))
			buf_printf(&b, "%s %% (%d su %d)", report_num(num, sizeof(num), rate, 0), md->passed,
				   md->enrolled);
		buf_reset(&label);
		buf_adds(&label, report_module(p, md->module_id));
		if (!md->has_test)
			buf_adds(&label, " (nessun test finale)");
		report_bar(p, label.data, rate, 100, b.data);
		for (int w = 0; w < md->nweak; w++) {
			buf_reset(&b);
			buf_printf(&b, "Facilità %s %% (%d tentativi): %s",
				   report_num(num, sizeof(num), 100 * md->weak[w].facility, 0),
				   md->weak[w].attempts, md->weak[w].text);
			report_text(p, b.data, false, 8.5, &grey, 10.0);
		}
	}
	buf_release(&b);
	buf_release(&label);
}

static void
report_actions(struct report *p)
{
	struct buf b;

	buf_init(&b, 0);
	report_heading(p, "Azioni decise", 1);
	if (p->r->nactions == 0)
		report_text(p, "Nessuna azione registrata.", false, 10.0, &grey, 0);
	for (int i = 0; i < p->r->nactions; i++) {
		const struct feedback_action *x = &p->r->actions[i];
		const struct feedback_question *q = x->question_key ?
			feedback_def_question(p->r->def, x->question_key) : NULL;

		report_need(p, 40.0);
		report_text(p, x->body, true, 10.0, &dark, 0);
		buf_reset(&b);
		buf_adds(&b, x->done ? "Completata" : x->overdue ? "Scaduta" : "Aperta");
		if (x->done)
			buf_printf(&b, " il %s da %s", x->done_at, x->done_by[0] ? x->done_by : "utente rimosso");
		if (x->owner[0])
			buf_printf(&b, " \xc2\xb7 Responsabile: %s", x->owner);
		if (x->due_local != NULL)
			buf_printf(&b, " \xc2\xb7 Scadenza: %s", x->due_local);
		if (x->module_id)
			buf_printf(&b, " \xc2\xb7 %s", report_module(p, x->module_id));
		if (q != NULL)
			buf_printf(&b, " \xc2\xb7 Domanda: %s", q->text);
		report_text(p, b.data, false, 9.0, x->overdue ? &red : &grey, 10.0);
		p->y += 4.0;
	}
	buf_release(&b);
}

/* Contract in feedback_report.h. */
int
feedback_report_render(const struct feedback_report *r, struct buf *out)
{
	cairo_surface_t *surface = NULL;
	struct report p = { 0 };
	cairo_status_t st;
	size_t start = out->len;
	struct buf title;
	int rc = -1;

	buf_init(&p.line, 0);
	buf_init(&p.tmp, 0);
	buf_init(&title, 0);
	if (out->err) {
		log_warnx("feedback report: output buffer already failed");
		goto out;
	}
	surface = cairo_pdf_surface_create_for_stream(pdf_write, out, PAGE_W, PAGE_H);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		log_warnx("feedback report: %s", cairo_status_to_string(cairo_surface_status(surface)));
		goto out;
	}
	buf_printf(&title, "Rapporto della rilevazione: %s", r->round->title);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.data);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, r->portal_name);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, r->portal_name);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, r->round->course_title);
	p.cr = cairo_create(surface);
	p.r = r;
	report_page(&p);
	report_intro(&p);
	report_heading(&p, "Comprensione per modulo", 1);
	report_grids(&p);
	report_questions(&p);
	report_tests(&p);
	report_actions(&p);
	cairo_show_page(p.cr);
	st = cairo_status(p.cr);
	cairo_destroy(p.cr);
	if (st != CAIRO_STATUS_SUCCESS) {
		log_warnx("feedback report: drawing failed: %s", cairo_status_to_string(st));
		goto out;
	}
	cairo_surface_finish(surface);
	st = cairo_surface_status(surface);
	if (st != CAIRO_STATUS_SUCCESS || out->err) {
		log_warnx("feedback report: %s", out->err ? "output past its cap" :
			  cairo_status_to_string(st));
		goto out;
	}
	rc = 0;
out:
	if (surface != NULL)
		cairo_surface_destroy(surface);
	if (rc == -1)
		buf_truncate(out, start);
	buf_release(&p.line);
	buf_release(&p.tmp);
	buf_release(&title);
	return rc;
}
