package main

import "context"

// cmdCompare compares two results. A stub until the comparison lands.
func cmdCompare(ctx context.Context, env *Env, args []string) error {
	return usagef("compare: not implemented yet")
}
