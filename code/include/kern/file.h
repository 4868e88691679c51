/**
 * @file file.h
 * @brief Open files and the descriptor table (include/linux/fs.h,
 *        include/linux/file.h, fs/file.c).
 *
 * A descriptor names a struct file; a struct file is shared by dup() copies
 * and counted; the last fput() calls its release operation.  The port's
 * descriptors are real descriptors of the process (an open /dev/null each),
 * so their numbers are allocated by the real kernel and cannot collide with
 * the program's own files.  A real descriptor that the port did not create
 * is seen as an open file of a kind the port does not know: not a socket,
 * not a map.
 */
#ifndef KERN_FILE_H
#define KERN_FILE_H

#include "refcount.h"

struct file;

/** @brief What a kind of file does (only what the port needs). */
struct file_operations {
	/** called when the last reference to the file goes */
	int (*release)(struct file *file);
	/** kind of file, for messages */
	const char *name;
};

/** The file may be read (as fmode_t FMODE_READ). */
#define FMODE_READ	0x1u
/** The file may be written. */
#define FMODE_WRITE	0x2u
/** Read permission for map commands (bpf's FMODE_CAN_READ). */
#define FMODE_CAN_READ	0x20000u
/** Write permission for map commands (bpf's FMODE_CAN_WRITE). */
#define FMODE_CAN_WRITE	0x40000u

/** @brief An open file. */
struct file {
	refcount_t f_count;			/**< references: descriptors and fget()s */
	unsigned int f_mode;			/**< FMODE_* bits */
	unsigned int f_flags;			/**< O_* flags it was opened with */
	const struct file_operations *f_op;	/**< its kind */
	void *private_data;			/**< the object: socket or map */
};

struct file *alloc_file(const struct file_operations *fop, void *private_data,
			unsigned int f_mode, unsigned int f_flags);
int fd_install_new(struct file *file);
struct file *fget(int fd);
void fput(struct file *file);
/**
 * Take one more reference on a file the caller already holds.
 * @param file the file
 * @return @p file
 */
static inline struct file *get_file(struct file *file)
{
	refcount_inc(&file->f_count);
	return file;
}
int close_fd(int fd);
int dup_fd(int fd);
bool file_is_foreign(const struct file *file);

#endif /* KERN_FILE_H */
