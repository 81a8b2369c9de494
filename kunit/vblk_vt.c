// SPDX-License-Identifier: GPL-2.0
/*
 * The layout and driver-side helpers shared by the layered suites (see
 * vblk_vt.h).
 */
#include <kunit/test.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "vblk_vt.h"

/**
 * vt_dev() - a 64 KiB read-write device (file filled with 0xAB), wired
 * @test: owning test
 * @qnum: queue size of queue 0
 * @event_idx: negotiate VIRTIO_RING_F_EVENT_IDX
 *
 * Return: the fake device, up and running (DRIVER_OK).
 */
struct vblk_fake_dev *vt_dev(struct kunit *test, u16 qnum, bool event_idx)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, VT_CAP, 0xAB,
							qnum);

	vblk_fake_wire(test, fd->vd, &fd->vq, event_idx);
	return fd;
}

/**
 * vt_rd() - read a register of @fd's virtio-mmio window (must succeed)
 * @test: the test
 * @fd: the device
 * @off: offset in the window
 *
 * Return: the value read.
 */
u32 vt_rd(struct kunit *test, struct vblk_fake_dev *fd, u32 off)
{
	return vblk_fake_reg_read(test, fd->vd, off);
}

/**
 * vt_wr() - write a register of @fd's virtio-mmio window (must succeed)
 * @test: the test
 * @fd: the device
 * @off: offset in the window
 * @val: the value
 */
void vt_wr(struct kunit *test, struct vblk_fake_dev *fd, u32 off, u32 val)
{
	vblk_fake_reg_write(test, fd->vd, off, val);
}

/**
 * vt_status() - the Status register
 * @test: the test
 * @fd: the device
 *
 * Return: VIRTIO_CONFIG_S_* bits.
 */
u32 vt_status(struct kunit *test, struct vblk_fake_dev *fd)
{
	return vt_rd(test, fd, VIRTIO_MMIO_STATUS);
}

/**
 * vt_negotiate() - reset, ACKNOWLEDGE | DRIVER, accept @feat, FEATURES_OK
 * @test: the test
 * @fd: the device
 * @feat: the driver features to write (FEATURES_OK may be refused)
 */
void vt_negotiate(struct kunit *test, struct vblk_fake_dev *fd, u64 feat)
{
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, 0);
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vt_wr(test, fd, VIRTIO_MMIO_STATUS,
	      VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES, lower_32_bits(feat));
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vt_wr(test, fd, VIRTIO_MMIO_DRIVER_FEATURES, upper_32_bits(feat));
	vt_wr(test, fd, VIRTIO_MMIO_STATUS, vt_status(test, fd) |
	      VIRTIO_CONFIG_S_FEATURES_OK);
}

/**
 * vt_rw_descs() - header + data + status descriptors of a request
 * @d: three descriptors: header at VT_HDR, data, 1-byte status at VT_STATUS
 * @data_len: data length
 * @in: device-writable data (a read)
 * @data: data address
 */
void vt_rw_descs(struct vblk_fake_desc *d, u32 data_len, bool in, u64 data)
{
	d[0] = (struct vblk_fake_desc){ .addr = VT_HDR, .len = 16 };
	d[1] = (struct vblk_fake_desc){ .addr = data, .len = data_len,
					.flags = in ? VT_W : 0 };
	d[2] = (struct vblk_fake_desc){ .addr = VT_STATUS, .len = 1,
					.flags = VT_W };
}

/**
 * vt_add_read() - plant a one-sector read of sector 0 and publish it
 * @fd: the device (its queue 0)
 *
 * The status byte is set to VT_SENTINEL first, the data goes to VT_DATA.
 *
 * Return: the chain's head.
 */
u16 vt_add_read(struct vblk_fake_dev *fd)
{
	struct vblk_fake_desc d[3];

	vblk_fake_write_hdr(fd->mem, VT_HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_wr8(fd->mem, VT_STATUS, VT_SENTINEL);
	vt_rw_descs(d, 512, true, VT_DATA);
	return vblk_fake_vq_add_chain(&fd->vq, d, 3);
}

/**
 * vt_stalled_dev() - a device whose second read stalled on a 1 iops limit
 * @test: owning test
 *
 * vt_dev() without EVENT_IDX, limited to one operation per second; two
 * reads are published and the queue notified: the first took the only
 * token, the second is stalled (the fake clock stands still).
 *
 * Return: the fake device.
 */
struct vblk_fake_dev *vt_stalled_dev(struct kunit *test)
{
	struct vblk_throttle_cfg lim = { .iops = 1 };
	struct vblk_fake_dev *fd = vt_dev(test, 16, false);
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(&fd->vd->blk.throttle, &lim,
						   &why));
	vt_add_read(fd);
	vt_add_read(fd);
	vblk_fake_notify(test, fd->vd, 0);
	return fd;
}
