/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk guest memory interface: how the device core reaches guest-physical
 * memory. A binding supplies the operations (the VMM's address space for
 * /dev/vblk and vhost_vdpa, host physical pages through an IOTLB for
 * virtio_vdpa, fake memory with holes in KUnit); the core never touches
 * guest memory any other way.
 */
#ifndef _VBLK_MEM_H
#define _VBLK_MEM_H

#include <linux/bvec.h>
#include <linux/overflow.h>
#include <linux/types.h>
#include <linux/uio.h>

/* Upper bound of iterator segments for one request's data. */
#define VBLK_MEM_MAX_IOVECS	256

/**
 * struct vblk_seg - one guest-physical segment
 * @gpa: guest-physical address
 * @len: length in bytes
 */
struct vblk_seg {
	u64 gpa;
	u32 len;
};

/**
 * union vblk_iovec_buf - storage for the vectors behind a data iterator
 * @kv: kernel vectors (test doubles)
 * @iov: user vectors (the VMM's address space)
 * @bv: page vectors (host physical memory)
 */
union vblk_iovec_buf {
	struct kvec kv[VBLK_MEM_MAX_IOVECS];
	struct iovec iov[VBLK_MEM_MAX_IOVECS];
	struct bio_vec bv[VBLK_MEM_MAX_IOVECS];
};

/**
 * struct vblk_mem_ops - guest memory access
 * @read: copy @len bytes at guest-physical @gpa into @buf.
 * @write: copy @len bytes from @buf to guest-physical @gpa.
 * @iter: build @iter over the guest segments @segs (in order), for the
 *	backing to fill (@dir == ITER_DEST, a guest read) or to drain
 *	(@dir == ITER_SOURCE, a guest write); vectors live in @buf, at most
 *	%VBLK_MEM_MAX_IOVECS of them (-E2BIG beyond).
 *
 * Every callback returns 0 or a negative errno; -EFAULT means some byte of
 * the range is not guest memory. Aligned 2- and 4-byte reads and writes are
 * single accesses (ring indices must not tear). Callbacks never fault in
 * the kernel and must not be called with a spinlock held (they may sleep).
 */
struct vblk_mem_ops {
	int (*read)(void *ctx, u64 gpa, void *buf, size_t len);
	int (*write)(void *ctx, u64 gpa, const void *buf, size_t len);
	int (*iter)(void *ctx, const struct vblk_seg *segs, unsigned int nsegs,
		    unsigned int dir, union vblk_iovec_buf *buf,
		    struct iov_iter *iter);
};

/**
 * struct vblk_mem - guest memory as the core sees it
 * @ops: the operations, NULL while no guest memory is bound
 * @ctx: their context
 */
struct vblk_mem {
	const struct vblk_mem_ops *ops;
	void *ctx;
};

static inline int vblk_mem_read(const struct vblk_mem *m, u64 gpa, void *buf,
				size_t len)
{
	return m->ops->read(m->ctx, gpa, buf, len);
}

static inline int vblk_mem_write(const struct vblk_mem *m, u64 gpa,
				 const void *buf, size_t len)
{
	return m->ops->write(m->ctx, gpa, buf, len);
}

static inline int vblk_mem_iter(const struct vblk_mem *m,
				const struct vblk_seg *segs, unsigned int nsegs,
				unsigned int dir, union vblk_iovec_buf *buf,
				struct iov_iter *iter)
{
	return m->ops->iter(m->ctx, segs, nsegs, dir, buf, iter);
}

/**
 * vblk_range_fits() - @gpa .. @gpa + @len - 1 does not wrap around
 * @gpa: first address
 * @len: length in bytes (0 always fits)
 *
 * Return: true if the range can be addressed.
 */
static inline bool vblk_range_fits(u64 gpa, u64 len)
{
	u64 end;

	return !len || !check_add_overflow(gpa, len - 1, &end);
}

#endif /* _VBLK_MEM_H */
