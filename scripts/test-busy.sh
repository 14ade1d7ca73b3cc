#!/usr/bin/env bash
# Runs `make test` N times in a row (default 10) while a busy loop keeps one
# core busy, as another process on a shared machine would. Prints each run's
# wall time and outcome, then a summary line; exits 1 if any run failed.
# The busy loop is a child of this script, stopped by its PID on exit.
# TEST_BUSY_TARGET names another make target (.ci/run: test-passes, since
# it vets for three systems itself); TEST_BUSY_LOG where the logs go.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
target=${TEST_BUSY_TARGET:-test}
log=${TEST_BUSY_LOG:-$(mktemp -d)/test-busy}
mkdir -p "$(dirname "$log")"

sh -c 'while :; do :; done' &
busy=$!
trap 'kill "$busy" 2>/dev/null' EXIT
echo "test-busy: busy loop PID $busy on one core; $runs runs of make $target; logs $log.N"

failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if make "$target" >"$log.$i" 2>&1; then outcome=pass; else outcome=FAIL; failed=$((failed + 1)); fi
  took=$(($(date +%s) - start))
  printf 'run %d: %s in %dm%02ds\n' "$i" "$outcome" $((took / 60)) $((took % 60))
  if [ "$outcome" = FAIL ]; then
    grep -E -- '^(--- FAIL|FAIL|panic:)|_test.go:[0-9]+:' "$log.$i" | head -40
    echo "--- the last 30 lines of $log.$i:"
    tail -n 30 "$log.$i"
  fi
done
echo "test-busy: $((runs - failed)) of $runs runs passed"
[ "$failed" -eq 0 ]
