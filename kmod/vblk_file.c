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
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/overflow.h>
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

const struct vblk_backing_ops vblk_file_backing_ops = {
	.read_iter = vblk_file_read_iter,
	.write_iter = vblk_file_write_iter,
	.sync = vblk_file_sync,
	.sync_range = vblk_file_sync_range,
	.submit = vblk_file_submit,
};

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
	if (IS_SWAPFILE(inode)) {
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
