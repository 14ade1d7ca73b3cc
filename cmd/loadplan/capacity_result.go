package main

import "context"

// capacityFromResult runs the capacity model on a result file's stress
// profile. A stub until the result-driven model lands.
func capacityFromResult(ctx context.Context, env *Env, args []string) error {
	return usagef("capacity from a result file needs a stress profile: not implemented yet")
}
