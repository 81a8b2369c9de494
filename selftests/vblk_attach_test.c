// SPDX-License-Identifier: GPL-2.0
/*
 * vblk VMM interface: /dev/vblk/NAME, its ioctls, MMIO forwarding rules and
 * the attachment lifecycle (one VMM at a time, close/reopen, dev-del while
 * attached, module unload while attached, other processes refused).
 *
 * Needs root and the vblk module loaded; devices are created over netlink.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define IMG_SIZE	(1U << 20)

/* An address no process maps (hidden from the compiler's null checks). */
static void *volatile bad_ptr = (void *)16;

/* A table with room for more regions than the ABI allows. */
struct big_table {
	struct vblk_mem_table t;
	struct vblk_mem_region r[VBLK_MAX_MEM_REGIONS + 1];
};

FIXTURE(attach) {
	char name[VBLK_NAME_MAX];
	char img[VT_IMG_MAX];
	char *node;
	void *ram;
	struct big_table tab;
};

FIXTURE_SETUP(attach)
{
	int id;

	VT_NEED_ROOT_AND_VBLK();
	id = vt_disk_create(self->name, self->img, "vat", IMG_SIZE, false);
	ASSERT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
	self->node = vg_node_path(self->name);
	self->ram = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ram);
	memset(&self->tab, 0, sizeof(self->tab));
}

FIXTURE_TEARDOWN(attach)
{
	vt_disk_destroy(self->name, self->img);
	free(self->node);
	if (self->ram && self->ram != MAP_FAILED)
		munmap(self->ram, 1 << 20);
}

static int set_table(int fd, struct big_table *t, unsigned int n)
{
	t->t.nregions = n;
	return ioctl(fd, VBLK_SET_MEM_TABLE, t) ? -errno : 0;
}

static int set_fd(int fd, unsigned long cmd, int efd)
{
	return ioctl(fd, cmd, &efd) ? -errno : 0;
}

static int set_vring(int fd, unsigned long cmd, uint32_t index, int efd)
{
	struct vblk_vring_fd a = { .index = index, .fd = efd };

	return ioctl(fd, cmd, &a) ? -errno : 0;
}

TEST_F(attach, node_is_a_root_only_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(self->node, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 0777);
	EXPECT_EQ(0, st.st_uid);
}

TEST_F(attach, node_goes_with_the_device)
{
	struct stat st;

	ASSERT_EQ(0, vt_dev_del(self->name, false));
	EXPECT_EQ(-1, stat(self->node, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-ENOENT, vt_dev_del(self->name, false));
}

TEST_F(attach, second_open_is_ebusy_until_close)
{
	int a, b;

	a = open(self->node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, a);
	b = open(self->node, O_RDWR | O_CLOEXEC);
	EXPECT_EQ(-1, b);
	EXPECT_EQ(EBUSY, errno);
	close(a);
	b = open(self->node, O_RDWR | O_CLOEXEC);
	EXPECT_LE(0, b);
	close(b);
}

TEST_F(attach, open_needs_read_write)
{
	struct vnl_dev info;
	int fd;

	/* The mode bits would allow both; the attachment needs both. */
	EXPECT_EQ(-1, open(self->node, O_RDONLY | O_CLOEXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, open(self->node, O_WRONLY | O_CLOEXEC));
	EXPECT_EQ(EACCES, errno);
	/* A refused open did not attach. */
	ASSERT_EQ(0, vt_dev_get(self->name, &info));
	EXPECT_FALSE(info.vmm_attached);
	fd = open(self->node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	close(fd);
}

/* Whether this process has a thread named @comm. */
static bool has_thread(const char *comm)
{
	char path[300], buf[32];
	struct dirent *de;
	bool found = false;
	DIR *d = opendir("/proc/self/task");

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = 0;
			found = !strcmp(buf, comm);
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

TEST_F(attach, worker_is_a_thread_of_the_vmm)
{
	char comm[32];
	int fd;

	snprintf(comm, sizeof(comm), "vblk-%d", getpid());
	EXPECT_FALSE(has_thread(comm));
	fd = open(self->node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* Accounted where the VMM is: it lives in the VMM's thread group. */
	EXPECT_TRUE(has_thread(comm));
	close(fd);
	EXPECT_FALSE(has_thread(comm));
}

TEST_F(attach, attached_flag_follows_the_file)
{
	struct vnl_dev info;
	int fd;

	ASSERT_EQ(0, vt_dev_get(self->name, &info));
	EXPECT_FALSE(info.vmm_attached);
	fd = open(self->node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vt_dev_get(self->name, &info));
	EXPECT_TRUE(info.vmm_attached);
	close(fd);
	ASSERT_EQ(0, vt_dev_get(self->name, &info));
	EXPECT_FALSE(info.vmm_attached);
}

TEST_F(attach, mmio_access_rules)
{
	uint32_t v = 0;
	uint8_t buf[8];
	int fd;

	fd = open(self->node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, pread(fd, &v, 4, VIRTIO_MMIO_MAGIC_VALUE));
	EXPECT_EQ(0x74726976, v);
	ASSERT_EQ(4, pread(fd, &v, 4, VIRTIO_MMIO_DEVICE_ID));
	EXPECT_EQ(VIRTIO_ID_BLOCK, v);

	/* Widths other than 1, 2, 4 and offsets outside the window. */
	EXPECT_EQ(-1, pread(fd, buf, 3, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(fd, buf, 8, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(fd, buf, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(fd, buf, 4, 0x1000));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(fd, buf, 4, 0xffe));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(fd, buf, 4, 1ULL << 40));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, 8, VIRTIO_MMIO_STATUS));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, 4, 0x1000));
	EXPECT_EQ(EINVAL, errno);
	/* Bad user buffers. */
	EXPECT_EQ(-1, pread(fd, bad_ptr, 4, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(fd, bad_ptr, 4, VIRTIO_MMIO_STATUS));
	EXPECT_EQ(EFAULT, errno);
	/* No seeking on a register window. */
	EXPECT_EQ(-1, lseek(fd, 4, SEEK_SET));
	close(fd);
}

TEST_F(attach, mem_table_validation)
{
	struct big_table *t = &self->tab;
	uint64_t ram = (uintptr_t)self->ram;
	unsigned int i;
	int fd;

	fd = open(self->node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);

	t->r[0] = (struct vblk_mem_region){ 0x1000, 0x10000, ram };
	EXPECT_EQ(0, set_table(fd, t, 1));

	EXPECT_EQ(-EINVAL, set_table(fd, t, 0));
	EXPECT_EQ(-E2BIG, set_table(fd, t, VBLK_MAX_MEM_REGIONS + 1));
	t->t.flags = 1;
	EXPECT_EQ(-EINVAL, set_table(fd, t, 1));
	t->t.flags = 0;

	/* Zero size. */
	t->r[0].size = 0;
	EXPECT_EQ(-EINVAL, set_table(fd, t, 1));
	/* Guest-physical wrap. */
	t->r[0] = (struct vblk_mem_region){ ~0ULL - 0xfff, 0x2000, ram };
	EXPECT_EQ(-EINVAL, set_table(fd, t, 1));
	/* User address wrap. */
	t->r[0] = (struct vblk_mem_region){ 0, 0x2000, ~0ULL - 0xfff };
	EXPECT_EQ(-EINVAL, set_table(fd, t, 1));
	/* Kernel address. */
	t->r[0] = (struct vblk_mem_region){ 0, 0x1000, 0xffff888000000000ULL };
	EXPECT_EQ(-EFAULT, set_table(fd, t, 1));
	/* Overlap, in either order. */
	t->r[0] = (struct vblk_mem_region){ 0x10000, 0x10000, ram };
	t->r[1] = (struct vblk_mem_region){ 0x1f000, 0x1000, ram };
	EXPECT_EQ(-EINVAL, set_table(fd, t, 2));
	t->r[1] = (struct vblk_mem_region){ 0x0, 0x10001, ram };
	EXPECT_EQ(-EINVAL, set_table(fd, t, 2));
	/* Adjacent is fine, and so is aliasing in the VMM. */
	t->r[1] = (struct vblk_mem_region){ 0x0, 0x10000, ram };
	EXPECT_EQ(0, set_table(fd, t, 2));
	/* The full table. */
	for (i = 0; i < VBLK_MAX_MEM_REGIONS; i++)
		t->r[i] = (struct vblk_mem_region){ i * 0x4000ULL, 0x4000,
						    ram + i * 0x4000ULL };
	EXPECT_EQ(0, set_table(fd, t, VBLK_MAX_MEM_REGIONS));
	/* Bad argument pointers. */
	EXPECT_EQ(-1, ioctl(fd, VBLK_SET_MEM_TABLE, NULL));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST_F(attach, mem_table_regions_unreadable_past_header)
{
	struct vblk_mem_table *t;
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *two;
	int fd;

	/* A header at the end of a page whose successor is unmapped. */
	two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, munmap(two + pg, pg));
	t = (struct vblk_mem_table *)(two + pg - sizeof(*t));
	t->nregions = 1;
	t->flags = 0;
	fd = open(self->node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, VBLK_SET_MEM_TABLE, t));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
	munmap(two, pg);
}

TEST_F(attach, eventfd_validation)
{
	static const unsigned long vring[] = {
		VBLK_SET_VRING_KICK, VBLK_SET_VRING_CALL,
	};
	int fd, efd, p[2];
	uint32_t nq = 0;

	fd = open(self->node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ioctl(fd, VBLK_GET_NUM_QUEUES, &nq));
	EXPECT_EQ(1, nq);

	for (size_t i = 0; i < sizeof(vring) / sizeof(vring[0]); i++) {
		unsigned long cmd = vring[i];

		EXPECT_EQ(0, set_vring(fd, cmd, 0, efd));
		/* Replacing and removing. */
		EXPECT_EQ(0, set_vring(fd, cmd, 0, efd));
		EXPECT_EQ(0, set_vring(fd, cmd, 0, -1));
		/* A queue the device does not have. */
		EXPECT_EQ(-EINVAL, set_vring(fd, cmd, nq, efd));
		EXPECT_EQ(-EINVAL, set_vring(fd, cmd, UINT32_MAX, efd));
		/* Not an eventfd; not a file descriptor. */
		EXPECT_EQ(-EINVAL, set_vring(fd, cmd, 0, p[0]));
		EXPECT_EQ(-EBADF, set_vring(fd, cmd, 0, 9999));
		EXPECT_EQ(-EBADF, set_vring(fd, cmd, 0, -2));
		EXPECT_EQ(-1, ioctl(fd, cmd, NULL));
		EXPECT_EQ(EFAULT, errno);
	}
	EXPECT_EQ(0, set_fd(fd, VBLK_SET_CONFIG_CALL, efd));
	EXPECT_EQ(0, set_fd(fd, VBLK_SET_CONFIG_CALL, -1));
	EXPECT_EQ(-EINVAL, set_fd(fd, VBLK_SET_CONFIG_CALL, p[1]));
	EXPECT_EQ(-EBADF, set_fd(fd, VBLK_SET_CONFIG_CALL, 9999));
	EXPECT_EQ(-1, ioctl(fd, VBLK_GET_NUM_QUEUES, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(VBLK_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);

	/* The attachment keeps its own references: closing ours is fine. */
	EXPECT_EQ(0, set_vring(fd, VBLK_SET_VRING_KICK, 0, efd));
	EXPECT_EQ(0, set_vring(fd, VBLK_SET_VRING_CALL, 0, efd));
	EXPECT_EQ(0, set_fd(fd, VBLK_SET_CONFIG_CALL, efd));
	close(efd);
	close(p[0]);
	close(p[1]);
	close(fd);
}

TEST_F(attach, other_process_is_refused)
{
	int fd, status;
	pid_t pid;

	fd = open(self->node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* A forked child has another mm: everything is EPERM. */
		uint32_t v;
		int efd = eventfd(0, 0);

		if (pread(fd, &v, 4, 0) != -1 || errno != EPERM)
			_exit(1);
		if (pwrite(fd, &v, 4, VIRTIO_MMIO_STATUS) != -1 || errno != EPERM)
			_exit(2);
		if (set_vring(fd, VBLK_SET_VRING_KICK, 0, efd) != -EPERM)
			_exit(3);
		if (set_table(fd, &self->tab, 1) != -EPERM)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The opener still works. */
	EXPECT_EQ(VIRTIO_ID_BLOCK, ({ uint32_t v = 0; pread(fd, &v, 4, 8); v; }));
	close(fd);
}

TEST_F(attach, close_resets_the_device)
{
	struct vg g;

	ASSERT_EQ(0, vg_attach(&g, self->name, 0));
	ASSERT_EQ(0, vg_init(&g, VG_F_EVENT_IDX, 64));
	EXPECT_NE(0, vg_rd32(&g, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
	vg_detach(&g);

	ASSERT_EQ(0, vg_open(&g, self->name));
	EXPECT_EQ(0, vg_rd32(&g, VIRTIO_MMIO_STATUS));
	vg_wr32(&g, VIRTIO_MMIO_QUEUE_SEL, 0);
	EXPECT_EQ(0, vg_rd32(&g, VIRTIO_MMIO_QUEUE_READY));
	vg_detach(&g);
}

TEST_F(attach, reopen_cycles)
{
	struct vg g;
	int i;

	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, vg_attach(&g, self->name, 4U << 20));
		ASSERT_EQ(0, vg_init(&g, 0, 16));
		vg_detach(&g);
	}
}

TEST_F(attach, dev_del_while_attached)
{
	struct vnl_dev info;
	uint32_t v;
	struct vg g;
	struct stat st;

	ASSERT_EQ(0, vg_attach(&g, self->name, 0));
	ASSERT_EQ(0, vg_init(&g, 0, 64));

	/* Refused without force; nothing changes. */
	EXPECT_EQ(-EBUSY, vt_dev_del(self->name, false));
	ASSERT_EQ(0, vt_dev_get(self->name, &info));
	EXPECT_TRUE(info.vmm_attached);
	EXPECT_EQ(0, vg_mmio_read(&g, VIRTIO_MMIO_MAGIC_VALUE, 4, &v));

	/*
	 * With force the device is unlisted at once and the VMM detached in
	 * the background; its file stays open but dead.
	 */
	EXPECT_EQ(0, vt_dev_del(self->name, true));
	EXPECT_EQ(-ENOENT, vt_dev_get(self->name, &info));
	EXPECT_EQ(-1, stat(self->node, &st));
	for (int i = 0; i < 500; i++) {
		if (vg_mmio_read(&g, VIRTIO_MMIO_MAGIC_VALUE, 4, &v) == -ENODEV)
			break;
		usleep(10000);
	}
	EXPECT_EQ(-ENODEV, vg_mmio_read(&g, VIRTIO_MMIO_MAGIC_VALUE, 4, &v));
	EXPECT_EQ(-ENODEV, vg_mmio_write(&g, VIRTIO_MMIO_STATUS, 4, 0));
	EXPECT_EQ(-ENODEV, set_vring(g.fd, VBLK_SET_VRING_CALL, 0, g.vq[0].call_fd));
	vg_detach(&g);

	/* The name is free again. */
	EXPECT_LT(0, vt_dev_add(self->name, self->img, false, 0, 0));
}

TEST_F(attach, module_unload_refused_while_attached)
{
	struct vg g;
	int ret;

	ASSERT_EQ(0, vg_attach(&g, self->name, 0));
	ASSERT_EQ(0, vg_init(&g, 0, 64));
	ret = syscall(SYS_delete_module, "vblk", O_NONBLOCK);
	EXPECT_EQ(-1, ret);
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY)
		TH_LOG("delete_module: %s", strerror(errno));
	EXPECT_TRUE(vt_module_loaded());
	/* Still fully usable. */
	EXPECT_EQ(0x74726976, vg_rd32(&g, VIRTIO_MMIO_MAGIC_VALUE));
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_io(&g, VIRTIO_BLK_T_FLUSH, 0, 0, 0));
	vg_detach(&g);
}

TEST_F(attach, exit_without_close_detaches)
{
	struct vnl_dev info;
	int status, i;
	pid_t pid;

	for (i = 0; i < 10; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct vg g;

			if (vg_attach(&g, self->name, 0) || vg_init(&g, 0, 64))
				_exit(1);
			_exit(0);	/* no close: exit does it */
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
		ASSERT_EQ(0, vt_dev_get(self->name, &info));
		ASSERT_FALSE(info.vmm_attached);
	}
}

TEST_HARNESS_MAIN
