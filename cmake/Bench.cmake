# The reader-side benchmark of the measurements chapter (book/measurements.rst).
#
#   bench_lookup      code/bench/bench_lookup.c (in ALL).  It and its own copy
#                     of the port are compiled with -O2 -DNDEBUG whatever
#                     CMAKE_BUILD_TYPE is: a Debug build's -O0 and its RCU
#                     checks (rcu_dereference() asks rcu_read_lock_held() on
#                     every load) would be what is measured, and those checks
#                     abort the lock-only disciplines, which by design read
#                     slots outside rcu_read_lock().
#   bench             the full run (not in ALL; about a minute):
#                     ${CMAKE_BINARY_DIR}/bench/bench-lookup.csv, .png and the
#                     table and ratio CSVs, through tools/plot-bench.py, and
#                     bench-lookup-sync.csv (synchronize_rcu() latency)
#   CTest bench_lookup_smoke   a very short run; checks the CSV's shape and
#                     that every rate is positive (never timings: CI is noisy)
#   CTest bench_plot  tools/plot-bench.py turns the smoke CSV into a PNG
#                     (skipped, exit 77, without matplotlib)
#
# Sanitizer builds get none of this: timings under ASan or TSan mean nothing.
#
# This file is also a script: with -P it runs BENCH with a short duration,
# writing CSV, and checks the result (the smoke test).

if(CMAKE_SCRIPT_MODE_FILE)
	cmake_policy(SET CMP0057 NEW)	# if(IN_LIST) in script mode
	execute_process(COMMAND ${BENCH} -d 0.02 -w 0.01 -r 1 -o ${CSV} -s ${SYNC_CSV}
		RESULT_VARIABLE _rc ERROR_VARIABLE _err)
	if(NOT _rc EQUAL 0)
		message(FATAL_ERROR "${BENCH} failed (${_rc}):\n${_err}")
	endif()
	# the run's own ratios, one line per other discipline, four numbers each
	foreach(_d rwlock mutex "raw \\(no writer\\)")
		if(NOT _err MATCHES "\n${_d} +[0-9]+\\.[0-9][0-9] +[0-9]+\\.[0-9][0-9] +[0-9]+\\.[0-9][0-9] +[0-9]+\\.[0-9][0-9]\n")
			message(FATAL_ERROR "no ratio line for ${_d} in the benchmark's report:\n${_err}")
		endif()
	endforeach()
	file(STRINGS ${CSV} _lines)
	set(_rows 0)
	set(_points "")
	set(_header_seen FALSE)
	foreach(_line IN LISTS _lines)
		if(_line MATCHES "^#")
			continue()
		endif()
		if(NOT _header_seen)
			if(NOT _line STREQUAL "discipline,writer,readers,ops_per_sec,ns_per_op,writer_ops_per_sec,reader_cpu_share,ops_per_sec_min,ops_per_sec_max")
				message(FATAL_ERROR "unexpected CSV header: ${_line}")
			endif()
			set(_header_seen TRUE)
			continue()
		endif()
		# discipline,writer,readers,ops/s (> 0),ns/op (> 0),writer ops/s,CPU share,min,max
		if(NOT _line MATCHES "^(rcu|rwlock|mutex|raw),(yes|no),([12]),([0-9]+),([0-9]+\\.[0-9]+),([0-9]+),([01]\\.[0-9][0-9]),([0-9]+),([0-9]+)$")
			message(FATAL_ERROR "malformed row: ${_line}")
		endif()
		set(_disc ${CMAKE_MATCH_1})
		set(_writer ${CMAKE_MATCH_2})
		if(CMAKE_MATCH_4 EQUAL 0 OR CMAKE_MATCH_5 STREQUAL "0.00")
			message(FATAL_ERROR "a reader made no progress: ${_line}")
		endif()
		if(CMAKE_MATCH_8 GREATER CMAKE_MATCH_4 OR CMAKE_MATCH_4 GREATER CMAKE_MATCH_9)
			message(FATAL_ERROR "the median is not between min and max: ${_line}")
		endif()
		if(_writer STREQUAL "no" AND NOT CMAKE_MATCH_6 EQUAL 0)
			message(FATAL_ERROR "writer operations counted without a writer: ${_line}")
		endif()
		# Under RCU nothing can hold the writer back.
		if(_disc STREQUAL "rcu" AND _writer STREQUAL "yes" AND CMAKE_MATCH_6 EQUAL 0)
			message(FATAL_ERROR "the writer made no progress under RCU: ${_line}")
		endif()
		if(_disc STREQUAL "raw" AND _writer STREQUAL "yes")
			message(FATAL_ERROR "the unprotected floor was run against a writer: ${_line}")
		endif()
		set(_point "${_disc},${_writer},${CMAKE_MATCH_3}")
		if(_point IN_LIST _points)
			message(FATAL_ERROR "point ${_point} appears twice")
		endif()
		list(APPEND _points ${_point})
		math(EXPR _rows "${_rows} + 1")
	endforeach()
	# 3 disciplines x {no writer, writer} x {1, 2} readers, and the floor x {1, 2}
	if(NOT _rows EQUAL 14)
		message(FATAL_ERROR "expected 14 rows, found ${_rows}")
	endif()
	# The grace-period CSV: a header, then 0, 1 and 2 readers, every
	# latency positive and the median between the fastest and the slowest.
	file(STRINGS ${SYNC_CSV} _lines)
	list(POP_FRONT _lines _header)
	if(NOT _header STREQUAL "RCU readers running,Grace periods timed,Median (us),Fastest (us),Slowest (us)")
		message(FATAL_ERROR "unexpected grace-period CSV header: ${_header}")
	endif()
	set(_want 0)
	foreach(_line IN LISTS _lines)
		if(NOT _line MATCHES "^([0-9]+),([1-9][0-9]*),([0-9]+\\.[0-9]),([0-9]+\\.[0-9]),([0-9]+\\.[0-9])$")
			message(FATAL_ERROR "malformed grace-period row: ${_line}")
		endif()
		if(NOT CMAKE_MATCH_1 EQUAL _want)
			message(FATAL_ERROR "grace-period row for ${CMAKE_MATCH_1} readers, expected ${_want}")
		endif()
		# compare in tenths of a microsecond, as integers
		string(REPLACE "." "" _med ${CMAKE_MATCH_3})
		string(REPLACE "." "" _min ${CMAKE_MATCH_4})
		string(REPLACE "." "" _max ${CMAKE_MATCH_5})
		if(_min GREATER _med OR _med GREATER _max)
			message(FATAL_ERROR "median not between fastest and slowest: ${_line}")
		endif()
		math(EXPR _want "${_want} + 1")
	endforeach()
	if(NOT _want EQUAL 3)
		message(FATAL_ERROR "expected grace-period rows for 0, 1 and 2 readers, found ${_want}")
	endif()
	message("bench_lookup: ${_rows} rows, all rates positive; 3 grace-period rows")
	return()
endif()

if(NOT SOCKARRAY_SANITIZE STREQUAL "")
	message(STATUS "Benchmark not built in a sanitizer build (timings would mean nothing)")
	return()
endif()

# The port once more, optimised and without its debug checks, for the
# benchmark alone; the tests keep using the Debug library.
add_library(sockarray_bench_port STATIC ${SOCKARRAY_MAP_SOURCE} ${SOCKARRAY_SOURCES})
target_include_directories(sockarray_bench_port PUBLIC ${CMAKE_SOURCE_DIR}/code/include)
target_compile_options(sockarray_bench_port PRIVATE -O2)
target_compile_definitions(sockarray_bench_port PRIVATE NDEBUG)
target_link_libraries(sockarray_bench_port PUBLIC PkgConfig::URCU Threads::Threads)

add_executable(bench_lookup ${CMAKE_SOURCE_DIR}/code/bench/bench_lookup.c)
target_compile_options(bench_lookup PRIVATE -O2)
target_compile_definitions(bench_lookup PRIVATE NDEBUG)
target_link_libraries(bench_lookup PRIVATE sockarray_bench_port)

set(BENCH_PYTHON /usr/bin/python3 CACHE FILEPATH
	"Python with matplotlib for tools/plot-bench.py (Debian's sees python3-matplotlib)")
set(_bench_dir ${CMAKE_BINARY_DIR}/bench)
add_custom_target(bench
	COMMAND ${CMAKE_COMMAND} -E make_directory ${_bench_dir}
	COMMAND $<TARGET_FILE:bench_lookup> -d 1 -r 3 -o ${_bench_dir}/bench-lookup.csv
		-s ${_bench_dir}/bench-lookup-sync.csv
	COMMAND ${BENCH_PYTHON} ${CMAKE_SOURCE_DIR}/tools/plot-bench.py
		${_bench_dir}/bench-lookup.csv ${_bench_dir}/bench-lookup.png
		--table ${_bench_dir}/bench-lookup-table.csv
		--ratios ${_bench_dir}/bench-lookup-ratios.csv
	DEPENDS bench_lookup ${CMAKE_SOURCE_DIR}/tools/plot-bench.py
	COMMENT "Benchmark (about a minute; keep the machine quiet) -> ${_bench_dir}"
	VERBATIM
	USES_TERMINAL)

# The smoke test would catch: a crash or hang in any discipline, a lookup
# that stops finding the group's sockets, a writer whose bpf(2) calls fail,
# a reader that never ran, a missing, extra or repeated point, a broken CSV,
# a missing or malformed grace-period measurement, a missing ratio line.
add_test(NAME bench_lookup_smoke
	COMMAND ${CMAKE_COMMAND} -DBENCH=$<TARGET_FILE:bench_lookup>
		-DCSV=${_bench_dir}/smoke.csv -DSYNC_CSV=${_bench_dir}/smoke-sync.csv
		-P ${CMAKE_SOURCE_DIR}/cmake/Bench.cmake)
set_tests_properties(bench_lookup_smoke PROPERTIES
	LABELS "bench"
	FIXTURES_SETUP bench_csv
	TIMEOUT 120)
file(MAKE_DIRECTORY ${_bench_dir})

# Would catch: a plot script that cannot read the benchmark's CSV, or that
# writes no PNG (the script checks the file it wrote).
add_test(NAME bench_plot
	COMMAND ${BENCH_PYTHON} ${CMAKE_SOURCE_DIR}/tools/plot-bench.py
		${_bench_dir}/smoke.csv ${_bench_dir}/smoke.png
		--table ${_bench_dir}/smoke-table.csv --ratios ${_bench_dir}/smoke-ratios.csv)
set_tests_properties(bench_plot PROPERTIES
	LABELS "bench"
	FIXTURES_REQUIRED bench_csv
	SKIP_RETURN_CODE 77
	TIMEOUT 120)
list(APPEND SOCKARRAY_TEST_TARGETS bench_lookup)
