// SPDX-License-Identifier: GPL-2.0
/*
 * vblk: an in-kernel virtio-blk device for KVM guests (virtio-mmio).
 *
 * Module init brings up the character-device binding, the device registry
 * (which makes a /dev/vblk/NAME node for every device and announces its
 * events over netlink) and then the "vblk" generic netlink family through
 * which devices and limit groups are created. Module exit goes the other
 * way: the family first (unregistering it waits for every running
 * handler, and no new one can start), so no handler can reach a device or
 * a group being freed or create one after the registries are emptied;
 * then the devices, the groups and the binding.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "vblk_cdev.h"
#include "vblk_dev.h"
#include "vblk_group.h"
#include "vblk_nl.h"

static int __init vblk_init(void)
{
	int err;

	err = vblk_cdev_init();
	if (err)
		return err;
	err = vblk_dev_init(&vblk_cdev_node_ops, vblk_nl_notify_event);
	if (err)
		goto err_cdev;
	err = vblk_nl_init();
	if (err)
		goto err_dev;
	return 0;

err_dev:
	vblk_dev_exit();
	vblk_group_exit();
err_cdev:
	vblk_cdev_exit();
	return err;
}

static void __exit vblk_exit(void)
{
	vblk_nl_exit();
	vblk_dev_exit();
	vblk_group_exit();
	vblk_cdev_exit();
}

module_init(vblk_init);
module_exit(vblk_exit);

MODULE_DESCRIPTION("In-kernel virtio-blk device for KVM guests");
MODULE_LICENSE("GPL");
MODULE_ALIAS_GENL_FAMILY(VBLK_FAMILY_NAME);
