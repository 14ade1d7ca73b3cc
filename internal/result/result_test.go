package result

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
)

// sample builds a result from a recorder fed with known samples.
func sample(t testing.TB) *Result {
	t.Helper()
	epoch := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"home", "search"}, Stages: 2, Epoch: epoch, Shards: 2})
	for i := 0; i < 5000; i++ {
		st := 0
		if i >= 2500 {
			st = 1
		}
		s := metrics.Sample{
			Request:  i % 2,
			Stage:    st,
			Intended: int64(i) * int64(time.Millisecond),
			Start:    int64(i)*int64(time.Millisecond) + 20_000,
			End:      int64(i)*int64(time.Millisecond) + int64(time.Duration(1+i%50)*time.Millisecond),
			Status:   200,
			Bytes:    100,
		}
		if i%97 == 0 {
			s.Status, s.Class = 503, metrics.HTTP
		}
		if i%389 == 0 {
			s.Status, s.Class = 0, metrics.Timeout
		}
		rec.Record(i, &s)
	}
	snap := rec.Close()
	plans := []StagePlan{
		{Offered: Offered{From: 0, Load: 1000, Unit: "req/s", Duration: 2.5, Ramp: 0}, Start: 0, End: 2500 * time.Millisecond},
		{Offered: Offered{From: 1000, Load: 1000, Unit: "req/s", Duration: 2.5}, Start: 2500 * time.Millisecond, End: 5 * time.Second},
	}
	p, err := BuildProfile(ProfileInput{Name: "baseline", Model: "open", Status: StatusComplete, Snapshot: snap, Stages: plans,
		Generator: Generator{Started: 5000}})
	if err != nil {
		t.Fatal(err)
	}
	return &Result{
		Schema: Schema, Status: StatusComplete,
		Scenario:    Scenario{Name: "t", Target: "http://127.0.0.1:1", Timeout: 1000, Requests: []Request{{Name: "home", Method: "GET", URL: "/", Weight: 1}}},
		Environment: Environment{LoadplanVersion: "test", GoVersion: "go", OS: "linux", Arch: "amd64", CPUs: 2, Start: epoch, End: epoch.Add(5 * time.Second)},
		Profiles:    []Profile{p},
	}
}

func TestBuildProfileFigures(t *testing.T) {
	r := sample(t)
	p := r.Profiles[0]
	if p.Total.Requests != 5000 {
		t.Fatalf("total requests %d, want 5000", p.Total.Requests)
	}
	if p.Stages[0].Requests+p.Stages[1].Requests != 5000 {
		t.Errorf("stages hold %d + %d requests", p.Stages[0].Requests, p.Stages[1].Requests)
	}
	wantErr := int64(0)
	for i := 0; i < 5000; i++ {
		if i%97 == 0 || i%389 == 0 {
			wantErr++
		}
	}
	if p.Total.Errors != wantErr {
		t.Errorf("errors %d, want %d", p.Total.Errors, wantErr)
	}
	// Starts count over the scheduled 5 s; completions over the span to
	// the last one, which ends at 4.999 s + 50 ms.
	if p.Total.StartRate != 1000 {
		t.Errorf("start rate %v, want 1000/s", p.Total.StartRate)
	}
	if span := float64(p.Total.CompletionSpan); math.Abs(span-5.049) > 1e-9 {
		t.Errorf("completion span %v s, want 5.049", span)
	}
	if want := 5000 / 5.049; math.Abs(p.Total.Throughput-want) > 1e-6 {
		t.Errorf("throughput %v, want %v/s (5000 completions over 5.049 s)", p.Total.Throughput, want)
	}
	if p.Total.ErrorClasses["http"] == 0 || p.Total.ErrorClasses["timeout"] == 0 || p.Total.Statuses["503"] == 0 {
		t.Errorf("error classes %v statuses %v", p.Total.ErrorClasses, p.Total.Statuses)
	}
	if len(p.Windows) != 6 { // the last responses end just after 5 s
		t.Errorf("%d windows, want 6 (one per second of completions)", len(p.Windows))
	}
	if p.Total.Response.P50 < 20 || p.Total.Response.P50 > 30 {
		t.Errorf("p50 %v ms, want about 25", p.Total.Response.P50)
	}
}

func TestRoundTrip(t *testing.T) {
	r := sample(t)
	path := filepath.Join(t.TempDir(), "result.json")
	if err := Write(path, r); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		a, _ := Marshal(r)
		b, _ := Marshal(got)
		t.Fatalf("round trip changed the result:\n%s\n---\n%s", firstDiff(string(a), string(b)), "")
	}
	// Writing again gives the same bytes.
	a, _ := Marshal(r)
	b, _ := Marshal(got)
	if string(a) != string(b) {
		t.Error("re-encoding differs")
	}
	// No temporary file is left behind.
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries after an atomic write, want 1", len(ents))
	}
}

func firstDiff(a, b string) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			lo := max(0, i-80)
			return a[lo:min(len(a), i+80)] + "\n<<>>\n" + b[lo:min(len(b), i+80)]
		}
	}
	return "lengths differ"
}

func TestParseRejectsBadDocuments(t *testing.T) {
	good, err := Marshal(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	s := string(good)
	tests := []struct {
		name, doc, want string
	}{
		{"truncated", s[:len(s)/2], "truncated"},
		{"empty", "", "truncated"},
		{"not json", "hello", "not valid JSON"},
		{"wrong schema", strings.Replace(s, Schema, "loadplan/result/v0", 1), `schema: want "loadplan/result/v1"`},
		{"unknown field", strings.Replace(s, `"status"`, `"statsu": 1, "status"`, 1), "unknown field"},
		{"wrong type", strings.Replace(s, `"cpus": 2`, `"cpus": "two"`, 1), "environment.cpus"},
		// With the array index: encoding/json's own field name reads
		// profiles.stages.requests, which fits every stage of every profile.
		{"wrong type in a list", strings.Replace(s, `"index": 1,`, `"index": "one",`, 1), ":" + strconv.Itoa(lineOf(s, `"index": 1,`)) + ": profiles[0].stages[1].index: want int"},
		{"bad status", strings.Replace(s, `"status": "complete"`, `"status": "done"`, 1), "status: want complete"},
		{"trailing", s + "{}", "trailing data"},
		{"bad histogram", strings.Replace(s, `"response": "`, `"response": "AAAA`, 1), "histogram does not decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("r.json", []byte(tt.doc))
			if err == nil {
				t.Fatal("no error")
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not a *FormatError", err, err)
			}
			if !strings.HasPrefix(err.Error(), "r.json") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want the file name and %q", err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	good, _ := Marshal(sample(f))
	f.Add(good)
	f.Add([]byte(`{"schema":"loadplan/result/v1","status":"complete"}`))
	f.Add([]byte(`{"schema":"loadplan/result/v1","status":"complete","profiles":[{"total":{"histograms":{"response":"HISTFAAAAB"}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz.json", data)
		if err == nil && r == nil {
			t.Fatal("nil result without an error")
		}
		if err != nil && r != nil {
			t.Fatal("a result and an error")
		}
	})
}

// TestParseUpgradesOlderBuiltin: a result written before scenario.builtin
// existed gets its typed settings from the target sentence its run left,
// so later stages (the next scenario) read one typed field; a sentence that
// does not read leaves it nil, and a typed field is never overwritten.
func TestParseUpgradesOlderBuiltin(t *testing.T) {
	cases := []struct {
		target string
		typed  *Builtin
		want   *Builtin
	}{
		{"builtin (simulated service: 16 workers, 10ms exponential service time, queue 2000, sigma 0.02, kappa 0)", nil,
			&Builtin{Workers: 16, ServiceTime: 10, Distribution: "exponential", Queue: 2000, Sigma: 0.02}},
		{"builtin (simulated service: 0 workers, 10ms fixed service time, queue 0, sigma 0, kappa 0)", nil, nil},
		{"http://127.0.0.1:8080", nil, nil},
		{"builtin (simulated service: 16 workers, 10ms exponential service time, queue 2000, sigma 0.02, kappa 0)",
			&Builtin{Workers: 4, ServiceTime: 5, Distribution: "fixed"}, &Builtin{Workers: 4, ServiceTime: 5, Distribution: "fixed"}},
	}
	for _, c := range cases {
		r := sample(t)
		r.Scenario.Target, r.Scenario.Builtin = c.target, c.typed
		got := reread(t, "r.json", r)
		if !reflect.DeepEqual(got.Scenario.Builtin, c.want) {
			t.Errorf("target %q, builtin %+v: read %+v, want %+v", c.target, c.typed, got.Scenario.Builtin, c.want)
		}
	}
}

// TestSteadyWindows: only windows wholly inside [SteadyStart, End] count;
// one that straddles either edge is a partial second.
func TestSteadyWindows(t *testing.T) {
	p := &Profile{}
	for off := 0; off < 10; off++ {
		p.Windows = append(p.Windows, Window{Offset: Seconds(off)})
	}
	got := SteadyWindows(p, Span{Start: 0, SteadyStart: 2.5, End: 8})
	var offs []Seconds
	for _, w := range got {
		offs = append(offs, w.Offset)
	}
	if want := []Seconds{3, 4, 5, 6, 7}; !reflect.DeepEqual(offs, want) {
		t.Errorf("steady windows at %v, want %v", offs, want)
	}
}

// lineOf is the line of the first occurrence of sub in s.
func lineOf(s, sub string) int { return strings.Count(s[:strings.Index(s, sub)], "\n") + 1 }

// A stage's steady part starts after its latency (the lowest of its
// seconds' p50) when that exceeds the warm-up by more than half a second:
// until then its windows complete what the load before it sent. A spike's
// stages keep the warm-up.
func TestSpansStartAfterTheLatency(t *testing.T) {
	prof := func(low time.Duration) *Profile {
		p := &Profile{Rules: Rules{Warmup: 2}}
		for i := 0; i < 2; i++ {
			p.Stages = append(p.Stages, Stage{Offered: Offered{Load: 10, Duration: 10}, Stats: Stats{Elapsed: 10}})
		}
		for i := 0; i < 20; i++ {
			p.Windows = append(p.Windows, Window{Offset: Seconds(i), Requests: 10, P50: Ms(low + time.Duration(i%3)*100*time.Millisecond)})
		}
		return p
	}
	if sp := Spans(prof(3200 * time.Millisecond)); sp[1].SteadyStart != 13.2 || sp[1].Lag != 3.2 || sp[0].SteadyStart != 3.2 {
		t.Errorf("p50 from 3.2 s, warm-up 2 s: %+v; want the steady parts from 3.2 s into each stage", sp)
	}
	if sp := Spans(prof(2500 * time.Millisecond)); sp[1].SteadyStart != 12 || sp[1].Lag != 0 {
		t.Errorf("p50 from 2.5 s, warm-up 2 s: %+v; want the steady part from the warm-up", sp[1])
	}
	// A 3 s request beside a 10 ms one: the mix's p50 is the fast one's,
	// the lag the slow one's; not when the slow one is 2% of the requests.
	mixed := func(slow int64) *Profile {
		p := prof(10 * time.Millisecond)
		for i := range p.Windows {
			p.Windows[i].Requests = 100
			p.Windows[i].PerRequest = []RequestWindow{{Name: "fast", Requests: 100 - slow, P50: Ms(10 * time.Millisecond)},
				{Name: "slow", Requests: slow, P50: Ms(3 * time.Second)}}
		}
		return p
	}
	if sp := Spans(mixed(50)); sp[1].SteadyStart != 13 || sp[1].Lag != 3 {
		t.Errorf("half the requests 3 s, half 10 ms: %+v; want the steady part from 3 s into the stage", sp[1])
	}
	if sp := Spans(mixed(2)); sp[1].SteadyStart != 12 || sp[1].Lag != 0 {
		t.Errorf("2%% of the requests 3 s: %+v; want the warm-up", sp[1])
	}
	spike := prof(3200 * time.Millisecond)
	spike.Rules.Recovery = &RecoveryRule{}
	if sp := Spans(spike); sp[1].SteadyStart != 12 || sp[1].Lag != 0 {
		t.Errorf("spike: %+v; want the warm-up", sp[1])
	}
}

// A second of the steady part in which nothing completed has no window in
// the result; SteadyWindows returns it as an empty one on the windows'
// grid, with the part's offered load, so that a hang counts as the seconds
// it lasted.
func TestSteadyWindowsCountSecondsWithNoCompletion(t *testing.T) {
	p := &Profile{Stages: []Stage{{Offered: Offered{Load: 20, Duration: 8}, Stats: Stats{Elapsed: 8}}}}
	for i := 0; i < 3; i++ { // the target hung 3 s in
		p.Windows = append(p.Windows, Window{Time: int64(1000 + i), Offset: Seconds(0.25 + float64(i)), Offered: 20, Requests: 20})
	}
	ws := SteadyWindows(p, Spans(p)[0])
	var n int64
	for _, w := range ws {
		n += w.Requests
	}
	if len(ws) != 7 || n != 60 || ws[6].Offset != 6.25 || ws[6].Time != 1006 || ws[6].Offered != 20 || ws[3].Requests != 0 {
		t.Errorf("3 s of 20 completions then a hang, 8 s stage: %d windows, %d requests, last %+v; want 7 (0.25 … 6.25 s), 60, the last empty at 6.25 s offered 20", len(ws), n, ws[len(ws)-1])
	}
}

// A window just before the steady start, or just past the stage's end, is
// a partial second and left out; no empty one takes its place (the review
// found one 0.5 ms off added, and a full target failing "shortfall 12.5%").
// A window off the grid keeps its place in time.
func TestSteadyWindowsFillOnlyWholeSeconds(t *testing.T) {
	p := &Profile{Rules: Rules{Warmup: 2}, Stages: []Stage{{Offered: Offered{Load: 20, Duration: 10}, Stats: Stats{Elapsed: 10}}}}
	for i := 0; i < 10; i++ {
		p.Windows = append(p.Windows, Window{Time: int64(1000 + i), Offset: Seconds(0.9995 + float64(i)), Offered: 20, Requests: 20})
	}
	ws := SteadyWindows(p, Spans(p)[0])
	for _, w := range ws {
		if w.Requests != 20 {
			t.Fatalf("windows 0.5 ms off the steady start: %+v; want only the 7 whole seconds, none empty", ws)
		}
	}
	if len(ws) != 7 {
		t.Errorf("%d windows, want 7 (2.9995 … 8.9995 s)", len(ws))
	}
	p.Windows = append(p.Windows[:4:4], Window{Time: 1004, Offset: 4.5, Offered: 20, Requests: 20}) // off the grid, then nothing
	ws = SteadyWindows(p, Spans(p)[0])
	for i := 1; i < len(ws); i++ {
		if ws[i].Offset < ws[i-1].Offset {
			t.Fatalf("out of order: %+v", ws)
		}
	}
}

// TestProfileSecondsEdges: the one rule set of a profile's seconds
// (SecondsRule) at its edges. Windows start 0.4 s into a wall-clock
// second (offsets −0.4, 0.6, …), 10 requests each; a 6 s profile's whole
// seconds are 0.6 … 4.6.
func TestProfileSecondsEdges(t *testing.T) {
	prof := func(secs ...int) *Profile { // the seconds (0: the one at −0.4 s) that have a window
		p := &Profile{Stages: []Stage{{Offered: Offered{Load: 10, Duration: 6}, Stats: Stats{Elapsed: 6}}}, Total: Stats{Elapsed: 6}}
		for _, i := range secs {
			p.Windows = append(p.Windows, Window{Time: int64(1000 + i), Offset: Seconds(float64(i) - 0.4), Offered: 10, Requests: 10})
		}
		return p
	}
	read := func(ws []Window) string { // each second taken: its offset and requests
		var b strings.Builder
		for _, w := range ws {
			fmt.Fprintf(&b, "%.1f:%d ", float64(w.Offset), w.Requests)
		}
		return strings.TrimSpace(b.String())
	}
	whole := SecondsRule{To: 6}
	offered := func(off float64) float64 { return 10 }
	none := func(off float64) float64 { // nothing offered from 2 s to 4 s
		if off+1 > 2 && off < 4 {
			return 0
		}
		return 10
	}
	zero := prof(0, 1, 2, 3, 4, 5, 6)
	zero.Windows[3].Requests = 0 // the runner's window of a second that completed nothing (its CPU wait)
	refined := prof(0, 1, 2, 3, 4, 5, 6, 8, 9)
	refined.Stages = append(refined.Stages, Stage{Refinement: true, Offered: Offered{Load: 10, Duration: 2}, Stats: Stats{Elapsed: 2}})
	refined.Total.Elapsed = 8 // 6 s of ramp, a 1 s pause, a 2 s refinement step
	for _, c := range []struct {
		name string
		p    *Profile
		r    SecondsRule
		want string
	}{
		{"all there: the partial first and last left out", prof(0, 1, 2, 3, 4, 5, 6), whole, "0.6:10 1.6:10 2.6:10 3.6:10 4.6:10"},
		{"no window of the first whole second", prof(0, 2, 3, 4, 5, 6), whole, "0.6:0 1.6:10 2.6:10 3.6:10 4.6:10"},
		{"no window of the first two seconds: the first window taken is whole", prof(2, 3, 4, 5, 6), whole, "0.6:0 1.6:10 2.6:10 3.6:10 4.6:10"},
		{"no window of the last seconds", prof(0, 1, 2, 3), whole, "0.6:10 1.6:10 2.6:10 3.6:0 4.6:0"},
		{"a window with no requests reads as a missing one", zero, whole, "0.6:10 1.6:10 2.6:0 3.6:10 4.6:10"},
		{"a missing one", prof(0, 1, 2, 4, 5, 6), whole, "0.6:10 1.6:10 2.6:0 3.6:10 4.6:10"},
		{"nothing offered, nothing completed: not taken, window or not", zero, SecondsRule{To: 6, Offered: none}, "0.6:10 1.6:10 3.6:10 4.6:10"},
		{"nothing offered, nothing completed, no window", prof(0, 1, 2, 4, 5, 6), SecondsRule{To: 6, Offered: none}, "0.6:10 1.6:10 3.6:10 4.6:10"},
		{"a hang: offered, nothing completed", prof(0, 1, 2), SecondsRule{To: 6, Offered: offered}, "0.6:10 1.6:10 2.6:0 3.6:0 4.6:0"},
		{"the refinement gap is no second of the profile", refined, SecondsRule{To: RunEnd(refined)}, "0.6:10 1.6:10 2.6:10 3.6:10 4.6:10"},
		{"(the total's elapsed time would make it an empty one)", refined, SecondsRule{To: float64(refined.Total.Elapsed)}, "0.6:10 1.6:10 2.6:10 3.6:10 4.6:10 5.6:10 6.6:0"},
		{"every window, the tail filled, a gap left", prof(0, 1, 3), SecondsRule{To: 6, Every: true, Tail: true}, "-0.4:10 0.6:10 2.6:10 3.6:0 4.6:0"},
		{"no window: no grid", prof(), whole, ""},
	} {
		if got := read(ProfileSeconds(c.p, c.r)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if got := RunEnd(refined); got != 6 {
		t.Errorf("RunEnd of a 6 s ramp with a refinement step: %v, want 6", got)
	}
	// A ramp of 3, 2 and 1 s steps stopped 1 s into the second (the third
	// not run) and then refined: its total, 4 s and the 2 s step, is 6 s,
	// the planned end; the ramp ends where it stopped, at 4 s.
	stopped := prof(0, 1, 2, 3, 4, 7, 8)
	stopped.Stages = []Stage{{Offered: Offered{Load: 10, Duration: 3}, Stats: Stats{Elapsed: 3}}, {Offered: Offered{Load: 20, Duration: 2}, Stats: Stats{Elapsed: 1}},
		{Offered: Offered{Load: 30, Duration: 1}}, {Refinement: true, Offered: Offered{Load: 25, Duration: 2}, Stats: Stats{Elapsed: 2}}}
	stopped.Total.Elapsed = 6
	if got := RunEnd(stopped); got != 4 {
		t.Errorf("RunEnd of a ramp stopped at 4 s and refined: %v, want 4", got)
	}
}

// A flow's offered loads are in requests (iterations/s × requests each),
// rarely whole: "between 34.25063938618926 (held) and 45.66751918158568
// req/s (broken)" was printed by a stress answer.
func TestBracketRoundsAFlowsLoads(t *testing.T) {
	b := &Bracket{HeldOffered: 34.25063938618926, HeldThroughput: 34.2, BrokenOffered: 45.66751918158568, Unit: "req/s"}
	if got, want := b.String(), "between 34.25 (held) and 45.67 req/s (broken)"; got != want {
		t.Errorf("bracket %q, want %q", got, want)
	}
	b = &Bracket{HeldOffered: 150, HeldThroughput: 150, BrokenOffered: 1.5, Unit: "req/s"}
	if got, want := b.String(), "between 150 (held) and 1.5 req/s (broken)"; got != want {
		t.Errorf("bracket %q, want %q", got, want)
	}
}
