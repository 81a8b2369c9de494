/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk backing store interface: what the block device core asks of the
 * storage behind a device. A struct file in production (vblk_file.c),
 * fault-injecting buffers in KUnit.
 */
#ifndef _VBLK_BACKING_H
#define _VBLK_BACKING_H

#include <linux/types.h>

struct iov_iter;

/**
 * struct vblk_backing_ops - the backing store
 * @read_iter: read into @iter at byte offset @pos. Returns bytes read
 *	(0 at end of file, short counts allowed) or a negative errno. The
 *	core zero-fills a read past the end of file, so a backing without
 *	such a hole (a block device) must fail instead of returning 0.
 * @write_iter: write @iter at byte offset @pos. Returns bytes written
 *	(short counts allowed) or a negative errno.
 * @sync: make written data durable (fdatasync semantics).
 * @sync_range: make the @len bytes written at @pos durable (optional;
 *	without it @sync is used).
 *
 * The core retries short writes and -EINTR (bounded); the backing does not
 * need to. Process context; every operation may sleep.
 */
struct vblk_backing_ops {
	ssize_t (*read_iter)(void *ctx, struct iov_iter *iter, loff_t pos);
	ssize_t (*write_iter)(void *ctx, struct iov_iter *iter, loff_t pos);
	int (*sync)(void *ctx);
	int (*sync_range)(void *ctx, loff_t pos, u64 len);
};

/**
 * struct vblk_backing - a backing store as the core sees it
 * @ops: its operations
 * @ctx: their context
 */
struct vblk_backing {
	const struct vblk_backing_ops *ops;
	void *ctx;
};

#endif /* _VBLK_BACKING_H */
