package export

import (
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

// StartRun starts the live export of a run of the scenario named name
// when o asks for it (a listen address or a remote-write URL), chained
// after opt.OnProfile (the progress bars); nil when o asks for none.
func StartRun(o Options, name string, opt *runner.Options) (*Exporter, error) {
	if o.Listen == "" && o.RemoteWrite == "" {
		return nil, nil
	}
	o.Labels = map[string]string{"scenario": name}
	exp, err := Start(o)
	if err != nil {
		return nil, err
	}
	prev := opt.OnProfile
	opt.OnProfile = func(p scenario.Profile, live func() runner.Live) func() {
		d := exp.OnProfile(p, live)
		if prev == nil {
			return d
		}
		pd := prev(p, live)
		return func() { d(); pd() }
	}
	return exp, nil
}

// Finish flushes the export of a run (nil: none) and returns what it
// could not send, recorded as a warning in res when res is not nil.
func (e *Exporter) Finish(res *result.Result) error {
	if e == nil {
		return nil
	}
	err := e.Close()
	if err != nil && res != nil {
		res.Warnings = append(res.Warnings, "live export: "+err.Error())
	}
	return err
}
