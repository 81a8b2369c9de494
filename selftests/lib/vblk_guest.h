/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk_guest: a userspace "guest driver" for vblk selftests.
 *
 * It plays both the VMM and the guest: guest RAM is an anonymous mapping
 * registered with VBLK_SET_MEM_TABLE, register accesses are pread/pwrite on
 * /dev/vblk/NAME, the kick is a write to the kick eventfd (what KVM's
 * ioeventfd would do) and the interrupt is the call eventfd becoming
 * readable (what KVM's irqfd would consume).  The driver side follows
 * Linux's virtio_mmio and virtio_ring: the same initialisation order, split
 * virtqueues with or without EVENT_IDX and indirect descriptors, and the
 * same InterruptStatus read + InterruptACK on every interrupt.
 *
 * Functions return 0 or a negative errno unless documented otherwise.
 * Devices are created and inspected with vblk_test_util.h.
 */
#ifndef VBLK_GUEST_H
#define VBLK_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include <uapi/linux/vblk_vmm.h>

#define VG_RAM_GPA		0x40000000ULL	/* guest-physical base of RAM */
#define VG_QMAX			256		/* largest queue the library drives */
#define VG_IND_MAX		160		/* entries per indirect table */
#define VG_TIMEOUT_MS		10000		/* default completion timeout */
#define VG_SCRATCH		(2U << 20)	/* bounce buffer size */
#define VG_RAM_DEFAULT		(16U << 20)
#define VG_MAX_QUEUES		16		/* vblk's largest queue count */

/* Device features the library knows how to drive. */
#define VG_F_EVENT_IDX		(1ULL << VIRTIO_RING_F_EVENT_IDX)
#define VG_F_INDIRECT		(1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define VG_F_VERSION_1		(1ULL << VIRTIO_F_VERSION_1)
#define VG_F_MQ			(1ULL << VIRTIO_BLK_F_MQ)

/**
 * struct vg_buf - one buffer of a descriptor chain
 * @gpa: guest-physical address
 * @len: length in bytes
 * @dev_write: device-writable (VRING_DESC_F_WRITE)
 */
struct vg_buf {
	uint64_t gpa;
	uint32_t len;
	bool dev_write;
};

/**
 * struct vg_req - a block request in flight
 * @type: VIRTIO_BLK_T_*
 * @sector: first sector
 * @data_gpa: data buffer (guest-physical), @data_len bytes
 * @data_len: data length (0: no data descriptor)
 * @nseg: split the data into this many descriptors (0 or 1: one)
 * @indirect: put the chain in an indirect table
 * @done: set when the used ring returned the request
 * @status: the status byte the device wrote (valid when @done)
 * @used_len: the used element's len
 * @head: descriptor head while in flight
 * @status_gpa: where the status byte is read from at completion (0: none)
 */
struct vg_req {
	uint32_t type;
	uint64_t sector;
	uint64_t data_gpa;
	uint32_t data_len;
	unsigned int nseg;
	bool indirect;
	bool done;
	uint8_t status;
	uint32_t used_len;
	int head;
	uint64_t status_gpa;
};

struct vg;

/**
 * struct vg_vq - driver side of a split virtqueue in guest RAM
 *
 * One thread at a time drives a queue; different queues may be driven by
 * different threads at once.
 */
struct vg_vq {
	struct vg *g;
	unsigned int index;
	int kick_fd;			/* VBLK_SET_VRING_KICK */
	int call_fd;			/* VBLK_SET_VRING_CALL */
	unsigned long interrupts;	/* call eventfd wake-ups consumed */
	unsigned int num;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct vring vr;
	uint16_t avail_idx;		/* next avail index to publish */
	uint16_t kicked_idx;		/* avail index at the last kick */
	uint16_t last_used;		/* next used element to consume */
	uint16_t free_head;
	unsigned int num_free;
	unsigned int ndesc[VG_QMAX];	/* descriptors used by each head */
	void *cookie[VG_QMAX];
	uint64_t hdr_gpa;		/* VG_QMAX 32-byte header+status slots */
	uint64_t ind_gpa;		/* VG_QMAX indirect tables */
};

/**
 * struct vg - one attached device and its guest
 * @fd: /dev/vblk/NAME
 * @config_fd: config change eventfd (VBLK_SET_CONFIG_CALL)
 * @nvqs: the device's queue count (each has its eventfds)
 * @nq: queues set up by vg_init_mq()
 * @ram: guest RAM in this process
 * @ram_size: its size
 * @brk: bump allocator offset into @ram
 * @dev_features: what the device offered
 * @features: what was negotiated
 * @vq: the queues; the functions without a queue argument use queue 0
 * @isr_seen: OR of every InterruptStatus value read
 * @last_isr: InterruptStatus at the last interrupt
 * @scratch_gpa: bounce buffer of %VG_SCRATCH bytes for vg_blk_read/write
 * @interrupts: call eventfd wake-ups consumed, all queues
 * @timeout_ms: completion timeout
 */
struct vg {
	int fd;
	int config_fd;
	unsigned int nvqs;
	unsigned int nq;
	uint8_t *ram;
	size_t ram_size;
	size_t brk;
	uint64_t dev_features;
	uint64_t features;
	struct vg_vq vq[VG_MAX_QUEUES];
	uint32_t isr_seen;
	uint32_t last_isr;
	uint64_t scratch_gpa;
	unsigned long interrupts;
	int timeout_ms;
};

/* Attachment (the VMM's part). */
int vg_open(struct vg *g, const char *name);
int vg_set_ram(struct vg *g, size_t size);
int vg_set_eventfds(struct vg *g);
int vg_attach(struct vg *g, const char *name, size_t ram_size);
void vg_detach(struct vg *g);
char *vg_node_path(const char *name);

/* Register access through the MMIO forwarding path. */
int vg_mmio_read(struct vg *g, uint32_t off, unsigned int len, uint32_t *val);
int vg_mmio_write(struct vg *g, uint32_t off, unsigned int len, uint32_t val);
uint32_t vg_rd32(struct vg *g, uint32_t off);
void vg_wr32(struct vg *g, uint32_t off, uint32_t val);
uint64_t vg_cfg_capacity(struct vg *g);

/* Driver initialisation (virtio_mmio probe + virtio core + vring setup). */
int vg_probe(struct vg *g);
int vg_init(struct vg *g, uint64_t want, unsigned int qsize);
int vg_init_mq(struct vg *g, uint64_t want, unsigned int qsize,
	       unsigned int nq);
void vg_reset(struct vg *g);

/* Guest RAM. */
uint64_t vg_alloc(struct vg *g, size_t size, size_t align);
void *vg_hva(struct vg *g, uint64_t gpa);

/* Virtqueue, raw: build a chain, adjust it with vg_desc(), publish it. */
struct vring_desc *vg_desc(struct vg *g, int head, unsigned int k);
int vg_add_chain(struct vg *g, const struct vg_buf *bufs, unsigned int n,
		 bool indirect, void *cookie);
void vg_publish(struct vg *g, int head);
int vg_kick(struct vg *g);
bool vg_kick_needed(struct vg *g);
int vg_wait_irq(struct vg *g, int timeout_ms);
int vg_reap(struct vg *g);
int vg_pending_used(struct vg *g);

/* The same on queue @q (vg_queue()); queue 0 is what the above use. */
struct vg_vq *vg_queue(struct vg *g, unsigned int q);
struct vring_desc *vg_q_desc(struct vg_vq *vq, int head, unsigned int k);
int vg_q_add_chain(struct vg_vq *vq, const struct vg_buf *bufs,
		   unsigned int n, bool indirect, void *cookie);
void vg_q_publish(struct vg_vq *vq, int head);
int vg_q_kick(struct vg_vq *vq);
bool vg_q_kick_needed(struct vg_vq *vq);
int vg_q_wait_irq(struct vg_vq *vq, int timeout_ms);
int vg_q_reap(struct vg_vq *vq);
int vg_q_pending_used(struct vg_vq *vq);

/* Block requests. */
int vg_req_submit(struct vg *g, struct vg_req *r);
int vg_req_wait(struct vg *g, struct vg_req *r);
int vg_q_req_submit(struct vg_vq *vq, struct vg_req *r);
int vg_q_req_wait(struct vg_vq *vq, struct vg_req *r);
/* Submit @r, kick if needed, wait: its status, or a negative errno. */
int vg_req_run(struct vg *g, struct vg_req *r);
int vg_blk_io(struct vg *g, uint32_t type, uint64_t sector, uint64_t gpa,
	      uint32_t len);
int vg_blk_read(struct vg *g, uint64_t sector, void *buf, uint32_t len);
int vg_blk_write(struct vg *g, uint64_t sector, const void *buf,
		 uint32_t len);

#endif /* VBLK_GUEST_H */
