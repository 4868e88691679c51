/*
 * ck_errno() and ck_ok(): Check assertions for calls that follow the libc
 * convention (-1 and errno).  Plain C and libc only, so that a suite can
 * also be built against the live kernel's system calls.
 */
#ifndef SOCKARRAY_TESTS_CK_ERRNO_H
#define SOCKARRAY_TESTS_CK_ERRNO_H

#include <check.h>
#include <errno.h>
#include <string.h>

/* Expect @expr to fail with errno @e. */
#define ck_errno(expr, e) do {							\
	long _r;								\
	errno = 0;								\
	_r = (long)(expr);							\
	ck_assert_msg(_r == -1 && errno == (e),					\
		      "%s: got %ld, errno %d (%s); want -1, %s",		\
		      #expr, _r, errno, strerror(errno), #e);			\
} while (0)

/* Expect @expr to succeed (>= 0); evaluates to its result. */
#define ck_ok(expr) ({								\
	long _r;								\
	errno = 0;								\
	_r = (long)(expr);							\
	ck_assert_msg(_r >= 0, "%s: got %ld, errno %d (%s)", #expr, _r,		\
		      errno, strerror(errno));					\
	_r;									\
})

#endif /* SOCKARRAY_TESTS_CK_ERRNO_H */
