// SPDX-License-Identifier: GPL-2.0
/*
 * vblk virtio-mmio transport: the version 2 register file (virtio 1.2,
 * 4.2.2) over the typed device API. Accesses come from the VMM's thread
 * forwarding an MMIO exit (or a test), in process context, serialised by
 * the caller. They never touch guest memory or the backing themselves, but
 * some device calls wait for a queue's pass (see the lock rules in
 * vblk_vdev.c).
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <uapi/linux/virtio_config.h>
#include <kunit/visibility.h>

#include "vblk_mmio.h"
#include "vblk_vdev.h"

#define VBLK_MMIO_MAGIC		0x74726976	/* "virt" */
#define VBLK_MMIO_VERSION	2

/* struct vblk_mmio_queue.addr_set bits */
#define VBLK_Q_DESC_SET		BIT(0)
#define VBLK_Q_AVAIL_SET	BIT(1)
#define VBLK_Q_USED_SET		BIT(2)
#define VBLK_Q_ADDRS_SET	(VBLK_Q_DESC_SET | VBLK_Q_AVAIL_SET | \
				 VBLK_Q_USED_SET)

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

/*
 * Config space accesses: 1, 2 or 4 bytes naturally aligned, or 8 bytes
 * 4-byte aligned (a 64-bit field read in one go or as two halves), inside
 * the device's config space.
 */
static bool vblk_config_access_ok(const struct vblk_mmio *m, u32 off,
				  unsigned int len)
{
	u32 rel = off - VIRTIO_MMIO_CONFIG;
	size_t size = vblk_vdev_get_config_size(m->vd);

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return false;
	if (!IS_ALIGNED(off, min(len, 4U)))
		return false;
	return rel < size && len <= size - rel;
}

static bool vblk_window_ok(u32 off, unsigned int len)
{
	return off < VBLK_MMIO_WINDOW && len && len <= VBLK_MMIO_WINDOW - off;
}

/* The selected queue's registers, NULL if QueueSel names no queue. */
static struct vblk_mmio_queue *vblk_sel_queue(struct vblk_mmio *m)
{
	if (m->queue_sel >= vblk_vdev_num_queues(m->vd))
		return NULL;
	return &m->q[m->queue_sel];
}

static u32 vblk_reg_read(struct vblk_mmio *m, u32 off)
{
	struct vblk_mmio_queue *mq = vblk_sel_queue(m);

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
		if (m->dev_features_sel > 1)
			return 0;
		return vblk_vdev_get_device_features(m->vd) >>
		       (32 * m->dev_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return mq ? VBLK_QUEUE_NUM_MAX : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return mq && vblk_vdev_get_vq_ready(m->vd, m->queue_sel);
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return atomic_read(&m->isr);
	case VIRTIO_MMIO_STATUS:
		return vblk_vdev_get_status(m->vd);
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return U32_MAX;		/* no shared memory region: length -1 */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return vblk_vdev_get_generation(m->vd);
	}
	return 0;
}

/* Transport state back to its reset values. */
static void vblk_mmio_clear(struct vblk_mmio *m)
{
	m->dev_features_sel = 0;
	m->drv_features_sel = 0;
	m->driver_features = 0;
	m->queue_sel = 0;
	memset(m->q, 0, sizeof(m->q));
	atomic_set(&m->isr, 0);
}

static void vblk_write_status(struct vblk_mmio *m, u32 val)
{
	if (!val)
		vblk_mmio_clear(m);
	vblk_vdev_set_status(m->vd, val);
}

static void vblk_write_driver_features(struct vblk_mmio *m, u32 val)
{
	unsigned int shift;

	if (m->drv_features_sel > 1)
		return;
	if (vblk_vdev_get_status(m->vd) & VIRTIO_CONFIG_S_FEATURES_OK)
		return;		/* negotiation is over */
	shift = 32 * m->drv_features_sel;
	m->driver_features &= ~((u64)U32_MAX << shift);
	m->driver_features |= (u64)val << shift;
	vblk_vdev_set_driver_features(m->vd, m->driver_features);
}

/* Queue registers can be written while the queue is not ready. */
static struct vblk_mmio_queue *vblk_sel_queue_cfg(struct vblk_mmio *m)
{
	struct vblk_mmio_queue *mq = vblk_sel_queue(m);

	if (!mq || vblk_vdev_get_vq_ready(m->vd, m->queue_sel))
		return NULL;
	return mq;
}

static void vblk_write_queue_addr(struct vblk_mmio *m, u32 off, u32 val)
{
	struct vblk_mmio_queue *mq = vblk_sel_queue_cfg(m);
	unsigned int shift = (off & 4) ? 32 : 0;
	u64 *field;
	u8 bit;

	if (!mq)
		return;
	switch (off & ~4U) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		field = &mq->desc;
		bit = VBLK_Q_DESC_SET;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		field = &mq->avail;
		bit = VBLK_Q_AVAIL_SET;
		break;
	default:
		field = &mq->used;
		bit = VBLK_Q_USED_SET;
		break;
	}
	*field &= ~((u64)U32_MAX << shift);
	*field |= (u64)val << shift;
	mq->addr_set |= bit;
}

/*
 * QueueReady = 1 hands the queue's registers to the device, which enables
 * the queue if they describe a valid ring (every address written, a valid
 * size, aligned rings).
 */
static void vblk_write_queue_ready(struct vblk_mmio *m, u32 val)
{
	struct vblk_mmio_queue *mq = vblk_sel_queue(m);
	unsigned int q = m->queue_sel;

	if (!mq || val > 1)
		return;
	if (val && !vblk_vdev_get_vq_ready(m->vd, q)) {
		if ((mq->addr_set & VBLK_Q_ADDRS_SET) != VBLK_Q_ADDRS_SET)
			return;
		vblk_vdev_set_vq_num(m->vd, q, mq->num);
		if (vblk_vdev_set_vq_address(m->vd, q, mq->desc, mq->avail,
					     mq->used))
			return;
		/* Starts at ring position 0 (the set_vq_state default). */
		if (vblk_vdev_set_vq_state(m->vd, q, 0))
			return;
	}
	vblk_vdev_set_vq_ready(m->vd, q, val);
}

static void vblk_reg_write(struct vblk_mmio *m, u32 off, u32 val)
{
	struct vblk_mmio_queue *mq;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		m->dev_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		vblk_write_driver_features(m, val);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		m->drv_features_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		m->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		mq = vblk_sel_queue_cfg(m);
		if (mq)
			mq->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		vblk_write_queue_ready(m, val);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Without NOTIFICATION_DATA the value is the queue index. */
		vblk_vdev_kick(m->vd, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		atomic_andnot(val, &m->isr);
		break;
	case VIRTIO_MMIO_STATUS:
		vblk_write_status(m, val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		vblk_write_queue_addr(m, off, val);
		break;
	}
}

/**
 * vblk_mmio_read() - a driver read of the register window
 * @m: the register file
 * @off: offset in the window
 * @val: where the @len bytes read are stored, little-endian as on the bus
 * @len: access width
 *
 * Registers below the config space are 32 bits wide and aligned; the
 * config space allows 1, 2 and 4-byte naturally aligned accesses and
 * 4-byte aligned 8-byte ones. Reading a write-only register yields 0.
 *
 * Return: 0, or -EINVAL for an offset outside the window, an unknown
 * register or a wrong width (@val is untouched then).
 */
int vblk_mmio_read(struct vblk_mmio *m, u32 off, void *val, unsigned int len)
{
	u8 rights;

	if (!vblk_window_ok(off, len))
		return -EINVAL;
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (!vblk_config_access_ok(m, off, len))
			return -EINVAL;
		return vblk_vdev_get_config(m->vd, off - VIRTIO_MMIO_CONFIG,
					    val, len);
	}
	rights = vblk_reg_rights(off, len);
	if (!rights)
		return -EINVAL;
	put_unaligned_le32(rights & VBLK_R ? vblk_reg_read(m, off) : 0, val);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_mmio_read);

/**
 * vblk_mmio_write() - a driver write to the register window
 * @m: the register file
 * @off: offset in the window
 * @val: the @len bytes written, little-endian as on the bus
 * @len: access width
 *
 * Width rules as for vblk_mmio_read(). Writes to read-only registers and
 * to the read-only bytes of the config space are ignored (only the
 * writeback byte is writable, see vblk_vdev_set_config()), as are writes
 * the virtio spec forbids in the current state (queue registers of a
 * ready queue, driver features after FEATURES_OK). May wait for a queue's
 * pass.
 *
 * Return: 0, or -EINVAL for an offset outside the window, an unknown
 * register or a wrong width.
 */
int vblk_mmio_write(struct vblk_mmio *m, u32 off, const void *val,
		    unsigned int len)
{
	u8 rights;

	if (!vblk_window_ok(off, len))
		return -EINVAL;
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (!vblk_config_access_ok(m, off, len))
			return -EINVAL;
		return vblk_vdev_set_config(m->vd, off - VIRTIO_MMIO_CONFIG,
					    val, len);
	}
	rights = vblk_reg_rights(off, len);
	if (!rights)
		return -EINVAL;
	if (rights & VBLK_W)
		vblk_reg_write(m, off, get_unaligned_le32(val));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_mmio_write);

/**
 * vblk_mmio_interrupt() - set InterruptStatus bits before an interrupt
 * @m: the register file
 * @bits: VIRTIO_MMIO_INT_VRING and/or VIRTIO_MMIO_INT_CONFIG
 *
 * Fully ordered: everything the device wrote before (used ring entries
 * and index, a new config generation) is visible to whoever sees the bit.
 * The driver's interrupt handler reads InterruptStatus and then the used
 * ring; the read reaches vblk_mmio_read() through the VMM, whose
 * syscall orders it after the bit is set. Any context.
 */
void vblk_mmio_interrupt(struct vblk_mmio *m, u32 bits)
{
	atomic_fetch_or(bits, &m->isr);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_mmio_interrupt);

/**
 * vblk_mmio_init() - a register file in its reset state
 * @m: the register file
 * @vd: the device behind it
 */
void vblk_mmio_init(struct vblk_mmio *m, struct vblk_vdev *vd)
{
	m->vd = vd;
	vblk_mmio_clear(m);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_mmio_init);
