// SPDX-License-Identifier: GPL-2.0
/*
 * vblk_fuzz: libFuzzer entry point. One input is one device's life: it is
 * created on a fake backing, bound to fake guest memory, driven by the
 * input's operations (ops.h), then drained (every transfer completes,
 * every queue is kicked and run until nothing is pending, throttle timers
 * fire), checked for liveness, reset, unbound and destroyed. Any
 * violation of the model or of a kernel rule aborts: libFuzzer records
 * the input as a crash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <uapi/linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "fuzz.h"
#include "fuzz_in.h"
#include "ops.h"

/* A pass does at most 256 chains of at most 512 descriptor reads each. */
#define FZ_PASS_STEPS		(1UL << 21)
#define FZ_RUN_ROUNDS		8
#define FZ_DRAIN_ROUNDS		4096

struct fz_world fz;
bool fz_tracing;

void fz_trace(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vblk-fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- the binding (what /dev/vblk's session does) ----------------------------- */

static void fz_host_kick(void *ctx, unsigned int q)
{
	(void)ctx;
	FZ_CHECK(shim_atomic_depth() > 0, "kick outside RCU");
	FZ_CHECK(q < fz.nq, "kick of queue %u", q);
	fz.pending |= BIT(q);
}

static void fz_host_vq_used(void *ctx, unsigned int q, bool signal)
{
	(void)ctx;
	fz_model_vq_used(q, signal);
	vblk_mmio_interrupt(&fz.mmio, VIRTIO_MMIO_INT_VRING);
}

static void fz_host_config(void *ctx)
{
	(void)ctx;
	fz.config_irqs++;
	vblk_mmio_interrupt(&fz.mmio, VIRTIO_MMIO_INT_CONFIG);
}

static const struct vblk_vdev_host_ops fz_host_ops = {
	.kick = fz_host_kick,
	.vq_used = fz_host_vq_used,
	.config_changed = fz_host_config,
};

static void fz_event(void *ctx, unsigned int q, enum vblk_event ev)
{
	(void)ctx;
	fz_model_event(q, ev);
}

static void fz_bind(void)
{
	FZ_CHECK(!vblk_vdev_bind(&fz.vd, &fz.binding), "bind refused");
	vblk_mmio_init(&fz.mmio, &fz.vd);
	fz.bound = true;
}

static void fz_unbind(void)
{
	vblk_vdev_unbind(&fz.vd);
	fz.bound = false;
	fz_model_sync_queues();
	fz_model_queue_renewed(-1);	/* the device is reset */
	FZ_CHECK(!fz_b.n, "transfers in flight after an unbind");
}

/* A wait in the device: the backing finishes the queue's transfers. */
static void fz_wait(const void *var)
{
	const struct vblk_iopool *pool = container_of(var, struct vblk_iopool,
						      pending);
	unsigned int i, q;

	for (q = 0; q < fz.nq; q++)
		if (pool == &fz.vd.blk.qs[q].pool)
			break;
	FZ_CHECK(q < fz.nq, "a wait for no queue's transfers");
	for (i = fz_b.n; i-- > 0;)
		if (fz_b.fl[i].q == (int)q)
			fz_backing_complete(i, FZ_RW_FULL);
}

/* ---- passes ---------------------------------------------------------------------- */

static void fz_process(unsigned int q)
{
	fz_model_pass_begin(q);
	shim_env.steps = 0;
	shim_env.step_limit = FZ_PASS_STEPS;
	vblk_vdev_process(&fz.vd, q);
	shim_env.step_limit = 0;
	fz_model_pass_end(q);
}

/* The workers: every kicked queue gets a pass, a few rounds. */
static void fz_run(unsigned int rounds)
{
	unsigned int r, q;

	for (r = 0; r < rounds && fz.pending; r++) {
		for (q = 0; q < fz.nq; q++) {
			if (!(fz.pending & BIT(q)))
				continue;
			fz.pending &= ~BIT(q);
			fz_process(q);
		}
	}
}

/* ---- management calls: they must never wait on the VMM ---------------------------- */

static void fz_mgmt_begin(void)
{
	shim_env.no_wait = true;
}

static void fz_mgmt_end(void)
{
	shim_env.no_wait = false;
}

static void fz_op_limits(struct fz_in *in)
{
	static const u64 iops[] = { 0, 1, 10, 1000, 0, 100, 3, 0 };
	static const u64 bps[] = { 0, 512, 4096, 1 << 20, 0, 65536, 1000, 0 };
	struct vblk_throttle_cfg cfg = {};
	const char *why = NULL;
	u8 w = fz_get8(in);

	cfg.iops = iops[w & 7];
	cfg.bps = bps[(w >> 3) & 7];
	cfg.iops_burst = w & 0x40 ? fz_get32(in) : 0;
	cfg.bps_burst = w & 0x80 ? fz_get64(in) : 0;
	fz_mgmt_begin();
	if (!vblk_vdev_set_limits(&fz.vd, &cfg, &why))
		fz.m.limited = cfg.iops || cfg.bps;
	else
		FZ_CHECK(why, "refused limits without a reason");
	fz_mgmt_end();
}

static void fz_op_show(void)
{
	struct vblk_throttle_cfg cfg;
	struct vblk_vq_snapshot s;
	char serial[VBLK_SERIAL_LEN];
	unsigned int q;

	fz_mgmt_begin();
	for (q = 0; q < vblk_vdev_num_queues(&fz.vd); q++)
		vblk_vdev_vq_snapshot(&fz.vd, q, &s);
	vblk_vdev_get_limits(&fz.vd, &cfg);
	vblk_vdev_get_serial(&fz.vd, serial);
	FZ_CHECK(!memcmp(serial, fz.m.serial, sizeof(serial)), "serial changed");
	(void)vblk_vdev_get_status(&fz.vd);
	(void)vblk_vdev_get_features(&fz.vd);
	(void)vblk_vdev_capacity(&fz.vd);
	fz_mgmt_end();
	fz_model_check_counters();
}

static void fz_op_serial(struct fz_in *in)
{
	unsigned int i;

	for (i = 0; i < VBLK_SERIAL_LEN; i++)
		fz.m.serial[i] = fz_get8(in);
	fz_mgmt_begin();
	vblk_vdev_set_serial(&fz.vd, fz.m.serial);
	fz_mgmt_end();
}

/* ---- the device's own typed queue API (what a vDPA binding calls) ----------------- */

static void fz_op_vdev(struct fz_in *in)
{
	unsigned int q = fz_get8(in) % (fz.nq + 1);
	u16 idx;

	switch (fz_get8(in) % 5) {
	case 0:
		vblk_vdev_set_vq_num(&fz.vd, q, fz_get16(in));
		break;
	case 1: {
		u64 desc = fz_addr(in), avail = fz_addr(in), used = fz_addr(in);

		vblk_vdev_set_vq_address(&fz.vd, q, desc, avail, used);
		break;
	}
	case 2:
		if (!vblk_vdev_set_vq_state(&fz.vd, q, fz_get16(in)))
			fz_model_queue_renewed(q);
		break;
	case 3:
		vblk_vdev_set_vq_ready(&fz.vd, q, fz_get8(in) & 1);
		break;
	default:
		if (!vblk_vdev_get_vq_state(&fz.vd, q, &idx))
			FZ_CHECK(idx == fz.vd.qs[q].vq.last_avail_idx,
				 "queue state %u", idx);
		break;
	}
	fz_model_sync_queues();
}

/* ---- the rest of the operations ---------------------------------------------------- */

static void fz_op_fault(struct fz_in *in)
{
	u8 k = fz_get8(in);
	struct fz_fault f;

	f.gpa = fz_addr(in);
	f.len = fz_len(in);
	f.kinds = 1 + k % 3;
	if (k & 0x80)
		fz.mem.nfaults = 0;
	else if (fz.mem.nfaults < FZ_MAX_FAULTS)
		fz.mem.faults[fz.mem.nfaults++] = f;
}

static void fz_op_plan(struct fz_in *in)
{
	u8 which = fz_get8(in) % 3, n = fz_get8(in) % 8 + 1, v;
	u8 *plan[] = { fz_b.rw, fz_b.sync, fz_b.sub };
	unsigned int *cnt[] = { &fz_b.nrw, &fz_b.nsync, &fz_b.nsub };

	while (n--) {
		v = fz_get8(in);
		if (*cnt[which] < FZ_PLAN_MAX)
			plan[which][(*cnt[which])++] = v;
	}
}

static void fz_op_complete(struct fz_in *in)
{
	static const u8 how[] = {
		FZ_RW_FULL, FZ_RW_FULL, FZ_RW_FULL, FZ_RW_FULL, FZ_RW_SHORT,
		FZ_RW_ZERO, FZ_RW_EINTR, FZ_RW_EIO, FZ_RW_OVER,
	};
	u8 i = fz_get8(in), h = fz_get8(in);

	if (fz_b.n)
		fz_backing_complete(i % fz_b.n, how[h % ARRAY_SIZE(how)]);
}

static void fz_op_time(struct fz_in *in)
{
	u64 amount = fz_get16(in);
	unsigned int shift = fz_get8(in) % 40;

	shim_env.now += amount << shift;
	shim_timer_run(&fz.vd.blk.throttle.timer);
}

static void fz_op_capacity(struct fz_in *in)
{
	u8 how = fz_get8(in);
	u64 cap = how < 0x80 ? how * 8ULL : how < 0xf0 ? fz.m.caps + how :
		  fz_get64(in);

	vblk_vdev_set_capacity(&fz.vd, cap);
	fz.m.caps = cap;
}

static void fz_op_rebind(struct fz_in *in)
{
	u8 again = fz_get8(in) & 1;

	if (fz.bound)
		fz_unbind();
	if (again)
		fz_bind();
}

static void fz_op_poke(struct fz_in *in)
{
	u64 gpa = fz_addr(in);
	u8 buf[64], n = fz_get8(in) % sizeof(buf), i;

	for (i = 0; i < n; i++)
		buf[i] = fz_get8(in);
	fz_guest_write(&fz.mem, gpa, buf, n);
}

static void fz_op(struct fz_in *in)
{
	u8 op = fz_get8(in) % FZ_OP_NR;

	FZ_TRACE("op %u", op);
	switch (op) {
	case FZ_OP_MMIO_W:	fz_op_mmio(in, true); break;
	case FZ_OP_MMIO_R:	fz_op_mmio(in, false); break;
	case FZ_OP_INIT:	fz_op_init(in); break;
	case FZ_OP_CHAIN:	fz_op_chain(in); break;
	case FZ_OP_DESC:	fz_op_desc(in); break;
	case FZ_OP_PUSH:	fz_op_push(in); break;
	case FZ_OP_AVAIL_IDX:	fz_op_avail_idx(in); break;
	case FZ_OP_KICK:
		fz_mmio_write(VIRTIO_MMIO_QUEUE_NOTIFY, 4, fz_get8(in) % (fz.nq + 1));
		break;
	case FZ_OP_RUN:		fz_run(FZ_RUN_ROUNDS); break;
	case FZ_OP_PROCESS:	fz_process(fz_get8(in) % fz.nq); break;
	case FZ_OP_COMPLETE:	fz_op_complete(in); break;
	case FZ_OP_TIME:	fz_op_time(in); break;
	case FZ_OP_LIMITS:	fz_op_limits(in); break;
	case FZ_OP_CAPACITY:	fz_op_capacity(in); break;
	case FZ_OP_FAULT:	fz_op_fault(in); break;
	case FZ_OP_UNMAP: {
		struct fz_region *r = &fz.mem.reg[fz_get8(in) % fz.mem.nreg];

		r->present = !r->present;
		break;
	}
	case FZ_OP_PLAN:	fz_op_plan(in); break;
	case FZ_OP_RESET:	fz_mmio_write(VIRTIO_MMIO_STATUS, 4, 0); break;
	case FZ_OP_REBIND:	fz_op_rebind(in); break;
	case FZ_OP_POKE:	fz_op_poke(in); break;
	case FZ_OP_USED_EVENT:	fz_op_used_event(in); break;
	case FZ_OP_VDEV:	fz_op_vdev(in); break;
	case FZ_OP_ALLOCFAIL:
		shim_env.alloc_fail_at = shim_env.allocs + 1 + fz_get8(in) % 4;
		break;
	case FZ_OP_SERIAL:	fz_op_serial(in); break;
	case FZ_OP_SHOW:	fz_op_show(); break;
	}
}

/* ---- one run ------------------------------------------------------------------------ */

static void fz_setup(struct fz_in *in)
{
	u8 h = fz_get8(in), preset = fz_get8(in);
	struct vblk_blk_config cfg = { 0 };
	u64 cap = fz_get16(in), size;
	unsigned int q;

	if (cap == 0xffff)
		cap = fz_get64(in);
	size = (u64)fz_get16(in) << 9;
	memset(&fz, 0, offsetof(struct fz_world, m));
	fz_model_reset(&fz.m);
	fz.nq = (h & 3) + 1;
	fz_mem_setup(&fz.mem, preset);
	fz_backing_setup(h & 8, h & 16, h & 32, h & 64, size);
	for (q = 0; q < fz.nq; q++)
		fz.qbase[q] = fz.mem.reg[0].gpa + 0x2000 * q;
	fz.m.caps = cap;
	fz.m.read_only = h & 4;
	memcpy(fz.m.serial, FZ_SERIAL, sizeof(FZ_SERIAL) - 1);
	memcpy(cfg.serial, fz.m.serial, VBLK_SERIAL_LEN);
	cfg.capacity = cap;
	cfg.read_only = h & 4;
	cfg.num_queues = fz.nq;
	cfg.caps.discard = fz_b.dwz;
	cfg.caps.write_zeroes = fz_b.dwz;
	cfg.caps.zeroes_unmap = fz_b.unmap;
	shim_env.wait = fz_wait;
	shim_iter_write_hook = fz_model_on_iter_write;
	FZ_CHECK(!vblk_vdev_init(&fz.vd, &cfg, fz_backing_ops(), NULL, fz_event,
				 NULL), "vblk_vdev_init failed");
	fz.vd_live = true;
	fz.binding.ops = &fz_host_ops;
	fz.binding.ctx = NULL;
	fz.binding.mem.ops = &fz_mem_ops;
	fz.binding.mem.ctx = &fz.mem;
	fz_bind();
}

/*
 * The end of a life: everything in flight completes, every queue is
 * kicked once more and served until nothing is pending (throttle timers
 * fire as their time comes), then nothing runnable may be left behind.
 */
static void fz_drain(void)
{
	unsigned int r, q;

	shim_env.alloc_fail_at = 0;
	for (q = 0; q < fz.nq; q++)
		fz.pending |= BIT(q);
	for (r = 0; r < FZ_DRAIN_ROUNDS; r++) {
		fz_backing_complete_all();
		if (fz.pending) {
			fz_run(1);
			continue;
		}
		if (fz.vd.blk.throttle.timer.armed) {
			shim_env.now = max(shim_env.now,
					   fz.vd.blk.throttle.timer.expires);
			shim_timer_run(&fz.vd.blk.throttle.timer);
			continue;
		}
		if (!fz.bound)
			break;
		fz.pending = fz_model_quiesce_check();
		if (!fz.pending)
			break;
	}
	FZ_CHECK(r < FZ_DRAIN_ROUNDS, "the device never went idle");
}

/* VBLK_FUZZ_VERBOSE=1: what a run did, for writing seeds and debugging. */
static void fz_report(void)
{
	static int verbose = -1;
	const struct fz_counts *c = &fz.m.c;

	if (verbose < 0)
		verbose = getenv("VBLK_FUZZ_VERBOSE") || fz_tracing;
	if (!verbose)
		return;
	fprintf(stderr, "vblk-fuzz: published %lu: reads %llu (%llu bytes) "
		"writes %llu (%llu bytes) flushes %llu io_errors %llu "
		"throttled %llu broken %llu; backing calls %lu\n",
		fz.m.published_total, (unsigned long long)c->reads,
		(unsigned long long)c->bytes_read, (unsigned long long)c->writes,
		(unsigned long long)c->bytes_written,
		(unsigned long long)c->flushes, (unsigned long long)c->io_errors,
		(unsigned long long)c->throttled,
		(unsigned long long)c->invalid_avail, fz_b.calls);
}

static void fz_teardown(void)
{
	fz_report();
	if (fz.bound) {
		fz_mmio_write(VIRTIO_MMIO_STATUS, 4, 0);
		fz_unbind();
	}
	FZ_CHECK(!fz.m.npred, "%u chains outstanding at the end", fz.m.npred);
	vblk_vdev_destroy(&fz.vd);
	fz.vd_live = false;
	FZ_CHECK(!shim_env.live, "%ld allocations never freed", shim_env.live);
	shim_reset();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fz_in in = { data, size };
	static bool once;

	if (!once) {
		fz_tracing = getenv("VBLK_FUZZ_TRACE");
		once = true;
	}

	fz_setup(&in);
	while (in.n)
		fz_op(&in);
	fz_drain();
	fz_teardown();
	return 0;
}
