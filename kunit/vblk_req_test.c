// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for request validation (suite "vblk_req"): header and status
 * shapes and data outside guest memory, each answered as the validation
 * table of Documentation/device-model.rst says; then a parameter table of
 * requests at the table's edges: which rule comes first, what FLUSH
 * ignores, read-only devices, empty segments, SIZE_MAX and the last
 * sector.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_vt.h"

static void vblk_req_test_header_shapes(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_desc d[4];

	/* header split 12 + 4 bytes: IOERR, nothing read from the backing */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	vt_rw_descs(d, 512, true, VT_DATA);
	d[3] = d[2];
	d[2] = d[1];
	d[0].len = 12;
	d[1] = (struct vblk_fake_desc){ .addr = VT_HDR + 12, .len = 4 };
	vblk_fake_vq_add_chain(&fd->vq, d, 4);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->reads));

	/* header in a device-writable descriptor: IOERR */
	vt_rw_descs(d, 512, true, VT_DATA);
	d[0].flags = VT_W;
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	/* a lone writable descriptor is a status without a header: IOERR */
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, &d[2], 1);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	/*
	 * A header descriptor longer than 16 bytes could carry data (any
	 * layout): IOERR, the backing untouched.
	 */
	vt_rw_descs(d, 512, true, VT_DATA);
	d[0].len = 64;
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	/* so could a status descriptor with a sector in front of the byte */
	vt_rw_descs(d, 512, true, VT_DATA);
	d[2].len = 513;
	vblk_fake_wr8(fd->mem, VT_STATUS + 512, VT_SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS + 512));

	/* fewer bytes in front of it are padding (the seed's 4-byte case) */
	vt_rw_descs(d, 512, true, VT_DATA);
	d[2].len = 512;
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			vblk_fake_rd8(fd->mem, VT_STATUS + 511));

	KUNIT_EXPECT_EQ(test, 5, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->writes));
	KUNIT_EXPECT_EQ(test, 6, vblk_fake_vq_used_idx(&fd->vq));
}

static void vblk_req_test_multibyte_status(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_desc d[3];

	/* an error status also goes to the last byte */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_fill(fd->mem, VT_STATUS, 0x11, 8);
	vt_rw_descs(d, 513, true, VT_DATA);
	d[2].len = 8;
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, VT_STATUS, 0x11, 7));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS + 7));

	/* a writable but empty status descriptor: dropped */
	vblk_fake_fill(fd->mem, VT_STATUS, VT_SENTINEL, 8);
	vt_rw_descs(d, 512, true, VT_DATA);
	d[2].len = 0;
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, VT_STATUS,
					      VT_SENTINEL, 8));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->backing->reads));
}

static void vblk_req_test_data_outside_ram(struct kunit *test)
{
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	struct vblk_fake_desc d[3];

	/* read into the hole */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	vt_rw_descs(d, 512, true, VBLK_FAKE_HOLE);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	/* write from a buffer straddling the end of RAM0 */
	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_OUT, 0);
	vt_rw_descs(d, 512, false, VBLK_FAKE_RAM0_SIZE - 256);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	/* a buffer whose end wraps the address space */
	vt_rw_descs(d, 512, false, U64_MAX - 255);
	vblk_fake_vq_add_chain(&fd->vq, d, 3);
	vblk_fake_notify(test, fd->vd, 0);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_IOERR,
			vblk_fake_rd8(fd->mem, VT_STATUS));

	KUNIT_EXPECT_EQ(test, 0, vblk_fake_backing_calls(fd->backing));
	KUNIT_EXPECT_EQ(test, 3, vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, 3, vblk_fake_vq_used_idx(&fd->vq));
}

/* ------------------------------------------------------------------ */
/* The validation table, rule by rule, at its edges                    */
/* ------------------------------------------------------------------ */

#define RQ_CAP		(2ULL << 20)	/* 4096 sectors */
#define RQ_SECTORS	(RQ_CAP / VBLK_SECTOR_SIZE)

/**
 * struct req_rule - one request and the status the validation table gives
 * @name: the rule and the edge it probes
 * @read_only: a read-only device
 * @type: request type
 * @sector: request sector
 * @data: data descriptors (between the header and the status)
 * @ndata: how many
 * @status: VIRTIO_BLK_S_* expected
 */
struct req_rule {
	const char *name;
	bool read_only;
	u32 type;
	u64 sector;
	struct vblk_fake_desc data[2];
	unsigned int ndata;
	u8 status;
};

#define RQ_IN(a, l)	{ .addr = (a), .len = (l), .flags = VT_W }
#define RQ_OUT(a, l)	{ .addr = (a), .len = (l) }

static const struct req_rule req_rules[] = {
	{ "vblk_req_short_header_before_type", .type = 0xbeef,
	  .ndata = 0, .status = VIRTIO_BLK_S_IOERR },
	{ "vblk_req_unknown_type_before_data_rules", .type = 0xbeef,
	  .data = { RQ_IN(VBLK_FAKE_HOLE, 3) }, .ndata = 1,
	  .status = VIRTIO_BLK_S_UNSUPP },
	{ "vblk_req_flush_ignores_data_and_sector", .type = VIRTIO_BLK_T_FLUSH,
	  .sector = U64_MAX, .data = { RQ_IN(VBLK_FAKE_HOLE, 3) },
	  .ndata = 1, .status = VIRTIO_BLK_S_OK },
	{ "vblk_req_read_only_refuses_a_write", .read_only = true,
	  .type = VIRTIO_BLK_T_OUT, .data = { RQ_OUT(VT_DATA, 512) },
	  .ndata = 1, .status = VIRTIO_BLK_S_IOERR },
	{ "vblk_req_read_only_serves_a_read", .read_only = true,
	  .type = VIRTIO_BLK_T_IN, .data = { RQ_IN(VT_DATA, 512) },
	  .ndata = 1, .status = VIRTIO_BLK_S_OK },
	{ "vblk_req_direction_of_an_empty_segment", .type = VIRTIO_BLK_T_IN,
	  .data = { RQ_IN(VT_DATA, 512), RQ_OUT(VT_DATA + 512, 0) },
	  .ndata = 2, .status = VIRTIO_BLK_S_IOERR },
	{ "vblk_req_size_max_exactly_twice", .type = VIRTIO_BLK_T_OUT,
	  .data = { RQ_OUT(0, VBLK_SIZE_MAX), RQ_OUT(0, VBLK_SIZE_MAX) },
	  .ndata = 2, .status = VIRTIO_BLK_S_OK },
	{ "vblk_req_last_sector", .type = VIRTIO_BLK_T_IN,
	  .sector = RQ_SECTORS - 1, .data = { RQ_IN(VT_DATA, 512) },
	  .ndata = 1, .status = VIRTIO_BLK_S_OK },
	{ "vblk_req_one_sector_past_the_end", .type = VIRTIO_BLK_T_IN,
	  .sector = RQ_SECTORS - 1, .data = { RQ_IN(VT_DATA, 1024) },
	  .ndata = 1, .status = VIRTIO_BLK_S_IOERR },
	{ "vblk_req_empty_at_the_end", .type = VIRTIO_BLK_T_IN,
	  .sector = RQ_SECTORS, .data = { RQ_IN(VT_DATA, 0) },
	  .ndata = 1, .status = VIRTIO_BLK_S_OK },
	{ "vblk_req_empty_past_the_end", .type = VIRTIO_BLK_T_IN,
	  .sector = RQ_SECTORS + 1, .data = { RQ_IN(VT_DATA, 0) },
	  .ndata = 1, .status = VIRTIO_BLK_S_IOERR },
	{ "vblk_req_sector_times_512_overflows", .type = VIRTIO_BLK_T_IN,
	  .sector = (U64_MAX >> VBLK_SECTOR_SHIFT) + 1,
	  .data = { RQ_IN(VT_DATA, 0) }, .ndata = 1,
	  .status = VIRTIO_BLK_S_IOERR },
	{ "vblk_req_empty_segment_in_a_hole", .type = VIRTIO_BLK_T_IN,
	  .data = { RQ_IN(VT_DATA, 512), RQ_IN(VBLK_FAKE_HOLE, 0) },
	  .ndata = 2, .status = VIRTIO_BLK_S_OK },
};

static void req_rule_desc(const struct req_rule *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(req_rules, req_rules, req_rule_desc);

static void vblk_req_test_rules(struct kunit *test)
{
	const struct req_rule *r = test->param_value;
	struct vblk_blk_config cfg = { .capacity = RQ_SECTORS,
				       .read_only = r->read_only };
	struct vblk_fake_desc d[4] = {
		{ .addr = VT_HDR, .len = r->ndata ? 16 : 8 },
	};
	bool ok = r->status == VIRTIO_BLK_S_OK;
	struct vblk_fake_dev *fd;
	unsigned int i;

	fd = vblk_fake_dev_new(test, &cfg, RQ_CAP, 0xAB, 16);
	vblk_fake_wire(test, fd->vd, &fd->vq, false);
	for (i = 0; i < r->ndata; i++)
		d[1 + i] = r->data[i];
	d[1 + i] = (struct vblk_fake_desc){ .addr = VT_STATUS, .len = 1,
					    .flags = VT_W };
	vblk_fake_write_hdr(fd->mem, VT_HDR, r->type, r->sector);
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, d, r->ndata + 2);
	vblk_fake_notify(test, fd->vd, 0);

	KUNIT_EXPECT_EQ(test, r->status, vblk_fake_rd8(fd->mem, VT_STATUS));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&fd->vq));
	KUNIT_EXPECT_EQ(test, r->status == VIRTIO_BLK_S_IOERR,
			vblk_fake_stat(fd, io_errors));
	KUNIT_EXPECT_EQ(test, ok && r->type == VIRTIO_BLK_T_IN,
			vblk_fake_stat(fd, reads_completed));
	KUNIT_EXPECT_EQ(test, ok && r->type == VIRTIO_BLK_T_OUT,
			vblk_fake_stat(fd, writes_completed));
	KUNIT_EXPECT_EQ(test, ok && r->type == VIRTIO_BLK_T_FLUSH,
			vblk_fake_stat(fd, flushes_completed));
	/* a refused request never reaches the backing */
	if (!ok)
		KUNIT_EXPECT_EQ(test, 0, vblk_fake_backing_calls(fd->backing));
	/* nor does the device touch what the request names outside RAM */
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&fd->mem->outside));
	if (r->read_only && r->type == VIRTIO_BLK_T_OUT)
		KUNIT_EXPECT_FALSE(test, memchr_inv(fd->backing->data, 0xAB,
						    RQ_CAP));
}

static struct kunit_case vblk_req_test_cases[] = {
	KUNIT_CASE(vblk_req_test_header_shapes),
	KUNIT_CASE(vblk_req_test_multibyte_status),
	KUNIT_CASE(vblk_req_test_data_outside_ram),
	KUNIT_CASE_PARAM(vblk_req_test_rules, req_rules_gen_params),
	{}
};

static struct kunit_suite vblk_req_test_suite = {
	.name = "vblk_req",
	.test_cases = vblk_req_test_cases,
};

kunit_test_suite(vblk_req_test_suite);
