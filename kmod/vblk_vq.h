/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk split virtqueue, device side (virtio 1.2, 2.7): ring layout, popping
 * and walking descriptor chains, the used ring, notification suppression.
 * Knows nothing of block semantics or of the transport; reaches guest
 * memory only through struct vblk_mem.
 */
#ifndef _VBLK_VQ_H
#define _VBLK_VQ_H

#include <linux/types.h>

#include "vblk_mem.h"

/* Longest flattened chain walked: header + 128 data segments + status. */
#define VBLK_VQ_CHAIN_MAX	130

/**
 * struct vblk_chain - a descriptor chain, flattened (indirect tables
 *	expanded), as the device walked it
 * @n: number of descriptors in @seg and @flags
 * @seg: address and length of each descriptor
 * @flags: VRING_DESC_F_* of each descriptor (CPU order)
 */
struct vblk_chain {
	unsigned int n;
	struct vblk_seg seg[VBLK_VQ_CHAIN_MAX];
	u16 flags[VBLK_VQ_CHAIN_MAX];
};

/**
 * struct vblk_vq - the device side of one split virtqueue
 * @mem: guest memory (ops NULL while none is bound)
 * @num: queue size, a power of 2 (0: not configured)
 * @desc: descriptor table address
 * @avail: driver area (available ring) address
 * @used: device area (used ring) address
 * @ready: the queue is enabled
 * @event_idx: VIRTIO_RING_F_EVENT_IDX was negotiated
 * @indirect: VIRTIO_RING_F_INDIRECT_DESC was negotiated
 * @last_avail_idx: next available ring entry to pop
 * @used_idx: used index as last published
 * @signalled_used: used index at the last notification decision
 * @broken: stopped for a driver bug until reset
 *
 * The configuration (@mem .. @indirect) is set by the device while the
 * queue is not ready and is stable while it is. The rest is processing
 * state, owned by whoever processes the queue (the device's queue lock).
 */
struct vblk_vq {
	struct vblk_mem mem;
	u32 num;
	u64 desc;
	u64 avail;
	u64 used;
	bool ready;
	bool event_idx;
	bool indirect;
	u16 last_avail_idx;
	u16 used_idx;
	u16 signalled_used;
	bool broken;
};

void vblk_vq_init(struct vblk_vq *vq);
void vblk_vq_clear(struct vblk_vq *vq);
bool vblk_vq_layout_ok(u32 num, u64 desc, u64 avail, u64 used);
void vblk_vq_set_state(struct vblk_vq *vq, u16 avail_idx);
int vblk_vq_avail_idx(struct vblk_vq *vq, u16 *avail);
int vblk_vq_pop(struct vblk_vq *vq, u16 *head);
void vblk_vq_unpop(struct vblk_vq *vq);
int vblk_vq_walk(const struct vblk_vq *vq, u16 head, struct vblk_chain *c);
int vblk_vq_add_used(struct vblk_vq *vq, u16 head, u32 len);
int vblk_vq_commit_used(struct vblk_vq *vq);
void vblk_vq_notify_disable(struct vblk_vq *vq);
bool vblk_vq_notify_enable(struct vblk_vq *vq);
bool vblk_vq_need_signal(struct vblk_vq *vq);

#endif /* _VBLK_VQ_H */
