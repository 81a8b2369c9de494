// SPDX-License-Identifier: GPL-2.0
/*
 * vblk generic netlink family: the handlers behind the generated ops table
 * (vblk_nl_gen.c, from Documentation/netlink/specs/vblk.yaml) and the
 * monitor notifications.
 *
 * Devices are global to the host. The family is visible in every network
 * namespace and reading is open to everyone, backing paths excepted; the
 * mutating operations are checked by vblk_nl_pre_admin(). Monitor
 * notifications are sent in the initial network namespace, to listeners
 * with CAP_NET_ADMIN.
 *
 * Every refusal sets an extack message that starts with the name of the
 * offending attribute and points at it (or reports it missing).
 */
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/math.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <uapi/linux/virtio_config.h>
#include <kunit/visibility.h>

#include "vblk_dev.h"
#include "vblk_file.h"
#include "vblk_nl.h"
#include "vblk_nl_gen.h"

/* The family is registered and notifications may be sent. */
static DECLARE_RWSEM(vblk_nl_up_lock);
static bool vblk_nl_up;

/* Upper bound of a dev-get message, the backing path excluded. */
#define VBLK_NL_QUEUE_SIZE						\
	(nla_total_size(0) + 6 * nla_total_size(sizeof(u32)) +		\
	 2 * nla_total_size(sizeof(u16)) + 2 * nla_total_size(sizeof(u64)))
#define VBLK_NL_HIST_SIZE						\
	(nla_total_size(0) + 2 * nla_total_size(sizeof(u32)) +		\
	 (1 + VBLK_HIST_BUCKETS) * nla_total_size(sizeof(u64)))
#define VBLK_NL_DEV_SIZE						\
	(nla_total_size(sizeof(u32)) +		/* id */		\
	 nla_total_size(VBLK_NAME_MAX) +	/* name */		\
	 nla_total_size(sizeof(u64)) +		/* capacity */		\
	 nla_total_size(sizeof(u8)) +		/* read-only */		\
	 nla_total_size(VBLK_SERIAL_LEN + 1) +	/* serial */		\
	 nla_total_size(sizeof(u8)) +		/* vmm-attached */	\
	 nla_total_size(sizeof(u32)) +		/* status */		\
	 nla_total_size(sizeof(u32)) +		/* queues */		\
	 nla_total_size(sizeof(u32)) +		/* cache */		\
	 2 * nla_total_size(sizeof(u64)) +	/* features */		\
	 VBLK_MAX_QUEUES * VBLK_NL_QUEUE_SIZE +				\
	 nla_total_size(0) + 13 * nla_total_size(sizeof(u64)) + /* stats */ \
	 nla_total_size(VBLK_NAME_MAX) +	/* group */		\
	 2 * VBLK_LAT_NR * VBLK_NL_HIST_SIZE +				\
	 VBLK_NL_THROTTLE_SIZE)

static size_t vblk_nl_dev_msg_size(void)
{
	return genlmsg_total_size(VBLK_NL_DEV_SIZE + nla_total_size(PATH_MAX));
}

/* ---- attribute parsing ---- */

/**
 * vblk_nl_parse_name() - check a name attribute (devices and groups)
 * @attr: the attribute
 * @extack: gets the reason, pointing at @attr
 *
 * Return: 0 or -EINVAL.
 */
int vblk_nl_parse_name(const struct nlattr *attr,
		       struct netlink_ext_ack *extack)
{
	const char *why;
	int err = vblk_dev_name_check(nla_data(attr), nla_len(attr), &why);

	if (err)
		NL_SET_ERR_MSG_ATTR_FMT(extack, attr, "%s", why);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_nl_parse_name);
/* KUnit checks the spec's bounds in the generated per-op policies. */
EXPORT_SYMBOL_IF_KUNIT(vblk_nl_family);

VISIBLE_IF_KUNIT int vblk_nl_parse_serial(const struct nlattr *attr,
					  char serial[VBLK_SERIAL_LEN],
					  struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);
	size_t len = strnlen(s, nla_len(attr));
	size_t i;

	/* The policy keeps it to VBLK_SERIAL_MAX characters. */
	static_assert(VBLK_SERIAL_MAX == VBLK_SERIAL_LEN);
	if (len > VBLK_SERIAL_LEN) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "serial: too long");
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "serial: only printable ASCII allowed");
			return -EINVAL;
		}
	}
	memset(serial, 0, VBLK_SERIAL_LEN);
	memcpy(serial, s, len);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_nl_parse_serial);

VISIBLE_IF_KUNIT int vblk_nl_parse_capacity(const struct nlattr *attr,
					    u64 *cap,
					    struct netlink_ext_ack *extack)
{
	u64 v = nla_get_uint(attr);

	if (!v || v % VBLK_SECTOR_SIZE) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "capacity: must be a non-zero multiple of 512");
		return -EINVAL;
	}
	*cap = v;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_nl_parse_capacity);

/* The capacity fits what the backing @file can serve. */
static int vblk_nl_check_capacity(struct file *file, const struct nlattr *attr,
				  u64 cap, struct netlink_ext_ack *extack)
{
	if (cap <= vblk_file_max_capacity(file))
		return 0;
	if (S_ISBLK(file_inode(file)->i_mode))
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "capacity: larger than the block device");
	else
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "capacity: larger than the file system allows");
	return -EINVAL;
}

/**
 * vblk_nl_obj_lookup() - the object a request names by id and/or name
 * @info: the request
 * @o: the kind of object
 *
 * Both, when given, must name the same object. Called with the object's
 * registry mutex held.
 *
 * Return: the object, or an ERR_PTR() with the extack set.
 */
void *vblk_nl_obj_lookup(struct genl_info *info, const struct vblk_nl_obj *o)
{
	struct nlattr *aid = info->attrs[o->id_attr];
	struct nlattr *aname = info->attrs[o->name_attr];
	struct netlink_ext_ack *extack = info->extack;
	void *x = NULL, *xn;

	if (!aid && !aname) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, o->name_attr);
		NL_SET_ERR_MSG_FMT(extack, "name: missing (give the %s's name or id)",
				   o->what);
		return ERR_PTR(-EINVAL);
	}
	if (aid) {
		x = o->by_id(nla_get_u32(aid));
		if (!x) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, aid, "id: no such %s",
						o->what);
			return ERR_PTR(-ENOENT);
		}
	}
	if (aname) {
		xn = o->by_name(nla_data(aname));
		if (!xn) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, aname, "name: no such %s",
						o->what);
			return ERR_PTR(-ENOENT);
		}
		if (x && x != xn) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, aname,
						"name: not the %s with this id",
						o->what);
			return ERR_PTR(-EINVAL);
		}
		x = xn;
	}
	return x;
}

static void *vblk_nl_dev_by_id(u32 id)
{
	return vblk_dev_find_id(id);
}

static void *vblk_nl_dev_by_name(const char *name)
{
	return vblk_dev_find_name(name);
}

static const struct vblk_nl_obj vblk_nl_dev_obj = {
	.id_attr = VBLK_A_DEV_ID,
	.name_attr = VBLK_A_DEV_NAME,
	.what = "device",
	.by_id = vblk_nl_dev_by_id,
	.by_name = vblk_nl_dev_by_name,
};

/*
 * The device a request names by id and/or name (both must agree). Called
 * with the registry mutex held.
 */
VISIBLE_IF_KUNIT struct vblk_device *vblk_nl_lookup(struct genl_info *info)
{
	return vblk_nl_obj_lookup(info, &vblk_nl_dev_obj);
}
EXPORT_SYMBOL_IF_KUNIT(vblk_nl_lookup);

/* ---- messages ---- */

static int vblk_nl_put_queues(struct sk_buff *skb, struct vblk_device *d)
{
	struct vblk_vdev *vd = &d->vdev;
	struct vblk_vq_snapshot qs;
	struct nlattr *nest;
	unsigned int q;

	for (q = 0; q < vblk_vdev_num_queues(vd); q++) {
		vblk_vdev_vq_snapshot(vd, q, &qs);
		nest = nla_nest_start(skb, VBLK_A_DEV_QUEUE);
		if (!nest)
			return -EMSGSIZE;
		if (nla_put_u32(skb, VBLK_A_QUEUE_INDEX, q) ||
		    nla_put_u32(skb, VBLK_A_QUEUE_SIZE, qs.num) ||
		    nla_put_u8(skb, VBLK_A_QUEUE_READY, qs.ready) ||
		    nla_put_u8(skb, VBLK_A_QUEUE_BROKEN, qs.broken) ||
		    nla_put_u8(skb, VBLK_A_QUEUE_THROTTLED, qs.throttled) ||
		    nla_put_u16(skb, VBLK_A_QUEUE_LAST_AVAIL_IDX,
				qs.last_avail_idx) ||
		    nla_put_u16(skb, VBLK_A_QUEUE_USED_IDX, qs.used_idx) ||
		    nla_put_uint(skb, VBLK_A_QUEUE_REQUESTS, qs.requests) ||
		    nla_put_uint(skb, VBLK_A_QUEUE_BYTES, qs.bytes) ||
		    nla_put_u32(skb, VBLK_A_QUEUE_INFLIGHT_PEAK,
				qs.inflight_peak)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	return 0;
}

static_assert(VBLK_LATENCY_BUCKETS == VBLK_HIST_BUCKETS);
static_assert((int)VBLK_OP_CLASS_WRITE_ZEROES == (int)VBLK_LAT_WRITE_ZEROES);

/* One latency histogram (a snapshot: its buckets are read one by one). */
static int vblk_nl_put_hist(struct sk_buff *skb, const struct vblk_hist *h,
			    unsigned int op, unsigned int kind)
{
	struct nlattr *nest = nla_nest_start(skb, VBLK_A_DEV_LATENCY);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VBLK_A_LATENCY_OP, op) ||
	    nla_put_u32(skb, VBLK_A_LATENCY_KIND, kind) ||
	    nla_put_uint(skb, VBLK_A_LATENCY_SUM_NS,
			 atomic64_read(&h->sum_ns)))
		goto cancel;
	for (i = 0; i < VBLK_HIST_BUCKETS; i++) {
		if (nla_put_uint(skb, VBLK_A_LATENCY_BUCKET,
				 atomic64_read(&h->b[i])))
			goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int vblk_nl_put_latency(struct sk_buff *skb,
			       const struct vblk_latency *lat)
{
	unsigned int c;

	for (c = 0; c < VBLK_LAT_NR; c++) {
		if (vblk_nl_put_hist(skb, &lat->service[c], c,
				     VBLK_LATENCY_KIND_SERVICE) ||
		    vblk_nl_put_hist(skb, &lat->throttled[c], c,
				     VBLK_LATENCY_KIND_THROTTLED))
			return -EMSGSIZE;
	}
	return 0;
}

static int vblk_nl_put_stats(struct sk_buff *skb, const struct vblk_stats *st)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, VBLK_A_DEV_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_uint(skb, VBLK_A_STATS_READS_COMPLETED,
			 atomic64_read(&st->reads_completed)) ||
	    nla_put_uint(skb, VBLK_A_STATS_WRITES_COMPLETED,
			 atomic64_read(&st->writes_completed)) ||
	    nla_put_uint(skb, VBLK_A_STATS_FLUSHES_COMPLETED,
			 atomic64_read(&st->flushes_completed)) ||
	    nla_put_uint(skb, VBLK_A_STATS_BYTES_READ,
			 atomic64_read(&st->bytes_read)) ||
	    nla_put_uint(skb, VBLK_A_STATS_BYTES_WRITTEN,
			 atomic64_read(&st->bytes_written)) ||
	    nla_put_uint(skb, VBLK_A_STATS_IO_ERRORS,
			 atomic64_read(&st->io_errors)) ||
	    nla_put_uint(skb, VBLK_A_STATS_THROTTLED_COUNT,
			 atomic64_read(&st->throttled_count)) ||
	    nla_put_uint(skb, VBLK_A_STATS_CURRENTLY_THROTTLED,
			 !!atomic64_read(&st->currently_throttled_gauge)) ||
	    nla_put_uint(skb, VBLK_A_STATS_INVALID_AVAIL_IDX_COUNT,
			 atomic64_read(&st->invalid_avail_idx_count)) ||
	    nla_put_uint(skb, VBLK_A_STATS_DISCARDS_COMPLETED,
			 atomic64_read(&st->discards_completed)) ||
	    nla_put_uint(skb, VBLK_A_STATS_BYTES_DISCARDED,
			 atomic64_read(&st->bytes_discarded)) ||
	    nla_put_uint(skb, VBLK_A_STATS_WRITE_ZEROES_COMPLETED,
			 atomic64_read(&st->write_zeroes_completed)) ||
	    nla_put_uint(skb, VBLK_A_STATS_BYTES_ZEROED,
			 atomic64_read(&st->bytes_zeroed))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One device as a dev-get message. @pathbuf is a PATH_MAX scratch buffer,
 * NULL to leave the backing path out; @cb is the dump's callback (NULL
 * for a do). Registry mutex held; no device lock is taken (see
 * vblk_dev_info()).
 */
static int vblk_nl_fill_dev(struct sk_buff *skb, struct vblk_device *d,
			    u32 portid, u32 seq, int flags,
			    struct netlink_callback *cb, char *pathbuf)
{
	struct vblk_dev_info di;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vblk_nl_family, flags,
			  VBLK_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	vblk_dev_info(d, &di, pathbuf, PATH_MAX);
	if (nla_put_u32(skb, VBLK_A_DEV_ID, di.id) ||
	    nla_put_string(skb, VBLK_A_DEV_NAME, di.name) ||
	    (di.path &&
	     nla_put_string(skb, VBLK_A_DEV_BACKING_PATH, di.path)) ||
	    nla_put_uint(skb, VBLK_A_DEV_CAPACITY, di.capacity) ||
	    nla_put_u8(skb, VBLK_A_DEV_READ_ONLY, di.read_only) ||
	    nla_put_string(skb, VBLK_A_DEV_SERIAL, di.serial) ||
	    nla_put_u8(skb, VBLK_A_DEV_VMM_ATTACHED, !!di.binding) ||
	    nla_put_u32(skb, VBLK_A_DEV_STATUS, di.status) ||
	    nla_put_uint(skb, VBLK_A_DEV_FEATURES, di.features) ||
	    nla_put_uint(skb, VBLK_A_DEV_DEVICE_FEATURES, di.device_features) ||
	    nla_put_u32(skb, VBLK_A_DEV_QUEUES, di.num_queues) ||
	    nla_put_u32(skb, VBLK_A_DEV_CACHE,
			di.writeback ? VBLK_CACHE_MODE_WRITEBACK :
				       VBLK_CACHE_MODE_WRITETHROUGH) ||
	    vblk_nl_put_queues(skb, d) ||
	    vblk_nl_put_stats(skb, di.stats) ||
	    vblk_nl_put_latency(skb, di.latency) ||
	    vblk_nl_put_throttle(skb, VBLK_A_DEV_THROTTLE, &di.limits) ||
	    (di.group && nla_put_string(skb, VBLK_A_DEV_GROUP, di.group))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* ---- operations ---- */

/**
 * struct vblk_nl_opts - the optional device attributes of add and set
 * @read_only: VBLK_A_DEV_READ_ONLY
 * @serial: VBLK_A_DEV_SERIAL
 * @capacity: VBLK_A_DEV_CAPACITY, in bytes
 * @throttle: VBLK_A_DEV_THROTTLE
 * @writethrough: VBLK_A_DEV_CACHE is writethrough
 */
struct vblk_nl_opts {
	bool read_only;
	char serial[VBLK_SERIAL_LEN];
	u64 capacity;
	struct vblk_throttle_cfg throttle;
	bool writethrough;
};

/* Validate every optional attribute present in @tb into @o. */
static int vblk_nl_parse_opts(struct nlattr **tb, struct vblk_nl_opts *o,
			      struct netlink_ext_ack *extack)
{
	int err = 0;

	/* The policy allows only 0 and 1. */
	if (tb[VBLK_A_DEV_READ_ONLY])
		o->read_only = nla_get_u8(tb[VBLK_A_DEV_READ_ONLY]);
	if (tb[VBLK_A_DEV_SERIAL])
		err = vblk_nl_parse_serial(tb[VBLK_A_DEV_SERIAL], o->serial,
					   extack);
	if (!err && tb[VBLK_A_DEV_CAPACITY])
		err = vblk_nl_parse_capacity(tb[VBLK_A_DEV_CAPACITY],
					     &o->capacity, extack);
	if (!err && tb[VBLK_A_DEV_THROTTLE])
		err = vblk_nl_parse_throttle(tb[VBLK_A_DEV_THROTTLE],
					     &o->throttle, extack);
	/* The policy allows only the enum's values. */
	if (tb[VBLK_A_DEV_CACHE])
		o->writethrough = nla_get_u32(tb[VBLK_A_DEV_CACHE]) ==
				  VBLK_CACHE_MODE_WRITETHROUGH;
	return err;
}

int vblk_nl_dev_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct vblk_blk_config cfg = { .num_queues = 1 };
	struct vblk_nl_opts opts = {};
	struct vblk_device *d;
	const char *why = "";
	struct sk_buff *msg;
	struct file *file;
	u64 cap;
	void *hdr;
	int err;

	if (VBLK_NL_REQUIRE(info, VBLK_A_DEV_NAME, "name: missing"))
		return -EINVAL;
	err = vblk_nl_parse_name(tb[VBLK_A_DEV_NAME], extack);
	if (err)
		return err;
	if (VBLK_NL_REQUIRE(info, VBLK_A_DEV_BACKING_FD, "backing-fd: missing"))
		return -EINVAL;
	err = vblk_nl_parse_opts(tb, &opts, extack);
	if (err)
		return err;
	cfg.read_only = opts.read_only;
	cfg.writethrough = opts.writethrough;
	memcpy(cfg.serial, opts.serial, sizeof(cfg.serial));
	if (tb[VBLK_A_DEV_QUEUES])
		cfg.num_queues = nla_get_u32(tb[VBLK_A_DEV_QUEUES]);
	cap = opts.capacity;

	file = fget(nla_get_s32(tb[VBLK_A_DEV_BACKING_FD]));
	if (!file) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_BACKING_FD],
				    "backing-fd: not an open file descriptor");
		return -EBADF;
	}
	err = vblk_file_check(file, cfg.read_only, &why);
	if (err) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VBLK_A_DEV_BACKING_FD],
					"backing-fd: %s", why);
		goto err_fput;
	}
	if (!cap) {
		cap = round_down(vblk_file_size(file), VBLK_SECTOR_SIZE);
		if (!cap) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_BACKING_FD],
					    "backing-fd: smaller than 512 bytes; give a capacity");
			err = -EINVAL;
			goto err_fput;
		}
	} else {
		err = vblk_nl_check_capacity(file, tb[VBLK_A_DEV_CAPACITY], cap,
					     extack);
		if (err)
			goto err_fput;
	}
	cfg.capacity = cap >> VBLK_SECTOR_SHIFT;
	vblk_file_probe(file, cfg.read_only, &cfg.caps);

	msg = genlmsg_new(genlmsg_total_size(nla_total_size(sizeof(u32)) +
					     nla_total_size(VBLK_NAME_MAX)),
			  GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto err_fput;
	}
	d = vblk_dev_add(nla_data(tb[VBLK_A_DEV_NAME]), file, &cfg,
			 tb[VBLK_A_DEV_THROTTLE] ? &opts.throttle : NULL);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_NAME],
					    "name: a device with this name exists");
		else
			NL_SET_ERR_MSG(extack, "could not create the device");
		nlmsg_free(msg);
		goto err_fput;
	}
	/* From here on the device owns the file. */
	hdr = genlmsg_iput(msg, info);
	if (!hdr || nla_put_u32(msg, VBLK_A_DEV_ID, d->id) ||
	    nla_put_string(msg, VBLK_A_DEV_NAME, d->name)) {
		/* Cannot happen: the message was sized for this. */
		vblk_dev_put(d);
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	vblk_dev_put(d);
	return genlmsg_reply(msg, info);

err_fput:
	fput(file);
	return err;
}

int vblk_nl_dev_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[VBLK_A_DEV_NAME] ?:
			      info->attrs[VBLK_A_DEV_ID];
	struct vblk_device *d;
	const char *why = "";
	int err;

	vblk_dev_lock();
	d = vblk_nl_lookup(info);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
	} else {
		err = vblk_dev_delete(d, !!info->attrs[VBLK_A_DEV_FORCE], &why);
		if (err)
			NL_SET_ERR_MSG_ATTR_FMT(info->extack, attr, "name: %s",
						why);
	}
	vblk_dev_unlock();
	return err;
}

int vblk_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vblk_device *d;
	struct sk_buff *msg;
	char *pathbuf;
	int err;

	msg = genlmsg_new(vblk_nl_dev_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	/* Backing paths are for privileged callers only. */
	pathbuf = netlink_capable(skb, CAP_SYS_ADMIN) ? __getname() : NULL;
	vblk_dev_lock();
	d = vblk_nl_lookup(info);
	if (IS_ERR(d))
		err = PTR_ERR(d);
	else
		err = vblk_nl_fill_dev(msg, d, info->snd_portid, info->snd_seq,
				       0, NULL, pathbuf);
	vblk_dev_unlock();
	if (pathbuf)
		__putname(pathbuf);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

struct vblk_nl_dump_ctx {
	unsigned long next_id;
};

int vblk_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vblk_nl_dump_ctx *ctx = (void *)cb->ctx;
	struct vblk_device *d;
	unsigned long id;
	char *pathbuf;
	int err = 0;

	NL_ASSERT_DUMP_CTX_FITS(struct vblk_nl_dump_ctx);
	pathbuf = netlink_capable(cb->skb, CAP_SYS_ADMIN) ? __getname() : NULL;
	vblk_dev_lock();
	cb->seq = vblk_dev_generation();
	for (id = ctx->next_id; (d = vblk_dev_next(&id)); id++) {
		err = vblk_nl_fill_dev(skb, d, NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI, cb,
				       pathbuf);
		if (err)
			break;
		ctx->next_id = id + 1;
	}
	vblk_dev_unlock();
	if (pathbuf)
		__putname(pathbuf);
	/* -EMSGSIZE with a non-empty skb means "more to come". */
	return err;
}

int vblk_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct vblk_nl_opts opts = {};
	struct vblk_device *d;
	const char *why = "";
	int err;

	if (!tb[VBLK_A_DEV_SERIAL] && !tb[VBLK_A_DEV_THROTTLE] &&
	    !tb[VBLK_A_DEV_CAPACITY] && !tb[VBLK_A_DEV_READ_ONLY] &&
	    !tb[VBLK_A_DEV_CACHE] && !tb[VBLK_A_DEV_GROUP]) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, VBLK_A_DEV_THROTTLE);
		NL_SET_ERR_MSG(extack, "throttle: missing (nothing to change)");
		return -EINVAL;
	}
	/* Validate everything before changing anything. */
	err = vblk_nl_parse_opts(tb, &opts, extack);
	if (err)
		return err;
	if (tb[VBLK_A_DEV_CACHE]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_CACHE],
				    "cache: set when the device is created (the driver switches it)");
		return -EOPNOTSUPP;
	}

	vblk_dev_lock();
	d = vblk_nl_lookup(info);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto out;
	}
	/* Read-only is fixed; restating it is allowed. */
	if (tb[VBLK_A_DEV_READ_ONLY] &&
	    opts.read_only != vblk_vdev_read_only(&d->vdev)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_READ_ONLY],
				    "read-only: cannot be changed on a live device");
		err = -EOPNOTSUPP;
		goto out;
	}
	if (tb[VBLK_A_DEV_CAPACITY]) {
		err = vblk_nl_check_capacity(vblk_dev_backing(d),
					     tb[VBLK_A_DEV_CAPACITY],
					     opts.capacity, extack);
		if (err)
			goto out;
	}
	/* The last check (the group must exist), then the first change. */
	if (tb[VBLK_A_DEV_GROUP]) {
		err = vblk_nl_dev_set_group(d, tb[VBLK_A_DEV_GROUP], extack);
		if (err)
			goto out;
	}
	if (tb[VBLK_A_DEV_THROTTLE]) {
		err = vblk_dev_set_limits(d, &opts.throttle, &why);
		if (err) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VBLK_A_DEV_THROTTLE],
						"%s", why);
			goto out;
		}
	}
	if (tb[VBLK_A_DEV_SERIAL])
		vblk_dev_set_serial(d, opts.serial);
	if (tb[VBLK_A_DEV_CAPACITY])
		vblk_dev_set_capacity(d, opts.capacity);
	if (tb[VBLK_A_DEV_THROTTLE] || tb[VBLK_A_DEV_SERIAL] ||
	    tb[VBLK_A_DEV_CAPACITY] || tb[VBLK_A_DEV_GROUP])
		vblk_dev_announce(d, VBLK_EVENT_TYPE_CHANGE);
	err = 0;
out:
	vblk_dev_unlock();
	return err;
}

/* ---- notifications ---- */

/**
 * vblk_nl_notify_event() - announce a device event to the monitor group
 * @d: the device
 * @type: what happened
 * @queue: the queue concerned, or -1
 *
 * Process context; takes no vblk lock, so it may be called with the
 * registry mutex, the attachment's locks, vdev->lock or a queue mutex
 * held. Cheap when nobody listens. Delivery is best effort (a listener
 * whose socket overflows sees ENOBUFS).
 */
void vblk_nl_notify_event(struct vblk_device *d, enum vblk_event_type type,
			  int queue)
{
	struct sk_buff *msg;
	void *hdr;

	/*
	 * Not once the family is going away: its group numbers are freed
	 * for other families (module exit deletes the devices after it).
	 */
	guard(rwsem_read)(&vblk_nl_up_lock);
	if (!vblk_nl_up ||
	    !genl_has_listeners(&vblk_nl_family, &init_net,
				VBLK_NLGRP_MONITOR))
		return;
	msg = genlmsg_new(3 * nla_total_size(sizeof(u32)) +
			  nla_total_size(VBLK_NAME_MAX), GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &vblk_nl_family, 0, VBLK_CMD_EVENT_NTF);
	if (!hdr ||
	    nla_put_u32(msg, VBLK_A_EVENT_TYPE, type) ||
	    nla_put_u32(msg, VBLK_A_EVENT_DEV_ID, d->id) ||
	    nla_put_string(msg, VBLK_A_EVENT_DEV_NAME, d->name) ||
	    (queue >= 0 && nla_put_u32(msg, VBLK_A_EVENT_QUEUE, queue))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&vblk_nl_family, &init_net, msg, 0,
				VBLK_NLGRP_MONITOR, GFP_KERNEL);
}

/**
 * vblk_nl_pre_admin() - the privilege check of the mutating operations
 * @ops: the operation
 * @skb: the request
 * @info: its attributes and extack
 *
 * dev-add, dev-del and dev-set change devices that are global to the host
 * and take file descriptors of backing stores: they need CAP_SYS_ADMIN in
 * the initial user namespace (as loop and nbd setup do), and are refused
 * from any other network namespace, so a container cannot manage them.
 *
 * Return: 0 or -EPERM.
 */
int vblk_nl_pre_admin(const struct genl_split_ops *ops, struct sk_buff *skb,
		      struct genl_info *info)
{
	if (!net_eq(genl_info_net(info), &init_net)) {
		NL_SET_ERR_MSG(info->extack,
			       "devices are managed from the initial network namespace only");
		return -EPERM;
	}
	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	return 0;
}

/*
 * The generated group table without the spec's admin-perm flag (the 6.12
 * YNL generator leaves multicast group flags out): joining the monitor
 * group needs CAP_NET_ADMIN.
 */
static const struct genl_multicast_group vblk_nl_mcgrps_cap[] = {
	[VBLK_NLGRP_MONITOR] = {
		.name = VBLK_MCGRP_MONITOR,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/**
 * vblk_nl_init() - register the vblk generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int vblk_nl_init(void)
{
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(vblk_nl_mcgrps_cap) != VBLK_NLGRP_MONITOR + 1);
	vblk_nl_family.mcgrps = vblk_nl_mcgrps_cap;
	err = genl_register_family(&vblk_nl_family);
	if (!err) {
		guard(rwsem_write)(&vblk_nl_up_lock);
		vblk_nl_up = true;
	}
	return err;
}

/**
 * vblk_nl_exit() - unregister the family (waits for running operations)
 *
 * Notifications stop first; vblk_nl_notify_event() is a no-op afterwards.
 */
void vblk_nl_exit(void)
{
	scoped_guard(rwsem_write, &vblk_nl_up_lock)
		vblk_nl_up = false;
	genl_unregister_family(&vblk_nl_family);
}
