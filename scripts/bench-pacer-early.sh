#!/bin/bash
# bench-pacer-early.sh: the pacer's early allowance against the pacing
# before it (ADR 0020, docs/performance.md "Issue #18: the pacer's early
# allowance"), in interleaved pairs on one binary (odd pairs old first,
# even pairs new first): old = --pacer-quantum 500us --pacer-early 0 (the
# defaults), new = --pacer-quantum 1ms --pacer-early 500us. Each
# run is benchengine's open model at RATE for 10 s against its minimal
# loopback server (CPU 0), loadplan on CPU 1 under `perf stat` (task-clock,
# context switches). Prints per run: CPU s per 100k (the result's cpu_s over
# its starts), context switches per start, start ratio, lateness p99, early
# starts and the earliest, the pacer's wake-up delays (count / total ms /
# longest ms), the generator CPU's steal time over the run (/proc/stat,
# ms) and the connections open before the clock (generator.pre_dialled,
# --pre-dial). Loopback only; every run is bounded (10 s).
#
#   PAIRS=3 RATES="5000 10000" scripts/bench-pacer-early.sh [bin/loadplan]
#
# OLD and NEW replace the two variants' arguments (any `loadplan run`
# flags), e.g. issue #18's lateness pairs (docs/performance.md):
#
#   OLD="--pacer-slack 50us" NEW="" PAIRS=6 RATES=20000 scripts/bench-pacer-early.sh
#   OLD="--pre-dial 0" NEW="--pre-dial 256" PAIRS=5 RATES=20000 scripts/bench-pacer-early.sh
set -eu
lp=$(realpath "${1:-bin/loadplan}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/benchengine" ./scripts/benchengine
# The wrapper benchengine runs as loadplan: perf stat around it; it keeps
# the run's result.json beside perf's counts.
cat >"$work/wrap.sh" <<WRAP
#!/bin/sh
out=""; prev=""
for a in "\$@"; do [ "\$prev" = "--out" ] && out="\$a"; prev="\$a"; done
perf stat -x, -e task-clock,context-switches -o "$work/\$TAG.perf" "$lp" "\$@"
rc=\$?
cp "\$out/result.json" "$work/\$TAG.json"
exit \$rc
WRAP
chmod +x "$work/wrap.sh"
echo "| rate | pair | pacing | UTC | load | CPU s per 100k | context switches per start | start ratio | lateness p99 ms | early starts | earliest ms | wake-up delays | steal ms | pre-dialled |"
echo "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for p in $(seq 1 "${PAIRS:-3}"); do
	for rate in ${RATES:-5000 10000}; do
		# Odd pairs run the old pacing first, even ones the new: on a
		# machine whose load rises or falls, neither always runs second.
		order="old new"
		[ $((p % 2)) = 0 ] && order="new old"
		for v in $order; do
			args=${NEW-"--pacer-quantum 1ms --pacer-early 500us"}
			[ $v = old ] && args=${OLD-"--pacer-quantum 500us --pacer-early 0"}
			t=$(date -u +%T) load=$(cut -d' ' -f1 /proc/loadavg)
			steal0=$(awk '$1 == "cpu1" {print $9}' /proc/stat)
			TAG=$v-$rate-$p "$work/benchengine" -loadplan "$work/wrap.sh" -rounds 1 -users 0 -rates '' -high "$rate" -duration 10s -args "$args" >/dev/null
			steal=$(( $(awk '$1 == "cpu1" {print $9}' /proc/stat) - steal0 ))
			python3 - "$work/$v-$rate-$p" "$rate" "$p" "$v" "$t" "$load" "$steal" "$(getconf CLK_TCK)" <<'PY'
import json, re, sys
base, rate, pair, v, t, load, steal, tck = sys.argv[1:]
g = json.load(open(base + ".json"))["profiles"][0]["generator"]
cs = int(re.search(r"(\d+),,context-switches", open(base + ".perf").read()).group(1))
n = g["started"]
wake = "%d / %.1f / %.1f" % (g.get("wake_delays", 0), g.get("wake_delay_ms", 0), g.get("wake_delay_max_ms", 0))
print("| %s | %s | %s | %s | %s | %.2f | %.3f | %.4f | %.3f | %d | %.3f | %s | %.0f | %d |" % (rate, pair, v, t, load, g["cpu_s"] / n * 1e5, cs / n,
      g.get("start_ratio", 0), g["lateness_p99_ms"], g.get("start_early", 0), g.get("start_early_max_ms", 0), wake, int(steal) * 1000 / int(tck),
      g.get("pre_dialled", 0)))
PY
		done
	done
done
