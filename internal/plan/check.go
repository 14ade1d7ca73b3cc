package plan

import "github.com/loadplan/loadplan/internal/yamlwalk"

// CheckComplete reports what Build would refuse in c whatever the result:
// no growth model (or two), no demand, and no units for the measured
// resource. A scenario's plan: section is checked with it before a run, so
// that `loadplan validate` and `loadplan run` refuse it up front instead
// of measuring and then saying "plan not written". (A plan file given to
// `loadplan plan` may be completed by its flags, so it is not checked here.)
func (c *Config) CheckComplete() error {
	var errs Errors
	g := c.Growth
	switch {
	case g.Monthly != nil && (g.History != nil || g.HistoryFile != ""):
		errs = append(errs, c.errorf("growth", "give monthly (a rate) or history (a file to fit the rate to), not both"))
	case g.Monthly == nil && g.History == nil && g.HistoryFile == "":
		errs = append(errs, c.errorf("growth", "no growth model: give growth.monthly (a compound rate like 20%%/mo) or growth.history (a CSV of date,peak_rps to fit it to)"))
	}
	if c.Demand.PeakRPS <= 0 && g.History == nil && g.HistoryFile == "" {
		errs = append(errs, c.errorf("demand.peak_rps", "required: today's peak requests per second (or give growth.history, whose last row is taken)"))
	}
	b := &builder{cfg: c}
	if mi := b.measuredIndex(); mi >= 0 && c.Capacity.Units == 0 && c.Resources[mi].Units == 0 {
		key := yamlwalk.Index("resources", mi)
		errs = append(errs, c.errorf("capacity.units", "how many %s the capacity was measured on is missing: give capacity.units or %s.units", Plural(c.Resources[mi].Unit, 2), key))
	}
	if len(errs) == 0 {
		return nil
	}
	sortErrors(errs)
	return errs
}
