/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/vblk.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_VBLK_GEN_H
#define _LINUX_VBLK_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/vblk.h>

/* Common nested types */
extern const struct nla_policy vblk_throttle_nl_policy[VBLK_A_THROTTLE_BPS_WRITE_BURST + 1];

int vblk_nl_pre_admin(const struct genl_split_ops *ops, struct sk_buff *skb,
		      struct genl_info *info);

int vblk_nl_dev_add_doit(struct sk_buff *skb, struct genl_info *info);
int vblk_nl_dev_del_doit(struct sk_buff *skb, struct genl_info *info);
int vblk_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int vblk_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vblk_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info);
int vblk_nl_group_add_doit(struct sk_buff *skb, struct genl_info *info);
int vblk_nl_group_del_doit(struct sk_buff *skb, struct genl_info *info);
int vblk_nl_group_get_doit(struct sk_buff *skb, struct genl_info *info);
int vblk_nl_group_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vblk_nl_group_set_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	VBLK_NLGRP_MONITOR,
};

extern struct genl_family vblk_nl_family;

#endif /* _LINUX_VBLK_GEN_H */
