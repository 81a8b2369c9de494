// SPDX-License-Identifier: GPL-2.0
/*
 * The hostile guest's rings: descriptor chains built the way virtio_blk
 * builds them (header, data, status; direct or in an indirect table),
 * then mutated; raw descriptors; avail ring entries and indices, including
 * jumps; used_event.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "fuzz.h"
#include "fuzz_in.h"
#include "ops.h"

#define FZ_CHAIN_BUILD	(VBLK_SEG_MAX + 4)
/* Links resolved when the chain is placed. */
#define FZ_NEXT_FOLLOW	0xffff	/* the descriptor after this one */
#define FZ_NEXT_HEAD	0xfffe	/* the chain's first descriptor */

struct fz_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
} __packed;

/* The queue as the guest configured it (the device's copy), if ready. */
static const struct vblk_vq *fz_vq(unsigned int q)
{
	const struct vblk_vq *v = &fz.vd.qs[q].vq;

	return v->ready ? v : NULL;
}

static void fz_put_desc(u64 table, u32 i, const struct fz_desc *d)
{
	fz_guest_write(&fz.mem, table + 16 * (u64)i, d, sizeof(*d));
}

/* Put @head into the avail ring; with @publish, move the index too. */
static void fz_push(unsigned int q, const struct vblk_vq *v, u16 head,
		    bool publish)
{
	u16 i = fz.drv_avail[q]++;

	fz_guest_write(&fz.mem, v->avail + 4 + 2 * (u64)(i & (v->num - 1)),
		       &head, 2);
	if (publish)
		fz_guest_write(&fz.mem, v->avail + 2, &fz.drv_avail[q], 2);
}

static u32 fz_type(struct fz_in *in)
{
	switch (fz_get8(in) % 8) {
	case FZ_T_IN:
	case FZ_T_IN2:
		return VIRTIO_BLK_T_IN;
	case FZ_T_FLUSH:
		return VIRTIO_BLK_T_FLUSH;
	case FZ_T_GET_ID:
		return VIRTIO_BLK_T_GET_ID;
	case FZ_T_RAW:
		return fz_get32(in);
	}
	return VIRTIO_BLK_T_OUT;
}

static u64 fz_sector(struct fz_in *in)
{
	u8 s = fz_get8(in);

	if (s < 0x80)
		return s;
	if (s < 0xc0)
		return fz.m.caps - (s - 0x80);
	return fz_get64(in);
}

/* Mutations of a well-formed chain (FZ_OP_CHAIN flags bits 3-7). */
static void fz_mutate(struct fz_in *in, unsigned int mut, struct fz_desc *d,
		      unsigned int n, u32 num, u32 *table_len)
{
	unsigned int k = mut == 1 || mut == 5 || mut == 7 || mut == 8 ?
			 fz_get8(in) % n : 0;

	switch (mut) {
	case 1:
		d[k].flags ^= VRING_DESC_F_WRITE;
		break;
	case 2:
		d[0].len = 8;			/* header too short */
		break;
	case 3:
		d[n - 1].len = 0;		/* empty status */
		break;
	case 4:
		d[n - 1].flags &= ~VRING_DESC_F_WRITE;
		break;
	case 5:
		d[k].flags |= VRING_DESC_F_NEXT;
		d[k].next = num + fz_get8(in);	/* out of range */
		break;
	case 6:
		d[n - 1].flags |= VRING_DESC_F_NEXT;
		d[n - 1].next = FZ_NEXT_HEAD;	/* a loop */
		break;
	case 7:
		d[k].flags &= ~VRING_DESC_F_NEXT;	/* cut short */
		break;
	case 8:
		d[k].flags |= VRING_DESC_F_INDIRECT;	/* nested or stray */
		break;
	case 9:
		*table_len = fz_get8(in) & 1 ? *table_len + 8 : 16 * (num + 1);
		break;
	case 10:
		d[n - 1].len = fz_get32(in);	/* status far away */
		break;
	case 11:
		d[0].len = fz_len(in);
		break;
	}
}

void fz_op_chain(struct fz_in *in)
{
	static struct fz_desc d[FZ_CHAIN_BUILD];
	unsigned int q = fz_get8(in) % fz.nq, n, i, mut;
	u32 type = fz_type(in), table_len, nseg;
	u64 sector = fz_sector(in), hdr[2], table = 0;
	u8 fl = fz_get8(in);
	const struct vblk_vq *v = fz_vq(q);
	bool write_data;
	u16 head;

	nseg = fz_get8(in);
	nseg = nseg % 6 == 5 ? fz_get8(in) % (VBLK_SEG_MAX + 3) : nseg % 6;
	n = nseg + 2;
	write_data = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	d[0] = (struct fz_desc){ fz_addr(in), 16, VRING_DESC_F_NEXT,
				 FZ_NEXT_FOLLOW };
	for (i = 1; i <= nseg; i++) {
		d[i].addr = fz_addr(in);
		d[i].len = fz_len(in);
		d[i].flags = VRING_DESC_F_NEXT |
			     (write_data ? VRING_DESC_F_WRITE : 0);
		d[i].next = FZ_NEXT_FOLLOW;
	}
	d[n - 1] = (struct fz_desc){ fz_addr(in), 1, VRING_DESC_F_WRITE, 0 };
	hdr[0] = type;
	hdr[1] = sector;
	fz_guest_write(&fz.mem, d[0].addr, hdr, sizeof(hdr));
	if (fl & FZ_CH_INDIRECT)
		table = fz_addr(in) & ~15ULL;
	table_len = 16 * n;
	mut = fl >> FZ_CH_MUT_SHIFT;
	if (!v) {
		fz_mutate(in, mut, d, n, 0, &table_len);
		return;
	}
	fz_mutate(in, mut, d, n, v->num, &table_len);
	if (table) {
		for (i = 0; i < n; i++) {
			if (d[i].next == FZ_NEXT_FOLLOW)
				d[i].next = i + 1;
			else if (d[i].next == FZ_NEXT_HEAD)
				d[i].next = 0;
			fz_put_desc(table, i, &d[i]);
		}
		head = fz.drv_slot[q]++ & (v->num - 1);
		fz_put_desc(v->desc, head, &(struct fz_desc){
			table, table_len, VRING_DESC_F_INDIRECT, 0 });
	} else {
		head = fz.drv_slot[q] & (v->num - 1);
		for (i = 0; i < n; i++) {
			u16 slot = (fz.drv_slot[q] + i) & (v->num - 1);

			if (d[i].next == FZ_NEXT_FOLLOW)
				d[i].next = (slot + 1) & (v->num - 1);
			else if (d[i].next == FZ_NEXT_HEAD)
				d[i].next = head;
			fz_put_desc(v->desc, slot, &d[i]);
		}
		fz.drv_slot[q] += n;
	}
	fz_push(q, v, head, fl & FZ_CH_PUBLISH);
	if (fl & FZ_CH_KICK)
		fz_mmio_write(VIRTIO_MMIO_QUEUE_NOTIFY, 4, q);
}

void fz_op_desc(struct fz_in *in)
{
	unsigned int q = fz_get8(in) % fz.nq;
	u16 i = fz_get16(in);
	struct fz_desc d;
	const struct vblk_vq *v;

	d.addr = fz_addr(in);
	d.len = fz_len(in);
	d.flags = fz_get8(in);
	d.next = fz_get16(in);
	v = fz_vq(q);
	if (v)
		fz_put_desc(v->desc, i & (v->num - 1), &d);
}

/* The same head many times over: full rings, passes that hit their weight. */
void fz_op_push(struct fz_in *in)
{
	unsigned int q = fz_get8(in) % fz.nq, n;
	u16 head = fz_get16(in);
	const struct vblk_vq *v = fz_vq(q);

	n = fz_get8(in);
	n = n < 0xf0 ? 1 : 16 << (n & 7);	/* 1, or 16 to 2048 */
	while (v && n--)
		fz_push(q, v, head, !n);
}

void fz_op_avail_idx(struct fz_in *in)
{
	unsigned int q = fz_get8(in) % fz.nq;
	u8 how = fz_get8(in);
	const struct vblk_vq *v = fz_vq(q);
	u16 idx;

	if (how % 8 == 6)
		idx = fz_get16(in);			/* anything */
	else if (how % 8 == 7)
		idx = fz.drv_avail[q] + (v ? v->num : 0) + 1;	/* a jump */
	else
		idx = fz.drv_avail[q] - how % 8 + 2;	/* near the driver's */
	if (v)
		fz_guest_write(&fz.mem, v->avail + 2, &idx, 2);
}

void fz_op_used_event(struct fz_in *in)
{
	unsigned int q = fz_get8(in) % fz.nq;
	u16 val = fz_get16(in);
	const struct vblk_vq *v = fz_vq(q);

	if (v)
		fz_guest_write(&fz.mem, v->avail + 4 + 2 * (u64)v->num, &val, 2);
}
