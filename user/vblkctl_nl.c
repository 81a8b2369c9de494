// SPDX-License-Identifier: GPL-2.0
/*
 * vblkctl's netlink layer (libnl-3, libnl-genl-3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "vblkctl_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static void vc_nl_fail(struct vc_nl *nl, int err, const char *msg)
{
	nl->err = err;
	snprintf(nl->msg, sizeof(nl->msg), "%s", msg);
}

int vc_nl_open(struct vc_nl *nl)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		vc_nl_fail(nl, ENOMEM, "cannot allocate a netlink socket");
		return -1;
	}
	if (genl_connect(nl->sk)) {
		vc_nl_fail(nl, errno ? errno : EIO,
			   "cannot open a generic netlink socket");
		goto err;
	}
	/* Extended acks: the kernel's error message; no request echo. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, VBLK_FAMILY_NAME);
	if (nl->family < 0) {
		vc_nl_fail(nl, ENOENT,
			   "the vblk module is not loaded (no \"vblk\" generic netlink family)");
		goto err;
	}
	return 0;
err:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return -1;
}

void vc_nl_close(struct vc_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *vc_nl_msg(struct vc_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, VBLK_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct vc_tx {
	struct vc_nl *nl;
	int (*cb)(struct nl_msg *msg, void *arg);
	void *arg;
	int done;
	int err;
	int intr;
	int cb_failed;
};

/* The extended ack TLVs after an NLMSG_ERROR's struct nlmsgerr. */
static void vc_nl_extack(struct vc_nl *nl, const struct nlmsgerr *e)
{
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (off >= nlh->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(nl->msg, tb[NLMSGERR_ATTR_MSG], sizeof(nl->msg));
}

static int vc_tx_err(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct vc_tx *tx = arg;

	(void)who;
	tx->err = e->error < 0 ? -e->error : e->error;
	tx->nl->from_kernel = true;
	vc_nl_extack(tx->nl, e);
	tx->done = 1;
	return NL_STOP;
}

static int vc_tx_ack(struct nl_msg *msg, void *arg)
{
	struct vc_tx *tx = arg;

	(void)msg;
	tx->done = 1;
	return NL_STOP;
}

static int vc_tx_valid(struct nl_msg *msg, void *arg)
{
	struct vc_tx *tx = arg;

	if (tx->cb && tx->cb(msg, tx->arg))
		tx->cb_failed = 1;
	return NL_OK;
}

static int vc_tx_intr(struct nl_msg *msg, void *arg)
{
	struct vc_tx *tx = arg;

	(void)msg;
	tx->intr = 1;
	return NL_OK;
}

int vc_nl_transact(struct vc_nl *nl, struct nl_msg *msg,
		   int (*cb)(struct nl_msg *msg, void *arg), void *arg,
		   int *intr)
{
	struct vc_tx tx = { .nl = nl, .cb = cb, .arg = arg };
	struct nl_cb *nlcb;
	int ret;

	nl->err = 0;
	nl->msg[0] = '\0';
	nl->from_kernel = false;
	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb) {
		nlmsg_free(msg);
		vc_nl_fail(nl, ENOMEM, "out of memory");
		return -1;
	}
	nl_cb_err(nlcb, NL_CB_CUSTOM, vc_tx_err, &tx);
	nl_cb_set(nlcb, NL_CB_ACK, NL_CB_CUSTOM, vc_tx_ack, &tx);
	nl_cb_set(nlcb, NL_CB_FINISH, NL_CB_CUSTOM, vc_tx_ack, &tx);
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, vc_tx_valid, &tx);
	nl_cb_set(nlcb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, vc_tx_intr, &tx);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(nlcb);
		vc_nl_fail(nl, EIO, nl_geterror(ret));
		return -1;
	}
	while (!tx.done) {
		ret = nl_recvmsgs(nl->sk, nlcb);
		if (ret < 0 && !tx.done) {
			nl_cb_put(nlcb);
			vc_nl_fail(nl, EIO, nl_geterror(ret));
			return -1;
		}
	}
	nl_cb_put(nlcb);
	if (intr)
		*intr = tx.intr;
	if (tx.err) {
		nl->err = tx.err;
		return -1;
	}
	if (tx.cb_failed) {
		vc_nl_fail(nl, EPROTO, "malformed reply from the kernel");
		return -1;
	}
	return 0;
}

/* ---- decoding ---- */

static uint64_t vc_get_uint(const struct nlattr *a)
{
	if (nla_len(a) >= 8)
		return nla_get_u64((struct nlattr *)a);
	if (nla_len(a) >= 4)
		return nla_get_u32((struct nlattr *)a);
	return 0;
}

static uint32_t vc_get_u32(const struct nlattr *a)
{
	return nla_len(a) >= 4 ? nla_get_u32((struct nlattr *)a) : 0;
}

static uint16_t vc_get_u16(const struct nlattr *a)
{
	return nla_len(a) >= 2 ? nla_get_u16((struct nlattr *)a) : 0;
}

static uint8_t vc_get_u8(const struct nlattr *a)
{
	return nla_len(a) >= 1 ? nla_get_u8((struct nlattr *)a) : 0;
}

static void vc_parse_queue(struct nlattr *nest, struct vc_queue *q)
{
	struct nlattr *tb[VBLK_A_QUEUE_MAX + 1];

	memset(q, 0, sizeof(*q));
	if (nla_parse_nested(tb, VBLK_A_QUEUE_MAX, nest, NULL))
		return;
	if (tb[VBLK_A_QUEUE_INDEX])
		q->index = vc_get_u32(tb[VBLK_A_QUEUE_INDEX]);
	if (tb[VBLK_A_QUEUE_SIZE])
		q->size = vc_get_u32(tb[VBLK_A_QUEUE_SIZE]);
	if (tb[VBLK_A_QUEUE_READY])
		q->ready = vc_get_u8(tb[VBLK_A_QUEUE_READY]);
	if (tb[VBLK_A_QUEUE_BROKEN])
		q->broken = vc_get_u8(tb[VBLK_A_QUEUE_BROKEN]);
	if (tb[VBLK_A_QUEUE_THROTTLED])
		q->throttled = vc_get_u8(tb[VBLK_A_QUEUE_THROTTLED]);
	if (tb[VBLK_A_QUEUE_LAST_AVAIL_IDX])
		q->last_avail_idx = vc_get_u16(tb[VBLK_A_QUEUE_LAST_AVAIL_IDX]);
	if (tb[VBLK_A_QUEUE_USED_IDX])
		q->used_idx = vc_get_u16(tb[VBLK_A_QUEUE_USED_IDX]);
}

int vc_parse_dev(struct nlmsghdr *nlh, struct vc_dev *d)
{
	struct nlattr *tb[VBLK_A_DEV_MAX + 1];
	struct nlattr *a;
	int rem;

	memset(d, 0, sizeof(*d));
	if (genlmsg_parse(nlh, 0, tb, VBLK_A_DEV_MAX, NULL))
		return -1;
	if (!tb[VBLK_A_DEV_ID] || !tb[VBLK_A_DEV_NAME])
		return -1;
	d->id = vc_get_u32(tb[VBLK_A_DEV_ID]);
	nla_strlcpy(d->name, tb[VBLK_A_DEV_NAME], sizeof(d->name));
	if (tb[VBLK_A_DEV_BACKING_PATH])
		nla_strlcpy(d->backing, tb[VBLK_A_DEV_BACKING_PATH],
			    sizeof(d->backing));
	if (tb[VBLK_A_DEV_CAPACITY])
		d->capacity = vc_get_uint(tb[VBLK_A_DEV_CAPACITY]);
	if (tb[VBLK_A_DEV_READ_ONLY])
		d->read_only = vc_get_u8(tb[VBLK_A_DEV_READ_ONLY]);
	if (tb[VBLK_A_DEV_SERIAL])
		nla_strlcpy(d->serial, tb[VBLK_A_DEV_SERIAL], sizeof(d->serial));
	if (tb[VBLK_A_DEV_VMM_ATTACHED])
		d->vmm_attached = vc_get_u8(tb[VBLK_A_DEV_VMM_ATTACHED]);
	if (tb[VBLK_A_DEV_STATUS])
		d->status = vc_get_u32(tb[VBLK_A_DEV_STATUS]);
	if (tb[VBLK_A_DEV_FEATURES])
		d->features = vc_get_uint(tb[VBLK_A_DEV_FEATURES]);
	if (tb[VBLK_A_DEV_DEVICE_FEATURES])
		d->device_features = vc_get_uint(tb[VBLK_A_DEV_DEVICE_FEATURES]);
	/* Queues are repeated attributes: walk the whole message. */
	nla_for_each_attr(a, genlmsg_attrdata(genlmsg_hdr(nlh), 0),
			  genlmsg_attrlen(genlmsg_hdr(nlh), 0), rem) {
		if (nla_type(a) != VBLK_A_DEV_QUEUE ||
		    d->nqueues >= VC_MAX_QUEUES)
			continue;
		vc_parse_queue(a, &d->queues[d->nqueues++]);
	}
	if (tb[VBLK_A_DEV_STATS]) {
		struct nlattr *st[VBLK_A_STATS_MAX + 1];

		if (!nla_parse_nested(st, VBLK_A_STATS_MAX,
				      tb[VBLK_A_DEV_STATS], NULL))
			for (int i = 1; i <= VBLK_A_STATS_MAX; i++)
				if (st[i])
					d->stats[i] = vc_get_uint(st[i]);
	}
	if (tb[VBLK_A_DEV_THROTTLE]) {
		struct nlattr *t[VBLK_A_THROTTLE_MAX + 1];

		if (!nla_parse_nested(t, VBLK_A_THROTTLE_MAX,
				      tb[VBLK_A_DEV_THROTTLE], NULL)) {
			if (t[VBLK_A_THROTTLE_IOPS])
				d->throttle.iops = vc_get_uint(t[VBLK_A_THROTTLE_IOPS]);
			if (t[VBLK_A_THROTTLE_IOPS_BURST])
				d->throttle.iops_burst =
					vc_get_uint(t[VBLK_A_THROTTLE_IOPS_BURST]);
			if (t[VBLK_A_THROTTLE_BPS])
				d->throttle.bps = vc_get_uint(t[VBLK_A_THROTTLE_BPS]);
			if (t[VBLK_A_THROTTLE_BPS_BURST])
				d->throttle.bps_burst =
					vc_get_uint(t[VBLK_A_THROTTLE_BPS_BURST]);
		}
	}
	return 0;
}

int vc_parse_event(struct nlmsghdr *nlh, struct vc_event *ev)
{
	struct nlattr *tb[VBLK_A_EVENT_MAX + 1];

	memset(ev, 0, sizeof(*ev));
	ev->queue = -1;
	if (genlmsg_parse(nlh, 0, tb, VBLK_A_EVENT_MAX, NULL))
		return -1;
	if (!tb[VBLK_A_EVENT_TYPE] || !tb[VBLK_A_EVENT_DEV_ID] ||
	    !tb[VBLK_A_EVENT_DEV_NAME])
		return -1;
	ev->type = vc_get_u32(tb[VBLK_A_EVENT_TYPE]);
	ev->id = vc_get_u32(tb[VBLK_A_EVENT_DEV_ID]);
	nla_strlcpy(ev->name, tb[VBLK_A_EVENT_DEV_NAME], sizeof(ev->name));
	if (tb[VBLK_A_EVENT_QUEUE])
		ev->queue = vc_get_u32(tb[VBLK_A_EVENT_QUEUE]);
	return 0;
}

/* ---- requests ---- */

static int vc_get_one_cb(struct nl_msg *msg, void *arg)
{
	return vc_parse_dev(nlmsg_hdr(msg), arg);
}

int vc_nl_get_dev(struct vc_nl *nl, const char *name, struct vc_dev *d)
{
	struct nl_msg *msg = vc_nl_msg(nl, VBLK_CMD_DEV_GET, 0);

	if (!msg || nla_put_string(msg, VBLK_A_DEV_NAME, name)) {
		nlmsg_free(msg);
		vc_nl_fail(nl, ENOMEM, "out of memory");
		return -1;
	}
	memset(d, 0, sizeof(*d));
	return vc_nl_transact(nl, msg, vc_get_one_cb, d, NULL);
}

struct vc_dump {
	struct vc_dev *devs;
	size_t n;
	size_t cap;
};

static int vc_dump_cb(struct nl_msg *msg, void *arg)
{
	struct vc_dump *dp = arg;

	if (dp->n == dp->cap) {
		size_t cap = dp->cap ? 2 * dp->cap : 16;
		struct vc_dev *p = realloc(dp->devs, cap * sizeof(*p));

		if (!p)
			return -1;
		dp->devs = p;
		dp->cap = cap;
	}
	if (vc_parse_dev(nlmsg_hdr(msg), &dp->devs[dp->n]))
		return -1;
	dp->n++;
	return 0;
}

int vc_nl_dump_devs(struct vc_nl *nl, struct vc_dev **devs, size_t *n)
{
	struct vc_dump dp = { 0 };
	int tries, intr = 0;

	for (tries = 0; tries < 10; tries++) {
		struct nl_msg *msg = vc_nl_msg(nl, VBLK_CMD_DEV_GET, NLM_F_DUMP);

		if (!msg) {
			vc_nl_fail(nl, ENOMEM, "out of memory");
			break;
		}
		dp.n = 0;
		if (vc_nl_transact(nl, msg, vc_dump_cb, &dp, &intr))
			break;
		if (!intr) {
			*devs = dp.devs;
			*n = dp.n;
			return 0;
		}
	}
	if (intr && !nl->err)
		vc_nl_fail(nl, EAGAIN, "devices kept changing during the dump");
	free(dp.devs);
	return -1;
}

struct vc_mon {
	int (*cb)(const struct vc_event *ev, void *arg);
	void *arg;
	int stop;
};

static int vc_mon_valid(struct nl_msg *msg, void *arg)
{
	struct vc_mon *m = arg;
	struct vc_event ev;

	if (genlmsg_hdr(nlmsg_hdr(msg))->cmd != VBLK_CMD_EVENT_NTF ||
	    vc_parse_event(nlmsg_hdr(msg), &ev))
		return NL_SKIP;
	if (m->cb(&ev, m->arg)) {
		m->stop = 1;
		return NL_STOP;
	}
	return NL_OK;
}

int vc_nl_monitor(struct vc_nl *nl, int (*cb)(const struct vc_event *ev,
					      void *arg), void *arg)
{
	struct vc_mon m = { .cb = cb, .arg = arg };
	int grp, ret;

	grp = genl_ctrl_resolve_grp(nl->sk, VBLK_FAMILY_NAME, VBLK_MCGRP_MONITOR);
	if (grp < 0) {
		vc_nl_fail(nl, ENOENT, "no \"monitor\" multicast group");
		return -1;
	}
	nl_socket_disable_seq_check(nl->sk);
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret < 0) {
		vc_nl_fail(nl, EIO, nl_geterror(ret));
		return -1;
	}
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, vc_mon_valid, &m);
	while (!m.stop) {
		ret = nl_recvmsgs_default(nl->sk);
		if (ret == -NLE_NOMEM) {
			/* Receive buffer overrun (ENOBUFS): events were lost. */
			fprintf(stderr, "Warning: events lost (receive buffer overrun)\n");
			continue;
		}
		if (ret < 0 && !m.stop) {
			vc_nl_fail(nl, EIO, nl_geterror(ret));
			return -1;
		}
	}
	return 0;
}
