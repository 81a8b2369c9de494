// SPDX-License-Identifier: GPL-2.0
/*
 * vblk throttle: a device's buckets (vblk_bucket.c), its exact resume
 * timer, and its place in a limit group (vblk_group.c).
 *
 * A request is admitted when it fits the device's buckets and, for a
 * device in a group, the group's: the device's are consulted first, and
 * tokens are taken from both or from neither. A request refused by the
 * device's own buckets arms the device's timer for the exact time its
 * tokens will have accrued (and gives up any place in the group's queue);
 * one refused by the group waits in the group's queue, whose timer
 * resumes it on its turn.
 *
 * Context. The timer is a soft hrtimer (HRTIMER_MODE_REL_SOFT): its callback
 * runs in softirq context, so ->resume may use anything that is safe in
 * atomic context. @lock is taken with spin_lock_irqsave() everywhere, which
 * is correct from process, softirq and hardirq context alike and costs one
 * flags save on the data path. A group's lock nests inside it.
 */
#include <kunit/visibility.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "vblk_throttle.h"

static u64 vblk_throttle_ktime(struct vblk_throttle *t)
{
	return ktime_get_ns();
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

/* The group's turn for this device: retry now (under the group's lock). */
static void vblk_throttle_group_resume(struct vblk_group_member *m)
{
	struct vblk_throttle *t = container_of(m, struct vblk_throttle,
					       member);

	if (t->resume)
		t->resume(t);
}

/**
 * vblk_throttle_init() - set up an unlimited throttle
 * @t: the throttle
 * @resume: called when a stall ends (timer expiry, limit change, the
 *	group's turn), in atomic context; may be NULL
 *
 * Every bucket starts unlimited and the device in no group;
 * vblk_throttle_set() installs limits. The clock is ktime_get_ns(); tests
 * may replace @t->clock afterwards.
 */
void vblk_throttle_init(struct vblk_throttle *t,
			void (*resume)(struct vblk_throttle *t))
{
	spin_lock_init(&t->lock);
	t->clock = vblk_throttle_ktime;
	vblk_limits_init(&t->lim, t->clock(t));
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	t->timer.function = vblk_throttle_fire;
	t->resume = resume;
	t->resume_at = 0;
	t->stalled = false;
	t->group = NULL;
	memset(&t->member, 0, sizeof(t->member));
	INIT_LIST_HEAD(&t->member.node);
	t->member.resume = vblk_throttle_group_resume;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_init);

/**
 * vblk_throttle_set() - replace the limits at run time
 * @t: the throttle
 * @cfg: the new limits (all of them; see vblk_throttle_check())
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
	vblk_limits_refill(&t->lim, t->clock(t));
	vblk_limits_configure(&t->lim, cfg);
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
	vblk_limits_get(&t->lim, cfg);
	spin_unlock_irqrestore(&t->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_get);

/* The device's own buckets refused: arm the timer, leave the group's queue. */
static void vblk_throttle_stall(struct vblk_throttle *t, u64 now, u64 wait)
{
	t->stalled = true;
	if (t->group)
		vblk_group_unwait(t->group, &t->member);
	if (check_add_overflow(now, wait, &t->resume_at))
		t->resume_at = U64_MAX;
	hrtimer_start(&t->timer, ns_to_ktime(wait), HRTIMER_MODE_REL_SOFT);
}

/**
 * vblk_throttle_admit_cost() - take the tokens for one request, or stall
 * @t: the throttle
 * @cost: what the request costs
 *
 * A bucket is not consulted for a cost of 0. A cost above a bucket's
 * capacity is admitted once the bucket is full and leaves it in debt.
 * Costs above VBLK_THROTTLE_BURST_MAX are charged as that much.
 *
 * On refusal nothing is taken and @t->stalled is set. Refused by the
 * device's buckets, the timer is armed for the exact time the missing
 * tokens will have accrued; refused by the group's, the device waits in
 * the group's queue. Either then calls @t->resume. A request admitted
 * while @t is stalled ends the stall and calls @t->resume itself (the
 * stalled request may be another queue's). Any context; no allocation.
 *
 * Return: true if the request may proceed now.
 */
bool vblk_throttle_admit_cost(struct vblk_throttle *t,
			      const struct vblk_cost *cost)
{
	u64 c[VBLK_BKT_NR], now, wait;
	bool ok = true, woke = false;
	unsigned long flags;

	vblk_limits_cost(cost, c);
	spin_lock_irqsave(&t->lock, flags);
	now = t->clock(t);
	vblk_limits_refill(&t->lim, now);
	wait = vblk_limits_short(&t->lim, c);
	if (wait) {
		vblk_throttle_stall(t, now, wait);
		ok = false;
	} else if (t->group && !vblk_group_admit(t->group, &t->member, c)) {
		t->stalled = true;
		ok = false;
	}
	if (ok) {
		vblk_limits_take(&t->lim, c);
		if (t->stalled) {
			/*
			 * The stalled request may be another queue's: the
			 * timer goes, so every queue is resumed now to retry.
			 */
			t->stalled = false;
			hrtimer_try_to_cancel(&t->timer);
			woke = true;
		}
	}
	spin_unlock_irqrestore(&t->lock, flags);
	if (woke && t->resume)
		t->resume(t);
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_admit_cost);

/**
 * vblk_throttle_admit() - vblk_throttle_admit_cost() for a cost in
 *	operations and bytes, charged to the totals only
 * @t: the throttle
 * @ops: operations
 * @bytes: bytes
 *
 * Return: true if the request may proceed now.
 */
bool vblk_throttle_admit(struct vblk_throttle *t, u64 ops, u64 bytes)
{
	struct vblk_cost c = { .ops = ops, .bytes = bytes };

	return vblk_throttle_admit_cost(t, &c);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_admit);

/**
 * vblk_throttle_now() - the throttle's clock, for latency measurements
 * @t: the throttle
 *
 * Return: nanoseconds (the injected clock in KUnit).
 */
u64 vblk_throttle_now(struct vblk_throttle *t)
{
	return t->clock(t);
}

/**
 * vblk_throttle_unwait() - the device stops waiting for its group
 * @t: the throttle
 *
 * For a queue that stopped while stalled (reset, QueueReady = 0, a broken
 * queue): the device gives up its place in the group's queue, so that it
 * does not hold the group up, and its queues are resumed (one still
 * stalled retries and queues again). Any context, no vblk lock held.
 */
void vblk_throttle_unwait(struct vblk_throttle *t)
{
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&t->lock, flags);
	was = t->member.waiting;
	if (t->group)
		vblk_group_unwait(t->group, &t->member);
	spin_unlock_irqrestore(&t->lock, flags);
	if (was && t->resume)
		t->resume(t);
}

/**
 * vblk_throttle_cancel() - stop the resume timer and clear the stall
 * @t: the throttle
 *
 * Also gives up a place in the group's queue. Waits for a running timer
 * callback to finish. For device reset and destruction: process context,
 * and the caller must keep admit() from running concurrently (it would
 * re-arm the timer). Limits and group membership are kept.
 */
void vblk_throttle_cancel(struct vblk_throttle *t)
{
	unsigned long flags;

	hrtimer_cancel(&t->timer);
	spin_lock_irqsave(&t->lock, flags);
	t->stalled = false;
	if (t->group)
		vblk_group_unwait(t->group, &t->member);
	spin_unlock_irqrestore(&t->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_cancel);

/**
 * vblk_throttle_set_group() - move the device into a group, or out of one
 * @t: the throttle
 * @g: the group (its registry's mutex held), or NULL for none
 *
 * A stalled device is resumed, so that it retries under the new group.
 * Process context.
 */
void vblk_throttle_set_group(struct vblk_throttle *t, struct vblk_group *g)
{
	unsigned long flags;
	bool was_stalled;

	spin_lock_irqsave(&t->lock, flags);
	if (t->group == g) {
		spin_unlock_irqrestore(&t->lock, flags);
		return;
	}
	if (t->group)
		vblk_group_leave(t->group, &t->member);
	WRITE_ONCE(t->group, g);
	if (g)
		vblk_group_join(g, &t->member);
	was_stalled = t->stalled;
	spin_unlock_irqrestore(&t->lock, flags);
	if (was_stalled && t->resume)
		t->resume(t);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_set_group);
