/*
 * Solution to exercise "sk_user_data": test and strip the tag bits of sk_user_data
 * Chapter: Back-pointers and tagged pointers.
 *
 * These are the functions exactly as they stand in code/net/core/sock.c
 * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).
 * README.md next to this file explains them.
 */

/*
 * Abort on a flags argument that is not made of tag bits only.  The kernel
 * warns (WARN_ON_ONCE()) and carries on; such a caller has mixed a pointer
 * into the test, so in the port's debug builds it is a bug worth stopping.
 */
static void sk_user_data_check_flags(uintptr_t flags)
{
#ifndef NDEBUG
	if (flags & SK_USER_DATA_PTRMASK) {
		fprintf(stderr, "sk_user_data: flags %#lx has non-tag bits\n",
			(unsigned long)flags);
		abort();
	}
#else
	(void)flags;
#endif
}

/*
 * Must sk_user_data stay behind when @p sk is cloned?  Port of
 * sk_user_data_is_nocopy(), a static inline of include/net/sock.h; a
 * function here so that the exercise can replace it.  Bit 0 decides it,
 * whoever owns the rest of the value.
 */
bool sk_user_data_is_nocopy(const struct sock *sk)
{
	return (uintptr_t)READ_ONCE(sk->sk_user_data) & SK_USER_DATA_NOCOPY;
}

/*
 * Port of __locked_read_sk_user_data_with_flags(), include/net/sock.h
 * (documented in kern/sock.h): sk_user_data without its tag bits if every
 * bit of @p flags is set in it, else NULL.  The caller holds
 * sk_callback_lock, which keeps the value from changing; as with the
 * kernel's rcu_dereference_check(), being inside rcu_read_lock() also
 * passes the check.  Debug builds abort when neither holds.
 */
void *__locked_read_sk_user_data_with_flags(const struct sock *sk, uintptr_t flags)
{
	uintptr_t sk_user_data;

	RCU_LOCKDEP_CHECK(lockdep_is_held(&sk->sk_callback_lock) || rcu_read_lock_held(),
			  "sk_user_data read without sk_callback_lock");
	sk_user_data = (uintptr_t)READ_ONCE(sk->sk_user_data);
	sk_user_data_check_flags(flags);

	if ((sk_user_data & flags) == flags)
		return (void *)(sk_user_data & SK_USER_DATA_PTRMASK);
	return NULL;
}

/*
 * Port of __rcu_dereference_sk_user_data_with_flags(), include/net/sock.h:
 * the same answer, for a reader inside rcu_read_lock() that holds no lock
 * (debug builds abort outside one).  The acquire load orders it before the
 * reads made through the pointer it returns; the kernel's rcu_dereference()
 * gets that from the address dependency.
 */
void *__rcu_dereference_sk_user_data_with_flags(const struct sock *sk, uintptr_t flags)
{
	uintptr_t sk_user_data;

	RCU_LOCKDEP_CHECK(rcu_read_lock_held(),
			  "sk_user_data RCU read outside rcu_read_lock()");
	sk_user_data = (uintptr_t)__atomic_load_n(&sk->sk_user_data, __ATOMIC_ACQUIRE);
	sk_user_data_check_flags(flags);

	if ((sk_user_data & flags) == flags)
		return (void *)(sk_user_data & SK_USER_DATA_PTRMASK);
	return NULL;
}
