package plan

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// latencyPlan is 1,500 req/s of 10 ms exponential service on single
// servers, growing at growth a month from 2027-01-01, with units servers
// in place, sized by target (a latency: key and its value).
func latencyPlan(growth, units, target string) string {
	return `horizon: 6mo
demand: {peak_rps: 1500, date: 2027-01-01}
growth: {monthly: ` + growth + `}
resources:
  - name: workers
    unit: server
    units: ` + units + `
    latency: {service_time: 10ms, servers_per_unit: 1, ` + target + `, share: 95%}
`
}

// TestLatencyResponseTarget: "p95 response ≤ 40 ms" at 1,500 req/s of
// 10 ms exponential service needs 17 servers, where "95% wait ≤ 30 ms"
// passes 16, whose response p95 is 44.4 ms (docs/capacity.md, "Response
// time or wait": P(response ≤ 40 ms) 0.928 on 16, 0.972 on 17, by the
// formula and by an event-by-event simulation, TestResponseTimeAgainstSimulation).
// The wait-sized plan says so.
func TestLatencyResponseTarget(t *testing.T) {
	wait := mustBuild(t, mustConfig(t, latencyPlan("0%", "1", "within: 30ms")), nil, "2027-01-01")
	resp := mustBuild(t, mustConfig(t, latencyPlan("0%", "1", "response_within: 40ms")), nil, "2027-01-01")
	if n := wait.Months[0].Resources[0].Required; n != 16 {
		t.Errorf("wait form: %d servers, want 16", n)
	}
	if n := resp.Months[0].Resources[0].Required; n != 17 {
		t.Errorf("response form: %d servers, want 17", n)
	}
	for _, c := range []struct {
		p               *Plan
		sizedBy, target string
		p95             float64 // ms, on the servers chosen
		note            []string
	}{
		{wait, "wait", "P(wait ≤ 30ms) ≥ 0.95", 44.41, []string{"sized on the wait in the queue before service (P(wait ≤ 30ms) ≥ 0.95), not on the response time",
			"95% of requests have a response time (wait + service) of at most 44.4ms at the peak of 2027-01 (1,500 req/s on 16 servers)", "give latency.response_within and share instead of within"}},
		{resp, "response", "P(response ≤ 40ms) ≥ 0.95", 34.03, []string{"sized on the response time (wait + service), P(response ≤ 40ms) ≥ 0.95",
			"95% of requests are answered within 34ms at the peak of 2027-01 (1,500 req/s on 17 servers)"}},
	} {
		r := c.p.Resources[0]
		if r.SizedBy != c.sizedBy || r.Latency == nil || r.Latency.Target != c.target || r.Latency.ResponseShare != 0.95 {
			t.Fatalf("sized by %q, latency %+v; want %q, %q at share 0.95", r.SizedBy, r.Latency, c.sizedBy, c.target)
		}
		for _, m := range c.p.Months {
			if v := m.Resources[0].ResponseSeconds; v == nil || math.Abs(*v*1000-c.p95) > 0.01 {
				t.Errorf("%s: %s response p95 %s, want %.2f ms", c.sizedBy, m.Month, secondsText(v), c.p95)
			}
		}
		for _, w := range c.note {
			if !strings.Contains(r.Latency.Note, w) {
				t.Errorf("%s note %q\nwants %q", c.sizedBy, r.Latency.Note, w)
			}
		}
	}
	if strings.Contains(resp.Resources[0].Latency.Note, "instead of") {
		t.Errorf("the response form is told to use itself: %q", resp.Resources[0].Latency.Note)
	}
	// The wait form is a risk too (plan -q prints the doubts), the
	// response form is not.
	for _, c := range []struct {
		p    *Plan
		want int
	}{{wait, 1}, {resp, 0}} {
		n := 0
		for _, r := range c.p.Risks {
			if r.Kind == RiskLatencyWait {
				n++
				if r.Resource != "workers" || r.Text != c.p.Resources[0].Latency.Note || !r.Doubt() {
					t.Errorf("latency risk %+v (doubt %v); want the note on workers, a doubt", r, r.Doubt())
				}
			}
		}
		if n != c.want {
			t.Errorf("%s form: %d latency_wait risks, want %d: %+v", c.p.Resources[0].SizedBy, n, c.want, c.p.Risks)
		}
	}
}

// TestLatencyResponseTargetBreach: 17 servers in place, demand 1,500
// req/s growing 2% a month from 2027-01-01. Checked by hand
// (testdata/response_breach.py, mpmath: Erlang C from its factorial sum,
// P(R ≤ t) by integrating the wait's law — an atom 1 − C at 0, density C·d·e^(−d·w)
// above, d = cμ − λ — against the exponential service, no closed form
// for the response time): 17 servers keep P(response ≤ 40 ms) ≥ 0.95 up
// to λ* = 1,575.40 req/s and P(wait ≤ 30 ms) ≥ 0.95 up to 1,609.30 req/s.
// 1,500 × 1.02^m crosses λ* at m = 2.4767 months: the first day above it
// is 2027-03-16 (1,575.63 req/s; the 15th is 1,574.6), and 1,609.30 at m
// = 3.5519, first exceeded on 2027-04-18 (1,609.78). The wait target
// would date the breach of a p95 ≤ 40 ms SLO 33 days late.
func TestLatencyResponseTargetBreach(t *testing.T) {
	for _, c := range []struct{ target, breach string }{
		{"response_within: 40ms", "2027-03-16"},
		{"within: 30ms", "2027-04-18"},
	} {
		p := mustBuild(t, mustConfig(t, latencyPlan("2%", "17", c.target)), nil, "2027-01-01")
		r := p.Resources[0]
		if r.TargetBreach == nil || r.TargetBreach.String() != c.breach {
			t.Errorf("%s: target breached on %v, want %s (usable now %.2f req/s)", c.target, r.TargetBreach, c.breach, r.UsableNow)
		}
		if p.Runway.TargetBreach == nil || p.Runway.TargetBreach.String() != c.breach || !strings.Contains(p.Summary, "is breached first, on "+c.breach) {
			t.Errorf("%s: summary %q; want the breach on %s", c.target, p.Summary, c.breach)
		}
	}
}

// secondsText writes an optional figure for a test's message.
func secondsText(v *float64) string {
	if v == nil {
		return "none"
	}
	return strconv.FormatFloat(*v*1000, 'f', 3, 64) + " ms"
}
