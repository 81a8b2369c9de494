/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblkctl helpers without netlink: number parsing with units, a small JSON
 * writer and the printers of the device record (struct vnl_dev).
 */
#ifndef VBLKCTL_UTIL_H
#define VBLKCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vnl.h"

/* ---- numbers ---- */

/*
 * Parse a non-negative decimal integer with an optional unit suffix:
 * K, M, G, T (powers of 1000; k also accepted) or Ki, Mi, Gi, Ti (powers
 * of 1024), optionally followed by B ("4KiB", "10MB", "512B").
 * Returns 0 and stores the value, or -1 and points *why at a reason
 * (empty, not a number, unknown unit, too large).
 */
int vc_parse_u64(const char *s, uint64_t *out, const char **why);

/* Format @v bytes as "1.50 GiB" (IEC units, two decimals; "512 B"). */
void vc_fmt_iec(uint64_t v, char *buf, size_t len);

/* ---- JSON writer ---- */

#define VC_JSON_DEPTH 16

struct vc_json {
	FILE *f;
	bool pretty;
	int depth;
	bool need_comma[VC_JSON_DEPTH];
};

void vc_json_init(struct vc_json *j, FILE *f, bool pretty);
/* @key is NULL inside arrays and at the top level. */
void vc_json_obj_start(struct vc_json *j, const char *key);
void vc_json_obj_end(struct vc_json *j);
void vc_json_arr_start(struct vc_json *j, const char *key);
void vc_json_arr_end(struct vc_json *j);
void vc_json_str(struct vc_json *j, const char *key, const char *v);
void vc_json_u64(struct vc_json *j, const char *key, uint64_t v);
void vc_json_double(struct vc_json *j, const char *key, double v);
void vc_json_bool(struct vc_json *j, const char *key, bool v);
/* End a top-level value: newline. */
void vc_json_done(struct vc_json *j);
/* Write @s as a JSON string literal (with quotes and escapes). */
void vc_json_escape(FILE *f, const char *s);

/* Name of a counter for text ("reads-completed") and JSON ("reads_completed"). */
const char *vc_stat_name(int attr, bool json);

/* ---- printers ---- */

/* The device table of "dev show": a header and one aligned row each. */
void vc_print_dev_table(FILE *f, const struct vnl_dev *devs, size_t n);
/* Everything about one device, one "key value" per line. */
void vc_print_dev_detail(FILE *f, const struct vnl_dev *d);
/* A device as a JSON object (inside an array or at the top level). */
void vc_json_dev(struct vc_json *j, const struct vnl_dev *d);
/* Counters, one per line. */
void vc_print_stats(FILE *f, const struct vnl_dev *d);
void vc_json_stats(struct vc_json *j, const struct vnl_dev *d);

/*
 * One interval of the live view: per-second rates between @prev and @cur
 * taken @secs apart. vc_print_rates_header() prints the column titles.
 */
void vc_print_rates_header(FILE *f);
void vc_print_rates(FILE *f, const struct vnl_dev *prev,
		    const struct vnl_dev *cur, double secs);
void vc_json_rates(struct vc_json *j, const struct vnl_dev *prev,
		   const struct vnl_dev *cur, double secs);

/* Human text of a throttle configuration ("iops 1000 burst 2000, bps -"). */
void vc_fmt_throttle(const struct vnl_throttle *t, char *buf, size_t len);

#endif /* VBLKCTL_UTIL_H */
