// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink fuzzing of the "vblk" family: random and mutated messages (any
 * command number, unknown attributes, wrong types and lengths, truncated
 * nests and messages, huge values, random file descriptors, dumps), from a
 * privileged caller and from an unprivileged one (a child that became
 * "nobody"). Every message must be answered, by an ack, an errno or a
 * dump, within a few seconds. An errno to one of the family's commands
 * comes with an extended ack saying why (a message or the attribute at
 * fault) unless the command does not exist or memory ran out. An
 * unprivileged caller must never change anything; devices created by
 * chance are deleted afterwards and the device count is back where it
 * was. Leaks and kernel reports are checked
 * by the runner (kmemleak and the kernel log).
 *
 * VBLK_FUZZ_N: messages per caller (default: a smoke of 4000);
 * VBLK_FUZZ_SEED: the seed (default fixed; printed either way).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vblk_test_util.h"

#define SMOKE_N		4000
#define REPLY_MS	5000
#define MSG_MAX		1024
#define NOBODY		65534

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t x = rnd_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rnd_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

/* ---- message building ------------------------------------------------------------ */

struct msgbuf {
	uint8_t b[MSG_MAX];
	size_t len;
};

static struct nlattr *put_attr(struct msgbuf *m, uint16_t type, const void *p,
			       size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->b + m->len);
	size_t total = NLA_ALIGN(NLA_HDRLEN + len);

	if (m->len + total > MSG_MAX)
		return NULL;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(m->b + m->len + NLA_HDRLEN, p, len);
	memset(m->b + m->len + NLA_HDRLEN + len, 0, total - NLA_HDRLEN - len);
	m->len += total;
	return a;
}

/* A value an attribute of any type might be fed: boundaries, random. */
static uint64_t pick_value(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 511, 512, 513, 4096, 1 << 20, 0xffffffff,
		0x100000000ULL, 1ULL << 40, 1ULL << 50, (1ULL << 63) - 1,
		1ULL << 63, ~0ULL, 16, 17, 32, 65535,
	};

	return rnd() % 3 ? v[rnd() % (sizeof(v) / sizeof(v[0]))] : rnd();
}

/* A payload of some type: integers of every width, strings, junk, empty. */
static void put_payload(struct msgbuf *m, uint16_t type)
{
	uint8_t junk[300];
	uint64_t v = pick_value();
	size_t n;

	switch (rnd() % 8) {
	case 0 ... 3:	/* an integer of 1, 2, 4 or 8 bytes */
		put_attr(m, type, &v, 1 << (rnd() % 4));
		break;
	case 4:	/* a string, terminated or not, short or far too long */
		n = rnd() % 3 ? rnd() % 40 : rnd() % sizeof(junk);
		for (size_t i = 0; i < n; i++)
			junk[i] = "abcxyz-_.09/%\0\xff"[rnd() % 16];
		if (n && rnd() % 2)
			junk[n - 1] = 0;
		put_attr(m, type, junk, n);
		break;
	case 5:
		put_attr(m, type, NULL, 0);
		break;
	default:
		n = rnd() % 64;
		for (size_t i = 0; i < n; i++)
			junk[i] = rnd();
		put_attr(m, type, junk, n);
		break;
	}
}

/* Attributes, some nested (the throttle nest, or any type made a nest). */
static void put_attrs(struct msgbuf *m, int depth)
{
	unsigned int n = rnd() % 7;

	while (n--) {
		uint16_t type = rnd() % 4 ? rnd() % (VBLK_A_DEV_MAX + 3) : rnd();

		if (depth < 2 && rnd() % 5 == 0) {
			size_t start = m->len;
			struct nlattr *a = put_attr(m, type | (rnd() % 2 ? NLA_F_NESTED : 0),
						    NULL, 0);

			if (!a)
				return;
			put_attrs(m, depth + 1);
			a = (struct nlattr *)(m->b + start);
			a->nla_len = m->len - start;
		} else {
			put_payload(m, type);
		}
	}
}

/* Break a well-built message the way a hostile caller would. */
static void mutate(struct msgbuf *m)
{
	size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;

	switch (rnd() % 10) {
	case 0:	/* flip bytes of the attributes */
		for (int k = rnd() % 4; k >= 0 && m->len > hdr; k--)
			m->b[hdr + rnd() % (m->len - hdr)] ^= 1 << (rnd() % 8);
		break;
	case 1:	/* cut the message anywhere, header included */
		m->len = rnd() % (m->len + 1);
		break;
	case 2:	/* an attribute length past the end (a truncated nest) */
		if (m->len > hdr + NLA_HDRLEN)
			((struct nlattr *)(m->b + hdr))->nla_len += 4 + rnd() % 64;
		break;
	case 3:	/* an attribute length below its header */
		if (m->len > hdr + NLA_HDRLEN)
			((struct nlattr *)(m->b + hdr))->nla_len = rnd() % NLA_HDRLEN;
		break;
	case 4:	/* trailing garbage */
		while (m->len < MSG_MAX && rnd() % 8)
			m->b[m->len++] = rnd();
		break;
	case 5:	/* a genetlink version or reserved field nobody uses */
		m->b[NLMSG_HDRLEN + 1] = rnd();
		m->b[NLMSG_HDRLEN + 2] = rnd();
		break;
	}
}

static void build(struct msgbuf *m, int family, uint32_t seq)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->b;
	struct genlmsghdr *g = (struct genlmsghdr *)(m->b + NLMSG_HDRLEN);

	memset(m->b, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	/* Now and then a control message; never another family's. */
	nlh->nlmsg_type = rnd() % 50 ? (uint16_t)family : rnd() % (GENL_ID_CTRL + 1);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (rnd() % 4 == 0)
		nlh->nlmsg_flags |= NLM_F_DUMP;
	if (rnd() % 16 == 0)
		nlh->nlmsg_flags |= rnd() & 0xff00;
	nlh->nlmsg_seq = seq;
	g->cmd = rnd() % 8 ? 1 + rnd() % VBLK_CMD_MAX : rnd();
	g->version = VBLK_FAMILY_VERSION;
	put_attrs(m, 0);
	nlh->nlmsg_len = m->len;
	if (rnd() % 3 == 0)
		mutate(m);
	if (m->len >= sizeof(*nlh) && rnd() % 4)
		nlh->nlmsg_len = m->len;
}

/* ---- sending and waiting for the answer ------------------------------------------ */

struct tally {
	unsigned long sent, acked, errors, dumps, timeouts, bad_errno;
	unsigned long changed;	/* a mutating command that succeeded */
	unsigned long extacks;	/* errnos that said why */
	unsigned long refused;	/* sends the socket refused */
	int refused_err;	/* ... the first one's errno */
	unsigned long silent;	/* errnos that should have said why */
	int silent_cmd, silent_err;	/* the first of those */
};

/*
 * Wait for the answer to @seq: an error or ack, or the end of a dump.
 * Returns 0 (ack or dump), a negative errno, or 1 on a timeout; *@ext
 * says whether an error came with extended ack attributes.
 */
static int answer(int sk, uint32_t seq, bool *bad, bool *ext)
{
	static uint8_t buf[65536];
	struct pollfd p = { .fd = sk, .events = POLLIN };

	for (;;) {
		ssize_t n;

		if (poll(&p, 1, REPLY_MS) != 1)
			return 1;
		n = recv(sk, buf, sizeof(buf), 0);
		if (n < 0)
			return errno == ENOBUFS ? 0 : -errno;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;

				*bad |= err > 0 || err < -4095;
				*ext = h->nlmsg_flags & NLM_F_ACK_TLVS;
				return err;
			}
		}
	}
}

/*
 * Whether an errno @err to @m must say why: a whole request of the family
 * (not a dump) for one of its commands, refused for another reason than
 * a missing command or memory.
 */
static bool must_explain(const struct msgbuf *m, int family, int err)
{
	const struct nlmsghdr *nlh = (const void *)m->b;
	const struct genlmsghdr *g = (const void *)(m->b + NLMSG_HDRLEN);

	if (m->len < NLMSG_HDRLEN + GENL_HDRLEN || nlh->nlmsg_type != family ||
	    (nlh->nlmsg_flags & NLM_F_DUMP))
		return false;
	if (g->cmd < 1 || g->cmd > VBLK_CMD_MAX)
		return false;
	return err != -EOPNOTSUPP && err != -ENOMEM && err != -EMSGSIZE;
}

/* Send @n messages; a cut message the kernel drops unanswered is fine. */
static void fuzz(int family, unsigned long n, bool privileged, struct tally *t)
{
	int sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;
	struct msgbuf m;

	if (sk < 0 || bind(sk, (struct sockaddr *)&sa, sizeof(sa)))
		return;
	setsockopt(sk, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(sk, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	for (unsigned long i = 0; i < n; i++) {
		/* Trailing garbage answered by the kernel cannot fake this. */
		uint32_t seq = 0x80000000u | (uint32_t)i;
		struct genlmsghdr *g = (void *)(m.b + NLMSG_HDRLEN);
		bool whole, bad = false, ext = false;
		int ret;

		build(&m, family, seq);
		whole = m.len >= NLMSG_HDRLEN &&
			((struct nlmsghdr *)m.b)->nlmsg_len == m.len;
		if (send(sk, m.b, m.len, 0) < 0) {
			if (!t->refused++)
				t->refused_err = errno;
			continue;
		}
		t->sent++;
		if (!whole)
			continue;	/* a malformed header may go unanswered */
		ret = answer(sk, seq, &bad, &ext);
		t->bad_errno += bad;
		if (ret == 1) {
			t->timeouts++;
		} else if (ret) {
			t->errors++;
			t->extacks += ext;
			if (!ext && must_explain(&m, family, ret) && !t->silent++) {
				t->silent_cmd = g->cmd;
				t->silent_err = -ret;
			}
		} else {
			t->acked++;
			if (!privileged && m.len >= NLMSG_HDRLEN + GENL_HDRLEN &&
			    ((struct nlmsghdr *)m.b)->nlmsg_type == family &&
			    (g->cmd == VBLK_CMD_DEV_ADD || g->cmd == VBLK_CMD_DEV_DEL ||
			     g->cmd == VBLK_CMD_DEV_SET) &&
			    !(((struct nlmsghdr *)m.b)->nlmsg_flags & NLM_F_DUMP))
				t->changed++;
		}
	}
	close(sk);
}

FIXTURE(nlf) {
	struct vnl v;
	int ndevs;
	struct vnl_dev *before;	/* the devices that were there */
	char img[VT_IMG_MAX];
	int fds[6];
};

FIXTURE_SETUP(nlf)
{
	VT_NEED_ROOT_AND_VBLK();
	ASSERT_EQ(0, vnl_open(&self->v));
	self->before = NULL;
	ASSERT_EQ(0, vnl_dev_dump(&self->v, &self->before, &self->ndevs));
	/* Descriptors a random backing-fd may name: files, junk, a socket. */
	self->fds[0] = vt_make_temp(self->img, 1 << 20);
	ASSERT_LE(0, self->fds[0]);
	self->fds[1] = open(self->img, O_RDONLY | O_CLOEXEC);
	self->fds[2] = open("/dev/null", O_RDWR | O_CLOEXEC);
	self->fds[3] = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	self->fds[4] = eventfd(0, EFD_CLOEXEC);
	self->fds[5] = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Delete what the fuzzer created by chance; the device count is as before. */
static int clean_up(FIXTURE_DATA(nlf) *self)
{
	struct vnl_dev *devs = NULL;
	int n = 0, i, j;

	if (vnl_dev_dump(&self->v, &devs, &n))
		return -1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < self->ndevs; j++)
			if (!strcmp(devs[i].name, self->before[j].name))
				break;
		if (j == self->ndevs)
			vnl_dev_del(&self->v, devs[i].name, true);
	}
	free(devs);
	return vnl_dev_count(&self->v);
}

FIXTURE_TEARDOWN(nlf)
{
	if (self->before)
		clean_up(self);
	free(self->before);
	vnl_close(&self->v);
	for (int i = 0; i < 6; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	unlink(self->img);
}

static void report(const char *who, const struct tally *t)
{
	printf("# %s: %lu sent, %lu acked, %lu errnos (%lu with an extended "
	       "ack), %lu timeouts, %lu bad errnos, %lu changes\n", who,
	       t->sent, t->acked, t->errors, t->extacks, t->timeouts,
	       t->bad_errno, t->changed);
	if (t->refused)
		printf("# %s: %lu refused by the socket, the first: %s\n", who,
		       t->refused, strerror(t->refused_err));
	if (t->silent)
		printf("# %s: %lu errnos without a reason, the first: command "
		       "%d, %s\n", who, t->silent, t->silent_cmd,
		       strerror(t->silent_err));
}

TEST_F_TIMEOUT(nlf, privileged_and_unprivileged, 3600)
{
	unsigned long n = env_u64("VBLK_FUZZ_N", SMOKE_N);
	uint64_t seed = env_u64("VBLK_FUZZ_SEED", 0x76626c6b6e6c6675ULL);
	struct tally *mine, *theirs;
	int status;
	pid_t pid;

	printf("# seed %#llx, %lu messages per caller\n",
	       (unsigned long long)seed, n);
	mine = mmap(NULL, 2 * sizeof(*mine), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mine);
	memset(mine, 0, 2 * sizeof(*mine));
	theirs = mine + 1;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		rnd_state = (seed ^ 0x5555) | 1;
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(2);
		fuzz(self->v.family, n, false, theirs);
		_exit(0);
	}
	rnd_state = seed | 1;
	fuzz(self->v.family, n, true, mine);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	report("root", mine);
	report("nobody", theirs);

	/* Each message was sent, or refused by the socket with an errno. */
	EXPECT_EQ(n, mine->sent + mine->refused);
	EXPECT_EQ(n, theirs->sent + theirs->refused);
	EXPECT_EQ(0, mine->timeouts);
	EXPECT_EQ(0, theirs->timeouts);
	EXPECT_EQ(0, mine->bad_errno);
	EXPECT_EQ(0, theirs->bad_errno);
	EXPECT_EQ(0, theirs->changed);
	EXPECT_EQ(0, mine->silent);
	EXPECT_EQ(0, theirs->silent);
	/* The family still works; nothing is left once the chance devices go. */
	EXPECT_EQ(self->ndevs, clean_up(self));
	munmap(mine, 2 * sizeof(*mine));
}

TEST_HARNESS_MAIN
