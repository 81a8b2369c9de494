// SPDX-License-Identifier: GPL-2.0
/*
 * vblk VMM attachment (placeholder until the VMM interface lands).
 */
#include "vblk_attach.h"
#include "vblk_dev.h"

const struct vblk_host_ops vblk_attach_host_ops = { };

int vblk_attach_init(void)
{
	return 0;
}

void vblk_attach_exit(void)
{
}

int vblk_attach_add(struct vblk_device *d)
{
	return 0;
}

void vblk_attach_del(struct vblk_device *d)
{
}

bool vblk_attach_busy(struct vblk_device *d)
{
	return false;
}
