/*
 * blob.h - file contents kept in PostgreSQL.
 *
 * An upload streams into blob_chunks rows of BLOB_CHUNK bytes on a
 * connection of its own, inside one transaction that the route's handler
 * commits together with its own rows (or that is rolled back: an
 * interrupted or refused upload leaves nothing behind).  Its type is what
 * libmagic says of the bytes, checked against an allowlist and against
 * the file name's extension; identical content is stored once (SHA-256).
 * A download streams the chunks back, a single byte range if asked.
 */
#ifndef PORTAL_BLOB_H
#define PORTAL_BLOB_H

#include "compat.h"

#include "arena.h"

struct config;
struct db;
struct request;

/* Bytes per blob_chunks row: larger rows mean fewer queries per download
 * (1 MiB measured faster than 256 KiB in make bench's G), at the cost of
 * that much memory per upload and download under way. */
#define BLOB_CHUNK (1024 * 1024)
#define BLOB_NAME_MAX 255	/* characters of a file name */

/* A stored file as an upload produced it. */
struct blob_file {
	int64_t id;
	int64_t size;
	const char *sha256;	/* 64 hex digits */
	const char *type;	/* the allowlist's MIME type for the name's extension */
	const char *name;	/* the name sent, without its folders */
};

/*
 * Opens the libmagic handles (one per HTTP thread and one spare) and
 * remembers the database and the limits; before any thread starts.
 * Returns -1 (logged) when libmagic cannot load its database.
 */
int blob_init(const struct config *cfg);
void blob_shutdown(void);

/*
 * The upload of one file part.  Every function returning int answers 0,
 * or an HTTP status (400 bad name, 413 too large, 415 wrong type, 503
 * busy or database down, 500) with an Italian *message for the user; after
 * a non-zero answer the upload is dead and only blob_upload_free() is left.
 */
struct blob_upload;

/*
 * Starts storing a file called filename (as the client sent it): checks
 * the name, takes one of max_uploads connections and begins the
 * transaction.  *out is NULL unless 0 is returned.
 */
int blob_upload_begin(const char *filename, struct blob_upload **out, const char **message);

/* Appends bytes; a chunk is written each BLOB_CHUNK bytes, the type checked at the first. */
int blob_upload_write(struct blob_upload *u, const char *data, size_t len, const char **message);

/*
 * Writes the rest, checks the type, and stores the file once: *file
 * (in arena) describes the stored content, which may be an older blob with
 * the same bytes.  The transaction stays open on blob_upload_db().
 */
int blob_upload_finish(struct blob_upload *u, struct arena *arena, const struct blob_file **file,
		       const char **message);

/* The upload's connection, in its transaction: the handler adds its rows and commits. */
struct db *blob_upload_db(struct blob_upload *u);

/* Rolls back what was not committed and closes the connection. NULL is a no-op. */
void blob_upload_free(struct blob_upload *u);

/*
 * The type the allowlist gives a file name's extension, or NULL if the
 * extension is not allowed.  Also the check of names given without
 * upload (renames): 0, or 400 with *message.
 */
const char *blob_type_of_name(const char *name);
int blob_name_check(const char *name, const char **message);

/*
 * Answers req with the blob's bytes: status 200, or 206 for one
 * satisfiable "Range: bytes=" range (416 for an unsatisfiable one), 304
 * when If-None-Match names the ETag ("sha256").  name is the download
 * name (Content-Disposition, RFC 6266 with an RFC 5987 UTF-8 form);
 * PDFs and images are shown inline, the rest as attachments, and
 * nothing downloaded can run script in the portal's origin.  The chunks
 * are read from req->db while the response is sent.  Returns the status.
 */
int blob_send(struct request *req, const struct blob_file *blob);

/*
 * The whole content of a stored file, for work done off the request's way:
 * blob_read() copies it into out (at most max bytes, else -1), blob_save()
 * writes it to fd.  0, or -1 (logged) when a chunk is missing or on error.
 */
int blob_read(struct db *db, const struct blob_file *f, char *out, size_t max, size_t *len);
int blob_save(struct db *db, const struct blob_file *f, int fd);

/* True when the request asks for the whole file or its start (downloads worth counting). */
bool blob_request_is_start(const struct request *req);

#endif
