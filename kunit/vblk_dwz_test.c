// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of DISCARD and WRITE_ZEROES (suite "vblk_dwz"): the offer
 * and its config fields, the validation of the segment table (count,
 * flags, ranges, read-only devices, features not negotiated), what the
 * backing is asked to do, write-through, errors and the throttle charge.
 *
 * A 64 KiB (128-sector) device whose backing file fills its capacity, a
 * 16-entry queue at gpa 0, the header at 0x4000, the segment table at
 * 0x5000 (a second descriptor of it at 0x5800) and the status at 0x6000.
 */
#include <kunit/test.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"

#define DZ_CAP		(64 * 1024ULL)
#define DZ_SECTORS	(DZ_CAP >> VBLK_SECTOR_SHIFT)
#define DZ_QSIZE	16
#define DZ_HDR		0x4000ULL
#define DZ_TABLE	0x5000ULL
#define DZ_TABLE2	0x5800ULL
#define DZ_STATUS	0x6000ULL
#define DZ_SENTINEL	0xEE
#define DZ_UNMAP	VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP
#define DZ_CALLS	40

/* What the device asked of the backing's discard and write_zeroes. */
struct dz_call {
	bool zeroes;
	loff_t pos;
	u64 len;
	bool unmap;
};

/*
 * A fake backing with discard and write zeroes: reads, writes and syncs
 * go to the fake file; both range operations zero the file's bytes and
 * are recorded.
 */
struct dz_backing {
	struct vblk_fake_backing *fb;
	unsigned int n;
	struct dz_call call[DZ_CALLS];
	int err;
	unsigned int eintrs;
};

static ssize_t dz_read(void *ctx, struct iov_iter *it, loff_t pos)
{
	struct dz_backing *b = ctx;

	return vblk_fake_backing_ops.read_iter(b->fb, it, pos);
}

static ssize_t dz_write(void *ctx, struct iov_iter *it, loff_t pos)
{
	struct dz_backing *b = ctx;

	return vblk_fake_backing_ops.write_iter(b->fb, it, pos);
}

static int dz_sync(void *ctx)
{
	struct dz_backing *b = ctx;

	return vblk_fake_backing_ops.sync(b->fb);
}

static int dz_sync_range(void *ctx, loff_t pos, u64 len)
{
	struct dz_backing *b = ctx;

	return vblk_fake_backing_ops.sync_range(b->fb, pos, len);
}

static int dz_range(struct dz_backing *b, bool zeroes, loff_t pos, u64 len,
		    bool unmap)
{
	if (b->n < DZ_CALLS)
		b->call[b->n] = (struct dz_call){ zeroes, pos, len, unmap };
	b->n++;
	if (b->eintrs) {
		b->eintrs--;
		return -EINTR;
	}
	if (b->err)
		return b->err;
	if (pos < 0 || pos + len > b->fb->cap)
		return -EINVAL;
	memset(b->fb->data + pos, 0, len);
	return 0;
}

static int dz_discard(void *ctx, loff_t pos, u64 len)
{
	return dz_range(ctx, false, pos, len, false);
}

static int dz_write_zeroes(void *ctx, loff_t pos, u64 len, bool unmap)
{
	return dz_range(ctx, true, pos, len, unmap);
}

static const struct vblk_backing_ops dz_backing_ops = {
	.read_iter = dz_read,
	.write_iter = dz_write,
	.sync = dz_sync,
	.sync_range = dz_sync_range,
	.discard = dz_discard,
	.write_zeroes = dz_write_zeroes,
};

struct dz_dev {
	struct vblk_fake_dev *fd;
	struct dz_backing *b;
};

static const struct vblk_backing_caps dz_caps_all = {
	.discard = true, .write_zeroes = true, .zeroes_unmap = true,
	.discard_align = 8,
};

/* A device on the recording backing, with @caps; not yet wired. */
static void dz_new(struct kunit *test, struct dz_dev *d,
		   const struct vblk_backing_caps *caps, bool read_only)
{
	struct vblk_blk_config cfg = {
		.capacity = DZ_SECTORS,
		.read_only = read_only,
		.caps = *caps,
	};

	d->fd = vblk_fake_dev_new(test, &cfg, DZ_CAP, 0xAB, DZ_QSIZE);
	d->b = kunit_kzalloc(test, sizeof(*d->b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d->b);
	d->b->fb = d->fd->backing;
	/* the device has not run yet: give it the recording backing */
	d->fd->vd->blk.backing.ops = &dz_backing_ops;
	d->fd->vd->blk.backing.ctx = d->b;
}

/* Everything offered, all of it negotiated (less @decline). */
static void dz_up(struct kunit *test, struct dz_dev *d, u64 decline)
{
	dz_new(test, d, &dz_caps_all, false);
	vblk_fake_wire_decline(test, d->fd->vd, &d->fd->vq, false, decline);
}

struct dz_seg {
	u64 sector;
	u32 num;
	u32 flags;
};

/* Write @n segments at @gpa, little-endian as the driver does. */
static void dz_table(struct dz_dev *d, u64 gpa, const struct dz_seg *s,
		     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		vblk_fake_wr64(d->fd->mem, gpa + 16 * i, s[i].sector);
		vblk_fake_wr32(d->fd->mem, gpa + 16 * i + 8, s[i].num);
		vblk_fake_wr32(d->fd->mem, gpa + 16 * i + 12, s[i].flags);
	}
}

/* A @type request with the @n segments of @s in one descriptor; kicked. */
static u8 dz_req(struct kunit *test, struct dz_dev *d, u32 type,
		 const struct dz_seg *s, unsigned int n)
{
	const struct vblk_fake_desc c[] = {
		{ .addr = DZ_HDR, .len = 16 },
		{ .addr = DZ_TABLE, .len = 16 * n },
		{ .addr = DZ_STATUS, .len = 1, .flags = VRING_DESC_F_WRITE },
	};

	dz_table(d, DZ_TABLE, s, n);
	vblk_fake_write_hdr(d->fd->mem, DZ_HDR, type, 0);
	vblk_fake_wr8(d->fd->mem, DZ_STATUS, DZ_SENTINEL);
	vblk_fake_vq_add_chain(&d->fd->vq, c, ARRAY_SIZE(c));
	vblk_fake_notify(test, d->fd->vd, 0);
	return vblk_fake_rd8(d->fd->mem, DZ_STATUS);
}

/* A 32-bit config field of @d (a byte one in the low 8 bits). */
static u32 dz_cfg(struct kunit *test, struct dz_dev *d, u32 off)
{
	return vblk_fake_reg_read(test, d->fd->vd, VIRTIO_MMIO_CONFIG + off);
}

#define DZ_CFG(f)	offsetof(struct virtio_blk_config, f)

static void vblk_dwz_test_offer_and_config(struct kunit *test)
{
	static const struct {
		u32 off;
		u32 all;	/* everything offered */
		u32 zo;		/* write zeroes only */
	} fields[] = {
		{ DZ_CFG(max_discard_sectors), VBLK_DISCARD_MAX_SECTORS, 0 },
		{ DZ_CFG(max_discard_seg), VBLK_DWZ_SEG_MAX, 0 },
		{ DZ_CFG(discard_sector_alignment), 8, 0 },
		{ DZ_CFG(max_write_zeroes_sectors), VBLK_WZ_MAX_SECTORS,
		  VBLK_WZ_MAX_SECTORS },
		{ DZ_CFG(max_write_zeroes_seg), VBLK_DWZ_SEG_MAX,
		  VBLK_DWZ_SEG_MAX },
	};
	const struct vblk_backing_caps zero_only = { .write_zeroes = true };
	u32 unmap = DZ_CFG(write_zeroes_may_unmap);
	struct dz_dev all, zo, ro;
	unsigned int i;
	u64 f;

	dz_new(test, &all, &dz_caps_all, false);
	dz_new(test, &zo, &zero_only, false);
	dz_new(test, &ro, &dz_caps_all, true);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		KUNIT_EXPECT_EQ(test, fields[i].all,
				dz_cfg(test, &all, fields[i].off));
		/* a backing that cannot punch holes: no DISCARD */
		KUNIT_EXPECT_EQ(test, fields[i].zo,
				dz_cfg(test, &zo, fields[i].off));
		/* a read-only device offers neither */
		KUNIT_EXPECT_EQ(test, 0, dz_cfg(test, &ro, fields[i].off));
	}
	KUNIT_EXPECT_EQ(test, 1, dz_cfg(test, &all, unmap) & 0xff);
	KUNIT_EXPECT_EQ(test, 0, dz_cfg(test, &zo, unmap) & 0xff);

	f = vblk_vdev_get_device_features(all.fd->vd);
	KUNIT_EXPECT_TRUE(test, f & BIT_ULL(VIRTIO_BLK_F_DISCARD));
	KUNIT_EXPECT_TRUE(test, f & BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES));
	f = vblk_vdev_get_device_features(zo.fd->vd);
	KUNIT_EXPECT_FALSE(test, f & BIT_ULL(VIRTIO_BLK_F_DISCARD));
	KUNIT_EXPECT_TRUE(test, f & BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES));
	f = vblk_vdev_get_device_features(ro.fd->vd);
	KUNIT_EXPECT_FALSE(test, f & BIT_ULL(VIRTIO_BLK_F_DISCARD));
	KUNIT_EXPECT_FALSE(test, f & BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES));
}

static void vblk_dwz_test_discard_ranges(struct kunit *test)
{
	const struct dz_seg s[] = {
		{ 8, 8, 0 }, { 0, 0, 0 }, { DZ_SECTORS - 16, 16, 0 },
	};
	const struct vblk_fake_desc c[] = {
		{ .addr = DZ_HDR, .len = 16 },
		{ .addr = DZ_TABLE, .len = 16 },
		{ .addr = DZ_TABLE2, .len = 32 },
		{ .addr = DZ_STATUS, .len = 1, .flags = VRING_DESC_F_WRITE },
	};
	struct dz_dev d;
	u32 id, len;

	dz_up(test, &d, 0);
	/* the table split over two descriptors */
	dz_table(&d, DZ_TABLE, &s[0], 1);
	dz_table(&d, DZ_TABLE2, &s[1], 2);
	vblk_fake_write_hdr(d.fd->mem, DZ_HDR, VIRTIO_BLK_T_DISCARD, 99);
	vblk_fake_vq_add_chain(&d.fd->vq, c, ARRAY_SIZE(c));
	vblk_fake_notify(test, d.fd->vd, 0);

	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			vblk_fake_rd8(d.fd->mem, DZ_STATUS));
	vblk_fake_vq_used_elem(&d.fd->vq, 0, &id, &len);
	KUNIT_EXPECT_EQ(test, 1, len);
	/* the empty range is skipped; the header's sector is ignored */
	KUNIT_ASSERT_EQ(test, 2, d.b->n);
	KUNIT_EXPECT_FALSE(test, d.b->call[0].zeroes);
	KUNIT_EXPECT_EQ(test, 8 * 512, d.b->call[0].pos);
	KUNIT_EXPECT_EQ(test, 8 * 512, d.b->call[0].len);
	KUNIT_EXPECT_EQ(test, DZ_CAP - 16 * 512, d.b->call[1].pos);
	KUNIT_EXPECT_EQ(test, 16 * 512, d.b->call[1].len);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(d.fd, discards_completed));
	KUNIT_EXPECT_EQ(test, 24 * 512, vblk_fake_stat(d.fd, bytes_discarded));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(d.fd, io_errors));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(d.fd, writes_completed));
}

static void vblk_dwz_test_write_zeroes_data(struct kunit *test)
{
	const struct dz_seg s[] = { { 2, 3, 0 } };
	struct dz_dev d;

	dz_up(test, &d, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			dz_req(test, &d, VIRTIO_BLK_T_WRITE_ZEROES, s, 1));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(d.b->fb->data, 0xAB, 1024));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(d.b->fb->data + 1024, 0, 1536));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(d.b->fb->data + 2560, 0xAB,
					    DZ_CAP - 2560));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(d.fd, write_zeroes_completed));
	KUNIT_EXPECT_EQ(test, 1536, vblk_fake_stat(d.fd, bytes_zeroed));
	/* FLUSH negotiated: no sync per request */
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&d.b->fb->range_syncs));
}

/* Without FLUSH the device is write-through: zeroed ranges are synced. */
static void vblk_dwz_test_write_zeroes_write_through(struct kunit *test)
{
	const struct dz_seg s[] = { { 4, 4, 0 }, { 32, 8, 0 } };
	struct dz_dev d;

	dz_up(test, &d, BIT_ULL(VIRTIO_BLK_F_FLUSH));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			dz_req(test, &d, VIRTIO_BLK_T_WRITE_ZEROES, s, 2));
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&d.b->fb->range_syncs));
	KUNIT_EXPECT_EQ(test, 32 * 512, d.b->fb->sync_pos);
	KUNIT_EXPECT_EQ(test, 8 * 512, d.b->fb->sync_len);
	/* a discard writes nothing: no sync */
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			dz_req(test, &d, VIRTIO_BLK_T_DISCARD, s, 2));
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&d.b->fb->range_syncs));
}

/* The unmap flag reaches the backing only when may_unmap is offered. */
static void vblk_dwz_test_unmap_when_offered(struct kunit *test)
{
	const struct vblk_backing_caps no_unmap = {
		.discard = true, .write_zeroes = true,
	};
	const struct dz_seg s[] = { { 0, 8, DZ_UNMAP }, { 8, 8, 0 } };
	struct dz_dev d, n;

	dz_up(test, &d, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			dz_req(test, &d, VIRTIO_BLK_T_WRITE_ZEROES, s, 2));
	KUNIT_ASSERT_EQ(test, 2, d.b->n);
	KUNIT_EXPECT_TRUE(test, d.b->call[0].unmap);
	KUNIT_EXPECT_FALSE(test, d.b->call[1].unmap);

	dz_new(test, &n, &no_unmap, false);
	vblk_fake_wire(test, n.fd->vd, &n.fd->vq, false);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			dz_req(test, &n, VIRTIO_BLK_T_WRITE_ZEROES, s, 2));
	KUNIT_ASSERT_EQ(test, 2, n.b->n);
	KUNIT_EXPECT_FALSE(test, n.b->call[0].unmap);
	KUNIT_EXPECT_TRUE(test, n.b->call[0].zeroes);
}

/* ---- the validation table ---------------------------------------- */

/* A case: one request, its status, and whether it is an I/O error. */
struct dz_case {
	const char *name;
	u32 type;
	unsigned int n;		/* segments */
	struct dz_seg s[3];
	unsigned int table_len;	/* 0: 16 * n */
	bool writable_table;
	u8 status;
};

#define DZ_D	VIRTIO_BLK_T_DISCARD
#define DZ_Z	VIRTIO_BLK_T_WRITE_ZEROES

static const struct dz_case dz_cases[] = {
	{ "discard_ok", DZ_D, 1, { { 0, 128 } }, 0, false, VIRTIO_BLK_S_OK },
	{ "zeroes_ok", DZ_Z, 1, { { 0, 128, DZ_UNMAP } }, 0, false,
	  VIRTIO_BLK_S_OK },
	{ "discard_past_capacity", DZ_D, 1, { { 1, 128 } }, 0, false,
	  VIRTIO_BLK_S_IOERR },
	{ "zeroes_past_capacity", DZ_Z, 1, { { 128, 1 } }, 0, false,
	  VIRTIO_BLK_S_IOERR },
	{ "sector_overflow", DZ_D, 1, { { U64_MAX / 256, 1 } }, 0, false,
	  VIRTIO_BLK_S_IOERR },
	{ "sector_far_out", DZ_Z, 1, { { U64_MAX, 0 } }, 0, false,
	  VIRTIO_BLK_S_IOERR },
	{ "second_segment_out", DZ_D, 2, { { 0, 8 }, { 120, 9 } }, 0, false,
	  VIRTIO_BLK_S_IOERR },
	{ "discard_too_long", DZ_D, 1, { { 0, VBLK_DISCARD_MAX_SECTORS + 1 } },
	  0, false, VIRTIO_BLK_S_IOERR },
	{ "zeroes_too_long", DZ_Z, 1, { { 0, VBLK_WZ_MAX_SECTORS + 1 } }, 0,
	  false, VIRTIO_BLK_S_IOERR },
	{ "discard_unmap", DZ_D, 1, { { 0, 8, DZ_UNMAP } }, 0, false,
	  VIRTIO_BLK_S_UNSUPP },
	{ "discard_reserved_flag", DZ_D, 1, { { 0, 8, 2 } }, 0, false,
	  VIRTIO_BLK_S_UNSUPP },
	{ "zeroes_reserved_flag", DZ_Z, 1, { { 0, 8, 0x80000001 } }, 0, false,
	  VIRTIO_BLK_S_UNSUPP },
	/* flags are judged on every segment before any range */
	{ "flags_before_ranges", DZ_Z, 2, { { 200, 8 }, { 0, 8, 4 } }, 0,
	  false, VIRTIO_BLK_S_UNSUPP },
	{ "table_not_16_bytes", DZ_D, 1, { { 0, 8 } }, 24, false,
	  VIRTIO_BLK_S_IOERR },
	{ "table_empty", DZ_Z, 1, { { 0, 8 } }, 0xFFFF, false,
	  VIRTIO_BLK_S_IOERR },
	{ "table_device_writable", DZ_D, 1, { { 0, 8 } }, 0, true,
	  VIRTIO_BLK_S_IOERR },
};

static void dz_case_desc(const struct dz_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dz_case, dz_cases, dz_case_desc);

static void vblk_dwz_test_validation(struct kunit *test)
{
	const struct dz_case *c = test->param_value;
	u32 len = c->table_len == 0xFFFF ? 0 :
		  c->table_len ? c->table_len : 16 * c->n;
	const struct vblk_fake_desc ch[] = {
		{ .addr = DZ_HDR, .len = 16 },
		{ .addr = DZ_TABLE, .len = len,
		  .flags = c->writable_table ? VRING_DESC_F_WRITE : 0 },
		{ .addr = DZ_STATUS, .len = 1, .flags = VRING_DESC_F_WRITE },
	};
	bool ok = c->status == VIRTIO_BLK_S_OK;
	struct dz_dev d;

	dz_up(test, &d, 0);
	dz_table(&d, DZ_TABLE, c->s, c->n);
	vblk_fake_write_hdr(d.fd->mem, DZ_HDR, c->type, 0);
	vblk_fake_wr8(d.fd->mem, DZ_STATUS, DZ_SENTINEL);
	vblk_fake_vq_add_chain(&d.fd->vq, ch, ARRAY_SIZE(ch));
	vblk_fake_notify(test, d.fd->vd, 0);

	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&d.fd->vq));
	KUNIT_EXPECT_EQ(test, c->status, vblk_fake_rd8(d.fd->mem, DZ_STATUS));
	/* only a valid request reaches the backing */
	KUNIT_EXPECT_EQ(test, ok ? c->n : 0, d.b->n);
	KUNIT_EXPECT_EQ(test, c->status == VIRTIO_BLK_S_IOERR,
			vblk_fake_stat(d.fd, io_errors));
	KUNIT_EXPECT_EQ(test, ok && c->type == DZ_D,
			vblk_fake_stat(d.fd, discards_completed));
	KUNIT_EXPECT_EQ(test, ok && c->type == DZ_Z,
			vblk_fake_stat(d.fd, write_zeroes_completed));
	KUNIT_EXPECT_TRUE(test, ok || !memchr_inv(d.b->fb->data, 0xAB, DZ_CAP));
}

/* 32 segments are served, 33 refused before the backing sees any. */
static void vblk_dwz_test_segment_count(struct kunit *test)
{
	struct dz_seg s[VBLK_DWZ_SEG_MAX + 1];
	unsigned int i;
	struct dz_dev d;

	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = (struct dz_seg){ .sector = i * 2, .num = 1 };
	dz_up(test, &d, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			dz_req(test, &d, DZ_D, s, VBLK_DWZ_SEG_MAX));
	KUNIT_EXPECT_EQ(test, VBLK_DWZ_SEG_MAX, d.b->n);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			dz_req(test, &d, DZ_Z, s, VBLK_DWZ_SEG_MAX + 1));
	KUNIT_EXPECT_EQ(test, VBLK_DWZ_SEG_MAX, d.b->n);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(d.fd, io_errors));
}

/*
 * A discard and a write zeroes on @d both get @status, the backing is not
 * touched, and I/O errors count them or not.
 */
static void dz_both_refused(struct kunit *test, struct dz_dev *d, u8 status)
{
	const struct dz_seg s[] = { { 0, 8 } };

	KUNIT_EXPECT_EQ(test, status, dz_req(test, d, DZ_D, s, 1));
	KUNIT_EXPECT_EQ(test, status, dz_req(test, d, DZ_Z, s, 1));
	KUNIT_EXPECT_EQ(test, 0, d->b->n);
	KUNIT_EXPECT_EQ(test, status == VIRTIO_BLK_S_IOERR ? 2 : 0,
			vblk_fake_stat(d->fd, io_errors));
}

/* A read-only device: both are I/O errors. */
static void vblk_dwz_test_read_only(struct kunit *test)
{
	struct dz_dev d;

	dz_new(test, &d, &dz_caps_all, true);
	vblk_fake_wire(test, d.fd->vd, &d.fd->vq, false);
	dz_both_refused(test, &d, VIRTIO_BLK_S_IOERR);
}

/* Not negotiated: unsupported, not an error. */
static void vblk_dwz_test_not_negotiated(struct kunit *test)
{
	struct dz_dev d;

	dz_up(test, &d, BIT_ULL(VIRTIO_BLK_F_DISCARD) |
			BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES));
	dz_both_refused(test, &d, VIRTIO_BLK_S_UNSUPP);
}

/* Backing errors: -EINTR retried (bounded), anything else fails. */
static void vblk_dwz_test_backing_errors(struct kunit *test)
{
	const struct dz_seg s[] = { { 0, 8 }, { 16, 8 } };
	struct dz_dev d;

	dz_up(test, &d, 0);
	d.b->eintrs = 3;
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, dz_req(test, &d, DZ_D, s, 2));
	KUNIT_EXPECT_EQ(test, 5, d.b->n);

	d.b->n = 0;
	d.b->eintrs = VBLK_EINTR_RETRIES + 1;
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			dz_req(test, &d, DZ_Z, s, 2));
	KUNIT_EXPECT_EQ(test, VBLK_EINTR_RETRIES + 1, d.b->n);

	d.b->n = 0;
	d.b->eintrs = 0;
	d.b->err = -EOPNOTSUPP;
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			dz_req(test, &d, DZ_D, s, 2));
	KUNIT_EXPECT_EQ(test, 1, d.b->n);
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(d.fd, io_errors));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(d.fd, discards_completed));
}

/*
 * Throttle: a write zeroes costs one operation and its ranges' bytes (at
 * most VBLK_THROTTLE_ZERO_BYTES), a discard one operation and no bytes;
 * refused requests cost nothing.
 */
static void vblk_dwz_test_throttle_charge(struct kunit *test)
{
	struct vblk_throttle_cfg lim = { .iops = 100, .bps = 1 << 20 };
	const struct dz_seg s[] = { { 0, 8 }, { 64, 16 } };
	const struct dz_seg bad[] = { { 0, 8, 2 } };
	struct vblk_throttle *t;
	struct dz_dev d;

	dz_up(test, &d, 0);
	t = &d.fd->vd->blk.throttle;
	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(t, &lim, NULL));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, dz_req(test, &d, DZ_Z, s, 2));
	KUNIT_EXPECT_EQ(test, 99, t->ops.tokens);
	KUNIT_EXPECT_EQ(test, (1 << 20) - 24 * 512, t->bytes.tokens);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK, dz_req(test, &d, DZ_D, s, 2));
	KUNIT_EXPECT_EQ(test, 98, t->ops.tokens);
	KUNIT_EXPECT_EQ(test, (1 << 20) - 24 * 512, t->bytes.tokens);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_UNSUPP,
			dz_req(test, &d, DZ_D, bad, 1));
	KUNIT_EXPECT_EQ(test, 98, t->ops.tokens);
}

/*
 * A write zeroes of 64 MiB (the backing is smaller and refuses it, after
 * the charge) takes VBLK_THROTTLE_ZERO_BYTES from a full 1 MiB bucket, and
 * leaves it empty rather than 63 MiB in debt.
 */
static void vblk_dwz_test_throttle_zeroes_cap(struct kunit *test)
{
	struct vblk_throttle_cfg lim = { .bps = 1 << 20 };
	const struct dz_seg big[] = { { 0, VBLK_WZ_MAX_SECTORS } };
	struct vblk_throttle *t;
	struct dz_dev d;

	dz_up(test, &d, 0);
	vblk_vdev_set_capacity(d.fd->vd, 1ULL << 33);
	t = &d.fd->vd->blk.throttle;
	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(t, &lim, NULL));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			dz_req(test, &d, DZ_Z, big, 1));
	KUNIT_EXPECT_EQ(test, 1, d.b->n);
	KUNIT_EXPECT_EQ(test, (1 << 20) - VBLK_THROTTLE_ZERO_BYTES,
			t->bytes.tokens);
}

static struct kunit_case vblk_dwz_cases[] = {
	KUNIT_CASE(vblk_dwz_test_offer_and_config),
	KUNIT_CASE(vblk_dwz_test_discard_ranges),
	KUNIT_CASE(vblk_dwz_test_write_zeroes_data),
	KUNIT_CASE(vblk_dwz_test_write_zeroes_write_through),
	KUNIT_CASE(vblk_dwz_test_unmap_when_offered),
	KUNIT_CASE_PARAM(vblk_dwz_test_validation, dz_case_gen_params),
	KUNIT_CASE(vblk_dwz_test_segment_count),
	KUNIT_CASE(vblk_dwz_test_read_only),
	KUNIT_CASE(vblk_dwz_test_not_negotiated),
	KUNIT_CASE(vblk_dwz_test_backing_errors),
	KUNIT_CASE(vblk_dwz_test_throttle_charge),
	KUNIT_CASE(vblk_dwz_test_throttle_zeroes_cap),
	{}
};

static struct kunit_suite vblk_dwz_suite = {
	.name = "vblk_dwz",
	.test_cases = vblk_dwz_cases,
};

kunit_test_suite(vblk_dwz_suite);
