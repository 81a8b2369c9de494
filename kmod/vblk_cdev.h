/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk character-device binding: /dev/vblk/NAME, through which a VMM
 * attaches to a device (guest memory, per-queue eventfds, MMIO forwarding).
 */
#ifndef _VBLK_CDEV_H
#define _VBLK_CDEV_H

struct vblk_dev_node_ops;

/* Minors available for /dev/vblk/NAME nodes (devices that can coexist). */
#define VBLK_CDEV_MINORS	4096

extern const struct vblk_dev_node_ops vblk_cdev_node_ops;

int vblk_cdev_init(void);
void vblk_cdev_exit(void);

#endif /* _VBLK_CDEV_H */
