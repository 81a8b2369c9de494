// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the split virtqueue (suite "vblk_vq"): the walker's
 * checks (indirect tables, loops, indices, avail index jumps) as the device
 * applies them, and notification re-arming.
 */
#include <kunit/test.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_vt.h"

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

static void vblk_vq_test_indirect_valid(struct kunit *test)
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

static void vblk_vq_test_indirect_bad_tables(struct kunit *test)
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
static void vblk_vq_test_indirect_max_request_small_ring(struct kunit *test)
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

static void vblk_vq_test_indirect_nested(struct kunit *test)
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

static void vblk_vq_test_indirect_table_in_hole(struct kunit *test)
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

static void vblk_vq_test_descriptor_loops(struct kunit *test)
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

static void vblk_vq_test_index_out_of_range(struct kunit *test)
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

static void vblk_vq_test_avail_index_jump(struct kunit *test)
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

static void vblk_vq_test_notify_rearm(struct kunit *test)
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
static void vblk_vq_test_rearm_after_avail_fault(struct kunit *test)
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

static struct kunit_case vblk_vq_test_cases[] = {
	KUNIT_CASE(vblk_vq_test_indirect_valid),
	KUNIT_CASE(vblk_vq_test_indirect_bad_tables),
	KUNIT_CASE(vblk_vq_test_indirect_max_request_small_ring),
	KUNIT_CASE(vblk_vq_test_indirect_nested),
	KUNIT_CASE(vblk_vq_test_indirect_table_in_hole),
	KUNIT_CASE(vblk_vq_test_descriptor_loops),
	KUNIT_CASE(vblk_vq_test_index_out_of_range),
	KUNIT_CASE(vblk_vq_test_avail_index_jump),
	KUNIT_CASE(vblk_vq_test_notify_rearm),
	KUNIT_CASE(vblk_vq_test_rearm_after_avail_fault),
	{}
};

static struct kunit_suite vblk_vq_test_suite = {
	.name = "vblk_vq",
	.test_cases = vblk_vq_test_cases,
};

kunit_test_suite(vblk_vq_test_suite);
