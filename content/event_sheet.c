/*
 * event_sheet.c - the attendance sheet as PDF and CSV (see event_sheet.h).
 *
 * Layout, in points on a 595 x 842 page (A4 portrait): the heading (the
 * portal's name, "Foglio firme", the event's title, date and place) at the
 * top of every page, then the table header and as many 30-point rows as
 * fit above the footer ("Pagina n di m").
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>

#include "buf.h"
#include "csv.h"
#include "event_sheet.h"
#include "log.h"
#include "pdf.h"
#include "valid.h"

#define PAGE_W PDF_A4_WIDTH
#define PAGE_H PDF_A4_HEIGHT
#define MARGIN 42.0
#define ROW_H 30.0
#define HEAD_H 22.0
#define TABLE_TOP 190.0
#define TABLE_BOTTOM (PAGE_H - 60.0)
#define ROWS_PER_PAGE ((int)((TABLE_BOTTOM - TABLE_TOP - HEAD_H) / ROW_H))

/* Column edges: n., name, organisation, signature. */
static const double col_x[] = { MARGIN, MARGIN + 34.0, MARGIN + 214.0, MARGIN + 364.0,
				PAGE_W - MARGIN };

/* The sheet's one family, upright. */
static void
event_sheet_font(cairo_t *cr, bool bold, double size)
{
	pdf_font(cr, PDF_FONT, bold, false, size);
}

/* Draws s at (x, y), cut with "…" (spaces before it kept) to max_w; tmp holds it. */
static void
event_sheet_text(cairo_t *cr, struct buf *tmp, const char *s, double x, double y, double max_w)
{
	pdf_text(cr, tmp, s, x, y, max_w, PDF_CUT_ELLIPSIS);
}

/* The heading and the table header of page p (1-based) of pages. */
static void
event_sheet_head(cairo_t *cr, struct buf *tmp, const struct event_sheet *s, int p, int pages)
{
	char foot[64];

	cairo_set_source_rgb(cr, 0x5C / 255.0, 0x6F / 255.0, 0x82 / 255.0);
	event_sheet_font(cr, false, 9);
	event_sheet_text(cr, tmp, s->portal_name, MARGIN, 50, PAGE_W - 2 * MARGIN);
	cairo_set_source_rgb(cr, 0x00, 0x66 / 255.0, 0xCC / 255.0);
	event_sheet_font(cr, true, 20);
	event_sheet_text(cr, tmp, "Foglio firme", MARGIN, 80, PAGE_W - 2 * MARGIN);
	cairo_set_source_rgb(cr, 0x17 / 255.0, 0x32 / 255.0, 0x4D / 255.0);
	event_sheet_font(cr, true, 13);
	event_sheet_text(cr, tmp, s->title, MARGIN, 110, PAGE_W - 2 * MARGIN);
	event_sheet_font(cr, false, 10.5);
	event_sheet_text(cr, tmp, "Data:", MARGIN, 135, 60);
	event_sheet_text(cr, tmp, s->when, MARGIN + 50, 135, PAGE_W - 2 * MARGIN - 50);
	event_sheet_text(cr, tmp, "Luogo:", MARGIN, 155, 60);
	event_sheet_text(cr, tmp, s->place, MARGIN + 50, 155, PAGE_W - 2 * MARGIN - 50);

	/* The table's header row, on a light blue band. */
	cairo_set_source_rgb(cr, 0xE5 / 255.0, 0xF0 / 255.0, 0xFA / 255.0);
	cairo_rectangle(cr, col_x[0], TABLE_TOP, col_x[4] - col_x[0], HEAD_H);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0x17 / 255.0, 0x32 / 255.0, 0x4D / 255.0);
	event_sheet_font(cr, true, 9.5);
	event_sheet_text(cr, tmp, "N.", col_x[0] + 5, TABLE_TOP + 15, col_x[1] - col_x[0] - 8);
	event_sheet_text(cr, tmp, "Nome e cognome", col_x[1] + 5, TABLE_TOP + 15, col_x[2] - col_x[1] - 8);
	event_sheet_text(cr, tmp, "Ente", col_x[2] + 5, TABLE_TOP + 15, col_x[3] - col_x[2] - 8);
	event_sheet_text(cr, tmp, "Firma", col_x[3] + 5, TABLE_TOP + 15, col_x[4] - col_x[3] - 8);

	cairo_set_source_rgb(cr, 0x5C / 255.0, 0x6F / 255.0, 0x82 / 255.0);
	event_sheet_font(cr, false, 8.5);
	snprintf(foot, sizeof(foot), "Pagina %d di %d", p, pages);
	cairo_move_to(cr, PAGE_W - MARGIN - pdf_width(cr, foot), PAGE_H - 30);
	cairo_show_text(cr, foot);
}

/* Row i (0-based on its page) with number num and, unless row is NULL, its registrant. */
static void
event_sheet_row(cairo_t *cr, struct buf *tmp, int i, int num, const struct event_sheet_row *row)
{
	double y = TABLE_TOP + HEAD_H + i * ROW_H;
	char n[16];

	cairo_set_source_rgb(cr, 0x17 / 255.0, 0x32 / 255.0, 0x4D / 255.0);
	cairo_set_line_width(cr, 0.6);
	cairo_rectangle(cr, col_x[0], y, col_x[4] - col_x[0], ROW_H);
	for (int c = 1; c < 4; c++) {
		cairo_move_to(cr, col_x[c], y);
		cairo_line_to(cr, col_x[c], y + ROW_H);
	}
	cairo_stroke(cr);
	event_sheet_font(cr, false, 9.5);
	snprintf(n, sizeof(n), "%d", num);
	event_sheet_text(cr, tmp, n, col_x[0] + 5, y + 19, col_x[1] - col_x[0] - 8);
	if (row != NULL) {
		event_sheet_text(cr, tmp, row->name, col_x[1] + 5, y + 19, col_x[2] - col_x[1] - 10);
		event_sheet_text(cr, tmp, row->organisation, col_x[2] + 5, y + 19,
				 col_x[3] - col_x[2] - 10);
	}
}

static bool
event_sheet_ok(const char *s)
{
	return s != NULL && valid_utf8(s, strlen(s));
}

int
event_sheet_pdf(const struct event_sheet *s, struct buf *out)
{
	cairo_surface_t *surface = NULL;
	cairo_t *cr = NULL;
	cairo_status_t st;
	struct buf tmp;
	size_t start = out->len;
	int rows, pages, rc = -1;

	buf_init(&tmp, 0);
	if (!event_sheet_ok(s->portal_name) || !event_sheet_ok(s->title) ||
	    !event_sheet_ok(s->when) || !event_sheet_ok(s->place) ||
	    s->nrows < 0 || s->nrows > EVENT_SHEET_ROWS_MAX || (s->nrows > 0 && s->rows == NULL)) {
		log_warnx("attendance sheet: missing or malformed field");
		goto out;
	}
	for (int i = 0; i < s->nrows; i++)
		if (!event_sheet_ok(s->rows[i].name) || !event_sheet_ok(s->rows[i].organisation)) {
			log_warnx("attendance sheet: row %d is not UTF-8", i + 1);
			goto out;
		}
	if (out->err)
		goto out;
	rows = s->nrows + EVENT_SHEET_BLANK_ROWS;
	pages = (rows + ROWS_PER_PAGE - 1) / ROWS_PER_PAGE;

	surface = cairo_pdf_surface_create_for_stream(pdf_write, out, PAGE_W, PAGE_H);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		log_warnx("attendance sheet: %s", cairo_status_to_string(cairo_surface_status(surface)));
		goto out;
	}
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "Foglio firme");
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, s->title);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, s->portal_name);
	cr = cairo_create(surface);
	for (int p = 0; p < pages; p++) {
		event_sheet_head(cr, &tmp, s, p + 1, pages);
		for (int i = 0; i < ROWS_PER_PAGE; i++) {
			int k = p * ROWS_PER_PAGE + i;
			if (k >= rows)
				break;
			event_sheet_row(cr, &tmp, i, k + 1, k < s->nrows ? &s->rows[k] : NULL);
		}
		cairo_show_page(cr);
	}
	/* A context in error ignores every later call: one check suffices. */
	if ((st = cairo_status(cr)) != CAIRO_STATUS_SUCCESS) {
		log_warnx("attendance sheet: drawing failed: %s", cairo_status_to_string(st));
		goto out;
	}
	cairo_destroy(cr);
	cr = NULL;
	cairo_surface_finish(surface);
	st = cairo_surface_status(surface);
	if (st != CAIRO_STATUS_SUCCESS || out->err || tmp.err) {
		log_warnx("attendance sheet: %s", out->err ? "output past its cap" :
			  cairo_status_to_string(st));
		goto out;
	}
	rc = 0;
out:
	if (cr != NULL)
		cairo_destroy(cr);
	if (surface != NULL)
		cairo_surface_destroy(surface);
	if (rc == -1)
		buf_truncate(out, start);
	buf_release(&tmp);
	return rc;
}

void
event_sheet_csv(const struct event_sheet *s, struct buf *out)
{
	static const char *const head[] = { "N.", "Nome e cognome", "Email", "Ente", "Stato",
					    "Iscritto il" };
	char n[16];

	buf_adds(out, CSV_BOM);
	csv_row(out, head, (int)ARRAY_SIZE(head));
	for (int i = 0; i < s->nrows; i++) {
		const struct event_sheet_row *r = &s->rows[i];
		snprintf(n, sizeof(n), "%d", i + 1);
		csv_cell(out, n, true);
		csv_cell(out, r->name, false);
		csv_cell(out, r->email, false);
		csv_cell(out, r->organisation, false);
		csv_cell(out, r->status, false);
		csv_cell(out, r->registered, false);
		csv_row_end(out);
	}
}
