/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk backing store over a struct file: a regular file or a block device.
 */
#ifndef _VBLK_FILE_H
#define _VBLK_FILE_H

#include <linux/types.h>

#include "vblk_backing.h"

struct file;

/* Backing operations; the context is the struct file itself. */
extern const struct vblk_backing_ops vblk_file_backing_ops;

int vblk_file_check(struct file *file, bool read_only, const char **why);
u64 vblk_file_size(struct file *file);
u64 vblk_file_max_capacity(struct file *file);
void vblk_file_probe(struct file *file, bool read_only,
		     struct vblk_backing_caps *caps);

#endif /* _VBLK_FILE_H */
