package race

import "testing"

func TestSizeAndLeaveOut(t *testing.T) {
	want, kept := 10, 6 // without -race: full size, every case
	if Enabled {
		want, kept = 2, 2 // cases 0 and 3 of 6
	}
	if got := Size(10, 2); got != want {
		t.Errorf("Size(10, 2) = %d, want %d (race %v)", got, want, Enabled)
	}
	n := 0
	for i := range 6 {
		if !LeaveOut(i, 3) {
			n++
		}
	}
	if n != kept || LeaveOut(0, 3) {
		t.Errorf("LeaveOut(i, 3) kept %d of 6 cases (case 0 left out: %v), want %d (race %v)", n, LeaveOut(0, 3), kept, Enabled)
	}
}
