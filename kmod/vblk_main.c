// SPDX-License-Identifier: GPL-2.0
/*
 * vblk: an in-kernel virtio-blk device for KVM guests (virtio-mmio).
 */
#include <linux/module.h>

static int __init vblk_init(void)
{
	return 0;
}

static void __exit vblk_exit(void)
{
}

module_init(vblk_init);
module_exit(vblk_exit);

MODULE_DESCRIPTION("In-kernel virtio-blk device for KVM guests");
MODULE_LICENSE("GPL");
