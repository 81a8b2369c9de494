// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for guest memory over the VMM's address space (suite
 * "vblk_memtab"): the memory table as VBLK_SET_MEM_TABLE takes it from
 * user space (sorting, overlaps, zero sizes, wrapping, user addresses,
 * too many regions, flags, unreadable arguments), then translation through
 * it with the test's own user memory (kunit_vm_mmap()): reads and writes
 * across regions and into holes, the owner's address space only, iterator
 * vectors split and merged at region boundaries, aligned 2- and 4-byte
 * fields accessed whole, the regions' permissions (read-only, write-only)
 * and a table replaced while it is in use.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <uapi/linux/vblk_vmm.h>

#include "vblk_guestmem.h"

KUNIT_DEFINE_ACTION_WRAPPER(mt_kfree, kfree, const void *);

#define MT_PAGES	8
/* A user address nothing is mapped at (access_ok() is all that matters). */
#define MT_HVA		0x10000000ULL

static void __user *mt_ptr(unsigned long a)
{
	return (void __user *)a;
}

/* @pages pages of the test's own user memory, read-write. */
static unsigned long mt_user(struct kunit *test, unsigned int pages)
{
	unsigned long a = kunit_vm_mmap(test, NULL, 0, pages * PAGE_SIZE,
					PROT_READ | PROT_WRITE,
					MAP_ANONYMOUS | MAP_PRIVATE, 0);

	KUNIT_ASSERT_NE_MSG(test, a, 0, "no user memory for the test");
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(a));
	return a;
}

/* Write a VBLK_SET_MEM_TABLE argument to user memory at @at, take it in. */
static struct vblk_memtab *mt_take(struct kunit *test, unsigned long at,
				   u32 flags, u32 n,
				   const struct vblk_mem_region *r,
				   unsigned int nr)
{
	struct vblk_mem_table hdr = { .nregions = n, .flags = flags };
	struct vblk_memtab *t;

	KUNIT_ASSERT_EQ(test, 0, copy_to_user(mt_ptr(at), &hdr, sizeof(hdr)));
	KUNIT_ASSERT_EQ(test, 0, copy_to_user(mt_ptr(at + sizeof(hdr)), r,
					      nr * sizeof(*r)));
	t = vblk_memtab_from_user(mt_ptr(at));
	if (!IS_ERR(t))
		KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, mt_kfree,
								   t));
	return t;
}

static void vblk_memtab_test_sorted(struct kunit *test)
{
	unsigned long u = mt_user(test, 1);
	const struct vblk_mem_region r[] = {
		{ 0x200000, 0x1000, MT_HVA + 0x5000 },
		{ 0, 0x2000, MT_HVA },
		{ 0x2000, 0x1000, MT_HVA + 0x8000 },	/* adjacent: fine */
	};
	struct vblk_memtab *t = mt_take(test, u, 0, 3, r, 3);

	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_ASSERT_EQ(test, 3, t->nslots);
	KUNIT_EXPECT_EQ(test, 0, t->slots[0].gpa);
	KUNIT_EXPECT_EQ(test, 0x2000, t->slots[0].size);
	KUNIT_EXPECT_EQ(test, MT_HVA, t->slots[0].hva);
	/* the /dev/vblk table has no rights to give: every region is RW */
	KUNIT_EXPECT_EQ(test, VBLK_MEMSLOT_RW, t->slots[0].perm);
	KUNIT_EXPECT_EQ(test, 0x2000, t->slots[1].gpa);
	KUNIT_EXPECT_EQ(test, MT_HVA + 0x8000, t->slots[1].hva);
	KUNIT_EXPECT_EQ(test, 0x200000, t->slots[2].gpa);
	KUNIT_EXPECT_EQ(test, 0x1000, t->slots[2].size);
	KUNIT_EXPECT_EQ(test, MT_HVA + 0x5000, t->slots[2].hva);
}

/**
 * struct mt_bad - a table VBLK_SET_MEM_TABLE refuses
 * @name: what is wrong with it
 * @flags: the table's flags
 * @n: its region count
 * @r: its first regions
 * @from_top: @r[0]'s user address is an offset from TASK_SIZE
 * @err: the errno
 */
struct mt_bad {
	const char *name;
	u32 flags, n;
	struct vblk_mem_region r[3];
	bool from_top;
	int err;
};

static const struct mt_bad mt_bad[] = {
	{ "vblk_memtab_flags", .flags = 1, .n = 1,
	  .r = { { 0, 0x1000, MT_HVA } }, .err = -EINVAL },
	{ "vblk_memtab_no_regions", .n = 0, .err = -EINVAL },
	{ "vblk_memtab_too_many_regions", .n = VBLK_MAX_MEM_REGIONS + 1,
	  .err = -E2BIG },
	{ "vblk_memtab_zero_size", .n = 2,
	  .r = { { 0, 0x1000, MT_HVA }, { 0x1000, 0, MT_HVA } },
	  .err = -EINVAL },
	{ "vblk_memtab_gpa_wraps", .n = 1,
	  .r = { { U64_MAX - 0xfff, 0x2000, MT_HVA } }, .err = -EINVAL },
	{ "vblk_memtab_hva_wraps", .n = 1,
	  .r = { { 0, 0x2000, U64_MAX - 0xfff } }, .err = -EINVAL },
	{ "vblk_memtab_hva_not_user", .n = 1,
	  .r = { { 0, 0x1000, 0 } }, .from_top = true, .err = -EFAULT },
	{ "vblk_memtab_hva_ends_past_user", .n = 1,
	  .r = { { 0, 0x2000, -0x1000ULL } }, .from_top = true,
	  .err = -EFAULT },
	{ "vblk_memtab_overlap", .n = 2,
	  .r = { { 0, 0x2000, MT_HVA }, { 0x1fff, 0x1000, MT_HVA } },
	  .err = -EINVAL },
	{ "vblk_memtab_overlap_once_sorted", .n = 3,
	  .r = { { 0x5000, 0x1000, MT_HVA }, { 0, 0x1000, MT_HVA },
		 { 0x4800, 0x1000, MT_HVA } }, .err = -EINVAL },
	{ "vblk_memtab_same_gpa", .n = 2,
	  .r = { { 0x3000, 0x1000, MT_HVA }, { 0x3000, 0x1000, MT_HVA } },
	  .err = -EINVAL },
};

static void mt_bad_desc(const struct mt_bad *b, char *desc)
{
	strscpy(desc, b->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mt_bad, mt_bad, mt_bad_desc);

static void vblk_memtab_test_refused(struct kunit *test)
{
	const struct mt_bad *b = test->param_value;
	struct vblk_mem_region r[ARRAY_SIZE(b->r)];
	unsigned long u = mt_user(test, 1);
	struct vblk_memtab *t;

	memcpy(r, b->r, sizeof(r));
	if (b->from_top)
		r[0].userspace_addr += TASK_SIZE;
	t = mt_take(test, u, b->flags, b->n, r, min(b->n, 3U));
	KUNIT_EXPECT_EQ(test, b->err, PTR_ERR_OR_ZERO(t));
}

static void vblk_memtab_test_limits_and_faults(struct kunit *test)
{
	unsigned long u = mt_user(test, 2);
	struct vblk_mem_region *r;
	struct vblk_memtab *t;
	unsigned int i;

	/* exactly VBLK_MAX_MEM_REGIONS is fine */
	r = kunit_kcalloc(test, VBLK_MAX_MEM_REGIONS, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < VBLK_MAX_MEM_REGIONS; i++)
		r[i] = (struct vblk_mem_region){
			(VBLK_MAX_MEM_REGIONS - i) * 0x1000ULL, 0x1000, MT_HVA,
		};
	t = mt_take(test, u, 0, VBLK_MAX_MEM_REGIONS, r, VBLK_MAX_MEM_REGIONS);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_EQ(test, VBLK_MAX_MEM_REGIONS, t->nslots);
	KUNIT_EXPECT_EQ(test, 0x1000, t->slots[0].gpa);

	/* an argument nobody mapped */
	KUNIT_EXPECT_EQ(test, -EFAULT,
			PTR_ERR(vblk_memtab_from_user(mt_ptr(0))));
	/* a readable header whose regions run into an unmapped page */
	KUNIT_ASSERT_EQ(test, 0, vm_munmap(u + PAGE_SIZE, PAGE_SIZE));
	t = mt_take(test, u + PAGE_SIZE - sizeof(struct vblk_mem_table), 0, 1,
		    r, 0);
	KUNIT_EXPECT_EQ(test, -EFAULT, PTR_ERR(t));
}

/* ------------------------------------------------------------------ */
/* Translation through a table, in the owner's address space          */
/* ------------------------------------------------------------------ */

/*
 * Guest RAM, in user pages of the test (u + page * PAGE_SIZE):
 *   A  gpa [0, 0x2000)          pages 2-3
 *   B  gpa [0x2000, 0x3000)     page 0     (adjacent in gpa, not in hva)
 *      gpa [0x3000, 0x10000)    a hole
 *   C  gpa [0x10000, 0x11000)   page 1
 *   D  gpa [0x20000, 0x21000)   page 4     (D and E adjacent in gpa and
 *   E  gpa [0x21000, 0x22000)   page 5      in hva)
 * Every page is filled with its own byte, 0x10 * (page + 1).
 */
struct mt_mem {
	unsigned long u;
	struct vblk_guestmem gm;
};

static void mt_mem_destroy(void *ctx)
{
	vblk_guestmem_destroy(ctx);
}

static struct mt_mem *mt_mem_new(struct kunit *test)
{
	struct mt_mem *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	struct vblk_mem_region r[5];
	struct vblk_memtab *t;
	u8 page[64];
	unsigned int p, i;

	KUNIT_ASSERT_NOT_NULL(test, g);
	g->u = mt_user(test, MT_PAGES);
	for (p = 0; p < MT_PAGES; p++) {
		memset(page, 0x10 * (p + 1), sizeof(page));
		for (i = 0; i < PAGE_SIZE; i += sizeof(page))
			KUNIT_ASSERT_EQ(test, 0,
					copy_to_user(mt_ptr(g->u + p * PAGE_SIZE + i),
						     page, sizeof(page)));
	}
	r[0] = (struct vblk_mem_region){ 0, 0x2000, g->u + 2 * PAGE_SIZE };
	r[1] = (struct vblk_mem_region){ 0x2000, 0x1000, g->u };
	r[2] = (struct vblk_mem_region){ 0x10000, 0x1000, g->u + PAGE_SIZE };
	r[3] = (struct vblk_mem_region){ 0x20000, 0x1000, g->u + 4 * PAGE_SIZE };
	r[4] = (struct vblk_mem_region){ 0x21000, 0x1000, g->u + 5 * PAGE_SIZE };
	/* the table itself goes to the last page */
	t = mt_take(test, g->u + (MT_PAGES - 1) * PAGE_SIZE, 0, 5, r, 5);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	/* the guest memory frees the table from now on */
	kunit_remove_action(test, mt_kfree, t);
	vblk_guestmem_init(&g->gm, current->mm);
	vblk_guestmem_replace(&g->gm, t);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, mt_mem_destroy,
							   &g->gm));
	return g;
}

/* The test's user byte at page @p, offset @off. */
static u8 mt_byte(struct kunit *test, struct mt_mem *g, unsigned int p,
		  unsigned int off)
{
	u8 b = 0;

	KUNIT_EXPECT_EQ(test, 0, copy_from_user(&b, mt_ptr(g->u + p * PAGE_SIZE +
							   off), 1));
	return b;
}

static void vblk_memtab_test_read_write(struct kunit *test)
{
	struct mt_mem *g = mt_mem_new(test);
	const struct vblk_mem_ops *ops = &vblk_guestmem_ops;
	u8 buf[0x20];

	/* across A and B: the end of page 3, then the start of page 0 */
	KUNIT_EXPECT_EQ(test, 0, ops->read(&g->gm, 0x1ff0, buf, sizeof(buf)));
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf, 0x40, 0x10));
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf + 0x10, 0x10, 0x10));
	KUNIT_EXPECT_EQ(test, 0, ops->read(&g->gm, 0x10008, buf, 8));
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf, 0x20, 8));

	memcpy(buf, "ABCD", 4);
	KUNIT_EXPECT_EQ(test, 0, ops->write(&g->gm, 0x1ffe, buf, 4));
	KUNIT_EXPECT_EQ(test, 'A', mt_byte(test, g, 3, PAGE_SIZE - 2));
	KUNIT_EXPECT_EQ(test, 'B', mt_byte(test, g, 3, PAGE_SIZE - 1));
	KUNIT_EXPECT_EQ(test, 'C', mt_byte(test, g, 0, 0));
	KUNIT_EXPECT_EQ(test, 'D', mt_byte(test, g, 0, 1));
	KUNIT_EXPECT_EQ(test, 0x10, mt_byte(test, g, 0, 2));

	/* a hole, a range running into one, the top of the address space */
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->read(&g->gm, 0x3000, buf, 1));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->read(&g->gm, 0x2ff0, buf, 0x20));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->write(&g->gm, 0x10ff8, buf, 16));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->read(&g->gm, U64_MAX - 1, buf, 4));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->read(&g->gm, 0x22000, buf, 1));
	/* D and E: adjacent on both sides, read as one */
	KUNIT_EXPECT_EQ(test, 0, ops->read(&g->gm, 0x20ff0, buf, sizeof(buf)));
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf, 0x50, 0x10));
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf + 0x10, 0x60, 0x10));

	/* a new table replaces the old one for every later access */
	vblk_guestmem_replace(&g->gm, NULL);
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->read(&g->gm, 0x10008, buf, 8));
}

struct mt_other {
	struct work_struct work;
	struct vblk_guestmem *gm;
	struct iov_iter it;
	union vblk_iovec_buf vec;
	int read, write, iter;
};

static void mt_other_fn(struct work_struct *work)
{
	struct mt_other *o = container_of(work, struct mt_other, work);
	struct vblk_seg seg = { .gpa = 0, .len = 8 };
	u8 buf[8] = {};

	o->read = vblk_guestmem_ops.read(o->gm, 0, buf, sizeof(buf));
	o->write = vblk_guestmem_ops.write(o->gm, 0, buf, sizeof(buf));
	o->iter = vblk_guestmem_ops.iter(o->gm, &seg, 1, ITER_DEST, &o->vec,
					 &o->it);
}

/* User addresses mean something only in the owner's address space. */
static void vblk_memtab_test_owner_only(struct kunit *test)
{
	struct mt_mem *g = mt_mem_new(test);
	struct mt_other *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, o);
	o->gm = &g->gm;
	INIT_WORK(&o->work, mt_other_fn);
	schedule_work(&o->work);
	flush_work(&o->work);
	KUNIT_EXPECT_EQ(test, -EFAULT, o->read);
	KUNIT_EXPECT_EQ(test, -EFAULT, o->write);
	KUNIT_EXPECT_EQ(test, -EFAULT, o->iter);
	KUNIT_EXPECT_EQ(test, 0x30, mt_byte(test, g, 2, 0));
	/* the owner itself gets through */
	mt_other_fn(&o->work);
	KUNIT_EXPECT_EQ(test, 0, o->read);
	KUNIT_EXPECT_EQ(test, 0, o->write);
	KUNIT_EXPECT_EQ(test, 0, o->iter);
}

static void vblk_memtab_test_iter(struct kunit *test)
{
	struct mt_mem *g = mt_mem_new(test);
	const unsigned int max = VBLK_MEM_MAX_IOVECS;
	union vblk_iovec_buf *vec = kunit_kzalloc(test, sizeof(*vec),
						  GFP_KERNEL);
	struct vblk_seg *segs = kunit_kcalloc(test, max + 1, sizeof(*segs),
					      GFP_KERNEL);
	struct iov_iter it;
	u8 data[0x120];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, vec);
	KUNIT_ASSERT_NOT_NULL(test, segs);
	/* split at A|B (apart in the VMM), an empty segment in the hole, C */
	segs[0] = (struct vblk_seg){ 0x1ff0, 0x20 };
	segs[1] = (struct vblk_seg){ 0x5000, 0 };
	segs[2] = (struct vblk_seg){ 0x10000, 0x100 };
	KUNIT_ASSERT_EQ(test, 0, vblk_guestmem_ops.iter(&g->gm, segs, 3,
							ITER_DEST, vec, &it));
	KUNIT_EXPECT_EQ(test, 3, it.nr_segs);
	KUNIT_EXPECT_EQ(test, 0x120, iov_iter_count(&it));
	KUNIT_EXPECT_EQ(test, g->u + 4 * PAGE_SIZE - 0x10,
			(unsigned long)vec->iov[0].iov_base);
	KUNIT_EXPECT_EQ(test, 0x10, vec->iov[0].iov_len);
	KUNIT_EXPECT_EQ(test, g->u, (unsigned long)vec->iov[1].iov_base);
	KUNIT_EXPECT_EQ(test, 0x10, vec->iov[1].iov_len);
	KUNIT_EXPECT_EQ(test, g->u + PAGE_SIZE,
			(unsigned long)vec->iov[2].iov_base);
	KUNIT_EXPECT_EQ(test, 0x100, vec->iov[2].iov_len);
	/* what the backing puts in lands where the table says */
	memset(data, 0xEE, sizeof(data));
	KUNIT_EXPECT_EQ(test, sizeof(data), copy_to_iter(data, sizeof(data),
							 &it));
	KUNIT_EXPECT_EQ(test, 0x40, mt_byte(test, g, 3, PAGE_SIZE - 0x11));
	KUNIT_EXPECT_EQ(test, 0xEE, mt_byte(test, g, 3, PAGE_SIZE - 0x10));
	KUNIT_EXPECT_EQ(test, 0xEE, mt_byte(test, g, 0, 0xf));
	KUNIT_EXPECT_EQ(test, 0x10, mt_byte(test, g, 0, 0x10));
	KUNIT_EXPECT_EQ(test, 0xEE, mt_byte(test, g, 1, 0xff));
	KUNIT_EXPECT_EQ(test, 0x20, mt_byte(test, g, 1, 0x100));

	/* merged: across D|E (adjacent in the VMM too), and continuations */
	segs[0] = (struct vblk_seg){ 0x20ff0, 0x10 };
	segs[1] = (struct vblk_seg){ 0x21000, 0x10 };
	segs[2] = (struct vblk_seg){ 0x21010, 0x20 };
	KUNIT_ASSERT_EQ(test, 0, vblk_guestmem_ops.iter(&g->gm, segs, 3,
							ITER_SOURCE, vec, &it));
	KUNIT_EXPECT_EQ(test, 1, it.nr_segs);
	KUNIT_EXPECT_EQ(test, 0x40, vec->iov[0].iov_len);
	KUNIT_EXPECT_EQ(test, 0x40, copy_from_iter(data, 0x40, &it));
	KUNIT_EXPECT_FALSE(test, memchr_inv(data, 0x50, 0x10));
	KUNIT_EXPECT_FALSE(test, memchr_inv(data + 0x10, 0x60, 0x30));

	/* a byte in a hole refuses the whole iterator */
	segs[1] = (struct vblk_seg){ 0x2ff8, 0x10 };
	KUNIT_EXPECT_EQ(test, -EFAULT, vblk_guestmem_ops.iter(&g->gm, segs, 3,
							      ITER_DEST, vec,
							      &it));
	/* at most VBLK_MEM_MAX_IOVECS vectors: alternate between A and B */
	for (i = 0; i <= max; i++)
		segs[i] = (struct vblk_seg){
			(i % 2 ? 0x2000 : 0) + 16ULL * (i / 2), 8,
		};
	KUNIT_EXPECT_EQ(test, 0, vblk_guestmem_ops.iter(&g->gm, segs, max,
							ITER_DEST, vec, &it));
	KUNIT_EXPECT_EQ(test, max, it.nr_segs);
	KUNIT_EXPECT_EQ(test, -E2BIG, vblk_guestmem_ops.iter(&g->gm, segs,
							     max + 1, ITER_DEST,
							     vec, &it));
}

/* Aligned 2- and 4-byte fields are read and written with one access. */
static void vblk_memtab_test_fields(struct kunit *test)
{
	struct mt_mem *g = mt_mem_new(test);
	const struct vblk_mem_ops *ops = &vblk_guestmem_ops;
	u16 v16 = 0x1234;
	u32 v32 = 0x89abcdef;

	KUNIT_EXPECT_EQ(test, 0, ops->write(&g->gm, 0x100, &v16, 2));
	KUNIT_EXPECT_EQ(test, 0x34, mt_byte(test, g, 2, 0x100));
	KUNIT_EXPECT_EQ(test, 0x12, mt_byte(test, g, 2, 0x101));
	KUNIT_EXPECT_EQ(test, 0x30, mt_byte(test, g, 2, 0x102));
	KUNIT_EXPECT_EQ(test, 0, ops->write(&g->gm, 0x104, &v32, 4));
	v32 = 0;
	KUNIT_EXPECT_EQ(test, 0, ops->read(&g->gm, 0x104, &v32, 4));
	KUNIT_EXPECT_EQ(test, 0x89abcdef, v32);
	KUNIT_EXPECT_EQ(test, 0xef, mt_byte(test, g, 2, 0x104));
	/* misaligned, and split over two regions: byte copies, same bytes */
	KUNIT_EXPECT_EQ(test, 0, ops->read(&g->gm, 0x101, &v16, 2));
	KUNIT_EXPECT_EQ(test, 0x3012, v16);
	v16 = 0xbeef;
	KUNIT_EXPECT_EQ(test, 0, ops->write(&g->gm, 0x1fff, &v16, 2));
	KUNIT_EXPECT_EQ(test, 0xef, mt_byte(test, g, 3, PAGE_SIZE - 1));
	KUNIT_EXPECT_EQ(test, 0xbe, mt_byte(test, g, 0, 0));
	v16 = 0;
	KUNIT_EXPECT_EQ(test, 0, ops->read(&g->gm, 0x1fff, &v16, 2));
	KUNIT_EXPECT_EQ(test, 0xbeef, v16);
	/* a field in no region */
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->read(&g->gm, 0x3000, &v16, 2));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->write(&g->gm, 0x3000, &v32, 4));
}

#define MT_ROUNDS	50000

/**
 * struct mt_flip - the other side of a shared ring field
 * @mm: the test's address space, adopted by the thread
 * @addr: a u16 at @addr, a u32 at @addr + 4 (user addresses)
 * @write: the thread flips the fields (else it checks them)
 * @rounds: the thread's rounds so far
 * @torn: values the thread read that nobody wrote
 */
struct mt_flip {
	struct mm_struct *mm;
	unsigned long addr;
	bool write;
	unsigned long rounds;
	unsigned long torn;
};

static bool mt_whole16(u16 v)
{
	return v == 0x00ff || v == 0xff00;
}

static bool mt_whole32(u32 v)
{
	return v == 0x0000ffff || v == 0xffff0000;
}

static int mt_flip_fn(void *arg)
{
	struct mt_flip *f = arg;
	u16 __user *p16 = mt_ptr(f->addr);
	u32 __user *p32 = mt_ptr(f->addr + 4);
	u16 v16;
	u32 v32;

	kthread_use_mm(f->mm);
	while (!kthread_should_stop()) {
		bool odd = f->rounds & 1;

		if (f->write) {
			if (put_user(odd ? 0xff00 : 0x00ff, p16) ||
			    put_user(odd ? 0xffff0000 : 0x0000ffff, p32))
				f->torn++;
		} else {
			if (get_user(v16, p16) || !mt_whole16(v16))
				f->torn++;
			if (get_user(v32, p32) || !mt_whole32(v32))
				f->torn++;
		}
		WRITE_ONCE(f->rounds, f->rounds + 1);
		if (!(f->rounds % 64))
			cond_resched();
	}
	kthread_unuse_mm(f->mm);
	return 0;
}

static void mt_flip_start(struct kunit *test, struct mt_flip *f,
			  struct task_struct **t)
{
	WRITE_ONCE(f->rounds, 0);
	f->torn = 0;
	*t = kthread_run(mt_flip_fn, f, "vblk-kunit-flip");
	KUNIT_ASSERT_FALSE(test, IS_ERR(*t));
	get_task_struct(*t);
	while (!READ_ONCE(f->rounds))
		cond_resched();
}

static void mt_flip_stop(struct task_struct *t)
{
	kthread_stop(t);
	put_task_struct(t);
}

/*
 * A ring index is a field the guest changes while the device reads it
 * (and the other way round): the device must never see, nor leave, half
 * of an old value and half of a new one. Another thread in the same
 * address space flips the fields while the device reads them, then checks
 * them while the device writes them.
 */
static void vblk_memtab_test_fields_not_torn(struct kunit *test)
{
	struct mt_mem *g = mt_mem_new(test);
	const struct vblk_mem_ops *ops = &vblk_guestmem_ops;
	struct mt_flip *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned long torn = 0, i;
	struct task_struct *t;
	u16 v16 = 0x00ff;
	u32 v32 = 0x0000ffff;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs a second CPU for the other thread");
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, 0, ops->write(&g->gm, 0x200, &v16, 2));
	KUNIT_ASSERT_EQ(test, 0, ops->write(&g->gm, 0x204, &v32, 4));
	f->mm = current->mm;
	f->addr = g->u + 2 * PAGE_SIZE + 0x200;
	mmget(f->mm);

	f->write = true;
	mt_flip_start(test, f, &t);
	for (i = 0; i < MT_ROUNDS; i++) {
		if (ops->read(&g->gm, 0x200, &v16, 2) || !mt_whole16(v16))
			torn++;
		if (ops->read(&g->gm, 0x204, &v32, 4) || !mt_whole32(v32))
			torn++;
	}
	mt_flip_stop(t);
	kunit_info(test, "device reads: %lu torn, %lu flips meanwhile", torn,
		   f->rounds);
	KUNIT_EXPECT_EQ(test, 0, torn);
	KUNIT_EXPECT_EQ(test, 0, f->torn);

	f->write = false;
	torn = 0;
	mt_flip_start(test, f, &t);
	for (i = 0; i < MT_ROUNDS; i++) {
		v16 = i & 1 ? 0xff00 : 0x00ff;
		v32 = i & 1 ? 0xffff0000 : 0x0000ffff;
		if (ops->write(&g->gm, 0x200, &v16, 2) ||
		    ops->write(&g->gm, 0x204, &v32, 4))
			torn++;
	}
	mt_flip_stop(t);
	kunit_info(test, "device writes: %lu failed, %lu torn in %lu checks",
		   torn, f->torn, f->rounds);
	KUNIT_EXPECT_EQ(test, 0, torn);
	KUNIT_EXPECT_EQ(test, 0, f->torn);
	mmput(f->mm);
}

/* A table of @n regions, built as the vDPA binding builds one. */
static struct vblk_memtab *mt_tab(unsigned int n)
{
	struct vblk_memtab *t = kzalloc(struct_size(t, slots, n), GFP_KERNEL);

	if (t)
		t->nslots = n;
	return t;
}

/*
 * A vDPA VMM maps regions read-only or write-only for the device: the
 * device never writes a read-only region (IN data, status byte, used
 * ring), never reads a write-only one, and touches neither of a region
 * with no rights. Each refusal is -EFAULT, as a hole is, and leaves the
 * memory as it was.
 */
static void vblk_memtab_test_perm(struct kunit *test)
{
	struct mt_mem *g = mt_mem_new(test);
	const struct vblk_mem_ops *ops = &vblk_guestmem_ops;
	union vblk_iovec_buf *vec = kunit_kzalloc(test, sizeof(*vec),
						  GFP_KERNEL);
	struct vblk_memtab *t = mt_tab(4);
	struct vblk_seg seg[2];
	struct iov_iter it;
	u8 buf[8] = "WRITTEN";
	u16 v16 = 0xabcd;

	KUNIT_ASSERT_NOT_NULL(test, vec);
	KUNIT_ASSERT_NOT_NULL(test, t);
	/* RO page 0, WO page 1, RW page 2, nothing page 3; adjacent in gpa */
	t->slots[0] = (struct vblk_memslot){ 0, 0x1000, g->u,
					     VBLK_MEMSLOT_READ };
	t->slots[1] = (struct vblk_memslot){ 0x1000, 0x1000, g->u + PAGE_SIZE,
					     VBLK_MEMSLOT_WRITE };
	t->slots[2] = (struct vblk_memslot){ 0x2000, 0x1000,
					     g->u + 2 * PAGE_SIZE,
					     VBLK_MEMSLOT_RW };
	t->slots[3] = (struct vblk_memslot){ 0x3000, 0x1000,
					     g->u + 3 * PAGE_SIZE, 0 };
	vblk_guestmem_replace(&g->gm, t);

	/* read-only: read, never written (bytes, an aligned u16, a tail) */
	KUNIT_EXPECT_EQ(test, 0, ops->read(&g->gm, 0x10, buf, 4));
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf, 0x10, 4));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->write(&g->gm, 0x20, buf, 8));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->write(&g->gm, 0x40, &v16, 2));
	KUNIT_EXPECT_EQ(test, 0x10, mt_byte(test, g, 0, 0x20));
	KUNIT_EXPECT_EQ(test, 0x10, mt_byte(test, g, 0, 0x40));
	/* write-only: written, never read */
	KUNIT_EXPECT_EQ(test, 0, ops->write(&g->gm, 0x1020, &v16, 2));
	KUNIT_EXPECT_EQ(test, 0xcd, mt_byte(test, g, 1, 0x20));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->read(&g->gm, 0x1020, &v16, 2));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->read(&g->gm, 0x1100, buf, 8));
	/* read-write: both; no rights: neither */
	KUNIT_EXPECT_EQ(test, 0, ops->write(&g->gm, 0x2000, buf, 8));
	KUNIT_EXPECT_EQ(test, 0, ops->read(&g->gm, 0x2000, buf, 8));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->read(&g->gm, 0x3000, buf, 1));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->write(&g->gm, 0x3000, buf, 1));
	KUNIT_EXPECT_EQ(test, 0x40, mt_byte(test, g, 3, 0));
	/* a range that runs from a region that allows it into one that does not */
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->write(&g->gm, 0x2ffc, buf, 8));
	KUNIT_EXPECT_EQ(test, 0x40, mt_byte(test, g, 3, 0));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->read(&g->gm, 0xffc, buf, 8));

	/* data: the device fills (ITER_DEST) only what it may write... */
	seg[0] = (struct vblk_seg){ 0x1000, 0x200 };
	seg[1] = (struct vblk_seg){ 0x2000, 0x200 };
	KUNIT_EXPECT_EQ(test, 0, ops->iter(&g->gm, seg, 2, ITER_DEST, vec, &it));
	KUNIT_EXPECT_EQ(test, 0x400, iov_iter_count(&it));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->iter(&g->gm, seg, 2, ITER_SOURCE,
						 vec, &it));
	/* ...and drains (ITER_SOURCE) only what it may read */
	seg[0] = (struct vblk_seg){ 0, 0x200 };
	KUNIT_EXPECT_EQ(test, 0, ops->iter(&g->gm, seg, 2, ITER_SOURCE, vec,
					   &it));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->iter(&g->gm, seg, 2, ITER_DEST,
						 vec, &it));
	seg[1] = (struct vblk_seg){ 0x3000, 0x200 };
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->iter(&g->gm, &seg[1], 1,
						 ITER_SOURCE, vec, &it));
	KUNIT_EXPECT_EQ(test, -EFAULT, ops->iter(&g->gm, &seg[1], 1,
						 ITER_DEST, vec, &it));
}

/**
 * struct mt_swap - a thread that replaces the table as fast as it can
 * @gm: the guest memory
 * @u: the test's user memory: gpa 0 is page 2 or page 4, alternately
 * @rounds: tables published so far
 * @nomem: allocations that failed
 */
struct mt_swap {
	struct vblk_guestmem *gm;
	unsigned long u;
	unsigned long rounds;
	unsigned long nomem;
};

static int mt_swap_fn(void *arg)
{
	struct mt_swap *w = arg;

	while (!kthread_should_stop()) {
		struct vblk_memtab *t = mt_tab(1);

		if (!t) {
			w->nomem++;
			continue;
		}
		t->slots[0] = (struct vblk_memslot){
			0, 0x1000, w->u + (w->rounds & 1 ? 4 : 2) * PAGE_SIZE,
			VBLK_MEMSLOT_RW,
		};
		vblk_guestmem_replace(w->gm, t);
		WRITE_ONCE(w->rounds, w->rounds + 1);
		if (!(w->rounds % 64))
			cond_resched();
	}
	return 0;
}

/*
 * The VMM replaces the table (VBLK_SET_MEM_TABLE, vDPA's set_map) while a
 * worker's pass translates through it: every access sees the old table or
 * the new one, whole, and an old table is freed only once no pass can be
 * using it (KASAN catches a use after free here).
 */
static void vblk_memtab_test_replace_while_used(struct kunit *test)
{
	struct mt_mem *g = mt_mem_new(test);
	const struct vblk_mem_ops *ops = &vblk_guestmem_ops;
	union vblk_iovec_buf *vec = kunit_kzalloc(test, sizeof(*vec),
						  GFP_KERNEL);
	struct mt_swap *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct vblk_seg seg = { 0x10, 8 };
	unsigned long bad = 0, i;
	struct task_struct *t;
	struct iov_iter it;
	u8 buf[8];

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs a second CPU for the other thread");
	KUNIT_ASSERT_NOT_NULL(test, vec);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->gm = &g->gm;
	w->u = g->u;
	t = kthread_run(mt_swap_fn, w, "vblk-kunit-swap");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	while (!READ_ONCE(w->rounds))
		cond_resched();
	for (i = 0; i < MT_ROUNDS; i++) {
		if (ops->read(&g->gm, 0x10, buf, sizeof(buf)) ||
		    (memchr_inv(buf, 0x30, 8) && memchr_inv(buf, 0x50, 8)))
			bad++;
		if (ops->iter(&g->gm, &seg, 1, ITER_SOURCE, vec, &it) ||
		    copy_from_iter(buf, 8, &it) != 8 ||
		    (memchr_inv(buf, 0x30, 8) && memchr_inv(buf, 0x50, 8)))
			bad++;
	}
	kthread_stop(t);
	put_task_struct(t);
	kunit_info(test, "%lu tables published, %lu accesses wrong", w->rounds,
		   bad);
	KUNIT_EXPECT_EQ(test, 0, bad);
	KUNIT_EXPECT_EQ(test, 0, w->nomem);
	KUNIT_EXPECT_GT(test, w->rounds, 1);
}

static struct kunit_case vblk_memtab_test_cases[] = {
	KUNIT_CASE(vblk_memtab_test_sorted),
	KUNIT_CASE_PARAM(vblk_memtab_test_refused, mt_bad_gen_params),
	KUNIT_CASE(vblk_memtab_test_limits_and_faults),
	KUNIT_CASE(vblk_memtab_test_read_write),
	KUNIT_CASE(vblk_memtab_test_owner_only),
	KUNIT_CASE(vblk_memtab_test_iter),
	KUNIT_CASE(vblk_memtab_test_fields),
	KUNIT_CASE(vblk_memtab_test_fields_not_torn),
	KUNIT_CASE(vblk_memtab_test_perm),
	KUNIT_CASE(vblk_memtab_test_replace_while_used),
	{}
};

static struct kunit_suite vblk_memtab_test_suite = {
	.name = "vblk_memtab",
	.test_cases = vblk_memtab_test_cases,
};

kunit_test_suite(vblk_memtab_test_suite);
