/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk_test_util: the fixture prologues the selftests share: preconditions,
 * backing images and temporary files, one-shot device requests through the
 * client library (user/lib/vnl.h), loop devices.
 *
 * Functions return 0 (or an id, or a descriptor) on success and a negative
 * errno on failure.
 */
#ifndef VBLK_TEST_UTIL_H
#define VBLK_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "vnl.h"

#define VT_IMG_MAX	64	/* size of an image path buffer */

/* Skip the test unless run as root with vblk.ko loaded (harness SKIP). */
#define VT_NEED_ROOT_AND_VBLK() do {					\
	if (geteuid())							\
		SKIP(return, "needs root");				\
	if (!vt_module_loaded())					\
		SKIP(return, "vblk is not loaded");			\
} while (0)

bool vt_module_loaded(void);
/* Load the module file @ko (finit_module) / unload vblk: 0 or -errno. */
int vt_module_load(const char *ko);
int vt_module_unload(void);
/* Whether /dev/vblk/@name exists. */
bool vt_node_exists(const char *name);

/* Create (or truncate) @path as a sparse file of @size bytes. */
int vt_make_image(const char *path, uint64_t size);
/* A new /tmp/vblk-XXXXXX of @size bytes, its path in @path: the open fd. */
int vt_make_temp(char path[VT_IMG_MAX], uint64_t size);

/*
 * dev-add on @path opened read-write (read-only if @ro) with @oflags;
 * @capacity 0: the default. Returns the new id or a negative errno.
 */
int vt_dev_add(const char *name, const char *path, bool ro, uint64_t capacity,
	       int oflags);
/* The same with a queue count (0: not sent, the default). */
int vt_dev_add_queues(const char *name, const char *path, bool ro,
		      uint64_t capacity, int oflags, uint32_t queues);
int vt_dev_del(const char *name, bool force);
int vt_dev_get(const char *name, struct vnl_dev *d);
/* Delete (force) every device whose name starts with @prefix. */
void vt_del_prefix(const char *prefix);

/* A test's device and image names: "@prefix<pid>", "/tmp/@prefix<pid>.img". */
void vt_disk_names(char name[VBLK_NAME_MAX], char img[VT_IMG_MAX],
		   const char *prefix);
/*
 * The usual prologue: vt_disk_names(), a sparse image of @size bytes and a
 * device on it. Returns the id or a negative errno; vt_disk_destroy()
 * undoes what was done.
 */
int vt_disk_create(char name[VBLK_NAME_MAX], char img[VT_IMG_MAX],
		   const char *prefix, uint64_t size, bool ro);
void vt_disk_destroy(const char *name, const char *img);

/*
 * A free loop device over the open file @file: its path in @dev, returns
 * its descriptor; -ENODEV when the kernel has no loop support.
 */
int vt_loop_attach(int file, char dev[32]);
/* The same with a logical block size (losetup -b; 0: the default 512). */
int vt_loop_attach_bs(int file, char dev[32], unsigned int block_size);
void vt_loop_detach(int loop_fd);

/*
 * A memory-backed null_blk device made through configfs (the module is
 * loaded from the test kernel's build, $VBLK_KDIR, when needed): @size_mb
 * MiB, every request completed by a timer @completion_us after it starts,
 * and @requeue_pct percent of requests sent back to the queue once (so
 * completions come out of order). Its path in @dev, its configfs name in
 * @cfs; -ENODEV without null_blk.
 */
int vt_nullb_create(char dev[32], char cfs[32], unsigned int size_mb,
		    unsigned int completion_us, unsigned int requeue_pct);
void vt_nullb_destroy(const char *cfs);

#endif /* VBLK_TEST_UTIL_H */
