// SPDX-License-Identifier: GPL-2.0
/*
 * The chain parsing and I/O seeds (suite "vblk_seed_chain", one parameter
 * per test of virtio_blk_chain_tests): full read and write chains, short
 * writes, -EINTR, zero-length segments, unknown types, flush, short
 * headers, a status that is not writable, several chains in one drain.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>

#include "vblk_seed.h"

static void data_holds_ab(struct seed_run *r)
{
	KUNIT_EXPECT_TRUE(r->test, vblk_fake_all(r->fd->mem, DATA, 0xAB, 512));
}

/* Sector 1 of the file holds the guest's 0xCD, nothing else changed. */
static void file_has_sector1_cd(struct seed_run *r)
{
	const u8 *f = r->fd->backing->data;

	KUNIT_EXPECT_FALSE(r->test, memchr_inv(f + 512, 0xCD, 512));
	KUNIT_EXPECT_FALSE(r->test, memchr_inv(f, 0, 512));
	KUNIT_EXPECT_FALSE(r->test, memchr_inv(f + 1024, 0, CAP - 1024));
}

static void short_write_was_continued(struct seed_run *r)
{
	/* the whole payload landed, not just the first half */
	file_has_sector1_cd(r);
	KUNIT_EXPECT_EQ(r->test, r->fd->backing->write_partials, 0);
	KUNIT_EXPECT_GE(r->test, atomic_read(&r->fd->backing->writes), 2);
}

static void write_was_tried(struct seed_run *r)
{
	KUNIT_EXPECT_GE(r->test, atomic_read(&r->fd->backing->writes), 1);
}

static void eintr_was_retried(struct seed_run *r)
{
	data_holds_ab(r);
	KUNIT_EXPECT_EQ(r->test, r->fd->backing->read_eintrs, 0);
	KUNIT_EXPECT_GE(r->test, atomic_read(&r->fd->backing->reads), 3);
}

static void eintr_retries_are_bounded(struct seed_run *r)
{
	/* retried, but a bounded number of times */
	KUNIT_EXPECT_GT(r->test, atomic_read(&r->fd->backing->reads), 1);
	KUNIT_EXPECT_LE(r->test, atomic_read(&r->fd->backing->reads),
			VBLK_EINTR_RETRIES + 1);
}

/* Three reads of sectors 0, 1, 2 at HDR + 0x1000 * i, data at +0x400. */
static void three_chains(struct seed_run *r)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		u64 base = HDR + 0x1000 * i;
		const struct vblk_fake_desc d[] = {
			DESC(base, HDR_LEN, 0),
			DESC(base + 0x400, 512, W),
			DESC(base + 0x800, 1, W),
		};

		memset(r->fd->backing->data + 512 * i, 0x11 * (i + 1), 512);
		vblk_fake_write_hdr(r->fd->mem, base, VIRTIO_BLK_T_IN, i);
		vblk_fake_wr8(r->fd->mem, base + 0x800, SENTINEL);
		vblk_fake_vq_add_chain(&r->fd->vq, d, ARRAY_SIZE(d));
	}
}

static void three_chains_in_order(struct seed_run *r)
{
	unsigned int i;
	u32 id, len;

	for (i = 0; i < 3; i++) {
		u64 base = HDR + 0x1000 * i;

		KUNIT_EXPECT_TRUE_MSG(r->test,
				      vblk_fake_all(r->fd->mem, base + 0x400,
						    0x11 * (i + 1), 512),
				      "chain %u data", i);
		KUNIT_EXPECT_EQ(r->test, vblk_fake_rd8(r->fd->mem, base + 0x800),
				VIRTIO_BLK_S_OK);
		/*
		 * Synchronous: used entries in avail order, heads 0, 3, 6;
		 * completed newest first, they are published 6, 3, 0.
		 */
		vblk_fake_vq_used_elem(&r->fd->vq, i, &id, &len);
		KUNIT_EXPECT_EQ(r->test, id, 3 * (r->a ? 2 - i : i));
	}
}

static const struct seed_case seed_chain[] = {
	{
		.name = "vblk_process_requests_full_read_chain",
		.fill = 0xAB, .type = VIRTIO_BLK_T_IN, CHAIN3(512, W),
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .reads = 1, .bytes_read = 512 },
		.check = data_holds_ab,
	}, {
		.name = "vblk_process_requests_full_write_chain",
		.data_fill = 0xCD, .type = VIRTIO_BLK_T_OUT, .sector = 1,
		CHAIN3(512, 0),
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .writes = 1, .bytes_written = 512 },
		.check = file_has_sector1_cd,
	}, {
		.name = "vblk_process_requests_write_chain_short_write_retries_to_completion",
		.write_partials = 1,
		.data_fill = 0xCD, .type = VIRTIO_BLK_T_OUT, .sector = 1,
		CHAIN3(512, 0),
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .writes = 1, .bytes_written = 512 },
		.check = short_write_was_continued,
	}, {
		.name = "vblk_process_requests_write_chain_zero_progress_is_ioerr",
		.write_zero = true,
		.data_fill = 0xCD, .type = VIRTIO_BLK_T_OUT, .sector = 1,
		CHAIN3(512, 0),
		/* the failure is published so the guest sees it */
		.status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 },
		.check = write_was_tried,
	}, {
		.name = "vblk_process_requests_read_chain_eintr_retries_to_completion",
		.fill = 0xAB, .read_eintrs = 2,
		.type = VIRTIO_BLK_T_IN, CHAIN3(512, W),
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .reads = 1, .bytes_read = 512 },
		.check = eintr_was_retried,
	}, {
		.name = "vblk_process_requests_read_chain_eintr_forever_hits_retry_cap",
		.fill = 0xAB, .eintr_forever = true,
		.type = VIRTIO_BLK_T_IN, CHAIN3(512, W),
		.status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 },
		.check = eintr_retries_are_bounded,
	}, {
		.name = "vblk_process_requests_write_chain_all_zero_len_segments_is_zero_byte_ok",
		.type = VIRTIO_BLK_T_OUT, .sector = 1,
		.d = { DESC(HDR, HDR_LEN, 0), DESC(DATA, 0, 0),
		       DESC(DATA + 0x100, 0, 0), DESC(STATUS, 1, W) }, .n = 4,
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .writes = 1 },
		.check = seed_file_zero,
	}, {
		.name = "vblk_process_requests_read_chain_all_zero_len_segments_is_zero_byte_ok",
		.fill = 0xAB, .type = VIRTIO_BLK_T_IN,
		.d = { DESC(HDR, HDR_LEN, 0), DESC(DATA, 0, W),
		       DESC(DATA + 0x100, 0, W), DESC(STATUS, 1, W) }, .n = 4,
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .reads = 1 },
	}, {
		.name = "vblk_process_requests_unknown_type_returns_unsupp",
		.type = 0xBEEF, CHAIN2,
		.status = VIRTIO_BLK_S_UNSUPP, PUBLISHED,
		.no_backing = true,
	}, {
		.name = "vblk_process_requests_flush_chain",
		.type = VIRTIO_BLK_T_FLUSH, CHAIN2,
		.status = VIRTIO_BLK_S_OK, PUBLISHED,
		.want = { .flushes = 1 },
		.check = seed_synced_once,
	}, {
		.name = "vblk_process_requests_short_header_returns_ioerr",
		.type = VIRTIO_BLK_T_IN,
		/* half a header */
		.d = { DESC(HDR, 8, 0), DESC(DATA, 1, W) }, .n = 2,
		.status_at = DATA, .status = VIRTIO_BLK_S_IOERR, PUBLISHED,
		.want = { .io_errors = 1 },
		.no_backing = true,
	}, {
		/* no status byte anywhere, no used entry: a phantom success */
		.name = "vblk_process_requests_status_not_writable_drops_chain",
		.type = VIRTIO_BLK_T_IN,
		.d = { DESC(HDR, HDR_LEN, 0), DESC(DATA, 1, 0) }, .n = 2,
		.status_at = DATA, .status = SENTINEL,
		.want = { .io_errors = 1 },
		.no_backing = true,
	}, {
		/* one drain, one interrupt */
		.name = "vblk_process_requests_multiple_chains_drained_in_one_notify",
		.build = three_chains, .status_at = HDR + 0x800,
		.status = VIRTIO_BLK_S_OK, .used = 3, .signals = 1,
		.isr = VIRTIO_MMIO_INT_VRING,
		.want = { .reads = 3, .bytes_read = 3 * 512 },
		.check = three_chains_in_order,
	},
};

KUNIT_ARRAY_PARAM(seed_chain, seed_chain, seed_desc);

static void vblk_seed_chain_test(struct kunit *test)
{
	seed_run_case(test, test->param_value);
}

/* The same table over a backing that completes asynchronously. */
static void vblk_seed_chain_test_async(struct kunit *test)
{
	seed_run_case_async(test, test->param_value);
}

static struct kunit_case vblk_seed_chain_cases[] = {
	KUNIT_CASE_PARAM(vblk_seed_chain_test, seed_chain_gen_params),
	KUNIT_CASE_PARAM(vblk_seed_chain_test_async, seed_chain_gen_params),
	{}
};

static struct kunit_suite vblk_seed_chain_suite = {
	.name = "vblk_seed_chain",
	.test_cases = vblk_seed_chain_cases,
};

kunit_test_suite(vblk_seed_chain_suite);
