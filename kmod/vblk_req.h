/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk requests: a walked descriptor chain parsed and validated as a
 * virtio-blk request (virtio 1.2, 5.2.6), ready for the throttle and the
 * backing. Validation is pure: it reads guest memory (the header) and
 * builds the data iterator, nothing else.
 */
#ifndef _VBLK_REQ_H
#define _VBLK_REQ_H

#include <linux/types.h>
#include <linux/uio.h>

#include "vblk_mem.h"
#include "vblk_vq.h"

#define VBLK_SEG_MAX		(VBLK_VQ_CHAIN_MAX - 2)
#define VBLK_SIZE_MAX		0x100000U	/* 1 MiB */
#define VBLK_SECTOR_SHIFT	9
#define VBLK_SECTOR_SIZE	512U		/* 1 << VBLK_SECTOR_SHIFT */

/**
 * enum vblk_op - what a validated request asks of the device
 * @VBLK_OP_NONE: nothing: complete with the status as it is
 * @VBLK_OP_READ: read @len bytes at @pos into the guest's buffers
 * @VBLK_OP_WRITE: write @len bytes from the guest's buffers at @pos
 * @VBLK_OP_FLUSH: make completed writes durable
 * @VBLK_OP_GET_ID: copy the serial into the guest's buffers
 */
enum vblk_op {
	VBLK_OP_NONE,
	VBLK_OP_READ,
	VBLK_OP_WRITE,
	VBLK_OP_FLUSH,
	VBLK_OP_GET_ID,
};

/**
 * struct vblk_req - one request
 * @head: head descriptor index, for the used ring
 * @type: VIRTIO_BLK_T_* from the header (U32_MAX if there is none)
 * @sector: first sector from the header
 * @pos: byte offset in the backing (READ/WRITE)
 * @len: data bytes (READ/WRITE), serial bytes (GET_ID)
 * @op: what to do once admitted
 * @status: VIRTIO_BLK_S_* for the guest
 * @status_gpa: where the status byte goes: the last byte of the chain
 * @iter: the guest data, as built by the memory's iter()
 */
struct vblk_req {
	u16 head;
	u32 type;
	u64 sector;
	u64 pos;
	u64 len;
	enum vblk_op op;
	u8 status;
	u64 status_gpa;
	struct iov_iter iter;
};

/**
 * struct vblk_req_env - what validation needs besides the chain
 * @mem: guest memory
 * @capacity: the device's capacity in sectors (read once per request)
 * @read_only: the device refuses writes
 * @segs: scratch for the data segments, %VBLK_SEG_MAX entries
 * @iov: storage for the vectors behind the data iterator
 */
struct vblk_req_env {
	const struct vblk_mem *mem;
	u64 capacity;
	bool read_only;
	struct vblk_seg *segs;
	union vblk_iovec_buf *iov;
};

bool vblk_req_locate_status(struct vblk_req *req, const struct vblk_chain *c);
u8 vblk_req_validate(struct vblk_req *req, const struct vblk_chain *c,
		     const struct vblk_req_env *env);
u32 vblk_req_written(const struct vblk_req *req);

#endif /* _VBLK_REQ_H */
