/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk block semantics (virtio 1.2, 5.2): the features and config space of
 * a virtio-blk device, request validation, dispatch to the backing store,
 * status bytes, accounting and the throttle gate, and the per-queue
 * processing pass. Reaches rings through vblk_vq.h, guest memory through
 * vblk_mem.h and the storage through vblk_backing.h; knows nothing of the
 * transport or of bindings.
 */
#ifndef _VBLK_BLK_H
#define _VBLK_BLK_H

#include <linux/atomic.h>
#include <linux/types.h>

#include "vblk_backing.h"
#include "vblk_hist.h"
#include "vblk_io.h"
#include "vblk_mem.h"
#include "vblk_req.h"
#include "vblk_throttle.h"
#include "vblk_vq.h"

#define VBLK_MAX_QUEUES		16
#define VBLK_SERIAL_LEN		20
/*
 * Fairness: one pass over a queue handles at most this many chains or
 * (from the first chain on) this many data bytes, then asks for another
 * kick and returns.
 */
#define VBLK_WEIGHT_REQS	256
#define VBLK_WEIGHT_BYTES	(16U << 20)

/**
 * enum vblk_event - things a device reports to its owner (netlink)
 * @VBLK_EV_THROTTLE_START: a queue stalled for throttling
 * @VBLK_EV_THROTTLE_STOP: a throttled queue resumed
 * @VBLK_EV_QUEUE_BROKEN: a queue stopped for a driver bug until reset
 * @VBLK_EV_NR: number of events
 */
enum vblk_event {
	VBLK_EV_THROTTLE_START,
	VBLK_EV_THROTTLE_STOP,
	VBLK_EV_QUEUE_BROKEN,
	VBLK_EV_NR,
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
 * @currently_throttled_gauge: how many queues the throttle stalls (reported
 *	as 1 while any is)
 * @invalid_avail_idx_count: avail index jumps beyond the queue size
 * @discards_completed: successful T_DISCARD requests
 * @bytes_discarded: bytes of their ranges
 * @write_zeroes_completed: successful T_WRITE_ZEROES requests
 * @bytes_zeroed: bytes of their ranges
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
	atomic64_t discards_completed;
	atomic64_t bytes_discarded;
	atomic64_t write_zeroes_completed;
	atomic64_t bytes_zeroed;
};

/**
 * struct vblk_queue_stats - per-queue lifetime counters (never reset)
 * @requests: chains completed on the queue (published to its used ring)
 * @bytes: data bytes of the queue's successful reads and writes
 *
 * Summed over the queues, @bytes is bytes_read + bytes_written of the
 * device's struct vblk_stats.
 */
struct vblk_queue_stats {
	atomic64_t requests;
	atomic64_t bytes;
};

/**
 * struct vblk_blk_config - properties of a block device
 * @capacity: size in 512-byte sectors
 * @read_only: offer VIRTIO_BLK_F_RO and refuse writes
 * @serial: GET_ID answer, NUL-padded (not necessarily NUL-terminated)
 * @num_queues: number of virtqueues, 1 to %VBLK_MAX_QUEUES
 * @caps: what the backing can do besides reading and writing (probed by
 *	whoever opened it); a writable device offers DISCARD and
 *	WRITE_ZEROES when @caps says so, and the backing's operations must
 *	then implement them
 * @writethrough: the cache mode a driver starts in (after every reset) is
 *	writethrough rather than writeback
 */
struct vblk_blk_config {
	u64 capacity;
	bool read_only;
	char serial[VBLK_SERIAL_LEN];
	unsigned int num_queues;
	struct vblk_backing_caps caps;
	bool writethrough;
};

struct vblk_blk;

/**
 * struct vblk_blk_queue - per-queue block state and scratch storage,
 *	kept out of the stack; used under the queue's lock
 * @blk: the device
 * @index: the queue's index
 * @throttled: stalled, waiting for the throttle timer
 * @stats: the queue's counters (atomics, read without the lock)
 * @pool: request contexts, allocated while the queue is enabled
 * @chain: the walked chain
 * @data: the request's non-empty data segments
 * @dwz: the ranges of a DISCARD or WRITE_ZEROES request
 * @stall_since: throttle clock value the chain at the head of the queue
 *	was first refused at, 0 when none is waiting
 * @inflight_peak: the most requests the queue had at the backing at once
 *	(lifetime; marked accesses)
 */
struct vblk_blk_queue {
	struct vblk_blk *blk;
	unsigned int index;
	bool throttled;
	struct vblk_queue_stats stats;
	u64 stall_since;
	unsigned int inflight_peak;
	struct vblk_iopool pool;
	struct vblk_chain chain;
	struct vblk_seg data[VBLK_SEG_MAX];
	struct vblk_dwz dwz[VBLK_DWZ_SEG_MAX];
};

/**
 * struct vblk_blk_pass - what one pass over a queue asks of its caller,
 *	who acts on it after dropping the queue's lock
 * @published: chains published to the used ring
 * @signal: the driver wants an interrupt for them
 * @rekick: the pass stopped at its weight: process the queue again
 * @unwait: a stalled queue stopped for good: vblk_throttle_unwait()
 * @events: BIT(enum vblk_event) to report
 */
struct vblk_blk_pass {
	unsigned int published;
	bool signal;
	bool rekick;
	bool unwait;
	unsigned long events;
};

/**
 * struct vblk_blk - the block device behind a virtio device
 * @cfg: capacity, read-only, serial and queue count; @cfg.capacity and
 *	@cfg.serial may change at run time (marked accesses)
 * @backing: the backing store
 * @features: the negotiated feature bits (vblk_blk_set_features())
 * @writeback: the config space's writeback byte: 1 writeback, 0
 *	writethrough (marked accesses; changed under the device's cfg_lock)
 * @wt_switches: switches from writeback to writethrough (the writeback
 *	byte going from 1 to 0), each of which owes a sync of the backing
 * @wt_synced: the value of @wt_switches the backing was last synced for
 * @wt_sync_err: that sync failed and no request has reported it yet
 * @throttle: the device's token buckets, shared by its queues
 * @stats: lifetime counters
 * @lat: lifetime latency histograms
 * @kick: called (any context) when queues in a mask have work
 * @qs: per-queue state, @cfg.num_queues entries
 */
struct vblk_blk {
	struct vblk_blk_config cfg;
	struct vblk_backing backing;
	u64 features;
	u8 writeback;
	atomic_t wt_switches;
	atomic_t wt_synced;
	atomic_t wt_sync_err;
	struct vblk_throttle throttle;
	struct vblk_stats stats;
	struct vblk_latency lat;
	void (*kick)(struct vblk_blk *blk, unsigned long queues);
	struct vblk_blk_queue *qs;
};

int vblk_blk_init(struct vblk_blk *blk, const struct vblk_blk_config *cfg,
		  const struct vblk_backing_ops *backing, void *backing_ctx,
		  void (*kick)(struct vblk_blk *blk, unsigned long queues));
void vblk_blk_destroy(struct vblk_blk *blk);
void vblk_blk_set_features(struct vblk_blk *blk, u64 features);
u64 vblk_blk_features(const struct vblk_blk *blk);
size_t vblk_blk_config_size(void);
void vblk_blk_config_image(const struct vblk_blk *blk, u8 *buf);
bool vblk_blk_set_config(struct vblk_blk *blk, unsigned int off,
			 const u8 *buf, unsigned int len);
bool vblk_blk_reset_cache(struct vblk_blk *blk);
bool vblk_blk_cache_writeback(const struct vblk_blk *blk, bool negotiated);
bool vblk_blk_write_through(const struct vblk_blk *blk);
bool vblk_blk_cost(const struct vblk_req *req, bool wt, struct vblk_cost *c);
void vblk_blk_process(struct vblk_blk *blk, unsigned int q,
		      struct vblk_vq *vq, struct vblk_blk_pass *p);
int vblk_blk_queue_start(struct vblk_blk *blk, unsigned int q, u32 num);
void vblk_blk_queue_stop(struct vblk_blk *blk, unsigned int q,
			 struct vblk_blk_pass *p);
void vblk_blk_set_serial(struct vblk_blk *blk,
			 const char serial[VBLK_SERIAL_LEN]);
void vblk_blk_get_serial(const struct vblk_blk *blk,
			 char serial[VBLK_SERIAL_LEN]);

/**
 * vblk_blk_negotiated() - was a feature negotiated?
 * @blk: the device
 * @bit: the feature's bit number
 */
static inline bool vblk_blk_negotiated(const struct vblk_blk *blk,
				       unsigned int bit)
{
	return READ_ONCE(blk->features) & BIT_ULL(bit);
}

#endif /* _VBLK_BLK_H */
