// SPDX-License-Identifier: GPL-2.0
/*
 * Test doubles for the vblk device model (see vblk_fake.h): the register
 * file driven as a virtio-mmio driver does, fault-injecting backings, the
 * host-ops recorder, the throttle clock and a whole device wired to them.
 * Guest memory and the driver side of the rings are in vblk_fake_mem.c
 * and vblk_fake_vq.c.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uio.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"

KUNIT_DEFINE_ACTION_WRAPPER(vblk_fake_vfree, vfree, const void *);

/* ------------------------------------------------------------------ */
/* Register file access, as a driver                                   */
/* ------------------------------------------------------------------ */

static struct vblk_fake_host *vblk_fake_host_of(struct vblk_vdev *vd)
{
	const struct vblk_vdev_binding *b;

	b = rcu_dereference_protected(vd->binding, true);
	return b && b->ops == &vblk_fake_host_ops ? b->ctx : NULL;
}

static void vblk_fake_host_run(struct vblk_fake_host *h);

/**
 * vblk_fake_reg_read() - 32-bit register (or config space) read
 * @test: the test (the read must succeed)
 * @vd: the device
 * @off: offset in the virtio-mmio window
 *
 * Return: the value read.
 */
u32 vblk_fake_reg_read(struct kunit *test, struct vblk_vdev *vd, u32 off)
{
	struct vblk_fake_host *h = vblk_fake_host_of(vd);
	u32 val = 0;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_EXPECT_EQ_MSG(test, 0, vblk_mmio_read(&h->mmio, off, &val, 4),
			    "mmio read at %#x", off);
	return val;
}

/**
 * vblk_fake_reg_write() - 32-bit register write
 * @test: the test (the write must succeed)
 * @vd: the device
 * @off: offset in the virtio-mmio window
 * @val: value
 *
 * With a struct vblk_fake_host in process_on_kick mode, kicks raised by
 * the write are processed once the write has returned, as the worker
 * would after the ioeventfd fired.
 */
void vblk_fake_reg_write(struct kunit *test, struct vblk_vdev *vd, u32 off,
			 u32 val)
{
	struct vblk_fake_host *h = vblk_fake_host_of(vd);
	bool was;

	KUNIT_ASSERT_NOT_NULL(test, h);
	was = h->processing;
	h->processing = true;
	KUNIT_EXPECT_EQ_MSG(test, 0, vblk_mmio_write(&h->mmio, off, &val, 4),
			    "mmio write %#x at %#x", val, off);
	h->processing = was;
	if (!was)
		vblk_fake_host_run(h);
}

static void vblk_fake_set_status(struct kunit *test, struct vblk_vdev *vd,
				 u32 bits)
{
	u32 st = vblk_fake_reg_read(test, vd, VIRTIO_MMIO_STATUS);

	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_STATUS, st | bits);
}

static void vblk_fake_reg_write64(struct kunit *test, struct vblk_vdev *vd,
				  u32 off, u64 val)
{
	vblk_fake_reg_write(test, vd, off, lower_32_bits(val));
	vblk_fake_reg_write(test, vd, off + 4, upper_32_bits(val));
}

/**
 * vblk_fake_wire() - bring a device up on @vq as a virtio-mmio driver does
 * @test: the test (every step must succeed)
 * @vd: the device
 * @vq: the queue to configure as queue 0
 * @event_idx: negotiate VIRTIO_RING_F_EVENT_IDX (else it is declined)
 *
 * Reset, ACKNOWLEDGE, DRIVER, accept every offered feature (less
 * EVENT_IDX unless @event_idx), FEATURES_OK (checked), queue 0 size and
 * ring addresses, QueueReady, DRIVER_OK.
 */
void vblk_fake_wire(struct kunit *test, struct vblk_vdev *vd,
		    const struct vblk_fake_vq *vq, bool event_idx)
{
	vblk_fake_wire_decline(test, vd, vq, event_idx, 0);
}

/**
 * vblk_fake_wire_decline() - vblk_fake_wire(), declining some features
 * @test: the test (every step must succeed)
 * @vd: the device
 * @vq: the queue to configure as queue 0
 * @event_idx: negotiate VIRTIO_RING_F_EVENT_IDX (else it is declined)
 * @decline: feature bits (BIT_ULL(VIRTIO_*)) not to accept
 */
void vblk_fake_wire_decline(struct kunit *test, struct vblk_vdev *vd,
			    const struct vblk_fake_vq *vq, bool event_idx,
			    u64 decline)
{
	vblk_fake_wire_queues(test, vd, vq, 1, event_idx, decline);
}

/**
 * vblk_fake_wire_queues() - bring a device up on several queues
 * @test: the test (every step must succeed)
 * @vd: the device
 * @vqs: the queues to configure as queues 0 to @n - 1
 * @n: how many
 * @event_idx: negotiate VIRTIO_RING_F_EVENT_IDX (else it is declined)
 * @decline: feature bits (BIT_ULL(VIRTIO_*)) not to accept
 *
 * As vblk_fake_wire(), configuring every queue in turn before DRIVER_OK.
 */
void vblk_fake_wire_queues(struct kunit *test, struct vblk_vdev *vd,
			   const struct vblk_fake_vq *vqs, unsigned int n,
			   bool event_idx, u64 decline)
{
	unsigned int q;
	u64 feat;

	KUNIT_ASSERT_EQ(test, 0x74726976,
			vblk_fake_reg_read(test, vd, VIRTIO_MMIO_MAGIC_VALUE));
	KUNIT_ASSERT_EQ(test, 2,
			vblk_fake_reg_read(test, vd, VIRTIO_MMIO_VERSION));
	KUNIT_ASSERT_EQ(test, VIRTIO_ID_BLOCK,
			vblk_fake_reg_read(test, vd, VIRTIO_MMIO_DEVICE_ID));

	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_STATUS, 0);
	vblk_fake_set_status(test, vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vblk_fake_set_status(test, vd, VIRTIO_CONFIG_S_DRIVER);

	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	feat = (u64)vblk_fake_reg_read(test, vd, VIRTIO_MMIO_DEVICE_FEATURES)
		<< 32;
	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	feat |= vblk_fake_reg_read(test, vd, VIRTIO_MMIO_DEVICE_FEATURES);
	KUNIT_ASSERT_TRUE(test, feat & BIT_ULL(VIRTIO_F_VERSION_1));
	if (event_idx)
		KUNIT_ASSERT_TRUE(test, feat & BIT_ULL(VIRTIO_RING_F_EVENT_IDX));
	else
		feat &= ~BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	feat &= ~decline;

	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DRIVER_FEATURES,
			    upper_32_bits(feat));
	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_DRIVER_FEATURES,
			    lower_32_bits(feat));
	vblk_fake_set_status(test, vd, VIRTIO_CONFIG_S_FEATURES_OK);
	KUNIT_ASSERT_TRUE(test, vblk_fake_reg_read(test, vd, VIRTIO_MMIO_STATUS) &
			  VIRTIO_CONFIG_S_FEATURES_OK);

	for (q = 0; q < n; q++) {
		const struct vblk_fake_vq *vq = &vqs[q];
		u32 v;

		vblk_fake_reg_write(test, vd, VIRTIO_MMIO_QUEUE_SEL, q);
		v = vblk_fake_reg_read(test, vd, VIRTIO_MMIO_QUEUE_READY);
		KUNIT_ASSERT_EQ(test, 0, v);
		v = vblk_fake_reg_read(test, vd, VIRTIO_MMIO_QUEUE_NUM_MAX);
		KUNIT_ASSERT_GE(test, v, vq->num);
		vblk_fake_reg_write(test, vd, VIRTIO_MMIO_QUEUE_NUM, vq->num);
		vblk_fake_reg_write64(test, vd, VIRTIO_MMIO_QUEUE_DESC_LOW,
				      vq->desc);
		vblk_fake_reg_write64(test, vd, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
				      vq->avail);
		vblk_fake_reg_write64(test, vd, VIRTIO_MMIO_QUEUE_USED_LOW,
				      vq->used);
		vblk_fake_reg_write(test, vd, VIRTIO_MMIO_QUEUE_READY, 1);
		v = vblk_fake_reg_read(test, vd, VIRTIO_MMIO_QUEUE_READY);
		KUNIT_ASSERT_EQ(test, 1, v);
	}

	vblk_fake_set_status(test, vd, VIRTIO_CONFIG_S_DRIVER_OK);
	KUNIT_ASSERT_TRUE(test, vblk_fake_reg_read(test, vd, VIRTIO_MMIO_STATUS) &
			  VIRTIO_CONFIG_S_DRIVER_OK);
}

/**
 * vblk_fake_notify() - write QueueNotify for queue @q
 * @test: the test
 * @vd: the device
 * @q: queue index
 *
 * With a process_on_kick host, the queue has been processed on return.
 */
void vblk_fake_notify(struct kunit *test, struct vblk_vdev *vd,
		      unsigned int q)
{
	vblk_fake_reg_write(test, vd, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* ------------------------------------------------------------------ */
/* Backing                                                             */
/* ------------------------------------------------------------------ */

/**
 * vblk_fake_backing_new() - a fault-free backing "file"
 * @test: owning test
 * @cap: buffer size in bytes (the device capacity); may be 0
 * @size: initial file size (at most @cap); reads past it return 0
 * @fill: byte the first @size bytes hold
 *
 * Return: the backing.
 */
struct vblk_fake_backing *vblk_fake_backing_new(struct kunit *test, u64 cap,
						u64 size, u8 fill)
{
	struct vblk_fake_backing *b = kunit_kzalloc(test, sizeof(*b),
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_LE(test, size, cap);
	if (cap) {
		b->data = vzalloc(cap);
		KUNIT_ASSERT_NOT_NULL(test, b->data);
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, vblk_fake_vfree,
							  b->data));
		memset(b->data, fill, size);
	}
	b->cap = cap;
	b->size = size;
	return b;
}

/**
 * vblk_fake_backing_calls() - total backing callbacks so far
 * @b: the backing
 *
 * Return: reads + writes + syncs + range syncs.
 */
unsigned int vblk_fake_backing_calls(const struct vblk_fake_backing *b)
{
	return atomic_read(&b->reads) + atomic_read(&b->writes) +
	       atomic_read(&b->syncs) + atomic_read(&b->range_syncs);
}

static ssize_t vblk_fake_backing_read(void *ctx, struct iov_iter *iter,
				      loff_t pos)
{
	struct vblk_fake_backing *b = ctx;
	size_t n;

	atomic_inc(&b->reads);
	if (b->eintr_forever)
		return -EINTR;
	if (b->read_eintrs) {
		b->read_eintrs--;
		return -EINTR;
	}
	if (b->read_err)
		return b->read_err;
	if (pos < 0)
		return -EINVAL;
	if ((u64)pos >= b->size)
		return 0;
	n = min_t(u64, iov_iter_count(iter), b->size - pos);
	return copy_to_iter(b->data + pos, n, iter);
}

static ssize_t vblk_fake_backing_write(void *ctx, struct iov_iter *iter,
				       loff_t pos)
{
	struct vblk_fake_backing *b = ctx;
	size_t count = iov_iter_count(iter);
	size_t n = count, seg, done;

	atomic_inc(&b->writes);
	if (b->eintr_forever)
		return -EINTR;
	if (b->write_eintrs) {
		b->write_eintrs--;
		return -EINTR;
	}
	if (b->write_err)
		return b->write_err;
	if (b->write_zero)
		return 0;
	if (pos < 0)
		return -EINVAL;
	if ((u64)pos > b->cap || count > b->cap - pos)
		return -ENOSPC;
	seg = iov_iter_single_seg_count(iter);
	if (b->write_partials && seg > 1) {
		b->write_partials--;
		n = seg / 2;
	}
	done = copy_from_iter(b->data + pos, n, iter);
	b->size = max_t(u64, b->size, pos + done);
	return done;
}

static int vblk_fake_backing_sync(void *ctx)
{
	struct vblk_fake_backing *b = ctx;

	atomic_inc(&b->syncs);
	return b->sync_err;
}

static int vblk_fake_backing_sync_range(void *ctx, loff_t pos, u64 len)
{
	struct vblk_fake_backing *b = ctx;

	atomic_inc(&b->range_syncs);
	b->sync_pos = pos;
	b->sync_len = len;
	return b->sync_err;
}

/* Backing I/O for the device model, over struct vblk_fake_backing. */
const struct vblk_backing_ops vblk_fake_backing_ops = {
	.read_iter = vblk_fake_backing_read,
	.write_iter = vblk_fake_backing_write,
	.sync = vblk_fake_backing_sync,
	.sync_range = vblk_fake_backing_sync_range,
};

/* ------------------------------------------------------------------ */
/* Host recorder                                                       */
/* ------------------------------------------------------------------ */

/* Process every queue kicked so far; bounded against self-kicking. */
static void vblk_fake_host_drain(struct vblk_fake_host *h)
{
	unsigned int q, rounds;

	for (rounds = 0; rounds < 64 && READ_ONCE(h->pending_mask); rounds++) {
		unsigned long pend = xchg(&h->pending_mask, 0);

		for_each_set_bit(q, &pend, vblk_vdev_num_queues(h->vd))
			vblk_vdev_process(h->vd, q);
	}
}

/* Owner-thread processing, after a register write returned. */
static void vblk_fake_host_run(struct vblk_fake_host *h)
{
	if (!h->process_on_kick || !h->vd)
		return;
	h->processing = true;
	vblk_fake_host_drain(h);
	h->processing = false;
}

static void vblk_fake_host_work(struct work_struct *work)
{
	vblk_fake_host_drain(container_of(work, struct vblk_fake_host, work));
}

static void vblk_fake_kick(void *ctx, unsigned int q)
{
	struct vblk_fake_host *h = ctx;

	atomic_inc(&h->kicks);
	if (!h->process_on_kick || q >= vblk_vdev_num_queues(h->vd))
		return;
	set_bit(q, &h->pending_mask);
	/*
	 * The test thread inside a register write or a processing pass
	 * picks the kick up when that returns; any other caller (the
	 * throttle timer, a limit change) defers to the work item.
	 */
	if (in_task() && current == h->owner && h->processing)
		return;
	schedule_work(&h->work);
}

static void vblk_fake_vq_used(void *ctx, unsigned int q, bool signal)
{
	struct vblk_fake_host *h = ctx;

	vblk_mmio_interrupt(&h->mmio, VIRTIO_MMIO_INT_VRING);
	if (signal)
		atomic_inc(&h->signals);
}

static void vblk_fake_config_changed(void *ctx)
{
	struct vblk_fake_host *h = ctx;

	vblk_mmio_interrupt(&h->mmio, VIRTIO_MMIO_INT_CONFIG);
	atomic_inc(&h->signals);
}

static void vblk_fake_event(void *ctx, unsigned int q, enum vblk_event ev)
{
	struct vblk_fake_host *h = ctx;

	if ((unsigned int)ev < ARRAY_SIZE(h->events))
		atomic_inc(&h->events[ev]);
	WRITE_ONCE(h->last_event, ev);
}

/* Callbacks from the device, over struct vblk_fake_host. */
const struct vblk_vdev_host_ops vblk_fake_host_ops = {
	.kick = vblk_fake_kick,
	.vq_used = vblk_fake_vq_used,
	.config_changed = vblk_fake_config_changed,
};

/**
 * vblk_fake_host_flush() - wait for kicks deferred from atomic context
 * @h: the host recorder
 */
void vblk_fake_host_flush(struct vblk_fake_host *h)
{
	flush_work(&h->work);
}

/* ------------------------------------------------------------------ */
/* Throttle clock                                                      */
/* ------------------------------------------------------------------ */

/* One fake time line, shared by every throttle that uses it. */
static atomic64_t vblk_fake_clock_ns;

/**
 * vblk_fake_clock_read() - the fake clock, as a &vblk_clock_fn
 * @t: the throttle asking (unused)
 *
 * Return: fake time in nanoseconds.
 */
u64 vblk_fake_clock_read(struct vblk_throttle *t)
{
	return atomic64_read(&vblk_fake_clock_ns);
}

/**
 * vblk_fake_clock_install() - make @t use the fake clock
 * @t: an initialised throttle
 *
 * The fake clock restarts at the current real time (so it only moves when
 * the test moves it) and @t's refill reference is set to it.
 */
void vblk_fake_clock_install(struct vblk_throttle *t)
{
	unsigned long flags;
	u64 now = ktime_get_ns();

	atomic64_set(&vblk_fake_clock_ns, now);
	spin_lock_irqsave(&t->lock, flags);
	t->clock = vblk_fake_clock_read;
	t->last_ns = now;
	spin_unlock_irqrestore(&t->lock, flags);
}

/**
 * vblk_fake_clock_advance() - move fake time forward
 * @ns: nanoseconds
 */
void vblk_fake_clock_advance(u64 ns)
{
	atomic64_add(ns, &vblk_fake_clock_ns);
}

/**
 * vblk_fake_clock_now() - current fake time
 *
 * Return: nanoseconds.
 */
u64 vblk_fake_clock_now(void)
{
	return atomic64_read(&vblk_fake_clock_ns);
}

/* ------------------------------------------------------------------ */
/* A whole fake device                                                 */
/* ------------------------------------------------------------------ */

static void vblk_fake_dev_teardown(void *ctx)
{
	struct vblk_fake_dev *fd = ctx;

	vblk_vdev_unbind(fd->vd);
	vblk_vdev_destroy(fd->vd);
	/* the throttle timer is gone: no new deferred kick can appear */
	cancel_work_sync(&fd->host.work);
}

/**
 * vblk_fake_dev_new() - a device on fake memory, backing and host
 * @test: owning test
 * @cfg: device configuration (capacity in sectors)
 * @file_size: backing file size in bytes (at most the capacity)
 * @fill: byte the backing file holds
 * @qnum: size of the driver-side queue laid out at gpa 0 (not wired)
 *
 * Memory has the vblk_fake_mem_default() layout; the host processes
 * queues on kick; the throttle uses the fake clock. The device is
 * destroyed when the test ends.
 *
 * Return: the fake device.
 */
struct vblk_fake_dev *vblk_fake_dev_new(struct kunit *test,
					const struct vblk_blk_config *cfg,
					u64 file_size, u8 fill, u16 qnum)
{
	struct vblk_fake_dev *fd = kunit_kzalloc(test, sizeof(*fd), GFP_KERNEL);
	struct vblk_blk_config c = *cfg;
	struct vblk_fake_host *h;
	u64 cap;

	KUNIT_ASSERT_NOT_NULL(test, fd);
	KUNIT_ASSERT_FALSE(test, check_shl_overflow(cfg->capacity,
						    VBLK_SECTOR_SHIFT, &cap));
	if (!c.num_queues)
		c.num_queues = 1;
	fd->test = test;
	fd->mem = vblk_fake_mem_default(test);
	fd->backing = vblk_fake_backing_new(test, cap, file_size, fill);
	fd->vd = kunit_kzalloc(test, sizeof(*fd->vd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fd->vd);
	vblk_fake_vq_init(&fd->vq, fd->mem, 0, qnum);

	h = &fd->host;
	INIT_WORK(&h->work, vblk_fake_host_work);
	h->process_on_kick = true;
	h->owner = current;
	h->last_event = -1;
	KUNIT_ASSERT_EQ(test, 0,
			vblk_vdev_init(fd->vd, &c, &vblk_fake_backing_ops,
				       fd->backing, vblk_fake_event, h));
	h->vd = fd->vd;
	vblk_mmio_init(&h->mmio, fd->vd);
	h->binding.ops = &vblk_fake_host_ops;
	h->binding.ctx = h;
	h->binding.mem.ops = &vblk_fake_mem_ops;
	h->binding.mem.ctx = fd->mem;
	KUNIT_ASSERT_EQ(test, 0, vblk_vdev_bind(fd->vd, &h->binding));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, vblk_fake_dev_teardown,
						  fd));
	vblk_fake_clock_install(&fd->vd->blk.throttle);
	return fd;
}

/**
 * vblk_fake_dev_simple() - read-write device whose file fills its capacity
 * @test: owning test
 * @cap_bytes: capacity in bytes (a multiple of 512)
 * @fill: byte the backing file holds
 * @qnum: queue size
 *
 * Return: the fake device.
 */
struct vblk_fake_dev *vblk_fake_dev_simple(struct kunit *test, u64 cap_bytes,
					   u8 fill, u16 qnum)
{
	struct vblk_blk_config cfg = {
		.capacity = cap_bytes >> VBLK_SECTOR_SHIFT,
	};

	KUNIT_ASSERT_EQ(test, 0, cap_bytes % VBLK_SECTOR_SIZE);
	return vblk_fake_dev_new(test, &cfg, cap_bytes, fill, qnum);
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the vblk virtio-blk device model");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(VBLK);
