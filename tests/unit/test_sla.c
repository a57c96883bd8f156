/*
 * test_sla.c - the help desk's working-time clock (content/sla.c), on
 * fixed dates: a weekend, holidays (2026-12-08, 2026-12-25), waiting
 * periods, both 2026 clock changes (29 March, 25 October), starts
 * outside the working hours, empty spans and deadlines.  Rome's offset
 * is also checked against the C library's tz database.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../content/sla.c"

#include "buf.h"

#define H 3600
#define M 60

/* The instant of a UTC wall time. */
static time_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

/* Rome wall time in winter (CET, UTC+1) and summer (CEST, UTC+2). */
static time_t
cet(int y, int mo, int d, int h, int mi)
{
	return utc(y, mo, d, h, mi) - 1 * H;
}

static time_t
cest(int y, int mo, int d, int h, int mi)
{
	return utc(y, mo, d, h, mi) - 2 * H;
}

static int64_t
work(const struct sla_calendar *cal, time_t a, time_t b)
{
	return sla_working_seconds(cal, a, b, NULL, 0);
}

static void
test_offset(void **state)
{
	(void)state;
	/* The 2026 switches: 01:00 UTC of 29 March and 25 October. */
	assert_int_equal(sla_rome_offset(utc(2026, 3, 29, 0, 59)), 3600);
	assert_int_equal(sla_rome_offset(utc(2026, 3, 29, 0, 59) + 59), 3600);
	assert_int_equal(sla_rome_offset(utc(2026, 3, 29, 1, 0)), 7200);
	assert_int_equal(sla_rome_offset(utc(2026, 10, 25, 0, 59) + 59), 7200);
	assert_int_equal(sla_rome_offset(utc(2026, 10, 25, 1, 0)), 3600);
	assert_int_equal(sla_rome_offset(utc(2026, 1, 1, 0, 0)), 3600);
	assert_int_equal(sla_rome_offset(utc(2026, 7, 1, 0, 0)), 7200);
	/* 2024 is a leap year whose last Sunday of March is the 31st. */
	assert_int_equal(sla_rome_offset(utc(2024, 3, 31, 0, 59)), 3600);
	assert_int_equal(sla_rome_offset(utc(2024, 3, 31, 1, 0)), 7200);
	assert_int_equal(sla_rome_offset(0), 3600);
}

/* sla_rome_tm agrees with localtime_r under TZ=Europe/Rome (set once, single thread). */
static void
test_offset_matches_tzdata(void **state)
{
	struct tm mine, libc;
	time_t t;

	(void)state;
	if (setenv("TZ", "Europe/Rome", 1) != 0)
		fail();
	tzset();
	/* Every 7 hours 13 minutes from 1997 to 2037: all phases of the day, every switch. */
	for (t = utc(1997, 1, 1, 0, 0); t < utc(2037, 12, 31, 0, 0); t += 7 * H + 13 * M) {
		sla_rome_tm(t, &mine);
		assert_non_null(localtime_r(&t, &libc));
		assert_int_equal(mine.tm_gmtoff, libc.tm_gmtoff);
		assert_int_equal(mine.tm_year, libc.tm_year);
		assert_int_equal(mine.tm_mon, libc.tm_mon);
		assert_int_equal(mine.tm_mday, libc.tm_mday);
		assert_int_equal(mine.tm_hour, libc.tm_hour);
		assert_int_equal(mine.tm_min, libc.tm_min);
		assert_int_equal(mine.tm_wday, libc.tm_wday);
		assert_int_equal(mine.tm_yday, libc.tm_yday);
		assert_int_equal(mine.tm_isdst, libc.tm_isdst);
	}
	/* And to the second on each side of the 2026 switches. */
	for (t = utc(2026, 3, 29, 0, 0); t < utc(2026, 3, 29, 2, 0); t++) {
		sla_rome_tm(t, &mine);
		localtime_r(&t, &libc);
		assert_int_equal(mine.tm_gmtoff, libc.tm_gmtoff);
	}
	for (t = utc(2026, 10, 25, 0, 0); t < utc(2026, 10, 25, 2, 0); t++) {
		sla_rome_tm(t, &mine);
		localtime_r(&t, &libc);
		assert_int_equal(mine.tm_gmtoff, libc.tm_gmtoff);
		assert_int_equal(mine.tm_hour, libc.tm_hour);
	}
	unsetenv("TZ");
	tzset();
}

static void
test_same_day(void **state)
{
	struct sla_calendar cal;

	(void)state;
	sla_calendar_default(&cal);
	/* Monday 2 March 2026. */
	assert_int_equal(work(&cal, cet(2026, 3, 2, 10, 0), cet(2026, 3, 2, 12, 0)), 2 * H);
	assert_int_equal(work(&cal, cet(2026, 3, 2, 9, 0), cet(2026, 3, 2, 17, 0)), 8 * H);
	assert_int_equal(work(&cal, cet(2026, 3, 2, 9, 0), cet(2026, 3, 3, 9, 0)), 8 * H);
	/* A whole week: five days of eight hours. */
	assert_int_equal(work(&cal, cet(2026, 3, 2, 0, 0), cet(2026, 3, 9, 0, 0)), 40 * H);
	/* One second. */
	assert_int_equal(work(&cal, cet(2026, 3, 2, 16, 59) + 59, cet(2026, 3, 2, 17, 0)), 1);
}

static void
test_zero_and_backwards(void **state)
{
	struct sla_calendar cal;
	time_t t = cet(2026, 3, 2, 10, 0);

	(void)state;
	sla_calendar_default(&cal);
	assert_int_equal(work(&cal, t, t), 0);
	assert_int_equal(work(&cal, t + H, t), 0);
	assert_int_equal(sla_deadline(&cal, t, 0, NULL, 0), t);
	assert_int_equal(sla_deadline(&cal, t, -5, NULL, 0), t);
	/* Zero working seconds from outside hours is still "now", not the next opening. */
	assert_int_equal(sla_deadline(&cal, cet(2026, 3, 7, 12, 0), 0, NULL, 0), cet(2026, 3, 7, 12, 0));
}

static void
test_weekend(void **state)
{
	struct sla_calendar cal;

	(void)state;
	sla_calendar_default(&cal);
	/* Friday 6 March 16:00 to Monday 9 March 10:00: one hour each side. */
	assert_int_equal(work(&cal, cet(2026, 3, 6, 16, 0), cet(2026, 3, 9, 10, 0)), 2 * H);
	/* Inside the weekend only: nothing. */
	assert_int_equal(work(&cal, cet(2026, 3, 7, 9, 0), cet(2026, 3, 8, 23, 0)), 0);
	assert_int_equal(sla_deadline(&cal, cet(2026, 3, 6, 16, 0), 2 * H, NULL, 0),
			 cet(2026, 3, 9, 10, 0));
}

static void
test_outside_hours(void **state)
{
	struct sla_calendar cal;

	(void)state;
	sla_calendar_default(&cal);
	/* Before opening, after closing, from a Saturday. */
	assert_int_equal(work(&cal, cet(2026, 3, 2, 7, 0), cet(2026, 3, 2, 10, 0)), 1 * H);
	assert_int_equal(work(&cal, cet(2026, 3, 2, 18, 0), cet(2026, 3, 3, 9, 0)), 0);
	assert_int_equal(work(&cal, cet(2026, 3, 2, 18, 0), cet(2026, 3, 3, 9, 30)), 30 * M);
	assert_int_equal(work(&cal, cet(2026, 3, 7, 11, 0), cet(2026, 3, 9, 9, 30)), 30 * M);
	/* Both ends outside, across a working day. */
	assert_int_equal(work(&cal, cet(2026, 3, 2, 20, 0), cet(2026, 3, 3, 20, 0)), 8 * H);
	/* A deadline starting outside hours starts at the next opening. */
	assert_int_equal(sla_deadline(&cal, cet(2026, 3, 7, 11, 0), 1 * H, NULL, 0),
			 cet(2026, 3, 9, 10, 0));
	assert_int_equal(sla_deadline(&cal, cet(2026, 3, 2, 18, 0), 1, NULL, 0),
			 cet(2026, 3, 3, 9, 0) + 1);
	/* Ending on the closing time: the earliest instant, not the next opening. */
	assert_int_equal(sla_deadline(&cal, cet(2026, 3, 2, 9, 0), 8 * H, NULL, 0),
			 cet(2026, 3, 2, 17, 0));
	assert_int_equal(sla_deadline(&cal, cet(2026, 3, 2, 9, 0), 8 * H + 1, NULL, 0),
			 cet(2026, 3, 3, 9, 0) + 1);
}

static void
test_holidays(void **state)
{
	struct sla_calendar cal;

	(void)state;
	sla_calendar_default(&cal);
	/* Monday 7 December 16:00 to Wednesday 9 December 10:00, without and with the 8th. */
	assert_int_equal(work(&cal, cet(2026, 12, 7, 16, 0), cet(2026, 12, 9, 10, 0)), 10 * H);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2026-12-08"), 0);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2026-12-25"), 0);
	assert_true(sla_calendar_is_holiday(&cal, 20261208));
	assert_false(sla_calendar_is_holiday(&cal, 20261209));
	assert_int_equal(work(&cal, cet(2026, 12, 7, 16, 0), cet(2026, 12, 9, 10, 0)), 2 * H);
	/* Thursday 24 December 16:00 to Monday 28 10:00: Christmas is a Friday. */
	assert_int_equal(work(&cal, cet(2026, 12, 24, 16, 0), cet(2026, 12, 28, 10, 0)), 2 * H);
	assert_int_equal(work(&cal, cet(2026, 12, 25, 9, 0), cet(2026, 12, 25, 17, 0)), 0);
	/* Deadlines jump the holiday and the weekend after it. */
	assert_int_equal(sla_deadline(&cal, cet(2026, 12, 24, 16, 0), 2 * H, NULL, 0),
			 cet(2026, 12, 28, 10, 0));
	assert_int_equal(sla_deadline(&cal, cet(2026, 12, 7, 16, 30), 1 * H, NULL, 0),
			 cet(2026, 12, 9, 9, 30));
	/* A holiday on a Sunday changes nothing. */
	assert_int_equal(sla_calendar_add_holiday(&cal, "2026-12-27"), 0);
	assert_int_equal(work(&cal, cet(2026, 12, 24, 16, 0), cet(2026, 12, 28, 10, 0)), 2 * H);
}

static void
test_pauses(void **state)
{
	struct sla_calendar cal;
	time_t mon10 = cet(2026, 3, 2, 10, 0), tue10 = cet(2026, 3, 3, 10, 0);
	struct sla_pause p[4];

	(void)state;
	sla_calendar_default(&cal);
	assert_int_equal(work(&cal, mon10, tue10), 8 * H);
	/* Waiting for the reporter from Monday 11:00 to Tuesday 09:30: 1h + 30m count. */
	p[0] = (struct sla_pause){ cet(2026, 3, 2, 11, 0), cet(2026, 3, 3, 9, 30) };
	assert_int_equal(sla_working_seconds(&cal, mon10, tue10, p, 1), 90 * M);
	/* Overlapping and unsorted pauses are merged, not counted twice. */
	p[1] = (struct sla_pause){ cet(2026, 3, 3, 9, 0), cet(2026, 3, 3, 9, 45) };
	p[2] = (struct sla_pause){ cet(2026, 3, 2, 10, 30), cet(2026, 3, 2, 12, 0) };
	assert_int_equal(sla_working_seconds(&cal, mon10, tue10, p, 3), 30 * M + 15 * M);
	/* Malformed (end before start) and empty pauses are ignored. */
	p[3] = (struct sla_pause){ cet(2026, 3, 2, 15, 0), cet(2026, 3, 2, 14, 0) };
	assert_int_equal(sla_working_seconds(&cal, mon10, tue10, p + 3, 1), 8 * H);
	p[3] = (struct sla_pause){ cet(2026, 3, 2, 15, 0), cet(2026, 3, 2, 15, 0) };
	assert_int_equal(sla_working_seconds(&cal, mon10, tue10, p + 3, 1), 8 * H);
	/* A pause covering the whole span, or starting before it. */
	p[3] = (struct sla_pause){ mon10 - H, tue10 + H };
	assert_int_equal(sla_working_seconds(&cal, mon10, tue10, p + 3, 1), 0);
	p[3] = (struct sla_pause){ mon10 - H, mon10 + H };
	assert_int_equal(sla_working_seconds(&cal, mon10, tue10, p + 3, 1), 7 * H);
	/* A pause outside the span. */
	p[3] = (struct sla_pause){ cet(2026, 3, 5, 10, 0), cet(2026, 3, 5, 12, 0) };
	assert_int_equal(sla_working_seconds(&cal, mon10, tue10, p + 3, 1), 8 * H);
	/* Still waiting (open pause): the clock stopped at its start. */
	p[3] = (struct sla_pause){ cet(2026, 3, 2, 14, 0), 0 };
	assert_int_equal(sla_working_seconds(&cal, mon10, tue10, p + 3, 1), 4 * H);
	/* A NULL list with a count is no pause. */
	assert_int_equal(sla_working_seconds(&cal, mon10, tue10, NULL, 3), 8 * H);
	/* Deadlines move by the pause. */
	p[0] = (struct sla_pause){ cet(2026, 3, 2, 11, 0), cet(2026, 3, 3, 9, 30) };
	assert_int_equal(sla_deadline(&cal, mon10, 2 * H, p, 1), cet(2026, 3, 3, 10, 30));
	/* Reaching the target exactly when a pause starts gives that instant. */
	assert_int_equal(sla_deadline(&cal, mon10, 1 * H, p, 1), cet(2026, 3, 2, 11, 0));
	/* An open pause before the deadline: none. */
	p[3] = (struct sla_pause){ cet(2026, 3, 2, 14, 0), 0 };
	assert_int_equal(sla_deadline(&cal, mon10, 5 * H, p + 3, 1), 0);
	assert_int_equal(sla_deadline(&cal, mon10, 4 * H, p + 3, 1), cet(2026, 3, 2, 14, 0));
	/* An open pause that began before `from`. */
	p[3] = (struct sla_pause){ mon10 - H, 0 };
	assert_int_equal(sla_deadline(&cal, mon10, 1, p + 3, 1), 0);
	assert_int_equal(sla_working_seconds(&cal, mon10, tue10, p + 3, 1), 0);
}

static void
test_dst(void **state)
{
	struct sla_calendar cal;

	(void)state;
	sla_calendar_default(&cal);
	/* Friday 27 March 16:00 CET to Monday 30 March 10:00 CEST: two working hours. */
	assert_int_equal(work(&cal, cet(2026, 3, 27, 16, 0), cest(2026, 3, 30, 10, 0)), 2 * H);
	assert_int_equal(sla_deadline(&cal, cet(2026, 3, 27, 16, 0), 2 * H, NULL, 0),
			 cest(2026, 3, 30, 10, 0));
	/* The working day after the switch opens at 09:00 CEST = 07:00 UTC. */
	assert_int_equal(sla_deadline(&cal, cet(2026, 3, 27, 17, 0), 1, NULL, 0),
			 utc(2026, 3, 30, 7, 0) + 1);
	/* Friday 23 October 16:00 CEST to Monday 26 October 10:00 CET. */
	assert_int_equal(work(&cal, cest(2026, 10, 23, 16, 0), cet(2026, 10, 26, 10, 0)), 2 * H);
	assert_int_equal(sla_deadline(&cal, cest(2026, 10, 23, 16, 0), 2 * H, NULL, 0),
			 utc(2026, 10, 26, 9, 0));
	/* Round the clock every day: the switch days have 23 and 25 hours. */
	assert_int_equal(sla_calendar_set_hours(&cal, "00:00-24:00", "mon-sun"), 0);
	assert_int_equal(work(&cal, cet(2026, 3, 29, 0, 0), cest(2026, 3, 30, 0, 0)), 23 * H);
	assert_int_equal(work(&cal, cest(2026, 10, 25, 0, 0), cet(2026, 10, 26, 0, 0)), 25 * H);
	/* ... so working time is elapsed time, across both switches. */
	assert_int_equal(work(&cal, utc(2026, 3, 28, 13, 7), utc(2026, 10, 27, 2, 0)),
			 utc(2026, 10, 27, 2, 0) - utc(2026, 3, 28, 13, 7));
	assert_int_equal(sla_deadline(&cal, utc(2026, 3, 28, 13, 7), 40 * H, NULL, 0),
			 utc(2026, 3, 28, 13, 7) + 40 * H);
	/* A window that starts in the hour that does not exist starts at the switch. */
	assert_int_equal(sla_calendar_set_hours(&cal, "02:30-03:30", "sun"), 0);
	assert_int_equal(work(&cal, utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 0, 0)), 30 * M);
	assert_int_equal(sla_deadline(&cal, utc(2026, 3, 28, 0, 0), 1, NULL, 0),
			 utc(2026, 3, 29, 1, 0) + 1);
}

/* Each deadline is the earliest instant with that much working time. */
static void
test_deadline_inverse(void **state)
{
	struct sla_calendar cal;
	unsigned seed = 12345;

	(void)state;
	sla_calendar_default(&cal);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2026-12-08"), 0);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2026-12-25"), 0);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2026-04-06"), 0);
	for (int i = 0; i < 2000; i++) {
		struct sla_pause p[3];
		time_t from, dl;
		int64_t want;
		int np;

		seed = seed * 1103515245u + 12345u;
		from = utc(2026, 1, 1, 0, 0) + (time_t)(seed % (365u * 86400u));
		seed = seed * 1103515245u + 12345u;
		want = 1 + (int64_t)(seed % (60u * 3600u));
		seed = seed * 1103515245u + 12345u;
		np = (int)(seed % 4);
		for (int k = 0; k < np; k++) {
			seed = seed * 1103515245u + 12345u;
			p[k].from = from + (time_t)(seed % (10u * 86400u)) - 86400;
			seed = seed * 1103515245u + 12345u;
			p[k].to = p[k].from + 1 + (time_t)(seed % (3u * 86400u));
		}
		dl = sla_deadline(&cal, from, want, p, np);
		assert_true(dl > from);
		assert_int_equal(sla_working_seconds(&cal, from, dl, p, np), want);
		assert_int_equal(sla_working_seconds(&cal, from, dl - 1, p, np), want - 1);
	}
}

static void
test_no_working_time(void **state)
{
	struct sla_calendar cal;

	(void)state;
	memset(&cal, 0, sizeof(cal));
	assert_int_equal(work(&cal, cet(2026, 3, 2, 0, 0), cet(2027, 3, 2, 0, 0)), 0);
	assert_int_equal(sla_deadline(&cal, cet(2026, 3, 2, 0, 0), 1, NULL, 0), 0);
	/* Far in the future still works (years after 2038 in a 64-bit time_t). */
	sla_calendar_default(&cal);
	assert_int_equal(work(&cal, cet(2100, 3, 1, 9, 0), cet(2100, 3, 1, 17, 0)), 8 * H);
	/* Before 1970. */
	assert_int_equal(work(&cal, cet(1969, 12, 29, 9, 0), cet(1969, 12, 29, 10, 0)), 1 * H);
}

static void
test_set_hours(void **state)
{
	struct sla_calendar cal, before;
	static const char *const bad_hours[] = {
		"", "9:00-17:00", "09:00-17:0", "09:00_17:00", "17:00-09:00", "09:00-09:00",
		"24:00-24:00", "09:60-17:00", "25:00-26:00", "09:00-24:01", "09:00-17:00 ",
		"\xff\xfe:00-17:00", "09:00-17:00x",
	};
	static const char *const bad_days[] = {
		"", "MON-FRI", "mon-", "fri-mon", "mon,", ",mon", "mon,,tue", "monday",
		"mon-fri-sat", "mon tue", "m\xc3\xa0r", "mo",
	};

	(void)state;
	sla_calendar_default(&cal);
	assert_int_equal(sla_calendar_set_hours(&cal, "08:30-18:00", "mon-thu,sat"), 0);
	assert_int_equal(cal.open_min[1], 510);
	assert_int_equal(cal.close_min[4], 1080);
	assert_int_equal(cal.open_min[5], 0);
	assert_int_equal(cal.close_min[5], 0);
	assert_int_equal(cal.open_min[6], 510);
	assert_int_equal(cal.close_min[0], 0);
	assert_int_equal(sla_calendar_set_hours(&cal, "00:00-24:00", "sat-sun"), 0);
	assert_int_equal(cal.open_min[0], 0);
	assert_int_equal(cal.close_min[0], 1440);
	assert_int_equal(cal.close_min[6], 1440);
	assert_int_equal(cal.close_min[1], 0);
	assert_int_equal(sla_calendar_set_hours(&cal, "09:00-17:00", "sun,mon,sun"), 0);
	assert_int_equal(cal.close_min[0], 1020);
	memcpy(&before, &cal, sizeof(cal));
	for (size_t i = 0; i < ARRAY_SIZE(bad_hours); i++) {
		assert_int_equal(sla_calendar_set_hours(&cal, bad_hours[i], "mon-fri"), -1);
		assert_memory_equal(&cal, &before, sizeof(cal));
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_days); i++) {
		assert_int_equal(sla_calendar_set_hours(&cal, "09:00-17:00", bad_days[i]), -1);
		assert_memory_equal(&cal, &before, sizeof(cal));
	}
	/* An embedded NUL ends the C string: "mon\0,xyz" is "mon". */
	assert_int_equal(sla_calendar_set_hours(&cal, "09:00-17:00", "mon\0,xyz"), 0);
	assert_int_equal(cal.close_min[1], 1020);
	assert_int_equal(cal.close_min[2], 0);
}

static void
test_add_holiday(void **state)
{
	struct sla_calendar cal;
	static const char *const bad[] = {
		"", "2026-12-8", "2026/12/08", "2026-13-01", "2026-00-10", "2026-12-00",
		"2026-02-29", "2100-02-29", "1969-12-31", "2026-12-08x", "20261208",
		"2026-04-31", "abcd-ef-gh", "2026-12-0\xff",
	};
	char date[16];

	(void)state;
	sla_calendar_default(&cal);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2026-12-25"), 0);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2026-01-06"), 0);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2028-02-29"), 0);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2000-02-29"), 0);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2026-12-25"), 0);	/* twice: no-op */
	assert_int_equal(cal.nholidays, 4);
	assert_int_equal(cal.holidays[0], 20000229);
	assert_int_equal(cal.holidays[1], 20260106);
	assert_int_equal(cal.holidays[2], 20261225);
	assert_int_equal(cal.holidays[3], 20280229);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(sla_calendar_add_holiday(&cal, bad[i]), -1);
		assert_int_equal(cal.nholidays, 4);
	}
	/* Fill to the maximum (descending, so each insert shifts), then one more fails. */
	sla_calendar_default(&cal);
	for (int i = SLA_HOLIDAYS_MAX - 1; i >= 0; i--) {
		snprintf(date, sizeof(date), "%04d-01-01", 2000 + i);
		assert_int_equal(sla_calendar_add_holiday(&cal, date), 0);
	}
	assert_int_equal(cal.nholidays, SLA_HOLIDAYS_MAX);
	assert_int_equal(sla_calendar_add_holiday(&cal, "1999-05-05"), -1);
	assert_int_equal(sla_calendar_add_holiday(&cal, "2000-01-01"), 0);	/* present: fine */
	for (int i = 1; i < cal.nholidays; i++)
		assert_true(cal.holidays[i - 1] < cal.holidays[i]);
	assert_true(sla_calendar_is_holiday(&cal, 20000101));
	assert_true(sla_calendar_is_holiday(&cal, 21270101));
	assert_false(sla_calendar_is_holiday(&cal, 21280101));
}

static void
test_configure(void **state)
{
	struct config cfg;
	char *holidays[] = { "2026-12-08", "2026-12-25", NULL };
	char *bad_holidays[] = { "2026-12-32", NULL };
	const struct sla_calendar *cal = sla_calendar();

	(void)state;
	/* Before configuration: the default calendar. */
	assert_int_equal(cal->open_min[1], 540);
	assert_int_equal(cal->close_min[5], 1020);
	assert_int_equal(cal->close_min[6], 0);
	assert_int_equal(cal->nholidays, 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.helpdesk_hours = "08:00-16:00";
	cfg.helpdesk_days = "mon-sat";
	cfg.helpdesk_holidays = holidays;
	assert_int_equal(sla_configure(&cfg), 0);
	assert_ptr_equal(sla_calendar(), cal);
	assert_int_equal(cal->open_min[6], 480);
	assert_int_equal(cal->nholidays, 2);
	assert_int_equal(work(cal, cet(2026, 12, 7, 15, 0), cet(2026, 12, 9, 9, 0)), 2 * H);
	/* A bad value leaves the calendar as it was. */
	cfg.helpdesk_holidays = bad_holidays;
	assert_int_equal(sla_configure(&cfg), -1);
	assert_int_equal(cal->nholidays, 2);
	cfg.helpdesk_holidays = NULL;
	cfg.helpdesk_days = "weekdays";
	assert_int_equal(sla_configure(&cfg), -1);
	assert_int_equal(cal->open_min[6], 480);
}

/* The config directives (portal/config.c) feed sla_configure(): file to calendar. */
static void
test_config_directives(void **state)
{
	static const char *const bad[] = {
		"helpdesk_hours 9-17\n", "helpdesk_hours 17:00-09:00\n", "helpdesk_days lun-ven\n",
		"helpdesk_days fri-mon\n", "helpdesk_holiday 2026-02-30\n", "helpdesk_holiday 26-12-25\n",
		"helpdesk_holiday 2026-12-25\nhelpdesk_holiday 2026-12-25\n",
		"helpdesk_hours 09:00-17:00\nhelpdesk_hours 08:00-16:00\n",
	};
	struct config cfg;
	struct buf text;

	(void)state;
	assert_int_equal(config_defaults(&cfg), 0);
	assert_string_equal(cfg.helpdesk_hours, "09:00-17:00");
	assert_string_equal(cfg.helpdesk_days, "mon-fri");
	assert_non_null(cfg.helpdesk_holidays);
	assert_null(cfg.helpdesk_holidays[0]);
	config_free(&cfg);

	assert_int_equal(config_load_string(&cfg, "t.conf",
		"helpdesk_hours 08:30-16:30\nhelpdesk_days mon-thu,sat\n"
		"helpdesk_holiday 2026-12-08\nhelpdesk_holiday 2026-12-25\n"), 0);
	assert_int_equal(sla_configure(&cfg), 0);
	assert_int_equal(sla_calendar()->open_min[1], 510);
	assert_int_equal(sla_calendar()->close_min[5], 0);
	assert_int_equal(sla_calendar()->close_min[6], 990);
	assert_true(sla_calendar_is_holiday(sla_calendar(), 20261208));
	assert_true(sla_calendar_is_holiday(sla_calendar(), 20261225));
	config_free(&cfg);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(config_load_string(&cfg, "t.conf", bad[i]), -1);

	/* At most CONFIG_HOLIDAYS_MAX lines, which fit the calendar. */
	assert_int_equal(CONFIG_HOLIDAYS_MAX, SLA_HOLIDAYS_MAX);
	buf_init(&text, 0);
	for (int k = 0; k < CONFIG_HOLIDAYS_MAX; k++)
		buf_printf(&text, "helpdesk_holiday %04d-01-01\n", 2000 + k);
	assert_int_equal(config_load_string(&cfg, "t.conf", text.data), 0);
	assert_int_equal(sla_configure(&cfg), 0);
	assert_int_equal(sla_calendar()->nholidays, SLA_HOLIDAYS_MAX);
	config_free(&cfg);
	buf_adds(&text, "helpdesk_holiday 1999-01-01\n");
	assert_int_equal(config_load_string(&cfg, "t.conf", text.data), -1);
	buf_release(&text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_offset_matches_tzdata),
		cmocka_unit_test(test_same_day),
		cmocka_unit_test(test_zero_and_backwards),
		cmocka_unit_test(test_weekend),
		cmocka_unit_test(test_outside_hours),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_pauses),
		cmocka_unit_test(test_dst),
		cmocka_unit_test(test_deadline_inverse),
		cmocka_unit_test(test_no_working_time),
		cmocka_unit_test(test_set_hours),
		cmocka_unit_test(test_add_holiday),
		cmocka_unit_test(test_configure),
		cmocka_unit_test(test_config_directives),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
