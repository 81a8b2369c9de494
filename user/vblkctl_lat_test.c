// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for vblkctl's latency histograms and limit groups:
 * percentiles from the log2 buckets, the stats and stats -w views, and a
 * group's views (run under ASan and UBSan by `make -C user test`). Prints
 * TAP.
 */
#include <math.h>
#include <string.h>

#include "unit.h"
#include "vblkctl.h"

/* Within a hundredth of a nanosecond. */
static bool near(double a, double b)
{
	return fabs(a - b) < 0.01;
}

static void hist_set(struct vnl_hist *h, uint32_t op, uint32_t kind)
{
	memset(h, 0, sizeof(*h));
	h->op = op;
	h->kind = kind;
	h->nb = VBLK_LATENCY_BUCKETS;
}

static void quantiles(void)
{
	struct vnl_hist h;
	double p;

	hist_set(&h, VBLK_OP_CLASS_READ, VBLK_LATENCY_KIND_SERVICE);
	ok(vc_hist_count(&h) == 0 && vc_hist_quantile(&h, 0.5) == 0,
	   "empty histogram: no requests, p50 0");

	/* 100 requests in [16, 32) us: spread evenly over the bucket. */
	h.b[5] = 100;
	p = vc_hist_quantile(&h, 0.5);
	ok(near(p, 24000), "one bucket: p50 24 us (got %.2f ns)", p);
	p = vc_hist_quantile(&h, 0.99);
	ok(near(p, 31840), "one bucket: p99 31.84 us (got %.2f ns)", p);

	/* 90 in [1, 2) us and 10 in [1024, 2048) us. */
	h.b[5] = 0;
	h.b[1] = 90;
	h.b[11] = 10;
	p = vc_hist_quantile(&h, 0.5);
	ok(near(p, 1000 + 1000 * 50.0 / 90), "two buckets: p50 in the first (%.2f)", p);
	p = vc_hist_quantile(&h, 0.9);
	ok(near(p, 2000), "two buckets: p90 at the first's end (%.2f)", p);
	p = vc_hist_quantile(&h, 0.99);
	ok(near(p, 1024000 + 1024000 * 9.0 / 10), "two buckets: p99 in the second (%.2f)", p);
	p = vc_hist_quantile(&h, 0.999);
	ok(near(p, 1024000 + 1024000 * 9.9 / 10), "two buckets: p99.9 (%.2f)", p);

	/* below 1 us, and beyond 2^24 us */
	hist_set(&h, VBLK_OP_CLASS_READ, VBLK_LATENCY_KIND_SERVICE);
	h.b[0] = 10;
	p = vc_hist_quantile(&h, 0.5);
	ok(near(p, 500), "bucket 0: p50 500 ns (%.2f)", p);
	h.b[0] = 0;
	h.b[VBLK_LATENCY_BUCKETS - 1] = 1;
	p = vc_hist_quantile(&h, 0.5);
	ok(p >= (double)(1ULL << 24) * 1000, "last bucket: at least 16.8 s (%.0f)", p);
}

static void fmt_ns(void)
{
	static const struct {
		double ns;
		const char *text;
	} c[] = {
		{ 850, "850 ns" }, { 12345, "12.3 us" }, { 1.5e6, "1.50 ms" },
		{ 2.1e9, "2.10 s" },
	};
	char b[32];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		vc_fmt_ns(c[i].ns, b, sizeof(b));
		ok(!strcmp(b, c[i].text), "%s: \"%s\"", c[i].text, b);
	}
}

static void render(FILE *f, const void *arg)
{
	vc_out_begin(f);
	vc_render_counters(arg);
	vc_out_end();
}

static void render_interval(FILE *f, const void *arg)
{
	const struct vnl_dev *d = arg;

	vc_out_begin(f);
	vc_render_rates(&d[0], &d[1], 1.0);
	vc_out_end();
}

static void views(void)
{
	static struct vnl_dev d[2];
	char *out;

	strcpy(d[0].name, "disk");
	d[0].id = 3;
	d[0].nlat = 2;
	hist_set(&d[0].lat[0], VBLK_OP_CLASS_WRITE, VBLK_LATENCY_KIND_SERVICE);
	d[0].lat[0].b[5] = 100;
	d[0].lat[0].sum_ns = 100 * 24000;
	hist_set(&d[0].lat[1], VBLK_OP_CLASS_WRITE, VBLK_LATENCY_KIND_THROTTLED);
	d[0].lat[1].b[11] = 4;
	d[0].lat[1].sum_ns = 4 * 1500000;

	memset(&vc_opt, 0, sizeof(vc_opt));
	out = capture(render, &d[0]);
	ok(strstr(out, "latency (admission to completion):\n") &&
	   strstr(out, "  write                 100    24.0 us    24.0 us    30.4 us"
		       "    31.8 us    32.0 us\n") &&
	   strstr(out, "time throttled (requests that waited):\n") &&
	   strstr(out, "  write                   4    1.50 ms    1.54 ms"),
	   "stats: count, mean and percentiles per kind:\n%s", out);
	free(out);

	vc_opt.json = true;
	out = capture(render, &d[0]);
	ok(strstr(out, "\"latency\":[{\"op\":\"write\",\"kind\":\"service\","
		       "\"count\":100,\"mean-ns\":24000,\"p50-ns\":24000,") &&
	   strstr(out, "\"sum-ns\":2400000,\"buckets\":[0,0,0,0,0,100,0,") &&
	   strstr(out, "{\"op\":\"write\",\"kind\":\"throttled\",\"count\":4,"),
	   "stats -j: percentiles in ns and the buckets: %s", out);
	free(out);

	/* an interval: 10 more writes, all in [1, 2) ms */
	d[1] = d[0];
	d[1].lat[0].b[11] += 10;
	vc_opt.json = false;
	out = capture(render_interval, d);
	ok(strstr(out, "        no         -         -   1.54 ms   2.04 ms\n") != NULL,
	   "stats -w: the interval's write p50 and p99, no reads: %s", out);
	free(out);
	vc_opt.json = true;
	out = capture(render_interval, d);
	ok(strstr(out, "\"latency-interval\":{\"write\":{\"count\":10,\"p50-ns\":1536000,") != NULL,
	   "stats -w -j: the interval's percentiles: %s", out);
	free(out);
}

int main(void)
{
	printf("TAP version 13\n");
	quantiles();
	fmt_ns();
	views();
	return unit_done();
}
