// SPDX-License-Identifier: GPL-2.0
/*
 * vblk block semantics: virtio-blk requests (virtio 1.2, 5.2) from popped
 * chains to status bytes. Documentation/device-model.rst describes the
 * rules implemented here; the lock rules are in vblk_vdev.c.
 *
 * vblk_blk_process() runs under the queue's lock, in process context (the
 * worker, in the memory owner's address space); it may sleep on guest
 * memory and on the backing. Whatever must happen outside the lock
 * (interrupts, another pass, events) is returned in struct vblk_blk_pass.
 * The statistics are atomics, the throttle has its own spinlock, and the
 * run-time configuration (capacity, serial) is read with marked accesses.
 */
#include <linux/blkdev.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/unaligned.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_config.h>
#include <kunit/visibility.h>

#include "vblk_blk.h"
#include "vblk_io.h"

/* ------------------------------------------------------------------ */
/* Requests: execution                                                */
/* ------------------------------------------------------------------ */

static int vblk_do_get_id(struct vblk_blk *blk, struct vblk_req *req)
{
	char serial[VBLK_SERIAL_LEN];
	size_t n = iov_iter_count(&req->iter);

	BUILD_BUG_ON(sizeof(serial) != VIRTIO_BLK_ID_BYTES);
	vblk_blk_get_serial(blk, serial);
	return copy_to_iter(serial, n, &req->iter) == n ? 0 : -EFAULT;
}

/*
 * Carry out an admitted request. Reads and writes may go on in the
 * background (-EIOCBQUEUED); everything else is done here and gets its
 * status.
 */
static int vblk_execute(struct vblk_blk *blk, struct vblk_ioctx *ctx)
{
	struct vblk_req *req = &ctx->req;
	int err = 0;

	switch (req->op) {
	case VBLK_OP_READ:
	case VBLK_OP_WRITE:
		err = vblk_io_start(&blk->backing, ctx,
				    req->op == VBLK_OP_WRITE &&
				    vblk_blk_write_through(blk));
		if (err == -EIOCBQUEUED)
			return err;
		break;
	case VBLK_OP_FLUSH:
		err = vblk_io_sync(&blk->backing, 0, 0);
		break;
	case VBLK_OP_DISCARD:
	case VBLK_OP_WRITE_ZEROES:
		err = vblk_io_dwz(&blk->backing, req, vblk_blk_write_through(blk));
		break;
	case VBLK_OP_GET_ID:
		err = vblk_do_get_id(blk, req);
		break;
	case VBLK_OP_NONE:
		break;
	}
	req->status = err ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The per-queue pass                                                 */
/* ------------------------------------------------------------------ */

/* What became of one popped chain. */
enum vblk_outcome {
	VBLK_PUBLISH,	/* status known: write it and add a used entry */
	VBLK_DROP,	/* malformed: no status, no used entry */
	VBLK_STALL,	/* throttled: put back into the avail ring */
	VBLK_QUEUED,	/* in flight: published when it completes */
};

/* Why a drain stopped. */
enum vblk_stop {
	VBLK_CAUGHT_UP,	/* consumed everything up to the avail index read */
	VBLK_STALLED,	/* the throttle refused a request */
	VBLK_BUDGET,	/* the pass's weight is used up */
	VBLK_RING_FAULT,	/* an avail ring entry could not be read */
	VBLK_BUSY,	/* every request context is in flight */
};

/* One pass: its weight so far and what it asks of its caller. */
struct vblk_run {
	struct vblk_blk *blk;
	unsigned int q;
	struct vblk_vq *vq;
	struct vblk_blk_queue *bq;
	unsigned int reqs;
	u64 bytes;
	bool failsafe;		/* re-enabling notifications failed */
	bool stalled;		/* the throttle refused a request */
	struct vblk_blk_pass *p;
};

/* End a throttle stall that will never be resumed (reset, queue stop). */
static void vblk_unthrottle(struct vblk_blk *blk, struct vblk_blk_queue *bq,
			    struct vblk_blk_pass *p)
{
	if (!bq->throttled)
		return;
	WRITE_ONCE(bq->throttled, false);
	atomic64_dec(&blk->stats.currently_throttled_gauge);
	p->events |= BIT(VBLK_EV_THROTTLE_STOP);
}

/* A transfer of queue @pool completed: the queue's worker reaps it. */
static void vblk_blk_pool_notify(struct vblk_iopool *pool)
{
	struct vblk_blk_queue *bq = container_of(pool, struct vblk_blk_queue,
						 pool);

	bq->blk->kick(bq->blk, BIT(bq->index));
}

/**
 * vblk_blk_queue_start() - a queue is enabled (QueueReady = 1)
 * @blk: the device
 * @q: the queue index
 * @num: its size
 *
 * Allocates the queue's request contexts: as many as the queue has
 * entries, at most %VBLK_INFLIGHT_MAX. Called under the queue's lock.
 *
 * Return: 0 or -ENOMEM.
 */
int vblk_blk_queue_start(struct vblk_blk *blk, unsigned int q, u32 num)
{
	return vblk_iopool_init(&blk->qs[q].pool, min(num, VBLK_INFLIGHT_MAX),
				vblk_blk_pool_notify);
}

/**
 * vblk_blk_queue_stop() - a queue stops (QueueReady = 0, reset, unbind)
 * @blk: the device
 * @q: the queue index
 * @p: collects the events to report
 *
 * Waits for the queue's transfers in flight and drops them unpublished
 * (the driver gave the ring up), frees the request contexts and ends a
 * throttle stall of the queue (asking the caller, in @p->unwait, to give
 * up the device's place in its group's queue). Called under the queue's lock; may wait
 * as long as the backing takes.
 */
void vblk_blk_queue_stop(struct vblk_blk *blk, unsigned int q,
			 struct vblk_blk_pass *p)
{
	vblk_iopool_destroy(&blk->qs[q].pool);
	blk->qs[q].stall_since = 0;
	if (blk->qs[q].throttled)
		p->unwait = true;
	vblk_unthrottle(blk, &blk->qs[q], p);
}

/**
 * vblk_blk_cost() - what a request costs the throttle
 * @req: a validated request
 * @wt: the device is writethrough
 * @c: filled in
 *
 * Every request that reaches the backing costs one operation; reads and
 * writes their data length in bytes; write zeroes its ranges' length, but
 * never more than %VBLK_THROTTLE_ZERO_BYTES (zeroing is mostly metadata,
 * and one huge request must not hold the buckets, and a group's other
 * members, for its whole range); flushes, discards and writes made
 * durable before they complete (writethrough) a sync. Only reads are
 * charged to the read direction. Documentation/throttle.rst.
 *
 * Return: false for a request the throttle is not asked about.
 */
bool vblk_blk_cost(const struct vblk_req *req, bool wt, struct vblk_cost *c)
{
	*c = (struct vblk_cost){ .ops = 1, .dir = VBLK_DIR_WRITE };
	switch (req->op) {
	case VBLK_OP_READ:
		c->bytes = req->len;
		c->dir = VBLK_DIR_READ;
		return true;
	case VBLK_OP_WRITE:
		c->bytes = req->len;
		c->syncs = wt && req->len;
		return true;
	case VBLK_OP_WRITE_ZEROES:
		c->bytes = min_t(u64, req->len, VBLK_THROTTLE_ZERO_BYTES);
		c->syncs = wt && req->len;
		return true;
	case VBLK_OP_FLUSH:
	case VBLK_OP_DISCARD:
		c->syncs = 1;
		return true;
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vblk_blk_cost);

/* Throttle gate; when it refuses, the caller puts the chain back. */
static bool vblk_admit(struct vblk_run *r, const struct vblk_req *req)
{
	struct vblk_cost c;

	if (!vblk_blk_cost(req, vblk_blk_write_through(r->blk), &c))
		return true;
	return vblk_throttle_admit_cost(&r->blk->throttle, &c);
}

/*
 * Undo the pop and record the stall. A stall episode lasts until a pass
 * ends without being refused: under a saturating load it is one start
 * and one stop, not a pair per request (counted once in throttled_count).
 */
static void vblk_stall(struct vblk_run *r)
{
	vblk_vq_unpop(r->vq);
	r->stalled = true;
	if (!r->bq->stall_since)
		r->bq->stall_since = vblk_throttle_now(&r->blk->throttle) ?: 1;
	if (r->bq->throttled)
		return;
	WRITE_ONCE(r->bq->throttled, true);
	atomic64_inc(&r->blk->stats.throttled_count);
	atomic64_inc(&r->blk->stats.currently_throttled_gauge);
	r->p->events |= BIT(VBLK_EV_THROTTLE_START);
}

/* The latency class of a request that reaches the backing, or -1. */
static int vblk_op_class(enum vblk_op op)
{
	switch (op) {
	case VBLK_OP_READ:
		return VBLK_LAT_READ;
	case VBLK_OP_WRITE:
		return VBLK_LAT_WRITE;
	case VBLK_OP_FLUSH:
		return VBLK_LAT_FLUSH;
	case VBLK_OP_DISCARD:
		return VBLK_LAT_DISCARD;
	case VBLK_OP_WRITE_ZEROES:
		return VBLK_LAT_WRITE_ZEROES;
	default:
		return -1;
	}
}

/*
 * The throttle let @ctx through: its latency starts now, and if the queue's
 * head had been refused before, that wait ends now.
 */
static void vblk_admitted(struct vblk_run *r, struct vblk_ioctx *ctx)
{
	int cls = vblk_op_class(ctx->req.op);
	u64 now;

	if (cls < 0)
		return;
	now = vblk_throttle_now(&r->blk->throttle);
	if (r->bq->stall_since) {
		vblk_hist_add(&r->blk->lat.throttled[cls],
			      now - r->bq->stall_since);
		r->bq->stall_since = 0;
	}
	ctx->admitted_ns = now ?: 1;
}

/*
 * A request goes to the backing: note the most the queue had there at
 * once (its context is taken, as are those of the requests in flight).
 */
static void vblk_inflight_peak(struct vblk_blk_queue *bq)
{
	unsigned int n = bq->pool.n - bq->pool.nfree;

	if (n > bq->inflight_peak)
		WRITE_ONCE(bq->inflight_peak, n);
}

/*
 * Chain -> outcome: walk (drop on failure), status descriptor (drop if
 * missing), validation (completes invalid requests without touching the
 * throttle), throttle, dispatch.
 */
static enum vblk_outcome vblk_handle_chain(struct vblk_run *r,
					   struct vblk_ioctx *ctx)
{
	struct vblk_chain *c = &r->bq->chain;
	struct vblk_req *req = &ctx->req;
	struct vblk_req_env env = {
		.mem = &r->vq->mem,
		.capacity = READ_ONCE(r->blk->cfg.capacity),
		.read_only = r->blk->cfg.read_only,
		.discard = vblk_blk_negotiated(r->blk, VIRTIO_BLK_F_DISCARD),
		.write_zeroes = vblk_blk_negotiated(r->blk,
						VIRTIO_BLK_F_WRITE_ZEROES),
		.zeroes_unmap = r->blk->cfg.caps.zeroes_unmap,
		.segs = r->bq->data,
		.iov = &ctx->iov,
		.dwz = r->bq->dwz,
	};

	if (vblk_vq_walk(r->vq, req->head, c) ||
	    !vblk_req_locate_status(req, c))
		return VBLK_DROP;
	req->status = vblk_req_validate(req, c, &env);
	if (req->status != VIRTIO_BLK_S_OK || req->op == VBLK_OP_NONE)
		return VBLK_PUBLISH;
	if (!vblk_admit(r, req))
		return VBLK_STALL;
	vblk_admitted(r, ctx);
	vblk_inflight_peak(r->bq);
	if (vblk_execute(r->blk, ctx) == -EIOCBQUEUED)
		return VBLK_QUEUED;
	return VBLK_PUBLISH;
}

/*
 * The used entry, then the status byte into the LAST byte of the status
 * descriptor, then the used index. Any failure: nothing is published (an
 * entry written beyond the used index is not visible to the driver), and
 * the status byte is never written for a chain that is not published
 * because of a used ring fault.
 */
static bool vblk_publish(struct vblk_run *r, const struct vblk_req *req)
{
	if (vblk_vq_add_used(r->vq, req->head, vblk_req_written(req)))
		return false;
	if (vblk_mem_write(&r->vq->mem, req->status_gpa, &req->status, 1))
		return false;
	return !vblk_vq_commit_used(r->vq);
}

/* One outcome per popped chain: exactly one counter moves (or none). */
static void vblk_account(struct vblk_stats *s, const struct vblk_req *req)
{
	if (req->status == VIRTIO_BLK_S_IOERR) {
		atomic64_inc(&s->io_errors);
		return;
	}
	if (req->status != VIRTIO_BLK_S_OK)
		return;
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
		atomic64_inc(&s->reads_completed);
		atomic64_add(req->len, &s->bytes_read);
		break;
	case VIRTIO_BLK_T_OUT:
		atomic64_inc(&s->writes_completed);
		atomic64_add(req->len, &s->bytes_written);
		break;
	case VIRTIO_BLK_T_FLUSH:
		atomic64_inc(&s->flushes_completed);
		break;
	case VIRTIO_BLK_T_DISCARD:
		atomic64_inc(&s->discards_completed);
		atomic64_add(req->len, &s->bytes_discarded);
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		atomic64_inc(&s->write_zeroes_completed);
		atomic64_add(req->len, &s->bytes_zeroed);
		break;
	}
}

/* The queue's share: every published chain, and the data it moved. */
static void vblk_account_queue(struct vblk_queue_stats *s,
			       const struct vblk_req *req)
{
	atomic64_inc(&s->requests);
	if (req->status == VIRTIO_BLK_S_OK &&
	    (req->type == VIRTIO_BLK_T_IN || req->type == VIRTIO_BLK_T_OUT))
		atomic64_add(req->len, &s->bytes);
}

/* The service latency of a published request, admission to publication. */
static void vblk_account_latency(struct vblk_run *r, struct vblk_ioctx *ctx)
{
	int cls = vblk_op_class(ctx->req.op);

	if (cls >= 0 && ctx->admitted_ns)
		vblk_hist_add(&r->blk->lat.service[cls],
			      vblk_throttle_now(&r->blk->throttle) -
			      ctx->admitted_ns);
}

/* Publish and count a request with its status, and free its context. */
static void vblk_complete(struct vblk_run *r, struct vblk_ioctx *ctx)
{
	/* a failed switch to writethrough is reported once, as a flush is */
	if (unlikely(atomic_read(&r->blk->wt_sync_err)) &&
	    atomic_xchg(&r->blk->wt_sync_err, 0))
		ctx->req.status = VIRTIO_BLK_S_IOERR;
	if (!vblk_publish(r, &ctx->req)) {
		atomic64_inc(&r->blk->stats.io_errors);
	} else {
		r->p->published++;
		vblk_account(&r->blk->stats, &ctx->req);
		vblk_account_queue(&r->bq->stats, &ctx->req);
		vblk_account_latency(r, ctx);
	}
	vblk_iopool_put(&r->bq->pool, ctx);
}

/* Publish the requests whose transfers completed, in completion order. */
static void vblk_reap(struct vblk_run *r)
{
	struct llist_node *done = vblk_iopool_reap(&r->bq->pool);
	bool dsync = vblk_blk_write_through(r->blk);
	struct vblk_ioctx *ctx, *next;
	int err;

	llist_for_each_entry_safe(ctx, next, done, node) {
		err = vblk_io_finish(&r->blk->backing, ctx,
				     dsync && ctx->req.op == VBLK_OP_WRITE);
		ctx->req.status = err ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		vblk_complete(r, ctx);
	}
}

/* Handle chains in FIFO order until last_avail_idx reaches @avail. */
static enum vblk_stop vblk_drain(struct vblk_run *r, u16 avail)
{
	struct vblk_ioctx *ctx;
	u64 len;

	while (r->vq->last_avail_idx != avail) {
		if (r->reqs >= VBLK_WEIGHT_REQS || r->bytes >= VBLK_WEIGHT_BYTES)
			return VBLK_BUDGET;
		/* No context free: a completion kicks the queue. */
		ctx = vblk_iopool_get(&r->bq->pool);
		if (!ctx)
			return VBLK_BUSY;
		if (vblk_vq_pop(r->vq, &ctx->req.head)) {
			vblk_iopool_put(&r->bq->pool, ctx);
			return VBLK_RING_FAULT;
		}
		switch (vblk_handle_chain(r, ctx)) {
		case VBLK_STALL:
			vblk_iopool_put(&r->bq->pool, ctx);
			vblk_stall(r);
			return VBLK_STALLED;
		case VBLK_DROP:
			vblk_iopool_put(&r->bq->pool, ctx);
			atomic64_inc(&r->blk->stats.io_errors);
			len = 0;
			break;
		case VBLK_PUBLISH:
			len = ctx->req.len;
			vblk_complete(r, ctx);
			break;
		case VBLK_QUEUED:
			len = ctx->req.len;
			break;
		}
		r->reqs++;
		r->bytes += len;
		cond_resched();
	}
	return VBLK_CAUGHT_UP;
}

/* Read the avail index; a jump beyond the queue size breaks the queue. */
static bool vblk_read_avail(struct vblk_run *r, u16 *avail)
{
	int err = vblk_vq_avail_idx(r->vq, avail);

	if (err == -EPROTO) {
		atomic64_inc(&r->blk->stats.invalid_avail_idx_count);
		if (r->bq->throttled)
			r->p->unwait = true;
		vblk_unthrottle(r->blk, r->bq, r->p);
		r->p->events |= BIT(VBLK_EV_QUEUE_BROKEN);
	}
	return !err;
}

/*
 * Drain, re-enable notifications, re-read the avail index, drain again on
 * new work. Notifications count as enabled on entry: every pass that
 * disabled them re-enables them before it ends. Bounded: every round
 * handles a chain or ends the pass, and chains are bounded by the pass's
 * weight.
 */
static void vblk_run(struct vblk_run *r)
{
	bool enabled = true;
	u16 avail;

	for (;;) {
		if (!vblk_read_avail(r, &avail)) {
			/* never leave kicks off (best effort) */
			if (!enabled)
				vblk_vq_notify_enable(r->vq);
			return;
		}
		if (avail == r->vq->last_avail_idx) {
			if (enabled)
				return;
			if (!vblk_vq_notify_enable(r->vq)) {
				r->failsafe = true;
				return;
			}
			enabled = true;
			continue;
		}
		if (enabled) {
			vblk_vq_notify_disable(r->vq);
			enabled = false;
		}
		switch (vblk_drain(r, avail)) {
		case VBLK_CAUGHT_UP:
			break;
		case VBLK_STALLED:
			/* the timer kicks us; a failure here changes nothing */
			vblk_vq_notify_enable(r->vq);
			return;
		case VBLK_BUSY:
			/* a completion kicks us; the same for kicks */
			vblk_vq_notify_enable(r->vq);
			return;
		case VBLK_BUDGET:
			/*
			 * Come back for the rest. Kicks are re-enabled too, so
			 * that no pass ever starts with them off.
			 */
			vblk_vq_notify_enable(r->vq);
			r->p->rekick = true;
			return;
		case VBLK_RING_FAULT:
			vblk_vq_notify_enable(r->vq);
			return;
		}
	}
}

/*
 * Sync the backing owed by a switch to writethrough, before anything is
 * completed: what was written in writeback mode becomes durable before
 * the driver sees a request complete in writethrough mode. Every queue's
 * pass that finds it owed syncs (a second sync is only redundant); a
 * failure is handed to the next request completed.
 */
static void vblk_wt_sync(struct vblk_blk *blk)
{
	int owed = atomic_read(&blk->wt_switches);

	if (likely(owed == atomic_read(&blk->wt_synced)))
		return;
	if (vblk_io_sync(&blk->backing, 0, 0))
		atomic_set(&blk->wt_sync_err, 1);
	atomic_set(&blk->wt_synced, owed);
}

/**
 * vblk_blk_process() - one pass over a ready queue
 * @blk: the device
 * @q: the queue's index
 * @vq: the queue, ready and not broken, with guest memory bound
 * @p: what the caller must do once it drops the queue's lock (zeroed by
 *	the caller)
 *
 * Syncs the backing first when a switch to writethrough owes it
 * (vblk_blk_set_config()), publishes the requests whose transfers
 * completed, pops and handles available chains in FIFO order (starting
 * transfers back to back under a block plug; a request in flight takes a
 * context of the queue's pool, and the pass stops when none is free),
 * re-enables notifications and
 * re-checks for new work, publishes what completed meanwhile, and decides
 * once, after the pass, whether the driver needs an interrupt. A pass is
 * bounded (%VBLK_WEIGHT_REQS chains or %VBLK_WEIGHT_BYTES bytes). Process
 * context, under the queue's lock; may sleep.
 */
void vblk_blk_process(struct vblk_blk *blk, unsigned int q,
		      struct vblk_vq *vq, struct vblk_blk_pass *p)
{
	struct vblk_run r = {
		.blk = blk, .q = q, .vq = vq, .bq = &blk->qs[q], .p = p,
	};
	struct blk_plug plug;

	vblk_wt_sync(blk);
	vblk_reap(&r);
	blk_start_plug(&plug);
	vblk_run(&r);
	blk_finish_plug(&plug);
	vblk_reap(&r);
	/*
	 * The queue is no longer held back: the stall episode ends, also
	 * when the stalled chain never came back to the throttle (rewritten,
	 * now invalid): the device leaves its group's queue then, or it
	 * would hold the group up, and the wait is not charged to the next
	 * request.
	 */
	if (!r.stalled) {
		if (r.bq->throttled)
			p->unwait = true;
		r.bq->stall_since = 0;
		vblk_unthrottle(blk, r.bq, p);
	}
	if (p->published)
		p->signal = vblk_vq_need_signal(vq) || r.failsafe;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_blk_process);

/* Throttle timer (softirq): restart the queues. */
static void vblk_blk_throttle_resume(struct vblk_throttle *t)
{
	struct vblk_blk *blk = container_of(t, struct vblk_blk, throttle);

	blk->kick(blk, BIT(blk->cfg.num_queues) - 1);
}

/**
 * vblk_blk_init() - initialise the block side of a device
 * @blk: the device
 * @cfg: configuration, copied (@cfg->num_queues must be 1 to
 *	%VBLK_MAX_QUEUES)
 * @backing: backing store operations
 * @backing_ctx: their context
 * @kick: called (any context) when the queues in a mask have work: a
 *	throttle resume, a completed transfer
 *
 * Counters start at zero and the throttle unlimited.
 *
 * Return: 0, -EINVAL for a bad queue count, or -ENOMEM.
 */
int vblk_blk_init(struct vblk_blk *blk, const struct vblk_blk_config *cfg,
		  const struct vblk_backing_ops *backing, void *backing_ctx,
		  void (*kick)(struct vblk_blk *blk, unsigned long queues))
{
	unsigned int q;

	if (!cfg->num_queues || cfg->num_queues > VBLK_MAX_QUEUES)
		return -EINVAL;
	blk->qs = kvcalloc(cfg->num_queues, sizeof(*blk->qs),
			   GFP_KERNEL_ACCOUNT);
	if (!blk->qs)
		return -ENOMEM;
	for (q = 0; q < cfg->num_queues; q++) {
		blk->qs[q].blk = blk;
		blk->qs[q].index = q;
	}
	blk->cfg = *cfg;
	blk->backing.ops = backing;
	blk->backing.ctx = backing_ctx;
	blk->features = 0;
	blk->writeback = !cfg->writethrough;
	atomic_set(&blk->wt_switches, 0);
	atomic_set(&blk->wt_synced, 0);
	atomic_set(&blk->wt_sync_err, 0);
	blk->kick = kick;
	memset(&blk->stats, 0, sizeof(blk->stats));
	memset(&blk->lat, 0, sizeof(blk->lat));
	vblk_throttle_init(&blk->throttle, vblk_blk_throttle_resume);
	return 0;
}

/**
 * vblk_blk_set_features() - the driver's features are final (or reset)
 * @blk: the device
 * @features: the negotiated bits, 0 at reset
 *
 * A reset (@features 0) also cancels a pending throttle resume: the
 * queues it would restart are gone.
 */
void vblk_blk_set_features(struct vblk_blk *blk, u64 features)
{
	WRITE_ONCE(blk->features, features);
	if (!features)
		vblk_throttle_cancel(&blk->throttle);
}

/**
 * vblk_blk_destroy() - release the block side of a device
 * @blk: the device; no pass runs and none can start
 *
 * Cancels the throttle timer and frees what queues still hold.
 */
void vblk_blk_destroy(struct vblk_blk *blk)
{
	unsigned int q;

	vblk_throttle_cancel(&blk->throttle);
	for (q = 0; q < blk->cfg.num_queues; q++)
		vblk_iopool_destroy(&blk->qs[q].pool);
	kvfree(blk->qs);
	blk->qs = NULL;
}
