package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FormatCount writes v rounded to a whole number with thousands
// separators: 2,986.
func FormatCount(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprint(v)
	}
	r := math.Round(v)
	if r == 0 {
		r = 0 // no "-0"
	}
	s := strconv.FormatFloat(math.Abs(r), 'f', 0, 64)
	var b strings.Builder
	if r < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FormatFigure writes a measured or projected figure: whole above 100
// (1,728), three significant digits below (42.5, 0.667).
func FormatFigure(v float64) string {
	if math.Abs(v) >= 100 || v == 0 {
		return FormatCount(v)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// FormatPercent writes a fraction as a percentage with up to one decimal:
// 0.2 is 20%, 0.0125 is 1.3%.
func FormatPercent(v float64) string {
	p := math.Round(v*1000) / 10
	if p == 0 {
		p = 0
	}
	return strconv.FormatFloat(p, 'f', -1, 64) + "%"
}

// FormatMoney writes an amount in currency: a symbol goes before the
// number ($3,100), a code after it (3,100 EUR).
func FormatMoney(currency string, v float64) string {
	n := FormatCount(v)
	if currency == "" {
		return n
	}
	r, _ := utf8.DecodeRuneInString(currency)
	if utf8.RuneCountInString(currency) == 1 && !unicode.IsLetter(r) {
		if strings.HasPrefix(n, "-") {
			return "-" + currency + n[1:]
		}
		return currency + n
	}
	return n + " " + currency
}

// Money writes v in the plan's currency.
func (p *Plan) Money(v float64) string { return FormatMoney(p.Currency, v) }

// Plural is the unit's name for n of them: instance, instances.
func Plural(unit string, n int) string {
	if n == 1 || unit == "" {
		return unit
	}
	switch {
	case strings.HasSuffix(unit, "s"), strings.HasSuffix(unit, "x"),
		strings.HasSuffix(unit, "ch"), strings.HasSuffix(unit, "sh"):
		return unit + "es"
	case strings.HasSuffix(unit, "y") && len(unit) > 1 && !strings.ContainsAny(unit[len(unit)-2:len(unit)-1], "aeiou"):
		return unit[:len(unit)-1] + "ies"
	}
	return unit + "s"
}

// roundUp2 rounds v up to two significant figures: 2,986 is 3,000 and
// 1,234 is 1,300, a load test rate that reads as a target.
func roundUp2(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	mag := math.Pow(10, math.Floor(math.Log10(v))-1)
	r := math.Ceil(v/mag-1e-9) * mag
	return math.Round(r)
}

// BandText writes a date band, earliest first, with the growth of each
// end: "2027-02-20 (growth 23%/month) to 2027-03-30 (12%/month)". A date
// beyond the search is "after" the search's end.
func BandText(band *DateBand, end Date) string {
	return fmt.Sprintf("%s (growth %s/month) to %s (%s/month)", bandDate(band.HighGrowth, end), FormatPercent(band.Growth[1]), bandDate(band.LowGrowth, end), FormatPercent(band.Growth[0]))
}

// BandDates writes a date band's ends, earliest first: "2027-02-20 to
// 2027-03-30".
func BandDates(band *DateBand, end Date) string {
	return bandDate(band.HighGrowth, end) + " to " + bandDate(band.LowGrowth, end)
}

func bandDate(d *Date, end Date) string {
	if d == nil {
		return "after " + end.String()
	}
	return d.String()
}

// Earliest is " at the earliest" for a date on which resource runs out
// when its capacity is a lower bound (the stress run that measured it
// never broke, MeasuredCapacity.AtLeast): the true capacity is higher by
// an unknown amount, so the day is no sooner, and may be months later.
// It is "" for every other resource and date.
func (p *Plan) Earliest(resource string) string {
	if p.Measured.AtLeast && resource != "" && resource == p.Measured.Resource {
		return " at the earliest"
	}
	return ""
}

// RunwayLine is the plan's runway with no action in one sentence, for
// plan.md and plan.html: the day capacity runs out, that it has already
// run out (the search starts on the as-of date: demand is above the
// capacity in place today; with a lower bound, it may be), or that it
// lasts beyond the search. strong wraps the date (Markdown's ** **).
func (p *Plan) RunwayLine(strong func(string) string) string {
	d, res := p.Runway.Date, p.Runway.Resource
	switch {
	case d == nil:
		return fmt.Sprintf("The capacity in place lasts beyond %s.", p.Runway.SearchEnd)
	case !d.After(p.AsOf.Time) && p.Runway.Earliest:
		return fmt.Sprintf("Capacity may already have run out on %s (%s): today's projected peak is above the lower bound its stress run measured.", strong(d.String()), res)
	case !d.After(p.AsOf.Time):
		return fmt.Sprintf("Capacity has already run out on %s (%s%s): today's projected peak is above what is in place.", strong(d.String()), res, p.MeasureNote(res))
	}
	return fmt.Sprintf("Capacity runs out on %s%s (%s, in %s%s).", strong(d.String()), p.Earliest(res), res, d.MonthLabel(), p.MeasureNote(res))
}

// MeasureNote is "; from partial monitoring, see Risks" for a resource
// whose per-unit capacity a monitored metric measured with held steps it
// was not read over (ResourceMeasure.Partial), "; its metric does not
// follow the utilisation law, see Risks" for one whose metric did not
// grow with the load (ResourceMeasure.Doubt), both when both, to go after
// its name where a date of its is given; "" for every other resource.
func (p *Plan) MeasureNote(resource string) string {
	for _, r := range p.Resources {
		if r.Name != resource || r.MeasuredBy == nil {
			continue
		}
		var why []string
		if r.MeasuredBy.Partial != "" {
			why = append(why, "from partial monitoring")
		}
		if r.MeasuredBy.Doubt != "" {
			why = append(why, "its metric does not follow the utilisation law")
		}
		if len(why) > 0 {
			return "; " + strings.Join(why, ", ") + ", see Risks"
		}
	}
	return ""
}

// WhatIfText writes the what-if lines as one sentence: "If growth is 50%
// higher (30%/month), capacity runs out on 2027-02-17 (api) and the first
// order (add 3 api instances) is due by 2026-12-18; if growth is 50% lower
// ...". A runway on the as-of date "has already run out" ("may already
// have run out" for a lower bound), as RunwayLine says.
func (p *Plan) WhatIfText() string {
	var parts []string
	end := p.Runway.SearchEnd
	for i, w := range p.WhatIf {
		dir := "higher"
		if w.Change < 0 {
			dir = "lower"
		}
		s := fmt.Sprintf("if growth is %s %s (%s/month)", FormatPercent(math.Abs(w.Change)), dir, FormatPercent(w.Monthly))
		if i == 0 {
			s = "I" + s[1:]
		}
		switch {
		case w.Runway == nil:
			s += ", capacity lasts beyond " + end.String()
		case !w.Runway.After(p.AsOf.Time) && p.Earliest(w.Resource) != "":
			s += fmt.Sprintf(", capacity may already have run out (%s)", w.Resource)
		case !w.Runway.After(p.AsOf.Time):
			s += fmt.Sprintf(", capacity has already run out (%s%s)", w.Resource, p.MeasureNote(w.Resource))
		default:
			s += fmt.Sprintf(", capacity runs out on %s%s (%s%s)", w.Runway, p.Earliest(w.Resource), w.Resource, p.MeasureNote(w.Resource))
		}
		if w.FirstOrderBy != nil {
			s += fmt.Sprintf(" and the first order (%s) is due by %s", w.FirstAction, w.FirstOrderBy)
		} else {
			s += " and nothing needs ordering"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}
