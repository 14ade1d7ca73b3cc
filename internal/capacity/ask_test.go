package capacity

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCountedResamples(t *testing.T) {
	for n, want := range map[int]int{0: -1, 1: 1, 500: 500, MaxResamples: MaxResamples} {
		opt, err := CountedResamples(7, n)
		if err != nil || opt.Resamples != want || opt.Seed != 7 {
			t.Errorf("CountedResamples(7, %d) = %+v, %v; want %d resamples", n, opt, err, want)
		}
	}
	for _, n := range []int{-1, MaxResamples + 1} {
		var ie *InputError
		if _, err := CountedResamples(0, n); !errors.As(err, &ie) || !strings.Contains(err.Error(), "--resamples") {
			t.Errorf("CountedResamples(0, %d): %v, want an InputError", n, err)
		}
	}
}

func TestFitFile(t *testing.T) {
	var ie *InputError
	if _, err := FitFile(context.Background(), filepath.Join(t.TempDir(), "nope.csv"), FitOptions{}); !errors.As(err, &ie) {
		t.Errorf("a missing file: %v, want an InputError", err)
	}
	// A straight line through the origin, 50 req/s per unit: the linear
	// model, whose slope is λ.
	path := filepath.Join(t.TempDir(), "points.csv")
	if err := os.WriteFile(path, []byte("1,50\n2,100\n4,200\n8,400\n16,800\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := FitFile(context.Background(), path, FitOptions{Resamples: -1})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(u.Lambda-50) > 0.01 {
		t.Errorf("λ %g, want 50", u.Lambda)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := FitFile(ctx, path, FitOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("a done context: %v", err)
	}
}

// TestErlangRequest: the Call Centre Helper example (erlang_test.go): 10
// erlangs on 14 servers wait with probability 0.1741; and each way of
// asking no question, or two, is an InputError.
func TestErlangRequest(t *testing.T) {
	given := func(names ...string) func(string) bool {
		return func(n string) bool {
			for _, g := range names {
				if g == n {
					return true
				}
			}
			return false
		}
	}
	rep, err := ErlangRequest{Rate: 100, ServiceTime: 1e8, Servers: 14, Given: given("rate", "service-time", "servers")}.Answer()
	if err != nil || rep.Servers != 14 || math.Round(rep.ProbWait*10000) != 1741 {
		t.Errorf("14 servers: %+v, %v", rep, err)
	}
	rep, err = ErlangRequest{Rate: 1500, ServiceTime: 1e7, ResponseWithin: 4e7, Target: 0.95, Given: given("rate", "service-time", "response-within", "target")}.Answer()
	if err != nil || rep.Servers != 17 || rep.Answers != "response" || rep.ServiceLevel != nil {
		t.Errorf("p95 response ≤ 40ms: %+v, %v", rep, err)
	}
	for _, tt := range []struct {
		r    ErlangRequest
		want string
	}{
		{ErlangRequest{Rate: 100, ServiceTime: 1e8, Given: given()}, "exactly one of"},
		{ErlangRequest{Rate: 100, ServiceTime: 1e8, Servers: 2, TargetWait: 1e6, Given: given("servers", "target-wait")}, "exactly one of"},
		{ErlangRequest{Rate: 100, ServiceTime: 1e8, Target: 0.9, Given: given("target")}, "--target P needs --response-within T"},
		{ErlangRequest{Rate: 100, ServiceTime: 1e8, Target: 0.9, Within: 1e9, ResponseWithin: 1e9, Given: given("target", "within", "response-within")}, "not both"},
		{ErlangRequest{Rate: 100, ServiceTime: 1e8, TargetWait: 1e9, ResponseWithin: 1e9, Given: given("target-wait", "response-within")}, "not with --target-wait"},
		{ErlangRequest{Rate: 100, ServiceTime: 1e8, Target: 0.9, ResponseWithin: -1, Given: given("target", "response-within")}, "--response-within must be greater than zero"},
		{ErlangRequest{Rate: 100, ServiceTime: 1e8, TargetWait: 1e9, Within: 1e9, Given: given("target-wait", "within")}, "not with --target-wait"},
		{ErlangRequest{Rate: -1, ServiceTime: 1e8, Servers: 2, Given: given("servers")}, "arrival rate"},
		{ErlangRequest{Rate: 100, ServiceTime: 1e8, Servers: MaxServers + 1, Given: given("servers")}, "--servers must be from 1 to"},
		{ErlangRequest{Rate: 100, ServiceTime: 1e8, Servers: 9, Given: given("servers")}, "unstable"},
	} {
		var ie *InputError
		if _, err := tt.r.Answer(); !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want an InputError saying %q", tt.r, err, tt.want)
		}
	}
}
