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

/*
 * Copies s into out, escaping bytes that could forge or break a log line
 * (controls, space, backslash, DEL) as \xNN; cuts long paths short.
 */
static void
log_sanitize(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *s != '\0' && n + 5 < outlen; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c == 0x7f || c == '\\') {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
}

void
log_access(const char *request_id, const char *method, const char *path,
	   int status, uint64_t bytes, uint64_t micros, int64_t user_id)
{
	char safe_method[32], safe_path[1024];

	log_sanitize(method, safe_method, sizeof(safe_method));
	log_sanitize(path, safe_path, sizeof(safe_path));
	fprintf(stdout, "%s %s %s %d %llu %lluus user=%lld\n", request_id, safe_method,
		safe_path, status, (unsigned long long)bytes,
		(unsigned long long)micros, (long long)user_id);
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
