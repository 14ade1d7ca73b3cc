package metrics

import (
	"maps"
	"testing"
	"time"
)

// TestPerNameCounts: each request name counts its own requests and errors
// by class, per stage, and the sum over names is the stage's.
func TestPerNameCounts(t *testing.T) {
	r := NewRecorder(Config{Names: []string{"items", "report"}, Epoch: testEpoch})
	rec := func(n int, name int, class ErrorClass, status int) {
		for i := range n {
			s := at(name, 0, time.Duration(i)*time.Millisecond, 0, 5*time.Millisecond, class, status)
			r.Record(i, &s)
		}
	}
	rec(90, 0, OK, 200)
	rec(7, 0, HTTP, 500)
	rec(3, 0, Timeout, 0)
	rec(10, 1, OK, 200)
	snap := r.Close()
	st := snap.Stages[0]
	items, report := st.PerName[0], st.PerName[1]
	if items.Requests != 100 || items.Errors != 10 || items.Response.TotalCount() != 90 {
		t.Errorf("items: %d requests, %d errors, %d ok; want 100, 10, 90", items.Requests, items.Errors, items.Response.TotalCount())
	}
	if want := map[string]int64{"http": 7, "timeout": 3}; !maps.Equal(items.ByClass, want) {
		t.Errorf("items by class %v, want %v", items.ByClass, want)
	}
	if report.Requests != 10 || report.Errors != 0 || len(report.ByClass) != 0 {
		t.Errorf("report: %d requests, %d errors %v; want 10, 0, none", report.Requests, report.Errors, report.ByClass)
	}
	if items.Requests+report.Requests != st.Requests || items.Errors+report.Errors != st.Errors {
		t.Errorf("names sum to %d/%d, stage has %d/%d", items.Requests+report.Requests, items.Errors+report.Errors, st.Requests, st.Errors)
	}
}

// TestPerNameWindows: with several names each second carries each name's
// counts and percentiles, and the second's own histogram is their merge,
// across shards.
func TestPerNameWindows(t *testing.T) {
	r := NewRecorder(Config{Names: []string{"fast", "slow"}, Epoch: testEpoch, Shards: 3})
	for i := range 200 {
		name, svc := 0, 2*time.Millisecond
		if i%4 == 0 {
			name, svc = 1, 100*time.Millisecond
		}
		class := OK
		if i%10 == 1 {
			class = HTTP
		}
		s := at(name, 0, time.Duration(i)*time.Millisecond, 0, svc, class, 500)
		r.Record(i, &s)
	}
	snap := r.Close()
	if len(snap.Windows) != 1 {
		t.Fatalf("%d windows, want 1", len(snap.Windows))
	}
	w := snap.Windows[0]
	if len(w.PerName) != 2 {
		t.Fatalf("%d per-name parts, want 2", len(w.PerName))
	}
	fast, slow := w.PerName[0], w.PerName[1]
	// 150 fast, of which 20 failed (i%10 == 1 is odd, never slow); 50 slow.
	if fast.Count != 150 || fast.Errors != 20 || slow.Count != 50 || slow.Errors != 0 {
		t.Errorf("fast %d/%d, slow %d/%d; want 150/20, 50/0", fast.Count, fast.Errors, slow.Count, slow.Errors)
	}
	if fast.P99 > 3*time.Millisecond || slow.P50 < 99*time.Millisecond {
		t.Errorf("fast p99 %v, slow p50 %v: the names' latencies are mixed", fast.P99, slow.P50)
	}
	hf, err := Decode(fast.Hist)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := Decode(slow.Hist)
	if err != nil {
		t.Fatal(err)
	}
	all, err := Decode(w.Hist)
	if err != nil {
		t.Fatal(err)
	}
	if hf.TotalCount() != 130 || hs.TotalCount() != 50 || all.TotalCount() != 180 {
		t.Errorf("histogram counts fast %d slow %d all %d, want 130, 50, 180", hf.TotalCount(), hs.TotalCount(), all.TotalCount())
	}
	if w.P95 < 99*time.Millisecond {
		t.Errorf("the second's p95 %v leaves out the slow name", w.P95)
	}
}

// TestOneNameNoPerName: a single name keeps windows as they were.
func TestOneNameNoPerName(t *testing.T) {
	r := NewRecorder(Config{Names: []string{"only"}, Epoch: testEpoch})
	s := at(0, 0, 0, 0, time.Millisecond, OK, 200)
	r.Record(0, &s)
	w := r.Close().Windows[0]
	if w.PerName != nil || w.Hist == "" {
		t.Errorf("one name: per-name %v, hist %q; want none and the second's", w.PerName, w.Hist)
	}
}
