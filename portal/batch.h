/*
 * batch.h - work of many deferred requests done together: one statement
 * and one commit for all of them.
 *
 * A busy request that only writes a row (the quiz's answer saves) costs
 * the database a round trip and a commit that waits for the disk, and
 * each pool thread waiting on one serves no one meanwhile.  Such a
 * request defers its answer (request_defer()) and hands an item to a
 * batch; the batch's thread, with a connection of its own, takes every
 * item queued so far, has them done by the feature's run function, and
 * wakes each request, whose resume function reads the item's outcome.
 * Nothing is answered before the commit that holds it: the durability is
 * that of one request at a time, and the items that arrive while a batch
 * commits make the next one, so a batch is as large as the load makes it.
 */
#ifndef PORTAL_BATCH_H
#define PORTAL_BATCH_H

#include "compat.h"

#include "arena.h"
#include "buf.h"
#include "request.h"

struct db;

/* The head of a feature's item, which embeds it first; lives in req->arena. */
struct batch_item {
	struct batch_item *next;
	struct request *req;
};

/*
 * Does items[0..n-1] (in arrival order) on db, outside any transaction,
 * and writes each one's outcome into the feature's item; an item left
 * without one is taken as not done, and its request does the work itself.
 * Returns how many were done (for /metrics).  arena is reset after each call.
 */
typedef int (*batch_run_fn)(struct db *db, struct arena *arena, struct batch_item **items, int n);

struct batch;

/*
 * Starts the thread of a batch called name (a metric label: [a-z_]) that
 * connects to conninfo and runs at most max items at once.  At most
 * BATCH_MAX batches.  NULL on failure (logged).
 */
#define BATCH_MAX 4

struct batch *batch_start(const char *name, const char *conninfo, int max, batch_run_fn run);

/* Queues item (item->req set); its request is woken once it is done. */
void batch_add(struct batch *b, struct batch_item *item);

/* Does what is queued, ends the thread and frees b.  NULL is a no-op. */
void batch_stop(struct batch *b);

/*
 * Appends the batches' counters in Prometheus text: runs, and items done
 * or left to their requests, so that one can see the batching at work.
 */
void batch_metrics(struct buf *out);

#endif
