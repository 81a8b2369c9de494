// SPDX-License-Identifier: GPL-2.0
/*
 * vblk-guest-exit: run inside a guest of vblk-vmm, end the VM with an exit
 * status.  vblk-vmm exits with the byte written to I/O port 0x501.
 *
 *   vblk-guest-exit [STATUS]      (STATUS 0..255, default 0)
 *
 * Returns only if the write did not stop the VM (not under vblk-vmm).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define VBLK_VMM_EXIT_PORT 0x501

int main(int argc, char **argv)
{
	unsigned long status = 0;
	char *end;

	if (argc > 2 || (argc == 2 && ((status = strtoul(argv[1], &end, 10)) > 255 ||
				       !*argv[1] || *end))) {
		fprintf(stderr, "usage: vblk-guest-exit [STATUS 0..255]\n");
		return 2;
	}
	if (ioperm(VBLK_VMM_EXIT_PORT, 1, 1)) {
		if (errno == ENOSYS)
			fprintf(stderr, "vblk-guest-exit: ioperm: the guest kernel lacks CONFIG_X86_IOPL_IOPERM\n");
		else
			perror("vblk-guest-exit: ioperm");
		return 1;
	}
	outb((unsigned char)status, VBLK_VMM_EXIT_PORT);
	fprintf(stderr, "vblk-guest-exit: the VM did not stop (not vblk-vmm?)\n");
	return 1;
}
