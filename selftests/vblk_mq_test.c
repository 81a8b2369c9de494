// SPDX-License-Identifier: GPL-2.0
/*
 * Multiqueue through /dev/vblk: a device with several virtqueues driven by
 * one thread per queue at once, each queue with its own kick and call
 * eventfd, many requests in flight per queue, data checked against the
 * backing file, counters added up.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_guest.h"
#include "vblk_test_util.h"

#define MQ_DEPTH	32		/* requests in flight per queue */
#define MQ_IO		4096		/* bytes per request */
#define MQ_ROUNDS	4		/* write + read rounds per queue */
#define MQ_SLICE	(MQ_DEPTH * MQ_IO)	/* each queue's disk area */
#define MQ_IMG		(16 * MQ_SLICE)

/* Byte @i of the disk after round @round of queue @q wrote it. */
static uint8_t pattern(unsigned int q, unsigned int round, size_t i)
{
	return (uint8_t)(i * 7 + q * 31 + round * 101 + 1);
}

FIXTURE(mq) {
	char name[32];
	char img[64];
	struct vg g;
	bool attached;
	uint64_t buf[VG_MAX_QUEUES];	/* each queue's MQ_SLICE of RAM */
	struct vnl_dev before;
};

FIXTURE_VARIANT(mq) {
	unsigned int queues;
	uint64_t features;
};

FIXTURE_VARIANT_ADD(mq, two) {
	.queues = 2,
	.features = VG_F_EVENT_IDX,
};

FIXTURE_VARIANT_ADD(mq, four_indirect) {
	.queues = 4,
	.features = VG_F_EVENT_IDX | VG_F_INDIRECT,
};

FIXTURE_VARIANT_ADD(mq, sixteen_legacy) {
	.queues = 16,
	.features = 0,
};

FIXTURE_SETUP(mq)
{
	unsigned int q;
	int id, fd;

	VT_NEED_ROOT_AND_VBLK();
	snprintf(self->name, sizeof(self->name), "vmq%d", getpid());
	snprintf(self->img, sizeof(self->img), "/tmp/%s.img", self->name);
	fd = open(self->img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, MQ_IMG));
	close(fd);
	id = vt_dev_add_queues(self->name, self->img, false, 0, 0,
			       variant->queues);
	ASSERT_LT(0, id) TH_LOG("dev-add: %s", strerror(-id));
	ASSERT_EQ(0, vg_attach(&self->g, self->name, 96U << 20));
	self->attached = true;
	ASSERT_EQ(variant->queues, self->g.nvqs);
	ASSERT_EQ(0, vg_init_mq(&self->g, variant->features, VG_QMAX,
				variant->queues));
	ASSERT_TRUE(self->g.features & VG_F_MQ);
	for (q = 0; q < variant->queues; q++) {
		self->buf[q] = vg_alloc(&self->g, MQ_SLICE, 4096);
		ASSERT_NE(0, self->buf[q]);
	}
	ASSERT_EQ(0, vt_dev_get(self->name, &self->before));
}

FIXTURE_TEARDOWN(mq)
{
	if (self->attached)
		vg_detach(&self->g);
	if (self->name[0]) {
		vt_dev_del(self->name, true);
		unlink(self->img);
	}
}

struct mq_job {
	struct vg_vq *vq;
	uint64_t buf;		/* guest address of the queue's buffers */
	unsigned int q;
	int err;		/* first failure, 0 if none */
	char what[96];
};

static void mq_fail(struct mq_job *j, int err, const char *what)
{
	if (!j->err) {
		j->err = err ? err : -EIO;
		snprintf(j->what, sizeof(j->what), "queue %u: %s", j->q, what);
	}
}

/* MQ_DEPTH requests of @type on the queue's slice, all in flight at once. */
static void mq_batch(struct mq_job *j, uint32_t type)
{
	struct vg_req r[MQ_DEPTH];
	unsigned int i;
	int ret;

	for (i = 0; i < MQ_DEPTH; i++) {
		r[i] = (struct vg_req){
			.type = type,
			.sector = ((uint64_t)j->q * MQ_SLICE + i * MQ_IO) / 512,
			.data_gpa = j->buf + i * MQ_IO,
			.data_len = MQ_IO,
			.nseg = 1 + i % 3,
			.indirect = j->vq->g->features & VG_F_INDIRECT,
		};
		ret = vg_q_req_submit(j->vq, &r[i]);
		if (ret)
			return mq_fail(j, ret, "submit");
	}
	if (vg_q_kick_needed(j->vq)) {
		ret = vg_q_kick(j->vq);
		if (ret)
			return mq_fail(j, ret, "kick");
	}
	for (i = 0; i < MQ_DEPTH; i++) {
		ret = vg_q_req_wait(j->vq, &r[i]);
		if (ret)
			return mq_fail(j, ret, "wait");
		if (r[i].status != VIRTIO_BLK_S_OK)
			return mq_fail(j, 0, "status not S_OK");
	}
}

static void *mq_run(void *arg)
{
	struct mq_job *j = arg;
	struct vg *g = j->vq->g;
	unsigned int round;
	uint8_t *p = vg_hva(g, j->buf);
	size_t i;

	for (round = 0; round < MQ_ROUNDS && !j->err; round++) {
		for (i = 0; i < MQ_SLICE; i++)
			p[i] = pattern(j->q, round, i);
		mq_batch(j, VIRTIO_BLK_T_OUT);
		memset(p, 0, MQ_SLICE);
		mq_batch(j, VIRTIO_BLK_T_IN);
		for (i = 0; i < MQ_SLICE && !j->err; i++) {
			if (p[i] != pattern(j->q, round, i))
				mq_fail(j, 0, "read back differs");
		}
	}
	return NULL;
}

TEST_F(mq, threads_drive_their_queues_at_once)
{
	unsigned int n = variant->queues, q;
	struct mq_job job[VG_MAX_QUEUES];
	pthread_t th[VG_MAX_QUEUES];
	uint8_t *file;
	struct vnl_dev after;
	int fd;

	for (q = 0; q < n; q++) {
		job[q] = (struct mq_job){
			.vq = vg_queue(&self->g, q), .buf = self->buf[q], .q = q,
		};
		ASSERT_EQ(0, pthread_create(&th[q], NULL, mq_run, &job[q]));
	}
	for (q = 0; q < n; q++) {
		pthread_join(th[q], NULL);
		EXPECT_EQ(0, job[q].err) TH_LOG("%s", job[q].what);
	}

	/* The backing file holds every queue's last round, slice by slice. */
	file = malloc(MQ_IMG);
	ASSERT_NE(NULL, file);
	fd = open(self->img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(MQ_IMG, pread(fd, file, MQ_IMG, 0));
	close(fd);
	for (q = 0; q < n; q++) {
		const uint8_t *s = file + (size_t)q * MQ_SLICE;
		size_t i, bad = 0;

		for (i = 0; i < MQ_SLICE; i++)
			bad += s[i] != pattern(q, MQ_ROUNDS - 1, i);
		EXPECT_EQ(0, bad) TH_LOG("queue %u: %zu bytes differ", q, bad);
	}
	free(file);

	/* Every request counted once, on the device's shared counters. */
	ASSERT_EQ(0, vt_dev_get(self->name, &after));
	EXPECT_EQ((uint64_t)n * MQ_ROUNDS * MQ_DEPTH,
		  after.st.writes_completed - self->before.st.writes_completed);
	EXPECT_EQ((uint64_t)n * MQ_ROUNDS * MQ_DEPTH,
		  after.st.reads_completed - self->before.st.reads_completed);
	EXPECT_EQ((uint64_t)n * MQ_ROUNDS * MQ_SLICE,
		  after.st.bytes_written - self->before.st.bytes_written);
	EXPECT_EQ((uint64_t)n * MQ_ROUNDS * MQ_SLICE,
		  after.st.bytes_read - self->before.st.bytes_read);
	EXPECT_EQ(self->before.st.io_errors, after.st.io_errors);
	/* and every queue was used */
	for (q = 0; q < n; q++)
		EXPECT_LT(0, self->g.vq[q].interrupts) TH_LOG("queue %u", q);
}

/* A request on one queue wakes that queue's call eventfd only. */
TEST_F(mq, each_queue_signals_its_own_call_eventfd)
{
	unsigned int last = variant->queues - 1, q;
	struct vg_vq *vq = vg_queue(&self->g, last);
	struct vg_req r = {
		.type = VIRTIO_BLK_T_IN, .data_gpa = self->buf[last],
		.data_len = 512,
	};
	struct pollfd p;

	ASSERT_EQ(0, vg_q_req_submit(vq, &r));
	ASSERT_EQ(0, vg_q_kick(vq));
	p = (struct pollfd){ .fd = vq->call_fd, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 10000));
	for (q = 0; q < last; q++) {
		p = (struct pollfd){
			.fd = self->g.vq[q].call_fd, .events = POLLIN,
		};
		EXPECT_EQ(0, poll(&p, 1, 0)) TH_LOG("queue %u signalled", q);
	}
	/* the interrupt: InterruptStatus says used buffers */
	ASSERT_EQ(1, vg_q_wait_irq(vq, 0));
	EXPECT_NE(0, self->g.last_isr & VIRTIO_MMIO_INT_VRING);
	ASSERT_EQ(0, vg_q_req_wait(vq, &r));
	EXPECT_EQ(VIRTIO_BLK_S_OK, r.status);
}

TEST_HARNESS_MAIN
