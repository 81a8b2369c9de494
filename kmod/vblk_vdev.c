// SPDX-License-Identifier: GPL-2.0
/*
 * vblk device model: the virtio-mmio register file (virtio 1.2, 4.2.2),
 * split virtqueue processing and virtio-blk request handling (5.2).
 * Documentation/device-model.rst describes the rules implemented here.
 *
 * Contexts and locking
 * --------------------
 * MMIO accesses (vblk_vdev_mmio_read/write) run in process context: the
 * VMM's thread forwarding an MMIO exit, or a test. They take vd->lock and
 * touch only register state: struct vblk_vdev's register fields, the
 * configuration of a queue that is not ready, and (QueueReady, Status = 0)
 * the queue's mutex, taken after vd->lock. They never touch guest memory
 * or the backing. The host callbacks they cause (kick for QueueNotify,
 * events for a reset) are made after vd->lock is dropped.
 *
 * Queue processing (vblk_vdev_process) runs in the worker: process
 * context, may sleep, in the VMM's address space. Guest memory is reached
 * only through vd->mem, the backing only through vd->backing. It takes
 * vq->mutex and never vd->lock; the register state it needs (Status, the
 * negotiated features) is read with READ_ONCE, and a queue's configuration
 * is stable while it is ready (see struct vblk_vq). Host callbacks are
 * made after vq->mutex is dropped.
 *
 * Atomic state: vd->isr (InterruptStatus) and vd->stats, touched from any
 * context without locks; vq->throttled is read by nobody outside the
 * mutex but written with WRITE_ONCE for diagnostics.
 *
 * The throttle timer callback (softirq) only calls host->kick.
 *
 * Lock order: vd->lock, then vq->mutex, then the throttle's spinlock
 * (inside vblk_throttle_*). Reset (Status = 0, vblk_vdev_reset) takes
 * vd->lock and then every vq->mutex, so it waits for a running pass, and
 * then cancels the throttle timer.
 */
#include <kunit/visibility.h>
#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/unaligned.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_config.h>

#include "vblk_vdev.h"

/* Features offered to every driver; VIRTIO_BLK_F_RO is added when read-only. */
#define VBLK_FEATURES	(BIT_ULL(VIRTIO_F_VERSION_1) |			\
			 BIT_ULL(VIRTIO_RING_F_EVENT_IDX) |		\
			 BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |		\
			 BIT_ULL(VIRTIO_BLK_F_SIZE_MAX) |		\
			 BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |		\
			 BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |		\
			 BIT_ULL(VIRTIO_BLK_F_FLUSH))

/* Notification data would break ioeventfd matching on QueueNotify. */
static_assert(!(VBLK_FEATURES & BIT_ULL(VIRTIO_F_NOTIFICATION_DATA)));

#define VBLK_MMIO_MAGIC		0x74726976	/* "virt" */
#define VBLK_MMIO_VERSION	2
#define VBLK_CONFIG_SIZE	sizeof(struct virtio_blk_config)

/* Status bits a driver may set; DEVICE_NEEDS_RESET belongs to the device. */
#define VBLK_DRIVER_STATUS	(VIRTIO_CONFIG_S_ACKNOWLEDGE |		\
				 VIRTIO_CONFIG_S_DRIVER |		\
				 VIRTIO_CONFIG_S_FEATURES_OK |		\
				 VIRTIO_CONFIG_S_DRIVER_OK |		\
				 VIRTIO_CONFIG_S_FAILED)

/* Split virtqueue structures as they sit in guest memory (little-endian). */
struct vblk_desc {
	__le64 addr;
	__le32 len;
	__le16 flags;
	__le16 next;
};

struct vblk_used_elem {
	__le32 id;
	__le32 len;
};

struct vblk_outhdr {
	__le32 type;
	__le32 ioprio;
	__le64 sector;
};

static_assert(sizeof(struct vblk_desc) == 16);
static_assert(sizeof(struct vblk_used_elem) == 8);
static_assert(sizeof(struct vblk_outhdr) == 16);

/* Host callbacks collected under a lock and made after it is dropped. */
struct vblk_deferred {
	unsigned long kick;			/* queues to kick */
	unsigned long ev[VBLK_NUM_QUEUES];	/* BIT(enum vblk_event) */
	bool signal;
};

static void vblk_fire(struct vblk_vdev *vd, const struct vblk_deferred *df)
{
	static const enum vblk_event order[] = {
		VBLK_EV_THROTTLE_STOP, VBLK_EV_THROTTLE_START,
		VBLK_EV_QUEUE_BROKEN,
	};
	unsigned int q, i;

	for (q = 0; q < VBLK_NUM_QUEUES; q++) {
		for (i = 0; i < ARRAY_SIZE(order); i++) {
			if ((df->ev[q] & BIT(order[i])) && vd->host->event)
				vd->host->event(vd, q, order[i]);
		}
	}
	if (df->signal)
		vd->host->signal(vd);
	for (q = 0; q < VBLK_NUM_QUEUES; q++) {
		if (df->kick & BIT(q))
			vd->host->kick(vd, q);
	}
}

static unsigned int vblk_vq_index(const struct vblk_vdev *vd,
				  const struct vblk_vq *vq)
{
	return vq - vd->vqs;
}

/* ------------------------------------------------------------------ */
/* Features and config space                                          */
/* ------------------------------------------------------------------ */

/**
 * vblk_vdev_features() - the feature bits the device offers
 * @vd: the device
 *
 * Return: VERSION_1, RING_EVENT_IDX, RING_INDIRECT_DESC, BLK_F_SIZE_MAX,
 * BLK_F_SEG_MAX, BLK_F_BLK_SIZE, BLK_F_FLUSH, and BLK_F_RO for a read-only
 * device. Never VIRTIO_F_NOTIFICATION_DATA.
 */
u64 vblk_vdev_features(const struct vblk_vdev *vd)
{
	u64 f = VBLK_FEATURES;

	if (vd->cfg.read_only)
		f |= BIT_ULL(VIRTIO_BLK_F_RO);
	return f;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vdev_features);

static bool vblk_negotiated(const struct vblk_vdev *vd, unsigned int bit)
{
	return READ_ONCE(vd->features) & BIT_ULL(bit);
}

/* The config space image, little-endian, struct virtio_blk_config layout. */
static void vblk_config_image(const struct vblk_vdev *vd, u8 *buf)
{
	memset(buf, 0, VBLK_CONFIG_SIZE);
	put_unaligned_le64(READ_ONCE(vd->cfg.capacity),
			   buf + offsetof(struct virtio_blk_config, capacity));
	put_unaligned_le32(VBLK_SIZE_MAX,
			   buf + offsetof(struct virtio_blk_config, size_max));
	put_unaligned_le32(VBLK_SEG_MAX,
			   buf + offsetof(struct virtio_blk_config, seg_max));
	put_unaligned_le32(VBLK_SECTOR_SIZE,
			   buf + offsetof(struct virtio_blk_config, blk_size));
}

/*
 * Config space accesses: 1, 2 or 4 bytes naturally aligned, or 8 bytes
 * 4-byte aligned (a 64-bit field read in one go or as two halves), inside
 * struct virtio_blk_config.
 */
static bool vblk_config_access_ok(u32 off, unsigned int len)
{
	u32 rel = off - VIRTIO_MMIO_CONFIG;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return false;
	if (!IS_ALIGNED(off, min(len, 4U)))
		return false;
	return rel < VBLK_CONFIG_SIZE && len <= VBLK_CONFIG_SIZE - rel;
}

/* ------------------------------------------------------------------ */
/* Register file                                                      */
/* ------------------------------------------------------------------ */

#define VBLK_R	BIT(0)
#define VBLK_W	BIT(1)

/* Access rights of every register below the config space, by offset / 4. */
static const u8 vblk_reg_access[VIRTIO_MMIO_CONFIG / 4] = {
	[VIRTIO_MMIO_MAGIC_VALUE / 4]		= VBLK_R,
	[VIRTIO_MMIO_VERSION / 4]		= VBLK_R,
	[VIRTIO_MMIO_DEVICE_ID / 4]		= VBLK_R,
	[VIRTIO_MMIO_VENDOR_ID / 4]		= VBLK_R,
	[VIRTIO_MMIO_DEVICE_FEATURES / 4]	= VBLK_R,
	[VIRTIO_MMIO_DEVICE_FEATURES_SEL / 4]	= VBLK_W,
	[VIRTIO_MMIO_DRIVER_FEATURES / 4]	= VBLK_W,
	[VIRTIO_MMIO_DRIVER_FEATURES_SEL / 4]	= VBLK_W,
	[VIRTIO_MMIO_QUEUE_SEL / 4]		= VBLK_W,
	[VIRTIO_MMIO_QUEUE_NUM_MAX / 4]		= VBLK_R,
	[VIRTIO_MMIO_QUEUE_NUM / 4]		= VBLK_W,
	[VIRTIO_MMIO_QUEUE_READY / 4]		= VBLK_R | VBLK_W,
	[VIRTIO_MMIO_QUEUE_NOTIFY / 4]		= VBLK_W,
	[VIRTIO_MMIO_INTERRUPT_STATUS / 4]	= VBLK_R,
	[VIRTIO_MMIO_INTERRUPT_ACK / 4]		= VBLK_W,
	[VIRTIO_MMIO_STATUS / 4]		= VBLK_R | VBLK_W,
	[VIRTIO_MMIO_QUEUE_DESC_LOW / 4]	= VBLK_W,
	[VIRTIO_MMIO_QUEUE_DESC_HIGH / 4]	= VBLK_W,
	[VIRTIO_MMIO_QUEUE_AVAIL_LOW / 4]	= VBLK_W,
	[VIRTIO_MMIO_QUEUE_AVAIL_HIGH / 4]	= VBLK_W,
	[VIRTIO_MMIO_QUEUE_USED_LOW / 4]	= VBLK_W,
	[VIRTIO_MMIO_QUEUE_USED_HIGH / 4]	= VBLK_W,
	[VIRTIO_MMIO_SHM_SEL / 4]		= VBLK_W,
	[VIRTIO_MMIO_SHM_LEN_LOW / 4]		= VBLK_R,
	[VIRTIO_MMIO_SHM_LEN_HIGH / 4]		= VBLK_R,
	[VIRTIO_MMIO_SHM_BASE_LOW / 4]		= VBLK_R,
	[VIRTIO_MMIO_SHM_BASE_HIGH / 4]		= VBLK_R,
	[VIRTIO_MMIO_CONFIG_GENERATION / 4]	= VBLK_R,
};

/* Registers below the config space: 32 bits wide and aligned, known. */
static u8 vblk_reg_rights(u32 off, unsigned int len)
{
	if (len != 4 || !IS_ALIGNED(off, 4))
		return 0;
	return vblk_reg_access[off / 4];
}

static struct vblk_vq *vblk_sel_vq(struct vblk_vdev *vd)
{
	return vd->queue_sel < VBLK_NUM_QUEUES ? &vd->vqs[vd->queue_sel] : NULL;
}

static u32 vblk_reg_read(struct vblk_vdev *vd, u32 off)
{
	struct vblk_vq *vq = vblk_sel_vq(vd);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VBLK_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VBLK_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return VIRTIO_ID_BLOCK;
	case VIRTIO_MMIO_VENDOR_ID:
		return VBLK_VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (vd->dev_features_sel > 1)
			return 0;
		return vblk_vdev_features(vd) >> (32 * vd->dev_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vq ? VBLK_QUEUE_NUM_MAX : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return vq && vq->ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return atomic_read(&vd->isr);
	case VIRTIO_MMIO_STATUS:
		return vd->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return U32_MAX;		/* no shared memory region: length -1 */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return vd->config_generation;
	}
	return 0;
}

static void vblk_vq_clear(struct vblk_vq *vq)
{
	vq->num = 0;
	vq->ready = false;
	vq->addr_set = 0;
	vq->desc = 0;
	vq->avail = 0;
	vq->used = 0;
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_used_valid = false;
	vq->broken = false;
	WRITE_ONCE(vq->throttled, false);
}

/* End a throttle stall that will never be resumed (reset, queue stop). */
static void vblk_vq_unthrottle(struct vblk_vdev *vd, struct vblk_vq *vq,
			       struct vblk_deferred *df)
{
	if (!vq->throttled)
		return;
	WRITE_ONCE(vq->throttled, false);
	atomic64_set(&vd->stats.currently_throttled_gauge, 0);
	df->ev[vblk_vq_index(vd, vq)] |= BIT(VBLK_EV_THROTTLE_STOP);
}

/* Device reset: registers and queues cleared, counters kept. */
static void vblk_reset_locked(struct vblk_vdev *vd, struct vblk_deferred *df)
{
	unsigned int q;

	lockdep_assert_held(&vd->lock);
	for (q = 0; q < VBLK_NUM_QUEUES; q++) {
		struct vblk_vq *vq = &vd->vqs[q];

		mutex_lock(&vq->mutex);
		vblk_vq_unthrottle(vd, vq, df);
		vblk_vq_clear(vq);
		mutex_unlock(&vq->mutex);
	}
	vblk_throttle_cancel(&vd->throttle);
	WRITE_ONCE(vd->status, 0);
	WRITE_ONCE(vd->features, 0);
	vd->driver_features = 0;
	vd->dev_features_sel = 0;
	vd->drv_features_sel = 0;
	vd->queue_sel = 0;
	atomic_set(&vd->isr, 0);
}

/* FEATURES_OK sticks only for a subset of the offer that has VERSION_1. */
static bool vblk_features_acceptable(const struct vblk_vdev *vd)
{
	u64 f = vd->driver_features;

	return !(f & ~vblk_vdev_features(vd)) &&
	       (f & BIT_ULL(VIRTIO_F_VERSION_1));
}

static void vblk_write_status(struct vblk_vdev *vd, u32 val,
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
			WRITE_ONCE(vd->features, vd->driver_features);
		else
			new &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if (!(new & VIRTIO_CONFIG_S_FEATURES_OK))
		new &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	WRITE_ONCE(vd->status, new);
}

static void vblk_write_driver_features(struct vblk_vdev *vd, u32 val)
{
	unsigned int shift;

	if (vd->status & VIRTIO_CONFIG_S_FEATURES_OK)
		return;		/* negotiation is over */
	if (vd->drv_features_sel > 1)
		return;
	shift = 32 * vd->drv_features_sel;
	vd->driver_features &= ~((u64)U32_MAX << shift);
	vd->driver_features |= (u64)val << shift;
}

/* QueueNum: a refused size leaves the queue unconfigured (num = 0). */
static void vblk_write_queue_num(struct vblk_vdev *vd, u32 val)
{
	struct vblk_vq *vq = vblk_sel_vq(vd);

	if (!vq || vq->ready)
		return;
	if (!val || val > VBLK_QUEUE_NUM_MAX || !is_power_of_2(val))
		val = 0;
	vq->num = val;
}

static void vblk_write_queue_addr(struct vblk_vdev *vd, u32 off, u32 val)
{
	struct vblk_vq *vq = vblk_sel_vq(vd);
	unsigned int shift = (off & 4) ? 32 : 0;
	u64 *field;
	u8 bit;

	if (!vq || vq->ready)
		return;
	switch (off & ~4U) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		field = &vq->desc;
		bit = VBLK_VQ_DESC_SET;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		field = &vq->avail;
		bit = VBLK_VQ_AVAIL_SET;
		break;
	default:
		field = &vq->used;
		bit = VBLK_VQ_USED_SET;
		break;
	}
	*field &= ~((u64)U32_MAX << shift);
	*field |= (u64)val << shift;
	vq->addr_set |= bit;
}

/* @gpa .. @gpa + @len - 1 does not wrap around the address space. */
static bool vblk_range_fits(u64 gpa, u64 len)
{
	u64 end;

	return !len || !check_add_overflow(gpa, len - 1, &end);
}

/* A queue may be enabled: valid size, every ring address set and aligned. */
static bool vblk_vq_config_ok(const struct vblk_vq *vq)
{
	u64 n = vq->num;

	if (!n || (vq->addr_set & VBLK_VQ_ADDRS_SET) != VBLK_VQ_ADDRS_SET)
		return false;
	if (!IS_ALIGNED(vq->desc, VRING_DESC_ALIGN_SIZE) ||
	    !IS_ALIGNED(vq->avail, VRING_AVAIL_ALIGN_SIZE) ||
	    !IS_ALIGNED(vq->used, VRING_USED_ALIGN_SIZE))
		return false;
	return vblk_range_fits(vq->desc, 16 * n) &&
	       vblk_range_fits(vq->avail, 6 + 2 * n) &&
	       vblk_range_fits(vq->used, 6 + 8 * n);
}

static void vblk_write_queue_ready(struct vblk_vdev *vd, u32 val,
				   struct vblk_deferred *df)
{
	struct vblk_vq *vq = vblk_sel_vq(vd);

	if (!vq || val > 1 || val == vq->ready)
		return;
	if (val && !vblk_vq_config_ok(vq))
		return;
	mutex_lock(&vq->mutex);
	if (val) {
		vq->last_avail_idx = 0;
		vq->used_idx = 0;
		vq->signalled_used = 0;
		vq->signalled_used_valid = true;
		vq->broken = false;
	} else {
		vblk_vq_unthrottle(vd, vq, df);
	}
	vq->ready = val;
	mutex_unlock(&vq->mutex);
}

static void vblk_reg_write(struct vblk_vdev *vd, u32 off, u32 val,
			   struct vblk_deferred *df)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vd->dev_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		vblk_write_driver_features(vd, val);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vd->drv_features_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		vd->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		vblk_write_queue_num(vd, val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		vblk_write_queue_ready(vd, val, df);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Without NOTIFICATION_DATA the value is the queue index. */
		if (val < VBLK_NUM_QUEUES)
			df->kick |= BIT(val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		atomic_andnot(val, &vd->isr);
		break;
	case VIRTIO_MMIO_STATUS:
		vblk_write_status(vd, val, df);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		vblk_write_queue_addr(vd, off, val);
		break;
	}
}

static bool vblk_window_ok(u32 off, unsigned int len)
{
	return off < VBLK_MMIO_WINDOW && len && len <= VBLK_MMIO_WINDOW - off;
}

/**
 * vblk_vdev_mmio_read() - a driver read of the virtio-mmio window
 * @vd: the device
 * @off: offset in the window
 * @val: where the @len bytes read are stored, little-endian as on the bus
 * @len: access width
 *
 * Registers below the config space are 32 bits wide and aligned; the
 * config space allows 1, 2 and 4-byte naturally aligned accesses and
 * 4-byte aligned 8-byte ones. Reading a write-only register yields 0.
 * Process context; takes vd->lock.
 *
 * Return: 0, or -EINVAL for an unknown offset or a wrong width (@val is
 * untouched then).
 */
int vblk_vdev_mmio_read(struct vblk_vdev *vd, u32 off, void *val,
			unsigned int len)
{
	u8 cfg[VBLK_CONFIG_SIZE];
	int ret = -EINVAL;

	if (!vblk_window_ok(off, len))
		return -EINVAL;
	mutex_lock(&vd->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (vblk_config_access_ok(off, len)) {
			vblk_config_image(vd, cfg);
			memcpy(val, cfg + (off - VIRTIO_MMIO_CONFIG), len);
			ret = 0;
		}
	} else {
		u8 rights = vblk_reg_rights(off, len);

		if (rights) {
			put_unaligned_le32(rights & VBLK_R ?
					   vblk_reg_read(vd, off) : 0, val);
			ret = 0;
		}
	}
	mutex_unlock(&vd->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vdev_mmio_read);

/**
 * vblk_vdev_mmio_write() - a driver write to the virtio-mmio window
 * @vd: the device
 * @off: offset in the window
 * @val: the @len bytes written, little-endian as on the bus
 * @len: access width
 *
 * Width rules as for vblk_vdev_mmio_read(). Writes to read-only registers
 * and to the (read-only) config space are ignored, as are writes the
 * virtio spec forbids in the current state (queue configuration of a ready
 * queue, driver features after FEATURES_OK). QueueNotify calls
 * host->kick() once vd->lock is dropped. Process context.
 *
 * Return: 0, or -EINVAL for an unknown offset or a wrong width.
 */
int vblk_vdev_mmio_write(struct vblk_vdev *vd, u32 off, const void *val,
			 unsigned int len)
{
	struct vblk_deferred df = {};
	int ret = -EINVAL;

	if (!vblk_window_ok(off, len))
		return -EINVAL;
	mutex_lock(&vd->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (vblk_config_access_ok(off, len))
			ret = 0;
	} else {
		u8 rights = vblk_reg_rights(off, len);

		if (rights) {
			if (rights & VBLK_W)
				vblk_reg_write(vd, off,
					       get_unaligned_le32(val), &df);
			ret = 0;
		}
	}
	mutex_unlock(&vd->lock);
	vblk_fire(vd, &df);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vdev_mmio_write);

/**
 * vblk_vdev_reset() - reset the device as a Status write of 0 does
 * @vd: the device
 *
 * Waits for a running vblk_vdev_process() pass, clears the register and
 * queue state, cancels the throttle timer. Counters are kept. Process
 * context; takes vd->lock, then each queue's mutex.
 */
void vblk_vdev_reset(struct vblk_vdev *vd)
{
	struct vblk_deferred df = {};

	mutex_lock(&vd->lock);
	vblk_reset_locked(vd, &df);
	mutex_unlock(&vd->lock);
	vblk_fire(vd, &df);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vdev_reset);

/**
 * vblk_vdev_set_capacity() - change the capacity seen by the driver
 * @vd: the device
 * @sectors: new capacity in 512-byte sectors
 *
 * Bumps ConfigGeneration and, once the driver is up (DRIVER_OK), raises a
 * configuration change interrupt. Requests are checked against the new
 * capacity from the next chain on. Process context; takes vd->lock.
 */
void vblk_vdev_set_capacity(struct vblk_vdev *vd, u64 sectors)
{
	bool notify;

	mutex_lock(&vd->lock);
	WRITE_ONCE(vd->cfg.capacity, sectors);
	vd->config_generation++;
	notify = vd->status & VIRTIO_CONFIG_S_DRIVER_OK;
	if (notify)
		atomic_or(VIRTIO_MMIO_INT_CONFIG, &vd->isr);
	mutex_unlock(&vd->lock);
	if (notify)
		vd->host->signal(vd);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vdev_set_capacity);

/* ------------------------------------------------------------------ */
/* Guest memory                                                       */
/* ------------------------------------------------------------------ */

static int vblk_gread(struct vblk_vdev *vd, u64 gpa, void *buf, size_t len)
{
	return vd->mem->read(vd->mem_ctx, gpa, buf, len);
}

static int vblk_gwrite(struct vblk_vdev *vd, u64 gpa, const void *buf,
		       size_t len)
{
	return vd->mem->write(vd->mem_ctx, gpa, buf, len);
}

static int vblk_read16(struct vblk_vdev *vd, u64 gpa, u16 *v)
{
	__le16 x;
	int err = vblk_gread(vd, gpa, &x, sizeof(x));

	if (!err)
		*v = le16_to_cpu(x);
	return err;
}

static int vblk_write16(struct vblk_vdev *vd, u64 gpa, u16 v)
{
	__le16 x = cpu_to_le16(v);

	return vblk_gwrite(vd, gpa, &x, sizeof(x));
}

/* Split ring layout (virtio 1.2, 2.7). */
static u64 vblk_avail_idx_gpa(const struct vblk_vq *vq)
{
	return vq->avail + 2;
}

static u64 vblk_avail_ring_gpa(const struct vblk_vq *vq, u16 idx)
{
	return vq->avail + 4 + 2 * (u64)(idx & (vq->num - 1));
}

static u64 vblk_used_event_gpa(const struct vblk_vq *vq)
{
	return vq->avail + 4 + 2 * (u64)vq->num;
}

static u64 vblk_used_flags_gpa(const struct vblk_vq *vq)
{
	return vq->used;
}

static u64 vblk_used_idx_gpa(const struct vblk_vq *vq)
{
	return vq->used + 2;
}

static u64 vblk_used_ring_gpa(const struct vblk_vq *vq, u16 idx)
{
	return vq->used + 4 + 8 * (u64)(idx & (vq->num - 1));
}

static u64 vblk_avail_event_gpa(const struct vblk_vq *vq)
{
	return vq->used + 4 + 8 * (u64)vq->num;
}

/* ------------------------------------------------------------------ */
/* Descriptor chains                                                  */
/* ------------------------------------------------------------------ */

/* Walk position: the table being read and how many entries were visited. */
struct vblk_walk {
	u64 table;
	u32 size;	/* entries in @table */
	u32 seen;	/* entries of @table visited: more than @size is a loop */
	u16 i;
	bool indirect;
};

static int vblk_read_desc(struct vblk_vdev *vd, const struct vblk_walk *w,
			  struct vblk_seg *seg, u16 *flags, u16 *next)
{
	struct vblk_desc d;
	int err;

	err = vblk_gread(vd, w->table + (u64)w->i * sizeof(d), &d, sizeof(d));
	if (err)
		return err;
	seg->gpa = le64_to_cpu(d.addr);
	seg->len = le32_to_cpu(d.len);
	*flags = le16_to_cpu(d.flags);
	*next = le16_to_cpu(d.next);
	return 0;
}

/*
 * Follow an indirect descriptor: negotiated, not nested, not combined with
 * NEXT, a non-empty whole number of descriptors, at most the queue size,
 * not wrapping the address space.
 */
static int vblk_enter_indirect(const struct vblk_vdev *vd,
			       const struct vblk_vq *vq,
			       const struct vblk_seg *seg, u16 flags,
			       struct vblk_walk *w)
{
	if (!vblk_negotiated(vd, VIRTIO_RING_F_INDIRECT_DESC))
		return -EINVAL;
	if (w->indirect || (flags & VRING_DESC_F_NEXT))
		return -EINVAL;
	if (!seg->len || seg->len % sizeof(struct vblk_desc) ||
	    seg->len / sizeof(struct vblk_desc) > vq->num)
		return -EINVAL;
	if (!vblk_range_fits(seg->gpa, seg->len))
		return -EINVAL;
	w->table = seg->gpa;
	w->size = seg->len / sizeof(struct vblk_desc);
	w->seen = 0;
	w->i = 0;
	w->indirect = true;
	return 0;
}

/*
 * Walk the chain at @head into @c. Every index is checked against its
 * table, loops are caught by counting visits per table, and the flattened
 * chain is bounded at VBLK_MAX_CHAIN descriptors. Any failure means the
 * chain is dropped.
 */
static int vblk_walk_chain(struct vblk_vdev *vd, const struct vblk_vq *vq,
			   u16 head, struct vblk_chain *c)
{
	struct vblk_walk w = {
		.table = vq->desc, .size = vq->num, .i = head,
	};
	struct vblk_seg seg;
	u16 flags, next;
	int err;

	c->n = 0;
	for (;;) {
		if (w.i >= w.size)
			return -ERANGE;
		if (++w.seen > w.size)
			return -ELOOP;
		err = vblk_read_desc(vd, &w, &seg, &flags, &next);
		if (err)
			return err;
		if (flags & VRING_DESC_F_INDIRECT) {
			err = vblk_enter_indirect(vd, vq, &seg, flags, &w);
			if (err)
				return err;
			continue;
		}
		if (c->n == VBLK_MAX_CHAIN)
			return -E2BIG;
		c->seg[c->n] = seg;
		c->flags[c->n] = flags;
		c->n++;
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		w.i = next;
	}
}

/* The last descriptor must be a device-writable byte for the status. */
static bool vblk_chain_has_status(const struct vblk_chain *c)
{
	unsigned int last = c->n - 1;

	return (c->flags[last] & VRING_DESC_F_WRITE) && c->seg[last].len;
}

/* ------------------------------------------------------------------ */
/* Requests: validation                                               */
/* ------------------------------------------------------------------ */

/* What a validated request asks of the backing. */
enum vblk_op {
	VBLK_OP_NONE,		/* nothing: complete with the status as is */
	VBLK_OP_READ,
	VBLK_OP_WRITE,
	VBLK_OP_FLUSH,
	VBLK_OP_GET_ID,
};

/**
 * struct vblk_req - one request being handled
 * @head: head descriptor index, for the used ring
 * @type: VIRTIO_BLK_T_* from the header (U32_MAX if there is none)
 * @sector: first sector from the header
 * @pos: byte offset in the backing (READ/WRITE)
 * @len: data bytes (READ/WRITE), serial bytes (GET_ID)
 * @op: what to do once admitted
 * @status: VIRTIO_BLK_S_* for the guest
 * @iter: the guest data, as built by vd->mem->iter()
 */
struct vblk_req {
	u16 head;
	u32 type;
	u64 sector;
	u64 pos;
	u64 len;
	enum vblk_op op;
	u8 status;
	struct iov_iter iter;
};

/* Header: the first descriptor alone, device-readable, >= 16 bytes. */
static u8 vblk_read_header(struct vblk_vdev *vd, const struct vblk_chain *c,
			   struct vblk_req *req)
{
	struct vblk_outhdr h;

	if (c->n < 2)
		return VIRTIO_BLK_S_IOERR;	/* the status is all there is */
	if ((c->flags[0] & VRING_DESC_F_WRITE) || c->seg[0].len < sizeof(h))
		return VIRTIO_BLK_S_IOERR;
	if (vblk_gread(vd, c->seg[0].gpa, &h, sizeof(h)))
		return VIRTIO_BLK_S_IOERR;
	req->type = le32_to_cpu(h.type);
	req->sector = le64_to_cpu(h.sector);
	return VIRTIO_BLK_S_OK;
}

/*
 * Build req->iter over the chain's data descriptors (all but the first and
 * the last), skipping empty ones and stopping after @limit bytes. The
 * memory backend checks every byte range against guest memory.
 */
static int vblk_build_iter(struct vblk_vdev *vd, struct vblk_vq *vq,
			   struct vblk_req *req, unsigned int dir, u64 limit)
{
	const struct vblk_chain *c = &vq->scratch.chain;
	struct vblk_seg *segs = vq->scratch.data;
	unsigned int i, n = 0;
	u64 left = limit;
	int err;

	for (i = 1; i + 1 < c->n && left; i++) {
		struct vblk_seg s = c->seg[i];

		if (!s.len)
			continue;
		s.len = min_t(u64, s.len, left);
		if (!vblk_range_fits(s.gpa, s.len))
			return -EFAULT;
		segs[n++] = s;
		left -= s.len;
	}
	if (!n) {
		iov_iter_kvec(&req->iter, dir, NULL, 0, 0);
		return 0;
	}
	err = vd->mem->iter(vd->mem_ctx, segs, n, dir, &vq->scratch.iov,
			    &req->iter);
	if (err)
		return err;
	return iov_iter_count(&req->iter) == limit - left ? 0 : -EFAULT;
}

/* The request's bytes lie inside the capacity; @pos gets the offset. */
static bool vblk_range_ok(const struct vblk_vdev *vd, u64 sector, u64 len,
			  u64 *pos)
{
	u64 cap;

	if (check_shl_overflow(sector, VBLK_SECTOR_SHIFT, pos))
		return false;
	if (check_shl_overflow(READ_ONCE(vd->cfg.capacity), VBLK_SECTOR_SHIFT,
			       &cap))
		cap = U64_MAX;
	cap = min_t(u64, cap, LLONG_MAX);	/* a loff_t must hold the end */
	return *pos <= cap && len <= cap - *pos;
}

/*
 * T_IN / T_OUT, in this order: read-only device (writes), at least one
 * data descriptor, data direction, SIZE_MAX per descriptor, a whole number
 * of sectors, inside the capacity, data in guest memory.
 */
static u8 vblk_validate_rw(struct vblk_vdev *vd, struct vblk_vq *vq,
			   struct vblk_req *req)
{
	const struct vblk_chain *c = &vq->scratch.chain;
	bool in = req->type == VIRTIO_BLK_T_IN;
	unsigned int i, last = c->n - 1;
	u64 len = 0;

	if (!in && vd->cfg.read_only)
		return VIRTIO_BLK_S_IOERR;
	if (last < 2)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i < last; i++) {
		if (!!(c->flags[i] & VRING_DESC_F_WRITE) != in)
			return VIRTIO_BLK_S_IOERR;
		if (c->seg[i].len > VBLK_SIZE_MAX)
			return VIRTIO_BLK_S_IOERR;
		len += c->seg[i].len;
	}
	if (len % VBLK_SECTOR_SIZE)
		return VIRTIO_BLK_S_IOERR;
	if (!vblk_range_ok(vd, req->sector, len, &req->pos))
		return VIRTIO_BLK_S_IOERR;
	req->len = len;
	if (vblk_build_iter(vd, vq, req, in ? ITER_DEST : ITER_SOURCE, len))
		return VIRTIO_BLK_S_IOERR;
	req->op = in ? VBLK_OP_READ : VBLK_OP_WRITE;
	return VIRTIO_BLK_S_OK;
}

/* T_FLUSH: data descriptors and sector are ignored; read-only: no-op. */
static u8 vblk_validate_flush(struct vblk_vdev *vd, struct vblk_req *req)
{
	req->op = vd->cfg.read_only ? VBLK_OP_NONE : VBLK_OP_FLUSH;
	return VIRTIO_BLK_S_OK;
}

/*
 * T_GET_ID: at least one data descriptor, all device-writable; the serial
 * fills at most VIRTIO_BLK_ID_BYTES bytes of them (a shorter buffer gets
 * a truncated serial).
 */
static u8 vblk_validate_get_id(struct vblk_vdev *vd, struct vblk_vq *vq,
			       struct vblk_req *req)
{
	const struct vblk_chain *c = &vq->scratch.chain;
	unsigned int i, last = c->n - 1;

	if (last < 2)
		return VIRTIO_BLK_S_IOERR;
	for (i = 1; i < last; i++) {
		if (!(c->flags[i] & VRING_DESC_F_WRITE))
			return VIRTIO_BLK_S_IOERR;
	}
	if (vblk_build_iter(vd, vq, req, ITER_DEST, VIRTIO_BLK_ID_BYTES))
		return VIRTIO_BLK_S_IOERR;
	req->len = iov_iter_count(&req->iter);
	req->op = VBLK_OP_GET_ID;
	return VIRTIO_BLK_S_OK;
}

/*
 * Validate a walked chain that has a status descriptor. Returns the status
 * to complete with; VIRTIO_BLK_S_OK with req->op != VBLK_OP_NONE means the
 * request is ready for the throttle and dispatch.
 */
static u8 vblk_validate(struct vblk_vdev *vd, struct vblk_vq *vq,
			struct vblk_req *req)
{
	u8 st = vblk_read_header(vd, &vq->scratch.chain, req);

	if (st != VIRTIO_BLK_S_OK)
		return st;
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return vblk_validate_rw(vd, vq, req);
	case VIRTIO_BLK_T_FLUSH:
		return vblk_validate_flush(vd, req);
	case VIRTIO_BLK_T_GET_ID:
		return vblk_validate_get_id(vd, vq, req);
	}
	return VIRTIO_BLK_S_UNSUPP;
}

/* ------------------------------------------------------------------ */
/* Requests: I/O                                                      */
/* ------------------------------------------------------------------ */

/*
 * Make @it reflect exactly @done of the @before bytes it held consumed,
 * whatever the backing did to it.
 */
static void vblk_iter_settle(struct iov_iter *it, size_t before, size_t done)
{
	size_t want = before - done, now = iov_iter_count(it);

	if (now > want)
		iov_iter_advance(it, now - want);
	else if (now < want)
		iov_iter_revert(it, want - now);
}

static int vblk_zero_rest(struct iov_iter *it)
{
	size_t n = iov_iter_count(it);

	return iov_iter_zero(n, it) == n ? 0 : -EFAULT;
}

/*
 * Move the request's data. Short transfers are continued; -EINTR is retried
 * at most VBLK_EINTR_RETRIES times per request; a read that hits the end of
 * the backing file zero-fills the rest; a write that makes no progress
 * fails. Every iteration either moves a byte or spends a retry.
 */
static int vblk_do_rw(struct vblk_vdev *vd, struct vblk_req *req, bool write)
{
	const struct vblk_backing_ops *b = vd->backing;
	struct iov_iter *it = &req->iter;
	loff_t pos = req->pos;
	unsigned int eintr = 0;

	while (iov_iter_count(it)) {
		size_t before = iov_iter_count(it);
		ssize_t r;

		r = write ? b->write_iter(vd->backing_ctx, it, pos) :
			    b->read_iter(vd->backing_ctx, it, pos);
		if (r == -EINTR) {
			vblk_iter_settle(it, before, 0);
			if (++eintr > VBLK_EINTR_RETRIES)
				return -EINTR;
			continue;
		}
		if (r < 0)
			return r;
		if (r > before)
			return -EIO;
		vblk_iter_settle(it, before, r);
		if (!r)
			return write ? -EIO : vblk_zero_rest(it);
		pos += r;
		cond_resched();
	}
	return 0;
}

/*
 * Make written data durable: all of it (@len == 0), or the @len bytes at
 * @pos when the backing can sync a range (else all of it). -EINTR is
 * retried at most VBLK_EINTR_RETRIES times.
 */
static int vblk_do_sync(struct vblk_vdev *vd, loff_t pos, u64 len)
{
	const struct vblk_backing_ops *b = vd->backing;
	unsigned int tries;
	int err;

	for (tries = 0; ; tries++) {
		if (len && b->sync_range)
			err = b->sync_range(vd->backing_ctx, pos, len);
		else
			err = b->sync(vd->backing_ctx);
		if (err != -EINTR || tries == VBLK_EINTR_RETRIES)
			return err;
	}
}

/*
 * A driver that did not negotiate VIRTIO_BLK_F_FLUSH never flushes: the
 * device is write-through for it, and a write completes only once its
 * data is durable.
 */
static int vblk_do_write(struct vblk_vdev *vd, struct vblk_req *req)
{
	int err = vblk_do_rw(vd, req, true);

	if (err || !req->len || vblk_negotiated(vd, VIRTIO_BLK_F_FLUSH))
		return err;
	return vblk_do_sync(vd, req->pos, req->len);
}

static int vblk_do_get_id(struct vblk_vdev *vd, struct vblk_req *req)
{
	size_t n = iov_iter_count(&req->iter);

	BUILD_BUG_ON(sizeof(vd->cfg.serial) != VIRTIO_BLK_ID_BYTES);
	return copy_to_iter(vd->cfg.serial, n, &req->iter) == n ? 0 : -EFAULT;
}

static u8 vblk_execute(struct vblk_vdev *vd, struct vblk_req *req)
{
	int err = 0;

	switch (req->op) {
	case VBLK_OP_READ:
		err = vblk_do_rw(vd, req, false);
		break;
	case VBLK_OP_WRITE:
		err = vblk_do_write(vd, req);
		break;
	case VBLK_OP_FLUSH:
		err = vblk_do_sync(vd, 0, 0);
		break;
	case VBLK_OP_GET_ID:
		err = vblk_do_get_id(vd, req);
		break;
	case VBLK_OP_NONE:
		break;
	}
	return err ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

/* ------------------------------------------------------------------ */
/* Queue processing                                                   */
/* ------------------------------------------------------------------ */

/* What became of one popped chain. */
enum vblk_outcome {
	VBLK_PUBLISH,	/* status known: write it and add a used entry */
	VBLK_DROP,	/* malformed: no status, no used entry */
	VBLK_STALL,	/* throttled: put back into the avail ring */
};

/* Why a drain stopped. */
enum vblk_stop {
	VBLK_CAUGHT_UP,	/* consumed everything up to the avail index read */
	VBLK_STALLED,	/* the throttle refused a request */
	VBLK_BUDGET,	/* the pass's weight is used up */
	VBLK_RING_FAULT,	/* an avail ring entry could not be read */
};

/* One vblk_vdev_process() call. */
struct vblk_pass {
	unsigned int reqs;
	u64 bytes;
	unsigned int published;
	bool failsafe;		/* re-enabling notifications failed */
	struct vblk_deferred df;
};

static bool vblk_event_idx(const struct vblk_vdev *vd)
{
	return vblk_negotiated(vd, VIRTIO_RING_F_EVENT_IDX);
}

/* Stop the queue for a driver bug; it stays stopped until reset. */
static void vblk_vq_break(struct vblk_vdev *vd, struct vblk_vq *vq,
			  struct vblk_pass *p)
{
	vq->broken = true;
	atomic64_inc(&vd->stats.invalid_avail_idx_count);
	vblk_vq_unthrottle(vd, vq, &p->df);
	p->df.ev[vblk_vq_index(vd, vq)] |= BIT(VBLK_EV_QUEUE_BROKEN);
}

/*
 * Read the avail index. It may run ahead of last_avail_idx by at most the
 * queue size; more is a driver bug that stops the queue.
 */
static bool vblk_read_avail(struct vblk_vdev *vd, struct vblk_vq *vq,
			    struct vblk_pass *p, u16 *avail)
{
	if (vblk_read16(vd, vblk_avail_idx_gpa(vq), avail))
		return false;
	if ((u16)(*avail - vq->last_avail_idx) > vq->num) {
		vblk_vq_break(vd, vq, p);
		return false;
	}
	/* Read ring entries only after the index that exposes them. */
	smp_rmb();
	return true;
}

/* Legacy notification suppression while draining (EVENT_IDX needs none). */
static void vblk_notify_disable(struct vblk_vdev *vd, struct vblk_vq *vq)
{
	if (!vblk_event_idx(vd))
		vblk_write16(vd, vblk_used_flags_gpa(vq),
			     VRING_USED_F_NO_NOTIFY);
}

/*
 * Ask for kicks again: EVENT_IDX writes avail_event = last_avail_idx,
 * legacy clears VRING_USED_F_NO_NOTIFY. The full barrier orders that
 * write before the avail index is read again. False if the write failed.
 */
static bool vblk_notify_enable(struct vblk_vdev *vd, struct vblk_vq *vq)
{
	int err;

	if (vblk_event_idx(vd))
		err = vblk_write16(vd, vblk_avail_event_gpa(vq),
				   vq->last_avail_idx);
	else
		err = vblk_write16(vd, vblk_used_flags_gpa(vq), 0);
	/* Pairs with the driver's barrier between adding and checking. */
	smp_mb();
	return !err;
}

/* Throttle gate; when it refuses, the caller puts the chain back. */
static bool vblk_admit(struct vblk_vdev *vd, struct vblk_vq *vq,
		       const struct vblk_req *req, struct vblk_pass *p)
{
	u64 bytes = 0;

	switch (req->op) {
	case VBLK_OP_READ:
	case VBLK_OP_WRITE:
		bytes = req->len;
		break;
	case VBLK_OP_FLUSH:
		break;
	default:
		return true;
	}
	if (!vblk_throttle_admit(&vd->throttle, 1, bytes))
		return false;
	if (vq->throttled) {
		WRITE_ONCE(vq->throttled, false);
		atomic64_set(&vd->stats.currently_throttled_gauge, 0);
		p->df.ev[vblk_vq_index(vd, vq)] |= BIT(VBLK_EV_THROTTLE_STOP);
	}
	return true;
}

/* Undo the pop and record the stall (once per stall, not per retry). */
static void vblk_stall(struct vblk_vdev *vd, struct vblk_vq *vq,
		       struct vblk_pass *p)
{
	vq->last_avail_idx--;
	if (vq->throttled)
		return;
	WRITE_ONCE(vq->throttled, true);
	atomic64_inc(&vd->stats.throttled_count);
	atomic64_set(&vd->stats.currently_throttled_gauge, 1);
	p->df.ev[vblk_vq_index(vd, vq)] |= BIT(VBLK_EV_THROTTLE_START);
}

/*
 * Chain -> outcome: walk (drop on failure), status descriptor (drop if
 * missing), validation (completes invalid requests without touching the
 * throttle), throttle, dispatch.
 */
static enum vblk_outcome vblk_handle_chain(struct vblk_vdev *vd,
					   struct vblk_vq *vq,
					   struct vblk_req *req,
					   struct vblk_pass *p)
{
	struct vblk_chain *c = &vq->scratch.chain;

	if (req->head >= vq->num)
		return VBLK_DROP;
	if (vblk_walk_chain(vd, vq, req->head, c) || !vblk_chain_has_status(c))
		return VBLK_DROP;
	req->status = vblk_validate(vd, vq, req);
	if (req->status != VIRTIO_BLK_S_OK || req->op == VBLK_OP_NONE)
		return VBLK_PUBLISH;
	if (!vblk_admit(vd, vq, req, p))
		return VBLK_STALL;
	req->status = vblk_execute(vd, req);
	return VBLK_PUBLISH;
}

/* Bytes the device wrote into the chain, for the used entry. */
static u32 vblk_written(const struct vblk_req *req)
{
	if (req->status == VIRTIO_BLK_S_OK &&
	    (req->op == VBLK_OP_READ || req->op == VBLK_OP_GET_ID))
		return req->len + 1;
	return 1;
}

/*
 * The used entry, then the status byte into the LAST byte of the status
 * descriptor, then the used index. Any failure: nothing is published (an
 * entry written beyond the used index is not visible to the driver), and
 * the status byte is never written for a chain that is not published
 * because of a used ring fault.
 */
static bool vblk_publish(struct vblk_vdev *vd, struct vblk_vq *vq,
			 const struct vblk_req *req)
{
	const struct vblk_chain *c = &vq->scratch.chain;
	const struct vblk_seg *st = &c->seg[c->n - 1];
	struct vblk_used_elem e = {
		.id = cpu_to_le32(req->head),
		.len = cpu_to_le32(vblk_written(req)),
	};
	u64 gpa;

	if (check_add_overflow(st->gpa, (u64)st->len - 1, &gpa))
		return false;
	if (vblk_gwrite(vd, vblk_used_ring_gpa(vq, vq->used_idx), &e,
			sizeof(e)))
		return false;
	if (vblk_gwrite(vd, gpa, &req->status, 1))
		return false;
	/* Entry and status must be visible before the index exposing them. */
	smp_wmb();
	if (vblk_write16(vd, vblk_used_idx_gpa(vq), vq->used_idx + 1))
		return false;
	vq->used_idx++;
	return true;
}

/* One outcome per popped chain: exactly one counter moves (or none). */
static void vblk_account(struct vblk_stats *s, const struct vblk_req *req)
{
	if (req->status == VIRTIO_BLK_S_IOERR) {
		atomic64_inc(&s->io_errors);
		return;
	}
	if (req->status != VIRTIO_BLK_S_OK)
		return;
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
		atomic64_inc(&s->reads_completed);
		atomic64_add(req->len, &s->bytes_read);
		break;
	case VIRTIO_BLK_T_OUT:
		atomic64_inc(&s->writes_completed);
		atomic64_add(req->len, &s->bytes_written);
		break;
	case VIRTIO_BLK_T_FLUSH:
		atomic64_inc(&s->flushes_completed);
		break;
	}
}

static void vblk_complete(struct vblk_vdev *vd, struct vblk_vq *vq,
			  const struct vblk_req *req, struct vblk_pass *p)
{
	if (!vblk_publish(vd, vq, req)) {
		atomic64_inc(&vd->stats.io_errors);
		return;
	}
	p->published++;
	vblk_account(&vd->stats, req);
}

/* Pop the next head; false if the avail ring entry cannot be read. */
static bool vblk_pop(struct vblk_vdev *vd, struct vblk_vq *vq, u16 *head)
{
	if (vblk_read16(vd, vblk_avail_ring_gpa(vq, vq->last_avail_idx), head))
		return false;
	vq->last_avail_idx++;
	return true;
}

/* Handle chains in FIFO order until last_avail_idx reaches @avail. */
static enum vblk_stop vblk_drain(struct vblk_vdev *vd, struct vblk_vq *vq,
				 u16 avail, struct vblk_pass *p)
{
	struct vblk_req req;

	while (vq->last_avail_idx != avail) {
		if (p->reqs >= VBLK_WEIGHT_REQS || p->bytes >= VBLK_WEIGHT_BYTES)
			return VBLK_BUDGET;
		memset(&req, 0, sizeof(req));
		req.type = U32_MAX;
		if (!vblk_pop(vd, vq, &req.head))
			return VBLK_RING_FAULT;
		switch (vblk_handle_chain(vd, vq, &req, p)) {
		case VBLK_STALL:
			vblk_stall(vd, vq, p);
			return VBLK_STALLED;
		case VBLK_DROP:
			atomic64_inc(&vd->stats.io_errors);
			break;
		case VBLK_PUBLISH:
			vblk_complete(vd, vq, &req, p);
			break;
		}
		p->reqs++;
		p->bytes += req.len;
		cond_resched();
	}
	return VBLK_CAUGHT_UP;
}

/*
 * Drain, re-enable notifications, re-read the avail index, drain again on
 * new work. Notifications count as enabled on entry: every pass that
 * disabled them re-enables them before it ends. Bounded: every
 * round handles a chain or ends the pass, and chains are bounded by the
 * pass's weight.
 */
static void vblk_run(struct vblk_vdev *vd, struct vblk_vq *vq,
		     struct vblk_pass *p)
{
	bool enabled = true;
	u16 avail;

	for (;;) {
		if (!vblk_read_avail(vd, vq, p, &avail)) {
			/* never leave kicks off (best effort) */
			if (!enabled)
				vblk_notify_enable(vd, vq);
			return;
		}
		if (avail == vq->last_avail_idx) {
			if (enabled)
				return;
			if (!vblk_notify_enable(vd, vq)) {
				p->failsafe = true;
				return;
			}
			enabled = true;
			continue;
		}
		if (enabled) {
			vblk_notify_disable(vd, vq);
			enabled = false;
		}
		switch (vblk_drain(vd, vq, avail, p)) {
		case VBLK_CAUGHT_UP:
			break;
		case VBLK_STALLED:
			/* the timer kicks us; a failure here changes nothing */
			vblk_notify_enable(vd, vq);
			return;
		case VBLK_BUDGET:
			/*
			 * Come back for the rest. Kicks are re-enabled too, so
			 * that no pass ever starts with them off.
			 */
			vblk_notify_enable(vd, vq);
			p->df.kick |= BIT(vblk_vq_index(vd, vq));
			return;
		case VBLK_RING_FAULT:
			vblk_notify_enable(vd, vq);
			return;
		}
	}
}

/*
 * Needs-notification, once per pass: legacy always; EVENT_IDX when the
 * used index crossed used_event since the last decision (fail-safe: an
 * unreadable used_event means notify).
 */
static bool vblk_need_signal(struct vblk_vdev *vd, struct vblk_vq *vq)
{
	u16 old = vq->signalled_used, new = vq->used_idx, event;

	vq->signalled_used = new;
	vq->signalled_used_valid = true;
	if (!vblk_event_idx(vd))
		return true;
	/* The used index must be visible before used_event is read. */
	smp_mb();
	if (vblk_read16(vd, vblk_used_event_gpa(vq), &event))
		return true;
	return vring_need_event(event, new, old);
}

static void vblk_finish(struct vblk_vdev *vd, struct vblk_vq *vq,
			struct vblk_pass *p)
{
	bool need;

	if (!p->published)
		return;
	atomic_or(VIRTIO_MMIO_INT_VRING, &vd->isr);
	need = vblk_need_signal(vd, vq);
	p->df.signal = need || p->failsafe;
}

static bool vblk_vq_runnable(const struct vblk_vdev *vd,
			     const struct vblk_vq *vq)
{
	return vq->ready && !vq->broken && vd->mem &&
	       (READ_ONCE(vd->status) & VIRTIO_CONFIG_S_DRIVER_OK);
}

/**
 * vblk_vdev_process() - serve queue @q
 * @vd: the device
 * @q: queue index (out-of-range values are ignored)
 *
 * Pops and handles available chains in FIFO order, re-enables
 * notifications and re-checks for new work, sets InterruptStatus and
 * signals the guest at most once, after the pass, if needs-notification
 * says so. A pass is bounded (%VBLK_WEIGHT_REQS chains or
 * %VBLK_WEIGHT_BYTES bytes); when the bound is hit, host->kick() asks for
 * another pass. Worker (process) context; may sleep; takes the queue's
 * mutex. Host callbacks are made after the mutex is dropped.
 */
void vblk_vdev_process(struct vblk_vdev *vd, unsigned int q)
{
	struct vblk_pass p = {};
	struct vblk_vq *vq;

	if (q >= VBLK_NUM_QUEUES)
		return;
	vq = &vd->vqs[q];
	mutex_lock(&vq->mutex);
	if (vblk_vq_runnable(vd, vq)) {
		vblk_run(vd, vq, &p);
		vblk_finish(vd, vq, &p);
	}
	mutex_unlock(&vq->mutex);
	vblk_fire(vd, &p.df);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vdev_process);

/* ------------------------------------------------------------------ */
/* Life cycle                                                         */
/* ------------------------------------------------------------------ */

/* Throttle timer (softirq): restart the queues. */
static void vblk_vdev_throttle_resume(struct vblk_throttle *t)
{
	struct vblk_vdev *vd = container_of(t, struct vblk_vdev, throttle);
	unsigned int q;

	for (q = 0; q < VBLK_NUM_QUEUES; q++)
		vd->host->kick(vd, q);
}

/**
 * vblk_vdev_init() - initialise a device model instance
 * @vd: the device (zeroed or not; large: not on the stack)
 * @cfg: capacity, read-only flag and serial, copied
 * @backing: backing store operations
 * @backing_ctx: their context
 * @host: host callbacks (kick and signal required, event optional)
 * @host_ctx: their context (the callbacks get @vd; this is for the host)
 *
 * The device starts reset, without guest memory (no queue runs until
 * vblk_vdev_set_mem()), with counters at zero and an unlimited throttle.
 */
void vblk_vdev_init(struct vblk_vdev *vd, const struct vblk_vdev_config *cfg,
		    const struct vblk_backing_ops *backing, void *backing_ctx,
		    const struct vblk_host_ops *host, void *host_ctx)
{
	unsigned int q;

	mutex_init(&vd->lock);
	vd->cfg = *cfg;
	vd->mem = NULL;
	vd->mem_ctx = NULL;
	vd->backing = backing;
	vd->backing_ctx = backing_ctx;
	vd->host = host;
	vd->host_ctx = host_ctx;
	vd->status = 0;
	vd->dev_features_sel = 0;
	vd->drv_features_sel = 0;
	vd->driver_features = 0;
	vd->queue_sel = 0;
	vd->config_generation = 0;
	vd->features = 0;
	atomic_set(&vd->isr, 0);
	for (q = 0; q < VBLK_NUM_QUEUES; q++) {
		mutex_init(&vd->vqs[q].mutex);
		vblk_vq_clear(&vd->vqs[q]);
	}
	memset(&vd->stats, 0, sizeof(vd->stats));
	vblk_throttle_init(&vd->throttle, vblk_vdev_throttle_resume);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vdev_init);

/**
 * vblk_vdev_destroy() - release a device model instance
 * @vd: the device
 *
 * The caller guarantees that no MMIO access, processing pass or kick can
 * start any more (worker stopped). Cancels the throttle timer.
 */
void vblk_vdev_destroy(struct vblk_vdev *vd)
{
	unsigned int q;

	vblk_throttle_cancel(&vd->throttle);
	for (q = 0; q < VBLK_NUM_QUEUES; q++)
		mutex_destroy(&vd->vqs[q].mutex);
	mutex_destroy(&vd->lock);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vdev_destroy);

/**
 * vblk_vdev_set_mem() - bind (or unbind, @mem NULL) guest memory
 * @vd: the device
 * @mem: guest memory operations
 * @mem_ctx: their context
 *
 * Waits for running processing passes. Process context; takes vd->lock
 * and each queue's mutex.
 */
void vblk_vdev_set_mem(struct vblk_vdev *vd, const struct vblk_mem_ops *mem,
		       void *mem_ctx)
{
	unsigned int q;

	static_assert(VBLK_NUM_QUEUES <= MAX_LOCKDEP_SUBCLASSES);
	mutex_lock(&vd->lock);
	for (q = 0; q < VBLK_NUM_QUEUES; q++)
		mutex_lock_nested(&vd->vqs[q].mutex, q);
	vd->mem = mem;
	vd->mem_ctx = mem_ctx;
	for (q = VBLK_NUM_QUEUES; q-- > 0; )
		mutex_unlock(&vd->vqs[q].mutex);
	mutex_unlock(&vd->lock);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vdev_set_mem);
