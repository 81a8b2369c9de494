// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the vblk device model (suite "vblk_vdev"): the register
 * file and status machine, reset, the virtqueue walker's checks (indirect
 * tables, loops, indices, avail index jumps), GET_ID, notification
 * re-arming, fairness, and a randomized chain test. The seed contract is
 * covered by vblk_seed_test.c and not repeated here.
 */
#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"

/* Guest layout used by the chain tests (all in RAM0, rings at 0). */
#define VT_HDR		0x4000ULL
#define VT_TABLE	0x5000ULL
#define VT_STATUS	0x6000ULL
#define VT_DATA		0x8000ULL
#define VT_CAP		(64 * 1024ULL)
#define VT_SENTINEL	0xEE

#define VT_W		VRING_DESC_F_WRITE

static struct vblk_fake_dev *vt_dev(struct kunit *test, u16 qnum,
				    bool event_idx)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0xAB,
							qnum);

	vblk_fake_wire(test, fd->vd, &fd->vq, event_idx);
	return fd;
}

static u32 vt_rd(struct kunit *test, struct vblk_fake_dev *fd, u32 off)
{
	return vblk_fake_reg_read(test, fd->vd, off);
}

static void vt_wr(struct kunit *test, struct vblk_fake_dev *fd, u32 off,
		  u32 val)
{
	vblk_fake_reg_write(test, fd->vd, off, val);
}

/* A 32-bit write that may legitimately be ignored; returns the result. */
static int vt_raw_write(struct vblk_fake_dev *fd, u32 off, u32 val)
{
	return vblk_mmio_write(&fd->host.mmio, off, &val, 4);
}

static u32 vt_status(struct kunit *test, struct vblk_fake_dev *fd)
{
	return vt_rd(test, fd, VIRTIO_MMIO_STATUS);
}

/* Reset, ACKNOWLEDGE | DRIVER, offer @feat as driver features. */
static void vt_negotiate(struct kunit *test, struct vblk_fake_dev *fd,
			 u64 feat)
{
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, 0);
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vt_wr(test, fd, VIRTIO_MMIO_STATUS,
	      VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES, lower_32_bits(feat));
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES, upper_32_bits(feat));
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, vt_status(test, fd) |
	      VIRTIO_CONFIG_S_FEATURES_OK);
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

/* header + data + status of a T_IN/T_OUT/... request */
static void vt_rw_descs(struct vblk_fake_desc *d, u32 data_len, bool in,
			u64 data)
{
	d[0] = (struct vblk_fake_desc){ .addr = VT_HDR, .len = 16 };
	d[1] = (struct vblk_fake_desc){ .addr = data, .len = data_len,
					.flags = in ? VT_W : 0 };
	d[2] = (struct vblk_fake_desc){ .addr = VT_STATUS, .len = 1,
					.flags = VT_W };
}

/* Plant a one-sector read of sector 0 and publish it directly. */
static u16 vt_add_read(struct vblk_fake_dev *fd)
{
	struct vblk_fake_desc d[3];

	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vt_rw_descs(d, 512, true, VT_DATA);
	return vblk_fake_vq_add_chain(&fd->vq, d, 3);
}

static void vt_expect_dropped(struct kunit *test, struct vblk_fake_dev *fd,
			      u64 errors)
{
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, errors, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, VT_SENTINEL, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->reads));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->host.mmio.isr));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->host.signals));
}

/* ------------------------------------------------------------------ */
/* Register file                                                      */
/* ------------------------------------------------------------------ */

static void vblk_vdev_test_identity_regs(struct kunit *test)
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

static void vblk_vdev_test_features_offered(struct kunit *test)
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

static void vblk_vdev_test_features_ok_refused(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);
	u64 offer = vblk_vdev_get_device_features(fd->vd);
	const u64 bad[] = {
		offer | BIT_ULL(VIRTIO_F_NOTIFICATION_DATA),
		offer | BIT_ULL(VIRTIO_BLK_F_RO),	/* not offered: RW */
		offer & ~BIT_ULL(VIRTIO_F_VERSION_1),	/* legacy driver */
		0,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		vt_negotiate(test, fd, bad[i]);
		KUNIT_EXPECT_FALSE_MSG(test, vt_status(test, fd) &
				       VIRTIO_CONFIG_S_FEATURES_OK, "case %u", i);
		/* DRIVER_OK needs FEATURES_OK */
		vt_wr(test, fd, VIRTIO_MMIO_STATUS, vt_status(test, fd) |
		      VIRTIO_CONFIG_S_DRIVER_OK);
		KUNIT_EXPECT_FALSE(test, vt_status(test, fd) &
				   VIRTIO_CONFIG_S_DRIVER_OK);
	}

	vt_negotiate(test, fd, BIT_ULL(VIRTIO_F_VERSION_1));
	KUNIT_EXPECT_TRUE(test, vt_status(test, fd) &
			  VIRTIO_CONFIG_S_FEATURES_OK);
	KUNIT_EXPECT_EQ(test, BIT_ULL(VIRTIO_F_VERSION_1), fd->vd->features);
	/* driver features are frozen once FEATURES_OK stuck */
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES,
	      BIT(VIRTIO_RING_F_EVENT_IDX));
	KUNIT_EXPECT_EQ(test, BIT_ULL(VIRTIO_F_VERSION_1), fd->vd->features);
	KUNIT_EXPECT_EQ(test, BIT_ULL(VIRTIO_F_VERSION_1),
			fd->vd->driver_features);
}

static void vblk_vdev_test_status_bits_only_set(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);
	u32 both = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	vt_wr(test, fd, VIRTIO_MMIO_STATUS, both);
	KUNIT_EXPECT_EQ(test, both, vt_status(test, fd));
	/* clearing a bit without a reset is ignored */
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	KUNIT_EXPECT_EQ(test, both, vt_status(test, fd));
	/* DEVICE_NEEDS_RESET belongs to the device */
	vt_wr(test, fd, VIRTIO_MMIO_STATUS,
	      both | VIRTIO_CONFIG_S_NEEDS_RESET);
	KUNIT_EXPECT_EQ(test, both, vt_status(test, fd));
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, both | VIRTIO_CONFIG_S_FAILED);
	KUNIT_EXPECT_EQ(test, both | VIRTIO_CONFIG_S_FAILED,
			vt_status(test, fd));
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, 0);
	KUNIT_EXPECT_EQ(test, 0, vt_status(test, fd));
}

static void vblk_vdev_test_bad_accesses(struct kunit *test)
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

static void vblk_vdev_test_config_widths(struct kunit *test)
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

static void vblk_vdev_test_set_capacity(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);

	vblk_vdev_set_capacity(fd->vd, 4);
	KUNIT_EXPECT_EQ(test, 1, vt_rd(test, fd, VIRTIO_MMIO_CONFIG_GENERATION));
	KUNIT_EXPECT_EQ(test, 4, vt_rd(test, fd, VIRTIO_MMIO_CONFIG));
	KUNIT_EXPECT_EQ(test, VIRTIO_MMIO_INT_CONFIG,
			vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->host.signals));
	/* the shrunk capacity applies to the next request */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 4);
	{
		struct vblk_fake_desc d[3];

		vt_rw_descs(d, 512, true, VT_DATA);
		vblk_fake_vq_add_chain(&fd->vq, d, 3);
	}
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));
}

static void vblk_vdev_test_queue_num_refused(struct kunit *test)
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

static void vblk_vdev_test_queue_ready_needs_addresses(struct kunit *test)
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

static void vblk_vdev_test_reset_keeps_counters(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, true);

	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_ASSERT_EQ(test, 1, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_NE(test, 0, vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));

	vt_wr(test, fd, VIRTIO_MMIO_STATUS, 0);
	KUNIT_EXPECT_EQ(test, 0, vt_status(test, fd));
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_QUEUE_READY));
	KUNIT_EXPECT_EQ(test, 0, vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	KUNIT_EXPECT_EQ(test, 0, fd->vd->features);
	KUNIT_EXPECT_EQ(test, 0, fd->vd->qs[0].vq.last_avail_idx);
	KUNIT_EXPECT_EQ(test, 0, fd->vd->qs[0].vq.used_idx);
	KUNIT_EXPECT_EQ(test, 0, fd->vd->qs[0].vq.num);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 512, vblk_fake_stat(fd, bytes_read));

	/* a notify on the reset queue does nothing */
	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, reads_completed));

	/* the driver starts over on fresh rings */
	vblk_fake_vq_init(&fd->vq, fd->mem, 0, 16);
	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&fd->vq));
}

static void vblk_vdev_test_interrupt_ack(struct kunit *test)
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

static void vblk_vdev_test_notify_kicks(struct kunit *test)
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

/* ------------------------------------------------------------------ */
/* Walker                                                             */
/* ------------------------------------------------------------------ */

static void vblk_vdev_test_indirect_valid(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_desc d[3];
	u32 id, len;
	u16 head;

	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	vt_rw_descs(d, 1024, true, VT_DATA);
	head = vblk_fake_vq_add_indirect(&fd->vq, VT_TABLE, d, 3);
	vblk_fake_notify(test, fd->vd, 0);

	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, VT_DATA, 0xAB, 1024));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&fd->vq));
	vblk_fake_vq_used_elem(&fd->vq, 0, &id, &len);
	KUNIT_EXPECT_EQ(test, head, id);
	KUNIT_EXPECT_EQ(test, 1024 + 1, len);
	KUNIT_EXPECT_EQ(test, 1024, vblk_fake_stat(fd, bytes_read));
}

/* Publish one INDIRECT descriptor with the given table length and flags. */
static void vt_add_raw_indirect(struct vblk_fake_dev *fd, u32 len, u16 flags)
{
	struct vblk_fake_desc ind = {
		.addr = VT_TABLE, .len = len,
		.flags = VRING_DESC_F_INDIRECT | flags, .next = 1,
	};
	struct vblk_fake_desc st = { .addr = VT_STATUS, .len = 1, .flags = VT_W };

	vblk_fake_vq_write_desc(&fd->vq, 0, &ind);
	vblk_fake_vq_write_desc(&fd->vq, 1, &st);
	vblk_fake_vq_publish(&fd->vq, 0);
}

/* A valid 3-entry read table at VT_TABLE (used by the bad-table cases). */
static void vt_plant_table(struct vblk_fake_dev *fd)
{
	struct vblk_fake_desc d[3];
	unsigned int i;

	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vt_rw_descs(d, 512, true, VT_DATA);
	for (i = 0; i < 3; i++) {
		u64 a = VT_TABLE + 16 * i;

		vblk_fake_wr64(fd->mem, a, d[i].addr);
		vblk_fake_wr32(fd->mem, a + 8, d[i].len);
		vblk_fake_wr16(fd->mem, a + 12,
			       d[i].flags | (i < 2 ? VRING_DESC_F_NEXT : 0));
		vblk_fake_wr16(fd->mem, a + 14, i + 1);
	}
}

static void vblk_vdev_test_indirect_bad_tables(struct kunit *test)
{
	static const struct { u32 len; u16 flags; } bad[] = {
		{ 0, 0 },			/* empty table */
		{ 24, 0 },			/* not a multiple of 16 */
		/* more entries than the queue and a chain can have */
		{ (VBLK_VQ_CHAIN_MAX + 1) * 16, 0 },
		{ 3 * 16, VRING_DESC_F_NEXT },	/* INDIRECT with NEXT */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct vblk_fake_dev *fd = vt_dev(test, 16, false);

		vt_plant_table(fd);
		vt_add_raw_indirect(fd, bad[i].len, bad[i].flags);
		vblk_fake_notify(test, fd->vd, 0);
		kunit_info(test, "bad table %u", i);
		vt_expect_dropped(test, fd, 1);
		KUNIT_EXPECT_EQ(test, 1, fd->vd->qs[0].vq.last_avail_idx);
	}
}

/*
 * A request of SEG_MAX data segments needs SEG_MAX + 2 descriptors: on a
 * ring smaller than that it comes as one indirect table longer than the
 * ring, and is served, not dropped.
 */
static void vblk_vdev_test_indirect_max_request_small_ring(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	unsigned int i, n = VBLK_SEG_MAX + 2;
	struct vblk_fake_desc *d;

	d = kunit_kcalloc(test, n, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	d[0] = (struct vblk_fake_desc){ .addr = VT_HDR, .len = 16 };
	for (i = 1; i + 1 < n; i++)
		d[i] = (struct vblk_fake_desc){
			.addr = VT_DATA + (i - 1) * 512ULL, .len = 512,
			.flags = VT_W,
		};
	d[n - 1] = (struct vblk_fake_desc){
		.addr = VT_STATUS, .len = 1, .flags = VT_W,
	};
	vblk_fake_vq_add_indirect(&fd->vq, VT_TABLE, d, n);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, VBLK_SEG_MAX * 512, vblk_fake_stat(fd, bytes_read));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, io_errors));
}

static void vblk_vdev_test_indirect_nested(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);

	vt_plant_table(fd);
	/* the table's second entry points at another table */
	vblk_fake_wr16(fd->mem, VT_TABLE + 16 + 12,
		       VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT);
	vblk_fake_wr32(fd->mem, VT_TABLE + 16 + 8, 48);
	vblk_fake_wr64(fd->mem, VT_TABLE + 16, VT_TABLE);
	vt_add_raw_indirect(fd, 3 * 16, 0);
	vblk_fake_notify(test, fd->vd, 0);
	vt_expect_dropped(test, fd, 1);
}

static void vblk_vdev_test_indirect_table_in_hole(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_desc ind = {
		.addr = VBLK_FAKE_HOLE, .len = 48, .flags = VRING_DESC_F_INDIRECT,
	};

	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vblk_fake_vq_write_desc(&fd->vq, 0, &ind);
	vblk_fake_vq_publish(&fd->vq, 0);
	vblk_fake_notify(test, fd->vd, 0);
	vt_expect_dropped(test, fd, 1);
	KUNIT_EXPECT_GT(test, atomic_read(&fd->mem->outside), 0);
}

static void vblk_vdev_test_descriptor_loops(struct kunit *test)
{
	struct vblk_fake_desc a = { .addr = VT_HDR, .len = 16,
				    .flags = VRING_DESC_F_NEXT, .next = 1 };
	struct vblk_fake_desc b = { .addr = VT_STATUS, .len = 1,
				    .flags = VT_W | VRING_DESC_F_NEXT, .next = 0 };
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_dev *big = vt_dev(test, 256, false);

	/* 0 -> 1 -> 0 in a 16-entry table */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_FLUSH, 0);
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vblk_fake_vq_write_desc(&fd->vq, 0, &a);
	vblk_fake_vq_write_desc(&fd->vq, 1, &b);
	vblk_fake_vq_publish(&fd->vq, 0);
	vblk_fake_notify(test, fd->vd, 0);
	vt_expect_dropped(test, fd, 1);

	/* a self loop in a 256-entry table (caught by the chain bound) */
	a.next = 0;
	vblk_fake_wr8(big->mem, VT_STATUS, VT_SENTINEL);
	vblk_fake_vq_write_desc(&big->vq, 0, &a);
	vblk_fake_vq_publish(&big->vq, 0);
	vblk_fake_notify(test, big->vd, 0);
	vt_expect_dropped(test, big, 1);
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&big->backing->syncs));
}

static void vblk_vdev_test_index_out_of_range(struct kunit *test)
{
	struct vblk_fake_desc a = { .addr = VT_HDR, .len = 16,
				    .flags = VRING_DESC_F_NEXT, .next = 16 };
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);

	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_FLUSH, 0);
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	/* head beyond the queue size */
	vblk_fake_vq_publish(&fd->vq, 16);
	/* next beyond the queue size */
	vblk_fake_vq_write_desc(&fd->vq, 0, &a);
	vblk_fake_vq_publish(&fd->vq, 0);
	/* head far beyond */
	vblk_fake_vq_publish(&fd->vq, U16_MAX);
	vblk_fake_notify(test, fd->vd, 0);
	vt_expect_dropped(test, fd, 3);
	KUNIT_EXPECT_EQ(test, 3, fd->vd->qs[0].vq.last_avail_idx);
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->syncs));
}

static void vblk_vdev_test_avail_index_jump(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, true);

	vt_add_read(fd);
	vblk_fake_vq_set_avail_idx(&fd->vq, 17);	/* 17 ahead of 0 */
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, invalid_avail_idx_count));
	KUNIT_EXPECT_EQ(test, 1,
			atomic_read(&fd->host.events[VBLK_EV_QUEUE_BROKEN]));
	KUNIT_EXPECT_TRUE(test, fd->vd->qs[0].vq.broken);
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, reads_completed));
	/* the driver learns it: DEVICE_NEEDS_RESET and a config interrupt */
	KUNIT_EXPECT_TRUE(test, vt_status(test, fd) & VIRTIO_CONFIG_S_NEEDS_RESET);
	KUNIT_EXPECT_EQ(test, VIRTIO_MMIO_INT_CONFIG,
			vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->host.signals));
	/* status writes other than a reset change nothing any more */
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, vt_status(test, fd));
	KUNIT_EXPECT_TRUE(test, vt_status(test, fd) & VIRTIO_CONFIG_S_NEEDS_RESET);

	/* stays stopped, counted once, even after the index looks sane */
	vblk_fake_notify(test, fd->vd, 0);
	vblk_fake_vq_set_avail_idx(&fd->vq, 1);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, invalid_avail_idx_count));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&fd->vq));

	/* exactly the queue size ahead is legal */
	vblk_fake_vq_init(&fd->vq, fd->mem, 0, 16);
	vblk_fake_wire(test, fd->vd, &fd->vq, true);
	KUNIT_EXPECT_FALSE(test, fd->vd->qs[0].vq.broken);
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_FLUSH, 0);
	{
		struct vblk_fake_desc d[2] = {
			{ .addr = VT_HDR, .len = 16 },
			{ .addr = VT_STATUS, .len = 1, .flags = VT_W },
		};
		unsigned int i;

		for (i = 0; i < 16; i++)
			vblk_fake_vq_add_chain(&fd->vq, d, 2);
	}
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 16, vblk_fake_stat(fd, flushes_completed));
	KUNIT_EXPECT_EQ(test, 16, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, invalid_avail_idx_count));
}

/* ------------------------------------------------------------------ */
/* Requests                                                           */
/* ------------------------------------------------------------------ */

static struct vblk_fake_dev *vt_serial_dev(struct kunit *test)
{
	struct vblk_blk_config cfg = { .capacity = VT_CAP / 512 };
	struct vblk_fake_dev *fd;

	memcpy(cfg.serial, "vblk-serial-00012345", VBLK_SERIAL_LEN);
	fd = vblk_fake_dev_new(test, &cfg, VT_CAP, 0, 16);
	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	return fd;
}

static void vblk_vdev_test_get_id(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_serial_dev(test);
	struct vblk_fake_desc d[3];
	u32 id, len;

	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_GET_ID, 0);
	vblk_fake_fill(fd->mem, VT_DATA, 0x5A, 64);
	vt_rw_descs(d, 64, true, VT_DATA);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);

	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 0, memcmp(vblk_fake_ptr(fd->mem, VT_DATA, 20),
					"vblk-serial-00012345", 20));
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, VT_DATA + 20, 0x5A, 44));
	vblk_fake_vq_used_elem(&fd->vq, 0, &id, &len);
	KUNIT_EXPECT_EQ(test, 21, len);
	/* not a read, not an error, never touches the backing */
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_backing_calls(fd->backing));
}

static void vblk_vdev_test_get_id_short_and_bad(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_serial_dev(test);
	struct vblk_fake_desc d[4];
	u32 id, len;

	/* an 8-byte buffer gets the first 8 bytes of the serial */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_GET_ID, 0);
	vblk_fake_fill(fd->mem, VT_DATA, 0x5A, 64);
	vt_rw_descs(d, 8, true, VT_DATA);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 0, memcmp(vblk_fake_ptr(fd->mem, VT_DATA, 8),
					"vblk-ser", 8));
	KUNIT_EXPECT_EQ(test, 0x5A, vblk_fake_rd8(fd->mem, VT_DATA + 8));
	vblk_fake_vq_used_elem(&fd->vq, 0, &id, &len);
	KUNIT_EXPECT_EQ(test, 9, len);

	/* split over two buffers of 4 and 64 bytes */
	d[3] = d[2];
	d[1].len = 4;
	d[2] = (struct vblk_fake_desc){ .addr = VT_DATA + 0x100, .len = 64,
					.flags = VT_W };
	vblk_fake_vq_add_chain(&fd->vq, d, 4);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 0, memcmp(vblk_fake_ptr(fd->mem, VT_DATA, 4),
					"vblk", 4));
	KUNIT_EXPECT_EQ(test, 0, memcmp(vblk_fake_ptr(fd->mem, VT_DATA + 0x100,
						      16), "-serial-00012345",
					16));

	/* device-readable buffer: IOERR, buffer untouched */
	vblk_fake_fill(fd->mem, VT_DATA, 0x5A, 64);
	vt_rw_descs(d, 64, false, VT_DATA);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, VT_DATA, 0x5A, 64));

	/* no buffer at all: IOERR */
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vt_rw_descs(d, 0, true, VT_DATA);
	d[1] = d[2];
	vblk_fake_vq_add_chain(&fd->vq, d, 2);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 4, vblk_fake_vq_used_idx(&fd->vq));
}

static void vblk_vdev_test_header_shapes(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_desc d[4];

	/* header split 12 + 4 bytes: IOERR, nothing read from the backing */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	vt_rw_descs(d, 512, true, VT_DATA);
	d[3] = d[2];
	d[2] = d[1];
	d[0].len = 12;
	d[1] = (struct vblk_fake_desc){ .addr = VT_HDR + 12, .len = 4 };
	vblk_fake_vq_add_chain(&fd->vq, d, 4);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->reads));

	/* header in a device-writable descriptor: IOERR */
	vt_rw_descs(d, 512, true, VT_DATA);
	d[0].flags = VT_W;
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	/* a lone writable descriptor is a status without a header: IOERR */
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, &d[2], 1);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	/*
	 * A header descriptor longer than 16 bytes could carry data (any
	 * layout): IOERR, the backing untouched.
	 */
	vt_rw_descs(d, 512, true, VT_DATA);
	d[0].len = 64;
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	/* so could a status descriptor with a sector in front of the byte */
	vt_rw_descs(d, 512, true, VT_DATA);
	d[2].len = 513;
	vblk_fake_wr8(fd->mem, VT_STATUS + 512, VT_SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS + 512));

	/* fewer bytes in front of it are padding (the seed's 4-byte case) */
	vt_rw_descs(d, 512, true, VT_DATA);
	d[2].len = 512;
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			vblk_fake_rd8(fd->mem, VT_STATUS + 511));

	KUNIT_EXPECT_EQ(test, 5, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->writes));
	KUNIT_EXPECT_EQ(test, 6, vblk_fake_vq_used_idx(&fd->vq));
}

static void vblk_vdev_test_multibyte_status(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_desc d[3];

	/* an error status also goes to the last byte */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_fill(fd->mem, VT_STATUS, 0x11, 8);
	vt_rw_descs(d, 513, true, VT_DATA);
	d[2].len = 8;
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, VT_STATUS, 0x11, 7));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS + 7));

	/* a writable but empty status descriptor: dropped */
	vblk_fake_fill(fd->mem, VT_STATUS, VT_SENTINEL, 8);
	vt_rw_descs(d, 512, true, VT_DATA);
	d[2].len = 0;
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, VT_STATUS,
					      VT_SENTINEL, 8));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->reads));
}

static void vblk_vdev_test_data_outside_ram(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_desc d[3];

	/* read into the hole */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	vt_rw_descs(d, 512, true, VBLK_FAKE_HOLE);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	/* write from a buffer straddling the end of RAM0 */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_OUT, 0);
	vt_rw_descs(d, 512, false, VBLK_FAKE_RAM0_SIZE - 256);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	/* a buffer whose end wraps the address space */
	vt_rw_descs(d, 512, false, U64_MAX - 255);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	KUNIT_EXPECT_EQ(test, 0, vblk_fake_backing_calls(fd->backing));
	KUNIT_EXPECT_EQ(test, 3, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 3, vblk_fake_vq_used_idx(&fd->vq));
}

static void vblk_vdev_test_flush_failure(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_desc d[2] = {
		{ .addr = VT_HDR, .len = 16 },
		{ .addr = VT_STATUS, .len = 1, .flags = VT_W },
	};

	fd->backing->sync_err = -EIO;
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_FLUSH, 0);
	vblk_fake_vq_add_chain(&fd->vq, d, 2);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, flushes_completed));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->backing->syncs));
}

/* Plant a write of @sectors sectors at @sector and publish it. */
static void vt_add_write(struct vblk_fake_dev *fd, u64 sector, u32 sectors)
{
	struct vblk_fake_desc d[3];

	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_OUT, sector);
	vblk_fake_fill(fd->mem, VT_DATA, 0x5A, sectors * VBLK_SECTOR_SIZE);
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vt_rw_descs(d, sectors * VBLK_SECTOR_SIZE, false, VT_DATA);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
}

/* A device whose driver declined VIRTIO_BLK_F_FLUSH. */
static struct vblk_fake_dev *vt_dev_no_flush(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0xAB,
							16);

	vblk_fake_wire_decline(test, fd->vd, &fd->vq, false,
			       BIT_ULL(VIRTIO_BLK_F_FLUSH));
	KUNIT_ASSERT_FALSE(test, fd->vd->features &
			   BIT_ULL(VIRTIO_BLK_F_FLUSH));
	return fd;
}

static void vblk_vdev_test_write_through(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev_no_flush(test);
	struct vblk_fake_backing *b = fd->backing;

	/* the written range is made durable before the write completes */
	vt_add_write(fd, 3, 2);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, writes_completed));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&b->range_syncs));
	KUNIT_EXPECT_EQ(test, 3 * VBLK_SECTOR_SIZE, b->sync_pos);
	KUNIT_EXPECT_EQ(test, 2 * VBLK_SECTOR_SIZE, b->sync_len);
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&b->syncs));

	/* reads need nothing */
	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&b->range_syncs));

	/* data written but not durable is an I/O error */
	b->sync_err = -EIO;
	vt_add_write(fd, 0, 1);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, writes_completed));
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&b->range_syncs));
	KUNIT_EXPECT_EQ(test, 3, vblk_fake_vq_used_idx(&fd->vq));
}

static void vblk_vdev_test_write_through_whole_sync(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0xAB,
							16);
	struct vblk_backing_ops *ops = kunit_kmalloc(test, sizeof(*ops),
						     GFP_KERNEL);

	/* a backing that cannot sync a range syncs everything */
	KUNIT_ASSERT_NOT_NULL(test, ops);
	*ops = vblk_fake_backing_ops;
	ops->sync_range = NULL;
	fd->vd->blk.backing.ops = ops;
	vblk_fake_wire_decline(test, fd->vd, &fd->vq, false,
			       BIT_ULL(VIRTIO_BLK_F_FLUSH));

	vt_add_write(fd, 1, 1);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->backing->syncs));

	fd->backing->sync_err = -EIO;
	vt_add_write(fd, 1, 1);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&fd->backing->syncs));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, writes_completed));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, io_errors));
}

static void vblk_vdev_test_write_back_with_flush(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);

	/* FLUSH negotiated: the driver flushes, writes do not sync */
	KUNIT_ASSERT_TRUE(test, fd->vd->features &
			  BIT_ULL(VIRTIO_BLK_F_FLUSH));
	fd->backing->sync_err = -EIO;
	vt_add_write(fd, 0, 4);
	vt_add_write(fd, 8, 1);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(fd, writes_completed));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->syncs));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->range_syncs));
}

/* A used ring that cannot take the entry: the status byte stays as is. */
static void vblk_vdev_test_used_fault_no_status(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);

	vblk_fake_mem_inject(fd->mem, fd->vq.used + 4, 8, VBLK_FAKE_WRITE,
			     -EFAULT);
	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VT_SENTINEL, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->host.signals));
}

/* ------------------------------------------------------------------ */
/* Notification, throttle, fairness                                   */
/* ------------------------------------------------------------------ */

static void vblk_vdev_test_notify_rearm(struct kunit *test)
{
	struct vblk_fake_dev *legacy = vt_dev(test, 16, false);
	struct vblk_fake_dev *ev = vt_dev(test, 16, true);

	/* legacy: NO_NOTIFY (if the driver saw it set) is cleared again */
	vblk_fake_wr16(legacy->mem, legacy->vq.used, VRING_USED_F_NO_NOTIFY);
	vt_add_read(legacy);
	vblk_fake_notify(test, legacy->vd, 0);
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_flags(&legacy->vq));

	/* EVENT_IDX: avail_event follows the consumed index */
	vt_add_read(ev);
	vt_add_read(ev);
	vblk_fake_notify(test, ev->vd, 0);
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_vq_avail_event(&ev->vq));
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_vq_used_idx(&ev->vq));
}

/*
 * Legacy notifications: the avail index becomes unreadable after the
 * first round of a pass turned kicks off; the pass still turns them on.
 */
static void vblk_vdev_test_rearm_after_avail_fault(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);

	vblk_fake_mem_inject_after(fd->mem, fd->vq.avail + 2, 2,
				   VBLK_FAKE_READ, -EFAULT, 1);
	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_GT(test, atomic_read(&fd->mem->faulted), 0);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_flags(&fd->vq));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->host.signals));
}

static void vblk_vdev_test_throttle_stall_counted_once(struct kunit *test)
{
	struct vblk_throttle_cfg lim = { .iops = 1 };
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(&fd->vd->blk.throttle, &lim,
						   &why));
	vt_add_read(fd);
	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	/* the first request took the only token, the second stalled */
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, throttled_count));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, currently_throttled_gauge));
	KUNIT_EXPECT_EQ(test, 1, fd->vd->qs[0].vq.last_avail_idx);
	KUNIT_EXPECT_EQ(test, 1,
			atomic_read(&fd->host.events[VBLK_EV_THROTTLE_START]));
	/* what completed before the stall is published and signalled */
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->host.signals));

	/* a guest kick during the stall is not a second stall */
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, throttled_count));
	KUNIT_EXPECT_EQ(test, 1, fd->vd->qs[0].vq.last_avail_idx);

	/* tokens accrue: the stalled request goes through */
	vblk_fake_clock_advance(NSEC_PER_SEC);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, currently_throttled_gauge));
	KUNIT_EXPECT_EQ(test, 1,
			atomic_read(&fd->host.events[VBLK_EV_THROTTLE_STOP]));
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_vq_used_idx(&fd->vq));
}

/* Under a saturating load a stall episode is one start and one stop. */
static void vblk_vdev_test_throttle_episode_coalesced(struct kunit *test)
{
	struct vblk_throttle_cfg lim = { .iops = 1 };
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_set_limits(fd->vd, &lim, NULL));
	for (i = 0; i < 4; i++)
		vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	for (i = 2; i <= 4; i++) {
		/* one more token a second: one more request, still held back */
		vblk_fake_clock_advance(NSEC_PER_SEC);
		vblk_fake_notify(test, fd->vd, 0);
		KUNIT_EXPECT_EQ(test, i, vblk_fake_stat(fd, reads_completed));
		KUNIT_EXPECT_EQ(test, i < 4, fd->vd->blk.qs[0].throttled);
	}
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, throttled_count));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, currently_throttled_gauge));
	KUNIT_EXPECT_EQ(test, 1,
			atomic_read(&fd->host.events[VBLK_EV_THROTTLE_START]));
	KUNIT_EXPECT_EQ(test, 1,
			atomic_read(&fd->host.events[VBLK_EV_THROTTLE_STOP]));
}

static void vblk_vdev_test_reset_ends_stall(struct kunit *test)
{
	struct vblk_throttle_cfg lim = { .iops = 1 };
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(&fd->vd->blk.throttle, &lim,
						   &why));
	vt_add_read(fd);
	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_ASSERT_EQ(test, 1, vblk_fake_stat(fd, currently_throttled_gauge));
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, 0);
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, currently_throttled_gauge));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, throttled_count));
	KUNIT_EXPECT_FALSE(test, fd->vd->blk.qs[0].throttled);
	KUNIT_EXPECT_EQ(test, 1,
			atomic_read(&fd->host.events[VBLK_EV_THROTTLE_STOP]));
}

static void vblk_vdev_test_weight_requeues(struct kunit *test)
{
	/* 17 reads of 1 MiB: the 16 MiB byte weight splits the pass */
	const unsigned int nreq = VBLK_WEIGHT_BYTES / (1 << 20) + 1;
	struct vblk_blk_config cfg = { .capacity = (1 << 20) / 512 };
	struct vblk_fake_dev *fd;
	struct vblk_fake_desc d[4];
	unsigned int i;

	fd = vblk_fake_dev_new(test, &cfg, 1 << 20, 0xCD, 128);
	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	/* two 512 KiB buffers at the same place: the data is not checked */
	d[0] = (struct vblk_fake_desc){ .addr = VT_HDR, .len = 16 };
	d[1] = (struct vblk_fake_desc){ .addr = 0x80000, .len = 0x80000,
					.flags = VT_W };
	d[2] = d[1];
	d[3] = (struct vblk_fake_desc){ .addr = VT_STATUS, .len = 1,
					.flags = VT_W };
	for (i = 0; i < nreq; i++)
		vblk_fake_vq_add_chain(&fd->vq, d, 4);
	vblk_fake_notify(test, fd->vd, 0);

	KUNIT_EXPECT_EQ(test, nreq, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, nreq, vblk_fake_vq_used_idx(&fd->vq));
	/* the notify, then one requeue when the weight ran out */
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&fd->host.kicks));
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&fd->host.signals));
}

/* ------------------------------------------------------------------ */
/* Randomized chains                                                  */
/* ------------------------------------------------------------------ */

#define VT_FUZZ_SEED	0x76626c6bULL	/* "vblk" */
#define VT_FUZZ_ROUNDS	3000
#define VT_FUZZ_QNUM	16

/* Data buffer addresses: good ones first, then bad ones. */
static const u64 vt_fuzz_addr[] = {
	VT_DATA, VT_DATA + 0x10000, VBLK_FAKE_RAM1, VBLK_FAKE_RAM1 + 0x8000,
	VBLK_FAKE_HOLE, VBLK_FAKE_RAM0_SIZE - 256,
	VBLK_FAKE_RAM1 + VBLK_FAKE_RAM1_SIZE - 512, U64_MAX - 255,
};

#define VT_FUZZ_GOOD_ADDRS	4

static const u32 vt_fuzz_len[] = { 512, 1024, 4096, 0, 513, 8, 4095,
				   VBLK_SIZE_MAX + 1 };

static const u32 vt_fuzz_type[] = {
	VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH,
	VIRTIO_BLK_T_GET_ID, 2, 0xbeef, VIRTIO_BLK_T_OUT | 0x80000000,
};

struct vt_fuzz {
	struct rnd_state rnd;
	struct vblk_fake_desc d[8];
	unsigned int n;
	bool indirect;
	bool mutated;
	bool names_outside;	/* the chain names a byte outside RAM */
	bool expect_drop;
	bool expect_ok;
	u32 type;
	u64 len;		/* data bytes of a well-formed request */
};

static u32 vt_rand(struct vt_fuzz *z, u32 n)
{
	return prandom_u32_state(&z->rnd) % n;
}

static bool vt_outside(u64 gpa, u64 len)
{
	u64 end;

	if (!len)
		return false;
	if (check_add_overflow(gpa, len, &end))
		return true;
	return !((end <= VBLK_FAKE_RAM0 + VBLK_FAKE_RAM0_SIZE) ||
		 (gpa >= VBLK_FAKE_RAM1 &&
		  end <= VBLK_FAKE_RAM1 + VBLK_FAKE_RAM1_SIZE));
}

/* A well-formed request of a random type. */
static void vt_fuzz_good(struct vt_fuzz *z, struct vblk_fake_mem *m)
{
	static const u32 types[] = { VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT,
				     VIRTIO_BLK_T_FLUSH };
	unsigned int i, ndata, base;
	u64 sectors;

	z->type = types[vt_rand(z, ARRAY_SIZE(types))];
	ndata = z->type == VIRTIO_BLK_T_FLUSH ? 0 : 1 + vt_rand(z, 3);
	z->d[0] = (struct vblk_fake_desc){ .addr = VT_HDR, .len = 16 };
	z->len = 0;
	base = vt_rand(z, VT_FUZZ_GOOD_ADDRS);
	for (i = 1; i <= ndata; i++) {
		u32 len = 512 << vt_rand(z, 3);

		/* distinct buffers, so each can be checked against the file */
		z->d[i] = (struct vblk_fake_desc){
			.addr = vt_fuzz_addr[(base + i) % VT_FUZZ_GOOD_ADDRS],
			.len = len,
			.flags = z->type == VIRTIO_BLK_T_IN ? VT_W : 0,
		};
		z->len += len;
	}
	z->d[i] = (struct vblk_fake_desc){ .addr = VT_STATUS, .len = 1,
					   .flags = VT_W };
	z->n = ndata + 2;
	sectors = (VT_CAP - z->len) / 512;
	vblk_fake_write_hdr(m, VT_HDR, z->type, vt_rand(z, sectors + 1));
	z->expect_ok = true;
}

/* Any shape: random header, data and status descriptors. */
static void vt_fuzz_any(struct vt_fuzz *z, struct vblk_fake_mem *m)
{
	static const u64 sectors[] = { 0, 1, VT_CAP / 512 - 1, VT_CAP / 512,
				       U64_MAX >> 9, U64_MAX };
	unsigned int i, ndata = vt_rand(z, 5);
	struct vblk_fake_desc *st;

	z->type = vt_fuzz_type[vt_rand(z, ARRAY_SIZE(vt_fuzz_type))];
	vblk_fake_write_hdr(m, VT_HDR, z->type,
			    sectors[vt_rand(z, ARRAY_SIZE(sectors))]);
	z->d[0] = (struct vblk_fake_desc){
		.addr = vt_rand(z, 8) ? VT_HDR : VBLK_FAKE_HOLE,
		.len = vt_rand(z, 4) ? 16 : 8 * vt_rand(z, 2),
		.flags = vt_rand(z, 8) ? 0 : VT_W,
	};
	for (i = 1; i <= ndata; i++) {
		z->d[i] = (struct vblk_fake_desc){
			.addr = vt_fuzz_addr[vt_rand(z,
						     ARRAY_SIZE(vt_fuzz_addr))],
			.len = vt_fuzz_len[vt_rand(z, ARRAY_SIZE(vt_fuzz_len))],
			.flags = vt_rand(z, 2) ? VT_W : 0,
		};
	}
	st = &z->d[ndata + 1];
	*st = (struct vblk_fake_desc){
		.addr = vt_rand(z, 10) ? VT_STATUS : VBLK_FAKE_HOLE,
		.len = vt_rand(z, 6) ? 1 + vt_rand(z, 4) * vt_rand(z, 2) : 0,
		.flags = vt_rand(z, 8) ? VT_W : 0,
	};
	z->n = ndata + 2;
	if (!vt_rand(z, 6))
		z->n = 1 + vt_rand(z, z->n);	/* cut the chain short */
	st = &z->d[z->n - 1];
	z->expect_drop = !(st->flags & VT_W) || !st->len ||
			 vt_outside(st->addr, st->len);
	for (i = 0; i < z->n; i++)
		z->names_outside |= vt_outside(z->d[i].addr, z->d[i].len);
}

/*
 * The status Documentation/device-model.rst predicts for an unmutated
 * chain that is not dropped, restated independently of the device code.
 */
static u8 vt_fuzz_oracle(const struct vt_fuzz *z, u64 sector)
{
	const struct vblk_fake_desc *h = &z->d[0];
	unsigned int i, last = z->n - 1;
	bool in = z->type == VIRTIO_BLK_T_IN;
	u64 total = 0, left = VIRTIO_BLK_ID_BYTES;

	if (z->n < 2 || (h->flags & VT_W) || h->len != 16 ||
	    z->d[last].len > 512 || vt_outside(h->addr, 16))
		return VIRTIO_BLK_S_IOERR;
	switch (z->type) {
	case VIRTIO_BLK_T_FLUSH:
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		if (last < 2)
			return VIRTIO_BLK_S_IOERR;
		for (i = 1; i < last; i++) {
			u64 l = min_t(u64, z->d[i].len, left);

			if (!(z->d[i].flags & VT_W) || vt_outside(z->d[i].addr, l))
				return VIRTIO_BLK_S_IOERR;
			left -= l;
		}
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		break;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
	if (last < 2)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i < last; i++) {
		if (!!(z->d[i].flags & VT_W) != in ||
		    z->d[i].len > VBLK_SIZE_MAX)
			return VIRTIO_BLK_S_IOERR;
		total += z->d[i].len;
	}
	if (total % 512 || sector > VT_CAP / 512 ||
	    total > VT_CAP - sector * 512)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i < last; i++) {
		if (vt_outside(z->d[i].addr, z->d[i].len))
			return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

/*
 * Flip a few bits in the length, flags or next fields of the chain's
 * descriptors (in the table at @table, @first..@first + n - 1, wrapping
 * at @size). Addresses and the INDIRECT flag are left alone, so that a
 * mutated chain still only names buffers the test laid out and cannot
 * make the device write over the rings.
 */
static void vt_fuzz_mutate(struct vt_fuzz *z, struct vblk_fake_mem *m,
			   u64 table, u16 first, u16 size)
{
	unsigned int k, flips = 1 + vt_rand(z, 3);

	for (k = 0; k < flips; k++) {
		u16 slot = (first + vt_rand(z, z->n)) % size;
		unsigned int byte = 8 + vt_rand(z, 8), bit = vt_rand(z, 8);
		u64 a = table + 16ULL * slot + byte;

		if (byte == 12 && BIT(bit) == VRING_DESC_F_INDIRECT)
			continue;
		vblk_fake_wr8(m, a, vblk_fake_rd8(m, a) ^ BIT(bit));
		z->mutated = true;
	}
}

static void vt_fuzz_check_data(struct kunit *test, struct vblk_fake_dev *fd,
			       const struct vt_fuzz *z, u64 sector)
{
	u64 pos = sector * 512;
	unsigned int i;

	for (i = 1; i + 1 < z->n; i++) {
		const u8 *g = vblk_fake_ptr(fd->mem, z->d[i].addr, z->d[i].len);

		const u8 *f = fd->backing->data + pos;

		if (g)
			KUNIT_EXPECT_EQ(test, 0, memcmp(g, f, z->d[i].len));
		pos += z->d[i].len;
	}
}

static u64 vt_sum_completions(struct vblk_fake_dev *fd)
{
	return vblk_fake_stat(fd, reads_completed) +
	       vblk_fake_stat(fd, writes_completed) +
	       vblk_fake_stat(fd, flushes_completed);
}

static void vt_fuzz_round(struct kunit *test, struct vblk_fake_dev *fd,
			  struct vt_fuzz *z, unsigned int round)
{
	u64 done0 = vt_sum_completions(fd), err0, bytes0, outside0;
	u16 used0 = vblk_fake_vq_used_idx(&fd->vq), head;
	u64 sector;
	u8 st;

	memset(z->d, 0, sizeof(z->d));
	z->mutated = false;
	z->names_outside = false;
	z->expect_drop = false;
	z->expect_ok = false;
	z->indirect = !vt_rand(z, 4);
	if (vt_rand(z, 3))
		vt_fuzz_any(z, fd->mem);
	else
		vt_fuzz_good(z, fd->mem);
	sector = vblk_fake_rd64(fd->mem, VT_HDR + 8);
	vblk_fake_fill(fd->mem, VT_STATUS, VT_SENTINEL, 8);
	if (z->type == VIRTIO_BLK_T_OUT && z->expect_ok)
		vblk_fake_fill(fd->mem, z->d[1].addr, round & 0xff, 64);

	if (z->indirect)
		head = vblk_fake_vq_add_indirect(&fd->vq, VT_TABLE, z->d, z->n);
	else
		head = vblk_fake_vq_add_chain(&fd->vq, z->d, z->n);
	if (!vt_rand(z, 8)) {
		if (z->indirect)
			vt_fuzz_mutate(z, fd->mem, VT_TABLE, 0, z->n);
		else
			vt_fuzz_mutate(z, fd->mem, fd->vq.desc, head,
				       fd->vq.num);
	}

	err0 = vblk_fake_stat(fd, io_errors);
	bytes0 = vblk_fake_stat(fd, bytes_read) +
		 vblk_fake_stat(fd, bytes_written);
	outside0 = atomic_read(&fd->mem->outside);
	vblk_fake_notify(test, fd->vd, 0);

	/* every chain is consumed: published or dropped, never left behind */
	KUNIT_ASSERT_EQ(test, fd->vq.avail_idx, fd->vd->qs[0].vq.last_avail_idx);
	KUNIT_EXPECT_FALSE(test, fd->vd->qs[0].vq.broken);
	if (!z->mutated && !z->names_outside)
		KUNIT_EXPECT_EQ(test, outside0, atomic_read(&fd->mem->outside));

	if (vblk_fake_vq_used_idx(&fd->vq) == used0) {
		/* dropped: io_errors counts it, nothing else moved */
		KUNIT_EXPECT_EQ(test, err0 + 1, vblk_fake_stat(fd, io_errors));
		KUNIT_EXPECT_EQ(test, done0, vt_sum_completions(fd));
		KUNIT_EXPECT_TRUE(test, z->mutated || z->expect_drop);
		if (!z->mutated)
			KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, VT_STATUS,
							      VT_SENTINEL, 8));
		return;
	}

	/* published: exactly one entry for this head */
	KUNIT_ASSERT_EQ(test, (u16)(used0 + 1), vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_NE(test, 0, vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	vt_wr(test, fd, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	{
		u32 id, len;

		vblk_fake_vq_used_elem(&fd->vq, used0, &id, &len);
		KUNIT_EXPECT_EQ(test, head, id);
		KUNIT_EXPECT_GE(test, len, 1);
	}
	if (z->mutated)
		return;
	KUNIT_EXPECT_FALSE(test, z->expect_drop);
	st = vblk_fake_rd8(fd->mem, z->d[z->n - 1].addr + z->d[z->n - 1].len - 1);
	KUNIT_EXPECT_EQ_MSG(test, vt_fuzz_oracle(z, sector), st,
			    "round %u type %#x n %u", round, z->type, z->n);
	switch (st) {
	case VIRTIO_BLK_S_IOERR:
		KUNIT_EXPECT_EQ(test, err0 + 1, vblk_fake_stat(fd, io_errors));
		KUNIT_EXPECT_EQ(test, done0, vt_sum_completions(fd));
		break;
	case VIRTIO_BLK_S_UNSUPP:
		KUNIT_EXPECT_EQ(test, err0, vblk_fake_stat(fd, io_errors));
		KUNIT_EXPECT_EQ(test, done0, vt_sum_completions(fd));
		break;
	case VIRTIO_BLK_S_OK:
		KUNIT_EXPECT_EQ(test, err0, vblk_fake_stat(fd, io_errors));
		KUNIT_EXPECT_EQ(test, done0 + (z->type != VIRTIO_BLK_T_GET_ID),
				vt_sum_completions(fd));
		break;
	}
	if (!z->expect_ok)
		return;
	KUNIT_EXPECT_EQ_MSG(test, VIRTIO_BLK_S_OK, st, "round %u type %u",
			    round, z->type);
	KUNIT_EXPECT_EQ(test, bytes0 + z->len,
			vblk_fake_stat(fd, bytes_read) +
			vblk_fake_stat(fd, bytes_written));
	if (z->type != VIRTIO_BLK_T_FLUSH)
		vt_fuzz_check_data(test, fd, z, sector);
}

static void vblk_vdev_test_randomized_chains(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0x3C,
							VT_FUZZ_QNUM);
	struct vt_fuzz *z = kunit_kzalloc(test, sizeof(*z), GFP_KERNEL);
	unsigned int round;

	KUNIT_ASSERT_NOT_NULL(test, z);
	kunit_info(test, "seed %#llx, %u rounds", VT_FUZZ_SEED, VT_FUZZ_ROUNDS);
	prandom_seed_state(&z->rnd, VT_FUZZ_SEED);
	vblk_fake_wire(test, fd->vd, &fd->vq, true);
	for (round = 0; round < VT_FUZZ_ROUNDS; round++) {
		vt_fuzz_round(test, fd, z, round);
		if (test->status == KUNIT_FAILURE) {
			kunit_info(test, "first failure in round %u", round);
			break;
		}
	}
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, throttled_count));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, invalid_avail_idx_count));
	kunit_info(test, "reads %llu writes %llu flushes %llu errors %llu",
		   vblk_fake_stat(fd, reads_completed),
		   vblk_fake_stat(fd, writes_completed),
		   vblk_fake_stat(fd, flushes_completed),
		   vblk_fake_stat(fd, io_errors));
}

static struct kunit_case vblk_vdev_test_cases[] = {
	KUNIT_CASE(vblk_vdev_test_identity_regs),
	KUNIT_CASE(vblk_vdev_test_features_offered),
	KUNIT_CASE(vblk_vdev_test_features_ok_refused),
	KUNIT_CASE(vblk_vdev_test_status_bits_only_set),
	KUNIT_CASE(vblk_vdev_test_bad_accesses),
	KUNIT_CASE(vblk_vdev_test_config_widths),
	KUNIT_CASE(vblk_vdev_test_set_capacity),
	KUNIT_CASE(vblk_vdev_test_queue_num_refused),
	KUNIT_CASE(vblk_vdev_test_queue_ready_needs_addresses),
	KUNIT_CASE(vblk_vdev_test_reset_keeps_counters),
	KUNIT_CASE(vblk_vdev_test_interrupt_ack),
	KUNIT_CASE(vblk_vdev_test_notify_kicks),
	KUNIT_CASE(vblk_vdev_test_indirect_valid),
	KUNIT_CASE(vblk_vdev_test_indirect_bad_tables),
	KUNIT_CASE(vblk_vdev_test_indirect_max_request_small_ring),
	KUNIT_CASE(vblk_vdev_test_indirect_nested),
	KUNIT_CASE(vblk_vdev_test_indirect_table_in_hole),
	KUNIT_CASE(vblk_vdev_test_descriptor_loops),
	KUNIT_CASE(vblk_vdev_test_index_out_of_range),
	KUNIT_CASE(vblk_vdev_test_avail_index_jump),
	KUNIT_CASE(vblk_vdev_test_get_id),
	KUNIT_CASE(vblk_vdev_test_get_id_short_and_bad),
	KUNIT_CASE(vblk_vdev_test_header_shapes),
	KUNIT_CASE(vblk_vdev_test_multibyte_status),
	KUNIT_CASE(vblk_vdev_test_data_outside_ram),
	KUNIT_CASE(vblk_vdev_test_flush_failure),
	KUNIT_CASE(vblk_vdev_test_write_through),
	KUNIT_CASE(vblk_vdev_test_write_through_whole_sync),
	KUNIT_CASE(vblk_vdev_test_write_back_with_flush),
	KUNIT_CASE(vblk_vdev_test_used_fault_no_status),
	KUNIT_CASE(vblk_vdev_test_notify_rearm),
	KUNIT_CASE(vblk_vdev_test_rearm_after_avail_fault),
	KUNIT_CASE(vblk_vdev_test_throttle_stall_counted_once),
	KUNIT_CASE(vblk_vdev_test_throttle_episode_coalesced),
	KUNIT_CASE(vblk_vdev_test_reset_ends_stall),
	KUNIT_CASE(vblk_vdev_test_weight_requeues),
	KUNIT_CASE_SLOW(vblk_vdev_test_randomized_chains),
	{}
};

static struct kunit_suite vblk_vdev_test_suite = {
	.name = "vblk_vdev",
	.test_cases = vblk_vdev_test_cases,
};

kunit_test_suite(vblk_vdev_test_suite);
