/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk queue workers: one thread of the VMM per queue (a vhost_task), which
 * serves its queue with vblk_vdev_process() whenever the queue is kicked.
 * The /dev/vblk binding and the vDPA binding (under vhost_vdpa) use them,
 * so that the CPU time of the data path is the VMM's and counts against
 * its cgroups.
 */
#ifndef _VBLK_WORKER_H
#define _VBLK_WORKER_H

#include <linux/types.h>

struct vblk_vdev;
struct vhost_task;

/**
 * struct vblk_worker - the worker of one queue
 * @task: the vhost_task, NULL when not started
 * @vd: the device it serves
 * @q: the queue
 * @pending: bit 0 set when the queue was kicked since the worker looked
 * @killed: the task exited on SIGKILL (the VMM is dying)
 */
struct vblk_worker {
	struct vhost_task *task;
	struct vblk_vdev *vd;
	unsigned int q;
	unsigned long pending;
	bool killed;
};

int vblk_worker_start(struct vblk_worker *w, struct vblk_vdev *vd,
		      unsigned int q);
void vblk_worker_kick(struct vblk_worker *w);
void vblk_worker_stop(struct vblk_worker *w);

#endif /* _VBLK_WORKER_H */
