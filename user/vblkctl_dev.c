// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl: the "dev" object (add, del, show, set) and set-throttle.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vblkctl.h"

int vc_parse_limit(int argc, char **argv, int *i, struct vc_limits *l,
		   const char *hint)
{
	for (int k = 1; k <= VBLK_A_THROTTLE_MAX; k++) {
		const char *key = vnl_attr_name(VNL_ATTRS_THROTTLE, k);

		if (strcmp(argv[*i], key))
			continue;
		if (vc_once(&l->seen, key, hint) ||
		    vc_parse_num(key, *i + 1 < argc ? argv[*i + 1] : NULL,
				 &l->thr[k], hint))
			return -1;
		*i += 1;
		l->set[k] = true;
		l->any = true;
		return 1;
	}
	return 0;
}

enum { DEV_ARG_OTHER = -1, DEV_ARG_TAKEN = -2 };

/*
 * What dev add and dev set take alike at argv[*i]: help, or a limit and its
 * value. Returns DEV_ARG_OTHER for neither, DEV_ARG_TAKEN for a limit (*i
 * advanced past its value), or the exit status: EXIT_OK after the help,
 * EXIT_USAGE after an error.
 */
static int dev_common_arg(int argc, char **argv, int *i, struct vc_limits *l)
{
	int r;

	if (vc_is_help(argv[*i])) {
		vc_usage_dev(stdout);
		return EXIT_OK;
	}
	r = vc_parse_limit(argc, argv, i, l, "dev help");
	return r < 0 ? EXIT_USAGE : r ? DEV_ARG_TAKEN : DEV_ARG_OTHER;
}

/* ---- dev add ---- */

/* "writeback" or "writethrough": VBLK_CACHE_MODE_*, or -1 after the error. */
static int parse_cache(const char *v)
{
	if (!strcmp(v, "writeback"))
		return VBLK_CACHE_MODE_WRITEBACK;
	if (!strcmp(v, "writethrough"))
		return VBLK_CACHE_MODE_WRITETHROUGH;
	vc_usage_error("dev help",
		       "cache: invalid value \"%s\": writeback or writethrough", v);
	return -1;
}

static bool is_add_key(const char *a)
{
	static const char *const keys[] = {
		"name", "backing", "size", "serial", "ro", "direct", "queues",
		"cache",
	};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (!strcmp(a, keys[k]))
			return true;
	return false;
}

static int cmd_dev_add(int argc, char **argv)
{
	const char *name = NULL, *path = NULL, *serial = NULL;
	bool ro = false, direct = false, have_size = false, have_queues = false;
	int cache = -1;
	struct vc_limits lim = { 0 };
	uint64_t size = 0, queues = 0;
	struct vnl_add add;
	struct vnl_dev d;
	struct vnl nl;
	int fd, ret;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r = dev_common_arg(argc, argv, &i, &lim);

		if (r >= 0)
			return r;
		if (r == DEV_ARG_TAKEN)
			continue;
		if (!strcmp(a, "read-only"))
			a = "ro";	/* one keyword, two spellings */
		if (!is_add_key(a)) {
			/* NAME alone is "name NAME". */
			if (vc_name_arg(&name, a, "dev help") ||
			    vc_once(&lim.seen, "name", "dev help"))
				return EXIT_USAGE;
			continue;
		}
		if (vc_once(&lim.seen, a, "dev help"))
			return EXIT_USAGE;
		if (!strcmp(a, "ro")) {
			ro = true;
			continue;
		}
		if (!strcmp(a, "direct")) {
			direct = true;
			continue;
		}
		if (!v)
			return vc_usage_error("dev help", "%s: missing value", a);
		i++;
		if (!strcmp(a, "name")) {
			name = v;
		} else if (!strcmp(a, "backing")) {
			path = v;
		} else if (!strcmp(a, "serial")) {
			serial = v;
		} else if (!strcmp(a, "size")) {
			if (vc_parse_num("size", v, &size, "dev help"))
				return EXIT_USAGE;
			have_size = true;
		} else if (!strcmp(a, "cache")) {
			cache = parse_cache(v);
			if (cache < 0)
				return EXIT_USAGE;
		} else if (!strcmp(a, "queues")) {
			/* The kernel judges the range (and names queues). */
			if (vc_parse_num("queues", v, &queues, "dev help"))
				return EXIT_USAGE;
			if (queues > UINT32_MAX)
				return vc_usage_error("dev help",
						      "queues: invalid value \"%s\": too large (more than 2^32 - 1)",
						      v);
			have_queues = true;
		}
	}
	if (!name)
		return vc_usage_error("dev help", "dev add: missing NAME");
	if (!path)
		return vc_usage_error("dev help", "dev add: missing backing PATH");

	fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | (direct ? O_DIRECT : 0));
	if (fd < 0) {
		fprintf(stderr, "Error: cannot open %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (vc_open(&nl)) {
		close(fd);
		return EXIT_KERNEL;
	}
	add = VNL_ADD(name, fd);
	add.has_capacity = have_size;
	add.capacity = size;
	add.read_only = ro ? 1 : -1;
	add.serial = serial;
	add.has_queues = have_queues;
	add.queues = (uint32_t)queues;
	add.cache = cache;
	add.throttle = lim.any;
	memcpy(add.thr, lim.thr, sizeof(add.thr));
	memcpy(add.thr_set, lim.set, sizeof(add.thr_set));
	ret = vnl_dev_add(&nl, &add, NULL);
	close(fd);
	if (ret) {
		ret = vc_kernel_error(&nl);
		vnl_close(&nl);
		return ret;
	}
	if (vnl_dev_get(&nl, name, &d) == 0) {
		vc_out_begin(stdout);
		vc_render_added(&d);
		vc_out_end();
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
		if (vc_is_help(argv[i])) {
			vc_usage_dev(stdout);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "force") && force)
			return vc_usage_error("dev help", "duplicate keyword \"force\"");
		if (!strcmp(argv[i], "force"))
			force = true;
		else if (vc_name_arg(&name, argv[i], "dev help"))
			return EXIT_USAGE;
	}
	if (!name)
		return vc_usage_error("dev help", "dev del: missing NAME");
	if (vc_open(&nl))
		return EXIT_KERNEL;
	ret = vnl_dev_del(&nl, name, force) ? vc_kernel_error(&nl) : EXIT_OK;
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
	struct vnl nl;
	int n = 0;
	int ret = EXIT_OK;

	for (int i = 0; i < argc; i++) {
		if (vc_is_help(argv[i])) {
			vc_usage_dev(stdout);
			return EXIT_OK;
		}
		if (vc_name_arg(&name, argv[i], "dev help"))
			return EXIT_USAGE;
	}
	if (vc_open(&nl))
		return EXIT_KERNEL;
	if (name) {
		devs = calloc(1, sizeof(*devs));
		if (!devs || vnl_dev_get(&nl, name, devs)) {
			ret = devs ? vc_kernel_error(&nl) : EXIT_KERNEL;
			goto out;
		}
		n = 1;
	} else if (dump_devs(&nl, &devs, &n)) {
		ret = vc_kernel_error(&nl);
		goto out;
	}
	vc_out_begin(stdout);
	if (name) {
		/* In JSON a list, as without NAME. */
		vc_arr_open(NULL);
		vc_render_dev(&devs[0]);
		vc_arr_close();
	} else {
		vc_render_devs(devs, n);
	}
	vc_out_end();
out:
	free(devs);
	vnl_close(&nl);
	return ret;
}

/* ---- dev set / set-throttle ---- */

/* What dev set changes besides the limits. */
struct dev_set_args {
	const char *name;
	const char *serial;
	const char *group;	/* "" for none */
	bool has_size;
	uint64_t size;
};

static int dev_set(const struct dev_set_args *a, const struct vc_limits *lim)
{
	struct vnl_set set = {
		.name = a->name, .serial = a->serial, .group = a->group,
		.has_capacity = a->has_size, .capacity = a->size,
	};
	struct vnl nl;
	int ret;

	if (vc_open(&nl))
		return EXIT_KERNEL;
	/* "off" is the nest without limits. */
	set.throttle = lim->off || lim->any;
	memcpy(set.thr, lim->thr, sizeof(set.thr));
	if (lim->any)
		memcpy(set.thr_set, lim->set, sizeof(set.thr_set));
	ret = vnl_dev_set(&nl, &set) ? vc_kernel_error(&nl) : EXIT_OK;
	vnl_close(&nl);
	return ret;
}

/* The value of keyword argv[*i]: argv[*i + 1], or NULL after the error. */
static const char *set_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		vc_usage_error("dev help", "%s: missing value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static int cmd_dev_set(int argc, char **argv)
{
	struct dev_set_args a = { 0 };
	struct vc_limits lim = { 0 };
	const char *v;

	for (int i = 0; i < argc; i++) {
		const char *k = argv[i];
		int r = dev_common_arg(argc, argv, &i, &lim);

		if (r >= 0)
			return r;
		if (r == DEV_ARG_TAKEN)
			continue;
		if ((!strcmp(k, "serial") || !strcmp(k, "throttle") ||
		     !strcmp(k, "size") || !strcmp(k, "group")) &&
		    vc_once(&lim.seen, k, "dev help"))
			return EXIT_USAGE;
		if (!strcmp(k, "throttle")) {
			if (i + 1 >= argc || strcmp(argv[i + 1], "off"))
				return vc_usage_error("dev help",
						   "throttle: only \"throttle off\" is valid");
			lim.off = true;
			i++;
			continue;
		}
		if (strcmp(k, "serial") && strcmp(k, "size") && strcmp(k, "group")) {
			if (vc_name_arg(&a.name, k, "dev help"))
				return EXIT_USAGE;
			continue;
		}
		v = set_value(argc, argv, &i);
		if (!v)
			return EXIT_USAGE;
		if (!strcmp(k, "serial")) {
			a.serial = v;
		} else if (!strcmp(k, "group")) {
			a.group = strcmp(v, "none") ? v : "";
		} else {
			if (vc_parse_num("size", v, &a.size, "dev help"))
				return EXIT_USAGE;
			a.has_size = true;
		}
	}
	if (!a.name)
		return vc_usage_error("dev help", "dev set: missing NAME");
	if (lim.off && lim.any)
		return vc_usage_error("dev help", "\"throttle off\" and limits together");
	if (!a.serial && !a.group && !a.has_size && !lim.any && !lim.off)
		return vc_usage_error("dev help", "dev set: nothing to change");
	return dev_set(&a, &lim);
}

/*
 * "set-throttle NAME ARGS" is an alias of "dev set NAME ARGS", with "off"
 * for "throttle off": the same parsing, messages and output.
 */
int vc_cmd_set_throttle(int argc, char **argv)
{
	char **args = calloc((size_t)argc * 2 + 1, sizeof(*args));
	int n = 0, ret;

	if (!args)
		return EXIT_KERNEL;
	for (int i = 0; i < argc; i++) {
		if (i && !strcmp(argv[i], "off"))
			args[n++] = "throttle";
		args[n++] = argv[i];
	}
	ret = cmd_dev_set(n, args);
	free(args);
	return ret;
}

int vc_cmd_dev(int argc, char **argv)
{
	if (argc < 1)
		return cmd_dev_show(0, NULL);
	if (vc_is_help(argv[0])) {
		vc_usage_dev(stdout);
		return EXIT_OK;
	}
	if (vc_matches(argv[0], "add"))
		return cmd_dev_add(argc - 1, argv + 1);
	if (vc_matches(argv[0], "delete") || !strcmp(argv[0], "del"))
		return cmd_dev_del(argc - 1, argv + 1);
	if (vc_matches(argv[0], "show") || vc_matches(argv[0], "list"))
		return cmd_dev_show(argc - 1, argv + 1);
	if (vc_matches(argv[0], "set"))
		return cmd_dev_set(argc - 1, argv + 1);
	return vc_usage_error("dev help", "unknown command \"dev %s\"", argv[0]);
}
