package metrics

import (
	"maps"
	"testing"
	"time"
)

// at builds a sample for request name (index) in stage that was meant to be
// sent at intended, was sent late after it, and took svc to complete.
func at(name, stage int, intended, late, svc time.Duration, class ErrorClass, status int) Sample {
	return Sample{
		Request:  name,
		Stage:    stage,
		Intended: int64(intended),
		Start:    int64(intended + late),
		End:      int64(intended + late + svc),
		Status:   status,
		Class:    class,
		Bytes:    int64(100 * (name + 1)),
	}
}

// equivalent reports whether two latencies fall in the same bucket of a
// 3-digit histogram: Summarize reports a bucket's highest value as the max.
func equivalent(a, b time.Duration) bool {
	return NewHistogram(DefaultMaxLatency, SigFigs).ValuesAreEquivalent(int64(a/time.Microsecond), int64(b/time.Microsecond))
}

func TestRecordErrorsApart(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		samples []Sample
		// Expected figures of stage 0.
		requests, errors, bytes int64
		byClass                 map[string]int64
		byStatus                map[int]int64
		perName                 []int64         // successful responses per name
		errMax                  time.Duration   // slowest failed response
		okMax                   []time.Duration // slowest successful response per name
		firstStart, lastEnd     time.Duration
	}{
		{
			name: "all ok",
			samples: []Sample{
				at(0, 0, 10*ms, 0, 5*ms, OK, 200),
				at(1, 0, 5*ms, ms, 7*ms, OK, 204),
				at(0, 0, 20*ms, 2*ms, 3*ms, OK, 302),
			},
			requests: 3, errors: 0, bytes: 400,
			byClass: map[string]int64{}, byStatus: map[int]int64{},
			perName: []int64{2, 1}, okMax: []time.Duration{5 * ms, 8 * ms},
			firstStart: 6 * ms, lastEnd: 25 * ms,
		},
		{
			name: "every class",
			samples: []Sample{
				at(1, 0, 50*ms, 0, 2*ms, OK, 200),
				at(0, 0, 10*ms, 0, 30*ms, Timeout, 0),
				at(0, 0, 11*ms, 0, ms, ConnRefused, 0),
				at(1, 0, 12*ms, 0, ms, ConnReset, 0),
				at(0, 0, 13*ms, 0, ms, TLS, 0),
				at(0, 0, 14*ms, 0, ms, DNS, 0),
				at(0, 0, 15*ms, 0, ms, Protocol, 0),
				at(1, 0, 16*ms, 4*ms, 90*ms, HTTP, 503),
				at(1, 0, 17*ms, 0, ms, HTTP, 404),
				at(0, 0, 18*ms, 0, ms, HTTP, 503),
				at(0, 0, 19*ms, 0, ms, Other, 0),
				at(0, 0, 3*ms, 0, 4*ms, OK, 200),
			},
			requests: 12, errors: 10, bytes: 100*8 + 200*4,
			byClass: map[string]int64{
				"timeout": 1, "connection_refused": 1, "connection_reset": 1, "tls": 1,
				"dns": 1, "protocol": 1, "http": 3, "other": 1,
			},
			byStatus: map[int]int64{503: 2, 404: 1},
			perName:  []int64{1, 1}, errMax: 94 * ms, okMax: []time.Duration{4 * ms, 2 * ms},
			firstStart: 3 * ms, lastEnd: 110 * ms,
		},
		{
			name: "all failed",
			samples: []Sample{
				at(0, 0, 0, 0, 10*ms, Timeout, 0),
				at(1, 0, ms, 0, 10*ms, HTTP, 500),
			},
			requests: 2, errors: 2, bytes: 300,
			byClass: map[string]int64{"timeout": 1, "http": 1}, byStatus: map[int]int64{500: 1},
			perName: []int64{0, 0}, errMax: 10 * ms, okMax: []time.Duration{0, 0},
			firstStart: 0, lastEnd: 11 * ms,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecorder(Config{Names: []string{"a", "b"}, Epoch: testEpoch, Shards: 3})
			for i := range tt.samples {
				r.Record(i, &tt.samples[i]) // spread over the shards, so their counters merge
			}
			st := r.Close().Stages[0]
			if st.Requests != tt.requests || st.Errors != tt.errors || st.Bytes != tt.bytes {
				t.Errorf("requests, errors, bytes = %d, %d, %d, want %d, %d, %d",
					st.Requests, st.Errors, st.Bytes, tt.requests, tt.errors, tt.bytes)
			}
			if !maps.Equal(st.ByClass, tt.byClass) {
				t.Errorf("ByClass = %v, want %v", st.ByClass, tt.byClass)
			}
			if !maps.Equal(st.ByStatus, tt.byStatus) {
				t.Errorf("ByStatus = %v, want %v", st.ByStatus, tt.byStatus)
			}
			if got := st.ErrorLatency.TotalCount(); got != tt.errors {
				t.Errorf("ErrorLatency holds %d, want %d", got, tt.errors)
			}
			if got := Summarize(st.ErrorLatency).Max; !equivalent(got, tt.errMax) {
				t.Errorf("ErrorLatency max = %v, want %v", got, tt.errMax)
			}
			if got := st.Lateness.TotalCount(); got != tt.requests {
				t.Errorf("Lateness holds %d, want every request (%d)", got, tt.requests)
			}
			for i, n := range st.PerName {
				if n.Response.TotalCount() != tt.perName[i] || n.Service.TotalCount() != tt.perName[i] {
					t.Errorf("%s: %d responses and %d services, want %d successes",
						n.Name, n.Response.TotalCount(), n.Service.TotalCount(), tt.perName[i])
				}
				if got := Summarize(n.Response).Max; !equivalent(got, tt.okMax[i]) {
					t.Errorf("%s: slowest response = %v, want %v", n.Name, got, tt.okMax[i])
				}
			}
			if st.FirstStart != tt.firstStart || st.LastEnd != tt.lastEnd {
				t.Errorf("FirstStart, LastEnd = %v, %v, want %v, %v", st.FirstStart, st.LastEnd, tt.firstStart, tt.lastEnd)
			}
		})
	}
}

func TestErrorClassNames(t *testing.T) {
	seen := map[string]bool{}
	for c := OK; c < numClasses; c++ {
		s := c.String()
		if seen[s] {
			t.Errorf("%d: name %q used twice", c, s)
		}
		seen[s] = true
		if got, ok := ParseErrorClass(s); !ok || got != c {
			t.Errorf("ParseErrorClass(%q) = %v, %v, want %v, true", s, got, ok, c)
		}
	}
	if got := ErrorClass(200).String(); got != "other" {
		t.Errorf("ErrorClass(200) = %q, want other", got)
	}
	if got, ok := ParseErrorClass("teapot"); ok || got != Other {
		t.Errorf("ParseErrorClass(teapot) = %v, %v, want other, false", got, ok)
	}
}

func TestRecordStages(t *testing.T) {
	ms := time.Millisecond
	type rec struct {
		key, stage int
		svc        time.Duration
	}
	type stageWant struct {
		count    int64
		min, max time.Duration
	}
	tests := []struct {
		name   string
		stages int
		recs   []rec
		want   []stageWant
	}{
		{
			name:   "in order",
			stages: 3,
			recs:   []rec{{0, 0, ms}, {0, 0, 2 * ms}, {0, 1, 3 * ms}, {0, 2, 4 * ms}},
			want:   []stageWant{{2, ms, 2 * ms}, {1, 3 * ms, 3 * ms}, {1, 4 * ms, 4 * ms}},
		},
		{
			name:   "straggler",
			stages: 2,
			recs:   []rec{{0, 0, ms}, {0, 0, ms}, {0, 1, 2 * ms}, {0, 1, 2 * ms}, {0, 0, 30 * ms}, {0, 1, 2 * ms}},
			want:   []stageWant{{3, ms, 30 * ms}, {3, 2 * ms, 2 * ms}},
		},
		{
			name:   "straggler after the stage folded everywhere",
			stages: 3,
			recs: []rec{
				{0, 0, ms}, {1, 0, ms}, {0, 1, 2 * ms}, {1, 1, 2 * ms},
				{0, 2, 3 * ms}, {1, 2, 3 * ms}, {1, 0, 40 * ms}, {0, 1, 50 * ms},
			},
			want: []stageWant{{3, ms, 40 * ms}, {3, 2 * ms, 50 * ms}, {2, 3 * ms, 3 * ms}},
		},
		{
			name:   "keys move on at different times",
			stages: 2,
			recs:   []rec{{0, 0, ms}, {0, 1, 2 * ms}, {1, 0, ms}, {2, 0, ms}, {1, 1, 2 * ms}, {3, 0, ms}},
			want:   []stageWant{{4, ms, ms}, {2, 2 * ms, 2 * ms}},
		},
		{
			name:   "a stage that saw nothing",
			stages: 3,
			recs:   []rec{{0, 0, ms}, {0, 2, 3 * ms}},
			want:   []stageWant{{1, ms, ms}, {}, {1, 3 * ms, 3 * ms}},
		},
		{
			// Validated scenarios never do this; the recorder keeps the data in
			// the last stage rather than panic or drop it.
			name:   "past the last stage",
			stages: 2,
			recs:   []rec{{0, 0, ms}, {0, 5, 9 * ms}, {0, 1, 2 * ms}, {1, 7, 8 * ms}},
			want:   []stageWant{{1, ms, ms}, {3, 2 * ms, 9 * ms}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecorder(Config{Names: []string{"a"}, Stages: tt.stages, Epoch: testEpoch, Shards: 4})
			for i, rc := range tt.recs {
				s := at(0, rc.stage, time.Duration(i)*ms, 0, rc.svc, OK, 200)
				r.Record(rc.key, &s)
			}
			snap := r.Close()
			if len(snap.Stages) != tt.stages {
				t.Fatalf("%d stages, want %d", len(snap.Stages), tt.stages)
			}
			var total int64
			for i, st := range snap.Stages {
				p := Summarize(st.Response())
				total += st.Requests
				if st.Requests != tt.want[i].count || p.Count != tt.want[i].count {
					t.Errorf("stage %d: %d requests, %d in Response, want %d", i, st.Requests, p.Count, tt.want[i].count)
				}
				if !equivalent(p.Min, tt.want[i].min) || !equivalent(p.Max, tt.want[i].max) {
					t.Errorf("stage %d: response %v..%v, want %v..%v", i, p.Min, p.Max, tt.want[i].min, tt.want[i].max)
				}
			}
			if total != int64(len(tt.recs)) {
				t.Errorf("stages hold %d requests, recorded %d", total, len(tt.recs))
			}
		})
	}
}

func TestNewRecorderDefaults(t *testing.T) {
	r := NewRecorder(Config{})
	if got := r.Names(); len(got) != 1 || got[0] != "default" {
		t.Errorf("Names() = %v, want [default]", got)
	}
	if r.Epoch().IsZero() || time.Since(r.Epoch()) > time.Minute {
		t.Errorf("Epoch() = %v, want about now", r.Epoch())
	}
	s := at(0, 0, 0, 0, time.Millisecond, OK, 200)
	r.Record(-3, &s) // a negative key picks a shard too
	snap := r.Close()
	if len(snap.Stages) != 1 || snap.Stages[0].Requests != 1 {
		t.Fatalf("stages = %+v, want one stage with one request", snap.Stages)
	}

	names := []string{"x", "y"}
	r = NewRecorder(Config{Names: names, Epoch: testEpoch})
	names[0] = "changed"
	if r.Names()[0] != "x" {
		t.Errorf("the recorder shares its caller's Names slice")
	}
}
