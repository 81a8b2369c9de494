// SPDX-License-Identifier: GPL-2.0
/*
 * vblk module lifecycle: the module loads, shows up in /proc/modules and
 * /sys/module, unloads without leaving anything behind, and reloads; it
 * unloads with a device in a limit group, a monitor listening and
 * group-add requests racing the unload (kmemleak, checked after the run,
 * would show a group created after the registry was emptied).
 *
 * Needs root; VBLK_KO names the module file.
 */
#include <errno.h>
#include <pthread.h>
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

struct churn {
	volatile int stop;
	unsigned int added;
};

/* group-add and group-del as fast as possible until told to stop. */
static void *group_churn(void *arg)
{
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1] = {
		[VBLK_A_THROTTLE_IOPS] = 1000,
	};
	bool set[VBLK_A_THROTTLE_MAX + 1] = { [VBLK_A_THROTTLE_IOPS] = true };
	struct churn *c = arg;
	char name[32];
	struct vnl v;

	for (unsigned int i = 0; !c->stop; i++) {
		if (vnl_open(&v))
			continue;	/* the family is gone */
		snprintf(name, sizeof(name), "vmt-g%u", i % 8);
		if (!vnl_group_add(&v, name, thr, set, NULL))
			c->added++;
		if (i % 2)
			vnl_group_del(&v, name);
		vnl_close(&v);
	}
	return NULL;
}

TEST_F(module, unload_with_devices_groups_and_requests)
{
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1] = {
		[VBLK_A_THROTTLE_IOPS] = 100,
	};
	bool set[VBLK_A_THROTTLE_MAX + 1] = { [VBLK_A_THROTTLE_IOPS] = true };
	char name[VBLK_NAME_MAX], img[VT_IMG_MAX];
	struct vnl_set s = { .name = name, .group = "vmt-grp" };
	struct churn c = { 0 };
	struct vnl_group *groups;
	struct vnl v, mon;
	pthread_t t;
	int n;

	ASSERT_EQ(0, vt_module_load(self->ko));
	ASSERT_LT(0, vt_disk_create(name, img, "vmt", 1 << 20, false));
	ASSERT_EQ(0, vnl_open(&v));
	ASSERT_EQ(0, vnl_group_add(&v, "vmt-grp", thr, set, NULL));
	ASSERT_EQ(0, vnl_dev_set(&v, &s));
	vnl_close(&v);
	ASSERT_EQ(0, vnl_open(&mon));
	ASSERT_EQ(0, vnl_monitor_join(&mon));
	ASSERT_EQ(0, pthread_create(&t, NULL, group_churn, &c));
	while (c.added < 20)
		usleep(1000);
	/* deletes the device and the groups; handlers are still coming */
	EXPECT_EQ(0, vt_module_unload());
	usleep(100000);
	c.stop = 1;
	pthread_join(t, NULL);
	vnl_close(&mon);
	unlink(img);
	EXPECT_EQ(0, loaded());
	/* a fresh module: no device, no group */
	ASSERT_EQ(0, vt_module_load(self->ko));
	ASSERT_EQ(0, vnl_open(&v));
	ASSERT_EQ(0, vnl_group_dump(&v, &groups, &n));
	EXPECT_EQ(0, n);
	free(groups);
	vnl_close(&v);
	EXPECT_FALSE(vt_node_exists(name));
}

TEST_HARNESS_MAIN
