// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the limits beyond the seed's two buckets (suite
 * "vblk_limits"): per-direction buckets, the sync bucket derived from a
 * bytes limit, and limit groups (turns, exact resume, fairness), all with
 * an injected clock; and of what the device records (suite
 * "vblk_latency"): latency histograms and per-queue counters.
 *
 * Rates are kept low (waits of a quarter second and more) so that no real
 * timer fires while a case runs; the timers are cancelled at its end.
 */
#include <kunit/test.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"
#include "vblk_group.h"
#include "vblk_throttle.h"

#define LT_T0		(1000 * NSEC_PER_SEC)
#define LT_MEMBERS	3

/* One time line for the throttles and the group of a case. */
static u64 lt_now;

static u64 lt_clock(struct vblk_throttle *t)
{
	return lt_now;
}

static u64 lt_group_clock(struct vblk_group *g)
{
	return lt_now;
}

struct lt_member {
	struct vblk_throttle t;
	atomic_t resumes;
};

struct lt_ctx {
	struct vblk_group g;
	struct lt_member m[LT_MEMBERS];
	bool grouped;
};

static void lt_resume(struct vblk_throttle *t)
{
	atomic_inc(&container_of(t, struct lt_member, t)->resumes);
}

static void lt_teardown(void *arg)
{
	struct lt_ctx *c = arg;
	unsigned int i;

	for (i = 0; i < LT_MEMBERS; i++) {
		vblk_throttle_set_group(&c->m[i].t, NULL);
		vblk_throttle_cancel(&c->m[i].t);
	}
	if (c->grouped)
		vblk_group_destroy(&c->g);
}

/* Throttles (and a group of them when @grouped) on the injected clock. */
static struct lt_ctx *lt_new(struct kunit *test, bool grouped)
{
	struct lt_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	lt_now = LT_T0;
	for (i = 0; i < LT_MEMBERS; i++) {
		vblk_throttle_init(&c->m[i].t, lt_resume);
		c->m[i].t.clock = lt_clock;
		c->m[i].t.last_ns = lt_now;
	}
	if (grouped) {
		vblk_group_init(&c->g, "lt");
		c->g.clock = lt_group_clock;
		c->g.lim.last_ns = lt_now;
		c->grouped = true;
		for (i = 0; i < LT_MEMBERS; i++)
			vblk_throttle_set_group(&c->m[i].t, &c->g);
	}
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, lt_teardown, c));
	return c;
}

static const struct vblk_cost lt_read = { .ops = 1, .bytes = 4096,
					  .dir = VBLK_DIR_READ };
static const struct vblk_cost lt_write = { .ops = 1, .bytes = 4096,
					   .dir = VBLK_DIR_WRITE };
static const struct vblk_cost lt_flush = { .ops = 1, .syncs = 1,
					   .dir = VBLK_DIR_WRITE };

static bool lt_admit(struct lt_ctx *c, unsigned int m,
		     const struct vblk_cost *cost)
{
	return vblk_throttle_admit_cost(&c->m[m].t, cost);
}

/* How many of @n requests in a row are admitted. */
static unsigned int lt_burst(struct lt_ctx *c, unsigned int m,
			     const struct vblk_cost *cost, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!lt_admit(c, m, cost))
			break;
	}
	return i;
}

static void lt_set(struct kunit *test, struct vblk_throttle *t,
		   const struct vblk_throttle_cfg *cfg)
{
	KUNIT_ASSERT_EQ(test, 0, vblk_throttle_set(t, cfg, NULL));
}

/* Set @cfg on member 0; the limits as the throttle reports them back. */
static struct vblk_throttle_cfg lt_set0(struct kunit *test, struct lt_ctx *c,
					const struct vblk_throttle_cfg *cfg)
{
	struct vblk_throttle_cfg got;

	lt_set(test, &c->m[0].t, cfg);
	vblk_throttle_get(&c->m[0].t, &got);
	return got;
}

/* iops-read limits reads only; writes pass. */
static void vblk_limits_test_read_ops(struct kunit *test)
{
	const struct vblk_throttle_cfg cfg = { .iops_read = 4 };
	struct lt_ctx *c = lt_new(test, false);
	struct vblk_throttle *t = &c->m[0].t;
	struct vblk_throttle_cfg got = lt_set0(test, c, &cfg);

	KUNIT_EXPECT_EQ(test, 4, got.iops_read);
	KUNIT_EXPECT_EQ(test, 4, got.iops_read_burst);
	KUNIT_EXPECT_EQ(test, 0, got.iops);
	KUNIT_EXPECT_EQ(test, 4, lt_burst(c, 0, &lt_read, 100));
	KUNIT_EXPECT_TRUE(test, t->stalled);
	/* exact: a quarter second for the next token */
	KUNIT_EXPECT_EQ(test, NSEC_PER_SEC / 4, t->resume_at - lt_now);
	KUNIT_EXPECT_EQ(test, 100, lt_burst(c, 0, &lt_write, 100));
	lt_now += NSEC_PER_SEC / 4 - 1;
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 0, &lt_read));
	lt_now += 1;
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 0, &lt_read));
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 0, &lt_read));
}

/* A write must fit the total and the write buckets; reads only the total. */
static void vblk_limits_test_total_and_direction(struct kunit *test)
{
	const struct vblk_throttle_cfg cfg = {
		.iops = 10, .iops_write = 4, .bps_write = 3 * 4096,
		.bps_write_burst = 100 * 4096,
	};
	struct lt_ctx *c = lt_new(test, false);
	struct vblk_throttle *t = &c->m[0].t;

	lt_set(test, t, &cfg);
	/* bytes allow 100 writes, write ops 4 */
	KUNIT_EXPECT_EQ(test, 4, lt_burst(c, 0, &lt_write, 100));
	KUNIT_EXPECT_EQ(test, NSEC_PER_SEC / 4, t->resume_at - lt_now);
	/* the total has 6 left for reads */
	KUNIT_EXPECT_EQ(test, 6, lt_burst(c, 0, &lt_read, 100));
	KUNIT_EXPECT_EQ(test, NSEC_PER_SEC / 10, t->resume_at - lt_now);
	/* one second later: 10 total, 4 write tokens, 3 write pages */
	lt_now += NSEC_PER_SEC;
	KUNIT_EXPECT_EQ(test, 4, lt_burst(c, 0, &lt_write, 100));
	KUNIT_EXPECT_EQ(test, 6, lt_burst(c, 0, &lt_read, 100));
	/* with the write bytes emptied, a second brings 3 pages' worth */
	t->lim.b[VBLK_BKT_BYTES_WRITE].tokens = 0;
	lt_now += NSEC_PER_SEC;
	KUNIT_EXPECT_EQ(test, 3, lt_burst(c, 0, &lt_write, 100));
	KUNIT_EXPECT_EQ(test, DIV_ROUND_UP(NSEC_PER_SEC, 3), t->resume_at - lt_now);
}

/* bps-read and bps-write, each with its burst. */
static void vblk_limits_test_direction_bytes(struct kunit *test)
{
	const struct vblk_throttle_cfg cfg = {
		.bps_read = 8192, .bps_read_burst = 16384, .bps_write = 4096,
	};
	struct lt_ctx *c = lt_new(test, false);
	struct vblk_throttle *t = &c->m[0].t;
	struct vblk_throttle_cfg got = lt_set0(test, c, &cfg);

	KUNIT_EXPECT_EQ(test, 16384, got.bps_read_burst);
	KUNIT_EXPECT_EQ(test, 4096, got.bps_write_burst);
	KUNIT_EXPECT_EQ(test, 4, lt_burst(c, 0, &lt_read, 100));
	KUNIT_EXPECT_EQ(test, NSEC_PER_SEC / 2, t->resume_at - lt_now);
	KUNIT_EXPECT_EQ(test, 1, lt_burst(c, 0, &lt_write, 100));
	KUNIT_EXPECT_EQ(test, NSEC_PER_SEC, t->resume_at - lt_now);
}

/* The refusals of the per-direction limits name their attributes. */
static void vblk_limits_test_check_messages(struct kunit *test)
{
	static const struct {
		struct vblk_throttle_cfg cfg;
		const char *why;
	} bad[] = {
		{ { .iops_read = 10, .iops_read_burst = 5 },
		  "iops-read-burst: below iops-read" },
		{ { .iops_write_burst = 5 },
		  "iops-write-burst: given without iops-write" },
		{ { .bps_read = 10, .bps_read_burst = 9 },
		  "bps-read-burst: below bps-read" },
		{ { .bps_write_burst = 5 },
		  "bps-write-burst: given without bps-write" },
		/* the totals are checked first */
		{ { .iops_burst = 1, .bps_write_burst = 1 },
		  "iops-burst: given without iops" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *why = NULL;

		KUNIT_EXPECT_EQ(test, -EINVAL,
				vblk_throttle_check(&bad[i].cfg, &why));
		KUNIT_EXPECT_STREQ(test, bad[i].why, why);
	}
}

/*
 * Under a bytes-only limit flushes are not free: bps / 64 KiB of them a
 * second from their own bucket; reads and writes are not charged to it.
 */
static void vblk_limits_test_sync_bucket(struct kunit *test)
{
	const struct vblk_throttle_cfg cfg = { .bps = 1 << 20 };
	const struct vblk_throttle_cfg small = { .bps = 1000 };
	const struct vblk_throttle_cfg tight = {
		.bps = 1 << 30, .bps_write = 256 << 10,
	};
	struct lt_ctx *c = lt_new(test, false);
	struct vblk_throttle *t = &c->m[0].t;

	lt_set(test, t, &cfg);
	KUNIT_EXPECT_EQ(test, 16, t->lim.b[VBLK_BKT_SYNC].rate);
	KUNIT_EXPECT_EQ(test, 16, lt_burst(c, 0, &lt_flush, 100));
	KUNIT_EXPECT_EQ(test, NSEC_PER_SEC / 16, t->resume_at - lt_now);
	/* bytes left for data: a read passes */
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 0, &lt_read));
	lt_now += NSEC_PER_SEC / 16;
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 0, &lt_flush));
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 0, &lt_flush));

	/* a small limit still allows one a second */
	lt_set(test, t, &small);
	KUNIT_EXPECT_EQ(test, 1, t->lim.b[VBLK_BKT_SYNC].rate);
	KUNIT_EXPECT_EQ(test, 1, t->lim.b[VBLK_BKT_SYNC].burst);
	/* the tighter of bps and bps-write decides */
	lt_set(test, t, &tight);
	KUNIT_EXPECT_EQ(test, 4, t->lim.b[VBLK_BKT_SYNC].rate);
	/* no bytes limit: no sync bucket */
	lt_set(test, t, &(struct vblk_throttle_cfg){ .iops = 5 });
	KUNIT_EXPECT_EQ(test, 0, t->lim.b[VBLK_BKT_SYNC].rate);
	KUNIT_EXPECT_EQ(test, 5, lt_burst(c, 0, &lt_flush, 100));
}

/* ---- groups ---------------------------------------------------------- */

static void lt_group_limits(struct kunit *test, struct lt_ctx *c,
			    const struct vblk_throttle_cfg *cfg)
{
	KUNIT_ASSERT_EQ(test, 0, vblk_group_set_limits(&c->g, cfg, NULL));
}

/*
 * Two members share 4 iops: once the burst is gone they take turns, each
 * admitted exactly at its turn's time, never both, never out of turn.
 */
static void vblk_limits_test_group_turns(struct kunit *test)
{
	const struct vblk_throttle_cfg cfg = { .iops = 4 };
	struct lt_ctx *c = lt_new(test, true);
	unsigned int i, got[2] = {};
	struct vblk_group_info gi;

	lt_group_limits(test, c, &cfg);
	/* member 0 takes the whole burst, then queues */
	KUNIT_EXPECT_EQ(test, 4, lt_burst(c, 0, &lt_read, 100));
	KUNIT_EXPECT_TRUE(test, c->m[0].t.member.waiting);
	KUNIT_EXPECT_EQ(test, NSEC_PER_SEC / 4, c->g.resume_at - lt_now);
	/* member 1 finds member 0 ahead: it queues too, its own timer idle */
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 1, &lt_write));
	KUNIT_EXPECT_TRUE(test, c->m[1].t.member.waiting);
	KUNIT_EXPECT_FALSE(test, hrtimer_active(&c->m[1].t.timer));

	/* both retry at every token: they alternate, 0 first */
	for (i = 0; i < 8; i++) {
		unsigned int first = i % 2, other = !first;

		lt_now += NSEC_PER_SEC / 4;
		KUNIT_EXPECT_FALSE(test, lt_admit(c, other, &lt_read));
		KUNIT_EXPECT_TRUE_MSG(test, lt_admit(c, first, &lt_read),
				      "token %u", i);
		got[first]++;
		/* the one that just took is now behind the other */
		KUNIT_EXPECT_FALSE(test, lt_admit(c, first, &lt_read));
		KUNIT_EXPECT_EQ(test, NSEC_PER_SEC / 4, c->g.resume_at - lt_now);
	}
	KUNIT_EXPECT_EQ(test, 4, got[0]);
	KUNIT_EXPECT_EQ(test, 4, got[1]);
	vblk_group_get_info(&c->g, &gi);
	KUNIT_EXPECT_EQ(test, 3, gi.members);
	KUNIT_EXPECT_EQ(test, 2, gi.waiting);
	KUNIT_EXPECT_EQ(test, 12, gi.stats.ops);
	KUNIT_EXPECT_EQ(test, 12 * 4096, gi.stats.bytes);
}

/*
 * Exactness: however members retry, the group admits its burst plus its
 * rate times the elapsed time, to the token, and splits it evenly.
 */
static void vblk_limits_test_group_exact(struct kunit *test)
{
	const struct vblk_throttle_cfg cfg = { .iops = 200 };
	struct lt_ctx *c = lt_new(test, true);
	unsigned int i, m, got[3] = {};
	u64 end;

	lt_group_limits(test, c, &cfg);
	end = lt_now + 5 * NSEC_PER_SEC;
	/* three members retry every millisecond for 5 s, in rotating order */
	for (i = 0; lt_now < end; i++, lt_now += NSEC_PER_MSEC) {
		for (m = 0; m < LT_MEMBERS; m++) {
			unsigned int who = (m + i) % LT_MEMBERS;

			while (lt_admit(c, who, &lt_read))
				got[who]++;
		}
	}
	KUNIT_EXPECT_EQ(test, 200 + 200 * 5 - 1, got[0] + got[1] + got[2]);
	for (m = 0; m < LT_MEMBERS; m++)
		KUNIT_EXPECT_LE_MSG(test, abs((int)got[m] - (int)(1199 / 3)), 200,
				    "member %u got %u", m, got[m]);
	/* after the burst, strictly in turn: the counts differ by at most 1 */
	KUNIT_EXPECT_LE(test, abs((int)got[1] - (int)got[2]), 1);
}

/*
 * A huge write zeroes is charged at most VBLK_THROTTLE_ZERO_BYTES
 * (vblk_blk_cost()): another member of the group waits no longer than
 * those bytes take at the group's rate, not for the request's whole
 * range (2 GiB here: more than a day and a half).
 */
static void vblk_limits_test_group_zeroes(struct kunit *test)
{
	const struct vblk_throttle_cfg cfg = { .bps = 16 << 10 };
	const struct vblk_req wz = {
		.op = VBLK_OP_WRITE_ZEROES, .len = 2ULL << 30,
	};
	struct lt_ctx *c = lt_new(test, true);
	struct vblk_cost cost;
	u64 wait;

	lt_group_limits(test, c, &cfg);
	KUNIT_ASSERT_TRUE(test, vblk_blk_cost(&wz, false, &cost));
	KUNIT_EXPECT_EQ(test, VBLK_THROTTLE_ZERO_BYTES, cost.bytes);
	/* the group's bucket is full: member 0's request goes in at once */
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 0, &cost));
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 1, &lt_read));
	wait = c->g.resume_at - lt_now;
	/* the rule's bound: the capped charge and the read's own bytes */
	KUNIT_EXPECT_LE(test, wait,
			div_u64((VBLK_THROTTLE_ZERO_BYTES + 4096) * NSEC_PER_SEC,
				cfg.bps));
	/* exactly the debt (the charge beyond the burst) and the read */
	KUNIT_EXPECT_EQ(test, wait,
			div_u64((VBLK_THROTTLE_ZERO_BYTES - cfg.bps + 4096) *
				NSEC_PER_SEC, cfg.bps));
	lt_now += wait - 1;
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 1, &lt_read));
	lt_now++;
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 1, &lt_read));
}

/* Refused by its own limit, a member gives up its place in the group. */
static void vblk_limits_test_group_own_limit(struct kunit *test)
{
	const struct vblk_throttle_cfg gcfg = { .iops = 2 };
	const struct vblk_throttle_cfg own = { .iops = 1 };
	struct lt_ctx *c = lt_new(test, true);

	lt_group_limits(test, c, &gcfg);
	lt_set(test, &c->m[0].t, &own);
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 0, &lt_read));
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 1, &lt_read));
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 1, &lt_read));
	KUNIT_EXPECT_TRUE(test, c->m[1].t.member.waiting);
	/* member 0 is short of its own token: it does not queue in the group */
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 0, &lt_read));
	KUNIT_EXPECT_FALSE(test, c->m[0].t.member.waiting);
	KUNIT_EXPECT_TRUE(test, hrtimer_active(&c->m[0].t.timer));
	/* so member 1 gets the group's next token */
	lt_now += NSEC_PER_SEC / 2;
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 1, &lt_read));
}

/*
 * Turns pass on: a first waiter that leaves (reset, group change) hands
 * its turn over; lifted limits resume the first waiter at once.
 */
static void vblk_limits_test_group_handover(struct kunit *test)
{
	const struct vblk_throttle_cfg cfg = { .iops = 1 };
	struct lt_ctx *c = lt_new(test, true);

	lt_group_limits(test, c, &cfg);
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 0, &lt_read));
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 0, &lt_read));
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 1, &lt_read));
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 2, &lt_read));
	/* the token is there; member 0 stops waiting: member 1's turn */
	lt_now += NSEC_PER_SEC;
	vblk_throttle_cancel(&c->m[0].t);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&c->m[1].resumes));
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 2, &lt_read));
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 1, &lt_read));
	/* the admission ends member 1's stall: its other queues retry */
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&c->m[1].resumes));
	/* member 2 is first now; leaving the group passes nothing on */
	vblk_throttle_set_group(&c->m[2].t, NULL);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&c->m[2].resumes));
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 2, &lt_read));
	/* member 1 waits again; lifting the limit resumes it at once */
	KUNIT_EXPECT_FALSE(test, lt_admit(c, 1, &lt_read));
	lt_group_limits(test, c, &(struct vblk_throttle_cfg){});
	KUNIT_EXPECT_EQ(test, 3, atomic_read(&c->m[1].resumes));
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 1, &lt_read));
	KUNIT_EXPECT_TRUE(test, lt_admit(c, 0, &lt_read));
}

static struct kunit_case vblk_limits_cases[] = {
	KUNIT_CASE(vblk_limits_test_read_ops),
	KUNIT_CASE(vblk_limits_test_total_and_direction),
	KUNIT_CASE(vblk_limits_test_direction_bytes),
	KUNIT_CASE(vblk_limits_test_check_messages),
	KUNIT_CASE(vblk_limits_test_sync_bucket),
	KUNIT_CASE(vblk_limits_test_group_turns),
	KUNIT_CASE(vblk_limits_test_group_exact),
	KUNIT_CASE(vblk_limits_test_group_zeroes),
	KUNIT_CASE(vblk_limits_test_group_own_limit),
	KUNIT_CASE(vblk_limits_test_group_handover),
	{}
};

static struct kunit_suite vblk_limits_suite = {
	.name = "vblk_limits",
	.test_cases = vblk_limits_cases,
};

kunit_test_suite(vblk_limits_suite);
