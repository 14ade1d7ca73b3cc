package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// runSegments runs a small open-model scenario as two segments in this
// process, side by side from a common start, and returns their result
// files.
func runSegments(t *testing.T, srvURL string) []string {
	t.Helper()
	path := writeFile(t, "s.yaml", testkit.GetScenario("merge-test", "url: "+srvURL+", timeout: 2s", `slo: {p95: 500ms}
profiles:
  baseline: {rate: 40, duration: 2s}
`))
	at := time.Now().Add(1500 * time.Millisecond).Truncate(time.Second)
	return runParts(t, t.TempDir(), 2, at, func(res string, args ...string) error {
		env, _, stderr := testEnv(nil)
		code := Run(context.Background(), append([]string{"run", path}, args...), env)
		if code != 0 && (code != ExitGateFailed || !overloaded(res)) {
			return fmt.Errorf("segment %s: exit %d: %s", args[1], code, stderr)
		}
		return nil
	})
}

// overloaded reports whether a result's generator was the bottleneck. On a
// machine busy with other tests (and under -race) a generator can fall
// 10 ms behind even at 20 req/s; the run is then rightly invalid and exits
// 1, which is not what these tests are about.
func overloaded(path string) bool {
	r, err := result.Read(path)
	if err != nil {
		return false
	}
	for _, p := range r.Profiles {
		if p.Generator.Invalid {
			return true
		}
	}
	return false
}

// edited writes a changed copy of a result file and returns its path.
func edited(t *testing.T, path string, change func(*result.Result)) string {
	t.Helper()
	r, err := result.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	change(r)
	out := filepath.Join(t.TempDir(), filepath.Base(filepath.Dir(path))+".json")
	if err := result.Write(out, r); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMergeCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two segments for seconds (make test runs it)")
	}
	t.Parallel() // waits on two segments; an overloaded generator is allowed for (issue 17: the race pass)
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	parts := runSegments(t, srv.URL)
	var want int64
	for _, p := range parts {
		r, err := result.Read(p)
		if err != nil {
			t.Fatal(err)
		}
		if r.Segment == nil || r.Segment.Count != 2 {
			t.Fatalf("%s: segment %+v", p, r.Segment)
		}
		want += r.Profiles[0].Total.Requests
	}
	if want < 78 || want > 82 {
		t.Fatalf("the two segments made %d requests, want 80 (40 req/s for 2 s)", want)
	}

	t.Run("merges, judges and writes", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "merged", "result.json")
		env, stdout, stderr := testEnv(nil)
		// Parts in reverse order: the merge puts them in segment order.
		code := Run(context.Background(), []string{"merge", out, parts[1], parts[0]}, env)
		if code != 0 && (code != ExitGateFailed || !overloaded(out)) {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		r, err := result.Read(out)
		if err != nil {
			t.Fatal(err)
		}
		p := r.Profile("baseline")
		if p == nil || p.Total.Requests != want || p.Verdict == nil || p.Verdict.Pass != (code == 0) || r.Pass != (code == 0) {
			t.Fatalf("merged baseline (exit %d): %+v", code, p)
		}
		if len(r.Segments) != 2 || r.Segments[0].Index != 1 || r.Segment != nil || len(r.Warnings) != 0 {
			t.Errorf("segments %+v segment %+v warnings %q", r.Segments, r.Segment, r.Warnings)
		}
		if o := p.Stages[0].Offered; o.Load != 40 || o.Requests != 80 {
			t.Errorf("offered %+v, want the whole 40 req/s, 80 requests", o)
		}
		sum, err := os.ReadFile(filepath.Join(filepath.Dir(out), "summary.md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"## Verdict: ", "## Segments", "| 1/2 |", "| 2/2 |"} {
			if !strings.Contains(string(sum), s) {
				t.Errorf("summary.md lacks %q:\n%s", s, sum)
			}
		}
		if stdout.String() != string(sum) {
			t.Error("the summary printed is not the summary written")
		}
	})

	t.Run("json on stdout", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "m.json")
		env, stdout, stderr := testEnv(nil)
		if code := Run(context.Background(), []string{"merge", "--json", out, parts[0], parts[1]}, env); code != 0 && !overloaded(out) {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		if _, err := result.Parse("stdout", stdout.Bytes()); err != nil {
			t.Errorf("stdout is not a result document: %v", err)
		}
	})

	// A merge judges by the run's policy: parts (written before the default
	// error bound was recorded) whose every request failed merge into a
	// failing result, and an interrupted part never merges into a pass.
	t.Run("the default error bound and an interrupt hold in a merge", func(t *testing.T) {
		failed := func(r *result.Result) {
			for i := range r.Profiles {
				p := &r.Profiles[i]
				p.Rules.DefaultErrorRate = nil
				for _, s := range append([]*result.Stats{&p.Total}, statsOf(p)...) {
					s.Errors, s.ErrorRate = s.Requests, 1
				}
			}
		}
		out := filepath.Join(t.TempDir(), "failed.json")
		env, _, stderr := testEnv(nil)
		code := Run(context.Background(), []string{"merge", "--quiet", out, edited(t, parts[0], failed), edited(t, parts[1], failed)}, env)
		r, err := result.Read(out)
		if err != nil {
			t.Fatalf("exit %d, %v; stderr:\n%s", code, err, stderr)
		}
		p := r.Profile("baseline")
		var bound *result.Check
		for i, c := range p.Verdict.Checks {
			if c.Name == "error_rate" && c.Detail != "" {
				bound = &p.Verdict.Checks[i]
			}
		}
		if code != ExitGateFailed || r.Pass || p.Verdict.Pass || bound == nil || bound.Pass || bound.Limit != 0.01 || bound.Measured != 1 {
			t.Errorf("merged 100%% errors: exit %d, pass %v, verdict %s, bound %+v", code, r.Pass, p.Verdict.Answer, bound)
		}

		interrupted := func(r *result.Result) {
			r.Status = result.StatusInterrupted
			r.Profiles[0].Status = result.StatusInterrupted
		}
		out = filepath.Join(t.TempDir(), "interrupted.json")
		env, _, stderr = testEnv(nil)
		code = Run(context.Background(), []string{"merge", "--quiet", out, parts[0], edited(t, parts[1], interrupted)}, env)
		r, err = result.Read(out)
		if err != nil {
			t.Fatalf("exit %d, %v; stderr:\n%s", code, err, stderr)
		}
		if r.Pass || r.Profiles[0].Verdict.Pass {
			t.Errorf("a merge with an interrupted part passed (exit %d): %s", code, r.Profiles[0].Verdict.Answer)
		}
	})

	tests := []struct {
		name       string
		args       func(t *testing.T, out string) []string
		code       int
		wantStderr []string
		check      func(t *testing.T, r *result.Result)
	}{
		{
			name: "a failed expectation exits 1",
			args: func(t *testing.T, out string) []string {
				tight := func(r *result.Result) { v := result.Millis(0.001); r.Profiles[0].Rules.Expect.P95 = &v }
				return []string{out, edited(t, parts[0], tight), edited(t, parts[1], tight)}
			},
			code: ExitGateFailed,
			check: func(t *testing.T, r *result.Result) {
				if r.Pass || r.Profiles[0].Verdict.Pass {
					t.Error("the merged verdict passed a 1 µs p95 expectation")
				}
			},
		},
		{
			name: "an aborted segment exits 3",
			args: func(t *testing.T, out string) []string {
				return []string{out, parts[0], edited(t, parts[1], func(r *result.Result) {
					r.Status = result.StatusAborted
					r.Abort = &result.Abort{Profile: "baseline", Condition: "error_rate > 50% for 10s", Detail: "error rate 80%"}
				})}
			},
			code:       ExitAborted,
			wantStderr: []string{"error_rate > 50% for 10s", "segment 2/2"},
			check: func(t *testing.T, r *result.Result) {
				if r.Status != result.StatusAborted || r.Pass {
					t.Errorf("status %s pass %v", r.Status, r.Pass)
				}
			},
		},
		{
			name: "a segment whose generator was the bottleneck makes the run invalid",
			args: func(t *testing.T, out string) []string {
				return []string{out, parts[0], edited(t, parts[1], func(r *result.Result) {
					g := &r.Profiles[0].Generator
					g.Invalid, g.Reasons = true, []string{"start lateness p99 12ms > 10ms: the generator could not keep its schedule"}
				})}
			},
			code: ExitGateFailed,
			check: func(t *testing.T, r *result.Result) {
				p := r.Profiles[0]
				if !p.Generator.Invalid || p.Verdict.Pass || !strings.Contains(p.Verdict.Answer, "INVALID") || !strings.Contains(p.Verdict.Answer, "segment 2/2") {
					t.Errorf("generator %+v verdict %+v", p.Generator, p.Verdict)
				}
			},
		},
		{
			name: "a missing segment warns",
			args: func(t *testing.T, out string) []string { return []string{out, parts[1]} },
			code: 0,
			check: func(t *testing.T, r *result.Result) {
				if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "segment 1 of 2 missing") {
					t.Errorf("warnings %q", r.Warnings)
				}
			},
		},
		{name: "no arguments", args: func(*testing.T, string) []string { return nil }, code: ExitUsage},
		{name: "no parts", args: func(_ *testing.T, out string) []string { return []string{out} }, code: ExitUsage},
		{
			name:       "a part that does not exist",
			args:       func(_ *testing.T, out string) []string { return []string{out, parts[0], "/does/not/exist.json"} },
			code:       ExitUsage,
			wantStderr: []string{"/does/not/exist.json"},
		},
		{
			name: "a part that is not a result",
			args: func(t *testing.T, out string) []string {
				return []string{out, parts[0], writeFile(t, "broken.json", "{\n  \"schema\": \"loadplan/result/v1\",\n  \"status\": \n")}
			},
			code:       ExitUsage,
			wantStderr: []string{"broken.json:"},
		},
		{
			name: "a result that is not a segment",
			args: func(t *testing.T, out string) []string {
				return []string{out, parts[0], edited(t, parts[1], func(r *result.Result) { r.Segment = nil })}
			},
			code:       ExitUsage,
			wantStderr: []string{"part-2.json is not a segment"},
		},
		{
			name:       "the same segment twice",
			args:       func(_ *testing.T, out string) []string { return []string{out, parts[0], parts[0]} },
			code:       ExitUsage,
			wantStderr: []string{"are both segment 1 of 2"},
		},
		{
			name: "parts of another scenario",
			args: func(t *testing.T, out string) []string {
				return []string{out, parts[0], edited(t, parts[1], func(r *result.Result) { r.Scenario.Name = "other" })}
			},
			code:       ExitUsage,
			wantStderr: []string{`scenario "other"`},
		},
		{
			name:       "the output is a part",
			args:       func(_ *testing.T, _ string) []string { return []string{parts[0], parts[0], parts[1]} },
			code:       ExitUsage,
			wantStderr: []string{"is also a part"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "result.json")
			env, _, stderr := testEnv(nil)
			code := Run(context.Background(), append([]string{"merge", "--quiet"}, tt.args(t, out)...), env)
			if tt.code == 0 && code == ExitGateFailed && overloaded(out) {
				t.Log("the generator was overloaded: the merged run is rightly invalid")
			} else if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			for _, s := range tt.wantStderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr %q does not say %q", stderr, s)
				}
			}
			if tt.check == nil {
				if tt.code == ExitUsage {
					if _, err := os.Stat(out); err == nil {
						t.Error("a refused merge wrote its output")
					}
				}
				return
			}
			r, err := result.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
	// The parts themselves are never touched.
	for _, p := range parts {
		if _, err := result.Read(p); err != nil {
			t.Error(err)
		}
	}
}

// statsOf returns a profile's stages' figures.
func statsOf(p *result.Profile) []*result.Stats {
	out := make([]*result.Stats, len(p.Stages))
	for i := range p.Stages {
		out[i] = &p.Stages[i].Stats
	}
	return out
}

// TestQuietMergeSaysASegmentIsMissing: merge -q and --json of one segment
// of two say on stderr that the merged figures cover half the load (the
// summary they do not print says it); --json's stdout is one document.
func TestQuietMergeSaysASegmentIsMissing(t *testing.T) {
	t.Parallel() // one 1 s loopback run
	srv, _ := countingServer(t)
	dir := t.TempDir()
	runCommand(t, "run", "--url", srv.URL+"/fast", "--users", "2", "--think", "20ms", "--duration", "1s", "--segment", "1/2", "--out", dir, "--quiet")
	part := filepath.Join(dir, "result.json")
	const missing = "loadplan: warning: segment 2 of 2 missing: the merged figures cover 1 of 2 shares of the load"
	for _, mode := range []string{"--quiet", "--json"} {
		_, stdout, errb := runCommand(t, "merge", filepath.Join(t.TempDir(), "merged.json"), part, mode)
		if !strings.Contains(errb, missing) {
			t.Errorf("merge %s: stderr does not say a segment is missing:\n%s", mode, errb)
		}
		var res result.Result
		if mode == "--json" && json.Unmarshal([]byte(stdout), &res) != nil {
			t.Errorf("merge --json: stdout is not one JSON document:\n%s", stdout)
		}
	}
}
