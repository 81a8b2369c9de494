// SPDX-License-Identifier: GPL-2.0
/*
 * The hostile guest of vblk_fuzz: a virtio-mmio driver that sets the
 * device up the way Linux does, or not at all, and writes descriptor
 * chains, rings and indices into guest memory, well-formed or mutated,
 * anywhere the input points: ring areas, region edges, holes, the top of
 * the address space.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_config.h>

#include "fuzz.h"
#include "fuzz_in.h"
#include "ops.h"

/* ---- operand decoding ---------------------------------------------------------- */

/* A guest-physical address: buffers, region edges, rings, the top, raw. */
u64 fz_addr(struct fz_in *in)
{
	const struct fz_mem *m = &fz.mem;
	u8 b = fz_get8(in);
	const struct fz_region *r = &m->reg[b % m->nreg];
	unsigned int q;

	if (b < 0xc0) {
		u64 off = (b / m->nreg) * 0x2000ULL + (b & 0x20 ? 0x100 : 0);

		if (r == &m->reg[0])
			off += 0x10000;	/* above the rings */
		return r->gpa + off % r->size;
	}
	r = &m->reg[(b & 3) % m->nreg];
	if (b < 0xd0) {
		switch ((b >> 2) & 3) {
		case 0:
			return r->gpa + r->size - 0x100;	/* straddles */
		case 1:
			return r->gpa + r->size;		/* just after */
		case 2:
			return r->gpa - 0x200;			/* just before */
		}
		return r->gpa + r->size - 1;
	}
	q = ((b >> 2) & 3) % fz.nq;
	if (b < 0xe0) {
		const struct vblk_vq *v = &fz.vd.qs[q].vq;

		switch (b & 3) {
		case 0:
			return v->desc;
		case 1:
			return v->avail;
		case 2:
			return v->used;
		}
		return fz.qbase[q] + 0x1f00;
	}
	if (b < 0xf0)
		return 0 - (u64)(b - 0xe0 + 1) * 0x100;
	return fz_get64(in);
}

/* A length: whole sectors, small odd sizes, boundaries, huge, raw. */
u32 fz_len(struct fz_in *in)
{
	static const u32 small[] = {
		16, 1, 17, 15, 20, 19, 21, 8, 24, 528, 511, 513, 4096, 4095,
		65536, 2,
	};
	static const u32 big[] = {
		1 << 20, (1 << 20) + 512, (1 << 20) - 512, U32_MAX,
		0x80000000U, 2 << 20, 16, 512,
	};
	u8 b = fz_get8(in);

	if (b < 0x80)
		return (1 + (b & 0xf)) << (9 + ((b >> 4) & 7) % 5);
	if (b < 0xa0)
		return b - 0x80;
	if (b < 0xb0)
		return small[b - 0xa0];
	if (b < 0xb8)
		return big[b - 0xb0];
	if (b < 0xc0)
		return 512;
	return fz_get32(in);
}

/* ---- register access ------------------------------------------------------------ */

static const u16 fz_regs[] = {
	VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID,
	VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_DEVICE_FEATURES,
	VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_MMIO_QUEUE_SEL,
	VIRTIO_MMIO_QUEUE_NUM_MAX, VIRTIO_MMIO_QUEUE_NUM,
	VIRTIO_MMIO_QUEUE_READY, VIRTIO_MMIO_QUEUE_NOTIFY,
	VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_INTERRUPT_ACK,
	VIRTIO_MMIO_STATUS, VIRTIO_MMIO_QUEUE_DESC_LOW,
	VIRTIO_MMIO_QUEUE_DESC_HIGH, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
	VIRTIO_MMIO_QUEUE_AVAIL_HIGH, VIRTIO_MMIO_QUEUE_USED_LOW,
	VIRTIO_MMIO_QUEUE_USED_HIGH, VIRTIO_MMIO_SHM_SEL,
	VIRTIO_MMIO_SHM_LEN_LOW, VIRTIO_MMIO_SHM_LEN_HIGH,
	VIRTIO_MMIO_SHM_BASE_LOW, VIRTIO_MMIO_SHM_BASE_HIGH,
	VIRTIO_MMIO_CONFIG_GENERATION,
};

/* The access rules of Documentation/device-model.rst, "Register file". */
static bool fz_mmio_valid(u32 off, unsigned int len)
{
	u32 size = sizeof(struct virtio_blk_config);
	unsigned int i;

	if (off >= 0x1000 || !len || len > 0x1000 - off)
		return false;
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (len != 1 && len != 2 && len != 4 && len != 8)
			return false;
		if (off % min(len, 4U))
			return false;
		return off - VIRTIO_MMIO_CONFIG < size &&
		       len <= size - (off - VIRTIO_MMIO_CONFIG);
	}
	if (len != 4 || off % 4)
		return false;
	for (i = 0; i < ARRAY_SIZE(fz_regs); i++)
		if (fz_regs[i] == off)
			return true;
	return false;
}

/* Status as the driver can see it is always consistent. */
static void fz_check_status(void)
{
	u32 st = vblk_vdev_get_status(&fz.vd);
	u64 f = vblk_vdev_get_features(&fz.vd);
	u64 offer = vblk_vdev_get_device_features(&fz.vd);

	FZ_CHECK(!(st & ~(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			  VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK |
			  VIRTIO_CONFIG_S_FAILED | VIRTIO_CONFIG_S_NEEDS_RESET)),
		 "status %#x has bits nobody may set", st);
	FZ_CHECK(!(st & VIRTIO_CONFIG_S_DRIVER_OK) ||
		 (st & VIRTIO_CONFIG_S_FEATURES_OK),
		 "DRIVER_OK without FEATURES_OK");
	FZ_CHECK(!(offer & BIT_ULL(VIRTIO_F_NOTIFICATION_DATA)),
		 "NOTIFICATION_DATA offered");
	if (st & VIRTIO_CONFIG_S_FEATURES_OK)
		FZ_CHECK(!(f & ~offer) && (f & BIT_ULL(VIRTIO_F_VERSION_1)),
			 "negotiated %#llx from the offer %#llx",
			 (unsigned long long)f, (unsigned long long)offer);
}

void fz_mmio_write(u32 off, unsigned int len, u64 val)
{
	u32 sel = fz.mmio.queue_sel;
	bool was_ready = sel < fz.nq && vblk_vdev_get_vq_ready(&fz.vd, sel);
	int rc;

	if (!fz.bound)
		return;
	rc = vblk_mmio_write(&fz.mmio, off, &val, len);
	FZ_CHECK(rc == (fz_mmio_valid(off, len) ? 0 : -EINVAL),
		 "write of %u bytes at %#x returned %d", len, off, rc);
	/* A reset, or a queue enabled by QueueReady (from position 0). */
	if (len == 4 && off == VIRTIO_MMIO_STATUS && !(u32)val) {
		fz_model_sync_queues();
		fz_model_queue_renewed(-1);
	}
	if (len == 4 && off == VIRTIO_MMIO_QUEUE_READY && !was_ready &&
	    sel < fz.nq && vblk_vdev_get_vq_ready(&fz.vd, sel))
		fz_model_queue_renewed(sel);
	fz_model_sync_queues();
	fz_check_status();
}

u32 fz_mmio_read(u32 off, unsigned int len)
{
	u64 val = 0;
	int rc;

	if (!fz.bound)
		return 0;
	rc = vblk_mmio_read(&fz.mmio, off, &val, len);
	FZ_CHECK(rc == (fz_mmio_valid(off, len) ? 0 : -EINVAL),
		 "read of %u bytes at %#x returned %d", len, off, rc);
	if (rc || len != 4)
		return (u32)val;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		FZ_CHECK(val == 0x74726976, "MagicValue %#llx", (unsigned long long)val);
		break;
	case VIRTIO_MMIO_VERSION:
		FZ_CHECK(val == 2, "Version %llu", (unsigned long long)val);
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		FZ_CHECK(val == 2, "DeviceID %llu", (unsigned long long)val);
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		FZ_CHECK(val == (fz.mmio.queue_sel < fz.nq ? VBLK_QUEUE_NUM_MAX : 0),
			 "QueueNumMax %llu", (unsigned long long)val);
		break;
	case VIRTIO_MMIO_CONFIG:
		FZ_CHECK(val == (u32)fz.m.caps, "capacity %#llx",
			 (unsigned long long)val);
		break;
	}
	return (u32)val;
}

void fz_op_mmio(struct fz_in *in, bool write)
{
	static const u8 widths[] = { 4, 4, 4, 4, 1, 2, 8, 3 };
	u8 r = fz_get8(in);
	u32 off;
	unsigned int len;

	if (r < ARRAY_SIZE(fz_regs))
		off = fz_regs[r];
	else if (r < 0xc0)
		off = VIRTIO_MMIO_CONFIG + (r - ARRAY_SIZE(fz_regs)) % 0x40;
	else
		off = fz_get16(in) & 0x1fff;
	len = widths[fz_get8(in) % ARRAY_SIZE(widths)];
	if (write)
		fz_mmio_write(off, len, fz_get32(in));
	else
		fz_mmio_read(off, len);
}

/* ---- initialisation --------------------------------------------------------------- */

static void fz_zero(u64 gpa, size_t len)
{
	static const u8 zeros[8];

	while (len) {
		size_t n = min(len, sizeof(zeros));

		fz_guest_write(&fz.mem, gpa, zeros, n);
		gpa += n;
		len -= n;
	}
}

/* QueueSel, QueueNum, the ring addresses, QueueReady = 1. */
static void fz_setup_queue(struct fz_in *in, unsigned int q)
{
	u8 sz = fz_get8(in), pl = fz_get8(in);
	u32 num = sz < 0xf0 ? 1U << (sz % 9) : (sz == 0xff ? fz_get16(in) : sz);
	u64 base = fz.qbase[q], desc = base, avail = base + 0x1000,
	    used = base + 0x1400;

	switch (pl % 8) {
	case 5:
		used = fz.mem.reg[0].gpa + fz.mem.reg[0].size;	/* a hole? */
		break;
	case 6:
		avail = base + 0x10;	/* over the descriptor table */
		break;
	case 7:
		desc = fz_addr(in);
		avail = fz_addr(in);
		used = fz_addr(in);
		break;
	}
	fz_mmio_write(VIRTIO_MMIO_QUEUE_SEL, 4, q);
	fz_mmio_write(VIRTIO_MMIO_QUEUE_NUM, 4, num);
	fz_mmio_write(VIRTIO_MMIO_QUEUE_DESC_LOW, 4, (u32)desc);
	fz_mmio_write(VIRTIO_MMIO_QUEUE_DESC_HIGH, 4, desc >> 32);
	fz_mmio_write(VIRTIO_MMIO_QUEUE_AVAIL_LOW, 4, (u32)avail);
	fz_mmio_write(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 4, avail >> 32);
	fz_mmio_write(VIRTIO_MMIO_QUEUE_USED_LOW, 4, (u32)used);
	fz_mmio_write(VIRTIO_MMIO_QUEUE_USED_HIGH, 4, used >> 32);
	/* Linux zeroes the rings before it hands them over. */
	fz_zero(avail, 6 + 2 * (u64)min(num, 256U));
	fz_zero(used, 6 + 8 * (u64)min(num, 256U));
	fz.drv_avail[q] = 0;
	fz.drv_slot[q] = 0;
	fz_mmio_write(VIRTIO_MMIO_QUEUE_READY, 4, 1);
}

/* The probe of Linux's virtio_mmio and virtio core, queues included. */
void fz_op_init(struct fz_in *in)
{
	u8 f = fz_get8(in);
	u64 offer, want;
	u32 st;
	unsigned int q;

	fz_mmio_write(VIRTIO_MMIO_STATUS, 4, 0);
	st = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	fz_mmio_write(VIRTIO_MMIO_STATUS, 4, st);
	st |= VIRTIO_CONFIG_S_DRIVER;
	fz_mmio_write(VIRTIO_MMIO_STATUS, 4, st);
	fz_mmio_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 1);
	offer = (u64)fz_mmio_read(VIRTIO_MMIO_DEVICE_FEATURES, 4) << 32;
	fz_mmio_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, 0);
	offer |= fz_mmio_read(VIRTIO_MMIO_DEVICE_FEATURES, 4);
	want = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_BLK_F_SIZE_MAX) |
	       BIT_ULL(VIRTIO_BLK_F_SEG_MAX) | BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |
	       BIT_ULL(VIRTIO_BLK_F_RO) | BIT_ULL(VIRTIO_BLK_F_MQ);
	if (f & 1)
		want |= BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	if (f & 2)
		want |= BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC);
	if (f & 4)
		want |= BIT_ULL(VIRTIO_BLK_F_FLUSH);
	if (f & 8)
		want |= BIT_ULL(VIRTIO_BLK_F_DISCARD) |
			BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES);
	if (f & 0x80)
		want = fz_get64(in);		/* anything, refused or not */
	else
		want &= offer;
	/* The model has no cache switch yet. */
	want &= ~BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE);
	fz.feat_want = want;
	fz_mmio_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 0);
	fz_mmio_write(VIRTIO_MMIO_DRIVER_FEATURES, 4, (u32)want);
	fz_mmio_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1);
	fz_mmio_write(VIRTIO_MMIO_DRIVER_FEATURES, 4, want >> 32);
	st |= VIRTIO_CONFIG_S_FEATURES_OK;
	fz_mmio_write(VIRTIO_MMIO_STATUS, 4, st);
	for (q = 0; q < fz.nq; q++)
		fz_setup_queue(in, q);
	st |= VIRTIO_CONFIG_S_DRIVER_OK;
	fz_mmio_write(VIRTIO_MMIO_STATUS, 4, st);
}
