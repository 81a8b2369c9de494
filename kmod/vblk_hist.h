/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk latency histograms: log2 buckets of microseconds, updated without
 * locks on the data path (one atomic add per bucket and one for the sum).
 *
 * Bucket 0 counts latencies below 1 us; bucket k (1 to 24) those in
 * [2^(k-1), 2^k) us, so bucket 24 ends at 2^24 us (16.8 s); bucket 25
 * counts everything longer.
 */
#ifndef _VBLK_HIST_H
#define _VBLK_HIST_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/types.h>

#define VBLK_HIST_BUCKETS	26

/**
 * enum vblk_lat_class - the kinds of request a device keeps latencies of
 * @VBLK_LAT_READ: reads
 * @VBLK_LAT_WRITE: writes
 * @VBLK_LAT_FLUSH: flushes
 * @VBLK_LAT_DISCARD: discards
 * @VBLK_LAT_WRITE_ZEROES: write zeroes
 * @VBLK_LAT_NR: number of classes
 */
enum vblk_lat_class {
	VBLK_LAT_READ,
	VBLK_LAT_WRITE,
	VBLK_LAT_FLUSH,
	VBLK_LAT_DISCARD,
	VBLK_LAT_WRITE_ZEROES,
	VBLK_LAT_NR,
};

/**
 * struct vblk_hist - one latency histogram
 * @b: counts per bucket
 * @sum_ns: the latencies' sum in nanoseconds
 */
struct vblk_hist {
	atomic64_t b[VBLK_HIST_BUCKETS];
	atomic64_t sum_ns;
};

/**
 * struct vblk_latency - a device's latencies, lifetime
 * @service: from a request's admission (the throttle let it through) to
 *	its publication in the used ring
 * @throttled: from the first refusal by the throttle to the admission,
 *	for requests that had to wait
 */
struct vblk_latency {
	struct vblk_hist service[VBLK_LAT_NR];
	struct vblk_hist throttled[VBLK_LAT_NR];
};

/**
 * vblk_hist_bucket() - the bucket of a latency
 * @ns: nanoseconds
 *
 * Return: 0 to %VBLK_HIST_BUCKETS - 1.
 */
static inline unsigned int vblk_hist_bucket(u64 ns)
{
	return min_t(unsigned int, fls64(div_u64(ns, 1000)),
		     VBLK_HIST_BUCKETS - 1);
}

/**
 * vblk_hist_add() - count one latency
 * @h: the histogram
 * @ns: nanoseconds
 */
static inline void vblk_hist_add(struct vblk_hist *h, u64 ns)
{
	atomic64_inc(&h->b[vblk_hist_bucket(ns)]);
	atomic64_add(ns, &h->sum_ns);
}

#endif /* _VBLK_HIST_H */
