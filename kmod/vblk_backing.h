/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk backing store interface: what the block device core asks of the
 * storage behind a device. A struct file in production (vblk_file.c),
 * fault-injecting buffers in KUnit.
 */
#ifndef _VBLK_BACKING_H
#define _VBLK_BACKING_H

#include <linux/fs.h>
#include <linux/types.h>

struct iov_iter;

/**
 * struct vblk_aio - an asynchronous transfer
 * @iocb: the kiocb a file backing submits (owned by the backing while
 *	the transfer is in flight)
 * @iter: the guest data
 * @pos: byte offset in the backing
 * @write: a write (else a read)
 * @dsync: the write must be durable before it completes (write-through)
 * @complete: set by the core; the backing calls it exactly once with the
 *	bytes moved or a negative errno, from any context, for a transfer
 *	whose @submit returned -EIOCBQUEUED
 */
struct vblk_aio {
	struct kiocb iocb;
	struct iov_iter *iter;
	loff_t pos;
	bool write;
	bool dsync;
	void (*complete)(struct vblk_aio *aio, long res);
};

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
 * @submit: start @aio asynchronously (optional). Returns -EIOCBQUEUED when
 *	@aio->complete() will be called later; else the transfer is over
 *	and the result is returned (bytes moved, short counts allowed, or a
 *	negative errno), except -EOPNOTSUPP, which asks the core to use
 *	@read_iter/@write_iter instead (buffered files, misaligned buffers).
 * @discard: deallocate the @len bytes at @pos (what they read as
 *	afterwards is undefined). Needed when &vblk_backing_caps.discard
 *	is set. Returns 0 or a negative errno.
 * @write_zeroes: make the @len bytes at @pos read as zeros, deallocating
 *	them if @unmap is set (only asked when &vblk_backing_caps.zeroes_unmap
 *	is set). Needed when &vblk_backing_caps.write_zeroes is set; must
 *	not fail with -EOPNOTSUPP (a backing falls back to writing zeros).
 *	Returns 0 or a negative errno.
 *
 * The core retries short transfers and -EINTR (bounded); the backing does
 * not need to. Process context (the queue's worker, in the memory owner's
 * address space); every operation may sleep.
 */
struct vblk_backing_ops {
	ssize_t (*read_iter)(void *ctx, struct iov_iter *iter, loff_t pos);
	ssize_t (*write_iter)(void *ctx, struct iov_iter *iter, loff_t pos);
	int (*sync)(void *ctx);
	int (*sync_range)(void *ctx, loff_t pos, u64 len);
	ssize_t (*submit)(void *ctx, struct vblk_aio *aio);
	int (*discard)(void *ctx, loff_t pos, u64 len);
	int (*write_zeroes)(void *ctx, loff_t pos, u64 len, bool unmap);
};

/**
 * struct vblk_backing_caps - what a backing store can do besides reading,
 *	writing and syncing, found by probing it when the device is created
 * @discard: @discard works (VIRTIO_BLK_F_DISCARD is offered)
 * @write_zeroes: @write_zeroes works (VIRTIO_BLK_F_WRITE_ZEROES is offered)
 * @zeroes_unmap: @write_zeroes can deallocate (write_zeroes_may_unmap)
 * @discard_align: discard granularity in 512-byte sectors (0: none)
 * @phys_exp: log2 of the physical block size in 512-byte sectors
 * @align_off: offset of the first aligned sector, in sectors
 * @min_io: minimum I/O size in sectors (0: not known)
 * @opt_io: optimal I/O size in sectors (0: not known)
 *
 * The last four are the config fields of VIRTIO_BLK_F_TOPOLOGY.
 */
struct vblk_backing_caps {
	bool discard;
	bool write_zeroes;
	bool zeroes_unmap;
	u32 discard_align;
	u8 phys_exp;
	u8 align_off;
	u16 min_io;
	u32 opt_io;
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
