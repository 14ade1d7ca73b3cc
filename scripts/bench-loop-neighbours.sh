#!/bin/bash
# bench-loop-neighbours.sh: what the open model's engine does to the rest of
# the process when the generator has one core (ADR 0019, docs/performance.md
# "The event loop as the default"). For the event loop (the default) and the
# sender pool: 5,000 req/s for 20 s against the minimal loopback server
# (CPU 0), loadplan on CPU 1 (taskset: GOMAXPROCS 1) with --metrics-listen;
# a /metrics scrape every 100 ms for 10 s (curl, 2 s timeout), then SIGINT:
# prints each scrape's median / p99 / max time and the interrupt-to-exit
# time. Loopback only; every run is bounded (20 s, and the SIGINT at ~11 s).
#
#   scripts/bench-loop-neighbours.sh [bin/loadplan]
set -eu
lp=${1:-bin/loadplan}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/benchopen" ./scripts/benchopen
for eng in auto pool; do
	out=$work/$eng
	mkdir -p "$out"
	taskset -c 0 "$work/benchopen" -serve 127.0.0.1:18080 &
	srv=$!
	sleep 0.5
	LOADPLAN_ENGINE=$eng taskset -c 1 "$lp" run --url http://127.0.0.1:18080/ --rate 5000 --duration 20s \
		--metrics-listen 127.0.0.1:19464 --out "$out/run" --quiet 2>"$out/stderr" &
	pid=$!
	sleep 1
	end=$((SECONDS + 10))
	while [ $SECONDS -lt $end ]; do
		curl -s -o /dev/null -m 2 -w '%{http_code} %{time_total}\n' http://127.0.0.1:19464/metrics >>"$out/scrapes" || true
		sleep 0.1
	done
	t0=$(date +%s.%N)
	kill -INT $pid
	rc=0
	wait $pid || rc=$?
	t1=$(date +%s.%N)
	kill $srv
	wait $srv 2>/dev/null || true
	engine=$(grep -o '"engine": "[a-z]*"' "$out/run/result.json" | head -1)
	sort -k2 -n "$out/scrapes" | awk -v eng="$eng ($engine)" -v rc=$rc -v took="$(echo "$t1 - $t0" | bc)" '
		{ n++; t[n] = $2; if ($1 != 200) bad++ }
		END { i = int(n * 0.99) + 1; if (i > n) i = n
			printf "%s: %d scrapes, %d not 200; median %.1f ms, p99 %.1f ms, max %.1f ms; SIGINT to exit %.2f s (exit %d)\n",
				eng, n, bad, 1000 * t[int(n / 2) + 1], 1000 * t[i], 1000 * t[n], took, rc }'
done
