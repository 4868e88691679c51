/*
 * Exercise "lock_order": put the close path's two locks back in the kernel's order
 * Chapter: Locks and their order.
 *
 * This version of reuseport_detach_sock() works: every socket that leaves
 * its group also leaves the reuseport array.  But it takes the socket's
 * sk_callback_lock before reuseport_lock, while the map's update and
 * delete take them the other way round.  Run `make check` in this folder
 * to see ThreadSanitizer say so, then fix the function.  README.md says
 * what the tests check.
 *
 * Replaces the function of the same name in code/net/core/sock_reuseport.c
 * (tools/exgen.py splices it in); this copy is yours to edit.
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

	/*
	 * Tell the map first, before taking the global lock: there is no
	 * need to make every other reuseport group wait while the map
	 * takes the socket's callback lock.
	 */
	bpf_sk_reuseport_detach(sk);

	/*
	 * Until sk has left its group, an update could still see the group
	 * and store sk in a map again.  The update takes sk's callback lock
	 * too, so hold it while sk leaves: the socket's own lock first,
	 * then the global one, as lock_sock() comes before the table lock.
	 */
	write_lock_bh(&sk->sk_callback_lock);
	spin_lock_bh(&reuseport_lock);
	reuse = rcu_dereference_protected(sk->sk_reuseport_cb,
					  lockdep_is_held(&reuseport_lock));

	/* reuseport_grow() may already have dropped a closed member. */
	if (!reuse)
		goto out;

	rcu_assign_pointer(sk->sk_reuseport_cb, NULL);

	if (!__reuseport_detach_closed_sock(sk, reuse))
		__reuseport_detach_sock(sk, reuse);

	if (reuse->num_socks + reuse->num_closed_socks == 0)
		call_rcu(&reuse->rcu, reuseport_free_rcu);

out:
	spin_unlock_bh(&reuseport_lock);
	write_unlock_bh(&sk->sk_callback_lock);
}
