// SPDX-License-Identifier: GPL-2.0
/*
 * The block features beyond the seed through /dev/vblk, driven by the
 * userspace guest driver (lib/vblk_guest.c): discard and write zeroes on a
 * sparse file and on a loop device (the backing's allocated blocks drop),
 * an online resize under I/O (config generation, configuration change
 * interrupt, requests past the new end, refusals), the writeback byte of
 * VIRTIO_BLK_F_CONFIG_WCE as dev-get shows it, and the latency histograms
 * and per-queue counters against the requests issued. Also: what is
 * offered per backing, decided without waiting on the backing, and
 * discard and write zeroes on a loop device with 4096-byte blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_admin.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define MIB		(1ULL << 20)
#define FT_SIZE		(16 * MIB)
#define F(bit)		(1ULL << (bit))
#define FT_WANT		(F(VIRTIO_BLK_F_DISCARD) | F(VIRTIO_BLK_F_WRITE_ZEROES) | \
			 F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_CONFIG_WCE) | \
			 F(VIRTIO_BLK_F_TOPOLOGY))
#define FT_UNMAP	VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP
#define CFG(field)	(VIRTIO_MMIO_CONFIG + offsetof(struct virtio_blk_config, field))

/* A refusal: the errno, and the kernel's message contains @text. */
#define FT_REFUSED(v, ret, err, text) do {				\
	EXPECT_EQ(-(err), (ret));					\
	EXPECT_TRUE(strstr((v)->msg, (text)) != NULL)			\
		TH_LOG("extack \"%s\"", (v)->msg);			\
} while (0)

FIXTURE(ft) {
	char name[VBLK_NAME_MAX];
	char img[VT_IMG_MAX];
	char loop[32];		/* the loop device, when the variant has one */
	int loop_fd;
	struct vg g;
	bool attached;
	struct vnl v;
	uint64_t table;		/* guest RAM for segment tables */
};

FIXTURE_VARIANT(ft) {
	bool loop;		/* back the device with a loop device */
	unsigned int lbs;	/* its logical block size (0: 512) */
};

FIXTURE_VARIANT_ADD(ft, file) { .loop = false };
FIXTURE_VARIANT_ADD(ft, loop) { .loop = true };
FIXTURE_VARIANT_ADD(ft, loop4k) { .loop = true, .lbs = 4096 };

FIXTURE_SETUP(ft)
{
	int id, fd;

	VT_NEED_ROOT_AND_VBLK();
	self->loop_fd = -1;
	vt_disk_names(self->name, self->img, "vft");
	fd = vt_make_temp(self->img, FT_SIZE);
	ASSERT_LE(0, fd);
	if (variant->loop) {
		self->loop_fd = vt_loop_attach_bs(fd, self->loop, variant->lbs);
		if (self->loop_fd == -ENODEV)
			SKIP(return, "no loop devices");
		ASSERT_LE(0, self->loop_fd);
		/* direct I/O, so that writes reach the loop's file at once */
		id = vt_dev_add(self->name, self->loop, false, 0, O_DIRECT);
	} else {
		id = vt_dev_add(self->name, self->img, false, 0, 0);
	}
	close(fd);
	ASSERT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 32U << 20));
	self->attached = true;
	ASSERT_EQ(0, vg_init(&self->g, FT_WANT, 64));
	self->table = vg_alloc(&self->g, 4096, 4096);
	ASSERT_NE(0, self->table);
	ASSERT_EQ(0, vnl_open(&self->v));
}

FIXTURE_TEARDOWN(ft)
{
	if (self->attached)
		vg_detach(&self->g);
	vnl_close(&self->v);
	vt_dev_del(self->name, true);
	if (self->loop_fd >= 0)
		vt_loop_detach(self->loop_fd);
	unlink(self->img);
}

/* Allocated 512-byte blocks of the file under the device. */
static long long blocks(FIXTURE_DATA(ft) *self)
{
	struct stat st;

	return stat(self->img, &st) ? -1 : (long long)st.st_blocks;
}

/* A DISCARD or WRITE_ZEROES of one range: its status. */
static int dwz(FIXTURE_DATA(ft) *self, uint32_t type, uint64_t sector,
	       uint32_t num, uint32_t flags)
{
	struct virtio_blk_discard_write_zeroes *s = vg_hva(&self->g, self->table);

	s->sector = sector;
	s->num_sectors = num;
	s->flags = flags;
	return vg_blk_io(&self->g, type, 0, self->table, sizeof(*s));
}

/* Write @mib MiB of a pattern from sector @sector. */
static int fill(FIXTURE_DATA(ft) *self, uint64_t sector, unsigned int mib)
{
	uint8_t *buf = malloc(MIB);
	int st = VIRTIO_BLK_S_OK;

	if (!buf)
		return -ENOMEM;
	memset(buf, 0xA5, MIB);
	for (unsigned int i = 0; i < mib && st == VIRTIO_BLK_S_OK; i++)
		st = vg_blk_write(&self->g, sector + i * (MIB / 512), buf, MIB);
	free(buf);
	return st;
}

/* The file's bytes [off, off + len) are all @byte. */
static bool file_all(FIXTURE_DATA(ft) *self, uint64_t off, uint8_t byte,
		     size_t len)
{
	uint8_t *buf = malloc(len);
	int fd = open(self->img, O_RDONLY);
	bool ok = buf && fd >= 0 && pread(fd, buf, len, off) == (ssize_t)len;

	for (size_t i = 0; ok && i < len; i++)
		ok = buf[i] == byte;
	free(buf);
	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * Discard deallocates: the backing file's blocks drop by the range (on
 * the loop variant through the loop device into its file).
 */
TEST_F(ft, discard_frees_blocks)
{
	long long b0, b1, b2;
	struct vnl_dev d;

	ASSERT_TRUE(self->g.features & F(VIRTIO_BLK_F_DISCARD))
		TH_LOG("discard not offered: %#llx",
		       (unsigned long long)self->g.dev_features);
	b0 = blocks(self);
	ASSERT_EQ(VIRTIO_BLK_S_OK, fill(self, 2048, 4));
	b1 = blocks(self);
	ASSERT_LE(b0 + 8192, b1) TH_LOG("blocks %lld -> %lld", b0, b1);
	EXPECT_EQ(VIRTIO_BLK_S_OK,
		  dwz(self, VIRTIO_BLK_T_DISCARD, 2048, 8192, 0));
	b2 = blocks(self);
	TH_LOG("st_blocks: %lld empty, %lld after 4 MiB, %lld after discard",
	       b0, b1, b2);
	EXPECT_GE(b1 - 8192, b2);
	/* the punched range reads as zeros in the file */
	EXPECT_TRUE(file_all(self, MIB, 0, 4 * MIB));
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->name, &d));
	EXPECT_EQ(1, d.st.discards_completed);
	EXPECT_EQ(4 * MIB, d.st.bytes_discarded);
	EXPECT_EQ(0, d.st.io_errors);
	/* unmap is not allowed on a discard; past the end is an error */
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP,
		  dwz(self, VIRTIO_BLK_T_DISCARD, 0, 8, FT_UNMAP));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  dwz(self, VIRTIO_BLK_T_DISCARD, FT_SIZE / 512 - 4, 8, 0));
}

/*
 * Write zeroes: the range reads as zeros; with unmap it is deallocated,
 * without it stays allocated.
 */
TEST_F(ft, write_zeroes)
{
	uint32_t unmap = 0;
	long long b1, b2, b3;
	struct vnl_dev d;

	if (variant->loop)
		SKIP(return, "the file variant covers it (a loop over tmpfs "
			     "turns its write zeroes off after a ZERO_RANGE)");
	ASSERT_TRUE(self->g.features & F(VIRTIO_BLK_F_WRITE_ZEROES));
	ASSERT_EQ(0, vg_mmio_read(&self->g, CFG(write_zeroes_may_unmap), 1,
				  &unmap));
	ASSERT_EQ(1, unmap);
	ASSERT_EQ(VIRTIO_BLK_S_OK, fill(self, 0, 4));
	b1 = blocks(self);
	EXPECT_EQ(VIRTIO_BLK_S_OK,
		  dwz(self, VIRTIO_BLK_T_WRITE_ZEROES, 0, 2048, 0));
	b2 = blocks(self);
	EXPECT_TRUE(file_all(self, 0, 0, MIB));
	EXPECT_TRUE(file_all(self, MIB, 0xA5, MIB));
	EXPECT_LE(b1 - 8, b2) TH_LOG("without unmap: %lld -> %lld", b1, b2);
	EXPECT_EQ(VIRTIO_BLK_S_OK,
		  dwz(self, VIRTIO_BLK_T_WRITE_ZEROES, 2048, 4096, FT_UNMAP));
	b3 = blocks(self);
	TH_LOG("st_blocks: %lld written, %lld zeroed, %lld zeroed with unmap",
	       b1, b2, b3);
	EXPECT_GE(b2 - 4096, b3);
	EXPECT_TRUE(file_all(self, MIB, 0, 2 * MIB));
	EXPECT_TRUE(file_all(self, 3 * MIB, 0xA5, MIB));
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->name, &d));
	EXPECT_EQ(2, d.st.write_zeroes_completed);
	EXPECT_EQ(3 * MIB, d.st.bytes_zeroed);
	/* a reserved flag is unsupported, not an error */
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP,
		  dwz(self, VIRTIO_BLK_T_WRITE_ZEROES, 0, 8, 2));
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->name, &d));
	EXPECT_EQ(0, d.st.io_errors);
}

/* dev-set capacity: NAME, the new size in bytes. */
static int resize(FIXTURE_DATA(ft) *self, uint64_t bytes)
{
	struct vnl_set s = {
		.name = self->name, .has_capacity = true, .capacity = bytes,
	};

	return vnl_dev_set(&self->v, &s);
}

/* The configuration change eventfd fired (within 5 s): consume it. */
static bool config_irq(FIXTURE_DATA(ft) *self)
{
	struct pollfd p = { .fd = self->g.config_fd, .events = POLLIN };
	uint64_t n;

	return poll(&p, 1, 5000) == 1 &&
	       read(self->g.config_fd, &n, sizeof(n)) == sizeof(n);
}

struct resize_io {
	FIXTURE_DATA(ft) *self;
	volatile int stop;
	unsigned long ok, ioerr, other;
};

/* Reads all over 0 to 24 MiB until told to stop. */
static void *resize_reader(void *arg)
{
	struct resize_io *r = arg;
	uint64_t s = 0;

	while (!r->stop) {
		int st = vg_blk_io(&r->self->g, VIRTIO_BLK_T_IN, s,
				   r->self->g.scratch_gpa, 4096);

		if (st == VIRTIO_BLK_S_OK)
			r->ok++;
		else if (st == VIRTIO_BLK_S_IOERR)
			r->ioerr++;
		else
			r->other++;
		s = (s + 4099) % (24 * MIB / 512 - 8);
	}
	return NULL;
}

TEST_F(ft, resize_under_io)
{
	struct resize_io r = { .self = self };
	uint32_t gen0, gen1;
	struct vnl_dev d;
	pthread_t t;

	if (variant->loop) {
		/* a block device cannot grow past itself */
		FT_REFUSED(&self->v, resize(self, 2 * FT_SIZE), EINVAL,
			       "capacity: larger than the block device");
		EXPECT_EQ(0, resize(self, FT_SIZE / 2));
		EXPECT_TRUE(config_irq(self));
		EXPECT_EQ(FT_SIZE / 2 / 512, vg_cfg_capacity(&self->g));
		return;
	}
	gen0 = vg_rd32(&self->g, VIRTIO_MMIO_CONFIG_GENERATION);
	ASSERT_EQ(0, pthread_create(&t, NULL, resize_reader, &r));
	usleep(200000);
	EXPECT_EQ(0, resize(self, 8 * MIB));
	EXPECT_TRUE(config_irq(self));
	usleep(200000);
	EXPECT_EQ(0, resize(self, 24 * MIB));
	EXPECT_TRUE(config_irq(self));
	usleep(200000);
	r.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("reads during the resizes: %lu ok, %lu I/O errors, %lu other",
	       r.ok, r.ioerr, r.other);
	EXPECT_EQ(0, r.other);
	EXPECT_LT(0, r.ok);
	EXPECT_LT(0, r.ioerr);

	gen1 = vg_rd32(&self->g, VIRTIO_MMIO_CONFIG_GENERATION);
	EXPECT_NE(gen0, gen1);
	EXPECT_EQ(24 * MIB / 512, vg_cfg_capacity(&self->g));
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->name, &d));
	EXPECT_EQ(24 * MIB, d.capacity);
	/* every error the guest saw is counted, nothing else failed */
	EXPECT_EQ(r.ioerr, d.st.io_errors);
	/* the new end holds: inside reads, past it fails */
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_io(&self->g, VIRTIO_BLK_T_IN,
					     24 * MIB / 512 - 8,
					     self->g.scratch_gpa, 4096));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, vg_blk_io(&self->g, VIRTIO_BLK_T_IN,
						24 * MIB / 512 - 4,
						self->g.scratch_gpa, 4096));
	/* refusals */
	FT_REFUSED(&self->v, resize(self, 1000), EINVAL,
		       "capacity: must be a non-zero multiple of 512");
	FT_REFUSED(&self->v, resize(self, 0), EINVAL,
		       "capacity: must be a non-zero multiple of 512");
	FT_REFUSED(&self->v, resize(self, 1ULL << 63), EINVAL,
		       "capacity: larger than the file system allows");
	EXPECT_EQ(gen1, vg_rd32(&self->g, VIRTIO_MMIO_CONFIG_GENERATION));
}

/* The writeback byte: the driver switches it, dev-get follows. */
TEST_F(ft, cache_mode)
{
	struct nl_msg *m;
	uint32_t wb = 9;
	struct vnl_dev d;

	if (variant->loop)
		SKIP(return, "the file variant covers it");
	ASSERT_TRUE(self->g.features & F(VIRTIO_BLK_F_CONFIG_WCE));
	ASSERT_EQ(0, vg_mmio_read(&self->g, CFG(wce), 1, &wb));
	EXPECT_EQ(1, wb);
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->name, &d));
	EXPECT_EQ(VBLK_CACHE_MODE_WRITEBACK, d.cache);
	ASSERT_EQ(0, vg_mmio_write(&self->g, CFG(wce), 1, 0));
	ASSERT_EQ(0, vg_mmio_read(&self->g, CFG(wce), 1, &wb));
	EXPECT_EQ(0, wb);
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->name, &d));
	EXPECT_EQ(VBLK_CACHE_MODE_WRITETHROUGH, d.cache);
	/* writes still work, each made durable */
	EXPECT_EQ(VIRTIO_BLK_S_OK, fill(self, 0, 1));
	/* a reset returns to the initial mode */
	vg_reset(&self->g);
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->name, &d));
	EXPECT_EQ(VBLK_CACHE_MODE_WRITEBACK, d.cache);
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, self->name);
	nla_put_u32(m, VBLK_A_DEV_CACHE, VBLK_CACHE_MODE_WRITETHROUGH);
	FT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), EOPNOTSUPP,
		   "cache: set when the device is created (the driver switches it)");
}

/* The histograms count exactly the requests issued, by kind. */
/*
 * Bucket 0 holds latencies below 1 us, bucket k in [2^(k-1), 2^k) us and
 * the last one everything longer: the sum of a histogram lies between
 * its buckets' lower and upper bounds.
 */
static bool hist_sum_fits(const struct vnl_hist *h)
{
	uint64_t lo = 0, hi = 0;
	unsigned int b;

	for (b = 0; b < h->nb; b++) {
		uint64_t us = b ? 1ULL << (b - 1) : 0;

		lo += h->b[b] * us * 1000;
		if (b + 1 == h->nb && h->b[b])
			hi = UINT64_MAX;
		else if (hi != UINT64_MAX)
			hi += h->b[b] * (1ULL << b) * 1000;
	}
	return h->sum_ns >= lo && h->sum_ns <= hi;
}

TEST_F(ft, latency_counts)
{
	static const struct {
		uint32_t op;
		uint64_t want;
	} c[] = {
		{ VBLK_OP_CLASS_READ, 20 }, { VBLK_OP_CLASS_WRITE, 10 },
		{ VBLK_OP_CLASS_FLUSH, 3 }, { VBLK_OP_CLASS_DISCARD, 1 },
		{ VBLK_OP_CLASS_WRITE_ZEROES, 0 },
	};
	const struct vnl_hist *h;
	struct vnl_dev d;
	uint64_t n;
	int i;

	if (variant->loop)
		SKIP(return, "the file variant covers it");
	for (i = 0; i < 20; i++)
		ASSERT_EQ(VIRTIO_BLK_S_OK, vg_blk_io(&self->g, VIRTIO_BLK_T_IN,
						     i * 8, self->g.scratch_gpa,
						     4096));
	for (i = 0; i < 10; i++)
		ASSERT_EQ(VIRTIO_BLK_S_OK, vg_blk_io(&self->g, VIRTIO_BLK_T_OUT,
						     i * 8, self->g.scratch_gpa,
						     4096));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(VIRTIO_BLK_S_OK, vg_blk_io(&self->g, VIRTIO_BLK_T_FLUSH,
						     0, 0, 0));
	ASSERT_EQ(VIRTIO_BLK_S_OK, dwz(self, VIRTIO_BLK_T_DISCARD, 0, 8, 0));
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->name, &d));
	ASSERT_EQ(2 * VBLK_OP_CLASS_WRITE_ZEROES + 2, d.nlat);
	for (i = 0; i < (int)(sizeof(c) / sizeof(c[0])); i++) {
		h = vnl_dev_hist(&d, c[i].op, VBLK_LATENCY_KIND_SERVICE);
		ASSERT_NE(NULL, h);
		ASSERT_EQ(VBLK_LATENCY_BUCKETS, h->nb);
		n = 0;
		for (unsigned int b = 0; b < h->nb; b++)
			n += h->b[b];
		EXPECT_EQ(c[i].want, n) TH_LOG("op %u", c[i].op);
		/*
		 * The sum agrees with the buckets, whatever the clock's
		 * resolution (a coarse clock may measure 0 ns).
		 */
		EXPECT_TRUE(hist_sum_fits(h)) TH_LOG("op %u: sum %llu ns",
			c[i].op, (unsigned long long)h->sum_ns);
		h = vnl_dev_hist(&d, c[i].op, VBLK_LATENCY_KIND_THROTTLED);
		ASSERT_NE(NULL, h);
		n = 0;
		for (unsigned int b = 0; b < h->nb; b++)
			n += h->b[b];
		EXPECT_EQ(0, n);
	}
	/* the queue's counters: every request, the bytes of reads and writes */
	ASSERT_EQ(1, d.nqueue);
	EXPECT_EQ(20 + 10 + 3 + 1, d.queue[0].requests);
	EXPECT_EQ(30 * 4096, d.queue[0].bytes);
	EXPECT_EQ(1, d.queue[0].inflight_peak);
}

/* @len bytes of the device from @off (a multiple of 512) are all @byte. */
static bool dev_all(FIXTURE_DATA(ft) *self, uint64_t off, uint8_t byte,
		    uint32_t len)
{
	uint8_t *buf = malloc(len);
	bool ok = buf && vg_blk_read(&self->g, off / 512, buf, len) ==
			 VIRTIO_BLK_S_OK;

	for (uint32_t i = 0; ok && i < len; i++)
		ok = buf[i] == byte;
	free(buf);
	return ok;
}

/*
 * A backing with 4096-byte logical blocks (its fallocate takes whole
 * blocks only): discard_sector_alignment says so, 512-aligned discards
 * are trimmed inward to whole blocks and succeed, and a write zeroes with
 * partial blocks at its edges zeroes exactly its range.
 */
TEST_F(ft, unaligned_on_4k_blocks)
{
	uint32_t align = 0;
	struct vnl_dev d;

	if (variant->lbs != 4096)
		SKIP(return, "the loop4k variant covers it");
	ASSERT_EQ(0, vg_mmio_read(&self->g, CFG(discard_sector_alignment), 4,
				  &align));
	EXPECT_EQ(8, align);
	align = 0;
	ASSERT_EQ(0, vg_mmio_read(&self->g, CFG(physical_block_exp), 1,
				  &align));
	EXPECT_EQ(3, align);
	ASSERT_EQ(VIRTIO_BLK_S_OK, fill(self, 0, 1));
	/* [512, 15872): the whole blocks [4096, 12288) go, the rest stays */
	EXPECT_EQ(VIRTIO_BLK_S_OK, dwz(self, VIRTIO_BLK_T_DISCARD, 1, 30, 0));
	EXPECT_TRUE(dev_all(self, 0, 0xA5, 4096));
	EXPECT_TRUE(dev_all(self, 4096, 0, 8192));
	EXPECT_TRUE(dev_all(self, 12288, 0xA5, 4096));
	/* no whole block inside: nothing to do, and no error */
	EXPECT_EQ(VIRTIO_BLK_S_OK, dwz(self, VIRTIO_BLK_T_DISCARD, 33, 6, 0));
	EXPECT_TRUE(dev_all(self, 16384, 0xA5, 4096));
	/* write zeroes [16896, 24064): partial blocks only */
	EXPECT_EQ(VIRTIO_BLK_S_OK,
		  dwz(self, VIRTIO_BLK_T_WRITE_ZEROES, 33, 14, 0));
	EXPECT_TRUE(dev_all(self, 16384, 0xA5, 512));
	EXPECT_TRUE(dev_all(self, 16896, 0, 24064 - 16896));
	EXPECT_TRUE(dev_all(self, 24064, 0xA5, 512));
	/* [33280, 48640): a partial block, two whole ones, a partial one */
	EXPECT_EQ(VIRTIO_BLK_S_OK,
		  dwz(self, VIRTIO_BLK_T_WRITE_ZEROES, 65, 30, 0));
	EXPECT_TRUE(dev_all(self, 32768, 0xA5, 512));
	EXPECT_TRUE(dev_all(self, 33280, 0, 48640 - 33280));
	EXPECT_TRUE(dev_all(self, 48640, 0xA5, 512));
	EXPECT_TRUE(dev_all(self, 49152, 0xA5, MIB - 49152));
	ASSERT_EQ(0, vnl_dev_get(&self->v, self->name, &d));
	EXPECT_EQ(0, d.st.io_errors);
	EXPECT_EQ(2, d.st.discards_completed);
	EXPECT_EQ(2, d.st.write_zeroes_completed);
}

/* What dev-get says is offered: DISCARD and WRITE_ZEROES bits. */
static int offered(const char *path, bool ro, uint64_t *f)
{
	struct vnl_dev d = { 0 };
	int id, ret;

	id = vt_dev_add("vft-offer", path, ro, 0, 0);
	if (id < 0)
		return id;
	ret = vt_dev_get("vft-offer", &d);
	vt_dev_del("vft-offer", true);
	*f = d.device_features & (F(VIRTIO_BLK_F_DISCARD) |
				  F(VIRTIO_BLK_F_WRITE_ZEROES));
	return ret;
}

/*
 * The offer per backing: a sparse file on tmpfs and a loop device over it
 * both; a block device without write zeroes (null_blk) write zeroes only;
 * a read-only device neither.
 */
TEST(offer_per_backing)
{
	char img[VT_IMG_MAX], loop[32], nb[32], cfs[32];
	const uint64_t both = F(VIRTIO_BLK_F_DISCARD) |
			      F(VIRTIO_BLK_F_WRITE_ZEROES);
	uint64_t f = 0;
	int fd, lfd, ret;

	VT_NEED_ROOT_AND_VBLK();
	fd = vt_make_temp(img, FT_SIZE);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, offered(img, false, &f));
	EXPECT_EQ(both, f);
	ASSERT_EQ(0, offered(img, true, &f));
	EXPECT_EQ(0, f);
	lfd = vt_loop_attach(fd, loop);
	if (lfd >= 0) {
		ASSERT_EQ(0, offered(loop, false, &f));
		EXPECT_EQ(both, f);
		vt_loop_detach(lfd);
	}
	close(fd);
	unlink(img);
	ret = vt_nullb_create(nb, cfs, 16, 0, 0);
	if (ret == -ENODEV)
		SKIP(return, "no null_blk");
	ASSERT_EQ(0, ret);
	ret = offered(nb, false, &f);
	vt_nullb_destroy(cfs);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(F(VIRTIO_BLK_F_WRITE_ZEROES), f);
}

/* Resolve the fault at @area after @ms, or when @wake becomes readable. */
struct uffd_release {
	int uffd;
	int wake;
	void *area;
	int ms;
};

static void *uffd_releaser(void *arg)
{
	struct uffd_release *r = arg;
	struct pollfd p = { .fd = r->wake, .events = POLLIN };
	struct uffdio_zeropage z = {
		.range = { .start = (uintptr_t)r->area, .len = 4096 },
	};

	poll(&p, 1, r->ms);
	ioctl(r->uffd, UFFDIO_ZEROPAGE, &z);
	return NULL;
}

struct uffd_writer {
	int fd;
	void *area;
};

static void *uffd_write(void *arg)
{
	struct uffd_writer *w = arg;

	/* holds the file's inode lock until the fault is resolved */
	if (pwrite(w->fd, w->area, 4096, 0) != 4096)
		return (void *)1;
	return NULL;
}

/*
 * dev-add waits on nothing in the backing: while a write into the backing
 * file holds its inode lock (stuck on a userfaultfd page), dev-add
 * answers at once (a probe by fallocate would wait for the lock) and
 * still offers discard on the tmpfs file.
 */
TEST(dev_add_no_backing_io)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffd_release rel;
	struct pollfd p = { .events = POLLIN };
	struct uffd_msg msg;
	struct uffd_writer w;
	char img[VT_IMG_MAX];
	pthread_t tw, tr;
	int pipefd[2], id;
	struct timespec t0;
	struct vnl_dev d;
	long ms;
	void *wret;

	VT_NEED_ROOT_AND_VBLK();
	p.fd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (p.fd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(p.fd, UFFDIO_API, &api));
	w.area = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, w.area);
	reg.range.start = (uintptr_t)w.area;
	reg.range.len = 4096;
	ASSERT_EQ(0, ioctl(p.fd, UFFDIO_REGISTER, &reg));
	w.fd = vt_make_temp(img, FT_SIZE);
	ASSERT_LE(0, w.fd);
	ASSERT_EQ(0, pipe(pipefd));
	rel = (struct uffd_release){ p.fd, pipefd[0], w.area, 3 * VT_ADMIN_MS };
	ASSERT_EQ(0, pthread_create(&tr, NULL, uffd_releaser, &rel));
	ASSERT_EQ(0, pthread_create(&tw, NULL, uffd_write, &w));
	/* the writer is stuck in the file's write path */
	ASSERT_EQ(1, poll(&p, 1, 5000));
	ASSERT_EQ((ssize_t)sizeof(msg), read(p.fd, &msg, sizeof(msg)));
	EXPECT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	t0 = vt_now();
	id = vt_dev_add("vft-nowait", img, false, 0, 0);
	ms = vt_ms_since(&t0);
	EXPECT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
	EXPECT_GT(VT_ADMIN_MS, ms) TH_LOG("dev-add took %ld ms", ms);
	if (id > 0) {
		ASSERT_EQ(0, vt_dev_get("vft-nowait", &d));
		EXPECT_TRUE(d.device_features & F(VIRTIO_BLK_F_DISCARD));
		vt_dev_del("vft-nowait", true);
	}

	EXPECT_EQ(1, write(pipefd[1], "", 1));
	pthread_join(tr, NULL);
	pthread_join(tw, &wret);
	EXPECT_EQ(NULL, wret);
	close(pipefd[0]);
	close(pipefd[1]);
	close(p.fd);
	close(w.fd);
	unlink(img);
	munmap(w.area, 4096);
}

TEST_HARNESS_MAIN
