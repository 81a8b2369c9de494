/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk token buckets: exact-refill buckets with an exact wait, and the set
 * of buckets one set of limits makes (totals, per direction, syncs). Used
 * by a device's throttle (vblk_throttle.c) and by limit groups
 * (vblk_group.c). See Documentation/throttle.rst.
 */
#ifndef _VBLK_BUCKET_H
#define _VBLK_BUCKET_H

#include <linux/bits.h>
#include <linux/time64.h>
#include <linux/types.h>

/* Largest accepted rate, in operations or bytes per second (1 TiB/s). */
#define VBLK_THROTTLE_RATE_MAX		BIT_ULL(40)
/* Largest accepted burst capacity; also the most one request is charged. */
#define VBLK_THROTTLE_BURST_MAX		BIT_ULL(50)
/* Longest resume wait ever armed (about 136 years), in nanoseconds. */
#define VBLK_THROTTLE_WAIT_MAX		(BIT_ULL(32) * NSEC_PER_SEC)
/*
 * A sync (a flush, the sync of a write-through write) weighs this many
 * bytes of a bytes-per-second limit: such a limit also allows bps / 64 KiB
 * syncs per second, from their own bucket.
 */
#define VBLK_THROTTLE_SYNC_BYTES	(64U << 10)
/*
 * The most bytes one write zeroes request is charged, whatever its ranges
 * cover (up to 2 GiB): the size of the largest data segment (size_max).
 * With a bytes limit of B per second, it delays the next request, of its
 * device or of its group's other members, by at most this / B.
 */
#define VBLK_THROTTLE_ZERO_BYTES	BIT_ULL(20)

/**
 * struct vblk_throttle_cfg - limits; a rate of 0 means unlimited, a burst
 *	of 0 one second's worth
 * @iops: operations per second
 * @iops_burst: operation bucket capacity
 * @bps: bytes per second
 * @bps_burst: byte bucket capacity
 * @iops_read: read operations per second
 * @iops_read_burst: their bucket's capacity
 * @iops_write: write operations (writes, write zeroes, discards, flushes)
 *	per second
 * @iops_write_burst: their bucket's capacity
 * @bps_read: bytes read per second
 * @bps_read_burst: their bucket's capacity
 * @bps_write: bytes written (writes, write zeroes) per second
 * @bps_write_burst: their bucket's capacity
 */
struct vblk_throttle_cfg {
	u64 iops;
	u64 iops_burst;
	u64 bps;
	u64 bps_burst;
	u64 iops_read;
	u64 iops_read_burst;
	u64 iops_write;
	u64 iops_write_burst;
	u64 bps_read;
	u64 bps_read_burst;
	u64 bps_write;
	u64 bps_write_burst;
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

/**
 * enum vblk_bkt - the buckets of one set of limits
 * @VBLK_BKT_OPS: operations (iops)
 * @VBLK_BKT_BYTES: bytes (bps)
 * @VBLK_BKT_OPS_READ: read operations (iops-read)
 * @VBLK_BKT_OPS_WRITE: write operations (iops-write)
 * @VBLK_BKT_BYTES_READ: bytes read (bps-read)
 * @VBLK_BKT_BYTES_WRITE: bytes written (bps-write)
 * @VBLK_BKT_SYNC: syncs, derived from bps or bps-write
 * @VBLK_BKT_NR: number of buckets
 */
enum vblk_bkt {
	VBLK_BKT_OPS,
	VBLK_BKT_BYTES,
	VBLK_BKT_OPS_READ,
	VBLK_BKT_OPS_WRITE,
	VBLK_BKT_BYTES_READ,
	VBLK_BKT_BYTES_WRITE,
	VBLK_BKT_SYNC,
	VBLK_BKT_NR,
};

/**
 * enum vblk_dir - which per-direction buckets a request is charged to
 * @VBLK_DIR_NONE: none (the totals only)
 * @VBLK_DIR_READ: reads
 * @VBLK_DIR_WRITE: writes, write zeroes, discards and flushes
 */
enum vblk_dir {
	VBLK_DIR_NONE,
	VBLK_DIR_READ,
	VBLK_DIR_WRITE,
};

/**
 * struct vblk_cost - what one request costs
 * @ops: operations (1 for every request that is charged)
 * @bytes: bytes (data length; the ranges of a write zeroes)
 * @syncs: syncs (a flush, a discard, a write made durable before it
 *	completes)
 * @dir: the direction buckets it is charged to
 */
struct vblk_cost {
	u64 ops;
	u64 bytes;
	u64 syncs;
	enum vblk_dir dir;
};

/**
 * struct vblk_limits - the buckets of one set of limits and their clock
 *	reference
 * @last_ns: clock value the buckets were last refilled at
 * @b: the buckets, by enum vblk_bkt
 */
struct vblk_limits {
	u64 last_ns;
	struct vblk_bucket b[VBLK_BKT_NR];
};

int vblk_throttle_check(const struct vblk_throttle_cfg *cfg,
			const char **why);
void vblk_limits_init(struct vblk_limits *l, u64 now);
void vblk_limits_refill(struct vblk_limits *l, u64 now);
void vblk_limits_configure(struct vblk_limits *l,
			   const struct vblk_throttle_cfg *cfg);
void vblk_limits_get(const struct vblk_limits *l,
		     struct vblk_throttle_cfg *cfg);
void vblk_limits_cost(const struct vblk_cost *c, u64 cost[VBLK_BKT_NR]);
u64 vblk_limits_short(const struct vblk_limits *l,
		      const u64 cost[VBLK_BKT_NR]);
void vblk_limits_take(struct vblk_limits *l, const u64 cost[VBLK_BKT_NR]);

#endif /* _VBLK_BUCKET_H */
