/*
 * batch.c - deferred requests' work done together (see batch.h).
 */
#include "compat.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "db.h"
#include "log.h"

struct batch {
	const char *name;
	struct db *db;
	int max;
	batch_run_fn run;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t queued;
	struct batch_item *head, *tail;	/* arrival order */
	bool stopping;
	/* For /metrics, read by any thread. */
	atomic_uint_least64_t runs, done, undone;
};

/* The batches started, for batch_metrics(); slots are never reused. */
static struct batch *_Atomic batch_list[BATCH_MAX];
static atomic_int batch_count;

/* Takes up to b->max queued items into items, oldest first; 0 when stopped. */
static int
batch_take(struct batch *b, struct batch_item **items)
{
	int n = 0;

	pthread_mutex_lock(&b->lock);
	while (b->head == NULL && !b->stopping)
		pthread_cond_wait(&b->queued, &b->lock);
	while (b->head != NULL && n < b->max) {
		items[n++] = b->head;
		b->head = b->head->next;
	}
	if (b->head == NULL)
		b->tail = NULL;
	pthread_mutex_unlock(&b->lock);
	return n;
}

/* The batch's thread: takes what is queued, has it done, wakes the requests. */
static void *
batch_loop(void *arg)
{
	struct batch *b = arg;
	struct batch_item **items = calloc((size_t)b->max, sizeof(*items));
	struct arena *arena = arena_new();
	int n;

	if (items == NULL)
		log_oom((size_t)b->max * sizeof(*items));
	/* Stopping, the queue is emptied first: every request is woken. */
	while ((n = batch_take(b, items)) > 0) {
		int done = 0;

		/* A connection that cannot be made leaves the items undone:
		 * each request then answers by itself (503 while the database
		 * is down). */
		if (db_ready(b->db) == 0)
			done = b->run(b->db, arena, items, n);
		atomic_fetch_add(&b->runs, 1);
		atomic_fetch_add(&b->done, (uint64_t)done);
		atomic_fetch_add(&b->undone, (uint64_t)(n - done));
		arena_reset(arena);
		for (int i = 0; i < n; i++)
			request_wake(items[i]->req);
	}
	arena_free(arena);
	free(items);
	return NULL;
}

struct batch *
batch_start(const char *name, const char *conninfo, int max, batch_run_fn run)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		log_oom(sizeof(*b));
	b->name = name;
	b->db = db_open(conninfo);
	b->max = max;
	b->run = run;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->queued, NULL);
	if (atomic_load(&batch_count) == BATCH_MAX)
		fatalx("more than %d batches", BATCH_MAX);
	if (pthread_create(&b->thread, NULL, batch_loop, b) != 0) {
		log_warnx("batch %s: cannot start its thread", name);
		db_close(b->db);
		free(b);
		return NULL;
	}
	atomic_store(&batch_list[atomic_fetch_add(&batch_count, 1)], b);
	return b;
}

void
batch_add(struct batch *b, struct batch_item *item)
{
	item->next = NULL;
	pthread_mutex_lock(&b->lock);
	if (b->tail != NULL)
		b->tail->next = item;
	else
		b->head = item;
	b->tail = item;
	pthread_cond_signal(&b->queued);
	pthread_mutex_unlock(&b->lock);
}

void
batch_stop(struct batch *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	b->stopping = true;
	pthread_cond_signal(&b->queued);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	for (int i = 0; i < atomic_load(&batch_count); i++)
		if (atomic_load(&batch_list[i]) == b)
			atomic_store(&batch_list[i], NULL);
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->queued);
	db_close(b->db);
	free(b);
}

void
batch_metrics(struct buf *out)
{
	buf_adds(out, "# HELP portal_batch_runs_total Batches run (one statement and commit each, "
		      "or a few).\n# TYPE portal_batch_runs_total counter\n");
	for (int i = 0; i < atomic_load(&batch_count); i++) {
		struct batch *b = atomic_load(&batch_list[i]);
		if (b != NULL)
			buf_printf(out, "portal_batch_runs_total{batch=\"%s\"} %llu\n", b->name,
				   (unsigned long long)atomic_load(&b->runs));
	}
	buf_adds(out, "# HELP portal_batch_items_total Requests' work done by a batch, or left to "
		      "the request.\n# TYPE portal_batch_items_total counter\n");
	for (int i = 0; i < atomic_load(&batch_count); i++) {
		struct batch *b = atomic_load(&batch_list[i]);
		if (b == NULL)
			continue;
		buf_printf(out, "portal_batch_items_total{batch=\"%s\",outcome=\"done\"} %llu\n"
			   "portal_batch_items_total{batch=\"%s\",outcome=\"undone\"} %llu\n",
			   b->name, (unsigned long long)atomic_load(&b->done),
			   b->name, (unsigned long long)atomic_load(&b->undone));
	}
}
