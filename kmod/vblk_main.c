// SPDX-License-Identifier: GPL-2.0
/*
 * vblk: an in-kernel virtio-blk device for KVM guests (virtio-mmio).
 *
 * Module init brings up the VMM interface (character devices) and then the
 * "vblk" generic netlink family through which devices are created. Module
 * exit deletes every device first (detaching their VMMs), then tears the
 * family and the VMM interface down.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "vblk_attach.h"
#include "vblk_dev.h"
#include "vblk_nl.h"

static int __init vblk_init(void)
{
	int err;

	err = vblk_attach_init();
	if (err)
		return err;
	err = vblk_nl_init();
	if (err) {
		vblk_attach_exit();
		return err;
	}
	return 0;
}

static void __exit vblk_exit(void)
{
	vblk_dev_remove_all();
	vblk_nl_exit();
	vblk_attach_exit();
}

module_init(vblk_init);
module_exit(vblk_exit);

MODULE_DESCRIPTION("In-kernel virtio-blk device for KVM guests");
MODULE_LICENSE("GPL");
MODULE_ALIAS_GENL_FAMILY(VBLK_FAMILY_NAME);
