// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the netlink attribute parsers (suite "vblk_nl"): name,
 * serial, capacity and the throttle nest, each fed attributes built in a
 * buffer as the family's policy lets them through; the bounds the spec's
 * checks put in the policy (name and serial lengths, read-only, the
 * throttle's ranges), through the family's own policies; and the device
 * lookup by id and/or name against real devices of the registry. Every
 * refusal is checked for its errno, its extack message and the attribute
 * it points at (or reports missing).
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/shmem_fs.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "vblk_dev.h"
#include "vblk_nl.h"
#include "vblk_nl_gen.h"

/* Attributes as they arrive in a message: headers, payloads, padding. */
struct nl_buf {
	u8 data[512] __aligned(NLA_ALIGNTO);
	int len;
};

static struct nlattr *nlb_put(struct kunit *test, struct nl_buf *b, u16 type,
			      const void *v, int len)
{
	struct nlattr *a = (struct nlattr *)(b->data + b->len);

	KUNIT_ASSERT_LE(test, b->len + nla_total_size(len), sizeof(b->data));
	a->nla_type = type;
	a->nla_len = nla_attr_size(len);
	if (len)
		memcpy(nla_data(a), v, len);
	memset((u8 *)nla_data(a) + len, 0, nla_padlen(len));
	b->len += nla_total_size(len);
	return a;
}

static struct nlattr *nlb_str(struct kunit *test, struct nl_buf *b, u16 type,
			      const char *s)
{
	return nlb_put(test, b, type, s, strlen(s) + 1);
}

static struct nlattr *nlb_u64(struct kunit *test, struct nl_buf *b, u16 type,
			      u64 v)
{
	return nlb_put(test, b, type, &v, sizeof(v));
}

static struct nlattr *nlb_u32(struct kunit *test, struct nl_buf *b, u16 type,
			      u32 v)
{
	return nlb_put(test, b, type, &v, sizeof(v));
}

static void nlb_nest_end(struct nl_buf *b, struct nlattr *nest)
{
	nest->nla_len = b->data + b->len - (u8 *)nest;
}

/* A refusal: @err, the message @msg, pointing at @attr. */
static void expect_refused(struct kunit *test, int ret, int err,
			   const struct netlink_ext_ack *ext, const char *msg,
			   const struct nlattr *attr)
{
	KUNIT_EXPECT_EQ(test, err, ret);
	KUNIT_ASSERT_NOT_NULL(test, ext->_msg);
	KUNIT_EXPECT_STREQ(test, msg, ext->_msg);
	KUNIT_EXPECT_PTR_EQ(test, attr, ext->bad_attr);
}

static void vblk_nl_test_name(struct kunit *test)
{
	static const char * const good[] = {
		"disk0", "a.b-c_D9", "...", "0123456789012345678901234567890",
	};
	static const char * const bad[] = { "a/b", "a b", ".", "..", "\xe9" };
	struct netlink_ext_ack ext;
	struct nl_buf b = {};
	struct nlattr *a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		memset(&ext, 0, sizeof(ext));
		a = nlb_str(test, &b, VBLK_A_DEV_NAME, good[i]);
		KUNIT_EXPECT_EQ_MSG(test, 0, vblk_nl_parse_name(a, &ext),
				    "%s", good[i]);
		KUNIT_EXPECT_NULL(test, ext._msg);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&ext, 0, sizeof(ext));
		a = nlb_str(test, &b, VBLK_A_DEV_NAME, bad[i]);
		expect_refused(test, vblk_nl_parse_name(a, &ext), -EINVAL, &ext,
			       "name: only A-Z a-z 0-9 _ . - allowed, not . or ..",
			       a);
	}
	memset(&ext, 0, sizeof(ext));
	a = nlb_str(test, &b, VBLK_A_DEV_NAME, "");
	expect_refused(test, vblk_nl_parse_name(a, &ext), -EINVAL, &ext,
		       "name: empty", a);
	/* A longer name is the policy's to refuse (vblk_nl_test_policy). */
}

static void vblk_nl_test_serial(struct kunit *test)
{
	struct netlink_ext_ack ext = {};
	char serial[VBLK_SERIAL_LEN];
	struct nl_buf b = {};
	struct nlattr *a;

	/* shorter than 20: NUL-padded */
	memset(serial, 0x7f, sizeof(serial));
	a = nlb_str(test, &b, VBLK_A_DEV_SERIAL, "SN-01 x");
	KUNIT_EXPECT_EQ(test, 0, vblk_nl_parse_serial(a, serial, &ext));
	KUNIT_EXPECT_EQ(test, 0, memcmp(serial, "SN-01 x", 7));
	KUNIT_EXPECT_FALSE(test, memchr_inv(serial + 7, 0, sizeof(serial) - 7));
	/* exactly 20: no room for, nor need of, a NUL */
	a = nlb_str(test, &b, VBLK_A_DEV_SERIAL, "ABCDEFGHIJKLMNOPQRST");
	KUNIT_EXPECT_EQ(test, 0, vblk_nl_parse_serial(a, serial, &ext));
	KUNIT_EXPECT_EQ(test, 0, memcmp(serial, "ABCDEFGHIJKLMNOPQRST", 20));
	/* empty: no serial */
	a = nlb_str(test, &b, VBLK_A_DEV_SERIAL, "");
	KUNIT_EXPECT_EQ(test, 0, vblk_nl_parse_serial(a, serial, &ext));
	KUNIT_EXPECT_FALSE(test, memchr_inv(serial, 0, sizeof(serial)));
	KUNIT_EXPECT_NULL(test, ext._msg);

	/* refusals leave the serial alone (the policy refuses a long one) */
	memset(serial, 0x7f, sizeof(serial));
	a = nlb_str(test, &b, VBLK_A_DEV_SERIAL, "tab\there");
	expect_refused(test, vblk_nl_parse_serial(a, serial, &ext), -EINVAL,
		       &ext, "serial: only printable ASCII allowed", a);
	memset(&ext, 0, sizeof(ext));
	a = nlb_str(test, &b, VBLK_A_DEV_SERIAL, "del\x7f");
	expect_refused(test, vblk_nl_parse_serial(a, serial, &ext), -EINVAL,
		       &ext, "serial: only printable ASCII allowed", a);
	KUNIT_EXPECT_FALSE(test, memchr_inv(serial, 0x7f, sizeof(serial)));
}

static void vblk_nl_test_capacity(struct kunit *test)
{
	struct netlink_ext_ack ext = {};
	struct nl_buf b = {};
	struct nlattr *a;
	u64 cap = 7;

	/* NLA_UINT: 32 or 64 bits on the wire */
	a = nlb_u32(test, &b, VBLK_A_DEV_CAPACITY, 512);
	KUNIT_EXPECT_EQ(test, 0, vblk_nl_parse_capacity(a, &cap, &ext));
	KUNIT_EXPECT_EQ(test, 512, cap);
	a = nlb_u64(test, &b, VBLK_A_DEV_CAPACITY, U64_MAX & ~511ULL);
	KUNIT_EXPECT_EQ(test, 0, vblk_nl_parse_capacity(a, &cap, &ext));
	KUNIT_EXPECT_EQ(test, U64_MAX & ~511ULL, cap);
	KUNIT_EXPECT_NULL(test, ext._msg);
	a = nlb_u64(test, &b, VBLK_A_DEV_CAPACITY, 0);
	expect_refused(test, vblk_nl_parse_capacity(a, &cap, &ext), -EINVAL,
		       &ext, "capacity: must be a non-zero multiple of 512", a);
	memset(&ext, 0, sizeof(ext));
	a = nlb_u32(test, &b, VBLK_A_DEV_CAPACITY, 4097);
	expect_refused(test, vblk_nl_parse_capacity(a, &cap, &ext), -EINVAL,
		       &ext, "capacity: must be a non-zero multiple of 512", a);
	KUNIT_EXPECT_EQ(test, U64_MAX & ~511ULL, cap);
}

/* ------------------------------------------------------------------ */
/* The policy: the spec's checks                                      */
/* ------------------------------------------------------------------ */

/* The do op @cmd of the family, whose policy the genl core applies. */
static const struct genl_split_ops *nl_op(struct kunit *test, u8 cmd)
{
	unsigned int i;

	for (i = 0; i < vblk_nl_family.n_split_ops; i++) {
		const struct genl_split_ops *op = &vblk_nl_family.split_ops[i];

		if (op->cmd == cmd && (op->flags & GENL_CMD_CAP_DO))
			return op;
	}
	return NULL;
}

/*
 * Parse the attributes in @b as the genl core does for @cmd; @pol gets
 * the policy entry of @type.
 */
static int nl_policy_parse(struct kunit *test, u8 cmd, u16 type,
			   const struct nl_buf *b,
			   const struct nla_policy **pol,
			   struct netlink_ext_ack *ext)
{
	struct nlattr *tb[MAX((int)VBLK_A_DEV_MAX, (int)VBLK_A_GROUP_MAX) + 1];
	const struct genl_split_ops *op = nl_op(test, cmd);

	KUNIT_ASSERT_NOT_NULL_MSG(test, op, "no do op for command %u", cmd);
	KUNIT_ASSERT_LE(test, op->maxattr, ARRAY_SIZE(tb) - 1);
	KUNIT_ASSERT_LE(test, type, op->maxattr);
	*pol = &op->policy[type];
	memset(ext, 0, sizeof(*ext));
	return nla_parse(tb, op->maxattr, (const struct nlattr *)b->data,
			 b->len, op->policy, ext);
}

/* A refusal by the policy entry @pol of the attribute @attr. */
static void expect_policy(struct kunit *test, int ret, int err,
			  const struct netlink_ext_ack *ext, const char *msg,
			  const struct nlattr *attr, const struct nla_policy *pol)
{
	expect_refused(test, ret, err, ext, msg, attr);
	KUNIT_EXPECT_PTR_EQ(test, pol, ext->policy);
}

static void vblk_nl_test_policy(struct kunit *test)
{
	static const char n31[] = "0123456789012345678901234567890";
	static const char n32[] = "01234567890123456789012345678901";
	static const char s20[] = "ABCDEFGHIJKLMNOPQRST";
	static const char s21[] = "ABCDEFGHIJKLMNOPQRSTU";
	static const struct {
		u8 cmd;
		u16 type;
		const char *ok, *bad;
		unsigned int len;
	} str[] = {
		{ VBLK_CMD_DEV_ADD, VBLK_A_DEV_NAME, n31, n32, VBLK_NAME_LEN },
		{ VBLK_CMD_DEV_DEL, VBLK_A_DEV_NAME, n31, n32, VBLK_NAME_LEN },
		{ VBLK_CMD_DEV_GET, VBLK_A_DEV_NAME, n31, n32, VBLK_NAME_LEN },
		{ VBLK_CMD_DEV_SET, VBLK_A_DEV_NAME, n31, n32, VBLK_NAME_LEN },
		{ VBLK_CMD_DEV_SET, VBLK_A_DEV_GROUP, n31, n32, VBLK_NAME_LEN },
		{ VBLK_CMD_GROUP_ADD, VBLK_A_GROUP_NAME, n31, n32, VBLK_NAME_LEN },
		{ VBLK_CMD_GROUP_DEL, VBLK_A_GROUP_NAME, n31, n32, VBLK_NAME_LEN },
		{ VBLK_CMD_GROUP_GET, VBLK_A_GROUP_NAME, n31, n32, VBLK_NAME_LEN },
		{ VBLK_CMD_GROUP_SET, VBLK_A_GROUP_NAME, n31, n32, VBLK_NAME_LEN },
		{ VBLK_CMD_DEV_ADD, VBLK_A_DEV_SERIAL, s20, s21, VBLK_SERIAL_MAX },
		{ VBLK_CMD_DEV_SET, VBLK_A_DEV_SERIAL, s20, s21, VBLK_SERIAL_MAX },
	};
	static const u8 ro_cmds[] = { VBLK_CMD_DEV_ADD, VBLK_CMD_DEV_SET };
	const struct nla_policy *pol;
	struct netlink_ext_ack ext;
	struct nl_buf b;
	struct nlattr *a;
	unsigned int i;
	int ret;
	u8 v;

	static_assert(sizeof(n31) == VBLK_NAME_LEN + 1);
	static_assert(sizeof(s20) == VBLK_SERIAL_MAX + 1);
	for (i = 0; i < ARRAY_SIZE(str); i++) {
		memset(&b, 0, sizeof(b));
		nlb_str(test, &b, str[i].type, str[i].ok);
		KUNIT_EXPECT_EQ_MSG(test, 0, nl_policy_parse(test, str[i].cmd,
							     str[i].type, &b,
							     &pol, &ext),
				    "command %u attribute %u", str[i].cmd,
				    str[i].type);
		/* The longest allowed is what the policy dump reports. */
		KUNIT_EXPECT_EQ(test, str[i].len, pol->len);
		memset(&b, 0, sizeof(b));
		a = nlb_str(test, &b, str[i].type, str[i].bad);
		expect_policy(test, nl_policy_parse(test, str[i].cmd,
						    str[i].type, &b, &pol, &ext),
			      -EINVAL, &ext, "Attribute failed policy validation",
			      a, pol);
	}
	/* read-only: 0 or 1 */
	for (i = 0; i < ARRAY_SIZE(ro_cmds); i++) {
		for (v = 0; v <= 2; v++) {
			memset(&b, 0, sizeof(b));
			a = nlb_put(test, &b, VBLK_A_DEV_READ_ONLY, &v, 1);
			ret = nl_policy_parse(test, ro_cmds[i],
					      VBLK_A_DEV_READ_ONLY, &b, &pol,
					      &ext);
			if (v <= 1)
				KUNIT_EXPECT_EQ(test, 0, ret);
			else
				expect_policy(test, ret, -ERANGE, &ext,
					      "integer out of range", a, pol);
		}
	}
}

/* Every throttle value: a rate 1 to 2^40, a burst 0 (default) to 2^50. */
static void vblk_nl_test_policy_throttle(struct kunit *test)
{
	struct nlattr *tb[VBLK_A_THROTTLE_MAX + 1];
	struct netlink_ext_ack ext;
	struct nl_buf b;
	struct nlattr *a;
	u16 type;
	int i;

	for (type = 1; type <= VBLK_A_THROTTLE_MAX; type++) {
		/* iops, iops-burst, bps, bps-burst, ...: rates are odd */
		bool rate = type & 1;
		u64 max = rate ? 1ULL << 40 : 1ULL << 50;
		const u64 v[] = { 0, 1, max, max + 1, U64_MAX };
		const bool ok[] = { !rate, true, true, false, false };

		for (i = 0; i < ARRAY_SIZE(v); i++) {
			memset(&b, 0, sizeof(b));
			memset(&ext, 0, sizeof(ext));
			a = nlb_u64(test, &b, type, v[i]);
			if (ok[i]) {
				KUNIT_EXPECT_EQ_MSG(test, 0,
						    nla_parse(tb, VBLK_A_THROTTLE_MAX,
							      a, b.len,
							      vblk_throttle_nl_policy,
							      &ext),
						    "type %u value %llu", type, v[i]);
				continue;
			}
			expect_policy(test, nla_parse(tb, VBLK_A_THROTTLE_MAX, a,
						      b.len,
						      vblk_throttle_nl_policy,
						      &ext),
				      -ERANGE, &ext, "integer out of range", a,
				      &vblk_throttle_nl_policy[type]);
		}
	}
}

/* ------------------------------------------------------------------ */
/* The throttle nest                                                  */
/* ------------------------------------------------------------------ */

#define THR_NEST	(-1)	/* the refusal points at the nest itself */

/**
 * struct thr_case - a throttle nest and what parsing it gives
 * @name: the parameter's name
 * @attr: attributes in the nest: type, payload length (4 or 8; 2 for a
 *	malformed one) and value
 * @n: how many
 * @flat: the nest lacks NLA_F_NESTED
 * @err: the errno (0: accepted)
 * @msg: the extack message of a refusal
 * @bad: index in @attr of the attribute it points at (the one the
 *	message names), or THR_NEST
 * @cfg: the limits of an accepted nest
 */
struct thr_case {
	const char *name;
	struct { u16 type, len; u64 v; } attr[4];
	unsigned int n;
	bool flat;
	int err;
	const char *msg;
	int bad;
	struct vblk_throttle_cfg cfg;
};

#define IOPS		VBLK_A_THROTTLE_IOPS
#define IOPS_BURST	VBLK_A_THROTTLE_IOPS_BURST
#define BPS		VBLK_A_THROTTLE_BPS
#define BPS_BURST	VBLK_A_THROTTLE_BPS_BURST

static const struct thr_case thr_cases[] = {
	{ "vblk_nl_throttle_empty_is_unlimited", .n = 0 },
	{ "vblk_nl_throttle_all_four",
	  .attr = { { IOPS, 4, 1000 }, { IOPS_BURST, 8, 2000 },
		    { BPS, 8, 1 << 20 }, { BPS_BURST, 4, 0 } }, .n = 4,
	  .cfg = { .iops = 1000, .iops_burst = 2000, .bps = 1 << 20 } },
	{ "vblk_nl_throttle_bounds_allowed",
	  .attr = { { IOPS, 4, 1 }, { BPS, 8, 1ULL << 40 },
		    { BPS_BURST, 8, 1ULL << 50 } }, .n = 3,
	  .cfg = { .iops = 1, .bps = 1ULL << 40, .bps_burst = 1ULL << 50 } },
	{ "vblk_nl_throttle_zero_iops",
	  .attr = { { IOPS, 4, 0 } }, .n = 1, .err = -ERANGE,
	  .msg = "integer out of range", .bad = 0 },
	{ "vblk_nl_throttle_zero_bps",
	  .attr = { { IOPS, 4, 5 }, { BPS, 8, 0 } }, .n = 2, .err = -ERANGE,
	  .msg = "integer out of range", .bad = 1 },
	{ "vblk_nl_throttle_burst_alone",
	  .attr = { { IOPS_BURST, 4, 10 } }, .n = 1, .err = -EINVAL,
	  .msg = "iops-burst: given without iops", .bad = 0 },
	{ "vblk_nl_throttle_burst_below_rate",
	  .attr = { { IOPS, 4, 100 }, { IOPS_BURST, 4, 50 } }, .n = 2,
	  .err = -EINVAL, .msg = "iops-burst: below iops", .bad = 1 },
	{ "vblk_nl_throttle_rate_too_high",
	  .attr = { { BPS, 8, (1ULL << 40) + 1 } }, .n = 1, .err = -ERANGE,
	  .msg = "integer out of range", .bad = 0 },
	{ "vblk_nl_throttle_burst_too_high",
	  .attr = { { BPS, 8, 1 << 20 }, { BPS_BURST, 8, (1ULL << 50) + 1 } },
	  .n = 2, .err = -ERANGE, .msg = "integer out of range", .bad = 1 },
	{ "vblk_nl_throttle_not_flagged_nested",
	  .attr = { { IOPS, 4, 1 } }, .n = 1, .flat = true, .err = -EINVAL,
	  .msg = "NLA_F_NESTED is missing", .bad = THR_NEST },
	{ "vblk_nl_throttle_uint_of_two_bytes",
	  .attr = { { IOPS, 2, 1 } }, .n = 1, .err = -EINVAL,
	  .msg = "invalid attribute length", .bad = 0 },
	{ "vblk_nl_throttle_unknown_attribute",
	  .attr = { { IOPS, 4, 1 }, { VBLK_A_THROTTLE_MAX + 1, 4, 1 } },
	  .n = 2, .err = -EINVAL, .msg = "Unknown attribute type", .bad = 1 },
};

static void thr_desc(const struct thr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(thr, thr_cases, thr_desc);

static void vblk_nl_test_throttle(struct kunit *test)
{
	const struct thr_case *c = test->param_value;
	struct vblk_throttle_cfg cfg = {};
	struct netlink_ext_ack ext = {};
	struct nlattr *nest, *a[4];
	struct nl_buf b = {};
	unsigned int i;
	int ret;

	nest = nlb_put(test, &b, VBLK_A_DEV_THROTTLE |
		       (c->flat ? 0 : NLA_F_NESTED), NULL, 0);
	for (i = 0; i < c->n; i++)
		a[i] = nlb_put(test, &b, c->attr[i].type, &c->attr[i].v,
			       c->attr[i].len);
	nlb_nest_end(&b, nest);
	ret = vblk_nl_parse_throttle(nest, &cfg, &ext);
	if (c->err) {
		expect_refused(test, ret, c->err, &ext, c->msg,
			       c->bad == THR_NEST ? nest : a[c->bad]);
		/* a value out of its range: the spec's bounds refused it */
		if (c->err == -ERANGE)
			KUNIT_EXPECT_PTR_EQ(test, ext.policy,
					    &vblk_throttle_nl_policy[c->attr[c->bad].type]);
		return;
	}
	KUNIT_EXPECT_EQ(test, 0, ret);
	KUNIT_EXPECT_NULL(test, ext._msg);
	KUNIT_EXPECT_EQ(test, c->cfg.iops, cfg.iops);
	KUNIT_EXPECT_EQ(test, c->cfg.iops_burst, cfg.iops_burst);
	KUNIT_EXPECT_EQ(test, c->cfg.bps, cfg.bps);
	KUNIT_EXPECT_EQ(test, c->cfg.bps_burst, cfg.bps_burst);
}

/* ------------------------------------------------------------------ */
/* Lookup by id and name                                              */
/* ------------------------------------------------------------------ */

static void nl_dev_delete(void *ctx)
{
	struct vblk_device *d = ctx;
	const char *why = NULL;

	vblk_dev_lock();
	vblk_dev_delete(d, false, &why);
	vblk_dev_unlock();
	vblk_dev_put(d);
}

/* A listed device on a small shmem file, deleted when the test ends. */
static struct vblk_device *nl_dev(struct kunit *test, const char *name)
{
	struct vblk_blk_config cfg = { .capacity = 8, .num_queues = 1 };
	struct file *f = shmem_file_setup("vblk-kunit", 4096, 0);
	struct vblk_device *d;

	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	d = vblk_dev_add(name, f, &cfg, NULL);
	if (IS_ERR(d))
		fput(f);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(d), "%s: %ld", name, PTR_ERR(d));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, nl_dev_delete,
							   d));
	return d;
}

static struct vblk_device *nl_lookup(struct nlattr *id, struct nlattr *name,
				     struct netlink_ext_ack *ext)
{
	struct nlattr *tb[VBLK_A_DEV_MAX + 1] = {
		[VBLK_A_DEV_ID] = id,
		[VBLK_A_DEV_NAME] = name,
	};
	struct genl_info info = { .attrs = tb, .extack = ext };
	struct vblk_device *d;

	memset(ext, 0, sizeof(*ext));
	vblk_dev_lock();
	d = vblk_nl_lookup(&info);
	vblk_dev_unlock();
	return d;
}

static void vblk_nl_test_lookup(struct kunit *test)
{
	struct vblk_device *da = nl_dev(test, "kunit-nl-a");
	struct vblk_device *db = nl_dev(test, "kunit-nl-b");
	struct netlink_ext_ack ext;
	struct nlattr *ia, *na, *nb, *none, *noid;
	struct vblk_device *d;
	struct nl_buf b = {};

	ia = nlb_u32(test, &b, VBLK_A_DEV_ID, da->id);
	na = nlb_str(test, &b, VBLK_A_DEV_NAME, "kunit-nl-a");
	nb = nlb_str(test, &b, VBLK_A_DEV_NAME, "kunit-nl-b");
	none = nlb_str(test, &b, VBLK_A_DEV_NAME, "kunit-nl-none");
	noid = nlb_u32(test, &b, VBLK_A_DEV_ID, U32_MAX);

	KUNIT_EXPECT_PTR_EQ(test, da, nl_lookup(ia, NULL, &ext));
	KUNIT_EXPECT_PTR_EQ(test, db, nl_lookup(NULL, nb, &ext));
	KUNIT_EXPECT_PTR_EQ(test, da, nl_lookup(ia, na, &ext));
	KUNIT_EXPECT_NULL(test, ext._msg);

	/* neither: the name is reported missing */
	d = nl_lookup(NULL, NULL, &ext);
	expect_refused(test, PTR_ERR(d), -EINVAL, &ext,
		       "name: missing (give the device's name or id)", NULL);
	KUNIT_EXPECT_EQ(test, VBLK_A_DEV_NAME, ext.miss_type);
	KUNIT_EXPECT_NULL(test, ext.miss_nest);
	d = nl_lookup(noid, NULL, &ext);
	expect_refused(test, PTR_ERR(d), -ENOENT, &ext, "id: no such device",
		       noid);
	d = nl_lookup(NULL, none, &ext);
	expect_refused(test, PTR_ERR(d), -ENOENT, &ext, "name: no such device",
		       none);
	/* both given, they must agree; the id is looked at first */
	d = nl_lookup(ia, nb, &ext);
	expect_refused(test, PTR_ERR(d), -EINVAL, &ext,
		       "name: not the device with this id", nb);
	d = nl_lookup(noid, na, &ext);
	expect_refused(test, PTR_ERR(d), -ENOENT, &ext, "id: no such device",
		       noid);
	d = nl_lookup(ia, none, &ext);
	expect_refused(test, PTR_ERR(d), -ENOENT, &ext, "name: no such device",
		       none);
}

static struct kunit_case vblk_nl_test_cases[] = {
	KUNIT_CASE(vblk_nl_test_name),
	KUNIT_CASE(vblk_nl_test_serial),
	KUNIT_CASE(vblk_nl_test_capacity),
	KUNIT_CASE(vblk_nl_test_policy),
	KUNIT_CASE(vblk_nl_test_policy_throttle),
	KUNIT_CASE_PARAM(vblk_nl_test_throttle, thr_gen_params),
	KUNIT_CASE(vblk_nl_test_lookup),
	{}
};

static struct kunit_suite vblk_nl_test_suite = {
	.name = "vblk_nl",
	.test_cases = vblk_nl_test_cases,
};

kunit_test_suite(vblk_nl_test_suite);
