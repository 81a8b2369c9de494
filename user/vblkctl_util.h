/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblkctl helpers without netlink: number parsing with units, a small JSON
 * writer, the device record and its printers.
 */
#ifndef VBLKCTL_UTIL_H
#define VBLKCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uapi/linux/vblk.h>

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

/* ---- device record ---- */

#define VC_MAX_QUEUES 16
#define VC_PATH_MAX 4096

struct vc_queue {
	uint32_t index;
	uint32_t size;
	bool ready;
	bool broken;
	bool throttled;
	uint16_t last_avail_idx;
	uint16_t used_idx;
};

struct vc_throttle {
	uint64_t iops;
	uint64_t iops_burst;
	uint64_t bps;
	uint64_t bps_burst;
};

struct vc_dev {
	uint32_t id;
	char name[VBLK_NAME_MAX];
	char backing[VC_PATH_MAX];
	uint64_t capacity;
	bool read_only;
	char serial[VBLK_SERIAL_MAX + 1];
	bool vmm_attached;
	uint32_t status;
	uint64_t features;
	uint64_t device_features;
	unsigned int nqueues;
	struct vc_queue queues[VC_MAX_QUEUES];
	uint64_t stats[VBLK_A_STATS_MAX + 1];	/* indexed by VBLK_A_STATS_* */
	struct vc_throttle throttle;
};

/* Name of a counter for text ("reads-completed") and JSON ("reads_completed"). */
const char *vc_stat_name(int attr, bool json);

/* Name of a monitor event type ("throttle-start"), or NULL. */
const char *vc_event_name(uint32_t type);

/* ---- printers ---- */

/* The device table of "dev show": a header and one aligned row each. */
void vc_print_dev_table(FILE *f, const struct vc_dev *devs, size_t n);
/* Everything about one device, one "key value" per line. */
void vc_print_dev_detail(FILE *f, const struct vc_dev *d);
/* A device as a JSON object (inside an array or at the top level). */
void vc_json_dev(struct vc_json *j, const struct vc_dev *d);
/* Counters, one per line. */
void vc_print_stats(FILE *f, const struct vc_dev *d);
void vc_json_stats(struct vc_json *j, const struct vc_dev *d);

/*
 * One interval of the live view: per-second rates between @prev and @cur
 * taken @secs apart. vc_print_rates_header() prints the column titles.
 */
void vc_print_rates_header(FILE *f);
void vc_print_rates(FILE *f, const struct vc_dev *prev,
		    const struct vc_dev *cur, double secs);
void vc_json_rates(struct vc_json *j, const struct vc_dev *prev,
		   const struct vc_dev *cur, double secs);

/* Human text of a throttle configuration ("iops 1000 burst 2000, bps -"). */
void vc_fmt_throttle(const struct vc_throttle *t, char *buf, size_t len);

#endif /* VBLKCTL_UTIL_H */
