// SPDX-License-Identifier: GPL-2.0
/*
 * vblk requests: parsing and validation of a walked chain (virtio 1.2,
 * 5.2.6). The order of the checks is part of the device's contract (see
 * Documentation/device-model.rst): a request that fails validation is
 * completed with its status and never reaches the throttle or the backing.
 */
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>

#include "vblk_req.h"

struct vblk_outhdr {
	__le32 type;
	__le32 ioprio;
	__le64 sector;
};

static_assert(sizeof(struct vblk_outhdr) == 16);

/**
 * vblk_req_locate_status() - find the chain's status byte
 * @req: the request (gets @status_gpa)
 * @c: the walked chain
 *
 * The last descriptor must be device-writable and non-empty; the status
 * goes into its last byte. Without one the chain must be dropped: a used
 * entry without a status byte reads as success to the driver.
 *
 * Return: true if there is a status byte.
 */
bool vblk_req_locate_status(struct vblk_req *req, const struct vblk_chain *c)
{
	const struct vblk_seg *st = &c->seg[c->n - 1];

	if (!(c->flags[c->n - 1] & VRING_DESC_F_WRITE) || !st->len)
		return false;
	return !check_add_overflow(st->gpa, (u64)st->len - 1, &req->status_gpa);
}

/*
 * Framing. The device reads a chain by descriptors: the first is the
 * header, the last ends with the status byte, the ones between are data.
 * A driver may arrange bytes differently (virtio 1.2, 2.7.4, "no
 * assumptions about the arrangement"), so every chain whose bytes this
 * reading could assign to the wrong part is refused rather than served:
 * a header descriptor must hold exactly the 16-byte header (a longer one
 * would carry data the device did not move), and a status descriptor may
 * hold fewer than a sector's worth of bytes before the status byte
 * (padding, left untouched; a whole sector there could be data).
 */

/* Header: the first descriptor alone, device-readable, exactly 16 bytes. */
static u8 vblk_read_header(struct vblk_req *req, const struct vblk_chain *c,
			   const struct vblk_req_env *env)
{
	struct vblk_outhdr h;

	if (c->n < 2)
		return VIRTIO_BLK_S_IOERR;	/* the status is all there is */
	if ((c->flags[0] & VRING_DESC_F_WRITE) || c->seg[0].len != sizeof(h))
		return VIRTIO_BLK_S_IOERR;
	if (c->seg[c->n - 1].len > VBLK_SECTOR_SIZE)
		return VIRTIO_BLK_S_IOERR;
	if (vblk_mem_read(env->mem, c->seg[0].gpa, &h, sizeof(h)))
		return VIRTIO_BLK_S_IOERR;
	req->type = le32_to_cpu(h.type);
	req->sector = le64_to_cpu(h.sector);
	return VIRTIO_BLK_S_OK;
}

/*
 * Build req->iter over the chain's data descriptors (all but the first and
 * the last), skipping empty ones and stopping after @limit bytes. The
 * memory backend checks every byte range against guest memory.
 */
static int vblk_build_iter(struct vblk_req *req, const struct vblk_chain *c,
			   const struct vblk_req_env *env, unsigned int dir,
			   u64 limit)
{
	struct vblk_seg *segs = env->segs;
	unsigned int i, n = 0;
	u64 left = limit;
	int err;

	for (i = 1; i + 1 < c->n && left; i++) {
		struct vblk_seg s = c->seg[i];

		if (!s.len)
			continue;
		s.len = min_t(u64, s.len, left);
		if (!vblk_range_fits(s.gpa, s.len))
			return -EFAULT;
		segs[n++] = s;
		left -= s.len;
	}
	if (!n) {
		iov_iter_kvec(&req->iter, dir, NULL, 0, 0);
		return 0;
	}
	err = vblk_mem_iter(env->mem, segs, n, dir, env->iov, &req->iter);
	if (err)
		return err;
	return iov_iter_count(&req->iter) == limit - left ? 0 : -EFAULT;
}

/* The request's bytes lie inside the capacity; @pos gets the offset. */
static bool vblk_range_ok(u64 capacity, u64 sector, u64 len, u64 *pos)
{
	u64 cap;

	if (check_shl_overflow(sector, VBLK_SECTOR_SHIFT, pos))
		return false;
	if (check_shl_overflow(capacity, VBLK_SECTOR_SHIFT, &cap))
		cap = U64_MAX;
	cap = min_t(u64, cap, LLONG_MAX);	/* a loff_t must hold the end */
	return *pos <= cap && len <= cap - *pos;
}

/*
 * T_IN / T_OUT, in this order: read-only device (writes), at least one
 * data descriptor, data direction, SIZE_MAX per descriptor, a whole number
 * of sectors, inside the capacity, data in guest memory.
 */
static u8 vblk_validate_rw(struct vblk_req *req, const struct vblk_chain *c,
			   const struct vblk_req_env *env)
{
	bool in = req->type == VIRTIO_BLK_T_IN;
	unsigned int i, last = c->n - 1;
	u64 len = 0;

	if (!in && env->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (last < 2)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i < last; i++) {
		if (!!(c->flags[i] & VRING_DESC_F_WRITE) != in)
			return VIRTIO_BLK_S_IOERR;
		if (c->seg[i].len > VBLK_SIZE_MAX)
			return VIRTIO_BLK_S_IOERR;
		len += c->seg[i].len;
	}
	if (len % VBLK_SECTOR_SIZE)
		return VIRTIO_BLK_S_IOERR;
	if (!vblk_range_ok(env->capacity, req->sector, len, &req->pos))
		return VIRTIO_BLK_S_IOERR;
	req->len = len;
	if (vblk_build_iter(req, c, env, in ? ITER_DEST : ITER_SOURCE, len))
		return VIRTIO_BLK_S_IOERR;
	req->op = in ? VBLK_OP_READ : VBLK_OP_WRITE;
	return VIRTIO_BLK_S_OK;
}

/*
 * One DISCARD / WRITE_ZEROES segment (struct virtio_blk_discard_write_zeroes,
 * virtio 1.2, 5.2.6): where, how many sectors, flags.
 */
struct vblk_dwz_seg {
	__le64 sector;
	__le32 num_sectors;
	__le32 flags;
};

static_assert(sizeof(struct vblk_dwz_seg) == 16);

/*
 * The segment table: read it into env->dwz (sector in @pos, sector count
 * in @len, the unmap flag in @unmap) and check every segment's flags:
 * unknown flags, or unmap on a DISCARD, are S_UNSUPP (virtio 1.2, 5.2.6.2)
 * whatever the ranges are.
 */
static u8 vblk_read_dwz(struct vblk_req *req, unsigned int n, bool discard,
			const struct vblk_req_env *env)
{
	struct vblk_dwz_seg s;
	unsigned int i;
	u8 st = VIRTIO_BLK_S_OK;
	u32 flags;

	for (i = 0; i < n; i++) {
		if (copy_from_iter(&s, sizeof(s), &req->iter) != sizeof(s))
			return VIRTIO_BLK_S_IOERR;
		flags = le32_to_cpu(s.flags);
		if ((flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ||
		    (discard && flags))
			st = VIRTIO_BLK_S_UNSUPP;
		env->dwz[i].pos = le64_to_cpu(s.sector);
		env->dwz[i].len = le32_to_cpu(s.num_sectors);
		env->dwz[i].unmap = flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	}
	return st;
}

/*
 * T_DISCARD / T_WRITE_ZEROES, in this order: read-only device, feature
 * negotiated, at least one data descriptor, all device-readable, no
 * longer than SIZE_MAX, a whole non-zero number of 16-byte segments, at
 * most VBLK_DWZ_SEG_MAX of them, the table in guest memory, then the
 * flags of every segment, then every segment's range: at most the
 * maximum sectors, inside the capacity.
 */
static u8 vblk_validate_dwz(struct vblk_req *req, const struct vblk_chain *c,
			    const struct vblk_req_env *env)
{
	bool discard = req->type == VIRTIO_BLK_T_DISCARD;
	u32 max = discard ? VBLK_DISCARD_MAX_SECTORS : VBLK_WZ_MAX_SECTORS;
	unsigned int i, n, last = c->n - 1;
	u64 len = 0;
	u8 st;

	if (env->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!(discard ? env->discard : env->write_zeroes))
		return VIRTIO_BLK_S_UNSUPP;
	if (last < 2)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i < last; i++) {
		if (c->flags[i] & VRING_DESC_F_WRITE)
			return VIRTIO_BLK_S_IOERR;
		if (c->seg[i].len > VBLK_SIZE_MAX)
			return VIRTIO_BLK_S_IOERR;
		len += c->seg[i].len;
	}
	if (!len || len % sizeof(struct vblk_dwz_seg))
		return VIRTIO_BLK_S_IOERR;
	n = len / sizeof(struct vblk_dwz_seg);
	if (n > VBLK_DWZ_SEG_MAX)
		return VIRTIO_BLK_S_IOERR;
	if (vblk_build_iter(req, c, env, ITER_SOURCE, len))
		return VIRTIO_BLK_S_IOERR;
	st = vblk_read_dwz(req, n, discard, env);
	if (st != VIRTIO_BLK_S_OK)
		return st;
	req->len = 0;
	for (i = 0; i < n; i++) {
		struct vblk_dwz *d = &env->dwz[i];
		u64 bytes = d->len << VBLK_SECTOR_SHIFT;

		if (d->len > max ||
		    !vblk_range_ok(env->capacity, d->pos, bytes, &d->pos))
			return VIRTIO_BLK_S_IOERR;
		d->len = bytes;
		d->unmap = d->unmap && env->zeroes_unmap;
		req->len += bytes;
	}
	req->dwz = env->dwz;
	req->ndwz = n;
	req->op = discard ? VBLK_OP_DISCARD : VBLK_OP_WRITE_ZEROES;
	return VIRTIO_BLK_S_OK;
}

/*
 * T_GET_ID: at least one data descriptor, all device-writable; the serial
 * fills at most VIRTIO_BLK_ID_BYTES bytes of them (a shorter buffer gets
 * a truncated serial).
 */
static u8 vblk_validate_get_id(struct vblk_req *req, const struct vblk_chain *c,
			       const struct vblk_req_env *env)
{
	unsigned int i, last = c->n - 1;

	if (last < 2)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i < last; i++) {
		if (!(c->flags[i] & VRING_DESC_F_WRITE))
			return VIRTIO_BLK_S_IOERR;
	}
	if (vblk_build_iter(req, c, env, ITER_DEST, VIRTIO_BLK_ID_BYTES))
		return VIRTIO_BLK_S_IOERR;
	req->len = iov_iter_count(&req->iter);
	req->op = VBLK_OP_GET_ID;
	return VIRTIO_BLK_S_OK;
}

/**
 * vblk_req_validate() - parse and validate a chain with a status byte
 * @req: the request (head set, the rest zeroed; gets type, sector, op,
 *	pos, len and the data iterator)
 * @c: the walked chain
 * @env: guest memory, device properties and scratch storage
 *
 * T_FLUSH ignores data descriptors and sector and is a no-op on a
 * read-only device; T_DISCARD and T_WRITE_ZEROES without their feature
 * and unknown types are S_UNSUPP.
 *
 * Return: the status to complete with; VIRTIO_BLK_S_OK with req->op other
 * than VBLK_OP_NONE means the request is ready for the throttle and the
 * backing.
 */
u8 vblk_req_validate(struct vblk_req *req, const struct vblk_chain *c,
		     const struct vblk_req_env *env)
{
	u8 st = vblk_read_header(req, c, env);

	if (st != VIRTIO_BLK_S_OK)
		return st;
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return vblk_validate_rw(req, c, env);
	case VIRTIO_BLK_T_FLUSH:
		req->op = env->read_only ? VBLK_OP_NONE : VBLK_OP_FLUSH;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		return vblk_validate_get_id(req, c, env);
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return vblk_validate_dwz(req, c, env);
	}
	return VIRTIO_BLK_S_UNSUPP;
}

/**
 * vblk_req_written() - bytes the device wrote into the chain
 * @req: a completed request
 *
 * Return: the used element's length: the data read plus the status byte.
 */
u32 vblk_req_written(const struct vblk_req *req)
{
	if (req->status == VIRTIO_BLK_S_OK &&
	    (req->op == VBLK_OP_READ || req->op == VBLK_OP_GET_ID))
		return req->len + 1;
	return 1;
}
