/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seed contract as parameter tables (suites "vblk_seed_chain" and
 * "vblk_seed_validation"): one parameter per seed test, named vblk_<seed
 * test>. Every case is driven as a guest would: rings in fake guest memory,
 * the device brought up and kicked through its virtio-mmio register file.
 * Every case states its whole outcome (status byte, used index, interrupts,
 * all counters) and may add checks of its own.
 *
 * Unless a case says otherwise: a 4 KiB (8-sector) device whose backing
 * file fills its capacity, a 16-entry queue at gpa 0, the request header
 * at 0x4000, data at 0x5000 and the status byte at 0x6000; the driver
 * declines EVENT_IDX.
 */
#ifndef _VBLK_SEED_H
#define _VBLK_SEED_H

#include <kunit/test.h>
#include <linux/types.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake_async.h"

#define CAP		4096ULL
#define QSIZE		16
#define HDR		0x4000ULL
#define DATA		0x5000ULL
#define STATUS		0x6000ULL
#define HDR_LEN		16	/* struct virtio_blk_outhdr */
#define W		VRING_DESC_F_WRITE
#define SENTINEL	0xEE	/* none of S_OK, S_IOERR, S_UNSUPP */
/* Used ring placed away from the avail ring for the EVENT_IDX cases. */
#define USED_AWAY	0x10000ULL
/* Used ring whose trailing avail_event is the first byte of the hole. */
#define USED_AT_EDGE	(VBLK_FAKE_RAM0 + VBLK_FAKE_RAM0_SIZE - (4 + 8 * QSIZE))

#define DESC(a, l, f)	((struct vblk_fake_desc){ .addr = (a), .len = (l), \
						  .flags = (f) })
/* header + one data descriptor + 1-byte status at STATUS */
#define CHAIN3(len, f)	.d = { DESC(HDR, HDR_LEN, 0), DESC(DATA, len, f), \
			       DESC(STATUS, 1, W) }, .n = 3
/* header + 1-byte status at DATA */
#define CHAIN2		.d = { DESC(HDR, HDR_LEN, 0), DESC(DATA, 1, W) }, .n = 2, \
			.status_at = DATA
/* one chain published, the driver interrupted once */
#define PUBLISHED	.used = 1, .signals = 1, .isr = VIRTIO_MMIO_INT_VRING

struct seed_run;

/**
 * struct seed_counts - the device's counters after a case
 * @reads: reads_completed
 * @writes: writes_completed
 * @flushes: flushes_completed
 * @bytes_read: bytes_read
 * @bytes_written: bytes_written
 * @io_errors: io_errors
 * @throttled: throttled_count
 * @gauge: currently_throttled_gauge
 */
struct seed_counts {
	u64 reads, writes, flushes, bytes_read, bytes_written;
	u64 io_errors, throttled, gauge;
};

/**
 * struct seed_case - one seed test
 * @name: vblk_ followed by the seed test's name
 * @qsize: queue size (0: 16)
 * @fill: byte the backing file holds
 * @file_size: backing file size in bytes (0: the capacity)
 * @read_only: a read-only device
 * @no_capacity: a device of capacity 0 with an empty file
 * @write_partials: backing fault: short writes
 * @read_eintrs: backing fault: reads that return -EINTR
 * @write_zero: backing fault: writes make no progress
 * @eintr_forever: backing fault: every call returns -EINTR
 * @type: request type written at HDR
 * @sector: request sector written at HDR
 * @d: the chain, published with vblk_fake_vq_add_chain()
 * @n: descriptors in @d
 * @data_fill: the 512 guest bytes at DATA hold this beforehand
 * @build: plants the chains instead of @type, @sector and @d
 * @event_idx: the driver accepts EVENT_IDX; the used ring moves to
 *	@used_at (0: USED_AWAY)
 * @used_at: see @event_idx
 * @used_event: used_event in the avail ring
 * @starve: 1 iops, its only token taken (the fake clock stands still)
 * @prepare: runs after the device is up, before the kick
 * @drive: instead of one QueueNotify
 * @status_at: the status byte (0: STATUS); SENTINEL beforehand
 * @status: the status byte afterwards (SENTINEL: never written)
 * @used: the used index afterwards
 * @signals: interrupts raised
 * @isr: InterruptStatus afterwards
 * @want: counters afterwards (all others: 0)
 * @no_backing: the backing was never called
 * @stray: the device was refused accesses outside guest RAM (else none)
 * @check: further assertions
 */
struct seed_case {
	const char *name;
	u16 qsize;
	u8 fill;
	u64 file_size;
	bool read_only, no_capacity;
	unsigned int write_partials, read_eintrs;
	bool write_zero, eintr_forever;
	u32 type;
	u64 sector;
	struct vblk_fake_desc d[4];
	unsigned int n;
	u8 data_fill;
	void (*build)(struct seed_run *r);
	bool event_idx;
	u64 used_at;
	u16 used_event;
	bool starve;
	void (*prepare)(struct seed_run *r);
	void (*drive)(struct seed_run *r);
	u64 status_at;
	u8 status;
	u16 used;
	int signals;
	u32 isr;
	struct seed_counts want;
	bool no_backing, stray;
	void (*check)(struct seed_run *r);
};

/**
 * struct seed_run - a case being run
 * @test: the test
 * @c: the case
 * @fd: its device
 * @head: head of the chain a @build or @drive hook noted
 * @a: the asynchronous backing the device is served from, or NULL
 */
struct seed_run {
	struct kunit *test;
	const struct seed_case *c;
	struct vblk_fake_dev *fd;
	u16 head;
	struct vblk_fake_async *a;
};

void seed_run_case(struct kunit *test, const struct seed_case *c);
void seed_run_case_async(struct kunit *test, const struct seed_case *c);
void seed_desc(const struct seed_case *c, char *desc);
void seed_notify(struct seed_run *r);
u32 seed_isr(struct seed_run *r);
int seed_signals(struct seed_run *r);
void seed_set_limits(struct seed_run *r, u64 iops, u64 bps);
u16 seed_add_read(struct seed_run *r);
void seed_file_zero(struct seed_run *r);
void seed_synced_once(struct seed_run *r);

#endif /* _VBLK_SEED_H */
