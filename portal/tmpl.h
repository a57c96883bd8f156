/*
 * tmpl.h - Mustache-like HTML templates, escaped by default.
 *
 * Templates are parsed once at start-up (tmpl_load_dir) into a global,
 * malloc'ed registry owned by this module and freed by tmpl_free_all().
 * After loading the registry is read-only: tmpl_render() and
 * tmpl_exists() may run on any number of threads with no locking, but
 * loading and freeing must not overlap with them.
 *
 * Syntax:
 *   {{name}}             value: text is HTML-escaped, HTML set with
 *                        tmpl_set_html() is written raw, ints are printed,
 *                        bools, objects, lists and missing names print
 *                        nothing
 *   {{a.b}}              a is looked up through the context stack, then b
 *                        in a's own keys only
 *   {{#name}}..{{/name}} section: once per list item (item pushed), once
 *                        with an object pushed, once for a true bool,
 *                        non-empty text or html, non-zero int; never for
 *                        missing, false, NULL, "" or 0
 *   {{^name}}..{{/name}} inverted section: once exactly when {{#name}}
 *                        would render nothing
 *   {{> prefix/name}}    partial, looked up at render time (load order does
 *                        not matter); nesting deeper than TMPL_MAX_PARTIALS
 *                        or an unknown partial is a render error
 *   {{! comment}}        dropped; the only tag that may span lines
 * Spaces are allowed inside tags ("{{ name }}").  Names use
 * [A-Za-z0-9_.-] (partials also "/"), with no empty dotted segment.
 * There is no {{{raw}}} or {{& raw}}: raw output only comes from
 * tmpl_set_html().  A section, inverted, closing, partial or comment tag
 * alone on its line (only spaces or tabs around it) removes that whole
 * line from the output, as in Mustache, so the HTML stays tidy.
 *
 * Lookup of a name walks the context stack from the innermost section
 * item or object out to the context given to tmpl_render(), then that
 * context's parents; the first context holding the key wins, even when
 * its value is NULL (so an item's NULL hides an outer key of that name).
 */
#ifndef PORTAL_TMPL_H
#define PORTAL_TMPL_H

#include "compat.h"

#include "arena.h"
#include "buf.h"

#define TMPL_MAX_PARTIALS 16	/* partial nesting depth at render time */
#define TMPL_MAX_NESTING 64	/* section nesting depth in one template */
#define TMPL_MAX_SIZE (1 << 20)	/* bytes of one template source */

/* A key -> value map; lives in, and dies with, the arena it came from. */
struct tmpl_ctx;

/* A new, empty context with no parent, allocated in a (aborts on OOM). */
struct tmpl_ctx *tmpl_ctx_new(struct arena *a);

/*
 * Setters.  The key (and, for tmpl_set and tmpl_set_html, the value) is
 * stored, not copied: both must outlive the arena (string literals or
 * arena strings).  Setting a key again replaces its value, whatever its
 * type.  None of them fails; allocation failure aborts.
 */

/* Text, HTML-escaped on output.  NULL means missing (prints nothing, is false). */
void tmpl_set(struct tmpl_ctx *c, const char *key, const char *value);

/* Formatted text, stored in c's arena and escaped on output. */
void tmpl_setf(struct tmpl_ctx *c, const char *key, const char *fmt, ...) PORTAL_PRINTF(3, 4);

/*
 * HTML the portal produced itself (a rendered fragment, stored Markdown
 * output), written raw.  Never pass text that came from a user unescaped.
 * NULL means missing.
 */
void tmpl_set_html(struct tmpl_ctx *c, const char *key, const char *html);

void tmpl_set_int(struct tmpl_ctx *c, const char *key, long long v);
void tmpl_set_bool(struct tmpl_ctx *c, const char *key, bool v);

/* A new empty object stored under key, returned for filling; its parent is c. */
struct tmpl_ctx *tmpl_set_obj(struct tmpl_ctx *c, const char *key);

/*
 * Appends a new empty item to the list under key (the list is created on
 * the first call, replacing any non-list value; items keep their order)
 * and returns it for filling; its parent is c.
 */
struct tmpl_ctx *tmpl_list_add(struct tmpl_ctx *c, const char *key);

/*
 * Loads every regular "*.html" file directly in dir (hidden files and
 * subdirectories are skipped) as template "prefix/name", name being the
 * file name without ".html" (just "name" if prefix is NULL or "").
 * A template of the same name already loaded is replaced.  Returns 0, or
 * -1 if the directory or a file cannot be read or a file does not parse:
 * each failure is logged ("file:line: reason" for parse errors) and the
 * other files are still loaded, so one start-up shows every error.
 */
int tmpl_load_dir(const char *dir, const char *prefix);

/*
 * Parses text as template name (both copied).  Returns 0, or -1 on a
 * parse error, logged as "name:line: reason"; the registry is then left
 * unchanged.
 */
int tmpl_load_string(const char *name, const char *text);

bool tmpl_exists(const char *name);

/*
 * Renders template name with ctx (NULL: no values) and appends the result
 * to out.  Returns 0, or -1 when the template or one of its partials is
 * unknown or partials nest too deep (logged), or when out->err is set
 * (the cap was reached); on -1 out is truncated back to its length on
 * entry, so no half page is sent.  Allocates nothing but out's growth.
 */
int tmpl_render(const char *name, const struct tmpl_ctx *ctx, struct buf *out);

/* Frees every loaded template; the registry is empty again. */
void tmpl_free_all(void);

#endif
