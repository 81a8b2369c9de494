// SPDX-License-Identifier: GPL-2.0
/*
 * vblk split virtqueue, device side (virtio 1.2, 2.7).
 *
 * Every guest-memory access goes through vq->mem. The caller serialises
 * all calls on one queue (the device's queue lock) and makes them in
 * process context: guest memory accesses may sleep.
 */
#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/virtio_ring.h>
#include <kunit/visibility.h>

#include "vblk_vq.h"

/* Split virtqueue structures as they sit in guest memory (little-endian). */
struct vblk_desc {
	__le64 addr;
	__le32 len;
	__le16 flags;
	__le16 next;
};

struct vblk_used_elem {
	__le32 id;
	__le32 len;
};

static_assert(sizeof(struct vblk_desc) == 16);
static_assert(sizeof(struct vblk_used_elem) == 8);

/* Ring layout (virtio 1.2, 2.7.6 and 2.7.8). */
static u64 vblk_avail_idx_gpa(const struct vblk_vq *vq)
{
	return vq->avail + 2;
}

static u64 vblk_avail_ring_gpa(const struct vblk_vq *vq, u16 idx)
{
	return vq->avail + 4 + 2 * (u64)(idx & (vq->num - 1));
}

static u64 vblk_used_event_gpa(const struct vblk_vq *vq)
{
	return vq->avail + 4 + 2 * (u64)vq->num;
}

static u64 vblk_used_flags_gpa(const struct vblk_vq *vq)
{
	return vq->used;
}

static u64 vblk_used_idx_gpa(const struct vblk_vq *vq)
{
	return vq->used + 2;
}

static u64 vblk_used_ring_gpa(const struct vblk_vq *vq, u16 idx)
{
	return vq->used + 4 + 8 * (u64)(idx & (vq->num - 1));
}

static u64 vblk_avail_event_gpa(const struct vblk_vq *vq)
{
	return vq->used + 4 + 8 * (u64)vq->num;
}

static int vblk_read16(const struct vblk_vq *vq, u64 gpa, u16 *v)
{
	__le16 x;
	int err = vblk_mem_read(&vq->mem, gpa, &x, sizeof(x));

	if (!err)
		*v = le16_to_cpu(x);
	return err;
}

static int vblk_write16(const struct vblk_vq *vq, u64 gpa, u16 v)
{
	__le16 x = cpu_to_le16(v);

	return vblk_mem_write(&vq->mem, gpa, &x, sizeof(x));
}

/**
 * vblk_vq_init() - initialise a queue (no memory, not configured)
 * @vq: the queue
 */
void vblk_vq_init(struct vblk_vq *vq)
{
	vq->mem.ops = NULL;
	vq->mem.ctx = NULL;
	vblk_vq_clear(vq);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_init);

/**
 * vblk_vq_clear() - forget configuration and processing state (reset)
 * @vq: the queue (its guest memory stays bound)
 */
void vblk_vq_clear(struct vblk_vq *vq)
{
	vq->num = 0;
	vq->desc = 0;
	vq->avail = 0;
	vq->used = 0;
	WRITE_ONCE(vq->ready, false);
	vq->event_idx = false;
	vq->indirect = false;
	vblk_vq_set_state(vq, 0);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_clear);

/**
 * vblk_vq_layout_ok() - can a queue be enabled with this layout?
 * @num: queue size
 * @desc: descriptor table address
 * @avail: driver area address
 * @used: device area address
 *
 * Return: true for a non-zero power-of-2 size and ring areas that are
 * aligned as the split layout requires and do not wrap the address space.
 */
bool vblk_vq_layout_ok(u32 num, u64 desc, u64 avail, u64 used)
{
	u64 n = num;

	if (!num || !is_power_of_2(num) || num > 32768)
		return false;
	if (!IS_ALIGNED(desc, VRING_DESC_ALIGN_SIZE) ||
	    !IS_ALIGNED(avail, VRING_AVAIL_ALIGN_SIZE) ||
	    !IS_ALIGNED(used, VRING_USED_ALIGN_SIZE))
		return false;
	return vblk_range_fits(desc, 16 * n) &&
	       vblk_range_fits(avail, 6 + 2 * n) &&
	       vblk_range_fits(used, 6 + 8 * n);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_layout_ok);

/**
 * vblk_vq_set_state() - set the ring position (virtqueue state)
 * @vq: the queue
 * @avail_idx: where processing starts: the next available entry, and the
 *	used index already published
 *
 * Also forgets the broken state: the driver re-initialised the queue.
 */
void vblk_vq_set_state(struct vblk_vq *vq, u16 avail_idx)
{
	WRITE_ONCE(vq->last_avail_idx, avail_idx);
	WRITE_ONCE(vq->used_idx, avail_idx);
	vq->signalled_used = avail_idx;
	WRITE_ONCE(vq->broken, false);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_set_state);

/**
 * vblk_vq_avail_idx() - read the driver's available index
 * @vq: a ready queue
 * @avail: the index read
 *
 * The index may run ahead of last_avail_idx by at most the queue size;
 * more is a driver bug that marks the queue broken (until reset). Ring
 * entries up to the index may be read after a successful return.
 *
 * Return: 0, -EFAULT if the index cannot be read, -EPROTO if the queue
 * was just marked broken.
 */
int vblk_vq_avail_idx(struct vblk_vq *vq, u16 *avail)
{
	if (vblk_read16(vq, vblk_avail_idx_gpa(vq), avail))
		return -EFAULT;
	if ((u16)(*avail - vq->last_avail_idx) > vq->num) {
		WRITE_ONCE(vq->broken, true);
		return -EPROTO;
	}
	/* Read ring entries only after the index that exposes them. */
	smp_rmb();
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_avail_idx);

/**
 * vblk_vq_pop() - take the next available head
 * @vq: a ready queue, with an entry known available
 * @head: the head descriptor index read (not checked)
 *
 * Return: 0, or -EFAULT if the ring entry cannot be read (nothing taken).
 */
int vblk_vq_pop(struct vblk_vq *vq, u16 *head)
{
	if (vblk_read16(vq, vblk_avail_ring_gpa(vq, vq->last_avail_idx), head))
		return -EFAULT;
	WRITE_ONCE(vq->last_avail_idx, vq->last_avail_idx + 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_pop);

/**
 * vblk_vq_unpop() - put the last popped head back (u16 wrap-safe)
 * @vq: the queue
 */
void vblk_vq_unpop(struct vblk_vq *vq)
{
	WRITE_ONCE(vq->last_avail_idx, vq->last_avail_idx - 1);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_unpop);

/* Walk position: the table being read and how many entries were visited. */
struct vblk_walk {
	u64 table;
	u32 size;	/* entries in @table */
	u32 seen;	/* entries of @table visited: more than @size is a loop */
	u16 i;
	bool indirect;
};

static int vblk_read_desc(const struct vblk_vq *vq, const struct vblk_walk *w,
			  struct vblk_seg *seg, u16 *flags, u16 *next)
{
	struct vblk_desc d;
	int err;

	err = vblk_mem_read(&vq->mem, w->table + (u64)w->i * sizeof(d), &d,
			    sizeof(d));
	if (err)
		return err;
	seg->gpa = le64_to_cpu(d.addr);
	seg->len = le32_to_cpu(d.len);
	*flags = le16_to_cpu(d.flags);
	*next = le16_to_cpu(d.next);
	return 0;
}

/*
 * Follow an indirect descriptor: negotiated, not nested, not combined with
 * NEXT, a non-empty whole number of descriptors, not wrapping the address
 * space, and no more entries than the queue or a chain may have (a ring
 * smaller than a maximum-size request carries it in one indirect table).
 */
static int vblk_enter_indirect(const struct vblk_vq *vq,
			       const struct vblk_seg *seg, u16 flags,
			       struct vblk_walk *w)
{
	if (!vq->indirect)
		return -EINVAL;
	if (w->indirect || (flags & VRING_DESC_F_NEXT))
		return -EINVAL;
	if (!seg->len || seg->len % sizeof(struct vblk_desc) ||
	    seg->len / sizeof(struct vblk_desc) >
	    max_t(u32, vq->num, VBLK_VQ_CHAIN_MAX))
		return -EINVAL;
	if (!vblk_range_fits(seg->gpa, seg->len))
		return -EINVAL;
	w->table = seg->gpa;
	w->size = seg->len / sizeof(struct vblk_desc);
	w->seen = 0;
	w->i = 0;
	w->indirect = true;
	return 0;
}

/**
 * vblk_vq_walk() - walk the chain at @head into @c
 * @vq: a ready queue
 * @head: head descriptor index, as popped
 * @c: the flattened chain
 *
 * Every index is checked against its table, loops are caught by counting
 * visits per table, and the flattened chain is bounded at
 * %VBLK_VQ_CHAIN_MAX descriptors. Any failure means the chain must be
 * dropped (it cannot be trusted to have a status byte).
 *
 * Return: 0, -ERANGE (index out of range), -ELOOP, -E2BIG (too long),
 * -EINVAL (bad indirect descriptor) or -EFAULT.
 */
int vblk_vq_walk(const struct vblk_vq *vq, u16 head, struct vblk_chain *c)
{
	struct vblk_walk w = {
		.table = vq->desc, .size = vq->num, .i = head,
	};
	struct vblk_seg seg;
	u16 flags, next;
	int err;

	c->n = 0;
	for (;;) {
		if (w.i >= w.size)
			return -ERANGE;
		if (++w.seen > w.size)
			return -ELOOP;
		err = vblk_read_desc(vq, &w, &seg, &flags, &next);
		if (err)
			return err;
		if (flags & VRING_DESC_F_INDIRECT) {
			err = vblk_enter_indirect(vq, &seg, flags, &w);
			if (err)
				return err;
			continue;
		}
		if (c->n == VBLK_VQ_CHAIN_MAX)
			return -E2BIG;
		c->seg[c->n] = seg;
		c->flags[c->n] = flags;
		c->n++;
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		w.i = next;
	}
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_walk);

/**
 * vblk_vq_add_used() - write the used element for @head
 * @vq: a ready queue
 * @head: the chain's head index
 * @len: bytes the device wrote into the chain
 *
 * The element goes into the slot the next vblk_vq_commit_used() exposes;
 * until then the driver cannot see it, and another add overwrites it.
 *
 * Return: 0 or -EFAULT.
 */
int vblk_vq_add_used(struct vblk_vq *vq, u16 head, u32 len)
{
	struct vblk_used_elem e = {
		.id = cpu_to_le32(head),
		.len = cpu_to_le32(len),
	};

	return vblk_mem_write(&vq->mem, vblk_used_ring_gpa(vq, vq->used_idx),
			      &e, sizeof(e));
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_add_used);

/**
 * vblk_vq_commit_used() - publish the element written by the last add
 * @vq: a ready queue
 *
 * Everything the device wrote before (the element, the request's data and
 * status) is made visible before the new used index.
 *
 * Return: 0, or -EFAULT if the index cannot be written (nothing published).
 */
int vblk_vq_commit_used(struct vblk_vq *vq)
{
	/* Entry and status must be visible before the index exposing them. */
	smp_wmb();
	if (vblk_write16(vq, vblk_used_idx_gpa(vq), vq->used_idx + 1))
		return -EFAULT;
	WRITE_ONCE(vq->used_idx, vq->used_idx + 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_commit_used);

/**
 * vblk_vq_notify_disable() - ask the driver not to kick while we drain
 * @vq: a ready queue
 *
 * Legacy suppression only (VRING_USED_F_NO_NOTIFY); with EVENT_IDX the
 * avail_event written at re-enable time does the job. Best effort.
 */
void vblk_vq_notify_disable(struct vblk_vq *vq)
{
	if (!vq->event_idx)
		vblk_write16(vq, vblk_used_flags_gpa(vq), VRING_USED_F_NO_NOTIFY);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_notify_disable);

/**
 * vblk_vq_notify_enable() - ask for kicks again
 * @vq: a ready queue
 *
 * EVENT_IDX writes avail_event = last_avail_idx, legacy clears
 * VRING_USED_F_NO_NOTIFY. The full barrier orders that write before the
 * caller reads the available index again.
 *
 * Return: false if the write failed.
 */
bool vblk_vq_notify_enable(struct vblk_vq *vq)
{
	int err;

	if (vq->event_idx)
		err = vblk_write16(vq, vblk_avail_event_gpa(vq),
				   vq->last_avail_idx);
	else
		err = vblk_write16(vq, vblk_used_flags_gpa(vq), 0);
	/* Pairs with the driver's barrier between adding and checking. */
	smp_mb();
	return !err;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_notify_enable);

/**
 * vblk_vq_need_signal() - does the driver want an interrupt now?
 * @vq: a ready queue whose used index moved since the last decision
 *
 * Legacy: always. EVENT_IDX: when the used index crossed used_event since
 * the last decision (fail-safe: an unreadable used_event means yes).
 *
 * Return: true if the driver must be notified.
 */
bool vblk_vq_need_signal(struct vblk_vq *vq)
{
	u16 old = vq->signalled_used, new = vq->used_idx, event;

	vq->signalled_used = new;
	if (!vq->event_idx)
		return true;
	/* The used index must be visible before used_event is read. */
	smp_mb();
	if (vblk_read16(vq, vblk_used_event_gpa(vq), &event))
		return true;
	return vring_need_event(event, new, old);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_vq_need_signal);
