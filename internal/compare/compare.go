// Package compare owns the old-versus-new comparison of two result
// documents: for each profile both runs have, throughput, latency
// percentiles, error rate and (stress) capacity at SLO, each with a
// statistical test over the per-second windows, so that a migration's
// go/no-go does not rest on run-to-run noise; and (stress, informational)
// the measured throughput ceilings, by their intervals. docs/compare.md describes the
// method for users.
//
// It reads results only. Everything is a pure function of the two results
// and the options; the bootstrap is seeded, so the same inputs give the
// same comparison on every machine.
package compare

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// Schema names this version of the comparison document (compare.json).
const Schema = "loadplan/compare/v1"

// Metric names, in the order a profile's table lists them.
const (
	Throughput    = "throughput"      // successful requests per second
	P50           = "p50"             // latency percentiles of successful requests
	P95           = "p95"             //
	P99           = "p99"             //
	P999          = "p99_9"           //
	ErrorRate     = "error_rate"      // failed ÷ all
	CapacityAtSLO = "capacity_at_slo" // stress: the verdict's, highest held step below the first broken
	Ceiling       = "ceiling"         // stress: the measured throughput ceiling (capacity.MeasuredCeiling); informational
)

// Verdicts of one metric.
const (
	Better    = "better"
	Worse     = "worse"
	NoChange  = "no significant change"
	NotTested = "not tested"
)

// TestBootstrap names the bootstrap in Metric.Test; the rank tests are
// named by their RankTest.Method.
const TestBootstrap = "bootstrap"

// TestIntervals names the ceiling row's test in Metric.Test: the interval
// of the difference made from the two ceilings' intervals (ceilingMetric).
const TestIntervals = "intervals"

// minWindows is the fewest windows on each side for a rank test: below
// it no p-value could reach any usual α.
const minWindows = 3

// Options are the comparison's settings. The zero value of each field is
// its default; as net.Dialer's KeepAlive does, a negative MinEffect or
// MaxRegression means zero (no minimum effect; any significant worsening
// of a gated metric fails).
type Options struct {
	// Alpha is the significance level: a change is significant only when
	// its test's p-value, Holm-adjusted over the profile's metrics, is
	// below it. Default 0.05.
	Alpha float64
	// MinEffect is the smallest relative change called significant,
	// however small the p-value: a real but negligible change is not worth
	// a verdict. Default 0.05 (5%).
	MinEffect float64
	// MaxRegression is how much worse a gated metric (p95, p99, error
	// rate, throughput, capacity) may significantly get before the
	// comparison fails. Default 0.10 (10%).
	MaxRegression float64
	// Resamples is the number of bootstrap resamples. Default 1000; the
	// command line allows at most MaxResamples.
	Resamples int
	// Seed seeds the bootstrap; zero is a seed like any other.
	Seed uint64
	// MinRequestShare is the share of a profile's requests (in either
	// run) from which a request of a steady profile with several requests
	// is compared on its own too, and fails the comparison when it
	// regresses. Default 0.05 (5%); negative means every request.
	MinRequestShare float64
}

// MaxResamples is the most bootstrap resamples `loadplan compare` takes:
// 100 times the default, a few seconds of work; 10^9 took 7.8 GB.
const MaxResamples = 100_000

func (o Options) normalize() Options {
	def := func(v *float64, d float64) {
		switch {
		case *v == 0:
			*v = d
		case *v < 0:
			*v = 0
		}
	}
	if o.Alpha <= 0 || o.Alpha >= 1 {
		o.Alpha = 0.05
	}
	def(&o.MinEffect, 0.05)
	def(&o.MaxRegression, 0.10)
	def(&o.MinRequestShare, DefaultMinRequestShare)
	if o.Resamples <= 0 {
		o.Resamples = 1000
	}
	return o
}

// Comparison is the whole comparison: what compare.json holds.
type Comparison struct {
	Schema   string   `json:"schema"`
	Old      Source   `json:"old"`
	New      Source   `json:"new"`
	Settings Settings `json:"settings"`
	// Profiles are the profiles both runs have, in the old run's order.
	Profiles  []Profile `json:"profiles"`
	OnlyInOld []string  `json:"only_in_old,omitempty"`
	OnlyInNew []string  `json:"only_in_new,omitempty"`
	Warnings  []string  `json:"warnings,omitempty"`
	// Unsound lists the compared runs whose figures `loadplan run` would
	// not accept: a generator that was the bottleneck, a run or profile
	// that did not complete. Any makes Pass false.
	Unsound []Unsound `json:"unsound,omitempty"`
	// Pass is false when any gated metric of any profile is a regression,
	// or any compared run is Unsound.
	Pass bool `json:"pass"`
	// Verdict is the verdict line's word: PASS, FAIL (a regression),
	// INCONCLUSIVE (every regression a row too short to test, worse on
	// its figures alone), INVALID (a generator was the bottleneck),
	// INCOMPLETE (a run did not complete) or INCOMPARABLE (the runs
	// offered different loads); INVALID, INCOMPLETE and INCOMPARABLE win
	// over FAIL and INCONCLUSIVE, in that order.
	Verdict string `json:"verdict"`
}

// Source describes one of the two runs.
type Source struct {
	// File is the path the result was read from; the caller sets it.
	File     string    `json:"file,omitempty"`
	Scenario string    `json:"scenario"`
	Digest   string    `json:"digest,omitempty"`
	Target   string    `json:"target"`
	Start    time.Time `json:"start"`
	Status   string    `json:"status"`
	Version  string    `json:"loadplan_version"`
	// Runs is the number of runs on this side when there are several (a
	// `loadplan run --repeat` directory or a list of results); the other
	// fields describe the first.
	Runs int `json:"runs,omitempty"`
	// Files are the result files of the runs, when there are several; the
	// caller sets them.
	Files []string `json:"files,omitempty"`
}

// Settings are the options the comparison ran with, defaults filled in.
type Settings struct {
	Alpha         float64 `json:"alpha"`
	MinEffect     float64 `json:"min_effect"`
	MaxRegression float64 `json:"max_regression"`
	Resamples     int     `json:"resamples"`
	Seed          uint64  `json:"seed"`
	// MinRequestShare: see Options.
	MinRequestShare float64 `json:"min_request_share"`
}

// Profile is one profile's comparison.
type Profile struct {
	Name  string `json:"name"`
	Model string `json:"model"`
	// Stages are the stages (0-based) whose steady parts were compared:
	// those both runs have, with at least one steady window in each.
	Stages []int `json:"stages"`
	// OldWindows and NewWindows are the per-second windows compared.
	OldWindows int      `json:"old_windows"`
	NewWindows int      `json:"new_windows"`
	Metrics    []Metric `json:"metrics"`
	// Distribution is the latency distribution of the compared windows
	// (successful requests), old beside new, for plotting.
	Distribution []Quantile `json:"distribution,omitempty"`
	Notes        []string   `json:"notes,omitempty"`
	Warnings     []string   `json:"warnings,omitempty"`
	// Pass is false when a gated metric is a regression, of the profile
	// or of one of its Requests.
	Pass bool `json:"pass"`
	// Request names the request a per-request comparison is of (Requests
	// of a profile), with its share of the traffic (the larger of the
	// two runs').
	Request string  `json:"request,omitempty"`
	Share   float64 `json:"share,omitempty"`
	// Requests compare each request with at least MinRequestShare of the
	// traffic on its own (steady profiles with several requests).
	Requests []Profile `json:"requests,omitempty"`
}

// Metric is one row of a profile's table.
type Metric struct {
	Name string `json:"name"`
	Unit string `json:"unit"` // "req/s", "ms" or "ratio"
	// WorseWhen is "higher" (latency, errors) or "lower" (throughput,
	// capacity).
	WorseWhen string  `json:"worse_when"`
	Old       float64 `json:"old"`
	New       float64 `json:"new"`
	Change    float64 `json:"change"` // new − old, in Unit
	// Relative is (new − old) / old; null when old is 0 and new is not
	// (an unbounded relative change), and on the ceiling row when a side
	// measured no ceiling (its figure is a lower bound).
	Relative *float64 `json:"relative"`
	// Test names the test behind PValue: a RankTest.Method over the
	// per-second values, or TestBootstrap; empty when not tested.
	Test   string   `json:"test,omitempty"`
	PValue *float64 `json:"p_value,omitempty"`
	// PAdjusted is PValue adjusted by Holm's method over the profile's
	// tested metrics; it is what is compared with α, so that for an
	// unchanged system the chance of calling any of them changed is at
	// most α.
	PAdjusted *float64 `json:"p_adjusted,omitempty"`
	// CI is the bootstrap's interval of new − old at level 1 − α; on the
	// ceiling row, the interval of new − old made from the two ceilings'
	// intervals (TestIntervals).
	CI *[2]float64 `json:"ci,omitempty"`
	// OldCeiling and NewCeiling say what each side's figure on the
	// ceiling row is: a measured ceiling with its interval, or a lower
	// bound and why.
	OldCeiling *CeilingSide `json:"old_ceiling,omitempty"`
	NewCeiling *CeilingSide `json:"new_ceiling,omitempty"`
	// OldN and NewN are the sample sizes behind the test: per-second
	// values for a rank test, windows resampled for the bootstrap.
	OldN int `json:"old_n"`
	NewN int `json:"new_n"`
	// Significant is PAdjusted < α and |Relative| ≥ the minimum effect,
	// with the test and the change pointing the same way.
	Significant bool   `json:"significant"`
	Verdict     string `json:"verdict"` // Better, Worse, NoChange or NotTested
	// Gated metrics fail the comparison when they are a Regression:
	// significantly worse by more than the maximum regression.
	Gated      bool   `json:"gated"`
	Regression bool   `json:"regression"`
	Note       string `json:"note,omitempty"`
	// Runs is the run-level test over the per-run figures, when both
	// sides have at least MinRuns runs. The metric is significant only
	// when it agrees.
	Runs *RunTest `json:"runs,omitempty"`
	// Pooled is the bootstrap over the windows of the figure itself (the
	// percentile of all the compared seconds' requests pooled), for p95
	// and p99: it sees a stall of a few seconds that lifts the figure
	// while the typical second, which the rank test compares, is
	// unchanged. It is not part of the row's verdict; run --baseline
	// reads it (docs/ci.md).
	Pooled *PooledTest `json:"pooled,omitempty"`
	// Missing names the side with no figure on a latency row, "old",
	// "new" or "both": no successful request in its compared windows (or
	// its whole profile), so its Old or New is 0 and means none; Change is
	// then 0, Relative null and the row not tested.
	Missing string `json:"missing,omitempty"`
	// Serial is the factor the variance of the row's test was widened by
	// because its seconds are not independent (serialFactor: (1 + ρ) /
	// (1 − ρ), ρ the lag-1 autocorrelation of the per-second values'
	// ranks); absent when 1. p99.9's is p99's.
	Serial *float64 `json:"serial,omitempty"`
	// Detectable is the run's resolution for a latency row (p50, p95,
	// p99): about the smallest relative change its test calls with 80%
	// chance at this size (setDetectable); absent for the other rows.
	Detectable *float64 `json:"detectable,omitempty"`

	shift int // the side the test puts the new run on: +1 higher, −1 lower
	// spread is a latency row's per-second spread, for Detectable.
	spread spread
	// unresolved is set when the measurement cannot tell the two apart
	// whatever the p-value (capacities within one step of the ramp).
	unresolved bool
}

// Quantile is one point of the latency distributions.
type Quantile struct {
	Percentile float64       `json:"percentile"`
	Old        result.Millis `json:"old_ms"`
	New        result.Millis `json:"new_ms"`
}

// NoCommonProfileError says the two results share no profile name.
type NoCommonProfileError struct {
	Old, New []string
}

func (e *NoCommonProfileError) Error() string {
	list := func(names []string) string {
		if len(names) == 0 {
			return "none"
		}
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("no profile is in both results (old: %s; new: %s): compare runs of the same scenario", list(e.Old), list(e.New))
}

// Compare compares the profiles the two results share.
func Compare(older, newer *result.Result, opt Options) (*Comparison, error) {
	return CompareRuns([]*result.Result{older}, []*result.Result{newer}, opt)
}

// CompareRuns is CompareRunsContext that cannot be interrupted.
func CompareRuns(olds, news []*result.Result, opt Options) (*Comparison, error) {
	return CompareRunsContext(context.Background(), olds, news, opt)
}

// CompareRuns compares repeated runs of the old system with repeated runs
// of the new (each side at least one run; with one run a side it is
// Compare). With several runs the window tests are stratified by run as
// well as by stage — old run k against new run k, stage against stage —
// and, when both sides have at least MinRuns runs, a run-level
// Mann–Whitney test over the per-run figures must agree before a change
// is called (docs/compare.md, "Repeated runs").
//
// When ctx is done the bootstraps stop and CompareRunsContext returns ctx's
// error, never a comparison made of cut-short resamples.
func CompareRunsContext(ctx context.Context, olds, news []*result.Result, opt Options) (*Comparison, error) {
	if len(olds) == 0 || len(news) == 0 {
		return nil, fmt.Errorf("compare: need at least one result a side, got %d old and %d new", len(olds), len(news))
	}
	opt = opt.normalize()
	c := &Comparison{
		Schema: Schema,
		Old:    source(olds),
		New:    source(news),
		Settings: Settings{Alpha: opt.Alpha, MinEffect: opt.MinEffect, MaxRegression: opt.MaxRegression,
			Resamples: opt.Resamples, Seed: opt.Seed, MinRequestShare: opt.MinRequestShare},
		Pass: true,
	}
	oldNames, newNames := profileNames(olds), profileNames(news)
	for _, name := range oldNames {
		ps, pn := profilesNamed(olds, name), profilesNamed(news, name)
		if len(pn) == 0 {
			c.OnlyInOld = append(c.OnlyInOld, name)
			continue
		}
		pc := compareProfile(ctx, ps, pn, opt, !Spike(slices.Concat(ps, pn)...))
		compareRequests(ctx, &pc, ps, pn, opt)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(ps) < len(olds) || len(pn) < len(news) {
			pc.Warnings = append(pc.Warnings, fmt.Sprintf("the profile is in %d of %d old runs and %d of %d new runs: only those are compared",
				len(ps), len(olds), len(pn), len(news)))
		}
		c.Pass = c.Pass && pc.Pass
		c.Profiles = append(c.Profiles, pc)
	}
	for _, name := range newNames {
		if !slices.Contains(oldNames, name) {
			c.OnlyInNew = append(c.OnlyInNew, name)
		}
	}
	if len(c.Profiles) == 0 {
		return nil, &NoCommonProfileError{Old: oldNames, New: newNames}
	}
	c.settle(olds, news)
	digests := map[string]bool{}
	for _, r := range slices.Concat(olds, news) {
		if r.Scenario.Digest != "" {
			digests[r.Scenario.Digest] = true
		}
	}
	if len(digests) > 1 {
		c.Warnings = append(c.Warnings, "the two runs used different scenario files: check that they offered the same load (a target URL may differ, the load should not)")
	}
	if w := LayoutWarning(olds, news); w != "" {
		c.Warnings = append(c.Warnings, w)
	}
	for _, s := range []struct {
		which string
		rs    []*result.Result
	}{{"old", olds}, {"new", news}} {
		for i, r := range s.rs {
			if r.Status == result.StatusComplete {
				continue
			}
			which := s.which
			if len(s.rs) > 1 {
				which = fmt.Sprintf("%s run %d's", s.which, i+1)
				c.Warnings = append(c.Warnings, fmt.Sprintf("the %s status is %s: its figures are partial", which, r.Status))
				continue
			}
			c.Warnings = append(c.Warnings, fmt.Sprintf("the %s run is %s: its figures are partial", which, r.Status))
		}
	}
	return c, nil
}

// LayoutWarning says when the two sides' generators were laid out
// differently: one process against a result merged from segments, or
// another number of segments. The load is the same, but the generators
// that sent it are not (their lateness, their network path to the
// target), and both show in the latencies (docs/compare.md, step 2).
func LayoutWarning(olds, news []*result.Result) string {
	describe := func(rs []*result.Result) (ns []int, words []string) {
		for _, r := range rs {
			n := max(1, len(r.Segments))
			if slices.Contains(ns, n) {
				continue
			}
			ns, words = append(ns, n), append(words, fmt.Sprintf("merged from %d segments", n))
			if n == 1 {
				words[len(words)-1] = "one generator process"
			}
		}
		return ns, words
	}
	on, ow := describe(olds)
	nn, nw := describe(news)
	if len(on) == 1 && slices.Equal(on, nn) {
		return ""
	}
	return fmt.Sprintf("the two sides' generators were laid out differently (old: %s; new: %s): the generators' lateness and network path show in the latencies; run both sides with the same segment layout",
		strings.Join(ow, ", "), strings.Join(nw, ", "))
}

// profileNames lists the profile names of the runs, first run's order
// first.
func profileNames(rs []*result.Result) []string {
	var names []string
	for _, r := range rs {
		for _, p := range r.Profiles {
			if !slices.Contains(names, p.Name) {
				names = append(names, p.Name)
			}
		}
	}
	return names
}

// profilesNamed returns the named profile of each run that has it.
func profilesNamed(rs []*result.Result, name string) []*result.Profile {
	var ps []*result.Profile
	for _, r := range rs {
		if p := r.Profile(name); p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

func source(rs []*result.Result) Source {
	r := rs[0]
	s := Source{Scenario: r.Scenario.Name, Digest: r.Scenario.Digest, Target: r.Scenario.Target,
		Start: r.Environment.Start, Status: r.Status, Version: r.Environment.LoadplanVersion}
	if len(rs) > 1 {
		s.Runs = len(rs)
	}
	return s
}

// tableQuantiles are the percentiles of the table, in hundredths of a
// percent.
var tableQuantiles = []int64{q50, q95, q99, q999}

// distribution samples the two latency distributions at 20 points per
// decade of 1/(1 − p), HdrHistogram's percentile axis, up to 99.999% or
// the last percentile both counts resolve, then at the maximum.
func distribution(pool *pool, older, newer *counts) []Quantile {
	n := min(older.total, newer.total)
	if n == 0 {
		return nil
	}
	top := min(1e5, float64(n))
	var fs []float64
	for i := 0; ; i++ {
		x := math.Pow(10, float64(i)/20)
		if x >= top {
			break
		}
		fs = append(fs, 1-1/x)
	}
	fs = append(fs, 1)
	ov, nv := make([]int64, len(fs)), make([]int64, len(fs))
	older.atFractions(pool, fs, ov)
	newer.atFractions(pool, fs, nv)
	out := make([]Quantile, len(fs))
	for i, f := range fs {
		out[i] = Quantile{Percentile: 100 * f, Old: result.Millis(usMs(ov[i])), New: result.Millis(usMs(nv[i]))}
	}
	return out
}

// measuredPerStart notes, for each side with a run of flows whose
// requests per iteration are measured, not planned (a result without
// request_steps: result.Profile.PerStartMeasured), that its offered loads
// in requests may read low, as that run's own notes say.
func measuredPerStart(os, ns []*result.Profile) []string {
	var notes []string
	for _, side := range []struct {
		name string
		ps   []*result.Profile
	}{{"the old run", os}, {"the new run", ns}} {
		if slices.ContainsFunc(side.ps, (*result.Profile).PerStartMeasured) {
			notes = append(notes, side.name+": "+result.PerStartNote)
		}
	}
	return notes
}

// compareProfile compares one profile of the old runs with the same
// profile of the new runs. Old run k is paired with new run k; each pair's
// stages are strata of the window tests. Runs beyond the shorter side's
// count take part only in the run-level test.
func compareProfile(ctx context.Context, os, ns []*result.Profile, opt Options, callPooled bool) Profile {
	o, n := os[0], ns[0]
	pairs := min(len(os), len(ns))
	multi := len(os) > 1 || len(ns) > 1
	pc := Profile{Name: o.Name, Model: n.Model, Pass: true, Stages: []int{}}
	for k := range pairs {
		run := 0
		if multi {
			run = k + 1
		}
		for _, w := range profileWarnings(os[k], ns[k], run) {
			if !slices.Contains(pc.Warnings, w) {
				pc.Warnings = append(pc.Warnings, w)
			}
		}
	}
	stepped := true
	for _, p := range slices.Concat(os, ns) {
		stepped = stepped && p.Rules.Stepped
	}
	var sos, sns []*stress
	if stepped {
		// Past its breaking point a step's latency measures a queue
		// growing, one state per run: comparing it second by second would
		// call the luck of one run a difference. So a stress profile's
		// per-second figures come from the steps that held in both runs;
		// its capacity at SLO speaks for the rest.
		for _, p := range os {
			sos = append(sos, newStress(p))
		}
		for _, p := range ns {
			sns = append(sns, newStress(p))
		}
		pc.Notes = append(pc.Notes, "stress: the per-second figures are compared over the steps that held the SLO in both runs; the capacity at SLO compares the breaking points")
	}
	if multi {
		pc.Notes = append(pc.Notes, runsNote(len(os), len(ns)))
	}
	pc.Notes = append(pc.Notes, measuredPerStart(os, ns)...)
	strata, fallback := profileStrata(os[:pairs], ns[:pairs], sos, sns)
	if fallback && len(strata) > 0 {
		pc.Notes = append(pc.Notes, "no stage has a whole steady second in both runs: compared every second but the first and the last")
	}
	oldWs, newWs := pc.addStrata(o, n, strata)

	if len(strata) == 0 {
		why := "no per-second windows to compare"
		if stepped {
			why = "no step held the SLO in both runs"
		}
		pc.Notes = append(pc.Notes, why+": the figures are the whole profile's, untested")
		pc.Metrics = totalsOnly(os, ns)
	} else {
		var notes []string
		pc.Metrics, pc.Distribution, notes = windowMetrics(ctx, os, ns, strata, oldWs, newWs, opt)
		pc.Notes = append(pc.Notes, notes...)
	}
	if stepped {
		pc.Metrics = append(pc.Metrics, capacityMetric(ctx, os, ns, sos, sns, opt))
	}
	if len(os) >= MinRuns && len(ns) >= MinRuns {
		runLevel(pc.Metrics, os, ns, pc.Stages, fallback, sos, sns)
	}
	holm(pc.Metrics)
	setDetectable(pc.Metrics, opt.Alpha)
	pc.judge(opt, callPooled, minorRequests(os, ns, opt))
	for _, w := range []string{latenessWarning(os, ns, pc.Metrics), starvedWarning(os, ns)} {
		if w != "" {
			pc.Warnings = append(pc.Warnings, w)
		}
	}
	if stepped {
		// After the tested rows: it is no part of their Holm family, and
		// never gated.
		pc.Metrics = append(pc.Metrics, ceilingMetric(ctx, os, ns, opt))
	}
	return pc
}

// judge gives each row of pc its verdict (decide, notePooled; a row not
// tested, untestedRegression) and fails pc on a regression. A latency row
// that is worse, or whose figure differs (notePooled), names the minor
// requests that may explain it (minorHint): where to look, untested.
func (pc *Profile) judge(opt Options, callPooled bool, minors []minorRequest) {
	for i := range pc.Metrics {
		m := &pc.Metrics[i]
		hint, hinted := minorHint(m, minors), false
		if m.PAdjusted == nil {
			untestedRegression(m, opt)
		} else {
			decide(m, opt)
			hinted = notePooled(m, opt, callPooled, hint)
		}
		if hint != "" && !hinted && (m.Verdict == Worse || m.Regression) {
			m.Note = joinNote(m.Note, hint)
		}
		pc.Pass = pc.Pass && !m.Regression
	}
}

// profileStrata is the strata of the window tests over the paired runs
// (os[k] with ns[k]): of a stress profile (sos and sns set), only the steps
// that held in both runs. fallback is true when a pair had no whole steady
// second in a stage and compared every second but the first and the last.
func profileStrata(os, ns []*result.Profile, sos, sns []*stress) (strata []stratum, fallback bool) {
	stepped := sos != nil
	for k := range os {
		var keep func(int) bool
		if stepped {
			heldO, heldN := sos[k].heldStages(), sns[k].heldStages()
			keep = func(i int) bool { return heldO[i] && heldN[i] }
		}
		st, fb := pairStrata(os[k], ns[k], keep)
		strata = append(strata, st...)
		fallback = fallback || fb
	}
	return strata, fallback
}

// addStrata records in pc the stages and window counts of the strata, with
// a warning for a stage offered different loads and one for windows whose
// histogram did not decode, and returns the strata's windows by side.
// o and n are the first old and new runs.
func (pc *Profile) addStrata(o, n *result.Profile, strata []stratum) (oldWs, newWs [][]window) {
	badHists := 0
	for _, s := range strata {
		if s.stage >= 0 {
			if !slices.Contains(pc.Stages, s.stage) {
				pc.Stages = append(pc.Stages, s.stage)
			}
			so, sn := o.Stages[s.stage].Offered, n.Stages[s.stage].Offered
			if so.Load != sn.Load || so.Unit != sn.Unit {
				w := fmt.Sprintf("stage %d offered %g %s in the old run and %g %s in the new: the figures compare different loads",
					s.stage+1, so.Load, so.Unit, sn.Load, sn.Unit)
				if !slices.Contains(pc.Warnings, w) {
					pc.Warnings = append(pc.Warnings, w)
				}
			}
		}
		pc.OldWindows += len(s.old)
		pc.NewWindows += len(s.new)
		oldWs, newWs = append(oldWs, s.old), append(newWs, s.new)
		for _, ws := range [][]window{s.old, s.new} {
			for _, w := range ws {
				if w.badHist {
					badHists++
				}
			}
		}
	}
	slices.Sort(pc.Stages)
	if badHists > 0 {
		pc.Warnings = append(pc.Warnings, fmt.Sprintf("%d window histogram(s) did not decode: left out of the percentiles", badHists))
	}
	return oldWs, newWs
}

// holm sets PAdjusted of the tested metrics by Holm's step-down method
// (Holm, 1979): with the m p-values in ascending order, the i-th
// (1-based) becomes max over j ≤ i of min(1, (m − j + 1)·p_(j)).
// Rejecting where the adjusted p-value is below α keeps the chance of
// any false call among the m at most α, whatever their dependence.
func holm(ms []Metric) {
	var tested []*Metric
	for i := range ms {
		if ms[i].PValue != nil {
			tested = append(tested, &ms[i])
		}
	}
	slices.SortStableFunc(tested, func(a, b *Metric) int { return cmp.Compare(*a.PValue, *b.PValue) })
	running := 0.0
	for i, m := range tested {
		running = max(running, min(1, float64(len(tested)-i)**m.PValue))
		adj := running
		m.PAdjusted = &adj
	}
}

// profileWarnings is what may make the pair o, n unfair to compare; run
// is the pair's number with several runs a side (0: one run a side), so
// that a warning about one run says which.
func profileWarnings(o, n *result.Profile, run int) []string {
	var ws []string
	if o.Model != n.Model {
		ws = append(ws, fmt.Sprintf("the old run used the %s model and the new the %s model: their latencies mean different things", o.Model, n.Model))
	}
	if len(o.Stages) != len(n.Stages) {
		ws = append(ws, fmt.Sprintf("the old run has %d stage(s), the new %d: only the stages both have are compared", len(o.Stages), len(n.Stages)))
	}
	ws = append(ws, lengthWarnings(o, n)...)
	if og, ng := o.Generator, n.Generator; og.Engine != "" && ng.Engine != "" && og.Engine != ng.Engine {
		ws = append(ws, fmt.Sprintf("the old run ran on the %s engine and the new on the %s engine: the generator's own lateness and CPU differ between engines (LOADPLAN_ENGINE=pool or epoll runs both on one)",
			engineWords(og), engineWords(ng)))
	}
	for _, s := range []struct {
		which string
		p     *result.Profile
	}{{"old", o}, {"new", n}} {
		name := "the " + s.which + " run"
		if run > 0 {
			name = fmt.Sprintf("%s run %d", s.which, run)
		}
		if s.p.Generator.Invalid {
			ws = append(ws, fmt.Sprintf("%s's generator was the bottleneck (%s): its figures measure the generator, not the target",
				name, strings.Join(s.p.Generator.Reasons, "; ")))
		}
		if s.p.Status != "" && s.p.Status != result.StatusComplete {
			ws = append(ws, fmt.Sprintf("%s of this profile is %s", name, s.p.Status))
		}
	}
	return ws
}

// lengthWarnings says when the runs held their loads for different
// times: a stage's planned duration, or the profile's warm-up. The load
// is the same (else the runs are incomparable), but the seconds compared
// are not: more of them in the longer run, taken at other ages of the
// system (a cache still filling, a leak growing) and after another
// warm-up. A stress ramp's refinement steps follow each run's break and
// are not counted.
func lengthWarnings(o, n *result.Profile) []string {
	var ws []string
	if o.Rules.Warmup != n.Rules.Warmup {
		ws = append(ws, fmt.Sprintf("the old run warmed up for %gs and the new for %gs: the seconds compared start at different ages of the two systems",
			float64(o.Rules.Warmup), float64(n.Rules.Warmup)))
	}
	for i := range min(len(o.Stages), len(n.Stages)) {
		so, sn := o.Stages[i], n.Stages[i]
		if so.Refinement || sn.Refinement {
			break
		}
		if so.Offered.Duration != sn.Offered.Duration {
			ws = append(ws, fmt.Sprintf("stage %d was planned for %gs in the old run and %gs in the new: the longer run has more seconds to test, and they reach a later age of its system",
				i+1, float64(so.Offered.Duration), float64(sn.Offered.Duration)))
		}
	}
	return ws
}

// engineWords is a generator's engine with why it ran, for a warning.
func engineWords(g result.Generator) string {
	if g.EngineNote == "" {
		return g.Engine
	}
	return g.Engine + " (" + g.EngineNote + ")"
}

// windowMetrics builds the rows that come from the windows: rank tests
// over the per-second values, and the bootstrap for p99.9.
func windowMetrics(ctx context.Context, os, ns []*result.Profile, strata []stratum, oldWs, newWs [][]window, opt Options) ([]Metric, []Quantile, []string) {
	var oldAll, newAll []window
	for i := range oldWs {
		oldAll = append(oldAll, oldWs[i]...)
		newAll = append(newAll, newWs[i]...)
	}
	pool := newPool(oldAll, newAll)
	oh, nh := newHistSide(pool, oldWs), newHistSide(pool, newWs)
	// The two sides share the pool but not their accumulators.
	oc, nc := oh.all(), nh.all()
	oldOK, newOK := oc.total, nc.total
	oq, nq := make([]int64, len(tableQuantiles)), make([]int64, len(tableQuantiles))
	oc.quantiles(pool, tableQuantiles, oq)
	nc.quantiles(pool, tableQuantiles, nq)
	dist := distribution(pool, oc, nc)

	var metrics []Metric
	var notes []string
	oldReq, oldErr, oldGood := windowSums(oldAll)
	newReq, newErr, newGood := windowSums(newAll)
	// A run whose windows carry no histograms (written by another tool, or
	// edited) still has its per-second percentiles to test; the table then
	// shows its whole profile's percentiles.
	noHists := (oldOK == 0 && oldGood > 0) || (newOK == 0 && newGood > 0)
	if noHists {
		dist = nil
		notes = append(notes, "the windows of a run carry no latency histograms: the percentiles shown are the whole profiles', p99.9 is not tested")
	}
	oldAt, newAt := tableAt(oq, os, noHists), tableAt(nq, ns, noHists)

	tp := newMetric(Throughput, float64(oldGood)/float64(len(oldAll)), float64(newGood)/float64(len(newAll)))
	rankRow(&tp, series(strata, perSecondThroughput), opt)
	metrics = append(metrics, tp)
	serial99 := 1.0
	var ps *pooledSides
	if !noHists && oldOK > 0 && newOK > 0 {
		ps = newPooledSides(pool, strata, oh, nh)
		if note := pooledNote(ps, strata); note != "" {
			notes = append(notes, note)
		}
	}

	for _, l := range []struct {
		name string
		q    int64
		f    func(*window) (float64, bool)
	}{{P50, q50, perSecondP50}, {P95, q95, perSecondP95}, {P99, q99, perSecondP99}} {
		m := newMetric(l.name, oldAt(l.q), newAt(l.q))
		ss := series(strata, l.f)
		f := rankRow(&m, ss, opt)
		m.spread, _ = spreadOf(ss)
		m.spread.se *= math.Sqrt(f)
		if l.q == q99 {
			serial99 = pooledSerial(ss, f)
		}
		if l.q != q50 && ps != nil {
			m.Pooled = ps.test(ctx, &m, l.q, pooledSerial(ss, f), os[0].Name, opt)
		}
		metrics = append(metrics, m)
	}

	tail := newMetric(P999, oldAt(q999), newAt(q999))
	tailTest(ctx, &tail, tailSides{oh, nh, len(oldAll), len(newAll), oldOK, newOK, noHists}, serial99, os[0].Name, opt)
	metrics = append(metrics, tail)

	er := newMetric(ErrorRate, errorRate(oldErr, oldReq), errorRate(newErr, newReq))
	rankRow(&er, series(strata, perSecondErrorRate), opt)
	metrics = append(metrics, er)
	noLatency(metrics, oldGood == 0, newGood == 0)
	return metrics, dist, notes
}

// tailSides is what the p99.9 row's bootstrap resamples: both sides'
// windows, how many, their successful requests, and whether the windows
// carry no histograms.
type tailSides struct {
	old, new               *histSide
	oldWindows, newWindows int
	oldOK, newOK           int64
	noHists                bool
}

// tailTest tests the p99.9 row by the bootstrap over the seconds, its
// differences widened by f, the p99 row's serial factor: its seconds move
// together as the p99's do.
func tailTest(ctx context.Context, tail *Metric, ts tailSides, f float64, profile string, opt Options) {
	switch {
	case ts.noHists:
		tail.Verdict, tail.Note = NotTested, "no window histograms"
	case ts.oldOK == 0 || ts.newOK == 0:
		tail.Verdict, tail.Note = NotTested, "no successful request in one of the runs"
	case ts.oldWindows < minWindows || ts.newWindows < minWindows:
		// A bootstrap over one or two windows sees no spread on that side:
		// one window's p99.9 (its maximum, near enough) against the other
		// run's, "better" at p = 0.002 for a service unchanged.
		tail.Verdict, tail.Note = NotTested, fmt.Sprintf("fewer than %d per-second windows in a run: the bootstrap over them cannot see how much the figure varies", minWindows)
	default:
		diffs := bootstrap(ctx, rngFor(opt.Seed, profile, P999), opt.Resamples, ts.old.quantileDraw(q999), ts.new.quantileDraw(q999))
		tail.OldN, tail.NewN = ts.oldWindows, ts.newWindows
		// Its seconds move together as the p99's do.
		bootVerdict(tail, widen(diffs, tail.Change, f), opt)
		setSerial(tail, f)
		if min(ts.oldOK, ts.newOK) < 1000 {
			tail.Note = "fewer than 1000 successful requests in a run: its p99.9 is close to its maximum"
		}
	}
}

// noLatency marks the latency rows of ms when a side had no successful
// request (oldNone, newNone): its figure is 0 and means none, so the row
// has no change, no relative change and no test (a run whose every
// request failed read p95 30ms → 0ms, −100%, "fewer than 3 per-second
// values in a run").
func noLatency(ms []Metric, oldNone, newNone bool) {
	side := map[[2]bool]string{{true, false}: "old", {false, true}: "new", {true, true}: "both"}[[2]bool{oldNone, newNone}]
	if side == "" {
		return
	}
	why := "no successful request in the " + side + " run: no latency to compare"
	if side == "both" {
		why = "no successful request in either run: no latency to compare"
	}
	for i := range ms {
		if m := &ms[i]; m.Unit == "ms" {
			*m = Metric{Name: m.Name, Unit: m.Unit, WorseWhen: m.WorseWhen, Old: m.Old, New: m.New, Gated: m.Gated,
				Missing: side, Verdict: NotTested, Note: why}
		}
	}
}

// errorRate is errs ÷ req, 0 with no request.
func errorRate(errs, req int64) float64 {
	if req == 0 {
		return 0
	}
	return float64(errs) / float64(req)
}

// windowSums is the requests, errors and successful requests of windows.
func windowSums(ws []window) (req, errs, good int64) {
	for _, w := range ws {
		req, errs, good = req+w.requests, errs+w.errors, good+w.ok()
	}
	return req, errs, good
}

// tableAt reads a table percentile (k in hundredths of a percent) of a
// side: from q, the side's tableQuantiles in µs, or, when the windows carry
// no histograms (noHists), the mean of its profiles' whole percentiles.
func tableAt(q []int64, ps []*result.Profile, noHists bool) func(int64) float64 {
	if noHists {
		return func(k int64) float64 {
			return mean(ps, func(p *result.Profile) float64 {
				l := p.Total.Response
				return float64(map[int64]result.Millis{q50: l.P50, q95: l.P95, q99: l.P99, q999: l.P999}[k])
			})
		}
	}
	return func(k int64) float64 { return usMs(q[slices.Index(tableQuantiles, k)]) }
}

// totalsOnly fills the rows from the whole profiles' figures when there
// are no windows to test (with several runs, their means).
func totalsOnly(os, ns []*result.Profile) []Metric {
	good := func(p *result.Profile) float64 { return p.Total.Throughput * (1 - p.Total.ErrorRate) }
	lat := func(f func(result.Latency) result.Millis) func(*result.Profile) float64 {
		return func(p *result.Profile) float64 { return float64(f(p.Total.Response)) }
	}
	row := func(name string, f func(*result.Profile) float64) Metric {
		return newMetric(name, mean(os, f), mean(ns, f))
	}
	ms := []Metric{
		row(Throughput, good),
		row(P50, lat(func(l result.Latency) result.Millis { return l.P50 })),
		row(P95, lat(func(l result.Latency) result.Millis { return l.P95 })),
		row(P99, lat(func(l result.Latency) result.Millis { return l.P99 })),
		row(P999, lat(func(l result.Latency) result.Millis { return l.P999 })),
		row(ErrorRate, func(p *result.Profile) float64 { return p.Total.ErrorRate }),
	}
	for i := range ms {
		ms[i].Verdict, ms[i].Note = NotTested, "no per-second windows"
	}
	answered := func(p *result.Profile) float64 { return float64(p.Total.Response.Count) } // successful requests timed
	noLatency(ms, mean(os, answered) == 0, mean(ns, answered) == 0)
	return ms
}

// mean is the mean of f over the profiles: with one run, its figure.
func mean(ps []*result.Profile, f func(*result.Profile) float64) float64 {
	sum := 0.0
	for _, p := range ps {
		sum += f(p)
	}
	return sum / float64(len(ps))
}

// storedCapacity is a stepped profile's capacity at SLO as its verdict
// stored it, or recomputed from its windows.
func storedCapacity(p *result.Profile, s *stress) float64 {
	if p.Verdict != nil && p.Verdict.Stress != nil {
		return p.Verdict.Stress.CapacityAtSLO
	}
	return s.capacity(nil)
}

// capacityMetric compares the capacity at SLO of stepped profiles, with
// a bootstrap over each step's windows. With several runs a side the
// figure is the mean of the runs' capacities and each resample resamples
// every run.
func capacityMetric(ctx context.Context, os, ns []*result.Profile, sos, sns []*stress, opt Options) Metric {
	side := func(ps []*result.Profile, ss []*stress) float64 {
		sum := 0.0
		for k := range ps {
			sum += storedCapacity(ps[k], ss[k])
		}
		return sum / float64(len(ps))
	}
	m := newMetric(CapacityAtSLO, side(os, sos), side(ns, sns))
	resamplable := func(ss []*stress) (windows int, ok bool) {
		ok = true
		for _, s := range ss {
			windows += s.judgedWindows
			ok = ok && s.judgedWindows > 0
		}
		return windows, ok
	}
	ow, okO := resamplable(sos)
	nw, okN := resamplable(sns)
	if !okO || !okN {
		m.Verdict, m.Note = NotTested, "a run has no complete step with a steady window"
		return m
	}
	m.OldN, m.NewN = ow, nw
	draw := func(ss []*stress) func(*rand.Rand) float64 {
		if len(ss) == 1 {
			return ss[0].capacity
		}
		return func(rng *rand.Rand) float64 {
			sum := 0.0
			for _, s := range ss {
				sum += s.capacity(rng)
			}
			return sum / float64(len(ss))
		}
	}
	diffs := bootstrap(ctx, rngFor(opt.Seed, os[0].Name, CapacityAtSLO), opt.Resamples, draw(sos), draw(sns))
	bootVerdict(&m, diffs, opt)
	if note, ok := unresolvedRuns(sos, sns); ok {
		m.unresolved, m.Note = true, note
	} else if len(sos) == 1 && len(sns) == 1 {
		m.Note = apart(sos[0], sns[0])
	}
	return m
}

func newMetric(name string, oldV, newV float64) Metric {
	m := Metric{Name: name, Old: oldV, New: newV, Change: newV - oldV, WorseWhen: "higher"}
	switch name {
	case Throughput, CapacityAtSLO, Ceiling:
		m.Unit, m.WorseWhen = "req/s", "lower"
	case ErrorRate:
		m.Unit = "ratio"
	default:
		m.Unit = "ms"
	}
	switch name {
	case P95, P99, ErrorRate, Throughput, CapacityAtSLO:
		m.Gated = true
	}
	switch {
	case oldV != 0:
		r := (newV - oldV) / oldV
		m.Relative = &r
	case newV == 0:
		r := 0.0
		m.Relative = &r
	}
	return m
}

// rankRow tests a row over its per-second values ss by the van Elteren
// test, its variance widened by the seconds' serial dependence
// (serialFactor), and returns that factor.
func rankRow(m *Metric, ss []Stratum, opt Options) float64 {
	f := serialFactor(ss)
	rankVerdict(m, VanElterenWidened(ss, f), opt)
	setSerial(m, f)
	return f
}

// setSerial records on a tested row the factor f its variance was
// widened by, when it was.
func setSerial(m *Metric, f float64) {
	if f > 1 && m.PValue != nil {
		m.Serial = &f
	}
}

func rankVerdict(m *Metric, t RankTest, opt Options) {
	m.NewN, m.OldN = t.N1, t.N2
	if t.N1 < minWindows || t.N2 < minWindows {
		m.Verdict = NotTested
		m.Note = fmt.Sprintf("fewer than %d per-second values in a run", minWindows)
		return
	}
	m.Test = t.Method
	p := t.P
	m.PValue = &p
	m.shift = t.Shift
}

func bootVerdict(m *Metric, diffs []float64, opt Options) {
	b, ok := summarizeBoot(diffs, opt.Alpha)
	if !ok {
		m.Verdict, m.Note = NotTested, "no resample held a value to compare"
		return
	}
	m.Test = TestBootstrap
	m.PValue = &b.p
	m.CI = &b.ci
	m.shift = b.shift
}

// decide turns an adjusted p-value and an effect into a verdict:
// significant when p < α, the relative change is at least the minimum
// effect, the test agrees with the change on its direction and, when
// there is a run-level test, it agrees too.
func decide(m *Metric, opt Options) {
	effect := math.Inf(1)
	if m.Relative != nil {
		effect = math.Abs(*m.Relative)
	}
	dir := sign(m.Change)
	m.Verdict = NoChange
	if m.Runs != nil {
		defer func() { m.Note = joinNote(m.Note, m.Runs.summary()) }()
	}
	if *m.PAdjusted >= opt.Alpha || effect < opt.MinEffect || dir == 0 || m.unresolved {
		return
	}
	if m.shift != dir {
		m.Note = "the test and the change point different ways: not called"
		return
	}
	if m.Runs != nil {
		if m.Runs.Agrees = m.Runs.agrees(dir, opt.Alpha); !m.Runs.Agrees {
			m.Note = joinNote(m.Note, "the runs do not agree: not called")
			return
		}
	}
	m.Significant = true
	if (dir > 0) == (m.WorseWhen == "higher") {
		m.Verdict = Worse
	} else {
		m.Verdict = Better
	}
	m.Regression = m.Gated && m.Verdict == Worse && beyondAllowance(m, effect, opt)
}

// ErrorRateFloor is the smallest rise in error rate that counts as a
// regression, whatever the allowance: from 0 to 0.05% is noise, not a
// regression of infinitely many percent; and 0.02% → 0.08% is
// significant over 60,000 requests a side, a fourfold rise, but 0.06 of
// a point.
const ErrorRateFloor = 0.001

// beyondAllowance says whether m's change, of relative size effect, is
// more than the gate allows: by more than the maximum regression, and an
// error rate by ErrorRateFloor too (run --baseline's rule).
func beyondAllowance(m *Metric, effect float64, opt Options) bool {
	return effect > opt.MaxRegression && (m.Name != ErrorRate || m.Change > ErrorRateFloor)
}

// untestedRegression judges a gated row its test could not (fewer than
// minWindows per-second values a run, no windows at all) on the figures
// alone, as run --baseline judges such a row: worse by more than the
// maximum regression (and at least the minimum effect; an error rate by
// ErrorRateFloor too) is a regression. A run too short to test gives no
// evidence that it is as good, and must not pass on figures that say it
// is worse (a 1-second run of a service 30% slower passed, "4 gated
// metrics not tested").
func untestedRegression(m *Metric, opt Options) {
	dir := sign(m.Change)
	if !m.Gated || m.Verdict != NotTested || dir == 0 || (dir > 0) != (m.WorseWhen == "higher") {
		return
	}
	effect := math.Inf(1)
	if m.Relative != nil {
		effect = math.Abs(*m.Relative)
	}
	m.Regression = effect >= opt.MinEffect && beyondAllowance(m, effect, opt)
}

// FiguresAlone is the row of metric name (one of this package's metric
// names) judged on its figures alone, old and new, where there was no
// comparison to test it (run --baseline when Compare returned an error):
// not tested, why its note, and a regression by untestedRegression's rule,
// the one rule of a row too short to test, with opt's allowance and
// minimum effect (its defaults filled in).
func FiguresAlone(name string, oldV, newV float64, why string, opt Options) Metric {
	m := newMetric(name, oldV, newV)
	m.Verdict, m.Note = NotTested, why
	untestedRegression(&m, opt.normalize())
	return m
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// Spike says whether the profiles compared are a spike (a recovery rule):
// a spike's p95 and p99 are its surge's, whose depth differs from run to
// run more than its seconds do (two runs of one system: p95 −20 % and
// +25 %, the bootstrap over the seconds p = 0.002), so the bootstrap of
// the figure itself is not called on them (notePooled), here or by run
// --baseline.
func Spike(ps ...*result.Profile) bool {
	for _, p := range ps {
		if p.Rules.Recovery != nil {
			return true
		}
	}
	return false
}
