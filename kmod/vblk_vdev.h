/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk virtio device: the transport-neutral core of a vblk device (virtio
 * 1.2, chapters 2 and 3): device status, feature negotiation, reset, typed
 * queue configuration and state, the config space and its generation.
 * Its API has the shape of struct vdpa_config_ops, so that a transport
 * (the virtio-mmio register file, vblk_mmio.c) or a bus binding maps onto
 * it call for call.
 *
 * A binding (a VMM attachment, a vDPA device) is the only user of a device
 * at a time: it binds guest memory and its callbacks with vblk_vdev_bind()
 * and gives them back with vblk_vdev_unbind(). Block semantics live in
 * struct vblk_blk, embedded here.
 */
#ifndef _VBLK_VDEV_H
#define _VBLK_VDEV_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "vblk_blk.h"
#include "vblk_mem.h"
#include "vblk_throttle.h"
#include "vblk_vq.h"

#define VBLK_QUEUE_NUM_MAX	256
/* VendorID: "VBLK" in little-endian byte order. */
#define VBLK_VENDOR_ID		0x4b4c4256

/**
 * struct vblk_vdev_host_ops - callbacks from the device to its binding
 * @kick: queue @q has work (a notification, a throttle resume, a pass
 *	that stopped at its weight): arrange for vblk_vdev_process(@q).
 * @vq_used: chains were published on queue @q; @signal is true when the
 *	driver wants an interrupt for them.
 * @config_changed: the config space changed (its generation moved) or the
 *	device needs a reset: raise a configuration change interrupt.
 *
 * Called under rcu_read_lock(), from any context (@kick also from hard
 * interrupt or timer context): they must not sleep. @ctx is the binding's.
 */
struct vblk_vdev_host_ops {
	void (*kick)(void *ctx, unsigned int q);
	void (*vq_used)(void *ctx, unsigned int q, bool signal);
	void (*config_changed)(void *ctx);
};

/**
 * struct vblk_vdev_binding - what a binding lends a device
 * @ops: its callbacks
 * @ctx: their context
 * @mem: guest memory
 *
 * Owned by the binding; it must stay valid until vblk_vdev_unbind()
 * returns.
 */
struct vblk_vdev_binding {
	const struct vblk_vdev_host_ops *ops;
	void *ctx;
	struct vblk_mem mem;
};

/**
 * typedef vblk_vdev_event_fn - a device event for the device's owner
 * @ctx: the owner's context
 * @q: the queue concerned
 * @ev: what happened
 *
 * Process context, no vblk lock held.
 */
typedef void (*vblk_vdev_event_fn)(void *ctx, unsigned int q,
				   enum vblk_event ev);

/**
 * struct vblk_vdev_queue - one virtqueue of a device
 * @lock: serialises processing of the queue with its configuration
 * @vq: the ring
 */
struct vblk_vdev_queue {
	struct mutex lock;	/* see "Lock rules" in vblk_vdev.c */
	struct vblk_vq vq;
};

/**
 * struct vblk_vdev - a vblk virtio device
 * @lock: device state (see "Lock rules" in vblk_vdev.c)
 * @status: device status (VIRTIO_CONFIG_S_*)
 * @driver_features: features the driver accepted so far (written with
 *	WRITE_ONCE under @lock, read locklessly)
 * @features: negotiated features, valid from FEATURES_OK
 * @cfg_lock: config space changes and reads (see vblk_vdev_cfg.c)
 * @config_generation: changes with every config space change
 * @binding: the active binding, NULL when unbound; RCU
 * @event: event callback of the owner
 * @event_ctx: its context
 * @blk: the block device
 * @nvqs: number of queues
 * @qs: the queues
 */
struct vblk_vdev {
	struct mutex lock;	/* see "Lock rules" in vblk_vdev.c */
	u32 status;
	u64 driver_features;
	u64 features;
	spinlock_t cfg_lock;	/* see "Lock rules" in vblk_vdev.c */
	u32 config_generation;
	const struct vblk_vdev_binding __rcu *binding;
	vblk_vdev_event_fn event;
	void *event_ctx;
	struct vblk_blk blk;
	unsigned int nvqs;
	struct vblk_vdev_queue *qs;
};

/**
 * struct vblk_vq_snapshot - a queue as dev-get shows it
 * @num: queue size (0: not configured)
 * @ready: enabled
 * @broken: stopped for a driver bug
 * @throttled: stalled by the throttle
 * @last_avail_idx: next available entry
 * @used_idx: used index
 * @requests: requests completed (lifetime)
 * @bytes: data bytes read and written by them
 * @inflight_peak: the most requests in flight at once
 */
struct vblk_vq_snapshot {
	u32 num;
	bool ready;
	bool broken;
	bool throttled;
	u16 last_avail_idx;
	u16 used_idx;
	u64 requests;
	u64 bytes;
	u32 inflight_peak;
};

int vblk_vdev_init(struct vblk_vdev *vd, const struct vblk_blk_config *cfg,
		   const struct vblk_backing_ops *backing, void *backing_ctx,
		   vblk_vdev_event_fn event, void *event_ctx);
void vblk_vdev_destroy(struct vblk_vdev *vd);
int vblk_vdev_bind(struct vblk_vdev *vd, const struct vblk_vdev_binding *b);
void vblk_vdev_unbind(struct vblk_vdev *vd);

u64 vblk_vdev_get_device_features(const struct vblk_vdev *vd);
void vblk_vdev_set_driver_features(struct vblk_vdev *vd, u64 features);
u64 vblk_vdev_get_driver_features(struct vblk_vdev *vd);
u64 vblk_vdev_get_features(const struct vblk_vdev *vd);
u32 vblk_vdev_get_status(const struct vblk_vdev *vd);
void vblk_vdev_set_status(struct vblk_vdev *vd, u32 status);
void vblk_vdev_reset(struct vblk_vdev *vd);

unsigned int vblk_vdev_num_queues(const struct vblk_vdev *vd);
void vblk_vdev_set_vq_num(struct vblk_vdev *vd, unsigned int q, u32 num);
int vblk_vdev_set_vq_address(struct vblk_vdev *vd, unsigned int q, u64 desc,
			     u64 driver, u64 device);
int vblk_vdev_set_vq_ready(struct vblk_vdev *vd, unsigned int q, bool ready);
bool vblk_vdev_get_vq_ready(struct vblk_vdev *vd, unsigned int q);
int vblk_vdev_set_vq_state(struct vblk_vdev *vd, unsigned int q,
			   u16 avail_idx);
int vblk_vdev_get_vq_state(struct vblk_vdev *vd, unsigned int q,
			   u16 *avail_idx);
void vblk_vdev_kick(struct vblk_vdev *vd, unsigned int q);
void vblk_vdev_process(struct vblk_vdev *vd, unsigned int q);

size_t vblk_vdev_get_config_size(const struct vblk_vdev *vd);
int vblk_vdev_get_config(struct vblk_vdev *vd, unsigned int off, void *buf,
			 unsigned int len);
int vblk_vdev_set_config(struct vblk_vdev *vd, unsigned int off,
			 const void *buf, unsigned int len);
u32 vblk_vdev_get_generation(struct vblk_vdev *vd);
void vblk_vdev_config_changed(struct vblk_vdev *vd);
void vblk_vdev_cfg_reset(struct vblk_vdev *vd);

void vblk_vdev_set_capacity(struct vblk_vdev *vd, u64 sectors);
bool vblk_vdev_cache_writeback(const struct vblk_vdev *vd);
void vblk_vdev_vq_snapshot(const struct vblk_vdev *vd, unsigned int q,
			   struct vblk_vq_snapshot *s);

/* Properties of the block device, for the device's owner. */

/**
 * vblk_vdev_capacity() - the capacity in 512-byte sectors
 * @vd: the device
 */
static inline u64 vblk_vdev_capacity(const struct vblk_vdev *vd)
{
	return READ_ONCE(vd->blk.cfg.capacity);
}

/**
 * vblk_vdev_read_only() - is the device read-only (VIRTIO_BLK_F_RO)?
 * @vd: the device
 */
static inline bool vblk_vdev_read_only(const struct vblk_vdev *vd)
{
	return vd->blk.cfg.read_only;
}

/**
 * vblk_vdev_set_serial() - replace the GET_ID answer (see
 *	vblk_blk_set_serial(); callers serialise writers)
 * @vd: the device
 * @serial: NUL-padded serial
 */
static inline void vblk_vdev_set_serial(struct vblk_vdev *vd,
					const char serial[VBLK_SERIAL_LEN])
{
	vblk_blk_set_serial(&vd->blk, serial);
}

/**
 * vblk_vdev_get_serial() - the GET_ID answer
 * @vd: the device
 * @serial: VBLK_SERIAL_LEN bytes, NUL-padded
 */
static inline void vblk_vdev_get_serial(const struct vblk_vdev *vd,
					char serial[VBLK_SERIAL_LEN])
{
	vblk_blk_get_serial(&vd->blk, serial);
}

/**
 * vblk_vdev_set_limits() - replace the throttle limits; stalled queues
 *	resume at once when the new limits let them run
 * @vd: the device
 * @cfg: the limits
 * @why: set to a reason on failure
 *
 * Takes only the throttle's spinlock.
 *
 * Return: 0 or -EINVAL.
 */
static inline int vblk_vdev_set_limits(struct vblk_vdev *vd,
				       const struct vblk_throttle_cfg *cfg,
				       const char **why)
{
	return vblk_throttle_set(&vd->blk.throttle, cfg, why);
}

/**
 * vblk_vdev_get_limits() - the throttle limits
 * @vd: the device
 * @cfg: the limits
 */
static inline void vblk_vdev_get_limits(struct vblk_vdev *vd,
					struct vblk_throttle_cfg *cfg)
{
	vblk_throttle_get(&vd->blk.throttle, cfg);
}

/**
 * vblk_vdev_set_group() - move the device into a limit group, or out
 * @vd: the device
 * @g: the group, NULL for none (the caller keeps it alive while the
 *	device is in it)
 */
static inline void vblk_vdev_set_group(struct vblk_vdev *vd,
				       struct vblk_group *g)
{
	vblk_throttle_set_group(&vd->blk.throttle, g);
}

/**
 * vblk_vdev_group() - the device's limit group, NULL when none
 * @vd: the device
 */
static inline struct vblk_group *vblk_vdev_group(const struct vblk_vdev *vd)
{
	return READ_ONCE(vd->blk.throttle.group);
}

/**
 * vblk_vdev_stats() - the lifetime counters (atomics)
 * @vd: the device
 */
static inline const struct vblk_stats *vblk_vdev_stats(const struct vblk_vdev *vd)
{
	return &vd->blk.stats;
}

/**
 * vblk_vdev_queue_stats() - a queue's lifetime counters (atomics)
 * @vd: the device
 * @q: queue index, below vblk_vdev_num_queues()
 */
static inline const struct vblk_queue_stats *
vblk_vdev_queue_stats(const struct vblk_vdev *vd, unsigned int q)
{
	return &vd->blk.qs[q].stats;
}

#endif /* _VBLK_VDEV_H */
