/*
 * test_csv.c - CSV cells of portal/csv.c: quoting, separators, formula
 * neutralising, numbers left alone.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/csv.c"

/* One cell as the first of a row, compared with want. */
static void
check_cell(const char *s, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	csv_cell(&b, s, true);
	assert_false(b.err);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	buf_release(&b);
}

static void
test_plain_cells_are_written_as_they_are(void **state)
{
	(void)state;
	check_cell("Maria Rossi", "Maria Rossi");
	check_cell("Città di Castello, Umbria", "Città di Castello, Umbria");
	check_cell("", "");
	check_cell(NULL, "");
}

static void
test_separators_quotes_and_newlines_are_quoted(void **state)
{
	(void)state;
	check_cell("a;b", "\"a;b\"");
	check_cell("detto \"Mimmo\"", "\"detto \"\"Mimmo\"\"\"");
	check_cell("riga 1\nriga 2", "\"riga 1\nriga 2\"");
	check_cell("x\r", "\"x\r\"");
}

static void
test_formulas_are_neutralised(void **state)
{
	(void)state;
	check_cell("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"");
	check_cell("+39 06 1234", "\"'+39 06 1234\"");
	check_cell("-a", "\"'-a\"");
	check_cell("@SUM(A1)", "\"'@SUM(A1)\"");
	check_cell("\tcmd", "\"'\tcmd\"");
	check_cell("-", "\"'-\"");
	check_cell("-3,", "\"'-3,\"");
}

static void
test_numbers_are_left_alone(void **state)
{
	(void)state;
	check_cell("-3", "-3");
	check_cell("+7", "+7");
	check_cell("4,5", "4,5");
	check_cell("100", "100");
	check_cell("0.25", "0.25");
	check_cell("1,2,3", "1,2,3");	/* not a number but harmless: starts with a digit */
}

static void
test_rows_use_semicolons_and_crlf(void **state)
{
	const char *cells[] = { "Nome", NULL, "a;b", "42" };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_adds(&b, CSV_BOM);
	csv_row(&b, cells, 4);
	csv_row(&b, cells, 1);
	assert_false(b.err);
	assert_string_equal(b.data, "\xEF\xBB\xBFNome;;\"a;b\";42\r\nNome\r\n");
	buf_release(&b);
}

static void
test_a_full_buffer_is_sticky(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	csv_cell(&b, "abcdefghijkl", true);
	assert_true(b.err);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_cells_are_written_as_they_are),
		cmocka_unit_test(test_separators_quotes_and_newlines_are_quoted),
		cmocka_unit_test(test_formulas_are_neutralised),
		cmocka_unit_test(test_numbers_are_left_alone),
		cmocka_unit_test(test_rows_use_semicolons_and_crlf),
		cmocka_unit_test(test_a_full_buffer_is_sticky),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
