package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
)

// TestAcceptanceSegmentedRunMatchesSingle: a 400 req/s, 5 s open-model run
// split into 4 segment processes that start together and merged with
// loadplan merge measures what one process measures: the same request
// count (the schedule's 2,000, within 1%) and the same latency percentiles
// (within noise), and the segments start within 500 ms of the common
// start (twice the most a busy machine has shown; a missed --start-at is
// a second off, or early).
func TestAcceptanceSegmentedRunMatchesSingle(t *testing.T) {
	race.Long(t, "acceptance test: builds the binary and runs 11 s of load")
	dir := t.TempDir()
	bin := filepath.Join(dir, "loadplan")
	build, cancelBuild := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancelBuild()
	if out, err := exec.CommandContext(build, "go", "build", "-o", bin, "github.com/loadplan/loadplan/cmd/loadplan").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The build may share the machine; the runs may not (make test).
	race.Exclusive(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	scenarioPath := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(scenarioPath, []byte(`version: 1
name: segment-acceptance
target: {url: `+srv.URL+`, timeout: 2s}
requests: [{name: get, path: /}]
profiles:
  baseline: {rate: 400, duration: 5s}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	// loadplan runs the binary and expects it to succeed, or to exit 1
	// only because its generator could not keep its schedule: on a machine
	// busy with other tests that happens, and is checked below.
	loadplan := func(resultPath string, args ...string) error {
		out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == ExitGateFailed && overloaded(resultPath) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("loadplan %v: %w\n%s", args, err, out)
		}
		return nil
	}

	// One process first, then the four segments: never both at once.
	singlePath := filepath.Join(dir, "single", "result.json")
	if err := loadplan(singlePath, "run", scenarioPath, "--out", filepath.Dir(singlePath), "--quiet"); err != nil {
		t.Fatal(err)
	}
	startAt := time.Now().Add(2500 * time.Millisecond).Truncate(time.Second)
	parts := runParts(t, dir, 4, startAt, func(res string, args ...string) error {
		return loadplan(res, append([]string{"run", scenarioPath}, args...)...)
	})
	merged := filepath.Join(dir, "merged", "result.json")
	if err := loadplan(merged, append([]string{"merge", "--quiet", merged}, parts...)...); err != nil {
		t.Fatal(err)
	}

	read := func(path string) *result.Profile {
		t.Helper()
		r, err := result.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		p := r.Profile("baseline")
		if p == nil {
			t.Fatalf("%s has no baseline profile", path)
		}
		return p
	}
	single := read(singlePath)
	m := read(merged)
	for i, path := range parts {
		r, err := result.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		off := r.Segment.ClockOffset.Duration()
		t.Logf("segment %d/4: %d requests, clock offset %v", i+1, r.Profiles[0].Total.Requests, off)
		// A few ms on an idle machine, 40–60 ms under -race beside other
		// tests, 228 ms once at load average 9 (four processes waking
		// together). A segment that missed --start-at is off by a second
		// or more (its own start, or the next whole second), or early.
		if off < 0 || off >= 500*time.Millisecond {
			t.Errorf("segment %d/4 started %v after --start-at, want < 500ms", i+1, off)
		}
	}
	t.Logf("single: %d requests, p50 %.3fms p95 %.3fms; merged: %d requests, p50 %.3fms p95 %.3fms",
		single.Total.Requests, single.Total.Response.P50, single.Total.Response.P95,
		m.Total.Requests, m.Total.Response.P50, m.Total.Response.P95)

	const schedule = 400 * 5
	within := func(got, want int64) bool { return math.Abs(float64(got-want)) <= 0.01*float64(want) }
	if !within(m.Total.Requests, schedule) || !within(m.Total.Requests, single.Total.Requests) {
		t.Errorf("merged run made %d requests, single %d, schedule %d: want within 1%% of both", m.Total.Requests, single.Total.Requests, schedule)
	}
	if m.Total.Errors != 0 || single.Total.Errors != 0 {
		t.Errorf("errors: merged %d, single %d", m.Total.Errors, single.Total.Errors)
	}
	// An overloaded generator's latencies measure the machine (they count
	// from the intended start), and two runs of it do not agree: compare
	// the percentiles only when both generators kept their schedules.
	if single.Generator.Invalid || m.Generator.Invalid {
		t.Logf("the machine is too busy for a latency comparison, which is skipped (single: %q; merged: %q); counts and clock offsets were checked",
			single.Generator.Reasons, m.Generator.Reasons)
		return
	}
	// HDR precision (0.1%) is nothing next to the noise of two separate
	// runs on a shared machine: loopback latencies are a few hundred
	// microseconds, so scheduler jitter moves a p95 by tens of percent
	// and a fixed floor is needed too. Within 20% or 2 ms, whichever is
	// larger, still catches a merge that averages percentiles across
	// segments badly, loses samples, or mixes units (µs vs ms: 1000×).
	for _, q := range []struct {
		name         string
		merged, once result.Millis
	}{
		{"p50", m.Total.Response.P50, single.Total.Response.P50},
		{"p95", m.Total.Response.P95, single.Total.Response.P95},
	} {
		tol := math.Max(0.2*float64(q.once), 2)
		if math.Abs(float64(q.merged-q.once)) > tol {
			t.Errorf("%s: merged %.3fms, single %.3fms: differ by more than %.3fms", q.name, q.merged, q.once, tol)
		}
	}
}
