/*
 * log.c - error and access logs (see log.h).
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level log_threshold = LOG_LEVEL_INFO;

void
log_set_level(enum log_level level)
{
	log_threshold = level;
}

/* Writes one line "time level: message[: strerror]" in a single fprintf so
 * lines of concurrent threads never interleave. */
static void
log_vemit(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	char msg[1024], stamp[32];
	int saved = errno;
	struct tm tm;
	time_t now;

	if (level > log_threshold)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (with_errno)
		fprintf(stderr, "%s %s: %s: %s\n", stamp, names[level], msg, strerror(saved));
	else
		fprintf(stderr, "%s %s: %s\n", stamp, names[level], msg);
}

#define LOG_FN(name, level, with_errno)				\
	void name(const char *fmt, ...)				\
	{							\
		va_list ap;					\
		va_start(ap, fmt);				\
		log_vemit(level, with_errno, fmt, ap);		\
		va_end(ap);					\
	}

LOG_FN(log_warn, LOG_LEVEL_WARN, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARN, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERROR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_oom(size_t size)
{
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", size);
	abort();
}

/* A line under construction: appends never overrun, a long path is cut. */
struct log_line {
	char data[1200];
	size_t len;
};

/*
 * Appends s, escaping bytes that could forge or break a log line
 * (controls, space, backslash, DEL) as \xNN.
 */
static void
log_line_text(struct log_line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s != '\0' && l->len + 5 < sizeof(l->data); s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c == 0x7f || c == '\\') {
			l->data[l->len++] = '\\';
			l->data[l->len++] = 'x';
			l->data[l->len++] = hex[c >> 4];
			l->data[l->len++] = hex[c & 15];
		} else {
			l->data[l->len++] = (char)c;
		}
	}
}

static void
log_line_char(struct log_line *l, char c)
{
	if (l->len + 1 < sizeof(l->data))
		l->data[l->len++] = c;
}

static void
log_line_raw(struct log_line *l, const char *s)
{
	for (; *s != '\0'; s++)
		log_line_char(l, *s);
}

static void
log_line_number(struct log_line *l, int64_t v)
{
	char digits[24];
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	int k = 0;

	do {
		digits[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		log_line_char(l, '-');
	while (k > 0)
		log_line_char(l, digits[--k]);
}

/*
 * Formatted by hand into one buffer and written with one fwrite (which
 * takes stdout's lock once): this runs for every request.
 */
void
log_access(const char *request_id, const char *method, const char *path,
	   int status, uint64_t bytes, uint64_t micros, int64_t user_id)
{
	struct log_line l = { .len = 0 };

	log_line_text(&l, request_id);
	log_line_char(&l, ' ');
	log_line_text(&l, method);
	log_line_char(&l, ' ');
	log_line_text(&l, path);
	log_line_char(&l, ' ');
	log_line_number(&l, status);
	log_line_char(&l, ' ');
	log_line_number(&l, (int64_t)bytes);
	log_line_char(&l, ' ');
	log_line_number(&l, (int64_t)micros);
	log_line_raw(&l, "us user=");
	log_line_number(&l, user_id);
	l.data[l.len++] = '\n';	/* room kept: appends stop one byte short */
	fwrite(l.data, 1, l.len, stdout);
}

static pthread_t log_flusher;
static atomic_bool log_flushing;

static void *
log_flush_loop(void *arg)
{
	(void)arg;
	while (atomic_load(&log_flushing)) {
		sleep(1);
		fflush(stdout);
	}
	return NULL;
}

void
log_access_start(void)
{
	static char buffer[64 * 1024];

	setvbuf(stdout, buffer, _IOFBF, sizeof(buffer));
	atomic_store(&log_flushing, true);
	if (pthread_create(&log_flusher, NULL, log_flush_loop, NULL) != 0)
		fatal("cannot start the access-log flusher");
}

void
log_access_stop(void)
{
	if (!atomic_exchange(&log_flushing, false))
		return;
	pthread_join(log_flusher, NULL);
	fflush(stdout);
}
