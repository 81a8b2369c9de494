// SPDX-License-Identifier: GPL-2.0
/*
 * vnl: device and event records, the family's requests, the monitor
 * (see vnl.h).
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "vnl.h"

/* The named fields and the attribute-indexed arrays are the same memory. */
_Static_assert(offsetof(struct vnl_dev, st.io_errors) ==
	       offsetof(struct vnl_dev, stats[VBLK_A_STATS_IO_ERRORS]),
	       "stats layout");
_Static_assert(offsetof(struct vnl_dev, st.bytes_zeroed) ==
	       offsetof(struct vnl_dev, stats[VBLK_A_STATS_MAX]),
	       "stats layout");
_Static_assert(offsetof(struct vnl_dev, throttle.bps_write_burst) ==
	       offsetof(struct vnl_dev, thr[VBLK_A_THROTTLE_MAX]),
	       "throttle layout");
_Static_assert(offsetof(struct vnl_dev, throttle.iops) ==
	       offsetof(struct vnl_dev, thr[VBLK_A_THROTTLE_IOPS]),
	       "throttle layout");

/* ---- decoding: every attribute must have its spec's size ---- */

enum vnl_kind { VNL_U8, VNL_U16, VNL_U32, VNL_UINT, VNL_STR };

/* An attribute decoded into the member at @off (of @size bytes) of a record. */
struct vnl_field {
	uint16_t type;
	uint8_t kind;
	size_t off;
	size_t size;
};

#define VNL_FIELD(rec, attr, kind, member)				\
	{ attr, kind, offsetof(struct rec, member),			\
	  sizeof(((struct rec *)0)->member) }

static const struct vnl_field vnl_queue_fields[] = {
	VNL_FIELD(vnl_queue, VBLK_A_QUEUE_INDEX, VNL_U32, index),
	VNL_FIELD(vnl_queue, VBLK_A_QUEUE_SIZE, VNL_U32, size),
	VNL_FIELD(vnl_queue, VBLK_A_QUEUE_READY, VNL_U8, ready),
	VNL_FIELD(vnl_queue, VBLK_A_QUEUE_BROKEN, VNL_U8, broken),
	VNL_FIELD(vnl_queue, VBLK_A_QUEUE_THROTTLED, VNL_U8, throttled),
	VNL_FIELD(vnl_queue, VBLK_A_QUEUE_LAST_AVAIL_IDX, VNL_U16, last_avail_idx),
	VNL_FIELD(vnl_queue, VBLK_A_QUEUE_USED_IDX, VNL_U16, used_idx),
	VNL_FIELD(vnl_queue, VBLK_A_QUEUE_REQUESTS, VNL_UINT, requests),
	VNL_FIELD(vnl_queue, VBLK_A_QUEUE_BYTES, VNL_UINT, bytes),
	VNL_FIELD(vnl_queue, VBLK_A_QUEUE_INFLIGHT_PEAK, VNL_U32, inflight_peak),
	{ 0 },
};

static const struct vnl_field vnl_dev_fields[] = {
	VNL_FIELD(vnl_dev, VBLK_A_DEV_ID, VNL_U32, id),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_NAME, VNL_STR, name),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_BACKING_PATH, VNL_STR, backing_path),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_CAPACITY, VNL_UINT, capacity),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_READ_ONLY, VNL_U8, read_only),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_SERIAL, VNL_STR, serial),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_VMM_ATTACHED, VNL_U8, vmm_attached),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_STATUS, VNL_U32, status),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_FEATURES, VNL_UINT, features),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_DEVICE_FEATURES, VNL_UINT, device_features),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_QUEUES, VNL_U32, queues),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_CACHE, VNL_U32, cache),
	VNL_FIELD(vnl_dev, VBLK_A_DEV_GROUP, VNL_STR, group),
	{ 0 },
};

static const struct vnl_field vnl_event_fields[] = {
	VNL_FIELD(vnl_event, VBLK_A_EVENT_TYPE, VNL_U32, type),
	VNL_FIELD(vnl_event, VBLK_A_EVENT_DEV_ID, VNL_U32, dev_id),
	VNL_FIELD(vnl_event, VBLK_A_EVENT_DEV_NAME, VNL_STR, dev_name),
	{ 0 },
};

/*
 * Decode @a into its member of @rec if @fields has its type: 0, 1 if it
 * has not, -EPROTO if @a has not its spec's size (a string: no NUL, or
 * longer than its member).
 */
static int vnl_decode(const struct nlattr *a, const struct vnl_field *fields,
		      void *rec)
{
	const struct vnl_field *f = fields;
	size_t len = (size_t)nla_len(a);
	char *dst;

	while (f->type && f->type != nla_type(a))
		f++;
	if (!f->type)
		return 1;
	dst = (char *)rec + f->off;
	switch (f->kind) {
	case VNL_U8:
	case VNL_U16:
	case VNL_U32:
		if (len != f->size)
			return -EPROTO;
		memcpy(dst, nla_data(a), len);
		return 0;
	case VNL_UINT:		/* 4 or 8 bytes */
		if (len != 4 && len != 8)
			return -EPROTO;
		*(uint64_t *)dst = len == 8 ? nla_get_u64(a) : nla_get_u32(a);
		return 0;
	default:
		if (!len || len > f->size || !memchr(nla_data(a), '\0', len))
			return -EPROTO;
		memcpy(dst, nla_data(a), len);
		return 0;
	}
}

static int vnl_parse_queue(const struct nlattr *nest, struct vnl_queue *q)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem)
		if (vnl_decode(a, vnl_queue_fields, q) < 0)
			return -EPROTO;
	return 0;
}

int vnl_parse_uints(const struct nlattr *nest, uint64_t *vals, int max)
{
	struct nlattr *a;
	int rem, n = 0;

	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		if (t < 1 || t > max)
			continue;
		if (nla_len(a) != 4 && nla_len(a) != 8)
			return -EPROTO;
		vals[t] = nla_len(a) == 8 ? nla_get_u64(a) : nla_get_u32(a);
		n++;
	}
	return n;
}

static const struct vnl_field vnl_hist_fields[] = {
	VNL_FIELD(vnl_hist, VBLK_A_LATENCY_OP, VNL_U32, op),
	VNL_FIELD(vnl_hist, VBLK_A_LATENCY_KIND, VNL_U32, kind),
	VNL_FIELD(vnl_hist, VBLK_A_LATENCY_SUM_NS, VNL_UINT, sum_ns),
	{ 0 },
};

static int vnl_parse_hist(const struct nlattr *nest, struct vnl_hist *h)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		int n = vnl_decode(a, vnl_hist_fields, h);

		if (n < 0)
			return -EPROTO;
		if (nla_type(a) != VBLK_A_LATENCY_BUCKET)
			continue;
		if ((nla_len(a) != 4 && nla_len(a) != 8) ||
		    h->nb >= VBLK_LATENCY_BUCKETS)
			return -EPROTO;
		h->b[h->nb++] = nla_len(a) == 8 ? nla_get_u64(a) : nla_get_u32(a);
	}
	return 0;
}

const struct vnl_hist *vnl_dev_hist(const struct vnl_dev *d, uint32_t op,
				    uint32_t kind)
{
	for (unsigned int i = 0; i < d->nlat; i++)
		if (d->lat[i].op == op && d->lat[i].kind == kind)
			return &d->lat[i];
	return NULL;
}

static int vnl_parse_dev_attr(const struct nlattr *a, struct vnl_dev *d)
{
	int n = vnl_decode(a, vnl_dev_fields, d);

	if (n <= 0)
		return n;
	switch (nla_type(a)) {
	case VBLK_A_DEV_QUEUE:
		if (d->nqueue >= VBLK_QUEUES_MAX)
			return -EPROTO;
		return vnl_parse_queue(a, &d->queue[d->nqueue++]);
	case VBLK_A_DEV_LATENCY:
		if (d->nlat >= VNL_HIST_MAX)
			return 0;	/* more than we keep: ignored */
		return vnl_parse_hist(a, &d->lat[d->nlat++]);
	case VBLK_A_DEV_STATS:
		n = vnl_parse_uints(a, d->stats, VBLK_A_STATS_MAX);
		d->has_stats = n == VBLK_A_STATS_MAX;
		return n < 0 ? n : 0;
	case VBLK_A_DEV_THROTTLE:
		n = vnl_parse_uints(a, d->thr, VBLK_A_THROTTLE_MAX);
		return n < 0 ? n : 0;
	}
	return 0;	/* newer than this library: ignored */
}

int vnl_parse_dev(const struct nlmsghdr *nlh, struct vnl_dev *d)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *a;
	int rem;

	memset(d, 0, sizeof(*d));
	if (!genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0))
		return -EPROTO;
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		int t = nla_type(a);

		if (vnl_parse_dev_attr(a, d))
			return -EPROTO;
		if (t > 0 && t <= VBLK_A_DEV_MAX)
			d->has[t] = true;
	}
	return d->has[VBLK_A_DEV_ID] && d->has[VBLK_A_DEV_NAME] ? 0 : -EPROTO;
}

int vnl_parse_event(const struct nlmsghdr *nlh, struct vnl_event *ev)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	bool seen[VBLK_A_EVENT_MAX + 1] = { false };
	struct nlattr *a;
	int rem;

	memset(ev, 0, sizeof(*ev));
	ev->queue = -1;
	if (!genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0))
		return -EPROTO;
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		int t = nla_type(a), r = vnl_decode(a, vnl_event_fields, ev);

		if (r < 0)
			return r;
		if (t == VBLK_A_EVENT_QUEUE) {
			if (nla_len(a) != 4)
				return -EPROTO;
			ev->queue = nla_get_u32(a);
		}
		if (t > 0 && t <= VBLK_A_EVENT_MAX)
			seen[t] = true;
	}
	return seen[VBLK_A_EVENT_TYPE] && seen[VBLK_A_EVENT_DEV_ID] &&
	       seen[VBLK_A_EVENT_DEV_NAME] ? 0 : -EPROTO;
}

/* ---- requests ---- */

int vnl_put_throttle(struct nl_msg *msg, const uint64_t *thr, const bool *set)
{
	return vnl_put_throttle_as(msg, VBLK_A_DEV_THROTTLE, thr, set);
}

int vnl_put_throttle_as(struct nl_msg *msg, int type, const uint64_t *thr,
			const bool *set)
{
	struct nlattr *nest = nla_nest_start(msg, type);

	if (!nest)
		return -ENOMEM;
	for (int i = 1; i <= VBLK_A_THROTTLE_MAX; i++)
		if (set[i] && nla_put_u64(msg, i, thr[i]))
			return -ENOMEM;
	/* An empty nest means "no limits": keep it (nla_nest_end drops it). */
	nla_nest_end_keep_empty(msg, nest);
	return 0;
}

int vnl_put_add(struct nl_msg *msg, const struct vnl_add *a)
{
	if ((a->name && nla_put_string(msg, VBLK_A_DEV_NAME, a->name)) ||
	    (!a->no_backing_fd &&
	     nla_put_s32(msg, VBLK_A_DEV_BACKING_FD, a->backing_fd)) ||
	    (a->has_capacity &&
	     nla_put_u64(msg, VBLK_A_DEV_CAPACITY, a->capacity)) ||
	    (a->read_only >= 0 &&
	     nla_put_u8(msg, VBLK_A_DEV_READ_ONLY, (uint8_t)a->read_only)) ||
	    (a->serial && nla_put_string(msg, VBLK_A_DEV_SERIAL, a->serial)) ||
	    (a->has_queues && nla_put_u32(msg, VBLK_A_DEV_QUEUES, a->queues)) ||
	    (a->cache >= 0 &&
	     nla_put_u32(msg, VBLK_A_DEV_CACHE, (uint32_t)a->cache)) ||
	    (a->throttle && vnl_put_throttle(msg, a->thr, a->thr_set)))
		return -ENOMEM;
	return 0;
}

static int vnl_dev_cb(struct nl_msg *msg, void *arg)
{
	return vnl_parse_dev(nlmsg_hdr(msg), arg);
}

int vnl_dev_add(struct vnl *v, const struct vnl_add *a, uint32_t *id)
{
	struct nl_msg *msg = vnl_msg(v, VBLK_CMD_DEV_ADD, 0);
	struct vnl_dev *d;
	int ret;

	if (msg && vnl_put_add(msg, a)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		nlmsg_free(msg);
		msg = NULL;
	}
	ret = vnl_xfer(v, msg, vnl_dev_cb, d);
	if (!ret && id)
		*id = d->id;
	free(d);
	return ret;
}

int vnl_dev_set(struct vnl *v, const struct vnl_set *s)
{
	struct nl_msg *msg = vnl_msg(v, VBLK_CMD_DEV_SET, 0);

	if (msg &&
	    ((s->name && nla_put_string(msg, VBLK_A_DEV_NAME, s->name)) ||
	     (!s->name && nla_put_u32(msg, VBLK_A_DEV_ID, s->id)) ||
	     (s->serial && nla_put_string(msg, VBLK_A_DEV_SERIAL, s->serial)) ||
	     (s->has_capacity &&
	      nla_put_u64(msg, VBLK_A_DEV_CAPACITY, s->capacity)) ||
	     (s->group && nla_put_string(msg, VBLK_A_DEV_GROUP, s->group)) ||
	     (s->throttle && vnl_put_throttle(msg, s->thr, s->thr_set)))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return vnl_xfer(v, msg, NULL, NULL);
}

/* A dev-del or dev-get naming its device by @name, or by @id if NULL. */
static struct nl_msg *vnl_msg_dev(struct vnl *v, uint8_t cmd, const char *name,
				  uint32_t id)
{
	struct nl_msg *msg = vnl_msg(v, cmd, 0);

	if (msg && ((name && nla_put_string(msg, VBLK_A_DEV_NAME, name)) ||
		    (!name && nla_put_u32(msg, VBLK_A_DEV_ID, id)))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int vnl_dev_del(struct vnl *v, const char *name, bool force)
{
	struct nl_msg *msg = vnl_msg_dev(v, VBLK_CMD_DEV_DEL, name, 0);

	if (msg && force && nla_put_flag(msg, VBLK_A_DEV_FORCE)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return vnl_xfer(v, msg, NULL, NULL);
}

int vnl_dev_del_id(struct vnl *v, uint32_t id)
{
	return vnl_xfer(v, vnl_msg_dev(v, VBLK_CMD_DEV_DEL, NULL, id), NULL, NULL);
}

int vnl_dev_get(struct vnl *v, const char *name, struct vnl_dev *d)
{
	memset(d, 0, sizeof(*d));
	return vnl_xfer(v, vnl_msg_dev(v, VBLK_CMD_DEV_GET, name, 0), vnl_dev_cb, d);
}

int vnl_dev_get_id(struct vnl *v, uint32_t id, struct vnl_dev *d)
{
	memset(d, 0, sizeof(*d));
	return vnl_xfer(v, vnl_msg_dev(v, VBLK_CMD_DEV_GET, NULL, id), vnl_dev_cb, d);
}

/* A dump into a growing array of records of @size bytes. */
struct vnl_dump {
	char *items;
	int n;
	int cap;
	size_t size;
	int (*parse)(const struct nlmsghdr *nlh, void *rec);
};

static int vnl_dump_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_dump *dp = arg;

	if (dp->n == dp->cap) {
		int cap = dp->cap ? 2 * dp->cap : 64;
		char *p = realloc(dp->items, cap * dp->size);

		if (!p)
			return -ENOMEM;
		dp->items = p;
		dp->cap = cap;
	}
	if (dp->parse(nlmsg_hdr(msg), dp->items + dp->n * dp->size))
		return -EPROTO;
	dp->n++;
	return 0;
}

static int vnl_dump(struct vnl *v, uint8_t cmd, struct vnl_dump *dp,
		    void **items, int *n)
{
	int ret = vnl_xfer(v, vnl_msg(v, cmd, NLM_F_DUMP), vnl_dump_cb, dp);

	if (ret) {
		free(dp->items);
		return ret;
	}
	*items = dp->items;
	*n = dp->n;
	return 0;
}

static int vnl_parse_dev_rec(const struct nlmsghdr *nlh, void *rec)
{
	return vnl_parse_dev(nlh, rec);
}

int vnl_dev_dump(struct vnl *v, struct vnl_dev **devs, int *n)
{
	struct vnl_dump dp = {
		.size = sizeof(**devs), .parse = vnl_parse_dev_rec,
	};

	return vnl_dump(v, VBLK_CMD_DEV_GET, &dp, (void **)devs, n);
}

int vnl_dev_count(struct vnl *v)
{
	struct vnl_dev *devs = NULL;
	int n, ret;

	ret = vnl_dev_dump(v, &devs, &n);
	free(devs);
	return ret ? ret : n;
}

/* ---- limit groups ---- */

static const struct vnl_field vnl_group_fields[] = {
	VNL_FIELD(vnl_group, VBLK_A_GROUP_ID, VNL_U32, id),
	VNL_FIELD(vnl_group, VBLK_A_GROUP_NAME, VNL_STR, name),
	VNL_FIELD(vnl_group, VBLK_A_GROUP_MEMBERS, VNL_U32, members),
	VNL_FIELD(vnl_group, VBLK_A_GROUP_WAITING, VNL_U32, waiting),
	VNL_FIELD(vnl_group, VBLK_A_GROUP_OPS, VNL_UINT, ops),
	VNL_FIELD(vnl_group, VBLK_A_GROUP_BYTES, VNL_UINT, bytes),
	VNL_FIELD(vnl_group, VBLK_A_GROUP_WAITS, VNL_UINT, waits),
	{ 0 },
};

static int vnl_parse_group_attr(const struct nlattr *a, struct vnl_group *g)
{
	int n = vnl_decode(a, vnl_group_fields, g);
	size_t len = (size_t)nla_len(a);

	if (n <= 0)
		return n;
	switch (nla_type(a)) {
	case VBLK_A_GROUP_MEMBER:
		if (g->nmember >= sizeof(g->member) / sizeof(g->member[0]))
			return 0;	/* more than we keep: counted only */
		if (!len || len > VBLK_NAME_MAX || !memchr(nla_data(a), '\0', len))
			return -EPROTO;
		memcpy(g->member[g->nmember++], nla_data(a), len);
		return 0;
	case VBLK_A_GROUP_THROTTLE:
		n = vnl_parse_uints(a, g->thr, VBLK_A_THROTTLE_MAX);
		return n < 0 ? n : 0;
	}
	return 0;	/* newer than this library: ignored */
}

int vnl_parse_group(const struct nlmsghdr *nlh, struct vnl_group *g)
{
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *a;
	int rem;

	memset(g, 0, sizeof(*g));
	if (!genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0))
		return -EPROTO;
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem) {
		int t = nla_type(a);

		if (vnl_parse_group_attr(a, g))
			return -EPROTO;
		if (t > 0 && t <= VBLK_A_GROUP_MAX)
			g->has[t] = true;
	}
	return g->has[VBLK_A_GROUP_ID] && g->has[VBLK_A_GROUP_NAME] ? 0 : -EPROTO;
}

static int vnl_group_cb(struct nl_msg *msg, void *arg)
{
	return vnl_parse_group(nlmsg_hdr(msg), arg);
}

/* A group request naming its group, with the limits if @set is given. */
static struct nl_msg *vnl_msg_group(struct vnl *v, uint8_t cmd, const char *name,
				    const uint64_t *thr, const bool *set)
{
	struct nl_msg *msg = vnl_msg(v, cmd, 0);

	if (msg && (nla_put_string(msg, VBLK_A_GROUP_NAME, name) ||
		    (set && vnl_put_throttle_as(msg, VBLK_A_GROUP_THROTTLE, thr,
						 set)))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int vnl_group_add(struct vnl *v, const char *name, const uint64_t *thr,
		  const bool *set, uint32_t *id)
{
	struct vnl_group *g = calloc(1, sizeof(*g));
	struct nl_msg *msg = vnl_msg_group(v, VBLK_CMD_GROUP_ADD, name, thr,
					   set);
	int ret;

	if (!g) {
		nlmsg_free(msg);
		msg = NULL;
	}
	ret = vnl_xfer(v, msg, vnl_group_cb, g);
	if (!ret && id)
		*id = g->id;
	free(g);
	return ret;
}

int vnl_group_set(struct vnl *v, const char *name, const uint64_t *thr,
		  const bool *set)
{
	return vnl_xfer(v, vnl_msg_group(v, VBLK_CMD_GROUP_SET, name, thr, set),
			NULL, NULL);
}

int vnl_group_del(struct vnl *v, const char *name)
{
	return vnl_xfer(v, vnl_msg_group(v, VBLK_CMD_GROUP_DEL, name, NULL, NULL),
			NULL, NULL);
}

int vnl_group_get(struct vnl *v, const char *name, struct vnl_group *g)
{
	memset(g, 0, sizeof(*g));
	return vnl_xfer(v, vnl_msg_group(v, VBLK_CMD_GROUP_GET, name, NULL, NULL),
			vnl_group_cb, g);
}

static int vnl_parse_group_rec(const struct nlmsghdr *nlh, void *rec)
{
	return vnl_parse_group(nlh, rec);
}

int vnl_group_dump(struct vnl *v, struct vnl_group **groups, int *n)
{
	struct vnl_dump dp = {
		.size = sizeof(**groups), .parse = vnl_parse_group_rec,
	};

	return vnl_dump(v, VBLK_CMD_GROUP_GET, &dp, (void **)groups, n);
}

/* ---- monitor ---- */

int vnl_monitor_join(struct vnl *v)
{
	int grp = genl_ctrl_resolve_grp(v->sk, VBLK_FAMILY_NAME,
					VBLK_MCGRP_MONITOR);

	if (grp < 0)
		return -ENOENT;
	nl_socket_disable_seq_check(v->sk);
	switch (nl_socket_add_membership(v->sk, grp)) {
	case 0:
		return 0;
	case -NLE_PERM:
		return -EPERM;		/* the group takes CAP_NET_ADMIN */
	case -NLE_NOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

struct vnl_evwait {
	struct vnl_event *ev;
	bool got;
};

static int vnl_event_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_evwait *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (genlmsg_hdr(nlh)->cmd != VBLK_CMD_EVENT_NTF ||
	    vnl_parse_event(nlh, w->ev))
		return NL_SKIP;
	w->got = true;
	return NL_STOP;
}

static int vnl_noop_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int vnl_monitor_next(struct vnl *v, struct vnl_event *ev, int timeout_ms)
{
	struct vnl_evwait w = { .ev = ev };
	struct pollfd pfd = { .fd = nl_socket_get_fd(v->sk), .events = POLLIN };
	struct nl_cb *c;
	int ret = 0;

	c = nl_cb_alloc(NL_CB_DEFAULT);
	if (!c)
		return -ENOMEM;
	nl_cb_set(c, NL_CB_VALID, NL_CB_CUSTOM, vnl_event_cb, &w);
	nl_cb_set(c, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, vnl_noop_cb, NULL);
	while (!w.got && !ret) {
		int r = poll(&pfd, 1, timeout_ms);

		if (r == 0)
			ret = -ETIMEDOUT;
		else if (r < 0)
			ret = -errno;
		else if ((r = nl_recvmsgs(v->sk, c)) < 0 && !w.got)
			/* ENOBUFS is reported as NLE_NOMEM: events were lost. */
			ret = r == -NLE_NOMEM ? -ENOBUFS : -EIO;
	}
	nl_cb_put(c);
	return w.got ? 0 : ret;
}
