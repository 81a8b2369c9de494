/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblkctl's netlink layer: the vblk generic netlink family over libnl-3,
 * with extended acknowledgements.
 */
#ifndef VBLKCTL_NL_H
#define VBLKCTL_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "vblkctl_util.h"

struct vc_nl {
	struct nl_sock *sk;
	int family;
	/* the last kernel error: errno (positive) and extack message */
	int err;
	char msg[256];
	bool from_kernel;	/* err and msg came in an NLMSG_ERROR */
};

/* Connect and resolve the family; on failure fill err/msg, return -1. */
int vc_nl_open(struct vc_nl *nl);
void vc_nl_close(struct vc_nl *nl);

/* A request for @cmd (NLM_F_DUMP in @flags for dumps). */
struct nl_msg *vc_nl_msg(struct vc_nl *nl, uint8_t cmd, int flags);

/*
 * Send @msg (freed), feed every reply to @cb and wait for the ack or the
 * end of the dump. Returns 0, or -1 with nl->err/nl->msg set; *@intr is
 * set when a dump was inconsistent (devices changed meanwhile).
 */
int vc_nl_transact(struct vc_nl *nl, struct nl_msg *msg,
		   int (*cb)(struct nl_msg *msg, void *arg), void *arg,
		   int *intr);

/* Decode a dev-get message into @d. Returns 0 or -1 (malformed). */
int vc_parse_dev(struct nlmsghdr *nlh, struct vc_dev *d);

/* Fetch one device by name. */
int vc_nl_get_dev(struct vc_nl *nl, const char *name, struct vc_dev *d);
/* Fetch all devices (retrying an inconsistent dump); *devs is malloc'd. */
int vc_nl_dump_devs(struct vc_nl *nl, struct vc_dev **devs, size_t *n);

/*
 * A monitor event: type, device id and name, queue (-1 if none).
 * Return non-zero from the callback to stop listening.
 */
struct vc_event {
	uint32_t type;
	uint32_t id;
	char name[VBLK_NAME_MAX];
	int64_t queue;
};

int vc_nl_monitor(struct vc_nl *nl, int (*cb)(const struct vc_event *ev,
					      void *arg), void *arg);

/* Decode an event-ntf message. Returns 0 or -1 (malformed). */
int vc_parse_event(struct nlmsghdr *nlh, struct vc_event *ev);

#endif /* VBLKCTL_NL_H */
