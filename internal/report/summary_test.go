package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

// fixture builds a deterministic result: a baseline that passes, a stress
// profile that breaks at its third step.
func fixture(t *testing.T) *result.Result {
	t.Helper()
	epoch := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	mk := func(name, model string, stages []result.StagePlan, lat func(stage, i int) (time.Duration, bool)) result.Profile {
		rec := metrics.NewRecorder(metrics.Config{Names: []string{"home", "search"}, Stages: len(stages), Epoch: epoch, Shards: 1})
		for si, sp := range stages {
			n := int(float64(sp.Offered.Load) * (sp.End - sp.Start).Seconds())
			for i := 0; i < n; i++ {
				at := sp.Start + time.Duration(i)*(sp.End-sp.Start)/time.Duration(n)
				d, failed := lat(si, i)
				s := metrics.Sample{Request: i % 2, Stage: si, Intended: int64(at), Start: int64(at), End: int64(at + d), Status: 200}
				if failed {
					s.Status, s.Class = 503, metrics.HTTP
				}
				rec.Record(0, &s)
			}
		}
		p, err := result.BuildProfile(result.ProfileInput{Name: name, Model: model, Status: result.StatusComplete, Snapshot: rec.Close(), Stages: stages,
			Generator: result.Generator{Started: 1000, MaxInFlight: 12, LatenessP99: 0.2, LatenessMax: 1.5, CPUSeconds: 1.25, PeakRSS: 32 << 20}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	stage := func(from, load float64, start, end time.Duration) result.StagePlan {
		return result.StagePlan{Offered: result.Offered{From: from, Load: load, Unit: "req/s", Duration: result.Sec(end - start)}, Start: start, End: end,
			LoadAt: func(time.Duration) float64 { return load }}
	}
	p95 := result.Millis(100)
	errRate := 0.001
	base := mk("baseline", "open", []result.StagePlan{stage(100, 100, 0, 10*time.Second)},
		func(_, i int) (time.Duration, bool) { return time.Duration(5+i%20) * time.Millisecond, false })
	base.Rules = result.Rules{Expect: result.Expect{P95: &p95, ErrorRate: &errRate}}
	base.Generator.Started = 1000
	base.Generator.Engine = "epoll"
	base.Generator.WakeDelays, base.Generator.WakeDelayTotal, base.Generator.WakeDelayMax = 2, 2.5, 1.4
	st := mk("stress", "open", []result.StagePlan{
		stage(100, 100, 0, 5*time.Second), stage(100, 200, 5*time.Second, 10*time.Second), stage(200, 300, 10*time.Second, 15*time.Second)},
		func(s, i int) (time.Duration, bool) {
			if s == 2 {
				return time.Duration(150+i%50) * time.Millisecond, i%10 == 0
			}
			return time.Duration(5+i%20) * time.Millisecond, false
		})
	st.Rules = result.Rules{Stepped: true, Expect: result.Expect{P95: &p95, ErrorRate: &errRate}, Break: &result.BreakRule{Plateau: 0.5, MaxErrorRate: 0.01}}
	st.Generator.Started = 3000
	st.Generator.Engine, st.Generator.EngineNote = "pool", "LOADPLAN_ENGINE=pool"
	r := &result.Result{
		Schema: result.Schema, Status: result.StatusComplete,
		Scenario: result.Scenario{Name: "golden", Target: "http://127.0.0.1:8080", Timeout: 5000,
			SLO: result.SLO{P95: &p95, ErrorRate: &errRate}},
		Environment: result.Environment{LoadplanVersion: "test", GoVersion: "go1.26", OS: "linux", Arch: "amd64", CPUs: 2,
			Start: epoch, End: epoch.Add(25 * time.Second)},
		Profiles: []result.Profile{base, st},
	}
	verdict.JudgeAll(r)
	return r
}

func TestMarkdownGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, fixture(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.golden.md", b.Bytes())
}
