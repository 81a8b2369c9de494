// SPDX-License-Identifier: GPL-2.0
/*
 * vblk throttle: an operations bucket and a bytes bucket per device.
 *
 * Arithmetic. A bucket's level is kept as whole tokens (@tokens) plus a
 * fraction of the next token in units of 1/NSEC_PER_SEC token (@frac). In
 * dt nanoseconds a bucket of rate r gains exactly dt * r such units, so the
 * level is always floor(total accrued) however the time is sliced between
 * refills: no drift. dt is split into whole seconds and nanoseconds and r
 * into r / NSEC_PER_SEC and r % NSEC_PER_SEC, which keeps every product in
 * 64 bits for rates up to VBLK_THROTTLE_RATE_MAX; the whole-second part is
 * overflow-checked, and a refill that would pass the capacity simply fills
 * the bucket, so idle periods of any length are safe.
 *
 * Exact resume. A request that finds a bucket short by D tokens waits for
 * ceil((D * NSEC_PER_SEC - frac) / r) nanoseconds, computed without
 * overflow (see vblk_bucket_wait()). Exactly then the bucket holds the
 * missing tokens; one nanosecond earlier it does not.
 *
 * Context. The timer is a soft hrtimer (HRTIMER_MODE_REL_SOFT): its callback
 * runs in softirq context, so ->resume may use anything that is safe in
 * atomic context. @lock is taken with spin_lock_irqsave() everywhere, which
 * is correct from process, softirq and hardirq context alike and costs one
 * flags save on the data path.
 */
#include <kunit/visibility.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "vblk_throttle.h"

/* Refusal messages, named after the netlink attributes. */
struct vblk_limit_msgs {
	const char *rate_big;
	const char *burst_alone;
	const char *burst_big;
	const char *burst_low;
};

static const struct vblk_limit_msgs vblk_iops_msgs = {
	.rate_big = "iops: above 2^40",
	.burst_alone = "iops-burst: given without iops",
	.burst_big = "iops-burst: above 2^50",
	.burst_low = "iops-burst: below iops",
};

static const struct vblk_limit_msgs vblk_bps_msgs = {
	.rate_big = "bps: above 2^40",
	.burst_alone = "bps-burst: given without bps",
	.burst_big = "bps-burst: above 2^50",
	.burst_low = "bps-burst: below bps",
};

static u64 vblk_throttle_ktime(struct vblk_throttle *t)
{
	return ktime_get_ns();
}

/* Add @secs seconds and @nsecs nanoseconds worth of tokens to @b. */
static void vblk_bucket_refill(struct vblk_bucket *b, u64 secs, u32 nsecs)
{
	u64 room, add, part;
	u32 frac;

	if (!b->rate)
		return;
	if (b->tokens >= (s64)b->burst)
		goto full;
	/* burst <= 2^50 and tokens >= -2^50: room fits comfortably. */
	room = (u64)((s64)b->burst - b->tokens);
	if (check_mul_overflow(secs, b->rate, &add) || add >= room)
		goto full;
	/* nsecs < 10^9 and rate_lo < 10^9: part < 2^60. */
	part = (u64)nsecs * b->rate_lo + b->frac;
	add += (u64)nsecs * b->rate_hi + div_u64_rem(part, NSEC_PER_SEC, &frac);
	if (add >= room)
		goto full;
	b->tokens += add;
	b->frac = frac;
	return;
full:
	b->tokens = b->burst;
	b->frac = 0;
}

static void vblk_throttle_refill(struct vblk_throttle *t, u64 now)
{
	u64 secs;
	u32 nsecs;

	if (now <= t->last_ns) {
		/* Only an injected clock can go back; restart from it. */
		t->last_ns = now;
		return;
	}
	secs = div_u64_rem(now - t->last_ns, NSEC_PER_SEC, &nsecs);
	t->last_ns = now;
	vblk_bucket_refill(&t->ops, secs, nsecs);
	vblk_bucket_refill(&t->bytes, secs, nsecs);
}

/*
 * Nanoseconds until @b has gained @deficit (>= 1) more tokens:
 * ceil((deficit * NSEC_PER_SEC - frac) / rate), capped at
 * VBLK_THROTTLE_WAIT_MAX.
 *
 * With deficit - 1 = secs * rate + m (m < rate) the numerator is
 * secs * rate * NSEC_PER_SEC + m * NSEC_PER_SEC + (NSEC_PER_SEC - frac), so
 * the wait is secs * NSEC_PER_SEC + ceil((m * NSEC_PER_SEC + NSEC_PER_SEC -
 * frac) / rate). With m * NSEC_PER_SEC = q * rate + rem (q < NSEC_PER_SEC,
 * rem < rate, q from a 128-bit intermediate) the last term is
 * q + ceil((rem + NSEC_PER_SEC - frac) / rate), whose operands fit in 64
 * bits. rem is exact when computed modulo 2^64 because it is below rate.
 */
static u64 vblk_bucket_wait(const struct vblk_bucket *b, u64 deficit)
{
	u64 secs, m, q, rem, tail;

	secs = div64_u64_rem(deficit - 1, b->rate, &m);
	if (secs >= VBLK_THROTTLE_WAIT_MAX / NSEC_PER_SEC)
		return VBLK_THROTTLE_WAIT_MAX;
	q = mul_u64_u64_div_u64(m, NSEC_PER_SEC, b->rate);
	rem = wrapping_sub(u64, wrapping_mul(u64, m, NSEC_PER_SEC),
			   wrapping_mul(u64, q, b->rate));
	tail = q + div64_u64(rem + NSEC_PER_SEC - b->frac + b->rate - 1,
			     b->rate);
	return min(secs * NSEC_PER_SEC + tail, VBLK_THROTTLE_WAIT_MAX);
}

/* 0 when @b can pay @cost now, else the nanoseconds until it can. */
static u64 vblk_bucket_short(const struct vblk_bucket *b, u64 cost)
{
	u64 target;

	if (!b->rate || !cost)
		return 0;
	/* An oversize request needs a full bucket and leaves it in debt. */
	target = min(cost, b->burst);
	if (b->tokens >= (s64)target)
		return 0;
	return vblk_bucket_wait(b, (u64)((s64)target - b->tokens));
}

static void vblk_bucket_take(struct vblk_bucket *b, u64 cost)
{
	if (b->rate)
		b->tokens -= (s64)cost;
}

/*
 * Apply a new limit to @b. Newly limited: full. Still limited: the level is
 * kept (debt included) but never above the new capacity. Unlimited: reset,
 * which also forgives any debt.
 */
static void vblk_bucket_configure(struct vblk_bucket *b, u64 rate, u64 burst)
{
	if (!rate) {
		memset(b, 0, sizeof(*b));
		return;
	}
	if (!burst)
		burst = rate;
	if (!b->rate || b->tokens >= (s64)burst) {
		b->tokens = burst;
		b->frac = 0;
	}
	b->rate = rate;
	b->burst = burst;
	b->rate_hi = div_u64_rem(rate, NSEC_PER_SEC, &b->rate_lo);
}

static enum hrtimer_restart vblk_throttle_fire(struct hrtimer *timer)
{
	struct vblk_throttle *t = container_of(timer, struct vblk_throttle,
					       timer);
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	t->stalled = false;
	spin_unlock_irqrestore(&t->lock, flags);
	/*
	 * Always resume, even if a concurrent admit() already cleared or
	 * re-armed the stall: a spare kick costs a retry, a lost one would
	 * wedge the queue.
	 */
	if (t->resume)
		t->resume(t);
	return HRTIMER_NORESTART;
}

/**
 * vblk_throttle_init() - set up an unlimited throttle
 * @t: the throttle
 * @resume: called when a stall ends (timer expiry or limit change), in
 *	atomic context; may be NULL
 *
 * Both buckets start unlimited; vblk_throttle_set() installs limits. The
 * clock is ktime_get_ns(); tests may replace @t->clock afterwards.
 */
void vblk_throttle_init(struct vblk_throttle *t,
			void (*resume)(struct vblk_throttle *t))
{
	memset(&t->ops, 0, sizeof(t->ops));
	memset(&t->bytes, 0, sizeof(t->bytes));
	spin_lock_init(&t->lock);
	t->clock = vblk_throttle_ktime;
	t->last_ns = t->clock(t);
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	t->timer.function = vblk_throttle_fire;
	t->resume = resume;
	t->resume_at = 0;
	t->stalled = false;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_init);

static int vblk_limit_check(u64 rate, u64 burst,
			    const struct vblk_limit_msgs *msgs,
			    const char **why)
{
	if (rate > VBLK_THROTTLE_RATE_MAX)
		*why = msgs->rate_big;
	else if (burst && !rate)
		*why = msgs->burst_alone;
	else if (burst > VBLK_THROTTLE_BURST_MAX)
		*why = msgs->burst_big;
	else if (burst && burst < rate)
		*why = msgs->burst_low;
	else
		return 0;
	return -EINVAL;
}

/**
 * vblk_throttle_check() - validate limits without applying them
 * @cfg: the limits; a rate of 0 is unlimited, a burst of 0 is the default
 * @why: set to a short reason on refusal (may be NULL)
 *
 * Refused: a rate above VBLK_THROTTLE_RATE_MAX, a burst without its rate,
 * a burst above VBLK_THROTTLE_BURST_MAX, a burst below its rate.
 *
 * Return: 0 or -EINVAL.
 */
int vblk_throttle_check(const struct vblk_throttle_cfg *cfg, const char **why)
{
	const char *reason = NULL;
	int err;

	err = vblk_limit_check(cfg->iops, cfg->iops_burst, &vblk_iops_msgs,
			       &reason);
	if (!err)
		err = vblk_limit_check(cfg->bps, cfg->bps_burst,
				       &vblk_bps_msgs, &reason);
	if (err && why)
		*why = reason;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_check);

/**
 * vblk_throttle_set() - replace the limits at run time
 * @t: the throttle
 * @cfg: the new limits (all four values; see vblk_throttle_check())
 * @why: set to a short reason on refusal (may be NULL)
 *
 * Takes effect at once: the buckets are refilled up to now under the old
 * rates, then a newly limited bucket starts full, a still limited one keeps
 * its level capped at the new capacity, an unlimited one is lifted. A
 * stalled queue is resumed so that it retries under the new limits (and
 * stalls again, with a new exact timer, if still short). Process context.
 *
 * Return: 0, or -EINVAL with nothing changed.
 */
int vblk_throttle_set(struct vblk_throttle *t,
		      const struct vblk_throttle_cfg *cfg, const char **why)
{
	unsigned long flags;
	bool was_stalled;
	int err;

	err = vblk_throttle_check(cfg, why);
	if (err)
		return err;

	spin_lock_irqsave(&t->lock, flags);
	vblk_throttle_refill(t, t->clock(t));
	vblk_bucket_configure(&t->ops, cfg->iops, cfg->iops_burst);
	vblk_bucket_configure(&t->bytes, cfg->bps, cfg->bps_burst);
	was_stalled = t->stalled;
	t->stalled = false;
	spin_unlock_irqrestore(&t->lock, flags);

	if (was_stalled) {
		hrtimer_cancel(&t->timer);
		if (t->resume)
			t->resume(t);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_set);

/**
 * vblk_throttle_get() - read the current limits
 * @t: the throttle
 * @cfg: filled with the rates and the effective burst capacities (a
 *	defaulted burst reads back as the rate; an unlimited bucket as 0, 0)
 */
void vblk_throttle_get(struct vblk_throttle *t, struct vblk_throttle_cfg *cfg)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	cfg->iops = t->ops.rate;
	cfg->iops_burst = t->ops.burst;
	cfg->bps = t->bytes.rate;
	cfg->bps_burst = t->bytes.burst;
	spin_unlock_irqrestore(&t->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_get);

/**
 * vblk_throttle_admit() - take the tokens for one request, or stall
 * @t: the throttle
 * @ops: operations the request costs (1 for read, write and flush)
 * @bytes: bytes the request costs (its data length; 0 for flush)
 *
 * A bucket is not consulted for a cost of 0. A cost above a bucket's
 * capacity is admitted once the bucket is full and leaves it in debt.
 * Costs above VBLK_THROTTLE_BURST_MAX are charged as that much.
 *
 * On refusal nothing is taken, @t->stalled is set and the timer is armed
 * for the exact time the missing tokens will have accrued; it then calls
 * @t->resume. A request admitted while @t is stalled ends the stall and
 * calls @t->resume itself (the stalled request may be another queue's).
 * Any context; no allocation.
 *
 * Return: true if the request may proceed now.
 */
bool vblk_throttle_admit(struct vblk_throttle *t, u64 ops, u64 bytes)
{
	unsigned long flags;
	bool ok, woke = false;
	u64 now, wait;

	ops = min(ops, VBLK_THROTTLE_BURST_MAX);
	bytes = min(bytes, VBLK_THROTTLE_BURST_MAX);

	spin_lock_irqsave(&t->lock, flags);
	now = t->clock(t);
	vblk_throttle_refill(t, now);
	wait = max(vblk_bucket_short(&t->ops, ops),
		   vblk_bucket_short(&t->bytes, bytes));
	ok = !wait;
	if (ok) {
		vblk_bucket_take(&t->ops, ops);
		vblk_bucket_take(&t->bytes, bytes);
		if (t->stalled) {
			/*
			 * The stalled request may be another queue's: the
			 * timer goes, so every queue is resumed now to retry.
			 */
			t->stalled = false;
			hrtimer_try_to_cancel(&t->timer);
			woke = true;
		}
	} else {
		t->stalled = true;
		if (check_add_overflow(now, wait, &t->resume_at))
			t->resume_at = U64_MAX;
		hrtimer_start(&t->timer, ns_to_ktime(wait),
			      HRTIMER_MODE_REL_SOFT);
	}
	spin_unlock_irqrestore(&t->lock, flags);
	if (woke && t->resume)
		t->resume(t);
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_admit);

/**
 * vblk_throttle_cancel() - stop the resume timer and clear the stall
 * @t: the throttle
 *
 * Waits for a running timer callback to finish. For device reset and
 * destruction: process context, and the caller must keep admit() from
 * running concurrently (it would re-arm the timer). Limits are kept.
 */
void vblk_throttle_cancel(struct vblk_throttle *t)
{
	unsigned long flags;

	hrtimer_cancel(&t->timer);
	spin_lock_irqsave(&t->lock, flags);
	t->stalled = false;
	spin_unlock_irqrestore(&t->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_cancel);
