/*
 * db.h - PostgreSQL access: one connection per thread, prepared statements,
 * results copied into the request's arena.
 *
 * Queries are `static const struct db_stmt` in the *_db.c files, with
 * $1..$n parameters; no request data is ever formatted into SQL text.
 * A statement is prepared on a connection the first time it runs there
 * (the PREPARE sent with its first execution) and only executed
 * afterwards; each runs in one round trip (libpq's pipeline mode), the
 * BEGIN of a transaction included, which goes with its first statement.
 * A struct db is used by one thread at a time.  When the server goes
 * away, the next call tries to reconnect (at most once a second) and
 * fails fast meanwhile: callers see -1 / NULL and db_is_down() tells the
 * HTTP layer to answer 503.
 */
#ifndef PORTAL_DB_H
#define PORTAL_DB_H

#include "compat.h"

#include "arena.h"

struct db;

struct db_stmt {
	const char *name;	/* unique across the program, e.g. "account_by_email" */
	const char *sql;
	int nparams;
};

/* Rows copied into an arena; cells are NUL-terminated text, NULL for SQL NULL. */
struct db_res {
	int nrows;
	int ncols;
	const char **cells;	/* row-major */
	int64_t affected;	/* rows affected by INSERT/UPDATE/DELETE */
};

/* A handle for conninfo (copied); connects lazily, never fails. Free with db_close(). */
struct db *db_open(const char *conninfo);

/*
 * Like db_open(), with commits that return before their WAL reaches the
 * disk (synchronous_commit off): a server crash may forget the last
 * fraction of a second of them, never corrupt anything.  For bookkeeping
 * whose loss only repeats work, such as the mail sender marking a
 * message sent (a lost mark sends it again).
 */
struct db *db_open_async_commit(const char *conninfo);

/*
 * Closes the connection, if any, and frees db and everything it owns.
 * Results already copied into an arena stay valid.  NULL is a no-op.
 */
void db_close(struct db *db);

/*
 * Connects or reconnects if needed; 0 when the connection is usable, else
 * -1.  Also notices a connection the server closed (a restart) and
 * replaces it: call it once before a unit of work, such as a request.
 */
int db_ready(struct db *db);

/* True when the last attempt found the server unreachable. */
bool db_is_down(const struct db *db);

/*
 * Runs stmt with params (stmt->nparams strings; NULL = SQL NULL).  The
 * result is allocated in arena.  Returns NULL on error, after logging it;
 * db_sqlstate() then tells why ("23505" unique violation...).
 */
struct db_res *db_query(struct db *db, struct arena *arena, const struct db_stmt *stmt,
			const char *const *params);

/*
 * Like db_query, but planned for these parameter values at every run
 * instead of prepared once: for the few statements whose best plan
 * depends on the values (how common the words of a search are), which a
 * generic plan cannot know.
 */
struct db_res *db_query_planned(struct db *db, struct arena *arena, const struct db_stmt *stmt,
				const char *const *params);

/* Like db_query without rows: returns the affected row count, or -1. */
int64_t db_exec(struct db *db, const struct db_stmt *stmt, const char *const *params);

/*
 * Like db_exec, with binary parameters: lengths[i] >= 0 sends params[i] as
 * that many raw bytes (bytea), -1 as text.  For file contents.
 */
int64_t db_exec_binary(struct db *db, const struct db_stmt *stmt, const char *const *params,
		       const int *lengths);

/*
 * Runs stmt and copies the first column of its first row, in binary (the
 * raw bytes of a bytea), into out: 1 with *len set, 0 when there is no row
 * or it is NULL, -1 on error or when the value is longer than max (logged).
 */
int db_query_bytes(struct db *db, const struct db_stmt *stmt, const char *const *params,
		   char *out, size_t max, size_t *len);

/*
 * Runs stmt and returns the integer in the first column of its first row:
 * 0 when there is no row (INSERT ... ON CONFLICT DO NOTHING RETURNING id,
 * a consumed token), -1 on error.  For queries whose values are positive.
 */
int64_t db_query_int(struct db *db, const struct db_stmt *stmt, const char *const *params);

/* 0 if the server answers a trivial query now, else -1 (readiness probes). */
int db_ping(struct db *db);

/* Runs a fixed SQL script (migrations, BEGIN/COMMIT); never with request data. */
int db_script(struct db *db, const char *sql);

/*
 * BEGIN and COMMIT: 0 on success, -1 (logged) on error, a lost connection
 * included.  db_begin() sends nothing: the BEGIN goes with the next
 * statement, and a transaction that ran none commits nothing.  After a
 * statement of the transaction failed PostgreSQL turns COMMIT into a
 * rollback that still reports success, so callers stop at the first
 * failure and call db_rollback() instead of committing.
 */
int db_begin(struct db *db);
int db_commit(struct db *db);

/* Rolls back; safe to call when no transaction is open. */
void db_rollback(struct db *db);

/* SQLSTATE of the last failed statement, "" if none. */
const char *db_sqlstate(const struct db *db);

/*
 * Copies of results for caches: db_res_size() is the size of one block
 * holding res whole (the struct, the cell pointers and the text), and
 * db_res_copy() writes res into such a block at dst (aligned for
 * pointers) and returns the copy, which points only into dst.  A copy can
 * be copied again the same way.
 */
size_t db_res_size(const struct db_res *res);
struct db_res *db_res_copy(void *dst, const struct db_res *res);

/* Cell accessors; row/col out of range is a programming error. */
const char *db_get(const struct db_res *res, int row, int col);
int64_t db_get_int(const struct db_res *res, int row, int col);
bool db_get_bool(const struct db_res *res, int row, int col);

/* Formats v into out (24 bytes) for use as a query parameter; returns out. */
#define DB_INT_LEN 24
const char *db_int_param(char out[DB_INT_LEN], int64_t v);

/*
 * A query whose rows are read one at a time, for exports too large to
 * copy whole: it runs on a connection of its own (libpq single-row mode),
 * so the pool thread's connection stays free for other requests and
 * memory stays that of one row.  At most DB_STREAMS_MAX run at once.
 */
#define DB_STREAMS_MAX 4

struct db_stream;

/*
 * Connects to conninfo and starts stmt with params.  Returns the stream,
 * or NULL with *busy true when DB_STREAMS_MAX are running, or NULL with
 * *busy false when connecting or sending failed (logged).  Free with
 * db_stream_close(); usable from one thread at a time, any thread.
 */
struct db_stream *db_stream_open(const char *conninfo, const struct db_stmt *stmt,
				 const char *const *params, bool *busy);

/*
 * The next row: 1 with *cells pointing at ncols values (NULL for SQL
 * NULL), valid until the next call; 0 at the end; -1 on error (logged).
 */
int db_stream_next(struct db_stream *s, const char *const **cells, int *ncols);

/* Ends the query (cancelling what is left) and the connection. NULL is a no-op. */
void db_stream_close(struct db_stream *s);

/*
 * Accounts and sessions changed (users or sessions rows, by the statement
 * just run on db): db_accounts_generation() moves on once that is
 * committed (at once outside a transaction, else at db_commit()), so that
 * a reader who saw the old rows never sees the old generation afterwards
 * and in-memory copies of sessions (session.c) are dropped.
 */
void db_accounts_changed(struct db *db);
uint64_t db_accounts_generation(void);

/* Count of connections opened and of live ones, for /metrics. */
void db_stats(int *open, int *up);

#endif
