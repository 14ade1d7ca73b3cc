// Package runner runs a scenario end to end: it starts the built-in target
// when asked, runs each profile with the engine, and assembles the result
// document from the recorder's snapshots (Run). Execute then takes the
// result through what `loadplan run` makes of it: the capacity model, the
// gates, the run's folder, the plan and the CI files. It sits between
// measuring (scenario, engine, metrics) and the result, and sequences the
// later stages; none of them imports it.
package runner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
	"github.com/loadplan/loadplan/internal/units"
	"github.com/loadplan/loadplan/internal/verdict"
)

// Options configure a run. The zero value of each field is a default.
type Options struct {
	Scenario *scenario.Scenario
	Digest   string   // sha256 of the scenario file, recorded in the result
	Profiles []string // run only these (in scenario order); empty = all
	Version  string   // loadplan version for the result
	// Hard, when done, cuts off requests in flight. The ctx given to Run
	// only stops new requests (graceful stop).
	Hard context.Context
	// Doer replaces the HTTP client (tests).
	Doer engine.Doer
	// OnProfile, when set, is called as each profile starts with a way to
	// read its live state; the function it returns is called when it ends.
	OnProfile func(p scenario.Profile, live func() Live) (done func())
	Seed      uint64
	// Segment runs only this share of the load (a split run; zero: all).
	Segment engine.Segment
	// MaxLateness is the p99 start lateness past which a profile is marked
	// invalid (0: the default, 10 ms).
	MaxLateness time.Duration
	// StartAt, when set, is the common wall-clock start of a split run: the
	// first profile starts then, and each later one at StartAt plus the
	// planned durations before it plus ProfileGap, so every segment's
	// profiles line up.
	StartAt time.Time
	// MaxErrorRate is the error-rate bound of a profile whose expect and
	// slo set none (nil: verdict.DefaultErrorRate, 1%).
	MaxErrorRate *float64
	// PacerQuantum is the open model's shortest time between two wake-ups
	// of its pacer (engine.Options.PacerQuantum; 0: a wake-up per start).
	PacerQuantum time.Duration
	// PacerEarly is how early the open model may send a start that falls
	// due while its pacer is awake (engine.Options.PacerEarly; 0: never
	// early).
	PacerEarly time.Duration
	// PacerSlack is the timer slack of the open model's event loop
	// (engine.Options.PacerSlack; 0: the kernel's).
	PacerSlack time.Duration
	// GCFirst collects the garbage before each profile's clock starts
	// (runtime.GC), so that the process's first collection does not fall
	// in the profile's first 100 ms, where the open model dials its
	// connections and is already behind (issue #18, ADR 0021; `loadplan
	// run`'s default since 20 pairs with PreDial, off in the zero value).
	GCFirst bool
	// PreDial is the most connections the open model's event loop opens
	// before each profile's clock starts (engine.Options.PreDial; 0: none).
	PreDial int
	// Engine chooses the open model's engine (zero: the epoll event loop
	// where it can serve the profile, else the sender pool; ADR 0019):
	// Request sets it from LOADPLAN_ENGINE (epoll, pool or auto).
	Engine engine.Engine

	// builtinURL is the built-in target's base URL, for monitor scrape:
	// builtin (set by Run).
	builtinURL string
	data       *engine.DataSet // the run's data cursors, shared by its profiles
}

// ProfileGap separates profiles of a run with StartAt: room for the
// requests in flight to finish.
func ProfileGap(timeout time.Duration) time.Duration { return timeout + 2*time.Second }

// Live is a profile's state for a progress display.
type Live struct {
	Elapsed, Total time.Duration
	Offered        float64 // req/s or users
	Unit           string
	Open           bool          // the open model (a schedule of starts), not the closed one
	Throughput     float64       // completions in the last closed second
	P95            time.Duration // of that second's successes (meaningless when LastOK is 0)
	LastOK         int64         // successful completions in the last closed second
	Requests       int64
	Errors         int64
	Dropped        int64
	// InFlight and Stage are the generator's requests in flight and the
	// stage it is in (0-based); WindowsAfter gives the closed seconds after
	// a unix second, with their histograms (the live export reads these).
	InFlight     int64
	Stage        int
	WindowsAfter func(sec int64) []metrics.Window
	Epoch        time.Time // the profile's start
	// Names are the request names, in the order of Window.PerName.
	Names []string
	// Lateness gives the start lateness p99 and max of the current stage.
	Lateness func() (p99, max time.Duration)
	// WakeDelays, WakeDelayTotal and WakeDelayMax are the open model's
	// wake-up delays so far in the profile (engine.Stats.WakeDelays: the
	// machine did not run the generator when due); zero in the closed model.
	WakeDelays                   int64
	WakeDelayTotal, WakeDelayMax time.Duration
}

// Run runs the scenario's profiles in order. When ctx ends, the profile in
// progress stops gracefully, later profiles are skipped, and the result is
// marked interrupted. Run returns a result whenever anything was measured,
// even alongside an error.
func Run(ctx context.Context, opt Options) (*result.Result, error) {
	sc := opt.Scenario
	if opt.Hard == nil {
		opt.Hard = context.Background()
	}
	res := &result.Result{
		Schema:      result.Schema,
		Status:      result.StatusComplete,
		Scenario:    describe(sc, opt.Digest),
		Environment: environment(opt.Version),
	}
	res.Warnings = append(res.Warnings, scenarioWarnings(sc)...)
	base := sc.Target.URL
	if base == scenario.BuiltinURL {
		srv, err := startBuiltin(sc.Target.Builtin, res)
		if err != nil {
			return nil, err
		}
		defer srv.Close()
		base = srv.URL
		opt.builtinURL = srv.URL
	}
	prepared, weights := prepare(sc, base)
	opt.data = engine.NewDataSet(sc.Data, opt.Segment)
	doer := opt.Doer
	if doer == nil {
		c := newClient(sc, prepared)
		defer c.CloseIdle()
		doer = c
	}

	if opt.Segment.Count > 1 || !opt.StartAt.IsZero() {
		res.Segment = segmentOf(opt, res.Environment.Hostname)
	}
	profileAt := opt.StartAt
	first := true
	for _, p := range sc.Profiles {
		if !selected(p.Name, opt.Profiles) {
			continue
		}
		if !profileAt.IsZero() {
			waitUntil(ctx, profileAt)
			if first {
				res.Segment.ClockOffset = result.Sec(time.Since(profileAt))
			}
			profileAt = profileAt.Add(p.Duration() + ProfileGap(sc.Target.Timeout))
		}
		first = false
		if ctx.Err() != nil {
			res.Status = result.StatusInterrupted
			break
		}
		prof, abort, err := runAndRefine(ctx, opt, p, doer, prepared, weights, res)
		if le := (*engine.EventLoopError)(nil); errors.As(err, &le) {
			return epollRefused(res, p.Name, base, le)
		}
		if err != nil {
			res.Environment.End = time.Now().UTC()
			return res, err
		}
		res.Profiles = append(res.Profiles, prof)
		if len(res.Profiles) == 1 && res.Segment != nil && res.Segment.StartAt != nil {
			// When its clock started: after the connections opened
			// before it (engine.PreDial), not when the wait ended.
			res.Segment.ClockOffset = result.Sec(prof.Start.Sub(*res.Segment.StartAt))
		}
		if abort != nil {
			res.Status = result.StatusAborted
			res.Abort = abort
			break
		}
		if prof.Status == result.StatusInterrupted {
			res.Status = result.StatusInterrupted
			break
		}
	}
	res.Environment.End = time.Now().UTC()
	verdict.JudgeAll(res)
	return res, nil
}

// scenarioWarnings are what a run warns of its scenario before it starts:
// TLS verification off, secrets too short to be searched for.
func scenarioWarnings(sc *scenario.Scenario) []string {
	var w []string
	if sc.Target.InsecureSkipVerify {
		w = append(w, "TLS verification is off for this target (insecure_skip_verify)")
	}
	if short := scenario.ShortSecrets(sc); len(short) > 0 {
		w = append(w, "secret(s) "+strings.Join(short, ", ")+" shorter than 4 characters: masked where the scenario puts them (a ${secret:} reference in a name or URL, a sensitive query key, a URL password, a header), not searched for in other text (where it would mask every such run of characters, digits of figures too)")
	}
	return w
}

// startBuiltin starts the built-in target, the simulated service b, on a
// loopback port, and describes it in res. The caller closes it.
func startBuiltin(b scenario.Builtin, res *result.Result) (*simtarget.Running, error) {
	queue := b.Queue
	if queue == 0 {
		queue = simtarget.NoQueue // the scenario's 0 means no waiting room
	}
	srv, err := simtarget.Start(simtarget.Config{
		Workers:      b.Workers,
		ServiceTime:  b.ServiceTime,
		Distribution: b.Distribution,
		Queue:        queue,
		Sigma:        b.Sigma,
		Kappa:        b.Kappa,
		ErrorRate:    b.ErrorRate,
	}, "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start built-in target: %w", err)
	}
	failing := ""
	if b.ErrorRate > 0 {
		failing = ", error rate " + units.Pct(b.ErrorRate)
	}
	res.Scenario.Target = fmt.Sprintf("builtin (simulated service: %d workers, %s %s service time, queue %d, sigma %g, kappa %g%s)",
		b.Workers, b.ServiceTime, b.Distribution, b.Queue, b.Sigma, b.Kappa, failing)
	res.Scenario.Builtin = &result.Builtin{Workers: b.Workers, ServiceTime: result.Ms(b.ServiceTime),
		Distribution: b.Distribution, Queue: b.Queue, Sigma: b.Sigma, Kappa: b.Kappa, ErrorRate: b.ErrorRate}
	return srv, nil
}

// idleCloser is an HTTP client the run closes the idle connections of
// when it ends.
type idleCloser interface {
	engine.Doer
	CloseIdle()
}

// newClient is the run's HTTP client (useFastClient says which), with
// connections enough for the largest stage's load, at most 10,000, and a
// few more.
func newClient(sc *scenario.Scenario, prepared []*engine.Prepared) idleCloser {
	maxConns := 0
	for _, p := range sc.Profiles {
		for _, st := range p.Stages {
			if int(st.Load) > maxConns {
				maxConns = int(st.Load)
			}
		}
	}
	if maxConns > 10000 {
		maxConns = 10000
	}
	co := engine.ClientOptions{
		Timeout:            sc.Target.Timeout,
		MaxConns:           maxConns + 16,
		Connections:        sc.Target.Connections,
		InsecureSkipVerify: sc.Target.InsecureSkipVerify,
		Compression:        sc.Target.Compression,
	}
	if useFastClient(sc, prepared) {
		return engine.NewFastClient(co)
	}
	return engine.NewHTTPClient(co)
}

// segmentOf describes the run's segment of a split or scheduled run, on
// the machine host.
func segmentOf(opt Options, host string) *result.Segment {
	seg := &result.Segment{Index: max(opt.Segment.Index, 1), Count: max(opt.Segment.Count, 1), Host: host}
	if !opt.StartAt.IsZero() {
		at := opt.StartAt.UTC()
		seg.StartAt = &at
	}
	return seg
}

// waitUntil returns at t, or sooner when ctx ends.
func waitUntil(ctx context.Context, t time.Time) {
	if wait := time.Until(t); wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
		timer.Stop()
	}
}

// runAndRefine runs profile p and, when it is a stepped profile that
// completed with break.refine, bisects its bracket (refineSteps); a split
// run does not, and res is warned.
func runAndRefine(ctx context.Context, opt Options, p scenario.Profile, doer engine.Doer, prepared []*engine.Prepared, weights []int, res *result.Result) (result.Profile, *result.Abort, error) {
	prof, abort, err := runProfile(ctx, opt, p, doer, prepared, weights)
	if err == nil && abort == nil && p.Stepped && p.Break.Refine > 0 && prof.Status == result.StatusComplete {
		if opt.Segment.Count > 1 {
			res.Warnings = append(res.Warnings, "profile "+p.Name+": break.refine is ignored in a split run (each segment would bisect on its own share)")
		} else {
			prof, abort, err = refineSteps(ctx, opt, p, prof, doer, prepared, weights)
		}
	}
	return prof, abort, err
}

// useFastClient picks the lean HTTP/1.1 client unless the scenario asks for
// net/http, or (client auto) a request needs what only net/http does:
// https (HTTP/2, every TLS option), a proxy from the environment, or gzip.
func useFastClient(sc *scenario.Scenario, prepared []*engine.Prepared) bool {
	switch sc.Target.Client {
	case scenario.ClientFast:
		return true
	case scenario.ClientStd:
		return false
	}
	if sc.Target.Compression {
		return false
	}
	for _, p := range prepared {
		if !strings.HasPrefix(p.URL, "http://") {
			return false
		}
	}
	for _, k := range []string{"HTTP_PROXY", "http_proxy"} {
		if os.Getenv(k) != "" {
			return false
		}
	}
	return true
}

func selected(name string, only []string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if o == name {
			return true
		}
	}
	return false
}

func runProfile(ctx context.Context, opt Options, p scenario.Profile, doer engine.Doer, prepared []*engine.Prepared, weights []int) (result.Profile, *result.Abort, error) {
	names := requestNames(prepared)
	eopt := engineOptions(opt, doer, prepared, weights, nil, nil)
	dialled := beforeTheClock(opt, p, eopt)
	defer dialled.Close()
	epoch := time.Now()
	mon := startMonitor(opt, epoch)
	defer mon.Stop()
	rec := metrics.NewRecorder(metrics.Config{Names: names, Stages: len(p.Stages), Epoch: epoch, MaxLatency: 2 * opt.Scenario.Target.Timeout})
	progress := &engine.Progress{}
	total := p.Duration()
	unit := unitOf(p, opt.Scenario)
	// ranAll is set once the engine has run the whole schedule: the
	// profile then ran for its duration, however soon after its last
	// start the last answer came and the bar drew its totals (a finished
	// bar's mean was 50.1/s for 50/s when drawn 4 ms early).
	var ranAll atomic.Bool
	if opt.OnProfile != nil {
		lv := liveView{p: p, rec: rec, progress: progress, epoch: epoch, total: total, unit: unit, names: names, ranAll: &ranAll}
		done := opt.OnProfile(p, lv.live)
		defer done()
	}

	// The profile's own context: the watcher ends it early when a stress
	// ramp has broken or an abort condition holds.
	pctx, stopProfile := context.WithCancel(ctx)
	defer stopProfile()
	cpu0 := cpuTime()
	liveWaits, stopWaits := startCPUWaits(newCPUWaitReader())
	liveHiccups, stopHiccups := startHiccups(realClock{})
	w := &watcher{profile: p, rec: rec, epoch: epoch, aborts: opt.Scenario.Abort, unit: unit, segment: opt.Segment, stop: stopProfile, lateLimit: opt.MaxLateness, flows: progress.Flows,
		waits: liveWaits, hiccups: liveHiccups}
	watchDone := w.start(pctx)
	eopt.Recorder, eopt.Progress, eopt.Dialled = rec, progress, dialled
	stats, err := engine.Run(pctx, p, eopt)
	stopProfile()
	<-watchDone
	waits, hiccups := stopWaits(), stopHiccups()
	ranAll.Store(err == nil && !stats.Stopped)
	if err != nil {
		return result.Profile{}, nil, fmt.Errorf("profile %s: %w", p.Name, err)
	}
	// Stages end where the schedule stopped, not where the drain of the
	// requests in flight ended: a stage's figures cover the time it offered
	// load. A schedule that ran out made its last start before the planned
	// end (at 1 req/s for 1 s, its only start is at 0), so an unstopped
	// profile ends at its planned end however early its requests drained.
	stoppedAt := total
	if stats.Stopped && stats.StoppedAt > 0 {
		stoppedAt = stats.StoppedAt
	}
	cpu := cpuTime() - cpu0
	snap := rec.Close()
	addEmptySeconds(snap, stoppedAt, append(waits.waitedSeconds(), hiccups.stalledSeconds()...))
	status := result.StatusComplete
	if stats.Stopped && ctx.Err() != nil {
		status = result.StatusInterrupted
	}
	plans := stagePlans(p, unit, stoppedAt, opt.Segment)
	prof, err := result.BuildProfile(result.ProfileInput{
		Name: p.Name, Model: string(p.Model), Status: status,
		Snapshot: snap, Stages: plans,
		Generator: generator(stats, cpu, opt.MaxLateness),
	})
	describeGenerator(&prof, p, stats, opt.Engine, waits)
	hiccups.fill(&prof)
	addFlows(&prof, opt.Scenario, stats, stoppedAt, total)
	prof.Rules = rules(p)
	prof.Monitor = mon.Finish(ctx, epoch.Add(stoppedAt), result.Spans(&prof))
	prof.Rules.Requests = requestRules(opt.Scenario)
	if !p.Expect.HasErrorRate {
		prof.Rules.DefaultErrorRate = defaultErrorRate(opt)
	}
	if w.abort != nil {
		w.abort.Profile = p.Name
	}
	return prof, w.abort, err
}

// describeGenerator adds to prof's generator what ran the profile
// (engineOf) and, to it and its windows, the wait for a CPU.
func describeGenerator(prof *result.Profile, p scenario.Profile, stats engine.Stats, asked engine.Engine, waits *cpuWaitLog) {
	prof.Generator.Engine, prof.Generator.EngineNote = engineOf(p, stats, asked)
	waits.fill(prof)
}

// beforeTheClock opens the connections the first starts need
// (engine.PreDial) and, with GCFirst, collects the garbage, before the
// profile's clock starts: neither is any start's lateness.
func beforeTheClock(opt Options, p scenario.Profile, eopt engine.Options) *engine.Dialled {
	dialled := engine.PreDial(p, eopt)
	if opt.GCFirst {
		runtime.GC()
	}
	return dialled
}

// requestNames are the names of the prepared requests, in order.
func requestNames(prepared []*engine.Prepared) []string {
	names := make([]string, len(prepared))
	for i, pr := range prepared {
		names[i] = pr.Name
	}
	return names
}

// liveView is what a profile's progress display reads while it runs.
type liveView struct {
	p        scenario.Profile
	rec      *metrics.Recorder
	progress *engine.Progress
	epoch    time.Time
	total    time.Duration // the profile's planned duration
	unit     string
	names    []string
	ranAll   *atomic.Bool // the engine has run the whole schedule
}

// live is the profile's progress now (Options.OnProfile's figures).
func (v liveView) live() Live {
	l := v.rec.Live()
	el := time.Since(v.epoch)
	if el > v.total || v.ranAll.Load() {
		el = v.total
	}
	progress := v.progress
	lv := Live{
		Elapsed: el, Total: v.total, Offered: progress.Offered(), Unit: v.unit, Open: v.p.Model != scenario.Closed,
		Throughput: float64(l.Last.Count), P95: l.Last.P95, LastOK: l.Last.Count - l.Last.Errors,
		Requests: l.Requests, Errors: l.Errors, Dropped: progress.Dropped.Load(),
		InFlight: progress.InFlight.Load(), Stage: int(progress.Stage.Load()), WindowsAfter: v.rec.WindowsAfter, Epoch: v.epoch, Names: v.names, Lateness: v.rec.LiveLateness,
		WakeDelays: progress.WakeDelays.Load(), WakeDelayTotal: time.Duration(progress.WakeDelayTotal.Load()), WakeDelayMax: time.Duration(progress.WakeDelayMax.Load()),
	}
	return lv
}

// engineOptions are the engine's options for a profile of the run.
func engineOptions(opt Options, doer engine.Doer, prepared []*engine.Prepared, weights []int, rec *metrics.Recorder, progress *engine.Progress) engine.Options {
	return engine.Options{
		Doer:         doer,
		Requests:     prepared,
		Weights:      weights,
		Recorder:     rec,
		MaxInFlight:  opt.Scenario.Target.MaxInFlight,
		Seed:         opt.Seed,
		Hard:         opt.Hard,
		Progress:     progress,
		PacerQuantum: opt.PacerQuantum,
		PacerEarly:   opt.PacerEarly,
		PacerSlack:   opt.PacerSlack,
		PreDial:      opt.PreDial,
		Segment:      opt.Segment,
		Flows:        opt.Scenario.Flows,
		Data:         opt.data,
		Engine:       opt.Engine,
	}
}

// generator is the result's account of the load generator for a profile:
// the engine's figures, the CPU time it took and the lateness limit.
func generator(stats engine.Stats, cpu time.Duration, maxLateness time.Duration) result.Generator {
	return result.Generator{
		Started: stats.Started, Dropped: stats.Dropped, MaxInFlight: stats.MaxInFlight,
		Canceled: stats.Canceled, ConnWaits: stats.ConnWaits, Retries: stats.Retries, ReusedConnErrors: stats.ReuseLost, CPUSeconds: cpu.Seconds(), PeakRSS: peakRSS(), LatenessLimit: result.Ms(maxLateness),
		WakeDelays: stats.WakeDelays, WakeDelayTotal: result.Ms(stats.WakeDelayTotal), WakeDelayMax: result.Ms(stats.WakeDelayMax),
		EarlyStarts: stats.Early, EarlyTotal: result.Ms(stats.EarlyTotal), EarlyMax: result.Ms(stats.EarlyMax),
		PreDialled: int64(stats.PreDialled),
	}
}

// defaultErrorRate is the error-rate bound of a profile whose expect gives
// none: --max-error-rate, else verdict.DefaultErrorRate.
func defaultErrorRate(opt Options) *float64 {
	bound := verdict.DefaultErrorRate
	if opt.MaxErrorRate != nil {
		bound = *opt.MaxErrorRate
	}
	return &bound
}

// unitOf is the unit of p's offered load: users in the closed model,
// req/s in the open one, iterations/s in the open one when sc has flows:
// (each scheduled start runs one flow iteration of one or more requests;
// addFlows' note says so too).
func unitOf(p scenario.Profile, sc *scenario.Scenario) string {
	switch {
	case p.Model == scenario.Closed:
		return "users"
	case sc.Flows != nil:
		return result.UnitIterations
	}
	return "req/s"
}

// plannedProfiles are the profiles opt will run as their result will
// record them before any request is sent: name, model, rules, each
// stage's offered load (after --scale; a segment's share) and the start
// lateness limit (--max-lateness), without figures and without the
// refinement steps a stress ramp may add.
func plannedProfiles(opt Options) []result.Profile {
	var ps []result.Profile
	for _, p := range opt.Scenario.Profiles {
		if !selected(p.Name, opt.Profiles) {
			continue
		}
		pr := result.Profile{Name: p.Name, Model: string(p.Model), Rules: rules(p), Generator: result.Generator{LatenessLimit: result.Ms(opt.MaxLateness)}}
		for i, sp := range stagePlans(p, unitOf(p, opt.Scenario), p.Duration(), opt.Segment) {
			pr.Stages = append(pr.Stages, result.Stage{Index: i, Offered: sp.Offered})
		}
		// Its flows' request steps, as addFlows records them: a closed
		// model's users think after each iteration (verdict.LoadDifference).
		for _, f := range opt.Scenario.Flows {
			pr.Total.PerFlow = append(pr.Total.PerFlow, result.FlowStats{Name: f.Name, RequestSteps: f.Requests()})
		}
		ps = append(ps, pr)
	}
	return ps
}

// stagePlans describes each stage as run: a stage the run stopped in ends
// where it stopped; one it never reached has zero length.
func stagePlans(p scenario.Profile, unit string, stoppedAt time.Duration, seg engine.Segment) []result.StagePlan {
	// A segment offers its share of each stage's load.
	share := func(load float64) float64 {
		if seg.Count <= 1 {
			return load
		}
		if p.Model == scenario.Closed {
			return float64(seg.Users(int(math.Round(load))))
		}
		return load / float64(seg.Count)
	}
	plans := make([]result.StagePlan, len(p.Stages))
	var at time.Duration
	for i, st := range p.Stages {
		start, end := at, at+st.Duration
		if end > stoppedAt {
			end = stoppedAt
		}
		if start > end {
			start = end
		}
		plans[i] = result.StagePlan{
			Offered: result.Offered{
				From: share(st.From), Load: share(st.Load), Unit: unit,
				Duration: result.Sec(st.Duration), Ramp: result.Sec(st.Ramp),
			},
			Start: start, End: end, LoadAt: func(d time.Duration) float64 { return share(st.LoadAt(d)) },
		}
		if p.Model == scenario.Open {
			plans[i].Offered.Requests = share(engine.NewSchedule([]scenario.Stage{st}).Offered())
		} else {
			think, jitter := result.Sec(p.Think), p.Jitter
			plans[i].Offered.Think, plans[i].Offered.ThinkJitter = &think, &jitter
		}
		at += st.Duration
	}
	return plans
}

// rules carries a profile's expectations and judging rules into the result.
func rules(p scenario.Profile) result.Rules {
	r := result.Rules{
		Expect:  resultExpect(p.Expect),
		Warmup:  result.Sec(p.Warmup),
		Stepped: p.Stepped,
	}
	if p.Stepped {
		b := p.Break
		if b.Plateau <= 0 {
			b.Plateau = 0.5
		}
		if !b.HasMaxError {
			b.MaxErrorRate = 0.01
		}
		r.Break = &result.BreakRule{Plateau: b.Plateau, MaxErrorRate: b.MaxErrorRate, Confirm: b.Confirm, Refine: b.Refine}
	}
	if p.Name == "spike" || p.Recovery.Windows > 0 {
		rr := p.Recovery
		if rr.From == "" {
			rr.From = "ramp_down"
		}
		if rr.Windows <= 0 {
			rr.Windows = 3
		}
		if rr.Budget <= 0 {
			rr.Budget = 30 * time.Second
		}
		r.Recovery = &result.RecoveryRule{From: rr.From, Windows: rr.Windows, Budget: result.Sec(rr.Budget)}
	}
	return r
}

// prepare builds the requests once: URLs joined to the base, headers merged
// (a request's own header wins over the target's). The name, which the
// result reports, has any secret in it masked as in describe.
func prepare(sc *scenario.Scenario, base string) ([]*engine.Prepared, []int) {
	m := scenario.NewMasker(sc)
	var out []*engine.Prepared
	var weights []int
	for _, r := range sc.Requests {
		h := http.Header{}
		for _, th := range sc.Target.Headers {
			h.Set(th.Name, th.Value)
		}
		for _, rh := range r.Headers {
			h.Set(rh.Name, rh.Value)
		}
		url := r.URL
		if sc.Target.URL == scenario.BuiltinURL {
			url = strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(r.URL, "/")
		}
		pr := &engine.Prepared{Name: m.Text(r.Name), Method: r.Method, URL: url, Header: h, Body: []byte(r.Body)}
		flowStep(pr, r, sc, base)
		out = append(out, pr)
		weights = append(weights, r.Weight)
	}
	return out, weights
}

// describe is the result's account of the scenario. Secrets are masked
// here, at the source, as ${secret:NAME} references (scenario.Masker).
func describe(sc *scenario.Scenario, digest string) result.Scenario {
	m := scenario.NewMasker(sc)
	d := result.Scenario{
		Name:    m.Text(sc.Name),
		File:    sc.File,
		Digest:  digest,
		Target:  m.URL(sc.Target.URL),
		Timeout: result.Ms(sc.Target.Timeout),
	}
	for _, r := range sc.Requests {
		d.Requests = append(d.Requests, result.Request{Name: m.Text(r.Name), Method: r.Method, URL: m.URL(r.URL), Weight: r.Weight})
	}
	ms := func(x time.Duration) *result.Millis {
		if x <= 0 {
			return nil
		}
		m := result.Ms(x)
		return &m
	}
	d.SLO.P50, d.SLO.P95, d.SLO.P99 = ms(sc.SLO.P50), ms(sc.SLO.P95), ms(sc.SLO.P99)
	if sc.SLO.HasErrorRate {
		e := sc.SLO.ErrorRate
		d.SLO.ErrorRate = &e
	}
	return d
}

func environment(version string) result.Environment {
	host, _ := os.Hostname()
	return result.Environment{
		LoadplanVersion: version,
		GoVersion:       runtime.Version(),
		OS:              runtime.GOOS,
		Arch:            runtime.GOARCH,
		CPUs:            runtime.NumCPU(),
		Hostname:        host,
		Start:           time.Now().UTC(),
	}
}
