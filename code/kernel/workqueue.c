// SPDX-License-Identifier: GPL-2.0
/**
 * @file workqueue.c
 * @brief One worker thread standing in for the kernel's system_unbound_wq
 *        (kernel/workqueue.c, Linux 6.18).
 *
 * bpf_map_put() defers a map's free to a workqueue; this is the queue.
 * Items run in queueing order, one at a time, in a thread that belongs to
 * no caller, so a work function may take locks its queuer held.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern/workqueue.h"

struct workqueue_struct {
	pthread_mutex_t lock;
	pthread_cond_t more;		/* an item was queued */
	pthread_cond_t done;		/* an item finished */
	struct work_struct *head, *tail;
	uint64_t queued, finished;	/* items ever queued / run */
	bool running;			/* the worker thread exists */
};

static struct workqueue_struct unbound_wq = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.more = PTHREAD_COND_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER,
};

struct workqueue_struct *system_unbound_wq = &unbound_wq;

/* [book:worker] */
static void *worker(void *arg)
{
	struct workqueue_struct *wq = arg;

	pthread_mutex_lock(&wq->lock);
	for (;;) {
		struct work_struct *work;

		while (!wq->head)
			pthread_cond_wait(&wq->more, &wq->lock);
		work = wq->head;
		wq->head = work->next;
		if (!wq->head)
			wq->tail = NULL;
		pthread_mutex_unlock(&wq->lock);

		work->func(work);	/* may free the item's owner */

		pthread_mutex_lock(&wq->lock);
		wq->finished++;
		pthread_cond_broadcast(&wq->done);
	}
	return NULL;
}
/* [/book:worker] */

/* A child of fork() has the queue's memory but not its thread. */
static void forget_worker(void)
{
	pthread_mutex_init(&unbound_wq.lock, NULL);
	pthread_cond_init(&unbound_wq.more, NULL);
	pthread_cond_init(&unbound_wq.done, NULL);
	unbound_wq.running = false;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, forget_worker);
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, register_atfork);
	pthread_mutex_lock(&wq->lock);
	if (!wq->running) {
		pthread_attr_t attr;
		pthread_t t;

		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, worker, wq) == 0) {
			wq->running = true;
		} else {
			/* No thread to be had: run it here, still after the put. */
			pthread_mutex_unlock(&wq->lock);
			pthread_attr_destroy(&attr);
			work->func(work);
			return true;
		}
		pthread_attr_destroy(&attr);
	}
	work->next = NULL;
	if (wq->tail)
		wq->tail->next = work;
	else
		wq->head = work;
	wq->tail = work;
	wq->queued++;
	pthread_cond_signal(&wq->more);
	pthread_mutex_unlock(&wq->lock);
	return true;
}

void flush_workqueue(struct workqueue_struct *wq)
{
	uint64_t target;

	pthread_mutex_lock(&wq->lock);
	target = wq->queued;
	while (wq->finished < target)
		pthread_cond_wait(&wq->done, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}
