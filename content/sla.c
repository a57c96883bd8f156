/*
 * sla.c - the help desk's working-time clock: see sla.h.
 *
 * Everything is integer arithmetic on UTC seconds.  Europe/Rome's offset
 * is computed from the EU rule rather than read from the C library's
 * time-zone state: localtime_r() would need TZ set process-wide (setenv
 * plus tzset are not thread-safe), and the rule has been stable since
 * 1996.  Days are counted with Howard Hinnant's civil-calendar
 * algorithms, valid for the whole proleptic Gregorian calendar.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"

#include "sla.h"

#define SLA_DAY 86400LL
#define SLA_FOREVER INT64_MAX
/* How far sla_deadline() looks for working time before giving up. */
#define SLA_HORIZON_DAYS 3660

/* Days since 1970-01-01 of the civil date y-m-d (m 1..12). */
static int64_t
sla_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* The civil date of day z since 1970-01-01. */
static void
sla_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* tm_wday of day z since 1970-01-01 (a Thursday). */
static int
sla_weekday(int64_t z)
{
	int64_t w = (z + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static int64_t
sla_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Day (since the epoch) of the last Sunday of month m of year y. */
static int64_t
sla_last_sunday(int64_t y, int m)
{
	int64_t last = sla_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;

	return last - sla_weekday(last);
}

/* Summer time of year y runs from *start to *end (UTC seconds, 01:00 UTC). */
static void
sla_dst_bounds(int64_t y, int64_t *start, int64_t *end)
{
	*start = sla_last_sunday(y, 3) * SLA_DAY + 3600;
	*end = sla_last_sunday(y, 10) * SLA_DAY + 3600;
}

int
sla_rome_offset(time_t t)
{
	int64_t y, start, end;
	int m, d;

	sla_civil_from_days(sla_floor_div((int64_t)t, SLA_DAY), &y, &m, &d);
	sla_dst_bounds(y, &start, &end);
	return ((int64_t)t >= start && (int64_t)t < end) ? 7200 : 3600;
}

void
sla_rome_tm(time_t t, struct tm *out)
{
	int off = sla_rome_offset(t);
	int64_t local = (int64_t)t + off;
	int64_t z = sla_floor_div(local, SLA_DAY);
	int64_t secs = local - z * SLA_DAY;
	int64_t y;
	int m, d;

	sla_civil_from_days(z, &y, &m, &d);
	memset(out, 0, sizeof(*out));
	out->tm_year = (int)(y - 1900);
	out->tm_mon = m - 1;
	out->tm_mday = d;
	out->tm_hour = (int)(secs / 3600);
	out->tm_min = (int)(secs % 3600 / 60);
	out->tm_sec = (int)(secs % 60);
	out->tm_wday = sla_weekday(z);
	out->tm_yday = (int)(z - sla_days_from_civil(y, 1, 1));
	out->tm_isdst = off == 7200;
	out->tm_gmtoff = off;
}

/*
 * The UTC instant of local time `local` (seconds since the epoch as if
 * Rome's wall clock were UTC): the first instant showing that time.  In
 * the hour the clocks go back the summer reading comes first; in the
 * hour that does not exist in spring it is the switch itself, the first
 * instant whose local time is not earlier.
 */
static int64_t
sla_utc_of_local(int64_t local)
{
	int64_t y, start, end;
	int m, d;

	if (sla_rome_offset((time_t)(local - 7200)) == 7200)
		return local - 7200;
	if (sla_rome_offset((time_t)(local - 3600)) == 3600)
		return local - 3600;
	sla_civil_from_days(sla_floor_div(local, SLA_DAY), &y, &m, &d);
	sla_dst_bounds(y, &start, &end);
	return start;
}

static int32_t
sla_yyyymmdd(int64_t z)
{
	int64_t y;
	int m, d;

	sla_civil_from_days(z, &y, &m, &d);
	return (int32_t)(y * 10000 + m * 100 + d);
}

bool
sla_calendar_is_holiday(const struct sla_calendar *cal, int32_t yyyymmdd)
{
	int lo = 0, hi = cal->nholidays;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (cal->holidays[mid] == yyyymmdd)
			return true;
		if (cal->holidays[mid] < yyyymmdd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * The first working interval that ends after t, clipped to start no
 * earlier than t: [*ws, *we).  false when none starts within
 * SLA_HORIZON_DAYS of t (no working day at all, or holidays for years).
 */
static bool
sla_next_window(const struct sla_calendar *cal, int64_t t, int64_t *ws, int64_t *we)
{
	int64_t z = sla_floor_div(t + sla_rome_offset((time_t)t), SLA_DAY);

	/* The day before too: in the hour after the clocks go back, t's local day may still owe a window. */
	for (int64_t i = -1; i <= SLA_HORIZON_DAYS; i++) {
		int64_t day = z + i;
		int wd = sla_weekday(day);
		int64_t s, e;

		if (cal->open_min[wd] >= cal->close_min[wd])
			continue;
		if (cal->nholidays > 0 && sla_calendar_is_holiday(cal, sla_yyyymmdd(day)))
			continue;
		s = sla_utc_of_local(day * SLA_DAY + cal->open_min[wd] * 60LL);
		e = sla_utc_of_local(day * SLA_DAY + cal->close_min[wd] * 60LL);
		if (e <= t || e <= s)
			continue;
		*ws = s > t ? s : t;
		*we = e;
		return true;
	}
	return false;
}

/* true if pause p is well formed; *end is its end (SLA_FOREVER when open). */
static bool
sla_pause_span(const struct sla_pause *p, int64_t *end)
{
	if (p->to == 0) {
		*end = SLA_FOREVER;
		return true;
	}
	*end = (int64_t)p->to;
	return (int64_t)p->to > (int64_t)p->from;
}

/*
 * The free stretch (outside every pause) that starts at or after t:
 * [*a, *b), *b the start of the next pause or SLA_FOREVER.  false if an
 * open pause covers t, so the clock never runs again.  Quadratic in the
 * number of pauses, which is a ticket's handful of waits; it needs no
 * allocation and no sorted input.
 */
static bool
sla_free_from(const struct sla_pause *p, int n, int64_t t, int64_t *a, int64_t *b)
{
	bool moved = true;
	int64_t end;

	while (moved) {
		moved = false;
		for (int i = 0; i < n; i++) {
			if (!sla_pause_span(&p[i], &end))
				continue;
			if ((int64_t)p[i].from <= t && t < end) {
				if (end == SLA_FOREVER)
					return false;
				t = end;
				moved = true;
			}
		}
	}
	*a = t;
	*b = SLA_FOREVER;
	for (int i = 0; i < n; i++) {
		if (sla_pause_span(&p[i], &end) && (int64_t)p[i].from > t && (int64_t)p[i].from < *b)
			*b = (int64_t)p[i].from;
	}
	return true;
}

/* Working seconds in [a, b), pauses aside. */
static int64_t
sla_window_sum(const struct sla_calendar *cal, int64_t a, int64_t b)
{
	int64_t total = 0, ws, we;

	while (a < b && sla_next_window(cal, a, &ws, &we) && ws < b) {
		total += (we < b ? we : b) - ws;
		a = we;
	}
	return total;
}

int64_t
sla_working_seconds(const struct sla_calendar *cal, time_t from, time_t to,
		    const struct sla_pause *pauses, int npauses)
{
	int64_t t = (int64_t)from, total = 0, a, b;

	if (pauses == NULL)
		npauses = 0;
	while (t < (int64_t)to) {
		if (!sla_free_from(pauses, npauses, t, &a, &b) || a >= (int64_t)to)
			break;
		if (b > (int64_t)to)
			b = (int64_t)to;
		total += sla_window_sum(cal, a, b);
		t = b;
	}
	return total;
}

time_t
sla_deadline(const struct sla_calendar *cal, time_t from, int64_t working_seconds,
	     const struct sla_pause *pauses, int npauses)
{
	int64_t t = (int64_t)from, left = working_seconds, a, b, ws, we;

	if (left <= 0)
		return from;
	if (pauses == NULL)
		npauses = 0;
	for (;;) {
		if (!sla_free_from(pauses, npauses, t, &a, &b))
			return 0;
		t = a;
		while (t < b) {
			if (!sla_next_window(cal, t, &ws, &we))
				return 0;
			if (ws >= b)
				break;
			if (we > b)
				we = b;
			if (left <= we - ws)
				return (time_t)(ws + left);
			left -= we - ws;
			t = we;
		}
		t = b;
	}
}

void
sla_calendar_default(struct sla_calendar *cal)
{
	memset(cal, 0, sizeof(*cal));
	for (int wd = 1; wd <= 5; wd++) {
		cal->open_min[wd] = 9 * 60;
		cal->close_min[wd] = 17 * 60;
	}
}

/* Two decimal digits at s; -1 if not. */
static int
sla_two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "HH:MM" at s into minutes; 24:00 only when allow_24. -1 if malformed. */
static int
sla_parse_hhmm(const char *s, bool allow_24)
{
	int h = sla_two_digits(s), m;

	if (h < 0 || s[2] != ':' || (m = sla_two_digits(s + 3)) < 0 || m > 59)
		return -1;
	if (h < 24 || (allow_24 && h == 24 && m == 0))
		return h * 60 + m;
	return -1;
}

/* ISO weekday (1 = Monday .. 7 = Sunday) of the three-letter name at s; -1 if none. */
static int
sla_day_name(const char *s)
{
	static const char names[7][4] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

	for (int i = 0; i < 7; i++) {
		if (strncmp(s, names[i], 3) == 0)
			return i + 1;
	}
	return -1;
}

int
sla_calendar_set_hours(struct sla_calendar *cal, const char *hours, const char *days)
{
	bool on[7] = { false };
	const char *p = days;
	int open, close;

	if (strlen(hours) != 11 || hours[5] != '-')
		return -1;
	open = sla_parse_hhmm(hours, false);
	close = sla_parse_hhmm(hours + 6, true);
	if (open < 0 || close < 0 || open >= close)
		return -1;
	for (;;) {
		int a = sla_day_name(p), b;

		if (a < 0)
			return -1;
		p += 3;
		b = a;
		if (*p == '-') {
			if ((b = sla_day_name(p + 1)) < 0 || b < a)
				return -1;
			p += 4;
		}
		for (int i = a; i <= b; i++)
			on[i % 7] = true;	/* ISO 7 (Sunday) is tm_wday 0 */
		if (*p == '\0')
			break;
		if (*p != ',')
			return -1;
		p++;
	}
	for (int wd = 0; wd < 7; wd++) {
		cal->open_min[wd] = on[wd] ? open : 0;
		cal->close_min[wd] = on[wd] ? close : 0;
	}
	return 0;
}

int
sla_calendar_add_holiday(struct sla_calendar *cal, const char *date)
{
	int y1, y2, m, d, i;
	int32_t v;
	int64_t y, yy;
	int mm, dd;

	if (strlen(date) != 10 || date[4] != '-' || date[7] != '-')
		return -1;
	y1 = sla_two_digits(date);
	y2 = sla_two_digits(date + 2);
	m = sla_two_digits(date + 5);
	d = sla_two_digits(date + 8);
	if (y1 < 0 || y2 < 0 || m < 1 || m > 12 || d < 1)
		return -1;
	y = y1 * 100 + y2;
	if (y < 1970)
		return -1;
	/* A real date: the day survives the round trip through the day count. */
	sla_civil_from_days(sla_days_from_civil(y, m, d), &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return -1;
	v = (int32_t)(y * 10000 + m * 100 + d);
	for (i = 0; i < cal->nholidays && cal->holidays[i] < v; i++)
		;
	if (i < cal->nholidays && cal->holidays[i] == v)
		return 0;
	if (cal->nholidays >= SLA_HOLIDAYS_MAX)
		return -1;
	memmove(&cal->holidays[i + 1], &cal->holidays[i],
		(size_t)(cal->nholidays - i) * sizeof(cal->holidays[0]));
	cal->holidays[i] = v;
	cal->nholidays++;
	return 0;
}

/*
 * The process calendar.  Written only by sla_configure() at startup,
 * before any thread reads it; statically the default, so sla_calendar()
 * needs no lazy initialisation (which would race).
 */
static struct sla_calendar sla_cal = {
	.open_min = { 0, 540, 540, 540, 540, 540, 0 },
	.close_min = { 0, 1020, 1020, 1020, 1020, 1020, 0 },
};

const struct sla_calendar *
sla_calendar(void)
{
	return &sla_cal;
}

int
sla_configure(const struct config *cfg)
{
	struct sla_calendar cal;

	sla_calendar_default(&cal);
	if (sla_calendar_set_hours(&cal, cfg->helpdesk_hours, cfg->helpdesk_days) == -1) {
		log_warnx("sla: bad helpdesk_hours \"%s\" or helpdesk_days \"%s\"",
			  cfg->helpdesk_hours, cfg->helpdesk_days);
		return -1;
	}
	for (char **h = cfg->helpdesk_holidays; h != NULL && *h != NULL; h++) {
		if (sla_calendar_add_holiday(&cal, *h) == -1) {
			log_warnx("sla: bad helpdesk_holiday \"%s\"", *h);
			return -1;
		}
	}
	sla_cal = cal;
	return 0;
}
