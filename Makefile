# kam — build, run and test.  `make run` and `make check` are all a new user needs.
PKGS     := libmicrohttpd jansson libsodium sqlite3 libpq zlib xlsxwriter icu-i18n icu-uc libcurl
CC       ?= gcc
# BUILD=dir keeps a separate build tree (parallel builds by several people on one machine)
BUILD    ?= build
WARN     := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
            -Wpointer-arith -Wcast-qual -fno-common
CFLAGS_BASE = -std=c17 -D_GNU_SOURCE -Isrc -I$(BUILD)/gen $(WARN) $(shell pkg-config --cflags $(PKGS))
LIBS     = $(shell pkg-config --libs $(PKGS)) -lcsv -lhpdf -lpthread -lm  # libcsv and libhpdf have no .pc file
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)

SRC      := $(wildcard src/util/*.c src/model/*.c src/kam/*.c src/store/*.c src/app/*.c src/api/*.c src/http/*.c src/cli/*.c)
SCHEMA   := $(sort $(wildcard src/store/schema/sqlite/*.sql))
SCHEMA_PG := $(sort $(wildcard src/store/schema/pg/*.sql))
GEN      := $(BUILD)/gen/schema_sqlite.c $(BUILD)/gen/schema_pg.c $(BUILD)/gen/static_files.c
# the web app: our files, then the pinned libraries from node_modules
# (index.html through scripts/preload, which names every module the app imports)
STATIC   := $(sort $(wildcard web/*.js web/*.css web/*.svg)) $(BUILD)/web/index.html \
            $(BUILD)/web/vendor-preact-htm.js $(BUILD)/web/vendor-echarts.js

# release build (make run, bench) and sanitizer build (make check)
REL_OBJ  := $(patsubst %.c,$(BUILD)/rel/%.o,$(SRC))
SAN_OBJ  := $(patsubst %.c,$(BUILD)/san/%.o,$(SRC))
REL_CFLAGS := $(CFLAGS_BASE) -O2 -g -DKAM_VERSION='"$(VERSION)"'
SAN_CFLAGS := $(CFLAGS_BASE) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined -DKAM_VERSION='"$(VERSION)"'

UNIT_SRC := $(wildcard tests/unit/*/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/san/unit/%,$(UNIT_SRC))

KAM_DB     ?= kam.db
KAM_LISTEN ?= 127.0.0.1:8080

.PHONY: openapi all deps run check unit api api-pg sys lint fmt bench clean fuzz fuzz-replay fault fault-quick
all: kam

deps:
	@scripts/deps

# the version the binary prints follows the tree: main.o is rebuilt when it changes (a stamp
# rewritten only when git describe says something new)
VERSION_STAMP := $(BUILD)/version.stamp
$(shell mkdir -p $(BUILD) && [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = "$(VERSION)" ] || echo "$(VERSION)" > $(VERSION_STAMP))
$(BUILD)/rel/src/main.o $(BUILD)/san/src/main.o: $(VERSION_STAMP)

kam: $(REL_OBJ) $(BUILD)/rel/src/main.o $(BUILD)/rel/gen/schema_sqlite.o $(BUILD)/rel/gen/schema_pg.o $(BUILD)/rel/gen/static_files.o
	@echo "LD  $@"
	@$(CC) -o $@ $^ $(LIBS)

$(BUILD)/san/kam: $(SAN_OBJ) $(BUILD)/san/src/main.o $(BUILD)/san/gen/schema_sqlite.o $(BUILD)/san/gen/schema_pg.o $(BUILD)/san/gen/static_files.o
	@echo "LD  $@"
	@$(CC) -fsanitize=address,undefined -o $@ $^ $(LIBS)

$(BUILD)/gen/schema_sqlite.c: $(SCHEMA) scripts/embed
	@mkdir -p $(@D)
	scripts/embed schema_sqlite $(SCHEMA) > $@
$(BUILD)/gen/schema_pg.c: $(SCHEMA_PG) scripts/embed
	@mkdir -p $(@D)
	scripts/embed schema_pg $(SCHEMA_PG) > $@
$(BUILD)/web/index.html: web/index.html $(wildcard web/*.js) scripts/preload
	@mkdir -p $(@D)
	scripts/preload web > $@.tmp && mv $@.tmp $@
$(BUILD)/web/vendor-preact-htm.js: node_modules/htm/preact/standalone.module.js
	@mkdir -p $(@D)
	cp $< $@
$(BUILD)/web/vendor-echarts.js: node_modules/echarts/dist/echarts.esm.min.mjs
	@mkdir -p $(@D)
	cp $< $@
node_modules/htm/preact/standalone.module.js node_modules/echarts/dist/echarts.esm.min.mjs: package-lock.json
	test -L node_modules || npm ci --no-audit --no-fund --loglevel=error
	@touch node_modules/htm/preact/standalone.module.js node_modules/echarts/dist/echarts.esm.min.mjs

$(BUILD)/gen/static_files.c: $(STATIC) scripts/embed
	@mkdir -p $(@D)
	scripts/embed static_files $(STATIC) > $@

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(@D)
	@echo "CC  $<"
	@$(CC) $(REL_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	@echo "CC  $< (sanitizers)"
	@$(CC) $(SAN_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/rel/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	@$(CC) $(REL_CFLAGS) -c -o $@ $<
$(BUILD)/san/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	@$(CC) $(SAN_CFLAGS) -c -o $@ $<

# unit tests mirror the tree; a kam or util test links only the layers below it, so the
# linker refuses a pure module that reaches into the store or the server
PURE_SAN_OBJ := $(filter $(BUILD)/san/src/util/% $(BUILD)/san/src/model/% $(BUILD)/san/src/kam/%,$(SAN_OBJ))
UTIL_SAN_OBJ := $(filter $(BUILD)/san/src/util/%,$(SAN_OBJ))
UNIT_LINK = @mkdir -p $(@D); echo "LD  $@"; $(CC) $(SAN_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $^ $(LIBS) $(shell pkg-config --libs cmocka)
$(BUILD)/san/unit/kam/%: tests/unit/kam/%.c $(PURE_SAN_OBJ)
	$(UNIT_LINK)
$(BUILD)/san/unit/util/%: tests/unit/util/%.c $(UTIL_SAN_OBJ)
	$(UNIT_LINK)
$(BUILD)/san/unit/%: tests/unit/%.c $(SAN_OBJ) $(BUILD)/san/gen/schema_sqlite.o $(BUILD)/san/gen/schema_pg.o $(BUILD)/san/gen/static_files.o
	$(UNIT_LINK)

# `make run`: install what is missing, build, create and fill the demo database, serve.
# (pkg-config runs in a sub-make, after the packages are there)
run:
	@scripts/deps
	@$(MAKE) --no-print-directory kam
	@if [ ! -f "$(KAM_DB)" ]; then ./kam demo --db "$(KAM_DB)"; fi
	@echo "kam: open http://$(KAM_LISTEN)/ -- demo logins admin@example.com, director@example.com, anna@example.com (kam), mia@example.com (member), viewer@example.com; password demo-password-1"
	./kam serve --db "$(KAM_DB)" --listen "$(KAM_LISTEN)"

check:
	@scripts/deps --test
	@$(MAKE) --no-print-directory lint unit fuzz-replay fault-quick api api-pg
	@echo "make check: all suites passed"

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# the API suite on SQLite, then the same suite and the multi-node tests on PostgreSQL
api: $(BUILD)/san/kam
	KAM_BIN=$(CURDIR)/$(BUILD)/san/kam node --test --test-reporter=spec tests/api/*.test.mjs tests/sys/*.test.mjs tests/web/*.test.mjs
api-pg: $(BUILD)/san/kam
	KAM_BIN=$(CURDIR)/$(BUILD)/san/kam scripts/test-pg tests/api/*.test.mjs tests/pg/*.test.mjs tests/sys/crashloop.test.mjs

# crash loops and connection drops alone, on both backends (docs/testing.md); longer by hand:
# make sys CRASH_ROUNDS=200 DROP_SECONDS=60
sys: $(BUILD)/san/kam
	KAM_BIN=$(CURDIR)/$(BUILD)/san/kam node --test --test-reporter=spec tests/sys/*.test.mjs
	KAM_BIN=$(CURDIR)/$(BUILD)/san/kam scripts/test-pg tests/sys/crashloop.test.mjs tests/pg/drops.test.mjs



# Fuzzing (tests/fuzz, docs/testing.md): clang's libFuzzer with ASan and UBSan over the
# same sources. `make fuzz FUZZ_SECONDS=N` explores for N seconds a harness, growing
# build/fuzz/corpus; `make fuzz-replay` (in make check) runs every committed seed once.
FUZZ_CC     := clang
FUZZ_CFLAGS  = -std=c17 -D_GNU_SOURCE -Isrc -I$(BUILD)/gen -g -O1 -fno-omit-frame-pointer \
               -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
               $(shell pkg-config --cflags $(PKGS)) -DKAM_VERSION='"fuzz"'
FUZZ_OBJ    := $(patsubst %.c,$(BUILD)/fuzz/%.o,$(SRC)) $(BUILD)/fuzz/gen/schema_sqlite.o \
               $(BUILD)/fuzz/gen/schema_pg.o
FUZZ_BIN    := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(filter-out tests/fuzz/fuzz_db.c,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SECONDS ?= 60
# fuzz_writers reads the XLSX it checks with expat (a test-only library: libexpat1-dev)
$(BUILD)/fuzz/fuzz_writers: FUZZ_LIBS := -lexpat
.SECONDARY: $(FUZZ_OBJ)

$(BUILD)/fuzz/src/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "CC (fuzz) $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/fuzz/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_db.c $(FUZZ_OBJ)
	@echo "LD  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS) $(FUZZ_LIBS)

fuzz: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus/$$n; \
		echo "== $$n for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ \
			$(BUILD)/fuzz/corpus/$$n tests/fuzz/corpus/$$n; done

fuzz-replay: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do n=$$(basename $$f); echo "== $$n: $$(ls tests/fuzz/corpus/$$n | wc -l) seeds"; \
		$$f -runs=0 tests/fuzz/corpus/$$n > $(BUILD)/fuzz/$$n.log 2>&1 || { cat $(BUILD)/fuzz/$$n.log; exit 1; }; \
		tail -1 $(BUILD)/fuzz/$$n.log; done

# Fault injection (tests/fault, docs/testing.md): the sanitizer objects linked with allocators
# and a SQLite VFS that fail at the Nth call (-Wl,--wrap in this link only). `make fault` fails
# every allocation and write of each request in turn; make check runs `fault-quick`: the
# first 64 allocations of each request, then every 50th and the points of regress[] in the
# driver (defects the full loop found), every write, and not the requests with a known
# open defect.
FAULT_WRAP := malloc calloc realloc strdup strndup fopen tmpfile mkstemp csv_init HPDF_New time_now \
              json_loadb json_loads
FAULT_STRIDE ?= 50
$(BUILD)/fault/fault_api: tests/fault/fault_api.c tests/fault/fault.c tests/fault/fault.h $(SAN_OBJ) \
		$(BUILD)/san/gen/schema_sqlite.o $(BUILD)/san/gen/schema_pg.o $(BUILD)/san/gen/static_files.o
	@mkdir -p $(@D)
	@echo "LD  $@"
	@$(CC) $(SAN_CFLAGS) -o $@ $(filter %.c %.o,$^) $(foreach f,$(FAULT_WRAP),-Wl,--wrap=$(f)) $(LIBS)

fault: $(BUILD)/fault/fault_api
	UBSAN_OPTIONS=print_stacktrace=1 $< 2> $(BUILD)/fault/stderr.log || { tail -n 80 $(BUILD)/fault/stderr.log; exit 1; }
fault-quick: $(BUILD)/fault/fault_api
	UBSAN_OPTIONS=print_stacktrace=1 $< --stride $(FAULT_STRIDE) --skip-known 2> $(BUILD)/fault/stderr.log || { tail -n 80 $(BUILD)/fault/stderr.log; exit 1; }

# Functions curl bans for good reasons; a grep keeps them out.
lint:
	@! grep -nE '\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|sscanf|gets)\s*\(' $(SRC) src/main.c \
		|| (echo "lint: banned function above" >&2; exit 1)
	@! grep -nE '\b(strtok|strerror|localtime|gmtime|ctime|asctime|rand|setlocale)\s*\(' \
		$(SRC) src/main.c $(wildcard src/*/*.h) $(shell find tests -name '*.[ch]') \
		|| (echo "lint: not thread-safe (state shared by every thread): use the _r form" \
			"(strtok_r, err_strerror, localtime_r, gmtime_r, ...)" >&2; exit 1)
	@scripts/layers || (echo "lint: an include above crosses the layers (docs/architecture.md)" >&2; exit 1)
	@node_modules/.bin/eslint web tests bench eslint.config.js

# docs/openapi.json is generated from the route table and the model; a test checks it is current
openapi: kam
	./kam openapi > docs/openapi.json

fmt:
	clang-format -i $(SRC) src/main.c $(wildcard src/*/*.h) $(UNIT_SRC)

bench:
	@scripts/deps --bench
	@$(MAKE) --no-print-directory kam
	bench/get-account.sh
	bench/kpi.sh
	bench/web.sh
	bench/import.sh
	bench/import-pg.sh
	bench/health.sh
	bench/dashboard.sh
	bench/workload.sh
	bench/mixed-pg.sh
	KAM_BIN=./kam node bench/groups.mjs
	KAM_BIN=./kam node bench/delivery.mjs
	node bench/webhooks.mjs 1000 ./kam

clean:
	rm -rf build kam

-include $(REL_OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
