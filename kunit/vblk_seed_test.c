// SPDX-License-Identifier: GPL-2.0
/*
 * The seed contract, one KUnit case per seed test: descriptor-chain
 * parsing, validation, I/O retries, notification and throttle ordering,
 * all driven as a guest would — rings in fake guest memory, the device
 * brought up and kicked through its virtio-mmio register file.
 *
 * Unless a case says otherwise: a 4 KiB (8-sector) device whose backing
 * file fills its capacity, a 16-entry queue at gpa 0, the request header
 * at 0x4000, data at 0x5000 and the status byte at 0x6000.
 */
#include <kunit/test.h>
#include <linux/time64.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"

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

static struct vblk_fake_dev *seed_dev(struct kunit *test, u8 fill)
{
	return vblk_fake_dev_simple(test, CAP, fill, QSIZE);
}

static struct vblk_fake_dev *seed_dev_ro(struct kunit *test)
{
	struct vblk_blk_config cfg = {
		.capacity = CAP >> VBLK_SECTOR_SHIFT,
		.read_only = true,
	};

	return vblk_fake_dev_new(test, &cfg, CAP, 0, QSIZE);
}

/* Bring the device up without EVENT_IDX (the "legacy" notification path). */
static void wire(struct vblk_fake_dev *fd)
{
	vblk_fake_wire(fd->test, fd->vd, &fd->vq, false);
}

/* Bring the device up with EVENT_IDX and the used ring at @used. */
static void wire_event_idx(struct vblk_fake_dev *fd, u64 used)
{
	vblk_fake_vq_set_used_addr(&fd->vq, used);
	vblk_fake_wire(fd->test, fd->vd, &fd->vq, true);
}

static void notify(struct vblk_fake_dev *fd)
{
	vblk_fake_notify(fd->test, fd->vd, 0);
}

/* header + one data descriptor + 1-byte status at HDR/DATA/STATUS; the head */
static u16 chain3(struct vblk_fake_dev *fd, u32 type, u64 sector,
		  u32 data_len, u16 data_flags)
{
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0),
		DESC(DATA, data_len, data_flags),
		DESC(STATUS, 1, W),
	};

	vblk_fake_write_hdr(fd->mem, HDR, type, sector);
	return vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
}

/* header + 1-byte status at @status */
static void chain2(struct vblk_fake_dev *fd, u32 type, u64 status)
{
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0),
		DESC(status, 1, W),
	};

	vblk_fake_write_hdr(fd->mem, HDR, type, 0);
	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
}

static u8 status_at(struct vblk_fake_dev *fd, u64 gpa)
{
	return vblk_fake_rd8(fd->mem, gpa);
}

static u16 used_idx(struct vblk_fake_dev *fd)
{
	return vblk_fake_vq_used_idx(&fd->vq);
}

static u32 isr(struct vblk_fake_dev *fd)
{
	return vblk_fake_reg_read(fd->test, fd->vd,
				  VIRTIO_MMIO_INTERRUPT_STATUS);
}

/* Times the call eventfd (KVM irqfd) was signalled. */
static int signals(struct vblk_fake_dev *fd)
{
	return atomic_read(&fd->host.signals);
}

/* The device touched nothing outside guest RAM. */
static void expect_no_stray(struct vblk_fake_dev *fd)
{
	KUNIT_EXPECT_EQ_MSG(fd->test, atomic_read(&fd->mem->outside), 0,
			    "device accessed bytes outside guest RAM");
}

static void set_limits(struct vblk_fake_dev *fd, u64 iops, u64 bps)
{
	struct vblk_throttle_cfg cfg = { .iops = iops, .bps = bps };

	KUNIT_ASSERT_EQ(fd->test, 0,
			vblk_throttle_set(&fd->vd->blk.throttle, &cfg, NULL));
}

/* ------------------------------------------------------------------ */
/* vblk_seed_chain                                                     */
/* ------------------------------------------------------------------ */

static void process_requests_full_read_chain(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, DATA, 0xAB, 512));
	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_read), 512);
	expect_no_stray(fd);
}

static void process_requests_full_write_chain(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);

	vblk_fake_fill(fd->mem, DATA, 0xCD, 512);
	chain3(fd, VIRTIO_BLK_T_OUT, 1, 512, 0);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_FALSE(test, memchr_inv(fd->backing->data + 512, 0xCD, 512));
	/* nothing else of the file changed */
	KUNIT_EXPECT_FALSE(test, memchr_inv(fd->backing->data, 0, 512));
	KUNIT_EXPECT_FALSE(test, memchr_inv(fd->backing->data + 1024, 0,
					    CAP - 1024));
	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, writes_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_written), 512);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
	expect_no_stray(fd);
}

static void process_requests_write_chain_short_write_retries_to_completion(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);

	fd->backing->write_partials = 1;
	vblk_fake_fill(fd->mem, DATA, 0xCD, 512);
	chain3(fd, VIRTIO_BLK_T_OUT, 1, 512, 0);
	wire(fd);
	notify(fd);

	/* the whole payload landed, not just the first half */
	KUNIT_EXPECT_FALSE(test, memchr_inv(fd->backing->data + 512, 0xCD, 512));
	KUNIT_EXPECT_EQ(test, fd->backing->write_partials, 0);
	KUNIT_EXPECT_GE(test, atomic_read(&fd->backing->writes), 2);
	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, writes_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_written), 512);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
}

static void process_requests_write_chain_zero_progress_is_ioerr(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);

	fd->backing->write_zero = true;
	vblk_fake_fill(fd->mem, DATA, 0xCD, 512);
	chain3(fd, VIRTIO_BLK_T_OUT, 1, 512, 0);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_IOERR);
	/* the failure is published so the guest sees it */
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_GE(test, atomic_read(&fd->backing->writes), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, writes_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_written), 0);
}

static void process_requests_read_chain_eintr_retries_to_completion(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	fd->backing->read_eintrs = 2;
	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, DATA, 0xAB, 512));
	KUNIT_EXPECT_EQ(test, fd->backing->read_eintrs, 0);
	KUNIT_EXPECT_GE(test, atomic_read(&fd->backing->reads), 3);
	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_read), 512);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
}

static void process_requests_read_chain_eintr_forever_hits_retry_cap(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	fd->backing->eintr_forever = true;
	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_IOERR);
	/* retried, but a bounded number of times */
	KUNIT_EXPECT_GT(test, atomic_read(&fd->backing->reads), 1);
	KUNIT_EXPECT_LE(test, atomic_read(&fd->backing->reads),
			VBLK_EINTR_RETRIES + 1);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
}

static void process_requests_write_chain_all_zero_len_segments_is_zero_byte_ok(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0),
		DESC(DATA, 0, 0),
		DESC(DATA + 0x100, 0, 0),
		DESC(STATUS, 1, W),
	};

	vblk_fake_write_hdr(fd->mem, HDR, VIRTIO_BLK_T_OUT, 1);
	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, writes_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_written), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
	KUNIT_EXPECT_FALSE(test, memchr_inv(fd->backing->data, 0, CAP));
	expect_no_stray(fd);
}

static void process_requests_read_chain_all_zero_len_segments_is_zero_byte_ok(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0),
		DESC(DATA, 0, W),
		DESC(DATA + 0x100, 0, W),
		DESC(STATUS, 1, W),
	};

	vblk_fake_write_hdr(fd->mem, HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_read), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
	expect_no_stray(fd);
}

static void process_requests_unknown_type_returns_unsupp(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);

	chain2(fd, 0xBEEF, DATA);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, DATA), VIRTIO_BLK_S_UNSUPP);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, writes_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, flushes_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
}

static void process_requests_flush_chain(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);

	chain2(fd, VIRTIO_BLK_T_FLUSH, DATA);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, DATA), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&fd->backing->syncs), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, flushes_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, writes_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
}

static void process_requests_short_header_returns_ioerr(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);
	const struct vblk_fake_desc d[] = {
		DESC(HDR, 8, 0),	/* half a header */
		DESC(DATA, 1, W),
	};

	vblk_fake_write_hdr(fd->mem, HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, DATA), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, writes_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, flushes_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
}

static void process_requests_status_not_writable_drops_chain(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0),
		DESC(DATA, 1, 0),	/* device-readable: not a status */
	};

	vblk_fake_wr8(fd->mem, DATA, SENTINEL);
	vblk_fake_write_hdr(fd->mem, HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	wire(fd);
	notify(fd);

	/* no status byte anywhere, no used entry: a phantom success */
	KUNIT_EXPECT_EQ(test, status_at(fd, DATA), SENTINEL);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, isr(fd) & VIRTIO_MMIO_INT_VRING, 0);
	KUNIT_EXPECT_EQ(test, signals(fd), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
}

static void process_requests_multiple_chains_drained_in_one_notify(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);
	unsigned int i;
	u32 id, len;

	for (i = 0; i < 3; i++)
		memset(fd->backing->data + 512 * i, 0x11 * (i + 1), 512);
	for (i = 0; i < 3; i++) {
		u64 base = HDR + 0x1000 * i;
		const struct vblk_fake_desc d[] = {
			DESC(base, HDR_LEN, 0),
			DESC(base + 0x400, 512, W),
			DESC(base + 0x800, 1, W),
		};

		vblk_fake_write_hdr(fd->mem, base, VIRTIO_BLK_T_IN, i);
		vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	}
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, used_idx(fd), 3);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 3);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_read), 3 * 512);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
	/* one drain, one interrupt */
	KUNIT_EXPECT_EQ(test, signals(fd), 1);
	for (i = 0; i < 3; i++) {
		u64 base = HDR + 0x1000 * i;

		KUNIT_EXPECT_TRUE_MSG(test,
				      vblk_fake_all(fd->mem, base + 0x400,
						    0x11 * (i + 1), 512),
				      "chain %u data", i);
		KUNIT_EXPECT_EQ(test, status_at(fd, base + 0x800),
				VIRTIO_BLK_S_OK);
		/* FIFO: used entries in avail order, heads 0, 3, 6 */
		vblk_fake_vq_used_elem(&fd->vq, i, &id, &len);
		KUNIT_EXPECT_EQ(test, id, 3 * i);
	}
}

static struct kunit_case vblk_seed_chain_cases[] = {
	KUNIT_CASE(process_requests_full_read_chain),
	KUNIT_CASE(process_requests_full_write_chain),
	KUNIT_CASE(process_requests_write_chain_short_write_retries_to_completion),
	KUNIT_CASE(process_requests_write_chain_zero_progress_is_ioerr),
	KUNIT_CASE(process_requests_read_chain_eintr_retries_to_completion),
	KUNIT_CASE(process_requests_read_chain_eintr_forever_hits_retry_cap),
	KUNIT_CASE(process_requests_write_chain_all_zero_len_segments_is_zero_byte_ok),
	KUNIT_CASE(process_requests_read_chain_all_zero_len_segments_is_zero_byte_ok),
	KUNIT_CASE(process_requests_unknown_type_returns_unsupp),
	KUNIT_CASE(process_requests_flush_chain),
	KUNIT_CASE(process_requests_short_header_returns_ioerr),
	KUNIT_CASE(process_requests_status_not_writable_drops_chain),
	KUNIT_CASE(process_requests_multiple_chains_drained_in_one_notify),
	{}
};

static struct kunit_suite vblk_seed_chain_suite = {
	.name = "vblk_seed_chain",
	.test_cases = vblk_seed_chain_cases,
};

/* ------------------------------------------------------------------ */
/* vblk_seed_validation                                                */
/* ------------------------------------------------------------------ */

static void seg_max_dropped_no_publish(struct kunit *test)
{
	struct vblk_fake_dev *fd = vblk_fake_dev_simple(test, CAP, 0xAB, 256);
	/* 1 header + 130 data + 1 status = 132 > SEG_MAX + 2 */
	const unsigned int total = VBLK_VQ_CHAIN_MAX + 2;
	struct vblk_fake_desc *d;
	unsigned int i;

	d = kunit_kcalloc(test, total, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	wire(fd);
	d[0] = DESC(0x10000, HDR_LEN, 0);
	for (i = 1; i < total - 1; i++)
		d[i] = DESC(0x40000 + 8ULL * (i - 1), 8, W);
	d[total - 1] = DESC(0x20000, 1, W);
	vblk_fake_write_hdr(fd->mem, 0x10000, VIRTIO_BLK_T_IN, 0);
	vblk_fake_wr8(fd->mem, 0x20000, SENTINEL);
	vblk_fake_vq_add_chain(&fd->vq, d, total);
	notify(fd);

	KUNIT_EXPECT_EQ(test, used_idx(fd), 0);
	KUNIT_EXPECT_GE(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 0);
	KUNIT_EXPECT_EQ(test, status_at(fd, 0x20000), SENTINEL);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
	/* the data buffers were not filled either */
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, 0x40000, 0,
					      8 * (total - 2)));
}

static void header_read_obj_failure_returns_ioerr(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);
	const struct vblk_fake_desc d[] = {
		DESC(VBLK_FAKE_HOLE, HDR_LEN, 0),	/* not guest RAM */
		DESC(HDR, 1, W),
	};

	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, HDR), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_GE(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	/* proves the header read really was refused by the memory */
	KUNIT_EXPECT_GE(test, atomic_read(&fd->mem->outside), 1);
}

static void size_max_oversized_data_desc_rejected(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0),
		DESC(0x8000, VBLK_SIZE_MAX + 1, W),
		DESC(0x9000, 1, W),
	};

	vblk_fake_write_hdr(fd->mem, HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, 0x9000), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
	/* rejected on its length, before any access to the (too long) buffer */
	expect_no_stray(fd);
}

static void zero_data_t_in_returns_ioerr(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	chain2(fd, VIRTIO_BLK_T_IN, DATA);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, DATA), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
}

static void sub_sector_data_len_returns_ioerr(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	chain3(fd, VIRTIO_BLK_T_IN, 0, 513, W);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, DATA, 0, 513));
}

static void direction_violation_t_in_with_ro_data_returns_ioerr(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	vblk_fake_fill(fd->mem, DATA, 0xCD, 512);
	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, 0);	/* readable: wrong for IN */
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
	/* the device-readable buffer was not written */
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, DATA, 0xCD, 512));
}

static void direction_violation_t_out_with_writable_data_returns_ioerr(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	vblk_fake_fill(fd->mem, DATA, 0xCD, 512);
	chain3(fd, VIRTIO_BLK_T_OUT, 1, 512, W);	/* writable: wrong for OUT */
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, writes_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_written), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
	KUNIT_EXPECT_FALSE(test, memchr_inv(fd->backing->data, 0xAB, CAP));
	/* neither the read nor the write path ran on the data buffer */
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, DATA, 0xCD, 512));
}

static void status_write_slice_failure_no_add_used(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	chain2(fd, VIRTIO_BLK_T_FLUSH, VBLK_FAKE_HOLE + 0x100000);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, used_idx(fd), 0);
	KUNIT_EXPECT_GE(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_GE(test, atomic_read(&fd->mem->outside), 1);
}

static void add_used_err_path_baseline_io_errors_zero(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 1);
	expect_no_stray(fd);
}

static void ro_flush_full_chain_returns_ok_increments_counter(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev_ro(test);

	chain2(fd, VIRTIO_BLK_T_FLUSH, DATA);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, DATA), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, flushes_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 0);
}

static void multi_byte_status_writes_to_last_byte(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0),
		DESC(DATA, 512, W),
		DESC(STATUS, 4, W),
	};

	vblk_fake_write_hdr(fd->mem, HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_wr32(fd->mem, STATUS, 0xDDCCBBAA);
	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), 0xAA);
	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS + 1), 0xBB);
	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS + 2), 0xCC);
	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS + 3), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
}

static void zero_capacity_read_returns_ioerr(struct kunit *test)
{
	struct vblk_blk_config cfg = { .capacity = 0 };
	struct vblk_fake_dev *fd = vblk_fake_dev_new(test, &cfg, 0, 0, QSIZE);

	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_GE(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
}

static void partial_data_read_zero_pads_remainder(struct kunit *test)
{
	struct vblk_blk_config cfg = { .capacity = CAP >> VBLK_SECTOR_SHIFT };
	/* a 100-byte file behind an 8-sector device */
	struct vblk_fake_dev *fd = vblk_fake_dev_new(test, &cfg, 100, 0xA5,
						     QSIZE);

	vblk_fake_fill(fd->mem, DATA, 0xFF, 512);
	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, DATA, 0xA5, 100));
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, DATA + 100, 0, 412));
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_read), 512);
}

static void write_sector_overflow_returns_ioerr(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);

	vblk_fake_fill(fd->mem, DATA, 0xCD, 512);
	chain3(fd, VIRTIO_BLK_T_OUT, U64_MAX, 512, 0);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_GE(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, writes_completed), 0);
	/* no wrapped-around write landed anywhere in the file */
	KUNIT_EXPECT_EQ(test, atomic_read(&fd->backing->writes), 0);
	KUNIT_EXPECT_FALSE(test, memchr_inv(fd->backing->data, 0, CAP));
}

static void flush_sync_data_baseline_ok_path(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);

	chain2(fd, VIRTIO_BLK_T_FLUSH, DATA);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, DATA), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, atomic_read(&fd->backing->syncs), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, flushes_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
}

static void validation_gates_do_not_consume_throttle_tokens(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);
	struct vblk_throttle *t = &fd->vd->blk.throttle;

	wire(fd);
	/* 1 iops with the only token taken; the fake clock stands still */
	set_limits(fd, 1, 0);
	KUNIT_ASSERT_TRUE(test, vblk_throttle_admit(t, 1, 0));
	KUNIT_ASSERT_EQ(test, t->ops.tokens, 0);

	chain3(fd, VIRTIO_BLK_T_IN, 0, 513, W);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	/* rejected before the empty bucket was consulted: no stall */
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, currently_throttled_gauge), 0);
	KUNIT_EXPECT_EQ(test, t->ops.tokens, 0);
}

static void ro_flush_and_normal_flush_both_increment_counter(struct kunit *test)
{
	struct vblk_fake_dev *rw = seed_dev(test, 0x00);
	struct vblk_fake_dev *ro = seed_dev_ro(test);

	chain2(rw, VIRTIO_BLK_T_FLUSH, DATA);
	wire(rw);
	notify(rw);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(rw, flushes_completed), 1);
	KUNIT_EXPECT_EQ(test, status_at(rw, DATA), VIRTIO_BLK_S_OK);

	chain2(ro, VIRTIO_BLK_T_FLUSH, DATA);
	wire(ro);
	notify(ro);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(ro, flushes_completed), 1);
	KUNIT_EXPECT_EQ(test, status_at(ro, DATA), VIRTIO_BLK_S_OK);
}

static void process_requests_fires_irqfd_on_legacy_path(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire(fd);
	KUNIT_EXPECT_EQ(test, signals(fd), 0);
	notify(fd);

	KUNIT_EXPECT_EQ(test, signals(fd), 1);
	KUNIT_EXPECT_NE(test, isr(fd) & VIRTIO_MMIO_INT_VRING, 0);
}

static void event_idx_suppresses_irqfd_when_threshold_unreached(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	vblk_fake_vq_set_used_event(&fd->vq, 0xffff);
	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire_event_idx(fd, USED_AWAY);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 1);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	/* the bit is set for a polling guest even though no interrupt */
	KUNIT_EXPECT_EQ(test, isr(fd) & VIRTIO_MMIO_INT_VRING, 1);
	KUNIT_EXPECT_EQ(test, signals(fd), 0);
}

static void event_idx_fires_irqfd_when_threshold_reached(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	vblk_fake_vq_set_used_event(&fd->vq, 0);
	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire_event_idx(fd, USED_AWAY);
	notify(fd);

	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, signals(fd), 1);
	KUNIT_EXPECT_NE(test, isr(fd) & VIRTIO_MMIO_INT_VRING, 0);
}

/* Three reads of sector 0, each with its own header, data and status. */
static void three_reads(struct vblk_fake_dev *fd)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		const struct vblk_fake_desc d[] = {
			DESC(0x4000 + 0x1000 * i, HDR_LEN, 0),
			DESC(0x8000 + 0x1000 * i, 512, W),
			DESC(0xC000 + 0x100 * i, 1, W),
		};

		vblk_fake_write_hdr(fd->mem, d[0].addr, VIRTIO_BLK_T_IN, 0);
		vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	}
}

static void event_idx_multi_chain_drain_fires_once(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	vblk_fake_vq_set_used_event(&fd->vq, 0);
	three_reads(fd);
	wire_event_idx(fd, USED_AWAY);
	notify(fd);

	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 3);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 3);
	KUNIT_EXPECT_EQ(test, signals(fd), 1);
}

static void event_idx_multi_chain_drain_suppresses_below_threshold(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	vblk_fake_vq_set_used_event(&fd->vq, 10);
	three_reads(fd);
	wire_event_idx(fd, USED_AWAY);
	notify(fd);

	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 3);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 3);
	KUNIT_EXPECT_EQ(test, isr(fd) & VIRTIO_MMIO_INT_VRING, 1);
	KUNIT_EXPECT_EQ(test, signals(fd), 0);
}

static void legacy_path_fires_irqfd_every_drain(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	/* would suppress with EVENT_IDX; ignored without it */
	vblk_fake_vq_set_used_event(&fd->vq, 0xffff);
	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, signals(fd), 1);
	KUNIT_EXPECT_EQ(test, isr(fd) & VIRTIO_MMIO_INT_VRING, 1);

	/* a second drain signals again */
	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	notify(fd);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 2);
	KUNIT_EXPECT_EQ(test, signals(fd), 2);
}

static void outer_loop_drains_two_pre_queued_chains_in_one_call(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0),
		DESC(HDR + 0x100, 1, W),
	};
	u16 head;

	vblk_fake_vq_set_used_event(&fd->vq, 0);
	vblk_fake_write_hdr(fd->mem, HDR, VIRTIO_BLK_T_FLUSH, 0);
	/* the same two descriptors made available twice */
	head = vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	vblk_fake_vq_publish(&fd->vq, head);
	wire_event_idx(fd, USED_AWAY);
	notify(fd);

	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, flushes_completed), 2);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 2);
	KUNIT_EXPECT_EQ(test, signals(fd), 1);
}

static void enable_notification_err_breaks_outer_and_fires_irqfd_fail_safe(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);

	chain2(fd, VIRTIO_BLK_T_FLUSH, DATA);
	/* used ring fits in RAM; its trailing avail_event is in the hole */
	wire_event_idx(fd, USED_AT_EDGE);
	KUNIT_EXPECT_EQ(test, signals(fd), 0);
	notify(fd);	/* returning at all: no livelock on the failure */

	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, flushes_completed), 1);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, status_at(fd, DATA), VIRTIO_BLK_S_OK);
	/* re-enabling notifications was attempted and failed */
	KUNIT_EXPECT_GE(test, atomic_read(&fd->mem->outside), 1);
	/* fail-safe: the interrupt fires, exactly once */
	KUNIT_EXPECT_EQ(test, signals(fd), 1);
	KUNIT_EXPECT_NE(test, isr(fd) & VIRTIO_MMIO_INT_VRING, 0);
}

static void enable_notification_err_on_stall_path_breaks_outer_cleanly(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);
	struct vblk_throttle *t = &fd->vd->blk.throttle;

	vblk_fake_wr8(fd->mem, STATUS, SENTINEL);
	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	wire_event_idx(fd, USED_AT_EDGE);
	set_limits(fd, 1, 0);
	KUNIT_ASSERT_TRUE(test, vblk_throttle_admit(t, 1, 0));

	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, currently_throttled_gauge), 0);
	KUNIT_EXPECT_FALSE(test, fd->vd->blk.qs[0].throttled);
	KUNIT_EXPECT_EQ(test, signals(fd), 0);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), SENTINEL);
	KUNIT_EXPECT_TRUE(test, vblk_fake_all(fd->mem, DATA, 0, 512));
	KUNIT_EXPECT_EQ(test, used_idx(fd), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, currently_throttled_gauge), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 0);
	KUNIT_EXPECT_TRUE(test, fd->vd->blk.qs[0].throttled);
	KUNIT_EXPECT_EQ(test, isr(fd) & VIRTIO_MMIO_INT_VRING, 0);
	KUNIT_EXPECT_EQ(test, signals(fd), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
	/* internal cursor: the pop was rolled back */
	KUNIT_EXPECT_EQ(test, fd->vd->qs[0].vq.last_avail_idx, 0);
}

static void next_avail_zero_rollback_wraps_to_u16_max(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);
	struct vblk_throttle *t = &fd->vd->blk.throttle;
	struct vblk_vq *vq = &fd->vd->qs[0].vq;
	u32 id, len;
	u16 head;

	wire(fd);
	/*
	 * Internal state: start both rings one step before the u16 wrap, as
	 * after 65535 completed requests, so the next pop is at 0xffff and
	 * its rollback lands on 0xffff, not on a negative index.
	 */
	mutex_lock(&fd->vd->qs[0].lock);
	vq->last_avail_idx = 0xffff;
	vq->used_idx = 0xffff;
	mutex_unlock(&fd->vd->qs[0].lock);
	vblk_fake_wr16(fd->mem, fd->vq.used + 2, 0xffff);
	vblk_fake_vq_set_avail_idx(&fd->vq, 0xffff);

	set_limits(fd, 1, 0);
	KUNIT_ASSERT_TRUE(test, vblk_throttle_admit(t, 1, 0));
	head = chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	notify(fd);

	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 1);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 0xffff);
	mutex_lock(&fd->vd->qs[0].lock);
	KUNIT_EXPECT_EQ(test, vq->last_avail_idx, 0xffff);
	mutex_unlock(&fd->vd->qs[0].lock);

	/* a second later (fake time), a limit change resumes the queue */
	vblk_fake_clock_advance(NSEC_PER_SEC);
	set_limits(fd, 1, 0);
	vblk_fake_host_flush(&fd->host);

	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, currently_throttled_gauge), 0);
	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 0);
	vblk_fake_vq_used_elem(&fd->vq, 0xffff, &id, &len);
	KUNIT_EXPECT_EQ(test, id, head);
}

static void fragmented_header_returns_ioerr(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);
	const struct vblk_fake_desc d[] = {
		DESC(HDR, 8, 0),
		DESC(HDR + 8, 8, 0),	/* would complete the header: refused */
		DESC(DATA, 1, W),
	};

	vblk_fake_write_hdr(fd->mem, HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	wire(fd);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, DATA), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
}

static void event_idx_error_chain_suppressed_when_threshold_unreached(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);
	const struct vblk_fake_desc d[] = {
		DESC(HDR, 8, 0),
		DESC(HDR + 8, 8, 0),
		DESC(DATA, 1, W),
	};

	vblk_fake_vq_set_used_event(&fd->vq, 0xffff);
	vblk_fake_write_hdr(fd->mem, HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_vq_add_chain(&fd->vq, d, ARRAY_SIZE(d));
	wire_event_idx(fd, USED_AWAY);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, DATA), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, used_idx(fd), 1);
	KUNIT_EXPECT_EQ(test, isr(fd) & VIRTIO_MMIO_INT_VRING, 1);
	KUNIT_EXPECT_EQ(test, signals(fd), 0);
}

static void size_max_advertised_in_config_space(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0x00);
	u32 lo;

	KUNIT_EXPECT_EQ(test,
			vblk_fake_reg_read(test, fd->vd, VIRTIO_MMIO_CONFIG +
				offsetof(struct virtio_blk_config, size_max)),
			VBLK_SIZE_MAX);
	/* and the feature that makes the field meaningful is offered */
	vblk_fake_reg_write(test, fd->vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = vblk_fake_reg_read(test, fd->vd, VIRTIO_MMIO_DEVICE_FEATURES);
	KUNIT_EXPECT_TRUE(test, lo & BIT(VIRTIO_BLK_F_SIZE_MAX));
}

static void validation_gate_does_not_consume_throttle_tokens(struct kunit *test)
{
	struct vblk_fake_dev *fd = seed_dev(test, 0xAB);
	struct vblk_throttle *t = &fd->vd->blk.throttle;

	wire(fd);
	set_limits(fd, 1000, 1000000);
	KUNIT_ASSERT_EQ(test, t->ops.tokens, 1000);
	KUNIT_ASSERT_EQ(test, t->bytes.tokens, 1000000);

	chain3(fd, VIRTIO_BLK_T_IN, 0, 513, W);
	notify(fd);

	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), 1);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), 0);
	/* fake time stands still: any change would be a consumption */
	KUNIT_EXPECT_EQ(test, t->ops.tokens, 1000);
	KUNIT_EXPECT_EQ(test, t->bytes.tokens, 1000000);

	/* a valid request is charged: the gate was the only difference */
	chain3(fd, VIRTIO_BLK_T_IN, 0, 512, W);
	notify(fd);
	KUNIT_EXPECT_EQ(test, status_at(fd, STATUS), VIRTIO_BLK_S_OK);
	KUNIT_EXPECT_EQ(test, t->ops.tokens, 999);
	KUNIT_EXPECT_EQ(test, t->bytes.tokens, 1000000 - 512);
}

static struct kunit_case vblk_seed_validation_cases[] = {
	KUNIT_CASE(seg_max_dropped_no_publish),
	KUNIT_CASE(header_read_obj_failure_returns_ioerr),
	KUNIT_CASE(size_max_oversized_data_desc_rejected),
	KUNIT_CASE(zero_data_t_in_returns_ioerr),
	KUNIT_CASE(sub_sector_data_len_returns_ioerr),
	KUNIT_CASE(direction_violation_t_in_with_ro_data_returns_ioerr),
	KUNIT_CASE(direction_violation_t_out_with_writable_data_returns_ioerr),
	KUNIT_CASE(status_write_slice_failure_no_add_used),
	KUNIT_CASE(add_used_err_path_baseline_io_errors_zero),
	KUNIT_CASE(ro_flush_full_chain_returns_ok_increments_counter),
	KUNIT_CASE(multi_byte_status_writes_to_last_byte),
	KUNIT_CASE(zero_capacity_read_returns_ioerr),
	KUNIT_CASE(partial_data_read_zero_pads_remainder),
	KUNIT_CASE(write_sector_overflow_returns_ioerr),
	KUNIT_CASE(flush_sync_data_baseline_ok_path),
	KUNIT_CASE(validation_gates_do_not_consume_throttle_tokens),
	KUNIT_CASE(ro_flush_and_normal_flush_both_increment_counter),
	KUNIT_CASE(process_requests_fires_irqfd_on_legacy_path),
	KUNIT_CASE(event_idx_suppresses_irqfd_when_threshold_unreached),
	KUNIT_CASE(event_idx_fires_irqfd_when_threshold_reached),
	KUNIT_CASE(event_idx_multi_chain_drain_fires_once),
	KUNIT_CASE(event_idx_multi_chain_drain_suppresses_below_threshold),
	KUNIT_CASE(legacy_path_fires_irqfd_every_drain),
	KUNIT_CASE(outer_loop_drains_two_pre_queued_chains_in_one_call),
	KUNIT_CASE(enable_notification_err_breaks_outer_and_fires_irqfd_fail_safe),
	KUNIT_CASE(enable_notification_err_on_stall_path_breaks_outer_cleanly),
	KUNIT_CASE(next_avail_zero_rollback_wraps_to_u16_max),
	KUNIT_CASE(fragmented_header_returns_ioerr),
	KUNIT_CASE(event_idx_error_chain_suppressed_when_threshold_unreached),
	KUNIT_CASE(size_max_advertised_in_config_space),
	KUNIT_CASE(validation_gate_does_not_consume_throttle_tokens),
	{}
};

static struct kunit_suite vblk_seed_validation_suite = {
	.name = "vblk_seed_validation",
	.test_cases = vblk_seed_validation_cases,
};

kunit_test_suites(&vblk_seed_chain_suite, &vblk_seed_validation_suite);
