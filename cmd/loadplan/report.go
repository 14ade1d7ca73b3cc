package main

import "context"

// cmdReport re-renders a stored result. A stub until the renderers land.
func cmdReport(ctx context.Context, env *Env, args []string) error {
	return usagef("report: not implemented yet")
}
