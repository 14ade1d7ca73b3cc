package engine

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
