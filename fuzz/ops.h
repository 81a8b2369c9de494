/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The input language of vblk_fuzz, shared with the seed generator.
 *
 * An input is a header then operations until the bytes run out; every
 * operand read past the end is 0, so any byte string is a valid program.
 *
 * Header:
 *   u8  bits 0-1: queues - 1; bit 2: read-only; bit 3: the backing submits
 *       asynchronously; bit 4: the backing has sync_range; bit 5: it can
 *       discard and write zeroes; bit 6: its write zeroes can unmap
 *   u8  guest memory layout (fake_mem.c presets)
 *   u16 capacity in sectors (0xffff: a u64 follows)
 *   u16 backing file size in sectors (the buffer holds 1 MiB)
 *
 * Operations: a u8 opcode (modulo FZ_OP_NR), then its operands.
 */
#ifndef VBLK_FUZZ_OPS_H
#define VBLK_FUZZ_OPS_H

enum fz_op {
	FZ_OP_MMIO_W,	/* u8 reg, u8 width, u32 value */
	FZ_OP_MMIO_R,	/* u8 reg, u8 width */
	FZ_OP_INIT,	/* u8 features, per queue: u8 size, u8 placement */
	FZ_OP_CHAIN,	/* u8 q, u8 type, u8 sector, u8 flags, u8 nseg, ... */
	FZ_OP_DESC,	/* u8 q, u16 index, u8 addr, u8 len, u8 flags, u16 next */
	FZ_OP_PUSH,	/* u8 q, u16 head, u8 times: avail entries, index */
	FZ_OP_AVAIL_IDX,/* u8 q, u8 how (u16 raw) */
	FZ_OP_KICK,	/* u8 value for QueueNotify */
	FZ_OP_RUN,	/* the workers run their kicked queues */
	FZ_OP_PROCESS,	/* u8 q: a pass without a kick */
	FZ_OP_COMPLETE,	/* u8 which, u8 how: a transfer in flight ends */
	FZ_OP_TIME,	/* u16 amount, u8 shift: the clock moves, timers fire */
	FZ_OP_LIMITS,	/* u8 which, operands: throttle limits */
	FZ_OP_CAPACITY,	/* u8 how (u64): the capacity changes */
	FZ_OP_FAULT,	/* u8 kind, u8 addr, u8 len: guest memory faults */
	FZ_OP_UNMAP,	/* u8 region: unmapped, or mapped again */
	FZ_OP_PLAN,	/* u8 which, u8 n, n x u8: backing answers to come */
	FZ_OP_RESET,	/* Status = 0 */
	FZ_OP_REBIND,	/* u8 again: the binding goes (and comes back) */
	FZ_OP_POKE,	/* u8 addr, u8 n, n bytes: the guest writes memory */
	FZ_OP_USED_EVENT,/* u8 q, u16 value */
	FZ_OP_VDEV,	/* u8 q, u8 call, operands: queue calls of the vdev API */
	FZ_OP_ALLOCFAIL,/* u8 n: an allocation soon fails */
	FZ_OP_SERIAL,	/* 20 bytes: a new serial (management path) */
	FZ_OP_SHOW,	/* management reads: snapshot, limits, counters */
	FZ_OP_NR,
};

/* FZ_OP_CHAIN flags */
#define FZ_CH_INDIRECT	0x01	/* the chain goes into an indirect table */
#define FZ_CH_PUBLISH	0x02	/* the avail index is moved */
#define FZ_CH_KICK	0x04	/* and the queue is kicked */
#define FZ_CH_MUT_SHIFT	3	/* bits 3-7: a mutation (0 and >= 12: none) */

/* FZ_OP_CHAIN types (operand modulo 8) */
enum { FZ_T_IN, FZ_T_OUT, FZ_T_FLUSH, FZ_T_GET_ID, FZ_T_RAW, FZ_T_IN2,
       FZ_T_OUT2, FZ_T_OUT3 };

#endif /* VBLK_FUZZ_OPS_H */
