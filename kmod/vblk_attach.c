// SPDX-License-Identifier: GPL-2.0
/*
 * vblk VMM attachment: /dev/vblk/NAME, the guest memory table, the kick and
 * call eventfds and the worker.
 *
 * Objects and lifetimes:
 *
 *   struct vblk_attach   one per device, created by vblk_attach_add() and
 *                        unlinked by vblk_attach_del().  It embeds the
 *                        struct device and the cdev; an open file pins the
 *                        cdev, the cdev pins the device, and the device's
 *                        release frees the structure (after an RCU grace
 *                        period, for the atomic kick path).
 *   struct vblk_session  one per open file (the attachment).  It holds a
 *                        reference on the struct vblk_device, grabs the
 *                        opener's mm and owns the worker, the eventfds and
 *                        the memory table.  It is detached either at
 *                        release or by vblk_attach_del(), whichever comes
 *                        first, and freed at release.
 *
 * Locking: vblk_attach.lock serialises open, detach, the ioctls and the
 * forwarded MMIO accesses.  The host callbacks (kick may run in hardirq
 * context) never take it: they find the live session through RCU
 * (vblk_attach.sess), and a detach unpublishes the session and waits for a
 * grace period before it stops the worker or drops the call eventfd.
 *
 * The worker is a vhost_task: a thread of the VMM process, created from the
 * opener's context, that shares the VMM's mm and is accounted to the VMM's
 * cgroups.  It sleeps until a kick and then runs vblk_vdev_process().
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/vhost_task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <uapi/linux/vblk_vmm.h>

#include "vblk_attach.h"
#include "vblk_dev.h"
#include "vblk_guestmem.h"
#include "vblk_nl.h"
#include "vblk_vdev.h"

#if !IS_ENABLED(CONFIG_VHOST_TASK)
#error "vblk needs CONFIG_VHOST_TASK (selected by CONFIG_KVM on x86)"
#endif

struct vblk_session;

/**
 * struct vblk_attach - attachment point of one device
 * @dev: the class device behind /dev/vblk/NAME
 * @cdev: the character device
 * @rcu: deferred free (the kick path reads @sess under RCU)
 * @d: the device; valid until @gone
 * @lock: serialises open, detach, ioctls and MMIO forwarding
 * @sess: the live attachment, NULL when none
 * @gone: vblk_attach_del() ran: no new attachment
 */
struct vblk_attach {
	struct device dev;
	struct cdev cdev;
	struct rcu_head rcu;
	struct vblk_device *d;
	struct mutex lock;		/* open, detach, ioctls, MMIO */
	struct vblk_session __rcu *sess;
	bool gone;
};

/**
 * struct vblk_session - one attachment (one open file)
 * @a: attachment point
 * @d: the device (a reference is held)
 * @mm: the opener's address space (grabbed)
 * @gm: guest memory: the region table over @mm
 * @worker: the vhost_task running vblk_vdev_process()
 * @pending: bitmap of queues kicked since the worker last looked
 * @kick_file: the kick eventfd (a reference is held), NULL when none
 * @kick_ctx: its eventfd context
 * @kick_wqh: the wait queue @kick_wait is on, NULL when none
 * @kick_wait: our entry on the kick eventfd's wait queue
 * @kick_pt: poll table used to register @kick_wait
 * @call: the call eventfd, NULL when none; readers use RCU
 * @dead: detached (the file stays open but is unusable); under @a->lock
 * @killed: the worker exited on SIGKILL (the VMM is dying)
 */
struct vblk_session {
	struct vblk_attach *a;
	struct vblk_device *d;
	struct mm_struct *mm;
	struct vblk_guestmem gm;
	struct vhost_task *worker;
	unsigned long pending;
	struct file *kick_file;
	struct eventfd_ctx *kick_ctx;
	wait_queue_head_t *kick_wqh;
	wait_queue_entry_t kick_wait;
	poll_table kick_pt;
	struct eventfd_ctx __rcu *call;
	bool dead;
	bool killed;
};

static dev_t vblk_devt;
static DEFINE_IDA(vblk_minor_ida);

/*
 * Owner group and mode of /dev/vblk/NAME as devtmpfs creates them (udev,
 * where it runs, may apply its own rule afterwards).  Read-only once the
 * module is loaded, so the devnode callback reads them without locking.
 */
static unsigned int vblk_dev_mode = 0600;
static unsigned int vblk_dev_gid;

static int vblk_param_set_mode(const char *val, const struct kernel_param *kp)
{
	unsigned int mode;
	int ret;

	/* Always octal: "660" and "0660" mean the same. */
	ret = kstrtouint(val, 8, &mode);
	if (ret)
		return ret;
	if (!mode || mode > 0777)
		return -EINVAL;
	*(unsigned int *)kp->arg = mode;
	return 0;
}

static int vblk_param_get_mode(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%04o\n", *(unsigned int *)kp->arg);
}

static const struct kernel_param_ops vblk_param_mode_ops = {
	.set = vblk_param_set_mode,
	.get = vblk_param_get_mode,
};

static int vblk_param_set_gid(const char *val, const struct kernel_param *kp)
{
	unsigned int gid;
	int ret;

	ret = kstrtouint(val, 10, &gid);
	if (ret)
		return ret;
	if (!gid_valid(make_kgid(&init_user_ns, gid)))
		return -EINVAL;
	*(unsigned int *)kp->arg = gid;
	return 0;
}

static const struct kernel_param_ops vblk_param_gid_ops = {
	.set = vblk_param_set_gid,
	.get = param_get_uint,
};

module_param_cb(dev_mode, &vblk_param_mode_ops, &vblk_dev_mode, 0444);
MODULE_PARM_DESC(dev_mode, "Mode of /dev/vblk/* (octal, default 0600)");
module_param_cb(dev_gid, &vblk_param_gid_ops, &vblk_dev_gid, 0444);
MODULE_PARM_DESC(dev_gid, "Group ID of /dev/vblk/* (default 0, root)");

/**
 * vblk_devnode - name, mode and owner of a device's node
 * @dev: the class device of a vblk device
 * @mode: set to the dev_mode parameter; NULL when only the name is wanted
 * @uid: left as given (root)
 * @gid: set to the dev_gid parameter; NULL when only the name is wanted
 *
 * The driver core calls it when devtmpfs creates or removes the node and
 * for the DEVNAME, DEVMODE and DEVGID uevent variables.
 *
 * Return: the node's path below /dev ("vblk/NAME"), allocated; NULL when
 * out of memory.
 */
static char *vblk_devnode(const struct device *dev, umode_t *mode,
			  kuid_t *uid, kgid_t *gid)
{
	if (mode)
		*mode = vblk_dev_mode;
	if (gid)
		*gid = make_kgid(&init_user_ns, vblk_dev_gid);
	return kasprintf(GFP_KERNEL, "vblk/%s", dev_name(dev));
}

static const struct device_type vblk_dev_type = {
	.devnode = vblk_devnode,
};

static const struct class vblk_class = {
	.name = "vblk",
};

/* ---- worker ---------------------------------------------------------- */

static void vblk_session_kick(struct vblk_session *s, unsigned int q)
{
	if (q >= VBLK_NUM_QUEUES)
		return;
	/* The worker exited on SIGKILL: there is nobody left to wake. */
	if (READ_ONCE(s->killed))
		return;
	set_bit(q, &s->pending);
	/* Pairs with the worker's set_current_state() before it looks. */
	vhost_task_wake(s->worker);
}

static bool vblk_worker_fn(void *data)
{
	struct vblk_session *s = data;
	unsigned long pending;
	unsigned int q;

	if (!READ_ONCE(s->pending))
		return false;
	/* The vhost_task calls us in TASK_INTERRUPTIBLE: we are about to block. */
	__set_current_state(TASK_RUNNING);
	pending = xchg(&s->pending, 0);
	for_each_set_bit(q, &pending, VBLK_NUM_QUEUES)
		vblk_vdev_process(&s->d->vdev, q);
	/* The device model bounds one pass; let others run between passes. */
	cond_resched();
	return true;
}

static void vblk_worker_killed(void *data)
{
	struct vblk_session *s = data;

	/*
	 * The VMM got SIGKILL: the worker exits with it.  The pass it was in
	 * has finished; later kicks see @killed and leave the task alone, and
	 * the release of the file (which follows as the VMM exits) detaches.
	 */
	WRITE_ONCE(s->killed, true);
}

/* ---- host callbacks (from the device model) --------------------------- */

/* The live session of @vd, under rcu_read_lock(); NULL when detached. */
static struct vblk_session *vblk_vdev_session(struct vblk_vdev *vd)
{
	struct vblk_device *d = container_of(vd, struct vblk_device, vdev);
	/* Freed with kfree_rcu() after vblk_attach_del() cleared d->attach. */
	struct vblk_attach *a = READ_ONCE(d->attach);

	return a ? rcu_dereference(a->sess) : NULL;
}

static void vblk_host_kick(struct vblk_vdev *vd, unsigned int q)
{
	struct vblk_session *s;

	rcu_read_lock();
	s = vblk_vdev_session(vd);
	if (s)
		vblk_session_kick(s, q);
	rcu_read_unlock();
}

static void vblk_host_signal(struct vblk_vdev *vd)
{
	struct vblk_session *s;
	struct eventfd_ctx *call;

	rcu_read_lock();
	s = vblk_vdev_session(vd);
	call = s ? rcu_dereference(s->call) : NULL;
	if (call)
		eventfd_signal(call);
	rcu_read_unlock();
}

static void vblk_host_event(struct vblk_vdev *vd, unsigned int q,
			    enum vblk_event ev)
{
	vblk_nl_notify_vdev_event(container_of(vd, struct vblk_device, vdev),
				  q, ev);
}

/*
 * vblk_attach_host_ops - struct vblk_host_ops for devices served to a VMM
 *
 * kick queues the worker of the live attachment (any context), signal
 * raises the call eventfd, event reports to the netlink monitor group.
 * Without an attachment kick and signal do nothing.
 */
const struct vblk_host_ops vblk_attach_host_ops = {
	.kick = vblk_host_kick,
	.signal = vblk_host_signal,
	.event = vblk_host_event,
};

/* ---- eventfds ---------------------------------------------------------- */

static int vblk_kick_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct vblk_session *s = container_of(wait, struct vblk_session,
					      kick_wait);
	u64 cnt;

	if (!(key_to_poll(key) & EPOLLIN))
		return 0;
	/* Called with the eventfd's wait-queue lock held: clear its count. */
	eventfd_ctx_do_read(s->kick_ctx, &cnt);
	/* One kick eventfd per device: QueueNotify of queue 0. */
	vblk_session_kick(s, 0);
	return 0;
}

static void vblk_kick_queue_proc(struct file *file, wait_queue_head_t *wqh,
				 poll_table *pt)
{
	struct vblk_session *s = container_of(pt, struct vblk_session, kick_pt);

	s->kick_wqh = wqh;
	add_wait_queue(wqh, &s->kick_wait);
}

static void vblk_kick_unregister(struct vblk_session *s)
{
	if (s->kick_wqh) {
		/* Takes the wait-queue lock: no wakeup runs after this. */
		remove_wait_queue(s->kick_wqh, &s->kick_wait);
		s->kick_wqh = NULL;
	}
	if (s->kick_file) {
		eventfd_ctx_put(s->kick_ctx);
		fput(s->kick_file);
		s->kick_ctx = NULL;
		s->kick_file = NULL;
	}
}

static int vblk_set_kick_fd(struct vblk_session *s, int fd)
{
	struct eventfd_ctx *ctx = NULL;
	struct file *file = NULL;
	__poll_t events;

	if (fd != -1) {
		file = eventfd_fget(fd);
		if (IS_ERR(file))
			return -EBADF;
		ctx = eventfd_ctx_fileget(file);
		if (IS_ERR(ctx)) {
			fput(file);
			return -EBADF;
		}
	}

	vblk_kick_unregister(s);
	if (!file)
		return 0;

	s->kick_file = file;
	s->kick_ctx = ctx;
	init_waitqueue_func_entry(&s->kick_wait, vblk_kick_wakeup);
	init_poll_funcptr(&s->kick_pt, vblk_kick_queue_proc);
	events = vfs_poll(file, &s->kick_pt);
	/* A kick that arrived before registration is not lost. */
	if (events & EPOLLIN)
		vblk_session_kick(s, 0);
	return 0;
}

static int vblk_set_call_fd(struct vblk_session *s, int fd)
{
	struct eventfd_ctx *ctx = NULL, *old;

	if (fd != -1) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return -EBADF;
	}
	old = rcu_replace_pointer(s->call, ctx, lockdep_is_held(&s->a->lock));
	if (old) {
		synchronize_rcu();
		eventfd_ctx_put(old);
	}
	return 0;
}

/* ---- attach / detach --------------------------------------------------- */

/*
 * Detach @s from its device: no kick reaches the worker any more, the
 * worker finishes its pass and exits, the device is reset (so the next
 * attachment starts from a clean register file) and every reference the
 * attachment held except the device itself is dropped.  Caller holds
 * a->lock.
 */
static void vblk_session_detach(struct vblk_attach *a, struct vblk_session *s)
{
	struct vblk_vdev *vd = &s->d->vdev;
	struct eventfd_ctx *call;

	lockdep_assert_held(&a->lock);

	s->dead = true;
	rcu_assign_pointer(a->sess, NULL);
	vblk_kick_unregister(s);
	/* No host callback still sees @s after this. */
	synchronize_rcu();

	/* Waits for the pass in progress; in-flight I/O completes in it. */
	vhost_task_stop(s->worker);
	s->worker = NULL;

	vblk_vdev_reset(vd);
	vblk_vdev_set_mem(vd, NULL, NULL);

	call = rcu_dereference_protected(s->call, true);
	RCU_INIT_POINTER(s->call, NULL);
	if (call)
		eventfd_ctx_put(call);

	vblk_guestmem_destroy(&s->gm);
	mmdrop(s->mm);
	s->mm = NULL;
	vblk_nl_notify_event(s->d, VBLK_EVENT_TYPE_DETACH, -1);
}

static int vblk_cdev_open(struct inode *inode, struct file *file)
{
	struct vblk_attach *a = container_of(inode->i_cdev, struct vblk_attach,
					     cdev);
	char name[TASK_COMM_LEN];
	struct vblk_session *s;
	int ret;

	/*
	 * The attachment is exclusive and drives the device: a read-only or
	 * write-only open must not be able to take it.
	 */
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EACCES;
	/* The attachment lives in the opener's address space. */
	if (!current->mm || (current->flags & PF_KTHREAD))
		return -EPERM;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;

	mutex_lock(&a->lock);
	if (a->gone) {
		ret = -ENODEV;
		goto err_unlock;
	}
	if (rcu_access_pointer(a->sess)) {
		ret = -EBUSY;
		goto err_unlock;
	}

	snprintf(name, sizeof(name), "vblk-%d", current->pid);
	s->worker = vhost_task_create(vblk_worker_fn, vblk_worker_killed, s,
				      name);
	if (IS_ERR(s->worker)) {
		ret = PTR_ERR(s->worker);
		goto err_unlock;
	}

	s->a = a;
	s->d = a->d;
	vblk_dev_get(s->d);
	s->mm = current->mm;
	mmgrab(s->mm);
	vblk_guestmem_init(&s->gm, s->mm);
	vblk_vdev_set_mem(&s->d->vdev, &vblk_guestmem_ops, &s->gm);

	file->private_data = s;
	vhost_task_start(s->worker);
	rcu_assign_pointer(a->sess, s);
	mutex_unlock(&a->lock);
	vblk_nl_notify_event(s->d, VBLK_EVENT_TYPE_ATTACH, -1);
	return 0;

err_unlock:
	mutex_unlock(&a->lock);
	kfree(s);
	return ret;
}

static int vblk_cdev_release(struct inode *inode, struct file *file)
{
	struct vblk_session *s = file->private_data;
	struct vblk_attach *a = s->a;

	mutex_lock(&a->lock);
	if (!s->dead)
		vblk_session_detach(a, s);
	mutex_unlock(&a->lock);

	vblk_dev_put(s->d);
	kfree(s);
	return 0;
}

/*
 * Lock the attachment for a request from user space: the session must be
 * live and the caller must be in the opener's address space.
 */
static int vblk_session_lock(struct vblk_session *s)
{
	int ret = 0;

	mutex_lock(&s->a->lock);
	if (s->dead)
		ret = -ENODEV;
	else if (current->mm != s->mm)
		ret = -EPERM;
	if (ret)
		mutex_unlock(&s->a->lock);
	return ret;
}

static long vblk_cdev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct vblk_session *s = file->private_data;
	void __user *argp = (void __user *)arg;
	struct vblk_memtab *tab;
	int fd, ret;

	switch (cmd) {
	case VBLK_SET_MEM_TABLE:
	case VBLK_SET_KICK_FD:
	case VBLK_SET_CALL_FD:
		break;
	default:
		return -ENOTTY;
	}

	/* Lock order: the attachment's lock, then mmap_lock (user copies). */
	ret = vblk_session_lock(s);
	if (ret)
		return ret;
	switch (cmd) {
	case VBLK_SET_MEM_TABLE:
		/* access_ok() checks against current->mm, the owner's. */
		tab = vblk_memtab_from_user(argp);
		if (IS_ERR(tab))
			ret = PTR_ERR(tab);
		else
			vblk_guestmem_replace(&s->gm, tab);
		break;
	case VBLK_SET_KICK_FD:
		if (get_user(fd, (int __user *)argp))
			ret = -EFAULT;
		else
			ret = vblk_set_kick_fd(s, fd);
		break;
	case VBLK_SET_CALL_FD:
		if (get_user(fd, (int __user *)argp))
			ret = -EFAULT;
		else
			ret = vblk_set_call_fd(s, fd);
		break;
	}
	mutex_unlock(&s->a->lock);
	return ret;
}

/* A register access: 1, 2 or 4 bytes inside the virtio-mmio window. */
static int vblk_mmio_check(size_t len, loff_t pos)
{
	if (len != 1 && len != 2 && len != 4)
		return -EINVAL;
	if (pos < 0 || pos > VBLK_MMIO_WINDOW - len)
		return -EINVAL;
	return 0;
}

static ssize_t vblk_cdev_read(struct file *file, char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct vblk_session *s = file->private_data;
	u8 val[4] __aligned(4) = { };
	int ret;

	ret = vblk_mmio_check(len, *ppos);
	if (ret)
		return ret;
	ret = vblk_session_lock(s);
	if (ret)
		return ret;
	ret = vblk_vdev_mmio_read(&s->d->vdev, *ppos, val, len);
	mutex_unlock(&s->a->lock);
	if (ret)
		return ret;
	if (copy_to_user(buf, val, len))
		return -EFAULT;
	return len;
}

static ssize_t vblk_cdev_write(struct file *file, const char __user *buf,
			       size_t len, loff_t *ppos)
{
	struct vblk_session *s = file->private_data;
	u8 val[4] __aligned(4);
	int ret;

	ret = vblk_mmio_check(len, *ppos);
	if (ret)
		return ret;
	if (copy_from_user(val, buf, len))
		return -EFAULT;
	ret = vblk_session_lock(s);
	if (ret)
		return ret;
	ret = vblk_vdev_mmio_write(&s->d->vdev, *ppos, val, len);
	mutex_unlock(&s->a->lock);
	return ret ? ret : len;
}

static const struct file_operations vblk_cdev_fops = {
	.owner = THIS_MODULE,
	.open = vblk_cdev_open,
	.release = vblk_cdev_release,
	.read = vblk_cdev_read,
	.write = vblk_cdev_write,
	.unlocked_ioctl = vblk_cdev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* ---- device registry hooks -------------------------------------------- */

static void vblk_attach_release(struct device *dev)
{
	struct vblk_attach *a = container_of(dev, struct vblk_attach, dev);

	ida_free(&vblk_minor_ida, MINOR(dev->devt));
	mutex_destroy(&a->lock);
	kfree_rcu(a, rcu);
}

/**
 * vblk_attach_add - create /dev/vblk/NAME for a new device
 * @d: the device (its name is final)
 *
 * Return: 0, -EINVAL for a name that cannot be a device node, -ENOSPC when
 * every minor is in use, -ENOMEM, or an error from the driver core.
 */
int vblk_attach_add(struct vblk_device *d)
{
	struct vblk_attach *a;
	int minor, ret;

	if (!d->name[0] || !strcmp(d->name, ".") || !strcmp(d->name, "..") ||
	    strchr(d->name, '/'))
		return -EINVAL;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	minor = ida_alloc_max(&vblk_minor_ida, VBLK_ATTACH_MINORS - 1,
			      GFP_KERNEL);
	if (minor < 0) {
		kfree(a);
		return minor;
	}

	mutex_init(&a->lock);
	a->d = d;
	device_initialize(&a->dev);
	a->dev.class = &vblk_class;
	a->dev.type = &vblk_dev_type;
	a->dev.devt = MKDEV(MAJOR(vblk_devt), minor);
	a->dev.release = vblk_attach_release;
	ret = dev_set_name(&a->dev, "%s", d->name);
	if (ret)
		goto err_put;

	cdev_init(&a->cdev, &vblk_cdev_fops);
	a->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&a->cdev, &a->dev);
	if (ret)
		goto err_put;

	/* Publish the initialised @a to the lockless host callbacks. */
	smp_store_release(&d->attach, a);
	return 0;

err_put:
	/* The release callback frees the minor and @a. */
	put_device(&a->dev);
	return ret;
}

/**
 * vblk_attach_del - remove /dev/vblk/NAME, detaching a VMM if allowed
 * @d: the device, being deleted
 * @force: detach an attached VMM instead of refusing
 *
 * The check for an attached VMM and the refusal of later opens happen
 * together under the attachment's lock, so a VMM cannot attach between
 * them.  When a VMM is attached and @force is false nothing changes and
 * -EBUSY is returned.  Otherwise the VMM (if any) is detached: the worker
 * stops after its pass, the device is reset, eventfds and the mm are
 * released.  A VMM that still holds the file open gets -ENODEV from every
 * later call; the file keeps @d alive until it is closed.
 *
 * Sleeps, possibly for as long as a pass of the worker or a forwarded MMIO
 * access takes (both may wait on the VMM's memory): do not call it with
 * the registry mutex held while a VMM may be attached.  The caller
 * serialises calls for one device (the registry's delete does).
 *
 * Return: 0 (also when @d has no node any more) or -EBUSY.
 */
int vblk_attach_del(struct vblk_device *d, bool force)
{
	struct vblk_attach *a = d->attach;
	struct vblk_session *s;

	if (!a)
		return 0;

	mutex_lock(&a->lock);
	s = rcu_dereference_protected(a->sess, lockdep_is_held(&a->lock));
	if (s && !force) {
		mutex_unlock(&a->lock);
		return -EBUSY;
	}
	/* No new attachment from here on. */
	a->gone = true;
	if (s)
		vblk_session_detach(a, s);
	mutex_unlock(&a->lock);

	/* Remove the node; files already open keep the cdev and @a alive. */
	cdev_device_del(&a->cdev, &a->dev);
	WRITE_ONCE(d->attach, NULL);
	put_device(&a->dev);
	return 0;
}

/**
 * vblk_attach_busy - whether a VMM is attached to @d
 * @d: the device
 *
 * A snapshot: a VMM may attach right after it returns false.
 *
 * Return: true while /dev/vblk/NAME is open by a live attachment.
 */
bool vblk_attach_busy(struct vblk_device *d)
{
	struct vblk_attach *a;
	bool busy;

	rcu_read_lock();
	a = READ_ONCE(d->attach);
	busy = a && rcu_access_pointer(a->sess);
	rcu_read_unlock();
	return busy;
}

/**
 * vblk_attach_init - register the vblk class and character device region
 *
 * Return: 0 or a negative errno.
 */
int vblk_attach_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&vblk_devt, 0, VBLK_ATTACH_MINORS, "vblk");
	if (ret)
		return ret;
	ret = class_register(&vblk_class);
	if (ret) {
		unregister_chrdev_region(vblk_devt, VBLK_ATTACH_MINORS);
		return ret;
	}
	return 0;
}

/**
 * vblk_attach_exit - undo vblk_attach_init()
 *
 * Every device has gone through vblk_attach_del() already.
 */
void vblk_attach_exit(void)
{
	class_unregister(&vblk_class);
	unregister_chrdev_region(vblk_devt, VBLK_ATTACH_MINORS);
	/* vblk_attach_release() frees with kfree_rcu(). */
	rcu_barrier();
	ida_destroy(&vblk_minor_ida);
}
