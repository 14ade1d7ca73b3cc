package main

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/dnstest"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// TestRunEngineFromTheEnvironment: LOADPLAN_ENGINE=epoll on a run the
// event loop cannot serve, or an unknown value, exits 2 with the reason
// and sends nothing; a plain quick check runs on the event loop by default
// (on Linux) and says so on the terminal and in result.json.
func TestRunEngineFromTheEnvironment(t *testing.T) {
	t.Parallel() // waits on loopback runs; the environment is testEnv's map, not the process's (issue 17: make check)
	srv, hits := testkit.CountingServer(t, 0)
	for _, tc := range []struct {
		name, engine string
		args         []string
		want         string
	}{
		{"epoll and the closed model", "epoll", []string{"--users", "2"}, "LOADPLAN_ENGINE=epoll: profile baseline is closed-model"},
		{"epoll and net/http", "epoll", []string{"--rate", "10", "--client", "std"}, "LOADPLAN_ENGINE=epoll: the event loop needs the fast HTTP/1.1 client"},
		{"unknown engine", "fast", []string{"--rate", "10"}, `LOADPLAN_ENGINE=fast: engine "fast": want epoll`},
	} {
		env, _, stderr := testEnv(map[string]string{"LOADPLAN_ENGINE": tc.engine})
		args := append([]string{"run", "--url", srv.URL, "--duration", "1s", "--out", t.TempDir(), "--quiet"}, tc.args...)
		if code := Run(context.Background(), args, env); code != ExitUsage || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.name, code, stderr, tc.want)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests sent by runs refused", n)
	}

	out := t.TempDir()
	env, stdout, stderr := testEnv(nil)
	if code := Run(context.Background(), []string{"run", "--url", srv.URL, "--rate", "20", "--duration", "500ms", "--max-lateness", "1s", "--out", out}, env); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	res, err := result.Read(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, line := "epoll", "Engine: event loop (epoll) for baseline\n"
	if runtime.GOOS != "linux" {
		want, line = "pool", "Engine: sender pool for baseline (the event loop needs Linux (epoll))\n"
	}
	if g := res.Profiles[0].Generator; g.Engine != want || res.Profiles[0].Total.Requests != hits.Load() || hits.Load() != 10 {
		t.Errorf("engine %q (want %q), %d requests recorded, %d served, want the 10 scheduled", g.Engine, want, res.Profiles[0].Total.Requests, hits.Load())
	}
	if !strings.Contains(stdout.String(), line) {
		t.Errorf("the terminal view lacks %q:\n%s", line, stdout)
	}
}

// TestRunEpollNameDoesNotResolve: LOADPLAN_ENGINE=epoll on a target whose
// name does not resolve when the profile starts (a loopback DNS server
// answers "no such name") exits 2, as any run the event loop cannot serve,
// names the variable, the URL and the host, and writes no result; the
// default engine runs the same URL on the sender pool (each request a dns
// error, exit 1).
func TestRunEpollNameDoesNotResolve(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the event loop needs Linux: LOADPLAN_ENGINE=epoll is refused before the run elsewhere")
	}
	url, stop := dnstest.Unresolvable(t)
	defer stop()
	out := t.TempDir()
	env, _, stderr := testEnv(map[string]string{"LOADPLAN_ENGINE": "epoll"})
	code := Run(context.Background(), []string{"run", "--url", url, "--rate", "10", "--duration", "500ms", "--out", out, "--quiet"}, env)
	for _, want := range []string{"LOADPLAN_ENGINE=epoll: profile baseline (" + url + "): loadplan-test.invalid did not resolve", "nothing of it was sent"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	if code != ExitUsage {
		t.Errorf("exit %d, want 2", code)
	}
	if _, err := result.Read(filepath.Join(out, "result.json")); err == nil {
		t.Error("a result.json was written for a run that measured nothing")
	}

	env, _, stderr = testEnv(nil)
	code = Run(context.Background(), []string{"run", "--url", url, "--rate", "10", "--duration", "500ms", "--out", out, "--quiet"}, env)
	res, err := result.Read(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatalf("default engine: exit %d, %v: %s", code, err, stderr)
	}
	if p := res.Profiles[0]; code != 1 || p.Generator.Engine != "pool" || p.Total.Errors != 5 || p.Total.Requests != 5 {
		t.Errorf("default engine: exit %d, engine %q, %d requests, %d errors; want 1, pool, 5 requests that all failed", code, p.Generator.Engine, p.Total.Requests, p.Total.Errors)
	}
}
