/*
 * test_json.c - unit tests of portal/json.c (included to reach its statics).
 */
#include "../../portal/compat.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* The parser's scratch array goes through cmocka's allocator so a leak,
 * on the error paths above all, fails the test. */
#define malloc(n) test_malloc(n)
#define realloc(p, n) test_realloc(p, n)
#define free(p) test_free(p)
#include "../../portal/json.c"
#undef malloc
#undef realloc
#undef free

/* Serialises a parsed tree back with the writer (for round trips). */
static void
emit(struct json_writer *w, const struct json_value *v)
{
	const struct json_value *c;

	switch (v->type) {
	case JSON_NULL:
		json_null(w, v->key);
		break;
	case JSON_BOOL:
		json_bool(w, v->key, v->boolean);
		break;
	case JSON_NUMBER:
		json_raw(w, v->key, v->str);
		break;
	case JSON_STRING:
		json_strn(w, v->key, v->str, v->len);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		if (v->type == JSON_ARRAY)
			json_arr_open(w, v->key);
		else
			json_obj_open(w, v->key);
		for (c = v->child; c != NULL; c = c->next)
			emit(w, c);
		if (v->type == JSON_ARRAY)
			json_arr_close(w);
		else
			json_obj_close(w);
		break;
	}
}

/* Parses text and writes it back; returns the arena-free copy to compare. */
static void
assert_round_trip(const char *in, const char *expect)
{
	struct arena *a = arena_new();
	struct json_writer w;
	struct json_value *v;
	const char *err = "unset";
	struct buf b;

	v = json_parse(a, in, strlen(in), &err);
	if (v == NULL)
		fail_msg("parse of %s failed: %s", in, err);
	assert_null(err);
	buf_init(&b, 0);
	json_writer_init(&w, &b);
	emit(&w, v);
	assert_int_equal(w.depth, 0);
	assert_false(b.err);
	assert_string_equal(b.data, expect);
	buf_release(&b);
	arena_free(a);
}

/* Asserts that parsing len bytes fails with exactly the message expect. */
static void
assert_parse_errorn(const char *in, size_t len, const char *expect)
{
	struct arena *a = arena_new();
	const char *err = NULL;

	if (json_parse(a, in, len, &err) != NULL)
		fail_msg("parse of \"%.*s\" succeeded", (int)len, in);
	assert_non_null(err);
	assert_string_equal(err, expect);
	arena_free(a);
}

static void
assert_parse_error(const char *in, const char *expect)
{
	assert_parse_errorn(in, strlen(in), expect);
}

static void
test_writer_nested(void **state)
{
	struct json_writer w;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	json_writer_init(&w, &b);
	json_obj_open(&w, NULL);
	json_str(&w, "name", "Corso \"base\"");
	json_int(&w, "id", -42);
	json_int(&w, "max", LLONG_MAX);
	json_int(&w, "min", LLONG_MIN);
	json_bool(&w, "ok", true);
	json_bool(&w, "ko", false);
	json_null(&w, "none");
	json_str(&w, "nil", NULL);
	json_strn(&w, "nstr", NULL, 3);
	json_raw(&w, "raw", "{\"x\":[1,2]}");
	json_raw(&w, "rawnull", NULL);
	json_arr_open(&w, "empty");
	json_arr_close(&w);
	json_obj_open(&w, "eo");
	json_obj_close(&w);
	json_arr_open(&w, "list");
	json_int(&w, NULL, 1);
	json_obj_open(&w, NULL);
	json_str(&w, "k", "v");
	json_arr_open(&w, "deep");
	json_arr_open(&w, NULL);
	json_arr_close(&w);
	json_str(&w, NULL, "");
	json_arr_close(&w);
	json_obj_close(&w);
	json_null(&w, NULL);
	json_arr_close(&w);
	json_obj_close(&w);
	assert_int_equal(w.depth, 0);
	assert_false(b.err);
	assert_string_equal(b.data,
	    "{\"name\":\"Corso \\\"base\\\"\",\"id\":-42,"
	    "\"max\":9223372036854775807,\"min\":-9223372036854775808,"
	    "\"ok\":true,\"ko\":false,\"none\":null,\"nil\":null,\"nstr\":null,"
	    "\"raw\":{\"x\":[1,2]},\"rawnull\":null,\"empty\":[],\"eo\":{},"
	    "\"list\":[1,{\"k\":\"v\",\"deep\":[[],\"\"]},null]}");
	buf_release(&b);
}

static void
test_writer_scalar_top(void **state)
{
	struct json_writer w;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	json_writer_init(&w, &b);
	json_str(&w, NULL, "solo");
	assert_string_equal(b.data, "\"solo\"");
	buf_release(&b);
}

static void
test_writer_max_depth(void **state)
{
	struct json_writer w;
	struct buf b;
	unsigned i;

	(void)state;
	buf_init(&b, 0);
	json_writer_init(&w, &b);
	for (i = 0; i < JSON_WRITER_MAX_DEPTH; i++)
		json_arr_open(&w, NULL);
	json_int(&w, NULL, 7);
	for (i = 0; i < JSON_WRITER_MAX_DEPTH; i++)
		json_arr_close(&w);
	assert_int_equal(b.len, 2 * JSON_WRITER_MAX_DEPTH + 1);
	assert_int_equal(b.data[JSON_WRITER_MAX_DEPTH], '7');
	assert_int_equal(b.data[0], '[');
	assert_int_equal(b.data[b.len - 1], ']');
	buf_release(&b);
}

/* Runs fn in a child; asserts it ended through fatalx() (exit status 1). */
static void
assert_fatal(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		/* Keep the child's fatalx line out of the test output. */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(3);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
}

static void
misuse_too_deep(void)
{
	struct json_writer w;
	struct buf b;
	unsigned i;

	buf_init(&b, 0);
	json_writer_init(&w, &b);
	for (i = 0; i <= JSON_WRITER_MAX_DEPTH; i++)
		json_obj_open(&w, i ? "k" : NULL);
}

static void
misuse_key_in_array(void)
{
	struct json_writer w;
	struct buf b;

	buf_init(&b, 0);
	json_writer_init(&w, &b);
	json_arr_open(&w, NULL);
	json_int(&w, "k", 1);
}

static void
misuse_no_key_in_object(void)
{
	struct json_writer w;
	struct buf b;

	buf_init(&b, 0);
	json_writer_init(&w, &b);
	json_obj_open(&w, NULL);
	json_int(&w, NULL, 1);
}

static void
misuse_mismatched_close(void)
{
	struct json_writer w;
	struct buf b;

	buf_init(&b, 0);
	json_writer_init(&w, &b);
	json_obj_open(&w, NULL);
	json_arr_close(&w);
}

static void
misuse_close_unopened(void)
{
	struct json_writer w;
	struct buf b;

	buf_init(&b, 0);
	json_writer_init(&w, &b);
	json_obj_close(&w);
}

static void
misuse_two_top_values(void)
{
	struct json_writer w;
	struct buf b;

	buf_init(&b, 0);
	json_writer_init(&w, &b);
	json_int(&w, NULL, 1);
	json_int(&w, NULL, 2);
}

static void
test_writer_misuse_is_fatal(void **state)
{
	(void)state;
	assert_fatal(misuse_too_deep);
	assert_fatal(misuse_key_in_array);
	assert_fatal(misuse_no_key_in_object);
	assert_fatal(misuse_mismatched_close);
	assert_fatal(misuse_close_unopened);
	assert_fatal(misuse_two_top_values);
}

static void
test_writer_cap(void **state)
{
	struct json_writer w;
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	json_writer_init(&w, &b);
	json_arr_open(&w, NULL);
	json_str(&w, NULL, "0123456789");
	json_arr_close(&w);
	assert_true(b.err);
	assert_true(b.len <= 8);
	buf_release(&b);
}

static void
check_escape(const char *in, size_t len, const char *expect)
{
	struct buf b;

	buf_init(&b, 0);
	json_escape(&b, in, len);
	assert_false(b.err);
	assert_string_equal(b.data, expect);
	buf_release(&b);
}

static void
test_escape(void **state)
{
	(void)state;
	check_escape("", 0, "\"\"");
	check_escape("plain text", 10, "\"plain text\"");
	check_escape("\"\\/", 3, "\"\\\"\\\\/\"");
	check_escape("a\nb\tc\rd\be\ff", 11, "\"a\\nb\\tc\\rd\\be\\ff\"");
	check_escape("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"");
	check_escape("a\0b", 3, "\"a\\u0000b\"");
	check_escape("</script><!--&amp;", 18,
	    "\"\\u003c/script\\u003e\\u003c!--\\u0026amp;\"");
	/* Non-ASCII passes through, except the two JavaScript line breaks. */
	check_escape("perché è così", strlen("perché è così"), "\"perché è così\"");
	check_escape("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", 9, "\"a\\u2028b\\u2029c\"");
	check_escape("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
	/* Broken UTF-8 becomes U+FFFD, byte by byte. */
	check_escape("a\xff" "b", 3, "\"a\\ufffdb\"");
	check_escape("\xc3", 1, "\"\\ufffd\"");			/* truncated */
	check_escape("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");	/* overlong */
	check_escape("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	check_escape("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* > U+10FFFF */
	/* Only len bytes are read. */
	check_escape("abcdef", 3, "\"abc\"");
}

static void
test_round_trip(void **state)
{
	(void)state;
	assert_round_trip("{}", "{}");
	assert_round_trip("[]", "[]");
	assert_round_trip(" \t\r\n{ \"a\" : [ 1 , -2.5e+3 , 0 , -0 , 1E-2 , 0.125 ] ,"
			  " \"b\" : { \"c\" : null , \"d\" : true , \"e\" : false } } \n",
			  "{\"a\":[1,-2.5e+3,0,-0,1E-2,0.125],"
			  "\"b\":{\"c\":null,\"d\":true,\"e\":false}}");
	assert_round_trip("\"x\"", "\"x\"");
	assert_round_trip("42", "42");
	assert_round_trip("null", "null");
	assert_round_trip("[[[[]]],{}]", "[[[[]]],{}]");
	assert_round_trip("{\"\":\"\"}", "{\"\":\"\"}");
	assert_round_trip("[\"\\u00e8 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"]",
			  "[\"è \\\" \\\\ / \\b\\f\\n\\r\\t\"]");
	assert_round_trip("[\"<b>&\"]", "[\"\\u003cb\\u003e\\u0026\"]");
	/* What the writer makes, the parser reads back to the same bytes. */
	assert_round_trip("{\"t\":\"\\u003c\\u2028\\u0001\"}", "{\"t\":\"\\u003c\\u2028\\u0001\"}");
}

static void
test_parse_tree(void **state)
{
	static const char in[] = "{\"nome\":\"Già\",\"n\":[1,2,3],\"o\":{\"x\":false},\"z\":null}";
	const struct json_value *v, *n, *e;
	struct arena *a = arena_new();
	const char *err;
	long long i;

	(void)state;
	v = json_parse(a, in, strlen(in), &err);
	assert_non_null(v);
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->count, 4);
	assert_null(v->key);
	assert_string_equal(v->child->key, "nome");
	assert_string_equal(json_get(v, "nome")->str, "Già");
	assert_int_equal(json_get(v, "nome")->len, 4);
	n = json_get(v, "n");
	assert_int_equal(n->type, JSON_ARRAY);
	assert_int_equal(n->count, 3);
	for (i = 1, e = n->child; e != NULL; e = e->next, i++) {
		long long got;

		assert_null(e->key);
		assert_int_equal(json_get_int(e, &got), 0);
		assert_int_equal(got, i);
	}
	assert_int_equal(i, 4);
	assert_int_equal(json_get(json_get(v, "o"), "x")->type, JSON_BOOL);
	assert_false(json_get(json_get(v, "o"), "x")->boolean);
	assert_int_equal(json_get(v, "z")->type, JSON_NULL);
	assert_null(json_get(v, "missing"));
	assert_null(json_get(v, NULL));
	assert_null(json_get(n, "n"));		/* not an object */
	assert_null(json_get(NULL, "n"));
	arena_free(a);
}

static void
test_parse_strings(void **state)
{
	struct arena *a = arena_new();
	const struct json_value *v;
	const char *in;

	(void)state;
	in = "\"\\ud83d\\ude00 \\u20AC \\u00E0\"";
	v = json_parse(a, in, strlen(in), NULL);
	assert_non_null(v);
	assert_string_equal(v->str, "\xf0\x9f\x98\x80 \xe2\x82\xac \xc3\xa0");
	assert_int_equal(v->len, 11);
	in = "\"\xf0\x9f\x98\x80\xe2\x82\xac\"";	/* raw UTF-8 kept as is */
	v = json_parse(a, in, strlen(in), NULL);
	assert_non_null(v);
	assert_string_equal(v->str, "\xf0\x9f\x98\x80\xe2\x82\xac");
	in = "\"\x7f\"";				/* DEL is not a control in JSON */
	v = json_parse(a, in, strlen(in), NULL);
	assert_non_null(v);
	assert_string_equal(v->str, "\x7f");
	arena_free(a);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	/* truncated */
	assert_parse_error("", "unexpected end of input at offset 0");
	assert_parse_error("   ", "unexpected end of input at offset 3");
	assert_parse_error("{\"a\":1", "unexpected end of input at offset 6");
	assert_parse_error("[1,", "unexpected end of input at offset 3");
	assert_parse_error("\"abc", "unexpected end of input at offset 4");
	assert_parse_error("\"abc\\\"", "unexpected end of input at offset 6");
	assert_parse_error("tru", "unexpected end of input at offset 3");
	assert_parse_error("-", "unexpected end of input at offset 1");
	assert_parse_error("1.", "unexpected end of input at offset 2");
	assert_parse_error("1e+", "unexpected end of input at offset 3");
	assert_parse_error("{\"a\"", "unexpected end of input at offset 4");
	/* bad escapes */
	assert_parse_error("\"a\\x\"", "invalid escape at offset 2");
	assert_parse_error("\"\\u12G4\"", "invalid \\u escape at offset 1");
	assert_parse_error("\"\\u12\"", "invalid \\u escape at offset 1");
	assert_parse_error("\"\\u0000\"", "\\u0000 not allowed at offset 1");
	/* lone surrogates */
	assert_parse_error("\"\\ud800\"", "lone surrogate at offset 1");
	assert_parse_error("\"x\\udc00\"", "lone surrogate at offset 2");
	assert_parse_error("\"\\ud800\\u0041\"", "lone surrogate at offset 1");
	assert_parse_error("\"\\ud800\\ud800\"", "lone surrogate at offset 1");
	assert_parse_error("\"\\ud800x\"", "lone surrogate at offset 1");
	/* invalid UTF-8 */
	assert_parse_error("\"a\xff\"", "invalid UTF-8 at offset 2");
	assert_parse_error("\"\xc3\"", "invalid UTF-8 at offset 1");
	assert_parse_error("\"\xc0\xaf\"", "invalid UTF-8 at offset 1");
	assert_parse_error("\"\xed\xa0\x80\"", "invalid UTF-8 at offset 1");
	assert_parse_error("\"\xf4\x90\x80\x80\"", "invalid UTF-8 at offset 1");
	assert_parse_error("\xc3\xa8", "unexpected character at offset 0");
	assert_parse_error("\xef\xbb\xbf{}", "unexpected character at offset 0");	/* BOM */
	/* raw controls and NULs */
	assert_parse_error("\"a\nb\"", "control character in string at offset 2");
	assert_parse_errorn("\"a\0b\"", 5, "control character in string at offset 2");
	assert_parse_errorn("1\0", 2, "trailing characters at offset 1");
	assert_parse_errorn("\0", 1, "unexpected character at offset 0");
	/* trailing commas and other structure */
	assert_parse_error("[1,2,]", "trailing comma at offset 4");
	assert_parse_error("{\"a\":1, }", "trailing comma at offset 6");
	assert_parse_error("[,1]", "unexpected character at offset 1");
	assert_parse_error("[1 2]", "unexpected character at offset 3");
	assert_parse_error("{\"a\" 1}", "unexpected character at offset 5");
	assert_parse_error("{a:1}", "unexpected character at offset 1");
	assert_parse_error("{\"a\":}", "unexpected character at offset 5");
	assert_parse_error("[1]]", "trailing characters at offset 3");
	assert_parse_error("{} {}", "trailing characters at offset 3");
	assert_parse_error("nul", "unexpected end of input at offset 3");
	assert_parse_error("nulx", "invalid literal at offset 0");
	assert_parse_error("True", "unexpected character at offset 0");
	assert_parse_error("'a'", "unexpected character at offset 0");
	/* numbers */
	assert_parse_error("01", "leading zero in number at offset 0");
	assert_parse_error("-01", "leading zero in number at offset 1");
	assert_parse_error("[00]", "leading zero in number at offset 1");
	assert_parse_error("+1", "unexpected character at offset 0");
	assert_parse_error(".5", "unexpected character at offset 0");
	assert_parse_error("1.e5", "invalid number at offset 2");
	assert_parse_error("-a", "invalid number at offset 1");
	assert_parse_error("1e", "unexpected end of input at offset 2");
	assert_parse_error("0x10", "trailing characters at offset 1");
	assert_parse_error("NaN", "unexpected character at offset 0");
	assert_parse_error("-Infinity", "invalid number at offset 1");
	/* duplicate keys: the offset is the second occurrence */
	assert_parse_error("{\"a\":1,\"b\":2,\"a\":3}", "duplicate key at offset 13");
	assert_parse_error("{\"a\":{\"a\":1,\"a\":2}}", "duplicate key at offset 12");
	/* "\u0061" is "a": names compare decoded */
	assert_parse_error("{\"a\":1,\"\\u0061\":2}", "duplicate key at offset 7");
}

static void
test_parse_duplicates_scoped(void **state)
{
	static const char in[] = "{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}],\"ab\":0}";
	struct arena *a = arena_new();

	(void)state;
	/* Equal names in different objects are fine. */
	assert_non_null(json_parse(a, in, strlen(in), NULL));
	arena_free(a);
}

/* Many members: the duplicate check must stay exact past small sizes. */
static void
test_parse_big_object(void **state)
{
	struct arena *a = arena_new();
	const struct json_value *v;
	const char *err;
	struct buf b;
	size_t dup_off;
	int i;

	(void)state;
	buf_init(&b, 0);
	buf_addch(&b, '{');
	for (i = 0; i < 5000; i++)
		buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
	buf_addch(&b, '}');
	v = json_parse(a, b.data, b.len, &err);
	assert_non_null(v);
	assert_int_equal(v->count, 5000);
	assert_int_equal(json_get(v, "k4999")->len, 4);
	assert_string_equal(json_get(v, "k1234")->str, "1234");

	/* Two later repeats: the error names the first one in the text. */
	buf_truncate(&b, b.len - 1);
	dup_off = b.len + 1;
	buf_adds(&b, ",\"k17\":0,\"k3\":0}");
	assert_parse_errorn(b.data, b.len, arena_printf(a, "duplicate key at offset %zu", dup_off));
	buf_release(&b);
	arena_free(a);
}

static void
test_parse_depth(void **state)
{
	char in[2 * (JSON_PARSE_MAX_DEPTH + 1) + 1];
	struct arena *a = arena_new();
	const struct json_value *v;
	int i, d;

	(void)state;
	for (i = 0; i < JSON_PARSE_MAX_DEPTH; i++) {
		in[i] = '[';
		in[2 * JSON_PARSE_MAX_DEPTH - 1 - i] = ']';
	}
	v = json_parse(a, in, 2 * JSON_PARSE_MAX_DEPTH, NULL);
	assert_non_null(v);
	for (d = 1; v->child != NULL; v = v->child)
		d++;
	assert_int_equal(d, JSON_PARSE_MAX_DEPTH);

	/* Depth 33: the 33rd opening bracket is refused. */
	memset(in, '[', JSON_PARSE_MAX_DEPTH + 1);
	memset(in + JSON_PARSE_MAX_DEPTH + 1, ']', JSON_PARSE_MAX_DEPTH + 1);
	assert_parse_errorn(in, 2 * (JSON_PARSE_MAX_DEPTH + 1), "nesting too deep at offset 32");
	assert_parse_error("{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
			   "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
			   "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
			   "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
			   "{}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}",
			   "nesting too deep at offset 160");
	arena_free(a);
}

static void
check_int(const char *in, int rc, long long expect)
{
	struct arena *a = arena_new();
	const struct json_value *v;
	long long got = 12345;

	v = json_parse(a, in, strlen(in), NULL);
	assert_non_null(v);
	assert_int_equal(json_get_int(v, &got), rc);
	if (rc == 0)
		assert_true(got == expect);
	else
		assert_true(got == 12345);	/* untouched */
	arena_free(a);
}

static void
test_get_int(void **state)
{
	(void)state;
	check_int("0", 0, 0);
	check_int("-0", 0, 0);
	check_int("123", 0, 123);
	check_int("9223372036854775807", 0, LLONG_MAX);
	check_int("-9223372036854775808", 0, LLONG_MIN);
	check_int("9223372036854775808", -1, 0);
	check_int("-9223372036854775809", -1, 0);
	check_int("123456789012345678901234567890", -1, 0);
	check_int("1.0", -1, 0);
	check_int("1e2", -1, 0);
	check_int("1E2", -1, 0);
	check_int("\"12\"", -1, 0);
	check_int("true", -1, 0);
	check_int("null", -1, 0);
	assert_int_equal(json_get_int(NULL, NULL), -1);
}

static void
test_parse_number_text(void **state)
{
	static const char in[] = "[-12.50e-07]";
	struct arena *a = arena_new();
	const struct json_value *v;

	(void)state;
	v = json_parse(a, in, strlen(in), NULL);
	assert_non_null(v);
	assert_int_equal(v->child->type, JSON_NUMBER);
	assert_string_equal(v->child->str, "-12.50e-07");
	assert_int_equal(v->child->len, 10);
	arena_free(a);
}

/* Only len bytes are parsed: what follows is not looked at. */
static void
test_parse_len_bound(void **state)
{
	struct arena *a = arena_new();
	const struct json_value *v;

	(void)state;
	v = json_parse(a, "[1]garbage", 3, NULL);
	assert_non_null(v);
	assert_int_equal(v->count, 1);
	assert_null(json_parse(a, "[1]", 2, NULL));
	assert_null(json_parse(a, NULL, 0, NULL));
	arena_free(a);
}

/* A document may hold at most JSON_PARSE_MAX_VALUES values (memory bound). */
static void
test_parse_value_budget(void **state)
{
	struct arena *a = arena_new();
	struct buf b;
	const char *err = NULL;

	(void)state;
	/* The array itself counts as one value. */
	buf_init(&b, 0);
	buf_addch(&b, '[');
	for (int i = 0; i < JSON_PARSE_MAX_VALUES - 1; i++)
		buf_adds(&b, i ? ",1" : "1");
	buf_addch(&b, ']');
	assert_non_null(json_parse(a, b.data, b.len, &err));
	buf_truncate(&b, b.len - 1);
	buf_adds(&b, ",1]");
	assert_null(json_parse(a, b.data, b.len, &err));
	assert_non_null(strstr(err, "too many values"));
	buf_release(&b);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_nested),
		cmocka_unit_test(test_writer_scalar_top),
		cmocka_unit_test(test_writer_max_depth),
		cmocka_unit_test(test_writer_misuse_is_fatal),
		cmocka_unit_test(test_writer_cap),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_tree),
		cmocka_unit_test(test_parse_strings),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_duplicates_scoped),
		cmocka_unit_test(test_parse_big_object),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_get_int),
		cmocka_unit_test(test_parse_number_text),
		cmocka_unit_test(test_parse_len_bound),
		cmocka_unit_test(test_parse_value_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
