/*
 * Solution to exercise "lock_order": put the close path's two locks back in the kernel's order
 * Chapter: Locks and their order.
 *
 * These are the functions exactly as they stand in code/net/core/sock_reuseport.c
 * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).
 * README.md next to this file explains them.
 */

/**
 * @p sk leaves its group for good.  Port of reuseport_detach_sock().
 *
 * This is where a reuseport array learns that one of its sockets is going:
 * bpf_sk_reuseport_detach() runs here, under reuseport_lock, before the
 * socket stops being a member.
 *
 * @param sk the socket (closing, disconnecting, or connecting UDP)
 */
void reuseport_detach_sock(struct sock *sk)
{
	struct sock_reuseport *reuse;

	spin_lock_bh(&reuseport_lock);
	reuse = rcu_dereference_protected(sk->sk_reuseport_cb,
					  lockdep_is_held(&reuseport_lock));

	/* reuseport_grow() may already have dropped a closed member. */
	if (!reuse)
		goto out;

	/* Tell the map first: it may hold sk in a slot. */
	bpf_sk_reuseport_detach(sk);

	rcu_assign_pointer(sk->sk_reuseport_cb, NULL);

	if (!__reuseport_detach_closed_sock(sk, reuse))
		__reuseport_detach_sock(sk, reuse);

	if (reuse->num_socks + reuse->num_closed_socks == 0)
		call_rcu(&reuse->rcu, reuseport_free_rcu);

out:
	spin_unlock_bh(&reuseport_lock);
}
