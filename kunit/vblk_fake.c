// SPDX-License-Identifier: GPL-2.0
/*
 * Test doubles for the vblk device model (see vblk_fake.h).
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uio.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"

KUNIT_DEFINE_ACTION_WRAPPER(vblk_fake_vfree, vfree, const void *);

/* ------------------------------------------------------------------ */
/* Fake guest memory                                                   */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* Driver side of a split virtqueue                                    */
/* ------------------------------------------------------------------ */

static u64 vq_avail_idx(const struct vblk_fake_vq *vq)
{
	return vq->avail + 2;
}

static u64 vq_avail_ring(const struct vblk_fake_vq *vq, u16 i)
{
	return vq->avail + 4 + 2 * (u64)i;
}

static u64 vq_used_event(const struct vblk_fake_vq *vq)
{
	return vq->avail + 4 + 2 * (u64)vq->num;
}

static u64 vq_used_idx(const struct vblk_fake_vq *vq)
{
	return vq->used + 2;
}

static u64 vq_used_elem(const struct vblk_fake_vq *vq, u16 i)
{
	return vq->used + 4 + 8 * (u64)i;
}

static u64 vq_avail_event(const struct vblk_fake_vq *vq)
{
	return vq->used + 4 + 8 * (u64)vq->num;
}

/**
 * vblk_fake_vq_init() - lay out a zeroed split virtqueue
 * @vq: the queue to set up
 * @m: fake memory
 * @gpa: descriptor table address (16-byte aligned)
 * @num: queue size (a power of two)
 *
 * The descriptor table is at @gpa, the available ring right after it and
 * the used ring at the next 4-byte boundary. Flags, indices and
 * used_event start at zero.
 */
void vblk_fake_vq_init(struct vblk_fake_vq *vq, struct vblk_fake_mem *m,
		       u64 gpa, u16 num)
{
	struct kunit *test = m->test;

	KUNIT_ASSERT_TRUE(test, num && is_power_of_2(num));
	vq->mem = m;
	vq->num = num;
	vq->desc = gpa;
	vq->avail = gpa + 16ULL * num;
	vq->used = ALIGN(vq->avail + 6 + 2ULL * num, 4);
	vq->avail_idx = 0;
	vq->next_slot = 0;
	vblk_fake_fill(m, vq->desc, 0, 16ULL * num);
	vblk_fake_fill(m, vq->avail, 0, 6 + 2ULL * num);
	vblk_fake_fill(m, vq->used, 0, 6 + 8ULL * num);
}

/**
 * vblk_fake_vq_set_used_addr() - move the used ring
 * @vq: the queue (before wiring)
 * @gpa: new used ring address (4-byte aligned); the ring is zeroed as
 *	far as it is RAM, so it may end in a hole on purpose
 */
void vblk_fake_vq_set_used_addr(struct vblk_fake_vq *vq, u64 gpa)
{
	vq->used = gpa;
	vblk_fake_fill(vq->mem, gpa, 0, 4 + 8ULL * vq->num);
}

/**
 * vblk_fake_vq_write_desc() - write one descriptor table entry verbatim
 * @vq: the queue
 * @i: table index (any u16: an out-of-range index is a test bug)
 * @d: the descriptor
 */
void vblk_fake_vq_write_desc(struct vblk_fake_vq *vq, u16 i,
			     const struct vblk_fake_desc *d)
{
	u64 a = vq->desc + 16ULL * i;

	KUNIT_ASSERT_LT(vq->mem->test, i, vq->num);
	vblk_fake_wr64(vq->mem, a, d->addr);
	vblk_fake_wr32(vq->mem, a + 8, d->len);
	vblk_fake_wr16(vq->mem, a + 12, d->flags);
	vblk_fake_wr16(vq->mem, a + 14, d->next);
}

/**
 * vblk_fake_vq_publish() - make a chain available to the device
 * @vq: the queue
 * @head: descriptor index of the chain's head
 *
 * Writes @head into the available ring and advances avail->idx.
 */
void vblk_fake_vq_publish(struct vblk_fake_vq *vq, u16 head)
{
	vblk_fake_wr16(vq->mem, vq_avail_ring(vq, vq->avail_idx % vq->num),
		       head);
	/* ring entry before index, as a driver does */
	smp_wmb();
	vq->avail_idx++;
	vblk_fake_wr16(vq->mem, vq_avail_idx(vq), vq->avail_idx);
}

/* Claim @n consecutive (wrapping) descriptor slots; returns the first. */
static u16 vblk_fake_vq_claim(struct vblk_fake_vq *vq, unsigned int n)
{
	u16 first = vq->next_slot;

	KUNIT_ASSERT_GT(vq->mem->test, n, 0);
	KUNIT_ASSERT_LE(vq->mem->test, n, vq->num);
	vq->next_slot = (vq->next_slot + n) % vq->num;
	return first;
}

/**
 * vblk_fake_vq_add_chain() - write and publish a descriptor chain
 * @vq: the queue
 * @d: descriptors in chain order; their @next fields are ignored
 * @n: number of descriptors (at most the queue size)
 *
 * The descriptors take the next free slots; VRING_DESC_F_NEXT and @next
 * are set on every descriptor but the last (the last keeps @d's flags
 * with NEXT cleared).
 *
 * Return: the head index.
 */
u16 vblk_fake_vq_add_chain(struct vblk_fake_vq *vq,
			   const struct vblk_fake_desc *d, unsigned int n)
{
	u16 head = vblk_fake_vq_claim(vq, n);
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vblk_fake_desc x = d[i];
		u16 slot = (head + i) % vq->num;

		if (i + 1 < n) {
			x.flags |= VRING_DESC_F_NEXT;
			x.next = (slot + 1) % vq->num;
		} else {
			x.flags &= ~VRING_DESC_F_NEXT;
			x.next = 0;
		}
		vblk_fake_vq_write_desc(vq, slot, &x);
	}
	vblk_fake_vq_publish(vq, head);
	return head;
}

/**
 * vblk_fake_vq_add_indirect() - publish a chain through an indirect table
 * @vq: the queue
 * @table: guest address for the indirect descriptor table
 * @d: descriptors in chain order, linked like vblk_fake_vq_add_chain()
 * @n: number of descriptors
 *
 * Return: the head index (one VRING_DESC_F_INDIRECT descriptor).
 */
u16 vblk_fake_vq_add_indirect(struct vblk_fake_vq *vq, u64 table,
			      const struct vblk_fake_desc *d, unsigned int n)
{
	struct vblk_fake_desc ind = {
		.addr = table,
		.len = 16 * n,
		.flags = VRING_DESC_F_INDIRECT,
	};
	u16 head = vblk_fake_vq_claim(vq, 1);
	unsigned int i;

	for (i = 0; i < n; i++) {
		u64 a = table + 16ULL * i;
		u16 flags = d[i].flags & ~VRING_DESC_F_NEXT;

		if (i + 1 < n)
			flags |= VRING_DESC_F_NEXT;
		vblk_fake_wr64(vq->mem, a, d[i].addr);
		vblk_fake_wr32(vq->mem, a + 8, d[i].len);
		vblk_fake_wr16(vq->mem, a + 12, flags);
		vblk_fake_wr16(vq->mem, a + 14, i + 1 < n ? i + 1 : 0);
	}
	vblk_fake_vq_write_desc(vq, head, &ind);
	vblk_fake_vq_publish(vq, head);
	return head;
}

/**
 * vblk_fake_vq_set_avail_idx() - set avail->idx directly
 * @vq: the queue
 * @idx: the index the driver claims to have published up to
 *
 * Also moves the builder's cursor, so the next publish continues there.
 */
void vblk_fake_vq_set_avail_idx(struct vblk_fake_vq *vq, u16 idx)
{
	vq->avail_idx = idx;
	vblk_fake_wr16(vq->mem, vq_avail_idx(vq), idx);
}

/**
 * vblk_fake_vq_set_avail_flags() - set avail->flags
 * @vq: the queue
 * @flags: e.g. VRING_AVAIL_F_NO_INTERRUPT
 */
void vblk_fake_vq_set_avail_flags(struct vblk_fake_vq *vq, u16 flags)
{
	vblk_fake_wr16(vq->mem, vq->avail, flags);
}

/**
 * vblk_fake_vq_set_used_event() - set used_event (EVENT_IDX)
 * @vq: the queue
 * @v: interrupt when the used index passes this value
 */
void vblk_fake_vq_set_used_event(struct vblk_fake_vq *vq, u16 v)
{
	vblk_fake_wr16(vq->mem, vq_used_event(vq), v);
}

/**
 * vblk_fake_vq_used_idx() - read used->idx
 * @vq: the queue
 *
 * Return: the device's used index.
 */
u16 vblk_fake_vq_used_idx(struct vblk_fake_vq *vq)
{
	return vblk_fake_rd16(vq->mem, vq_used_idx(vq));
}

/**
 * vblk_fake_vq_used_flags() - read used->flags
 * @vq: the queue
 *
 * Return: the device's used flags.
 */
u16 vblk_fake_vq_used_flags(struct vblk_fake_vq *vq)
{
	return vblk_fake_rd16(vq->mem, vq->used);
}

/**
 * vblk_fake_vq_used_elem() - read one used ring element
 * @vq: the queue
 * @i: used index (taken modulo the queue size)
 * @id: returns the chain head
 * @len: returns the written length
 */
void vblk_fake_vq_used_elem(struct vblk_fake_vq *vq, u16 i, u32 *id,
			    u32 *len)
{
	u64 a = vq_used_elem(vq, i % vq->num);

	*id = vblk_fake_rd32(vq->mem, a);
	*len = vblk_fake_rd32(vq->mem, a + 4);
}

/**
 * vblk_fake_vq_avail_event() - read avail_event (EVENT_IDX)
 * @vq: the queue
 *
 * Return: the device's avail_event.
 */
u16 vblk_fake_vq_avail_event(struct vblk_fake_vq *vq)
{
	return vblk_fake_rd16(vq->mem, vq_avail_event(vq));
}

/* ------------------------------------------------------------------ */
/* Register file access, as a driver                                   */
/* ------------------------------------------------------------------ */

static struct vblk_fake_host *vblk_fake_host_of(struct vblk_vdev *vd)
{
	const struct vblk_vdev_binding *b;

	b = rcu_dereference_protected(vd->binding, true);
	return b && b->ops == &vblk_fake_host_ops ? b->ctx : NULL;
}

static void vblk_fake_host_run(struct vblk_fake_host *h);

/**
 * vblk_fake_reg_read() - 32-bit register (or config space) read
 * @test: the test (the read must succeed)
 * @vd: the device
 * @off: offset in the virtio-mmio window
 *
 * Return: the value read.
 */
u32 vblk_fake_reg_read(struct kunit *test, struct vblk_vdev *vd, u32 off)
{
	struct vblk_fake_host *h = vblk_fake_host_of(vd);
	u32 val = 0;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_EXPECT_EQ_MSG(test, 0, vblk_mmio_read(&h->mmio, off, &val, 4),
			    "mmio read at %#x", off);
	return val;
}

/**
 * vblk_fake_reg_write() - 32-bit register write
 * @test: the test (the write must succeed)
 * @vd: the device
 * @off: offset in the virtio-mmio window
 * @val: value
 *
 * With a struct vblk_fake_host in process_on_kick mode, kicks raised by
 * the write are processed once the write has returned, as the worker
 * would after the ioeventfd fired.
 */
void vblk_fake_reg_write(struct kunit *test, struct vblk_vdev *vd, u32 off,
			 u32 val)
{
	struct vblk_fake_host *h = vblk_fake_host_of(vd);
	bool was;

	KUNIT_ASSERT_NOT_NULL(test, h);
	was = h->processing;
	h->processing = true;
	KUNIT_EXPECT_EQ_MSG(test, 0, vblk_mmio_write(&h->mmio, off, &val, 4),
			    "mmio write %#x at %#x", val, off);
	h->processing = was;
	if (!was)
		vblk_fake_host_run(h);
}

static void vblk_fake_set_status(struct kunit *test, struct vblk_vdev *vd,
				 u32 bits)
{
	u32 st = vblk_fake_reg_read(test, vd, VIRTIO_MMIO_STATUS);

	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_STATUS, st | bits);
}

static void vblk_fake_reg_write64(struct kunit *test, struct vblk_vdev *vd,
				  u32 off, u64 val)
{
	vblk_fake_reg_write(test, vd, off, lower_32_bits(val));
	vblk_fake_reg_write(test, vd, off + 4, upper_32_bits(val));
}

/**
 * vblk_fake_wire() - bring a device up on @vq as a virtio-mmio driver does
 * @test: the test (every step must succeed)
 * @vd: the device
 * @vq: the queue to configure as queue 0
 * @event_idx: negotiate VIRTIO_RING_F_EVENT_IDX (else it is declined)
 *
 * Reset, ACKNOWLEDGE, DRIVER, accept every offered feature (less
 * EVENT_IDX unless @event_idx), FEATURES_OK (checked), queue 0 size and
 * ring addresses, QueueReady, DRIVER_OK.
 */
void vblk_fake_wire(struct kunit *test, struct vblk_vdev *vd,
		    const struct vblk_fake_vq *vq, bool event_idx)
{
	vblk_fake_wire_decline(test, vd, vq, event_idx, 0);
}

/**
 * vblk_fake_wire_decline() - vblk_fake_wire(), declining some features
 * @test: the test (every step must succeed)
 * @vd: the device
 * @vq: the queue to configure as queue 0
 * @event_idx: negotiate VIRTIO_RING_F_EVENT_IDX (else it is declined)
 * @decline: feature bits (BIT_ULL(VIRTIO_*)) not to accept
 */
void vblk_fake_wire_decline(struct kunit *test, struct vblk_vdev *vd,
			    const struct vblk_fake_vq *vq, bool event_idx,
			    u64 decline)
{
	vblk_fake_wire_queues(test, vd, vq, 1, event_idx, decline);
}

/**
 * vblk_fake_wire_queues() - bring a device up on several queues
 * @test: the test (every step must succeed)
 * @vd: the device
 * @vqs: the queues to configure as queues 0 to @n - 1
 * @n: how many
 * @event_idx: negotiate VIRTIO_RING_F_EVENT_IDX (else it is declined)
 * @decline: feature bits (BIT_ULL(VIRTIO_*)) not to accept
 *
 * As vblk_fake_wire(), configuring every queue in turn before DRIVER_OK.
 */
void vblk_fake_wire_queues(struct kunit *test, struct vblk_vdev *vd,
			   const struct vblk_fake_vq *vqs, unsigned int n,
			   bool event_idx, u64 decline)
{
	unsigned int q;
	u64 feat;

	KUNIT_ASSERT_EQ(test, 0x74726976,
			vblk_fake_reg_read(test, vd, VIRTIO_MMIO_MAGIC_VALUE));
	KUNIT_ASSERT_EQ(test, 2,
			vblk_fake_reg_read(test, vd, VIRTIO_MMIO_VERSION));
	KUNIT_ASSERT_EQ(test, VIRTIO_ID_BLOCK,
			vblk_fake_reg_read(test, vd, VIRTIO_MMIO_DEVICE_ID));

	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_STATUS, 0);
	vblk_fake_set_status(test, vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vblk_fake_set_status(test, vd, VIRTIO_CONFIG_S_DRIVER);

	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	feat = (u64)vblk_fake_reg_read(test, vd, VIRTIO_MMIO_DEVICE_FEATURES)
		<< 32;
	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	feat |= vblk_fake_reg_read(test, vd, VIRTIO_MMIO_DEVICE_FEATURES);
	KUNIT_ASSERT_TRUE(test, feat & BIT_ULL(VIRTIO_F_VERSION_1));
	if (event_idx)
		KUNIT_ASSERT_TRUE(test, feat & BIT_ULL(VIRTIO_RING_F_EVENT_IDX));
	else
		feat &= ~BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	feat &= ~decline;

	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DRIVER_FEATURES,
			    upper_32_bits(feat));
	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DRIVER_FEATURES,
			    lower_32_bits(feat));
	vblk_fake_set_status(test, vd, VIRTIO_CONFIG_S_FEATURES_OK);
	KUNIT_ASSERT_TRUE(test, vblk_fake_reg_read(test, vd, VIRTIO_MMIO_STATUS) &
			  VIRTIO_CONFIG_S_FEATURES_OK);

	for (q = 0; q < n; q++) {
		const struct vblk_fake_vq *vq = &vqs[q];
		u32 v;

		vblk_fake_reg_write(test, vd, VIRTIO_MMIO_QUEUE_SEL, q);
		v = vblk_fake_reg_read(test, vd, VIRTIO_MMIO_QUEUE_READY);
		KUNIT_ASSERT_EQ(test, 0, v);
		v = vblk_fake_reg_read(test, vd, VIRTIO_MMIO_QUEUE_NUM_MAX);
		KUNIT_ASSERT_GE(test, v, vq->num);
		vblk_fake_reg_write(test, vd, VIRTIO_MMIO_QUEUE_NUM, vq->num);
		vblk_fake_reg_write64(test, vd, VIRTIO_MMIO_QUEUE_DESC_LOW,
				      vq->desc);
		vblk_fake_reg_write64(test, vd, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
				      vq->avail);
		vblk_fake_reg_write64(test, vd, VIRTIO_MMIO_QUEUE_USED_LOW,
				      vq->used);
		vblk_fake_reg_write(test, vd, VIRTIO_MMIO_QUEUE_READY, 1);
		v = vblk_fake_reg_read(test, vd, VIRTIO_MMIO_QUEUE_READY);
		KUNIT_ASSERT_EQ(test, 1, v);
	}

	vblk_fake_set_status(test, vd, VIRTIO_CONFIG_S_DRIVER_OK);
	KUNIT_ASSERT_TRUE(test, vblk_fake_reg_read(test, vd, VIRTIO_MMIO_STATUS) &
			  VIRTIO_CONFIG_S_DRIVER_OK);
}

/**
 * vblk_fake_notify() - write QueueNotify for queue @q
 * @test: the test
 * @vd: the device
 * @q: queue index
 *
 * With a process_on_kick host, the queue has been processed on return.
 */
void vblk_fake_notify(struct kunit *test, struct vblk_vdev *vd,
		      unsigned int q)
{
	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* ------------------------------------------------------------------ */
/* Backing                                                             */
/* ------------------------------------------------------------------ */

/**
 * vblk_fake_backing_new() - a fault-free backing "file"
 * @test: owning test
 * @cap: buffer size in bytes (the device capacity); may be 0
 * @size: initial file size (at most @cap); reads past it return 0
 * @fill: byte the first @size bytes hold
 *
 * Return: the backing.
 */
struct vblk_fake_backing *vblk_fake_backing_new(struct kunit *test, u64 cap,
						u64 size, u8 fill)
{
	struct vblk_fake_backing *b = kunit_kzalloc(test, sizeof(*b),
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_LE(test, size, cap);
	if (cap) {
		b->data = vzalloc(cap);
		KUNIT_ASSERT_NOT_NULL(test, b->data);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, vblk_fake_vfree,
							  b->data));
		memset(b->data, fill, size);
	}
	b->cap = cap;
	b->size = size;
	return b;
}

/**
 * vblk_fake_backing_calls() - total backing callbacks so far
 * @b: the backing
 *
 * Return: reads + writes + syncs + range syncs.
 */
unsigned int vblk_fake_backing_calls(const struct vblk_fake_backing *b)
{
	return atomic_read(&b->reads) + atomic_read(&b->writes) +
	       atomic_read(&b->syncs) + atomic_read(&b->range_syncs);
}

static ssize_t vblk_fake_backing_read(void *ctx, struct iov_iter *iter,
				      loff_t pos)
{
	struct vblk_fake_backing *b = ctx;
	size_t n;

	atomic_inc(&b->reads);
	if (b->eintr_forever)
		return -EINTR;
	if (b->read_eintrs) {
		b->read_eintrs--;
		return -EINTR;
	}
	if (b->read_err)
		return b->read_err;
	if (pos < 0)
		return -EINVAL;
	if ((u64)pos >= b->size)
		return 0;
	n = min_t(u64, iov_iter_count(iter), b->size - pos);
	return copy_to_iter(b->data + pos, n, iter);
}

static ssize_t vblk_fake_backing_write(void *ctx, struct iov_iter *iter,
				       loff_t pos)
{
	struct vblk_fake_backing *b = ctx;
	size_t count = iov_iter_count(iter);
	size_t n = count, seg, done;

	atomic_inc(&b->writes);
	if (b->eintr_forever)
		return -EINTR;
	if (b->write_eintrs) {
		b->write_eintrs--;
		return -EINTR;
	}
	if (b->write_err)
		return b->write_err;
	if (b->write_zero)
		return 0;
	if (pos < 0)
		return -EINVAL;
	if ((u64)pos > b->cap || count > b->cap - pos)
		return -ENOSPC;
	seg = iov_iter_single_seg_count(iter);
	if (b->write_partials && seg > 1) {
		b->write_partials--;
		n = seg / 2;
	}
	done = copy_from_iter(b->data + pos, n, iter);
	b->size = max_t(u64, b->size, pos + done);
	return done;
}

static int vblk_fake_backing_sync(void *ctx)
{
	struct vblk_fake_backing *b = ctx;

	atomic_inc(&b->syncs);
	return b->sync_err;
}

static int vblk_fake_backing_sync_range(void *ctx, loff_t pos, u64 len)
{
	struct vblk_fake_backing *b = ctx;

	atomic_inc(&b->range_syncs);
	b->sync_pos = pos;
	b->sync_len = len;
	return b->sync_err;
}

/* Backing I/O for the device model, over struct vblk_fake_backing. */
const struct vblk_backing_ops vblk_fake_backing_ops = {
	.read_iter = vblk_fake_backing_read,
	.write_iter = vblk_fake_backing_write,
	.sync = vblk_fake_backing_sync,
	.sync_range = vblk_fake_backing_sync_range,
};

/* ------------------------------------------------------------------ */
/* Host recorder                                                       */
/* ------------------------------------------------------------------ */

/* Process every queue kicked so far; bounded against self-kicking. */
static void vblk_fake_host_drain(struct vblk_fake_host *h)
{
	unsigned int q, rounds;

	for (rounds = 0; rounds < 64 && READ_ONCE(h->pending_mask); rounds++) {
		unsigned long pend = xchg(&h->pending_mask, 0);

		for_each_set_bit(q, &pend, vblk_vdev_num_queues(h->vd))
			vblk_vdev_process(h->vd, q);
	}
}

/* Owner-thread processing, after a register write returned. */
static void vblk_fake_host_run(struct vblk_fake_host *h)
{
	if (!h->process_on_kick || !h->vd)
		return;
	h->processing = true;
	vblk_fake_host_drain(h);
	h->processing = false;
}

static void vblk_fake_host_work(struct work_struct *work)
{
	vblk_fake_host_drain(container_of(work, struct vblk_fake_host, work));
}

static void vblk_fake_kick(void *ctx, unsigned int q)
{
	struct vblk_fake_host *h = ctx;

	atomic_inc(&h->kicks);
	if (!h->process_on_kick || q >= vblk_vdev_num_queues(h->vd))
		return;
	set_bit(q, &h->pending_mask);
	/*
	 * The test thread inside a register write or a processing pass
	 * picks the kick up when that returns; any other caller (the
	 * throttle timer, a limit change) defers to the work item.
	 */
	if (in_task() && current == h->owner && h->processing)
		return;
	schedule_work(&h->work);
}

static void vblk_fake_vq_used(void *ctx, unsigned int q, bool signal)
{
	struct vblk_fake_host *h = ctx;

	vblk_mmio_interrupt(&h->mmio, VIRTIO_MMIO_INT_VRING);
	if (signal)
		atomic_inc(&h->signals);
}

static void vblk_fake_config_changed(void *ctx)
{
	struct vblk_fake_host *h = ctx;

	vblk_mmio_interrupt(&h->mmio, VIRTIO_MMIO_INT_CONFIG);
	atomic_inc(&h->signals);
}

static void vblk_fake_event(void *ctx, unsigned int q, enum vblk_event ev)
{
	struct vblk_fake_host *h = ctx;

	if ((unsigned int)ev < ARRAY_SIZE(h->events))
		atomic_inc(&h->events[ev]);
	WRITE_ONCE(h->last_event, ev);
}

/* Callbacks from the device, over struct vblk_fake_host. */
const struct vblk_vdev_host_ops vblk_fake_host_ops = {
	.kick = vblk_fake_kick,
	.vq_used = vblk_fake_vq_used,
	.config_changed = vblk_fake_config_changed,
};

/**
 * vblk_fake_host_flush() - wait for kicks deferred from atomic context
 * @h: the host recorder
 */
void vblk_fake_host_flush(struct vblk_fake_host *h)
{
	flush_work(&h->work);
}

/* ------------------------------------------------------------------ */
/* Throttle clock                                                      */
/* ------------------------------------------------------------------ */

/* One fake time line, shared by every throttle that uses it. */
static atomic64_t vblk_fake_clock_ns;

/**
 * vblk_fake_clock_read() - the fake clock, as a &vblk_clock_fn
 * @t: the throttle asking (unused)
 *
 * Return: fake time in nanoseconds.
 */
u64 vblk_fake_clock_read(struct vblk_throttle *t)
{
	return atomic64_read(&vblk_fake_clock_ns);
}

/**
 * vblk_fake_clock_install() - make @t use the fake clock
 * @t: an initialised throttle
 *
 * The fake clock restarts at the current real time (so it only moves when
 * the test moves it) and @t's refill reference is set to it.
 */
void vblk_fake_clock_install(struct vblk_throttle *t)
{
	unsigned long flags;
	u64 now = ktime_get_ns();

	atomic64_set(&vblk_fake_clock_ns, now);
	spin_lock_irqsave(&t->lock, flags);
	t->clock = vblk_fake_clock_read;
	t->last_ns = now;
	spin_unlock_irqrestore(&t->lock, flags);
}

/**
 * vblk_fake_clock_advance() - move fake time forward
 * @ns: nanoseconds
 */
void vblk_fake_clock_advance(u64 ns)
{
	atomic64_add(ns, &vblk_fake_clock_ns);
}

/**
 * vblk_fake_clock_now() - current fake time
 *
 * Return: nanoseconds.
 */
u64 vblk_fake_clock_now(void)
{
	return atomic64_read(&vblk_fake_clock_ns);
}

/* ------------------------------------------------------------------ */
/* A whole fake device                                                 */
/* ------------------------------------------------------------------ */

static void vblk_fake_dev_teardown(void *ctx)
{
	struct vblk_fake_dev *fd = ctx;

	vblk_vdev_unbind(fd->vd);
	vblk_vdev_destroy(fd->vd);
	/* the throttle timer is gone: no new deferred kick can appear */
	cancel_work_sync(&fd->host.work);
}

/**
 * vblk_fake_dev_new() - a device on fake memory, backing and host
 * @test: owning test
 * @cfg: device configuration (capacity in sectors)
 * @file_size: backing file size in bytes (at most the capacity)
 * @fill: byte the backing file holds
 * @qnum: size of the driver-side queue laid out at gpa 0 (not wired)
 *
 * Memory has the vblk_fake_mem_default() layout; the host processes
 * queues on kick; the throttle uses the fake clock. The device is
 * destroyed when the test ends.
 *
 * Return: the fake device.
 */
struct vblk_fake_dev *vblk_fake_dev_new(struct kunit *test,
					const struct vblk_blk_config *cfg,
					u64 file_size, u8 fill, u16 qnum)
{
	struct vblk_fake_dev *fd = kunit_kzalloc(test, sizeof(*fd), GFP_KERNEL);
	struct vblk_blk_config c = *cfg;
	struct vblk_fake_host *h;
	u64 cap;

	KUNIT_ASSERT_NOT_NULL(test, fd);
	KUNIT_ASSERT_FALSE(test, check_shl_overflow(cfg->capacity,
						    VBLK_SECTOR_SHIFT, &cap));
	if (!c.num_queues)
		c.num_queues = 1;
	fd->test = test;
	fd->mem = vblk_fake_mem_default(test);
	fd->backing = vblk_fake_backing_new(test, cap, file_size, fill);
	fd->vd = kunit_kzalloc(test, sizeof(*fd->vd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fd->vd);
	vblk_fake_vq_init(&fd->vq, fd->mem, 0, qnum);

	h = &fd->host;
	INIT_WORK(&h->work, vblk_fake_host_work);
	h->process_on_kick = true;
	h->owner = current;
	h->last_event = -1;
	KUNIT_ASSERT_EQ(test, 0,
			vblk_vdev_init(fd->vd, &c, &vblk_fake_backing_ops,
				       fd->backing, vblk_fake_event, h));
	h->vd = fd->vd;
	vblk_mmio_init(&h->mmio, fd->vd);
	h->binding.ops = &vblk_fake_host_ops;
	h->binding.ctx = h;
	h->binding.mem.ops = &vblk_fake_mem_ops;
	h->binding.mem.ctx = fd->mem;
	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_bind(fd->vd, &h->binding));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, vblk_fake_dev_teardown,
						  fd));
	vblk_fake_clock_install(&fd->vd->blk.throttle);
	return fd;
}

/**
 * vblk_fake_dev_simple() - read-write device whose file fills its capacity
 * @test: owning test
 * @cap_bytes: capacity in bytes (a multiple of 512)
 * @fill: byte the backing file holds
 * @qnum: queue size
 *
 * Return: the fake device.
 */
struct vblk_fake_dev *vblk_fake_dev_simple(struct kunit *test, u64 cap_bytes,
					   u8 fill, u16 qnum)
{
	struct vblk_blk_config cfg = {
		.capacity = cap_bytes >> VBLK_SECTOR_SHIFT,
	};

	KUNIT_ASSERT_EQ(test, 0, cap_bytes % VBLK_SECTOR_SIZE);
	return vblk_fake_dev_new(test, &cfg, cap_bytes, fill, qnum);
}

/* ------------------------------------------------------------------ */
/* Self-tests of the doubles, so a seed failure is the device's        */
/* ------------------------------------------------------------------ */

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

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the vblk virtio-blk device model");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(VBLK);
