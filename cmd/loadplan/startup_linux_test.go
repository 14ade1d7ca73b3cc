package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestRunPreDialsByDefault (issue #18, ADR 0022): a plain `loadplan run`
// of the open model opens its first connections before the profile's
// clock starts, and sends nothing on them: the server counts exactly
// the run's requests. With --pre-dial 0 it opens none, as before.
func TestRunPreDialsByDefault(t *testing.T) {
	t.Parallel() // a 500 ms loopback run each; lateness limit 1 s
	for _, c := range []struct {
		args []string
		min  int64 // the fewest connections pre-dialled
	}{{nil, 1}, {[]string{"--pre-dial", "0"}, 0}} {
		var served atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }))
		env, stdout, stderr := testEnv(nil)
		args := append([]string{"run", "--url", srv.URL + "/x", "--rate", "200", "--duration", "500ms",
			"--out", t.TempDir(), "--json", "--max-lateness", "1s"}, c.args...)
		code := Run(context.Background(), args, env)
		srv.Close()
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr)
		}
		res, err := result.Parse("stdout", stdout.Bytes())
		if err != nil {
			t.Fatalf("%v: stdout is not a result document: %v", c.args, err)
		}
		g := res.Profiles[0].Generator
		if got := g.PreDialled; (c.min == 0 && got != 0) || got < c.min {
			t.Errorf("%v: %d connections opened before the clock, want at least %d (0 with --pre-dial 0)", c.args, got, c.min)
		}
		if n := res.Profiles[0].Total.Requests; n == 0 || served.Load() != n {
			t.Errorf("%v: the server counted %d requests, the run %d: something was sent on a pre-dialled connection", c.args, served.Load(), n)
		}
	}
}
