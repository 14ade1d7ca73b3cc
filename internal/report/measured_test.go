package report

import (
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// A failed check whose figure rounds to its limit must not read as its
// limit ("measured 1%, limit <= 1%"): it gets the digits that set it apart.
// A passing one, or one that already reads apart, prints as before.
func TestMeasuredFailedReadsApartFromLimit(t *testing.T) {
	tests := []struct {
		c    result.Check
		want string
	}{
		{result.Check{Measured: 0.01004, Limit: 0.01, Op: "<=", Unit: "ratio"}, "measured 1.004%, limit <= 1%"},
		{result.Check{Measured: 100.031, Limit: 100, Op: "<=", Unit: "ms"}, "measured 100.031ms, limit <= 100ms"},
		{result.Check{Measured: 10.04, Limit: 10, Op: "<=", Unit: "s"}, "measured 10.04s, limit <= 10.0s"},
		{result.Check{Measured: 999.96, Limit: 1000, Op: ">=", Unit: "req/s"}, "measured 999.96/s, limit >= 1000.0/s"},
		{result.Check{Measured: 0.02, Limit: 0.01, Op: "<=", Unit: "ratio"}, "measured 2%, limit <= 1%"},
		{result.Check{Measured: 0.01, Limit: 0.01, Op: "<=", Unit: "ratio", Pass: true}, "measured 1%, limit <= 1%"},
	}
	for _, tt := range tests {
		if got := Measured(tt.c); got != tt.want {
			t.Errorf("Measured(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}
