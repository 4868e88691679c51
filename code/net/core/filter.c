/**
 * @file filter.c
 * @brief SK_REUSEPORT programs: bpf_sk_select_reuseport() and running a
 *        program over a group.  Port of the SK_REUSEPORT part of
 *        net/core/filter.c, Linux 6.18.
 *
 * The port's "program" is a C function; what it may do is what a verified
 * SK_REUSEPORT program may do: read its context, call the helper, return a
 * verdict.  Programs run inside the caller's rcu_read_lock(), as in the
 * kernel, which is what lets the helper use a map slot without a reference.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <stdlib.h>

#include "kern/capability.h"
#include "kern/err.h"
#include "kern/file.h"
#include "kern/filter.h"
#include "kern/sock_reuseport.h"

/**
 * Create a program object with one reference (BPF_PROG_LOAD's result).
 * @param func the program
 * @param data its private data, passed to every run
 * @return the program, or NULL when out of memory
 */
struct bpf_prog *bpf_prog_new(enum sk_action (*func)(struct sk_reuseport_kern *, void *),
			      void *data)
{
	struct bpf_prog *prog = calloc(1, sizeof(*prog));

	if (!prog)
		return NULL;
	prog->type = BPF_PROG_TYPE_SK_REUSEPORT;
	prog->func = func;
	prog->data = data;
	refcount_set(&prog->refcnt, 1);
	return prog;
}

/*
 * The program's grace period is over: no reader can be running it, so the
 * maps it used may go (the kernel drops them in __bpf_prog_put_rcu(),
 * kernel/bpf/syscall.c, via bpf_free_used_maps()).
 */
static void bpf_prog_free_rcu(struct rcu_head *head)
{
	struct bpf_prog *prog = container_of(head, struct bpf_prog, rcu);
	u32 i;

	for (i = 0; i < prog->used_map_cnt; i++)
		bpf_map_put(prog->used_maps[i]);
	free(prog->used_maps);
	free(prog);
}

/**
 * Drop a reference; the last one frees the program after a grace period,
 * since a reader may be running it (bpf_prog_put()).
 * @param prog the program
 */
void bpf_prog_put(struct bpf_prog *prog)
{
	if (refcount_dec_and_test(&prog->refcnt))
		call_rcu(&prog->rcu, bpf_prog_free_rcu);
}

/* ------------------------------------------------------------------ */
/* Program descriptors (kernel/bpf/syscall.c: bpf_prog_load() and co.)  */
/* ------------------------------------------------------------------ */

/* Port of bpf_prog_release(): the last descriptor of the file went. */
static int bpf_prog_release(struct file *file)
{
	bpf_prog_put(file->private_data);
	return 0;
}

/* What makes a file a program file (bpf_prog_fops, kernel/bpf/syscall.c). */
static const struct file_operations bpf_prog_fops = {
	.release = bpf_prog_release,
	.name = "bpf-prog",
};

/*
 * Port of bpf_prog_get_type() (__bpf_prog_get(), kernel/bpf/syscall.c):
 * the program behind @ufd, with a reference, if it is of @type.  A
 * descriptor that is not open is EBADF; one that is open but is not a
 * program, or is a program of another type, is EINVAL.
 */
struct bpf_prog *bpf_prog_get_type(int ufd, u32 type)
{
	struct file *f = fget(ufd);
	struct bpf_prog *prog;

	if (!f)
		return ERR_PTR(-EBADF);
	if (file_is_foreign(f) || f->f_op != &bpf_prog_fops) {
		fput(f);
		return ERR_PTR(-EINVAL);
	}
	prog = f->private_data;
	if (prog->type != type) {
		fput(f);
		return ERR_PTR(-EINVAL);
	}
	refcount_inc(&prog->refcnt);
	fput(f);
	return prog;
}

/*
 * The context of the program this thread is running, if any: the helper
 * accepts no other.  The kernel's verifier gives the same guarantee
 * statically (the helper's first argument must be the program's ctx,
 * ARG_PTR_TO_CTX); the port checks it at run time instead of trusting a
 * pointer it cannot vouch for.
 */
static __thread struct sk_reuseport_ctx *running_ctx;

/* [book:run_md] */
/*
 * How a loaded program runs: bpf_run_sk_reuseport() hands every program
 * the kernel context; for a program loaded with sockarray_prog_load() this
 * trampoline builds the md the program reads, field by field as
 * sk_reuseport_convert_ctx_access() would read them, and calls it with its
 * maps.
 */
static enum sk_action sk_reuseport_run_md(struct sk_reuseport_kern *kern, void *data)
{
	struct bpf_prog *prog = data;
	struct sk_reuseport_ctx ctx = { .kern = kern }, *outer = running_ctx;
	int verdict;

	ctx.md.data = (void *)kern->skb->data;
	ctx.md.data_end = (char *)kern->skb->data + kern->skb->len;
	ctx.md.len = kern->skb->len;
	/* skb->protocol, still in network order */
	ctx.md.eth_protocol = kern->skb->protocol;
	/* the receiving socket's protocol, not the packet's IP header */
	ctx.md.ip_protocol = kern->sk->sk_protocol;
	ctx.md.bind_inany = kern->bind_inany;
	ctx.md.hash = kern->hash;
	/* md->sk and md->migrating_sk (struct bpf_sock) are left NULL */

	running_ctx = &ctx;
	verdict = prog->md_func(&ctx.md, prog->used_maps);
	running_ctx = outer;
	return verdict == SK_PASS ? SK_PASS : SK_DROP;
}
/* [/book:run_md] */

/* [book:prog_load] */
/*
 * BPF_PROG_LOAD of an SK_REUSEPORT program, for the port.
 *
 * The kernel's bpf_prog_load() checks the attributes and the caller's
 * capabilities, and the verifier resolves every map descriptor the
 * instructions name into a map pointer, taking a reference on each
 * (resolve_pseudo_ldimm64() → add_used_map_from_fd(), kernel/bpf/verifier.c).
 * Here the "instructions" are a C function and the maps are given as a
 * list; the rest is the same: a bad descriptor fails the load, and the
 * program owns its maps until it is freed.
 */
int sockarray_prog_load(sockarray_reuseport_prog_t prog, const int *map_fds,
			unsigned int nr_maps)
{
	struct bpf_prog *fp;
	struct file *file;
	unsigned int i;
	int err, fd;

	if (!prog || (nr_maps && !map_fds)) {
		err = -EINVAL;
		goto out;
	}
	/* SK_REUSEPORT is not a "net admin" type: CAP_BPF is enough */
	if (!bpf_capable_cap(CAP_BPF)) {
		err = -EPERM;
		goto out;
	}
	if (nr_maps > MAX_USED_MAPS) {
		err = -E2BIG;	/* the verifier: "argument list too long" */
		goto out;
	}

	fp = bpf_prog_new(sk_reuseport_run_md, NULL);
	if (!fp) {
		err = -ENOMEM;
		goto out;
	}
	fp->data = fp;
	fp->md_func = prog;
	if (nr_maps) {
		fp->used_maps = calloc(nr_maps, sizeof(*fp->used_maps));
		if (!fp->used_maps) {
			err = -ENOMEM;
			goto free_prog;
		}
	}
	for (i = 0; i < nr_maps; i++) {
		struct bpf_map *map = bpf_map_get(map_fds[i]);

		if (IS_ERR(map)) {
			err = PTR_ERR(map);	/* EBADF: not open; EINVAL: not a map */
			goto free_prog;
		}
		fp->used_maps[fp->used_map_cnt++] = map;
	}

	file = alloc_file(&bpf_prog_fops, fp, FMODE_READ | FMODE_WRITE, O_RDWR | O_CLOEXEC);
	if (!file) {
		err = -ENOMEM;
		goto free_prog;
	}
	fd = fd_install_new(file);
	if (fd < 0)
		fput(file);	/* its release puts the program */
	err = fd;
	goto out;

free_prog:
	/* never published: no reader can hold it, but the free path is the same */
	bpf_prog_put(fp);
out:
	if (err < 0) {
		errno = -err;
		return -1;
	}
	return err;
}
/* [/book:prog_load] */

/* [book:select_reuseport] */
/**
 * The helper: steer to the socket in @p map at @p key.
 * Port of bpf_sk_select_reuseport() (BPF_CALL_4 sk_select_reuseport).
 *
 * The chosen socket must be in the same reuseport group as the socket that
 * received the packet; the errors say how it differs.  @p flags is unused.
 *
 * @param reuse_kern the program's context
 * @param map a BPF_MAP_TYPE_REUSEPORT_SOCKARRAY
 * @param key pointer to a u32 index
 * @param flags ignored, as in the kernel
 * @return 0, -ENOENT, -EPROTOTYPE, -EAFNOSUPPORT or -EBADFD
 */
long bpf_sk_select_reuseport(struct sk_reuseport_kern *reuse_kern,
			     struct bpf_map *map, void *key, u32 flags)
{
	struct sock_reuseport *reuse;
	struct sock *selected_sk;

	(void)flags;
	selected_sk = map->ops->map_lookup_elem(map, key);
	if (!selected_sk)
		return -ENOENT;

	/*
	 * The map only holds group members, so no group means the socket was
	 * unhashed (closed) after the lookup: report it as not there.
	 */
	reuse = rcu_dereference(selected_sk->sk_reuseport_cb);
	if (!reuse)
		return -ENOENT;

	if (unlikely(reuse->reuseport_id != reuse_kern->reuseport_id)) {
		struct sock *sk = reuse_kern->sk;

		if (sk->sk_protocol != selected_sk->sk_protocol)
			return -EPROTOTYPE;
		if (sk->sk_family != selected_sk->sk_family)
			return -EAFNOSUPPORT;
		/* same kind of socket, other address or port */
		return -EBADFD;
	}

	reuse_kern->selected_sk = selected_sk;
	return 0;
}
/* [/book:select_reuseport] */

/*
 * The helper as a loaded program calls it: from the md back to the kernel
 * context, then bpf_sk_select_reuseport().  A map that is not a reuseport
 * array, or a pointer that is not the running program's context, is what
 * the verifier would have refused at load time: -EINVAL.
 */
long sockarray_sk_select_reuseport(struct sk_reuseport_md *ctx, struct bpf_map *map,
				   const void *key, __u64 flags)
{
	struct sk_reuseport_ctx *rctx;

	if (!ctx || !running_ctx || ctx != &running_ctx->md || !map || !key)
		return -EINVAL;
	rctx = container_of(ctx, struct sk_reuseport_ctx, md);
	if (map->map_type != BPF_MAP_TYPE_REUSEPORT_SOCKARRAY)
		return -EINVAL;
	return bpf_sk_select_reuseport(rctx->kern, map, (void *)key, (u32)flags);
}

/**
 * Run an SK_REUSEPORT program for a packet that reached @p sk's group.
 * Port of bpf_run_sk_reuseport().
 * @param reuse the group (read under RCU by the caller)
 * @param sk the socket the lookup found
 * @param prog the program
 * @param skb the packet
 * @param migrating_sk a listener being migrated, or NULL
 * @param hash the flow hash
 * @return the selected socket, NULL (SK_PASS without a selection: hash
 *         decides), or ERR_PTR(-ECONNREFUSED) for any other verdict
 */
struct sock *bpf_run_sk_reuseport(struct sock_reuseport *reuse, struct sock *sk,
				  struct bpf_prog *prog, struct sk_buff *skb,
				  struct sock *migrating_sk, u32 hash)
{
	struct sk_reuseport_kern reuse_kern = {
		.skb = skb,
		.sk = sk,
		.selected_sk = NULL,
		.migrating_sk = migrating_sk,
		.hash = hash,
		.reuseport_id = reuse->reuseport_id,
		.bind_inany = READ_ONCE(reuse->bind_inany),
	};
	enum sk_action action;

	action = prog->func(&reuse_kern, prog->data);
	if (action == SK_PASS)
		return reuse_kern.selected_sk;
	return ERR_PTR(-ECONNREFUSED);
}
