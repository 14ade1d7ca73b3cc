package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/loadplan/loadplan/internal/result"
)

// chartRequests is the per-request latency chart's kind.
const chartRequests = "requests"

// requestColors are the lines of the per-request chart, one per request
// in name order (Okabe–Ito, then repeated with dashes).
var requestColors = []color.Color{
	rgb(0x00, 0x72, 0xb2), rgb(0xe6, 0x9f, 0x00), rgb(0x00, 0x9e, 0x73), rgb(0xcc, 0x79, 0xa7),
	rgb(0xd5, 0x5e, 0x00), rgb(0x56, 0xb4, 0xe9), rgb(0x00, 0x00, 0x00),
}

// requestsChart draws each request's p95 per second, a line per request,
// from the seconds' per-request parts: a profile of several requests whose
// percentiles one slow request sets shows here which request moved. Nil
// with one request, or when the result has no per-request seconds.
func requestsChart(p *result.Profile) (*chart, error) {
	series := map[string]plotter.XYs{}
	var names []string
	for _, rs := range p.Total.PerRequest {
		names = append(names, rs.Name)
	}
	if len(names) < 2 {
		return nil, nil
	}
	var lat []float64
	seen := false
	for _, w := range p.Windows {
		x := float64(w.Offset)
		have := map[string]bool{}
		for _, rw := range w.PerRequest {
			seen = true
			y := math.NaN()
			if rw.Requests-rw.Errors > 0 && rw.P95 > 0 {
				y = float64(rw.P95)
				lat = append(lat, y)
			}
			series[rw.Name] = append(series[rw.Name], plotter.XY{X: x, Y: y})
			have[rw.Name] = true
		}
		for _, n := range names {
			if !have[n] {
				series[n] = append(series[n], plotter.XY{X: x, Y: math.NaN()})
			}
		}
	}
	if !seen {
		return nil, nil
	}
	pl := newPlot("p95 response time per second, by request", "seconds since the profile started", "ms")
	logIfWide(&pl.Y, "ms (log scale)", lat...)
	stageRules(pl, stageStarts(p))
	for i, n := range names {
		col := requestColors[i%len(requestColors)]
		var dashes []vg.Length
		if i >= len(requestColors) {
			dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		label := n
		if rs := p.Total.Request(n); rs != nil && rs.ErrorsCounted {
			label += " (" + pct(rs.Share) + ")"
		}
		if err := line(pl, label, series[n], col, 1.2, dashes...); err != nil {
			return nil, err
		}
	}
	headroom(pl, 0.1*float64(len(names)))
	pl.X.Min = 0
	pl.X.Max = math.Max(float64(p.Windows[len(p.Windows)-1].Offset), float64(p.Total.Elapsed))
	svg, err := renderSVG(chartWidth, stackedChart/2, pl)
	if err != nil {
		return nil, err
	}
	return &chart{Kind: chartRequests, Title: "Latency by request over time",
		Caption: "The p95 of each request's successful responses in each second (by completion time), with its share of the traffic: a slow minor request sets the profile's percentiles, this shows which request moved. Dotted lines mark stage boundaries.",
		SVG:     svg}, nil
}
