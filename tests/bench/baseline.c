/*
 * baseline.c - the bare libmicrohttpd server the portal is measured against.
 *
 *   baseline static PORT            a fixed 2 KB HTML page
 *   baseline query PORT CONNINFO    the same page plus one prepared
 *                                   PostgreSQL query per request
 *   baseline file PORT PATH         the bytes of the file at PATH
 *
 * It is what a hand-written server does at best on this machine, set up
 * the way SETUP-NOTES found fastest: epoll with one internal thread per
 * core, the response queued on the second access-handler call (queueing on
 * the first makes MHD 0.9.75 drop keep-alive), and one connection per pool
 * thread with the statement prepared once.  Every path answers with the
 * page (the file in file mode).  SIGINT or SIGTERM stops it.
 *
 * File mode is the fastest honest way to serve a file: each response opens
 * the file, and MHD sends it from that descriptor with sendfile(2), never
 * copying the bytes through user space (the portal's download scenario G
 * is measured against it).
 */
#include "compat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <microhttpd.h>

#define PAGE_SIZE 2048
#define MAX_CONNS 256

static const char page_head[] =
	"<!doctype html>\n<html lang=\"it\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<title>Baseline</title>\n</head>\n<body>\n<main>\n<h1>Baseline</h1>\n";
static const char page_filler[] =
	"<p>Pagina di prova del server di riferimento: contenuto fisso.</p>\n";
static const char page_tail[] = "</main>\n</body>\n</html>\n";

/* Built once in main, read-only afterwards: shared by all threads. */
static char page[PAGE_SIZE + 1];
static size_t page_head_len;
static struct MHD_Response *static_resp;
static struct MHD_Response *error_resp;

static const char *conninfo;
static const char *file_path;	/* file mode: the file served */
static const char stmt_name[] = "now";
static const char stmt_sql[] = "SELECT now()";

/* Each pool thread's own connection; MHD never moves a connection between
 * threads, so no locking is needed around it. */
static _Thread_local PGconn *tl_conn;

/* Every connection ever opened, to close them at exit. */
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static PGconn *conns[MAX_CONNS];
static size_t nconns;

/* A marker stored in req_cls on the first handler call. */
static int first_call_seen;

/* The handler's cls: which page to build (NULL is the static page). */
enum mode { MODE_STATIC, MODE_QUERY, MODE_FILE };
static const enum mode mode_query = MODE_QUERY, mode_file = MODE_FILE;

/*
 * Fills page[] with exactly PAGE_SIZE bytes: head, filler paragraphs, then
 * spaces inside a comment and the tail.  page_head_len is where query mode
 * inserts its value.
 */
static void
page_build(void)
{
	size_t len = 0, tail = sizeof(page_tail) - 1;
	size_t fill = sizeof(page_filler) - 1;
	static const char pad_open[] = "<!--", pad_close[] = "-->\n";
	size_t pad_fixed = sizeof(pad_open) - 1 + sizeof(pad_close) - 1;

	memcpy(page, page_head, sizeof(page_head) - 1);
	len = page_head_len = sizeof(page_head) - 1;
	while (len + fill + pad_fixed + tail <= PAGE_SIZE) {
		memcpy(page + len, page_filler, fill);
		len += fill;
	}
	memcpy(page + len, pad_open, sizeof(pad_open) - 1);
	len += sizeof(pad_open) - 1;
	memset(page + len, ' ', PAGE_SIZE - len - (sizeof(pad_close) - 1) - tail);
	len = PAGE_SIZE - (sizeof(pad_close) - 1) - tail;
	memcpy(page + len, pad_close, sizeof(pad_close) - 1);
	len += sizeof(pad_close) - 1;
	memcpy(page + len, page_tail, tail);
	page[PAGE_SIZE] = '\0';
}

/*
 * Returns this thread's connection with the statement prepared, opening it
 * on first use and resetting it when the server went away; NULL on error
 * (logged).  The connection is owned by the registry and closed in main.
 */
static PGconn *
conn_get(void)
{
	PGresult *res = NULL;
	PGconn *conn = NULL;

	if (tl_conn != NULL && PQstatus(tl_conn) == CONNECTION_OK)
		return tl_conn;
	if (tl_conn != NULL) {
		/* Prepared statements die with the session: prepare again. */
		PQreset(tl_conn);
		conn = tl_conn;
	} else {
		pthread_mutex_lock(&conns_lock);
		if (nconns == MAX_CONNS) {
			pthread_mutex_unlock(&conns_lock);
			fprintf(stderr, "baseline: more than %d connections\n", MAX_CONNS);
			return NULL;
		}
		conn = PQconnectdb(conninfo);
		conns[nconns++] = conn;
		pthread_mutex_unlock(&conns_lock);
		if (conn == NULL) {
			fprintf(stderr, "baseline: out of memory\n");
			abort();
		}
		tl_conn = conn;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "baseline: connect: %s", PQerrorMessage(conn));
		conn = NULL;
		goto out;
	}
	res = PQprepare(conn, stmt_name, stmt_sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "baseline: prepare: %s", PQerrorMessage(conn));
		conn = NULL;
		goto out;
	}
out:
	PQclear(res);
	return conn;
}

/*
 * Runs the prepared query and returns a new response with its value in the
 * page, or NULL on error (logged).  The caller destroys the response.
 */
static struct MHD_Response *
query_response(void)
{
	char body[PAGE_SIZE + 128];
	struct MHD_Response *resp = NULL;
	PGresult *res = NULL;
	PGconn *conn;
	int n;

	if ((conn = conn_get()) == NULL)
		goto out;
	res = PQexecPrepared(conn, stmt_name, 0, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(stderr, "baseline: query: %s", PQerrorMessage(conn));
		goto out;
	}
	/* A timestamp from the server: digits and punctuation, no escaping. */
	n = snprintf(body, sizeof(body), "%.*s<p>%s</p>\n%s", (int)page_head_len,
	    page, PQgetvalue(res, 0, 0), page + page_head_len);
	if (n < 0 || (size_t)n >= sizeof(body)) {
		fprintf(stderr, "baseline: page too long\n");
		goto out;
	}
	resp = MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		goto out;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/html; charset=utf-8");
out:
	PQclear(res);
	return resp;
}

/*
 * Returns a new response with the bytes of file_path, sent from a
 * descriptor of its own (the response owns and closes it), or NULL on error
 * (logged).  The caller destroys the response.
 */
static struct MHD_Response *
file_response(void)
{
	struct MHD_Response *resp = NULL;
	struct stat st;
	int fd;

	if ((fd = open(file_path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "baseline: %s: %s\n", file_path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "baseline: %s: not a readable file\n", file_path);
		goto out;
	}
	resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
	if (resp == NULL) {
		fprintf(stderr, "baseline: cannot create the file response\n");
		goto out;
	}
	fd = -1;	/* the response's now */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/pdf");
out:
	if (fd != -1)
		close(fd);
	return resp;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	const enum mode *m = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	(void)url, (void)method, (void)version, (void)upload_data;
	if (*req_cls == NULL) {
		/* See the file comment: queueing now would cost keep-alive. */
		*req_cls = &first_call_seen;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		/* A body is ignored: the page is the same. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (m == NULL)
		return MHD_queue_response(c, MHD_HTTP_OK, static_resp);
	resp = *m == MODE_FILE ? file_response() : query_response();
	if (resp == NULL)
		return MHD_queue_response(c, MHD_HTTP_INTERNAL_SERVER_ERROR, error_resp);
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static int
parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: baseline static PORT | baseline query PORT CONNINFO | "
	    "baseline file PORT PATH\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const enum mode *m = NULL;
	struct MHD_Daemon *d = NULL;
	struct sockaddr_in sa;
	sigset_t sigs;
	long ncpu;
	uint16_t port;
	int sig, rc = 1;
	size_t i;

	if (argc == 3 && strcmp(argv[1], "static") == 0) {
		m = NULL;
	} else if (argc == 4 && strcmp(argv[1], "query") == 0) {
		m = &mode_query;
		conninfo = argv[3];
	} else if (argc == 4 && strcmp(argv[1], "file") == 0) {
		m = &mode_file;
		file_path = argv[3];
	} else {
		usage();
	}
	if (parse_port(argv[2], &port) == -1)
		usage();

	page_build();
	static_resp = MHD_create_response_from_buffer(PAGE_SIZE, page,
	    MHD_RESPMEM_PERSISTENT);
	error_resp = MHD_create_response_from_buffer(sizeof("error\n") - 1,
	    (void *)(uintptr_t)"error\n", MHD_RESPMEM_PERSISTENT);
	if (static_resp == NULL || error_resp == NULL) {
		fprintf(stderr, "baseline: cannot create responses\n");
		goto out;
	}
	MHD_add_response_header(static_resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/html; charset=utf-8");
	if (m != NULL && *m == MODE_FILE) {
		/* A missing file fails now, not as 500s counted in a benchmark. */
		struct MHD_Response *probe = file_response();
		if (probe == NULL)
			goto out;
		MHD_destroy_response(probe);
	}

	/* Block the stop signals before MHD starts its threads, so that they
	 * inherit the mask and sigwait() below receives them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1 || ncpu > 64)
		ncpu = ncpu < 1 ? 1 : 64;

	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG,
	    port, NULL, NULL, on_request, (void *)(uintptr_t)m,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)ncpu,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "baseline: cannot listen on 127.0.0.1:%u\n", port);
		goto out;
	}
	fprintf(stderr, "baseline: %s mode on 127.0.0.1:%u, %ld threads\n",
	    m == NULL ? "static" : *m == MODE_QUERY ? "query" : "file", port, ncpu);

	if (sigwait(&sigs, &sig) != 0)
		goto out;
	rc = 0;
out:
	if (d != NULL)
		MHD_stop_daemon(d);
	for (i = 0; i < nconns; i++)
		PQfinish(conns[i]);
	if (static_resp != NULL)
		MHD_destroy_response(static_resp);
	if (error_resp != NULL)
		MHD_destroy_response(error_resp);
	return rc;
}
