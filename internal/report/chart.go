package report

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"strconv"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
)

// chart is one figure of the HTML report: gonum/plot drawn to SVG by its
// vgsvg backend, inlined in the page.
type chart struct {
	Kind    string // chartLatency, chartHDR, …
	ID      string // unique in the page: "<kind>-<profile slug>"
	Title   string
	Caption string
	SVG     template.HTML
}

// Chart kinds, the first part of a chart's id.
const (
	chartLatency = "latency"
	chartHDR     = "hdr"
	chartErrors  = "errors"
	chartStress  = "stress"
	chartUSL     = "usl"
)

// The palette: colour-blind safe (Okabe–Ito), one colour per meaning
// across every chart.
var (
	colP50      = rgb(0x00, 0x72, 0xb2) // blue
	colP95      = rgb(0xe6, 0x9f, 0x00) // orange
	colP99      = rgb(0xd5, 0x5e, 0x00) // vermilion
	colOffered  = rgb(0x80, 0x80, 0x80) // grey
	colAchieved = rgb(0x00, 0x9e, 0x73) // green
	colService  = rgb(0xcc, 0x79, 0xa7) // purple
	colError    = rgb(0xd5, 0x5e, 0x00)
	colBreak    = rgb(0xc0, 0x00, 0x00)
	colGuide    = rgb(0xb0, 0xb0, 0xb0)
	colGrid     = rgb(0xe4, 0xe4, 0xe4)
)

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 0xff} }

// Chart sizes in points; the page scales them to its width.
// At 6 inches (432 pt) and the page's two columns, 9 pt tick labels show
// at about 12 px.
const (
	chartWidth   = 6 * vg.Inch
	chartHeight  = 3.25 * vg.Inch
	stackedChart = 4.75 * vg.Inch // two plots sharing an x axis
)

// sans is the plots' typeface. vgsvg measures text with the Liberation
// fonts gonum/plot carries and names the family in the SVG without
// embedding it; Liberation Sans is metric-compatible with Arial, so the
// page's fallback list keeps the layout where Liberation is not installed.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot makes a plot in the report's style: sans-serif text, a light
// grid, the legend at the top left.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 12)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 10)
		a.Tick.Label.Font = font.From(sans, 9)
		a.LineStyle.Color = colOffered
		a.Tick.LineStyle.Color = colOffered
		a.Tick.Length = vg.Points(4)
		a.Padding = vg.Points(2)
		a.Tick.Marker = niceTicks{}
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.TextStyle.Font = font.From(sans, 9)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = vg.Points(6)
	p.Legend.YOffs = vg.Points(-4)
	p.Legend.ThumbnailWidth = vg.Points(18)
	p.Legend.Padding = vg.Points(1.5)
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = colGrid, colGrid
	p.Add(g)
	return p
}

// bottomRight moves a plot's legend to the bottom right corner.
func bottomRight(p *plot.Plot) {
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(-6), vg.Points(4)
}

// renderSVG draws plots stacked top to bottom with their data areas
// aligned (so stacked plots share the x axis) and returns the <svg>
// element, ready to inline. gonum/plot panics on some inputs it cannot
// scale; that becomes an error, so one odd chart never costs the report.
func renderSVG(w, h vg.Length, plots ...*plot.Plot) (svg template.HTML, err error) {
	defer func() {
		if e := recover(); e != nil {
			err = fmt.Errorf("draw chart: %v", e)
		}
	}()
	c := vgsvg.New(w, h)
	dc := draw.New(c)
	if len(plots) == 1 {
		plots[0].Draw(dc)
	} else {
		rows := make([][]*plot.Plot, len(plots))
		for i, p := range plots {
			rows[i] = []*plot.Plot{p}
		}
		tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Points(8), PadTop: vg.Points(2), PadBottom: vg.Points(2)}
		canvases := plot.Align(rows, tiles, dc)
		for i, p := range plots {
			p.Draw(canvases[i][0])
		}
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", fmt.Errorf("draw chart: %w", err)
	}
	return inlineSVG(b.String())
}

// inlineSVG strips what an SVG file needs and HTML does not: what comes
// before the root element (the XML declaration and a comment) and the
// namespace declarations, which HTML implies for an inline <svg>.
func inlineSVG(s string) (template.HTML, error) {
	i := strings.Index(s, "<svg")
	if i < 0 {
		return "", errors.New("draw chart: no <svg> element in the output")
	}
	s = strings.TrimSpace(s[i:])
	end := strings.IndexByte(s, '>')
	root := strings.NewReplacer(
		`xmlns="http://www.w3.org/2000/svg"`, "",
		`xmlns:xlink="http://www.w3.org/1999/xlink"`, "",
	).Replace(s[:end])
	root = strings.Join(strings.Fields(root), " ")
	return template.HTML(root + s[end:]), nil
}

// line adds a line through pts (split where pts has a NaN y, so gaps in the
// data stay gaps) and names it in the legend.
func line(p *plot.Plot, name string, pts plotter.XYs, col color.Color, width float64, dashes ...vg.Length) error {
	first := true
	for _, run := range splitNaN(pts) {
		l, err := plotter.NewLine(run)
		if err != nil {
			return err
		}
		l.Color, l.Width, l.Dashes = col, vg.Points(width), dashes
		p.Add(l)
		if first && name != "" {
			p.Legend.Add(name, l)
		}
		first = false
	}
	return nil
}

// splitNaN splits pts into runs without NaN y values.
func splitNaN(pts plotter.XYs) []plotter.XYs {
	var runs []plotter.XYs
	var cur plotter.XYs
	for _, pt := range pts {
		if math.IsNaN(pt.Y) {
			if len(cur) > 0 {
				runs = append(runs, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, pt)
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// points adds a scatter of glyphs.
func points(p *plot.Plot, name string, pts plotter.XYs, col color.Color, shape draw.GlyphDrawer, radius float64) error {
	if len(pts) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	s.Color, s.Shape, s.Radius = col, shape, vg.Points(radius)
	p.Add(s)
	if name != "" {
		p.Legend.Add(name, s)
	}
	return nil
}

// rule is a vertical (at X) or horizontal (at Y) line across a plot's data
// area, with an optional label at its end. gonum/plot has no such plotter.
type rule struct {
	Vertical bool
	At       float64
	Label    string
	// LabelLeft puts a horizontal rule's label under its left end, where
	// a curve rising to the right leaves room (by default it is over the
	// right end).
	LabelLeft bool
	draw.LineStyle
}

var _ plot.Plotter = rule{}

func (r rule) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := draw.TextStyle{Color: r.Color, Font: font.From(sans, 8), Handler: p.TextHandler}
	if r.Vertical {
		x := trX(r.At)
		if x < c.Min.X || x > c.Max.X {
			return
		}
		c.StrokeLine2(r.LineStyle, x, c.Min.Y, x, c.Max.Y)
		if r.Label != "" {
			// Beside the line, at the top; on its left when it is in the
			// right part of the plot.
			sty.YAlign = draw.YTop
			sty.XAlign, x = draw.XLeft, x+vg.Points(3)
			if trX(r.At) > c.Min.X+(c.Max.X-c.Min.X)*0.6 {
				sty.XAlign, x = draw.XRight, x-vg.Points(6)
			}
			c.FillText(sty, vg.Point{X: x, Y: c.Max.Y - vg.Points(2)}, r.Label)
		}
		return
	}
	y := trY(r.At)
	if y < c.Min.Y || y > c.Max.Y {
		return
	}
	c.StrokeLine2(r.LineStyle, c.Min.X, y, c.Max.X, y)
	if r.Label != "" {
		sty.XAlign, sty.YAlign = draw.XRight, draw.YBottom
		x := c.Max.X - vg.Points(3)
		y += vg.Points(2)
		if r.LabelLeft {
			sty.XAlign, sty.YAlign = draw.XLeft, draw.YTop
			x, y = c.Min.X+vg.Points(3), y-vg.Points(4)
		}
		c.FillText(sty, vg.Point{X: x, Y: y}, r.Label)
	}
}

// Thumbnail makes a rule usable as a legend entry.
func (r rule) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(r.LineStyle, c.Min.X, y, c.Max.X, y)
}

func dashed(col color.Color) draw.LineStyle {
	return draw.LineStyle{Color: col, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
}

// logIfWide puts an axis on a log scale, labelled logLabel, when its
// positive values span more than a factor of 20, where a linear scale
// would flatten the lower ones into the floor; otherwise on a linear scale
// from 0.
func logIfWide(a *plot.Axis, logLabel string, vals ...float64) {
	lo, hi := math.Inf(1), 0.0
	for _, v := range vals {
		if v > 0 && !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi == 0 || hi/lo <= 20 {
		a.Min = 0
		return
	}
	a.Scale = plot.LogScale{}
	a.Tick.Marker = logTicks{}
	a.Min, a.Max = lo/1.2, hi*1.2
	a.Label.Text = logLabel
}

// logTicks labels 1, 2 and 5 times each power of ten, so a log axis over
// one or two decades still has several labels.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for m := 1.0; m < 10; m++ {
			v := m * base
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = shortNum(v)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// niceTicks puts about six labelled ticks on a linear axis at multiples of
// 1, 2, 2.5 or 5 times a power of ten, with a minor tick between each two.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: shortNum(lo)}}
	}
	// The step nearest to five intervals, among 1, 2, 2.5 and 5 times the
	// powers of ten around span/5; on a tie, the larger.
	span := hi - lo
	mag := math.Pow(10, math.Floor(math.Log10(span/5)))
	step, best := 0.0, math.Inf(1)
	for _, g := range []float64{mag / 10, mag, mag * 10} {
		for _, m := range []float64{1, 2, 2.5, 5} {
			if d := math.Abs(span/(m*g) - 5); d <= best {
				step, best = m*g, d
			}
		}
	}
	var ts []plot.Tick
	first := math.Ceil(lo/step) * step
	for i := -1; ; i++ {
		v := first + float64(i)*step
		if v > hi+step*1e-9 {
			break
		}
		if v >= lo-step*1e-9 {
			ts = append(ts, plot.Tick{Value: v, Label: shortNum(v)})
		}
		if m := v + step/2; m >= lo && m <= hi {
			ts = append(ts, plot.Tick{Value: m})
		}
	}
	return ts
}

// headroom raises the top of a plot's y axis so that the data and the
// given values (limits drawn as rules, which do not extend the range) stay
// out of the top share room of the plot, where the legend is.
func headroom(p *plot.Plot, room float64, extra ...float64) {
	top := p.Y.Max
	for _, v := range extra {
		top = math.Max(top, v)
	}
	if _, log := p.Y.Scale.(plot.LogScale); log && p.Y.Min > 0 && top > p.Y.Min {
		// Half the room: on a log axis it adds decades of empty latency,
		// and the low values the legend would cover are spread out.
		lo := math.Log(p.Y.Min)
		p.Y.Max = math.Exp(lo + (math.Log(top)-lo)/(1-room/2))
		return
	}
	if top > p.Y.Min {
		p.Y.Max = p.Y.Min + (top-p.Y.Min)/(1-room)
	}
}

// shortNum formats a tick value without a long tail of digits.
func shortNum(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%gk", math.Round(v/100)/10)
	case v == 0:
		return "0" // not "-0"
	default:
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
}

// stageStarts returns the offsets, in seconds from the profile start, at
// which each stage after the first began.
func stageStarts(p *result.Profile) []float64 {
	var at float64
	var out []float64
	for i, s := range p.Stages {
		if i > 0 {
			out = append(out, at)
		}
		at += float64(s.Offered.Duration)
	}
	return out
}

func stageRules(pl *plot.Plot, starts []float64) {
	for _, s := range starts {
		pl.Add(rule{Vertical: true, At: s, LineStyle: draw.LineStyle{Color: colGuide, Width: vg.Points(0.5), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}})
	}
}

// latencyChart draws p50, p95 and p99 per second over time, and below it,
// sharing the x axis, the offered and the achieved load: gonum/plot has no
// second y axis, and two aligned plots keep both in their own units.
func latencyChart(p *result.Profile) (*chart, error) {
	if len(p.Windows) == 0 {
		return nil, nil
	}
	unit := loadUnit(p)
	s := latencySeriesOf(p)
	xMin, xMax := 0.0, math.Max(float64(p.Windows[len(p.Windows)-1].Offset), float64(p.Total.Elapsed))

	top, err := percentilePlot(p, s)
	if err != nil {
		return nil, err
	}
	load, caption, err := loadPlots(unit, s)
	if err != nil {
		return nil, err
	}
	plots := append([]*plot.Plot{top}, load...)
	for _, pl := range plots {
		if pl != top {
			pl.Y.Min = 0
			stageRules(pl, stageStarts(p))
			headroom(pl, 0.25)
		}
		pl.X.Min, pl.X.Max = xMin, xMax
	}
	h := stackedChart
	if len(plots) == 3 {
		h = stackedChart * 5 / 4
	}
	svg, err := renderSVG(chartWidth, h, plots...)
	if err != nil {
		return nil, err
	}
	return &chart{Kind: chartLatency, Title: "Latency and load over time", Caption: caption, SVG: svg}, nil
}

// latencySeries are the latency chart's lines, a point per window.
type latencySeries struct {
	p50, p95, p99, offered, achieved plotter.XYs
	lat                              []float64 // every percentile drawn, for the scale
}

// latencySeriesOf reads the latency chart's lines from the profile's
// windows: a second without completions is a gap in latency and zero
// throughput, and a window without a successful request has no latency.
func latencySeriesOf(p *result.Profile) latencySeries {
	var s latencySeries
	prev := math.Inf(-1)
	// A flow profile's offered rate counts iterations: drawn in requests,
	// as the completions beside it.
	perStart := p.RequestsPerStart()
	for _, w := range p.Windows {
		x := float64(w.Offset)
		if x-prev > 1.5 && !math.IsInf(prev, -1) {
			// A second without completions: a gap in latency, zero
			// throughput.
			gap := plotter.XY{X: prev + 1, Y: math.NaN()}
			s.p50, s.p95, s.p99 = append(s.p50, gap), append(s.p95, gap), append(s.p99, gap)
			s.achieved = append(s.achieved, plotter.XY{X: prev + 1, Y: 0}, plotter.XY{X: x - 1, Y: 0})
		}
		prev = x
		s.offered = append(s.offered, plotter.XY{X: x, Y: w.Offered * perStart})
		s.achieved = append(s.achieved, plotter.XY{X: x, Y: w.Throughput})
		if w.Requests-w.Errors <= 0 || w.P50 <= 0 {
			nan := plotter.XY{X: x, Y: math.NaN()}
			s.p50, s.p95, s.p99 = append(s.p50, nan), append(s.p95, nan), append(s.p99, nan)
			continue
		}
		s.p50 = append(s.p50, plotter.XY{X: x, Y: float64(w.P50)})
		s.p95 = append(s.p95, plotter.XY{X: x, Y: float64(w.P95)})
		s.p99 = append(s.p99, plotter.XY{X: x, Y: float64(w.P99)})
		s.lat = append(s.lat, float64(w.P50), float64(w.P95), float64(w.P99))
	}
	return s
}

// percentilePlot is the latency chart's top plot: the percentiles per
// second, with the stage boundaries and the p95 limit if there is one.
func percentilePlot(p *result.Profile, s latencySeries) (*plot.Plot, error) {
	top := newPlot("Response time per second", "", "ms")
	logIfWide(&top.Y, "ms (log scale)", s.lat...)
	stageRules(top, stageStarts(p))
	if err := errors.Join(
		line(top, "p50", s.p50, colP50, 1.2),
		line(top, "p95", s.p95, colP95, 1.2),
		line(top, "p99", s.p99, colP99, 1.2),
	); err != nil {
		return nil, err
	}
	var limits []float64
	if slo := p.Rules.Expect.P95; slo != nil {
		top.Add(rule{At: float64(*slo), Label: "p95 limit " + ms(*slo), LineStyle: dashed(colP95)})
		limits = append(limits, float64(*slo))
	}
	headroom(top, 0.33, limits...) // three legend entries in a short plot
	hideXLabels(top)
	return top, nil
}

// loadPlots are the latency chart's plots below the percentiles: the
// offered and the achieved load in one plot when both are req/s, else a
// plot each. The caption says which plot is which.
func loadPlots(unit string, s latencySeries) ([]*plot.Plot, string, error) {
	if unit == "req/s" {
		bottom := newPlot("", "seconds since the profile started", unit)
		if err := errors.Join(
			line(bottom, "offered", s.offered, colOffered, 1.2, vg.Points(4), vg.Points(3)),
			line(bottom, "achieved (completions/s)", s.achieved, colAchieved, 1.2),
		); err != nil {
			return nil, "", err
		}
		caption := "Top: percentiles of the response time of successful requests in each second (by completion time). " +
			"Bottom: the load offered and the completions achieved in the same seconds. Dotted lines mark stage boundaries."
		return []*plot.Plot{bottom}, caption, nil
	}
	// Users and completions per second are different units: a plot
	// each.
	users := newPlot("", "", unit)
	thr := newPlot("", "seconds since the profile started", "req/s")
	if err := errors.Join(
		line(users, "offered ("+unit+")", s.offered, colOffered, 1.2, vg.Points(4), vg.Points(3)),
		line(thr, "achieved (completions/s)", s.achieved, colAchieved, 1.2),
	); err != nil {
		return nil, "", err
	}
	hideXLabels(users)
	caption := "Top: percentiles of the response time of successful requests in each second (by completion time). " +
		"Middle: the " + unit + " offered. Bottom: the completions achieved in the same seconds. Dotted lines mark stage boundaries."
	return []*plot.Plot{users, thr}, caption, nil
}

// hideXLabels keeps a stacked plot's x ticks but drops their labels: the
// plot below carries them.
func hideXLabels(p *plot.Plot) {
	p.X.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ts := niceTicks{}.Ticks(lo, hi)
		for i := range ts {
			ts[i].Label = ""
		}
		return ts
	})
}

// loadUnit is the unit of the charts' offered load: the stages' own, but
// in requests for a profile of flows, whose iterations/s the charts draw
// in requests (latencySeriesOf, the stress steps).
func loadUnit(p *result.Profile) string {
	if len(p.Stages) > 0 && p.Stages[0].Offered.Unit != "" {
		return p.Stages[0].Offered.RequestUnit()
	}
	if p.Model == "closed" {
		return "users"
	}
	return "req/s"
}

// percentileTicks label a 1/(1−p) axis with the percentiles, as
// HdrHistogram's plots do.
var percentileTicks = plot.ConstantTicks{
	{Value: 1, Label: "0%"},
	{Value: 10, Label: "90%"},
	{Value: 100, Label: "99%"},
	{Value: 1e3, Label: "99.9%"},
	{Value: 1e4, Label: "99.99%"},
	{Value: 1e5, Label: "99.999%"},
}

// hdrChart draws the latency by percentile of the whole profile, response
// time and service time side by side, on HdrHistogram's log 1/(1−p) axis,
// from the encoded histograms, so it shows the full tail and not just the
// summary's percentiles.
func hdrChart(p *result.Profile) (*chart, error) {
	resp, err := decodeHist(p.Total.Histograms.Response)
	if err != nil {
		return nil, fmt.Errorf("profile %s: total.histograms.response: %w", p.Name, err)
	}
	svc, err := decodeHist(p.Total.Histograms.Service)
	if err != nil {
		return nil, fmt.Errorf("profile %s: total.histograms.service: %w", p.Name, err)
	}
	if resp == nil && svc == nil {
		return nil, nil
	}
	pl := newPlot("Latency by percentile", "percentile", "ms")
	pl.X.Scale = plot.LogScale{}
	pl.X.Tick.Marker = percentileTicks
	pl.X.Min = 1
	var maxX float64
	for _, s := range []struct {
		name string
		h    *hdr.Histogram
		col  color.Color
	}{{"response time", resp, colP50}, {"service time", svc, colService}} {
		if s.h == nil {
			continue
		}
		pts := percentileCurve(s.h)
		maxX = math.Max(maxX, pts[len(pts)-1].X)
		if err := line(pl, s.name, pts, s.col, 1.4); err != nil {
			return nil, err
		}
	}
	percentileAxes(pl, maxX)
	svg, err := renderSVG(chartWidth, chartHeight, pl)
	if err != nil {
		return nil, err
	}
	n := int64(0)
	if resp != nil {
		n = resp.TotalCount()
	}
	return &chart{
		Kind:  chartHDR,
		Title: "Latency by percentile",
		Caption: fmt.Sprintf("The whole profile's %d successful requests, from the stored HDR histograms. "+
			"The x axis is 1/(1−p) on a log scale, so each decade is one more nine. "+
			"Response time counts from the intended start; service time from when the request went on the wire.", n),
		SVG: svg,
	}, nil
}

func decodeHist(enc string) (*hdr.Histogram, error) {
	if enc == "" {
		return nil, nil
	}
	h, err := metrics.Decode(enc)
	if err != nil {
		return nil, err
	}
	if h.TotalCount() == 0 {
		return nil, nil
	}
	return h, nil
}

// percentileCurve samples a histogram at 20 points per decade of 1/(1−p),
// from p = 0 up to 99.999% or to the last percentile its count can resolve
// (1/(1−p) = count), whichever comes first; the final point is the maximum.
func percentileCurve(h *hdr.Histogram) plotter.XYs {
	n := h.TotalCount()
	top := math.Min(1e5, float64(n))
	var pts plotter.XYs
	for i := 0; ; i++ {
		x := math.Pow(10, float64(i)/20)
		if x >= top {
			break
		}
		pts = append(pts, plotter.XY{X: x, Y: float64(valueAtRank(h, 1-1/x)) / 1000})
	}
	pts = append(pts, plotter.XY{X: math.Max(top, 1.0001), Y: float64(h.Max()) / 1000})
	return pts
}

// valueAtRank is the value at quantile q with the rank rounded up, as
// HdrHistogram defines percentiles (see metrics.Summarize):
// hdrhistogram-go rounds the rank to nearest, which under-reports tails.
func valueAtRank(h *hdr.Histogram, q float64) int64 {
	n := h.TotalCount()
	rank := int64(math.Ceil(q*float64(n) - 1e-9))
	rank = max(rank, 1)
	return h.ValueAtQuantile(100 * float64(rank) / float64(n))
}

// errorsChart draws the failed requests per second. The windows count
// errors but not their classes; the classes are in the per-stage tables.
func errorsChart(p *result.Profile) (*chart, error) {
	if p.Total.Errors == 0 || len(p.Windows) == 0 {
		return nil, nil
	}
	// One series per class that occurred (windows count errors by class),
	// plus the total; a second with no completion is drawn as zero.
	classes := sortedKeys(p.Total.ErrorClasses)
	series := func(count func(result.Window) int64) plotter.XYs {
		var pts plotter.XYs
		prev := math.Inf(-1)
		for _, w := range p.Windows {
			x := float64(w.Offset)
			if x-prev > 1.5 && !math.IsInf(prev, -1) {
				pts = append(pts, plotter.XY{X: prev + 1, Y: 0}, plotter.XY{X: x - 1, Y: 0})
			}
			prev = x
			pts = append(pts, plotter.XY{X: x, Y: float64(count(w))})
		}
		return pts
	}
	pl := newPlot("Failed requests per second, by class", "seconds since the profile started", "errors/s")
	pl.Y.Min = 0
	stageRules(pl, stageStarts(p))
	l, err := plotter.NewLine(series(func(w result.Window) int64 { return w.Errors }))
	if err != nil {
		return nil, err
	}
	l.Color, l.Width = colError, vg.Points(1.2)
	l.FillColor = color.NRGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0x30}
	pl.Add(l)
	pl.Legend.Add("all classes", l)
	palette := []color.Color{rgb(0x00, 0x72, 0xb2), rgb(0x00, 0x9e, 0x73), rgb(0xcc, 0x79, 0xa7), rgb(0x56, 0xb4, 0xe9), rgb(0xe6, 0x9f, 0x00), rgb(0x99, 0x99, 0x99)}
	if len(classes) > 1 {
		for i, c := range classes {
			if err := line(pl, c, series(func(w result.Window) int64 { return w.ErrorClasses[c] }), palette[i%len(palette)], 1); err != nil {
				return nil, err
			}
		}
	}
	headroom(pl, 0.2)
	pl.X.Min = 0
	pl.X.Max = math.Max(float64(p.Windows[len(p.Windows)-1].Offset), float64(p.Total.Elapsed))
	svg, err := renderSVG(chartWidth, chartHeight*3/4, pl)
	if err != nil {
		return nil, err
	}
	return &chart{
		Kind:    chartErrors,
		Title:   "Errors over time",
		Caption: "Failed requests completed in each second, in all and by class (timeout, connection refused or reset, TLS, DNS, protocol, HTTP status); the table below splits them by class, status and stage.",
		SVG:     svg,
	}, nil
}

// stressChart draws, against the offered load of each stress step, the
// achieved throughput (above) and the p95 (below), with the breaking point
// marked on both and the capacity at SLO on the throughput plot.
func stressChart(p *result.Profile) (*chart, error) {
	if p.Verdict == nil || p.Verdict.Stress == nil {
		return nil, nil
	}
	s := p.Verdict.Stress
	ser := stressSeriesOf(p, s)
	thr, unit := ser.thr, ser.unit
	if len(thr) == 0 {
		return nil, nil
	}
	var breakAt *result.Step
	if s.FirstBroken != nil {
		for i := range s.Steps {
			if s.Steps[i].Index == *s.FirstBroken {
				breakAt = &s.Steps[i]
			}
		}
	}

	top, err := stressThroughputPlot(s, ser)
	if err != nil {
		return nil, err
	}
	bottom, err := stressP95Plot(p, ser)
	if err != nil {
		return nil, err
	}
	if breakAt != nil {
		label := fmt.Sprintf("breaks at %s %s", sig4(breakAt.Offered), unit)
		if s.Reason != "" {
			label += " (" + s.Reason + ")"
		}
		br := rule{Vertical: true, At: breakAt.Offered, Label: label, LineStyle: dashed(colBreak)}
		top.Add(br)
		bottom.Add(rule{Vertical: true, At: breakAt.Offered, LineStyle: dashed(colBreak)})
		top.Legend.Add("breaking point", br)
	}
	if err := errors.Join(
		points(top, "broken step", ser.brokenThr, colBreak, draw.RingGlyph{}, 5),
		points(bottom, "broken step", ser.brokenP95, colBreak, draw.RingGlyph{}, 5),
	); err != nil {
		return nil, err
	}
	hideXLabels(top)
	xMax := thr[len(thr)-1].X * 1.05
	for _, pl := range []*plot.Plot{top, bottom} {
		pl.X.Min, pl.X.Max = 0, xMax
	}
	svg, err := renderSVG(chartWidth, stackedChart, top, bottom)
	if err != nil {
		return nil, err
	}
	caption := "Each point is one step, judged over its steady part (after the warm-up). "
	if breakAt != nil {
		caption += fmt.Sprintf("The dashed red line marks the first broken step, step %d at %s %s offered: %s.", breakAt.Index+1, sig4(breakAt.Offered), unit, breakAt.Detail)
	} else {
		caption += "No step broke."
	}
	return &chart{Kind: chartStress, Title: "Breaking point", Caption: caption, SVG: svg}, nil
}

// stressSeries are the stress chart's points, one per measured step.
type stressSeries struct {
	thr, p95, brokenThr, brokenP95 plotter.XYs
	lat                            []float64 // every p95 drawn, for the scale
	unit                           string    // of the offered load
}

// stressSeriesOf reads the stress chart's points from the steps: a step
// never measured is left out, and one without a p95 has no latency point.
func stressSeriesOf(p *result.Profile, s *result.Stress) stressSeries {
	ser := stressSeries{unit: loadUnit(p)}
	for _, st := range s.Steps {
		if st.Windows == 0 {
			continue // never measured
		}
		ser.thr = append(ser.thr, plotter.XY{X: st.Offered, Y: st.Throughput})
		if st.Unit != "" {
			ser.unit = st.Unit
		}
		if st.P95 > 0 {
			ser.p95 = append(ser.p95, plotter.XY{X: st.Offered, Y: float64(st.P95)})
			ser.lat = append(ser.lat, float64(st.P95))
		}
		if st.Broken {
			ser.brokenThr = append(ser.brokenThr, plotter.XY{X: st.Offered, Y: st.Throughput})
			if st.P95 > 0 {
				ser.brokenP95 = append(ser.brokenP95, plotter.XY{X: st.Offered, Y: float64(st.P95)})
			}
		}
	}
	return ser
}

// stressThroughputPlot is the stress chart's top plot: the throughput of
// each step, the ideal line when the load is in req/s, and the capacity at
// SLO, with room for the legend.
func stressThroughputPlot(s *result.Stress, ser stressSeries) (*plot.Plot, error) {
	thr := ser.thr
	top := newPlot("Stress steps: throughput and p95 against offered load", "", "throughput (ok/s)")
	top.Y.Min = 0
	if ser.unit == "req/s" {
		// What a service that kept up would achieve.
		ideal := plotter.XYs{{X: 0, Y: 0}, {X: thr[len(thr)-1].X, Y: thr[len(thr)-1].X}}
		if err := line(top, "offered (ideal)", ideal, colGuide, 1, vg.Points(4), vg.Points(3)); err != nil {
			return nil, err
		}
	}
	if err := errors.Join(
		line(top, "throughput", thr, colAchieved, 1.4),
		points(top, "", thr, colAchieved, draw.CircleGlyph{}, 2.5),
	); err != nil {
		return nil, err
	}
	if s.CapacityAtSLO > 0 {
		// Labelled on the left: the breaking point is usually at the right.
		top.Add(rule{At: s.CapacityAtSLO, Label: fmt.Sprintf("capacity at SLO %s ok/s", sig4(s.CapacityAtSLO)), LabelLeft: true, LineStyle: dashed(colAchieved)})
	}
	headroom(top, 0.4, s.CapacityAtSLO) // four legend entries
	return top, nil
}

// stressP95Plot is the stress chart's bottom plot: the p95 of each step
// and the p95 limit, with room for the legend.
func stressP95Plot(p *result.Profile, ser stressSeries) (*plot.Plot, error) {
	bottom := newPlot("", "offered load ("+ser.unit+")", "p95 (ms)")
	logIfWide(&bottom.Y, "p95 ms (log scale)", ser.lat...)
	if err := errors.Join(
		line(bottom, "p95", ser.p95, colP95, 1.4),
		points(bottom, "", ser.p95, colP95, draw.CircleGlyph{}, 2.5),
	); err != nil {
		return nil, err
	}
	var limits []float64
	if lim := p.Rules.Expect.P95; lim != nil {
		bottom.Add(rule{At: float64(*lim), Label: "p95 limit " + ms(*lim), LabelLeft: true, LineStyle: dashed(colP95)})
		limits = append(limits, float64(*lim))
	}
	headroom(bottom, 0.25, limits...)
	return bottom, nil
}

// uslChart draws the Universal Scalability Law curve fitted to the
// profile's (concurrency, throughput) points, over the points themselves.
func uslChart(p *result.Profile) (*chart, error) {
	c := p.Capacity
	if c == nil || c.Error != "" || len(c.Points) == 0 || c.Lambda <= 0 {
		return nil, nil
	}
	usl := func(n float64) float64 {
		return c.Lambda * n / (1 + c.Sigma*(n-1) + c.Kappa*n*(n-1))
	}
	var pts plotter.XYs
	maxN, maxX := 0.0, 0.0
	for _, pt := range c.Points {
		pts = append(pts, plotter.XY{X: pt.Concurrency, Y: pt.Throughput})
		maxN, maxX = math.Max(maxN, pt.Concurrency), math.Max(maxX, pt.Throughput)
	}
	if c.PeakConcurrency != nil && *c.PeakConcurrency < 3*maxN {
		maxN = math.Max(maxN, *c.PeakConcurrency)
	}
	xMax := maxN * 1.15
	unit := "concurrency (in flight, by Little's law)"
	if p.Model == "closed" {
		unit = "concurrency (users)"
	}
	pl := newPlot("Universal Scalability Law fit", unit, "throughput (ok/s)")
	bottomRight(pl) // under the curve, which is high on the right
	f := plotter.NewFunction(usl)
	f.XMin, f.XMax, f.Samples = 0, xMax, 200
	f.Color, f.Width = colP50, vg.Points(1.4)
	pl.Add(f)
	pl.Legend.Add("USL fit", f)
	if err := points(pl, "measured steps", pts, colAchieved, draw.CircleGlyph{}, 3); err != nil {
		return nil, err
	}
	for i := 0; i <= 200; i++ {
		maxX = math.Max(maxX, usl(xMax*float64(i)/200))
	}
	if c.PeakConcurrency != nil && *c.PeakConcurrency <= xMax {
		pl.Add(rule{Vertical: true, At: *c.PeakConcurrency, Label: "peak at N = " + sig4(*c.PeakConcurrency), LineStyle: dashed(colP99)})
	}
	if c.MaxThroughput != nil {
		pl.Add(rule{At: *c.MaxThroughput, Label: "max " + sig4(*c.MaxThroughput) + " ok/s", LineStyle: dashed(colGuide)})
		maxX = math.Max(maxX, *c.MaxThroughput)
	}
	if c.CapacityAtSLO > 0 {
		if err := points(pl, "capacity at SLO", plotter.XYs{{X: c.ConcurrencyAtSLO, Y: c.CapacityAtSLO}}, colP99, draw.RingGlyph{}, 6); err != nil {
			return nil, err
		}
	}
	pl.X.Min, pl.X.Max = 0, xMax
	pl.Y.Min, pl.Y.Max = 0, maxX*1.25
	svg, err := renderSVG(chartWidth, chartHeight, pl)
	if err != nil {
		return nil, err
	}
	return &chart{
		Kind:  chartUSL,
		Title: "Capacity model",
		Caption: fmt.Sprintf("X(N) = λN / (1 + σ(N−1) + κN(N−1)) with σ %s, κ %s, λ %s, fitted to the steps' measured throughput. %s.",
			sig4(c.Sigma), sig4(c.Kappa), sig4(c.Lambda), strings.TrimSuffix(c.Statement, ".")),
		SVG: svg,
	}, nil
}

// slug reduces a profile name to letters, digits and dashes, for ids.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "profile"
	}
	return b.String()
}

// percentileAxes ends a percentile chart's x axis (1/(1−p) up to maxX) on
// a whole decade, so on a labelled percentile, and starts its latency axis
// at 0: a linear axis, as HdrHistogram's plots have, where the tail's
// height is the point.
func percentileAxes(pl *plot.Plot, maxX float64) {
	pl.X.Max = math.Max(10, math.Pow(10, math.Ceil(math.Log10(maxX))))
	pl.Y.Min = 0
	headroom(pl, 0.2)
}

// slugs are the slugs given out on one page.
type slugs map[string]bool

// unique is name's slug, numbered from 2 when the page already has it (two
// profiles whose names differ only in punctuation or case).
func (used slugs) unique(name string) string {
	key := slug(name)
	for n := 2; used[key]; n++ {
		key = fmt.Sprintf("%s-%d", slug(name), n)
	}
	used[key] = true
	return key
}

// profileCharts draws every chart that applies to p, in page order, with
// ids "<kind>-<key>". A stress profile's answer (its breaking point and
// capacity model) comes first. A chart that cannot be drawn is reported in
// problems instead of failing the report.
func profileCharts(p *result.Profile, key string) (charts []*chart, problems []string) {
	order := []func(*result.Profile) (*chart, error){latencyChart, requestsChart, hdrChart, errorsChart, stressChart, uslChart}
	if p.Verdict != nil && p.Verdict.Stress != nil {
		order = []func(*result.Profile) (*chart, error){stressChart, uslChart, latencyChart, requestsChart, hdrChart, errorsChart}
	}
	for _, draw := range order {
		c, err := draw(p)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if c != nil {
			c.ID = c.Kind + "-" + key
			charts = append(charts, c)
		}
	}
	return withResourceCharts(charts, p, key, problems)
}
