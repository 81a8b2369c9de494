/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "dp" fixture of the data-path selftests (vblk_datapath_test.c and
 * vblk_framing_test.c): an 8 MiB device on a backing file, attached
 * through the userspace guest driver (lib/vblk_guest.c) with split rings
 * with and without EVENT_IDX and indirect descriptors, and the counters
 * before the test. Include after kselftest_harness.h.
 */
#ifndef VBLK_DP_FIXTURE_H
#define VBLK_DP_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "vblk_guest.h"
#include "vblk_test_util.h"

#define IMG_SIZE	(8U << 20)
#define IMG_SECTORS	(IMG_SIZE / 512)
#define SHORT_FILE	(64U << 10)	/* backing size of the "short" device */
#define SHORT_CAP	(1U << 20)	/* its capacity */

/* A deterministic pattern that differs per sector and per seed. */
static inline void fill(void *buf, size_t len, uint64_t sector, uint32_t seed)
{
	uint32_t *w = buf;
	size_t i;

	for (i = 0; i < len / 4; i++)
		w[i] = (uint32_t)(sector + i / 128) * 2654435761u ^ seed ^
		       (uint32_t)i;
}

static inline int file_read(const char *path, void *buf, size_t len, off_t off)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static inline int file_write(const char *path, const void *buf, size_t len, off_t off)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pwrite(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

FIXTURE(dp) {
	char name[VBLK_NAME_MAX];
	char img[VT_IMG_MAX];
	struct vg g;
	bool attached;
	struct vnl_dev before;
};

FIXTURE_VARIANT(dp) {
	uint64_t features;
	bool indirect;
};

FIXTURE_VARIANT_ADD(dp, plain) {
	.features = 0,
	.indirect = false,
};

FIXTURE_VARIANT_ADD(dp, event_idx) {
	.features = VG_F_EVENT_IDX,
	.indirect = false,
};

FIXTURE_VARIANT_ADD(dp, indirect) {
	.features = VG_F_INDIRECT,
	.indirect = true,
};

FIXTURE_VARIANT_ADD(dp, event_idx_indirect) {
	.features = VG_F_EVENT_IDX | VG_F_INDIRECT,
	.indirect = true,
};

FIXTURE_SETUP(dp)
{
	int id;

	VT_NEED_ROOT_AND_VBLK();
	id = vt_disk_create(self->name, self->img, "vdp", IMG_SIZE, false);
	ASSERT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 32U << 20));
	self->attached = true;
	ASSERT_EQ(0, vg_init(&self->g, variant->features, VG_QMAX));
	ASSERT_EQ(variant->features, self->g.features &
		  (VG_F_EVENT_IDX | VG_F_INDIRECT))
		TH_LOG("device features %#llx",
		       (unsigned long long)self->g.dev_features);
	ASSERT_EQ(0, vt_dev_get(self->name, &self->before));
}

FIXTURE_TEARDOWN(dp)
{
	if (self->attached)
		vg_detach(&self->g);
	vt_disk_destroy(self->name, self->img);
}

/* Counters since setup. */
static inline struct vnl_dev delta(struct __test_metadata *_metadata,
			     const char *name, const struct vnl_dev *b)
{
	struct vnl_dev a;

	EXPECT_EQ(0, vt_dev_get(name, &a));
	a.st.reads_completed -= b->st.reads_completed;
	a.st.writes_completed -= b->st.writes_completed;
	a.st.flushes_completed -= b->st.flushes_completed;
	a.st.bytes_read -= b->st.bytes_read;
	a.st.bytes_written -= b->st.bytes_written;
	a.st.io_errors -= b->st.io_errors;
	a.st.invalid_avail_idx_count -= b->st.invalid_avail_idx_count;
	return a;
}

static inline int io(struct vg *g, bool indirect, uint32_t type, uint64_t sector,
	      uint64_t gpa, uint32_t len, unsigned int nseg)
{
	struct vg_req r = {
		.type = type, .sector = sector, .data_gpa = gpa,
		.data_len = len, .nseg = nseg, .indirect = indirect,
	};

	return vg_req_run(g, &r);
}

#endif /* VBLK_DP_FIXTURE_H */
