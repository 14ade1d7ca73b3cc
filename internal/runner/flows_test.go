package runner

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// TestFlowExtractionAndChecks runs a two-step flow with each client: the
// first step's header, cookie and regular-expression extractions must
// reach the second step's query exactly as the server set them, the
// cookie jar must send the cookie back, and the second step's checks are
// judged against a body the server fixes (max_size fails on every
// response, the others pass), counted per check and as class check.
func TestFlowExtractionAndChecks(t *testing.T) {
	for _, client := range []string{"fast", "std"} {
		t.Run(client, func(t *testing.T) {
			var mu sync.Mutex
			seen := map[string]int{}
			mux := http.NewServeMux()
			mux.HandleFunc("GET /a", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Session", "s 1")
				http.SetCookie(w, &http.Cookie{Name: "sid", Value: "c1", Path: "/"})
				fmt.Fprint(w, `<p>rid=r42</p>`)
			})
			mux.HandleFunc("GET /b", func(w http.ResponseWriter, r *http.Request) {
				c, _ := r.Cookie("sid")
				mu.Lock()
				seen[r.URL.RawQuery+" cookie="+fmt.Sprint(c != nil && c.Value == "c1")]++
				mu.Unlock()
				fmt.Fprint(w, `{"ok": true, "msg": "hello world"}`)
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			sc := parse(t, `version: 1
name: flows
target: {url: "`+srv.URL+`", client: `+client+`}
flows:
  - name: f
    steps:
      - name: a
        path: /a
        extract:
          session: {header: X-Session}
          sid: {cookie: sid}
          rid: {regex: 'rid=([a-z0-9]+)'}
      - name: b
        path: /b?s=${session}&c=${sid}&r=${rid}
        check: {status: [200], body_contains: hello, json: {"$.ok": true}, matches: 'h.llo', max_size: 10}
profiles:
  baseline: {users: 2, duration: 500ms}
`)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			res, err := Run(ctx, Options{Scenario: sc, Version: "test", Seed: 1, MaxLateness: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			p := res.Profiles[0]
			b := perRequest(p, "b")
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 1 || seen["s=s%201&c=c1&r=r42 cookie=true"] == 0 {
				t.Fatalf("server saw %v, want only s=s%%201&c=c1&r=r42 with the cookie", seen)
			}
			// Every b fails (max_size), so b's successes (RequestStats.OK)
			// are none and its failures are the flow's.
			f := perFlow(p, "f")
			want := map[string]int64{"status": 0, "body_contains": 0, "json $.ok": 0, "matches": 0, "max_size": f.Failed}
			if fmt.Sprint(b.Checks) != fmt.Sprint(want) || f.Failed == 0 || b.OK() != 0 {
				t.Errorf("checks %v, want %v (b's successes %d)", b.Checks, want, b.OK())
			}
			if got := p.Total.ErrorClasses["check"]; got != f.Failed || p.Total.Errors != f.Failed {
				t.Errorf("class check %d, errors %d, want %d", got, p.Total.Errors, f.Failed)
			}
			if f.Completed != 0 || f.Skipped != 0 || f.Started < f.Failed || f.Started > f.Failed+2 {
				t.Errorf("flow %+v: each iteration fails at its last step (2 users may be cut mid-iteration)", f)
			}
		})
	}
}

// TestRequestsListKeepsItsResult: a requests: list without checks runs as
// before: no per-flow counts, no check counts, so its result reads as an
// older one did.
func TestRequestsListKeepsItsResult(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	res, err := Run(context.Background(), Options{Scenario: parse(t, `version: 1
name: plain
target: {url: "`+srv.URL+`"}
requests: [{name: a, path: /}, {name: b, path: /b, weight: 3}]
profiles:
  baseline: {rate: 20, duration: 300ms}
`), Version: "test", Seed: 1, MaxLateness: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Profiles[0]
	if p.Total.PerFlow != nil || p.Total.PerRequest[0].Checks != nil || p.Total.Requests == 0 {
		t.Errorf("per flow %v, checks %v, requests %d", p.Total.PerFlow, p.Total.PerRequest[0].Checks, p.Total.Requests)
	}
}

// TestFlowRunOffersIterations: an open-model profile of flows offers
// flow iterations a second, and result.json's offered unit says so
// (iterations/s); before, it read req/s for 20 iterations/s of a 2-step
// flow (40 req/s). A requests: list still offers req/s.
func TestFlowRunOffersIterations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	for _, c := range []struct{ body, want string }{
		{"flows:\n  - name: f\n    steps: [{name: a, path: /a}, {name: b, path: /b}]\n", "iterations/s"},
		{"requests: [{name: a, path: /a}]\n", "req/s"},
	} {
		res, err := Run(context.Background(), Options{Scenario: parse(t, `version: 1
name: units
target: {url: "`+srv.URL+`"}
`+c.body+`profiles:
  baseline: {rate: 20, duration: 300ms}
`), Version: "test", Seed: 1, MaxLateness: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if u := res.Profiles[0].Stages[0].Offered.Unit; u != c.want {
			t.Errorf("%s: offered unit %q, want %q", c.want, u, c.want)
		}
	}
}

// TestAcceptanceFlowRampStopsAtTheVerdictsBreak: a 2-step flow ramped 10,
// 25, 40, 55 iterations/s (20, 50, 80, 110 req/s) against the built-in
// service of 2 workers × 50 ms fixed (40 req/s, 20 iterations/s). Step 2
// completes about 40 of 50 req/s offered: 20% short, broken; in
// iterations/s (40 completed of 25 offered) nothing is short and its
// throughput doubled for 2.5 times the load, so no plateau either. The live
// judge judged iterations/s and stopped the ramp only in step 4, after step
// 3's plateau, where the verdict's first break is step 2; it now counts
// requests as the verdict does (result.Profile.RequestsPerStart from the flows'
// live counts) and stops in step 3. About 14 s.
func TestAcceptanceFlowRampStopsAtTheVerdictsBreak(t *testing.T) {
	race.Long(t, "a 5 s-step stress ramp against the built-in service")
	race.Waiting(t)
	res := runScenario(t, `version: 1
name: flowramp
target:
  url: builtin
  timeout: 30s
  builtin: { workers: 2, service_time: 50ms, distribution: fixed, queue: 100000 }
flows:
  - name: two
    steps:
      - { name: a, path: /a }
      - { name: b, path: /b }
slo:
  p95: 30s
  error_rate: 1%
profiles:
  stress:
    rate: { start: 10, step: 15, max: 55 }
    step_duration: 5s
`)
	p := res.Profiles[0]
	s := p.Verdict.Stress
	for _, st := range s.Steps {
		t.Logf("step %d: %.1f req/s offered, %.1f completed, complete %v, broken %v %s", st.Index+1, st.Offered, st.Throughput, st.Complete, st.Broken, st.Detail)
	}
	if s.FirstBroken == nil || *s.FirstBroken != 1 {
		t.Fatalf("first broken %v, want step 2 (50 req/s offered, 40 served): %s", s.FirstBroken, p.Verdict.Answer)
	}
	if off := s.Steps[1].Offered; math.Abs(off-50) > 0.5 {
		t.Errorf("step 2 offered %.2f req/s, want 50 (25 iterations/s × 2 requests)", off)
	}
	// The live judge stops the ramp in the step after the break (break.confirm 0).
	if len(s.Steps) != 3 || s.Steps[2].Complete || s.StepsNotRun != 1 {
		t.Errorf("steps run %d (step 3 complete %v), %d not run; want the ramp stopped during step 3, step 4 not run",
			len(s.Steps), len(s.Steps) > 2 && s.Steps[2].Complete, s.StepsNotRun)
	}
}

// TestPlannedProfilesKeepFlowSteps: --baseline refuses a run before it
// starts whose planned load differs from the baseline's
// (verdict.LoadDifference), and in the closed model that reads the flows'
// request steps (users think after each iteration): the planned profiles
// record them as the run's result will, so a closed run of a 2-step flow
// is not refused against its own baseline, and is against a list's.
func TestPlannedProfilesKeepFlowSteps(t *testing.T) {
	sc := parse(t, `version: 1
name: units
target: {url: "http://127.0.0.1:1"}
flows:
  - name: f
    steps: [{name: a, path: /a}, {name: b, path: /b}]
profiles:
  baseline: {users: 4, think: 100ms, duration: 6s}
`)
	planned := plannedProfiles(Options{Scenario: sc})
	if len(planned) != 1 {
		t.Fatalf("%d planned profiles", len(planned))
	}
	ran := planned[0]
	ran.Total.PerFlow = []result.FlowStats{{Name: "f", Started: 170, Completed: 170, RequestSteps: 2}}
	if why := verdict.LoadDifference(&ran, &planned[0], "the baseline"); why != "" {
		t.Errorf("a flows run against its own baseline: %s", why)
	}
	list := planned[0]
	list.Total.PerFlow = nil
	if why := verdict.LoadDifference(&list, &planned[0], "the baseline"); !strings.Contains(why, "after each flow iteration") {
		t.Errorf("a flows run against a list's baseline: %q", why)
	}
}
