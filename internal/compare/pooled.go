package compare

import (
	"context"
	"fmt"
	"strings"
)

// pooledSides are the two sides of the bootstrap of the figure itself
// (Metric.Pooled): the compared windows of the strata thick enough to
// resample (thickStrata). partial says some strata were left out (thin):
// the figure it tests is then over the others' seconds, not the table's.
type pooledSides struct {
	old, new *histSide
	pool     *pool
	thin     []int
	partial  bool
}

// newPooledSides readies the bootstrap of the figure itself over strata;
// oh and nh resample all of them and serve when none is thin. Nil when no
// stratum is thick enough.
func newPooledSides(p *pool, strata []stratum, oh, nh *histSide) *pooledSides {
	oldWs, newWs, thin := thickStrata(strata)
	if len(oldWs) == 0 {
		return nil
	}
	if len(thin) == 0 {
		return &pooledSides{old: oh, new: nh, pool: p}
	}
	return &pooledSides{old: newHistSide(p, oldWs), new: newHistSide(p, newWs), pool: p, thin: thin, partial: true}
}

// figures is the q quantile (ms) over each side's resampled windows, all
// once.
func (ps *pooledSides) figures(q int64) (oldV, newV float64) {
	out := make([]int64, 1)
	ps.old.all().quantiles(ps.pool, []int64{q}, out)
	oldV = usMs(out[0])
	ps.new.all().quantiles(ps.pool, []int64{q}, out)
	return oldV, usMs(out[0])
}

// test is the bootstrap of row m's figure, the q quantile, its
// differences widened by the seconds' serial factor f (widen).
func (ps *pooledSides) test(ctx context.Context, m *Metric, q int64, f float64, profile string, opt Options) *PooledTest {
	diffs := bootstrap(ctx, rngFor(opt.Seed, profile, "pooled "+m.Name), opt.Resamples, ps.old.quantileDraw(q), ps.new.quantileDraw(q))
	if !ps.partial {
		return pooledTest(widen(diffs, m.Change, f), opt)
	}
	oldV, newV := ps.figures(q)
	t := pooledTest(widen(diffs, newV-oldV, f), opt)
	if t != nil {
		t.Old, t.New, t.LeftOut = &oldV, &newV, ps.thin
	}
	return t
}

// pooledNote says which stages the bootstrap of the figure itself left
// out, and why, or that it was not computed (ps nil); empty when it used
// every stage.
func pooledNote(ps *pooledSides, strata []stratum) string {
	why := fmt.Sprintf("fewer than %d steady seconds a side, too few to see how much the figure varies", minWindows)
	switch {
	case ps == nil && len(strata) > 0:
		return "the bootstrap of p95 and p99 themselves (over the seconds) was not computed: every compared stage has " + why
	case ps == nil || !ps.partial:
		return ""
	}
	stages := make([]string, len(ps.thin))
	for i, s := range ps.thin {
		stages[i] = fmt.Sprint(s)
	}
	return fmt.Sprintf("the bootstrap of p95 and p99 themselves (over the seconds) left out stage(s) %s, with %s; its figures are the other stages'",
		strings.Join(stages, ", "), why)
}
