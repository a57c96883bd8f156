/*
 * test_session.c - the in-memory copies of sessions of portal/session.c:
 * keyed by the whole hash (two hashes of one slot never answer for each
 * other), dropped when accounts change, when old, when the session expires.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/session.c"

/* A hash as token_hash_param() writes it: "\x" and 64 hex digits. */
static void
make_hash(char out[TOKEN_HASH_PARAM_LEN], char fill, const char *last8)
{
	out[0] = '\\';
	out[1] = 'x';
	memset(out + 2, fill, 56);
	memcpy(out + 58, last8, 8);
	out[66] = '\0';
}

static struct request *
new_request(void)
{
	struct request *req = calloc(1, sizeof(*req));

	req->arena = arena_new();
	return req;
}

static void
free_request(struct request *req)
{
	arena_free(req->arena);
	free(req);
}

static const struct user alice = { 7, "alice@example.it", "Alice", ROLE_OPERATORE, 3, "Comune di Prova" };

static void
test_a_hit_is_a_copy_of_what_was_put(void **state)
{
	char h[TOKEN_HASH_PARAM_LEN];
	struct request *req = new_request();

	(void)state;
	make_hash(h, 'a', "0000abcd");
	session_cache_put(h, false, db_accounts_generation(), session_monotonic(), 42, time(NULL) + 3600, &alice);
	assert_true(session_cache_get(req, h, false));
	assert_int_equal(req->session_id, 42);
	assert_int_equal(req->user->id, 7);
	assert_string_equal(req->user->email, "alice@example.it");
	assert_string_equal(req->user->org_name, "Comune di Prova");
	assert_int_equal(req->user->roles, ROLE_OPERATORE);
	/* The request's strings are its own, not the cache's. */
	assert_ptr_not_equal(req->user->email, session_cache_slot(h)->user.email);
	free_request(req);
	session_cache_clear();
}

static void
test_another_hash_of_the_same_slot_misses(void **state)
{
	char a[TOKEN_HASH_PARAM_LEN], b[TOKEN_HASH_PARAM_LEN];
	struct request *req = new_request();

	(void)state;
	make_hash(a, 'a', "0000abcd");
	make_hash(b, 'b', "0000abcd");
	assert_ptr_equal(session_cache_slot(a), session_cache_slot(b));
	session_cache_put(a, false, db_accounts_generation(), session_monotonic(), 42, time(NULL) + 3600, &alice);
	assert_false(session_cache_get(req, b, false));
	assert_null(req->user);
	free_request(req);
	session_cache_clear();
}

/* A token cached as a cookie never authenticates as a bearer token, nor the reverse. */
static void
test_cookie_and_bearer_entries_do_not_mix(void **state)
{
	char h[TOKEN_HASH_PARAM_LEN];
	struct request *req = new_request();

	(void)state;
	make_hash(h, 'c', "00001234");
	session_cache_put(h, false, db_accounts_generation(), session_monotonic(), 42, time(NULL) + 3600, &alice);
	assert_false(session_cache_get(req, h, true));
	assert_null(req->user);
	session_cache_put(h, true, db_accounts_generation(), session_monotonic(), 0, INT64_MAX, &alice);
	assert_false(session_cache_get(req, h, false));
	assert_true(session_cache_get(req, h, true));
	assert_int_equal(req->session_id, 0);
	free_request(req);
	session_cache_clear();
}

static void
test_a_change_to_accounts_drops_every_entry(void **state)
{
	char h[TOKEN_HASH_PARAM_LEN];
	struct request *req = new_request();
	struct db *db = db_open("dbname=none");

	(void)state;
	make_hash(h, 'c', "12345678");
	session_cache_put(h, false, db_accounts_generation(), session_monotonic(), 1, time(NULL) + 3600, &alice);
	db_accounts_changed(db);	/* no transaction open: counted at once */
	assert_false(session_cache_get(req, h, false));
	db_close(db);
	free_request(req);
	session_cache_clear();
}

static void
test_old_or_expired_entries_miss(void **state)
{
	char h[TOKEN_HASH_PARAM_LEN];
	struct request *req = new_request();

	(void)state;
	make_hash(h, 'd', "00000001");
	session_cache_put(h, false, db_accounts_generation(), session_monotonic() - SESSION_CACHE_TTL, 1,
			  time(NULL) + 3600, &alice);
	assert_false(session_cache_get(req, h, false));
	session_cache_put(h, false, db_accounts_generation(), session_monotonic(), 1, time(NULL) - 1, &alice);
	assert_false(session_cache_get(req, h, false));
	session_cache_put(h, false, db_accounts_generation(), session_monotonic(), 1, time(NULL) + 60, &alice);
	assert_true(session_cache_get(req, h, false));
	free_request(req);
	session_cache_clear();
}

static void
test_a_user_without_organisation(void **state)
{
	char h[TOKEN_HASH_PARAM_LEN];
	struct request *req = new_request();
	struct user bob = { 8, "bob@example.it", "Bob", ROLE_ADMIN, 0, NULL };

	(void)state;
	make_hash(h, 'e', "ffffffff");
	session_cache_put(h, false, db_accounts_generation(), session_monotonic(), 2, time(NULL) + 60, &bob);
	assert_true(session_cache_get(req, h, false));
	assert_null(req->user->org_name);
	assert_int_equal(req->user->org_id, 0);
	free_request(req);
	session_cache_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_hit_is_a_copy_of_what_was_put),
		cmocka_unit_test(test_another_hash_of_the_same_slot_misses),
		cmocka_unit_test(test_cookie_and_bearer_entries_do_not_mix),
		cmocka_unit_test(test_a_change_to_accounts_drops_every_entry),
		cmocka_unit_test(test_old_or_expired_entries_miss),
		cmocka_unit_test(test_a_user_without_organisation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
