# loadplan — make targets. `make test` is the test command (CI runs it via .ci/run).
GO      ?= go
BIN     := bin/loadplan
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.buildVersion=$(VERSION)

.PHONY: all build test demo bench bench-go bench-open bench-startup bench-peers soak fuzz vet fmt tidy clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/loadplan

vet:
	$(GO) vet ./...

# Unit and integration tests under the race detector, then the timing
# acceptance tests (they skip themselves under -race, which slows the
# generator several-fold) in a second pass without it, one package at a
# time (-p 1) so that no two load tests share the machine's cores.
test: vet
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 -p 1 -run 'Acceptance' ./...

# The main job on the built-in simulated service: all four profiles of
# scenarios/demo.yaml, scaled down to finish in under 3 minutes.
demo: build
	$(BIN) run scenarios/demo.yaml

# Benchmarks: hot-path Go benchmarks; the open model at 16,667 req/s for 1
# and 10 minutes (the 10-minute run is 10 million requests: peak memory and
# its growth with duration), then 10,000 closed-model users (peak memory);
# then the time from start to the first request. About 14 minutes.
bench: bench-go bench-open bench-startup

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./internal/metrics/ ./internal/engine/

bench-open: build
	$(GO) run ./scripts/benchopen -loadplan $(BIN) -rate 16667 -durations 1m,10m -users 10000

bench-startup: build
	$(GO) run ./scripts/startup -loadplan $(BIN) -runs 20

# loadplan against wrk and hey (installs them, and nginx, from Debian's packages).
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

fmt:
	gofmt -l -w .

tidy:
	$(GO) mod tidy

clean:
	rm -rf bin
