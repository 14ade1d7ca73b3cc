package main

import (
	"context"
	"fmt"

	"github.com/loadplan/loadplan/internal/scenario"
)

func cmdValidate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "validate", "SCENARIO.yaml [SCENARIO.yaml ...]")
	quiet := fs.BoolP("quiet", "q", false, "print nothing for valid files")
	if err := parseArgs(fs, args, 1, -1, "validate needs at least one scenario file"); err != nil {
		return err
	}
	var bad []error
	for _, path := range fs.Args() {
		sc, err := scenario.Load(path, env.LookupEnv)
		if err == nil {
			_, err = checkRunPlan(sc)
		}
		if err != nil {
			fmt.Fprintln(env.Stderr, err)
			bad = append(bad, err)
			continue
		}
		if !*quiet {
			var names []string
			for _, p := range sc.Profiles {
				names = append(names, fmt.Sprintf("%s (%s, %d stages, %s)", p.Name, p.Model, len(p.Stages), p.Duration()))
			}
			fmt.Fprintf(env.Stdout, "%s: ok: %q, %d requests, profiles: %v\n", path, sc.Name, len(sc.Requests), names)
		}
	}
	if len(bad) > 0 {
		return &ExitError{Code: ExitUsage} // each error was printed above
	}
	return nil
}
