// SPDX-License-Identifier: GPL-2.0
/*
 * A VMM that never answers must not hold management hostage: a thread of
 * the VMM parked inside VBLK_SET_MEM_TABLE, or a queue's worker parked on
 * guest memory, each on a userfaultfd page nobody serves. While parked:
 * dev-del answers EBUSY within a second, a forced dev-del returns within
 * a second, and every other request of the family keeps answering. Once
 * the page is served everything finishes and is released (the forced
 * delete's "del" event, the node, the device), and the kernel log stays
 * clean (checked by the runner).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_admin.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define IMG_SIZE	(1U << 20)
#define PAGE		4096UL
#define PARK_MS		10000	/* how long the parked access may take to show */

FIXTURE(stall) {
	char name[VBLK_NAME_MAX];
	char img[VT_IMG_MAX];
	char spare[VT_IMG_MAX + 8];	/* backing of the scratch devices */
	char node[VBLK_NAME_MAX + 16];
	struct vnl mon;
	bool mon_open;
	int uffd;
	struct vg g;
};

FIXTURE_SETUP(stall)
{
	struct uffdio_api api = { .api = UFFD_API };
	int id;

	self->uffd = -1;
	self->g.fd = -1;
	self->mon_open = false;
	VT_NEED_ROOT_AND_VBLK();
	self->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (self->uffd < 0)
		SKIP(return, "no userfaultfd (CONFIG_USERFAULTFD): %s",
		     strerror(errno));
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_API, &api));
	id = vt_disk_create(self->name, self->img, "vst", IMG_SIZE, false);
	ASSERT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
	snprintf(self->spare, sizeof(self->spare), "%s.spare", self->img);
	snprintf(self->node, sizeof(self->node), "/dev/vblk/%s", self->name);
	ASSERT_EQ(0, vt_make_image(self->spare, IMG_SIZE));
	ASSERT_EQ(0, vnl_open(&self->mon));
	self->mon_open = true;
	ASSERT_EQ(0, vnl_monitor_join(&self->mon));
}

FIXTURE_TEARDOWN(stall)
{
	if (self->g.fd >= 0)
		vg_detach(&self->g);
	vt_del_prefix("vst");
	vt_del_prefix("vadm");
	if (self->uffd >= 0)
		close(self->uffd);
	if (self->mon_open)
		vnl_close(&self->mon);
	unlink(self->img);
	unlink(self->spare);
}

/* A fresh anonymous page registered for missing-page faults. */
static void *uffd_page(int uffd)
{
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	reg.range.start = (unsigned long)p;
	reg.range.len = PAGE;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		munmap(p, PAGE);
		return NULL;
	}
	return p;
}

/* Register @len bytes at @p (page-aligned, never touched) the same way. */
static int uffd_register(int uffd, void *p, size_t len)
{
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	reg.range.start = (unsigned long)p;
	reg.range.len = len;
	return ioctl(uffd, UFFDIO_REGISTER, &reg) ? -errno : 0;
}

/* The first fault reported on @uffd within @ms: its address, or 0. */
static unsigned long uffd_wait_fault(int uffd, int ms)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, ms) != 1)
		return 0;
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return 0;
	return msg.arg.pagefault.address & ~(PAGE - 1);
}

/* Resolve the fault at @dst with a copy of the page @src (zeros if NULL). */
static int uffd_serve(int uffd, unsigned long dst, const void *src)
{
	static const uint8_t zeros[PAGE];
	struct uffdio_copy c = {
		.dst = dst, .src = (unsigned long)(src ? src : zeros), .len = PAGE,
	};

	return ioctl(uffd, UFFDIO_COPY, &c) ? -errno : 0;
}

/* ---- a VMM thread parked inside VBLK_SET_MEM_TABLE --------------------------- */

struct memtab_call {
	int fd;
	void *arg;
	int ret;	/* 0 or -errno, once done */
	bool done;
};

static void *memtab_thread(void *p)
{
	struct memtab_call *c = p;

	c->ret = ioctl(c->fd, VBLK_SET_MEM_TABLE, c->arg) ? -errno : 0;
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* A valid one-region table over the guest's RAM, as a page to serve. */
static void memtab_page(struct vg *g, uint8_t page[PAGE])
{
	struct vblk_mem_table *t = (void *)page;

	memset(page, 0, PAGE);
	t->nregions = 1;
	t->regions[0].guest_phys_addr = VG_RAM_GPA;
	t->regions[0].size = g->ram_size;
	t->regions[0].userspace_addr = (uintptr_t)g->ram;
}

/* Park a thread in VBLK_SET_MEM_TABLE on a page of @self->uffd. */
static unsigned long park_memtab(struct __test_metadata *_metadata,
				 FIXTURE_DATA(stall) *self,
				 struct memtab_call *c, pthread_t *th)
{
	void *arg = uffd_page(self->uffd);
	unsigned long fault;

	if (!arg)
		return 0;
	c->fd = self->g.fd;
	c->arg = arg;
	c->done = false;
	if (pthread_create(th, NULL, memtab_thread, c))
		return 0;
	fault = uffd_wait_fault(self->uffd, PARK_MS);
	EXPECT_EQ((unsigned long)arg, fault);
	EXPECT_FALSE(__atomic_load_n(&c->done, __ATOMIC_ACQUIRE));
	return fault;
}

/* While parked: dev-del is refused at once, everything else answers. */
static void refused_but_alive(struct __test_metadata *_metadata,
			      FIXTURE_DATA(stall) *self)
{
	EXPECT_ADMIN_FAST(vt_dev_del(self->name, false), -EBUSY);
	EXPECT_ADMIN_ALIVE(self->name, true, self->spare);
}

TEST_F_TIMEOUT(stall, mem_table_copy_parked_forced_delete, 120)
{
	static uint8_t page[PAGE];
	struct memtab_call c;
	unsigned long fault;
	struct stat st;
	pthread_t th;
	uint32_t v;

	ASSERT_EQ(0, vg_attach(&self->g, self->name, 0));
	fault = park_memtab(_metadata, self, &c, &th);
	ASSERT_NE(0, fault);
	refused_but_alive(_metadata, self);
	EXPECT_ADMIN_FAST(vt_dev_del(self->name, true), 0);
	/* The detach does not need the parked copy: it finishes now. */
	EXPECT_EQ(0, vt_wait_event(&self->mon, VBLK_EVENT_TYPE_DEL,
				   self->name, PARK_MS));
	EXPECT_ADMIN_ALIVE(self->name, false, self->spare);
	EXPECT_FALSE(__atomic_load_n(&c.done, __ATOMIC_ACQUIRE));

	/* Served: the ioctl finds its session detached. */
	memtab_page(&self->g, page);
	ASSERT_EQ(0, uffd_serve(self->uffd, fault, page));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-ENODEV, c.ret);
	EXPECT_EQ(-ENODEV, vg_mmio_read(&self->g, VIRTIO_MMIO_MAGIC_VALUE, 4, &v));
	vg_detach(&self->g);
	EXPECT_EQ(-1, stat(self->node, &st));
	EXPECT_LT(0, vt_dev_add(self->name, self->img, false, 0, 0));
}

TEST_F_TIMEOUT(stall, mem_table_copy_parked_then_served, 120)
{
	static uint8_t page[PAGE];
	struct memtab_call c;
	unsigned long fault;
	uint8_t buf[512];
	pthread_t th;

	ASSERT_EQ(0, vg_attach(&self->g, self->name, 0));
	fault = park_memtab(_metadata, self, &c, &th);
	ASSERT_NE(0, fault);
	refused_but_alive(_metadata, self);
	/* The session serves its other requests meanwhile. */
	EXPECT_EQ(0x74726976, vg_rd32(&self->g, VIRTIO_MMIO_MAGIC_VALUE));

	memtab_page(&self->g, page);
	ASSERT_EQ(0, uffd_serve(self->uffd, fault, page));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, c.ret);
	/* The table took effect and the device works. */
	ASSERT_EQ(0, vg_init(&self->g, 0, 64));
	memset(buf, 0x5a, sizeof(buf));
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_write(&self->g, 3, buf, sizeof(buf)));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_read(&self->g, 3, buf, sizeof(buf)));
	EXPECT_EQ(0x5a, buf[0]);
	EXPECT_EQ(0x5a, buf[511]);
}

/* ---- a queue's worker parked on guest memory ------------------------------------ */

/*
 * Submit a read into a guest page that was never touched and is
 * registered with @self->uffd, kick, and wait until the worker faults on
 * it. Returns the faulting page (the worker holds its queue meanwhile).
 */
static unsigned long park_worker(struct __test_metadata *_metadata,
				 FIXTURE_DATA(stall) *self, struct vg_req *r)
{
	uint64_t gpa = vg_alloc(&self->g, PAGE, PAGE);
	void *hva = vg_hva(&self->g, gpa);
	unsigned long fault;

	if (!gpa || uffd_register(self->uffd, hva, PAGE))
		return 0;
	memset(r, 0, sizeof(*r));
	r->type = VIRTIO_BLK_T_IN;
	r->sector = 8;
	r->data_gpa = gpa;
	r->data_len = PAGE;
	if (vg_req_submit(&self->g, r) || vg_kick(&self->g))
		return 0;
	fault = uffd_wait_fault(self->uffd, PARK_MS);
	EXPECT_EQ((unsigned long)hva, fault);
	return fault;
}

/* The backing's sectors 8.. hold a pattern the parked read must return. */
static void fill_pattern(const char *img)
{
	uint8_t buf[PAGE];
	int fd = open(img, O_WRONLY | O_CLOEXEC);

	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	if (fd >= 0) {
		if (pwrite(fd, buf, sizeof(buf), 8 * 512) != sizeof(buf))
			perror("pwrite");
		close(fd);
	}
}

TEST_F_TIMEOUT(stall, worker_parked_forced_delete, 120)
{
	unsigned long fault;
	struct vg_req r;
	struct stat st;

	ASSERT_EQ(0, vg_attach(&self->g, self->name, 0));
	ASSERT_EQ(0, vg_init(&self->g, 0, 64));
	fault = park_worker(_metadata, self, &r);
	ASSERT_NE(0, fault);
	refused_but_alive(_metadata, self);
	EXPECT_ADMIN_FAST(vt_dev_del(self->name, true), 0);
	/* The detach waits for the pass in the background; nothing else does. */
	EXPECT_ADMIN_ALIVE(self->name, false, self->spare);

	ASSERT_EQ(0, uffd_serve(self->uffd, fault, NULL));
	EXPECT_EQ(0, vt_wait_event(&self->mon, VBLK_EVENT_TYPE_DEL, self->name,
				   PARK_MS));
	EXPECT_EQ(-ENODEV, vg_mmio_write(&self->g, VIRTIO_MMIO_STATUS, 4, 0));
	vg_detach(&self->g);
	EXPECT_EQ(-1, stat(self->node, &st));
	EXPECT_ADMIN_ALIVE(self->name, false, self->spare);
}

TEST_F_TIMEOUT(stall, worker_parked_then_served, 120)
{
	unsigned long fault;
	struct vg_req r;
	uint8_t *data;

	fill_pattern(self->img);
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 0));
	ASSERT_EQ(0, vg_init(&self->g, 0, 64));
	fault = park_worker(_metadata, self, &r);
	ASSERT_NE(0, fault);
	refused_but_alive(_metadata, self);

	ASSERT_EQ(0, uffd_serve(self->uffd, fault, NULL));
	ASSERT_EQ(0, vg_req_wait(&self->g, &r));
	EXPECT_EQ(VIRTIO_BLK_S_OK, r.status);
	data = vg_hva(&self->g, r.data_gpa);
	EXPECT_EQ(3, data[0]);
	EXPECT_EQ((uint8_t)(4095 * 7 + 3), data[4095]);
	/* Released: the VMM goes, the device can be deleted. */
	vg_detach(&self->g);
	EXPECT_ADMIN_FAST(vt_dev_del(self->name, false), 0);
}

TEST_HARNESS_MAIN
