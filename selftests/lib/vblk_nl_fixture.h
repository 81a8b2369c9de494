/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "nl" fixture of the control-plane selftests (vblk_nl_test.c and
 * vblk_nl_refuse_test.c): a client socket, a 1 MiB read-write backing file
 * and the number of devices before the test; the teardown deletes every
 * "nlt*" device. Include after kselftest_harness.h.
 */
#ifndef VBLK_NL_FIXTURE_H
#define VBLK_NL_FIXTURE_H

#include <string.h>
#include <unistd.h>

#include "vblk_test_util.h"

#define MIB (1ULL << 20)

/* The refusal must carry @err and an extack message containing @text. */
#define EXPECT_REFUSED(v, ret, err, text) do {				\
	EXPECT_EQ(-(err), (ret));					\
	EXPECT_TRUE(strstr((v)->msg, (text)) != NULL)			\
		TH_LOG("extack \"%s\", wanted \"%s\"", (v)->msg, (text)); \
} while (0)

FIXTURE(nl) {
	struct vnl v;
	char path[VT_IMG_MAX];
	int fd;		/* 1 MiB backing file, read-write */
	int ndevs;	/* devices before the test */
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, vnl_open(&self->v)) TH_LOG("vblk family missing: module not loaded?");
	self->fd = vt_make_temp(self->path, MIB);
	ASSERT_LE(0, self->fd);
	self->ndevs = vnl_dev_count(&self->v);
	ASSERT_LE(0, self->ndevs);
}

FIXTURE_TEARDOWN(nl)
{
	vt_del_prefix("nlt");
	vnl_close(&self->v);
	close(self->fd);
	unlink(self->path);
}

/* The add was refused and left no device and no node behind. */
#define EXPECT_NOTHING_LEFT(self, name) do {				\
	EXPECT_EQ((self)->ndevs, vnl_dev_count(&(self)->v));		\
	EXPECT_FALSE(vt_node_exists(name));				\
} while (0)

/* dev-add @name on @fd with the @n throttle limits @attrs = @vals. */
static inline int add_throttled(struct vnl *v, int fd, const char *name,
				int n, const int *attrs, const uint64_t *vals)
{
	struct vnl_add a = VNL_ADD(name, fd);

	a.throttle = true;
	for (int i = 0; i < n; i++) {
		a.thr[attrs[i]] = vals[i];
		a.thr_set[attrs[i]] = true;
	}
	return vnl_dev_add(v, &a, NULL);
}

#endif /* VBLK_NL_FIXTURE_H */
