/*
 * Solution to exercise "toy_rcu": the toy RCU's grace period: wait for every reader that was already inside
 * Chapter: RCU pointers.
 *
 * These are the functions exactly as they stand in code/kernel/rcu/toy.c
 * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).
 * README.md next to this file explains them.
 */

/*
 * Wait for a grace period.  The toy's synchronize_rcu().
 *
 * Starts grace period number N by incrementing toy_rcu_gp_seq (a reader
 * that locks from now on announces N or more), then waits for each
 * registered reader until its word is 0 (outside) or at least N (a
 * section that began after the increment).  A reader that announced less
 * than N was inside before the call began: that is whom we wait for.
 */
void toy_synchronize_rcu(void)
{
	struct toy_rcu_reader *r;
	unsigned long gp, state;

	RCU_LOCKDEP_CHECK(!toy_rcu_nesting,
			  "toy_synchronize_rcu() inside toy_rcu_read_lock()");
	pthread_mutex_lock(&toy_rcu_gp_lock);
	gp = __atomic_add_fetch(&toy_rcu_gp_seq, 1, __ATOMIC_SEQ_CST);
	for (r = toy_rcu_registry; r; r = r->next) {
		for (;;) {
			state = toy_rcu_reader_state(r);
			if (state == 0 || state >= gp)
				break;
			toy_rcu_pause();
		}
	}
	pthread_mutex_unlock(&toy_rcu_gp_lock);
}
