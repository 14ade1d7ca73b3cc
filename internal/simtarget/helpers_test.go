package simtarget

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// getAll sends n GETs to url from clients goroutines sharing client,
// reading each body; a failed request fails the test.
func getAll(t *testing.T, client *http.Client, url string, clients int, n int64) {
	t.Helper()
	var left atomic.Int64
	left.Store(n)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				resp, err := client.Get(url)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	}
	wg.Wait()
}
