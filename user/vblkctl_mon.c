// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl: counters ("stats", once or as per-second rates) and events
 * ("monitor").
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vblkctl.h"

volatile sig_atomic_t vc_stop;

static void on_signal(int sig)
{
	(void)sig;
	vc_stop = 1;
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_sec(double s)
{
	struct timespec ts = {
		.tv_sec = (time_t)s,
		.tv_nsec = (long)((s - (double)(time_t)s) * 1e9),
	};

	while (!vc_stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int vc_cmd_stats(int argc, char **argv)
{
	uint64_t interval = 0, count = 0;
	struct vc_seen seen = { 0 };
	struct vnl_dev *cur, *prev;
	const char *name = NULL;
	struct vnl nl;
	int ret = EXIT_OK;
	double t0, t1;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (vc_is_help(a)) {
			vc_usage_stats(stdout);
			return EXIT_OK;
		}
		if ((!strcmp(a, "-w") || !strcmp(a, "-c")) &&
		    vc_once(&seen, a, "stats help"))
			return EXIT_USAGE;
		if (!strcmp(a, "-w")) {
			if (vc_parse_num("-w", v, &interval, "stats help"))
				return EXIT_USAGE;
			if (!interval || interval > 86400)
				return vc_usage_error("stats help",
						   "-w: SECONDS must be 1 to 86400");
			i++;
		} else if (!strcmp(a, "-c")) {
			if (vc_parse_num("-c", v, &count, "stats help"))
				return EXIT_USAGE;
			if (!count)
				return vc_usage_error("stats help", "-c: COUNT must be positive");
			i++;
		} else if (vc_name_arg(&name, a, "stats help")) {
			return EXIT_USAGE;
		}
	}
	if (!name)
		return vc_usage_error("stats help", "stats: missing NAME");
	if (count && !interval)
		return vc_usage_error("stats help", "-c needs -w");

	cur = calloc(2, sizeof(*cur));
	if (!cur)
		return EXIT_KERNEL;
	prev = cur + 1;
	if (vc_open(&nl)) {
		free(cur);
		return EXIT_KERNEL;
	}
	if (vnl_dev_get(&nl, name, cur)) {
		ret = vc_kernel_error(&nl);
		goto out;
	}
	if (!interval) {
		vc_out_begin(stdout);
		vc_render_counters(cur);
		vc_out_end();
		goto out;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	vc_out_begin(stdout);
	vc_print_text("%s (id %" PRIu32 "), every %" PRIu64 " s\n", cur->name,
		      cur->id, interval);
	vc_render_rates_header();
	t0 = now_sec();
	for (uint64_t n = 0; !vc_stop && (!count || n < count); n++) {
		sleep_sec((double)interval);
		if (vc_stop)
			break;
		*prev = *cur;
		if (vnl_dev_get(&nl, name, cur)) {
			ret = vc_kernel_error(&nl);
			break;
		}
		t1 = now_sec();
		vc_out_begin(stdout);
		vc_render_rates(prev, cur, t1 - t0);
		vc_out_end();
		t0 = t1;
	}
out:
	free(cur);
	vnl_close(&nl);
	return ret;
}

/* ---- monitor ---- */

int vc_cmd_monitor(int argc, char **argv)
{
	uint64_t count = 0, events = 0;
	struct vc_seen seen = { 0 };
	struct vnl_event ev;
	struct timespec when;
	struct vnl nl;
	int ret;

	for (int i = 0; i < argc; i++) {
		if (vc_is_help(argv[i])) {
			vc_usage_monitor(stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "-c")) {
			if (vc_once(&seen, "-c", "monitor help") ||
			    vc_parse_num("-c", i + 1 < argc ? argv[i + 1] : NULL,
				      &count, "monitor help"))
				return EXIT_USAGE;
			i++;
		} else {
			return vc_usage_error("monitor help", "unknown argument \"%s\"",
					   argv[i]);
		}
	}
	if (vc_open(&nl))
		return EXIT_KERNEL;
	ret = vnl_monitor_join(&nl);
	if (ret) {
		fprintf(stderr, "Error: cannot join the \"%s\" group: %s\n",
			VBLK_MCGRP_MONITOR, strerror(-ret));
		vnl_close(&nl);
		return EXIT_KERNEL;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!vc_stop && (!count || events < count)) {
		ret = vnl_monitor_next(&nl, &ev, -1);
		if (ret == -ENOBUFS) {
			fprintf(stderr, "Warning: events lost (receive buffer overrun)\n");
			continue;
		}
		if (ret == -EINTR)
			continue;
		if (ret) {
			fprintf(stderr, "Error: %s\n", strerror(-ret));
			vnl_close(&nl);
			return EXIT_KERNEL;
		}
		clock_gettime(CLOCK_REALTIME, &when);
		vc_out_begin(stdout);
		vc_render_event(&ev, &when);
		vc_out_end();
		events++;
	}
	vnl_close(&nl);
	return EXIT_OK;
}

