// SPDX-License-Identifier: GPL-2.0
/*
 * vblk module lifecycle: the module loads, shows up in /proc/modules and
 * /sys/module, unloads without leaving anything behind, and reloads.
 *
 * Needs root; VBLK_KO names the module file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"

static int load(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	if (ret)
		ret = -errno;
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "vblk", O_NONBLOCK) ? -errno : 0;
}

static int loaded(void)
{
	char line[256];
	FILE *f = fopen("/proc/modules", "re");
	int found = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "vblk ", 5))
			found = 1;
	fclose(f);
	return found;
}

static int sys_present(void)
{
	struct stat st;

	return stat("/sys/module/vblk", &st) == 0;
}

FIXTURE(module) {
	const char *ko;
};

FIXTURE_SETUP(module)
{
	self->ko = getenv("VBLK_KO");
	if (!self->ko)
		SKIP(return, "VBLK_KO is not set");
	if (geteuid())
		SKIP(return, "needs root");
	/* Start from "not loaded". */
	if (loaded() == 1)
		ASSERT_EQ(0, unload());
}

FIXTURE_TEARDOWN(module)
{
	/* Leave the module loaded for the tests that follow. */
	if (self->ko && loaded() == 0)
		load(self->ko);
}

TEST_F(module, load_shows_in_proc_and_sysfs)
{
	ASSERT_EQ(0, load(self->ko));
	EXPECT_EQ(1, loaded());
	EXPECT_TRUE(sys_present());
}

TEST_F(module, double_load_is_eexist)
{
	ASSERT_EQ(0, load(self->ko));
	EXPECT_EQ(-EEXIST, load(self->ko));
}

TEST_F(module, unload_removes_everything)
{
	ASSERT_EQ(0, load(self->ko));
	ASSERT_EQ(0, unload());
	EXPECT_EQ(0, loaded());
	EXPECT_FALSE(sys_present());
	EXPECT_EQ(-ENOENT, unload());
}

TEST_F(module, reload_cycles)
{
	int i;

	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, load(self->ko));
		ASSERT_EQ(1, loaded());
		ASSERT_EQ(0, unload());
		ASSERT_EQ(0, loaded());
	}
}

TEST_HARNESS_MAIN
