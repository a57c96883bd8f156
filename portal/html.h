/*
 * html.h - HTML output helpers: escaping and URL checks.
 *
 * Everything the portal writes into a page goes through html_escape()
 * unless it is HTML the portal produced itself (see tmpl.h).  Templates
 * only escape: they do not check URLs, so a caller that puts a URL coming
 * from a user into an href or src attribute must check it with
 * html_url_is_safe() first.  All functions here are pure and thread-safe.
 */
#ifndef PORTAL_HTML_H
#define PORTAL_HTML_H

#include "compat.h"

#include "buf.h"

/*
 * Appends len bytes of s to b, HTML-escaped: & < > " ' become &amp; &lt;
 * &gt; &quot; &#39;, every other byte is copied as is (UTF-8 passes
 * through untouched, an embedded NUL is copied).  The result is safe in
 * element text and in quoted attribute values (single or double quotes),
 * never in an unquoted attribute or inside <script>/<style>.  Errors go to
 * b's sticky err, as for every buf append.
 */
void html_escape(struct buf *b, const char *s, size_t len);

/*
 * True if url may go into an href or src attribute (after html_escape):
 *   - a path on this site: starts with "/" but not "//" or "/\" (both
 *     mean another host to a browser);
 *   - a fragment: starts with "#";
 *   - an absolute URL whose scheme is http, https or mailto, in any case.
 * False for NULL, the empty string, any other scheme (javascript:, data:,
 * vbscript:, file:...), scheme-less relative paths ("a/b", "?q"), and any
 * URL holding a control character (0x00-0x1f, 0x7f) or whitespace
 * anywhere, leading or trailing included: browsers strip those, so
 * " java\tscript:" would otherwise slip past the scheme check.
 */
bool html_url_is_safe(const char *url);

/* The longest URL html_url_is_web() accepts, in bytes (the tables' bound). */
#define HTML_URL_WEB_MAX 2000

/*
 * True if url is an absolute web link to another site: scheme http or
 * https (any case), then "//" and a non-empty host (the next byte is not
 * "/", "?" or "#"), at most HTML_URL_WEB_MAX bytes, and no byte that is a
 * control character (0x00-0x1f, 0x7f), a space, a double quote, "<", ">",
 * a backslash or a backtick anywhere.  Such a URL also passes
 * html_url_is_safe().  False for NULL and "".  For links people type for
 * other people (materials, meeting and recording links, captions); it does
 * not check that the host resolves or is well formed beyond that.
 */
bool html_url_is_web(const char *url);

/*
 * Appends s percent-encoded for a URL's path or query (RFC 3986): every
 * byte but the unreserved A-Z a-z 0-9 - . _ ~ and, when keep_slash, '/'.
 */
void html_url_encode(struct buf *b, const char *s, bool keep_slash);

#endif
