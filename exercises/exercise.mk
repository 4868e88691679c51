# Shared by every exercises/<name>/Makefile.
#
#   make check   build the port with the functions in this folder and run
#                the chapter's exercise tests
#   make hint    print a hint (never the answer)
#
# The build lives in build/default at the repository root (tools/setup
# makes it); only the pieces this exercise needs are rebuilt.  Another
# build: `make check BUILD=/path/to/build`.  The runner gets the same
# environment as the project's tests (exercises/NAME/env.sh in the build:
# Check's timeout, the sanitizers' options).
ROOT  := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
NAME  := $(notdir $(CURDIR))
BUILD ?= $(ROOT)/build/default

.PHONY: check hint

check:
	@test -f $(BUILD)/CMakeCache.txt || (cd $(ROOT) && cmake --preset default >/dev/null)
	@cmake --build $(BUILD) --target ex_$(NAME) -- --no-print-directory -s
	@cd $(BUILD) && . exercises/$(NAME)/env.sh && CK_INCLUDE_TAGS=exercise ./exercises/ex_$(NAME); \
	rc=$$?; echo; \
	if [ $$rc -eq 0 ]; then \
		echo "exercise $(NAME): every test passes. Well done."; \
	else \
		echo "exercise $(NAME): not there yet. Each failing line above names the test"; \
		echo "and what it expected; README.md says what each test checks; 'make hint' helps."; \
	fi; exit $$rc

hint:
	@cat HINT.md
