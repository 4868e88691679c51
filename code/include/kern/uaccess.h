/**
 * @file uaccess.h
 * @brief Copying to and from "user" memory (include/linux/uaccess.h).
 *
 * The kernel never trusts a user pointer: copy_from_user() reports how many
 * bytes it could not read, and the system call answers EFAULT.  The port
 * does the same by asking the real kernel to copy for it
 * (process_vm_readv/process_vm_writev on its own process), so a bad pointer
 * such as 0x1 gives EFAULT instead of a crash, as on Linux.
 */
#ifndef KERN_UACCESS_H
#define KERN_UACCESS_H

#include <stddef.h>

/**
 * Copy @p n bytes from user address @p from to @p to.
 * @param to kernel buffer
 * @param from user pointer (may be bad)
 * @param n byte count
 * @return the number of bytes NOT copied (0 on success)
 */
unsigned long copy_from_user(void *to, const void *from, unsigned long n);

/**
 * Copy @p n bytes from @p from to user address @p to.
 * @param to user pointer (may be bad)
 * @param from kernel buffer
 * @param n byte count
 * @return the number of bytes NOT copied (0 on success)
 */
unsigned long copy_to_user(void *to, const void *from, unsigned long n);

/**
 * Are the @p size user bytes at @p from all zero?
 * @param from user pointer
 * @param size byte count
 * @return 1 if all zero, 0 if not, -EFAULT if unreadable
 */
int check_zeroed_user(const void *from, size_t size);

#endif /* KERN_UACCESS_H */
