package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/units"
)

// PlanMarkdown writes a dated resource plan as Markdown, ready to paste
// into a capacity review: the summary, the inputs, the resources, the
// runway, the month-by-month table, the resource planning matrix
// (timeline, action, order-by date, cost, owner), the risks and the load
// test to run next.
func PlanMarkdown(w io.Writer, p *plan.Plan) error {
	b := &strings.Builder{}
	title := "Capacity plan"
	if p.Scenario != "" {
		title += ": " + p.Scenario
	}
	fmt.Fprintf(b, "# %s, as of %s\n\n", title, p.AsOf)
	fmt.Fprintf(b, "%s\n", mdCell(p.Summary))

	planInputs(b, p)
	planResources(b, p)
	planRunway(b, p)
	planMonths(b, p)
	planActions(b, p)
	planRisks(b, p)

	b.WriteString("\n## Next load test\n\n")
	fmt.Fprintf(b, "%s\n", p.NextTest.Text)
	if p.NextTest.YAML != "" {
		b.WriteString("The scenario is written to `next-scenario.yaml`: the run's requests and SLO, one `target` profile at that rate.\n")
	}
	if len(p.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range p.Notes {
			fmt.Fprintf(b, "- %s\n", mdCell(n))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func planInputs(b *strings.Builder, p *plan.Plan) {
	b.WriteString("\n## Inputs\n\n| input | value |\n|---|---|\n")
	row := func(k, v string) { fmt.Fprintf(b, "| %s | %s |\n", k, mdCell(v)) }
	planMeasuredInputs(row, p)
	planDemandInputs(row, p.Demand)
	row("Headroom", "plan so that peak utilisation stays at most "+plan.FormatPercent(p.Headroom))
	if len(p.Months) > 0 {
		row("Horizon", fmt.Sprintf("%d months, %s to %s", p.Horizon, p.Months[0].Month, p.Months[len(p.Months)-1].Month))
	}
	if bg := p.Budget; bg != nil {
		v := fmt.Sprintf("at most %s of revenue, %s/month", plan.FormatPercent(bg.Share), p.Money(bg.MonthlyRevenue))
		if bg.RevenueGrowth != 0 {
			v += fmt.Sprintf(" growing %s/month", plan.FormatPercent(bg.RevenueGrowth))
		}
		if len(p.Months) > 0 && p.Months[0].Budget != nil {
			v += fmt.Sprintf(": %s/month in %s", p.Money(*p.Months[0].Budget), p.Months[0].Month)
		}
		row("Budget", v)
	}
}

// planMeasuredInputs writes the inputs' rows for the measured capacity,
// where it came from and the capacity model fitted to it, if any.
func planMeasuredInputs(row func(k, v string), p *plan.Plan) {
	if m := p.Measured; m.Resource != "" || m.RPS > 0 {
		v := plan.FormatFigure(m.RPS) + " req/s"
		if m.AtLeast {
			v = "at least " + v
		}
		if m.Resource != "" {
			v += fmt.Sprintf(" on %d %s %s", m.Units, m.Resource, plan.Plural(m.Unit, m.Units))
		}
		switch m.Source {
		case "config":
			v += " (capacity.rps in the plan configuration)"
		default:
			v += " (" + m.Profile + " profile"
			if p.Result != "" {
				v += " of " + p.Result
			}
			if m.Measured != nil {
				v += ", " + m.Measured.String()
			}
			if m.Status != "" && m.Status != "complete" {
				v += ", status " + m.Status
			}
			v += ")"
		}
		row("Capacity at SLO", v)
		if u := m.USL; u != nil {
			v := fmt.Sprintf("σ %.4g, κ %.4g, λ %.4g req/s; capacity reached at concurrency %.4g", u.Sigma, u.Kappa, u.Lambda, u.ConcurrencyAtSLO)
			if u.Limit != "" {
				v += "; limit " + u.Limit
			}
			// Name the curve the capacity model chose: a ceiling or a line
			// is not a USL fit, though its σ, κ, λ are read the same way.
			label := "USL fit"
			if u.Model != "" && u.Model != "usl" {
				label = "Capacity model (" + u.Model + ")"
			}
			row(label, v)
		}
	}
}

// planDemandInputs writes the inputs' rows for the demand: today's, its
// growth, the seasonal peaks and the steps.
func planDemandInputs(row func(k, v string), d plan.DemandModel) {
	today := plan.FormatCount(d.PeakRPS) + " req/s at peak on " + d.Date.String()
	if d.DailyUsers > 0 {
		today += ", " + plan.FormatCount(d.DailyUsers) + " daily users"
	}
	if d.DataGB > 0 {
		today += ", " + plan.FormatCount(d.DataGB) + " GB of data"
	}
	row("Demand", today)
	if f := d.Fit; f != nil {
		row("Growth", fmt.Sprintf("%s/month fitted to %s: %d rows from %s to %s (%.1f months), %s confidence interval %s to %s, R² %.2f",
			plan.FormatPercent(f.Monthly), d.History, f.Points, f.From, f.To, f.Months, plan.FormatPercent(f.Level), plan.FormatPercent(f.CI[0]), plan.FormatPercent(f.CI[1]), f.R2))
	} else {
		row("Growth", plan.FormatPercent(d.Monthly)+"/month, compound")
	}
	if d.DailyUsers > 0 && d.UsersMonthly != d.Monthly {
		row("Users growth", plan.FormatPercent(d.UsersMonthly)+"/month")
	}
	if d.DataGB > 0 && d.DataMonthly != d.Monthly {
		row("Data growth", plan.FormatPercent(d.DataMonthly)+"/month")
	}
	if len(d.Seasonality) > 0 {
		var parts []string
		for _, m := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
			if f, ok := d.Seasonality[m]; ok {
				parts = append(parts, fmt.Sprintf("%s ×%s", m, strconv.FormatFloat(f, 'g', -1, 64)))
			}
		}
		row("Seasonal peaks", strings.Join(parts, ", "))
	}
	for _, s := range d.Steps {
		v := fmt.Sprintf("%s from %s", planSigned(s.Change), s.Date)
		if s.Note != "" {
			v += " (" + s.Note + ")"
		}
		row("Step", v)
	}
}

func planResources(b *strings.Builder, p *plan.Plan) {
	b.WriteString("\n## Resources\n\n| resource | driver | per unit | scaling | sized for | in place | capacity now | lead time | unit cost | owner |\n|---|---|---:|---|---|---:|---:|---|---:|---|\n")
	for _, r := range p.Resources {
		name := r.Name
		if r.Measured {
			name += " (measured)"
		}
		if r.MeasuredBy != nil {
			name += " (measured: " + r.MeasuredBy.String() + ")"
		}
		scaling := r.Scaling
		if r.Efficiency > 0 {
			scaling += " " + plan.FormatPercent(r.Efficiency)
		}
		if r.MaxUnits > 0 {
			scaling += fmt.Sprintf(", at most %d", r.MaxUnits)
		}
		fmt.Fprintf(b, "| %s | %s | %s %s | %s | %s | %d %s | %s %s | %s | %s/month | %s |\n",
			mdCell(name), r.Driver, plan.FormatFigure(r.PerUnit), planMeasure(r.Driver), scaling, mdCell(r.Sizing),
			r.UnitsNow, plan.Plural(r.Unit, r.UnitsNow), plan.FormatFigure(r.CapacityNow), planMeasure(r.Driver),
			r.LeadTime, p.Money(r.UnitCost), planOwner(r.Owner))
	}
	first := true
	for _, r := range p.Resources {
		if r.Latency != nil {
			if first {
				b.WriteString("\n")
				first = false
			}
			fmt.Fprintf(b, "- %s\n", mdCell(r.Latency.Note))
		}
	}
}

// planResponseHeader is the month table's heading for a resource sized
// by latency: the response time at its share on the units in place, "p95
// response".
func planResponseHeader(r plan.ResourcePlan) string {
	return fmt.Sprintf("%s p%s response", mdCell(r.Name), strconv.FormatFloat(r.Latency.ResponseShare*100, 'g', 6, 64))
}

// planResponseCell is a month's response time for a resource sized by
// latency: "no bound" where the units in place cannot carry the peak.
func planResponseCell(r plan.MonthResource) string {
	if r.ResponseSeconds == nil {
		return "no bound"
	}
	return units.Ms(*r.ResponseSeconds * 1000)
}

func planRunway(b *strings.Builder, p *plan.Plan) {
	b.WriteString("\n## Runway\n\nWith no action, the units in place today carry the projected peak until:\n\n| resource | capacity now | target breached | capacity runs out |\n|---|---:|---|---|\n")
	for _, r := range p.Resources {
		fmt.Fprintf(b, "| %s | %s %s | %s | %s |\n", mdCell(r.Name), plan.FormatFigure(r.CapacityNow), planMeasure(r.Driver),
			planDate(r.TargetBreach, p.Runway.SearchEnd)+planEarliest(p, r.Name, r.TargetBreach), planDate(r.Runway, p.Runway.SearchEnd)+planEarliest(p, r.Name, r.Runway))
	}
	b.WriteString("\n" + p.RunwayLine(func(s string) string { return "**" + s + "**" }) + "\n")
	b.WriteString("\n" + planBandLine(p) + "\n")
	if w := p.WhatIfText(); w != "" {
		b.WriteString("\n" + w + "\n")
	}
}

// planEarliest qualifies a resource's date in the runway table: " at the
// earliest" when it is set and the resource's capacity is a lower bound.
func planEarliest(p *plan.Plan, resource string, d *plan.Date) string {
	if d == nil {
		return ""
	}
	return p.Earliest(resource)
}

// planBandLine says how far the runway moves within the growth interval,
// or why there is no band.
func planBandLine(p *plan.Plan) string {
	if bd := p.Runway.Band; bd != nil {
		return "Within the growth's 95% interval, capacity runs out from " + plan.BandText(bd, p.Runway.SearchEnd) + "."
	}
	return "Growth is given as a rate, not fitted to a history: it has no interval, so the dates have no band (the what-if shows how they move)."
}

// planOrderBand is an order-by date's band, or "".
func planOrderBand(a plan.Action, end plan.Date) string {
	if a.OrderByBand == nil {
		return ""
	}
	return "; " + plan.BandDates(a.OrderByBand, end) + " within the growth interval"
}

func planDate(d *plan.Date, end plan.Date) string {
	if d == nil {
		return "after " + end.String()
	}
	return d.String()
}

func planMonths(b *strings.Builder, p *plan.Plan) {
	b.WriteString("\n## Month by month\n\nProjected peak of each month (with its seasonal factor and steps), the units each resource needs for its target, the units in place after the month's actions, and their utilisation at the peak")
	for _, r := range p.Resources {
		if r.Latency != nil {
			b.WriteString("; for a resource sized by latency, the response time (wait + service, M/M/c) that its share of requests stays within at the peak on the units in place, whatever its target is on")
			break
		}
	}
	b.WriteString(".\n\n")
	hasUsers := len(p.Months) > 0 && p.Months[0].Users > 0
	hasData := len(p.Months) > 0 && p.Months[0].DataGB > 0
	hasBudget := len(p.Months) > 0 && p.Months[0].Budget != nil
	hdr := []string{"month", "months out", "peak req/s"}
	align := []string{"---", "---:", "---:"}
	if hasUsers {
		hdr, align = append(hdr, "daily users"), append(align, "---:")
	}
	if hasData {
		hdr, align = append(hdr, "data GB"), append(align, "---:")
	}
	for _, r := range p.Resources {
		hdr = append(hdr, mdCell(r.Name)+" need / in place", mdCell(r.Name)+" utilisation")
		align = append(align, "---:", "---:")
		if r.Latency != nil {
			hdr, align = append(hdr, planResponseHeader(r)), append(align, "---:")
		}
	}
	hdr, align = append(hdr, "cost/month"), append(align, "---:")
	if hasBudget {
		hdr, align = append(hdr, "budget/month"), append(align, "---:")
	}
	fmt.Fprintf(b, "| %s |\n|%s|\n", strings.Join(hdr, " | "), strings.Join(align, "|"))
	for _, m := range p.Months {
		cells := []string{m.Month, strconv.FormatFloat(roundTo(m.MonthsOut, 2), 'f', -1, 64), plan.FormatCount(m.PeakRPS)}
		if m.Season != 1 || m.Step != 1 {
			cells[2] += " " + planFactors(m)
		}
		if hasUsers {
			cells = append(cells, plan.FormatCount(m.Users))
		}
		if hasData {
			cells = append(cells, plan.FormatCount(m.DataGB))
		}
		for j, r := range m.Resources {
			c := fmt.Sprintf("%d / %d", r.Required, r.InPlace)
			if r.Added > 0 {
				c += fmt.Sprintf(" (+%d)", r.Added)
			}
			if r.Short {
				c += " **short**"
			}
			cells = append(cells, c, plan.FormatPercent(r.Utilisation))
			if j < len(p.Resources) && p.Resources[j].Latency != nil {
				cells = append(cells, planResponseCell(r))
			}
		}
		cost := p.Money(m.Cost)
		if m.Budget != nil && m.Cost > *m.Budget {
			cost = "**" + cost + "**"
		}
		cells = append(cells, cost)
		if hasBudget {
			cells = append(cells, p.Money(*m.Budget))
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
	}
}

func planFactors(m plan.Month) string {
	var f []string
	if m.Season != 1 {
		f = append(f, "season ×"+strconv.FormatFloat(m.Season, 'g', 3, 64))
	}
	if m.Step != 1 {
		f = append(f, "steps ×"+strconv.FormatFloat(m.Step, 'g', 3, 64))
	}
	return "(" + strings.Join(f, ", ") + ")"
}

func planActions(b *strings.Builder, p *plan.Plan) {
	b.WriteString("\n## Actions\n\n")
	if len(p.Actions) == 0 {
		b.WriteString("None: the units in place carry the projected peak through the horizon.\n")
		return
	}
	b.WriteString("The resource planning matrix. A unit is needed from the first day of the month whose projected peak first exceeds the target (today, for the current month); order it a lead time before.\n\n")
	b.WriteString("| timeline | action | order by | cost | owner |\n|---|---|---|---:|---|\n")
	for _, a := range p.Actions {
		order := a.OrderBy.String() + " (" + a.LeadTime + " lead time" + planOrderBand(a, p.Runway.SearchEnd) + ")"
		if a.Urgent {
			order = "**" + a.OrderBy.String() + ": now**" + " (" + a.LeadTime + " lead time" + planOrderBand(a, p.Runway.SearchEnd) + ")"
		}
		fmt.Fprintf(b, "| needed %s | %s | %s | +%s/month | %s |\n", a.Need, mdCell(a.Text), order, p.Money(a.CostChange), planOwner(a.Owner))
	}
}

func planRisks(b *strings.Builder, p *plan.Plan) {
	b.WriteString("\n## Risks\n\n")
	if len(p.Risks) == 0 {
		b.WriteString("None found.\n")
		return
	}
	for _, r := range p.Risks {
		fmt.Fprintf(b, "- **%s**: %s\n", r.Severity, mdCell(r.Text))
	}
}

// PlanJSON writes the plan as an indented JSON document.
func PlanJSON(w io.Writer, p *plan.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// planCSVHeader is the header of PlanCSV.
var planCSVHeader = []string{"month", "start", "months_out", "peak_rps", "daily_users", "data_gb",
	"resource", "demand", "required", "in_place", "added", "utilisation", "short",
	"action", "need", "order_by", "lead_time", "cost_change", "owner", "cost_month", "budget_month",
	"order_by_high_growth", "order_by_low_growth", "runway", "runway_high_growth", "runway_low_growth",
	"runway_growth_plus_50", "runway_growth_minus_50", "runway_earliest", "capacity_partial", "capacity_doubt",
	"sized_by", "response_share", "response_seconds"}

// PlanCSV writes the month-by-month plan as CSV, one row per month and
// resource, with the month's action for the resource on its row: a table
// for a spreadsheet.
func PlanCSV(w io.Writer, p *plan.Plan) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(planCSVHeader); err != nil {
		return err
	}
	type key struct{ month, resource string }
	actions := map[key]plan.Action{}
	for _, a := range p.Actions {
		actions[key{a.Month, a.Resource}] = a
	}
	// Each resource's runway, its band and its what-ifs: the same on
	// every row of the resource. An empty cell is a date beyond the
	// search, or no band (growth given as a rate). runway_earliest is
	// true where the resource's capacity is a lower bound (no stress
	// step broke): its runway dates are the earliest days, as plan.md
	// says "at the earliest". capacity_partial is true where a monitored
	// metric measured the resource's capacity from partial readings;
	// capacity_doubt where that metric did not follow the utilisation law
	// (plan.ResourceMeasure.Doubt).
	runways := map[string][]string{}
	for _, r := range p.Resources {
		row := []string{csvDate(r.Runway), "", ""}
		if bd := r.RunwayBand; bd != nil {
			row[1], row[2] = csvDate(bd.HighGrowth), csvDate(bd.LowGrowth)
		}
		for i := range 2 {
			if i < len(r.WhatIfRunway) {
				row = append(row, csvDate(r.WhatIfRunway[i]))
			} else {
				row = append(row, "")
			}
		}
		runways[r.Name] = append(row, strconv.FormatBool(p.Earliest(r.Name) != ""), strconv.FormatBool(r.MeasuredBy != nil && r.MeasuredBy.Partial != ""),
			strconv.FormatBool(r.MeasuredBy != nil && r.MeasuredBy.Doubt != ""))
	}
	f := func(v float64) string { return strconv.FormatFloat(roundTo(v, 4), 'f', -1, 64) }
	blank := func(v float64) string { // a driver the plan does not use
		if v == 0 {
			return ""
		}
		return f(v)
	}
	for _, m := range p.Months {
		budget := ""
		if m.Budget != nil {
			budget = f(*m.Budget)
		}
		for _, r := range m.Resources {
			rec := []string{m.Month, m.Start.String(), f(m.MonthsOut), f(m.PeakRPS), blank(m.Users), blank(m.DataGB),
				r.Name, f(r.Demand), strconv.Itoa(r.Required), strconv.Itoa(r.InPlace), strconv.Itoa(r.Added), f(r.Utilisation), strconv.FormatBool(r.Short),
				"", "", "", "", "", "", f(m.Cost), budget, "", ""}
			if a, ok := actions[key{m.Month, r.Name}]; ok {
				rec[13], rec[14], rec[15], rec[16], rec[17], rec[18] = a.Text, a.Need.String(), a.OrderBy.String(), a.LeadTime, f(a.CostChange), a.Owner
				if bd := a.OrderByBand; bd != nil {
					rec[21], rec[22] = csvDate(bd.HighGrowth), csvDate(bd.LowGrowth)
				}
			}
			rec = append(rec, runways[r.Name]...)
			rec = append(rec, planCSVSizing(p, r)...)
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// planCSVSizing is a month row's sizing cells: the figure the resource
// is sized on (sized_by), and for latency sizing the response time that
// its share of requests stays within on the units in place (empty where
// they cannot carry the peak).
func planCSVSizing(p *plan.Plan, r plan.MonthResource) []string {
	for _, rp := range p.Resources {
		if rp.Name != r.Name {
			continue
		}
		if rp.Latency == nil {
			return []string{rp.SizedBy, "", ""}
		}
		secs := ""
		if r.ResponseSeconds != nil {
			secs = strconv.FormatFloat(roundTo(*r.ResponseSeconds, 6), 'f', -1, 64)
		}
		return []string{rp.SizedBy, strconv.FormatFloat(rp.Latency.ResponseShare, 'f', -1, 64), secs}
	}
	return []string{"", "", ""}
}

func csvDate(d *plan.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// PlanFormats lists the formats WritePlan knows, by file extension.
var PlanFormats = []string{"md", "json", "csv", "html"}

// WritePlan writes p in format (md, json, csv or html).
func WritePlan(w io.Writer, p *plan.Plan, format string) error {
	switch format {
	case "md":
		return PlanMarkdown(w, p)
	case "json":
		return PlanJSON(w, p)
	case "csv":
		return PlanCSV(w, p)
	case "html":
		return PlanHTML(w, p)
	}
	known := append([]string(nil), PlanFormats...)
	sort.Strings(known)
	return fmt.Errorf("unknown plan format %q (known: %s)", format, strings.Join(known, ", "))
}

func roundTo(v float64, digits int) float64 {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	r, _ := strconv.ParseFloat(s, 64)
	return r
}

func planMeasure(driver string) string {
	switch driver {
	case plan.DriverUsers:
		return "users"
	case plan.DriverData:
		return "GB"
	}
	return "req/s"
}

func planOwner(o string) string {
	if o == "" {
		return "—"
	}
	return mdCell(o)
}

func planSigned(f float64) string {
	if f >= 0 {
		return "+" + plan.FormatPercent(f)
	}
	return plan.FormatPercent(f)
}

// mdCell is s fit for a cell of a Markdown table (and a list item): a
// "|" escaped, a line ending (\n, \r\n or \r, each a line ending to
// CommonMark) read as a space, so that the row stays one row.
func mdCell(s string) string {
	return strings.NewReplacer("|", "\\|", "\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}
