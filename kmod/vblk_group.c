// SPDX-License-Identifier: GPL-2.0
/*
 * vblk limit groups: one set of buckets shared by several devices, in
 * addition to each device's own limits, and the registry of named groups.
 *
 * Fairness. Members that find the group's buckets short queue for them in
 * arrival order. While anyone waits, only the first waiter may take the
 * group's tokens: the timer is armed for the exact time its tokens will
 * have accrued and then resumes it (and nobody else); once it has taken
 * them, the next waiter's turn begins. A member that takes tokens and
 * comes straight back finds the others ahead and queues behind them, so
 * saturated members alternate: a busy disk cannot starve another, and no
 * token is handed out twice or lost (the buckets keep accruing while a
 * resumed member's worker gets going).
 *
 * A member refused by its own device's limits gives up its place (see
 * vblk_group_unwait()), so a device that waits for itself never holds the
 * group up.
 *
 * Locks. g->lock is a spinlock taken with interrupts disabled: inside a
 * member's throttle lock on the data path, by the group's timer (softirq)
 * and by limit changes. A member's resume callback runs under it and only
 * kicks queues. The registry mutex serialises adding, deleting and the
 * membership of devices (join and leave run under it); a group is freed
 * only when it has no member, after its timer is cancelled.
 */
#include <kunit/visibility.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>

#include "vblk_group.h"

static u64 vblk_group_ktime(struct vblk_group *g)
{
	return ktime_get_ns();
}

static struct vblk_group_member *vblk_group_head(struct vblk_group *g)
{
	return list_first_entry_or_null(&g->waiters, struct vblk_group_member,
					node);
}

/*
 * The first waiter's turn: resume it now if its tokens are there, else arm
 * the timer for when they will be. Called with g->lock held and the
 * buckets refilled up to @now.
 */
static void vblk_group_serve(struct vblk_group *g, u64 now)
{
	struct vblk_group_member *head = vblk_group_head(g);
	u64 wait;

	if (!head) {
		hrtimer_try_to_cancel(&g->timer);
		return;
	}
	wait = vblk_limits_short(&g->lim, head->cost);
	if (!wait) {
		head->resume(head);
		return;
	}
	if (check_add_overflow(now, wait, &g->resume_at))
		g->resume_at = U64_MAX;
	hrtimer_start(&g->timer, ns_to_ktime(wait), HRTIMER_MODE_REL_SOFT);
}

static enum hrtimer_restart vblk_group_fire(struct hrtimer *timer)
{
	struct vblk_group *g = container_of(timer, struct vblk_group, timer);
	unsigned long flags;
	u64 now;

	spin_lock_irqsave(&g->lock, flags);
	now = g->clock(g);
	vblk_limits_refill(&g->lim, now);
	/*
	 * Resume the first waiter even if its tokens are a nanosecond short
	 * by the clock just read: the timer was armed for the exact time, and
	 * a lost resume would wedge the group.
	 */
	if (vblk_group_head(g))
		vblk_group_head(g)->resume(vblk_group_head(g));
	spin_unlock_irqrestore(&g->lock, flags);
	return HRTIMER_NORESTART;
}

static void vblk_group_enqueue(struct vblk_group *g,
			       struct vblk_group_member *m,
			       const u64 cost[VBLK_BKT_NR])
{
	memcpy(m->cost, cost, sizeof(m->cost));
	if (m->waiting)
		return;
	m->waiting = true;
	list_add_tail(&m->node, &g->waiters);
	g->stats.waits++;
}

/**
 * vblk_group_admit() - take a request's tokens from the group, or queue
 * @g: the group
 * @m: the member asking
 * @cost: the request's cost, by enum vblk_bkt
 *
 * Called with the member's throttle lock held (interrupts disabled).
 *
 * Return: true if the tokens were taken; false if @m now waits in the
 * group's queue (its resume callback will be called on its turn).
 */
bool vblk_group_admit(struct vblk_group *g, struct vblk_group_member *m,
		      const u64 cost[VBLK_BKT_NR])
{
	struct vblk_group_member *head;
	bool ok = false;
	u64 now;

	spin_lock(&g->lock);
	now = g->clock(g);
	vblk_limits_refill(&g->lim, now);
	head = vblk_group_head(g);
	if (head && head != m) {
		/* Others were first. */
		vblk_group_enqueue(g, m, cost);
	} else if (vblk_limits_short(&g->lim, cost)) {
		/* First in line (or alone) and short: wait for the tokens. */
		vblk_group_enqueue(g, m, cost);
		vblk_group_serve(g, now);
	} else {
		vblk_limits_take(&g->lim, cost);
		g->stats.ops += cost[VBLK_BKT_OPS];
		g->stats.bytes += cost[VBLK_BKT_BYTES];
		ok = true;
		if (m->waiting) {
			list_del(&m->node);
			m->waiting = false;
			vblk_group_serve(g, now);
		}
	}
	spin_unlock(&g->lock);
	return ok;
}

/**
 * vblk_group_unwait() - give up a place in the group's queue
 * @g: the group
 * @m: the member (waiting or not)
 *
 * When @m was first, the next waiter's turn begins. Called with the
 * member's throttle lock held (interrupts disabled).
 */
void vblk_group_unwait(struct vblk_group *g, struct vblk_group_member *m)
{
	bool first;

	spin_lock(&g->lock);
	if (m->waiting) {
		first = vblk_group_head(g) == m;
		list_del(&m->node);
		m->waiting = false;
		if (first) {
			u64 now = g->clock(g);

			vblk_limits_refill(&g->lim, now);
			vblk_group_serve(g, now);
		}
	}
	spin_unlock(&g->lock);
}

/**
 * vblk_group_join() - a device enters the group
 * @g: the group
 * @m: its member, not waiting
 *
 * Called with the registry mutex and the member's throttle lock held.
 */
void vblk_group_join(struct vblk_group *g, struct vblk_group_member *m)
{
	spin_lock(&g->lock);
	g->members++;
	m->waiting = false;
	spin_unlock(&g->lock);
}

/**
 * vblk_group_leave() - a device leaves the group
 * @g: the group
 * @m: its member
 *
 * Gives up its place in the queue first. Called with the registry mutex
 * and the member's throttle lock held.
 */
void vblk_group_leave(struct vblk_group *g, struct vblk_group_member *m)
{
	vblk_group_unwait(g, m);
	spin_lock(&g->lock);
	g->members--;
	spin_unlock(&g->lock);
}

/**
 * vblk_group_set_limits() - replace a group's limits at run time
 * @g: the group
 * @cfg: the new limits
 * @why: set to a short reason on refusal (may be NULL)
 *
 * As for a device (vblk_throttle_set()); the first waiter is resumed at
 * once if the new limits let it run, else the timer is re-armed for them.
 * Process context.
 *
 * Return: 0, or -EINVAL with nothing changed.
 */
int vblk_group_set_limits(struct vblk_group *g,
			  const struct vblk_throttle_cfg *cfg, const char **why)
{
	unsigned long flags;
	u64 now;
	int err;

	err = vblk_throttle_check(cfg, why);
	if (err)
		return err;
	spin_lock_irqsave(&g->lock, flags);
	now = g->clock(g);
	vblk_limits_refill(&g->lim, now);
	vblk_limits_configure(&g->lim, cfg);
	if (vblk_group_head(g))
		vblk_group_serve(g, now);
	spin_unlock_irqrestore(&g->lock, flags);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_group_set_limits);

/**
 * vblk_group_get_info() - a group as group-get shows it
 * @g: the group
 * @info: filled in
 */
void vblk_group_get_info(struct vblk_group *g, struct vblk_group_info *info)
{
	struct vblk_group_member *m;
	unsigned long flags;

	memset(info, 0, sizeof(*info));
	info->id = g->id;
	info->name = g->name;
	spin_lock_irqsave(&g->lock, flags);
	vblk_limits_get(&g->lim, &info->limits);
	info->members = g->members;
	list_for_each_entry(m, &g->waiters, node)
		info->waiting++;
	info->stats = g->stats;
	spin_unlock_irqrestore(&g->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_group_get_info);

/**
 * vblk_group_init() - an unlimited group without members
 * @g: the group
 * @name: its name (copied)
 *
 * The clock is ktime_get_ns(); tests may replace @g->clock afterwards.
 */
void vblk_group_init(struct vblk_group *g, const char *name)
{
	memset(g, 0, sizeof(*g));
	strscpy(g->name, name, sizeof(g->name));
	spin_lock_init(&g->lock);
	INIT_LIST_HEAD(&g->waiters);
	g->clock = vblk_group_ktime;
	vblk_limits_init(&g->lim, g->clock(g));
	hrtimer_init(&g->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	g->timer.function = vblk_group_fire;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_group_init);

/**
 * vblk_group_destroy() - stop a group without members
 * @g: the group
 *
 * Waits for a running timer callback. Process context.
 */
void vblk_group_destroy(struct vblk_group *g)
{
	WARN_ON_ONCE(g->members || !list_empty(&g->waiters));
	hrtimer_cancel(&g->timer);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_group_destroy);

/* ---- the registry ------------------------------------------------------- */

static DEFINE_MUTEX(vblk_groups_lock);
static DEFINE_XARRAY_ALLOC1(vblk_groups);
static u32 vblk_groups_next_id;
/* Starts at 1: a zero sequence disables the dump consistency check. */
static u32 vblk_groups_gen = 1;

/**
 * vblk_group_lock() - take the registry mutex
 *
 * Held across lookups, membership changes and while a looked-up group is
 * used. Nests inside the device registry's mutex.
 */
void vblk_group_lock(void)
{
	mutex_lock(&vblk_groups_lock);
}

/**
 * vblk_group_unlock() - release the registry mutex
 */
void vblk_group_unlock(void)
{
	mutex_unlock(&vblk_groups_lock);
}

/**
 * vblk_group_generation() - the registry's change counter (registry mutex
 *	held); never 0
 *
 * Return: a value that changes whenever a group is added or deleted, or
 * a device joins or leaves one.
 */
u32 vblk_group_generation(void)
{
	lockdep_assert_held(&vblk_groups_lock);
	return vblk_groups_gen;
}

/**
 * vblk_group_members_changed() - a device joined or left a group
 *	(registry mutex held): group dumps in progress restart
 */
void vblk_group_members_changed(void)
{
	lockdep_assert_held(&vblk_groups_lock);
	vblk_groups_gen++;
}

/**
 * vblk_group_find() - look a group up by name (registry mutex held)
 * @name: the name
 *
 * Return: the group or NULL.
 */
struct vblk_group *vblk_group_find(const char *name)
{
	struct vblk_group *g;
	unsigned long id;

	lockdep_assert_held(&vblk_groups_lock);
	xa_for_each(&vblk_groups, id, g) {
		if (!strncmp(g->name, name, VBLK_NAME_MAX))
			return g;
	}
	return NULL;
}

/**
 * vblk_group_next() - iterate over groups in id order (registry mutex held)
 * @id: in: the lowest id wanted; out: the id of the group returned
 *
 * Return: the first group with an id >= *@id, or NULL.
 */
struct vblk_group *vblk_group_next(unsigned long *id)
{
	lockdep_assert_held(&vblk_groups_lock);
	return xa_find(&vblk_groups, id, ULONG_MAX, XA_PRESENT);
}

/**
 * vblk_group_add() - create a group (registry mutex held)
 * @name: a valid name, not in use
 * @cfg: its limits
 * @why: set to a reason on failure
 *
 * Return: the group, or an ERR_PTR(): -EINVAL for bad limits, -ENOMEM.
 */
struct vblk_group *vblk_group_add(const char *name,
				  const struct vblk_throttle_cfg *cfg,
				  const char **why)
{
	struct vblk_group *g;
	int err;

	lockdep_assert_held(&vblk_groups_lock);
	err = vblk_throttle_check(cfg, why);
	if (err)
		return ERR_PTR(err);
	g = kmalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return ERR_PTR(-ENOMEM);
	vblk_group_init(g, name);
	vblk_limits_configure(&g->lim, cfg);
	err = xa_alloc_cyclic(&vblk_groups, &g->id, g, XA_LIMIT(1, INT_MAX),
			      &vblk_groups_next_id, GFP_KERNEL);
	if (err < 0) {
		kfree(g);
		*why = "could not create the group";
		return ERR_PTR(err);
	}
	vblk_groups_gen++;
	return g;
}

/**
 * vblk_group_del() - delete a group without members (registry mutex held)
 * @g: the group
 * @why: set to a reason on refusal
 *
 * Return: 0, or -EBUSY while devices are in it.
 */
int vblk_group_del(struct vblk_group *g, const char **why)
{
	lockdep_assert_held(&vblk_groups_lock);
	/* Members change only under the registry mutex. */
	if (READ_ONCE(g->members)) {
		*why = "in use by devices (dev set DISK group none first)";
		return -EBUSY;
	}
	xa_erase(&vblk_groups, g->id);
	vblk_groups_gen++;
	vblk_group_destroy(g);
	kfree(g);
	return 0;
}

/**
 * vblk_group_exit() - delete every group, for module unload
 *
 * Every device is gone (and has left its group) by then.
 */
void vblk_group_exit(void)
{
	struct vblk_group *g;
	unsigned long id;
	const char *why;

	mutex_lock(&vblk_groups_lock);
	xa_for_each(&vblk_groups, id, g)
		WARN_ON(vblk_group_del(g, &why));
	mutex_unlock(&vblk_groups_lock);
	xa_destroy(&vblk_groups);
}
