package metrics

import (
	"testing"
	"time"
)

// TestWindowErrorClasses: each second counts its errors by class, so a
// timeline can show which kind of failure came when.
func TestWindowErrorClasses(t *testing.T) {
	epoch := time.Unix(1_700_000_000, 0)
	rec := NewRecorder(Config{Names: []string{"a"}, Epoch: epoch, Shards: 2})
	classes := []ErrorClass{OK, Timeout, HTTP, HTTP, ConnRefused, OK}
	for sec := 0; sec < 2; sec++ {
		for i, c := range classes {
			if sec == 1 && c == Timeout {
				continue
			}
			at := int64(sec)*int64(time.Second) + int64(i)*int64(time.Millisecond)
			rec.Record(i, &Sample{Intended: at, Start: at, End: at + int64(time.Millisecond), Class: c, Status: 200})
		}
	}
	ws := rec.Close().Windows
	if len(ws) != 2 {
		t.Fatalf("%d windows, want 2", len(ws))
	}
	want := []map[string]int64{
		{"timeout": 1, "http": 2, "connection_refused": 1},
		{"http": 2, "connection_refused": 1},
	}
	for i, w := range ws {
		if len(w.ErrorClasses) != len(want[i]) {
			t.Errorf("second %d: classes %v, want %v", i, w.ErrorClasses, want[i])
		}
		for k, n := range want[i] {
			if w.ErrorClasses[k] != n {
				t.Errorf("second %d: %s = %d, want %d", i, k, w.ErrorClasses[k], n)
			}
		}
	}
}
