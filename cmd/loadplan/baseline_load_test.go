package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestBaselineAtAnotherLoadRefusedBeforeSending: a run whose planned
// loads differ from its --baseline's is refused before the first request
// (exit 2, the baseline file, the profile and the stage named, nothing
// written); before, it sent all its load and then failed on baseline:load
// (exit 1). The counting server is the ground truth for "nothing sent". The
// same load after --scale, or a segment's share, runs.
func TestBaselineAtAnotherLoadRefusedBeforeSending(t *testing.T) {
	srv, hits := countingServer(t)
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	// A complete baseline that offered 40 req/s for 1 s (open model), held
	// to the 1 s lateness limit the runs below allow themselves (a run is
	// judged by the stricter of the two: a busy machine's generator is not
	// what this checks).
	if err := result.Write(old, &result.Result{Schema: result.Schema, Status: result.StatusComplete, Pass: true,
		Profiles: []result.Profile{{Name: "baseline", Model: "open", Status: result.StatusComplete,
			Generator: result.Generator{LatenessLimit: 1000},
			Stages:    []result.Stage{{Offered: result.Offered{From: 40, Load: 40, Unit: "req/s", Duration: 1}}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		load []string
		want string
	}{
		{"three times the rate", []string{"--rate", "120"}, "profile baseline: its stage 1 offered 120 req/s, the baseline's 40 req/s"},
		{"scaled to another rate", []string{"--rate", "40", "--scale", "2"}, "profile baseline: its stage 1 offered 80 req/s, the baseline's 40 req/s"},
		{"a segment's share", []string{"--rate", "40", "--segment", "1/2"}, "profile baseline: its stage 1 offered 20 req/s, the baseline's 40 req/s"},
		{"the closed model", []string{"--users", "2"}, "profile baseline: it ran the closed model, the baseline the open model"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			args := append([]string{"run", "--url", srv.URL, "--duration", "1s", "-o", out, "-q", "--baseline", old}, tc.load...)
			env, stdout, stderr := testEnv(nil)
			if code := Run(context.Background(), args, env); code != ExitUsage {
				t.Fatalf("exit %d, want 2; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
			}
			if msg := stderr.String(); !strings.Contains(msg, "--baseline: baseline "+old+" was run at another load (") || !strings.Contains(msg, tc.want) ||
				!strings.Contains(msg, "the run was not started") {
				t.Errorf("stderr %q: want the baseline file and %q", msg, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the run's folder %s: %v; want nothing written", out, err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server saw %d requests: a baseline at another load must stop the run before anything is sent", n)
	}

	// The baseline's load, as written, scaled back to it or a segment of
	// twice it: the run goes ahead (the checks after the run compare it).
	for _, load := range [][]string{{"--rate", "40"}, {"--rate", "80", "--scale", "0.5"}, {"--rate", "80", "--segment", "2/2"}} {
		before := hits.Load()
		args := append([]string{"run", "--url", srv.URL, "--duration", "1s", "-o", filepath.Join(dir, "same"), "-q", "--max-lateness", "1s", "--baseline", old}, load...)
		env, stdout, stderr := testEnv(nil)
		if code := Run(context.Background(), args, env); code != ExitOK {
			t.Errorf("%v: exit %d, want 0; stderr:\n%s\nstdout:\n%s", load, code, stderr, stdout)
		}
		if hits.Load() == before {
			t.Errorf("%v: the server saw no request: a run at the baseline's load must go ahead", load)
		}
	}
}

// TestInvalidBaselineRefusedBeforeSending: a --baseline whose profile is
// INVALID (its generator was the bottleneck) cannot judge any run, so the
// run is refused before the first request (exit 2, the file, the profile
// and the baseline's reason named, nothing written); before, it sent all
// its load and then failed on baseline:valid. A baseline INVALID only in a
// profile the run does not run does not stop it.
func TestInvalidBaselineRefusedBeforeSending(t *testing.T) {
	srv, hits := countingServer(t)
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	profile := func(name string, invalid bool) result.Profile {
		p := result.Profile{Name: name, Model: "open", Status: result.StatusComplete,
			Stages: []result.Stage{{Offered: result.Offered{From: 40, Load: 40, Unit: "req/s", Duration: 1}}}}
		if !invalid {
			// Held to 1 s, as the run that goes ahead below (the stricter
			// of the two limits judges it).
			p.Generator.LatenessLimit = 1000
		}
		if invalid {
			// Its figures say so: the baseline is judged again when loaded.
			p.Generator.LatenessP99 = 15
			p.Generator.Invalid, p.Generator.Reasons = true, []string{"start lateness p99 15ms > 10ms: the generator could not keep its schedule"}
		}
		return p
	}
	write := func(ps ...result.Profile) {
		t.Helper()
		if err := result.Write(old, &result.Result{Schema: result.Schema, Status: result.StatusComplete, Profiles: ps}); err != nil {
			t.Fatal(err)
		}
	}
	write(profile("baseline", true))
	out := filepath.Join(dir, "refused")
	env, stdout, stderr := testEnv(nil)
	args := []string{"run", "--url", srv.URL, "--rate", "40", "--duration", "1s", "-o", out, "-q", "--baseline", old}
	if code := Run(context.Background(), args, env); code != ExitUsage {
		t.Fatalf("exit %d, want 2; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
	}
	if msg := stderr.String(); !strings.Contains(msg, "--baseline: baseline "+old+" is INVALID for profile baseline (start lateness p99 15ms > 10ms: the generator could not keep its schedule)") ||
		!strings.Contains(msg, "the run was not started") {
		t.Errorf("stderr %q: want the file, the profile, the reason and that the run was not started", msg)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the run's folder %s: %v; want nothing written", out, err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server saw %d requests: an INVALID baseline must stop the run before anything is sent", n)
	}

	// INVALID only in a profile this run does not run: it goes ahead.
	write(profile("baseline", false), profile("other", true))
	env, stdout, stderr = testEnv(nil)
	args = []string{"run", "--url", srv.URL, "--rate", "40", "--duration", "1s", "-o", filepath.Join(dir, "ran"), "-q", "--max-lateness", "1s", "--baseline", old}
	if code := Run(context.Background(), args, env); code != ExitOK || hits.Load() == 0 {
		t.Errorf("a baseline INVALID only elsewhere: exit %d (want 0), %d requests seen; stderr:\n%s\nstdout:\n%s", code, hits.Load(), stderr, stdout)
	}
}
