/**
 * @file test_userspace.c
 * @brief Chapter "A kernel in userspace": errors inside pointers, the
 *        kernel's private errno 524, bottom halves, capabilities and
 *        descriptors as the port models them.
 *
 * The tests tagged "exercise" grade exercises/errptr (the ERR_PTR family
 * of kern/err.h).  In that exercise the whole port, this file included, is
 * built with the student's err.h, so every one of them calls the functions
 * directly first and asserts at least one error pointer that must be
 * recognised: against the stub (NULL pointers, IS_ERR() always false) each
 * one fails.  The untagged tests check the rest of the chapter.
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "kern/bpf.h"
#include "kern/capability.h"
#include "kern/compiler.h"
#include "kern/err.h"
#include "kern/spinlock.h"
#include "sockarray/syscalls.h"
#include "spec/spec.h"

/* ------------------------------------------------------------ errptr */

/* [book:test_errptr_bounds] */
START_TEST(errptr_every_errno_round_trips)
{
	for (long e = 1; e <= MAX_ERRNO; e++) {
		void *p = ERR_PTR(-e);

		ck_assert_msg(IS_ERR(p), "IS_ERR(ERR_PTR(-%ld)) is false", e);
		ck_assert_msg(IS_ERR_OR_NULL(p), "IS_ERR_OR_NULL(ERR_PTR(-%ld)) is false", e);
		ck_assert_msg(PTR_ERR(p) == -e, "PTR_ERR(ERR_PTR(-%ld)) is %ld", e, PTR_ERR(p));
	}
}
END_TEST

START_TEST(errptr_range_is_exactly_the_top_4095_addresses)
{
	/* -1 is the very last address, -MAX_ERRNO the first of the range */
	ck_assert_msg((uintptr_t)ERR_PTR(-1) == UINTPTR_MAX,
		      "ERR_PTR(-1) should be the address 0x%jx", (uintmax_t)UINTPTR_MAX);
	ck_assert_msg((uintptr_t)ERR_PTR(-MAX_ERRNO) == UINTPTR_MAX - (MAX_ERRNO - 1),
		      "ERR_PTR(-MAX_ERRNO) is not MAX_ERRNO addresses from the top");
	ck_assert_msg(IS_ERR(ERR_PTR(-1)), "ERR_PTR(-1) is not an error");
	ck_assert_msg(IS_ERR(ERR_PTR(-MAX_ERRNO)), "ERR_PTR(-MAX_ERRNO) is not an error");
	/* one below the range is an ordinary (if odd) address */
	ck_assert_msg(!IS_ERR(ERR_PTR(-MAX_ERRNO - 1)),
		      "ERR_PTR(-MAX_ERRNO - 1) must not count as an error");
	ck_assert_msg(!IS_ERR_OR_NULL(ERR_PTR(-MAX_ERRNO - 1)),
		      "IS_ERR_OR_NULL(ERR_PTR(-MAX_ERRNO - 1)) must be false");
	ck_assert_msg(!IS_ERR((void *)(UINTPTR_MAX - MAX_ERRNO)),
		      "the address just below the range is not an error");
}
END_TEST
/* [/book:test_errptr_bounds] */

START_TEST(errptr_real_pointers_and_null_are_not_errors)
{
	static const char text[] = "static data";
	int local = 0;
	void *heap = malloc(16);

	ck_assert_ptr_nonnull(heap);
	/* the one pointer that must count: NULL, for IS_ERR_OR_NULL() */
	ck_assert_msg(IS_ERR_OR_NULL(NULL), "IS_ERR_OR_NULL(NULL) must be true");
	ck_assert_msg(!IS_ERR(NULL), "NULL is not an error pointer");
	ck_assert_msg(PTR_ERR_OR_ZERO(NULL) == 0, "PTR_ERR_OR_ZERO(NULL) must be 0");
	ck_assert(!IS_ERR(&local) && !IS_ERR_OR_NULL(&local));
	ck_assert(!IS_ERR(heap) && !IS_ERR_OR_NULL(heap));
	ck_assert(!IS_ERR(text) && !IS_ERR_OR_NULL(text));
	/* the highest page an x86-64 process can map (4-level paging) */
	ck_assert(!IS_ERR((void *)0x7fffffffe000UL));
	/* an address with the top bit set that is still far from the range */
	ck_assert(!IS_ERR((void *)(UINTPTR_MAX / 2 + 1)));
	free(heap);
}
END_TEST

START_TEST(errptr_err_cast_keeps_the_error)
{
	const struct bpf_map *cmap = ERR_PTR(-ENOENT);
	struct file *f = ERR_CAST(cmap);
	static const int constant = 7;

	ck_assert_msg(IS_ERR(f), "ERR_CAST lost the error");
	ck_assert_msg(PTR_ERR(f) == -ENOENT, "ERR_CAST changed the errno to %ld", PTR_ERR(f));
	ck_assert_ptr_eq(ERR_CAST(&constant), (const void *)&constant);
}
END_TEST

START_TEST(errptr_ptr_err_or_zero)
{
	int x = 0;

	ck_assert_int_eq(PTR_ERR_OR_ZERO(ERR_PTR(-EBUSY)), -EBUSY);
	ck_assert_int_eq(PTR_ERR_OR_ZERO(ERR_PTR(-MAX_ERRNO)), -MAX_ERRNO);
	ck_assert_int_eq(PTR_ERR_OR_ZERO(&x), 0);
}
END_TEST

/* [book:test_errptr_port] */
START_TEST(errptr_the_port_returns_errors_in_pointers)
{
	int devnull = open_devnull();
	struct bpf_map *map;

	/* without a working encoding the port itself cannot report errors */
	ck_assert_msg(IS_ERR(ERR_PTR(-EBADF)) && PTR_ERR(ERR_PTR(-EBADF)) == -EBADF,
		      "ERR_PTR()/IS_ERR()/PTR_ERR() do not round-trip -EBADF");
	/* bpf_map_get() answers with a pointer: a map, or an errno inside */
	map = bpf_map_get(FD_NOT_OPEN);
	ck_assert_msg(IS_ERR(map), "bpf_map_get() of a closed descriptor: not an error pointer");
	ck_assert_int_eq(PTR_ERR(map), -EBADF);
	map = bpf_map_get(devnull);
	ck_assert_msg(IS_ERR(map), "bpf_map_get() of /dev/null: not an error pointer");
	ck_assert_int_eq(PTR_ERR(map), -EINVAL);
	/* and bpf(2) turns each one into -1 and errno */
	ck_assert_ret(lookup(FD_NOT_OPEN, 0, NULL), -EBADF);
	ck_assert_ret(lookup(devnull, 0, NULL), -EINVAL);
	/* map_alloc's ERR_PTR(-ENOMEM), decoded by map_create() */
	ck_assert_ret(map_create(8, 0xffffffff, 0), -ENOMEM);
	xclose(devnull);
}
END_TEST
/* [/book:test_errptr_port] */

/* ------------------------------------------------------------ errno 524 */

/* [book:test_enotsupp] */
START_TEST(enotsupp_leaks_out_of_bpf)
{
	int fd = map_create_ok(8, 4, 0);
	__u32 key = 0;
	__u64 value;

	/* no lookup_and_delete operation: the kernel-internal ENOTSUPP */
	ck_assert_ret(elem_cmd(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &key, &value, 0),
		      -ENOTSUPP);
	ck_assert_int_eq(ENOTSUPP, 524);
	ck_assert_int_ne(ENOTSUPP, EOPNOTSUPP);
	/* userspace has no name for it */
	ck_assert_str_eq(strerror(ENOTSUPP), "Unknown error 524");
	xclose(fd);
}
END_TEST
/* [/book:test_enotsupp] */

/* ------------------------------------------------------------ bottom halves */

static DEFINE_SPINLOCK(bh_lock);

static void *bh_state_of_new_thread(void *arg)
{
	(void)arg;
	return (void *)(uintptr_t)in_softirq();
}

/* [book:test_bh] */
START_TEST(bh_disable_is_counted_per_thread)
{
	rwlock_t rw;
	pthread_t t;
	void *other;

	rwlock_init(&rw);
	ck_assert(!in_softirq());
	spin_lock_bh(&bh_lock);		/* like reuseport_lock */
	write_lock_bh(&rw);		/* like sk_callback_lock, inside it */
	ck_assert(in_softirq());
	/* another thread is another "CPU": its bottom halves are not off */
	ck_assert_int_eq(pthread_create(&t, NULL, bh_state_of_new_thread, NULL), 0);
	ck_assert_int_eq(pthread_join(t, &other), 0);
	ck_assert_msg(!(uintptr_t)other, "in_softirq() leaked into another thread");
	write_unlock_bh(&rw);
	ck_assert_msg(in_softirq(), "one local_bh_enable() must not undo two disables");
	spin_unlock_bh(&bh_lock);
	ck_assert(!in_softirq());
	rwlock_destroy(&rw);
}
END_TEST
/* [/book:test_bh] */

START_TEST(bh_enable_without_disable_aborts)
{
	local_bh_enable();
}
END_TEST

/* ------------------------------------------------------------ READ_ONCE */

START_TEST(read_once_keeps_the_type)
{
	struct { u8 b; u16 h; u32 w; u64 d; void *p; } s = { 0 };

	WRITE_ONCE(s.b, 0xab);
	WRITE_ONCE(s.h, 0xabcd);
	WRITE_ONCE(s.w, 0xabcdef01u);
	WRITE_ONCE(s.d, 0x0123456789abcdefULL);
	WRITE_ONCE(s.p, &s);
	_Static_assert(sizeof(READ_ONCE(s.b)) == 1, "READ_ONCE of a u8");
	_Static_assert(sizeof(READ_ONCE(s.h)) == 2, "READ_ONCE of a u16");
	_Static_assert(sizeof(READ_ONCE(s.d)) == 8, "READ_ONCE of a u64");
	ck_assert_uint_eq(READ_ONCE(s.b), 0xab);
	ck_assert_uint_eq(READ_ONCE(s.h), 0xabcd);
	ck_assert_uint_eq(READ_ONCE(s.w), 0xabcdef01u);
	ck_assert(READ_ONCE(s.d) == 0x0123456789abcdefULL);
	ck_assert_ptr_eq(READ_ONCE(s.p), &s);
}
END_TEST

/* ------------------------------------------------------------ capabilities */

/* Turn CAP_BPF and CAP_SYS_ADMIN off (or everything permitted back on) in
 * this thread's effective set: what capable() reads. */
static int set_bpf_caps(int on)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, d))
		return -errno;
	if (on) {
		d[0].effective = d[0].permitted;
		d[1].effective = d[1].permitted;
	} else {
		d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
		d[CAP_BPF / 32].effective &= ~(1u << (CAP_BPF % 32));
	}
	return syscall(SYS_capset, &hdr, d) ? -errno : 0;
}

/* [book:test_capable] */
START_TEST(capable_reads_the_callers_real_capabilities)
{
	int fd;

	ck_assert_int_eq(set_bpf_caps(0), 0);
	ck_assert(!capable(CAP_BPF) && !capable(CAP_SYS_ADMIN));
	/* the attributes are checked first, for everyone */
	ck_assert_ret(map_create(3, 4, 0), -EINVAL);
	/* a good request now fails the privilege check */
	ck_assert_ret(map_create(8, 4, 0), -EPERM);
	ck_assert_int_eq(set_bpf_caps(1), 0);
	if (!capable(CAP_BPF) && !capable(CAP_SYS_ADMIN))
		return;		/* not root: nothing to give back */
	fd = map_create(8, 4, 0);
	ck_assert_msg(fd >= 0, "with CAP_BPF back: %s", errname(fd));
	xclose(fd);
}
END_TEST
/* [/book:test_capable] */

/* ------------------------------------------------------------ descriptors */

/* [book:test_fds] */
START_TEST(port_descriptors_are_real_descriptors)
{
	char path[64], link[256] = "";
	int fd = map_create_ok(8, 4, 0), pipefd[2];

	/* the real kernel knows the number: an open /dev/null, close-on-exec */
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ck_assert_int_gt(readlink(path, link, sizeof(link) - 1), 0);
	ck_assert_str_eq(link, "/dev/null");
	/* a descriptor the port did not make is open, but not a map */
	ck_assert_int_eq(pipe(pipefd), 0);
	ck_assert_ret(lookup(pipefd[0], 0, NULL), -EINVAL);
	/* closing through the port closes it for the real kernel too */
	xclose(fd);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_ret(lookup(fd, 0, NULL), -EBADF);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST
/* [/book:test_fds] */

static Suite *userspace_suite(void)
{
	Suite *s = suite_create("userspace");
	TCase *ex = tcase_create("errptr");
	TCase *tc = tcase_create("substrate");

	tcase_set_tags(ex, "exercise");
	tcase_set_timeout(ex, 20);
	tcase_add_test(ex, errptr_every_errno_round_trips);
	tcase_add_test(ex, errptr_range_is_exactly_the_top_4095_addresses);
	tcase_add_test(ex, errptr_real_pointers_and_null_are_not_errors);
	tcase_add_test(ex, errptr_err_cast_keeps_the_error);
	tcase_add_test(ex, errptr_ptr_err_or_zero);
	tcase_add_test(ex, errptr_the_port_returns_errors_in_pointers);
	suite_add_tcase(s, ex);

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, enotsupp_leaks_out_of_bpf);
	tcase_add_test(tc, bh_disable_is_counted_per_thread);
	tcase_add_test_raise_signal(tc, bh_enable_without_disable_aborts, SIGABRT);
	tcase_add_test(tc, read_once_keeps_the_type);
	tcase_add_test(tc, capable_reads_the_callers_real_capabilities);
	tcase_add_test(tc, port_descriptors_are_real_descriptors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(userspace_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
