/*
 * db.c - libpq glue (see db.h).
 */
#include "compat.h"

#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db.h"
#include "log.h"

#define DB_MAX_PREPARED 256
#define DB_MAX_PARAMS 32	/* of statements with binary parameters */

/* jit off: the portal's statements are short; PostgreSQL misjudges a large
 * INSERT ... SELECT (a campaign's fan-out) and spends longer compiling it
 * than running it. */
#define DB_OPTIONS "-c statement_timeout=30s -c jit=off"
#define DB_ASYNC_OPTIONS DB_OPTIONS " -c synchronous_commit=off"

struct db {
	char *conninfo;
	const char *options;	/* libpq "options": DB_OPTIONS or DB_ASYNC_OPTIONS */
	PGconn *conn;
	bool down;		/* the last attempt found the server unreachable */
	bool up;		/* counted in db_up_count */
	time_t last_attempt;
	char sqlstate[6];
	bool accounts_changed;	/* db_accounts_changed() in the open transaction */
	bool begin_pending;	/* db_begin() called, BEGIN not sent yet */
	/* Statements prepared on this connection; cleared on reconnect. */
	const struct db_stmt *prepared[DB_MAX_PREPARED];
	int nprepared;
};

static atomic_int db_open_count;
static atomic_int db_up_count;
static atomic_uint_least64_t db_accounts_gen;

/* Read with the cache lookups of any thread: an atomic counter. */
uint64_t
db_accounts_generation(void)
{
	return atomic_load(&db_accounts_gen);
}

/* Inside a transaction the change is counted by db_commit(), after COMMIT. */
void
db_accounts_changed(struct db *db)
{
	if (db->conn != NULL && PQtransactionStatus(db->conn) == PQTRANS_INTRANS)
		db->accounts_changed = true;
	else
		atomic_fetch_add(&db_accounts_gen, 1);	/* committed already, or unknown */
}

struct db *
db_open(const char *conninfo)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db == NULL || (db->conninfo = strdup(conninfo)) == NULL)
		log_oom(sizeof(*db));
	db->options = DB_OPTIONS;
	atomic_fetch_add(&db_open_count, 1);
	return db;
}

struct db *
db_open_async_commit(const char *conninfo)
{
	struct db *db = db_open(conninfo);

	db->options = DB_ASYNC_OPTIONS;
	return db;
}

/* Keeps db_up_count in step with the connection's state. */
static void
db_set_up(struct db *db, bool up)
{
	if (up != db->up)
		atomic_fetch_add(&db_up_count, up ? 1 : -1);
	db->up = up;
	db->down = !up;
}

static void
db_disconnect(struct db *db)
{
	if (db->conn != NULL) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	if (db->up)
		atomic_fetch_sub(&db_up_count, 1);
	db->up = false;
	db->nprepared = 0;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	atomic_fetch_sub(&db_open_count, 1);
	free(db->conninfo);
	free(db);
}

/* libpq prints notices on stderr by default; migrations raise harmless ones. */
static void
db_notice(void *arg, const char *message)
{
	(void)arg;
	log_debug("postgres: %s", message);
}

/*
 * A server restart shows on an idle connection only once it is used; read
 * whatever is pending now (never blocks) so a dead socket is noticed here,
 * before a statement is sent, and replaced without losing anything.
 */
static bool
db_alive(struct db *db)
{
	struct pollfd pfd = { PQsocket(db->conn), POLLIN | POLLRDHUP, 0 };

	if (poll(&pfd, 1, 0) == 0)
		return true;	/* nothing pending: the usual case */
	/* A shut-down server sends a FATAL message and closes the socket;
	 * either the hang-up or reading both shows the connection is gone. */
	if (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
		return false;
	return PQconsumeInput(db->conn) == 1 && PQstatus(db->conn) == CONNECTION_OK;
}

/*
 * Bounded waits, unless the connection string says otherwise: a server
 * that does not answer must not hold a pool thread for minutes.
 */
static PGconn *
db_connect(const char *conninfo, const char *options)
{
	static const char *const keys[] = {
		"connect_timeout", "keepalives_idle", "options", "dbname", NULL
	};
	const char *values[] = { "5", "30", options, conninfo, NULL };

	return PQconnectdbParams(keys, values, 1);
}

/* A stream's statement lasts as long as the client takes to download it;
 * a client that stops reading is cut by the HTTP connection timeout,
 * which closes the stream and cancels the statement. */
#define DB_STREAM_OPTIONS "-c statement_timeout=0"

int
db_ready(struct db *db)
{
	time_t now;

	if (db->up && db_alive(db))
		return 0;
	now = time(NULL);
	/* While the server is away, retry at most once a second so that a
	 * burst of requests fails fast instead of each waiting on connect. */
	if (db->down && now == db->last_attempt)
		return -1;
	db->last_attempt = now;
	db_disconnect(db);
	db->conn = db_connect(db->conninfo, db->options);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		if (!db->down)
			log_warnx("database: cannot connect: %s", PQerrorMessage(db->conn));
		db_set_up(db, false);
		return -1;
	}
	PQsetNoticeProcessor(db->conn, db_notice, NULL);
	if (db->down)
		log_info("database: connected again");
	db_set_up(db, true);
	return 0;
}

bool
db_is_down(const struct db *db)
{
	return db->down;
}

/* Records the error of res (or of the connection) and notices a lost server. */
static void
db_fail(struct db *db, const struct db_stmt *stmt, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	if (PQstatus(db->conn) != CONNECTION_OK) {
		log_warnx("database: connection lost during \"%s\"", stmt ? stmt->name : "script");
		db_set_up(db, false);
		db->nprepared = 0;
		return;
	}
	/* Constraint violations are expected (duplicate email...) and handled
	 * by the caller; anything else is worth a warning. */
	if (state == NULL || strncmp(state, "23", 2) != 0)
		log_warnx("database: \"%s\" failed: %s", stmt ? stmt->name : "script",
			  res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
}

/*
 * Reads the results of the steps db_run_with() sent in one pipeline (the
 * statement last) and leaves pipeline mode.  Returns the statement's
 * result, or NULL after recording the first failure; *prepare_ok tells
 * whether step prepare_step (-1: none) succeeded.
 */
static PGresult *
db_pipeline_results(struct db *db, const struct db_stmt *stmt, int steps, int prepare_step,
		    bool *prepare_ok)
{
	PGresult *res, *out = NULL, *failed = NULL;

	*prepare_ok = false;
	for (int step = 0; step < steps; step++) {
		bool ok;

		if ((res = PQgetResult(db->conn)) == NULL)
			break;	/* the connection failed */
		ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
		if (step == prepare_step)
			*prepare_ok = ok;
		if (!ok && failed == NULL)
			failed = res;	/* the steps after it come back aborted */
		else if (ok && step == steps - 1)
			out = res;
		else
			PQclear(res);
		while ((res = PQgetResult(db->conn)) != NULL)	/* a step's results end with NULL */
			PQclear(res);
	}
	/* Then the synchronisation point, after which the pipeline is empty. */
	while ((res = PQgetResult(db->conn)) != NULL && PQresultStatus(res) != PGRES_PIPELINE_SYNC)
		PQclear(res);
	PQclear(res);
	if (PQexitPipelineMode(db->conn) != 1) {
		/* Only a broken connection keeps results back: start afresh. */
		db_fail(db, stmt, failed);
		db_disconnect(db);
		PQclear(failed);
		PQclear(out);
		return NULL;
	}
	if (out != NULL)
		return out;
	db_fail(db, stmt, failed);
	PQclear(failed);
	return NULL;
}

/*
 * Runs stmt, prepared on db's connection the first time (prepare) or
 * planned for these values; lengths (NULL: all text) marks binary
 * parameters with their length (-1: text), and binary_result asks for the
 * columns in binary.  One round trip, in libpq's pipeline mode: the
 * transaction's BEGIN (db_begin() sends none) and the statement's
 * PREPARE go with the statement.
 */
static PGresult *
db_run_with(struct db *db, const struct db_stmt *stmt, const char *const *params,
	    const int *lengths, bool binary_result, bool prepare)
{
	int formats[DB_MAX_PARAMS];
	bool began = db->begin_pending, prepared = false, prepare_ok;
	PGresult *res;
	int i, sent;

	db->sqlstate[0] = '\0';
	/* The probe of db_ready() ran when the request started; between the
	 * statements of one request a plain status check is enough. */
	if (!(db->up && PQstatus(db->conn) == CONNECTION_OK) && db_ready(db) == -1) {
		snprintf(db->sqlstate, sizeof(db->sqlstate), "08006");
		return NULL;
	}
	if (lengths != NULL) {
		if (stmt->nparams > DB_MAX_PARAMS)
			fatalx("database: \"%s\" has too many parameters", stmt->name);
		for (i = 0; i < stmt->nparams; i++)
			formats[i] = lengths[i] >= 0;
	}
	for (i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == stmt)
			break;
	if (i == db->nprepared && prepare) {
		if (db->nprepared == DB_MAX_PREPARED)
			fatalx("database: more than %d statements", DB_MAX_PREPARED);
		prepared = true;
	}
	db->begin_pending = false;
	sent = PQenterPipelineMode(db->conn) &&
	       (!began || PQsendQueryParams(db->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0)) &&
	       (!prepared || PQsendPrepare(db->conn, stmt->name, stmt->sql, stmt->nparams, NULL)) &&
	       (prepare ? PQsendQueryPrepared(db->conn, stmt->name, stmt->nparams, params, lengths,
					      lengths != NULL ? formats : NULL, binary_result)
			: PQsendQueryParams(db->conn, stmt->sql, stmt->nparams, NULL, params, lengths,
					    lengths != NULL ? formats : NULL, binary_result)) &&
	       PQpipelineSync(db->conn);
	if (!sent) {
		/* The connection is gone, or in a state to start afresh from. */
		db_fail(db, stmt, NULL);
		db_disconnect(db);
		return NULL;
	}
	/* The steps: BEGIN if any, PREPARE if any, the statement. */
	res = db_pipeline_results(db, stmt, 1 + (began ? 1 : 0) + (prepared ? 1 : 0),
				  prepared ? (began ? 1 : 0) : -1, &prepare_ok);
	if (prepare_ok && db->up)	/* not on a connection given up meanwhile */
		db->prepared[db->nprepared++] = stmt;
	return res;
}

static PGresult *
db_run(struct db *db, const struct db_stmt *stmt, const char *const *params)
{
	return db_run_with(db, stmt, params, NULL, false, true);
}

int64_t
db_exec_binary(struct db *db, const struct db_stmt *stmt, const char *const *params,
	       const int *lengths)
{
	PGresult *res;
	int64_t n;

	if ((res = db_run_with(db, stmt, params, lengths, false, true)) == NULL)
		return -1;
	n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return n;
}

int
db_query_bytes(struct db *db, const struct db_stmt *stmt, const char *const *params,
	       char *out, size_t max, size_t *len)
{
	PGresult *res;
	size_t n;

	if ((res = db_run_with(db, stmt, params, NULL, true, true)) == NULL)
		return -1;
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return 0;
	}
	n = (size_t)PQgetlength(res, 0, 0);
	if (n > max) {
		log_warnx("database: \"%s\" returned %zu bytes, more than %zu", stmt->name, n, max);
		PQclear(res);
		return -1;
	}
	memcpy(out, PQgetvalue(res, 0, 0), n);
	*len = n;
	PQclear(res);
	return 1;
}

/* The rows of res copied into arena; res is cleared. */
static struct db_res *
db_copy_rows(struct arena *arena, PGresult *res)
{
	struct db_res *out;

	out = arena_alloc(arena, sizeof(*out));
	out->nrows = PQntuples(res);
	out->ncols = PQnfields(res);
	out->affected = strtoll(PQcmdTuples(res), NULL, 10);
	out->cells = arena_calloc(arena, (size_t)out->nrows * (size_t)out->ncols,
				  sizeof(*out->cells));
	for (int r = 0; r < out->nrows; r++)
		for (int c = 0; c < out->ncols; c++)
			if (!PQgetisnull(res, r, c))
				out->cells[r * out->ncols + c] = arena_strndup(arena,
				    PQgetvalue(res, r, c), (size_t)PQgetlength(res, r, c));
	PQclear(res);
	return out;
}

struct db_res *
db_query(struct db *db, struct arena *arena, const struct db_stmt *stmt,
	 const char *const *params)
{
	PGresult *res = db_run(db, stmt, params);

	return res != NULL ? db_copy_rows(arena, res) : NULL;
}

struct db_res *
db_query_planned(struct db *db, struct arena *arena, const struct db_stmt *stmt,
		 const char *const *params)
{
	PGresult *res = db_run_with(db, stmt, params, NULL, false, false);

	return res != NULL ? db_copy_rows(arena, res) : NULL;
}

int64_t
db_exec(struct db *db, const struct db_stmt *stmt, const char *const *params)
{
	PGresult *res;
	int64_t n;

	if ((res = db_run(db, stmt, params)) == NULL)
		return -1;
	n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return n;
}

int64_t
db_query_int(struct db *db, const struct db_stmt *stmt, const char *const *params)
{
	PGresult *res;
	int64_t v;

	if ((res = db_run(db, stmt, params)) == NULL)
		return -1;
	v = PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return v;
}

int
db_script(struct db *db, const char *sql)
{
	PGresult *res;
	int rc = -1;

	db->sqlstate[0] = '\0';
	if (!(db->up && PQstatus(db->conn) == CONNECTION_OK) && db_ready(db) == -1)
		return -1;
	if (db->begin_pending) {
		db->begin_pending = false;
		if (db_script(db, "BEGIN") == -1)
			return -1;
	}
	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK)
		rc = 0;
	else
		db_fail(db, NULL, res);
	PQclear(res);
	return rc;
}



static const struct db_stmt db_ping_stmt = { "db_ping", "SELECT 1", 0 };

int
db_ping(struct db *db)
{
	return db_exec(db, &db_ping_stmt, NULL) < 0 ? -1 : 0;
}

/* BEGIN goes with the transaction's first statement (db_run_with()). */
int
db_begin(struct db *db)
{
	db->sqlstate[0] = '\0';
	if (!(db->up && PQstatus(db->conn) == CONNECTION_OK) && db_ready(db) == -1)
		return -1;
	db->begin_pending = true;
	return 0;
}

int
db_commit(struct db *db)
{
	PGresult *res;
	int rc = -1;

	if (db->begin_pending) {
		db->begin_pending = false;	/* nothing ran: nothing to commit */
		return 0;
	}
	if (db->conn == NULL || !db->up)
		return -1;
	res = PQexec(db->conn, "COMMIT");
	/* COMMIT of a transaction in which a statement failed "succeeds" as
	 * a ROLLBACK: only the COMMIT tag means the work is saved. */
	if (PQresultStatus(res) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(res), "COMMIT") == 0)
		rc = 0;
	else if (PQresultStatus(res) != PGRES_COMMAND_OK)
		db_fail(db, NULL, res);
	else
		log_warnx("database: COMMIT rolled back a failed transaction");
	PQclear(res);
	/* Committed, rolled back, or of unknown fate (a lost connection): the
	 * generation moves on in every case, so copies of accounts are dropped
	 * needlessly at worst, never kept wrongly. */
	if (db->accounts_changed)
		atomic_fetch_add(&db_accounts_gen, 1);
	db->accounts_changed = false;
	return rc;
}

void
db_rollback(struct db *db)
{
	PGresult *res;

	db->accounts_changed = false;
	db->begin_pending = false;
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return;
	if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
		return;
	res = PQexec(db->conn, "ROLLBACK");
	PQclear(res);
}

const char *
db_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

size_t
db_res_size(const struct db_res *res)
{
	size_t n = (size_t)res->nrows * (size_t)res->ncols, size = sizeof(*res) + n * sizeof(char *);

	for (size_t i = 0; i < n; i++)
		if (res->cells[i] != NULL)
			size += strlen(res->cells[i]) + 1;
	return size;
}

struct db_res *
db_res_copy(void *dst, const struct db_res *res)
{
	size_t n = (size_t)res->nrows * (size_t)res->ncols;
	struct db_res *out = dst;
	const char **cells = (const char **)(out + 1);
	char *text = (char *)(cells + n);

	*out = *res;
	out->cells = cells;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		if (res->cells[i] == NULL) {
			cells[i] = NULL;
			continue;
		}
		len = strlen(res->cells[i]) + 1;
		memcpy(text, res->cells[i], len);
		cells[i] = text;
		text += len;
	}
	return out;
}

const char *
db_get(const struct db_res *res, int row, int col)
{
	if (row < 0 || row >= res->nrows || col < 0 || col >= res->ncols)
		fatalx("db_get: cell %d,%d outside %dx%d", row, col, res->nrows, res->ncols);
	return res->cells[row * res->ncols + col];
}

int64_t
db_get_int(const struct db_res *res, int row, int col)
{
	const char *s = db_get(res, row, col);

	return s ? strtoll(s, NULL, 10) : 0;
}

bool
db_get_bool(const struct db_res *res, int row, int col)
{
	const char *s = db_get(res, row, col);

	return s != NULL && s[0] == 't';
}

const char *
db_int_param(char out[DB_INT_LEN], int64_t v)
{
	snprintf(out, DB_INT_LEN, "%lld", (long long)v);
	return out;
}

void
db_stats(int *open, int *up)
{
	*open = atomic_load(&db_open_count);
	*up = atomic_load(&db_up_count);
}

#define DB_STREAM_MAX_COLS 64

struct db_stream {
	PGconn *conn;
	PGresult *row;		/* the row handed out last */
	const char *cells[DB_STREAM_MAX_COLS];
	const char *name;	/* the statement's, for logs */
	bool done;
};

static atomic_int db_streams;

struct db_stream *
db_stream_open(const char *conninfo, const struct db_stmt *stmt, const char *const *params,
	       bool *busy)
{
	struct db_stream *s;

	*busy = false;
	if (atomic_fetch_add(&db_streams, 1) >= DB_STREAMS_MAX) {
		atomic_fetch_sub(&db_streams, 1);
		*busy = true;
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		log_oom(sizeof(*s));
	s->name = stmt->name;
	s->conn = db_connect(conninfo, DB_STREAM_OPTIONS);
	if (PQstatus(s->conn) != CONNECTION_OK ||
	    !PQsendQueryParams(s->conn, stmt->sql, stmt->nparams, NULL, params, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(s->conn)) {
		log_warnx("database: stream \"%s\": %s", stmt->name, PQerrorMessage(s->conn));
		db_stream_close(s);
		s = NULL;
	}
	return s;
}

int
db_stream_next(struct db_stream *s, const char *const **cells, int *ncols)
{
	PGresult *res;
	int n;

	PQclear(s->row);
	s->row = NULL;
	if (s->done)
		return 0;
	res = PQgetResult(s->conn);
	switch (PQresultStatus(res)) {
	case PGRES_SINGLE_TUPLE:
		n = PQnfields(res);
		if (n > DB_STREAM_MAX_COLS)
			fatalx("database: stream \"%s\" has %d columns", s->name, n);
		for (int c = 0; c < n; c++)
			s->cells[c] = PQgetisnull(res, 0, c) ? NULL : PQgetvalue(res, 0, c);
		s->row = res;
		*cells = s->cells;
		*ncols = n;
		return 1;
	case PGRES_TUPLES_OK:	/* the end, an empty result closing the rows */
		PQclear(res);
		while ((res = PQgetResult(s->conn)) != NULL)
			PQclear(res);
		s->done = true;
		return 0;
	default:
		log_warnx("database: stream \"%s\" failed: %s", s->name,
			  res ? PQresultErrorMessage(res) : PQerrorMessage(s->conn));
		PQclear(res);
		s->done = true;
		return -1;
	}
}

void
db_stream_close(struct db_stream *s)
{
	if (s == NULL)
		return;
	PQclear(s->row);
	if (!s->done && PQstatus(s->conn) == CONNECTION_OK) {
		/* A client that went away mid-export: stop the server's work
		 * rather than read the rest. */
		PGcancel *cancel = PQgetCancel(s->conn);
		char err[256];
		if (cancel != NULL) {
			PQcancel(cancel, err, sizeof(err));
			PQfreeCancel(cancel);
		}
	}
	PQfinish(s->conn);
	free(s);
	atomic_fetch_sub(&db_streams, 1);
}
