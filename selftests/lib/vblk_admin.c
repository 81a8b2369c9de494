// SPDX-License-Identifier: GPL-2.0
/*
 * vblk_admin: management requests under a stuck VMM or backing (see the
 * header).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vblk_admin.h"
#include "vblk_test_util.h"

long vt_ms_since(const struct timespec *t0)
{
	struct timespec t = vt_now();

	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Run @call timed; keep the slowest time, or the first error, in *@worst. */
#define VT_TIMED(worst, what, label, call) do {				\
	struct timespec __t0 = vt_now();				\
	int __ret = (call);						\
	long __ms = vt_ms_since(&__t0);					\
									\
	if (__ret < 0 && *(worst) >= 0) {				\
		*(worst) = __ret;					\
		*(what) = (label);					\
	} else if (*(worst) >= 0 && __ms > *(worst)) {			\
		*(worst) = __ms;					\
		*(what) = (label);					\
	}								\
} while (0)

static int vt_get_expect(const char *name, bool listed)
{
	struct vnl_dev d;
	int ret = vt_dev_get(name, &d);

	if (listed)
		return ret;
	return ret == -ENOENT ? 0 : (ret ? ret : -EEXIST);
}

static int vt_set_limit(const char *name)
{
	struct vnl_set s = { .name = name, .throttle = true };
	struct vnl v;
	int ret = vnl_open(&v);

	if (ret)
		return ret;
	s.thr[VBLK_A_THROTTLE_IOPS] = 1000000;
	s.thr_set[VBLK_A_THROTTLE_IOPS] = true;
	ret = vnl_dev_set(&v, &s);
	vnl_close(&v);
	return ret;
}

static int vt_count(void)
{
	struct vnl v;
	int ret = vnl_open(&v);

	if (!ret)
		ret = vnl_dev_count(&v);
	vnl_close(&v);
	return ret < 0 ? ret : 0;
}

long vt_admin_round(const char *name, bool listed, const char *img,
		    const char **what)
{
	char scratch[VBLK_NAME_MAX];
	long worst = 0;
	int id;

	*what = "";
	snprintf(scratch, sizeof(scratch), "vadm%d", getpid());
	if (name) {
		VT_TIMED(&worst, what, "dev-get", vt_get_expect(name, listed));
		if (listed)
			VT_TIMED(&worst, what, "dev-set", vt_set_limit(name));
	}
	VT_TIMED(&worst, what, "dump", vt_count());
	VT_TIMED(&worst, what, "dev-add",
		 (id = vt_dev_add(scratch, img, false, 0, 0)) < 0 ? id : 0);
	VT_TIMED(&worst, what, "dev-del", vt_dev_del(scratch, false));
	return worst;
}

int vt_wait_event(struct vnl *mon, uint32_t type, const char *name,
		  int timeout_ms)
{
	struct timespec t0 = vt_now();
	struct vnl_event ev;

	for (;;) {
		long left = timeout_ms - vt_ms_since(&t0);
		int ret;

		if (left <= 0)
			return -ETIMEDOUT;
		ret = vnl_monitor_next(mon, &ev, (int)left);
		if (ret == -ENOBUFS || ret == -EINTR)
			continue;
		if (ret)
			return ret;
		if (ev.type == type && !strcmp(ev.dev_name, name))
			return 0;
	}
}
