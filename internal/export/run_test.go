package export

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

// TestStartRunChainsAndFinishRecords: no export without a flag; with one,
// the export follows each profile after what was there (the progress
// bars), and what it could not send (a remote-write server that refuses:
// port 1 on loopback) is returned and recorded as the result's warning.
func TestStartRunChainsAndFinishRecords(t *testing.T) {
	var opt runner.Options
	if exp, err := StartRun(Options{}, "x", &opt); exp != nil || err != nil || opt.OnProfile != nil {
		t.Fatalf("no flag: %v, %v", exp, err)
	}
	if err := (*Exporter)(nil).Finish(&result.Result{}); err != nil {
		t.Errorf("Finish of no export: %v", err)
	}
	var calls []string
	opt.OnProfile = func(p scenario.Profile, _ func() runner.Live) func() {
		calls = append(calls, "bars "+p.Name)
		return func() { calls = append(calls, "bars done") }
	}
	exp, err := StartRun(Options{RemoteWrite: "http://127.0.0.1:1/api/v1/write", Interval: time.Hour}, "x", &opt)
	if err != nil {
		t.Fatal(err)
	}
	done := opt.OnProfile(scenario.Profile{Name: "baseline"}, func() runner.Live { return runner.Live{Unit: "req/s", Epoch: time.Unix(100, 0)} })
	done()
	if strings.Join(calls, ", ") != "bars baseline, bars done" {
		t.Errorf("the progress bars' hooks: %q", calls)
	}
	res := &result.Result{}
	err = exp.Finish(res)
	if err == nil || len(res.Warnings) != 1 || res.Warnings[0] != "live export: "+err.Error() || !strings.Contains(err.Error(), "pushes dropped") {
		t.Errorf("Finish: %v; warnings %q", err, res.Warnings)
	}
}
