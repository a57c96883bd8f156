/*
 * static.h - the built assets (CSS, JS, fonts, icons), served from memory.
 *
 * static_load() reads every file under the assets folder once, at
 * start-up, with its type, ETag and Last-Modified; the route handler then
 * answers from memory: 200, 304 on a matching If-None-Match or
 * If-Modified-Since, 206 for a satisfiable Range, 416 otherwise.
 */
#ifndef PORTAL_STATIC_H
#define PORTAL_STATIC_H

#include "compat.h"

#include "request.h"

/*
 * Loads every file under dir, recursively (names starting with "." are
 * skipped), into memory owned by this module until static_free(); once,
 * at start-up, before serving.  Returns -1 (logged) if a directory or
 * file cannot be opened; what was loaded before stays until static_free().
 */
int static_load(const char *dir);

/* Frees every loaded file; at shut-down, once no request is served. */
void static_free(void);

/* Handler of GET /assets/{path*}: 200, 206, 304, 404, 416. */
int static_serve(struct request *req);

#endif
