// SPDX-License-Identifier: GPL-2.0
/*
 * Runner for the REUSEPORT_SOCKARRAY conformance suite:
 *
 *	spec port	every case on the port
 *	spec kernel	every case on the live kernel
 *
 * One binary, one set of tests: the argument only picks the backend table
 * (backend.h).  Fork mode is left to the environment (CK_FORK), so
 * CK_FORK=no works under a debugger; SPEC_LOG=FILE logs every checked
 * result for the book's table of cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

Suite *map_create_suite(void);
Suite *map_lookup_suite(void);
Suite *map_update_suite(void);
Suite *map_delete_suite(void);
Suite *map_keys_suite(void);
Suite *map_other_suite(void);
Suite *map_matrix_suite(void);
Suite *socket_events_suite(void);

int main(int argc, char **argv)
{
	const struct spec_backend *b;
	const char *why = NULL;
	SRunner *sr;
	int failed;

	b = spec_backend_by_name(argc > 1 ? argv[1] : "port");
	if (!b || argc > 2) {
		fprintf(stderr, "usage: %s [port|kernel]\n", argv[0]);
		return 2;
	}
/* [book:choose_backend] */
	/*
	 * The live-kernel backend needs a process that may create this map.
	 * Where it may not, every case would fail for a reason that says
	 * nothing about the port: report the suite as skipped (CTest's
	 * SKIP_RETURN_CODE 77), with the reason, never as passed.
	 */
	if (b->is_kernel && spec_kernel_usable(&why) < 0) {
		printf("SKIP: every case of the live-kernel backend: cannot create a "
		       "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY here; %s\n", why);
		return 77;
	}
	spec_backend = b;
/* [/book:choose_backend] */
	printf("conformance suite on the %s backend\n", b->name);

	sr = srunner_create(map_create_suite());
	srunner_add_suite(sr, map_lookup_suite());
	srunner_add_suite(sr, map_update_suite());
	srunner_add_suite(sr, map_delete_suite());
	srunner_add_suite(sr, map_keys_suite());
	srunner_add_suite(sr, map_other_suite());
	srunner_add_suite(sr, map_matrix_suite());
	srunner_add_suite(sr, socket_events_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
