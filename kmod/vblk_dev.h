/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk devices: the registry of named devices managed over netlink.
 *
 * Devices are global to the host (not per network namespace). The registry
 * holds one reference on every listed device; anyone else who keeps a
 * pointer past the registry lock takes a reference with vblk_dev_get().
 *
 * Lock order: vblk_dev_lock() (the registry mutex) nests outside the
 * attachment's locks, which nest outside vdev->lock, which nests outside
 * the queue mutexes. Nothing called under vdev->lock or a queue mutex may
 * take the registry mutex.
 */
#ifndef _VBLK_DEV_H
#define _VBLK_DEV_H

#include <linux/kref.h>
#include <linux/types.h>
#include <uapi/linux/vblk.h>	/* VBLK_NAME_MAX: name buffer incl. NUL */

#include "vblk_vdev.h"

struct vblk_attach;
struct file;

/**
 * struct vblk_device - one vblk device
 * @kref: lifetime; the registry holds one reference while listed
 * @id: unique id, not reused while the module is loaded
 * @name: unique name, [A-Za-z0-9_.-], NUL-terminated
 * @backing: the backing file (regular file or block device); the device
 *	holds a reference on it until it is freed or vblk_dev_delete()
 *	unlists it (NULL from then on)
 * @capacity: capacity in bytes (a multiple of 512)
 * @vdev: the virtio-blk device model
 * @attach: VMM attachment state, owned by vblk_attach.c
 * @deleting: vblk_dev_delete() is detaching the VMM; under the registry
 *	mutex
 */
struct vblk_device {
	struct kref kref;
	u32 id;
	char name[VBLK_NAME_MAX];
	struct file *backing;
	u64 capacity;
	struct vblk_vdev vdev;
	struct vblk_attach *attach;
	bool deleting;
};

/**
 * vblk_dev_get() - take a reference on a device
 * @d: the device (must already be referenced by the caller or listed and
 *	looked up under vblk_dev_lock())
 */
static inline void vblk_dev_get(struct vblk_device *d)
{
	kref_get(&d->kref);
}

void vblk_dev_put(struct vblk_device *d);

void vblk_dev_lock(void);
void vblk_dev_unlock(void);
struct vblk_device *vblk_dev_create(const char *name, struct file *backing,
				    const struct vblk_vdev_config *cfg);
int vblk_dev_register(struct vblk_device *d);
void vblk_dev_unregister(struct vblk_device *d);
int vblk_dev_delete(struct vblk_device *d, bool force);
struct vblk_device *vblk_dev_find_id(u32 id);
struct vblk_device *vblk_dev_find_name(const char *name);
struct vblk_device *vblk_dev_next(unsigned long *id);
u32 vblk_dev_generation(void);
bool vblk_dev_name_valid(const char *name);
void vblk_dev_remove_all(void);

#endif /* _VBLK_DEV_H */
