package compare

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// aaSetting is one kind of A/A pair: two runs of one synthetic service
// under the same stages, steady or stepped (judged against p95 ≤ 1 s,
// which every step holds).
type aaSetting struct {
	name    string
	svc     service
	stages  []stage
	stepped bool
}

// measure runs the setting's service once with the seed given.
func (s aaSetting) measure(t testing.TB, svc service, seed uint64) *result.Result {
	p := svc.run(t, seed, "aa", s.stages)
	if s.stepped {
		p.Rules = result.Rules{Stepped: true, Expect: result.Expect{P95: ptrMs(time.Second)}}
	}
	return doc(p)
}

// steps is a ramp from 40 to 160 req/s by 20, secs seconds a step.
func steps(secs int) []stage {
	var ss []stage
	for rate := 40.0; rate <= 160; rate += 20 {
		ss = append(ss, stage{rate, secs})
	}
	return ss
}

// aaSettings are the settings of the false-alarm table.
func aaSettings() []aaSetting {
	// 0.2% errors: a step's error rate stays under the 1% a stress step
	// breaks at, so that each step holds in both runs.
	exp10 := service{median: 10 * time.Millisecond, exponential: true, errP: 0.002}
	drifting := exp10
	drifting.drift = 0.1
	evenly := exp10
	evenly.even = true
	return []aaSetting{
		{"steady exp 10ms 60s", exp10, []stage{{100, 60}}, false},
		{"steady lognormal 60s", checkout, []stage{{100, 60}}, false},
		{"steady exp, drift 10%", drifting, []stage{{100, 60}}, false},
		{"stepped exp 7×10s", exp10, steps(10), true},
		{"stepped exp 7×5s", exp10, steps(5), true},
		{"stepped exp, drift 10%", drifting, steps(10), true},
		// The engine's open schedule spaces arrivals evenly: its steps
		// offer their rate exactly, not a Poisson count a second.
		{"stepped 7×5s, even arrivals", evenly, steps(5), true},
	}
}

// aaTally counts, for each test compare runs, the pairs in which its
// p-value fell below 0.05, and the pairs with any call.
type aaTally struct {
	pairs  int
	below  map[string]int
	tested map[string]int
	calls  int
	// calledBy counts the significant rows by metric.
	calledBy map[string]int
}

func (a *aaTally) add(p Profile) {
	a.pairs++
	if a.below == nil {
		a.below, a.tested, a.calledBy = map[string]int{}, map[string]int{}, map[string]int{}
	}
	called := false
	for _, m := range p.Metrics {
		if m.PValue != nil {
			a.tested[m.Name]++
			if *m.PValue < 0.05 {
				a.below[m.Name]++
			}
		}
		if m.Pooled != nil {
			k := "pooled " + m.Name
			a.tested[k]++
			if m.Pooled.P < 0.05 {
				a.below[k]++
			}
		}
		if m.Significant {
			called = true
			a.calledBy[m.Name]++
		}
	}
	if called {
		a.calls++
	}
}

// aaRows are the table's columns, in order.
var aaRows = []string{Throughput, P50, P95, P99, "pooled " + P95, "pooled " + P99, P999, ErrorRate, CapacityAtSLO}

func (a *aaTally) line(name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-26s", name)
	for _, r := range aaRows {
		if a.tested[r] == 0 {
			fmt.Fprintf(&b, " %10s", "—")
			continue
		}
		fmt.Fprintf(&b, " %9.1f%%", 100*float64(a.below[r])/float64(a.tested[r]))
	}
	fmt.Fprintf(&b, " %8.1f%% %v", 100*float64(a.calls)/float64(a.pairs), a.calledBy)
	return b.String()
}

func aaHeader() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-26s", "setting (p < 0.05 in)")
	for _, r := range aaRows {
		fmt.Fprintf(&b, " %10s", r)
	}
	fmt.Fprintf(&b, " %9s", "any call")
	return b.String()
}

// aaPairs is how many pairs a setting of the tables compares:
// LOADPLAN_AA_PAIRS, 200 when unset. The tables are measurements that
// print and judge nothing, so they are benchmarks (200 pairs a setting
// take minutes), run once whatever b.N; TestDriftingSecondsFalseAlarms is
// the check that runs every time.
func aaPairs(b *testing.B) int {
	v := os.Getenv("LOADPLAN_AA_PAIRS")
	if v == "" {
		return 200
	}
	k, err := strconv.Atoi(v)
	if err != nil || k <= 0 {
		b.Fatalf("LOADPLAN_AA_PAIRS=%q: want a positive count", v)
	}
	return k
}

// BenchmarkFalseAlarmTable compares pairs of runs of one unchanged
// synthetic service (A/A) and prints, for each test compare runs, the
// share of pairs whose p-value fell below 0.05: a calibrated test gives
// about 5%.
// go test ./internal/compare/ -run '^$' -bench FalseAlarmTable -benchtime 1x
func BenchmarkFalseAlarmTable(t *testing.B) {
	pairs := aaPairs(t)
	t.Log(aaHeader())
	for si, s := range aaSettings() {
		var a aaTally
		for i := range pairs {
			seed := uint64(7_000_000 + 1000*si + 2*i)
			_, p := compared(t, s.measure(t, s.svc, seed), s.measure(t, s.svc, seed+1))
			a.add(p)
		}
		t.Log(a.line(s.name))
	}
}

// BenchmarkPowerTable compares pairs of runs of a 10 ms service with runs
// of the same service 20% slower (12 ms) and prints how often each latency
// row is called worse, and how often the comparison fails.
// LOADPLAN_AA_PAIRS=50 go test ./internal/compare/ -run '^$' -bench PowerTable -benchtime 1x
func BenchmarkPowerTable(t *testing.B) {
	pairs := aaPairs(t)
	exp10 := aaSettings()[0].svc
	drifting := aaSettings()[2].svc
	for si, s := range []aaSetting{
		{"steady exp 10ms 60s", exp10, []stage{{100, 60}}, false},
		{"steady exp 20s at 30/s", exp10, []stage{{30, 20}}, false},
		{"drift 10%, 20s at 30/s", drifting, []stage{{30, 20}}, false},
		{"stepped exp 7×5s", exp10, steps(5), true},
	} {
		worse := map[string]int{}
		failed := 0
		for i := range pairs {
			seed := uint64(8_000_000 + 1000*si + 2*i)
			c, p := compared(t, s.measure(t, s.svc, seed), s.measure(t, s.svc.slower(1.2), seed+1))
			for _, m := range p.Metrics {
				if m.Verdict == Worse {
					worse[m.Name]++
				}
			}
			if !c.Pass {
				failed++
			}
		}
		t.Logf("%-26s 20%% slower, of %d pairs called worse: p50 %d, p95 %d, p99 %d, p99.9 %d; comparison failed %d",
			s.name, pairs, worse[P50], worse[P95], worse[P99], worse[P999], failed)
	}
}
