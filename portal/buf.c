/*
 * buf.c - growable buffer with a cap and a sticky error (see buf.h).
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

/* Shared, never written: buffers point here until their first append
 * (git's strbuf_slopbuf), so an empty buffer costs no allocation. */
static char buf_empty[1];

void
buf_init(struct buf *b, size_t max)
{
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max ? max : BUF_MAX_DEFAULT;
	b->err = 0;
}

void
buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->data);
	buf_init(b, b->max);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->alloc)
		b->data[0] = '\0';
}

int
buf_grow(struct buf *b, size_t n)
{
	size_t need, size;
	char *p;

	if (b->err)
		return -1;
	/* Check the size before allocating, never after. */
	if (n > b->max || b->len > b->max - n) {
		b->err = 1;
		return -1;
	}
	need = b->len + n + 1;
	if (need <= b->alloc)
		return 0;
	size = b->alloc ? b->alloc : 64;
	while (size < need)
		size = size > SIZE_MAX / 2 ? need : size * 2;
	if (size > b->max + 1)
		size = b->max + 1;
	p = realloc(b->alloc ? b->data : NULL, size);
	if (p == NULL)
		log_oom(size);
	if (!b->alloc)
		p[0] = '\0';
	b->data = p;
	b->alloc = size;
	return 0;
}

void
buf_add(struct buf *b, const void *data, size_t n)
{
	if (n == 0 || buf_grow(b, n) == -1)
		return;
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addch(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	size_t room;
	int n;

	if (b->err)
		return;
	room = b->alloc ? b->alloc - b->len : 0;
	va_copy(cp, ap);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->err = 1;
		return;
	}
	if ((size_t)n >= room) {
		if (buf_grow(b, (size_t)n) == -1) {
			if (b->alloc)
				b->data[b->len] = '\0';
			return;
		}
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

int
buf_read_file(struct buf *b, const char *path)
{
	size_t oldlen = b->len;
	char chunk[8192];
	ssize_t n;
	int fd, rc = -1, saved;

	if (b->err) {
		errno = EFBIG;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		buf_add(b, chunk, (size_t)n);
		if (b->err) {
			errno = EFBIG;
			goto out;
		}
	}
	rc = 0;
out:
	/* close() must not clobber the errno the caller reads. */
	saved = errno;
	close(fd);
	if (rc == -1)
		buf_truncate(b, oldlen);
	errno = saved;
	return rc;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->alloc)
		p = b->data;
	else if ((p = calloc(1, 1)) == NULL)
		log_oom(1);
	if (len != NULL)
		*len = b->len;
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->err = 0;
	return p;
}
