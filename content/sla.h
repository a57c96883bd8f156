/*
 * sla.h - the help desk's working-time clock (service levels).
 *
 * Pure arithmetic, no database and no global time-zone state: local time
 * in Europe/Rome is computed from the UTC instant with the EU rule (CET,
 * UTC+1; CEST, UTC+2 from 01:00 UTC on the last Sunday of March to 01:00
 * UTC on the last Sunday of October), so nothing calls setenv("TZ") or
 * tzset() and every function is safe on any thread.
 *
 * A calendar says, for each weekday, the working window in local minutes
 * since midnight, and lists the holidays (local dates, YYYYMMDD) on which
 * nothing counts.  Waiting periods (a ticket waiting for its reporter)
 * stop the clock: working time inside a pause does not count.
 */
#ifndef CONTENT_SLA_H
#define CONTENT_SLA_H

#include "compat.h"

#include <time.h>

struct config;

/* Most holidays one calendar holds (config rows beyond it are refused). */
#define SLA_HOLIDAYS_MAX 128

struct sla_calendar {
	/*
	 * Working window of each weekday, index as tm_wday (0 = Sunday), in
	 * minutes since local midnight, 0 <= open <= close <= 1440; open ==
	 * close: not a working day.
	 */
	int open_min[7];
	int close_min[7];
	int nholidays;
	int32_t holidays[SLA_HOLIDAYS_MAX];	/* YYYYMMDD, sorted, no duplicates */
};

/*
 * A stretch of time during which the clock stops.  to == 0 means the
 * pause is still open (the ticket is still waiting): it lasts forever.
 * Pauses may overlap, be unsorted, or lie outside [from, to).
 */
struct sla_pause {
	time_t from;
	time_t to;
};

/* Monday to Friday 09:00-17:00, no holidays. */
void sla_calendar_default(struct sla_calendar *cal);

/*
 * Sets the same window on the working days: hours is "HH:MM-HH:MM"
 * (00:00 <= open < close <= 24:00), days a comma-separated list of
 * weekday names or ranges ("mon-fri", "mon,wed,fri", "mon-sat");
 * names are mon tue wed thu fri sat sun.  Other days get no window.
 * Returns 0, or -1 (nothing logged, *cal unchanged) if either is
 * malformed.
 */
int sla_calendar_set_hours(struct sla_calendar *cal, const char *hours, const char *days);

/*
 * Adds a holiday, "YYYY-MM-DD" (a real date, years 1970-9999).  Keeps
 * the list sorted; adding one twice is a no-op.  Returns 0, or -1
 * (nothing logged, *cal unchanged) if malformed or the list is full.
 */
int sla_calendar_add_holiday(struct sla_calendar *cal, const char *date);

/* true if YYYYMMDD is one of cal's holidays. */
bool sla_calendar_is_holiday(const struct sla_calendar *cal, int32_t yyyymmdd);

/*
 * Working seconds in [from, to): the parts of it inside the working
 * windows, on non-holidays, outside every pause.  0 when to <= from.
 * Never fails.
 */
int64_t sla_working_seconds(const struct sla_calendar *cal, time_t from, time_t to,
			    const struct sla_pause *pauses, int npauses);

/*
 * The instant at which working_seconds of working time have elapsed
 * since from (pauses excluded, as above): the earliest t with
 * sla_working_seconds(cal, from, t, ...) == working_seconds.  With
 * working_seconds <= 0 it returns from.  Returns 0 when the deadline
 * cannot be reached: an open pause (to == 0) stops the clock before it,
 * or the calendar has no working time at all (no window, or holidays
 * covering it for ten years).
 */
time_t sla_deadline(const struct sla_calendar *cal, time_t from, int64_t working_seconds,
		    const struct sla_pause *pauses, int npauses);

/*
 * Europe/Rome offset from UTC, in seconds (3600 or 7200), at instant t;
 * and the local broken-down time of t (fields as localtime_r's, with
 * tm_isdst and tm_gmtoff set).  Pure functions of t.
 */
int sla_rome_offset(time_t t);
void sla_rome_tm(time_t t, struct tm *out);

/*
 * The calendar from the configuration (helpdesk_hours, helpdesk_days,
 * helpdesk_holiday), or the default one before sla_configure() ran.
 * The pointer is to static storage, valid for the life of the process.
 */
const struct sla_calendar *sla_calendar(void);

/*
 * Builds the process calendar from cfg.  Call it once at startup, before
 * the server's threads start (content_register does).  Returns 0, or -1
 * (logged) if a value is malformed; the calendar is then left as it was.
 */
int sla_configure(const struct config *cfg);

#endif
