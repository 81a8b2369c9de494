// SPDX-License-Identifier: GPL-2.0
/*
 * A backing whose server dies: the kernel's nbd over a socket pair, served
 * by a small NBD server in a child process of the test (its disk is shared
 * memory the test reads). Requests reaching the server's "stall" area are
 * never answered. With a request stuck there, in both I/O modes of a
 * block device backing (buffered, and O_DIRECT: submitted asynchronously):
 *
 * - management keeps answering within a second, dev-del answers EBUSY and
 *   a forced dev-del returns at once; killing the server then ends the
 *   stuck request and the detach finishes ("del");
 * - or, without a delete, killing the server answers the stuck request
 *   S_IOERR and counts it;
 *
 * and once a server is back, a new device on an nbd connected to it
 * attaches and reads what was written before.
 *
 * Needs root, vblk loaded and CONFIG_BLK_DEV_NBD.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nbd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_admin.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define DISK_SIZE	(4U << 20)
#define STALL_AT	(2U << 20)	/* requests reaching here hang */
#define IO_LEN		4096
#define DEAD_MS		30000		/* a killed server is noticed by then */

/* ---- a small NBD server ------------------------------------------------------------ */

static int io_full(int fd, void *p, size_t n, bool write)
{
	uint8_t *b = p;

	while (n) {
		ssize_t r = write ? send(fd, b, n, MSG_NOSIGNAL) : read(fd, b, n);

		if (r <= 0)
			return -1;
		b += r;
		n -= r;
	}
	return 0;
}

/* Serve @disk on @sk until the client goes; never answer the stall area. */
static void serve(int sk, uint8_t *disk)
{
	struct nbd_request rq;
	struct nbd_reply rp = { .magic = htobe32(NBD_REPLY_MAGIC) };

	while (!io_full(sk, &rq, sizeof(rq), false)) {
		uint32_t type = be32toh(rq.type) & 0xffff, len = be32toh(rq.len);
		uint64_t from = be64toh(rq.from);
		bool bad = from > DISK_SIZE || len > DISK_SIZE - from;
		bool rw = type == NBD_CMD_READ || type == NBD_CMD_WRITE;

		if (type == NBD_CMD_DISC || be32toh(rq.magic) != NBD_REQUEST_MAGIC)
			return;
		if (type == NBD_CMD_WRITE && (bad || io_full(sk, disk + from, len, false)))
			return;
		if (rw && !bad && from + len > STALL_AT)
			for (;;)
				pause();
		memcpy(rp.handle, rq.handle, sizeof(rp.handle));
		rp.error = htobe32(bad && rw ? EIO : 0);
		if (io_full(sk, &rp, sizeof(rp), true))
			return;
		if (type == NBD_CMD_READ && !bad && io_full(sk, disk + from, len, true))
			return;
	}
}

struct nbdt {
	char dev[32];
	int fd;			/* the nbd device, while connected */
	int sk;			/* our end of the socket pair */
	pid_t srv;
	pthread_t doit;
	bool running;
	uint8_t *disk;		/* the server's disk, shared with it */
};

static void *doit_thread(void *p)
{
	struct nbdt *t = p;

	ioctl(t->fd, NBD_DO_IT);
	return NULL;
}

/*
 * An nbd device nobody serves, other than the one in @dev: the search
 * starts at a different device in every test, since a device just let go
 * may still be held by its last user for a moment.
 */
static int nbd_free(char dev[32])
{
	char was[32];
	int n = 0;

	snprintf(was, sizeof(was), "%s", dev);
	sscanf(was, "/dev/nbd%d", &n);
	for (int k = 1; k <= 16; k++) {
		int i = (getpid() + n + k) % 16;
		char pid[64];

		snprintf(pid, sizeof(pid), "/sys/block/nbd%d/pid", i);
		snprintf(dev, 32, "/dev/nbd%d", i);
		if (strcmp(dev, was) && access(pid, F_OK) && !access(dev, F_OK))
			return 0;
	}
	return -ENODEV;
}

/* The capacity of @t's nbd device in sectors, from sysfs; -1 if unknown. */
static long nbd_sectors(struct nbdt *t)
{
	char path[64];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/%s/size", t->dev + 5);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Configure the nbd device on @t->sk; the last opener's config may linger. */
static int nbd_configure(struct nbdt *t)
{
	int err = -EBUSY;

	for (int i = 0; i < 50 && err == -EBUSY; i++) {
		if (i)
			usleep(100 * 1000);
		if (t->fd >= 0)
			close(t->fd);
		t->fd = open(t->dev, O_RDWR | O_CLOEXEC);
		if (t->fd < 0)
			return -errno;
		err = ioctl(t->fd, NBD_SET_BLKSIZE, 512) ||
		      ioctl(t->fd, NBD_SET_SIZE_BLOCKS, DISK_SIZE / 512) ||
		      ioctl(t->fd, NBD_SET_FLAGS, NBD_FLAG_HAS_FLAGS |
			    NBD_FLAG_SEND_FLUSH) ||
		      ioctl(t->fd, NBD_SET_SOCK, t->sk) ? -errno : 0;
	}
	return err;
}

/* Start a server and connect the nbd device to it (NBD_DO_IT in a thread). */
static int nbd_up(struct nbdt *t)
{
	char pid[64];
	int sk[2], err;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk))
		return -errno;
	t->srv = fork();
	if (t->srv < 0)
		return -errno;
	if (!t->srv) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sk[0]);
		serve(sk[1], t->disk);
		_exit(0);
	}
	close(sk[1]);
	t->sk = sk[0];
	err = nbd_configure(t);
	if (err)
		return err;
	if (pthread_create(&t->doit, NULL, doit_thread, t))
		return -EAGAIN;
	t->running = true;
	snprintf(pid, sizeof(pid), "/sys/block/%s/pid", t->dev + 5);
	for (int i = 0; i < 500 && access(pid, F_OK); i++)
		usleep(10000);
	if (access(pid, F_OK))
		return -ETIMEDOUT;
	/* The pid shows before nbd sets the capacity: wait for that too. */
	for (int i = 0; i < 500 && nbd_sectors(t) != DISK_SIZE / 512; i++)
		usleep(10000);
	return nbd_sectors(t) == DISK_SIZE / 512 ? 0 : -ERANGE;
}

/*
 * dev-add of @name on @path: the id, or a negative errno with the
 * kernel's reason in @why.
 */
static int add_on(const char *name, const char *path, int oflags,
		  char why[VNL_MSG_MAX])
{
	struct vnl_add a = VNL_ADD(name, -1);
	uint32_t id = 0;
	struct vnl v;
	int ret;

	why[0] = 0;
	a.backing_fd = open(path, O_RDWR | O_CLOEXEC | oflags);
	if (a.backing_fd < 0)
		return -errno;
	ret = vnl_open(&v);
	if (!ret) {
		ret = vnl_dev_add(&v, &a, &id);
		snprintf(why, VNL_MSG_MAX, "%s", v.msg);
		vnl_close(&v);
	}
	close(a.backing_fd);
	return ret ? ret : (int)id;
}

/*
 * The client's side of a connection that ended: NBD_DO_IT returns, and,
 * as nbd-client does then, NBD_CLEAR_SOCK fails what was still in flight.
 */
static void nbd_ended(struct nbdt *t)
{
	if (!t->running)
		return;
	pthread_join(t->doit, NULL);
	ioctl(t->fd, NBD_CLEAR_SOCK);
	t->running = false;
}

/* The server dies (SIGKILL), and its client notices. */
static void nbd_kill(struct nbdt *t)
{
	if (t->srv > 0) {
		kill(t->srv, SIGKILL);
		waitpid(t->srv, NULL, 0);
		t->srv = 0;
	}
	nbd_ended(t);
}

/* Disconnect and let the device go. */
static void nbd_down(struct nbdt *t)
{
	if (t->running && t->srv > 0)
		ioctl(t->fd, NBD_DISCONNECT);
	nbd_ended(t);
	nbd_kill(t);
	if (t->fd >= 0)
		close(t->fd);
	if (t->sk >= 0)
		close(t->sk);
	t->fd = t->sk = -1;
}

/* ---- the tests -------------------------------------------------------------------- */

FIXTURE(nbd) {
	char name[VBLK_NAME_MAX];
	char name2[VBLK_NAME_MAX + 4];
	char spare[VT_IMG_MAX];
	struct nbdt t;
	struct vnl mon;
	bool mon_open;
	struct vg g;
	uint8_t *buf;
};

/* Both I/O modes of a block device backing: page cache, or direct. */
FIXTURE_VARIANT(nbd) { bool direct; };
FIXTURE_VARIANT_ADD(nbd, buffered) { .direct = false };
FIXTURE_VARIANT_ADD(nbd, direct) { .direct = true };

#define NBD_OFLAGS(variant)	((variant)->direct ? O_DIRECT : 0)

FIXTURE_SETUP(nbd)
{
	char why[VNL_MSG_MAX];
	int id, ret;

	self->t.fd = self->t.sk = -1;
	self->g.fd = -1;
	self->mon_open = false;
	VT_NEED_ROOT_AND_VBLK();
	self->t.dev[0] = 0;
	if (nbd_free(self->t.dev))
		SKIP(return, "no free nbd device (CONFIG_BLK_DEV_NBD)");
	vt_disk_names(self->name, self->spare, "vnb");
	snprintf(self->name2, sizeof(self->name2), "%sb", self->name);
	ASSERT_EQ(0, vt_make_image(self->spare, 1 << 20));
	self->t.disk = mmap(NULL, DISK_SIZE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->t.disk);
	self->buf = malloc(IO_LEN);
	ASSERT_NE(NULL, self->buf);
	ret = nbd_up(&self->t);
	ASSERT_EQ(0, ret) TH_LOG("nbd on %s: %s (%ld sectors)", self->t.dev,
				 strerror(-ret), nbd_sectors(&self->t));
	id = add_on(self->name, self->t.dev, NBD_OFLAGS(variant), why);
	ASSERT_LT(0, id) TH_LOG("dev-add on %s: %s (%s)", self->t.dev,
				strerror(-id), why);
	ASSERT_EQ(0, vnl_open(&self->mon));
	self->mon_open = true;
	ASSERT_EQ(0, vnl_monitor_join(&self->mon));
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 0));
	ASSERT_EQ(0, vg_init(&self->g, 0, 64));
}

FIXTURE_TEARDOWN(nbd)
{
	if (self->g.fd >= 0)
		vg_detach(&self->g);
	nbd_kill(&self->t);
	vt_del_prefix("vnb");
	nbd_down(&self->t);
	if (self->mon_open)
		vnl_close(&self->mon);
	unlink(self->spare);
	free(self->buf);
}

/* A write the server stores, then a read stuck in the stall area. */
static void write_then_stall(struct __test_metadata *_metadata,
			     FIXTURE_DATA(nbd) *self, struct vg_req *r)
{
	for (unsigned int i = 0; i < IO_LEN; i++)
		self->buf[i] = (uint8_t)(i * 5 + 1);
	ASSERT_EQ(VIRTIO_BLK_S_OK, vg_blk_write(&self->g, 8, self->buf, IO_LEN));
	/* Write-through: the server has it. */
	EXPECT_EQ(0, memcmp(self->t.disk + 8 * 512, self->buf, IO_LEN));

	memset(r, 0, sizeof(*r));
	r->type = VIRTIO_BLK_T_IN;
	r->sector = STALL_AT / 512;
	r->data_gpa = vg_alloc(&self->g, IO_LEN, 4096);
	r->data_len = IO_LEN;
	ASSERT_NE(0, r->data_gpa);
	ASSERT_EQ(0, vg_req_submit(&self->g, r));
	ASSERT_EQ(0, vg_kick(&self->g));
	usleep(500 * 1000);
	ASSERT_LE(0, vg_reap(&self->g));
	ASSERT_FALSE(r->done) TH_LOG("the server answered the stall area");
}

/*
 * The server is back (on another nbd device): a new device on it reads
 * what was written.
 */
static void comes_back(struct __test_metadata *_metadata,
		       FIXTURE_DATA(nbd) *self, int oflags)
{
	uint8_t *got = malloc(IO_LEN);
	char why[VNL_MSG_MAX];
	struct vg g2;
	int id, ret;

	ASSERT_NE(NULL, got);
	nbd_down(&self->t);
	ASSERT_EQ(0, nbd_free(self->t.dev));
	ret = nbd_up(&self->t);
	ASSERT_EQ(0, ret) TH_LOG("nbd again: %s (%ld sectors)", strerror(-ret),
				 nbd_sectors(&self->t));
	id = add_on(self->name2, self->t.dev, oflags, why);
	ASSERT_LT(0, id) TH_LOG("dev-add again: %s (%s)", strerror(-id), why);
	ASSERT_EQ(0, vg_attach(&g2, self->name2, 0));
	EXPECT_EQ(0, vg_init(&g2, 0, 64));
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_read(&g2, 8, got, IO_LEN));
	EXPECT_EQ(0, memcmp(got, self->buf, IO_LEN));
	vg_detach(&g2);
	free(got);
}

TEST_F_TIMEOUT(nbd, stuck_request_forced_delete, 180)
{
	struct vg_req r;

	write_then_stall(_metadata, self, &r);
	EXPECT_ADMIN_FAST(vt_dev_del(self->name, false), -EBUSY);
	EXPECT_ADMIN_ALIVE(self->name, true, self->spare);
	EXPECT_ADMIN_FAST(vt_dev_del(self->name, true), 0);
	EXPECT_ADMIN_ALIVE(self->name, false, self->spare);

	/* The server dies: the stuck transfer fails and the detach ends. */
	nbd_kill(&self->t);
	EXPECT_EQ(0, vt_wait_event(&self->mon, VBLK_EVENT_TYPE_DEL, self->name,
				   DEAD_MS));
	EXPECT_EQ(-ENODEV, vg_mmio_write(&self->g, VIRTIO_MMIO_STATUS, 4, 0));
	vg_detach(&self->g);
	comes_back(_metadata, self, NBD_OFLAGS(variant));
}

TEST_F_TIMEOUT(nbd, killed_server_is_ioerr, 180)
{
	struct vnl_dev d;
	uint64_t errs;
	struct vg_req r;

	ASSERT_EQ(0, vt_dev_get(self->name, &d));
	errs = d.st.io_errors;
	write_then_stall(_metadata, self, &r);
	EXPECT_ADMIN_ALIVE(self->name, true, self->spare);

	nbd_kill(&self->t);
	self->g.timeout_ms = DEAD_MS;
	ASSERT_EQ(0, vg_req_wait(&self->g, &r));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, r.status);
	/* The dead nbd fails what follows at once. */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, vg_blk_read(&self->g, 2048, self->buf, IO_LEN));
	ASSERT_EQ(0, vt_dev_get(self->name, &d));
	EXPECT_EQ(errs + 2, d.st.io_errors);

	vg_detach(&self->g);
	EXPECT_ADMIN_FAST(vt_dev_del(self->name, false), 0);
	for (unsigned int i = 0; i < IO_LEN; i++)
		self->buf[i] = (uint8_t)(i * 5 + 1);
	comes_back(_metadata, self, NBD_OFLAGS(variant));
}

TEST_HARNESS_MAIN
