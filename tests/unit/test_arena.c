/*
 * test_arena.c - portal/arena.c: alignment, zeroing, large blocks, copies.
 * Run under ASan (make test): every block must be usable to its last byte
 * and all of it freed by arena_free.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../portal/arena.c"

static void
test_alignment_and_zero(void **state)
{
	struct arena *a = arena_new();

	(void)state;
	for (size_t n = 0; n < 100; n++) {
		unsigned char *p = arena_alloc(a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % ARENA_ALIGN, 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xab, n);
	}
	arena_free(a);
}

static void
test_zero_size_unique(void **state)
{
	struct arena *a = arena_new();
	void *p = arena_alloc(a, 0), *q = arena_alloc(a, 0);

	(void)state;
	assert_non_null(p);
	assert_ptr_not_equal(p, q);
	arena_free(a);
}

static void
test_large_and_many_chunks(void **state)
{
	struct arena *a = arena_new();
	char *big = arena_alloc(a, 1 << 20);	/* own chunk */
	char *small = arena_alloc(a, 10);

	(void)state;
	memset(big, 'x', 1 << 20);
	memcpy(small, "ok", 3);
	for (int i = 0; i < 5000; i++)		/* spans many chunks */
		memset(arena_alloc(a, 100), 'y', 100);
	assert_int_equal(big[(1 << 20) - 1], 'x');
	assert_string_equal(small, "ok");
	assert_true(arena_used(a) >= (1 << 20) + 5000 * 100);
	arena_free(a);
}

/* A reset keeps chunks for reuse: after it, memory is zeroed again, the
 * kept chunks are used before new ones, and at most ARENA_KEEP stay. */
static void
test_reset_reuses_chunks(void **state)
{
	struct arena *a = arena_new();
	unsigned char *p;

	(void)state;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 1000; i++) {	/* 125 chunks of 8 */
			p = arena_alloc(a, 1000);
			for (int j = 0; j < 1000; j++)
				assert_int_equal(p[j], 0);
			memset(p, 0xAB, 1000);
		}
		arena_reset(a);
		assert_int_equal(a->nspare, ARENA_KEEP);
	}
	/* Twenty chunks' worth: the first chunk, then 19 spares. */
	for (int i = 0; i < 20 * 8; i++)
		arena_alloc(a, 1000);
	assert_int_equal(a->nspare, ARENA_KEEP - 19);
	arena_free(a);
}

static void
test_strings(void **state)
{
	struct arena *a = arena_new();
	char *s;

	(void)state;
	assert_string_equal(arena_strdup(a, "àèì"), "àèì");
	s = arena_strndup(a, "abcdef", 3);
	assert_string_equal(s, "abc");
	s = arena_strndup(a, "a\0b", 3);	/* embedded NUL copied, result terminated */
	assert_memory_equal(s, "a\0b\0", 4);
	assert_string_equal(arena_printf(a, "%s-%05d", "n", 42), "n-00042");
	s = arena_printf(a, "%s", "");
	assert_string_equal(s, "");
	arena_free(a);
}

static void
test_calloc_overflow_aborts(void **state)
{
	(void)state;
	/* n * size overflowing is an out-of-memory condition: it aborts
	 * (checked in a child so the test goes on). */
	pid_t pid = fork();
	if (pid == 0) {
		struct arena *a = arena_new();
		arena_calloc(a, SIZE_MAX / 2, 4);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment_and_zero),
		cmocka_unit_test(test_zero_size_unique),
		cmocka_unit_test(test_large_and_many_chunks),
		cmocka_unit_test(test_reset_reuses_chunks),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_calloc_overflow_aborts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
