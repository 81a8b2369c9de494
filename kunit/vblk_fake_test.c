// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of the test doubles (suite "vblk_fake"), so that a failure
 * elsewhere is the device's and not the doubles'.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"

static void vblk_fake_mem_iter_splits_regions(struct kunit *test)
{
	struct vblk_fake_mem *m = vblk_fake_mem_new(test);
	struct vblk_seg seg = { .gpa = 0xf00, .len = 0x200 };
	union vblk_iovec_buf *buf;
	struct iov_iter it;
	u8 src[0x200];

	buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* two adjacent regions with separate buffers, then a hole */
	vblk_fake_mem_add_region(m, 0, 0x1000);
	vblk_fake_mem_add_region(m, 0x1000, 0x1000);
	KUNIT_ASSERT_EQ(test, 0, vblk_fake_mem_ops.iter(m, &seg, 1, ITER_DEST,
							buf, &it));
	KUNIT_EXPECT_EQ(test, it.nr_segs, 2);
	KUNIT_EXPECT_EQ(test, iov_iter_count(&it), 0x200);
	memset(src, 0x5a, sizeof(src));
	KUNIT_EXPECT_EQ(test, copy_to_iter(src, sizeof(src), &it), sizeof(src));
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(m, 0xf00, 0x5a, 0x100));
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(m, 0x1000, 0x5a, 0x100));
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(m, 0x1100, 0, 0xf00));

	/* one byte past the last region: refused and counted */
	seg.gpa = 0x1f01;
	seg.len = 0x100;
	KUNIT_EXPECT_EQ(test, -EFAULT,
			vblk_fake_mem_ops.iter(m, &seg, 1, ITER_SOURCE, buf,
					       &it));
	KUNIT_EXPECT_EQ(test, atomic_read(&m->outside), 1);
}

static void vblk_fake_mem_iter_too_many_segments(struct kunit *test)
{
	struct vblk_fake_mem *m = vblk_fake_mem_new(test);
	const unsigned int n = VBLK_MEM_MAX_IOVECS + 1;
	union vblk_iovec_buf *buf;
	struct vblk_seg *segs;
	struct iov_iter it;
	unsigned int i;

	buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);
	segs = kunit_kcalloc(test, n, sizeof(*segs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, segs);
	vblk_fake_mem_add_region(m, 0, 0x10000);
	for (i = 0; i < n; i++) {
		segs[i].gpa = 16 * i;
		segs[i].len = 8;
	}
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_mem_ops.iter(m, segs, n - 1,
							ITER_SOURCE, buf, &it));
	KUNIT_EXPECT_EQ(test, -E2BIG, vblk_fake_mem_ops.iter(m, segs, n,
							     ITER_SOURCE, buf,
							     &it));
}

static void vblk_fake_mem_faults_and_holes(struct kunit *test)
{
	struct vblk_fake_mem *m = vblk_fake_mem_default(test);
	u8 b[4] = { 1, 2, 3, 4 };
	u8 r;

	vblk_fake_mem_inject(m, 0x6000, 1, VBLK_FAKE_WRITE, -EIO);
	KUNIT_EXPECT_EQ(test, -EIO, vblk_fake_mem_ops.write(m, 0x5fff, b, 2));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_mem_ops.read(m, 0x6000, &r, 1));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_mem_ops.write(m, 0x6001, b, 4));
	KUNIT_EXPECT_EQ(test, vblk_fake_rd32(m, 0x6001), 0x04030201);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->faulted), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->outside), 0);

	KUNIT_EXPECT_EQ(test, -EFAULT,
			vblk_fake_mem_ops.read(m, VBLK_FAKE_HOLE, &r, 1));
	KUNIT_EXPECT_EQ(test, -EFAULT,
			vblk_fake_mem_ops.write(m, VBLK_FAKE_RAM0_SIZE - 1, b,
						2));
	KUNIT_EXPECT_EQ(test, -EFAULT,
			vblk_fake_mem_ops.read(m, U64_MAX, b, 2));
	KUNIT_EXPECT_EQ(test, atomic_read(&m->outside), 3);
	/* a refused write copied nothing */
	KUNIT_EXPECT_EQ(test, vblk_fake_rd8(m, VBLK_FAKE_RAM0_SIZE - 1), 0);
}

static void vblk_fake_backing_modes(struct kunit *test)
{
	struct vblk_fake_backing *b = vblk_fake_backing_new(test, 1024, 100,
							    0xa5);
	struct kvec kv = { 0 };
	struct iov_iter it;
	u8 buf[512];

	/* read across EOF is short, read at EOF returns 0 */
	kv.iov_base = buf;
	kv.iov_len = sizeof(buf);
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, sizeof(buf));
	KUNIT_EXPECT_EQ(test, 100, vblk_fake_backing_ops.read_iter(b, &it, 0));
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, sizeof(buf));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_backing_ops.read_iter(b, &it, 512));

	/* one short write of half the segment, then a full one */
	memset(buf, 0xcd, sizeof(buf));
	b->write_partials = 1;
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, sizeof(buf));
	KUNIT_EXPECT_EQ(test, 256, vblk_fake_backing_ops.write_iter(b, &it,
								    512));
	KUNIT_EXPECT_EQ(test, 256, vblk_fake_backing_ops.write_iter(b, &it,
								    768));
	KUNIT_EXPECT_FALSE(test, memchr_inv(b->data + 512, 0xcd, 512));
	KUNIT_EXPECT_EQ(test, b->size, 1024);
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, sizeof(buf));
	KUNIT_EXPECT_EQ(test, -ENOSPC, vblk_fake_backing_ops.write_iter(b, &it,
									1000));

	b->read_eintrs = 1;
	iov_iter_kvec(&it, ITER_DEST, &kv, 1, sizeof(buf));
	KUNIT_EXPECT_EQ(test, -EINTR, vblk_fake_backing_ops.read_iter(b, &it, 0));
	KUNIT_EXPECT_EQ(test, 512, vblk_fake_backing_ops.read_iter(b, &it, 0));
	b->write_zero = true;
	iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, sizeof(buf));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_backing_ops.write_iter(b, &it, 0));
	b->sync_err = -EIO;
	KUNIT_EXPECT_EQ(test, -EIO, vblk_fake_backing_ops.sync(b));
	KUNIT_EXPECT_EQ(test, atomic_read(&b->reads), 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->writes), 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->syncs), 1);
}

static void vblk_fake_vq_layout(struct kunit *test)
{
	struct vblk_fake_mem *m = vblk_fake_mem_default(test);
	const struct vblk_fake_desc d[] = {
		{ .addr = 0x4000, .len = 16 },
		{ .addr = 0x6000, .len = 1, .flags = VRING_DESC_F_WRITE },
	};
	struct vblk_fake_vq vq;

	vblk_fake_vq_init(&vq, m, 0x1000, 16);
	KUNIT_EXPECT_EQ(test, vq.avail, 0x1100);
	KUNIT_EXPECT_EQ(test, vq.used, 0x1128);
	vblk_fake_vq_set_avail_idx(&vq, 0xffff);
	KUNIT_EXPECT_EQ(test, vblk_fake_vq_add_chain(&vq, d, 2), 0);
	/* desc 0 links to desc 1, which ends the chain */
	KUNIT_EXPECT_EQ(test, vblk_fake_rd64(m, 0x1000), 0x4000);
	KUNIT_EXPECT_EQ(test, vblk_fake_rd16(m, 0x1000 + 12),
			VRING_DESC_F_NEXT);
	KUNIT_EXPECT_EQ(test, vblk_fake_rd16(m, 0x1000 + 14), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_rd16(m, 0x1010 + 12),
			VRING_DESC_F_WRITE);
	/* published in slot 0xffff % 16, avail->idx wrapped to 0 */
	KUNIT_EXPECT_EQ(test, vblk_fake_rd16(m, 0x1100 + 4 + 2 * 15), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_rd16(m, 0x1102), 0);
	vblk_fake_vq_set_used_event(&vq, 7);
	KUNIT_EXPECT_EQ(test, vblk_fake_rd16(m, 0x1100 + 4 + 2 * 16), 7);
}

static struct kunit_case vblk_fake_cases[] = {
	KUNIT_CASE(vblk_fake_mem_iter_splits_regions),
	KUNIT_CASE(vblk_fake_mem_iter_too_many_segments),
	KUNIT_CASE(vblk_fake_mem_faults_and_holes),
	KUNIT_CASE(vblk_fake_backing_modes),
	KUNIT_CASE(vblk_fake_vq_layout),
	{}
};

static struct kunit_suite vblk_fake_suite = {
	.name = "vblk_fake",
	.test_cases = vblk_fake_cases,
};

kunit_test_suites(&vblk_fake_suite);
