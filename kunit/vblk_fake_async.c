// SPDX-License-Identifier: GPL-2.0
/*
 * An asynchronous fake backing (see vblk_fake_async.h).
 */
#include <kunit/test.h>
#include <linux/minmax.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/workqueue.h>

#include "vblk_fake_async.h"

/* The synchronous path goes to the data store with its own faults. */
static ssize_t vblk_fake_async_read(void *ctx, struct iov_iter *iter,
				    loff_t pos)
{
	struct vblk_fake_async *a = ctx;

	return vblk_fake_backing_ops.read_iter(a->b, iter, pos);
}

static ssize_t vblk_fake_async_write(void *ctx, struct iov_iter *iter,
				     loff_t pos)
{
	struct vblk_fake_async *a = ctx;

	return vblk_fake_backing_ops.write_iter(a->b, iter, pos);
}

static int vblk_fake_async_sync(void *ctx)
{
	struct vblk_fake_async *a = ctx;

	return vblk_fake_backing_ops.sync(a->b);
}

static int vblk_fake_async_sync_range(void *ctx, loff_t pos, u64 len)
{
	struct vblk_fake_async *a = ctx;

	return vblk_fake_backing_ops.sync_range(a->b, pos, len);
}

/*
 * Move the data now (into a kernel buffer: any context would do) and hold
 * the completion. A short or failing result only reports less: the core
 * continues from what the result says.
 */
static ssize_t vblk_fake_async_submit(void *ctx, struct vblk_aio *aio)
{
	struct vblk_fake_async *a = ctx;
	struct vblk_fake_backing *b = a->b;
	size_t n = iov_iter_count(aio->iter);
	unsigned long flags;

	if (aio->pos < 0 || aio->pos + n > b->cap)
		return -EINVAL;
	if (aio->write) {
		n = copy_from_iter(b->data + aio->pos, n, aio->iter);
		b->size = max_t(u64, b->size, aio->pos + n);
		if (aio->dsync)
			atomic_inc(&a->dsync_writes);
	} else {
		n = copy_to_iter(b->data + aio->pos, n, aio->iter);
	}
	spin_lock_irqsave(&a->lock, flags);
	if (a->nheld == VBLK_FAKE_ASYNC_MAX) {
		spin_unlock_irqrestore(&a->lock, flags);
		return n;	/* full: completed synchronously */
	}
	a->held[a->nheld].aio = aio;
	a->held[a->nheld].res = n;
	a->nheld++;
	a->max_held = max(a->max_held, a->nheld);
	spin_unlock_irqrestore(&a->lock, flags);
	atomic_inc(&a->submitted);
	return -EIOCBQUEUED;
}

/* Complete everything held, in the chosen order. */
static void vblk_fake_async_work(struct work_struct *work)
{
	struct vblk_fake_async *a = container_of(work, struct vblk_fake_async,
						 work);
	unsigned long flags;
	unsigned int i, n;

	spin_lock_irqsave(&a->lock, flags);
	n = a->nheld;
	memcpy(a->batch, a->held, n * sizeof(a->batch[0]));
	a->nheld = 0;
	spin_unlock_irqrestore(&a->lock, flags);
	for (i = 0; i < n; i++) {
		unsigned int k = a->reverse ? n - 1 - i : i;
		struct vblk_aio *aio = a->batch[k].aio;
		long res = a->batch[k].res;

		if (a->res_override)
			res = a->res_override;
		atomic_inc(&a->completed);
		/* as a completion interrupt would: nothing may sleep */
		local_irq_save(flags);
		aio->complete(aio, res);
		local_irq_restore(flags);
	}
}

/* Backing operations over struct vblk_fake_async. */
const struct vblk_backing_ops vblk_fake_async_ops = {
	.read_iter = vblk_fake_async_read,
	.write_iter = vblk_fake_async_write,
	.sync = vblk_fake_async_sync,
	.sync_range = vblk_fake_async_sync_range,
	.submit = vblk_fake_async_submit,
};

static void vblk_fake_async_stop(void *ctx)
{
	struct vblk_fake_async *a = ctx;

	/* nothing may stay held: the device waits for it at teardown */
	vblk_fake_async_release(a, false);
	flush_work(&a->work);
}

/**
 * vblk_fake_async_new() - an asynchronous fake over a data store
 * @test: the test
 * @b: the data store
 *
 * Return: the fake; whatever it holds is released when the test ends.
 */
struct vblk_fake_async *vblk_fake_async_new(struct kunit *test,
					    struct vblk_fake_backing *b)
{
	struct vblk_fake_async *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->b = b;
	spin_lock_init(&a->lock);
	INIT_WORK(&a->work, vblk_fake_async_work);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, vblk_fake_async_stop,
						  a));
	return a;
}

/**
 * vblk_fake_async_install() - serve a fake device from @a
 * @fd: the device, before it is wired
 * @a: the asynchronous fake (over @fd's data store, usually)
 */
void vblk_fake_async_install(struct vblk_fake_dev *fd,
			     struct vblk_fake_async *a)
{
	fd->vd->blk.backing.ops = &vblk_fake_async_ops;
	fd->vd->blk.backing.ctx = a;
}

/**
 * vblk_fake_async_release() - complete what is held, from a work item
 * @a: the fake
 * @reverse: newest first (else in submission order)
 */
void vblk_fake_async_release(struct vblk_fake_async *a, bool reverse)
{
	a->reverse = reverse;
	schedule_work(&a->work);
}

/**
 * vblk_fake_async_settle() - wait for released completions to be reaped
 * @fd: the device
 * @a: the fake
 */
void vblk_fake_async_settle(struct vblk_fake_dev *fd,
			    struct vblk_fake_async *a)
{
	flush_work(&a->work);
	vblk_fake_host_flush(&fd->host);
}

/**
 * vblk_fake_async_held() - transfers held now
 * @a: the fake
 *
 * Return: how many.
 */
unsigned int vblk_fake_async_held(struct vblk_fake_async *a)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&a->lock, flags);
	n = a->nheld;
	spin_unlock_irqrestore(&a->lock, flags);
	return n;
}
