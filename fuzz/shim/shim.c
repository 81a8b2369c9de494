// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel shim's functions (see vblk_shim.h): contexts and a miniature
 * lockdep, allocation with injected failures, the fake clock and timers,
 * waits, and iov_iter over kernel vectors.
 */
#include <stdarg.h>
#include <stdio.h>

#include "shim_env.h"

struct shim_env shim_env;
void (*shim_iter_write_hook)(const void *dst, size_t n);

void shim_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vblk-fuzz: violation at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- contexts ------------------------------------------------------------ */

static int atomic_depth;

int shim_atomic_depth(void)
{
	return atomic_depth;
}

void shim_atomic_enter(void)
{
	atomic_depth++;
}

void shim_atomic_exit(void)
{
	SHIM_CHECK(atomic_depth > 0, "atomic section exited twice");
	atomic_depth--;
}

static void shim_step(const char *file, int line)
{
	shim_env.steps++;
	if (shim_env.step_limit && shim_env.steps > shim_env.step_limit)
		shim_fail(file, line, "more than %lu steps: a hang",
			  shim_env.step_limit);
}

void might_sleep_at(const char *file, int line)
{
	if (atomic_depth)
		shim_fail(file, line, "sleeping call in atomic context");
	shim_step(file, line);
}

void cond_resched_at(const char *file, int line)
{
	might_sleep_at(file, line);
}

/* ---- a miniature lockdep -------------------------------------------------- */

#define SHIM_CLASSES	32
#define SHIM_HELD	16

struct shim_lock_class {
	const char *name;
	u32 after;		/* classes ever taken while this one was held */
};

static struct shim_lock_class classes[SHIM_CLASSES];
static unsigned int nclasses;
static struct shim_lock_class *held[SHIM_HELD];
static int nheld;

static struct shim_lock_class *shim_class(const char *name)
{
	unsigned int i;

	for (i = 0; i < nclasses; i++)
		if (!strcmp(classes[i].name, name))
			return &classes[i];
	SHIM_CHECK(nclasses < SHIM_CLASSES, "too many lock classes");
	classes[nclasses].name = name;
	return &classes[nclasses++];
}

static void shim_acquire(struct shim_lock_class *c, const char *file, int line)
{
	unsigned int me = c - classes;
	int i;

	for (i = 0; i < nheld; i++) {
		unsigned int h = held[i] - classes;

		if (held[i] == c)
			shim_fail(file, line, "lock class %s taken while held",
				  c->name);
		if (c->after & (1u << h))
			shim_fail(file, line, "lock inversion: %s then %s, "
				  "elsewhere the other way round",
				  held[i]->name, c->name);
		held[i]->after |= 1u << me;
	}
	SHIM_CHECK(nheld < SHIM_HELD, "too many locks held");
	held[nheld++] = c;
}

static void shim_release(struct shim_lock_class *c)
{
	int i;

	for (i = nheld - 1; i >= 0; i--) {
		if (held[i] == c) {
			memmove(&held[i], &held[i + 1],
				(nheld - i - 1) * sizeof(held[0]));
			nheld--;
			return;
		}
	}
	SHIM_FAIL("lock %s released but not held", c->name);
}

int shim_locks_held(void)
{
	return nheld;
}

void shim_mutex_init(struct mutex *m, const char *name)
{
	m->cls = shim_class(name);
	m->held = false;
}

void mutex_lock_at(struct mutex *m, const char *file, int line)
{
	SHIM_CHECK(m->cls, "mutex used before mutex_init()");
	if (shim_env.no_wait)
		shim_fail(file, line, "mutex %s taken on a path that must "
			  "never wait on a VMM", m->cls->name);
	might_sleep_at(file, line);
	if (m->held)
		shim_fail(file, line, "mutex %s taken while held: deadlock",
			  m->cls->name);
	shim_acquire(m->cls, file, line);
	m->held = true;
}

void mutex_unlock(struct mutex *m)
{
	SHIM_CHECK(m->held, "mutex %s unlocked but not held", m->cls->name);
	m->held = false;
	shim_release(m->cls);
}

bool mutex_is_locked(struct mutex *m)
{
	return m->held;
}

void mutex_destroy(struct mutex *m)
{
	SHIM_CHECK(!m->held, "mutex %s destroyed while held",
		   m->cls ? m->cls->name : "?");
}

void shim_spin_init(spinlock_t *l, const char *name)
{
	l->cls = shim_class(name);
	l->held = false;
}

void shim_spin_lock(spinlock_t *l)
{
	SHIM_CHECK(l->cls, "spinlock used before spin_lock_init()");
	SHIM_CHECK(!l->held, "spinlock %s taken while held: deadlock",
		   l->cls->name);
	shim_acquire(l->cls, __FILE__, __LINE__);
	l->held = true;
	atomic_depth++;
}

void shim_spin_unlock(spinlock_t *l)
{
	SHIM_CHECK(l->held, "spinlock %s unlocked but not held", l->cls->name);
	l->held = false;
	shim_release(l->cls);
	shim_atomic_exit();
}

/* ---- RCU ----------------------------------------------------------------- */

static int rcu_depth;

void rcu_read_lock(void)
{
	rcu_depth++;
	atomic_depth++;
}

void rcu_read_unlock(void)
{
	SHIM_CHECK(rcu_depth > 0, "rcu_read_unlock() without a lock");
	rcu_depth--;
	shim_atomic_exit();
}

void synchronize_rcu(void)
{
	might_sleep();
	SHIM_CHECK(!rcu_depth, "synchronize_rcu() in an RCU read section");
}

/* ---- allocation ------------------------------------------------------------ */

void *shim_alloc(size_t n, gfp_t gfp, bool zero)
{
	void *p;

	if (!(gfp & GFP_ATOMIC))
		might_sleep();
	shim_env.allocs++;
	if (shim_env.alloc_fail_at && shim_env.allocs == shim_env.alloc_fail_at)
		return NULL;
	if (n == SIZE_MAX)
		return NULL;
	p = zero ? calloc(1, n ? n : 1) : malloc(n ? n : 1);
	SHIM_CHECK(p, "out of memory (%zu bytes)", n);
	shim_env.live++;
	return p;
}

void kfree(const void *p)
{
	if (!p)
		return;
	shim_env.live--;
	free((void *)p);
}

/* ---- waits, time, timers, plugs ------------------------------------------- */

void shim_wait(const void *var)
{
	SHIM_CHECK(shim_env.wait, "a wait nothing can end");
	shim_env.wait(var);
}

u64 ktime_get_ns(void)
{
	return shim_env.now;
}

static struct hrtimer *timer_running;

void hrtimer_init(struct hrtimer *t, int clock, enum hrtimer_mode mode)
{
	(void)clock;
	(void)mode;
	memset(t, 0, sizeof(*t));
	t->initialised = true;
}

void hrtimer_start(struct hrtimer *t, ktime_t rel, enum hrtimer_mode mode)
{
	u64 exp;

	(void)mode;
	SHIM_CHECK(t->initialised, "hrtimer_start() before hrtimer_init()");
	SHIM_CHECK(rel >= 0, "hrtimer_start() with a negative delay");
	if (__builtin_add_overflow(shim_env.now, (u64)rel, &exp))
		exp = U64_MAX;
	t->expires = exp;
	t->armed = true;
}

int hrtimer_try_to_cancel(struct hrtimer *t)
{
	int was = t->armed;

	if (timer_running == t)
		return -1;	/* the callback is running: cannot cancel */
	t->armed = false;
	return was;
}

int hrtimer_cancel(struct hrtimer *t)
{
	might_sleep();
	SHIM_CHECK(timer_running != t,
		   "hrtimer_cancel() from its own callback: deadlock");
	return hrtimer_try_to_cancel(t);
}

bool shim_timer_run(struct hrtimer *t)
{
	enum hrtimer_restart r;

	if (!t->armed || t->expires > shim_env.now)
		return false;
	t->armed = false;
	timer_running = t;
	shim_atomic_enter();		/* softirq */
	r = t->function(t);
	shim_atomic_exit();
	timer_running = NULL;
	SHIM_CHECK(r == HRTIMER_NORESTART, "timer asked to be restarted");
	return true;
}

void blk_start_plug(struct blk_plug *p)
{
	p->depth = ++shim_env.plug_depth;
}

void blk_finish_plug(struct blk_plug *p)
{
	SHIM_CHECK(p->depth == shim_env.plug_depth, "block plugs not nested");
	shim_env.plug_depth--;
}

void shim_reset(void)
{
	SHIM_CHECK(!nheld, "a lock is still held at the end of a run");
	SHIM_CHECK(!atomic_depth && !rcu_depth,
		   "an atomic section is still open at the end of a run");
	SHIM_CHECK(!shim_env.plug_depth, "a block plug is still open");
	memset(&shim_env, 0, sizeof(shim_env));
	timer_running = NULL;
	/* Lock order is learnt across runs, as lockdep learns across a boot. */
}

/* ---- iov_iter over kernel vectors ------------------------------------------ */

void iov_iter_kvec(struct iov_iter *i, unsigned int dir, const struct kvec *kv,
		   unsigned long nr, size_t count)
{
	SHIM_CHECK(dir == ITER_DEST || dir == ITER_SOURCE, "bad iterator direction");
	i->iter_type = ITER_KVEC;
	i->data_source = dir;
	i->kvec = kv;
	i->nr_segs = nr;
	i->iov_offset = 0;
	i->count = count;
}

void iov_iter_advance(struct iov_iter *i, size_t n)
{
	n = min(n, i->count);
	i->count -= n;
	n += i->iov_offset;
	while (i->nr_segs && n >= i->kvec->iov_len) {
		n -= i->kvec->iov_len;
		i->kvec++;
		i->nr_segs--;
	}
	i->iov_offset = n;
}

void iov_iter_revert(struct iov_iter *i, size_t n)
{
	if (!n)
		return;
	i->count += n;
	if (n <= i->iov_offset) {
		i->iov_offset -= n;
		return;
	}
	n -= i->iov_offset;
	for (;;) {
		size_t len;

		i->kvec--;
		i->nr_segs++;
		len = i->kvec->iov_len;
		if (n <= len) {
			i->iov_offset = len - n;
			return;
		}
		n -= len;
	}
}

/* Walk up to @n bytes of @i from its position; @fn gets each piece. */
static size_t iter_walk(struct iov_iter *i, size_t n,
			void (*fn)(void *seg, size_t len, void *arg), void *arg)
{
	const struct kvec *kv = i->kvec;
	unsigned long nr = i->nr_segs;
	size_t off = i->iov_offset, done = 0;

	n = min(n, i->count);
	while (done < n && nr) {
		size_t len = min(kv->iov_len - off, n - done);

		if (len)
			fn((char *)kv->iov_base + off, len, arg);
		done += len;
		off += len;
		if (off == kv->iov_len) {
			kv++;
			nr--;
			off = 0;
		}
	}
	SHIM_CHECK(done == n, "iterator shorter than its count");
	iov_iter_advance(i, n);
	return n;
}

struct copy_arg {
	char *p;
};

static void to_seg(void *seg, size_t len, void *arg)
{
	struct copy_arg *a = arg;

	if (shim_iter_write_hook)
		shim_iter_write_hook(seg, len);
	memcpy(seg, a->p, len);
	a->p += len;
}

static void from_seg(void *seg, size_t len, void *arg)
{
	struct copy_arg *a = arg;

	memcpy(a->p, seg, len);
	a->p += len;
}

static void zero_seg(void *seg, size_t len, void *arg)
{
	(void)arg;
	if (shim_iter_write_hook)
		shim_iter_write_hook(seg, len);
	memset(seg, 0, len);
}

size_t copy_to_iter(const void *src, size_t n, struct iov_iter *i)
{
	struct copy_arg a = { (char *)src };

	SHIM_CHECK(!i->data_source, "copy_to_iter() into a source iterator");
	return iter_walk(i, n, to_seg, &a);
}

size_t copy_from_iter(void *dst, size_t n, struct iov_iter *i)
{
	struct copy_arg a = { dst };

	SHIM_CHECK(i->data_source, "copy_from_iter() out of a destination iterator");
	return iter_walk(i, n, from_seg, &a);
}

size_t iov_iter_zero(size_t n, struct iov_iter *i)
{
	SHIM_CHECK(!i->data_source, "iov_iter_zero() on a source iterator");
	return iter_walk(i, n, zero_seg, NULL);
}

size_t iov_iter_single_seg_count(const struct iov_iter *i)
{
	if (i->nr_segs > 1)
		return min(i->count, i->kvec->iov_len - i->iov_offset);
	return i->count;
}
