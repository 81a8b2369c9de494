// SPDX-License-Identifier: GPL-2.0
/*
 * The "vblk" generic netlink family, what succeeds: every operation and
 * what dev-get reports after it, dumps of many devices, concurrent
 * add/del with a final consistency check, notifications, and module
 * unload with devices present. The refusals are vblk_nl_refuse_test.c.
 *
 * Runs as root in the test host with vblk.ko loaded; VBLK_KO names the
 * module file (for the unload/reload test).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_nl_fixture.h"

TEST_F(nl, add_get_del)
{
	struct vnl_add a = VNL_ADD("nlt-basic", self->fd);
	struct vnl_dev d, d2;
	uint32_t id = 0;

	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	EXPECT_NE(0, id);
	EXPECT_TRUE(vt_node_exists("nlt-basic"));

	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-basic", &d));
	EXPECT_EQ(id, d.id);
	EXPECT_STREQ("nlt-basic", d.name);
	EXPECT_STREQ(self->path, d.backing_path);
	EXPECT_EQ(MIB, d.capacity);
	EXPECT_EQ(0, d.read_only);
	EXPECT_STREQ("", d.serial);
	EXPECT_EQ(0, d.vmm_attached);
	EXPECT_EQ(0, d.status);
	EXPECT_EQ(0, d.features);
	EXPECT_NE(0, d.device_features);
	EXPECT_EQ(1, d.nqueue);
	EXPECT_TRUE(d.has[VBLK_A_DEV_QUEUES]);
	EXPECT_EQ(1, d.queues);
	EXPECT_EQ(0, d.queue[0].index);
	EXPECT_TRUE(d.has_stats);
	for (int i = 1; i <= VBLK_A_STATS_MAX; i++)
		EXPECT_EQ(0, d.stats[i]);
	EXPECT_TRUE(d.has[VBLK_A_DEV_THROTTLE]);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_IOPS]);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_BPS]);
	EXPECT_EQ(self->ndevs + 1, vnl_dev_count(&self->v));

	ASSERT_EQ(0, vnl_dev_get_id(&self->v, id, &d2));
	EXPECT_STREQ("nlt-basic", d2.name);

	ASSERT_EQ(0, vnl_dev_del_id(&self->v, id));
	EXPECT_FALSE(vt_node_exists("nlt-basic"));
	EXPECT_REFUSED(&self->v, vnl_dev_get(&self->v, "nlt-basic", &d),
		       ENOENT, "name: no such device");
	EXPECT_EQ(self->ndevs, vnl_dev_count(&self->v));

	/* Ids are not reused. */
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	EXPECT_LT(d.id, id);
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-basic", false));
}

TEST_F(nl, capacity_default_rounds_down)
{
	struct vnl_add a = VNL_ADD("nlt-round", self->fd);
	struct vnl_dev d;

	ASSERT_EQ(0, ftruncate(self->fd, MIB + 511));
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-round", &d));
	EXPECT_EQ(MIB, d.capacity);
}

TEST_F(nl, capacity_explicit_beyond_file)
{
	struct vnl_add a = VNL_ADD("nlt-big", self->fd);
	struct vnl_dev d;

	a.capacity = 64 * MIB;
	a.has_capacity = true;
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-big", &d));
	EXPECT_EQ(64 * MIB, d.capacity);
	/* The file itself is not grown. */
	EXPECT_EQ((off_t)MIB, lseek(self->fd, 0, SEEK_END));
}

TEST_F(nl, read_only_device)
{
	struct vnl_add a = VNL_ADD("nlt-ro", -1);
	struct vnl_dev d;
	int fd = open(self->path, O_RDONLY);

	ASSERT_LE(0, fd);
	a.backing_fd = fd;
	a.read_only = 1;
	a.serial = "RO-SERIAL-0123456789";	/* exactly 20 */
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	close(fd);	/* vblk keeps its own reference */
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-ro", &d));
	EXPECT_EQ(1, d.read_only);
	EXPECT_STREQ("RO-SERIAL-0123456789", d.serial);
	EXPECT_STREQ(self->path, d.backing_path);
	/* VIRTIO_BLK_F_RO (bit 5) is offered. */
	EXPECT_TRUE(d.device_features & (1ULL << 5));
}

/*
 * queues: 1 is the default and may be given; a device reports one queue
 * nest per queue. Until multiqueue lands more are refused naming queues.
 */
TEST_F(nl, queues_attribute)
{
	struct vnl_add a = VNL_ADD("nlt-q1", self->fd);
	struct vnl_dev d;
	int ret;

	a.has_queues = true;
	a.queues = 1;
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-q1", &d));
	EXPECT_EQ(1, d.queues);
	EXPECT_EQ(1, d.nqueue);

	a.name = "nlt-q16";
	a.queues = VBLK_QUEUES_MAX;
	ret = vnl_dev_add(&self->v, &a, NULL);
	if (ret) {
		EXPECT_EQ(-EOPNOTSUPP, ret);
		EXPECT_EQ(VBLK_A_DEV_QUEUES, self->v.bad_type);
		EXPECT_EQ(0, strncmp(vnl_error(&self->v), "queues: ", 8))
			TH_LOG("%s", vnl_error(&self->v));
		EXPECT_FALSE(vt_node_exists("nlt-q16"));
		return;
	}
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-q16", &d));
	EXPECT_EQ(VBLK_QUEUES_MAX, d.queues);
	ASSERT_EQ(VBLK_QUEUES_MAX, d.nqueue);
	for (unsigned int q = 0; q < d.nqueue; q++)
		EXPECT_EQ(q, d.queue[q].index);
}

TEST_F(nl, throttle_add_and_set)
{
	static const int both[] = { VBLK_A_THROTTLE_IOPS, VBLK_A_THROTTLE_BPS };
	static const uint64_t vals[] = { 100, 10 * MIB };
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1] = { 0 };
	bool set[VBLK_A_THROTTLE_MAX + 1] = { 0 };
	struct nl_msg *m;
	struct vnl_dev d;

	ASSERT_EQ(0, add_throttled(&self->v, self->fd, "nlt-t", 2, both, vals));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-t", &d));
	EXPECT_EQ(100, d.thr[VBLK_A_THROTTLE_IOPS]);
	EXPECT_EQ(100, d.thr[VBLK_A_THROTTLE_IOPS_BURST]);	/* one second */
	EXPECT_EQ(10 * MIB, d.thr[VBLK_A_THROTTLE_BPS]);
	EXPECT_EQ(10 * MIB, d.thr[VBLK_A_THROTTLE_BPS_BURST]);

	/* dev-set replaces the whole configuration. */
	thr[VBLK_A_THROTTLE_IOPS] = 50;
	thr[VBLK_A_THROTTLE_IOPS_BURST] = 200;
	set[VBLK_A_THROTTLE_IOPS] = set[VBLK_A_THROTTLE_IOPS_BURST] = true;
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-t");
	vnl_put_throttle(m, thr, set);
	ASSERT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-t", &d));
	EXPECT_EQ(50, d.thr[VBLK_A_THROTTLE_IOPS]);
	EXPECT_EQ(200, d.thr[VBLK_A_THROTTLE_IOPS_BURST]);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_BPS]);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_BPS_BURST]);

	/* A refused change changes nothing. */
	thr[VBLK_A_THROTTLE_IOPS_BURST] = 10;
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-t");
	nla_put_string(m, VBLK_A_DEV_SERIAL, "NOT-APPLIED");
	vnl_put_throttle(m, thr, set);
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), EINVAL,
		       "iops-burst: below iops");
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-t", &d));
	EXPECT_EQ(200, d.thr[VBLK_A_THROTTLE_IOPS_BURST]);
	EXPECT_STREQ("", d.serial);

	/* An empty nest lifts every limit. */
	memset(set, 0, sizeof(set));
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-t");
	vnl_put_throttle(m, thr, set);
	ASSERT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-t", &d));
	EXPECT_TRUE(d.has[VBLK_A_DEV_THROTTLE]);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_IOPS]);
	EXPECT_EQ(0, d.thr[VBLK_A_THROTTLE_BPS]);
}

TEST_F(nl, set_serial_capacity_read_only)
{
	struct vnl_add a = VNL_ADD("nlt-set", self->fd);
	struct nl_msg *m;
	struct vnl_dev d;
	uint32_t id;

	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));

	/* A dev-set that names nothing to change is refused. */
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_u32(m, VBLK_A_DEV_ID, id);
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), EINVAL,
		       "throttle: missing (nothing to change)");
	EXPECT_EQ(VBLK_A_DEV_THROTTLE, self->v.miss_type);

	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_u32(m, VBLK_A_DEV_ID, id);
	nla_put_string(m, VBLK_A_DEV_SERIAL, "NEW-SERIAL");
	ASSERT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-set", &d));
	EXPECT_STREQ("NEW-SERIAL", d.serial);

	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-set");
	nla_put_string(m, VBLK_A_DEV_SERIAL, "0123456789abcdefghijk");
	EXPECT_EQ(-EINVAL, vnl_xfer(&self->v, m, NULL, NULL));
	EXPECT_STREQ("serial: too long (21 characters, at most 20) (Invalid argument)",
		     vnl_error(&self->v));

	/* Read-only: restating is fine, changing is not. */
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-set");
	nla_put_u64(m, VBLK_A_DEV_CAPACITY, MIB);
	nla_put_u8(m, VBLK_A_DEV_READ_ONLY, 0);
	EXPECT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));

	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-set");
	nla_put_u8(m, VBLK_A_DEV_READ_ONLY, 1);
	EXPECT_REFUSED(&self->v, vnl_xfer(&self->v, m, NULL, NULL), EOPNOTSUPP,
		       "read-only: cannot be changed on a live device");
	EXPECT_TRUE(self->v.bad_attr);

	/* Capacity: an online resize, beyond the file too. */
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-set");
	nla_put_u64(m, VBLK_A_DEV_CAPACITY, 2 * MIB);
	EXPECT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-set", &d));
	EXPECT_EQ(2 * MIB, d.capacity);
	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-set");
	nla_put_u64(m, VBLK_A_DEV_CAPACITY, MIB / 2 + 512);
	EXPECT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));

	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-set", &d));
	EXPECT_EQ(MIB / 2 + 512, d.capacity);
	EXPECT_EQ(0, d.read_only);
	EXPECT_STREQ("NEW-SERIAL", d.serial);
	EXPECT_EQ(VBLK_CACHE_MODE_WRITEBACK, d.cache);
}

/* The cache mode a device starts in. */
TEST_F(nl, cache_mode_at_creation)
{
	struct vnl_add a = VNL_ADD("nlt-wt", self->fd);
	struct vnl_dev d;

	a.cache = VBLK_CACHE_MODE_WRITETHROUGH;
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-wt", &d));
	EXPECT_TRUE(d.has[VBLK_A_DEV_CACHE]);
	EXPECT_EQ(VBLK_CACHE_MODE_WRITETHROUGH, d.cache);
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-wt", false));
	/* the policy knows the modes */
	a.cache = 2;
	EXPECT_EQ(-ERANGE, vnl_dev_add(&self->v, &a, NULL));
	EXPECT_STREQ("cache: value 2 out of range 0..1 (Numerical result out of range)",
		     vnl_error(&self->v));
}

TEST_F(nl, dump_many)
{
	const int count = 120;	/* several dump messages' worth */
	struct vnl_add a = VNL_ADD(NULL, self->fd);
	struct vnl_dev *devs = NULL;
	char name[32];
	bool seen[120] = { false };
	uint32_t last = 0;
	int n, ours = 0;

	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "nlt-many-%03d", i);
		a.name = name;
		ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	}
	ASSERT_EQ(0, vnl_dev_dump(&self->v, &devs, &n));
	EXPECT_FALSE(self->v.dump_intr);
	EXPECT_EQ(self->ndevs + count, n);
	for (int i = 0; i < n; i++) {
		int k;

		EXPECT_LT(last, devs[i].id);	/* ascending ids, no repeats */
		last = devs[i].id;
		if (sscanf(devs[i].name, "nlt-many-%03d", &k) != 1)
			continue;
		ASSERT_TRUE(k >= 0 && k < count);
		EXPECT_FALSE(seen[k]);
		seen[k] = true;
		ours++;
		EXPECT_EQ(MIB, devs[i].capacity);
		EXPECT_TRUE(devs[i].has_stats);
	}
	EXPECT_EQ(count, ours);
	free(devs);
}

/*
 * A dump that spans several messages while a device is added between two
 * of them is flagged NLM_F_DUMP_INTR. The first part is built when the
 * request arrives, the next ones as the reader drains its socket.
 */
TEST_F(nl, dump_interrupted)
{
	struct vnl_add a = VNL_ADD(NULL, self->fd);
	struct vnl_dev *devs = NULL;
	struct vnl other;
	char name[32];
	int n;

	for (int i = 0; i < 150; i++) {	/* far more than one message */
		snprintf(name, sizeof(name), "nlt-intr-%03d", i);
		a.name = name;
		ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	}
	ASSERT_EQ(0, vnl_open(&other));

	/* Undisturbed: consistent. */
	ASSERT_EQ(0, vnl_dev_dump(&self->v, &devs, &n));
	EXPECT_FALSE(self->v.dump_intr);
	EXPECT_EQ(self->ndevs + 150, n);
	free(devs);

	/* Disturbed between the first and second part: flagged. */
	ASSERT_EQ(0, vnl_send(&self->v, vnl_msg(&self->v, VBLK_CMD_DEV_GET,
						 NLM_F_DUMP)));
	a.name = "nlt-intr-new";
	ASSERT_EQ(0, vnl_dev_add(&other, &a, NULL));
	ASSERT_EQ(0, vnl_recv(&self->v, NULL, NULL));
	EXPECT_TRUE(self->v.dump_intr);

	/* A deletion interrupts as well. */
	ASSERT_EQ(0, vnl_send(&self->v, vnl_msg(&self->v, VBLK_CMD_DEV_GET,
						 NLM_F_DUMP)));
	ASSERT_EQ(0, vnl_dev_del(&other, "nlt-intr-000", false));
	ASSERT_EQ(0, vnl_recv(&self->v, NULL, NULL));
	EXPECT_TRUE(self->v.dump_intr);

	/* A refused request changes nothing and does not interrupt. */
	ASSERT_EQ(0, vnl_send(&self->v, vnl_msg(&self->v, VBLK_CMD_DEV_GET,
						 NLM_F_DUMP)));
	EXPECT_EQ(-EEXIST, vnl_dev_add(&other, &a, NULL));
	ASSERT_EQ(0, vnl_recv(&self->v, NULL, NULL));
	EXPECT_FALSE(self->v.dump_intr);
	vnl_close(&other);
}

/* ---- concurrency ---- */

#define ST_THREADS	3
#define ST_NAMES	6
#define ST_OPS		150

struct st_arg {
	int t;
	int fd;
	int errors;
	bool live[ST_NAMES];
};

static void *st_worker(void *p)
{
	struct st_arg *arg = p;
	unsigned int seed = 1234 + arg->t;
	struct vnl v;
	char name[32];

	if (vnl_open(&v)) {
		arg->errors++;
		return NULL;
	}
	for (int op = 0; op < ST_OPS; op++) {
		int k = rand_r(&seed) % ST_NAMES;
		int ret;

		snprintf(name, sizeof(name), "nlt-st-%d-%d", arg->t, k);
		if (arg->live[k]) {
			ret = vnl_dev_del(&v, name, false);
		} else {
			struct vnl_add a = VNL_ADD(name, arg->fd);

			ret = vnl_dev_add(&v, &a, NULL);
		}
		if (ret) {
			fprintf(stderr, "# %s: %s failed: %d %s\n", name,
				arg->live[k] ? "del" : "add", ret, v.msg);
			arg->errors++;
		} else {
			arg->live[k] = !arg->live[k];
		}
	}
	vnl_close(&v);
	return NULL;
}

struct st_dumper {
	volatile bool stop;
	int dumps;
	int intr;
	int bad;
};

static void *st_dump(void *p)
{
	struct st_dumper *s = p;
	struct vnl v;

	if (vnl_open(&v)) {
		s->bad++;
		return NULL;
	}
	while (!s->stop) {
		struct vnl_dev *devs = NULL;
		int n;

		if (vnl_dev_dump(&v, &devs, &n)) {
			s->bad++;
			continue;
		}
		s->dumps++;
		if (v.dump_intr) {
			s->intr++;
		} else {
			/* A consistent dump has no repeated name or id. */
			for (int i = 0; i < n; i++)
				for (int j = i + 1; j < n; j++)
					if (devs[i].id == devs[j].id ||
					    !strcmp(devs[i].name, devs[j].name))
						s->bad++;
		}
		free(devs);
	}
	vnl_close(&v);
	return NULL;
}

TEST_F(nl, concurrent_add_del)
{
	struct st_arg args[ST_THREADS] = { 0 };
	struct st_dumper dumper = { 0 };
	pthread_t th[ST_THREADS], dt;
	struct vnl_dev *devs = NULL;
	int n, live = 0, found = 0;

	/* Enough devices that a dump takes several messages. */
	for (int i = 0; i < 100; i++) {
		struct vnl_add a = VNL_ADD(NULL, self->fd);
		char name[32];

		snprintf(name, sizeof(name), "nlt-bg-%03d", i);
		a.name = name;
		ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	}
	self->ndevs += 100;
	ASSERT_EQ(0, pthread_create(&dt, NULL, st_dump, &dumper));
	for (int t = 0; t < ST_THREADS; t++) {
		args[t].t = t;
		args[t].fd = self->fd;
		ASSERT_EQ(0, pthread_create(&th[t], NULL, st_worker, &args[t]));
	}
	for (int t = 0; t < ST_THREADS; t++)
		pthread_join(th[t], NULL);
	dumper.stop = true;
	pthread_join(dt, NULL);

	for (int t = 0; t < ST_THREADS; t++)
		EXPECT_EQ(0, args[t].errors);
	EXPECT_EQ(0, dumper.bad);
	EXPECT_LT(0, dumper.dumps);
	TH_LOG("%d dumps, %d flagged inconsistent", dumper.dumps, dumper.intr);

	/* The registry holds exactly what the workers believe is live. */
	ASSERT_EQ(0, vnl_dev_dump(&self->v, &devs, &n));
	EXPECT_FALSE(self->v.dump_intr);
	for (int t = 0; t < ST_THREADS; t++) {
		for (int k = 0; k < ST_NAMES; k++) {
			char name[32];
			bool in = false;

			snprintf(name, sizeof(name), "nlt-st-%d-%d", t, k);
			for (int i = 0; i < n; i++)
				in |= !strcmp(devs[i].name, name);
			EXPECT_EQ(args[t].live[k], in) TH_LOG("%s", name);
			EXPECT_EQ(args[t].live[k], vt_node_exists(name)) TH_LOG("%s", name);
			live += args[t].live[k];
			found += in;
		}
	}
	EXPECT_EQ(live, found);
	EXPECT_EQ(self->ndevs + live, n);
	free(devs);
}

/* ---- notifications ---- */

static void expect_event(struct __test_metadata *_metadata, struct vnl *mon,
			 uint32_t type, const char *name, uint32_t id)
{
	struct vnl_event ev;

	/* Skip events about other devices. */
	do {
		ASSERT_EQ(0, vnl_monitor_next(mon, &ev, 10000))
			TH_LOG("no event %u for %s", type, name);
	} while (strcmp(ev.dev_name, name));
	EXPECT_EQ(type, ev.type);
	EXPECT_EQ(id, ev.dev_id);
	EXPECT_EQ(-1, ev.queue);
}

TEST_F(nl, monitor_events)
{
	struct vnl_add a = VNL_ADD("nlt-ev", self->fd);
	struct vnl_event ev;
	struct nl_msg *m;
	struct vnl mon;
	uint32_t id;

	ASSERT_EQ(0, vnl_open(&mon));
	ASSERT_EQ(0, vnl_monitor_join(&mon));

	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_ADD, "nlt-ev", id);

	m = vnl_msg(&self->v, VBLK_CMD_DEV_SET, 0);
	nla_put_string(m, VBLK_A_DEV_NAME, "nlt-ev");
	nla_put_string(m, VBLK_A_DEV_SERIAL, "S");
	ASSERT_EQ(0, vnl_xfer(&self->v, m, NULL, NULL));
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_CHANGE, "nlt-ev", id);

	/* A refused request announces nothing. */
	EXPECT_EQ(-EEXIST, vnl_dev_add(&self->v, &a, NULL));

	ASSERT_EQ(0, vnl_dev_del(&self->v, "nlt-ev", false));
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_DEL, "nlt-ev", id);
	EXPECT_EQ(-ETIMEDOUT, vnl_monitor_next(&mon, &ev, 300));
	vnl_close(&mon);
}

/* A VMM holding /dev/vblk/NAME: busy, force, attach/detach events. */
TEST_F(nl, delete_attached)
{
	struct vnl_add a = VNL_ADD("nlt-att", self->fd);
	struct vnl_dev d;
	struct vnl mon;
	uint32_t id;
	int cfd;

	ASSERT_EQ(0, vnl_open(&mon));
	ASSERT_EQ(0, vnl_monitor_join(&mon));
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_ADD, "nlt-att", id);

	cfd = open("/dev/vblk/nlt-att", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, cfd);
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_ATTACH, "nlt-att", id);
	ASSERT_EQ(0, vnl_dev_get(&self->v, "nlt-att", &d));
	EXPECT_EQ(1, d.vmm_attached);

	EXPECT_REFUSED(&self->v, vnl_dev_del(&self->v, "nlt-att", false), EBUSY,
		       "a VMM is attached (use force)");
	EXPECT_TRUE(self->v.bad_attr);
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-att", &d));

	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-att", true));
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_DETACH, "nlt-att", id);
	expect_event(_metadata, &mon, VBLK_EVENT_TYPE_DEL, "nlt-att", id);
	EXPECT_EQ(-ENOENT, vnl_dev_get(&self->v, "nlt-att", &d));
	EXPECT_FALSE(vt_node_exists("nlt-att"));
	close(cfd);

	/* Without a VMM, plain delete works; force is harmless. */
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, &id));
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-att", true));
	vnl_close(&mon);
}

/* A block device (a loop device over a file) as backing store. */
TEST_F(nl, block_device_backing)
{
	struct vnl_add a = VNL_ADD("nlt-blk", -1);
	char dev[32];
	struct vnl_dev d;
	int lfd;

	ASSERT_EQ(0, ftruncate(self->fd, 8 * MIB));
	lfd = vt_loop_attach(self->fd, dev);
	if (lfd == -ENODEV)
		SKIP(return, "no /dev/loop-control (CONFIG_BLK_DEV_LOOP)");
	ASSERT_LE(0, lfd);

	a.backing_fd = lfd;
	a.capacity = 16 * MIB;
	a.has_capacity = true;
	EXPECT_REFUSED(&self->v, vnl_dev_add(&self->v, &a, NULL), EINVAL,
		       "capacity: larger than the block device");
	a.has_capacity = false;
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-blk", &d));
	EXPECT_EQ(8 * MIB, d.capacity);
	EXPECT_STREQ(dev, d.backing_path);
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-blk", false));
	a.capacity = 4 * MIB;
	a.has_capacity = true;
	a.name = "nlt-blk2";
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-blk2", &d));
	EXPECT_EQ(4 * MIB, d.capacity);
	/* a resize may not pass the block device either */
	{
		struct vnl_set s = {
			.name = "nlt-blk2", .has_capacity = true,
			.capacity = 16 * MIB,
		};

		EXPECT_REFUSED(&self->v, vnl_dev_set(&self->v, &s), EINVAL,
			       "capacity: larger than the block device");
		s.capacity = 8 * MIB;
		EXPECT_EQ(0, vnl_dev_set(&self->v, &s));
	}
	EXPECT_EQ(0, vnl_dev_get(&self->v, "nlt-blk2", &d));
	EXPECT_EQ(8 * MIB, d.capacity);
	EXPECT_EQ(0, vnl_dev_del(&self->v, "nlt-blk2", false));
	vt_loop_detach(lfd);
}

/* ---- module unload with devices present ---- */

TEST_F(nl, unload_with_devices)
{
	const char *ko = getenv("VBLK_KO");
	struct vnl_add a = VNL_ADD(NULL, self->fd);
	char name[32];
	struct vnl v2;
	int ret;

	if (!ko)
		SKIP(return, "VBLK_KO not set");
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "nlt-unload-%d", i);
		a.name = name;
		ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	}
	a.name = "nlt-unload-thr";
	a.throttle = true;
	a.thr[VBLK_A_THROTTLE_IOPS] = 10;
	a.thr_set[VBLK_A_THROTTLE_IOPS] = true;
	ASSERT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	vnl_close(&self->v);

	ret = vt_module_unload();
	ASSERT_EQ(0, ret) TH_LOG("rmmod vblk: %s", strerror(-ret));
	EXPECT_EQ(-ENOENT, vnl_open(&v2));
	EXPECT_FALSE(vt_node_exists("nlt-unload-0"));

	ret = vt_module_load(ko);
	ASSERT_EQ(0, ret) TH_LOG("insmod %s: %s", ko, strerror(-ret));

	ASSERT_EQ(0, vnl_open(&self->v));
	EXPECT_EQ(0, vnl_dev_count(&self->v));
	a = VNL_ADD("nlt-unload-0", self->fd);
	EXPECT_EQ(0, vnl_dev_add(&self->v, &a, NULL));
	EXPECT_TRUE(vt_node_exists("nlt-unload-0"));
}

TEST_HARNESS_MAIN
