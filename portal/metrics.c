/*
 * metrics.c - Prometheus counters (see metrics.h).
 *
 * Counts live in a fixed matrix route x status, allocated once at start-up
 * so that the hot path is a scan over route pointers and two relaxed
 * atomic increments, with no lock.
 */
#include "compat.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "batch.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "router.h"

static const int metrics_statuses[] = {
	200, 201, 204, 206, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409,
	413, 415, 422, 429, 431, 499, 500, 503, 0 /* other */
};
#define METRICS_NSTATUS ARRAY_SIZE(metrics_statuses)

/* Upper bounds of the latency buckets, in microseconds. */
static const uint64_t metrics_bounds[] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	500000, 1000000, 2500000,
};
#define METRICS_NBUCKET (ARRAY_SIZE(metrics_bounds) + 1)

static const struct route **metrics_routes;	/* the router's routes, in order */
static size_t metrics_nroutes;	/* plus one row for unmatched paths */
static atomic_uint_fast64_t *metrics_counts;
static atomic_uint_fast64_t metrics_buckets[METRICS_NBUCKET];
static atomic_uint_fast64_t metrics_sum_micros;

static int
metrics_route_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const struct route *const *)a;
	uintptr_t y = (uintptr_t)*(const struct route *const *)b;

	return x < y ? -1 : x > y;
}

void
metrics_init(const struct router *router)
{
	metrics_routes = calloc(router_count(router) + 1, sizeof(*metrics_routes));
	if (metrics_routes == NULL)
		log_oom(router_count(router) * sizeof(*metrics_routes));
	for (size_t i = 0; i < router_count(router); i++)
		metrics_routes[i] = router_get(router, i);
	metrics_nroutes = router_count(router);
	/* Sorted by address, so that a request finds its row by bisection. */
	qsort(metrics_routes, metrics_nroutes, sizeof(*metrics_routes), metrics_route_cmp);
	metrics_counts = calloc((metrics_nroutes + 1) * METRICS_NSTATUS, sizeof(*metrics_counts));
	if (metrics_counts == NULL)
		log_oom((metrics_nroutes + 1) * METRICS_NSTATUS * sizeof(*metrics_counts));
}

static size_t
metrics_status_index(int status)
{
	for (size_t i = 0; i + 1 < METRICS_NSTATUS; i++)
		if (metrics_statuses[i] == status)
			return i;
	return METRICS_NSTATUS - 1;
}

void
metrics_request(const struct route *route, int status, uint64_t micros)
{
	size_t row = metrics_nroutes, b;

	if (metrics_counts == NULL)
		return;
	if (route != NULL) {
		const struct route **hit = bsearch(&route, metrics_routes, metrics_nroutes,
						   sizeof(*metrics_routes), metrics_route_cmp);
		if (hit != NULL)
			row = (size_t)(hit - metrics_routes);
	}
	atomic_fetch_add_explicit(&metrics_counts[row * METRICS_NSTATUS + metrics_status_index(status)],
				  1, memory_order_relaxed);
	for (b = 0; b < ARRAY_SIZE(metrics_bounds) && micros > metrics_bounds[b]; b++)
		;
	atomic_fetch_add_explicit(&metrics_buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&metrics_sum_micros, micros, memory_order_relaxed);
}

/* The first method a route serves, for its label ("" when unmatched). */
static const char *
metrics_method(const struct route *route)
{
	static const char *const names[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };

	for (size_t i = 0; route != NULL && i < ARRAY_SIZE(names); i++)
		if (route->methods & (1u << i))
			return names[i];
	return "";
}

void
metrics_render(struct buf *out, int64_t outbox_depth)
{
	uint64_t cumulative = 0;
	int open, up;

	buf_adds(out, "# HELP portal_http_requests_total Completed HTTP requests.\n"
		      "# TYPE portal_http_requests_total counter\n");
	for (size_t r = 0; r <= metrics_nroutes; r++) {
		const struct route *route = r < metrics_nroutes ? metrics_routes[r] : NULL;
		for (size_t s = 0; s < METRICS_NSTATUS; s++) {
			uint64_t n = atomic_load(&metrics_counts[r * METRICS_NSTATUS + s]);
			if (n == 0)
				continue;
			/* Routes share a name across methods (the page and its
			 * form): the method label keeps each series unique. */
			buf_printf(out, "portal_http_requests_total{route=\"%s\",method=\"%s\",status=\"",
				   route ? route->name : "unmatched", metrics_method(route));
			if (metrics_statuses[s])
				buf_printf(out, "%d", metrics_statuses[s]);
			else
				buf_adds(out, "other");
			buf_printf(out, "\"} %llu\n", (unsigned long long)n);
		}
	}
	buf_adds(out, "# HELP portal_http_request_duration_seconds Time from first byte to response.\n"
		      "# TYPE portal_http_request_duration_seconds histogram\n");
	for (size_t b = 0; b < METRICS_NBUCKET; b++) {
		cumulative += atomic_load(&metrics_buckets[b]);
		if (b < ARRAY_SIZE(metrics_bounds))
			buf_printf(out, "portal_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
				   (double)metrics_bounds[b] / 1e6, (unsigned long long)cumulative);
		else
			buf_printf(out, "portal_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
				   (unsigned long long)cumulative);
	}
	buf_printf(out, "portal_http_request_duration_seconds_sum %.6f\n"
		   "portal_http_request_duration_seconds_count %llu\n",
		   (double)atomic_load(&metrics_sum_micros) / 1e6, (unsigned long long)cumulative);
	db_stats(&open, &up);
	buf_printf(out, "# HELP portal_db_connections Database connections of the pool threads.\n"
		   "# TYPE portal_db_connections gauge\n"
		   "portal_db_connections{state=\"open\"} %d\n"
		   "portal_db_connections{state=\"up\"} %d\n", open, up);
	batch_metrics(out);
	if (outbox_depth >= 0)
		buf_printf(out, "# HELP portal_mail_outbox_depth Messages waiting to be sent.\n"
			   "# TYPE portal_mail_outbox_depth gauge\n"
			   "portal_mail_outbox_depth %lld\n", (long long)outbox_depth);
}
