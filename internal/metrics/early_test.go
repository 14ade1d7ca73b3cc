package metrics

import (
	"testing"
	"time"
)

// TestEarlyStartCountsFromSend: a start the pacer sent before its intended
// time (an early allowance) has its latency counted from when it was sent,
// never from the later intended time, which would understate it; its
// lateness is 0. A late start still counts from its intended time. Here a
// request intended at 10 ms, sent at 9.5 ms and answered at 29.5 ms took
// 20 ms (not 19.5); one intended at 40 ms, sent at 43 ms and answered at
// 53 ms took 13 ms from its intended start. The same for a failed request,
// and for the second's window.
func TestEarlyStartCountsFromSend(t *testing.T) {
	ms := time.Millisecond
	early := Sample{Intended: int64(10 * ms), Start: int64(9500 * time.Microsecond), End: int64(29500 * time.Microsecond), Status: 200}
	late := at(0, 0, 40*ms, 3*ms, 10*ms, OK, 200)
	failed := Sample{Intended: int64(60 * ms), Start: int64(59500 * time.Microsecond), End: int64(89500 * time.Microsecond), Class: Timeout}
	if d := early.Response(); d != 20*ms {
		t.Errorf("early sample's response %v, want 20ms", d)
	}
	if d := early.Lateness(); d != 0 {
		t.Errorf("early sample's lateness %v, want 0", d)
	}
	r := NewRecorder(Config{Names: []string{"get"}, Stages: 1})
	for _, s := range []Sample{early, late, failed} {
		r.Record(0, &s)
	}
	st := r.Close().Stages[0]
	resp := Summarize(st.Response())
	if !equivalent(resp.Min, 13*ms) || !equivalent(resp.Max, 20*ms) {
		t.Errorf("responses from %v to %v, want 13ms (late, from its intended start) to 20ms (early, from its send)", resp.Min, resp.Max)
	}
	if e := Summarize(st.ErrorLatency); !equivalent(e.Max, 30*ms) {
		t.Errorf("failed early request's latency %v, want 30ms (from its send)", e.Max)
	}
	if l := Summarize(st.Lateness); !equivalent(l.Max, 3*ms) || l.Min != 0 {
		t.Errorf("lateness from %v to %v, want 0 (early) to 3ms", l.Min, l.Max)
	}
	r2 := NewRecorder(Config{Names: []string{"get"}, Stages: 1})
	r2.Record(0, &early)
	// A window keeps 2 significant figures: 20 ms reads as 20.095 ms,
	// 19.5 ms as 19.583 ms.
	if w := r2.Close().Windows; len(w) != 1 || w[0].Max < 20*ms {
		t.Errorf("window %+v, want one second whose max is at least 20ms", w)
	}
}
