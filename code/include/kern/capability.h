/**
 * @file capability.h
 * @brief capable() (include/linux/capability.h), read from the calling
 *        thread's real effective capability set.
 *
 * The port runs inside the process that calls it, so "the caller's
 * privileges" are the process's own: a test that drops CAP_BPF and
 * CAP_SYS_ADMIN sees the same EPERM the kernel would give it.
 */
#ifndef KERN_CAPABILITY_H
#define KERN_CAPABILITY_H

#include <stdbool.h>
#include <linux/capability.h>

#ifndef CAP_BPF
#define CAP_BPF 39	/**< since Linux 5.8 */
#endif

/**
 * Does the calling thread have capability @p cap in its effective set?
 * @param cap a CAP_* number
 * @return true if it does
 */
bool capable(int cap);

/**
 * The kernel's bpf_token_capable() without a token: @p cap, or
 * CAP_SYS_ADMIN, which implies every BPF capability.
 * @param cap a CAP_* number
 * @return true if the caller may proceed
 */
bool bpf_capable_cap(int cap);

/**
 * Read an integer sysctl from /proc/sys (the port shares the real kernel's
 * settings, e.g. kernel/unprivileged_bpf_disabled, net/ipv4/tcp_migrate_req).
 * @param path path below /proc/sys
 * @param fallback value when the file cannot be read
 * @return the first integer in the file, or @p fallback
 */
int sysctl_read_int(const char *path, int fallback);

#endif /* KERN_CAPABILITY_H */
