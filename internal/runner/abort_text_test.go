package runner

import (
	"strconv"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
)

// An abort condition prints as written: "error_rate: 7%" is read as 0.07,
// and 0.07*100 is 7.000000000000001 in floating point, which must not
// reach the output. Its measured values print like every other figure
// (units.Ms, units.Pct), not as Go durations such as 1.234567s.
func TestAbortTextAsWritten(t *testing.T) {
	for _, pct := range []string{"7", "14", "29", "57", "0.7", "50", "12.5"} {
		v, err := strconv.ParseFloat(pct, 64)
		if err != nil {
			t.Fatal(err)
		}
		c := scenario.AbortCondition{Metric: "error_rate", Above: v / 100, For: 10 * time.Second}
		if got, want := conditionText(c), "error_rate > "+pct+"% for 10s"; got != want {
			t.Errorf("condition %s%%: got %q, want %q", pct, got, want)
		}
	}
	w := metrics.Window{Count: 3, Errors: 1, P95: 1234567 * time.Microsecond, P99: 1500 * time.Microsecond}
	if _, got := abortValue("error_rate", w); got != "33.3%" {
		t.Errorf("error rate 1 of 3: got %q, want 33.3%%", got)
	}
	if _, got := abortValue("p95", w); got != "1.23s" {
		t.Errorf("p95 1.234567s: got %q, want 1.23s", got)
	}
	if _, got := abortValue("p99", w); got != "1.5ms" {
		t.Errorf("p99 1.5ms: got %q, want 1.5ms", got)
	}
}
