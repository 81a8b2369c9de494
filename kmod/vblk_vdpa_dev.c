// SPDX-License-Identifier: GPL-2.0
/*
 * vblk vDPA binding (vblk_vdpa.ko, with vblk_iotlb.c): a vblk device on
 * the kernel's vDPA bus.
 *
 * The module registers the vDPA management device "vblk". `vdpa dev add
 * name NAME mgmtdev vblk` binds the existing vblk device NAME (made by
 * `vblkctl dev add`, which keeps owning the backing file, limits and
 * counters) to a new vDPA device of the same name; `vdpa dev del NAME`
 * unbinds it. A device has one binding at a time (vblk_dev_claim()): the
 * character device and the vDPA binding refuse each other with -EBUSY.
 *
 * The vDPA config ops map one to one onto the vblk_vdev API. The vDPA bus
 * drives the device with one of two drivers, and guest memory differs:
 *
 * - vhost_vdpa (a VMM such as QEMU): the device uses virtual addresses
 *   (use_va). The VMM binds its address space (bind_mm, at VHOST_SET_OWNER)
 *   and maps guest memory as IOVA -> its own virtual addresses (set_map).
 *   The workers are vhost_tasks of the VMM (vblk_worker.c), created in
 *   bind_mm, and guest memory is vblk_guestmem over the VMM's mm: the
 *   /dev/vblk binding's own flavour, fed from the IOTLB.
 * - virtio_vdpa (the host's own virtio_blk driver, /dev/vdX): no process
 *   owns the device, so the workers are work items on an unbound,
 *   memory-reclaim-safe workqueue (a kernel worker: there is no VMM whose
 *   thread a vhost_task could be), and guest memory is host physical
 *   memory through an identity IOTLB (vblk_iotlb.c): virtio_vdpa's DMA
 *   addresses are physical addresses.
 *
 * Switching between the two resets the device (vblk_vdev_unbind() and a
 * new vblk_vdev_bind()). Physical memory is reachable only by a driver in
 * the kernel: without a bound address space, DRIVER_OK is accepted only
 * from virtio_vdpa, so a VMM that skipped VHOST_SET_OWNER cannot make the
 * device touch host memory.
 *
 * Locking: v->lock (a mutex) serialises the address space, the workers
 * and the binding (bind_mm, unbind_mm, set_map, reset, status, teardown)
 * and nests outside the device's locks (see vblk_vdev.c). Kicks and
 * interrupt callbacks take no mutex: kick_vq may come in atomic context
 * and only wakes a worker; a callback is copied under its spinlock and
 * called under the RCU read lock of the device's callback path, and a reset
 * clears them and waits for a grace period.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vdpa.h>
#include <linux/virtio_ids.h>
#include <linux/workqueue.h>
#include <uapi/linux/vdpa.h>
#include <uapi/linux/vblk_vmm.h>

#include "vblk_vdpa.h"

/* ---- callbacks from the device (RCU read side, see vblk_vdev.h) -------- */

static void vblk_vdpa_call(spinlock_t *lock, const struct vdpa_callback *slot,
			   atomic64_t *count)
{
	struct vdpa_callback cb;
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	cb = *slot;
	spin_unlock_irqrestore(lock, flags);
	if (!cb.callback)
		return;
	if (count)
		atomic64_inc(count);
	/*
	 * The callback is the driver's interrupt handler (virtio_vdpa's
	 * vring_interrupt, vhost_vdpa's eventfd signal): run it as softirq
	 * work would, so what it raises runs when it returns.
	 */
	local_bh_disable();
	cb.callback(cb.private);
	local_bh_enable();
}

static void vblk_vdpa_vq_used(void *ctx, unsigned int q, bool signal)
{
	struct vblk_vdpa *v = ctx;

	if (signal && q < v->nvqs)
		vblk_vdpa_call(&v->qs[q].cb_lock, &v->qs[q].cb,
			       &v->qs[q].interrupts);
}

static void vblk_vdpa_config_changed(void *ctx)
{
	struct vblk_vdpa *v = ctx;

	vblk_vdpa_call(&v->config_lock, &v->config_cb, NULL);
}

/* Under a VMM: wake the queue's vhost_task. */
static void vblk_vdpa_kick_task(void *ctx, unsigned int q)
{
	struct vblk_vdpa *v = ctx;

	if (q < v->nvqs)
		vblk_worker_kick(&v->qs[q].task);
}

/* Under virtio_vdpa: queue the queue's work item. */
static void vblk_vdpa_kick_work(void *ctx, unsigned int q)
{
	struct vblk_vdpa *v = ctx;

	if (q < v->nvqs)
		queue_work(vblk_vdpa_wq, &v->qs[q].work);
}

static const struct vblk_vdev_host_ops vblk_vdpa_task_ops = {
	.kick = vblk_vdpa_kick_task,
	.vq_used = vblk_vdpa_vq_used,
	.config_changed = vblk_vdpa_config_changed,
};

static const struct vblk_vdev_host_ops vblk_vdpa_work_ops = {
	.kick = vblk_vdpa_kick_work,
	.vq_used = vblk_vdpa_vq_used,
	.config_changed = vblk_vdpa_config_changed,
};

static void vblk_vdpa_work_fn(struct work_struct *work)
{
	struct vblk_vdpa_queue *vq = container_of(work, struct vblk_vdpa_queue,
						  work);
	unsigned int noio;

	/*
	 * This device may be the one that memory reclaim writes to: the
	 * backing I/O must not recurse into reclaim I/O.
	 */
	noio = memalloc_noio_save();
	vblk_vdev_process(vq->v->vd, vq->index);
	memalloc_noio_restore(noio);
}

/* ---- binding: address space and workers ------------------------------- */

static const struct vblk_binder vblk_vdpa_binder = {
	.name = "vdpa",
	.busy = "bound to vDPA (run 'vdpa dev del' first)",
	.detach = NULL,	/* the vDPA bus owns the device: refuse a delete */
};

/* Forget every callback; none is running when this returns. */
static void vblk_vdpa_clear_callbacks(struct vblk_vdpa *v)
{
	unsigned long flags;
	unsigned int q;

	for (q = 0; q < v->nvqs; q++) {
		spin_lock_irqsave(&v->qs[q].cb_lock, flags);
		v->qs[q].cb = (struct vdpa_callback){};
		spin_unlock_irqrestore(&v->qs[q].cb_lock, flags);
	}
	spin_lock_irqsave(&v->config_lock, flags);
	v->config_cb = (struct vdpa_callback){};
	spin_unlock_irqrestore(&v->config_lock, flags);
	/* Callbacks run under the device's RCU read lock. */
	synchronize_rcu();
}

/*
 * End the current binding: the device is reset and calls nothing of ours
 * any more, the workers are gone, the address space is dropped.
 */
static void vblk_vdpa_unbind(struct vblk_vdpa *v)
{
	unsigned int q;

	lockdep_assert_held(&v->lock);
	if (v->bound) {
		vblk_vdev_unbind(v->vd);
		v->bound = false;
	}
	for (q = 0; q < v->nvqs; q++) {
		vblk_worker_stop(&v->qs[q].task);
		cancel_work_sync(&v->qs[q].work);
	}
	/* The IOVAs of an address space mean nothing without it. */
	vblk_guestmem_destroy(&v->gm);
	if (v->mm) {
		mmdrop(v->mm);
		v->mm = NULL;
	}
}

/*
 * Bind the device for address space @mm (the caller's: its workers are
 * threads of the caller), or for the kernel's virtio_vdpa when @mm is
 * NULL. The device starts reset.
 */
static int vblk_vdpa_bind(struct vblk_vdpa *v, struct mm_struct *mm)
{
	unsigned int q;
	int ret = 0;

	lockdep_assert_held(&v->lock);
	vblk_vdpa_unbind(v);
	if (mm) {
		for (q = 0; q < v->nvqs && !ret; q++)
			ret = vblk_worker_start(&v->qs[q].task, v->vd, q);
		if (ret) {
			while (q--)
				vblk_worker_stop(&v->qs[q].task);
			mm = NULL;
		}
	}
	v->binding.ctx = v;
	if (mm) {
		mmgrab(mm);
		v->mm = mm;
		vblk_guestmem_init(&v->gm, mm);
		v->binding.ops = &vblk_vdpa_task_ops;
		v->binding.mem.ops = &vblk_guestmem_ops;
		v->binding.mem.ctx = &v->gm;
	} else {
		v->binding.ops = &vblk_vdpa_work_ops;
		v->binding.mem.ops = &vblk_iotlb_ops;
		v->binding.mem.ctx = &v->pa;
	}
	/* Cannot fail: the claim made us the only binding. */
	v->bound = !WARN_ON_ONCE(vblk_vdev_bind(v->vd, &v->binding));
	return ret;
}

/* Is the driver the kernel's own virtio_vdpa (not a VMM through vhost)? */
static bool vblk_vdpa_kernel_driver(struct vblk_vdpa *v)
{
	struct device_driver *drv = READ_ONCE(v->vdpa.dev.driver);

	return drv && !strcmp(drv->name, "virtio_vdpa");
}

/* ---- vdpa_config_ops: virtqueues -------------------------------------- */

static int vblk_vdpa_set_vq_address(struct vdpa_device *vdpa, u16 idx,
				    u64 desc_area, u64 driver_area,
				    u64 device_area)
{
	return vblk_vdev_set_vq_address(to_vblk(vdpa)->vd, idx, desc_area,
					driver_area, device_area);
}

static void vblk_vdpa_set_vq_num(struct vdpa_device *vdpa, u16 idx, u32 num)
{
	vblk_vdev_set_vq_num(to_vblk(vdpa)->vd, idx, num);
}

/* Atomic context allowed: only wakes the queue's worker. */
static void vblk_vdpa_kick_vq(struct vdpa_device *vdpa, u16 idx)
{
	struct vblk_vdpa *v = to_vblk(vdpa);

	if (idx >= v->nvqs)
		return;
	atomic64_inc(&v->qs[idx].kicks);
	vblk_vdev_kick(v->vd, idx);
}

static void vblk_vdpa_set_vq_cb(struct vdpa_device *vdpa, u16 idx,
				struct vdpa_callback *cb)
{
	struct vblk_vdpa *v = to_vblk(vdpa);
	unsigned long flags;

	if (idx >= v->nvqs)
		return;
	/*
	 * Only the callback is used, never cb->trigger: vhost_vdpa drops its
	 * reference on an old eventfd before it tells us about the new one,
	 * and its callback always signals the current one.
	 */
	spin_lock_irqsave(&v->qs[idx].cb_lock, flags);
	v->qs[idx].cb = *cb;
	spin_unlock_irqrestore(&v->qs[idx].cb_lock, flags);
}

static void vblk_vdpa_set_vq_ready(struct vdpa_device *vdpa, u16 idx,
				   bool ready)
{
	/* A refusal (bad layout, no memory) leaves the queue not ready. */
	vblk_vdev_set_vq_ready(to_vblk(vdpa)->vd, idx, ready);
}

static bool vblk_vdpa_get_vq_ready(struct vdpa_device *vdpa, u16 idx)
{
	return vblk_vdev_get_vq_ready(to_vblk(vdpa)->vd, idx);
}

static int vblk_vdpa_set_vq_state(struct vdpa_device *vdpa, u16 idx,
				  const struct vdpa_vq_state *state)
{
	return vblk_vdev_set_vq_state(to_vblk(vdpa)->vd, idx,
				      state->split.avail_index);
}

static int vblk_vdpa_get_vq_state(struct vdpa_device *vdpa, u16 idx,
				  struct vdpa_vq_state *state)
{
	return vblk_vdev_get_vq_state(to_vblk(vdpa)->vd, idx,
				      &state->split.avail_index);
}

/* Before the driver sizes the queue: the largest size it may choose. */
static u16 vblk_vdpa_get_vq_size(struct vdpa_device *vdpa, u16 idx)
{
	struct vblk_vdpa *v = to_vblk(vdpa);
	struct vblk_vq_snapshot s;

	if (idx >= v->nvqs)
		return 0;
	vblk_vdev_vq_snapshot(v->vd, idx, &s);
	return s.num ?: VBLK_QUEUE_NUM_MAX;
}

/* ---- per-queue counters ----------------------------------------------- */

/**
 * struct vblk_vdpa_counter - one per-queue counter
 * @name: its name in `vdpa dev vstats show` and in vq_stats
 * @get: its value
 */
struct vblk_vdpa_counter {
	const char *name;
	u64 (*get)(struct vblk_vdpa *v, unsigned int q);
};

static u64 vblk_vdpa_kicks(struct vblk_vdpa *v, unsigned int q)
{
	return atomic64_read(&v->qs[q].kicks);
}

static u64 vblk_vdpa_interrupts(struct vblk_vdpa *v, unsigned int q)
{
	return atomic64_read(&v->qs[q].interrupts);
}

static u64 vblk_vdpa_requests(struct vblk_vdpa *v, unsigned int q)
{
	return atomic64_read(&vblk_vdev_queue_stats(v->vd, q)->requests);
}

static u64 vblk_vdpa_bytes(struct vblk_vdpa *v, unsigned int q)
{
	return atomic64_read(&vblk_vdev_queue_stats(v->vd, q)->bytes);
}

static const struct vblk_vdpa_counter vblk_vdpa_counters[] = {
	{ "kicks", vblk_vdpa_kicks },
	{ "interrupts", vblk_vdpa_interrupts },
	{ "requests", vblk_vdpa_requests },
	{ "bytes", vblk_vdpa_bytes },
};

static int vblk_vdpa_get_vendor_vq_stats(struct vdpa_device *vdpa, u16 idx,
					 struct sk_buff *msg,
					 struct netlink_ext_ack *extack)
{
	struct vblk_vdpa *v = to_vblk(vdpa);
	const struct vblk_vdpa_counter *c;

	if (idx >= v->nvqs) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "queue %u: the device has %u queues",
				       idx, v->nvqs);
		return -EINVAL;
	}
	for (c = vblk_vdpa_counters; c < vblk_vdpa_counters +
	     ARRAY_SIZE(vblk_vdpa_counters); c++) {
		if (nla_put_string(msg, VDPA_ATTR_DEV_VENDOR_ATTR_NAME, c->name) ||
		    nla_put_u64_64bit(msg, VDPA_ATTR_DEV_VENDOR_ATTR_VALUE,
				      c->get(v, idx), VDPA_ATTR_PAD))
			return -EMSGSIZE;
	}
	return 0;
}

/* /sys/bus/vdpa/devices/NAME/vq_stats: "queue N" and the same pairs. */
static ssize_t vq_stats_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct vblk_vdpa *v = to_vblk(dev_to_vdpa(dev));
	const struct vblk_vdpa_counter *c;
	unsigned int q;
	int n = 0;

	for (q = 0; q < v->nvqs; q++) {
		n += sysfs_emit_at(buf, n, "queue %u", q);
		for (c = vblk_vdpa_counters; c < vblk_vdpa_counters +
		     ARRAY_SIZE(vblk_vdpa_counters); c++)
			n += sysfs_emit_at(buf, n, " %s %llu", c->name,
					   c->get(v, q));
		n += sysfs_emit_at(buf, n, "\n");
	}
	return n;
}
static DEVICE_ATTR_RO(vq_stats);

static struct attribute *vblk_vdpa_attrs[] = {
	&dev_attr_vq_stats.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vblk_vdpa);

/* ---- vdpa_config_ops: device ------------------------------------------- */

static u32 vblk_vdpa_get_vq_align(struct vdpa_device *vdpa)
{
	return PAGE_SIZE;
}

/*
 * A VMM's addresses are I/O virtual addresses that vhost_vdpa's IOTLB
 * translates (set_map), which is what VIRTIO_F_ACCESS_PLATFORM says; QEMU
 * sets it on every vhost-vdpa device whether offered or not, and the
 * device would refuse FEATURES_OK for a feature it did not offer. The
 * kernel's own driver gets host physical addresses and no such offer.
 * The bit is the binding's: the device model never sees it.
 */
static u64 vblk_vdpa_get_device_features(struct vdpa_device *vdpa)
{
	struct vblk_vdpa *v = to_vblk(vdpa);
	u64 f = vblk_vdev_get_device_features(v->vd);

	if (!vblk_vdpa_kernel_driver(v))
		f |= BIT_ULL(VIRTIO_F_ACCESS_PLATFORM);
	return f;
}

static int vblk_vdpa_set_driver_features(struct vdpa_device *vdpa,
					 u64 features)
{
	struct vblk_vdpa *v = to_vblk(vdpa);
	u64 platform = BIT_ULL(VIRTIO_F_ACCESS_PLATFORM);

	if ((features & platform) && vblk_vdpa_kernel_driver(v))
		return -EINVAL;
	mutex_lock(&v->lock);
	if (!(vblk_vdev_get_status(v->vd) & VIRTIO_CONFIG_S_FEATURES_OK))
		WRITE_ONCE(v->platform, !!(features & platform));
	vblk_vdev_set_driver_features(v->vd, features & ~platform);
	mutex_unlock(&v->lock);
	return 0;
}

static u64 vblk_vdpa_get_driver_features(struct vdpa_device *vdpa)
{
	struct vblk_vdpa *v = to_vblk(vdpa);
	u64 f = vblk_vdev_get_driver_features(v->vd);

	if (READ_ONCE(v->platform))
		f |= BIT_ULL(VIRTIO_F_ACCESS_PLATFORM);
	return f;
}

static void vblk_vdpa_set_config_cb(struct vdpa_device *vdpa,
				    struct vdpa_callback *cb)
{
	struct vblk_vdpa *v = to_vblk(vdpa);
	unsigned long flags;

	spin_lock_irqsave(&v->config_lock, flags);
	v->config_cb = *cb;
	spin_unlock_irqrestore(&v->config_lock, flags);
}

static u16 vblk_vdpa_get_vq_num_max(struct vdpa_device *vdpa)
{
	return VBLK_QUEUE_NUM_MAX;
}

static u32 vblk_vdpa_get_device_id(struct vdpa_device *vdpa)
{
	return VIRTIO_ID_BLOCK;
}

static u32 vblk_vdpa_get_vendor_id(struct vdpa_device *vdpa)
{
	return VBLK_VENDOR_ID;
}

static u8 vblk_vdpa_get_status(struct vdpa_device *vdpa)
{
	return vblk_vdev_get_status(to_vblk(vdpa)->vd);
}

static int vblk_vdpa_reset(struct vdpa_device *vdpa)
{
	struct vblk_vdpa *v = to_vblk(vdpa);

	mutex_lock(&v->lock);
	vblk_vdev_reset(v->vd);
	WRITE_ONCE(v->platform, false);
	vblk_vdpa_clear_callbacks(v);
	mutex_unlock(&v->lock);
	return 0;
}

static void vblk_vdpa_set_status(struct vdpa_device *vdpa, u8 status)
{
	struct vblk_vdpa *v = to_vblk(vdpa);

	if (!status) {
		vblk_vdpa_reset(vdpa);
		return;
	}
	mutex_lock(&v->lock);
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) && !v->mm &&
	    !vblk_vdpa_kernel_driver(v)) {
		/* Host physical memory is for the kernel's own driver only. */
		status &= ~VIRTIO_CONFIG_S_DRIVER_OK;
		if (!v->refused)
			dev_info(&vdpa->dev, "DRIVER_OK refused: no address space bound (VHOST_SET_OWNER)\n");
		v->refused = true;
	}
	vblk_vdev_set_status(v->vd, status);
	mutex_unlock(&v->lock);
}

static size_t vblk_vdpa_get_config_size(struct vdpa_device *vdpa)
{
	return vblk_vdev_get_config_size(to_vblk(vdpa)->vd);
}

static void vblk_vdpa_get_config(struct vdpa_device *vdpa, unsigned int offset,
				 void *buf, unsigned int len)
{
	/* Outside the config space: zeros, never stale bytes. */
	if (vblk_vdev_get_config(to_vblk(vdpa)->vd, offset, buf, len))
		memset(buf, 0, len);
}

static void vblk_vdpa_set_config(struct vdpa_device *vdpa, unsigned int offset,
				 const void *buf, unsigned int len)
{
	/* Only the writeback byte is writable; other writes are ignored. */
	vblk_vdev_set_config(to_vblk(vdpa)->vd, offset, buf, len);
}

static u32 vblk_vdpa_get_generation(struct vdpa_device *vdpa)
{
	return vblk_vdev_get_generation(to_vblk(vdpa)->vd);
}

/* ---- vdpa_config_ops: memory --------------------------------------------- */

static_assert(VBLK_MEMSLOT_READ == VHOST_MAP_RO);
static_assert(VBLK_MEMSLOT_WRITE == VHOST_MAP_WO);

/*
 * The VMM's mappings (IOVA -> its virtual address) as a vblk_guestmem
 * table, each with its permissions (a read-only mapping is never written
 * by the device, a write-only one never read). vhost_vdpa keeps them
 * disjoint; they are checked again anyway.
 */
static struct vblk_memtab *vblk_vdpa_memtab(struct vhost_iotlb *iotlb)
{
	struct vhost_iotlb_map *map;
	struct vblk_memtab *t;
	unsigned int n = 0;

	for (map = vhost_iotlb_itree_first(iotlb, 0, U64_MAX); map;
	     map = vhost_iotlb_itree_next(map, 0, U64_MAX))
		n++;
	if (!n)
		return NULL;
	if (n > VBLK_MAX_MEM_REGIONS)
		return ERR_PTR(-E2BIG);
	t = kzalloc(struct_size(t, slots, n), GFP_KERNEL_ACCOUNT);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->nslots = n;
	n = 0;
	for (map = vhost_iotlb_itree_first(iotlb, 0, U64_MAX); map;
	     map = vhost_iotlb_itree_next(map, 0, U64_MAX)) {
		struct vblk_memslot *s = &t->slots[n];
		u64 end;

		s->gpa = map->start;
		s->size = map->last - map->start + 1;
		s->hva = map->addr;
		s->perm = map->perm & VBLK_MEMSLOT_RW;
		if (!s->size || check_add_overflow(s->hva, s->size, &end) ||
		    !access_ok(u64_to_user_ptr(s->hva), s->size) ||
		    (n && s->gpa < t->slots[n - 1].gpa + t->slots[n - 1].size)) {
			kfree(t);
			return ERR_PTR(-EINVAL);
		}
		n++;
	}
	return t;
}

static int vblk_vdpa_set_map(struct vdpa_device *vdpa, unsigned int asid,
			     struct vhost_iotlb *iotlb)
{
	struct vblk_vdpa *v = to_vblk(vdpa);
	struct vblk_memtab *t;

	if (asid)
		return -EINVAL;
	t = vblk_vdpa_memtab(iotlb);
	/*
	 * vhost_vdpa does not report a failed update to the VMM: fail
	 * closed, with no table, rather than keep translating ranges the
	 * VMM may have unmapped and reused.
	 */
	mutex_lock(&v->lock);
	vblk_guestmem_replace(&v->gm, IS_ERR(t) ? NULL : t);
	mutex_unlock(&v->lock);
	return PTR_ERR_OR_ZERO(t);
}

static int vblk_vdpa_reset_map(struct vdpa_device *vdpa, unsigned int asid)
{
	struct vblk_vdpa *v = to_vblk(vdpa);

	if (asid)
		return -EINVAL;
	mutex_lock(&v->lock);
	vblk_guestmem_replace(&v->gm, NULL);
	mutex_unlock(&v->lock);
	return 0;
}

/* vhost_vdpa, at VHOST_SET_OWNER: the caller is the VMM. */
static int vblk_vdpa_bind_mm(struct vdpa_device *vdpa, struct mm_struct *mm)
{
	struct vblk_vdpa *v = to_vblk(vdpa);
	int ret;

	/* The workers become threads of the caller: it must own @mm. */
	if (!mm || mm != current->mm)
		return -EINVAL;
	mutex_lock(&v->lock);
	ret = vblk_vdpa_bind(v, mm);
	mutex_unlock(&v->lock);
	return ret;
}

static void vblk_vdpa_unbind_mm(struct vdpa_device *vdpa)
{
	struct vblk_vdpa *v = to_vblk(vdpa);

	mutex_lock(&v->lock);
	vblk_vdpa_bind(v, NULL);
	mutex_unlock(&v->lock);
}

/* Last reference to the vDPA device (after dev_del or a failed add). */
static void vblk_vdpa_free(struct vdpa_device *vdpa)
{
	struct vblk_vdpa *v = to_vblk(vdpa);

	/* Not set up: vdpa_alloc_device() itself failed. */
	if (!v->d)
		return;
	vblk_guestmem_destroy(&v->gm);
	vblk_iotlb_clear(&v->pa);
	mutex_destroy(&v->lock);
	vblk_dev_put(v->d);
}

static const struct vdpa_config_ops vblk_vdpa_config_ops = {
	.set_vq_address = vblk_vdpa_set_vq_address,
	.set_vq_num = vblk_vdpa_set_vq_num,
	.kick_vq = vblk_vdpa_kick_vq,
	.set_vq_cb = vblk_vdpa_set_vq_cb,
	.set_vq_ready = vblk_vdpa_set_vq_ready,
	.get_vq_ready = vblk_vdpa_get_vq_ready,
	.set_vq_state = vblk_vdpa_set_vq_state,
	.get_vq_state = vblk_vdpa_get_vq_state,
	.get_vendor_vq_stats = vblk_vdpa_get_vendor_vq_stats,
	.get_vq_size = vblk_vdpa_get_vq_size,
	.get_vq_align = vblk_vdpa_get_vq_align,
	.get_device_features = vblk_vdpa_get_device_features,
	.set_driver_features = vblk_vdpa_set_driver_features,
	.get_driver_features = vblk_vdpa_get_driver_features,
	.set_config_cb = vblk_vdpa_set_config_cb,
	.get_vq_num_max = vblk_vdpa_get_vq_num_max,
	.get_device_id = vblk_vdpa_get_device_id,
	.get_vendor_id = vblk_vdpa_get_vendor_id,
	.get_status = vblk_vdpa_get_status,
	.set_status = vblk_vdpa_set_status,
	.reset = vblk_vdpa_reset,
	.get_config_size = vblk_vdpa_get_config_size,
	.get_config = vblk_vdpa_get_config,
	.set_config = vblk_vdpa_set_config,
	.get_generation = vblk_vdpa_get_generation,
	.set_map = vblk_vdpa_set_map,
	.reset_map = vblk_vdpa_reset_map,
	.bind_mm = vblk_vdpa_bind_mm,
	.unbind_mm = vblk_vdpa_unbind_mm,
	.free = vblk_vdpa_free,
};

/* ---- management device "vblk" -------------------------------------------- */

/**
 * vblk_vdpa_teardown() - unbind and give the vblk device back
 * @v: the vDPA device, before it goes
 */
void vblk_vdpa_teardown(struct vblk_vdpa *v)
{
	mutex_lock(&v->lock);
	vblk_vdpa_unbind(v);
	mutex_unlock(&v->lock);
	if (v->claimed) {
		vblk_dev_unclaim(v->d, &vblk_vdpa_binder);
		v->claimed = false;
	}
}

/**
 * vblk_vdpa_alloc() - a vDPA device for vblk device @d
 * @d: the vblk device (its reference passes to the result)
 * @name: the vDPA device's name
 *
 * Return: the device, to be started with vblk_vdpa_start(), or an
 * ERR_PTR (then the caller keeps its reference on @d).
 */
struct vblk_vdpa *vblk_vdpa_alloc(struct vblk_device *d, const char *name)
{
	struct vblk_vdpa *v;
	unsigned int q;

	v = vdpa_alloc_device(struct vblk_vdpa, vdpa, NULL,
			      &vblk_vdpa_config_ops, 1, 1, name, true);
	if (IS_ERR(v))
		return v;
	v->vd = &d->vdev;
	v->nvqs = vblk_vdev_num_queues(v->vd);
	mutex_init(&v->lock);
	spin_lock_init(&v->config_lock);
	vblk_guestmem_init(&v->gm, NULL);
	vblk_iotlb_init(&v->pa);
	for (q = 0; q < v->nvqs; q++) {
		v->qs[q].v = v;
		v->qs[q].index = q;
		INIT_WORK(&v->qs[q].work, vblk_vdpa_work_fn);
		spin_lock_init(&v->qs[q].cb_lock);
	}
	v->vdpa.dev.groups = vblk_vdpa_groups;
	/* virtio_vdpa allocates rings with the DMA API on this device. */
	v->vdpa.dev.dma_mask = &v->vdpa.dev.coherent_dma_mask;
	v->vdpa.dma_dev = &v->vdpa.dev;
	/* From here on, put_device() frees v and puts d (vblk_vdpa_free()). */
	v->d = d;
	return v;
}

/**
 * vblk_vdpa_start() - claim the vblk device and bind it for virtio_vdpa
 * @v: a device from vblk_vdpa_alloc()
 *
 * Until vhost_vdpa binds an address space, the device serves host
 * physical memory through an identity IOTLB.
 *
 * Return: 0; -EBUSY if another binding holds the vblk device; or the
 * error of the DMA mask or the map.
 */
int vblk_vdpa_start(struct vblk_vdpa *v)
{
	int ret;

	ret = dma_set_mask_and_coherent(&v->vdpa.dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	/* An identity map: virtio_vdpa's DMA addresses are physical. */
	ret = vblk_iotlb_map(&v->pa, 0, U64_MAX, 0, VHOST_MAP_RW);
	if (ret)
		return ret;
	ret = vblk_dev_claim(v->d, &vblk_vdpa_binder);
	if (ret)
		return ret;
	v->claimed = true;
	mutex_lock(&v->lock);
	vblk_vdpa_bind(v, NULL);
	mutex_unlock(&v->lock);
	return 0;
}
