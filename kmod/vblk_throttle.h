/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk throttle: two token buckets per device (operations and bytes), with
 * an exact resume timer. See Documentation/throttle.rst.
 */
#ifndef _VBLK_THROTTLE_H
#define _VBLK_THROTTLE_H

#include <linux/bits.h>
#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/* Largest accepted rate, in operations or bytes per second (1 TiB/s). */
#define VBLK_THROTTLE_RATE_MAX		BIT_ULL(40)
/* Largest accepted burst capacity; also the most one request is charged. */
#define VBLK_THROTTLE_BURST_MAX		BIT_ULL(50)
/* Longest resume wait ever armed (about 136 years), in nanoseconds. */
#define VBLK_THROTTLE_WAIT_MAX		(BIT_ULL(32) * NSEC_PER_SEC)

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
 * @frac: accrued fraction of the next token, in units of 1/NSEC_PER_SEC
 *	token (always below NSEC_PER_SEC; 0 while the bucket is full)
 * @rate_hi: @rate / NSEC_PER_SEC, whole tokens per nanosecond
 * @rate_lo: @rate % NSEC_PER_SEC
 */
struct vblk_bucket {
	u64 rate;
	u64 burst;
	s64 tokens;
	u32 frac;
	u32 rate_lo;
	u64 rate_hi;
};

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
 * @ops: operations bucket
 * @bytes: bytes bucket
 * @last_ns: clock value the buckets were last refilled at
 * @clock: time source (ktime_get_ns() in production, injected by KUnit)
 * @timer: fires when a stalled request's tokens have accrued
 * @resume: called (from the timer or a limit change) to restart the queue
 * @resume_at: clock value the timer was last armed for (diagnostics, tests)
 * @stalled: a request is waiting for tokens
 */
struct vblk_throttle {
	spinlock_t lock;	/* irqsave; guards every field below */
	struct vblk_bucket ops;
	struct vblk_bucket bytes;
	u64 last_ns;
	vblk_clock_fn clock;
	struct hrtimer timer;
	void (*resume)(struct vblk_throttle *t);
	u64 resume_at;
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
