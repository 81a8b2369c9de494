// SPDX-License-Identifier: GPL-2.0
/*
 * vblk virtio device: the config space (virtio 1.2, 2.5 and 5.2.4) and its
 * generation. The device changes the capacity (an online resize) and the
 * driver the writeback byte (VIRTIO_BLK_F_CONFIG_WCE); both move the
 * generation.
 *
 * vd->cfg_lock makes every change and every read of the config space one
 * step: a driver that reads the generation, then fields, then the
 * generation again sees either the old or the new config in every read, so
 * equal generations mean a consistent snapshot (even of the capacity read
 * as two 32-bit halves). The lock is a spinlock, held for a few loads and
 * stores, never while waiting (see the lock rules in vblk_vdev.c).
 */
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/virtio_blk.h>
#include <uapi/linux/virtio_config.h>
#include <kunit/visibility.h>

#include "vblk_vdev.h"

/**
 * vblk_vdev_get_config_size() - size of the config space
 * @vd: the device
 *
 * Return: bytes.
 */
size_t vblk_vdev_get_config_size(const struct vblk_vdev *vd)
{
	return vblk_blk_config_size();
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_get_config_size, VBLK);

/**
 * vblk_vdev_get_config() - read the config space
 * @vd: the device
 * @off: offset in the config space
 * @buf: where to store @len bytes, little-endian
 * @len: bytes to read
 *
 * Return: 0, or -EINVAL if the range is not inside the config space
 * (@buf untouched).
 */
int vblk_vdev_get_config(struct vblk_vdev *vd, unsigned int off, void *buf,
			 unsigned int len)
{
	u8 img[sizeof(struct virtio_blk_config)];

	if (off > sizeof(img) || len > sizeof(img) - off)
		return -EINVAL;
	spin_lock(&vd->cfg_lock);
	vblk_blk_config_image(&vd->blk, img);
	spin_unlock(&vd->cfg_lock);
	memcpy(buf, img + off, len);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_get_config, VBLK);

/**
 * vblk_vdev_set_config() - the driver writes the config space
 * @vd: the device
 * @off: offset in the config space
 * @buf: the @len bytes written, little-endian
 * @len: bytes written
 *
 * Only the writeback byte is writable, once VIRTIO_BLK_F_CONFIG_WCE is
 * negotiated (see vblk_blk_set_config()); every other byte ignores
 * writes. A change moves the generation; no interrupt is raised (the
 * driver made it).
 *
 * Return: 0, or -EINVAL if the range is not inside the config space.
 */
int vblk_vdev_set_config(struct vblk_vdev *vd, unsigned int off,
			 const void *buf, unsigned int len)
{
	size_t size = vblk_blk_config_size();

	if (off > size || len > size - off)
		return -EINVAL;
	spin_lock(&vd->cfg_lock);
	if (vblk_blk_set_config(&vd->blk, off, buf, len))
		WRITE_ONCE(vd->config_generation, vd->config_generation + 1);
	spin_unlock(&vd->cfg_lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_set_config, VBLK);

/**
 * vblk_vdev_get_generation() - the config generation
 * @vd: the device
 *
 * Return: a value that changes whenever the config space changes.
 */
u32 vblk_vdev_get_generation(struct vblk_vdev *vd)
{
	/*
	 * The generation moves in the same step as the data (under
	 * cfg_lock), after it: a read of it before and after a read of the
	 * data sees the change if the data read did.
	 */
	return READ_ONCE(vd->config_generation);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_get_generation, VBLK);

/**
 * vblk_vdev_set_capacity() - change the capacity seen by the driver
 * @vd: the device
 * @sectors: new capacity in 512-byte sectors
 *
 * Moves the config generation and, once the driver is up (DRIVER_OK),
 * raises a configuration change interrupt. Requests are checked against
 * the new capacity from the next chain on (requests already validated
 * complete against the old one). Takes only vd->cfg_lock: never waits on
 * a VMM. Process context.
 */
void vblk_vdev_set_capacity(struct vblk_vdev *vd, u64 sectors)
{
	spin_lock(&vd->cfg_lock);
	WRITE_ONCE(vd->blk.cfg.capacity, sectors);
	WRITE_ONCE(vd->config_generation, vd->config_generation + 1);
	spin_unlock(&vd->cfg_lock);
	vblk_vdev_config_changed(vd);
}
EXPORT_SYMBOL_NS_GPL(vblk_vdev_set_capacity, VBLK);

/**
 * vblk_vdev_cfg_reset() - the config space after a device reset
 * @vd: the device (vd->lock held, no pass running)
 *
 * The writeback byte returns to the device's initial cache mode; the
 * generation moves if that changed it.
 */
void vblk_vdev_cfg_reset(struct vblk_vdev *vd)
{
	lockdep_assert_held(&vd->lock);
	spin_lock(&vd->cfg_lock);
	if (vblk_blk_reset_cache(&vd->blk))
		WRITE_ONCE(vd->config_generation, vd->config_generation + 1);
	spin_unlock(&vd->cfg_lock);
}

/**
 * vblk_vdev_cache_writeback() - the cache mode, for display
 * @vd: the device
 *
 * Return: true for writeback, false for writethrough: the mode in effect
 * once the driver's features are final, before that the mode the device
 * starts a driver in.
 */
bool vblk_vdev_cache_writeback(const struct vblk_vdev *vd)
{
	bool negotiated = READ_ONCE(vd->status) & VIRTIO_CONFIG_S_FEATURES_OK;

	return vblk_blk_cache_writeback(&vd->blk, negotiated);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vdev_cache_writeback);
