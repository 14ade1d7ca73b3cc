package plan

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// wantErrors checks that err is an Errors whose messages start, in order,
// with want; what names the call and its other result for the message.
func wantErrors(t *testing.T, err error, what string, want []string) {
	t.Helper()
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("%s, %v; want Errors", what, err)
	}
	if len(es) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(es), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(es[i].Error(), w) {
			t.Errorf("error %d =\n  %q\nwant it to start\n  %q", i, es[i].Error(), w)
		}
	}
}

// historyCSV writes a history file of n monthly rows from first: start
// growing at monthly, November at nov times the trend (1: no season), each
// row times log-normal noise of sd noise drawn from rng.
func historyCSV(rng *rand.Rand, first Date, n int, start, monthly, nov, noise float64) string {
	var b strings.Builder
	b.WriteString("date,peak_rps\n")
	for i := 0; i < n; i++ {
		d := first.AddMonths(i)
		v := start * math.Pow(1+monthly, float64(i)) * math.Exp(noise*rng.NormFloat64())
		if d.Month() == time.November {
			v *= nov
		}
		fmt.Fprintf(&b, "%s,%.2f\n", d, v)
	}
	return b.String()
}

// syntheticHistory writes n monthly rows from 2025-01-01 growing at
// monthly, with multiplicative log-normal noise of sd noise, seeded.
func syntheticHistory(n int, start, monthly, noise float64, seed uint64) string {
	return historyCSV(rand.New(rand.NewPCG(seed, 7)), NewDate(2025, time.January, 1), n, start, monthly, 1, noise)
}

// seasonalHistory writes n monthly rows from first growing at monthly,
// with November at nov times the trend and log-normal noise of sd noise,
// seeded.
func seasonalHistory(first Date, n int, monthly, nov, noise float64, seed uint64) string {
	return historyCSV(rand.New(rand.NewPCG(seed, 11)), first, n, 1000, monthly, nov, noise)
}
