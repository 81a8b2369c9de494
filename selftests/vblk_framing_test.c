// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed chains at the VMM interface: a userspace guest driver
 * (lib/vblk_guest.c) writes descriptor chains by hand into /dev/vblk/NAME's
 * rings; each one must get the status byte, used entry and counters
 * Documentation/device-model.rst gives it, and the queue must keep
 * working afterwards.
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

/* ---- malformed chains at the ABI ---------------------------------------- */

struct raw {
	uint64_t hdr, data, status, bad;
};

static void raw_setup(struct vg *g, struct raw *w)
{
	w->hdr = vg_alloc(g, 64, 64);
	w->status = vg_alloc(g, 64, 64);
	w->data = vg_alloc(g, 2U << 20, 4096);
	/* Far above the only region. */
	w->bad = VG_RAM_GPA + (1ULL << 40);
}

static void put_hdr(struct vg *g, uint64_t gpa, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr *h = vg_hva(g, gpa);

	h->type = type;
	h->ioprio = 0;
	h->sector = sector;
}

/*
 * Submit a raw chain and wait @ms for it: returns the status byte read
 * from @status_gpa (the LAST byte of a @status_len-byte descriptor), or
 * -ETIMEDOUT if the device never returned the chain.
 */
static int raw_io(struct vg *g, const struct vg_buf *b, unsigned int n,
		  bool indirect, uint64_t status_last, int ms)
{
	/* Never freed: a dropped chain stays in flight for good. */
	struct vg_req *r = calloc(1, sizeof(*r));
	int saved = g->timeout_ms, head, ret;
	uint8_t *st = vg_hva(g, status_last);

	if (!r)
		return -ENOMEM;
	if (st)
		*st = 0xff;
	head = vg_add_chain(g, b, n, indirect, r);
	if (head < 0)
		return head;
	r->status_gpa = st ? status_last : 0;
	vg_publish(g, head);
	ret = vg_kick(g);
	if (ret)
		return ret;
	g->timeout_ms = ms;
	ret = vg_req_wait(g, r);
	g->timeout_ms = saved;
	return ret ? ret : r->status;
}

/* After a bad chain the queue still serves good ones. */
static void still_works(struct __test_metadata *_metadata, struct vg *g)
{
	EXPECT_EQ(VIRTIO_BLK_S_OK, vg_blk_io(g, VIRTIO_BLK_T_FLUSH, 0, 0, 0));
}

TEST_F(dp, short_header_is_ioerr)
{
	struct raw w;

	raw_setup(&self->g, &w);
	put_hdr(&self->g, w.hdr, VIRTIO_BLK_T_IN, 0);
	{
		/* 8 + 8 bytes: the first descriptor alone must hold 16. */
		struct vg_buf b[] = {
			{ w.hdr, 8, false }, { w.hdr + 8, 8, false },
			{ w.data, 512, true }, { w.status, 1, true },
		};

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 4, variant->indirect, w.status, 5000));
	}
	EXPECT_EQ(1, delta(_metadata, self->name, &self->before).st.io_errors);
	still_works(_metadata, &self->g);
}

/*
 * Bytes a driver laid out its own way (any layout) that the device would
 * not serve as the driver meant are refused, in both directions: a write
 * header descriptor carrying a sector of data after the header, and a
 * read status descriptor with a sector in front of the status byte.
 */
TEST_F(dp, any_layout_misframing_is_ioerr)
{
	uint8_t before[512], after[512];
	struct raw w;
	uint8_t *p;

	raw_setup(&self->g, &w);
	ASSERT_EQ(0, file_read(self->img, before, 512, 5 * 512));
	put_hdr(&self->g, w.data, VIRTIO_BLK_T_OUT, 5);
	p = vg_hva(&self->g, w.data);
	memset(p + 16, 0x6B, 512);
	memset(p + 4096, 0x6C, 512);
	{
		struct vg_buf b[] = {
			{ w.data, 16 + 512, false }, { w.data + 4096, 512, false },
			{ w.status, 1, true },
		};

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 3, variant->indirect, w.status,
				 5000));
	}
	ASSERT_EQ(0, file_read(self->img, after, 512, 5 * 512));
	EXPECT_EQ(0, memcmp(before, after, 512));

	put_hdr(&self->g, w.hdr, VIRTIO_BLK_T_IN, 5);
	{
		struct vg_buf b[] = {
			{ w.hdr, 16, false }, { w.data, 512, true },
			{ w.data + 4096, 513, true },
		};

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 3, variant->indirect,
				 w.data + 4096 + 512, 5000));
	}
	EXPECT_EQ(2, delta(_metadata, self->name, &self->before).st.io_errors);
	EXPECT_EQ(0, delta(_metadata, self->name, &self->before).st.writes_completed);
	still_works(_metadata, &self->g);
}

TEST_F(dp, status_not_writable_is_dropped)
{
	struct raw w;
	struct vg_buf b[3];

	raw_setup(&self->g, &w);
	put_hdr(&self->g, w.hdr, VIRTIO_BLK_T_IN, 0);
	b[0] = (struct vg_buf){ w.hdr, 16, false };
	b[1] = (struct vg_buf){ w.data, 512, true };
	b[2] = (struct vg_buf){ w.status, 1, false };
	EXPECT_EQ(-ETIMEDOUT, raw_io(&self->g, b, 3, variant->indirect,
				     w.status, 500));
	EXPECT_EQ(0xff, *(uint8_t *)vg_hva(&self->g, w.status));
	EXPECT_EQ(1, delta(_metadata, self->name, &self->before).st.io_errors);
	still_works(_metadata, &self->g);
}

TEST_F(dp, status_in_last_byte)
{
	struct raw w;
	uint8_t *st;
	struct vg_buf b[3];

	raw_setup(&self->g, &w);
	st = vg_hva(&self->g, w.status);
	memset(st, 0xcc, 4);
	put_hdr(&self->g, w.hdr, VIRTIO_BLK_T_IN, 0);
	b[0] = (struct vg_buf){ w.hdr, 16, false };
	b[1] = (struct vg_buf){ w.data, 512, true };
	b[2] = (struct vg_buf){ w.status, 4, true };
	EXPECT_EQ(VIRTIO_BLK_S_OK, raw_io(&self->g, b, 3, variant->indirect,
					  w.status + 3, 5000));
}

TEST_F(dp, chain_too_long_is_dropped)
{
	/* SEG_MAX (128) + 2 is the limit: 131 descriptors are too many. */
	static struct vg_buf b[131];
	struct raw w;
	unsigned int i;

	raw_setup(&self->g, &w);
	put_hdr(&self->g, w.hdr, VIRTIO_BLK_T_IN, 0);
	b[0] = (struct vg_buf){ w.hdr, 16, false };
	for (i = 1; i < 130; i++)
		b[i] = (struct vg_buf){ w.data + (i - 1) * 512ULL, 512, true };
	b[130] = (struct vg_buf){ w.status, 1, true };
	EXPECT_EQ(-ETIMEDOUT, raw_io(&self->g, b, 131, variant->indirect,
				     w.status, 500));
	EXPECT_EQ(1, delta(_metadata, self->name, &self->before).st.io_errors);
	still_works(_metadata, &self->g);
}

TEST_F(dp, longest_chain_is_fine)
{
	static struct vg_buf b[130];
	struct raw w;
	unsigned int i;

	raw_setup(&self->g, &w);
	put_hdr(&self->g, w.hdr, VIRTIO_BLK_T_IN, 0);
	b[0] = (struct vg_buf){ w.hdr, 16, false };
	for (i = 1; i < 129; i++)
		b[i] = (struct vg_buf){ w.data + (i - 1) * 512ULL, 512, true };
	b[129] = (struct vg_buf){ w.status, 1, true };
	EXPECT_EQ(VIRTIO_BLK_S_OK, raw_io(&self->g, b, 130, variant->indirect,
					  w.status, 5000));
}

TEST_F(dp, validation_failures)
{
	struct raw w;
	struct vnl_dev d;
	uint8_t before[4096], after[4096];

	raw_setup(&self->g, &w);
	fill(vg_hva(&self->g, w.data), 1 << 20, 0, 3);
	ASSERT_EQ(0, file_read(self->img, before, sizeof(before), 0));

	/* T_IN without data. */
	put_hdr(&self->g, w.hdr, VIRTIO_BLK_T_IN, 0);
	{
		struct vg_buf b[] = { { w.hdr, 16, false }, { w.status, 1, true } };

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 2, variant->indirect, w.status, 5000));
	}
	/* Length not a multiple of 512. */
	{
		struct vg_buf b[] = { { w.hdr, 16, false }, { w.data, 513, true },
				      { w.status, 1, true } };

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 3, variant->indirect, w.status, 5000));
	}
	/* One data descriptor above SIZE_MAX (1 MiB). */
	{
		struct vg_buf b[] = { { w.hdr, 16, false },
				      { w.data, (1U << 20) + 512, true },
				      { w.status, 1, true } };

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 3, variant->indirect, w.status, 5000));
	}
	/* T_IN into device-readable data. */
	{
		struct vg_buf b[] = { { w.hdr, 16, false }, { w.data, 512, false },
				      { w.status, 1, true } };

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 3, variant->indirect, w.status, 5000));
	}
	/* T_OUT from device-writable data: the file is not touched. */
	put_hdr(&self->g, w.hdr, VIRTIO_BLK_T_OUT, 0);
	{
		struct vg_buf b[] = { { w.hdr, 16, false }, { w.data, 4096, true },
				      { w.status, 1, true } };

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 3, variant->indirect, w.status, 5000));
	}
	ASSERT_EQ(0, file_read(self->img, after, sizeof(after), 0));
	EXPECT_EQ(0, memcmp(before, after, sizeof(after)));

	d = delta(_metadata, self->name, &self->before);
	EXPECT_EQ(5, d.st.io_errors);
	EXPECT_EQ(0, d.st.reads_completed);
	EXPECT_EQ(0, d.st.writes_completed);
	still_works(_metadata, &self->g);
}

TEST_F(dp, unknown_type_is_unsupp_not_an_error)
{
	struct raw w;

	raw_setup(&self->g, &w);
	put_hdr(&self->g, w.hdr, 0x7777, 0);
	{
		struct vg_buf b[] = { { w.hdr, 16, false }, { w.status, 1, true } };

		EXPECT_EQ(VIRTIO_BLK_S_UNSUPP,
			  raw_io(&self->g, b, 2, variant->indirect, w.status, 5000));
	}
	EXPECT_EQ(0, delta(_metadata, self->name, &self->before).st.io_errors);
}

TEST_F(dp, zero_length_data_is_a_noop)
{
	struct raw w;
	struct vnl_dev d;

	raw_setup(&self->g, &w);
	put_hdr(&self->g, w.hdr, VIRTIO_BLK_T_OUT, 0);
	{
		struct vg_buf b[] = { { w.hdr, 16, false }, { w.data, 0, false },
				      { w.data, 0, false }, { w.status, 1, true } };

		EXPECT_EQ(VIRTIO_BLK_S_OK,
			  raw_io(&self->g, b, 4, variant->indirect, w.status, 5000));
	}
	d = delta(_metadata, self->name, &self->before);
	EXPECT_EQ(0, d.st.bytes_written);
	EXPECT_EQ(0, d.st.io_errors);
}

TEST_F(dp, memory_outside_the_regions)
{
	struct raw w;
	struct vnl_dev d;

	raw_setup(&self->g, &w);
	put_hdr(&self->g, w.hdr, VIRTIO_BLK_T_IN, 0);
	/* Data outside RAM: IOERR, nothing else happens. */
	{
		struct vg_buf b[] = { { w.hdr, 16, false }, { w.bad, 4096, true },
				      { w.status, 1, true } };

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 3, variant->indirect, w.status, 5000));
	}
	/* Data running off the end of RAM. */
	{
		uint64_t end = VG_RAM_GPA + self->g.ram_size - 512;
		struct vg_buf b[] = { { w.hdr, 16, false }, { end, 4096, true },
				      { w.status, 1, true } };

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 3, variant->indirect, w.status, 5000));
	}
	/* Header outside RAM: unreadable header. */
	{
		struct vg_buf b[] = { { w.bad, 16, false }, { w.data, 512, true },
				      { w.status, 1, true } };

		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  raw_io(&self->g, b, 3, variant->indirect, w.status, 5000));
	}
	/* Status outside RAM: cannot be written, so no used entry. */
	{
		struct vg_buf b[] = { { w.hdr, 16, false }, { w.data, 512, true },
				      { w.bad, 1, true } };

		EXPECT_EQ(-ETIMEDOUT,
			  raw_io(&self->g, b, 3, variant->indirect, w.bad, 500));
	}
	d = delta(_metadata, self->name, &self->before);
	EXPECT_EQ(4, d.st.io_errors);
	EXPECT_EQ(0, d.st.reads_completed);
	still_works(_metadata, &self->g);
}

TEST_F(dp, unmapped_vmm_memory_is_a_fault_not_a_crash)
{
	uint64_t buf = vg_alloc(&self->g, 1 << 20, 4096);
	uint8_t *p = vg_hva(&self->g, buf);

	/* Inside a region, but the VMM unmapped it behind vblk's back. */
	ASSERT_EQ(0, munmap(p, 1 << 20));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, io(&self->g, variant->indirect,
					 VIRTIO_BLK_T_IN, 0, buf, 4096, 1));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, io(&self->g, variant->indirect,
					 VIRTIO_BLK_T_OUT, 0, buf, 4096, 1));
	/* Put it back so teardown's munmap of the whole RAM is tidy. */
	ASSERT_EQ(p, mmap(p, 1 << 20, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	still_works(_metadata, &self->g);
}

TEST_F(dp, avail_index_jump_breaks_the_queue_until_reset)
{
	struct vg_vq *vq = &self->g.vq[0];
	struct vg_req r = { .type = VIRTIO_BLK_T_FLUSH };
	struct vnl_dev d;

	/* The driver claims num + 1 new buffers at once. */
	__atomic_store_n(&vq->vr.avail->idx, (uint16_t)(vq->avail_idx + vq->num + 1),
			 __ATOMIC_RELEASE);
	ASSERT_EQ(0, vg_kick(&self->g));
	EXPECT_EQ(0, vg_wait_irq(&self->g, 500));
	EXPECT_EQ(0, vg_pending_used(&self->g));
	d = delta(_metadata, self->name, &self->before);
	EXPECT_EQ(1, d.st.invalid_avail_idx_count);

	/* A reset and a fresh initialisation bring the device back. */
	ASSERT_EQ(0, vg_init(&self->g, variant->features, VG_QMAX));
	ASSERT_EQ(0, vg_req_submit(&self->g, &r));
	ASSERT_EQ(0, vg_kick(&self->g));
	ASSERT_EQ(0, vg_req_wait(&self->g, &r));
	EXPECT_EQ(VIRTIO_BLK_S_OK, r.status);
}

TEST_F(dp, interrupt_status_and_ack)
{
	struct vg_req r = { .type = VIRTIO_BLK_T_FLUSH };
	uint64_t cnt;
	int i;

	ASSERT_EQ(0, vg_req_submit(&self->g, &r));
	ASSERT_EQ(0, vg_kick(&self->g));
	/* Wait for the call eventfd without consuming InterruptStatus. */
	for (i = 0; i < 1000; i++) {
		if (read(self->g.vq[0].call_fd, &cnt, sizeof(cnt)) == sizeof(cnt))
			break;
		usleep(10000);
	}
	ASSERT_LT(i, 1000);
	EXPECT_EQ(VIRTIO_MMIO_INT_VRING,
		  vg_rd32(&self->g, VIRTIO_MMIO_INTERRUPT_STATUS));
	/* Acknowledging another bit leaves VRING set. */
	vg_wr32(&self->g, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	EXPECT_EQ(VIRTIO_MMIO_INT_VRING,
		  vg_rd32(&self->g, VIRTIO_MMIO_INTERRUPT_STATUS));
	vg_wr32(&self->g, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	EXPECT_EQ(0, vg_rd32(&self->g, VIRTIO_MMIO_INTERRUPT_STATUS));
	EXPECT_EQ(1, vg_reap(&self->g));
	EXPECT_EQ(VIRTIO_BLK_S_OK, r.status);
}

/* ---- a VMM killed with I/O in flight ------------------------------------ */

TEST_HARNESS_MAIN
