/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subset of the kernel API that vblk's device core (kmod/vblk_vq.c,
 * vblk_req.c, vblk_io.c, vblk_blk.c, vblk_throttle.c, vblk_vdev.c,
 * vblk_mmio.c) uses, for building it unchanged in userspace under
 * libFuzzer. Every kernel header those files include is a one-line file
 * in this directory that includes this one.
 *
 * Single-threaded by design: the harness plays the worker, the backing's
 * completion context and the timer one at a time, so every run is
 * reproducible from its input. What concurrency would hide is checked
 * instead: sleeping in atomic context, lock order and recursion
 * (a miniature lockdep), and waits that nothing could ever end.
 */
#ifndef VBLK_SHIM_H
#define VBLK_SHIM_H

#include <linux/types.h>
#include <linux/errno.h>

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

/* ---- reporting --------------------------------------------------------- */

/* A broken kernel rule or harness invariant: print and abort (a crash). */
void shim_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
#define SHIM_FAIL(...)	shim_fail(__FILE__, __LINE__, __VA_ARGS__)
#define SHIM_CHECK(cond, ...) do {					\
	if (!(cond))							\
		SHIM_FAIL(__VA_ARGS__);					\
} while (0)

/* ---- compiler and basic macros ----------------------------------------- */

#define __rcu
#define __user
#define __iomem
#define __force
#define __must_check		__attribute__((warn_unused_result))
#undef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#define __aligned(x)		__attribute__((aligned(x)))
#define __packed		__attribute__((packed))
#define __counted_by(m)
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define noinline		__attribute__((noinline))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define fallthrough		__attribute__((__fallthrough__))

#define __static_assert(expr, msg, ...) _Static_assert(expr, msg)
#define static_assert(expr, ...) __static_assert(expr, ##__VA_ARGS__, #expr)
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), #cond)

#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)
#define EXPORT_SYMBOL_IF_KUNIT(x)
#define EXPORT_SYMBOL_NS_GPL(x, ns)
#define VISIBLE_IF_KUNIT	static

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define BITS_PER_LONG		64
#define GENMASK(h, l)		(((~0UL) << (l)) & (~0UL >> (63 - (h))))
#define GENMASK_ULL(h, l)	(((~0ULL) << (l)) & (~0ULL >> (63 - (h))))

#define U8_MAX			((u8)~0U)
#define U16_MAX			((u16)~0U)
#define U32_MAX			((u32)~0U)
#define U64_MAX			((u64)~0ULL)
#define S64_MAX			((s64)(U64_MAX >> 1))
#define NSEC_PER_SEC		1000000000L
#define NSEC_PER_MSEC		1000000L
#define NSEC_PER_USEC		1000L

/* Kernel-internal errnos. */
#define ERESTARTSYS		512
#define ENOTSUPP		524
#define EIOCBQUEUED		529

#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define ALIGN(x, a)		(((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* ---- min/max (evaluate once, as the kernel's do) ----------------------- */

#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b) ({ t _a = (a); t _b = (b); _a < _b ? _a : _b; })
#define max_t(t, a, b) ({ t _a = (a); t _b = (b); _a > _b ? _a : _b; })
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define swap(a, b) do { __typeof__(a) _t = (a); (a) = (b); (b) = _t; } while (0)

/* ---- overflow.h --------------------------------------------------------- */

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)
/* The kernel's semantics: the shift must be in range and lose no bits. */
#define check_shl_overflow(a, s, d) ({					\
	__typeof__(a) _a = (a);						\
	__typeof__(s) _s = (s);						\
	__typeof__(d) _d = (d);						\
	unsigned int _w = 8 * sizeof(*_d);				\
	bool _bad = (u64)_s >= _w;					\
	*_d = _bad ? 0 : (__typeof__(*_d))((u64)_a << _s);		\
	_bad || _a < 0 || (u64)(*_d >> _s) != (u64)_a;			\
})
#define wrapping_add(t, a, b)	((t)((t)(a) + (t)(b)))
#define wrapping_sub(t, a, b)	((t)((t)(a) - (t)(b)))
#define wrapping_mul(t, a, b)	((t)((t)(a) * (t)(b)))
#define size_add(a, b)		((a) + (b) < (a) ? SIZE_MAX : (a) + (b))
#define struct_size(p, member, n) \
	(sizeof(*(p)) + sizeof(*(p)->member) * (size_t)(n))

/* ---- byte order (x86-64: little-endian) --------------------------------- */

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");
#define cpu_to_le16(x)	((__le16)(u16)(x))
#define cpu_to_le32(x)	((__le32)(u32)(x))
#define cpu_to_le64(x)	((__le64)(u64)(x))
#define le16_to_cpu(x)	((u16)(x))
#define le32_to_cpu(x)	((u32)(x))
#define le64_to_cpu(x)	((u64)(x))

static inline void put_unaligned_le16(u16 v, void *p) { memcpy(p, &v, 2); }
static inline void put_unaligned_le32(u32 v, void *p) { memcpy(p, &v, 4); }
static inline void put_unaligned_le64(u64 v, void *p) { memcpy(p, &v, 8); }
static inline u16 get_unaligned_le16(const void *p) { u16 v; memcpy(&v, p, 2); return v; }
static inline u32 get_unaligned_le32(const void *p) { u32 v; memcpy(&v, p, 4); return v; }
static inline u64 get_unaligned_le64(const void *p) { u64 v; memcpy(&v, p, 8); return v; }

/* ---- memory model (one thread: compiler barriers are enough) ------------ */

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define barrier()		__asm__ __volatile__("" ::: "memory")
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb__after_atomic()	smp_mb()
#define smp_mb__before_atomic()	smp_mb()

typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
#define ATOMIC_INIT(v)		{ (v) }

#define SHIM_SEQ		__ATOMIC_SEQ_CST
static inline int atomic_read(const atomic_t *v) { return __atomic_load_n(&v->counter, SHIM_SEQ); }
static inline void atomic_set(atomic_t *v, int i) { __atomic_store_n(&v->counter, i, SHIM_SEQ); }
static inline void atomic_inc(atomic_t *v) { __atomic_add_fetch(&v->counter, 1, SHIM_SEQ); }
static inline void atomic_dec(atomic_t *v) { __atomic_sub_fetch(&v->counter, 1, SHIM_SEQ); }
static inline bool atomic_dec_and_test(atomic_t *v) { return !__atomic_sub_fetch(&v->counter, 1, SHIM_SEQ); }
static inline int atomic_inc_return(atomic_t *v) { return __atomic_add_fetch(&v->counter, 1, SHIM_SEQ); }
static inline int atomic_fetch_or(int i, atomic_t *v) { return __atomic_fetch_or(&v->counter, i, SHIM_SEQ); }
static inline void atomic_or(int i, atomic_t *v) { __atomic_fetch_or(&v->counter, i, SHIM_SEQ); }
static inline void atomic_andnot(int i, atomic_t *v) { __atomic_fetch_and(&v->counter, ~i, SHIM_SEQ); }
static inline int atomic_fetch_andnot(int i, atomic_t *v) { return __atomic_fetch_and(&v->counter, ~i, SHIM_SEQ); }
static inline int atomic_xchg(atomic_t *v, int i) { return __atomic_exchange_n(&v->counter, i, SHIM_SEQ); }
static inline s64 atomic64_read(const atomic64_t *v) { return __atomic_load_n(&v->counter, SHIM_SEQ); }
static inline void atomic64_set(atomic64_t *v, s64 i) { __atomic_store_n(&v->counter, i, SHIM_SEQ); }
static inline void atomic64_inc(atomic64_t *v) { __atomic_add_fetch(&v->counter, 1, SHIM_SEQ); }
static inline void atomic64_dec(atomic64_t *v) { __atomic_sub_fetch(&v->counter, 1, SHIM_SEQ); }
static inline void atomic64_add(s64 i, atomic64_t *v) { __atomic_add_fetch(&v->counter, i, SHIM_SEQ); }
static inline s64 atomic64_xchg(atomic64_t *v, s64 i) { return __atomic_exchange_n(&v->counter, i, SHIM_SEQ); }
static inline s64 atomic64_cmpxchg(atomic64_t *v, s64 o, s64 n)
{
	__atomic_compare_exchange_n(&v->counter, &o, n, false, SHIM_SEQ, SHIM_SEQ);
	return o;
}

static inline void set_bit(unsigned int nr, unsigned long *addr) { __atomic_fetch_or(addr, 1UL << nr, SHIM_SEQ); }
static inline void clear_bit(unsigned int nr, unsigned long *addr) { __atomic_fetch_and(addr, ~(1UL << nr), SHIM_SEQ); }
static inline bool test_bit(unsigned int nr, const unsigned long *addr) { return (*addr >> nr) & 1; }
static inline bool test_and_clear_bit(unsigned int nr, unsigned long *addr)
{
	return (__atomic_fetch_and(addr, ~(1UL << nr), SHIM_SEQ) >> nr) & 1;
}
static inline bool test_and_set_bit(unsigned int nr, unsigned long *addr)
{
	return (__atomic_fetch_or(addr, 1UL << nr, SHIM_SEQ) >> nr) & 1;
}
#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = 0; (bit) < (size); (bit)++)			\
		if (!((*(addr) >> (bit)) & 1)) {} else
static inline unsigned int hweight64(u64 w) { return __builtin_popcountll(w); }
static inline unsigned int hweight32(u32 w) { return __builtin_popcount(w); }
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
#define ilog2(n)	(63 - __builtin_clzll((u64)(n)))

/* ---- 64-bit division ---------------------------------------------------- */

static inline u64 div_u64_rem(u64 n, u32 d, u32 *rem) { *rem = n % d; return n / d; }
static inline u64 div_u64(u64 n, u32 d) { return n / d; }
static inline u64 div64_u64(u64 n, u64 d) { return n / d; }
static inline u64 div64_u64_rem(u64 n, u64 d, u64 *rem) { *rem = n % d; return n / d; }
static inline u64 mul_u64_u64_div_u64(u64 a, u64 b, u64 c)
{
	return (u64)((unsigned __int128)a * b / c);
}

/* ---- contexts: sleeping, atomic sections, lock order -------------------- */

/*
 * shim_atomic_depth() > 0 while in a spinlock, an RCU read section, a
 * timer callback or the backing's completion context: nothing may sleep
 * there. Every call that may sleep in the kernel calls might_sleep().
 */
int shim_atomic_depth(void);
void shim_atomic_enter(void);
void shim_atomic_exit(void);
void might_sleep_at(const char *file, int line);
#define might_sleep()		might_sleep_at(__FILE__, __LINE__)
void cond_resched_at(const char *file, int line);
#define cond_resched()		cond_resched_at(__FILE__, __LINE__)

#define WARN_ON(c) ({ bool _c = !!(c); if (_c) SHIM_FAIL("WARN_ON(%s)", #c); _c; })
#define WARN_ON_ONCE(c)		WARN_ON(c)
#define WARN_ONCE(c, ...)	WARN_ON(c)
#define BUG_ON(c)		do { if (c) SHIM_FAIL("BUG_ON(%s)", #c); } while (0)
#define BUG()			SHIM_FAIL("BUG()")
#define pr_err(...)		((void)0)
#define pr_warn(...)		((void)0)
#define pr_info(...)		((void)0)
#define pr_debug(...)		((void)0)
#define pr_warn_ratelimited(...)	((void)0)

/*
 * Locks are named by their initialiser's expression ("&vd->lock"); a
 * name is a lock class. The shim records which classes were held when
 * another was taken and fails on an inversion, on taking a class
 * already held (the kernel's lockdep would need a nesting annotation)
 * and on a mutex taken in atomic context.
 */
struct shim_lock_class;
struct mutex {
	struct shim_lock_class *cls;
	bool held;
};
typedef struct {
	struct shim_lock_class *cls;
	bool held;
} spinlock_t;

void shim_mutex_init(struct mutex *m, const char *name);
void mutex_lock_at(struct mutex *m, const char *file, int line);
void mutex_unlock(struct mutex *m);
bool mutex_is_locked(struct mutex *m);
void mutex_destroy(struct mutex *m);
#define mutex_init(m)		shim_mutex_init(m, #m)
#define mutex_lock(m)		mutex_lock_at(m, __FILE__, __LINE__)
#define DEFINE_MUTEX(n)		struct mutex n = { NULL, false }
#define lockdep_assert_held(m)	SHIM_CHECK((m)->held, "lock %s not held", #m)
#define lockdep_is_held(m)	((m)->held)

void shim_spin_init(spinlock_t *l, const char *name);
void shim_spin_lock(spinlock_t *l);
void shim_spin_unlock(spinlock_t *l);
#define spin_lock_init(l)	shim_spin_init(l, #l)
#define spin_lock(l)		shim_spin_lock(l)
#define spin_unlock(l)		shim_spin_unlock(l)
#define spin_lock_irq(l)	shim_spin_lock(l)
#define spin_unlock_irq(l)	shim_spin_unlock(l)
#define spin_lock_bh(l)		shim_spin_lock(l)
#define spin_unlock_bh(l)	shim_spin_unlock(l)
#define spin_lock_irqsave(l, f)	do { (f) = 0; shim_spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f) do { (void)(f); shim_spin_unlock(l); } while (0)

/* How many locks of any kind the current context holds. */
int shim_locks_held(void);

/* ---- RCU (one thread: readers never overlap a writer) ------------------- */

void rcu_read_lock(void);
void rcu_read_unlock(void);
void synchronize_rcu(void);
#define rcu_dereference(p)		(p)
#define rcu_dereference_protected(p, c)	(p)
#define rcu_access_pointer(p)		(p)
#define rcu_assign_pointer(p, v)	((p) = (v))
#define RCU_INIT_POINTER(p, v)		((p) = (v))
#define rcu_replace_pointer(p, v, c)	({ __typeof__(p) _o = (p); (p) = (v); _o; })
#define RCU_INITIALIZER(v)		(v)
#define unrcu_pointer(p)		(p)

/* ---- allocation (failures injectable) ------------------------------------ */

typedef unsigned int gfp_t;
#define GFP_KERNEL		0x1u
#define GFP_KERNEL_ACCOUNT	0x2u
#define GFP_ATOMIC		0x4u
#define __GFP_ZERO		0x8u
void *shim_alloc(size_t n, gfp_t gfp, bool zero);
void kfree(const void *p);
#define kvfree(p)			kfree(p)
#define kmalloc(n, g)			shim_alloc(n, g, false)
#define kzalloc(n, g)			shim_alloc(n, g, true)
#define kvzalloc(n, g)			shim_alloc(n, g, true)
#define kvmalloc(n, g)			shim_alloc(n, g, false)
#define kcalloc(n, s, g)		shim_alloc(shim_array_size(n, s), g, true)
#define kvcalloc(n, s, g)		shim_alloc(shim_array_size(n, s), g, true)
#define kmalloc_array(n, s, g)		shim_alloc(shim_array_size(n, s), g, false)
static inline size_t shim_array_size(size_t n, size_t s)
{
	size_t r;

	return __builtin_mul_overflow(n, s, &r) ? SIZE_MAX : r;
}

#define ERR_PTR(e)			((void *)(long)(e))
#define PTR_ERR(p)			((long)(p))
#define IS_ERR(p)			((unsigned long)(p) >= (unsigned long)-4095)
static inline ssize_t strscpy(char *d, const char *s, size_t n)
{
	size_t l = strnlen(s, n);

	if (!n)
		return -E2BIG;
	if (l == n) {
		memcpy(d, s, n - 1);
		d[n - 1] = 0;
		return -E2BIG;
	}
	memcpy(d, s, l + 1);
	return l;
}

/* ---- lists ---------------------------------------------------------------- */

struct list_head {
	struct list_head *next, *prev;
};
static inline void INIT_LIST_HEAD(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}
static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = NULL;
}
#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry_or_null(h, type, member)			\
	(list_empty(h) ? NULL : list_entry((h)->next, type, member))
#define list_for_each_entry(pos, h, member)				\
	for (pos = list_entry((h)->next, __typeof__(*pos), member);	\
	     &pos->member != (h);					\
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

/*
 * The group registry's xarray: the fuzzer never makes a group, so an
 * empty registry that refuses to grow is all it needs.
 */
struct xarray {
	int unused;
};
#define DEFINE_XARRAY_ALLOC1(name)	struct xarray name = { 0 }
#define XA_PRESENT			0
#define XA_LIMIT(lo, hi)		0
#define xa_find(xa, idx, max, f)	((void)(xa), (void)(idx), NULL)
#define xa_for_each(xa, idx, e)						\
	for ((void)(xa), (idx) = 0, (e) = NULL; false; )
#define xa_alloc_cyclic(xa, id, e, lim, next, gfp)			\
	((void)(xa), (void)(id), (void)(e), (void)(next), -ENOMEM)
#define xa_erase(xa, idx)		((void)(xa), (void)(idx), NULL)
#define xa_destroy(xa)			((void)(xa))

struct llist_node {
	struct llist_node *next;
};
struct llist_head {
	struct llist_node *first;
};
static inline void init_llist_head(struct llist_head *h) { h->first = NULL; }
static inline bool llist_add(struct llist_node *n, struct llist_head *h)
{
	n->next = h->first;
	h->first = n;
	return !n->next;
}
static inline struct llist_node *llist_del_all(struct llist_head *h)
{
	struct llist_node *n = h->first;

	h->first = NULL;
	return n;
}
static inline bool llist_empty(const struct llist_head *h) { return !h->first; }
static inline struct llist_node *llist_reverse_order(struct llist_node *n)
{
	struct llist_node *r = NULL;

	while (n) {
		struct llist_node *t = n->next;

		n->next = r;
		r = n;
		n = t;
	}
	return r;
}
#define llist_entry(ptr, type, member)	container_of(ptr, type, member)
#define llist_for_each_entry_safe(pos, n, node, member)			\
	for (pos = ((node) ? llist_entry(node, __typeof__(*pos), member) : NULL); \
	     pos && (n = (pos->member.next ?					\
			  llist_entry(pos->member.next, __typeof__(*pos), member) : NULL), 1); \
	     pos = n)

/* ---- waiting ---------------------------------------------------------------- */

/*
 * One thread: a wait can only end if whatever the waiter waits for runs
 * meanwhile. shim_wait() asks the harness to run it (a backing finishing
 * its transfers); a condition still false afterwards is a wait that
 * would never end.
 */
void shim_wait(const void *var);
#define wait_var_event(var, cond) do {					\
	might_sleep();							\
	if (!(cond)) {							\
		shim_wait(var);						\
		SHIM_CHECK(cond, "wait on %s would never end", #cond);	\
	}								\
} while (0)
#define wake_up_var(var)	((void)(var))

/* ---- time and timers ---------------------------------------------------- */

u64 ktime_get_ns(void);
static inline ktime_t ns_to_ktime(u64 ns) { return (ktime_t)ns; }
static inline ktime_t ktime_get(void) { return (ktime_t)ktime_get_ns(); }

enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };
enum hrtimer_mode {
	HRTIMER_MODE_ABS, HRTIMER_MODE_REL, HRTIMER_MODE_REL_SOFT,
	HRTIMER_MODE_ABS_SOFT,
};
struct hrtimer {
	enum hrtimer_restart (*function)(struct hrtimer *t);
	bool armed;
	u64 expires;
	bool initialised;
};
void hrtimer_init(struct hrtimer *t, int clock, enum hrtimer_mode mode);
void hrtimer_start(struct hrtimer *t, ktime_t rel, enum hrtimer_mode mode);
int hrtimer_cancel(struct hrtimer *t);
int hrtimer_try_to_cancel(struct hrtimer *t);
static inline bool hrtimer_active(const struct hrtimer *t) { return t->armed; }

/* ---- block plugging ------------------------------------------------------ */

struct blk_plug {
	int depth;
};
void blk_start_plug(struct blk_plug *p);
void blk_finish_plug(struct blk_plug *p);

/* ---- struct kiocb (only embedded, never used by the core) ---------------- */

struct file;
struct kiocb {
	struct file *ki_filp;
	loff_t ki_pos;
	void (*ki_complete)(struct kiocb *iocb, long ret);
	void *private;
	int ki_flags;
};

/* ---- iov_iter: kernel vectors only ---------------------------------------- */

struct kvec {
	void *iov_base;
	size_t iov_len;
};

#define ITER_DEST	0	/* READ: the iterator is filled */
#define ITER_SOURCE	1	/* WRITE: the iterator is drained */
enum iter_type { ITER_KVEC = 1 };

struct page;

struct bio_vec {
	struct page *bv_page;
	unsigned int bv_len;
	unsigned int bv_offset;
};

struct iov_iter {
	u8 iter_type;
	bool data_source;
	size_t iov_offset;
	const struct kvec *kvec;
	unsigned long nr_segs;
	size_t count;
};

static inline size_t iov_iter_count(const struct iov_iter *i) { return i->count; }
void iov_iter_kvec(struct iov_iter *i, unsigned int dir, const struct kvec *kv,
		   unsigned long nr, size_t count);
void iov_iter_advance(struct iov_iter *i, size_t n);
void iov_iter_revert(struct iov_iter *i, size_t n);
size_t copy_to_iter(const void *src, size_t n, struct iov_iter *i);
size_t copy_from_iter(void *dst, size_t n, struct iov_iter *i);
size_t iov_iter_zero(size_t n, struct iov_iter *i);
size_t iov_iter_single_seg_count(const struct iov_iter *i);

/*
 * The harness sees every byte range a data iterator writes (the guest's
 * memory, for a read or GET_ID) before it is written.
 */
extern void (*shim_iter_write_hook)(const void *dst, size_t n);

#endif /* VBLK_SHIM_H */
