/*
 * ical.c - iCalendar formatting (see ical.h).
 */
#include "compat.h"

#include <string.h>

#include "buf.h"
#include "ical.h"

void
ical_escape(struct buf *out, const char *text)
{
	const char *s;

	for (s = text; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == ';' || c == ',') {
			buf_addch(out, '\\');
			buf_addch(out, (char)c);
		} else if (c == '\r' || c == '\n') {
			buf_add(out, "\\n", 2);
			if (c == '\r' && s[1] == '\n')
				s++;	/* CRLF is one break */
		} else if (c < 0x20 || c == 0x7f) {
			continue;	/* RFC 5545 3.1: no CTL in a value (tab included, for simplicity) */
		} else {
			buf_addch(out, (char)c);
		}
	}
}

void
ical_fold(struct buf *out, const char *line, size_t len)
{
	size_t room = ICAL_LINE_MAX;

	while (len > room) {
		size_t cut = room;

		/* Back up to the first byte of a UTF-8 sequence.  A run of
		 * continuation bytes this long is not UTF-8: cut anyway, so
		 * that the loop always advances. */
		while (cut > 0 && ((unsigned char)line[cut] & 0xC0) == 0x80)
			cut--;
		if (cut == 0)
			cut = room;
		buf_add(out, line, cut);
		buf_add(out, "\r\n ", 3);
		line += cut;
		len -= cut;
		room = ICAL_LINE_MAX - 1;	/* the leading space counts */
	}
	buf_add(out, line, len);
	buf_add(out, "\r\n", 2);
}

void
ical_prop(struct buf *out, const char *name, const char *value, bool escape)
{
	struct buf line;

	if (value == NULL || *value == '\0')
		return;
	/* The logical line is built apart, then folded; its cap is out's. */
	buf_init(&line, out->max);
	buf_adds(&line, name);
	buf_addch(&line, ':');
	if (escape)
		ical_escape(&line, value);
	else
		buf_adds(&line, value);
	if (line.err)
		out->err = 1;
	else
		ical_fold(out, line.data, line.len);
	buf_release(&line);
}

void
ical_begin(struct buf *out, const char *prodid, const char *name)
{
	ical_prop(out, "BEGIN", "VCALENDAR", false);
	ical_prop(out, "VERSION", "2.0", false);
	ical_prop(out, "PRODID", prodid, false);
	ical_prop(out, "CALSCALE", "GREGORIAN", false);
	ical_prop(out, "METHOD", "PUBLISH", false);
	ical_prop(out, "X-WR-CALNAME", name, true);
}

void
ical_event(struct buf *out, const struct ical_event *ev, const char *dtstamp)
{
	ical_prop(out, "BEGIN", "VEVENT", false);
	ical_prop(out, "UID", ev->uid, false);
	ical_prop(out, "DTSTAMP", dtstamp, false);
	ical_prop(out, "DTSTART", ev->dtstart, false);
	ical_prop(out, "DTEND", ev->dtend, false);
	ical_prop(out, "SUMMARY", ev->summary, true);
	ical_prop(out, "DESCRIPTION", ev->description, true);
	ical_prop(out, "LOCATION", ev->location, true);
	ical_prop(out, "URL", ev->url, false);
	ical_prop(out, "END", "VEVENT", false);
}

void
ical_end(struct buf *out)
{
	ical_prop(out, "END", "VCALENDAR", false);
}
