package result

import "testing"

// TestRequestViewKeepsTheGeneratorsSecond: a request's view of a second
// keeps that second's facts that are the whole generator's (its start
// lateness, its wait for a CPU, its hiccup meter's stalls), which hold up
// this request's requests as they do the others'; the counts and
// latencies are the request's own. Before, the view dropped them, and a
// request's check read no stall of the generator (internal/gate had a
// near-copy of the narrowing that kept the stalls alone).
func TestRequestViewKeepsTheGeneratorsSecond(t *testing.T) {
	w := Window{Time: 100, Offset: 3, Offered: 100, Requests: 100, Throughput: 100, P50: 5,
		LatenessMax: 40, LatenessDue: 102.5, CPUWait: 12, CPUSlices: 900, Stall: 80, StallMax: 45,
		PerRequest: []RequestWindow{{Name: "fast", Requests: 90, P50: 1}, {Name: "slow", Requests: 10, Errors: 1, P50: 200, Max: 250, Hist: "h"}}}
	p := &Profile{Name: "target", Windows: []Window{w},
		Total: Stats{Requests: 100, PerRequest: []RequestStats{{Name: "fast", Requests: 90, ErrorsCounted: true}, {Name: "slow", Requests: 10, ErrorsCounted: true}}}}
	v, note, ok := RequestView(p, "slow")
	if !ok || note != "" || len(v.Windows) != 1 {
		t.Fatalf("view ok %v, note %q, %d windows", ok, note, len(v.Windows))
	}
	got := v.Windows[0]
	want := Window{Time: 100, Offset: 3, Offered: 10, Requests: 10, Errors: 1, Throughput: 10, P50: 200, Max: 250, Hist: "h",
		LatenessMax: 40, LatenessDue: 102.5, CPUWait: 12, CPUSlices: 900, Stall: 80, StallMax: 45}
	if got.Stall != want.Stall || got.StallMax != want.StallMax || got.CPUWait != want.CPUWait || got.CPUSlices != want.CPUSlices ||
		got.LatenessMax != want.LatenessMax || got.LatenessDue != want.LatenessDue {
		t.Errorf("the generator's second: %+v, want %+v", got, want)
	}
	if got.Requests != want.Requests || got.Errors != want.Errors || got.P50 != want.P50 || got.Max != want.Max || got.Hist != want.Hist || got.Offered != want.Offered {
		t.Errorf("the request's part: %+v, want %+v", got, want)
	}
}
