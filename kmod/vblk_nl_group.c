// SPDX-License-Identifier: GPL-2.0
/*
 * vblk generic netlink family: limits and limit groups. The throttle nest
 * (a device's limits and a group's), the group operations, and a device's
 * move into or out of a group.
 *
 * Lock order: the device registry's mutex, then the group registry's.
 * Group membership changes hold both, so a group that has members cannot
 * be deleted and a device's group stays valid under either.
 */
#include <linux/err.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <kunit/visibility.h>

#include "vblk_dev.h"
#include "vblk_group.h"
#include "vblk_nl.h"
#include "vblk_nl_gen.h"

/* The throttle attributes of each limit, rate and burst. */
static const struct vblk_nl_limit {
	int rate;
	int burst;
	const char *name;
	size_t rate_off;
	size_t burst_off;
} vblk_nl_limits[] = {
#define VBLK_NL_LIMIT(attr, field, name) {				\
	VBLK_A_THROTTLE_##attr, VBLK_A_THROTTLE_##attr##_BURST, name,	\
	offsetof(struct vblk_throttle_cfg, field),			\
	offsetof(struct vblk_throttle_cfg, field##_burst) }
	VBLK_NL_LIMIT(IOPS, iops, "iops"),
	VBLK_NL_LIMIT(BPS, bps, "bps"),
	VBLK_NL_LIMIT(IOPS_READ, iops_read, "iops-read"),
	VBLK_NL_LIMIT(IOPS_WRITE, iops_write, "iops-write"),
	VBLK_NL_LIMIT(BPS_READ, bps_read, "bps-read"),
	VBLK_NL_LIMIT(BPS_WRITE, bps_write, "bps-write"),
#undef VBLK_NL_LIMIT
};

/* The policy's bounds are the buckets' own. */
static_assert(VBLK_RATE_MAX == VBLK_THROTTLE_RATE_MAX);
static_assert(VBLK_BURST_MAX == VBLK_THROTTLE_BURST_MAX);

static u64 *vblk_nl_cfg(struct vblk_throttle_cfg *cfg, size_t off)
{
	return (u64 *)((char *)cfg + off);
}

/*
 * The attribute of the throttle nest a refusal names ("bps-burst: below
 * bps" points at bps-burst), or the nest itself.
 */
static const struct nlattr *vblk_nl_named_attr(struct nlattr **tb,
					       const struct nlattr *nest,
					       const char *why)
{
	size_t n = strcspn(why, ":");
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vblk_nl_limits); i++) {
		const struct vblk_nl_limit *l = &vblk_nl_limits[i];
		size_t len = strlen(l->name);

		if (strncmp(why, l->name, len))
			continue;
		if (n == len && tb[l->rate])
			return tb[l->rate];
		if (n == len + 6 && !strncmp(why + len, "-burst", 6) &&
		    tb[l->burst])
			return tb[l->burst];
	}
	return nest;
}

/**
 * vblk_nl_parse_throttle() - the throttle nest of a request
 * @nest: the nest
 * @cfg: the limits (zeroed by the caller): the nest replaces them all
 * @extack: gets the reason on refusal
 *
 * The policy (the spec's checks) bounds each value on its own: a rate
 * given explicitly is 1 to VBLK_RATE_MAX (omitting it means no limit), a
 * burst at most VBLK_BURST_MAX. The rules between a rate and its burst
 * are vblk_throttle_check()'s; its refusal points at the attribute its
 * reason names.
 *
 * Return: 0 or a negative errno.
 */
int vblk_nl_parse_throttle(struct nlattr *nest, struct vblk_throttle_cfg *cfg,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VBLK_A_THROTTLE_MAX + 1];
	const char *why = "invalid limits";
	unsigned int i;
	int err;

	err = nla_parse_nested(tb, VBLK_A_THROTTLE_MAX, nest,
			       vblk_throttle_nl_policy, extack);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(vblk_nl_limits); i++) {
		const struct vblk_nl_limit *l = &vblk_nl_limits[i];

		if (tb[l->rate])
			*vblk_nl_cfg(cfg, l->rate_off) =
				nla_get_uint(tb[l->rate]);
		if (tb[l->burst])
			*vblk_nl_cfg(cfg, l->burst_off) =
				nla_get_uint(tb[l->burst]);
	}
	err = vblk_throttle_check(cfg, &why);
	if (err)
		NL_SET_ERR_MSG_ATTR_FMT(extack, vblk_nl_named_attr(tb, nest, why),
					"%s", why);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(vblk_nl_parse_throttle);
/* KUnit checks the spec's bounds in the generated nest policy. */
EXPORT_SYMBOL_IF_KUNIT(vblk_throttle_nl_policy);

/**
 * vblk_nl_put_throttle() - limits as a throttle nest
 * @skb: the message
 * @type: the nest's attribute type
 * @cfg: the limits; those set are put, rate and burst (an unlimited
 *	device or group gets an empty nest)
 *
 * Return: 0 or -EMSGSIZE.
 */
int vblk_nl_put_throttle(struct sk_buff *skb, int type,
			 const struct vblk_throttle_cfg *cfg)
{
	struct vblk_throttle_cfg c = *cfg;
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(vblk_nl_limits); i++) {
		const struct vblk_nl_limit *l = &vblk_nl_limits[i];
		u64 rate = *vblk_nl_cfg(&c, l->rate_off);

		if (rate &&
		    (nla_put_uint(skb, l->rate, rate) ||
		     nla_put_uint(skb, l->burst,
				  *vblk_nl_cfg(&c, l->burst_off)))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * vblk_nl_dev_set_group() - dev-set's group attribute
 * @d: the device (device registry mutex held)
 * @attr: the group's name, "" for none
 * @extack: gets the reason on refusal
 *
 * Return: 0, or -ENOENT for a group that does not exist (nothing
 * changed).
 */
int vblk_nl_dev_set_group(struct vblk_device *d, const struct nlattr *attr,
			  struct netlink_ext_ack *extack)
{
	struct vblk_group *g = NULL;
	int err = 0;

	vblk_group_lock();
	if (strnlen(nla_data(attr), nla_len(attr))) {
		g = vblk_group_find(nla_data(attr));
		if (!g) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "group: no such group");
			err = -ENOENT;
		}
	}
	if (!err)
		vblk_dev_set_group(d, g);
	vblk_group_unlock();
	return err;
}

/* ---- the group operations ---- */

static void *vblk_nl_group_by_id(u32 id)
{
	unsigned long i = id;
	struct vblk_group *g = vblk_group_next(&i);

	return g && i == id ? g : NULL;
}

static void *vblk_nl_group_by_name(const char *name)
{
	return vblk_group_find(name);
}

static const struct vblk_nl_obj vblk_nl_group_obj = {
	.id_attr = VBLK_A_GROUP_ID,
	.name_attr = VBLK_A_GROUP_NAME,
	.what = "group",
	.by_id = vblk_nl_group_by_id,
	.by_name = vblk_nl_group_by_name,
};

/* Upper bound of a group-get message for @members devices. */
static size_t vblk_nl_group_size(unsigned int members)
{
	return genlmsg_total_size(nla_total_size(sizeof(u32)) +
				  nla_total_size(VBLK_NAME_MAX) +
				  VBLK_NL_THROTTLE_SIZE +
				  2 * nla_total_size(sizeof(u32)) +
				  members * nla_total_size(VBLK_NAME_MAX) +
				  3 * nla_total_size(sizeof(u64)));
}

/* The member names: every listed device whose group is @g. */
static int vblk_nl_put_members(struct sk_buff *skb, struct vblk_group *g)
{
	struct vblk_device *d;
	unsigned long id;

	for (id = 0; (d = vblk_dev_next(&id)); id++) {
		if (vblk_dev_group(d) == g &&
		    nla_put_string(skb, VBLK_A_GROUP_MEMBER, d->name))
			return -EMSGSIZE;
	}
	return 0;
}

/* One group as a group-get message (both registry mutexes held). */
static int vblk_nl_fill_group(struct sk_buff *skb, struct vblk_group *g,
			      u32 portid, u32 seq, int flags,
			      struct netlink_callback *cb)
{
	struct vblk_group_info gi;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vblk_nl_family, flags,
			  VBLK_CMD_GROUP_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	vblk_group_get_info(g, &gi);
	if (nla_put_u32(skb, VBLK_A_GROUP_ID, gi.id) ||
	    nla_put_string(skb, VBLK_A_GROUP_NAME, gi.name) ||
	    vblk_nl_put_throttle(skb, VBLK_A_GROUP_THROTTLE, &gi.limits) ||
	    nla_put_u32(skb, VBLK_A_GROUP_MEMBERS, gi.members) ||
	    vblk_nl_put_members(skb, g) ||
	    nla_put_u32(skb, VBLK_A_GROUP_WAITING, gi.waiting) ||
	    nla_put_uint(skb, VBLK_A_GROUP_OPS, gi.stats.ops) ||
	    nla_put_uint(skb, VBLK_A_GROUP_BYTES, gi.stats.bytes) ||
	    nla_put_uint(skb, VBLK_A_GROUP_WAITS, gi.stats.waits)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int vblk_nl_group_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *aname = info->attrs[VBLK_A_GROUP_NAME];
	struct vblk_throttle_cfg cfg = {};
	const char *why = "could not create the group";
	struct vblk_group *g;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (VBLK_NL_REQUIRE(info, VBLK_A_GROUP_NAME, "name: missing"))
		return -EINVAL;
	err = vblk_nl_parse_name(aname, extack);
	if (err)
		return err;
	if (!strcmp(nla_data(aname), "none")) {
		NL_SET_ERR_MSG_ATTR(extack, aname,
				    "name: \"none\" is reserved (a device's group none is no group)");
		return -EINVAL;
	}
	if (info->attrs[VBLK_A_GROUP_THROTTLE]) {
		err = vblk_nl_parse_throttle(info->attrs[VBLK_A_GROUP_THROTTLE],
					     &cfg, extack);
		if (err)
			return err;
	}
	msg = genlmsg_new(vblk_nl_group_size(0), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	vblk_group_lock();
	if (vblk_group_find(nla_data(aname))) {
		NL_SET_ERR_MSG_ATTR(extack, aname,
				    "name: a group with this name exists");
		err = -EEXIST;
		goto err_unlock;
	}
	g = vblk_group_add(nla_data(aname), &cfg, &why);
	if (IS_ERR(g)) {
		NL_SET_ERR_MSG_FMT(extack, "%s", why);
		err = PTR_ERR(g);
		goto err_unlock;
	}
	hdr = genlmsg_iput(msg, info);
	if (!hdr || nla_put_u32(msg, VBLK_A_GROUP_ID, g->id) ||
	    nla_put_string(msg, VBLK_A_GROUP_NAME, g->name)) {
		/* Cannot happen: the message was sized for this. */
		err = -EMSGSIZE;
		goto err_unlock;
	}
	genlmsg_end(msg, hdr);
	vblk_group_unlock();
	return genlmsg_reply(msg, info);

err_unlock:
	vblk_group_unlock();
	nlmsg_free(msg);
	return err;
}

int vblk_nl_group_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[VBLK_A_GROUP_NAME] ?:
			      info->attrs[VBLK_A_GROUP_ID];
	const char *why = "";
	struct vblk_group *g;
	int err;

	vblk_group_lock();
	g = vblk_nl_obj_lookup(info, &vblk_nl_group_obj);
	if (IS_ERR(g)) {
		err = PTR_ERR(g);
	} else {
		err = vblk_group_del(g, &why);
		if (err)
			NL_SET_ERR_MSG_ATTR_FMT(info->extack, attr, "name: %s",
						why);
	}
	vblk_group_unlock();
	return err;
}

int vblk_nl_group_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vblk_group_info gi;
	struct vblk_group *g;
	struct sk_buff *msg = NULL;
	int err;

	vblk_dev_lock();
	vblk_group_lock();
	g = vblk_nl_obj_lookup(info, &vblk_nl_group_obj);
	if (IS_ERR(g)) {
		err = PTR_ERR(g);
		goto out;
	}
	vblk_group_get_info(g, &gi);
	msg = genlmsg_new(vblk_nl_group_size(gi.members), GFP_KERNEL);
	err = msg ? vblk_nl_fill_group(msg, g, info->snd_portid,
				       info->snd_seq, 0, NULL) : -ENOMEM;
out:
	vblk_group_unlock();
	vblk_dev_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

struct vblk_nl_group_dump {
	unsigned long next_id;
};

int vblk_nl_group_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vblk_nl_group_dump *ctx = (void *)cb->ctx;
	struct vblk_group *g;
	unsigned long id;
	int err = 0;

	NL_ASSERT_DUMP_CTX_FITS(struct vblk_nl_group_dump);
	vblk_dev_lock();
	vblk_group_lock();
	/* It moves with membership changes too. */
	cb->seq = vblk_group_generation();
	for (id = ctx->next_id; (g = vblk_group_next(&id)); id++) {
		err = vblk_nl_fill_group(skb, g, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err)
			break;
		ctx->next_id = id + 1;
	}
	vblk_group_unlock();
	vblk_dev_unlock();
	/* -EMSGSIZE with a non-empty skb means "more to come". */
	return err;
}

int vblk_nl_group_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest = info->attrs[VBLK_A_GROUP_THROTTLE];
	struct netlink_ext_ack *extack = info->extack;
	struct vblk_throttle_cfg cfg = {};
	const char *why = "";
	struct vblk_group *g;
	int err;

	if (VBLK_NL_REQUIRE(info, VBLK_A_GROUP_THROTTLE,
			    "throttle: missing (nothing to change)"))
		return -EINVAL;
	err = vblk_nl_parse_throttle(nest, &cfg, extack);
	if (err)
		return err;
	vblk_group_lock();
	g = vblk_nl_obj_lookup(info, &vblk_nl_group_obj);
	if (IS_ERR(g)) {
		err = PTR_ERR(g);
	} else {
		err = vblk_group_set_limits(g, &cfg, &why);
		if (err)
			NL_SET_ERR_MSG_ATTR_FMT(extack, nest, "%s", why);
	}
	vblk_group_unlock();
	return err;
}
