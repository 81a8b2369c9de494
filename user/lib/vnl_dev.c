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
_Static_assert(offsetof(struct vnl_dev, st.invalid_avail_idx_count) ==
	       offsetof(struct vnl_dev, stats[VBLK_A_STATS_MAX]),
	       "stats layout");
_Static_assert(offsetof(struct vnl_dev, throttle.bps_burst) ==
	       offsetof(struct vnl_dev, thr[VBLK_A_THROTTLE_MAX]),
	       "throttle layout");
_Static_assert(offsetof(struct vnl_dev, throttle.iops) ==
	       offsetof(struct vnl_dev, thr[VBLK_A_THROTTLE_IOPS]),
	       "throttle layout");

/* ---- decoding: every attribute must have its spec's size ---- */

static int vnl_get_uint(const struct nlattr *a, uint64_t *v)
{
	if (nla_len(a) == 8)
		*v = nla_get_u64(a);
	else if (nla_len(a) == 4)
		*v = nla_get_u32(a);
	else
		return -EPROTO;
	return 0;
}

static int vnl_get_u32(const struct nlattr *a, uint32_t *v)
{
	if (nla_len(a) != 4)
		return -EPROTO;
	*v = nla_get_u32(a);
	return 0;
}

static int vnl_get_u16(const struct nlattr *a, uint16_t *v)
{
	if (nla_len(a) != 2)
		return -EPROTO;
	*v = nla_get_u16(a);
	return 0;
}

static int vnl_get_u8(const struct nlattr *a, uint8_t *v)
{
	if (nla_len(a) != 1)
		return -EPROTO;
	*v = nla_get_u8(a);
	return 0;
}

/* A NUL-terminated string that fits @len bytes with its NUL. */
static int vnl_get_str(const struct nlattr *a, char *buf, size_t len)
{
	const char *s = nla_data(a);
	size_t n = (size_t)nla_len(a);

	if (!n || n > len || !memchr(s, '\0', n))
		return -EPROTO;
	memcpy(buf, s, n);
	return 0;
}

static int vnl_parse_queue(const struct nlattr *nest, struct vnl_queue *q)
{
	struct nlattr *a;
	int rem, ret = 0;

	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case VBLK_A_QUEUE_INDEX:
			ret = vnl_get_u32(a, &q->index);
			break;
		case VBLK_A_QUEUE_SIZE:
			ret = vnl_get_u32(a, &q->size);
			break;
		case VBLK_A_QUEUE_READY:
			ret = vnl_get_u8(a, &q->ready);
			break;
		case VBLK_A_QUEUE_BROKEN:
			ret = vnl_get_u8(a, &q->broken);
			break;
		case VBLK_A_QUEUE_THROTTLED:
			ret = vnl_get_u8(a, &q->throttled);
			break;
		case VBLK_A_QUEUE_LAST_AVAIL_IDX:
			ret = vnl_get_u16(a, &q->last_avail_idx);
			break;
		case VBLK_A_QUEUE_USED_IDX:
			ret = vnl_get_u16(a, &q->used_idx);
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* A nest of uint values indexed by type, 1..@max; returns how many. */
static int vnl_parse_uints(const struct nlattr *nest, uint64_t *vals, int max)
{
	struct nlattr *a;
	int rem, n = 0;

	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		if (t < 1 || t > max)
			continue;
		if (vnl_get_uint(a, &vals[t]))
			return -EPROTO;
		n++;
	}
	return n;
}

static int vnl_parse_dev_attr(const struct nlattr *a, struct vnl_dev *d)
{
	int n;

	switch (nla_type(a)) {
	case VBLK_A_DEV_ID:
		return vnl_get_u32(a, &d->id);
	case VBLK_A_DEV_NAME:
		return vnl_get_str(a, d->name, sizeof(d->name));
	case VBLK_A_DEV_BACKING_PATH:
		return vnl_get_str(a, d->backing_path, sizeof(d->backing_path));
	case VBLK_A_DEV_CAPACITY:
		return vnl_get_uint(a, &d->capacity);
	case VBLK_A_DEV_READ_ONLY:
		return vnl_get_u8(a, &d->read_only);
	case VBLK_A_DEV_SERIAL:
		return vnl_get_str(a, d->serial, sizeof(d->serial));
	case VBLK_A_DEV_VMM_ATTACHED:
		return vnl_get_u8(a, &d->vmm_attached);
	case VBLK_A_DEV_STATUS:
		return vnl_get_u32(a, &d->status);
	case VBLK_A_DEV_FEATURES:
		return vnl_get_uint(a, &d->features);
	case VBLK_A_DEV_DEVICE_FEATURES:
		return vnl_get_uint(a, &d->device_features);
	case VBLK_A_DEV_QUEUES:
		return vnl_get_u32(a, &d->queues);
	case VBLK_A_DEV_QUEUE:
		if (d->nqueue >= VBLK_QUEUES_MAX)
			return -EPROTO;
		return vnl_parse_queue(a, &d->queue[d->nqueue++]);
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
	uint32_t q = 0;
	int rem, ret = 0;

	memset(ev, 0, sizeof(*ev));
	ev->queue = -1;
	if (!genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0))
		return -EPROTO;
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		switch (nla_type(a)) {
		case VBLK_A_EVENT_TYPE:
			ret = vnl_get_u32(a, &ev->type);
			break;
		case VBLK_A_EVENT_DEV_ID:
			ret = vnl_get_u32(a, &ev->dev_id);
			break;
		case VBLK_A_EVENT_DEV_NAME:
			ret = vnl_get_str(a, ev->dev_name, sizeof(ev->dev_name));
			break;
		case VBLK_A_EVENT_QUEUE:
			ret = vnl_get_u32(a, &q);
			ev->queue = q;
			break;
		default:
			continue;
		}
		if (ret)
			return ret;
		seen[nla_type(a)] = true;
	}
	return seen[VBLK_A_EVENT_TYPE] && seen[VBLK_A_EVENT_DEV_ID] &&
	       seen[VBLK_A_EVENT_DEV_NAME] ? 0 : -EPROTO;
}

/* ---- requests ---- */

int vnl_put_throttle(struct nl_msg *msg, const uint64_t *thr, const bool *set)
{
	struct nlattr *nest = nla_nest_start(msg, VBLK_A_DEV_THROTTLE);

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

struct vnl_dump {
	struct vnl_dev *devs;
	int n;
	int cap;
};

static int vnl_dump_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_dump *dp = arg;

	if (dp->n == dp->cap) {
		int cap = dp->cap ? 2 * dp->cap : 64;
		struct vnl_dev *p = realloc(dp->devs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		dp->devs = p;
		dp->cap = cap;
	}
	if (vnl_parse_dev(nlmsg_hdr(msg), &dp->devs[dp->n]))
		return -EPROTO;
	dp->n++;
	return 0;
}

int vnl_dev_dump(struct vnl *v, struct vnl_dev **devs, int *n)
{
	struct vnl_dump dp = { 0 };
	int ret;

	ret = vnl_xfer(v, vnl_msg(v, VBLK_CMD_DEV_GET, NLM_F_DUMP), vnl_dump_cb,
		       &dp);
	if (ret) {
		free(dp.devs);
		return ret;
	}
	*devs = dp.devs;
	*n = dp.n;
	return 0;
}

int vnl_dev_count(struct vnl *v)
{
	struct vnl_dev *devs = NULL;
	int n, ret;

	ret = vnl_dev_dump(v, &devs, &n);
	free(devs);
	return ret ? ret : n;
}

/* ---- monitor ---- */

int vnl_monitor_join(struct vnl *v)
{
	int grp = genl_ctrl_resolve_grp(v->sk, VBLK_FAMILY_NAME,
					VBLK_MCGRP_MONITOR);

	if (grp < 0)
		return -ENOENT;
	nl_socket_disable_seq_check(v->sk);
	return nl_socket_add_membership(v->sk, grp) ? -EIO : 0;
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
