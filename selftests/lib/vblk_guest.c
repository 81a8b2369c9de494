// SPDX-License-Identifier: GPL-2.0
/*
 * vblk_guest: a userspace guest driver for vblk selftests (see the header).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vblk_guest.h"

#define VG_HDR_SLOT	32	/* header (16) + status (1), rounded */

/* ---- attachment --------------------------------------------------------- */

char *vg_node_path(const char *name)
{
	char *p;

	if (asprintf(&p, "/dev/vblk/%s", name) < 0)
		return NULL;
	return p;
}

static void vg_clear(struct vg *g)
{
	unsigned int q;

	memset(g, 0, sizeof(*g));
	g->fd = -1;
	g->config_fd = -1;
	for (q = 0; q < VG_MAX_QUEUES; q++) {
		g->vq[q].g = g;
		g->vq[q].index = q;
		g->vq[q].kick_fd = -1;
		g->vq[q].call_fd = -1;
	}
	g->timeout_ms = VG_TIMEOUT_MS;
}

int vg_open(struct vg *g, const char *name)
{
	char *path = vg_node_path(name);

	vg_clear(g);
	if (!path)
		return -ENOMEM;
	g->fd = open(path, O_RDWR | O_CLOEXEC);
	free(path);
	return g->fd < 0 ? -errno : 0;
}

int vg_set_ram(struct vg *g, size_t size)
{
	struct {
		struct vblk_mem_table t;
		struct vblk_mem_region r[1];
	} tab;
	void *ram;

	ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		return -errno;
	memset(&tab, 0, sizeof(tab));
	tab.t.nregions = 1;
	tab.r[0].guest_phys_addr = VG_RAM_GPA;
	tab.r[0].size = size;
	tab.r[0].userspace_addr = (uintptr_t)ram;
	if (ioctl(g->fd, VBLK_SET_MEM_TABLE, &tab)) {
		int err = -errno;

		munmap(ram, size);
		return err;
	}
	g->ram = ram;
	g->ram_size = size;
	g->brk = 0;
	return 0;
}

static int vg_new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

int vg_set_eventfds(struct vg *g)
{
	uint32_t nq;
	unsigned int q;

	if (ioctl(g->fd, VBLK_GET_NUM_QUEUES, &nq))
		return -errno;
	if (!nq || nq > VG_MAX_QUEUES)
		return -ERANGE;
	g->nvqs = nq;
	for (q = 0; q < nq; q++) {
		struct vg_vq *vq = &g->vq[q];
		struct vblk_vring_fd a = { .index = q };

		vq->kick_fd = vg_new_eventfd();
		vq->call_fd = vg_new_eventfd();
		if (vq->kick_fd < 0 || vq->call_fd < 0)
			return vq->kick_fd < 0 ? vq->kick_fd : vq->call_fd;
		a.fd = vq->kick_fd;
		if (ioctl(g->fd, VBLK_SET_VRING_KICK, &a))
			return -errno;
		a.fd = vq->call_fd;
		if (ioctl(g->fd, VBLK_SET_VRING_CALL, &a))
			return -errno;
	}
	g->config_fd = vg_new_eventfd();
	if (g->config_fd < 0)
		return g->config_fd;
	if (ioctl(g->fd, VBLK_SET_CONFIG_CALL, &g->config_fd))
		return -errno;
	return 0;
}

int vg_attach(struct vg *g, const char *name, size_t ram_size)
{
	int ret;

	ret = vg_open(g, name);
	if (ret)
		return ret;
	ret = vg_set_ram(g, ram_size ? ram_size : VG_RAM_DEFAULT);
	if (!ret)
		ret = vg_set_eventfds(g);
	if (ret)
		vg_detach(g);
	return ret;
}

void vg_detach(struct vg *g)
{
	unsigned int q;

	if (g->fd >= 0)
		close(g->fd);
	for (q = 0; q < VG_MAX_QUEUES; q++) {
		if (g->vq[q].kick_fd >= 0)
			close(g->vq[q].kick_fd);
		if (g->vq[q].call_fd >= 0)
			close(g->vq[q].call_fd);
	}
	if (g->config_fd >= 0)
		close(g->config_fd);
	if (g->ram)
		munmap(g->ram, g->ram_size);
	vg_clear(g);
}

/* ---- registers ---------------------------------------------------------- */

int vg_mmio_read(struct vg *g, uint32_t off, unsigned int len, uint32_t *val)
{
	uint32_t v = 0;
	ssize_t n;

	if (len > sizeof(v))
		return -EINVAL;
	n = pread(g->fd, &v, len, off);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	*val = v;	/* little-endian host: the low bytes */
	return 0;
}

int vg_mmio_write(struct vg *g, uint32_t off, unsigned int len, uint32_t val)
{
	ssize_t n;

	if (len > sizeof(val))
		return -EINVAL;
	n = pwrite(g->fd, &val, len, off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

uint32_t vg_rd32(struct vg *g, uint32_t off)
{
	uint32_t v = 0;

	if (vg_mmio_read(g, off, 4, &v))
		return 0xffffffff;
	return v;
}

void vg_wr32(struct vg *g, uint32_t off, uint32_t val)
{
	vg_mmio_write(g, off, 4, val);
}

uint64_t vg_cfg_capacity(struct vg *g)
{
	uint32_t gen, lo, hi;
	int tries = 0;

	/* virtio_cread64: re-read while the config generation changes. */
	do {
		gen = vg_rd32(g, VIRTIO_MMIO_CONFIG_GENERATION);
		lo = vg_rd32(g, VIRTIO_MMIO_CONFIG +
			     offsetof(struct virtio_blk_config, capacity));
		hi = vg_rd32(g, VIRTIO_MMIO_CONFIG +
			     offsetof(struct virtio_blk_config, capacity) + 4);
	} while (gen != vg_rd32(g, VIRTIO_MMIO_CONFIG_GENERATION) && ++tries < 16);
	return (uint64_t)hi << 32 | lo;
}

/* ---- initialisation ----------------------------------------------------- */

int vg_probe(struct vg *g)
{
	/* virtio_mmio_probe(): magic, version, device id. */
	if (vg_rd32(g, VIRTIO_MMIO_MAGIC_VALUE) != 0x74726976)
		return -ENODEV;
	if (vg_rd32(g, VIRTIO_MMIO_VERSION) != 2)
		return -ENXIO;
	if (vg_rd32(g, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
		return -ENODEV;
	(void)vg_rd32(g, VIRTIO_MMIO_VENDOR_ID);
	return 0;
}

void vg_reset(struct vg *g)
{
	vg_wr32(g, VIRTIO_MMIO_STATUS, 0);
}

uint64_t vg_alloc(struct vg *g, size_t size, size_t align)
{
	size_t off = (g->brk + align - 1) & ~(align - 1);

	if (off > g->ram_size || size > g->ram_size - off)
		return 0;
	g->brk = off + size;
	return VG_RAM_GPA + off;
}

void *vg_hva(struct vg *g, uint64_t gpa)
{
	if (gpa < VG_RAM_GPA || gpa - VG_RAM_GPA >= g->ram_size)
		return NULL;
	return g->ram + (gpa - VG_RAM_GPA);
}

static int vg_setup_vq(struct vg *g, unsigned int q, unsigned int qsize)
{
	struct vg_vq *vq = &g->vq[q];
	unsigned int num, max, i;
	uint64_t ring;
	void *p;

	/* vm_setup_vq(): select, must not be live, size, addresses, ready. */
	vg_wr32(g, VIRTIO_MMIO_QUEUE_SEL, q);
	if (vg_rd32(g, VIRTIO_MMIO_QUEUE_READY))
		return -ENOENT;
	max = vg_rd32(g, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max || max == 0xffffffff)
		return -ENOENT;
	num = qsize < max ? qsize : max;
	if (!num || num > VG_QMAX || (num & (num - 1)))
		return -EINVAL;

	memset(&vq->num, 0, sizeof(*vq) - offsetof(struct vg_vq, num));
	ring = vg_alloc(g, vring_size(num, 4096), 4096);
	vq->hdr_gpa = vg_alloc(g, VG_QMAX * VG_HDR_SLOT, 64);
	vq->ind_gpa = vg_alloc(g, (size_t)VG_QMAX * VG_IND_MAX *
			       sizeof(struct vring_desc), 16);
	if (!ring || !vq->hdr_gpa || !vq->ind_gpa)
		return -ENOMEM;
	p = vg_hva(g, ring);
	vring_init(&vq->vr, num, p, 4096);
	vq->num = num;
	vq->desc_gpa = ring;
	vq->avail_gpa = ring + ((uint8_t *)vq->vr.avail - (uint8_t *)p);
	vq->used_gpa = ring + ((uint8_t *)vq->vr.used - (uint8_t *)p);
	for (i = 0; i < num; i++)
		vq->vr.desc[i].next = i + 1;
	vq->free_head = 0;
	vq->num_free = num;

	vg_wr32(g, VIRTIO_MMIO_QUEUE_NUM, num);
	vg_wr32(g, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)vq->desc_gpa);
	vg_wr32(g, VIRTIO_MMIO_QUEUE_DESC_HIGH, vq->desc_gpa >> 32);
	vg_wr32(g, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)vq->avail_gpa);
	vg_wr32(g, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, vq->avail_gpa >> 32);
	vg_wr32(g, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)vq->used_gpa);
	vg_wr32(g, VIRTIO_MMIO_QUEUE_USED_HIGH, vq->used_gpa >> 32);
	vg_wr32(g, VIRTIO_MMIO_QUEUE_READY, 1);
	if (vg_rd32(g, VIRTIO_MMIO_QUEUE_READY) != 1)
		return -EIO;
	return 0;
}

int vg_init(struct vg *g, uint64_t want, unsigned int qsize)
{
	return vg_init_mq(g, want, qsize, 1);
}

int vg_init_mq(struct vg *g, uint64_t want, unsigned int qsize,
	       unsigned int nq)
{
	uint32_t status, lo, hi;
	unsigned int q;
	uint64_t feat;
	int ret;

	if (!nq || nq > VG_MAX_QUEUES)
		return -EINVAL;
	if (nq > 1)
		want |= VG_F_MQ;

	ret = vg_probe(g);
	if (ret)
		return ret;

	/* virtio core: reset, ACKNOWLEDGE, DRIVER. */
	vg_reset(g);
	if (vg_rd32(g, VIRTIO_MMIO_STATUS) != 0)
		return -EIO;
	status = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	vg_wr32(g, VIRTIO_MMIO_STATUS, status);
	status |= VIRTIO_CONFIG_S_DRIVER;
	vg_wr32(g, VIRTIO_MMIO_STATUS, status);

	/* vm_get_features(): high word first. */
	vg_wr32(g, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = vg_rd32(g, VIRTIO_MMIO_DEVICE_FEATURES);
	vg_wr32(g, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = vg_rd32(g, VIRTIO_MMIO_DEVICE_FEATURES);
	g->dev_features = (uint64_t)hi << 32 | lo;
	if (!(g->dev_features & VG_F_VERSION_1))
		return -ENODEV;

	/* vm_finalize_features(): high word first. */
	feat = g->dev_features & (want | VG_F_VERSION_1);
	vg_wr32(g, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vg_wr32(g, VIRTIO_MMIO_DRIVER_FEATURES, feat >> 32);
	vg_wr32(g, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vg_wr32(g, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)feat);

	status |= VIRTIO_CONFIG_S_FEATURES_OK;
	vg_wr32(g, VIRTIO_MMIO_STATUS, status);
	if (!(vg_rd32(g, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		vg_wr32(g, VIRTIO_MMIO_STATUS, status | VIRTIO_CONFIG_S_FAILED);
		return -ENODEV;
	}
	g->features = feat;

	/* virtio_blk probe: the capacity, the queue count, the queues. */
	(void)vg_cfg_capacity(g);
	if (nq > 1) {
		uint32_t n = 0;

		vg_mmio_read(g, VIRTIO_MMIO_CONFIG +
			     offsetof(struct virtio_blk_config, num_queues),
			     2, &n);
		if (!(feat & VG_F_MQ) || n < nq) {
			vg_wr32(g, VIRTIO_MMIO_STATUS,
				status | VIRTIO_CONFIG_S_FAILED);
			return -ENODEV;
		}
	}
	for (q = 0; q < nq; q++) {
		ret = vg_setup_vq(g, q, qsize);
		if (ret) {
			vg_wr32(g, VIRTIO_MMIO_STATUS,
				status | VIRTIO_CONFIG_S_FAILED);
			return ret;
		}
	}
	g->nq = nq;
	if (!g->scratch_gpa)
		g->scratch_gpa = vg_alloc(g, VG_SCRATCH, 4096);
	if (!g->scratch_gpa)
		return -ENOMEM;

	status |= VIRTIO_CONFIG_S_DRIVER_OK;
	vg_wr32(g, VIRTIO_MMIO_STATUS, status);
	return 0;
}

/* ---- virtqueue ---------------------------------------------------------- */

static uint64_t vg_ind_table(struct vg_vq *vq, int head)
{
	return vq->ind_gpa +
	       (uint64_t)head * VG_IND_MAX * sizeof(struct vring_desc);
}

struct vg_vq *vg_queue(struct vg *g, unsigned int q)
{
	return q < VG_MAX_QUEUES ? &g->vq[q] : NULL;
}

struct vring_desc *vg_desc(struct vg *g, int head, unsigned int k)
{
	return vg_q_desc(&g->vq[0], head, k);
}

struct vring_desc *vg_q_desc(struct vg_vq *vq, int head, unsigned int k)
{
	struct vg *g = vq->g;
	struct vring_desc *d = &vq->vr.desc[head];
	unsigned int i = head;

	if (d->flags & VRING_DESC_F_INDIRECT) {
		struct vring_desc *t = vg_hva(g, vg_ind_table(vq, head));

		return k < VG_IND_MAX ? &t[k] : NULL;
	}
	while (k--) {
		i = vq->vr.desc[i].next;
		if (i >= vq->num)
			return NULL;
	}
	return &vq->vr.desc[i];
}

int vg_add_chain(struct vg *g, const struct vg_buf *bufs, unsigned int n,
		 bool indirect, void *cookie)
{
	return vg_q_add_chain(&g->vq[0], bufs, n, indirect, cookie);
}

int vg_q_add_chain(struct vg_vq *vq, const struct vg_buf *bufs,
		   unsigned int n, bool indirect, void *cookie)
{
	struct vg *g = vq->g;
	unsigned int i, k, last = 0;
	int head;

	if (!n)
		return -EINVAL;
	if (indirect) {
		struct vring_desc *t;
		uint64_t tgpa;

		if (n > VG_IND_MAX)
			return -E2BIG;
		if (!vq->num_free)
			return -ENOSPC;
		head = vq->free_head;
		tgpa = vg_ind_table(vq, head);
		t = vg_hva(g, tgpa);
		for (k = 0; k < n; k++) {
			t[k].addr = bufs[k].gpa;
			t[k].len = bufs[k].len;
			t[k].flags = (bufs[k].dev_write ? VRING_DESC_F_WRITE : 0) |
				     (k + 1 < n ? VRING_DESC_F_NEXT : 0);
			t[k].next = k + 1 < n ? k + 1 : 0;
		}
		vq->free_head = vq->vr.desc[head].next;
		vq->vr.desc[head].addr = tgpa;
		vq->vr.desc[head].len = n * sizeof(struct vring_desc);
		vq->vr.desc[head].flags = VRING_DESC_F_INDIRECT;
		vq->num_free--;
		vq->ndesc[head] = 1;
	} else {
		if (n > vq->num_free)
			return -ENOSPC;
		head = vq->free_head;
		i = head;
		for (k = 0; k < n; k++) {
			struct vring_desc *d = &vq->vr.desc[i];

			d->addr = bufs[k].gpa;
			d->len = bufs[k].len;
			d->flags = (bufs[k].dev_write ? VRING_DESC_F_WRITE : 0) |
				   (k + 1 < n ? VRING_DESC_F_NEXT : 0);
			last = i;
			i = d->next;	/* the free list links the chain */
		}
		vq->free_head = vq->vr.desc[last].next;
		vq->num_free -= n;
		vq->ndesc[head] = n;
	}
	vq->cookie[head] = cookie;
	return head;
}

void vg_publish(struct vg *g, int head)
{
	vg_q_publish(&g->vq[0], head);
}

void vg_q_publish(struct vg_vq *vq, int head)
{

	vq->vr.avail->ring[vq->avail_idx % vq->num] = head;
	vq->avail_idx++;
	/* The ring entry is visible before the index (virtio_wmb). */
	__atomic_store_n(&vq->vr.avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
}

bool vg_kick_needed(struct vg *g)
{
	return vg_q_kick_needed(&g->vq[0]);
}

bool vg_q_kick_needed(struct vg_vq *vq)
{
	uint16_t old = vq->kicked_idx, new = vq->avail_idx;
	bool need;

	/* virtqueue_kick_prepare(): full barrier, then the device's hint. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->g->features & VG_F_EVENT_IDX)
		need = vring_need_event(__atomic_load_n(&vring_avail_event(&vq->vr),
							__ATOMIC_RELAXED),
					new, old);
	else
		need = !(__atomic_load_n(&vq->vr.used->flags, __ATOMIC_RELAXED) &
			 VRING_USED_F_NO_NOTIFY);
	vq->kicked_idx = new;
	return need;
}

int vg_kick(struct vg *g)
{
	return vg_q_kick(&g->vq[0]);
}

int vg_q_kick(struct vg_vq *vq)
{
	uint64_t one = 1;

	vq->kicked_idx = vq->avail_idx;
	if (write(vq->kick_fd, &one, sizeof(one)) != sizeof(one))
		return -errno;
	return 0;
}

int vg_wait_irq(struct vg *g, int timeout_ms)
{
	return vg_q_wait_irq(&g->vq[0], timeout_ms);
}

int vg_q_wait_irq(struct vg_vq *vq, int timeout_ms)
{
	struct vg *g = vq->g;
	struct pollfd p = { .fd = vq->call_fd, .events = POLLIN };
	uint64_t cnt;
	uint32_t isr;
	int ret;

	ret = poll(&p, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return 0;
	if (read(vq->call_fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return -errno;
	vq->interrupts++;
	__atomic_fetch_add(&g->interrupts, 1, __ATOMIC_RELAXED);
	/* vm_interrupt(): read InterruptStatus, acknowledge what was read. */
	isr = vg_rd32(g, VIRTIO_MMIO_INTERRUPT_STATUS);
	if (isr == 0xffffffff)
		return -EIO;
	if (isr)
		vg_wr32(g, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	__atomic_store_n(&g->last_isr, isr, __ATOMIC_RELAXED);
	__atomic_fetch_or(&g->isr_seen, isr, __ATOMIC_RELAXED);
	return 1;
}

int vg_pending_used(struct vg *g)
{
	return vg_q_pending_used(&g->vq[0]);
}

int vg_q_pending_used(struct vg_vq *vq)
{

	return (uint16_t)(__atomic_load_n(&vq->vr.used->idx, __ATOMIC_ACQUIRE) -
			  vq->last_used);
}

static int vg_free_chain(struct vg_vq *vq, unsigned int head)
{
	unsigned int i = head, k;

	for (k = 1; k < vq->ndesc[head]; k++) {
		i = vq->vr.desc[i].next;
		if (i >= vq->num)
			return -EPROTO;
	}
	vq->vr.desc[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += vq->ndesc[head];
	vq->ndesc[head] = 0;
	vq->cookie[head] = NULL;
	return 0;
}

int vg_reap(struct vg *g)
{
	return vg_q_reap(&g->vq[0]);
}

int vg_q_reap(struct vg_vq *vq)
{
	struct vg *g = vq->g;
	int count = 0;

	while (vg_q_pending_used(vq)) {
		struct vring_used_elem e = vq->vr.used->ring[vq->last_used % vq->num];
		struct vg_req *r;
		uint8_t *st;

		vq->last_used++;
		/* The device must return only heads that are in flight. */
		if (e.id >= vq->num || !vq->cookie[e.id])
			return -EPROTO;
		r = vq->cookie[e.id];
		if (vg_free_chain(vq, e.id))
			return -EPROTO;
		st = r->status_gpa ? vg_hva(g, r->status_gpa) : NULL;
		r->status = st ? *st : 0;
		r->used_len = e.len;
		r->done = true;
		count++;
	}
	if (g->features & VG_F_EVENT_IDX) {
		/* virtqueue_enable_cb_prepare(): interrupt at the next one. */
		__atomic_store_n(&vring_used_event(&vq->vr), vq->last_used,
				 __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	return count;
}

/* ---- block requests ----------------------------------------------------- */

int vg_req_submit(struct vg *g, struct vg_req *r)
{
	return vg_q_req_submit(&g->vq[0], r);
}

int vg_q_req_submit(struct vg_vq *vq, struct vg_req *r)
{
	struct vg *g = vq->g;
	struct vg_buf bufs[VG_IND_MAX];
	struct virtio_blk_outhdr *h;
	unsigned int n = 0, nseg, k;
	uint64_t slot;
	uint8_t *st;
	bool dw = r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_GET_ID;
	int head;

	if (!vq->num_free)
		return -ENOSPC;
	nseg = r->nseg ? r->nseg : 1;
	if (!r->data_len)
		nseg = 0;
	if (nseg + 2 > VG_IND_MAX || (nseg && r->data_len < nseg))
		return -EINVAL;

	/* The head is the free-list head: its slot holds header and status. */
	slot = vq->hdr_gpa + (uint64_t)vq->free_head * VG_HDR_SLOT;
	h = vg_hva(g, slot);
	h->type = r->type;
	h->ioprio = 0;
	h->sector = r->sector;
	st = vg_hva(g, slot + 16);
	*st = 0xff;

	bufs[n++] = (struct vg_buf){ slot, 16, false };
	for (k = 0; k < nseg; k++) {
		uint32_t seg = r->data_len / nseg;
		uint32_t off = k * seg;

		if (k == nseg - 1)
			seg = r->data_len - off;
		bufs[n++] = (struct vg_buf){ r->data_gpa + off, seg, dw };
	}
	bufs[n++] = (struct vg_buf){ slot + 16, 1, true };

	head = vg_q_add_chain(vq, bufs, n, r->indirect, r);
	if (head < 0)
		return head;
	r->head = head;
	r->done = false;
	r->status = 0xff;
	r->status_gpa = slot + 16;
	vg_q_publish(vq, head);
	return 0;
}

static long vg_ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 +
	       (end->tv_nsec - now.tv_nsec) / 1000000;
}

int vg_req_wait(struct vg *g, struct vg_req *r)
{
	return vg_q_req_wait(&g->vq[0], r);
}

int vg_q_req_wait(struct vg_vq *vq, struct vg_req *r)
{
	struct vg *g = vq->g;
	struct timespec end;
	long left;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += g->timeout_ms / 1000;
	end.tv_nsec += (g->timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		ret = vg_q_reap(vq);
		if (ret < 0)
			return ret;
		if (r->done)
			return 0;
		if (vg_q_pending_used(vq))
			continue;
		left = vg_ms_left(&end);
		if (left <= 0)
			return -ETIMEDOUT;
		ret = vg_q_wait_irq(vq, (int)left);
		if (ret < 0)
			return ret;
	}
}

int vg_req_run(struct vg *g, struct vg_req *r)
{
	int ret;

	ret = vg_req_submit(g, r);
	if (!ret && vg_kick_needed(g))
		ret = vg_kick(g);
	if (!ret)
		ret = vg_req_wait(g, r);
	return ret ? ret : r->status;
}

int vg_blk_io(struct vg *g, uint32_t type, uint64_t sector, uint64_t gpa,
	      uint32_t len)
{
	struct vg_req r = {
		.type = type, .sector = sector, .data_gpa = gpa, .data_len = len,
	};

	return vg_req_run(g, &r);
}

int vg_blk_read(struct vg *g, uint64_t sector, void *buf, uint32_t len)
{
	int ret;

	if (len > VG_SCRATCH)
		return -EINVAL;
	ret = vg_blk_io(g, VIRTIO_BLK_T_IN, sector, g->scratch_gpa, len);
	if (ret == VIRTIO_BLK_S_OK)
		memcpy(buf, vg_hva(g, g->scratch_gpa), len);
	return ret;
}

int vg_blk_write(struct vg *g, uint64_t sector, const void *buf, uint32_t len)
{
	if (len > VG_SCRATCH)
		return -EINVAL;
	memcpy(vg_hva(g, g->scratch_gpa), buf, len);
	return vg_blk_io(g, VIRTIO_BLK_T_OUT, sector, g->scratch_gpa, len);
}
