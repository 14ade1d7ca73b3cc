package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

// lastFrame is what a bar's line shows last: the text after the last
// occurrence of the profile's name in the terminal output.
func lastFrame(out, name string) string {
	i := strings.LastIndex(out, name)
	if i < 0 {
		return ""
	}
	frame, _, _ := strings.Cut(out[i:], "\n")
	return frame
}

// A finished bar shows the profile's totals, not its last second: a closed
// model that ended with 0 users offered and 4/s completed in its last second
// made 100 requests in 2 s, 3 of them errors.
func TestFinishedBarShowsTotals(t *testing.T) {
	var out bytes.Buffer
	bars := newProgressBars(&out)
	last := runner.Live{Elapsed: 2 * time.Second, Total: 2 * time.Second, Offered: 0, Unit: "users", Throughput: 4, LastOK: 4, Requests: 100, Errors: 3}
	p := scenario.Profile{Name: "baseline", Model: scenario.Closed, Stages: []scenario.Stage{{Load: 5, Duration: 2 * time.Second}}}
	done := bars.onProfile(p, func() runner.Live { return last })
	done()
	bars.wait()
	frame := lastFrame(out.String(), "baseline")
	if !strings.Contains(frame, "done in 2s: 100 requests, mean 50.0/s, errors 3") || strings.Contains(frame, "offered") {
		t.Errorf("finished bar %q: want the totals (100 requests, mean 50.0/s, errors 3), not the last second", frame)
	}
}

// End to end against a loopback server: 50 req/s for 2 s is 100 requests;
// the finished bar says so. (--max-lateness 1s: on a busy machine the start
// lateness may pass the 10ms default, which would fail the run; it is not
// what this test checks.)
func TestRunFinishedBarTotals(t *testing.T) {
	t.Parallel() // waits on a loopback run (lateness limit 1 s) (issue 17: the race pass)
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	env, stdout, stderr := testEnv(nil)
	env.IsTerminal = true
	code := Run(context.Background(), []string{"run", "--url", srv.URL, "--rate", "50", "--duration", "2s", "--max-lateness", "1s", "--out", t.TempDir()}, env)
	if code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
	}
	frame := lastFrame(strings.Split(stdout.String(), "loadplan: ")[0], "baseline")
	if !strings.Contains(frame, ": 100 requests, mean 50.0/s, errors 0") {
		t.Errorf("finished bar %q: want 100 requests, mean 50.0/s, errors 0", frame)
	}
}
