// SPDX-License-Identifier: GPL-2.0
/*
 * The program of steer.bpf.c, for the port: a C function with the signature
 * sockarray_prog_load() takes.  Its body is the BPF program's, line for
 * line; the differences are the ones a C function cannot avoid: the maps
 * arrive as an array (in load order) instead of by relocation, and the
 * helper has the port's name.
 */
#include <sockarray/syscalls.h>

#include "steer.h"
#include "steer_port.h"

/*
 * The planted bug of the CTest steering_side_by_side_planted_bug: built
 * with -DSTEER_PORT_PLANTED_BUG the port's copy reads its key from the
 * wrong payload byte (the sequence number), so the side-by-side comparison
 * must report a mismatch.  Kept out of the function so that the listing in
 * the book is the program as shipped.
 */
#ifdef STEER_PORT_PLANTED_BUG
#undef STEER_KEY_OFF
#define STEER_KEY_OFF STEER_SEQ_OFF
#endif

/* [book:steer_port_maps] */
/* The sockets to steer to: maps[STEER_MAP_SOCKS], given at load time. */

/* The helper's return value per datagram, indexed by its sequence byte. */
__s64 steer_ret[STEER_LOG_SLOTS] = { [0 ... STEER_LOG_SLOTS - 1] = STEER_NOT_RUN };
/* [/book:steer_port_maps] */

/* [book:steer_port] */
int steer_port(struct sk_reuseport_md *ctx, struct bpf_map *const *maps)
{
	const __u8 *data = ctx->data;
	const __u8 *data_end = ctx->data_end;
	__u32 key, seq;
	long ret;

	/* the verifier insists on this check before any read of data[] */
	if (data + STEER_SEQ_OFF + 1 > data_end)
		return SK_PASS;		/* too short: the hash decides */
	if (data[STEER_KEY_OFF] == STEER_KEY_DROP)
		return SK_DROP;		/* dropped, no socket gets it */

	key = data[STEER_KEY_OFF] % STEER_SLOTS;
	seq = data[STEER_SEQ_OFF] % STEER_LOG_SLOTS;
	ret = sockarray_sk_select_reuseport(ctx, maps[STEER_MAP_SOCKS], &key, 0);
	steer_ret[seq] = ret;
	/* on error nothing was selected: SK_PASS falls back to the hash */
	return SK_PASS;
}
/* [/book:steer_port] */
