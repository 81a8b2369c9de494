// SPDX-License-Identifier: GPL-2.0
/*
 * vblk_guest_nl: minimal "vblk" generic netlink client for the data-path
 * selftests (see the header).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <uapi/linux/vblk.h>

#include "vblk_guest_nl.h"

struct vgn_xfer {
	int err;		/* 1 while waiting, then 0 or -errno */
	struct vgn_info *info;
};

static int vgn_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct vgn_xfer *x = arg;

	(void)nla;
	x->err = e->error;
	return NL_STOP;
}

static int vgn_ack_cb(struct nl_msg *msg, void *arg)
{
	struct vgn_xfer *x = arg;

	(void)msg;
	if (x->err > 0)
		x->err = 0;
	return NL_STOP;
}

static uint64_t vgn_uint(struct nlattr *a)
{
	if (!a)
		return 0;
	return nla_len(a) == 8 ? nla_get_u64(a) : nla_get_u32(a);
}

static int vgn_dev_cb(struct nl_msg *msg, void *arg)
{
	struct vgn_xfer *x = arg;
	struct nlattr *tb[VBLK_A_DEV_MAX + 1];
	struct nlattr *st[VBLK_A_STATS_MAX + 1];
	struct vgn_info *i = x->info;

	if (!i || genlmsg_parse(nlmsg_hdr(msg), 0, tb, VBLK_A_DEV_MAX, NULL))
		return NL_OK;
	if (tb[VBLK_A_DEV_ID])
		i->id = nla_get_u32(tb[VBLK_A_DEV_ID]);
	if (tb[VBLK_A_DEV_VMM_ATTACHED])
		i->vmm_attached = nla_get_u8(tb[VBLK_A_DEV_VMM_ATTACHED]);
	i->capacity = vgn_uint(tb[VBLK_A_DEV_CAPACITY]);
	if (tb[VBLK_A_DEV_STATS] &&
	    !nla_parse_nested(st, VBLK_A_STATS_MAX, tb[VBLK_A_DEV_STATS], NULL)) {
		i->reads_completed = vgn_uint(st[VBLK_A_STATS_READS_COMPLETED]);
		i->writes_completed = vgn_uint(st[VBLK_A_STATS_WRITES_COMPLETED]);
		i->flushes_completed = vgn_uint(st[VBLK_A_STATS_FLUSHES_COMPLETED]);
		i->bytes_read = vgn_uint(st[VBLK_A_STATS_BYTES_READ]);
		i->bytes_written = vgn_uint(st[VBLK_A_STATS_BYTES_WRITTEN]);
		i->io_errors = vgn_uint(st[VBLK_A_STATS_IO_ERRORS]);
		i->throttled_count = vgn_uint(st[VBLK_A_STATS_THROTTLED_COUNT]);
		i->invalid_avail_idx_count =
			vgn_uint(st[VBLK_A_STATS_INVALID_AVAIL_IDX_COUNT]);
	}
	return NL_OK;
}

/* Send a request built by the caller and wait for its reply and ACK. */
static int vgn_do(uint8_t cmd, int (*fill)(struct nl_msg *m, const void *a),
		  const void *arg, struct vgn_info *info)
{
	struct vgn_xfer x = { .err = 1, .info = info };
	struct nl_sock *sk;
	struct nl_msg *m = NULL;
	struct nl_cb *cb = NULL;
	int fam, ret;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	ret = -ENOENT;
	if (genl_connect(sk))
		goto out;
	fam = genl_ctrl_resolve(sk, VBLK_FAMILY_NAME);
	if (fam < 0)
		goto out;
	ret = -ENOMEM;
	m = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!m || !cb)
		goto out;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, fam, 0, 0, cmd,
			 VBLK_FAMILY_VERSION) || fill(m, arg))
		goto out;
	nl_cb_err(cb, NL_CB_CUSTOM, vgn_err_cb, &x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, vgn_ack_cb, &x);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vgn_dev_cb, &x);
	ret = -EIO;
	if (nl_send_auto(sk, m) < 0)
		goto out;
	while (x.err > 0) {
		if (nl_recvmsgs(sk, cb) < 0 && x.err > 0)
			goto out;
	}
	ret = x.err;
out:
	nl_cb_put(cb);
	nlmsg_free(m);
	nl_socket_free(sk);
	return ret;
}

struct vgn_add {
	const char *name;
	int fd;
	bool ro;
	uint64_t capacity;
	uint32_t queues;
};

static int vgn_fill_add(struct nl_msg *m, const void *arg)
{
	const struct vgn_add *a = arg;

	if (nla_put_string(m, VBLK_A_DEV_NAME, a->name) ||
	    nla_put_s32(m, VBLK_A_DEV_BACKING_FD, a->fd) ||
	    nla_put_u8(m, VBLK_A_DEV_READ_ONLY, a->ro))
		return -1;
	if (a->capacity && nla_put_u64(m, VBLK_A_DEV_CAPACITY, a->capacity))
		return -1;
	if (a->queues && nla_put_u32(m, VBLK_A_DEV_QUEUES, a->queues))
		return -1;
	return 0;
}

int vgn_dev_add(const char *name, const char *path, bool ro,
		uint64_t capacity)
{
	return vgn_dev_add_flags(name, path, ro, capacity, 0);
}

int vgn_dev_add_flags(const char *name, const char *path, bool ro,
		      uint64_t capacity, int oflags)
{
	return vgn_dev_add_mq(name, path, ro, capacity, oflags, 0);
}

int vgn_dev_add_mq(const char *name, const char *path, bool ro,
		   uint64_t capacity, int oflags, uint32_t queues)
{
	struct vgn_add a = {
		.name = name, .ro = ro, .capacity = capacity, .queues = queues,
	};
	struct vgn_info info = { 0 };
	int ret;

	a.fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | oflags);
	if (a.fd < 0)
		return -errno;
	ret = vgn_do(VBLK_CMD_DEV_ADD, vgn_fill_add, &a, &info);
	close(a.fd);
	return ret ? ret : (int)info.id;
}

struct vgn_del {
	const char *name;
	bool force;
};

static int vgn_fill_del(struct nl_msg *m, const void *arg)
{
	const struct vgn_del *d = arg;

	if (nla_put_string(m, VBLK_A_DEV_NAME, d->name))
		return -1;
	if (d->force && nla_put_flag(m, VBLK_A_DEV_FORCE))
		return -1;
	return 0;
}

int vgn_dev_del(const char *name, bool force)
{
	struct vgn_del d = { .name = name, .force = force };

	return vgn_do(VBLK_CMD_DEV_DEL, vgn_fill_del, &d, NULL);
}

static int vgn_fill_name(struct nl_msg *m, const void *arg)
{
	return nla_put_string(m, VBLK_A_DEV_NAME, arg) ? -1 : 0;
}

int vgn_dev_get(const char *name, struct vgn_info *info)
{
	memset(info, 0, sizeof(*info));
	return vgn_do(VBLK_CMD_DEV_GET, vgn_fill_name, name, info);
}
