/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk devices: the registry of named devices managed over netlink.
 */
#ifndef _VBLK_DEV_H
#define _VBLK_DEV_H

#include <linux/kref.h>
#include <linux/types.h>

#include "vblk_vdev.h"

#define VBLK_NAME_MAX	32	/* including the terminating NUL */

struct vblk_attach;

/**
 * struct vblk_device - one vblk device
 * @kref: lifetime; the registry holds one reference while listed
 * @id: unique id, never reused while the module is loaded
 * @name: unique name, [A-Za-z0-9_.-], NUL-terminated
 * @backing: the backing file (regular file or block device)
 * @vdev: the virtio-blk device model
 * @attach: VMM attachment state, owned by vblk_attach.c
 */
struct vblk_device {
	struct kref kref;
	u32 id;
	char name[VBLK_NAME_MAX];
	struct file *backing;
	struct vblk_vdev vdev;
	struct vblk_attach *attach;
};

#endif /* _VBLK_DEV_H */
