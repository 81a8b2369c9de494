// SPDX-License-Identifier: GPL-2.0
/*
 * The randomized chain test (suite "vblk_random", two cases marked slow:
 * over the synchronous fake backing and over the asynchronous one):
 * 3000 rounds of random and mutated descriptor chains, from a fixed seed
 * that the case prints, against fake memory with holes. Every popped chain
 * must be published or dropped as the rules say; the status of every
 * unmutated chain must equal the one an independent restatement of the
 * validation table in Documentation/device-model.rst predicts (the
 * oracle); the device must touch nothing outside guest memory unless the
 * chain names it; counters must match the outcomes and data the backing.
 */
#include <kunit/test.h>
#include <linux/overflow.h>
#include <linux/prandom.h>
#include <linux/string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake_async.h"
#include "vblk_vt.h"

#define VT_FUZZ_SEED	0x76626c6bULL	/* "vblk" */
#define VT_FUZZ_ROUNDS	3000
#define VT_FUZZ_QNUM	16

/* Data buffer addresses: good ones first, then bad ones. */
static const u64 vt_fuzz_addr[] = {
	VT_DATA, VT_DATA + 0x10000, VBLK_FAKE_RAM1, VBLK_FAKE_RAM1 + 0x8000,
	VBLK_FAKE_HOLE, VBLK_FAKE_RAM0_SIZE - 256,
	VBLK_FAKE_RAM1 + VBLK_FAKE_RAM1_SIZE - 512, U64_MAX - 255,
};

#define VT_FUZZ_GOOD_ADDRS	4

static const u32 vt_fuzz_len[] = { 512, 1024, 4096, 0, 513, 8, 4095,
				   VBLK_SIZE_MAX + 1 };

static const u32 vt_fuzz_type[] = {
	VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH,
	VIRTIO_BLK_T_GET_ID, 2, 0xbeef, VIRTIO_BLK_T_OUT | 0x80000000,
};

struct vt_fuzz {
	struct rnd_state rnd;
	struct vblk_fake_desc d[8];
	unsigned int n;
	bool indirect;
	bool mutated;
	bool names_outside;	/* the chain names a byte outside RAM */
	bool expect_drop;
	bool expect_ok;
	u32 type;
	u64 len;		/* data bytes of a well-formed request */
};

static u32 vt_rand(struct vt_fuzz *z, u32 n)
{
	return prandom_u32_state(&z->rnd) % n;
}

static bool vt_outside(u64 gpa, u64 len)
{
	u64 end;

	if (!len)
		return false;
	if (check_add_overflow(gpa, len, &end))
		return true;
	return !((end <= VBLK_FAKE_RAM0 + VBLK_FAKE_RAM0_SIZE) ||
		 (gpa >= VBLK_FAKE_RAM1 &&
		  end <= VBLK_FAKE_RAM1 + VBLK_FAKE_RAM1_SIZE));
}

/* A well-formed request of a random type. */
static void vt_fuzz_good(struct vt_fuzz *z, struct vblk_fake_mem *m)
{
	static const u32 types[] = { VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT,
				     VIRTIO_BLK_T_FLUSH };
	unsigned int i, ndata, base;
	u64 sectors;

	z->type = types[vt_rand(z, ARRAY_SIZE(types))];
	ndata = z->type == VIRTIO_BLK_T_FLUSH ? 0 : 1 + vt_rand(z, 3);
	z->d[0] = (struct vblk_fake_desc){ .addr = VT_HDR, .len = 16 };
	z->len = 0;
	base = vt_rand(z, VT_FUZZ_GOOD_ADDRS);
	for (i = 1; i <= ndata; i++) {
		u32 len = 512 << vt_rand(z, 3);

		/* distinct buffers, so each can be checked against the file */
		z->d[i] = (struct vblk_fake_desc){
			.addr = vt_fuzz_addr[(base + i) % VT_FUZZ_GOOD_ADDRS],
			.len = len,
			.flags = z->type == VIRTIO_BLK_T_IN ? VT_W : 0,
		};
		z->len += len;
	}
	z->d[i] = (struct vblk_fake_desc){ .addr = VT_STATUS, .len = 1,
					   .flags = VT_W };
	z->n = ndata + 2;
	sectors = (VT_CAP - z->len) / 512;
	vblk_fake_write_hdr(m, VT_HDR, z->type, vt_rand(z, sectors + 1));
	z->expect_ok = true;
}

/* Any shape: random header, data and status descriptors. */
static void vt_fuzz_any(struct vt_fuzz *z, struct vblk_fake_mem *m)
{
	static const u64 sectors[] = { 0, 1, VT_CAP / 512 - 1, VT_CAP / 512,
				       U64_MAX >> 9, U64_MAX };
	unsigned int i, ndata = vt_rand(z, 5);
	struct vblk_fake_desc *st;

	z->type = vt_fuzz_type[vt_rand(z, ARRAY_SIZE(vt_fuzz_type))];
	vblk_fake_write_hdr(m, VT_HDR, z->type,
			    sectors[vt_rand(z, ARRAY_SIZE(sectors))]);
	z->d[0] = (struct vblk_fake_desc){
		.addr = vt_rand(z, 8) ? VT_HDR : VBLK_FAKE_HOLE,
		.len = vt_rand(z, 4) ? 16 : 8 * vt_rand(z, 2),
		.flags = vt_rand(z, 8) ? 0 : VT_W,
	};
	for (i = 1; i <= ndata; i++) {
		z->d[i] = (struct vblk_fake_desc){
			.addr = vt_fuzz_addr[vt_rand(z,
						     ARRAY_SIZE(vt_fuzz_addr))],
			.len = vt_fuzz_len[vt_rand(z, ARRAY_SIZE(vt_fuzz_len))],
			.flags = vt_rand(z, 2) ? VT_W : 0,
		};
	}
	st = &z->d[ndata + 1];
	*st = (struct vblk_fake_desc){
		.addr = vt_rand(z, 10) ? VT_STATUS : VBLK_FAKE_HOLE,
		.len = vt_rand(z, 6) ? 1 + vt_rand(z, 4) * vt_rand(z, 2) : 0,
		.flags = vt_rand(z, 8) ? VT_W : 0,
	};
	z->n = ndata + 2;
	if (!vt_rand(z, 6))
		z->n = 1 + vt_rand(z, z->n);	/* cut the chain short */
	st = &z->d[z->n - 1];
	z->expect_drop = !(st->flags & VT_W) || !st->len ||
			 vt_outside(st->addr, st->len);
	for (i = 0; i < z->n; i++)
		z->names_outside |= vt_outside(z->d[i].addr, z->d[i].len);
}

/*
 * The status Documentation/device-model.rst predicts for an unmutated
 * chain that is not dropped, restated independently of the device code.
 */
static u8 vt_fuzz_oracle(const struct vt_fuzz *z, u64 sector)
{
	const struct vblk_fake_desc *h = &z->d[0];
	unsigned int i, last = z->n - 1;
	bool in = z->type == VIRTIO_BLK_T_IN;
	u64 total = 0, left = VIRTIO_BLK_ID_BYTES;

	if (z->n < 2 || (h->flags & VT_W) || h->len != 16 ||
	    z->d[last].len > 512 || vt_outside(h->addr, 16))
		return VIRTIO_BLK_S_IOERR;
	switch (z->type) {
	case VIRTIO_BLK_T_FLUSH:
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		if (last < 2)
			return VIRTIO_BLK_S_IOERR;
		for (i = 1; i < last; i++) {
			u64 l = min_t(u64, z->d[i].len, left);

			if (!(z->d[i].flags & VT_W) || vt_outside(z->d[i].addr, l))
				return VIRTIO_BLK_S_IOERR;
			left -= l;
		}
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		break;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
	if (last < 2)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i < last; i++) {
		if (!!(z->d[i].flags & VT_W) != in ||
		    z->d[i].len > VBLK_SIZE_MAX)
			return VIRTIO_BLK_S_IOERR;
		total += z->d[i].len;
	}
	if (total % 512 || sector > VT_CAP / 512 ||
	    total > VT_CAP - sector * 512)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i < last; i++) {
		if (vt_outside(z->d[i].addr, z->d[i].len))
			return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

/*
 * Flip a few bits in the length, flags or next fields of the chain's
 * descriptors (in the table at @table, @first..@first + n - 1, wrapping
 * at @size). Addresses and the INDIRECT flag are left alone, so that a
 * mutated chain still only names buffers the test laid out and cannot
 * make the device write over the rings.
 */
static void vt_fuzz_mutate(struct vt_fuzz *z, struct vblk_fake_mem *m,
			   u64 table, u16 first, u16 size)
{
	unsigned int k, flips = 1 + vt_rand(z, 3);

	for (k = 0; k < flips; k++) {
		u16 slot = (first + vt_rand(z, z->n)) % size;
		unsigned int byte = 8 + vt_rand(z, 8), bit = vt_rand(z, 8);
		u64 a = table + 16ULL * slot + byte;

		if (byte == 12 && BIT(bit) == VRING_DESC_F_INDIRECT)
			continue;
		vblk_fake_wr8(m, a, vblk_fake_rd8(m, a) ^ BIT(bit));
		z->mutated = true;
	}
}

static void vt_fuzz_check_data(struct kunit *test, struct vblk_fake_dev *fd,
			       const struct vt_fuzz *z, u64 sector)
{
	u64 pos = sector * 512;
	unsigned int i;

	for (i = 1; i + 1 < z->n; i++) {
		const u8 *g = vblk_fake_ptr(fd->mem, z->d[i].addr, z->d[i].len);

		const u8 *f = fd->backing->data + pos;

		if (g)
			KUNIT_EXPECT_EQ(test, 0, memcmp(g, f, z->d[i].len));
		pos += z->d[i].len;
	}
}

static u64 vt_sum_completions(struct vblk_fake_dev *fd)
{
	return vblk_fake_stat(fd, reads_completed) +
	       vblk_fake_stat(fd, writes_completed) +
	       vblk_fake_stat(fd, flushes_completed);
}

static void vt_fuzz_round(struct kunit *test, struct vblk_fake_dev *fd,
			  struct vblk_fake_async *a, struct vt_fuzz *z,
			  unsigned int round)
{
	u64 done0 = vt_sum_completions(fd), err0, bytes0, outside0;
	u16 used0 = vblk_fake_vq_used_idx(&fd->vq), head;
	u64 sector;
	u8 st;

	memset(z->d, 0, sizeof(z->d));
	z->mutated = false;
	z->names_outside = false;
	z->expect_drop = false;
	z->expect_ok = false;
	z->indirect = !vt_rand(z, 4);
	if (vt_rand(z, 3))
		vt_fuzz_any(z, fd->mem);
	else
		vt_fuzz_good(z, fd->mem);
	sector = vblk_fake_rd64(fd->mem, VT_HDR + 8);
	vblk_fake_fill(fd->mem, VT_STATUS, VT_SENTINEL, 8);
	if (z->type == VIRTIO_BLK_T_OUT && z->expect_ok)
		vblk_fake_fill(fd->mem, z->d[1].addr, round & 0xff, 64);

	if (z->indirect)
		head = vblk_fake_vq_add_indirect(&fd->vq, VT_TABLE, z->d, z->n);
	else
		head = vblk_fake_vq_add_chain(&fd->vq, z->d, z->n);
	if (!vt_rand(z, 8)) {
		if (z->indirect)
			vt_fuzz_mutate(z, fd->mem, VT_TABLE, 0, z->n);
		else
			vt_fuzz_mutate(z, fd->mem, fd->vq.desc, head,
				       fd->vq.num);
	}

	err0 = vblk_fake_stat(fd, io_errors);
	bytes0 = vblk_fake_stat(fd, bytes_read) +
		 vblk_fake_stat(fd, bytes_written);
	outside0 = atomic_read(&fd->mem->outside);
	vblk_fake_notify(test, fd->vd, 0);
	if (a) {
		/* what went to the backing completes from a work item */
		vblk_fake_async_release(a, vt_rand(z, 2));
		vblk_fake_async_settle(fd, a);
		KUNIT_EXPECT_EQ(test, 0, vblk_fake_async_held(a));
	}

	/* every chain is consumed: published or dropped, never left behind */
	KUNIT_ASSERT_EQ(test, fd->vq.avail_idx, fd->vd->qs[0].vq.last_avail_idx);
	KUNIT_EXPECT_FALSE(test, fd->vd->qs[0].vq.broken);
	if (!z->mutated && !z->names_outside)
		KUNIT_EXPECT_EQ(test, outside0, atomic_read(&fd->mem->outside));

	if (vblk_fake_vq_used_idx(&fd->vq) == used0) {
		/* dropped: io_errors counts it, nothing else moved */
		KUNIT_EXPECT_EQ(test, err0 + 1, vblk_fake_stat(fd, io_errors));
		KUNIT_EXPECT_EQ(test, done0, vt_sum_completions(fd));
		KUNIT_EXPECT_TRUE(test, z->mutated || z->expect_drop);
		if (!z->mutated)
			KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, VT_STATUS,
							      VT_SENTINEL, 8));
		return;
	}

	/* published: exactly one entry for this head */
	KUNIT_ASSERT_EQ(test, (u16)(used0 + 1), vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_NE(test, 0, vt_rd(test, fd, VIRTIO_MMIO_INTERRUPT_STATUS));
	vt_wr(test, fd, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	{
		u32 id, len;

		vblk_fake_vq_used_elem(&fd->vq, used0, &id, &len);
		KUNIT_EXPECT_EQ(test, head, id);
		KUNIT_EXPECT_GE(test, len, 1);
	}
	if (z->mutated)
		return;
	KUNIT_EXPECT_FALSE(test, z->expect_drop);
	st = vblk_fake_rd8(fd->mem, z->d[z->n - 1].addr + z->d[z->n - 1].len - 1);
	KUNIT_EXPECT_EQ_MSG(test, vt_fuzz_oracle(z, sector), st,
			    "round %u type %#x n %u", round, z->type, z->n);
	switch (st) {
	case VIRTIO_BLK_S_IOERR:
		KUNIT_EXPECT_EQ(test, err0 + 1, vblk_fake_stat(fd, io_errors));
		KUNIT_EXPECT_EQ(test, done0, vt_sum_completions(fd));
		break;
	case VIRTIO_BLK_S_UNSUPP:
		KUNIT_EXPECT_EQ(test, err0, vblk_fake_stat(fd, io_errors));
		KUNIT_EXPECT_EQ(test, done0, vt_sum_completions(fd));
		break;
	case VIRTIO_BLK_S_OK:
		KUNIT_EXPECT_EQ(test, err0, vblk_fake_stat(fd, io_errors));
		KUNIT_EXPECT_EQ(test, done0 + (z->type != VIRTIO_BLK_T_GET_ID),
				vt_sum_completions(fd));
		break;
	}
	if (!z->expect_ok)
		return;
	KUNIT_EXPECT_EQ_MSG(test, VIRTIO_BLK_S_OK, st, "round %u type %u",
			    round, z->type);
	KUNIT_EXPECT_EQ(test, bytes0 + z->len,
			vblk_fake_stat(fd, bytes_read) +
			vblk_fake_stat(fd, bytes_written));
	if (z->type != VIRTIO_BLK_T_FLUSH)
		vt_fuzz_check_data(test, fd, z, sector);
}

static void vt_fuzz_run(struct kunit *test, bool async)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0x3C,
							VT_FUZZ_QNUM);
	struct vt_fuzz *z = kunit_kzalloc(test, sizeof(*z), GFP_KERNEL);
	struct vblk_fake_async *a = NULL;
	unsigned int round;

	KUNIT_ASSERT_NOT_NULL(test, z);
	kunit_info(test, "seed %#llx, %u rounds%s", VT_FUZZ_SEED,
		   VT_FUZZ_ROUNDS, async ? ", asynchronous backing" : "");
	prandom_seed_state(&z->rnd, VT_FUZZ_SEED);
	if (async) {
		a = vblk_fake_async_new(test, fd->backing);
		vblk_fake_async_install(fd, a);
	}
	vblk_fake_wire(test, fd->vd, &fd->vq, true);
	for (round = 0; round < VT_FUZZ_ROUNDS; round++) {
		vt_fuzz_round(test, fd, a, z, round);
		if (test->status == KUNIT_FAILURE) {
			kunit_info(test, "first failure in round %u", round);
			break;
		}
	}
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, throttled_count));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(fd, invalid_avail_idx_count));
	kunit_info(test, "reads %llu writes %llu flushes %llu errors %llu",
		   vblk_fake_stat(fd, reads_completed),
		   vblk_fake_stat(fd, writes_completed),
		   vblk_fake_stat(fd, flushes_completed),
		   vblk_fake_stat(fd, io_errors));
	if (a)
		KUNIT_EXPECT_LT(test, 0, atomic_read(&a->completed));
}

static void vblk_random_test_chains(struct kunit *test)
{
	vt_fuzz_run(test, false);
}

/* The same rounds over a backing that completes from a work item. */
static void vblk_random_test_chains_async(struct kunit *test)
{
	vt_fuzz_run(test, true);
}

static struct kunit_case vblk_random_test_cases[] = {
	KUNIT_CASE_SLOW(vblk_random_test_chains),
	KUNIT_CASE_SLOW(vblk_random_test_chains_async),
	{}
};

static struct kunit_suite vblk_random_test_suite = {
	.name = "vblk_random",
	.test_cases = vblk_random_test_cases,
};

kunit_test_suite(vblk_random_test_suite);
