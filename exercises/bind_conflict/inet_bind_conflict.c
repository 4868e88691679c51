/*
 * Exercise "bind_conflict": decide who may share a TCP port (SO_REUSEADDR, SO_REUSEPORT, owner)
 * Chapter: Sockets as the map sees them.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/net/ipv4/inet_hashtables.c by tools/exgen.py; this copy is yours to edit.
 */

/*
 * Port of inet_bind_conflict(), net/ipv4/inet_connection_sock.c: does
 * @sk2, which already holds the port, keep @sk from holding it too?  This
 * is the whole of TCP's sharing rule except the address: the caller asks
 * inet_rcv_saddr_equal() whether the two addresses overlap.
 *
 * @sk: the socket that wants the port (bind(), or listen() checking again)
 * @sk2: one owner of the port; for @sk itself the answer is no conflict
 * @uid: the owner of @sk (its sk_uid), to compare with @sk2's
 * @relax: false while looking for a free ephemeral port (then SO_REUSEADDR
 *	does not let two sockets share), true for a port the user named
 * @reuseport_cb_ok: @sk is in no reuseport group, or in one that holds
 *	shut-down listeners it may rejoin; if false, SO_REUSEPORT cannot help
 * @reuseport_ok: false while looking for a free ephemeral port (a socket
 *	must not be dropped into a stranger's group by accident)
 *
 * The sockets are on different devices (sk_bound_dev_if, both set and
 * different): no conflict.  Otherwise they may share when both have
 * SO_REUSEADDR and @sk2 is not listening; or when both have SO_REUSEPORT,
 * SO_REUSEPORT is allowed (@reuseport_ok, @reuseport_cb_ok) and @sk2 has
 * the same owner (or is in TIME_WAIT, which has no owner to protect).
 * The first way is closed when not @relax; and, when @reuseport_ok is
 * false, also for a pair that the second way would have let share, so that
 * an automatic port never puts the socket into somebody's group.
 *
 * Returns true for a conflict, false if the two may share the port.
 */
static bool inet_bind_conflict(const struct sock *sk, const struct sock *sk2,
			       uid_t uid, bool relax, bool reuseport_cb_ok,
			       bool reuseport_ok)
{
	/* EXERCISE: write inet_bind_conflict() (see README.md). */
	return 0;
}
