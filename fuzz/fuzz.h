/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk_fuzz: libFuzzer harness of vblk's device core, built in userspace
 * against fuzz/shim. The fuzzer's input is a program (fuzz/ops.h) that a
 * hostile guest and VMM run against one device: register accesses, rings
 * and chains written into fake guest memory with holes, kicks, a fake
 * backing with synchronous and asynchronous completions and injected
 * faults, throttle limits with a fake clock, resets and rebinds.
 *
 * An independent model (model.c) predicts, at the moment the device pops
 * a head, what must become of the chain (Documentation/device-model.rst),
 * and checks every guest-memory write, every backing call, every
 * notification and every counter against it.
 */
#ifndef VBLK_FUZZ_H
#define VBLK_FUZZ_H

#include "shim_env.h"

#include "vblk_backing.h"
#include "vblk_blk.h"
#include "vblk_mem.h"
#include "vblk_mmio.h"
#include "vblk_req.h"
#include "vblk_vdev.h"
#include "vblk_vq.h"

#define FZ_MAX_Q		4
#define FZ_MAX_REGIONS		4
#define FZ_MAX_FAULTS		4
#define FZ_MAX_PRED		512
#define FZ_MAX_AIO		(FZ_MAX_Q * VBLK_INFLIGHT_MAX)
#define FZ_BACKING_CAP		(1U << 20)	/* the fake backing's buffer */
#define FZ_PLAN_MAX		32
#define FZ_DWZ_MAX		32	/* segments of a DISCARD / WRITE_ZEROES */
#define FZ_SERIAL		"vblk-fuzz-serial-01"

#define FZ_CHECK(cond, ...)	SHIM_CHECK(cond, __VA_ARGS__)

/* VBLK_FUZZ_TRACE=1: every operation, prediction, backing call, publication. */
extern bool fz_tracing;
void fz_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define FZ_TRACE(...) do { if (fz_tracing) fz_trace(__VA_ARGS__); } while (0)

/* ---- fake guest memory (fake_mem.c) --------------------------------------- */

#define FZ_RD	1	/* the device reads guest memory */
#define FZ_WR	2	/* the device writes guest memory */

struct fz_region {
	u64 gpa;
	u64 size;
	u8 *buf;
	bool present;
};

struct fz_fault {
	u64 gpa;
	u64 len;
	unsigned int kinds;
};

struct fz_mem {
	unsigned int nreg;
	struct fz_region reg[FZ_MAX_REGIONS];
	unsigned int nfaults;
	struct fz_fault faults[FZ_MAX_FAULTS];
};

extern const struct vblk_mem_ops fz_mem_ops;
void fz_mem_setup(struct fz_mem *m, unsigned int preset);
void fz_mem_release(void);
/* Would the device's access of @kinds to [gpa, gpa + len) succeed? */
bool fz_mem_ok(const struct fz_mem *m, u64 gpa, u64 len, unsigned int kinds);
/* The bytes at @gpa if fz_mem_ok() for @kinds, else false. */
bool fz_mem_peek(const struct fz_mem *m, u64 gpa, void *buf, size_t len,
		 unsigned int kinds);
/* The guest's own accesses (no faults; false outside present regions). */
bool fz_guest_write(struct fz_mem *m, u64 gpa, const void *buf, size_t len);
bool fz_guest_read(struct fz_mem *m, u64 gpa, void *buf, size_t len);
/* Guest-physical address of host byte @p, false if it is no guest RAM. */
bool fz_mem_gpa(const struct fz_mem *m, const void *p, size_t len, u64 *gpa);
/* How many vectors the device's iter() makes of @segs (E2BIG beyond 256). */
unsigned int fz_mem_nvecs(const struct fz_mem *m, const struct vblk_seg *segs,
			  unsigned int n);

/* ---- fake backing (fake_backing.c) ------------------------------------------ */

enum fz_rw_plan {
	FZ_RW_FULL, FZ_RW_SHORT, FZ_RW_ZERO, FZ_RW_EINTR, FZ_RW_EIO,
	FZ_RW_OVER, FZ_RW_NR,
};
enum fz_sync_plan { FZ_SYNC_OK, FZ_SYNC_EINTR, FZ_SYNC_EIO, FZ_SYNC_NR };
enum fz_submit_plan {
	FZ_SUB_QUEUE, FZ_SUB_NOW, FZ_SUB_NOTSUPP, FZ_SUB_NR,
};

struct fz_aio {
	struct vblk_aio *aio;
	int q;
};

struct fz_backing {
	u8 *data;
	u64 size;		/* file size: reads at or past it see EOF */
	u64 dirty;		/* bytes of @data that may be non-zero */
	bool async;		/* offers ->submit */
	bool ranged;		/* offers ->sync_range */
	bool dwz;		/* offers ->discard and ->write_zeroes */
	bool unmap;		/* ->write_zeroes can deallocate */
	u8 rw[FZ_PLAN_MAX], sync[FZ_PLAN_MAX], sub[FZ_PLAN_MAX];
	unsigned int nrw, nsync, nsub;
	unsigned int n;		/* transfers in flight */
	struct fz_aio fl[FZ_MAX_AIO];
	unsigned long calls;
};

extern struct fz_backing fz_b;
const struct vblk_backing_ops *fz_backing_ops(void);
void fz_backing_setup(bool async, bool ranged, bool dwz, bool unmap, u64 size);
/* Complete in-flight transfer @i as @how. */
void fz_backing_complete(unsigned int i, enum fz_rw_plan how);
/* Complete every transfer in flight (the backing catching up). */
void fz_backing_complete_all(void);

/* ---- the model (model.c) ------------------------------------------------------ */

enum fz_kind {
	PK_DROP,	/* malformed chain: no status, no used entry */
	PK_DONE,	/* status decided by validation (or a no-op) */
	PK_FLUSH,	/* admitted flush: sync() decides */
	PK_RW,		/* admitted read/write: the backing decides */
	PK_DWZ,		/* admitted discard/write zeroes: the backing decides */
};

enum fz_phase {
	PH_FRESH,	/* popped, not admitted yet */
	PH_XFER,	/* moving data */
	PH_QUEUED,	/* submitted, the backing completes it later */
	PH_SYNC,	/* data moved, durability to come */
	PH_OK,		/* the device must answer S_OK */
	PH_ERR,		/* the device must answer S_IOERR */
};

struct fz_pred {
	bool live;
	int q;
	u16 head;
	u8 kind;
	u8 phase;
	u8 status;		/* PK_DONE: expected status */
	u32 type;
	u64 status_gpa;
	u64 pos, len;
	bool write;
	bool dsync;		/* write-through: durable before completion */
	bool synced;
	bool async_seen;	/* went through ->submit */
	bool linked;
	bool reap;		/* completed, waiting for the worker */
	bool iter_fail;		/* the data iterator cannot be built */
	bool table;		/* a segment table's iterator is built */
	u32 seq;		/* pop order */
	const void *key;	/* the request's data iterator */
	u64 done;
	u64 zero_from;		/* a read zero-filled from this offset on */
	unsigned int eintr, sync_eintr;
	/* PK_DWZ: the ranges (bytes), the next one the backing must get */
	unsigned int ndwz, dwz_next;
	struct { u64 pos, len; bool unmap; } dwz[FZ_DWZ_MAX];
	unsigned int nsegs;
	struct vblk_seg segs[VBLK_SEG_MAX];
};

struct fz_mq {
	bool ready;
	u32 num;
	u64 desc, avail, used;
	bool event_idx, indirect;
	u16 last_avail, used_idx, signalled;
	bool broken;
	/*
	 * Disabled while broken, and neither reset nor given a new ring
	 * position since: enabling it again (vdev API) keeps it broken.
	 */
	bool broken_kept;
	bool throttled;
	/* per pass */
	bool runnable;
	bool avail_valid;
	u16 avail_seen;
	unsigned int pops, published, admitted;
	struct fz_pred *last_pop;
	int pub_state;
	u32 pub_id, pub_len;
	u64 pub_gpa;
	u8 pub_status;
	bool enable_failed;
	bool slot_fault, idx_fault;
	int used_event;		/* -1: not read, -2: read failed */
	int vq_used_calls;
	bool vq_used_signal;
};

struct fz_counts {
	u64 reads, writes, flushes, bytes_read, bytes_written, io_errors;
	u64 discards, bytes_discarded, write_zeroes, bytes_zeroed;
	u64 throttled, invalid_avail, broken_expected, broken_events;
};

struct fz_model {
	struct fz_mq q[FZ_MAX_Q];
	struct fz_pred pred[FZ_MAX_PRED];
	unsigned int npred;
	struct fz_counts c;
	struct fz_pred *active;	/* the request the backing is serving */
	int cur_q;		/* the queue a pass runs on, -1 outside */
	u64 caps;		/* capacity, sectors */
	bool read_only;
	bool limited;		/* throttle limits are set */
	char serial[VBLK_SERIAL_LEN];
	u32 seq;
	unsigned long published_total;
};

/* ---- the world of one run ------------------------------------------------------- */

struct fz_world {
	struct vblk_vdev vd;
	struct vblk_mmio mmio;
	struct vblk_vdev_binding binding;
	bool bound;
	bool vd_live;
	unsigned int nq;
	struct fz_mem mem;
	struct fz_model m;
	unsigned long pending;	/* queues kicked and not yet processed */
	unsigned long config_irqs;
	/* the guest driver's own ring bookkeeping */
	u16 drv_avail[FZ_MAX_Q];
	u16 drv_slot[FZ_MAX_Q];
	u64 qbase[FZ_MAX_Q];
	u64 feat_want;
};

extern struct fz_world fz;

bool fz_oracle(const struct fz_mq *mq, struct fz_pred *p);
void fz_pred_free(struct fz_pred *p);
void fz_model_reset(struct fz_model *m);
void fz_model_sync_queues(void);
/* Queue @q (all for -1) gets a fresh ring position: not broken. */
void fz_model_queue_renewed(int q);
void fz_model_pass_begin(int q);
void fz_model_pass_end(int q);
void fz_model_check_counters(void);
unsigned long fz_model_quiesce_check(void);
void fz_model_on_read(u64 gpa, size_t len, const void *val, bool ok);
void fz_model_on_write(u64 gpa, size_t len, const void *val, bool ok);
void fz_model_on_iter(const struct vblk_seg *segs, unsigned int n,
		      unsigned int dir, bool ok);
void fz_model_on_iter_write(const void *dst, size_t n);
void fz_model_vq_used(unsigned int q, bool signal);
void fz_model_event(unsigned int q, enum vblk_event ev);
/* Backing calls: what the device asked and what the backing answered. */
struct fz_pred *fz_model_io_begin(const struct iov_iter *it, loff_t pos,
				  bool write, bool submit, bool dsync);
void fz_model_io_result(struct fz_pred *p, ssize_t r, bool submit_queued);
void fz_model_io_complete(struct fz_pred *p, long res);
struct fz_pred *fz_model_sync_begin(bool ranged, loff_t pos, u64 len);
struct fz_pred *fz_model_dwz_begin(bool zeroes, loff_t pos, u64 len, bool unmap);
void fz_model_dwz_result(struct fz_pred *p, int r);
void fz_model_sync_result(struct fz_pred *p, int r);

#endif /* VBLK_FUZZ_H */
