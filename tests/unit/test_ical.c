/*
 * test_ical.c - iCalendar formatting (portal/ical.c): TEXT escaping,
 * folding at 75 octets without cutting UTF-8, whole events.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/ical.c"

static const char *
escaped(struct buf *b, const char *s)
{
	buf_reset(b);
	ical_escape(b, s);
	return b->data;
}

static void
test_escape(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_string_equal(escaped(&b, "Sala 1, piano 2; ala \\ nord"), "Sala 1\\, piano 2\\; ala \\\\ nord");
	assert_string_equal(escaped(&b, "a\nb\r\nc\rd"), "a\\nb\\nc\\nd");
	assert_string_equal(escaped(&b, "tab\there\x01\x7f"), "tabhere");
	assert_string_equal(escaped(&b, ""), "");
	assert_string_equal(escaped(&b, NULL), "");
	assert_string_equal(escaped(&b, "Città: è già"), "Città: è già");
	/* Colons and quotes are not escaped in TEXT. */
	assert_string_equal(escaped(&b, "\"x\":y"), "\"x\":y");
	buf_release(&b);
}

/* Checks every physical line of s: CRLF ended, <= 75 octets, continuations start with a space. */
static void
check_folded(const char *s, size_t len, int want_lines)
{
	int lines = 0;

	while (len > 0) {
		const char *crlf = memchr(s, '\r', len);
		size_t n;

		assert_non_null(crlf);
		assert_true((size_t)(crlf - s) + 1 < len);
		assert_int_equal(crlf[1], '\n');
		n = (size_t)(crlf - s);
		assert_true(n <= ICAL_LINE_MAX);
		if (lines > 0)
			assert_int_equal(s[0], ' ');
		/* No physical line ends inside a UTF-8 sequence. */
		if (n > 0)
			assert_false(((unsigned char)s[n - 1] & 0xC0) == 0xC0);
		if (n + 2 < len)
			assert_false(((unsigned char)crlf[3] & 0xC0) == 0x80 && crlf[2] == ' ');
		lines++;
		len -= n + 2;
		s = crlf + 2;
	}
	assert_int_equal(lines, want_lines);
}

/* Undoes folding: drops every CRLF followed by a space, and the final CRLF. */
static const char *
unfold(struct buf *tmp, const char *s)
{
	buf_reset(tmp);
	for (; *s; s++) {
		if (s[0] == '\r' && s[1] == '\n' && s[2] == ' ')
			s += 2;
		else if (s[0] == '\r' && s[1] == '\n' && s[2] == '\0')
			break;
		else
			buf_addch(tmp, *s);
	}
	return tmp->data;
}

static void
test_fold_ascii(void **state)
{
	struct buf b, u;
	char line[200];

	(void)state;
	buf_init(&b, 0);
	buf_init(&u, 0);
	/* Boundaries: 0, 75 (one line), 76 (two), 75 + 74 (two), 75 + 74 + 1 (three). */
	ical_fold(&b, "", 0);
	assert_string_equal(b.data, "\r\n");
	for (size_t n = 0; n < sizeof(line); n++)
		line[n] = (char)('a' + n % 26);
	struct { size_t len; int lines; } cases[] = { { 1, 1 }, { 75, 1 }, { 76, 2 }, { 149, 2 }, { 150, 3 }, { 200, 3 } };
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		buf_reset(&b);
		ical_fold(&b, line, cases[i].len);
		check_folded(b.data, b.len, cases[i].lines);
		assert_int_equal(strlen(unfold(&u, b.data)), cases[i].len);
		assert_memory_equal(u.data, line, cases[i].len);
	}
	buf_reset(&b);
	ical_fold(&b, line, 76);
	assert_int_equal(b.data[75], '\r');
	assert_memory_equal(b.data + 75, "\r\n ", 3);
	buf_release(&b);
	buf_release(&u);
}

static void
test_fold_utf8(void **state)
{
	struct buf b, u, in;

	(void)state;
	buf_init(&b, 0);
	buf_init(&u, 0);
	buf_init(&in, 0);
	/* 74 ASCII bytes, then "è" (2 octets) would end at octet 76: it must
	 * move whole to the next line. */
	for (int i = 0; i < 74; i++)
		buf_addch(&in, 'x');
	buf_adds(&in, "è€😀fine");
	ical_fold(&b, in.data, in.len);
	assert_memory_equal(b.data + 74, "\r\n \xc3\xa8", 5);
	check_folded(b.data, b.len, 2);
	assert_string_equal(unfold(&u, b.data), in.data);

	/* Only 4-octet characters: every cut falls on a character boundary. */
	for (int start = 0; start < 4; start++) {
		buf_reset(&in);
		buf_reset(&b);
		for (int i = 0; i < start; i++)
			buf_addch(&in, 'a');
		for (int i = 0; i < 100; i++)
			buf_adds(&in, "😀");
		ical_fold(&b, in.data, in.len);
		assert_string_equal(unfold(&u, b.data), in.data);
		for (size_t i = 0; i + 2 < b.len; i++)
			if (b.data[i] == '\r')
				assert_true(((unsigned char)b.data[i - 1] & 0xC0) != 0xC0 &&
					    (unsigned char)b.data[i + 3] == 0xF0);
	}

	/* Broken UTF-8 (continuation bytes only) still folds and terminates. */
	buf_reset(&in);
	buf_reset(&b);
	for (int i = 0; i < 200; i++)
		buf_addch(&in, (char)0x80);
	ical_fold(&b, in.data, in.len);
	assert_string_equal(unfold(&u, b.data), in.data);
	buf_release(&b);
	buf_release(&u);
	buf_release(&in);
}

static void
test_prop(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	ical_prop(&b, "SUMMARY", "Modulo 1, parte A; \"live\"", true);
	assert_string_equal(b.data, "SUMMARY:Modulo 1\\, parte A\\; \"live\"\r\n");
	buf_reset(&b);
	ical_prop(&b, "URL", "https://example.org/a,b", false);
	assert_string_equal(b.data, "URL:https://example.org/a,b\r\n");
	buf_reset(&b);
	ical_prop(&b, "LOCATION", NULL, true);
	ical_prop(&b, "LOCATION", "", true);
	assert_int_equal(b.len, 0);
	buf_release(&b);

	/* Past the cap: sticky error, no partial line. */
	buf_init(&b, 20);
	ical_prop(&b, "DESCRIPTION", "un testo troppo lungo per il limite", true);
	assert_true(b.err);
	buf_release(&b);
}

static void
test_calendar(void **state)
{
	struct buf b;
	struct ical_event ev = {
		"session-7@portal", "20260302T090000Z", "20260302T110000Z",
		"Lezione dal vivo: Modulo 1", "Riga uno\nRiga due", "Sala formazione, Via Merulana 123, Roma",
		"https://meet.example.org/abc",
	};

	(void)state;
	buf_init(&b, 0);
	ical_begin(&b, "-//Portale//IT", "Classe pilota – Roma");
	ical_event(&b, &ev, "20260226T120000Z");
	ical_end(&b);
	assert_false(b.err);
	assert_non_null(strstr(b.data, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Portale//IT\r\n"));
	assert_non_null(strstr(b.data, "BEGIN:VEVENT\r\nUID:session-7@portal\r\nDTSTAMP:20260226T120000Z\r\n"
				       "DTSTART:20260302T090000Z\r\nDTEND:20260302T110000Z\r\n"));
	assert_non_null(strstr(b.data, "DESCRIPTION:Riga uno\\nRiga due\r\n"));
	assert_non_null(strstr(b.data, "LOCATION:Sala formazione\\, Via Merulana 123\\, Roma\r\n"));
	assert_non_null(strstr(b.data, "URL:https://meet.example.org/abc\r\nEND:VEVENT\r\n"));
	assert_int_equal(strcmp(b.data + b.len - 15, "END:VCALENDAR\r\n"), 0);
	/* No bare LF anywhere. */
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\n')
			assert_int_equal(b.data[i - 1], '\r');
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_fold_ascii),
		cmocka_unit_test(test_fold_utf8),
		cmocka_unit_test(test_prop),
		cmocka_unit_test(test_calendar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
