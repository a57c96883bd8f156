/*
 * chart.c - accessible SVG charts (see chart.h).
 *
 * The drawing is a fixed 640-unit-wide viewBox: the browser scales it to
 * the column it sits in, and a printer to the page.  Text sizes are
 * chosen so that at 640 CSS pixels they match the page's body text.
 * Nothing is measured (the server knows no font metrics), so labels get
 * a line of their own above their bar, where a long one has room.
 */
#include "compat.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "valid.h"

#define W 640			/* viewBox width */
#define BAR_TRACK 480		/* bar length at max */
#define VALUE_X 492		/* where the value column starts */
#define ROW_H 50		/* a bar chart row: label, bar */
#define DIST_ROW_H 76		/* a distribution row: label, bar, counts */

#define C_TEXT "#17324d"	/* 13.1:1 on white */
#define C_MUTED "#4d5b66"	/* 7.0:1 on white: notes, ticks */
#define C_BAR "#0066cc"		/* 5.6:1 on white */
#define C_GRID "#c5ced6"	/* decorative: the figures are written out */

#define FONT "'Titillium Web', Geneva, Tahoma, sans-serif"

/*
 * The categories' fills, in order (an ordinal scale reads from red, low,
 * to navy, high); each is at least 4.8:1 on white, and so are the white
 * strokes of the pattern laid over it.
 */
static const char *const palette[CHART_CATEGORIES_MAX] = {
	"#a61919", "#b35900", "#5c6f82", "#0066cc", "#00264d", "#00594f", "#6b2e8f", "#333333",
};

/* The white marks over each category's fill (one shape per category), in an 8x8 tile. */
static const char *const pattern_marks[CHART_CATEGORIES_MAX] = {
	"",
	"<path d=\"M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
	"<circle cx=\"4\" cy=\"4\" r=\"1.6\" fill=\"#ffffff\"/>",
	"<path d=\"M0,4 h8\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
	"<path d=\"M0,0 l8,8 M8,0 l-8,8\" stroke=\"#ffffff\" stroke-width=\"1.2\"/>",
	"<path d=\"M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
	"<path d=\"M4,0 v8\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
	"<path d=\"M0,4 h8 M4,0 v8\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
};

/*
 * Appends s as XML text, at most maxcp code points (0: no limit; a longer
 * text ends in "…").  Escapes the five XML specials, turns bytes that are
 * not UTF-8 into U+FFFD and control characters into spaces: the result
 * is well-formed in an HTML page and in a stand-alone SVG file.
 */
static void
put_text(struct buf *out, const char *s, size_t maxcp)
{
	size_t n, i, len, cps = 0, limit = 0, k;
	uint32_t cp;

	if (s == NULL)
		return;
	n = strlen(s);
	if (maxcp > 0) {
		for (i = 0; i < n; i += len, cps++) {
			len = valid_utf8_char(s + i, n - i, NULL);
			if (len == 0)
				len = 1;
		}
		if (cps > maxcp)
			limit = maxcp - 1;
	}
	for (i = 0, k = 0; i < n; i += len, k++) {
		if (limit > 0 && k == limit) {
			buf_adds(out, "\xE2\x80\xA6");
			break;
		}
		len = valid_utf8_char(s + i, n - i, &cp);
		if (len == 0) {
			buf_adds(out, "\xEF\xBF\xBD");
			len = 1;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			buf_addch(out, ' ');
			continue;
		}
		if (cp == 0xfffe || cp == 0xffff) {	/* not XML characters */
			buf_adds(out, "\xEF\xBF\xBD");
			continue;
		}
		switch (cp) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default: buf_add(out, s + i, len); break;
		}
	}
}

/* Contract in chart.h. */
void
chart_number(struct buf *out, double v, int decimals)
{
	char tmp[64], *p;
	int n;

	if (!isfinite(v)) {
		buf_adds(out, "n.d.");
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 3)
		decimals = 3;
	n = snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		buf_adds(out, "n.d.");
		return;
	}
	if ((p = strchr(tmp, '.')) != NULL)
		*p = ',';
	/* "-0,0" is a rounding artefact, not a figure. */
	p = tmp;
	if (*p == '-' && strspn(p + 1, "0,") == strlen(p + 1))
		p++;
	buf_adds(out, p);
}

/* A coordinate, with a dot and one decimal (SVG syntax, not Italian). */
static void
put_coord(struct buf *out, double v)
{
	buf_printf(out, "%.1f", v);
}

static bool
id_ok(const char *id)
{
	size_t n;

	if (id == NULL)
		return false;
	n = strlen(id);
	return n >= 1 && n <= CHART_ID_MAX &&
	       strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* "7 risposte", "1 risposta". */
static void
put_answers(struct buf *out, long long n)
{
	buf_printf(out, "%lld %s", n, n == 1 ? "risposta" : "risposte");
}

/* The opening <svg> with its name and description holder; the caller writes the desc text. */
static void
open_svg(struct buf *out, const char *id, const char *title, int height)
{
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
		   "viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"%s-title %s-desc\" "
		   "font-family=\"%s\" font-size=\"14\" fill=\"%s\">", W, height, id, id, FONT, C_TEXT);
	buf_printf(out, "<title id=\"%s-title\">", id);
	put_text(out, title, 0);
	buf_printf(out, "</title><desc id=\"%s-desc\">", id);
}

/* Value of a bar as its text says it: number, unit, or "nessun dato". */
static void
put_bar_value(struct buf *out, const struct chart_bars *c, double v)
{
	if (isnan(v)) {
		buf_adds(out, "nessun dato");
		return;
	}
	chart_number(out, v, c->decimals);
	if (c->unit != NULL && c->unit[0] != '\0') {
		buf_addch(out, ' ');
		put_text(out, c->unit, 0);
	}
}

/* Scale ticks: each integer when max is a small integer, else quarters. */
static int
tick_count(double max)
{
	if (max == floor(max) && max >= 1 && max <= 10)
		return (int)max;
	return 4;
}

/* Contract in chart.h. */
int
chart_bars_svg(struct buf *out, const struct chart_bars *c)
{
	size_t start = out->len, i;
	bool scale;
	int height, ticks, t, rc = -1;
	double y, w, v;

	if (c == NULL || !id_ok(c->id) || c->title == NULL || c->decimals < 0 ||
	    c->decimals > 3 || c->nbars > CHART_ITEMS_MAX || (c->nbars > 0 && c->bars == NULL))
		goto out;
	scale = isfinite(c->max) && c->max > 0;
	height = c->nbars == 0 ? 48 : 12 + (int)c->nbars * ROW_H + (scale ? 24 : 0);
	open_svg(out, c->id, c->title, height);

	/* The sentence a screen reader speaks: every figure, in order. */
	put_text(out, c->title, 0);
	if (c->nbars == 0) {
		buf_adds(out, ": nessun dato disponibile.</desc>");
		buf_printf(out, "<text x=\"0\" y=\"28\">Nessun dato disponibile.</text></svg>");
		goto done;
	}
	buf_adds(out, ". ");
	for (i = 0; i < c->nbars; i++) {
		put_text(out, c->bars[i].label, 0);
		buf_adds(out, ": ");
		put_bar_value(out, c, c->bars[i].value);
		if (c->bars[i].note != NULL && c->bars[i].note[0] != '\0') {
			buf_adds(out, " (");
			put_text(out, c->bars[i].note, 0);
			buf_addch(out, ')');
		}
		buf_adds(out, i + 1 < c->nbars ? "; " : ".");
	}
	buf_adds(out, "</desc>");

	/* Grid lines first, so the bars are drawn over them. */
	if (scale) {
		ticks = tick_count(c->max);
		for (t = 0; t <= ticks; t++) {
			double x = BAR_TRACK * (double)t / ticks;

			buf_adds(out, "<line x1=\"");
			put_coord(out, x + 0.5);
			buf_printf(out, "\" y1=\"12\" x2=\"");
			put_coord(out, x + 0.5);
			buf_printf(out, "\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1\"/>",
				   12 + (int)c->nbars * ROW_H, C_GRID);
			buf_adds(out, "<text x=\"");
			put_coord(out, x + 0.5);
			buf_printf(out, "\" y=\"%d\" font-size=\"12\" fill=\"%s\" text-anchor=\"%s\">",
				   height - 6, C_MUTED, t == 0 ? "start" : t == ticks ? "end" : "middle");
			chart_number(out, c->max * t / ticks, c->max * t / ticks == floor(c->max * t / ticks)
				     ? 0 : c->decimals);
			buf_adds(out, "</text>");
		}
	}

	for (i = 0; i < c->nbars; i++) {
		y = 12 + (double)i * ROW_H;
		v = c->bars[i].value;
		buf_adds(out, "<text x=\"0\" y=\"");
		put_coord(out, y + 15);
		buf_adds(out, "\">");
		put_text(out, c->bars[i].label, CHART_LABEL_MAX);
		buf_adds(out, "</text>");
		if (scale && !isnan(v)) {
			w = v <= 0 ? 0 : v >= c->max ? BAR_TRACK : BAR_TRACK * v / c->max;
			/* A zero still shows a hairline, so it reads as "0", not "missing". */
			if (w < 2)
				w = 2;
			buf_adds(out, "<rect x=\"0\" y=\"");
			put_coord(out, y + 22);
			buf_adds(out, "\" width=\"");
			put_coord(out, w);
			buf_printf(out, "\" height=\"20\" fill=\"%s\"/>", C_BAR);
		}
		buf_printf(out, "<text x=\"%d\" y=\"", scale ? VALUE_X : 0);
		put_coord(out, y + 37);
		buf_adds(out, "\" font-weight=\"600\">");
		put_bar_value(out, c, v);
		if (c->bars[i].note != NULL && c->bars[i].note[0] != '\0') {
			/* The space stays outside the tspan: renderers drop a leading one. */
			buf_printf(out, " <tspan font-weight=\"400\" font-size=\"12\" fill=\"%s\">(", C_MUTED);
			put_text(out, c->bars[i].note, CHART_LABEL_MAX);
			buf_adds(out, ")</tspan>");
		}
		buf_adds(out, "</text>");
	}
	buf_adds(out, "</svg>");
done:
	if (out->err)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		buf_truncate(out, start);
	return rc;
}

/* The <defs> with one pattern per category. */
static void
put_patterns(struct buf *out, const char *id, size_t n)
{
	size_t i;

	buf_adds(out, "<defs>");
	for (i = 0; i < n; i++)
		buf_printf(out, "<pattern id=\"%s-p%zu\" width=\"8\" height=\"8\" "
			   "patternUnits=\"userSpaceOnUse\"><rect width=\"8\" height=\"8\" "
			   "fill=\"%s\"/>%s</pattern>", id, i, palette[i], pattern_marks[i]);
	buf_adds(out, "</defs>");
}

/* Code points of s as drawn (invalid bytes count one each). */
static size_t
text_width(const char *s)
{
	size_t n = s == NULL ? 0 : strlen(s), i, len, cps = 0;

	for (i = 0; i < n; i += len, cps++)
		if ((len = valid_utf8_char(s + i, n - i, NULL)) == 0)
			len = 1;
	return cps;
}

/*
 * Lays the legend out in lines: returns its height, and writes it when
 * out is not NULL.  Widths are estimated (8 units a character at 13 px,
 * generous for Titillium), so entries never overlap.
 */
static int
legend(struct buf *out, const struct chart_dist *c)
{
	double x = 0, ew;
	int line = 0;
	size_t i, cps;

	for (i = 0; i < c->ncategories; i++) {
		cps = text_width(c->categories[i].key);
		if (c->categories[i].name != NULL)
			cps += 3 + text_width(c->categories[i].name);
		if (cps > CHART_LABEL_MAX)
			cps = CHART_LABEL_MAX;
		ew = 22 + 8.0 * (double)cps + 18;
		if (x > 0 && x + ew > W) {
			x = 0;
			line++;
		}
		if (out != NULL) {
			buf_adds(out, "<rect x=\"");
			put_coord(out, x + 0.5);
			buf_printf(out, "\" y=\"%d.5\" width=\"15\" height=\"15\" fill=\"url(#%s-p%zu)\" "
				   "stroke=\"%s\" stroke-width=\"1\"/>", 4 + line * 22, c->id, i, C_TEXT);
			buf_adds(out, "<text x=\"");
			put_coord(out, x + 22);
			buf_printf(out, "\" y=\"%d\" font-size=\"13\">", 17 + line * 22);
			put_text(out, c->categories[i].key, CHART_LABEL_MAX);
			if (c->categories[i].name != NULL) {
				buf_adds(out, " = ");
				put_text(out, c->categories[i].name, CHART_LABEL_MAX);
			}
			buf_adds(out, "</text>");
		}
		x += ew;
	}
	return (line + 1) * 22 + 8;
}

/* Contract in chart.h. */
int
chart_dist_svg(struct buf *out, const struct chart_dist *c)
{
	size_t start = out->len, i, k;
	long long total, cum;
	int height, top, rc = -1;
	double y, x0, x1;

	if (c == NULL || !id_ok(c->id) || c->title == NULL || c->ncategories < 1 ||
	    c->ncategories > CHART_CATEGORIES_MAX || c->categories == NULL ||
	    c->nseries > CHART_ITEMS_MAX || (c->nseries > 0 && c->series == NULL))
		goto out;
	for (k = 0; k < c->ncategories; k++)
		if (c->categories[k].key == NULL)
			goto out;
	for (i = 0; i < c->nseries; i++) {
		if (c->series[i].counts == NULL)
			goto out;
		for (k = 0, total = 0; k < c->ncategories; k++) {
			if (c->series[i].counts[k] < 0 || c->series[i].counts[k] > LLONG_MAX - total)
				goto out;
			total += c->series[i].counts[k];
		}
	}

	top = legend(NULL, c);
	height = c->nseries == 0 ? 48 : top + (int)c->nseries * DIST_ROW_H;
	open_svg(out, c->id, c->title, height);
	put_text(out, c->title, 0);
	if (c->nseries == 0) {
		buf_adds(out, ": nessun dato disponibile.</desc>");
		buf_printf(out, "<text x=\"0\" y=\"28\">Nessun dato disponibile.</text></svg>");
		goto done;
	}
	buf_adds(out, ". Legenda: ");
	for (k = 0; k < c->ncategories; k++) {
		put_text(out, c->categories[k].key, 0);
		if (c->categories[k].name != NULL) {
			buf_adds(out, " = ");
			put_text(out, c->categories[k].name, 0);
		}
		buf_adds(out, k + 1 < c->ncategories ? ", " : ". ");
	}
	for (i = 0; i < c->nseries; i++) {
		for (k = 0, total = 0; k < c->ncategories; k++)
			total += c->series[i].counts[k];
		put_text(out, c->series[i].label, 0);
		buf_adds(out, ", ");
		put_answers(out, total);
		if (total > 0) {
			buf_adds(out, ": ");
			for (k = 0; k < c->ncategories; k++) {
				put_text(out, c->categories[k].key, 0);
				buf_printf(out, " %lld%s", c->series[i].counts[k],
					   k + 1 < c->ncategories ? ", " : "");
			}
		}
		buf_adds(out, i + 1 < c->nseries ? "; " : ".");
	}
	buf_adds(out, "</desc>");
	put_patterns(out, c->id, c->ncategories);
	legend(out, c);

	for (i = 0; i < c->nseries; i++) {
		y = top + (double)i * DIST_ROW_H;
		for (k = 0, total = 0; k < c->ncategories; k++)
			total += c->series[i].counts[k];
		buf_adds(out, "<text x=\"0\" y=\"");
		put_coord(out, y + 15);
		buf_adds(out, "\">");
		put_text(out, c->series[i].label, CHART_LABEL_MAX);
		buf_adds(out, "</text>");
		/*
		 * Segment edges come from the running total, so rounding never
		 * leaves a gap or an overlap and the last edge is exactly W.
		 */
		for (k = 0, cum = 0; total > 0 && k < c->ncategories; k++) {
			if (c->series[i].counts[k] == 0)
				continue;
			x0 = (W - 1) * ((double)cum / (double)total);
			cum += c->series[i].counts[k];
			x1 = (W - 1) * ((double)cum / (double)total);
			buf_adds(out, "<rect x=\"");
			put_coord(out, x0 + 0.5);
			buf_adds(out, "\" y=\"");
			put_coord(out, y + 22);
			buf_adds(out, "\" width=\"");
			put_coord(out, x1 - x0);
			buf_printf(out, "\" height=\"22\" fill=\"url(#%s-p%zu)\" stroke=\"#ffffff\" "
				   "stroke-width=\"1\"/>", c->id, k);
		}
		/* The outline shows the full scale, and an empty track for no answers. */
		buf_adds(out, "<rect x=\"0.5\" y=\"");
		put_coord(out, y + 22);
		buf_printf(out, "\" width=\"%d\" height=\"22\" fill=\"none\" stroke=\"%s\" "
			   "stroke-width=\"1\"/>", W - 1, C_TEXT);
		buf_adds(out, "<text x=\"0\" y=\"");
		put_coord(out, y + 62);
		buf_printf(out, "\" font-size=\"13\" fill=\"%s\">", C_TEXT);
		if (total == 0) {
			buf_adds(out, "nessuna risposta");
		} else {
			for (k = 0; k < c->ncategories; k++) {
				put_text(out, c->categories[k].key, 16);
				buf_printf(out, ": %lld", c->series[i].counts[k]);
				buf_adds(out, k + 1 < c->ncategories ? " \xC2\xB7 " : "");
			}
			buf_adds(out, " \xE2\x80\x94 ");
			put_answers(out, total);
		}
		buf_adds(out, "</text>");
	}
	buf_adds(out, "</svg>");
done:
	if (out->err)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		buf_truncate(out, start);
	return rc;
}
