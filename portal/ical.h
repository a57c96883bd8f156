/*
 * ical.h - iCalendar (RFC 5545) output: the pure formatting behind every
 * .ics feed (cohort calendars, events).
 *
 * Everything appends to a struct buf; nothing allocates anything but the
 * buffer's growth, nothing logs, and a buffer past its cap only sets its
 * sticky err, which the caller checks once at the end.  Input text must be
 * valid UTF-8 (the database only holds validated text); on other bytes the
 * output stays bounded and well folded but may split a broken sequence.
 */
#ifndef PORTAL_ICAL_H
#define PORTAL_ICAL_H

#include "compat.h"

#include "buf.h"

#define ICAL_LINE_MAX 75	/* octets of one physical line, CRLF excluded */

/*
 * Appends text escaped as an iCalendar TEXT value (RFC 5545 3.3.11):
 * backslash, ';' and ',' get a backslash, a line break (LF, CRLF or lone
 * CR) becomes "\n", and other control characters are dropped (they are
 * not allowed in a content line).  NULL appends nothing.
 */
void ical_escape(struct buf *out, const char *text);

/*
 * Appends line[0..len) (one logical content line, without its line end)
 * folded (RFC 5545 3.1): physical lines of at most ICAL_LINE_MAX octets,
 * each ended by CRLF, every continuation starting with one space, and no
 * cut inside a UTF-8 sequence.
 */
void ical_fold(struct buf *out, const char *line, size_t len);

/*
 * Appends the content line "name:value", folded.  With escape, value is
 * TEXT and goes through ical_escape(); without, it is written as is (for
 * DATE-TIME, URI and fixed values).  A NULL or empty value appends
 * nothing, so optional properties need no test at the call site.
 */
void ical_prop(struct buf *out, const char *name, const char *value, bool escape);

/* One VEVENT.  Times are UTC DATE-TIME values ("20260302T090000Z"). */
struct ical_event {
	const char *uid;		/* globally unique, stable across downloads */
	const char *dtstart, *dtend;
	const char *summary;
	const char *description;	/* NULL: none */
	const char *location;		/* NULL: none */
	const char *url;		/* NULL: none; must already be a safe absolute URL */
};

/* "BEGIN:VCALENDAR" with VERSION, PRODID and, if name is not NULL, X-WR-CALNAME. */
void ical_begin(struct buf *out, const char *prodid, const char *name);

/* One VEVENT with DTSTAMP dtstamp (UTC DATE-TIME, the time of the download). */
void ical_event(struct buf *out, const struct ical_event *ev, const char *dtstamp);

/* "END:VCALENDAR". */
void ical_end(struct buf *out);

#endif
