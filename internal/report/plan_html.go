package report

import (
	"errors"
	"html/template"
	"image/color"
	"io"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/loadplan/loadplan/internal/plan"
)

// chartPlan is the kind, and the id, of the plan page's chart.
const chartPlan = "plan-chart"

// planPalette colours the resources' capacity lines, in the order of
// Plan.Resources; the demand is drawn in black.
var planPalette = []color.Color{colP50, colAchieved, colService, colP95, colOffered}

// PlanHTML writes a dated resource plan as one self-contained HTML page
// (plan.html): the headline, a chart of the projected peak demand against
// the capacity in place month by month, the actions and the risks. Like
// the run report it has no script and loads nothing from the network; the
// chart is inline SVG drawn by gonum/plot with the run report's helpers.
func PlanHTML(w io.Writer, p *plan.Plan) error {
	title := "Capacity plan"
	if p.Scenario != "" {
		title += ": " + p.Scenario
	}
	v := planHTMLView{Title: title, P: p, Runway: planRunwayLine(p)}
	ch, err := planChart(p)
	switch {
	case err != nil:
		v.Problem = err.Error()
	case ch != nil:
		v.Chart = ch
	}
	for _, a := range p.Actions {
		v.Actions = append(v.Actions, planActionRow{
			Needed: a.Need.String(), OrderBy: a.OrderBy.String(), LeadTime: a.LeadTime + planOrderBand(a, p.Runway.SearchEnd), Urgent: a.Urgent,
			Text: a.Text, Cost: "+" + p.Money(a.CostChange) + "/month", Owner: planOwnerHTML(a.Owner),
		})
	}
	for _, r := range p.Resources {
		row := planSizingRow{Name: r.Name, On: planSizedOn(r.SizedBy), Target: r.Sizing}
		if r.Latency != nil {
			row.Note = r.Latency.Note
		}
		v.Sizing = append(v.Sizing, row)
	}
	return planPage.Execute(w, v)
}

// planSizedOn is ResourcePlan.SizedBy in words.
func planSizedOn(s string) string {
	switch s {
	case plan.SizedByHeadroom:
		return "peak utilisation"
	case "mean_wait":
		return "mean wait before service (not the response time)"
	case "wait":
		return "wait before service (not the response time)"
	case "response":
		return "response time (wait + service)"
	}
	return s
}

type planSizingRow struct {
	Name, On, Target, Note string
}

type planHTMLView struct {
	Title   string
	P       *plan.Plan
	Runway  string
	Chart   *chart
	Problem string
	Actions []planActionRow
	Sizing  []planSizingRow
}

type planActionRow struct {
	Needed, OrderBy, LeadTime, Text, Cost, Owner string
	Urgent                                       bool
}

func planOwnerHTML(o string) string {
	if o == "" {
		return "—"
	}
	return o
}

func planRunwayLine(p *plan.Plan) string {
	line := "With no action: " + p.RunwayLine(func(s string) string { return s }) + " " + planBandLine(p)
	if w := p.WhatIfText(); w != "" {
		line += " " + w
	}
	return line
}

// planX places a date on the chart's x axis: months since the first day
// of the as-of month, the day as a share of its month.
func planX(origin, d plan.Date) float64 {
	oy, om, _ := origin.Date()
	y, m, day := d.Date()
	days := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return float64((y-oy)*12+int(m)-int(om)) + float64(day-1)/float64(days)
}

// planChart draws the projected monthly peak demand (seasons and steps
// included) against the capacity in place after each month's actions of
// every requests-driven resource, at 100% and at its headroom target, with
// today and the runway marked.
func planChart(p *plan.Plan) (*chart, error) {
	n := len(p.Months)
	if n == 0 {
		return nil, nil
	}
	origin := p.AsOf.MonthStart()
	// Month i spans [start_i, i+1): the first month starts today.
	starts := make([]float64, n)
	for i, m := range p.Months {
		starts[i] = planX(origin, m.Start)
	}

	pl := newPlot("Projected peak demand and capacity in place", "", "req/s")
	pl.Y.Min = 0
	pl.X.Min, pl.X.Max = 0, float64(n)
	planMonthTicks(pl, p)

	drawn, targets, errs := planCapacityLines(pl, p, starts)
	if targets {
		pl.Legend.Add("at the headroom target", rule{LineStyle: dashed(colOffered)})
	}
	seasonal, err := planDemandLines(pl, p, starts)
	if err := errors.Join(append(errs, err)...); err != nil {
		return nil, err
	}

	pl.Add(rule{Vertical: true, At: planX(origin, p.AsOf), Label: "today " + p.AsOf.String(), LineStyle: draw.LineStyle{Color: colOffered, Width: vg.Points(1)}})
	runway := planRunwayRule(pl, p, origin)
	// The legend at the top right, away from today and (mostly) the
	// runway, below the rules' labels; the data below the legend.
	pl.Legend.Left = false
	pl.Legend.XOffs, pl.Legend.YOffs = vg.Points(-6), vg.Points(-14)
	entries := len(drawn) + 1
	if targets {
		entries++
	}
	if seasonal {
		entries++
	}
	headroom(pl, math.Min(0.5, 0.06+0.045*float64(entries)))
	svg, err := renderSVG(chartWidth, chartHeight*1.4, pl)
	if err != nil {
		return nil, err
	}
	caption := "The black line is the projected peak of each month"
	if seasonal {
		caption += " with its seasonal factor and steps (the dotted grey line is the trend without them)"
	}
	caption += ". Each step line is the capacity in place after the month's actions"
	if len(drawn) > 0 {
		caption += " (" + strings.Join(drawn, ", ") + ")"
	}
	caption += ", solid at 100% and dashed at its headroom target. The grey rule is today. " + runway
	return &chart{Kind: chartPlan, ID: chartPlan, Title: "Demand and capacity, month by month", Caption: caption, SVG: svg}, nil
}

// planMonthTicks puts a tick at the start of every month on the plan
// chart's x axis, with at most seven of them labelled.
func planMonthTicks(pl *plot.Plot, p *plan.Plan) {
	every := (len(p.Months) + 6) / 7 // at most seven labels
	var ticks []plot.Tick
	for i, m := range p.Months {
		t := plot.Tick{Value: float64(i)}
		if i%every == 0 {
			t.Label = m.Month
		}
		ticks = append(ticks, t)
	}
	pl.X.Tick.Marker = plot.ConstantTicks(ticks)
}

// planCapacityLines draws, for every measured or requests-driven resource,
// the capacity in place after each month's actions as a step line at 100%
// and (dashed) at its headroom target. It returns the names drawn, with
// their targets, whether any target line was drawn, and the drawing errors.
func planCapacityLines(pl *plot.Plot, p *plan.Plan, starts []float64) (drawn []string, targets bool, errs []error) {
	k := 0
	for j, r := range p.Resources {
		if !r.Measured && r.Driver != plan.DriverRequests {
			continue
		}
		col := planPalette[k%len(planPalette)]
		k++
		var full, target plotter.XYs
		for i, m := range p.Months {
			c := math.NaN()
			if j < len(m.Resources) {
				mr := m.Resources[j]
				switch {
				case mr.Utilisation > 0:
					c = mr.Demand / mr.Utilisation
				case mr.InPlace == r.UnitsNow:
					c = r.CapacityNow
				}
			}
			full = append(full, plotter.XY{X: starts[i], Y: c}, plotter.XY{X: float64(i + 1), Y: c})
			target = append(target, plotter.XY{X: starts[i], Y: c * r.Headroom}, plotter.XY{X: float64(i + 1), Y: c * r.Headroom})
		}
		errs = append(errs, line(pl, r.Name+" capacity (100%)", full, col, 1.4))
		name := r.Name
		if r.Headroom > 0 {
			errs = append(errs, line(pl, "", target, col, 1, vg.Points(4), vg.Points(3)))
			name += " " + plan.FormatPercent(r.Headroom)
			targets = true
		}
		drawn = append(drawn, name)
	}
	return drawn, targets, errs
}

// planDemandLines draws each month's projected peak demand at the middle
// of the month and, when any month has a seasonal factor or a step, the
// trend without them. It says whether the trend was drawn.
func planDemandLines(pl *plot.Plot, p *plan.Plan, starts []float64) (seasonal bool, err error) {
	var peak, trend plotter.XYs
	for i, m := range p.Months {
		x := (starts[i] + float64(i+1)) / 2
		peak = append(peak, plotter.XY{X: x, Y: m.PeakRPS})
		trend = append(trend, plotter.XY{X: x, Y: m.Trend})
		seasonal = seasonal || m.Season != 1 || m.Step != 1
	}
	var errs []error
	if seasonal {
		errs = append(errs, line(pl, "trend (no seasons, steps)", trend, colGuide, 1, vg.Points(2), vg.Points(2)))
	}
	black := rgb(0x20, 0x21, 0x24)
	errs = append(errs, line(pl, "projected peak demand", peak, black, 1.6),
		points(pl, "", peak, black, draw.CircleGlyph{}, 1.8))
	return seasonal, errors.Join(errs...)
}

// planRunwayRule marks the runway on the plan chart, when there is one, and
// returns the caption's sentence about it.
func planRunwayRule(pl *plot.Plot, p *plan.Plan, origin plan.Date) string {
	runway := "The capacity in place lasts beyond " + p.Runway.SearchEnd.String() + ", past the chart."
	if d := p.Runway.Date; d != nil {
		at := planX(origin, *d)
		pl.Add(rule{Vertical: true, At: at, Label: "runway " + d.String(), LineStyle: dashed(colBreak)})
		runway = "The red dashed rule is the runway: the day the projected demand first exceeds the capacity in place today of " + p.Runway.Resource + ", on " + d.String() + "."
		if at > float64(len(p.Months)) {
			runway = "The runway, " + d.String() + " (" + p.Runway.Resource + "), is past the chart."
		}
	}
	return runway
}

var planPage = template.Must(template.New("plan").Parse(planTemplate))

// planTemplate is the page; its style is pageCSS (style.go), shared by all pages.
const planTemplate = pageTop + `<meta name="generator" content="loadplan">
<title>{{.Title}}, as of {{.P.AsOf}}</title>
` + pageCSS + `</head>
<body>
<header>
<h1>{{.Title}}, as of {{.P.AsOf}}</h1>
{{with .P.Result}}<p class="meta">from {{.}}{{with $.P.Config}} and {{.}}{{end}}</p>{{end}}
<p class="headline">{{.P.Summary}}</p>
<p class="runway" id="runway">{{.Runway}}</p>
</header>

<section id="chart">
{{with .Problem}}<p class="warn">chart not drawn: {{.}}</p>{{end}}
{{with .Chart}}<figure class="chart" id="{{.ID}}">
{{.SVG}}
<figcaption><b>{{.Title}}.</b> {{.Caption}}</figcaption>
</figure>{{end}}
</section>

<section id="sizing">
<h2>Sizing</h2>
<table>
<tr><th>resource</th><th>sized on</th><th>target</th></tr>
{{range .Sizing}}<tr><td>{{.Name}}</td><td>{{.On}}</td><td>{{.Target}}</td></tr>
{{end}}</table>
{{range .Sizing}}{{with .Note}}<p class="note">{{.}}</p>
{{end}}{{end}}</section>

<section id="actions">
<h2>Actions</h2>
{{if .Actions}}<p class="note">A unit is needed from the first day of the month whose projected peak first exceeds the target (today, for the current month); order it a lead time before. Red rows are to order now.</p>
<table>
<tr><th>timeline</th><th>action</th><th class="n">cost</th><th>owner</th></tr>
{{range .Actions}}<tr{{if .Urgent}} class="urgent"{{end}}><td>needed {{.Needed}}, order by {{if .Urgent}}<b>{{.OrderBy}}: now</b>{{else}}{{.OrderBy}}{{end}} ({{.LeadTime}} lead time)</td><td>{{.Text}}</td><td class="n">{{.Cost}}</td><td>{{.Owner}}</td></tr>
{{end}}</table>{{else}}<p>None: the units in place carry the projected peak through the horizon.</p>{{end}}
</section>

<section id="risks">
<h2>Risks</h2>
{{if .P.Risks}}<ul>
{{range .P.Risks}}<li><span class="sev {{.Severity}}">{{.Severity}}</span>: {{.Text}}</li>
{{end}}</ul>{{else}}<p>None found.</p>{{end}}
</section>

<footer>Written by loadplan plan; plan.md holds every figure. Self-contained: no scripts, nothing loaded from the network; chart drawn with gonum/plot.</footer>
</body>
</html>
`
