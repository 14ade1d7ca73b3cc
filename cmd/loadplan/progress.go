package main

import (
	"fmt"
	"io"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

// progressBars shows one bar per profile: elapsed of total time, offered
// load, achieved throughput, p95 and errors. Only on a terminal.
type progressBars struct {
	p *mpb.Progress
}

func newProgressBars(w io.Writer) *progressBars {
	return &progressBars{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(100), mpb.WithRefreshRate(200*time.Millisecond))}
}

func (b *progressBars) onProfile(p scenario.Profile, live func() runner.Live) func() {
	total := p.Duration()
	bar := b.p.AddBar(int64(total/time.Millisecond),
		mpb.PrependDecorators(decor.Name(fmt.Sprintf("%-8s", p.Name), decor.WC{W: 9})),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return progressLine(live()) })),
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				bar.SetCurrent(int64(live().Elapsed / time.Millisecond))
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		bar.SetTotal(-1, true)
	}
}

func (b *progressBars) wait() { b.p.Wait() }

// progressLine is a profile's live state on its progress bar: the last
// closed second's completions and their p95 — NoFigure when none of them
// succeeded, as there is then no latency to show.
func progressLine(l runner.Live) string {
	p95 := l.P95.Round(time.Microsecond * 10).String()
	if l.LastOK == 0 {
		p95 = report.NoFigure
	}
	return fmt.Sprintf("%s/%s  offered %.0f %s  completed %.0f/s  p95 %s  errors %d",
		l.Elapsed.Round(time.Second), l.Total, l.Offered, l.Unit, l.Throughput, p95, l.Errors)
}
