package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
	"github.com/loadplan/loadplan/internal/verdict"
)

// TestStartSimRefusesBadFlags: a 0 given is not a default, and the
// built-in bounds hold; both are usage errors and nothing listens.
func TestStartSimRefusesBadFlags(t *testing.T) {
	good := simtarget.Config{Workers: 4, ServiceTime: time.Millisecond, Distribution: "fixed", Queue: 10}
	for _, tc := range []struct {
		change func(*simtarget.Config)
		want   string
	}{
		{func(c *simtarget.Config) { c.Workers = 0 }, "workers"},
		{func(c *simtarget.Config) { c.Workers = scenario.MaxBuiltinWorkers + 1 }, "at most"},
		{func(c *simtarget.Config) { c.Queue = scenario.MaxBuiltinQueue + 1 }, "at most"},
	} {
		cfg := good
		tc.change(&cfg)
		srv, err := StartSim(cfg, "127.0.0.1:0")
		if srv != nil || verdict.ExitCode(err) != verdict.ExitUsage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, %v; want a usage error with %q", cfg, srv, err, tc.want)
		}
	}
}
