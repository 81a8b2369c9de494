// SPDX-License-Identifier: GPL-2.0
/*
 * vblk data path through the VMM interface: a userspace guest driver
 * (lib/vblk_guest.c) drives /dev/vblk/NAME exactly as a KVM guest behind a
 * VMM would, and every result is checked against the backing file and the
 * netlink counters (malformed chains: vblk_framing_test.c).
 *
 * Variants: split rings with and without EVENT_IDX and indirect
 * descriptors.  Needs root and the vblk module loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_dp_fixture.h"

/* ---- round trips -------------------------------------------------------- */

TEST_F(dp, write_then_read_matches_the_file)
{
	static const struct { uint64_t sector; uint32_t len; unsigned int nseg; } c[] = {
		{ 0, 512, 1 }, { 1, 4096, 1 }, { 100, 65536, 4 },
		{ 777, 512 * 7, 7 }, { 4096, 1 << 20, 1 }, { 6000, 1 << 20, 128 },
		{ IMG_SECTORS - 8, 4096, 2 },
	};
	uint64_t wbuf = vg_alloc(&self->g, 1 << 20, 4096);
	uint64_t rbuf = vg_alloc(&self->g, 1 << 20, 4096);
	void *file = malloc(1 << 20);
	uint64_t bytes = 0;
	struct vnl_dev d;
	unsigned int i;

	ASSERT_NE(0, wbuf);
	ASSERT_NE(0, rbuf);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fill(vg_hva(&self->g, wbuf), c[i].len, c[i].sector, i + 1);
		ASSERT_EQ(VIRTIO_BLK_S_OK,
			  io(&self->g, variant->indirect, VIRTIO_BLK_T_OUT,
			     c[i].sector, wbuf, c[i].len, c[i].nseg));
		memset(vg_hva(&self->g, rbuf), 0xaa, c[i].len);
		ASSERT_EQ(VIRTIO_BLK_S_OK,
			  io(&self->g, variant->indirect, VIRTIO_BLK_T_IN,
			     c[i].sector, rbuf, c[i].len, c[i].nseg));
		EXPECT_EQ(0, memcmp(vg_hva(&self->g, wbuf),
				    vg_hva(&self->g, rbuf), c[i].len));
		ASSERT_EQ(0, file_read(self->img, file, c[i].len,
				       c[i].sector * 512));
		EXPECT_EQ(0, memcmp(vg_hva(&self->g, wbuf), file, c[i].len));
		bytes += c[i].len;
	}
	free(file);

	d = delta(_metadata, self->name, &self->before);
	EXPECT_EQ(i, d.st.writes_completed);
	EXPECT_EQ(i, d.st.reads_completed);
	EXPECT_EQ(bytes, d.st.bytes_written);
	EXPECT_EQ(bytes, d.st.bytes_read);
	EXPECT_EQ(0, d.st.io_errors);
	/*
	 * Completions raised the used-ring interrupt. A completion can be
	 * reaped before its interrupt is taken: take what is pending, then
	 * every InterruptStatus bit has been acknowledged.
	 */
	while (vg_wait_irq(&self->g, 200) > 0)
		;
	EXPECT_NE(0, self->g.isr_seen & VIRTIO_MMIO_INT_VRING);
	EXPECT_EQ(0, vg_rd32(&self->g, VIRTIO_MMIO_INTERRUPT_STATUS));
}

TEST_F(dp, reads_see_what_the_file_holds)
{
	uint8_t pat[8192];
	uint8_t got[8192];

	fill(pat, sizeof(pat), 33, 0x5eed);
	ASSERT_EQ(0, file_write(self->img, pat, sizeof(pat), 33 * 512));
	ASSERT_EQ(VIRTIO_BLK_S_OK, vg_blk_read(&self->g, 33, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(pat, got, sizeof(got)));
}

TEST_F(dp, flush)
{
	struct vnl_dev d;

	EXPECT_EQ(VIRTIO_BLK_S_OK, io(&self->g, variant->indirect,
				      VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0));
	d = delta(_metadata, self->name, &self->before);
	EXPECT_EQ(1, d.st.flushes_completed);
	EXPECT_EQ(0, d.st.io_errors);
}

TEST_F(dp, past_capacity_is_ioerr)
{
	uint64_t buf = vg_alloc(&self->g, 4096, 4096);
	struct vnl_dev d;

	EXPECT_EQ(VIRTIO_BLK_S_IOERR, io(&self->g, variant->indirect,
					 VIRTIO_BLK_T_IN, IMG_SECTORS, buf,
					 512, 1));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, io(&self->g, variant->indirect,
					 VIRTIO_BLK_T_OUT, IMG_SECTORS - 4,
					 buf, 4096, 1));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, io(&self->g, variant->indirect,
					 VIRTIO_BLK_T_IN, 1ULL << 63, buf,
					 512, 1));
	d = delta(_metadata, self->name, &self->before);
	EXPECT_EQ(3, d.st.io_errors);
	EXPECT_EQ(0, d.st.writes_completed);
}

TEST_F(dp, queue_notify_register_kicks_too)
{
	struct vg_req r = { .type = VIRTIO_BLK_T_FLUSH };

	/* A VMM without ioeventfd forwards the QueueNotify write. */
	ASSERT_EQ(0, vg_req_submit(&self->g, &r));
	ASSERT_EQ(0, vg_mmio_write(&self->g, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0));
	ASSERT_EQ(0, vg_req_wait(&self->g, &r));
	EXPECT_EQ(VIRTIO_BLK_S_OK, r.status);
}

TEST_F(dp, full_queue_in_flight)
{
	/* Three descriptors a chain without indirect tables. */
	unsigned int n = variant->indirect ? VG_QMAX : VG_QMAX / 3;
	static struct vg_req r[VG_QMAX];
	uint64_t buf = vg_alloc(&self->g, (size_t)VG_QMAX * 4096, 4096);
	struct vnl_dev d;
	unsigned int i;

	ASSERT_NE(0, buf);
	for (i = 0; i < n; i++) {
		fill(vg_hva(&self->g, buf + i * 4096ULL), 4096, i * 8, 7);
		r[i] = (struct vg_req){
			.type = VIRTIO_BLK_T_OUT, .sector = i * 8ULL,
			.data_gpa = buf + i * 4096ULL, .data_len = 4096,
			.indirect = variant->indirect,
		};
		ASSERT_EQ(0, vg_req_submit(&self->g, &r[i]));
	}
	/* The ring is full: no room for another chain. */
	EXPECT_LT(self->g.vq[0].num_free, variant->indirect ? 1U : 3U);
	ASSERT_EQ(0, vg_kick(&self->g));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, vg_req_wait(&self->g, &r[i]));
		EXPECT_EQ(VIRTIO_BLK_S_OK, r[i].status);
	}
	/* Read them all back in one go, into zeroed buffers. */
	memset(vg_hva(&self->g, buf), 0, (size_t)n * 4096);
	for (i = 0; i < n; i++) {
		r[i].type = VIRTIO_BLK_T_IN;
		ASSERT_EQ(0, vg_req_submit(&self->g, &r[i]));
	}
	ASSERT_EQ(0, vg_kick(&self->g));
	for (i = 0; i < n; i++) {
		uint8_t want[4096];

		ASSERT_EQ(0, vg_req_wait(&self->g, &r[i]));
		ASSERT_EQ(VIRTIO_BLK_S_OK, r[i].status);
		fill(want, sizeof(want), i * 8, 7);
		EXPECT_EQ(0, memcmp(want, vg_hva(&self->g, buf + i * 4096ULL),
				    sizeof(want)));
	}
	d = delta(_metadata, self->name, &self->before);
	EXPECT_EQ(n, d.st.writes_completed);
	EXPECT_EQ(n, d.st.reads_completed);
	EXPECT_EQ(n * 4096ULL, d.st.bytes_read);
}

TEST_F(dp, event_idx_suppresses_interrupts)
{
	struct vg_req r = { .type = VIRTIO_BLK_T_FLUSH };
	struct vg_vq *vq = &self->g.vq[0];
	unsigned long irqs;

	if (!(self->g.features & VG_F_EVENT_IDX))
		SKIP(return, "EVENT_IDX not negotiated");
	/* Ask for an interrupt only after 10 more used entries. */
	vring_used_event(&vq->vr) = vq->last_used + 10;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	irqs = self->g.interrupts;
	ASSERT_EQ(0, vg_req_submit(&self->g, &r));
	ASSERT_EQ(0, vg_kick(&self->g));
	/* The used ring moves, the call eventfd stays quiet. */
	EXPECT_EQ(0, vg_wait_irq(&self->g, 500));
	EXPECT_EQ(1, vg_pending_used(&self->g));
	EXPECT_EQ(irqs, self->g.interrupts);
	EXPECT_EQ(1, vg_reap(&self->g));
	EXPECT_TRUE(r.done);
	EXPECT_EQ(VIRTIO_BLK_S_OK, r.status);
}

/* ---- read-only and short backings --------------------------------------- */

TEST(read_only_device)
{
	char name[32], img[64];
	uint8_t buf[4096];
	struct vnl_dev b, a;
	struct vg g;
	int id;

	if (geteuid() || !vt_module_loaded())
		SKIP(return, "needs root and vblk");
	snprintf(name, sizeof(name), "vro%d", getpid());
	snprintf(img, sizeof(img), "/tmp/%s.img", name);
	ASSERT_EQ(0, vt_make_image(img, 1 << 20));
	fill(buf, sizeof(buf), 0, 99);
	ASSERT_EQ(0, file_write(img, buf, sizeof(buf), 0));
	id = vt_dev_add(name, img, true, 0, 0);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, vg_attach(&g, name, 0));
	ASSERT_EQ(0, vg_init(&g, 0, 64));
	EXPECT_NE(0, g.dev_features & (1ULL << VIRTIO_BLK_F_RO));
	ASSERT_EQ(0, vt_dev_get(name, &b));

	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, vg_blk_write(&g, 0, buf, sizeof(buf)));
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_io(&g, VIRTIO_BLK_T_FLUSH, 0, 0, 0));
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_read(&g, 0, buf, sizeof(buf)));
	{
		uint8_t want[4096];

		fill(want, sizeof(want), 0, 99);
		EXPECT_EQ(0, memcmp(want, buf, sizeof(buf)));
		/* The refused write left the file alone. */
		ASSERT_EQ(0, file_read(img, buf, sizeof(buf), 0));
		EXPECT_EQ(0, memcmp(want, buf, sizeof(buf)));
	}
	ASSERT_EQ(0, vt_dev_get(name, &a));
	EXPECT_EQ(1, a.st.flushes_completed - b.st.flushes_completed);
	EXPECT_EQ(1, a.st.io_errors - b.st.io_errors);
	EXPECT_EQ(0, a.st.writes_completed - b.st.writes_completed);
	vg_detach(&g);
	EXPECT_EQ(0, vt_dev_del(name, false));
	unlink(img);
}

TEST(reads_past_a_short_file_are_zero)
{
	char name[32], img[64];
	static uint8_t buf[16384];
	struct vg g;
	size_t i;
	int id;

	if (geteuid() || !vt_module_loaded())
		SKIP(return, "needs root and vblk");
	snprintf(name, sizeof(name), "vsh%d", getpid());
	snprintf(img, sizeof(img), "/tmp/%s.img", name);
	ASSERT_EQ(0, vt_make_image(img, SHORT_FILE));
	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(0, file_write(img, buf, 4096, SHORT_FILE - 4096));
	id = vt_dev_add(name, img, false, SHORT_CAP, 0);
	ASSERT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
	ASSERT_EQ(0, vg_attach(&g, name, 0));
	ASSERT_EQ(0, vg_init(&g, 0, 64));
	EXPECT_EQ(SHORT_CAP / 512, vg_cfg_capacity(&g));

	/* Straddling the end of the file: data, then zeros. */
	memset(vg_hva(&g, g.scratch_gpa), 0xee, sizeof(buf));
	ASSERT_EQ(VIRTIO_BLK_S_OK,
		  vg_blk_read(&g, (SHORT_FILE - 4096) / 512, buf, 8192));
	for (i = 0; i < 4096; i++)
		ASSERT_EQ(0x5a, buf[i]);
	for (; i < 8192; i++)
		ASSERT_EQ(0, buf[i]);
	/* Wholly past it. */
	memset(vg_hva(&g, g.scratch_gpa), 0xee, sizeof(buf));
	ASSERT_EQ(VIRTIO_BLK_S_OK,
		  vg_blk_read(&g, SHORT_CAP / 512 - 32, buf, sizeof(buf)));
	for (i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]);
	vg_detach(&g);
	vt_dev_del(name, true);
	unlink(img);
}


static void vmm_child(const char *name, int ready)
{
	static struct vg_req r[64];
	struct vg g;
	uint64_t buf;
	unsigned int i;

	if (vg_attach(&g, name, 8U << 20) ||
	    vg_init(&g, VG_F_EVENT_IDX | VG_F_INDIRECT, VG_QMAX))
		_exit(1);
	buf = vg_alloc(&g, 64 * 65536, 4096);
	for (i = 0; i < 64; i++) {
		r[i] = (struct vg_req){
			.type = i & 1 ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT,
			.sector = i * 128ULL, .data_gpa = buf + i * 65536ULL,
			.data_len = 65536, .nseg = 16, .indirect = true,
		};
		if (vg_req_submit(&g, &r[i]))
			_exit(2);
	}
	vg_kick(&g);
	if (write(ready, "x", 1) != 1)
		_exit(3);
	/* Keep the device busy until the parent kills us. */
	for (;;) {
		vg_reap(&g);
		for (i = 0; i < 64; i++) {
			if (r[i].done && !vg_req_submit(&g, &r[i]))
				vg_kick(&g);
		}
	}
}

TEST_F_TIMEOUT(dp, vmm_killed_with_io_in_flight, 600)
{
	struct vnl_dev info;
	uint8_t pat[4096], got[4096];
	int i, p[2], status;
	char c;
	pid_t pid;

	/* Only once: the variants do not matter here. */
	if (variant->features != (VG_F_EVENT_IDX | VG_F_INDIRECT))
		SKIP(return, "runs in the event_idx_indirect variant");
	vg_detach(&self->g);
	self->attached = false;

	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, pipe(p));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(p[0]);
			vmm_child(self->name, p[1]);
		}
		close(p[1]);
		ASSERT_EQ(1, read(p[0], &c, 1)) TH_LOG("child %d failed", i);
		close(p[0]);
		/* Vary the moment a little. */
		usleep((i % 5) * 2000);
		if (i % 10 == 0) {
			/* Unloading under load is refused, not attempted. */
			EXPECT_EQ(-1, syscall(SYS_delete_module, "vblk",
					      O_NONBLOCK));
			EXPECT_TRUE(vt_module_loaded());
		}
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
		ASSERT_EQ(0, vt_dev_get(self->name, &info));
		ASSERT_FALSE(info.vmm_attached) TH_LOG("round %d", i);
	}

	/* A new VMM attaches and the disk works. */
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 0));
	self->attached = true;
	ASSERT_EQ(0, vg_init(&self->g, VG_F_EVENT_IDX, 64));
	fill(pat, sizeof(pat), 5, 5);
	ASSERT_EQ(VIRTIO_BLK_S_OK, vg_blk_write(&self->g, 5, pat, sizeof(pat)));
	ASSERT_EQ(VIRTIO_BLK_S_OK, vg_blk_read(&self->g, 5, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(pat, got, sizeof(got)));
}

TEST_HARNESS_MAIN
