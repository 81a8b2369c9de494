// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the virtio-mmio register file (suite "vblk_mmio"): the
 * identity registers, DeviceFeatures and its selector, access widths and
 * rights, the config space's widths, the queue registers and QueueReady's
 * refusals, InterruptStatus / InterruptACK and QueueNotify, DriverFeatures
 * and its selector, the halves of the ring addresses, QueueSel over two
 * queues, and what a reset clears in the transport.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>

#include "vblk_vt.h"

/* A 32-bit write that may legitimately be ignored; returns the result. */
static int vt_raw_write(struct vblk_fake_dev *fd, u32 off, u32 val)
{
	return vblk_mmio_write(&fd->host.mmio, off, &val, 4);
}

/* Queue 0 registers from the fake queue layout, without QueueReady. */
static void vt_queue_regs(struct kunit *test, struct vblk_fake_dev *fd,
			  u32 num)
{
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_SEL, 0);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_NUM, num);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_DESC_LOW, fd->vq.desc);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_AVAIL_LOW, fd->vq.avail);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_USED_LOW, fd->vq.used);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
}

static void vblk_mmio_test_identity_regs(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);

	KUNIT_EXPECT_EQ(test, 0x74726976, vt_rd(test, fd, 0x000));
	KUNIT_EXPECT_EQ(test, 2, vt_rd(test, fd, VIRTIO_MMIO_VERSION));
	KUNIT_EXPECT_EQ(test, VIRTIO_ID_BLOCK,
			vt_rd(test, fd, VIRTIO_MMIO_DEVICE_ID));
	KUNIT_EXPECT_EQ(test, VBLK_VENDOR_ID,
			vt_rd(test, fd, VIRTIO_MMIO_VENDOR_ID));
	KUNIT_EXPECT_EQ(test, VBLK_QUEUE_NUM_MAX,
			vt_rd(test, fd, VIRTIO_MMIO_QUEUE_NUM_MAX));
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_CONFIG_GENERATION));
	/* no shared memory regions: length reads as -1 */
	vt_wr(test, fd, VIRTIO_MMIO_SHM_SEL, 0);
	KUNIT_EXPECT_EQ(test, U32_MAX, vt_rd(test, fd, VIRTIO_MMIO_SHM_LEN_LOW));
	KUNIT_EXPECT_EQ(test, U32_MAX,
			vt_rd(test, fd, VIRTIO_MMIO_SHM_LEN_HIGH));
	/* a queue that does not exist */
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_SEL, vblk_vdev_num_queues(fd->vd));
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_NUM_MAX));
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
}

static u64 vt_dev_features(struct kunit *test, struct vblk_fake_dev *fd)
{
	u64 f;

	vt_wr(test, fd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (u64)vt_rd(test, fd, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	vt_wr(test, fd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | vt_rd(test, fd, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void vblk_mmio_test_features_offered(struct kunit *test)
{
	static const unsigned int want[] = {
		VIRTIO_F_VERSION_1, VIRTIO_RING_F_EVENT_IDX,
		VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_BLK_F_SIZE_MAX,
		VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_FLUSH,
	};
	struct vblk_blk_config ro = { .capacity = 8, .read_only = true };
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);
	struct vblk_fake_dev *rd = vblk_fake_dev_new(test, &ro, 4096, 0, 16);
	u64 f = vt_dev_features(test, fd);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_TRUE_MSG(test, f & BIT_ULL(want[i]), "bit %u",
				      want[i]);
	KUNIT_EXPECT_FALSE(test, f & BIT_ULL(VIRTIO_F_NOTIFICATION_DATA));
	KUNIT_EXPECT_FALSE(test, f & BIT_ULL(VIRTIO_BLK_F_RO));
	KUNIT_EXPECT_EQ(test, f, vblk_vdev_get_device_features(fd->vd));
	/* selector beyond the 64 feature bits reads 0 */
	vt_wr(test, fd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_DEVICE_FEATURES));

	f = vt_dev_features(test, rd);
	KUNIT_EXPECT_TRUE(test, f & BIT_ULL(VIRTIO_BLK_F_RO));
	KUNIT_EXPECT_FALSE(test, f & BIT_ULL(VIRTIO_F_NOTIFICATION_DATA));
}

static void vblk_mmio_test_bad_accesses(struct kunit *test)
{
	static const struct { u32 off; unsigned int len; } bad[] = {
		{ VIRTIO_MMIO_MAGIC_VALUE, 2 }, { VIRTIO_MMIO_MAGIC_VALUE, 1 },
		{ VIRTIO_MMIO_MAGIC_VALUE, 8 }, { VIRTIO_MMIO_STATUS, 0 },
		{ VIRTIO_MMIO_STATUS, 2 },
		{ VIRTIO_MMIO_VERSION + 2, 4 },
		{ VIRTIO_MMIO_GUEST_PAGE_SIZE, 4 },	/* legacy only */
		{ VIRTIO_MMIO_QUEUE_PFN, 4 },		/* legacy only */
		{ 0x0c0, 4 }, { 0x0f8, 4 },
		{ VIRTIO_MMIO_CONFIG + 1, 2 }, { VIRTIO_MMIO_CONFIG + 2, 4 },
		{ VIRTIO_MMIO_CONFIG, 3 },
		{ VIRTIO_MMIO_CONFIG + sizeof(struct virtio_blk_config), 1 },
		{ VBLK_MMIO_WINDOW - 4, 4 }, { VBLK_MMIO_WINDOW, 4 },
		{ U32_MAX - 1, 4 },
	};
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);
	u32 v = 0x12345678;
	u8 buf[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(buf, 0x5A, sizeof(buf));
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    vblk_mmio_read(&fd->host.mmio, bad[i].off,
						   buf, bad[i].len),
				    "read %#x/%u", bad[i].off, bad[i].len);
		KUNIT_EXPECT_TRUE(test, buf[0] == 0x5A && buf[7] == 0x5A);
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    vblk_mmio_write(&fd->host.mmio, bad[i].off,
						    buf, bad[i].len),
				    "write %#x/%u", bad[i].off, bad[i].len);
	}
	/* a 16-bit Status write must not change the status */
	KUNIT_EXPECT_EQ(test, 0, vt_status(test, fd));

	/* read-only registers ignore writes */
	KUNIT_EXPECT_EQ(test, 0, vt_raw_write(fd, VIRTIO_MMIO_MAGIC_VALUE, v));
	KUNIT_EXPECT_EQ(test, 0x74726976, vt_rd(test, fd, 0));
	KUNIT_EXPECT_EQ(test, 0, vt_raw_write(fd, VIRTIO_MMIO_QUEUE_NUM_MAX, v));
	KUNIT_EXPECT_EQ(test, VBLK_QUEUE_NUM_MAX,
			vt_rd(test, fd, VIRTIO_MMIO_QUEUE_NUM_MAX));
	KUNIT_EXPECT_EQ(test, 0,
			vt_raw_write(fd, VIRTIO_MMIO_INTERRUPT_STATUS, v));
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	/* the config space is read-only too */
	KUNIT_EXPECT_EQ(test, 0, vt_raw_write(fd, VIRTIO_MMIO_CONFIG, v));
	KUNIT_EXPECT_EQ(test, VT_CAP / 512, vt_rd(test, fd, VIRTIO_MMIO_CONFIG));
	/* write-only registers read as 0 */
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_NUM, 16);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_NUM));
}

static u64 vt_cfg(struct kunit *test, struct vblk_fake_dev *fd, u32 off,
		  unsigned int len)
{
	u8 buf[8] = {};

	int ret = vblk_mmio_read(&fd->host.mmio, VIRTIO_MMIO_CONFIG + off, buf,
				      len);

	KUNIT_EXPECT_EQ_MSG(test, 0, ret, "config %#x/%u", off, len);
	return get_unaligned_le64(buf);
}

static void vblk_mmio_test_config_widths(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, 1 << 20, 0, 16);
	u32 cap = offsetof(struct virtio_blk_config, capacity);
	u32 smax = offsetof(struct virtio_blk_config, size_max);
	u32 seg = offsetof(struct virtio_blk_config, seg_max);
	u32 bsz = offsetof(struct virtio_blk_config, blk_size);
	u32 nq = offsetof(struct virtio_blk_config, num_queues);
	u32 end = sizeof(struct virtio_blk_config);

	/* 2048 sectors = 0x800 */
	KUNIT_EXPECT_EQ(test, 0x800, vt_cfg(test, fd, cap, 8));
	KUNIT_EXPECT_EQ(test, 0x800, vt_cfg(test, fd, cap, 4));
	KUNIT_EXPECT_EQ(test, 0, vt_cfg(test, fd, cap + 4, 4));
	KUNIT_EXPECT_EQ(test, 0x800, vt_cfg(test, fd, cap, 2));
	KUNIT_EXPECT_EQ(test, 0x00, vt_cfg(test, fd, cap, 1));
	KUNIT_EXPECT_EQ(test, 0x08, vt_cfg(test, fd, cap + 1, 1));
	KUNIT_EXPECT_EQ(test, VBLK_SIZE_MAX, vt_cfg(test, fd, smax, 4));
	KUNIT_EXPECT_EQ(test, VBLK_SIZE_MAX >> 16, vt_cfg(test, fd, smax + 2, 2));
	KUNIT_EXPECT_EQ(test, VBLK_SEG_MAX, vt_cfg(test, fd, seg, 4));
	KUNIT_EXPECT_EQ(test, VBLK_SEG_MAX, vt_cfg(test, fd, seg, 1));
	/* an 8-byte access over two 32-bit fields */
	KUNIT_EXPECT_EQ(test, VBLK_SIZE_MAX | (u64)VBLK_SEG_MAX << 32,
			vt_cfg(test, fd, smax, 8));
	KUNIT_EXPECT_EQ(test, 512, vt_cfg(test, fd, bsz, 4));
	KUNIT_EXPECT_EQ(test, 2, vt_cfg(test, fd, bsz + 1, 1));
	/* fields of features not offered read as zero */
	KUNIT_EXPECT_EQ(test, 0, vt_cfg(test, fd, nq, 2));
	KUNIT_EXPECT_EQ(test, 0, vt_cfg(test, fd, end - 1, 1));
}

static void vblk_mmio_test_queue_num_refused(struct kunit *test)
{
	static const u32 bad[] = { 0, 3, 100, VBLK_QUEUE_NUM_MAX * 2 };
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		vt_negotiate(test, fd, BIT_ULL(VIRTIO_F_VERSION_1));
		vt_queue_regs(test, fd, bad[i]);
		vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
		KUNIT_EXPECT_EQ_MSG(test, 0,
				    vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY),
				    "num %u", bad[i]);
	}
	vt_negotiate(test, fd, BIT_ULL(VIRTIO_F_VERSION_1));
	vt_queue_regs(test, fd, 16);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
	KUNIT_EXPECT_EQ(test, 1, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
	/* configuration is frozen while ready */
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_NUM, 8);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	KUNIT_EXPECT_EQ(test, 16, fd->vd->qs[0].vq.num);
	KUNIT_EXPECT_EQ(test, fd->vq.desc, fd->vd->qs[0].vq.desc);
	/* a value other than 0 or 1 is ignored */
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 2);
	KUNIT_EXPECT_EQ(test, 1, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 0);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
}

static void vblk_mmio_test_queue_ready_needs_addresses(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);

	/* used ring address never written */
	vt_negotiate(test, fd, BIT_ULL(VIRTIO_F_VERSION_1));
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_NUM, 16);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_DESC_LOW, fd->vq.desc);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_AVAIL_LOW, fd->vq.avail);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));

	/* misaligned descriptor table */
	vt_queue_regs(test, fd, 16);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_DESC_LOW, fd->vq.desc + 8);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));

	/* used ring wrapping the end of the address space */
	vt_queue_regs(test, fd, 16);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_USED_LOW, 0xfffffff0);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_USED_HIGH, U32_MAX);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));

	vt_queue_regs(test, fd, 16);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
	KUNIT_EXPECT_EQ(test, 1, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
}

static void vblk_mmio_test_interrupt_ack(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);

	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_MMIO_INT_VRING,
			vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	vt_wr(test, fd, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	KUNIT_EXPECT_EQ(test, VIRTIO_MMIO_INT_VRING,
			vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	vt_wr(test, fd, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
}

static void vblk_mmio_test_notify_kicks(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0xAB, 16);

	/* before DRIVER_OK: kicked, but nothing is consumed */
	vt_negotiate(test, fd, vblk_vdev_get_device_features(fd->vd));
	vt_queue_regs(test, fd, 16);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->host.kicks));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&fd->vq));
	/* a queue that does not exist is not kicked */
	vblk_fake_notify(test, fd->vd, vblk_vdev_num_queues(fd->vd));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->host.kicks));

	vt_wr(test, fd, VIRTIO_MMIO_STATUS, vt_status(test, fd) |
	      VIRTIO_CONFIG_S_DRIVER_OK);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&fd->host.kicks));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, vblk_fake_rd8(fd->mem, VT_STATUS));
}

static void vblk_mmio_test_driver_features_sel(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);
	u64 want = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_BLK_F_FLUSH);

	vt_wr(test, fd, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	      VIRTIO_CONFIG_S_DRIVER);
	/* each selector value writes its own half */
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES, upper_32_bits(want));
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES, lower_32_bits(want));
	KUNIT_EXPECT_EQ(test, want, vblk_vdev_get_driver_features(fd->vd));
	/* rewriting one half keeps the other */
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	KUNIT_EXPECT_EQ(test, BIT_ULL(VIRTIO_F_VERSION_1),
			vblk_vdev_get_driver_features(fd->vd));
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES, lower_32_bits(want));
	/* a selector beyond the 64 feature bits writes nothing */
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES, U32_MAX);
	KUNIT_EXPECT_EQ(test, want, vblk_vdev_get_driver_features(fd->vd));

	vt_wr(test, fd, VIRTIO_MMIO_STATUS, vt_status(test, fd) |
	      VIRTIO_CONFIG_S_FEATURES_OK);
	KUNIT_EXPECT_TRUE(test, vt_status(test, fd) &
			  VIRTIO_CONFIG_S_FEATURES_OK);
	KUNIT_EXPECT_EQ(test, want, vblk_vdev_get_features(fd->vd));
}

/* Register writes, in order: { offset, value } pairs. */
static void vt_wr_all(struct kunit *test, struct vblk_fake_dev *fd,
		      const u32 (*w)[2], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		vt_wr(test, fd, w[i][0], w[i][1]);
}

static void vblk_mmio_test_queue_addr_halves(struct kunit *test)
{
	static const u32 w[][2] = {
		{ VIRTIO_MMIO_QUEUE_NUM, 16 },
		{ VIRTIO_MMIO_QUEUE_DESC_HIGH, 1 },
		{ VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000 },
		{ VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0x2000 },
		{ VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 2 },
		{ VIRTIO_MMIO_QUEUE_USED_LOW, 0x3000 },
		{ VIRTIO_MMIO_QUEUE_USED_HIGH, 3 },
		/* a low half written again keeps its high half */
		{ VIRTIO_MMIO_QUEUE_DESC_LOW, 0x4000 },
		{ VIRTIO_MMIO_QUEUE_READY, 1 },
	};
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);
	const struct vblk_vq *vq = &fd->vd->qs[0].vq;

	vt_negotiate(test, fd, BIT_ULL(VIRTIO_F_VERSION_1));
	vt_wr_all(test, fd, w, ARRAY_SIZE(w));
	KUNIT_ASSERT_EQ(test, 1, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
	KUNIT_EXPECT_EQ(test, 16, vq->num);
	KUNIT_EXPECT_EQ(test, 0x100004000ULL, vq->desc);
	KUNIT_EXPECT_EQ(test, 0x200002000ULL, vq->avail);
	KUNIT_EXPECT_EQ(test, 0x300003000ULL, vq->used);
}

/* Two queues: QueueSel picks whose registers are read and written. */
static void vblk_mmio_test_queue_sel(struct kunit *test)
{
	static const u32 q1[][2] = {
		{ VIRTIO_MMIO_QUEUE_SEL, 1 },
		{ VIRTIO_MMIO_QUEUE_NUM, 8 },
		{ VIRTIO_MMIO_QUEUE_DESC_LOW, 0x10000 },
		{ VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0x10080 },
		{ VIRTIO_MMIO_QUEUE_USED_LOW, 0x10100 },
		{ VIRTIO_MMIO_QUEUE_READY, 1 },
	};
	struct vblk_blk_config cfg = { .capacity = VT_CAP / 512,
				       .num_queues = 2 };
	struct vblk_fake_dev *fd = vblk_fake_dev_new(test, &cfg, VT_CAP, 0, 16);
	const struct vblk_vdev_queue *qs = fd->vd->qs;

	vt_negotiate(test, fd, BIT_ULL(VIRTIO_F_VERSION_1));
	vt_wr_all(test, fd, q1, ARRAY_SIZE(q1));
	KUNIT_EXPECT_EQ(test, 1, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
	KUNIT_EXPECT_EQ(test, 256, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_NUM_MAX));

	/* queue 0 kept none of it */
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_SEL, 0);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_NUM, 16);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_DESC_LOW, fd->vq.desc);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_AVAIL_LOW, fd->vq.avail);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_USED_LOW, fd->vq.used);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
	KUNIT_EXPECT_EQ(test, 1, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));

	KUNIT_EXPECT_EQ(test, 8, qs[1].vq.num);
	KUNIT_EXPECT_EQ(test, 0x10000, qs[1].vq.desc);
	KUNIT_EXPECT_EQ(test, 0x10100, qs[1].vq.used);
	KUNIT_EXPECT_EQ(test, 16, qs[0].vq.num);
	KUNIT_EXPECT_EQ(test, fd->vq.desc, qs[0].vq.desc);
	/* disabling queue 1 leaves queue 0 alone */
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_SEL, 1);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 0);
	KUNIT_EXPECT_FALSE(test, vblk_vdev_get_vq_ready(fd->vd, 1));
	KUNIT_EXPECT_TRUE(test, vblk_vdev_get_vq_ready(fd->vd, 0));
}

/* Status 0 also resets the transport: selectors, queue registers, ISR. */
static void vblk_mmio_test_reset_clears_transport(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	u64 offer = vblk_vdev_get_device_features(fd->vd);

	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_ASSERT_EQ(test, VIRTIO_MMIO_INT_VRING,
			vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	vt_wr(test, fd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);

	vt_wr(test, fd, VIRTIO_MMIO_STATUS, 0);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	KUNIT_EXPECT_EQ(test, lower_32_bits(offer),
			vt_rd(test, fd, VIRTIO_MMIO_DEVICE_FEATURES));
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	      VIRTIO_CONFIG_S_DRIVER);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES, BIT(VIRTIO_BLK_F_FLUSH));
	KUNIT_EXPECT_EQ(test, BIT_ULL(VIRTIO_BLK_F_FLUSH),
			vblk_vdev_get_driver_features(fd->vd));
	/* the ring addresses written before the reset are forgotten */
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_NUM, 16);
	vt_wr(test, fd, VIRTIO_MMIO_QUEUE_READY, 1);
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
}

static struct kunit_case vblk_mmio_test_cases[] = {
	KUNIT_CASE(vblk_mmio_test_identity_regs),
	KUNIT_CASE(vblk_mmio_test_features_offered),
	KUNIT_CASE(vblk_mmio_test_bad_accesses),
	KUNIT_CASE(vblk_mmio_test_config_widths),
	KUNIT_CASE(vblk_mmio_test_queue_num_refused),
	KUNIT_CASE(vblk_mmio_test_queue_ready_needs_addresses),
	KUNIT_CASE(vblk_mmio_test_interrupt_ack),
	KUNIT_CASE(vblk_mmio_test_notify_kicks),
	KUNIT_CASE(vblk_mmio_test_driver_features_sel),
	KUNIT_CASE(vblk_mmio_test_queue_addr_halves),
	KUNIT_CASE(vblk_mmio_test_queue_sel),
	KUNIT_CASE(vblk_mmio_test_reset_clears_transport),
	{}
};

static struct kunit_suite vblk_mmio_test_suite = {
	.name = "vblk_mmio",
	.test_cases = vblk_mmio_test_cases,
};

kunit_test_suite(vblk_mmio_test_suite);
