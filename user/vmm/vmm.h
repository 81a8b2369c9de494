/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk-vmm: a small reference VMM that boots a Linux guest under KVM and
 * hosts vblk disks.  This header holds what the source files share: the
 * guest-physical memory layout, the VM state and the helpers.
 *
 * Files:
 *   main.c     options, VM and vCPU setup, the vCPU run loop, exits
 *   boot.c     loading a bzImage through the x86 64-bit boot protocol
 *   mptable.c  the MP table that tells the guest about vCPUs and the IOAPIC
 *   serial.c   a 16550-compatible UART at 0x3f8 (IRQ 4) for the console
 *   disk.c     vblk disks: attach, ioeventfd/irqfd, MMIO forwarding
 */
#ifndef VBLK_VMM_H
#define VBLK_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

/*
 * Guest-physical memory layout.
 *
 *   0x00000500  GDT used for the 64-bit entry
 *   0x00007000  boot_params (the "zero page")
 *   0x00009000  page tables: PML4, PDPT, 4 page directories (0..4 GiB)
 *   0x00020000  kernel command line
 *   0x0009fc00  MP table (EBDA, reserved in the e820 map up to 1 MiB)
 *   0x00100000  protected-mode kernel (bzImage payload)
 *   ...         RAM; the initrd sits at the top of RAM below the hole
 *   0xc0000000  start of the 32-bit hole (no RAM up to 4 GiB)
 *   0xd0000000  virtio-mmio windows, 4 KiB each, one per disk
 *   0xfec00000  IOAPIC (in-kernel)
 *   0xfee00000  local APICs (in-kernel)
 *   0xfffbc000  KVM identity map page and TSS (3 pages)
 *   4 GiB       RAM above the hole, when --mem exceeds 3 GiB
 */
#define GDT_ADDR		0x500ULL
#define ZERO_PAGE_ADDR		0x7000ULL
#define BOOT_STACK_TOP		0x8ff0ULL
#define PML4_ADDR		0x9000ULL
#define PDPT_ADDR		0xa000ULL
#define PD_ADDR			0xb000ULL	/* four pages */
#define CMDLINE_ADDR		0x20000ULL
#define CMDLINE_MAX		0x10000ULL
#define EBDA_ADDR		0x9fc00ULL
#define HIGH_MEM_ADDR		0x100000ULL	/* 1 MiB */
#define HOLE_START		0xc0000000ULL
#define VIRTIO_MMIO_BASE	0xd0000000ULL
#define VIRTIO_MMIO_SIZE	0x1000ULL
#define IOAPIC_ADDR		0xfec00000ULL
#define LAPIC_ADDR		0xfee00000ULL
#define KVM_IDENTITY_MAP_ADDR	0xfffbc000ULL
#define KVM_TSS_ADDR		0xfffbd000ULL
#define FOUR_GIB		0x100000000ULL

/* I/O ports the VMM itself handles (everything else reads as all-ones). */
#define SERIAL_PORT		0x3f8	/* COM1, 8 registers */
#define SERIAL_IRQ		4
#define I8042_CMD_PORT		0x64	/* write 0xfe: pulse reset */
#define I8042_RESET		0xfe
#define RESET_CONTROL_PORT	0xcf9	/* write with bit 2 set: reset */
#define EXIT_PORT		0x501	/* write N: the VMM exits with N */

#define MAX_CPUS		8	/* the test kernel has NR_CPUS=8 */
#define MAX_DISKS		18	/* GSIs 5..23 without 8 */

/* Exit statuses besides the one the guest writes to EXIT_PORT. */
#define EXIT_VMM_ERROR		1	/* bad arguments, setup or KVM failure */
#define EXIT_GUEST_RESET	2	/* guest reset, without --reboot-exits */

/* Most virtqueues a disk can have (vblk's own limit). */
#define DISK_MAX_QUEUES		16

/* One vblk disk: its device node and the resources wired to it. */
struct disk {
	const char *name;	/* NAME of /dev/vblk/NAME */
	int fd;			/* the open device node */
	uint64_t base;		/* guest-physical base of its MMIO window */
	unsigned int gsi;	/* its interrupt line */
	unsigned int nqueues;	/* virtqueues of the device */
	int kick_fd[DISK_MAX_QUEUES];	/* eventfds: KVM ioeventfd -> vblk */
	int call_fd;		/* eventfd: vblk -> KVM irqfd */
};

struct vcpu {
	int id;
	int fd;
	struct kvm_run *run;	/* the mmap()ed shared run structure */
};

struct vm {
	int kvm_fd;
	int vm_fd;

	uint8_t *ram;		/* all guest RAM, one anonymous mapping */
	uint64_t ram_size;
	uint64_t low_size;	/* RAM at [0, low_size), below the hole */
	uint64_t high_size;	/* RAM at [4 GiB, 4 GiB + high_size) */

	int ncpus;
	struct vcpu vcpus[MAX_CPUS];
	struct kvm_cpuid2 *cpuid;	/* what KVM supports, shared by all */

	int ndisks;
	struct disk disks[MAX_DISKS];

	bool reboot_exits;
};

/* main.c */
void vmm_exit(int status) __attribute__((noreturn));
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void die_errno(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
void vm_irq_line(struct vm *vm, unsigned int gsi, int level);

/* boot.c */
void boot_load(struct vm *vm, const char *kernel, const char *initrd,
	       const char *cmdline);
void boot_setup_bsp(struct vm *vm, struct vcpu *vcpu);

/* mptable.c */
void mptable_write(struct vm *vm);

/* serial.c */
void serial_init(struct vm *vm);
void serial_io(uint16_t port, uint8_t *data, bool is_write);

/* disk.c */
unsigned int disk_gsi(int index);
void disk_attach(struct vm *vm, struct disk *disk);
bool disk_mmio(struct vm *vm, uint64_t addr, uint8_t *data, uint32_t len,
	       bool is_write);

#endif /* VBLK_VMM_H */
