/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk generic netlink family: registration and monitor notifications.
 */
#ifndef _VBLK_NL_H
#define _VBLK_NL_H

#include <net/genetlink.h>
#include <uapi/linux/vblk.h>

#include "vblk_blk.h"

struct vblk_device;
struct vblk_throttle_cfg;

/* Report a missing attribute @attr with the literal message @msg. */
#define VBLK_NL_REQUIRE(info, attr, msg) ({				\
	const struct genl_info *__i = (info);				\
	int __a = (attr);						\
	bool __miss = !__i->attrs[__a];					\
									\
	if (__miss) {							\
		NL_SET_ERR_ATTR_MISS(__i->extack, NULL, __a);		\
		NL_SET_ERR_MSG(__i->extack, msg);			\
	}								\
	__miss;								\
})

/* Upper bound of a throttle nest. */
#define VBLK_NL_THROTTLE_SIZE						\
	(nla_total_size(0) + VBLK_A_THROTTLE_MAX * nla_total_size(sizeof(u64)))

/**
 * struct vblk_nl_obj - how a request names one kind of object
 * @id_attr: the id attribute
 * @name_attr: the name attribute
 * @what: "device", "group"
 * @by_id: look up by id (registry mutex held)
 * @by_name: look up by name (registry mutex held)
 */
struct vblk_nl_obj {
	int id_attr;
	int name_attr;
	const char *what;
	void *(*by_id)(u32 id);
	void *(*by_name)(const char *name);
};

int vblk_nl_init(void);
void vblk_nl_exit(void);
void vblk_nl_notify_event(struct vblk_device *d, enum vblk_event_type type,
			  int queue);

int vblk_nl_parse_name(const struct nlattr *attr,
		       struct netlink_ext_ack *extack);
void *vblk_nl_obj_lookup(struct genl_info *info, const struct vblk_nl_obj *o);

/* The throttle nest and limit groups (vblk_nl_group.c). */
int vblk_nl_parse_throttle(struct nlattr *nest, struct vblk_throttle_cfg *cfg,
			   struct netlink_ext_ack *extack);
int vblk_nl_put_throttle(struct sk_buff *skb, int type,
			 const struct vblk_throttle_cfg *cfg);
int vblk_nl_dev_set_group(struct vblk_device *d, const struct nlattr *attr,
			  struct netlink_ext_ack *extack);

#if IS_ENABLED(CONFIG_KUNIT)
/* The attribute parsers and the device lookup, for KUnit only. */
int vblk_nl_parse_serial(const struct nlattr *attr,
			 char serial[VBLK_SERIAL_LEN],
			 struct netlink_ext_ack *extack);
int vblk_nl_parse_capacity(const struct nlattr *attr, u64 *cap,
			   struct netlink_ext_ack *extack);
struct vblk_device *vblk_nl_lookup(struct genl_info *info);
#endif

#endif /* _VBLK_NL_H */
