/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblk requests: a walked descriptor chain parsed and validated as a
 * virtio-blk request (virtio 1.2, 5.2.6), ready for the throttle and the
 * backing. Validation is pure: it reads guest memory (the header) and
 * builds the data iterator, nothing else.
 */
#ifndef _VBLK_REQ_H
#define _VBLK_REQ_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/uio.h>

#include "vblk_mem.h"
#include "vblk_vq.h"

#define VBLK_SEG_MAX		(VBLK_VQ_CHAIN_MAX - 2)
#define VBLK_SIZE_MAX		0x100000U	/* 1 MiB */
#define VBLK_SECTOR_SHIFT	9
#define VBLK_SECTOR_SIZE	512U		/* 1 << VBLK_SECTOR_SHIFT */
/* Segments of one DISCARD or WRITE_ZEROES request (max_*_seg). */
#define VBLK_DWZ_SEG_MAX	32U
/* Sectors of one DISCARD segment (max_discard_sectors): 1 GiB. */
#define VBLK_DISCARD_MAX_SECTORS	BIT(21)
/* Sectors of one WRITE_ZEROES segment (max_write_zeroes_sectors): 64 MiB. */
#define VBLK_WZ_MAX_SECTORS	BIT(17)

/**
 * enum vblk_op - what a validated request asks of the device
 * @VBLK_OP_NONE: nothing: complete with the status as it is
 * @VBLK_OP_READ: read @len bytes at @pos into the guest's buffers
 * @VBLK_OP_WRITE: write @len bytes from the guest's buffers at @pos
 * @VBLK_OP_FLUSH: make completed writes durable
 * @VBLK_OP_GET_ID: copy the serial into the guest's buffers
 * @VBLK_OP_DISCARD: deallocate the ranges in @dwz
 * @VBLK_OP_WRITE_ZEROES: zero the ranges in @dwz
 */
enum vblk_op {
	VBLK_OP_NONE,
	VBLK_OP_READ,
	VBLK_OP_WRITE,
	VBLK_OP_FLUSH,
	VBLK_OP_GET_ID,
	VBLK_OP_DISCARD,
	VBLK_OP_WRITE_ZEROES,
};

/**
 * struct vblk_dwz - one validated DISCARD or WRITE_ZEROES range
 * @pos: byte offset in the backing
 * @len: bytes (a multiple of 512, possibly 0)
 * @unmap: the range may be deallocated (WRITE_ZEROES with the unmap flag,
 *	when the device offers write_zeroes_may_unmap)
 */
struct vblk_dwz {
	u64 pos;
	u64 len;
	bool unmap;
};

/**
 * struct vblk_req - one request
 * @head: head descriptor index, for the used ring
 * @type: VIRTIO_BLK_T_* from the header (U32_MAX if there is none)
 * @sector: first sector from the header
 * @pos: byte offset in the backing (READ/WRITE)
 * @len: data bytes (READ/WRITE), serial bytes (GET_ID), the ranges'
 *	bytes (DISCARD/WRITE_ZEROES)
 * @op: what to do once admitted
 * @dwz: the ranges of a DISCARD or WRITE_ZEROES (in the queue's scratch)
 * @ndwz: how many
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
	struct vblk_dwz *dwz;
	unsigned int ndwz;
	u8 status;
	u64 status_gpa;
	struct iov_iter iter;
};

/**
 * struct vblk_req_env - what validation needs besides the chain
 * @mem: guest memory
 * @capacity: the device's capacity in sectors (read once per request)
 * @read_only: the device refuses writes
 * @discard: VIRTIO_BLK_F_DISCARD was negotiated
 * @write_zeroes: VIRTIO_BLK_F_WRITE_ZEROES was negotiated
 * @zeroes_unmap: the device offers write_zeroes_may_unmap
 * @segs: scratch for the data segments, %VBLK_SEG_MAX entries
 * @iov: storage for the vectors behind the data iterator
 * @dwz: scratch for DISCARD/WRITE_ZEROES ranges, %VBLK_DWZ_SEG_MAX entries
 */
struct vblk_req_env {
	const struct vblk_mem *mem;
	u64 capacity;
	bool read_only;
	bool discard;
	bool write_zeroes;
	bool zeroes_unmap;
	struct vblk_seg *segs;
	union vblk_iovec_buf *iov;
	struct vblk_dwz *dwz;
};

bool vblk_req_locate_status(struct vblk_req *req, const struct vblk_chain *c);
u8 vblk_req_validate(struct vblk_req *req, const struct vblk_chain *c,
		     const struct vblk_req_env *env);
u32 vblk_req_written(const struct vblk_req *req);

#endif /* _VBLK_REQ_H */
