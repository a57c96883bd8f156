/*
 * feedback_report.h - the PDF report of a feedback round, for the
 * coordination meeting: A4 portrait pages drawn with cairo.
 *
 * Title, course and period, where each organisation stands, the
 * per-module comprehension bars (drawn with cairo, the figures written
 * beside them), every question's aggregates, the texts with their
 * organisation, the final-test figures and the actions decided.  Long
 * content flows onto further pages, numbered "Pagina n".
 *
 * Pure rendering: no database, no HTTP.  Text is drawn with cairo's toy
 * API in "DejaVu Sans" and wrapped at word boundaries; strings must be
 * UTF-8 (they come from the database, which holds nothing else).
 * Thread-safe: each call has its own surface and context.
 */
#ifndef COURSES_FEEDBACK_REPORT_H
#define COURSES_FEEDBACK_REPORT_H

#include "compat.h"

#include "buf.h"

struct feedback_action;
struct feedback_def;
struct feedback_round;
struct feedback_stats;

#define FEEDBACK_REPORT_PAGES_MAX 200	/* a report longer than this is cut, with a note */

/* What the report shows; everything is only read during the call. */
struct feedback_report {
	const char *portal_name;
	const char *generated;			/* "DD/MM/YYYY HH:MM", when it was made */
	const struct feedback_round *round;
	const struct feedback_def *def;		/* the round's template version */
	const struct feedback_stats *st;
	const struct feedback_action *actions;
	int nactions;
};

/*
 * Appends the PDF to out.  Returns 0, or -1 (logged) when cairo fails or
 * out passes its cap (or had err set); on -1 out is truncated back to its
 * length before the call.
 */
int feedback_report_render(const struct feedback_report *r, struct buf *out);

#endif
