// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for asynchronous backing I/O (suite "vblk_async"): requests
 * in flight at once and published in completion order, the in-flight
 * bound, a reset with requests in flight, a flush behind writes in flight,
 * errors and short completions, write-through, and the seed contract's
 * outcomes unchanged over an asynchronous backing.
 *
 * Layout: a 256-entry queue at 0; request i's header at 0x10000 + i * 32,
 * its status 16 bytes later, its data at 0x40000 + i * 512 (RAM0 ends at
 * 1 MiB, so at most 256 requests of 512 bytes).
 */
#include <kunit/test.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake_async.h"

#define AS_QSIZE	256
#define AS_CAP		(256 * 512ULL)
#define AS_HDR(i)	(0x10000ULL + (i) * 32)
#define AS_STATUS(i)	(AS_HDR(i) + 16)
#define AS_DATA(i)	(0x40000ULL + (i) * 512ULL)
#define AS_SENTINEL	0xEE

struct as_dev {
	struct vblk_fake_dev *fd;
	struct vblk_fake_async *a;
};

static void as_new(struct kunit *test, struct as_dev *d, u64 decline)
{
	d->fd = vblk_fake_dev_simple(test, AS_CAP, 0, AS_QSIZE);
	d->a = vblk_fake_async_new(test, d->fd->backing);
	vblk_fake_async_install(d->fd, d->a);
	vblk_fake_wire_decline(test, d->fd->vd, &d->fd->vq, false, decline);
}

/* Publish request @i: @type of 512 bytes at sector @i (not kicked). */
static u16 as_add(struct as_dev *d, unsigned int i, u32 type)
{
	bool in = type == VIRTIO_BLK_T_IN;
	struct vblk_fake_desc desc[3] = {
		{ .addr = AS_HDR(i), .len = 16 },
		{ .addr = AS_DATA(i), .len = 512,
		  .flags = in ? VRING_DESC_F_WRITE : 0 },
		{ .addr = AS_STATUS(i), .len = 1, .flags = VRING_DESC_F_WRITE },
	};
	unsigned int n = type == VIRTIO_BLK_T_FLUSH ? 2 : 3;

	if (n == 2)
		desc[1] = desc[2];
	vblk_fake_write_hdr(d->fd->mem, AS_HDR(i), type, i);
	vblk_fake_wr8(d->fd->mem, AS_STATUS(i), AS_SENTINEL);
	return vblk_fake_vq_add_chain(&d->fd->vq, desc, n);
}

static void as_kick(struct kunit *test, struct as_dev *d)
{
	vblk_fake_notify(test, d->fd->vd, 0);
}

static void vblk_async_test_completion_order(struct kunit *test)
{
	struct as_dev d;
	u16 head[4];
	unsigned int i;
	u32 id, len;

	as_new(test, &d, 0);
	memset(d.fd->backing->data, 0x5A, AS_CAP);
	for (i = 0; i < 4; i++)
		head[i] = as_add(&d, i, VIRTIO_BLK_T_IN);
	as_kick(test, &d);
	/* all four in flight at once, none published yet */
	KUNIT_EXPECT_EQ(test, 4, vblk_fake_async_held(d.a));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&d.fd->vq));
	KUNIT_EXPECT_EQ(test, AS_SENTINEL,
			vblk_fake_rd8(d.fd->mem, AS_STATUS(0)));

	/* completed newest first: published newest first */
	vblk_fake_async_release(d.a, true);
	vblk_fake_async_settle(d.fd, d.a);
	KUNIT_ASSERT_EQ(test, 4, vblk_fake_vq_used_idx(&d.fd->vq));
	for (i = 0; i < 4; i++) {
		vblk_fake_vq_used_elem(&d.fd->vq, i, &id, &len);
		KUNIT_EXPECT_EQ(test, head[3 - i], id);
		KUNIT_EXPECT_EQ(test, 513, len);
		KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
				vblk_fake_rd8(d.fd->mem, AS_STATUS(i)));
		KUNIT_EXPECT_TRUE(test, vblk_fake_all(d.fd->mem, AS_DATA(i),
						      0x5A, 512));
	}
	KUNIT_EXPECT_EQ(test, 4, vblk_fake_stat(d.fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 4 * 512, vblk_fake_stat(d.fd, bytes_read));
	KUNIT_EXPECT_LE(test, 1, atomic_read(&d.fd->host.signals));
}

/*
 * More requests available than a queue has contexts (80 three-descriptor
 * chains fill 240 of the ring's 256 descriptors): at most
 * VBLK_INFLIGHT_MAX are in flight, the rest follow as contexts free up.
 */
static void vblk_async_test_inflight_bound(struct kunit *test)
{
	const unsigned int nreq = 80;
	struct as_dev d;
	unsigned int i, rounds;

	as_new(test, &d, 0);
	for (i = 0; i < nreq; i++)
		as_add(&d, i, VIRTIO_BLK_T_OUT);
	as_kick(test, &d);
	KUNIT_EXPECT_EQ(test, VBLK_INFLIGHT_MAX, vblk_fake_async_held(d.a));
	for (rounds = 0; rounds < 16 &&
	     vblk_fake_vq_used_idx(&d.fd->vq) < nreq; rounds++) {
		vblk_fake_async_release(d.a, false);
		vblk_fake_async_settle(d.fd, d.a);
	}
	KUNIT_EXPECT_EQ(test, nreq, vblk_fake_vq_used_idx(&d.fd->vq));
	KUNIT_EXPECT_EQ(test, VBLK_INFLIGHT_MAX, d.a->max_held);
	KUNIT_EXPECT_EQ(test, nreq, atomic_read(&d.a->submitted));
	KUNIT_EXPECT_EQ(test, nreq, vblk_fake_stat(d.fd, writes_completed));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(d.fd, io_errors));
}

/* Completes what @d's fake holds after a while, from a work item. */
struct as_late {
	struct delayed_work dw;
	struct vblk_fake_async *a;
};

static void as_late_fn(struct work_struct *work)
{
	struct as_late *l = container_of(to_delayed_work(work), struct as_late,
					 dw);

	vblk_fake_async_release(l->a, false);
}

static void vblk_async_test_reset_with_requests_in_flight(struct kunit *test)
{
	struct as_late late;
	struct as_dev d;
	unsigned int i;

	as_new(test, &d, 0);
	for (i = 0; i < 8; i++)
		as_add(&d, i, VIRTIO_BLK_T_IN);
	as_kick(test, &d);
	KUNIT_ASSERT_EQ(test, 8, vblk_fake_async_held(d.a));

	/* the reset waits for the transfers, which complete 100 ms later */
	late.a = d.a;
	INIT_DELAYED_WORK_ONSTACK(&late.dw, as_late_fn);
	schedule_delayed_work(&late.dw, msecs_to_jiffies(100));
	vblk_fake_reg_write(test, d.fd->vd, VIRTIO_MMIO_STATUS, 0);
	KUNIT_EXPECT_EQ(test, 8, atomic_read(&d.a->completed));
	flush_delayed_work(&late.dw);
	destroy_delayed_work_on_stack(&late.dw);
	vblk_fake_async_settle(d.fd, d.a);

	/* nothing published into the reset ring, nothing counted */
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_vq_used_idx(&d.fd->vq));
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, AS_SENTINEL,
				vblk_fake_rd8(d.fd->mem, AS_STATUS(i)));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(d.fd, reads_completed));
	KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(d.fd, io_errors));
	KUNIT_EXPECT_NULL(test, d.fd->vd->blk.qs[0].pool.ctx);

	/* the device comes up again and serves from a fresh pool */
	vblk_fake_vq_init(&d.fd->vq, d.fd->mem, 0, AS_QSIZE);
	vblk_fake_wire(test, d.fd->vd, &d.fd->vq, false);
	as_add(&d, 0, VIRTIO_BLK_T_IN);
	as_kick(test, &d);
	vblk_fake_async_release(d.a, false);
	vblk_fake_async_settle(d.fd, d.a);
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_vq_used_idx(&d.fd->vq));
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			vblk_fake_rd8(d.fd->mem, AS_STATUS(0)));
}

/* A flush does not wait for writes still in flight; both complete. */
static void vblk_async_test_flush_behind_writes(struct kunit *test)
{
	struct as_dev d;
	u16 flush;
	u32 id, len;

	as_new(test, &d, 0);
	as_add(&d, 0, VIRTIO_BLK_T_OUT);
	as_add(&d, 1, VIRTIO_BLK_T_OUT);
	flush = as_add(&d, 2, VIRTIO_BLK_T_FLUSH);
	as_kick(test, &d);
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_async_held(d.a));
	KUNIT_ASSERT_EQ(test, 1, vblk_fake_vq_used_idx(&d.fd->vq));
	vblk_fake_vq_used_elem(&d.fd->vq, 0, &id, &len);
	KUNIT_EXPECT_EQ(test, flush, id);
	KUNIT_EXPECT_EQ(test, VIRTIO_BLK_S_OK,
			vblk_fake_rd8(d.fd->mem, AS_STATUS(2)));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&d.fd->backing->syncs));

	vblk_fake_async_release(d.a, false);
	vblk_fake_async_settle(d.fd, d.a);
	KUNIT_EXPECT_EQ(test, 3, vblk_fake_vq_used_idx(&d.fd->vq));
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_stat(d.fd, writes_completed));
	KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(d.fd, flushes_completed));
	/* FLUSH negotiated: writes are not write-through */
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&d.a->dsync_writes));
}

/* Without FLUSH, writes go to the backing as write-through. */
static void vblk_async_test_write_through(struct kunit *test)
{
	struct as_dev d;

	as_new(test, &d, BIT_ULL(VIRTIO_BLK_F_FLUSH));
	as_add(&d, 0, VIRTIO_BLK_T_OUT);
	as_add(&d, 1, VIRTIO_BLK_T_IN);
	as_kick(test, &d);
	vblk_fake_async_release(d.a, false);
	vblk_fake_async_settle(d.fd, d.a);
	KUNIT_EXPECT_EQ(test, 2, vblk_fake_vq_used_idx(&d.fd->vq));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&d.a->dsync_writes));
	/* the backing made it durable: no separate sync */
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&d.fd->backing->range_syncs));
}

/* Parameters of the result cases. */
struct as_result_case {
	const char *name;
	u32 type;
	long res;		/* what every completion reports */
	int read_err;		/* the synchronous continuation fails */
	u8 status;
	bool data_ok;		/* the read's data is the backing's */
};

static const struct as_result_case as_result_cases[] = {
	{ "read_eio", VIRTIO_BLK_T_IN, -EIO, 0, VIRTIO_BLK_S_IOERR, false },
	{ "write_enospc", VIRTIO_BLK_T_OUT, -ENOSPC, 0, VIRTIO_BLK_S_IOERR,
	  false },
	{ "read_short_continued", VIRTIO_BLK_T_IN, 200, 0, VIRTIO_BLK_S_OK,
	  true },
	{ "read_none_continued", VIRTIO_BLK_T_IN, -EINTR, 0, VIRTIO_BLK_S_OK,
	  true },
	{ "write_short_continued", VIRTIO_BLK_T_OUT, 100, 0, VIRTIO_BLK_S_OK,
	  false },
	{ "read_short_then_fails", VIRTIO_BLK_T_IN, 200, -EIO,
	  VIRTIO_BLK_S_IOERR, false },
};

static void as_result_desc(const struct as_result_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(as_result, as_result_cases, as_result_desc);

static void vblk_async_test_results(struct kunit *test)
{
	const struct as_result_case *c = test->param_value;
	bool in = c->type == VIRTIO_BLK_T_IN;
	struct as_dev d;

	as_new(test, &d, 0);
	memset(d.fd->backing->data, 0x3C, AS_CAP);
	d.a->res_override = c->res;
	d.fd->backing->read_err = c->read_err;
	vblk_fake_fill(d.fd->mem, AS_DATA(1), 0x11, 512);
	as_add(&d, 1, c->type);
	as_kick(test, &d);
	vblk_fake_async_release(d.a, false);
	vblk_fake_async_settle(d.fd, d.a);

	KUNIT_ASSERT_EQ(test, 1, vblk_fake_vq_used_idx(&d.fd->vq));
	KUNIT_EXPECT_EQ(test, c->status,
			vblk_fake_rd8(d.fd->mem, AS_STATUS(1)));
	if (c->data_ok)
		KUNIT_EXPECT_TRUE(test, vblk_fake_all(d.fd->mem, AS_DATA(1),
						      0x3C, 512));
	if (c->status == VIRTIO_BLK_S_OK) {
		u64 done = in ? vblk_fake_stat(d.fd, reads_completed) :
				vblk_fake_stat(d.fd, writes_completed);

		KUNIT_EXPECT_EQ(test, 1, done);
		KUNIT_EXPECT_EQ(test, 0, vblk_fake_stat(d.fd, io_errors));
	} else {
		KUNIT_EXPECT_EQ(test, 1, vblk_fake_stat(d.fd, io_errors));
	}
	if (!in && c->status == VIRTIO_BLK_S_OK)
		KUNIT_EXPECT_TRUE(test,
				  !memchr_inv(d.fd->backing->data + 512, 0x11,
					      512));
}

static struct kunit_case vblk_async_cases[] = {
	KUNIT_CASE(vblk_async_test_completion_order),
	KUNIT_CASE(vblk_async_test_inflight_bound),
	KUNIT_CASE(vblk_async_test_reset_with_requests_in_flight),
	KUNIT_CASE(vblk_async_test_flush_behind_writes),
	KUNIT_CASE(vblk_async_test_write_through),
	KUNIT_CASE_PARAM(vblk_async_test_results, as_result_gen_params),
	{}
};

static struct kunit_suite vblk_async_suite = {
	.name = "vblk_async",
	.test_cases = vblk_async_cases,
};

kunit_test_suite(vblk_async_suite);
