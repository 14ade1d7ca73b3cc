package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/plan"
)

// TestPlanBandsRendered: with growth fitted to a history, the runway and
// the order-by dates carry their band, and the what-if line its dates, in
// plan.md, plan.json, plan.csv and plan.html.
func TestPlanBandsRendered(t *testing.T) {
	var h strings.Builder
	noise := []float64{1.03, 0.97, 1.01, 0.98, 1.04, 0.99, 0.96, 1.02, 1.0, 0.97, 1.03, 1.0}
	v := 600.0
	for i, n := range noise {
		fmt.Fprintf(&h, "%s,%.1f\n", plan.NewDate(2026, time.January, 1).AddMonths(i), v*n)
		v *= 1.12
	}
	obs, err := plan.ReadHistory("peaks.csv", strings.NewReader(h.String()))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := plan.ParseConfig("plan.yaml", []byte(seedPlan))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Growth.Monthly, cfg.Demand.PeakRPS, cfg.Growth.History = nil, 0, obs
	p, err := plan.Build(cfg, nil, plan.Options{AsOf: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	bd, a := p.Runway.Band, p.Actions[0]
	if bd == nil || bd.HighGrowth == nil || bd.LowGrowth == nil || a.OrderByBand == nil || a.OrderByBand.HighGrowth == nil || a.OrderByBand.LowGrowth == nil || len(p.WhatIf) != 2 {
		t.Fatalf("fixture: runway band %+v, first action %+v, what-if %+v", bd, a, p.WhatIf)
	}
	runwayBand := plan.BandText(bd, p.Runway.SearchEnd)
	orderBand := a.OrderByBand.HighGrowth.String() + " to " + a.OrderByBand.LowGrowth.String()
	whatIf := "if growth is 50% higher"
	for _, format := range []string{"md", "html"} {
		var b bytes.Buffer
		if err := WritePlan(&b, p, format); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"capacity runs out from " + runwayBand, orderBand, whatIf, p.WhatIf[0].Runway.String(), p.WhatIf[1].Runway.String()} {
			if !strings.Contains(strings.ToLower(b.String()), strings.ToLower(want)) {
				t.Errorf("plan.%s lacks %q", format, want)
			}
		}
	}
	var j bytes.Buffer
	if err := PlanJSON(&j, p); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runway  struct{ Band map[string]any }
		Actions []struct {
			OrderByBand map[string]any `json:"order_by_band"`
		}
		WhatIf []map[string]any `json:"what_if"`
	}
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Runway.Band["high_growth"] != bd.HighGrowth.String() || doc.Actions[0].OrderByBand["low_growth"] != a.OrderByBand.LowGrowth.String() || len(doc.WhatIf) != 2 {
		t.Errorf("plan.json: runway band %v, order-by band %v, what-if %v", doc.Runway.Band, doc.Actions[0].OrderByBand, doc.WhatIf)
	}
	var c bytes.Buffer
	if err := PlanCSV(&c, p); err != nil {
		t.Fatal(err)
	}
	rows, col := readCSV(t, &c)
	found := false
	for _, r := range rows[1:] {
		if r[col["action"]] == a.Text && r[col["order_by"]] == a.OrderBy.String() {
			found = true
			if r[col["order_by_high_growth"]] != a.OrderByBand.HighGrowth.String() || r[col["order_by_low_growth"]] != a.OrderByBand.LowGrowth.String() {
				t.Errorf("plan.csv order-by band %v", r)
			}
		}
		if r[col["runway_high_growth"]] != bd.HighGrowth.String() || r[col["runway_low_growth"]] != bd.LowGrowth.String() || r[col["runway_growth_plus_50"]] != p.WhatIf[0].Runway.String() {
			t.Errorf("plan.csv runway band %v", r)
		}
	}
	if !found {
		t.Errorf("plan.csv has no row for %s", a.Text)
	}
}
