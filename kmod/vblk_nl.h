/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk generic netlink family: registration and monitor notifications.
 */
#ifndef _VBLK_NL_H
#define _VBLK_NL_H

#include <uapi/linux/vblk.h>

#include "vblk_vdev.h"

struct vblk_device;

int vblk_nl_init(void);
void vblk_nl_exit(void);
void vblk_nl_notify_event(struct vblk_device *d, enum vblk_event_type type,
			  int queue);
void vblk_nl_notify_vdev_event(struct vblk_device *d, unsigned int queue,
			       enum vblk_event ev);

#endif /* _VBLK_NL_H */
