// SPDX-License-Identifier: GPL-2.0
/*
 * Ownership of /dev/vblk/NAME: the dev_mode and dev_gid module parameters
 * give the node its mode and group through the device's devnode callback
 * (so devtmpfs applies them on a host without udev), and the uevent says
 * so.  A process that is not root but is in that group attaches as a VMM
 * and does I/O; one outside the group is refused.  Values out of range
 * fail the module load.
 *
 * Needs root.  VBLK_KO names the module file; VBLK_ROOT the checkout, whose
 * user/vblkctl creates the devices (as an administrator would).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_guest.h"

#define NAME		"vperm0"
#define IMG		"/tmp/vblk-perm.img"
#define TEST_GID	4242		/* a group only this test uses */
#define NOBODY		65534

static int load(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	if (ret)
		ret = -errno;
	close(fd);
	return ret;
}

static int unload(void)
{
	struct stat st;

	if (stat("/sys/module/vblk", &st))
		return 0;
	return syscall(SYS_delete_module, "vblk", O_NONBLOCK) ? -errno : 0;
}

/* Run "$VBLK_ROOT/user/vblkctl ARGS"; its exit status. */
static int vblkctl(const char *args)
{
	char cmd[512];
	int st;

	snprintf(cmd, sizeof(cmd), "%s/user/vblkctl %s >/dev/null",
		 getenv("VBLK_ROOT"), args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Read a whole small file into @buf; 0 or -errno. */
static int slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/*
 * In a child that drops to uid/gid nobody with @groups as its supplementary
 * groups: attach to NAME as a VMM, bring the device up and read sector 0.
 * Returns 0 when the sector holds @want, the negative errno of a refused
 * open, or 1..3 for a failure after the open.
 */
static int attach_as_nobody(const gid_t *groups, int ngroups, const char *want)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (!pid) {
		char buf[512];
		struct vg g;
		int ret;

		if (setgroups(ngroups, groups) || setgid(NOBODY) ||
		    setuid(NOBODY) || !getuid())
			_exit(100);
		ret = vg_attach(&g, NAME, 0);
		if (ret)
			_exit(ret < 0 && ret > -100 ? 100 - ret : 100);
		if (vg_init(&g, 0, 64))
			_exit(1);
		if (vg_blk_read(&g, 0, buf, sizeof(buf)) != VIRTIO_BLK_S_OK)
			_exit(2);
		if (memcmp(buf, want, strlen(want)))
			_exit(3);
		vg_detach(&g);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 99;
	st = WEXITSTATUS(st);
	return st > 100 ? -(st - 100) : st;
}

FIXTURE(perm) {
	const char *ko;
	bool up;
};

FIXTURE_VARIANT(perm) {
	const char *params;
	mode_t mode;		/* expected mode of the node */
	gid_t gid;		/* expected group of the node */
	int member;		/* attach result for a member of TEST_GID */
	int outsider;		/* attach result for a process outside it */
	const char *sysfs_mode;	/* /sys/module/vblk/parameters/dev_mode */
};

FIXTURE_VARIANT_ADD(perm, defaults) {
	.params = "", .mode = 0600, .gid = 0,
	.member = -EACCES, .outsider = -EACCES, .sysfs_mode = "0600\n",
};

FIXTURE_VARIANT_ADD(perm, group_0660) {
	.params = "dev_mode=0660 dev_gid=4242", .mode = 0660, .gid = TEST_GID,
	.member = 0, .outsider = -EACCES, .sysfs_mode = "0660\n",
};

/* The mode is octal with or without the leading zero. */
FIXTURE_VARIANT_ADD(perm, group_640_no_leading_zero) {
	.params = "dev_mode=640 dev_gid=4242", .mode = 0640, .gid = TEST_GID,
	.member = -EACCES, .outsider = -EACCES, .sysfs_mode = "0640\n",
};

FIXTURE_VARIANT_ADD(perm, world_0666) {
	.params = "dev_mode=0666", .mode = 0666, .gid = 0,
	.member = 0, .outsider = 0, .sysfs_mode = "0666\n",
};

FIXTURE_SETUP(perm)
{
	char pattern[512] = "vblk-perm sector 0";
	char cmd[256];
	int fd;

	self->up = false;
	self->ko = getenv("VBLK_KO");
	if (!self->ko || !getenv("VBLK_ROOT"))
		SKIP(return, "VBLK_KO and VBLK_ROOT must be set");
	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(self->ko, variant->params));
	self->up = true;

	fd = open(IMG, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(pattern), pwrite(fd, pattern, sizeof(pattern), 0));
	ASSERT_EQ(0, ftruncate(fd, 1 << 20));
	close(fd);
	snprintf(cmd, sizeof(cmd), "dev add %s backing %s", NAME, IMG);
	ASSERT_EQ(0, vblkctl(cmd));
}

FIXTURE_TEARDOWN(perm)
{
	if (!self->up)
		return;
	vblkctl("dev del " NAME " force");
	unlink(IMG);
	/* Leave the module loaded with its defaults for the tests after us. */
	unload();
	load(self->ko, "");
}

TEST_F(perm, node_mode_and_group)
{
	char buf[4096], want[64];
	struct stat st;

	ASSERT_EQ(0, stat("/dev/vblk/" NAME, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(variant->mode, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(variant->gid, st.st_gid);

	/* What udev sees: DEVMODE always, DEVGID when not root's. */
	ASSERT_EQ(0, slurp("/sys/class/vblk/" NAME "/uevent", buf, sizeof(buf)));
	TH_LOG("uevent: %s", buf);
	EXPECT_NE(NULL, strstr(buf, "DEVNAME=vblk/" NAME "\n"));
	snprintf(want, sizeof(want), "DEVMODE=0%o\n", variant->mode);
	EXPECT_NE(NULL, strstr(buf, want));
	snprintf(want, sizeof(want), "DEVGID=%u\n", variant->gid);
	EXPECT_EQ(variant->gid != 0, strstr(buf, want) != NULL);

	ASSERT_EQ(0, slurp("/sys/module/vblk/parameters/dev_mode", buf,
			   sizeof(buf)));
	EXPECT_STREQ(variant->sysfs_mode, buf);
	ASSERT_EQ(0, slurp("/sys/module/vblk/parameters/dev_gid", buf,
			   sizeof(buf)));
	EXPECT_EQ(variant->gid, strtoul(buf, NULL, 10));
}

TEST_F(perm, group_member_attaches)
{
	gid_t g = TEST_GID;

	EXPECT_EQ(variant->member, attach_as_nobody(&g, 1, "vblk-perm sector 0"));
}

TEST_F(perm, outsider_attaches)
{
	EXPECT_EQ(variant->outsider, attach_as_nobody(NULL, 0, "vblk-perm sector 0"));
}

/* Values the parameters refuse: the load fails and nothing stays loaded. */
TEST(bad_parameters_fail_the_load)
{
	static const char *const bad[] = {
		"dev_mode=0", "dev_mode=01777", "dev_mode=0800", "dev_mode=rw",
		"dev_mode=", "dev_gid=-1", "dev_gid=4294967295", "dev_gid=kvm",
		"dev_gid=99999999999",
	};
	const char *ko = getenv("VBLK_KO");
	struct stat st;
	size_t i;

	if (!ko)
		SKIP(return, "VBLK_KO is not set");
	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, unload());
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = load(ko, bad[i]);

		TH_LOG("%s: %s", bad[i], strerror(-ret));
		EXPECT_GT(0, ret);
		if (ret == 0)
			unload();
		EXPECT_NE(0, stat("/sys/module/vblk", &st));
	}
	EXPECT_EQ(0, load(ko, ""));
}

TEST_HARNESS_MAIN
