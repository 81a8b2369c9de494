/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk limit groups: buckets shared by several devices, served in turn,
 * and the registry of named groups. See Documentation/throttle.rst.
 */
#ifndef _VBLK_GROUP_H
#define _VBLK_GROUP_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/linux/vblk.h>	/* VBLK_NAME_MAX */

#include "vblk_bucket.h"

struct vblk_group;

/**
 * struct vblk_group_member - a device's place in a group
 * @node: in the group's waiters while @waiting
 * @waiting: queued for the group's tokens
 * @cost: what it waits for, by enum vblk_bkt
 * @resume: called (atomic context, under the group's lock) when it is
 *	its turn and the tokens are there: retry now. Set by the owner.
 */
struct vblk_group_member {
	struct list_head node;
	bool waiting;
	u64 cost[VBLK_BKT_NR];
	void (*resume)(struct vblk_group_member *m);
};

/**
 * struct vblk_group_stats - a group's lifetime counters
 * @ops: operations admitted through the group
 * @bytes: bytes admitted through the group
 * @waits: times a member had to queue for the group's tokens
 */
struct vblk_group_stats {
	u64 ops;
	u64 bytes;
	u64 waits;
};

/**
 * struct vblk_group - a limit group
 * @node: in the registry
 * @id: unique id, not reused while the module is loaded
 * @name: unique name, NUL-terminated
 * @lock: everything below (taken inside a member's throttle lock, with
 *	interrupts disabled, and by the timer)
 * @lim: the shared buckets
 * @clock: time source (ktime_get_ns() in production, injected by KUnit)
 * @timer: fires when the first waiter's tokens have accrued
 * @resume_at: clock value the timer was last armed for (tests)
 * @waiters: members queued for tokens, first come first served
 * @members: devices in the group
 * @stats: lifetime counters
 */
struct vblk_group {
	struct list_head node;
	u32 id;
	char name[VBLK_NAME_MAX];
	spinlock_t lock;	/* irqsave outside a throttle lock */
	struct vblk_limits lim;
	u64 (*clock)(struct vblk_group *g);
	struct hrtimer timer;
	u64 resume_at;
	struct list_head waiters;
	unsigned int members;
	struct vblk_group_stats stats;
};

/**
 * struct vblk_group_info - a group as group-get shows it
 * @id: id
 * @name: name
 * @limits: the limits in effect
 * @members: devices in the group
 * @waiting: devices queued for tokens now
 * @stats: lifetime counters
 */
struct vblk_group_info {
	u32 id;
	const char *name;
	struct vblk_throttle_cfg limits;
	unsigned int members;
	unsigned int waiting;
	struct vblk_group_stats stats;
};

/* The data path (vblk_throttle.c). */
void vblk_group_init(struct vblk_group *g, const char *name);
void vblk_group_destroy(struct vblk_group *g);
bool vblk_group_admit(struct vblk_group *g, struct vblk_group_member *m,
		      const u64 cost[VBLK_BKT_NR]);
void vblk_group_unwait(struct vblk_group *g, struct vblk_group_member *m);
void vblk_group_join(struct vblk_group *g, struct vblk_group_member *m);
void vblk_group_leave(struct vblk_group *g, struct vblk_group_member *m);
int vblk_group_set_limits(struct vblk_group *g,
			  const struct vblk_throttle_cfg *cfg, const char **why);
void vblk_group_get_info(struct vblk_group *g, struct vblk_group_info *info);

/* The registry (netlink). */
void vblk_group_lock(void);
void vblk_group_unlock(void);
u32 vblk_group_generation(void);
void vblk_group_members_changed(void);
struct vblk_group *vblk_group_find(const char *name);
struct vblk_group *vblk_group_next(unsigned long *id);
struct vblk_group *vblk_group_add(const char *name,
				  const struct vblk_throttle_cfg *cfg,
				  const char **why);
int vblk_group_del(struct vblk_group *g, const char **why);
void vblk_group_exit(void);

#endif /* _VBLK_GROUP_H */
