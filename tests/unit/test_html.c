/*
 * test_html.c - escaping and URL checks of portal/html.c.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/html.c"

/* Escapes n bytes of s into a fresh buffer and compares with want. */
static void
check_escape(const char *s, size_t n, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	html_escape(&b, s, n);
	assert_false(b.err);
	assert_int_equal(b.len, strlen(want));
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void
test_escape_each_char(void **state)
{
	(void)state;
	check_escape("&", 1, "&amp;");
	check_escape("<", 1, "&lt;");
	check_escape(">", 1, "&gt;");
	check_escape("\"", 1, "&quot;");
	check_escape("'", 1, "&#39;");
	check_escape("<>&\"'", 5, "&lt;&gt;&amp;&quot;&#39;");
}

static void
test_escape_plain(void **state)
{
	(void)state;
	check_escape("", 0, "");
	check_escape("abc", 3, "abc");
	/* Only len bytes are read. */
	check_escape("abc<def", 3, "abc");
	/* UTF-8, valid or broken, passes through untouched. */
	check_escape("perch\xc3\xa9 \xe2\x82\xac", 11, "perch\xc3\xa9 \xe2\x82\xac");
	check_escape("\xff\xc3<", 3, "\xff\xc3&lt;");
	/* Entities are escaped again: no double-decoding surprises. */
	check_escape("&amp;", 5, "&amp;amp;");
}

static void
test_escape_embedded_nul(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	html_escape(&b, "a\0<", 3);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "a\0&lt;", 6);
	buf_release(&b);
}

static void
test_escape_attribute_payloads(void **state)
{
	(void)state;
	/* Breaking out of a double- or single-quoted attribute is impossible. */
	check_escape("\" onmouseover=\"alert(1)", 23,
	    "&quot; onmouseover=&quot;alert(1)");
	check_escape("' onfocus='x", 12, "&#39; onfocus=&#39;x");
	check_escape("\"><script>alert(1)</script>", 27,
	    "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
}

static void
test_escape_appends(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_adds(&b, "x=");
	html_escape(&b, "<a>", 3);
	assert_string_equal(b.data, "x=&lt;a&gt;");
	buf_release(&b);
}

static void
test_escape_cap(void **state)
{
	struct buf b;

	(void)state;
	/* "&lt;" needs 4 bytes: the cap counts the escaped output. */
	buf_init(&b, 4);
	html_escape(&b, "<", 1);
	assert_false(b.err);
	assert_string_equal(b.data, "&lt;");
	buf_release(&b);

	buf_init(&b, 4);
	html_escape(&b, "a<", 2);
	assert_true(b.err);
	buf_release(&b);

	buf_init(&b, 3);
	html_escape(&b, "<", 1);
	assert_true(b.err);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void
test_url_safe(void **state)
{
	(void)state;
	assert_true(html_url_is_safe("/"));
	assert_true(html_url_is_safe("/ok"));
	assert_true(html_url_is_safe("/corsi/12?tab=moduli#m3"));
	assert_true(html_url_is_safe("/a:b"));
	assert_true(html_url_is_safe("/perch\xc3\xa9"));
	assert_true(html_url_is_safe("#"));
	assert_true(html_url_is_safe("#main"));
	assert_true(html_url_is_safe("https://ok"));
	assert_true(html_url_is_safe("https://www.example.it/a?b=c"));
	assert_true(html_url_is_safe("http://ok"));
	assert_true(html_url_is_safe("HTTPS://OK"));
	assert_true(html_url_is_safe("HtTp://ok"));
	assert_true(html_url_is_safe("mailto:info@example.it"));
	assert_true(html_url_is_safe("MAILTO:info@example.it"));
}

static void
test_url_bad_schemes(void **state)
{
	(void)state;
	assert_false(html_url_is_safe("javascript:alert(1)"));
	assert_false(html_url_is_safe("JaVaScRiPt:alert(1)"));
	assert_false(html_url_is_safe("data:text/html,<script>"));
	assert_false(html_url_is_safe("vbscript:msgbox"));
	assert_false(html_url_is_safe("file:///etc/passwd"));
	assert_false(html_url_is_safe("ftp://example.it"));
	/* Prefixes of allowed schemes are other schemes. */
	assert_false(html_url_is_safe("http2://x"));
	assert_false(html_url_is_safe("httpx://x"));
	assert_false(html_url_is_safe("htt://x"));
	assert_false(html_url_is_safe("https-evil://x"));
	assert_false(html_url_is_safe(":x"));
	assert_false(html_url_is_safe("1http://x"));
}

static void
test_url_other_hosts(void **state)
{
	(void)state;
	assert_false(html_url_is_safe("//evil.com"));
	assert_false(html_url_is_safe("//evil.com/x"));
	assert_false(html_url_is_safe("/\\evil.com"));
	assert_false(html_url_is_safe("\\\\evil.com"));
	assert_false(html_url_is_safe("\\/evil.com"));
}

static void
test_url_not_absolute_nor_rooted(void **state)
{
	(void)state;
	assert_false(html_url_is_safe(NULL));
	assert_false(html_url_is_safe(""));
	assert_false(html_url_is_safe("a/b"));
	assert_false(html_url_is_safe("?q=1"));
	assert_false(html_url_is_safe("evil.com"));
	assert_false(html_url_is_safe("."));
}

static void
test_url_whitespace_and_controls(void **state)
{
	char url[32];
	int c;

	(void)state;
	assert_false(html_url_is_safe(" javascript:alert(1)"));
	assert_false(html_url_is_safe("java\tscript:alert(1)"));
	assert_false(html_url_is_safe("java\nscript:alert(1)"));
	assert_false(html_url_is_safe("\x01javascript:alert(1)"));
	assert_false(html_url_is_safe(" /ok"));
	assert_false(html_url_is_safe("/ok "));
	assert_false(html_url_is_safe("/o k"));
	assert_false(html_url_is_safe("https://ok/\x7f"));
	assert_false(html_url_is_safe("/\t/evil.com"));
	/* Every C0 control and DEL, at the start, inside and at the end. */
	for (c = 1; c <= 0x20; c++) {
		snprintf(url, sizeof(url), "%c/ok", c);
		assert_false(html_url_is_safe(url));
		snprintf(url, sizeof(url), "/o%ck", c);
		assert_false(html_url_is_safe(url));
		snprintf(url, sizeof(url), "https://ok%c", c);
		assert_false(html_url_is_safe(url));
	}
	assert_false(html_url_is_safe("\x7f/ok"));
	/* An embedded NUL ends a C string: what follows is never seen. */
	memcpy(url, "/ok\0javascript:", 16);
	assert_true(html_url_is_safe(url));
}

static void
test_url_web_accepts(void **state)
{
	(void)state;
	assert_true(html_url_is_web("https://x"));
	assert_true(html_url_is_web("http://x"));
	assert_true(html_url_is_web("HTTPS://X"));
	assert_true(html_url_is_web("HtTp://x.it/a"));
	assert_true(html_url_is_web("https://meet.example.it/room?id=1&pw=a#t"));
	assert_true(html_url_is_web("https://x/perch\xc3\xa9"));
	assert_true(html_url_is_web("https://user@x:8443/l'aquila"));
	/* Whatever it accepts may also go into an href. */
	assert_true(html_url_is_safe("HTTPS://X"));
}

static void
test_url_web_scheme_and_host(void **state)
{
	(void)state;
	assert_false(html_url_is_web(NULL));
	assert_false(html_url_is_web(""));
	assert_false(html_url_is_web("http://"));
	assert_false(html_url_is_web("https://"));
	assert_false(html_url_is_web("https:///x"));
	assert_false(html_url_is_web("https://?q"));
	assert_false(html_url_is_web("https://#f"));
	assert_false(html_url_is_web("https:/x"));
	assert_false(html_url_is_web("https:x"));
	assert_false(html_url_is_web("//x"));
	assert_false(html_url_is_web("/corsi/1"));
	assert_false(html_url_is_web("x.it"));
	assert_false(html_url_is_web("javascript:"));
	assert_false(html_url_is_web("javascript:alert(1)"));
	assert_false(html_url_is_web("JAVASCRIPT://x%0aalert(1)"));
	assert_false(html_url_is_web("data:text/html,x"));
	assert_false(html_url_is_web("mailto:a@x.it"));
	assert_false(html_url_is_web("ftp://x"));
	assert_false(html_url_is_web("httpss://x"));
	assert_false(html_url_is_web("http2://x"));
}

static void
test_url_web_bytes(void **state)
{
	char url[32];

	(void)state;
	assert_false(html_url_is_web(" https://x"));
	assert_false(html_url_is_web("https://x "));
	assert_false(html_url_is_web("https://x/a b"));
	assert_false(html_url_is_web("https:// x"));
	assert_false(html_url_is_web("https://x/\"a"));
	assert_false(html_url_is_web("https://x/<a>"));
	assert_false(html_url_is_web("https://x/a>"));
	assert_false(html_url_is_web("https://x\\evil"));
	assert_false(html_url_is_web("https://x/`a`"));
	assert_false(html_url_is_web("https://x/\x7f"));
	for (int c = 1; c <= 0x20; c++) {
		snprintf(url, sizeof(url), "https://x/%c", c);
		assert_false(html_url_is_web(url));
		snprintf(url, sizeof(url), "https://%cx", c);
		assert_false(html_url_is_web(url));
	}
	/* An embedded NUL ends the string: what follows is never seen. */
	memcpy(url, "https://x\0\"<", 12);
	assert_true(html_url_is_web(url));
}

/* HTML_URL_WEB_MAX bytes pass, one more does not. */
static void
test_url_web_length(void **state)
{
	static char url[HTML_URL_WEB_MAX + 2];

	(void)state;
	memcpy(url, "https://x/", 10);
	memset(url + 10, 'a', HTML_URL_WEB_MAX - 10);
	url[HTML_URL_WEB_MAX] = '\0';
	assert_int_equal(strlen(url), 2000);
	assert_true(html_url_is_web(url));
	url[HTML_URL_WEB_MAX] = 'a';
	url[HTML_URL_WEB_MAX + 1] = '\0';
	assert_int_equal(strlen(url), 2001);
	assert_false(html_url_is_web(url));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_each_char),
		cmocka_unit_test(test_escape_plain),
		cmocka_unit_test(test_escape_embedded_nul),
		cmocka_unit_test(test_escape_attribute_payloads),
		cmocka_unit_test(test_escape_appends),
		cmocka_unit_test(test_escape_cap),
		cmocka_unit_test(test_url_safe),
		cmocka_unit_test(test_url_bad_schemes),
		cmocka_unit_test(test_url_other_hosts),
		cmocka_unit_test(test_url_not_absolute_nor_rooted),
		cmocka_unit_test(test_url_whitespace_and_controls),
		cmocka_unit_test(test_url_web_accepts),
		cmocka_unit_test(test_url_web_scheme_and_host),
		cmocka_unit_test(test_url_web_bytes),
		cmocka_unit_test(test_url_web_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
