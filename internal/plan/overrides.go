package plan

import "fmt"

// Overrides replace parts of a plan's configuration, as `loadplan plan`'s
// flags ask; an empty field leaves its part as configured.
type Overrides struct {
	Horizon string // months to plan: 12mo, 18mo, 2y
	Growth  string // compound growth: 20%/mo, 150%/y
	History string // a CSV of date,peak_rps to fit the growth to
}

// Apply applies o to cfg; each error names its flag. Growth and History
// both replace the growth (the command line refuses both; History would
// win).
func (o Overrides) Apply(cfg *Config) error {
	if o.Horizon != "" {
		n, err := ParseHorizon(o.Horizon)
		if err != nil {
			return fmt.Errorf("--horizon: %w", err)
		}
		cfg.Horizon = n
	}
	if o.Growth != "" {
		r, err := ParseRate(o.Growth)
		if err != nil {
			return fmt.Errorf("--growth: %w", err)
		}
		cfg.Growth.Monthly, cfg.Growth.History, cfg.Growth.HistoryFile = &r, nil, ""
	}
	if o.History != "" {
		obs, err := LoadHistory(o.History)
		if err != nil {
			return err
		}
		cfg.Growth.Monthly, cfg.Growth.History, cfg.Growth.HistoryFile = nil, obs, o.History
	}
	return nil
}
