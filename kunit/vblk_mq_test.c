// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for multiqueue (suite "vblk_mq"): the offer and config space
 * of a device with several queues, queues served independently, a broken
 * queue that leaves the others running, a reset that clears every queue,
 * one throttle shared by all queues, and per-queue counters.
 *
 * Layout: queue q's rings at q * 0x1000 (16 entries), request q's header
 * at 0x10000 + q * 0x100, status right after it, data at 0x20000 + q *
 * 0x1000.
 */
#include <kunit/test.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"

#define MQ_QUEUES	4
#define MQ_QSIZE	16
#define MQ_CAP		(64 * 1024ULL)
#define MQ_HDR(q)	(0x10000ULL + (q) * 0x100)
#define MQ_STATUS(q)	(MQ_HDR(q) + 0x80)
#define MQ_DATA(q)	(0x20000ULL + (q) * 0x1000)
#define MQ_SENTINEL	0xEE

struct mq_dev {
	struct vblk_fake_dev *fd;
	struct vblk_fake_vq vq[MQ_QUEUES];
};

static void mq_new(struct kunit *test, struct mq_dev *m, unsigned int nq,
		   u8 fill)
{
	struct vblk_blk_config cfg = {
		.capacity = MQ_CAP >> VBLK_SECTOR_SHIFT,
		.num_queues = nq,
	};
	unsigned int q;

	m->fd = vblk_fake_dev_new(test, &cfg, MQ_CAP, fill, MQ_QSIZE);
	for (q = 0; q < nq; q++)
		vblk_fake_vq_init(&m->vq[q], m->fd->mem, q * 0x1000ULL,
				  MQ_QSIZE);
}

static void mq_wire(struct kunit *test, struct mq_dev *m, unsigned int nq)
{
	vblk_fake_wire_queues(test, m->fd->vd, m->vq, nq, false, 0);
}

/* Publish a 512-byte read of sector @q on queue @q (not kicked). */
static void mq_add_read(struct mq_dev *m, unsigned int q)
{
	struct vblk_fake_desc d[3] = {
		{ .addr = MQ_HDR(q), .len = 16 },
		{ .addr = MQ_DATA(q), .len = 512, .flags = VRING_DESC_F_WRITE },
		{ .addr = MQ_STATUS(q), .len = 1, .flags = VRING_DESC_F_WRITE },
	};

	vblk_fake_write_hdr(m->fd->mem, MQ_HDR(q), VIRTIO_BLK_T_IN, q);
	vblk_fake_wr8(m->fd->mem, MQ_STATUS(q), MQ_SENTINEL);
	vblk_fake_vq_add_chain(&m->vq[q], d, 3);
}

/* A register of @m's device. */
static u32 mq_rd(struct kunit *test, struct mq_dev *m, u32 off)
{
	return vblk_fake_reg_read(test, m->fd->vd, off);
}

/* The config space's num_queues field, read as a 32-bit word. */
static u32 mq_num_queues(struct kunit *test, struct mq_dev *m)
{
	u32 nq = offsetof(struct virtio_blk_config, num_queues);

	return mq_rd(test, m, VIRTIO_MMIO_CONFIG + nq - 2) >> 16;
}

static void vblk_mq_test_offer_and_config(struct kunit *test)
{
	struct mq_dev one, four;
	u64 f;

	mq_new(test, &one, 1, 0);
	mq_new(test, &four, MQ_QUEUES, 0);
	f = vblk_vdev_get_device_features(one.fd->vd);
	KUNIT_EXPECT_FALSE(test, f & BIT_ULL(VIRTIO_BLK_F_MQ));
	f = vblk_vdev_get_device_features(four.fd->vd);
	KUNIT_EXPECT_TRUE(test, f & BIT_ULL(VIRTIO_BLK_F_MQ));
	/* num_queues reads 0 unless MQ is offered */
	KUNIT_EXPECT_EQ(test, 0, mq_num_queues(test, &one));
	KUNIT_EXPECT_EQ(test, MQ_QUEUES, mq_num_queues(test, &four));
	/* QueueNumMax says which queues exist */
	vblk_fake_reg_write(test, four.fd->vd, VIRTIO_MMIO_QUEUE_SEL,
			    MQ_QUEUES - 1);
	KUNIT_EXPECT_EQ(test, VBLK_QUEUE_NUM_MAX,
			mq_rd(test, &four, VIRTIO_MMIO_QUEUE_NUM_MAX));
	vblk_fake_reg_write(test, four.fd->vd, VIRTIO_MMIO_QUEUE_SEL,
			    MQ_QUEUES);
	KUNIT_EXPECT_EQ(test, 0, mq_rd(test, &four, VIRTIO_MMIO_QUEUE_NUM_MAX));
}

static void vblk_mq_test_queues_are_independent(struct kunit *test)
{
	struct mq_dev m;
	unsigned int q;

	mq_new(test, &m, MQ_QUEUES, 0x5A);
	mq_wire(test, &m, MQ_QUEUES);
	/* a request on every queue, only queue 2 kicked */
	for (q = 0; q < MQ_QUEUES; q++)
		mq_add_read(&m, q);
	vblk_fake_notify(test, m.fd->vd, 2);
	for (q = 0; q < MQ_QUEUES; q++) {
		KUNIT_EXPECT_EQ(test, q == 2, vblk_fake_vq_used_idx(&m.vq[q]));
		KUNIT_EXPECT_EQ(test, q == 2 ? VIRTIO_BLK_S_OK : MQ_SENTINEL,
				vblk_fake_rd8(m.fd->mem, MQ_STATUS(q)));
	}
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(m.fd, reads_completed));
	/* the others, in another order, each on its own ring */
	vblk_fake_notify(test, m.fd->vd, 3);
	vblk_fake_notify(test, m.fd->vd, 0);
	vblk_fake_notify(test, m.fd->vd, 1);
	for (q = 0; q < MQ_QUEUES; q++) {
		u32 id, len;

		KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&m.vq[q]));
		vblk_fake_vq_used_elem(&m.vq[q], 0, &id, &len);
		KUNIT_EXPECT_EQ(test, 0, id);
		KUNIT_EXPECT_EQ(test, 513, len);
		KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
				vblk_fake_rd8(m.fd->mem, MQ_STATUS(q)));
		KUNIT_EXPECT_TRUE(test, vblk_fake_all(m.fd->mem, MQ_DATA(q),
						      0x5A, 512));
	}
	KUNIT_EXPECT_EQ(test, MQ_QUEUES, vblk_fake_stat(m.fd, reads_completed));
	KUNIT_EXPECT_EQ(test, MQ_QUEUES * 512,
			vblk_fake_stat(m.fd, bytes_read));
}

static void vblk_mq_test_broken_queue_leaves_others(struct kunit *test)
{
	struct mq_dev m;

	mq_new(test, &m, MQ_QUEUES, 0);
	mq_wire(test, &m, MQ_QUEUES);
	/* queue 1: the driver claims more entries than the ring holds */
	vblk_fake_vq_set_avail_idx(&m.vq[1], MQ_QSIZE + 1);
	vblk_fake_notify(test, m.fd->vd, 1);
	KUNIT_EXPECT_TRUE(test, m.fd->vd->qs[1].vq.broken);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(m.fd, invalid_avail_idx_count));
	KUNIT_EXPECT_EQ(test, 1,
			atomic_read(&m.fd->host.events[VBLK_EV_QUEUE_BROKEN]));

	/* queues 0 and 3 keep working; the broken one stays stopped */
	mq_add_read(&m, 0);
	mq_add_read(&m, 3);
	vblk_fake_notify(test, m.fd->vd, 0);
	vblk_fake_notify(test, m.fd->vd, 3);
	vblk_fake_notify(test, m.fd->vd, 1);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&m.vq[0]));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&m.vq[3]));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&m.vq[1]));
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(m.fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(m.fd, invalid_avail_idx_count));
}

static void vblk_mq_test_reset_clears_every_queue(struct kunit *test)
{
	struct mq_dev m;
	unsigned int q;

	mq_new(test, &m, MQ_QUEUES, 0);
	mq_wire(test, &m, MQ_QUEUES);
	for (q = 0; q < MQ_QUEUES; q++) {
		mq_add_read(&m, q);
		vblk_fake_notify(test, m.fd->vd, q);
	}
	vblk_fake_vq_set_avail_idx(&m.vq[2], 100);
	vblk_fake_notify(test, m.fd->vd, 2);
	KUNIT_ASSERT_TRUE(test, m.fd->vd->qs[2].vq.broken);

	vblk_fake_reg_write(test, m.fd->vd, VIRTIO_MMIO_STATUS, 0);
	for (q = 0; q < MQ_QUEUES; q++) {
		const struct vblk_vq *vq = &m.fd->vd->qs[q].vq;

		vblk_fake_reg_write(test, m.fd->vd, VIRTIO_MMIO_QUEUE_SEL, q);
		KUNIT_EXPECT_EQ(test, 0, mq_rd(test, &m, VIRTIO_MMIO_QUEUE_READY));
		KUNIT_EXPECT_FALSE(test, vq->ready);
		KUNIT_EXPECT_FALSE(test, vq->broken);
		KUNIT_EXPECT_EQ(test, 0, vq->num);
		KUNIT_EXPECT_EQ(test, 0, vq->last_avail_idx);
		KUNIT_EXPECT_EQ(test, 0, vq->used_idx);
	}
	/* counters survive the reset; the device comes up again */
	KUNIT_EXPECT_EQ(test, MQ_QUEUES, vblk_fake_stat(m.fd, reads_completed));
	for (q = 0; q < MQ_QUEUES; q++)
		vblk_fake_vq_init(&m.vq[q], m.fd->mem, q * 0x1000ULL,
				  MQ_QSIZE);
	mq_wire(test, &m, MQ_QUEUES);
	mq_add_read(&m, 2);
	vblk_fake_notify(test, m.fd->vd, 2);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&m.vq[2]));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			vblk_fake_rd8(m.fd->mem, MQ_STATUS(2)));
}

/* One iops bucket for the whole device: the second queue stalls too. */
static void vblk_mq_test_throttle_is_shared(struct kunit *test)
{
	struct vblk_throttle_cfg lim = { .iops = 1 };
	struct mq_dev m;

	mq_new(test, &m, MQ_QUEUES, 0);
	mq_wire(test, &m, MQ_QUEUES);
	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_set_limits(m.fd->vd, &lim, NULL));
	mq_add_read(&m, 0);
	mq_add_read(&m, 1);
	vblk_fake_notify(test, m.fd->vd, 0);
	vblk_fake_notify(test, m.fd->vd, 1);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&m.vq[0]));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&m.vq[1]));
	KUNIT_EXPECT_TRUE(test, m.fd->vd->blk.qs[1].throttled);
	KUNIT_EXPECT_FALSE(test, m.fd->vd->blk.qs[0].throttled);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(m.fd, throttled_count));

	/* a second later the timer's kick lets queue 1 through */
	vblk_fake_clock_advance(NSEC_PER_SEC);
	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_set_limits(m.fd->vd, &lim, NULL));
	vblk_fake_host_flush(&m.fd->host);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&m.vq[1]));
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(m.fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(m.fd, currently_throttled_gauge));
}

/* Each queue counts its own chains and bytes; the sums are the device's. */
static void vblk_mq_test_queue_counters(struct kunit *test)
{
	const struct vblk_queue_stats *qs;
	struct vblk_fake_desc bad[2] = {
		{ .addr = MQ_HDR(3), .len = 16 },
		{ .addr = MQ_STATUS(3), .len = 1, .flags = VRING_DESC_F_WRITE },
	};
	static const u64 want_reqs[MQ_QUEUES] = { 2, 0, 1, 1 };
	static const u64 want_bytes[MQ_QUEUES] = { 1024, 0, 512, 0 };
	struct mq_dev m;
	u64 sum = 0;
	unsigned int q;

	mq_new(test, &m, MQ_QUEUES, 0);
	mq_wire(test, &m, MQ_QUEUES);
	/* two reads on queue 0, one on queue 2, a read without data on 3 */
	mq_add_read(&m, 0);
	vblk_fake_notify(test, m.fd->vd, 0);
	mq_add_read(&m, 0);
	mq_add_read(&m, 2);
	vblk_fake_write_hdr(m.fd->mem, MQ_HDR(3), VIRTIO_BLK_T_IN, 0);
	vblk_fake_vq_add_chain(&m.vq[3], bad, 2);
	for (q = 0; q < MQ_QUEUES; q++)
		vblk_fake_notify(test, m.fd->vd, q);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(m.fd->mem, MQ_STATUS(3)));

	/* the failed request on queue 3 completed, but moved nothing */
	for (q = 0; q < MQ_QUEUES; q++) {
		qs = vblk_vdev_queue_stats(m.fd->vd, q);
		KUNIT_EXPECT_EQ(test, want_reqs[q], atomic64_read(&qs->requests));
		KUNIT_EXPECT_EQ(test, want_bytes[q], atomic64_read(&qs->bytes));
	}

	for (q = 0; q < MQ_QUEUES; q++)
		sum += atomic64_read(&vblk_vdev_queue_stats(m.fd->vd, q)->bytes);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(m.fd, bytes_read), sum);
	KUNIT_EXPECT_EQ(test, 3, vblk_fake_stat(m.fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(m.fd, io_errors));
}

static struct kunit_case vblk_mq_cases[] = {
	KUNIT_CASE(vblk_mq_test_offer_and_config),
	KUNIT_CASE(vblk_mq_test_queues_are_independent),
	KUNIT_CASE(vblk_mq_test_broken_queue_leaves_others),
	KUNIT_CASE(vblk_mq_test_reset_clears_every_queue),
	KUNIT_CASE(vblk_mq_test_throttle_is_shared),
	KUNIT_CASE(vblk_mq_test_queue_counters),
	{}
};

static struct kunit_suite vblk_mq_suite = {
	.name = "vblk_mq",
	.test_cases = vblk_mq_cases,
};

kunit_test_suite(vblk_mq_suite);
