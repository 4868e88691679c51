/**
 * @file file.c
 * @brief The descriptor table (fs/file.c, fs/open.c): alloc_file(),
 *        fd_install, fget()/fput(), close(), dup().
 *
 * Every port descriptor is a real descriptor of the process, an open
 * /dev/null held for as long as the port's descriptor exists, and the port
 * keeps a side table from that number to its struct file.  The real kernel
 * therefore allocates the numbers (lowest free first, as always), and the
 * port can tell a descriptor it never created (open in the process, absent
 * from the table) from one that is not open at all (EBADF).  One mutex
 * guards the table; the kernel uses a spinlock for writers and RCU for
 * fget(), a refinement that changes nothing the map can observe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/err.h"
#include "kern/file.h"
#include "sockarray/syscalls.h"

static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct file **fd_table;	/* indexed by descriptor number */
static int fd_table_size;

static const struct file_operations foreign_fops = { .name = "foreign" };

/* Stands for every open descriptor the port did not create. */
static struct file foreign_file = {
	.f_count = REFCOUNT_INIT(1),
	.f_op = &foreign_fops,
};

/**
 * Is @p file an open descriptor the port does not manage (a regular file,
 * a pipe, a real socket)?
 * @param file a file from fget()
 * @return true for such a descriptor
 */
bool file_is_foreign(const struct file *file)
{
	return file == &foreign_file;
}

/**
 * Port of alloc_file(): a new open file with one reference.
 * @param fop its operations
 * @param private_data the object behind it
 * @param f_mode FMODE_* bits
 * @param f_flags O_* flags
 * @return the file, or NULL when out of memory
 */
struct file *alloc_file(const struct file_operations *fop, void *private_data,
			unsigned int f_mode, unsigned int f_flags)
{
	struct file *file = calloc(1, sizeof(*file));

	if (!file)
		return NULL;
	refcount_set(&file->f_count, 1);
	file->f_op = fop;
	file->private_data = private_data;
	file->f_mode = f_mode;
	file->f_flags = f_flags;
	return file;
}

/* Make the table cover descriptor @fd. Called with files_lock held. */
static int fd_table_expand(int fd)
{
	int size = fd_table_size ? fd_table_size : 64;
	struct file **table;

	while (size <= fd)
		size *= 2;
	if (size == fd_table_size)
		return 0;
	table = realloc(fd_table, sizeof(*table) * (size_t)size);
	if (!table)
		return -ENOMEM;
	memset(table + fd_table_size, 0, sizeof(*table) * (size_t)(size - fd_table_size));
	fd_table = table;
	fd_table_size = size;
	return 0;
}

/**
 * Give @p file a new descriptor (get_unused_fd_flags() + fd_install()).
 * On success the table owns the caller's reference.
 * @param file the file
 * @return the descriptor, or a negative errno (-EMFILE, -ENOMEM)
 */
int fd_install_new(struct file *file)
{
	int fd, err;

	pthread_mutex_lock(&files_lock);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = fd_table_expand(fd);
	if (err) {
		close(fd);
		goto out;
	}
	fd_table[fd] = file;
	err = fd;
out:
	pthread_mutex_unlock(&files_lock);
	return err;
}

/**
 * Port of fget(): the file behind @p fd, with a reference.
 * @param fd descriptor
 * @return the file; the shared foreign file for a descriptor the port did
 *         not create; NULL if @p fd is not open
 */
struct file *fget(int fd)
{
	struct file *file = NULL;

	if (fd < 0)
		return NULL;
	pthread_mutex_lock(&files_lock);
	if (fd < fd_table_size && fd_table[fd])
		file = get_file(fd_table[fd]);
	else if (fcntl(fd, F_GETFD) != -1)
		file = &foreign_file;
	pthread_mutex_unlock(&files_lock);
	return file;
}

/**
 * Port of fput(): drop a reference; the last one releases the file.
 * @param file the file
 */
void fput(struct file *file)
{
	if (file_is_foreign(file))
		return;
	if (!refcount_dec_and_test(&file->f_count))
		return;
	if (file->f_op->release)
		file->f_op->release(file);
	free(file);
}

/**
 * Port of close_fd(): remove @p fd from the table and drop its reference.
 * A descriptor the port did not create is closed for real.
 * @param fd descriptor
 * @return 0 or -EBADF
 */
int close_fd(int fd)
{
	struct file *file = NULL;
	int err = 0;

	if (fd < 0)
		return -EBADF;
	pthread_mutex_lock(&files_lock);
	if (fd < fd_table_size && fd_table[fd]) {
		file = fd_table[fd];
		fd_table[fd] = NULL;
		close(fd);
	} else if (close(fd)) {
		err = -errno;
	}
	pthread_mutex_unlock(&files_lock);
	if (file)
		fput(file);
	return err;
}

/**
 * Port of dup(): a second descriptor for the same open file.
 * @param fd descriptor
 * @return the new descriptor or a negative errno
 */
int dup_fd(int fd)
{
	struct file *file = fget(fd);
	int nfd;

	if (!file)
		return -EBADF;
	if (file_is_foreign(file)) {
		nfd = dup(fd);
		return nfd < 0 ? -errno : nfd;
	}
	nfd = fd_install_new(file);
	if (nfd < 0)
		fput(file);
	return nfd;
}

/** close(2) for the port's descriptors. */
int sys_close(int fd)
{
	int err = close_fd(fd);

	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

/** dup(2) for the port's descriptors. */
int sys_dup(int fd)
{
	int nfd = dup_fd(fd);

	if (nfd < 0) {
		errno = -nfd;
		return -1;
	}
	return nfd;
}
