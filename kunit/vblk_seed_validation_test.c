// SPDX-License-Identifier: GPL-2.0
/*
 * The validation, notification and throttle seeds (suite
 * "vblk_seed_validation", one parameter per test of
 * virtio_blk_validation_gap_tests): SEG_MAX, SIZE_MAX, direction and
 * length rules, status placement, zero capacity and short files, the
 * interrupt gate with and without EVENT_IDX, failed re-enabling of kicks,
 * the u16 rollback and tokens untouched by invalid requests.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>

#include "vblk_seed.h"

/* 1 header + 130 data + 1 status = 132 > SEG_MAX + 2 descriptors */
static void too_long_chain(struct seed_run *r)
{
	const unsigned int total = VBLK_VQ_CHAIN_MAX + 2;
	struct vblk_fake_desc *d;
	unsigned int i;

	d = kunit_kcalloc(r->test, total, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(r->test, d);
	d[0] = DESC(0x10000, HDR_LEN, 0);
	for (i = 1; i < total - 1; i++)
		d[i] = DESC(0x40000 + 8ULL * (i - 1), 8, W);
	d[total - 1] = DESC(0x20000, 1, W);
	vblk_fake_write_hdr(r->fd->mem, 0x10000, VIRTIO_BLK_T_IN, 0);
	vblk_fake_vq_add_chain(&r->fd->vq, d, total);
}

static void data_buffers_unfilled(struct seed_run *r)
{
	KUNIT_EXPECT_TRUE(r->test,
			  vblk_fake_all(r->fd->mem, 0x40000, 0,
					8 * VBLK_VQ_CHAIN_MAX));
}

static void data_untouched_zero(struct seed_run *r)
{
	KUNIT_EXPECT_TRUE(r->test, vblk_fake_all(r->fd->mem, DATA, 0, 513));
}

/* The device-readable buffer was not written. */
static void data_holds_cd(struct seed_run *r)
{
	KUNIT_EXPECT_TRUE(r->test, vblk_fake_all(r->fd->mem, DATA, 0xCD, 512));
}

static void file_and_data_untouched(struct seed_run *r)
{
	KUNIT_EXPECT_FALSE(r->test, memchr_inv(r->fd->backing->data, 0xAB, CAP));
	/* neither the read nor the write path ran on the data buffer */
	data_holds_cd(r);
}

static void status_bytes_preset(struct seed_run *r)
{
	vblk_fake_wr32(r->fd->mem, STATUS, 0xDDCCBBAA);
}

static void first_status_bytes_kept(struct seed_run *r)
{
	KUNIT_EXPECT_EQ(r->test, vblk_fake_rd8(r->fd->mem, STATUS), 0xAA);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_rd8(r->fd->mem, STATUS + 1), 0xBB);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_rd8(r->fd->mem, STATUS + 2), 0xCC);
}

static void zero_padded(struct seed_run *r)
{
	KUNIT_EXPECT_TRUE(r->test, vblk_fake_all(r->fd->mem, DATA, 0xA5, 100));
	KUNIT_EXPECT_TRUE(r->test, vblk_fake_all(r->fd->mem, DATA + 100, 0, 412));
}

/* Rejected before the empty bucket was consulted: no token moved. */
static void no_token_taken(struct seed_run *r)
{
	KUNIT_EXPECT_EQ(r->test, r->fd->vd->blk.throttle.ops.tokens, 0);
}

/* The same flush on a read-write device is counted as well. */
static void rw_flush_counted_too(struct seed_run *r)
{
	struct vblk_fake_dev *rw = vblk_fake_dev_simple(r->test, CAP, 0, QSIZE);
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0), DESC(DATA, 1, W),
	};

	vblk_fake_write_hdr(rw->mem, HDR, VIRTIO_BLK_T_FLUSH, 0);
	vblk_fake_wr8(rw->mem, DATA, SENTINEL);
	vblk_fake_vq_add_chain(&rw->vq, d, ARRAY_SIZE(d));
	vblk_fake_wire(r->test, rw->vd, &rw->vq, false);
	vblk_fake_notify(r->test, rw->vd, 0);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_stat(rw, flushes_completed), 1);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_rd8(rw->mem, DATA), VIRTIO_BLK_S_OK);
}

static void no_signal_yet(struct seed_run *r)
{
	KUNIT_EXPECT_EQ(r->test, seed_signals(r), 0);
}

/* Three reads of sector 0, each with its own header, data and status. */
static void three_reads(struct seed_run *r)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		const struct vblk_fake_desc d[] = {
			DESC(0x4000 + 0x1000 * i, HDR_LEN, 0),
			DESC(0x8000 + 0x1000 * i, 512, W),
			DESC(0xC000 + 0x100 * i, 1, W),
		};

		vblk_fake_write_hdr(r->fd->mem, d[0].addr, VIRTIO_BLK_T_IN, 0);
		vblk_fake_wr8(r->fd->mem, d[2].addr, SENTINEL);
		vblk_fake_vq_add_chain(&r->fd->vq, d, ARRAY_SIZE(d));
	}
}

static void three_reads_ok(struct seed_run *r)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(r->test, vblk_fake_rd8(r->fd->mem, 0xC000 + 0x100 * i),
				VIRTIO_BLK_S_OK);
}

/* A second drain signals again. */
static void two_drains(struct seed_run *r)
{
	seed_notify(r);
	KUNIT_EXPECT_EQ(r->test, seed_signals(r), 1);
	KUNIT_EXPECT_EQ(r->test, seed_isr(r) & VIRTIO_MMIO_INT_VRING, 1);
	seed_add_read(r);
	seed_notify(r);
}

/* The same two descriptors made available twice. */
static void one_flush_twice(struct seed_run *r)
{
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0), DESC(HDR + 0x100, 1, W),
	};

	vblk_fake_write_hdr(r->fd->mem, HDR, VIRTIO_BLK_T_FLUSH, 0);
	r->head = vblk_fake_vq_add_chain(&r->fd->vq, d, ARRAY_SIZE(d));
	vblk_fake_vq_publish(&r->fd->vq, r->head);
}

static void not_stalled_yet(struct seed_run *r)
{
	KUNIT_EXPECT_EQ(r->test, vblk_fake_stat(r->fd, throttled_count), 0);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_stat(r->fd, currently_throttled_gauge),
			0);
	KUNIT_EXPECT_FALSE(r->test, r->fd->vd->blk.qs[0].throttled);
	no_signal_yet(r);
}

static void stalled_and_rolled_back(struct seed_run *r)
{
	KUNIT_EXPECT_TRUE(r->test, vblk_fake_all(r->fd->mem, DATA, 0, 512));
	KUNIT_EXPECT_TRUE(r->test, r->fd->vd->blk.qs[0].throttled);
	/* internal cursor: the pop was rolled back */
	KUNIT_EXPECT_EQ(r->test, r->fd->vd->qs[0].vq.last_avail_idx, 0);
}

/*
 * Internal state: start both rings one step before the u16 wrap, as after
 * 65535 completed requests, so the next pop is at 0xffff and its rollback
 * lands on 0xffff, not on a negative index.
 */
static void read_at_wrap(struct seed_run *r)
{
	vblk_fake_vq_set_avail_idx(&r->fd->vq, 0xffff);
	r->head = seed_add_read(r);
}

static void rings_at_wrap(struct seed_run *r)
{
	struct vblk_vdev_queue *q = &r->fd->vd->qs[0];

	mutex_lock(&q->lock);
	q->vq.last_avail_idx = 0xffff;
	q->vq.used_idx = 0xffff;
	mutex_unlock(&q->lock);
	vblk_fake_wr16(r->fd->mem, r->fd->vq.used + 2, 0xffff);
}

static void stall_then_resume(struct seed_run *r)
{
	struct vblk_vdev_queue *q = &r->fd->vd->qs[0];

	seed_notify(r);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_stat(r->fd, throttled_count), 1);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_vq_used_idx(&r->fd->vq), 0xffff);
	mutex_lock(&q->lock);
	KUNIT_EXPECT_EQ(r->test, q->vq.last_avail_idx, 0xffff);
	mutex_unlock(&q->lock);

	/* a second later (fake time), a limit change resumes the queue */
	vblk_fake_clock_advance(NSEC_PER_SEC);
	seed_set_limits(r, 1, 0);
	vblk_fake_host_flush(&r->fd->host);
}

static void used_at_wrap(struct seed_run *r)
{
	u32 id, len;

	vblk_fake_vq_used_elem(&r->fd->vq, 0xffff, &id, &len);
	KUNIT_EXPECT_EQ(r->test, id, r->head);
}

/* Fake time stands still: any change would be a consumption. */
static void full_buckets(struct seed_run *r)
{
	struct vblk_throttle *t = &r->fd->vd->blk.throttle;

	seed_set_limits(r, 1000, 1000000);
	KUNIT_ASSERT_EQ(r->test, t->ops.tokens, 1000);
	KUNIT_ASSERT_EQ(r->test, t->bytes.tokens, 1000000);
}

/* A valid request is charged: the gate was the only difference. */
static void invalid_then_valid(struct seed_run *r)
{
	struct vblk_throttle *t = &r->fd->vd->blk.throttle;

	seed_notify(r);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_rd8(r->fd->mem, STATUS),
			VIRTIO_BLK_S_IOERR);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_stat(r->fd, io_errors), 1);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_stat(r->fd, reads_completed), 0);
	KUNIT_EXPECT_EQ(r->test, vblk_fake_stat(r->fd, throttled_count), 0);
	KUNIT_EXPECT_EQ(r->test, t->ops.tokens, 1000);
	KUNIT_EXPECT_EQ(r->test, t->bytes.tokens, 1000000);
	seed_add_read(r);
	seed_notify(r);
}

static void one_read_charged(struct seed_run *r)
{
	KUNIT_EXPECT_EQ(r->test, r->fd->vd->blk.throttle.ops.tokens, 999);
	KUNIT_EXPECT_EQ(r->test, r->fd->vd->blk.throttle.bytes.tokens,
			1000000 - 512);
}

/* header split over two descriptors */
#define FRAGMENTED	.type = VIRTIO_BLK_T_IN, \
			.d = { DESC(HDR, 8, 0), DESC(HDR + 8, 8, 0), \
			       DESC(DATA, 1, W) }, .n = 3, .status_at = DATA

static const struct seed_case seed_validation[] = {
	{
		.name = "vblk_seg_max_dropped_no_publish",
		.qsize = 256, .fill = 0xAB, .build = too_long_chain,
		.status_at = 0x20000, .status = SENTINEL,
		.want = { .io_errors = 1 },
		.no_backing = true, .check = data_buffers_unfilled,
	}, {
		/* the status byte goes where the header would have been */
		.name = "vblk_header_read_obj_failure_returns_ioerr",
		.fill = 0xAB, .type = VIRTIO_BLK_T_IN,
		.d = { DESC(VBLK_FAKE_HOLE, HDR_LEN, 0), DESC(HDR, 1, W) },
		.n = 2, .status_at = HDR, .status = VIRTIO_BLK_S_IOERR,
		PUBLISHED, .want = { .io_errors = 1 },
		/* proves the header read really was refused by the memory */
		.no_backing = true, .stray = true,
	}, {
		/* rejected on its length, before any access to the buffer */
		.name = "vblk_size_max_oversized_data_desc_rejected",
		.fill = 0xAB, .type = VIRTIO_BLK_T_IN,
		.d = { DESC(HDR, HDR_LEN, 0),
		       DESC(0x8000, VBLK_SIZE_MAX + 1, W),
		       DESC(0x9000, 1, W) }, .n = 3,
		.status_at = 0x9000, .status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 }, .no_backing = true,
	}, {
		.name = "vblk_zero_data_t_in_returns_ioerr",
		.fill = 0xAB, .type = VIRTIO_BLK_T_IN, CHAIN2,
		.status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 }, .no_backing = true,
	}, {
		.name = "vblk_sub_sector_data_len_returns_ioerr",
		.fill = 0xAB, .type = VIRTIO_BLK_T_IN, CHAIN3(513, W),
		.status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 }, .no_backing = true,
		.check = data_untouched_zero,
	}, {
		/* device-readable data: wrong for IN */
		.name = "vblk_direction_violation_t_in_with_ro_data_returns_ioerr",
		.fill = 0xAB, .data_fill = 0xCD, .type = VIRTIO_BLK_T_IN,
		CHAIN3(512, 0),
		.status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 }, .no_backing = true,
		.check = data_holds_cd,
	}, {
		/* device-writable data: wrong for OUT */
		.name = "vblk_direction_violation_t_out_with_writable_data_returns_ioerr",
		.fill = 0xAB, .data_fill = 0xCD, .type = VIRTIO_BLK_T_OUT,
		.sector = 1, CHAIN3(512, W),
		.status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 }, .no_backing = true,
		.check = file_and_data_untouched,
	}, {
		/* the status byte is in no RAM: nothing is published */
		.name = "vblk_status_write_slice_failure_no_add_used",
		.fill = 0xAB, .type = VIRTIO_BLK_T_FLUSH,
		.d = { DESC(HDR, HDR_LEN, 0),
		       DESC(VBLK_FAKE_HOLE + 0x100000, 1, W) }, .n = 2,
		.status_at = VBLK_FAKE_HOLE + 0x100000,
		.want = { .io_errors = 1 }, .stray = true,
	}, {
		.name = "vblk_add_used_err_path_baseline_io_errors_zero",
		.fill = 0xAB, .type = VIRTIO_BLK_T_IN, CHAIN3(512, W),
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .reads = 1, .bytes_read = 512 },
	}, {
		/* nothing can have been written: no sync either */
		.name = "vblk_ro_flush_full_chain_returns_ok_increments_counter",
		.read_only = true, .type = VIRTIO_BLK_T_FLUSH, CHAIN2,
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .flushes = 1 }, .no_backing = true,
	}, {
		.name = "vblk_multi_byte_status_writes_to_last_byte",
		.fill = 0xAB, .type = VIRTIO_BLK_T_IN,
		.d = { DESC(HDR, HDR_LEN, 0), DESC(DATA, 512, W),
		       DESC(STATUS, 4, W) }, .n = 3,
		.prepare = status_bytes_preset,
		.status_at = STATUS + 3, .status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .reads = 1, .bytes_read = 512 },
		.check = first_status_bytes_kept,
	}, {
		.name = "vblk_zero_capacity_read_returns_ioerr",
		.no_capacity = true, .type = VIRTIO_BLK_T_IN, CHAIN3(512, W),
		.status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 }, .no_backing = true,
	}, {
		/* a 100-byte file behind an 8-sector device */
		.name = "vblk_partial_data_read_zero_pads_remainder",
		.file_size = 100, .fill = 0xA5, .data_fill = 0xFF,
		.type = VIRTIO_BLK_T_IN, CHAIN3(512, W),
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .reads = 1, .bytes_read = 512 },
		.check = zero_padded,
	}, {
		/* no wrapped-around write landed anywhere in the file */
		.name = "vblk_write_sector_overflow_returns_ioerr",
		.data_fill = 0xCD, .type = VIRTIO_BLK_T_OUT, .sector = U64_MAX,
		CHAIN3(512, 0),
		.status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 }, .no_backing = true,
		.check = seed_file_zero,
	}, {
		.name = "vblk_flush_sync_data_baseline_ok_path",
		.type = VIRTIO_BLK_T_FLUSH, CHAIN2,
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .flushes = 1 }, .check = seed_synced_once,
	}, {
		/* rejected before the empty bucket was consulted: no stall */
		.name = "vblk_validation_gates_do_not_consume_throttle_tokens",
		.fill = 0xAB, .starve = true, .type = VIRTIO_BLK_T_IN,
		CHAIN3(513, W),
		.status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 }, .check = no_token_taken,
	}, {
		.name = "vblk_ro_flush_and_normal_flush_both_increment_counter",
		.read_only = true, .type = VIRTIO_BLK_T_FLUSH, CHAIN2,
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .flushes = 1 }, .check = rw_flush_counted_too,
	}, {
		.name = "vblk_process_requests_fires_irqfd_on_legacy_path",
		.fill = 0xAB, .type = VIRTIO_BLK_T_IN, CHAIN3(512, W),
		.prepare = no_signal_yet,
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .reads = 1, .bytes_read = 512 },
	}, {
		/* the bit is set for a polling guest even though no interrupt */
		.name = "vblk_event_idx_suppresses_irqfd_when_threshold_unreached",
		.fill = 0xAB, .event_idx = true, .used_event = 0xffff,
		.type = VIRTIO_BLK_T_IN, CHAIN3(512, W),
		.status = VIRTIO_BLK_S_OK, .used = 1,
		.isr = VIRTIO_MMIO_INT_VRING,
		.want = { .reads = 1, .bytes_read = 512 },
	}, {
		.name = "vblk_event_idx_fires_irqfd_when_threshold_reached",
		.fill = 0xAB, .event_idx = true,
		.type = VIRTIO_BLK_T_IN, CHAIN3(512, W),
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .reads = 1, .bytes_read = 512 },
	}, {
		.name = "vblk_event_idx_multi_chain_drain_fires_once",
		.fill = 0xAB, .event_idx = true, .build = three_reads,
		.status_at = 0xC000, .status = VIRTIO_BLK_S_OK, .used = 3,
		.signals = 1, .isr = VIRTIO_MMIO_INT_VRING,
		.want = { .reads = 3, .bytes_read = 3 * 512 },
		.check = three_reads_ok,
	}, {
		.name = "vblk_event_idx_multi_chain_drain_suppresses_below_threshold",
		.fill = 0xAB, .event_idx = true, .used_event = 10,
		.build = three_reads,
		.status_at = 0xC000, .status = VIRTIO_BLK_S_OK, .used = 3,
		.isr = VIRTIO_MMIO_INT_VRING,
		.want = { .reads = 3, .bytes_read = 3 * 512 },
		.check = three_reads_ok,
	}, {
		/* used_event would suppress with EVENT_IDX; ignored without */
		.name = "vblk_legacy_path_fires_irqfd_every_drain",
		.fill = 0xAB, .used_event = 0xffff,
		.type = VIRTIO_BLK_T_IN, CHAIN3(512, W), .drive = two_drains,
		.status = VIRTIO_BLK_S_OK, .used = 2, .signals = 2,
		.isr = VIRTIO_MMIO_INT_VRING,
		.want = { .reads = 2, .bytes_read = 2 * 512 },
	}, {
		.name = "vblk_outer_loop_drains_two_pre_queued_chains_in_one_call",
		.fill = 0xAB, .event_idx = true, .build = one_flush_twice,
		.status_at = HDR + 0x100, .status = VIRTIO_BLK_S_OK,
		.used = 2, .signals = 1, .isr = VIRTIO_MMIO_INT_VRING,
		.want = { .flushes = 2 },
	}, {
		/*
		 * The used ring fits in RAM, its trailing avail_event is in the
		 * hole: re-enabling kicks fails (a stray access), the pass
		 * returns at all (no livelock) and signals, exactly once.
		 */
		.name = "vblk_enable_notification_err_breaks_outer_and_fires_irqfd_fail_safe",
		.fill = 0xAB, .event_idx = true, .used_at = USED_AT_EDGE,
		.type = VIRTIO_BLK_T_FLUSH, CHAIN2,
		.prepare = no_signal_yet,
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .flushes = 1 }, .stray = true,
	}, {
		.name = "vblk_enable_notification_err_on_stall_path_breaks_outer_cleanly",
		.fill = 0xAB, .event_idx = true, .used_at = USED_AT_EDGE,
		.starve = true, .type = VIRTIO_BLK_T_IN, CHAIN3(512, W),
		.prepare = not_stalled_yet,
		.status = SENTINEL,
		.want = { .throttled = 1, .gauge = 1 },
		.no_backing = true, .stray = true,
		.check = stalled_and_rolled_back,
	}, {
		.name = "vblk_next_avail_zero_rollback_wraps_to_u16_max",
		.fill = 0xAB, .build = read_at_wrap, .starve = true,
		.prepare = rings_at_wrap, .drive = stall_then_resume,
		.status = VIRTIO_BLK_S_OK, .used = 0, .signals = 1,
		.isr = VIRTIO_MMIO_INT_VRING,
		.want = { .reads = 1, .bytes_read = 512, .throttled = 1 },
		.check = used_at_wrap,
	}, {
		/* the second half would complete the header: refused */
		.name = "vblk_fragmented_header_returns_ioerr",
		FRAGMENTED, .status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 }, .no_backing = true,
	}, {
		.name = "vblk_event_idx_error_chain_suppressed_when_threshold_unreached",
		FRAGMENTED, .event_idx = true, .used_event = 0xffff,
		.status = VIRTIO_BLK_S_IOERR, .used = 1,
		.isr = VIRTIO_MMIO_INT_VRING, .want = { .io_errors = 1 },
	}, {
		.name = "vblk_validation_gate_does_not_consume_throttle_tokens",
		.fill = 0xAB, .type = VIRTIO_BLK_T_IN, CHAIN3(513, W),
		.prepare = full_buckets, .drive = invalid_then_valid,
		.status = VIRTIO_BLK_S_OK, .used = 2, .signals = 2,
		.isr = VIRTIO_MMIO_INT_VRING,
		.want = { .reads = 1, .bytes_read = 512, .io_errors = 1 },
		.check = one_read_charged,
	},
};

KUNIT_ARRAY_PARAM(seed_validation, seed_validation, seed_desc);

static void vblk_seed_validation_test(struct kunit *test)
{
	seed_run_case(test, test->param_value);
}

/* The same table over a backing that completes asynchronously. */
static void vblk_seed_validation_test_async(struct kunit *test)
{
	seed_run_case_async(test, test->param_value);
}

static struct kunit_case vblk_seed_validation_cases[] = {
	KUNIT_CASE_PARAM(vblk_seed_validation_test, seed_validation_gen_params),
	KUNIT_CASE_PARAM(vblk_seed_validation_test_async, seed_validation_gen_params),
	{}
};

static struct kunit_suite vblk_seed_validation_suite = {
	.name = "vblk_seed_validation",
	.test_cases = vblk_seed_validation_cases,
};

kunit_test_suite(vblk_seed_validation_suite);
