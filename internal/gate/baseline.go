package gate

import (
	"fmt"
	"slices"
	"strings"

	comparison "github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
	"github.com/loadplan/loadplan/internal/verdict"
)

// ErrorRateFloor is the smallest rise in error rate that counts as a
// regression, whatever the allowance (compare's, one figure for both).
const ErrorRateFloor = comparison.ErrorRateFloor

// Baseline is a stored result a run is compared with, profile by profile.
type Baseline struct {
	Path   string
	Result *result.Result
	// MaxRegression is the allowed worsening, relative: 0.1 lets p95 grow
	// by 10% and capacity at SLO shrink by 10%.
	MaxRegression float64
	// MinRequestShare is the share of a profile's requests (in either run)
	// from which a request is checked on its own as well (steady profiles
	// with several requests); LoadBaseline sets DefaultMinRequestShare.
	MinRequestShare float64
	// Judged are the warnings of judging the stored baseline again by
	// today's rules (LoadBaseline), each naming the file; Judge adds them
	// to the run's warnings.
	Judged []string
}

// DefaultMinRequestShare is the default --min-request-share: a request
// with at least 5% of a profile's traffic is checked on its own.
const DefaultMinRequestShare = 0.05

// ParseRegression reads an allowance: "10%" or the fraction "0.1". A bare
// number above 1 is refused: "10" is more likely a forgotten % than a
// thousand per cent.
func ParseRegression(s string) (float64, error) {
	v, pct, err := units.ParseShare(s)
	if err != nil || v < 0 || (!pct && v > 1) {
		return 0, fmt.Errorf("max regression %q: want a percentage such as 10%% or a fraction such as 0.1", s)
	}
	return v, nil
}

// LoadBaseline reads a stored result to compare with and judges its
// verdicts again by today's rules (verdict.Rejudge, as loadplan report,
// plan, compare and capacity do), so that a run is compared with the
// capacity at SLO today's loadplan gives the baseline, not one an older
// loadplan stored; each verdict judged otherwise is a warning in Judged.
// A file that cannot be read, is not a result, holds no profile or is not
// a complete run is an error: comparing with it would judge nothing, or
// judge against a partial run.
func LoadBaseline(path string, maxRegression float64) (*Baseline, error) {
	r, err := result.Read(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	if r.Status != result.StatusComplete {
		return nil, fmt.Errorf("baseline %s: the run is %s: compare with a complete run", path, r.Status)
	}
	if len(r.Profiles) == 0 {
		return nil, fmt.Errorf("baseline %s: holds no profile", path)
	}
	b := &Baseline{Path: path, Result: r, MaxRegression: maxRegression, MinRequestShare: DefaultMinRequestShare}
	for _, n := range verdict.Rejudge(r) {
		b.Judged = append(b.Judged, fmt.Sprintf("baseline %s, judged again by today's rules: %s", path, n))
	}
	return b, nil
}

// CheckProfiles makes sure the baseline shares at least one profile with
// the run: with none in common, nothing would be compared.
func (b *Baseline) CheckProfiles(running []string) error {
	var have []string
	for _, p := range b.Result.Profiles {
		if slices.Contains(running, p.Name) {
			return nil
		}
		have = append(have, p.Name)
	}
	return fmt.Errorf("baseline %s has %s, the run has %s: no profile to compare", b.Path, strings.Join(have, ", "), strings.Join(running, ", "))
}

// Judge compares each of r's profiles with the baseline's profile of the
// same name. Steady profiles (baseline, target, spike) compare p95 and p99
// of successful requests and the error rate; a stepped stress profile
// compares its capacity at SLO instead, because its whole-profile latency
// depends on how far its ramp went. Profiles the baseline lacks are not
// compared and come back as warnings.
//
// A check fails only on a regression loadplan compare would call: the
// figure significantly worse (its test over the per-second windows,
// Holm-adjusted) by more than the allowance; a profile's p95 and p99 also
// when the figure itself is, by the bootstrap over the seconds
// (pooledRegression: a stall of a few seconds). Two runs of one unchanged
// system differ by chance, and the p99 of a short run by a lot: a plain
// threshold on the figures failed 9 of 20 such pairs of 20 s
// (TestBaselineNoiseIsNoRegression). A figure beyond the allowance that
// the tests cannot tell from noise passes with a warning that says so,
// and each latency check says the change the run could detect. A figure
// the comparison could not test (no per-second windows) is judged on the
// figures alone, and its detail says so. On a profile whose generator
// was the bottleneck (INVALID) neither warning is given: its figures are
// the generator's, and Apply fails its checks, not judged. The warnings
// start with the baseline's verdicts judged again (Judged).
func (b *Baseline) Judge(r *result.Result) (checks []result.GateCheck, warnings []string) {
	warnings = append(warnings, b.Judged...)
	if od, nd := b.Result.Scenario.Digest, r.Scenario.Digest; od != "" && nd != "" && od != nd {
		warnings = append(warnings, fmt.Sprintf("baseline %s came from another scenario file than this run (sha256 %.12s…, this run's %.12s…): check that both offered the same load to the same requests (a target URL may differ, the load should not)", b.Path, od, nd))
	}
	if w := comparison.LayoutWarning([]*result.Result{b.Result}, []*result.Result{r}); w != "" {
		warnings = append(warnings, fmt.Sprintf("baseline %s: %s", b.Path, w))
	}
	c, err := comparison.Compare(b.Result, r, b.compareOptions())
	if err != nil {
		warnings = append(warnings, fmt.Sprintf("baseline %s: %v: judged on the figures alone, with no test of significance", b.Path, err))
	}
	for i := range r.Profiles {
		p := &r.Profiles[i]
		old := b.Result.Profile(p.Name)
		if old == nil {
			warnings = append(warnings, fmt.Sprintf("baseline %s has no %s profile: %s not compared", b.Path, p.Name, p.Name))
			continue
		}
		tested := comparedProfile(c, p.Name)
		check := func(metric string, c result.Check, detail string) {
			c.Name = "baseline:" + metric
			c.Detail = join(detail, c.Detail)
			checks = append(checks, result.GateCheck{Gate: c.Name, Profile: p.Name, Check: c})
		}
		if ranOutEarly(old) {
			// Partial figures: no regression, and no absence of one.
			check("complete", result.Check{Op: "==", Limit: 0, Unmeasured: true},
				fmt.Sprintf("the baseline's %s profile is INCOMPLETE: %s, so it did not run as planned and its figures are partial; store a complete run as the baseline", p.Name, verdict.RanOutText(old)))
			continue
		}
		if g := old.Generator; g.Invalid {
			// Its figures measure the generator, not the target: no
			// regression, and no absence of one, can be told from them.
			check("valid", result.Check{Op: "==", Limit: 0, Unmeasured: true},
				fmt.Sprintf("the baseline's %s profile is INVALID: its generator was the bottleneck (%s), so its figures measure the generator, not the target; store a valid run as the baseline", p.Name, strings.Join(g.Reasons, "; ")))
			continue
		}
		warnings = append(warnings, b.starvedWarnings(old, p)...)
		if metric, c, ok := b.stricterLateness(old, p); ok {
			detail := c.Detail
			c.Detail = ""
			check(metric, c, detail)
			continue
		}
		if p.Rules.Stepped || old.Rules.Stepped {
			oldCap, ok := capacityAtSLO(old)
			if !ok {
				warnings = append(warnings, fmt.Sprintf("baseline %s: %s has no capacity at SLO: not compared", b.Path, p.Name))
				continue
			}
			newCap, _ := capacityAtSLO(p)
			c, detail, noise := b.judgeMetric(comparison.CapacityAtSLO, UnitRate, oldCap, newCap, tested.metric(comparison.CapacityAtSLO), false, p.Generator.Invalid)
			check("capacity_at_slo", c, detail)
			warnings = appendNoise(warnings, p.Name, "capacity_at_slo", noise)
			continue
		}
		if why := verdict.LoadDifference(old, p, "the baseline"); why != "" {
			// A steady profile's latency and errors at another load say
			// nothing of a regression: fail on that, not on a p95.
			load, unit := offeredLoad(p)
			oldLoad, oldUnit := offeredLoad(old)
			if oldUnit != unit {
				// Users against req/s: one unit would misname one figure
				// (the detail says which is which).
				unit = ""
			}
			check("load", result.Check{Measured: load, Limit: oldLoad, Op: "==", Unit: unit},
				fmt.Sprintf("this run is not comparable with %s: %s; run it with the baseline's scenario and --scale", b.Path, why))
			continue
		}
		warnings = append(warnings, b.steady(old, p, tested, "", check)...)
		rc, rw := b.judgeRequests(old, p, tested)
		checks, warnings = append(checks, rc...), append(warnings, rw...)
	}
	b.starvedBaselineCaveat(r, checks)
	return checks, warnings
}

// compareOptions are the comparison's settings for the allowance: the
// comparison's defaults otherwise (α 0.05, a minimum effect of 5%). A zero
// allowance or share is passed as negative, which the comparison reads as
// zero (its zero means the default).
func (b *Baseline) compareOptions() comparison.Options {
	o := comparison.Options{MaxRegression: b.MaxRegression, MinRequestShare: b.MinRequestShare}
	if o.MaxRegression == 0 {
		o.MaxRegression = -1
	}
	if o.MinRequestShare == 0 {
		o.MinRequestShare = -1
	}
	return o
}

// steady compares a steady profile (or one request's view of it, request
// set) with the baseline's: p95 and p99 of successful requests and the
// error rate, each allowed MaxRegression; for a request also its p50 when
// the comparison tested it (loadplan compare gates a request's p50).
func (b *Baseline) steady(old, p *result.Profile, tested *testedProfile, request string, check func(metric string, c result.Check, detail string)) (warnings []string) {
	who := p.Name // a request's view is named PROFILE/REQUEST
	var blind []string
	// The bootstrap of the figure itself speaks for a profile's own rows,
	// not a request's nor a spike's (compare.Spike): its p-value and the
	// resolution it gives are shown only where compare calls it.
	pooled := request == "" && !comparison.Spike(old, p)
	judge := func(metric, unit string, oldV, newV float64) {
		m := tested.metric(metric)
		c, detail, noise := b.judgeMetric(metric, unit, oldV, newV, m, pooled, p.Generator.Invalid)
		if unit == UnitMs && p.Total.Response.Count == 0 {
			c.Pass, c.Detail, c.Unmeasured, c.Measured = false, "no successful requests", true, 0
		}
		check(metric, c, detail)
		warnings = appendNoise(warnings, who, metric, noise)
		if m == nil || m.PAdjusted == nil || p.Generator.Invalid {
			return // an invalid profile's figures are the generator's: no resolution to speak of
		}
		if d, ok := detectable(m, pooled); ok && d > b.MaxRegression {
			blind = append(blind, fmt.Sprintf("%s ±%s", metric, pctText(d)))
		}
	}
	if old.Total.Response.Count == 0 {
		warnings = append(warnings, fmt.Sprintf("baseline %s: %s had no successful requests: its latency not compared", b.Path, old.Name))
	} else {
		if m := tested.metric(comparison.P50); request != "" && m != nil && m.Gated {
			judge("p50", UnitMs, float64(old.Total.Response.P50), float64(p.Total.Response.P50))
		}
		judge("p95", UnitMs, float64(old.Total.Response.P95), float64(p.Total.Response.P95))
		judge("p99", UnitMs, float64(old.Total.Response.P99), float64(p.Total.Response.P99))
	}
	judge("error_rate", UnitRatio, old.Total.ErrorRate, p.Total.ErrorRate)
	if len(blind) > 0 {
		warnings = append(warnings, fmt.Sprintf("baseline %s: %s: this run is too short to catch a +%s regression reliably: it tells apart about %s (80%% of the time); a smaller regression may pass — run longer or at a higher rate",
			b.Path, who, pctText(b.MaxRegression), strings.Join(blind, ", ")))
	}
	return warnings
}

// offeredLoad is the load p's last stage offered, and its unit (0 and ""
// without stages).
func offeredLoad(p *result.Profile) (float64, string) {
	if len(p.Stages) == 0 {
		return 0, ""
	}
	o := p.Stages[len(p.Stages)-1].Offered
	return o.Load, o.Unit
}

// capacityAtSLO is a stress profile's capacity at SLO, from its verdict or
// else its capacity model; ok is false when it has neither.
func capacityAtSLO(p *result.Profile) (v float64, ok bool) {
	switch {
	case p.Verdict != nil && p.Verdict.Stress != nil:
		return p.Verdict.Stress.CapacityAtSLO, true
	case p.Capacity != nil && p.Capacity.Error == "":
		return p.Capacity.CapacityAtSLO, true
	}
	return 0, false
}

// pctText and msText print a share and a latency the one way (internal/units).
func pctText(f float64) string { return units.Pct(f) }

func msText(m result.Millis) string { return units.Ms(float64(m)) }

// Apply judges the gates and the baseline (either may be empty) against r,
// records every check in r.Gates and clears r.Pass when any fails. A
// baseline's warnings go to r.Warnings. A check on a profile whose
// generator was the bottleneck fails, not judged (notJudgedOnInvalid); a
// failed one on a profile whose generator waited for a CPU says its
// figure may be the generator's (starvedCaveat).
func Apply(r *result.Result, gs []Gate, b *Baseline) {
	checks := Judge(gs, r)
	if b != nil {
		bc, warn := b.Judge(r)
		checks = append(checks, bc...)
		r.Warnings = append(r.Warnings, warn...)
	}
	notJudgedOnInvalid(r, checks)
	starvedCaveat(r, checks)
	stallCaveat(r, checks)
	r.Gates = append(r.Gates, checks...)
	for _, c := range checks {
		if !c.Pass {
			r.Pass = false
		}
	}
}
