// Package gate owns the CI gates: the --gate grammar, judging each gate
// against a result's profiles (over the whole profile, or over its worst
// sliding window), and the regression check against a stored baseline
// result. It works from a result document alone, like every stage after
// measuring, so a stored run can be gated again.
package gate

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
	"github.com/loadplan/loadplan/internal/verdict"
)

// Grammar is the gate grammar, for usage messages.
const Grammar = "[PROFILE:|REQUEST:|PROFILE/REQUEST:]METRIC OP VALUE[ over WINDOW]"

// Profiles are the profile names a gate may name.
var Profiles = []string{"baseline", "target", "stress", "spike"}

// Metrics are the metric names a gate may name: latency percentiles, max
// and mean of successful requests' response time, the error rate, and the
// throughput of successful requests.
var Metrics = []string{"p50", "p90", "p95", "p99", "p99.9", "max", "mean", "error_rate", "throughput"}

// Units of a gate's limit and measured value, as in result.Check.
const (
	UnitMs    = "ms"
	UnitRatio = "ratio"
	UnitRate  = "req/s"
)

// Gate is one parsed --gate: a limit on one metric of one profile (or of
// every profile), over the whole profile or over every window of a length.
type Gate struct {
	Text    string // as written, trimmed
	Profile string // "" for every profile in the result
	// Request, when set, judges that request's figures alone
	// (result.RequestView) in the profile(s) the gate applies to.
	Request string
	// qualified is set when the gate was written PROFILE/REQUEST:
	// (or with * for either), so its prefix cannot be ambiguous.
	qualified bool
	Metric    string  // one of Metrics
	Op        string  // "<", "<=", ">" or ">="
	Limit     float64 // in Unit
	Unit      string  // UnitMs, UnitRatio or UnitRate
	// Window, when set, makes the gate fail if any stretch of this many
	// consecutive seconds breaks it; zero judges the whole profile.
	Window time.Duration
}

// SyntaxError is a gate that cannot be used: it names the gate as written
// and what is wrong with it.
type SyntaxError struct {
	Gate string
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("gate %q: %s", e.Gate, e.Msg) }

var overRE = regexp.MustCompile(`(?i)\s+over(\s+|$)`)

// Parse reads one gate: [PROFILE:]METRIC OP VALUE[ over WINDOW], e.g.
// "p95<300ms", "target:error_rate<=0.1%", "throughput>=1000/s over 30s".
func Parse(text string) (Gate, error) {
	g := Gate{Text: strings.TrimSpace(text)}
	bad := func(format string, args ...any) (Gate, error) {
		return Gate{}, &SyntaxError{Gate: g.Text, Msg: fmt.Sprintf(format, args...)}
	}
	s := g.Text
	if s == "" {
		return bad("empty gate: want %s, e.g. p95<300ms", Grammar)
	}
	if loc := overRE.FindStringIndex(s); loc != nil {
		w := strings.TrimSpace(s[loc[1]:])
		if w == "" {
			return bad(`missing window after "over": want e.g. over 30s`)
		}
		d, err := time.ParseDuration(w)
		if err != nil || d < time.Second || d%time.Second != 0 {
			return bad("malformed window %q: want whole seconds of at least 1s, such as 30s or 5m", w)
		}
		g.Window = d
		s = s[:loc[0]]
	}
	if prefix, rest, ok := strings.Cut(s, ":"); ok {
		if msg := g.prefix(strings.TrimSpace(prefix)); msg != "" {
			return bad("%s", msg)
		}
		s = rest
	}
	i := strings.IndexAny(s, "<>")
	if i < 0 {
		return bad("no comparison: want METRIC OP VALUE with OP one of <, <=, >, >=, e.g. p95<300ms")
	}
	g.Op = s[i : i+1]
	value := s[i+1:]
	if strings.HasPrefix(value, "=") {
		g.Op += "="
		value = value[1:]
	}
	metric := strings.TrimSpace(s[:i])
	g.Metric = strings.ToLower(metric)
	if g.Metric == "" {
		return bad("missing metric before %s: want one of %s", g.Op, metricList())
	}
	if !slices.Contains(Metrics, g.Metric) {
		return bad("unknown metric %q: want %s", metric, metricList())
	}
	// "300 ms" and "1000 /s" read as "300ms" and "1000/s".
	value = strings.Join(strings.Fields(value), "")
	if value == "" {
		return bad("missing limit after %s", g.Op)
	}
	var err error
	switch g.Metric {
	case "error_rate":
		g.Unit = UnitRatio
		g.Limit, err = parseRatio(value)
		if err != nil {
			return bad("malformed limit %q: error_rate wants a percentage such as 0.1%% or a fraction from 0 to 1", value)
		}
	case "throughput":
		g.Unit = UnitRate
		g.Limit, err = parseRate(value)
		if err != nil {
			return bad("malformed limit %q: throughput wants successful requests per second such as 1000/s", value)
		}
	default:
		g.Unit = UnitMs
		d, err := time.ParseDuration(value)
		if err != nil {
			return bad("malformed limit %q: %s wants a duration such as 300ms or 1.5s", value, g.Metric)
		}
		if d < 0 {
			return bad("malformed limit %q: %s wants a duration >= 0", value, g.Metric)
		}
		g.Limit = float64(result.Ms(d))
	}
	return g, nil
}

// ParseAll parses every gate; the first bad one is the error.
func ParseAll(texts []string) ([]Gate, error) {
	gs := make([]Gate, 0, len(texts))
	for _, t := range texts {
		g, err := Parse(t)
		if err != nil {
			return nil, err
		}
		gs = append(gs, g)
	}
	return gs, nil
}

// CheckProfiles makes sure every gate that names a profile names one the
// run will run: a gate on a profile that never runs would pass silently.
func CheckProfiles(gs []Gate, running []string) error {
	for _, g := range gs {
		if g.Profile != "" && !slices.Contains(running, g.Profile) {
			return &SyntaxError{Gate: g.Text, Msg: fmt.Sprintf("the run has no %s profile (it runs %s)", g.Profile, strings.Join(running, ", "))}
		}
	}
	return nil
}

func metricList() string {
	return strings.Join(Metrics[:len(Metrics)-1], ", ") + " or " + Metrics[len(Metrics)-1]
}

// parseRatio reads "0.1%" (a percentage) or "0.001" (a fraction).
func parseRatio(s string) (float64, error) {
	v, _, err := units.ParseShare(s)
	if err != nil || v < 0 || v > 1 {
		return 0, fmt.Errorf("not a ratio")
	}
	return v, nil
}

// parseRate reads "1000/s", "1000req/s", "1000rps" or "1000".
func parseRate(s string) (float64, error) {
	for _, suffix := range []string{"req/s", "/s", "rps"} {
		if t, ok := strings.CutSuffix(s, suffix); ok {
			s = t
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("not a rate")
	}
	return v, nil
}

// Judge checks every gate on every profile it applies to: one GateCheck per
// gate and profile, in gate order. A gate that names a profile missing from
// the result (the run stopped before it) fails: nothing was measured, and a
// gate must never pass silently.
func Judge(gs []Gate, r *result.Result) []result.GateCheck {
	var out []result.GateCheck
	for _, g := range gs {
		if g.Request != "" {
			out = append(out, g.judgeRequest(r)...)
			continue
		}
		if g.Profile != "" {
			p := r.Profile(g.Profile)
			if p == nil {
				out = append(out, g.missing(g.Profile, "the profile did not run"))
				continue
			}
			out = append(out, g.Check(p))
			continue
		}
		if len(r.Profiles) == 0 {
			out = append(out, g.missing("", "no profile ran"))
		}
		for i := range r.Profiles {
			out = append(out, g.Check(&r.Profiles[i]))
		}
	}
	return out
}

func (g Gate) missing(profile, why string) result.GateCheck {
	return result.GateCheck{Gate: g.Text, Profile: profile, Check: result.Check{Name: g.Metric, Limit: g.Limit, Op: g.Op, Unit: g.Unit, Detail: why, Unmeasured: true}}
}

// Check judges the gate on one profile.
func (g Gate) Check(p *result.Profile) result.GateCheck {
	gc := result.GateCheck{Gate: g.Text, Profile: p.Name, Check: result.Check{Name: g.Metric, Limit: g.Limit, Op: g.Op, Unit: g.Unit}}
	var f figure
	if g.Window > 0 {
		f = g.worstWindow(p)
	} else {
		f = g.measure(wholeProfile(p))
	}
	gc.Measured, gc.Detail, gc.Window = f.value, f.detail, f.window
	gc.Unmeasured = !f.ok // reports print — for it, not a 0 never measured
	gc.Pass = f.ok && compare(f.value, g.Op, g.Limit)
	return gc
}

// figure is a measured value; ok is false when it could not be measured
// (no successful requests for a latency, no requests for an error rate),
// which fails the gate, and detail then says why.
type figure struct {
	value  float64
	ok     bool
	detail string
	// tie breaks ties between windows of equal value: the mean latency for
	// a latency gate, so that of the windows whose p95 reached the same
	// bucket the one most inside a bad stretch is named.
	tie float64
	// window is the worst window's from and to (seconds into the
	// profile) of a windowed gate judged over its windows (worstWindow).
	window *[2]result.Seconds
}

// span is the figures of a stretch of a profile.
type span struct {
	seconds          float64
	requests, errors int64
	latency          func() metrics.Percentiles // of successful requests
}

func wholeProfile(p *result.Profile) span {
	t := p.Total
	return span{
		seconds:  float64(t.Elapsed),
		requests: t.Requests,
		errors:   t.Errors,
		latency: func() metrics.Percentiles {
			r := t.Response
			return metrics.Percentiles{Count: r.Count, Min: r.Min.Duration(), Mean: r.Mean.Duration(),
				P50: r.P50.Duration(), P90: r.P90.Duration(), P95: r.P95.Duration(), P99: r.P99.Duration(),
				P999: r.P999.Duration(), Max: r.Max.Duration()}
		},
	}
}

func (g Gate) measure(s span) figure {
	switch g.Metric {
	case "error_rate":
		if s.requests == 0 {
			return figure{detail: "no requests completed"}
		}
		return figure{value: float64(s.errors) / float64(s.requests), ok: true}
	case "throughput":
		if s.seconds <= 0 {
			return figure{detail: "no time measured"}
		}
		return figure{value: float64(s.requests-s.errors) / s.seconds, ok: true}
	}
	l := s.latency()
	if l.Count == 0 {
		return figure{detail: "no successful requests"}
	}
	d := map[string]time.Duration{"p50": l.P50, "p90": l.P90, "p95": l.P95, "p99": l.P99, "p99.9": l.P999, "max": l.Max, "mean": l.Mean}[g.Metric]
	return figure{value: float64(result.Ms(d)), ok: true, tie: float64(result.Ms(l.Mean))}
}

func compare(v float64, op string, limit float64) bool {
	switch op {
	case "<":
		return v < limit
	case "<=":
		return v <= limit
	case ">":
		return v > limit
	case ">=":
		return v >= limit
	}
	return false
}

// worse reports whether a is a worse figure than b for the gate.
func (g Gate) worse(a, b figure) bool {
	if a.ok != b.ok {
		return !a.ok
	}
	if a.value == b.value {
		a.value, b.value = a.tie, b.tie
	}
	if strings.HasPrefix(g.Op, "<") {
		return a.value > b.value
	}
	return a.value < b.value
}

// worstWindow slides a window of g.Window seconds one second at a time over
// the profile's one-second windows and returns the worst figure. Only
// seconds wholly inside the profile's run count, as in the verdict's steady
// parts, so a part-second at either end does not read as a throughput dip;
// a whole second with no completions counts as an empty one, at either
// end too, and a refined stress ramp ends where the ramp itself ended
// (result.SecondsRule, result.RunEnd). A profile shorter than the window is judged over the seconds it has.
func (g Gate) worstWindow(p *result.Profile) figure {
	ws := result.ProfileSeconds(p, result.SecondsRule{To: result.RunEnd(p)})
	if len(ws) == 0 {
		f := g.measure(wholeProfile(p))
		f.detail = join("no whole one-second windows: judged over the whole profile", f.detail)
		return f
	}
	t0, off0, n := ws[0].Time, float64(ws[0].Offset), int(ws[len(ws)-1].Time-ws[0].Time)+1
	width := int(g.Window / time.Second)
	short := n < width
	if short {
		width = n
	}

	secs := make([]second, n)
	for _, w := range ws {
		s := &secs[w.Time-t0]
		s.requests += w.Requests
		s.errors += w.Errors
		if w.Hist != "" {
			s.hists = append(s.hists, w.Hist)
		}
	}
	load := secondsOfLoad(p, secs, off0)
	var tl *timeline
	if g.Unit == UnitMs {
		tl = &timeline{secs: secs}
	}

	cur := span{seconds: float64(width)}
	if tl != nil {
		cur.latency = tl.percentiles
	}
	var worst figure
	worstAt, loaded := -1, 0
	for i := 0; i < n; i++ {
		cur.requests += secs[i].requests
		cur.errors += secs[i].errors
		loaded += load[i]
		if i >= width {
			cur.requests -= secs[i-width].requests
			cur.errors -= secs[i-width].errors
			loaded -= load[i-width]
		}
		if tl != nil {
			err := tl.add(i, 1)
			if err == nil && i >= width {
				err = tl.add(i-width, -1)
			}
			if err != nil {
				// Judging without that second could hide it: fail.
				return figure{detail: fmt.Sprintf("the histogram of a second at %s into the profile does not decode: %v", secs2(off0+float64(i)), err)}
			}
		}
		if i < width-1 || loaded == 0 {
			continue // a window of no load is not judged (secondsOfLoad)
		}
		f := g.measure(cur)
		if worstAt < 0 || g.worse(f, worst) {
			worst, worstAt = f, i-width+1
		}
	}
	if worstAt < 0 {
		f := g.measure(wholeProfile(p))
		f.detail = join("no whole second of load: judged over the whole profile", f.detail)
		return f
	}
	from := off0 + float64(worstAt)
	where := fmt.Sprintf("worst %s window %s–%s into the profile", g.Window, secs2(from), secs2(from+float64(width)))
	if short {
		where = fmt.Sprintf("the profile has only %d whole seconds, shorter than the %s window: judged over them", n, g.Window)
	}
	worst.detail = join(where, worst.detail)
	worst.window = &[2]result.Seconds{result.Seconds(from), result.Seconds(from + float64(width))}
	return worst
}

// secondsOfLoad is 1 for each of the grid's seconds (secs, the first at
// off0 into the profile) that completed something or in which the stages
// offered load, 0 for the others: a spike's base 0 before and after it.
// A window of only such seconds is not judged: nothing was planned in it,
// and a latency or error-rate gate read it as "no successful requests"
// and failed (a hang, load offered and nothing completed, still counts).
func secondsOfLoad(p *result.Profile, secs []second, off0 float64) []int {
	offered := verdict.SecondsOffered(p, off0, len(secs))
	out := make([]int, len(secs))
	for i, s := range secs {
		if s.requests > 0 || offered[i] > 0 {
			out[i] = 1
		}
	}
	return out
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + ": " + b
}

func secs2(s float64) string {
	return strconv.FormatFloat(math.Round(s*10)/10, 'f', -1, 64) + "s"
}

// second is one second of a profile's timeline.
type second struct {
	requests, errors int64
	hists            []string // encoded histograms of successful requests
}

// timeline keeps a running histogram of a sliding stretch of seconds: a
// second's counts are added as the stretch takes it in and subtracted as it
// lets it go, so each step costs two decodes and one pass over the counts
// rather than a merge of every second in the stretch. Seconds are decoded
// again when they leave rather than kept decoded, so memory stays that of
// one histogram however long the profile or the window.
type timeline struct {
	secs    []second
	geom    *hdr.Snapshot // the first histogram's geometry; every second is counted in it
	running []int64
}

// add adds (sign 1) or subtracts (sign -1) second i's counts.
func (tl *timeline) add(i int, sign int64) error {
	for _, enc := range tl.secs[i].hists {
		h, err := metrics.Decode(enc)
		if err != nil {
			return err
		}
		if tl.geom == nil {
			tl.geom = &hdr.Snapshot{LowestTrackableValue: h.LowestTrackableValue(), HighestTrackableValue: h.HighestTrackableValue(),
				SignificantFigures: h.SignificantFigures()}
			tl.running = make([]int64, len(hdr.Import(tl.geom).Export().Counts))
		}
		snap := h.Export()
		if snap.LowestTrackableValue != tl.geom.LowestTrackableValue || snap.HighestTrackableValue != tl.geom.HighestTrackableValue ||
			snap.SignificantFigures != tl.geom.SignificantFigures || len(snap.Counts) != len(tl.running) {
			// A second recorded with another geometry (a merged result):
			// count it in the timeline's.
			c := hdr.Import(tl.geom)
			c.Merge(h)
			snap = c.Export()
		}
		for k, v := range snap.Counts {
			if v != 0 {
				tl.running[k] += sign * v
			}
		}
	}
	return nil
}

func (tl *timeline) percentiles() metrics.Percentiles {
	if tl.geom == nil {
		return metrics.Percentiles{}
	}
	snap := *tl.geom
	snap.Counts = tl.running
	return metrics.Summarize(hdr.Import(&snap))
}
