/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk generic netlink family: registration and monitor notifications.
 */
#ifndef _VBLK_NL_H
#define _VBLK_NL_H

#include <uapi/linux/vblk.h>

struct vblk_device;

int vblk_nl_init(void);
void vblk_nl_exit(void);
void vblk_nl_notify_event(struct vblk_device *d, enum vblk_event_type type,
			  int queue);

#endif /* _VBLK_NL_H */
