// SPDX-License-Identifier: GPL-2.0
/*
 * vblk_nl_util: "vblk" generic netlink client for the control-plane
 * selftests (see the header).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "vblk_nl_util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int vnl_open(struct vnl *v)
{
	int one = 1;

	memset(v, 0, sizeof(*v));
	v->sk = nl_socket_alloc();
	if (!v->sk)
		return -ENOMEM;
	if (genl_connect(v->sk)) {
		nl_socket_free(v->sk);
		v->sk = NULL;
		return -EIO;
	}
	setsockopt(nl_socket_get_fd(v->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(v->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	v->family = genl_ctrl_resolve(v->sk, VBLK_FAMILY_NAME);
	if (v->family < 0) {
		nl_socket_free(v->sk);
		v->sk = NULL;
		return -ENOENT;
	}
	return 0;
}

void vnl_close(struct vnl *v)
{
	if (v->sk)
		nl_socket_free(v->sk);
	v->sk = NULL;
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

struct vnl_tx {
	struct vnl *v;
	int (*cb)(struct nl_msg *msg, void *arg);
	void *arg;
	int done;
};

static int vnl_err_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct vnl_tx *tx = arg;
	struct vnl *v = tx->v;
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	(void)who;
	v->err = e->error;
	tx->done = 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (off >= nlh->nlmsg_len ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(v->msg, tb[NLMSGERR_ATTR_MSG], sizeof(v->msg));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		v->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	v->bad_attr = tb[NLMSGERR_ATTR_OFFS] != NULL;
	return NL_STOP;
}

static int vnl_done_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_tx *tx = arg;

	(void)msg;
	tx->done = 1;
	return NL_STOP;
}

static int vnl_valid_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_tx *tx = arg;

	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		tx->v->dump_intr = true;
	if (tx->cb)
		tx->cb(msg, tx->arg);
	return NL_OK;
}

static int vnl_intr_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_tx *tx = arg;

	(void)msg;
	tx->v->dump_intr = true;
	return NL_OK;
}

int vnl_send(struct vnl *v, struct nl_msg *msg)
{
	int ret;

	v->err = 0;
	v->msg[0] = '\0';
	v->miss_type = 0;
	v->bad_attr = false;
	v->dump_intr = false;
	if (!msg)
		return v->err = -ENOMEM;
	ret = nl_send_auto(v->sk, msg);
	nlmsg_free(msg);
	return ret < 0 ? (v->err = -EIO) : 0;
}

int vnl_recv(struct vnl *v, int (*cb)(struct nl_msg *msg, void *arg),
	     void *arg)
{
	struct vnl_tx tx = { .v = v, .cb = cb, .arg = arg };
	struct nl_cb *c;
	int ret;

	c = nl_cb_alloc(NL_CB_DEFAULT);
	if (!c)
		return v->err = -ENOMEM;
	nl_cb_err(c, NL_CB_CUSTOM, vnl_err_cb, &tx);
	nl_cb_set(c, NL_CB_ACK, NL_CB_CUSTOM, vnl_done_cb, &tx);
	nl_cb_set(c, NL_CB_FINISH, NL_CB_CUSTOM, vnl_done_cb, &tx);
	nl_cb_set(c, NL_CB_VALID, NL_CB_CUSTOM, vnl_valid_cb, &tx);
	nl_cb_set(c, NL_CB_DUMP_INTR, NL_CB_CUSTOM, vnl_intr_cb, &tx);
	while (!tx.done) {
		ret = nl_recvmsgs(v->sk, c);
		if (ret < 0 && !tx.done) {
			nl_cb_put(c);
			return v->err = -EIO;
		}
	}
	nl_cb_put(c);
	return v->err;
}

int vnl_xfer(struct vnl *v, struct nl_msg *msg,
	     int (*cb)(struct nl_msg *msg, void *arg), void *arg)
{
	int ret = vnl_send(v, msg);

	return ret ? ret : vnl_recv(v, cb, arg);
}

static uint64_t vnl_uint(struct nlattr *a)
{
	return nla_len(a) == 8 ? nla_get_u64(a) : nla_get_u32(a);
}

int vnl_parse_dev(struct nl_msg *msg, struct vnl_dev *d)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[VBLK_A_DEV_MAX + 1], *a;
	int rem;

	memset(d, 0, sizeof(*d));
	if (genlmsg_parse(nlh, 0, tb, VBLK_A_DEV_MAX, NULL))
		return -EINVAL;
	for (int i = 1; i <= VBLK_A_DEV_MAX; i++)
		d->has[i] = tb[i] != NULL;
	if (tb[VBLK_A_DEV_ID])
		d->id = nla_get_u32(tb[VBLK_A_DEV_ID]);
	if (tb[VBLK_A_DEV_NAME])
		nla_strlcpy(d->name, tb[VBLK_A_DEV_NAME], sizeof(d->name));
	if (tb[VBLK_A_DEV_BACKING_PATH])
		nla_strlcpy(d->path, tb[VBLK_A_DEV_BACKING_PATH], sizeof(d->path));
	if (tb[VBLK_A_DEV_CAPACITY])
		d->capacity = vnl_uint(tb[VBLK_A_DEV_CAPACITY]);
	if (tb[VBLK_A_DEV_READ_ONLY])
		d->read_only = nla_get_u8(tb[VBLK_A_DEV_READ_ONLY]);
	if (tb[VBLK_A_DEV_SERIAL])
		nla_strlcpy(d->serial, tb[VBLK_A_DEV_SERIAL], sizeof(d->serial));
	if (tb[VBLK_A_DEV_VMM_ATTACHED])
		d->vmm_attached = nla_get_u8(tb[VBLK_A_DEV_VMM_ATTACHED]);
	if (tb[VBLK_A_DEV_STATUS])
		d->status = nla_get_u32(tb[VBLK_A_DEV_STATUS]);
	if (tb[VBLK_A_DEV_FEATURES])
		d->features = vnl_uint(tb[VBLK_A_DEV_FEATURES]);
	if (tb[VBLK_A_DEV_DEVICE_FEATURES])
		d->device_features = vnl_uint(tb[VBLK_A_DEV_DEVICE_FEATURES]);
	nla_for_each_attr(a, genlmsg_attrdata(genlmsg_hdr(nlh), 0),
			  genlmsg_attrlen(genlmsg_hdr(nlh), 0), rem) {
		struct nlattr *q[VBLK_A_QUEUE_MAX + 1];

		if (nla_type(a) != VBLK_A_DEV_QUEUE || d->nqueues >= 8)
			continue;
		if (!nla_parse_nested(q, VBLK_A_QUEUE_MAX, a, NULL) &&
		    q[VBLK_A_QUEUE_SIZE])
			d->queue_size[d->nqueues] = nla_get_u32(q[VBLK_A_QUEUE_SIZE]);
		d->nqueues++;
	}
	if (tb[VBLK_A_DEV_STATS]) {
		struct nlattr *st[VBLK_A_STATS_MAX + 1];

		if (nla_parse_nested(st, VBLK_A_STATS_MAX, tb[VBLK_A_DEV_STATS],
				     NULL))
			return -EINVAL;
		d->has_stats = true;
		for (int i = 1; i <= VBLK_A_STATS_MAX; i++) {
			if (!st[i])
				d->has_stats = false;
			else
				d->stats[i] = vnl_uint(st[i]);
		}
	}
	if (tb[VBLK_A_DEV_THROTTLE]) {
		struct nlattr *t[VBLK_A_THROTTLE_MAX + 1];

		if (nla_parse_nested(t, VBLK_A_THROTTLE_MAX,
				     tb[VBLK_A_DEV_THROTTLE], NULL))
			return -EINVAL;
		d->has_throttle = true;
		for (int i = 1; i <= VBLK_A_THROTTLE_MAX; i++)
			if (t[i])
				d->thr[i] = vnl_uint(t[i]);
	}
	return 0;
}

int vnl_put_throttle(struct nl_msg *msg, const uint64_t *thr,
		     const bool *thr_set)
{
	struct nlattr *nest = nla_nest_start(msg, VBLK_A_DEV_THROTTLE);

	if (!nest)
		return -ENOMEM;
	for (int i = 1; i <= VBLK_A_THROTTLE_MAX; i++)
		if (thr_set[i] && nla_put_u64(msg, i, thr[i]))
			return -ENOMEM;
	/* An empty nest means "no limits": keep it (nla_nest_end drops it). */
	nla_nest_end_keep_empty(msg, nest);
	return 0;
}

static int vnl_id_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_dev d;

	if (!vnl_parse_dev(msg, &d))
		*(uint32_t *)arg = d.id;
	return 0;
}

int vnl_dev_add(struct vnl *v, const struct vnl_add *a, uint32_t *id)
{
	struct nl_msg *msg = vnl_msg(v, VBLK_CMD_DEV_ADD, 0);
	uint32_t got = 0;
	int ret;

	if (!msg)
		return -ENOMEM;
	if ((a->name && nla_put_string(msg, VBLK_A_DEV_NAME, a->name)) ||
	    (!a->no_fd && nla_put_s32(msg, VBLK_A_DEV_BACKING_FD, a->fd)) ||
	    (a->capacity && nla_put_u64(msg, VBLK_A_DEV_CAPACITY, a->capacity)) ||
	    (a->read_only >= 0 &&
	     nla_put_u8(msg, VBLK_A_DEV_READ_ONLY, (uint8_t)a->read_only)) ||
	    (a->serial && nla_put_string(msg, VBLK_A_DEV_SERIAL, a->serial)) ||
	    (a->throttle && vnl_put_throttle(msg, a->thr, a->thr_set))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = vnl_xfer(v, msg, vnl_id_cb, &got);
	if (!ret && id)
		*id = got;
	return ret;
}

static int vnl_del(struct vnl *v, const char *name, uint32_t id, bool force)
{
	struct nl_msg *msg = vnl_msg(v, VBLK_CMD_DEV_DEL, 0);

	if (!msg)
		return -ENOMEM;
	if ((name && nla_put_string(msg, VBLK_A_DEV_NAME, name)) ||
	    (!name && nla_put_u32(msg, VBLK_A_DEV_ID, id)) ||
	    (force && nla_put_flag(msg, VBLK_A_DEV_FORCE))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return vnl_xfer(v, msg, NULL, NULL);
}

int vnl_dev_del(struct vnl *v, const char *name, bool force)
{
	return vnl_del(v, name, 0, force);
}

int vnl_dev_del_id(struct vnl *v, uint32_t id)
{
	return vnl_del(v, NULL, id, false);
}

static int vnl_get_cb(struct nl_msg *msg, void *arg)
{
	return vnl_parse_dev(msg, arg);
}

int vnl_dev_get(struct vnl *v, const char *name, struct vnl_dev *d)
{
	struct nl_msg *msg = vnl_msg(v, VBLK_CMD_DEV_GET, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, VBLK_A_DEV_NAME, name)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	memset(d, 0, sizeof(*d));
	return vnl_xfer(v, msg, vnl_get_cb, d);
}

int vnl_dev_get_id(struct vnl *v, uint32_t id, struct vnl_dev *d)
{
	struct nl_msg *msg = vnl_msg(v, VBLK_CMD_DEV_GET, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, VBLK_A_DEV_ID, id)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	memset(d, 0, sizeof(*d));
	return vnl_xfer(v, msg, vnl_get_cb, d);
}

struct vnl_dump {
	struct vnl_dev *devs;
	int n;
	int cap;
	int bad;
};

static int vnl_dump_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_dump *dp = arg;

	if (dp->n == dp->cap) {
		int cap = dp->cap ? 2 * dp->cap : 64;
		struct vnl_dev *p = realloc(dp->devs, cap * sizeof(*p));

		if (!p) {
			dp->bad = 1;
			return 0;
		}
		dp->devs = p;
		dp->cap = cap;
	}
	if (vnl_parse_dev(msg, &dp->devs[dp->n]))
		dp->bad = 1;
	else
		dp->n++;
	return 0;
}

int vnl_dev_dump(struct vnl *v, struct vnl_dev **devs, int *n)
{
	struct vnl_dump dp = { 0 };
	int ret;

	ret = vnl_xfer(v, vnl_msg(v, VBLK_CMD_DEV_GET, NLM_F_DUMP),
		       vnl_dump_cb, &dp);
	if (!ret && dp.bad)
		ret = -EPROTO;
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
	int got;
};

static int vnl_event_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_evwait *w = arg;
	struct nlattr *tb[VBLK_A_EVENT_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (genlmsg_hdr(nlh)->cmd != VBLK_CMD_EVENT_NTF ||
	    genlmsg_parse(nlh, 0, tb, VBLK_A_EVENT_MAX, NULL))
		return NL_SKIP;
	memset(w->ev, 0, sizeof(*w->ev));
	w->ev->queue = -1;
	if (tb[VBLK_A_EVENT_TYPE])
		w->ev->type = nla_get_u32(tb[VBLK_A_EVENT_TYPE]);
	if (tb[VBLK_A_EVENT_DEV_ID])
		w->ev->id = nla_get_u32(tb[VBLK_A_EVENT_DEV_ID]);
	if (tb[VBLK_A_EVENT_DEV_NAME])
		nla_strlcpy(w->ev->name, tb[VBLK_A_EVENT_DEV_NAME],
			    sizeof(w->ev->name));
	if (tb[VBLK_A_EVENT_QUEUE])
		w->ev->queue = nla_get_u32(tb[VBLK_A_EVENT_QUEUE]);
	w->got = 1;
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

	c = nl_cb_alloc(NL_CB_DEFAULT);
	if (!c)
		return -ENOMEM;
	nl_cb_set(c, NL_CB_VALID, NL_CB_CUSTOM, vnl_event_cb, &w);
	nl_cb_set(c, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, vnl_noop_cb, NULL);
	while (!w.got) {
		int r = poll(&pfd, 1, timeout_ms);

		if (r == 0) {
			nl_cb_put(c);
			return -ETIMEDOUT;
		}
		if (r < 0 && errno != EINTR) {
			nl_cb_put(c);
			return -errno;
		}
		if (r > 0 && nl_recvmsgs(v->sk, c) < 0 && !w.got) {
			nl_cb_put(c);
			return -EIO;
		}
	}
	nl_cb_put(c);
	return 0;
}
