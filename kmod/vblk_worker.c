// SPDX-License-Identifier: GPL-2.0
/*
 * vblk queue workers. A worker is a vhost_task: a thread of the process
 * that starts it (the VMM), sharing its mm, so that guest memory given as
 * the VMM's virtual addresses can be reached with user copies, and
 * accounted to the VMM's cgroups. It sleeps until its queue is kicked and
 * then runs one processing pass; the device bounds a pass and kicks again
 * when it stopped at its weight.
 */
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/sched.h>
#include <linux/sched/vhost_task.h>

#include "vblk_vdev.h"
#include "vblk_worker.h"

#if !IS_ENABLED(CONFIG_VHOST_TASK)
#error "vblk needs CONFIG_VHOST_TASK (selected by CONFIG_KVM on x86)"
#endif

static bool vblk_worker_fn(void *data)
{
	struct vblk_worker *w = data;

	/* Fully ordered: a kick after this point is seen by the next look. */
	if (!test_and_clear_bit(0, &w->pending))
		return false;
	/* The vhost_task calls us in TASK_INTERRUPTIBLE: we are about to block. */
	__set_current_state(TASK_RUNNING);
	vblk_vdev_process(w->vd, w->q);
	/* The device bounds one pass; let others run between passes. */
	cond_resched();
	return true;
}

static void vblk_worker_killed(void *data)
{
	struct vblk_worker *w = data;

	/*
	 * The VMM got SIGKILL: the worker exits with it. The pass it was in
	 * has finished; later kicks see @killed and leave the task alone, and
	 * the binding's teardown (which follows as the VMM's files are
	 * released) stops the worker for good.
	 */
	WRITE_ONCE(w->killed, true);
}

/**
 * vblk_worker_start() - start the worker of a queue
 * @w: the worker
 * @vd: the device
 * @q: the queue
 *
 * The worker is a thread of the calling process (the VMM, in its ioctl or
 * open) named "vblk-PID". It sleeps until the first vblk_worker_kick().
 *
 * Return: 0 or a negative errno from vhost_task_create().
 */
int vblk_worker_start(struct vblk_worker *w, struct vblk_vdev *vd,
		      unsigned int q)
{
	char name[TASK_COMM_LEN];
	struct vhost_task *t;

	w->vd = vd;
	w->q = q;
	w->pending = 0;
	w->killed = false;
	snprintf(name, sizeof(name), "vblk-%d", current->pid);
	t = vhost_task_create(vblk_worker_fn, vblk_worker_killed, w, name);
	if (IS_ERR(t)) {
		w->task = NULL;
		return PTR_ERR(t);
	}
	w->task = t;
	vhost_task_start(t);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vblk_worker_start, VBLK);

/**
 * vblk_worker_kick() - the queue has work: have the worker run a pass
 * @w: a started worker
 *
 * Any context (a KVM ioeventfd's wakeup, a timer, an I/O completion).
 */
void vblk_worker_kick(struct vblk_worker *w)
{
	/* The worker exited on SIGKILL: there is nobody left to wake. */
	if (READ_ONCE(w->killed))
		return;
	set_bit(0, &w->pending);
	/* Pairs with the worker's set_current_state() before it looks. */
	vhost_task_wake(w->task);
}
EXPORT_SYMBOL_NS_GPL(vblk_worker_kick, VBLK);

/**
 * vblk_worker_stop() - stop a worker and wait for it to exit
 * @w: the worker (nothing happens if it was not started)
 *
 * Waits for a pass in progress. The caller has made sure that nothing
 * kicks the worker any more. Process context.
 */
void vblk_worker_stop(struct vblk_worker *w)
{
	if (!w->task)
		return;
	vhost_task_stop(w->task);
	w->task = NULL;
}
EXPORT_SYMBOL_NS_GPL(vblk_worker_stop, VBLK);
