// SPDX-License-Identifier: GPL-2.0
/*
 * vblk backing I/O: the retry rules of the device (virtio-blk requests
 * complete only when all their data moved, or fail), and the request
 * contexts that let a queue keep many transfers in flight.
 *
 * An asynchronous transfer completes in whatever context the backing
 * completes it (interrupt, softirq): the completion only queues the
 * context on a lock-free list and notifies the queue, whose worker reaps
 * it, finishes it by the same rules as a synchronous transfer (in its own
 * context, where guest memory can be reached) and publishes it.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/wait_bit.h>

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

/* vblk_io_rw() of what is left in the iterator, from @pos on. */
static int vblk_io_rw_from(const struct vblk_backing *b, struct vblk_req *req,
			   loff_t pos)
{
	bool write = req->op == VBLK_OP_WRITE;
	struct iov_iter *it = &req->iter;
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
	return vblk_io_rw_from(b, req, req->pos);
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

/*
 * One range operation (@op on [@pos, @pos + @len)) with the -EINTR rule;
 * @eintr counts the retries spent by the whole request.
 */
static int vblk_io_range(const struct vblk_backing *b, const struct vblk_dwz *d,
			 bool zeroes, unsigned int *eintr)
{
	int err;

	for (;;) {
		if (zeroes)
			err = b->ops->write_zeroes(b->ctx, d->pos, d->len,
						   d->unmap);
		else
			err = b->ops->discard(b->ctx, d->pos, d->len);
		if (err != -EINTR || ++*eintr > VBLK_EINTR_RETRIES)
			return err;
		cond_resched();
	}
}

/**
 * vblk_io_dwz() - carry out a DISCARD or WRITE_ZEROES request
 * @b: the backing (with the operation the request needs)
 * @req: the request, its ranges validated
 * @dsync: zeroed ranges must be durable before the request completes
 *
 * The ranges in order; empty ones are skipped. -EINTR is retried at most
 * %VBLK_EINTR_RETRIES times per request; any other error fails the
 * request (the ranges before it stay done). Process context (the worker).
 *
 * Return: 0 or a negative errno (-EOPNOTSUPP when the backing has no
 * such operation).
 */
int vblk_io_dwz(const struct vblk_backing *b, struct vblk_req *req,
		bool dsync)
{
	bool zeroes = req->op == VBLK_OP_WRITE_ZEROES;
	unsigned int i, eintr = 0;
	int err;

	if (zeroes ? !b->ops->write_zeroes : !b->ops->discard)
		return -EOPNOTSUPP;
	for (i = 0; i < req->ndwz; i++) {
		const struct vblk_dwz *d = &req->dwz[i];

		if (!d->len)
			continue;
		err = vblk_io_range(b, d, zeroes, &eintr);
		if (!err && zeroes && dsync)
			err = vblk_io_sync(b, d->pos, d->len);
		if (err)
			return err;
	}
	return 0;
}

/* ---- asynchronous transfers ------------------------------------------- */

/* The backing is done with @aio: queue it for the worker. Any context. */
static void vblk_io_complete(struct vblk_aio *aio, long res)
{
	struct vblk_ioctx *ctx = container_of(aio, struct vblk_ioctx, aio);
	struct vblk_iopool *pool = ctx->pool;

	ctx->res = res;
	llist_add(&ctx->node, &pool->done);
	pool->notify(pool);
	/* The last thing done with @pool: a destroyer may free it next. */
	if (atomic_dec_and_test(&pool->pending))
		wake_up_var(&pool->pending);
}

/**
 * vblk_io_start() - start a READ or WRITE request's transfer
 * @b: the backing
 * @ctx: the request, from a pool
 * @dsync: the write must be durable before it completes
 *
 * When the backing can, the transfer is asynchronous: the context goes on
 * the pool's completion list once it is done, and the pool's owner reaps
 * it with vblk_iopool_reap() and vblk_io_finish(). Otherwise it is done
 * here, synchronously, by vblk_io_rw()'s rules (and made durable when
 * @dsync). Process context (the worker).
 *
 * Return: -EIOCBQUEUED while in flight, else 0 or a negative errno.
 */
int vblk_io_start(const struct vblk_backing *b, struct vblk_ioctx *ctx,
		  bool dsync)
{
	struct vblk_req *req = &ctx->req;
	struct iov_iter saved = req->iter;
	struct vblk_aio *aio = &ctx->aio;
	ssize_t ret = -EOPNOTSUPP;
	int err;

	if (b->ops->submit && iov_iter_count(&req->iter)) {
		aio->iter = &req->iter;
		aio->pos = req->pos;
		aio->write = req->op == VBLK_OP_WRITE;
		aio->dsync = dsync;
		aio->complete = vblk_io_complete;
		atomic_inc(&ctx->pool->pending);
		ret = b->ops->submit(b->ctx, aio);
		if (ret == -EIOCBQUEUED)
			return ret;
		atomic_dec(&ctx->pool->pending);
	}
	if (ret != -EOPNOTSUPP) {
		/* Over already: finish it as a completion. */
		ctx->res = ret;
		return vblk_io_finish(b, ctx, dsync);
	}
	req->iter = saved;
	err = vblk_io_rw(b, req);
	if (err || !dsync || !req->len)
		return err;
	return vblk_io_sync(b, req->pos, req->len);
}

/**
 * vblk_io_finish() - apply the device's rules to a transfer's result
 * @b: the backing
 * @ctx: a request whose transfer ended with @ctx->res
 * @dsync: the write must be durable before it completes
 *
 * The whole length: done (the backing made a @dsync write durable). A
 * short transfer or -EINTR is continued synchronously from where it
 * stopped, as vblk_io_rw() would (zero-filling a read at the end of a
 * file, failing a write that makes no progress); any other error fails.
 * Process context (the worker, in the memory owner's address space).
 *
 * Return: 0 or a negative errno.
 */
int vblk_io_finish(const struct vblk_backing *b, struct vblk_ioctx *ctx,
		   bool dsync)
{
	struct vblk_req *req = &ctx->req;
	size_t done = ctx->res > 0 ? ctx->res : 0;
	int err;

	if (ctx->res == req->len)
		return 0;
	if (ctx->res < 0 && ctx->res != -EINTR)
		return ctx->res;
	if (done > req->len)
		return -EIO;
	vblk_iter_settle(&req->iter, req->len, done);
	err = vblk_io_rw_from(b, req, req->pos + done);
	if (err || !dsync || req->op != VBLK_OP_WRITE)
		return err;
	return vblk_io_sync(b, req->pos, req->len);
}

/* ---- request contexts --------------------------------------------------- */

/**
 * vblk_iopool_init() - allocate a queue's request contexts
 * @pool: the pool
 * @n: how many (at most %VBLK_INFLIGHT_MAX)
 * @notify: called after a completion was queued (any context)
 *
 * Process context; charged to the caller's memory cgroup.
 *
 * Return: 0 or -ENOMEM.
 */
int vblk_iopool_init(struct vblk_iopool *pool, unsigned int n,
		     void (*notify)(struct vblk_iopool *pool))
{
	unsigned int i;

	pool->ctx = kvcalloc(n, sizeof(*pool->ctx), GFP_KERNEL_ACCOUNT);
	pool->free = kcalloc(n, sizeof(*pool->free), GFP_KERNEL_ACCOUNT);
	if (!pool->ctx || !pool->free) {
		kvfree(pool->ctx);
		kfree(pool->free);
		pool->ctx = NULL;
		pool->free = NULL;
		return -ENOMEM;
	}
	pool->n = n;
	for (i = 0; i < n; i++) {
		pool->ctx[i].pool = pool;
		pool->free[i] = n - 1 - i;
	}
	pool->nfree = n;
	init_llist_head(&pool->done);
	atomic_set(&pool->pending, 0);
	pool->notify = notify;
	return 0;
}

/**
 * vblk_iopool_destroy() - wait for every transfer in flight, then free
 * @pool: the pool (may be unallocated)
 *
 * Transfers that complete meanwhile are dropped, never published: their
 * queue is being reset. May wait as long as the backing takes.
 */
void vblk_iopool_destroy(struct vblk_iopool *pool)
{
	if (!pool->ctx)
		return;
	wait_var_event(&pool->pending, !atomic_read(&pool->pending));
	llist_del_all(&pool->done);
	kvfree(pool->ctx);
	kfree(pool->free);
	pool->ctx = NULL;
	pool->free = NULL;
	pool->n = 0;
	pool->nfree = 0;
}

/**
 * vblk_iopool_get() - take a free context
 * @pool: the pool
 *
 * Return: a context with a zeroed request, or NULL when all are in use.
 */
struct vblk_ioctx *vblk_iopool_get(struct vblk_iopool *pool)
{
	struct vblk_ioctx *ctx;

	if (!pool->nfree)
		return NULL;
	ctx = &pool->ctx[pool->free[--pool->nfree]];
	memset(&ctx->req, 0, sizeof(ctx->req));
	ctx->req.type = U32_MAX;
	ctx->res = 0;
	ctx->admitted_ns = 0;
	return ctx;
}

/**
 * vblk_iopool_put() - give a context back
 * @pool: the pool
 * @ctx: a context taken with vblk_iopool_get(), not in flight
 */
void vblk_iopool_put(struct vblk_iopool *pool, struct vblk_ioctx *ctx)
{
	pool->free[pool->nfree++] = ctx - pool->ctx;
}

/**
 * vblk_iopool_reap() - take the completed transfers
 * @pool: the pool
 *
 * Return: the completed contexts in completion order (walk them with
 * llist_for_each_entry_safe() on &ctx->node), or NULL.
 */
struct llist_node *vblk_iopool_reap(struct vblk_iopool *pool)
{
	return llist_reverse_order(llist_del_all(&pool->done));
}
