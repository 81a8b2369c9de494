// SPDX-License-Identifier: GPL-2.0
/*
 * A backing block device that fails: device-mapper with a linear half
 * (over a loop device) and an error half. Through the live data path, in
 * both I/O modes of a block device backing (buffered, and O_DIRECT, which
 * vblk submits asynchronously): requests on the good half are served and
 * land in the file below, requests on the failing half answer S_IOERR
 * and count in io_errors, and nothing else changes.
 *
 * Needs root, vblk loaded, device-mapper (CONFIG_BLK_DEV_DM) and dmsetup.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define IMG_SIZE	(4U << 20)
#define GOOD_SECTORS	4096		/* the first 2 MiB: linear */
#define BAD_SECTOR	(GOOD_SECTORS + 64)
#define IO_LEN		4096
#define F_FLUSH		(1ULL << VIRTIO_BLK_F_FLUSH)

FIXTURE(flt) {
	char name[VBLK_NAME_MAX];
	char img[VT_IMG_MAX];
	char dm[VBLK_NAME_MAX];
	char dmdev[300];
	char loop[32];
	int loop_fd;
	bool dm_made;
	struct vg g;
	uint8_t *buf;
};

/* How vblk opens the backing. */
FIXTURE_VARIANT(flt) { int oflags; };
FIXTURE_VARIANT_ADD(flt, buffered) { .oflags = 0 };
FIXTURE_VARIANT_ADD(flt, direct) { .oflags = O_DIRECT };

/* Run @cmd, feeding @input on its standard input: its exit status. */
static int run_with_input(const char *cmd, const char *input)
{
	FILE *p = popen(cmd, "w");

	if (!p)
		return -errno;
	fputs(input, p);
	return pclose(p);
}

/* The /dev/dm-N of the mapped device called @name, or -ENOENT. */
static int dm_node(const char *name, char *dev, size_t len)
{
	struct dirent *e;
	DIR *d = opendir("/sys/block");
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && ret) {
		char path[300], got[VBLK_NAME_MAX + 2] = "";
		FILE *f;

		if (strncmp(e->d_name, "dm-", 3))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(got, sizeof(got), f) &&
		    !strncmp(got, name, strlen(name)) && got[strlen(name)] == '\n') {
			snprintf(dev, len, "/dev/%s", e->d_name);
			ret = 0;
		}
		fclose(f);
	}
	closedir(d);
	return ret;
}

FIXTURE_SETUP(flt)
{
	char cmd[160], table[160];
	int img_fd, id;

	self->loop_fd = -1;
	self->g.fd = -1;
	self->dm_made = false;
	VT_NEED_ROOT_AND_VBLK();
	if (system("command -v dmsetup >/dev/null 2>&1"))
		SKIP(return, "dmsetup is not installed");
	vt_disk_names(self->name, self->img, "vft");
	snprintf(self->dm, sizeof(self->dm), "vft-dm%d", getpid());
	ASSERT_EQ(0, vt_make_image(self->img, IMG_SIZE));
	img_fd = open(self->img, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, img_fd);
	self->loop_fd = vt_loop_attach(img_fd, self->loop);
	close(img_fd);
	ASSERT_LE(0, self->loop_fd) TH_LOG("loop: %s", strerror(-self->loop_fd));
	snprintf(table, sizeof(table), "0 %u linear %s 0\n%u %u error\n",
		 GOOD_SECTORS, self->loop, GOOD_SECTORS, GOOD_SECTORS);
	snprintf(cmd, sizeof(cmd), "dmsetup create --noudevsync %s", self->dm);
	if (run_with_input(cmd, table))
		SKIP(return, "dmsetup create failed (no device-mapper?)");
	self->dm_made = true;
	ASSERT_EQ(0, dm_node(self->dm, self->dmdev, sizeof(self->dmdev)));
	id = vt_dev_add(self->name, self->dmdev, false, 0, variant->oflags);
	ASSERT_LT(0, id) TH_LOG("dev-add on %s: %s", self->dmdev, strerror(-id));
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 0));
	self->buf = malloc(IO_LEN);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(flt)
{
	char cmd[160];

	if (self->g.fd >= 0)
		vg_detach(&self->g);
	vt_del_prefix("vft");
	if (self->dm_made) {
		snprintf(cmd, sizeof(cmd), "dmsetup remove --noudevsync %s", self->dm);
		if (system(cmd))
			fprintf(stderr, "# %s failed\n", cmd);
	}
	vt_loop_detach(self->loop_fd);
	unlink(self->img);
	free(self->buf);
}

static uint64_t io_errors(const char *name)
{
	struct vnl_dev d;

	return vt_dev_get(name, &d) ? ~0ULL : d.st.io_errors;
}

static void fill(uint8_t *buf, uint8_t seed)
{
	for (unsigned int i = 0; i < IO_LEN; i++)
		buf[i] = (uint8_t)(seed + i * 13);
}

/* The image file holds @want at byte @off. */
static bool file_holds(const char *img, off_t off, const uint8_t *want)
{
	uint8_t got[IO_LEN];
	int fd = open(img, O_RDONLY | O_CLOEXEC);
	bool same;

	if (fd < 0)
		return false;
	same = pread(fd, got, IO_LEN, off) == IO_LEN && !memcmp(got, want, IO_LEN);
	close(fd);
	return same;
}

/* Without FLUSH the device is write-through: every write is durable. */
TEST_F(flt, write_through)
{
	uint64_t errs;

	ASSERT_EQ(0, vg_init(&self->g, 0, 64));
	errs = io_errors(self->name);

	fill(self->buf, 1);
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_write(&self->g, 8, self->buf, IO_LEN));
	EXPECT_TRUE(file_holds(self->img, 8 * 512, self->buf));
	memset(self->buf, 0, IO_LEN);
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_read(&self->g, 8, self->buf, IO_LEN));
	EXPECT_EQ(1, self->buf[0]);

	EXPECT_EQ(VIRTIO_BLK_S_IOERR, vg_blk_read(&self->g, BAD_SECTOR,
						  self->buf, IO_LEN));
	fill(self->buf, 2);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, vg_blk_write(&self->g, BAD_SECTOR,
						   self->buf, IO_LEN));
	/* A request across the boundary fails as a whole. */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, vg_blk_write(&self->g, GOOD_SECTORS - 4,
						   self->buf, IO_LEN));
	EXPECT_EQ(errs + 3, io_errors(self->name));

	/* The good half still works afterwards. */
	fill(self->buf, 3);
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_write(&self->g, 64, self->buf, IO_LEN));
	EXPECT_TRUE(file_holds(self->img, 64 * 512, self->buf));
	EXPECT_EQ(errs + 3, io_errors(self->name));
}

/*
 * With FLUSH a buffered write completes into the page cache and its
 * failure shows at the flush; a direct write fails at once.
 */
TEST_F(flt, flush)
{
	uint64_t errs;
	int st;

	ASSERT_EQ(0, vg_init(&self->g, F_FLUSH, 64));
	ASSERT_TRUE(self->g.features & F_FLUSH);
	errs = io_errors(self->name);

	fill(self->buf, 4);
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_write(&self->g, 16, self->buf, IO_LEN));
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_io(&self->g, VIRTIO_BLK_T_FLUSH, 0, 0, 0));
	EXPECT_TRUE(file_holds(self->img, 16 * 512, self->buf));

	st = vg_blk_write(&self->g, BAD_SECTOR, self->buf, IO_LEN);
	if (variant->oflags & O_DIRECT) {
		EXPECT_EQ(VIRTIO_BLK_S_IOERR, st);
		EXPECT_EQ(errs + 1, io_errors(self->name));
	} else {
		EXPECT_EQ(VIRTIO_BLK_S_OK, st);
		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  vg_blk_io(&self->g, VIRTIO_BLK_T_FLUSH, 0, 0, 0));
		EXPECT_EQ(errs + 1, io_errors(self->name));
	}
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, vg_blk_read(&self->g, BAD_SECTOR + 64,
						  self->buf, IO_LEN));
	EXPECT_EQ(errs + 2, io_errors(self->name));
}

TEST_HARNESS_MAIN
