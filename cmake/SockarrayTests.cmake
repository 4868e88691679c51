# Test executables and their CTest entries.
#
# Every suite is a Check runner in fork mode (each test in its own process,
# so a crash is one failed test, not a dead suite).  Labels group them:
#   unit     substrate and port internals
#   spec     the rows of kernel-spec.md, through the system-call surface
#   kernel   the same spec suite on the live kernel (skipped if not allowed)
#   stress   real races, meant for the sanitizer builds
#   exercise stubs fail, solutions pass

set(SOCKARRAY_TEST_TARGETS "")

set(SOCKARRAY_TEST_ENV
	"CK_DEFAULT_TIMEOUT=20"
	# atexit_sleep_ms=0: TSan otherwise sleeps a second at every exit, and
	# Check forks a process per test.
	"TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1 allocator_may_return_null=1 atexit_sleep_ms=0 suppressions=${CMAKE_SOURCE_DIR}/code/tests/tsan.supp"
	"ASAN_OPTIONS=allocator_may_return_null=1 detect_leaks=1 abort_on_error=0"
	"UBSAN_OPTIONS=print_stacktrace=1 halt_on_error=1")
if(SOCKARRAY_SANITIZE STREQUAL "thread")
	list(APPEND SOCKARRAY_TEST_ENV "CK_TIMEOUT_MULTIPLIER=5")
elseif(SOCKARRAY_SANITIZE STREQUAL "address")
	list(APPEND SOCKARRAY_TEST_ENV "CK_TIMEOUT_MULTIPLIER=3")
endif()

# Test helpers (sockets, maps, errno names) and the two backends they run
# on: the port's system calls and the live kernel's (code/tests/spec/backend.h).
add_library(spec_helpers OBJECT ${CMAKE_SOURCE_DIR}/code/tests/spec/spec.c
	${CMAKE_SOURCE_DIR}/code/tests/spec/backend_port.c
	${CMAKE_SOURCE_DIR}/code/tests/spec/backend_kernel.c)
target_include_directories(spec_helpers PUBLIC ${CMAKE_SOURCE_DIR}/code/tests
	${CMAKE_SOURCE_DIR}/code/include)
target_link_libraries(spec_helpers PUBLIC PkgConfig::CHECK)

# sockarray_test(NAME name SOURCES ... [LIBRARY lib] [LABELS ...] [DEFINES ...] [NOTEST])
# NOTEST: build the executable only; the caller adds its CTest entries.
function(sockarray_test)
	cmake_parse_arguments(T "NOTEST" "NAME;LIBRARY" "SOURCES;LABELS;DEFINES" ${ARGN})
	if(NOT T_LIBRARY)
		set(T_LIBRARY sockarray)
	endif()
	add_executable(${T_NAME} ${T_SOURCES})
	target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/code/tests)
	target_compile_definitions(${T_NAME} PRIVATE ${T_DEFINES})
	target_link_libraries(${T_NAME} PRIVATE ${T_LIBRARY} PkgConfig::CHECK)
	if(NOT T_NOTEST)
		add_test(NAME ${T_NAME} COMMAND ${T_NAME})
		set_tests_properties(${T_NAME} PROPERTIES
			LABELS "${T_LABELS}"
			ENVIRONMENT "${SOCKARRAY_TEST_ENV}"
			SKIP_RETURN_CODE 77)
	endif()
	set(SOCKARRAY_TEST_TARGETS ${SOCKARRAY_TEST_TARGETS} ${T_NAME} PARENT_SCOPE)
endfunction()

# One suite per file in code/tests/test_*.c (each has its own main).
file(GLOB _unit_tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/code/tests/test_*.c)
foreach(_src IN LISTS _unit_tests)
	get_filename_component(_name ${_src} NAME_WE)
	sockarray_test(NAME ${_name} SOURCES ${_src} $<TARGET_OBJECTS:spec_helpers> LABELS unit)
endforeach()

# The conformance suite: one executable, run once per backend.  The
# kernel run exits 77 (skipped, with the reason) where this process may not
# create the map.
file(GLOB _spec_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/code/tests/spec/test_*.c)
sockarray_test(NAME spec SOURCES ${_spec_sources}
	${CMAKE_SOURCE_DIR}/code/tests/spec/spec_main.c $<TARGET_OBJECTS:spec_helpers>
	NOTEST)
foreach(_backend port kernel)
	add_test(NAME spec_${_backend} COMMAND spec ${_backend})
	set_tests_properties(spec_${_backend} PROPERTIES
		LABELS "spec;${_backend}"
		ENVIRONMENT "${SOCKARRAY_TEST_ENV}"
		SKIP_RETURN_CODE 77)
endforeach()

# The differential fuzzer: random sequences on both backends, compared step
# by step (code/tests/fuzz/fuzz_diff.c).  The plain build runs 2,000
# sequences within 60 s; the sanitizer builds run fewer, for memory and
# race checking of the port under random use.  A longer run:
#   build/default/fuzz_diff --seed 7 --sequences 100000 --seconds 3600
sockarray_test(NAME fuzz_diff SOURCES ${CMAKE_SOURCE_DIR}/code/tests/fuzz/fuzz_diff.c
	$<TARGET_OBJECTS:spec_helpers> NOTEST)
if(SOCKARRAY_SANITIZE STREQUAL "")
	set(_fuzz_args --sequences 2000 --seconds 60)
else()
	set(_fuzz_args --sequences 300 --seconds 120)
endif()
add_test(NAME fuzz_diff COMMAND fuzz_diff --seed 1 ${_fuzz_args})
# The fuzzer must be able to fail: with a bug planted in the port's side it
# has to find a difference and shrink it to a few steps.
add_test(NAME fuzz_diff_finds_planted_bug
	COMMAND fuzz_diff --seed 1 --plant --sequences 20000 --seconds 120)
set_tests_properties(fuzz_diff fuzz_diff_finds_planted_bug PROPERTIES
	LABELS "fuzz;kernel"
	ENVIRONMENT "${SOCKARRAY_TEST_ENV}"
	SKIP_REGULAR_EXPRESSION "^SKIP:"
	TIMEOUT 300)
set_tests_properties(fuzz_diff PROPERTIES SKIP_RETURN_CODE 77)
set_tests_properties(fuzz_diff_finds_planted_bug PROPERTIES
	PASS_REGULAR_EXPRESSION "Shrunk to [1-9] steps")

# The book's table of conformance cases and its fuzzer runs are made by
# running them (tools/spec-table.py), never typed.
if(SOCKARRAY_BOOK)
	find_package(Python3 COMPONENTS Interpreter REQUIRED)
	set(_conf_gen ${SOCKARRAY_GENERATED_DIR}/conformance-cases.rst
		${SOCKARRAY_GENERATED_DIR}/conformance-checks.rst
		${SOCKARRAY_GENERATED_DIR}/conformance-summary.rst)
	add_custom_command(OUTPUT ${_conf_gen}
		COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/spec-table.py
			$<TARGET_FILE:spec> ${CMAKE_SOURCE_DIR}/code/tests/spec
			${SOCKARRAY_GENERATED_DIR}
		DEPENDS spec ${CMAKE_SOURCE_DIR}/tools/spec-table.py ${_spec_sources}
		COMMENT "Conformance suite on both backends -> the book's table of cases"
		VERBATIM)
	set(_fuzz_gen ${SOCKARRAY_GENERATED_DIR}/fuzz-run.txt
		${SOCKARRAY_GENERATED_DIR}/fuzz-planted.txt)
	add_custom_command(OUTPUT ${_fuzz_gen}
		COMMAND ${CMAKE_COMMAND} -E make_directory ${SOCKARRAY_GENERATED_DIR}
		COMMAND sh -c "\"$1\" --seed 1 --sequences 2000 > \"$2\" 2>&1; \"$1\" --seed 1 --plant --sequences 20000 > \"$3\" 2>&1; exit 0"
			fuzz $<TARGET_FILE:fuzz_diff> ${SOCKARRAY_GENERATED_DIR}/fuzz-run.txt
			${SOCKARRAY_GENERATED_DIR}/fuzz-planted.txt
		DEPENDS fuzz_diff
		COMMENT "Differential fuzzer runs for the book"
		VERBATIM)
	set_property(GLOBAL APPEND PROPERTY SOCKARRAY_BOOK_GENERATED ${_conf_gen} ${_fuzz_gen})
endif()

# Stress tests: real threads racing on the port.
file(GLOB _stress_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/code/tests/stress/*.c)
if(_stress_sources)
	sockarray_test(NAME stress SOURCES ${_stress_sources} $<TARGET_OBJECTS:spec_helpers> LABELS stress)
endif()


# sparse: the port's __rcu annotations are checked for real.  The port must
# be clean, and a file of deliberate mistakes must be caught.
find_program(SPARSE_EXECUTABLE sparse)
if(SPARSE_EXECUTABLE)
	add_test(NAME sparse-port-is-clean
		COMMAND ${CMAKE_SOURCE_DIR}/tools/sparse-check ${SOCKARRAY_MAP_SOURCE} ${SOCKARRAY_SOURCES})
	add_test(NAME sparse-catches-rcu-misuse
		COMMAND ${CMAKE_SOURCE_DIR}/tools/sparse-check ${CMAKE_SOURCE_DIR}/code/tests/sparse/rcu_misuse.c)
	set_tests_properties(sparse-catches-rcu-misuse PROPERTIES
		LABELS unit PASS_REGULAR_EXPRESSION "different address spaces")
	set_tests_properties(sparse-port-is-clean PROPERTIES LABELS unit)
else()
	message(STATUS "sparse not found: the __rcu checks will not run (apt-get install sparse)")
endif()
