// SPDX-License-Identifier: GPL-2.0
/*
 * The model of vblk_fuzz: the device's contract (Documentation/
 * device-model.rst) as a set of expectations checked while the device
 * runs. Every pop gets a prediction from the oracle; the guest-memory
 * writes of a pass must be exactly the used ring's bookkeeping and the
 * publication (element, status byte, index) of predicted chains; backing
 * calls must follow the retry and durability rules for each request;
 * interrupts follow EVENT_IDX; counters equal the outcomes.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>

#include "fuzz.h"

#define M		(&fz.m)
#define FZ_RETRIES	16	/* -EINTR retries per request and per sync */
#define FZ_VERIFY_MAX	(256U << 10)

enum { PUB_IDLE, PUB_ELEM, PUB_STATUS };

void fz_model_reset(struct fz_model *m)
{
	unsigned int i;

	for (i = 0; i < FZ_MAX_PRED; i++)
		m->pred[i].live = false;
	memset(m->q, 0, sizeof(m->q));
	memset(&m->c, 0, sizeof(m->c));
	m->npred = 0;
	m->active = NULL;
	m->cur_q = -1;
	m->published_total = 0;
	m->seq = 0;
	m->limited = false;
}

/* ---- predictions ------------------------------------------------------------ */

static struct fz_pred *fz_pred_new(int q, u16 head)
{
	unsigned int i;

	for (i = 0; i < FZ_MAX_PRED; i++) {
		struct fz_pred *p = &M->pred[i];

		if (p->live)
			continue;
		memset(p, 0, offsetof(struct fz_pred, segs));
		p->zero_from = U64_MAX;
		p->live = true;
		p->q = q;
		p->head = head;
		p->seq = M->seq++;
		M->npred++;
		return p;
	}
	SHIM_FAIL("more chains outstanding than the model holds");
}

void fz_pred_free(struct fz_pred *p)
{
	struct fz_mq *mq = &M->q[p->q];

	p->live = false;
	M->npred--;
	if (M->active == p)
		M->active = NULL;
	if (mq->last_pop == p)
		mq->last_pop = NULL;
}

/* The status and used length @p must be published with, if decided. */
static bool fz_expect(const struct fz_pred *p, u8 *st, u32 *len)
{
	switch (p->kind) {
	case PK_DONE:
		*st = p->status;
		*len = p->status == VIRTIO_BLK_S_OK &&
		       p->type == VIRTIO_BLK_T_GET_ID ? p->len + 1 : 1;
		return true;
	case PK_FLUSH:
	case PK_RW:
	case PK_DWZ:
		/* Nothing for the backing to do (no data, empty ranges). */
		if (p->kind != PK_FLUSH && !p->len && p->phase == PH_FRESH) {
			*st = VIRTIO_BLK_S_OK;
			*len = 1;
			return true;
		}
		if (p->phase != PH_OK && p->phase != PH_ERR)
			return false;
		*st = p->phase == PH_OK ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		*len = *st == VIRTIO_BLK_S_OK && p->kind == PK_RW && !p->write ?
		       p->len + 1 : 1;
		return true;
	}
	return false;
}

/*
 * The oldest live chain of queue @q with head @id that may be published
 * with @len (and, when @full, at status byte @gpa with status @st).
 */
static struct fz_pred *fz_find_pub(int q, u16 id, u32 len, bool full, u64 gpa,
				   u8 st)
{
	struct fz_pred *best = NULL;
	unsigned int i;

	for (i = 0; i < FZ_MAX_PRED; i++) {
		struct fz_pred *p = &M->pred[i];
		u32 elen;
		u8 est;

		if (!p->live || p->q != q || p->head != id ||
		    !fz_expect(p, &est, &elen) || elen != len)
			continue;
		if (full && (p->status_gpa != gpa || est != st))
			continue;
		if (!best || p->seq < best->seq)
			best = p;
	}
	return best;
}

static void fz_pop(struct fz_mq *mq, int q, u16 head)
{
	struct fz_pred *p = fz_pred_new(q, head);
	u64 f = vblk_vdev_get_features(&fz.vd);

	if (!fz_oracle(mq, p)) {
		FZ_TRACE("q%d pop head %u: drop", q, head);
		M->c.io_errors++;	/* dropped */
		fz_pred_free(p);
		return;
	}
	p->dsync = (p->kind == PK_RW ||
		    (p->kind == PK_DWZ && p->type == VIRTIO_BLK_T_WRITE_ZEROES)) &&
		   p->write && !(f & BIT_ULL(VIRTIO_BLK_F_FLUSH));
	mq->last_pop = p;
	M->active = p;
	FZ_TRACE("q%d pop head %u: kind %u status %u type %u pos %llu len %llu "
		 "segs %u dsync %d", q, head, p->kind, p->status, p->type,
		 (unsigned long long)p->pos, (unsigned long long)p->len,
		 p->nsegs, p->dsync);
}

/* ---- data checks ------------------------------------------------------------ */

/* @p's data segments overlap one another. */
static bool fz_segs_overlap(const struct fz_pred *p)
{
	unsigned int i, j;

	for (i = 0; i < p->nsegs; i++)
		for (j = i + 1; j < p->nsegs; j++)
			if (p->segs[i].gpa < p->segs[j].gpa + p->segs[j].len &&
			    p->segs[j].gpa < p->segs[i].gpa + p->segs[i].len)
				return true;
	return false;
}

/* Byte @off of what a read or GET_ID must have put into the guest. */
static u8 fz_expected_byte(const struct fz_pred *p, u64 off)
{
	if (p->kind == PK_DONE)
		return off < VBLK_SERIAL_LEN ? (u8)M->serial[off] : 0;
	if (off >= p->zero_from || p->pos + off >= fz_b.size)
		return 0;
	return fz_b.data[p->pos + off];
}

/*
 * A read served synchronously, or a GET_ID, is about to be published:
 * its buffers must hold what the backing (or the serial) had.
 */
static void fz_verify_data(const struct fz_pred *p)
{
	static u8 got[FZ_VERIFY_MAX];
	unsigned int i;
	u64 off = 0;

	if (p->len > FZ_VERIFY_MAX || fz_segs_overlap(p))
		return;
	for (i = 0; i < p->nsegs; i++) {
		u32 n = p->segs[i].len, j;

		FZ_CHECK(fz_guest_read(&fz.mem, p->segs[i].gpa, got, n),
			 "data segment of a served request is no guest RAM");
		for (j = 0; j < n; j++)
			FZ_CHECK(got[j] == fz_expected_byte(p, off + j),
				 "head %u: data byte %llu is %#x, not %#x",
				 p->head, (unsigned long long)(off + j), got[j],
				 fz_expected_byte(p, off + j));
		off += n;
	}
}

/* ---- guest memory accesses of the device ------------------------------------- */

void fz_model_on_read(u64 gpa, size_t len, const void *val, bool ok)
{
	struct fz_mq *mq;
	int q = M->cur_q;
	u16 v;

	FZ_CHECK(q >= 0, "device read guest memory outside a pass");
	mq = &M->q[q];
	FZ_CHECK(mq->runnable, "queue %d read while it cannot run", q);
	if (len != 2)
		return;
	memcpy(&v, val, 2);
	if (gpa == mq->avail + 2) {
		FZ_CHECK(!mq->broken, "queue %d processed after it broke", q);
		if (!ok) {
			mq->idx_fault = true;
			return;
		}
		mq->avail_seen = v;
		mq->avail_valid = true;
		if ((u16)(v - mq->last_avail) > mq->num) {
			mq->broken = true;
			mq->throttled = false;
			M->c.invalid_avail++;
			M->c.broken_expected++;
		}
		return;
	}
	if (gpa == mq->avail + 4 + 2 * (u64)(mq->last_avail & (mq->num - 1))) {
		FZ_CHECK(!mq->broken, "queue %d: pop after it broke", q);
		FZ_CHECK(mq->avail_valid && mq->avail_seen != mq->last_avail,
			 "queue %d: pop past the available index", q);
		if (!ok) {
			mq->slot_fault = true;
			return;
		}
		fz_pop(mq, q, v);
		mq->last_avail++;
		mq->pops++;
		return;
	}
	if (mq->event_idx && gpa == mq->avail + 4 + 2 * (u64)mq->num)
		mq->used_event = ok ? v : -2;
}

/* A zero-length transfer passed the throttle without a backing call. */
static void fz_admitted_empty(const struct fz_pred *p)
{
	if ((p->kind == PK_RW || p->kind == PK_DWZ) && p->phase == PH_FRESH)
		M->q[p->q].admitted++;
}

static void fz_publish_failed(struct fz_pred *p, const char *what)
{
	FZ_CHECK(p, "publish failure (%s) of a chain never popped", what);
	fz_admitted_empty(p);
	M->c.io_errors++;
	fz_pred_free(p);
}

static void fz_account(struct fz_mq *mq, struct fz_pred *p, u8 st)
{
	fz_admitted_empty(p);
	if (st == VIRTIO_BLK_S_IOERR) {
		M->c.io_errors++;
	} else if (st == VIRTIO_BLK_S_OK) {
		FZ_CHECK(!p->dsync || p->synced || !p->len,
			 "head %u: write-through write completed before it "
			 "was durable", p->head);
		switch (p->type) {
		case VIRTIO_BLK_T_IN:
			M->c.reads++;
			M->c.bytes_read += p->len;
			break;
		case VIRTIO_BLK_T_OUT:
			M->c.writes++;
			M->c.bytes_written += p->len;
			break;
		case VIRTIO_BLK_T_FLUSH:
			M->c.flushes++;
			break;
		case VIRTIO_BLK_T_DISCARD:
			M->c.discards++;
			M->c.bytes_discarded += p->len;
			break;
		case VIRTIO_BLK_T_WRITE_ZEROES:
			M->c.write_zeroes++;
			M->c.bytes_zeroed += p->len;
			break;
		}
	}
	mq->published++;
	M->published_total++;
	fz_pred_free(p);
}

/* The used element about to be written: verify a sync read's data first. */
static void fz_elem(u32 id, u32 len)
{
	struct fz_pred *p = fz_find_pub(M->cur_q, id, len, false, 0, 0);

	FZ_CHECK(p, "queue %d: used element (head %u, len %u) matches no "
		 "finished chain", M->cur_q, id, len);
	if (p != M->active || p->phase == PH_ERR ||
	    (p->kind == PK_DONE && p->status != VIRTIO_BLK_S_OK))
		return;
	if ((p->kind == PK_RW && !p->write && !p->async_seen) ||
	    (p->kind == PK_DONE && p->type == VIRTIO_BLK_T_GET_ID))
		fz_verify_data(p);
}

static void fz_write_idle(struct fz_mq *mq, u64 gpa, size_t len, u16 v16,
			  const void *val, bool ok)
{
	int q = M->cur_q;

	if (len == 8 && gpa == mq->used + 4 + 8 * (u64)(mq->used_idx & (mq->num - 1))) {
		memcpy(&mq->pub_id, val, 4);
		memcpy(&mq->pub_len, (const u8 *)val + 4, 4);
		FZ_CHECK(mq->pub_id < 0x10000, "used element id %u", mq->pub_id);
		if (!ok) {
			fz_publish_failed(fz_find_pub(q, mq->pub_id, mq->pub_len,
						      false, 0, 0), "element");
			return;
		}
		fz_elem(mq->pub_id, mq->pub_len);
		mq->pub_state = PUB_ELEM;
		return;
	}
	if (len == 2 && gpa == mq->used && !mq->event_idx) {
		FZ_CHECK(v16 <= VRING_USED_F_NO_NOTIFY, "used flags %#x", v16);
		if (!v16 && !ok)
			mq->enable_failed = true;
		return;
	}
	if (len == 2 && gpa == mq->used + 4 + 8 * (u64)mq->num && mq->event_idx) {
		/* After a stall the pop is rolled back first. */
		FZ_CHECK(v16 == mq->last_avail ||
			 (v16 == (u16)(mq->last_avail - 1) && mq->last_pop),
			 "avail_event %u, last_avail %u", v16, mq->last_avail);
		if (!ok)
			mq->enable_failed = true;
		return;
	}
	SHIM_FAIL("queue %d: device wrote %zu bytes at %#llx, which is no "
		  "used ring field and no status byte", q, len,
		  (unsigned long long)gpa);
}

void fz_model_on_write(u64 gpa, size_t len, const void *val, bool ok)
{
	int q = M->cur_q;
	struct fz_mq *mq;
	u16 v16 = 0;

	FZ_CHECK(q >= 0, "device wrote guest memory outside a pass");
	mq = &M->q[q];
	FZ_CHECK(mq->runnable, "queue %d written while it cannot run", q);
	if (len == 2)
		memcpy(&v16, val, 2);
	switch (mq->pub_state) {
	case PUB_IDLE:
		fz_write_idle(mq, gpa, len, v16, val, ok);
		return;
	case PUB_ELEM:
		FZ_CHECK(len == 1, "queue %d: %zu-byte write after a used "
			 "element, not the status byte", q, len);
		mq->pub_gpa = gpa;
		mq->pub_status = *(const u8 *)val;
		if (!ok) {
			fz_publish_failed(fz_find_pub(q, mq->pub_id, mq->pub_len,
						      true, gpa, mq->pub_status),
					  "status");
			mq->pub_state = PUB_IDLE;
			return;
		}
		mq->pub_state = PUB_STATUS;
		return;
	}
	/* PUB_STATUS: the used index must follow. */
	FZ_CHECK(len == 2 && gpa == mq->used + 2 &&
		 v16 == (u16)(mq->used_idx + 1),
		 "queue %d: after a status byte, a %zu-byte write at %#llx "
		 "(used index %u expected)", q, len, (unsigned long long)gpa,
		 (u16)(mq->used_idx + 1));
	mq->pub_state = PUB_IDLE;
	{
		struct fz_pred *p = fz_find_pub(q, mq->pub_id, mq->pub_len, true,
						mq->pub_gpa, mq->pub_status);

		if (!ok) {
			fz_publish_failed(p, "used index");
			return;
		}
		FZ_CHECK(p, "queue %d published head %u status %u len %u at "
			 "%#llx: no popped chain may be answered so",
			 q, mq->pub_id, mq->pub_status, mq->pub_len,
			 (unsigned long long)mq->pub_gpa);
		mq->used_idx++;
		FZ_TRACE("q%d published head %u status %u len %u", q,
			 mq->pub_id, mq->pub_status, mq->pub_len);
		fz_account(mq, p, mq->pub_status);
	}
}

void fz_model_on_iter(const struct vblk_seg *segs, unsigned int n,
		      unsigned int dir, bool ok)
{
	struct fz_pred *p;
	unsigned int i;
	bool rw;

	FZ_CHECK(M->cur_q >= 0, "iter() outside a pass");
	p = M->q[M->cur_q].last_pop;
	FZ_CHECK(p && p->live && p->phase == PH_FRESH,
		 "iter() for no chain being validated");
	rw = p->kind == PK_RW || p->table;
	if (!ok) {
		FZ_CHECK(p->iter_fail, "head %u: data iterator refused, but "
			 "an earlier rule decides", p->head);
		return;
	}
	FZ_CHECK(rw || (p->type == VIRTIO_BLK_T_GET_ID &&
			p->status == VIRTIO_BLK_S_OK),
		 "head %u: data iterator for a request that has none", p->head);
	FZ_CHECK(dir == (rw && p->write ? ITER_SOURCE : ITER_DEST),
		 "head %u: data iterator of the wrong direction", p->head);
	FZ_CHECK(n == p->nsegs, "head %u: %u data segments, %u expected",
		 p->head, n, p->nsegs);
	for (i = 0; i < n; i++)
		FZ_CHECK(segs[i].gpa == p->segs[i].gpa &&
			 segs[i].len == p->segs[i].len,
			 "head %u: data segment %u differs", p->head, i);
}

void fz_model_on_iter_write(const void *dst, size_t n)
{
	struct fz_pred *p = M->active;
	unsigned int i;
	u64 gpa;

	FZ_CHECK(fz_mem_gpa(&fz.mem, dst, n, &gpa),
		 "data iterator wrote %zu bytes of host memory outside guest RAM", n);
	FZ_CHECK(p && p->live && ((p->kind == PK_RW && !p->write) ||
				  p->type == VIRTIO_BLK_T_GET_ID),
		 "guest data written at %#llx for no read",
		 (unsigned long long)gpa);
	for (i = 0; i < p->nsegs; i++)
		if (gpa >= p->segs[i].gpa &&
		    gpa + n <= p->segs[i].gpa + p->segs[i].len)
			return;
	SHIM_FAIL("head %u: data written at %#llx (%zu bytes) outside its "
		  "buffers", p->head, (unsigned long long)gpa, n);
}
