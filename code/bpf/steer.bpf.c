// SPDX-License-Identifier: GPL-2.0
/*
 * A real SK_REUSEPORT program for the live kernel: steer each UDP datagram
 * of a reuseport group to the socket in slot (first payload byte % 8) of a
 * BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, and log what bpf_sk_select_reuseport()
 * returned.  code/bpf/steer_port.c is the same program for the port; the
 * two bodies are kept line for line alike so the book can show them side by
 * side.
 *
 * Build: clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu \
 *        -c steer.bpf.c -o steer.bpf.o   (cmake/Steering.cmake does this)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "steer.h"

/* [book:steer_bpf_maps] */
/* The sockets to steer to: userspace stores a descriptor per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, STEER_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} steer_socks SEC(".maps");

/*
 * The helper's return value per datagram, indexed by its sequence byte.
 * An initialised global: libbpf keeps it in the object's ".data" map, a
 * one-element BPF_MAP_TYPE_ARRAY, which userspace reads after the run.
 */
__s64 steer_ret[STEER_LOG_SLOTS] = { [0 ... STEER_LOG_SLOTS - 1] = STEER_NOT_RUN };
/* [/book:steer_bpf_maps] */

/* [book:steer_bpf] */
SEC("sk_reuseport")
int steer(struct sk_reuseport_md *ctx)
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
	ret = bpf_sk_select_reuseport(ctx, &steer_socks, &key, 0);
	steer_ret[seq] = ret;
	/* on error nothing was selected: SK_PASS falls back to the hash */
	return SK_PASS;
}
/* [/book:steer_bpf] */

char LICENSE[] SEC("license") = "GPL";
