package report

import (
	"bytes"
	"html"
	"os"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/plan"
)

func renderPlanHTML(t *testing.T, p *plan.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := PlanHTML(&b, p); err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("LOADPLAN_PLAN_HTML"); path != "" { // to look at it
		_ = os.WriteFile(path, b.Bytes(), 0o644)
	}
	return b.String()
}

// TestPlanHTML parses the plan page: one chart, well-formed SVG with the
// demand, the capacity and the today and runway rules; nothing loaded
// from the network; every action and risk below it.
func TestPlanHTML(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		full       bool
	}{{"seed", seedPlan, false}, {"full", fullPlan, true}} {
		t.Run(tt.name, func(t *testing.T) {
			var p *plan.Plan
			if tt.full {
				p = fixturePlan(t, tt.body, planResult())
			} else {
				p = fixturePlan(t, tt.body, nil)
			}
			doc := renderPlanHTML(t, p)
			if bad := networkLoads(doc); len(bad) > 0 {
				t.Errorf("the page loads from the network: %v", bad)
			}
			figs := figures(t, doc)
			f := figs[chartPlan]
			if len(figs) != 1 || f == nil {
				t.Fatalf("charts %v, want just %s", keys(figs), chartPlan)
			}
			if f.paths < 4 {
				t.Errorf("the chart has %d paths", f.paths)
			}
			wants := []string{"today " + p.AsOf.String(), "projected peak demand", p.Months[0].Month}
			if p.Runway.Date == nil {
				t.Fatal("the fixture has no runway")
			}
			wants = append(wants, "runway "+p.Runway.Date.String())
			for _, r := range p.Resources {
				if r.Measured || r.Driver == plan.DriverRequests {
					wants = append(wants, r.Name+" capacity (100%)")
				}
			}
			for _, w := range wants {
				if !f.hasText(w) {
					t.Errorf("the chart lacks %q: %q", w, f.texts)
				}
			}
			text := html.UnescapeString(doc)
			if strings.Index(text, `id="actions"`) < strings.Index(text, `id="plan-chart"`) {
				t.Error("the actions are not below the chart")
			}
			actions, risks := planSection(text, "actions"), planSection(text, "risks")
			for _, a := range p.Actions {
				row := "<td>needed " + a.Need.String() + ", order by "
				if a.Urgent {
					row += "<b>" + a.OrderBy.String() + ": now</b>"
				} else {
					row += a.OrderBy.String()
				}
				row += " (" + a.LeadTime + " lead time)</td><td>" + a.Text + "</td><td class=\"n\">+" + p.Money(a.CostChange) + "/month</td>"
				if !strings.Contains(actions, row) {
					t.Errorf("action row %q missing", row)
				}
			}
			if n := strings.Count(actions, "<td>needed "); n != len(p.Actions) {
				t.Errorf("%d action rows, want %d", n, len(p.Actions))
			}
			for _, r := range p.Risks {
				if !strings.Contains(risks, r.Text) {
					t.Errorf("risk %q missing", r.Text)
				}
			}
			for _, w := range []string{p.Summary, ", as of 2027-01-01</h1>", "<th>timeline</th><th>action</th><th class=\"n\">cost</th><th>owner</th>"} {
				if !strings.Contains(text, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if len(p.Actions) == 0 {
				t.Error("the fixture has no actions")
			}
		})
	}
}

// TestPlanHTMLNoRunway: capacity that outlasts the search draws no runway
// rule and says so; no actions and no risks are said too.
func TestPlanHTMLNoRunway(t *testing.T) {
	p := fixturePlan(t, strings.Replace(seedPlan, "20%/mo", "-2%/mo", 1), nil)
	doc := renderPlanHTML(t, p)
	f := figures(t, doc)[chartPlan]
	if f == nil {
		t.Fatal("no chart")
	}
	if f.hasText("runway") || !f.hasText("today") {
		t.Errorf("chart texts %q", f.texts)
	}
	for _, w := range []string{"lasts beyond", "None: the units in place carry", "None found."} {
		if !strings.Contains(doc, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

// planSection is the text of the page's section with the given id.
func planSection(doc, id string) string {
	i := strings.Index(doc, `<section id="`+id+`">`)
	if i < 0 {
		return ""
	}
	j := strings.Index(doc[i:], "</section>")
	return doc[i : i+j]
}
