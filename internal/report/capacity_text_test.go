package report

import (
	"math"
	"testing"
)

// TestWaitText: a wait in seconds reads as a duration to four significant
// digits (moved with the Erlang view from cmd/loadplan).
func TestWaitText(t *testing.T) {
	for _, tt := range []struct {
		s    float64
		want string
	}{{0.0043527, "4.353ms"}, {0.1043527, "104.4ms"}, {187.836, "3m7.8s"}, {0, "0s"}, {math.Inf(1), "∞"}} {
		if got := waitText(tt.s); got != tt.want {
			t.Errorf("waitText(%g) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
