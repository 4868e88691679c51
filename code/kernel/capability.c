/**
 * @file capability.c
 * @brief capable() (kernel/capability.c) from the calling thread's real
 *        capability sets, and reading the real kernel's sysctls.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kern/capability.h"

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

int sysctl_read_int(const char *path, int fallback)
{
	char full[256];
	FILE *f;
	int v;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	f = fopen(full, "re");
	if (!f)
		return fallback;
	if (fscanf(f, "%d", &v) != 1)
		v = fallback;
	fclose(f);
	return v;
}
