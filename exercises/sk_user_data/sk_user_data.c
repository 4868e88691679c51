/*
 * Exercise "sk_user_data": test and strip the tag bits of sk_user_data
 * Chapter: Back-pointers and tagged pointers.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/net/core/sock.c by tools/exgen.py; this copy is yours to edit.
 */

/*
 * Abort on a flags argument that is not made of tag bits only.  The kernel
 * warns (WARN_ON_ONCE()) and carries on; such a caller has mixed a pointer
 * into the test, so in the port's debug builds it is a bug worth stopping.
 */
static void sk_user_data_check_flags(uintptr_t flags)
{
	/* EXERCISE: write sk_user_data_check_flags() (see README.md). */
}

/*
 * Must sk_user_data stay behind when @p sk is cloned?  Port of
 * sk_user_data_is_nocopy(), a static inline of include/net/sock.h; a
 * function here so that the exercise can replace it.  Bit 0 decides it,
 * whoever owns the rest of the value.
 */
bool sk_user_data_is_nocopy(const struct sock *sk)
{
	/* EXERCISE: write sk_user_data_is_nocopy() (see README.md). */
	return 0;
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
	/* EXERCISE: write __locked_read_sk_user_data_with_flags() (see README.md). */
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
	/* EXERCISE: write __rcu_dereference_sk_user_data_with_flags() (see README.md). */
	return NULL;
}
