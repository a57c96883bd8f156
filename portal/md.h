/*
 * md.h - Markdown to HTML with discount, safe for pages.
 *
 * The output is HTML the portal produced itself (tmpl_set_html may write
 * it raw): raw HTML in the input is escaped (MKD_NOHTML), links keep only
 * safe schemes (MKD_SAFELINK), images are not rendered (MKD_NOIMAGE: the
 * safe-link check does not cover them), <style> blocks are not extracted
 * (MKD_NOSTYLE) and discount's pseudo-protocols and class blocks are off.
 * Lessons are rendered once, when they are saved, and the HTML is stored.
 */
#ifndef PORTAL_MD_H
#define PORTAL_MD_H

#include "compat.h"

#include "buf.h"

/* Longest Markdown source md_render() accepts, in bytes (a long lesson is ~20 KB). */
#define MD_MAX_INPUT ((size_t)256 << 10)

/*
 * Initialises discount, whose first use is not thread-safe.  Call once in
 * main() before any thread starts (it also reseeds random()).
 */
void md_init(void);

/*
 * Renders markdown[0..len) and appends the HTML to out.  Returns 0, or -1
 * (logged) when the input is longer than MD_MAX_INPUT, holds a NUL byte,
 * discount fails, or out's cap is reached; on -1 out is back at its length
 * on entry.  An empty input appends nothing and succeeds.  Thread-safe
 * after md_init(); allocates nothing that outlives the call but out's growth.
 */
int md_render(const char *markdown, size_t len, struct buf *out);

#endif
