/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk_admin: checks that management keeps answering while a VMM, a queue
 * worker or a backing is stuck (Documentation/admin-guide.rst: no netlink
 * request waits on a VMM or on the backing), timing every request, and
 * the monitor's "del" event of a forced delete.
 */
#ifndef VBLK_ADMIN_H
#define VBLK_ADMIN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "vnl.h"

/* Management requests must answer within this (the TCG test host included). */
#define VT_ADMIN_MS	1000

/* Milliseconds since @t0 (CLOCK_MONOTONIC). */
long vt_ms_since(const struct timespec *t0);
static inline struct timespec vt_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

/*
 * A round of management requests, each timed: dev-get of @name (when not
 * NULL; @listed says whether it must still be found), a dump, dev-set of a
 * throttle limit on @name, and the add and delete of a scratch device on
 * @img. Returns the slowest request's time in ms, or a negative errno for
 * a request that failed; @what names the request.
 */
long vt_admin_round(const char *name, bool listed, const char *img,
		    const char **what);

/*
 * Wait up to @timeout_ms on the monitor socket @mon (vnl_monitor_join())
 * for the event @type of device @name: 0, or -ETIMEDOUT.
 */
int vt_wait_event(struct vnl *mon, uint32_t type, const char *name,
		  int timeout_ms);

/*
 * For kselftest_harness tests (include kselftest_harness.h first):
 * @call returns @want within VT_ADMIN_MS; a round of management requests
 * (vt_admin_round()) succeeds, each within VT_ADMIN_MS.
 */
#define EXPECT_ADMIN_FAST(call, want) do {				\
	struct timespec __t0 = vt_now();				\
	int __ret = (call);						\
	long __ms = vt_ms_since(&__t0);					\
									\
	EXPECT_EQ(want, __ret) TH_LOG(#call ": %s", strerror(-__ret));	\
	EXPECT_GT(VT_ADMIN_MS, __ms) TH_LOG(#call " took %ld ms", __ms); \
} while (0)

#define EXPECT_ADMIN_ALIVE(name, listed, img) do {			\
	const char *__what;						\
	long __ms = vt_admin_round(name, listed, img, &__what);		\
									\
	EXPECT_LE(0, __ms) TH_LOG("%s failed: %s", __what, strerror(-__ms)); \
	EXPECT_GT(VT_ADMIN_MS, __ms) TH_LOG("%s took %ld ms", __what, __ms); \
} while (0)

#endif /* VBLK_ADMIN_H */
