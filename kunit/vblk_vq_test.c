// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the split virtqueue (suite "vblk_vq"): the walker's
 * checks (indirect tables, loops, indices, avail index jumps) as the device
 * applies them, and notification re-arming; then the ring on its own
 * (vblk_vq_* on fake memory): layout rules, pop and unpop across the u16
 * wrap, the avail index bound, the walker's errors, the used ring,
 * enabling and disabling notifications, and the EVENT_IDX signal decision.
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

/* ------------------------------------------------------------------ */
/* The ring alone: vblk_vq_* on fake memory, no device around it      */
/* ------------------------------------------------------------------ */

/* A ready queue over the rings of @dq (laid out at gpa 0). */
static struct vblk_vq *vq_ring(struct kunit *test, struct vblk_fake_vq *dq,
			       u16 num, bool event_idx)
{
	struct vblk_fake_mem *m = vblk_fake_mem_default(test);
	struct vblk_vq *vq = kunit_kzalloc(test, sizeof(*vq), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vq);
	vblk_fake_vq_init(dq, m, 0, num);
	vblk_vq_init(vq);
	vq->mem.ops = &vblk_fake_mem_ops;
	vq->mem.ctx = m;
	vq->num = num;
	vq->desc = dq->desc;
	vq->avail = dq->avail;
	vq->used = dq->used;
	vq->event_idx = event_idx;
	vq->indirect = true;
	vq->ready = true;
	KUNIT_ASSERT_TRUE(test, vblk_vq_layout_ok(num, vq->desc, vq->avail,
						  vq->used));
	return vq;
}

static void vblk_vq_test_layout_rules(struct kunit *test)
{
	/* sizes: a power of two from 1 to 32768 */
	KUNIT_EXPECT_TRUE(test, vblk_vq_layout_ok(1, 0, 0x100, 0x200));
	KUNIT_EXPECT_TRUE(test, vblk_vq_layout_ok(32768, 0, 0x80000, 0x90000));
	KUNIT_EXPECT_FALSE(test, vblk_vq_layout_ok(0, 0, 0x100, 0x200));
	KUNIT_EXPECT_FALSE(test, vblk_vq_layout_ok(3, 0, 0x100, 0x200));
	KUNIT_EXPECT_FALSE(test, vblk_vq_layout_ok(65536, 0, 0x100000,
						   0x200000));
	/* alignment: 16 (descriptors), 2 (driver area), 4 (device area) */
	KUNIT_EXPECT_FALSE(test, vblk_vq_layout_ok(16, 8, 0x100, 0x200));
	KUNIT_EXPECT_FALSE(test, vblk_vq_layout_ok(16, 0, 0x101, 0x200));
	KUNIT_EXPECT_FALSE(test, vblk_vq_layout_ok(16, 0, 0x100, 0x202));
	KUNIT_EXPECT_TRUE(test, vblk_vq_layout_ok(16, 0, 0x102, 0x204));
	/* every area ends inside the address space, to the last byte */
	KUNIT_EXPECT_TRUE(test, vblk_vq_layout_ok(1, U64_MAX - 15, 0, 0));
	KUNIT_EXPECT_FALSE(test, vblk_vq_layout_ok(2, U64_MAX - 15, 0, 0));
	KUNIT_EXPECT_TRUE(test, vblk_vq_layout_ok(1, 0, U64_MAX - 7, 0));
	KUNIT_EXPECT_FALSE(test, vblk_vq_layout_ok(2, 0, U64_MAX - 7, 0));
	KUNIT_EXPECT_TRUE(test, vblk_vq_layout_ok(1, 0, 0, U64_MAX - 15));
	KUNIT_EXPECT_FALSE(test, vblk_vq_layout_ok(2, 0, 0, U64_MAX - 15));
}

static void vblk_vq_test_pop_unpop_wrap(struct kunit *test)
{
	struct vblk_fake_vq dq;
	struct vblk_vq *vq = vq_ring(test, &dq, 16, false);
	u16 avail, head;

	/* three heads published in slots 14, 15 and 0, across the u16 wrap */
	vblk_vq_set_state(vq, 0xfffe);
	vblk_fake_vq_set_avail_idx(&dq, 0xfffe);
	vblk_fake_vq_publish(&dq, 5);
	vblk_fake_vq_publish(&dq, 6);
	vblk_fake_vq_publish(&dq, 7);
	KUNIT_ASSERT_EQ(test, 0, vblk_vq_avail_idx(vq, &avail));
	KUNIT_EXPECT_EQ(test, 1, avail);

	KUNIT_EXPECT_EQ(test, 0, vblk_vq_pop(vq, &head));
	KUNIT_EXPECT_EQ(test, 5, head);
	KUNIT_EXPECT_EQ(test, 0, vblk_vq_pop(vq, &head));
	KUNIT_EXPECT_EQ(test, 6, head);
	KUNIT_EXPECT_EQ(test, 0, vq->last_avail_idx);
	/* rolling back over the wrap */
	vblk_vq_unpop(vq);
	KUNIT_EXPECT_EQ(test, 0xffff, vq->last_avail_idx);
	KUNIT_EXPECT_EQ(test, 0, vblk_vq_pop(vq, &head));
	KUNIT_EXPECT_EQ(test, 6, head);
	KUNIT_EXPECT_EQ(test, 0, vblk_vq_pop(vq, &head));
	KUNIT_EXPECT_EQ(test, 7, head);
	KUNIT_EXPECT_EQ(test, 1, vq->last_avail_idx);

	/* a ring entry that cannot be read takes nothing */
	vblk_fake_vq_publish(&dq, 8);
	vblk_fake_mem_inject(dq.mem, dq.avail + 4 + 2 * 1, 2, VBLK_FAKE_READ,
			     -EFAULT);
	KUNIT_EXPECT_EQ(test, -EFAULT, vblk_vq_pop(vq, &head));
	KUNIT_EXPECT_EQ(test, 1, vq->last_avail_idx);
	KUNIT_EXPECT_FALSE(test, vq->broken);
}

static void vblk_vq_test_avail_idx_bound(struct kunit *test)
{
	struct vblk_fake_vq dq;
	struct vblk_vq *vq = vq_ring(test, &dq, 16, false);
	u16 avail;

	/* exactly the queue size ahead, also across the wrap */
	vblk_vq_set_state(vq, 0xfff8);
	vblk_fake_vq_set_avail_idx(&dq, 0x0008);
	KUNIT_EXPECT_EQ(test, 0, vblk_vq_avail_idx(vq, &avail));
	KUNIT_EXPECT_EQ(test, 8, avail);
	KUNIT_EXPECT_FALSE(test, vq->broken);

	/* one more is a driver bug: broken, and nothing is taken */
	vblk_fake_vq_set_avail_idx(&dq, 0x0009);
	KUNIT_EXPECT_EQ(test, -EPROTO, vblk_vq_avail_idx(vq, &avail));
	KUNIT_EXPECT_TRUE(test, vq->broken);
	KUNIT_EXPECT_EQ(test, 0xfff8, vq->last_avail_idx);

	/* setting the ring position forgets it */
	vblk_vq_set_state(vq, 0x0008);
	KUNIT_EXPECT_FALSE(test, vq->broken);
	KUNIT_EXPECT_EQ(test, 8, vq->used_idx);
	KUNIT_EXPECT_EQ(test, 0, vblk_vq_avail_idx(vq, &avail));

	/* an index behind the device's is as far off as it gets */
	vblk_fake_vq_set_avail_idx(&dq, 0x0007);
	KUNIT_EXPECT_EQ(test, -EPROTO, vblk_vq_avail_idx(vq, &avail));

	/* an unreadable index is no driver bug */
	vblk_vq_set_state(vq, 0);
	vblk_fake_mem_inject(dq.mem, dq.avail + 2, 2, VBLK_FAKE_READ, -EFAULT);
	KUNIT_EXPECT_EQ(test, -EFAULT, vblk_vq_avail_idx(vq, &avail));
	KUNIT_EXPECT_FALSE(test, vq->broken);

	/* clearing (a reset) forgets the configuration and the position */
	vblk_vq_clear(vq);
	KUNIT_EXPECT_EQ(test, 0, vq->num);
	KUNIT_EXPECT_FALSE(test, vq->ready);
	KUNIT_EXPECT_EQ(test, 0, vq->last_avail_idx);
	KUNIT_EXPECT_PTR_EQ(test, &vblk_fake_mem_ops, vq->mem.ops);
}

/* Write table entry @i of @table verbatim. */
static void vq_put(struct vblk_fake_mem *m, u64 table, u16 i, u64 addr,
		   u32 len, u16 flags, u16 next)
{
	u64 a = table + 16ULL * i;

	vblk_fake_wr64(m, a, addr);
	vblk_fake_wr32(m, a + 8, len);
	vblk_fake_wr16(m, a + 12, flags);
	vblk_fake_wr16(m, a + 14, next);
}

#define VQ_N	VRING_DESC_F_NEXT
#define VQ_I	VRING_DESC_F_INDIRECT

static void vblk_vq_test_walk(struct kunit *test)
{
	struct vblk_fake_vq dq;
	struct vblk_vq *vq = vq_ring(test, &dq, 16, false);
	struct vblk_fake_mem *m = dq.mem;
	struct vblk_chain *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	/* 3 -> 9 -> 1: a header, then an indirect table of data and status */
	vq_put(m, dq.desc, 3, VT_HDR, 16, VQ_N, 9);
	vq_put(m, dq.desc, 9, VT_TABLE, 32, VQ_I, 0);
	vq_put(m, VT_TABLE, 0, VT_DATA, 512, VQ_N | VT_W, 1);
	vq_put(m, VT_TABLE, 1, VT_STATUS, 1, VT_W, 0);
	KUNIT_ASSERT_EQ(test, 0, vblk_vq_walk(vq, 3, c));
	KUNIT_EXPECT_EQ(test, 3, c->n);
	KUNIT_EXPECT_EQ(test, VT_HDR, c->seg[0].gpa);
	KUNIT_EXPECT_EQ(test, 16, c->seg[0].len);
	KUNIT_EXPECT_EQ(test, VT_DATA, c->seg[1].gpa);
	KUNIT_EXPECT_EQ(test, 512, c->seg[1].len);
	KUNIT_EXPECT_EQ(test, VQ_N | VT_W, c->flags[1]);
	KUNIT_EXPECT_EQ(test, VT_STATUS, c->seg[2].gpa);
	KUNIT_EXPECT_EQ(test, VT_W, c->flags[2]);

	/* without INDIRECT_DESC negotiated the table is refused */
	vq->indirect = false;
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vq_walk(vq, 3, c));
	vq->indirect = true;
	/* a loop inside the table */
	vq_put(m, VT_TABLE, 1, VT_STATUS, 1, VT_W | VQ_N, 0);
	KUNIT_EXPECT_EQ(test, -ELOOP, vblk_vq_walk(vq, 3, c));
	/* an index beyond the table */
	vq_put(m, VT_TABLE, 1, VT_STATUS, 1, VT_W | VQ_N, 2);
	KUNIT_EXPECT_EQ(test, -ERANGE, vblk_vq_walk(vq, 3, c));
	/* a table that wraps the address space */
	vq_put(m, dq.desc, 9, U64_MAX - 15, 32, VQ_I, 0);
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vq_walk(vq, 3, c));
	/* a table in no RAM */
	vq_put(m, dq.desc, 9, VBLK_FAKE_HOLE, 32, VQ_I, 0);
	KUNIT_EXPECT_EQ(test, -EFAULT, vblk_vq_walk(vq, 3, c));

	/* in the main table: head and next out of range, a loop */
	KUNIT_EXPECT_EQ(test, -ERANGE, vblk_vq_walk(vq, 16, c));
	vq_put(m, dq.desc, 3, VT_HDR, 16, VQ_N, 16);
	KUNIT_EXPECT_EQ(test, -ERANGE, vblk_vq_walk(vq, 3, c));
	vq_put(m, dq.desc, 3, VT_HDR, 16, VQ_N, 4);
	vq_put(m, dq.desc, 4, VT_STATUS, 1, VT_W | VQ_N, 3);
	KUNIT_EXPECT_EQ(test, -ELOOP, vblk_vq_walk(vq, 3, c));
	/* the descriptor table itself faults */
	vblk_fake_mem_inject(m, dq.desc + 16 * 4, 16, VBLK_FAKE_READ, -EIO);
	KUNIT_EXPECT_EQ(test, -EIO, vblk_vq_walk(vq, 3, c));
}

static void vblk_vq_test_walk_bound(struct kunit *test)
{
	struct vblk_fake_vq dq;
	struct vblk_vq *vq = vq_ring(test, &dq, 256, false);
	struct vblk_chain *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	/* VBLK_VQ_CHAIN_MAX descriptors walk, one more does not */
	for (i = 0; i < VBLK_VQ_CHAIN_MAX; i++)
		vq_put(dq.mem, dq.desc, i, VT_DATA, 8, VQ_N, i + 1);
	vq_put(dq.mem, dq.desc, i, VT_STATUS, 1, VT_W, 0);
	KUNIT_EXPECT_EQ(test, -E2BIG, vblk_vq_walk(vq, 0, c));
	KUNIT_EXPECT_EQ(test, 0, vblk_vq_walk(vq, 1, c));
	KUNIT_EXPECT_EQ(test, VBLK_VQ_CHAIN_MAX, c->n);

	/* the bound also holds inside a table as large as the queue */
	for (i = 0; i < 256; i++)
		vq_put(dq.mem, 0x20000, i, VT_DATA, 8, VQ_N, i + 1);
	vq_put(dq.mem, dq.desc, 0, 0x20000, 256 * 16, VQ_I, 0);
	KUNIT_EXPECT_EQ(test, -E2BIG, vblk_vq_walk(vq, 0, c));
	/* larger than the queue, nested, with NEXT, empty, ragged */
	vq_put(dq.mem, dq.desc, 0, 0x20000, 257 * 16, VQ_I, 0);
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vq_walk(vq, 0, c));
	vq_put(dq.mem, 0x20000, 0, 0x20000, 16, VQ_I, 0);
	vq_put(dq.mem, dq.desc, 0, 0x20000, 16, VQ_I, 0);
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vq_walk(vq, 0, c));
	vq_put(dq.mem, dq.desc, 0, 0x20000, 16, VQ_I | VQ_N, 1);
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vq_walk(vq, 0, c));
	vq_put(dq.mem, dq.desc, 0, 0x20000, 0, VQ_I, 0);
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vq_walk(vq, 0, c));
	vq_put(dq.mem, dq.desc, 0, 0x20000, 24, VQ_I, 0);
	KUNIT_EXPECT_EQ(test, -EINVAL, vblk_vq_walk(vq, 0, c));
}

static void vblk_vq_test_used_ring(struct kunit *test)
{
	struct vblk_fake_vq dq;
	struct vblk_vq *vq = vq_ring(test, &dq, 16, false);
	u32 id, len;

	/* an element is invisible until committed; a second add replaces it */
	vblk_vq_set_state(vq, 0xffff);
	vblk_fake_wr16(dq.mem, dq.used + 2, 0xffff);
	KUNIT_EXPECT_EQ(test, 0, vblk_vq_add_used(vq, 4, 99));
	KUNIT_EXPECT_EQ(test, 0, vblk_vq_add_used(vq, 7, 513));
	KUNIT_EXPECT_EQ(test, 0xffff, vblk_fake_vq_used_idx(&dq));
	vblk_fake_vq_used_elem(&dq, 15, &id, &len);
	KUNIT_EXPECT_EQ(test, 7, id);
	KUNIT_EXPECT_EQ(test, 513, len);
	KUNIT_EXPECT_EQ(test, 0, vblk_vq_commit_used(vq));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&dq));
	KUNIT_EXPECT_EQ(test, 0, vq->used_idx);
	/* the next element goes to slot 0 */
	KUNIT_EXPECT_EQ(test, 0, vblk_vq_add_used(vq, 2, 1));
	vblk_fake_vq_used_elem(&dq, 0, &id, &len);
	KUNIT_EXPECT_EQ(test, 2, id);

	/* an index that cannot be written publishes nothing */
	vblk_fake_mem_inject(dq.mem, dq.used + 2, 2, VBLK_FAKE_WRITE, -EFAULT);
	KUNIT_EXPECT_EQ(test, -EFAULT, vblk_vq_commit_used(vq));
	KUNIT_EXPECT_EQ(test, 0, vq->used_idx);
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&dq));
	/* nor does an element slot that cannot be written */
	vblk_fake_mem_inject(dq.mem, dq.used + 4, 8, VBLK_FAKE_WRITE, -EFAULT);
	KUNIT_EXPECT_EQ(test, -EFAULT, vblk_vq_add_used(vq, 3, 1));
}

static void vblk_vq_test_notify_enable_disable(struct kunit *test)
{
	struct vblk_fake_vq lq, eq;
	struct vblk_vq *legacy = vq_ring(test, &lq, 16, false);
	struct vblk_vq *ev = vq_ring(test, &eq, 16, true);

	/* legacy: VRING_USED_F_NO_NOTIFY set while draining, then cleared */
	vblk_vq_notify_disable(legacy);
	KUNIT_EXPECT_EQ(test, VRING_USED_F_NO_NOTIFY,
			vblk_fake_vq_used_flags(&lq));
	KUNIT_EXPECT_TRUE(test, vblk_vq_notify_enable(legacy));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_flags(&lq));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_avail_event(&lq));

	/* EVENT_IDX: the flags stay, avail_event follows the device */
	vblk_vq_set_state(ev, 41);
	vblk_vq_notify_disable(ev);
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_flags(&eq));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_avail_event(&eq));
	KUNIT_EXPECT_TRUE(test, vblk_vq_notify_enable(ev));
	KUNIT_EXPECT_EQ(test, 41, vblk_fake_vq_avail_event(&eq));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_flags(&eq));

	/* a write that fails is reported */
	vblk_fake_mem_inject(eq.mem, eq.used + 4 + 8 * 16, 2, VBLK_FAKE_WRITE,
			     -EFAULT);
	KUNIT_EXPECT_FALSE(test, vblk_vq_notify_enable(ev));
	vblk_fake_mem_inject(lq.mem, lq.used, 2, VBLK_FAKE_WRITE, -EFAULT);
	KUNIT_EXPECT_FALSE(test, vblk_vq_notify_enable(legacy));
}

static void vblk_vq_test_need_signal(struct kunit *test)
{
	struct vblk_fake_vq lq, eq;
	struct vblk_vq *legacy = vq_ring(test, &lq, 16, false);
	struct vblk_vq *ev = vq_ring(test, &eq, 16, true);

	/* legacy: always, VRING_AVAIL_F_NO_INTERRUPT notwithstanding */
	vblk_fake_vq_set_avail_flags(&lq, VRING_AVAIL_F_NO_INTERRUPT);
	legacy->used_idx = 1;
	KUNIT_EXPECT_TRUE(test, vblk_vq_need_signal(legacy));
	KUNIT_EXPECT_TRUE(test, vblk_vq_need_signal(legacy));

	/* EVENT_IDX: when the used index crossed used_event since last time */
	vblk_fake_vq_set_used_event(&eq, 2);
	ev->used_idx = 2;
	KUNIT_EXPECT_FALSE(test, vblk_vq_need_signal(ev));	/* 0 -> 2 */
	ev->used_idx = 3;
	KUNIT_EXPECT_TRUE(test, vblk_vq_need_signal(ev));	/* 2 -> 3 */
	ev->used_idx = 5;
	KUNIT_EXPECT_FALSE(test, vblk_vq_need_signal(ev));	/* 3 -> 5 */
	KUNIT_EXPECT_EQ(test, 5, ev->signalled_used);
	/* across the u16 wrap */
	vblk_vq_set_state(ev, 0xfffe);
	vblk_fake_vq_set_used_event(&eq, 0xffff);
	ev->used_idx = 1;
	KUNIT_EXPECT_TRUE(test, vblk_vq_need_signal(ev));
	/* an unreadable used_event means yes */
	vblk_fake_mem_inject(eq.mem, eq.avail + 4 + 2 * 16, 2, VBLK_FAKE_READ,
			     -EFAULT);
	ev->used_idx = 2;
	KUNIT_EXPECT_TRUE(test, vblk_vq_need_signal(ev));
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
	KUNIT_CASE(vblk_vq_test_layout_rules),
	KUNIT_CASE(vblk_vq_test_pop_unpop_wrap),
	KUNIT_CASE(vblk_vq_test_avail_idx_bound),
	KUNIT_CASE(vblk_vq_test_walk),
	KUNIT_CASE(vblk_vq_test_walk_bound),
	KUNIT_CASE(vblk_vq_test_used_ring),
	KUNIT_CASE(vblk_vq_test_notify_enable_disable),
	KUNIT_CASE(vblk_vq_test_need_signal),
	{}
};

static struct kunit_suite vblk_vq_test_suite = {
	.name = "vblk_vq",
	.test_cases = vblk_vq_test_cases,
};

kunit_test_suite(vblk_vq_test_suite);
