package runner

import (
	"fmt"

	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
	"github.com/loadplan/loadplan/internal/verdict"
)

// StartSim starts `loadplan sim`'s simulated service on addr. cfg is
// checked as given (Normalize would turn a 0 into a default) and held to
// the built-in target's bounds (the service allocates its workers and
// queue up front); a mistake is a usage error.
func StartSim(cfg simtarget.Config, addr string) (*simtarget.Running, error) {
	if err := cfg.Validate(); err != nil {
		return nil, &verdict.UsageError{Err: err}
	}
	if cfg.Workers > scenario.MaxBuiltinWorkers || cfg.Queue > scenario.MaxBuiltinQueue {
		return nil, verdict.Usagef("--workers %d --queue %d: at most %d workers and a queue of %d (the service allocates both up front)", cfg.Workers, cfg.Queue, scenario.MaxBuiltinWorkers, scenario.MaxBuiltinQueue)
	}
	srv, err := simtarget.Start(cfg, addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return srv, nil
}
