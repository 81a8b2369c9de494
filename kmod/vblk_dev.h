/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk devices: the registry of named devices, the single active binding
 * of each, and the API the netlink handlers use.
 *
 * Devices are global to the host (not per network namespace). The registry
 * holds one reference on every listed device; anyone else who keeps a
 * pointer past the registry lock takes a reference with vblk_dev_get().
 *
 * The registry mutex is never held while waiting for anything a VMM or a
 * backing controls; see the lock rules in vblk_vdev.c for the device's own
 * locks, which nest inside it.
 */
#ifndef _VBLK_DEV_H
#define _VBLK_DEV_H

#include <linux/kref.h>
#include <linux/ratelimit_types.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/vblk.h>	/* VBLK_NAME_MAX, enum vblk_event_type */

#include "vblk_vdev.h"

struct file;
struct vblk_device;

/**
 * struct vblk_binder - a kind of binding (a VMM attachment, vDPA)
 * @name: shown by dev-get ("vmm", "vdpa")
 * @busy: why a delete of a device with this binding is refused
 * @detach: end the binding of @d, from a forced delete (process context,
 *	may wait on the VMM; runs from a work item). NULL when a binding of
 *	this kind cannot be forced off: the delete is refused instead.
 */
struct vblk_binder {
	const char *name;
	const char *busy;
	void (*detach)(struct vblk_device *d);
};

/**
 * struct vblk_dev_node_ops - per-device interface nodes (/dev/vblk/NAME)
 * @add: create the node of a device being listed
 * @remove: unlist it when the device is deleted (no new open)
 * @release: free it with the device (after its last reference)
 */
struct vblk_dev_node_ops {
	int (*add)(struct vblk_device *d);
	void (*remove)(struct vblk_device *d);
	void (*release)(struct vblk_device *d);
};

/**
 * typedef vblk_dev_notify_fn - announce a device event (netlink monitor)
 * @d: the device
 * @type: what happened
 * @queue: the queue concerned, or -1
 *
 * Process context; may be called with the registry mutex held.
 */
typedef void (*vblk_dev_notify_fn)(struct vblk_device *d,
				   enum vblk_event_type type, int queue);

/**
 * struct vblk_device - one vblk device
 * @kref: lifetime; the registry holds one reference while listed
 * @id: unique id, not reused while the module is loaded
 * @name: unique name, [A-Za-z0-9_.-], NUL-terminated
 * @backing: the backing file; the device holds a reference on it until
 *	it is freed or deleted (NULL from then on, under the registry mutex)
 * @vdev: the virtio device
 * @node: the node binding's per-device data (owned by it)
 * @bind_lock: guards @binder and @gone
 * @binder: the active binding, NULL when none
 * @gone: deleted: no new binding
 * @detach_work: finishes a forced delete of a bound device
 * @event_rs: rate limit of the device's own events (throttle, broken)
 */
struct vblk_device {
	struct kref kref;
	u32 id;
	char name[VBLK_NAME_MAX];
	struct file *backing;
	struct vblk_vdev vdev;
	void *node;
	spinlock_t bind_lock;	/* @binder, @gone */
	const struct vblk_binder *binder;
	bool gone;
	struct work_struct detach_work;
	struct ratelimit_state event_rs;
};

/* Device events (throttle start/stop, broken queues) announced per second. */
#define VBLK_DEV_EVENTS_PER_SEC	20

/**
 * struct vblk_dev_info - a device as dev-get shows it
 * @id: id
 * @name: name
 * @path: backing path (in the caller's buffer), NULL if unavailable
 * @capacity: bytes
 * @read_only: read-only
 * @serial: NUL-terminated serial
 * @binding: name of the active binding, NULL when none
 * @status: device status
 * @features: negotiated features (0 before FEATURES_OK)
 * @device_features: offered features
 * @num_queues: number of queues
 * @writeback: the cache mode is writeback (else writethrough)
 * @group: name of the device's limit group, NULL when none
 * @limits: throttle limits
 * @stats: lifetime counters
 * @latency: lifetime latency histograms
 */
struct vblk_dev_info {
	u32 id;
	const char *name;
	const char *path;
	u64 capacity;
	bool read_only;
	char serial[VBLK_SERIAL_LEN + 1];
	const char *binding;
	u32 status;
	u64 features;
	u64 device_features;
	unsigned int num_queues;
	bool writeback;
	const char *group;
	struct vblk_throttle_cfg limits;
	const struct vblk_stats *stats;
	const struct vblk_latency *latency;
};

/**
 * vblk_dev_get() - take a reference on a device
 * @d: the device (referenced by the caller, or looked up under
 *	vblk_dev_lock())
 */
static inline void vblk_dev_get(struct vblk_device *d)
{
	kref_get(&d->kref);
}

void vblk_dev_put(struct vblk_device *d);

int vblk_dev_init(const struct vblk_dev_node_ops *nodes,
		  vblk_dev_notify_fn notify);
void vblk_dev_exit(void);

void vblk_dev_lock(void);
void vblk_dev_unlock(void);
struct vblk_device *vblk_dev_find_id(u32 id);
struct vblk_device *vblk_dev_find_name(const char *name);
struct vblk_device *vblk_dev_next(unsigned long *id);
u32 vblk_dev_generation(void);
int vblk_dev_name_check(const char *name, size_t len, const char **why);

struct vblk_device *vblk_dev_add(const char *name, struct file *backing,
				 const struct vblk_blk_config *cfg,
				 const struct vblk_throttle_cfg *limits);
int vblk_dev_delete(struct vblk_device *d, bool force, const char **why);
int vblk_dev_set_limits(struct vblk_device *d,
			const struct vblk_throttle_cfg *limits,
			const char **why);
void vblk_dev_set_serial(struct vblk_device *d,
			 const char serial[VBLK_SERIAL_LEN]);
void vblk_dev_set_capacity(struct vblk_device *d, u64 bytes);
struct file *vblk_dev_backing(struct vblk_device *d);
void vblk_dev_set_group(struct vblk_device *d, struct vblk_group *g);
struct vblk_group *vblk_dev_group(struct vblk_device *d);
void vblk_dev_info(struct vblk_device *d, struct vblk_dev_info *info,
		   char *pathbuf, int pathlen);
void vblk_dev_announce(struct vblk_device *d, enum vblk_event_type type);

int vblk_dev_claim(struct vblk_device *d, const struct vblk_binder *b);
void vblk_dev_unclaim(struct vblk_device *d, const struct vblk_binder *b);
const char *vblk_dev_binding(struct vblk_device *d);

#endif /* _VBLK_DEV_H */
