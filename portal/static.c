/*
 * static.c - in-memory static files (see static.h).
 *
 * The files are few (the portal's CSS and JS, Bootstrap Italia's bundle,
 * fonts, icons), so a sorted array and bsearch are enough, and answering
 * from memory avoids a syscall per request.  Versioned file names are not
 * used, so browsers revalidate after a day (ETag makes that a 304).
 */
#include "compat.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "buf.h"
#include "log.h"
#include "response.h"
#include "static.h"

/* The largest asset served (Bootstrap Italia's bundle is about 1 MB). */
#define STATIC_MAX_FILE ((size_t)32 << 20)

struct static_file {
	char *path;		/* relative to the assets folder, "css/portal.css" */
	char *data;
	size_t len;
	const char *type;
	char etag[24];		/* "\"" + 16 hex + "\"" */
	char last_modified[32];
	time_t mtime;
	/* The headers of every full answer, linked once loading is over (the
	 * array moves while it grows and is sorted); shared by all requests. */
	struct response_header headers[4];
};

static struct static_file *static_files;
static size_t static_count, static_alloc;

static const char *
static_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".woff", "font/woff" },
		{ ".ttf", "font/ttf" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".pdf", "application/pdf" },
		{ ".map", "application/json" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < ARRAY_SIZE(types); i++)
		if (strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static int
static_add(const char *full, const char *rel, const struct stat *st)
{
	struct static_file *f;
	unsigned char hash[8];
	char hex[17];
	struct buf b;
	struct tm tm;

	buf_init(&b, STATIC_MAX_FILE);
	if (buf_read_file(&b, full) == -1) {
		log_warn("asset \"%s\"", full);
		buf_release(&b);
		return -1;
	}
	if (static_count == static_alloc) {
		static_alloc = static_alloc ? static_alloc * 2 : 64;
		static_files = realloc(static_files, static_alloc * sizeof(*static_files));
		if (static_files == NULL)
			log_oom(static_alloc * sizeof(*static_files));
	}
	f = &static_files[static_count];
	memset(f, 0, sizeof(*f));
	if ((f->path = strdup(rel)) == NULL)
		log_oom(strlen(rel));
	f->data = buf_detach(&b, &f->len);
	f->type = static_type(rel);
	f->mtime = st->st_mtime;
	crypto_generichash(hash, sizeof(hash), (unsigned char *)f->data, f->len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(f->etag, sizeof(f->etag), "\"%s\"", hex);
	gmtime_r(&f->mtime, &tm);
	strftime(f->last_modified, sizeof(f->last_modified), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	static_count++;
	return 0;
}

static int
static_walk(const char *dir, const char *rel)
{
	struct dirent *de;
	DIR *dp;
	int rc = 0;

	if ((dp = opendir(dir)) == NULL) {
		log_warn("assets folder \"%s\"", dir);
		return -1;
	}
	while ((de = readdir(dp)) != NULL && rc == 0) {
		char full[4096], sub[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
		if (stat(full, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = static_walk(full, sub);
		else if (S_ISREG(st.st_mode))
			rc = static_add(full, sub, &st);
	}
	closedir(dp);
	return rc;
}

static int
static_cmp(const void *a, const void *b)
{
	return strcmp(((const struct static_file *)a)->path, ((const struct static_file *)b)->path);
}

int
static_load(const char *dir)
{
	if (static_walk(dir, "") == -1)
		return -1;
	qsort(static_files, static_count, sizeof(*static_files), static_cmp);
	for (size_t i = 0; i < static_count; i++) {
		struct static_file *f = &static_files[i];
		const struct response_header h[] = {
			{ "ETag", f->etag, &f->headers[1] },
			{ "Last-Modified", f->last_modified, &f->headers[2] },
			{ "Cache-Control", "public, max-age=86400", &f->headers[3] },
			{ "Accept-Ranges", "bytes", NULL },
		};
		memcpy(f->headers, h, sizeof(h));
	}
	log_info("loaded %zu assets from %s", static_count, dir);
	return 0;
}

void
static_free(void)
{
	for (size_t i = 0; i < static_count; i++) {
		free(static_files[i].path);
		free(static_files[i].data);
	}
	free(static_files);
	static_files = NULL;
	static_count = static_alloc = 0;
}

static int
static_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct static_file *)elem)->path);
}

/* Outcomes of parsing a Range header against a file of len bytes. */
enum static_range_result { STATIC_RANGE_OK, STATIC_RANGE_IGNORE, STATIC_RANGE_UNSATISFIABLE };

/*
 * Parses "bytes=a-b", "bytes=a-" or "bytes=-n" (one range).  A header that
 * does not parse, or asks for several ranges, is ignored and the whole file
 * sent, as RFC 9110 14.2 allows; a valid range that starts past the end is
 * unsatisfiable (416).
 */
static enum static_range_result
static_range(const char *h, size_t len, size_t *start, size_t *end)
{
	unsigned long long a, b;
	char *p, *q;

	if (strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
		return STATIC_RANGE_IGNORE;
	h += 6;
	if (*h == '-') {
		b = strtoull(h + 1, &p, 10);
		if (p == h + 1 || *p != '\0' || h[1] < '0' || h[1] > '9')
			return STATIC_RANGE_IGNORE;
		if (b == 0 || len == 0)
			return STATIC_RANGE_UNSATISFIABLE;
		*start = b >= len ? 0 : len - (size_t)b;
		*end = len - 1;
		return STATIC_RANGE_OK;
	}
	if (*h < '0' || *h > '9')
		return STATIC_RANGE_IGNORE;
	a = strtoull(h, &p, 10);
	if (*p++ != '-')
		return STATIC_RANGE_IGNORE;
	b = ULLONG_MAX;
	if (*p != '\0') {
		if (*p < '0' || *p > '9')
			return STATIC_RANGE_IGNORE;
		b = strtoull(p, &q, 10);
		if (*q != '\0' || b < a)
			return STATIC_RANGE_IGNORE;
	}
	if (a >= len)
		return STATIC_RANGE_UNSATISFIABLE;
	*start = (size_t)a;
	*end = b >= len ? len - 1 : (size_t)b;
	return STATIC_RANGE_OK;
}

int
static_serve(struct request *req)
{
	const struct static_file *f;
	const char *inm, *ims, *range;
	size_t start, end;

	f = bsearch(req->args[0], static_files, static_count, sizeof(*static_files), static_key_cmp);
	if (f == NULL || strstr(req->args[0], "..") != NULL)
		return response_error(req, 404, "File non trovato.");
	/* Static routes run no session code, so no header was added before:
	 * the file's own list becomes the response's, without a copy. */
	if (req->headers != NULL)
		fatalx("static_serve: headers set before the handler");
	req->headers = &f->headers[0];
	inm = request_header(req, "If-None-Match");
	ims = request_header(req, "If-Modified-Since");
	if ((inm != NULL && (strstr(inm, f->etag) != NULL || strcmp(inm, "*") == 0)) ||
	    (inm == NULL && ims != NULL && strcmp(ims, f->last_modified) == 0)) {
		return req->status = 304;
	}
	req->content_type = f->type;
	range = request_header(req, "Range");
	if (range != NULL) {
		const char *ifr = request_header(req, "If-Range");
		/* A Range applies only while the client's copy is still current. */
		if (ifr == NULL || strcmp(ifr, f->etag) == 0 || strcmp(ifr, f->last_modified) == 0) {
			switch (static_range(range, f->len, &start, &end)) {
			case STATIC_RANGE_UNSATISFIABLE:
				response_header(req, "Content-Range",
						arena_printf(req->arena, "bytes */%zu", f->len));
				req->content_type = NULL;
				return req->status = 416;
			case STATIC_RANGE_IGNORE:
				goto whole;
			case STATIC_RANGE_OK:
				break;
			}
			req->static_body = f->data + start;
			req->static_len = end - start + 1;
			response_header(req, "Content-Range",
					arena_printf(req->arena, "bytes %zu-%zu/%zu", start, end, f->len));
			return req->status = 206;
		}
	}
whole:
	req->static_body = f->data;
	req->static_len = f->len;
	req->shared_response = true;
	return req->status = 200;
}
