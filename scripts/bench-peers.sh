#!/usr/bin/env bash
# bench-peers: loadplan against wrk and hey on the same machine, same target,
# same connection count, several rounds interleaved (A B C A B C ...); then
# loadplan's open model against the open-model peers vegeta (-rate), fortio
# (-qps) and bombardier (--rate) at the same fixed rates, interleaved too.
#
# nginx (one worker, `return 200`, no access log) is pinned to CPU 0; every
# generator is pinned to CPU 1. Prints per round req/s, CPU seconds per
# 100,000 requests and peak RSS, loadplan's ratio to each peer, and the
# medians; then the open model at fixed rates (achieved rate, start lateness,
# dropped starts); then the open-model peers table with the target line
# "loadplan open CPU/request <= 0.8 x best open peer" (measured / target /
# met). Everything runs on 127.0.0.1 and stops by itself; every process the
# script starts runs in its own process group and is killed by its PID on
# exit, Ctrl-C or TERM.
#
# wrk, hey and nginx come from Debian's packages; vegeta, fortio and
# bombardier are built from the Go module proxy at the pinned versions below
# into PEERS_BIN (outside the module: they are not in go.mod). k6 is not run:
# go.k6.io/k6 is AGPL and this workplace's package list marks it not-to-use.
#
#   make bench-peers                       (ROUNDS=5 CONNS=50 DURATION=5s,
#                                           PEER_ROUNDS=3 PEER_RATES="5000 10000" PEER_DURATION=10s)
#   SECTIONS=peers PEER_ROUNDS=1 make bench-peers     (a quick look at the peers table only)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
CONNS=${CONNS:-50}
DURATION=${DURATION:-5}
PORT=${PORT:-18089}
RATES=${RATES:-5000 10000 20000}
OPEN_DURATION=${OPEN_DURATION:-10s}
OPEN_ROUNDS=${OPEN_ROUNDS:-3}
SECTIONS=${SECTIONS:-closed open peers}
PEER_ROUNDS=${PEER_ROUNDS:-3}
PEER_RATES=${PEER_RATES:-5000 10000}
PEER_DURATION=${PEER_DURATION:-10}
PEERS_BIN=${PEERS_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/loadplan-peers}
# Pinned peers: binary name, module path (go install), version. fortio stays
# on v1.68.2: v1.69 and later import grol.io/grol, which the proxy here refuses.
PEER_MODULES="vegeta github.com/tsenart/vegeta/v12 v12.13.0
fortio fortio.org/fortio v1.68.2
bombardier github.com/codesenberg/bombardier v1.2.6"

section() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }

need=()
for c in wrk hey nginx taskset /usr/bin/time python3; do command -v "$c" >/dev/null 2>&1 || need+=("$c"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing wrk hey nginx time (Debian packages)..." >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk hey nginx time util-linux python3 >/dev/null
fi
[ -x bin/loadplan ] || make build >/dev/null

if section peers; then
  mkdir -p "$PEERS_BIN"
  while read -r name mod ver; do
    have=$( { go version -m "$PEERS_BIN/$name" 2>/dev/null || true; } | awk '$1=="path"{p=$2} $1=="mod"{print p"@"$3; exit}')
    case $have in "$mod"*"@$ver") continue ;; esac
    echo "building $name $ver from the Go module proxy into $PEERS_BIN..." >&2
    (cd "$PEERS_BIN" && GOBIN="$PEERS_BIN" GOFLAGS=-mod=mod go install "$mod@$ver")
  done <<<"$PEER_MODULES"
fi

work=$(mktemp -d)
# cleanup: the child in flight (its own process group, by its PID) and nginx
# (its master by PID, which stops its worker), then the scratch folder.
# A child gets TERM (loadplan then stops its run and writes its result), and
# KILL if it is still there 5 s later; the script returns only when it is gone.
stop_group() {
  kill -TERM -- "-$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 -- "-$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
}
cleanup() {
  local p
  for p in $(cat "$work/child" 2>/dev/null); do stop_group "$p"; done
  if [ -n "${nginx_pid:-}" ]; then kill -TERM "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# child CMD...: runs CMD in its own process group (setsid, same PID), waits
# for it, and leaves its PID where cleanup finds it on Ctrl-C.
child() {
  setsid "$@" &
  local pid=$!
  echo "$pid" > "$work/child"
  wait "$pid" || true
  : > "$work/child"
}
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$PORT; location / { return 200 "ok"; } location = /nginx_status { stub_status; } }
}
NGINX
taskset -c 0 nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/"
# A busy machine makes every figure below noisy: say how busy it was.
printf '\n%s, %s cores, load average at start: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
trap 'printf "\nload average at end: %s\n" "$(cut -d" " -f1-3 /proc/loadavg)"; cleanup' EXIT

# run NAME CMD...: prints "req/s cpu_s maxrss_kb" for the command pinned to CPU 1.
measure() {
  local name=$1; shift
  child /usr/bin/time -f "%U %S %M" -o "$work/time" taskset -c 1 "$@" > "$work/out" 2>&1
  local rps
  case $name in
    wrk|hey) rps=$(awk '/Requests\/sec/ {print $2}' "$work/out") ;;
    loadplan) rps=$(python3 -c "import json; print(json.load(open('$work/lp/result.json'))['profiles'][0]['total']['throughput'])") ;;
  esac
  read -r u s m < "$work/time"
  echo "$rps $(python3 -c "print($u+$s)") $m"
}

if section closed; then
printf '\n## Closed loop, %d connections, %ss, nginx on CPU 0, generator on CPU 1\n\n' "$CONNS" "$DURATION"
printf '| round | generator | req/s | CPU s per 100k req | peak RSS MiB |\n|---:|---|---:|---:|---:|\n'
: > "$work/rows"
for r in $(seq "$ROUNDS"); do
  for g in wrk hey loadplan; do
    case $g in
      wrk) row=$(measure wrk wrk -t1 -c"$CONNS" -d"${DURATION}s" "$URL") ;;
      hey) row=$(measure hey hey -z "${DURATION}s" -c "$CONNS" "$URL") ;;
      loadplan) rm -rf "$work/lp"; row=$(measure loadplan bin/loadplan run --url "$URL" --users "$CONNS" --duration "${DURATION}s" --out "$work/lp" --quiet) ;;
    esac
    read -r rps cpu rss <<<"$row"
    python3 -c "r,c,m=$rps,$cpu,$rss; print('| $r | $g | %.0f | %.2f | %.1f |' % (r, c/(r*$DURATION)*1e5 if r else 0, m/1024))"
    echo "$r $g $rps $cpu $rss" >> "$work/rows"
  done
done
python3 - "$work/rows" "$DURATION" <<'PY'
import sys, statistics as st
rows=[l.split() for l in open(sys.argv[1])]; dur=float(sys.argv[2])
by={}
for r,g,rps,cpu,rss in rows: by.setdefault(g,[]).append((int(r),float(rps),float(cpu),float(rss)))
print("\n| generator | median req/s | median CPU s per 100k | median peak RSS MiB |\n|---|---:|---:|---:|")
for g,v in by.items():
    print("| %s | %.0f | %.2f | %.1f |" % (g, st.median(x[1] for x in v), st.median(x[2]/(x[1]*dur)*1e5 for x in v if x[1]), st.median(x[3] for x in v)/1024))
print("\n| round | loadplan / wrk | loadplan / hey |\n|---:|---:|---:|")
rounds=sorted({x[0] for v in by.values() for x in v})
rat={}
for r in rounds:
    lp=[x[1] for x in by['loadplan'] if x[0]==r][0]
    w=[x[1] for x in by['wrk'] if x[0]==r][0]; h=[x[1] for x in by['hey'] if x[0]==r][0]
    rat.setdefault('wrk',[]).append(lp/w); rat.setdefault('hey',[]).append(lp/h)
    print("| %d | %.3f | %.3f |" % (r, lp/w, lp/h))
print("| median | %.3f | %.3f |" % (st.median(rat['wrk']), st.median(rat['hey'])))
m=st.median(rat['wrk'])
print("\n| target | measured | target | met |\n|---|---:|---:|---|")
print("| loadplan closed req/s ≥ 0.85 × wrk | %.3f (rounds %.3f–%.3f) | ≥ 0.85 | %s |" % (m, min(rat['wrk']), max(rat['wrk']), 'yes' if m >= 0.85 else 'no'))
PY

fi

if section open; then
printf '\n## Open model, %s per rate, %s rounds, generator on CPU 1 (default --pacer-quantum)\n\n' "$OPEN_DURATION" "$OPEN_ROUNDS"
printf '| rate | round | achieved req/s | achieved / scheduled | dropped | lateness p99 ms | lateness max ms | CPU s per 100k | peak RSS MiB |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
: > "$work/open"
for r in $(seq "$OPEN_ROUNDS"); do
  for rate in $RATES; do
    rm -rf "$work/lp"
    child taskset -c 1 bin/loadplan run --url "$URL" --rate "$rate" --duration "$OPEN_DURATION" --out "$work/lp" --quiet >/dev/null 2>&1
    python3 - "$work/lp/result.json" "$rate" "$r" "$work/open" <<'PY'
import json, sys
p=json.load(open(sys.argv[1]))['profiles'][0]; rate=float(sys.argv[2]); t=p['total']; g=p['generator']
sched=sum(s['offered']['requests'] for s in p['stages'])
row=(rate, t['throughput'], g['started']/sched, g['dropped'], g['lateness_p99_ms'], g['lateness_max_ms'], g['cpu_s']/max(t['requests'],1)*1e5, g['peak_rss_bytes']/2**20)
print("| %d | %s | %.1f | %.4f | %d | %.3f | %.3f | %.2f | %.1f |" % ((row[0], sys.argv[3]) + row[1:]))
open(sys.argv[4], 'a').write(' '.join(str(x) for x in row) + '\n')
PY
  done
done
python3 - "$work/open" <<'PY'
import sys, statistics as st
by={}
for l in open(sys.argv[1]):
    v=[float(x) for x in l.split()]; by.setdefault(v[0],[]).append(v)
print("\nMedians over the rounds:\n\n| rate | achieved / scheduled | dropped | lateness p99 ms | lateness max ms | CPU s per 100k |\n|---:|---:|---:|---:|---:|---:|")
for rate,v in sorted(by.items()):
    m=lambda i: st.median(x[i] for x in v)
    print("| %d | %.4f | %d | %.3f | %.3f | %.2f |" % (rate, m(2), m(3), m(4), m(5), m(6)))
PY
fi

if section peers; then . scripts/bench-peers-open.sh; fi
