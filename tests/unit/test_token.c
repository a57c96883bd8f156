/*
 * test_token.c - portal/token.c and portal/role.c: the shapes of tokens,
 * MACs bound to their context and data, role names round trip.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/token.c"

static int
setup(void **state)
{
	unsigned char key[TOKEN_SECRET_LEN];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	memset(key, 7, sizeof(key));
	token_set_secret(key);
	return 0;
}

static void
test_new_tokens_differ_and_are_well_formed(void **state)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];

	(void)state;
	token_new(a);
	token_new(b);
	assert_int_equal(strlen(a), TOKEN_LEN);
	assert_true(token_well_formed(a));
	assert_string_not_equal(a, b);
}

static void
test_well_formed_rejects(void **state)
{
	char t[TOKEN_LEN + 2];

	(void)state;
	assert_false(token_well_formed(NULL));
	assert_false(token_well_formed(""));
	memset(t, 'A', TOKEN_LEN - 1);
	t[TOKEN_LEN - 1] = '\0';
	assert_false(token_well_formed(t));		/* one short */
	memset(t, 'A', TOKEN_LEN + 1);
	t[TOKEN_LEN + 1] = '\0';
	assert_false(token_well_formed(t));		/* one long */
	memset(t, 'A', TOKEN_LEN);
	t[TOKEN_LEN] = '\0';
	assert_true(token_well_formed(t));
	t[5] = '=';
	assert_false(token_well_formed(t));		/* not base64url */
	t[5] = '\'';
	assert_false(token_well_formed(t));
}

static void
test_hash_param_is_bytea_hex(void **state)
{
	char h1[TOKEN_HASH_PARAM_LEN], h2[TOKEN_HASH_PARAM_LEN];

	(void)state;
	token_hash_param("abc", h1);
	token_hash_param("abd", h2);
	assert_int_equal(strlen(h1), TOKEN_HASH_PARAM_LEN - 1);
	assert_memory_equal(h1, "\\x", 2);
	assert_string_not_equal(h1, h2);
}

static void
test_mac_binds_context_and_data(void **state)
{
	char mac[TOKEN_LEN + 1];
	unsigned char other[TOKEN_SECRET_LEN];

	(void)state;
	token_mac("csrf", "session-1", mac);
	assert_true(token_mac_ok("csrf", "session-1", mac));
	assert_false(token_mac_ok("csrf", "session-2", mac));
	assert_false(token_mac_ok("unsubscribe", "session-1", mac));
	/* "ab" + "c" must not equal "a" + "bc". */
	assert_false(token_mac_ok("csr", "fsession-1", mac));
	mac[0] = mac[0] == 'A' ? 'B' : 'A';
	assert_false(token_mac_ok("csrf", "session-1", mac));
	assert_false(token_mac_ok("csrf", "session-1", "short"));
	/* Another secret, another MAC. */
	token_mac("csrf", "session-1", mac);
	memset(other, 9, sizeof(other));
	token_set_secret(other);
	assert_false(token_mac_ok("csrf", "session-1", mac));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_tokens_differ_and_are_well_formed),
		cmocka_unit_test(test_well_formed_rejects),
		cmocka_unit_test(test_hash_param_is_bytea_hex),
		cmocka_unit_test(test_mac_binds_context_and_data),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
