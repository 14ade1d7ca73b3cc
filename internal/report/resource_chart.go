package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/loadplan/loadplan/internal/result"
)

// chartResource is the kind of a monitored metric's chart; its id is
// "resource-<metric slug>-<profile key>".
const chartResource = "resource"

var (
	colResource = rgb(0x56, 0xb4, 0xe9)                           // sky blue
	colGapFill  = color.NRGBA{R: 0xc0, G: 0x00, B: 0x00, A: 0x22} // the break colour, faint
)

// resourceCharts draws one chart per monitored metric of p: its value
// over the profile's time axis (the load charts' axis, from 0 to the
// profile's end, with the stage boundaries), its stated capacity as a
// dashed line, and its gaps as shaded spans where the line breaks.
func resourceCharts(p *result.Profile) (charts []*chart, problems []string) {
	if p.Monitor == nil {
		return nil, nil
	}
	for i := range p.Monitor.Metrics {
		c, err := resourceChart(p, &p.Monitor.Metrics[i])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p.Monitor.Metrics[i].Name, err))
			continue
		}
		if c != nil {
			charts = append(charts, c)
		}
	}
	return charts, problems
}

func resourceChart(p *result.Profile, m *result.MonitorMetric) (*chart, error) {
	if len(m.Samples) == 0 && len(m.Gaps) == 0 {
		return nil, nil
	}
	xMax := float64(p.Total.Elapsed)
	if n := len(p.Windows); n > 0 {
		xMax = math.Max(xMax, float64(p.Windows[n-1].Offset))
	}
	pts, top := resourceSeries(m)
	for _, g := range m.Gaps {
		xMax = math.Max(xMax, float64(g.To))
	}
	if n := len(m.Samples); n > 0 {
		xMax = math.Max(xMax, float64(m.Samples[n-1].Offset))
	}
	capy := m.CapacityFor()
	unit := m.Unit
	if unit == "" {
		unit = "value"
	}
	pl := newPlot(m.Name+resourceOf(m), "seconds since the profile started", unit)
	pl.Y.Min = 0
	stageRules(pl, stageStarts(p))
	if err := line(pl, m.Name, pts, colResource, 1.2); err != nil {
		return nil, err
	}
	// A reading alone between gaps is a line of one point: draw it as a dot.
	if lone := loneReadings(pts); len(lone) > 0 {
		if err := points(pl, "", lone, colResource, draw.CircleGlyph{}, 1.5); err != nil {
			return nil, err
		}
	}
	if capy > 0 {
		pl.Add(rule{At: capy, Label: "capacity " + sig4(capy), LineStyle: dashed(colBreak)})
		top = math.Max(top, capy)
	}
	if top <= 0 {
		top = 1
	}
	// The gaps span the whole height: draw them once the height is known.
	yTop := top / (1 - 0.2)
	for _, g := range m.Gaps {
		poly, err := plotter.NewPolygon(plotter.XYs{{X: float64(g.From), Y: 0}, {X: float64(g.To), Y: 0}, {X: float64(g.To), Y: yTop}, {X: float64(g.From), Y: yTop}})
		if err != nil {
			return nil, err
		}
		poly.Color, poly.LineStyle.Width = colGapFill, 0
		pl.Add(poly)
	}
	pl.Y.Max = yTop
	pl.X.Min, pl.X.Max = 0, xMax
	svg, err := renderSVG(chartWidth, chartHeight*3/4, pl)
	if err != nil {
		return nil, err
	}
	return &chart{Kind: chartResource + "-" + slug(m.Name), Title: m.Name + " over time", Caption: resourceCaption(m, capy), SVG: svg}, nil
}

// resourceSeries is the metric's samples as points, broken (a NaN) where a
// gap lies between two samples or they are more than 2.5 reading
// intervals apart; top is the highest value.
func resourceSeries(m *result.MonitorMetric) (pts plotter.XYs, top float64) {
	step := medianStep(m.Samples)
	for i, s := range m.Samples {
		x := float64(s.Offset)
		if i > 0 {
			prev := float64(m.Samples[i-1].Offset)
			if (step > 0 && x-prev > 2.5*step) || gapBetween(m.Gaps, prev, x) {
				pts = append(pts, plotter.XY{X: (prev + x) / 2, Y: math.NaN()})
			}
		}
		pts = append(pts, plotter.XY{X: x, Y: s.V})
		top = math.Max(top, s.V)
	}
	return pts, top
}

func gapBetween(gaps []result.MonitorGap, from, to float64) bool {
	for _, g := range gaps {
		if float64(g.To) > from && float64(g.From) < to {
			return true
		}
	}
	return false
}

func medianStep(s []result.MonitorSample) float64 {
	if len(s) < 2 {
		return 0
	}
	d := make([]float64, 0, len(s)-1)
	for i := 1; i < len(s); i++ {
		d = append(d, float64(s[i].Offset-s[i-1].Offset))
	}
	sort.Float64s(d)
	return d[len(d)/2]
}

func resourceOf(m *result.MonitorMetric) string {
	if m.Resource == "" {
		return ""
	}
	return " (" + m.Resource + ")"
}

func resourceCaption(m *result.MonitorMetric, capy float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s read from %s (%s), one reading per window, on the load charts' time axis; dotted lines mark stage boundaries.", m.Name, m.Source, m.Query)
	if capy > 0 {
		fmt.Fprintf(&b, " The dashed line is its capacity, %s%s.", sig4(capy), unitSuffix(m.Unit))
	} else {
		b.WriteString(" No capacity stated: no utilisation is read from it.")
	}
	if n := len(m.Gaps); n > 0 {
		fmt.Fprintf(&b, " Shaded: %d gap(s) with no reading, the first from %s s to %s s: %s.", n, sig4(float64(m.Gaps[0].From)), sig4(float64(m.Gaps[0].To)), m.Gaps[0].Error)
	}
	return b.String()
}

// withResourceCharts puts the resource charts right after the load chart
// (the latency and load over time), or at the end without one.
func withResourceCharts(charts []*chart, p *result.Profile, key string, problems []string) ([]*chart, []string) {
	rc, rp := resourceCharts(p)
	for _, c := range rc {
		c.ID = c.Kind + "-" + key
	}
	if len(rc) == 0 {
		return charts, append(problems, rp...)
	}
	at := len(charts)
	for i, c := range charts {
		if c.Kind == chartLatency {
			at = i + 1
		}
	}
	out := append(append(append([]*chart(nil), charts[:at]...), rc...), charts[at:]...)
	return out, append(problems, rp...)
}

// unitSuffix is " cores" for a unit worth naming after a figure, "" for a
// plain count.
func unitSuffix(unit string) string {
	if unit == "" || unit == "count" {
		return ""
	}
	return " " + unit
}

// loneReadings are the points of pts with a break on either side.
func loneReadings(pts plotter.XYs) plotter.XYs {
	var lone plotter.XYs
	for _, run := range splitNaN(pts) {
		if len(run) == 1 {
			lone = append(lone, run...)
		}
	}
	return lone
}
