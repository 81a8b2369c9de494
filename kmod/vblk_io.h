/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk backing I/O: a validated request's data moved to or from the
 * backing store, with the device's rules for short transfers, -EINTR and
 * the end of a file, and durability (flush, write-through).
 */
#ifndef _VBLK_IO_H
#define _VBLK_IO_H

#include <linux/types.h>

#include "vblk_backing.h"
#include "vblk_req.h"

/* -EINTR retries per request before it fails. */
#define VBLK_EINTR_RETRIES	16

int vblk_io_rw(const struct vblk_backing *b, struct vblk_req *req);
int vblk_io_sync(const struct vblk_backing *b, loff_t pos, u64 len);

#endif /* _VBLK_IO_H */
