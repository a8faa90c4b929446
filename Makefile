# pjeval - PGXS build.  `make && make install`, then `make installcheck`
# against a running server; `make unittest` and `make fuzz` need no server.

EXTENSION   = pjeval
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" pjeval.control)

MODULE_big  = pjeval
CORE_SRCS   = $(sort $(wildcard src/core/*.c))
GLUE_SRCS   = $(sort $(wildcard src/pg/*.c))
# The workbooks (src/wb): libzip for the zip container and libxml2 for its
# XML parts (the reader), libxlsxwriter for the writer, found with pkg-config.
WB_SRCS     = $(sort $(wildcard src/wb/*.c))
WB_CFLAGS  := $(shell pkg-config --cflags libzip libxml-2.0 xlsxwriter)
WB_LIBS    := $(shell pkg-config --libs libzip libxml-2.0 xlsxwriter)
OBJS        = $(CORE_SRCS:.c=.o) $(WB_SRCS:.c=.o) $(GLUE_SRCS:.c=.o)

# The install script is assembled from one file per concern under src/sql/.
# upgrade/ holds the upgrade scripts (pjeval--X--Y.sql), never edited once
# released; released versions' install scripts are built from their commits
# (upgrade/RELEASES) by test/integration/upgrade.sh.
DATA_built  = pjeval--$(EXTVERSION).sql
DATA        = $(sort $(wildcard upgrade/pjeval--*.sql))
EXTRA_CLEAN = test/unit/run_unit_tests test/fuzz/fuzz_ivalue test/fuzz/fuzz_form test/fuzz/fuzz_store test/fuzz/fuzz_workbook bench/parse_bench

REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --encoding=UTF8 --no-locale

PG_CPPFLAGS = -I$(srcdir)/src/core -I$(srcdir)/src/wb $(WB_CFLAGS)
SHLIB_LINK  = $(WB_LIBS)
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

# pjeval-load (src/bin/pjeval_load.c), the loader for files and folders: a
# client on libpq, installed into the server's bindir beside psql.  PGXS has
# no PROGRAM beside MODULE_big, so it is built here and installed (and
# cleaned) as a built script.
SCRIPTS_built = pjeval-load

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

pjeval-load: src/bin/pjeval_load.c pjeval.control
	$(CC) -std=c99 -O2 -g -Wall -Wextra -Werror -DPJEVAL_VERSION='"$(EXTVERSION)"' \
		-I$(shell $(PG_CONFIG) --includedir) -o $@ $< -L$(shell $(PG_CONFIG) --libdir) -lpq

# Debian: that bindir (/usr/lib/postgresql/15/bin) is not on PATH; psql and
# the other clients are /usr/bin links to postgresql-common's pg_wrapper,
# which runs the program of its own name from the bindir of the default
# cluster's version (or the newest).  pjeval-load gets the same link; it is
# removed with the last version's pjeval-load.
PG_WRAPPER_LINK = $(DESTDIR)/usr/bin/pjeval-load
install: install-pg-wrapper-link
install-pg-wrapper-link:
	@case '$(bindir)' in /usr/lib/postgresql/*/bin) \
		if [ -x /usr/share/postgresql-common/pg_wrapper ]; then \
			$(MKDIR_P) '$(DESTDIR)/usr/bin' && ln -sfn ../share/postgresql-common/pg_wrapper '$(PG_WRAPPER_LINK)'; \
		fi ;; esac
uninstall: uninstall-pg-wrapper-link
uninstall-pg-wrapper-link:
	@if [ -L '$(PG_WRAPPER_LINK)' ] && \
	    ! ls /usr/lib/postgresql/*/bin/pjeval-load 2>/dev/null | grep -qv '^$(bindir)/'; then \
		rm -f '$(PG_WRAPPER_LINK)'; fi

# PGXS knows no header dependencies: every object is rebuilt when a header
# of the core, the workbook reader or the glue changes.
$(OBJS): $(wildcard src/core/*.h src/wb/*.h src/pg/*.h)

pjeval--$(EXTVERSION).sql: $(sort $(wildcard src/sql/*.sql))
	@{ printf -- '-- pjeval %s: generated from src/sql/*.sql, do not edit\n' '$(EXTVERSION)'; \
	   printf '%s\n' '\echo Use "CREATE EXTENSION pjeval" to load this file. \quit'; \
	   for f in $^; do printf '\n-- %s\n' "$$f"; cat "$$f"; done; } > $@

# The pure core and the workbook reader, built on their own with sanitizers:
# no server involved.
CORE_CFLAGS = -std=c99 -g -O1 -Wall -Wextra -Werror -Isrc/core -Isrc/wb $(WB_CFLAGS) -fno-omit-frame-pointer

UNIT_SRCS = $(sort $(wildcard test/unit/*.c))
test/unit/run_unit_tests: $(UNIT_SRCS) $(CORE_SRCS) $(WB_SRCS) $(wildcard src/core/*.h src/wb/*.h test/unit/*.h)
	$(CC) $(CORE_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -o $@ $(UNIT_SRCS) $(CORE_SRCS) $(WB_SRCS) $(WB_LIBS)

unittest: test/unit/run_unit_tests
	./test/unit/run_unit_tests

# `make fuzz` (CI) replays each target's corpus and then runs a fixed number
# of mutations from a fixed seed: the same inputs on every machine, so a
# finding is a regression of the change under test, never a coin toss.
# `make fuzz-explore` runs each target FUZZ_SECONDS from a random seed, to
# look for new findings (each one fixed gets its input into the corpus).
# Any finding fails either run.
FUZZ_SEED ?= 20261206
FUZZ_SECONDS ?= 300
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS = test/fuzz/fuzz_ivalue test/fuzz/fuzz_form test/fuzz/fuzz_store test/fuzz/fuzz_workbook
test/fuzz/fuzz_%: test/fuzz/fuzz_%.c $(CORE_SRCS) $(wildcard src/core/*.h)
	clang $(CORE_CFLAGS) $(FUZZ_FLAGS) -o $@ $< $(CORE_SRCS)

test/fuzz/fuzz_workbook: test/fuzz/fuzz_workbook.c $(WB_SRCS) $(wildcard src/wb/*.h)
	clang $(CORE_CFLAGS) $(FUZZ_FLAGS) -o $@ $< $(WB_SRCS) $(WB_LIBS)

FUZZ_RUNS_ivalue = 1000000
FUZZ_RUNS_form = 25000
FUZZ_RUNS_store = 2000000
FUZZ_RUNS_workbook = 1500000
# target, options, corpus: the work corpus starts empty unless exploring
define fuzz_run
	$(if $(EXPLORE),,rm -rf test/fuzz/$(3)-work)
	mkdir -p test/fuzz/$(3)-work
	./test/fuzz/fuzz_$(1) $(if $(EXPLORE),-max_total_time=$(FUZZ_SECONDS),-seed=$(FUZZ_SEED) -runs=$(FUZZ_RUNS_$(1))) \
		-artifact_prefix=test/fuzz/ $(2) test/fuzz/$(3)-work test/fuzz/$(3)
endef

fuzz-explore: EXPLORE = 1
fuzz fuzz-explore: $(FUZZ_TARGETS)
	$(call fuzz_run,ivalue,-max_len=512 -dict=test/fuzz/ivalue.dict,corpus)
	$(call fuzz_run,form,-max_len=8192 -dict=test/fuzz/ivalue.dict,form-corpus)
	$(call fuzz_run,store,-max_len=512,store-corpus)
	$(call fuzz_run,workbook,-max_len=16384,workbook-corpus)

bench/parse_bench: bench/parse_bench.c $(CORE_SRCS) src/core/ivalue.h
	$(CC) -std=c99 -O2 -Isrc/core -o $@ bench/parse_bench.c $(CORE_SRCS)

.PHONY: unittest fuzz fuzz-explore install-pg-wrapper-link uninstall-pg-wrapper-link
