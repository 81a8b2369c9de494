// SPDX-License-Identifier: GPL-2.0
/*
 * vblk device registry: ids, unique names, lifetimes, the single active
 * binding of every device, and its events.
 *
 * Every listed device is in an allocating xarray indexed by id and holds
 * one reference for the registry. Additions and removals happen under one
 * mutex, which also guards name uniqueness and a generation counter that
 * netlink dumps use to flag themselves inconsistent (NLM_F_DUMP_INTR) when
 * the set of devices changed between two parts of a dump.
 *
 * Whether a device is bound is decided under its bind_lock, a spinlock
 * nobody holds while waiting for anything: a delete never waits on a VMM.
 * A delete of a bound device is refused, or (forced) marks the device
 * gone, unlists it at once and finishes the detach from a work item, which
 * announces the deletion when done.
 */
#include <linux/ctype.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <uapi/linux/virtio_config.h>
#include <kunit/visibility.h>

#include "vblk_dev.h"
#include "vblk_file.h"

static DEFINE_MUTEX(vblk_devs_lock);
static DEFINE_XARRAY_ALLOC1(vblk_devs);
static u32 vblk_devs_next_id;
/* Starts at 1: a zero sequence disables the dump consistency check. */
static u32 vblk_devs_gen = 1;
static bool vblk_devs_closing;
static const struct vblk_dev_node_ops *vblk_nodes;
static vblk_dev_notify_fn vblk_notify;
/* Forced detaches of deleted devices. */
static struct workqueue_struct *vblk_detach_wq;

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
EXPORT_SYMBOL_NS_GPL(vblk_dev_lock, VBLK);

/**
 * vblk_dev_unlock() - release the registry mutex
 */
void vblk_dev_unlock(void)
{
	mutex_unlock(&vblk_devs_lock);
}
EXPORT_SYMBOL_NS_GPL(vblk_dev_unlock, VBLK);

static void vblk_dev_release(struct kref *kref)
{
	struct vblk_device *d = container_of(kref, struct vblk_device, kref);

	if (d->node)
		vblk_nodes->release(d);
	vblk_vdev_destroy(&d->vdev);
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
EXPORT_SYMBOL_NS_GPL(vblk_dev_put, VBLK);

/**
 * vblk_dev_announce() - report a device event to the monitor group
 * @d: the device
 * @type: what happened
 *
 * Process context.
 */
void vblk_dev_announce(struct vblk_device *d, enum vblk_event_type type)
{
	if (vblk_notify)
		vblk_notify(d, type, -1);
}

/*
 * The device's own events (throttle, broken queues), at most
 * %VBLK_DEV_EVENTS_PER_SEC a second per device: a guest must not flood
 * the monitor group. Lifecycle events are never limited.
 */
static void vblk_dev_vdev_event(void *ctx, unsigned int q, enum vblk_event ev)
{
	struct vblk_device *d = ctx;

	static const enum vblk_event_type types[VBLK_EV_NR] = {
		[VBLK_EV_THROTTLE_START] = VBLK_EVENT_TYPE_THROTTLE_START,
		[VBLK_EV_THROTTLE_STOP] = VBLK_EVENT_TYPE_THROTTLE_STOP,
		[VBLK_EV_QUEUE_BROKEN] = VBLK_EVENT_TYPE_QUEUE_BROKEN,
	};

	if ((unsigned int)ev >= VBLK_EV_NR || !vblk_notify)
		return;
	if (__ratelimit(&d->event_rs))
		vblk_notify(d, types[ev], q);
}

/**
 * vblk_dev_name_check() - check a device name
 * @name: the candidate, not necessarily NUL-terminated
 * @len: bytes available at @name
 * @why: set to a reason (naming the attribute) on refusal
 *
 * A name is 1 to VBLK_NAME_LEN characters from [A-Za-z0-9_.-], other
 * than "." and ".." (it is also a /dev/vblk/ node name). The length
 * limit is the netlink policy's (the spec's max-len): a longer name
 * cannot reach here.
 *
 * Return: 0 or -EINVAL.
 */
int vblk_dev_name_check(const char *name, size_t len, const char **why)
{
	size_t i;

	static_assert(VBLK_NAME_MAX == 32 && VBLK_NAME_LEN == 31);
	len = strnlen(name, len);
	if (!len) {
		*why = "name: empty";
		return -EINVAL;
	}
	/* The netlink policy refuses longer ones; this keeps the copy safe. */
	if (len >= VBLK_NAME_MAX) {
		*why = "name: too long";
		return -EINVAL;
	}
	/* isalnum() also takes the Latin-1 letters (0xc0 to 0xff) */
	for (i = 0; i < len; i++) {
		if (!(isascii(name[i]) && isalnum(name[i])) &&
		    !strchr("_.-", name[i]))
			break;
	}
	if (i < len || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.')) {
		*why = "name: only A-Z a-z 0-9 _ . - allowed, not . or ..";
		return -EINVAL;
	}
	return 0;
}

/* Finish the deletion of an unlisted device: the registry's reference. */
static void vblk_dev_finish_delete(struct vblk_device *d)
{
	struct file *backing;

	mutex_lock(&vblk_devs_lock);
	vblk_dev_announce(d, VBLK_EVENT_TYPE_DEL);
	/* No I/O can follow the detach; no dev-get sees the device. */
	backing = d->backing;
	d->backing = NULL;
	mutex_unlock(&vblk_devs_lock);
	if (backing)
		fput(backing);
	vblk_dev_put(d);
}

static void vblk_dev_detach_work(struct work_struct *work)
{
	struct vblk_device *d = container_of(work, struct vblk_device,
					     detach_work);
	const struct vblk_binder *b;

	spin_lock(&d->bind_lock);
	b = d->binder;
	spin_unlock(&d->bind_lock);
	if (b)
		b->detach(d);
	vblk_dev_finish_delete(d);
}

/**
 * vblk_dev_add() - create and list a device
 * @name: a valid name (see vblk_dev_name_valid())
 * @backing: the backing file; on success the device owns the caller's
 *	reference, on failure the caller keeps it
 * @cfg: capacity (sectors), read-only flag, serial and queue count
 * @limits: initial throttle limits (validated), or NULL for none
 *
 * Creates the device's node and announces it.
 *
 * Return: the device with a reference for the caller, or an ERR_PTR():
 * -EEXIST for a name in use, -ESHUTDOWN while the module is going away,
 * -EINVAL, -ENOMEM, or an error from the node.
 */
struct vblk_device *vblk_dev_add(const char *name, struct file *backing,
				 const struct vblk_blk_config *cfg,
				 const struct vblk_throttle_cfg *limits)
{
	const char *why;
	struct vblk_device *d;
	int err;

	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return ERR_PTR(-ENOMEM);
	kref_init(&d->kref);
	strscpy(d->name, name, sizeof(d->name));
	spin_lock_init(&d->bind_lock);
	INIT_WORK(&d->detach_work, vblk_dev_detach_work);
	ratelimit_state_init(&d->event_rs, HZ, VBLK_DEV_EVENTS_PER_SEC);
	/* Suppressed events are not worth a kernel log line. */
	ratelimit_set_flags(&d->event_rs, RATELIMIT_MSG_ON_RELEASE);
	err = vblk_vdev_init(&d->vdev, cfg, &vblk_file_backing_ops, backing,
			     vblk_dev_vdev_event, d);
	if (err) {
		kfree(d);
		return ERR_PTR(err);
	}
	if (limits) {
		err = vblk_vdev_set_limits(&d->vdev, limits, &why);
		if (err)
			goto err_put;
	}

	mutex_lock(&vblk_devs_lock);
	if (vblk_devs_closing)
		err = -ESHUTDOWN;
	else if (vblk_dev_find_name(d->name))
		err = -EEXIST;
	else
		err = xa_alloc_cyclic(&vblk_devs, &d->id, d,
				      XA_LIMIT(1, INT_MAX), &vblk_devs_next_id,
				      GFP_KERNEL);
	if (err < 0)
		goto err_unlock;
	err = vblk_nodes->add(d);
	if (err) {
		xa_erase(&vblk_devs, d->id);
		goto err_unlock;
	}
	d->backing = backing;
	vblk_dev_get(d);	/* the registry's */
	vblk_devs_gen++;
	vblk_dev_announce(d, VBLK_EVENT_TYPE_ADD);
	mutex_unlock(&vblk_devs_lock);
	return d;

err_unlock:
	mutex_unlock(&vblk_devs_lock);
err_put:
	vblk_dev_put(d);	/* d->backing is still NULL: the caller's */
	return ERR_PTR(err);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_dev_add);

/**
 * vblk_dev_set_group() - move a device into a limit group or out of one
 * @d: the device (the device registry's mutex held)
 * @g: the group (the group registry's mutex held), NULL for none
 */
void vblk_dev_set_group(struct vblk_device *d, struct vblk_group *g)
{
	lockdep_assert_held(&vblk_devs_lock);
	if (vblk_dev_group(d) == g)
		return;
	vblk_vdev_set_group(&d->vdev, g);
	vblk_group_members_changed();
}

/**
 * vblk_dev_group() - the limit group of a device
 * @d: the device (the device registry's mutex held, which keeps the
 *	group alive while the device is in it)
 *
 * Return: the group, or NULL.
 */
struct vblk_group *vblk_dev_group(struct vblk_device *d)
{
	return vblk_vdev_group(&d->vdev);
}

/* A deleted device leaves its group (device registry mutex held). */
static void vblk_dev_leave_group(struct vblk_device *d)
{
	if (!vblk_dev_group(d))
		return;
	vblk_group_lock();
	vblk_dev_set_group(d, NULL);
	vblk_group_unlock();
}

/**
 * vblk_dev_delete() - delete a listed device
 * @d: a device looked up under the registry mutex (held by the caller)
 * @force: end an active binding instead of refusing
 * @why: set to a reason on failure
 *
 * Never waits on a VMM or the backing. An unbound device is unlisted,
 * announced and released at once. A bound device is refused unless
 * @force is given and its binding can be forced off; then it is marked
 * gone (no new binding), unlisted, and the binding is ended from a work
 * item that announces the deletion and releases the backing when done.
 *
 * Return: 0, or -EBUSY when bound (and not forced, or not forceable).
 */
int vblk_dev_delete(struct vblk_device *d, bool force, const char **why)
{
	const struct vblk_binder *b;

	lockdep_assert_held(&vblk_devs_lock);
	spin_lock(&d->bind_lock);
	b = d->binder;
	if (b && (!force || !b->detach)) {
		spin_unlock(&d->bind_lock);
		*why = b->busy;
		return -EBUSY;
	}
	d->gone = true;
	spin_unlock(&d->bind_lock);

	vblk_dev_leave_group(d);
	xa_erase(&vblk_devs, d->id);
	vblk_devs_gen++;
	vblk_nodes->remove(d);
	if (b) {
		/* The work item inherits the registry's reference. */
		queue_work(vblk_detach_wq, &d->detach_work);
		return 0;
	}
	vblk_dev_announce(d, VBLK_EVENT_TYPE_DEL);
	if (d->backing) {
		fput(d->backing);
		d->backing = NULL;
	}
	vblk_dev_put(d);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_dev_delete);

/**
 * vblk_dev_claim() - make @b the device's binding
 * @d: the device
 * @b: the binding kind
 *
 * Announces the attachment; a refusal for another binding is logged
 * (rate-limited) with both names. Process context.
 *
 * Return: 0, -EBUSY if the device has a binding, -ENODEV if it is deleted.
 */
int vblk_dev_claim(struct vblk_device *d, const struct vblk_binder *b)
{
	const char *holder = NULL;
	int ret = 0;

	spin_lock(&d->bind_lock);
	if (d->gone) {
		ret = -ENODEV;
	} else if (d->binder) {
		ret = -EBUSY;
		holder = d->binder->name;
	} else {
		d->binder = b;
	}
	spin_unlock(&d->bind_lock);
	if (!ret)
		vblk_dev_announce(d, VBLK_EVENT_TYPE_ATTACH);
	else if (holder)
		/* open() and the vDPA bus have no channel for a reason. */
		pr_info_ratelimited("vblk: %s: %s binding refused, the device has a %s binding\n",
				    d->name, b->name, holder);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(vblk_dev_claim, VBLK);

/**
 * vblk_dev_unclaim() - end the binding made by vblk_dev_claim()
 * @d: the device
 * @b: the binding kind that claimed it
 *
 * The binding has stopped using the device (vblk_vdev_unbind()).
 * Announces the detachment. Process context.
 */
void vblk_dev_unclaim(struct vblk_device *d, const struct vblk_binder *b)
{
	bool was;

	spin_lock(&d->bind_lock);
	was = d->binder == b;
	if (was)
		d->binder = NULL;
	spin_unlock(&d->bind_lock);
	if (was)
		vblk_dev_announce(d, VBLK_EVENT_TYPE_DETACH);
}
EXPORT_SYMBOL_NS_GPL(vblk_dev_unclaim, VBLK);

/**
 * vblk_dev_binding() - which binding has the device
 * @d: the device
 *
 * Return: the binding's name, or NULL when unbound (a snapshot).
 */
const char *vblk_dev_binding(struct vblk_device *d)
{
	const char *name;

	spin_lock(&d->bind_lock);
	name = d->binder ? d->binder->name : NULL;
	spin_unlock(&d->bind_lock);
	return name;
}

/**
 * vblk_dev_set_limits() - replace the throttle limits of a device
 * @d: the device
 * @limits: the limits
 * @why: set to a reason on failure
 *
 * Return: 0 or -EINVAL.
 */
int vblk_dev_set_limits(struct vblk_device *d,
			const struct vblk_throttle_cfg *limits,
			const char **why)
{
	return vblk_vdev_set_limits(&d->vdev, limits, why);
}

/**
 * vblk_dev_set_serial() - replace the serial of a device
 * @d: the device
 * @serial: NUL-padded serial
 *
 * Called with the registry mutex held (it serialises writers).
 */
void vblk_dev_set_serial(struct vblk_device *d,
			 const char serial[VBLK_SERIAL_LEN])
{
	lockdep_assert_held(&vblk_devs_lock);
	vblk_vdev_set_serial(&d->vdev, serial);
}

/**
 * vblk_dev_set_capacity() - resize a device
 * @d: the device (registry mutex held)
 * @bytes: the new capacity, a non-zero multiple of 512 that the backing
 *	can serve (checked by the caller)
 *
 * An online resize: the driver gets a configuration change interrupt and
 * requests are checked against the new capacity from the next one on.
 * Nothing changes when the capacity stays the same. Never waits on a VMM.
 */
void vblk_dev_set_capacity(struct vblk_device *d, u64 bytes)
{
	u64 sectors = bytes >> VBLK_SECTOR_SHIFT;

	lockdep_assert_held(&vblk_devs_lock);
	if (sectors != vblk_vdev_capacity(&d->vdev))
		vblk_vdev_set_capacity(&d->vdev, sectors);
}

/**
 * vblk_dev_backing() - the backing file of a listed device
 * @d: the device (registry mutex held)
 *
 * Return: the file, valid while the registry mutex is held.
 */
struct file *vblk_dev_backing(struct vblk_device *d)
{
	lockdep_assert_held(&vblk_devs_lock);
	return d->backing;
}

/**
 * vblk_dev_info() - a device as dev-get shows it
 * @d: a listed device (registry mutex held)
 * @info: filled in
 * @pathbuf: scratch for the backing path; NULL leaves the path out
 * @pathlen: its size
 *
 * Takes no device lock: the device state is a snapshot.
 */
void vblk_dev_info(struct vblk_device *d, struct vblk_dev_info *info,
		   char *pathbuf, int pathlen)
{
	struct vblk_vdev *vd = &d->vdev;
	char *path;

	lockdep_assert_held(&vblk_devs_lock);
	memset(info, 0, sizeof(*info));
	info->id = d->id;
	info->name = d->name;
	path = d->backing && pathbuf ?
	       d_path(&d->backing->f_path, pathbuf, pathlen) : ERR_PTR(-ENOENT);
	info->path = IS_ERR(path) ? NULL : path;
	info->capacity = vblk_vdev_capacity(vd) << VBLK_SECTOR_SHIFT;
	info->read_only = vblk_vdev_read_only(vd);
	vblk_vdev_get_serial(vd, info->serial);
	info->binding = vblk_dev_binding(d);
	info->status = vblk_vdev_get_status(vd);
	/* Features read as 0 until FEATURES_OK. */
	if (info->status & VIRTIO_CONFIG_S_FEATURES_OK)
		info->features = vblk_vdev_get_features(vd);
	info->device_features = vblk_vdev_get_device_features(vd);
	info->num_queues = vblk_vdev_num_queues(vd);
	info->writeback = vblk_vdev_cache_writeback(vd);
	info->group = vblk_dev_group(d) ? vblk_dev_group(d)->name : NULL;
	vblk_vdev_get_limits(vd, &info->limits);
	info->stats = vblk_vdev_stats(vd);
	info->latency = &vd->blk.lat;
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
EXPORT_SYMBOL_NS_GPL(vblk_dev_find_name, VBLK);

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
 * vblk_dev_init() - set up the registry
 * @nodes: how device nodes are made
 * @notify: where device events go
 *
 * Return: 0 or -ENOMEM.
 */
int vblk_dev_init(const struct vblk_dev_node_ops *nodes,
		  vblk_dev_notify_fn notify)
{
	vblk_detach_wq = alloc_workqueue("vblk_detach", WQ_UNBOUND, 0);
	if (!vblk_detach_wq)
		return -ENOMEM;
	vblk_nodes = nodes;
	vblk_notify = notify;
	return 0;
}

/**
 * vblk_dev_exit() - delete every device, for module unload
 *
 * Refuses further additions, deletes every device (none can be bound: an
 * open node or a vDPA device pins the module) and waits for deletions
 * still finishing.
 */
void vblk_dev_exit(void)
{
	struct vblk_device *d;
	unsigned long id;
	const char *why;

	mutex_lock(&vblk_devs_lock);
	vblk_devs_closing = true;
	xa_for_each(&vblk_devs, id, d)
		vblk_dev_delete(d, true, &why);
	mutex_unlock(&vblk_devs_lock);
	destroy_workqueue(vblk_detach_wq);
	xa_destroy(&vblk_devs);
}
