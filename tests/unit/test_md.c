/*
 * test_md.c - Markdown rendering of portal/md.c: what authors write
 * renders, and nothing they write becomes live markup or script.
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

#include "../../portal/md.c"

/* Renders s; the caller frees the result. */
static char *
render(const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(md_render(s, strlen(s), &b), 0);
	assert_false(b.err);
	return buf_detach(&b, NULL);
}

/* The scheme of url ("" when it has none: a relative reference). */
static const char *
scheme_of(const char *url, char *out, size_t outlen)
{
	size_t n = strspn(url, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-");

	out[0] = '\0';
	if (url[n] == ':' && n > 0 && n < outlen)
		snprintf(out, outlen, "%.*s", (int)n, url);
	return out;
}

/*
 * Every tag in html is one discount writes for Markdown (never one from
 * the input), and every link either is relative or has an http(s) scheme.
 */
static void
assert_inert(const char *html)
{
	static const char *const tags[] = {
		"p>", "/p>", "a href=\"", "/a>", "em>", "/em>", "strong>", "/strong>", "code>",
		"/code>", "pre>", "/pre>", "blockquote>", "/blockquote>", "ul>", "/ul>", "ol>",
		"/ol>", "li>", "/li>", "br/>", "hr/>", "h1>", "/h1>", "h2>", "/h2>", "h3>", "/h3>",
	};
	char scheme[32];

	for (const char *p = strchr(html, '<'); p != NULL; p = strchr(p + 1, '<')) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(tags) && !known; i++)
			known = strncmp(p + 1, tags[i], strlen(tags[i])) == 0;
		if (!known)
			fail_msg("unexpected tag in %s", html);
		if (strncmp(p, "<a href=\"", 9) == 0) {
			scheme_of(p + 9, scheme, sizeof(scheme));
			if (scheme[0] != '\0' && strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
				fail_msg("unsafe link in %s", html);
			if (p[9] == '/' && p[10] == '/')
				fail_msg("link to another host in %s", html);
		}
	}
}

static void
test_normal_markdown(void **state)
{
	char *h;

	(void)state;
	h = render("# Titolo\n\nTesto *enfasi* e **forte**, [sito](https://example.org/a?b=1&c=2).\n\n"
		   "- uno\n- due\n\nPoi:\n\n1. primo\n2. secondo\n\n```\ncodice <x>\n```\n");
	assert_non_null(strstr(h, "<h1>Titolo</h1>"));
	assert_non_null(strstr(h, "<em>enfasi</em>"));
	assert_non_null(strstr(h, "<strong>forte</strong>"));
	assert_non_null(strstr(h, "<a href=\"https://example.org/a?b=1&amp;c=2\">sito</a>"));
	assert_non_null(strstr(h, "<ul>\n<li>uno</li>"));
	assert_non_null(strstr(h, "<ol>\n<li>primo</li>"));
	assert_non_null(strstr(h, "<pre><code>codice &lt;x&gt;"));
	free(h);
	h = render("Vai alla [pagina](/corsi) o al [paragrafo](#sopra).");
	assert_non_null(strstr(h, "<a href=\"/corsi\">pagina</a>"));
	assert_non_null(strstr(h, "<a href=\"#sopra\">paragrafo</a>"));
	free(h);
	/* UTF-8 passes through untouched. */
	h = render("Attività è già più «lunga»");
	assert_non_null(strstr(h, "Attività è già più «lunga»"));
	free(h);
}

static void
test_raw_html_is_text(void **state)
{
	static const char *const inputs[] = {
		"<script>alert(1)</script>",
		"<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
		"<b onclick=\"alert(1)\">grassetto</b>",
		"<img src=x onerror=alert(1)>",
		"<iframe src=\"https://evil.example\"></iframe>",
		"<style>body{display:none}</style>\n\ntesto",
		"<a href=\"javascript:alert(1)\">x</a>",
		"<div>\n<script>alert(1)</script>\n</div>\n",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		char *h = render(inputs[i]);
		assert_inert(h);
		assert_non_null(strstr(h, "&lt;"));	/* shown as text, not dropped */
		free(h);
	}
}

static void
test_unsafe_links_and_images(void **state)
{
	static const char *const inputs[] = {
		"[x](javascript:alert(1))",
		"[x](JaVaScRiPt:alert(1))",
		"[x]( javascript:alert(1))",
		"[x](java\tscript:alert(1))",
		"[x](data:text/html,<script>alert(1)</script>)",
		"[x](vbscript:msgbox(1))",
		"[x][r]\n\n[r]: javascript:alert(1)\n",
		"![i](javascript:alert(1))",
		"![i](https://example.org/a.png)",
		"![i](data:image/svg+xml,<svg onload=alert(1)>)",
		"[x](raw:<script>alert(1)</script>)",
		"[x](class:evil)",
		"[x](http://a.it \"t\" onclick=\"alert(1)\")",
		"<javascript:alert(1)>",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		char *h = render(inputs[i]);
		assert_inert(h);
		assert_null(strstr(h, "class=\"evil\""));
		free(h);
	}
}

static void
test_bounds(void **state)
{
	struct buf b;
	char *big;

	(void)state;
	buf_init(&b, 0);
	/* Empty input: nothing, success. */
	assert_int_equal(md_render("", 0, &b), 0);
	assert_int_equal(b.len, 0);
	/* An embedded NUL is refused and leaves out untouched. */
	buf_adds(&b, "prima");
	assert_int_equal(md_render("a\0<script>", 10, &b), -1);
	assert_string_equal(b.data, "prima");
	/* Only len bytes are read. */
	assert_int_equal(md_render("*a* *b*", 3, &b), 0);
	assert_non_null(strstr(b.data, "prima<p><em>a</em></p>"));
	assert_null(strstr(b.data, "b"));
	buf_release(&b);

	/* MD_MAX_INPUT is accepted, one byte more is not. */
	big = test_malloc(MD_MAX_INPUT + 1);
	for (size_t i = 0; i < MD_MAX_INPUT + 1; i++)
		big[i] = i % 80 == 79 ? '\n' : 'a';
	buf_init(&b, 0);
	assert_int_equal(md_render(big, MD_MAX_INPUT + 1, &b), -1);
	assert_int_equal(b.len, 0);
	assert_int_equal(md_render(big, MD_MAX_INPUT, &b), 0);
	assert_true(b.len > MD_MAX_INPUT);
	buf_release(&b);
	test_free(big);

	/* The cap of out: a refused append truncates back to the entry length. */
	buf_init(&b, 16);
	buf_adds(&b, "x");
	assert_int_equal(md_render("un paragrafo abbastanza lungo", 29, &b), -1);
	assert_int_equal(b.len, 1);
	buf_release(&b);
}

static void
test_broken_utf8(void **state)
{
	char *h;

	(void)state;
	/* Bytes that are not UTF-8 do not crash it nor open a tag. */
	h = render("\xff\xfe<\xc3script>\xe2\x82");
	assert_inert(h);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_markdown),
		cmocka_unit_test(test_raw_html_is_text),
		cmocka_unit_test(test_unsafe_links_and_images),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_broken_utf8),
	};

	md_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
