package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/units"
)

// FitText writes the terminal summary of a capacity model fitted to the
// points of path (`loadplan capacity fit`): the model chosen and why, the
// coefficients with their intervals, the points against the curve, the
// candidates compared and the warnings.
func FitText(w io.Writer, path string, u *capacity.USL) {
	levels := map[float64]bool{}
	for _, p := range u.Points {
		levels[p.Concurrency] = true
	}
	fmt.Fprintf(w, "Capacity model of %s: %d points at %d concurrency levels\n\n", path, len(u.Points), len(levels))
	if u.Model != "" {
		fmt.Fprintf(w, "  model  %s: %s\n", u.Model, u.ModelReason)
		if u.Retrograde != "" {
			fmt.Fprintf(w, "  retrograde throughput measured: %s\n", u.Retrograde)
		} else {
			fmt.Fprintf(w, "  no retrograde throughput measured: no peak is reported\n")
		}
		fmt.Fprintln(w)
	}

	ci := func(pick func(*capacity.Intervals) capacity.Interval) string {
		if u.CI == nil {
			return ""
		}
		iv := pick(u.CI)
		return fmt.Sprintf("%g%% CI %s – %s", u.CI.Level*100, units.Sig4(iv.Lo), units.Sig4(iv.Hi))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if u.Model != capacity.ModelCeiling {
		fmt.Fprintf(tw, "  σ\tcontention\t%s\t%s\n", units.Sig4(u.Sigma), ci(func(c *capacity.Intervals) capacity.Interval { return c.Sigma }))
		fmt.Fprintf(tw, "  κ\tcoherency\t%s\t%s\n", units.Sig4(u.Kappa), ci(func(c *capacity.Intervals) capacity.Interval { return c.Kappa }))
	}
	fmt.Fprintf(tw, "  λ\tthroughput of one worker\t%s\t%s\n", units.Sig4(u.Lambda), ci(func(c *capacity.Intervals) capacity.Interval { return c.Lambda }))
	switch {
	case u.Model == capacity.ModelCeiling:
		fmt.Fprintf(tw, "  N*\tpeak concurrency\tnone (flat beyond N = %s: no retrograde region)\t\n", units.Sig4(u.Ceiling/u.Lambda))
		fmt.Fprintf(tw, "  X_max\tceiling X_c\t%s\t%s\n", units.Sig4(u.MaxThroughput), ci(func(c *capacity.Intervals) capacity.Interval { return c.MaxThroughput }))
	case u.Limit == capacity.LimitPeak:
		fmt.Fprintf(tw, "  N*\tpeak concurrency\t%s\t%s\n", units.Sig4(u.PeakConcurrency), ci(func(c *capacity.Intervals) capacity.Interval { return c.PeakConcurrency }))
		fmt.Fprintf(tw, "  X_max\tthroughput at N*\t%s\t%s\n", units.Sig4(u.MaxThroughput), ci(func(c *capacity.Intervals) capacity.Interval { return c.MaxThroughput }))
	case u.Limit == capacity.LimitCeiling:
		fmt.Fprintf(tw, "  N*\tpeak concurrency\tnone (κ = 0: no retrograde region)\t%s\n", ci(func(c *capacity.Intervals) capacity.Interval { return c.PeakConcurrency }))
		fmt.Fprintf(tw, "  X_max\tceiling λ/σ\t%s\t%s\n", units.Sig4(u.MaxThroughput), ci(func(c *capacity.Intervals) capacity.Interval { return c.MaxThroughput }))
	default:
		fmt.Fprintf(tw, "  N*\tpeak concurrency\tnone\t\n")
		fmt.Fprintf(tw, "  X_max\t\tlinear, no ceiling in range\t\n")
	}
	fmt.Fprintf(tw, "  R²\t\t%.4f\t\n", u.R2)
	knee := "none (linear)"
	if u.Knee.Found {
		knee = fmt.Sprintf("N ≈ %s (X ≈ %s)", units.Sig4(u.Knee.Concurrency), units.Sig4(u.Knee.Throughput))
	}
	kneedle := "Kneedle on the measurements: no knee"
	if u.Knee.KneedleFound {
		kneedle = "Kneedle on the measurements: N = " + units.Sig4(u.Knee.KneedleConcurrency)
	}
	fmt.Fprintf(tw, "  knee\tlatency outgrows throughput\t%s\t%s\n", knee, kneedle)
	tw.Flush()

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "N\tmeasured\tpredicted\tresidual\t\n")
	for i, p := range u.Points {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", measuredText(p.Concurrency), measuredText(p.Throughput), units.Sig4(u.Throughput(p.Concurrency)), units.Sig4(u.Residuals[i]))
	}
	tw.Flush()

	candidatesText(w, u.Candidates)

	if len(u.Warnings) > 0 {
		fmt.Fprintln(w)
		for _, warn := range u.Warnings {
			fmt.Fprintf(w, "warning: %s\n", warn)
		}
	}
}

// candidatesText writes the models compared and their scores.
func candidatesText(w io.Writer, cands []capacity.Candidate) {
	if len(cands) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "candidate\tcoefficients\tAICc\tR²\tX_max\tresiduals\t\n")
	for _, c := range cands {
		aicc := "n/a"
		if !math.IsInf(c.AICc, 0) {
			aicc = strconv.FormatFloat(c.AICc, 'f', 1, 64)
		}
		runs := "random"
		if !c.RunsOK {
			runs = "systematic"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.4f\t%s\t%s\t\n", c.Model, c.Params, aicc, c.R2, units.Sig4(c.MaxThroughput), runs)
	}
	tw.Flush()
}

// measuredText formats a measured value as it was read.
func measuredText(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ErlangText writes the terminal summary of an M/M/c queue (`loadplan
// capacity erlang`); within and responseWithin are the times of
// ServiceLevel and ResponseLevel, as the user wrote them.
func ErlangText(w io.Writer, r capacity.ErlangReport, within, responseWithin time.Duration) {
	fmt.Fprintf(w, "M/M/c queue: λ = %s/s, service time %s, offered load A = %s erlangs\n\n",
		units.Sig4(r.ArrivalRate), waitText(r.ServiceTimeSeconds), units.Sig4(r.OfferedErlangs))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	servers := strconv.Itoa(r.Servers)
	if r.Target != "" {
		servers += "  (fewest for " + r.Target + ")"
	}
	fmt.Fprintf(tw, "  servers c\t%s\n", servers)
	fmt.Fprintf(tw, "  answers\t%s\n", erlangAnswers[r.Answers])
	fmt.Fprintf(tw, "  utilisation ρ\t%.1f%%\n", r.Utilisation*100)
	fmt.Fprintf(tw, "  P(wait)\t%.4f\n", r.ProbWait)
	fmt.Fprintf(tw, "  mean wait W_q\t%s\n", waitText(r.MeanWaitSeconds))
	fmt.Fprintf(tw, "  mean response\t%s\n", waitText(r.MeanResponseSeconds))
	if r.ServiceLevel != nil {
		fmt.Fprintf(tw, "  P(wait ≤ %s)\t%.4f\n", within, *r.ServiceLevel)
	}
	if r.ResponseLevel != nil {
		fmt.Fprintf(tw, "  P(response ≤ %s)\t%.4f\n", responseWithin, *r.ResponseLevel)
	}
	for _, q := range r.ResponsePercentiles {
		fmt.Fprintf(tw, "  response p%s\t%s\n", strconv.FormatFloat(q.Share*100, 'f', -1, 64), waitText(q.Seconds))
	}
	tw.Flush()
	for _, n := range r.Notes {
		fmt.Fprintf(w, "\nnote: %s\n", n)
	}
}

// erlangAnswers says which figure a capacity erlang question was about
// (capacity.ErlangReport.Answers).
var erlangAnswers = map[string]string{
	"queue":     "the queue's figures (response = wait in the queue + exponential service)",
	"mean_wait": "the mean wait in the queue before service (not the response time)",
	"wait":      "the wait in the queue before service (not the response time)",
	"response":  "the response time: wait in the queue + exponential service",
}

// waitText formats a time in seconds as a duration with about four
// significant digits.
func waitText(s float64) string {
	if math.IsInf(s, 1) {
		return "∞"
	}
	d := time.Duration(s * float64(time.Second))
	if d <= 0 {
		return d.String()
	}
	// Round to the fourth significant digit.
	step := time.Duration(math.Pow10(max(0, int(math.Floor(math.Log10(float64(d))))-3)))
	return d.Round(step).String()
}
