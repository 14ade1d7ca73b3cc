package plan

import (
	"os"
	"time"

	"github.com/loadplan/loadplan/internal/yamlwalk"
)

// The YAML walk is internal/yamlwalk's, as for a scenario file: every
// problem is collected with its line and dotted key, not only the first,
// aliases and merge keys (<<) are resolved, and ${VAR} and ${secret:VAR}
// references are substituted. The readers below add the plan's ranges.

type parser struct {
	*yamlwalk.Walker
	lines map[string]int // dotted key -> line, for errors found later
}

func newParser(file string) *parser {
	p := &parser{lines: map[string]int{}}
	p.Walker = &yamlwalk.Walker{File: file, Lookup: os.LookupEnv, Lines: p.lines}
	return p
}

type (
	value  = yamlwalk.Value
	object = yamlwalk.Object
)

func quote(s string) string { return yamlwalk.Quote(s, false) }

func (p *parser) scalar(v value, what string) (string, bool) {
	s, _, ok := p.Scalar(v, what)
	return s, ok
}

// integer reads a whole number of at least min.
func (p *parser) integer(v value, min int) (int, bool) { return p.IntAtLeast(v, min) }

// number reads a finite number; positive requires > 0, otherwise >= 0.
func (p *parser) number(v value, positive bool) (float64, bool) { return p.NumberAtLeast(v, positive) }

func (p *parser) positive(v value) (float64, bool)    { return p.number(v, true) }
func (p *parser) nonNegative(v value) (float64, bool) { return p.number(v, false) }
func (p *parser) count(v value) (int, bool)           { return p.integer(v, 1) }
func (p *parser) whole(v value) (int, bool)           { return p.integer(v, 0) }

// duration reads a duration above zero.
func (p *parser) duration(v value) (time.Duration, bool) { return p.DurationAtLeast(v, true) }

// share reads a percentage (70%) or fraction (0.7) in (0, 1].
func (p *parser) share(v value) (float64, bool) {
	return p.ShareIn(v, "a percentage like 70% or a fraction like 0.7", "must be above 0 and at most 100%",
		func(f float64) bool { return f > 0 && f <= 1 })
}

// change reads a signed percentage (+30%, -10%) or fraction above -100%.
func (p *parser) change(v value) (float64, bool) {
	return p.ShareIn(v, "a change like +30% or -10%", "must be above -100%", func(f float64) bool { return f > -1 })
}

func (p *parser) rate(v value) (float64, bool) {
	return yamlwalk.Parsed(p.Walker, v, "a growth rate like 20%/mo", ParseRate)
}

func (p *parser) date(v value) (Date, bool) {
	return yamlwalk.Parsed(p.Walker, v, "a date like 2027-01-31", ParseDate)
}

func (p *parser) period(v value) (Period, bool) {
	return yamlwalk.Parsed(p.Walker, v, "a period like 14d, 2w, 2mo or 1y", ParsePeriod)
}
