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

// wantRejected sends one more request to url and fails t unless the
// service turns it away with 503; what names the request in the message.
func wantRejected(t *testing.T, client *http.Client, url, what string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("%s got %d, want 503", what, resp.StatusCode)
	}
}
