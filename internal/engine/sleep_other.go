//go:build !linux

package engine

import "context"

// newSleeper returns the runtime timer's sleeper: the fine one is Linux's.
func newSleeper(context.Context) sleeper { return newTimerSleeper() }
