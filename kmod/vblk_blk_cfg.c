// SPDX-License-Identifier: GPL-2.0
/*
 * vblk block semantics: what a virtio-blk device offers and shows (virtio
 * 1.2, 5.2.3 and 5.2.4): the feature bits, the config space image and its
 * one writable byte (the cache mode of VIRTIO_BLK_F_CONFIG_WCE), and the
 * serial. Everything the data path reads here is read with marked
 * accesses; writers are serialised by the device (vblk_vdev_cfg.c).
 */
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_config.h>
#include <kunit/visibility.h>

#include "vblk_blk.h"

/* Features offered to every driver; VIRTIO_BLK_F_RO is added when read-only. */
#define VBLK_FEATURES	(BIT_ULL(VIRTIO_F_VERSION_1) |			\
			 BIT_ULL(VIRTIO_RING_F_EVENT_IDX) |		\
			 BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |		\
			 BIT_ULL(VIRTIO_BLK_F_SIZE_MAX) |		\
			 BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |		\
			 BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |		\
			 BIT_ULL(VIRTIO_BLK_F_FLUSH) |			\
			 BIT_ULL(VIRTIO_BLK_F_TOPOLOGY) |		\
			 BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE))

/* Notification data would break ioeventfd matching on QueueNotify. */
static_assert(!(VBLK_FEATURES & BIT_ULL(VIRTIO_F_NOTIFICATION_DATA)));

/* ------------------------------------------------------------------ */
/* Features and config space                                          */
/* ------------------------------------------------------------------ */

/**
 * vblk_blk_features() - the feature bits the device offers
 * @blk: the device
 *
 * Return: VERSION_1, RING_EVENT_IDX, RING_INDIRECT_DESC, BLK_F_SIZE_MAX,
 * BLK_F_SEG_MAX, BLK_F_BLK_SIZE, BLK_F_FLUSH, BLK_F_TOPOLOGY,
 * BLK_F_CONFIG_WCE, BLK_F_RO for a read-only
 * device, BLK_F_MQ for one with several queues, and for a writable device
 * BLK_F_DISCARD and BLK_F_WRITE_ZEROES when its backing can do them.
 * Never VIRTIO_F_NOTIFICATION_DATA.
 */
u64 vblk_blk_features(const struct vblk_blk *blk)
{
	u64 f = VBLK_FEATURES;

	if (blk->cfg.read_only)
		f |= BIT_ULL(VIRTIO_BLK_F_RO);
	if (blk->cfg.num_queues > 1)
		f |= BIT_ULL(VIRTIO_BLK_F_MQ);
	if (!blk->cfg.read_only && blk->cfg.caps.discard)
		f |= BIT_ULL(VIRTIO_BLK_F_DISCARD);
	if (!blk->cfg.read_only && blk->cfg.caps.write_zeroes)
		f |= BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_blk_features);

/**
 * vblk_blk_config_size() - size of the config space
 *
 * Return: sizeof(struct virtio_blk_config).
 */
size_t vblk_blk_config_size(void)
{
	return sizeof(struct virtio_blk_config);
}

#define VBLK_CFG(field)	offsetof(struct virtio_blk_config, field)

/* The DISCARD and WRITE_ZEROES fields, for the features offered. */
static void vblk_config_dwz(const struct vblk_blk *blk, u64 f, u8 *buf)
{
	if (f & BIT_ULL(VIRTIO_BLK_F_DISCARD)) {
		put_unaligned_le32(VBLK_DISCARD_MAX_SECTORS,
				   buf + VBLK_CFG(max_discard_sectors));
		put_unaligned_le32(VBLK_DWZ_SEG_MAX,
				   buf + VBLK_CFG(max_discard_seg));
		put_unaligned_le32(blk->cfg.caps.discard_align,
				   buf + VBLK_CFG(discard_sector_alignment));
	}
	if (f & BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES)) {
		put_unaligned_le32(VBLK_WZ_MAX_SECTORS,
				   buf + VBLK_CFG(max_write_zeroes_sectors));
		put_unaligned_le32(VBLK_DWZ_SEG_MAX,
				   buf + VBLK_CFG(max_write_zeroes_seg));
		buf[VBLK_CFG(write_zeroes_may_unmap)] = blk->cfg.caps.zeroes_unmap;
	}
}

/**
 * vblk_blk_config_image() - the config space, little-endian
 * @blk: the device
 * @buf: vblk_blk_config_size() bytes, struct virtio_blk_config layout
 *
 * Fields of features not offered read as zero. Callers serialise it with
 * changes of the capacity and the writeback byte (the device's cfg_lock).
 */
void vblk_blk_config_image(const struct vblk_blk *blk, u8 *buf)
{
	const struct vblk_backing_caps *caps = &blk->cfg.caps;
	u64 f = vblk_blk_features(blk);

	memset(buf, 0, sizeof(struct virtio_blk_config));
	put_unaligned_le64(READ_ONCE(blk->cfg.capacity),
			   buf + VBLK_CFG(capacity));
	put_unaligned_le32(VBLK_SIZE_MAX, buf + VBLK_CFG(size_max));
	put_unaligned_le32(VBLK_SEG_MAX, buf + VBLK_CFG(seg_max));
	put_unaligned_le32(VBLK_SECTOR_SIZE, buf + VBLK_CFG(blk_size));
	/* VIRTIO_BLK_F_TOPOLOGY */
	buf[VBLK_CFG(physical_block_exp)] = caps->phys_exp;
	buf[VBLK_CFG(alignment_offset)] = caps->align_off;
	put_unaligned_le16(caps->min_io, buf + VBLK_CFG(min_io_size));
	put_unaligned_le32(caps->opt_io, buf + VBLK_CFG(opt_io_size));
	/*
	 * VIRTIO_BLK_F_CONFIG_WCE; without FLUSH the device is writethrough
	 * and says so (virtio 1.2, 5.2.5.2).
	 */
	if (vblk_blk_negotiated(blk, VIRTIO_BLK_F_CONFIG_WCE) &&
	    !vblk_blk_negotiated(blk, VIRTIO_BLK_F_FLUSH))
		buf[VBLK_CFG(wce)] = 0;
	else
		buf[VBLK_CFG(wce)] = READ_ONCE(blk->writeback);
	if (f & BIT_ULL(VIRTIO_BLK_F_MQ))
		put_unaligned_le16(blk->cfg.num_queues,
				   buf + VBLK_CFG(num_queues));
	vblk_config_dwz(blk, f, buf);
}

/*
 * The cache becomes writethrough: writes the device completed in
 * writeback mode may still be in the page cache, and the driver will
 * send no flush for them. The next pass syncs the backing before it
 * completes anything (vblk_blk_process()); here, under a spinlock, it is
 * only recorded.
 */
static void vblk_blk_set_writeback(struct vblk_blk *blk, u8 v)
{
	if (!v)
		atomic_inc(&blk->wt_switches);
	WRITE_ONCE(blk->writeback, v);
}

/**
 * vblk_blk_set_config() - a driver write to the config space
 * @blk: the device
 * @off: offset of the first byte written
 * @buf: the bytes written
 * @len: how many
 *
 * With VIRTIO_BLK_F_CONFIG_WCE negotiated, a write that covers the
 * writeback byte sets the cache mode: 0 writethrough, 1 writeback (other
 * values are ignored). Everything else is read-only. Called under the
 * device's cfg_lock. A switch to writethrough owes a sync of the backing,
 * which the next processing pass makes before it completes a request.
 *
 * Return: true if the config space changed.
 */
bool vblk_blk_set_config(struct vblk_blk *blk, unsigned int off,
			 const u8 *buf, unsigned int len)
{
	unsigned int wce = VBLK_CFG(wce);
	u8 v;

	if (!vblk_blk_negotiated(blk, VIRTIO_BLK_F_CONFIG_WCE) ||
	    wce < off || wce - off >= len)
		return false;
	v = buf[wce - off];
	if (v > 1 || v == READ_ONCE(blk->writeback))
		return false;
	vblk_blk_set_writeback(blk, v);
	return true;
}

/**
 * vblk_blk_reset_cache() - back to the initial cache mode (device reset)
 * @blk: the device
 *
 * Called under the device's cfg_lock.
 *
 * Return: true if the writeback byte changed.
 */
bool vblk_blk_reset_cache(struct vblk_blk *blk)
{
	u8 v = !blk->cfg.writethrough;

	if (READ_ONCE(blk->writeback) == v)
		return false;
	vblk_blk_set_writeback(blk, v);
	return true;
}

/**
 * vblk_blk_write_through() - must every write be durable before it completes?
 * @blk: the device
 *
 * Writeback needs a driver that flushes (VIRTIO_BLK_F_FLUSH) and the
 * writeback byte at 1; otherwise every write is durable before it
 * completes (virtio 1.2, 5.2.6.2).
 *
 * Return: true for writethrough.
 */
bool vblk_blk_write_through(const struct vblk_blk *blk)
{
	return !vblk_blk_negotiated(blk, VIRTIO_BLK_F_FLUSH) ||
	       !READ_ONCE(blk->writeback);
}

/**
 * vblk_blk_cache_writeback() - the cache mode, for display
 * @blk: the device
 * @negotiated: the driver's features are final
 *
 * Return: true for writeback: in effect (@negotiated), or the mode a
 * driver starts in.
 */
bool vblk_blk_cache_writeback(const struct vblk_blk *blk, bool negotiated)
{
	return negotiated ? !vblk_blk_write_through(blk) : READ_ONCE(blk->writeback);
}

/**
 * vblk_blk_set_serial() - replace the GET_ID answer
 * @blk: the device
 * @serial: the new serial, NUL-padded
 *
 * Byte by byte with marked accesses: the data path copies the serial
 * without a lock (waiting for a pass would let a VMM stall the caller). A
 * GET_ID racing with a change may return a mix of the old and the new
 * serial (an identification string, not data). Callers serialise writers.
 */
void vblk_blk_set_serial(struct vblk_blk *blk,
			 const char serial[VBLK_SERIAL_LEN])
{
	unsigned int i;

	for (i = 0; i < VBLK_SERIAL_LEN; i++)
		WRITE_ONCE(blk->cfg.serial[i], serial[i]);
}

/**
 * vblk_blk_get_serial() - copy the GET_ID answer
 * @blk: the device
 * @serial: VBLK_SERIAL_LEN bytes, NUL-padded
 */
void vblk_blk_get_serial(const struct vblk_blk *blk,
			 char serial[VBLK_SERIAL_LEN])
{
	unsigned int i;

	for (i = 0; i < VBLK_SERIAL_LEN; i++)
		serial[i] = READ_ONCE(blk->cfg.serial[i]);
}
