// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl: latency histograms (the "latency" nests of dev-get): counts,
 * means and percentiles estimated from the log2 buckets, text and JSON.
 *
 * Bucket 0 holds latencies below 1 us, bucket k (1 to 24) those from
 * 2^(k-1) us up to 2^k us, the last one those of 2^24 us and more. A
 * percentile is placed linearly inside the bucket it falls in, so it is
 * exact to within that bucket (a factor of two).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vblkctl.h"

#define NS_PER_US	1000.0

/* Lower and upper bound of bucket @k in nanoseconds. */
static void vc_bucket_bounds(unsigned int k, double *lo, double *hi)
{
	*lo = k ? (double)(1ULL << (k - 1)) * NS_PER_US : 0;
	*hi = (double)(1ULL << k) * NS_PER_US;
}

uint64_t vc_hist_count(const struct vnl_hist *h)
{
	uint64_t n = 0;

	for (unsigned int k = 0; k < h->nb; k++)
		n += h->b[k];
	return n;
}

double vc_hist_quantile(const struct vnl_hist *h, double q)
{
	uint64_t n = vc_hist_count(h), cum = 0;
	double rank, lo, hi;

	if (!n)
		return 0;
	rank = q * (double)n;
	if (rank < 1)
		rank = 1;
	for (unsigned int k = 0; k < h->nb; k++) {
		if (!h->b[k] || (double)(cum + h->b[k]) < rank) {
			cum += h->b[k];
			continue;
		}
		vc_bucket_bounds(k, &lo, &hi);
		return lo + (hi - lo) * (rank - (double)cum) / (double)h->b[k];
	}
	vc_bucket_bounds(h->nb ? h->nb - 1 : 0, &lo, &hi);
	return hi;
}

void vc_fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
}

static const struct {
	const char *key;
	double q;
} vc_pcts[] = {
	{ "p50", 0.50 }, { "p90", 0.90 }, { "p99", 0.99 }, { "p99.9", 0.999 },
};

/* A time in text ("12.3 us"), in JSON nanoseconds. */
static void vc_print_ns(const char *key, const char *fmt, double ns)
{
	char t[32];

	vc_fmt_ns(ns, t, sizeof(t));
	vc_print_str(VC_TEXT, NULL, fmt, t);
	vc_print_u64(VC_JSON, key, NULL, (uint64_t)(ns + 0.5));
}

/* Count, mean and percentiles of @h: one row, or a JSON object's fields. */
static void vc_hist_row(const struct vnl_hist *h)
{
	uint64_t n = vc_hist_count(h);

	vc_print_u64(VC_ANY, "count", "%10s", n);
	vc_print_ns("mean-ns", " %10s", n ? (double)h->sum_ns / (double)n : 0);
	for (size_t i = 0; i < sizeof(vc_pcts) / sizeof(vc_pcts[0]); i++) {
		char key[16];

		snprintf(key, sizeof(key), "%s-ns", vc_pcts[i].key);
		vc_print_ns(key, " %10s", vc_hist_quantile(h, vc_pcts[i].q));
	}
}

static const char *vc_kind_name(uint32_t kind)
{
	return kind == VBLK_LATENCY_KIND_THROTTLED ? "throttled" : "service";
}

static void vc_lat_header(const char *title)
{
	vc_print_text("%s\n  %-14s %10s %10s", title, "", "count", "mean");
	for (size_t i = 0; i < sizeof(vc_pcts) / sizeof(vc_pcts[0]); i++)
		vc_print_text(" %10s", vc_pcts[i].key);
	vc_print_text("\n");
}

void vc_render_latency(const struct vnl_dev *d)
{
	static const struct {
		uint32_t kind;
		const char *title;
	} kinds[] = {
		{ VBLK_LATENCY_KIND_SERVICE,
		  "latency (admission to completion):" },
		{ VBLK_LATENCY_KIND_THROTTLED,
		  "time throttled (requests that waited):" },
	};

	vc_arr_open(vnl_attr_name(VNL_ATTRS_DEV, VBLK_A_DEV_LATENCY));
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		vc_lat_header(kinds[k].title);
		for (unsigned int i = 0; i < d->nlat; i++) {
			const struct vnl_hist *h = &d->lat[i];
			const char *op = vnl_op_class_name(h->op);

			if (h->kind != kinds[k].kind)
				continue;
			vc_obj_open(NULL);
			vc_print_str(VC_ANY, "op", "  %-14s ", op ? op : "?");
			vc_print_str(VC_JSON, "kind", NULL, vc_kind_name(h->kind));
			vc_hist_row(h);
			vc_print_u64(VC_JSON, "sum-ns", NULL, h->sum_ns);
			vc_arr_open("buckets");
			for (unsigned int b = 0; b < h->nb; b++)
				vc_print_u64(VC_JSON, NULL, NULL, h->b[b]);
			vc_arr_close();
			vc_print_text("\n");
			vc_obj_close();
		}
	}
	vc_arr_close();
}

/* The latencies of the requests between two snapshots of one histogram. */
static void vc_hist_delta(const struct vnl_hist *prev, const struct vnl_hist *cur,
			  struct vnl_hist *out)
{
	*out = *cur;
	if (!prev)
		return;
	out->sum_ns = cur->sum_ns >= prev->sum_ns ? cur->sum_ns - prev->sum_ns : 0;
	for (unsigned int k = 0; k < out->nb && k < prev->nb; k++)
		out->b[k] = cur->b[k] >= prev->b[k] ? cur->b[k] - prev->b[k] : 0;
}

void vc_render_latency_interval_header(void)
{
	vc_print_text(" %9s %9s %9s %9s", "rd-p50", "rd-p99", "wr-p50", "wr-p99");
}

void vc_render_latency_interval(const struct vnl_dev *prev,
				const struct vnl_dev *cur)
{
	static const uint32_t ops[] = { VBLK_OP_CLASS_READ, VBLK_OP_CLASS_WRITE };
	struct vnl_hist h;
	char t[32];

	vc_obj_open("latency-interval");
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct vnl_hist *c = vnl_dev_hist(cur, ops[i],
							VBLK_LATENCY_KIND_SERVICE);

		if (!c) {
			vc_print_text(" %9s %9s", "-", "-");
			continue;
		}
		vc_hist_delta(vnl_dev_hist(prev, ops[i], VBLK_LATENCY_KIND_SERVICE),
			      c, &h);
		vc_obj_open(vnl_op_class_name(ops[i]));
		vc_print_u64(VC_JSON, "count", NULL, vc_hist_count(&h));
		for (size_t p = 0; p < sizeof(vc_pcts) / sizeof(vc_pcts[0]); p++) {
			double ns = vc_hist_quantile(&h, vc_pcts[p].q);
			char key[16];

			snprintf(key, sizeof(key), "%s-ns", vc_pcts[p].key);
			vc_print_u64(VC_JSON, key, NULL, (uint64_t)(ns + 0.5));
			if (vc_pcts[p].q != 0.50 && vc_pcts[p].q != 0.99)
				continue;
			vc_fmt_ns(ns, t, sizeof(t));
			vc_print_str(VC_TEXT, NULL, " %9s",
				     vc_hist_count(&h) ? t : "-");
		}
		vc_obj_close();
	}
	vc_obj_close();
}
