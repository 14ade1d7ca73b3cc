package plan

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/units"
)

// DateLayout is how dates are written in plan files, history files,
// flags and outputs.
const DateLayout = "2006-01-02"

// Date is a calendar date: midnight UTC. It is written 2027-01-31 in JSON.
type Date struct{ time.Time }

// NewDate is the date of year, month, day (normalised as time.Date does).
func NewDate(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// DateOf is the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// ParseDate reads a date written 2027-01-31.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("want a date like 2027-01-31, got %q", s)
	}
	return Date{t}, nil
}

// String writes the date as 2027-01-31.
func (d Date) String() string { return d.Format(DateLayout) }

// MarshalJSON writes the date as "2027-01-31".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "2027-01-31".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText writes the date as 2027-01-31.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads 2027-01-31.
func (d *Date) UnmarshalText(b []byte) error { return unmarshalText(b, d, ParseDate) }

// unmarshalText sets *dst to b read by parse; on an error *dst is kept.
func unmarshalText[T any](b []byte, dst *T, parse func(string) (T, error)) error {
	v, err := parse(string(b))
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// AddMonths moves d by n calendar months, clamping the day to the last day
// of the month it lands in: 2027-01-31 + 1 month is 2027-02-28, and
// 2028-02-29 − 12 months is 2027-02-28. (time.AddDate would overflow into
// the next month instead: 2027-03-03.)
func (d Date) AddMonths(n int) Date {
	y, m, day := d.Date()
	total := int(m) - 1 + n
	y += total / 12
	mi := total % 12
	if mi < 0 {
		mi += 12
		y--
	}
	month := time.Month(mi + 1)
	if last := daysIn(y, month); day > last {
		day = last
	}
	return NewDate(y, month, day)
}

// AddDays moves d by n days.
func (d Date) AddDays(n int) Date { return Date{d.AddDate(0, 0, n)} }

// MonthStart is the first day of d's month.
func (d Date) MonthStart() Date {
	y, m, _ := d.Date()
	return NewDate(y, m, 1)
}

// MonthLabel is d's month written 2027-01.
func (d Date) MonthLabel() string { return d.Format("2006-01") }

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// monthsBetween is the number of months from a to b, counting calendar
// months whole and the rest as the share of the month that has passed:
// 2027-01-15 to 2027-03-01 is 1 + 14/28 (from 15 February, 14 of the 28
// days to 15 March). It is negative when b is before a.
func monthsBetween(a, b Date) float64 {
	if b.Before(a.Time) {
		return -monthsBetween(b, a)
	}
	ay, am, _ := a.Date()
	by, bm, _ := b.Date()
	n := (by-ay)*12 + int(bm) - int(am)
	anchor := a.AddMonths(n)
	for anchor.After(b.Time) {
		n--
		anchor = a.AddMonths(n)
	}
	next := a.AddMonths(n + 1)
	return float64(n) + b.Sub(anchor.Time).Hours()/next.Sub(anchor.Time).Hours()
}

// Period is a calendar span: a lead time or a horizon. Years and months
// are calendar months, not 30-day blocks.
type Period struct {
	Years, Months, Days int
}

// maxPeriodDays bounds a period so that date arithmetic cannot overflow;
// nothing in a capacity plan is ordered 100 years ahead.
const maxPeriodDays = 100 * 366

// ParsePeriod reads a period written as one or more whole numbers each
// followed by a unit: d (days), w (weeks), mo (months), y (years), for
// example 14d, 2w, 2mo, 1y, 1mo2w. The long names (days, weeks, months,
// years) are accepted too; "0" is no time at all. "m" is refused as
// ambiguous (minutes or months?).
func ParsePeriod(s string) (Period, error) {
	const want = "want a period like 14d, 2w, 2mo or 1y"
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "0" {
		return Period{}, nil
	}
	if t == "" {
		return Period{}, fmt.Errorf("%s, got nothing", want)
	}
	var p Period
	for t != "" {
		i := 0
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i == 0 {
			if t[0] == '-' {
				return Period{}, fmt.Errorf("must not be negative, got %q", s)
			}
			return Period{}, fmt.Errorf("%s, got %q", want, s)
		}
		n, err := strconv.Atoi(t[:i])
		if err != nil || n > maxPeriodDays {
			return Period{}, fmt.Errorf("too long: %q", s)
		}
		if i < len(t) && (t[i] == '.' || t[i] == ',') {
			return Period{}, fmt.Errorf("%q: whole numbers only (write 10d, not 1.5w)", s)
		}
		t = strings.TrimLeft(t[i:], " ")
		j := 0
		for j < len(t) && t[j] >= 'a' && t[j] <= 'z' {
			j++
		}
		unit := t[:j]
		t = strings.TrimLeft(t[j:], " ")
		switch unit {
		case "d", "day", "days":
			p.Days += n
		case "w", "wk", "week", "weeks":
			p.Days += 7 * n
		case "mo", "mon", "month", "months":
			p.Months += n
		case "y", "yr", "year", "years":
			p.Years += n
		case "m":
			return Period{}, fmt.Errorf("%q: m is ambiguous, write mo for months (or d, w, y)", s)
		case "":
			return Period{}, fmt.Errorf("%q: a unit is missing after %d (d, w, mo or y)", s, n)
		default:
			return Period{}, fmt.Errorf("%q: unknown unit %q (d, w, mo or y)", s, unit)
		}
	}
	if p.Years*366+p.Months*31+p.Days > maxPeriodDays {
		return Period{}, fmt.Errorf("too long: %q", s)
	}
	return p, nil
}

// IsZero reports whether p is no time at all.
func (p Period) IsZero() bool { return p == Period{} }

// Before is the date p before d: years and months first, with the day
// clamped to the end of a shorter month, then days.
func (p Period) Before(d Date) Date {
	return d.AddMonths(-(12*p.Years + p.Months)).AddDays(-p.Days)
}

// After is the date p after d, by the same rule as Before.
func (p Period) After(d Date) Date {
	return d.AddMonths(12*p.Years + p.Months).AddDays(p.Days)
}

// String writes p in the form ParsePeriod reads, "0" when zero.
func (p Period) String() string {
	if p.IsZero() {
		return "0"
	}
	var b strings.Builder
	if p.Years > 0 {
		fmt.Fprintf(&b, "%dy", p.Years)
	}
	if p.Months > 0 {
		fmt.Fprintf(&b, "%dmo", p.Months)
	}
	if p.Days > 0 {
		if p.Days%7 == 0 {
			fmt.Fprintf(&b, "%dw", p.Days/7)
		} else {
			fmt.Fprintf(&b, "%dd", p.Days)
		}
	}
	return b.String()
}

// MarshalText writes p as String does.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads p as ParsePeriod does.
func (p *Period) UnmarshalText(b []byte) error { return unmarshalText(b, p, ParsePeriod) }

// MaxHorizon bounds the horizon of a plan.
const MaxHorizon = 120

// ParseHorizon reads a horizon in whole months: 12mo, 18mo, 1y, 2y6mo, or
// a bare number of months.
func ParseHorizon(s string) (int, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.Atoi(t); err == nil {
		if n < 1 || n > MaxHorizon {
			return 0, fmt.Errorf("must be 1 to %d months, got %d", MaxHorizon, n)
		}
		return n, nil
	}
	p, err := ParsePeriod(t)
	if err != nil {
		return 0, err
	}
	if p.Days != 0 {
		return 0, fmt.Errorf("want whole months like 12mo or 1y, got %q", s)
	}
	n := 12*p.Years + p.Months
	if n < 1 || n > MaxHorizon {
		return 0, fmt.Errorf("must be 1 to %d months, got %q", MaxHorizon, s)
	}
	return n, nil
}

// ParseRate reads a growth rate: 20%/mo, 20%/month, 1.5%, 0.2 (a fraction
// per month), or a yearly rate 100%/y, converted to the compound monthly
// rate (1 + yearly)^(1/12) − 1. It must be above −100%.
func ParseRate(s string) (float64, error) {
	const want = "want a growth rate like 20%/mo, 150%/y or 0.2"
	t := strings.ToLower(strings.TrimSpace(s))
	per := "mo"
	if i := strings.IndexByte(t, '/'); i >= 0 {
		per = strings.TrimSpace(t[i+1:])
		t = strings.TrimSpace(t[:i])
	}
	f, err := parsePercent(t)
	if err != nil {
		return 0, fmt.Errorf("%s, got %q", want, s)
	}
	if f <= -1 {
		return 0, fmt.Errorf("must be above -100%%, got %q", s)
	}
	switch per {
	case "mo", "month", "mon":
		return f, nil
	case "y", "yr", "year":
		return math.Pow(1+f, 1.0/12) - 1, nil
	}
	return 0, fmt.Errorf("%q: unknown period %q (mo or y)", s, per)
}

// parsePercent reads 20%, -5%, +30% or a fraction 0.2.
func parsePercent(s string) (float64, error) {
	f, pct, err := units.ParseShare(s)
	limit := 1e9 // as written: ±1e9 of a fraction, ±1e9% of a percentage
	if pct {
		limit /= 100
	}
	if err != nil || f > limit || f < -limit {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return f, nil
}
