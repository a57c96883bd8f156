/*
 * dlload.c - the load client of the download scenario of make bench (G).
 *
 *   dlload [-c N] [-d SECONDS] [-H HEADER]... URL
 *	N clients (default 8), each on its own keep-alive connection and
 *	thread, GET URL one after the other for SECONDS (default 10); -H
 *	adds a request header ("Cookie: ..."), up to 16 of them.  URL is
 *	http://IPv4:PORT/path.
 *
 * Why not wrk: wrk reads bodies 8 KiB at a time into user space, and on
 * this 2-CPU machine that copy took a whole CPU, which the servers then
 * shared: the client set the speed.  Here each body is read with
 * recv(MSG_TRUNC), which on TCP drops the bytes in the kernel without the
 * copy, so the client costs about one system call per socket buffer.
 *
 * Prints one line for run.sh:
 *   DOWNLOAD requests=N bytes=N duration_s=S bps=B p50_ms=A p99_ms=B
 *            connect=N read=N write=N timeout=N status=N
 * requests: complete responses; bytes: body bytes received by the end of
 * the run, partial bodies included, so bps is exact whatever the body size;
 * p50/p99: time of one whole download; status: answers other than 200 or
 * without a Content-Length (chunked bodies are not read); the other error
 * counts are socket errors by phase (timeout: 60 s without a byte).
 * Exit status 0 when the run went through (errors are counted), 1 when it
 * could not run.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define DL_CLIENTS_MAX 256
#define DL_HEADERS_MAX 16
#define DL_REQUEST_MAX 8192
#define DL_HEAD_MAX 16384	/* a response's status line and headers */
#define DL_TIMEOUT_S 60
#define DL_DRAIN ((size_t)1 << 20)	/* most bytes one recv() takes */

/* Shared by all clients, read-only once they run. */
static struct sockaddr_in dl_addr;
static char dl_request[DL_REQUEST_MAX];
static size_t dl_request_len;
static double dl_deadline;		/* CLOCK_MONOTONIC seconds */
static char dl_authority[80];		/* HOST:PORT, the Host header */

/* One client: its counts and the duration of each complete download. */
struct dl_client {
	pthread_t thread;
	uint64_t requests, bytes;
	uint64_t err_connect, err_read, err_write, err_timeout, err_status;
	double *ms;
	size_t nms, capms;
	char *drain;	/* DL_DRAIN bytes that recv(MSG_TRUNC) is given, never filled */
};

static double
dl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
dl_oom(void)
{
	fprintf(stderr, "dlload: out of memory\n");
	abort();
}

/* A new connection to dl_addr, or -1 (counted by the caller). */
static int
dl_connect(void)
{
	struct timeval tv = { DL_TIMEOUT_S, 0 };
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1 ||
	    connect(fd, (const struct sockaddr *)&dl_addr, sizeof(dl_addr)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
dl_write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Counts a failed read as a timeout or a read error. */
static void
dl_read_failed(struct dl_client *c, ssize_t n)
{
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		c->err_timeout++;
	else
		c->err_read++;
}

/*
 * The status and Content-Length of the head in h (NUL-terminated, ending
 * at the blank line): 0, or -1 when there is no Content-Length.
 */
static int
dl_parse_head(const char *h, int *status, uint64_t *length)
{
	const char *p;
	char *end;

	if (strncmp(h, "HTTP/1.", 7) != 0 || strlen(h) < 12)
		return -1;
	*status = atoi(h + 9);
	for (p = strstr(h, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, "Content-Length:", 15) == 0) {
			errno = 0;
			unsigned long long v = strtoull(p + 17, &end, 10);
			if (errno != 0 || end == p + 17)
				return -1;
			*length = v;
			return 0;
		}
	}
	return -1;
}

static void
dl_record(struct dl_client *c, double ms)
{
	if (c->nms == c->capms) {
		size_t cap = c->capms ? 2 * c->capms : 256;
		double *m = realloc(c->ms, cap * sizeof(*m));
		if (m == NULL)
			dl_oom();
		c->ms = m;
		c->capms = cap;
	}
	c->ms[c->nms++] = ms;
}

/*
 * One download on fd: 1 when complete and the connection may serve the
 * next, 0 when the run ended meanwhile, -1 on an error (counted; the
 * caller closes the connection), -2 when a connection that served a
 * download before was closed without answering (a server may close an
 * idle keep-alive connection: not counted, the caller connects again).
 */
static int
dl_one(struct dl_client *c, int fd, bool reused)
{
	char head[DL_HEAD_MAX + 1];
	size_t len = 0;
	double start = dl_now();
	uint64_t length, left;
	char *eoh = NULL;
	ssize_t n;
	int status;

	if (dl_write_all(fd, dl_request, dl_request_len) == -1) {
		c->err_write++;
		return -1;
	}
	/* The head, and whatever part of the body came with it. */
	while (eoh == NULL) {
		if (len == DL_HEAD_MAX) {
			c->err_status++;
			return -1;
		}
		n = recv(fd, head + len, DL_HEAD_MAX - len, 0);
		if (n == 0 && len == 0 && reused)
			return -2;
		if (n <= 0) {
			dl_read_failed(c, n);
			return -1;
		}
		len += (size_t)n;
		head[len] = '\0';
		eoh = strstr(head, "\r\n\r\n");
	}
	eoh[2] = '\0';
	if (dl_parse_head(head, &status, &length) == -1 || status != 200) {
		c->err_status++;
		return -1;
	}
	left = length;
	len -= (size_t)(eoh + 4 - head);
	if (len > left) {		/* bytes past the body: not HTTP/1.1 as sent */
		c->err_status++;
		return -1;
	}
	left -= len;
	c->bytes += len;
	while (left > 0) {
		if (dl_now() >= dl_deadline)
			return 0;
		/* MSG_TRUNC: the kernel drops the bytes, nothing is copied (the
		 * buffer is one that could hold them, for the sanitizers). */
		n = recv(fd, c->drain, left > DL_DRAIN ? DL_DRAIN : (size_t)left, MSG_TRUNC);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			dl_read_failed(c, n);
			return -1;
		}
		left -= (uint64_t)n;
		c->bytes += (uint64_t)n;
	}
	c->requests++;
	dl_record(c, (dl_now() - start) * 1000);
	return 1;
}

static void *
dl_client_run(void *arg)
{
	struct dl_client *c = arg;
	int fd = -1, rc;
	bool reused = false;

	if ((c->drain = malloc(DL_DRAIN)) == NULL)
		dl_oom();
	while (dl_now() < dl_deadline) {
		if (fd == -1 && (fd = dl_connect()) == -1) {
			c->err_connect++;
			usleep(10000);
			continue;
		}
		if ((rc = dl_one(c, fd, reused)) == 1) {
			reused = true;
		} else {
			close(fd);
			fd = -1;
			reused = false;
			if (rc == 0)
				break;
		}
	}
	if (fd != -1)
		close(fd);
	free(c->drain);
	c->drain = NULL;
	return NULL;
}

static int
dl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile (nearest rank) of the n sorted values, 0 if none. */
static double
dl_percentile(const double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)((double)n * p / 100);
	if ((double)i < (double)n * p / 100)
		i++;
	return v[i == 0 ? 0 : i - 1];
}

/* Sets dl_addr, dl_authority and the path of URL (http://IPv4:PORT/path); 0 or -1. */
static int
dl_parse_url(const char *url, const char **path)
{
	char host[64];
	const char *h = url + 7, *colon, *slash;
	long port;
	char *end;

	if (strncmp(url, "http://", 7) != 0 || (colon = strchr(h, ':')) == NULL ||
	    (size_t)(colon - h) >= sizeof(host))
		return -1;
	memcpy(host, h, (size_t)(colon - h));
	host[colon - h] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || port < 1 || port > 65535 || (*end != '/' && *end != '\0'))
		return -1;
	slash = *end == '/' ? end : "/";
	if ((size_t)(end - h) >= sizeof(dl_authority))
		return -1;
	memcpy(dl_authority, h, (size_t)(end - h));
	dl_authority[end - h] = '\0';
	memset(&dl_addr, 0, sizeof(dl_addr));
	dl_addr.sin_family = AF_INET;
	dl_addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &dl_addr.sin_addr) != 1)
		return -1;
	*path = slash;
	return 0;
}

static void
dl_usage(void)
{
	fprintf(stderr, "usage: dlload [-c N] [-d SECONDS] [-H HEADER]... URL\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	const char *headers[DL_HEADERS_MAX], *path;
	struct dl_client *clients = NULL;
	size_t nheaders = 0, total_ms = 0, k;
	uint64_t requests = 0, bytes = 0, e_connect = 0, e_read = 0, e_write = 0, e_timeout = 0,
		 e_status = 0;
	double secs = 10, start, took, *ms = NULL;
	long nclients = 8;
	char *end;
	int opt, n, rc = 1;

	while ((opt = getopt(argc, argv, "c:d:H:")) != -1) {
		switch (opt) {
		case 'c':
			nclients = strtol(optarg, &end, 10);
			if (*end != '\0' || nclients < 1 || nclients > DL_CLIENTS_MAX)
				dl_usage();
			break;
		case 'd':
			secs = strtod(optarg, &end);
			if (*end != '\0' || !(secs > 0 && secs <= 86400))
				dl_usage();
			break;
		case 'H':
			if (nheaders == DL_HEADERS_MAX || strpbrk(optarg, "\r\n") != NULL)
				dl_usage();
			headers[nheaders++] = optarg;
			break;
		default:
			dl_usage();
		}
	}
	if (optind != argc - 1 || dl_parse_url(argv[optind], &path) == -1)
		dl_usage();

	n = snprintf(dl_request, sizeof(dl_request), "GET %s HTTP/1.1\r\nHost: %s\r\n"
		     "User-Agent: dlload\r\nAccept: */*\r\n", path, dl_authority);
	for (k = 0; k < nheaders && n > 0 && (size_t)n < sizeof(dl_request); k++)
		n += snprintf(dl_request + n, sizeof(dl_request) - (size_t)n, "%s\r\n", headers[k]);
	if (n > 0 && (size_t)n < sizeof(dl_request))
		n += snprintf(dl_request + n, sizeof(dl_request) - (size_t)n, "\r\n");
	if (n <= 0 || (size_t)n >= sizeof(dl_request)) {
		fprintf(stderr, "dlload: the request is longer than %d bytes\n", DL_REQUEST_MAX);
		goto out;
	}
	dl_request_len = (size_t)n;

	if ((clients = calloc((size_t)nclients, sizeof(*clients))) == NULL)
		dl_oom();
	start = dl_now();
	dl_deadline = start + secs;
	for (long i = 0; i < nclients; i++)
		if (pthread_create(&clients[i].thread, NULL, dl_client_run, &clients[i]) != 0) {
			fprintf(stderr, "dlload: cannot start a client thread\n");
			abort();
		}
	for (long i = 0; i < nclients; i++)
		pthread_join(clients[i].thread, NULL);
	took = dl_now() - start;

	for (long i = 0; i < nclients; i++)
		total_ms += clients[i].nms;
	if ((ms = malloc((total_ms + 1) * sizeof(*ms))) == NULL)
		dl_oom();
	total_ms = 0;
	for (long i = 0; i < nclients; i++) {
		struct dl_client *c = &clients[i];
		requests += c->requests;
		bytes += c->bytes;
		e_connect += c->err_connect;
		e_read += c->err_read;
		e_write += c->err_write;
		e_timeout += c->err_timeout;
		e_status += c->err_status;
		if (c->nms > 0)
			memcpy(ms + total_ms, c->ms, c->nms * sizeof(*ms));
		total_ms += c->nms;
	}
	qsort(ms, total_ms, sizeof(*ms), dl_cmp);
	printf("DOWNLOAD requests=%llu bytes=%llu duration_s=%.3f bps=%.0f p50_ms=%.1f p99_ms=%.1f "
	       "connect=%llu read=%llu write=%llu timeout=%llu status=%llu\n",
	       (unsigned long long)requests, (unsigned long long)bytes, took, (double)bytes / took,
	       dl_percentile(ms, total_ms, 50), dl_percentile(ms, total_ms, 99),
	       (unsigned long long)e_connect, (unsigned long long)e_read,
	       (unsigned long long)e_write, (unsigned long long)e_timeout,
	       (unsigned long long)e_status);
	rc = 0;
out:
	if (clients != NULL)
		for (long i = 0; i < nclients; i++)
			free(clients[i].ms);
	free(clients);
	free(ms);
	return rc;
}
