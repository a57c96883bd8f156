/*
 * pdf.c - cairo helpers shared by the portal's PDFs (see pdf.h).
 */
#include "compat.h"

#include <string.h>

#include <cairo.h>

#include "buf.h"
#include "pdf.h"
#include "valid.h"

/* Contract in pdf.h. */
cairo_status_t
pdf_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct buf *out = closure;

	buf_add(out, data, length);
	return out->err ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* Contract in pdf.h. */
void
pdf_color(cairo_t *cr, const struct pdf_rgb *c)
{
	cairo_set_source_rgb(cr, c->r, c->g, c->b);
}

/* Contract in pdf.h. */
void
pdf_font(cairo_t *cr, const char *family, bool bold, bool italic, double size)
{
	cairo_select_font_face(cr, family,
			       italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/* Contract in pdf.h. */
double
pdf_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t ext;

	cairo_text_extents(cr, s, &ext);
	return ext.x_advance;
}

/* Contract in pdf.h. */
size_t
pdf_utf8_offset(const char *s, size_t k)
{
	size_t i = 0;

	for (; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && k-- == 0)
			break;
	return i;
}

/* Contract in pdf.h. */
void
pdf_cut_at(struct buf *tmp, const char *s, size_t len, unsigned flags)
{
	if (flags & PDF_CUT_TRIM)
		while (len > 0 && s[len - 1] == ' ')
			len--;
	buf_reset(tmp);
	buf_add(tmp, s, len);
	if (flags & PDF_CUT_ELLIPSIS)
		buf_adds(tmp, PDF_ELLIPSIS);
}

/*
 * Contract in pdf.h.  The measured text is first built in tmp (controls
 * as spaces, at most PDF_MEASURE_MAX characters); when it does not fit it
 * is copied aside, since every candidate cut is built in tmp.
 */
const char *
pdf_cut(cairo_t *cr, const char *s, double max_w, unsigned flags, struct buf *tmp)
{
	const char *mark = flags & PDF_CUT_ELLIPSIS ? PDF_ELLIPSIS : "";
	struct buf full;
	size_t len = strlen(s), i = 0, n = 0, lo, hi;
	bool capped;

	buf_reset(tmp);
	while (i < len && n < PDF_MEASURE_MAX) {
		size_t k = valid_utf8_char(s + i, len - i, NULL);

		if (k == 0)
			break;
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			buf_addch(tmp, ' ');
		else
			buf_add(tmp, s + i, k);
		i += k;
		n++;
	}
	/* Stopped on the cap with characters left: cut whatever the width. */
	capped = n == PDF_MEASURE_MAX && i < len;
	if (tmp->err)
		return mark;
	if (!capped && pdf_width(cr, tmp->data) <= max_w)
		return tmp->data;

	buf_init(&full, 0);
	buf_add(&full, tmp->data, tmp->len);
	/*
	 * Binary search on the number of characters kept: lo always qualifies
	 * (0 characters is the mark alone), hi+1 never does.  All n characters
	 * did not fit unless the text was capped, when more follow them.
	 */
	lo = 0;
	hi = capped || n == 0 ? n : n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;

		pdf_cut_at(tmp, full.data, pdf_utf8_offset(full.data, mid), flags);
		if (!tmp->err && pdf_width(cr, tmp->data) <= max_w)
			lo = mid;
		else
			hi = mid - 1;
	}
	pdf_cut_at(tmp, full.data, pdf_utf8_offset(full.data, lo), flags);
	buf_release(&full);
	return tmp->err ? mark : tmp->data;
}

/* Contract in pdf.h. */
void
pdf_text(cairo_t *cr, struct buf *tmp, const char *s, double x, double y, double max_w,
	 unsigned flags)
{
	const char *t = pdf_cut(cr, s, max_w, flags, tmp);

	cairo_move_to(cr, x, y);
	cairo_show_text(cr, t);
}
