// SPDX-License-Identifier: GPL-2.0
/*
 * The spec's names (Documentation/netlink/specs/vblk.yaml) of every
 * attribute, nest and event type: what an extended ack's offset resolves
 * to and what vblkctl's JSON keys are.
 */
#include "vnl.h"

struct vnl_attr {
	const char *name;
	enum vnl_attrs nest;
};

static const struct vnl_attr vnl_dev_attrs[VBLK_A_DEV_MAX + 1] = {
	[VBLK_A_DEV_ID] = { "id" },
	[VBLK_A_DEV_NAME] = { "name" },
	[VBLK_A_DEV_BACKING_FD] = { "backing-fd" },
	[VBLK_A_DEV_BACKING_PATH] = { "backing-path" },
	[VBLK_A_DEV_CAPACITY] = { "capacity" },
	[VBLK_A_DEV_READ_ONLY] = { "read-only" },
	[VBLK_A_DEV_SERIAL] = { "serial" },
	[VBLK_A_DEV_FORCE] = { "force" },
	[VBLK_A_DEV_VMM_ATTACHED] = { "vmm-attached" },
	[VBLK_A_DEV_STATUS] = { "status" },
	[VBLK_A_DEV_FEATURES] = { "features" },
	[VBLK_A_DEV_DEVICE_FEATURES] = { "device-features" },
	[VBLK_A_DEV_QUEUE] = { "queue", VNL_ATTRS_QUEUE },
	[VBLK_A_DEV_STATS] = { "stats", VNL_ATTRS_STATS },
	[VBLK_A_DEV_THROTTLE] = { "throttle", VNL_ATTRS_THROTTLE },
	[VBLK_A_DEV_QUEUES] = { "queues" },
	[VBLK_A_DEV_GROUP] = { "group" },
	[VBLK_A_DEV_LATENCY] = { "latency", VNL_ATTRS_LATENCY },
	[VBLK_A_DEV_CACHE] = { "cache" },
};

static const struct vnl_attr vnl_queue_attrs[VBLK_A_QUEUE_MAX + 1] = {
	[VBLK_A_QUEUE_INDEX] = { "index" },
	[VBLK_A_QUEUE_SIZE] = { "size" },
	[VBLK_A_QUEUE_READY] = { "ready" },
	[VBLK_A_QUEUE_BROKEN] = { "broken" },
	[VBLK_A_QUEUE_THROTTLED] = { "throttled" },
	[VBLK_A_QUEUE_LAST_AVAIL_IDX] = { "last-avail-idx" },
	[VBLK_A_QUEUE_USED_IDX] = { "used-idx" },
	[VBLK_A_QUEUE_REQUESTS] = { "requests" },
	[VBLK_A_QUEUE_BYTES] = { "bytes" },
	[VBLK_A_QUEUE_INFLIGHT_PEAK] = { "inflight-peak" },
};

static const struct vnl_attr vnl_latency_attrs[VBLK_A_LATENCY_MAX + 1] = {
	[VBLK_A_LATENCY_OP] = { "op" },
	[VBLK_A_LATENCY_KIND] = { "kind" },
	[VBLK_A_LATENCY_SUM_NS] = { "sum-ns" },
	[VBLK_A_LATENCY_BUCKET] = { "bucket" },
};

static const struct vnl_attr vnl_stats_attrs[VBLK_A_STATS_MAX + 1] = {
	[VBLK_A_STATS_READS_COMPLETED] = { "reads-completed" },
	[VBLK_A_STATS_WRITES_COMPLETED] = { "writes-completed" },
	[VBLK_A_STATS_FLUSHES_COMPLETED] = { "flushes-completed" },
	[VBLK_A_STATS_BYTES_READ] = { "bytes-read" },
	[VBLK_A_STATS_BYTES_WRITTEN] = { "bytes-written" },
	[VBLK_A_STATS_IO_ERRORS] = { "io-errors" },
	[VBLK_A_STATS_THROTTLED_COUNT] = { "throttled-count" },
	[VBLK_A_STATS_CURRENTLY_THROTTLED] = { "currently-throttled" },
	[VBLK_A_STATS_INVALID_AVAIL_IDX_COUNT] = { "invalid-avail-idx-count" },
	[VBLK_A_STATS_DISCARDS_COMPLETED] = { "discards-completed" },
	[VBLK_A_STATS_BYTES_DISCARDED] = { "bytes-discarded" },
	[VBLK_A_STATS_WRITE_ZEROES_COMPLETED] = { "write-zeroes-completed" },
	[VBLK_A_STATS_BYTES_ZEROED] = { "bytes-zeroed" },
};

static const struct vnl_attr vnl_throttle_attrs[VBLK_A_THROTTLE_MAX + 1] = {
	[VBLK_A_THROTTLE_IOPS] = { "iops" },
	[VBLK_A_THROTTLE_IOPS_BURST] = { "iops-burst" },
	[VBLK_A_THROTTLE_BPS] = { "bps" },
	[VBLK_A_THROTTLE_BPS_BURST] = { "bps-burst" },
	[VBLK_A_THROTTLE_IOPS_READ] = { "iops-read" },
	[VBLK_A_THROTTLE_IOPS_READ_BURST] = { "iops-read-burst" },
	[VBLK_A_THROTTLE_IOPS_WRITE] = { "iops-write" },
	[VBLK_A_THROTTLE_IOPS_WRITE_BURST] = { "iops-write-burst" },
	[VBLK_A_THROTTLE_BPS_READ] = { "bps-read" },
	[VBLK_A_THROTTLE_BPS_READ_BURST] = { "bps-read-burst" },
	[VBLK_A_THROTTLE_BPS_WRITE] = { "bps-write" },
	[VBLK_A_THROTTLE_BPS_WRITE_BURST] = { "bps-write-burst" },
};

static const struct vnl_attr vnl_event_attrs[VBLK_A_EVENT_MAX + 1] = {
	[VBLK_A_EVENT_TYPE] = { "type" },
	[VBLK_A_EVENT_DEV_ID] = { "dev-id" },
	[VBLK_A_EVENT_DEV_NAME] = { "dev-name" },
	[VBLK_A_EVENT_QUEUE] = { "queue" },
};

static const struct vnl_attr vnl_group_attrs[VBLK_A_GROUP_MAX + 1] = {
	[VBLK_A_GROUP_ID] = { "id" },
	[VBLK_A_GROUP_NAME] = { "name" },
	[VBLK_A_GROUP_THROTTLE] = { "throttle", VNL_ATTRS_THROTTLE },
	[VBLK_A_GROUP_MEMBERS] = { "members" },
	[VBLK_A_GROUP_MEMBER] = { "member" },
	[VBLK_A_GROUP_WAITING] = { "waiting" },
	[VBLK_A_GROUP_OPS] = { "ops" },
	[VBLK_A_GROUP_BYTES] = { "bytes" },
	[VBLK_A_GROUP_WAITS] = { "waits" },
};

static const struct {
	const struct vnl_attr *attrs;
	unsigned int max;
} vnl_sets[] = {
	[VNL_ATTRS_DEV] = { vnl_dev_attrs, VBLK_A_DEV_MAX },
	[VNL_ATTRS_QUEUE] = { vnl_queue_attrs, VBLK_A_QUEUE_MAX },
	[VNL_ATTRS_STATS] = { vnl_stats_attrs, VBLK_A_STATS_MAX },
	[VNL_ATTRS_THROTTLE] = { vnl_throttle_attrs, VBLK_A_THROTTLE_MAX },
	[VNL_ATTRS_EVENT] = { vnl_event_attrs, VBLK_A_EVENT_MAX },
	[VNL_ATTRS_GROUP] = { vnl_group_attrs, VBLK_A_GROUP_MAX },
	[VNL_ATTRS_LATENCY] = { vnl_latency_attrs, VBLK_A_LATENCY_MAX },
};

static const struct vnl_attr *vnl_attr(enum vnl_attrs set, unsigned int type)
{
	if ((unsigned int)set >= sizeof(vnl_sets) / sizeof(vnl_sets[0]) ||
	    !vnl_sets[set].attrs || type > vnl_sets[set].max)
		return NULL;
	return vnl_sets[set].attrs[type].name ? &vnl_sets[set].attrs[type] : NULL;
}

const char *vnl_attr_name(enum vnl_attrs set, unsigned int type)
{
	const struct vnl_attr *a = vnl_attr(set, type);

	return a ? a->name : NULL;
}

enum vnl_attrs vnl_attr_nest(enum vnl_attrs set, unsigned int type)
{
	const struct vnl_attr *a = vnl_attr(set, type);

	return a ? a->nest : VNL_ATTRS_NONE;
}

const char *vnl_op_class_name(uint32_t op)
{
	static const char *const names[] = {
		[VBLK_OP_CLASS_READ] = "read",
		[VBLK_OP_CLASS_WRITE] = "write",
		[VBLK_OP_CLASS_FLUSH] = "flush",
		[VBLK_OP_CLASS_DISCARD] = "discard",
		[VBLK_OP_CLASS_WRITE_ZEROES] = "write-zeroes",
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : NULL;
}

const char *vnl_event_name(uint32_t type)
{
	static const char *const names[] = {
		[VBLK_EVENT_TYPE_ADD] = "add",
		[VBLK_EVENT_TYPE_DEL] = "del",
		[VBLK_EVENT_TYPE_CHANGE] = "change",
		[VBLK_EVENT_TYPE_ATTACH] = "attach",
		[VBLK_EVENT_TYPE_DETACH] = "detach",
		[VBLK_EVENT_TYPE_THROTTLE_START] = "throttle-start",
		[VBLK_EVENT_TYPE_THROTTLE_STOP] = "throttle-stop",
		[VBLK_EVENT_TYPE_QUEUE_BROKEN] = "queue-broken",
	};

	if (type >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[type];
}
