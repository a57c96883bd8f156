/*
 * test_router.c - portal/router.c: literal and parameter segments, the
 * rest parameter, 404 versus 405 with the allowed methods, HEAD via GET.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/router.c"

static int handler_a(struct request *req) { (void)req; return 200; }
static int handler_b(struct request *req) { (void)req; return 201; }

static const struct route routes[] = {
	{ METHOD_GET, "/", handler_a, 0, 0, NULL, 0, "home" },
	{ METHOD_GET, "/admin/utenti", handler_a, 0, 0, NULL, 0, "users" },
	{ METHOD_GET, "/admin/utenti/{id}", handler_a, 0, 0, NULL, 0, "user" },
	{ METHOD_POST, "/admin/utenti/{id}", handler_b, 0, 0, NULL, 0, "user.post" },
	{ METHOD_PATCH, "/api/v1/users/{id}/roles/{role}", handler_b, 0, 0, NULL, 0, "roles" },
	{ METHOD_GET, "/assets/{path*}", handler_a, 0, 0, NULL, 0, "assets" },
};

static struct router *
setup_router(void)
{
	struct router *r = router_new();

	router_add(r, routes, ARRAY_SIZE(routes));
	return r;
}

static const struct route *
match(struct router *r, struct arena *a, enum http_method m, const char *path,
      const char **args, int *nargs, unsigned *allowed)
{
	return router_match(r, a, m, path, args, nargs, allowed);
}

static void
test_literals_and_params(void **state)
{
	struct router *r = setup_router();
	struct arena *a = arena_new();
	const char *args[REQUEST_MAX_ARGS];
	unsigned allowed;
	int n;

	(void)state;
	assert_ptr_equal(match(r, a, METHOD_GET, "/", args, &n, &allowed), &routes[0]);
	assert_int_equal(n, 0);
	assert_ptr_equal(match(r, a, METHOD_GET, "/admin/utenti", args, &n, &allowed), &routes[1]);
	assert_ptr_equal(match(r, a, METHOD_GET, "/admin/utenti/42", args, &n, &allowed), &routes[2]);
	assert_int_equal(n, 1);
	assert_string_equal(args[0], "42");
	assert_ptr_equal(match(r, a, METHOD_POST, "/admin/utenti/7", args, &n, &allowed), &routes[3]);
	assert_ptr_equal(match(r, a, METHOD_PATCH, "/api/v1/users/3/roles/admin", args, &n, &allowed),
			 &routes[4]);
	assert_int_equal(n, 2);
	assert_string_equal(args[0], "3");
	assert_string_equal(args[1], "admin");
	arena_free(a);
	router_free(r);
}

static void
test_rest_parameter(void **state)
{
	struct router *r = setup_router();
	struct arena *a = arena_new();
	const char *args[REQUEST_MAX_ARGS];
	unsigned allowed;
	int n;

	(void)state;
	assert_ptr_equal(match(r, a, METHOD_GET, "/assets/css/portal.css", args, &n, &allowed), &routes[5]);
	assert_string_equal(args[0], "css/portal.css");
	/* The rest must be non-empty. */
	assert_null(match(r, a, METHOD_GET, "/assets/", args, &n, &allowed));
	assert_null(match(r, a, METHOD_GET, "/assets", args, &n, &allowed));
	arena_free(a);
	router_free(r);
}

static void
test_not_found(void **state)
{
	struct router *r = setup_router();
	struct arena *a = arena_new();
	const char *args[REQUEST_MAX_ARGS];
	unsigned allowed = 99;
	int n;

	(void)state;
	static const char *const misses[] = {
		"/admin", "/admin/utenti/", "/admin/utenti/1/x", "/admin//utenti", "//",
		"/ADMIN/utenti", "/admin/utentix", "", "/admin/utenti//",
	};
	for (size_t i = 0; i < ARRAY_SIZE(misses); i++) {
		assert_null(match(r, a, METHOD_GET, misses[i], args, &n, &allowed));
		assert_int_equal(allowed, 0);
	}
	arena_free(a);
	router_free(r);
}

static void
test_method_not_allowed(void **state)
{
	struct router *r = setup_router();
	struct arena *a = arena_new();
	const char *args[REQUEST_MAX_ARGS];
	unsigned allowed;
	char allow[80];
	int n;

	(void)state;
	assert_null(match(r, a, METHOD_DELETE, "/admin/utenti/5", args, &n, &allowed));
	assert_int_equal(allowed, METHOD_GET | METHOD_HEAD | METHOD_POST);
	router_allow_string(allowed, allow, sizeof(allow));
	assert_string_equal(allow, "GET, HEAD, POST");
	/* HEAD is served by a GET route. */
	assert_ptr_equal(match(r, a, METHOD_HEAD, "/admin/utenti", args, &n, &allowed), &routes[1]);
	/* A tiny output buffer is never overrun. */
	router_allow_string(allowed, allow, 6);
	assert_true(strlen(allow) < 6);
	arena_free(a);
	router_free(r);
}

static void
test_count_and_get(void **state)
{
	struct router *r = setup_router();

	(void)state;
	assert_int_equal(router_count(r), ARRAY_SIZE(routes));
	assert_ptr_equal(router_get(r, 2), &routes[2]);
	assert_null(router_get(r, ARRAY_SIZE(routes)));
	router_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals_and_params),
		cmocka_unit_test(test_rest_parameter),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_count_and_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
