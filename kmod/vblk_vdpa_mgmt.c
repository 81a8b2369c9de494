// SPDX-License-Identifier: GPL-2.0
/*
 * vblk_vdpa.ko: the vDPA management device "vblk" (`vdpa dev add name NAME
 * mgmtdev vblk` binds the vblk device NAME to a new vDPA device of that
 * name; `vdpa dev del NAME` unbinds it) and the module's life. The device
 * itself is in vblk_vdpa_dev.c.
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/vdpa.h>
#include <linux/virtio_ids.h>
#include <linux/workqueue.h>

#include "vblk_vdpa.h"

struct workqueue_struct *vblk_vdpa_wq;

static struct vblk_device *vblk_vdpa_lookup(const char *name)
{
	struct vblk_device *d;

	vblk_dev_lock();
	d = vblk_dev_find_name(name);
	if (d)
		vblk_dev_get(d);
	vblk_dev_unlock();
	return d;
}

static int vblk_vdpa_dev_add(struct vdpa_mgmt_dev *mdev, const char *name,
			     const struct vdpa_dev_set_config *config)
{
	struct vblk_device *d;
	struct vblk_vdpa *v;
	int ret;

	d = vblk_vdpa_lookup(name);
	if (!d) {
		pr_info("vblk_vdpa: no vblk device named '%s' (create it with vblkctl dev add)\n",
			name);
		return -ENODEV;
	}
	v = vblk_vdpa_alloc(d, name);
	if (IS_ERR(v)) {
		vblk_dev_put(d);
		return PTR_ERR(v);
	}
	ret = vblk_vdpa_start(v);
	if (ret)
		goto err_teardown;

	v->vdpa.mdev = mdev;
	ret = _vdpa_register_device(&v->vdpa, v->nvqs);
	if (ret)
		goto err_teardown;
	return 0;

err_teardown:
	vblk_vdpa_teardown(v);
	put_device(&v->vdpa.dev);
	return ret;
}

static void vblk_vdpa_dev_del(struct vdpa_mgmt_dev *mdev,
			      struct vdpa_device *vdpa)
{
	struct vblk_vdpa *v = to_vblk(vdpa);

	/* Keep v until the binding is undone: others may hold references. */
	get_device(&vdpa->dev);
	/* The driver goes first (it resets the device). */
	_vdpa_unregister_device(vdpa);
	vblk_vdpa_teardown(v);
	put_device(&vdpa->dev);
}

static const struct vdpa_mgmtdev_ops vblk_vdpa_mgmtdev_ops = {
	.dev_add = vblk_vdpa_dev_add,
	.dev_del = vblk_vdpa_dev_del,
};

static struct virtio_device_id vblk_vdpa_id_table[] = {
	{ VIRTIO_ID_BLOCK, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

static struct vdpa_mgmt_dev vblk_vdpa_mgmt = {
	.id_table = vblk_vdpa_id_table,
	.ops = &vblk_vdpa_mgmtdev_ops,
	.max_supported_vqs = VBLK_MAX_QUEUES,
};

static int __init vblk_vdpa_init(void)
{
	struct device *root;
	int ret;

	vblk_vdpa_wq = alloc_workqueue("vblk_vdpa", WQ_UNBOUND | WQ_MEM_RECLAIM,
				       0);
	if (!vblk_vdpa_wq)
		return -ENOMEM;
	root = root_device_register("vblk");
	if (IS_ERR(root)) {
		ret = PTR_ERR(root);
		goto err_wq;
	}
	vblk_vdpa_mgmt.device = root;
	ret = vdpa_mgmtdev_register(&vblk_vdpa_mgmt);
	if (ret)
		goto err_root;
	return 0;

err_root:
	root_device_unregister(root);
err_wq:
	destroy_workqueue(vblk_vdpa_wq);
	return ret;
}

static void __exit vblk_vdpa_exit(void)
{
	/* Deletes every vDPA device of ours (dev_del). */
	vdpa_mgmtdev_unregister(&vblk_vdpa_mgmt);
	root_device_unregister(vblk_vdpa_mgmt.device);
	destroy_workqueue(vblk_vdpa_wq);
}

module_init(vblk_vdpa_init);
module_exit(vblk_vdpa_exit);

MODULE_DESCRIPTION("vDPA binding of vblk devices (vhost_vdpa and virtio_vdpa)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(VBLK);
