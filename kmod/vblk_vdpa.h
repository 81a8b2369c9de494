/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vDPA binding of vblk devices (vblk_vdpa.ko): the device and its
 * queues (vblk_vdpa_dev.c, the vdpa_config_ops and the binding), shared
 * with the module's management device (vblk_vdpa_mgmt.c).
 */
#ifndef _VBLK_VDPA_H
#define _VBLK_VDPA_H

#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/vdpa.h>
#include <linux/workqueue.h>

#include "vblk_dev.h"
#include "vblk_guestmem.h"
#include "vblk_iotlb.h"
#include "vblk_vdev.h"
#include "vblk_worker.h"

struct vblk_vdpa;

/**
 * struct vblk_vdpa_queue - one virtqueue of a vDPA device
 * @v: the device
 * @index: the queue
 * @task: its worker under a VMM (vhost_task)
 * @work: its worker under virtio_vdpa (work item)
 * @cb_lock: guards @cb
 * @cb: the driver's interrupt callback
 * @kicks: kick_vq calls
 * @interrupts: callbacks made
 */
struct vblk_vdpa_queue {
	struct vblk_vdpa *v;
	unsigned int index;
	struct vblk_worker task;
	struct work_struct work;
	spinlock_t cb_lock;	/* guards @cb */
	struct vdpa_callback cb;
	atomic64_t kicks;
	atomic64_t interrupts;
};

/**
 * struct vblk_vdpa - a vblk device on the vDPA bus
 * @vdpa: the vDPA device (first: vdpa_alloc_device() wants it there)
 * @d: the vblk device (a reference is held)
 * @vd: its virtio device
 * @nvqs: number of queues
 * @lock: serialises address space, workers and binding changes
 * @claimed: the vDPA binding holds @d
 * @bound: @binding is the device's binding
 * @refused: DRIVER_OK was refused once (logged once)
 * @platform: the driver accepted VIRTIO_F_ACCESS_PLATFORM (a VMM's)
 * @mm: the bound address space (grabbed), NULL under virtio_vdpa
 * @gm: guest memory over @mm, its table built from the IOTLB
 * @pa: the physical address space for virtio_vdpa (identity)
 * @binding: what the device is lent
 * @config_lock: guards @config_cb
 * @config_cb: the driver's config change callback
 * @qs: the queues
 */
struct vblk_vdpa {
	struct vdpa_device vdpa;
	struct vblk_device *d;
	struct vblk_vdev *vd;
	unsigned int nvqs;
	struct mutex lock;	/* see "Locking" above */
	bool claimed;
	bool bound;
	bool refused;
	bool platform;
	struct mm_struct *mm;
	struct vblk_guestmem gm;
	struct vblk_iotlb pa;
	struct vblk_vdev_binding binding;
	spinlock_t config_lock;	/* guards @config_cb */
	struct vdpa_callback config_cb;
	struct vblk_vdpa_queue qs[VBLK_MAX_QUEUES];
};

/* The workqueue of the queues' work items under virtio_vdpa. */
extern struct workqueue_struct *vblk_vdpa_wq;

static inline struct vblk_vdpa *to_vblk(struct vdpa_device *vdpa)
{
	return container_of(vdpa, struct vblk_vdpa, vdpa);
}

struct vblk_vdpa *vblk_vdpa_alloc(struct vblk_device *d, const char *name);
int vblk_vdpa_start(struct vblk_vdpa *v);
void vblk_vdpa_teardown(struct vblk_vdpa *v);

#endif /* _VBLK_VDPA_H */
