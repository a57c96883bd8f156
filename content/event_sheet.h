/*
 * event_sheet.h - the attendance sheet (foglio firme) of an event: a
 * printable A4 PDF drawn with cairo, and the registrations as CSV.
 *
 * Pure formatting: no database, no HTTP.  The PDF has one row per
 * registrant (number, name, organisation, an empty box to sign) and a few
 * blank rows for people who come without registering; every page repeats
 * the heading (event, date, place) and the table's header, and rows never
 * split across pages.  Text is drawn with cairo's toy API in "DejaVu
 * Sans"; a text too wide for its cell is cut with "…".  Thread-safe.
 */
#ifndef CONTENT_EVENT_SHEET_H
#define CONTENT_EVENT_SHEET_H

#include "compat.h"

#include "buf.h"

#define EVENT_SHEET_BLANK_ROWS 5	/* empty rows after the registrants */
#define EVENT_SHEET_ROWS_MAX 20000	/* more registrants than this is refused */

struct event_sheet_row {
	const char *name;
	const char *email;		/* CSV only */
	const char *organisation;	/* "" for none */
	const char *status;		/* CSV only: "confermato", "in attesa" */
	const char *registered;		/* CSV only: "DD/MM/YYYY HH:MM" */
};

/* What the sheet shows; strings are read during the call only. */
struct event_sheet {
	const char *portal_name;
	const char *title;		/* the event's */
	const char *when;		/* "2 marzo 2026, 9:30–13:00" */
	const char *place;		/* place or online link */
	const struct event_sheet_row *rows;
	int nrows;
};

/*
 * Appends the PDF to out.  Returns 0, or -1 (logged) if a string is NULL
 * or not valid UTF-8, nrows is out of range, cairo fails or out passes
 * its cap; on -1 out is back at its length before the call.
 */
int event_sheet_pdf(const struct event_sheet *s, struct buf *out);

/*
 * Appends the CSV (csv.h: BOM, ';', CRLF; a header row then one row per
 * registrant: n., name, email, organisation, status, registered).  The
 * caller checks out->err.
 */
void event_sheet_csv(const struct event_sheet *s, struct buf *out);

#endif
