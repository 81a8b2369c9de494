/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnl: the client library of the "vblk" generic netlink family (libnl-3),
 * shared by vblkctl and the selftests.
 *
 * One socket (struct vnl), one transaction path with extended-ack
 * decoding, one device record and one event record, the requests every
 * user needs, and a raw layer (vnl_msg + nla_put_* + vnl_xfer, or
 * vnl_send/vnl_recv) to send anything at all, including wrong attributes.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure; the details of the last failure stay in struct vnl.
 */
#ifndef VNL_H
#define VNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <uapi/linux/vblk.h>

#define VNL_MSG_MAX	256
#define VNL_PATH_MAX	4096

/* The attribute sets of the spec (Documentation/netlink/specs/vblk.yaml). */
enum vnl_attrs {
	VNL_ATTRS_NONE,
	VNL_ATTRS_DEV,
	VNL_ATTRS_QUEUE,
	VNL_ATTRS_STATS,
	VNL_ATTRS_THROTTLE,
	VNL_ATTRS_EVENT,
	VNL_ATTRS_GROUP,
	VNL_ATTRS_LATENCY,
};

/**
 * vnl_attr_name() - spec name of attribute @type of set @set
 *
 * Return: "queues", "iops-burst", ...; NULL for an unknown type.
 */
const char *vnl_attr_name(enum vnl_attrs set, unsigned int type);
/* The set nested in attribute @type of @set, VNL_ATTRS_NONE if not a nest. */
enum vnl_attrs vnl_attr_nest(enum vnl_attrs set, unsigned int type);
/* Spec name of a monitor event type ("throttle-start"), NULL if unknown. */
const char *vnl_event_name(uint32_t type);
/* Spec name of an op-class ("write-zeroes"), NULL if unknown. */
const char *vnl_op_class_name(uint32_t op);

struct vnl {
	struct nl_sock *sk;
	int family;

	/* The outcome of the last request. */
	int err;			/* 0 or -errno */
	bool from_kernel;		/* err came in an NLMSG_ERROR */
	char msg[VNL_MSG_MAX];		/* the kernel's message, or ours */
	uint32_t miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, 0: none */
	enum vnl_attrs miss_set;	/* ... of this set (top or its nest) */
	bool bad_attr;			/* NLMSGERR_ATTR_OFFS was sent */
	uint32_t bad_off;		/* ... its offset in the request */
	uint32_t bad_type;		/* type found there, 0: unresolved */
	enum vnl_attrs bad_set;		/* ... in this attribute set */
	/* NLMSGERR_ATTR_POLICY: the bounds of the attribute refused */
	bool has_range;			/* an integer range */
	bool range_signed;		/* ... of a signed type (cast the bounds) */
	uint64_t range_min, range_max;
	bool has_len;			/* a string or binary length */
	uint32_t len_min, len_max;	/* 0: no such bound */
	bool dump_intr;			/* a dump part had NLM_F_DUMP_INTR */

	/* private: the last request, to resolve bad_off */
	void *req;
	size_t req_len;
	char text[VNL_MSG_MAX + 96];
};

/* Connect and resolve the family: -ENOENT when the module is not loaded. */
int vnl_open(struct vnl *v);
void vnl_close(struct vnl *v);
/* The family's version as the kernel registered it, or a negative errno. */
int vnl_family_version(struct vnl *v);

/* A request for @cmd; NLM_F_DUMP in @flags for a dump. NULL: no memory. */
struct nl_msg *vnl_msg(struct vnl *v, uint8_t cmd, int flags);
/* Send @msg (always freed; NULL counts as -ENOMEM) and keep a copy. */
int vnl_send(struct vnl *v, struct nl_msg *msg);
/*
 * Read replies until the ack, the error or the end of a dump; @cb (may be
 * NULL) sees each reply and returns non-zero for one it cannot decode,
 * which makes the result -EPROTO.
 */
int vnl_recv(struct vnl *v, int (*cb)(struct nl_msg *msg, void *arg),
	     void *arg);
/* vnl_send() then vnl_recv(). */
int vnl_xfer(struct vnl *v, struct nl_msg *msg,
	     int (*cb)(struct nl_msg *msg, void *arg), void *arg);

/*
 * The last failure as one line for a user, ending in "(strerror)": the
 * kernel's message with the spec name of the attribute it points at in
 * front unless already there ("name: no such device"), or the missing
 * attribute's name, or strerror() alone. A refusal by the family's policy
 * (the spec's checks) is told from the bounds the kernel reports and the
 * value sent: "queues: value 17 out of range 1..16", "serial: too long
 * (21 characters, at most 20)". "" after a success.
 */
const char *vnl_error(struct vnl *v);

/*
 * Decode the extended ack of the NLMSG_ERROR @nlh into @v (err, msg,
 * miss_type, bad_*, range), resolving the offset against @v's copy of the
 * request. Exposed for the unit tests.
 */
void vnl_parse_ack(struct vnl *v, const struct nlmsghdr *nlh);

/*
 * Find the attribute at byte @off of the request @req (@len bytes,
 * starting with its nlmsghdr), descending into nests: *@type and *@set
 * name it. Returns 0, or -ENOENT if no attribute starts there.
 */
int vnl_find_attr(const void *req, size_t len, uint32_t off, uint32_t *type,
		  enum vnl_attrs *set);

/* ---- devices ---- */

struct vnl_queue {
	uint32_t index;
	uint32_t size;
	uint8_t ready;
	uint8_t broken;
	uint8_t throttled;
	uint16_t last_avail_idx;
	uint16_t used_idx;
	uint64_t requests;
	uint64_t bytes;
	uint32_t inflight_peak;
};

/* One latency histogram of a device (the "latency" nest). */
struct vnl_hist {
	uint32_t op;			/* VBLK_OP_CLASS_* */
	uint32_t kind;			/* VBLK_LATENCY_KIND_* */
	uint64_t sum_ns;
	unsigned int nb;		/* buckets received */
	uint64_t b[VBLK_LATENCY_BUCKETS];
};

#define VNL_HIST_MAX	16

/* Throttle limits, by name or by VBLK_A_THROTTLE_* index (0 unused). */
struct vnl_throttle {
	uint64_t unused_;
	uint64_t iops;
	uint64_t iops_burst;
	uint64_t bps;
	uint64_t bps_burst;
	uint64_t iops_read;
	uint64_t iops_read_burst;
	uint64_t iops_write;
	uint64_t iops_write_burst;
	uint64_t bps_read;
	uint64_t bps_read_burst;
	uint64_t bps_write;
	uint64_t bps_write_burst;
};

/* Counters, by name or by VBLK_A_STATS_* index (0 unused). */
struct vnl_stats {
	uint64_t unused_;
	uint64_t reads_completed;
	uint64_t writes_completed;
	uint64_t flushes_completed;
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t io_errors;
	uint64_t throttled_count;
	uint64_t currently_throttled;
	uint64_t invalid_avail_idx_count;
	uint64_t discards_completed;
	uint64_t bytes_discarded;
	uint64_t write_zeroes_completed;
	uint64_t bytes_zeroed;
};

/*
 * A dev-get reply. Field names are the spec's with '-' as '_'; flags keep
 * the kernel's raw u8 so a test sees exactly what was sent.
 */
struct vnl_dev {
	bool has[VBLK_A_DEV_MAX + 1];	/* attribute present */
	uint32_t id;
	char name[VBLK_NAME_MAX];
	char backing_path[VNL_PATH_MAX];
	uint64_t capacity;
	uint8_t read_only;
	char serial[VBLK_SERIAL_MAX + 1];
	uint8_t vmm_attached;
	uint32_t status;
	uint64_t features;
	uint64_t device_features;
	uint32_t queues;		/* the "queues" attribute */
	uint32_t cache;			/* VBLK_CACHE_MODE_* */
	char group[VBLK_NAME_MAX];	/* "" when in none */
	unsigned int nqueue;		/* "queue" nests, in order */
	struct vnl_queue queue[VBLK_QUEUES_MAX];
	unsigned int nlat;		/* "latency" nests, in order */
	struct vnl_hist lat[VNL_HIST_MAX];
	bool has_stats;			/* the nest with every counter */
	union {
		uint64_t stats[VBLK_A_STATS_MAX + 1];
		struct vnl_stats st;
	};
	union {
		uint64_t thr[VBLK_A_THROTTLE_MAX + 1];
		struct vnl_throttle throttle;
	};
};

/* Decode a dev-get message: 0, or -EPROTO if malformed. */
int vnl_parse_dev(const struct nlmsghdr *nlh, struct vnl_dev *d);
/* The histogram of @op and @kind in @d, or NULL. */
const struct vnl_hist *vnl_dev_hist(const struct vnl_dev *d, uint32_t op,
				    uint32_t kind);

/* dev-add: unset fields are not sent. */
struct vnl_add {
	const char *name;		/* NULL: not sent */
	int backing_fd;
	bool no_backing_fd;		/* leave backing-fd out */
	bool has_capacity;
	uint64_t capacity;
	int read_only;			/* -1: not sent */
	const char *serial;		/* NULL: not sent */
	bool has_queues;
	uint32_t queues;
	int cache;			/* VBLK_CACHE_MODE_*, -1: not sent */
	bool throttle;			/* send the throttle nest */
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1];
	bool thr_set[VBLK_A_THROTTLE_MAX + 1];
};

#define VNL_ADD(n, fd) \
	((struct vnl_add){ .name = (n), .backing_fd = (fd), .read_only = -1, \
			   .cache = -1 })

/* dev-set by name (or by id when @name is NULL). */
struct vnl_set {
	const char *name;
	uint32_t id;
	const char *serial;		/* NULL: not sent */
	bool has_capacity;		/* resize to @capacity bytes */
	uint64_t capacity;
	const char *group;		/* NULL: not sent; "": leave the group */
	bool throttle;			/* send the nest (none set: no limits) */
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1];
	bool thr_set[VBLK_A_THROTTLE_MAX + 1];
};

/* The throttle nest with the limits flagged in @set (an empty nest is kept). */
int vnl_put_throttle(struct nl_msg *msg, const uint64_t *thr, const bool *set);
/* The same as attribute @type (the group's throttle). */
int vnl_put_throttle_as(struct nl_msg *msg, int type, const uint64_t *thr,
			const bool *set);
/* A nest of uint values indexed by type, 1..@max: how many, or -EPROTO. */
int vnl_parse_uints(const struct nlattr *nest, uint64_t *vals, int max);
int vnl_put_add(struct nl_msg *msg, const struct vnl_add *a);

/* dev-add; *@id (may be NULL) gets the new device's id. */
int vnl_dev_add(struct vnl *v, const struct vnl_add *a, uint32_t *id);
int vnl_dev_set(struct vnl *v, const struct vnl_set *s);
int vnl_dev_del(struct vnl *v, const char *name, bool force);
int vnl_dev_del_id(struct vnl *v, uint32_t id);
int vnl_dev_get(struct vnl *v, const char *name, struct vnl_dev *d);
int vnl_dev_get_id(struct vnl *v, uint32_t id, struct vnl_dev *d);
/*
 * One dump of every device (*devs is malloc'd, free it). An inconsistent
 * dump (devices changed meanwhile) succeeds with v->dump_intr set.
 */
int vnl_dev_dump(struct vnl *v, struct vnl_dev **devs, int *n);
/* Number of devices, or a negative errno. */
int vnl_dev_count(struct vnl *v);

/* ---- limit groups ---- */

/* A group-get reply. */
struct vnl_group {
	bool has[VBLK_A_GROUP_MAX + 1];	/* attribute present */
	uint32_t id;
	char name[VBLK_NAME_MAX];
	union {
		uint64_t thr[VBLK_A_THROTTLE_MAX + 1];
		struct vnl_throttle throttle;
	};
	uint32_t members;
	unsigned int nmember;		/* "member" names, in order */
	char member[64][VBLK_NAME_MAX];
	uint32_t waiting;
	uint64_t ops;
	uint64_t bytes;
	uint64_t waits;
};

/* Decode a group-get message: 0, or -EPROTO if malformed. */
int vnl_parse_group(const struct nlmsghdr *nlh, struct vnl_group *g);
/* group-add with the limits flagged in @set; *@id (may be NULL) its id. */
int vnl_group_add(struct vnl *v, const char *name, const uint64_t *thr,
		  const bool *set, uint32_t *id);
/* group-set: the nest with the limits flagged in @set (none: no limits). */
int vnl_group_set(struct vnl *v, const char *name, const uint64_t *thr,
		  const bool *set);
int vnl_group_del(struct vnl *v, const char *name);
int vnl_group_get(struct vnl *v, const char *name, struct vnl_group *g);
/* Every group (*groups is malloc'd); v->dump_intr as for devices. */
int vnl_group_dump(struct vnl *v, struct vnl_group **groups, int *n);

/* ---- monitor ---- */

struct vnl_event {
	uint32_t type;			/* VBLK_EVENT_TYPE_* */
	uint32_t dev_id;
	char dev_name[VBLK_NAME_MAX];
	int64_t queue;			/* -1: absent */
};

/* Decode an event-ntf message: 0, or -EPROTO if malformed. */
int vnl_parse_event(const struct nlmsghdr *nlh, struct vnl_event *ev);
/*
 * Join the "monitor" group on @v's socket (then use it for events only):
 * 0, -EPERM without CAP_NET_ADMIN, -ENOENT if vblk has no such group.
 */
int vnl_monitor_join(struct vnl *v);
/*
 * The next event within @timeout_ms (-1: no limit): 0, -ETIMEDOUT,
 * -EINTR (a signal), -ENOBUFS (events were lost; call again), -EIO.
 */
int vnl_monitor_next(struct vnl *v, struct vnl_event *ev, int timeout_ms);

#endif /* VNL_H */
