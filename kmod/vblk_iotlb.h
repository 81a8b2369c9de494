/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk guest memory through an IOTLB: I/O virtual addresses translated by a
 * vhost_iotlb into host physical addresses, reached through the kernel's
 * direct map (ring accesses) and page vectors (data). This is how a vDPA
 * device sees the memory of a driver inside the host kernel (virtio_vdpa),
 * whose DMA addresses are physical addresses.
 */
#ifndef _VBLK_IOTLB_H
#define _VBLK_IOTLB_H

#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vhost_iotlb.h>

#include "vblk_mem.h"

/**
 * struct vblk_iotlb - an address space of I/O virtual addresses
 * @lock: guards @tlb (translations are looked up under it, the copies
 *	happen outside it)
 * @tlb: IOVA -> host physical address, with VHOST_MAP_* permissions
 */
struct vblk_iotlb {
	spinlock_t lock;	/* guards @tlb */
	struct vhost_iotlb tlb;
};

extern const struct vblk_mem_ops vblk_iotlb_ops;

void vblk_iotlb_init(struct vblk_iotlb *m);
int vblk_iotlb_map(struct vblk_iotlb *m, u64 start, u64 last, u64 pa,
		   u32 perm);
void vblk_iotlb_clear(struct vblk_iotlb *m);

#endif /* _VBLK_IOTLB_H */
