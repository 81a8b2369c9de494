// SPDX-License-Identifier: GPL-2.0
/*
 * vblk virtio device: status, features, reset, typed queue configuration,
 * config space. Documentation/device-model.rst describes the layers.
 *
 * Lock rules (the one place they are written down)
 * -------------------------------------------------
 * A transport or binding serialises its own register state (vblk_mmio's
 * lock, the cdev session's lock) and calls in here; those locks nest
 * outside everything below.
 *
 * vd->lock (mutex) guards the device state: status, driver and negotiated
 * features, config generation, the binding, and the configuration of every
 * queue that is not ready. Taken by every configuration call, in process
 * context. Never taken by a processing pass.
 *
 * q->lock (mutex, one per queue) serialises the queue's processing pass
 * (vblk_vdev_process()) with changes of the queue's readiness, guest
 * memory and ring state. A pass holds it for as long as guest memory or
 * the backing takes, so whoever takes it may wait on the VMM: never take
 * it (or vd->lock, which is held around it) from a context that must not
 * wait on a VMM, such as a netlink handler. Order: vd->lock, then one
 * q->lock at a time; a pass takes only its q->lock.
 *
 * vd->cfg_lock (spinlock, innermost with the throttle's) makes each change
 * of the config space (capacity, the writeback byte) and its generation
 * one step for readers of the config space (vblk_vdev_cfg.c); it is never
 * held while waiting, so netlink handlers may take it.
 *
 * The throttle's spinlock (vblk_throttle.c) is innermost; the statistics
 * are atomics; capacity and serial change with marked accesses and are
 * read by passes without locks. Readers of display-only state (dev-get)
 * use READ_ONCE and take no lock.
 *
 * Callbacks: the binding's host ops are called under rcu_read_lock() after
 * every vblk lock is dropped (a kick may also come from the throttle
 * timer); the owner's event callback is called in process context with no
 * vblk lock held. Both are collected in struct vblk_deferred while locks
 * are held and made by vblk_fire() afterwards.
 */
#include <linux/bitops.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_config.h>

#include "vblk_vdev.h"

/* Status bits a driver may set; DEVICE_NEEDS_RESET belongs to the device. */
#define VBLK_DRIVER_STATUS	(VIRTIO_CONFIG_S_ACKNOWLEDGE |		\
				 VIRTIO_CONFIG_S_DRIVER |		\
				 VIRTIO_CONFIG_S_FEATURES_OK |		\
				 VIRTIO_CONFIG_S_DRIVER_OK |		\
				 VIRTIO_CONFIG_S_FAILED)

static_assert(VBLK_MAX_QUEUES <= BITS_PER_LONG);

/* Callbacks collected under a lock and made after it is dropped. */
struct vblk_deferred {
	unsigned long kick;			/* queues to kick */
	unsigned long used;			/* queues that published */
	unsigned long signal;			/* ... and want an interrupt */
	unsigned long ev[VBLK_MAX_QUEUES];	/* BIT(enum vblk_event) */
	bool config;				/* config change interrupt */
	bool unwait;				/* leave the group's queue */
};

static void vblk_fire(struct vblk_vdev *vd, const struct vblk_deferred *df)
{
	static const enum vblk_event order[] = {
		VBLK_EV_THROTTLE_STOP, VBLK_EV_THROTTLE_START,
		VBLK_EV_QUEUE_BROKEN,
	};
	const struct vblk_vdev_binding *b;
	unsigned int q, i;

	for (q = 0; q < vd->nvqs; q++) {
		for (i = 0; i < ARRAY_SIZE(order); i++) {
			if ((df->ev[q] & BIT(order[i])) && vd->event)
				vd->event(vd->event_ctx, q, order[i]);
		}
	}
	if (df->unwait)
		vblk_throttle_unwait(&vd->blk.throttle);
	if (!df->kick && !df->used && !df->config)
		return;
	rcu_read_lock();
	b = rcu_dereference(vd->binding);
	if (b) {
		for_each_set_bit(q, &df->used, vd->nvqs)
			b->ops->vq_used(b->ctx, q, df->signal & BIT(q));
		if (df->config)
			b->ops->config_changed(b->ctx);
		for_each_set_bit(q, &df->kick, vd->nvqs)
			b->ops->kick(b->ctx, q);
	}
	rcu_read_unlock();
}

static void vblk_collect(struct vblk_deferred *df, unsigned int q,
			 const struct vblk_blk_pass *p)
{
	df->ev[q] |= p->events;
	if (p->published)
		df->used |= BIT(q);
	if (p->signal)
		df->signal |= BIT(q);
	if (p->rekick)
		df->kick |= BIT(q);
	df->unwait |= p->unwait;
}

/* ------------------------------------------------------------------ */
/* Features and status                                                */
/* ------------------------------------------------------------------ */

/**
 * vblk_vdev_get_device_features() - the features the device offers
 * @vd: the device
 *
 * Return: the offer (fixed for the device's life).
 */
u64 vblk_vdev_get_device_features(const struct vblk_vdev *vd)
{
	return vblk_blk_features(&vd->blk);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_get_device_features, VBLK);

/**
 * vblk_vdev_set_driver_features() - the features the driver accepts
 * @vd: the device
 * @features: the driver's choice
 *
 * Ignored once FEATURES_OK is set: negotiation is over.
 */
void vblk_vdev_set_driver_features(struct vblk_vdev *vd, u64 features)
{
	mutex_lock(&vd->lock);
	if (!(vd->status & VIRTIO_CONFIG_S_FEATURES_OK))
		WRITE_ONCE(vd->driver_features, features);
	mutex_unlock(&vd->lock);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_set_driver_features, VBLK);

/**
 * vblk_vdev_get_driver_features() - the features negotiated so far
 * @vd: the device
 *
 * Lockless (written under @vd->lock with WRITE_ONCE): the vDPA core asks
 * from a netlink handler, which must not wait behind a device operation.
 *
 * Return: what the driver accepted.
 */
u64 vblk_vdev_get_driver_features(struct vblk_vdev *vd)
{
	return READ_ONCE(vd->driver_features);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_get_driver_features, VBLK);

/**
 * vblk_vdev_get_features() - the negotiated features
 * @vd: the device
 *
 * Lockless (a snapshot); meaningful once FEATURES_OK is set.
 *
 * Return: the feature bits in effect.
 */
u64 vblk_vdev_get_features(const struct vblk_vdev *vd)
{
	return READ_ONCE(vd->features);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_get_features, VBLK);

/**
 * vblk_vdev_get_status() - the device status
 * @vd: the device
 *
 * Lockless (a snapshot).
 *
 * Return: VIRTIO_CONFIG_S_* bits.
 */
u32 vblk_vdev_get_status(const struct vblk_vdev *vd)
{
	return READ_ONCE(vd->status);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_get_status, VBLK);

/* Negotiated features change for the queues and the block side. */
static void vblk_set_features(struct vblk_vdev *vd, u64 f)
{
	unsigned int q;

	lockdep_assert_held(&vd->lock);
	WRITE_ONCE(vd->features, f);
	for (q = 0; q < vd->nvqs; q++) {
		struct vblk_vdev_queue *vq = &vd->qs[q];

		mutex_lock(&vq->lock);
		vq->vq.event_idx = f & BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
		vq->vq.indirect = f & BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC);
		mutex_unlock(&vq->lock);
	}
	vblk_blk_set_features(&vd->blk, f);
}

/* Device reset: status, features and queues cleared, counters kept. */
static void vblk_reset_locked(struct vblk_vdev *vd, struct vblk_deferred *df)
{
	unsigned int q;

	lockdep_assert_held(&vd->lock);
	for (q = 0; q < vd->nvqs; q++) {
		struct vblk_vdev_queue *vq = &vd->qs[q];
		struct vblk_blk_pass p = {};

		mutex_lock(&vq->lock);
		vblk_blk_queue_stop(&vd->blk, q, &p);
		vblk_vq_clear(&vq->vq);
		mutex_unlock(&vq->lock);
		vblk_collect(df, q, &p);
	}
	WRITE_ONCE(vd->status, 0);
	WRITE_ONCE(vd->driver_features, 0);
	vblk_set_features(vd, 0);
	vblk_vdev_cfg_reset(vd);
}

/* FEATURES_OK sticks only for a subset of the offer that has VERSION_1. */
static bool vblk_features_acceptable(const struct vblk_vdev *vd)
{
	u64 f = vd->driver_features;

	return !(f & ~vblk_vdev_get_device_features(vd)) &&
	       (f & BIT_ULL(VIRTIO_F_VERSION_1));
}

static void vblk_set_status_locked(struct vblk_vdev *vd, u32 val,
				   struct vblk_deferred *df)
{
	u32 old = vd->status, new = val & VBLK_DRIVER_STATUS;

	if (!val) {
		vblk_reset_locked(vd, df);
		return;
	}
	/* A driver never clears a bit; only a reset does. */
	if (old & ~new)
		return;
	if ((new & ~old) & VIRTIO_CONFIG_S_FEATURES_OK) {
		if (vblk_features_acceptable(vd))
			vblk_set_features(vd, vd->driver_features);
		else
			new &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if (!(new & VIRTIO_CONFIG_S_FEATURES_OK))
		new &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	WRITE_ONCE(vd->status, new);
}

/**
 * vblk_vdev_set_status() - the driver writes the device status
 * @vd: the device
 * @status: the new status; 0 resets the device
 *
 * A driver can only add bits (anything else is ignored); FEATURES_OK
 * sticks only when the accepted features are a subset of the offer with
 * VERSION_1, and DRIVER_OK only after FEATURES_OK. Process context.
 */
void vblk_vdev_set_status(struct vblk_vdev *vd, u32 status)
{
	struct vblk_deferred df = {};

	mutex_lock(&vd->lock);
	vblk_set_status_locked(vd, status, &df);
	mutex_unlock(&vd->lock);
	vblk_fire(vd, &df);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_set_status, VBLK);

/**
 * vblk_vdev_reset() - reset the device as a status write of 0 does
 * @vd: the device
 *
 * Waits for running processing passes, clears status, features and every
 * queue, cancels a pending throttle resume. Counters are kept. Process
 * context; may wait on the VMM (see the lock rules).
 */
void vblk_vdev_reset(struct vblk_vdev *vd)
{
	vblk_vdev_set_status(vd, 0);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_reset, VBLK);

/* ------------------------------------------------------------------ */
/* Queues                                                             */
/* ------------------------------------------------------------------ */

/**
 * vblk_vdev_num_queues() - number of virtqueues
 * @vd: the device
 *
 * Return: 1 to %VBLK_MAX_QUEUES.
 */
unsigned int vblk_vdev_num_queues(const struct vblk_vdev *vd)
{
	return vd->nvqs;
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_num_queues, VBLK);

static struct vblk_vdev_queue *vblk_queue(struct vblk_vdev *vd, unsigned int q)
{
	return q < vd->nvqs ? &vd->qs[q] : NULL;
}

/**
 * vblk_vdev_set_vq_num() - set a queue's size
 * @vd: the device
 * @q: queue index
 * @num: size; anything but a power of 2 up to %VBLK_QUEUE_NUM_MAX leaves
 *	the queue unconfigured (it cannot be enabled)
 *
 * Ignored for an unknown or ready queue.
 */
void vblk_vdev_set_vq_num(struct vblk_vdev *vd, unsigned int q, u32 num)
{
	struct vblk_vdev_queue *vq = vblk_queue(vd, q);

	if (!vq)
		return;
	if (!num || num > VBLK_QUEUE_NUM_MAX || !is_power_of_2(num))
		num = 0;
	mutex_lock(&vd->lock);
	if (!vq->vq.ready)
		vq->vq.num = num;
	mutex_unlock(&vd->lock);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_set_vq_num, VBLK);

/**
 * vblk_vdev_set_vq_address() - set a queue's ring addresses
 * @vd: the device
 * @q: queue index
 * @desc: descriptor table
 * @driver: driver area (available ring)
 * @device: device area (used ring)
 *
 * Return: 0, -EINVAL for an unknown queue, -EBUSY for a ready one.
 */
int vblk_vdev_set_vq_address(struct vblk_vdev *vd, unsigned int q, u64 desc,
			     u64 driver, u64 device)
{
	struct vblk_vdev_queue *vq = vblk_queue(vd, q);
	int ret = 0;

	if (!vq)
		return -EINVAL;
	mutex_lock(&vd->lock);
	if (vq->vq.ready) {
		ret = -EBUSY;
	} else {
		vq->vq.desc = desc;
		vq->vq.avail = driver;
		vq->vq.used = device;
	}
	mutex_unlock(&vd->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_set_vq_address, VBLK);

/**
 * vblk_vdev_set_vq_ready() - enable or disable a queue
 * @vd: the device
 * @q: queue index
 * @ready: the new state
 *
 * Enabling needs a valid size and ring layout, allocates the queue's
 * request contexts and starts the queue at ring position 0 (or where
 * vblk_vdev_set_vq_state() put it); disabling waits for the queue's
 * transfers in flight (dropping them unpublished) and ends a throttle
 * stall of the queue. Waits for the queue's pass.
 *
 * Return: 0, -EINVAL for an unknown queue or a layout that cannot be
 * enabled, or -ENOMEM (the queue stays disabled).
 */
int vblk_vdev_set_vq_ready(struct vblk_vdev *vd, unsigned int q, bool ready)
{
	struct vblk_vdev_queue *vq = vblk_queue(vd, q);
	struct vblk_deferred df = {};
	struct vblk_blk_pass p = {};
	int ret = 0;

	if (!vq)
		return -EINVAL;
	mutex_lock(&vd->lock);
	if (ready == vq->vq.ready)
		goto out;
	if (ready &&
	    !vblk_vq_layout_ok(vq->vq.num, vq->vq.desc, vq->vq.avail,
			       vq->vq.used)) {
		ret = -EINVAL;
		goto out;
	}
	mutex_lock(&vq->lock);
	if (ready)
		ret = vblk_blk_queue_start(&vd->blk, q, vq->vq.num);
	else
		vblk_blk_queue_stop(&vd->blk, q, &p);
	if (!ret)
		WRITE_ONCE(vq->vq.ready, ready);
	mutex_unlock(&vq->lock);
out:
	mutex_unlock(&vd->lock);
	vblk_collect(&df, q, &p);
	vblk_fire(vd, &df);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_set_vq_ready, VBLK);

/**
 * vblk_vdev_get_vq_ready() - is a queue enabled?
 * @vd: the device
 * @q: queue index
 *
 * Return: true for a ready queue (false for an unknown one).
 */
bool vblk_vdev_get_vq_ready(struct vblk_vdev *vd, unsigned int q)
{
	struct vblk_vdev_queue *vq = vblk_queue(vd, q);

	return vq && READ_ONCE(vq->vq.ready);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_get_vq_ready, VBLK);

/**
 * vblk_vdev_set_vq_state() - set where a disabled queue resumes
 * @vd: the device
 * @q: queue index
 * @avail_idx: next available entry (and the used index)
 *
 * Return: 0, -EINVAL for an unknown queue, -EBUSY for a ready one.
 */
int vblk_vdev_set_vq_state(struct vblk_vdev *vd, unsigned int q,
			   u16 avail_idx)
{
	struct vblk_vdev_queue *vq = vblk_queue(vd, q);
	int ret = 0;

	if (!vq)
		return -EINVAL;
	mutex_lock(&vd->lock);
	mutex_lock(&vq->lock);
	if (vq->vq.ready)
		ret = -EBUSY;
	else
		vblk_vq_set_state(&vq->vq, avail_idx);
	mutex_unlock(&vq->lock);
	mutex_unlock(&vd->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_set_vq_state, VBLK);

/**
 * vblk_vdev_get_vq_state() - where a queue is
 * @vd: the device
 * @q: queue index
 * @avail_idx: the next available entry the device will process
 *
 * Waits for the queue's pass.
 *
 * Return: 0 or -EINVAL for an unknown queue.
 */
int vblk_vdev_get_vq_state(struct vblk_vdev *vd, unsigned int q,
			   u16 *avail_idx)
{
	struct vblk_vdev_queue *vq = vblk_queue(vd, q);

	if (!vq)
		return -EINVAL;
	mutex_lock(&vq->lock);
	*avail_idx = vq->vq.last_avail_idx;
	mutex_unlock(&vq->lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_get_vq_state, VBLK);

/**
 * vblk_vdev_kick() - the driver notified queue @q
 * @vd: the device
 * @q: queue index (out-of-range values are ignored)
 *
 * Passes the kick to the binding, which arranges a vblk_vdev_process().
 * Any context.
 */
void vblk_vdev_kick(struct vblk_vdev *vd, unsigned int q)
{
	struct vblk_deferred df = { .kick = q < vd->nvqs ? BIT(q) : 0 };

	vblk_fire(vd, &df);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_kick, VBLK);

/*
 * A queue stopped for a driver bug: the device needs a reset (virtio 1.2,
 * 2.1.2). DEVICE_NEEDS_RESET is set and a configuration change interrupt
 * tells the driver, which only a reset clears.
 */
static void vblk_needs_reset(struct vblk_vdev *vd, struct vblk_deferred *df)
{
	mutex_lock(&vd->lock);
	if (vd->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		WRITE_ONCE(vd->status,
			   vd->status | VIRTIO_CONFIG_S_NEEDS_RESET);
		df->config = true;
	}
	mutex_unlock(&vd->lock);
}

static bool vblk_vq_runnable(const struct vblk_vdev *vd,
			     const struct vblk_vq *vq)
{
	return vq->ready && !vq->broken && vq->mem.ops &&
	       (READ_ONCE(vd->status) & VIRTIO_CONFIG_S_DRIVER_OK);
}

/**
 * vblk_vdev_process() - serve queue @q
 * @vd: the device
 * @q: queue index (out-of-range values are ignored)
 *
 * One processing pass (vblk_blk_process()) if the queue is ready, not
 * broken, has guest memory and the driver is up; then the binding is told
 * about published chains and, if the pass stopped at its weight, kicked
 * again. Process context in the memory owner's address space; may sleep;
 * takes the queue's lock.
 */
void vblk_vdev_process(struct vblk_vdev *vd, unsigned int q)
{
	struct vblk_vdev_queue *vq = vblk_queue(vd, q);
	struct vblk_deferred df = {};
	struct vblk_blk_pass p = {};

	if (!vq)
		return;
	mutex_lock(&vq->lock);
	if (vblk_vq_runnable(vd, &vq->vq))
		vblk_blk_process(&vd->blk, q, &vq->vq, &p);
	mutex_unlock(&vq->lock);
	vblk_collect(&df, q, &p);
	if (p.events & BIT(VBLK_EV_QUEUE_BROKEN))
		vblk_needs_reset(vd, &df);
	vblk_fire(vd, &df);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_process, VBLK);

/**
 * vblk_vdev_vq_snapshot() - a queue's state for display
 * @vd: the device
 * @q: queue index (below vblk_vdev_num_queues())
 * @s: the snapshot
 *
 * Lockless: a pass may hold the queue's lock for as long as the VMM's
 * memory takes to fault in.
 */
void vblk_vdev_vq_snapshot(const struct vblk_vdev *vd, unsigned int q,
			   struct vblk_vq_snapshot *s)
{
	const struct vblk_vq *vq = &vd->qs[q].vq;

	s->num = READ_ONCE(vq->num);
	s->ready = READ_ONCE(vq->ready);
	s->broken = READ_ONCE(vq->broken);
	s->throttled = READ_ONCE(vd->blk.qs[q].throttled);
	s->last_avail_idx = READ_ONCE(vq->last_avail_idx);
	s->used_idx = READ_ONCE(vq->used_idx);
	s->requests = atomic64_read(&vd->blk.qs[q].stats.requests);
	s->bytes = atomic64_read(&vd->blk.qs[q].stats.bytes);
	s->inflight_peak = READ_ONCE(vd->blk.qs[q].inflight_peak);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_vq_snapshot, VBLK);

/**
 * vblk_vdev_config_changed() - tell a running driver the config changed
 * @vd: the device
 *
 * Raises a configuration change interrupt through the binding once the
 * driver is up (DRIVER_OK). Takes no lock: any context that may take an
 * RCU read lock, no vblk lock held.
 */
void vblk_vdev_config_changed(struct vblk_vdev *vd)
{
	struct vblk_deferred df = {
		.config = READ_ONCE(vd->status) & VIRTIO_CONFIG_S_DRIVER_OK,
	};

	vblk_fire(vd, &df);
}

/* ------------------------------------------------------------------ */
/* Life cycle and bindings                                            */
/* ------------------------------------------------------------------ */

/* Queues have work (throttle resume, completed transfers). Any context. */
static void vblk_vdev_blk_kick(struct vblk_blk *blk, unsigned long queues)
{
	struct vblk_vdev *vd = container_of(blk, struct vblk_vdev, blk);
	struct vblk_deferred df = { .kick = queues };

	vblk_fire(vd, &df);
}

/* Give every queue the binding's guest memory (or none). */
static void vblk_set_mem(struct vblk_vdev *vd, const struct vblk_mem *mem)
{
	unsigned int q;

	lockdep_assert_held(&vd->lock);
	for (q = 0; q < vd->nvqs; q++) {
		mutex_lock(&vd->qs[q].lock);
		vd->qs[q].vq.mem = *mem;
		mutex_unlock(&vd->qs[q].lock);
	}
}

/**
 * vblk_vdev_bind() - give the device to a binding
 * @vd: the device, reset
 * @b: guest memory and callbacks; must stay valid until
 *	vblk_vdev_unbind()
 *
 * Return: 0, or -EBUSY if another binding has the device.
 */
int vblk_vdev_bind(struct vblk_vdev *vd, const struct vblk_vdev_binding *b)
{
	int ret = 0;

	mutex_lock(&vd->lock);
	if (rcu_access_pointer(vd->binding)) {
		ret = -EBUSY;
	} else {
		vblk_set_mem(vd, &b->mem);
		rcu_assign_pointer(vd->binding, b);
	}
	mutex_unlock(&vd->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_bind, VBLK);

/**
 * vblk_vdev_unbind() - take the device back from its binding
 * @vd: the device
 *
 * The device is reset (waiting for running passes) and loses its guest
 * memory; no callback reaches the binding after this returns. The caller
 * stops its own workers first: a pass that still runs must not be
 * started again. Process context; may wait on the VMM.
 */
void vblk_vdev_unbind(struct vblk_vdev *vd)
{
	struct vblk_deferred df = {};
	const struct vblk_mem none = {};

	mutex_lock(&vd->lock);
	rcu_assign_pointer(vd->binding, NULL);
	vblk_reset_locked(vd, &df);
	vblk_set_mem(vd, &none);
	mutex_unlock(&vd->lock);
	/* No callback sees the binding after this. */
	synchronize_rcu();
	vblk_fire(vd, &df);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_unbind, VBLK);

/**
 * vblk_vdev_init() - initialise a device
 * @vd: the device
 * @cfg: capacity, read-only flag, serial and queue count, copied
 * @backing: backing store operations
 * @backing_ctx: their context
 * @event: the owner's event callback (may be NULL)
 * @event_ctx: its context
 *
 * The device starts reset and unbound, with counters at zero and an
 * unlimited throttle.
 *
 * Return: 0, -EINVAL for a bad queue count, or -ENOMEM.
 */
int vblk_vdev_init(struct vblk_vdev *vd, const struct vblk_blk_config *cfg,
		   const struct vblk_backing_ops *backing, void *backing_ctx,
		   vblk_vdev_event_fn event, void *event_ctx)
{
	unsigned int q;
	int err;

	err = vblk_blk_init(&vd->blk, cfg, backing, backing_ctx,
			    vblk_vdev_blk_kick);
	if (err)
		return err;
	vd->qs = kcalloc(cfg->num_queues, sizeof(*vd->qs), GFP_KERNEL_ACCOUNT);
	if (!vd->qs) {
		vblk_blk_destroy(&vd->blk);
		return -ENOMEM;
	}
	vd->nvqs = cfg->num_queues;
	mutex_init(&vd->lock);
	spin_lock_init(&vd->cfg_lock);
	vd->status = 0;
	vd->driver_features = 0;
	vd->features = 0;
	vd->config_generation = 0;
	RCU_INIT_POINTER(vd->binding, NULL);
	vd->event = event;
	vd->event_ctx = event_ctx;
	for (q = 0; q < vd->nvqs; q++) {
		mutex_init(&vd->qs[q].lock);
		vblk_vq_init(&vd->qs[q].vq);
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_init, VBLK);

/**
 * vblk_vdev_destroy() - release a device
 * @vd: an unbound device; no call into it can start any more
 *
 * Cancels the throttle timer.
 */
void vblk_vdev_destroy(struct vblk_vdev *vd)
{
	unsigned int q;

	vblk_blk_destroy(&vd->blk);
	for (q = 0; q < vd->nvqs; q++)
		mutex_destroy(&vd->qs[q].lock);
	kfree(vd->qs);
	vd->qs = NULL;
	mutex_destroy(&vd->lock);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_destroy, VBLK);
