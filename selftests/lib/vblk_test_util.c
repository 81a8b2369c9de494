// SPDX-License-Identifier: GPL-2.0
/*
 * vblk_test_util: fixture prologues shared by the selftests (see the
 * header).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vblk_test_util.h"

bool vt_module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/vblk", &st) == 0;
}

int vt_module_load(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

int vt_module_unload(void)
{
	return syscall(SYS_delete_module, "vblk", O_NONBLOCK) ? -errno : 0;
}

bool vt_node_exists(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "/dev/vblk/%s", name);
	return access(p, F_OK) == 0;
}

int vt_make_image(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size))
		ret = -errno;
	close(fd);
	return ret;
}

int vt_make_temp(char path[VT_IMG_MAX], uint64_t size)
{
	int fd, err;

	snprintf(path, VT_IMG_MAX, "/tmp/vblk-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The value of @call, made with a fresh socket @v (a one-shot request). */
#define VT_ONE_SHOT(v, call) ({						\
	struct vnl v;							\
	int __ret = vnl_open(&v);					\
									\
	if (!__ret)							\
		__ret = (call);						\
	vnl_close(&v);							\
	__ret;								\
})

int vt_dev_add(const char *name, const char *path, bool ro, uint64_t capacity,
	       int oflags)
{
	return vt_dev_add_queues(name, path, ro, capacity, oflags, 0);
}

int vt_dev_add_queues(const char *name, const char *path, bool ro,
		      uint64_t capacity, int oflags, uint32_t queues)
{
	struct vnl_add a = VNL_ADD(name, -1);
	uint32_t id = 0;
	int ret;

	a.backing_fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | oflags);
	if (a.backing_fd < 0)
		return -errno;
	a.read_only = ro;
	a.has_capacity = capacity != 0;
	a.capacity = capacity;
	a.has_queues = queues != 0;
	a.queues = queues;
	ret = VT_ONE_SHOT(v, vnl_dev_add(&v, &a, &id));
	close(a.backing_fd);
	return ret ? ret : (int)id;
}

int vt_dev_del(const char *name, bool force)
{
	return VT_ONE_SHOT(v, vnl_dev_del(&v, name, force));
}

int vt_dev_get(const char *name, struct vnl_dev *d)
{
	return VT_ONE_SHOT(v, vnl_dev_get(&v, name, d));
}

void vt_del_prefix(const char *prefix)
{
	struct vnl_dev *devs = NULL;
	struct vnl v;
	int n = 0;

	if (vnl_open(&v))
		return;
	if (!vnl_dev_dump(&v, &devs, &n))
		for (int i = 0; i < n; i++)
			if (!strncmp(devs[i].name, prefix, strlen(prefix)))
				vnl_dev_del(&v, devs[i].name, true);
	free(devs);
	vnl_close(&v);
}

void vt_disk_names(char name[VBLK_NAME_MAX], char img[VT_IMG_MAX],
		   const char *prefix)
{
	snprintf(name, VBLK_NAME_MAX, "%s%d", prefix, getpid());
	snprintf(img, VT_IMG_MAX, "/tmp/%s.img", name);
}

int vt_disk_create(char name[VBLK_NAME_MAX], char img[VT_IMG_MAX],
		   const char *prefix, uint64_t size, bool ro)
{
	int ret;

	vt_disk_names(name, img, prefix);
	ret = vt_make_image(img, size);
	return ret ? ret : vt_dev_add(name, img, ro, 0, 0);
}

void vt_disk_destroy(const char *name, const char *img)
{
	if (name[0])
		vt_dev_del(name, true);
	if (img[0])
		unlink(img);
}

int vt_loop_attach(int file, char dev[32])
{
	return vt_loop_attach_bs(file, dev, 0);
}

int vt_loop_attach_bs(int file, char dev[32], unsigned int block_size)
{
	struct loop_config cfg = {
		.fd = (uint32_t)file, .block_size = block_size,
	};
	int ctl, nr, fd;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -ENODEV;
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (nr < 0)
		return -errno;
	snprintf(dev, 32, "/dev/loop%d", nr);
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, LOOP_CONFIGURE, &cfg)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void vt_loop_detach(int loop_fd)
{
	if (loop_fd < 0)
		return;
	ioctl(loop_fd, LOOP_CLR_FD, 0);
	close(loop_fd);
}

#define VT_NULLB_CFS	"/sys/kernel/config/nullb"

/* Write @val to configfs attribute @attr of null_blk device @cfs. */
static int vt_nullb_set(const char *cfs, const char *attr, const char *val)
{
	char p[160];
	int fd, ret = 0;

	snprintf(p, sizeof(p), VT_NULLB_CFS "/%s/%s", cfs, attr);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* configfs mounted and null_blk loaded (from the test kernel's build). */
static int vt_nullb_ready(void)
{
	const char *kdir = getenv("VBLK_KDIR");
	char ko[512];
	int fd, ret;

	if (access("/sys/kernel/config", F_OK) == 0 &&
	    access("/sys/kernel/config/nullb", F_OK) != 0)
		mount("none", "/sys/kernel/config", "configfs", 0, NULL);
	if (access(VT_NULLB_CFS, F_OK) == 0)
		return 0;
	if (!kdir)
		return -ENODEV;
	snprintf(ko, sizeof(ko), "%s/drivers/block/null_blk/null_blk.ko", kdir);
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENODEV;
	/* No device of its own: the tests make theirs through configfs. */
	ret = syscall(SYS_finit_module, fd, "nr_devices=0", 0) ? -errno : 0;
	close(fd);
	if (ret && ret != -EEXIST)
		return ret;
	return access(VT_NULLB_CFS, F_OK) ? -ENODEV : 0;
}

int vt_nullb_create(char dev[32], char cfs[32], unsigned int size_mb,
		    unsigned int completion_us, unsigned int requeue_pct)
{
	static const char *const names[] = {
		"memory_backed", "irqmode", "blocksize", "size",
		"completion_nsec", "requeue_inject/probability",
		"requeue_inject/times", "requeue_inject/verbose",
		"requeue_inject/interval",
	};
	char vals[9][24], p[96];
	unsigned int i;
	int ret;

	ret = vt_nullb_ready();
	if (ret)
		return ret;
	snprintf(cfs, 32, "vt%d", getpid());
	snprintf(p, sizeof(p), VT_NULLB_CFS "/%s", cfs);
	if (mkdir(p, 0755) && errno != EEXIST)
		return -errno;
	snprintf(vals[0], 24, "1");
	snprintf(vals[1], 24, "2");		/* completions from a timer */
	snprintf(vals[2], 24, "512");
	snprintf(vals[3], 24, "%u", size_mb);
	snprintf(vals[4], 24, "%llu", completion_us * 1000ULL);
	snprintf(vals[5], 24, "%u", requeue_pct);
	snprintf(vals[6], 24, "%d", requeue_pct ? -1 : 0);
	snprintf(vals[7], 24, "0");
	snprintf(vals[8], 24, "1");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!requeue_pct && !strncmp(names[i], "requeue", 7))
			continue;
		ret = vt_nullb_set(cfs, names[i], vals[i]);
		if (ret)
			goto err;
	}
	ret = vt_nullb_set(cfs, "power", "1");
	if (ret)
		goto err;
	/* The disk takes the name of its configfs directory. */
	snprintf(dev, 32, "/dev/%s", cfs);
	for (i = 0; i < 100 && access(dev, F_OK); i++)
		usleep(10000);
	return access(dev, F_OK) ? -ENOENT : 0;
err:
	vt_nullb_destroy(cfs);
	return ret;
}

void vt_nullb_destroy(const char *cfs)
{
	char p[96];

	vt_nullb_set(cfs, "power", "0");
	snprintf(p, sizeof(p), VT_NULLB_CFS "/%s", cfs);
	rmdir(p);
}
