// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the transport-neutral virtio device (suite "vblk_vdev"):
 * the status machine and feature negotiation, capacity changes and the
 * config generation, and reset (what it clears and what it keeps).
 */
#include <kunit/test.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_vt.h"

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

static struct kunit_case vblk_vdev_test_cases[] = {
	KUNIT_CASE(vblk_vdev_test_features_ok_refused),
	KUNIT_CASE(vblk_vdev_test_status_bits_only_set),
	KUNIT_CASE(vblk_vdev_test_set_capacity),
	KUNIT_CASE(vblk_vdev_test_reset_keeps_counters),
	KUNIT_CASE(vblk_vdev_test_reset_ends_stall),
	{}
};

static struct kunit_suite vblk_vdev_test_suite = {
	.name = "vblk_vdev",
	.test_cases = vblk_vdev_test_cases,
};

kunit_test_suite(vblk_vdev_test_suite);
