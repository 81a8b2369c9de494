/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk_fuzz: the input reader (every read past the end gives 0) and the
 * guest driver's operations (driver.c, driver_ring.c).
 */
#ifndef VBLK_FUZZ_IN_H
#define VBLK_FUZZ_IN_H

#include "fuzz.h"

struct fz_in {
	const u8 *p;
	size_t n;
};

static inline u8 fz_get8(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* Little-endian; the operands are read in order. */
static inline u16 fz_get16(struct fz_in *in)
{
	u16 lo = fz_get8(in);

	return lo | (u16)fz_get8(in) << 8;
}

static inline u32 fz_get32(struct fz_in *in)
{
	u32 lo = fz_get16(in);

	return lo | (u32)fz_get16(in) << 16;
}

static inline u64 fz_get64(struct fz_in *in)
{
	u64 lo = fz_get32(in);

	return lo | (u64)fz_get32(in) << 32;
}

u64 fz_addr(struct fz_in *in);
u32 fz_len(struct fz_in *in);
void fz_mmio_write(u32 off, unsigned int len, u64 val);
u32 fz_mmio_read(u32 off, unsigned int len);
void fz_op_mmio(struct fz_in *in, bool write);
void fz_op_init(struct fz_in *in);
void fz_op_chain(struct fz_in *in);
void fz_op_desc(struct fz_in *in);
void fz_op_push(struct fz_in *in);
void fz_op_avail_idx(struct fz_in *in);
void fz_op_used_event(struct fz_in *in);

#endif /* VBLK_FUZZ_IN_H */
