/*
 * http.c - libmicrohttpd glue (see http.h).
 *
 * A request's way through MHD:
 *  1. first call: allocate struct request and its arena, store it in
 *     req_cls, check Content-Length against the body limit.  Nothing is
 *     queued on this call (MHD 0.9.75 drops keep-alive if we do) except
 *     when a declared body will not be read: over the limit (413), or
 *     sent to no route (404, 405).
 *  2. body calls: urlencoded and multipart bodies go through MHD's post
 *     processor into http_param entries; JSON bodies are collected raw.
 *     Limits (body size, field count, field size) are checked as the
 *     bytes arrive; past one, the rest is drained and the error answered
 *     at the end, since MHD takes no response while a body arrives.
 *  3. last call: request_run() routes, authorises, validates and runs the
 *     handler; the response is queued.  A handler that defers its answer
 *     (request_defer()) has its connection suspended instead, and its work
 *     handed to another thread, whose http_wake() resumes the connection;
 *     MHD then calls http_access() once more and the answer is queued.
 *  4. completion: access log, metrics, the arena is freed.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <sodium.h>

#include "blob.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "request_run.h"
#include "router.h"
#include "session.h"

/* Per-request state only http.c sees; req->conn points here. */
struct http_conn {
	struct MHD_Connection *mhd;
	struct MHD_PostProcessor *pp;
	struct http_param *params, *params_tail;
	size_t tail_cap;	/* bytes allocated for params_tail->value */
	int nparams;
	size_t body_bytes;
	struct buf json_body;
	int early_status;	/* 413/400 decided while reading the body */
	const char *early_message;
	struct blob_upload *upload;	/* the file part being stored (ROUTE_UPLOAD) */
	bool had_file;		/* a file part arrived (only one is taken) */
	uint64_t file_bytes;	/* of it, delivered so far */
	bool tail_empty;	/* params_tail began with a call that brought no bytes */
	bool done;		/* response queued */
	bool suspended;		/* deferred: waiting for http_wake() */
	uint64_t bytes;		/* body bytes of the response, for the access log */
	uint64_t start_ns;
};

/*
 * What each pool thread keeps between requests: its database connection,
 * a spare arena (so a request usually costs no malloc for it), and the
 * responses of shared static files, built once and queued again and again
 * as libmicrohttpd allows.  Freed by the key's destructor at thread exit.
 */
#define HTTP_CACHE_SLOTS 64

struct http_thread {
	struct db *db;
	struct arena *spare;
	struct {
		const char *key;
		struct MHD_Response *response;
	} cache[HTTP_CACHE_SLOTS];
};

static struct MHD_Daemon *http_daemon;

/*
 * Deferred requests whose connection is suspended and not yet woken, and
 * whether the server is stopping: MHD must not be stopped while a
 * connection is suspended, so http_stop() lets none be suspended any more
 * and waits until every one has been woken.
 */
static atomic_int http_suspended;
static atomic_bool http_stopping;

static const struct config *http_cfg;
static const struct router *http_router;
static pthread_key_t http_thread_key;
static char http_id_prefix[9];
static atomic_uint_fast64_t http_id_counter;

static uint64_t
http_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
http_thread_destroy(void *arg)
{
	struct http_thread *t = arg;

	db_close(t->db);
	arena_free(t->spare);
	for (size_t i = 0; i < HTTP_CACHE_SLOTS; i++)
		if (t->cache[i].response != NULL)
			MHD_destroy_response(t->cache[i].response);
	free(t);
}

static struct http_thread *
http_thread(void)
{
	struct http_thread *t = pthread_getspecific(http_thread_key);

	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			log_oom(sizeof(*t));
		pthread_setspecific(http_thread_key, t);
	}
	return t;
}

struct db *
http_thread_db(void)
{
	struct http_thread *t = http_thread();

	if (t->db == NULL)
		t->db = db_open(http_cfg->database_url);
	return t->db;
}

static enum http_method
http_method_of(const char *m)
{
	static const struct { const char *name; enum http_method method; } methods[] = {
		{ "GET", METHOD_GET }, { "HEAD", METHOD_HEAD }, { "POST", METHOD_POST },
		{ "PUT", METHOD_PUT }, { "PATCH", METHOD_PATCH }, { "DELETE", METHOD_DELETE },
		{ "OPTIONS", METHOD_OPTIONS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].method;
	return 0;
}

/*
 * The client's address: the peer's, or X-Forwarded-For's last hop when the
 * peer is a trusted proxy.  Also notes whether the peer is this host.
 */
static void
http_client_addr(struct MHD_Connection *c, struct request *req)
{
	const union MHD_ConnectionInfo *ci;
	char addr[INET6_ADDRSTRLEN] = "unknown";
	const char *xff, *last;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET) {
			const struct in_addr *in = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
			inet_ntop(AF_INET, in, addr, sizeof(addr));
			req->peer_local = (ntohl(in->s_addr) >> 24) == 127;
		} else if (sa->sa_family == AF_INET6) {
			const struct in6_addr *in6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
			inet_ntop(AF_INET6, in6, addr, sizeof(addr));
			req->peer_local = IN6_IS_ADDR_LOOPBACK(in6);
		}
	}
	req->client_addr = arena_strdup(req->arena, addr);
	for (char **p = http_cfg->trusted_proxies; p != NULL && *p != NULL; p++) {
		if (strcmp(*p, addr) != 0)
			continue;
		xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
		if (xff == NULL)
			break;
		/* The rightmost entry was added by our proxy; earlier ones are
		 * the client's word and cannot be trusted. */
		last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		while (*last == ' ')
			last++;
		unsigned char bin[16];
		if (inet_pton(AF_INET, last, bin) == 1 || inet_pton(AF_INET6, last, bin) == 1)
			req->client_addr = arena_strdup(req->arena, last);
		break;
	}
}

static void
http_param_add(struct request *req, const char *name, const char *value, size_t len, int source)
{
	struct http_conn *hc = req->conn;
	struct http_param *p = arena_alloc(req->arena, sizeof(*p));

	p->name = arena_strdup(req->arena, name);
	p->value = arena_strndup(req->arena, value ? value : "", len);
	p->len = len;
	p->source = source;
	if (hc->params_tail)
		hc->params_tail->next = p;
	else
		hc->params = p;
	hc->params_tail = p;
	hc->tail_cap = len + 1;
	hc->nparams++;
}

static enum MHD_Result
http_query_iter(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
		const char *value, size_t value_size)
{
	struct request *req = cls;
	struct http_conn *hc = req->conn;

	(void)kind, (void)key_size;
	if (hc->nparams >= http_cfg->max_fields) {
		hc->early_status = 400;
		hc->early_message = "Troppi parametri nella richiesta.";
		return MHD_NO;
	}
	/* The length comes from MHD, so a decoded %00 stays visible and
	 * validation refuses it instead of seeing a shortened string. */
	http_param_add(req, key, value, value ? value_size : 0, FIELD_QUERY);
	return MHD_YES;
}

/*
 * A piece of a file part: on ROUTE_UPLOAD routes (admitted already, see
 * http_access) it streams into blob storage; a refusal is kept for the
 * handler in req->upload_status and the rest of the file is dropped.
 */
static enum MHD_Result
http_file_part(struct request *req, const char *filename, const char *data, uint64_t off,
	       size_t size)
{
	struct http_conn *hc = req->conn;
	int status;

	if (req->route == NULL || !(req->route->flags & ROUTE_UPLOAD)) {
		hc->early_status = 400;
		hc->early_message = "Questa pagina non accetta file.";
		return MHD_NO;
	}
	/* A form's file input left empty sends a part with no name and no bytes. */
	if (filename[0] == '\0')
		return MHD_YES;
	/* MHD may call twice at offset 0 for one part (first with no bytes,
	 * when a boundary could still follow): a new part is an offset 0
	 * after the file's bytes began, or the first file part. */
	if (off == 0 && !(hc->had_file && hc->file_bytes == 0)) {
		if (hc->had_file) {
			hc->early_status = 400;
			hc->early_message = "Si può caricare un solo file alla volta.";
			return MHD_NO;
		}
		hc->had_file = true;
		/* The form's token comes before its file (or in a header): no
		 * byte is stored for a request from another site. */
		if (!req->via_bearer && !session_csrf_ok(req)) {
			hc->early_status = 403;
			hc->early_message = "Il modulo è scaduto o non proviene da questo sito: "
					    "ricarica la pagina e riprova.";
			return MHD_NO;
		}
		req->upload_status = blob_upload_begin(filename, &hc->upload, &req->upload_message);
	}
	hc->file_bytes += size;
	if (hc->upload == NULL || size == 0)
		return MHD_YES;
	if ((status = blob_upload_write(hc->upload, data, size, &req->upload_message)) != 0) {
		req->upload_status = status;
		blob_upload_free(hc->upload);
		hc->upload = NULL;
	}
	return MHD_YES;
}

struct db *
http_upload_db(const struct request *req)
{
	return blob_upload_db(((const struct http_conn *)req->conn)->upload);
}

/*
 * Post processor callback: MHD may deliver one value in several pieces
 * (off > 0), which are appended to the parameter started at off == 0.
 */
static enum MHD_Result
http_post_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
	       const char *content_type, const char *encoding, const char *data,
	       uint64_t off, size_t size)
{
	struct request *req = cls;
	struct http_conn *hc = req->conn;
	struct http_param *p = hc->params_tail;

	(void)kind, (void)content_type, (void)encoding;
	if (filename != NULL)
		return http_file_part(req, filename, data, off, size);
	/* The same value goes on at off > 0, and also at off 0 after a first
	 * call that brought no bytes (MHD makes one when a boundary could
	 * still follow): an empty value followed by more of the same field is
	 * one value. */
	if ((off > 0 || hc->tail_empty) && p != NULL && p->source == FIELD_BODY &&
	    strcmp(p->name, key) == 0) {
		hc->tail_empty = false;
		if (p->len + size > http_cfg->field_limit) {
			hc->early_status = 413;
			hc->early_message = "Un campo del modulo è troppo lungo.";
			return MHD_NO;
		}
		/* A value arriving a few bytes at a time grows geometrically,
		 * so copying it costs O(n) in all, not O(n^2). */
		char *v = (char *)(uintptr_t)p->value;
		if (p->len + size + 1 > hc->tail_cap) {
			size_t cap = hc->tail_cap * 2;
			if (cap < p->len + size + 1)
				cap = p->len + size + 1;
			if (cap > http_cfg->field_limit + 1)
				cap = http_cfg->field_limit + 1;
			v = arena_alloc(req->arena, cap);
			memcpy(v, p->value, p->len);
			hc->tail_cap = cap;
		}
		memcpy(v + p->len, data, size);
		v[p->len + size] = '\0';
		p->value = v;
		p->len += size;
		return MHD_YES;
	}
	if (hc->nparams >= http_cfg->max_fields) {
		hc->early_status = 400;
		hc->early_message = "Troppi campi nel modulo.";
		return MHD_NO;
	}
	if (size > http_cfg->field_limit) {
		hc->early_status = 413;
		hc->early_message = "Un campo del modulo è troppo lungo.";
		return MHD_NO;
	}
	http_param_add(req, key, data, size, FIELD_BODY);
	hc->tail_empty = size == 0;
	return MHD_YES;
}

const struct http_param *
http_params(const struct request *req)
{
	return ((const struct http_conn *)req->conn)->params;
}

const char *
http_header(const struct request *req, const char *name)
{
	const struct http_conn *hc = req->conn;

	return MHD_lookup_connection_value(hc->mhd, MHD_HEADER_KIND, name);
}

const char *
http_cookie(const struct request *req, const char *name)
{
	const struct http_conn *hc = req->conn;

	return MHD_lookup_connection_value(hc->mhd, MHD_COOKIE_KIND, name);
}

/*
 * "<process prefix>-<counter in hex, at least 6 digits>", formatted by
 * hand: this runs for every request, printf's machinery is not needed.
 */
static const char *
http_request_id(struct arena *arena)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t n = atomic_fetch_add(&http_id_counter, 1);
	char digits[16], *id;
	int k = 0;

	do {
		digits[k++] = hex[n & 15];
		n >>= 4;
	} while (n != 0 || k < 6);
	id = arena_alloc(arena, 8 + 1 + (size_t)k + 1);
	memcpy(id, http_id_prefix, 8);
	id[8] = '-';
	for (int i = 0; i < k; i++)
		id[9 + i] = digits[k - 1 - i];
	id[9 + k] = '\0';
	return id;
}

/* First call: the request and its arena; no response may be queued yet. */
static struct request *
http_request_new(struct MHD_Connection *c, const char *url, const char *method)
{
	struct http_thread *t = http_thread();
	struct arena *arena = t->spare ? t->spare : arena_new();
	struct request *req;

	t->spare = NULL;
	req = arena_alloc(arena, sizeof(*req));
	struct http_conn *hc = arena_alloc(arena, sizeof(*hc));

	req->arena = arena;
	req->conn = hc;
	hc->mhd = c;
	hc->start_ns = http_now_ns();
	buf_init(&hc->json_body, http_cfg->body_limit);
	req->id = http_request_id(arena);
	req->method = http_method_of(method);
	req->method_name = arena_strdup(arena, method);
	req->path = arena_strdup(arena, url);
	http_client_addr(c, req);
	req->status = 500;
	buf_init(&req->body, 0);

	return req;
}

static bool
http_has_body(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl != NULL && strtoull(cl, NULL, 10) > 0) ||
	       MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

/* True if the route for this method and path takes a file. */
static bool
http_takes_upload(struct request *req)
{
	const char *args[REQUEST_MAX_ARGS];
	const struct route *rt;
	unsigned allowed;
	int nargs;

	rt = router_match(http_router, req->arena, req->method, req->path, args, &nargs, &allowed);
	return rt != NULL && (rt->flags & ROUTE_UPLOAD);
}

/* True if no route takes this method on this path. */
static bool
http_unroutable(struct request *req)
{
	const char *args[REQUEST_MAX_ARGS];
	unsigned allowed;
	int nargs;

	return router_match(http_router, req->arena, req->method, req->path, args, &nargs,
			    &allowed) == NULL;
}

static bool
http_is_json(struct MHD_Connection *c)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_TYPE);

	return ct != NULL && strncasecmp(ct, "application/json", 16) == 0;
}

/* The largest body req may send: its form, and a file where one is taken. */
static size_t
http_body_limit(const struct request *req)
{
	if (req->route != NULL && (req->route->flags & ROUTE_UPLOAD))
		return http_cfg->body_limit + http_cfg->upload_limit;
	return http_cfg->body_limit;
}

/* Feeds one body chunk to the post processor or the JSON buffer. */
static void
http_body_chunk(struct request *req, const char *data, size_t size)
{
	struct http_conn *hc = req->conn;

	if (hc->body_bytes > http_body_limit(req)) {
		hc->early_status = 413;
		hc->early_message = "La richiesta è troppo grande.";
		return;
	}
	if (http_is_json(hc->mhd)) {
		buf_add(&hc->json_body, data, size);
		return;
	}
	if (hc->pp == NULL) {
		hc->pp = MHD_create_post_processor(hc->mhd, 16 * 1024, http_post_iter, req);
		if (hc->pp == NULL) {
			hc->early_status = 415;
			hc->early_message = "Formato del corpo della richiesta non supportato.";
			return;
		}
	}
	if (MHD_post_process(hc->pp, data, size) != MHD_YES && hc->early_status == 0) {
		hc->early_status = 400;
		hc->early_message = "Corpo della richiesta non valido.";
	}
}

/*
 * The Content-Security-Policy, built once by http_start(): frame-src lists
 * exactly the players lessons embed (courses/video.h), YouTube's
 * no-cookie domain, Vimeo's player and each configured PeerTube instance
 * (config.c allows host names only, so nothing else can enter the header).
 */
#define HTTP_CSP_HEAD \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
	"font-src 'self' data:; connect-src 'self'; media-src 'self' https:; " \
	"frame-src https://www.youtube-nocookie.com https://player.vimeo.com"
#define HTTP_CSP_TAIL \
	"; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

static char *http_csp;		/* malloc'ed by http_start(), freed by http_stop() */

/* Builds http_csp from the configured PeerTube hosts. */
static void
http_build_csp(const struct config *cfg)
{
	size_t n = sizeof(HTTP_CSP_HEAD HTTP_CSP_TAIL), off;

	for (char **h = cfg->peertube_hosts; h != NULL && *h != NULL; h++)
		n += strlen(" https://") + strlen(*h);
	free(http_csp);
	if ((http_csp = malloc(n)) == NULL)
		log_oom(n);
	off = (size_t)snprintf(http_csp, n, "%s", HTTP_CSP_HEAD);
	for (char **h = cfg->peertube_hosts; h != NULL && *h != NULL; h++)
		off += (size_t)snprintf(http_csp + off, n - off, " https://%s", *h);
	snprintf(http_csp + off, n - off, "%s", HTTP_CSP_TAIL);
}

/* Security headers every response carries (one place, DESIGN.md). */
static void
http_add_common_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy",
		http_csp != NULL ? http_csp : HTTP_CSP_HEAD HTTP_CSP_TAIL);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

/* Slot of a shared response in this thread's cache (open addressing). */
static struct MHD_Response **
http_cache_slot(const char *key, bool *found)
{
	struct http_thread *t = http_thread();
	size_t h = ((uintptr_t)key >> 4) % HTTP_CACHE_SLOTS;

	for (size_t i = 0; i < HTTP_CACHE_SLOTS; i++) {
		size_t j = (h + i) % HTTP_CACHE_SLOTS;
		if (t->cache[j].key == key || t->cache[j].key == NULL) {
			*found = t->cache[j].key == key;
			t->cache[j].key = key;
			return &t->cache[j].response;
		}
	}
	*found = false;
	return NULL;	/* full: build this one per request */
}

#define HTTP_STREAM_BLOCK (64 * 1024)	/* default of struct request_stream's block */

static ssize_t
http_stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct request_stream *st = cls;
	ssize_t n;

	(void)pos;
	n = st->read(st->state, out, max);
	if (n > 0) {
		*st->bytes += (uint64_t)n;
		return n;
	}
	return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void
http_stream_free(void *cls)
{
	struct request_stream *st = cls;

	st->done(st->state);
	free(st);
}

static enum MHD_Result
http_queue(struct request *req)
{
	struct http_conn *hc = req->conn;
	struct MHD_Response *r, **slot = NULL;
	enum MHD_Result ret;
	bool found = false;

	hc->bytes = req->static_body ? req->static_len : req->body.len;
	if (req->shared_response && req->status == 200) {
		slot = http_cache_slot(req->static_body, &found);
		if (found && *slot != NULL) {
			hc->done = true;
			return MHD_queue_response(hc->mhd, MHD_HTTP_OK, *slot);
		}
	}
	if (req->stream != NULL) {
		/* MHD owns the stream from here and frees it once sent. */
		struct request_stream *st = req->stream;
		req->stream = NULL;
		st->bytes = &hc->bytes;
		r = MHD_create_response_from_callback(st->size == REQUEST_STREAM_UNKNOWN
						      ? MHD_SIZE_UNKNOWN : st->size,
						      st->block ? st->block : HTTP_STREAM_BLOCK,
						      http_stream_read, st, http_stream_free);
		if (r == NULL)
			http_stream_free(st);
	} else if (req->static_body != NULL) {
		r = MHD_create_response_from_buffer(req->static_len, (void *)(uintptr_t)req->static_body,
						    MHD_RESPMEM_PERSISTENT);
	} else {
		size_t len;
		char *data = buf_detach(&req->body, &len);
		r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	}
	if (r == NULL)
		return MHD_NO;
	http_add_common_headers(r);
	if (req->content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
	for (const struct response_header *h = req->headers; h != NULL; h = h->next)
		MHD_add_response_header(r, h->name, h->value);
	ret = MHD_queue_response(hc->mhd, (unsigned)req->status, r);
	if (slot != NULL)
		*slot = r;	/* the cache keeps this reference */
	else
		MHD_destroy_response(r);
	hc->done = true;
	return ret;
}

/*
 * Suspends the connection of a request whose handler deferred the answer,
 * then hands its work over: only a suspended connection may be resumed.
 * While the server stops the answer is made at once instead.
 */
static enum MHD_Result
http_defer(struct request *req)
{
	struct http_conn *hc = req->conn;

	/* Counted before the flag is read: http_stop() sets the flag before
	 * it reads the count, so one of the two sees the other. */
	atomic_fetch_add(&http_suspended, 1);
	if (atomic_load(&http_stopping)) {
		atomic_fetch_sub(&http_suspended, 1);
		request_resume(req);
		return http_queue(req);
	}
	hc->suspended = true;
	MHD_suspend_connection(hc->mhd);
	request_hand_off(req);
	return MHD_YES;
}

/* Any thread: hc is read before the resume, after which the request may be gone. */
void
http_wake(struct request *req)
{
	struct http_conn *hc = req->conn;

	MHD_resume_connection(hc->mhd);
	atomic_fetch_sub(&http_suspended, 1);
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	    const char *version, const char *upload_data, size_t *upload_data_size,
	    void **req_cls)
{
	struct request *req = *req_cls;
	struct http_conn *hc;
	const char *cl;

	(void)cls, (void)version;
	if (req == NULL) {
		req = http_request_new(c, url, method);
		*req_cls = req;
		hc = req->conn;
		/* A route taking files is admitted (routed, authenticated,
		 * authorised) before its body is read, so that the body's limit
		 * is the route's and nothing is stored for a refused request. */
		if (http_has_body(c) && http_takes_upload(req) && !request_admit(req, http_router))
			return http_queue(req);
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > http_body_limit(req)) {
			hc->early_status = 413;
			hc->early_message = "La richiesta è troppo grande.";
		}
		/* A declared body over the limit is refused before a byte of it
		 * is read (no "100 Continue"); MHD takes a response right after
		 * the headers, and this connection closes after it anyway. */
		if (hc->early_status == 413) {
			request_fail(req, hc->early_status, hc->early_message);
			return http_queue(req);
		}
		/* Likewise a body sent to no route is not read: 404/405 now. */
		if (http_has_body(c) && http_unroutable(req)) {
			request_run(req, http_router);
			return http_queue(req);
		}
		return MHD_YES;
	}
	hc = req->conn;
	if (*upload_data_size != 0) {
		hc->body_bytes += *upload_data_size;
		if (hc->early_status == 0)
			http_body_chunk(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		/* MHD accepts no response while a body is arriving: once a limit
		 * is passed the rest is read and dropped, and the answer goes out
		 * at the end.  A client that keeps sending far past the limit is
		 * cut off without one. */
		if (hc->early_status != 0 && hc->body_bytes > 4 * http_body_limit(req))
			return MHD_NO;
		return MHD_YES;
	}
	if (hc->suspended) {
		hc->suspended = false;
		request_resume(req);
		return http_queue(req);
	}
	if (hc->done)
		return MHD_YES;
	/* A body cut short (a multipart without its closing boundary) is not
	 * a request: what it carried, an upload included, is dropped. */
	if (hc->pp != NULL) {
		if (MHD_destroy_post_processor(hc->pp) != MHD_YES && hc->early_status == 0) {
			hc->early_status = 400;
			hc->early_message = "Corpo della richiesta incompleto o non valido.";
		}
		hc->pp = NULL;
	}
	if (hc->upload != NULL && hc->early_status == 0) {
		req->upload_status = blob_upload_finish(hc->upload, req->arena, &req->upload,
							&req->upload_message);
		if (req->upload_status != 0) {
			blob_upload_free(hc->upload);
			hc->upload = NULL;
		}
	}
	if (hc->early_status == 0)
		MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, http_query_iter, req);
	if (hc->early_status != 0) {
		request_fail(req, hc->early_status, hc->early_message);
	} else {
		if (hc->json_body.err) {
			request_fail(req, 413, "La richiesta è troppo grande.");
		} else {
			req->raw_body = hc->json_body.data;
			req->raw_body_len = hc->json_body.len;
			request_run(req, http_router);
			if (req->defer_resume != NULL)
				return http_defer(req);
		}
	}
	return http_queue(req);
}

static void
http_completed(void *cls, struct MHD_Connection *c, void **req_cls,
	       enum MHD_RequestTerminationCode toe)
{
	struct request *req = *req_cls;
	struct http_conn *hc;
	uint64_t micros;

	(void)cls, (void)c;
	if (req == NULL)
		return;
	hc = req->conn;
	micros = (http_now_ns() - hc->start_ns) / 1000;
	if (!hc->done && toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		req->status = 499;	/* the client went away before an answer */
	log_access(req->id, req->method_name, req->path, req->status, hc->bytes, micros,
		   req->user ? req->user->id : 0);
	metrics_request(req->route, req->status, micros);
	if (hc->pp != NULL)
		MHD_destroy_post_processor(hc->pp);
	blob_upload_free(hc->upload);
	buf_release(&hc->json_body);
	buf_release(&req->body);
	if (req->stream != NULL)	/* never handed to MHD */
		http_stream_free(req->stream);
	/* MHD completes a request on the thread that served its connection,
	 * so the arena goes back to that thread's spare slot. */
	struct http_thread *t = http_thread();
	if (t->spare == NULL) {
		arena_reset(req->arena);
		t->spare = req->arena;
	} else {
		arena_free(req->arena);
	}
	*req_cls = NULL;
}

/* MHD's own errors (bad requests it answers itself, socket failures). */
static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_debug("http: %s", msg);
}

int
http_start(const struct config *cfg, const struct router *router)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char host[256];
	int port;
	unsigned threads;

	http_cfg = cfg;
	http_router = router;
	http_build_csp(cfg);
	if (pthread_key_create(&http_thread_key, http_thread_destroy) != 0)
		fatalx("pthread_key_create failed");
	snprintf(http_id_prefix, sizeof(http_id_prefix), "%08x", randombytes_random());

	if (config_listen_split(cfg->listen, host, sizeof(host), &port) == -1) {
		log_warnx("listen \"%s\": expected host:port", cfg->listen);
		return -1;
	}
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		sslen = sizeof(*sin6);
	} else {
		log_warnx("listen \"%s\": host must be an IP address", cfg->listen);
		return -1;
	}
	(void)sslen;
	threads = (unsigned)cfg->threads;

	http_daemon = MHD_start_daemon(
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
		(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    (uint16_t)port, NULL, NULL, http_access, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_connections_per_address,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->header_limit,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
	    MHD_OPTION_END);
	if (http_daemon == NULL) {
		log_warnx("cannot listen on %s", cfg->listen);
		return -1;
	}
	log_info("serving on %s with %u threads", cfg->listen, threads);
	return 0;
}

/* Longest wait for deferred requests at stop, in ns: a statement's timeout and more. */
#define HTTP_STOP_WAIT_NS (60 * (uint64_t)1000000000)

/*
 * Lets no connection be suspended any more and waits until every
 * deferred request has been woken: MHD must not stop with a suspended
 * connection.  One woken but not answered yet is closed by the stop (its
 * work is done; the client sees the connection end).
 */
void
http_stop(void)
{
	struct timespec tick = { 0, 1000000 };
	uint64_t until = http_now_ns() + HTTP_STOP_WAIT_NS;

	atomic_store(&http_stopping, true);
	while (atomic_load(&http_suspended) > 0) {
		if (http_now_ns() > until)
			fatalx("%d deferred requests were not woken in %llu s", atomic_load(&http_suspended),
			       (unsigned long long)(HTTP_STOP_WAIT_NS / 1000000000));
		nanosleep(&tick, NULL);
	}
	if (http_daemon != NULL)
		MHD_stop_daemon(http_daemon);
	http_daemon = NULL;
	free(http_csp);
	http_csp = NULL;
}
