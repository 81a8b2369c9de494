// SPDX-License-Identifier: GPL-2.0
/*
 * vblk generic netlink family: the handlers behind the generated ops table
 * (vblk_nl_gen.c, from Documentation/netlink/specs/vblk.yaml) and the
 * monitor notifications.
 *
 * Devices are global to the host. The family is visible in every network
 * namespace and reading is open to everyone; the mutating operations carry
 * GENL_ADMIN_PERM, which asks for CAP_NET_ADMIN in the initial user
 * namespace, so a container's root cannot manage host devices. Monitor
 * notifications are sent in the initial network namespace.
 *
 * Every refusal sets an extack message that starts with the name of the
 * offending attribute and points at it (or reports it missing).
 */
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/math.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <uapi/linux/virtio_config.h>

#include "vblk_attach.h"
#include "vblk_dev.h"
#include "vblk_file.h"
#include "vblk_nl.h"
#include "vblk_nl_gen.h"

/* Report a missing attribute @attr with the literal message @msg. */
#define VBLK_NL_REQUIRE(info, attr, msg) ({				\
	const struct genl_info *__i = (info);				\
	int __a = (attr);						\
	bool __miss = !__i->attrs[__a];					\
									\
	if (__miss) {							\
		NL_SET_ERR_ATTR_MISS(__i->extack, NULL, __a);		\
		NL_SET_ERR_MSG(__i->extack, msg);			\
	}								\
	__miss;								\
})

/* Upper bound of a dev-get message, the backing path excluded. */
#define VBLK_NL_QUEUE_SIZE						\
	(nla_total_size(0) + 5 * nla_total_size(sizeof(u32)) +		\
	 2 * nla_total_size(sizeof(u16)))
#define VBLK_NL_DEV_SIZE						\
	(nla_total_size(sizeof(u32)) +		/* id */		\
	 nla_total_size(VBLK_NAME_MAX) +	/* name */		\
	 nla_total_size(sizeof(u64)) +		/* capacity */		\
	 nla_total_size(sizeof(u8)) +		/* read-only */		\
	 nla_total_size(VBLK_SERIAL_LEN + 1) +	/* serial */		\
	 nla_total_size(sizeof(u8)) +		/* vmm-attached */	\
	 nla_total_size(sizeof(u32)) +		/* status */		\
	 nla_total_size(sizeof(u32)) +		/* queues */		\
	 2 * nla_total_size(sizeof(u64)) +	/* features */		\
	 VBLK_NUM_QUEUES * VBLK_NL_QUEUE_SIZE +				\
	 nla_total_size(0) + 9 * nla_total_size(sizeof(u64)) +	/* stats */ \
	 nla_total_size(0) + 4 * nla_total_size(sizeof(u64)))	/* throttle */

static size_t vblk_nl_dev_msg_size(void)
{
	return genlmsg_total_size(VBLK_NL_DEV_SIZE + nla_total_size(PATH_MAX));
}

/* ---- attribute parsing ---- */

static int vblk_nl_parse_name(const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	const char *name = nla_data(attr);
	size_t len = strnlen(name, nla_len(attr));

	if (!len) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "name: empty");
		return -EINVAL;
	}
	if (len >= VBLK_NAME_MAX) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, attr,
					"name: longer than %d characters",
					VBLK_NAME_MAX - 1);
		return -EINVAL;
	}
	if (!vblk_dev_name_valid(name)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "name: only A-Z a-z 0-9 _ . - allowed, not . or ..");
		return -EINVAL;
	}
	return 0;
}

static int vblk_nl_parse_serial(const struct nlattr *attr,
				char serial[VBLK_SERIAL_LEN],
				struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);
	size_t len = strnlen(s, nla_len(attr));
	size_t i;

	if (len > VBLK_SERIAL_LEN) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, attr,
					"serial: longer than %u characters",
					VBLK_SERIAL_LEN);
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

static int vblk_nl_parse_read_only(const struct nlattr *attr, bool *ro,
				   struct netlink_ext_ack *extack)
{
	u8 v = nla_get_u8(attr);

	if (v > 1) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "read-only: must be 0 or 1");
		return -EINVAL;
	}
	*ro = v;
	return 0;
}

static int vblk_nl_parse_capacity(const struct nlattr *attr, u64 *cap,
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

/* One rate/burst pair of the throttle nest. */
static int vblk_nl_parse_bucket(struct nlattr **tb, int rate_attr,
				int burst_attr, const char *rate_name,
				u64 *rate, u64 *burst,
				struct netlink_ext_ack *extack)
{
	struct nlattr *r = tb[rate_attr], *b = tb[burst_attr];

	*rate = r ? nla_get_uint(r) : 0;
	*burst = b ? nla_get_uint(b) : 0;
	if (r && !*rate) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, r,
					"%s: must be non-zero (omit it for no limit)",
					rate_name);
		return -EINVAL;
	}
	if (b && !r) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, b, "%s-burst: given without %s",
					rate_name, rate_name);
		return -EINVAL;
	}
	if (b && *burst < *rate) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, b, "%s-burst: below %s",
					rate_name, rate_name);
		return -EINVAL;
	}
	return 0;
}

static int vblk_nl_parse_throttle(struct nlattr *nest,
				  struct vblk_throttle_cfg *cfg,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VBLK_A_THROTTLE_MAX + 1];
	const char *why = "invalid limits";
	int err;

	err = nla_parse_nested(tb, VBLK_A_THROTTLE_MAX, nest,
			       vblk_throttle_nl_policy, extack);
	if (err)
		return err;
	err = vblk_nl_parse_bucket(tb, VBLK_A_THROTTLE_IOPS,
				   VBLK_A_THROTTLE_IOPS_BURST, "iops",
				   &cfg->iops, &cfg->iops_burst, extack);
	if (err)
		return err;
	err = vblk_nl_parse_bucket(tb, VBLK_A_THROTTLE_BPS,
				   VBLK_A_THROTTLE_BPS_BURST, "bps",
				   &cfg->bps, &cfg->bps_burst, extack);
	if (err)
		return err;
	err = vblk_throttle_check(cfg, &why);
	if (err)
		NL_SET_ERR_MSG_ATTR_FMT(extack, nest, "throttle: %s", why);
	return err;
}

/*
 * The device named by id and/or name (both must agree). Called with the
 * registry mutex held.
 */
static struct vblk_device *vblk_nl_lookup(struct genl_info *info)
{
	struct nlattr *aid = info->attrs[VBLK_A_DEV_ID];
	struct nlattr *aname = info->attrs[VBLK_A_DEV_NAME];
	struct netlink_ext_ack *extack = info->extack;
	struct vblk_device *d = NULL, *dn;

	if (!aid && !aname) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, VBLK_A_DEV_NAME);
		NL_SET_ERR_MSG(extack, "name: missing (give the device's name or id)");
		return ERR_PTR(-EINVAL);
	}
	if (aid) {
		d = vblk_dev_find_id(nla_get_u32(aid));
		if (!d) {
			NL_SET_ERR_MSG_ATTR(extack, aid, "id: no such device");
			return ERR_PTR(-ENOENT);
		}
	}
	if (aname) {
		dn = vblk_dev_find_name(nla_data(aname));
		if (!dn) {
			NL_SET_ERR_MSG_ATTR(extack, aname, "name: no such device");
			return ERR_PTR(-ENOENT);
		}
		if (d && d != dn) {
			NL_SET_ERR_MSG_ATTR(extack, aname,
					    "name: not the device with this id");
			return ERR_PTR(-EINVAL);
		}
		d = dn;
	}
	return d;
}

/* ---- messages ---- */

/*
 * Copy a serial byte by byte with marked accesses: the data path reads
 * vd->cfg.serial without the registry mutex (see vblk_nl_set_serial()).
 */
static void vblk_nl_copy_serial(char *dst, const char *src)
{
	unsigned int i;

	for (i = 0; i < VBLK_SERIAL_LEN; i++)
		WRITE_ONCE(dst[i], READ_ONCE(src[i]));
}

static int vblk_nl_put_queues(struct sk_buff *skb, struct vblk_vdev *vd)
{
	struct nlattr *nest;
	unsigned int q;

	for (q = 0; q < VBLK_NUM_QUEUES; q++) {
		/*
		 * A lockless snapshot, for display only: vd->lock and the
		 * queue mutex can be held for as long as the VMM's memory
		 * takes to fault in, and the registry mutex is held here.
		 */
		const struct vblk_vq *vq = &vd->vqs[q];

		nest = nla_nest_start(skb, VBLK_A_DEV_QUEUE);
		if (!nest)
			return -EMSGSIZE;
		if (nla_put_u32(skb, VBLK_A_QUEUE_INDEX, q) ||
		    nla_put_u32(skb, VBLK_A_QUEUE_SIZE, READ_ONCE(vq->num)) ||
		    nla_put_u8(skb, VBLK_A_QUEUE_READY, READ_ONCE(vq->ready)) ||
		    nla_put_u8(skb, VBLK_A_QUEUE_BROKEN, READ_ONCE(vq->broken)) ||
		    nla_put_u8(skb, VBLK_A_QUEUE_THROTTLED,
			       READ_ONCE(vq->throttled)) ||
		    nla_put_u16(skb, VBLK_A_QUEUE_LAST_AVAIL_IDX,
				READ_ONCE(vq->last_avail_idx)) ||
		    nla_put_u16(skb, VBLK_A_QUEUE_USED_IDX,
				READ_ONCE(vq->used_idx))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	return 0;
}

static int vblk_nl_put_stats(struct sk_buff *skb, struct vblk_stats *st)
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
			 atomic64_read(&st->currently_throttled_gauge)) ||
	    nla_put_uint(skb, VBLK_A_STATS_INVALID_AVAIL_IDX_COUNT,
			 atomic64_read(&st->invalid_avail_idx_count))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Limits that are set; an unlimited device gets an empty nest. */
static int vblk_nl_put_throttle(struct sk_buff *skb, struct vblk_throttle *t)
{
	struct vblk_throttle_cfg cfg;
	struct nlattr *nest;

	vblk_throttle_get(t, &cfg);
	nest = nla_nest_start(skb, VBLK_A_DEV_THROTTLE);
	if (!nest)
		return -EMSGSIZE;
	if ((cfg.iops &&
	     (nla_put_uint(skb, VBLK_A_THROTTLE_IOPS, cfg.iops) ||
	      nla_put_uint(skb, VBLK_A_THROTTLE_IOPS_BURST, cfg.iops_burst))) ||
	    (cfg.bps &&
	     (nla_put_uint(skb, VBLK_A_THROTTLE_BPS, cfg.bps) ||
	      nla_put_uint(skb, VBLK_A_THROTTLE_BPS_BURST, cfg.bps_burst)))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One device as a dev-get message. @pathbuf is a PATH_MAX scratch buffer;
 * @cb is the dump's callback (NULL for a do). Registry mutex held.
 */
static int vblk_nl_fill_dev(struct sk_buff *skb, struct vblk_device *d,
			    u32 portid, u32 seq, int flags,
			    struct netlink_callback *cb, char *pathbuf)
{
	struct vblk_vdev *vd = &d->vdev;
	char serial[VBLK_SERIAL_LEN + 1];
	u64 features;
	char *path;
	void *hdr;
	u32 status;

	hdr = genlmsg_put(skb, portid, seq, &vblk_nl_family, flags,
			  VBLK_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	/*
	 * Lockless: vd->lock may be held by an MMIO access waiting for the
	 * worker's pass, which can wait on the VMM's memory indefinitely.
	 * Status and features are a snapshot (features read as 0 until
	 * FEATURES_OK); the serial only changes under the registry mutex.
	 */
	status = READ_ONCE(vd->status);
	features = (status & VIRTIO_CONFIG_S_FEATURES_OK) ?
		   READ_ONCE(vd->features) : 0;
	vblk_nl_copy_serial(serial, vd->cfg.serial);
	serial[VBLK_SERIAL_LEN] = '\0';

	path = d_path(&d->backing->f_path, pathbuf, PATH_MAX);

	if (nla_put_u32(skb, VBLK_A_DEV_ID, d->id) ||
	    nla_put_string(skb, VBLK_A_DEV_NAME, d->name) ||
	    (!IS_ERR(path) &&
	     nla_put_string(skb, VBLK_A_DEV_BACKING_PATH, path)) ||
	    nla_put_uint(skb, VBLK_A_DEV_CAPACITY, d->capacity) ||
	    nla_put_u8(skb, VBLK_A_DEV_READ_ONLY, vd->cfg.read_only) ||
	    nla_put_string(skb, VBLK_A_DEV_SERIAL, serial) ||
	    nla_put_u8(skb, VBLK_A_DEV_VMM_ATTACHED, vblk_attach_busy(d)) ||
	    nla_put_u32(skb, VBLK_A_DEV_STATUS, status) ||
	    nla_put_uint(skb, VBLK_A_DEV_FEATURES, features) ||
	    nla_put_uint(skb, VBLK_A_DEV_DEVICE_FEATURES,
			 vblk_vdev_features(vd)) ||
	    nla_put_u32(skb, VBLK_A_DEV_QUEUES, VBLK_NUM_QUEUES) ||
	    vblk_nl_put_queues(skb, vd) ||
	    vblk_nl_put_stats(skb, &vd->stats) ||
	    vblk_nl_put_throttle(skb, &vd->throttle)) {
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
 */
struct vblk_nl_opts {
	bool read_only;
	char serial[VBLK_SERIAL_LEN];
	u64 capacity;
	struct vblk_throttle_cfg throttle;
};

/* Validate every optional attribute present in @tb into @o. */
static int vblk_nl_parse_opts(struct nlattr **tb, struct vblk_nl_opts *o,
			      struct netlink_ext_ack *extack)
{
	int err = 0;

	if (tb[VBLK_A_DEV_READ_ONLY])
		err = vblk_nl_parse_read_only(tb[VBLK_A_DEV_READ_ONLY],
					      &o->read_only, extack);
	if (!err && tb[VBLK_A_DEV_SERIAL])
		err = vblk_nl_parse_serial(tb[VBLK_A_DEV_SERIAL], o->serial,
					   extack);
	if (!err && tb[VBLK_A_DEV_CAPACITY])
		err = vblk_nl_parse_capacity(tb[VBLK_A_DEV_CAPACITY],
					     &o->capacity, extack);
	if (!err && tb[VBLK_A_DEV_THROTTLE])
		err = vblk_nl_parse_throttle(tb[VBLK_A_DEV_THROTTLE],
					     &o->throttle, extack);
	return err;
}

int vblk_nl_dev_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct vblk_throttle_cfg tcfg = {};
	struct vblk_vdev_config cfg = {};
	struct vblk_nl_opts opts = {};
	struct vblk_device *d;
	const char *why = "";
	struct sk_buff *msg;
	struct file *file;
	u64 cap = 0;
	void *hdr;
	int err;

	if (VBLK_NL_REQUIRE(info, VBLK_A_DEV_NAME, "name: missing"))
		return -EINVAL;
	err = vblk_nl_parse_name(tb[VBLK_A_DEV_NAME], extack);
	if (err)
		return err;
	if (VBLK_NL_REQUIRE(info, VBLK_A_DEV_BACKING_FD, "backing-fd: missing"))
		return -EINVAL;
	if (tb[VBLK_A_DEV_QUEUES] &&
	    nla_get_u32(tb[VBLK_A_DEV_QUEUES]) != VBLK_NUM_QUEUES) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_QUEUES],
				    "queues: only 1 is supported");
		return -EOPNOTSUPP;
	}
	err = vblk_nl_parse_opts(tb, &opts, extack);
	if (err)
		return err;
	cfg.read_only = opts.read_only;
	memcpy(cfg.serial, opts.serial, sizeof(cfg.serial));
	cap = opts.capacity;
	tcfg = opts.throttle;

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
	} else if (cap > vblk_file_max_capacity(file)) {
		if (S_ISBLK(file_inode(file)->i_mode))
			NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_CAPACITY],
					    "capacity: larger than the block device");
		else
			NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_CAPACITY],
					    "capacity: larger than the file system allows");
		err = -EINVAL;
		goto err_fput;
	}
	cfg.capacity = cap >> VBLK_SECTOR_SHIFT;

	msg = genlmsg_new(genlmsg_total_size(nla_total_size(sizeof(u32)) +
					     nla_total_size(VBLK_NAME_MAX)),
			  GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto err_fput;
	}
	d = vblk_dev_create(nla_data(tb[VBLK_A_DEV_NAME]), file, &cfg);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto err_free_msg;
	}
	/* From here on the device owns the file. */
	if (tb[VBLK_A_DEV_THROTTLE]) {
		err = vblk_throttle_set(&d->vdev.throttle, &tcfg, &why);
		if (err) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VBLK_A_DEV_THROTTLE],
						"throttle: %s", why);
			goto err_put;
		}
	}

	vblk_dev_lock();
	err = vblk_dev_register(d);
	if (err) {
		vblk_dev_unlock();
		if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_NAME],
					    "name: a device with this name exists");
		else
			NL_SET_ERR_MSG(extack, "could not register the device");
		goto err_put;
	}
	hdr = genlmsg_iput(msg, info);
	if (WARN_ON_ONCE(!hdr) ||
	    nla_put_u32(msg, VBLK_A_DEV_ID, d->id) ||
	    nla_put_string(msg, VBLK_A_DEV_NAME, d->name)) {
		/* Cannot happen: the message was sized for this. */
		vblk_dev_unregister(d);
		vblk_dev_unlock();
		vblk_dev_put(d);
		err = -EMSGSIZE;
		goto err_put;
	}
	genlmsg_end(msg, hdr);
	vblk_nl_notify_event(d, VBLK_EVENT_TYPE_ADD, -1);
	vblk_dev_unlock();
	vblk_dev_put(d);
	return genlmsg_reply(msg, info);

err_put:
	vblk_dev_put(d);
	nlmsg_free(msg);
	return err;
err_free_msg:
	nlmsg_free(msg);
err_fput:
	fput(file);
	return err;
}

int vblk_nl_dev_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vblk_device *d;
	struct nlattr *attr = info->attrs[VBLK_A_DEV_NAME] ?:
			      info->attrs[VBLK_A_DEV_ID];
	int err;

	vblk_dev_lock();
	d = vblk_nl_lookup(info);
	if (IS_ERR(d)) {
		vblk_dev_unlock();
		return PTR_ERR(d);
	}
	/* Releases the registry mutex before it waits for the VMM. */
	err = vblk_dev_delete(d, !!info->attrs[VBLK_A_DEV_FORCE]);
	if (err == -EBUSY)
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "name: a VMM is attached (use force)");
	else if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "name: already being deleted");
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
	pathbuf = __getname();
	if (!pathbuf) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	vblk_dev_lock();
	d = vblk_nl_lookup(info);
	if (IS_ERR(d))
		err = PTR_ERR(d);
	else
		err = vblk_nl_fill_dev(msg, d, info->snd_portid, info->snd_seq,
				       0, NULL, pathbuf);
	vblk_dev_unlock();
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
	pathbuf = __getname();
	if (!pathbuf)
		return -ENOMEM;
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
	__putname(pathbuf);
	/* -EMSGSIZE with a non-empty skb means "more to come". */
	return err;
}

/*
 * Replace the serial. Writers are serialised by the registry mutex (held
 * by the caller), as are dev-get's readers. The worker's GET_ID copies the
 * serial without a lock: waiting for its pass would let a VMM stall the
 * registry. A GET_ID racing with a change may return a mix of bytes of
 * the old and the new serial (an identification string, not data).
 */
static void vblk_nl_set_serial(struct vblk_vdev *vd,
			       const char serial[VBLK_SERIAL_LEN])
{
	vblk_nl_copy_serial(vd->cfg.serial, serial);
}

int vblk_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct vblk_throttle_cfg tcfg = {};
	struct vblk_nl_opts opts = {};
	char serial[VBLK_SERIAL_LEN];
	struct vblk_device *d;
	const char *why = "";
	bool ro;
	u64 cap;
	int err;

	if (!tb[VBLK_A_DEV_SERIAL] && !tb[VBLK_A_DEV_THROTTLE] &&
	    !tb[VBLK_A_DEV_CAPACITY] && !tb[VBLK_A_DEV_READ_ONLY]) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, VBLK_A_DEV_THROTTLE);
		NL_SET_ERR_MSG(extack, "throttle: missing (nothing to change)");
		return -EINVAL;
	}
	/* Validate everything before changing anything. */
	err = vblk_nl_parse_opts(tb, &opts, extack);
	if (err)
		return err;
	memcpy(serial, opts.serial, sizeof(serial));
	tcfg = opts.throttle;
	cap = opts.capacity;
	ro = opts.read_only;

	vblk_dev_lock();
	d = vblk_nl_lookup(info);
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto out;
	}
	/* Capacity and read-only are fixed; restating them is allowed. */
	if (tb[VBLK_A_DEV_CAPACITY] && cap != d->capacity) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_CAPACITY],
				    "capacity: cannot be changed on a live device");
		err = -EOPNOTSUPP;
		goto out;
	}
	if (tb[VBLK_A_DEV_READ_ONLY] && ro != d->vdev.cfg.read_only) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VBLK_A_DEV_READ_ONLY],
				    "read-only: cannot be changed on a live device");
		err = -EOPNOTSUPP;
		goto out;
	}
	if (tb[VBLK_A_DEV_THROTTLE]) {
		err = vblk_throttle_set(&d->vdev.throttle, &tcfg, &why);
		if (err) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[VBLK_A_DEV_THROTTLE],
						"throttle: %s", why);
			goto out;
		}
	}
	if (tb[VBLK_A_DEV_SERIAL])
		vblk_nl_set_serial(&d->vdev, serial);
	if (tb[VBLK_A_DEV_THROTTLE] || tb[VBLK_A_DEV_SERIAL])
		vblk_nl_notify_event(d, VBLK_EVENT_TYPE_CHANGE, -1);
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

	if (!genl_has_listeners(&vblk_nl_family, &init_net,
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
 * vblk_nl_notify_vdev_event() - announce a device model event
 * @d: the device
 * @queue: the queue the event is about
 * @ev: the device model's event
 *
 * For the host ops' event callback; same context rules as
 * vblk_nl_notify_event().
 */
void vblk_nl_notify_vdev_event(struct vblk_device *d, unsigned int queue,
			       enum vblk_event ev)
{
	enum vblk_event_type type;

	switch (ev) {
	case VBLK_EV_THROTTLE_START:
		type = VBLK_EVENT_TYPE_THROTTLE_START;
		break;
	case VBLK_EV_THROTTLE_STOP:
		type = VBLK_EVENT_TYPE_THROTTLE_STOP;
		break;
	case VBLK_EV_QUEUE_BROKEN:
		type = VBLK_EVENT_TYPE_QUEUE_BROKEN;
		break;
	default:
		return;
	}
	vblk_nl_notify_event(d, type, queue);
}

/**
 * vblk_nl_init() - register the vblk generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int vblk_nl_init(void)
{
	return genl_register_family(&vblk_nl_family);
}

/**
 * vblk_nl_exit() - unregister the family (waits for running operations)
 */
void vblk_nl_exit(void)
{
	genl_unregister_family(&vblk_nl_family);
}
