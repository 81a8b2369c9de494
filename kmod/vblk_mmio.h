/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk virtio-mmio transport (virtio 1.2, 4.2.2, version 2 register
 * layout): decodes accesses to the 4 KiB register window and calls the
 * typed device API of vblk_vdev.h. Transport state lives here: the feature
 * and queue selectors, the queue registers until the queue is enabled, and
 * InterruptStatus.
 */
#ifndef _VBLK_MMIO_H
#define _VBLK_MMIO_H

#include <linux/atomic.h>
#include <linux/types.h>

#include "vblk_blk.h"

struct vblk_vdev;

#define VBLK_MMIO_WINDOW	0x1000	/* size of the register window */

/**
 * struct vblk_mmio_queue - queue registers as the driver writes them
 * @num: QueueNum
 * @desc: QueueDescLow/High
 * @avail: QueueDriverLow/High
 * @used: QueueDeviceLow/High
 * @addr_set: which of the three addresses were written (BIT(0..2))
 */
struct vblk_mmio_queue {
	u32 num;
	u64 desc;
	u64 avail;
	u64 used;
	u8 addr_set;
};

/**
 * struct vblk_mmio - the register file of one device
 * @vd: the device behind it
 * @dev_features_sel: DeviceFeaturesSel
 * @drv_features_sel: DriverFeaturesSel
 * @driver_features: DriverFeatures, both halves
 * @queue_sel: QueueSel
 * @isr: InterruptStatus (VIRTIO_MMIO_INT_*)
 * @q: queue registers
 *
 * Callers serialise vblk_mmio_read() and vblk_mmio_write(); @isr is an
 * atomic, also set from the device's callbacks.
 */
struct vblk_mmio {
	struct vblk_vdev *vd;
	u32 dev_features_sel;
	u32 drv_features_sel;
	u64 driver_features;
	u32 queue_sel;
	atomic_t isr;
	struct vblk_mmio_queue q[VBLK_MAX_QUEUES];
};

void vblk_mmio_init(struct vblk_mmio *m, struct vblk_vdev *vd);
int vblk_mmio_read(struct vblk_mmio *m, u32 off, void *val, unsigned int len);
int vblk_mmio_write(struct vblk_mmio *m, u32 off, const void *val,
		    unsigned int len);
void vblk_mmio_interrupt(struct vblk_mmio *m, u32 bits);

#endif /* _VBLK_MMIO_H */
