// SPDX-License-Identifier: GPL-2.0
/*
 * vblk throttle through the live data path: a userspace guest driver
 * (lib/vblk_guest.c) drives /dev/vblk/NAME, limits are changed at run time
 * with dev-set (what "vblkctl set-throttle" sends) and the results are read
 * back from the completions, dev-get and the "monitor" multicast group.
 *
 * Rates are ratios of request counts to CLOCK_MONOTONIC time over windows
 * of at least five seconds; the only absolute time asserted is that a
 * burst (or a released stall) completes far faster than the limit would
 * allow. Needs root and the vblk module loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define IMG_SIZE	(64ULL << 20)
#define WINDOW_S	5.2	/* steady-state window, seconds */
#define TOL		0.03	/* allowed relative rate error */
#define MAX_DEPTH	32

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * dev-set NAME throttle { ... }: a zero argument is left out, so all zeros
 * sends the empty nest that lifts every limit ("set-throttle NAME off").
 */
static int set_limits(struct vnl *v, const char *name, uint64_t iops,
		      uint64_t iops_burst, uint64_t bps, uint64_t bps_burst)
{
	struct vnl_set s = {
		.name = name,
		.throttle = true,
		.thr = {
			[VBLK_A_THROTTLE_IOPS] = iops,
			[VBLK_A_THROTTLE_IOPS_BURST] = iops_burst,
			[VBLK_A_THROTTLE_BPS] = bps,
			[VBLK_A_THROTTLE_BPS_BURST] = bps_burst,
		},
	};

	for (int i = 0; i <= VBLK_A_THROTTLE_MAX; i++)
		s.thr_set[i] = s.thr[i] != 0;
	return vnl_dev_set(v, &s);
}

/* One device with its attached guest. */
struct tdev {
	char name[VBLK_NAME_MAX];
	char img[VT_IMG_MAX];
	struct vg g;
	bool attached;
	struct vnl v;		/* requests */
	struct vnl_dev before;	/* dev-get after setup */
	uint64_t sector;	/* next sector to use */
};

FIXTURE(thr) {
	struct tdev t;
};

FIXTURE_SETUP(thr)
{
	int id;

	VT_NEED_ROOT_AND_VBLK();
	id = vt_disk_create(self->t.name, self->t.img, "vthr", IMG_SIZE, false);
	ASSERT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
	ASSERT_EQ(0, vg_attach(&self->t.g, self->t.name, 32U << 20));
	self->t.attached = true;
	ASSERT_EQ(0, vg_init(&self->t.g, VG_F_EVENT_IDX, 64));
	self->t.g.timeout_ms = 30000;
	ASSERT_EQ(0, vnl_open(&self->t.v));
	ASSERT_EQ(0, vnl_dev_get(&self->t.v, self->t.name, &self->t.before));
	ASSERT_TRUE(self->t.before.has_stats);
}

FIXTURE_TEARDOWN(thr)
{
	if (self->t.attached)
		vg_detach(&self->t.g);
	vnl_close(&self->t.v);
	vt_disk_destroy(self->t.name, self->t.img);
}

static uint64_t stat_now(struct __test_metadata *_metadata,
			 struct tdev *t, int which)
{
	struct vnl_dev d;

	EXPECT_EQ(0, vnl_dev_get(&t->v, t->name, &d));
	return d.stats[which];
}

/* Growth of a counter since setup. */
static uint64_t stat_delta(struct __test_metadata *_metadata,
			   struct tdev *t, int which)
{
	return stat_now(_metadata, t, which) - t->before.stats[which];
}

static uint64_t next_sector(struct tdev *t, uint32_t len)
{
	uint64_t s = t->sector;

	t->sector += len / 512;
	if ((t->sector + len / 512) * 512 > IMG_SIZE)
		t->sector = 0;
	return s;
}

/* One request at queue depth 1; the status byte, or a negative errno. */
static int io1(struct tdev *t, uint32_t type, uint32_t len)
{
	return vg_blk_io(&t->g, type, next_sector(t, len),
			 t->g.scratch_gpa, len);
}

/*
 * Keep @depth requests in flight until the throttle has stalled once and
 * WINDOW_S more seconds have passed. The stall counter is polled every few
 * completions until it moves (and at completion @mark); from that
 * completion on the bucket is empty, so the rest is the steady state.
 */
struct pump {
	unsigned int depth;
	uint32_t type;
	uint32_t len;
	unsigned long mark;	/* also sample time and stalls here (0: no) */
	/* results */
	unsigned long n;	/* completed requests */
	unsigned long bad;	/* completions with a status other than S_OK */
	double t_end;		/* last completion */
	unsigned long k0;	/* completions when the stall was seen */
	double t_k0;
	double t_mark;		/* time of completion number @mark */
	uint64_t stalls_mark;	/* throttled-count growth at @mark */
};

static int pump_run(struct __test_metadata *_metadata,
		    struct tdev *t, struct pump *p)
{
	const int stall_attr = VBLK_A_STATS_THROTTLED_COUNT;
	struct vg_req r[MAX_DEPTH];
	bool busy[MAX_DEPTH] = { false };
	uint64_t stalls0 = stat_now(_metadata, t, stall_attr);
	double now, limit = now_s() + 40;
	unsigned int i, inflight = 0;
	bool stalled = false, stop = false;
	int ret;

	if (p->depth > MAX_DEPTH || p->len > VG_SCRATCH)
		return -EINVAL;
	memset(r, 0, sizeof(r));
	for (;;) {
		/* Refill the queue. */
		for (i = 0; !stop && i < p->depth; i++) {
			if (busy[i])
				continue;
			r[i] = (struct vg_req){
				.type = p->type,
				.sector = next_sector(t, p->len),
				.data_gpa = t->g.scratch_gpa,
				.data_len = p->len,
			};
			ret = vg_req_submit(&t->g, &r[i]);
			if (ret)
				return ret;
			busy[i] = true;
			inflight++;
		}
		if (vg_kick_needed(&t->g) && vg_kick(&t->g))
			return -EIO;
		if (!inflight)
			return 0;
		/* Wait for completions. */
		ret = vg_reap(&t->g);
		if (ret < 0)
			return ret;
		if (!ret && !vg_pending_used(&t->g)) {
			ret = vg_wait_irq(&t->g, 20000);
			if (ret < 0)
				return ret;
			if (!ret)
				return -ETIMEDOUT;
			continue;
		}
		for (i = 0; i < p->depth; i++) {
			if (!busy[i] || !r[i].done)
				continue;
			now = now_s();
			if (r[i].status != VIRTIO_BLK_S_OK)
				p->bad++;
			busy[i] = false;
			inflight--;
			p->n++;
			p->t_end = now;
			if (p->n == p->mark) {
				p->t_mark = now;
				p->stalls_mark = stat_now(_metadata, t, stall_attr);
				p->stalls_mark -= stalls0;
			}
			if (!stalled && (p->n % 4 == 0 || p->n == p->mark) &&
			    stat_now(_metadata, t, stall_attr) != stalls0) {
				stalled = true;
				p->k0 = p->n;
				p->t_k0 = now_s();
			}
			if (stalled && now - p->t_k0 >= WINDOW_S)
				stop = true;
			if (now > limit)
				return -ETIMEDOUT;
		}
	}
}

/*
 * Run @p after setting the limits and check the rate in requests per
 * second twice: in the steady state (bucket empty), and over the whole run
 * with the burst accounted for exactly (burst + rate x time since the set).
 */
static void check_rate(struct __test_metadata *_metadata,
		       struct tdev *t, struct pump *p,
		       double rate, double burst, double t_lo, double t_hi,
		       const char *what)
{
	double steady, lo, hi;

	ASSERT_EQ(0, pump_run(_metadata, t, p));
	EXPECT_EQ(0, p->bad);
	ASSERT_LT(0, p->k0) TH_LOG("%s: never stalled", what);
	steady = (p->n - p->k0) / (p->t_end - p->t_k0);
	/* Completions allowed by the bucket (in flight ones may lag). */
	lo = burst + rate * (p->t_end - t_hi) - p->depth;
	hi = burst + rate * (p->t_end - t_lo) + 1;
	TH_LOG("%s: steady %.2f/s over %.2f s (x%.4f)", what, steady,
	       p->t_end - p->t_k0, steady / rate);
	TH_LOG("%s: %lu done in %.2f s, bucket allows %.0f..%.0f", what, p->n,
	       p->t_end - t_lo, lo, hi);
	EXPECT_LE(WINDOW_S, p->t_end - p->t_k0);
	EXPECT_LE(rate * (1 - TOL), steady);
	EXPECT_GE(rate * (1 + TOL), steady);
	EXPECT_LE(lo * (1 - TOL), (double)p->n);
	EXPECT_GE(hi * (1 + TOL), (double)p->n);
	EXPECT_EQ(0, stat_delta(_metadata, t, VBLK_A_STATS_IO_ERRORS));
}

TEST_F_TIMEOUT(thr, iops_200_holds, 60)
{
	struct tdev *t = &self->t;
	struct pump p = { .depth = 1, .type = VIRTIO_BLK_T_IN, .len = 4096 };
	struct vnl_dev d;
	double t_lo, t_hi;

	t_lo = now_s();
	ASSERT_EQ(0, set_limits(&t->v, t->name, 200, 0, 0, 0));
	t_hi = now_s();
	ASSERT_EQ(0, vnl_dev_get(&t->v, t->name, &d));
	EXPECT_EQ(200, d.thr[VBLK_A_THROTTLE_IOPS]);
	EXPECT_EQ(200, d.thr[VBLK_A_THROTTLE_IOPS_BURST]);
	check_rate(_metadata, t, &p, 200, 200, t_lo, t_hi, "iops 200");
}

/* Eight requests in flight: the stalled head is rolled back and retried. */
TEST_F_TIMEOUT(thr, iops_200_holds_at_depth_8, 60)
{
	struct tdev *t = &self->t;
	struct pump p = { .depth = 8, .type = VIRTIO_BLK_T_IN, .len = 4096 };
	double t_lo, t_hi;

	t_lo = now_s();
	ASSERT_EQ(0, set_limits(&t->v, t->name, 200, 0, 0, 0));
	t_hi = now_s();
	check_rate(_metadata, t, &p, 200, 200, t_lo, t_hi, "iops 200 QD8");
}

/* 2 MiB/s of 64 KiB writes is 32 requests per second. */
TEST_F_TIMEOUT(thr, bps_2mib_holds, 60)
{
	struct tdev *t = &self->t;
	struct pump p = { .depth = 1, .type = VIRTIO_BLK_T_OUT, .len = 65536 };
	uint64_t bytes0 = t->before.stats[VBLK_A_STATS_BYTES_WRITTEN];
	double t_lo, t_hi;

	t_lo = now_s();
	ASSERT_EQ(0, set_limits(&t->v, t->name, 0, 0, 2 << 20, 0));
	t_hi = now_s();
	check_rate(_metadata, t, &p, 32, 32, t_lo, t_hi, "bps 2Mi");
	TH_LOG("bps 2Mi: steady %.0f B/s",
	       (p.n - p.k0) * 65536.0 / (p.t_end - p.t_k0));
	EXPECT_EQ(p.n * 65536ULL,
		  stat_now(_metadata, t, VBLK_A_STATS_BYTES_WRITTEN) -
		  bytes0);
}

/*
 * iops 50 iops-burst 500: the first 500 requests find tokens (no stall) and
 * complete far sooner than the 10 s that 500 requests take at the rate;
 * then the rate holds.
 */
TEST_F_TIMEOUT(thr, burst_then_rate, 60)
{
	struct tdev *t = &self->t;
	struct pump p = {
		.depth = 1, .type = VIRTIO_BLK_T_IN, .len = 4096, .mark = 500,
	};
	double t_lo, t_hi;

	t_lo = now_s();
	ASSERT_EQ(0, set_limits(&t->v, t->name, 50, 500, 0, 0));
	t_hi = now_s();
	check_rate(_metadata, t, &p, 50, 500, t_lo, t_hi, "iops 50 burst 500");
	TH_LOG("burst of 500 served in %.3f s (%.1f s at the rate), %llu stalls",
	       p.t_mark - t_lo, 500 / 50.0,
	       (unsigned long long)p.stalls_mark);
	EXPECT_EQ(0, p.stalls_mark);
	EXPECT_GT(500 / 50.0 / 4, p.t_mark - t_lo);
	EXPECT_LE(500, p.k0);
}

/* Reads completed per second at depth 1 over @n requests; < 0 on error. */
static double qd1_rate(struct tdev *t, unsigned int n)
{
	double t0 = now_s();
	unsigned int i;

	for (i = 0; i < n; i++)
		if (io1(t, VIRTIO_BLK_T_IN, 4096) != VIRTIO_BLK_S_OK)
			return -1;
	return n / (now_s() - t0);
}

/* Poll until currently-throttled reads @want (true) or @timeout_s passes. */
static bool gauge_becomes(struct __test_metadata *_metadata,
			  struct tdev *t, uint64_t want,
			  double timeout_s)
{
	double end = now_s() + timeout_s;

	do {
		if (stat_now(_metadata, t,
			     VBLK_A_STATS_CURRENTLY_THROTTLED) == want)
			return true;
		usleep(1000);
	} while (now_s() < end);
	return false;
}

/*
 * bps 4096 and a 64 KiB read leave the byte bucket 60 KiB in debt, so the
 * next 4 KiB read waits 16 s. Lifting the limits while it waits must
 * release it at once, and the queue runs unthrottled again.
 */
TEST_F_TIMEOUT(thr, off_releases_stalled_queue, 60)
{
	struct tdev *t = &self->t;
	struct vg_req r = {
		.type = VIRTIO_BLK_T_IN, .data_len = 4096,
	};
	double base, after, t_off, t_done;

	ASSERT_LT(0, qd1_rate(t, 100));	/* warm-up */
	base = qd1_rate(t, 300);
	ASSERT_LT(0, base);

	ASSERT_EQ(0, set_limits(&t->v, t->name, 0, 0, 4096, 0));
	ASSERT_EQ(VIRTIO_BLK_S_OK, io1(t, VIRTIO_BLK_T_IN, 65536));
	r.sector = next_sector(t, 4096);
	r.data_gpa = t->g.scratch_gpa;
	ASSERT_EQ(0, vg_req_submit(&t->g, &r));
	if (vg_kick_needed(&t->g))
		ASSERT_EQ(0, vg_kick(&t->g));
	ASSERT_TRUE(gauge_becomes(_metadata, t, 1, 5));
	EXPECT_EQ(1, stat_delta(_metadata, t,
				VBLK_A_STATS_THROTTLED_COUNT));
	/* Still waiting a second later: nothing in the used ring. */
	sleep(1);
	ASSERT_EQ(0, vg_pending_used(&t->g));
	EXPECT_EQ(1, stat_now(_metadata, t,
			      VBLK_A_STATS_CURRENTLY_THROTTLED));

	t_off = now_s();
	ASSERT_EQ(0, set_limits(&t->v, t->name, 0, 0, 0, 0));
	ASSERT_EQ(0, vg_req_wait(&t->g, &r));
	t_done = now_s();
	EXPECT_EQ(VIRTIO_BLK_S_OK, r.status);
	EXPECT_EQ(0, stat_now(_metadata, t,
			      VBLK_A_STATS_CURRENTLY_THROTTLED));
	after = qd1_rate(t, 300);
	TH_LOG("released %.1f ms after off (~14 s of stall left)",
	       (t_done - t_off) * 1e3);
	TH_LOG("unthrottled QD1: %.0f/s before, %.0f/s after", base, after);
	EXPECT_GT(2.0, t_done - t_off);
	EXPECT_LT(base * 0.5, after);
	EXPECT_EQ(1, stat_delta(_metadata, t,
				VBLK_A_STATS_THROTTLED_COUNT));
	EXPECT_EQ(0, stat_delta(_metadata, t, VBLK_A_STATS_IO_ERRORS));
}

/*
 * iops 2: at depth 1 requests 0 and 1 use the full bucket, every later one
 * stalls about half a second. Each stall counts once, the gauge reads 1
 * during it and 0 once the request has completed, and the monitor group
 * sees one start and one stop per stall, in order.
 */
TEST_F_TIMEOUT(thr, counters_and_events, 60)
{
	struct tdev *t = &self->t;
	const unsigned int nreq = 8, burst = 2;
	unsigned int i, seen_stalled = 0, starts = 0, stops = 0, changes = 0;
	struct vnl_event ev;
	struct vnl mon;
	bool in_stall = false, in_order = true;
	int ret;

	ASSERT_EQ(0, vnl_open(&mon));
	ASSERT_EQ(0, vnl_monitor_join(&mon));
	ASSERT_EQ(0, set_limits(&t->v, t->name, 2, 0, 0, 0));
	for (i = 0; i < nreq; i++) {
		struct vg_req r = {
			.type = i % 2 ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
			.sector = next_sector(t, 4096),
			.data_gpa = t->g.scratch_gpa, .data_len = 4096,
		};
		double end = now_s() + 5;

		ASSERT_EQ(0, vg_req_submit(&t->g, &r));
		if (vg_kick_needed(&t->g))
			ASSERT_EQ(0, vg_kick(&t->g));
		/* Look at the gauge until the request is back. */
		while (!vg_pending_used(&t->g) && now_s() < end) {
			if (stat_now(_metadata, t,
				     VBLK_A_STATS_CURRENTLY_THROTTLED) == 1) {
				seen_stalled++;
				break;
			}
			usleep(2000);
		}
		ASSERT_EQ(0, vg_req_wait(&t->g, &r));
		EXPECT_EQ(VIRTIO_BLK_S_OK, r.status);
		EXPECT_EQ(0, stat_now(_metadata, t,
				      VBLK_A_STATS_CURRENTLY_THROTTLED));
	}
	EXPECT_EQ(nreq - burst, stat_delta(_metadata, t,
					   VBLK_A_STATS_THROTTLED_COUNT));
	EXPECT_EQ(nreq - burst, seen_stalled);

	while ((ret = vnl_monitor_next(&mon, &ev, 500)) == 0) {
		EXPECT_STREQ(t->name, ev.dev_name);
		EXPECT_EQ(t->before.id, ev.dev_id);
		switch (ev.type) {
		case VBLK_EVENT_TYPE_CHANGE:
			changes++;
			break;
		case VBLK_EVENT_TYPE_THROTTLE_START:
			EXPECT_EQ(0, ev.queue);
			in_order &= !in_stall;
			in_stall = true;
			starts++;
			break;
		case VBLK_EVENT_TYPE_THROTTLE_STOP:
			EXPECT_EQ(0, ev.queue);
			in_order &= in_stall;
			in_stall = false;
			stops++;
			break;
		default:
			TH_LOG("unexpected event %u", ev.type);
			EXPECT_TRUE(false);
		}
	}
	EXPECT_EQ(-ETIMEDOUT, ret);
	TH_LOG("%u requests: %u stalls seen on the gauge, events: %u change, %u start, %u stop",
	       nreq, seen_stalled, changes, starts, stops);
	EXPECT_EQ(1, changes);
	EXPECT_EQ(nreq - burst, starts);
	EXPECT_EQ(nreq - burst, stops);
	EXPECT_TRUE(in_order);
	EXPECT_FALSE(in_stall);
	EXPECT_EQ(0, stat_delta(_metadata, t, VBLK_A_STATS_IO_ERRORS));
	vnl_close(&mon);
}

TEST_HARNESS_MAIN
