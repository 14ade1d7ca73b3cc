# bench-peers-open.sh: sourced by bench-peers.sh (it needs $work, $URL,
# $CONNS, $PEERS_BIN, $PEER_RATES, $PEER_ROUNDS, $PEER_DURATION and child()).
#
# The open model against the open-model peers at the same fixed rates, same
# target, same duration, generator pinned to CPU 1, rounds interleaved
# (round 1: every rate x every tool, then round 2 ...) so that drift on a
# shared machine hits every tool. CPU is measured two ways, each the same
# way for every tool, loadplan included: the whole process (the child's
# rusage, user + system, /usr/bin/time, over the requests the tool made),
# and the steady window (scripts/cpu-window.py: /proc/PID/stat from 2 s
# after the start to 1 s before the scheduled end, over the requests nginx
# counted in that window), which leaves out start-up and report writing.
#
#   vegeta attack -rate=R/s -duration=Ds      open model: a new request every 1/R s
#     -workers CONNS -max-workers CONNS        taken by the next free worker, at most CONNS
#                                             of them (VEGETA_MAX_WORKERS): with vegeta's
#                                             default (no cap) it collapsed on this busy
#                                             machine (0.25 of the schedule at 5,000 req/s,
#                                             p99 34 s, 127 CPU-s per 100k, 485 MiB), and
#                                             with a cap of 1000 it reached 0.41
#   fortio load -qps R -c CONNS -t Ds          R is the TOTAL rate, split evenly over the
#                                             CONNS connections; each connection paces
#                                             its own calls (a closed loop with a schedule:
#                                             a slow reply delays that connection's next calls)
#   bombardier -c CONNS -d Ds --rate R         token bucket of R/s shared by CONNS
#                                             connections, each a closed loop
#   loadplan run --rate R --duration Ds        open model, starts on schedule, lateness measured
#
# Latency p99 is each tool's own figure, from the actual send (loadplan's
# service latency, the same measure); only loadplan measures start lateness
# (how late a request left against its schedule). The target is at 5,000
# req/s (issue 18); other rates print the same line for information.

printf '\n## Open model against the open-model peers, %ss per run, %s rounds, nginx on CPU 0, generator on CPU 1\n\n' "$PEER_DURATION" "$PEER_ROUNDS"
printf '| round | rate | generator | requests | achieved / scheduled | latency p99 ms | start lateness p99 ms | CPU s per 100k (whole process) | CPU s per 100k (steady window) | peak RSS MiB |\n|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n'
: > "$work/peers"
echo "GET $URL" > "$work/targets"
for r in $(seq "$PEER_ROUNDS"); do
  for rate in $PEER_RATES; do
    for g in loadplan vegeta fortio bombardier; do
      rm -rf "$work/lp" "$work/peer.out" "$work/peer.json" "$work/time"
      case $g in
        loadplan) cmd=(bin/loadplan run --url "$URL" --rate "$rate" --duration "${PEER_DURATION}s" --out "$work/lp" --quiet) ;;
        vegeta) cmd=("$PEERS_BIN/vegeta" attack -targets "$work/targets" -rate "$rate/s" -duration "${PEER_DURATION}s"
                      -workers "$CONNS" -max-workers "${VEGETA_MAX_WORKERS:-$CONNS}" -output "$work/peer.out") ;;
        fortio) cmd=("$PEERS_BIN/fortio" load -quiet -qps "$rate" -c "$CONNS" -t "${PEER_DURATION}s" -json "$work/peer.json" "$URL") ;;
        bombardier) cmd=("$PEERS_BIN/bombardier" -c "$CONNS" -d "${PEER_DURATION}s" --rate "$rate" -l -o json -p r "$URL") ;;
      esac
      # The steady window's CPU and the server's count of requests in it,
      # sampled the same way for every tool (scripts/cpu-window.py).
      rm -f "$work/window" "$work/window.err"
      python3 scripts/cpu-window.py "$work" "$PEER_DURATION" "${URL}nginx_status" &
      sampler=$!
      child /usr/bin/time -f "%U %S %M" -o "$work/time" taskset -c 1 "${cmd[@]}" > "$work/stdout" 2> "$work/stderr"
      wait "$sampler" || true
      # vegeta's report runs after the timed run, not pinned and not counted.
      [ "$g" = vegeta ] && "$PEERS_BIN/vegeta" report -type=json "$work/peer.out" > "$work/peer.json" 2>/dev/null
      [ "$g" = bombardier ] && cp "$work/stdout" "$work/peer.json"
      python3 - "$g" "$rate" "$r" "$PEER_DURATION" "$work" <<'PY'
import json, os, sys
g, rate, rnd, dur, work = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5]
nan = float('nan')
req = p99 = late = sched_frac = nan
try:
    if g == 'loadplan':
        p = json.load(open(os.path.join(work, 'lp', 'result.json')))['profiles'][0]
        # service latency: from the actual send, as the peers measure theirs
        req = p['total']['requests']; p99 = p['total']['service'].get('p99_ms', nan)
        late = p['generator']['lateness_p99_ms']
    else:
        d = json.load(open(os.path.join(work, 'peer.json')))
        if g == 'vegeta':
            req = d['requests']; p99 = d['latencies']['99th'] / 1e6
        elif g == 'fortio':
            h = d['DurationHistogram']; req = h['Count']
            p99 = [x['Value'] for x in h['Percentiles'] if x['Percentile'] == 99][0] * 1e3
            # fortio makes rate x duration calls however long they take
            # (it catches up): its achieved rate is over its actual duration.
            sched_frac = d['ActualQPS'] / rate
        elif g == 'bombardier':
            res = d['result']
            req = sum(res.get(k, 0) for k in ('req1xx', 'req2xx', 'req3xx', 'req4xx', 'req5xx', 'others'))
            p99 = res['latency']['percentiles']['99'] / 1e3
except Exception as e:  # a tool that failed reads as a blank row, not as a figure
    sys.stderr.write('%s at %d req/s: no result (%s)\n' % (g, rate, e))
try:
    u, s, m = open(os.path.join(work, 'time')).read().split()[-3:]
    cpu, rss = float(u) + float(s), float(m) / 1024
except Exception:
    cpu = rss = nan
sched = rate * dur
frac = sched_frac if sched_frac == sched_frac else (req / sched if req == req else nan)
per = cpu / req * 1e5 if req == req and req > 0 else nan
# the steady window (cpu-window.py): CPU over the server's count in it
try:
    wc, wn, ws = open(os.path.join(work, 'window')).read().split()
    win = float(wc) / int(wn) * 1e5 if int(wn) > 0 else nan
except Exception:
    win = nan
    try:
        sys.stderr.write('%s at %d req/s: no steady-window figure (%s)\n' % (g, rate, open(os.path.join(work, 'window.err')).read().strip()))
    except OSError:
        pass
f = lambda x, fmt: '—' if x != x else fmt % x
print('| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |' % (rnd, rate, g, f(req, '%d'), f(frac, '%.4f'), f(p99, '%.2f'),
      f(late, '%.3f'), f(per, '%.2f'), f(win, '%.2f'), f(rss, '%.1f')))
open(os.path.join(work, 'peers'), 'a').write('%s %d %s %r %r %r %r %r %r\n' % (g, rate, rnd, req, frac, p99, late, per, win))
PY
    done
  done
done
echo
echo "k6 (constant-arrival-rate) is not run: go.k6.io/k6 is AGPL, and this workplace's package list marks it not-to-use."
python3 - "$work/peers" <<'PY'
import sys, statistics as st
nan = float('nan')
by = {}
for l in open(sys.argv[1]):
    g, rate, rnd, *v = l.split()
    by.setdefault((int(rate), g), []).append([float(x) for x in v])
def med(rows, i):
    xs = [r[i] for r in rows if r[i] == r[i]]
    return st.median(xs) if xs else nan
f = lambda x, fmt: '—' if x != x else fmt % x
# v: requests, achieved fraction, p99, lateness, CPU per 100k whole process, CPU per 100k steady window
WHOLE, WINDOW = 4, 5
print('\nMedians over the rounds (loadplan / peer: CPU per request, lower is better for loadplan; whole process = '
      'user + system CPU of the whole run over its requests; steady window = from 2 s after the start to 1 s before the '
      'scheduled end, over the requests nginx counted in it — the same two measures for every tool):\n')
print('| rate | generator | achieved / scheduled | latency p99 ms | start lateness p99 ms | CPU s per 100k (whole) | loadplan / peer (whole) '
      '| CPU s per 100k (window) | loadplan / peer (window) |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|')
rates = sorted({k[0] for k in by})
for rate in rates:
    lp = [med(by.get((rate, 'loadplan'), []), i) for i in (WHOLE, WINDOW)]
    for g in ('loadplan', 'vegeta', 'fortio', 'bombardier'):
        rows = by.get((rate, g), [])
        cols = []
        for k, i in enumerate((WHOLE, WINDOW)):
            cpu = med(rows, i)
            cols += [f(cpu, '%.2f'), '' if g == 'loadplan' else f(lp[k] / cpu if cpu else nan, '%.2f')]
        print('| %d | %s | %s | %s | %s | %s |' % (rate, g, f(med(rows, 1), '%.4f'), f(med(rows, 2), '%.2f'), f(med(rows, 3), '%.3f'),
              ' | '.join(cols)))
print('\n| target | measured | target | met |\n|---|---:|---:|---|')
for rate in rates:
    lpfrac = med(by.get((rate, 'loadplan'), []), 1)
    for i, how in ((WHOLE, 'whole process'), (WINDOW, 'steady window')):
        lp = med(by.get((rate, 'loadplan'), []), i)
        # the best peer is the cheapest of those that kept 0.99 of their
        # schedule; if none did, the cheapest of all, and the line says so.
        best = anyb = None
        for g in ('vegeta', 'fortio', 'bombardier'):
            rows = by.get((rate, g), [])
            cpu, frac = med(rows, i), med(rows, 1)
            if cpu != cpu:
                continue
            if frac >= 0.99 and (best is None or cpu < best[1]):
                best = (g, cpu)
            if anyb is None or cpu < anyb[1]:
                anyb = (g, cpu)
        label = 'loadplan open CPU/request ≤ 0.8 × best open peer at %d req/s, %s' % (rate, how)
        if anyb is None or lp != lp:
            print('| %s | — (no figure from loadplan or from any peer) | ≤ 0.80 | no |' % label)
            continue
        notes = []
        if best is None:  # compared all the same, and said so
            best = anyb
            notes.append('no peer kept 0.99 of its schedule: compared with %s, which fell behind' % best[0])
        ratio = lp / best[1]
        ok = ratio <= 0.8 and lpfrac >= 0.99
        if lpfrac < 0.99:
            notes.append('loadplan reached only %.4f of its schedule' % lpfrac)
        note = ' (%s)' % '; '.join(notes) if notes else ''
        label = label.replace('best open peer', 'best open peer (%s)' % best[0])
        if rate != 5000:
            label += ' (for information)'
        print('| %s | %.2f (%.2f against %.2f CPU s per 100k)%s | ≤ 0.80 | %s |' % (label, ratio, lp, best[1], note, 'yes' if ok else 'no'))
PY
