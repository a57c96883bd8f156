/*
 * test_tmpl.c - the template engine of portal/tmpl.c.
 *
 * tmpl.c is included with cmocka's UNIT_TESTING allocators, so every
 * test must leave the registry empty (tmpl_free_all) or fail for a leak.
 * Parse and render errors are checked through the error log, captured by
 * pointing stderr at a temporary file.
 */
#include "../../portal/compat.h"

/* Every system header tmpl.c uses, before cmocka renames malloc & co. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "../../portal/tmpl.c"

/* ---- helpers ----------------------------------------------------------- */

static FILE *capture_file;
static int capture_saved = -1;
static char capture_text[8192];

static void
capture_begin(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	assert_non_null(capture_file);
	capture_saved = dup(2);
	assert_true(capture_saved >= 0);
	assert_true(dup2(fileno(capture_file), 2) >= 0);
}

/* Stops capturing and returns what was logged meanwhile. */
static const char *
capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(capture_saved, 2);
	close(capture_saved);
	capture_saved = -1;
	rewind(capture_file);
	n = fread(capture_text, 1, sizeof(capture_text) - 1, capture_file);
	capture_text[n] = '\0';
	fclose(capture_file);
	capture_file = NULL;
	return capture_text;
}

static void
assert_logged(const char *log, const char *want)
{
	if (strstr(log, want) == NULL)
		fail_msg("log \"%s\" lacks \"%s\"", log, want);
}

/* Loads text as "t", renders it with ctx and compares with want. */
static void
check_render(const char *text, const struct tmpl_ctx *ctx, const char *want)
{
	struct buf b;

	assert_int_equal(tmpl_load_string("t", text), 0);
	buf_init(&b, 0);
	assert_int_equal(tmpl_render("t", ctx, &b), 0);
	assert_false(b.err);
	assert_string_equal(b.data, want);
	assert_int_equal(b.len, strlen(want));
	buf_release(&b);
}

/* text must fail to parse, logging want (which holds "bad:LINE: ..."). */
static void
check_parse_error(const char *text, const char *want)
{
	const char *log;
	int rc;

	capture_begin();
	rc = tmpl_load_string("bad", text);
	log = capture_end();
	assert_int_equal(rc, -1);
	assert_logged(log, want);
	assert_false(tmpl_exists("bad"));
}

/* ---- values ------------------------------------------------------------ */

static void
test_text_escaped(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);

	(void)state;
	tmpl_set(c, "x", "<b>&\"'</b>");
	check_render("[{{x}}]", c, "[&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;]");
	tmpl_set(c, "x", "perch\xc3\xa9");
	check_render("{{x}}", c, "perch\xc3\xa9");
	tmpl_set(c, "x", "");
	check_render("[{{x}}]", c, "[]");
	tmpl_free_all();
	arena_free(a);
}

static void
test_attribute_payload(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);

	(void)state;
	tmpl_set(c, "t", "\" onmouseover=\"alert(1)");
	tmpl_set(c, "u", "' onfocus='alert(1)");
	check_render("<a title=\"{{t}}\" data-x='{{u}}'>",
	    c, "<a title=\"&quot; onmouseover=&quot;alert(1)\" "
	    "data-x='&#39; onfocus=&#39;alert(1)'>");
	tmpl_free_all();
	arena_free(a);
}

static void
test_html_raw(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);

	(void)state;
	tmpl_set_html(c, "body", "<p>Ciao &amp; benvenuti</p>");
	check_render("<main>{{body}}</main>", c, "<main><p>Ciao &amp; benvenuti</p></main>");
	/* The same string as text is escaped: the type decides, not the tag. */
	tmpl_set(c, "body", "<p>");
	check_render("{{body}}", c, "&lt;p&gt;");
	tmpl_set_html(c, "body", NULL);
	check_render("[{{body}}]", c, "[]");
	tmpl_free_all();
	arena_free(a);
}

static void
test_int_bool_setf(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);

	(void)state;
	tmpl_set_int(c, "z", 0);
	tmpl_set_int(c, "n", -42);
	tmpl_set_int(c, "max", LLONG_MAX);
	tmpl_set_int(c, "min", LLONG_MIN);
	tmpl_set_bool(c, "t", true);
	tmpl_set_bool(c, "f", false);
	tmpl_setf(c, "s", "%d<%s", 7, "8");
	check_render("{{z}} {{n}} {{max}} {{min}} [{{t}}{{f}}] {{s}}", c,
	    "0 -42 9223372036854775807 -9223372036854775808 [] 7&lt;8");
	tmpl_free_all();
	arena_free(a);
}

static void
test_missing_and_null(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);

	(void)state;
	tmpl_set(c, "null", NULL);
	tmpl_set_obj(c, "obj");
	tmpl_list_add(c, "list");
	check_render("[{{nope}}|{{null}}|{{obj}}|{{list}}]", c, "[|||]");
	check_render("[{{nope}}]", NULL, "[]");
	tmpl_free_all();
	arena_free(a);
}

static void
test_replace(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a), *o;

	(void)state;
	tmpl_set(c, "k", "one");
	tmpl_set(c, "k", "two");
	check_render("{{k}}", c, "two");
	tmpl_set_int(c, "k", 3);
	check_render("{{k}}", c, "3");
	tmpl_set_html(c, "k", "<i>4</i>");
	check_render("{{k}}", c, "<i>4</i>");
	/* A list replaced by text, then a fresh list: only new items. */
	tmpl_set(tmpl_list_add(c, "k"), "v", "a");
	tmpl_set(c, "k", "text");
	tmpl_set(tmpl_list_add(c, "k"), "v", "b");
	check_render("{{#k}}{{v}}{{/k}}", c, "b");
	o = tmpl_set_obj(c, "k");
	tmpl_set(o, "v", "obj");
	check_render("{{#k}}{{v}}{{/k}}", c, "obj");
	/* Keys are compared whole, not by prefix. */
	tmpl_set(c, "ab", "AB");
	tmpl_set(c, "a", "A");
	check_render("{{a}}{{ab}}", c, "AAB");
	tmpl_free_all();
	arena_free(a);
}

/* ---- sections ---------------------------------------------------------- */

static void
test_section_list(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a), *it;
	int i;

	(void)state;
	tmpl_set(c, "sep", ",");
	for (i = 1; i <= 3; i++) {
		it = tmpl_list_add(c, "items");
		tmpl_setf(it, "n", "%d", i);
		if (i == 2)
			tmpl_set(it, "sep", ";");	/* hides the outer one */
	}
	check_render("{{#items}}{{n}}{{sep}}{{/items}}", c, "1,2;3,");
	/* Nested lists: each item sees its own and its parents' keys. */
	it = tmpl_list_add(c, "rows");
	tmpl_set(it, "r", "a");
	tmpl_set(tmpl_list_add(it, "cells"), "v", "1");
	tmpl_set(tmpl_list_add(it, "cells"), "v", "2");
	it = tmpl_list_add(c, "rows");
	tmpl_set(it, "r", "b");
	tmpl_set(tmpl_list_add(it, "cells"), "v", "3");
	check_render("{{#rows}}<{{#cells}}{{r}}{{v}}{{sep}}{{/cells}}>{{/rows}}", c,
	    "<a1,a2,><b3,>");
	tmpl_free_all();
	arena_free(a);
}

static void
test_section_object(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a), *u;

	(void)state;
	tmpl_set(c, "title", "Portale");
	u = tmpl_set_obj(c, "user");
	tmpl_set(u, "name", "Anna");
	check_render("{{#user}}{{name}} @ {{title}}{{/user}}", c, "Anna @ Portale");
	/* An empty object is still true. */
	tmpl_set_obj(c, "empty");
	check_render("{{#empty}}y{{/empty}}{{^empty}}n{{/empty}}", c, "y");
	tmpl_free_all();
	arena_free(a);
}

static void
test_section_scalars(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);
	const char *t = "{{#v}}Y{{/v}}{{^v}}N{{/v}}";

	(void)state;
	check_render(t, c, "N");		/* missing */
	tmpl_set(c, "v", NULL);
	check_render(t, c, "N");
	tmpl_set(c, "v", "");
	check_render(t, c, "N");
	tmpl_set(c, "v", "0");			/* non-empty text is true */
	check_render(t, c, "Y");
	tmpl_set_html(c, "v", "");
	check_render(t, c, "N");
	tmpl_set_html(c, "v", "<br>");
	check_render(t, c, "Y");
	tmpl_set_int(c, "v", 0);
	check_render(t, c, "N");
	tmpl_set_int(c, "v", -1);
	check_render(t, c, "Y");
	tmpl_set_bool(c, "v", false);
	check_render(t, c, "N");
	tmpl_set_bool(c, "v", true);
	check_render(t, c, "Y");
	tmpl_list_add(c, "v");
	check_render(t, c, "Y");
	/* A scalar section pushes nothing: names inside resolve as outside. */
	tmpl_set(c, "v", "on");
	tmpl_set(c, "w", "<w>");
	check_render("{{#v}}{{v}}{{w}}{{/v}}", c, "on&lt;w&gt;");
	tmpl_free_all();
	arena_free(a);
}

static void
test_inverted_list(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);

	(void)state;
	check_render("{{^items}}Nessun corso{{/items}}", c, "Nessun corso");
	tmpl_set(tmpl_list_add(c, "items"), "n", "x");
	check_render("{{^items}}Nessun corso{{/items}}", c, "");
	tmpl_free_all();
	arena_free(a);
}

static void
test_stack_lookup(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a), *it, *child;

	(void)state;
	/* An object set on the root, entered inside a list item: the item's
	 * keys stay visible (Mustache's stack, not the object's parents). */
	tmpl_set(tmpl_set_obj(c, "user"), "name", "Anna");
	it = tmpl_list_add(c, "items");
	tmpl_set(it, "x", "1");
	it = tmpl_list_add(c, "items");
	tmpl_set(it, "x", "2");
	check_render("{{#items}}{{#user}}{{name}}{{x}} {{/user}}{{/items}}", c,
	    "Anna1 Anna2 ");
	/* Rendering a nested context directly falls back to its parents. */
	tmpl_set(c, "site", "PA");
	child = tmpl_set_obj(c, "frag");
	tmpl_set(child, "own", "o");
	check_render("{{own}}/{{site}}", child, "o/PA");
	/* A NULL value in an inner context hides the outer key. */
	tmpl_set(child, "site", NULL);
	check_render("[{{site}}]", child, "[]");
	tmpl_free_all();
	arena_free(a);
}

static void
test_dotted(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a), *u, *addr, *it;

	(void)state;
	u = tmpl_set_obj(c, "user");
	tmpl_set(u, "name", "Anna");
	addr = tmpl_set_obj(u, "addr");
	tmpl_set(addr, "city", "Roma");
	tmpl_set(c, "city", "Milano");
	tmpl_set(c, "text", "t");
	check_render("{{user.name}} {{user.addr.city}}", c, "Anna Roma");
	/* Later segments look in the object only, never in outer contexts. */
	check_render("[{{user.city}}|{{user.nope}}|{{nope.name}}|{{text.x}}]", c, "[|||]");
	check_render("{{#user.addr}}{{city}}{{/user.addr}}", c, "Roma");
	check_render("{{^user.nope}}no{{/user.nope}}", c, "no");
	/* The first segment walks the stack. */
	it = tmpl_list_add(c, "items");
	tmpl_set(it, "n", "1");
	check_render("{{#items}}{{n}}{{user.name}}{{/items}}", c, "1Anna");
	tmpl_free_all();
	arena_free(a);
}

/* ---- partials ---------------------------------------------------------- */

static void
test_partial(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);
	struct buf b;

	(void)state;
	/* The page is loaded before its partials: resolved at render time. */
	assert_int_equal(tmpl_load_string("portal/page",
	    "<body>{{> portal/nav}}{{#items}}{{>portal/item}}{{/items}}</body>"), 0);
	assert_int_equal(tmpl_load_string("portal/nav", "<nav>{{user}}</nav>"), 0);
	assert_int_equal(tmpl_load_string("portal/item", "<i>{{n}}{{user}}</i>"), 0);
	tmpl_set(c, "user", "<u>");
	tmpl_set(tmpl_list_add(c, "items"), "n", "1");
	tmpl_set(tmpl_list_add(c, "items"), "n", "2");
	buf_init(&b, 0);
	assert_int_equal(tmpl_render("portal/page", c, &b), 0);
	assert_string_equal(b.data,
	    "<body><nav>&lt;u&gt;</nav><i>1&lt;u&gt;</i><i>2&lt;u&gt;</i></body>");
	buf_release(&b);
	tmpl_free_all();
	arena_free(a);
}

static void
test_partial_unknown(void **state)
{
	const char *log;
	struct buf b;
	int rc;

	(void)state;
	assert_int_equal(tmpl_load_string("p", "a\nb{{> nope/x}}c"), 0);
	buf_init(&b, 0);
	buf_adds(&b, "kept");
	capture_begin();
	rc = tmpl_render("p", NULL, &b);
	log = capture_end();
	assert_int_equal(rc, -1);
	assert_logged(log, "template \"p\" line 2: unknown partial \"nope/x\"");
	/* Nothing of the failed page is left behind. */
	assert_string_equal(b.data, "kept");
	assert_false(b.err);
	buf_release(&b);
	tmpl_free_all();
}

static void
test_partial_recursion(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a), *node;
	const char *log;
	struct buf b;
	int i, rc;

	(void)state;
	/* Endless self-inclusion stops at the depth limit. */
	assert_int_equal(tmpl_load_string("loop", "x{{>loop}}"), 0);
	buf_init(&b, 0);
	capture_begin();
	rc = tmpl_render("loop", NULL, &b);
	log = capture_end();
	assert_int_equal(rc, -1);
	assert_logged(log, "partials nested deeper than 16");
	assert_int_equal(b.len, 0);

	/* Bounded recursion over a tree is fine up to the limit... */
	assert_int_equal(tmpl_load_string("tree", "({{n}}{{#kids}}{{>tree}}{{/kids}})"), 0);
	node = c;
	for (i = 0; i < TMPL_MAX_PARTIALS; i++) {
		tmpl_set_int(node, "n", i);
		node = tmpl_list_add(node, "kids");
	}
	tmpl_set_int(node, "n", i);
	/* Mustache lookup would find the parent's "kids" otherwise. */
	tmpl_set_bool(node, "kids", false);
	buf_reset(&b);
	assert_int_equal(tmpl_render("tree", c, &b), 0);
	assert_string_equal(b.data,
	    "(0(1(2(3(4(5(6(7(8(9(10(11(12(13(14(15(16)))))))))))))))))");
	/* ...and one level deeper is an error. */
	node = tmpl_list_add(node, "kids");
	tmpl_set_int(node, "n", i + 1);
	tmpl_set_bool(node, "kids", false);
	buf_reset(&b);
	capture_begin();
	rc = tmpl_render("tree", c, &b);
	capture_end();
	assert_int_equal(rc, -1);
	assert_int_equal(b.len, 0);
	buf_release(&b);
	tmpl_free_all();
	arena_free(a);
}

/* ---- standalone lines -------------------------------------------------- */

static void
test_standalone(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);

	(void)state;
	tmpl_set(tmpl_list_add(c, "items"), "n", "a");
	tmpl_set(tmpl_list_add(c, "items"), "n", "b");
	check_render("<ul>\n  {{#items}}\n  <li>{{n}}</li>\n  {{/items}}\n</ul>\n", c,
	    "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n");
	check_render("{{! header }}\n<p>\n\t{{^items}}  \nnone\n{{/items}}\t\n</p>", c,
	    "<p>\n</p>");
	/* CRLF line ends, and a standalone tag on the last line. */
	check_render("a\r\n{{#items}}\r\n{{n}}\r\n{{/items}}", c, "a\r\na\r\nb\r\n");
	/* Inline tags keep their surroundings. */
	check_render("x {{#items}}{{n}}{{/items}} y\n", c, "x ab y\n");
	check_render(" {{! c }} \n", c, "");
	check_render("a {{! c }}\n", c, "a \n");
	check_render("{{#items}}{{/items}}\n", c, "\n");
	/* Variables are never standalone. */
	check_render("  {{n}}\n", c, "  \n");
	/* A multi-line comment alone on its lines goes entirely. */
	check_render("a\n{{! one\ntwo }}\nb\n", c, "a\nb\n");
	/* A standalone partial drops its own line, not the partial's. */
	assert_int_equal(tmpl_load_string("part", "<p>\n"), 0);
	check_render("<div>\n  {{> part}}\n</div>\n", c, "<div>\n<p>\n</div>\n");
	tmpl_free_all();
	arena_free(a);
}

/* ---- parse errors ------------------------------------------------------ */

static void
test_parse_errors(void **state)
{
	struct buf deep;
	size_t i;

	(void)state;
	check_parse_error("a\nb\nc {{name\n}}", "bad:3: unclosed tag");
	check_parse_error("{{name}", "bad:1: unclosed tag");
	check_parse_error("x\n{{! never closed\n", "bad:2: unclosed tag");
	check_parse_error("\n{{{raw}}}", "bad:2: triple mustache");
	check_parse_error("{{&raw}}", "bad:1: unknown tag kind '&'");
	check_parse_error("{{=<% %>=}}", "bad:1: unknown tag kind '='");
	check_parse_error("{{}}", "bad:1: empty tag name");
	check_parse_error("{{  }}", "bad:1: empty tag name");
	check_parse_error("\n\n\n{{# }}{{/}}", "bad:4: empty tag name");
	check_parse_error("{{>}}", "bad:1: empty tag name");
	check_parse_error("{{a b}}", "bad:1: invalid character in tag name");
	check_parse_error("{{a$}}", "bad:1: invalid character in tag name");
	check_parse_error("{{a/b}}", "bad:1: invalid character in tag name");
	check_parse_error("{{\xc3\xa9}}", "bad:1: invalid character in tag name");
	check_parse_error("{{a..b}}", "bad:1: empty segment");
	check_parse_error("{{.a}}", "bad:1: empty segment");
	check_parse_error("{{a.}}", "bad:1: empty segment");
	check_parse_error("{{.}}", "bad:1: empty segment");
	check_parse_error("{{#a}}\n\n{{#b}}{{/b}}\n", "bad:1: unclosed section \"a\"");
	check_parse_error("x\n{{#a}}\n{{#b}}\n{{/a}}",
	    "bad:4: closing tag \"a\" does not match section \"b\" opened at line 3");
	check_parse_error("\n{{/a}}", "bad:2: closing tag \"a\" without an open section");
	check_parse_error("{{#a}}{{/a}}{{/a}}", "bad:1: closing tag \"a\" without");
	check_parse_error("{{^a}}{{/b}}", "bad:1: closing tag \"b\" does not match");

	/* TMPL_MAX_NESTING levels parse, one more does not. */
	buf_init(&deep, 0);
	for (i = 0; i < TMPL_MAX_NESTING; i++)
		buf_adds(&deep, "{{#a}}");
	for (i = 0; i < TMPL_MAX_NESTING; i++)
		buf_adds(&deep, "{{/a}}");
	assert_int_equal(tmpl_load_string("deep", deep.data), 0);
	buf_reset(&deep);
	for (i = 0; i < TMPL_MAX_NESTING + 1; i++)
		buf_adds(&deep, "{{#a}}");
	for (i = 0; i < TMPL_MAX_NESTING + 1; i++)
		buf_adds(&deep, "{{/a}}");
	check_parse_error(deep.data, "bad:1: sections nested deeper than 64");
	buf_release(&deep);

	/* A failed reload keeps the template that was there. */
	assert_int_equal(tmpl_load_string("keep", "old"), 0);
	capture_begin();
	assert_int_equal(tmpl_load_string("keep", "{{#x}}"), -1);
	capture_end();
	assert_true(tmpl_exists("keep"));
	tmpl_free_all();
}

static void
test_not_errors(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);

	(void)state;
	tmpl_set(c, "a-b_c.d", "x");	/* a dotted key set whole is unreachable */
	tmpl_set(c, "v", "V");
	check_render("", c, "");
	check_render("{ } }} {x} {{ v }}{{\tv\t}}", c, "{ } }} {x} VV");
	check_render("{{v}}}", c, "V}");
	check_render("{{a-b_c.d}}|{{#v}}{{/v}}", c, "|");
	tmpl_free_all();
	arena_free(a);
}

/* ---- registry and rendering errors ------------------------------------- */

static void
test_unknown_template(void **state)
{
	const char *log;
	struct buf b;
	int rc;

	(void)state;
	assert_false(tmpl_exists("nope"));
	buf_init(&b, 0);
	capture_begin();
	rc = tmpl_render("nope", NULL, &b);
	log = capture_end();
	assert_int_equal(rc, -1);
	assert_logged(log, "template \"nope\" not found");
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void
test_capped_buf(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c = tmpl_ctx_new(a);
	struct buf b;

	(void)state;
	tmpl_set(c, "x", "<<<<");	/* 16 bytes once escaped */
	assert_int_equal(tmpl_load_string("t", "ab{{x}}"), 0);

	buf_init(&b, 18);		/* exactly enough */
	assert_int_equal(tmpl_render("t", c, &b), 0);
	assert_int_equal(b.len, 18);
	buf_release(&b);

	buf_init(&b, 17);		/* one byte short */
	assert_int_equal(tmpl_render("t", c, &b), -1);
	assert_true(b.err);
	assert_int_equal(b.len, 0);
	buf_release(&b);

	/* A buffer already in error renders nothing more. */
	buf_init(&b, 4);
	buf_adds(&b, "12345");
	assert_true(b.err);
	assert_int_equal(tmpl_render("t", c, &b), -1);
	buf_release(&b);

	/* The cap applies to the whole buffer, previous content included. */
	buf_init(&b, 20);
	buf_adds(&b, "pre");
	assert_int_equal(tmpl_render("t", c, &b), -1);
	assert_true(b.err);
	assert_string_equal(b.data, "pre");
	buf_release(&b);
	tmpl_free_all();
	arena_free(a);
}

static void
test_many_templates(void **state)
{
	char name[32], text[32];
	struct buf b;
	int i;

	(void)state;
	/* Enough to grow the table a few times. */
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "m/t%d", i);
		snprintf(text, sizeof(text), "<%d>", i);
		assert_int_equal(tmpl_load_string(name, text), 0);
	}
	assert_int_equal(tmpl_count, 300);
	buf_init(&b, 0);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "m/t%d", i);
		snprintf(text, sizeof(text), "<%d>", i);
		buf_reset(&b);
		assert_int_equal(tmpl_render(name, NULL, &b), 0);
		assert_string_equal(b.data, text);
	}
	/* Replacing keeps the count. */
	assert_int_equal(tmpl_load_string("m/t7", "new"), 0);
	assert_int_equal(tmpl_count, 300);
	buf_reset(&b);
	assert_int_equal(tmpl_render("m/t7", NULL, &b), 0);
	assert_string_equal(b.data, "new");
	assert_false(tmpl_exists("m/t300"));
	assert_false(tmpl_exists("m/t"));
	assert_false(tmpl_exists(""));
	buf_release(&b);
	capture_begin();
	assert_int_equal(tmpl_load_string("", "x"), -1);
	capture_end();
	tmpl_free_all();
	assert_false(tmpl_exists("m/t1"));
}

/* ---- loading from a directory ------------------------------------------ */

static void
write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void
write_str(const char *dir, const char *name, const char *data)
{
	write_file(dir, name, data, strlen(data));
}

static void
remove_file(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	remove(path);
}

static void
test_load_dir(void **state)
{
	char dir[] = "/tmp/test_tmpl.XXXXXX", path[512];
	const char *log;
	struct buf b;
	int rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_str(dir, "page.html", "<h1>{{> v/nav}}</h1>\n");
	write_str(dir, "nav.html", "nav");
	write_str(dir, ".hidden.html", "{{");
	write_str(dir, "notes.txt", "{{");
	write_str(dir, ".html", "{{");
	snprintf(path, sizeof(path), "%s/sub.html", dir);
	assert_int_equal(mkdir(path, 0700), 0);

	assert_int_equal(tmpl_load_dir(dir, "v"), 0);
	assert_true(tmpl_exists("v/page"));
	assert_true(tmpl_exists("v/nav"));
	assert_false(tmpl_exists("v/.hidden"));
	assert_false(tmpl_exists("v/notes"));
	assert_false(tmpl_exists("v/sub"));
	assert_false(tmpl_exists("v/"));
	buf_init(&b, 0);
	assert_int_equal(tmpl_render("v/page", NULL, &b), 0);
	assert_string_equal(b.data, "<h1>nav</h1>\n");
	buf_release(&b);

	/* No prefix: the bare file name. */
	assert_int_equal(tmpl_load_dir(dir, ""), 0);
	assert_true(tmpl_exists("nav"));

	/* One broken file: reported with path:line, the others still load. */
	write_str(dir, "broken.html", "ok\n{{#a}}\n");
	write_file(dir, "nul.html", "a\0b", 3);
	write_str(dir, "extra.html", "x");
	capture_begin();
	rc = tmpl_load_dir(dir, "w");
	log = capture_end();
	assert_int_equal(rc, -1);
	snprintf(path, sizeof(path), "%s/broken.html:2: unclosed section \"a\"", dir);
	assert_logged(log, path);
	snprintf(path, sizeof(path), "%s/nul.html: NUL byte in template", dir);
	assert_logged(log, path);
	assert_false(tmpl_exists("w/broken"));
	assert_false(tmpl_exists("w/nul"));
	assert_true(tmpl_exists("w/extra"));
	assert_true(tmpl_exists("w/page"));

	capture_begin();
	rc = tmpl_load_dir("/nonexistent/dir", "x");
	log = capture_end();
	assert_int_equal(rc, -1);
	assert_logged(log, "opendir \"/nonexistent/dir\"");

	remove_file(dir, "page.html");
	remove_file(dir, "nav.html");
	remove_file(dir, ".hidden.html");
	remove_file(dir, "notes.txt");
	remove_file(dir, ".html");
	remove_file(dir, "sub.html");
	remove_file(dir, "broken.html");
	remove_file(dir, "nul.html");
	remove_file(dir, "extra.html");
	assert_int_equal(rmdir(dir), 0);
	tmpl_free_all();
}

/* ---- threads ----------------------------------------------------------- */

struct render_job {
	const struct tmpl_ctx *ctx;
	const char *want;
	int failures;
};

static void *
render_thread(void *arg)
{
	struct render_job *job = arg;
	struct buf b;
	int i;

	buf_init(&b, 0);
	for (i = 0; i < 2000; i++) {
		buf_reset(&b);
		if (tmpl_render("th/page", job->ctx, &b) == -1 ||
		    strcmp(b.data, job->want) != 0)
			job->failures++;
	}
	buf_release(&b);
	return NULL;
}

static void
test_threads(void **state)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *c[4];
	struct render_job jobs[8];
	pthread_t th[8];
	char *want[4];
	int i;

	(void)state;
	assert_int_equal(tmpl_load_string("th/page",
	    "<p>{{who}}</p>{{#l}}{{> th/li}}{{/l}}"), 0);
	assert_int_equal(tmpl_load_string("th/li", "<li>{{n}}</li>"), 0);
	for (i = 0; i < 4; i++) {
		c[i] = tmpl_ctx_new(a);
		tmpl_setf(c[i], "who", "<%d>", i);
		tmpl_set_int(tmpl_list_add(c[i], "l"), "n", i);
		tmpl_set_int(tmpl_list_add(c[i], "l"), "n", i * 10);
		want[i] = arena_printf(a, "<p>&lt;%d&gt;</p><li>%d</li><li>%d</li>",
		    i, i, i * 10);
	}
	for (i = 0; i < 8; i++) {
		jobs[i].ctx = c[i % 4];
		jobs[i].want = want[i % 4];
		jobs[i].failures = 0;
		assert_int_equal(pthread_create(&th[i], NULL, render_thread, &jobs[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].failures, 0);
	}
	tmpl_free_all();
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_escaped),
		cmocka_unit_test(test_attribute_payload),
		cmocka_unit_test(test_html_raw),
		cmocka_unit_test(test_int_bool_setf),
		cmocka_unit_test(test_missing_and_null),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_section_list),
		cmocka_unit_test(test_section_object),
		cmocka_unit_test(test_section_scalars),
		cmocka_unit_test(test_inverted_list),
		cmocka_unit_test(test_stack_lookup),
		cmocka_unit_test(test_dotted),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_partial_unknown),
		cmocka_unit_test(test_partial_recursion),
		cmocka_unit_test(test_standalone),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_not_errors),
		cmocka_unit_test(test_unknown_template),
		cmocka_unit_test(test_capped_buf),
		cmocka_unit_test(test_many_templates),
		cmocka_unit_test(test_load_dir),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
