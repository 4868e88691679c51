# Steering (chapter "Steering connections"): one SK_REUSEPORT program, run
# on the live kernel and on the port, side by side.
#
#   code/bpf/steer.bpf.c      the real program, compiled with clang -target bpf
#                             into ${CMAKE_BINARY_DIR}/steer.bpf.o
#   code/bpf/steer_port.c     the same program as a C function for the port
#   code/tests/steering/side_by_side.c
#                             the scenario, run on both, compared
#
# CTests:
#   steering_side_by_side              both halves agree (77 = skipped: no
#                                      bpf(2) permission, or no clang/libbpf)
#   steering_side_by_side_planted_bug  the port copy built with a planted bug;
#                                      passes only if the comparison says MISMATCH
#
# The live kernel half needs clang (with the BPF target) and libbpf
# (apt-get install clang libbpf-dev; tools/setup installs them).  Without
# them, or in the ThreadSanitizer build (libbpf is not instrumented, and the
# kernel half tests the kernel, not the port), only the port half is built
# and compared with the scenario's expected outcome.
#
# The book shows the table the test prints (${SOCKARRAY_GENERATED_DIR}/
# side_by_side.out).  Where the live kernel half cannot run (a reader who
# builds the book without root), the port-only table is shown instead, so
# the book never needs privileges to build.
#
# The book's table is made by sockarray_book_output() (cmake/Examples.cmake)
# with the fallback "--port-only" when the kernel half exits 77.  That one
# may exit 77 too, when even the port may not create the map (it checks
# CAP_BPF as Linux does): it then prints the scenario's expected outcome,
# which is what the book shows on such a machine.

set(_steer_bpf_dir ${CMAKE_SOURCE_DIR}/code/bpf)
set(_steer_test_dir ${CMAKE_SOURCE_DIR}/code/tests/steering)

# The port half: needs the port's program loader (sockarray/syscalls.h).
file(READ ${CMAKE_SOURCE_DIR}/code/include/sockarray/syscalls.h _steer_api)
string(FIND "${_steer_api}" "sockarray_prog_load" _steer_has_port)
if(_steer_has_port EQUAL -1)
	set(_steer_port OFF)
	message(STATUS "Steering: the port has no sockarray_prog_load(); port half not built")
else()
	set(_steer_port ON)
endif()

# The live kernel half: clang for the BPF object, libbpf to load it.
find_program(SOCKARRAY_CLANG NAMES clang clang-19 clang-16 clang-15 clang-14)
pkg_check_modules(LIBBPF QUIET IMPORTED_TARGET libbpf)
set(_steer_kernel OFF)
set(_steer_no_kernel "clang or libbpf missing when this program was built")
if(SOCKARRAY_SANITIZE STREQUAL "thread")
	set(_steer_no_kernel "not built in the ThreadSanitizer build (libbpf is not instrumented)")
	message(STATUS "Steering: TSan build, live kernel half not built (libbpf is not instrumented)")
elseif(NOT SOCKARRAY_CLANG OR NOT LIBBPF_FOUND)
	message(STATUS "Steering: clang or libbpf missing, live kernel half not built "
		"(apt-get install clang libbpf-dev)")
else()
	set(_steer_kernel ON)
endif()

if(NOT _steer_port AND NOT _steer_kernel)
	return()
endif()

if(_steer_kernel)
	# <asm/types.h> lives in the multiarch directory, which -target bpf
	# does not search by itself.
	if(CMAKE_LIBRARY_ARCHITECTURE)
		set(_steer_multiarch /usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
	else()
		set(_steer_multiarch /usr/include/x86_64-linux-gnu)
	endif()
	set(STEER_BPF_OBJECT ${CMAKE_BINARY_DIR}/steer.bpf.o)
	add_custom_command(OUTPUT ${STEER_BPF_OBJECT}
		COMMAND ${SOCKARRAY_CLANG} -O2 -g -target bpf -Wall
			-I${_steer_multiarch} -I${_steer_bpf_dir}
			-c ${_steer_bpf_dir}/steer.bpf.c -o ${STEER_BPF_OBJECT}
		DEPENDS ${_steer_bpf_dir}/steer.bpf.c ${_steer_bpf_dir}/steer.h
		COMMENT "clang -target bpf: steer.bpf.o"
		VERBATIM)
	add_custom_target(steer_bpf DEPENDS ${STEER_BPF_OBJECT})
endif()

# side_by_side: the real port copy; side_by_side_planted: the planted bug.
foreach(_variant side_by_side side_by_side_planted)
	# the conformance suite's backend tables give both halves their calls
	add_executable(${_variant} ${_steer_test_dir}/side_by_side.c
		${CMAKE_SOURCE_DIR}/code/tests/spec/backend_kernel.c)
	target_include_directories(${_variant} PRIVATE ${_steer_bpf_dir}
		${CMAKE_SOURCE_DIR}/code/tests)
	if(_steer_port)
		target_sources(${_variant} PRIVATE ${_steer_bpf_dir}/steer_port.c
			${CMAKE_SOURCE_DIR}/code/tests/spec/backend_port.c)
		target_compile_definitions(${_variant} PRIVATE STEER_HAVE_PORT)
		target_link_libraries(${_variant} PRIVATE sockarray)
	endif()
	if(_steer_kernel)
		target_compile_definitions(${_variant} PRIVATE STEER_HAVE_KERNEL
			STEER_BPF_OBJECT="${STEER_BPF_OBJECT}")
		target_link_libraries(${_variant} PRIVATE PkgConfig::LIBBPF)
		add_dependencies(${_variant} steer_bpf)
	else()
		target_compile_definitions(${_variant} PRIVATE
			STEER_NO_KERNEL_REASON="${_steer_no_kernel}")
	endif()
	list(APPEND SOCKARRAY_TEST_TARGETS ${_variant})
endforeach()
target_compile_definitions(side_by_side_planted PRIVATE STEER_PORT_PLANTED_BUG)

add_test(NAME steering_side_by_side COMMAND side_by_side)
set_tests_properties(steering_side_by_side PROPERTIES
	LABELS "steering;kernel"
	ENVIRONMENT "${SOCKARRAY_TEST_ENV}"
	SKIP_RETURN_CODE 77)

# The comparison must be able to fail: against the planted copy it has to
# report a mismatch (against the kernel, or without it against the
# scenario's expected outcome).
if(_steer_port)
	add_test(NAME steering_side_by_side_planted_bug COMMAND side_by_side_planted)
	set_tests_properties(steering_side_by_side_planted_bug PROPERTIES
		LABELS "steering;kernel"
		ENVIRONMENT "${SOCKARRAY_TEST_ENV}"
		PASS_REGULAR_EXPRESSION "MISMATCH: [0-9]+ of [0-9]+ datagrams differ"
		SKIP_RETURN_CODE 77)	# neither half may create a map here

	# What the book shows.
	sockarray_book_output(side_by_side side_by_side.out FALLBACK --port-only)
endif()
