package runner

import (
	"fmt"

	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
	"github.com/loadplan/loadplan/internal/units"
	"github.com/loadplan/loadplan/internal/verdict"
)

// StartSim starts `loadplan sim`'s simulated service on addr. cfg is
// checked as given (Normalize would turn a 0 into a default) and held to
// the built-in target's bounds (the service allocates its workers and
// queue up front); a mistake is a usage error. A queue of 0 is no waiting
// room (simtarget.NoQueue), not the default, as in a scenario's builtin. errorRate, a percentage or
// a fraction ("" for none), becomes cfg.ErrorRate.
func StartSim(cfg simtarget.Config, errorRate, addr string) (*simtarget.Running, error) {
	if errorRate != "" {
		v, _, err := units.ParseShare(errorRate)
		if err != nil || v < 0 || v > 1 {
			return nil, verdict.Usagef("--error-rate %q: want a percentage from 0%% to 100%% (such as 5%%) or a fraction from 0 to 1", errorRate)
		}
		cfg.ErrorRate = v
	}
	if err := cfg.Validate(); err != nil {
		return nil, &verdict.UsageError{Err: err}
	}
	if cfg.Workers > scenario.MaxBuiltinWorkers || cfg.Queue > scenario.MaxBuiltinQueue {
		return nil, verdict.Usagef("--workers %d --queue %d: at most %d workers and a queue of %d (the service allocates both up front)", cfg.Workers, cfg.Queue, scenario.MaxBuiltinWorkers, scenario.MaxBuiltinQueue)
	}
	if cfg.Queue == 0 {
		cfg.Queue = simtarget.NoQueue // --queue 0: no waiting room, as a scenario's builtin queue: 0
	}
	srv, err := simtarget.Start(cfg, addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return srv, nil
}
