/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The port's copy of the steering program (steer_port.c) and its log.
 */
#ifndef STEER_PORT_H
#define STEER_PORT_H

#include <linux/bpf.h>

struct bpf_map;

/* Index of the socket array in the map_fds given to sockarray_prog_load(). */
#define STEER_MAP_SOCKS	0

/* The helper's return value per sequence byte; STEER_NOT_RUN if not called. */
extern __s64 steer_ret[];

/* The program: pass it to sockarray_prog_load() with { socket array fd }. */
int steer_port(struct sk_reuseport_md *ctx, struct bpf_map *const *maps);

#endif /* STEER_PORT_H */
