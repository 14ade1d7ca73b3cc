package report

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// HTML writes the run as one self-contained HTML page (report.html): the
// verdicts and gates, then per profile its figures, tables and charts.
// Nothing in it loads from the network: the CSS is inline and the charts
// are inline SVG drawn by gonum/plot; there is no script.
func HTML(w io.Writer, r *result.Result) error {
	return htmlPage.Execute(w, newHTMLView(r))
}

// htmlView is what the page template reads: the result, with everything
// that needs computing or formatting done beforehand.
type htmlView struct {
	Title    string
	R        *result.Result
	Pass     bool
	Duration string
	SLO      string
	Verdicts []verdictRow
	Checks   []checkRow
	// SteadyNote says what a check counted "steady" counts; empty when
	// none is.
	SteadyNote string
	Gates      []checkRow
	Profiles   []profileView
}

type verdictRow struct {
	Profile, Anchor string
	Judged, Pass    bool
	Answer          string
}

type checkRow struct {
	Profile, Name, Stage, Measured, Limit, Detail string
	Pass                                          bool
}

type profileView struct {
	P         *result.Profile
	Anchor    string
	Summary   string
	Charts    []*chart
	Problems  []string
	Stages    []stageRow
	Steps     []stepRow
	Spike     string
	Errors    *errorTable
	Requests  []result.RequestStats
	Generator string
	// Bottleneck is the utilisation-law reading (bottleneck.go).
	Bottleneck *bottleneckView
}

type stageRow struct {
	Index                                                          int
	Offered, Started, Completed, Requests, Errors                  string
	P50, P90, P95, P99, P999, Max, ServiceP50, ServiceP99, Elapsed string
}

type stepRow struct {
	Index                                                      int
	Offered, Throughput, Concurrency, P50, P95, P99, ErrorRate string
	Verdict                                                    string
	Broken, Held, Capacity                                     bool
}

// errorTable is the failed requests by class (and by HTTP status) and
// stage: the windows count errors per second but not their classes.
type errorTable struct {
	Stages                 []int // 1-based stage numbers, the columns
	Rows                   []errorRow
	LatencyP50, LatencyP99 string // of the failed requests
}

type errorRow struct {
	Name   string
	Counts []int64 // per stage
	Total  int64
}

func newHTMLView(r *result.Result) *htmlView {
	v := &htmlView{
		Title:    "loadplan: " + r.Scenario.Name,
		R:        r,
		Pass:     r.Pass,
		Duration: r.Environment.End.Sub(r.Environment.Start).Round(1e8).String(),
		SLO:      sloText(r.Scenario.SLO),
	}
	used := slugs{}
	for i := range r.Profiles {
		p := &r.Profiles[i]
		key := used.unique(p.Name)
		row := verdictRow{Profile: p.Name, Anchor: "profile-" + key}
		if p.Verdict != nil {
			row.Judged, row.Pass, row.Answer = true, p.Verdict.Pass, p.Verdict.Answer
			for _, c := range p.Verdict.Checks {
				v.Checks = append(v.Checks, newCheckRow(p.Name, shownCheck(p, c)))
				if c.Counted != nil && c.Counted.SteadySeconds > 0 {
					v.SteadyNote = steadyNote
				}
			}
		}
		v.Verdicts = append(v.Verdicts, row)
		v.Profiles = append(v.Profiles, newProfileView(p, key))
	}
	for _, g := range r.Gates {
		c := newCheckRow(g.Profile, g.Check)
		c.Name = g.Gate
		v.Gates = append(v.Gates, c)
	}
	return v
}

func newCheckRow(profile string, c result.Check) checkRow {
	return checkRow{Profile: profile, Name: c.Name, Stage: checkStage(c), Measured: measured(c),
		Limit: limitText(c), Detail: c.Detail, Pass: c.Pass}
}

func newProfileView(p *result.Profile, key string) profileView {
	t := p.Total
	pv := profileView{
		P:      p,
		Anchor: "profile-" + key,
		Summary: fmt.Sprintf("%d requests in %s: %s, %d errors (%s); response p50 %s, p95 %s, p99 %s, max %s.",
			t.Requests, secs(t.Elapsed), rates(t), t.Errors, pct(t.ErrorRate), lms(t.Response, t.Response.P50), lms(t.Response, t.Response.P95), lms(t.Response, t.Response.P99), lms(t.Response, t.Response.Max)),
	}
	pv.Charts, pv.Problems = profileCharts(p, key)
	spans := result.Spans(p)
	for i, s := range p.Stages {
		r, c := s.Response, s.Service
		pv.Stages = append(pv.Stages, stageRow{
			Index: s.Index + 1, Offered: offered(p, s.Offered),
			Started: fmt.Sprintf("%.1f/s", startRate(s.Stats)), Completed: fmt.Sprintf("%.1f/s", s.Throughput),
			Requests: fmt.Sprint(s.Requests), Errors: pct(s.ErrorRate), Elapsed: secs(s.Elapsed),
			P50: lms(r, r.P50), P90: lms(r, r.P90), P95: lms(r, r.P95), P99: lms(r, r.P99),
			P999: lms(r, r.P999), Max: lms(r, r.Max), ServiceP50: lms(c, c.P50), ServiceP99: lms(c, c.P99),
		})
		if result.NotRun(s, spans[i]) {
			row := &pv.Stages[len(pv.Stages)-1]
			row.Started, row.Completed, row.Errors = "not run", "—", "—"
			row.P50, row.P90, row.P95, row.P99, row.P999, row.Max, row.ServiceP50, row.ServiceP99 = "—", "—", "—", "—", "—", "—", "—", "—"
		}
	}
	if p.Verdict != nil && p.Verdict.Stress != nil {
		s := p.Verdict.Stress
		for _, st := range s.Steps {
			f := stepCells(st)
			row := stepRow{Index: st.Index + 1, Offered: sig4(st.Offered) + " " + st.Unit,
				Throughput: f.throughput, Concurrency: f.concurrency,
				P50: f.p50, P95: f.p95, P99: f.p99, ErrorRate: f.errors,
				Capacity: s.CapacityStep != nil && *s.CapacityStep == st.Index,
				Broken:   st.Complete && st.Broken, Verdict: stepVerdict(st)}
			pv.Steps = append(pv.Steps, row)
		}
	}
	if p.Verdict != nil && p.Verdict.Spike != nil {
		var b strings.Builder
		spikeBlock(&b, p.Verdict)
		pv.Spike = strings.ReplaceAll(strings.TrimSpace(b.String()), "**", "")
	}
	pv.Bottleneck = newBottleneckView(p.Bottleneck)
	pv.Errors = newErrorTable(p)
	if len(t.PerRequest) > 1 {
		pv.Requests = t.PerRequest
	}
	g := p.Generator
	pv.Generator = fmt.Sprintf("%d sent (%.1f%% of the schedule), %d dropped (at the in-flight cap, or not made by the profile's end plus 10%%), at most %d in flight, start lateness p99 %s (max %s)%s, %.2f CPU s, peak memory %.0f MiB.",
		g.Started, g.StartRatio*100, g.Dropped, g.MaxInFlight, ms(g.LatenessP99), ms(g.LatenessMax), earlyText(g)+preDialText(g)+reuseText(g), g.CPUSeconds, float64(g.PeakRSS)/(1<<20))
	if w := wakeDelayText(g); w != "" {
		pv.Generator += " Wake-up delays: " + w + "."
	}
	return pv
}

func newErrorTable(p *result.Profile) *errorTable {
	if p.Total.Errors == 0 {
		return nil
	}
	el := p.Total.ErrorLatency
	t := &errorTable{LatencyP50: lms(el, el.P50), LatencyP99: lms(el, el.P99)}
	for _, s := range p.Stages {
		t.Stages = append(t.Stages, s.Index+1)
	}
	add := func(name string, get func(s *result.Stats) int64) {
		row := errorRow{Name: name}
		for i := range p.Stages {
			n := get(&p.Stages[i].Stats)
			row.Counts = append(row.Counts, n)
			row.Total += n
		}
		if row.Total == 0 {
			// Stages may be empty in a hand-made result: the total still counts.
			row.Total = get(&p.Total)
		}
		t.Rows = append(t.Rows, row)
	}
	for _, c := range sortedKeys(p.Total.ErrorClasses) {
		add(c, func(s *result.Stats) int64 { return s.ErrorClasses[c] })
	}
	for _, c := range sortedKeys(p.Total.Statuses) {
		add("HTTP "+c, func(s *result.Stats) int64 { return s.Statuses[c] })
	}
	add("all errors", func(s *result.Stats) int64 { return s.Errors })
	return t
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms":  ms,
	"lms": lms,
	"pct": pct,
	"time": func(t interface{ Format(string) string }) string {
		return t.Format("2006-01-02 15:04:05Z07:00")
	},
}).Parse(htmlTemplate))

// htmlTemplate is the page; its style is pageCSS (style.go), shared by all pages.
const htmlTemplate = pageTop + `<meta name="generator" content="loadplan {{.R.Environment.LoadplanVersion}}">
<title>{{.Title}}</title>
` + pageCSS + `</head>
<body>
<header>
<h1>{{.Title}} {{if .Pass}}<span class="badge pass">PASS</span>{{else}}<span class="badge fail">FAIL</span>{{end}}</h1>
<p class="meta">status <b>{{.R.Status}}</b> · target <b>{{.R.Scenario.Target}}</b>{{with .R.Scenario.File}} · scenario {{.}}{{end}}</p>
<p class="meta">started {{time .R.Environment.Start}}, ended {{time .R.Environment.End}} ({{.Duration}}) · loadplan {{.R.Environment.LoadplanVersion}}, {{.R.Environment.GoVersion}}, {{.R.Environment.OS}}/{{.R.Environment.Arch}}, {{.R.Environment.CPUs}} CPUs{{with .R.Environment.Hostname}} on {{.}}{{end}}</p>
{{with .SLO}}<p class="meta">SLO: <b>{{.}}</b></p>{{end}}
{{with .R.Segments}}<p class="meta">merged from {{len .}} segments</p>{{end}}
{{range .R.Warnings}}<p class="warn">warning: {{.}}</p>
{{end}}{{with .R.Abort}}<p class="bad"><b>Aborted</b> during {{.Profile}} at {{time .At}}: {{.Condition}} — {{.Detail}}</p>{{end}}
</header>

<section id="verdict">
<h2>Verdict: {{if .Pass}}PASS{{else}}FAIL{{end}}</h2>
{{if .Verdicts}}<table>
<tr><th>profile</th><th>verdict</th><th>answer</th></tr>
{{range .Verdicts}}<tr><td><a href="#{{.Anchor}}">{{.Profile}}</a></td><td>{{if not .Judged}}<span class="badge none">not judged</span>{{else if .Pass}}<span class="badge pass">pass</span>{{else}}<span class="badge fail">FAIL</span>{{end}}</td><td>{{.Answer}}</td></tr>
{{end}}</table>{{else}}<p>No profile ran.</p>{{end}}
{{if .Checks}}<h3>Checks</h3>
<table>
<tr><th>profile</th><th>check</th><th class="n">stage: counted</th><th class="n">measured</th><th class="n">limit</th><th>result</th></tr>
{{range .Checks}}<tr><td>{{.Profile}}</td><td>{{.Name}}</td><td class="n">{{.Stage}}</td><td class="n">{{.Measured}}</td><td class="n">{{.Limit}}</td><td>{{if .Pass}}pass{{else}}<b>FAIL</b>{{end}}{{with .Detail}} — {{.}}{{end}}</td></tr>
{{end}}</table>{{with .SteadyNote}}<p class="note">{{.}}</p>{{end}}{{end}}
{{if .Gates}}<h3>Gates</h3>
<table>
<tr><th>gate</th><th>profile</th><th class="n">stage</th><th class="n">measured</th><th class="n">limit</th><th>result</th></tr>
{{range .Gates}}<tr><td>{{.Name}}</td><td>{{.Profile}}</td><td class="n">{{.Stage}}</td><td class="n">{{.Measured}}</td><td class="n">{{.Limit}}</td><td>{{if .Pass}}pass{{else}}<b>FAIL</b>{{end}}{{with .Detail}} — {{.}}{{end}}</td></tr>
{{end}}</table>{{end}}
{{if .Profiles}}<nav>Profiles: {{range .Profiles}}<a href="#{{.Anchor}}">{{.P.Name}}</a>{{end}}</nav>{{end}}
</section>
{{range .Profiles}}
<section class="profile" id="{{.Anchor}}">
<h2>{{.P.Name}} <span class="note">({{.P.Model}} model{{if ne .P.Status "complete"}}, {{.P.Status}}{{end}})</span></h2>
<p>{{.Summary}}</p>
{{with .P.Verdict}}<p class="answer">{{if .Pass}}<span class="badge pass">pass</span>{{else}}<span class="badge fail">FAIL</span>{{end}} {{.Answer}}</p>{{end}}
{{if .P.Generator.Invalid}}<p class="bad"><b>Invalid measurement: the generator was the bottleneck</b> — these figures measure loadplan, not the target: {{range $i, $r := .P.Generator.Reasons}}{{if $i}}; {{end}}{{$r}}{{end}}.</p>{{end}}
<p class="note">{{.P.LatencyNote}}.</p>
{{range .P.Notes}}<p class="warn">{{.}}.</p>
{{end}}{{range .Problems}}<p class="warn">chart not drawn: {{.}}</p>
{{end}}<div class="charts">
{{range .Charts}}<figure class="chart" id="{{.ID}}">
{{.SVG}}
<figcaption><b>{{.Title}}.</b> {{.Caption}}</figcaption>
</figure>
{{end}}</div>
<h3>Stages</h3>
<table>
<tr><th class="n">stage</th><th>offered</th><th class="n" title="requests started per second of the stage's scheduled length">started</th><th class="n" title="completions per second from the stage start to its end or its last completion, whichever is later">completed</th><th class="n">requests</th><th class="n">errors</th><th class="n">p50</th><th class="n">p90</th><th class="n">p95</th><th class="n">p99</th><th class="n">p99.9</th><th class="n">max</th><th class="n">service p50</th><th class="n">service p99</th></tr>
{{range .Stages}}<tr><td class="n">{{.Index}}</td><td>{{.Offered}}</td><td class="n">{{.Started}}</td><td class="n">{{.Completed}}</td><td class="n">{{.Requests}}</td><td class="n">{{.Errors}}</td><td class="n">{{.P50}}</td><td class="n">{{.P90}}</td><td class="n">{{.P95}}</td><td class="n">{{.P99}}</td><td class="n">{{.P999}}</td><td class="n">{{.Max}}</td><td class="n">{{.ServiceP50}}</td><td class="n">{{.ServiceP99}}</td></tr>
{{end}}</table>
{{if .Steps}}<h3>Stress steps</h3>
<p class="note">Judged over their steady part; the highlighted row is the capacity at SLO, red rows broke.</p>
<table>
<tr><th class="n">step</th><th class="n">offered</th><th class="n">throughput (ok/s)</th><th class="n">concurrency</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th><th class="n">errors</th><th>verdict</th></tr>
{{range .Steps}}<tr{{if .Broken}} class="broken"{{else if .Capacity}} class="capacity"{{end}}><td class="n">{{.Index}}</td><td class="n">{{.Offered}}</td><td class="n">{{.Throughput}}</td><td class="n">{{.Concurrency}}</td><td class="n">{{.P50}}</td><td class="n">{{.P95}}</td><td class="n">{{.P99}}</td><td class="n">{{.ErrorRate}}</td><td>{{.Verdict}}</td></tr>
{{end}}</table>{{end}}
{{with .P.Capacity}}{{if .Error}}<p class="note">No capacity model: {{.Error}}.</p>{{end}}{{end}}
{{with .Bottleneck}}<h3>Bottleneck (utilisation law)</h3>
{{if .Rows}}<table>
<tr><th>metric</th><th>resource</th><th class="n">demand D (U per req/s)</th><th class="n">ceiling 1/D</th><th>held steps</th><th>at capacity</th></tr>
{{range .Rows}}<tr{{if .Binds}} class="capacity"{{end}}><td>{{.Metric}}{{if .Binds}} (binds first){{end}}</td><td>{{.Resource}}</td><td class="n">{{.Demand}}</td><td class="n">{{.Ceiling}}</td><td>{{.Steps}}</td><td>{{.AtCapacity}}</td></tr>
{{end}}</table>{{end}}
<p class="note">{{.Note}}.</p>{{end}}
{{with .Spike}}<h3>Spike</h3>
<p>{{.}}</p>{{end}}
{{with .Errors}}<h3>Errors by class</h3>
<table>
<tr><th>class</th>{{range .Stages}}<th class="n">stage {{.}}</th>{{end}}<th class="n">total</th></tr>
{{range .Rows}}<tr><td>{{.Name}}</td>{{range .Counts}}<td class="n">{{.}}</td>{{end}}<td class="n">{{.Total}}</td></tr>
{{end}}</table>
<p class="note">Failed requests' response time: p50 {{.LatencyP50}}, p99 {{.LatencyP99}}.</p>{{end}}
{{if .Requests}}<h3>Requests</h3>
<table>
<tr><th>request</th><th class="n">ok</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th><th class="n">max</th><th class="n">service p99</th></tr>
{{range .Requests}}<tr><td>{{.Name}}</td><td class="n">{{.Requests}}</td><td class="n">{{lms .Response .Response.P50}}</td><td class="n">{{lms .Response .Response.P95}}</td><td class="n">{{lms .Response .Response.P99}}</td><td class="n">{{lms .Response .Response.Max}}</td><td class="n">{{lms .Service .Service.P99}}</td></tr>
{{end}}</table>{{end}}
<p class="note">Generator: {{.Generator}}</p>
</section>
{{end}}
<footer>Written by loadplan from a <code>{{.R.Schema}}</code> result. Self-contained: no scripts, nothing loaded from the network; charts drawn with gonum/plot.</footer>
</body>
</html>
`
