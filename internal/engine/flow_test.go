package engine

import (
	"context"
	"testing"

	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/scenario"
)

// TestPlainIterationDoesNotAllocate: a request of a requests: list runs as
// an iteration of a one-step flow, and that path allocates nothing.
func TestPlainIterationDoesNotAllocate(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	r := nopRunner(t)
	u := r.newVU(newTestRand())
	ctx := context.Background()
	intended := r.now()
	r.iterate(ctx, 0, 0, 0, intended, u, true) // warm the window
	if n := testing.AllocsPerRun(1000, func() { r.iterate(ctx, 0, 0, 0, intended, u, true) }); n != 0 {
		t.Errorf("a plain iteration allocates %v times, want 0", n)
	}
	if fs := r.flows.stats()[0]; fs.Started != 0 {
		t.Errorf("flow counts %+v: a requests: list alone counts no iterations", fs)
	}
	// With flows: given, a plain flow counts its iterations, still without
	// allocating.
	r.opt.Flows = r.flows.flows
	fs, err := newFlowSet(&r.opt)
	if err != nil {
		t.Fatal(err)
	}
	r.flows = fs
	if n := testing.AllocsPerRun(1000, func() { r.iterate(ctx, 0, 0, 0, intended, u, true) }); n != 0 {
		t.Errorf("a counted plain iteration allocates %v times, want 0", n)
	}
	if st := r.flows.stats()[0]; st.Started != st.Completed || st.Started < 1000 {
		t.Errorf("flow counts %+v", st)
	}
}

// TestDataModes: sequential goes round, unique gives each row once and
// then nothing (stop) or starts again (recycle), random stays in range.
func TestDataModes(t *testing.T) {
	rows := [][]string{{"a"}, {"b"}, {"c"}}
	rng := newTestRand()
	draw := func(mode string, recycle bool, n int) string {
		ds := NewDataSet([]*scenario.DataSource{{Name: "d", Mode: mode, Recycle: recycle, Columns: []string{"x"}, Rows: rows}}, Segment{})
		out := ""
		for i := 0; i < n; i++ {
			row, ok := ds.cursors[0].row(rng)
			if !ok {
				out += "-"
				continue
			}
			out += row[0]
		}
		return out
	}
	for _, tc := range []struct {
		mode    string
		recycle bool
		want    string
	}{
		{scenario.DataSequential, false, "abcab"},
		{scenario.DataUnique, false, "abc--"},
		{scenario.DataUnique, true, "abcab"},
	} {
		if got := draw(tc.mode, tc.recycle, 5); got != tc.want {
			t.Errorf("%s recycle %v: drew %s, want %s", tc.mode, tc.recycle, got, tc.want)
		}
	}
	seen := map[byte]bool{}
	for _, c := range []byte(draw(scenario.DataRandom, false, 200)) {
		seen[c] = true
	}
	if len(seen) != 3 {
		t.Errorf("random drew %v, want all of a, b, c", seen)
	}
}

// TestUniqueDataSplitBySegment: in a split run, each segment draws its own
// share of a unique source's rows, so no row is used by two segments.
func TestUniqueDataSplitBySegment(t *testing.T) {
	src := &scenario.DataSource{Name: "d", Mode: scenario.DataUnique, Columns: []string{"x"}, Rows: [][]string{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}}}
	got := map[string]int{}
	for k := 1; k <= 2; k++ {
		ds := NewDataSet([]*scenario.DataSource{src}, Segment{Index: k, Count: 2})
		for {
			row, ok := ds.cursors[0].row(nil)
			if !ok {
				break
			}
			got[row[0]]++
		}
	}
	if len(got) != 5 {
		t.Errorf("rows drawn %v, want each of 5 once", got)
	}
	for r, n := range got {
		if n != 1 {
			t.Errorf("row %s drawn %d times", r, n)
		}
	}
}

// BenchmarkBookkeepingIteration is BenchmarkBookkeeping through the
// iteration path a requests: list takes (a plain one-step flow): the
// difference is the flow's own bookkeeping.
func BenchmarkBookkeepingIteration(b *testing.B) {
	r := nopRunner(b)
	u := r.newVU(newTestRand())
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	intended := r.now()
	for i := 0; i < b.N; i++ {
		r.iterate(ctx, 0, 0, 0, intended, u, true)
		intended += 100_000 // 10,000 req/s
	}
}
