// SPDX-License-Identifier: GPL-2.0
/*
 * The runner of the seed parameter tables (see vblk_seed.h).
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>

#include "vblk_seed.h"

static bool seed_in_ram(u64 gpa)
{
	return gpa < VBLK_FAKE_RAM0 + VBLK_FAKE_RAM0_SIZE ||
	       (gpa >= VBLK_FAKE_RAM1 && gpa - VBLK_FAKE_RAM1 < VBLK_FAKE_RAM1_SIZE);
}

/*
 * Over the asynchronous backing: complete whatever is in flight, newest
 * first, and let the worker publish it.
 */
static void seed_settle(struct seed_run *r)
{
	if (!r->a)
		return;
	vblk_fake_async_release(r->a, true);
	vblk_fake_async_settle(r->fd, r->a);
}

/*
 * QueueNotify for queue 0: processed when it returns (over the
 * asynchronous backing, published too).
 */
void seed_notify(struct seed_run *r)
{
	vblk_fake_notify(r->test, r->fd->vd, 0);
	seed_settle(r);
}

/* InterruptStatus. */
u32 seed_isr(struct seed_run *r)
{
	return vblk_fake_reg_read(r->test, r->fd->vd,
				  VIRTIO_MMIO_INTERRUPT_STATUS);
}

/* Times the call eventfd (KVM irqfd) was signalled. */
int seed_signals(struct seed_run *r)
{
	return atomic_read(&r->fd->host.signals);
}

/* Throttle limits (bursts: one second's worth). */
void seed_set_limits(struct seed_run *r, u64 iops, u64 bps)
{
	struct vblk_throttle_cfg cfg = { .iops = iops, .bps = bps };

	KUNIT_ASSERT_EQ(r->test, 0,
			vblk_throttle_set(&r->fd->vd->blk.throttle, &cfg, NULL));
}

/* A read of sector 0 into DATA, status at STATUS, as in CHAIN3(512, W). */
u16 seed_add_read(struct seed_run *r)
{
	const struct vblk_fake_desc d[] = {
		DESC(HDR, HDR_LEN, 0), DESC(DATA, 512, W), DESC(STATUS, 1, W),
	};

	vblk_fake_write_hdr(r->fd->mem, HDR, VIRTIO_BLK_T_IN, 0);
	vblk_fake_wr8(r->fd->mem, STATUS, SENTINEL);
	return vblk_fake_vq_add_chain(&r->fd->vq, d, ARRAY_SIZE(d));
}

/* The backing file still holds nothing but zeros. */
void seed_file_zero(struct seed_run *r)
{
	KUNIT_EXPECT_FALSE(r->test, memchr_inv(r->fd->backing->data, 0, CAP));
}

/* The backing was synced exactly once. */
void seed_synced_once(struct seed_run *r)
{
	KUNIT_EXPECT_EQ(r->test, atomic_read(&r->fd->backing->syncs), 1);
}

/* Run one case: build, wire, kick, then check the whole outcome. */
static void seed_run(struct kunit *test, const struct seed_case *c,
		     bool async)
{
	struct vblk_blk_config cfg = {
		.capacity = c->no_capacity ? 0 : CAP >> VBLK_SECTOR_SHIFT,
		.read_only = c->read_only,
	};
	const struct seed_counts *w = &c->want;
	u64 file = c->no_capacity ? 0 : c->file_size ?: CAP;
	u64 st = c->status_at ?: STATUS;
	struct seed_run r = { .test = test, .c = c };
	struct vblk_fake_dev *fd;

	/* the faults of the synchronous fake do not reach the async one */
	if (async && (c->write_partials || c->read_eintrs || c->write_zero ||
		      c->eintr_forever))
		kunit_skip(test, "faults of the synchronous backing (see vblk_async results)");
	fd = vblk_fake_dev_new(test, &cfg, file, c->fill, c->qsize ?: QSIZE);
	r.fd = fd;
	fd->backing->write_partials = c->write_partials;
	fd->backing->read_eintrs = c->read_eintrs;
	fd->backing->write_zero = c->write_zero;
	fd->backing->eintr_forever = c->eintr_forever;
	if (c->data_fill)
		vblk_fake_fill(fd->mem, DATA, c->data_fill, 512);
	if (c->build) {
		c->build(&r);
	} else {
		vblk_fake_write_hdr(fd->mem, HDR, c->type, c->sector);
		r.head = vblk_fake_vq_add_chain(&fd->vq, c->d, c->n);
	}
	if (seed_in_ram(st))
		vblk_fake_wr8(fd->mem, st, SENTINEL);
	if (c->event_idx)
		vblk_fake_vq_set_used_addr(&fd->vq, c->used_at ?: USED_AWAY);
	vblk_fake_vq_set_used_event(&fd->vq, c->used_event);
	if (async) {
		r.a = vblk_fake_async_new(test, fd->backing);
		vblk_fake_async_install(fd, r.a);
	}
	vblk_fake_wire(test, fd->vd, &fd->vq, c->event_idx);
	if (c->starve) {
		struct vblk_throttle *t = &fd->vd->blk.throttle;

		seed_set_limits(&r, 1, 0);
		KUNIT_ASSERT_TRUE(test, vblk_throttle_admit(t, 1, 0));
		KUNIT_ASSERT_EQ(test, t->ops.tokens, 0);
	}
	if (c->prepare)
		c->prepare(&r);
	if (c->drive)
		c->drive(&r);
	else
		seed_notify(&r);
	/* whatever a drive hook left in flight */
	seed_settle(&r);

	if (seed_in_ram(st))
		KUNIT_EXPECT_EQ_MSG(test, vblk_fake_rd8(fd->mem, st), c->status,
				    "status byte at %#llx", st);
	KUNIT_EXPECT_EQ(test, vblk_fake_vq_used_idx(&fd->vq), c->used);
	KUNIT_EXPECT_EQ(test, seed_signals(&r), c->signals);
	KUNIT_EXPECT_EQ(test, seed_isr(&r), c->isr);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, reads_completed), w->reads);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, writes_completed), w->writes);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, flushes_completed), w->flushes);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_read), w->bytes_read);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, bytes_written),
			w->bytes_written);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, io_errors), w->io_errors);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, throttled_count), w->throttled);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, currently_throttled_gauge),
			w->gauge);
	KUNIT_EXPECT_EQ(test, vblk_fake_stat(fd, invalid_avail_idx_count), 0);
	if (c->no_backing) {
		KUNIT_EXPECT_EQ(test, vblk_fake_backing_calls(fd->backing), 0);
		if (r.a)
			KUNIT_EXPECT_EQ(test, atomic_read(&r.a->submitted), 0);
	}
	if (r.a)
		KUNIT_EXPECT_EQ(test, vblk_fake_async_held(r.a), 0);
	if (c->stray)
		KUNIT_EXPECT_GE(test, atomic_read(&fd->mem->outside), 1);
	else
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&fd->mem->outside), 0,
				    "device accessed bytes outside guest RAM");
	if (c->check)
		c->check(&r);
}

/**
 * seed_run_case() - run a seed case over the synchronous fake backing
 * @test: the test
 * @c: the case
 */
void seed_run_case(struct kunit *test, const struct seed_case *c)
{
	seed_run(test, c, false);
}

/**
 * seed_run_case_async() - run a seed case over the asynchronous fake
 * @test: the test
 * @c: the case
 *
 * Every transfer is held and completed from a work item, newest first,
 * after each QueueNotify; the outcome must be the synchronous one.
 */
void seed_run_case_async(struct kunit *test, const struct seed_case *c)
{
	seed_run(test, c, true);
}

/* The parameter name: the case's vblk_ name. */
void seed_desc(const struct seed_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}
