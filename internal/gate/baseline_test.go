package gate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

func TestParseRegression(t *testing.T) {
	good := map[string]float64{"10%": 0.1, "0.1": 0.1, " 5 % ": 0.05, "0": 0, "0%": 0, "150%": 1.5, "1": 1}
	for in, want := range good {
		got, err := ParseRegression(in)
		if err != nil || got != want {
			t.Errorf("ParseRegression(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "10", "ten%", "-5%", "NaN", "Inf%", "%"} {
		_, err := ParseRegression(in)
		want := `max regression "` + in + `": want a percentage such as 10% or a fraction such as 0.1`
		if err == nil || err.Error() != want {
			t.Errorf("ParseRegression(%q): got %v, want %s", in, err, want)
		}
	}
}

// steady is a steady profile with the given figures.
func steady(name string, p95, p99 result.Millis, requests, errors int64) result.Profile {
	p := result.Profile{Name: name, Model: "open", Status: result.StatusComplete}
	p.Total.Requests, p.Total.Errors = requests, errors
	p.Total.ErrorRate = float64(errors) / float64(requests)
	p.Total.Response = result.Latency{Count: requests - errors, P95: p95, P99: p99}
	return p
}

// stress is a stepped profile with a capacity at SLO.
func stress(capacity float64) result.Profile {
	p := result.Profile{Name: "stress", Model: "open", Status: result.StatusComplete, Rules: result.Rules{Stepped: true}}
	// Whole-profile latency of a stress run depends on how far its ramp
	// went; it must not be compared.
	p.Total.Response = result.Latency{Count: 1000, P95: result.Millis(capacity), P99: result.Millis(capacity)}
	p.Verdict = &result.Verdict{Stress: &result.Stress{CapacityAtSLO: capacity}}
	return p
}

func writeResult(t *testing.T, name string, ps ...result.Profile) string {
	t.Helper()
	for i := range ps {
		ps[i].Stages = []result.Stage{{}} // a complete run has stages (result.Parse checks)
	}
	r := &result.Result{Schema: result.Schema, Status: result.StatusComplete, Profiles: ps,
		Environment: result.Environment{Start: time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)}}
	path := filepath.Join(t.TempDir(), name)
	if err := result.Write(path, r); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBaselineRegression compares two stored results, profile by profile.
func TestBaselineRegression(t *testing.T) {
	oldPath := writeResult(t, "old.json",
		steady("baseline", 100, 200, 10000, 0),
		steady("target", 100, 200, 10000, 10), // 0.1% errors
		stress(1000),
	)
	newPath := writeResult(t, "new.json",
		steady("baseline", 109, 230, 10000, 5), // p95 +9% ok; p99 +15% regressed; 0 → 0.05% errors: noise
		steady("target", 100, 200, 10000, 25),  // 0.1% → 0.25% errors: +150% and +0.15 points
		stress(850),                            // capacity −15%
		steady("spike", 100, 200, 1000, 0),     // not in the baseline
	)
	// Read as LoadBaseline reads it, but not judged again: stress's
	// capacity at SLO is a stored figure with no steps behind it, which
	// today's judging would not give (TestBaselineJudgedAgain in
	// cmd/loadplan judges a real one again).
	old, err := result.Read(oldPath)
	if err != nil {
		t.Fatal(err)
	}
	b := &Baseline{Path: oldPath, Result: old, MaxRegression: 0.10, MinRequestShare: DefaultMinRequestShare}
	cur, err := result.Read(newPath)
	if err != nil {
		t.Fatal(err)
	}
	cur.Pass = true
	Apply(cur, nil, b)

	type row struct {
		gate, profile string
		measured      float64
		op            string
		limit         float64
		pass          bool
	}
	want := []row{
		{"baseline:p95", "baseline", 109, "<=", 110, true},
		{"baseline:p99", "baseline", 230, "<=", 220, false},
		{"baseline:error_rate", "baseline", 0.0005, "<=", 0.001, true},
		{"baseline:p95", "target", 100, "<=", 110, true},
		{"baseline:p99", "target", 200, "<=", 220, true},
		{"baseline:error_rate", "target", 0.0025, "<=", 0.002, false},
		{"baseline:capacity_at_slo", "stress", 850, ">=", 900, false},
	}
	if len(cur.Gates) != len(want) {
		t.Fatalf("%d checks, want %d: %+v", len(cur.Gates), len(want), cur.Gates)
	}
	for i, w := range want {
		c := cur.Gates[i]
		got := row{c.Gate, c.Profile, c.Measured, c.Op, c.Limit, c.Pass}
		if got.gate != w.gate || got.profile != w.profile || got.op != w.op || got.pass != w.pass ||
			!near(got.measured, w.measured) || !near(got.limit, w.limit) {
			t.Errorf("check %d: %+v\n            want %+v", i, got, w)
		}
		if c.Name != c.Gate {
			t.Errorf("check %d: name %q, gate %q", i, c.Name, c.Gate)
		}
	}
	if d := cur.Gates[1].Detail; d != oldPath+" had 200ms, +10% allowed: untested (no per-second windows): judged on the figures alone" {
		t.Errorf("detail %q", d)
	}
	if cur.Pass {
		t.Error("a regression must clear Pass")
	}
	if len(cur.Warnings) != 1 || !strings.Contains(cur.Warnings[0], "no spike profile") {
		t.Errorf("warnings %q: want one for the spike profile the baseline lacks", cur.Warnings)
	}

	// Against itself, nothing regresses.
	same, _ := result.Read(oldPath)
	same.Pass = true
	Apply(same, nil, b)
	if !same.Pass {
		t.Errorf("a result regressed against itself: %+v", same.Gates)
	}
}

// TestErrorRateNoiseFloor: from 0 to a tiny error rate is not a regression,
// however large the relative rise; past the floor it is.
func TestErrorRateNoiseFloor(t *testing.T) {
	b := &Baseline{Path: "old.json", MaxRegression: 0.1, Result: &result.Result{Profiles: []result.Profile{steady("baseline", 10, 20, 10000, 0)}}}
	for _, tt := range []struct {
		errors int64
		pass   bool
	}{{0, true}, {9, true}, {10, true}, {11, false}, {500, false}} {
		cur := &result.Result{Profiles: []result.Profile{steady("baseline", 10, 20, 10000, tt.errors)}}
		checks, _ := b.Judge(cur)
		c := checks[len(checks)-1]
		if c.Name != "baseline:error_rate" || c.Pass != tt.pass {
			t.Errorf("%d errors in 10000: %+v, want pass %v", tt.errors, c, tt.pass)
		}
	}
}

func TestLoadBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte(`{"schema": "loadplan/result/v1", "status": "complete", "profiles": [`), 0o644)
	interrupted := filepath.Join(dir, "interrupted.json")
	result.Write(interrupted, &result.Result{Schema: result.Schema, Status: result.StatusInterrupted, Profiles: []result.Profile{steady("baseline", 1, 1, 1, 0)}})
	empty := filepath.Join(dir, "empty.json")
	result.Write(empty, &result.Result{Schema: result.Schema, Status: result.StatusComplete})
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "missing.json"), "baseline: read result: open " + filepath.Join(dir, "missing.json") + ": no such file or directory"},
		{garbage, "baseline: " + garbage + ":1: truncated: the document ends early"},
		{interrupted, "baseline " + interrupted + ": the run is interrupted: compare with a complete run"},
		{empty, "baseline: " + empty + ": profiles: a complete run with no profile: nothing was measured"},
	}
	for _, tt := range tests {
		_, err := LoadBaseline(tt.path, 0.1)
		if err == nil || err.Error() != tt.want {
			t.Errorf("LoadBaseline(%s):\n got %v\nwant %s", filepath.Base(tt.path), err, tt.want)
		}
	}
}

func TestBaselineCheckProfiles(t *testing.T) {
	b := &Baseline{Path: "old.json", Result: &result.Result{Profiles: []result.Profile{steady("baseline", 1, 1, 1, 0), stress(5)}}}
	if err := b.CheckProfiles([]string{"stress", "spike"}); err != nil {
		t.Error(err)
	}
	err := b.CheckProfiles([]string{"target"})
	if want := "baseline old.json has baseline, stress, the run has target: no profile to compare"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func near(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 }

// A steady profile that offered another load than the baseline's is not
// compared on p95, p99 or errors (a difference may be the load's): one
// failed baseline:load check says why. The same load compares as before.
func TestBaselineAtAnotherLoad(t *testing.T) {
	at := func(rate float64) result.Profile {
		p := steady("baseline", 10, 20, 1000, 0)
		p.Stages = []result.Stage{{Offered: result.Offered{Load: rate, Unit: "req/s"}}}
		return p
	}
	b := &Baseline{Path: "old.json", MaxRegression: 0.1, Result: &result.Result{Profiles: []result.Profile{at(50)}}}
	checks, _ := b.Judge(&result.Result{Profiles: []result.Profile{at(150)}})
	if len(checks) != 1 || checks[0].Name != "baseline:load" || checks[0].Pass ||
		checks[0].Measured != 150 || checks[0].Limit != 50 ||
		!strings.Contains(checks[0].Detail, "not comparable with old.json: its stage 1 offered 150 req/s, the baseline's 50 req/s") {
		t.Errorf("another load: %+v, want one failed baseline:load check", checks)
	}
	// A closed-model run against an open-model baseline: the check names
	// no one unit for both figures (it read "measured 2 users, limit ==
	// 40 users" for a baseline of 40 req/s).
	closed := at(2)
	closed.Model, closed.Stages[0].Offered.Unit = "closed", "users"
	checks, _ = b.Judge(&result.Result{Profiles: []result.Profile{closed}})
	if len(checks) != 1 || checks[0].Name != "baseline:load" || checks[0].Pass || checks[0].Unit != "" {
		t.Errorf("users against req/s: %+v, want one failed baseline:load check with no unit", checks)
	}
	checks, _ = b.Judge(&result.Result{Profiles: []result.Profile{at(50)}})
	if len(checks) != 3 || checks[0].Name != "baseline:p95" || !checks[0].Pass {
		t.Errorf("the same load: %+v, want p95, p99 and error rate compared", checks)
	}
}

// TestBaselineFromAnotherScenario: a baseline whose scenario file was not
// this run's (another sha256) is still compared, by profile and request
// name, but the run's warnings say so: the names may match while the
// requests or their mix differ. The same file, or a result that carries
// no digest (a quick check), adds no such warning.
func TestBaselineFromAnotherScenario(t *testing.T) {
	judged := func(oldDigest, newDigest string) []string {
		old := &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{steady("baseline", 100, 200, 10000, 0)}}
		cur := &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{steady("baseline", 100, 200, 10000, 0)}}
		old.Scenario.Digest, cur.Scenario.Digest = oldDigest, newDigest
		b := &Baseline{Path: "old.json", Result: old, MaxRegression: 0.1}
		_, warnings := b.Judge(cur)
		var about []string
		for _, w := range warnings {
			if strings.Contains(w, "another scenario file") {
				about = append(about, w)
			}
		}
		return about
	}
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	got := judged(a, b)
	if want := "baseline old.json came from another scenario file than this run (sha256 aaaaaaaaaaaa…, this run's bbbbbbbbbbbb…)"; len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("another scenario: warnings %q, want one starting %q", got, want)
	}
	for _, same := range [][2]string{{a, a}, {"", b}, {a, ""}} {
		if got := judged(same[0], same[1]); len(got) != 0 {
			t.Errorf("digests %q / %q: warnings %q, want none about the scenario", same[0], same[1], got)
		}
	}
}
