// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl helpers without netlink: numbers with units, JSON, printers.
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

/* ---- names ---- */

static const char *const vc_stat_names[][2] = {
	[VBLK_A_STATS_READS_COMPLETED] = { "reads-completed", "reads_completed" },
	[VBLK_A_STATS_WRITES_COMPLETED] = { "writes-completed", "writes_completed" },
	[VBLK_A_STATS_FLUSHES_COMPLETED] = { "flushes-completed", "flushes_completed" },
	[VBLK_A_STATS_BYTES_READ] = { "bytes-read", "bytes_read" },
	[VBLK_A_STATS_BYTES_WRITTEN] = { "bytes-written", "bytes_written" },
	[VBLK_A_STATS_IO_ERRORS] = { "io-errors", "io_errors" },
	[VBLK_A_STATS_THROTTLED_COUNT] = { "throttled-count", "throttled_count" },
	[VBLK_A_STATS_CURRENTLY_THROTTLED] = { "currently-throttled",
					       "currently_throttled" },
	[VBLK_A_STATS_INVALID_AVAIL_IDX_COUNT] = { "invalid-avail-idx-count",
						   "invalid_avail_idx_count" },
};

const char *vc_stat_name(int attr, bool json)
{
	if (attr < 1 || attr > VBLK_A_STATS_MAX)
		return NULL;
	return vc_stat_names[attr][json];
}

/* ---- printers ---- */

void vc_fmt_throttle(const struct vnl_throttle *t, char *buf, size_t len)
{
	int n = 0;

	if (!t->iops && !t->bps) {
		snprintf(buf, len, "-");
		return;
	}
	buf[0] = '\0';
	if (t->iops)
		n = snprintf(buf, len, "iops %" PRIu64 "/%" PRIu64, t->iops,
			     t->iops_burst);
	if (t->bps && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "%sbps %" PRIu64 "/%" PRIu64,
			 n ? " " : "", t->bps, t->bps_burst);
}

void vc_print_dev_table(FILE *f, const struct vnl_dev *devs, size_t n)
{
	int wname = 4, wcap = 8, wthr = 8;
	char cap[32], thr[96];
	size_t i;

	for (i = 0; i < n; i++) {
		int l = (int)strlen(devs[i].name);

		if (l > wname)
			wname = l;
		vc_fmt_iec(devs[i].capacity, cap, sizeof(cap));
		l = (int)strlen(cap);
		if (l > wcap)
			wcap = l;
		vc_fmt_throttle(&devs[i].throttle, thr, sizeof(thr));
		l = (int)strlen(thr);
		if (l > wthr)
			wthr = l;
	}
	fprintf(f, "%-5s %-*s %*s %-4s %-8s %-*s %s\n", "ID", wname, "NAME",
		wcap, "CAPACITY", "MODE", "VMM", wthr, "THROTTLE", "BACKING");
	for (i = 0; i < n; i++) {
		const struct vnl_dev *d = &devs[i];

		vc_fmt_iec(d->capacity, cap, sizeof(cap));
		vc_fmt_throttle(&d->throttle, thr, sizeof(thr));
		fprintf(f, "%-5" PRIu32 " %-*s %*s %-4s %-8s %-*s %s\n", d->id,
			wname, d->name, wcap, cap, d->read_only ? "ro" : "rw",
			d->vmm_attached ? "attached" : "-", wthr, thr,
			d->backing_path[0] ? d->backing_path : "?");
	}
}

static void vc_fmt_status(uint32_t st, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
		{ 1, "acknowledge" }, { 2, "driver" }, { 8, "features-ok" },
		{ 4, "driver-ok" }, { 0x40, "needs-reset" }, { 0x80, "failed" },
	};
	size_t n, i;

	n = snprintf(buf, len, "0x%02" PRIx32, st);
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]) && n < len; i++)
		if (st & bits[i].bit)
			n += snprintf(buf + n, len - n, " %s", bits[i].name);
	if (!st && n < len)
		snprintf(buf + n, len - n, " (reset)");
}

#define VC_KEY "  %-24s "

void vc_print_stats(FILE *f, const struct vnl_dev *d)
{
	for (int a = 1; a <= VBLK_A_STATS_MAX; a++)
		fprintf(f, VC_KEY "%" PRIu64 "\n", vc_stat_name(a, false),
			d->stats[a]);
}

void vc_print_dev_detail(FILE *f, const struct vnl_dev *d)
{
	char buf[128];

	fprintf(f, "%s\n", d->name);
	fprintf(f, VC_KEY "%" PRIu32 "\n", "id", d->id);
	fprintf(f, VC_KEY "%s\n", "backing", d->backing_path[0] ? d->backing_path : "?");
	vc_fmt_iec(d->capacity, buf, sizeof(buf));
	fprintf(f, VC_KEY "%" PRIu64 " (%s)\n", "capacity", d->capacity, buf);
	fprintf(f, VC_KEY "%s\n", "mode", d->read_only ? "read-only" : "read-write");
	fprintf(f, VC_KEY "%s\n", "serial", d->serial[0] ? d->serial : "-");
	fprintf(f, VC_KEY "%s\n", "vmm", d->vmm_attached ? "attached" : "detached");
	vc_fmt_status(d->status, buf, sizeof(buf));
	fprintf(f, VC_KEY "%s\n", "status", buf);
	fprintf(f, VC_KEY "0x%016" PRIx64 "\n", "features", d->features);
	fprintf(f, VC_KEY "0x%016" PRIx64 "\n", "device-features",
		d->device_features);
	for (unsigned int i = 0; i < d->nqueue; i++) {
		const struct vnl_queue *q = &d->queue[i];
		char key[32];

		snprintf(key, sizeof(key), "queue %" PRIu32, q->index);
		fprintf(f, VC_KEY "size %" PRIu32 " %s last-avail %u used %u%s%s\n",
			key, q->size, q->ready ? "ready" : "not-ready",
			q->last_avail_idx, q->used_idx,
			q->broken ? " broken" : "",
			q->throttled ? " throttled" : "");
	}
	if (d->throttle.iops)
		fprintf(f, VC_KEY "%" PRIu64 " (burst %" PRIu64 ")\n",
			"throttle-iops", d->throttle.iops, d->throttle.iops_burst);
	else
		fprintf(f, VC_KEY "unlimited\n", "throttle-iops");
	if (d->throttle.bps)
		fprintf(f, VC_KEY "%" PRIu64 " (burst %" PRIu64 ")\n",
			"throttle-bps", d->throttle.bps, d->throttle.bps_burst);
	else
		fprintf(f, VC_KEY "unlimited\n", "throttle-bps");
	vc_print_stats(f, d);
}

void vc_json_stats(struct vc_json *j, const struct vnl_dev *d)
{
	vc_json_obj_start(j, "stats");
	for (int a = 1; a <= VBLK_A_STATS_MAX; a++)
		vc_json_u64(j, vc_stat_name(a, true), d->stats[a]);
	vc_json_obj_end(j);
}

void vc_json_dev(struct vc_json *j, const struct vnl_dev *d)
{
	vc_json_obj_start(j, NULL);
	vc_json_u64(j, "id", d->id);
	vc_json_str(j, "name", d->name);
	vc_json_str(j, "backing", d->backing_path);
	vc_json_u64(j, "capacity", d->capacity);
	vc_json_bool(j, "read_only", d->read_only);
	vc_json_str(j, "serial", d->serial);
	vc_json_bool(j, "vmm_attached", d->vmm_attached);
	vc_json_u64(j, "status", d->status);
	vc_json_u64(j, "features", d->features);
	vc_json_u64(j, "device_features", d->device_features);
	vc_json_arr_start(j, "queues");
	for (unsigned int i = 0; i < d->nqueue; i++) {
		const struct vnl_queue *q = &d->queue[i];

		vc_json_obj_start(j, NULL);
		vc_json_u64(j, "index", q->index);
		vc_json_u64(j, "size", q->size);
		vc_json_bool(j, "ready", q->ready);
		vc_json_bool(j, "broken", q->broken);
		vc_json_bool(j, "throttled", q->throttled);
		vc_json_u64(j, "last_avail_idx", q->last_avail_idx);
		vc_json_u64(j, "used_idx", q->used_idx);
		vc_json_obj_end(j);
	}
	vc_json_arr_end(j);
	vc_json_obj_start(j, "throttle");
	vc_json_u64(j, "iops", d->throttle.iops);
	vc_json_u64(j, "iops_burst", d->throttle.iops_burst);
	vc_json_u64(j, "bps", d->throttle.bps);
	vc_json_u64(j, "bps_burst", d->throttle.bps_burst);
	vc_json_obj_end(j);
	vc_json_stats(j, d);
	vc_json_obj_end(j);
}

/* Per-second rate of counter @a; a counter that went back counts as 0. */
static double vc_rate(const struct vnl_dev *prev, const struct vnl_dev *cur,
		      int a, double secs)
{
	if (secs <= 0 || cur->stats[a] < prev->stats[a])
		return 0;
	return (double)(cur->stats[a] - prev->stats[a]) / secs;
}

void vc_print_rates_header(FILE *f)
{
	fprintf(f, "%9s %9s %9s %12s %12s %7s %11s %9s\n", "reads/s",
		"writes/s", "flushes/s", "read/s", "written/s", "errors/s",
		"throttles/s", "throttled");
}

void vc_print_rates(FILE *f, const struct vnl_dev *prev,
		    const struct vnl_dev *cur, double secs)
{
	char rb[32], wb[32];

	vc_fmt_iec((uint64_t)vc_rate(prev, cur, VBLK_A_STATS_BYTES_READ, secs),
		   rb, sizeof(rb));
	vc_fmt_iec((uint64_t)vc_rate(prev, cur, VBLK_A_STATS_BYTES_WRITTEN, secs),
		   wb, sizeof(wb));
	fprintf(f, "%9.1f %9.1f %9.1f %12s %12s %8.1f %11.1f %9s\n",
		vc_rate(prev, cur, VBLK_A_STATS_READS_COMPLETED, secs),
		vc_rate(prev, cur, VBLK_A_STATS_WRITES_COMPLETED, secs),
		vc_rate(prev, cur, VBLK_A_STATS_FLUSHES_COMPLETED, secs),
		rb, wb, vc_rate(prev, cur, VBLK_A_STATS_IO_ERRORS, secs),
		vc_rate(prev, cur, VBLK_A_STATS_THROTTLED_COUNT, secs),
		cur->stats[VBLK_A_STATS_CURRENTLY_THROTTLED] ? "yes" : "no");
	fflush(f);
}

void vc_json_rates(struct vc_json *j, const struct vnl_dev *prev,
		   const struct vnl_dev *cur, double secs)
{
	static const int rated[] = {
		VBLK_A_STATS_READS_COMPLETED, VBLK_A_STATS_WRITES_COMPLETED,
		VBLK_A_STATS_FLUSHES_COMPLETED, VBLK_A_STATS_BYTES_READ,
		VBLK_A_STATS_BYTES_WRITTEN, VBLK_A_STATS_IO_ERRORS,
		VBLK_A_STATS_THROTTLED_COUNT,
	};

	vc_json_obj_start(j, NULL);
	vc_json_str(j, "name", cur->name);
	vc_json_u64(j, "id", cur->id);
	vc_json_double(j, "interval", secs);
	vc_json_obj_start(j, "rates");
	for (size_t i = 0; i < sizeof(rated) / sizeof(rated[0]); i++)
		vc_json_double(j, vc_stat_name(rated[i], true),
			       vc_rate(prev, cur, rated[i], secs));
	vc_json_obj_end(j);
	vc_json_stats(j, cur);
	vc_json_obj_end(j);
	vc_json_done(j);
}
