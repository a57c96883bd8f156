/*
 * test_valid.c - unit tests for portal/valid.c (included, h2o style).
 */
#include "../../portal/compat.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/valid.c"

/* Byte strings with explicit lengths, so embedded NULs are kept. */
#define U(s) (s), (sizeof(s) - 1)

static int
setup(void **state)
{
	*state = arena_new();
	return 0;
}

static int
teardown(void **state)
{
	arena_free(*state);
	return 0;
}

static void
test_utf8_valid(void **state)
{
	(void)state;
	assert_true(valid_utf8(U("")));
	assert_true(valid_utf8(U("plain ASCII ~!@#")));
	assert_true(valid_utf8(U("tab\tnewline\ncr\r")));
	assert_true(valid_utf8(U("àèìòù")));			/* 2-byte */
	assert_true(valid_utf8(U("\xc2\x80")));			/* U+0080, smallest 2-byte */
	assert_true(valid_utf8(U("\xdf\xbf")));			/* U+07FF */
	assert_true(valid_utf8(U("€ \xe0\xa0\x80")));		/* 3-byte, U+0800 */
	assert_true(valid_utf8(U("\xed\x9f\xbf")));		/* U+D7FF, just below surrogates */
	assert_true(valid_utf8(U("\xee\x80\x80")));		/* U+E000, just above */
	assert_true(valid_utf8(U("\xef\xbf\xbf")));		/* U+FFFF */
	assert_true(valid_utf8(U("😀")));			/* 4-byte emoji U+1F600 */
	assert_true(valid_utf8(U("\xf0\x90\x80\x80")));		/* U+10000 */
	assert_true(valid_utf8(U("\xf4\x8f\xbf\xbf")));		/* U+10FFFF */
}

static void
test_utf8_invalid(void **state)
{
	(void)state;
	/* Overlong forms. */
	assert_false(valid_utf8(U("\xc0\x80")));
	assert_false(valid_utf8(U("\xc1\xbf")));
	assert_false(valid_utf8(U("\xe0\x80\x80")));
	assert_false(valid_utf8(U("\xe0\x9f\xbf")));
	assert_false(valid_utf8(U("\xf0\x80\x80\x80")));
	assert_false(valid_utf8(U("\xf0\x8f\xbf\xbf")));
	/* Surrogates. */
	assert_false(valid_utf8(U("\xed\xa0\x80")));
	assert_false(valid_utf8(U("\xed\xbf\xbf")));
	/* Beyond U+10FFFF and bytes that never start a sequence. */
	assert_false(valid_utf8(U("\xf4\x90\x80\x80")));
	assert_false(valid_utf8(U("\xf5\x80\x80\x80")));
	assert_false(valid_utf8(U("\xff")));
	assert_false(valid_utf8(U("\xfe")));
	/* Truncated sequences, at the end and before ASCII. */
	assert_false(valid_utf8(U("\xc3")));
	assert_false(valid_utf8(U("\xe2\x82")));
	assert_false(valid_utf8(U("\xf0\x9f\x98")));
	assert_false(valid_utf8(U("\xc3" "a")));
	assert_false(valid_utf8(U("\xe2\x82" "a")));
	/* Lone continuation bytes. */
	assert_false(valid_utf8(U("\x80")));
	assert_false(valid_utf8(U("a\xbf" "b")));
	/* A valid sequence cut short by the length argument. */
	assert_false(valid_utf8("\xc3\xa0", 1));
	assert_true(valid_utf8("\xc3\xa0", 2));
	/* Controls: NUL (embedded), other C0, DEL. */
	assert_false(valid_utf8(U("a\0b")));
	assert_false(valid_utf8(U("\x01")));
	assert_false(valid_utf8(U("\x1b[31m")));
	assert_false(valid_utf8(U("\x1f")));
	assert_false(valid_utf8(U("\x7f")));
}

static void
test_utf8_length(void **state)
{
	(void)state;
	assert_int_equal(valid_utf8_length(U("")), 0);
	assert_int_equal(valid_utf8_length(U("abc")), 3);
	assert_int_equal(valid_utf8_length(U("àèìòù")), 5);
	assert_int_equal(valid_utf8_length(U("a€😀")), 3);
}

static void
test_email(void **state)
{
	char big[300];

	(void)state;
	assert_true(valid_email(U("mario.rossi@comune.roma.it")));
	assert_true(valid_email(U("a@b.it")));
	assert_true(valid_email(U("x+tag@example.org")));
	assert_true(valid_email(U("o'neil!#$%&*/=?^_`{|}~-@sub-dom.example.com")));
	assert_true(valid_email(U("UPPER@EXAMPLE.IT")));

	assert_false(valid_email(U("")));
	assert_false(valid_email(U("plain")));
	assert_false(valid_email(U("@example.it")));
	assert_false(valid_email(U("a@")));
	assert_false(valid_email(U("a@localhost")));		/* no dot */
	assert_false(valid_email(U("a@b@c.it")));
	assert_false(valid_email(U(".a@b.it")));
	assert_false(valid_email(U("a.@b.it")));
	assert_false(valid_email(U("a..b@c.it")));
	assert_false(valid_email(U("a@.b.it")));
	assert_false(valid_email(U("a@b.it.")));
	assert_false(valid_email(U("a@b..it")));
	assert_false(valid_email(U("a@-b.it")));
	assert_false(valid_email(U("a@b-.it")));
	assert_false(valid_email(U("a b@c.it")));
	assert_false(valid_email(U("a@b_c.it")));
	assert_false(valid_email(U("\"q\"@b.it")));
	assert_false(valid_email(U("à@b.it")));
	assert_false(valid_email(U("a\0@b.it")));
	assert_false(valid_email(U("a@b.it\0")));
	assert_false(valid_email(U("<a@b.it>")));

	/* Local part: 64 bytes fit, 65 do not. */
	memset(big, 'a', 64);
	memcpy(big + 64, "@b.it", 5);
	assert_true(valid_email(big, 69));
	memset(big, 'a', 65);
	memcpy(big + 65, "@b.it", 5);
	assert_false(valid_email(big, 70));

	/* Domain label: 63 bytes fit, 64 do not. */
	memcpy(big, "a@", 2);
	memset(big + 2, 'b', 63);
	memcpy(big + 65, ".it", 3);
	assert_true(valid_email(big, 68));
	memset(big + 2, 'b', 64);
	memcpy(big + 66, ".it", 3);
	assert_false(valid_email(big, 69));

	/* Total: 254 bytes fit, 255 do not (labels of 50 'c' and dots). */
	memset(big, 'c', sizeof(big));
	memcpy(big, "a@", 2);
	for (size_t i = 52; i < sizeof(big); i += 51)
		big[i] = '.';
	/* big[0..254) ends on a label of 50 - (254 - 205) = 48 'c's. */
	assert_true(valid_email(big, 254));
	assert_false(valid_email(big, 255));
}

static void
test_text(void **state)
{
	struct arena *a = *state;
	static const struct field name = {
		"name", FIELD_BODY, VALID_TEXT, 2, 5, NULL, FIELD_REQUIRED, "Nome"
	};
	struct field_value v;
	const char *msg;

	/* Trimmed, and lengths count code points, not bytes. */
	assert_int_equal(valid_field(&name, U("  àèìòù \t"), a, &v, &msg), 0);
	assert_true(v.present);
	assert_string_equal(v.str, "àèìòù");
	assert_int_equal(v.len, 10);
	assert_null(msg);

	/* max + 1 code points. */
	assert_int_equal(valid_field(&name, U("àèìòùa"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Nome»: al massimo 5 caratteri.");
	assert_false(v.present);
	assert_null(v.str);

	/* Exactly max with a 4-byte character; below min. */
	assert_int_equal(valid_field(&name, U("abcd😀"), a, &v, &msg), 0);
	assert_int_equal(v.len, 8);
	assert_int_equal(valid_field(&name, U("😀"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Nome»: almeno 2 caratteri.");

	/* Broken UTF-8, controls and embedded NULs. */
	assert_int_equal(valid_field(&name, U("ab\xc0\x80"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Nome»: il testo contiene caratteri non validi.");
	assert_int_equal(valid_field(&name, U("ab\0cd"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Nome»: il testo contiene caratteri non validi.");
	assert_int_equal(valid_field(&name, U("ab\x1b" "c"), a, &v, &msg), -1);

	/* Single line by default. */
	assert_int_equal(valid_field(&name, U("ab\ncd"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Nome»: il testo deve stare su una sola riga.");
	assert_int_equal(valid_field(&name, U("ab\rcd"), a, &v, &msg), -1);
}

static void
test_text_singular_and_unbounded(void **state)
{
	struct arena *a = *state;
	static const struct field one = { "c", FIELD_BODY, VALID_TEXT, 1, 1, NULL, 0, "Iniziale" };
	static const struct field any = { "c", FIELD_BODY, VALID_TEXT, 0, 0, NULL, 0, NULL };
	struct field_value v;
	const char *msg;
	char big[5000];

	assert_int_equal(valid_field(&one, U("ab"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Iniziale»: al massimo 1 carattere.");
	memset(big, 'x', sizeof(big));
	assert_int_equal(valid_field(&any, big, sizeof(big), a, &v, &msg), 0);
	assert_int_equal(v.len, sizeof(big));
	/* A NULL label falls back to the parameter name. */
	assert_int_equal(valid_field(&any, U("a\xff"), a, &v, &msg), -1);
	assert_string_equal(msg, "«c»: il testo contiene caratteri non validi.");
}

static void
test_multiline(void **state)
{
	struct arena *a = *state;
	static const struct field body = {
		"body", FIELD_BODY, VALID_TEXT, 0, 5, NULL, FIELD_MULTILINE, "Testo"
	};
	struct field_value v;
	const char *msg;

	assert_int_equal(valid_field(&body, U("a\r\nb\rc"), a, &v, &msg), 0);
	assert_string_equal(v.str, "a\nb\nc");
	assert_int_equal(v.len, 5);
	/* CRLF counts as one character after normalisation: 3 + 2 = 5. */
	assert_int_equal(valid_field(&body, U("ab\r\ncd"), a, &v, &msg), 0);
	assert_int_equal(valid_field(&body, U("ab\r\ncde"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Testo»: al massimo 5 caratteri.");
	/* Trimming removes outer line breaks too. */
	assert_int_equal(valid_field(&body, U("\r\n x\r\n"), a, &v, &msg), 0);
	assert_string_equal(v.str, "x");
}

static void
test_required_missing_empty(void **state)
{
	struct arena *a = *state;
	static const struct field req = {
		"email", FIELD_BODY, VALID_EMAIL, 0, 0, NULL, FIELD_REQUIRED, "Indirizzo email"
	};
	static const struct field opt = {
		"note", FIELD_BODY, VALID_TEXT, 0, 10, NULL, 0, "Note"
	};
	struct field_value v;
	const char *msg;

	assert_int_equal(valid_field(&req, NULL, 0, a, &v, &msg), -1);
	assert_string_equal(msg, "Il campo «Indirizzo email» è obbligatorio.");
	assert_int_equal(valid_field(&req, U(""), a, &v, &msg), -1);
	assert_string_equal(msg, "Il campo «Indirizzo email» è obbligatorio.");
	assert_int_equal(valid_field(&req, U(" \t\r\n "), a, &v, &msg), -1);
	assert_string_equal(msg, "Il campo «Indirizzo email» è obbligatorio.");

	assert_int_equal(valid_field(&opt, NULL, 0, a, &v, &msg), 0);
	assert_false(v.present);
	assert_null(v.str);
	assert_null(msg);
	assert_int_equal(valid_field(&opt, U("   "), a, &v, &msg), 0);
	assert_false(v.present);
}

static void
test_raw(void **state)
{
	struct arena *a = *state;
	static const struct field pw = {
		"password", FIELD_BODY, VALID_TEXT, 0, 9, NULL, FIELD_REQUIRED | FIELD_RAW, "Password"
	};
	struct field_value v;
	const char *msg;

	assert_int_equal(valid_field(&pw, U(" se cret "), a, &v, &msg), 0);
	assert_string_equal(v.str, " se cret ");
	/* Only whitespace is still a value when it is kept. */
	assert_int_equal(valid_field(&pw, U("  "), a, &v, &msg), 0);
	assert_int_equal(v.len, 2);
	assert_int_equal(valid_field(&pw, U(""), a, &v, &msg), -1);
	assert_string_equal(msg, "Il campo «Password» è obbligatorio.");
	assert_int_equal(valid_field(&pw, U(" 12345678"), a, &v, &msg), 0);
	assert_int_equal(valid_field(&pw, U(" 12345678 "), a, &v, &msg), -1);
}

static void
test_int(void **state)
{
	struct arena *a = *state;
	static const struct field age = { "age", FIELD_QUERY, VALID_INT, 1, 120, NULL, 0, "Età" };
	static const struct field any = { "n", FIELD_QUERY, VALID_INT, 0, 0, NULL, 0, "Numero" };
	struct field_value v;
	const char *msg;

	assert_int_equal(valid_field(&age, U(" 42 "), a, &v, &msg), 0);
	assert_int_equal(v.num, 42);
	assert_string_equal(v.str, "42");
	assert_int_equal(valid_field(&age, U("007"), a, &v, &msg), 0);
	assert_int_equal(v.num, 7);
	assert_string_equal(v.str, "7");
	assert_int_equal(valid_field(&age, U("1"), a, &v, &msg), 0);
	assert_int_equal(valid_field(&age, U("120"), a, &v, &msg), 0);
	assert_int_equal(valid_field(&age, U("0"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Età»: inserire un numero tra 1 e 120.");
	assert_int_equal(valid_field(&age, U("121"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&age, U("-5"), a, &v, &msg), -1);

	assert_int_equal(valid_field(&age, U("12a"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Età»: inserire un numero intero.");
	assert_int_equal(valid_field(&age, U("+5"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&age, U("-"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&age, U("1 2"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&age, U("0x10"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&age, U("5\0"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Età»: il testo contiene caratteri non validi.");
	/* Overflow never wraps into range. */
	assert_int_equal(valid_field(&age, U("18446744073709551657"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Età»: inserire un numero tra 1 e 120.");

	/* Unbounded: the whole long long range, and nothing beyond. */
	assert_int_equal(valid_field(&any, U("9223372036854775807"), a, &v, &msg), 0);
	assert_true(v.num == LLONG_MAX);
	assert_int_equal(valid_field(&any, U("-9223372036854775808"), a, &v, &msg), 0);
	assert_true(v.num == LLONG_MIN);
	assert_string_equal(v.str, "-9223372036854775808");
	assert_int_equal(valid_field(&any, U("9223372036854775808"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Numero»: inserire un numero intero.");
	assert_int_equal(valid_field(&any, U("-9223372036854775809"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&any, U("-0"), a, &v, &msg), 0);
	assert_string_equal(v.str, "0");
}

static void
test_email_field(void **state)
{
	struct arena *a = *state;
	static const struct field em = {
		"email", FIELD_BODY, VALID_EMAIL, 0, 0, NULL, FIELD_REQUIRED, "Indirizzo email"
	};
	struct field_value v;
	const char *msg;

	assert_int_equal(valid_field(&em, U(" Mario.Rossi@Comune.Roma.IT "), a, &v, &msg), 0);
	assert_string_equal(v.str, "mario.rossi@comune.roma.it");
	assert_int_equal(v.len, strlen("mario.rossi@comune.roma.it"));
	assert_int_equal(valid_field(&em, U("mario@rossi"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Indirizzo email»: inserire un indirizzo email valido.");
	assert_int_equal(valid_field(&em, U("a@b.it\0x"), a, &v, &msg), -1);
}

static void
test_date(void **state)
{
	struct arena *a = *state;
	static const struct field d = { "d", FIELD_QUERY, VALID_DATE, 0, 0, NULL, 0, "Data" };
	static const struct field r = {
		"d", FIELD_QUERY, VALID_DATE, 20240101, 20241231, NULL, 0, "Data"
	};
	static const char *const bad[] = {
		"2023-02-29", "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32",
		"2024-04-31", "1900-02-29", "0000-01-01", "2024-1-01", "2024/01/01",
		"24-01-01", "2024-01-011", "2024-01-0a", "-024-01-01", NULL
	};
	struct field_value v;
	const char *msg;
	size_t i;

	assert_int_equal(valid_field(&d, U("2024-02-29"), a, &v, &msg), 0);
	assert_int_equal(v.num, 20240229);
	assert_string_equal(v.str, "2024-02-29");
	assert_int_equal(valid_field(&d, U("2000-02-29"), a, &v, &msg), 0);
	assert_int_equal(valid_field(&d, U("2023-12-31"), a, &v, &msg), 0);
	assert_int_equal(valid_field(&d, U("0001-01-01"), a, &v, &msg), 0);
	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(valid_field(&d, bad[i], strlen(bad[i]), a, &v, &msg), -1);
		assert_string_equal(msg, "«Data»: inserire una data valida (AAAA-MM-GG).");
	}
	assert_int_equal(valid_field(&r, U("2024-01-01"), a, &v, &msg), 0);
	assert_int_equal(valid_field(&r, U("2024-12-31"), a, &v, &msg), 0);
	assert_int_equal(valid_field(&r, U("2025-01-01"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Data»: data fuori dall'intervallo consentito.");
	assert_int_equal(valid_field(&r, U("2023-12-31"), a, &v, &msg), -1);
}

static void
test_enum(void **state)
{
	struct arena *a = *state;
	static const char *const roles[] = { "learner", "tutor", "admin", NULL };
	static const struct field f = { "role", FIELD_BODY, VALID_ENUM, 0, 0, roles, 0, "Ruolo" };
	struct field_value v;
	const char *msg;

	assert_int_equal(valid_field(&f, U("tutor"), a, &v, &msg), 0);
	assert_int_equal(v.num, 1);
	assert_string_equal(v.str, "tutor");
	assert_int_equal(valid_field(&f, U("admin"), a, &v, &msg), 0);
	assert_int_equal(v.num, 2);
	assert_int_equal(valid_field(&f, U("Admin"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Ruolo»: scegliere uno dei valori proposti.");
	assert_int_equal(valid_field(&f, U("tuto"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&f, U("tutors"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&f, U("tutor\0"), a, &v, &msg), -1);
}

static void
test_bool(void **state)
{
	struct arena *a = *state;
	static const struct field f = { "ok", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Consenso" };
	static const char *const yes[] = { "1", "on", "true", "yes", "ON", "Yes", NULL };
	static const char *const no[] = { "0", "off", "false", "no", "", " ", "NO", NULL };
	struct field_value v;
	const char *msg;
	size_t i;

	for (i = 0; yes[i] != NULL; i++) {
		assert_int_equal(valid_field(&f, yes[i], strlen(yes[i]), a, &v, &msg), 0);
		assert_true(v.present);
		assert_int_equal(v.num, 1);
		assert_string_equal(v.str, "1");
	}
	for (i = 0; no[i] != NULL; i++) {
		assert_int_equal(valid_field(&f, no[i], strlen(no[i]), a, &v, &msg), 0);
		assert_true(v.present);
		assert_int_equal(v.num, 0);
	}
	assert_int_equal(valid_field(&f, U("2"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Consenso»: valore non valido.");
	assert_int_equal(valid_field(&f, U("yess"), a, &v, &msg), -1);
	/* An absent checkbox is simply absent. */
	assert_int_equal(valid_field(&f, NULL, 0, a, &v, &msg), 0);
	assert_false(v.present);
	assert_int_equal(v.num, 0);
}

static void
test_token(void **state)
{
	struct arena *a = *state;
	static const struct field f = { "t", FIELD_PATH, VALID_TOKEN, 4, 8, NULL, FIELD_REQUIRED, "Codice" };
	struct field_value v;
	const char *msg;

	assert_int_equal(valid_field(&f, U("aZ0_-"), a, &v, &msg), 0);
	assert_string_equal(v.str, "aZ0_-");
	assert_int_equal(valid_field(&f, U("abcd"), a, &v, &msg), 0);
	assert_int_equal(valid_field(&f, U("abcdefgh"), a, &v, &msg), 0);
	assert_int_equal(valid_field(&f, U("abcdefghi"), a, &v, &msg), -1);
	assert_string_equal(msg, "«Codice»: valore non valido.");
	assert_int_equal(valid_field(&f, U("abc"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&f, U("ab.cd"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&f, U("ab cd"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&f, U("abcàd"), a, &v, &msg), -1);
	assert_int_equal(valid_field(&f, U("abcd\0"), a, &v, &msg), -1);
}

/* The message and the value live in the arena, not in static storage. */
static void
test_arena_ownership(void **state)
{
	struct arena *a = *state;
	static const struct field f = { "n", FIELD_BODY, VALID_TEXT, 0, 3, NULL, 0, "Nome" };
	struct field_value v;
	const char *msg, *first;
	size_t before;

	before = arena_used(a);
	assert_int_equal(valid_field(&f, U("abcd"), a, &v, &msg), -1);
	first = msg;
	assert_true(arena_used(a) > before);
	assert_int_equal(valid_field(&f, U("abcde"), a, &v, &msg), -1);
	assert_ptr_not_equal(first, msg);
	assert_string_equal(first, "«Nome»: al massimo 3 caratteri.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_email),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_singular_and_unbounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required_missing_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int, setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arena_ownership, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
