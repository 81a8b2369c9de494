/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness's side of the kernel shim: the fake clock, allocation
 * failure injection, the step bound and the hooks through which the shim
 * asks the harness to play another context.
 */
#ifndef VBLK_SHIM_ENV_H
#define VBLK_SHIM_ENV_H

#include "vblk_shim.h"

/**
 * struct shim_env - state of the simulated kernel for one run
 * @now: the clock (ktime_get_ns()), in nanoseconds
 * @alloc_fail_at: the allocation with this sequence number fails (0: none)
 * @allocs: allocations so far
 * @live: allocations not freed
 * @steps: cond_resched()/might_sleep() calls since the harness last reset it
 * @step_limit: more steps than this is a hang (0: no limit)
 * @wait: runs what a wait_var_event() on @var waits for (the backing
 *	completing its transfers); NULL: any wait fails
 * @plug_depth: block plugs open
 * @no_wait: the caller must never wait on a VMM (a netlink handler): any
 *	mutex taken is a violation
 */
struct shim_env {
	u64 now;
	unsigned long alloc_fail_at;
	unsigned long allocs;
	long live;
	unsigned long steps;
	unsigned long step_limit;
	void (*wait)(const void *var);
	int plug_depth;
	bool no_wait;
};

extern struct shim_env shim_env;

/* Forget everything of the previous run (locks must all be released). */
void shim_reset(void);
/* Fire @t if it is armed and due at shim_env.now, as the timer softirq. */
bool shim_timer_run(struct hrtimer *t);
/* The calling context becomes an interrupt handler until the matching exit. */
#define shim_irq_enter()	shim_atomic_enter()
#define shim_irq_exit()		shim_atomic_exit()

#endif /* VBLK_SHIM_ENV_H */
