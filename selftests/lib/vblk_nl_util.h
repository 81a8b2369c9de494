/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk_nl_util: a "vblk" generic netlink client for the control-plane
 * selftests. Unlike vblkctl it lets a test send any attribute (including
 * wrong ones) and returns the kernel's errno together with the extended
 * ack: message, missing attribute, whether an attribute was pointed at.
 *
 * Functions return 0 or a negative errno.
 */
#ifndef VBLK_NL_UTIL_H
#define VBLK_NL_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <uapi/linux/vblk.h>

struct vnl {
	struct nl_sock *sk;
	int family;
	/* from the last request */
	int err;		/* 0 or -errno */
	char msg[256];		/* extack message ("" if none) */
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE, 0 if none */
	bool bad_attr;		/* NLMSGERR_ATTR_OFFS present */
	bool dump_intr;		/* a dump part carried NLM_F_DUMP_INTR */
};

int vnl_open(struct vnl *v);
void vnl_close(struct vnl *v);

/* A request for @cmd; NLM_F_DUMP in @flags for a dump. */
struct nl_msg *vnl_msg(struct vnl *v, uint8_t cmd, int flags);
/* The two halves of vnl_xfer(), for tests that act in between. */
int vnl_send(struct vnl *v, struct nl_msg *msg);
int vnl_recv(struct vnl *v, int (*cb)(struct nl_msg *msg, void *arg),
	     void *arg);
/* Send @msg (always freed); @cb (may be NULL) sees every reply. */
int vnl_xfer(struct vnl *v, struct nl_msg *msg,
	     int (*cb)(struct nl_msg *msg, void *arg), void *arg);

/* dev-get reply */
struct vnl_dev {
	uint32_t id;
	char name[64];
	char path[4096];
	uint64_t capacity;
	uint8_t read_only;
	char serial[64];
	uint8_t vmm_attached;
	uint32_t status;
	uint64_t features;
	uint64_t device_features;
	int nqueues;
	uint32_t queue_size[8];
	bool has_stats;
	uint64_t stats[VBLK_A_STATS_MAX + 1];
	bool has_throttle;
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1];	/* 0: absent */
	bool has[VBLK_A_DEV_MAX + 1];
};

int vnl_parse_dev(struct nl_msg *msg, struct vnl_dev *d);

/* dev-add request; unset fields are not sent. */
struct vnl_add {
	const char *name;
	int fd;
	bool no_fd;		/* leave backing-fd out */
	uint64_t capacity;	/* 0: not sent */
	int read_only;		/* -1: not sent */
	const char *serial;
	bool throttle;		/* send the throttle nest */
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1];
	bool thr_set[VBLK_A_THROTTLE_MAX + 1];
};

#define VNL_ADD(n, f) ((struct vnl_add){ .name = (n), .fd = (f), .read_only = -1 })

int vnl_put_throttle(struct nl_msg *msg, const uint64_t *thr,
		     const bool *thr_set);
int vnl_dev_add(struct vnl *v, const struct vnl_add *a, uint32_t *id);
int vnl_dev_del(struct vnl *v, const char *name, bool force);
int vnl_dev_del_id(struct vnl *v, uint32_t id);
int vnl_dev_get(struct vnl *v, const char *name, struct vnl_dev *d);
int vnl_dev_get_id(struct vnl *v, uint32_t id, struct vnl_dev *d);
/* All devices; *devs is malloc'd (free it). */
int vnl_dev_dump(struct vnl *v, struct vnl_dev **devs, int *n);
/* Number of devices, or a negative errno. */
int vnl_dev_count(struct vnl *v);

/* Monitor: join the group on @v's socket and read events. */
struct vnl_event {
	uint32_t type;
	uint32_t id;
	char name[64];
	int64_t queue;		/* -1: absent */
};

int vnl_monitor_join(struct vnl *v);
/* Next event within @timeout_ms; -ETIMEDOUT if none. */
int vnl_monitor_next(struct vnl *v, struct vnl_event *ev, int timeout_ms);

#endif /* VBLK_NL_UTIL_H */
