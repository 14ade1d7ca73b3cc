package capacity

import (
	"context"
	"fmt"
	"os"
	"time"
)

// CountedResamples is the fit's options from a command's --seed and
// --resamples, where 0 resamples means no intervals (in FitOptions, the
// default); out of range is an *InputError.
func CountedResamples(seed uint64, resamples int) (FitOptions, error) {
	if resamples < 0 || resamples > MaxResamples {
		return FitOptions{}, inputErrorf("--resamples %d: want 0 to %d (0: no intervals)", resamples, MaxResamples)
	}
	opt := FitOptions{Seed: seed, Resamples: resamples}
	if resamples == 0 {
		opt.Resamples = -1 // the zero value means "default"
	}
	return opt, nil
}

// FitFile fits the models to the points of a concurrency,throughput file
// (ReadPoints). A file that cannot be read, or points no model fits, is
// an *InputError; when ctx is done, ctx's error.
func FitFile(ctx context.Context, path string, opt FitOptions) (*USL, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Msg: err.Error()}
	}
	defer f.Close()
	points, err := ReadPoints(path, f)
	if err != nil {
		return nil, err
	}
	u, err := FitContext(ctx, points, opt)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return u, nil
}

// ErlangRequest is `loadplan capacity erlang`'s flags; Given says whether
// the flag of that name was given.
type ErlangRequest struct {
	Rate               float64
	ServiceTime        time.Duration
	Servers            int
	TargetWait, Within time.Duration
	ResponseWithin     time.Duration // --response-within: the response-time counterpart of --within
	Target             float64
	Given              func(flag string) bool
}

// Answer checks that the flags ask one question (--servers, --target-wait,
// or --within or --response-within with --target) of a valid queue and
// answers it (Erlang).
// Every mistake is an *InputError.
func (r ErlangRequest) Answer() (ErlangReport, error) {
	modes := 0
	for _, name := range []string{"servers", "target-wait", "target"} {
		if r.Given(name) {
			modes++
		}
	}
	switch {
	case modes != 1:
		return ErlangReport{}, inputErrorf("capacity erlang needs exactly one of --servers C, --target-wait W, --within T --target P, or --response-within T --target P")
	case r.Given("target") && !r.Given("within") && !r.Given("response-within"):
		return ErlangReport{}, inputErrorf("--target P needs --response-within T (the response time, wait + service, that P of requests must not exceed) or --within T (the wait before service)")
	case r.Given("target") && r.Given("within") && r.Given("response-within"):
		return ErlangReport{}, inputErrorf("--target P goes with one of --within T (the wait before service) and --response-within T (the response time), not both")
	case r.Given("target-wait") && (r.Given("within") || r.Given("response-within")):
		return ErlangReport{}, inputErrorf("--within and --response-within go with --target or --servers, not with --target-wait")
	case r.Given("response-within") && r.ResponseWithin <= 0:
		return ErlangReport{}, inputErrorf("--response-within must be greater than zero, got %s", r.ResponseWithin)
	}
	q := Queue{ArrivalRate: r.Rate, ServiceTime: r.ServiceTime, Servers: max(r.Servers, 1)}
	if err := q.Validate(); err != nil {
		return ErlangReport{}, err
	}
	if r.Given("servers") && (r.Servers < 1 || r.Servers > MaxServers) {
		return ErlangReport{}, inputErrorf("--servers must be from 1 to %d, got %d", MaxServers, r.Servers)
	}
	ask := ErlangQuestion{Ask: AskServiceLevel, Servers: r.Servers, TargetWait: r.TargetWait, Within: r.Within, Target: r.Target,
		ResponseWithin: r.ResponseWithin, ReportWithin: r.Given("within"), ReportResponse: r.Given("response-within")}
	switch {
	case r.Given("servers"):
		ask.Ask = AskQueue
	case r.Given("target-wait"):
		ask.Ask = AskWait
	case r.Given("response-within"):
		ask.Ask = AskResponse
	}
	return Erlang(q, ask)
}
