// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the config space beyond the seed (suite "vblk_cfg"): an
 * online resize (generation, configuration change interrupt, requests
 * past the new end), the writeback byte of VIRTIO_BLK_F_CONFIG_WCE (the
 * driver switches between writeback and writethrough, the device follows,
 * a reset restores the initial mode) and the VIRTIO_BLK_F_TOPOLOGY fields.
 *
 * A 64 KiB device whose backing file fills its capacity, a 16-entry queue
 * at gpa 0, the header at 0x4000, data at 0x5000, the status at 0x6000.
 */
#include <kunit/test.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"

#define CF_CAP		(64 * 1024ULL)
#define CF_QSIZE	16
#define CF_HDR		0x4000ULL
#define CF_DATA		0x5000ULL
#define CF_STATUS	0x6000ULL
#define CF_SENTINEL	0xEE
#define CF_WCE		offsetof(struct virtio_blk_config, wce)

static struct vblk_fake_dev *cf_dev(struct kunit *test, bool writethrough,
				    const struct vblk_backing_caps *caps)
{
	struct vblk_blk_config cfg = {
		.capacity = CF_CAP >> VBLK_SECTOR_SHIFT,
		.writethrough = writethrough,
	};

	if (caps)
		cfg.caps = *caps;
	return vblk_fake_dev_new(test, &cfg, CF_CAP, 0x5A, CF_QSIZE);
}

static u32 cf_rd(struct kunit *test, struct vblk_fake_dev *fd, u32 off)
{
	return vblk_fake_reg_read(test, fd->vd, off);
}

/* One byte of the config space. */
static u8 cf_cfg8(struct kunit *test, struct vblk_fake_dev *fd, u32 off)
{
	u8 v = 0;

	KUNIT_EXPECT_EQ(test, 0, vblk_mmio_read(&fd->host.mmio,
						VIRTIO_MMIO_CONFIG + off,
						&v, 1));
	return v;
}

/* The driver writes one byte of the config space. */
static void cf_cfg_wr8(struct kunit *test, struct vblk_fake_dev *fd, u32 off,
		       u8 v)
{
	KUNIT_EXPECT_EQ(test, 0, vblk_mmio_write(&fd->host.mmio,
						 VIRTIO_MMIO_CONFIG + off,
						 &v, 1));
}

/* A one-sector request of @type at @sector, kicked: its status. */
static u8 cf_io(struct kunit *test, struct vblk_fake_dev *fd, u32 type,
		u64 sector)
{
	const struct vblk_fake_desc d[] = {
		{ .addr = CF_HDR, .len = 16 },
		{ .addr = CF_DATA, .len = 512,
		  .flags = type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0 },
		{ .addr = CF_STATUS, .len = 1, .flags = VRING_DESC_F_WRITE },
	};

	vblk_fake_write_hdr(fd->mem, CF_HDR, type, sector);
	vblk_fake_wr8(fd->mem, CF_STATUS, CF_SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	vblk_fake_notify(test, fd->vd, 0);
	return vblk_fake_rd8(fd->mem, CF_STATUS);
}

static void vblk_cfg_test_resize(struct kunit *test)
{
	struct vblk_fake_dev *fd = cf_dev(test, false, NULL);
	u32 gen;

	/* before DRIVER_OK: the generation moves, no interrupt */
	vblk_vdev_set_capacity(fd->vd, 64);
	KUNIT_EXPECT_EQ(test, 1, cf_rd(test, fd, VIRTIO_MMIO_CONFIG_GENERATION));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->host.signals));
	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	gen = cf_rd(test, fd, VIRTIO_MMIO_CONFIG_GENERATION);
	KUNIT_EXPECT_EQ(test, 64, cf_rd(test, fd, VIRTIO_MMIO_CONFIG));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_IN, 63));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			cf_io(test, fd, VIRTIO_BLK_T_IN, 64));

	/* shrink a running device: interrupt, new end enforced */
	vblk_fake_reg_write(test, fd->vd, VIRTIO_MMIO_INTERRUPT_ACK, 3);
	vblk_vdev_set_capacity(fd->vd, 16);
	KUNIT_EXPECT_NE(test, gen, cf_rd(test, fd,
					 VIRTIO_MMIO_CONFIG_GENERATION));
	KUNIT_EXPECT_EQ(test, VIRTIO_MMIO_INT_CONFIG,
			cf_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	KUNIT_EXPECT_EQ(test, 16, cf_rd(test, fd, VIRTIO_MMIO_CONFIG));
	KUNIT_EXPECT_EQ(test, 0, cf_rd(test, fd, VIRTIO_MMIO_CONFIG + 4));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			cf_io(test, fd, VIRTIO_BLK_T_OUT, 16));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_OUT, 15));

	/* grow past the backing file: the new sectors read as zeros */
	vblk_vdev_set_capacity(fd->vd, 1ULL << 33);
	KUNIT_EXPECT_EQ(test, 2, cf_rd(test, fd, VIRTIO_MMIO_CONFIG + 4));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_IN, (1ULL << 33) - 1));
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, CF_DATA, 0, 512));
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_GE(test, atomic_read(&fd->host.signals), 2);
}

/* A read-write device: writeback unless the driver or operator says not. */
static void vblk_cfg_test_wce_switch(struct kunit *test)
{
	struct vblk_fake_dev *fd = cf_dev(test, false, NULL);
	u64 f = vblk_vdev_get_device_features(fd->vd);
	u32 gen;

	KUNIT_EXPECT_TRUE(test, f & BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE));
	KUNIT_EXPECT_EQ(test, 1, cf_cfg8(test, fd, CF_WCE));
	/* not negotiated yet: the byte is read-only */
	cf_cfg_wr8(test, fd, CF_WCE, 0);
	KUNIT_EXPECT_EQ(test, 1, cf_cfg8(test, fd, CF_WCE));
	KUNIT_EXPECT_TRUE(test, vblk_vdev_cache_writeback(fd->vd));

	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	gen = cf_rd(test, fd, VIRTIO_MMIO_CONFIG_GENERATION);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_OUT, 3));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->range_syncs));

	/* writethrough: every write is synced before it completes */
	cf_cfg_wr8(test, fd, CF_WCE, 0);
	KUNIT_EXPECT_EQ(test, 0, cf_cfg8(test, fd, CF_WCE));
	KUNIT_EXPECT_EQ(test, gen + 1,
			cf_rd(test, fd, VIRTIO_MMIO_CONFIG_GENERATION));
	KUNIT_EXPECT_FALSE(test, vblk_vdev_cache_writeback(fd->vd));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_OUT, 5));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->backing->range_syncs));
	KUNIT_EXPECT_EQ(test, 5 * 512, fd->backing->sync_pos);
	KUNIT_EXPECT_EQ(test, 512, fd->backing->sync_len);
	/* no configuration change interrupt for the driver's own write */
	KUNIT_EXPECT_EQ(test, 0, cf_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS) &
			VIRTIO_MMIO_INT_CONFIG);

	/* values other than 0 and 1 are ignored; so are neighbours */
	cf_cfg_wr8(test, fd, CF_WCE, 2);
	cf_cfg_wr8(test, fd, CF_WCE + 1, 1);
	KUNIT_EXPECT_EQ(test, 0, cf_cfg8(test, fd, CF_WCE));

	/* a 4-byte write covering the byte switches back */
	{
		u32 v = 1;

		KUNIT_EXPECT_EQ(test, 0,
				vblk_mmio_write(&fd->host.mmio,
						VIRTIO_MMIO_CONFIG + CF_WCE,
						&v, 4));
	}
	KUNIT_EXPECT_EQ(test, 1, cf_cfg8(test, fd, CF_WCE));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_OUT, 6));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->backing->range_syncs));

	/* a reset restores the initial mode */
	cf_cfg_wr8(test, fd, CF_WCE, 0);
	vblk_fake_reg_write(test, fd->vd, VIRTIO_MMIO_STATUS, 0);
	KUNIT_EXPECT_EQ(test, 1, cf_cfg8(test, fd, CF_WCE));
}

/*
 * Writeback to writethrough: what was written before is synced before the
 * next request completes (the driver sends no flush for it any more),
 * once; a failed sync fails that request.
 */
static void vblk_cfg_test_wce_switch_syncs(struct kunit *test)
{
	struct vblk_fake_dev *fd = cf_dev(test, false, NULL);

	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_OUT, 3));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->syncs));
	cf_cfg_wr8(test, fd, CF_WCE, 0);
	/* the switch (a config write, under a spinlock) does not sync */
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->syncs));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_IN, 3));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->backing->syncs));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_IN, 4));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->backing->syncs));
	/* back to writeback owes nothing */
	cf_cfg_wr8(test, fd, CF_WCE, 1);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_OUT, 5));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->backing->syncs));

	/* a sync that fails: the next request reports it, once */
	fd->backing->sync_err = -EIO;
	cf_cfg_wr8(test, fd, CF_WCE, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			cf_io(test, fd, VIRTIO_BLK_T_IN, 3));
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&fd->backing->syncs));
	fd->backing->sync_err = 0;
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_IN, 3));
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&fd->backing->syncs));
}

/* The operator's initial mode; a driver without FLUSH is writethrough. */
static void vblk_cfg_test_wce_initial(struct kunit *test)
{
	struct vblk_fake_dev *wt = cf_dev(test, true, NULL);
	struct vblk_fake_dev *nf = cf_dev(test, false, NULL);

	KUNIT_EXPECT_EQ(test, 0, cf_cfg8(test, wt, CF_WCE));
	KUNIT_EXPECT_FALSE(test, vblk_vdev_cache_writeback(wt->vd));
	vblk_fake_wire(test, wt->vd, &wt->vq, false);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, wt, VIRTIO_BLK_T_OUT, 1));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&wt->backing->range_syncs));
	/* the driver may choose writeback; a reset undoes it */
	cf_cfg_wr8(test, wt, CF_WCE, 1);
	KUNIT_EXPECT_TRUE(test, vblk_vdev_cache_writeback(wt->vd));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, wt, VIRTIO_BLK_T_OUT, 2));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&wt->backing->range_syncs));
	vblk_fake_reg_write(test, wt->vd, VIRTIO_MMIO_STATUS, 0);
	KUNIT_EXPECT_EQ(test, 0, cf_cfg8(test, wt, CF_WCE));

	/*
	 * Without FLUSH the device is writethrough and the byte says so
	 * once the features are negotiated (virtio 1.2, 5.2.5.2).
	 */
	KUNIT_EXPECT_EQ(test, 1, cf_cfg8(test, nf, CF_WCE));
	vblk_fake_wire_decline(test, nf->vd, &nf->vq, false,
			       BIT_ULL(VIRTIO_BLK_F_FLUSH));
	KUNIT_EXPECT_EQ(test, 0, cf_cfg8(test, nf, CF_WCE));
	KUNIT_EXPECT_FALSE(test, vblk_vdev_cache_writeback(nf->vd));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, nf, VIRTIO_BLK_T_OUT, 1));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&nf->backing->range_syncs));
}

/* Without CONFIG_WCE negotiated, a driver's write changes nothing. */
static void vblk_cfg_test_wce_not_negotiated(struct kunit *test)
{
	struct vblk_fake_dev *fd = cf_dev(test, false, NULL);

	vblk_fake_wire_decline(test, fd->vd, &fd->vq, false,
			       BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE));
	cf_cfg_wr8(test, fd, CF_WCE, 0);
	KUNIT_EXPECT_EQ(test, 1, cf_cfg8(test, fd, CF_WCE));
	KUNIT_EXPECT_EQ(test, 0, cf_rd(test, fd, VIRTIO_MMIO_CONFIG_GENERATION));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			cf_io(test, fd, VIRTIO_BLK_T_OUT, 1));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->range_syncs));
}

static void vblk_cfg_test_topology(struct kunit *test)
{
	const struct vblk_backing_caps caps = {
		.phys_exp = 3, .align_off = 2, .min_io = 8, .opt_io = 256,
	};
	struct vblk_fake_dev *fd = cf_dev(test, false, &caps);
	struct vblk_fake_dev *plain = cf_dev(test, false, NULL);
	u32 exp = offsetof(struct virtio_blk_config, physical_block_exp);
	u32 opt = offsetof(struct virtio_blk_config, opt_io_size);

	KUNIT_EXPECT_TRUE(test, vblk_vdev_get_device_features(fd->vd) &
			  BIT_ULL(VIRTIO_BLK_F_TOPOLOGY));
	/* physical_block_exp, alignment_offset, min_io_size (le16) */
	KUNIT_EXPECT_EQ(test, 3 | 2 << 8 | 8 << 16,
			cf_rd(test, fd, VIRTIO_MMIO_CONFIG + exp));
	KUNIT_EXPECT_EQ(test, 256, cf_rd(test, fd, VIRTIO_MMIO_CONFIG + opt));
	/* blk_size stays the logical 512 */
	KUNIT_EXPECT_EQ(test, 512, cf_rd(test, fd, VIRTIO_MMIO_CONFIG +
					 offsetof(struct virtio_blk_config,
						  blk_size)));
	KUNIT_EXPECT_EQ(test, 0, cf_rd(test, plain, VIRTIO_MMIO_CONFIG + exp));
}

static struct kunit_case vblk_cfg_cases[] = {
	KUNIT_CASE(vblk_cfg_test_resize),
	KUNIT_CASE(vblk_cfg_test_wce_switch),
	KUNIT_CASE(vblk_cfg_test_wce_switch_syncs),
	KUNIT_CASE(vblk_cfg_test_wce_initial),
	KUNIT_CASE(vblk_cfg_test_wce_not_negotiated),
	KUNIT_CASE(vblk_cfg_test_topology),
	{}
};

static struct kunit_suite vblk_cfg_suite = {
	.name = "vblk_cfg",
	.test_cases = vblk_cfg_cases,
};

kunit_test_suite(vblk_cfg_suite);
