/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file workqueue.h
 * @brief Deferred work: one queue, one worker thread.  The part of
 *        include/linux/workqueue.h (Linux 6.18) the port needs.
 *
 * In the kernel a work item runs later in a kworker thread, in process
 * context, so it may sleep and take any lock its caller held while queueing
 * it.  The port keeps exactly that contract with a single worker thread
 * that runs the items in the order they were queued.  It is created on first
 * use (and again in a child after fork(), where no thread survives).
 */
#ifndef KERN_WORKQUEUE_H
#define KERN_WORKQUEUE_H

#include <stdbool.h>

struct work_struct;

/** What a work item runs, given the item (container_of() finds its owner). */
typedef void (*work_func_t)(struct work_struct *work);

/** A unit of deferred work, embedded in the object it works on. */
struct work_struct {
	work_func_t func;		/**< the function to run */
	struct work_struct *next;	/**< the queue's link */
};

/** A queue of work items (the port has one: system_unbound_wq). */
struct workqueue_struct;

/** The kernel's queue for work that may run on any CPU. */
extern struct workqueue_struct *system_unbound_wq;

/**
 * Prepare @p work to run @p func (the kernel's INIT_WORK()).
 *
 * @param work the item
 * @param func what it will run
 */
static inline void INIT_WORK(struct work_struct *work, work_func_t func)
{
	work->func = func;
	work->next = NULL;
}

/**
 * Queue @p work; the worker thread runs it soon, in another thread.
 *
 * @param wq the queue (system_unbound_wq)
 * @param work an item not already queued
 * @return true (the port never finds an item already pending)
 */
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);

/**
 * Wait until every item queued before the call has run.
 *
 * @param wq the queue
 */
void flush_workqueue(struct workqueue_struct *wq);

#endif /* KERN_WORKQUEUE_H */
