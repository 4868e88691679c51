# Run a Check runner that was built against an exercise stub and pass only if
# EVERY test it ran failed: a test that passes against a stub does not test
# the student's code, and would let an empty answer through.
#   cmake -DRUNNER=/path/to/stub_NAME -P expect_all_fail.cmake
execute_process(COMMAND ${RUNNER} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
string(REGEX MATCH "Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+)" line "${out}")
if(NOT line)
	message(FATAL_ERROR "no Check summary line from ${RUNNER} (exit ${rc})\n${err}")
endif()
set(n ${CMAKE_MATCH_1})
math(EXPR bad "${CMAKE_MATCH_2} + ${CMAKE_MATCH_3}")
if(n EQUAL 0)
	message(FATAL_ERROR "the stub ran no test: are the exercise's tests tagged 'exercise'?")
endif()
if(NOT bad EQUAL n)
	math(EXPR passed "${n} - ${bad}")
	message(FATAL_ERROR "${passed} of ${n} exercise tests PASS against the stub: they do not test the student's code")
endif()
message("stub fails all ${n} exercise tests, as it must")
