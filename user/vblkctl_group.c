// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl: the "group" object (add, del, show, set): limit groups whose
 * buckets several devices share.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vblkctl.h"

#define GKEY(attr)	vnl_attr_name(VNL_ATTRS_GROUP, VBLK_A_GROUP_##attr)
#define GHINT		"group help"

void vc_usage_group(FILE *f)
{
	fputs("Usage: vblkctl group add NAME [ LIMITS ]\n"
	      "       vblkctl group del NAME\n"
	      "       vblkctl group show [ NAME ]\n"
	      "       vblkctl group set NAME { LIMITS | throttle off }\n"
	      "       vblkctl dev set DISK group { NAME | none }\n"
	      "LIMITS := [ iops N ] [ iops-burst N ] [ bps N ] [ bps-burst N ]\n"
	      "          [ iops-read N ] [ iops-read-burst N ] [ iops-write N ]\n"
	      "          [ iops-write-burst N ] [ bps-read N ] [ bps-read-burst N ]\n"
	      "          [ bps-write N ] [ bps-write-burst N ]\n"
	      "The devices of a group share its buckets, in addition to their own\n"
	      "limits, and take turns when they are short. A group with devices\n"
	      "cannot be deleted. NAME: as a device name, not \"none\".\n", f);
}

/* One group: "key value" lines, or one JSON object. */
static void render_group(const struct vnl_group *g)
{
	char fmt[64];

	vc_obj_open(NULL);
	vc_print_str(VC_ANY, GKEY(NAME), "%s\n", g->name);
	vc_print_u64(VC_ANY, GKEY(ID), "  id                       %s\n", g->id);
	vc_print_u64(VC_ANY, GKEY(MEMBERS), "  members                  %s", g->members);
	vc_arr_open(GKEY(MEMBER));
	for (unsigned int i = 0; i < g->nmember; i++)
		vc_print_str(VC_ANY, NULL, i ? " %s" : " (%s", g->member[i]);
	vc_arr_close();
	vc_print_text(g->nmember ? ")\n" : "\n");
	vc_render_throttle(g->thr);
	snprintf(fmt, sizeof(fmt), "  %-24s %%s\n", "waiting");
	vc_print_u64(VC_ANY, GKEY(WAITING), fmt, g->waiting);
	snprintf(fmt, sizeof(fmt), "  %-24s %%s\n", "ops");
	vc_print_u64(VC_ANY, GKEY(OPS), fmt, g->ops);
	snprintf(fmt, sizeof(fmt), "  %-24s %%s\n", "bytes");
	vc_print_size(VC_ANY, GKEY(BYTES), fmt, g->bytes);
	snprintf(fmt, sizeof(fmt), "  %-24s %%s\n", "waits");
	vc_print_u64(VC_ANY, GKEY(WAITS), fmt, g->waits);
	vc_obj_close();
}

/* Every group: a table, or a JSON array. */
static void render_groups(const struct vnl_group *gs, int n)
{
	char thr[256];

	if (vc_opt.json) {
		vc_arr_open(NULL);
		for (int i = 0; i < n; i++)
			render_group(&gs[i]);
		vc_arr_close();
		return;
	}
	if (n)
		vc_print_text("%-5s %-16s %7s %7s %s\n", "ID", "NAME", "MEMBERS",
			      "WAITING", "THROTTLE");
	for (int i = 0; i < n; i++) {
		vc_fmt_throttle(gs[i].thr, thr, sizeof(thr));
		vc_print_text("%-5" PRIu32 " %-16s %7" PRIu32 " %7" PRIu32 " %s\n",
			      gs[i].id, gs[i].name, gs[i].members, gs[i].waiting,
			      thr);
	}
}

/* NAME and LIMITS (or "throttle off" when @off_ok) of add and set. */
static int parse_group_args(int argc, char **argv, const char **name,
			    struct vc_limits *lim, bool off_ok)
{
	for (int i = 0; i < argc; i++) {
		int r = vc_parse_limit(argc, argv, &i, lim, GHINT);

		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (vc_is_help(argv[i])) {
			vc_usage_group(stdout);
			return -1;
		}
		if (off_ok && !strcmp(argv[i], "throttle")) {
			if (i + 1 >= argc || strcmp(argv[i + 1], "off"))
				return vc_usage_error(GHINT,
						      "throttle: only \"throttle off\" is valid");
			if (vc_once(&lim->seen, "throttle", GHINT))
				return EXIT_USAGE;
			lim->off = true;
			i++;
			continue;
		}
		if (vc_name_arg(name, argv[i], GHINT))
			return EXIT_USAGE;
	}
	if (!*name)
		return vc_usage_error(GHINT, "missing NAME");
	if (lim->off && lim->any)
		return vc_usage_error(GHINT, "\"throttle off\" and limits together");
	return 0;
}

static int cmd_group_add_set(int argc, char **argv, bool add)
{
	struct vc_limits lim = { 0 };
	const char *name = NULL;
	struct vnl nl;
	int ret = parse_group_args(argc, argv, &name, &lim, !add);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (!add && !lim.any && !lim.off)
		return vc_usage_error(GHINT, "group set: nothing to change");
	if (vc_open(&nl))
		return EXIT_KERNEL;
	if (add)
		ret = vnl_group_add(&nl, name, lim.thr, lim.any ? lim.set : NULL,
				    NULL);
	else
		ret = vnl_group_set(&nl, name, lim.thr, lim.set);
	ret = ret ? vc_kernel_error(&nl) : EXIT_OK;
	vnl_close(&nl);
	return ret;
}

/* A command that takes NAME alone: 0, -1 after the help, or EXIT_USAGE. */
static int name_args(int argc, char **argv, const char **name)
{
	for (int i = 0; i < argc; i++) {
		if (vc_is_help(argv[i])) {
			vc_usage_group(stdout);
			return -1;
		}
		if (vc_name_arg(name, argv[i], GHINT))
			return EXIT_USAGE;
	}
	return 0;
}

static int cmd_group_del(int argc, char **argv)
{
	const char *name = NULL;
	struct vnl nl;
	int ret = name_args(argc, argv, &name);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (!name)
		return vc_usage_error(GHINT, "group del: missing NAME");
	if (vc_open(&nl))
		return EXIT_KERNEL;
	ret = vnl_group_del(&nl, name) ? vc_kernel_error(&nl) : EXIT_OK;
	vnl_close(&nl);
	return ret;
}

static int cmd_group_show(int argc, char **argv)
{
	struct vnl_group *gs = NULL;
	const char *name = NULL;
	int n = 0, ret = name_args(argc, argv, &name);
	struct vnl nl;

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (vc_open(&nl))
		return EXIT_KERNEL;
	if (name) {
		gs = calloc(1, sizeof(*gs));
		if (!gs || vnl_group_get(&nl, name, gs)) {
			ret = gs ? vc_kernel_error(&nl) : EXIT_KERNEL;
			goto out;
		}
		n = 1;
	} else if (vnl_group_dump(&nl, &gs, &n)) {
		ret = vc_kernel_error(&nl);
		goto out;
	}
	vc_out_begin(stdout);
	if (name) {
		/* In JSON a list, as without NAME. */
		vc_arr_open(NULL);
		render_group(&gs[0]);
		vc_arr_close();
	} else {
		render_groups(gs, n);
	}
	vc_out_end();
out:
	free(gs);
	vnl_close(&nl);
	return ret;
}

int vc_cmd_group(int argc, char **argv)
{
	if (argc < 1)
		return cmd_group_show(0, NULL);
	if (vc_is_help(argv[0])) {
		vc_usage_group(stdout);
		return EXIT_OK;
	}
	if (vc_matches(argv[0], "add"))
		return cmd_group_add_set(argc - 1, argv + 1, true);
	if (vc_matches(argv[0], "delete") || !strcmp(argv[0], "del"))
		return cmd_group_del(argc - 1, argv + 1);
	if (vc_matches(argv[0], "show") || vc_matches(argv[0], "list"))
		return cmd_group_show(argc - 1, argv + 1);
	if (vc_matches(argv[0], "set"))
		return cmd_group_add_set(argc - 1, argv + 1, false);
	return vc_usage_error(GHINT, "unknown command \"group %s\"", argv[0]);
}
