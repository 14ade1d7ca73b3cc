package plan

import "fmt"

// whatIfChanges are the what-if growth changes: 50% above and below the
// likely rate.
var whatIfChanges = []float64{0.5, -0.5}

// altModel is the plan's demand model with the requests growing at g a
// month (and users and data too, where they follow the requests' rate).
func (b *builder) altModel(g float64) *demandModel {
	d := b.p.Demand
	gUsers, gData := d.UsersMonthly, d.DataMonthly
	if b.cfg.Growth.Users == nil {
		gUsers = g
	}
	if b.cfg.Growth.Data == nil {
		gData = g
	}
	return newDemandModel(d.Date, d.PeakRPS, d.DailyUsers, d.DataGB, g, gUsers, gData, b.cfg.Seasonality, b.cfg.Growth.Steps)
}

// runwayOf is the first day demand under dm exceeds capNow, what the
// resource's units carry today; nil within the search.
func (b *builder) runwayOf(dm *demandModel, s *sizing, capNow float64) *Date {
	for d := b.asOf; !d.After(b.p.Runway.SearchEnd.Time); d = d.AddDays(1) {
		if dm.at(s.r.Driver, d) > capNow*(1+1e-9) {
			return &d
		}
	}
	return nil
}

// earliestRunway is the first runway over all resources under dm.
func (b *builder) earliestRunway(dm *demandModel, sizings []*sizing) (*Date, string) {
	var first *Date
	var name string
	for j, s := range sizings {
		if d := b.runwayOf(dm, s, b.p.Resources[j].CapacityNow); d != nil && (first == nil || d.Before(first.Time)) {
			first, name = d, s.r.Name
		}
	}
	return first, name
}

// needOf is, under dm, the first month's need date (its first day; the
// as-of date for the first month) on which the resource needs more than
// before units, the units it needs then, and its order-by date; nil
// within the search. It is the rule months() makes actions by.
func (b *builder) needOf(dm *demandModel, s *sizing, before int) (need, orderBy *Date, units int) {
	for i := 0; i < 12*RunwaySearchYears; i++ {
		start, end := b.monthBounds(i)
		req, _ := s.required(driverDemand(dm, s.r.Driver, start, end))
		if req > before {
			n, o := start, s.r.Lead.Before(start)
			if i == 0 {
				n, o = b.asOf, s.r.Lead.Before(b.asOf)
			}
			return &n, &o, req
		}
	}
	return nil, nil, 0
}

// bands gives the runway and the order-by dates a band from the growth
// interval (when the growth was fitted), and works out the what-if lines.
func (b *builder) bands(sizings []*sizing) {
	p := b.p
	if f := p.Demand.Fit; f != nil {
		lo, hi := b.altModel(f.CI[0]), b.altModel(f.CI[1])
		for j, s := range sizings {
			rp := &p.Resources[j]
			rp.RunwayBand = &DateBand{Growth: f.CI, LowGrowth: b.runwayOf(lo, s, rp.CapacityNow), Likely: rp.Runway, HighGrowth: b.runwayOf(hi, s, rp.CapacityNow)}
		}
		low, _ := b.earliestRunway(lo, sizings)
		high, _ := b.earliestRunway(hi, sizings)
		p.Runway.Band = &DateBand{Growth: f.CI, LowGrowth: low, Likely: p.Runway.Date, HighGrowth: high}
		for k := range p.Actions {
			a := &p.Actions[k]
			s, before := sizings[b.actSizing[k]], b.actBefore[k]
			_, oLow, _ := b.needOf(lo, s, before)
			_, oHigh, _ := b.needOf(hi, s, before)
			likely := a.OrderBy
			a.OrderByBand = &DateBand{Growth: f.CI, LowGrowth: oLow, Likely: &likely, HighGrowth: oHigh}
		}
	}
	for _, c := range whatIfChanges {
		g := p.Demand.Monthly * (1 + c)
		dm := b.altModel(g)
		w := WhatIf{Change: c, Monthly: g}
		w.Runway, w.Resource = b.earliestRunway(dm, sizings)
		for j, s := range sizings {
			rp := &p.Resources[j]
			rp.WhatIfRunway = append(rp.WhatIfRunway, b.runwayOf(dm, s, rp.CapacityNow))
		}
		for _, s := range sizings {
			_, o, req := b.needOf(dm, s, s.r.Units)
			if o != nil && (w.FirstOrderBy == nil || o.Before(w.FirstOrderBy.Time)) {
				add := req - s.r.Units
				w.FirstOrderBy, w.FirstAction = o, fmt.Sprintf("add %d %s %s", add, s.r.Name, Plural(s.r.Unit, add))
			}
		}
		p.WhatIf = append(p.WhatIf, w)
	}
}
