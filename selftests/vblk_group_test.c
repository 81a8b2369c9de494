// SPDX-License-Identifier: GPL-2.0
/*
 * Limit groups through netlink and the live data path: membership, what
 * group-get shows, the refusals (a group in use cannot be deleted), and
 * exactness: two disks saturating a 200 IOPS group together get 200
 * requests a second between them (within 3% over 5 s) and 100 each
 * (within 10%).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define GT_SIZE		(16ULL << 20)
#define GT_DEPTH	4
#define GT_SKIP_S	1.5	/* the burst is long gone by then */
#define GT_WINDOW_S	5.0
#define GT_MAX		4096	/* completions recorded per disk */

#define GT_REFUSED(v, ret, err, text) do {				\
	EXPECT_EQ(-(err), (ret));					\
	EXPECT_TRUE(strstr((v)->msg, (text)) != NULL)			\
		TH_LOG("extack \"%s\"", (v)->msg);			\
} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct gt_disk {
	char name[VBLK_NAME_MAX];
	char img[VT_IMG_MAX];
	struct vg g;
	bool attached;
	/* the pump */
	double until;
	unsigned int n;
	double done[GT_MAX];
	unsigned long bad;
	int err;
};

FIXTURE(gt) {
	struct gt_disk d[2];
	char group[VBLK_NAME_MAX];
	struct vnl v;
};

FIXTURE_SETUP(gt)
{
	int i, id;

	VT_NEED_ROOT_AND_VBLK();
	ASSERT_EQ(0, vnl_open(&self->v));
	snprintf(self->group, sizeof(self->group), "vgt-%d", getpid());
	for (i = 0; i < 2; i++) {
		struct gt_disk *d = &self->d[i];

		id = vt_disk_create(d->name, d->img, i ? "vgtb" : "vgta",
				    GT_SIZE, false);
		ASSERT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
		ASSERT_EQ(0, vg_attach(&d->g, d->name, 8U << 20));
		d->attached = true;
		ASSERT_EQ(0, vg_init(&d->g, VG_F_EVENT_IDX, 64));
		d->g.timeout_ms = 30000;
	}
}

FIXTURE_TEARDOWN(gt)
{
	for (int i = 0; i < 2; i++) {
		if (self->d[i].attached)
			vg_detach(&self->d[i].g);
		vt_disk_destroy(self->d[i].name, self->d[i].img);
	}
	vnl_group_del(&self->v, self->group);
	vnl_close(&self->v);
}

/* dev-set DISK group NAME ("" for none). */
static int join(FIXTURE_DATA(gt) *self, int i, const char *group)
{
	struct vnl_set s = { .name = self->d[i].name, .group = group };

	return vnl_dev_set(&self->v, &s);
}

static int group_add(FIXTURE_DATA(gt) *self, const char *name, uint64_t iops,
		     uint64_t iops_burst)
{
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1] = {
		[VBLK_A_THROTTLE_IOPS] = iops,
		[VBLK_A_THROTTLE_IOPS_BURST] = iops_burst,
	};
	bool set[VBLK_A_THROTTLE_MAX + 1] = {
		[VBLK_A_THROTTLE_IOPS] = true,
		[VBLK_A_THROTTLE_IOPS_BURST] = iops_burst != 0,
	};

	return vnl_group_add(&self->v, name, thr, set, NULL);
}

TEST_F(gt, membership)
{
	struct vnl_group grp;
	struct vnl_dev d;

	ASSERT_EQ(0, group_add(self, self->group, 1000, 0));
	ASSERT_EQ(0, join(self, 0, self->group));
	ASSERT_EQ(0, join(self, 1, self->group));
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->d[0].name, &d));
	EXPECT_STREQ(self->group, d.group);
	ASSERT_EQ(0, vnl_group_get(&self->v, self->group, &grp));
	EXPECT_EQ(2, grp.members);
	EXPECT_EQ(2, grp.nmember);
	EXPECT_STREQ(self->d[0].name, grp.member[0]);
	EXPECT_STREQ(self->d[1].name, grp.member[1]);
	EXPECT_EQ(1000, grp.throttle.iops);
	EXPECT_EQ(1000, grp.throttle.iops_burst);

	/* requests through either disk count for the group */
	ASSERT_EQ(VIRTIO_BLK_S_OK, vg_blk_io(&self->d[0].g, VIRTIO_BLK_T_IN, 0,
					     self->d[0].g.scratch_gpa, 4096));
	ASSERT_EQ(VIRTIO_BLK_S_OK, vg_blk_io(&self->d[1].g, VIRTIO_BLK_T_OUT, 8,
					     self->d[1].g.scratch_gpa, 4096));
	ASSERT_EQ(0, vnl_group_get(&self->v, self->group, &grp));
	EXPECT_EQ(2, grp.ops);
	EXPECT_EQ(8192, grp.bytes);

	/* in use: refused; live-tunable */
	GT_REFUSED(&self->v, vnl_group_del(&self->v, self->group), EBUSY,
		   "name: in use by devices");
	EXPECT_EQ(0, vnl_group_set(&self->v, self->group,
				   (uint64_t[VBLK_A_THROTTLE_MAX + 1]){
					   [VBLK_A_THROTTLE_IOPS] = 50 },
				   (bool[VBLK_A_THROTTLE_MAX + 1]){
					   [VBLK_A_THROTTLE_IOPS] = true }));
	ASSERT_EQ(0, vnl_group_get(&self->v, self->group, &grp));
	EXPECT_EQ(50, grp.throttle.iops);

	/* refusals */
	GT_REFUSED(&self->v, group_add(self, self->group, 10, 0), EEXIST,
		   "name: a group with this name exists");
	GT_REFUSED(&self->v, group_add(self, "none", 10, 0), EINVAL,
		   "name: \"none\" is reserved");
	GT_REFUSED(&self->v, group_add(self, "vgt-bad", 10, 5), EINVAL,
		   "iops-burst: below iops");
	GT_REFUSED(&self->v, join(self, 0, "vgt-nope"), ENOENT,
		   "group: no such group");
	GT_REFUSED(&self->v, vnl_group_get(&self->v, "vgt-nope", &grp), ENOENT,
		   "name: no such group");

	/* out of the group, then it can go */
	ASSERT_EQ(0, join(self, 0, ""));
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->d[0].name, &d));
	EXPECT_STREQ("", d.group);
	/* deleting a member device leaves the group */
	vg_detach(&self->d[1].g);
	self->d[1].attached = false;
	ASSERT_EQ(0, vt_dev_del(self->d[1].name, false));
	ASSERT_EQ(0, vnl_group_get(&self->v, self->group, &grp));
	EXPECT_EQ(0, grp.members);
	EXPECT_EQ(0, vnl_group_del(&self->v, self->group));
	EXPECT_EQ(-ENOENT, vnl_group_get(&self->v, self->group, &grp));
}

/* Keep GT_DEPTH reads in flight until @until; note every completion. */
static void *pump(void *arg)
{
	struct gt_disk *d = arg;
	bool inflight[GT_DEPTH] = { false };
	struct vg_req r[GT_DEPTH];
	unsigned int i, busy = 0;
	uint64_t sector = 0;

	for (;;) {
		bool more = now_s() < d->until;

		for (i = 0; more && i < GT_DEPTH; i++) {
			if (inflight[i])
				continue;
			r[i] = (struct vg_req){
				.type = VIRTIO_BLK_T_IN, .sector = sector,
				.data_gpa = d->g.scratch_gpa + i * 4096,
				.data_len = 4096,
			};
			sector = (sector + 8) % (GT_SIZE / 512);
			d->err = vg_req_submit(&d->g, &r[i]);
			if (d->err)
				return NULL;
			inflight[i] = true;
			busy++;
		}
		if (!busy)
			return NULL;
		if (vg_kick_needed(&d->g) && (d->err = vg_kick(&d->g)))
			return NULL;
		if (vg_reap(&d->g) <= 0 && !vg_pending_used(&d->g) &&
		    vg_wait_irq(&d->g, 20000) <= 0) {
			d->err = -ETIMEDOUT;
			return NULL;
		}
		for (i = 0; i < GT_DEPTH; i++) {
			if (!inflight[i] || !r[i].done)
				continue;
			if (r[i].status != VIRTIO_BLK_S_OK)
				d->bad++;
			if (d->n < GT_MAX)
				d->done[d->n++] = now_s();
			inflight[i] = false;
			busy--;
		}
	}
}

static unsigned int in_window(const struct gt_disk *d, double from, double to)
{
	unsigned int i, n = 0;

	for (i = 0; i < d->n; i++)
		n += d->done[i] >= from && d->done[i] < to;
	return n;
}

TEST_F_TIMEOUT(gt, two_disks_share_200_iops, 60)
{
	double t0, from, to, sum, each[2];
	struct vnl_group grp;
	pthread_t t[2];
	int i;

	ASSERT_EQ(0, group_add(self, self->group, 200, 0));
	ASSERT_EQ(0, join(self, 0, self->group));
	ASSERT_EQ(0, join(self, 1, self->group));
	t0 = now_s();
	for (i = 0; i < 2; i++) {
		self->d[i].until = t0 + GT_SKIP_S + GT_WINDOW_S + 0.2;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, pump, &self->d[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	from = t0 + GT_SKIP_S;
	to = from + GT_WINDOW_S;
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, self->d[i].err);
		EXPECT_EQ(0, self->d[i].bad);
		each[i] = in_window(&self->d[i], from, to) / GT_WINDOW_S;
	}
	sum = each[0] + each[1];
	TH_LOG("over %.1f s: %.1f/s in total, %.1f/s and %.1f/s (%u and %u "
	       "completions in all)", GT_WINDOW_S, sum, each[0], each[1],
	       self->d[0].n, self->d[1].n);
	EXPECT_LE(200 * 0.97, sum);
	EXPECT_GE(200 * 1.03, sum);
	for (i = 0; i < 2; i++) {
		EXPECT_LE(100 * 0.90, each[i]);
		EXPECT_GE(100 * 1.10, each[i]);
	}
	ASSERT_EQ(0, vnl_group_get(&self->v, self->group, &grp));
	EXPECT_EQ(self->d[0].n + self->d[1].n, grp.ops);
	EXPECT_LT(0, grp.waits);
	EXPECT_EQ(0, grp.waiting);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, join(self, i, ""));
}

TEST_HARNESS_MAIN
