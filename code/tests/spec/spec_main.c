// SPDX-License-Identifier: GPL-2.0
/*
 * Runner for the REUSEPORT_SOCKARRAY acceptance suites.  Fork mode is left
 * to the environment (CK_FORK), so CK_FORK=no works under a debugger.
 */
#include <stdlib.h>

#include "spec.h"

Suite *map_create_suite(void);
Suite *map_lookup_suite(void);
Suite *map_update_suite(void);
Suite *map_delete_suite(void);
Suite *map_keys_suite(void);
Suite *map_other_suite(void);
Suite *socket_events_suite(void);

#ifdef SPEC_BACKEND_KERNEL
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * The live-kernel backend needs a process that may create this map (CAP_BPF
 * or CAP_SYS_ADMIN).  Where it may not, every test would fail for a reason
 * that says nothing about the port: report the suite as skipped (CTest's
 * SKIP_RETURN_CODE 77), with the reason, never as passed.
 */
static int kernel_backend_usable(void)
{
	int fd = map_create(8, 1, 0);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	printf("SKIP: the live-kernel backend cannot create a "
	       "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY here (bpf(2): %s); it needs "
	       "CAP_BPF or CAP_SYS_ADMIN\n", strerror(-fd));
	return 0;
}
#endif

int main(void)
{
	SRunner *sr;
	int failed;

#ifdef SPEC_BACKEND_KERNEL
	if (!kernel_backend_usable())
		return 77;
#endif
	sr = srunner_create(map_create_suite());

	srunner_add_suite(sr, map_lookup_suite());
	srunner_add_suite(sr, map_update_suite());
	srunner_add_suite(sr, map_delete_suite());
	srunner_add_suite(sr, map_keys_suite());
	srunner_add_suite(sr, map_other_suite());
	srunner_add_suite(sr, socket_events_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
