package runner

import (
	"fmt"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// flowStep gives the prepared request its flow-step parts: templates,
// checks, extractions, think time. A built-in target's URL template gets
// the base URL, known only now.
func flowStep(pr *engine.Prepared, r scenario.Request, sc *scenario.Scenario, base string) {
	pr.Check, pr.Extract, pr.Think = r.Check, r.Extract, r.Think
	if r.Dynamic == nil {
		return
	}
	d := *r.Dynamic
	if d.URL != nil && sc.Target.URL == scenario.BuiltinURL {
		u := d.URL.WithPrefix(strings.TrimSuffix(base, "/"))
		d.URL = &u
	}
	for _, h := range d.Headers {
		// The fixed form shows ${...}: never send it.
		pr.Header.Del(h.Name)
	}
	pr.Dynamic = &d
}

// addFlows puts the engine's flow and check counts into the profile's
// total. A scenario of plain requests without checks adds nothing, so its
// result reads as before.
func addFlows(prof *result.Profile, sc *scenario.Scenario, st engine.Stats, ran, planned time.Duration) {
	plain := sc.Flows == nil // a requests: list alone
	if !plain {
		prof.Generator.Iterations = st.Iterations
		if sc.Flows != nil && prof.Model == string(scenario.Open) {
			prof.Notes = append(prof.Notes, "open model with flows: the offered rate counts iterations (a scheduled start runs one flow iteration of one or more requests); the request rate is the start rate and throughput")
		}
		prof.Total.PerFlow = flowStats(st.Flows)
	}
	for i, fails := range st.CheckFailures {
		if fails == nil || i >= len(sc.Requests) {
			continue
		}
		names := sc.Requests[i].Check.Names()
		for k := range prof.Total.PerRequest {
			rs := &prof.Total.PerRequest[k]
			if rs.Name != sc.Requests[i].Name {
				continue
			}
			rs.Checks = map[string]int64{}
			for j, n := range fails {
				rs.Checks[names[j]] = n
			}
		}
	}
	if st.Exhausted {
		r := result.Sec(ran)
		prof.DataRanOut = &r
		prof.Notes = append(prof.Notes, fmt.Sprintf("a unique data source ran out of rows (on_exhausted: stop)"+ranOutNote+" %v of its planned %v; %s",
			ran.Round(100*time.Millisecond), planned, exhaustedText(st.Flows)))
	}
}

// ranOutNote is the part of a profile's note on its unique data running
// out that names the profile (a refinement step's note names the step:
// appendStep).
const ranOutNote = ": the profile stopped after"

// flowStats are the engine's flow counts as the result holds them.
func flowStats(fs []engine.FlowStats) []result.FlowStats {
	var out []result.FlowStats
	for _, f := range fs {
		out = append(out, result.FlowStats{Name: f.Name, Started: f.Started, Completed: f.Completed,
			Failed: f.Failed, Skipped: f.Skipped, Exhausted: f.Exhausted, RequestSteps: f.RequestSteps})
	}
	return out
}

func exhaustedText(fs []engine.FlowStats) string {
	var parts []string
	for _, f := range fs {
		if f.Exhausted > 0 {
			parts = append(parts, fmt.Sprintf("flow %s: %d iterations not begun", f.Name, f.Exhausted))
		}
	}
	return strings.Join(parts, ", ")
}
