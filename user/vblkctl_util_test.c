// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for vblkctl's parsing and printing (run under ASan and
 * UBSan by `make -C user test`). Prints TAP.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vblkctl_util.h"

static int tests, failures;

static void ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#include <stdarg.h>

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failures++;
	printf("%sok %d - ", cond ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void parse_ok(const char *s, uint64_t want)
{
	const char *why = NULL;
	uint64_t v = 12345;
	int r = vc_parse_u64(s, &v, &why);

	ok(r == 0 && v == want, "parse \"%s\" = %" PRIu64 " (got %d, %" PRIu64 ")",
	   s, want, r, v);
}

static void parse_bad(const char *s, const char *why_part)
{
	const char *why = NULL;
	uint64_t v = 777;
	int r = vc_parse_u64(s, &v, &why);

	ok(r == -1 && v == 777 && why && strstr(why, why_part),
	   "parse \"%s\" refused (%s)", s ? s : "(null)", why ? why : "no reason");
}

/* Run @fn into a memory stream and return the text (malloc'd). */
static char *capture(void (*fn)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

static void json_escapes(FILE *f, const void *arg)
{
	vc_json_escape(f, arg);
}

static void json_nested(FILE *f, const void *arg)
{
	struct vc_json j;

	vc_json_init(&j, f, *(const bool *)arg);
	vc_json_arr_start(&j, NULL);
	vc_json_obj_start(&j, NULL);
	vc_json_u64(&j, "a", 1);
	vc_json_str(&j, "b", "x\"y");
	vc_json_bool(&j, "c", false);
	vc_json_arr_start(&j, "d");
	vc_json_arr_end(&j);
	vc_json_obj_start(&j, "e");
	vc_json_u64(&j, "f", UINT64_MAX);
	vc_json_obj_end(&j);
	vc_json_obj_end(&j);
	vc_json_u64(&j, NULL, 2);
	vc_json_arr_end(&j);
	vc_json_done(&j);
}

static void sample_dev(struct vnl_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->id = 7;
	strcpy(d->name, "disk-0");
	strcpy(d->backing_path, "/tmp/a \"b\".img");
	d->capacity = 3ULL << 30;
	d->read_only = true;
	strcpy(d->serial, "SER1");
	d->nqueue = 1;
	d->queue[0].size = 128;
	d->queue[0].ready = true;
	d->throttle.iops = 100;
	d->throttle.iops_burst = 200;
	for (int a = 1; a <= VBLK_A_STATS_MAX; a++)
		d->stats[a] = 1000 * a;
}

static void dev_json(FILE *f, const void *arg)
{
	struct vc_json j;

	vc_json_init(&j, f, false);
	vc_json_dev(&j, arg);
	vc_json_done(&j);
}

static void dev_table(FILE *f, const void *arg)
{
	vc_print_dev_table(f, arg, 2);
}

static void dev_detail(FILE *f, const void *arg)
{
	vc_print_dev_detail(f, arg);
}

static void rates(FILE *f, const void *arg)
{
	const struct vnl_dev *d = arg;

	vc_print_rates(f, &d[0], &d[1], 2.0);
}

static void rates_json(FILE *f, const void *arg)
{
	const struct vnl_dev *d = arg;
	struct vc_json j;

	vc_json_init(&j, f, false);
	vc_json_rates(&j, &d[0], &d[1], 2.0);
}

int main(void)
{
	char buf[64], *out;
	struct vnl_dev *d;
	bool pretty;

	printf("TAP version 13\n");

	/* numbers and units */
	parse_ok("0", 0);
	parse_ok("512", 512);
	parse_ok("1K", 1000);
	parse_ok("1k", 1000);
	parse_ok("1Ki", 1024);
	parse_ok("1KiB", 1024);
	parse_ok("10MB", 10000000);
	parse_ok("4Mi", 4ULL << 20);
	parse_ok("2G", 2000000000ULL);
	parse_ok("2Gi", 2ULL << 30);
	parse_ok("3Ti", 3ULL << 40);
	parse_ok("1E", 1000000000000000000ULL);
	parse_ok("15Ei", 15ULL << 60);
	parse_ok("512B", 512);
	parse_ok("18446744073709551615", UINT64_MAX);
	parse_ok("007", 7);
	parse_bad("", "empty");
	parse_bad(NULL, "empty");
	parse_bad("-1", "not a non-negative");
	parse_bad(" 1", "not a non-negative");
	parse_bad("+1", "not a non-negative");
	parse_bad("K", "not a non-negative");
	parse_bad("0x10", "unknown unit");
	parse_bad("1 K", "unknown unit");
	parse_bad("10Q", "unknown unit");
	parse_bad("1m", "unknown unit");
	parse_bad("1Kix", "unknown unit");
	parse_bad("1iK", "unknown unit");
	parse_bad("1KB B", "unknown unit");
	parse_bad("1BB", "unknown unit");
	parse_bad("1.5G", "fractions");
	parse_bad("18446744073709551616", "too large");
	parse_bad("99999999999999999999999", "too large");
	parse_bad("16Ei", "too large");
	parse_bad("18446744073709552K", "too large");
	parse_bad("19E", "too large");

	/* IEC formatting */
	vc_fmt_iec(0, buf, sizeof(buf));
	ok(!strcmp(buf, "0 B"), "iec 0 -> \"%s\"", buf);
	vc_fmt_iec(1023, buf, sizeof(buf));
	ok(!strcmp(buf, "1023 B"), "iec 1023 -> \"%s\"", buf);
	vc_fmt_iec(1536, buf, sizeof(buf));
	ok(!strcmp(buf, "1.50 KiB"), "iec 1536 -> \"%s\"", buf);
	vc_fmt_iec(1ULL << 30, buf, sizeof(buf));
	ok(!strcmp(buf, "1.00 GiB"), "iec 1 GiB -> \"%s\"", buf);
	vc_fmt_iec(UINT64_MAX, buf, sizeof(buf));
	ok(!strcmp(buf, "16.00 EiB"), "iec max -> \"%s\"", buf);

	/* JSON */
	out = capture(json_escapes, "a\"b\\c\n\t\x01\x7f\xc3\xa9");
	ok(!strcmp(out, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\xc3\xa9\""),
	   "json escapes -> %s", out);
	free(out);
	pretty = false;
	out = capture(json_nested, &pretty);
	ok(!strcmp(out, "[{\"a\":1,\"b\":\"x\\\"y\",\"c\":false,\"d\":[],"
			"\"e\":{\"f\":18446744073709551615}},2]\n"),
	   "json compact nesting");
	free(out);
	pretty = true;
	out = capture(json_nested, &pretty);
	ok(!strcmp(out, "[\n  {\n    \"a\": 1,\n    \"b\": \"x\\\"y\",\n"
			"    \"c\": false,\n    \"d\": [],\n    \"e\": {\n"
			"      \"f\": 18446744073709551615\n    }\n  },\n  2\n]\n"),
	   "json pretty nesting");
	free(out);

	/* names */
	ok(!strcmp(vc_stat_name(VBLK_A_STATS_IO_ERRORS, false), "io-errors") &&
	   !strcmp(vc_stat_name(VBLK_A_STATS_IO_ERRORS, true), "io_errors"),
	   "counter names");
	ok(!vc_stat_name(0, false) && !vc_stat_name(VBLK_A_STATS_MAX + 1, true),
	   "counter names out of range");
	ok(!strcmp(vnl_event_name(VBLK_EVENT_TYPE_THROTTLE_START), "throttle-start") &&
	   !vnl_event_name(0) && !vnl_event_name(1000), "event names");

	/* device printers */
	d = calloc(2, sizeof(*d));
	sample_dev(&d[0]);
	sample_dev(&d[1]);
	strcpy(d[1].name, "a-much-longer-device-name");
	d[1].read_only = false;
	d[1].throttle.iops = 0;

	out = capture(dev_json, &d[0]);
	ok(strstr(out, "\"id\":7,\"name\":\"disk-0\",\"backing\":\"/tmp/a \\\"b\\\".img\","
		       "\"capacity\":3221225472,\"read_only\":true,\"serial\":\"SER1\"") != NULL,
	   "device JSON head");
	ok(strstr(out, "\"queues\":[{\"index\":0,\"size\":128,\"ready\":true,") &&
	   strstr(out, "\"throttle\":{\"iops\":100,\"iops_burst\":200,\"bps\":0,\"bps_burst\":0}") &&
	   strstr(out, "\"invalid_avail_idx_count\":9000}}\n"),
	   "device JSON queues, throttle, stats");
	free(out);

	out = capture(dev_table, d);
	{
		/* every line has BACKING starting at the same column */
		char *l1 = out, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
		long c1 = strstr(l1, "BACKING") - l1;
		long c2 = strstr(l2, "/tmp/") - l2;
		long c3 = strstr(l3, "/tmp/") - l3;

		ok(c1 == c2 && c2 == c3, "table columns aligned (%ld %ld %ld)",
		   c1, c2, c3);
		ok(strstr(l2, " ro ") && strstr(l3, " rw ") &&
		   strstr(l2, "3.00 GiB") && strstr(l2, "iops 100/200"),
		   "table content");
	}
	free(out);

	out = capture(dev_detail, &d[0]);
	ok(strstr(out, "disk-0\n") == out &&
	   strstr(out, "  capacity                 3221225472 (3.00 GiB)\n") &&
	   strstr(out, "  mode                     read-only\n") &&
	   strstr(out, "  throttle-iops            100 (burst 200)\n") &&
	   strstr(out, "  throttle-bps             unlimited\n") &&
	   strstr(out, "  io-errors                6000\n"),
	   "detail view");
	free(out);

	/* rates: 2 s apart */
	sample_dev(&d[0]);
	sample_dev(&d[1]);
	d[1].stats[VBLK_A_STATS_READS_COMPLETED] += 200;
	d[1].stats[VBLK_A_STATS_BYTES_READ] += 2 << 20;
	d[1].stats[VBLK_A_STATS_WRITES_COMPLETED] -= 1;	/* went back: 0 */
	out = capture(rates, d);
	ok(strstr(out, "100.0") && strstr(out, "1.00 MiB") &&
	   strstr(out, "      0.0"), "rates line");
	free(out);
	out = capture(rates_json, d);
	ok(strstr(out, "\"interval\":2.00,\"rates\":{\"reads_completed\":100.00,"
		       "\"writes_completed\":0.00,") &&
	   strstr(out, "\"bytes_read\":1048576.00"), "rates JSON");
	free(out);
	free(d);

	printf("1..%d\n", tests);
	printf("%d passed, %d failed\n", tests - failures, failures);
	return failures ? 1 : 0;
}
