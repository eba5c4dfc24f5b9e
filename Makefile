# The two commands that do everything on a fresh Debian 12 machine: `make run` and `make test`.
JOBS ?= $(shell nproc)
PYTHON := /usr/bin/python3
# Integration tests drive the sanitizer build, so that memory bugs under real traffic fail the suite.
CULEX_TEST_BIN ?= $(CURDIR)/build-asan/culex
# ccache keys on paths relative to the checkout and ignores the working directory, so that a clone in another
# folder (CI's) reuses what a session compiled here.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps build build-asan build-tsan deb run test unit-test integration-test tsan-test format format-check bench clean fuzz fuzz-smoke

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCULEX_TESTS=ON >/dev/null
	@cmake --build build -j $(JOBS)

build-asan: deps
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCULEX_SANITIZE=ON \
		-DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" >/dev/null
	@cmake --build build-asan -j $(JOBS)

# ThreadSanitizer: only the broker binary, for the integration tests that run it with two event loops.
build-tsan: deps
	@cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-fsanitize=thread -O1 -g" \
		-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCULEX_TESTS=ON >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target culex

# The Debian package (docs/operations.md): the Release culex of `make build` (same build/ directory, so a
# built tree packages at once), CPack's DEB generator, then lintian, which must report no error. Not part of
# `build`.
deb: deps
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCULEX_TESTS=ON >/dev/null
	@cmake --build build -j $(JOBS) --target culex
	@cd build && rm -f culex_*.deb && cpack -G DEB >/dev/null
	@lintian --fail-on error build/culex_*.deb
	@ls build/culex_*.deb

run: build
	./build/culex broker -v

format:
	@git ls-files '*.cpp' '*.hpp' | xargs -r clang-format -i

format-check:
	@git ls-files '*.cpp' '*.hpp' | xargs -r clang-format --dry-run -Werror

unit-test: build build-asan
	cd build && ctest --output-on-failure -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

integration-test: build build-asan
	CULEX_BIN=$(CULEX_TEST_BIN) $(PYTHON) -m pytest -q tests/integration tests/differential

# The multi-threaded broker under ThreadSanitizer: the integration tests of the core, its QoS flows, sessions
# moving between loops, persistence's writer thread, TLS and WebSockets, bridges, and the counters that $SYS
# and the HTTP thread's /metrics and admin API read from every loop, the log published to $SYS, and the
# cluster's NATS threads handing messages to the loops, each broker with two event loops.
# (Not the RSS-measuring storm test: TSan's shadow memory is not the broker's.)
TSAN_TESTS := test_broker_core test_broker_shared test_broker_mqtt5 test_broker_auth test_websockets \
	test_broker_tls test_mqttjs test_persistence test_robustness test_bridge test_sys test_metrics test_api \
	test_log_topic test_cluster test_cluster_sessions
tsan-test: build-tsan
	CULEX_BIN=$(CURDIR)/build-tsan/culex CULEX_TEST_THREADS=2 $(PYTHON) -m pytest -q \
		$(patsubst %,tests/integration/%.py,$(TSAN_TESTS))

# `fuzz` last: every target for FUZZ_SECONDS (60) each, after replaying fuzz/regressions/.
test: format-check unit-test integration-test tsan-test fuzz

bench: deps
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCULEX_BENCH=ON >/dev/null
	@cmake --build build -j $(JOBS)

# libFuzzer targets (clang 14, fuzz/CMakeLists.txt): FUZZ_SECONDS per target, two at a time; docs/fuzzing.md.
FUZZ_SECONDS ?= 60
fuzz: deps
	@fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: deps
	@fuzz/run.sh 5

clean:
	rm -rf build build-asan build-fuzz
