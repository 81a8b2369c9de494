// SPDX-License-Identifier: GPL-2.0
/*
 * Test doubles for the vblk device model, guest memory (see vblk_fake.h):
 * RAM regions with holes and injectable faults, behind struct
 * vblk_mem_ops, and the accessors tests use to plant and inspect bytes.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

#include "vblk_fake.h"

KUNIT_DEFINE_ACTION_WRAPPER(vblk_fake_vfree, vfree, const void *);

/**
 * vblk_fake_mem_new() - create an empty fake guest memory
 * @test: owning test
 *
 * Return: the memory, never NULL (the test aborts on allocation failure).
 */
struct vblk_fake_mem *vblk_fake_mem_new(struct kunit *test)
{
	struct vblk_fake_mem *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->test = test;
	return m;
}

/**
 * vblk_fake_mem_add_region() - add a zeroed RAM range
 * @m: fake memory
 * @gpa: first guest-physical address
 * @size: length in bytes (non-zero)
 *
 * Ranges must be added in increasing address order and must not overlap;
 * adjacent ranges are allowed and get separate buffers, so an access
 * spanning them exercises segment splitting.
 */
void vblk_fake_mem_add_region(struct vblk_fake_mem *m, u64 gpa, u64 size)
{
	struct kunit *test = m->test;
	struct vblk_fake_region *r;
	u64 end;

	KUNIT_ASSERT_LT(test, m->nr_regions, VBLK_FAKE_MAX_REGIONS);
	KUNIT_ASSERT_GT(test, size, 0);
	KUNIT_ASSERT_FALSE(test, check_add_overflow(gpa, size, &end));
	if (m->nr_regions) {
		r = &m->regions[m->nr_regions - 1];
		KUNIT_ASSERT_LE(test, r->gpa + r->size, gpa);
	}
	r = &m->regions[m->nr_regions];
	r->buf = vzalloc(size);
	KUNIT_ASSERT_NOT_NULL(test, r->buf);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, vblk_fake_vfree, r->buf));
	r->gpa = gpa;
	r->size = size;
	m->nr_regions++;
}

/**
 * vblk_fake_mem_default() - fake memory with the default two-region layout
 * @test: owning test
 *
 * RAM at [%VBLK_FAKE_RAM0, +%VBLK_FAKE_RAM0_SIZE) and
 * [%VBLK_FAKE_RAM1, +%VBLK_FAKE_RAM1_SIZE); %VBLK_FAKE_HOLE is not RAM.
 *
 * Return: the memory.
 */
struct vblk_fake_mem *vblk_fake_mem_default(struct kunit *test)
{
	struct vblk_fake_mem *m = vblk_fake_mem_new(test);

	vblk_fake_mem_add_region(m, VBLK_FAKE_RAM0, VBLK_FAKE_RAM0_SIZE);
	vblk_fake_mem_add_region(m, VBLK_FAKE_RAM1, VBLK_FAKE_RAM1_SIZE);
	return m;
}

/**
 * vblk_fake_mem_inject() - make device accesses to a range fail
 * @m: fake memory
 * @gpa: first guest-physical address
 * @len: length in bytes
 * @kinds: %VBLK_FAKE_READ and/or %VBLK_FAKE_WRITE
 * @err: negative errno to return (e.g. -EFAULT)
 *
 * Any device access of a matching kind that overlaps the range fails
 * with @err and copies nothing.
 */
void vblk_fake_mem_inject(struct vblk_fake_mem *m, u64 gpa, u64 len,
			  unsigned int kinds, int err)
{
	vblk_fake_mem_inject_after(m, gpa, len, kinds, err, 0);
}

/**
 * vblk_fake_mem_inject_after() - make later device accesses to a range fail
 * @m: fake memory
 * @gpa: first guest-physical address
 * @len: length in bytes
 * @kinds: %VBLK_FAKE_READ and/or %VBLK_FAKE_WRITE
 * @err: negative errno to return (e.g. -EFAULT)
 * @skip: number of matching accesses that still succeed
 *
 * Like vblk_fake_mem_inject(), once @skip matching accesses went through.
 */
void vblk_fake_mem_inject_after(struct vblk_fake_mem *m, u64 gpa, u64 len,
				unsigned int kinds, int err, unsigned int skip)
{
	struct vblk_fake_fault *f;

	KUNIT_ASSERT_LT(m->test, m->nr_faults, VBLK_FAKE_MAX_FAULTS);
	KUNIT_ASSERT_LT(m->test, err, 0);
	f = &m->faults[m->nr_faults++];
	f->gpa = gpa;
	f->len = len;
	f->kinds = kinds;
	f->err = err;
	f->skip = skip;
}

/**
 * vblk_fake_mem_clear_faults() - remove every injected fault
 * @m: fake memory
 */
void vblk_fake_mem_clear_faults(struct vblk_fake_mem *m)
{
	m->nr_faults = 0;
}

static struct vblk_fake_region *vblk_fake_find(struct vblk_fake_mem *m,
					       u64 gpa)
{
	unsigned int i;

	for (i = 0; i < m->nr_regions; i++) {
		struct vblk_fake_region *r = &m->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

/* Injected fault for [gpa, gpa + len), or 0. */
static int vblk_fake_fault_for(struct vblk_fake_mem *m, u64 gpa, u64 len,
			       unsigned int kind)
{
	unsigned int i;

	for (i = 0; i < m->nr_faults; i++) {
		struct vblk_fake_fault *f = &m->faults[i];

		if (!(f->kinds & kind) || !f->len)
			continue;
		/* overlap of [gpa, gpa + len) and [f->gpa, f->gpa + f->len) */
		if (gpa - f->gpa < f->len || f->gpa - gpa < len) {
			if (f->skip) {
				f->skip--;
				continue;
			}
			atomic_inc(&m->faulted);
			return f->err;
		}
	}
	return 0;
}

/* Is every byte of [gpa, gpa + len) guest RAM? */
static bool vblk_fake_covered(struct vblk_fake_mem *m, u64 gpa, u64 len)
{
	u64 end;

	if (check_add_overflow(gpa, len, &end))
		return false;
	while (gpa < end) {
		struct vblk_fake_region *r = vblk_fake_find(m, gpa);

		if (!r)
			return false;
		gpa = r->gpa + r->size;
	}
	return true;
}

/* Validate a device access; counts and returns an errno on refusal. */
static int vblk_fake_check(struct vblk_fake_mem *m, u64 gpa, u64 len,
			   unsigned int kind)
{
	int err;

	if (!len)
		return 0;
	err = vblk_fake_fault_for(m, gpa, len, kind);
	if (err)
		return err;
	if (!vblk_fake_covered(m, gpa, len)) {
		atomic_inc(&m->outside);
		return -EFAULT;
	}
	return 0;
}

/* Copy between a checked guest range and @buf. */
static void vblk_fake_copy(struct vblk_fake_mem *m, u64 gpa, void *buf,
			   u64 len, bool to_guest)
{
	u8 *p = buf;

	while (len) {
		struct vblk_fake_region *r = vblk_fake_find(m, gpa);
		u64 off = gpa - r->gpa;
		u64 n = min(len, r->size - off);

		if (to_guest)
			memcpy(r->buf + off, p, n);
		else
			memcpy(p, r->buf + off, n);
		p += n;
		gpa += n;
		len -= n;
	}
}

static int vblk_fake_mem_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	struct vblk_fake_mem *m = ctx;
	int err;

	atomic_inc(&m->reads);
	err = vblk_fake_check(m, gpa, len, VBLK_FAKE_READ);
	if (err)
		return err;
	vblk_fake_copy(m, gpa, buf, len, false);
	return 0;
}

static int vblk_fake_mem_write(void *ctx, u64 gpa, const void *buf,
			       size_t len)
{
	struct vblk_fake_mem *m = ctx;
	int err;

	atomic_inc(&m->writes);
	err = vblk_fake_check(m, gpa, len, VBLK_FAKE_WRITE);
	if (err)
		return err;
	vblk_fake_copy(m, gpa, (void *)buf, len, true);
	return 0;
}

static int vblk_fake_mem_iter(void *ctx, const struct vblk_seg *segs,
			      unsigned int nsegs, unsigned int dir,
			      union vblk_iovec_buf *buf, struct iov_iter *iter)
{
	/* ITER_DEST: the backing fills guest memory, a device write. */
	unsigned int kind = dir == ITER_DEST ? VBLK_FAKE_WRITE : VBLK_FAKE_READ;
	struct vblk_fake_mem *m = ctx;
	unsigned int i, nr = 0;
	size_t total = 0;
	int err;

	atomic_inc(&m->iters);
	for (i = 0; i < nsegs; i++) {
		u64 gpa = segs[i].gpa;
		u64 left = segs[i].len;

		err = vblk_fake_check(m, gpa, left, kind);
		if (err)
			return err;
		while (left) {
			struct vblk_fake_region *r = vblk_fake_find(m, gpa);
			u64 off = gpa - r->gpa;
			u64 n = min(left, r->size - off);

			if (nr == VBLK_MEM_MAX_IOVECS)
				return -E2BIG;
			buf->kv[nr].iov_base = r->buf + off;
			buf->kv[nr].iov_len = n;
			nr++;
			total += n;
			gpa += n;
			left -= n;
		}
	}
	iov_iter_kvec(iter, dir, buf->kv, nr, total);
	return 0;
}

/* Guest memory access for the device model, over struct vblk_fake_mem. */
const struct vblk_mem_ops vblk_fake_mem_ops = {
	.read = vblk_fake_mem_read,
	.write = vblk_fake_mem_write,
	.iter = vblk_fake_mem_iter,
};

/**
 * vblk_fake_ptr() - direct pointer to guest bytes, for tests
 * @m: fake memory
 * @gpa: guest-physical address
 * @len: bytes that must be contiguous in one region
 *
 * Fails the test (and returns NULL) when the range is not inside one
 * region. Does not count as a device access.
 *
 * Return: kernel pointer to @gpa, or NULL.
 */
u8 *vblk_fake_ptr(struct vblk_fake_mem *m, u64 gpa, u64 len)
{
	struct vblk_fake_region *r = vblk_fake_find(m, gpa);

	if (!r || len > r->size - (gpa - r->gpa)) {
		KUNIT_FAIL(m->test, "test accesses gpa %#llx+%llu outside RAM",
			   gpa, len);
		return NULL;
	}
	return r->buf + (gpa - r->gpa);
}

/**
 * vblk_fake_fill() - set guest bytes, for tests
 * @m: fake memory
 * @gpa: first address
 * @byte: value
 * @len: number of bytes (inside one region)
 */
void vblk_fake_fill(struct vblk_fake_mem *m, u64 gpa, u8 byte, u64 len)
{
	u8 *p = vblk_fake_ptr(m, gpa, len);

	if (p)
		memset(p, byte, len);
}

/**
 * vblk_fake_all() - do guest bytes all hold one value?
 * @m: fake memory
 * @gpa: first address
 * @byte: expected value
 * @len: number of bytes (inside one region)
 *
 * Return: true if every byte equals @byte.
 */
bool vblk_fake_all(struct vblk_fake_mem *m, u64 gpa, u8 byte, u64 len)
{
	u8 *p = vblk_fake_ptr(m, gpa, len);

	return p && !memchr_inv(p, byte, len);
}

/**
 * vblk_fake_wr8() - store a byte in guest memory, for tests
 * @m: fake memory
 * @gpa: address
 * @v: value
 */
void vblk_fake_wr8(struct vblk_fake_mem *m, u64 gpa, u8 v)
{
	u8 *p = vblk_fake_ptr(m, gpa, 1);

	if (p)
		*p = v;
}

/**
 * vblk_fake_wr16() - store a little-endian u16 in guest memory
 * @m: fake memory
 * @gpa: address
 * @v: value
 */
void vblk_fake_wr16(struct vblk_fake_mem *m, u64 gpa, u16 v)
{
	u8 *p = vblk_fake_ptr(m, gpa, 2);

	if (p)
		put_unaligned_le16(v, p);
}

/**
 * vblk_fake_wr32() - store a little-endian u32 in guest memory
 * @m: fake memory
 * @gpa: address
 * @v: value
 */
void vblk_fake_wr32(struct vblk_fake_mem *m, u64 gpa, u32 v)
{
	u8 *p = vblk_fake_ptr(m, gpa, 4);

	if (p)
		put_unaligned_le32(v, p);
}

/**
 * vblk_fake_wr64() - store a little-endian u64 in guest memory
 * @m: fake memory
 * @gpa: address
 * @v: value
 */
void vblk_fake_wr64(struct vblk_fake_mem *m, u64 gpa, u64 v)
{
	u8 *p = vblk_fake_ptr(m, gpa, 8);

	if (p)
		put_unaligned_le64(v, p);
}

/**
 * vblk_fake_rd8() - load a byte from guest memory, for tests
 * @m: fake memory
 * @gpa: address
 *
 * Return: the byte (0 and a test failure outside RAM).
 */
u8 vblk_fake_rd8(struct vblk_fake_mem *m, u64 gpa)
{
	u8 *p = vblk_fake_ptr(m, gpa, 1);

	return p ? *p : 0;
}

/**
 * vblk_fake_rd16() - load a little-endian u16 from guest memory
 * @m: fake memory
 * @gpa: address
 *
 * Return: the value (0 and a test failure outside RAM).
 */
u16 vblk_fake_rd16(struct vblk_fake_mem *m, u64 gpa)
{
	u8 *p = vblk_fake_ptr(m, gpa, 2);

	return p ? get_unaligned_le16(p) : 0;
}

/**
 * vblk_fake_rd32() - load a little-endian u32 from guest memory
 * @m: fake memory
 * @gpa: address
 *
 * Return: the value (0 and a test failure outside RAM).
 */
u32 vblk_fake_rd32(struct vblk_fake_mem *m, u64 gpa)
{
	u8 *p = vblk_fake_ptr(m, gpa, 4);

	return p ? get_unaligned_le32(p) : 0;
}

/**
 * vblk_fake_rd64() - load a little-endian u64 from guest memory
 * @m: fake memory
 * @gpa: address
 *
 * Return: the value (0 and a test failure outside RAM).
 */
u64 vblk_fake_rd64(struct vblk_fake_mem *m, u64 gpa)
{
	u8 *p = vblk_fake_ptr(m, gpa, 8);

	return p ? get_unaligned_le64(p) : 0;
}

/**
 * vblk_fake_write_hdr() - plant a virtio-blk request header
 * @m: fake memory
 * @gpa: header address (16 bytes)
 * @type: VIRTIO_BLK_T_*
 * @sector: starting sector
 */
void vblk_fake_write_hdr(struct vblk_fake_mem *m, u64 gpa, u32 type,
			 u64 sector)
{
	vblk_fake_wr32(m, gpa, type);
	vblk_fake_wr32(m, gpa + 4, 0);
	vblk_fake_wr64(m, gpa + 8, sector);
}
