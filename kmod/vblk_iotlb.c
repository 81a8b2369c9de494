// SPDX-License-Identifier: GPL-2.0
/*
 * vblk guest memory through an IOTLB (struct vblk_mem_ops, second flavour).
 *
 * Addresses are I/O virtual addresses, translated through a vhost_iotlb
 * into host physical addresses with the mapping's permissions checked
 * (VHOST_MAP_RO: the device may read, VHOST_MAP_WO: the device may write).
 * A translated range is reached page by page: ring fields and headers
 * through the direct map (kmap_local_page()), request data through bio_vec
 * page vectors, so the backing's direct I/O works on the pages themselves.
 * A physical address without a struct page is -EFAULT.
 *
 * A translation is looked up under the IOTLB's spinlock and used outside
 * it; whoever changes a mapping makes sure that the device does not use
 * the old one any more (vDPA: mappings change while the device is reset).
 */
#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <linux/unaligned.h>

#include "vblk_iotlb.h"

/* Mappings an address space may hold. */
#define VBLK_IOTLB_LIMIT	2048

/**
 * vblk_iotlb_init() - an empty address space (every access faults)
 * @m: the address space
 */
void vblk_iotlb_init(struct vblk_iotlb *m)
{
	spin_lock_init(&m->lock);
	vhost_iotlb_init(&m->tlb, VBLK_IOTLB_LIMIT, 0);
}

/**
 * vblk_iotlb_map() - map IOVAs @start .. @last to host physical @pa
 * @m: the address space
 * @start: first IOVA
 * @last: last IOVA (inclusive; 0 .. U64_MAX is allowed)
 * @pa: host physical address of @start
 * @perm: VHOST_MAP_RO, VHOST_MAP_WO or VHOST_MAP_RW
 *
 * Return: 0, -EFAULT for @last below @start, -ENOSPC, -ENOMEM.
 */
int vblk_iotlb_map(struct vblk_iotlb *m, u64 start, u64 last, u64 pa,
		   u32 perm)
{
	int ret;

	spin_lock(&m->lock);
	ret = vhost_iotlb_add_range(&m->tlb, start, last, pa, perm);
	spin_unlock(&m->lock);
	return ret;
}

/**
 * vblk_iotlb_clear() - remove every mapping
 * @m: the address space
 */
void vblk_iotlb_clear(struct vblk_iotlb *m)
{
	spin_lock(&m->lock);
	vhost_iotlb_reset(&m->tlb);
	spin_unlock(&m->lock);
}

/*
 * Translate the longest prefix of [@iova, @iova + @len) that one mapping
 * with permissions @perm covers. Returns its length (0: no such mapping)
 * and its physical address in @pa.
 */
static size_t vblk_iotlb_xlate(struct vblk_iotlb *m, u64 iova, size_t len,
			       u32 perm, u64 *pa)
{
	struct vhost_iotlb_map *map;
	size_t n = 0;

	spin_lock(&m->lock);
	map = vhost_iotlb_itree_first(&m->tlb, iova, iova);
	if (map && (map->perm & perm) == perm) {
		*pa = map->addr + (iova - map->start);
		/* map->last - iova + 1 would overflow for a full range */
		n = len - 1 <= map->last - iova ? len : map->last - iova + 1;
	}
	spin_unlock(&m->lock);
	return n;
}

/* The page of physical address @pa, or NULL if it has none. */
static struct page *vblk_iotlb_page(u64 pa)
{
	unsigned long pfn = PHYS_PFN(pa);

	if (PFN_PHYS(pfn) != pa - offset_in_page(pa) || !pfn_valid(pfn))
		return NULL;
	return pfn_to_page(pfn);
}

/*
 * Copy @n bytes between @buf and @p (mapped guest memory). Aligned 2- and
 * 4-byte accesses are single loads and stores: ring indices must not tear.
 */
static void vblk_iotlb_xfer(void *p, void *buf, size_t n, bool write)
{
	if (n == sizeof(u16) && IS_ALIGNED((unsigned long)p, n)) {
		if (write)
			WRITE_ONCE(*(u16 *)p, get_unaligned((u16 *)buf));
		else
			put_unaligned(READ_ONCE(*(u16 *)p), (u16 *)buf);
	} else if (n == sizeof(u32) && IS_ALIGNED((unsigned long)p, n)) {
		if (write)
			WRITE_ONCE(*(u32 *)p, get_unaligned((u32 *)buf));
		else
			put_unaligned(READ_ONCE(*(u32 *)p), (u32 *)buf);
	} else if (write) {
		memcpy(p, buf, n);
	} else {
		memcpy(buf, p, n);
	}
}

/*
 * Call @fn for every page piece of [@iova, @iova + @len), in order, after
 * checking the mapping's permissions @perm. Stops at the first error.
 */
static int vblk_iotlb_walk(struct vblk_iotlb *m, u64 iova, size_t len,
			   u32 perm,
			   int (*fn)(struct page *pg, size_t off, size_t n,
				     void *arg),
			   void *arg)
{
	if (!vblk_range_fits(iova, len))
		return -EFAULT;
	while (len) {
		u64 pa;
		size_t n = vblk_iotlb_xlate(m, iova, len, perm, &pa);

		if (!n)
			return -EFAULT;
		iova += n;
		len -= n;
		while (n) {
			size_t off = offset_in_page(pa);
			size_t c = min_t(size_t, n, PAGE_SIZE - off);
			struct page *pg = vblk_iotlb_page(pa);
			int ret;

			if (!pg)
				return -EFAULT;
			ret = fn(pg, off, c, arg);
			if (ret)
				return ret;
			pa += c;
			n -= c;
		}
	}
	return 0;
}

/* A copy between a kernel buffer and guest memory, as it goes. */
struct vblk_iotlb_copy {
	void *buf;
	bool write;
};

static int vblk_iotlb_copy_page(struct page *pg, size_t off, size_t n,
				void *arg)
{
	struct vblk_iotlb_copy *c = arg;
	void *p = kmap_local_page(pg);

	vblk_iotlb_xfer(p + off, c->buf, n, c->write);
	kunmap_local(p);
	c->buf += n;
	return 0;
}

static int vblk_iotlb_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	struct vblk_iotlb_copy c = { .buf = buf, .write = false };

	return vblk_iotlb_walk(ctx, gpa, len, VHOST_MAP_RO,
			       vblk_iotlb_copy_page, &c);
}

static int vblk_iotlb_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	/* The buffer is only read from for a write. */
	struct vblk_iotlb_copy c = { .buf = (void *)buf, .write = true };

	return vblk_iotlb_walk(ctx, gpa, len, VHOST_MAP_WO,
			       vblk_iotlb_copy_page, &c);
}

/* Page vectors being built: @nr of them in @bv. */
struct vblk_iotlb_bvecs {
	struct bio_vec *bv;
	unsigned int nr;
};

/*
 * Append [@pg + @off, + @n) (within one page) to the page vectors,
 * extending the last vector when it ends exactly there.
 */
static int vblk_iotlb_add_page(struct page *pg, size_t off, size_t n,
			       void *arg)
{
	struct vblk_iotlb_bvecs *b = arg;

	if (b->nr) {
		struct bio_vec *last = &b->bv[b->nr - 1];
		unsigned int end = last->bv_offset + last->bv_len;

		if (last->bv_page + (end >> PAGE_SHIFT) == pg &&
		    offset_in_page(end) == off) {
			last->bv_len += n;
			return 0;
		}
	}
	if (b->nr == VBLK_MEM_MAX_IOVECS)
		return -E2BIG;
	bvec_set_page(&b->bv[b->nr++], pg, n, off);
	return 0;
}

static int vblk_iotlb_iter(void *ctx, const struct vblk_seg *segs,
			   unsigned int nsegs, unsigned int dir,
			   union vblk_iovec_buf *buf, struct iov_iter *iter)
{
	/* The device writes what the guest reads (ITER_DEST). */
	u32 perm = dir == ITER_DEST ? VHOST_MAP_WO : VHOST_MAP_RO;
	struct vblk_iotlb_bvecs b = { .bv = buf->bv };
	size_t total = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < nsegs; i++) {
		ret = vblk_iotlb_walk(ctx, segs[i].gpa, segs[i].len, perm,
				      vblk_iotlb_add_page, &b);
		if (ret)
			return ret;
		total += segs[i].len;
	}
	iov_iter_bvec(iter, dir, b.bv, b.nr, total);
	return 0;
}

/*
 * vblk_iotlb_ops - struct vblk_mem_ops over a struct vblk_iotlb
 *
 * Any process context; the pages are the host's own, so no address space
 * needs to be current.
 */
const struct vblk_mem_ops vblk_iotlb_ops = {
	.read = vblk_iotlb_read,
	.write = vblk_iotlb_write,
	.iter = vblk_iotlb_iter,
};
