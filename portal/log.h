/*
 * log.h - the error log and the access log.
 *
 * The error log goes to stderr with a level.  log_warn() appends
 * strerror(errno), log_warnx() does not (OpenBSD style).  fatal() and
 * fatalx() are for start-up and broken invariants only: they exit.
 * Messages are lower-case, without a final period, and never contain
 * passwords, tokens or cookies.
 */
#ifndef PORTAL_LOG_H
#define PORTAL_LOG_H

#include "compat.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Messages above this level are dropped; default LOG_LEVEL_INFO. */
void log_set_level(enum log_level level);

void log_warn(const char *fmt, ...) PORTAL_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) PORTAL_PRINTF(1, 2);
void log_info(const char *fmt, ...) PORTAL_PRINTF(1, 2);
void log_debug(const char *fmt, ...) PORTAL_PRINTF(1, 2);
void fatal(const char *fmt, ...) PORTAL_PRINTF(1, 2) PORTAL_NORETURN;
void fatalx(const char *fmt, ...) PORTAL_PRINTF(1, 2) PORTAL_NORETURN;

/* Out of memory: the process cannot go on (git, Kore and Redis do the same). */
void log_oom(size_t size) PORTAL_NORETURN;

/*
 * Buffers the access log and starts a thread that flushes it every second:
 * one write() per request would cost more than serving a small file.  At
 * most a second of lines sits in memory; log_access_stop() flushes them.
 */
void log_access_start(void);
void log_access_stop(void);

/*
 * One access-log line per completed request, to stdout:
 * request id, method, path, status, bytes, microseconds, user id (0 = anonymous).
 */
void log_access(const char *request_id, const char *method, const char *path,
		int status, uint64_t bytes, uint64_t micros, int64_t user_id);

#endif
