package main

import (
	"context"
	"fmt"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
)

func cmdSim(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "sim", "[flags]")
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	var cfg simtarget.Config
	fs.IntVar(&cfg.Workers, "workers", 16, "requests served at once")
	fs.DurationVar(&cfg.ServiceTime, "service-time", 10*time.Millisecond, "mean service time")
	fs.StringVar(&cfg.Distribution, "distribution", "exponential", "service-time distribution: fixed, exponential, lognormal")
	fs.IntVar(&cfg.Queue, "queue", 1000, "requests that may wait for a worker before the service answers 503")
	fs.Float64Var(&cfg.Sigma, "sigma", 0, "USL contention penalty σ (>= 0)")
	fs.Float64Var(&cfg.Kappa, "kappa", 0, "USL coherence penalty κ (>= 0)")
	fs.Int64Var(&cfg.Seed, "seed", 1, "random seed")
	if err := parseArgs(fs, args, 0, 0, "sim takes no arguments, got %d"); err != nil {
		return err
	}
	// Validate the flags as given: Normalize would turn a 0 into a default.
	if err := cfg.Validate(); err != nil {
		return &UsageError{Err: err}
	}
	if cfg.Workers > scenario.MaxBuiltinWorkers || cfg.Queue > scenario.MaxBuiltinQueue {
		return usagef("--workers %d --queue %d: at most %d workers and a queue of %d (the service allocates both up front)", cfg.Workers, cfg.Queue, scenario.MaxBuiltinWorkers, scenario.MaxBuiltinQueue)
	}
	srv, err := simtarget.Start(cfg, *listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *listen, err)
	}
	fmt.Fprintf(env.Stdout, "loadplan sim: serving %s — %d workers, %s %s service time, queue %d, σ %g, κ %g: capacity %.0f req/s\n",
		srv.URL, cfg.Workers, cfg.ServiceTime, cfg.Distribution, cfg.Queue, cfg.Sigma, cfg.Kappa, cfg.Capacity())
	fmt.Fprintln(env.Stdout, "Press Ctrl-C to stop.")
	select {
	case <-ctx.Done():
	case <-env.Signals:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st := srv.Server.Stats()
	fmt.Fprintf(env.Stdout, "loadplan sim: served %d, rejected %d\n", st.Served, st.Rejected)
	return srv.Shutdown(sctx)
}
