// SPDX-License-Identifier: GPL-2.0
/*
 * vblk guest memory over the VMM's address space.
 *
 * The VMM describes guest RAM as regions (guest-physical address, size,
 * user virtual address).  A guest-physical range is translated region by
 * region into user addresses of the VMM, and those are reached only with
 * the checked user-copy primitives (or a user iov_iter), from a task whose
 * mm is the VMM's.  A guest address outside every region is -EFAULT; a
 * user address the VMM unmapped is -EFAULT as well.  Nothing here can make
 * the kernel touch memory that is not the VMM's own.
 *
 * The table is immutable once published; a replacement is swapped in with
 * RCU and the old table is freed after a grace period.  Lookups happen
 * under rcu_read_lock(); the copies themselves (which may fault and sleep)
 * happen outside it, on user addresses that stay harmless if the VMM
 * changes its mappings meanwhile.
 */
#include <linux/err.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <uapi/linux/vblk_vmm.h>
#include <kunit/visibility.h>

#include "vblk_guestmem.h"

static const struct vblk_memslot *vblk_memtab_find(const struct vblk_memtab *t,
						   u64 gpa)
{
	unsigned int lo = 0, hi = t->nslots;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct vblk_memslot *s = &t->slots[mid];

		if (gpa < s->gpa)
			hi = mid;
		else if (gpa - s->gpa >= s->size)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

/*
 * Translate the longest prefix of [@gpa, @gpa + @len) that lies in one
 * region allowing @perm.  Returns the prefix length (0 if @gpa is in no
 * region, or in one that does not allow @perm) and its user address in
 * @uaddr.  Caller holds rcu_read_lock().
 */
static size_t vblk_memtab_xlate(const struct vblk_memtab *t, u64 gpa,
				size_t len, u32 perm, u64 *uaddr)
{
	const struct vblk_memslot *s;
	u64 off;

	if (!t)
		return 0;
	s = vblk_memtab_find(t, gpa);
	if (!s || (s->perm & perm) != perm)
		return 0;
	off = gpa - s->gpa;
	*uaddr = s->hva + off;
	return min_t(u64, len, s->size - off);
}

static bool vblk_guestmem_owner(const struct vblk_guestmem *gm)
{
	/* The user addresses mean something only in the VMM's own mm. */
	return gm->mm && current->mm == gm->mm;
}

static size_t vblk_guestmem_xlate(struct vblk_guestmem *gm, u64 gpa,
				  size_t len, u32 perm, u64 *uaddr)
{
	size_t n;

	rcu_read_lock();
	n = vblk_memtab_xlate(rcu_dereference(gm->tab), gpa, len, perm,
			      uaddr);
	rcu_read_unlock();
	return n;
}

/*
 * Ring indices and flags are 2-byte fields the guest updates concurrently:
 * access them with one aligned load or store, never a byte-wise copy that
 * could tear (a torn avail index can look like a jump past the queue size).
 */
static bool vblk_guestmem_atomic(u64 uaddr, void *buf, size_t len,
				 bool write, int *err)
{
	void __user *p = u64_to_user_ptr(uaddr);
	u16 v16;
	u32 v32;

	if (!IS_ALIGNED(uaddr, len))
		return false;
	if (len == sizeof(u16)) {
		if (write) {
			memcpy(&v16, buf, sizeof(v16));
			*err = put_user(v16, (u16 __user *)p);
		} else {
			*err = get_user(v16, (u16 __user *)p);
			memcpy(buf, &v16, sizeof(v16));
		}
		return true;
	}
	if (len == sizeof(u32)) {
		if (write) {
			memcpy(&v32, buf, sizeof(v32));
			*err = put_user(v32, (u32 __user *)p);
		} else {
			*err = get_user(v32, (u32 __user *)p);
			memcpy(buf, &v32, sizeof(v32));
		}
		return true;
	}
	return false;
}

/* Copy between @buf and guest memory, region by region. */
static int vblk_guestmem_copy(struct vblk_guestmem *gm, u64 gpa, void *buf,
			      size_t len, bool write)
{
	u64 uaddr;
	size_t n;
	int err;

	if (!vblk_guestmem_owner(gm))
		return -EFAULT;
	/* Every step consumes one whole region prefix: at most nslots + 1. */
	while (len) {
		n = vblk_guestmem_xlate(gm, gpa, len, write ?
					VBLK_MEMSLOT_WRITE : VBLK_MEMSLOT_READ,
					&uaddr);
		if (!n)
			return -EFAULT;
		if (n == len &&
		    vblk_guestmem_atomic(uaddr, buf, n, write, &err))
			return err ? -EFAULT : 0;
		if (write ? copy_to_user(u64_to_user_ptr(uaddr), buf, n) :
			    copy_from_user(buf, u64_to_user_ptr(uaddr), n))
			return -EFAULT;
		buf += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

static int vblk_guestmem_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	return vblk_guestmem_copy(ctx, gpa, buf, len, false);
}

static int vblk_guestmem_write(void *ctx, u64 gpa, const void *buf,
			       size_t len)
{
	/* Only read from when @write: the cast drops no promise. */
	return vblk_guestmem_copy(ctx, gpa, (void *)buf, len, true);
}

static int vblk_guestmem_iter(void *ctx, const struct vblk_seg *segs,
			      unsigned int nsegs, unsigned int dir,
			      union vblk_iovec_buf *buf, struct iov_iter *iter)
{
	struct vblk_guestmem *gm = ctx;
	/* The device writes what the guest reads (ITER_DEST). */
	u32 perm = dir == ITER_DEST ? VBLK_MEMSLOT_WRITE : VBLK_MEMSLOT_READ;
	const struct vblk_memtab *t;
	struct iovec *iov = buf->iov;
	unsigned int nr = 0, i;
	size_t total = 0;
	int ret = 0;

	if (!vblk_guestmem_owner(gm))
		return -EFAULT;

	rcu_read_lock();
	t = rcu_dereference(gm->tab);
	for (i = 0; i < nsegs; i++) {
		u64 gpa = segs[i].gpa;
		size_t len = segs[i].len;

		while (len) {
			u64 uaddr;
			size_t n = vblk_memtab_xlate(t, gpa, len, perm,
						     &uaddr);

			if (!n) {
				ret = -EFAULT;
				goto out;
			}
			if (nr && (u64)(uintptr_t)iov[nr - 1].iov_base +
				  iov[nr - 1].iov_len == uaddr) {
				/* Contiguous in the VMM: extend the last vector. */
				iov[nr - 1].iov_len += n;
			} else {
				if (nr == VBLK_MEM_MAX_IOVECS) {
					ret = -E2BIG;
					goto out;
				}
				iov[nr].iov_base = u64_to_user_ptr(uaddr);
				iov[nr].iov_len = n;
				nr++;
			}
			total += n;
			gpa += n;
			len -= n;
		}
	}
out:
	rcu_read_unlock();
	if (ret)
		return ret;
	iov_iter_init(iter, dir, iov, nr, total);
	return 0;
}

/*
 * vblk_guestmem_ops - struct vblk_mem_ops over a struct vblk_guestmem
 *
 * The context is a struct vblk_guestmem.  Callers must run in the owner's
 * mm (the worker, or the VMM itself); anywhere else every access fails with
 * -EFAULT.
 */
const struct vblk_mem_ops vblk_guestmem_ops = {
	.read = vblk_guestmem_read,
	.write = vblk_guestmem_write,
	.iter = vblk_guestmem_iter,
};
EXPORT_SYMBOL_NS_GPL(vblk_guestmem_ops, VBLK);

/**
 * vblk_guestmem_init - start with an empty table
 * @gm: guest memory to initialise
 * @mm: the owner's address space (the caller keeps it grabbed)
 */
void vblk_guestmem_init(struct vblk_guestmem *gm, struct mm_struct *mm)
{
	RCU_INIT_POINTER(gm->tab, NULL);
	gm->mm = mm;
}
EXPORT_SYMBOL_NS_GPL(vblk_guestmem_init, VBLK);

/**
 * vblk_guestmem_replace - publish a new table
 * @gm: guest memory
 * @tab: the new table (from vblk_memtab_from_user()), or NULL for none
 *
 * Readers that still use the old table finish with it before it is freed.
 */
void vblk_guestmem_replace(struct vblk_guestmem *gm, struct vblk_memtab *tab)
{
	struct vblk_memtab *old;

	old = unrcu_pointer(xchg(&gm->tab, RCU_INITIALIZER(tab)));
	if (old)
		kfree_rcu(old, rcu);
}
EXPORT_SYMBOL_NS_GPL(vblk_guestmem_replace, VBLK);

/**
 * vblk_guestmem_destroy - drop the table
 * @gm: guest memory
 */
void vblk_guestmem_destroy(struct vblk_guestmem *gm)
{
	vblk_guestmem_replace(gm, NULL);
	gm->mm = NULL;
}
EXPORT_SYMBOL_NS_GPL(vblk_guestmem_destroy, VBLK);

static int vblk_memslot_cmp(const void *a, const void *b)
{
	const struct vblk_memslot *x = a, *y = b;

	if (x->gpa < y->gpa)
		return -1;
	return x->gpa > y->gpa;
}

static int vblk_memslot_check(const struct vblk_mem_region *r)
{
	u64 end;

	if (!r->size)
		return -EINVAL;
	if (check_add_overflow(r->guest_phys_addr, r->size, &end))
		return -EINVAL;
	if (check_add_overflow(r->userspace_addr, r->size, &end))
		return -EINVAL;
	if (r->userspace_addr != (unsigned long)r->userspace_addr ||
	    r->size != (unsigned long)r->size)
		return -EFAULT;
	if (!access_ok(u64_to_user_ptr(r->userspace_addr), r->size))
		return -EFAULT;
	return 0;
}

/**
 * vblk_memtab_from_user - copy and validate a VBLK_SET_MEM_TABLE argument
 * @arg: the user's struct vblk_mem_table
 *
 * Return: a new table (sorted by guest-physical address) or an ERR_PTR():
 * -EFAULT for an unreadable argument or a user address outside the user
 * address range, -E2BIG for more than %VBLK_MAX_MEM_REGIONS regions,
 * -EINVAL for no regions, non-zero flags, a zero size, a range that wraps
 * or regions that overlap in guest-physical space, -ENOMEM.
 */
struct vblk_memtab *vblk_memtab_from_user(const struct vblk_mem_table __user *arg)
{
	struct vblk_mem_table hdr;
	struct vblk_memtab *t;
	unsigned int i;
	int ret;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return ERR_PTR(-EFAULT);
	if (hdr.flags || !hdr.nregions)
		return ERR_PTR(-EINVAL);
	if (hdr.nregions > VBLK_MAX_MEM_REGIONS)
		return ERR_PTR(-E2BIG);

	t = kzalloc(struct_size(t, slots, hdr.nregions), GFP_KERNEL_ACCOUNT);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->nslots = hdr.nregions;

	for (i = 0; i < t->nslots; i++) {
		struct vblk_mem_region r;

		if (copy_from_user(&r, &arg->regions[i], sizeof(r))) {
			ret = -EFAULT;
			goto err;
		}
		ret = vblk_memslot_check(&r);
		if (ret)
			goto err;
		t->slots[i].gpa = r.guest_phys_addr;
		t->slots[i].size = r.size;
		t->slots[i].hva = r.userspace_addr;
		t->slots[i].perm = VBLK_MEMSLOT_RW;
	}

	sort(t->slots, t->nslots, sizeof(t->slots[0]), vblk_memslot_cmp, NULL);
	for (i = 1; i < t->nslots; i++) {
		const struct vblk_memslot *p = &t->slots[i - 1];

		/* No overflow: vblk_memslot_check() bounded p->gpa + p->size. */
		if (t->slots[i].gpa < p->gpa + p->size) {
			ret = -EINVAL;
			goto err;
		}
	}
	return t;
err:
	kfree(t);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_memtab_from_user);
