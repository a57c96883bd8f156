/*
 * metrics.h - request counters and latency histogram in Prometheus text format.
 *
 * Counters are process-wide atomics; each portal process exposes its own
 * (Prometheus sums them across instances).
 */
#ifndef PORTAL_METRICS_H
#define PORTAL_METRICS_H

#include "compat.h"

#include "buf.h"

struct route;
struct router;

/* Sizes the counters for the router's routes; call once before serving. */
void metrics_init(const struct router *router);

/* Records one completed request; route NULL for unmatched paths. */
void metrics_request(const struct route *route, int status, uint64_t micros);

/* Appends the text exposition; outbox_depth < 0 leaves that gauge out. */
void metrics_render(struct buf *out, int64_t outbox_depth);

#endif
