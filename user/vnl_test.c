// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the vblk client library (lib/vnl*.c) without a
 * kernel: spec names against the YNL spec, offset resolution, extended
 * ack decoding and the error line, device and event decoding of good and
 * malformed replies. Run under ASan/UBSan by `make -C user test`.
 */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>

#include "vnl.h"
#include "unit.h"

#define SPEC "../Documentation/netlink/specs/vblk.yaml"

/* ---- the name tables are the spec's ---- */

static const enum vnl_attrs set_of[] = { VNL_ATTRS_DEV, VNL_ATTRS_QUEUE,
	VNL_ATTRS_STATS, VNL_ATTRS_THROTTLE, VNL_ATTRS_EVENT, VNL_ATTRS_GROUP,
	VNL_ATTRS_LATENCY };
static const char *const set_names[] = { "dev", "queue", "stats", "throttle",
	"event", "group", "latency" };

/*
 * Walk the spec's attribute sets (set names indented by 4, attribute names
 * by 8) and the event-type enum; every name must be ours, in order.
 */
static void spec_names(void)
{
	FILE *f = fopen(SPEC, "r");
	char line[256], sect[64] = "", enm[64] = "";
	int set = -1, type = 0, checked = 0, bad = 0;
	unsigned int ev = 0;

	ok(f != NULL, "spec %s readable", SPEC);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		size_t ind = strspn(line, " ");
		const char *name = line + ind + 6;

		line[strcspn(line, "\n")] = '\0';
		if (ind == 0 && line[0] && line[0] != '#') {
			sscanf(line, "%63[^:]", sect);
			set = -1;
			enm[0] = '\0';
		}
		if (strncmp(line + ind, "name: ", 6))
			continue;
		if (ind == 4) {
			set = -1;
			snprintf(enm, sizeof(enm), "%s", name);
			for (size_t i = 0; i < sizeof(set_names) / sizeof(set_names[0]); i++)
				if (!strcmp(sect, "attribute-sets") &&
				    !strcmp(name, set_names[i]))
					set = (int)i;
			type = 0;
			ev = 0;
		} else if (ind == 8 && set >= 0) {
			const char *ours = vnl_attr_name(set_of[set], ++type);

			checked++;
			if (!ours || strcmp(ours, name)) {
				bad++;
				printf("# %s attribute %d: spec \"%s\", library \"%s\"\n",
				       set_names[set], type, name, ours ? ours : "(none)");
			}
		} else if (ind == 8 && !strcmp(sect, "definitions") &&
			   !strcmp(enm, "event-type")) {
			const char *ours = vnl_event_name(++ev);

			checked++;
			if (!ours || strcmp(ours, name)) {
				bad++;
				printf("# event %u: spec \"%s\", library \"%s\"\n", ev,
				       name, ours ? ours : "(none)");
			}
		}
	}
	fclose(f);
	ok(checked == VBLK_A_DEV_MAX + VBLK_A_QUEUE_MAX + VBLK_A_STATS_MAX +
		      VBLK_A_THROTTLE_MAX + VBLK_A_EVENT_MAX + VBLK_A_GROUP_MAX +
		      VBLK_A_LATENCY_MAX + 8 && !bad,
	   "every attribute and event name is the spec's (%d checked, %d differ)",
	   checked, bad);
	ok(!vnl_attr_name(VNL_ATTRS_DEV, 0) &&
	   !vnl_attr_name(VNL_ATTRS_DEV, VBLK_A_DEV_MAX + 1) &&
	   !vnl_attr_name(VNL_ATTRS_NONE, 1) && !vnl_attr_name(99, 1) &&
	   !vnl_event_name(0) && !vnl_event_name(99),
	   "unknown types have no name");
	ok(vnl_attr_nest(VNL_ATTRS_DEV, VBLK_A_DEV_THROTTLE) == VNL_ATTRS_THROTTLE &&
	   vnl_attr_nest(VNL_ATTRS_DEV, VBLK_A_DEV_QUEUE) == VNL_ATTRS_QUEUE &&
	   vnl_attr_nest(VNL_ATTRS_DEV, VBLK_A_DEV_STATS) == VNL_ATTRS_STATS &&
	   vnl_attr_nest(VNL_ATTRS_DEV, VBLK_A_DEV_QUEUES) == VNL_ATTRS_NONE,
	   "nests and their sets");
}

/* ---- a request and the offsets of its attributes ---- */

static struct nl_msg *genl(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, 0, 7, 0x1a, 0, 0, cmd, VBLK_FAMILY_VERSION);
	return m;
}

/* Offset of the attribute @a in the message @m. */
static uint32_t offs(struct nl_msg *m, const void *a)
{
	return (uint32_t)((const char *)a - (const char *)nlmsg_hdr(m));
}

struct req {
	struct nl_msg *m;
	uint32_t o_name, o_queues, o_thr, o_bps;
};

static void build_req(struct req *r)
{
	struct nlattr *n;

	r->m = genl(VBLK_CMD_DEV_ADD);
	nla_put_string(r->m, VBLK_A_DEV_NAME, "disk0");
	r->o_name = offs(r->m, nlmsg_find_attr(nlmsg_hdr(r->m), GENL_HDRLEN,
					       VBLK_A_DEV_NAME));
	nla_put_s32(r->m, VBLK_A_DEV_BACKING_FD, 3);
	n = nla_nest_start(r->m, VBLK_A_DEV_THROTTLE);
	r->o_thr = offs(r->m, n);
	nla_put_u64(r->m, VBLK_A_THROTTLE_IOPS, 5);
	r->o_bps = offs(r->m, nlmsg_tail(nlmsg_hdr(r->m)));
	nla_put_u64(r->m, VBLK_A_THROTTLE_BPS, 9);
	nla_nest_end(r->m, n);
	r->o_queues = offs(r->m, nlmsg_tail(nlmsg_hdr(r->m)));
	nla_put_u32(r->m, VBLK_A_DEV_QUEUES, 17);
}

static void find_attr(void)
{
	struct req r;
	struct nlmsghdr *h;
	enum vnl_attrs set;
	uint32_t type;

	build_req(&r);
	h = nlmsg_hdr(r.m);
	ok(!vnl_find_attr(h, h->nlmsg_len, r.o_queues, &type, &set) &&
	   type == VBLK_A_DEV_QUEUES && set == VNL_ATTRS_DEV,
	   "offset of queues resolves to dev/queues");
	ok(!vnl_find_attr(h, h->nlmsg_len, r.o_name, &type, &set) &&
	   type == VBLK_A_DEV_NAME, "offset of the first attribute");
	ok(!vnl_find_attr(h, h->nlmsg_len, r.o_thr, &type, &set) &&
	   type == VBLK_A_DEV_THROTTLE && set == VNL_ATTRS_DEV,
	   "offset of a nest resolves to the nest");
	ok(!vnl_find_attr(h, h->nlmsg_len, r.o_bps, &type, &set) &&
	   type == VBLK_A_THROTTLE_BPS && set == VNL_ATTRS_THROTTLE,
	   "offset inside a nest resolves to throttle/bps");
	ok(vnl_find_attr(h, h->nlmsg_len, r.o_name + 5, &type, &set) == -ENOENT &&
	   vnl_find_attr(h, h->nlmsg_len, h->nlmsg_len, &type, &set) == -ENOENT &&
	   vnl_find_attr(h, h->nlmsg_len, 0, &type, &set) == -ENOENT &&
	   vnl_find_attr(NULL, 0, 20, &type, &set) == -ENOENT,
	   "offsets inside a payload, past the end, in the header: unresolved");
	/* A truncated copy never reads past its end. */
	ok(vnl_find_attr(h, r.o_queues + 2, r.o_queues, &type, &set) == -ENOENT,
	   "a truncated request is not read past its end");
	nlmsg_free(r.m);
}

/* ---- extended acks ---- */

/* The bounds of an NLMSGERR_ATTR_POLICY. */
struct pol {
	uint32_t type;		/* NL_ATTR_TYPE_* */
	bool sgn;		/* MIN/MAX_VALUE_S rather than _U */
	int64_t min, max;	/* both 0: no range */
	uint32_t min_len, max_len;	/* 0: not sent */
};

struct ack {
	int error;
	const char *msg;	/* NULL: none */
	int64_t off;		/* -1: none */
	uint32_t miss_type;
	int64_t miss_nest;	/* -1: none */
	bool range;		/* the policy of queues: u32, 1..16 */
	bool uncapped;		/* the request follows the nlmsgerr */
};

static void put_pol(struct nl_msg *m, const struct pol *p)
{
	struct nlattr *n = nla_nest_start(m, NLMSGERR_ATTR_POLICY);

	nla_put_u32(m, NL_POLICY_TYPE_ATTR_TYPE, p->type);
	if (p->min || p->max) {
		nla_put_u64(m, p->sgn ? NL_POLICY_TYPE_ATTR_MIN_VALUE_S :
			    NL_POLICY_TYPE_ATTR_MIN_VALUE_U, (uint64_t)p->min);
		nla_put_u64(m, p->sgn ? NL_POLICY_TYPE_ATTR_MAX_VALUE_S :
			    NL_POLICY_TYPE_ATTR_MAX_VALUE_U, (uint64_t)p->max);
	}
	if (p->min_len)
		nla_put_u32(m, NL_POLICY_TYPE_ATTR_MIN_LENGTH, p->min_len);
	if (p->max_len)
		nla_put_u32(m, NL_POLICY_TYPE_ATTR_MAX_LENGTH, p->max_len);
	nla_nest_end(m, n);
}

/* An NLMSG_ERROR answering @req as the kernel would build it. */
static struct nl_msg *build_ack(struct nl_msg *req, const struct ack *a,
				const struct pol *pol)
{
	struct nlmsghdr *rh = nlmsg_hdr(req);
	size_t plen = sizeof(struct nlmsgerr);
	struct nl_msg *m = nlmsg_alloc();
	struct nlmsgerr *e;
	struct nlmsghdr *h;
	int flags = NLM_F_ACK_TLVS | (a->uncapped ? 0 : NLM_F_CAPPED);

	if (a->uncapped)
		plen += rh->nlmsg_len - NLMSG_HDRLEN;
	h = nlmsg_put(m, 0, rh->nlmsg_seq, NLMSG_ERROR, (int)plen, flags);
	e = nlmsg_data(h);
	e->error = a->error;
	e->msg = *rh;
	if (a->uncapped)
		memcpy(e + 1, nlmsg_data(rh), rh->nlmsg_len - NLMSG_HDRLEN);
	if (a->msg)
		nla_put_string(m, NLMSGERR_ATTR_MSG, a->msg);
	if (a->off >= 0)
		nla_put_u32(m, NLMSGERR_ATTR_OFFS, (uint32_t)a->off);
	if (a->miss_type)
		nla_put_u32(m, NLMSGERR_ATTR_MISS_TYPE, a->miss_type);
	if (a->miss_nest >= 0)
		nla_put_u32(m, NLMSGERR_ATTR_MISS_NEST, (uint32_t)a->miss_nest);
	if (a->range)
		put_pol(m, &(struct pol){ NL_ATTR_TYPE_U32, false, 1, 16, 0, 0 });
	if (pol)
		put_pol(m, pol);
	return m;
}

/* Decode @a as the answer to @r and compare vnl_error() with @want. */
static void ack_pol_case(struct req *r, const struct ack *a,
			 const struct pol *pol, const char *want,
			 const char *what)
{
	struct nlmsghdr *rh = nlmsg_hdr(r->m);
	struct nl_msg *m = build_ack(r->m, a, pol);
	struct vnl v;
	const char *got;

	memset(&v, 0, sizeof(v));
	v.req = malloc(rh->nlmsg_len);
	memcpy(v.req, rh, rh->nlmsg_len);
	v.req_len = rh->nlmsg_len;
	vnl_parse_ack(&v, nlmsg_hdr(m));
	got = vnl_error(&v);
	ok(v.err == a->error && v.from_kernel && !strcmp(got, want),
	   "%s: \"%s\"", what, got);
	free(v.req);
	nlmsg_free(m);
}

static void ack_case(struct req *r, const struct ack *a, const char *want,
		     const char *what)
{
	ack_pol_case(r, a, NULL, want, what);
}

static void acks(void)
{
	struct req r;
	struct vnl v;

	build_req(&r);
	ack_case(&r, &(struct ack){ -ERANGE, "integer out of range", r.o_queues,
				    0, -1, true, false },
		 "queues: value 17 out of range 1..16 (Numerical result out of range)",
		 "a policy range error names queues, the value and the range");
	ack_case(&r, &(struct ack){ -ERANGE, "integer out of range", r.o_queues,
				    0, -1, true, true },
		 "queues: value 17 out of range 1..16 (Numerical result out of range)",
		 "the same with the request echoed (not capped)");
	ack_case(&r, &(struct ack){ -ERANGE, "integer out of range",
				    r.o_name + 4, 0, -1, true, false },
		 "integer out of range, allowed 1..16 (Numerical result out of range)",
		 "a range without the attribute: the kernel's message and the range");
	ack_case(&r, &(struct ack){ -ENOENT, "name: no such device", r.o_name,
				    0, -1, false, false },
		 "name: no such device (No such file or directory)",
		 "a message that names its attribute is not named twice");
	ack_case(&r, &(struct ack){ -EINVAL, "Attribute failed policy validation",
				    r.o_bps, 0, -1, false, false },
		 "bps: Attribute failed policy validation (Invalid argument)",
		 "an attribute inside a nest is named");
	ack_case(&r, &(struct ack){ -EINVAL, "bps-burst: below bps", r.o_thr,
				    0, -1, false, false },
		 "bps-burst: below bps (Invalid argument)",
		 "a message on a nest that names a member is not named again");
	ack_case(&r, &(struct ack){ -EINVAL, NULL, -1, VBLK_A_DEV_BACKING_FD, -1,
				    false, false },
		 "backing-fd: missing (Invalid argument)",
		 "a missing attribute without a message");
	ack_case(&r, &(struct ack){ -EINVAL, NULL, -1, VBLK_A_THROTTLE_IOPS,
				    r.o_thr, false, false },
		 "iops: missing (Invalid argument)",
		 "a missing attribute of a nest");
	ack_case(&r, &(struct ack){ -EPERM, NULL, -1, 0, -1, false, false },
		 "Operation not permitted", "no extended ack: strerror");
	ack_case(&r, &(struct ack){ -EINVAL, "Unknown attribute type",
				    r.o_name + 4, 0, -1, false, false },
		 "Unknown attribute type (Invalid argument)",
		 "an offset that is no attribute is not guessed");
	nlmsg_free(r.m);

	/* An attribute type the spec does not have. */
	r.m = genl(VBLK_CMD_DEV_ADD);
	r.o_name = offs(r.m, nlmsg_tail(nlmsg_hdr(r.m)));
	nla_put_u32(r.m, 200, 1);
	ack_case(&r, &(struct ack){ -EINVAL, "Unknown attribute type", r.o_name,
				    0, -1, false, false },
		 "attribute 200: Unknown attribute type (Invalid argument)",
		 "an unknown type is named by number");
	nlmsg_free(r.m);

	memset(&v, 0, sizeof(v));
	ok(!strcmp(vnl_error(&v), ""), "no error: empty line");
	v.err = -EIO;
	snprintf(v.msg, sizeof(v.msg), "cannot open a generic netlink socket");
	ok(!strcmp(vnl_error(&v), "cannot open a generic netlink socket"),
	   "a local failure prints its reason");
	v.msg[0] = '\0';
	ok(!strcmp(vnl_error(&v), "Input/output error"),
	   "a local failure without a reason prints strerror");
}

/* A policy's bounds against the value sent (the spec's checks). */
static void policy_acks(void)
{
	static const char n32[] = "01234567890123456789012345678901";
	const struct pol rate = { NL_ATTR_TYPE_U64, false, 1, 1LL << 40, 0, 0 };
	const struct pol fd = { NL_ATTR_TYPE_S32, true, 0, INT32_MAX, 0, 0 };
	const struct pol name = { NL_ATTR_TYPE_NUL_STRING, false, 0, 0, 0, 31 };
	const struct pol name2 = { NL_ATTR_TYPE_NUL_STRING, false, 0, 0, 8, 31 };
	const struct pol name3 = { NL_ATTR_TYPE_NUL_STRING, false, 0, 0, 33, 0 };
	struct nlattr *n;
	struct req r;
	uint32_t o_fd;

	r.m = genl(VBLK_CMD_DEV_ADD);
	r.o_name = offs(r.m, nlmsg_tail(nlmsg_hdr(r.m)));
	nla_put_string(r.m, VBLK_A_DEV_NAME, n32);
	o_fd = offs(r.m, nlmsg_tail(nlmsg_hdr(r.m)));
	nla_put_s32(r.m, VBLK_A_DEV_BACKING_FD, -1);
	n = nla_nest_start(r.m, VBLK_A_DEV_THROTTLE);
	r.o_bps = offs(r.m, nlmsg_tail(nlmsg_hdr(r.m)));
	nla_put_u32(r.m, VBLK_A_THROTTLE_BPS, 0);	/* uint: 4 bytes */
	nla_nest_end(r.m, n);

	ack_pol_case(&r, &(struct ack){ -ERANGE, "integer out of range",
					r.o_bps, 0, -1, false, false }, &rate,
		     "bps: value 0 out of range 1..1099511627776 (Numerical result out of range)",
		     "a range inside a nest: the member, its value and the range");
	ack_pol_case(&r, &(struct ack){ -ERANGE, "integer out of range",
					o_fd, 0, -1, false, false }, &fd,
		     "backing-fd: value -1 out of range 0..2147483647 (Numerical result out of range)",
		     "a signed range: the value and the bounds are signed");
	ack_pol_case(&r, &(struct ack){ -EINVAL,
					"Attribute failed policy validation",
					r.o_name, 0, -1, false, false }, &name,
		     "name: too long (32 characters, at most 31) (Invalid argument)",
		     "a string past its maximum length: its length and the maximum");
	ack_pol_case(&r, &(struct ack){ -EINVAL,
					"Attribute failed policy validation",
					r.o_name, 0, -1, false, false }, &name2,
		     "name: too long (32 characters, at most 31) (Invalid argument)",
		     "a minimum length as well does not change it");
	ack_pol_case(&r, &(struct ack){ -EINVAL,
					"Attribute failed policy validation",
					r.o_name, 0, -1, false, false }, &name3,
		     "name: too short (32 characters, at least 33) (Invalid argument)",
		     "a string below its minimum length");
	ack_pol_case(&r, &(struct ack){ -EINVAL, "invalid attribute length",
					o_fd, 0, -1, false, false }, &rate,
		     "backing-fd: invalid attribute length (Invalid argument)",
		     "bounds the value keeps: the kernel's message, no range");
	nlmsg_free(r.m);
}

/* ---- decoding replies ---- */

static struct nl_msg *dev_reply(int nqueues)
{
	struct nl_msg *m = genl(VBLK_CMD_DEV_GET);
	struct nlattr *n;

	nla_put_u32(m, VBLK_A_DEV_ID, 7);
	nla_put_string(m, VBLK_A_DEV_NAME, "disk-0");
	nla_put_string(m, VBLK_A_DEV_BACKING_PATH, "/tmp/a.img");
	nla_put_u32(m, VBLK_A_DEV_CAPACITY, 1 << 20);	/* uint: 4 bytes */
	nla_put_u8(m, VBLK_A_DEV_READ_ONLY, 1);
	nla_put_string(m, VBLK_A_DEV_SERIAL, "SER");
	nla_put_u8(m, VBLK_A_DEV_VMM_ATTACHED, 0);
	nla_put_u32(m, VBLK_A_DEV_STATUS, 0xf);
	nla_put_u64(m, VBLK_A_DEV_FEATURES, 1ULL << 32);
	nla_put_u64(m, VBLK_A_DEV_DEVICE_FEATURES, (1ULL << 32) | 0x20);
	nla_put_u32(m, VBLK_A_DEV_QUEUES, (uint32_t)nqueues);
	for (int q = 0; q < nqueues; q++) {
		n = nla_nest_start(m, VBLK_A_DEV_QUEUE);
		nla_put_u32(m, VBLK_A_QUEUE_INDEX, (uint32_t)q);
		nla_put_u32(m, VBLK_A_QUEUE_SIZE, 128);
		nla_put_u8(m, VBLK_A_QUEUE_READY, 1);
		nla_put_u8(m, VBLK_A_QUEUE_BROKEN, q == 1);
		nla_put_u8(m, VBLK_A_QUEUE_THROTTLED, 0);
		nla_put_u16(m, VBLK_A_QUEUE_LAST_AVAIL_IDX, 65535);
		nla_put_u16(m, VBLK_A_QUEUE_USED_IDX, (uint16_t)(10 + q));
		nla_nest_end(m, n);
	}
	n = nla_nest_start(m, VBLK_A_DEV_STATS);
	for (int i = 1; i <= VBLK_A_STATS_MAX; i++)
		nla_put_u64(m, i, 1000ULL * i);
	nla_nest_end(m, n);
	n = nla_nest_start(m, VBLK_A_DEV_THROTTLE);
	nla_put_u64(m, VBLK_A_THROTTLE_IOPS, 100);
	nla_put_u64(m, VBLK_A_THROTTLE_IOPS_BURST, 200);
	nla_nest_end(m, n);
	nla_put_u32(m, 99, 1);	/* from a newer kernel: ignored */
	return m;
}

static void decode_dev(void)
{
	struct vnl_dev *d = malloc(sizeof(*d));
	struct nl_msg *m = dev_reply(2);
	struct nlattr *n;
	int ret;

	ret = vnl_parse_dev(nlmsg_hdr(m), d);
	ok(!ret && d->id == 7 && !strcmp(d->name, "disk-0") &&
	   !strcmp(d->backing_path, "/tmp/a.img") && d->capacity == 1 << 20 &&
	   d->read_only == 1 && !strcmp(d->serial, "SER") && !d->vmm_attached &&
	   d->status == 0xf && d->features == 1ULL << 32 &&
	   d->device_features == ((1ULL << 32) | 0x20),
	   "device fields (%d)", ret);
	ok(d->queues == 2 && d->nqueue == 2 && d->queue[1].index == 1 &&
	   d->queue[1].broken && !d->queue[0].broken &&
	   d->queue[0].last_avail_idx == 65535 && d->queue[1].used_idx == 11,
	   "every queue nest, in order");
	ok(d->has_stats && d->st.reads_completed == 1000 &&
	   d->stats[VBLK_A_STATS_IO_ERRORS] == 6000 &&
	   d->st.invalid_avail_idx_count == 9000,
	   "counters by name and by attribute");
	ok(d->throttle.iops == 100 && d->thr[VBLK_A_THROTTLE_IOPS_BURST] == 200 &&
	   !d->throttle.bps && d->has[VBLK_A_DEV_THROTTLE] &&
	   d->has[VBLK_A_DEV_QUEUES] && !d->has[VBLK_A_DEV_BACKING_FD],
	   "throttle and presence flags");
	nlmsg_free(m);

	m = dev_reply(VBLK_QUEUES_MAX + 1);
	ok(vnl_parse_dev(nlmsg_hdr(m), d) == -EPROTO, "17 queue nests: -EPROTO");
	nlmsg_free(m);

	m = dev_reply(1);
	nla_put_u16(m, VBLK_A_DEV_CAPACITY, 1);
	ok(vnl_parse_dev(nlmsg_hdr(m), d) == -EPROTO, "a 2-byte uint: -EPROTO");
	nlmsg_free(m);

	m = dev_reply(1);
	nla_put_u32(m, VBLK_A_DEV_READ_ONLY, 1);
	ok(vnl_parse_dev(nlmsg_hdr(m), d) == -EPROTO, "a u8 sent as u32: -EPROTO");
	nlmsg_free(m);

	m = dev_reply(1);
	nla_put(m, VBLK_A_DEV_NAME, 4, "abcd");
	ok(vnl_parse_dev(nlmsg_hdr(m), d) == -EPROTO, "a name without NUL: -EPROTO");
	nlmsg_free(m);

	m = dev_reply(1);
	n = nla_nest_start(m, VBLK_A_DEV_STATS);
	nla_put_u8(m, VBLK_A_STATS_IO_ERRORS, 1);
	nla_nest_end(m, n);
	ok(vnl_parse_dev(nlmsg_hdr(m), d) == -EPROTO, "a 1-byte counter: -EPROTO");
	nlmsg_free(m);

	m = genl(VBLK_CMD_DEV_GET);
	nla_put_string(m, VBLK_A_DEV_NAME, "x");
	n = nla_nest_start(m, VBLK_A_DEV_STATS);
	nla_put_u64(m, VBLK_A_STATS_IO_ERRORS, 1);
	nla_nest_end(m, n);
	ok(vnl_parse_dev(nlmsg_hdr(m), d) == -EPROTO, "no id: -EPROTO");
	nla_put_u32(m, VBLK_A_DEV_ID, 1);
	ok(!vnl_parse_dev(nlmsg_hdr(m), d) && !d->has_stats && d->st.io_errors == 1,
	   "an incomplete counter nest is not has_stats");
	nlmsg_free(m);
	free(d);
}

static void decode_event(void)
{
	struct nl_msg *m = genl(VBLK_CMD_EVENT_NTF);
	struct vnl_event ev;

	nla_put_u32(m, VBLK_A_EVENT_TYPE, VBLK_EVENT_TYPE_THROTTLE_START);
	nla_put_u32(m, VBLK_A_EVENT_DEV_ID, 3);
	nla_put_string(m, VBLK_A_EVENT_DEV_NAME, "d3");
	ok(!vnl_parse_event(nlmsg_hdr(m), &ev) && ev.queue == -1 &&
	   ev.dev_id == 3 && !strcmp(ev.dev_name, "d3") &&
	   ev.type == VBLK_EVENT_TYPE_THROTTLE_START, "event without a queue");
	nla_put_u32(m, VBLK_A_EVENT_QUEUE, 0);
	ok(!vnl_parse_event(nlmsg_hdr(m), &ev) && ev.queue == 0,
	   "event with queue 0");
	nlmsg_free(m);
	m = genl(VBLK_CMD_EVENT_NTF);
	nla_put_u32(m, VBLK_A_EVENT_TYPE, VBLK_EVENT_TYPE_ADD);
	nla_put_u32(m, VBLK_A_EVENT_DEV_ID, 3);
	ok(vnl_parse_event(nlmsg_hdr(m), &ev) == -EPROTO, "event without a name");
	nlmsg_free(m);
}

static void requests(void)
{
	struct nl_msg *m = genl(VBLK_CMD_DEV_ADD);
	struct vnl_add a = VNL_ADD("d", 5);
	struct nlmsghdr *h;
	struct nlattr *t;

	a.has_queues = true;
	a.queues = 0;
	a.throttle = true;
	ok(!vnl_put_add(m, &a), "dev-add request built");
	h = nlmsg_hdr(m);
	t = nlmsg_find_attr(h, GENL_HDRLEN, VBLK_A_DEV_THROTTLE);
	ok(nlmsg_find_attr(h, GENL_HDRLEN, VBLK_A_DEV_QUEUES) &&
	   nla_get_u32(nlmsg_find_attr(h, GENL_HDRLEN, VBLK_A_DEV_QUEUES)) == 0 &&
	   nla_len(nlmsg_find_attr(h, GENL_HDRLEN, VBLK_A_DEV_BACKING_FD)) == 4 &&
	   !nlmsg_find_attr(h, GENL_HDRLEN, VBLK_A_DEV_CAPACITY) &&
	   !nlmsg_find_attr(h, GENL_HDRLEN, VBLK_A_DEV_READ_ONLY) &&
	   t && nla_len(t) == 0,
	   "queues 0 is sent, unset fields are not, an empty throttle nest is kept");
	nlmsg_free(m);
}

int main(void)
{
	printf("TAP version 13\n");
	spec_names();
	find_attr();
	acks();
	policy_acks();
	decode_dev();
	decode_event();
	requests();
	return unit_done();
}
