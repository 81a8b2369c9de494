// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile guest through the live ABI: random and mutated descriptor
 * chains, ring indices and register writes through /dev/vblk/NAME, while
 * another thread of the VMM swaps the memory table, unmaps and remaps
 * parts of guest memory, takes pages away (PROT_NONE), resets the device
 * and replaces the eventfds. Both I/O modes of a file backing (buffered,
 * and O_DIRECT: asynchronous).
 *
 * The device's capacity is half its backing file: whatever the guest
 * does, the second half of the file keeps its pattern. Afterwards the
 * device still serves a well-behaved driver. Kernel reports (KASAN,
 * lockdep, ...) and leaks fail the run (checked by the runner).
 *
 * VBLK_FUZZ_N: chains per backing mode (default: a smoke of 3000);
 * VBLK_FUZZ_SEED: the seed (default fixed; printed either way).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define SMOKE_N		3000
#define FILE_SIZE	(2U << 20)
#define CAPACITY	(1U << 20)	/* the device sees the first half */
#define RAM		(4U << 20)
#define GUEST_PART	(1U << 20)	/* the guest thread writes below this */
#define CHUNK		(256U << 10)	/* unmapped and remapped at a time */
#define QNUM		256
#define DESC_OFF	0x0
#define AVAIL_OFF	0x1000
#define USED_OFF	0x2000
#define HDR_OFF		0x4000		/* 512 slots of 32 bytes */
#define IND_OFF		0x8000		/* indirect tables */
#define DATA_OFF	0x10000
#define BATCH		16

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

struct chaos {
	int fd;
	uint8_t *ram, *ram2;
	volatile bool stop;
	struct rng r;
	unsigned long swaps, unmaps, protects, resets, fds;
	int kick_fd, call_fd;
};

struct gz {
	int fd;
	uint8_t *ram;
	struct rng r;
	uint16_t avail, slot;
	unsigned long chains, kicks, regs, inits, used_seen;
	int kick_fd, call_fd;
};

/* ---- the VMM's other thread ----------------------------------------------------- */

struct table {
	struct vblk_mem_table t;
	struct vblk_mem_region r[2];
};

static void set_table(struct chaos *c, unsigned int which)
{
	struct table tab = { .t.nregions = 1 };
	struct vblk_mem_region *r = tab.r;

	r[0] = (struct vblk_mem_region){ VG_RAM_GPA, RAM, (uintptr_t)c->ram };
	switch (which % 4) {
	case 1:	/* a hole in the middle */
		tab.t.nregions = 2;
		r[0].size = GUEST_PART;
		r[1] = (struct vblk_mem_region){ VG_RAM_GPA + 2 * GUEST_PART,
			RAM - 2 * GUEST_PART, (uintptr_t)c->ram + 2 * GUEST_PART };
		break;
	case 2:	/* the upper part is other memory */
		tab.t.nregions = 2;
		r[0].size = GUEST_PART;
		r[1] = (struct vblk_mem_region){ VG_RAM_GPA + GUEST_PART,
			RAM - GUEST_PART, (uintptr_t)c->ram2 };
		break;
	case 3:	/* only the rings */
		r[0].size = DATA_OFF;
		break;
	}
	ioctl(c->fd, VBLK_SET_MEM_TABLE, &tab);
	c->swaps++;
}

static void *chaos_thread(void *p)
{
	struct chaos *c = p;

	while (!c->stop) {
		uint8_t *chunk = c->ram + GUEST_PART +
				 rnd(&c->r) % ((RAM - GUEST_PART) / CHUNK) * CHUNK;
		struct vblk_vring_fd v = { .index = 0 };

		switch (rnd(&c->r) % 8) {
		case 0:
		case 1:
			set_table(c, rnd(&c->r));
			break;
		case 2:	/* gone, then back as new zero pages */
			munmap(chunk, CHUNK);
			mmap(chunk, CHUNK, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			c->unmaps++;
			break;
		case 3:
			mprotect(chunk, CHUNK, PROT_NONE);
			usleep(200);
			mprotect(chunk, CHUNK, PROT_READ | PROT_WRITE);
			c->protects++;
			break;
		case 4:
			if (rnd(&c->r) % 4 == 0) {
				vg_mmio_write(&(struct vg){ .fd = c->fd },
					      VIRTIO_MMIO_STATUS, 4, 0);
				c->resets++;
			}
			break;
		case 5:
			v.fd = rnd(&c->r) % 2 ? c->kick_fd : -1;
			ioctl(c->fd, VBLK_SET_VRING_KICK, &v);
			v.fd = c->kick_fd;
			ioctl(c->fd, VBLK_SET_VRING_KICK, &v);
			v.fd = c->call_fd;
			ioctl(c->fd, VBLK_SET_VRING_CALL, &v);
			c->fds++;
			break;
		}
		usleep(rnd(&c->r) % 3000);
	}
	set_table(c, 0);
	return NULL;
}

/* ---- the guest ------------------------------------------------------------------------ */

static void reg(struct gz *z, uint32_t off, uint32_t val)
{
	pwrite(z->fd, &val, 4, off);
}

static uint32_t reg_read(struct gz *z, uint32_t off)
{
	uint32_t v = 0;

	pread(z->fd, &v, 4, off);
	return v;
}

/* A driver's probe, with a random choice of the offered features. */
static void guest_init(struct gz *z)
{
	const uint32_t st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	uint64_t want = VG_F_VERSION_1 | (rnd(&z->r) & (VG_F_EVENT_IDX |
			VG_F_INDIRECT | (1ULL << VIRTIO_BLK_F_FLUSH)));
	const uint32_t seq[][2] = {
		{ VIRTIO_MMIO_STATUS, 0 },
		{ VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE },
		{ VIRTIO_MMIO_STATUS, st },
		{ VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1 },
		{ VIRTIO_MMIO_DRIVER_FEATURES, want >> 32 },
		{ VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0 },
		{ VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want },
		{ VIRTIO_MMIO_STATUS, st | VIRTIO_CONFIG_S_FEATURES_OK },
		{ VIRTIO_MMIO_QUEUE_SEL, 0 },
		{ VIRTIO_MMIO_QUEUE_NUM, QNUM },
		{ VIRTIO_MMIO_QUEUE_DESC_LOW, VG_RAM_GPA + DESC_OFF },
		{ VIRTIO_MMIO_QUEUE_DESC_HIGH, 0 },
		{ VIRTIO_MMIO_QUEUE_AVAIL_LOW, VG_RAM_GPA + AVAIL_OFF },
		{ VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0 },
		{ VIRTIO_MMIO_QUEUE_USED_LOW, VG_RAM_GPA + USED_OFF },
		{ VIRTIO_MMIO_QUEUE_USED_HIGH, 0 },
		{ VIRTIO_MMIO_QUEUE_READY, 1 },
		{ VIRTIO_MMIO_STATUS, st | VIRTIO_CONFIG_S_FEATURES_OK |
				      VIRTIO_CONFIG_S_DRIVER_OK },
	};

	for (unsigned int i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		if (seq[i][0] == VIRTIO_MMIO_QUEUE_SEL)
			memset(z->ram, 0, DATA_OFF);	/* fresh rings */
		reg(z, seq[i][0], seq[i][1]);
	}
	z->avail = z->slot = 0;
	z->inits++;
}

/* A guest-physical address: ordinary, device-only, ring, edge, out, any. */
static uint64_t gaddr(struct gz *z)
{
	uint64_t k = rnd(&z->r);

	switch (k % 8) {
	case 0 ... 2:
		return VG_RAM_GPA + DATA_OFF + (k >> 8) % (GUEST_PART - DATA_OFF - 4096);
	case 3:
		return VG_RAM_GPA + GUEST_PART + (k >> 8) % (RAM - GUEST_PART);
	case 4:
		return VG_RAM_GPA + (k >> 8) % DATA_OFF;
	case 5:
		return VG_RAM_GPA + RAM - (k >> 8) % 4096;
	case 6:
		return (k >> 8) % (2 * VG_RAM_GPA);
	}
	return rnd(&z->r);
}

static uint32_t glen(struct gz *z)
{
	uint64_t k = rnd(&z->r);

	switch (k % 6) {
	case 0 ... 2:
		return 512 * (1 + (k >> 8) % 16);
	case 3:
		return (k >> 8) % 1024;
	case 4:
		return (1 << 20) + 512 * ((k >> 8) % 3);
	}
	return (uint32_t)(k >> 16);
}

static void put_desc(struct gz *z, uint64_t table_off, unsigned int i,
		     uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = (void *)(z->ram + table_off + 16 * i);

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* A virtio-blk request, maybe indirect, maybe with one field broken. */
static uint16_t request(struct gz *z)
{
	static const uint32_t types[] = {
		VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_IN,
		VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_T_GET_ID, 77,
	};
	unsigned int n = 2 + rnd(&z->r) % 5, i, bad = rnd(&z->r) % 3 ? ~0U :
			 rnd(&z->r) % n;
	uint32_t type = types[rnd(&z->r) % 7];
	uint64_t slot = HDR_OFF + 32 * (z->slot % 512), sector;
	bool ind = rnd(&z->r) % 4 == 0, w = type != VIRTIO_BLK_T_OUT;
	uint64_t table = ind ? IND_OFF + 16 * 8 * (z->slot % 256) : DESC_OFF;
	uint16_t base = ind ? 0 : z->slot % QNUM;
	struct virtio_blk_outhdr *h = (void *)(z->ram + slot);

	sector = rnd(&z->r) % 4 ? rnd(&z->r) % (CAPACITY / 512) :
		 CAPACITY / 512 + rnd(&z->r) % (FILE_SIZE / 512);
	if (rnd(&z->r) % 16 == 0)
		sector = rnd(&z->r);
	h->type = type;
	h->ioprio = 0;
	h->sector = sector;
	for (i = 0; i < n; i++) {
		uint64_t addr = i == 0 ? VG_RAM_GPA + slot : i == n - 1 ?
				VG_RAM_GPA + slot + 16 : gaddr(z);
		uint32_t len = i == 0 ? 16 : i == n - 1 ? 1 : glen(z);
		uint16_t flags = (i && w) || i == n - 1 ? VRING_DESC_F_WRITE : 0;
		uint16_t next = ind ? i + 1 : (base + i + 1) % QNUM;

		if (i + 1 < n)
			flags |= VRING_DESC_F_NEXT;
		if (i == bad) {	/* one field of one descriptor, at random */
			addr ^= rnd(&z->r) % 2 ? 1ULL << (rnd(&z->r) % 64) : 0;
			len ^= rnd(&z->r) % 2 ? 1U << (rnd(&z->r) % 32) : 0;
			flags ^= 1U << (rnd(&z->r) % 3);
			next = rnd(&z->r) % 2 ? next : rnd(&z->r) % 300;
		}
		put_desc(z, table, ind ? i : (base + i) % QNUM, addr, len,
			 flags, next);
	}
	z->slot += ind ? 1 : n;
	if (!ind)
		return base;
	put_desc(z, DESC_OFF, z->slot % QNUM, VG_RAM_GPA + table,
		 rnd(&z->r) % 8 ? 16 * n : glen(z), VRING_DESC_F_INDIRECT,
		 rnd(&z->r) % 8 ? 0 : rnd(&z->r));
	return z->slot++ % QNUM;
}

/* Anything at all in a few descriptors. */
static uint16_t junk(struct gz *z)
{
	unsigned int n = 1 + rnd(&z->r) % 8;
	uint16_t head = z->slot % QNUM;

	for (unsigned int i = 0; i < n; i++, z->slot++)
		put_desc(z, DESC_OFF, z->slot % QNUM, gaddr(z), glen(z),
			 rnd(&z->r) % 8, rnd(&z->r) % 300);
	return head;
}

static void push(struct gz *z, uint16_t head)
{
	struct vring_avail *a = (void *)(z->ram + AVAIL_OFF);

	a->ring[z->avail % QNUM] = head;
	__atomic_store_n(&a->idx, ++z->avail, __ATOMIC_RELEASE);
}

static void kick(struct gz *z)
{
	uint64_t one = 1, n;
	struct pollfd p = { .fd = z->call_fd, .events = POLLIN };
	struct vring_used *u = (void *)(z->ram + USED_OFF);

	if (write(z->kick_fd, &one, sizeof(one)) == sizeof(one))
		z->kicks++;
	if (poll(&p, 1, 1) == 1 && read(z->call_fd, &n, sizeof(n)) == sizeof(n))
		z->used_seen = __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
}

static void guest_step(struct gz *z)
{
	struct vring_avail *a = (void *)(z->ram + AVAIL_OFF);
	uint64_t k = rnd(&z->r);

	switch (k % 16) {
	case 0:	/* the avail index jumps, or goes anywhere */
		z->avail += k % 2 ? QNUM + 1 + (k >> 8) % 300 : (k >> 8) % 5;
		__atomic_store_n(&a->idx, z->avail, __ATOMIC_RELEASE);
		return;
	case 1:	/* used_event */
		a->ring[QNUM] = k >> 16;
		return;
	case 2:	/* a register write, any offset and width */
		if ((k >> 4) % 4 == 0) {
			uint32_t v = rnd(&z->r);

			pwrite(z->fd, &v, 1 << (k >> 8) % 3, (k >> 16) % 0x140);
			z->regs++;
		}
		return;
	case 3:
		push(z, junk(z));
		break;
	default:
		push(z, request(z));
		break;
	}
	z->chains++;
}

/* ---- the test --------------------------------------------------------------------- */

FIXTURE(gfz) {
	char name[VBLK_NAME_MAX];
	char img[VT_IMG_MAX];
	struct vg g;
	uint8_t *ram2;
};

/* Both I/O modes of a file backing. */
FIXTURE_VARIANT(gfz) { int oflags; };
FIXTURE_VARIANT_ADD(gfz, buffered) { .oflags = 0 };
FIXTURE_VARIANT_ADD(gfz, direct) { .oflags = O_DIRECT };

static void fill_file(const char *img)
{
	static uint8_t buf[FILE_SIZE];
	int fd = open(img, O_WRONLY | O_CLOEXEC);

	for (unsigned int i = 0; i < FILE_SIZE; i++)
		buf[i] = (uint8_t)(i / 512 * 31 + i);
	if (fd >= 0 && pwrite(fd, buf, FILE_SIZE, 0) != FILE_SIZE)
		perror("pwrite");
	if (fd >= 0)
		close(fd);
}

/* The bytes past the capacity are still the pattern. */
static long first_changed_byte(const char *img)
{
	static uint8_t buf[FILE_SIZE];
	int fd = open(img, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, FILE_SIZE, 0);

	if (fd >= 0)
		close(fd);
	if (n != FILE_SIZE)
		return 0;
	for (unsigned int i = CAPACITY; i < FILE_SIZE; i++)
		if (buf[i] != (uint8_t)(i / 512 * 31 + i))
			return i;
	return -1;
}

FIXTURE_SETUP(gfz)
{
	int id;

	self->g.fd = -1;
	self->ram2 = MAP_FAILED;
	VT_NEED_ROOT_AND_VBLK();
	vt_disk_names(self->name, self->img, "vgf");
	ASSERT_EQ(0, vt_make_image(self->img, FILE_SIZE));
	fill_file(self->img);
	id = vt_dev_add(self->name, self->img, false, CAPACITY, variant->oflags);
	ASSERT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
	ASSERT_EQ(0, vg_attach(&self->g, self->name, RAM));
	self->ram2 = mmap(NULL, RAM, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ram2);
}

FIXTURE_TEARDOWN(gfz)
{
	if (self->g.fd >= 0)
		vg_detach(&self->g);
	if (self->ram2 != MAP_FAILED)
		munmap(self->ram2, RAM);
	vt_disk_destroy(self->name, self->img);
}

TEST_F_TIMEOUT(gfz, hostile_guest_and_vmm, 7200)
{
	unsigned long n = env_u64("VBLK_FUZZ_N", SMOKE_N);
	uint64_t seed = env_u64("VBLK_FUZZ_SEED", 0x76626c6b67667a31ULL);
	struct gz z = { .fd = self->g.fd, .ram = self->g.ram, .r = { seed | 1 } };
	struct chaos c = {
		.fd = self->g.fd, .ram = self->g.ram, .ram2 = self->ram2,
		.r = { (seed ^ 0xc4a05) | 1 }, .kick_fd = self->g.vq[0].kick_fd,
		.call_fd = self->g.vq[0].call_fd,
	};
	struct timespec t0, t1;
	struct vnl_dev d;
	uint8_t buf[4096], back[4096];
	pthread_t th;
	uint32_t st;

	printf("# seed %#llx, %lu chains, %s backing\n", (unsigned long long)seed,
	       n, variant->oflags ? "O_DIRECT" : "buffered");
	z.kick_fd = c.kick_fd;
	z.call_fd = c.call_fd;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, pthread_create(&th, NULL, chaos_thread, &c));
	guest_init(&z);
	while (z.chains < n) {
		for (int i = 0; i < BATCH; i++)
			guest_step(&z);
		kick(&z);
		/* Reset, or a queue broken (NEEDS_RESET): probe again. */
		st = reg_read(&z, VIRTIO_MMIO_STATUS);
		if (!(st & VIRTIO_CONFIG_S_DRIVER_OK) ||
		    (st & VIRTIO_CONFIG_S_NEEDS_RESET))
			guest_init(&z);
		else if (z.chains % 1024 < BATCH)
			guest_init(&z);	/* a ring moved by a register write */
	}
	c.stop = true;
	ASSERT_EQ(0, pthread_join(th, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_EQ(0, vt_dev_get(self->name, &d));
	printf("# %lu chains in %ld s: %lu kicks, %lu register writes, %lu "
	       "probes; VMM: %lu table swaps, %lu unmaps, %lu PROT_NONE, %lu "
	       "resets, %lu eventfd swaps\n", z.chains,
	       (long)(t1.tv_sec - t0.tv_sec), z.kicks, z.regs, z.inits, c.swaps,
	       c.unmaps, c.protects, c.resets, c.fds);
	printf("# device: %llu reads, %llu writes, %llu flushes, %llu io_errors, "
	       "%llu avail index jumps\n",
	       (unsigned long long)d.st.reads_completed,
	       (unsigned long long)d.st.writes_completed,
	       (unsigned long long)d.st.flushes_completed,
	       (unsigned long long)d.st.io_errors,
	       (unsigned long long)d.st.invalid_avail_idx_count);
	EXPECT_LE(n, z.chains);
	/* The guest got requests through, and the device refused many. */
	EXPECT_LT(0, d.st.reads_completed + d.st.writes_completed);
	EXPECT_LT(0, d.st.io_errors);

	/* Afterwards a well-behaved driver is served as if nothing happened. */
	reg(&z, VIRTIO_MMIO_STATUS, 0);
	vg_detach(&self->g);
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 0));
	ASSERT_EQ(0, vg_init(&self->g, 0, 64));
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 3);
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_write(&self->g, 16, buf, sizeof(buf)));
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_read(&self->g, 16, back, sizeof(back)));
	EXPECT_EQ(0, memcmp(buf, back, sizeof(buf)));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, vg_blk_write(&self->g, CAPACITY / 512,
						   buf, sizeof(buf)));
	vg_detach(&self->g);
	EXPECT_EQ(-1, first_changed_byte(self->img));
}

TEST_HARNESS_MAIN
