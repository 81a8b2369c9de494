// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl's command line: the objects and their help, and what every
 * command shares (errors, numbers, the netlink socket).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vblkctl.h"

int vc_usage_error(const char *hint, const char *fmt, ...)
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

int vc_kernel_error(struct vnl *v)
{
	fprintf(stderr, "Error: %s\n", v->err ? vnl_error(v) : strerror(EIO));
	return EXIT_KERNEL;
}

/* @arg is a (non-empty) prefix of @word, as in iproute2. */
bool vc_matches(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	return len && len <= strlen(word) && !strncmp(arg, word, len);
}

bool vc_is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

/* ---- help ---- */

void vc_usage_main(FILE *f)
{
	fputs("Usage: vblkctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
	      "       vblkctl [OPTIONS] dev { add | del | show | set | help }\n"
	      "       vblkctl [OPTIONS] set-throttle NAME { LIMITS | off }\n"
	      "       vblkctl [OPTIONS] group { add | del | show | set | help }\n"
	      "       vblkctl [OPTIONS] stats NAME [ -w SECONDS [ -c COUNT ] ]\n"
	      "       vblkctl [OPTIONS] monitor [ -c COUNT ]\n"
	      "       vblkctl [OPTIONS] -b FILE\n"
	      "OPTIONS: -j, --json          JSON output (keys: the netlink spec's names)\n"
	      "         -p, --pretty        indented JSON (implies -j)\n"
	      "         -s, --stats         dev show: with the counters\n"
	      "         -t, --timestamp     monitor: the time of each event\n"
	      "         -r, --raw           exact numbers (bytes, bytes/s) in text\n"
	      "         -b, --batch FILE    one command per line of FILE (-: stdin),\n"
	      "                             stopping at the first that fails\n"
	      "         -force, --force     with -b: go on after a failure\n"
	      "         -V, --version       vblkctl's and the kernel family's version\n"
	      "         -h, --help          this text (or: vblkctl OBJECT help)\n"
	      "set-throttle NAME ARGS is an alias of dev set NAME ARGS.\n"
	      "Numbers take K M G T (x1000) or Ki Mi Gi Ti (x1024) suffixes.\n"
	      "Exit status: 0 success, 1 usage error, 2 kernel error.\n", f);
}

void vc_usage_dev(FILE *f)
{
	fputs("Usage: vblkctl dev add [ name ] NAME backing PATH [ size SIZE ] [ ro ]\n"
	      "                         [ direct ] [ serial SERIAL ] [ queues N ]\n"
	      "                         [ cache { writeback | writethrough } ] [ LIMITS ]\n"
	      "       vblkctl dev del NAME [ force ]\n"
	      "       vblkctl [ -s ] dev show [ NAME ]\n"
	      "       vblkctl dev set NAME [ serial SERIAL ] [ size SIZE ]\n"
	      "                         [ group { GROUP | none } ] [ LIMITS | throttle off ]\n"
	      "       vblkctl set-throttle NAME { LIMITS | off }\n"
	      "LIMITS := [ iops N ] [ iops-burst N ] [ bps N ] [ bps-burst N ]\n"
	      "          [ iops-read N ] [ iops-read-burst N ] [ iops-write N ]\n"
	      "          [ iops-write-burst N ] [ bps-read N ] [ bps-read-burst N ]\n"
	      "          [ bps-write N ] [ bps-write-burst N ]\n"
	      "The limits given replace the device's whole throttle setting (a limit\n"
	      "not given is removed); a burst defaults to one second's worth. A\n"
	      "request must fit the totals and its direction's limits (writes,\n"
	      "write zeroes, discards and flushes are writes).\n"
	      "set-throttle NAME ARGS is an alias of dev set NAME ARGS (off: throttle off).\n"
	      "NAME: 1-31 characters from A-Z a-z 0-9 _ . -\n"
	      "SIZE: bytes, a multiple of 512 (default: the backing size); dev set\n"
	      "      resizes a live device (the guest sees the new size at once)\n"
	      "cache: the cache mode a guest starts in (default writeback; a guest\n"
	      "       driver may switch it)\n"
	      "group: share the limits of a limit group (vblkctl group help)\n"
	      "ro: read-only device (PATH is opened read-only)\n"
	      "direct: open PATH with O_DIRECT (bypass the page cache)\n"
	      "queues: number of virtqueues, 1 to 16 (default 1)\n"
	      "force: delete even while a VMM is attached (detaches it)\n"
	      "Each keyword may be given once.\n", f);
}

void vc_usage_stats(FILE *f)
{
	fputs("Usage: vblkctl stats NAME [ -w SECONDS [ -c COUNT ] ]\n"
	      "Without -w: print the device's counters once, then its latency\n"
	      "histograms: count, mean, p50, p90, p99 and p99.9 per kind of\n"
	      "request (estimated from log2 buckets; JSON gives the buckets).\n"
	      "-w SECONDS: every SECONDS, print per-second rates and the read and\n"
	      "            write p50 and p99 of the interval (until interrupted,\n"
	      "            or COUNT lines with -c).\n", f);
}

void vc_usage_monitor(FILE *f)
{
	fputs("Usage: vblkctl [ -t ] monitor [ -c COUNT ]\n"
	      "Print device events (add, del, change, attach, detach,\n"
	      "throttle-start, throttle-stop, queue-broken) as they happen;\n"
	      "stop after COUNT events with -c. With -t, each starts with the\n"
	      "local time it arrived at ([2026-12-03T09:35:41.123456]; JSON:\n"
	      "\"timestamp\", seconds since the epoch).\n", f);
}

/* ---- arguments ---- */

int vc_parse_num(const char *key, const char *val, uint64_t *out,
		     const char *hint)
{
	const char *why;

	if (!val)
		return vc_usage_error(hint, "%s: missing value", key);
	if (vc_parse_u64(val, out, &why))
		return vc_usage_error(hint, "%s: invalid value \"%s\": %s", key, val,
				   why);
	return 0;
}

int vc_name_arg(const char **name, const char *a, const char *hint)
{
	if (*name)
		return vc_usage_error(hint, "unknown argument \"%s\"", a);
	*name = a;
	return 0;
}

int vc_once(struct vc_seen *s, const char *key, const char *hint)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->key[i], key))
			return vc_usage_error(hint, "duplicate keyword \"%s\"", key);
	if (s->n < VC_SEEN_MAX)
		s->key[s->n++] = key;
	return 0;
}

int vc_open(struct vnl *v)
{
	int ret = vnl_open(v);

	if (ret == -ENOENT) {
		fputs("Error: the vblk module is not loaded (try: modprobe vblk)\n",
		      stderr);
		return EXIT_KERNEL;
	}
	return ret ? vc_kernel_error(v) : 0;
}

/* ---- objects ---- */

#ifndef VBLK_VERSION
#define VBLK_VERSION "unknown"
#endif

int vc_version(void)
{
	int ver = -ENOENT;
	struct vnl v;

	printf("vblkctl %s\n", VBLK_VERSION);
	if (!vnl_open(&v)) {
		ver = vnl_family_version(&v);
		vnl_close(&v);
	}
	if (ver >= 0)
		printf("vblk netlink family version %d (vblkctl speaks %d)\n",
		       ver, VBLK_FAMILY_VERSION);
	else
		printf("vblk netlink family: not loaded (vblkctl speaks version %d)\n",
		       VBLK_FAMILY_VERSION);
	return EXIT_OK;
}

int vc_run(int argc, char **argv)
{
	const char *obj;

	if (argc < 1) {
		vc_usage_main(stderr);
		return EXIT_USAGE;
	}
	obj = argv[0];
	argc--;
	argv++;
	if (vc_is_help(obj)) {
		vc_usage_main(stdout);
		return EXIT_OK;
	}
	if (vc_matches(obj, "dev") || !strcmp(obj, "device"))
		return vc_cmd_dev(argc, argv);
	if (!strcmp(obj, "set-throttle"))
		return vc_cmd_set_throttle(argc, argv);
	if (vc_matches(obj, "stats") || !strcmp(obj, "statistics"))
		return vc_cmd_stats(argc, argv);
	if (vc_matches(obj, "monitor"))
		return vc_cmd_monitor(argc, argv);
	if (vc_matches(obj, "group"))
		return vc_cmd_group(argc, argv);
	return vc_usage_error("help", "unknown object \"%s\"", obj);
}

/* ---- batch ---- */

int vc_split(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		char quote = 0;

		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = w;
		for (; *r; r++) {
			if (quote && *r == quote) {
				quote = 0;
			} else if (!quote && (*r == '"' || *r == '\'')) {
				quote = *r;
			} else if (!quote && (*r == ' ' || *r == '\t' ||
					      *r == '\n' || *r == '\r')) {
				break;
			} else {
				*w++ = *r;
			}
		}
		if (quote)
			return -1;
		if (*r)
			r++;
		*w++ = '\0';
	}
}

int vc_batch(const char *path, bool force)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	size_t cap = 0;
	char *line = NULL;
	int lineno = 0, worst = EXIT_OK;

	if (!f) {
		fprintf(stderr, "Error: cannot open %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	while (!vc_stop && getline(&line, &cap, f) >= 0) {
		char *argv[VC_BATCH_WORDS];
		int argc = vc_split(line, argv, VC_BATCH_WORDS), rc;

		lineno++;
		if (!argc)
			continue;
		if (argc < 0)
			rc = vc_usage_error(NULL, "unterminated quote or more than %d words",
					    VC_BATCH_WORDS);
		else
			rc = vc_run(argc, argv);
		if (rc == EXIT_OK)
			continue;
		if (rc > worst)
			worst = rc;
		if (!force) {
			fprintf(stderr, "Error: %s:%d: command failed, batch stopped (-force goes on)\n",
				path, lineno);
			break;
		}
		fprintf(stderr, "Error: %s:%d: command failed\n", path, lineno);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return worst;
}
