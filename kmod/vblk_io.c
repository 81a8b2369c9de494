// SPDX-License-Identifier: GPL-2.0
/*
 * vblk backing I/O: the retry rules of the device (virtio-blk requests
 * complete only when all their data moved, or fail).
 */
#include <linux/errno.h>
#include <linux/sched.h>
#include <linux/uio.h>

#include "vblk_io.h"

/*
 * Make @it reflect exactly @done of the @before bytes it held consumed,
 * whatever the backing did to it.
 */
static void vblk_iter_settle(struct iov_iter *it, size_t before, size_t done)
{
	size_t want = before - done, now = iov_iter_count(it);

	if (now > want)
		iov_iter_advance(it, now - want);
	else if (now < want)
		iov_iter_revert(it, want - now);
}

static int vblk_zero_rest(struct iov_iter *it)
{
	size_t n = iov_iter_count(it);

	return iov_iter_zero(n, it) == n ? 0 : -EFAULT;
}

/**
 * vblk_io_rw() - move a READ or WRITE request's data
 * @b: the backing
 * @req: the request (its iterator is consumed)
 *
 * Short transfers are continued; -EINTR is retried at most
 * %VBLK_EINTR_RETRIES times per request; a read that hits the end of the
 * backing file zero-fills the rest; a write that makes no progress fails.
 * Every iteration either moves a byte or spends a retry. Process context.
 *
 * Return: 0 or a negative errno.
 */
int vblk_io_rw(const struct vblk_backing *b, struct vblk_req *req)
{
	bool write = req->op == VBLK_OP_WRITE;
	struct iov_iter *it = &req->iter;
	loff_t pos = req->pos;
	unsigned int eintr = 0;

	while (iov_iter_count(it)) {
		size_t before = iov_iter_count(it);
		ssize_t r;

		r = write ? b->ops->write_iter(b->ctx, it, pos) :
			    b->ops->read_iter(b->ctx, it, pos);
		if (r == -EINTR) {
			vblk_iter_settle(it, before, 0);
			if (++eintr > VBLK_EINTR_RETRIES)
				return -EINTR;
			continue;
		}
		if (r < 0)
			return r;
		if (r > before)
			return -EIO;
		vblk_iter_settle(it, before, r);
		if (!r)
			return write ? -EIO : vblk_zero_rest(it);
		pos += r;
		cond_resched();
	}
	return 0;
}

/**
 * vblk_io_sync() - make written data durable
 * @b: the backing
 * @pos: start of the range
 * @len: bytes of the range; 0 for everything
 *
 * Syncs the range when the backing can, else all of it. -EINTR is retried
 * at most %VBLK_EINTR_RETRIES times. Process context.
 *
 * Return: 0 or a negative errno.
 */
int vblk_io_sync(const struct vblk_backing *b, loff_t pos, u64 len)
{
	unsigned int tries;
	int err;

	for (tries = 0; ; tries++) {
		if (len && b->ops->sync_range)
			err = b->ops->sync_range(b->ctx, pos, len);
		else
			err = b->ops->sync(b->ctx);
		if (err != -EINTR || tries == VBLK_EINTR_RETRIES)
			return err;
	}
}
