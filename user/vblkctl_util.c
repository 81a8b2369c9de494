// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl helpers without netlink: numbers with units, a JSON writer.
 */
#include <inttypes.h>
#include <string.h>

#include "vblkctl_util.h"

/* ---- numbers ---- */

int vc_parse_u64(const char *s, uint64_t *out, const char **why)
{
	uint64_t v = 0, mul = 1, base = 1000;
	const char *p = s;
	int exp = 0;

	if (!s || !*s) {
		*why = "empty value";
		return -1;
	}
	if (*p < '0' || *p > '9') {
		*why = "not a non-negative decimal number";
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = *p - '0';

		if (v > (UINT64_MAX - d) / 10) {
			*why = "too large (more than 2^64 - 1)";
			return -1;
		}
		v = v * 10 + d;
	}
	switch (*p) {
	case '\0':
		break;
	case 'k':
	case 'K':
		exp = 1;
		break;
	case 'M':
		exp = 2;
		break;
	case 'G':
		exp = 3;
		break;
	case 'T':
		exp = 4;
		break;
	case 'P':
		exp = 5;
		break;
	case 'E':
		exp = 6;
		break;
	case 'B':
		break;
	case '.':
	case ',':
		*why = "fractions are not supported (use a smaller unit: 1536Mi, not 1.5Gi)";
		return -1;
	default:
		goto bad_unit;
	}
	if (exp) {
		p++;
		if (*p == 'i') {
			base = 1024;
			p++;
		}
	}
	if (*p == 'B')
		p++;
	if (*p)
		goto bad_unit;
	while (exp--) {
		if (mul > UINT64_MAX / base) {
			*why = "too large (more than 2^64 - 1)";
			return -1;
		}
		mul *= base;
	}
	if (v && mul > UINT64_MAX / v) {
		*why = "too large (more than 2^64 - 1)";
		return -1;
	}
	*out = v * mul;
	return 0;

bad_unit:
	*why = "unknown unit (use K M G T P E = 1000^n or Ki Mi Gi Ti Pi Ei = 1024^n)";
	return -1;
}

void vc_fmt_iec(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};
	double x = (double)v;
	unsigned int i = 0;

	if (v < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", v);
		return;
	}
	while (x >= 1024 && i < 6) {
		x /= 1024;
		i++;
	}
	/* Exact multiples without decimals: "4 MiB", "1.50 GiB". */
	if (!(v & ((1ULL << (10 * i)) - 1)))
		snprintf(buf, len, "%" PRIu64 " %s", v >> (10 * i), units[i]);
	else
		snprintf(buf, len, "%.2f %s", x, units[i]);
}

/* ---- JSON ---- */

void vc_json_init(struct vc_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

void vc_json_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void vc_json_indent(struct vc_json *j, int depth)
{
	fputc('\n', j->f);
	for (int i = 0; i < depth; i++)
		fputs("  ", j->f);
}

/* Separator, indentation and key before a value. */
static void vc_json_pre(struct vc_json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->need_comma[j->depth])
			fputc(',', j->f);
		j->need_comma[j->depth] = true;
		if (j->pretty)
			vc_json_indent(j, j->depth);
	}
	if (key) {
		vc_json_escape(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void vc_json_open(struct vc_json *j, const char *key, char c)
{
	vc_json_pre(j, key);
	fputc(c, j->f);
	if (j->depth < VC_JSON_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void vc_json_close(struct vc_json *j, char c)
{
	bool had = j->need_comma[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (j->pretty && had)
		vc_json_indent(j, j->depth);
	fputc(c, j->f);
}

void vc_json_obj_start(struct vc_json *j, const char *key)
{
	vc_json_open(j, key, '{');
}

void vc_json_obj_end(struct vc_json *j)
{
	vc_json_close(j, '}');
}

void vc_json_arr_start(struct vc_json *j, const char *key)
{
	vc_json_open(j, key, '[');
}

void vc_json_arr_end(struct vc_json *j)
{
	vc_json_close(j, ']');
}

void vc_json_str(struct vc_json *j, const char *key, const char *v)
{
	vc_json_pre(j, key);
	vc_json_escape(j->f, v);
}

void vc_json_u64(struct vc_json *j, const char *key, uint64_t v)
{
	vc_json_pre(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void vc_json_double(struct vc_json *j, const char *key, double v)
{
	vc_json_pre(j, key);
	fprintf(j->f, "%.2f", v);
}

void vc_json_num(struct vc_json *j, const char *key, const char *num)
{
	vc_json_pre(j, key);
	fputs(num, j->f);
}

void vc_json_bool(struct vc_json *j, const char *key, bool v)
{
	vc_json_pre(j, key);
	fputs(v ? "true" : "false", j->f);
}

void vc_json_done(struct vc_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
