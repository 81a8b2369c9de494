// SPDX-License-Identifier: GPL-2.0
/*
 * The throttle section of the benchmark: delivered against configured rate
 * of the vblk throttle, measured through the real data path at queue depth
 * 1 (the selftests' userspace guest driver plays VMM and guest). Run in the
 * test host by scripts/bench/in-host.sh (make bench); needs root, vblk.ko
 * and $VBLK_ROOT/user/vblkctl.
 *
 * Each scenario sets the limits (the buckets start full), reads untimed
 * until requests stall (the bucket is then about empty), then times N
 * requests: with an exact resume they take N / rate seconds. The
 * "cool-down" column is what a limiter that blocks the queue for a fixed
 * 100 ms whenever its bucket runs dry could deliver at worst with the same
 * bucket: size / (refill time + 100 ms). "stalls" counts throttle stalls in
 * the timed part.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vblk_guest.h"
#include "vblk_test_util.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NAME		"thrbench"
#define IMG		"/tmp/thrbench.img"
#define IMG_SIZE	(256ULL << 20)

struct scenario {
	const char *limits;	/* vblkctl dev set arguments */
	unsigned long long iops, iops_burst, bps, bps_burst;
	unsigned int len;	/* read size in bytes */
	double secs;		/* timed part, at the configured rate */
};

static const struct scenario scenarios[] = {
	{ "iops 50", 50, 50, 0, 0, 4096, 3 },
	{ "iops 200", 200, 200, 0, 0, 4096, 3 },
	{ "iops 200 iops-burst 1000", 200, 1000, 0, 0, 4096, 3 },
	{ "bps 1Mi", 0, 0, 1 << 20, 1 << 20, 65536, 3 },
	{ "bps 4Mi", 0, 0, 4 << 20, 4 << 20, 1 << 20, 3 },
	{ "iops 1000 bps 1Mi", 1000, 1000, 1 << 20, 1 << 20, 4096, 3 },
};

/* Run "vblkctl dev set NAME ARGS"; 0 on success. */
static int set_throttle(const char *args)
{
	const char *root = getenv("VBLK_ROOT");
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s/user/vblkctl dev set %s %s",
		 root ? root : ".", NAME, args);
	return system(cmd);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_n(struct vg *g, unsigned long long n, unsigned int len,
		  unsigned long long *sector)
{
	unsigned long long i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = vg_blk_io(g, VIRTIO_BLK_T_IN, *sector, g->scratch_gpa,
				len);
		if (ret != VIRTIO_BLK_S_OK) {
			fprintf(stderr, "read failed: %d\n", ret);
			return -1;
		}
		*sector += len / 512;
		if ((*sector + len / 512) * 512 > IMG_SIZE)
			*sector = 0;
	}
	return 0;
}

static double now_s(void);

/*
 * Read until requests stall on the throttle: from then on, at queue depth 1
 * with a loop faster than the limit, the bucket stays nearly empty (the
 * counter is polled every 8 requests, to keep the netlink cost out of the
 * loop).
 */
static int drain(struct vg *g, unsigned int len, unsigned long long *sector)
{
	unsigned long long before;
	struct vnl_dev info;
	double end = now_s() + 60;

	if (vt_dev_get(NAME, &info))
		return -1;
	before = info.st.throttled_count;
	while (now_s() < end) {
		if (read_n(g, 8, len, sector) || vt_dev_get(NAME, &info))
			return -1;
		if (info.st.throttled_count != before)
			return 0;
	}
	fprintf(stderr, "no stall within 60 s\n");
	return -1;
}

/* Requests per second the limits allow for reads of @len bytes. */
static double allowed_rate(const struct scenario *s, double *bucket)
{
	double rate = 0, r;

	*bucket = 0;
	if (s->iops) {
		rate = s->iops;
		*bucket = s->iops_burst;
	}
	if (s->bps) {
		r = (double)s->bps / s->len;
		if (!rate || r < rate) {
			rate = r;
			*bucket = (double)s->bps_burst / s->len;
		}
	}
	return rate;
}

int main(void)
{
	unsigned long long sector = 0, n, stalls0;
	double t0, base, rate, bucket, got, cool;
	struct vnl_dev info;
	struct vg g;
	size_t i;
	int ret;

	ret = vt_make_image(IMG, IMG_SIZE);
	if (ret) {
		fprintf(stderr, "%s: %s\n", IMG, strerror(-ret));
		return 1;
	}
	ret = vt_dev_add(NAME, IMG, true, 0, 0);
	if (ret < 0) {
		fprintf(stderr, "dev add: %s\n", strerror(-ret));
		return 1;
	}
	memset(&g, 0, sizeof(g));
	if (vg_attach(&g, NAME, 8 << 20) || vg_init(&g, VG_F_EVENT_IDX, 64)) {
		fprintf(stderr, "attach/init failed\n");
		vt_dev_del(NAME, true);
		return 1;
	}
	g.timeout_ms = 30000;

	/* Unthrottled queue-depth-1 rate, for scale (after a warm-up). */
	if (read_n(&g, 100, 4096, &sector))
		goto fail;
	t0 = now_s();
	if (read_n(&g, 500, 4096, &sector))
		goto fail;
	base = 500 / (now_s() - t0);
	printf("unthrottled 4 KiB reads at QD1: %.0f req/s\n\n", base);
	printf("%-28s %10s %10s %7s %8s %10s\n", "limits", "configured",
	       "delivered", "ratio", "stalls", "cool-down");

	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct scenario *s = &scenarios[i];

		if (set_throttle("throttle off") || set_throttle(s->limits)) {
			fprintf(stderr, "dev set %s failed\n", s->limits);
			goto fail;
		}
		rate = allowed_rate(s, &bucket);
		/* Empty the bucket (it starts full), untimed. */
		if (drain(&g, s->len, &sector))
			goto fail;
		if (vt_dev_get(NAME, &info))
			goto fail;
		stalls0 = info.st.throttled_count;
		n = (unsigned long long)(rate * s->secs);
		t0 = now_s();
		if (read_n(&g, n, s->len, &sector))
			goto fail;
		got = n / (now_s() - t0);
		if (vt_dev_get(NAME, &info))
			goto fail;
		/* size / (refill time + 100 ms), refill time = size / rate */
		cool = bucket / (bucket / rate + 0.1);
		printf("%-28s %10.1f %10.1f %7.3f %8llu %10.1f%s\n", s->limits,
		       rate, got, got / rate, info.st.throttled_count - stalls0,
		       cool, rate > base / 2 ? "  (near unthrottled)" : "");
	}
	set_throttle("throttle off");
	vg_detach(&g);
	vt_dev_del(NAME, true);
	unlink(IMG);
	return 0;
fail:
	vg_detach(&g);
	vt_dev_del(NAME, true);
	unlink(IMG);
	return 1;
}
