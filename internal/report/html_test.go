package report

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
)

// htmlFixture is the summary's fixture (a baseline that passes, a stress
// profile that breaks at its third step, with errors there) with a
// capacity model on the stress profile and a gate.
func htmlFixture(t *testing.T) *result.Result {
	t.Helper()
	r := fixture(t)
	st := r.Profile("stress")
	st.Capacity = capacityCases()[0].c
	r.Gates = []result.GateCheck{{Gate: "p95<300ms over 30s", Profile: "baseline",
		Check: result.Check{Name: "p95", Measured: 24.1, Limit: 300, Op: "<", Unit: "ms", Pass: true}}}
	return r
}

// tag is one start tag of a page: its name and attributes.
type tag struct {
	name  string
	attrs map[string]string
}

var (
	tagRE  = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s=<>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?)*)\s*/?>`)
	attrRE = regexp.MustCompile(`([^\s=<>/"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'<>]+))?`)
	urlRE  = regexp.MustCompile(`(?i)url\(\s*['"]?([^'")\s]*)`)
)

// startTags tokenizes the start tags of a page. The page's text is
// escaped and its CSS has no '<', so every '<' that starts a tag name
// starts a tag.
func startTags(doc string) []tag {
	var tags []tag
	for _, m := range tagRE.FindAllStringSubmatch(doc, -1) {
		t := tag{name: strings.ToLower(m[1]), attrs: map[string]string{}}
		for _, a := range attrRE.FindAllStringSubmatch(m[2], -1) {
			t.attrs[strings.ToLower(a[1])] = strings.Trim(a[2], `"'`)
		}
		tags = append(tags, t)
	}
	return tags
}

// networkLoads lists everything in a page that would make a browser
// fetch something: elements that load or run other documents, URL
// attributes that are not in-page (#…) or data: URLs (http:, https:,
// protocol-relative //, relative paths), CSS imports, and CSS url()s to
// anything but data: or #.
func networkLoads(doc string) []string {
	var bad []string
	for _, t := range startTags(doc) {
		switch t.name {
		case "script", "link", "iframe", "frame", "object", "embed", "base", "portal", "applet", "audio", "video", "source", "track":
			bad = append(bad, "<"+t.name+">")
		case "meta":
			if strings.EqualFold(t.attrs["http-equiv"], "refresh") {
				bad = append(bad, "<meta http-equiv=refresh>")
			}
		}
		for _, a := range []string{"src", "href", "xlink:href", "srcset", "action", "formaction", "poster", "data", "background", "ping", "manifest", "longdesc", "cite", "codebase"} {
			v, ok := t.attrs[a]
			if !ok {
				continue
			}
			v = strings.TrimSpace(strings.ToLower(v))
			if !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "data:") {
				bad = append(bad, "<"+t.name+" "+a+"="+v+">")
			}
		}
	}
	if strings.Contains(strings.ToLower(doc), "@import") {
		bad = append(bad, "@import")
	}
	for _, m := range urlRE.FindAllStringSubmatch(doc, -1) {
		v := strings.ToLower(m[1])
		if !strings.HasPrefix(v, "data:") && !strings.HasPrefix(v, "#") {
			bad = append(bad, "url("+m[1]+")")
		}
	}
	return bad
}

// TestNetworkLoadsCatches proves the check below can fail: each snippet
// loads something and must be caught; the clean one must not be.
func TestNetworkLoadsCatches(t *testing.T) {
	loads := []string{
		`<script src="https://cdn.example/x.js"></script>`,
		`<script>fetch("x")</script>`,
		`<link rel="stylesheet" href="style.css">`,
		`<img src="//cdn.example/a.png">`,
		`<img src='http://example.com/a.png'>`,
		`<image xlink:href="https://example.com/a.png"/>`,
		`<a href="https://example.com">x</a>`,
		`<style>@import "x.css";</style>`,
		`<style>@font-face{src:url(https://fonts.example/f.woff)}</style>`,
		`<div style="background: url( '//x/y.png' )"></div>`,
		`<iframe srcdoc="x"></iframe>`,
		`<meta http-equiv="refresh" content="0; url=#">`,
	}
	for _, l := range loads {
		if got := networkLoads("<p>ok</p>" + l); len(got) == 0 {
			t.Errorf("%s: not caught", l)
		}
	}
	clean := `<a href="#profile-x">x</a><img src="data:image/png;base64,AA=="><style>@font-face{src:url(data:font/ttf;base64,AA==)}</style><p>http://127.0.0.1:8080 as text</p>`
	if got := networkLoads(clean); len(got) > 0 {
		t.Errorf("clean page flagged: %v", got)
	}
}

// figure is one chart figure of the page.
type figure struct {
	id    string
	svg   string
	texts []string // the SVG's text elements
	paths int      // the SVG's path elements
}

var figureRE = regexp.MustCompile(`(?s)<figure class="chart" id="([^"]+)">(.*?)</figure>`)

// figures finds the chart figures and parses each one's SVG as XML.
func figures(t *testing.T, doc string) map[string]*figure {
	t.Helper()
	out := map[string]*figure{}
	for _, m := range figureRE.FindAllStringSubmatch(doc, -1) {
		f := &figure{id: m[1]}
		if _, dup := out[f.id]; dup {
			t.Errorf("chart id %s appears twice", f.id)
		}
		out[f.id] = f
		i, j := strings.Index(m[2], "<svg"), strings.LastIndex(m[2], "</svg>")
		if i < 0 || j < i || strings.Count(m[2], "<svg") != 1 {
			t.Errorf("figure %s: want exactly one <svg> element", f.id)
			continue
		}
		f.svg = m[2][i : j+len("</svg>")]
		dec := xml.NewDecoder(strings.NewReader(f.svg))
		var inText bool
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("figure %s: the SVG is not well-formed XML: %v", f.id, err)
				break
			}
			switch tk := tok.(type) {
			case xml.StartElement:
				inText = tk.Name.Local == "text"
				if tk.Name.Local == "path" {
					f.paths++
				}
			case xml.CharData:
				if inText {
					f.texts = append(f.texts, string(tk))
				}
			case xml.EndElement:
				inText = false
			}
		}
	}
	return out
}

func (f *figure) hasText(s string) bool {
	for _, t := range f.texts {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

func TestHTMLChartsPerProfile(t *testing.T) {
	r := htmlFixture(t)
	doc := renderHTML(t, r)
	if bad := networkLoads(doc); len(bad) > 0 {
		t.Errorf("the page loads from outside itself: %v", bad)
	}
	if strings.Contains(doc, "chart not drawn") {
		t.Errorf("a chart failed to draw")
	}
	figs := figures(t, doc)

	// What each profile must have, and text each chart must show.
	want := map[string][]string{
		"latency-baseline": {"p50", "p95", "p99", "offered", "achieved", "seconds since the profile started"},
		"hdr-baseline":     {"response time", "service time", "0%", "90%", "99%", "percentile"},
		"latency-stress":   {"p50", "p99", "offered", "achieved"},
		"hdr-stress":       {"response time", "service time", "99.9%"},
		"errors-stress":    {"all classes", "errors/s"},
		"stress-stress":    {"throughput", "p95", "breaks at 300 req/s", "capacity at SLO", "offered load (req/s)"},
		"usl-stress":       {"USL fit", "measured steps", "peak at N = 21.77", "capacity at SLO", "concurrency"},
		// Two request names: a line each, named with its share.
		"requests-baseline": {"home (50%)", "search (50%)", "by request"},
		"requests-stress":   {"home (50%)", "search (50%)"},
	}
	for id, texts := range want {
		f, ok := figs[id]
		if !ok {
			t.Errorf("no chart %s (charts: %v)", id, keys(figs))
			continue
		}
		if f.paths < 5 {
			t.Errorf("chart %s has %d paths: nothing drawn?", id, f.paths)
		}
		for _, s := range texts {
			if !f.hasText(s) {
				t.Errorf("chart %s has no text %q (texts: %q)", id, s, f.texts)
			}
		}
		// The SVG names its font but carries no @font-face: nothing to fetch.
		if strings.Contains(f.svg, "@font-face") {
			t.Errorf("chart %s embeds a font", id)
		}
	}
	for id := range figs {
		if _, ok := want[id]; !ok {
			t.Errorf("unexpected chart %s (the baseline has no errors, no steps, no model)", id)
		}
	}

	// The verdict table, the checks, the gate, the per-class error table.
	for _, s := range []string{
		"<h2>Verdict: PASS</h2>", `href="#profile-stress"`, `id="profile-stress"`, `id="profile-baseline"`,
		"<h3>Checks</h3>", "<h3>Gates</h3>", "p95&lt;300ms over 30s", "<h3>Errors by class</h3>", "<td>HTTP 503</td>",
		"<h3>Stress steps</h3>", r.Profile("stress").Verdict.Answer[:20],
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("the page has no %q", s)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestHTMLEscapesAndOddResults(t *testing.T) {
	r := htmlFixture(t)
	r.Scenario.Name = `<script>alert("x")</script>`
	r.Warnings = []string{`<img src="https://example.com/x.png">`}
	// A second profile of the same name must not reuse the first's ids.
	r.Profiles = append(r.Profiles, r.Profiles[0])
	// A profile with nothing measured draws no chart and does not fail.
	r.Profiles = append(r.Profiles, result.Profile{Name: "spike", Model: "open", Status: result.StatusInterrupted})
	// Nor does one where every request failed: no latency to plot.
	down := result.Profile{Name: "target", Model: "open", Status: result.StatusComplete,
		Stages: []result.Stage{{Offered: result.Offered{Load: 10, Unit: "req/s", Duration: 3}}},
		Total:  result.Stats{Requests: 30, Errors: 30, ErrorRate: 1, ErrorClasses: map[string]int64{"connection_refused": 30}}}
	for i := range 3 {
		down.Windows = append(down.Windows, result.Window{Offset: result.Seconds(i), Offered: 10, Requests: 10, Errors: 10, Throughput: 10})
	}
	r.Profiles = append(r.Profiles, down)
	doc := renderHTML(t, r)
	if bad := networkLoads(doc); len(bad) > 0 {
		t.Errorf("escaping failed, the page loads: %v", bad)
	}
	if !strings.Contains(doc, "&lt;script&gt;") {
		t.Error("the scenario name is not in the page, escaped")
	}
	figs := figures(t, doc)
	for _, id := range []string{"latency-baseline", "latency-baseline-2", "hdr-baseline-2"} {
		if _, ok := figs[id]; !ok {
			t.Errorf("no chart %s (charts: %v)", id, keys(figs))
		}
	}
	for id := range figs {
		if strings.HasSuffix(id, "-spike") {
			t.Errorf("chart %s drawn for a profile with no data", id)
		}
	}
	if figs["latency-target"] == nil || figs["errors-target"] == nil || figs["hdr-target"] != nil {
		t.Errorf("a profile where everything failed: want its load and errors, no percentile plot (charts: %v)", keys(figs))
	}
	if strings.Contains(doc, "chart not drawn") {
		t.Errorf("a chart failed to draw")
	}
	if !strings.Contains(doc, "<td>connection_refused</td>") {
		t.Error("the error class of a profile without stages' classes is not in its table")
	}

	// A histogram that does not decode costs its chart, not the page.
	r = htmlFixture(t)
	r.Profiles[0].Total.Histograms.Response = "not base64!"
	doc = renderHTML(t, r)
	if !strings.Contains(doc, "chart not drawn: profile baseline: total.histograms.response") {
		t.Error("a histogram that does not decode is not reported")
	}
	if _, ok := figures(t, doc)["latency-baseline"]; !ok {
		t.Error("the other charts of the profile are gone")
	}

	// No profiles at all.
	doc = renderHTML(t, &result.Result{Schema: result.Schema, Status: result.StatusAborted})
	if !strings.Contains(doc, "No profile ran.") || len(figures(t, doc)) != 0 {
		t.Error("an empty result should render a page without charts")
	}
}

// TestHTMLClosedModel: users and completions per second get a plot each,
// and a stress ramp in users draws no "offered = achieved" line.
func TestHTMLClosedModel(t *testing.T) {
	r := htmlFixture(t)
	for i := range r.Profiles {
		p := &r.Profiles[i]
		p.Model = "closed"
		for j := range p.Stages {
			p.Stages[j].Offered.Unit = "users"
		}
		if p.Verdict.Stress != nil {
			for j := range p.Verdict.Stress.Steps {
				p.Verdict.Stress.Steps[j].Unit = "users"
			}
		}
	}
	figs := figures(t, renderHTML(t, r))
	lat := figs["latency-baseline"]
	if lat == nil || !lat.hasText("offered (users)") || !lat.hasText("req/s") || !lat.hasText("achieved (completions/s)") {
		t.Errorf("closed-model latency chart: %v", lat)
	}
	st := figs["stress-stress"]
	if st == nil || st.hasText("offered (ideal)") || !st.hasText("offered load (users)") || !st.hasText("breaks at 300 users") {
		t.Errorf("closed-model stress chart: %v", st)
	}
}

// TestPercentileCurve: the HDR plot's curve starts at p0, rises
// monotonically, uses HdrHistogram's percentile definition (the summary's
// p99 is its point at 1/(1−p) = 100) and ends at the maximum.
func TestPercentileCurve(t *testing.T) {
	h := metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.SigFigs)
	for v := int64(1); v <= 5000; v++ {
		_ = h.RecordValue(v * 10) // 10 µs … 50 ms
	}
	_ = h.RecordValues(2_000_000, 3) // three 2 s outliers in 5003
	pts := percentileCurve(h)
	if pts[0].X != 1 {
		t.Errorf("first x %g, want 1 (p0)", pts[0].X)
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].X <= pts[i-1].X || pts[i].Y < pts[i-1].Y {
			t.Fatalf("not monotonic at %d: %v then %v", i, pts[i-1], pts[i])
		}
	}
	last := pts[len(pts)-1]
	if last.X != 5003 || last.Y != float64(h.Max())/1000 {
		t.Errorf("last point %v, want x = count 5003, y = max %g ms", last, float64(h.Max())/1000)
	}
	sum := metrics.Summarize(h)
	for _, pt := range pts {
		if pt.X == 100 && pt.Y != float64(sum.P99.Microseconds())/1000 {
			t.Errorf("p99 on the curve %g ms, summary p99 %v", pt.Y, sum.P99)
		}
		if pt.X == 1000 && pt.Y != float64(sum.P999.Microseconds())/1000 {
			t.Errorf("p99.9 on the curve %g ms, summary p99.9 %v (the outliers must show)", pt.Y, sum.P999)
		}
	}
}

func TestRenderSVGRecoversFromPanics(t *testing.T) {
	p := newPlot("bad", "x", "y")
	p.Y.Scale = plot.LogScale{} // gonum/plot panics on a log axis through 0
	p.Y.Min, p.Y.Max = 0, 1
	_, err := renderSVG(chartWidth, chartHeight, p)
	if err == nil || !strings.Contains(err.Error(), "draw chart: Values must be greater than 0") {
		t.Fatalf("a plot that panics should become an error, got %v", err)
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   string
	}{
		{0, 53.1, "0 10 20 30 40 50"},
		{0, 20, "0 5 10 15 20"},
		{0, 2400, "0 500 1000 1500 2000"},
		{0, 0.3, "0 0.05 0.1 0.15 0.2 0.25 0.3"},
		{0, 130000, "0 25k 50k 75k 100k 125k"},
		{980, 1040, "980 990 1000 1010 1020 1030 1040"},
	}
	for _, tt := range tests {
		var labels []string
		for _, tk := range (niceTicks{}).Ticks(tt.lo, tt.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tt.want {
			t.Errorf("ticks(%g, %g) = %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
}

// TestUniqueSlugs: two profiles whose names differ only in case or
// punctuation get distinct anchors on one page, numbered from 2.
func TestUniqueSlugs(t *testing.T) {
	used := slugs{}
	var got []string
	for _, name := range []string{"Check out", "check-out", "CHECK OUT", "stress"} {
		got = append(got, used.unique(name))
	}
	if want := "check-out check-out-2 check-out-3 stress"; strings.Join(got, " ") != want {
		t.Errorf("slugs %q, want %s", got, want)
	}
}
