# Exercises: for every exercises/NAME/exercise.conf (format: the docstring of
# tools/exgen.py), three builds of the port from the single source, in which
# tools/exgen.py cuts the exercise's functions out of the real file and
# #includes a replacement:
#   ex_NAME    the student's exercises/NAME/FILE   (`make check` in that folder)
#   stub_NAME  the stub (generated, or the shipped file)  (CTest: every test must fail)
#   sol_NAME   solutions/NAME/FILE                 (CTest: every test must pass)
# plus a CTest entry proving the committed stub and solution match the source.
#
# How a variant is put together, cheaply:
#   .c source  the objects of every other port file are the ones already
#              compiled for sockarray_core (a $<FILTER> drops the one being
#              replaced), plus the spliced file: two compilations a variant.
#   .h source  a copy of code/include with the spliced header goes first on
#              the include path, and every port file, the spec helpers and
#              the tests are compiled again against it: a static inline
#              function is compiled into each file that includes it.
#   sanitize   the variant's objects carry the sanitizer's flags; port
#              objects for a .c source come from one sanitized set shared by
#              every exercise that asks for that sanitizer.
#   sanitize = address thread
#              every build above is made once per sanitizer, its name
#              suffixed: ex_NAME_address, ex_NAME_thread (and stub_, sol_);
#              the target ex_NAME builds both.  CTest gets
#              exercise-NAME-stub-fails-SAN and -solution-passes-SAN for
#              each.  In a whole-project sanitizer build there is one build,
#              with that sanitizer, under the plain names.
# Each exercise writes, in the build tree, exercises/NAME/runners: one line
# per runner, "RUNNER ENV_FILE" (exercises/ex_NAME exercises/NAME/env.sh, or
# one line per sanitizer), and the env files: the environment each runner
# needs (the CTest entries get the same).  exercises/exercise.mk and
# tools/grade run every line of runners.

find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(EXGEN ${CMAKE_SOURCE_DIR}/tools/exgen.py)
set(SOCKARRAY_EXERCISES_DIR ${CMAKE_SOURCE_DIR}/exercises CACHE PATH
	"Where the ex_NAME builds take the student's files (tools/grade points it at a student's checkout)")

# The same flags as the whole-project sanitizer builds in CMakeLists.txt.
set(_ex_cflags_thread -fsanitize=thread -fno-omit-frame-pointer)
set(_ex_lflags_thread -fsanitize=thread)
set(_ex_cflags_address -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
set(_ex_lflags_address -fsanitize=address,undefined)
set(_ex_timeout_thread 5)
set(_ex_timeout_address 3)

# Read every exercise.conf through exgen, the single parser.
file(GLOB _exercise_confs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/exercises/*/exercise.conf)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${EXGEN} ${_exercise_confs})
execute_process(COMMAND ${Python3_EXECUTABLE} ${EXGEN} cmake-info ${CMAKE_BINARY_DIR}/exercises/info.cmake
	RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
	message(FATAL_ERROR "tools/exgen.py cmake-info failed:\n${_err}")
endif()
include(${CMAKE_BINARY_DIR}/exercises/info.cmake)

file(GLOB_RECURSE _ex_headers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/code/include/*.h)
set(_ex_all_sources ${SOCKARRAY_SOURCES} ${SOCKARRAY_MAP_SOURCE})
# The test helpers' sources, as cmake/SockarrayTests.cmake lists them.
get_target_property(_ex_spec_source spec_helpers SOURCES)

# The map's own object, for variants that replace another file.
add_library(exobj_map OBJECT EXCLUDE_FROM_ALL ${SOCKARRAY_MAP_SOURCE})
target_link_libraries(exobj_map PUBLIC sockarray_core)

# The port and the spec helpers compiled once with a sanitizer, on demand.
function(_ex_sanitized_objects san)
	if(TARGET exobj_${san}_port)
		return()
	endif()
	add_library(exobj_${san}_port OBJECT EXCLUDE_FROM_ALL ${_ex_all_sources})
	target_include_directories(exobj_${san}_port PUBLIC ${CMAKE_SOURCE_DIR}/code/include)
	target_compile_options(exobj_${san}_port PRIVATE ${_ex_cflags_${san}})
	target_link_libraries(exobj_${san}_port PUBLIC PkgConfig::URCU Threads::Threads)
	add_library(exobj_${san}_spec OBJECT EXCLUDE_FROM_ALL ${_ex_spec_source})
	target_include_directories(exobj_${san}_spec PUBLIC ${CMAKE_SOURCE_DIR}/code/tests
		${CMAKE_SOURCE_DIR}/code/include)
	target_compile_options(exobj_${san}_spec PRIVATE ${_ex_cflags_${san}})
	target_link_libraries(exobj_${san}_spec PUBLIC PkgConfig::CHECK)
endfunction()

# sockarray_exercise_variant(NAME KIND STUDENT_FILE SAN SUFFIX): targets
# sockarray_KIND_NAMESUFFIX (the port with STUDENT_FILE spliced in) and
# KIND_NAMESUFFIX (the tests on it), built with sanitizer SAN ("" for none).
function(sockarray_exercise_variant name kind student_file san suffix)
	set(dir ${CMAKE_BINARY_DIR}/exercises/${name}/${kind}${suffix})
	set(src ${CMAKE_SOURCE_DIR}/${EX_${name}_SOURCE})
	set(conf ${CMAKE_SOURCE_DIR}/exercises/${name}/exercise.conf)
	set(tests ${CMAKE_SOURCE_DIR}/${EX_${name}_TESTS})
	set(lib sockarray_${kind}_${name}${suffix})
	set(exe ${kind}_${name}${suffix})

	if(EX_${name}_KIND STREQUAL "h")
		set(overlay ${dir}/include)
		set(stamp ${dir}/include.stamp)
		add_custom_command(OUTPUT ${stamp}
			COMMAND ${Python3_EXECUTABLE} ${EXGEN} overlay ${name} ${student_file} ${overlay} ${stamp}
			DEPENDS ${EXGEN} ${_ex_headers} ${student_file} ${conf}
			COMMENT "Splicing ${student_file} into ${EX_${name}_SOURCE} for exercise ${name}"
			VERBATIM)
		add_custom_target(${exe}_overlay DEPENDS ${stamp})
		add_library(${lib} STATIC ${_ex_all_sources})
		target_include_directories(${lib} BEFORE PUBLIC ${overlay})
		target_link_libraries(${lib} PUBLIC PkgConfig::URCU Threads::Threads)
		add_dependencies(${lib} ${exe}_overlay)
		add_executable(${exe} ${tests} ${_ex_spec_source})
		target_include_directories(${exe} BEFORE PRIVATE ${overlay} ${CMAKE_SOURCE_DIR}/code/tests)
		add_dependencies(${exe} ${exe}_overlay)
	else()
		get_filename_component(fname ${src} NAME)
		get_filename_component(srcdir ${src} DIRECTORY)
		set(spliced ${dir}/${fname})
		add_custom_command(OUTPUT ${spliced}
			COMMAND ${Python3_EXECUTABLE} ${EXGEN} splice ${name} ${student_file} ${spliced}
			DEPENDS ${EXGEN} ${src} ${student_file} ${conf}
			COMMENT "Splicing ${student_file} into ${EX_${name}_SOURCE} for exercise ${name}"
			VERBATIM)
		# The spliced copy lives in the build tree; its quoted includes
		# must still find what sits next to the real file.
		set_source_files_properties(${spliced} PROPERTIES COMPILE_OPTIONS "-iquote;${srcdir}")
		file(RELATIVE_PATH relsrc ${CMAKE_SOURCE_DIR} ${src})
		string(REPLACE "." "\\." objre "/${relsrc}.o")
		if(san)
			set(others $<FILTER:$<TARGET_OBJECTS:exobj_${san}_port>,EXCLUDE,${objre}>)
			set(spec $<TARGET_OBJECTS:exobj_${san}_spec>)
		elseif(src STREQUAL SOCKARRAY_MAP_SOURCE)
			set(others $<TARGET_OBJECTS:sockarray_core>)
			set(spec $<TARGET_OBJECTS:spec_helpers>)
		else()
			set(others $<FILTER:$<TARGET_OBJECTS:sockarray_core>,EXCLUDE,${objre}>
				$<TARGET_OBJECTS:exobj_map>)
			set(spec $<TARGET_OBJECTS:spec_helpers>)
		endif()
		add_library(${lib} STATIC ${spliced} ${others})
		target_include_directories(${lib} PUBLIC ${CMAKE_SOURCE_DIR}/code/include)
		target_link_libraries(${lib} PUBLIC PkgConfig::URCU Threads::Threads)
		add_executable(${exe} ${tests} ${spec})
		target_include_directories(${exe} PRIVATE ${CMAKE_SOURCE_DIR}/code/tests)
	endif()
	target_link_libraries(${exe} PRIVATE ${lib} PkgConfig::CHECK)
	if(san)
		target_compile_options(${lib} PRIVATE ${_ex_cflags_${san}})
		target_compile_options(${exe} PRIVATE ${_ex_cflags_${san}})
		target_link_options(${exe} PRIVATE ${_ex_lflags_${san}})
	endif()
	set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/exercises)
endfunction()

# exgen's own tests, over a temporary tree.
add_test(NAME exgen-selftest COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/test_exgen.py)
set_tests_properties(exgen-selftest PROPERTIES LABELS exercise)

set(SOCKARRAY_EXERCISE_TARGETS "")
foreach(_name IN LISTS SOCKARRAY_EXERCISES_INVALID)
	message(WARNING "exercise ${_name} is not built: ${EX_${_name}_ERROR}")
	add_test(NAME exercise-${_name}-invalid
		COMMAND ${CMAKE_COMMAND} -E echo "exercise ${_name}: ${EX_${_name}_ERROR}")
	set_tests_properties(exercise-${_name}-invalid PROPERTIES LABELS exercise
		FAIL_REGULAR_EXPRESSION ".")
endforeach()

foreach(_name IN LISTS SOCKARRAY_EXERCISES)
	set(_src ${CMAKE_SOURCE_DIR}/${EX_${_name}_SOURCE})
	set(_conf ${CMAKE_SOURCE_DIR}/exercises/${_name}/exercise.conf)
	set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_src})
	if(EX_${_name}_KIND STREQUAL "c" AND NOT _src IN_LIST _ex_all_sources)
		message(WARNING "exercise ${_name}: ${EX_${_name}_SOURCE} is not a port source; not built")
		continue()
	endif()
	# In a whole-project sanitizer build everything already has its flags.
	set(_sans ${EX_${_name}_SANITIZERS})
	if(SOCKARRAY_SANITIZE AND _sans)
		if(NOT _sans STREQUAL SOCKARRAY_SANITIZE)
			message(STATUS "exercise ${_name}: sanitize = ${EX_${_name}_SANITIZE} "
				"ignored in this ${SOCKARRAY_SANITIZE} build")
		endif()
		set(_sans "")
	endif()
	# One variant per sanitizer, suffixed, when there are several; else one
	# variant under the plain names (SUFFIX "", SAN "" or the one sanitizer).
	list(LENGTH _sans _nsans)
	if(_nsans GREATER 1)
		set(_variants ${_sans})
	else()
		set(_variants "${_sans}")
		if(NOT _sans)
			set(_variants "-")	# a placeholder for "no sanitizer"
		endif()
	endif()
	set(_runners "")
	foreach(_san IN LISTS _variants)
		if(_san STREQUAL "-")
			set(_san "")
		endif()
		if(_nsans GREATER 1)
			set(_sfx _${_san})
			set(_envname env-${_san}.sh)
		else()
			set(_sfx "")
			set(_envname env.sh)
		endif()
		if(_san AND EX_${_name}_KIND STREQUAL "c")
			_ex_sanitized_objects(${_san})
		endif()

		# What the runner needs: the project's test environment, with the
		# sanitizer's slower clock when this exercise alone is sanitized.
		set(_env ${SOCKARRAY_TEST_ENV})
		if(_san)
			list(APPEND _env "CK_TIMEOUT_MULTIPLIER=${_ex_timeout_${_san}}")
		endif()
		set(_env_${_sfx} ${_env})
		set(_sh "# Written by cmake/Exercises.cmake: the environment of exercise ${_name}'s runner ex_${_name}${_sfx}.\n")
		foreach(_kv IN LISTS _env)
			string(REGEX REPLACE "^([A-Z_]+)=(.*)$" "export \\1='\\2'\n" _line "${_kv}")
			string(APPEND _sh "${_line}")
		endforeach()
		file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/exercises/${_name}/${_envname} CONTENT "${_sh}" @ONLY)
		string(APPEND _runners "exercises/ex_${_name}${_sfx} exercises/${_name}/${_envname}\n")

		# The student's build: not part of `all` or of the project's tests.
		sockarray_exercise_variant(${_name} ex ${SOCKARRAY_EXERCISES_DIR}/${_name}/${EX_${_name}_FILE}
			"${_san}" "${_sfx}")
		set_target_properties(ex_${_name}${_sfx} sockarray_ex_${_name}${_sfx} PROPERTIES EXCLUDE_FROM_ALL ON)
		if(TARGET ex_${_name}${_sfx}_overlay)
			set_target_properties(ex_${_name}${_sfx}_overlay PROPERTIES EXCLUDE_FROM_ALL ON)
		endif()
	endforeach()
	file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/exercises/${_name}/runners CONTENT "${_runners}" @ONLY)
	if(_nsans GREATER 1)
		# `make check` and tools/grade build ex_NAME: every variant.
		set(_all_ex "")
		foreach(_san IN LISTS _sans)
			list(APPEND _all_ex ex_${_name}_${_san})
		endforeach()
		add_custom_target(ex_${_name} DEPENDS ${_all_ex})
	endif()
	list(APPEND SOCKARRAY_EXERCISE_TARGETS ex_${_name})

	if(SOCKARRAY_EXERCISE_CHECKS)
		if(EX_${_name}_STUB STREQUAL "shipped")
			set(_stub ${CMAKE_SOURCE_DIR}/exercises/${_name}/${EX_${_name}_FILE})
		else()
			set(_stub ${CMAKE_BINARY_DIR}/exercises/${_name}/generated/${EX_${_name}_FILE})
			add_custom_command(OUTPUT ${_stub}
				COMMAND ${Python3_EXECUTABLE} ${EXGEN} stub ${_name} ${_stub}
				DEPENDS ${EXGEN} ${_src} ${_conf}
				VERBATIM)
		endif()
		foreach(_san IN LISTS _variants)
			if(_nsans GREATER 1)
				set(_sfx _${_san})
				set(_tsfx -${_san})
			else()
				set(_san "${_sans}")
				set(_sfx "")
				set(_tsfx "")
			endif()
			sockarray_exercise_variant(${_name} stub ${_stub} "${_san}" "${_sfx}")
			sockarray_exercise_variant(${_name} sol
				${CMAKE_SOURCE_DIR}/solutions/${_name}/${EX_${_name}_FILE} "${_san}" "${_sfx}")

			add_test(NAME exercise-${_name}-stub-fails${_tsfx}
				COMMAND ${CMAKE_COMMAND} -DRUNNER=$<TARGET_FILE:stub_${_name}${_sfx}>
					-P ${CMAKE_SOURCE_DIR}/cmake/expect_all_fail.cmake)
			add_test(NAME exercise-${_name}-solution-passes${_tsfx} COMMAND sol_${_name}${_sfx})
			set_tests_properties(exercise-${_name}-stub-fails${_tsfx}
				exercise-${_name}-solution-passes${_tsfx}
				PROPERTIES LABELS exercise
				ENVIRONMENT "${_env_${_sfx}};CK_INCLUDE_TAGS=exercise")
			list(APPEND SOCKARRAY_TEST_TARGETS stub_${_name}${_sfx} sol_${_name}${_sfx})
		endforeach()
		add_test(NAME exercise-${_name}-in-sync
			COMMAND ${Python3_EXECUTABLE} ${EXGEN} check ${_name})
		set_tests_properties(exercise-${_name}-in-sync PROPERTIES LABELS exercise)
	endif()
endforeach()

# The classroom tools (tools/test_classroom.py says what each proves):
# `make check` in exercises/ on the stubs fails and lists every exercise;
# tools/grade passes the solutions, kills a looping student file at its
# time limit, and refuses a bad checkout.  The grade test keeps its own
# build directory under this one, so a second run only recompiles the
# exercises.
if(SOCKARRAY_EXERCISE_CHECKS AND SOCKARRAY_EXERCISES)
	set(_classroom ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/test_classroom.py)
	add_test(NAME classroom-progress-stubs-fail COMMAND ${_classroom} progress ${CMAKE_BINARY_DIR})
	add_test(NAME classroom-grade COMMAND ${_classroom} grade ${CMAKE_BINARY_DIR}/classroom-grade)
	add_test(NAME classroom-grade-usage COMMAND ${_classroom} usage ${CMAKE_BINARY_DIR}/classroom-usage)
	set_tests_properties(classroom-progress-stubs-fail classroom-grade classroom-grade-usage
		PROPERTIES LABELS exercise TIMEOUT 2400)
	# Both build ex_ targets: in this tree, and in the grade test's tree.
	set_tests_properties(classroom-progress-stubs-fail PROPERTIES RESOURCE_LOCK sockarray-build-tree)
endif()
