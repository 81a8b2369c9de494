// SPDX-License-Identifier: GPL-2.0
/*
 * vblk backing stores through the live data path: a block device (a loop
 * device over a file), a backing file opened with O_DIRECT, and a sparse
 * file.  A userspace guest (lib/vblk_guest.c) writes patterns, reads them
 * back and flushes; the bytes are then checked on the backing itself.
 *
 * Needs root and the vblk module loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define IMG_SIZE	(8U << 20)
#define CHUNK		(256U << 10)

static void pattern(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = x >> 24;
	}
}

/* Read @len bytes at @off from @path, bypassing the page cache if asked. */
static int read_back(const char *path, void *buf, size_t len, off_t off,
		     bool direct)
{
	void *tmp = NULL;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
	if (fd < 0)
		return -errno;
	if (posix_memalign(&tmp, 4096, len)) {
		close(fd);
		return -ENOMEM;
	}
	n = pread(fd, tmp, len, off);
	close(fd);
	if (n == (ssize_t)len)
		memcpy(buf, tmp, len);
	free(tmp);
	return n == (ssize_t)len ? 0 : -EIO;
}

FIXTURE(bk) {
	char name[VBLK_NAME_MAX];
	char img[VT_IMG_MAX];
	char loop[32];
	int loop_fd;
	struct vg g;
	bool attached;
	bool added;
	uint8_t *a, *b;
};

FIXTURE_SETUP(bk)
{
	self->loop_fd = -1;
	VT_NEED_ROOT_AND_VBLK();
	vt_disk_names(self->name, self->img, "vbk");
	ASSERT_EQ(0, vt_make_image(self->img, IMG_SIZE));
	self->a = malloc(CHUNK);
	self->b = malloc(CHUNK);
	ASSERT_TRUE(self->a && self->b);
}

FIXTURE_TEARDOWN(bk)
{
	if (self->attached)
		vg_detach(&self->g);
	if (self->added)
		vt_dev_del(self->name, true);
	vt_loop_detach(self->loop_fd);
	if (self->img[0])
		unlink(self->img);
	free(self->a);
	free(self->b);
}

static void start(struct __test_metadata *_metadata,
		  FIXTURE_DATA(bk) *self, const char *path, int oflags)
{
	int id = vt_dev_add(self->name, path, false, 0, oflags);

	ASSERT_LT(0, id) TH_LOG("dev-add %s: %s", path, strerror(-id));
	self->added = true;
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 16U << 20));
	self->attached = true;
	ASSERT_EQ(0, vg_init(&self->g, VG_F_EVENT_IDX, 64));
	ASSERT_EQ(IMG_SIZE / 512, vg_cfg_capacity(&self->g));
}

/*
 * Write CHUNK-sized patterns at a few offsets (first sector, middle, last
 * chunk), read each back through the device, flush, then compare with
 * what @path holds.
 */
static void round_trip(struct __test_metadata *_metadata,
		       FIXTURE_DATA(bk) *self, const char *path, bool direct)
{
	const uint64_t offs[] = { 0, 3 * CHUNK + 4096, IMG_SIZE - CHUNK };
	struct vnl_dev before, info;
	unsigned int i;

	ASSERT_EQ(0, vt_dev_get(self->name, &before));
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		pattern(self->a, CHUNK, i + 1);
		ASSERT_EQ(VIRTIO_BLK_S_OK,
			  vg_blk_write(&self->g, offs[i] / 512, self->a, CHUNK));
		memset(self->b, 0, CHUNK);
		ASSERT_EQ(VIRTIO_BLK_S_OK,
			  vg_blk_read(&self->g, offs[i] / 512, self->b, CHUNK));
		ASSERT_EQ(0, memcmp(self->a, self->b, CHUNK));
	}
	ASSERT_EQ(VIRTIO_BLK_S_OK,
		  vg_blk_io(&self->g, VIRTIO_BLK_T_FLUSH, 0, 0, 0));
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		pattern(self->a, CHUNK, i + 1);
		ASSERT_EQ(0, read_back(path, self->b, CHUNK, offs[i], direct));
		EXPECT_EQ(0, memcmp(self->a, self->b, CHUNK))
			TH_LOG("backing bytes at %llu differ",
			       (unsigned long long)offs[i]);
	}
	/* Counters moved by exactly what this round trip did. */
	ASSERT_EQ(0, vt_dev_get(self->name, &info));
	EXPECT_EQ(3, info.st.writes_completed - before.st.writes_completed);
	EXPECT_EQ(3, info.st.reads_completed - before.st.reads_completed);
	EXPECT_EQ(1, info.st.flushes_completed - before.st.flushes_completed);
	EXPECT_EQ(3 * CHUNK, info.st.bytes_written - before.st.bytes_written);
	EXPECT_EQ(3 * CHUNK, info.st.bytes_read - before.st.bytes_read);
	EXPECT_EQ(0, info.st.io_errors);
}

/*
 * Put a free loop device over the image; returns the image's fd (kept open
 * by the caller), -1 to skip (no loop support), or fails the test.
 */
static int loop_setup(struct __test_metadata *_metadata,
		      FIXTURE_DATA(bk) *self)
{
	int file = open(self->img, O_RDWR | O_CLOEXEC);

	EXPECT_LE(0, file);
	self->loop_fd = vt_loop_attach(file, self->loop);
	if (self->loop_fd == -ENODEV) {
		close(file);
		return -1;
	}
	EXPECT_LE(0, self->loop_fd) TH_LOG("loop device: %s", strerror(-self->loop_fd));
	return file;
}

/* A loop block device over the image is the backing. */
TEST_F(bk, block_device)
{
	int file;

	file = loop_setup(_metadata, self);
	if (file < 0)
		SKIP(return, "no /dev/loop-control");
	ASSERT_FALSE(_metadata->exit_code);
	close(file);

	start(_metadata, self, self->loop, 0);
	round_trip(_metadata, self, self->loop, true);
	/* And the file under the loop device holds the same bytes. */
	pattern(self->a, CHUNK, 1);
	ASSERT_EQ(0, read_back(self->img, self->b, CHUNK, 0, false));
	EXPECT_EQ(0, memcmp(self->a, self->b, CHUNK));
}

/*
 * The block device shrinks under the device (as a removed disk or a reduced
 * volume does): reads past its new end must fail, never read as zeros.
 */
TEST_F(bk, block_device_shrunk)
{
	struct vnl_dev info;
	int file;

	file = loop_setup(_metadata, self);
	if (file < 0)
		SKIP(return, "no /dev/loop-control");
	ASSERT_FALSE(_metadata->exit_code);
	start(_metadata, self, self->loop, 0);

	pattern(self->a, CHUNK, 7);
	ASSERT_EQ(VIRTIO_BLK_S_OK,
		  vg_blk_write(&self->g, (IMG_SIZE - CHUNK) / 512, self->a, CHUNK));
	/* Cut the device to half its size. */
	ASSERT_EQ(0, ftruncate(file, IMG_SIZE / 2));
	close(file);
	ASSERT_EQ(0, ioctl(self->loop_fd, LOOP_SET_CAPACITY, 0));

	memset(self->b, 0x5a, CHUNK);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  vg_blk_read(&self->g, (IMG_SIZE - CHUNK) / 512, self->b, CHUNK));
	/* Inside the remaining half, reads still work. */
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_read(&self->g, 0, self->b, CHUNK));
	ASSERT_EQ(0, vt_dev_get(self->name, &info));
	EXPECT_EQ(1, info.st.io_errors);
}

/* The backing file descriptor was opened with O_DIRECT. */
TEST_F(bk, odirect_file)
{
	int fd = open(self->img, O_RDWR | O_DIRECT | O_CLOEXEC);

	if (fd < 0 && errno == EINVAL)
		SKIP(return, "/tmp does not support O_DIRECT");
	ASSERT_LE(0, fd);
	close(fd);
	start(_metadata, self, self->img, O_DIRECT);
	round_trip(_metadata, self, self->img, true);
}

/* A sparse file: holes read as zeros, writes fill them, size unchanged. */
TEST_F(bk, sparse_file)
{
	struct stat st;

	start(_metadata, self, self->img, 0);
	memset(self->a, 0xff, CHUNK);
	ASSERT_EQ(VIRTIO_BLK_S_OK,
		  vg_blk_read(&self->g, (2 * CHUNK) / 512, self->a, CHUNK));
	memset(self->b, 0, CHUNK);
	EXPECT_EQ(0, memcmp(self->a, self->b, CHUNK));
	round_trip(_metadata, self, self->img, false);
	ASSERT_EQ(0, stat(self->img, &st));
	EXPECT_EQ(IMG_SIZE, st.st_size);
}

TEST_HARNESS_MAIN
