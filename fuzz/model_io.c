// SPDX-License-Identifier: GPL-2.0
/*
 * The model's view of the backing: each admitted read or write is tracked
 * through the calls the device makes for it (Documentation/device-model.rst,
 * "I/O"): the iterator must describe the request's remaining buffers at
 * the right offset, short transfers continue, -EINTR is retried at most
 * 16 times, a write that makes no progress fails, a read at end of file
 * zero-fills, a write-through write is made durable before it completes,
 * and once the outcome is decided the backing is not called again for it.
 */
#include <linux/virtio_blk.h>

#include "fuzz.h"

#define M		(&fz.m)
#define FZ_RETRIES	16

static const char *const fz_phase[] = {
	"fresh", "transferring", "queued", "syncing", "done ok", "done error",
};

static u64 min3_u64(u64 a, u64 b, u64 c)
{
	return min(a, min(b, c));
}

/* @it describes p's buffers from byte p->done on, in order. */
static void fz_check_iter(const struct fz_pred *p, const struct iov_iter *it)
{
	const struct kvec *kv = it->kvec;
	unsigned long nr = it->nr_segs;
	size_t left = iov_iter_count(it), ob = it->iov_offset;
	unsigned int i = 0;
	u64 oa = p->done;

	FZ_CHECK(it->iter_type == ITER_KVEC, "data iterator of another type");
	while (i < p->nsegs && oa >= p->segs[i].len)
		oa -= p->segs[i++].len;
	while (left) {
		u64 gpa, n;

		FZ_CHECK(i < p->nsegs && nr, "head %u: iterator longer than "
			 "the request's buffers", p->head);
		if (ob == kv->iov_len) {
			kv++;
			nr--;
			ob = 0;
			continue;
		}
		n = min3_u64(p->segs[i].len - oa, kv->iov_len - ob, left);
		FZ_CHECK(fz_mem_gpa(&fz.mem, (u8 *)kv->iov_base + ob, n, &gpa),
			 "head %u: iterator points outside guest RAM", p->head);
		FZ_CHECK(gpa == p->segs[i].gpa + oa,
			 "head %u: iterator at %#llx where the request's byte "
			 "is at %#llx", p->head, (unsigned long long)gpa,
			 (unsigned long long)(p->segs[i].gpa + oa));
		oa += n;
		ob += n;
		left -= n;
		if (oa == p->segs[i].len) {
			i++;
			oa = 0;
		}
	}
}

static void fz_xfer_done(struct fz_pred *p)
{
	p->done = p->len;
	p->phase = p->dsync ? PH_SYNC : PH_OK;
}

struct fz_pred *fz_model_io_begin(const struct iov_iter *it, loff_t pos,
				  bool write, bool submit, bool dsync)
{
	size_t count = iov_iter_count(it);
	int q = M->cur_q;
	struct fz_mq *mq;
	struct fz_pred *p = NULL;
	unsigned int i;

	FZ_CHECK(q >= 0, "backing called outside a pass");
	mq = &M->q[q];
	for (i = 0; i < FZ_MAX_PRED && !p; i++)
		if (M->pred[i].live && M->pred[i].linked &&
		    M->pred[i].q == q && M->pred[i].key == it)
			p = &M->pred[i];
	if (!p) {
		/* A new transfer: the chain just popped and validated. */
		p = mq->last_pop;
		FZ_CHECK(p && p->live && p->kind == PK_RW && !p->linked &&
			 p->phase == PH_FRESH && p->write == write &&
			 (u64)pos == p->pos && count == p->len,
			 "queue %d: backing %s of %zu bytes at %lld for no "
			 "admitted request", q, write ? "write" : "read", count,
			 (long long)pos);
		p->linked = true;
		p->key = it;
		p->phase = PH_XFER;
		mq->admitted++;
	}
	FZ_CHECK(p->phase == PH_XFER, "head %u: backing called while %s",
		 p->head, fz_phase[p->phase]);
	FZ_CHECK(write == p->write && (u64)pos == p->pos + p->done &&
		 count == p->len - p->done,
		 "head %u: backing asked for %zu bytes at %lld, the request "
		 "has %llu left at %llu", p->head, count, (long long)pos,
		 (unsigned long long)(p->len - p->done),
		 (unsigned long long)(p->pos + p->done));
	if (submit)
		FZ_CHECK(!p->done && !p->async_seen && dsync == p->dsync,
			 "head %u: bad submission (dsync %d)", p->head, dsync);
	p->reap = false;
	fz_check_iter(p, it);
	M->active = p;
	return p;
}

void fz_model_io_result(struct fz_pred *p, ssize_t r, bool queued)
{
	u64 left = p->len - p->done;

	FZ_TRACE("head %u: %s at %llu of %llu: %zd%s", p->head,
		 p->write ? "write" : "read",
		 (unsigned long long)(p->pos + p->done),
		 (unsigned long long)left, r, queued ? " (queued)" : "");
	if (queued) {
		p->phase = PH_QUEUED;
		p->async_seen = true;
		return;
	}
	if (r == -EOPNOTSUPP) {		/* submission declined */
		p->eintr = 0;
		return;
	}
	if (r == -EINTR) {
		if (++p->eintr > FZ_RETRIES)
			p->phase = PH_ERR;
		return;
	}
	if (r < 0 || (u64)r > left) {
		p->phase = PH_ERR;
		return;
	}
	if (!r) {
		/* End of file: a read zero-fills, a write made no progress. */
		if (p->write) {
			p->phase = PH_ERR;
		} else {
			p->zero_from = p->done;
			fz_xfer_done(p);
		}
		return;
	}
	p->done += r;
	if (p->done == p->len)
		fz_xfer_done(p);
}

void fz_model_io_complete(struct fz_pred *p, long res)
{
	FZ_CHECK(p->live && (p->phase == PH_QUEUED ||
			     (p->phase == PH_XFER && !p->done)),
		 "completion of head %u while %s", p->head, fz_phase[p->phase]);
	FZ_TRACE("head %u: completion %ld", p->head, res);
	p->reap = p->phase == PH_QUEUED;
	if (res >= 0 && (u64)res == p->len) {
		/* The backing made a write-through write durable itself. */
		p->synced = p->dsync;
		p->done = p->len;
		p->phase = PH_OK;
	} else if ((res < 0 && res != -EINTR) || (res > 0 && (u64)res > p->len)) {
		p->phase = PH_ERR;
	} else {
		/* Short or interrupted: the worker continues synchronously. */
		p->done = res > 0 ? res : 0;
		p->eintr = 0;
		p->phase = PH_XFER;
	}
}

struct fz_pred *fz_model_sync_begin(bool ranged, loff_t pos, u64 len)
{
	struct fz_pred *p = M->active;
	int q = M->cur_q;

	FZ_CHECK(q >= 0, "sync outside a pass");
	FZ_CHECK(p && p->live && p->q == q, "queue %d: sync for no request", q);
	if (p->kind == PK_FLUSH) {
		FZ_CHECK(!ranged, "head %u: a flush synced a range", p->head);
		if (p->phase == PH_FRESH) {
			p->phase = PH_SYNC;
			M->q[q].admitted++;
		}
	} else if (p->kind == PK_DWZ) {
		const typeof(p->dwz[0]) *d = &p->dwz[p->dwz_next - 1];

		/* Each zeroed range is made durable before the next one. */
		FZ_CHECK(p->dsync && p->dwz_next && ranged == fz_b.ranged &&
			 (!ranged || ((u64)pos == d->pos && len == d->len)),
			 "head %u: write-through sync of the wrong range",
			 p->head);
	} else {
		FZ_CHECK(p->kind == PK_RW, "head %u: sync for a request "
			 "that needs none", p->head);
		FZ_CHECK(ranged == fz_b.ranged &&
			 (!ranged || ((u64)pos == p->pos && len == p->len)),
			 "head %u: write-through sync of the wrong range",
			 p->head);
	}
	FZ_CHECK(p->phase == PH_SYNC, "head %u: sync while %s", p->head,
		 fz_phase[p->phase]);
	return p;
}

/* The next non-empty range of @p from p->dwz_next on, false if none. */
static bool fz_dwz_skip(struct fz_pred *p)
{
	while (p->dwz_next < p->ndwz && !p->dwz[p->dwz_next].len)
		p->dwz_next++;
	return p->dwz_next < p->ndwz;
}

void fz_model_sync_result(struct fz_pred *p, int r)
{
	FZ_TRACE("head %u: sync %d", p->head, r);
	if (!r) {
		p->synced = true;
		p->phase = PH_OK;
		if (p->kind == PK_DWZ && fz_dwz_skip(p)) {
			/* Every sync of a range has its own retries. */
			p->sync_eintr = 0;
			p->phase = PH_XFER;
		}
	} else if (r != -EINTR || ++p->sync_eintr > FZ_RETRIES) {
		p->phase = PH_ERR;
	}
}

/*
 * DISCARD / WRITE_ZEROES (device-model.rst, "Discard and write zeroes"):
 * the non-empty ranges in order, each once it succeeded, -EINTR retried
 * at most 16 times per request, any other error ends the request; a
 * write-through write zeroes syncs each range before the next.
 */
struct fz_pred *fz_model_dwz_begin(bool zeroes, loff_t pos, u64 len, bool unmap)
{
	int q = M->cur_q;
	struct fz_pred *p;

	FZ_CHECK(q >= 0, "backing range operation outside a pass");
	p = M->q[q].last_pop;
	FZ_CHECK(p && p->live && p->kind == PK_DWZ &&
		 (p->phase == PH_FRESH || p->phase == PH_XFER),
		 "queue %d: %s of %llu bytes at %lld for no admitted request",
		 q, zeroes ? "write zeroes" : "discard",
		 (unsigned long long)len, (long long)pos);
	if (p->phase == PH_FRESH) {
		p->phase = PH_XFER;
		M->q[q].admitted++;
		FZ_CHECK(fz_dwz_skip(p), "head %u: backing called for empty "
			 "ranges only", p->head);
	}
	FZ_CHECK(zeroes == (p->type == VIRTIO_BLK_T_WRITE_ZEROES) &&
		 (u64)pos == p->dwz[p->dwz_next].pos &&
		 len == p->dwz[p->dwz_next].len &&
		 unmap == p->dwz[p->dwz_next].unmap,
		 "head %u: range operation (%d, %lld, %llu, unmap %d) is not "
		 "range %u", p->head, zeroes, (long long)pos,
		 (unsigned long long)len, unmap, p->dwz_next);
	M->active = p;
	return p;
}

void fz_model_dwz_result(struct fz_pred *p, int r)
{
	FZ_TRACE("head %u: range %u: %d", p->head, p->dwz_next, r);
	if (r == -EINTR) {
		if (++p->eintr > FZ_RETRIES)
			p->phase = PH_ERR;
		return;
	}
	if (r) {
		p->phase = PH_ERR;
		return;
	}
	p->dwz_next++;
	if (p->dsync)
		p->phase = PH_SYNC;
	else if (!fz_dwz_skip(p))
		p->phase = PH_OK;
}
