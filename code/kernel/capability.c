/**
 * @file capability.c
 * @brief capable() (kernel/capability.c) from the calling thread's real
 *        capability sets, and reading the real kernel's sysctls.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kern/capability.h"
#include "kern/compiler.h"

bool capable(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3)
		return false;
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

bool bpf_capable_cap(int cap)
{
	return capable(cap) || (cap != CAP_SYS_ADMIN && capable(CAP_SYS_ADMIN));
}

/*
 * The sysctls the port reads during system calls are opened once, at
 * program start, and re-read with pread().  Opening a file inside a system
 * call would briefly take a descriptor number: another thread could then
 * see a port descriptor that close() just released as "open, not a socket".
 */
static const char *const sysctl_paths[] = {
	"kernel/unprivileged_bpf_disabled",
	"net/ipv4/tcp_migrate_req",
};
static int sysctl_fds[ARRAY_SIZE(sysctl_paths)];

__attribute__((constructor)) static void sysctl_open_all(void)
{
	char full[256];

	for (size_t i = 0; i < ARRAY_SIZE(sysctl_paths); i++) {
		snprintf(full, sizeof(full), "/proc/sys/%s", sysctl_paths[i]);
		sysctl_fds[i] = open(full, O_RDONLY | O_CLOEXEC);
	}
}

int sysctl_read_int(const char *path, int fallback)
{
	char buf[64];
	ssize_t len;

	for (size_t i = 0; i < ARRAY_SIZE(sysctl_paths); i++) {
		if (strcmp(path, sysctl_paths[i]) || sysctl_fds[i] < 0)
			continue;
		len = pread(sysctl_fds[i], buf, sizeof(buf) - 1, 0);
		if (len <= 0)
			return fallback;
		buf[len] = '\0';
		return atoi(buf);
	}
	return fallback;	/* only the sysctls above are modelled */
}
