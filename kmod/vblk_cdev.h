/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk character-device binding: /dev/vblk/NAME, through which a VMM
 * attaches to a device (guest memory, per-queue eventfds, MMIO forwarding).
 * vblk_node.c makes the nodes, vblk_cdev.c serves their files.
 */
#ifndef _VBLK_CDEV_H
#define _VBLK_CDEV_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/mutex.h>

struct vblk_dev_node_ops;
struct vblk_device;
struct vblk_session;

/**
 * struct vblk_cdev_node - /dev/vblk/NAME of one device
 * @dev: the class device
 * @cdev: the character device
 * @d: the device (the node lives as long as it)
 * @lock: serialises open, release and forced detaches
 * @sess: the live attachment, NULL when none; under @lock
 */
struct vblk_cdev_node {
	struct device dev;
	struct cdev cdev;
	struct vblk_device *d;
	struct mutex lock;		/* see "Locking" in vblk_cdev.c */
	struct vblk_session *sess;
};

/* Minors available for /dev/vblk/NAME nodes (devices that can coexist). */
#define VBLK_CDEV_MINORS	4096

extern const struct vblk_dev_node_ops vblk_cdev_node_ops;
extern const struct file_operations vblk_cdev_fops;

int vblk_cdev_init(void);
void vblk_cdev_exit(void);

#endif /* _VBLK_CDEV_H */
