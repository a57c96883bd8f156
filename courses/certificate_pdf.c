/*
 * certificate_pdf.c - the certificate as a PDF page (see certificate_pdf.h).
 *
 * Layout, in points on an 842 x 595 page: a double blue frame; the emblem
 * and the portal's name at the top left; the title, "si certifica che",
 * the holder, the level and the course centred; at the bottom left the
 * dates, the code and a note on verification, at the bottom right the QR
 * code with its URL under it.
 */
#include "compat.h"

#include <math.h>	/* M_PI */
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <qrencode.h>

#include "buf.h"
#include "log.h"
#include "pdf.h"
#include "valid.h"
#include "certificate_pdf.h"

#define PAGE_W CERTIFICATE_PDF_WIDTH
#define PAGE_H CERTIFICATE_PDF_HEIGHT

#define MARGIN 80.0		/* left and right edge of the text */
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define QR_SIZE 112.0		/* the QR code with its quiet zone */
#define QR_QUIET 4		/* modules of quiet zone on each side (ISO/IEC 18004) */
#define QR_X (PAGE_W - MARGIN + 16.0 - QR_SIZE)
#define QR_Y 404.0

enum align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

/* Bootstrap Italia: primary blue #0066CC, dark text #17324D, grey #5C6F82. */
static const struct pdf_rgb blue = { 0x00 / 255.0, 0x66 / 255.0, 0xCC / 255.0 };
static const struct pdf_rgb dark = { 0x17 / 255.0, 0x32 / 255.0, 0x4D / 255.0 };
static const struct pdf_rgb grey = { 0x5C / 255.0, 0x6F / 255.0, 0x82 / 255.0 };
static const struct pdf_rgb white = { 1.0, 1.0, 1.0 };

/*
 * Sets the current font to the largest size in [min_size, size] at which
 * s fits in max_w and returns the text to draw: s itself, or, if s does
 * not fit even at min_size, its cut with "…" after the last word
 * (pdf_cut()), built in tmp
 * (valid until tmp's next use).  The font face must already be selected.
 */
static const char *
fit_text(cairo_t *cr, const char *s, double max_w, double size, double min_size,
	 struct buf *tmp)
{
	double w;

	if (valid_utf8_length(s, strlen(s)) > PDF_MEASURE_MAX) {
		/* Never fits: go straight to the smallest size and the cut. */
		cairo_set_font_size(cr, min_size);
		return pdf_cut(cr, s, max_w, PDF_CUT_ELLIPSIS | PDF_CUT_TRIM, tmp);
	}
	for (;;) {
		double next;

		cairo_set_font_size(cr, size);
		w = pdf_width(cr, s);
		if (w <= max_w)
			return s;
		if (size <= min_size)
			break;
		/* Width scales with size: jump near the answer, in half points. */
		next = (double)(long)(size * max_w / w * 2.0) / 2.0;
		if (next >= size)
			next = size - 0.5;
		size = next < min_size ? min_size : next;
	}
	return pdf_cut(cr, s, max_w, PDF_CUT_ELLIPSIS | PDF_CUT_TRIM, tmp);
}

/* Draws s with its baseline at y, aligned on x. */
static void
draw_text(cairo_t *cr, const char *s, double x, double y, enum align align)
{
	double w = pdf_width(cr, s);

	if (align == ALIGN_CENTER)
		x -= w / 2.0;
	else if (align == ALIGN_RIGHT)
		x -= w;
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

/* Fits (fit_text()) and draws s centred on the page at baseline y. */
static void
draw_fitted(cairo_t *cr, struct buf *tmp, const char *s, double y, double size,
	    double min_size)
{
	draw_text(cr, fit_text(cr, s, TEXT_W, size, min_size, tmp), PAGE_W / 2.0, y, ALIGN_CENTER);
}

/* One page of an open book, from the spine outwards (dir -1 left, +1 right). */
static void
book_page(cairo_t *cr, double cx, double cy, double dir)
{
	cairo_move_to(cr, cx + dir * 1.6, cy - 9.0);
	cairo_curve_to(cr, cx + dir * 6.0, cy - 13.0, cx + dir * 12.0, cy - 13.5,
		       cx + dir * 18.0, cy - 11.0);
	cairo_line_to(cr, cx + dir * 18.0, cy + 10.0);
	cairo_curve_to(cr, cx + dir * 12.0, cy + 7.5, cx + dir * 6.0, cy + 8.0,
		       cx + dir * 1.6, cy + 12.0);
	cairo_close_path(cr);
}

/*
 * The portal's emblem, centred on (cx, cy), radius r = 30: a blue disc
 * inside a thin blue ring, with a white open book whose pages carry three
 * blue lines of text each.  Drawn at a fixed size, so the coordinates are
 * the design's own.
 */
static void
draw_emblem(cairo_t *cr, double cx, double cy)
{
	int i;

	pdf_color(cr, &blue);
	cairo_set_line_width(cr, 1.4);
	cairo_arc(cr, cx, cy, 30.0, 0, 2 * M_PI);
	cairo_stroke(cr);
	cairo_arc(cr, cx, cy, 26.5, 0, 2 * M_PI);
	cairo_fill(cr);

	pdf_color(cr, &white);
	book_page(cr, cx, cy + 1.0, -1.0);
	book_page(cr, cx, cy + 1.0, 1.0);
	cairo_fill(cr);

	pdf_color(cr, &blue);
	cairo_set_line_width(cr, 1.1);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
	for (i = 0; i < 3; i++) {
		double y = cy - 5.0 + i * 5.0;

		cairo_move_to(cr, cx - 14.5, y);
		cairo_curve_to(cr, cx - 10.0, y - 1.8, cx - 7.0, y - 1.8, cx - 4.5, y);
		cairo_move_to(cr, cx + 4.5, y);
		cairo_curve_to(cr, cx + 7.0, y - 1.8, cx + 10.0, y - 1.8, cx + 14.5, y);
	}
	cairo_stroke(cr);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
}

/* The double frame around the page, with a short blue accent at the top. */
static void
draw_frame(cairo_t *cr)
{
	pdf_color(cr, &blue);
	cairo_set_line_width(cr, 2.5);
	cairo_rectangle(cr, 20.0, 20.0, PAGE_W - 40.0, PAGE_H - 40.0);
	cairo_stroke(cr);
	cairo_set_line_width(cr, 0.75);
	cairo_rectangle(cr, 27.0, 27.0, PAGE_W - 54.0, PAGE_H - 54.0);
	cairo_stroke(cr);
}

/*
 * The QR code of url with its quiet zone, QR_SIZE wide, top left at (x, y).
 * Dark modules are merged into horizontal runs and filled as one path: a
 * viewer then shows no hairline seams between neighbouring squares.
 */
static int
draw_qr(cairo_t *cr, const char *url, double x, double y)
{
	QRcode *qr;
	double m;
	int row, col, rc = -1;

	qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL) {
		log_warn("certificate pdf: cannot encode QR code of %zu bytes", strlen(url));
		goto out;
	}
	m = QR_SIZE / (qr->width + 2 * QR_QUIET);
	pdf_color(cr, &white);
	cairo_rectangle(cr, x, y, QR_SIZE, QR_SIZE);
	cairo_fill(cr);
	pdf_color(cr, &dark);
	for (row = 0; row < qr->width; row++) {
		for (col = 0; col < qr->width; col++) {
			int start = col;

			while (col < qr->width && (qr->data[row * qr->width + col] & 1))
				col++;
			if (col > start)
				cairo_rectangle(cr, x + (QR_QUIET + start) * m,
						y + (QR_QUIET + row) * m, (col - start) * m, m);
		}
	}
	cairo_fill(cr);
	rc = 0;
out:
	QRcode_free(qr);
	return rc;
}

/* "Etichetta: valore" at (x, y), the label in grey, the value bold in dark. */
static void
draw_field(cairo_t *cr, struct buf *tmp, const char *label, const char *value,
	   const char *value_font, double x, double y, double max_w)
{
	double lw;

	pdf_font(cr, PDF_FONT, false, false, 11.0);
	pdf_color(cr, &grey);
	draw_text(cr, label, x, y, ALIGN_LEFT);
	lw = pdf_width(cr, label) + 5.0;
	pdf_font(cr, value_font, true, false, 11.0);
	pdf_color(cr, &dark);
	draw_text(cr, fit_text(cr, value, max_w - lw, 11.0, 8.0, tmp), x + lw, y, ALIGN_LEFT);
}

static void
draw_page(cairo_t *cr, const struct certificate_pdf *c, struct buf *tmp)
{
	double by, left_w = QR_X - MARGIN - 30.0;

	draw_frame(cr);

	/* Header: emblem and portal name. */
	draw_emblem(cr, MARGIN - 4.0, 76.0);
	pdf_font(cr, PDF_FONT, true, false, 17.0);
	pdf_color(cr, &blue);
	draw_text(cr, fit_text(cr, c->portal_name, PAGE_W - 2 * MARGIN - 40.0, 17.0, 9.0, tmp),
		  MARGIN + 38.0, 82.0, ALIGN_LEFT);
	cairo_set_line_width(cr, 0.75);
	cairo_move_to(cr, MARGIN + 38.0, 92.0);
	cairo_line_to(cr, PAGE_W - MARGIN, 92.0);
	cairo_stroke(cr);

	/* Body, centred. */
	pdf_font(cr, PDF_FONT, true, false, 32.0);
	pdf_color(cr, &dark);
	draw_fitted(cr, tmp, "Attestato di certificazione", 160.0, 32.0, 20.0);

	pdf_font(cr, PDF_FONT, false, true, 14.0);
	pdf_color(cr, &grey);
	draw_text(cr, "si certifica che", PAGE_W / 2.0, 202.0, ALIGN_CENTER);

	pdf_font(cr, PDF_FONT, true, false, 30.0);
	pdf_color(cr, &dark);
	draw_fitted(cr, tmp, c->holder, 246.0, 30.0, 14.0);

	pdf_font(cr, PDF_FONT, false, true, 14.0);
	pdf_color(cr, &grey);
	draw_text(cr, "ha conseguito il livello", PAGE_W / 2.0, 284.0, ALIGN_CENTER);

	pdf_font(cr, PDF_FONT, true, false, 22.0);
	pdf_color(cr, &blue);
	draw_fitted(cr, tmp, c->level, 318.0, 22.0, 12.0);

	pdf_font(cr, PDF_FONT, false, true, 14.0);
	pdf_color(cr, &grey);
	draw_text(cr, "nel corso", PAGE_W / 2.0, 350.0, ALIGN_CENTER);

	pdf_font(cr, PDF_FONT, true, false, 19.0);
	pdf_color(cr, &dark);
	draw_fitted(cr, tmp, c->course, 381.0, 19.0, 10.0);

	/* Bottom left: dates, code and how to verify. */
	by = 446.0;
	draw_field(cr, tmp, "Data di rilascio:", c->issued, PDF_FONT, MARGIN, by, left_w);
	by += 20.0;
	if (c->expires != NULL) {
		draw_field(cr, tmp, "Valido fino al:", c->expires, PDF_FONT, MARGIN, by,
			   left_w);
		by += 20.0;
	}
	draw_field(cr, tmp, "Codice:", c->code, PDF_FONT_MONO, MARGIN, by, left_w);

	pdf_font(cr, PDF_FONT, false, false, 8.5);
	pdf_color(cr, &grey);
	draw_text(cr, "Attestato firmato digitalmente dal portale (Ed25519). Per verificarne la",
		  MARGIN, 520.0, ALIGN_LEFT);
	draw_text(cr, "validit\xc3\xa0 inquadra il codice QR o apri l'indirizzo riportato sotto di esso.",
		  MARGIN, 532.0, ALIGN_LEFT);

	/* Bottom right: the QR code's own drawing is checked by the caller. */
	pdf_font(cr, PDF_FONT, false, false, 7.5);
	pdf_color(cr, &grey);
	draw_text(cr, fit_text(cr, c->verify_url, 330.0, 7.5, 5.5, tmp), QR_X + QR_SIZE,
		  QR_Y + QR_SIZE + 12.0, ALIGN_RIGHT);
}

/* A required field: non-empty, single-line UTF-8. */
static bool
field_ok(const char *s)
{
	size_t len;

	if (s == NULL || s[0] == '\0')
		return false;
	len = strlen(s);
	return valid_utf8(s, len) && strpbrk(s, "\t\r\n") == NULL;
}

int
certificate_pdf_render(const struct certificate_pdf *c, struct buf *out)
{
	const struct {
		const char *name, *value;
	} fields[] = {
		{ "portal_name", c->portal_name }, { "holder", c->holder },
		{ "course", c->course }, { "level", c->level }, { "issued", c->issued },
		{ "code", c->code }, { "verify_url", c->verify_url },
	};
	cairo_surface_t *surface = NULL;
	cairo_t *cr = NULL;
	cairo_status_t st;
	struct buf tmp, title;
	size_t start = out->len;
	size_t i;
	int rc = -1;

	buf_init(&tmp, 0);
	buf_init(&title, 0);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (!field_ok(fields[i].value)) {
			log_warnx("certificate pdf: \"%s\" is missing or not single-line UTF-8",
				  fields[i].name);
			goto out;
		}
	}
	if (c->expires != NULL && !field_ok(c->expires)) {
		log_warnx("certificate pdf: \"expires\" is not single-line UTF-8");
		goto out;
	}
	if (out->err) {
		log_warnx("certificate pdf: output buffer already failed");
		goto out;
	}

	surface = cairo_pdf_surface_create_for_stream(pdf_write, out, PAGE_W, PAGE_H);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		log_warnx("certificate pdf: %s",
			  cairo_status_to_string(cairo_surface_status(surface)));
		goto out;
	}
	buf_printf(&title, "Attestato di certificazione %s", c->code);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.data);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, c->portal_name);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, c->portal_name);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, c->course);

	cr = cairo_create(surface);
	draw_page(cr, c, &tmp);
	if (draw_qr(cr, c->verify_url, QR_X, QR_Y) == -1)
		goto out;
	cairo_show_page(cr);
	/* A context in error ignores every later call: one check suffices. */
	st = cairo_status(cr);
	if (st != CAIRO_STATUS_SUCCESS) {
		log_warnx("certificate pdf: drawing failed: %s", cairo_status_to_string(st));
		goto out;
	}
	cairo_destroy(cr);
	cr = NULL;
	/* finish() writes the rest of the file through pdf_write(). */
	cairo_surface_finish(surface);
	st = cairo_surface_status(surface);
	if (st != CAIRO_STATUS_SUCCESS || out->err) {
		log_warnx("certificate pdf: %s", out->err ? "output past its cap" :
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
	buf_release(&title);
	return rc;
}
