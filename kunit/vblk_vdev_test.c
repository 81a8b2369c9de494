// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the transport-neutral virtio device (suite "vblk_vdev"):
 * the status machine and feature negotiation, capacity changes and the
 * config generation, and reset (what it clears and what it keeps),
 * through the register file; then the typed API as a vDPA parent would
 * call it: features, queue configuration and its refusals, the queue
 * state a queue resumes from, binding and unbinding, the config space.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/unaligned.h>
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
	struct vblk_fake_dev *fd = vt_stalled_dev(test);

	KUNIT_ASSERT_EQ(test, 1, vblk_fake_stat(fd, currently_throttled_gauge));
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, 0);
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, currently_throttled_gauge));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, throttled_count));
	KUNIT_EXPECT_FALSE(test, fd->vd->blk.qs[0].throttled);
	KUNIT_EXPECT_EQ(test, 1,
			atomic_read(&fd->host.events[VBLK_EV_THROTTLE_STOP]));
}

/* ------------------------------------------------------------------ */
/* The typed API, as a vDPA parent would call it                      */
/* ------------------------------------------------------------------ */

/* ACKNOWLEDGE, DRIVER, accept @feat, FEATURES_OK (which must stick). */
static void api_negotiate(struct kunit *test, struct vblk_vdev *vd, u64 feat)
{
	u32 st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	vblk_vdev_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vblk_vdev_set_status(vd, st);
	vblk_vdev_set_driver_features(vd, feat);
	vblk_vdev_set_status(vd, st | VIRTIO_CONFIG_S_FEATURES_OK);
	KUNIT_ASSERT_EQ(test, st | VIRTIO_CONFIG_S_FEATURES_OK,
			vblk_vdev_get_status(vd));
}

static void vblk_vdev_test_features_api(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);
	struct vblk_vdev *vd = fd->vd;
	u64 offer = vblk_vdev_get_device_features(vd);
	u64 feat = BIT_ULL(VIRTIO_F_VERSION_1) |
		   BIT_ULL(VIRTIO_RING_F_EVENT_IDX);

	vblk_vdev_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE |
			     VIRTIO_CONFIG_S_DRIVER);
	vblk_vdev_set_driver_features(vd, feat);
	KUNIT_EXPECT_EQ(test, feat, vblk_vdev_get_driver_features(vd));
	/* nothing is negotiated before FEATURES_OK */
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_features(vd));
	KUNIT_EXPECT_FALSE(test, vd->qs[0].vq.event_idx);

	api_negotiate(test, vd, feat);
	KUNIT_EXPECT_EQ(test, feat, vblk_vdev_get_features(vd));
	/* the queues follow the negotiated ring features */
	KUNIT_EXPECT_TRUE(test, vd->qs[0].vq.event_idx);
	KUNIT_EXPECT_FALSE(test, vd->qs[0].vq.indirect);
	/* and the choice is frozen */
	vblk_vdev_set_driver_features(vd, offer);
	KUNIT_EXPECT_EQ(test, feat, vblk_vdev_get_driver_features(vd));
	KUNIT_EXPECT_EQ(test, feat, vblk_vdev_get_features(vd));

	vblk_vdev_reset(vd);
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_status(vd));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_features(vd));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_driver_features(vd));
	KUNIT_EXPECT_FALSE(test, vd->qs[0].vq.event_idx);
	KUNIT_EXPECT_EQ(test, offer, vblk_vdev_get_device_features(vd));
}

static void vblk_vdev_test_typed_queue_config(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0, 16);
	struct vblk_vdev *vd = fd->vd;
	const struct vblk_fake_vq *dq = &fd->vq;
	unsigned int nq = vblk_vdev_num_queues(vd);
	u16 idx;

	api_negotiate(test, vd, BIT_ULL(VIRTIO_F_VERSION_1));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_set_vq_address(vd, 0, dq->desc,
							  dq->avail, dq->used));
	/* sizes that are no power of two or too large leave it unusable */
	vblk_vdev_set_vq_num(vd, 0, 100);
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vdev_set_vq_ready(vd, 0, true));
	vblk_vdev_set_vq_num(vd, 0, 2 * VBLK_QUEUE_NUM_MAX);
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vdev_set_vq_ready(vd, 0, true));
	/* so does a misaligned ring */
	vblk_vdev_set_vq_num(vd, 0, 16);
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_set_vq_address(vd, 0, dq->desc + 8,
							  dq->avail, dq->used));
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vdev_set_vq_ready(vd, 0, true));
	KUNIT_EXPECT_FALSE(test, vblk_vdev_get_vq_ready(vd, 0));

	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_set_vq_address(vd, 0, dq->desc,
							  dq->avail, dq->used));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_set_vq_ready(vd, 0, true));
	KUNIT_EXPECT_TRUE(test, vblk_vdev_get_vq_ready(vd, 0));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_set_vq_ready(vd, 0, true));
	/* a ready queue's configuration is frozen */
	KUNIT_EXPECT_EQ(test, -EBUSY, vblk_vdev_set_vq_address(vd, 0, 0x1000,
							       0x2000, 0x3000));
	KUNIT_EXPECT_EQ(test, -EBUSY, vblk_vdev_set_vq_state(vd, 0, 7));
	vblk_vdev_set_vq_num(vd, 0, 8);
	KUNIT_EXPECT_EQ(test, 16, vd->qs[0].vq.num);
	KUNIT_EXPECT_EQ(test, dq->desc, vd->qs[0].vq.desc);
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_vq_state(vd, 0, &idx));
	KUNIT_EXPECT_EQ(test, 0, idx);

	/* a queue that does not exist */
	vblk_vdev_set_vq_num(vd, nq, 16);
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vdev_set_vq_address(vd, nq, 0, 0,
								0));
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vdev_set_vq_ready(vd, nq, true));
	KUNIT_EXPECT_FALSE(test, vblk_vdev_get_vq_ready(vd, nq));
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vdev_set_vq_state(vd, nq, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vdev_get_vq_state(vd, nq, &idx));

	/* disabled again, it can be changed */
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_set_vq_ready(vd, 0, false));
	KUNIT_EXPECT_FALSE(test, vblk_vdev_get_vq_ready(vd, 0));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_set_vq_state(vd, 0, 7));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_vq_state(vd, 0, &idx));
	KUNIT_EXPECT_EQ(test, 7, idx);
}

/* A queue enabled at a saved position resumes there (migration). */
static void vblk_vdev_test_vq_state_resumes(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0xAB, 16);
	struct vblk_vdev *vd = fd->vd;
	struct vblk_fake_vq *dq = &fd->vq;
	u16 h1, h2, idx;
	u32 id, len;

	api_negotiate(test, vd, vblk_vdev_get_device_features(vd) &
		      ~BIT_ULL(VIRTIO_RING_F_EVENT_IDX));
	vblk_vdev_set_vq_num(vd, 0, 16);
	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_set_vq_address(vd, 0, dq->desc,
							  dq->avail, dq->used));
	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_set_vq_state(vd, 0, 0xfffe));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_vq_state(vd, 0, &idx));
	KUNIT_EXPECT_EQ(test, 0xfffe, idx);

	/* the driver's rings are where the saved state says */
	vblk_fake_vq_set_avail_idx(dq, 0xfffe);
	vblk_fake_wr16(fd->mem, dq->used + 2, 0xfffe);
	h1 = vt_add_read(fd);
	h2 = vt_add_read(fd);
	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_set_vq_ready(vd, 0, true));
	vblk_vdev_set_status(vd, vblk_vdev_get_status(vd) |
			     VIRTIO_CONFIG_S_DRIVER_OK);
	vblk_vdev_process(vd, 0);

	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(dq));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_vq_state(vd, 0, &idx));
	KUNIT_EXPECT_EQ(test, 0, idx);
	vblk_fake_vq_used_elem(dq, 0xfffe, &id, &len);
	KUNIT_EXPECT_EQ(test, h1, id);
	KUNIT_EXPECT_EQ(test, 513, len);
	vblk_fake_vq_used_elem(dq, 0xffff, &id, &len);
	KUNIT_EXPECT_EQ(test, h2, id);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->host.signals));
}

static void vblk_vdev_test_bind_unbind(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_vdev *vd = fd->vd;
	struct vblk_vdev_binding *other;

	other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	*other = fd->host.binding;
	/* one binding at a time */
	KUNIT_EXPECT_EQ(test, -EBUSY, vblk_vdev_bind(vd, other));

	/* unbinding resets the device and takes its guest memory away */
	vblk_vdev_unbind(vd);
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_status(vd));
	KUNIT_EXPECT_FALSE(test, vblk_vdev_get_vq_ready(vd, 0));
	KUNIT_EXPECT_EQ(test, 0, vd->qs[0].vq.num);
	KUNIT_EXPECT_NULL(test, vd->qs[0].vq.mem.ops);
	/* configured and up again, it is neither served nor heard from */
	api_negotiate(test, vd, BIT_ULL(VIRTIO_F_VERSION_1));
	vblk_vdev_set_vq_num(vd, 0, 16);
	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_set_vq_address(vd, 0, fd->vq.desc,
							  fd->vq.avail,
							  fd->vq.used));
	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_set_vq_ready(vd, 0, true));
	vblk_vdev_set_status(vd, vblk_vdev_get_status(vd) |
			     VIRTIO_CONFIG_S_DRIVER_OK);
	vt_add_read(fd);
	vblk_vdev_process(vd, 0);
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->mem->reads));
	vblk_vdev_kick(vd, 0);
	vblk_vdev_set_capacity(vd, 4);
	KUNIT_EXPECT_EQ(test, 1, vblk_vdev_get_generation(vd));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->host.kicks));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->host.signals));

	/* bound again, it serves a fresh driver */
	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_bind(vd, &fd->host.binding));
	vblk_fake_vq_init(&fd->vq, fd->mem, 0, 16);
	vblk_fake_wire(test, vd, &fd->vq, false);
	vt_add_read(fd);
	vblk_fake_notify(test, vd, 0);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->host.signals));
}

#define VT_OFF(field)	offsetof(struct virtio_blk_config, field)

static void vblk_vdev_test_config_api(struct kunit *test)
{
	static const struct { unsigned int off, len; } bad[] = {
		{ 0, sizeof(struct virtio_blk_config) + 1 },
		{ sizeof(struct virtio_blk_config), 1 },
		{ sizeof(struct virtio_blk_config) - 1, 2 },
		{ sizeof(struct virtio_blk_config) + 1, 0 },
		{ U32_MAX, 1 }, { 1, U32_MAX },
	};
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, 1 << 20, 0, 16);
	u8 cfg[sizeof(struct virtio_blk_config)];
	size_t size = vblk_vdev_get_config_size(fd->vd);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, sizeof(cfg), size);
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_config(fd->vd, 0, cfg, size));
	KUNIT_EXPECT_EQ(test, 2048, get_unaligned_le64(cfg + VT_OFF(capacity)));
	KUNIT_EXPECT_EQ(test, VBLK_SIZE_MAX,
			get_unaligned_le32(cfg + VT_OFF(size_max)));
	KUNIT_EXPECT_EQ(test, VBLK_SEG_MAX,
			get_unaligned_le32(cfg + VT_OFF(seg_max)));
	KUNIT_EXPECT_EQ(test, 512, get_unaligned_le32(cfg + VT_OFF(blk_size)));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_config(fd->vd, size, cfg, 0));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(cfg, 0x5A, sizeof(cfg));
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    vblk_vdev_get_config(fd->vd, bad[i].off, cfg,
							 bad[i].len),
				    "off %u len %u", bad[i].off, bad[i].len);
		KUNIT_EXPECT_FALSE(test, memchr_inv(cfg, 0x5A, sizeof(cfg)));
	}

	/* a new capacity: a new generation, read back at once */
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_generation(fd->vd));
	vblk_vdev_set_capacity(fd->vd, 8);
	KUNIT_EXPECT_EQ(test, 1, vblk_vdev_get_generation(fd->vd));
	KUNIT_EXPECT_EQ(test, 0, vblk_vdev_get_config(fd->vd, 0, cfg, 8));
	KUNIT_EXPECT_EQ(test, 8, get_unaligned_le64(cfg));
	/* before DRIVER_OK there is no configuration change interrupt */
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->host.signals));
}

static struct kunit_case vblk_vdev_test_cases[] = {
	KUNIT_CASE(vblk_vdev_test_features_ok_refused),
	KUNIT_CASE(vblk_vdev_test_status_bits_only_set),
	KUNIT_CASE(vblk_vdev_test_set_capacity),
	KUNIT_CASE(vblk_vdev_test_reset_keeps_counters),
	KUNIT_CASE(vblk_vdev_test_reset_ends_stall),
	KUNIT_CASE(vblk_vdev_test_features_api),
	KUNIT_CASE(vblk_vdev_test_typed_queue_config),
	KUNIT_CASE(vblk_vdev_test_vq_state_resumes),
	KUNIT_CASE(vblk_vdev_test_bind_unbind),
	KUNIT_CASE(vblk_vdev_test_config_api),
	{}
};

static struct kunit_suite vblk_vdev_test_suite = {
	.name = "vblk_vdev",
	.test_cases = vblk_vdev_test_cases,
};

kunit_test_suite(vblk_vdev_test_suite);
