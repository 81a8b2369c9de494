// SPDX-License-Identifier: GPL-2.0
/*
 * vblk character-device binding: /dev/vblk/NAME, one VMM attachment at a
 * time, with the guest memory table, one kick and one call eventfd per
 * queue, a config-change eventfd, MMIO forwarding into the virtio-mmio
 * register file and one worker per queue. Documentation/vmm-interface.rst
 * describes the ABI.
 *
 * Objects and lifetimes:
 *
 *   struct vblk_cdev_node  one per device, made when the device is listed
 *                          and unlisted with it; freed with the device.
 *                          It embeds the struct device and the cdev.
 *   struct vblk_session    one per open file: the attachment. It holds a
 *                          reference on the device, grabs the opener's mm,
 *                          owns the workers, eventfds, register file and
 *                          memory table, and is the device's binding. It
 *                          is detached at release or by a forced delete,
 *                          whichever comes first, and freed at release.
 *
 * Locking: node->lock serialises open, release and forced detaches, and
 * nests outside s->lock, which serialises the session's requests (ioctls
 * that publish, forwarded MMIO accesses) with its detach. Neither is held
 * across a user copy. Both may be held while the device waits on the VMM
 * (see the lock rules in vblk_vdev.c); nothing a netlink handler does
 * takes them. The device's callbacks (a kick may come from a wait-queue
 * or timer) never take them: they run under RCU while the session is the
 * device's binding, and a detach unbinds (and waits for a grace period)
 * before it stops the workers or drops an eventfd.
 *
 * The workers are vhost_tasks (vblk_worker.c): threads of the VMM
 * process, created from the opener's context, sharing the VMM's mm and
 * accounted to its cgroups.
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/virtio_mmio.h>
#include <linux/wait.h>
#include <uapi/linux/vblk_vmm.h>

#include "vblk_cdev.h"
#include "vblk_dev.h"
#include "vblk_guestmem.h"
#include "vblk_mmio.h"
#include "vblk_vdev.h"
#include "vblk_worker.h"

struct vblk_session;

/**
 * struct vblk_session_queue - one queue of an attachment
 * @s: the session
 * @index: queue index
 * @worker: the worker serving the queue
 * @kick_file: the kick eventfd (a reference is held), NULL when none
 * @kick_ctx: its eventfd context
 * @kick_wqh: the wait queue @kick_wait is on, NULL when none
 * @kick_wait: our entry on the kick eventfd's wait queue
 * @kick_pt: poll table used to register @kick_wait
 * @call: the call eventfd, NULL when none; readers use RCU
 */
struct vblk_session_queue {
	struct vblk_session *s;
	unsigned int index;
	struct vblk_worker worker;
	struct file *kick_file;
	struct eventfd_ctx *kick_ctx;
	wait_queue_head_t *kick_wqh;
	wait_queue_entry_t kick_wait;
	poll_table kick_pt;
	struct eventfd_ctx __rcu *call;
};

/**
 * struct vblk_session - one attachment (one open file)
 * @node: the node opened
 * @d: the device (a reference is held)
 * @mm: the opener's address space (grabbed)
 * @gm: guest memory: the region table over @mm
 * @mmio: the virtio-mmio register file
 * @binding: what the session lends the device
 * @lock: serialises requests with the detach
 * @dead: detached (the file stays open but is unusable); under @lock
 * @config_call: the config-change eventfd, NULL when none; RCU
 * @nvqs: number of queues
 * @qs: the queues
 */
struct vblk_session {
	struct vblk_cdev_node *node;
	struct vblk_device *d;
	struct mm_struct *mm;
	struct vblk_guestmem gm;
	struct vblk_mmio mmio;
	struct vblk_vdev_binding binding;
	struct mutex lock;		/* see "Locking" above */
	bool dead;
	struct eventfd_ctx __rcu *config_call;
	unsigned int nvqs;
	struct vblk_session_queue qs[] __counted_by(nvqs);
};

/* ---- callbacks from the device (under RCU, any context) ---------------- */

static void vblk_host_kick(void *ctx, unsigned int q)
{
	struct vblk_session *s = ctx;

	if (q < s->nvqs)
		vblk_worker_kick(&s->qs[q].worker);
}

static void vblk_host_vq_used(void *ctx, unsigned int q, bool signal)
{
	struct vblk_session *s = ctx;
	struct eventfd_ctx *call;

	vblk_mmio_interrupt(&s->mmio, VIRTIO_MMIO_INT_VRING);
	if (!signal || q >= s->nvqs)
		return;
	call = rcu_dereference(s->qs[q].call);
	if (call)
		eventfd_signal(call);
}

static void vblk_host_config_changed(void *ctx)
{
	struct vblk_session *s = ctx;
	struct eventfd_ctx *call;

	vblk_mmio_interrupt(&s->mmio, VIRTIO_MMIO_INT_CONFIG);
	call = rcu_dereference(s->config_call);
	if (call)
		eventfd_signal(call);
}

static const struct vblk_vdev_host_ops vblk_cdev_host_ops = {
	.kick = vblk_host_kick,
	.vq_used = vblk_host_vq_used,
	.config_changed = vblk_host_config_changed,
};

/* ---- eventfds ----------------------------------------------------------- */

static int vblk_kick_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct vblk_session_queue *sq = container_of(wait,
						     struct vblk_session_queue,
						     kick_wait);
	u64 cnt;

	if (!(key_to_poll(key) & EPOLLIN))
		return 0;
	/* Called with the eventfd's wait-queue lock held: clear its count. */
	eventfd_ctx_do_read(sq->kick_ctx, &cnt);
	vblk_worker_kick(&sq->worker);
	return 0;
}

static void vblk_kick_queue_proc(struct file *file, wait_queue_head_t *wqh,
				 poll_table *pt)
{
	struct vblk_session_queue *sq = container_of(pt,
						     struct vblk_session_queue,
						     kick_pt);

	sq->kick_wqh = wqh;
	add_wait_queue(wqh, &sq->kick_wait);
}

static void vblk_kick_unregister(struct vblk_session_queue *sq)
{
	if (sq->kick_wqh) {
		/* Takes the wait-queue lock: no wakeup runs after this. */
		remove_wait_queue(sq->kick_wqh, &sq->kick_wait);
		sq->kick_wqh = NULL;
	}
	if (sq->kick_file) {
		eventfd_ctx_put(sq->kick_ctx);
		fput(sq->kick_file);
		sq->kick_ctx = NULL;
		sq->kick_file = NULL;
	}
}

/*
 * Resolve an eventfd argument: -1 is "none" (NULLs); an fd that is not
 * open is -EBADF, an open file that is not an eventfd -EINVAL.
 */
static int vblk_eventfd_get(int fd, struct file **filep,
			    struct eventfd_ctx **ctxp)
{
	struct eventfd_ctx *ctx;
	struct file *file;

	*filep = NULL;
	*ctxp = NULL;
	if (fd == -1)
		return 0;
	file = fget(fd);
	if (!file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(ctx)) {
		fput(file);
		return -EINVAL;
	}
	*filep = file;
	*ctxp = ctx;
	return 0;
}

static void vblk_eventfd_put(struct file *file, struct eventfd_ctx *ctx)
{
	if (ctx)
		eventfd_ctx_put(ctx);
	if (file)
		fput(file);
}

/* Install a kick eventfd (resolved by the caller); s->lock held. */
static void vblk_set_kick(struct vblk_session_queue *sq, struct file *file,
			  struct eventfd_ctx *ctx)
{
	__poll_t events;

	vblk_kick_unregister(sq);
	if (!file)
		return;
	sq->kick_file = file;
	sq->kick_ctx = ctx;
	init_waitqueue_func_entry(&sq->kick_wait, vblk_kick_wakeup);
	init_poll_funcptr(&sq->kick_pt, vblk_kick_queue_proc);
	events = vfs_poll(file, &sq->kick_pt);
	/* A kick that arrived before registration is not lost. */
	if (events & EPOLLIN)
		vblk_worker_kick(&sq->worker);
}

/* Swap an RCU-read eventfd; s->lock held. */
static void vblk_set_call(struct vblk_session *s,
			  struct eventfd_ctx __rcu **slot,
			  struct eventfd_ctx *ctx)
{
	struct eventfd_ctx *old;

	old = rcu_replace_pointer(*slot, ctx, lockdep_is_held(&s->lock));
	if (old) {
		synchronize_rcu();
		eventfd_ctx_put(old);
	}
}

/* ---- attach / detach ---------------------------------------------------- */

static const struct vblk_binder vblk_cdev_binder;

/*
 * Detach @s from its device: no kick reaches a worker any more, the device
 * is unbound (reset, waiting for running passes), the workers exit, and
 * every reference the attachment held except the device itself is
 * dropped. Callers hold node->lock and s->lock.
 */
static void vblk_session_detach(struct vblk_session *s)
{
	unsigned int q;

	lockdep_assert_held(&s->lock);
	WRITE_ONCE(s->dead, true);
	for (q = 0; q < s->nvqs; q++)
		vblk_kick_unregister(&s->qs[q]);
	/* No device callback sees @s after this; passes have finished. */
	vblk_vdev_unbind(&s->d->vdev);
	for (q = 0; q < s->nvqs; q++) {
		vblk_worker_stop(&s->qs[q].worker);
		vblk_set_call(s, &s->qs[q].call, NULL);
	}
	vblk_set_call(s, &s->config_call, NULL);
	vblk_guestmem_destroy(&s->gm);
	mmdrop(s->mm);
	WRITE_ONCE(s->mm, NULL);
	vblk_dev_unclaim(s->d, &vblk_cdev_binder);
}

/* A forced delete ends the attachment of @d, if any. */
static void vblk_cdev_detach(struct vblk_device *d)
{
	struct vblk_cdev_node *node = d->node;
	struct vblk_session *s;

	mutex_lock(&node->lock);
	s = node->sess;
	if (s) {
		mutex_lock(&s->lock);
		if (!s->dead)
			vblk_session_detach(s);
		mutex_unlock(&s->lock);
	}
	mutex_unlock(&node->lock);
}

static const struct vblk_binder vblk_cdev_binder = {
	.name = "vmm",
	.busy = "a VMM is attached (use force)",
	.detach = vblk_cdev_detach,
};

static void vblk_session_free(struct vblk_session *s)
{
	unsigned int q;

	for (q = 0; q < s->nvqs; q++)
		vblk_worker_stop(&s->qs[q].worker);
	mutex_destroy(&s->lock);
	kfree(s);
}

static struct vblk_session *vblk_session_new(struct vblk_cdev_node *node)
{
	unsigned int q, nvqs = vblk_vdev_num_queues(&node->d->vdev);
	struct vblk_session *s;
	int err;

	s = kzalloc(struct_size(s, qs, nvqs), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->nvqs = nvqs;
	s->node = node;
	s->d = node->d;
	mutex_init(&s->lock);
	for (q = 0; q < nvqs; q++) {
		struct vblk_session_queue *sq = &s->qs[q];

		sq->s = s;
		sq->index = q;
		/* It sleeps until its queue is kicked, after the bind. */
		err = vblk_worker_start(&sq->worker, &s->d->vdev, q);
		if (err) {
			vblk_session_free(s);
			return ERR_PTR(err);
		}
	}
	return s;
}

static int vblk_cdev_open(struct inode *inode, struct file *file)
{
	struct vblk_cdev_node *node = container_of(inode->i_cdev,
						   struct vblk_cdev_node, cdev);
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

	mutex_lock(&node->lock);
	if (node->sess) {
		ret = -EBUSY;
		goto err_unlock;
	}
	s = vblk_session_new(node);
	if (IS_ERR(s)) {
		ret = PTR_ERR(s);
		goto err_unlock;
	}
	ret = vblk_dev_claim(node->d, &vblk_cdev_binder);
	if (ret)
		goto err_free;

	vblk_dev_get(s->d);
	s->mm = current->mm;
	mmgrab(s->mm);
	vblk_guestmem_init(&s->gm, s->mm);
	vblk_mmio_init(&s->mmio, &s->d->vdev);
	s->binding.ops = &vblk_cdev_host_ops;
	s->binding.ctx = s;
	s->binding.mem.ops = &vblk_guestmem_ops;
	s->binding.mem.ctx = &s->gm;
	/* Cannot fail: the claim made us the only binding. */
	ret = vblk_vdev_bind(&s->d->vdev, &s->binding);
	if (WARN_ON_ONCE(ret)) {
		vblk_dev_unclaim(s->d, &vblk_cdev_binder);
		mmdrop(s->mm);
		vblk_dev_put(s->d);
		goto err_free;
	}
	file->private_data = s;
	node->sess = s;
	mutex_unlock(&node->lock);
	return 0;

err_free:
	vblk_session_free(s);
err_unlock:
	mutex_unlock(&node->lock);
	return ret;
}

static int vblk_cdev_release(struct inode *inode, struct file *file)
{
	struct vblk_session *s = file->private_data;
	struct vblk_cdev_node *node = s->node;
	struct vblk_device *d = s->d;

	mutex_lock(&node->lock);
	mutex_lock(&s->lock);
	if (!s->dead)
		vblk_session_detach(s);
	mutex_unlock(&s->lock);
	node->sess = NULL;
	mutex_unlock(&node->lock);

	mutex_destroy(&s->lock);
	kfree(s);
	vblk_dev_put(d);
	return 0;
}

/*
 * Lock the session for a request from user space: it must be live and
 * the caller must be in the opener's address space.
 */
static int vblk_session_lock(struct vblk_session *s)
{
	int ret = 0;

	mutex_lock(&s->lock);
	if (s->dead)
		ret = -ENODEV;
	else if (current->mm != s->mm)
		ret = -EPERM;
	if (ret)
		mutex_unlock(&s->lock);
	return ret;
}

static long vblk_ioctl_mem_table(struct vblk_session *s, void __user *argp)
{
	struct vblk_memtab *tab;
	int ret;

	/* Another process's addresses mean nothing here: refuse it first. */
	if (current->mm != READ_ONCE(s->mm))
		return READ_ONCE(s->dead) ? -ENODEV : -EPERM;
	/* Copied and validated before the lock: the copy may fault. */
	tab = vblk_memtab_from_user(argp);
	if (IS_ERR(tab))
		return PTR_ERR(tab);
	ret = vblk_session_lock(s);
	if (ret) {
		kfree(tab);
		return ret;
	}
	vblk_guestmem_replace(&s->gm, tab);
	mutex_unlock(&s->lock);
	return 0;
}

static long vblk_ioctl_vring_fd(struct vblk_session *s, unsigned int cmd,
				void __user *argp)
{
	struct vblk_session_queue *sq;
	struct vblk_vring_fd a;
	struct eventfd_ctx *ctx;
	struct file *file;
	int ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.index >= s->nvqs)
		return -EINVAL;
	ret = vblk_eventfd_get(a.fd, &file, &ctx);
	if (ret)
		return ret;
	ret = vblk_session_lock(s);
	if (ret) {
		vblk_eventfd_put(file, ctx);
		return ret;
	}
	sq = &s->qs[a.index];
	if (cmd == VBLK_SET_VRING_KICK) {
		vblk_set_kick(sq, file, ctx);
	} else {
		vblk_set_call(s, &sq->call, ctx);
		if (file)
			fput(file);
	}
	mutex_unlock(&s->lock);
	return 0;
}

static long vblk_ioctl_config_call(struct vblk_session *s, int __user *argp)
{
	struct eventfd_ctx *ctx;
	struct file *file;
	int fd, ret;

	if (get_user(fd, argp))
		return -EFAULT;
	ret = vblk_eventfd_get(fd, &file, &ctx);
	if (ret)
		return ret;
	if (file)
		fput(file);
	ret = vblk_session_lock(s);
	if (ret) {
		vblk_eventfd_put(NULL, ctx);
		return ret;
	}
	vblk_set_call(s, &s->config_call, ctx);
	mutex_unlock(&s->lock);
	return 0;
}

static long vblk_cdev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct vblk_session *s = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VBLK_SET_MEM_TABLE:
		return vblk_ioctl_mem_table(s, argp);
	case VBLK_SET_VRING_KICK:
	case VBLK_SET_VRING_CALL:
		return vblk_ioctl_vring_fd(s, cmd, argp);
	case VBLK_SET_CONFIG_CALL:
		return vblk_ioctl_config_call(s, argp);
	case VBLK_GET_NUM_QUEUES:
		return put_user(s->nvqs, (__u32 __user *)argp);
	}
	return -ENOTTY;
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
	ret = vblk_mmio_read(&s->mmio, *ppos, val, len);
	mutex_unlock(&s->lock);
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
	ret = vblk_mmio_write(&s->mmio, *ppos, val, len);
	mutex_unlock(&s->lock);
	return ret ? ret : len;
}

const struct file_operations vblk_cdev_fops = {
	.owner = THIS_MODULE,
	.open = vblk_cdev_open,
	.release = vblk_cdev_release,
	.read = vblk_cdev_read,
	.write = vblk_cdev_write,
	.unlocked_ioctl = vblk_cdev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
