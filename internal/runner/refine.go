package runner

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/verdict"
)

// refineGap is the pause before each refinement step, so that what the
// step before left in flight has drained before it starts from idle.
const refineGap = time.Second

// refineSteps bisects a stress ramp's bracket (break.refine): each extra
// step offers the middle of the bracket the steps so far left, lasts a
// step_duration and starts from idle; its stage and windows are appended
// to the profile, after the ramp's planned end, marked as a refinement.
// It stops early when no step broke, the bracket closed (users: no whole
// number between), the run was stopped, an abort condition held, or a
// unique data source ran out (recorded in the profile's data_ran_out_s).
func refineSteps(ctx context.Context, opt Options, p scenario.Profile, prof result.Profile, doer engine.Doer,
	prepared []*engine.Prepared, weights []int) (result.Profile, *result.Abort, error) {
	if len(p.Stages) == 0 || prof.DataRanOut != nil {
		return prof, nil, nil // a ramp whose unique data ran out: a step would run empty
	}
	stepDur := p.Stages[len(p.Stages)-1].Duration
	for range p.Break.Refine {
		b := verdict.JudgeSteps(&prof).Bracket
		if b == nil || ctx.Err() != nil {
			break
		}
		mid, ok := refineLoad(&prof, b, p.Model == scenario.Closed)
		if !ok {
			break
		}
		t := time.NewTimer(refineGap)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
		if ctx.Err() != nil {
			break
		}
		one := p
		one.Stages = []scenario.Stage{{Load: mid, From: mid, Duration: stepDur}}
		one.Break.Refine = 0
		part, abort, err := runProfile(ctx, opt, one, doer, prepared, weights)
		if err != nil {
			return prof, nil, err
		}
		if err := appendStep(&prof, part); err != nil {
			return prof, nil, err
		}
		if abort != nil || part.Status != result.StatusComplete {
			prof.Status = part.Status
			return prof, abort, nil
		}
		if part.DataRanOut != nil {
			break // the unique data is gone: a further step would run empty
		}
	}
	return prof, nil, nil
}

// refineLoad is the load of the next refinement step, in the scenario's
// units: the middle of the stage loads of the bracket b's held and broken
// steps (users rounded). Not the bracket's offered figures: with flows
// those count requests (iterations × requests each,
// result.Profile.RequestsPerStart), and a flow's rate counts iterations, so the
// middle of 48 and 60 req/s offered (24 and 30 iterations/s, 2 requests
// each) was run at 54 iterations/s, above the broken step. ok is false
// when no load lies between them.
func refineLoad(prof *result.Profile, b *result.Bracket, closed bool) (mid float64, ok bool) {
	if b.HeldStep < 0 || b.BrokenStep < 0 || b.HeldStep >= len(prof.Stages) || b.BrokenStep >= len(prof.Stages) {
		return 0, false
	}
	held, broke := prof.Stages[b.HeldStep].Offered.Load, prof.Stages[b.BrokenStep].Offered.Load
	mid = (held + broke) / 2
	if closed {
		mid = math.Round(mid)
	}
	return mid, mid > held && mid < broke
}

// appendStep adds a one-stage run to a stepped profile as its next stage,
// placed in the timeline after every planned stage so far, and its
// figures to the profile's total, generator counts and notes.
func appendStep(prof *result.Profile, part result.Profile) error {
	var at result.Seconds
	for _, st := range prof.Stages {
		at += st.Offered.Duration
	}
	for _, st := range part.Stages {
		st.Index = len(prof.Stages)
		st.Refinement = true
		prof.Stages = append(prof.Stages, st)
	}
	for _, w := range part.Windows {
		w.Offset += at
		prof.Windows = append(prof.Windows, w)
	}
	prof.End = part.End
	appendMonitor(prof, part, at, len(prof.Stages)-len(part.Stages))
	g, pg := &prof.Generator, part.Generator
	g.AddCounts(pg)
	g.Engine, g.EngineNote = result.MergeEngines([]string{"the planned steps", fmt.Sprintf("refinement step %d", len(prof.Stages))}, []result.Generator{*g, pg})
	g.MaxInFlight = max(g.MaxInFlight, pg.MaxInFlight) // one after the other
	g.LatenessP99 = max(g.LatenessP99, pg.LatenessP99)
	g.LatenessMax = max(g.LatenessMax, pg.LatenessMax)
	step := fmt.Sprintf("refinement step %d", len(prof.Stages))
	if part.DataRanOut != nil {
		// The step's own run out, placed in the profile's timeline; its
		// note names the step, not "the profile".
		r := at + *part.DataRanOut
		prof.DataRanOut = &r
	}
	for _, n := range part.Notes {
		if part.DataRanOut != nil && strings.Contains(n, ranOutNote) {
			n = strings.Replace(n, ranOutNote, ": "+step+" stopped after", 1) + " (the refinement stopped there)"
		}
		if !slices.Contains(prof.Notes, n) {
			prof.Notes = append(prof.Notes, n)
		}
	}
	if err := prof.Total.AddAfter(part.Total, [2]string{"profile " + prof.Name + " total", step}); err != nil {
		return fmt.Errorf("profile %s: %w", prof.Name, err)
	}
	return nil
}
