// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the netlink attribute parsers (suite "vblk_nl"): name,
 * serial, read-only, capacity and the throttle nest, each fed attributes
 * built in a buffer as the family's policy lets them through, and the
 * device lookup by id and/or name against real devices of the registry.
 * Every refusal is checked for its errno, its extack message and the
 * attribute it points at (or reports missing).
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
	memset(&ext, 0, sizeof(ext));
	a = nlb_str(test, &b, VBLK_A_DEV_NAME,
		    "01234567890123456789012345678901");
	expect_refused(test, vblk_nl_parse_name(a, &ext), -EINVAL, &ext,
		       "name: longer than 31 characters", a);
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

	/* refusals leave the serial alone */
	memset(serial, 0x7f, sizeof(serial));
	a = nlb_str(test, &b, VBLK_A_DEV_SERIAL, "ABCDEFGHIJKLMNOPQRSTU");
	expect_refused(test, vblk_nl_parse_serial(a, serial, &ext), -EINVAL,
		       &ext, "serial: longer than 20 characters", a);
	memset(&ext, 0, sizeof(ext));
	a = nlb_str(test, &b, VBLK_A_DEV_SERIAL, "tab\there");
	expect_refused(test, vblk_nl_parse_serial(a, serial, &ext), -EINVAL,
		       &ext, "serial: only printable ASCII allowed", a);
	memset(&ext, 0, sizeof(ext));
	a = nlb_str(test, &b, VBLK_A_DEV_SERIAL, "del\x7f");
	expect_refused(test, vblk_nl_parse_serial(a, serial, &ext), -EINVAL,
		       &ext, "serial: only printable ASCII allowed", a);
	KUNIT_EXPECT_FALSE(test, memchr_inv(serial, 0x7f, sizeof(serial)));
}

static void vblk_nl_test_read_only_and_capacity(struct kunit *test)
{
	struct netlink_ext_ack ext = {};
	struct nl_buf b = {};
	struct nlattr *a;
	bool ro = true;
	u64 cap = 7;
	u8 v;

	v = 0;
	a = nlb_put(test, &b, VBLK_A_DEV_READ_ONLY, &v, 1);
	KUNIT_EXPECT_EQ(test, 0, vblk_nl_parse_read_only(a, &ro, &ext));
	KUNIT_EXPECT_FALSE(test, ro);
	v = 1;
	a = nlb_put(test, &b, VBLK_A_DEV_READ_ONLY, &v, 1);
	KUNIT_EXPECT_EQ(test, 0, vblk_nl_parse_read_only(a, &ro, &ext));
	KUNIT_EXPECT_TRUE(test, ro);
	v = 2;
	a = nlb_put(test, &b, VBLK_A_DEV_READ_ONLY, &v, 1);
	expect_refused(test, vblk_nl_parse_read_only(a, &ro, &ext), -EINVAL,
		       &ext, "read-only: must be 0 or 1", a);
	KUNIT_EXPECT_TRUE(test, ro);

	/* NLA_UINT: 32 or 64 bits on the wire */
	memset(&ext, 0, sizeof(ext));
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
	{ "vblk_nl_throttle_zero_iops",
	  .attr = { { IOPS, 4, 0 } }, .n = 1, .err = -EINVAL,
	  .msg = "iops: must be non-zero (omit it for no limit)", .bad = 0 },
	{ "vblk_nl_throttle_zero_bps",
	  .attr = { { IOPS, 4, 5 }, { BPS, 8, 0 } }, .n = 2, .err = -EINVAL,
	  .msg = "bps: must be non-zero (omit it for no limit)", .bad = 1 },
	{ "vblk_nl_throttle_burst_alone",
	  .attr = { { IOPS_BURST, 4, 10 } }, .n = 1, .err = -EINVAL,
	  .msg = "iops-burst: given without iops", .bad = 0 },
	{ "vblk_nl_throttle_burst_below_rate",
	  .attr = { { IOPS, 4, 100 }, { IOPS_BURST, 4, 50 } }, .n = 2,
	  .err = -EINVAL, .msg = "iops-burst: below iops", .bad = 1 },
	{ "vblk_nl_throttle_rate_too_high",
	  .attr = { { BPS, 8, (1ULL << 40) + 1 } }, .n = 1, .err = -EINVAL,
	  .msg = "bps: above 2^40", .bad = 0 },
	{ "vblk_nl_throttle_burst_too_high",
	  .attr = { { BPS, 8, 1 << 20 }, { BPS_BURST, 8, (1ULL << 50) + 1 } },
	  .n = 2, .err = -EINVAL, .msg = "bps-burst: above 2^50", .bad = 1 },
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
	KUNIT_CASE(vblk_nl_test_read_only_and_capacity),
	KUNIT_CASE_PARAM(vblk_nl_test_throttle, thr_gen_params),
	KUNIT_CASE(vblk_nl_test_lookup),
	{}
};

static struct kunit_suite vblk_nl_test_suite = {
	.name = "vblk_nl",
	.test_cases = vblk_nl_test_cases,
};

kunit_test_suite(vblk_nl_test_suite);
