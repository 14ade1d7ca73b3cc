package verdict

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestLoadDifferenceRefinement: two runs of one stress scenario against
// systems of different capacity break at different steps, so their
// refinement steps (break.refine) bisect different brackets: that is no
// load difference. A planned step offered another load is one.
func TestLoadDifferenceRefinement(t *testing.T) {
	stress := func(loads ...float64) *result.Profile {
		p := &result.Profile{Name: "stress", Model: "open"}
		for i, l := range loads {
			st := result.Stage{Index: i, Offered: result.Offered{Load: l, Unit: "req/s"}}
			st.Refinement = i >= 4 // four planned steps, then refinements
			p.Stages = append(p.Stages, st)
		}
		return p
	}
	old := stress(400, 800, 1200, 1600, 1000, 1100)
	if why := LoadDifference(old, stress(400, 800, 1200, 1600, 1400, 1500), "the old run"); why != "" {
		t.Errorf("refinements at other loads read as a load difference: %s", why)
	}
	if why := LoadDifference(old, stress(400, 800, 1200, 1600), "the old run"); why != "" {
		t.Errorf("no refinement against refinements: %s", why)
	}
	why := LoadDifference(old, stress(400, 800, 1300, 1600, 1000, 1100), "the old run")
	if !strings.Contains(why, "its stage 3 offered 1300 req/s, the old run's 1200 req/s") {
		t.Errorf("a planned step at another load: %q", why)
	}
}

// TestLoadDifferenceThink: in the closed model the same users with
// another think time offer another load (8 users against 16 × 10 ms:
// 385 req/s thinking 10 ms, 196 thinking 30 ms, which compare read as a
// 49% throughput regression of an unchanged service); a result without
// the think time (written before it was recorded) is not refused on it.
func TestLoadDifferenceThink(t *testing.T) {
	closed := func(think *result.Seconds) *result.Profile {
		return &result.Profile{Name: "target", Model: "closed", Stages: []result.Stage{
			{Offered: result.Offered{Load: 8, Unit: "users", Think: think}}}}
	}
	sec := func(s float64) *result.Seconds { v := result.Seconds(s); return &v }
	why := LoadDifference(closed(sec(0.01)), closed(sec(0.03)), "the old run")
	if want := "its stage 1 offered 8 users thinking 0.03s between requests, the old run's 8 users thinking 0.01s"; why != want {
		t.Errorf("got %q, want %q", why, want)
	}
	for _, pair := range [][2]*result.Seconds{{sec(0.01), sec(0.01)}, {nil, sec(0.03)}, {sec(0.01), nil}} {
		if why := LoadDifference(closed(pair[0]), closed(pair[1]), "the old run"); why != "" {
			t.Errorf("think %v against %v: %q", pair[0], pair[1], why)
		}
	}
}

// TestLoadDifferenceJitter: the same users and mean think time with
// another jitter offer the same mean load in another shape (32 users
// thinking 10 ms ±90% against none, 16 × 10 ms fixed service: p95 13.6
// against 12.4 ms, five runs a side); a result without the jitter
// (written before it was recorded), or users that do not think, are not
// refused on it.
func TestLoadDifferenceJitter(t *testing.T) {
	sec := func(s float64) *result.Seconds { v := result.Seconds(s); return &v }
	share := func(f float64) *float64 { return &f }
	closed := func(think *result.Seconds, jitter *float64) *result.Profile {
		return &result.Profile{Name: "target", Model: "closed", Stages: []result.Stage{
			{Offered: result.Offered{Load: 32, Unit: "users", Think: think, ThinkJitter: jitter}}}}
	}
	why := LoadDifference(closed(sec(0.01), share(0)), closed(sec(0.01), share(0.9)), "the old run")
	if want := "its stage 1 offered 32 users thinking 0.01s ±90%, the old run's 32 users thinking 0.01s ±0%"; why != want {
		t.Errorf("got %q, want %q", why, want)
	}
	for _, tt := range []struct {
		think [2]*result.Seconds
		jit   [2]*float64
	}{
		{[2]*result.Seconds{sec(0.01), sec(0.01)}, [2]*float64{share(0.2), share(0.2)}},
		{[2]*result.Seconds{sec(0.01), sec(0.01)}, [2]*float64{nil, share(0.9)}},
		{[2]*result.Seconds{sec(0.01), sec(0.01)}, [2]*float64{share(0.9), nil}},
		{[2]*result.Seconds{sec(0), sec(0)}, [2]*float64{share(0), share(0.9)}},
		{[2]*result.Seconds{nil, sec(0.01)}, [2]*float64{nil, share(0.9)}},
	} {
		if why := LoadDifference(closed(tt.think[0], tt.jit[0]), closed(tt.think[1], tt.jit[1]), "the old run"); why != "" {
			t.Errorf("think %v jitter %v against %v %v: %q", tt.think[0], tt.jit[0], tt.think[1], tt.jit[1], why)
		}
	}
}

// TestLoadDifferenceThinkPerIteration: in the closed model a user of
// flows thinks after each iteration, one of a requests: list after each
// request, so the same users and think time offer other loads: 4 users
// thinking 100 ms against 16 built-in workers × 20 ms sent 33.6 req/s
// from a list of two requests and 56.0 req/s from a flow of their two
// steps (truth 33.3 and 57.1), which compare read as throughput +66.7%,
// PASS, like for like. Two runs of flows, of a list, without think time
// or without request_steps (older results) are not told apart so.
func TestLoadDifferenceThinkPerIteration(t *testing.T) {
	closed := func(think float64, steps ...int) *result.Profile {
		th := result.Seconds(think)
		p := &result.Profile{Name: "baseline", Model: "closed",
			Stages: []result.Stage{{Offered: result.Offered{Load: 4, Unit: "users", Think: &th}}}}
		for _, k := range steps {
			p.Total.PerFlow = append(p.Total.PerFlow, result.FlowStats{Name: "f", RequestSteps: k})
		}
		return p
	}
	why := LoadDifference(closed(0.1), closed(0.1, 2), "the old run")
	if want := "its stage 1 offered 4 users thinking 0.1s after each flow iteration (flows: of several requests), the old run's after each request"; why != want {
		t.Errorf("flows against a list: %q, want %q", why, want)
	}
	if why := LoadDifference(closed(0.1, 2), closed(0.1, 1, 1), "the old run"); !strings.Contains(why, "after each request, the old run's after each flow iteration") {
		t.Errorf("one-step flows against a 2-step flow: %q", why)
	}
	for _, c := range []struct {
		name     string
		old, new *result.Profile
	}{{"flows", closed(0.1, 2), closed(0.1, 3, 2)}, {"lists", closed(0.1), closed(0.1, 1)},
		{"no think time", closed(0), closed(0, 2)}, {"older result", closed(0.1, 0), closed(0.1, 2)}} {
		if why := LoadDifference(c.old, c.new, "the old run"); why != "" {
			t.Errorf("%s: %q, want no difference", c.name, why)
		}
	}
}
