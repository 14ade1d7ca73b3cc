package main

import (
	"context"

	"github.com/loadplan/loadplan/internal/scenario"
)

func cmdSchema(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "schema", "")
	if err := parseArgs(fs, args, 0, 0, "schema takes no arguments"); err != nil {
		return err
	}
	_, err := env.Stdout.Write(scenario.Schema())
	return err
}
