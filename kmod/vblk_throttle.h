/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk throttle: a device's token buckets (operations and bytes in total
 * and per direction, syncs), an exact resume timer, and the device's place
 * in a limit group. See Documentation/throttle.rst.
 */
#ifndef _VBLK_THROTTLE_H
#define _VBLK_THROTTLE_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/types.h>

#include "vblk_bucket.h"
#include "vblk_group.h"

struct vblk_throttle;

/**
 * typedef vblk_clock_fn - the throttle's time source, in nanoseconds
 * @t: the throttle asking
 */
typedef u64 (*vblk_clock_fn)(struct vblk_throttle *t);

/**
 * struct vblk_throttle - per-device throttle state
 * @lock: protects everything below (taken from the worker, the netlink
 *	handlers and the timer; always with interrupts disabled)
 * @lim: the buckets and their refill reference
 * @last_ns: @lim.last_ns
 * @ops: @lim.b[VBLK_BKT_OPS], the operations bucket
 * @bytes: @lim.b[VBLK_BKT_BYTES], the bytes bucket
 * @clock: time source (ktime_get_ns() in production, injected by KUnit)
 * @timer: fires when a stalled request's tokens have accrued
 * @resume: called (from the timer, a limit change or the group) to restart
 *	the queues
 * @resume_at: clock value the timer was last armed for (diagnostics, tests)
 * @stalled: a request is waiting for tokens
 * @group: the limit group the device is in, NULL when none
 * @member: the device's place in @group
 */
struct vblk_throttle {
	spinlock_t lock;	/* irqsave; guards every field below */
	union {
		struct vblk_limits lim;
		struct {
			u64 last_ns;
			struct vblk_bucket ops;
			struct vblk_bucket bytes;
		};
	};
	vblk_clock_fn clock;
	struct hrtimer timer;
	void (*resume)(struct vblk_throttle *t);
	u64 resume_at;
	bool stalled;
	struct vblk_group *group;
	struct vblk_group_member member;
};

static_assert(offsetof(struct vblk_throttle, last_ns) ==
	      offsetof(struct vblk_throttle, lim.last_ns));
static_assert(offsetof(struct vblk_throttle, ops) ==
	      offsetof(struct vblk_throttle, lim.b[VBLK_BKT_OPS]));
static_assert(offsetof(struct vblk_throttle, bytes) ==
	      offsetof(struct vblk_throttle, lim.b[VBLK_BKT_BYTES]));

void vblk_throttle_init(struct vblk_throttle *t,
			void (*resume)(struct vblk_throttle *t));
int vblk_throttle_set(struct vblk_throttle *t,
		      const struct vblk_throttle_cfg *cfg, const char **why);
void vblk_throttle_get(struct vblk_throttle *t, struct vblk_throttle_cfg *cfg);
bool vblk_throttle_admit(struct vblk_throttle *t, u64 ops, u64 bytes);
bool vblk_throttle_admit_cost(struct vblk_throttle *t,
			      const struct vblk_cost *cost);
u64 vblk_throttle_now(struct vblk_throttle *t);
void vblk_throttle_unwait(struct vblk_throttle *t);
void vblk_throttle_cancel(struct vblk_throttle *t);
void vblk_throttle_set_group(struct vblk_throttle *t, struct vblk_group *g);

#endif /* _VBLK_THROTTLE_H */
