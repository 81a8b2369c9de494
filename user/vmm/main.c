// SPDX-License-Identifier: GPL-2.0
/*
 * vblk-vmm: a small reference VMM for vblk.
 *
 * It creates a KVM VM with an in-kernel interrupt controller and PIT, loads
 * a Linux bzImage with an initramfs, gives the guest a 16550 serial console
 * and one virtio-mmio window per vblk disk, and runs one thread per vCPU.
 * For the disks it only wires things together: vblk owns the whole device,
 * so the VMM knows nothing about virtio (see disk.c).
 *
 * Exit status: whatever the guest writes to I/O port 0x501 (one byte); 2
 * when the guest resets (reboot, triple fault), or 0 with --reboot-exits;
 * 1 for bad arguments and VMM or KVM errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

static struct vm the_vm;

/* ---------------------------------------------------------------------- */
/* Messages and exiting                                                    */

static void vmsg(const char *fmt, va_list ap, int err)
{
	char buf[512];
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		n = 0;
	if (err)
		fprintf(stderr, "vblk-vmm: %s: %s\n", buf, strerror(err));
	else
		fprintf(stderr, "vblk-vmm: %s\n", buf);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	vmm_exit(EXIT_VMM_ERROR);
}

/* Like die(), with strerror(errno) appended: for failed system calls. */
void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, err);
	va_end(ap);
	vmm_exit(EXIT_VMM_ERROR);
}

/*
 * End the process from any thread.  exit() must not run twice at once, so
 * the first caller takes the lock and never releases it; a second caller
 * blocks until exit() has ended every thread.  exit() runs the atexit
 * handlers (the serial console restores the terminal) and closing the
 * descriptors detaches the disks from vblk.
 */
void vmm_exit(int status)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&lock);
	exit(status);
}

/* A guest reset (reboot request, triple fault): the VMM never restarts. */
static void __attribute__((noreturn)) guest_reset(struct vm *vm,
						  const char *why)
{
	if (vm->reboot_exits) {
		warn("guest reset (%s), exiting", why);
		vmm_exit(0);
	}
	warn("guest reset (%s), exiting with status %d (--reboot-exits makes this 0)",
	     why, EXIT_GUEST_RESET);
	vmm_exit(EXIT_GUEST_RESET);
}

/* ---------------------------------------------------------------------- */
/* Guest memory and interrupts                                             */

/* Host address of guest-physical [gpa, gpa + len), or NULL if not RAM. */
void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa <= vm->low_size && len <= vm->low_size - gpa)
		return vm->ram + gpa;
	if (gpa >= FOUR_GIB && gpa - FOUR_GIB <= vm->high_size &&
	    len <= vm->high_size - (gpa - FOUR_GIB))
		return vm->ram + vm->low_size + (gpa - FOUR_GIB);
	return NULL;
}

/* Set an interrupt line of the in-kernel PIC/IOAPIC (used by the UART). */
void vm_irq_line(struct vm *vm, unsigned int gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		die_errno("KVM_IRQ_LINE gsi %u level %d", gsi, level);
}

/* ---------------------------------------------------------------------- */
/* VM setup                                                                */

static int kvm_check_cap(struct vm *vm, int cap)
{
	int ret = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? 0 : ret;
}

static void vm_create(struct vm *vm)
{
	static const struct { int cap; const char *name; } needed[] = {
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
		{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
		{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
		{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	};
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t map_addr = KVM_IDENTITY_MAP_ADDR;
	size_t i;
	int ret;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		die_errno("open /dev/kvm");
	ret = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION)
		die("KVM_GET_API_VERSION: got %d, need %d", ret, KVM_API_VERSION);
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!kvm_check_cap(vm, needed[i].cap))
			die("KVM lacks %s", needed[i].name);

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		die_errno("KVM_CREATE_VM");

	/*
	 * Intel VMX needs three pages for a real-mode TSS and one for an
	 * identity page table; both live in the hole below 4 GiB, away from
	 * RAM and devices.  The identity map must be set before any vCPU.
	 */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0)
		die_errno("KVM_SET_TSS_ADDR");
	if (kvm_check_cap(vm, KVM_CAP_SET_IDENTITY_MAP_ADDR) &&
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &map_addr) < 0)
		die_errno("KVM_SET_IDENTITY_MAP_ADDR");

	/* PIC + IOAPIC + local APICs in the kernel, then the PIT. */
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		die_errno("KVM_CREATE_IRQCHIP");
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		die_errno("KVM_CREATE_PIT2");
}

static void vm_set_region(struct vm *vm, uint32_t slot, uint64_t gpa,
			  uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die_errno("KVM_SET_USER_MEMORY_REGION slot %u (0x%llx+0x%llx)",
			  slot, (unsigned long long)gpa,
			  (unsigned long long)size);
}

/* Guest RAM: one mapping, split around the 32-bit hole into two slots. */
static void vm_setup_memory(struct vm *vm, uint64_t mib)
{
	vm->ram_size = mib << 20;
	vm->low_size = vm->ram_size < HOLE_START ? vm->ram_size : HOLE_START;
	vm->high_size = vm->ram_size - vm->low_size;

	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED)
		die_errno("mmap %llu MiB of guest RAM", (unsigned long long)mib);

	vm_set_region(vm, 0, 0, vm->low_size, vm->ram);
	if (vm->high_size)
		vm_set_region(vm, 1, FOUR_GIB, vm->high_size,
			      vm->ram + vm->low_size);
}

/* What KVM can offer the guest; each vCPU gets a copy (see vcpu_create). */
static void vm_get_cpuid(struct vm *vm)
{
	int nent = 64;

	for (;;) {
		vm->cpuid = calloc(1, sizeof(*vm->cpuid) +
				   nent * sizeof(vm->cpuid->entries[0]));
		if (!vm->cpuid)
			die("out of memory");
		vm->cpuid->nent = nent;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid) == 0)
			return;
		if (errno != E2BIG || nent >= 4096)
			die_errno("KVM_GET_SUPPORTED_CPUID");
		free(vm->cpuid);
		nent *= 2;
	}
}

/*
 * KVM_SET_CPUID2 with the supported set, patched with this vCPU's APIC ID
 * (leaf 1 EBX[31:24], the x2APIC ID of leaves 0xb/0x1f) and the hypervisor
 * bit, so the guest finds its topology and knows it runs under KVM, and
 * with the TSC-deadline timer, which KVM emulates but does not report as
 * supported: without it the guest's local APIC timer must be calibrated
 * against the PIT, which fails when nested under emulation, and the guest
 * falls back to the PIT for its timer events (three port I/O exits to
 * program each one).
 */
static void vcpu_set_cpuid(struct vm *vm, struct vcpu *vcpu)
{
	size_t size = sizeof(*vm->cpuid) +
		      vm->cpuid->nent * sizeof(vm->cpuid->entries[0]);
	struct kvm_cpuid2 *cpuid = malloc(size);
	uint32_t i;

	if (!cpuid)
		die("out of memory");
	memcpy(cpuid, vm->cpuid, size);
	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x00ffffff) | ((uint32_t)vcpu->id << 24);
			e->ecx |= 1U << 31;
			if (kvm_check_cap(vm, KVM_CAP_TSC_DEADLINE_TIMER))
				e->ecx |= 1U << 24;
			break;
		case 0xb:
		case 0x1f:
			e->edx = vcpu->id;
			break;
		}
	}
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0)
		die_errno("vCPU %d: KVM_SET_CPUID2", vcpu->id);
	free(cpuid);
}

static void vcpu_create(struct vm *vm, struct vcpu *vcpu, int id)
{
	int size;

	vcpu->id = id;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		die_errno("KVM_CREATE_VCPU %d", id);
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		die_errno("KVM_GET_VCPU_MMAP_SIZE");
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED)
		die_errno("vCPU %d: mmap kvm_run", id);
	vcpu_set_cpuid(vm, vcpu);
	/*
	 * Only the boot vCPU gets registers: the others wait in the
	 * in-kernel local APIC for the guest's INIT/SIPI, as on hardware.
	 */
	if (id == 0)
		boot_setup_bsp(vm, vcpu);
}

/* ---------------------------------------------------------------------- */
/* The vCPU run loop                                                       */

static void vcpu_dump(struct vcpu *vcpu)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0) {
		warn("vCPU %d: cannot read registers: %s", vcpu->id,
		     strerror(errno));
		return;
	}
	warn("vCPU %d: rip=0x%llx rsp=0x%llx rflags=0x%llx cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx",
	     vcpu->id, (unsigned long long)regs.rip,
	     (unsigned long long)regs.rsp, (unsigned long long)regs.rflags,
	     (unsigned long long)sregs.cr0, (unsigned long long)sregs.cr3,
	     (unsigned long long)sregs.cr4, (unsigned long long)sregs.efer);
}

/* One port access; @data holds @size bytes (read: to fill in). */
static void handle_io(struct vm *vm, uint16_t port, uint8_t *data,
		      uint8_t size, bool is_write)
{
	if (port >= SERIAL_PORT && port < SERIAL_PORT + 8 && size == 1) {
		serial_io(port, data, is_write);
		return;
	}
	if (is_write) {
		switch (port) {
		case EXIT_PORT:
			warn("guest requested exit status %u", data[0]);
			vmm_exit(data[0]);
		case I8042_CMD_PORT:
			if (data[0] == I8042_RESET)
				guest_reset(vm, "keyboard controller reset");
			break;
		case RESET_CONTROL_PORT:
			if (data[0] & 0x04)
				guest_reset(vm, "reset control register");
			break;
		}
		return;	/* writes to nothing are dropped */
	}
	/*
	 * An empty bus reads as all-ones.  That includes the i8042 status
	 * port: the guest's keyboard driver then finds no controller at once.
	 */
	memset(data, 0xff, size);
}

static void handle_mmio(struct vm *vm, struct vcpu *vcpu)
{
	static atomic_uint warnings;
	uint64_t addr = vcpu->run->mmio.phys_addr;
	uint32_t len = vcpu->run->mmio.len;
	bool is_write = vcpu->run->mmio.is_write;
	uint8_t *data = vcpu->run->mmio.data;

	if (len > sizeof(vcpu->run->mmio.data))
		len = sizeof(vcpu->run->mmio.data);
	if (disk_mmio(vm, addr, data, len, is_write))
		return;
	if (atomic_fetch_add(&warnings, 1) < 10)
		warn("vCPU %d: %s of %u bytes at 0x%llx: no device there",
		     vcpu->id, is_write ? "write" : "read", len,
		     (unsigned long long)addr);
	if (!is_write)
		memset(data, 0xff, len);
}

static void *vcpu_loop(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = &the_vm;
	struct kvm_run *run = vcpu->run;

	for (;;) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die_errno("vCPU %d: KVM_RUN", vcpu->id);
		}

		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			uint8_t *p = (uint8_t *)run + run->io.data_offset;
			uint32_t i;

			/* "rep ins/outs" arrive as several accesses. */
			for (i = 0; i < run->io.count; i++, p += run->io.size)
				handle_io(vm, run->io.port, p, run->io.size,
					  run->io.direction == KVM_EXIT_IO_OUT);
			break;
		}
		case KVM_EXIT_MMIO:
			handle_mmio(vm, vcpu);
			break;
		case KVM_EXIT_SHUTDOWN:
			guest_reset(vm, "triple fault or shutdown");
		case KVM_EXIT_SYSTEM_EVENT:
			switch (run->system_event.type) {
			case KVM_SYSTEM_EVENT_SHUTDOWN:
				warn("guest powered off");
				vmm_exit(0);
			case KVM_SYSTEM_EVENT_RESET:
				guest_reset(vm, "system event");
			default:
				die("vCPU %d: system event %u", vcpu->id,
				    run->system_event.type);
			}
			break;
		case KVM_EXIT_FAIL_ENTRY:
			vcpu_dump(vcpu);
			die("vCPU %d: KVM_RUN: entry failed, hardware reason 0x%llx",
			    vcpu->id, (unsigned long long)
			    run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			vcpu_dump(vcpu);
			die("vCPU %d: KVM_RUN: internal error, suberror %u",
			    vcpu->id, run->internal.suberror);
		default:
			vcpu_dump(vcpu);
			die("vCPU %d: KVM_RUN: unexpected exit reason %u",
			    vcpu->id, run->exit_reason);
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Options                                                                 */

static void usage(FILE *f)
{
	fprintf(f,
"usage: vblk-vmm --kernel BZIMAGE [options]\n"
"\n"
"Boot a Linux guest under KVM with a serial console on stdin/stdout and\n"
"vblk disks as virtio-mmio devices.\n"
"\n"
"  --kernel PATH     bzImage to boot (x86 64-bit boot protocol)\n"
"  --initrd PATH     initramfs to load\n"
"  --cmdline STR     kernel command line (default: \"console=ttyS0 panic=-1\");\n"
"                    one virtio_mmio.device=... per disk is appended\n"
"  --mem MIB         guest RAM in MiB (default 512)\n"
"  --cpus N          vCPUs, 1..%d (default 1)\n"
"  --disk NAME       attach the vblk disk /dev/vblk/NAME (repeatable, up to %d)\n"
"  --reboot-exits    a guest reboot ends the VMM with status 0 (default %d)\n"
"  --help            this text\n"
"\n"
"Exit status: the byte the guest writes to I/O port 0x%x; %d on a guest\n"
"reset without --reboot-exits; %d on bad arguments or a VMM/KVM error.\n",
		MAX_CPUS, MAX_DISKS, EXIT_GUEST_RESET, EXIT_PORT,
		EXIT_GUEST_RESET, EXIT_VMM_ERROR);
}

static void bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "vblk-vmm: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(EXIT_VMM_ERROR);
}

static unsigned long parse_num(const char *opt, const char *arg,
			       unsigned long min, unsigned long max)
{
	unsigned long val;
	char *end;

	errno = 0;
	val = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || val < min ||
	    val > max) {
		fprintf(stderr, "vblk-vmm: %s: '%s' is not a number in %lu..%lu\n",
			opt, arg, min, max);
		usage(stderr);
		exit(EXIT_VMM_ERROR);
	}
	return val;
}

/* The user's command line plus one virtio_mmio.device= per disk. */
static char *build_cmdline(struct vm *vm, const char *user)
{
	size_t cap = strlen(user) + 1 + (size_t)vm->ndisks * 64;
	char *s = malloc(cap);
	size_t len;
	int i;

	if (!s)
		die("out of memory");
	len = (size_t)snprintf(s, cap, "%s", user);
	for (i = 0; i < vm->ndisks; i++)
		len += (size_t)snprintf(s + len, cap - len,
					" virtio_mmio.device=4K@0x%llx:%u",
					(unsigned long long)vm->disks[i].base,
					vm->disks[i].gsi);
	return s;
}

int main(int argc, char **argv)
{
	enum { OPT_KERNEL = 256, OPT_INITRD, OPT_CMDLINE, OPT_MEM, OPT_CPUS,
	       OPT_DISK, OPT_REBOOT_EXITS, OPT_HELP };
	static const struct option options[] = {
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "disk", required_argument, NULL, OPT_DISK },
		{ "reboot-exits", no_argument, NULL, OPT_REBOOT_EXITS },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL, *initrd = NULL;
	const char *cmdline = "console=ttyS0 panic=-1";
	unsigned long mem_mib = 512;
	struct vm *vm = &the_vm;
	pthread_t thread;
	int opt, i, err;

	vm->ncpus = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case OPT_KERNEL:
			kernel = optarg;
			break;
		case OPT_INITRD:
			initrd = optarg;
			break;
		case OPT_CMDLINE:
			cmdline = optarg;
			break;
		case OPT_MEM:
			/* 64 MiB is about the least a kernel boots in. */
			mem_mib = parse_num("--mem", optarg, 64, 1UL << 20);
			break;
		case OPT_CPUS:
			vm->ncpus = parse_num("--cpus", optarg, 1, MAX_CPUS);
			break;
		case OPT_DISK: {
			struct disk *d;

			if (vm->ndisks == MAX_DISKS)
				bad_usage("--disk %s: too many disks", optarg);
			if (!optarg[0] || strchr(optarg, '/') ||
			    !strcmp(optarg, ".") || !strcmp(optarg, ".."))
				bad_usage("--disk '%s': not a device name",
					  optarg);
			d = &vm->disks[vm->ndisks];
			d->name = optarg;
			d->base = VIRTIO_MMIO_BASE +
				  (uint64_t)vm->ndisks * VIRTIO_MMIO_SIZE;
			d->gsi = disk_gsi(vm->ndisks);
			d->fd = d->call_fd = -1;
			vm->ndisks++;
			break;
		}
		case OPT_REBOOT_EXITS:
			vm->reboot_exits = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_VMM_ERROR;
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
	if (!kernel)
		bad_usage("%s", "--kernel is required");

	/* The console writes to stdout; a reader that went away is no error. */
	signal(SIGPIPE, SIG_IGN);

	vm_create(vm);
	vm_setup_memory(vm, mem_mib);
	vm_get_cpuid(vm);
	boot_load(vm, kernel, initrd, build_cmdline(vm, cmdline));
	mptable_write(vm);
	serial_init(vm);
	for (i = 0; i < vm->ndisks; i++)
		disk_attach(vm, &vm->disks[i]);
	for (i = 0; i < vm->ncpus; i++)
		vcpu_create(vm, &vm->vcpus[i], i);

	/* vCPU 0 runs on the main thread, the others on their own. */
	for (i = 1; i < vm->ncpus; i++) {
		err = pthread_create(&thread, NULL, vcpu_loop, &vm->vcpus[i]);
		if (err) {
			errno = err;
			die_errno("pthread_create for vCPU %d", i);
		}
	}
	vcpu_loop(&vm->vcpus[0]);
	return 0;
}
