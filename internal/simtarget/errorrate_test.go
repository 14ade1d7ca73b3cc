package simtarget

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestErrorRate: Config.ErrorRate is the share of requests answered 500
// after their service, counted as Failed, never as Served. 4,000 requests
// at 5%: 200 expected, a standard deviation of 13.8; the bounds are ±5 of
// them. At 0 none fails, at 1 every one does.
func TestErrorRate(t *testing.T) {
	for _, tc := range []struct {
		rate     float64
		min, max int64
	}{{0, 0, 0}, {0.05, 131, 269}, {1, 4000, 4000}} {
		s := New(Config{Workers: 8, ServiceTime: 100 * time.Microsecond, Distribution: Fixed, ErrorRate: tc.rate})
		const n = 4000
		var codes [600]atomic.Int64
		var left atomic.Int64
		left.Store(n)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					w := httptest.NewRecorder()
					s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
					codes[w.Code].Add(1)
				}
			})
		}
		wg.Wait()
		st := s.Stats()
		failed, ok := codes[http.StatusInternalServerError].Load(), codes[http.StatusOK].Load()
		if failed < tc.min || failed > tc.max || failed+ok != n || st.Failed != failed || st.Served != ok {
			t.Errorf("error rate %v: %d answered 500 and %d 200 of %d (stats: %+v); want %d to %d answered 500, the rest 200",
				tc.rate, failed, ok, n, st, tc.min, tc.max)
		}
	}
}
