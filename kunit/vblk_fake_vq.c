// SPDX-License-Identifier: GPL-2.0
/*
 * Test doubles for the vblk device model, the driver side of a split
 * virtqueue (see vblk_fake.h): rings laid out in fake guest memory,
 * descriptor chains written and published as a driver does, the device's
 * answers read back.
 */
#include <kunit/test.h>
#include <linux/log2.h>
#include <linux/virtio_ring.h>

#include "vblk_fake.h"

static u64 vq_avail_idx(const struct vblk_fake_vq *vq)
{
	return vq->avail + 2;
}

static u64 vq_avail_ring(const struct vblk_fake_vq *vq, u16 i)
{
	return vq->avail + 4 + 2 * (u64)i;
}

static u64 vq_used_event(const struct vblk_fake_vq *vq)
{
	return vq->avail + 4 + 2 * (u64)vq->num;
}

static u64 vq_used_idx(const struct vblk_fake_vq *vq)
{
	return vq->used + 2;
}

static u64 vq_used_elem(const struct vblk_fake_vq *vq, u16 i)
{
	return vq->used + 4 + 8 * (u64)i;
}

static u64 vq_avail_event(const struct vblk_fake_vq *vq)
{
	return vq->used + 4 + 8 * (u64)vq->num;
}

/**
 * vblk_fake_vq_init() - lay out a zeroed split virtqueue
 * @vq: the queue to set up
 * @m: fake memory
 * @gpa: descriptor table address (16-byte aligned)
 * @num: queue size (a power of two)
 *
 * The descriptor table is at @gpa, the available ring right after it and
 * the used ring at the next 4-byte boundary. Flags, indices and
 * used_event start at zero.
 */
void vblk_fake_vq_init(struct vblk_fake_vq *vq, struct vblk_fake_mem *m,
		       u64 gpa, u16 num)
{
	struct kunit *test = m->test;

	KUNIT_ASSERT_TRUE(test, num && is_power_of_2(num));
	vq->mem = m;
	vq->num = num;
	vq->desc = gpa;
	vq->avail = gpa + 16ULL * num;
	vq->used = ALIGN(vq->avail + 6 + 2ULL * num, 4);
	vq->avail_idx = 0;
	vq->next_slot = 0;
	vblk_fake_fill(m, vq->desc, 0, 16ULL * num);
	vblk_fake_fill(m, vq->avail, 0, 6 + 2ULL * num);
	vblk_fake_fill(m, vq->used, 0, 6 + 8ULL * num);
}

/**
 * vblk_fake_vq_set_used_addr() - move the used ring
 * @vq: the queue (before wiring)
 * @gpa: new used ring address (4-byte aligned); the ring is zeroed as
 *	far as it is RAM, so it may end in a hole on purpose
 */
void vblk_fake_vq_set_used_addr(struct vblk_fake_vq *vq, u64 gpa)
{
	vq->used = gpa;
	vblk_fake_fill(vq->mem, gpa, 0, 4 + 8ULL * vq->num);
}

/**
 * vblk_fake_vq_write_desc() - write one descriptor table entry verbatim
 * @vq: the queue
 * @i: table index (any u16: an out-of-range index is a test bug)
 * @d: the descriptor
 */
void vblk_fake_vq_write_desc(struct vblk_fake_vq *vq, u16 i,
			     const struct vblk_fake_desc *d)
{
	u64 a = vq->desc + 16ULL * i;

	KUNIT_ASSERT_LT(vq->mem->test, i, vq->num);
	vblk_fake_wr64(vq->mem, a, d->addr);
	vblk_fake_wr32(vq->mem, a + 8, d->len);
	vblk_fake_wr16(vq->mem, a + 12, d->flags);
	vblk_fake_wr16(vq->mem, a + 14, d->next);
}

/**
 * vblk_fake_vq_publish() - make a chain available to the device
 * @vq: the queue
 * @head: descriptor index of the chain's head
 *
 * Writes @head into the available ring and advances avail->idx.
 */
void vblk_fake_vq_publish(struct vblk_fake_vq *vq, u16 head)
{
	vblk_fake_wr16(vq->mem, vq_avail_ring(vq, vq->avail_idx % vq->num),
		       head);
	/* ring entry before index, as a driver does */
	smp_wmb();
	vq->avail_idx++;
	vblk_fake_wr16(vq->mem, vq_avail_idx(vq), vq->avail_idx);
}

/* Claim @n consecutive (wrapping) descriptor slots; returns the first. */
static u16 vblk_fake_vq_claim(struct vblk_fake_vq *vq, unsigned int n)
{
	u16 first = vq->next_slot;

	KUNIT_ASSERT_GT(vq->mem->test, n, 0);
	KUNIT_ASSERT_LE(vq->mem->test, n, vq->num);
	vq->next_slot = (vq->next_slot + n) % vq->num;
	return first;
}

/**
 * vblk_fake_vq_add_chain() - write and publish a descriptor chain
 * @vq: the queue
 * @d: descriptors in chain order; their @next fields are ignored
 * @n: number of descriptors (at most the queue size)
 *
 * The descriptors take the next free slots; VRING_DESC_F_NEXT and @next
 * are set on every descriptor but the last (the last keeps @d's flags
 * with NEXT cleared).
 *
 * Return: the head index.
 */
u16 vblk_fake_vq_add_chain(struct vblk_fake_vq *vq,
			   const struct vblk_fake_desc *d, unsigned int n)
{
	u16 head = vblk_fake_vq_claim(vq, n);
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vblk_fake_desc x = d[i];
		u16 slot = (head + i) % vq->num;

		if (i + 1 < n) {
			x.flags |= VRING_DESC_F_NEXT;
			x.next = (slot + 1) % vq->num;
		} else {
			x.flags &= ~VRING_DESC_F_NEXT;
			x.next = 0;
		}
		vblk_fake_vq_write_desc(vq, slot, &x);
	}
	vblk_fake_vq_publish(vq, head);
	return head;
}

/**
 * vblk_fake_vq_add_indirect() - publish a chain through an indirect table
 * @vq: the queue
 * @table: guest address for the indirect descriptor table
 * @d: descriptors in chain order, linked like vblk_fake_vq_add_chain()
 * @n: number of descriptors
 *
 * Return: the head index (one VRING_DESC_F_INDIRECT descriptor).
 */
u16 vblk_fake_vq_add_indirect(struct vblk_fake_vq *vq, u64 table,
			      const struct vblk_fake_desc *d, unsigned int n)
{
	struct vblk_fake_desc ind = {
		.addr = table,
		.len = 16 * n,
		.flags = VRING_DESC_F_INDIRECT,
	};
	u16 head = vblk_fake_vq_claim(vq, 1);
	unsigned int i;

	for (i = 0; i < n; i++) {
		u64 a = table + 16ULL * i;
		u16 flags = d[i].flags & ~VRING_DESC_F_NEXT;

		if (i + 1 < n)
			flags |= VRING_DESC_F_NEXT;
		vblk_fake_wr64(vq->mem, a, d[i].addr);
		vblk_fake_wr32(vq->mem, a + 8, d[i].len);
		vblk_fake_wr16(vq->mem, a + 12, flags);
		vblk_fake_wr16(vq->mem, a + 14, i + 1 < n ? i + 1 : 0);
	}
	vblk_fake_vq_write_desc(vq, head, &ind);
	vblk_fake_vq_publish(vq, head);
	return head;
}

/**
 * vblk_fake_vq_set_avail_idx() - set avail->idx directly
 * @vq: the queue
 * @idx: the index the driver claims to have published up to
 *
 * Also moves the builder's cursor, so the next publish continues there.
 */
void vblk_fake_vq_set_avail_idx(struct vblk_fake_vq *vq, u16 idx)
{
	vq->avail_idx = idx;
	vblk_fake_wr16(vq->mem, vq_avail_idx(vq), idx);
}

/**
 * vblk_fake_vq_set_avail_flags() - set avail->flags
 * @vq: the queue
 * @flags: e.g. VRING_AVAIL_F_NO_INTERRUPT
 */
void vblk_fake_vq_set_avail_flags(struct vblk_fake_vq *vq, u16 flags)
{
	vblk_fake_wr16(vq->mem, vq->avail, flags);
}

/**
 * vblk_fake_vq_set_used_event() - set used_event (EVENT_IDX)
 * @vq: the queue
 * @v: interrupt when the used index passes this value
 */
void vblk_fake_vq_set_used_event(struct vblk_fake_vq *vq, u16 v)
{
	vblk_fake_wr16(vq->mem, vq_used_event(vq), v);
}

/**
 * vblk_fake_vq_used_idx() - read used->idx
 * @vq: the queue
 *
 * Return: the device's used index.
 */
u16 vblk_fake_vq_used_idx(struct vblk_fake_vq *vq)
{
	return vblk_fake_rd16(vq->mem, vq_used_idx(vq));
}

/**
 * vblk_fake_vq_used_flags() - read used->flags
 * @vq: the queue
 *
 * Return: the device's used flags.
 */
u16 vblk_fake_vq_used_flags(struct vblk_fake_vq *vq)
{
	return vblk_fake_rd16(vq->mem, vq->used);
}

/**
 * vblk_fake_vq_used_elem() - read one used ring element
 * @vq: the queue
 * @i: used index (taken modulo the queue size)
 * @id: returns the chain head
 * @len: returns the written length
 */
void vblk_fake_vq_used_elem(struct vblk_fake_vq *vq, u16 i, u32 *id,
			    u32 *len)
{
	u64 a = vq_used_elem(vq, i % vq->num);

	*id = vblk_fake_rd32(vq->mem, a);
	*len = vblk_fake_rd32(vq->mem, a + 4);
}

/**
 * vblk_fake_vq_avail_event() - read avail_event (EVENT_IDX)
 * @vq: the queue
 *
 * Return: the device's avail_event.
 */
u16 vblk_fake_vq_avail_event(struct vblk_fake_vq *vq)
{
	return vblk_fake_rd16(vq->mem, vq_avail_event(vq));
}

