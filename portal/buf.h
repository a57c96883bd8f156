/*
 * buf.h - the one growable byte buffer.
 *
 * Invariants after buf_init(): data is never NULL and data[len] == '\0'.
 * Each buffer has a cap (max bytes of content).  An append that would pass
 * the cap, or overflow size_t, appends nothing and sets the sticky err
 * flag; every later append is a no-op.  Callers check buf.err once, at the
 * end (SQLite's accError).  Out of memory aborts.
 *
 * The storage is malloc'ed and owned by the struct: buf_release() frees it,
 * buf_detach() hands it to the caller.
 */
#ifndef PORTAL_BUF_H
#define PORTAL_BUF_H

#include "compat.h"

#include <stdarg.h>

struct buf {
	char *data;
	size_t len;
	size_t alloc;	/* 0 while data points at the shared empty string */
	size_t max;	/* cap on len */
	int err;	/* sticky: an append was refused */
};

#define BUF_MAX_DEFAULT ((size_t)64 << 20)

/* Empty buffer capped at max bytes (0 means BUF_MAX_DEFAULT); allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Frees the storage; the buffer is again as after buf_init() (same cap, err cleared). */
void buf_release(struct buf *b);

/* Empties the buffer, keeps the storage, clears err. */
void buf_reset(struct buf *b);

/* Makes room for n more bytes; returns -1 (and sets err) past the cap. */
int buf_grow(struct buf *b, size_t n);

void buf_add(struct buf *b, const void *data, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) PORTAL_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Shortens to len bytes (no-op if already shorter). */
void buf_truncate(struct buf *b, size_t len);

/*
 * Appends the whole content of the file at path (git's strbuf_read_file).
 * Returns 0 on success.  Returns -1 with errno set if the file cannot be
 * opened or read, and -1 with b->err set (errno EFBIG) if the content
 * would pass the cap or b->err was already set; in both cases b is left
 * at its length before the call (err stays set).  The content may hold
 * NUL bytes: callers that want a C string check for them.
 */
int buf_read_file(struct buf *b, const char *path);

/*
 * Returns the malloc'ed, NUL-terminated contents (the caller frees them)
 * and stores the length in *len if len is not NULL; the buffer is left
 * empty as after buf_init().
 */
char *buf_detach(struct buf *b, size_t *len);

#endif
