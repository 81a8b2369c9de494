// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl: manage vblk devices over the "vblk" generic netlink family.
 *
 * Exit status: 0 success, 1 usage error, 2 error from the kernel (or no
 * vblk module).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vblkctl_util.h"

#define VBLKCTL_VERSION "1.0"

enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_KERNEL = 2 };

static bool json, pretty;
static volatile sig_atomic_t stop;

static int usage_error(const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *hint, const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (hint)
		fprintf(stderr, "Try 'vblkctl %s'.\n", hint);
	return EXIT_USAGE;
}

static int kernel_error(struct vnl *v)
{
	fprintf(stderr, "Error: %s\n", v->err ? vnl_error(v) : strerror(EIO));
	return EXIT_KERNEL;
}

/* @arg is a (non-empty) prefix of @word, as in iproute2. */
static bool matches(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	return len && len <= strlen(word) && !strncmp(arg, word, len);
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

/* ---- help ---- */

static void usage_main(FILE *f)
{
	fputs("Usage: vblkctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
	      "       vblkctl [OPTIONS] dev { add | del | show | set | help }\n"
	      "       vblkctl [OPTIONS] set-throttle NAME { LIMITS | off }\n"
	      "       vblkctl [OPTIONS] stats NAME [ -w SECONDS [ -c COUNT ] ]\n"
	      "       vblkctl [OPTIONS] monitor [ -c COUNT ]\n"
	      "OPTIONS: -j, --json     JSON output\n"
	      "         -p, --pretty   indented JSON (implies -j)\n"
	      "         -h, --help     this text (or: vblkctl OBJECT help)\n"
	      "         -V, --version  print the version\n"
	      "Numbers take K M G T (x1000) or Ki Mi Gi Ti (x1024) suffixes.\n"
	      "Exit status: 0 success, 1 usage error, 2 kernel error.\n", f);
}

static void usage_dev(FILE *f)
{
	fputs("Usage: vblkctl dev add NAME backing PATH [ size SIZE ] [ ro ] [ direct ]\n"
	      "                         [ serial SERIAL ] [ LIMITS ]\n"
	      "       vblkctl dev del NAME [ force ]\n"
	      "       vblkctl dev show [ NAME ]\n"
	      "       vblkctl dev set NAME [ serial SERIAL ] [ LIMITS | throttle off ]\n"
	      "LIMITS := [ iops N ] [ iops-burst N ] [ bps N ] [ bps-burst N ]\n"
	      "NAME: 1-31 characters from A-Z a-z 0-9 _ . -\n"
	      "SIZE: bytes, a multiple of 512 (default: the backing size)\n"
	      "ro: read-only device (PATH is opened read-only)\n"
	      "direct: open PATH with O_DIRECT (bypass the page cache)\n"
	      "force: delete even while a VMM is attached (detaches it)\n", f);
}

static void usage_throttle(FILE *f)
{
	fputs("Usage: vblkctl set-throttle NAME LIMITS\n"
	      "       vblkctl set-throttle NAME off\n"
	      "LIMITS := [ iops N ] [ iops-burst N ] [ bps N ] [ bps-burst N ]\n"
	      "The limits given replace the device's whole throttle setting:\n"
	      "a limit not given is removed. A burst (bucket size) defaults to\n"
	      "one second's worth and may not be below its rate.\n", f);
}

static void usage_stats(FILE *f)
{
	fputs("Usage: vblkctl stats NAME [ -w SECONDS [ -c COUNT ] ]\n"
	      "Without -w: print the device's counters once.\n"
	      "-w SECONDS: every SECONDS, print per-second rates (until\n"
	      "            interrupted, or COUNT lines with -c).\n", f);
}

static void usage_monitor(FILE *f)
{
	fputs("Usage: vblkctl monitor [ -c COUNT ]\n"
	      "Print device events (add, del, change, attach, detach,\n"
	      "throttle-start, throttle-stop, queue-broken) as they happen;\n"
	      "stop after COUNT events with -c.\n", f);
}

/* ---- argument helpers ---- */

static int parse_num(const char *key, const char *val, uint64_t *out,
		     const char *hint)
{
	const char *why;

	if (!val)
		return usage_error(hint, "%s: missing value", key);
	if (vc_parse_u64(val, out, &why))
		return usage_error(hint, "%s: invalid value \"%s\": %s", key, val,
				   why);
	return 0;
}

struct limits {
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1];
	bool set[VBLK_A_THROTTLE_MAX + 1];	/* given */
	bool any;
	bool off;
};

/*
 * A throttle keyword at argv[*i] and its value: returns 1 if consumed
 * (*i advanced past the value), 0 if argv[*i] is not one, -1 on error.
 */
static int parse_limit_arg(int argc, char **argv, int *i, struct limits *l,
			   const char *hint)
{
	for (int k = 1; k <= VBLK_A_THROTTLE_MAX; k++) {
		const char *key = vnl_attr_name(VNL_ATTRS_THROTTLE, k);

		if (strcmp(argv[*i], key))
			continue;
		if (parse_num(key, *i + 1 < argc ? argv[*i + 1] : NULL,
			      &l->thr[k], hint))
			return -1;
		*i += 1;
		l->set[k] = true;
		l->any = true;
		return 1;
	}
	return 0;
}

static int nl_open_or_fail(struct vnl *v)
{
	int ret = vnl_open(v);

	if (ret == -ENOENT) {
		fprintf(stderr, "Error: the vblk module is not loaded (no \"%s\" generic netlink family)\n",
			VBLK_FAMILY_NAME);
		return EXIT_KERNEL;
	}
	return ret ? kernel_error(v) : 0;
}

/* ---- dev add ---- */

static int cmd_dev_add(int argc, char **argv)
{
	const char *name = NULL, *path = NULL, *serial = NULL;
	bool ro = false, direct = false, have_size = false;
	struct limits lim = { 0 };
	struct vnl_add add;
	struct vnl_dev d;
	uint64_t size = 0;
	struct vnl nl;
	int fd, ret;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r;

		if (is_help(a)) {
			usage_dev(stdout);
			return EXIT_OK;
		}
		r = parse_limit_arg(argc, argv, &i, &lim, "dev help");
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(a, "backing")) {
			if (!v)
				return usage_error("dev help", "backing: missing PATH");
			path = v;
			i++;
		} else if (!strcmp(a, "size")) {
			if (parse_num("size", v, &size, "dev help"))
				return EXIT_USAGE;
			have_size = true;
			i++;
		} else if (!strcmp(a, "serial")) {
			if (!v)
				return usage_error("dev help", "serial: missing value");
			serial = v;
			i++;
		} else if (!strcmp(a, "ro") || !strcmp(a, "read-only")) {
			ro = true;
		} else if (!strcmp(a, "direct")) {
			direct = true;
		} else if (!name) {
			name = a;
		} else {
			return usage_error("dev help", "unknown argument \"%s\"", a);
		}
	}
	if (!name)
		return usage_error("dev help", "dev add: missing NAME");
	if (!path)
		return usage_error("dev help", "dev add: missing backing PATH");

	fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | (direct ? O_DIRECT : 0));
	if (fd < 0) {
		fprintf(stderr, "Error: cannot open %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (nl_open_or_fail(&nl)) {
		close(fd);
		return EXIT_KERNEL;
	}
	add = VNL_ADD(name, fd);
	add.has_capacity = have_size;
	add.capacity = size;
	add.read_only = ro ? 1 : -1;
	add.serial = serial;
	add.throttle = lim.any;
	memcpy(add.thr, lim.thr, sizeof(add.thr));
	memcpy(add.thr_set, lim.set, sizeof(add.thr_set));
	ret = vnl_dev_add(&nl, &add, NULL);
	close(fd);
	if (ret) {
		ret = kernel_error(&nl);
		vnl_close(&nl);
		return ret;
	}
	if (vnl_dev_get(&nl, name, &d) == 0) {
		if (json) {
			struct vc_json j;

			vc_json_init(&j, stdout, pretty);
			vc_json_obj_start(&j, NULL);
			vc_json_u64(&j, "id", d.id);
			vc_json_str(&j, "name", d.name);
			vc_json_u64(&j, "capacity", d.capacity);
			vc_json_obj_end(&j);
			vc_json_done(&j);
		} else {
			char cap[32];

			vc_fmt_iec(d.capacity, cap, sizeof(cap));
			printf("%s: id %" PRIu32 ", capacity %" PRIu64 " (%s)%s\n",
			       d.name, d.id, d.capacity, cap,
			       d.read_only ? ", read-only" : "");
		}
	}
	vnl_close(&nl);
	return EXIT_OK;
}

/* ---- dev del ---- */

static int cmd_dev_del(int argc, char **argv)
{
	const char *name = NULL;
	bool force = false;
	struct vnl nl;
	int ret;

	for (int i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			usage_dev(stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "force"))
			force = true;
		else if (!name)
			name = argv[i];
		else
			return usage_error("dev help", "unknown argument \"%s\"",
					   argv[i]);
	}
	if (!name)
		return usage_error("dev help", "dev del: missing NAME");
	if (nl_open_or_fail(&nl))
		return EXIT_KERNEL;
	ret = vnl_dev_del(&nl, name, force) ? kernel_error(&nl) : EXIT_OK;
	vnl_close(&nl);
	return ret;
}

/* ---- dev show ---- */

/* Every device, from a dump that no add or delete interrupted. */
static int dump_devs(struct vnl *nl, struct vnl_dev **devs, int *n)
{
	for (int tries = 0; tries < 10; tries++) {
		if (vnl_dev_dump(nl, devs, n))
			return -1;
		if (!nl->dump_intr)
			return 0;
		free(*devs);
		*devs = NULL;
	}
	nl->err = -EAGAIN;
	nl->from_kernel = false;
	snprintf(nl->msg, sizeof(nl->msg), "devices kept changing during the dump");
	return -1;
}

static int cmd_dev_show(int argc, char **argv)
{
	struct vnl_dev *devs = NULL;
	const char *name = NULL;
	struct vc_json j;
	struct vnl nl;
	int n = 0;
	int ret = EXIT_OK;

	for (int i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			usage_dev(stdout);
			return EXIT_OK;
		}
		if (name)
			return usage_error("dev help", "unknown argument \"%s\"",
					   argv[i]);
		name = argv[i];
	}
	if (nl_open_or_fail(&nl))
		return EXIT_KERNEL;
	if (name) {
		devs = calloc(1, sizeof(*devs));
		if (!devs || vnl_dev_get(&nl, name, devs)) {
			ret = devs ? kernel_error(&nl) : EXIT_KERNEL;
			goto out;
		}
		n = 1;
	} else if (dump_devs(&nl, &devs, &n)) {
		ret = kernel_error(&nl);
		goto out;
	}
	if (json) {
		vc_json_init(&j, stdout, pretty);
		vc_json_arr_start(&j, NULL);
		for (int i = 0; i < n; i++)
			vc_json_dev(&j, &devs[i]);
		vc_json_arr_end(&j);
		vc_json_done(&j);
	} else if (name) {
		vc_print_dev_detail(stdout, &devs[0]);
	} else if (n) {
		vc_print_dev_table(stdout, devs, (size_t)n);
	}
out:
	free(devs);
	vnl_close(&nl);
	return ret;
}

/* ---- dev set / set-throttle ---- */

static int dev_set(const char *name, const char *serial,
		   const struct limits *lim)
{
	struct vnl_set set = { .name = name, .serial = serial };
	struct vnl nl;
	int ret;

	if (nl_open_or_fail(&nl))
		return EXIT_KERNEL;
	/* "off" is the nest without limits. */
	set.throttle = lim->off || lim->any;
	memcpy(set.thr, lim->thr, sizeof(set.thr));
	if (lim->any)
		memcpy(set.thr_set, lim->set, sizeof(set.thr_set));
	ret = vnl_dev_set(&nl, &set) ? kernel_error(&nl) : EXIT_OK;
	vnl_close(&nl);
	return ret;
}

static int cmd_dev_set(int argc, char **argv)
{
	const char *name = NULL, *serial = NULL;
	struct limits lim = { 0 };

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int r;

		if (is_help(a)) {
			usage_dev(stdout);
			return EXIT_OK;
		}
		r = parse_limit_arg(argc, argv, &i, &lim, "dev help");
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(a, "serial")) {
			if (i + 1 >= argc)
				return usage_error("dev help", "serial: missing value");
			serial = argv[++i];
		} else if (!strcmp(a, "throttle")) {
			if (i + 1 >= argc || strcmp(argv[i + 1], "off"))
				return usage_error("dev help",
						   "throttle: only \"throttle off\" is valid");
			lim.off = true;
			i++;
		} else if (!name) {
			name = a;
		} else {
			return usage_error("dev help", "unknown argument \"%s\"", a);
		}
	}
	if (!name)
		return usage_error("dev help", "dev set: missing NAME");
	if (lim.off && lim.any)
		return usage_error("dev help", "\"throttle off\" and limits together");
	if (!serial && !lim.any && !lim.off)
		return usage_error("dev help", "dev set: nothing to change");
	return dev_set(name, serial, &lim);
}

static int cmd_set_throttle(int argc, char **argv)
{
	struct limits lim = { 0 };
	const char *name = NULL;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int r;

		if (is_help(a)) {
			usage_throttle(stdout);
			return EXIT_OK;
		}
		r = parse_limit_arg(argc, argv, &i, &lim, "set-throttle help");
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(a, "off") && name)
			lim.off = true;
		else if (!name)
			name = a;
		else
			return usage_error("set-throttle help",
					   "unknown argument \"%s\"", a);
	}
	if (!name)
		return usage_error("set-throttle help", "set-throttle: missing NAME");
	if (lim.off && lim.any)
		return usage_error("set-throttle help", "\"off\" and limits together");
	if (!lim.off && !lim.any)
		return usage_error("set-throttle help",
				   "set-throttle: give limits or \"off\"");
	return dev_set(name, NULL, &lim);
}

/* ---- stats ---- */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
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

	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int cmd_stats(int argc, char **argv)
{
	uint64_t interval = 0, count = 0;
	struct vnl_dev *cur, *prev;
	const char *name = NULL;
	struct vc_json j;
	struct vnl nl;
	int ret = EXIT_OK;
	double t0, t1;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (is_help(a)) {
			usage_stats(stdout);
			return EXIT_OK;
		}
		if (!strcmp(a, "-w")) {
			if (parse_num("-w", v, &interval, "stats help"))
				return EXIT_USAGE;
			if (!interval || interval > 86400)
				return usage_error("stats help",
						   "-w: SECONDS must be 1 to 86400");
			i++;
		} else if (!strcmp(a, "-c")) {
			if (parse_num("-c", v, &count, "stats help"))
				return EXIT_USAGE;
			if (!count)
				return usage_error("stats help", "-c: COUNT must be positive");
			i++;
		} else if (!name) {
			name = a;
		} else {
			return usage_error("stats help", "unknown argument \"%s\"", a);
		}
	}
	if (!name)
		return usage_error("stats help", "stats: missing NAME");
	if (count && !interval)
		return usage_error("stats help", "-c needs -w");

	cur = calloc(2, sizeof(*cur));
	if (!cur)
		return EXIT_KERNEL;
	prev = cur + 1;
	if (nl_open_or_fail(&nl)) {
		free(cur);
		return EXIT_KERNEL;
	}
	vc_json_init(&j, stdout, pretty);
	if (vnl_dev_get(&nl, name, cur)) {
		ret = kernel_error(&nl);
		goto out;
	}
	if (!interval) {
		if (json) {
			vc_json_obj_start(&j, NULL);
			vc_json_str(&j, "name", cur->name);
			vc_json_u64(&j, "id", cur->id);
			vc_json_stats(&j, cur);
			vc_json_obj_end(&j);
			vc_json_done(&j);
		} else {
			printf("%s (id %" PRIu32 ")\n", cur->name, cur->id);
			vc_print_stats(stdout, cur);
		}
		goto out;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!json) {
		printf("%s (id %" PRIu32 "), every %" PRIu64 " s\n", cur->name,
		       cur->id, interval);
		vc_print_rates_header(stdout);
	}
	t0 = now_sec();
	for (uint64_t n = 0; !stop && (!count || n < count); n++) {
		sleep_sec((double)interval);
		if (stop)
			break;
		*prev = *cur;
		if (vnl_dev_get(&nl, name, cur)) {
			ret = kernel_error(&nl);
			break;
		}
		t1 = now_sec();
		if (json)
			vc_json_rates(&j, prev, cur, t1 - t0);
		else
			vc_print_rates(stdout, prev, cur, t1 - t0);
		t0 = t1;
	}
out:
	free(cur);
	vnl_close(&nl);
	return ret;
}

/* ---- monitor ---- */

struct mon_state {
	uint64_t count;
	uint64_t seen;
	struct vc_json j;
};

static void on_event(struct mon_state *m, const struct vnl_event *ev)
{
	const char *what = vnl_event_name(ev->type);
	char unknown[32];

	if (!what) {
		snprintf(unknown, sizeof(unknown), "event-%" PRIu32, ev->type);
		what = unknown;
	}
	if (json) {
		vc_json_obj_start(&m->j, NULL);
		vc_json_str(&m->j, "event", what);
		vc_json_u64(&m->j, "id", ev->dev_id);
		vc_json_str(&m->j, "name", ev->dev_name);
		if (ev->queue >= 0)
			vc_json_u64(&m->j, "queue", (uint64_t)ev->queue);
		vc_json_obj_end(&m->j);
		vc_json_done(&m->j);
	} else {
		printf("%s %s (id %" PRIu32 ")", what, ev->dev_name, ev->dev_id);
		if (ev->queue >= 0)
			printf(" queue %" PRId64, ev->queue);
		putchar('\n');
		fflush(stdout);
	}
	m->seen++;
}

static int cmd_monitor(int argc, char **argv)
{
	struct mon_state m = { 0 };
	struct vnl_event ev;
	struct vnl nl;
	int ret;

	for (int i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			usage_monitor(stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "-c")) {
			if (parse_num("-c", i + 1 < argc ? argv[i + 1] : NULL,
				      &m.count, "monitor help"))
				return EXIT_USAGE;
			i++;
		} else {
			return usage_error("monitor help", "unknown argument \"%s\"",
					   argv[i]);
		}
	}
	if (nl_open_or_fail(&nl))
		return EXIT_KERNEL;
	ret = vnl_monitor_join(&nl);
	if (ret) {
		fprintf(stderr, "Error: cannot join the \"%s\" group: %s\n",
			VBLK_MCGRP_MONITOR, strerror(-ret));
		vnl_close(&nl);
		return EXIT_KERNEL;
	}
	vc_json_init(&m.j, stdout, pretty);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!stop && (!m.count || m.seen < m.count)) {
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
		on_event(&m, &ev);
	}
	vnl_close(&nl);
	return EXIT_OK;
}

/* ---- main ---- */

static int cmd_dev(int argc, char **argv)
{
	if (argc < 1)
		return cmd_dev_show(0, NULL);
	if (is_help(argv[0])) {
		usage_dev(stdout);
		return EXIT_OK;
	}
	if (matches(argv[0], "add"))
		return cmd_dev_add(argc - 1, argv + 1);
	if (matches(argv[0], "delete") || !strcmp(argv[0], "del"))
		return cmd_dev_del(argc - 1, argv + 1);
	if (matches(argv[0], "show") || matches(argv[0], "list"))
		return cmd_dev_show(argc - 1, argv + 1);
	if (matches(argv[0], "set"))
		return cmd_dev_set(argc - 1, argv + 1);
	return usage_error("dev help", "unknown command \"dev %s\"", argv[0]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *obj;
	int c;

	/* Options come before the object ("+": stop at the first word). */
	while ((c = getopt_long(argc, argv, "+jphV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'p':
			json = true;
			pretty = true;
			break;
		case 'h':
			usage_main(stdout);
			return EXIT_OK;
		case 'V':
			printf("vblkctl %s\n", VBLKCTL_VERSION);
			return EXIT_OK;
		default:
			usage_main(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	obj = argv[0];
	argc--;
	argv++;
	if (is_help(obj)) {
		usage_main(stdout);
		return EXIT_OK;
	}
	if (matches(obj, "dev") || !strcmp(obj, "device"))
		return cmd_dev(argc, argv);
	if (!strcmp(obj, "set-throttle"))
		return cmd_set_throttle(argc, argv);
	if (matches(obj, "stats") || !strcmp(obj, "statistics"))
		return cmd_stats(argc, argv);
	if (matches(obj, "monitor"))
		return cmd_monitor(argc, argv);
	return usage_error("help", "unknown object \"%s\"", obj);
}
