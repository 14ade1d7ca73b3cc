package engine

import (
	"strings"
	"testing"
)

// TestParseSegment: I/N within 1..N, k8s/N from the 0-based job index,
// and every other form refused naming the flag.
func TestParseSegment(t *testing.T) {
	for _, tt := range []struct {
		s, index string
		want     Segment
	}{
		{"", "", Segment{1, 1}}, {"2/8", "", Segment{2, 8}}, {"1/1", "7", Segment{1, 1}},
		{"k8s/4", "0", Segment{1, 4}}, {"k8s/4", "3", Segment{4, 4}},
	} {
		if got, err := ParseSegment(tt.s, tt.index); err != nil || got != tt.want {
			t.Errorf("ParseSegment(%q, %q) = %+v, %v; want %+v", tt.s, tt.index, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ s, index, want string }{
		{"0/8", "", `--segment "0/8": want I/N`}, {"9/8", "", `--segment "9/8"`}, {"2", "", `--segment "2"`},
		{"2/0", "", `--segment "2/0"`}, {"k8s/4", "4", `JOB_COMPLETION_INDEX="4" is not an index from 0 to 3`},
		{"k8s/4", "", `--segment k8s/4: JOB_COMPLETION_INDEX=""`},
	} {
		if _, err := ParseSegment(tt.s, tt.index); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSegment(%q, %q) = %v, want an error saying %q", tt.s, tt.index, err, tt.want)
		}
	}
}
