/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblkctl helpers without netlink: number parsing with units, a small JSON
 * writer.
 */
#ifndef VBLKCTL_UTIL_H
#define VBLKCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>


/* ---- numbers ---- */

/*
 * Parse a non-negative decimal integer with an optional unit suffix:
 * K, M, G, T (powers of 1000; k also accepted) or Ki, Mi, Gi, Ti (powers
 * of 1024), optionally followed by B ("4KiB", "10MB", "512B").
 * Returns 0 and stores the value, or -1 and points *why at a reason
 * (empty, not a number, unknown unit, too large).
 */
int vc_parse_u64(const char *s, uint64_t *out, const char **why);

/*
 * Format @v bytes in IEC units: "512 B", "4 MiB" (an exact multiple),
 * "1.50 GiB" (else two decimals).
 */
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
/* A number already formatted (e.g. with more decimals than %.2f). */
void vc_json_num(struct vc_json *j, const char *key, const char *num);
/* End a top-level value: newline. */
void vc_json_done(struct vc_json *j);
/* Write @s as a JSON string literal (with quotes and escapes). */
void vc_json_escape(FILE *f, const char *s);

#endif /* VBLKCTL_UTIL_H */
