/*
 * arena.c - region allocator (see arena.h).
 *
 * Chunks form a singly linked list; the first chunk is embedded in the
 * same malloc as the arena header so a small request costs one malloc.
 * A request larger than a quarter of the chunk size gets a chunk of its
 * own, so large blocks do not waste the tail of the current chunk.  A
 * reset keeps up to ARENA_KEEP chunks for the next use: a long-lived
 * arena (one per server thread) then stops calling malloc and free for
 * every page, which made glibc give memory back to the kernel and take it
 * again each time.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"

#define ARENA_CHUNK 8192
#define ARENA_ALIGN 16
#define ARENA_KEEP 64		/* chunks a reset keeps: 512 KiB */

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;		/* usable bytes in data */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
	struct arena_chunk *head;	/* current chunk, allocations come from here */
	struct arena_chunk *big;	/* chunks of oversized single allocations */
	struct arena_chunk *spare;	/* empty chunks kept by arena_reset() */
	size_t nspare;
	size_t total;
};

static struct arena_chunk *
arena_chunk_new(size_t size)
{
	struct arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		log_oom(size);
	c = malloc(sizeof(*c) + size);
	if (c == NULL)
		log_oom(sizeof(*c) + size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *
arena_new(void)
{
	struct arena *a;

	a = malloc(sizeof(*a));
	if (a == NULL)
		log_oom(sizeof(*a));
	a->head = arena_chunk_new(ARENA_CHUNK);
	a->big = NULL;
	a->spare = NULL;
	a->nspare = 0;
	a->total = 0;
	return a;
}

static void
arena_chunks_free(struct arena_chunk *c)
{
	struct arena_chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_chunks_free(a->head);
	arena_chunks_free(a->big);
	arena_chunks_free(a->spare);
	free(a);
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *first = a->head;

	/* The first chunk is the oldest: the last in the list. */
	while (first->next != NULL) {
		struct arena_chunk *next = first->next;
		if (a->nspare < ARENA_KEEP) {
			first->next = a->spare;
			a->spare = first;
			a->nspare++;
		} else {
			free(first);
		}
		first = next;
	}
	first->used = 0;
	a->head = first;
	arena_chunks_free(a->big);
	a->big = NULL;
	a->total = 0;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c;
	size_t rounded;

	if (size > SIZE_MAX - ARENA_ALIGN)
		log_oom(size);
	rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (rounded == 0)
		rounded = ARENA_ALIGN;

	if (rounded > ARENA_CHUNK / 4) {
		c = arena_chunk_new(rounded);
		c->next = a->big;
		a->big = c;
	} else {
		c = a->head;
		if (c->size - c->used < rounded) {
			if ((c = a->spare) != NULL) {
				a->spare = c->next;
				a->nspare--;
				c->used = 0;
			} else {
				c = arena_chunk_new(ARENA_CHUNK);
			}
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = c->data + c->used;
	c->used += rounded;
	a->total += rounded;
	memset(p, 0, size);
	return p;
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		log_oom(SIZE_MAX);
	return arena_alloc(a, n * size);
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		log_oom(n);
	p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	char small[256];
	va_list cp;
	char *p;
	int n;

	/* Most strings fit the stack buffer: one formatting pass, one copy. */
	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		fatalx("arena_vprintf: bad format \"%s\"", fmt);
	p = arena_alloc(a, (size_t)n + 1);
	if ((size_t)n < sizeof(small))
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}
