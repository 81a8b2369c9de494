// SPDX-License-Identifier: GPL-2.0
/*
 * vblk module lifecycle: the module loads, shows up in /proc/modules and
 * /sys/module, unloads without leaving anything behind, and reloads.
 *
 * Needs root; VBLK_KO names the module file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_test_util.h"

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
		ASSERT_EQ(0, vt_module_unload());
}

FIXTURE_TEARDOWN(module)
{
	/* Leave the module loaded for the tests that follow. */
	if (self->ko && loaded() == 0)
		vt_module_load(self->ko);
}

TEST_F(module, load_shows_in_proc_and_sysfs)
{
	ASSERT_EQ(0, vt_module_load(self->ko));
	EXPECT_EQ(1, loaded());
	EXPECT_TRUE(vt_module_loaded());
}

TEST_F(module, double_load_is_eexist)
{
	ASSERT_EQ(0, vt_module_load(self->ko));
	EXPECT_EQ(-EEXIST, vt_module_load(self->ko));
}

TEST_F(module, unload_removes_everything)
{
	ASSERT_EQ(0, vt_module_load(self->ko));
	ASSERT_EQ(0, vt_module_unload());
	EXPECT_EQ(0, loaded());
	EXPECT_FALSE(vt_module_loaded());
	EXPECT_EQ(-ENOENT, vt_module_unload());
}

TEST_F(module, reload_cycles)
{
	int i;

	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, vt_module_load(self->ko));
		ASSERT_EQ(1, loaded());
		ASSERT_EQ(0, vt_module_unload());
		ASSERT_EQ(0, loaded());
	}
}

TEST_HARNESS_MAIN
