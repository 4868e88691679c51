// SPDX-License-Identifier: GPL-2.0
/* The port's backend: the system-call surface of code/include/sockarray. */
#include <sockarray/syscalls.h>

#include "backend.h"

/* [book:port_backend] */
const struct spec_backend spec_port_backend = {
	.name = "port",
	.is_kernel = false,
	.bpf = sys_bpf,
	.socket = sys_socket,
	.setsockopt = sys_setsockopt,
	.getsockopt = sys_getsockopt,
	.bind = sys_bind,
	.getsockname = sys_getsockname,
	.listen = sys_listen,
	.connect = sys_connect,
	.accept = sys_accept,	/* the port's accept never blocks */
	.shutdown = sys_shutdown,
	.dup = sys_dup,
	.close = sys_close,
};
/* [/book:port_backend] */
