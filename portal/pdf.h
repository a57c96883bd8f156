/*
 * pdf.h - the small helpers every PDF drawn with cairo needs: the stream
 * callback into a struct buf, font and colour selection, text measuring,
 * and text cut on a character with "…" to fit a width.
 *
 * Text goes through cairo's toy API (cairo_select_font_face,
 * cairo_show_text), whose advance widths add up glyph by glyph with no
 * kerning: a longer prefix of a string is never narrower, which is what
 * lets pdf_cut() search for the longest prefix that fits.
 *
 * Nothing here allocates memory that outlives a call (pdf_cut() may use a
 * short-lived copy) or keeps state: thread-safe as long as a cairo context
 * and a buf are used by one thread at a time.  Nothing logs, except the
 * out-of-memory abort of buf.h.
 */
#ifndef PORTAL_PDF_H
#define PORTAL_PDF_H

#include "compat.h"

#include <stddef.h>

#include <cairo.h>

#include "buf.h"

/* A4 portrait in PostScript points; landscape swaps them. */
#define PDF_A4_WIDTH 595.0
#define PDF_A4_HEIGHT 842.0

#define PDF_FONT "DejaVu Sans"
#define PDF_FONT_MONO "DejaVu Sans Mono"
#define PDF_ELLIPSIS "\xe2\x80\xa6"	/* U+2026, put where a text was cut */

/*
 * Longest text, in code points, that pdf_cut() measures; the rest is cut
 * unseen.  At the smallest size the portal uses no more than about 300
 * characters fit its widest box, so this only keeps a hostile 1 MB string
 * from costing a million glyph lookups per measurement.
 */
#define PDF_MEASURE_MAX 1000

/* A colour, each component in 0..1 (cairo's own scale). */
struct pdf_rgb {
	double r, g, b;
};

/*
 * cairo's write callback (cairo_write_func_t): appends the bytes to the
 * struct buf passed as closure to cairo_pdf_surface_create_for_stream().
 * Returns CAIRO_STATUS_WRITE_ERROR once the buf's sticky err is set (its
 * cap was passed, or it was set before), which puts the surface in error:
 * the caller checks cairo_surface_status() after cairo_surface_finish()
 * and then out->err to tell a cap from a cairo failure.
 */
cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int length);

/* Makes c the source colour of cr (cairo_set_source_rgb). */
void pdf_color(cairo_t *cr, const struct pdf_rgb *c);

/*
 * Selects family (PDF_FONT, PDF_FONT_MONO), bold or normal weight, italic
 * or upright, at size points, as cr's current font.  The family string is
 * only read during the call.
 */
void pdf_font(cairo_t *cr, const char *family, bool bold, bool italic, double size);

/*
 * Advance width of s, in points, in cr's current font: where the next
 * text would start.  s must be valid UTF-8 (cairo puts cr in error on
 * anything else, and the width is then 0).
 */
double pdf_width(cairo_t *cr, const char *s);

/*
 * Byte offset of the k-th code point of s (0-based), or strlen(s) if s
 * has no more than k.  Counts lead bytes, so it is exact on valid UTF-8.
 */
size_t pdf_utf8_offset(const char *s, size_t k);

/*
 * How pdf_cut() ends a text it had to cut.  The three PDFs differ here and
 * each keeps its look: the certificate trims, the attendance sheet does
 * not, the feedback report's running header has no mark at all.
 */
#define PDF_CUT_ELLIPSIS 0x1	/* append PDF_ELLIPSIS */
#define PDF_CUT_TRIM 0x2	/* drop the spaces the kept part ends with */

/*
 * Puts in tmp (emptied first) s[0..len), without its final spaces if
 * flags has PDF_CUT_TRIM, then PDF_ELLIPSIS if flags has
 * PDF_CUT_ELLIPSIS.  len must lie on a character boundary of s.  The
 * caller checks tmp->err.
 */
void pdf_cut_at(struct buf *tmp, const char *s, size_t len, unsigned flags);

/*
 * The text to draw for s in at most max_w points in cr's current font:
 * s itself if it fits, else the longest prefix of whole characters that
 * fits once ended as flags say (pdf_cut_at()); with no character at all,
 * "…" (even if it does not fit either, so that a cut always shows) or "".
 *
 * Control characters (a line break in a name) become spaces; a text of
 * more than PDF_MEASURE_MAX code points is always cut, after at most that
 * many; s should be valid UTF-8, and is read up to its first malformed
 * sequence only (cairo would refuse the string).
 *
 * The result is built in tmp (emptied first) and is tmp->data, valid
 * until tmp's next use; if tmp passes its cap it is a static "…" or "".
 * Allocates a transient copy of s when cutting; out of memory aborts.
 */
const char *pdf_cut(cairo_t *cr, const char *s, double max_w, unsigned flags,
		    struct buf *tmp);

/*
 * Draws s, cut as flags say (pdf_cut(), built in tmp), in cr's current
 * font and source, with its baseline starting at (x, y).  What was drawn
 * stays in tmp->data until tmp's next use.
 */
void pdf_text(cairo_t *cr, struct buf *tmp, const char *s, double x, double y, double max_w,
	      unsigned flags);

#endif
