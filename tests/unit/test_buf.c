/*
 * test_buf.c - the invariants of portal/buf.c: never NULL, always
 * NUL-terminated, the cap checked before allocating, a sticky error.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/buf.c"

static void
test_empty_is_valid_string(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);	/* nothing allocated yet */
	buf_release(&b);
	assert_string_equal(b.data, "");
}

static void
test_append_and_printf(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_adds(&b, "perché ");
	buf_addch(&b, 'x');
	buf_printf(&b, " %d-%s", 42, "fine");
	assert_string_equal(b.data, "perché x 42-fine");
	assert_int_equal(b.len, strlen("perché x 42-fine"));
	assert_false(b.err);
	buf_release(&b);
}

static void
test_embedded_nul_kept(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_add(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	assert_int_equal(b.data[3], '\0');
	buf_release(&b);
}

static void
test_cap_exact_and_over(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	buf_add(&b, "12345678", 8);		/* exactly the cap: fine */
	assert_false(b.err);
	assert_int_equal(b.len, 8);
	buf_addch(&b, '9');			/* one more: refused */
	assert_true(b.err);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	buf_adds(&b, "");			/* sticky: stays set */
	buf_printf(&b, "%s", "x");
	assert_true(b.err);
	assert_int_equal(b.len, 8);
	buf_reset(&b);
	assert_false(b.err);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void
test_printf_over_cap_leaves_contents(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	buf_adds(&b, "abc");
	buf_printf(&b, "%s", "0123456789");
	assert_true(b.err);
	assert_string_equal(b.data, "abc");
	assert_int_equal(b.len, 3);
	buf_release(&b);
}

static void
test_overflow_refused_before_alloc(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, SIZE_MAX - 1);
	buf_adds(&b, "x");
	/* len + n would wrap around: the check must catch it, not realloc. */
	assert_int_equal(buf_grow(&b, SIZE_MAX), -1);
	assert_true(b.err);
	buf_release(&b);
}

static void
test_detach_and_truncate(void **state)
{
	struct buf b;
	size_t len;
	char *s;

	(void)state;
	buf_init(&b, 0);
	buf_adds(&b, "hello world");
	buf_truncate(&b, 5);
	assert_string_equal(b.data, "hello");
	buf_truncate(&b, 50);			/* longer: no change */
	assert_int_equal(b.len, 5);
	s = buf_detach(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_string_equal(b.data, "");	/* the buffer is empty again */
	free(s);
	s = buf_detach(&b, NULL);		/* detaching an empty buffer allocates */
	assert_string_equal(s, "");
	free(s);
}

static void
test_growth_many_appends(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		buf_addch(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[9999], 'a' + 9999 % 26);
	assert_int_equal(b.data[10000], '\0');
	buf_release(&b);
}

/* Writes n bytes of data to dir/name and returns the path (static storage). */
static const char *
write_temp(const char *dir, const char *name, const char *data, size_t n)
{
	static char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void
test_read_file(void **state)
{
	char dir[] = "/tmp/test_buf.XXXXXX";
	enum { SIZE = 20000 };		/* more than one read() chunk */
	char *data = test_malloc(SIZE);
	const char *path;
	struct buf b;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < SIZE; i++)
		data[i] = (char)(i % 251);	/* includes NUL bytes */
	path = write_temp(dir, "data", data, SIZE);

	/* Appends after what the buffer holds, NULs included, NUL-terminated. */
	buf_init(&b, 0);
	buf_adds(&b, "head:");
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_int_equal(b.len, 5 + SIZE);
	assert_memory_equal(b.data, "head:", 5);
	assert_memory_equal(b.data + 5, data, SIZE);
	assert_int_equal(b.data[b.len], '\0');
	assert_false(b.err);
	buf_release(&b);

	/* A cap of exactly the file's size is enough ... */
	buf_init(&b, SIZE);
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_int_equal(b.len, SIZE);
	buf_release(&b);

	/* ... one byte less sets err, returns -1 and keeps the old content. */
	buf_init(&b, SIZE - 1);
	buf_adds(&b, "old");
	errno = 0;
	assert_int_equal(buf_read_file(&b, path), -1);
	assert_true(b.err);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "old");
	/* The error is sticky: even an empty file is refused now. */
	path = write_temp(dir, "empty", "", 0);
	assert_int_equal(buf_read_file(&b, path), -1);
	buf_release(&b);

	/* An empty file appends nothing and succeeds. */
	buf_init(&b, 0);
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(unlink(path), 0);

	/* A missing file: -1 with errno, buffer untouched, no err. */
	buf_adds(&b, "kept");
	path = write_temp(dir, "data", "", 0);
	assert_int_equal(unlink(path), 0);
	errno = 0;
	assert_int_equal(buf_read_file(&b, path), -1);
	assert_int_equal(errno, ENOENT);
	assert_false(b.err);
	assert_string_equal(b.data, "kept");

	/* A directory opens but cannot be read. */
	errno = 0;
	assert_int_equal(buf_read_file(&b, dir), -1);
	assert_int_equal(errno, EISDIR);
	assert_false(b.err);
	assert_string_equal(b.data, "kept");
	buf_release(&b);

	assert_int_equal(rmdir(dir), 0);
	test_free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_valid_string),
		cmocka_unit_test(test_append_and_printf),
		cmocka_unit_test(test_embedded_nul_kept),
		cmocka_unit_test(test_cap_exact_and_over),
		cmocka_unit_test(test_printf_over_cap_leaves_contents),
		cmocka_unit_test(test_overflow_refused_before_alloc),
		cmocka_unit_test(test_detach_and_truncate),
		cmocka_unit_test(test_growth_many_appends),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
