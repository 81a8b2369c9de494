/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblkctl's one renderer. Every field is printed by one call that carries
 * both of its forms, as iproute2's print helpers do: a JSON key (with the
 * value as a raw JSON number, string or boolean) and a text format (with
 * the value as text, passed to the format as its only %s). The output
 * mode decides which form is written; VC_TEXT and VC_JSON restrict a call
 * to one of them (a text-only label, a JSON-only field).
 */
#ifndef VBLKCTL_PRINT_H
#define VBLKCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "vnl.h"

/* The global options that shape output (set by main). */
struct vc_opts {
	bool json;		/* -j */
	bool pretty;		/* -p */
	bool stats;		/* -s */
	bool timestamp;		/* -t */
	bool raw;		/* -r: exact numbers in text */
};
extern struct vc_opts vc_opt;

enum vc_kind {
	VC_ANY,		/* both forms */
	VC_TEXT,	/* text only */
	VC_JSON,	/* JSON only */
};

/* One output document on @f (a JSON value and its newline). */
void vc_out_begin(FILE *f);
void vc_out_end(void);

/* JSON containers (nothing in text); @key NULL in arrays and at the top. */
void vc_obj_open(const char *key);
void vc_obj_close(void);
void vc_arr_open(const char *key);
void vc_arr_close(void);

/* Free text (text mode only). */
void vc_print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void vc_print_str(enum vc_kind k, const char *key, const char *fmt,
		  const char *val);
void vc_print_u64(enum vc_kind k, const char *key, const char *fmt,
		  uint64_t val);
/* Text "0x%016x". */
void vc_print_x64(enum vc_kind k, const char *key, const char *fmt,
		  uint64_t val);
/* A JSON boolean; text @yes or @no (nothing printed for NULL). */
void vc_print_flag(enum vc_kind k, const char *key, const char *fmt, bool val,
		   const char *yes, const char *no);
/*
 * Bytes: text humanised in IEC units with @unit after them ("4 MiB",
 * "4 MiB/s" for @unit "/s"), or the exact number with -r; JSON the number.
 */
void vc_print_bytes(enum vc_kind k, const char *key, const char *fmt,
		    uint64_t bytes, const char *unit);
#define vc_print_size(k, key, fmt, bytes) vc_print_bytes(k, key, fmt, bytes, "")
/* Per-second rates: text with one decimal, JSON with two. */
void vc_print_rate(enum vc_kind k, const char *key, const char *fmt,
		   double per_s);
/*
 * A wall-clock time: text "2026-12-03T09:35:41.123456" (local time), JSON
 * seconds since the epoch with microseconds.
 */
void vc_print_time(enum vc_kind k, const char *key, const char *fmt,
		   const struct timespec *t);
/* Bytes per second: text as vc_print_size(), JSON with two decimals. */
void vc_print_byte_rate(enum vc_kind k, const char *key, const char *fmt,
			double bytes_per_s);

/* ---- vblk's records ---- */

/*
 * Everything about a device: "key value" lines, or one JSON object; the
 * counters with -s.
 */
void vc_render_dev(const struct vnl_dev *d);
/*
 * All devices: a table (with each device's counters under its row with
 * -s), or a JSON array of vc_render_dev() objects.
 */
void vc_render_devs(const struct vnl_dev *devs, int n);
/* What "dev add" prints about the new device. */
void vc_render_added(const struct vnl_dev *d);
/* The counters (the "stats" nest), text lines indented by @indent. */
void vc_render_stats(const struct vnl_dev *d, const char *indent);
/* "stats NAME": the device's name, id and counters. */
void vc_render_counters(const struct vnl_dev *d);
/* One interval of "stats -w": rates between @prev and @cur @secs apart. */
void vc_render_rates_header(void);
void vc_render_rates(const struct vnl_dev *prev, const struct vnl_dev *cur,
		     double secs);
/* One monitor event, received at @when (printed with -t; may be NULL). */
void vc_render_event(const struct vnl_event *ev, const struct timespec *when);

/* ---- latency histograms (vblkctl_lat.c) ---- */

/* Requests counted in @h. */
uint64_t vc_hist_count(const struct vnl_hist *h);
/* Estimated quantile @q (0.5 for the median) of @h in ns; 0 when empty. */
double vc_hist_quantile(const struct vnl_hist *h, double q);
/* "850 ns", "12.3 us", "1.50 ms", "2.10 s". */
void vc_fmt_ns(double ns, char *buf, size_t len);
/* Count, mean, p50, p90, p99 and p99.9 of every histogram; JSON buckets. */
void vc_render_latency(const struct vnl_dev *d);
/* "stats -w": read and write p50 and p99 of the interval's requests. */
void vc_render_latency_interval_header(void);
void vc_render_latency_interval(const struct vnl_dev *prev,
				const struct vnl_dev *cur);

/*
 * Limits (a throttle nest's values by attribute number) as text:
 * "iops 1000 (burst 2000) bps 4 MiB/s (burst 4 MiB)", "-" for none.
 */
void vc_fmt_throttle(const uint64_t *thr, char *buf, size_t len);
/* The same as detail lines, or a JSON object of every limit. */
void vc_render_throttle(const uint64_t *thr);

#endif /* VBLKCTL_PRINT_H */
