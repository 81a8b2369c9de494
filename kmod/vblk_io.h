/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk backing I/O: a validated request's data moved to or from the
 * backing store, synchronously in the worker or asynchronously with many
 * requests in flight, with the device's rules for short transfers, -EINTR
 * and the end of a file, and durability (flush, write-through).
 */
#ifndef _VBLK_IO_H
#define _VBLK_IO_H

#include <linux/atomic.h>
#include <linux/llist.h>
#include <linux/types.h>

#include "vblk_backing.h"
#include "vblk_mem.h"
#include "vblk_req.h"

/* -EINTR retries per request before it fails. */
#define VBLK_EINTR_RETRIES	16
/* Most requests one queue has in flight (also bounded by its size). */
#define VBLK_INFLIGHT_MAX	64

struct vblk_iopool;

/**
 * struct vblk_ioctx - one request and everything it needs while in flight
 * @aio: the asynchronous transfer
 * @req: the request
 * @node: on the pool's completion list
 * @res: the backing's result (bytes or -errno)
 * @pool: the pool it belongs to
 * @admitted_ns: when the throttle admitted it (0: it was never charged)
 * @iov: the vectors behind @req's data iterator
 */
struct vblk_ioctx {
	struct vblk_aio aio;
	struct vblk_req req;
	struct llist_node node;
	long res;
	struct vblk_iopool *pool;
	u64 admitted_ns;
	union vblk_iovec_buf iov;
};

/**
 * struct vblk_iopool - the request contexts of one queue
 * @ctx: the contexts (@n of them)
 * @n: how many
 * @free: indices of the free contexts; @nfree of them
 * @nfree: free contexts
 * @done: completed asynchronous transfers, waiting to be reaped
 * @pending: transfers submitted and not completed yet
 * @notify: called (any context) after a completion was queued
 *
 * Everything but @done and @pending belongs to the queue's lock holder.
 */
struct vblk_iopool {
	struct vblk_ioctx *ctx;
	unsigned int n;
	unsigned int *free;
	unsigned int nfree;
	struct llist_head done;
	atomic_t pending;
	void (*notify)(struct vblk_iopool *pool);
};

int vblk_iopool_init(struct vblk_iopool *pool, unsigned int n,
		     void (*notify)(struct vblk_iopool *pool));
void vblk_iopool_destroy(struct vblk_iopool *pool);
struct vblk_ioctx *vblk_iopool_get(struct vblk_iopool *pool);
void vblk_iopool_put(struct vblk_iopool *pool, struct vblk_ioctx *ctx);
struct llist_node *vblk_iopool_reap(struct vblk_iopool *pool);

int vblk_io_rw(const struct vblk_backing *b, struct vblk_req *req);
int vblk_io_sync(const struct vblk_backing *b, loff_t pos, u64 len);
int vblk_io_dwz(const struct vblk_backing *b, struct vblk_req *req,
		bool dsync);
int vblk_io_start(const struct vblk_backing *b, struct vblk_ioctx *ctx,
		  bool dsync);
int vblk_io_finish(const struct vblk_backing *b, struct vblk_ioctx *ctx,
		   bool dsync);

#endif /* _VBLK_IO_H */
