// SPDX-License-Identifier: GPL-2.0
/*
 * Fake backing for vblk_fuzz: a file in a 1 MiB buffer with a size (reads
 * past it see end of file, writes past the buffer fail with -ENOSPC),
 * optional asynchronous submission whose completions the input schedules,
 * optional sync_range, optional discard and write zeroes (both zero the
 * range's bytes in the buffer), and a plan of injected results (short transfers,
 * zero, -EINTR after consuming part of the iterator, -EIO, a count larger
 * than asked for). Every call is reported to the model, which knows what
 * the device must conclude from the answers.
 */
#include "fuzz.h"

struct fz_backing fz_b;
static struct fz_pred *fz_aio_pred[FZ_MAX_AIO];

static u8 fz_plan_next(u8 *plan, unsigned int *n)
{
	u8 v;

	if (!*n)
		return 0;	/* FULL, OK, QUEUE: the first of each enum */
	v = plan[0];
	memmove(plan, plan + 1, --*n);
	return v;
}

/* A transfer of what @how allows of @it at @pos, as a file would do it. */
static ssize_t fz_transfer(struct iov_iter *it, loff_t pos, bool write,
			   enum fz_rw_plan how)
{
	size_t count = iov_iter_count(it), want;
	u64 room;

	switch (how) {
	case FZ_RW_EINTR:
		/* A real file may have consumed part of the iterator. */
		iov_iter_advance(it, count / 3);
		return -EINTR;
	case FZ_RW_EIO:
		iov_iter_advance(it, count / 2);
		return -EIO;
	case FZ_RW_OVER:
		return count + 512;
	case FZ_RW_ZERO:
		return 0;
	case FZ_RW_SHORT:
		want = count > 1 ? count / 2 : count;
		break;
	default:
		want = count;
		break;
	}
	if (pos < 0)
		return -EINVAL;
	if (write) {
		if ((u64)pos >= FZ_BACKING_CAP)
			return want ? -ENOSPC : 0;
		room = FZ_BACKING_CAP - pos;
		want = min_t(u64, want, room);
		FZ_CHECK(copy_from_iter(fz_b.data + pos, want, it) == want,
			 "short copy from a write iterator");
		fz_b.size = max(fz_b.size, (u64)pos + want);
		fz_b.dirty = max(fz_b.dirty, fz_b.size);
		return want;
	}
	if ((u64)pos >= fz_b.size)
		return 0;
	want = min_t(u64, want, fz_b.size - pos);
	FZ_CHECK(copy_to_iter(fz_b.data + pos, want, it) == want,
		 "short copy into a read iterator");
	return want;
}

static ssize_t fz_rw(struct iov_iter *it, loff_t pos, bool write)
{
	struct fz_pred *p;
	ssize_t r;

	might_sleep();
	fz_b.calls++;
	p = fz_model_io_begin(it, pos, write, false, false);
	r = fz_transfer(it, pos, write, fz_plan_next(fz_b.rw, &fz_b.nrw) % FZ_RW_NR);
	fz_model_io_result(p, r, false);
	return r;
}

static ssize_t fz_read_iter(void *ctx, struct iov_iter *it, loff_t pos)
{
	(void)ctx;
	return fz_rw(it, pos, false);
}

static ssize_t fz_write_iter(void *ctx, struct iov_iter *it, loff_t pos)
{
	(void)ctx;
	return fz_rw(it, pos, true);
}

static int fz_sync_answer(void)
{
	switch (fz_plan_next(fz_b.sync, &fz_b.nsync) % FZ_SYNC_NR) {
	case FZ_SYNC_EINTR:
		return -EINTR;
	case FZ_SYNC_EIO:
		return -EIO;
	}
	return 0;
}

static int fz_sync(void *ctx)
{
	struct fz_pred *p;
	int r;

	(void)ctx;
	might_sleep();
	fz_b.calls++;
	p = fz_model_sync_begin(false, 0, 0);
	r = fz_sync_answer();
	fz_model_sync_result(p, r);
	return r;
}

static int fz_sync_range(void *ctx, loff_t pos, u64 len)
{
	struct fz_pred *p;
	int r;

	(void)ctx;
	might_sleep();
	fz_b.calls++;
	p = fz_model_sync_begin(true, pos, len);
	r = fz_sync_answer();
	fz_model_sync_result(p, r);
	return r;
}

static ssize_t fz_submit(void *ctx, struct vblk_aio *aio)
{
	struct fz_pred *p;
	ssize_t r;

	(void)ctx;
	might_sleep();
	fz_b.calls++;
	FZ_CHECK(aio->complete, "submit without a completion");
	p = fz_model_io_begin(aio->iter, aio->pos, aio->write, true, aio->dsync);
	switch (fz_plan_next(fz_b.sub, &fz_b.nsub) % FZ_SUB_NR) {
	case FZ_SUB_QUEUE:
		FZ_CHECK(fz_b.n < FZ_MAX_AIO, "more transfers in flight than "
			 "the queues have request contexts");
		fz_b.fl[fz_b.n].aio = aio;
		fz_b.fl[fz_b.n].q = fz.m.cur_q;
		fz_aio_pred[fz_b.n] = p;
		fz_b.n++;
		fz_model_io_result(p, -EIOCBQUEUED, true);
		return -EIOCBQUEUED;
	case FZ_SUB_NOW:
		r = fz_transfer(aio->iter, aio->pos, aio->write,
				fz_plan_next(fz_b.rw, &fz_b.nrw) % FZ_RW_NR);
		if (r == -EOPNOTSUPP)
			r = -EIO;
		fz_model_io_complete(p, r);
		return r;
	}
	fz_model_io_result(p, -EOPNOTSUPP, false);
	return -EOPNOTSUPP;
}

/*
 * Discard and write zeroes answer from the transfer plan: -EINTR, -EIO,
 * -ENOSPC for a transfer that would write nothing, else success.
 */
static int fz_range(bool zeroes, loff_t pos, u64 len, bool unmap)
{
	struct fz_pred *p;
	int r = 0;

	might_sleep();
	fz_b.calls++;
	p = fz_model_dwz_begin(zeroes, pos, len, unmap);
	switch (fz_plan_next(fz_b.rw, &fz_b.nrw) % FZ_RW_NR) {
	case FZ_RW_EINTR:
		r = -EINTR;
		break;
	case FZ_RW_EIO:
		r = -EIO;
		break;
	case FZ_RW_ZERO:
		r = -ENOSPC;
		break;
	default:
		if (pos >= 0 && (u64)pos < fz_b.size)
			memset(fz_b.data + pos, 0,
			       min_t(u64, len, fz_b.size - pos));
		break;
	}
	fz_model_dwz_result(p, r);
	return r;
}

static int fz_discard(void *ctx, loff_t pos, u64 len)
{
	(void)ctx;
	return fz_range(false, pos, len, false);
}

static int fz_write_zeroes(void *ctx, loff_t pos, u64 len, bool unmap)
{
	(void)ctx;
	return fz_range(true, pos, len, unmap);
}

void fz_backing_complete(unsigned int i, enum fz_rw_plan how)
{
	struct vblk_aio *aio;
	struct fz_pred *p;
	ssize_t r;

	if (i >= fz_b.n)
		return;
	aio = fz_b.fl[i].aio;
	p = fz_aio_pred[i];
	fz_b.n--;
	fz_b.fl[i] = fz_b.fl[fz_b.n];
	fz_aio_pred[i] = fz_aio_pred[fz_b.n];
	/* The transfer itself runs "on the device", outside any context. */
	fz.m.active = p;
	r = fz_transfer(aio->iter, aio->pos, aio->write, how % FZ_RW_NR);
	fz_model_io_complete(p, r);
	shim_irq_enter();
	aio->complete(aio, r);
	shim_irq_exit();
}

void fz_backing_complete_all(void)
{
	while (fz_b.n)
		fz_backing_complete(fz_b.n - 1, FZ_RW_FULL);
}

#define FZ_OPS(range, sub, dis, wz) \
	{ fz_read_iter, fz_write_iter, fz_sync, range, sub, dis, wz }
static const struct vblk_backing_ops fz_ops[8] = {
	FZ_OPS(NULL, NULL, NULL, NULL),
	FZ_OPS(fz_sync_range, NULL, NULL, NULL),
	FZ_OPS(NULL, fz_submit, NULL, NULL),
	FZ_OPS(fz_sync_range, fz_submit, NULL, NULL),
	FZ_OPS(NULL, NULL, fz_discard, fz_write_zeroes),
	FZ_OPS(fz_sync_range, NULL, fz_discard, fz_write_zeroes),
	FZ_OPS(NULL, fz_submit, fz_discard, fz_write_zeroes),
	FZ_OPS(fz_sync_range, fz_submit, fz_discard, fz_write_zeroes),
};

const struct vblk_backing_ops *fz_backing_ops(void)
{
	return &fz_ops[fz_b.dwz * 4 + fz_b.async * 2 + fz_b.ranged];
}

void fz_backing_setup(bool async, bool ranged, bool dwz, bool unmap, u64 size)
{
	u8 *data = fz_b.data;

	if (!data)
		data = malloc(FZ_BACKING_CAP);
	FZ_CHECK(data, "no memory for the backing");
	memset(data, 0, min_t(u64, fz_b.dirty, FZ_BACKING_CAP));
	memset(&fz_b, 0, sizeof(fz_b));
	fz_b.data = data;
	fz_b.async = async;
	fz_b.ranged = ranged;
	fz_b.dwz = dwz;
	fz_b.unmap = dwz && unmap;
	fz_b.size = min_t(u64, size, FZ_BACKING_CAP);
	/* A file's initial content: a recognisable pattern. */
	for (u64 i = 0; i < fz_b.size; i += 512)
		memset(fz_b.data + i, (u8)(i >> 9) | 1, 512);
	fz_b.dirty = fz_b.size;
}
