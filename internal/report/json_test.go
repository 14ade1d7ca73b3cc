package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// TestJSONGolden pins the JSON form of the result document, the contract
// between `loadplan run` and everything that reads its result.json: the
// deterministic fixture of summary_test.go, completed by withOptional so
// that every field occurs, encoded with result.Marshal must match
// testdata/result.golden.json byte for byte, and the golden file must read
// back strictly and re-encode to the same document.
func TestJSONGolden(t *testing.T) {
	r := fixture(t)
	withOptional(r)
	got, err := result.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "result.golden.json", got)

	want, err := os.ReadFile(filepath.Join("testdata", "result.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	// result.Parse rejects unknown fields, so a field whose JSON name
	// changed fails here as well as in the byte comparison above.
	parsed, err := result.Parse("result.golden.json", want)
	if err != nil {
		t.Fatalf("the golden file no longer parses: %v", err)
	}
	again, err := result.Marshal(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, want) {
		t.Errorf("parsing and re-encoding the golden file changes it:\n%s", again)
	}
	reparsed, err := result.Parse("re-encoded", again)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(reparsed, parsed) {
		t.Error("the golden document does not survive Parse → Marshal → Parse unchanged")
	}
	if !reflect.DeepEqual(parsed, r) {
		t.Error("the golden file parses to a different document than the fixture it was written from")
	}

	// Every JSON name of the schema must occur in the golden file, so that
	// renaming any field, optional ones included, fails the comparison
	// above. A new field of the document must be given a value here or in
	// withOptional (then run -update).
	var doc any
	if err := json.Unmarshal(want, &doc); err != nil {
		t.Fatal(err)
	}
	all := map[string]bool{}
	jsonPaths(reflect.TypeFor[result.Result](), wholeType{}, "", all)
	present := map[string]bool{}
	jsonPaths(reflect.TypeFor[result.Result](), doc, "", present)
	var missing []string
	for p := range all {
		if !present[p] {
			missing = append(missing, p)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("JSON fields of the result document that the golden file does not pin (give them a value in withOptional): %s",
			strings.Join(missing, " "))
	}
}

// withOptional adds to the fixture every optional part of the document that
// it leaves out (the run-level sections, a spike profile, the stress
// profile's capacity model), so the golden file pins every JSON name. The
// sections need not make sense together (a result is not both a segment and
// a merge); the values only have to be deterministic.
func withOptional(r *result.Result) {
	f := func(v float64) *float64 { return &v }
	ms := func(v float64) *result.Millis { m := result.Millis(v); return &m }
	sec := func(v float64) *result.Seconds { s := result.Seconds(v); return &s }
	n := func(v int) *int { return &v }
	at := r.Environment.Start.Add(20 * time.Second)

	r.Scenario.File = "scenarios/golden.yaml"
	r.Scenario.Digest = "sha256:0123456789abcdef"
	r.Scenario.Builtin = &result.Builtin{Workers: 16, ServiceTime: 10, Distribution: "exponential", Queue: 2000, Sigma: 0.02, Kappa: 0.001, ErrorRate: 0.05}
	r.Scenario.Requests = []result.Request{{Name: "home", Method: "GET", URL: "/", Weight: 3}, {Name: "search", Method: "GET", URL: "/search?q=x", Weight: 1}}
	r.Scenario.SLO.P50, r.Scenario.SLO.P99 = ms(50), ms(250)
	r.Environment.Hostname = "golden-host"
	r.Warnings = []string{"a run-level warning"}
	r.Abort = &result.Abort{Profile: "spike", Condition: "error_rate > 50% for 10s", Line: 12, At: at, Detail: "error rate 61% for 10s"}
	r.Gates = []result.GateCheck{{Gate: "p95<300ms", Profile: "baseline",
		Check: result.Check{Name: "p95", Stage: n(0), Measured: 23.5, Limit: 300, Op: "<", Unit: "ms", Pass: true, Detail: "gate detail", Unmeasured: true,
			Counted: &result.Counted{SteadySeconds: 7, Requests: 350, Of: 400, Successful: true}}, Window: &[2]result.Seconds{3, 8}, Caveat: "gate caveat"}}
	r.Segment = &result.Segment{Index: 1, Count: 2, StartAt: &at, ClockOffset: 0.004, Host: "golden-host"}
	r.Segments = []result.Segment{*r.Segment, {Index: 2, Count: 2, StartAt: &at, ClockOffset: 0.006, Host: "other-host"}}

	if v := r.Profiles[0].Verdict; v != nil {
		v.Caveat = "a caveat (set only on a pass that cannot show all)"
	}
	st := &r.Profiles[1]
	st.Capacity = &result.Capacity{
		Error: "an error (set only when no model was fitted)",
		Points: []result.CapacityPoint{{Step: 0, Concurrency: 1.44, Throughput: 99.6, Predicted: 99.5},
			{Step: 1, Concurrency: 2.89, Throughput: 199.6, Predicted: 199.7}},
		Sigma: 0.01, Kappa: 0.0001, Lambda: 69.1, Limit: "peak",
		PeakConcurrency: f(99.5), MaxThroughput: f(3400), R2: 0.99, Residuals: []float64{0.1, -0.1},
		CI: &result.CapacityCI{Level: 0.9, Resamples: 1000, Sigma: [2]float64{0.005, 0.02}, Kappa: [2]float64{0, 0.0002},
			Lambda: [2]float64{68, 70}, PeakConcurrency: &[2]float64{70, 140}, MaxThroughput: &[2]float64{3000, 3800}},
		Knee:          &result.CapacityKnee{Concurrency: 2.89, Throughput: 199.6, KneedleConcurrency: f(2.5)},
		CapacityAtSLO: 199.6, ConcurrencyAtSLO: 2.89, Headroom: f(0.94), LimitedBy: "slo",
		Statement: "a capacity statement", Warnings: []string{"a capacity warning"},
		Model: "usl", ModelReason: "a model reason",
		Candidates:           []result.CapacityCandidate{{Model: "usl", Params: 3, AICc: f(12.5), R2: 0.99, MaxThroughput: f(3400), ResidualsOK: true}},
		SaturationThroughput: f(3300),
	}
	if ss := st.Verdict.Stress; ss != nil && len(ss.Steps) > 0 {
		ss.Steps[0].P50Trend = &result.StepTrend{From: 14, To: 14.5, Slope: 0.1, Z: 0.4}
		ss.Steps[0].InFlightTrend = &result.StepTrend{From: 1.4, To: 1.5, Slope: 0.02, Z: 0.3}
		ss.Steps[len(ss.Steps)-1].Refinement = true
		ss.Steps[len(ss.Steps)-1].Stalled = true
		ss.Steps[0].CPUWait, ss.Steps[0].CPUWaitEach, ss.Steps[0].Starved = 912.5, 0.75, true
		ss.Steps[0].StallShare, ss.Steps[0].StallMax = 0.067, 100.4
		ss.Stall = "a stall (set only when the generator's lateness may account for the first break)"
		ss.CapacityUnproven, ss.ErrorsPooled = true, true
	}
	if len(st.Windows) > 0 {
		st.Windows = slices.Clone(st.Windows)
		st.Windows[0].LatenessMax = 12.5
		st.Windows[0].LatenessDue = float64(st.Windows[0].Time) - 0.25
		st.Windows[0].CPUWait, st.Windows[0].CPUSlices = 912.5, 1217
		st.Windows[0].Stall, st.Windows[0].StallMax = 67, 100.4
	}
	st.Stages = slices.Clone(st.Stages)
	st.Stages[len(st.Stages)-1].Refinement = true
	st.Monitor = &result.Monitor{Warnings: []string{"a monitor warning"}, Metrics: []result.MonitorMetric{{
		Name: "busy", Resource: "api", Unit: "count", Capacity: f(16), Source: "scrape", Query: "builtin loadplan_sim_busy_workers",
		Samples: []result.MonitorSample{{Offset: 1, V: 4}, {Offset: 3, V: 8}},
		Gaps:    []result.MonitorGap{{From: 1, To: 3, Error: "a scrape error"}},
		Stages:  []result.MonitorStat{{Stage: 0, Samples: 1, Mean: 4, Max: 4}},
	}, {
		Name: "cpu", Unit: "ratio", Source: "prometheus", Query: "sum(rate(cpu_seconds_total[2s]))", Lookback: 2,
		Samples: []result.MonitorSample{{Offset: 1, V: 0.25}},
	}}}
	st.Bottleneck = &result.Bottleneck{Resource: "busy", Ceiling: 1600, Note: "a bottleneck note",
		Resources: []result.ResourceCeiling{{Metric: "busy", Resource: "api", Demand: 0.000625, Ceiling: 1600, Steps: []int{0}, AtCapacity: n(1)}}}

	sp := r.Profiles[0]
	sp.Name, sp.Status = "spike", result.StatusAborted
	sp.Stages = slices.Clone(sp.Stages)
	sp.Stages[0].Offered.Requests = 1000
	think := result.Seconds(0.02)
	sp.Stages[0].Offered.Think = &think // the closed model's; the field is pinned all the same
	jitter := 0.25
	sp.Stages[0].Offered.ThinkJitter = &jitter
	planned := 250.0
	sp.Stages[0].Offered.Planned = &planned // a merged stage a segment stopped early
	sp.Stages[0].StartRate, sp.Stages[0].CompletionSpan = 200, 5.25
	sp.Total.StartRate, sp.Total.CompletionSpan = 200, 5.25
	sp.Rules.DefaultErrorRate = f(0.01)
	sp.Generator.LatenessLimit = 10
	sp.Generator.Invalid, sp.Generator.Reasons = true, []string{"an invalid reason"}
	sp.Generator.ConnWaits = 3
	sp.Generator.Retries, sp.Generator.ReusedConnErrors = 7, 2
	sp.Generator.EarlyStarts, sp.Generator.EarlyTotal, sp.Generator.EarlyMax = 120, 30.5, 0.49
	sp.Generator.PreDialled = 13
	cpuWait := result.Millis(2310.25)
	sp.Generator.CPUWait = &cpuWait
	stall, stallMax := result.Millis(67), result.Millis(100.4)
	sp.Generator.Stall, sp.Generator.StallMax = &stall, &stallMax
	sp.Generator.CPUWaitUnmeasured = "not Linux: a golden reason" // a merged part that did not measure it
	sp.Generator.Iterations = 400
	sp.Notes = []string{"a profile note"}
	ranOut := result.Seconds(9.5)
	sp.DataRanOut = &ranOut
	sp.Total.PerFlow = []result.FlowStats{{Name: "shop", Started: 400, Completed: 390, Failed: 10, Skipped: 20, Exhausted: 1, RequestSteps: 3}}
	sp.Stages[0].PerFlow = sp.Total.PerFlow
	for i := range sp.Stages { // an open-model profile of flows offers iterations
		sp.Stages[i].Offered.Unit = result.UnitIterations
	}
	sp.Stages[0].PerRequest = slices.Clone(sp.Stages[0].PerRequest)
	sp.Stages[0].PerRequest[0].Checks = map[string]int64{"status": 10}
	sp.Total.PerRequest = slices.Clone(sp.Total.PerRequest)
	sp.Total.PerRequest[0].Checks = map[string]int64{"status": 10}
	sp.Rules = result.Rules{Expect: result.Expect{P50: ms(50), P95: ms(100), P99: ms(250), ErrorRate: f(0.001), MinThroughput: f(90)},
		Warmup: 2, Recovery: &result.RecoveryRule{From: "stage 2", Windows: 3, Budget: 30}, DefaultErrorRate: f(0.01)}
	sp.Verdict = &result.Verdict{Pass: false, Answer: "spike: FAIL",
		Checks: []result.Check{{Name: "recovery_time", Stage: n(1), Measured: 31, Limit: 30, Op: "<=", Unit: "s", Pass: false, Detail: "a check detail"},
			{Name: "p95", Limit: 100, Op: "<=", Unit: "ms", Pass: false, Detail: "no successful request: no latency to check", Unmeasured: true}},
		Spike: &result.Spike{PeakP95: 180, PeakP99: 240, PeakErrorRate: 0.2, SurgeErrors: 42, SurgeErrorClasses: map[string]int64{"http": 40, "timeout": 2},
			RecoveryFrom: 10, Recovered: true, RecoveryTime: 31, RecoveryLow: 30, RecoveryEstimate: sec(30.25), RecoveryNote: "a note on the estimate", Relapse: sec(36), RelapseSeconds: 4, Budget: 30, ErrorsAfter: 1, LastP95: 20, LastErrorRate: 0.001,
			PeakUnmeasured: true, LastUnmeasured: true}} // as if no request had succeeded: pins the fields
	r.Profiles = append(r.Profiles, sp)
	withRequests(r)
}

// jsonField returns the JSON name of a struct field and whether the field
// is encoded at all; an embedded struct without a tag is flattened into its
// parent (name "").
func jsonField(f reflect.StructField) (string, bool) {
	tag, tagged := f.Tag.Lookup("json")
	name, _, _ := strings.Cut(tag, ",")
	switch {
	case name == "-":
		return "", false
	case f.Anonymous && !tagged:
		return "", true
	case !f.IsExported():
		return "", false
	case name == "":
		return f.Name, true
	}
	return name, true
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// wholeType, as the value jsonPaths reads, stands for a document that
// holds every field.
type wholeType struct{}

// jsonPaths collects the dotted path of every JSON name reachable from t
// that the decoded JSON value v holds; with v wholeType{}, every one of
// them. A map's values are under "*", slices and arrays add nothing.
func jsonPaths(t reflect.Type, v any, prefix string, out map[string]bool) {
	_, whole := v.(wholeType)
	switch t.Kind() {
	case reflect.Pointer:
		jsonPaths(t.Elem(), v, prefix, out)
	case reflect.Slice, reflect.Array, reflect.Map:
		if t.Kind() == reflect.Map {
			prefix = join(prefix, "*")
		}
		if whole {
			jsonPaths(t.Elem(), v, prefix, out)
		}
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				jsonPaths(t.Elem(), e, prefix, out)
			}
		case map[string]any:
			for _, e := range v {
				jsonPaths(t.Elem(), e, prefix, out)
			}
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if (!ok && !whole) || t == reflect.TypeFor[time.Time]() {
			return
		}
		for f := range t.Fields() {
			name, ok := jsonField(f)
			switch {
			case !ok:
			case name == "":
				jsonPaths(f.Type, v, prefix, out)
			default:
				e, ok := m[name]
				if whole {
					e, ok = v, true
				}
				if ok {
					out[join(prefix, name)] = true
					jsonPaths(f.Type, e, join(prefix, name), out)
				}
			}
		}
	}
}
