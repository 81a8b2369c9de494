/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk throttle: two token buckets per device (operations and bytes), with
 * an exact resume timer.
 */
#ifndef _VBLK_THROTTLE_H
#define _VBLK_THROTTLE_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/**
 * struct vblk_throttle_cfg - throttle limits; a rate of 0 means unlimited
 * @iops: operations per second
 * @iops_burst: operation bucket capacity (0: one second's worth)
 * @bps: bytes per second
 * @bps_burst: byte bucket capacity (0: one second's worth)
 */
struct vblk_throttle_cfg {
	u64 iops;
	u64 iops_burst;
	u64 bps;
	u64 bps_burst;
};

/**
 * struct vblk_bucket - one token bucket
 * @rate: tokens per second, 0 when unlimited
 * @burst: capacity in tokens
 * @tokens: current level; negative while in debt after an oversize request
 */
struct vblk_bucket {
	u64 rate;
	u64 burst;
	s64 tokens;
};

struct vblk_throttle;

/**
 * typedef vblk_clock_fn - the throttle's time source, in nanoseconds
 * @t: the throttle asking
 */
typedef u64 (*vblk_clock_fn)(struct vblk_throttle *t);

/**
 * struct vblk_throttle - per-device throttle state
 * @lock: protects everything below (taken from the worker and the timer)
 * @ops: operations bucket
 * @bytes: bytes bucket
 * @last_ns: clock value the buckets were last refilled at
 * @clock: time source (ktime_get_ns() in production, injected by KUnit)
 * @timer: fires when a stalled request's tokens have accrued
 * @resume: called (from the timer or a limit change) to restart the queue
 * @stalled: a request is waiting for tokens
 */
struct vblk_throttle {
	spinlock_t lock;
	struct vblk_bucket ops;
	struct vblk_bucket bytes;
	u64 last_ns;
	vblk_clock_fn clock;
	struct hrtimer timer;
	void (*resume)(struct vblk_throttle *t);
	bool stalled;
};

void vblk_throttle_init(struct vblk_throttle *t,
			void (*resume)(struct vblk_throttle *t));
int vblk_throttle_check(const struct vblk_throttle_cfg *cfg,
			const char **why);
int vblk_throttle_set(struct vblk_throttle *t,
		      const struct vblk_throttle_cfg *cfg, const char **why);
void vblk_throttle_get(struct vblk_throttle *t, struct vblk_throttle_cfg *cfg);
bool vblk_throttle_admit(struct vblk_throttle *t, u64 ops, u64 bytes);
void vblk_throttle_cancel(struct vblk_throttle *t);

#endif /* _VBLK_THROTTLE_H */
