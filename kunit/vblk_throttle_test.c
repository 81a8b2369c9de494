// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the vblk throttle: token arithmetic with an injected
 * clock, exact resume times, debt, run-time limit changes, extremes.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/module.h>
#include <linux/string.h>

#include "vblk_throttle.h"

struct vblk_thr_ctx {
	struct vblk_throttle t;
	u64 now;
	atomic_t resumes;
	struct completion resumed;
};

static u64 vblk_thr_clock(struct vblk_throttle *t)
{
	return container_of(t, struct vblk_thr_ctx, t)->now;
}

static void vblk_thr_resume(struct vblk_throttle *t)
{
	struct vblk_thr_ctx *ctx = container_of(t, struct vblk_thr_ctx, t);

	atomic_inc(&ctx->resumes);
	complete(&ctx->resumed);
}

static void vblk_thr_ctx_init(struct vblk_thr_ctx *ctx)
{
	vblk_throttle_init(&ctx->t, vblk_thr_resume);
	atomic_set(&ctx->resumes, 0);
	init_completion(&ctx->resumed);
	ctx->t.clock = vblk_thr_clock;
	ctx->now = 1000 * NSEC_PER_SEC;
	ctx->t.last_ns = ctx->now;
}

static int vblk_thr_test_init(struct kunit *test)
{
	struct vblk_thr_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	vblk_thr_ctx_init(ctx);
	test->priv = ctx;
	return 0;
}

static void vblk_thr_test_exit(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;

	/* No timer may outlive the context it points into. */
	vblk_throttle_cancel(&ctx->t);
}

static void vblk_thr_limit(struct kunit *test, struct vblk_thr_ctx *ctx,
			   u64 iops, u64 iops_burst, u64 bps, u64 bps_burst)
{
	struct vblk_throttle_cfg cfg = {
		.iops = iops, .iops_burst = iops_burst,
		.bps = bps, .bps_burst = bps_burst,
	};
	const char *why = NULL;

	KUNIT_ASSERT_EQ_MSG(test, vblk_throttle_set(&ctx->t, &cfg, &why), 0,
			    "refused: %s", why);
}

/* Empty both buckets at the current time (they start full). */
static void vblk_thr_drain(struct kunit *test, struct vblk_thr_ctx *ctx)
{
	KUNIT_ASSERT_TRUE(test, vblk_throttle_admit(&ctx->t, ctx->t.ops.burst,
						    ctx->t.bytes.burst));
	KUNIT_ASSERT_EQ(test, ctx->t.ops.tokens, 0);
	KUNIT_ASSERT_EQ(test, ctx->t.bytes.tokens, 0);
}

static void vblk_thr_test_unlimited(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;
	int i;

	for (i = 0; i < 1000; i++)
		KUNIT_ASSERT_TRUE(test, vblk_throttle_admit(&ctx->t, 1,
							    128ULL << 20));
	KUNIT_EXPECT_FALSE(test, ctx->t.stalled);
	KUNIT_EXPECT_FALSE(test, hrtimer_active(&ctx->t.timer));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->resumes), 0);
}

static void vblk_thr_test_default_burst(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;
	struct vblk_throttle_cfg cfg;
	int i;

	vblk_thr_limit(test, ctx, 10, 0, 4096, 0);
	vblk_throttle_get(&ctx->t, &cfg);
	KUNIT_EXPECT_EQ(test, cfg.iops, 10);
	KUNIT_EXPECT_EQ(test, cfg.iops_burst, 10);
	KUNIT_EXPECT_EQ(test, cfg.bps, 4096);
	KUNIT_EXPECT_EQ(test, cfg.bps_burst, 4096);

	/* Full at creation: one second's worth passes at once, no more. */
	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 0));
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 0));

	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 0, 4096));
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 0, 1));
}

static void vblk_thr_test_explicit_burst(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;
	int i;

	vblk_thr_limit(test, ctx, 10, 25, 0, 0);
	for (i = 0; i < 25; i++)
		KUNIT_ASSERT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 0));
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 0));
	/* Refill is at the rate, not the burst: 0.1 s gives one op. */
	ctx->now += NSEC_PER_SEC / 10;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 0));
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 0));
}

static void vblk_thr_test_refill(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;

	vblk_thr_limit(test, ctx, 3, 0, 1000, 0);
	vblk_thr_drain(test, ctx);

	/* 3 ops/s: the first op has accrued after 333333333.3 ns. */
	ctx->now += 333333333;
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 0));
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 0);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.frac, 999999999);
	ctx->now += 1;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 0));
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 0);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.frac, 2);

	/* 1000 B/s: 333.333334 B so far, 1 ms more is one byte more. */
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 333);
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.frac, 333334000);
	ctx->now += NSEC_PER_MSEC;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 0, 0));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 334);
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.frac, 333334000);
	/* 2.5 s more is capped at the burst. */
	ctx->now += 2500 * NSEC_PER_MSEC;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 0, 0));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 1000);
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.frac, 0);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 3);
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 3, 1000));
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 0, 1));
}

struct vblk_thr_wait_case {
	const char *name;
	u64 iops, iops_burst, bps, bps_burst;
	u64 pre_ns;		/* time between draining and the request */
	u64 ops, bytes;		/* the request */
	u64 wait;		/* expected, computed independently */
};

static const struct vblk_thr_wait_case vblk_thr_wait_cases[] = {
	{ "3 iops", 3, 0, 0, 0, 0, 1, 0, 333333334 },
	{ "3 iops, 100 ns accrued", 3, 0, 0, 0, 100, 1, 0, 333333234 },
	{ "2^40 B/s, 128 MiB", 0, 0, 1ULL << 40, 0, 0, 0, 1ULL << 27,
	  122071 },
	{ "odd rate, 7 ns accrued", 0, 0, 999999937, 0, 7, 0, 4096, 4090 },
	{ "7 B/s, nearly 1 s accrued", 0, 0, 7, 10, 999999999, 0, 10,
	  428571430 },
	{ "burst above rate", 0, 0, 1000, 2000, 0, 0, 1500, 1500000000 },
	{ "both short, bytes longer", 1000, 0, 1 << 20, 0, 0, 1, 4096,
	  3906250 },
	{ "2^50 B at 2^40 B/s", 0, 0, 1ULL << 40, 1ULL << 50, 0, 0,
	  1ULL << 50, 1024 * NSEC_PER_SEC },
};

static void vblk_thr_test_exact_resume(struct kunit *test)
{
	const struct vblk_thr_wait_case *c;
	struct vblk_thr_ctx *ctx = test->priv;
	size_t i;
	bool ok;

	for (i = 0; i < ARRAY_SIZE(vblk_thr_wait_cases); i++) {
		c = &vblk_thr_wait_cases[i];
		vblk_throttle_cancel(&ctx->t);
		vblk_thr_ctx_init(ctx);
		vblk_thr_limit(test, ctx, c->iops, c->iops_burst, c->bps,
			       c->bps_burst);
		vblk_thr_drain(test, ctx);
		ctx->now += c->pre_ns;

		ok = vblk_throttle_admit(&ctx->t, c->ops, c->bytes);
		KUNIT_EXPECT_FALSE_MSG(test, ok, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, ctx->t.resume_at - ctx->now, c->wait,
				    "%s", c->name);

		/* One nanosecond early: still short, by exactly 1 ns. */
		ctx->now = ctx->t.resume_at - 1;
		ok = vblk_throttle_admit(&ctx->t, c->ops, c->bytes);
		KUNIT_EXPECT_FALSE_MSG(test, ok, "%s", c->name);
		KUNIT_EXPECT_EQ_MSG(test, ctx->t.resume_at - ctx->now, 1,
				    "%s", c->name);

		ctx->now += 1;
		ok = vblk_throttle_admit(&ctx->t, c->ops, c->bytes);
		KUNIT_EXPECT_TRUE_MSG(test, ok, "%s", c->name);
		KUNIT_EXPECT_FALSE_MSG(test, ctx->t.stalled, "%s", c->name);
	}
}

static void vblk_thr_test_timer_armed(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;
	const s64 wait = 100 * NSEC_PER_SEC;
	s64 left;

	/* Waits in these tests are long, so the real timer stays quiet. */
	vblk_thr_limit(test, ctx, 0, 0, 1, 100);
	vblk_thr_drain(test, ctx);
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 100));
	KUNIT_EXPECT_TRUE(test, ctx->t.stalled);
	KUNIT_EXPECT_EQ(test, ctx->t.resume_at - ctx->now, (u64)wait);

	/* The hrtimer itself is armed for that wait, not a fixed poll. */
	KUNIT_ASSERT_TRUE(test, hrtimer_is_queued(&ctx->t.timer));
	left = ktime_to_ns(hrtimer_get_remaining(&ctx->t.timer));
	KUNIT_EXPECT_LE(test, left, wait);
	KUNIT_EXPECT_GT(test, left, wait - 10 * (s64)NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->resumes), 0);

	/*
	 * Admitted later (e.g. by a guest kick): the timer is dropped and
	 * the stall ends with a resume, for whichever queue was waiting.
	 */
	ctx->now += wait;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 100));
	KUNIT_EXPECT_FALSE(test, ctx->t.stalled);
	KUNIT_EXPECT_FALSE(test, hrtimer_is_queued(&ctx->t.timer));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->resumes), 1);
}

static void vblk_thr_test_timer_fires(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;

	/* 128 MiB short at 2^40 B/s: the real timer fires after ~122 us. */
	vblk_thr_limit(test, ctx, 0, 0, 1ULL << 40, 0);
	vblk_thr_drain(test, ctx);
	KUNIT_ASSERT_FALSE(test, vblk_throttle_admit(&ctx->t, 0, 1ULL << 27));
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&ctx->resumed,
							  10 * HZ), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->resumes), 1);
	KUNIT_EXPECT_FALSE(test, ctx->t.stalled);
}

static void vblk_thr_test_cancel(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;
	struct vblk_throttle_cfg cfg;

	vblk_thr_limit(test, ctx, 1, 0, 1, 100);
	vblk_thr_drain(test, ctx);
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 100));
	KUNIT_EXPECT_TRUE(test, ctx->t.stalled);
	KUNIT_ASSERT_TRUE(test, hrtimer_is_queued(&ctx->t.timer));

	vblk_throttle_cancel(&ctx->t);
	KUNIT_EXPECT_FALSE(test, ctx->t.stalled);
	KUNIT_EXPECT_FALSE(test, hrtimer_active(&ctx->t.timer));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->resumes), 0);
	/* Limits survive a cancel (device reset). */
	vblk_throttle_get(&ctx->t, &cfg);
	KUNIT_EXPECT_EQ(test, cfg.iops, 1);
}

static void vblk_thr_test_debt(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;

	vblk_thr_limit(test, ctx, 0, 0, 1000, 0);

	/* Larger than the burst: admitted from a full bucket, into debt. */
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 5000));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, -4000);

	/* The next byte waits for the debt and itself: 4.001 s. */
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 1));
	KUNIT_EXPECT_EQ(test, ctx->t.resume_at - ctx->now, 4001 * NSEC_PER_MSEC);
	ctx->now += 4001 * NSEC_PER_MSEC - 1;
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 1));
	ctx->now += 1;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 1));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 0);

	/* An oversize request waits for a full bucket, not for its size. */
	ctx->now += 999 * NSEC_PER_MSEC;
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 1ULL << 27));
	KUNIT_EXPECT_EQ(test, ctx->t.resume_at - ctx->now, NSEC_PER_MSEC);
	ctx->now += NSEC_PER_MSEC;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 1ULL << 27));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 1000 - (1LL << 27));
}

static void vblk_thr_test_zero_cost(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;

	vblk_thr_limit(test, ctx, 100, 0, 1000, 0);
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 3000));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, -2000);
	/* A flush costs an op and no bytes: the byte debt does not hold it. */
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 0));
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 98);
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, -2000);
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 512));
	/* Refused: nothing was taken from the bucket that had enough. */
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 98);
}

static void vblk_thr_test_change_mid_stall(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;

	/* 1000 bytes short at 10 B/s: 100 s. */
	vblk_thr_limit(test, ctx, 0, 0, 10, 1000);
	vblk_thr_drain(test, ctx);
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 1000));
	KUNIT_EXPECT_TRUE(test, ctx->t.stalled);
	KUNIT_EXPECT_EQ(test, ctx->t.resume_at - ctx->now,
			100 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->resumes), 0);

	/* Faster limit: the stall is re-evaluated at once. */
	vblk_thr_limit(test, ctx, 0, 0, 100, 1000);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->resumes), 1);
	KUNIT_EXPECT_FALSE(test, ctx->t.stalled);
	KUNIT_EXPECT_FALSE(test, hrtimer_active(&ctx->t.timer));

	/* The level (empty) carries over; the retry waits at the new rate. */
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 1000));
	KUNIT_EXPECT_EQ(test, ctx->t.resume_at - ctx->now, 10 * NSEC_PER_SEC);
	ctx->now += 10 * NSEC_PER_SEC;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 1000));
	/* ending that stall resumes (another queue may have been waiting) */
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->resumes), 2);

	/* A change while not stalled does not resume anything. */
	vblk_thr_limit(test, ctx, 0, 0, 200, 1000);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->resumes), 2);
}

static void vblk_thr_test_off_lifts(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;
	struct vblk_throttle_cfg cfg;

	vblk_thr_limit(test, ctx, 10, 0, 1000, 0);
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 1ULL << 20));
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 512));

	vblk_thr_limit(test, ctx, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->resumes), 1);
	KUNIT_EXPECT_FALSE(test, ctx->t.stalled);
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 512));
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1000,
						    128ULL << 20));
	vblk_throttle_get(&ctx->t, &cfg);
	KUNIT_EXPECT_EQ(test, cfg.iops, 0);
	KUNIT_EXPECT_EQ(test, cfg.iops_burst, 0);
	KUNIT_EXPECT_EQ(test, cfg.bps, 0);
	KUNIT_EXPECT_EQ(test, cfg.bps_burst, 0);

	/* Limited again: a new bucket starts full, the old debt is gone. */
	vblk_thr_limit(test, ctx, 0, 0, 1000, 0);
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 1000);
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 1, 1000));
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 1, 1));
}

static void vblk_thr_test_change_keeps_level(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;

	vblk_thr_limit(test, ctx, 100, 0, 0, 0);
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 30, 0));
	/* A larger capacity does not hand out free tokens... */
	vblk_thr_limit(test, ctx, 200, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 70);
	/* ...a smaller one caps the level... */
	vblk_thr_limit(test, ctx, 50, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 50);
	/* ...and time before the change accrues at the old rate. */
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 50, 0));
	ctx->now += 100 * NSEC_PER_MSEC;
	vblk_thr_limit(test, ctx, 1000, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 5);
}

static void vblk_thr_test_get(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;
	struct vblk_throttle_cfg cfg;

	vblk_throttle_get(&ctx->t, &cfg);
	KUNIT_EXPECT_EQ(test, cfg.iops, 0);
	KUNIT_EXPECT_EQ(test, cfg.bps, 0);

	vblk_thr_limit(test, ctx, 5, 0, 100, 300);
	vblk_throttle_get(&ctx->t, &cfg);
	KUNIT_EXPECT_EQ(test, cfg.iops, 5);
	KUNIT_EXPECT_EQ(test, cfg.iops_burst, 5);
	KUNIT_EXPECT_EQ(test, cfg.bps, 100);
	KUNIT_EXPECT_EQ(test, cfg.bps_burst, 300);
}

struct vblk_thr_check_case {
	struct vblk_throttle_cfg cfg;
	const char *why;	/* NULL: accepted */
};

static const struct vblk_thr_check_case vblk_thr_check_cases[] = {
	{ { 0, 0, 0, 0 }, NULL },
	{ { 100, 100, 0, 0 }, NULL },
	{ { 100, 0, 4096, 8192 }, NULL },
	{ { 1ULL << 40, 1ULL << 50, 1ULL << 40, 1ULL << 50 }, NULL },
	{ { 0, 10, 0, 0 }, "iops-burst: given without iops" },
	{ { 100, 99, 0, 0 }, "iops-burst: below iops" },
	{ { 0, 0, 0, 4096 }, "bps-burst: given without bps" },
	{ { 0, 0, 4096, 4095 }, "bps-burst: below bps" },
	/* iops is checked first. */
	{ { 100, 1, 0, 5 }, "iops-burst: below iops" },
};

static void vblk_thr_test_check(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;
	const struct vblk_thr_check_case *c;
	struct vblk_throttle_cfg before, after;
	const char *why;
	size_t i;
	int err;

	vblk_thr_limit(test, ctx, 7, 0, 7000, 0);
	vblk_throttle_get(&ctx->t, &before);

	for (i = 0; i < ARRAY_SIZE(vblk_thr_check_cases); i++) {
		c = &vblk_thr_check_cases[i];
		why = NULL;
		err = vblk_throttle_check(&c->cfg, &why);
		if (!c->why) {
			KUNIT_EXPECT_EQ_MSG(test, err, 0, "case %zu", i);
			KUNIT_EXPECT_NULL_MSG(test, why, "case %zu", i);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "case %zu", i);
		KUNIT_EXPECT_STREQ_MSG(test, why ?: "(none)", c->why,
				       "case %zu", i);

		/* set() refuses the same way and changes nothing. */
		why = NULL;
		KUNIT_EXPECT_EQ_MSG(test, vblk_throttle_set(&ctx->t, &c->cfg,
							    &why),
				    -EINVAL, "case %zu", i);
		KUNIT_EXPECT_STREQ_MSG(test, why ?: "(none)", c->why,
				       "case %zu", i);
		vblk_throttle_get(&ctx->t, &after);
		KUNIT_EXPECT_MEMEQ_MSG(test, &after, &before, sizeof(after),
				       "case %zu", i);
	}
	/* A NULL reason pointer is allowed. */
	KUNIT_EXPECT_EQ(test, vblk_throttle_check(&vblk_thr_check_cases[4].cfg,
						  NULL), -EINVAL);
}

static void vblk_thr_test_extremes(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;
	const u64 rate = 1ULL << 40;

	vblk_thr_limit(test, ctx, rate, 0, rate, 2 * rate);
	vblk_thr_drain(test, ctx);

	/* 1 ns at 2^40/s: 1099.511627776 tokens. */
	ctx->now += 1;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 0, 0));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 1099);
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.frac, 511627776);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 1099);

	/* 1.5 s in total: exactly 1.5 * 2^40, below the 2^41 burst. */
	ctx->now += 1500 * NSEC_PER_MSEC - 1;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 0, 0));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 3LL << 39);
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.frac, 0);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, (s64)rate);

	/* Three idle days: capped at the burst, nothing wrapped. */
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 0, 3ULL << 39));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 0);
	ctx->now += 3ULL * 86400 * NSEC_PER_SEC;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 0, 0));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, (s64)(2 * rate));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.frac, 0);

	/* The clock jumping across most of u64: still just full. */
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 0, 2 * rate));
	ctx->now = U64_MAX - NSEC_PER_SEC;
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 0, 0));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, (s64)(2 * rate));

	/* 2^50 bytes short at 1 B/s: the wait is clamped, not wrapped. */
	vblk_throttle_cancel(&ctx->t);
	vblk_thr_ctx_init(ctx);
	vblk_thr_limit(test, ctx, 0, 0, 1, 1ULL << 50);
	vblk_thr_drain(test, ctx);
	KUNIT_EXPECT_FALSE(test, vblk_throttle_admit(&ctx->t, 0, 1ULL << 50));
	KUNIT_EXPECT_EQ(test, ctx->t.resume_at - ctx->now,
			VBLK_THROTTLE_WAIT_MAX);
	KUNIT_EXPECT_GT(test, ktime_to_ns(hrtimer_get_remaining(&ctx->t.timer)),
			(s64)NSEC_PER_SEC);
	/* A cost beyond any burst is charged as VBLK_THROTTLE_BURST_MAX. */
	vblk_thr_limit(test, ctx, 0, 0, 0, 0);
	vblk_thr_limit(test, ctx, 0, 0, 1ULL << 40, 1ULL << 50);
	KUNIT_EXPECT_TRUE(test, vblk_throttle_admit(&ctx->t, 0, U64_MAX));
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 0);
}

static void vblk_thr_step(struct kunit *test, struct vblk_thr_ctx *ctx,
			  unsigned int steps, u64 step_ns)
{
	unsigned int i;

	for (i = 0; i < steps; i++) {
		ctx->now += step_ns;
		if (!vblk_throttle_admit(&ctx->t, 0, 0)) {
			KUNIT_FAIL(test, "zero-cost admit refused");
			return;
		}
	}
}

static void vblk_thr_test_no_drift(struct kunit *test)
{
	struct vblk_thr_ctx *ctx = test->priv;
	struct vblk_thr_ctx *one;

	one = kunit_kzalloc(test, sizeof(*one), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, one);
	vblk_thr_ctx_init(one);

	/* 0.999999937 bytes per ns; 0.000000003 ops per ns. */
	vblk_thr_limit(test, ctx, 3, 0, 999999937, 0);
	vblk_thr_limit(test, one, 3, 0, 999999937, 0);
	vblk_thr_drain(test, ctx);
	vblk_thr_drain(test, one);

	/* A million 1 ns refills against one 1 ms refill. */
	vblk_thr_step(test, ctx, 1000000, 1);
	vblk_thr_step(test, one, 1, 1000000);
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 999999);
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.frac, 937000000);
	KUNIT_EXPECT_EQ(test, one->t.bytes.tokens, 999999);
	KUNIT_EXPECT_EQ(test, one->t.bytes.frac, 937000000);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 0);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.frac, one->t.ops.frac);

	/* A thousand refills of 0.002999997 ops each still add up. */
	vblk_thr_step(test, ctx, 1000, 999999);
	vblk_thr_step(test, one, 1, 999999000);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.tokens, 3);
	KUNIT_EXPECT_EQ(test, ctx->t.ops.frac, 0);
	KUNIT_EXPECT_EQ(test, one->t.ops.tokens, 3);
	KUNIT_EXPECT_EQ(test, one->t.ops.frac, 0);
	KUNIT_EXPECT_EQ(test, ctx->t.bytes.tokens, 999999937);
	KUNIT_EXPECT_EQ(test, one->t.bytes.tokens, 999999937);

	vblk_throttle_cancel(&one->t);
}

static struct kunit_case vblk_throttle_cases[] = {
	KUNIT_CASE(vblk_thr_test_unlimited),
	KUNIT_CASE(vblk_thr_test_default_burst),
	KUNIT_CASE(vblk_thr_test_explicit_burst),
	KUNIT_CASE(vblk_thr_test_refill),
	KUNIT_CASE(vblk_thr_test_exact_resume),
	KUNIT_CASE(vblk_thr_test_timer_armed),
	KUNIT_CASE(vblk_thr_test_timer_fires),
	KUNIT_CASE(vblk_thr_test_cancel),
	KUNIT_CASE(vblk_thr_test_debt),
	KUNIT_CASE(vblk_thr_test_zero_cost),
	KUNIT_CASE(vblk_thr_test_change_mid_stall),
	KUNIT_CASE(vblk_thr_test_off_lifts),
	KUNIT_CASE(vblk_thr_test_change_keeps_level),
	KUNIT_CASE(vblk_thr_test_get),
	KUNIT_CASE(vblk_thr_test_check),
	KUNIT_CASE(vblk_thr_test_extremes),
	KUNIT_CASE_SLOW(vblk_thr_test_no_drift),
	{}
};

static struct kunit_suite vblk_throttle_suite = {
	.name = "vblk_throttle",
	.init = vblk_thr_test_init,
	.exit = vblk_thr_test_exit,
	.test_cases = vblk_throttle_cases,
};

kunit_test_suite(vblk_throttle_suite);

/* The module's license and description are in vblk_fake.c. */
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
