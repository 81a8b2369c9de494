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
#include <string.h>

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
		{ "batch", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *batch = NULL;
	bool version = false, force = false;
	int c;

	/* Options come before the object ("+": stop at the first word). */
	while (optind < argc) {
		/* iproute2's spelling of --force */
		if (!strcmp(argv[optind], "-force")) {
			force = true;
			optind++;
			continue;
		}
		c = getopt_long(argc, argv, "+jphVrstb:", opts, NULL);
		if (c == -1)
			break;
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
		case 'b':
			batch = optarg;
			break;
		case 'f':
			force = true;
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
	if (batch && optind < argc)
		return vc_usage_error("help", "-b takes its commands from %s, not \"%s\"",
				      batch, argv[optind]);
	if (batch)
		return vc_batch(batch, force);
	return vc_run(argc - optind, argv + optind);
}
