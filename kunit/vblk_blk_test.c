// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the block layer and backing I/O (suite "vblk_blk"):
 * GET_ID, flush failures, write-through without FLUSH, publishing when the
 * used ring faults, the throttle stall and the fairness weight; backing
 * errors and -EINTR on writes, GET_ID past an empty throttle, and the
 * counters and used lengths of every kind of outcome.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_vt.h"

static struct vblk_fake_dev *vt_serial_dev(struct kunit *test)
{
	struct vblk_blk_config cfg = { .capacity = VT_CAP / 512 };
	struct vblk_fake_dev *fd;

	memcpy(cfg.serial, "vblk-serial-00012345", VBLK_SERIAL_LEN);
	fd = vblk_fake_dev_new(test, &cfg, VT_CAP, 0, 16);
	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	return fd;
}

/* A GET_ID into @len bytes at VT_DATA (64 bytes of 0x5A before), kicked. */
static void vt_get_id(struct kunit *test, struct vblk_fake_dev *fd, u32 len)
{
	struct vblk_fake_desc d[3];

	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_GET_ID, 0);
	vblk_fake_fill(fd->mem, VT_DATA, 0x5A, 64);
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vt_rw_descs(d, len, true, VT_DATA);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
}

static void vblk_blk_test_get_id(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_serial_dev(test);
	u32 id, len;

	vt_get_id(test, fd, 64);
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

static void vblk_blk_test_get_id_short_and_bad(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_serial_dev(test);
	struct vblk_fake_desc d[4];
	u32 id, len;

	/* an 8-byte buffer gets the first 8 bytes of the serial */
	vt_get_id(test, fd, 8);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 0, memcmp(vblk_fake_ptr(fd->mem, VT_DATA, 8),
					"vblk-ser", 8));
	KUNIT_EXPECT_EQ(test, 0x5A, vblk_fake_rd8(fd->mem, VT_DATA + 8));
	vblk_fake_vq_used_elem(&fd->vq, 0, &id, &len);
	KUNIT_EXPECT_EQ(test, 9, len);

	/* split over two buffers of 4 and 64 bytes */
	vt_rw_descs(d, 4, true, VT_DATA);
	d[3] = d[2];
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

static void vblk_blk_test_flush_failure(struct kunit *test)
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

static void vblk_blk_test_write_through(struct kunit *test)
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

static void vblk_blk_test_write_through_whole_sync(struct kunit *test)
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

static void vblk_blk_test_write_back_with_flush(struct kunit *test)
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
static void vblk_blk_test_used_fault_no_status(struct kunit *test)
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

static void vblk_blk_test_throttle_stall_counted_once(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_stalled_dev(test);

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
static void vblk_blk_test_throttle_episode_coalesced(struct kunit *test)
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

static void vblk_blk_test_weight_requeues(struct kunit *test)
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
/* Backing errors, GET_ID and the throttle, accounting                 */
/* ------------------------------------------------------------------ */

static void vblk_blk_test_backing_errors(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_backing *b = fd->backing;

	/* a write interrupted three times is retried to completion */
	b->write_eintrs = 3;
	vt_add_write(fd, 2, 1);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 4, atomic_read(&b->writes));
	KUNIT_EXPECT_EQ(test, 0, b->write_eintrs);
	KUNIT_EXPECT_FALSE(test, memchr_inv(b->data + 1024, 0x5A, 512));

	/* any other error is an I/O error, at once */
	b->write_err = -ENOSPC;
	vt_add_write(fd, 3, 1);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 5, atomic_read(&b->writes));
	KUNIT_EXPECT_FALSE(test, memchr_inv(b->data + 1536, 0xAB, 512));
	b->read_err = -EIO;
	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&b->reads));

	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, writes_completed));
	KUNIT_EXPECT_EQ(test, 512, vblk_fake_stat(fd, bytes_written));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 3, vblk_fake_vq_used_idx(&fd->vq));
}

/* GET_ID is served while the queue is out of tokens, and costs none. */
static void vblk_blk_test_get_id_bypasses_throttle(struct kunit *test)
{
	struct vblk_throttle_cfg lim = { .iops = 1 };
	struct vblk_fake_dev *fd = vt_serial_dev(test);
	struct vblk_throttle *t = &fd->vd->blk.throttle;

	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(t, &lim, NULL));
	KUNIT_ASSERT_TRUE(test, vblk_throttle_admit(t, 1, 0));
	vt_get_id(test, fd, 20);

	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 0, memcmp(vblk_fake_ptr(fd->mem, VT_DATA, 20),
					"vblk-serial-00012345", 20));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, throttled_count));
	KUNIT_EXPECT_EQ(test, 0, t->ops.tokens);
	KUNIT_EXPECT_FALSE(test, fd->vd->blk.qs[0].throttled);
}

/* One drain of every kind of outcome: each counter counts its own. */
static void vblk_blk_test_accounting(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_desc rd[5] = {
		{ .addr = VT_HDR, .len = 16 },
		{ .addr = VT_DATA, .len = 512, .flags = VT_W },
		{ .addr = VT_DATA + 0x1000, .len = 1024, .flags = VT_W },
		{ .addr = VT_DATA + 0x2000, .len = 512, .flags = VT_W },
		{ .addr = VT_STATUS, .len = 1, .flags = VT_W },
	};
	struct vblk_fake_desc d[3];
	u32 id, len;

	vblk_fake_fill(fd->mem, VT_STATUS, VT_SENTINEL, 5);
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 1);
	vblk_fake_vq_add_chain(&fd->vq, rd, 5);		/* 2 KiB read */
	vblk_fake_write_hdr(fd->mem, VT_HDR + 0x100, VIRTIO_BLK_T_OUT, 8);
	vt_rw_descs(d, 1536, false, VT_DATA + 0x3000);
	d[0].addr = VT_HDR + 0x100;
	d[2].addr = VT_STATUS + 1;
	vblk_fake_vq_add_chain(&fd->vq, d, 3);		/* 1.5 KiB write */
	vblk_fake_write_hdr(fd->mem, VT_HDR + 0x200, VIRTIO_BLK_T_FLUSH, 0);
	d[1] = (struct vblk_fake_desc){ .addr = VT_STATUS + 2, .len = 1,
					.flags = VT_W };
	d[0].addr = VT_HDR + 0x200;
	vblk_fake_vq_add_chain(&fd->vq, d, 2);		/* flush */
	vblk_fake_write_hdr(fd->mem, VT_HDR + 0x300, 0xbeef, 0);
	d[0].addr = VT_HDR + 0x300;
	d[1].addr = VT_STATUS + 3;
	vblk_fake_vq_add_chain(&fd->vq, d, 2);		/* unsupported */
	vblk_fake_write_hdr(fd->mem, VT_HDR + 0x400, VIRTIO_BLK_T_IN, 0);
	vt_rw_descs(d, 100, true, VT_DATA);
	d[0].addr = VT_HDR + 0x400;
	d[2].addr = VT_STATUS + 4;
	vblk_fake_vq_add_chain(&fd->vq, d, 3);		/* invalid */
	vblk_fake_notify(test, fd->vd, 0);

	KUNIT_EXPECT_EQ(test, 5, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 2048, vblk_fake_stat(fd, bytes_read));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, writes_completed));
	KUNIT_EXPECT_EQ(test, 1536, vblk_fake_stat(fd, bytes_written));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, flushes_completed));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&fd->host.signals));
	/* the used lengths: data read plus the status byte, else 1 */
	vblk_fake_vq_used_elem(&fd->vq, 0, &id, &len);
	KUNIT_EXPECT_EQ(test, 2049, len);
	vblk_fake_vq_used_elem(&fd->vq, 1, &id, &len);
	KUNIT_EXPECT_EQ(test, 1, len);
	vblk_fake_vq_used_elem(&fd->vq, 3, &id, &len);
	KUNIT_EXPECT_EQ(test, 1, len);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			vblk_fake_rd8(fd->mem, VT_STATUS + 1));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			vblk_fake_rd8(fd->mem, VT_STATUS + 2));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_UNSUPP,
			vblk_fake_rd8(fd->mem, VT_STATUS + 3));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS + 4));
	/* the read's three segments hold sectors 1 to 4 of the file */
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, VT_DATA + 0x2000, 0xAB,
					      512));
}

static struct kunit_case vblk_blk_test_cases[] = {
	KUNIT_CASE(vblk_blk_test_get_id),
	KUNIT_CASE(vblk_blk_test_get_id_short_and_bad),
	KUNIT_CASE(vblk_blk_test_flush_failure),
	KUNIT_CASE(vblk_blk_test_write_through),
	KUNIT_CASE(vblk_blk_test_write_through_whole_sync),
	KUNIT_CASE(vblk_blk_test_write_back_with_flush),
	KUNIT_CASE(vblk_blk_test_used_fault_no_status),
	KUNIT_CASE(vblk_blk_test_throttle_stall_counted_once),
	KUNIT_CASE(vblk_blk_test_throttle_episode_coalesced),
	KUNIT_CASE(vblk_blk_test_weight_requeues),
	KUNIT_CASE(vblk_blk_test_backing_errors),
	KUNIT_CASE(vblk_blk_test_get_id_bypasses_throttle),
	KUNIT_CASE(vblk_blk_test_accounting),
	{}
};

static struct kunit_suite vblk_blk_test_suite = {
	.name = "vblk_blk",
	.test_cases = vblk_blk_test_cases,
};

kunit_test_suite(vblk_blk_test_suite);
