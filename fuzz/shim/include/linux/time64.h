/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for the kernel header of this name (fuzz/shim). */
#include "vblk_shim.h"
