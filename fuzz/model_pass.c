// SPDX-License-Identifier: GPL-2.0
/*
 * The model around passes: queue configuration as the device took it,
 * what a pass must have done when it ends (ring position, stalls, no
 * chain lost, the interrupt decision), counters, events, and the final
 * liveness check (nothing left unprocessed that could be processed).
 */
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_config.h>

#include "fuzz.h"

#define M	(&fz.m)

/* A ready queue's layout: the device checked it when it enabled the queue. */
static void fz_check_layout(int q, const struct vblk_vq *v)
{
	u64 n = v->num, end;

	FZ_CHECK(v->num && v->num <= VBLK_QUEUE_NUM_MAX && is_power_of_2(v->num) &&
		 !(v->desc % 16) && !(v->avail % 2) && !(v->used % 4) &&
		 !__builtin_add_overflow(v->desc, 16 * n - 1, &end) &&
		 !__builtin_add_overflow(v->avail, 6 + 2 * n - 1, &end) &&
		 !__builtin_add_overflow(v->used, 6 + 8 * n - 1, &end),
		 "queue %d enabled with a bad layout (num %u)", q, v->num);
}

/* Queue @q stopped: its chains in flight were dropped unpublished. */
static void fz_abandon(int q)
{
	unsigned int i;

	for (i = 0; i < FZ_MAX_PRED; i++) {
		struct fz_pred *p = &M->pred[i];

		if (!p->live || p->q != q)
			continue;
		FZ_CHECK(p->phase == PH_QUEUED || p->reap,
			 "queue %d stopped with head %u neither published nor "
			 "in flight", q, p->head);
		fz_pred_free(p);
	}
	M->q[q].throttled = false;
}

void fz_model_queue_renewed(int q)
{
	unsigned int i;

	for (i = 0; i < FZ_MAX_Q; i++)
		if (q < 0 || (unsigned int)q == i)
			M->q[i].broken_kept = false;
}

void fz_model_sync_queues(void)
{
	unsigned int q;

	for (q = 0; q < fz.nq; q++) {
		const struct vblk_vq *v = &fz.vd.qs[q].vq;
		struct fz_mq *mq = &M->q[q];
		bool ready = READ_ONCE(v->ready);

		if (mq->ready && !ready) {
			fz_abandon(q);
			mq->ready = false;
			mq->broken_kept = mq->broken;
		}
		if (!ready)
			continue;
		if (!mq->ready) {
			fz_check_layout(q, v);
			FZ_CHECK(v->broken == mq->broken_kept,
				 "queue %d enabled %s", q,
				 v->broken ? "broken" : "no longer broken");
			mq->num = v->num;
			mq->desc = v->desc;
			mq->avail = v->avail;
			mq->used = v->used;
			mq->last_avail = v->last_avail_idx;
			mq->used_idx = v->used_idx;
			mq->signalled = v->used_idx;
			mq->broken = mq->broken_kept;
			mq->throttled = false;
			mq->ready = true;
		}
		FZ_CHECK(mq->num == v->num && mq->desc == v->desc &&
			 mq->avail == v->avail && mq->used == v->used,
			 "queue %d: ring moved while ready", q);
		FZ_CHECK(mq->last_avail == v->last_avail_idx &&
			 mq->used_idx == v->used_idx && mq->broken == v->broken,
			 "queue %d: ring position changed outside a pass", q);
		/* Set at FEATURES_OK, which a driver may reach late. */
		mq->event_idx = v->event_idx;
		mq->indirect = v->indirect;
	}
}

void fz_model_pass_begin(int q)
{
	struct fz_mq *mq = &M->q[q];

	fz_model_sync_queues();
	M->cur_q = q;
	mq->runnable = mq->ready && !mq->broken && fz.bound &&
		       (vblk_vdev_get_status(&fz.vd) & VIRTIO_CONFIG_S_DRIVER_OK);
	mq->pops = mq->published = mq->admitted = 0;
	mq->last_pop = NULL;
	mq->pub_state = 0;
	mq->enable_failed = false;
	mq->slot_fault = mq->idx_fault = false;
	mq->avail_valid = false;
	mq->used_event = -1;
	mq->vq_used_calls = 0;
	mq->vq_used_signal = false;
}

/* The interrupt decision of a pass that published (virtio 1.2, 2.7.10). */
static void fz_check_signal(int q, struct fz_mq *mq)
{
	bool want = true;

	FZ_CHECK(mq->vq_used_calls == 1, "queue %d published %u chains and "
		 "told the binding %d times", q, mq->published,
		 mq->vq_used_calls);
	if (mq->event_idx) {
		FZ_CHECK(mq->used_event != -1, "queue %d: used_event not read", q);
		want = mq->used_event == -2 ||
		       vring_need_event(mq->used_event, mq->used_idx,
					mq->signalled);
	}
	/* A failed re-enable may signal fail-safe, never suppress. */
	FZ_CHECK(mq->vq_used_signal == want ||
		 (mq->enable_failed && mq->vq_used_signal),
		 "queue %d: interrupt %s, the driver asked for %s", q,
		 mq->vq_used_signal ? "sent" : "suppressed",
		 want ? "one" : "none");
	mq->signalled = mq->used_idx;
}

void fz_model_pass_end(int q)
{
	const struct vblk_vq *v = &fz.vd.qs[q].vq;
	struct fz_mq *mq = &M->q[q];
	bool stalled = false;
	unsigned int i;

	FZ_TRACE("q%d pass: runnable %d pops %u published %u avail %s%u "
		 "last_avail %u->%u", q, mq->runnable, mq->pops, mq->published,
		 mq->avail_valid ? "" : "unread ", mq->avail_seen,
		 mq->last_avail, READ_ONCE(v->last_avail_idx));
	FZ_CHECK(mq->pub_state == 0, "queue %d: pass ended mid-publication", q);
	if (mq->ready) {
		u16 dlast = READ_ONCE(v->last_avail_idx);

		if (mq->pops && dlast == (u16)(mq->last_avail - 1)) {
			struct fz_pred *p = mq->last_pop;

			FZ_CHECK(p && p->live && p->phase == PH_FRESH &&
				 (p->kind == PK_RW || p->kind == PK_FLUSH ||
				  p->kind == PK_DWZ),
				 "queue %d: a chain was put back that the "
				 "throttle never saw", q);
			FZ_CHECK(M->limited, "queue %d stalled without limits", q);
			fz_pred_free(p);
			mq->last_avail--;
			stalled = true;
		}
		FZ_CHECK(dlast == mq->last_avail, "queue %d: last_avail %u, "
			 "the model popped to %u", q, dlast, mq->last_avail);
		FZ_CHECK(READ_ONCE(v->used_idx) == mq->used_idx,
			 "queue %d: used index %u, %u published", q,
			 v->used_idx, mq->used_idx);
		FZ_CHECK(READ_ONCE(v->broken) == mq->broken,
			 "queue %d: broken %d, the model says %d", q,
			 v->broken, mq->broken);
	}
	/*
	 * A stall episode lasts until a pass that ran ends without a
	 * refusal, whether or not it admitted anything.
	 */
	if (mq->runnable && !stalled)
		mq->throttled = false;
	if (stalled) {
		if (!mq->throttled)
			M->c.throttled++;
		mq->throttled = true;
	}
	for (i = 0; i < FZ_MAX_PRED; i++) {
		const struct fz_pred *p = &M->pred[i];

		if (!p->live || p->q != q)
			continue;
		FZ_CHECK(p->phase == PH_QUEUED || (p->reap && !mq->runnable),
			 "queue %d: head %u neither published, dropped nor in "
			 "flight after the pass", q, p->head);
	}
	if (mq->published)
		fz_check_signal(q, mq);
	else
		FZ_CHECK(!mq->vq_used_calls, "queue %d: vq_used without a "
			 "publication", q);
	M->cur_q = -1;
	fz_model_check_counters();
}

void fz_model_check_counters(void)
{
	const struct vblk_stats *s = &fz.vd.blk.stats;
	const struct fz_counts *c = &M->c;
	unsigned int q, stalled = 0;

#define FZ_SAME(field, want) FZ_CHECK((u64)atomic64_read(&s->field) == (want), \
	"counter " #field " is %lld, the outcomes say %llu",		\
	(long long)atomic64_read(&s->field), (unsigned long long)(want))
	FZ_SAME(reads_completed, c->reads);
	FZ_SAME(writes_completed, c->writes);
	FZ_SAME(flushes_completed, c->flushes);
	FZ_SAME(bytes_read, c->bytes_read);
	FZ_SAME(bytes_written, c->bytes_written);
	FZ_SAME(discards_completed, c->discards);
	FZ_SAME(bytes_discarded, c->bytes_discarded);
	FZ_SAME(write_zeroes_completed, c->write_zeroes);
	FZ_SAME(bytes_zeroed, c->bytes_zeroed);
	FZ_SAME(io_errors, c->io_errors);
	FZ_SAME(invalid_avail_idx_count, c->invalid_avail);
	FZ_SAME(throttled_count, c->throttled);
	for (q = 0; q < fz.nq; q++)
		stalled += M->q[q].ready && M->q[q].throttled;
	FZ_SAME(currently_throttled_gauge, (u64)stalled);
#undef FZ_SAME
	FZ_CHECK(c->broken_events == c->broken_expected,
		 "%llu QUEUE_BROKEN events for %llu broken queues",
		 (unsigned long long)c->broken_events,
		 (unsigned long long)c->broken_expected);
}

void fz_model_vq_used(unsigned int q, bool signal)
{
	FZ_CHECK((int)q == M->cur_q, "vq_used(%u) outside its pass", q);
	M->q[q].vq_used_calls++;
	M->q[q].vq_used_signal = signal;
}

void fz_model_event(unsigned int q, enum vblk_event ev)
{
	FZ_CHECK(!shim_locks_held() && !shim_atomic_depth(),
		 "device event with a lock held or in atomic context");
	FZ_CHECK(q < fz.nq && ev < VBLK_EV_NR, "event %d of queue %u", ev, q);
	if (ev == VBLK_EV_QUEUE_BROKEN)
		M->c.broken_events++;
}

/*
 * Nothing is pending and everything in flight completed: every queue
 * that can run has consumed every chain the driver made available. A
 * queue whose available index changed after its last pass (the device's
 * own writes can do that when rings overlap) is returned in the mask: it
 * needs a kick, as a driver would give it.
 */
unsigned long fz_model_quiesce_check(void)
{
	unsigned long again = 0;
	unsigned int q;

	for (q = 0; q < fz.nq; q++) {
		const struct fz_mq *mq = &M->q[q];
		u16 avail;

		if (!mq->ready || mq->broken || mq->throttled || !mq->runnable ||
		    mq->slot_fault || mq->idx_fault)
			continue;
		if (!fz_mem_peek(&fz.mem, mq->avail + 2, &avail, 2, FZ_RD) ||
		    avail == mq->last_avail)
			continue;
		if (!mq->avail_valid || avail != mq->avail_seen) {
			again |= BIT(q);
			continue;
		}
		FZ_CHECK((u16)(avail - mq->last_avail) > mq->num,
			 "queue %u: %u chains available and never processed",
			 q, (u16)(avail - mq->last_avail));
	}
	return again;
}
