// SPDX-License-Identifier: GPL-2.0
/*
 * vnl: socket, transactions and extended acks of the "vblk" family
 * (see vnl.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "vnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* A failure found here rather than reported by the kernel. */
static int vnl_fail(struct vnl *v, int err, const char *msg)
{
	v->err = err;
	v->from_kernel = false;
	snprintf(v->msg, sizeof(v->msg), "%s", msg);
	return err;
}

static void vnl_reset(struct vnl *v)
{
	v->err = 0;
	v->from_kernel = false;
	v->msg[0] = '\0';
	v->miss_type = 0;
	v->miss_set = VNL_ATTRS_NONE;
	v->bad_attr = false;
	v->bad_off = 0;
	v->bad_type = 0;
	v->bad_set = VNL_ATTRS_NONE;
	v->has_range = false;
	v->range_signed = false;
	v->range_min = v->range_max = 0;
	v->has_len = false;
	v->len_min = v->len_max = 0;
	v->dump_intr = false;
}

int vnl_open(struct vnl *v)
{
	int one = 1;

	memset(v, 0, sizeof(*v));
	v->sk = nl_socket_alloc();
	if (!v->sk)
		return vnl_fail(v, -ENOMEM, "cannot allocate a netlink socket");
	if (genl_connect(v->sk)) {
		vnl_close(v);
		return vnl_fail(v, -EIO, "cannot open a generic netlink socket");
	}
	/* Extended acks (message, offsets); no copy of the request back. */
	setsockopt(nl_socket_get_fd(v->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(v->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	v->family = genl_ctrl_resolve(v->sk, VBLK_FAMILY_NAME);
	if (v->family < 0) {
		vnl_close(v);
		return vnl_fail(v, -ENOENT,
				"no \"" VBLK_FAMILY_NAME "\" generic netlink family");
	}
	return 0;
}

void vnl_close(struct vnl *v)
{
	if (v->sk)
		nl_socket_free(v->sk);
	v->sk = NULL;
	free(v->req);
	v->req = NULL;
	v->req_len = 0;
}

int vnl_family_version(struct vnl *v)
{
	struct nl_cache *cache = NULL;
	struct genl_family *f;
	int ver;

	if (genl_ctrl_alloc_cache(v->sk, &cache))
		return vnl_fail(v, -EIO, "cannot list generic netlink families");
	f = genl_ctrl_search_by_name(cache, VBLK_FAMILY_NAME);
	ver = f ? genl_family_get_version(f) : -ENOENT;
	if (f)
		genl_family_put(f);
	nl_cache_free(cache);
	return ver;
}

struct nl_msg *vnl_msg(struct vnl *v, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, v->family, 0,
				flags, cmd, VBLK_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int vnl_send(struct vnl *v, struct nl_msg *msg)
{
	struct nlmsghdr *nlh;
	int ret;

	vnl_reset(v);
	if (!msg)
		return vnl_fail(v, -ENOMEM, "out of memory");
	ret = nl_send_auto(v->sk, msg);
	if (ret < 0) {
		nlmsg_free(msg);
		return vnl_fail(v, -EIO, nl_geterror(ret));
	}
	/* Sent with its sequence number: keep it to resolve error offsets. */
	nlh = nlmsg_hdr(msg);
	free(v->req);
	v->req = malloc(nlh->nlmsg_len);
	v->req_len = v->req ? nlh->nlmsg_len : 0;
	if (v->req)
		memcpy(v->req, nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
	return 0;
}

/* ---- extended acks ---- */

/* The attribute set a request's top-level attributes belong to. */
static enum vnl_attrs vnl_req_set(const void *req, size_t len)
{
	const struct genlmsghdr *g;

	if (len < NLMSG_HDRLEN + GENL_HDRLEN)
		return VNL_ATTRS_NONE;
	g = (const struct genlmsghdr *)((const char *)req + NLMSG_HDRLEN);
	switch (g->cmd) {
	case VBLK_CMD_EVENT_NTF:
		return VNL_ATTRS_EVENT;
	case VBLK_CMD_GROUP_ADD:
	case VBLK_CMD_GROUP_DEL:
	case VBLK_CMD_GROUP_GET:
	case VBLK_CMD_GROUP_SET:
		return VNL_ATTRS_GROUP;
	}
	return VNL_ATTRS_DEV;
}

static int vnl_find_in(const char *buf, size_t start, size_t end, uint32_t off,
		       enum vnl_attrs set, uint32_t *type, enum vnl_attrs *in)
{
	size_t pos = start;

	while (pos + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)(buf + pos);
		size_t alen = a->nla_len;
		unsigned int t = a->nla_type & NLA_TYPE_MASK;
		enum vnl_attrs nest;

		if (alen < NLA_HDRLEN || pos + alen > end)
			return -ENOENT;
		if (off == pos) {
			*type = t;
			*in = set;
			return 0;
		}
		nest = vnl_attr_nest(set, t);
		if (off > pos && off < pos + alen && nest != VNL_ATTRS_NONE)
			return vnl_find_in(buf, pos + NLA_HDRLEN, pos + alen, off,
					   nest, type, in);
		pos += NLA_ALIGN(alen);
	}
	return -ENOENT;
}

int vnl_find_attr(const void *req, size_t len, uint32_t off, uint32_t *type,
		  enum vnl_attrs *set)
{
	const struct nlmsghdr *nlh = req;

	if (!req || len < NLMSG_HDRLEN + GENL_HDRLEN || nlh->nlmsg_len < len)
		return -ENOENT;
	return vnl_find_in(req, NLMSG_HDRLEN + GENL_HDRLEN, len, off,
			   vnl_req_set(req, len), type, set);
}

/* A u64 policy bound, or false if @a is absent or not 8 bytes. */
static bool vnl_pol_u64(const struct nlattr *a, uint64_t *val)
{
	if (!a || nla_len(a) != 8)
		return false;
	*val = nla_get_u64((struct nlattr *)a);
	return true;
}

static bool vnl_pol_u32(const struct nlattr *a, uint32_t *val)
{
	if (!a || nla_len(a) != 4)
		return false;
	*val = nla_get_u32((struct nlattr *)a);
	return true;
}

/* The bounds of NLMSGERR_ATTR_POLICY (an integer range, a length). */
static void vnl_parse_policy(struct vnl *v, struct nlattr *pol)
{
	struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];

	if (nla_parse_nested(tb, NL_POLICY_TYPE_ATTR_MAX, pol, NULL))
		return;
	if (vnl_pol_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U], &v->range_min) &&
	    vnl_pol_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U], &v->range_max))
		v->has_range = true;
	else if (vnl_pol_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_S], &v->range_min) &&
		 vnl_pol_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_S], &v->range_max))
		v->has_range = v->range_signed = true;
	if (vnl_pol_u32(tb[NL_POLICY_TYPE_ATTR_MIN_LENGTH], &v->len_min) |
	    vnl_pol_u32(tb[NL_POLICY_TYPE_ATTR_MAX_LENGTH], &v->len_max))
		v->has_len = true;
}

void vnl_parse_ack(struct vnl *v, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	if (nlh->nlmsg_len < off)
		return;
	v->err = e->error > 0 ? -e->error : e->error;
	v->from_kernel = true;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Without NETLINK_CAP_ACK the request follows; skip it. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (off >= nlh->nlmsg_len ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(v->msg, tb[NLMSGERR_ATTR_MSG], sizeof(v->msg));
	if (tb[NLMSGERR_ATTR_MISS_TYPE] && nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) == 4) {
		v->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
		v->miss_set = vnl_req_set(v->req, v->req_len);
	}
	if (tb[NLMSGERR_ATTR_MISS_NEST] && nla_len(tb[NLMSGERR_ATTR_MISS_NEST]) == 4) {
		uint32_t t;
		enum vnl_attrs s;

		if (!vnl_find_attr(v->req, v->req_len,
				   nla_get_u32(tb[NLMSGERR_ATTR_MISS_NEST]), &t, &s))
			v->miss_set = vnl_attr_nest(s, t);
	}
	if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) == 4) {
		v->bad_attr = true;
		v->bad_off = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
		if (vnl_find_attr(v->req, v->req_len, v->bad_off, &v->bad_type,
				  &v->bad_set))
			v->bad_type = 0;
	}
	if (tb[NLMSGERR_ATTR_POLICY])
		vnl_parse_policy(v, tb[NLMSGERR_ATTR_POLICY]);
}

/* Whether @msg already starts with "@name:". */
static bool vnl_named(const char *msg, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(msg, name, n) && msg[n] == ':';
}

/*
 * Whether @msg names attribute @type of @set ("@name: ...") or, for a nest,
 * one of its members: the kernel points at the throttle nest for
 * "bps-burst: below bps".
 */
static bool vnl_names_attr(const char *msg, const char *name,
			   enum vnl_attrs set, unsigned int type)
{
	enum vnl_attrs nest = vnl_attr_nest(set, type);
	const char *member;

	if (vnl_named(msg, name))
		return true;
	for (unsigned int t = 1; nest != VNL_ATTRS_NONE && t < 256; t++) {
		member = vnl_attr_name(nest, t);
		if (member && vnl_named(msg, member))
			return true;
	}
	return false;
}

/* The attribute of the request the kernel pointed at, NULL if none. */
static const struct nlattr *vnl_bad_nla(const struct vnl *v)
{
	const struct nlattr *a;

	if (!v->bad_attr || !v->bad_type || !v->req ||
	    (size_t)v->bad_off + NLA_HDRLEN > v->req_len)
		return NULL;
	a = (const struct nlattr *)((const char *)v->req + v->bad_off);
	if (a->nla_len < NLA_HDRLEN || v->bad_off + a->nla_len > v->req_len)
		return NULL;
	return a;
}

/* The integer in @a (1, 2, 4 or 8 bytes), sign-extended if @sgn. */
static bool vnl_nla_int(const struct nlattr *a, bool sgn, uint64_t *val)
{
	const void *p = nla_data(a);
	unsigned int bits = 8 * (unsigned int)nla_len(a);
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	switch (bits) {
	case 8:
		memcpy(&u8, p, 1);
		*val = u8;
		break;
	case 16:
		memcpy(&u16, p, 2);
		*val = u16;
		break;
	case 32:
		memcpy(&u32, p, 4);
		*val = u32;
		break;
	case 64:
		memcpy(val, p, 8);
		break;
	default:
		return false;
	}
	if (sgn && bits < 64 && (*val >> (bits - 1)) & 1)
		*val |= ~0ULL << bits;
	return true;
}

/*
 * What the policy's bounds refused in @a: "value 17 out of range 1..16",
 * "too long (21 characters, at most 20)"; "" unless @a breaks them.
 */
static void vnl_policy_text(const struct vnl *v, const struct nlattr *a,
			    char *buf, size_t n)
{
	uint64_t x;
	size_t len;

	buf[0] = '\0';
	if (!a)
		return;
	if (v->has_range && v->range_signed && vnl_nla_int(a, true, &x) &&
	    ((int64_t)x < (int64_t)v->range_min ||
	     (int64_t)x > (int64_t)v->range_max))
		snprintf(buf, n, "value %lld out of range %lld..%lld",
			 (long long)x, (long long)v->range_min,
			 (long long)v->range_max);
	else if (v->has_range && !v->range_signed && vnl_nla_int(a, false, &x) &&
		 (x < v->range_min || x > v->range_max))
		snprintf(buf, n, "value %llu out of range %llu..%llu",
			 (unsigned long long)x,
			 (unsigned long long)v->range_min,
			 (unsigned long long)v->range_max);
	if (buf[0] || !v->has_len)
		return;
	len = strnlen(nla_data(a), (size_t)nla_len(a));
	if (v->len_max && len > v->len_max)
		snprintf(buf, n, "too long (%zu characters, at most %u)", len,
			 v->len_max);
	else if (len < v->len_min)
		snprintf(buf, n, "too short (%zu characters, at least %u)", len,
			 v->len_min);
}

const char *vnl_error(struct vnl *v)
{
	const char *name = NULL, *msg = v->msg;
	enum vnl_attrs set = VNL_ATTRS_NONE;
	unsigned int type = 0;
	char range[64] = "", pol[96];
	const struct nlattr *bad;
	size_t n;

	if (!v->err)
		return "";
	if (!v->from_kernel)
		return msg[0] ? msg : strerror(-v->err);
	if (v->bad_attr && v->bad_type) {
		set = v->bad_set;
		type = v->bad_type;
	} else if (v->miss_type) {
		set = v->miss_set;
		type = v->miss_type;
	}
	if (type)
		name = vnl_attr_name(set, type);
	if (!msg[0])
		msg = v->miss_type ? "missing" : NULL;
	/* The policy's bounds and the value say more than its message. */
	bad = vnl_bad_nla(v);
	vnl_policy_text(v, bad, pol, sizeof(pol));
	if (pol[0])
		msg = pol;
	if (!msg) {
		snprintf(v->text, sizeof(v->text), "%s", strerror(-v->err));
		return v->text;
	}
	/* Without the value, the range is all there is to tell. */
	if (v->has_range && !bad && !v->range_signed)
		snprintf(range, sizeof(range), ", allowed %llu..%llu",
			 (unsigned long long)v->range_min,
			 (unsigned long long)v->range_max);
	n = 0;
	if (name && !vnl_names_attr(msg, name, set, type))
		n = snprintf(v->text, sizeof(v->text), "%s: ", name);
	else if (!name && v->bad_attr && v->bad_type)
		n = snprintf(v->text, sizeof(v->text), "attribute %u: ",
			     v->bad_type);
	snprintf(v->text + n, sizeof(v->text) - n, "%s%s (%s)", msg, range,
		 strerror(-v->err));
	return v->text;
}

/* ---- receiving ---- */

struct vnl_tx {
	struct vnl *v;
	int (*cb)(struct nl_msg *msg, void *arg);
	void *arg;
	bool done;
	bool cb_failed;
};

static int vnl_err_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct vnl_tx *tx = arg;

	(void)who;
	vnl_parse_ack(tx->v, (const struct nlmsghdr *)((const char *)e -
						       NLMSG_HDRLEN));
	tx->done = true;
	return NL_STOP;
}

static int vnl_ack_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_tx *tx = arg;

	(void)msg;
	tx->done = true;
	return NL_STOP;
}

/* The end of a dump; a dump that failed carries its errno there. */
static int vnl_finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct vnl_tx *tx = arg;
	int err;

	tx->done = true;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0) {
			tx->v->err = err;
			tx->v->from_kernel = true;
		}
	}
	return NL_STOP;
}

static int vnl_valid_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_tx *tx = arg;

	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		tx->v->dump_intr = true;
	if (tx->cb && tx->cb(msg, tx->arg))
		tx->cb_failed = true;
	return NL_OK;
}

static int vnl_intr_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_tx *tx = arg;

	(void)msg;
	tx->v->dump_intr = true;
	return NL_OK;
}

int vnl_recv(struct vnl *v, int (*cb)(struct nl_msg *msg, void *arg),
	     void *arg)
{
	struct vnl_tx tx = { .v = v, .cb = cb, .arg = arg };
	struct nl_cb *c;
	int ret;

	c = nl_cb_alloc(NL_CB_DEFAULT);
	if (!c)
		return vnl_fail(v, -ENOMEM, "out of memory");
	nl_cb_err(c, NL_CB_CUSTOM, vnl_err_cb, &tx);
	nl_cb_set(c, NL_CB_ACK, NL_CB_CUSTOM, vnl_ack_cb, &tx);
	nl_cb_set(c, NL_CB_FINISH, NL_CB_CUSTOM, vnl_finish_cb, &tx);
	nl_cb_set(c, NL_CB_VALID, NL_CB_CUSTOM, vnl_valid_cb, &tx);
	nl_cb_set(c, NL_CB_DUMP_INTR, NL_CB_CUSTOM, vnl_intr_cb, &tx);
	while (!tx.done) {
		ret = nl_recvmsgs(v->sk, c);
		if (ret < 0 && !tx.done) {
			nl_cb_put(c);
			return vnl_fail(v, -EIO, nl_geterror(ret));
		}
	}
	nl_cb_put(c);
	if (!v->err && tx.cb_failed)
		return vnl_fail(v, -EPROTO, "malformed reply from the kernel");
	return v->err;
}

int vnl_xfer(struct vnl *v, struct nl_msg *msg,
	     int (*cb)(struct nl_msg *msg, void *arg), void *arg)
{
	int ret = vnl_send(v, msg);

	return ret ? ret : vnl_recv(v, cb, arg);
}
