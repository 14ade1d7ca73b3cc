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

// TestRequestViewKeepsASecondTheRequestMissed: a second in which the
// generator stalled 400 ms and request "slow" completed nothing is in the
// view, with no requests and the stall, so that a reader of the stalls
// (verdict's quiet seconds) does not read the second after it as quiet
// (review of session 21: the view dropped the second, and the steady part
// filled it in empty, without its stall).
func TestRequestViewKeepsASecondTheRequestMissed(t *testing.T) {
	part := func(n int64) []RequestWindow {
		return []RequestWindow{{Name: "fast", Requests: 90}, {Name: "slow", Requests: n}}
	}
	p := &Profile{Name: "target", Windows: []Window{
		{Time: 100, Offset: 3, Offered: 100, Requests: 100, PerRequest: part(10)},
		{Time: 101, Offset: 4, Offered: 100, Requests: 90, Stall: 400, StallMax: 400, PerRequest: part(0)[:1]},
		{Time: 102, Offset: 5, Offered: 100, Requests: 100, PerRequest: part(10)}},
		Total: Stats{Requests: 290, PerRequest: []RequestStats{{Name: "fast", Requests: 270, ErrorsCounted: true}, {Name: "slow", Requests: 20, ErrorsCounted: true}}}}
	v, _, ok := RequestView(p, "slow")
	if !ok || len(v.Windows) != 3 {
		t.Fatalf("view ok %v, %d windows, want 3", ok, len(v.Windows))
	}
	if w := v.Windows[1]; w.Offset != 4 || w.Requests != 0 || w.StallMax != 400 || w.Stall != 400 {
		t.Errorf("the missed second: %+v, want offset 4, no requests, the 400 ms stall", w)
	}
}
