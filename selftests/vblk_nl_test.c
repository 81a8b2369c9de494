// SPDX-License-Identifier: GPL-2.0
/*
 * The "vblk" generic netlink family: every operation, every refusal (errno
 * and extended ack), privileges, dumps of many devices, concurrent add/del
 * with a final consistency check, notifications, and module unload with
 * devices present.
 *
 * Runs as root in the test host with vblk.ko loaded; VBLK_KO names the
 * module file (for the unload/reload test).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/loop.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_nl_util.h"

#define MIB (1ULL << 20)

/* The refusal must carry @err and an extack message containing @text. */
#define EXPECT_REFUSED(v, ret, err, text) do {				\
	EXPECT_EQ(-(err), (ret));					\
	EXPECT_TRUE(strstr((v)->msg, (text)) != NULL)			\
		TH_LOG("extack \"%s\", wanted \"%s\"", (v)->msg, (text)); \
} while (0)

static int make_file(char *path, uint64_t size)
{
	int fd;

	strcpy(path, "/tmp/vblk-nl-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool node_exists(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "/dev/vblk/%s", name);
	return access(p, F_OK) == 0;
}

/* Delete every device whose name starts with "nlt". */
static void cleanup_devs(void)
{
	struct vnl_dev *devs = NULL;
	struct vnl v;
	int n = 0;

	if (vnl_open(&v))
		return;
	if (!vnl_dev_dump(&v, &devs, &n))
		for (int i = 0; i < n; i++)
			if (!strncmp(devs[i].name, "nlt", 3))
				vnl_dev_del(&v, devs[i].name, true);
	free(devs);
	vnl_close(&v);
}

FIXTURE(nl) {
	struct vnl v;
	char path[64];
	int fd;		/* 1 MiB backing file, read-write */
	int ndevs;	/* devices before the test */
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, vnl_open(&self->v)) TH_LOG("vblk family missing: module not loaded?");
	self->fd = make_file(self->path, MIB);
	ASSERT_LE(0, self->fd);
	self->ndevs = vnl_dev_count(&self->v);
	ASSERT_LE(0, self->ndevs);
}

FIXTURE_TEARDOWN(nl)
{
	cleanup_devs();
	vnl_close(&self->v);
	close(self->fd);
	unlink(self->path);
}

/* The add was refused and left no device and no node behind. */
#define EXPECT_NOTHING_LEFT(self, name) do {				\
	EXPECT_EQ((self)->ndevs, vnl_dev_count(&(self)->v));		\
	EXPECT_FALSE(node_exists(name));				\
} while (0)

TEST_F(nl, add_get_del)
{
	struct vnl_add a = VNL_ADD("nlt-basic", self->fd);
	struct vnl_dev d, d2;
	uint32_t id = 0;

	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	EXPECT_NE(0, id);
	EXPECT_TRUE(node_exists("nlt-basic"));

	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-basic", &d));
	EXPECT_EQ(id, d.id);
	EXPECT_STREQ("nlt-basic", d.name);
	EXPECT_STREQ(self->path, d.path);
	EXPECT_EQ(MIB, d.capacity);
	EXPECT_EQ(0, d.read_only);
	EXPECT_STREQ("", d.serial);
	EXPECT_EQ(0, d.vmm_attached);
	EXPECT_EQ(0, d.status);
	EXPECT_EQ(0, d.features);
	EXPECT_NE(0, d.device_features);
	EXPECT_EQ(1, d.nqueues);
	EXPECT_TRUE(d.has_stats);
	for (int i = 1; i <= VBLK_A_STATS_MAX; i++)
		EXPECT_EQ(0, d.stats[i]);
	EXPECT_TRUE(d.has_throttle);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_IOPS]);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_BPS]);
	EXPECT_EQ(self->ndevs + 1, vnl_dev_count(&self->v));

	ASSERT_EQ(0, vnl_dev_get_id(&self->v, id, &d2));
	EXPECT_STREQ("nlt-basic", d2.name);

	ASSERT_EQ(0, vnl_dev_del_id(&self->v, id));
	EXPECT_FALSE(node_exists("nlt-basic"));
	EXPECT_REFUSED(&self->v, vnl_dev_get(&self->v, "nlt-basic", &d),
		       ENOENT, "name: no such device");
	EXPECT_EQ(self->ndevs, vnl_dev_count(&self->v));

	/* Ids are not reused. */
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	EXPECT_LT(d.id, id);
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-basic", false));
}

TEST_F(nl, capacity_default_rounds_down)
{
	struct vnl_add a = VNL_ADD("nlt-round", self->fd);
	struct vnl_dev d;

	ASSERT_EQ(0, ftruncate(self->fd, MIB + 511));
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-round", &d));
	EXPECT_EQ(MIB, d.capacity);
}

TEST_F(nl, capacity_explicit_beyond_file)
{
	struct vnl_add a = VNL_ADD("nlt-big", self->fd);
	struct vnl_dev d;

	a.capacity = 64 * MIB;
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-big", &d));
	EXPECT_EQ(64 * MIB, d.capacity);
	/* The file itself is not grown. */
	EXPECT_EQ((off_t)MIB, lseek(self->fd, 0, SEEK_END));
}

TEST_F(nl, read_only_device)
{
	struct vnl_add a = VNL_ADD("nlt-ro", -1);
	struct vnl_dev d;
	int fd = open(self->path, O_RDONLY);

	ASSERT_LE(0, fd);
	a.fd = fd;
	a.read_only = 1;
	a.serial = "RO-SERIAL-0123456789";	/* exactly 20 */
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	close(fd);	/* vblk keeps its own reference */
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-ro", &d));
	EXPECT_EQ(1, d.read_only);
	EXPECT_STREQ("RO-SERIAL-0123456789", d.serial);
	EXPECT_STREQ(self->path, d.path);
	/* VIRTIO_BLK_F_RO (bit 5) is offered. */
	EXPECT_TRUE(d.device_features & (1ULL << 5));
}

TEST_F(nl, refuse_missing_attributes)
{
	struct vnl_add a = VNL_ADD(NULL, self->fd);

	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "name: missing");
	EXPECT_EQ(VBLK_A_DEV_NAME, self->v.miss_type);

	a.name = "nlt-nofd";
	a.no_fd = true;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: missing");
	EXPECT_EQ(VBLK_A_DEV_BACKING_FD, self->v.miss_type);
	EXPECT_NOTHING_LEFT(self, "nlt-nofd");

	/* del/get/set without id or name */
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, vnl_msg(&self->v, VBLK_CMD_DEV_DEL, 0),
					  NULL, NULL), EINVAL, "name: missing");
	EXPECT_EQ(VBLK_A_DEV_NAME, self->v.miss_type);
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, vnl_msg(&self->v, VBLK_CMD_DEV_GET, 0),
					  NULL, NULL), EINVAL, "name: missing");
	{
		struct nl_msg *m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);

		nla_put_string(m, VBLK_A_DEV_SERIAL, "x");
		EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL),
			       EINVAL, "name: missing");
		EXPECT_EQ(VBLK_A_DEV_NAME, self->v.miss_type);
	}
}

TEST_F(nl, refuse_bad_names)
{
	static const char *const bad[] = {
		"", "a/b", "a b", ".", "..", "x\ty", "caf\xc3\xa9", "a*",
		"nlt-0123456789012345678901234567",	/* 32 characters */
	};
	struct vnl_add a = VNL_ADD(NULL, self->fd);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a.name = bad[i];
		EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
			       "name: ");
		EXPECT_TRUE(self->v.bad_attr);
	}
	a.name = "nlt-0123456789012345678901234567";
	vnl_dev_add(&self->v, &a, NULL);
	EXPECT_STREQ("name: longer than 31 characters", self->v.msg);
	a.name = "a/b";
	vnl_dev_add(&self->v, &a, NULL);
	EXPECT_STREQ("name: only A-Z a-z 0-9 _ . - allowed, not . or ..", self->v.msg);
	EXPECT_EQ(self->ndevs, vnl_dev_count(&self->v));

	/* 31 characters and every allowed character class are fine. */
	a.name = "nlt-012345678901234567890123456";
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	a.name = "nlt_A.z-9";
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
}

TEST_F(nl, refuse_duplicate_name)
{
	struct vnl_add a = VNL_ADD("nlt-dup", self->fd);
	uint32_t id;

	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EEXIST,
		       "name: a device with this name exists");
	EXPECT_TRUE(self->v.bad_attr);
	EXPECT_EQ(self->ndevs + 1, vnl_dev_count(&self->v));
	EXPECT_TRUE(node_exists("nlt-dup"));
}

TEST_F(nl, refuse_bad_fds)
{
	struct vnl_add a = VNL_ADD("nlt-fd", 9999);
	int dir, pfd[2], null, wo, app;

	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EBADF,
		       "backing-fd: not an open file descriptor");
	EXPECT_TRUE(self->v.bad_attr);
	a.fd = -1;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EBADF,
		       "backing-fd: not an open file descriptor");

	dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dir);
	a.fd = dir;
	a.read_only = 1;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: not a regular file or block device");
	close(dir);

	ASSERT_EQ(0, pipe(pfd));
	a.fd = pfd[0];
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: not a regular file or block device");
	close(pfd[0]);
	close(pfd[1]);

	null = open("/dev/null", O_RDWR);
	ASSERT_LE(0, null);
	a.fd = null;
	a.read_only = -1;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: not a regular file or block device");
	close(null);

	/* A read-only descriptor for a writable device. */
	a.fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, a.fd);
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EBADF,
		       "backing-fd: not open for writing");
	a.read_only = 0;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EBADF,
		       "backing-fd: not open for writing");
	close(a.fd);

	/* Not readable at all. */
	wo = open(self->path, O_WRONLY);
	ASSERT_LE(0, wo);
	a.fd = wo;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EBADF,
		       "backing-fd: not open for reading");
	close(wo);

	/* O_APPEND would turn positioned writes into appends. */
	app = open(self->path, O_RDWR | O_APPEND);
	ASSERT_LE(0, app);
	a.fd = app;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: opened with O_APPEND");
	/* ... but is harmless for a read-only device. */
	a.read_only = 1;
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	close(app);
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-fd", false));
	EXPECT_NOTHING_LEFT(self, "nlt-fd");
}

TEST_F(nl, refuse_bad_capacity)
{
	struct vnl_add a = VNL_ADD("nlt-cap", self->fd);
	char epath[64];
	int efd;

	a.capacity = 1000;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "capacity: must be a non-zero multiple of 512");
	EXPECT_TRUE(self->v.bad_attr);
	a.capacity = MIB + 1;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "capacity: must be a non-zero multiple of 512");
	/* Explicit zero is sent as an attribute holding 0. */
	{
		struct nl_msg *m = vnl_msg(&self->v, VBLK_CMD_DEV_ADD, 0);

		nla_put_string(m, VBLK_A_DEV_NAME, "nlt-cap");
		nla_put_s32(m, VBLK_A_DEV_BACKING_FD, self->fd);
		nla_put_u64(m, VBLK_A_DEV_CAPACITY, 0);
		EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL),
			       EINVAL, "capacity: must be a non-zero multiple of 512");
	}
	a.capacity = 1ULL << 63;	/* beyond any file system (loff_t) */
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "capacity: larger than the file system allows");

	/* An empty file has no default capacity. */
	efd = make_file(epath, 0);
	ASSERT_LE(0, efd);
	a = VNL_ADD("nlt-cap", efd);
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: smaller than 512 bytes; give a capacity");
	ASSERT_EQ(0, ftruncate(efd, 511));
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: smaller than 512 bytes");
	EXPECT_NOTHING_LEFT(self, "nlt-cap");
	a.capacity = 4096;
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	close(efd);
	unlink(epath);
}

TEST_F(nl, refuse_bad_serial_and_flags)
{
	struct vnl_add a = VNL_ADD("nlt-ser", self->fd);

	a.serial = "012345678901234567890";	/* 21 */
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "serial: longer than 20 characters");
	EXPECT_TRUE(self->v.bad_attr);
	a.serial = "bad\nserial";
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "serial: only printable ASCII allowed");
	a.serial = NULL;
	a.read_only = 2;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "read-only: must be 0 or 1");
	EXPECT_NOTHING_LEFT(self, "nlt-ser");
}

static int add_throttled(struct vnl *v, int fd, const char *name,
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

TEST_F(nl, refuse_bad_throttle)
{
	static const struct {
		int n;
		int attrs[2];
		uint64_t vals[2];
		const char *msg;
	} cases[] = {
		{ 1, { VBLK_A_THROTTLE_IOPS }, { 0 },
		  "iops: must be non-zero (omit it for no limit)" },
		{ 1, { VBLK_A_THROTTLE_BPS }, { 0 },
		  "bps: must be non-zero (omit it for no limit)" },
		{ 1, { VBLK_A_THROTTLE_IOPS_BURST }, { 100 },
		  "iops-burst: given without iops" },
		{ 1, { VBLK_A_THROTTLE_BPS_BURST }, { 100 },
		  "bps-burst: given without bps" },
		{ 2, { VBLK_A_THROTTLE_IOPS, VBLK_A_THROTTLE_IOPS_BURST },
		  { 100, 99 }, "iops-burst: below iops" },
		{ 2, { VBLK_A_THROTTLE_BPS, VBLK_A_THROTTLE_BPS_BURST },
		  { 1 << 20, 4096 }, "bps-burst: below bps" },
		{ 1, { VBLK_A_THROTTLE_IOPS }, { 1ULL << 60 }, "iops: above 2^40" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_REFUSED(&self->v,
			       add_throttled(&self->v, self->fd, "nlt-thr",
					     cases[i].n, cases[i].attrs,
					     cases[i].vals),
			       EINVAL, cases[i].msg);
		EXPECT_TRUE(self->v.bad_attr);
	}
	EXPECT_NOTHING_LEFT(self, "nlt-thr");
}

TEST_F(nl, throttle_add_and_set)
{
	static const int both[] = { VBLK_A_THROTTLE_IOPS, VBLK_A_THROTTLE_BPS };
	static const uint64_t vals[] = { 100, 10 * MIB };
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1] = { 0 };
	bool set[VBLK_A_THROTTLE_MAX + 1] = { 0 };
	struct nl_msg *m;
	struct vnl_dev d;

	ASSERT_EQ(0, add_throttled(&self->v, self->fd, "nlt-t", 2, both, vals));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-t", &d));
	EXPECT_EQ(100, d.thr[VBLK_A_THROTTLE_IOPS]);
	EXPECT_EQ(100, d.thr[VBLK_A_THROTTLE_IOPS_BURST]);	/* one second */
	EXPECT_EQ(10 * MIB, d.thr[VBLK_A_THROTTLE_BPS]);
	EXPECT_EQ(10 * MIB, d.thr[VBLK_A_THROTTLE_BPS_BURST]);

	/* dev-set replaces the whole configuration. */
	thr[VBLK_A_THROTTLE_IOPS] = 50;
	thr[VBLK_A_THROTTLE_IOPS_BURST] = 200;
	set[VBLK_A_THROTTLE_IOPS] = set[VBLK_A_THROTTLE_IOPS_BURST] = true;
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-t");
	vnl_put_throttle(m, thr, set);
	ASSERT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-t", &d));
	EXPECT_EQ(50, d.thr[VBLK_A_THROTTLE_IOPS]);
	EXPECT_EQ(200, d.thr[VBLK_A_THROTTLE_IOPS_BURST]);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_BPS]);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_BPS_BURST]);

	/* A refused change changes nothing. */
	thr[VBLK_A_THROTTLE_IOPS_BURST] = 10;
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-t");
	nla_put_string(m, VBLK_A_DEV_SERIAL, "NOT-APPLIED");
	vnl_put_throttle(m, thr, set);
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), EINVAL,
		       "iops-burst: below iops");
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-t", &d));
	EXPECT_EQ(200, d.thr[VBLK_A_THROTTLE_IOPS_BURST]);
	EXPECT_STREQ("", d.serial);

	/* An empty nest lifts every limit. */
	memset(set, 0, sizeof(set));
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-t");
	vnl_put_throttle(m, thr, set);
	ASSERT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-t", &d));
	EXPECT_TRUE(d.has_throttle);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_IOPS]);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_BPS]);
}

TEST_F(nl, set_serial_capacity_read_only)
{
	struct vnl_add a = VNL_ADD("nlt-set", self->fd);
	struct nl_msg *m;
	struct vnl_dev d;
	uint32_t id;

	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));

	/* A dev-set that names nothing to change is refused. */
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_u32(m, VBLK_A_DEV_ID, id);
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), EINVAL,
		       "throttle: missing (nothing to change)");
	EXPECT_EQ(VBLK_A_DEV_THROTTLE, self->v.miss_type);

	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_u32(m, VBLK_A_DEV_ID, id);
	nla_put_string(m, VBLK_A_DEV_SERIAL, "NEW-SERIAL");
	ASSERT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-set", &d));
	EXPECT_STREQ("NEW-SERIAL", d.serial);

	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-set");
	nla_put_string(m, VBLK_A_DEV_SERIAL, "0123456789abcdefghijk");
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), EINVAL,
		       "serial: longer than 20 characters");

	/* Capacity and read-only: restating is fine, changing is not. */
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-set");
	nla_put_u64(m, VBLK_A_DEV_CAPACITY, MIB);
	nla_put_u8(m, VBLK_A_DEV_READ_ONLY, 0);
	EXPECT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));

	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-set");
	nla_put_u64(m, VBLK_A_DEV_CAPACITY, 2 * MIB);
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), EOPNOTSUPP,
		       "capacity: cannot be changed on a live device");
	EXPECT_TRUE(self->v.bad_attr);

	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-set");
	nla_put_u8(m, VBLK_A_DEV_READ_ONLY, 1);
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), EOPNOTSUPP,
		       "read-only: cannot be changed on a live device");

	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-set", &d));
	EXPECT_EQ(MIB, d.capacity);
	EXPECT_EQ(0, d.read_only);
	EXPECT_STREQ("NEW-SERIAL", d.serial);
}

TEST_F(nl, unknown_device)
{
	struct vnl_add a = VNL_ADD("nlt-known", self->fd);
	struct nl_msg *m;
	struct vnl_dev d;
	uint32_t id;

	EXPECT_REFUSED(&self->v, vnl_dev_get(&self->v, "nlt-nope", &d), ENOENT,
		       "name: no such device");
	EXPECT_TRUE(self->v.bad_attr);
	EXPECT_REFUSED(&self->v, vnl_dev_del(&self->v, "nlt-nope", false), ENOENT,
		       "name: no such device");
	EXPECT_REFUSED(&self->v, vnl_dev_del(&self->v, "nlt-nope", true), ENOENT,
		       "name: no such device");
	EXPECT_REFUSED(&self->v, vnl_dev_get_id(&self->v, 0x7ffffff0, &d), ENOENT,
		       "id: no such device");
	EXPECT_REFUSED(&self->v, vnl_dev_del_id(&self->v, 0x7ffffff0), ENOENT,
		       "id: no such device");
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-nope");
	nla_put_string(m, VBLK_A_DEV_SERIAL, "x");
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), ENOENT,
		       "name: no such device");

	/* id and name naming two different things */
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	m = vnl_msg(&self->v, VBLK_CMD_DEV_GET, 0);
	nla_put_u32(m, VBLK_A_DEV_ID, id + 1000);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-known");
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), ENOENT,
		       "id: no such device");
	a.name = "nlt-other";
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	m = vnl_msg(&self->v, VBLK_CMD_DEV_DEL, 0);
	nla_put_u32(m, VBLK_A_DEV_ID, id);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-other");
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), EINVAL,
		       "name: not the device with this id");
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-known", &d));
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-other", &d));
}

/* Strict validation: unknown attributes and wrong types are refused. */
TEST_F(nl, strict_validation)
{
	struct nl_msg *m;
	struct vnl_dev d;

	/* An attribute type beyond the family's */
	m = vnl_msg(&self->v, VBLK_CMD_DEV_ADD, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-strict");
	nla_put_s32(m, VBLK_A_DEV_BACKING_FD, self->fd);
	nla_put_u32(m, 200, 1);
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));
	EXPECT_TRUE(self->v.bad_attr);
	EXPECT_NE(0, strlen(self->v.msg));

	/* A known attribute that dev-get does not take */
	m = vnl_msg(&self->v, VBLK_CMD_DEV_GET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-strict");
	nla_put_u64(m, VBLK_A_DEV_CAPACITY, MIB);
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));
	EXPECT_TRUE(self->v.bad_attr);

	/* dev-add does not take an id; dev-del does not take a serial */
	m = vnl_msg(&self->v, VBLK_CMD_DEV_ADD, 0);
	nla_put_u32(m, VBLK_A_DEV_ID, 1);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-strict");
	nla_put_s32(m, VBLK_A_DEV_BACKING_FD, self->fd);
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));
	m = vnl_msg(&self->v, VBLK_CMD_DEV_DEL, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-strict");
	nla_put_string(m, VBLK_A_DEV_SERIAL, "x");
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));

	/* A name without its NUL, a u8 given as u32, an unknown nested attr */
	m = vnl_msg(&self->v, VBLK_CMD_DEV_ADD, 0);
	nla_put(m, VBLK_A_DEV_NAME, 4, "nlt-");
	nla_put_s32(m, VBLK_A_DEV_BACKING_FD, self->fd);
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));
	m = vnl_msg(&self->v, VBLK_CMD_DEV_ADD, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-strict");
	nla_put_s32(m, VBLK_A_DEV_BACKING_FD, self->fd);
	nla_put_u32(m, VBLK_A_DEV_READ_ONLY, 1);
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));
	m = vnl_msg(&self->v, VBLK_CMD_DEV_ADD, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-strict");
	nla_put_s32(m, VBLK_A_DEV_BACKING_FD, self->fd);
	{
		struct nlattr *n = nla_nest_start(m, VBLK_A_DEV_THROTTLE);

		nla_put_u64(m, VBLK_A_THROTTLE_MAX + 1, 5);
		nla_nest_end(m, n);
	}
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));

	/* A notification command is not a request. */
	EXPECT_EQ(-EOPNOTSUPP, vnl_xfer(&self->v,
					vnl_msg(&self->v, VBLK_CMD_EVENT_NTF, 0),
					NULL, NULL));

	EXPECT_REFUSED(&self->v, vnl_dev_get(&self->v, "nlt-strict", &d), ENOENT,
		       "name: no such device");
}

/* Drop or raise CAP_NET_ADMIN in the effective set (permitted is kept). */
static int set_net_admin(bool on)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct c[2];

	if (syscall(SYS_capget, &h, c))
		return -errno;
	if (on)
		c[CAP_TO_INDEX(CAP_NET_ADMIN)].effective |= CAP_TO_MASK(CAP_NET_ADMIN);
	else
		c[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	return syscall(SYS_capset, &h, c) ? -errno : 0;
}

TEST_F(nl, unprivileged)
{
	struct vnl_add a = VNL_ADD("nlt-priv", self->fd);
	struct vnl_dev d, *devs = NULL;
	struct nl_msg *m;
	struct vnl u;
	int n;

	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	ASSERT_EQ(0, set_net_admin(false));
	ASSERT_EQ(0, vnl_open(&u));

	a.name = "nlt-priv2";
	EXPECT_EQ(-EPERM, vnl_dev_add(&u, &a, NULL));
	EXPECT_EQ(-EPERM, vnl_dev_del(&u, "nlt-priv", true));
	m = vnl_msg(&u, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-priv");
	nla_put_string(m, VBLK_A_DEV_SERIAL, "x");
	EXPECT_EQ(-EPERM, vnl_xfer(&u, m, NULL, NULL));

	/* Reading stays open. */
	EXPECT_EQ(0, vnl_dev_get(&u, "nlt-priv", &d));
	EXPECT_STREQ("", d.serial);
	EXPECT_EQ(0, vnl_dev_dump(&u, &devs, &n));
	EXPECT_EQ(self->ndevs + 1, n);
	free(devs);
	EXPECT_EQ(-ENOENT, vnl_dev_get(&u, "nlt-priv2", &d));

	vnl_close(&u);
	ASSERT_EQ(0, set_net_admin(true));
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-priv", &d));
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-priv", false));
}

TEST_F(nl, dump_many)
{
	const int count = 120;	/* several dump messages' worth */
	struct vnl_add a = VNL_ADD(NULL, self->fd);
	struct vnl_dev *devs = NULL;
	char name[32];
	bool seen[120] = { false };
	uint32_t last = 0;
	int n, ours = 0;

	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "nlt-many-%03d", i);
		a.name = name;
		ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	}
	ASSERT_EQ(0, vnl_dev_dump(&self->v, &devs, &n));
	EXPECT_FALSE(self->v.dump_intr);
	EXPECT_EQ(self->ndevs + count, n);
	for (int i = 0; i < n; i++) {
		int k;

		EXPECT_LT(last, devs[i].id);	/* ascending ids, no repeats */
		last = devs[i].id;
		if (sscanf(devs[i].name, "nlt-many-%03d", &k) != 1)
			continue;
		ASSERT_TRUE(k >= 0 && k < count);
		EXPECT_FALSE(seen[k]);
		seen[k] = true;
		ours++;
		EXPECT_EQ(MIB, devs[i].capacity);
		EXPECT_TRUE(devs[i].has_stats);
	}
	EXPECT_EQ(count, ours);
	free(devs);
}

/*
 * A dump that spans several messages while a device is added between two
 * of them is flagged NLM_F_DUMP_INTR. The first part is built when the
 * request arrives, the next ones as the reader drains its socket.
 */
TEST_F(nl, dump_interrupted)
{
	struct vnl_add a = VNL_ADD(NULL, self->fd);
	struct vnl_dev *devs = NULL;
	struct vnl other;
	char name[32];
	int n;

	for (int i = 0; i < 150; i++) {	/* far more than one message */
		snprintf(name, sizeof(name), "nlt-intr-%03d", i);
		a.name = name;
		ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	}
	ASSERT_EQ(0, vnl_open(&other));

	/* Undisturbed: consistent. */
	ASSERT_EQ(0, vnl_dev_dump(&self->v, &devs, &n));
	EXPECT_FALSE(self->v.dump_intr);
	EXPECT_EQ(self->ndevs + 150, n);
	free(devs);

	/* Disturbed between the first and second part: flagged. */
	ASSERT_EQ(0, vnl_send(&self->v, vnl_msg(&self->v, VBLK_CMD_DEV_GET,
						 NLM_F_DUMP)));
	a.name = "nlt-intr-new";
	ASSERT_EQ(0, vnl_dev_add(&other, &a, NULL));
	ASSERT_EQ(0, vnl_recv(&self->v, NULL, NULL));
	EXPECT_TRUE(self->v.dump_intr);

	/* A deletion interrupts as well. */
	ASSERT_EQ(0, vnl_send(&self->v, vnl_msg(&self->v, VBLK_CMD_DEV_GET,
						 NLM_F_DUMP)));
	ASSERT_EQ(0, vnl_dev_del(&other, "nlt-intr-000", false));
	ASSERT_EQ(0, vnl_recv(&self->v, NULL, NULL));
	EXPECT_TRUE(self->v.dump_intr);

	/* A refused request changes nothing and does not interrupt. */
	ASSERT_EQ(0, vnl_send(&self->v, vnl_msg(&self->v, VBLK_CMD_DEV_GET,
						 NLM_F_DUMP)));
	EXPECT_EQ(-EEXIST, vnl_dev_add(&other, &a, NULL));
	ASSERT_EQ(0, vnl_recv(&self->v, NULL, NULL));
	EXPECT_FALSE(self->v.dump_intr);
	vnl_close(&other);
}

/* ---- concurrency ---- */

#define ST_THREADS	3
#define ST_NAMES	6
#define ST_OPS		150

struct st_arg {
	int t;
	int fd;
	int errors;
	bool live[ST_NAMES];
};

static void *st_worker(void *p)
{
	struct st_arg *arg = p;
	unsigned int seed = 1234 + arg->t;
	struct vnl v;
	char name[32];

	if (vnl_open(&v)) {
		arg->errors++;
		return NULL;
	}
	for (int op = 0; op < ST_OPS; op++) {
		int k = rand_r(&seed) % ST_NAMES;
		int ret;

		snprintf(name, sizeof(name), "nlt-st-%d-%d", arg->t, k);
		if (arg->live[k]) {
			ret = vnl_dev_del(&v, name, false);
		} else {
			struct vnl_add a = VNL_ADD(name, arg->fd);

			ret = vnl_dev_add(&v, &a, NULL);
		}
		if (ret) {
			fprintf(stderr, "# %s: %s failed: %d %s\n", name,
				arg->live[k] ? "del" : "add", ret, v.msg);
			arg->errors++;
		} else {
			arg->live[k] = !arg->live[k];
		}
	}
	vnl_close(&v);
	return NULL;
}

struct st_dumper {
	volatile bool stop;
	int dumps;
	int intr;
	int bad;
};

static void *st_dump(void *p)
{
	struct st_dumper *s = p;
	struct vnl v;

	if (vnl_open(&v)) {
		s->bad++;
		return NULL;
	}
	while (!s->stop) {
		struct vnl_dev *devs = NULL;
		int n;

		if (vnl_dev_dump(&v, &devs, &n)) {
			s->bad++;
			continue;
		}
		s->dumps++;
		if (v.dump_intr) {
			s->intr++;
		} else {
			/* A consistent dump has no repeated name or id. */
			for (int i = 0; i < n; i++)
				for (int j = i + 1; j < n; j++)
					if (devs[i].id == devs[j].id ||
					    !strcmp(devs[i].name, devs[j].name))
						s->bad++;
		}
		free(devs);
	}
	vnl_close(&v);
	return NULL;
}

TEST_F(nl, concurrent_add_del)
{
	struct st_arg args[ST_THREADS] = { 0 };
	struct st_dumper dumper = { 0 };
	pthread_t th[ST_THREADS], dt;
	struct vnl_dev *devs = NULL;
	int n, live = 0, found = 0;

	/* Enough devices that a dump takes several messages. */
	for (int i = 0; i < 100; i++) {
		struct vnl_add a = VNL_ADD(NULL, self->fd);
		char name[32];

		snprintf(name, sizeof(name), "nlt-bg-%03d", i);
		a.name = name;
		ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	}
	self->ndevs += 100;
	ASSERT_EQ(0, pthread_create(&dt, NULL, st_dump, &dumper));
	for (int t = 0; t < ST_THREADS; t++) {
		args[t].t = t;
		args[t].fd = self->fd;
		ASSERT_EQ(0, pthread_create(&th[t], NULL, st_worker, &args[t]));
	}
	for (int t = 0; t < ST_THREADS; t++)
		pthread_join(th[t], NULL);
	dumper.stop = true;
	pthread_join(dt, NULL);

	for (int t = 0; t < ST_THREADS; t++)
		EXPECT_EQ(0, args[t].errors);
	EXPECT_EQ(0, dumper.bad);
	EXPECT_LT(0, dumper.dumps);
	TH_LOG("%d dumps, %d flagged inconsistent", dumper.dumps, dumper.intr);

	/* The registry holds exactly what the workers believe is live. */
	ASSERT_EQ(0, vnl_dev_dump(&self->v, &devs, &n));
	EXPECT_FALSE(self->v.dump_intr);
	for (int t = 0; t < ST_THREADS; t++) {
		for (int k = 0; k < ST_NAMES; k++) {
			char name[32];
			bool in = false;

			snprintf(name, sizeof(name), "nlt-st-%d-%d", t, k);
			for (int i = 0; i < n; i++)
				in |= !strcmp(devs[i].name, name);
			EXPECT_EQ(args[t].live[k], in) TH_LOG("%s", name);
			EXPECT_EQ(args[t].live[k], node_exists(name)) TH_LOG("%s", name);
			live += args[t].live[k];
			found += in;
		}
	}
	EXPECT_EQ(live, found);
	EXPECT_EQ(self->ndevs + live, n);
	free(devs);
}

/* ---- notifications ---- */

static void expect_event(struct __test_metadata *_metadata, struct vnl *mon,
			 uint32_t type, const char *name, uint32_t id)
{
	struct vnl_event ev;

	/* Skip events about other devices. */
	do {
		ASSERT_EQ(0, vnl_monitor_next(mon, &ev, 10000))
			TH_LOG("no event %u for %s", type, name);
	} while (strcmp(ev.name, name));
	EXPECT_EQ(type, ev.type);
	EXPECT_EQ(id, ev.id);
	EXPECT_EQ(-1, ev.queue);
}

TEST_F(nl, monitor_events)
{
	struct vnl_add a = VNL_ADD("nlt-ev", self->fd);
	struct vnl_event ev;
	struct nl_msg *m;
	struct vnl mon;
	uint32_t id;

	ASSERT_EQ(0, vnl_open(&mon));
	ASSERT_EQ(0, vnl_monitor_join(&mon));

	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_ADD, "nlt-ev", id);

	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-ev");
	nla_put_string(m, VBLK_A_DEV_SERIAL, "S");
	ASSERT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_CHANGE, "nlt-ev", id);

	/* A refused request announces nothing. */
	EXPECT_EQ(-EEXIST, vnl_dev_add(&self->v, &a, NULL));

	ASSERT_EQ(0, vnl_dev_del(&self->v, "nlt-ev", false));
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_DEL, "nlt-ev", id);
	EXPECT_EQ(-ETIMEDOUT, vnl_monitor_next(&mon, &ev, 300));
	vnl_close(&mon);
}

/* A VMM holding /dev/vblk/NAME: busy, force, attach/detach events. */
TEST_F(nl, delete_attached)
{
	struct vnl_add a = VNL_ADD("nlt-att", self->fd);
	struct vnl_dev d;
	struct vnl mon;
	uint32_t id;
	int cfd;

	ASSERT_EQ(0, vnl_open(&mon));
	ASSERT_EQ(0, vnl_monitor_join(&mon));
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_ADD, "nlt-att", id);

	cfd = open("/dev/vblk/nlt-att", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, cfd);
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_ATTACH, "nlt-att", id);
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-att", &d));
	EXPECT_EQ(1, d.vmm_attached);

	EXPECT_REFUSED(&self->v, vnl_dev_del(&self->v, "nlt-att", false), EBUSY,
		       "a VMM is attached (use force)");
	EXPECT_TRUE(self->v.bad_attr);
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-att", &d));

	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-att", true));
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_DETACH, "nlt-att", id);
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_DEL, "nlt-att", id);
	EXPECT_EQ(-ENOENT, vnl_dev_get(&self->v, "nlt-att", &d));
	EXPECT_FALSE(node_exists("nlt-att"));
	close(cfd);

	/* Without a VMM, plain delete works; force is harmless. */
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-att", true));
	vnl_close(&mon);
}

/* A block device (a loop device over a file) as backing store. */
TEST_F(nl, block_device_backing)
{
	struct vnl_add a = VNL_ADD("nlt-blk", -1);
	char dev[32];
	struct vnl_dev d;
	int ctl, nr, lfd;

	ASSERT_EQ(0, ftruncate(self->fd, 8 * MIB));
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		SKIP(return, "no /dev/loop-control (CONFIG_BLK_DEV_LOOP)");
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	ASSERT_LE(0, nr);
	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	lfd = open(dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, ioctl(lfd, LOOP_SET_FD, self->fd));

	a.fd = lfd;
	a.capacity = 16 * MIB;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "capacity: larger than the block device");
	a.capacity = 0;
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-blk", &d));
	EXPECT_EQ(8 * MIB, d.capacity);
	EXPECT_STREQ(dev, d.path);
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-blk", false));
	a.capacity = 4 * MIB;
	a.name = "nlt-blk2";
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-blk2", &d));
	EXPECT_EQ(4 * MIB, d.capacity);
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-blk2", false));

	ioctl(lfd, LOOP_CLR_FD, 0);
	close(lfd);
	close(ctl);
}

/* ---- module unload with devices present ---- */

TEST_F(nl, unload_with_devices)
{
	const char *ko = getenv("VBLK_KO");
	struct vnl_add a = VNL_ADD(NULL, self->fd);
	char name[32];
	struct vnl v2;
	int kfd;

	if (!ko)
		SKIP(return, "VBLK_KO not set");
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "nlt-unload-%d", i);
		a.name = name;
		ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	}
	a.name = "nlt-unload-thr";
	a.throttle = true;
	a.thr[VBLK_A_THROTTLE_IOPS] = 10;
	a.thr_set[VBLK_A_THROTTLE_IOPS] = true;
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	vnl_close(&self->v);

	ASSERT_EQ(0, syscall(SYS_delete_module, "vblk", O_NONBLOCK))
		TH_LOG("rmmod vblk: %s", strerror(errno));
	EXPECT_EQ(-ENOENT, vnl_open(&v2));
	EXPECT_FALSE(node_exists("nlt-unload-0"));

	kfd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, kfd);
	ASSERT_EQ(0, syscall(SYS_finit_module, kfd, "", 0))
		TH_LOG("insmod %s: %s", ko, strerror(errno));
	close(kfd);

	ASSERT_EQ(0, vnl_open(&self->v));
	EXPECT_EQ(0, vnl_dev_count(&self->v));
	a = VNL_ADD("nlt-unload-0", self->fd);
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	EXPECT_TRUE(node_exists("nlt-unload-0"));
}

TEST_HARNESS_MAIN
