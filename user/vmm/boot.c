// SPDX-License-Identifier: GPL-2.0
/*
 * Loading Linux through the x86 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst in the kernel tree).
 *
 * A bzImage is a real-mode setup part followed by the protected-mode
 * kernel.  A boot loader that enters at the 64-bit entry point skips the
 * real-mode part entirely:
 *
 *  1. copy the protected-mode part (the file after its (setup_sects + 1)
 *     sectors) to 1 MiB;
 *  2. fill a zeroed struct boot_params with the file's setup header, the
 *     command line pointer, the initrd address and size, and the e820 map;
 *  3. enter long mode with paging identity-mapping the kernel, boot_params,
 *     command line and initrd, a GDT with __BOOT_CS = 0x10 and
 *     __BOOT_DS = 0x18, interrupts off, RSI = &boot_params, at the load
 *     address + 0x200 (startup_64).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/bootparam.h>

#include "vmm.h"

#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2

#define SETUP_HEADER_OFFSET	0x1f1
#define BOOT_FLAG_MAGIC		0xaa55
#define HDRS_MAGIC		0x53726448	/* "HdrS" */
#define BOOT_PROTOCOL_MIN	0x020c		/* 2.12: xloadflags */
#define LOADER_TYPE_UNDEFINED	0xff
#define STARTUP_64_OFFSET	0x200

#define BOOT_CS			0x10
#define BOOT_DS			0x18

/* Page table entry bits. */
#define PTE_PRESENT		(1ULL << 0)
#define PTE_WRITE		(1ULL << 1)
#define PTE_HUGE		(1ULL << 7)

/* Control register and EFER bits for long mode. */
#define CR0_PE			(1ULL << 0)
#define CR0_ET			(1ULL << 4)
#define CR0_NE			(1ULL << 5)
#define CR0_PG			(1ULL << 31)
#define CR4_PAE			(1ULL << 5)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)

/* Read a whole file into a malloc()ed buffer. */
static uint8_t *read_file(const char *path, size_t *sizep)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open %s", path);
	if (fstat(fd, &st) < 0)
		die_errno("stat %s", path);
	if (!S_ISREG(st.st_mode))
		die("%s: not a regular file", path);
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		die("%s: out of memory for %lld bytes", path,
		    (long long)st.st_size);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("read %s", path);
		if (n == 0)
			die("%s: file shrank while reading", path);
		done += (size_t)n;
	}
	close(fd);
	*sizep = done;
	return buf;
}

/* Copy @len bytes to guest-physical @gpa, which must be RAM. */
static void copy_to_guest(struct vm *vm, uint64_t gpa, const void *src,
			  uint64_t len, const char *what)
{
	void *dst = gpa_to_hva(vm, gpa, len);

	if (!dst)
		die("%s (0x%llx bytes at 0x%llx) does not fit in guest RAM; raise --mem",
		    what, (unsigned long long)len, (unsigned long long)gpa);
	memcpy(dst, src, len);
}

static void add_e820(struct boot_params *bp, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	struct boot_e820_entry *e = &bp->e820_table[bp->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

/*
 * The e820 map: conventional memory below the EBDA (which holds the MP
 * table), the legacy BIOS area reserved, then RAM from 1 MiB to the hole
 * and from 4 GiB on.  Devices in the hole are not listed: no RAM there.
 */
static void setup_e820(struct vm *vm, struct boot_params *bp)
{
	bp->e820_entries = 0;
	add_e820(bp, 0, EBDA_ADDR, E820_TYPE_RAM);
	add_e820(bp, EBDA_ADDR, HIGH_MEM_ADDR - EBDA_ADDR, E820_TYPE_RESERVED);
	add_e820(bp, HIGH_MEM_ADDR, vm->low_size - HIGH_MEM_ADDR,
		 E820_TYPE_RAM);
	if (vm->high_size)
		add_e820(bp, FOUR_GIB, vm->high_size, E820_TYPE_RAM);
}

/*
 * Identity-map the first 4 GiB with 2 MiB pages: one PML4 entry, four PDPT
 * entries, four page directories.  The kernel builds its own tables early;
 * these only need to cover what it touches before then.
 */
static void setup_page_tables(struct vm *vm)
{
	uint64_t *pml4 = gpa_to_hva(vm, PML4_ADDR, 0x1000);
	uint64_t *pdpt = gpa_to_hva(vm, PDPT_ADDR, 0x1000);
	uint64_t *pd = gpa_to_hva(vm, PD_ADDR, 4 * 0x1000);
	uint64_t i;

	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	pml4[0] = PDPT_ADDR | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_ADDR + i * 0x1000) | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_HUGE;
}

/* GDT: null, unused, 64-bit code (0x10), flat data (0x18). */
static void setup_gdt(struct vm *vm)
{
	static const uint64_t gdt[] = {
		0,
		0,
		0x00af9b000000ffffULL,	/* code: L=1, P, DPL 0, exec/read */
		0x00cf93000000ffffULL,	/* data: G, D/B, P, DPL 0, read/write */
	};

	copy_to_guest(vm, GDT_ADDR, gdt, sizeof(gdt), "GDT");
}

void boot_load(struct vm *vm, const char *kernel, const char *initrd,
	       const char *cmdline)
{
	struct boot_params *bp;
	struct setup_header *hdr;
	size_t size, initrd_size = 0, hdr_len, cmdline_max;
	uint64_t setup_size, kernel_size, kernel_end, pref, align;
	uint64_t initrd_addr = 0, initrd_max;
	uint8_t *image, *rd = NULL;

	image = read_file(kernel, &size);
	if (size < 0x1000)
		die("%s: too small for a bzImage", kernel);
	hdr = (struct setup_header *)(image + SETUP_HEADER_OFFSET);
	if (hdr->boot_flag != BOOT_FLAG_MAGIC || hdr->header != HDRS_MAGIC)
		die("%s: not a bzImage (no boot sector flag or HdrS magic)",
		    kernel);
	if (hdr->version < BOOT_PROTOCOL_MIN)
		die("%s: boot protocol %u.%02u, need 2.12 or later", kernel,
		    hdr->version >> 8, hdr->version & 0xff);
	if (!(hdr->xloadflags & XLF_KERNEL_64))
		die("%s: kernel has no 64-bit entry point", kernel);
	if (!(hdr->loadflags & LOADED_HIGH))
		die("%s: kernel does not load at 1 MiB (not a bzImage)", kernel);

	setup_size = ((uint64_t)(hdr->setup_sects ? hdr->setup_sects : 4) + 1) * 512;
	if (setup_size >= size)
		die("%s: setup part (%llu bytes) is the whole file", kernel,
		    (unsigned long long)setup_size);
	kernel_size = size - setup_size;
	copy_to_guest(vm, HIGH_MEM_ADDR, image + setup_size, kernel_size,
		      "the kernel");

	/*
	 * The kernel decompresses itself into [pref_address, + init_size),
	 * or in place when loaded higher; keep the initrd clear of both.
	 */
	align = hdr->kernel_alignment ? hdr->kernel_alignment : 0x200000;
	pref = hdr->pref_address > HIGH_MEM_ADDR ? hdr->pref_address
						 : HIGH_MEM_ADDR;
	pref = (pref + align - 1) & ~(align - 1);
	kernel_end = pref + hdr->init_size;
	if (kernel_end < HIGH_MEM_ADDR + kernel_size)
		kernel_end = HIGH_MEM_ADDR + kernel_size;
	if (kernel_end > vm->low_size)
		die("the kernel needs 0x%llx bytes of RAM below 3 GiB; raise --mem",
		    (unsigned long long)kernel_end);

	/* boot_params: the setup header as the file has it, then ours. */
	bp = gpa_to_hva(vm, ZERO_PAGE_ADDR, sizeof(*bp));
	memset(bp, 0, sizeof(*bp));
	hdr_len = 0x202 + image[0x201] - SETUP_HEADER_OFFSET;
	if (hdr_len > sizeof(bp->hdr))
		hdr_len = sizeof(bp->hdr);
	memcpy(&bp->hdr, hdr, hdr_len);
	free(image);
	hdr = &bp->hdr;
	hdr->type_of_loader = LOADER_TYPE_UNDEFINED;
	hdr->loadflags &= ~(KEEP_SEGMENTS | QUIET_FLAG);

	/* Command line: must fit the kernel's limit, NUL included. */
	cmdline_max = hdr->cmdline_size < CMDLINE_MAX ? hdr->cmdline_size
						       : CMDLINE_MAX - 1;
	if (strlen(cmdline) > cmdline_max)
		die("command line is %zu bytes, the kernel takes at most %zu",
		    strlen(cmdline), cmdline_max);
	copy_to_guest(vm, CMDLINE_ADDR, cmdline, strlen(cmdline) + 1,
		      "command line");
	hdr->cmd_line_ptr = CMDLINE_ADDR;

	/* The initrd goes as high as the kernel allows, page aligned. */
	if (initrd) {
		rd = read_file(initrd, &initrd_size);
		initrd_max = (uint64_t)hdr->initrd_addr_max + 1;
		if (initrd_max > vm->low_size)
			initrd_max = vm->low_size;
		if (initrd_size > initrd_max ||
		    ((initrd_max - initrd_size) & ~0xfffULL) < kernel_end)
			die("initrd %s (%zu bytes) does not fit between the kernel and 0x%llx; raise --mem",
			    initrd, initrd_size, (unsigned long long)initrd_max);
		initrd_addr = (initrd_max - initrd_size) & ~0xfffULL;
		copy_to_guest(vm, initrd_addr, rd, initrd_size, "the initrd");
		free(rd);
		hdr->ramdisk_image = (uint32_t)initrd_addr;
		hdr->ramdisk_size = (uint32_t)initrd_size;
	}

	setup_e820(vm, bp);
	setup_page_tables(vm);
	setup_gdt(vm);
}

/* Registers for the boot vCPU: long mode at startup_64, RSI = boot_params. */
void boot_setup_bsp(struct vm *vm, struct vcpu *vcpu)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = BOOT_CS,
		.type = 0xb,	/* execute/read, accessed */
		.present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = BOOT_DS,
		.type = 0x3,	/* read/write, accessed */
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	(void)vm;
	/* Start from the reset state so TR and LDT stay valid. */
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		die_errno("vCPU %d: KVM_GET_SREGS", vcpu->id);
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.gdt.base = GDT_ADDR;
	sregs.gdt.limit = 4 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	sregs.cr3 = PML4_ADDR;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		die_errno("vCPU %d: KVM_SET_SREGS", vcpu->id);

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;	/* bit 1 is always set; IF clear */
	regs.rip = HIGH_MEM_ADDR + STARTUP_64_OFFSET;
	regs.rsi = ZERO_PAGE_ADDR;
	regs.rsp = BOOT_STACK_TOP;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		die_errno("vCPU %d: KVM_SET_REGS", vcpu->id);
}
