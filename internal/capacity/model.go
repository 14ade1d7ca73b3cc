package capacity

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// throughputBindsWithin is how close the capacity at SLO must come to
// X_max, as a share of X_max, for the throughput ceiling to count as the
// limit that binds first. Closer than that, the SLO and the ceiling are
// the same limit within the noise of a step's throughput and of the fit.
const throughputBindsWithin = 0.10

// Limits a Capacity names as binding first (result.Capacity.LimitedBy).
const (
	LimitedByThroughput = "throughput"
	LimitedBySLO        = "slo"
)

// maxPointErrorRate is the error rate above which a point is flagged: its
// throughput counts successes only, so it sits below the curve of the work
// the service actually did.
const maxPointErrorRate = 0.01

// Annotate sets the capacity model on every profile of r that has a stress
// verdict (every stepped profile), replacing any model already there.
func Annotate(r *result.Result, opt FitOptions) {
	for i := range r.Profiles {
		p := &r.Profiles[i]
		if p.Verdict != nil && p.Verdict.Stress != nil {
			p.Capacity = FromProfile(p, opt)
		}
	}
}

// FromProfile fits the Universal Scalability Law to a stepped profile's
// judged steps and says what limits its capacity. It returns nil when the
// profile has no stress verdict.
//
// The points are the complete steps' (Concurrency, Throughput): users in
// the closed model, mean requests in flight by Little's law in the open
// model, against successful requests per second. Broken steps are kept (a
// point beyond the peak is what pins the peak down); steps that were cut
// short, or whose throughput or concurrency is zero, are left out and
// counted in a warning.
//
// When the fit is refused (fewer than four distinct concurrency levels,
// all throughputs equal, no usable step) the Capacity has Error set to the
// reason, and still carries the measured points, the capacity at SLO and
// a statement; no model figures.
func FromProfile(p *result.Profile, opt FitOptions) *result.Capacity {
	c, _ := FromProfileContext(context.Background(), p, opt) // never cancelled
	return c
}

// FromProfileContext is FromProfile that stops the fit's bootstrap when
// ctx is done; its error is then ctx's, and the only error it returns.
func FromProfileContext(ctx context.Context, p *result.Profile, opt FitOptions) (*result.Capacity, error) {
	if p == nil || p.Verdict == nil || p.Verdict.Stress == nil {
		return nil, nil
	}
	s := p.Verdict.Stress
	c := &result.Capacity{
		CapacityAtSLO:    s.CapacityAtSLO,
		ConcurrencyAtSLO: s.CapacityConcurrency,
	}
	unit := concurrencyUnit(p.Model)
	if p.Generator.Invalid {
		// The figures measure the generator, not the target: no model of
		// the target can be fitted to them.
		c.Error = "the run is invalid: the generator was the bottleneck (" + strings.Join(p.Generator.Reasons, "; ") + "), so its steps measure loadplan, not the target"
		c.Statement = "No capacity model: " + c.Error
		return c, nil
	}

	var points []Point
	var cut, idle int
	var erring []string
	for _, st := range s.Steps {
		switch {
		case !st.Complete:
			cut++
			continue
		case !(st.Throughput > 0) || !(st.Concurrency > 0):
			idle++
			continue
		}
		points = append(points, Point{Concurrency: st.Concurrency, Throughput: st.Throughput})
		c.Points = append(c.Points, result.CapacityPoint{Step: st.Index, Concurrency: st.Concurrency, Throughput: st.Throughput})
		if st.ErrorRate > maxPointErrorRate {
			erring = append(erring, strconv.Itoa(st.Index+1))
		}
	}
	var notes []string
	if cut > 0 {
		notes = append(notes, fmt.Sprintf("%d step(s) left out of the fit: not complete (the ramp stopped or the run was interrupted during them)", cut))
	}
	if idle > 0 {
		notes = append(notes, fmt.Sprintf("%d step(s) left out of the fit: no successful throughput or no concurrency measured", idle))
	}
	if len(erring) > 0 {
		notes = append(notes, fmt.Sprintf("step(s) %s had error rates above %s: their throughput counts successes only, so those points sit below the service's real work and pull the fit down", strings.Join(erring, ", "), pctText(maxPointErrorRate)))
	}

	var u *USL
	var err error
	if len(points) == 0 {
		err = inputErrorf("no complete step with throughput and concurrency above zero")
	} else {
		u, err = FitUSLContext(ctx, points, opt)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		c.Error = err.Error()
		c.Statement = fmt.Sprintf("no USL fit over %d step(s): %s; %s", len(points), c.Error, sloClause(c, s, unit))
		c.Warnings = notes
		return c, nil
	}

	c.Sigma, c.Kappa, c.Lambda = u.Sigma, u.Kappa, u.Lambda
	c.Limit = string(u.Limit)
	c.R2 = u.R2
	c.Residuals = u.Residuals
	for i := range c.Points {
		c.Points[i].Predicted = u.Throughput(c.Points[i].Concurrency)
	}
	if u.HasPeak() {
		c.PeakConcurrency = ptr(u.PeakConcurrency)
	}
	if finite(u.MaxThroughput) {
		c.MaxThroughput = ptr(u.MaxThroughput)
	}
	var ciNotes []string
	if u.CI != nil {
		c.CI, ciNotes = capacityCI(u)
	}
	if u.Knee.Found {
		c.Knee = &result.CapacityKnee{Concurrency: u.Knee.Concurrency, Throughput: u.Knee.Throughput}
		if u.Knee.KneedleFound {
			c.Knee.KneedleConcurrency = ptr(u.Knee.KneedleConcurrency)
		}
	}

	c.LimitedBy = LimitedBySLO
	if c.MaxThroughput != nil && *c.MaxThroughput > 0 && c.CapacityAtSLO > 0 {
		h := (*c.MaxThroughput - c.CapacityAtSLO) / *c.MaxThroughput
		c.Headroom = &h
		if h < throughputBindsWithin {
			c.LimitedBy = LimitedByThroughput
		}
		if h < 0 {
			notes = append(notes, fmt.Sprintf("the capacity at SLO (%s req/s) is above the fitted X_max (%s req/s): the fit underestimates the ceiling; trust the measured capacity", figure(c.CapacityAtSLO), figure(*c.MaxThroughput)))
		}
	}
	if s.FirstBroken == nil && c.CapacityAtSLO > 0 && c.LimitedBy == LimitedBySLO {
		notes = append(notes, "no step broke: the capacity at SLO is only the highest load offered; extend the ramp to find what binds")
	}

	c.Warnings = append(append(append([]string(nil), u.Warnings...), ciNotes...), notes...)
	c.Statement = statement(c, s, unit)
	return c, nil
}

// capacityCI converts the bootstrap intervals. A bound that is infinite
// (resamples with no peak or no ceiling) cannot be written to the result,
// so that interval is left out, with a note saying why.
func capacityCI(u *USL) (*result.CapacityCI, []string) {
	ci := u.CI
	out := &result.CapacityCI{
		Level:     ci.Level,
		Resamples: ci.Resamples,
		Sigma:     [2]float64{ci.Sigma.Lo, ci.Sigma.Hi},
		Kappa:     [2]float64{ci.Kappa.Lo, ci.Kappa.Hi},
		Lambda:    [2]float64{ci.Lambda.Lo, ci.Lambda.Hi},
	}
	var notes []string
	level := pctText(ci.Level)
	if iv := ci.PeakConcurrency; finite(iv.Lo) && finite(iv.Hi) {
		out.PeakConcurrency = &[2]float64{iv.Lo, iv.Hi}
	} else if u.HasPeak() {
		notes = append(notes, fmt.Sprintf("the %s CI of N* has no upper bound: some resamples show no coherency penalty (κ = 0), so the peak is uncertain", level))
	}
	if iv := ci.MaxThroughput; finite(iv.Lo) && finite(iv.Hi) {
		out.MaxThroughput = &[2]float64{iv.Lo, iv.Hi}
	} else if finite(u.MaxThroughput) {
		notes = append(notes, fmt.Sprintf("the %s CI of X_max has no upper bound: some resamples show throughput still linear", level))
	}
	return out, notes
}

// statement is the one line a reviewer acts on: the fit, its limit, the
// capacity at SLO and what binds first.
func statement(c *result.Capacity, s *result.Stress, unit string) string {
	var b strings.Builder
	// R² is truncated, not rounded: 0.9996 must not read as a perfect fit.
	fmt.Fprintf(&b, "USL fit over %d steps (R² %s): ", len(c.Points), strconv.FormatFloat(math.Floor(c.R2*1000)/1000, 'f', -1, 64))
	ci := ""
	if c.CI != nil && c.CI.MaxThroughput != nil {
		ci = fmt.Sprintf(" (%s CI %s–%s)", pctText(c.CI.Level), figure(c.CI.MaxThroughput[0]), figure(c.CI.MaxThroughput[1]))
	}
	switch Limit(c.Limit) {
	case LimitPeak:
		fmt.Fprintf(&b, "peak %s req/s at %s %s%s", figure(*c.MaxThroughput), figure(*c.PeakConcurrency), unit, ci)
	case LimitCeiling:
		fmt.Fprintf(&b, "no peak in range (κ = 0), ceiling λ/σ = %s req/s%s", figure(*c.MaxThroughput), ci)
	default:
		b.WriteString("throughput still linear (σ = κ = 0), no ceiling in range")
	}
	b.WriteString("; ")
	b.WriteString(sloClause(c, s, unit))
	return b.String()
}

// sloClause says what the capacity at SLO is and, with a model, which
// limit binds first and why.
func sloClause(c *result.Capacity, s *result.Stress, unit string) string {
	broke := ""
	if s.FirstBroken != nil {
		for _, st := range s.Steps {
			if st.Index == *s.FirstBroken {
				broke = fmt.Sprintf("step %d at %s %s broke: %s", st.Index+1, figure(st.Concurrency), unit, s.Reason)
				break
			}
		}
	}
	if c.CapacityAtSLO <= 0 {
		if broke != "" {
			return "no step held the SLO (" + broke + ")"
		}
		return "no step held the SLO"
	}
	at := fmt.Sprintf("capacity at SLO %s req/s at %s %s", figure(c.CapacityAtSLO), figure(c.ConcurrencyAtSLO), unit)
	switch {
	case c.Error != "":
		return at
	case c.Headroom == nil:
		if s.FirstBroken == nil {
			return at + " and no step broke: load further"
		}
		return at + ": the SLO binds first (" + broke + ")"
	case *c.Headroom < 0:
		return fmt.Sprintf("%s is %s above the fitted X_max: the throughput ceiling binds first", at, pctText(-*c.Headroom))
	case c.LimitedBy == LimitedByThroughput:
		return fmt.Sprintf("%s leaves %s headroom: the throughput ceiling binds first", at, headroomText(*c.Headroom))
	case s.FirstBroken == nil:
		return fmt.Sprintf("%s leaves %s headroom, but no step broke: load further", at, headroomText(*c.Headroom))
	default:
		return fmt.Sprintf("%s leaves %s headroom: the SLO binds first (%s)", at, headroomText(*c.Headroom), broke)
	}
}

// headroomText is pctText, with a decimal more next to the 10% line, so
// that 9.7% (the ceiling binds) and 10.3% (the SLO binds) do not both read
// "10%".
func headroomText(h float64) string {
	if math.Abs(h-throughputBindsWithin) < 0.005 {
		return strconv.FormatFloat(h*100, 'f', 1, 64) + "%"
	}
	return pctText(h)
}

// concurrencyUnit names what the concurrency counts in a profile's model.
func concurrencyUnit(model string) string {
	if model == "closed" {
		return "users"
	}
	return "in flight"
}

// figure formats a figure for a sentence: whole numbers with thousands
// separators from 100 up, one decimal from 10, three significant digits
// below.
func figure(v float64) string {
	a := math.Abs(v)
	switch {
	case !finite(v):
		return strconv.FormatFloat(v, 'g', -1, 64)
	case a >= 1e9:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case math.Round(a) >= 100:
		return groupThousands(int64(math.Round(v)))
	case a >= 10:
		return trimZeros(strconv.FormatFloat(v, 'f', 1, 64))
	case a >= 1e-3 || v == 0:
		return trimZeros(strconv.FormatFloat(v, 'f', max(0, 2-int(math.Floor(math.Log10(math.Max(a, 1e-3))))), 64))
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// pctText formats a share as a percentage: whole percents from 1%, one
// significant digit below.
func pctText(f float64) string {
	p := f * 100
	if math.Abs(p) >= 1 || p == 0 {
		return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
	}
	return strconv.FormatFloat(p, 'g', 1, 64) + "%"
}

func ptr(v float64) *float64 { return &v }
