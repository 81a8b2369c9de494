/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk generic netlink family: registration and monitor notifications.
 */
#ifndef _VBLK_NL_H
#define _VBLK_NL_H

#include <uapi/linux/vblk.h>

#include "vblk_blk.h"

struct vblk_device;

int vblk_nl_init(void);
void vblk_nl_exit(void);
void vblk_nl_notify_event(struct vblk_device *d, enum vblk_event_type type,
			  int queue);

#if IS_ENABLED(CONFIG_KUNIT)
/* The attribute parsers and the device lookup, for KUnit only. */
struct genl_info;
struct netlink_ext_ack;
struct nlattr;

int vblk_nl_parse_name(const struct nlattr *attr,
		       struct netlink_ext_ack *extack);
int vblk_nl_parse_serial(const struct nlattr *attr,
			 char serial[VBLK_SERIAL_LEN],
			 struct netlink_ext_ack *extack);
int vblk_nl_parse_read_only(const struct nlattr *attr, bool *ro,
			    struct netlink_ext_ack *extack);
int vblk_nl_parse_capacity(const struct nlattr *attr, u64 *cap,
			   struct netlink_ext_ack *extack);
int vblk_nl_parse_throttle(struct nlattr *nest, struct vblk_throttle_cfg *cfg,
			   struct netlink_ext_ack *extack);
struct vblk_device *vblk_nl_lookup(struct genl_info *info);
#endif

#endif /* _VBLK_NL_H */
