// SPDX-License-Identifier: GPL-2.0
/*
 * vblk device nodes: /dev/vblk/NAME of every device (the character-device
 * binding's entry point, vblk_cdev.c), their class, numbers and
 * permissions.
 *
 * A node is made when the registry lists a device and unlisted when the
 * device is deleted; it lives as long as the device (files opened on it
 * keep it). devtmpfs creates it with the mode and group of the dev_mode
 * and dev_gid module parameters; udev, where it runs, may apply its own
 * rule (udev/60-vblk.rules gives the nodes to group kvm, mode 0660).
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uidgid.h>

#include "vblk_cdev.h"
#include "vblk_dev.h"

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

static void vblk_node_dev_release(struct device *dev)
{
	struct vblk_cdev_node *node = container_of(dev, struct vblk_cdev_node,
						   dev);

	ida_free(&vblk_minor_ida, MINOR(dev->devt));
	mutex_destroy(&node->lock);
	kfree(node);
}

/* Create /dev/vblk/NAME for a device being listed. */
static int vblk_cdev_node_add(struct vblk_device *d)
{
	struct vblk_cdev_node *node;
	int minor, ret;

	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return -ENOMEM;
	minor = ida_alloc_max(&vblk_minor_ida, VBLK_CDEV_MINORS - 1,
			      GFP_KERNEL);
	if (minor < 0) {
		kfree(node);
		return minor;
	}

	mutex_init(&node->lock);
	node->d = d;
	device_initialize(&node->dev);
	node->dev.class = &vblk_class;
	node->dev.type = &vblk_dev_type;
	node->dev.devt = MKDEV(MAJOR(vblk_devt), minor);
	node->dev.release = vblk_node_dev_release;
	ret = dev_set_name(&node->dev, "%s", d->name);
	if (ret)
		goto err_put;

	cdev_init(&node->cdev, &vblk_cdev_fops);
	node->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&node->cdev, &node->dev);
	if (ret)
		goto err_put;
	d->node = node;
	return 0;

err_put:
	/* The release callback frees the minor and @node. */
	put_device(&node->dev);
	return ret;
}

/* Remove /dev/vblk/NAME; open files keep the node until the device ends. */
static void vblk_cdev_node_remove(struct vblk_device *d)
{
	struct vblk_cdev_node *node = d->node;

	cdev_device_del(&node->cdev, &node->dev);
}

/* The device ends: the node goes with it. */
static void vblk_cdev_node_release(struct vblk_device *d)
{
	struct vblk_cdev_node *node = d->node;

	d->node = NULL;
	put_device(&node->dev);
}

/*
 * vblk_cdev_node_ops - how the registry makes /dev/vblk/NAME nodes
 */
const struct vblk_dev_node_ops vblk_cdev_node_ops = {
	.add = vblk_cdev_node_add,
	.remove = vblk_cdev_node_remove,
	.release = vblk_cdev_node_release,
};

/**
 * vblk_cdev_init() - register the vblk class and character device region
 *
 * Return: 0 or a negative errno.
 */
int vblk_cdev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&vblk_devt, 0, VBLK_CDEV_MINORS, "vblk");
	if (ret)
		return ret;
	ret = class_register(&vblk_class);
	if (ret) {
		unregister_chrdev_region(vblk_devt, VBLK_CDEV_MINORS);
		return ret;
	}
	return 0;
}

/**
 * vblk_cdev_exit() - undo vblk_cdev_init()
 *
 * Every device is gone already (vblk_dev_exit()).
 */
void vblk_cdev_exit(void)
{
	class_unregister(&vblk_class);
	unregister_chrdev_region(vblk_devt, VBLK_CDEV_MINORS);
	ida_destroy(&vblk_minor_ida);
}
