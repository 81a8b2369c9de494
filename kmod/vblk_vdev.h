/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk device model: a virtio-blk device on the virtio-mmio transport
 * (virtio 1.2, sections 4.2.2 and 5.2), independent of where guest memory
 * lives and of what the backing store is.
 *
 * The model talks to the outside world through three small interfaces:
 *
 *   struct vblk_mem_ops      guest-physical memory access
 *   struct vblk_backing_ops  vectored I/O on the backing store
 *   struct vblk_host_ops     kicks, interrupts and events towards the host
 *
 * Production binds them to the VMM's address space, a struct file and
 * eventfds; KUnit binds them to fake memory with holes and fault-injecting
 * backings.
 */
#ifndef _VBLK_VDEV_H
#define _VBLK_VDEV_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uio.h>

#include "vblk_throttle.h"

#define VBLK_MMIO_WINDOW	0x1000	/* size of the virtio-mmio window */
#define VBLK_NUM_QUEUES		1
#define VBLK_QUEUE_NUM_MAX	256
#define VBLK_SEG_MAX		128
#define VBLK_SIZE_MAX		0x100000U	/* 1 MiB */
#define VBLK_MAX_CHAIN		(VBLK_SEG_MAX + 2)
#define VBLK_SECTOR_SHIFT	9
#define VBLK_SECTOR_SIZE	512U		/* 1 << VBLK_SECTOR_SHIFT */
#define VBLK_SERIAL_LEN		20
#define VBLK_EINTR_RETRIES	16
/* Upper bound of iterator segments for one request's data. */
#define VBLK_MAX_IOVECS		(2 * VBLK_SEG_MAX)
/* VendorID register: "VBLK" in little-endian byte order. */
#define VBLK_VENDOR_ID		0x4b4c4256
/*
 * Fairness: one vblk_vdev_process() call handles at most this many chains
 * or (from the first chain on) this many data bytes, then asks the host
 * for another kick and returns.
 */
#define VBLK_WEIGHT_REQS	256
#define VBLK_WEIGHT_BYTES	(16U << 20)

struct vblk_vdev;

/**
 * struct vblk_seg - one guest-physical data segment of a request
 * @gpa: guest-physical address
 * @len: length in bytes
 */
struct vblk_seg {
	u64 gpa;
	u32 len;
};

/**
 * union vblk_iovec_buf - storage for the vectors behind a data iterator
 * @kv: kernel vectors (test doubles)
 * @iov: user vectors (the VMM's address space)
 */
union vblk_iovec_buf {
	struct kvec kv[VBLK_MAX_IOVECS];
	struct iovec iov[VBLK_MAX_IOVECS];
};

/**
 * struct vblk_mem_ops - guest memory access
 * @read: copy @len bytes at guest-physical @gpa into @buf.
 * @write: copy @len bytes from @buf to guest-physical @gpa.
 * @iter: build @iter over the guest segments @segs (in order), for the
 *	backing to fill (@dir == ITER_DEST, a guest read) or to drain
 *	(@dir == ITER_SOURCE, a guest write); vectors live in @buf.
 *
 * Every callback returns 0 or a negative errno; -EFAULT means some byte of
 * the range is not guest memory. Callbacks never fault in the kernel and
 * must not be called with a spinlock held (they may sleep).
 */
struct vblk_mem_ops {
	int (*read)(void *ctx, u64 gpa, void *buf, size_t len);
	int (*write)(void *ctx, u64 gpa, const void *buf, size_t len);
	int (*iter)(void *ctx, const struct vblk_seg *segs, unsigned int nsegs,
		    unsigned int dir, union vblk_iovec_buf *buf,
		    struct iov_iter *iter);
};

/**
 * struct vblk_backing_ops - the backing store
 * @read_iter: read into @iter at byte offset @pos. Returns bytes read
 *	(0 at end of file, short counts allowed) or a negative errno. The
 *	model zero-fills a read past the end of file, so a backing without
 *	such a hole (a block device) must fail instead of returning 0.
 * @write_iter: write @iter at byte offset @pos. Returns bytes written
 *	(short counts allowed) or a negative errno.
 * @sync: make written data durable (fdatasync semantics).
 * @sync_range: make the @len bytes written at @pos durable (optional;
 *	without it @sync is used).
 *
 * The device model retries short writes and -EINTR (bounded by
 * %VBLK_EINTR_RETRIES); the backing does not need to.
 */
struct vblk_backing_ops {
	ssize_t (*read_iter)(void *ctx, struct iov_iter *iter, loff_t pos);
	ssize_t (*write_iter)(void *ctx, struct iov_iter *iter, loff_t pos);
	int (*sync)(void *ctx);
	int (*sync_range)(void *ctx, loff_t pos, u64 len);
};

/**
 * enum vblk_event - things the device model reports to its host
 * @VBLK_EV_THROTTLE_START: a queue stalled for throttling
 * @VBLK_EV_THROTTLE_STOP: a throttled queue resumed
 * @VBLK_EV_QUEUE_BROKEN: a queue stopped for a driver bug until reset
 */
enum vblk_event {
	VBLK_EV_THROTTLE_START,
	VBLK_EV_THROTTLE_STOP,
	VBLK_EV_QUEUE_BROKEN,
};

/**
 * struct vblk_host_ops - callbacks towards the host (worker, VMM, netlink)
 * @kick: queue @q has work: schedule vblk_vdev_process(). Called for a
 *	QueueNotify that reached the register file and when a throttle
 *	stall ends. May be called in atomic context (hrtimer).
 * @signal: raise the guest interrupt (the call eventfd). Process context.
 * @event: report @ev on queue @q (optional). Process context.
 */
struct vblk_host_ops {
	void (*kick)(struct vblk_vdev *vd, unsigned int q);
	void (*signal)(struct vblk_vdev *vd);
	void (*event)(struct vblk_vdev *vd, unsigned int q, enum vblk_event ev);
};

/**
 * struct vblk_stats - per-device lifetime counters (never reset by a guest)
 * @reads_completed: successful T_IN requests
 * @writes_completed: successful T_OUT requests
 * @flushes_completed: successful T_FLUSH requests
 * @bytes_read: bytes of successful reads
 * @bytes_written: bytes of successful writes
 * @io_errors: requests answered S_IOERR or dropped for a malformed chain
 * @throttled_count: throttle stall events
 * @currently_throttled_gauge: 1 while any queue is stalled by the throttle
 * @invalid_avail_idx_count: avail index jumps beyond the queue size
 */
struct vblk_stats {
	atomic64_t reads_completed;
	atomic64_t writes_completed;
	atomic64_t flushes_completed;
	atomic64_t bytes_read;
	atomic64_t bytes_written;
	atomic64_t io_errors;
	atomic64_t throttled_count;
	atomic64_t currently_throttled_gauge;
	atomic64_t invalid_avail_idx_count;
};

/**
 * struct vblk_vdev_config - fixed properties of a device
 * @capacity: size in 512-byte sectors
 * @read_only: offer VIRTIO_BLK_F_RO and refuse writes
 * @serial: GET_ID answer, NUL-padded (not necessarily NUL-terminated)
 */
struct vblk_vdev_config {
	u64 capacity;
	bool read_only;
	char serial[VBLK_SERIAL_LEN];
};

/**
 * struct vblk_chain - a descriptor chain, flattened (indirect tables
 *	expanded), as the device walked it
 * @n: number of descriptors in @seg and @flags
 * @seg: address and length of each descriptor
 * @flags: VRING_DESC_F_* of each descriptor (CPU order)
 */
struct vblk_chain {
	unsigned int n;
	struct vblk_seg seg[VBLK_MAX_CHAIN];
	u16 flags[VBLK_MAX_CHAIN];
};

/**
 * struct vblk_vq_scratch - per-queue working storage for one request,
 *	kept out of the stack (about 8 KiB); used under the queue's mutex
 * @chain: the walked chain
 * @data: the request's non-empty data segments
 * @iov: vectors behind the data iterator
 */
struct vblk_vq_scratch {
	struct vblk_chain chain;
	struct vblk_seg data[VBLK_SEG_MAX];
	union vblk_iovec_buf iov;
};

/* vblk_vq.addr_set bits: which ring addresses the driver has written */
#define VBLK_VQ_DESC_SET	BIT(0)
#define VBLK_VQ_AVAIL_SET	BIT(1)
#define VBLK_VQ_USED_SET	BIT(2)
#define VBLK_VQ_ADDRS_SET	(VBLK_VQ_DESC_SET | VBLK_VQ_AVAIL_SET | \
				 VBLK_VQ_USED_SET)

/**
 * struct vblk_vq - one split virtqueue (device side)
 *
 * Configuration fields are written by MMIO accesses under vdev->lock while
 * @ready is false; @ready itself changes under both vdev->lock and @mutex,
 * so whoever holds @mutex and sees @ready sees a complete configuration.
 * The processing state is owned by whoever holds @mutex.
 */
struct vblk_vq {
	struct mutex mutex;		/* serialises processing of this queue */
	/* configuration (virtio-mmio registers) */
	u32 num;
	bool ready;
	u8 addr_set;			/* VBLK_VQ_*_SET */
	u64 desc;
	u64 avail;
	u64 used;
	/* processing state, under @mutex */
	u16 last_avail_idx;
	u16 used_idx;
	u16 signalled_used;	/* used idx at the last interrupt */
	bool signalled_used_valid;
	bool broken;		/* stopped for a driver bug until reset */
	bool throttled;		/* stalled, waiting for the throttle timer */
	struct vblk_vq_scratch scratch;
};

/**
 * struct vblk_vdev - a virtio-blk device model instance
 *
 * Locking: @lock serialises register accesses (MMIO reads and writes) and
 * the binding of memory/backing/host; queue processing takes the queue's
 * mutex and never @lock, except reset, which takes @lock then every queue
 * mutex. @isr and @stats are atomics, touched from any context.
 *
 * The structure is large (per-queue scratch storage): allocate it with
 * kzalloc()/kvzalloc() or embed it in such an allocation, never on the
 * stack.
 */
struct vblk_vdev {
	struct mutex lock;		/* register state; see above */
	struct vblk_vdev_config cfg;

	const struct vblk_mem_ops *mem;
	void *mem_ctx;
	const struct vblk_backing_ops *backing;
	void *backing_ctx;
	const struct vblk_host_ops *host;
	void *host_ctx;

	/* register state, under @lock */
	u32 status;
	u32 dev_features_sel;
	u32 drv_features_sel;
	u64 driver_features;
	u32 queue_sel;
	u32 config_generation;
	atomic_t isr;			/* InterruptStatus */
	u64 features;			/* negotiated, valid from FEATURES_OK */

	struct vblk_vq vqs[VBLK_NUM_QUEUES];
	struct vblk_throttle throttle;
	struct vblk_stats stats;
};

void vblk_vdev_init(struct vblk_vdev *vd, const struct vblk_vdev_config *cfg,
		    const struct vblk_backing_ops *backing, void *backing_ctx,
		    const struct vblk_host_ops *host, void *host_ctx);
void vblk_vdev_destroy(struct vblk_vdev *vd);
void vblk_vdev_set_mem(struct vblk_vdev *vd, const struct vblk_mem_ops *mem,
		       void *mem_ctx);
u64 vblk_vdev_features(const struct vblk_vdev *vd);
int vblk_vdev_mmio_read(struct vblk_vdev *vd, u32 off, void *val,
			unsigned int len);
int vblk_vdev_mmio_write(struct vblk_vdev *vd, u32 off, const void *val,
			 unsigned int len);
void vblk_vdev_process(struct vblk_vdev *vd, unsigned int q);
void vblk_vdev_reset(struct vblk_vdev *vd);
void vblk_vdev_set_capacity(struct vblk_vdev *vd, u64 sectors);

#endif /* _VBLK_VDEV_H */
