// SPDX-License-Identifier: GPL-2.0
/*
 * vblk token buckets.
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
 * Exact wait. A request that finds a bucket short by D tokens waits for
 * ceil((D * NSEC_PER_SEC - frac) / r) nanoseconds, computed without
 * overflow (see vblk_bucket_wait()). Exactly then the bucket holds the
 * missing tokens; one nanosecond earlier it does not. A request charged to
 * several buckets waits for the slowest.
 *
 * One set of limits makes up to seven buckets: operations and bytes in
 * total and per direction, and syncs, whose bucket follows the bytes limit
 * (VBLK_THROTTLE_SYNC_BYTES): flushes move no bytes, yet must not be free
 * under a bytes-only limit.
 *
 * Nothing here locks: the owner of a struct vblk_limits serialises it.
 */
#include <kunit/visibility.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "vblk_bucket.h"

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

/* Refusal messages of one limit, named after its netlink attributes. */
struct vblk_limit_msgs {
	const char *burst_alone;
	const char *burst_low;
};

/* Where the limit of each configurable bucket is in the configuration. */
static const struct vblk_limit_def {
	size_t rate;
	size_t burst;
	struct vblk_limit_msgs msgs;
} vblk_limit_defs[VBLK_BKT_SYNC] = {
#define VBLK_OFF(field)	offsetof(struct vblk_throttle_cfg, field)
	[VBLK_BKT_OPS] = { VBLK_OFF(iops), VBLK_OFF(iops_burst), {
		"iops-burst: given without iops",
		"iops-burst: below iops" } },
	[VBLK_BKT_BYTES] = { VBLK_OFF(bps), VBLK_OFF(bps_burst), {
		"bps-burst: given without bps",
		"bps-burst: below bps" } },
	[VBLK_BKT_OPS_READ] = { VBLK_OFF(iops_read), VBLK_OFF(iops_read_burst), {
		"iops-read-burst: given without iops-read",
		"iops-read-burst: below iops-read" } },
	[VBLK_BKT_OPS_WRITE] = { VBLK_OFF(iops_write), VBLK_OFF(iops_write_burst), {
		"iops-write-burst: given without iops-write",
		"iops-write-burst: below iops-write" } },
	[VBLK_BKT_BYTES_READ] = { VBLK_OFF(bps_read), VBLK_OFF(bps_read_burst), {
		"bps-read-burst: given without bps-read",
		"bps-read-burst: below bps-read" } },
	[VBLK_BKT_BYTES_WRITE] = { VBLK_OFF(bps_write), VBLK_OFF(bps_write_burst), {
		"bps-write-burst: given without bps-write",
		"bps-write-burst: below bps-write" } },
#undef VBLK_OFF
};

static u64 *vblk_cfg_field(struct vblk_throttle_cfg *cfg, size_t off)
{
	return (u64 *)((char *)cfg + off);
}

static u64 vblk_cfg_value(const struct vblk_throttle_cfg *cfg, size_t off)
{
	return *(const u64 *)((const char *)cfg + off);
}

static int vblk_limit_check(u64 rate, u64 burst,
			    const struct vblk_limit_msgs *msgs,
			    const char **why)
{
	/*
	 * The netlink policy's bounds: a caller that skipped them is
	 * refused, not trusted (the core does not rely on netlink).
	 */
	if (rate > VBLK_THROTTLE_RATE_MAX || burst > VBLK_THROTTLE_BURST_MAX)
		*why = "limits out of range";
	else if (burst && !rate)
		*why = msgs->burst_alone;
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
 * The rules between a rate and its burst, for each limit in turn (iops,
 * bps, then the per-direction ones): a burst without its rate, a burst
 * below its rate. Each value's own bounds (a rate at most
 * VBLK_THROTTLE_RATE_MAX, a burst at most VBLK_THROTTLE_BURST_MAX) are the
 * netlink policy's, from the spec's checks; a value beyond them is a
 * caller's bug, refused.
 *
 * Return: 0 or -EINVAL.
 */
int vblk_throttle_check(const struct vblk_throttle_cfg *cfg, const char **why)
{
	const char *reason = NULL;
	unsigned int i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(vblk_limit_defs) && !err; i++) {
		const struct vblk_limit_def *d = &vblk_limit_defs[i];

		err = vblk_limit_check(vblk_cfg_value(cfg, d->rate),
				       vblk_cfg_value(cfg, d->burst),
				       &d->msgs, &reason);
	}
	if (err && why)
		*why = reason;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_check);

/**
 * vblk_limits_init() - every bucket unlimited
 * @l: the buckets
 * @now: the clock's current value
 */
void vblk_limits_init(struct vblk_limits *l, u64 now)
{
	memset(l->b, 0, sizeof(l->b));
	l->last_ns = now;
}

/**
 * vblk_limits_refill() - add the tokens accrued up to @now
 * @l: the buckets
 * @now: the clock's current value (an earlier one restarts from it)
 */
void vblk_limits_refill(struct vblk_limits *l, u64 now)
{
	unsigned int i;
	u64 secs;
	u32 nsecs;

	if (now <= l->last_ns) {
		/* Only an injected clock can go back; restart from it. */
		l->last_ns = now;
		return;
	}
	secs = div_u64_rem(now - l->last_ns, NSEC_PER_SEC, &nsecs);
	l->last_ns = now;
	for (i = 0; i < VBLK_BKT_NR; i++)
		vblk_bucket_refill(&l->b[i], secs, nsecs);
}

/*
 * The sync bucket: VBLK_THROTTLE_SYNC_BYTES of the tighter of bps and
 * bps-write make one sync a second (at least one), the burst likewise.
 */
static void vblk_sync_limit(const struct vblk_throttle_cfg *cfg, u64 *rate,
			    u64 *burst)
{
	u64 r = cfg->bps, b = cfg->bps_burst;

	if (cfg->bps_write && (!r || cfg->bps_write < r)) {
		r = cfg->bps_write;
		b = cfg->bps_write_burst;
	}
	*rate = 0;
	*burst = 0;
	if (!r)
		return;
	*rate = max_t(u64, r / VBLK_THROTTLE_SYNC_BYTES, 1);
	*burst = max_t(u64, (b ?: r) / VBLK_THROTTLE_SYNC_BYTES, *rate);
}

/**
 * vblk_limits_configure() - apply checked limits
 * @l: the buckets, refilled up to now under the old limits
 * @cfg: the limits (vblk_throttle_check() passed)
 *
 * A newly limited bucket starts full, a still limited one keeps its level
 * capped at its new capacity, an unlimited one is lifted (its debt
 * forgiven).
 */
void vblk_limits_configure(struct vblk_limits *l,
			   const struct vblk_throttle_cfg *cfg)
{
	unsigned int i;
	u64 rate, burst;

	for (i = 0; i < ARRAY_SIZE(vblk_limit_defs); i++)
		vblk_bucket_configure(&l->b[i],
				      vblk_cfg_value(cfg, vblk_limit_defs[i].rate),
				      vblk_cfg_value(cfg, vblk_limit_defs[i].burst));
	vblk_sync_limit(cfg, &rate, &burst);
	vblk_bucket_configure(&l->b[VBLK_BKT_SYNC], rate, burst);
}

/**
 * vblk_limits_get() - the limits in effect
 * @l: the buckets
 * @cfg: the rates and effective capacities (a defaulted burst reads back
 *	as its rate; an unlimited bucket as 0, 0)
 */
void vblk_limits_get(const struct vblk_limits *l, struct vblk_throttle_cfg *cfg)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < ARRAY_SIZE(vblk_limit_defs); i++) {
		*vblk_cfg_field(cfg, vblk_limit_defs[i].rate) = l->b[i].rate;
		*vblk_cfg_field(cfg, vblk_limit_defs[i].burst) = l->b[i].burst;
	}
}

/**
 * vblk_limits_cost() - a request's cost per bucket
 * @c: the request's cost
 * @cost: filled in, by enum vblk_bkt; each at most VBLK_THROTTLE_BURST_MAX
 */
void vblk_limits_cost(const struct vblk_cost *c, u64 cost[VBLK_BKT_NR])
{
	u64 ops = min(c->ops, VBLK_THROTTLE_BURST_MAX);
	u64 bytes = min(c->bytes, VBLK_THROTTLE_BURST_MAX);
	bool rd = c->dir == VBLK_DIR_READ, wr = c->dir == VBLK_DIR_WRITE;

	cost[VBLK_BKT_OPS] = ops;
	cost[VBLK_BKT_BYTES] = bytes;
	cost[VBLK_BKT_OPS_READ] = rd ? ops : 0;
	cost[VBLK_BKT_OPS_WRITE] = wr ? ops : 0;
	cost[VBLK_BKT_BYTES_READ] = rd ? bytes : 0;
	cost[VBLK_BKT_BYTES_WRITE] = wr ? bytes : 0;
	cost[VBLK_BKT_SYNC] = min(c->syncs, VBLK_THROTTLE_BURST_MAX);
}

/**
 * vblk_limits_short() - can the buckets pay @cost now?
 * @l: the buckets, refilled
 * @cost: by enum vblk_bkt; a bucket is not consulted for a cost of 0
 *
 * A cost above a bucket's capacity needs a full bucket and leaves it in
 * debt.
 *
 * Return: 0 if they can, else the nanoseconds until every one can.
 */
u64 vblk_limits_short(const struct vblk_limits *l,
		      const u64 cost[VBLK_BKT_NR])
{
	unsigned int i;
	u64 wait = 0;

	for (i = 0; i < VBLK_BKT_NR; i++)
		wait = max(wait, vblk_bucket_short(&l->b[i], cost[i]));
	return wait;
}

/**
 * vblk_limits_take() - pay @cost (vblk_limits_short() said 0)
 * @l: the buckets
 * @cost: by enum vblk_bkt
 */
void vblk_limits_take(struct vblk_limits *l, const u64 cost[VBLK_BKT_NR])
{
	unsigned int i;

	for (i = 0; i < VBLK_BKT_NR; i++) {
		if (l->b[i].rate)
			l->b[i].tokens -= (s64)cost[i];
	}
}
