/*
 * event.h - events (convegni, workshop, seminari, webinar): the public
 * list and pages under /eventi with registration, the waiting list and
 * the cancel link, iCalendar files, the staff's forms, registrations and
 * attendance sheet under /gestione/eventi, the JSON API under
 * /api/v1/events, and the reminder job.  Also the date helpers news.c
 * shares (times typed as Rome wall-clock time).
 */
#ifndef CONTENT_EVENT_H
#define CONTENT_EVENT_H

#include "compat.h"

#include "arena.h"

struct config;
struct db;
struct router;

/* Adds the routes and the reminder job; cfg (base URL, portal name) must outlive the server. */
void event_register(struct router *r, const struct config *cfg);

/* Loads the demo events (one past, one webinar) unless there; 0, or -1 (logged). */
int event_seed_demo(struct db *db);

/* Longest text event_time_parse() writes, NUL included. */
#define EVENT_TIME_LEN 48

/*
 * Parses a date and time typed by a person or sent by the API:
 * "YYYY-MM-DDTHH:MM" (what <input type="datetime-local"> sends), a space
 * instead of the T, optional ":SS", optional zone "Z" or "+HH:MM"/"-HH:MM".
 * Without a zone the time is Europe/Rome wall-clock time.  The date must
 * exist and the year be 2000..2099.  Writes a timestamptz literal
 * PostgreSQL reads unambiguously ("2026-03-02 09:30:00 Europe/Rome") to
 * out and returns 0; -1 if s is not such a time (out is then "").
 */
int event_time_parse(const char *s, char out[EVENT_TIME_LEN]);

/*
 * "2 marzo 2026" from "YYYY-MM-DD..." and "2 marzo 2026, 09:30" from
 * "YYYY-MM-DD HH:MM", in a; the input itself if it has neither shape.
 */
const char *event_day_long(struct arena *a, const char *ymd);
const char *event_when_long(struct arena *a, const char *ymd_hm);

#endif
