# The HTML book: Doxygen XML of the code, then Sphinx with Breathe.
#
# Debian's Sphinx and Breathe live in /usr/bin/python3's dist-packages.  The
# first python3 on PATH may be another interpreter (pyenv, a venv) that
# cannot import them, so try each candidate and keep the first that can.

find_package(Doxygen REQUIRED dot)

set(_book_modules "sphinx, breathe, furo")
set(_candidates "")
find_program(_py_on_path NAMES python3 NO_CACHE)
if(_py_on_path)
	list(APPEND _candidates ${_py_on_path})
endif()
list(APPEND _candidates /usr/bin/python3)
list(REMOVE_DUPLICATES _candidates)

if(NOT BOOK_PYTHON)
	foreach(_cand IN LISTS _candidates)
		execute_process(COMMAND ${_cand} -c "import ${_book_modules}"
			RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
		if(_rc EQUAL 0)
			set(BOOK_PYTHON ${_cand} CACHE FILEPATH "Python interpreter that runs Sphinx")
			break()
		endif()
	endforeach()
endif()
if(NOT BOOK_PYTHON)
	message(FATAL_ERROR
		"No Python here can import ${_book_modules} (tried: ${_candidates}).\n"
		"On Debian/Ubuntu: sudo apt-get install python3-sphinx python3-breathe furo python3-sphinx-copybutton\n"
		"or configure with -DSOCKARRAY_BOOK=OFF to build without the book.")
endif()
message(STATUS "Book: Sphinx runs under ${BOOK_PYTHON}")

set(DOXYGEN_OUT ${CMAKE_BINARY_DIR}/doxygen)
configure_file(${CMAKE_SOURCE_DIR}/book/Doxyfile.in ${CMAKE_BINARY_DIR}/Doxyfile @ONLY)

file(GLOB_RECURSE _doc_code CONFIGURE_DEPENDS
	${CMAKE_SOURCE_DIR}/code/include/*.h
	${CMAKE_SOURCE_DIR}/code/kernel/*.c ${CMAKE_SOURCE_DIR}/code/net/*.c
	${CMAKE_SOURCE_DIR}/code/fs/*.c ${CMAKE_SOURCE_DIR}/code/lib/*.c)
add_custom_command(OUTPUT ${DOXYGEN_OUT}/xml/index.xml
	COMMAND ${DOXYGEN_EXECUTABLE} ${CMAKE_BINARY_DIR}/Doxyfile
	DEPENDS ${_doc_code} ${CMAKE_SOURCE_DIR}/book/Doxyfile.in
	COMMENT "Doxygen: XML for the book"
	VERBATIM)

# Files the book shows that the build makes by running the project's own
# programs (an example's output, the table of conformance cases).  Other
# cmake/*.cmake files, included before this one, add the custom commands
# that write them into SOCKARRAY_GENERATED_DIR and append the outputs to the
# global property SOCKARRAY_BOOK_GENERATED; chapters include them with
# ``.. generated:: NAME`` (see conf.py).
get_property(_book_generated GLOBAL PROPERTY SOCKARRAY_BOOK_GENERATED)

file(GLOB_RECURSE _book_sources CONFIGURE_DEPENDS
	${CMAKE_SOURCE_DIR}/book/*.rst ${CMAKE_SOURCE_DIR}/book/*.inc
	${CMAKE_SOURCE_DIR}/book/*.css ${CMAKE_SOURCE_DIR}/book/*.csv ${CMAKE_SOURCE_DIR}/book/*.png)
set(BOOK_HTML ${CMAKE_BINARY_DIR}/book/html)
add_custom_target(book ALL
	COMMAND ${CMAKE_COMMAND} -E env SOCKARRAY_DOXYGEN_XML=${DOXYGEN_OUT}/xml
		SOCKARRAY_GENERATED=${SOCKARRAY_GENERATED_DIR}
		${BOOK_PYTHON} -m sphinx -W -n --keep-going -q -b html
		-c ${CMAKE_SOURCE_DIR} -d ${CMAKE_BINARY_DIR}/book/doctrees
		${CMAKE_SOURCE_DIR}/book ${BOOK_HTML}
	DEPENDS ${DOXYGEN_OUT}/xml/index.xml ${_book_sources} ${CMAKE_SOURCE_DIR}/conf.py
		${_book_generated}
		${_doc_code} ${CMAKE_SOURCE_DIR}/exercises/struct/README.md
	COMMENT "Sphinx: the book, warnings as errors -> ${BOOK_HTML}/index.html"
	VERBATIM)

# The built book must work offline: nothing loaded from another host,
# search present, every internal link and fragment resolved
# (tools/check-book).  The book target is in ALL, so the HTML exists when
# ctest runs.  The self-tests prove that the checker and the answers mover
# can fail: each runs on a small site or book with planted problems.
add_test(NAME book_offline
	COMMAND ${BOOK_PYTHON} ${CMAKE_SOURCE_DIR}/tools/check-book ${BOOK_HTML})
add_test(NAME book_offline_selftest
	COMMAND ${BOOK_PYTHON} ${CMAKE_SOURCE_DIR}/tools/check-book --self-test)
add_test(NAME book_move_answers_selftest
	COMMAND ${BOOK_PYTHON} ${CMAKE_SOURCE_DIR}/tools/move-answers.py --self-test)
set_tests_properties(book_offline book_offline_selftest book_move_answers_selftest
	PROPERTIES LABELS book)
