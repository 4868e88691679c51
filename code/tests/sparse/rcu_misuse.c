/*
 * Deliberate misuse of __rcu pointers, for the test that proves sparse is
 * really checking the port: each function below is a mistake the kernel's
 * sparse run would report, and so must this one.  Never compiled.
 */
#include "kern/rcupdate.h"
#include "kern/sock.h"

struct slots {
	struct sock __rcu *ptrs[4];
};

/* reading a slot without rcu_dereference() */
struct sock *plain_read(struct slots *s)
{
	return s->ptrs[0];
}

/* publishing without rcu_assign_pointer() */
void plain_publish(struct slots *s, struct sock *sk)
{
	s->ptrs[1] = sk;
}

/* dereferencing the RCU pointer itself */
int plain_deref(struct slots *s)
{
	return s->ptrs[2]->sk_family;
}
