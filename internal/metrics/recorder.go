package metrics

import (
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram precision. Cumulative histograms keep 3 significant digits
// (docs/architecture.md, decision 2); per-second windows keep 2, which is plenty for a
// timeline and keeps a second's summary small.
const (
	SigFigs       = 3
	WindowSigFigs = 2
	// DefaultMaxLatency is the highest latency tracked; larger values are
	// clamped to it (and still counted).
	DefaultMaxLatency = 100 * time.Second
	// windowGrace is how long a finished second stays open for samples
	// recorded just after it ended.
	windowGrace = 1
)

// NewHistogram returns an empty latency histogram in microseconds from 1 µs
// to max with the given significant figures.
func NewHistogram(max time.Duration, sigfigs int) *hdr.Histogram {
	hi := int64(max / time.Microsecond)
	if hi < 60_000_000 {
		hi = 60_000_000
	}
	return hdr.New(1, hi, sigfigs)
}

// Config configures a Recorder; the zero value of each field is a default.
type Config struct {
	Names      []string  // request names; Sample.Request indexes them
	Stages     int       // number of stages; Sample.Stage indexes them (default 1)
	Epoch      time.Time // wall-clock time at offset 0 (default: now)
	MaxLatency time.Duration
	Shards     int // default 2 × GOMAXPROCS
}

// Recorder accumulates samples for one profile run. Record is safe for
// concurrent use; each caller should pass a stable shard key (its worker
// index) so that concurrent callers rarely share a shard.
type Recorder struct {
	names   []string
	maxUs   int64
	maxLat  time.Duration
	epoch   time.Time
	epochNs int64
	shards  []shard

	mu            sync.Mutex // guards stages, open, closed, closedThrough, late
	stages        []*stageAcc
	open          map[int64]*windowAcc
	closed        []Window
	closedThrough int64            // every window with Second <= closedThrough is closed
	late          int64            // samples that arrived after their window closed
	enc           histEncoder      // encodes closed windows' histograms; guarded by mu
	spare         []*hdr.Histogram // closed windows' histograms, reset, for the next ones; guarded by mu
}

// stageAcc accumulates one stage: per-name histograms and counters.
type stageAcc struct {
	resp, svc []*hdr.Histogram // per name, successful requests
	errLat    *hdr.Histogram   // response time of failed requests
	late      *hdr.Histogram   // lateness of actual vs intended start
	c         counters
	// byName counts each name's completions by class (OK included), so
	// errors are counted per request name as well as per stage.
	byName [][numClasses]int64
}

type counters struct {
	requests, errors, bytes int64
	byClass                 [numClasses]int64
	byStatus                [200]int64 // 400..599
	firstStart, lastEnd     int64
	started                 bool
}

func (c *counters) add(o *counters) {
	c.requests += o.requests
	c.errors += o.errors
	c.bytes += o.bytes
	for i := range c.byClass {
		c.byClass[i] += o.byClass[i]
	}
	for i := range c.byStatus {
		c.byStatus[i] += o.byStatus[i]
	}
	if o.started {
		if !c.started || o.firstStart < c.firstStart {
			c.firstStart = o.firstStart
		}
		if !c.started || o.lastEnd > c.lastEnd {
			c.lastEnd = o.lastEnd
		}
		c.started = true
	}
}

type windowAcc struct {
	hist          *hdr.Histogram
	count, errors int64
	byClass       [numClasses]int64
	// lateMax is the largest start lateness (Start − Intended, ns) of the
	// second's completions: a stall of the generator shows here. lateDue
	// is when that start was due (its intended start, unix ns): where the
	// stall began, not the second its late requests ended in.
	lateMax, lateDue int64
	// names holds each request name's share of the second when there are
	// several names (nil with one). A shard records successful latencies
	// into its names' histograms only; the second's overall histogram is
	// their merge, made when the shard folds, so the hot path records one
	// value per sample whatever the number of names.
	names []nameWin
}

// nameWin is one request name's part of a second.
type nameWin struct {
	hist          *hdr.Histogram // nil until the name has a success in the second
	count, errors int64
}

// addClasses adds o's error counts by class.
func (w *windowAcc) addClasses(o *[numClasses]int64) {
	for i, n := range o {
		w.byClass[i] += n
	}
}

type shard struct {
	mu    sync.Mutex // guards every field below
	stage int        // stage acc belongs to; -1 before the first sample
	acc   *stageAcc
	win   int64 // unix second of the current window
	wacc  windowAcc
	// Every sample recorded in this shard, never reset: Live sums these.
	requests, errors int64
	_                [64]byte // keep shards on separate cache lines
}

// NewRecorder returns a Recorder for cfg.
func NewRecorder(cfg Config) *Recorder {
	if cfg.Stages <= 0 {
		cfg.Stages = 1
	}
	if cfg.Epoch.IsZero() {
		cfg.Epoch = time.Now()
	}
	if cfg.MaxLatency <= 0 {
		cfg.MaxLatency = DefaultMaxLatency
	}
	if cfg.Shards <= 0 {
		cfg.Shards = 2 * runtime.GOMAXPROCS(0)
	}
	if len(cfg.Names) == 0 {
		cfg.Names = []string{"default"}
	}
	r := &Recorder{
		names:         append([]string(nil), cfg.Names...),
		maxLat:        cfg.MaxLatency,
		epoch:         cfg.Epoch,
		epochNs:       cfg.Epoch.UnixNano(),
		shards:        make([]shard, cfg.Shards),
		stages:        make([]*stageAcc, cfg.Stages),
		open:          map[int64]*windowAcc{},
		closedThrough: cfg.Epoch.Unix() - 1,
	}
	r.maxUs = NewHistogram(r.maxLat, SigFigs).HighestTrackableValue()
	for i := range r.shards {
		r.shards[i].stage = -1
		r.shards[i].win = -1
	}
	return r
}

// Epoch is the wall-clock time at offset 0.
func (r *Recorder) Epoch() time.Time { return r.epoch }

// Names are the request names.
func (r *Recorder) Names() []string { return r.names }

func (r *Recorder) newStageAcc() *stageAcc {
	a := &stageAcc{
		resp:   make([]*hdr.Histogram, len(r.names)),
		svc:    make([]*hdr.Histogram, len(r.names)),
		errLat: NewHistogram(r.maxLat, SigFigs),
		late:   NewHistogram(r.maxLat, SigFigs),
		byName: make([][numClasses]int64, len(r.names)),
	}
	for i := range r.names {
		a.resp[i] = NewHistogram(r.maxLat, SigFigs)
		a.svc[i] = NewHistogram(r.maxLat, SigFigs)
	}
	return a
}

func (a *stageAcc) reset() {
	for i := range a.resp {
		a.resp[i].Reset()
		a.svc[i].Reset()
	}
	a.errLat.Reset()
	a.late.Reset()
	a.c = counters{}
	clear(a.byName)
}

func (a *stageAcc) merge(o *stageAcc) {
	for i := range a.resp {
		a.resp[i].Merge(o.resp[i])
		a.svc[i].Merge(o.svc[i])
	}
	a.errLat.Merge(o.errLat)
	a.late.Merge(o.late)
	a.c.add(&o.c)
	for i := range a.byName {
		for k, n := range o.byName[i] {
			a.byName[i][k] += n
		}
	}
}

func (r *Recorder) us(ns int64) int64 {
	v := (ns + 500) / 1000
	if v < 0 {
		return 0
	}
	if v > r.maxUs {
		return r.maxUs
	}
	return v
}

func (a *stageAcc) record(r *Recorder, s *Sample) {
	c := &a.c
	if !c.started || s.Start < c.firstStart {
		c.firstStart = s.Start
	}
	if !c.started || s.End > c.lastEnd {
		c.lastEnd = s.End
	}
	c.started = true
	c.requests++
	c.bytes += s.Bytes
	c.byClass[s.Class]++
	if s.Request >= 0 && s.Request < len(a.byName) && s.Class < numClasses {
		a.byName[s.Request][s.Class]++
	}
	if s.Status >= 400 && s.Status < 600 {
		c.byStatus[s.Status-400]++
	}
	_ = a.late.RecordValue(r.us(s.Start - s.Intended))
	if s.Class != OK {
		c.errors++
		_ = a.errLat.RecordValue(r.us(s.End - s.From()))
		return
	}
	_ = a.resp[s.Request].RecordValue(r.us(s.End - s.From()))
	_ = a.svc[s.Request].RecordValue(r.us(s.End - s.sent()))
}

// Record adds one sample. key picks the shard (a worker index is ideal).
// It allocates nothing in steady state.
func (r *Recorder) Record(key int, s *Sample) {
	if key < 0 {
		key = -key
	}
	sh := &r.shards[key%len(r.shards)]
	sh.mu.Lock()
	sh.requests++
	if s.Class != OK {
		sh.errors++
	}
	if s.Stage != sh.stage {
		if s.Stage < sh.stage {
			// A straggler from an earlier stage: rare, so it goes straight
			// into that stage's totals under the recorder lock.
			r.mu.Lock()
			r.stageLocked(s.Stage).record(r, s)
			r.mu.Unlock()
			r.recordWindow(sh, s)
			sh.mu.Unlock()
			return
		}
		r.foldShard(sh)
		sh.stage = s.Stage
	}
	if sh.acc == nil {
		sh.acc = r.newStageAcc()
	}
	sh.acc.record(r, s)
	r.recordWindow(sh, s)
	sh.mu.Unlock()
}

func (r *Recorder) recordWindow(sh *shard, s *Sample) {
	sec := (r.epochNs + s.End) / int64(time.Second)
	if sec != sh.win {
		r.foldWindow(sh)
		sh.win = sec
	}
	if sh.wacc.hist == nil {
		sh.wacc.hist = NewHistogram(r.maxLat, WindowSigFigs)
	}
	sh.wacc.count++
	if l, due := s.Start-s.Intended, r.epochNs+s.Intended; later(l, due, sh.wacc.lateMax, sh.wacc.lateDue) {
		sh.wacc.lateMax, sh.wacc.lateDue = l, due
	}
	var nw *nameWin
	if len(r.names) > 1 && s.Request >= 0 && s.Request < len(r.names) {
		if sh.wacc.names == nil {
			sh.wacc.names = make([]nameWin, len(r.names)) // once per shard
		}
		nw = &sh.wacc.names[s.Request]
		nw.count++
	}
	if s.Class != OK {
		sh.wacc.errors++
		sh.wacc.byClass[s.Class]++
		if nw != nil {
			nw.errors++
		}
		return
	}
	if nw != nil {
		if nw.hist == nil {
			nw.hist = NewHistogram(r.maxLat, WindowSigFigs) // once per shard and name
		}
		_ = nw.hist.RecordValue(r.us(s.End - s.From()))
		return
	}
	_ = sh.wacc.hist.RecordValue(r.us(s.End - s.From()))
}

// stageLocked returns stage i's totals, creating them. r.mu must be held.
func (r *Recorder) stageLocked(i int) *stageAcc {
	if i < 0 || i >= len(r.stages) {
		// Validated scenarios never get here; keep the data rather than panic.
		i = len(r.stages) - 1
	}
	if r.stages[i] == nil {
		r.stages[i] = r.newStageAcc()
	}
	return r.stages[i]
}

// foldShard moves a shard's stage histograms into the stage totals and
// resets them for reuse. sh.mu must be held.
func (r *Recorder) foldShard(sh *shard) {
	if sh.acc == nil || sh.stage < 0 || !sh.acc.c.started {
		return
	}
	r.mu.Lock()
	r.stageLocked(sh.stage).merge(sh.acc)
	r.mu.Unlock()
	sh.acc.reset()
}

// foldWindow moves a shard's current window into the open windows. sh.mu
// must be held.
func (r *Recorder) foldWindow(sh *shard) {
	if sh.win < 0 || sh.wacc.count == 0 {
		return
	}
	r.mu.Lock()
	if sh.win <= r.closedThrough {
		r.late += sh.wacc.count
		i := sort.Search(len(r.closed), func(i int) bool { return r.closed[i].Second >= sh.win })
		if i == len(r.closed) || r.closed[i].Second != sh.win {
			// The second closed before any of its completions was folded:
			// they still belong in the timeline.
			r.closed = slices.Insert(r.closed, i, Window{Second: sh.win})
		}
		r.closed[i].Count += sh.wacc.count
		r.closed[i].Errors += sh.wacc.errors
		if c := &r.closed[i]; later(sh.wacc.lateMax, sh.wacc.lateDue, int64(c.LateMax), c.LateDue.UnixNano()) {
			c.LateMax, c.LateDue = time.Duration(sh.wacc.lateMax), time.Unix(0, sh.wacc.lateDue)
		}
		addClassMap(&r.closed[i], &sh.wacc.byClass)
		r.addLateNamesLocked(&r.closed[i], sh.wacc.names)
	} else {
		w := r.open[sh.win]
		if w == nil {
			w = &windowAcc{hist: r.windowHistLocked()}
			r.open[sh.win] = w
		}
		w.hist.Merge(sh.wacc.hist)
		w.count += sh.wacc.count
		w.errors += sh.wacc.errors
		if later(sh.wacc.lateMax, sh.wacc.lateDue, w.lateMax, w.lateDue) {
			w.lateMax, w.lateDue = sh.wacc.lateMax, sh.wacc.lateDue
		}
		w.addClasses(&sh.wacc.byClass)
		r.foldNamesLocked(w, sh.wacc.names)
	}
	r.mu.Unlock()
	sh.wacc.count, sh.wacc.errors, sh.wacc.lateMax, sh.wacc.lateDue = 0, 0, 0, 0
	sh.wacc.byClass = [numClasses]int64{}
	sh.wacc.hist.Reset()
	for i := range sh.wacc.names {
		nw := &sh.wacc.names[i]
		nw.count, nw.errors = 0, 0
		if nw.hist != nil {
			nw.hist.Reset()
		}
	}
}

// later says whether a start late by l and due at due (unix ns) replaces
// the latest start so far (lateMax, lateDue): a larger lateness, or an
// equal one due earlier, so the choice does not hang on the order samples
// are recorded or merged in. A start on time or early (l <= 0) never does.
func later(l, due, lateMax, lateDue int64) bool {
	return l > lateMax || (l > 0 && l == lateMax && due < lateDue)
}

// foldNamesLocked adds a shard's per-name part of a second into an open
// window: each name's histogram into the name's and into the second's
// overall one. r.mu must be held.
func (r *Recorder) foldNamesLocked(w *windowAcc, names []nameWin) {
	w.names = perName(w.names, names)
	for i := range names {
		src, dst := &names[i], &w.names[i]
		dst.count += src.count
		dst.errors += src.errors
		if src.hist == nil || src.hist.TotalCount() == 0 {
			continue
		}
		if dst.hist == nil {
			dst.hist = r.windowHistLocked()
		}
		dst.hist.Merge(src.hist)
		w.hist.Merge(src.hist)
	}
}

// addLateNamesLocked adds a late shard's per-name counts to a closed
// second (its latencies are not in the percentiles, as for the second's
// own). r.mu must be held.
func (r *Recorder) addLateNamesLocked(w *Window, names []nameWin) {
	w.PerName = perName(w.PerName, names)
	for i := range names {
		w.PerName[i].Count += names[i].count
		w.PerName[i].Errors += names[i].errors
	}
}

// perName is a second's per-name parts, dst, made one per name the first
// time a shard with names folds into it; a shard with one name (nil)
// leaves dst as it is.
func perName[T any](dst []T, names []nameWin) []T {
	if dst == nil && names != nil {
		return make([]T, len(names))
	}
	return dst
}

// Tick closes the windows that ended before now (less a short grace). The
// owner of the run calls it about once a second; windows are summarised and
// their histograms encoded, so memory per closed second stays small.
func (r *Recorder) Tick(now time.Time) {
	nowSec := now.Unix()
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		if sh.win >= 0 && sh.win < nowSec {
			r.foldWindow(sh)
		}
		sh.mu.Unlock()
	}
	r.mu.Lock()
	r.closeWindowsLocked(nowSec - windowGrace)
	r.mu.Unlock()
}

// closeWindowsLocked closes every open window with Second < before and marks
// time up to there as closed. r.mu must be held.
func (r *Recorder) closeWindowsLocked(before int64) {
	var secs []int64
	for sec := range r.open {
		if sec < before {
			secs = append(secs, sec)
		}
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i] < secs[j] })
	for _, sec := range secs {
		w := r.open[sec]
		delete(r.open, sec)
		r.closed = append(r.closed, summarizeWindow(sec, w, &r.enc))
		w.hist.Reset()
		r.spare = append(r.spare, w.hist)
		for i := range w.names {
			if h := w.names[i].hist; h != nil {
				h.Reset()
				r.spare = append(r.spare, h)
			}
		}
	}
	if before-1 > r.closedThrough {
		r.closedThrough = before - 1
	}
	// Windows may close out of order when a straggling second arrives after a
	// later one closed; keep them sorted.
	sort.Slice(r.closed, func(i, j int) bool { return r.closed[i].Second < r.closed[j].Second })
}

// addClassMap adds error counts by class to a closed window's map.
func addClassMap(w *Window, byClass *[numClasses]int64) {
	for i, n := range byClass {
		if n == 0 || ErrorClass(i) == OK {
			continue
		}
		if w.ErrorClasses == nil {
			w.ErrorClasses = map[string]int64{}
		}
		w.ErrorClasses[ErrorClass(i).String()] += n
	}
}

// windowHistLocked returns an empty histogram for a new window, reusing a
// closed window's. r.mu must be held.
func (r *Recorder) windowHistLocked() *hdr.Histogram {
	if n := len(r.spare); n > 0 {
		h := r.spare[n-1]
		r.spare = r.spare[:n-1]
		return h
	}
	return NewHistogram(r.maxLat, WindowSigFigs)
}

func summarizeWindow(sec int64, w *windowAcc, enc *histEncoder) Window {
	out := Window{Second: sec, Count: w.count, Errors: w.errors, LateMax: time.Duration(w.lateMax)}
	if w.lateMax > 0 {
		out.LateDue = time.Unix(0, w.lateDue)
	}
	addClassMap(&out, &w.byClass)
	out.P50, out.P95, out.P99, out.Max, out.Hist = summarizeHist(w.hist, enc)
	if w.names != nil {
		out.PerName = make([]NameWindow, len(w.names))
		for i, nw := range w.names {
			pn := &out.PerName[i]
			pn.Count, pn.Errors = nw.count, nw.errors
			if nw.hist != nil {
				pn.P50, pn.P95, pn.P99, pn.Max, pn.Hist = summarizeHist(nw.hist, enc)
			}
		}
	}
	return out
}

// summarizeHist reads a second's percentiles and encodes its histogram;
// all zero when it is empty.
func summarizeHist(h *hdr.Histogram, enc *histEncoder) (p50, p95, p99, mx time.Duration, s string) {
	if h.TotalCount() == 0 {
		return
	}
	p50 = usDur(valueAt(h, 5000))
	p95 = usDur(valueAt(h, 9500))
	p99 = usDur(valueAt(h, 9900))
	mx = usDur(h.Max())
	if e, err := enc.encode(h); err == nil {
		s = e
	}
	return
}

func usDur(us int64) time.Duration { return time.Duration(us) * time.Microsecond }

// Windows returns a copy of the windows closed so far, in order. Live
// judges (abort conditions, a stress ramp's steps) read it while the run
// goes on; call it at most a few times a second.
func (r *Recorder) Windows() []Window {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Window(nil), r.closed...)
}

// Live is a cheap view for progress bars.
type Live struct {
	Requests, Errors int64
	Last             Window // the most recent closed window
}

// Live sums the counters so far. It takes every shard lock briefly: call it
// a few times a second, not per request.
//
// It reads the shards' own running counts, not their stage accumulators plus
// the stage totals: a shard that folded its stage between the two reads
// would be counted twice, and the next call would go back.
func (r *Recorder) Live() Live {
	var l Live
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		l.Requests += sh.requests
		l.Errors += sh.errors
		sh.mu.Unlock()
	}
	r.mu.Lock()
	if n := len(r.closed); n > 0 {
		l.Last = r.closed[n-1]
		l.Last.Hist = ""
	}
	r.mu.Unlock()
	return l
}

// LiveLateness returns the p99 and the maximum of the start lateness
// (actual against intended start) of the samples the shards hold for their
// current stage: the live export's gauge, read once a second (the result
// has the exact figures per stage). Zero before any sample.
func (r *Recorder) LiveLateness() (p99, max time.Duration) {
	h := NewHistogram(r.maxLat, SigFigs)
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		if sh.acc != nil {
			h.Merge(sh.acc.late)
		}
		sh.mu.Unlock()
	}
	if h.TotalCount() == 0 {
		return 0, 0
	}
	return usDur(h.ValueAtQuantile(99)), usDur(h.Max())
}

// WindowsAfter returns copies of the closed windows of seconds after sec,
// with their histograms, oldest first (the live export reads them once a
// second). A straggling second that closes after a later one is not
// returned once that later one was.
func (r *Recorder) WindowsAfter(sec int64) []Window {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := sort.Search(len(r.closed), func(i int) bool { return r.closed[i].Second > sec })
	return append([]Window(nil), r.closed[i:]...)
}

// Close folds every shard and window and returns the run's figures. The
// recorder must not be used after Close.
func (r *Recorder) Close() *Snapshot {
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		r.foldShard(sh)
		r.foldWindow(sh)
		sh.mu.Unlock()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeWindowsLocked(1 << 62)
	snap := &Snapshot{Names: r.names, Epoch: r.epoch, Windows: r.closed, LateSamples: r.late}
	for i := range r.stages {
		snap.Stages = append(snap.Stages, r.stageLocked(i).stats(r.names))
	}
	return snap
}

func (a *stageAcc) stats(names []string) StageStats {
	st := StageStats{
		ErrorLatency: a.errLat,
		Lateness:     a.late,
		Requests:     a.c.requests,
		Errors:       a.c.errors,
		Bytes:        a.c.bytes,
		ByClass:      map[string]int64{},
		ByStatus:     map[int]int64{},
	}
	if a.c.started {
		st.FirstStart = time.Duration(a.c.firstStart)
		st.LastEnd = time.Duration(a.c.lastEnd)
	}
	for i, n := range a.c.byClass {
		if n > 0 && ErrorClass(i) != OK {
			st.ByClass[ErrorClass(i).String()] = n
		}
	}
	for i, n := range a.c.byStatus {
		if n > 0 {
			st.ByStatus[400+i] = n
		}
	}
	for i, name := range names {
		ns := NameStats{Name: name, Response: a.resp[i], Service: a.svc[i], ByClass: map[string]int64{}}
		for k, n := range a.byName[i] {
			ns.Requests += n
			if ErrorClass(k) != OK && n > 0 {
				ns.Errors += n
				ns.ByClass[ErrorClass(k).String()] = n
			}
		}
		st.PerName = append(st.PerName, ns)
	}
	return st
}
