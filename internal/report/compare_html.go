package report

import (
	"fmt"
	"html/template"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/units"
)

// chartCompare is the kind of the comparison's chart.
const chartCompare = "compare"

// CompareHTML writes an old-versus-new comparison as one self-contained
// HTML page (compare.html): the verdict, then per profile the old and new
// latency distributions overlaid and the table of metrics. Like the run
// report it has no script and loads nothing from the network; the chart
// is inline SVG drawn by gonum/plot with the run report's chart helpers.
func CompareHTML(w io.Writer, c *compare.Comparison) error {
	v := cmpHTMLView{
		Title:   "loadplan compare: " + cmpTitle(c),
		C:       c,
		Old:     cmpSource(c.Old, false),
		New:     cmpSource(c.New, false),
		Method:  cmpMethod(c.Settings),
		Gate:    cmpShare(c.Settings.MaxRegression),
		Verdict: cmpVerdictLine(c),
	}
	used := slugs{}
	for i := range c.Profiles {
		p := &c.Profiles[i]
		key := used.unique(p.Name)
		pv := cmpProfileView{P: p, Anchor: "profile-" + key, Scope: cmpScope(p), Rows: cmpRows(p, c.Settings)}
		for j := range p.Requests {
			q := &p.Requests[j]
			pv.Requests = append(pv.Requests, cmpRequestView{P: q, Share: units.Pct(q.Share), Scope: cmpScope(q), Rows: cmpRows(q, c.Settings)})
		}
		ch, err := compareChart(p)
		switch {
		case err != nil:
			pv.Problem = err.Error()
		case ch != nil:
			ch.ID = ch.Kind + "-" + key
			pv.Chart = ch
		}
		v.Profiles = append(v.Profiles, pv)
	}
	return cmpPage.Execute(w, v)
}

type cmpHTMLView struct {
	Title, Old, New, Method, Gate, Verdict string
	C                                      *compare.Comparison
	Profiles                               []cmpProfileView
}

type cmpProfileView struct {
	P       *compare.Profile
	Anchor  string
	Scope   string
	Rows    []cmpRow
	Chart   *chart
	Problem string
	// Requests are the profile's requests compared one by one.
	Requests []cmpRequestView
}

// cmpRequestView is one request's comparison within a profile.
type cmpRequestView struct {
	P            *compare.Profile
	Share, Scope string
	Rows         []cmpRow
}

// compareChart overlays the old and the new latency distributions of the
// compared windows on HdrHistogram's percentile axis (1/(1 − p), log), as
// the run report's "Latency by percentile" chart draws one run.
func compareChart(p *compare.Profile) (*chart, error) {
	if len(p.Distribution) < 2 {
		return nil, nil
	}
	pl := newPlot("Latency by percentile, old vs new", "percentile", "ms")
	pl.X.Scale = plot.LogScale{}
	pl.X.Tick.Marker = percentileTicks
	pl.X.Min = 1
	var olds, news plotter.XYs
	x := 1.0
	for _, q := range p.Distribution {
		if q.Percentile < 100 {
			x = 1 / (1 - q.Percentile/100)
		} else {
			x *= math.Pow(10, 1.0/20) // the maximum, one step beyond the last percentile
		}
		olds = append(olds, plotter.XY{X: x, Y: float64(q.Old)})
		news = append(news, plotter.XY{X: x, Y: float64(q.New)})
	}
	if err := line(pl, "old", olds, colOffered, 1.4, vg.Points(5), vg.Points(3)); err != nil {
		return nil, err
	}
	if err := line(pl, "new", news, colP50, 1.4); err != nil {
		return nil, err
	}
	percentileAxes(pl, x)
	svg, err := renderSVG(chartWidth, chartHeight, pl)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.Name, err)
	}
	return &chart{
		Kind:  chartCompare,
		Title: "Latency by percentile, old vs new",
		Caption: fmt.Sprintf("Successful requests in the compared windows (%d seconds old, %d new), from their merged HDR histograms. "+
			"The x axis is 1/(1−p) on a log scale, so each decade is one more nine; the last point is the maximum.", p.OldWindows, p.NewWindows),
		SVG: svg,
	}, nil
}

var cmpPage = template.Must(template.New("compare").Parse(cmpTemplate))

// cmpTemplate is the page; its style is pageCSS (style.go), shared by all pages.
const cmpTemplate = pageTop + `<meta name="generator" content="loadplan">
<title>{{.Title}}</title>
` + pageCSS + `</head>
<body>
<header>
<h1>{{.Title}} {{if .C.Pass}}<span class="badge pass">PASS</span>{{else}}<span class="badge fail">FAIL</span>{{end}}</h1>
<p class="meta"><b>old</b>: {{.Old}}</p>
<p class="meta"><b>new</b>: {{.New}}</p>
<p class="meta">method: {{.Method}}.</p>
<p class="meta">gate: p95, p99, error rate, throughput and capacity at SLO significantly worse by more than <b>{{.Gate}}</b> fail.</p>
</header>
<section id="verdict">
<h2>Verdict: {{.Verdict}}</h2>
{{range .C.Warnings}}<p class="warn">warning: {{.}}</p>
{{end}}{{with .C.OnlyInOld}}<p class="note">Only in the old run, not compared: {{range $i, $n := .}}{{if $i}}, {{end}}{{$n}}{{end}}.</p>{{end}}
{{with .C.OnlyInNew}}<p class="note">Only in the new run, not compared: {{range $i, $n := .}}{{if $i}}, {{end}}{{$n}}{{end}}.</p>{{end}}
<nav>Profiles: {{range .Profiles}}<a href="#{{.Anchor}}">{{.P.Name}}</a>{{end}}</nav>
</section>
{{range .Profiles}}
<section class="profile" id="{{.Anchor}}">
<h2>{{.P.Name}} {{if .P.Pass}}<span class="badge pass">pass</span>{{else}}<span class="badge fail">FAIL</span>{{end}}</h2>
<p>{{.Scope}}</p>
{{range .P.Warnings}}<p class="warn">warning: {{.}}</p>
{{end}}{{with .Problem}}<p class="warn">chart not drawn: {{.}}</p>{{end}}
<table>
<tr><th>metric</th><th class="n">old</th><th class="n">new</th><th class="n">change</th><th class="n">change %</th><th class="n">p (Holm)</th><th>test</th><th>verdict</th></tr>
{{range .Rows}}<tr{{if .Worse}} class="worse"{{else if .Better}} class="better"{{end}}><td>{{.Metric}}</td><td class="n">{{.Old}}</td><td class="n">{{.New}}</td><td class="n">{{.Change}}</td><td class="n">{{.Relative}}</td><td class="n">{{.P}}</td><td>{{.Test}}</td><td>{{if .Regression}}<b>{{.Verdict}} — regression</b>{{else if .Worse}}<b>{{.Verdict}}</b>{{else}}{{.Verdict}}{{end}}{{with .Note}} <span class="note">— {{.}}</span>{{end}}</td></tr>
{{end}}</table>
{{range .P.Notes}}<p class="note">{{.}}</p>
{{end}}{{with .Chart}}<figure class="chart" id="{{.ID}}">
{{.SVG}}
<figcaption><b>{{.Title}}.</b> {{.Caption}}</figcaption>
</figure>{{end}}
{{range .Requests}}<h3>request {{.P.Request}} ({{.Share}} of the traffic) {{if .P.Pass}}<span class="badge pass">pass</span>{{else}}<span class="badge fail">FAIL</span>{{end}}</h3>
<p>{{.Scope}}</p>
{{range .P.Warnings}}<p class="warn">warning: {{.}}</p>
{{end}}<table>
<tr><th>metric</th><th class="n">old</th><th class="n">new</th><th class="n">change</th><th class="n">change %</th><th class="n">p (Holm)</th><th>test</th><th>verdict</th></tr>
{{range .Rows}}<tr{{if .Worse}} class="worse"{{else if .Better}} class="better"{{end}}><td>{{.Metric}}</td><td class="n">{{.Old}}</td><td class="n">{{.New}}</td><td class="n">{{.Change}}</td><td class="n">{{.Relative}}</td><td class="n">{{.P}}</td><td>{{.Test}}</td><td>{{if .Regression}}<b>{{.Verdict}} — regression</b>{{else if .Worse}}<b>{{.Verdict}}</b>{{else}}{{.Verdict}}{{end}}{{with .Note}} <span class="note">— {{.}}</span>{{end}}</td></tr>
{{end}}</table>
{{range .P.Notes}}<p class="note">{{.}}</p>
{{end}}{{end}}
</section>
{{end}}
<footer>Written by loadplan compare as a <code>{{.C.Schema}}</code> document. Self-contained: no scripts, nothing loaded from the network; chart drawn with gonum/plot.</footer>
</body>
</html>
`
