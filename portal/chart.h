/*
 * chart.h - accessible SVG charts, drawn on the server.
 *
 * Pure functions: they write an inline <svg> element into a buffer and
 * touch nothing else.  Each chart is role="img" and named by its <title>
 * and <desc> (aria-labelledby), the <desc> being a sentence that states
 * every figure, so a screen reader hears the data, not "image".  Every
 * word is a <text> element, so it prints, scales with the viewBox and can
 * be selected; colours meet WCAG 2.1 AA (text 4.5:1, shapes 3:1 against
 * white), and colour is never the only cue: values are written next to
 * the bars, and the segments of a distribution carry a pattern each and
 * are named in a legend and in the figures under each bar.  The caller
 * puts the same data in a table inside <details><summary> after the
 * chart (the only layout a table reader can navigate).
 *
 * Every string given (titles, labels, units) is text: it is escaped for
 * XML, bytes that are not UTF-8 become U+FFFD and control characters
 * spaces, so a hostile label can neither break out of the SVG nor make it
 * ill-formed.  Labels longer than CHART_LABEL_MAX code points are cut with
 * an ellipsis in the drawing; the <desc> keeps them whole.
 *
 * Numbers are written the Italian way ("3,8"); coordinates with a dot.
 * The functions are thread-safe and allocate only out's growth.
 */
#ifndef PORTAL_CHART_H
#define PORTAL_CHART_H

#include "compat.h"

#include "buf.h"

#define CHART_LABEL_MAX 70	/* code points of a label drawn on one line */
#define CHART_ITEMS_MAX 200	/* bars or series in one chart */
#define CHART_CATEGORIES_MAX 8	/* categories of a distribution (one pattern each) */
#define CHART_ID_MAX 48		/* bytes of a chart id */

/* One bar: value NaN means "no data" (drawn empty, said as such). */
struct chart_bar {
	const char *label;
	double value;
	const char *note;	/* e.g. "7 risposte", shown in brackets after the value; or NULL */
};

/*
 * A horizontal bar chart.  id makes the element ids unique in the page
 * ([A-Za-z0-9_-], 1..CHART_ID_MAX bytes).  Bars are drawn against max;
 * a value below 0 is drawn as 0 and one above max as max, but its text
 * always states the real value.  max <= 0 (or NaN) draws no bar at all,
 * only the figures.  unit (e.g. "su 5", "%") follows each value after a
 * space; NULL or "" adds nothing.  decimals is 0..3.
 */
struct chart_bars {
	const char *id;
	const char *title;
	const char *unit;
	double max;
	int decimals;
	const struct chart_bar *bars;
	size_t nbars;
};

/* A category of a distribution: key as shown under bars ("1"), name for the legend ("Per nulla"). */
struct chart_category {
	const char *key;
	const char *name;	/* NULL: the legend shows the key only */
};

/* One stacked bar of a distribution: counts[i] answers fell in category i. */
struct chart_series {
	const char *label;
	const long long *counts;	/* ncategories values, each >= 0 */
};

/*
 * A distribution: one full-width stacked bar per series, each segment as
 * wide as its share of the series' total, with the counts written under
 * the bar and a legend of the categories above.  A series with no answer
 * is drawn as an empty track and said as such.
 */
struct chart_dist {
	const char *id;
	const char *title;
	const struct chart_category *categories;
	size_t ncategories;	/* 1..CHART_CATEGORIES_MAX */
	const struct chart_series *series;
	size_t nseries;
};

/*
 * Appends the <svg> of c to out.  No bars (nbars 0) gives a chart that
 * says "Nessun dato disponibile.".  Returns 0, or -1 when the arguments
 * are invalid (bad id, NULL title, decimals out of range, more than
 * CHART_ITEMS_MAX bars, a negative count, more categories than allowed)
 * or out->err is set; on -1 out is truncated back to its length on entry.
 */
int chart_bars_svg(struct buf *out, const struct chart_bars *c);
int chart_dist_svg(struct buf *out, const struct chart_dist *c);

/*
 * Appends v with decimals (0..3) decimals and a decimal comma, as the
 * charts write it ("3,75"); NaN appends "n.d.".  For tables beside a chart.
 */
void chart_number(struct buf *out, double v, int decimals);

#endif
