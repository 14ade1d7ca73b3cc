package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/promtest"
)

// dailyDemand writes an OpenMetrics series demand_rps from start for days,
// one sample a day at the daily peak (14:00; promtool writes a block per
// two hours that hold samples, so more samples a day only slow the
// backfill): base × (1+growth)^months × a weekly shape × 3% noise — the
// ground truth the plan's fit must find.
func dailyDemand(start time.Time, days int, base, growth float64, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	b.WriteString("# TYPE demand_rps gauge\n")
	for d := 0; d < days; d++ {
		t := start.AddDate(0, 0, d).Add(14 * time.Hour)
		months := t.Sub(start).Hours() / 24 / (365.25 / 12)
		weekly := 1 + 0.15*math.Sin(2*math.Pi*float64(t.Weekday())/7)
		v := base * math.Pow(1+growth, months) * weekly * (1 + 0.03*r.NormFloat64())
		fmt.Fprintf(&b, "demand_rps %.3f %d\n", v, t.Unix())
	}
	return b.Bytes()
}

// TestSlowPlanFromPrometheusHistory: 18 months of a daily series growing 5%
// a month, backfilled into a real Prometheus with `promtool tsdb
// create-blocks-from openmetrics`; `loadplan plan --history-prom` reads
// the monthly peaks and fits 5% within 10% (4.5%–5.5%). Slow (promtool
// writes ~550 blocks: 30–100 s), so it runs in `make test-slow`, which
// .ci/run runs after `make test`.
func TestSlowPlanFromPrometheusHistory(t *testing.T) {
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	asOf := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	srv := promtest.Start(t, promtest.Options{Backfill: dailyDemand(start, int(asOf.Sub(start).Hours()/24), 800, 0.05, 7)})

	res := planResultFile(t, "")
	good := writeFile(t, "plan.yaml", cliPlan)
	out := t.TempDir()
	code, stdout, stderr := runCommand(t, "plan", res, "--plan", good, "--history-prom", srv.URL, "--history-query", "demand_rps", "--as-of", "2026-12-05", "-f", "json", "--out", out)
	if code != ExitOK {
		t.Fatalf("plan --history-prom: exit %d\n%s\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p plan.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	fit := p.Demand.Fit
	if fit == nil || p.Demand.Model != "fitted" {
		t.Fatalf("the plan's demand is %q with fit %v: want fitted from the history", p.Demand.Model, fit)
	}
	t.Logf("fitted %.2f%%/month (CI %.2f%%–%.2f%%), R² %.3f over %d months (%s to %s)", 100*fit.Monthly, 100*fit.CI[0], 100*fit.CI[1], fit.R2, fit.Points, fit.From, fit.To)
	if fit.Points != 18 || fit.From.Format("2006-01") != "2025-06" || fit.To.Format("2006-01") != "2026-11" {
		t.Errorf("fitted %d months from %s to %s, want the 18 whole months 2025-06 … 2026-11", fit.Points, fit.From, fit.To)
	}
	if math.Abs(fit.Monthly-0.05)/0.05 > 0.10 {
		t.Errorf("fitted growth %.2f%%/month, want 5%% within 10%%", 100*fit.Monthly)
	}
	if !strings.Contains(p.Demand.History, srv.URL) {
		t.Errorf("the plan does not say where its history came from: %q", p.Demand.History)
	}

	// Many series, none, or a syntax error: a clear message, exit 2.
	for _, c := range []struct{ q, want string }{
		{`demand_rps or label_replace(demand_rps, "x", "1", "", "")`, "2 series"},
		{"no_such_metric", "returned no data"},
		{"sum(rate(", "Prometheus refused it"},
	} {
		code, _, stderr := runCommand(t, "plan", res, "--plan", good, "--history-prom", srv.URL, "--history-query", c.q, "--as-of", "2026-12-05", "--out", t.TempDir())
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", c.q, code, stderr, c.want)
		}
	}
}
