/**
 * @file usercopy.c
 * @brief copy_from_user() and copy_to_user() (lib/usercopy.c,
 *        arch/x86/lib/usercopy_64.c).
 *
 * The kernel copies with instructions that may fault and recovers from the
 * fault, reporting the bytes it could not copy.  Userspace cannot recover
 * from a segmentation fault, so the port asks the real kernel to do the
 * copy: process_vm_readv()/process_vm_writev() on its own process return
 * EFAULT for an unmapped address instead of killing the caller.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kern/err.h"
#include "kern/uaccess.h"

static unsigned long copy_via_kernel(void *to, const void *from, unsigned long n,
				     bool to_user)
{
	struct iovec local, remote;
	ssize_t done;

	if (!n)
		return 0;
	if (!from || !to)
		return n;
	if (to_user) {
		local = (struct iovec){ (void *)from, n };
		remote = (struct iovec){ to, n };
		done = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
	} else {
		local = (struct iovec){ to, n };
		remote = (struct iovec){ (void *)from, n };
		done = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	}
	if (done < 0)
		return n;
	return n - (unsigned long)done;
}

unsigned long copy_from_user(void *to, const void *from, unsigned long n)
{
	unsigned long left = copy_via_kernel(to, from, n, false);

	/* like the kernel, never leave stale bytes in the destination */
	if (left && to)
		memset((char *)to + (n - left), 0, left);
	return left;
}

unsigned long copy_to_user(void *to, const void *from, unsigned long n)
{
	return copy_via_kernel(to, from, n, true);
}

int check_zeroed_user(const void *from, size_t size)
{
	unsigned char buf[256];

	while (size) {
		size_t chunk = size < sizeof(buf) ? size : sizeof(buf);

		if (copy_from_user(buf, from, chunk))
			return -EFAULT;
		for (size_t i = 0; i < chunk; i++)
			if (buf[i])
				return 0;
		from = (const char *)from + chunk;
		size -= chunk;
	}
	return 1;
}
