/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest layout and driver-side helpers shared by the layered suites
 * (vblk_vq, vblk_req, vblk_blk, vblk_mmio, vblk_vdev, vblk_random): rings
 * at gpa 0, the request header, an indirect table, the status byte and
 * data at fixed places in RAM0, over a 64 KiB device.
 */
#ifndef _VBLK_VT_H
#define _VBLK_VT_H

#include <kunit/test.h>
#include <linux/types.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"

#define VT_HDR		0x4000ULL
#define VT_TABLE	0x5000ULL
#define VT_STATUS	0x6000ULL
#define VT_DATA		0x8000ULL
#define VT_CAP		(64 * 1024ULL)
#define VT_SENTINEL	0xEE

#define VT_W		VRING_DESC_F_WRITE

struct vblk_fake_dev *vt_dev(struct kunit *test, u16 qnum, bool event_idx);
u32 vt_rd(struct kunit *test, struct vblk_fake_dev *fd, u32 off);
void vt_wr(struct kunit *test, struct vblk_fake_dev *fd, u32 off, u32 val);
u32 vt_status(struct kunit *test, struct vblk_fake_dev *fd);
void vt_negotiate(struct kunit *test, struct vblk_fake_dev *fd, u64 feat);
void vt_rw_descs(struct vblk_fake_desc *d, u32 data_len, bool in, u64 data);
u16 vt_add_read(struct vblk_fake_dev *fd);
struct vblk_fake_dev *vt_stalled_dev(struct kunit *test);

#endif /* _VBLK_VT_H */
