# loadplan — make targets. `make test` is the test command (CI runs it via .ci/run).
GO      ?= go
BIN     := bin/loadplan
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.buildVersion=$(VERSION)

.PHONY: all build check test test-passes test-both test-race race-pass test-full-size test-acceptance test-precision test-slow test-busy demo bench bench-go bench-sim bench-open bench-engine bench-export bench-flow bench-startup bench-peers soak fuzz vet fmt tidy clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/loadplan

vet:
	$(GO) vet ./...

# The quick part, for the edit-test loop (under a minute with a warm
# cache): vet and the unit tests without -race; -short skips the tests that
# drive a service for seconds, -skip the timing acceptance tests and the
# precision ones. The three longest packages, whose tests mostly wait on
# loopback runs (CHECK_FIRST: engine, cmd/loadplan, runner), start first,
# then the ones that compute longest (compare, result, promtest), then
# simtarget (it waits too: 0.15 s of CPU in 10 s), and CHECK_P packages
# run at once: at go test's default (-p 2 on 2 cores) the two longest held
# both slots for about 30 s at 15-30% of a core each, and the links and
# tests of the others waited behind them. At -p 6 (load average 10-12)
# three computing packages beside the engine's timing tests made
# TestTimeoutRespected miss its 350 ms slack; at 4, three slots hold
# packages that wait and the fourth the links and computation (with
# simtarget among the first four, all four waited for its first 10 s:
# 61-64 s against 50-63 s at load 10-11). -parallel 4 (go test's default is
# GOMAXPROCS, 2): a test that calls t.Parallel waits on loopback runs and
# was made safe beside another under -race, which costs its CPU several
# times over. The go test run skips go test's own vet subset (-vet=off: go
# vet ./... has just run) and links without the symbol table and DWARF
# (TEST_LDFLAGS). docs/testing.md, "make check under a minute".
CHECK_P ?= 4
CHECK_PARALLEL ?= 4
CHECK_FIRST := ./internal/engine/ ./cmd/loadplan/ ./internal/runner/ ./internal/compare/ ./internal/result/ ./internal/promtest/ ./internal/simtarget/
CHECK_PKGS = $(CHECK_FIRST) $(filter-out $(CHECK_FIRST),$(shell $(GO) list ./... | sed 's|^$(shell $(GO) list -m)|.|; s|$$|/|'))
check: vet
	$(GO) test -short -count=1 -p $(CHECK_P) -parallel $(CHECK_PARALLEL) -vet=off -ldflags='$(TEST_LDFLAGS)' -skip '^TestAcceptance|^TestPrecision[A-Z]|^TestSlow[A-Z]' $(CHECK_PKGS)

# The whole suite (docs/testing.md): vet, then the race pass, then the
# acceptance pass. .ci/run vets for three systems itself and runs
# test-passes. One after the other, not side by side (test-both): with one
# core kept busy by another process, the niced race pass's own timing
# tests starved beside the acceptance pass (docs/testing.md, "Two passes
# side by side").
test:
	@$(MAKE) --no-print-directory test-passes BESIDE_VET=1

# make test-race, with (BESIDE_VET=1, as make test sets it) go vet, then
# the acceptance pass's test binaries linked, then test-full-size run
# beside the race detector's pass, at the lowest priority (that pass
# leaves a core mostly idle: its two longest packages wait on loopback
# runs; what runs beside it is analysis, computation and links, with no
# timing to miss: its output is printed after); then the acceptance pass
# on those binaries. On a fresh clone vet took 19 s before the race pass,
# the links 15-24 s of the acceptance pass, and test-full-size about 15 s
# after the race pass. No acceptance test runs beside the race pass. The
# go test runs here skip go test's own vet subset (-vet=off): go vet ./...
# runs whole in make test, and before it in .ci/run.
test-passes:
	@mkdir -p bin; \
	( { [ -z "$(BESIDE_VET)" ] || nice -n 19 $(MAKE) --no-print-directory vet; } && \
	  GO='$(GO)' TEST_LDFLAGS='$(TEST_LDFLAGS)' ACCEPTANCE_STEP=link nice -n 19 bash scripts/acceptance.sh && \
	  nice -n 19 $(MAKE) --no-print-directory test-full-size TEST_VETFLAG=-vet=off ) >bin/beside-race.log 2>&1 & side=$$!; \
	$(MAKE) --no-print-directory race-pass TEST_VETFLAG=-vet=off; race=$$?; \
	wait $$side; side=$$?; cat bin/beside-race.log; \
	[ $$race -eq 0 ] || exit $$race; \
	[ $$side -eq 0 ] || { echo "test-passes: vet, the acceptance links or test-full-size failed (above)" >&2; exit 1; }; \
	$(MAKE) --no-print-directory test-acceptance ACCEPTANCE_STEP=run

# The race pass and the acceptance pass at once, about 3 minutes sooner on
# a quiet machine and NOT safe on a busy one. The race pass is mostly CPU
# (the detector slows computation about tenfold) and runs at the lowest
# priority (nice 19), three packages at a time: it takes the CPU that the
# acceptance tests, which mostly wait on sleeping services, leave idle, so
# their figures are not starved by it; but its own tests that run a
# profile for a second or two are starved instead when a third process
# takes a core.
test-both:
	@$(MAKE) --no-print-directory -j2 test-race test-acceptance RACE_NICE='nice -n 19' RACE_P=3

RACE_NICE ?=
RACE_P ?= 2
# The collector runs less often in the race pass: a test that builds many
# histograms took 13% less CPU at 400 than at 100, for about twice the
# peak memory (docs/testing.md, "The race pass").
RACE_GOGC ?= 400
# The packages whose tests run without the race detector (in
# test-full-size): single-goroutine computation, where the detector, which
# reports two goroutines touching the same memory, has nothing to find and
# slows the tests several-fold (under -race / without, each alone:
# internal/compare 40 / 5.5 s, internal/result 22 / 8 s with its
# full-size tests, internal/report 19 / 2.3 s, internal/gate 7-11 / 1.6 s,
# internal/verdict 8-12 / 2.9 s). internal/race's
# TestRaceFreePackages checks that no goroutine runs in them: no go
# statement and no t.Parallel in the package, no go statement in the
# loadplan packages it imports.
NORACE_PKGS := ./internal/compare/ ./internal/report/ ./internal/result/ ./internal/gate/ ./internal/verdict/
# The longest packages of the race pass, started first (go test starts
# packages in the order given, RACE_P at a time): ./... would start
# internal/engine (about 60 s) after a dozen others, and its run would be
# the pass's tail.
RACE_FIRST := ./cmd/loadplan/ ./internal/engine/
RACE_PKGS = $(RACE_FIRST) $(filter-out $(RACE_FIRST) $(NORACE_PKGS),$(shell $(GO) list ./... | sed 's|^$(shell $(GO) list -m)|.|; s|$$|/|'))
# The test binaries are linked without their symbol table and DWARF
# (-s -w): the race pass links about 30 of them, and such a link takes
# about 40% less time (cmd/loadplan's under -race 3.3 s instead of 5.9 s;
# internal/engine's 2.3 s instead of 3.4 s). Stack traces and the race
# detector's reports keep their file:line (they read the runtime's own
# tables, not DWARF). TEST_LDFLAGS= (empty) links them whole, for a
# debugger.
TEST_LDFLAGS ?= -s -w
# -vet=off where go vet ./... runs anyway (test-passes).
TEST_VETFLAG ?=
# Unit and integration tests under the race detector, without the
# acceptance tests (and the Precision and Slow ones); then test-full-size.
test-race: race-pass
	@$(MAKE) --no-print-directory test-full-size

# The race detector's part of test-race.
race-pass:
	GOGC=$(RACE_GOGC) $(RACE_NICE) $(GO) test -race -count=1 -p $(RACE_P) -ldflags='$(TEST_LDFLAGS)' $(TEST_VETFLAG) -skip '^TestAcceptance|^TestPrecision[A-Z]|^TestSlow[A-Z]' $(RACE_PKGS)

# The tests that run a smaller case count under -race (race.Size,
# race.LeaveOut: single-goroutine computation, which the detector slows
# about tenfold and finds nothing in), run whole without it: a few seconds.
# internal/race's TestFullSizeTestsListed checks that every such test is
# named here. docs/testing.md, "The race pass". Then the tests of
# NORACE_PKGS, which the race pass leaves out.
FULL_SIZE_TESTS := TestPrecision|TestWindowMemory
FULL_SIZE_PKGS := ./internal/metrics/
test-full-size:
	$(GO) test -count=1 -p $(RACE_P) -ldflags='$(TEST_LDFLAGS)' $(TEST_VETFLAG) -run '^($(FULL_SIZE_TESTS))$$' $(FULL_SIZE_PKGS)
	$(GO) test -count=1 -p $(RACE_P) -ldflags='$(TEST_LDFLAGS)' $(TEST_VETFLAG) -skip '^TestAcceptance|^TestPrecision[A-Z]|^TestSlow[A-Z]' $(NORACE_PKGS)

# The acceptance tests (TestAcceptance..., picked by name) without the race
# detector, which slows the generator several-fold (scripts/acceptance.sh):
# the test binaries are linked first, then the packages (three) run at once,
# and up to 4 tests of a package at a time (t.Parallel): most of them wait
# on sleeping services. The ones whose figures need the CPU on time (a
# 16 ms change told from jitter, coordinated omission, segments that start
# together) first take a lock file (race.Exclusive): no two of them run at
# once, in any package. The waiting tests never run beside a locked one
# (race.Waiting takes the lock shared); ACCEPTANCE_ALONE= (empty) lets
# them, sooner and less safe on a busy machine. The precision checks are
# not here: make test-precision. ACCEPTANCE_P=1 ACCEPTANCE_PARALLEL=1
# runs them all one at a time, as before issue 17's second round.
ACCEPTANCE_P ?= 6
ACCEPTANCE_PARALLEL ?= 4
ACCEPTANCE_ALONE ?= 1
# link, run, or empty for both (scripts/acceptance.sh).
ACCEPTANCE_STEP ?=
test-acceptance:
	GO='$(GO)' TEST_LDFLAGS='$(TEST_LDFLAGS)' ACCEPTANCE_P=$(ACCEPTANCE_P) ACCEPTANCE_PARALLEL=$(ACCEPTANCE_PARALLEL) ACCEPTANCE_ALONE=$(ACCEPTANCE_ALONE) ACCEPTANCE_STEP=$(ACCEPTANCE_STEP) bash scripts/acceptance.sh

# Precision checks (TestPrecision...: a figure of a whole run within x% of
# a truth we set — known ceilings, stress capacity, the simulated service's
# throughput, the utilisation law, the USL fit, the open model's rate, the
# false-alarm rate of compare) and tests too slow for `make test`
# (TestSlow...: a Prometheus backfilled with 18 months of daily samples).
# make test checks the behaviour; this checks the figures and fails on a
# miss; -v prints each figure as measured / target. One package at a time,
# the waiting tests never beside a locked one (race.Waiting).
# .ci/run runs it after `make test`. About 5 minutes (docs/testing.md).
# Only the packages that have such tests (found by name, as
# scripts/acceptance.sh does), so that 25 test binaries are not linked.
PRECISION_PKGS = $(shell grep -rlE --include='*_test.go' --exclude-dir=bin --exclude-dir=.git '^func Test(Precision|Slow)[A-Z]' . | xargs -n1 dirname | sort -u)
test-precision:
	LOADPLAN_TEST_ALONE=1 $(GO) test -count=1 -p 1 -timeout 20m -v -run '^TestPrecision[A-Z]|^TestSlow[A-Z]' $(PRECISION_PKGS)

# The old name of test-precision.
test-slow: test-precision

# `make test` RUNS times in a row while a busy loop keeps one core busy
# (docs/testing.md records the results).
RUNS ?= 10
test-busy:
	bash scripts/test-busy.sh $(RUNS)

# The main job on the built-in simulated service: all four profiles of
# scenarios/demo.yaml, scaled down to finish in under 3 minutes.
demo: build
	$(BIN) run scenarios/demo.yaml

# Benchmarks: hot-path Go benchmarks and the pacer's lateness
# (BenchmarkPacerLateness prints each figure beside its target); the
# simulated service's throughput against its configuration; the open model at 16,667 req/s for 1
# and 10 minutes (the 10-minute run is 10 million requests: peak memory and
# its growth with duration), then 10,000 closed-model users (peak memory);
# then issue #18's engine figures; then the time from start to the first
# request; then what the live export costs. About 21 minutes.
bench: bench-go bench-sim bench-open bench-engine bench-startup bench-export bench-flow

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./internal/metrics/ ./internal/engine/ ./internal/export/

# The simulated service's throughput in each configuration the tests use,
# beside the configured figure (target ±5% saturated, ±7% USL): measured /
# target / met.
bench-sim:
	$(GO) test -run '^$$' -bench 'SimThroughput' -benchtime 1x ./internal/simtarget/

bench-open: build
	$(GO) run ./scripts/benchopen -loadplan $(BIN) -rate 16667 -durations 1m,10m -users 10000

# What --metrics-listen and --prometheus-remote-write cost the generator
# per request at 10,000 req/s (target: at most +5%): measured / target / met.
bench-export: build
	$(GO) run ./scripts/benchexport -loadplan $(BIN) -rate 10000 -duration 10s -rounds 3

# Issue #18's engine figures, each as measured / target / met (about 5
# minutes): open ÷ closed CPU per request at 5,000 and 10,000 req/s (the
# closed loop at the same rate: rate × 10 ms users thinking 10 ms), the
# open model at 20,000 req/s (fraction of the schedule, dropped, lateness
# p99), 10,000 closed-model users' peak RSS, 3 interleaved rounds with the
# server on CPU 0 and the generator on CPU 1; then the senders a minute
# after a pile-up (fake clock).
bench-engine: build
	$(GO) run ./scripts/benchengine -loadplan $(BIN) -rounds 3
	$(GO) test -count=1 -run '^TestSendersRetireWithinAMinute$$' -v ./internal/engine/ | grep 'senders a minute'

# Issue #15: a 3-step flow (JSON extraction, CSV row) at 2,000 iterations/s
# (6,000 req/s), API on CPU 0 and loadplan on CPU 1: share of the schedule,
# drops and errors as measured / target / met.
bench-flow: build
	$(GO) run ./scripts/benchflow -loadplan $(BIN) -rate 2000 -duration 10s

bench-startup: build
	$(GO) run ./scripts/startup -loadplan $(BIN) -runs 20

# loadplan against wrk and hey (closed loop; installs them, and nginx, from
# Debian's packages), then the open model against vegeta, fortio and
# bombardier (built at pinned versions from the Go module proxy into
# ~/.cache/loadplan-peers, not go.mod). SECTIONS="closed open peers",
# ROUNDS, PEER_ROUNDS (3), PEER_RATES, PEER_DURATION: scripts/bench-peers.sh.
bench-peers: build
	bash scripts/bench-peers.sh

# The open model for 10 minutes at a steady rate; heap and goroutines every
# minute must stay flat (last minute within 10% of the second).
soak:
	$(GO) run ./scripts/soak -rate 2000 -duration 10m

FUZZTIME ?= 30s
# Every parser's fuzz target, each for FUZZTIME: none may panic.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/scenario/
	$(GO) test -run '^$$' -fuzz '^FuzzInputChecks$$' -fuzztime $(FUZZTIME) ./internal/scenario/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/result/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/gate/
	$(GO) test -run '^$$' -fuzz '^FuzzReadPoints$$' -fuzztime $(FUZZTIME) ./internal/capacity/
	$(GO) test -run '^$$' -fuzz '^FuzzReadHistory$$' -fuzztime $(FUZZTIME) ./internal/plan/
	$(GO) test -run '^$$' -fuzz '^FuzzParsePeriod$$' -fuzztime $(FUZZTIME) ./internal/plan/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./internal/metrics/

# The example run's page (reports/example/report.html), rendered from the
# committed result.json; it is not committed since it repeats the
# stylesheet and scripts of internal/report (docs/img/report.png shows it).
.PHONY: example-report
example-report: build
	$(BIN) report reports/example/result.json --format html

fmt:
	gofmt -l -w .

tidy:
	$(GO) mod tidy

clean:
	rm -rf bin
