# The lifecycle chapter's use-after-free demonstration (book/lifecycle.rst).
#
# code/tests/lifecycle/uaf_demo.c creates a map, stores two sockets, closes
# the map (its free runs on the workqueue), then closes the sockets.  It is
# built twice, both times with AddressSanitizer:
#
#   lifecycle_uaf_right  against the real port
#   lifecycle_uaf_wrong  against the port with code/tests/lifecycle/
#                        free_wrong_order.c spliced in place of
#                        reuseport_array_free() by `tools/exgen.py splice
#                        free` (the exercise "free"'s region), so the real
#                        source stays the single source of truth
#
# CTest lifecycle_uaf_demo passes only if the right build runs clean and
# ASan reports a heap-use-after-free in bpf_sk_reuseport_detach() on the
# wrong one (code/tests/lifecycle/asan_report.py judges both).  The same
# script writes the trimmed report to ${SOCKARRAY_GENERATED_DIR}/
# lifecycle-uaf.txt, which the chapter shows with ``.. generated::``.
#
# Objects: in a plain build the port's ASan objects are the ones the
# exercises use (exobj_address_port, cmake/Exercises.cmake); in a
# whole-project ASan build, the port's own.  A TSan build cannot link ASan
# objects, and a compiler without -fsanitize=address cannot build them:
# both skip the demonstration, saying so.

if(SOCKARRAY_SANITIZE STREQUAL "thread")
	message(STATUS "lifecycle: the use-after-free demonstration needs ASan; not in a TSan build")
	return()
endif()
include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_FLAGS -fsanitize=address)
set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=address)
check_c_source_compiles("int main(void) { return 0; }" SOCKARRAY_HAVE_ASAN)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
if(NOT SOCKARRAY_HAVE_ASAN)
	message(STATUS "lifecycle: the compiler lacks -fsanitize=address; no use-after-free demonstration")
	return()
endif()

set(_lc ${CMAKE_SOURCE_DIR}/code/tests/lifecycle)
set(_lc_spliced ${CMAKE_BINARY_DIR}/lifecycle/reuseport_array.c)
add_custom_command(OUTPUT ${_lc_spliced}
	COMMAND ${Python3_EXECUTABLE} ${EXGEN} splice free ${_lc}/free_wrong_order.c ${_lc_spliced}
	DEPENDS ${EXGEN} ${SOCKARRAY_MAP_SOURCE} ${_lc}/free_wrong_order.c
		${CMAKE_SOURCE_DIR}/exercises/free/exercise.conf
	COMMENT "Splicing the wrong-order reuseport_array_free() for the lifecycle demo"
	VERBATIM)
set_source_files_properties(${_lc_spliced} PROPERTIES
	COMPILE_OPTIONS "-iquote;${CMAKE_SOURCE_DIR}/code/kernel/bpf")

if(SOCKARRAY_SANITIZE STREQUAL "address")
	set(_lc_flags "")
	set(_lc_right $<TARGET_OBJECTS:sockarray_core> ${SOCKARRAY_MAP_SOURCE})
	set(_lc_wrong $<TARGET_OBJECTS:sockarray_core> ${_lc_spliced})
else()
	_ex_sanitized_objects(address)
	set(_lc_flags ${_ex_cflags_address})
	set(_lc_right $<TARGET_OBJECTS:exobj_address_port>)
	set(_lc_wrong $<FILTER:$<TARGET_OBJECTS:exobj_address_port>,EXCLUDE,/code/kernel/bpf/reuseport_array\\.c\\.o>
		${_lc_spliced})
endif()

foreach(_kind right wrong)
	add_executable(lifecycle_uaf_${_kind} ${_lc}/uaf_demo.c ${_lc_${_kind}})
	target_include_directories(lifecycle_uaf_${_kind} PRIVATE ${CMAKE_SOURCE_DIR}/code/include)
	target_compile_options(lifecycle_uaf_${_kind} PRIVATE ${_lc_flags})
	target_link_options(lifecycle_uaf_${_kind} PRIVATE -fsanitize=address,undefined)
	target_link_libraries(lifecycle_uaf_${_kind} PRIVATE PkgConfig::URCU Threads::Threads)
	set_target_properties(lifecycle_uaf_${_kind} PROPERTIES
		RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lifecycle)
endforeach()
list(APPEND SOCKARRAY_TEST_TARGETS lifecycle_uaf_right lifecycle_uaf_wrong)

set(_lc_judge ${Python3_EXECUTABLE} ${_lc}/asan_report.py
	$<TARGET_FILE:lifecycle_uaf_wrong> $<TARGET_FILE:lifecycle_uaf_right> ${CMAKE_SOURCE_DIR})
add_test(NAME lifecycle_uaf_demo COMMAND ${_lc_judge})
set_tests_properties(lifecycle_uaf_demo PROPERTIES LABELS "unit;lifecycle")

# The report the chapter shows, from a real run.
set(_lc_report ${SOCKARRAY_GENERATED_DIR}/lifecycle-uaf.txt)
add_custom_command(OUTPUT ${_lc_report}
	COMMAND ${CMAKE_COMMAND} -E make_directory ${SOCKARRAY_GENERATED_DIR}
	COMMAND ${_lc_judge} ${_lc_report}
	DEPENDS lifecycle_uaf_wrong lifecycle_uaf_right ${_lc}/asan_report.py
	COMMENT "Running the lifecycle use-after-free demo for the book"
	VERBATIM)
set_property(GLOBAL APPEND PROPERTY SOCKARRAY_BOOK_GENERATED ${_lc_report})
