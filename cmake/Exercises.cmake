# Exercises: for every exercises/NAME/exercise.conf, three builds of the map
# from the single source (tools/exgen.py cuts the exercise's functions out of
# the real file and #includes a replacement):
#   ex_NAME    the student's exercises/NAME/FILE   (`make check` in that folder)
#   stub_NAME  the stub as generated               (CTest: every test must fail)
#   sol_NAME   solutions/NAME/FILE                 (CTest: every test must pass)
# plus a CTest entry proving the committed stub and solution match the source.

find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(EXGEN ${CMAKE_SOURCE_DIR}/tools/exgen.py)

function(sockarray_exercise_variant name kind student_file tests_src)
	set(dir ${CMAKE_BINARY_DIR}/exercises/${name}/${kind})
	set(spliced ${dir}/reuseport_array.c)
	add_custom_command(OUTPUT ${spliced}
		COMMAND ${Python3_EXECUTABLE} ${EXGEN} splice ${name} ${student_file} ${spliced}
		DEPENDS ${EXGEN} ${SOCKARRAY_MAP_SOURCE} ${student_file}
			${CMAKE_SOURCE_DIR}/exercises/${name}/exercise.conf
		COMMENT "Splicing ${student_file} into the map for exercise ${name}"
		VERBATIM)
	add_library(sockarray_${kind}_${name} STATIC ${spliced} $<TARGET_OBJECTS:sockarray_core>)
	target_link_libraries(sockarray_${kind}_${name} PUBLIC sockarray_core)
	add_executable(${kind}_${name} ${tests_src} $<TARGET_OBJECTS:spec_helpers>)
	target_include_directories(${kind}_${name} PRIVATE ${CMAKE_SOURCE_DIR}/code/tests)
	target_link_libraries(${kind}_${name} PRIVATE sockarray_${kind}_${name} PkgConfig::CHECK)
	set_target_properties(${kind}_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/exercises)
endfunction()

file(GLOB _exercise_confs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/exercises/*/exercise.conf)
set(SOCKARRAY_EXERCISES "")
foreach(_conf IN LISTS _exercise_confs)
	get_filename_component(_dir ${_conf} DIRECTORY)
	get_filename_component(_name ${_dir} NAME)
	file(STRINGS ${_conf} _lines REGEX "^(file|tests) *=")
	foreach(_l IN LISTS _lines)
		string(REGEX REPLACE "^([a-z]+) *= *(.*)$" "\\1" _k "${_l}")
		string(REGEX REPLACE "^([a-z]+) *= *(.*)$" "\\2" _v "${_l}")
		set(_ex_${_k} "${_v}")
	endforeach()
	set(_tests ${CMAKE_SOURCE_DIR}/${_ex_tests})
	list(APPEND SOCKARRAY_EXERCISES ${_name})

	# The student's build: not part of `all` or of the project's tests.
	sockarray_exercise_variant(${_name} ex ${_dir}/${_ex_file} ${_tests})
	set_target_properties(ex_${_name} sockarray_ex_${_name} PROPERTIES EXCLUDE_FROM_ALL ON)

	if(SOCKARRAY_EXERCISE_CHECKS)
		set(_stub ${CMAKE_BINARY_DIR}/exercises/${_name}/shipped/${_ex_file})
		add_custom_command(OUTPUT ${_stub}
			COMMAND ${Python3_EXECUTABLE} ${EXGEN} stub ${_name} ${_stub}
			DEPENDS ${EXGEN} ${SOCKARRAY_MAP_SOURCE} ${_conf}
			VERBATIM)
		sockarray_exercise_variant(${_name} stub ${_stub} ${_tests})
		sockarray_exercise_variant(${_name} sol ${CMAKE_SOURCE_DIR}/solutions/${_name}/${_ex_file} ${_tests})

		add_test(NAME exercise-${_name}-stub-fails
			COMMAND ${CMAKE_COMMAND} -DRUNNER=$<TARGET_FILE:stub_${_name}>
				-P ${CMAKE_SOURCE_DIR}/cmake/expect_all_fail.cmake)
		add_test(NAME exercise-${_name}-solution-passes COMMAND sol_${_name})
		add_test(NAME exercise-${_name}-in-sync
			COMMAND ${Python3_EXECUTABLE} ${EXGEN} check)
		set_tests_properties(exercise-${_name}-stub-fails exercise-${_name}-solution-passes
			PROPERTIES LABELS exercise
			ENVIRONMENT "${SOCKARRAY_TEST_ENV};CK_INCLUDE_TAGS=exercise")
		set_tests_properties(exercise-${_name}-in-sync PROPERTIES LABELS exercise)
		list(APPEND SOCKARRAY_TEST_TARGETS stub_${_name} sol_${_name})
	endif()
endforeach()
