// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/vblk.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "vblk_nl_gen.h"

#include <uapi/linux/vblk.h>

/* Integer value ranges */
static const struct netlink_range_validation vblk_a_throttle_iops_range = {
	.min	= 1ULL,
	.max	= VBLK_RATE_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_iops_burst_range = {
	.max	= VBLK_BURST_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_bps_range = {
	.min	= 1ULL,
	.max	= VBLK_RATE_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_bps_burst_range = {
	.max	= VBLK_BURST_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_iops_read_range = {
	.min	= 1ULL,
	.max	= VBLK_RATE_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_iops_read_burst_range = {
	.max	= VBLK_BURST_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_iops_write_range = {
	.min	= 1ULL,
	.max	= VBLK_RATE_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_iops_write_burst_range = {
	.max	= VBLK_BURST_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_bps_read_range = {
	.min	= 1ULL,
	.max	= VBLK_RATE_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_bps_read_burst_range = {
	.max	= VBLK_BURST_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_bps_write_range = {
	.min	= 1ULL,
	.max	= VBLK_RATE_MAX,
};

static const struct netlink_range_validation vblk_a_throttle_bps_write_burst_range = {
	.max	= VBLK_BURST_MAX,
};

/* Common nested types */
const struct nla_policy vblk_throttle_nl_policy[VBLK_A_THROTTLE_BPS_WRITE_BURST + 1] = {
	[VBLK_A_THROTTLE_IOPS] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_iops_range),
	[VBLK_A_THROTTLE_IOPS_BURST] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_iops_burst_range),
	[VBLK_A_THROTTLE_BPS] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_bps_range),
	[VBLK_A_THROTTLE_BPS_BURST] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_bps_burst_range),
	[VBLK_A_THROTTLE_IOPS_READ] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_iops_read_range),
	[VBLK_A_THROTTLE_IOPS_READ_BURST] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_iops_read_burst_range),
	[VBLK_A_THROTTLE_IOPS_WRITE] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_iops_write_range),
	[VBLK_A_THROTTLE_IOPS_WRITE_BURST] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_iops_write_burst_range),
	[VBLK_A_THROTTLE_BPS_READ] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_bps_read_range),
	[VBLK_A_THROTTLE_BPS_READ_BURST] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_bps_read_burst_range),
	[VBLK_A_THROTTLE_BPS_WRITE] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_bps_write_range),
	[VBLK_A_THROTTLE_BPS_WRITE_BURST] = NLA_POLICY_FULL_RANGE(NLA_UINT, &vblk_a_throttle_bps_write_burst_range),
};

/* VBLK_CMD_DEV_ADD - do */
static const struct nla_policy vblk_dev_add_nl_policy[VBLK_A_DEV_CACHE + 1] = {
	[VBLK_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = VBLK_NAME_LEN, },
	[VBLK_A_DEV_BACKING_FD] = { .type = NLA_S32, },
	[VBLK_A_DEV_CAPACITY] = { .type = NLA_UINT, },
	[VBLK_A_DEV_READ_ONLY] = NLA_POLICY_MAX(NLA_U8, 1),
	[VBLK_A_DEV_SERIAL] = { .type = NLA_NUL_STRING, .len = VBLK_SERIAL_MAX, },
	[VBLK_A_DEV_THROTTLE] = NLA_POLICY_NESTED(vblk_throttle_nl_policy),
	[VBLK_A_DEV_QUEUES] = NLA_POLICY_RANGE(NLA_U32, 1, VBLK_QUEUES_MAX),
	[VBLK_A_DEV_CACHE] = NLA_POLICY_MAX(NLA_U32, 1),
};

/* VBLK_CMD_DEV_DEL - do */
static const struct nla_policy vblk_dev_del_nl_policy[VBLK_A_DEV_FORCE + 1] = {
	[VBLK_A_DEV_ID] = { .type = NLA_U32, },
	[VBLK_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = VBLK_NAME_LEN, },
	[VBLK_A_DEV_FORCE] = { .type = NLA_FLAG, },
};

/* VBLK_CMD_DEV_GET - do */
static const struct nla_policy vblk_dev_get_nl_policy[VBLK_A_DEV_NAME + 1] = {
	[VBLK_A_DEV_ID] = { .type = NLA_U32, },
	[VBLK_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = VBLK_NAME_LEN, },
};

/* VBLK_CMD_DEV_SET - do */
static const struct nla_policy vblk_dev_set_nl_policy[VBLK_A_DEV_CACHE + 1] = {
	[VBLK_A_DEV_ID] = { .type = NLA_U32, },
	[VBLK_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = VBLK_NAME_LEN, },
	[VBLK_A_DEV_CAPACITY] = { .type = NLA_UINT, },
	[VBLK_A_DEV_READ_ONLY] = NLA_POLICY_MAX(NLA_U8, 1),
	[VBLK_A_DEV_SERIAL] = { .type = NLA_NUL_STRING, .len = VBLK_SERIAL_MAX, },
	[VBLK_A_DEV_THROTTLE] = NLA_POLICY_NESTED(vblk_throttle_nl_policy),
	[VBLK_A_DEV_CACHE] = NLA_POLICY_MAX(NLA_U32, 1),
	[VBLK_A_DEV_GROUP] = { .type = NLA_NUL_STRING, .len = VBLK_NAME_LEN, },
};

/* VBLK_CMD_GROUP_ADD - do */
static const struct nla_policy vblk_group_add_nl_policy[VBLK_A_GROUP_THROTTLE + 1] = {
	[VBLK_A_GROUP_NAME] = { .type = NLA_NUL_STRING, .len = VBLK_NAME_LEN, },
	[VBLK_A_GROUP_THROTTLE] = NLA_POLICY_NESTED(vblk_throttle_nl_policy),
};

/* VBLK_CMD_GROUP_DEL - do */
static const struct nla_policy vblk_group_del_nl_policy[VBLK_A_GROUP_NAME + 1] = {
	[VBLK_A_GROUP_ID] = { .type = NLA_U32, },
	[VBLK_A_GROUP_NAME] = { .type = NLA_NUL_STRING, .len = VBLK_NAME_LEN, },
};

/* VBLK_CMD_GROUP_GET - do */
static const struct nla_policy vblk_group_get_nl_policy[VBLK_A_GROUP_NAME + 1] = {
	[VBLK_A_GROUP_ID] = { .type = NLA_U32, },
	[VBLK_A_GROUP_NAME] = { .type = NLA_NUL_STRING, .len = VBLK_NAME_LEN, },
};

/* VBLK_CMD_GROUP_SET - do */
static const struct nla_policy vblk_group_set_nl_policy[VBLK_A_GROUP_THROTTLE + 1] = {
	[VBLK_A_GROUP_ID] = { .type = NLA_U32, },
	[VBLK_A_GROUP_NAME] = { .type = NLA_NUL_STRING, .len = VBLK_NAME_LEN, },
	[VBLK_A_GROUP_THROTTLE] = NLA_POLICY_NESTED(vblk_throttle_nl_policy),
};

/* Ops table for vblk */
static const struct genl_split_ops vblk_nl_ops[] = {
	{
		.cmd		= VBLK_CMD_DEV_ADD,
		.pre_doit	= vblk_nl_pre_admin,
		.doit		= vblk_nl_dev_add_doit,
		.policy		= vblk_dev_add_nl_policy,
		.maxattr	= VBLK_A_DEV_CACHE,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= VBLK_CMD_DEV_DEL,
		.pre_doit	= vblk_nl_pre_admin,
		.doit		= vblk_nl_dev_del_doit,
		.policy		= vblk_dev_del_nl_policy,
		.maxattr	= VBLK_A_DEV_FORCE,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= VBLK_CMD_DEV_GET,
		.doit		= vblk_nl_dev_get_doit,
		.policy		= vblk_dev_get_nl_policy,
		.maxattr	= VBLK_A_DEV_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= VBLK_CMD_DEV_GET,
		.dumpit	= vblk_nl_dev_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= VBLK_CMD_DEV_SET,
		.pre_doit	= vblk_nl_pre_admin,
		.doit		= vblk_nl_dev_set_doit,
		.policy		= vblk_dev_set_nl_policy,
		.maxattr	= VBLK_A_DEV_CACHE,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= VBLK_CMD_GROUP_ADD,
		.pre_doit	= vblk_nl_pre_admin,
		.doit		= vblk_nl_group_add_doit,
		.policy		= vblk_group_add_nl_policy,
		.maxattr	= VBLK_A_GROUP_THROTTLE,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= VBLK_CMD_GROUP_DEL,
		.pre_doit	= vblk_nl_pre_admin,
		.doit		= vblk_nl_group_del_doit,
		.policy		= vblk_group_del_nl_policy,
		.maxattr	= VBLK_A_GROUP_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= VBLK_CMD_GROUP_GET,
		.doit		= vblk_nl_group_get_doit,
		.policy		= vblk_group_get_nl_policy,
		.maxattr	= VBLK_A_GROUP_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= VBLK_CMD_GROUP_GET,
		.dumpit	= vblk_nl_group_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= VBLK_CMD_GROUP_SET,
		.pre_doit	= vblk_nl_pre_admin,
		.doit		= vblk_nl_group_set_doit,
		.policy		= vblk_group_set_nl_policy,
		.maxattr	= VBLK_A_GROUP_THROTTLE,
		.flags		= GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group vblk_nl_mcgrps[] = {
	[VBLK_NLGRP_MONITOR] = { "monitor", },
};

struct genl_family vblk_nl_family __ro_after_init = {
	.name		= VBLK_FAMILY_NAME,
	.version	= VBLK_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= vblk_nl_ops,
	.n_split_ops	= ARRAY_SIZE(vblk_nl_ops),
	.mcgrps		= vblk_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vblk_nl_mcgrps),
};
