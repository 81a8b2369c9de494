// SPDX-License-Identifier: GPL-2.0
/*
 * vblk disks.  This is the whole of what a VMM does to host a vblk disk:
 * it knows nothing about virtio, only about one 4 KiB MMIO window.
 *
 *  1. open /dev/vblk/NAME (one VMM at a time; closing detaches);
 *  2. VBLK_SET_MEM_TABLE: the guest RAM regions and where they are mapped
 *     in this process, so vblk's worker can reach the rings and buffers;
 *  3. kicks: one eventfd per queue (VBLK_GET_NUM_QUEUES tells how many),
 *     registered with KVM_IOEVENTFD on QueueNotify (window base + 0x050,
 *     4 bytes, data = the queue index) and passed to vblk with
 *     VBLK_SET_VRING_KICK, so a guest notification goes from KVM to vblk
 *     without leaving the kernel;
 *  4. call: one eventfd registered with KVM_IRQFD on the disk's GSI (a
 *     virtio-mmio device has one interrupt line) and passed to vblk for
 *     every queue (VBLK_SET_VRING_CALL) and for configuration changes
 *     (VBLK_SET_CONFIG_CALL), so vblk interrupts the guest directly;
 *  5. every other access to the window (and notifications the ioeventfd
 *     does not match) arrives here as an MMIO exit and goes to vblk as
 *     pread()/pwrite() of the same 1, 2 or 4 bytes at the window offset.
 *
 * Interrupts: KVM_IRQFD injects an edge (the line rises and falls) on a
 * plain GSI, which the MP table declares edge-triggered.  That suits
 * virtio-mmio: the guest's handler reads InterruptStatus and acknowledges
 * through InterruptACK, both forwarded to vblk, which owns that state; no
 * level has to be held and no resample eventfd is needed.  An interrupt
 * raised while the guest is still handling the previous one is not lost:
 * the local APIC latches it.
 *
 * The VMM keeps its own copies of the eventfds open for the VM's lifetime:
 * KVM drops an irqfd as soon as its eventfd file is released.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <uapi/linux/vblk_vmm.h>

#include "vmm.h"

#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050

/*
 * Disk N gets GSI 5 + N, skipping 8 (the PC's RTC line): 5..7, 9..23.
 * Lines 0..4 are the PIT, keyboard, cascade and COM ports.
 */
unsigned int disk_gsi(int index)
{
	unsigned int gsi = 5 + (unsigned int)index;

	return gsi >= 8 ? gsi + 1 : gsi;
}

static void set_mem_table(struct vm *vm, struct disk *disk)
{
	struct vblk_mem_table *t;

	t = calloc(1, sizeof(*t) + 2 * sizeof(t->regions[0]));
	if (!t)
		die("out of memory");
	t->regions[t->nregions++] = (struct vblk_mem_region) {
		.guest_phys_addr = 0,
		.size = vm->low_size,
		.userspace_addr = (uint64_t)(uintptr_t)vm->ram,
	};
	if (vm->high_size)
		t->regions[t->nregions++] = (struct vblk_mem_region) {
			.guest_phys_addr = FOUR_GIB,
			.size = vm->high_size,
			.userspace_addr =
				(uint64_t)(uintptr_t)(vm->ram + vm->low_size),
		};
	if (ioctl(disk->fd, VBLK_SET_MEM_TABLE, t) < 0)
		die_errno("disk %s: VBLK_SET_MEM_TABLE", disk->name);
	free(t);
}

static int new_eventfd(struct disk *disk, const char *what)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	if (fd < 0)
		die_errno("disk %s: eventfd for %s", disk->name, what);
	return fd;
}

/* Guest -> vblk: QueueNotify writes of @q signal the queue's eventfd. */
static void attach_kick(struct vm *vm, struct disk *disk, unsigned int q)
{
	struct kvm_ioeventfd ioeventfd;
	struct vblk_vring_fd vfd;
	int fd = new_eventfd(disk, "kick");

	memset(&ioeventfd, 0, sizeof(ioeventfd));
	ioeventfd.addr = disk->base + VIRTIO_MMIO_QUEUE_NOTIFY;
	ioeventfd.len = 4;
	ioeventfd.datamatch = q;
	ioeventfd.fd = fd;
	ioeventfd.flags = KVM_IOEVENTFD_FLAG_DATAMATCH;
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &ioeventfd) < 0)
		die_errno("disk %s: KVM_IOEVENTFD at 0x%llx for queue %u",
			  disk->name, (unsigned long long)ioeventfd.addr, q);
	vfd.index = q;
	vfd.fd = fd;
	if (ioctl(disk->fd, VBLK_SET_VRING_KICK, &vfd) < 0)
		die_errno("disk %s: VBLK_SET_VRING_KICK %u", disk->name, q);
	disk->kick_fd[q] = fd;
}

void disk_attach(struct vm *vm, struct disk *disk)
{
	char path[PATH_MAX];
	struct vblk_vring_fd vfd;
	struct kvm_irqfd irqfd;
	uint32_t nq;
	unsigned int q;

	snprintf(path, sizeof(path), "/dev/vblk/%s", disk->name);
	disk->fd = open(path, O_RDWR | O_CLOEXEC);
	if (disk->fd < 0)
		die_errno("disk %s: open %s", disk->name, path);

	set_mem_table(vm, disk);
	if (ioctl(disk->fd, VBLK_GET_NUM_QUEUES, &nq) < 0)
		die_errno("disk %s: VBLK_GET_NUM_QUEUES", disk->name);
	if (!nq || nq > DISK_MAX_QUEUES)
		die("disk %s: %u queues (at most %d)", disk->name, nq,
		    DISK_MAX_QUEUES);
	disk->nqueues = nq;
	for (q = 0; q < nq; q++)
		attach_kick(vm, disk, q);

	/* vblk -> guest: signalling the call eventfd injects the GSI. */
	disk->call_fd = new_eventfd(disk, "call");
	vfd.fd = disk->call_fd;
	for (q = 0; q < nq; q++) {
		vfd.index = q;
		if (ioctl(disk->fd, VBLK_SET_VRING_CALL, &vfd) < 0)
			die_errno("disk %s: VBLK_SET_VRING_CALL %u", disk->name,
				  q);
	}
	if (ioctl(disk->fd, VBLK_SET_CONFIG_CALL, &disk->call_fd) < 0)
		die_errno("disk %s: VBLK_SET_CONFIG_CALL", disk->name);
	memset(&irqfd, 0, sizeof(irqfd));
	irqfd.fd = (uint32_t)disk->call_fd;
	irqfd.gsi = disk->gsi;
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0)
		die_errno("disk %s: KVM_IRQFD on GSI %u", disk->name, disk->gsi);
}

/*
 * An MMIO exit: forward it if it falls in a disk's window.  Returns false
 * when no disk is there.  A failed access is reported (a few times per
 * disk) and reads as all-ones, like a device that does not answer.
 */
bool disk_mmio(struct vm *vm, uint64_t addr, uint8_t *data, uint32_t len,
	       bool is_write)
{
	static atomic_uint warnings[MAX_DISKS];
	struct disk *disk;
	uint64_t offset;
	ssize_t n;
	int i;

	if (addr < VIRTIO_MMIO_BASE ||
	    addr >= VIRTIO_MMIO_BASE + (uint64_t)vm->ndisks * VIRTIO_MMIO_SIZE)
		return false;
	i = (int)((addr - VIRTIO_MMIO_BASE) / VIRTIO_MMIO_SIZE);
	disk = &vm->disks[i];
	offset = addr - disk->base;

	do {
		if (is_write)
			n = pwrite(disk->fd, data, len, (off_t)offset);
		else
			n = pread(disk->fd, data, len, (off_t)offset);
	} while (n < 0 && errno == EINTR);

	if (n == (ssize_t)len)
		return true;
	if (atomic_fetch_add(&warnings[i], 1) < 10)
		warn("disk %s: %s of %u bytes at offset 0x%llx: %s", disk->name,
		     is_write ? "pwrite" : "pread", len,
		     (unsigned long long)offset,
		     n < 0 ? strerror(errno) : "short transfer");
	if (!is_write)
		memset(data, 0xff, len);
	return true;
}
