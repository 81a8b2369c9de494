/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk guest memory: guest-physical addresses translated through the VMM's
 * region table and reached with user copies in the VMM's address space.
 */
#ifndef _VBLK_GUESTMEM_H
#define _VBLK_GUESTMEM_H

#include <linux/rcupdate.h>
#include <linux/types.h>

#include "vblk_mem.h"

struct mm_struct;
struct vblk_mem_table;

/* What the device may do with a region (the values of VHOST_MAP_RO/WO). */
#define VBLK_MEMSLOT_READ	0x1	/* the device reads it */
#define VBLK_MEMSLOT_WRITE	0x2	/* the device writes it */
#define VBLK_MEMSLOT_RW		(VBLK_MEMSLOT_READ | VBLK_MEMSLOT_WRITE)

/**
 * struct vblk_memslot - one validated region of the table
 * @gpa: first guest-physical address
 * @size: length in bytes, non-zero
 * @hva: user virtual address of @gpa in the owner's address space
 * @perm: %VBLK_MEMSLOT_READ and/or %VBLK_MEMSLOT_WRITE; an access the
 *	region does not allow is -EFAULT, as a hole is
 */
struct vblk_memslot {
	u64 gpa;
	u64 size;
	u64 hva;
	u32 perm;
};

/**
 * struct vblk_memtab - an immutable, validated region table
 * @rcu: deferred free after a replacement
 * @nslots: number of entries in @slots
 * @slots: regions sorted by @gpa, pairwise disjoint
 */
struct vblk_memtab {
	struct rcu_head rcu;
	unsigned int nslots;
	struct vblk_memslot slots[] __counted_by(nslots);
};

/**
 * struct vblk_guestmem - the guest memory of one attachment
 * @tab: current table (NULL until the VMM sets one); readers use RCU
 * @mm: the address space the table's user addresses belong to
 */
struct vblk_guestmem {
	struct vblk_memtab __rcu *tab;
	struct mm_struct *mm;
};

extern const struct vblk_mem_ops vblk_guestmem_ops;

void vblk_guestmem_init(struct vblk_guestmem *gm, struct mm_struct *mm);
void vblk_guestmem_destroy(struct vblk_guestmem *gm);
struct vblk_memtab *vblk_memtab_from_user(const struct vblk_mem_table __user *arg);
void vblk_guestmem_replace(struct vblk_guestmem *gm, struct vblk_memtab *tab);

#endif /* _VBLK_GUESTMEM_H */
