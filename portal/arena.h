/*
 * arena.h - a per-request region allocator.
 *
 * Everything a request needs (decoded parameters, copied database values,
 * rendered fragments) comes from its arena and is released in one go when
 * the request completes; nothing in an arena is freed on its own.
 * Allocation failure aborts (log_oom).  An arena is used by one thread.
 */
#ifndef PORTAL_ARENA_H
#define PORTAL_ARENA_H

#include "compat.h"

#include <stdarg.h>

struct arena;

/* A new, empty arena; release with arena_free(). */
struct arena *arena_new(void);

/* Frees the arena and everything allocated from it; NULL is a no-op. */
void arena_free(struct arena *arena);

/* Frees everything allocated so far but keeps the first chunk and up to
 * 64 more (512 KiB), so the arena serves the next request without malloc. */
void arena_reset(struct arena *arena);

/* size bytes aligned for any type, zeroed; size 0 gives a unique pointer. */
void *arena_alloc(struct arena *arena, size_t size);

/* n elements of size bytes, with overflow checked (aborts on overflow). */
void *arena_calloc(struct arena *arena, size_t n, size_t size);

/* NUL-terminated copies. */
char *arena_strdup(struct arena *arena, const char *s);
char *arena_strndup(struct arena *arena, const char *s, size_t n);
char *arena_printf(struct arena *arena, const char *fmt, ...) PORTAL_PRINTF(2, 3);
char *arena_vprintf(struct arena *arena, const char *fmt, va_list ap);

/* Bytes handed out so far (for tests and metrics). */
size_t arena_used(const struct arena *arena);

#endif
