// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of vblkctl's renderer: each record in text and in JSON
 * from the same calls (run under ASan and UBSan by `make -C user test`).
 * Prints TAP.
 */
#include <string.h>

#include "unit.h"
#include "vblkctl_print.h"

static void sample_dev(struct vnl_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->id = 7;
	strcpy(d->name, "disk-0");
	strcpy(d->backing_path, "/tmp/a \"b\".img");
	d->capacity = 3ULL << 30;
	d->read_only = 1;
	strcpy(d->serial, "SER1");
	d->queues = 1;
	d->has[VBLK_A_DEV_QUEUES] = true;
	d->nqueue = 1;
	d->queue[0].size = 128;
	d->queue[0].ready = 1;
	d->throttle.iops = 100;
	d->throttle.iops_burst = 200;
	for (int a = 1; a <= VBLK_A_STATS_MAX; a++)
		d->stats[a] = 1000 * a;
}

static bool raw;	/* -r for the next captures */
static bool with_stats;	/* -s */
static const struct timespec when = { 1764754541, 123456789 };

/* The options for one capture: JSON or text. */
static void mode(FILE *f, bool json)
{
	memset(&vc_opt, 0, sizeof(vc_opt));
	vc_opt.json = json;
	vc_opt.raw = raw;
	vc_opt.stats = with_stats;
	vc_opt.timestamp = true;	/* used only when a time is given */
	vc_out_begin(f);
}

/* Adapters: each renderer as a function of one argument. */
static void r_dev(const void *a)
{
	vc_render_dev(a);
}

static void r_devs(const void *a)
{
	vc_render_devs(a, 2);
}

static void r_rates(const void *a)
{
	const struct vnl_dev *d = a;

	vc_render_rates(&d[0], &d[1], 2.0);
}

static void r_added(const void *a)
{
	vc_render_added(a);
}

static void r_event(const void *a)
{
	vc_render_event(a, NULL);
}

static void r_event_t(const void *a)
{
	vc_render_event(a, &when);
}

/* What @render(@arg) prints, in JSON or text (malloc'd). */
static char *view(void (*render)(const void *arg), const void *arg, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mode(f, json);
	render(arg);
	vc_out_end();
	fclose(f);
	return buf;
}

static void devices(struct vnl_dev *d)
{
	char *out;

	out = view(r_dev, &d[0], true);
	ok(!strstr(out, "stats") && !strstr(out, "completed"),
	   "device JSON without -s: no counters");
	free(out);
	out = view(r_dev, &d[0], false);
	ok(!strstr(out, "completed") && !strstr(out, "io-errors"),
	   "detail view without -s: no counters");
	free(out);
	out = view(r_devs, d, false);
	ok(!strstr(out, "completed"), "table without -s: no counters");
	free(out);

	with_stats = true;
	out = view(r_devs, d, false);
	ok(strstr(out, "\n      reads-completed          1000\n") &&
	   strstr(out, "      invalid-avail-idx-count  9000\n") &&
	   strstr(out, "      bytes-zeroed             13000\n7     a-much-longer"),
	   "table with -s: each device's counters under its row");
	free(out);
	out = view(r_dev, &d[0], false);
	ok(strstr(out, "  reads-completed          1000\n") &&
	   strstr(out, "  io-errors                6000\n"), "detail view with -s");
	free(out);
	out = view(r_dev, &d[0], true);
	ok(strstr(out, "{\"name\":\"disk-0\",\"id\":7,\"backing-path\":\"/tmp/a \\\"b\\\".img\","
		       "\"capacity\":3221225472,\"read-only\":true,\"serial\":\"SER1\","
		       "\"vmm-attached\":false,\"status\":0,\"features\":0,"
		       "\"device-features\":0,\"queues\":1,\"queue\":[") == out,
	   "device JSON: keys are the spec's names: %.80s", out);
	ok(strstr(out, "\"queue\":[{\"index\":0,\"size\":128,\"ready\":true,"
		       "\"broken\":false,\"throttled\":false,\"last-avail-idx\":0,"
		       "\"used-idx\":0,\"requests\":0,\"bytes\":0,\"inflight-peak\":0}]") &&
	   strstr(out, "\"throttle\":{\"iops\":100,\"iops-burst\":200,\"bps\":0,\"bps-burst\":0,"
		       "\"iops-read\":0,\"iops-read-burst\":0,\"iops-write\":0,"
		       "\"iops-write-burst\":0,\"bps-read\":0,\"bps-read-burst\":0,"
		       "\"bps-write\":0,\"bps-write-burst\":0},") &&
	   !strstr(out, "\"group\"") &&
	   strstr(out, "\"stats\":{\"reads-completed\":1000,") &&
	   strstr(out, "\"invalid-avail-idx-count\":9000,") &&
	   strstr(out, "\"bytes-zeroed\":13000},\"latency\":[]}\n") &&
	   !strchr(out, '_'),
	   "device JSON queue, throttle, stats, latency; no group key for none; "
	   "no underscore anywhere");
	free(out);
	with_stats = false;
	{
		struct vnl_dev hidden = d[0];

		hidden.backing_path[0] = '\0';
		out = view(r_dev, &hidden, true);
		ok(!strstr(out, "backing") &&
		   strstr(out, "{\"name\":\"disk-0\",\"id\":7,\"capacity\":") == out,
		   "device JSON without a backing path: no backing-path key");
		free(out);
	}

	out = view(r_devs, d, false);
	{
		/* every line has BACKING starting at the same column */
		char *l1 = out, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
		long c1 = strstr(l1, "BACKING") - l1;
		long c2 = strstr(l2, "/tmp/") - l2;
		long c3 = strstr(l3, "/tmp/") - l3;

		ok(c1 == c2 && c2 == c3, "table columns aligned (%ld %ld %ld)",
		   c1, c2, c3);
		ok(strstr(l2, " ro ") && strstr(l3, " rw ") &&
		   strstr(l2, " 3 GiB ") && strstr(l2, " iops 100 (burst 200) ") &&
		   strstr(l3, " bps 4 MiB/s (burst 6 MiB) "),
		   "table content: %s", l3);
	}
	free(out);

	out = view(r_devs, d, true);
	ok(out[0] == '[' && strstr(out, "},{\"name\":\"a-much-longer-device-name\"") &&
	   !strstr(out, "BACKING"), "dev show -j: an array of device objects");
	free(out);

	out = view(r_dev, &d[0], false);
	ok(strstr(out, "disk-0\n") == out &&
	   strstr(out, "  capacity                 3 GiB\n") &&
	   strstr(out, "  mode                     read-only\n") &&
	   strstr(out, "  queues                   1\n") &&
	   strstr(out, "  queue 0                  size 128 ready last-avail 0 used 0 "
		       "requests 0 bytes 0 B inflight-peak 0\n") &&
	   strstr(out, "  throttle-iops            100 (burst 200)\n") &&
	   strstr(out, "  throttle-bps             unlimited\n") &&
	   !strstr(out, "throttle-iops-read") &&
	   strstr(out, "  group                    -\n") &&
	   !strchr(out, '{'), "detail view");
	free(out);

	out = view(r_dev, &d[1], false);
	ok(strstr(out, "  throttle-iops            unlimited\n") &&
	   strstr(out, "  throttle-bps             4 MiB/s (burst 6 MiB)\n"),
	   "detail view: rates humanised");
	free(out);
	raw = true;
	out = view(r_dev, &d[1], false);
	ok(strstr(out, "  capacity                 3221225472\n") &&
	   strstr(out, "  throttle-bps             4194304 (burst 6291456)\n"),
	   "-r: exact numbers in the detail view");
	free(out);
	out = view(r_devs, d, false);
	ok(strstr(out, " 3221225472 ") && strstr(out, " bps 4194304 (burst 6291456) "),
	   "-r: exact numbers in the table");
	free(out);
	out = view(r_dev, &d[1], true);
	ok(strstr(out, "\"capacity\":3221225472,") &&
	   strstr(out, "\"bps\":4194304,\"bps-burst\":6291456,"),
	   "JSON: raw numbers, with or without -r");
	free(out);
	out = view(r_added, &d[0], false);
	ok(!strcmp(out, "disk-0: id 7, capacity 3221225472, read-only\n"),
	   "dev add -r: \"%s\"", out);
	free(out);
	raw = false;
	out = view(r_dev, &d[1], true);
	ok(strstr(out, "\"capacity\":3221225472,") &&
	   strstr(out, "\"bps\":4194304,\"bps-burst\":6291456,"),
	   "JSON without -r: the same raw numbers");
	free(out);
	out = view(r_added, &d[0], false);
	ok(!strcmp(out, "disk-0: id 7, capacity 3 GiB, read-only\n"),
	   "dev add: \"%s\"", out);
	free(out);
	out = view(r_added, &d[0], true);
	ok(!strcmp(out, "{\"id\":7,\"name\":\"disk-0\",\"capacity\":3221225472}\n"),
	   "dev add -j: %s", out);
	free(out);
}

static void rate_views(struct vnl_dev *d)
{
	char *out;

	/* 2 s apart */
	sample_dev(&d[0]);
	sample_dev(&d[1]);
	d[1].stats[VBLK_A_STATS_READS_COMPLETED] += 200;
	d[1].stats[VBLK_A_STATS_BYTES_READ] += 2 << 20;
	d[1].stats[VBLK_A_STATS_WRITES_COMPLETED] -= 1;	/* went back: 0 */
	out = view(r_rates, d, false);
	ok(strstr(out, "100.0") && strstr(out, "    1 MiB ") &&
	   strstr(out, "      0.0") && strstr(out, " yes ") &&
	   strstr(out, "         -         -         -         -\n"), "rates line");
	free(out);
	out = view(r_rates, d, true);
	ok(strstr(out, "\"interval\":2.00,\"rates\":{\"reads-completed\":100.00,"
		       "\"writes-completed\":0.00,") &&
	   strstr(out, "\"bytes-read\":1048576.00") &&
	   strstr(out, "\"stats\":{\"reads-completed\":1200,"), "rates JSON");
	free(out);
}

static void events(void)
{
	struct vnl_event ev = { VBLK_EVENT_TYPE_THROTTLE_STOP, 3, "d3", 0 };
	char *out;

	out = view(r_event, &ev, false);
	ok(!strcmp(out, "throttle-stop d3 (id 3) queue 0\n"), "event: \"%s\"", out);
	free(out);
	out = view(r_event, &ev, true);
	ok(!strcmp(out, "{\"type\":\"throttle-stop\",\"dev-name\":\"d3\",\"dev-id\":3,\"queue\":0}\n"),
	   "event JSON: %s", out);
	free(out);
	setenv("TZ", "UTC", 1);
	tzset();
	out = view(r_event_t, &ev, false);
	ok(!strcmp(out, "[2025-12-03T09:35:41.123456] throttle-stop d3 (id 3) queue 0\n"),
	   "-t: the time first: \"%s\"", out);
	free(out);
	out = view(r_event_t, &ev, true);
	ok(!strcmp(out, "{\"timestamp\":1764754541.123456,\"type\":\"throttle-stop\","
			"\"dev-name\":\"d3\",\"dev-id\":3,\"queue\":0}\n"),
	   "-t JSON: seconds since the epoch: %s", out);
	free(out);
	ev.type = 99;
	ev.queue = -1;
	out = view(r_event, &ev, false);
	ok(!strcmp(out, "event-99 d3 (id 3)\n"), "unknown event: \"%s\"", out);
	free(out);
}

int main(void)
{
	struct vnl_dev *d = calloc(2, sizeof(*d));

	printf("TAP version 13\n");
	sample_dev(&d[0]);
	sample_dev(&d[1]);
	strcpy(d[1].name, "a-much-longer-device-name");
	d[1].read_only = 0;
	d[1].throttle.iops = 0;
	d[1].throttle.bps = 4 << 20;
	d[1].throttle.bps_burst = 6 << 20;
	devices(d);
	rate_views(d);
	events();
	free(d);
	return unit_done();
}
