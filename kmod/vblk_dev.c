// SPDX-License-Identifier: GPL-2.0
/*
 * vblk device registry: ids, unique names, lifetimes.
 *
 * Every listed device is in an allocating xarray indexed by id and holds
 * one reference for the registry. Additions and removals happen under one
 * mutex, which also guards name uniqueness and a generation counter that
 * netlink dumps use to flag themselves inconsistent (NLM_F_DUMP_INTR) when
 * the set of devices changed between two parts of a dump.
 *
 * The registry mutex is never held while waiting for anything a VMM
 * controls (a worker's pass, a forwarded MMIO access): a deletion marks the
 * device, drops the mutex to detach the VMM and takes it again to unlist.
 */
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>

#include "vblk_attach.h"
#include "vblk_dev.h"
#include "vblk_file.h"
#include "vblk_nl.h"

static DEFINE_MUTEX(vblk_devs_lock);
static DEFINE_XARRAY_ALLOC1(vblk_devs);
static u32 vblk_devs_next_id;
/* Starts at 1: a zero sequence disables the dump consistency check. */
static u32 vblk_devs_gen = 1;
static bool vblk_devs_closing;
/* Deletions between vblk_dev_delete()'s two critical sections. */
static unsigned int vblk_devs_deleting;

/**
 * vblk_dev_lock() - take the registry mutex
 *
 * Held across lookups and while a looked-up device is used without a
 * reference of one's own.
 */
void vblk_dev_lock(void)
{
	mutex_lock(&vblk_devs_lock);
}

/**
 * vblk_dev_unlock() - release the registry mutex
 */
void vblk_dev_unlock(void)
{
	mutex_unlock(&vblk_devs_lock);
}

static void vblk_dev_release(struct kref *kref)
{
	struct vblk_device *d = container_of(kref, struct vblk_device, kref);

	vblk_vdev_destroy(&d->vdev);
	/* vblk_dev_delete() may have released it already. */
	if (d->backing)
		fput(d->backing);
	kfree(d);
}

/**
 * vblk_dev_put() - drop a reference on a device, freeing it with the last
 * @d: the device
 *
 * Process context: the last reference releases the backing file.
 */
void vblk_dev_put(struct vblk_device *d)
{
	kref_put(&d->kref, vblk_dev_release);
}

/**
 * vblk_dev_name_valid() - check a device name
 * @name: NUL-terminated candidate
 *
 * Return: true for 1 to VBLK_NAME_MAX - 1 characters from [A-Za-z0-9_.-],
 * other than "." and ".." (the name is also a /dev/vblk/ node name).
 */
bool vblk_dev_name_valid(const char *name)
{
	size_t len = strnlen(name, VBLK_NAME_MAX);
	size_t i;

	if (!len || len >= VBLK_NAME_MAX)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	}
	return true;
}

/**
 * vblk_dev_create() - allocate and initialise an unlisted device
 * @name: a valid name (see vblk_dev_name_valid())
 * @backing: the backing file; on success the device owns the caller's
 *	reference, on failure the caller keeps it
 * @cfg: capacity (sectors), read-only flag and serial of the device model
 *
 * Return: the device with one reference, or an ERR_PTR().
 */
struct vblk_device *vblk_dev_create(const char *name, struct file *backing,
				    const struct vblk_vdev_config *cfg)
{
	struct vblk_device *d;

	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return ERR_PTR(-ENOMEM);
	kref_init(&d->kref);
	strscpy(d->name, name, sizeof(d->name));
	d->backing = backing;
	d->capacity = cfg->capacity << VBLK_SECTOR_SHIFT;
	vblk_vdev_init(&d->vdev, cfg, &vblk_file_backing_ops, backing,
		       &vblk_attach_host_ops, d);
	return d;
}

/**
 * vblk_dev_register() - list a device: give it an id and its VMM interface
 * @d: a device from vblk_dev_create()
 *
 * Called with the registry mutex held. On success the registry takes its
 * own reference on @d.
 *
 * Return: 0, -EEXIST for a name in use, -ESHUTDOWN while the module is
 * going away, or another negative errno.
 */
int vblk_dev_register(struct vblk_device *d)
{
	int err;

	lockdep_assert_held(&vblk_devs_lock);
	if (vblk_devs_closing)
		return -ESHUTDOWN;
	if (vblk_dev_find_name(d->name))
		return -EEXIST;
	err = xa_alloc_cyclic(&vblk_devs, &d->id, d, XA_LIMIT(1, INT_MAX),
			      &vblk_devs_next_id, GFP_KERNEL);
	if (err < 0)
		return err;
	err = vblk_attach_add(d);
	if (err) {
		xa_erase(&vblk_devs, d->id);
		return err;
	}
	vblk_dev_get(d);
	vblk_devs_gen++;
	return 0;
}

/**
 * vblk_dev_unregister() - unlist a device and detach its VMM
 * @d: a listed device
 *
 * Called with the registry mutex held. The registry's reference moves to
 * the caller, who drops it with vblk_dev_put() once done. Only for devices
 * no VMM can be attached to (one just registered, or every device at
 * module unload, when no node is open); vblk_dev_delete() is the general
 * deletion.
 */
void vblk_dev_unregister(struct vblk_device *d)
{
	lockdep_assert_held(&vblk_devs_lock);
	/* Forced: cannot fail. */
	vblk_attach_del(d, true);
	xa_erase(&vblk_devs, d->id);
	vblk_devs_gen++;
}

/**
 * vblk_dev_delete() - delete a listed device, detaching its VMM if allowed
 * @d: a device looked up under the registry mutex
 * @force: detach an attached VMM instead of refusing
 *
 * Called with the registry mutex held; returns with it released. The
 * mutex is dropped while the VMM is detached (which waits for the worker's
 * pass), so other registry users never wait for a VMM. Meanwhile @d stays
 * listed and a second delete of it fails. On success @d is unlisted, the
 * deletion announced, the backing file released (no I/O can follow the
 * detach) and the registry's reference dropped; a VMM that still holds
 * its file open keeps the rest of @d until it closes it.
 *
 * Return: 0, -EBUSY when a VMM is attached and @force is false, or
 * -ENOENT when another delete of @d is under way.
 */
int vblk_dev_delete(struct vblk_device *d, bool force)
{
	struct file *backing;
	int err;

	lockdep_assert_held(&vblk_devs_lock);
	if (d->deleting) {
		mutex_unlock(&vblk_devs_lock);
		return -ENOENT;
	}
	d->deleting = true;
	vblk_devs_deleting++;
	vblk_dev_get(d);
	mutex_unlock(&vblk_devs_lock);

	err = vblk_attach_del(d, force);

	mutex_lock(&vblk_devs_lock);
	d->deleting = false;
	vblk_devs_deleting--;
	backing = NULL;
	if (!err) {
		xa_erase(&vblk_devs, d->id);
		vblk_devs_gen++;
		vblk_nl_notify_event(d, VBLK_EVENT_TYPE_DEL, -1);
		/* Unlisted: no dev-get prints its path any more. */
		backing = d->backing;
		d->backing = NULL;
	}
	mutex_unlock(&vblk_devs_lock);
	wake_up_var(&vblk_devs_deleting);

	if (backing)
		fput(backing);
	if (!err)
		vblk_dev_put(d);	/* the registry's */
	vblk_dev_put(d);
	return err;
}

/**
 * vblk_dev_find_id() - look a device up by id
 * @id: the id
 *
 * Called with the registry mutex held.
 *
 * Return: the device (no reference taken) or NULL.
 */
struct vblk_device *vblk_dev_find_id(u32 id)
{
	lockdep_assert_held(&vblk_devs_lock);
	return xa_load(&vblk_devs, id);
}

/**
 * vblk_dev_find_name() - look a device up by name
 * @name: the name
 *
 * Called with the registry mutex held.
 *
 * Return: the device (no reference taken) or NULL.
 */
struct vblk_device *vblk_dev_find_name(const char *name)
{
	struct vblk_device *d;
	unsigned long id;

	lockdep_assert_held(&vblk_devs_lock);
	xa_for_each(&vblk_devs, id, d) {
		if (!strncmp(d->name, name, VBLK_NAME_MAX))
			return d;
	}
	return NULL;
}

/**
 * vblk_dev_next() - iterate over listed devices in id order
 * @id: in: the lowest id wanted; out: the id of the device returned
 *
 * Called with the registry mutex held.
 *
 * Return: the first device with an id >= *@id, or NULL.
 */
struct vblk_device *vblk_dev_next(unsigned long *id)
{
	lockdep_assert_held(&vblk_devs_lock);
	return xa_find(&vblk_devs, id, ULONG_MAX, XA_PRESENT);
}

/**
 * vblk_dev_generation() - the registry's change counter
 *
 * Called with the registry mutex held. Never 0.
 *
 * Return: a value that changes whenever a device is added or removed.
 */
u32 vblk_dev_generation(void)
{
	lockdep_assert_held(&vblk_devs_lock);
	return vblk_devs_gen;
}

/**
 * vblk_dev_remove_all() - delete every device, for module unload
 *
 * Refuses further registrations, then unlists, detaches and releases
 * every device, announcing each deletion to the monitor group.
 */
void vblk_dev_remove_all(void)
{
	struct vblk_device *d;
	unsigned long id;

	mutex_lock(&vblk_devs_lock);
	vblk_devs_closing = true;
	for (;;) {
		xa_for_each(&vblk_devs, id, d) {
			/* Its deleter finishes (or gives it back) below. */
			if (d->deleting)
				continue;
			vblk_dev_unregister(d);
			vblk_nl_notify_event(d, VBLK_EVENT_TYPE_DEL, -1);
			vblk_dev_put(d);
		}
		if (!vblk_devs_deleting)
			break;
		mutex_unlock(&vblk_devs_lock);
		wait_var_event(&vblk_devs_deleting,
			       !READ_ONCE(vblk_devs_deleting));
		mutex_lock(&vblk_devs_lock);
	}
	mutex_unlock(&vblk_devs_lock);
	WARN_ON(!xa_empty(&vblk_devs));
	xa_destroy(&vblk_devs);
}
