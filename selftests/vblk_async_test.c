// SPDX-License-Identifier: GPL-2.0
/*
 * Asynchronous backing I/O through /dev/vblk: many requests in flight on
 * backings opened with O_DIRECT (a null_blk device whose timer completes
 * requests after 2 ms and sends some back to its queue once, a loop device,
 * a file on ext4), data checked against the backing, completions out of
 * submission order, a VMM killed with requests in flight, a forced delete
 * under load.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define AIO_DEPTH	64		/* requests in flight */
#define AIO_IO		4096		/* bytes per request */
#define AIO_SPAN	(AIO_DEPTH * AIO_IO)
#define AIO_SIZE_MB	16
#define AIO_KILLS	50

enum aio_backing { AIO_NULLB, AIO_LOOP, AIO_EXT4 };

static uint8_t pattern(unsigned int round, size_t i)
{
	return (uint8_t)(i * 13 + round * 71 + 5);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

FIXTURE(aio) {
	char name[VBLK_NAME_MAX];
	char path[160];		/* the backing as vblk opens it */
	char img[VT_IMG_MAX];	/* the file under a loop device */
	char mnt[64];
	char cfs[32];
	int loop_fd;
	bool mounted;
	struct vg g;
	bool attached;
	uint64_t buf;
};

FIXTURE_VARIANT(aio) {
	enum aio_backing backing;
};

FIXTURE_VARIANT_ADD(aio, null_blk) { .backing = AIO_NULLB };
FIXTURE_VARIANT_ADD(aio, loop) { .backing = AIO_LOOP };
FIXTURE_VARIANT_ADD(aio, ext4_file) { .backing = AIO_EXT4 };

/* A loop device over a sparse file in /tmp; its path in self->path. */
static int aio_loop(FIXTURE_DATA(aio) *self)
{
	int fd = vt_make_temp(self->img, AIO_SIZE_MB << 20);

	if (fd < 0)
		return fd;
	self->loop_fd = vt_loop_attach(fd, self->path);
	close(fd);
	return self->loop_fd < 0 ? self->loop_fd : 0;
}

/* ext4 on a loop device, and a file on it. */
static int aio_ext4(FIXTURE_DATA(aio) *self)
{
	char cmd[256], file[160];
	int ret = aio_loop(self);

	if (ret)
		return ret;
	snprintf(cmd, sizeof(cmd), "mkfs.ext4 -q -F %s >/dev/null 2>&1",
		 self->path);
	if (system(cmd))
		return -ENOEXEC;
	snprintf(self->mnt, sizeof(self->mnt), "/tmp/vaio-mnt%d", getpid());
	if (mkdir(self->mnt, 0700) ||
	    mount(self->path, self->mnt, "ext4", 0, NULL))
		return -errno;
	self->mounted = true;
	snprintf(file, sizeof(file), "%s/disk.img", self->mnt);
	ret = vt_make_image(file, 8 << 20);
	if (ret)
		return ret;
	snprintf(self->path, sizeof(self->path), "%s", file);
	return 0;
}

FIXTURE_SETUP(aio)
{
	int ret = 0, id;

	self->loop_fd = -1;
	VT_NEED_ROOT_AND_VBLK();
	switch (variant->backing) {
	case AIO_NULLB:
		ret = vt_nullb_create(self->path, self->cfs, AIO_SIZE_MB,
				      2000, 20);
		if (ret == -ENODEV)
			SKIP(return, "no null_blk (CONFIG_BLK_DEV_NULL_BLK)");
		break;
	case AIO_LOOP:
		ret = aio_loop(self);
		break;
	case AIO_EXT4:
		ret = aio_ext4(self);
		break;
	}
	if (ret == -ENODEV)
		SKIP(return, "no loop device support");
	ASSERT_EQ(0, ret) TH_LOG("backing: %s", strerror(-ret));
	snprintf(self->name, sizeof(self->name), "vaio%d", getpid());
	id = vt_dev_add(self->name, self->path, false, 0, O_DIRECT);
	ASSERT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 32U << 20));
	self->attached = true;
	ASSERT_EQ(0, vg_init(&self->g, VG_F_EVENT_IDX | VG_F_INDIRECT,
			     VG_QMAX));
	self->buf = vg_alloc(&self->g, AIO_SPAN, 4096);
	ASSERT_NE(0, self->buf);
}

FIXTURE_TEARDOWN(aio)
{
	if (self->attached)
		vg_detach(&self->g);
	if (self->name[0])
		vt_dev_del(self->name, true);
	if (self->mounted) {
		/* a forced delete lets go of the file in the background */
		for (int i = 0; i < 100 && umount(self->mnt); i++)
			usleep(20000);
		rmdir(self->mnt);
	}
	vt_loop_detach(self->loop_fd);
	if (self->img[0])
		unlink(self->img);
	if (self->cfs[0])
		vt_nullb_destroy(self->cfs);
}

/*
 * AIO_DEPTH requests of @type at once on sectors 0.., into or from the
 * buffer; the used ring's order of heads is compared with the submission
 * order. Returns the number of positions where they differ, or -errno.
 */
static int aio_batch(struct __test_metadata *_metadata, struct vg *g,
		     uint64_t buf, uint32_t type)
{
	struct vg_vq *vq = vg_queue(g, 0);
	struct vg_req r[AIO_DEPTH];
	uint16_t used0 = vq->last_used;
	int head[AIO_DEPTH], moved = 0;
	unsigned int i;

	for (i = 0; i < AIO_DEPTH; i++) {
		r[i] = (struct vg_req){
			.type = type, .sector = i * (AIO_IO / 512),
			.data_gpa = buf + i * AIO_IO, .data_len = AIO_IO,
			.indirect = true,
		};
		if (vg_q_req_submit(vq, &r[i]))
			return -ENOSPC;
		head[i] = r[i].head;
	}
	if (vg_q_kick_needed(vq) && vg_q_kick(vq))
		return -EIO;
	for (i = 0; i < AIO_DEPTH; i++) {
		EXPECT_EQ(0, vg_q_req_wait(vq, &r[i]));
		EXPECT_EQ(VIRTIO_BLK_S_OK, r[i].status) TH_LOG("request %u", i);
	}
	for (i = 0; i < AIO_DEPTH; i++) {
		uint16_t slot = (uint16_t)(used0 + i) % vq->num;

		moved += vq->vr.used->ring[slot].id != (uint32_t)head[i];
	}
	return moved;
}

/* The backing's bytes [0, AIO_SPAN), read with O_DIRECT. */
static int aio_backing_bytes(const char *path, uint8_t *out)
{
	void *b;
	int fd, ret = 0;

	if (posix_memalign(&b, 4096, AIO_SPAN))
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || pread(fd, b, AIO_SPAN, 0) != AIO_SPAN)
		ret = -EIO;
	if (fd >= 0)
		close(fd);
	memcpy(out, b, AIO_SPAN);
	free(b);
	return ret;
}

TEST_F(aio, many_in_flight_data_verified)
{
	uint8_t *p = vg_hva(&self->g, self->buf), *file;
	struct vnl_dev before, after;
	int round, moved, total = 0;
	size_t i, bad;

	file = malloc(AIO_SPAN);
	ASSERT_NE(NULL, file);
	ASSERT_EQ(0, vt_dev_get(self->name, &before));
	for (round = 0; round < 4; round++) {
		for (i = 0; i < AIO_SPAN; i++)
			p[i] = pattern(round, i);
		moved = aio_batch(_metadata, &self->g, self->buf,
				  VIRTIO_BLK_T_OUT);
		ASSERT_LE(0, moved);
		total += moved;
		ASSERT_EQ(0, aio_backing_bytes(self->path, file));
		for (i = 0, bad = 0; i < AIO_SPAN; i++)
			bad += file[i] != pattern(round, i);
		EXPECT_EQ(0, bad) TH_LOG("round %d: backing differs", round);

		memset(p, 0, AIO_SPAN);
		moved = aio_batch(_metadata, &self->g, self->buf,
				  VIRTIO_BLK_T_IN);
		ASSERT_LE(0, moved);
		total += moved;
		for (i = 0, bad = 0; i < AIO_SPAN; i++)
			bad += p[i] != pattern(round, i);
		EXPECT_EQ(0, bad) TH_LOG("round %d: read back differs", round);
	}
	free(file);
	ASSERT_EQ(0, vt_dev_get(self->name, &after));
	EXPECT_EQ(4 * AIO_DEPTH,
		  after.st.writes_completed - before.st.writes_completed);
	EXPECT_EQ(4 * AIO_DEPTH,
		  after.st.reads_completed - before.st.reads_completed);
	EXPECT_EQ(before.st.io_errors, after.st.io_errors);
	TH_LOG("completions out of submission order: %d of %d", total,
	       8 * AIO_DEPTH);
	/* null_blk sends some requests back to its queue: later completions */
	if (variant->backing == AIO_NULLB)
		EXPECT_LT(0, total);
}

/* Attach, start AIO_DEPTH reads and die with them in flight. */
static void aio_child_kill_in_flight(const char *name)
{
	struct vg g;
	struct vg_req r[AIO_DEPTH];
	struct vg_vq *vq;
	uint64_t buf;
	unsigned int i;

	if (vg_attach(&g, name, 8U << 20) || vg_init(&g, 0, VG_QMAX))
		_exit(2);
	vq = vg_queue(&g, 0);
	buf = vg_alloc(&g, AIO_SPAN, 4096);
	for (i = 0; i < AIO_DEPTH; i++) {
		r[i] = (struct vg_req){
			.type = VIRTIO_BLK_T_IN, .sector = i * 8,
			.data_gpa = buf + i * AIO_IO, .data_len = AIO_IO,
			.indirect = true,
		};
		if (vg_q_req_submit(vq, &r[i]))
			_exit(3);
	}
	vg_q_kick(vq);
	kill(getpid(), SIGKILL);
	_exit(4);
}

static bool aio_detached(const char *name)
{
	struct vnl_dev d;

	for (int i = 0; i < 300; i++) {
		if (!vt_dev_get(name, &d) && !d.vmm_attached)
			return true;
		usleep(10000);
	}
	return false;
}

TEST_F(aio, sigkill_with_requests_in_flight)
{
	int i, status;
	pid_t pid;
	uint8_t one[512];

	/* give the device back: the children attach in turn */
	vg_detach(&self->g);
	self->attached = false;
	for (i = 0; i < AIO_KILLS; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid)
			aio_child_kill_in_flight(self->name);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("round %d: child status %#x", i, status);
		ASSERT_TRUE(aio_detached(self->name)) TH_LOG("round %d", i);
	}
	/* and the device still serves a new VMM */
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 8U << 20));
	self->attached = true;
	ASSERT_EQ(0, vg_init(&self->g, 0, 64));
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_read(&self->g, 0, one, sizeof(one)));
}

/* A VMM that keeps AIO_DEPTH requests in flight until it loses the device. */
static void aio_child_load(const char *name, int ready)
{
	struct vg g;
	struct vg_vq *vq;
	uint64_t buf;
	char c = 1;

	if (vg_attach(&g, name, 8U << 20) || vg_init(&g, 0, VG_QMAX))
		_exit(2);
	vq = vg_queue(&g, 0);
	buf = vg_alloc(&g, AIO_SPAN, 4096);
	g.timeout_ms = 2000;
	if (write(ready, &c, 1) != 1)
		_exit(3);
	for (;;) {
		struct vg_req r[AIO_DEPTH];
		unsigned int i;

		for (i = 0; i < AIO_DEPTH; i++) {
			r[i] = (struct vg_req){
				.type = i % 2 ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT,
				.sector = i * 8, .data_gpa = buf + i * AIO_IO,
				.data_len = AIO_IO, .indirect = true,
			};
			if (vg_q_req_submit(vq, &r[i]))
				_exit(4);
		}
		if (vg_q_kick(vq))
			_exit(0);
		for (i = 0; i < AIO_DEPTH; i++) {
			if (vg_q_req_wait(vq, &r[i]))
				_exit(0);	/* detached: nothing completes */
		}
	}
}

TEST_F(aio, forced_delete_under_load)
{
	int p[2], status;
	double t0, took;
	pid_t pid;
	char c;

	vg_detach(&self->g);
	self->attached = false;
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p[0]);
		aio_child_load(self->name, p[1]);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	close(p[0]);
	usleep(300000);
	t0 = now_s();
	EXPECT_EQ(0, vt_dev_del(self->name, true));
	took = now_s() - t0;
	EXPECT_GT(1.0, took) TH_LOG("forced delete took %.3f s", took);
	self->name[0] = '\0';
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("load status %#x", status);
}

TEST_HARNESS_MAIN
