// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for request validation (suite "vblk_req"): header and status
 * shapes and data outside guest memory, each answered as the validation
 * table of Documentation/device-model.rst says.
 */
#include <kunit/test.h>
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

static struct kunit_case vblk_req_test_cases[] = {
	KUNIT_CASE(vblk_req_test_header_shapes),
	KUNIT_CASE(vblk_req_test_multibyte_status),
	KUNIT_CASE(vblk_req_test_data_outside_ram),
	{}
};

static struct kunit_suite vblk_req_test_suite = {
	.name = "vblk_req",
	.test_cases = vblk_req_test_cases,
};

kunit_test_suite(vblk_req_test_suite);
