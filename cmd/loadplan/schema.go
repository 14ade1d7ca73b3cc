package main

import (
	"context"

	"github.com/loadplan/loadplan/internal/scenario"
)

func cmdSchema(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "schema", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("schema takes no arguments")
	}
	_, err := env.Stdout.Write(scenario.Schema())
	return err
}
