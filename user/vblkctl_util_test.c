// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for vblkctl's numbers and JSON writer (run under ASan
 * and UBSan by `make -C user test`). Prints TAP.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "vblkctl_util.h"

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

int main(void)
{
	char buf[64], *out;
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
	ok(!strcmp(buf, "1 GiB"), "iec 1 GiB -> \"%s\"", buf);
	vc_fmt_iec(4ULL << 20, buf, sizeof(buf));
	ok(!strcmp(buf, "4 MiB"), "iec 4 MiB -> \"%s\"", buf);
	vc_fmt_iec(1024, buf, sizeof(buf));
	ok(!strcmp(buf, "1 KiB"), "iec 1024 -> \"%s\"", buf);
	vc_fmt_iec(1000000, buf, sizeof(buf));
	ok(!strcmp(buf, "976.56 KiB"), "iec 10^6 -> \"%s\"", buf);
	vc_fmt_iec((1ULL << 30) + 512, buf, sizeof(buf));
	ok(!strcmp(buf, "1.00 GiB"), "iec 1 GiB + 512 -> \"%s\"", buf);
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

	return unit_done();
}
