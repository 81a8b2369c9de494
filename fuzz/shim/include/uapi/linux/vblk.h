/* SPDX-License-Identifier: GPL-2.0 */
/* The real uapi header: it needs nothing but the types (fuzz/shim). */
#include "vblk_shim.h"
#include "../../../../../kmod/include/uapi/linux/vblk.h"
