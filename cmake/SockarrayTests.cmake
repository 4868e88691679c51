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
	"TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1 allocator_may_return_null=1 suppressions=${CMAKE_SOURCE_DIR}/code/tests/tsan.supp"
	"ASAN_OPTIONS=allocator_may_return_null=1 detect_leaks=1 abort_on_error=0"
	"UBSAN_OPTIONS=print_stacktrace=1 halt_on_error=1")
if(SOCKARRAY_SANITIZE STREQUAL "thread")
	list(APPEND SOCKARRAY_TEST_ENV "CK_TIMEOUT_MULTIPLIER=5")
elseif(SOCKARRAY_SANITIZE STREQUAL "address")
	list(APPEND SOCKARRAY_TEST_ENV "CK_TIMEOUT_MULTIPLIER=3")
endif()

# Test helpers (sockets, maps, errno names) on the port's system calls.
add_library(spec_helpers OBJECT ${CMAKE_SOURCE_DIR}/code/tests/spec/spec.c)
target_include_directories(spec_helpers PUBLIC ${CMAKE_SOURCE_DIR}/code/tests
	${CMAKE_SOURCE_DIR}/code/include)
target_link_libraries(spec_helpers PUBLIC PkgConfig::CHECK)

# sockarray_test(NAME name SOURCES ... [LIBRARY lib] [LABELS ...] [DEFINES ...])
function(sockarray_test)
	cmake_parse_arguments(T "" "NAME;LIBRARY" "SOURCES;LABELS;DEFINES" ${ARGN})
	if(NOT T_LIBRARY)
		set(T_LIBRARY sockarray)
	endif()
	add_executable(${T_NAME} ${T_SOURCES})
	target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/code/tests)
	target_compile_definitions(${T_NAME} PRIVATE ${T_DEFINES})
	target_link_libraries(${T_NAME} PRIVATE ${T_LIBRARY} PkgConfig::CHECK)
	add_test(NAME ${T_NAME} COMMAND ${T_NAME})
	set_tests_properties(${T_NAME} PROPERTIES
		LABELS "${T_LABELS}"
		ENVIRONMENT "${SOCKARRAY_TEST_ENV}"
		SKIP_RETURN_CODE 77)
	set(SOCKARRAY_TEST_TARGETS ${SOCKARRAY_TEST_TARGETS} ${T_NAME} PARENT_SCOPE)
endfunction()

# One suite per file in code/tests/test_*.c (each has its own main).
file(GLOB _unit_tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/code/tests/test_*.c)
foreach(_src IN LISTS _unit_tests)
	get_filename_component(_name ${_src} NAME_WE)
	sockarray_test(NAME ${_name} SOURCES ${_src} $<TARGET_OBJECTS:spec_helpers> LABELS unit)
endforeach()

# The kernel-spec suite, once on the port and once on the live kernel.
file(GLOB _spec_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/code/tests/spec/*.c)
# spec.c is in the list: the kernel variant compiles it with its define.
if(_spec_sources)
	sockarray_test(NAME spec_port SOURCES ${_spec_sources} LABELS spec)
	sockarray_test(NAME spec_kernel SOURCES ${_spec_sources} LABELS "spec;kernel"
		DEFINES SPEC_BACKEND_KERNEL)
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
