# Shared by every exercises/<name>/Makefile.
#
#   make check   build the port with the functions in this folder and run
#                the chapter's exercise tests
#   make hint    print a hint (never the answer)
#
# The build lives in build/default at the repository root (tools/setup
# makes it); only the pieces this exercise needs are rebuilt.  Another
# build: `make check BUILD=/path/to/build`.  Each runner gets the same
# environment as the project's tests (its env file in the build:
# Check's timeout, the sanitizers' options).  An exercise built under two
# sanitizers has two runners (exercises/NAME/runners in the build lists
# them); both run, and `make check` passes only if both pass.
ROOT  := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
NAME  := $(notdir $(CURDIR))
BUILD ?= $(ROOT)/build/default

.PHONY: check hint

check:
	@test -f $(BUILD)/CMakeCache.txt || (cd $(ROOT) && cmake --preset default >/dev/null)
	@cmake --build $(BUILD) --target ex_$(NAME) -- --no-print-directory -s
	@cd $(BUILD) && rc=0 && \
	while read -r run envfile; do \
		if [ "$$run" != exercises/ex_$(NAME) ]; then echo "== $${run#exercises/}"; fi; \
		( . ./$$envfile && CK_INCLUDE_TAGS=exercise exec ./$$run </dev/null ) || rc=1; \
	done < exercises/$(NAME)/runners; \
	echo; \
	if [ $$rc -eq 0 ]; then \
		echo "exercise $(NAME): every test passes. Well done."; \
	else \
		echo "exercise $(NAME): not there yet. Each failing line above names the test"; \
		echo "and what it expected; README.md says what each test checks; 'make hint' helps."; \
	fi; exit $$rc

hint:
	@cat HINT.md
