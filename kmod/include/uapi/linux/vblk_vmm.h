/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * vblk VMM interface: the per-device character device /dev/vblk/NAME.
 *
 * A VMM opens the device node (one attachment at a time), describes guest
 * memory with VBLK_SET_MEM_TABLE, hands over one kick eventfd per queue
 * (registered with KVM_IOEVENTFD on QueueNotify, base + 0x050, matching the
 * queue index) and the call eventfds (registered with KVM_IRQFD), and
 * forwards every other access to the 4 KiB virtio-mmio window as
 * pread()/pwrite() of 1, 2 or 4 bytes at the register offset.  Closing the
 * file detaches.
 */
#ifndef _UAPI_LINUX_VBLK_VMM_H
#define _UAPI_LINUX_VBLK_VMM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VBLK_MAX_MEM_REGIONS	64

/**
 * struct vblk_mem_region - one guest-physical memory region
 * @guest_phys_addr: guest-physical start address
 * @size: length in bytes (non-zero)
 * @userspace_addr: where the region is mapped in the VMM's address space
 */
struct vblk_mem_region {
	__u64 guest_phys_addr;
	__u64 size;
	__u64 userspace_addr;
};

/**
 * struct vblk_mem_table - argument of VBLK_SET_MEM_TABLE
 * @nregions: number of entries in @regions (1..VBLK_MAX_MEM_REGIONS)
 * @flags: must be 0
 * @regions: the regions; they must not overlap in guest-physical space
 */
struct vblk_mem_table {
	__u32 nregions;
	__u32 flags;
	struct vblk_mem_region regions[];
};

/**
 * struct vblk_vring_fd - an eventfd for one virtqueue
 * @index: the queue (below the device's queue count)
 * @fd: an eventfd, or -1 to remove the queue's eventfd
 */
struct vblk_vring_fd {
	__u32 index;
	__s32 fd;
};

/* Magic 0xB9 is free in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define VBLK_IOC_MAGIC		0xB9

/*
 * Replace the guest memory table. Allowed at any time, also while the
 * driver is running; requests in progress may still use the old table.
 */
#define VBLK_SET_MEM_TABLE	_IOW(VBLK_IOC_MAGIC, 0x01, struct vblk_mem_table)
/*
 * The kick eventfd of a queue: registered by the VMM as a KVM ioeventfd on
 * QueueNotify (base + 0x050) with the queue index as datamatch.
 */
#define VBLK_SET_VRING_KICK	_IOW(VBLK_IOC_MAGIC, 0x02, struct vblk_vring_fd)
/*
 * The call eventfd of a queue, signalled when the driver needs an
 * interrupt for it (a KVM irqfd; virtio-mmio has one interrupt line, so
 * every queue may get the same eventfd).
 */
#define VBLK_SET_VRING_CALL	_IOW(VBLK_IOC_MAGIC, 0x03, struct vblk_vring_fd)
/* The eventfd for configuration change interrupts (an int fd; -1 removes). */
#define VBLK_SET_CONFIG_CALL	_IOW(VBLK_IOC_MAGIC, 0x04, __s32)
/* The device's number of virtqueues (a __u32). */
#define VBLK_GET_NUM_QUEUES	_IOR(VBLK_IOC_MAGIC, 0x05, __u32)

#endif /* _UAPI_LINUX_VBLK_VMM_H */
