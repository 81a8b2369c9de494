/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An asynchronous fake backing for the vblk KUnit suites: transfers are
 * submitted (their data moved into or out of a struct vblk_fake_backing at
 * once) and held until the test releases them; a work item then completes
 * them in the order the test chose, as a real backing's interrupt would,
 * with the result the test chose.
 */
#ifndef _VBLK_FAKE_ASYNC_H
#define _VBLK_FAKE_ASYNC_H

#include "vblk_fake.h"

/* Most transfers one fake holds at once. */
#define VBLK_FAKE_ASYNC_MAX	256

/**
 * struct vblk_fake_async - the fake
 * @b: where the data lives (its own faults apply to the synchronous path)
 * @lock: guards @held and @nheld
 * @held: submitted transfers not completed yet, with the bytes moved
 * @nheld: how many
 * @res_override: if non-zero, every completion reports it (a negative
 *	errno, or a short byte count when positive)
 * @reverse: release completes the held transfers newest first
 * @submitted: transfers submitted
 * @completed: transfers completed
 * @dsync_writes: writes submitted with the write-through flag
 * @max_held: most transfers held at once
 * @batch: the transfers @work is completing
 * @work: completes the held transfers
 */
struct vblk_fake_async {
	struct vblk_fake_backing *b;
	spinlock_t lock;	/* @held, @nheld */
	struct vblk_fake_aio {
		struct vblk_aio *aio;
		long res;
	} held[VBLK_FAKE_ASYNC_MAX];
	struct vblk_fake_aio batch[VBLK_FAKE_ASYNC_MAX];
	unsigned int nheld;
	long res_override;
	bool reverse;
	atomic_t submitted;
	atomic_t completed;
	atomic_t dsync_writes;
	unsigned int max_held;
	struct work_struct work;
};

extern const struct vblk_backing_ops vblk_fake_async_ops;

struct vblk_fake_async *vblk_fake_async_new(struct kunit *test,
					    struct vblk_fake_backing *b);
void vblk_fake_async_install(struct vblk_fake_dev *fd,
			     struct vblk_fake_async *a);
void vblk_fake_async_release(struct vblk_fake_async *a, bool reverse);
void vblk_fake_async_settle(struct vblk_fake_dev *fd,
			    struct vblk_fake_async *a);
unsigned int vblk_fake_async_held(struct vblk_fake_async *a);

#endif /* _VBLK_FAKE_ASYNC_H */
