/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk_guest_nl: the few "vblk" generic netlink requests the data-path
 * selftests need (create, delete, read counters), spoken with libnl-3.
 * Functions return 0 (or an id) on success, a negative errno from the
 * kernel on failure.
 */
#ifndef VBLK_GUEST_NL_H
#define VBLK_GUEST_NL_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct vgn_info - what dev-get reports (the parts the tests use)
 */
struct vgn_info {
	uint32_t id;
	bool vmm_attached;
	uint64_t capacity;
	uint64_t reads_completed;
	uint64_t writes_completed;
	uint64_t flushes_completed;
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t io_errors;
	uint64_t throttled_count;
	uint64_t invalid_avail_idx_count;
};

int vgn_dev_add(const char *name, const char *path, bool ro,
		uint64_t capacity);
/* The same, with extra open(2) flags for the backing (e.g. O_DIRECT). */
int vgn_dev_add_flags(const char *name, const char *path, bool ro,
		      uint64_t capacity, int oflags);
/* The same with a queue count (0: the default). */
int vgn_dev_add_mq(const char *name, const char *path, bool ro,
		   uint64_t capacity, int oflags, uint32_t queues);
int vgn_dev_del(const char *name, bool force);
int vgn_dev_get(const char *name, struct vgn_info *info);

#endif /* VBLK_GUEST_NL_H */
