package main

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/ticker"
)

// progressBars shows one bar per profile: elapsed of total time, offered
// load, achieved throughput, p95 and errors; a finished bar shows the
// profile's totals instead. Only on a terminal.
type progressBars struct {
	p *mpb.Progress
}

func newProgressBars(w io.Writer) *progressBars {
	// Bars are made only for a terminal (Env.IsTerminal): refresh even when
	// w is not one mpb recognises (a test's buffer).
	return &progressBars{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(100), mpb.WithRefreshRate(200*time.Millisecond), mpb.WithAutoRefresh())}
}

func (b *progressBars) onProfile(p scenario.Profile, live func() runner.Live) func() {
	total := p.Duration()
	// final, once set, replaces the live line: the last second of a
	// finished profile ("offered 0 users, completed 4/s") reads like a
	// collapse, its totals do not.
	var final atomic.Pointer[string]
	line := func(decor.Statistics) string {
		if s := final.Load(); s != nil {
			return *s
		}
		return live().Line()
	}
	bar := b.p.AddBar(int64(total/time.Millisecond),
		mpb.PrependDecorators(decor.Name(fmt.Sprintf("%-8s", p.Name), decor.WC{W: 9})),
		mpb.AppendDecorators(decor.Any(line)),
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		ticker.Every(stop, 200*time.Millisecond, func(time.Time) { bar.SetCurrent(live().BarPosition()) })
	}()
	return func() {
		close(stop)
		<-done
		totals := live().Totals()
		final.Store(&totals)
		bar.SetTotal(-1, true)
	}
}

func (b *progressBars) wait() { b.p.Wait() }
