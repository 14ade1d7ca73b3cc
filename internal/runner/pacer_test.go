package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/verdict"
)

// TestPacerEarly: --pacer-early's default is half the quantum (1 ms: 0.5
// ms early at most, 0.5 ms late), 0 is never early (the behaviour before
// the allowance), an explicit allowance stands, and one past the quantum
// or negative is a usage error.
func TestPacerEarly(t *testing.T) {
	for _, c := range []struct {
		quantum, early, want time.Duration
	}{
		{time.Millisecond, PacerEarlyHalf, 500 * time.Microsecond},
		{time.Millisecond, 0, 0},
		{2 * time.Millisecond, 300 * time.Microsecond, 300 * time.Microsecond},
		{0, PacerEarlyHalf, 0},
	} {
		r := quickRequest(t)
		r.PacerQuantum, r.PacerEarly = c.quantum, c.early
		p, err := Prepare(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Run.PacerEarly; got != c.want {
			t.Errorf("quantum %v, --pacer-early %v: allowance %v, want %v", c.quantum, c.early, got, c.want)
		}
	}
	for _, early := range []time.Duration{2 * time.Millisecond, -2} {
		r := quickRequest(t)
		r.PacerQuantum, r.PacerEarly = time.Millisecond, early
		_, err := Prepare(r)
		if verdict.ExitCode(err) != verdict.ExitUsage || !strings.Contains(err.Error(), "--pacer-early") {
			t.Errorf("--pacer-early %v: %v, want a usage error naming it", early, err)
		}
	}
}
