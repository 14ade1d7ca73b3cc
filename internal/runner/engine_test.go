package runner

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
	"github.com/loadplan/loadplan/internal/verdict"
)

// TestRunNamesTheEngine: the result names what ran each profile — the
// event loop by default for plain requests to one http:// address (on
// Linux), the sender pool with why for a checked request or under
// LOADPLAN_ENGINE=pool, the users for the closed model — and the figures
// hold whichever ran: every scheduled request answered by the built-in
// target.
func TestRunNamesTheEngine(t *testing.T) {
	const target = "url: builtin, builtin: {workers: 4, service_time: 1ms}"
	plain := "version: 1\nname: e\ntarget: {" + target + "}\nrequests: [{name: get, path: /}]\nprofiles:\n  baseline: {rate: 20, duration: 1s}\n  target: {users: 2, duration: 500ms}\n"
	checked := strings.Replace(plain, "path: /}", "path: /, check: {status: [200]}}", 1)
	loop, why := "epoll", ""
	if runtime.GOOS != "linux" {
		loop, why = "pool", "the event loop needs Linux (epoll)"
	}
	for _, tc := range []struct {
		name, yaml       string
		engine           engine.Engine
		wantOpen, wantNt string
	}{
		{"default, plain", plain, engine.EngineAuto, loop, why},
		{"pool asked for", plain, engine.EnginePool, "pool", "LOADPLAN_ENGINE=pool"},
		{"default, a checked request", checked, engine.EngineAuto, "pool", `request "get" is not plain`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := Run(ctx, Options{Scenario: parse(t, tc.yaml), Version: "test", Seed: 1, MaxLateness: time.Second, Engine: tc.engine})
			if err != nil {
				t.Fatal(err)
			}
			open, closed := res.Profiles[0].Generator, res.Profiles[1].Generator
			if open.Engine != tc.wantOpen || !strings.Contains(open.EngineNote, tc.wantNt) || tc.wantNt == "" && open.EngineNote != "" {
				t.Errorf("open profile: engine %q, note %q; want %q, %q", open.Engine, open.EngineNote, tc.wantOpen, tc.wantNt)
			}
			if closed.Engine != "users" || closed.EngineNote != "" {
				t.Errorf("closed profile: engine %q, note %q; want users", closed.Engine, closed.EngineNote)
			}
			if tot := res.Profiles[0].Total; tot.Requests != 20 || tot.Errors != 0 {
				t.Errorf("open profile: %d requests, %d errors; want the 20 scheduled, no error", tot.Requests, tot.Errors)
			}
		})
	}
}

// TestEpollRefusedAfterAProfile: when the forced event loop cannot serve a
// later profile (its host's name stopped resolving), the run is a usage
// error (exit 2) that names the variable, the profile, the URL and why;
// the profiles measured before it are kept, with a warning, and the
// result does not pass; with none measured there is no result.
func TestEpollRefusedAfterAProfile(t *testing.T) {
	le := &engine.EventLoopError{Why: "api.invalid did not resolve to an address"}
	const want = "LOADPLAN_ENGINE=epoll: profile target (http://api.invalid/): api.invalid did not resolve to an address; nothing of it was sent"
	res := &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{testkit.MixProfile(t, 10)}}
	got, err := epollRefused(res, "target", "http://api.invalid/", le)
	if verdict.ExitCode(err) != verdict.ExitUsage || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v (exit %d), want exit 2 and %q", err, verdict.ExitCode(err), want)
	}
	if got != res || got.Pass || len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "profile target and any after it were not run") || got.Profiles[0].Verdict == nil {
		t.Errorf("result %p (want %p), pass %v, warnings %q, first profile judged %v: want the result kept, judged, not passed, one warning", got, res, got.Pass, got.Warnings, got.Profiles[0].Verdict != nil)
	}
	if got, err := epollRefused(&result.Result{}, "baseline", "http://api.invalid/", le); got != nil || verdict.ExitCode(err) != verdict.ExitUsage {
		t.Errorf("nothing measured: result %v, error %v; want none and exit 2", got, err)
	}
}
