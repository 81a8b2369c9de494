/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test doubles for the vblk device model: fake guest memory with holes and
 * fault injection, a driver-side split virtqueue builder, fault-injecting
 * backings, a host-ops recorder and an injectable throttle clock.
 *
 * Everything allocated here is released by KUnit when the test ends.
 */
#ifndef _VBLK_FAKE_H
#define _VBLK_FAKE_H

#include <kunit/test.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "vblk_io.h"
#include "vblk_mmio.h"
#include "vblk_vdev.h"

/* Maximum number of regions of one fake guest memory. */
#define VBLK_FAKE_MAX_REGIONS	4
/* Maximum number of fault-injection ranges of one fake guest memory. */
#define VBLK_FAKE_MAX_FAULTS	4

/* Access kinds for vblk_fake_mem_inject(). */
#define VBLK_FAKE_READ		BIT(0)	/* the device reads guest memory */
#define VBLK_FAKE_WRITE		BIT(1)	/* the device writes guest memory */

/**
 * struct vblk_fake_region - one range of fake guest RAM
 * @gpa: first guest-physical address
 * @size: length in bytes
 * @buf: kernel buffer backing the range
 */
struct vblk_fake_region {
	u64 gpa;
	u64 size;
	u8 *buf;
};

/**
 * struct vblk_fake_fault - an injected guest-memory fault
 * @gpa: first guest-physical address of the faulting range
 * @len: length of the range in bytes
 * @kinds: %VBLK_FAKE_READ and/or %VBLK_FAKE_WRITE
 * @err: errno returned (negative)
 * @skip: matching accesses still let through before the fault applies
 */
struct vblk_fake_fault {
	u64 gpa;
	u64 len;
	unsigned int kinds;
	int err;
	unsigned int skip;
};

/**
 * struct vblk_fake_mem - fake guest memory; implements struct vblk_mem_ops
 * @test: owning test
 * @nr_regions: number of valid entries in @regions
 * @regions: RAM ranges, sorted, non-overlapping
 * @nr_faults: number of valid entries in @faults
 * @faults: injected faults
 * @outside: device accesses that touched a byte outside every region
 * @faulted: device accesses refused by an injected fault
 * @reads: device read callbacks
 * @writes: device write callbacks
 * @iters: device iterator builds
 *
 * Counters count device accesses only; the vblk_fake_wr*()/vblk_fake_rd*()
 * helpers used by tests bypass them (and bypass injected faults).
 */
struct vblk_fake_mem {
	struct kunit *test;
	unsigned int nr_regions;
	struct vblk_fake_region regions[VBLK_FAKE_MAX_REGIONS];
	unsigned int nr_faults;
	struct vblk_fake_fault faults[VBLK_FAKE_MAX_FAULTS];
	atomic_t outside;
	atomic_t faulted;
	atomic_t reads;
	atomic_t writes;
	atomic_t iters;
};

extern const struct vblk_mem_ops vblk_fake_mem_ops;

struct vblk_fake_mem *vblk_fake_mem_new(struct kunit *test);
void vblk_fake_mem_add_region(struct vblk_fake_mem *m, u64 gpa, u64 size);
struct vblk_fake_mem *vblk_fake_mem_default(struct kunit *test);
void vblk_fake_mem_inject(struct vblk_fake_mem *m, u64 gpa, u64 len,
			  unsigned int kinds, int err);
void vblk_fake_mem_inject_after(struct vblk_fake_mem *m, u64 gpa, u64 len,
				unsigned int kinds, int err, unsigned int skip);
void vblk_fake_mem_clear_faults(struct vblk_fake_mem *m);
u8 *vblk_fake_ptr(struct vblk_fake_mem *m, u64 gpa, u64 len);

void vblk_fake_fill(struct vblk_fake_mem *m, u64 gpa, u8 byte, u64 len);
bool vblk_fake_all(struct vblk_fake_mem *m, u64 gpa, u8 byte, u64 len);
void vblk_fake_wr8(struct vblk_fake_mem *m, u64 gpa, u8 v);
void vblk_fake_wr16(struct vblk_fake_mem *m, u64 gpa, u16 v);
void vblk_fake_wr32(struct vblk_fake_mem *m, u64 gpa, u32 v);
void vblk_fake_wr64(struct vblk_fake_mem *m, u64 gpa, u64 v);
u8 vblk_fake_rd8(struct vblk_fake_mem *m, u64 gpa);
u16 vblk_fake_rd16(struct vblk_fake_mem *m, u64 gpa);
u32 vblk_fake_rd32(struct vblk_fake_mem *m, u64 gpa);
u64 vblk_fake_rd64(struct vblk_fake_mem *m, u64 gpa);
void vblk_fake_write_hdr(struct vblk_fake_mem *m, u64 gpa, u32 type,
			 u64 sector);

/* Default layout of vblk_fake_mem_default(). */
#define VBLK_FAKE_RAM0		0x0ULL		/* [0, 1 MiB) */
#define VBLK_FAKE_RAM0_SIZE	0x100000ULL
#define VBLK_FAKE_RAM1		0x400000ULL	/* [4 MiB, 4 MiB + 64 KiB) */
#define VBLK_FAKE_RAM1_SIZE	0x10000ULL
/* An address inside the hole between the two default regions. */
#define VBLK_FAKE_HOLE		0x200000ULL

/**
 * struct vblk_fake_desc - a descriptor as the driver writes it
 * @addr: buffer guest-physical address
 * @len: buffer length
 * @flags: VRING_DESC_F_* flags
 * @next: index of the next descriptor (used with VRING_DESC_F_NEXT)
 */
struct vblk_fake_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

/**
 * struct vblk_fake_vq - driver side of a split virtqueue in fake memory
 * @mem: guest memory holding the rings
 * @num: queue size
 * @desc: descriptor table address
 * @avail: driver (available) ring address
 * @used: device (used) ring address
 * @avail_idx: next avail->idx the driver will publish
 * @next_slot: next free descriptor table slot (wraps at @num)
 */
struct vblk_fake_vq {
	struct vblk_fake_mem *mem;
	u16 num;
	u64 desc;
	u64 avail;
	u64 used;
	u16 avail_idx;
	u16 next_slot;
};

void vblk_fake_vq_init(struct vblk_fake_vq *vq, struct vblk_fake_mem *m,
		       u64 gpa, u16 num);
void vblk_fake_vq_set_used_addr(struct vblk_fake_vq *vq, u64 gpa);
void vblk_fake_vq_write_desc(struct vblk_fake_vq *vq, u16 i,
			     const struct vblk_fake_desc *d);
void vblk_fake_vq_publish(struct vblk_fake_vq *vq, u16 head);
u16 vblk_fake_vq_add_chain(struct vblk_fake_vq *vq,
			   const struct vblk_fake_desc *d, unsigned int n);
u16 vblk_fake_vq_add_indirect(struct vblk_fake_vq *vq, u64 table,
			      const struct vblk_fake_desc *d, unsigned int n);
void vblk_fake_vq_set_avail_idx(struct vblk_fake_vq *vq, u16 idx);
void vblk_fake_vq_set_avail_flags(struct vblk_fake_vq *vq, u16 flags);
void vblk_fake_vq_set_used_event(struct vblk_fake_vq *vq, u16 v);
u16 vblk_fake_vq_used_idx(struct vblk_fake_vq *vq);
u16 vblk_fake_vq_used_flags(struct vblk_fake_vq *vq);
void vblk_fake_vq_used_elem(struct vblk_fake_vq *vq, u16 i, u32 *id,
			    u32 *len);
u16 vblk_fake_vq_avail_event(struct vblk_fake_vq *vq);

u32 vblk_fake_reg_read(struct kunit *test, struct vblk_vdev *vd, u32 off);
void vblk_fake_reg_write(struct kunit *test, struct vblk_vdev *vd, u32 off,
			 u32 val);
void vblk_fake_wire(struct kunit *test, struct vblk_vdev *vd,
		    const struct vblk_fake_vq *vq, bool event_idx);
void vblk_fake_wire_decline(struct kunit *test, struct vblk_vdev *vd,
			    const struct vblk_fake_vq *vq, bool event_idx,
			    u64 decline);
void vblk_fake_wire_queues(struct kunit *test, struct vblk_vdev *vd,
			   const struct vblk_fake_vq *vqs, unsigned int n,
			   bool event_idx, u64 decline);
void vblk_fake_notify(struct kunit *test, struct vblk_vdev *vd,
		      unsigned int q);

/**
 * struct vblk_fake_backing - a "file" in a kernel buffer with faults
 * @data: contents, @cap bytes
 * @cap: buffer size; writes beyond it fail with -ENOSPC
 * @size: file size; reads at or past it return 0 (end of file)
 * @write_partials: the next N writes store only half of their first
 *	segment and return that short count
 * @write_zero: every write returns 0 (no progress)
 * @read_eintrs: the next N reads return -EINTR
 * @write_eintrs: the next N writes return -EINTR
 * @eintr_forever: every read and write returns -EINTR
 * @read_err: if non-zero, every read returns it
 * @write_err: if non-zero, every write returns it
 * @sync_err: if non-zero, every sync and sync_range returns it
 * @reads: read_iter calls
 * @writes: write_iter calls
 * @syncs: sync calls
 * @range_syncs: sync_range calls
 * @sync_pos: @pos of the last sync_range call
 * @sync_len: @len of the last sync_range call
 *
 * Set the fault fields before the device runs; the counters are for
 * assertions (e.g. "the backing was not touched").
 */
struct vblk_fake_backing {
	u8 *data;
	u64 cap;
	u64 size;
	unsigned int write_partials;
	bool write_zero;
	unsigned int read_eintrs;
	unsigned int write_eintrs;
	bool eintr_forever;
	int read_err;
	int write_err;
	int sync_err;
	atomic_t reads;
	atomic_t writes;
	atomic_t syncs;
	atomic_t range_syncs;
	loff_t sync_pos;
	u64 sync_len;
};

extern const struct vblk_backing_ops vblk_fake_backing_ops;

struct vblk_fake_backing *vblk_fake_backing_new(struct kunit *test, u64 cap,
						u64 size, u8 fill);
unsigned int vblk_fake_backing_calls(const struct vblk_fake_backing *b);

/**
 * struct vblk_fake_host - records what the device model asks of its host
 * @vd: the device (set by vblk_fake_dev_new())
 * @process_on_kick: kicked queues get processed (vblk_vdev_process()): a
 *	kick raised by a register write of the test thread is processed
 *	when the write returns, like QueueNotify driving the worker; any
 *	other kick (the throttle timer, a limit change) runs from @work,
 *	see vblk_fake_host_flush()
 * @kicks: kick callbacks
 * @signals: interrupts raised (the call eventfd / irqfd count)
 * @events: event callbacks, by enum vblk_event
 * @last_event: last event reported
 * @mmio: the virtio-mmio register file the test drives
 * @binding: what the host lends the device
 * @owner: the test thread; kicks from elsewhere run from @work
 * @pending_mask: queues kicked and not processed yet
 * @processing: the owner is inside a register write or processing pass
 * @work: deferred processing for kicks from elsewhere
 */
struct vblk_fake_host {
	struct vblk_vdev *vd;
	bool process_on_kick;
	struct task_struct *owner;
	unsigned long pending_mask;
	atomic_t kicks;
	atomic_t signals;
	atomic_t events[VBLK_EV_NR];
	int last_event;
	struct vblk_mmio mmio;
	struct vblk_vdev_binding binding;
	bool processing;
	struct work_struct work;
};

extern const struct vblk_vdev_host_ops vblk_fake_host_ops;

void vblk_fake_host_flush(struct vblk_fake_host *h);

u64 vblk_fake_clock_read(struct vblk_throttle *t);
void vblk_fake_clock_install(struct vblk_throttle *t);
void vblk_fake_clock_advance(u64 ns);
u64 vblk_fake_clock_now(void);

/**
 * struct vblk_fake_dev - a device wired to fake memory, backing and host
 * @test: owning test
 * @mem: guest memory (vblk_fake_mem_default() layout)
 * @backing: the backing file
 * @host: host-ops recorder, @host.process_on_kick set
 * @vq: driver side of queue 0 (laid out, not yet wired)
 * @vd: the device, destroyed when the test ends
 */
struct vblk_fake_dev {
	struct kunit *test;
	struct vblk_fake_mem *mem;
	struct vblk_fake_backing *backing;
	struct vblk_fake_host host;
	struct vblk_fake_vq vq;
	struct vblk_vdev *vd;
};

struct vblk_fake_dev *vblk_fake_dev_new(struct kunit *test,
					const struct vblk_blk_config *cfg,
					u64 file_size, u8 fill, u16 qnum);
struct vblk_fake_dev *vblk_fake_dev_simple(struct kunit *test, u64 cap_bytes,
					   u8 fill, u16 qnum);

/**
 * vblk_fake_stat() - read one device counter
 * @fd: the fake device
 * @field: a member of struct vblk_stats
 */
#define vblk_fake_stat(fd, field) \
	((u64)atomic64_read(&(fd)->vd->blk.stats.field))

#endif /* _VBLK_FAKE_H */
