/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk VMM attachment: the per-device character device, the guest memory
 * table, the kick/call eventfds and the worker.
 */
#ifndef _VBLK_ATTACH_H
#define _VBLK_ATTACH_H

#include <linux/types.h>

struct vblk_device;

/* Minors available for /dev/vblk/NAME nodes (devices that can coexist). */
#define VBLK_ATTACH_MINORS	4096

int vblk_attach_init(void);
void vblk_attach_exit(void);
int vblk_attach_add(struct vblk_device *d);
int vblk_attach_del(struct vblk_device *d, bool force);
bool vblk_attach_busy(struct vblk_device *d);
extern const struct vblk_host_ops vblk_attach_host_ops;

#endif /* _VBLK_ATTACH_H */
