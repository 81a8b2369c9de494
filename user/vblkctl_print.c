// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl's renderer: one call per field, text and JSON (see the header).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "vblkctl_print.h"
#include "vblkctl_util.h"

struct vc_opts vc_opt;

static struct {
	FILE *f;
	struct vc_json j;
} vc_out = { .f = NULL };

static FILE *vc_fp(void)
{
	return vc_out.f ? vc_out.f : stdout;
}

void vc_out_begin(FILE *f)
{
	vc_out.f = f;
	vc_json_init(&vc_out.j, f, vc_opt.pretty);
}

void vc_out_end(void)
{
	if (vc_opt.json)
		vc_json_done(&vc_out.j);
	else
		fflush(vc_fp());
}

void vc_obj_open(const char *key)
{
	if (vc_opt.json)
		vc_json_obj_start(&vc_out.j, key);
}

void vc_obj_close(void)
{
	if (vc_opt.json)
		vc_json_obj_end(&vc_out.j);
}

void vc_arr_open(const char *key)
{
	if (vc_opt.json)
		vc_json_arr_start(&vc_out.j, key);
}

void vc_arr_close(void)
{
	if (vc_opt.json)
		vc_json_arr_end(&vc_out.j);
}

void vc_print_text(const char *fmt, ...)
{
	va_list ap;

	if (vc_opt.json)
		return;
	va_start(ap, fmt);
	vfprintf(vc_fp(), fmt, ap);
	va_end(ap);
}

/*
 * Write one field: in JSON @key with the value @json (a JSON literal) or,
 * when @json is NULL, the string @text; in text @text through @fmt
 * (nothing when @fmt or @text is NULL).
 */
static void vc_emit(enum vc_kind k, const char *key, const char *fmt,
		    const char *text, const char *json)
{
	if (vc_opt.json && k != VC_TEXT) {
		if (json)
			vc_json_num(&vc_out.j, key, json);
		else
			vc_json_str(&vc_out.j, key, text);
	} else if (!vc_opt.json && k != VC_JSON && fmt && text) {
		fprintf(vc_fp(), fmt, text);
	}
}

void vc_print_str(enum vc_kind k, const char *key, const char *fmt,
		  const char *val)
{
	vc_emit(k, key, fmt, val, NULL);
}

void vc_print_u64(enum vc_kind k, const char *key, const char *fmt,
		  uint64_t val)
{
	char n[24];

	snprintf(n, sizeof(n), "%" PRIu64, val);
	vc_emit(k, key, fmt, n, n);
}

void vc_print_x64(enum vc_kind k, const char *key, const char *fmt,
		  uint64_t val)
{
	char n[24], x[24];

	snprintf(n, sizeof(n), "%" PRIu64, val);
	snprintf(x, sizeof(x), "0x%016" PRIx64, val);
	vc_emit(k, key, fmt, x, n);
}

void vc_print_flag(enum vc_kind k, const char *key, const char *fmt, bool val,
		   const char *yes, const char *no)
{
	vc_emit(k, key, fmt, val ? yes : no, val ? "true" : "false");
}

/* The text of @bytes: humanised with @unit, or exact with -r. */
static void vc_fmt_bytes(uint64_t bytes, const char *unit, char *buf,
			 size_t len)
{
	size_t n;

	if (vc_opt.raw) {
		snprintf(buf, len, "%" PRIu64, bytes);
		return;
	}
	vc_fmt_iec(bytes, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n, "%s", unit);
}

void vc_print_bytes(enum vc_kind k, const char *key, const char *fmt,
		    uint64_t bytes, const char *unit)
{
	char n[24], t[40];

	snprintf(n, sizeof(n), "%" PRIu64, bytes);
	vc_fmt_bytes(bytes, unit, t, sizeof(t));
	vc_emit(k, key, fmt, t, n);
}

void vc_print_rate(enum vc_kind k, const char *key, const char *fmt,
		   double per_s)
{
	char t[32], j[32];

	snprintf(t, sizeof(t), "%.1f", per_s);
	snprintf(j, sizeof(j), "%.2f", per_s);
	vc_emit(k, key, fmt, t, j);
}

void vc_print_byte_rate(enum vc_kind k, const char *key, const char *fmt,
			double bytes_per_s)
{
	char t[40], j[32];

	vc_fmt_bytes((uint64_t)bytes_per_s, "", t, sizeof(t));
	snprintf(j, sizeof(j), "%.2f", bytes_per_s);
	vc_emit(k, key, fmt, t, j);
}

void vc_print_time(enum vc_kind k, const char *key, const char *fmt,
		   const struct timespec *t)
{
	char text[64], j[32];
	struct tm tm;
	size_t n;

	localtime_r(&t->tv_sec, &tm);
	n = strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(text + n, sizeof(text) - n, ".%06ld", t->tv_nsec / 1000);
	snprintf(j, sizeof(j), "%lld.%06ld", (long long)t->tv_sec,
		 t->tv_nsec / 1000);
	vc_emit(k, key, fmt, text, j);
}

/* ---- vblk's records ---- */

/* The text format of a "key value" line of the detail view, then @end. */
static const char *kv_end(const char *label, const char *end)
{
	static char fmt[64];

	snprintf(fmt, sizeof(fmt), "  %-24s %%s%s", label, end);
	return fmt;
}

#define kv(label) kv_end(label, "\n")

/*
 * JSON keys are the spec's attribute names, as the ynl CLI prints them
 * (the rule is in vblkctl(8), JSON OUTPUT): the library's table, which its
 * unit test checks against the spec.
 */
#define KEY(set, attr)	vnl_attr_name(VNL_ATTRS_##set, VBLK_A_##set##_##attr)
#define vc_stat_key(a)	vnl_attr_name(VNL_ATTRS_STATS, a)

static void render_stats(enum vc_kind k, const struct vnl_dev *d,
			 const char *indent)
{
	char fmt[64];

	vc_obj_open(KEY(DEV, STATS));
	for (int a = 1; a <= VBLK_A_STATS_MAX; a++) {
		snprintf(fmt, sizeof(fmt), "%s%-24s %%s\n", indent,
			 vnl_attr_name(VNL_ATTRS_STATS, a));
		vc_print_u64(k, vc_stat_key(a), fmt, d->stats[a]);
	}
	vc_obj_close();
}

void vc_render_stats(const struct vnl_dev *d, const char *indent)
{
	render_stats(VC_ANY, d, indent);
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

static void render_queue(const struct vnl_queue *q)
{
	vc_obj_open(NULL);
	vc_print_u64(VC_ANY, KEY(QUEUE, INDEX), "  queue %-18s ", q->index);
	vc_print_u64(VC_ANY, KEY(QUEUE, SIZE), "size %s", q->size);
	vc_print_flag(VC_ANY, KEY(QUEUE, READY), " %s", q->ready, "ready",
		      "not-ready");
	vc_print_flag(VC_ANY, KEY(QUEUE, BROKEN), " %s", q->broken, "broken", NULL);
	vc_print_flag(VC_ANY, KEY(QUEUE, THROTTLED), " %s", q->throttled,
		      "throttled", NULL);
	vc_print_u64(VC_ANY, KEY(QUEUE, LAST_AVAIL_IDX), " last-avail %s",
		     q->last_avail_idx);
	vc_print_u64(VC_ANY, KEY(QUEUE, USED_IDX), " used %s", q->used_idx);
	vc_print_u64(VC_ANY, KEY(QUEUE, REQUESTS), " requests %s", q->requests);
	vc_print_size(VC_ANY, KEY(QUEUE, BYTES), " bytes %s", q->bytes);
	vc_print_u64(VC_ANY, KEY(QUEUE, INFLIGHT_PEAK), " inflight-peak %s",
		     q->inflight_peak);
	vc_print_text("\n");
	vc_obj_close();
}

/*
 * One limit and its burst: "1000 (burst 2000)", "4 MiB/s (burst 4 MiB)"
 * for @bytes, or "unlimited" in text when @always (else nothing); JSON 0.
 */
static void render_limit(const char *label, const char *key, uint64_t rate,
			 const char *burst_key, uint64_t burst, bool bytes,
			 bool always)
{
	enum vc_kind k = rate ? VC_ANY : VC_JSON;

	if (!rate && always)
		vc_print_text(kv(label), "unlimited");
	if (bytes) {
		vc_print_bytes(k, key, kv_end(label, ""), rate, "/s");
		vc_print_size(k, burst_key, " (burst %s)\n", burst);
	} else {
		vc_print_u64(k, key, kv_end(label, ""), rate);
		vc_print_u64(k, burst_key, " (burst %s)\n", burst);
	}
}

void vc_render_throttle(const uint64_t *v)
{
	static const struct {
		const char *label;
		int attr;
		bool bytes;
	} lims[] = {
		{ "throttle-iops", VBLK_A_THROTTLE_IOPS, false },
		{ "throttle-bps", VBLK_A_THROTTLE_BPS, true },
		{ "throttle-iops-read", VBLK_A_THROTTLE_IOPS_READ, false },
		{ "throttle-iops-write", VBLK_A_THROTTLE_IOPS_WRITE, false },
		{ "throttle-bps-read", VBLK_A_THROTTLE_BPS_READ, true },
		{ "throttle-bps-write", VBLK_A_THROTTLE_BPS_WRITE, true },
	};
	vc_obj_open(KEY(DEV, THROTTLE));
	/* Each limit's burst attribute follows its rate's. */
	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		int a = lims[i].attr;

		render_limit(lims[i].label, vnl_attr_name(VNL_ATTRS_THROTTLE, a),
			     v[a], vnl_attr_name(VNL_ATTRS_THROTTLE, a + 1),
			     v[a + 1], lims[i].bytes, i < 2);
	}
	vc_obj_close();
}

void vc_render_dev(const struct vnl_dev *d)
{
	char buf[128];

	vc_obj_open(NULL);
	vc_print_str(VC_ANY, KEY(DEV, NAME), "%s\n", d->name);
	vc_print_u64(VC_ANY, KEY(DEV, ID), kv("id"), d->id);
	/* The kernel shows the path to CAP_SYS_ADMIN only. */
	if (d->backing_path[0])
		vc_print_str(VC_JSON, KEY(DEV, BACKING_PATH), NULL,
			     d->backing_path);
	vc_print_str(VC_TEXT, NULL, kv("backing"),
		     d->backing_path[0] ? d->backing_path : "?");
	vc_print_size(VC_ANY, KEY(DEV, CAPACITY), kv("capacity"), d->capacity);
	vc_print_flag(VC_ANY, KEY(DEV, READ_ONLY), kv("mode"), d->read_only,
		      "read-only", "read-write");
	vc_print_str(VC_JSON, KEY(DEV, SERIAL), NULL, d->serial);
	vc_print_str(VC_TEXT, NULL, kv("serial"), d->serial[0] ? d->serial : "-");
	vc_print_flag(VC_ANY, KEY(DEV, VMM_ATTACHED), kv("vmm"), d->vmm_attached,
		      "attached", "detached");
	vc_fmt_status(d->status, buf, sizeof(buf));
	vc_print_u64(VC_JSON, KEY(DEV, STATUS), NULL, d->status);
	vc_print_str(VC_TEXT, NULL, kv("status"), buf);
	vc_print_x64(VC_ANY, KEY(DEV, FEATURES), kv("features"), d->features);
	vc_print_x64(VC_ANY, KEY(DEV, DEVICE_FEATURES), kv("device-features"),
		     d->device_features);
	if (d->has[VBLK_A_DEV_QUEUES])
		vc_print_u64(VC_ANY, KEY(DEV, QUEUES), kv("queues"), d->queues);
	vc_arr_open(KEY(DEV, QUEUE));
	for (unsigned int i = 0; i < d->nqueue; i++)
		render_queue(&d->queue[i]);
	vc_arr_close();
	vc_render_throttle(d->thr);
	/* As the kernel: no group key in JSON for a device in none. */
	if (d->group[0] || !vc_opt.json)
		vc_print_str(VC_ANY, KEY(DEV, GROUP), kv("group"),
			     d->group[0] ? d->group : "-");
	if (d->has[VBLK_A_DEV_CACHE])
		vc_print_str(VC_ANY, KEY(DEV, CACHE), kv("cache"),
			     d->cache == VBLK_CACHE_MODE_WRITETHROUGH ?
			     "writethrough" : "writeback");
	if (vc_opt.stats)
		vc_render_stats(d, "  ");
	/* JSON has the histograms too (text: vblkctl stats NAME). */
	if (vc_opt.stats && vc_opt.json)
		vc_render_latency(d);
	vc_obj_close();
}

void vc_fmt_throttle(const uint64_t *v, char *buf, size_t len)
{
	char rate[40], burst[40];
	size_t n = 0;

	buf[0] = '\0';
	/* Rates at odd attribute numbers, each burst right after its rate. */
	for (int a = 1; a < VBLK_A_THROTTLE_MAX && n < len; a += 2) {
		const char *name = vnl_attr_name(VNL_ATTRS_THROTTLE, a);

		if (!v[a])
			continue;
		if (!strncmp(name, "bps", 3)) {
			vc_fmt_bytes(v[a], "/s", rate, sizeof(rate));
			vc_fmt_bytes(v[a + 1], "", burst, sizeof(burst));
		} else {
			snprintf(rate, sizeof(rate), "%" PRIu64, v[a]);
			snprintf(burst, sizeof(burst), "%" PRIu64, v[a + 1]);
		}
		n += snprintf(buf + n, len - n, "%s%s %s (burst %s)",
			      n ? " " : "", name, rate, burst);
	}
	if (!n)
		snprintf(buf, len, "-");
}

/* The table of "dev show": a header and one aligned row per device. */
static void render_table(const struct vnl_dev *devs, int n)
{
	int wname = 4, wcap = 8, wthr = 8;
	char cap[40], thr[128], fname[16], fcap[16], fthr[16];

	for (int i = 0; i < n; i++) {
		int l = (int)strlen(devs[i].name);

		if (l > wname)
			wname = l;
		vc_fmt_bytes(devs[i].capacity, "", cap, sizeof(cap));
		l = (int)strlen(cap);
		if (l > wcap)
			wcap = l;
		vc_fmt_throttle(devs[i].thr, thr, sizeof(thr));
		l = (int)strlen(thr);
		if (l > wthr)
			wthr = l;
	}
	snprintf(fname, sizeof(fname), "%%-%ds ", wname);
	snprintf(fcap, sizeof(fcap), "%%%ds ", wcap);
	snprintf(fthr, sizeof(fthr), "%%-%ds ", wthr);
	vc_print_text("%-5s %-*s %*s %-4s %-8s %-*s %s\n", "ID", wname, "NAME",
		      wcap, "CAPACITY", "MODE", "VMM", wthr, "THROTTLE", "BACKING");
	for (int i = 0; i < n; i++) {
		const struct vnl_dev *d = &devs[i];

		vc_fmt_throttle(d->thr, thr, sizeof(thr));
		vc_print_u64(VC_TEXT, NULL, "%-5s ", d->id);
		vc_print_str(VC_TEXT, NULL, fname, d->name);
		vc_print_size(VC_TEXT, NULL, fcap, d->capacity);
		vc_print_flag(VC_TEXT, NULL, "%-4s ", d->read_only, "ro", "rw");
		vc_print_flag(VC_TEXT, NULL, "%-8s ", d->vmm_attached, "attached", "-");
		vc_print_str(VC_TEXT, NULL, fthr, thr);
		vc_print_str(VC_TEXT, NULL, "%s\n",
			     d->backing_path[0] ? d->backing_path : "?");
		if (vc_opt.stats)
			vc_render_stats(d, "      ");
	}
}

void vc_render_devs(const struct vnl_dev *devs, int n)
{
	if (!vc_opt.json) {
		if (n)
			render_table(devs, n);
		return;
	}
	vc_arr_open(NULL);
	for (int i = 0; i < n; i++)
		vc_render_dev(&devs[i]);
	vc_arr_close();
}

void vc_render_added(const struct vnl_dev *d)
{
	vc_obj_open(NULL);
	vc_print_u64(VC_JSON, KEY(DEV, ID), NULL, d->id);
	vc_print_str(VC_ANY, KEY(DEV, NAME), "%s: ", d->name);
	vc_print_u64(VC_TEXT, NULL, "id %s, ", d->id);
	vc_print_size(VC_ANY, KEY(DEV, CAPACITY), "capacity %s", d->capacity);
	vc_print_flag(VC_TEXT, NULL, "%s", d->read_only, ", read-only", NULL);
	vc_print_text("\n");
	vc_obj_close();
}

void vc_render_counters(const struct vnl_dev *d)
{
	vc_obj_open(NULL);
	vc_print_str(VC_ANY, KEY(DEV, NAME), "%s ", d->name);
	vc_print_u64(VC_ANY, KEY(DEV, ID), "(id %s)\n", d->id);
	vc_render_stats(d, "  ");
	vc_render_latency(d);
	vc_obj_close();
}

/* Per-second rate of counter @a; a counter that went back counts as 0. */
static double vc_rate(const struct vnl_dev *prev, const struct vnl_dev *cur,
		      int a, double secs)
{
	if (secs <= 0 || cur->stats[a] < prev->stats[a])
		return 0;
	return (double)(cur->stats[a] - prev->stats[a]) / secs;
}

void vc_render_rates_header(void)
{
	vc_print_text("%9s %9s %9s %12s %12s %7s %11s %9s", "reads/s",
		      "writes/s", "flushes/s", "read/s", "written/s", "errors/s",
		      "throttles/s", "throttled");
	vc_render_latency_interval_header();
	vc_print_text("\n");
}

void vc_render_rates(const struct vnl_dev *prev, const struct vnl_dev *cur,
		     double secs)
{
	static const struct {
		int attr;
		const char *fmt;
		bool bytes;
	} cols[] = {
		{ VBLK_A_STATS_READS_COMPLETED, "%9s ", false },
		{ VBLK_A_STATS_WRITES_COMPLETED, "%9s ", false },
		{ VBLK_A_STATS_FLUSHES_COMPLETED, "%9s ", false },
		{ VBLK_A_STATS_BYTES_READ, "%12s ", true },
		{ VBLK_A_STATS_BYTES_WRITTEN, "%12s ", true },
		{ VBLK_A_STATS_IO_ERRORS, "%8s ", false },
		{ VBLK_A_STATS_THROTTLED_COUNT, "%11s ", false },
	};

	vc_obj_open(NULL);
	vc_print_str(VC_JSON, KEY(DEV, NAME), NULL, cur->name);
	vc_print_u64(VC_JSON, KEY(DEV, ID), NULL, cur->id);
	vc_print_rate(VC_JSON, "interval", NULL, secs);
	vc_obj_open("rates");
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		double r = vc_rate(prev, cur, cols[i].attr, secs);

		if (cols[i].bytes)
			vc_print_byte_rate(VC_ANY, vc_stat_key(cols[i].attr),
					   cols[i].fmt, r);
		else
			vc_print_rate(VC_ANY, vc_stat_key(cols[i].attr),
				      cols[i].fmt, r);
	}
	vc_obj_close();
	vc_print_flag(VC_TEXT, NULL, "%9s",
		      cur->st.currently_throttled, "yes", "no");
	vc_render_latency_interval(prev, cur);
	vc_print_text("\n");
	render_stats(VC_JSON, cur, "");
	vc_obj_close();
}

void vc_render_event(const struct vnl_event *ev, const struct timespec *when)
{
	const char *what = vnl_event_name(ev->type);
	char unknown[32];

	if (!what) {
		snprintf(unknown, sizeof(unknown), "event-%" PRIu32, ev->type);
		what = unknown;
	}
	vc_obj_open(NULL);
	if (vc_opt.timestamp && when)
		vc_print_time(VC_ANY, "timestamp", "[%s] ", when);
	vc_print_str(VC_ANY, KEY(EVENT, TYPE), "%s ", what);
	vc_print_str(VC_ANY, KEY(EVENT, DEV_NAME), "%s ", ev->dev_name);
	vc_print_u64(VC_ANY, KEY(EVENT, DEV_ID), "(id %s)", ev->dev_id);
	if (ev->queue >= 0)
		vc_print_u64(VC_ANY, KEY(EVENT, QUEUE), " queue %s",
			     (uint64_t)ev->queue);
	vc_print_text("\n");
	vc_obj_close();
}
