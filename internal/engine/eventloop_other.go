//go:build !linux

package engine

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
)

// eventLoop is Linux's only (epoll): elsewhere the open model always runs
// on the sender pool.
type eventLoop struct{}

func eventLoopTarget(opt *Options, fs *flowSet) (*eventLoop, string) {
	_, why := loopAddress(opt, fs)
	return nil, why
}

func runOpenLoop(context.Context, *runner, *eventLoop, scenario.Profile, *rand.Rand) (Stats, bool) {
	return Stats{}, false
}

func preDialLoop(*eventLoop, int, time.Duration) (int, error) { return 0, nil }

func closeLoop(*eventLoop) {}
