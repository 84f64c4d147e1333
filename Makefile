# shoal: `make` builds bin/shoal; `make run` starts it; `make test` runs
# every test (unit, integration, differential; plain and sanitizer builds).

CC ?= gcc
WARN := -Wall -Wextra -Werror
# Lua 5.1 (Debian) for scripting; cjson and bit come from Debian too.
LUA_CFLAGS := -I/usr/include/lua5.1
LUA_LIBS := -llua5.1-cjson -llua5.1-bitop -llua5.1
CFLAGS_BASE := -std=gnu11 -g $(WARN) -Icommon -Ishard -Isupervisor -D_GNU_SOURCE $(LUA_CFLAGS)
CFLAGS := $(CFLAGS_BASE) -O2 -DUSE_JEMALLOC
SAN_FLAGS := $(CFLAGS_BASE) -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined
LIBS := -lev -lm -lsystemd -pthread $(LUA_LIBS) -lhiredis
PYTHON := /usr/bin/python3

COMMON_SRC := $(wildcard common/*.c)
SHARD_SRC := $(wildcard shard/*.c)
SUPERVISOR_SRC := $(wildcard supervisor/*.c)
SRC := shoal.c $(COMMON_SRC) $(SHARD_SRC) $(SUPERVISOR_SRC)
# BUILD and BIN can be overridden to build several trees side by side.
BUILD ?= build
BIN ?= bin
OBJ := $(SRC:%.c=$(BUILD)/release/%.o)
SAN_OBJ := $(SRC:%.c=$(BUILD)/asan/%.o)
HDRS := $(wildcard common/*.h shard/*.h shard/*.def supervisor/*.h)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

BUILD_DEPS := gcc make libc6-dev libev-dev libjemalloc-dev libsystemd-dev liblua5.1-0-dev \
	lua-cjson-dev lua-bitop-dev libhiredis-dev
TEST_DEPS := libcmocka-dev redis-server redis-tools python3 python3-redis systemd \
	python3-pytest python3-pytest-timeout

.PHONY: all sanitize run test unit integration deps test-deps clean bench

all: $(BIN)/shoal

$(BIN)/shoal: $(OBJ)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $(OBJ) $(LIBS) -ljemalloc

$(BIN)/shoal-asan: $(SAN_OBJ)
	@mkdir -p $(BIN)
	$(CC) $(SAN_FLAGS) -o $@ $(SAN_OBJ) $(LIBS)

$(BUILD)/release/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_FLAGS) -c $< -o $@

sanitize: $(BIN)/shoal-asan

# Install whatever Debian packages are missing (nothing if all present).
deps:
	@./tools/apt-ensure $(BUILD_DEPS)

test-deps: deps
	@./tools/apt-ensure $(TEST_DEPS)
	@command -v npm >/dev/null || ./tools/apt-ensure nodejs npm
	@test -d tests/node/node_modules/ioredis || \
		npm install --prefix tests/node --no-audit --no-fund --silent

run: deps
	@$(MAKE) --no-print-directory all
	bin/shoal etc/shoal.conf

# Unit tests link the module under test with the common code and the value
# layer (libc malloc, sanitizers on: they are small and fast).
UNIT_LINK := $(COMMON_SRC) shard/obj.c
$(BUILD)/unit/test_%: tests/unit/test_%.c $(UNIT_LINK) $(HDRS)
	@mkdir -p $(BUILD)/unit
	$(CC) $(SAN_FLAGS) -Itests/unit -o $@ $< $(UNIT_LINK) $(LIBS) -lcmocka

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

integration: $(BIN)/shoal $(BIN)/shoal-asan
	SHOAL_BIN=$(BIN)/shoal $(PYTHON) -m pytest -c tests/pytest.ini tests
	SHOAL_BIN=$(BIN)/shoal-asan $(PYTHON) -m pytest -c tests/pytest.ini tests

test: test-deps
	@$(MAKE) --no-print-directory all sanitize
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration

bench: all
	bench/compare.sh

clean:
	rm -rf build bin
