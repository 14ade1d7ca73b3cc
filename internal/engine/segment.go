package engine

import (
	"fmt"
	"strconv"
	"strings"
)

// Segment is one share of a run split across processes or machines: the
// Index-th of Count (1 ≤ Index ≤ Count). The open model's rate is divided
// evenly and each segment's schedule is shifted by Index−1 Count-ths of a
// request, so that together they interleave exactly like one schedule; the
// closed model's users are divided with the remainder spread over the first
// segments.
type Segment struct {
	Index, Count int
}

func (s Segment) scale() float64 {
	if s.Count <= 1 {
		return 1
	}
	return 1 / float64(s.Count)
}

func (s Segment) phase() float64 {
	if s.Count <= 1 {
		return 0
	}
	return float64(s.Index-1) / float64(s.Count)
}

// Users is this segment's share of total virtual users.
func (s Segment) Users(total int) int {
	if s.Count <= 1 {
		return total
	}
	n := total / s.Count
	if s.Index-1 < total%s.Count {
		n++
	}
	return n
}

// ParseSegment reads a segment given as "I/N" (1 ≤ I ≤ N), or "k8s/N",
// which takes I from a Kubernetes Indexed Job's completion index (0-based;
// jobIndex is $JOB_COMPLETION_INDEX). An empty s is the whole run.
func ParseSegment(s, jobIndex string) (Segment, error) {
	if s == "" {
		return Segment{Index: 1, Count: 1}, nil
	}
	bad := fmt.Errorf("--segment %q: want I/N with 1 <= I <= N, e.g. 2/8", s)
	is, ns, ok := strings.Cut(s, "/")
	n, nerr := strconv.Atoi(ns)
	if !ok || nerr != nil || n < 1 {
		return Segment{}, bad
	}
	if is == "k8s" {
		k, err := strconv.Atoi(jobIndex)
		if err != nil || k < 0 || k >= n {
			return Segment{}, fmt.Errorf("--segment k8s/%d: JOB_COMPLETION_INDEX=%q is not an index from 0 to %d", n, jobIndex, n-1)
		}
		return Segment{Index: k + 1, Count: n}, nil
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 1 || i > n {
		return Segment{}, bad
	}
	return Segment{Index: i, Count: n}, nil
}
