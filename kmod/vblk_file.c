// SPDX-License-Identifier: GPL-2.0
/*
 * vblk backing store over a struct file.
 *
 * I/O goes through the file's own ->read_iter/->write_iter at an explicit
 * position (the file position is never used or moved), so page-cache
 * files, O_DIRECT files and block devices all work. A file opened with
 * O_DIRECT gets direct I/O, submitted asynchronously (many requests in
 * flight); a request whose buffers do not meet the file's direct I/O
 * alignment is refused by the file system with -EINVAL, and is then done
 * through the page cache rather than failed. Page-cache I/O is
 * synchronous, in the caller.
 */
#include <linux/blkdev.h>
#include <linux/bvec.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/magic.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/uio.h>

#include "vblk_file.h"

static void vblk_file_kiocb(struct kiocb *kiocb, struct file *file, loff_t pos,
			    bool direct)
{
	init_sync_kiocb(kiocb, file);
	kiocb->ki_pos = pos;
	/* Positioned I/O only (writable backings never have O_APPEND). */
	kiocb->ki_flags &= ~IOCB_APPEND;
	if (!direct)
		kiocb->ki_flags &= ~IOCB_DIRECT;
}

static ssize_t vblk_file_rw(struct file *file, struct iov_iter *iter,
			    loff_t pos, bool write)
{
	struct iov_iter saved = *iter;
	struct kiocb kiocb;
	ssize_t ret;

	vblk_file_kiocb(&kiocb, file, pos, true);
	if (write)
		ret = vfs_iocb_iter_write(file, &kiocb, iter);
	else
		ret = vfs_iocb_iter_read(file, &kiocb, iter);
	if (ret != -EINVAL || !(kiocb.ki_flags & IOCB_DIRECT))
		return ret;

	/* Misaligned for direct I/O: go through the page cache instead. */
	*iter = saved;
	vblk_file_kiocb(&kiocb, file, pos, false);
	if (write)
		return vfs_iocb_iter_write(file, &kiocb, iter);
	return vfs_iocb_iter_read(file, &kiocb, iter);
}

static ssize_t vblk_file_read_iter(void *ctx, struct iov_iter *iter,
				   loff_t pos)
{
	struct file *file = ctx;
	size_t count = iov_iter_count(iter);
	ssize_t ret = vblk_file_rw(file, iter, pos, false);

	/*
	 * Only a regular file has a readable hole past its end. A block
	 * device reads nothing beyond its size: it shrank or went away, and
	 * the data is lost, not zero.
	 */
	if (!ret && count && S_ISBLK(file_inode(file)->i_mode))
		return -EIO;
	return ret;
}

static ssize_t vblk_file_write_iter(void *ctx, struct iov_iter *iter,
				    loff_t pos)
{
	return vblk_file_rw(ctx, iter, pos, true);
}

static int vblk_file_sync(void *ctx)
{
	return vfs_fsync(ctx, 1);
}

static int vblk_file_sync_range(void *ctx, loff_t pos, u64 len)
{
	loff_t end;

	if (!len || check_add_overflow(pos, (loff_t)(len - 1), &end))
		return vfs_fsync(ctx, 1);
	return vfs_fsync_range(ctx, pos, end, 1);
}

/* Completion of a direct transfer: interrupt or softirq context. */
static void vblk_file_aio_done(struct kiocb *iocb, long res)
{
	struct vblk_aio *aio = container_of(iocb, struct vblk_aio, iocb);

	if (aio->write)
		kiocb_end_write(iocb);
	aio->complete(aio, res);
}

/*
 * Direct I/O completes asynchronously (the kiocb gets ki_complete, as
 * loop's lo_rw_aio() does): the file was opened with O_DIRECT, or is a
 * block device opened so. Anything else goes through the page cache,
 * whose copies must run in the caller: -EOPNOTSUPP sends it there, as
 * does a request whose buffers the file refuses for direct I/O (-EINVAL).
 */
static ssize_t vblk_file_submit(void *ctx, struct vblk_aio *aio)
{
	struct file *file = ctx;
	struct kiocb *iocb = &aio->iocb;
	ssize_t ret;

	if (!(file->f_flags & O_DIRECT))
		return -EOPNOTSUPP;
	init_sync_kiocb(iocb, file);
	iocb->ki_pos = aio->pos;
	iocb->ki_flags &= ~IOCB_APPEND;
	iocb->ki_flags |= IOCB_DIRECT;
	if (aio->dsync)
		iocb->ki_flags |= IOCB_DSYNC;
	iocb->ki_complete = vblk_file_aio_done;
	if (aio->write)
		ret = vfs_iocb_iter_write(file, iocb, aio->iter);
	else
		ret = vfs_iocb_iter_read(file, iocb, aio->iter);
	return ret == -EINVAL ? -EOPNOTSUPP : ret;
}

/*
 * Discard and write zeroes use the file's fallocate modes (as loop does):
 * on a regular file PUNCH_HOLE deallocates and ZERO_RANGE zeroes in
 * place; on a block device PUNCH_HOLE is a write zeroes that may unmap and
 * ZERO_RANGE one that may not (6.12's block-device fallocate has no
 * discard-only mode: a discarded range of a block device reads as zeros).
 */
#define VBLK_FALLOC_PUNCH	(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)
#define VBLK_FALLOC_ZERO	(FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE)

/*
 * The unit of a block device's fallocate: its logical block size (it
 * refuses anything else with -EINVAL). A regular file takes any byte.
 */
static u64 vblk_file_unit(struct file *file)
{
	if (!S_ISBLK(file_inode(file)->i_mode))
		return 1;
	return bdev_logical_block_size(I_BDEV(file->f_mapping->host));
}

/*
 * Discard is advisory: only the whole units inside the range are
 * deallocated; partial units at its edges keep their data.
 */
static int vblk_file_discard(void *ctx, loff_t pos, u64 len)
{
	struct file *file = ctx;
	u64 unit = vblk_file_unit(file);
	u64 start = round_up((u64)pos, unit);
	u64 end = round_down((u64)pos + len, unit);

	if (start >= end)
		return 0;
	return vfs_fallocate(file, VBLK_FALLOC_PUNCH, start, end - start);
}

/* Write zeros from the zero page: what is left when fallocate cannot. */
static int vblk_file_write_zero_pages(struct file *file, loff_t pos, u64 len)
{
	struct bio_vec bv[16];
	struct iov_iter it;
	unsigned int i, n;
	ssize_t ret;
	size_t chunk;

	for (i = 0; i < ARRAY_SIZE(bv); i++)
		bvec_set_page(&bv[i], ZERO_PAGE(0), PAGE_SIZE, 0);
	while (len) {
		chunk = min_t(u64, len, ARRAY_SIZE(bv) * PAGE_SIZE);
		n = DIV_ROUND_UP(chunk, PAGE_SIZE);
		iov_iter_bvec(&it, ITER_SOURCE, bv, n, chunk);
		ret = vblk_file_rw(file, &it, pos, true);
		if (ret < 0)
			return ret;
		if (!ret)
			return -EIO;
		pos += ret;
		len -= ret;
		cond_resched();
	}
	return 0;
}

static int vblk_file_zero_range(struct file *file, loff_t pos, u64 len,
				bool unmap)
{
	int err = -EOPNOTSUPP;

	if (unmap)
		err = vfs_fallocate(file, VBLK_FALLOC_PUNCH, pos, len);
	if (err == -EOPNOTSUPP)
		err = vfs_fallocate(file, VBLK_FALLOC_ZERO, pos, len);
	if (err == -EOPNOTSUPP)
		err = vblk_file_write_zero_pages(file, pos, len);
	return err;
}

/*
 * The whole units of the range through fallocate; partial units at its
 * edges (a block device with logical blocks above 512 bytes) get zeros
 * written through the page cache, which keeps the rest of their block.
 */
static int vblk_file_write_zeroes(void *ctx, loff_t pos, u64 len, bool unmap)
{
	struct file *file = ctx;
	u64 unit = vblk_file_unit(file), end = (u64)pos + len;
	u64 head = min(round_up((u64)pos, unit), end);
	u64 tail = max(round_down(end, unit), head);
	int err = 0;

	if (head > pos)
		err = vblk_file_write_zero_pages(file, pos, head - pos);
	if (!err && tail > head)
		err = vblk_file_zero_range(file, head, tail - head, unmap);
	if (!err && end > tail)
		err = vblk_file_write_zero_pages(file, tail, end - tail);
	return err;
}

const struct vblk_backing_ops vblk_file_backing_ops = {
	.read_iter = vblk_file_read_iter,
	.write_iter = vblk_file_write_iter,
	.sync = vblk_file_sync,
	.sync_range = vblk_file_sync_range,
	.submit = vblk_file_submit,
	.discard = vblk_file_discard,
	.write_zeroes = vblk_file_write_zeroes,
};

/* Topology of a block device, in 512-byte sectors. */
static void vblk_file_bdev_caps(struct block_device *bdev,
				struct vblk_backing_caps *caps)
{
	unsigned int phys = bdev_physical_block_size(bdev);
	int align = bdev_alignment_offset(bdev);

	/* PUNCH_HOLE is a write zeroes that may unmap: the device has one. */
	caps->discard = bdev_write_zeroes_sectors(bdev);
	caps->zeroes_unmap = caps->discard;
	/* whole logical blocks only (a discard is trimmed to them) */
	caps->discard_align = max(bdev_discard_granularity(bdev),
				  bdev_logical_block_size(bdev)) >> SECTOR_SHIFT;
	if (phys > SECTOR_SIZE)
		caps->phys_exp = ilog2(phys >> SECTOR_SHIFT);
	if (align > 0)
		caps->align_off = min(align >> SECTOR_SHIFT, U8_MAX);
	caps->min_io = min(bdev_io_min(bdev) >> SECTOR_SHIFT, U16_MAX);
	caps->opt_io = bdev_io_opt(bdev) >> SECTOR_SHIFT;
}

/*
 * Whether the file's file system punches holes in every regular file it
 * can write, decided from the file system alone: the probe runs in the
 * dev-add handler, which must never wait on a backing (a hung network
 * file system would hang the netlink family). These take
 * PUNCH_HOLE|KEEP_SIZE on any writable regular file; the magic 0xEF53 is
 * ext2 and ext3 as well, whose own drivers have no fallocate at all.
 * Everything else (network and FUSE file systems, overlays, file systems
 * with per-file exceptions) is not offered discard.
 */
static bool vblk_file_fs_punches(struct file *file)
{
	if (!file->f_op->fallocate)
		return false;
	switch (file_inode(file)->i_sb->s_magic) {
	case EXT4_SUPER_MAGIC:
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
		return true;
	default:
		return false;
	}
}

/**
 * vblk_file_probe() - what a backing can do besides reading and writing
 * @file: a file accepted by vblk_file_check()
 * @read_only: the device will be read-only (no discard)
 * @caps: filled in
 *
 * No I/O: the answer comes from the file's type, its file system and the
 * block device's queue limits, so it never waits on the backing. Write
 * zeroes always works on a writable backing (ZERO_RANGE, or zeros written
 * when the file system has no such mode). Discard and the unmap of write
 * zeroes need PUNCH_HOLE: a regular file must be on a file system known
 * to take it (vblk_file_fs_punches()); a block device must support write
 * zeroes. The topology comes from the block device, or from the file
 * system's block size.
 */
void vblk_file_probe(struct file *file, bool read_only,
		     struct vblk_backing_caps *caps)
{
	struct inode *inode = file_inode(file);
	unsigned int bsz;

	memset(caps, 0, sizeof(*caps));
	if (S_ISBLK(inode->i_mode)) {
		vblk_file_bdev_caps(I_BDEV(file->f_mapping->host), caps);
	} else {
		bsz = i_blocksize(inode);
		if (bsz > SECTOR_SIZE && is_power_of_2(bsz)) {
			caps->phys_exp = ilog2(bsz >> SECTOR_SHIFT);
			caps->min_io = min(bsz >> SECTOR_SHIFT, U16_MAX);
		}
		if (!read_only) {
			caps->discard = vblk_file_fs_punches(file);
			caps->zeroes_unmap = caps->discard;
			caps->discard_align = caps->discard ?
					      bsz >> SECTOR_SHIFT : 0;
		}
	}
	if (read_only) {
		caps->discard = false;
		caps->zeroes_unmap = false;
		caps->discard_align = 0;
	}
	caps->write_zeroes = !read_only;
}

/**
 * vblk_file_check() - can @file back a device?
 * @file: the candidate
 * @read_only: whether the device will be read-only
 * @why: set to a reason on failure
 *
 * Return: 0; -EINVAL for a file that is neither a regular file nor a
 * block device, a pseudo file without page cache or fsync, vblk's own
 * device node, or a writable file opened with O_APPEND; -ETXTBSY for an
 * active swap file or device; -EBADF for a file not opened for reading,
 * or not for writing when the device is writable (what read(2) and
 * write(2) return on such a descriptor).
 */
int vblk_file_check(struct file *file, bool read_only, const char **why)
{
	struct inode *inode = file_inode(file);
	umode_t mode = inode->i_mode;

	if (S_ISCHR(mode) && file->f_op->owner == THIS_MODULE) {
		*why = "a vblk device node, not a backing store";
		return -EINVAL;
	}
	if (!S_ISREG(mode) && !S_ISBLK(mode)) {
		*why = "not a regular file or block device";
		return -EINVAL;
	}
	/*
	 * Pseudo files (procfs, sysfs, debugfs, ...) have no page cache of
	 * their own to store blocks in and no way to make them durable.
	 * sysfs (kernfs) gives its attributes RAM address space operations
	 * and a no-op fsync; it, procfs and the other internal file systems
	 * mark their superblock SB_I_NOEXEC, which no storing one does.
	 */
	if (S_ISREG(mode) &&
	    (file->f_mapping->a_ops == &empty_aops || !file->f_op->fsync ||
	     (inode->i_sb->s_iflags & SB_I_NOEXEC))) {
		*why = "not a file that can store data (a pseudo file?)";
		return -EINVAL;
	}
	/*
	 * swapon marks the inode of the file's mapping: for a block device
	 * that is the device's own, not the /dev node's inode.
	 */
	if (IS_SWAPFILE(file->f_mapping->host)) {
		*why = "in use as swap";
		return -ETXTBSY;
	}
	if (!(file->f_mode & FMODE_READ)) {
		*why = "not open for reading";
		return -EBADF;
	}
	if (!(file->f_mode & FMODE_CAN_READ) || !file->f_op->read_iter) {
		*why = "file does not support reading";
		return -EINVAL;
	}
	if (read_only)
		return 0;
	if (!(file->f_mode & FMODE_WRITE)) {
		*why = "not open for writing (use read-only)";
		return -EBADF;
	}
	if (!(file->f_mode & FMODE_CAN_WRITE) || !file->f_op->write_iter) {
		*why = "file does not support writing";
		return -EINVAL;
	}
	if (file->f_flags & O_APPEND) {
		*why = "opened with O_APPEND";
		return -EINVAL;
	}
	return 0;
}

/**
 * vblk_file_size() - current size of the backing store in bytes
 * @file: a file accepted by vblk_file_check()
 *
 * Return: the file's size, or the block device's size.
 */
u64 vblk_file_size(struct file *file)
{
	/* For a block device, f_mapping->host is the device's inode. */
	return i_size_read(file->f_mapping->host);
}

/**
 * vblk_file_max_capacity() - largest capacity the backing can serve
 * @file: a file accepted by vblk_file_check()
 *
 * Return: a block device's size; for a regular file, the largest file
 * size its file system allows (a device may be larger than the file: the
 * rest reads as zeros and writes extend the file).
 */
u64 vblk_file_max_capacity(struct file *file)
{
	struct inode *inode = file_inode(file);

	if (S_ISBLK(inode->i_mode))
		return vblk_file_size(file);
	return inode->i_sb->s_maxbytes;
}
