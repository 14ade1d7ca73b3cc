package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// CapacityMarkdown writes a profile's capacity model as a Markdown section
// headed "### Capacity model": the statement, the fitted figures with
// their confidence intervals, the capacity at SLO and headroom, the
// measured points against the fitted curve, and the warnings. A nil model
// writes nothing. A model that could not be fitted gets the reason and the
// measured points. s is the profile's stress verdict (nil: unknown): when
// no step broke, the "limited by" row says so.
func CapacityMarkdown(w io.Writer, c *result.Capacity, s *result.Stress) error {
	if c == nil {
		return nil
	}
	b := &strings.Builder{}
	b.WriteString("### Capacity model\n\n")
	if c.Statement != "" {
		fmt.Fprintf(b, "**%s**\n\n", c.Statement)
	}
	if c.Error != "" {
		if !strings.Contains(c.Statement, c.Error) {
			fmt.Fprintf(b, "No model was fitted: %s.\n\n", c.Error)
		}
		b.WriteString("| figure | value |\n|---|---:|\n")
		fmt.Fprintf(b, "| capacity at SLO | %s |\n", capacityAtSLO(c))
		capacityPoints(b, c, false)
		capacityWarnings(b, c.Warnings)
		_, err := io.WriteString(w, b.String())
		return err
	}

	t := newFigureRows(b, c.CI)
	capacityFitRows(t, c)
	t.row("R²", strconv.FormatFloat(c.R2, 'f', 4, 64), nil)
	t.row("knee", kneeText(c), nil)
	if c.SaturationThroughput != nil {
		t.row("saturation throughput", sig4(*c.SaturationThroughput)+" req/s, measured by the steps that could not keep up", nil)
	}
	t.row("capacity at SLO", capacityAtSLO(c), nil)
	t.row("headroom", headroomText(c), nil)
	t.row("limited by", limitedByText(c, s), nil)
	capacityPoints(b, c, true)
	capacityWarnings(b, c.Warnings)
	_, err := io.WriteString(w, b.String())
	return err
}

// figureRows writes the capacity model's table of figures, with a column
// for the confidence intervals when the model has them.
type figureRows struct {
	b  *strings.Builder
	ci *result.CapacityCI
}

// newFigureRows writes the table's header.
func newFigureRows(b *strings.Builder, ci *result.CapacityCI) figureRows {
	if ci != nil {
		fmt.Fprintf(b, "| figure | value | %s CI |\n|---|---:|---:|\n", levelText(ci.Level))
	} else {
		b.WriteString("| figure | value |\n|---|---:|\n")
	}
	return figureRows{b: b, ci: ci}
}

// row writes a figure, with its interval iv (nil: an empty cell) when the
// table has an interval column.
func (t figureRows) row(name, value string, iv *[2]float64) {
	fmt.Fprintf(t.b, "| %s | %s |", name, value)
	if t.ci != nil {
		cell := ""
		if iv != nil {
			cell = sig4(iv[0]) + " – " + sig4(iv[1])
		}
		fmt.Fprintf(t.b, " %s |", cell)
	}
	t.b.WriteString("\n")
}

// capacityFitRows writes the fitted model's rows: the model chosen, its
// coefficients and the peak concurrency and maximum throughput they give,
// each with its interval.
func capacityFitRows(t figureRows, c *result.Capacity) {
	var sigma, kappa, lambda, peakN, xmax *[2]float64
	if ci := t.ci; ci != nil {
		peakN, xmax = ci.PeakConcurrency, ci.MaxThroughput
		if ci.Resamples > 0 {
			// Without a bootstrap (too few points, or --resamples 0) the
			// coefficients have no interval: the zeros stored are not one.
			sigma, kappa, lambda = &ci.Sigma, &ci.Kappa, &ci.Lambda
		}
	}
	if c.Model != "" {
		t.row("model", fmt.Sprintf("%s: %s", c.Model, c.ModelReason), nil)
	}
	if c.Model != string(capacity.ModelCeiling) {
		t.row("σ (contention)", sig4(c.Sigma), sigma)
		t.row("κ (coherency)", sig4(c.Kappa), kappa)
	}
	t.row("λ (one worker)", sig4(c.Lambda)+" req/s", lambda)
	switch {
	case c.SaturationThroughput != nil && c.MaxThroughput != nil && *c.MaxThroughput == *c.SaturationThroughput:
		// The open model's ceiling, measured by the steps past saturation
		// (capacity.FromProfile), not by the model.
		t.row("X_max (measured saturation)", sig4(*c.MaxThroughput)+" req/s, from the steps that could not keep up", xmax)
	case c.Model == string(capacity.ModelCeiling) && c.MaxThroughput != nil:
		t.row("N* (peak concurrency)", "none (flat beyond the ceiling: no fall measured)", nil)
		t.row("X_max (ceiling X_c)", sig4(*c.MaxThroughput)+" req/s", xmax)
	case c.PeakConcurrency != nil && c.MaxThroughput != nil:
		t.row("N* (peak concurrency)", sig4(*c.PeakConcurrency), peakN)
		t.row("X_max (throughput at N*)", sig4(*c.MaxThroughput)+" req/s", xmax)
	case c.MaxThroughput != nil:
		t.row("N* (peak concurrency)", "none (κ = 0: no retrograde region)", nil)
		t.row("X_max (ceiling λ/σ)", sig4(*c.MaxThroughput)+" req/s", xmax)
	case c.Limit != "linear" && c.SaturationThroughput == nil && c.Model == string(capacity.ModelCeiling):
		t.row("X_max", "not reported: no ceiling measured (every complete step kept up with its offered load)", nil)
	case c.Limit != "linear":
		t.row("X_max", "not reported: the model disagrees with the measured saturation throughput", nil)
	default:
		t.row("N* (peak concurrency)", "none", nil)
		t.row("X_max", "none: linear, no ceiling in range", nil)
	}
}

// kneeText is the knee row's value: the model's knee and Kneedle's on the
// measurements.
func kneeText(c *result.Capacity) string {
	k := c.Knee
	knee := "none (linear)"
	if k == nil && c.Model == string(capacity.ModelCeiling) {
		// capacity.FromProfile: an open ramp that measured no ceiling.
		knee = "not reported: the corner of a ceiling no step measured"
	}
	if k != nil {
		knee = fmt.Sprintf("N ≈ %s, X ≈ %s req/s", sig4(k.Concurrency), sig4(k.Throughput))
		if k.KneedleConcurrency != nil {
			knee += fmt.Sprintf(" (Kneedle on the measurements: N = %s)", sig4(*k.KneedleConcurrency))
		} else {
			knee += " (Kneedle on the measurements: no knee)"
		}
	}
	return knee
}

// headroomText is the headroom row's value: of the saturation throughput
// when one was measured, else of X_max, or why there is none.
func headroomText(c *result.Capacity) string {
	headroom := "not computed: no X_max reported"
	if h := c.Headroom; h != nil && c.SaturationThroughput != nil {
		headroom = fmt.Sprintf("%s of the saturation throughput", capPct(*h))
	} else if h != nil {
		headroom = fmt.Sprintf("%s of X_max", capPct(*h))
	} else if c.MaxThroughput != nil {
		headroom = "none: no step held the SLO"
	}
	return headroom
}

func capacityAtSLO(c *result.Capacity) string {
	if c.CapacityAtSLO <= 0 {
		return "none: no step held the SLO"
	}
	return fmt.Sprintf("%s req/s at N = %s", sig4(c.CapacityAtSLO), sig4(c.ConcurrencyAtSLO))
}

// limitedByText is the "limited by" row's value. When no step broke,
// nothing was seen to limit the capacity: it is a lower bound, unless the
// capacity step held only for want of evidence.
func limitedByText(c *result.Capacity, s *result.Stress) string {
	if s != nil && s.FirstBroken == nil && c.CapacityAtSLO > 0 && s.CapacityUnproven {
		return fmt.Sprintf("not measured: no step broke by the rules, but the capacity step held only for want of evidence (the verdict's caveat), so the capacity at SLO (%s req/s) is no lower bound: the capacity may be below it as well as above; longer steps tell", sig4(c.CapacityAtSLO))
	}
	if s != nil && s.FirstBroken == nil && c.CapacityAtSLO > 0 {
		return fmt.Sprintf("not measured: no step broke, so the capacity at SLO (%s req/s) is a lower bound; extend the ramp to find what binds", sig4(c.CapacityAtSLO))
	}
	switch c.LimitedBy {
	case "throughput":
		return "throughput: the ceiling binds first (capacity at SLO within 10% of it, or the SLO broke only within 10% of it)"
	case "slo":
		return "SLO: latency, errors or a plateau break it before the ceiling"
	}
	return c.LimitedBy
}

// capacityPoints writes the measured points, with the fitted curve's
// prediction and the residual when there is a model.
func capacityPoints(b *strings.Builder, c *result.Capacity, fitted bool) {
	if len(c.Points) == 0 {
		return
	}
	if fitted {
		b.WriteString("\nMeasured against the fitted curve:\n\n| step | N | measured (req/s) | predicted (req/s) | residual |\n|---:|---:|---:|---:|---:|\n")
	} else {
		b.WriteString("\nMeasured:\n\n| step | N | measured (req/s) |\n|---:|---:|---:|\n")
	}
	for i, p := range c.Points {
		fmt.Fprintf(b, "| %d | %s | %.1f |", p.Step+1, sig4(p.Concurrency), p.Throughput)
		if fitted {
			res := p.Throughput - p.Predicted
			if i < len(c.Residuals) {
				res = c.Residuals[i]
			}
			fmt.Fprintf(b, " %.1f | %.1f |", p.Predicted, res)
		}
		b.WriteString("\n")
	}
}

func capacityWarnings(b *strings.Builder, ws []string) {
	if len(ws) == 0 {
		return
	}
	b.WriteString("\n")
	for _, w := range ws {
		fmt.Fprintf(b, "- **warning:** %s\n", w)
	}
}

// sig4 prints a figure with four significant digits (internal/units).
func sig4(v float64) string { return units.Sig4(v) }

// capPct formats a share as a percentage with one decimal.
func capPct(f float64) string {
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}

func levelText(level float64) string {
	return strconv.FormatFloat(level*100, 'g', -1, 64) + "%"
}
