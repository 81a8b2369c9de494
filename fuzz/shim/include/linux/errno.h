/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/errno.h> (fuzz/shim): the C library
 * includes this name too, so it only forwards to the uapi header; the
 * kernel-internal codes are in vblk_shim.h.
 */
#include_next <linux/errno.h>
