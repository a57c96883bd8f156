/*
 * test_role.c - portal/role.c: the text[] literals PostgreSQL returns.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/role.c"

static void
test_parse(void **state)
{
	(void)state;
	assert_int_equal(role_parse_array("{}"), 0);
	assert_int_equal(role_parse_array("{operatore}"), ROLE_OPERATORE);
	assert_int_equal(role_parse_array("{operatore,admin}"), ROLE_OPERATORE | ROLE_ADMIN);
	assert_int_equal(role_parse_array("{helpdesk1,helpdesk2}"), ROLE_HELPDESK1 | ROLE_HELPDESK2);
	/* Prefixes and unknown names match nothing. */
	assert_int_equal(role_parse_array("{helpdesk,adminx,operator}"), 0);
	assert_int_equal(role_parse_array(NULL), 0);
	assert_int_equal(role_parse_array("operatore"), 0);
}

static void
test_format_round_trip(void **state)
{
	struct buf b;

	(void)state;
	for (unsigned mask = 0; mask < (1u << ROLE_COUNT); mask += 7) {
		buf_init(&b, 0);
		role_format_array(mask, &b);
		assert_int_equal(role_parse_array(b.data), mask);
		buf_release(&b);
	}
	buf_init(&b, 0);
	role_format_array(ROLE_REFERENTE | ROLE_COORDINAMENTO, &b);
	assert_string_equal(b.data, "{referente,coordinamento}");
	buf_release(&b);
}

static void
test_names(void **state)
{
	(void)state;
	for (int i = 0; i < ROLE_COUNT; i++)
		assert_int_equal(role_from_name(role_name(i)), 1u << i);
	assert_int_equal(role_from_name("root"), 0);
	assert_null(role_name(ROLE_COUNT));
	assert_string_equal(role_label(1), "Referente pilota");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
