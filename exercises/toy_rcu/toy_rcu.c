/*
 * Exercise "toy_rcu": the toy RCU's grace period: wait for every reader that was already inside
 * Chapter: RCU pointers.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/kernel/rcu/toy.c by tools/exgen.py; this copy is yours to edit.
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
	/* EXERCISE: write toy_synchronize_rcu() (see README.md). */
}
