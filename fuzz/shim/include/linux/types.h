/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/types.h> (fuzz/shim): the uapi types
 * (__u16, __le32, ...), which the uapi virtio headers need, plus the
 * kernel's own short names.
 */
#ifndef VBLK_SHIM_TYPES_H
#define VBLK_SHIM_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef s64 ktime_t;

#endif
