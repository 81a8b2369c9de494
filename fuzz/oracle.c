// SPDX-License-Identifier: GPL-2.0
/*
 * The oracle of vblk_fuzz: what Documentation/device-model.rst says must
 * become of the chain at @head, read from guest memory as the device
 * finds it at the moment it pops the head ("Walking a chain", the status
 * descriptor, "Validation order"). Written from the document, not from
 * kmod/: where the two disagree, a run fails.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>

#include "fuzz.h"

#define FZ_CHAIN_MAX	(VBLK_SEG_MAX + 2)	/* SEG_MAX + 2 = 130 */
#define FZ_HDR_LEN	16
#define FZ_SIZE_MAX	(1U << 20)
#define FZ_ID_BYTES	20
#define FZ_DISCARD_MAX	(1U << 21)	/* sectors per discard segment */
#define FZ_WZ_MAX	(1U << 17)	/* sectors per write zeroes segment */

struct fz_flat {
	unsigned int n;
	u64 addr[FZ_CHAIN_MAX];
	u32 len[FZ_CHAIN_MAX];
	u16 flags[FZ_CHAIN_MAX];
};

struct fz_rawdesc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
} __packed;

static bool fz_wraps(u64 gpa, u64 len)
{
	return len && gpa + (len - 1) < gpa;
}

/*
 * "Walking a chain": indices below the size of the table they index, no
 * table visited more often than it has entries, at most SEG_MAX + 2
 * descriptors, every descriptor readable, indirect tables only when
 * negotiated, not nested, without NEXT, a non-zero multiple of 16 bytes,
 * at most max(queue size, SEG_MAX + 2) entries, not wrapping. False: drop.
 */
static bool fz_walk(const struct fz_mq *mq, u16 head, struct fz_flat *c)
{
	u64 table = mq->desc;
	u32 entries = mq->num, visits = 0, i = head;
	bool nested = false;
	struct fz_rawdesc d;

	c->n = 0;
	for (;;) {
		if (i >= entries || ++visits > entries)
			return false;
		if (!fz_mem_peek(&fz.mem, table + 16 * (u64)i, &d, sizeof(d),
				 FZ_RD))
			return false;
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!mq->indirect || nested ||
			    (d.flags & VRING_DESC_F_NEXT))
				return false;
			if (!d.len || d.len % 16 ||
			    d.len / 16 > max_t(u32, mq->num, FZ_CHAIN_MAX) ||
			    fz_wraps(d.addr, d.len))
				return false;
			table = d.addr;
			entries = d.len / 16;
			visits = 0;
			i = 0;
			nested = true;
			continue;
		}
		if (c->n == FZ_CHAIN_MAX)
			return false;
		c->addr[c->n] = d.addr;
		c->len[c->n] = d.len;
		c->flags[c->n] = d.flags;
		c->n++;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return true;
		i = d.next;
	}
}

/*
 * The non-empty data descriptors (all but the first and the last), at
 * most @limit bytes of them, into p->segs; false if the device could not
 * build an iterator over them (a byte not in guest memory for the access,
 * a wrap, more vectors than it has room for).
 */
static bool fz_data_segs(struct fz_pred *p, const struct fz_flat *c,
			 u64 limit, unsigned int kinds)
{
	unsigned int i;

	p->nsegs = 0;
	for (i = 1; i + 1 < c->n && limit; i++) {
		u32 len = c->len[i];

		if (!len)
			continue;
		len = min_t(u64, len, limit);
		if (fz_wraps(c->addr[i], len) ||
		    !fz_mem_ok(&fz.mem, c->addr[i], len, kinds))
			goto refused;
		p->segs[p->nsegs].gpa = c->addr[i];
		p->segs[p->nsegs].len = len;
		p->nsegs++;
		limit -= len;
	}
	if (fz_mem_nvecs(&fz.mem, p->segs, p->nsegs) <= VBLK_MEM_MAX_IOVECS)
		return true;
refused:
	p->iter_fail = true;
	return false;
}

/* Rule 10: sector * 512 does not overflow and the range ends in capacity. */
static bool fz_in_capacity(u64 sector, u64 len, u64 *pos)
{
	u64 cap;

	if (sector > (U64_MAX >> 9))
		return false;
	*pos = sector << 9;
	cap = fz.m.caps > (U64_MAX >> 9) ? U64_MAX : fz.m.caps << 9;
	cap = min_t(u64, cap, LLONG_MAX);
	return *pos <= cap && len <= cap - *pos;
}

/* Rules 5-11 for T_IN / T_OUT. */
static u8 fz_validate_rw(struct fz_pred *p, const struct fz_flat *c, u64 sector)
{
	bool in = p->type == VIRTIO_BLK_T_IN;
	unsigned int i;
	u64 len = 0;

	if (!in && fz.m.read_only)
		return VIRTIO_BLK_S_IOERR;
	if (c->n < 3)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i + 1 < c->n; i++) {
		if (!!(c->flags[i] & VRING_DESC_F_WRITE) != in)
			return VIRTIO_BLK_S_IOERR;
		if (c->len[i] > FZ_SIZE_MAX)
			return VIRTIO_BLK_S_IOERR;
		len += c->len[i];
	}
	if (len % 512 || !fz_in_capacity(sector, len, &p->pos))
		return VIRTIO_BLK_S_IOERR;
	p->len = len;
	if (!fz_data_segs(p, c, len, in ? FZ_WR : FZ_RD))
		return VIRTIO_BLK_S_IOERR;
	p->kind = PK_RW;
	p->write = !in;
	return VIRTIO_BLK_S_OK;
}

/* T_GET_ID: data descriptors, all device-writable; 20 bytes at most. */
static u8 fz_validate_get_id(struct fz_pred *p, const struct fz_flat *c)
{
	unsigned int i;

	if (c->n < 3)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i + 1 < c->n; i++)
		if (!(c->flags[i] & VRING_DESC_F_WRITE))
			return VIRTIO_BLK_S_IOERR;
	if (!fz_data_segs(p, c, FZ_ID_BYTES, FZ_WR))
		return VIRTIO_BLK_S_IOERR;
	p->len = 0;
	for (i = 0; i < p->nsegs; i++)
		p->len += p->segs[i].len;
	return VIRTIO_BLK_S_OK;
}

/* The @n bytes of @p's data segments (all readable: fz_data_segs()). */
static void fz_gather(const struct fz_pred *p, u8 *buf, u64 n)
{
	unsigned int i;

	for (i = 0; i < p->nsegs && n; i++) {
		u64 k = min_t(u64, p->segs[i].len, n);

		FZ_CHECK(fz_mem_peek(&fz.mem, p->segs[i].gpa, buf, k, FZ_RD),
			 "a checked data segment cannot be read");
		buf += k;
		n -= k;
	}
}

/* Rules d1-d9 for T_DISCARD / T_WRITE_ZEROES. */
static u8 fz_validate_dwz(struct fz_pred *p, const struct fz_flat *c)
{
	static struct { __le64 sector; __le32 num; __le32 flags; } seg[FZ_DWZ_MAX];
	u64 f = vblk_vdev_get_features(&fz.vd);
	bool discard = p->type == VIRTIO_BLK_T_DISCARD;
	u32 max = discard ? FZ_DISCARD_MAX : FZ_WZ_MAX;
	unsigned int i, n;
	u64 len = 0;
	u8 st = VIRTIO_BLK_S_OK;

	if (fz.m.read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!(f & BIT_ULL(discard ? VIRTIO_BLK_F_DISCARD :
			  VIRTIO_BLK_F_WRITE_ZEROES)))
		return VIRTIO_BLK_S_UNSUPP;
	if (c->n < 3)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i + 1 < c->n; i++) {
		if ((c->flags[i] & VRING_DESC_F_WRITE) || c->len[i] > FZ_SIZE_MAX)
			return VIRTIO_BLK_S_IOERR;
		len += c->len[i];
	}
	if (!len || len % sizeof(seg[0]) || len / sizeof(seg[0]) > FZ_DWZ_MAX)
		return VIRTIO_BLK_S_IOERR;
	n = len / sizeof(seg[0]);
	if (!fz_data_segs(p, c, len, FZ_RD))
		return VIRTIO_BLK_S_IOERR;
	/* From here on the device reads the table through an iterator. */
	p->table = true;
	p->write = true;
	fz_gather(p, (u8 *)seg, len);
	for (i = 0; i < n; i++) {
		u32 fl = le32_to_cpu(seg[i].flags);

		if ((fl & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) || (discard && fl))
			st = VIRTIO_BLK_S_UNSUPP;
	}
	if (st != VIRTIO_BLK_S_OK)
		return st;
	p->len = 0;
	for (i = 0; i < n; i++) {
		u64 bytes = (u64)le32_to_cpu(seg[i].num) << 9;

		if (le32_to_cpu(seg[i].num) > max ||
		    !fz_in_capacity(le64_to_cpu(seg[i].sector), bytes,
				    &p->dwz[i].pos))
			return VIRTIO_BLK_S_IOERR;
		p->dwz[i].len = bytes;
		p->dwz[i].unmap = fz_b.unmap && !discard &&
			(le32_to_cpu(seg[i].flags) & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
		p->len += bytes;
	}
	p->ndwz = n;
	p->kind = PK_DWZ;
	p->write = true;
	return VIRTIO_BLK_S_OK;
}

/* Rules 1-4, then the type's own rules. */
static u8 fz_validate(struct fz_pred *p, const struct fz_flat *c)
{
	struct { __le32 type; __le32 ioprio; __le64 sector; } h;

	if (c->n < 2)
		return VIRTIO_BLK_S_IOERR;
	/* Rule 2: the header alone, exactly 16 bytes (no data after it). */
	if ((c->flags[0] & VRING_DESC_F_WRITE) || c->len[0] != FZ_HDR_LEN)
		return VIRTIO_BLK_S_IOERR;
	/* Rule 3: at most 512 bytes of status descriptor (padding + status). */
	if (c->len[c->n - 1] > 512)
		return VIRTIO_BLK_S_IOERR;
	if (!fz_mem_peek(&fz.mem, c->addr[0], &h, sizeof(h), FZ_RD))
		return VIRTIO_BLK_S_IOERR;
	p->type = h.type;
	switch (p->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return fz_validate_rw(p, c, h.sector);
	case VIRTIO_BLK_T_FLUSH:
		if (!fz.m.read_only)
			p->kind = PK_FLUSH;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		return fz_validate_get_id(p, c);
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return fz_validate_dwz(p, c);
	}
	return VIRTIO_BLK_S_UNSUPP;
}

/**
 * fz_oracle() - what must become of the chain at @head
 * @mq: the queue, as the model knows it
 * @p: the prediction to fill (q and head set)
 *
 * Return: false if the chain must be dropped.
 */
bool fz_oracle(const struct fz_mq *mq, struct fz_pred *p)
{
	static struct fz_flat c;
	unsigned int last;

	if (!fz_walk(mq, p->head, &c))
		return false;
	/* The status descriptor: the last one, device-writable, not empty. */
	last = c.n - 1;
	if (!(c.flags[last] & VRING_DESC_F_WRITE) || !c.len[last] ||
	    fz_wraps(c.addr[last], c.len[last]))
		return false;
	p->status_gpa = c.addr[last] + c.len[last] - 1;
	p->kind = PK_DONE;
	p->type = U32_MAX;
	p->status = fz_validate(p, &c);
	if (p->status != VIRTIO_BLK_S_OK)
		p->kind = PK_DONE;
	return true;
}
