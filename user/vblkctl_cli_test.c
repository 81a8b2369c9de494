// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of vblkctl's command line without a kernel: what is
 * refused before anything is sent (exit status 1 and the message), help,
 * and the answer when the vblk module is not loaded (exit status 2).
 * Run under ASan and UBSan by `make -C user test`. Prints TAP.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "vblkctl.h"

struct run {
	int rc;
	char out[8192];
	char err[8192];
};

/* Read what was written to the temporary file @fd into @buf. */
static void slurp(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* @fn(@arg) with its stdout and stderr captured in @r. */
static void run_fn(struct run *r, int (*fn)(void *arg), void *arg)
{
	char tout[] = "/tmp/vblkctl-out-XXXXXX", terr[] = "/tmp/vblkctl-err-XXXXXX";
	int fo = mkstemp(tout), fe = mkstemp(terr);
	int so = dup(1), se = dup(2);

	unlink(tout);
	unlink(terr);
	fflush(stdout);
	fflush(stderr);
	dup2(fo, 1);
	dup2(fe, 2);
	r->rc = fn(arg);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(fo, r->out, sizeof(r->out));
	slurp(fe, r->err, sizeof(r->err));
}

static int run_words(void *arg)
{
	char **argv = arg;
	int argc = 0;

	while (argv[argc])
		argc++;
	return vc_run(argc, argv);
}

/* vc_run() on the NULL-terminated words, with stdout and stderr captured. */
static void run_argv(struct run *r, char **argv)
{
	run_fn(r, run_words, argv);
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#define RUN(r, ...) run_argv((r), (char *[]){ __VA_ARGS__, NULL })

/* The run ended with @rc and @text in stderr (or stdout for rc 0). */
static void expect(const struct run *r, int rc, const char *text,
		   const char *what)
{
	const char *where = rc ? r->err : r->out;

	ok(r->rc == rc && strstr(where, text), "%s: exit %d (want %d)", what,
	   r->rc, rc);
	if (r->rc != rc || !strstr(where, text))
		printf("#   want: %s\n#   stdout: %.300s\n#   stderr: %.300s\n",
		       text, r->out, r->err);
}

static void module_missing(void)
{
	struct stat st;
	struct run r;

	if (!stat("/sys/module/vblk", &st)) {
		ok(true, "# SKIP vblk is loaded on this host");
		return;
	}
	RUN(&r, "dev", "show");
	expect(&r, 2, "Error: the vblk module is not loaded (try: modprobe vblk)",
	       "dev show without the module");
	ok(lines(r.err) == 1, "one line only");
	RUN(&r, "monitor");
	expect(&r, 2, "the vblk module is not loaded", "monitor without the module");
}

/* Refused before anything is sent: the same on a host without vblk. */
static const struct {
	char *argv[12];
	int rc;
	const char *text;	/* in stderr (stdout for rc 0) */
	const char *what;
} cases[] = {
	{ { "dev", "add", "x", "backing", "/dev/null", "size", "1K", "size", "2K" },
	  1, "Error: duplicate keyword \"size\"", "size twice" },
	{ { "dev", "add", "x", "name", "y", "backing", "/dev/null" },
	  1, "Error: duplicate keyword \"name\"", "NAME and name NAME" },
	{ { "dev", "add", "name", "x", "name", "y" },
	  1, "Error: duplicate keyword \"name\"", "name twice" },
	{ { "dev", "add", "x", "ro", "read-only", "backing", "/dev/null" },
	  1, "Error: duplicate keyword \"ro\"", "ro and read-only" },
	{ { "dev", "add", "x", "backing", "/a", "backing", "/b" },
	  1, "Error: duplicate keyword \"backing\"", "backing twice" },
	{ { "dev", "add", "x", "iops", "5", "bps", "1", "iops", "6" },
	  1, "Error: duplicate keyword \"iops\"", "a limit twice" },
	{ { "dev", "del", "x", "force", "force" },
	  1, "Error: duplicate keyword \"force\"", "force twice" },
	{ { "dev", "set", "x", "serial", "a", "serial", "b" },
	  1, "Error: duplicate keyword \"serial\"", "dev set serial twice" },
	{ { "dev", "set", "x", "throttle", "off", "throttle", "off" },
	  1, "Error: duplicate keyword \"throttle\"", "throttle off twice" },
	{ { "stats", "x", "-w", "1", "-w", "2" },
	  1, "Error: duplicate keyword \"-w\"", "stats -w twice" },
	{ { "monitor", "-c", "1", "-c", "1" },
	  1, "Error: duplicate keyword \"-c\"\nTry 'vblkctl monitor help'.",
	  "monitor -c twice, with the help hint" },
	{ { "dev", "add", "x", "y" },
	  1, "Error: unknown argument \"y\"", "a second NAME" },
	{ { "dev", "add", "name", "x", "y" },
	  1, "Error: unknown argument \"y\"", "NAME after name NAME" },
	{ { "dev", "add", "name" }, 1, "Error: name: missing value", "name without NAME" },
	{ { "dev", "add", "backing", "/dev/null" }, 1, "Error: dev add: missing NAME",
	  "no NAME" },
	{ { "dev", "add", "name", "x", "backing", "/nonexistent/x" },
	  1, "Error: cannot open /nonexistent/x: No such file or directory",
	  "name NAME, then the backing is opened" },
	{ { "dev", "add", "x", "size", "1.5Gi" },
	  1, "Error: size: invalid value \"1.5Gi\": fractions", "a fraction" },
	{ { "dev", "add", "x", "backing", "/dev/null", "queues", "4294967296" },
	  1, "Error: queues: invalid value \"4294967296\": too large", "queues 2^32" },
	{ { "dev", "add", "x", "backing", "/dev/null", "queues", "-1" },
	  1, "Error: queues: invalid value \"-1\"", "queues -1" },
	{ { "dev", "help" }, 0, "vblkctl dev add [ name ] NAME backing PATH", "dev help" },
	{ { "dev", "add", "x", "help" }, 0, "Usage: vblkctl dev add", "dev add help" },
	{ { "dev", "set", "help" }, 0, "Usage: vblkctl dev add", "dev set help" },
	{ { "dev", "set", "x", "iops", "5", "help" }, 0, "Usage: vblkctl dev add",
	  "dev set ... help" },
	{ { "set-throttle", "help" }, 0, "set-throttle NAME ARGS is an alias",
	  "set-throttle help" },
};

static void usage_errors(void)
{
	struct run r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_argv(&r, (char **)cases[i].argv);
		expect(&r, cases[i].rc, cases[i].text, cases[i].what);
	}
}

/* set-throttle NAME ARGS prints what dev set NAME ARGS prints. */
static void same(char **alias, char **dev_set, const char *what)
{
	struct run a, b;

	run_argv(&a, alias);
	run_argv(&b, dev_set);
	ok(a.rc == b.rc && !strcmp(a.out, b.out) && !strcmp(a.err, b.err),
	   "set-throttle is dev set: %s (exit %d)", what, a.rc);
	if (a.rc != b.rc || strcmp(a.err, b.err))
		printf("#   alias: %.200s\n#   dev set: %.200s\n", a.err, b.err);
}

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

static void throttle_alias(void)
{
	same(ARGV("set-throttle", "x"), ARGV("dev", "set", "x"), "nothing to change");
	same(ARGV("set-throttle", "x", "off", "iops", "5"),
	     ARGV("dev", "set", "x", "throttle", "off", "iops", "5"),
	     "off and limits together");
	same(ARGV("set-throttle", "x", "iops", "10Q"),
	     ARGV("dev", "set", "x", "iops", "10Q"), "a bad number");
	same(ARGV("set-throttle", "x", "iops", "5", "bps", "1Mi"),
	     ARGV("dev", "set", "x", "iops", "5", "bps", "1Mi"), "limits");
	same(ARGV("set-throttle", "x", "off"),
	     ARGV("dev", "set", "x", "throttle", "off"), "off");
	same(ARGV("set-throttle", "help"), ARGV("dev", "set", "help"), "help");
}

static int run_version(void *arg)
{
	(void)arg;
	return vc_version();
}

/* -V: the build's version, and the family's (not loaded here). */
static void version(void)
{
	struct stat st;
	struct run r;
	char *out = r.out;

	run_fn(&r, run_version, NULL);
	ok(r.rc == 0 && !strncmp(out, "vblkctl " VBLK_VERSION "\n", strlen(VBLK_VERSION) + 9) &&
	   strcmp(VBLK_VERSION, "unknown") && VBLK_VERSION[0],
	   "-V: vblkctl %s, from the build", VBLK_VERSION);
	if (stat("/sys/module/vblk", &st))
		ok(strstr(out, "\nvblk netlink family: not loaded (vblkctl speaks version 1)\n") != NULL,
		   "-V without the module: the family is not loaded");
	else
		ok(strstr(out, "\nvblk netlink family version ") != NULL,
		   "-V: the family's version");
}

static void split(void)
{
	char line[] = "  dev add 'a b' \"c'd\" e\"f g\"h # comment\n", l2[] = "x 'y",
	     l3[] = "# only a comment", l4[] = "a b c";
	char *argv[8];
	int n = vc_split(line, argv, 8);

	ok(n == 5 && !strcmp(argv[0], "dev") && !strcmp(argv[2], "a b") &&
	   !strcmp(argv[3], "c'd") && !strcmp(argv[4], "ef gh"),
	   "batch line: words, both quotes, quotes inside a word, comment (%d)", n);
	ok(vc_split(l2, argv, 8) == -1, "unterminated quote");
	ok(vc_split(l3, argv, 8) == 0, "a comment line has no words");
	ok(vc_split(l4, argv, 2) == -1, "more words than allowed");
}

static char batch_path[] = "/tmp/vblkctl-batch-XXXXXX";

static int run_batch(void *force)
{
	return vc_batch(batch_path, *(bool *)force);
}

/* vc_batch() on a file holding @text, stdout and stderr captured. */
static void batch(struct run *r, const char *text, bool force)
{
	int fd;

	strcpy(batch_path, "/tmp/vblkctl-batch-XXXXXX");
	fd = mkstemp(batch_path);
	ok(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "batch file written");
	close(fd);
	run_fn(r, run_batch, &force);
	unlink(batch_path);
}

static void batches(void)
{
	static const char usage_first[] =
		"# recreate the disks\n\n"
		"dev add x backing /dev/null size 1 size 2\n"
		"dev help\n";
	static const char kernel_then_usage[] =
		"monitor help\n"
		"dev show\n"
		"dev add 'unterminated\n"
		"stats help\n";
	struct run r;

	batch(&r, usage_first, false);
	ok(r.rc == 1 && strstr(r.err, "Error: duplicate keyword \"size\"") &&
	   strstr(r.err, ":3: command failed, batch stopped (-force goes on)\n") &&
	   !strstr(r.out, "Usage"),
	   "-b: stops at the first failure, with its line number and status");
	batch(&r, usage_first, true);
	ok(r.rc == 1 && strstr(r.err, ":3: command failed\n") &&
	   strstr(r.out, "Usage: vblkctl dev add"),
	   "-b -force: goes on after it");
	if (access("/sys/module/vblk", F_OK)) {
		batch(&r, kernel_then_usage, true);
		ok(r.rc == 2 && strstr(r.err, ":2: command failed\n") &&
		   strstr(r.err, ":3: command failed\n") &&
		   strstr(r.err, "unterminated quote") &&
		   strstr(r.out, "Usage: vblkctl [ -t ] monitor") &&
		   strstr(r.out, "Usage: vblkctl stats"),
		   "-b -force: every line runs, the status is the worst (2)");
		batch(&r, kernel_then_usage, false);
		ok(r.rc == 2 && strstr(r.err, ":2: command failed, batch stopped") &&
		   !strstr(r.out, "Usage: vblkctl stats"), "-b: a kernel error stops it");
	}
	batch(&r, "", false);
	ok(r.rc == 0 && !r.out[0] && !r.err[0], "-b: an empty file does nothing");
	ok(vc_batch("/nonexistent/batch", false) == 1, "-b: a missing file is a usage error");
}

int main(void)
{
	printf("TAP version 13\n");
	module_missing();
	usage_errors();
	throttle_alias();
	version();
	split();
	batches();
	return unit_done();
}
