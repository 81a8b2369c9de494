// SPDX-License-Identifier: GPL-2.0
/*
 * Fake guest memory for vblk_fuzz: up to four regions, each its own heap
 * buffer (so AddressSanitizer sees any byte the device touches outside
 * them), holes between them, regions that come and go (a VMM unmapping
 * guest memory) and injected faults. Implements struct vblk_mem_ops and
 * reports every device access to the model.
 */
#include "fuzz.h"

/* Region layouts (guest-physical address, size), by preset. */
static const struct { u64 gpa, size; } fz_presets[][FZ_MAX_REGIONS] = {
	/* one flat region */
	{ { 0, 1 << 20 } },
	/* a hole between two regions */
	{ { 0, 512 << 10 }, { 1 << 20, 256 << 10 } },
	/* three regions back to back: ranges split over regions */
	{ { 0, 256 << 10 }, { 256 << 10, 256 << 10 }, { 512 << 10, 256 << 10 } },
	/* no page 0; a region ending at the top of the address space */
	{ { 0x1000, (512 << 10) - 0x1000 }, { 0xfffffffffff00000ULL, 1 << 20 } },
	/* above 4 GiB and just below 2 GiB */
	{ { 0, 384 << 10 }, { 0x100000000ULL, 128 << 10 },
	  { 0x7fff0000ULL, 64 << 10 } },
};

#define FZ_NPRESETS	ARRAY_SIZE(fz_presets)

/* One buffer per region of every preset, made once and zeroed per run. */
static u8 *fz_bufs[FZ_NPRESETS][FZ_MAX_REGIONS];

void fz_mem_setup(struct fz_mem *m, unsigned int preset)
{
	unsigned int i;

	preset %= FZ_NPRESETS;
	memset(m, 0, sizeof(*m));
	for (i = 0; i < FZ_MAX_REGIONS && fz_presets[preset][i].size; i++) {
		struct fz_region *r = &m->reg[i];

		r->gpa = fz_presets[preset][i].gpa;
		r->size = fz_presets[preset][i].size;
		if (!fz_bufs[preset][i])
			fz_bufs[preset][i] = malloc(r->size);
		FZ_CHECK(fz_bufs[preset][i], "no memory for guest RAM");
		r->buf = fz_bufs[preset][i];
		memset(r->buf, 0, r->size);
		r->present = true;
	}
	m->nreg = i;
}

void fz_mem_release(void)
{
	unsigned int p, i;

	for (p = 0; p < FZ_NPRESETS; p++)
		for (i = 0; i < FZ_MAX_REGIONS; i++) {
			free(fz_bufs[p][i]);
			fz_bufs[p][i] = NULL;
		}
}

/* The present region holding @gpa, or NULL. */
static const struct fz_region *fz_find(const struct fz_mem *m, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < m->nreg; i++) {
		const struct fz_region *r = &m->reg[i];

		if (r->present && gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

/*
 * Call @fn (when not NULL) for each piece of [gpa, gpa + len) that lies in
 * one present region, in order. False when a byte is in no region, or
 * when @fn says to stop.
 */
static bool fz_pieces(const struct fz_mem *m, u64 gpa, u64 len,
		      bool (*fn)(const struct fz_region *r, u64 off, u64 n,
				 void *arg), void *arg)
{
	while (len) {
		const struct fz_region *r = fz_find(m, gpa);
		u64 off, n;

		if (!r)
			return false;
		off = gpa - r->gpa;
		n = min(len, r->size - off);
		if (fn && !fn(r, off, n, arg))
			return false;
		gpa += n;
		len -= n;
	}
	return true;
}

/* Every byte of the range is in a present region (no wrap). */
static bool fz_mapped(const struct fz_mem *m, u64 gpa, u64 len)
{
	u64 last;

	if (len && __builtin_add_overflow(gpa, len - 1, &last))
		return false;
	return fz_pieces(m, gpa, len, NULL, NULL);
}

bool fz_mem_ok(const struct fz_mem *m, u64 gpa, u64 len, unsigned int kinds)
{
	unsigned int i;

	if (!fz_mapped(m, gpa, len))
		return false;
	for (i = 0; i < m->nfaults; i++) {
		const struct fz_fault *f = &m->faults[i];

		if (!(f->kinds & kinds) || !len || !f->len)
			continue;
		if (gpa < f->gpa + f->len && f->gpa < gpa + len)
			return false;
	}
	return true;
}

struct fz_copy_arg {
	u8 *p;
	bool to_guest;
};

static bool fz_copy_piece(const struct fz_region *r, u64 off, u64 n, void *arg)
{
	struct fz_copy_arg *a = arg;

	memcpy(a->to_guest ? r->buf + off : a->p,
	       a->to_guest ? a->p : r->buf + off, n);
	a->p += n;
	return true;
}

/* Copy between guest memory and @buf; the range must be mapped. */
static void fz_copy(const struct fz_mem *m, u64 gpa, void *buf, size_t len,
		    bool to_guest)
{
	struct fz_copy_arg a = { buf, to_guest };

	fz_pieces(m, gpa, len, fz_copy_piece, &a);
}

bool fz_mem_peek(const struct fz_mem *m, u64 gpa, void *buf, size_t len,
		 unsigned int kinds)
{
	if (!fz_mem_ok(m, gpa, len, kinds))
		return false;
	fz_copy(m, gpa, buf, len, false);
	return true;
}

bool fz_guest_write(struct fz_mem *m, u64 gpa, const void *buf, size_t len)
{
	if (!fz_mapped(m, gpa, len))
		return false;
	fz_copy(m, gpa, (void *)buf, len, true);
	return true;
}

bool fz_guest_read(struct fz_mem *m, u64 gpa, void *buf, size_t len)
{
	if (!fz_mapped(m, gpa, len))
		return false;
	fz_copy(m, gpa, buf, len, false);
	return true;
}

bool fz_mem_gpa(const struct fz_mem *m, const void *p, size_t len, u64 *gpa)
{
	const u8 *b = p;
	unsigned int i;

	for (i = 0; i < m->nreg; i++) {
		const struct fz_region *r = &m->reg[i];

		if (b >= r->buf && b < r->buf + r->size &&
		    len <= (size_t)(r->buf + r->size - b)) {
			*gpa = r->gpa + (u64)(b - r->buf);
			return true;
		}
	}
	return false;
}

static bool fz_count_piece(const struct fz_region *r, u64 off, u64 n, void *arg)
{
	(void)r;
	(void)off;
	(void)n;
	++*(unsigned int *)arg;
	return true;
}

unsigned int fz_mem_nvecs(const struct fz_mem *m, const struct vblk_seg *segs,
			  unsigned int n)
{
	unsigned int i, nr = 0;

	for (i = 0; i < n; i++)
		fz_pieces(m, segs[i].gpa, segs[i].len, fz_count_piece, &nr);
	return nr;
}

/* ---- struct vblk_mem_ops ------------------------------------------------------ */

static int fz_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	struct fz_mem *m = ctx;
	bool ok;

	might_sleep();
	FZ_CHECK(len, "empty guest read");
	ok = fz_mem_peek(m, gpa, buf, len, FZ_RD);
	if (!ok)
		memset(buf, 0xa5, len);	/* what a failed copy may leave */
	fz_model_on_read(gpa, len, buf, ok);
	return ok ? 0 : -EFAULT;
}

static int fz_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	struct fz_mem *m = ctx;
	bool ok;

	might_sleep();
	FZ_CHECK(len, "empty guest write");
	ok = fz_mem_ok(m, gpa, len, FZ_WR);
	/* The model sees memory as it was before the write. */
	fz_model_on_write(gpa, len, buf, ok);
	if (ok)
		fz_copy(m, gpa, (void *)buf, len, true);
	return ok ? 0 : -EFAULT;
}

struct fz_vec_arg {
	struct kvec *kv;
	unsigned int nr;
	size_t total;
};

static bool fz_vec_piece(const struct fz_region *r, u64 off, u64 n, void *arg)
{
	struct fz_vec_arg *a = arg;

	if (a->nr == VBLK_MEM_MAX_IOVECS)
		return false;
	a->kv[a->nr].iov_base = r->buf + off;
	a->kv[a->nr].iov_len = n;
	a->nr++;
	a->total += n;
	return true;
}

static int fz_iter(void *ctx, const struct vblk_seg *segs, unsigned int nsegs,
		   unsigned int dir, union vblk_iovec_buf *buf,
		   struct iov_iter *iter)
{
	unsigned int kinds = dir == ITER_DEST ? FZ_WR : FZ_RD, i;
	struct fz_vec_arg a = { buf->kv, 0, 0 };
	struct fz_mem *m = ctx;
	int ret = 0;

	might_sleep();
	FZ_CHECK(nsegs && nsegs <= VBLK_SEG_MAX, "iter() of %u segments", nsegs);
	for (i = 0; i < nsegs && !ret; i++) {
		FZ_CHECK(segs[i].len, "iter() of an empty segment");
		if (!fz_mem_ok(m, segs[i].gpa, segs[i].len, kinds))
			ret = -EFAULT;
		else if (!fz_pieces(m, segs[i].gpa, segs[i].len, fz_vec_piece, &a))
			ret = -E2BIG;
	}
	fz_model_on_iter(segs, nsegs, dir, !ret);
	if (!ret)
		iov_iter_kvec(iter, dir, buf->kv, a.nr, a.total);
	return ret;
}

/* The device's only way into guest memory. */
const struct vblk_mem_ops fz_mem_ops = { .iter = fz_iter, .read = fz_read,
					 .write = fz_write };
