// SPDX-License-Identifier: GPL-2.0
/*
 * The "vblk" generic netlink family, what is refused: every refusal with
 * its errno and extended ack (message, missing attribute, the offset of
 * the attribute at fault and its spec name), strict validation of unknown
 * and mistyped attributes, and privileges. Nothing refused may leave a
 * device or a node behind.
 *
 * Runs as root in the test host with vblk.ko loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_nl_fixture.h"

TEST_F(nl, refuse_missing_attributes)
{
	struct vnl_add a = VNL_ADD(NULL, self->fd);

	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "name: missing");
	EXPECT_EQ(VBLK_A_DEV_NAME, self->v.miss_type);

	a.name = "nlt-nofd";
	a.no_backing_fd = true;
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
	};
	struct vnl_add a = VNL_ADD(NULL, self->fd);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a.name = bad[i];
		EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
			       "name: ");
		EXPECT_TRUE(self->v.bad_attr);
	}
	/* 32 characters: the policy's maximum length (the spec's max-len). */
	a.name = "nlt-0123456789012345678901234567";
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "Attribute failed policy validation");
	EXPECT_EQ(VBLK_A_DEV_NAME, self->v.bad_type);
	EXPECT_TRUE(self->v.has_len);
	EXPECT_EQ(VBLK_NAME_LEN, self->v.len_max);
	EXPECT_STREQ("name: too long (32 characters, at most 31) (Invalid argument)",
		     vnl_error(&self->v));
	/* The same for a lookup: no such name can exist. */
	EXPECT_EQ(-EINVAL, vnl_dev_del(&self->v, a.name, false));
	EXPECT_STREQ("name: too long (32 characters, at most 31) (Invalid argument)",
		     vnl_error(&self->v));
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
	EXPECT_TRUE(vt_node_exists("nlt-dup"));
}

TEST_F(nl, refuse_bad_fds)
{
	struct vnl_add a = VNL_ADD("nlt-fd", 9999);
	int dir, pfd[2], null, wo, app;

	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EBADF,
		       "backing-fd: not an open file descriptor");
	EXPECT_TRUE(self->v.bad_attr);
	a.backing_fd = -1;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EBADF,
		       "backing-fd: not an open file descriptor");

	dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dir);
	a.backing_fd = dir;
	a.read_only = 1;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: not a regular file or block device");
	close(dir);

	ASSERT_EQ(0, pipe(pfd));
	a.backing_fd = pfd[0];
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: not a regular file or block device");
	close(pfd[0]);
	close(pfd[1]);

	null = open("/dev/null", O_RDWR);
	ASSERT_LE(0, null);
	a.backing_fd = null;
	a.read_only = -1;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: not a regular file or block device");
	close(null);

	/* A read-only descriptor for a writable device. */
	a.backing_fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, a.backing_fd);
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EBADF,
		       "backing-fd: not open for writing");
	a.read_only = 0;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EBADF,
		       "backing-fd: not open for writing");
	close(a.backing_fd);

	/* Not readable at all. */
	wo = open(self->path, O_WRONLY);
	ASSERT_LE(0, wo);
	a.backing_fd = wo;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EBADF,
		       "backing-fd: not open for reading");
	close(wo);

	/* O_APPEND would turn positioned writes into appends. */
	app = open(self->path, O_RDWR | O_APPEND);
	ASSERT_LE(0, app);
	a.backing_fd = app;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: opened with O_APPEND");
	/* ... but is harmless for a read-only device. */
	a.read_only = 1;
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	close(app);
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-fd", false));
	EXPECT_NOTHING_LEFT(self, "nlt-fd");
}

/* Files that cannot store a disk: pseudo files, swap, vblk's own node. */
TEST_F(nl, refuse_unfit_backings)
{
	static const char *const pseudo[] = {
		"/proc/self/status", "/sys/module/vblk/refcnt",
	};
	struct vnl_add a = VNL_ADD("nlt-unfit", -1);
	char lpath[VT_IMG_MAX], ldev[32], cmd[160];
	int fd, lfd, lf;

	a.read_only = 1;
	for (size_t i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++) {
		a.backing_fd = open(pseudo[i], O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, a.backing_fd) TH_LOG("%s", pseudo[i]);
		EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL),
			       EINVAL, "backing-fd: not a file that can store data");
		close(a.backing_fd);
	}

	/* another device's node: a VMM interface, not storage */
	a.name = "nlt-unfit0";
	a.backing_fd = self->fd;
	a.read_only = 0;
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	fd = open("/dev/vblk/nlt-unfit0", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	a.name = "nlt-unfit";
	a.backing_fd = fd;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: a vblk device node");
	close(fd);
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-unfit0", true));

	/* a block device in use as swap */
	lf = vt_make_temp(lpath, 8 << 20);
	ASSERT_LE(0, lf);
	lfd = vt_loop_attach(lf, ldev);
	close(lf);
	if (lfd == -ENODEV) {
		unlink(lpath);
		SKIP(return, "no loop devices");
	}
	ASSERT_LE(0, lfd);
	snprintf(cmd, sizeof(cmd), "mkswap %s >/dev/null 2>&1 && swapon %s",
		 ldev, ldev);
	if (system(cmd)) {
		vt_loop_detach(lfd);
		unlink(lpath);
		SKIP(return, "swapon %s failed (CONFIG_SWAP?)", ldev);
	}
	a.backing_fd = open(ldev, O_RDWR | O_CLOEXEC);
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), ETXTBSY,
		       "backing-fd: in use as swap");
	close(a.backing_fd);
	snprintf(cmd, sizeof(cmd), "swapoff %s", ldev);
	EXPECT_EQ(0, system(cmd));
	vt_loop_detach(lfd);
	unlink(lpath);
	EXPECT_NOTHING_LEFT(self, "nlt-unfit");
}

TEST_F(nl, refuse_bad_capacity)
{
	struct vnl_add a = VNL_ADD("nlt-cap", self->fd);
	char epath[VT_IMG_MAX];
	int efd;

	a.capacity = 1000;
	a.has_capacity = true;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "capacity: must be a non-zero multiple of 512");
	EXPECT_TRUE(self->v.bad_attr);
	a.capacity = MIB + 1;
	a.has_capacity = true;
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
	a.capacity = 1ULL << 63;
	a.has_capacity = true;	/* beyond any file system (loff_t) */
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "capacity: larger than the file system allows");

	/* An empty file has no default capacity. */
	efd = vt_make_temp(epath, 0);
	ASSERT_LE(0, efd);
	a = VNL_ADD("nlt-cap", efd);
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: smaller than 512 bytes; give a capacity");
	ASSERT_EQ(0, ftruncate(efd, 511));
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "backing-fd: smaller than 512 bytes");
	EXPECT_NOTHING_LEFT(self, "nlt-cap");
	a.capacity = 4096;
	a.has_capacity = true;
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	close(efd);
	unlink(epath);
}

TEST_F(nl, refuse_bad_serial_and_flags)
{
	struct vnl_add a = VNL_ADD("nlt-ser", self->fd);

	a.serial = "012345678901234567890";	/* 21 */
	EXPECT_EQ(-EINVAL, vnl_dev_add(&self->v, &a, NULL));
	EXPECT_EQ(VBLK_A_DEV_SERIAL, self->v.bad_type);
	EXPECT_STREQ("serial: too long (21 characters, at most 20) (Invalid argument)",
		     vnl_error(&self->v));
	a.serial = "bad\nserial";
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "serial: only printable ASCII allowed");
	a.serial = NULL;
	a.read_only = 2;
	EXPECT_EQ(-ERANGE, vnl_dev_add(&self->v, &a, NULL));
	EXPECT_EQ(VBLK_A_DEV_READ_ONLY, self->v.bad_type);
	EXPECT_STREQ("read-only: value 2 out of range 0..1 (Numerical result out of range)",
		     vnl_error(&self->v));
	EXPECT_NOTHING_LEFT(self, "nlt-ser");
}

TEST_F(nl, refuse_bad_throttle)
{
	/* Each value's bounds are the policy's, the rest the kernel's. */
	static const struct {
		int n;
		int attrs[2];
		uint64_t vals[2];
		int err;
		const char *line;	/* vnl_error() */
	} cases[] = {
		{ 1, { VBLK_A_THROTTLE_IOPS }, { 0 }, ERANGE,
		  "iops: value 0 out of range 1..1099511627776 (Numerical result out of range)" },
		{ 1, { VBLK_A_THROTTLE_BPS_WRITE }, { 0 }, ERANGE,
		  "bps-write: value 0 out of range 1..1099511627776 (Numerical result out of range)" },
		{ 1, { VBLK_A_THROTTLE_IOPS_BURST }, { 100 }, EINVAL,
		  "iops-burst: given without iops (Invalid argument)" },
		{ 1, { VBLK_A_THROTTLE_BPS_BURST }, { 100 }, EINVAL,
		  "bps-burst: given without bps (Invalid argument)" },
		{ 2, { VBLK_A_THROTTLE_IOPS, VBLK_A_THROTTLE_IOPS_BURST },
		  { 100, 99 }, EINVAL, "iops-burst: below iops (Invalid argument)" },
		{ 2, { VBLK_A_THROTTLE_BPS, VBLK_A_THROTTLE_BPS_BURST },
		  { 1 << 20, 4096 }, EINVAL, "bps-burst: below bps (Invalid argument)" },
		{ 1, { VBLK_A_THROTTLE_IOPS }, { 1ULL << 60 }, ERANGE,
		  "iops: value 1152921504606846976 out of range 1..1099511627776 (Numerical result out of range)" },
		{ 2, { VBLK_A_THROTTLE_BPS, VBLK_A_THROTTLE_BPS_BURST },
		  { 1, (1ULL << 50) + 1 }, ERANGE,
		  "bps-burst: value 1125899906842625 out of range 0..1125899906842624 (Numerical result out of range)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(-cases[i].err,
			  add_throttled(&self->v, self->fd, "nlt-thr",
					cases[i].n, cases[i].attrs,
					cases[i].vals));
		EXPECT_TRUE(self->v.bad_attr);
		EXPECT_STREQ(cases[i].line, vnl_error(&self->v));
	}
	EXPECT_NOTHING_LEFT(self, "nlt-thr");
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

/*
 * queues is range-checked by the generated policy: the kernel's message is
 * generic, but its offset points at the attribute and the client names it.
 */
TEST_F(nl, refuse_bad_queues)
{
	static const uint32_t bad[] = { 0, VBLK_QUEUES_MAX + 1, UINT32_MAX };
	struct vnl_add a = VNL_ADD("nlt-q", self->fd);
	struct nl_msg *m;
	char want[96];

	a.has_queues = true;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		a.queues = bad[i];
		EXPECT_EQ(-ERANGE, vnl_dev_add(&self->v, &a, NULL))
			TH_LOG("queues %u: %s", bad[i], vnl_error(&self->v));
		EXPECT_TRUE(self->v.bad_attr);
		EXPECT_EQ(VBLK_A_DEV_QUEUES, self->v.bad_type);
		EXPECT_EQ(VNL_ATTRS_DEV, self->v.bad_set);
		EXPECT_TRUE(self->v.has_range);
		EXPECT_EQ(1, self->v.range_min);
		EXPECT_EQ(VBLK_QUEUES_MAX, self->v.range_max);
		snprintf(want, sizeof(want),
			 "queues: value %u out of range 1..16 (Numerical result out of range)",
			 bad[i]);
		EXPECT_STREQ(want, vnl_error(&self->v));
	}

	/* A u8 where the spec has a u32. */
	m = vnl_msg(&self->v, VBLK_CMD_DEV_ADD, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-q");
	nla_put_s32(m, VBLK_A_DEV_BACKING_FD, self->fd);
	nla_put_u8(m, VBLK_A_DEV_QUEUES, 1);
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));
	EXPECT_EQ(VBLK_A_DEV_QUEUES, self->v.bad_type);
	EXPECT_EQ(0, strncmp(vnl_error(&self->v), "queues: ", 8))
		TH_LOG("%s", vnl_error(&self->v));
	EXPECT_NOTHING_LEFT(self, "nlt-q");
}

/*
 * Whatever points at the attribute at fault is resolved to its spec name:
 * inside a nest, a missing one, one the kernel's message already names
 * (not named twice), one the spec does not have (named by number).
 */
TEST_F(nl, extack_names_the_attribute)
{
	struct nl_msg *m;
	struct nlattr *n;
	struct vnl_dev d;

	m = vnl_msg(&self->v, VBLK_CMD_DEV_ADD, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-x");
	nla_put_s32(m, VBLK_A_DEV_BACKING_FD, self->fd);
	n = nla_nest_start(m, VBLK_A_DEV_THROTTLE);
	nla_put_u8(m, VBLK_A_THROTTLE_IOPS, 5);
	nla_nest_end(m, n);
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));
	EXPECT_EQ(VBLK_A_THROTTLE_IOPS, self->v.bad_type);
	EXPECT_EQ(VNL_ATTRS_THROTTLE, self->v.bad_set);
	EXPECT_EQ(0, strncmp(vnl_error(&self->v), "iops: ", 6))
		TH_LOG("%s", vnl_error(&self->v));

	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, vnl_msg(&self->v, VBLK_CMD_DEV_GET, 0),
				    NULL, NULL));
	EXPECT_EQ(VBLK_A_DEV_NAME, self->v.miss_type);
	EXPECT_FALSE(self->v.bad_attr);
	EXPECT_STREQ("name: missing (give the device's name or id) (Invalid argument)",
		     vnl_error(&self->v));

	EXPECT_EQ(-ENOENT, vnl_dev_get(&self->v, "nlt-nope", &d));
	EXPECT_EQ(VBLK_A_DEV_NAME, self->v.bad_type);
	EXPECT_STREQ("name: no such device (No such file or directory)",
		     vnl_error(&self->v));

	m = vnl_msg(&self->v, VBLK_CMD_DEV_GET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-x");
	nla_put_u32(m, 200, 1);
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));
	EXPECT_EQ(200, self->v.bad_type);
	EXPECT_EQ(0, strncmp(vnl_error(&self->v), "attribute 200: ", 15))
		TH_LOG("%s", vnl_error(&self->v));
	EXPECT_NOTHING_LEFT(self, "nlt-x");
}

/* Drop or raise @cap in the effective set (permitted is kept). */
static int set_cap(int cap, bool on)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct c[2];

	if (syscall(SYS_capget, &h, c))
		return -errno;
	if (on)
		c[CAP_TO_INDEX(cap)].effective |= CAP_TO_MASK(cap);
	else
		c[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &h, c) ? -errno : 0;
}

/*
 * Without CAP_SYS_ADMIN: no add, delete or change (EPERM, with a reason);
 * reading works but shows no backing path. CAP_NET_ADMIN alone is not
 * enough.
 */
TEST_F(nl, unprivileged)
{
	struct vnl_add a = VNL_ADD("nlt-priv", self->fd);
	struct vnl_dev d, *devs = NULL;
	struct nl_msg *m;
	struct vnl u;
	int n, i;

	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-priv", &d));
	EXPECT_NE('\0', d.backing_path[0]);
	ASSERT_EQ(0, set_cap(CAP_SYS_ADMIN, false));
	ASSERT_EQ(0, vnl_open(&u));

	a.name = "nlt-priv2";
	EXPECT_REFUSED(&u, vnl_dev_add(&u, &a, NULL), EPERM,
		       "needs CAP_SYS_ADMIN");
	EXPECT_REFUSED(&u, vnl_dev_del(&u, "nlt-priv", true), EPERM,
		       "needs CAP_SYS_ADMIN");
	m = vnl_msg(&u, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-priv");
	nla_put_string(m, VBLK_A_DEV_SERIAL, "x");
	EXPECT_REFUSED(&u, vnl_xfer(&u, m, NULL, NULL), EPERM,
		       "needs CAP_SYS_ADMIN");

	/* Reading stays open, the backing path excepted. */
	EXPECT_EQ(0, vnl_dev_get(&u, "nlt-priv", &d));
	EXPECT_STREQ("", d.serial);
	EXPECT_FALSE(d.has[VBLK_A_DEV_BACKING_PATH]);
	EXPECT_TRUE(d.has[VBLK_A_DEV_CAPACITY]);
	EXPECT_EQ(0, vnl_dev_dump(&u, &devs, &n));
	EXPECT_EQ(self->ndevs + 1, n);
	for (i = 0; i < n; i++)
		EXPECT_FALSE(devs[i].has[VBLK_A_DEV_BACKING_PATH]);
	free(devs);
	EXPECT_EQ(-ENOENT, vnl_dev_get(&u, "nlt-priv2", &d));

	vnl_close(&u);
	ASSERT_EQ(0, set_cap(CAP_SYS_ADMIN, true));
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-priv", &d));
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-priv", false));
}

/* The monitor group takes CAP_NET_ADMIN. */
TEST_F(nl, monitor_needs_net_admin)
{
	struct vnl u;

	ASSERT_EQ(0, set_cap(CAP_NET_ADMIN, false));
	ASSERT_EQ(0, vnl_open(&u));
	EXPECT_EQ(-EPERM, vnl_monitor_join(&u));
	vnl_close(&u);
	ASSERT_EQ(0, set_cap(CAP_NET_ADMIN, true));
	ASSERT_EQ(0, vnl_open(&u));
	EXPECT_EQ(0, vnl_monitor_join(&u));
	vnl_close(&u);
}

/*
 * From another network namespace devices can be read but not managed,
 * whatever the caller's capabilities.
 */
TEST_F(nl, other_netns_cannot_manage)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct vnl_add a = VNL_ADD("nlt-ns", self->fd);
		struct vnl u;

		if (unshare(CLONE_NEWNET))
			_exit(10);
		if (vnl_open(&u))
			_exit(11);
		if (vnl_dev_add(&u, &a, NULL) != -EPERM)
			_exit(12);
		if (strcmp(u.msg,
			   "devices are managed from the initial network namespace only"))
			_exit(13);
		if (vnl_dev_count(&u) != self->ndevs)
			_exit(14);
		vnl_close(&u);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_NOTHING_LEFT(self, "nlt-ns");
}

TEST_HARNESS_MAIN
