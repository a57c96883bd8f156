/*
 * html.c - HTML escaping and URL checks (see html.h).
 */
#include "compat.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "html.h"

/* Entity for each byte that needs one, NULL for the rest.  The table makes
 * the scan one load per byte, and runs of plain bytes are appended with a
 * single buf_add (kcgi's khtml_putc does one call per byte). */
static const char *const html_entity[256] = {
	['&'] = "&amp;",
	['<'] = "&lt;",
	['>'] = "&gt;",
	['"'] = "&quot;",
	['\''] = "&#39;",
};

void
html_escape(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, run = 0;
	const char *ent;

	for (i = 0; i < len; i++) {
		ent = html_entity[p[i]];
		if (ent == NULL)
			continue;
		buf_add(b, s + run, i - run);
		buf_adds(b, ent);
		run = i + 1;
	}
	buf_add(b, s + run, len - run);
}

/* The schemes an href or src may carry; compared case-insensitively. */
static const char *const html_schemes[] = { "http", "https", "mailto" };

/* RFC 3986 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool
html_is_scheme_char(unsigned char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	if (first)
		return false;
	return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

bool
html_url_is_safe(const char *url)
{
	const unsigned char *p;
	size_t i, n;

	if (url == NULL || url[0] == '\0')
		return false;
	/*
	 * Browsers drop tabs and newlines anywhere in a URL and trim C0
	 * controls and spaces at its ends, so any of them could hide a
	 * scheme from the checks below: refuse them outright.
	 */
	for (p = (const unsigned char *)url; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return false;

	if (url[0] == '#')
		return true;
	if (url[0] == '/')
		return url[1] != '/' && url[1] != '\\';

	for (n = 0; html_is_scheme_char((unsigned char)url[n], n == 0); n++)
		;
	if (n == 0 || url[n] != ':')
		return false;
	for (i = 0; i < ARRAY_SIZE(html_schemes); i++)
		if (strlen(html_schemes[i]) == n &&
		    strncasecmp(url, html_schemes[i], n) == 0)
			return true;
	return false;
}

bool
html_url_is_web(const char *url)
{
	const char *host;
	size_t n;

	if (url == NULL)
		return false;
	if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return false;
	if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
		return false;
	/* Besides what browsers strip (see html_url_is_safe): quotes, angle
	 * brackets and backticks only break out of the attributes, mails and
	 * calendars a link is copied into, and browsers read '\\' as '/'. */
	for (n = 0; url[n] != '\0'; n++) {
		unsigned char c = (unsigned char)url[n];
		if (n >= HTML_URL_WEB_MAX || c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' ||
		    c == '\\' || c == '`')
			return false;
	}
	return true;
}

void
html_url_encode(struct buf *b, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
			buf_addch(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_add(b, e, 3);
		}
	}
}
