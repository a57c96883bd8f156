/*
 * router.c - route table and matching (see router.h).
 *
 * Patterns are split into segments once, when added; matching walks the
 * request path segment by segment without copying until a route matches.
 * A linear scan is fine for the few dozen routes of the portal and keeps
 * the order rule simple.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "router.h"

#define ROUTER_MAX_SEGMENTS 16

struct router_segment {
	const char *text;	/* literal text, or NULL for a parameter */
	size_t len;
	bool rest;		/* "{name*}": matches the remaining segments */
};

struct router_entry {
	const struct route *route;
	struct router_segment seg[ROUTER_MAX_SEGMENTS];
	int nseg;
};

struct router {
	struct router_entry *entries;
	size_t n, alloc;
};

struct router *
router_new(void)
{
	struct router *r = calloc(1, sizeof(*r));

	if (r == NULL)
		log_oom(sizeof(*r));
	return r;
}

void
router_free(struct router *r)
{
	if (r == NULL)
		return;
	free(r->entries);
	free(r);
}

/* Splits a pattern into segments; a broken pattern is a programming error. */
static void
router_compile(struct router_entry *e, const char *pattern)
{
	const char *p = pattern, *end;
	int nargs = 0;

	if (pattern[0] != '/')
		fatalx("route \"%s\": pattern must start with /", pattern);
	e->nseg = 0;
	if (strcmp(pattern, "/") == 0)
		return;
	while (*p == '/') {
		p++;
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		if (end == p)
			fatalx("route \"%s\": empty segment", pattern);
		if (e->nseg == ROUTER_MAX_SEGMENTS)
			fatalx("route \"%s\": too many segments", pattern);
		struct router_segment *s = &e->seg[e->nseg++];
		if (*p == '{') {
			if (end[-1] != '}' || end - p < 3)
				fatalx("route \"%s\": bad parameter", pattern);
			if (++nargs > REQUEST_MAX_ARGS)
				fatalx("route \"%s\": too many parameters", pattern);
			s->text = NULL;
			s->rest = end[-2] == '*';
			if (s->rest && *end != '\0')
				fatalx("route \"%s\": {name*} must be last", pattern);
		} else {
			s->text = p;
			s->len = (size_t)(end - p);
			s->rest = false;
		}
		p = end;
	}
}

void
router_add(struct router *r, const struct route *routes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r->n == r->alloc) {
			r->alloc = r->alloc ? r->alloc * 2 : 32;
			r->entries = realloc(r->entries, r->alloc * sizeof(*r->entries));
			if (r->entries == NULL)
				log_oom(r->alloc * sizeof(*r->entries));
		}
		struct router_entry *e = &r->entries[r->n++];
		e->route = &routes[i];
		router_compile(e, routes[i].pattern);
	}
}

/*
 * Matches one entry against path; on success stores argument spans
 * (start, length) in spans and returns their count, else -1.
 */
static int
router_match_entry(const struct router_entry *e, const char *path,
		   const char **starts, size_t *lens)
{
	const char *p = path;
	int nargs = 0;

	if (e->nseg == 0)
		return strcmp(path, "/") == 0 ? 0 : -1;
	for (int i = 0; i < e->nseg; i++) {
		const struct router_segment *s = &e->seg[i];
		const char *end;

		if (*p != '/' || p[1] == '\0' || p[1] == '/')
			return -1;
		p++;
		if (s->rest) {
			starts[nargs] = p;
			lens[nargs++] = strlen(p);
			return nargs;
		}
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		if (s->text != NULL) {
			if ((size_t)(end - p) != s->len || memcmp(p, s->text, s->len) != 0)
				return -1;
		} else {
			starts[nargs] = p;
			lens[nargs++] = (size_t)(end - p);
		}
		p = end;
	}
	return *p == '\0' ? nargs : -1;
}

const struct route *
router_match(const struct router *r, struct arena *arena, enum http_method method,
	     const char *path, const char **args, int *nargs, unsigned *allowed)
{
	const char *starts[REQUEST_MAX_ARGS];
	size_t lens[REQUEST_MAX_ARGS];

	*allowed = 0;
	*nargs = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct router_entry *e = &r->entries[i];
		unsigned methods = e->route->methods;
		int n;

		if (methods & METHOD_GET)
			methods |= METHOD_HEAD;
		if ((n = router_match_entry(e, path, starts, lens)) < 0)
			continue;
		if (!(methods & method)) {
			*allowed |= methods;
			continue;
		}
		for (int j = 0; j < n; j++)
			args[j] = arena_strndup(arena, starts[j], lens[j]);
		*nargs = n;
		return e->route;
	}
	return NULL;
}

void
router_allow_string(unsigned methods, char *out, size_t outlen)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ METHOD_GET, "GET" }, { METHOD_HEAD, "HEAD" }, { METHOD_POST, "POST" },
		{ METHOD_PUT, "PUT" }, { METHOD_PATCH, "PATCH" }, { METHOD_DELETE, "DELETE" },
		{ METHOD_OPTIONS, "OPTIONS" },
	};
	size_t len = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(methods & names[i].bit))
			continue;
		int n = snprintf(out + len, outlen - len, "%s%s", len ? ", " : "", names[i].name);
		if (n < 0 || (size_t)n >= outlen - len)
			return;
		len += (size_t)n;
	}
}

size_t
router_count(const struct router *r)
{
	return r->n;
}

const struct route *
router_get(const struct router *r, size_t i)
{
	return i < r->n ? r->entries[i].route : NULL;
}
