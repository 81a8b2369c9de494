// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl: manage vblk devices over the "vblk" generic netlink family.
 *
 * Exit status: 0 success, 1 usage error, 2 error from the kernel (or no
 * vblk module).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "vblkctl.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "raw", no_argument, NULL, 'r' },
		{ "stats", no_argument, NULL, 's' },
		{ "timestamp", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	bool version = false;
	int c;

	/* Options come before the object ("+": stop at the first word). */
	while ((c = getopt_long(argc, argv, "+jphVrst", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			vc_opt.json = true;
			break;
		case 'p':
			vc_opt.json = true;
			vc_opt.pretty = true;
			break;
		case 'r':
			vc_opt.raw = true;
			break;
		case 's':
			vc_opt.stats = true;
			break;
		case 't':
			vc_opt.timestamp = true;
			break;
		case 'h':
			vc_usage_main(stdout);
			return EXIT_OK;
		case 'V':
			version = true;
			break;
		default:
			vc_usage_main(stderr);
			return EXIT_USAGE;
		}
	}
	if (version)
		return vc_version();
	return vc_run(argc - optind, argv + optind);
}
