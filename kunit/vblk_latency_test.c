// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what a device records and charges per request (suite
 * "vblk_latency"): the log2 latency buckets, service latency (admission to
 * publication) and time throttled per kind of request on the injected
 * clock, per-queue counters, and the throttle charge of flushes and
 * writethrough syncs under a bytes-only limit.
 *
 * Queue q's ring at q * 0x1000 (16 entries); request i's header at
 * 0x10000 + i * 32, its status 16 bytes later, its data at 0x40000 +
 * i * 512.
 */
#include <kunit/test.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake_async.h"

#define LA_QSIZE	16
#define LA_QSIZE_BIG	64
#define LA_CAP		(64 * 1024ULL)
#define LA_HDR(i)	(0x10000ULL + (i) * 32)
#define LA_STATUS(i)	(LA_HDR(i) + 16)
#define LA_DATA(i)	(0x40000ULL + (i) * 512ULL)

/* Queue @vq gets request @i: @type of 512 bytes at sector @i (not kicked). */
static void la_add(struct vblk_fake_dev *fd, struct vblk_fake_vq *vq,
		   unsigned int i, u32 type)
{
	bool in = type == VIRTIO_BLK_T_IN;
	struct vblk_fake_desc d[3] = {
		{ .addr = LA_HDR(i), .len = 16 },
		{ .addr = LA_DATA(i), .len = 512,
		  .flags = in ? VRING_DESC_F_WRITE : 0 },
		{ .addr = LA_STATUS(i), .len = 1, .flags = VRING_DESC_F_WRITE },
	};
	unsigned int n = type == VIRTIO_BLK_T_FLUSH ? 2 : 3;

	if (n == 2)
		d[1] = d[2];
	vblk_fake_write_hdr(fd->mem, LA_HDR(i), type, i);
	vblk_fake_vq_add_chain(vq, d, n);
}

static u64 la_count(const struct vblk_hist *h)
{
	u64 n = 0;
	unsigned int b;

	for (b = 0; b < VBLK_HIST_BUCKETS; b++)
		n += atomic64_read(&h->b[b]);
	return n;
}

static u64 la_bucket(const struct vblk_hist *h, unsigned int b)
{
	return atomic64_read(&h->b[b]);
}

static void vblk_latency_test_buckets(struct kunit *test)
{
	static const struct {
		u64 ns;
		unsigned int bucket;
	} cases[] = {
		{ 0, 0 }, { 999, 0 }, { 1000, 1 }, { 1999, 1 }, { 2000, 2 },
		{ 3999, 2 }, { 4000, 3 }, { 1000000, 10 }, { 1023999, 10 },
		{ 1024000, 11 }, { (1ULL << 23) * 1000 - 1, 23 },
		{ (1ULL << 23) * 1000, 24 }, { (1ULL << 24) * 1000 - 1, 24 },
		{ (1ULL << 24) * 1000, 25 }, { U64_MAX, 25 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, cases[i].bucket,
				    vblk_hist_bucket(cases[i].ns),
				    "%llu ns", cases[i].ns);
}

/* From admission to publication, by kind, on the injected clock. */
static void vblk_latency_test_service(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, LA_CAP, 0,
							LA_QSIZE);
	struct vblk_fake_async *a = vblk_fake_async_new(test, fd->backing);
	const struct vblk_latency *lat = &fd->vd->blk.lat;

	vblk_fake_async_install(fd, a);
	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	la_add(fd, &fd->vq, 0, VIRTIO_BLK_T_IN);
	la_add(fd, &fd->vq, 1, VIRTIO_BLK_T_IN);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_ASSERT_EQ(test, 2, vblk_fake_async_held(a));
	vblk_fake_clock_advance(3000);
	vblk_fake_async_release(a, false);
	vblk_fake_async_settle(fd, a);
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, 2, la_bucket(&lat->service[VBLK_LAT_READ], 2));
	KUNIT_EXPECT_EQ(test, 6000,
			atomic64_read(&lat->service[VBLK_LAT_READ].sum_ns));

	la_add(fd, &fd->vq, 2, VIRTIO_BLK_T_OUT);
	vblk_fake_notify(test, fd->vd, 0);
	vblk_fake_clock_advance(5 * NSEC_PER_MSEC);
	vblk_fake_async_release(a, false);
	vblk_fake_async_settle(fd, a);
	KUNIT_EXPECT_EQ(test, 1, la_bucket(&lat->service[VBLK_LAT_WRITE], 13));
	KUNIT_EXPECT_EQ(test, 1, la_count(&lat->service[VBLK_LAT_WRITE]));

	/* a flush is done in the pass: no time passes on the fake clock */
	la_add(fd, &fd->vq, 3, VIRTIO_BLK_T_FLUSH);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 1, la_bucket(&lat->service[VBLK_LAT_FLUSH], 0));
	/* nothing waited for the throttle, nothing was discarded */
	KUNIT_EXPECT_EQ(test, 0, la_count(&lat->throttled[VBLK_LAT_READ]));
	KUNIT_EXPECT_EQ(test, 0, la_count(&lat->service[VBLK_LAT_DISCARD]));
	KUNIT_EXPECT_EQ(test, 4, vblk_fake_vq_used_idx(&fd->vq));
}

/* Time throttled: from the first refusal to the admission. */
static void vblk_latency_test_throttled(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, LA_CAP, 0,
							LA_QSIZE);
	const struct vblk_throttle_cfg lim = { .iops = 1 };
	const struct vblk_latency *lat = &fd->vd->blk.lat;

	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(&fd->vd->blk.throttle,
						   &lim, NULL));
	la_add(fd, &fd->vq, 0, VIRTIO_BLK_T_IN);
	la_add(fd, &fd->vq, 1, VIRTIO_BLK_T_IN);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_ASSERT_EQ(test, 1, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_ASSERT_EQ(test, 1, vblk_fake_stat(fd, throttled_count));
	/* a kick meanwhile, still short: the wait runs from the refusal */
	vblk_fake_clock_advance(NSEC_PER_SEC / 2);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_ASSERT_EQ(test, 1, vblk_fake_vq_used_idx(&fd->vq));
	vblk_fake_clock_advance(3 * NSEC_PER_SEC / 2);
	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(&fd->vd->blk.throttle,
						   &lim, NULL));
	vblk_fake_host_flush(&fd->host);
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_vq_used_idx(&fd->vq));
	/* 2 s = 2,000,000 us: [2^20, 2^21) us */
	KUNIT_EXPECT_EQ(test, 1, la_bucket(&lat->throttled[VBLK_LAT_READ], 21));
	KUNIT_EXPECT_EQ(test, 1, la_count(&lat->throttled[VBLK_LAT_READ]));
	KUNIT_EXPECT_EQ(test, 2 * NSEC_PER_SEC,
			atomic64_read(&lat->throttled[VBLK_LAT_READ].sum_ns));
	KUNIT_EXPECT_EQ(test, 2, la_count(&lat->service[VBLK_LAT_READ]));
}

/* Requests, bytes and the in-flight peak of each queue. */
static void vblk_latency_test_queue_counters(struct kunit *test)
{
	struct vblk_blk_config cfg = {
		.capacity = LA_CAP >> VBLK_SECTOR_SHIFT, .num_queues = 2,
	};
	struct vblk_fake_dev *fd = vblk_fake_dev_new(test, &cfg, LA_CAP, 0,
						     LA_QSIZE);
	struct vblk_fake_async *a = vblk_fake_async_new(test, fd->backing);
	struct vblk_vq_snapshot s0, s1;
	struct vblk_fake_vq vq[2];
	unsigned int i;

	vblk_fake_vq_init(&vq[0], fd->mem, 0, LA_QSIZE);
	vblk_fake_vq_init(&vq[1], fd->mem, 0x1000, LA_QSIZE);
	vblk_fake_async_install(fd, a);
	vblk_fake_wire_queues(test, fd->vd, vq, 2, false, 0);
	for (i = 0; i < 3; i++)
		la_add(fd, &vq[0], i, VIRTIO_BLK_T_IN);
	vblk_fake_notify(test, fd->vd, 0);
	vblk_fake_async_release(a, false);
	vblk_fake_async_settle(fd, a);
	la_add(fd, &vq[1], 3, VIRTIO_BLK_T_OUT);
	/* past the capacity: an error, counted as a request but no bytes */
	la_add(fd, &vq[1], 4, VIRTIO_BLK_T_IN);
	vblk_fake_write_hdr(fd->mem, LA_HDR(4), VIRTIO_BLK_T_IN, 1000);
	vblk_fake_notify(test, fd->vd, 1);
	vblk_fake_async_release(a, false);
	vblk_fake_async_settle(fd, a);

	vblk_vdev_vq_snapshot(fd->vd, 0, &s0);
	vblk_vdev_vq_snapshot(fd->vd, 1, &s1);
	KUNIT_EXPECT_EQ(test, 3, s0.requests);
	KUNIT_EXPECT_EQ(test, 3 * 512, s0.bytes);
	KUNIT_EXPECT_EQ(test, 3, s0.inflight_peak);
	KUNIT_EXPECT_EQ(test, 2, s1.requests);
	KUNIT_EXPECT_EQ(test, 512, s1.bytes);
	KUNIT_EXPECT_EQ(test, 1, s1.inflight_peak);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, io_errors));
	/* lifetime: a reset keeps them */
	vblk_fake_reg_write(test, fd->vd, VIRTIO_MMIO_STATUS, 0);
	vblk_vdev_vq_snapshot(fd->vd, 0, &s0);
	KUNIT_EXPECT_EQ(test, 3, s0.requests);
}

/*
 * 17 requests of @type on a device limited to bps 1 MiB, which allows 16
 * syncs a second (burst 16) where the data alone would allow 256 pages:
 * 16 complete, the 17th stalls for a sixteenth of a second.
 */
static void la_sync_limited(struct kunit *test, struct vblk_fake_dev *fd,
			    u32 type)
{
	const struct vblk_throttle_cfg lim = { .bps = 1 << 20 };
	unsigned int i;

	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(&fd->vd->blk.throttle,
						   &lim, NULL));
	for (i = 0; i < 17; i++)
		la_add(fd, &fd->vq, i, type);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 16, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, throttled_count));
	KUNIT_EXPECT_EQ(test, NSEC_PER_SEC / 16,
			fd->vd->blk.throttle.resume_at - vblk_fake_clock_now());
	vblk_fake_clock_advance(NSEC_PER_SEC / 16);
	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(&fd->vd->blk.throttle,
						   &lim, NULL));
	vblk_fake_host_flush(&fd->host);
	KUNIT_EXPECT_EQ(test, 17, vblk_fake_vq_used_idx(&fd->vq));
}

/* Flushes and writethrough syncs are charged under a bytes-only limit. */
static void vblk_latency_test_syncs_charged(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, LA_CAP, 0,
							LA_QSIZE_BIG);
	struct vblk_fake_dev *wt = vblk_fake_dev_simple(test, LA_CAP, 0,
							LA_QSIZE_BIG);

	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	la_sync_limited(test, fd, VIRTIO_BLK_T_FLUSH);
	KUNIT_EXPECT_EQ(test, 17, vblk_fake_stat(fd, flushes_completed));

	/* writethrough (no FLUSH): every write's sync is charged too */
	vblk_fake_wire_decline(test, wt->vd, &wt->vq, false,
			       BIT_ULL(VIRTIO_BLK_F_FLUSH));
	la_sync_limited(test, wt, VIRTIO_BLK_T_OUT);
	KUNIT_EXPECT_EQ(test, 17, vblk_fake_stat(wt, writes_completed));
	/*
	 * The bytes bucket paid only for the data: full again after the
	 * 1/16 s wait (64 KiB accrued), it holds 1 MiB less the 17th write's
	 * 512 bytes; a sync charged to it would have left 64 KiB less.
	 */
	KUNIT_EXPECT_EQ(test, (1 << 20) - 512,
			wt->vd->blk.throttle.bytes.tokens);
}

static struct kunit_case vblk_latency_cases[] = {
	KUNIT_CASE(vblk_latency_test_buckets),
	KUNIT_CASE(vblk_latency_test_service),
	KUNIT_CASE(vblk_latency_test_throttled),
	KUNIT_CASE(vblk_latency_test_queue_counters),
	KUNIT_CASE(vblk_latency_test_syncs_charged),
	{}
};

static struct kunit_suite vblk_latency_suite = {
	.name = "vblk_latency",
	.test_cases = vblk_latency_cases,
};

kunit_test_suite(vblk_latency_suite);
