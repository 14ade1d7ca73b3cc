package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
)

// Flows: every run executes iterations of flows (ADR 0012). A requests:
// list is flows of one step; such a flow whose request is the same every
// time, unchecked and without cookies, takes the plain send path (zero
// allocations). Other steps are built per iteration into the virtual
// user's Exchange and judged: checks, then extractions.

// FlowStats count one flow's iterations.
type FlowStats struct {
	Name      string
	Started   int64 // iterations begun (a data row was drawn)
	Completed int64 // every step ran and passed
	Failed    int64 // stopped at a failed step
	Skipped   int64 // request steps not sent because an earlier step failed
	Exhausted int64 // iterations not begun: a unique data source ran out (on_exhausted: stop)
	// RequestSteps is how many requests an iteration sends when no step
	// fails (its request steps; pauses are not requests).
	RequestSteps int
}

type flowCounters struct {
	started, completed, failed, skipped, exhausted atomic.Int64
}

// flowSet is a run's flows and their shared state.
type flowSet struct {
	flows    []scenario.Flow
	plain    []bool // the flow is one fixed request: the plain send path
	count    bool   // count plain flows' iterations too (the scenario has flows:)
	counters []flowCounters
	data     []dataCursor // Options.Data's
	nvars    int
	seq      atomic.Uint64
	// checks counts check failures per request and check (Prepared.Check's
	// Names order).
	checks [][]atomic.Int64
}

func newFlowSet(opt *Options) (*flowSet, error) {
	fs := &flowSet{flows: opt.Flows, count: opt.Flows != nil}
	if fs.flows == nil {
		for i, p := range opt.Requests {
			f := scenario.Flow{Name: p.Name, Weight: 1, Steps: []scenario.Step{{Request: i}}}
			if opt.Weights != nil {
				f.Weight = opt.Weights[i]
			}
			if p.Dynamic != nil {
				f.Data = p.Dynamic.Data
			}
			fs.flows = append(fs.flows, f)
		}
	}
	fs.plain = make([]bool, len(fs.flows))
	fs.counters = make([]flowCounters, len(fs.flows))
	needsExchange := false
	for i, f := range fs.flows {
		fs.nvars = max(fs.nvars, len(f.Vars))
		if len(f.Steps) == 1 && f.Steps[0].Request >= 0 && !f.Cookies && len(f.Data) == 0 {
			p := opt.Requests[f.Steps[0].Request]
			fs.plain[i] = p.Dynamic == nil && p.Check == nil && len(p.Extract) == 0 && p.Think == 0
		}
		if !fs.plain[i] {
			needsExchange = true
		}
	}
	if _, ok := opt.Doer.(Exchanger); needsExchange && !ok {
		return nil, errors.New("engine: the client cannot run flows (it is not an Exchanger)")
	}
	if opt.Data != nil {
		fs.data = opt.Data.cursors
	}
	for _, f := range fs.flows {
		for _, d := range f.Data {
			if d >= len(fs.data) {
				return nil, errors.New("engine: a flow uses a data source that Options.Data lacks")
			}
		}
	}
	fs.checks = make([][]atomic.Int64, len(opt.Requests))
	for i, p := range opt.Requests {
		if p.Check != nil {
			fs.checks[i] = make([]atomic.Int64, len(p.Check.Names()))
		}
	}
	return fs, nil
}

func (fs *flowSet) weights() []int {
	w := make([]int, len(fs.flows))
	for i, f := range fs.flows {
		w[i] = f.Weight
	}
	return w
}

func (fs *flowSet) stats() []FlowStats {
	out := make([]FlowStats, len(fs.flows))
	for i := range fs.flows {
		c := &fs.counters[i]
		out[i] = FlowStats{Name: fs.flows[i].Name, Started: c.started.Load(), Completed: c.completed.Load(),
			Failed: c.failed.Load(), Skipped: c.skipped.Load(), Exhausted: c.exhausted.Load(), RequestSteps: fs.flows[i].Requests()}
	}
	return out
}

// CheckFailures returns, per request, the failures of each check in the
// order of its Check.Names (nil for a request without checks).
func (fs *flowSet) checkFailures() [][]int64 {
	out := make([][]int64, len(fs.checks))
	for i, cs := range fs.checks {
		if cs == nil {
			continue
		}
		out[i] = make([]int64, len(cs))
		for j := range cs {
			out[i][j] = cs[j].Load()
		}
	}
	return out
}

// DataSet is a run's data sources with their cursors, shared by all its
// profiles: a unique row is used at most once per run.
type DataSet struct{ cursors []dataCursor }

// NewDataSet makes the cursors of srcs for segment seg of a split run
// (zero: the whole run): a unique source gives each segment its own share
// of the rows (row i to segment i mod count), so no row is used twice
// across the segments.
func NewDataSet(srcs []*scenario.DataSource, seg Segment) *DataSet {
	d := &DataSet{cursors: make([]dataCursor, len(srcs))}
	for i, s := range srcs {
		if s.Mode == scenario.DataUnique && seg.Count > 1 {
			share := *s
			share.Rows = nil
			for j, row := range s.Rows {
				if j%seg.Count == seg.Index-1 {
					share.Rows = append(share.Rows, row)
				}
			}
			s = &share
		}
		d.cursors[i].src = s
	}
	return d
}

// dataCursor draws rows of one data source for every user.
type dataCursor struct {
	src  *scenario.DataSource
	next atomic.Uint64
}

// row draws the iteration's row; false when a unique source without
// recycle has no row left.
func (d *dataCursor) row(rng *rand.Rand) ([]string, bool) {
	rows := d.src.Rows
	n := uint64(len(rows))
	if n == 0 {
		return nil, false // a segment's share of a small unique source
	}
	switch d.src.Mode {
	case scenario.DataRandom:
		return rows[rng.IntN(len(rows))], true
	case scenario.DataUnique:
		i := d.next.Add(1) - 1
		if i >= n && !d.src.Recycle {
			return nil, false
		}
		return rows[i%n], true
	}
	return rows[(d.next.Add(1)-1)%n], true
}

// vu is one virtual user's state (one worker's in the open model).
type vu struct {
	rng  *rand.Rand
	b    scenario.Bindings
	ex   Exchange
	jar  *cookiejar.Jar
	bufs [][]byte // rendered header values, reused
	doc  any      // the response body decoded as JSON, for this response
	docN int      // 0: not decoded yet, 1: decoded, -1: not JSON
}

func (r *runner) newVU(rng *rand.Rand) *vu {
	u := &vu{rng: rng}
	u.b.Rand = rng
	u.b.Vars = make([][]byte, r.flows.nvars)
	u.b.Rows = make([][]string, len(r.flows.data))
	return u
}

// iterate runs one iteration of flow fi. intended is the first request's
// intended start (negative: now). fresh starts a new user (the open
// model: each arrival is one), whose cookies are its own.
func (r *runner) iterate(ctx context.Context, key, fi, stage int, intended int64, u *vu, fresh bool) {
	fs := r.flows
	c := &fs.counters[fi]
	f := &fs.flows[fi]
	if fs.plain[fi] {
		if !fs.count {
			// A requests: list alone: the send path as it always was, with
			// no shared counter besides the runner's.
			r.send(key, f.Steps[0].Request, stage, intended)
			return
		}
		c.started.Add(1)
		if r.send(key, f.Steps[0].Request, stage, intended) == metrics.OK {
			c.completed.Add(1)
		} else {
			c.failed.Add(1)
		}
		return
	}
	for _, d := range f.Data {
		row, ok := fs.data[d].row(u.rng)
		if !ok {
			c.exhausted.Add(1)
			r.exhausted.Store(true)
			r.stopRun()
			return
		}
		u.b.Rows[d] = row
	}
	c.started.Add(1)
	u.b.Seq = fs.seq.Add(1)
	u.b.NewUUID()
	for i := range u.b.Vars {
		u.b.Vars[i] = u.b.Vars[i][:0]
	}
	if fresh {
		u.jar = nil
	}
	left := f.Requests()
	for _, st := range f.Steps {
		if st.Request < 0 {
			if !sleepCtx(ctx, st.Pause) {
				return
			}
			continue
		}
		if ctx.Err() != nil {
			return // graceful stop: no new request
		}
		p := r.opt.Requests[st.Request]
		left--
		if r.step(key, st.Request, stage, intended, u, f.Cookies) != metrics.OK {
			c.failed.Add(1)
			c.skipped.Add(int64(left))
			return
		}
		intended = -1
		if p.Think > 0 && !sleepCtx(ctx, p.Think) {
			return
		}
	}
	c.completed.Add(1)
}

// step sends one request step and records it under its name.
func (r *runner) step(key, req, stage int, intended int64, u *vu, cookies bool) metrics.ErrorClass {
	p := r.opt.Requests[req]
	if p.Dynamic == nil && p.Check == nil && len(p.Extract) == 0 && !cookies {
		return r.send(key, req, stage, intended)
	}
	ex := &u.ex
	u.build(p, cookies)
	s := r.begin(req, stage, intended)
	out, err := r.opt.Doer.(Exchanger).Exchange(r.opt.Hard, ex)
	if !r.end(&s, &out, err) {
		return metrics.Other
	}
	s.Status, s.Bytes = out.Status, out.Bytes
	if err != nil {
		s.Class = Classify(out.Status, err)
	} else {
		if cookies {
			u.keepCookies()
		}
		s.Class = r.judge(req, p, out.Status, u)
	}
	r.opt.Recorder.Record(key, &s)
	return s.Class
}

// build writes p's request for this iteration into u.ex.
func (u *vu) build(p *Prepared, cookies bool) {
	ex := &u.ex
	d := p.Dynamic
	ex.Method, ex.Header = p.Method, p.Header
	if d != nil && d.URL != nil {
		ex.URL = d.URL.Append(ex.URL[:0], &u.b)
	} else {
		ex.URL = append(ex.URL[:0], p.URL...)
	}
	ex.Extra = ex.Extra[:0]
	nb := 0
	buf := func() []byte {
		if nb == len(u.bufs) {
			u.bufs = append(u.bufs, nil)
		}
		nb++
		return u.bufs[nb-1][:0]
	}
	if d != nil {
		for i := range d.Headers {
			h := &d.Headers[i]
			v := h.Value.Append(buf(), &u.b)
			u.bufs[nb-1] = v
			ex.Extra = append(ex.Extra, HeaderKV{Name: h.Name, Value: v})
		}
	}
	if d != nil && d.Body != nil {
		ex.Body = d.Body.Append(ex.Body[:0], &u.b)
	} else {
		ex.Body = p.Body
	}
	if cookies && u.jar != nil {
		if uu, err := url.Parse(string(ex.URL)); err == nil {
			if cs := u.jar.Cookies(uu); len(cs) > 0 {
				v := buf()
				for i, c := range cs {
					if i > 0 {
						v = append(v, "; "...)
					}
					v = append(v, c.Name...)
					v = append(v, '=')
					v = append(v, c.Value...)
				}
				u.bufs[nb-1] = v
				ex.Extra = append(ex.Extra, HeaderKV{Name: "Cookie", Value: v})
			}
		}
	}
	ex.CaptureHeaders = cookies || hasHeaderExtract(p.Extract)
	u.docN = 0
}

func hasHeaderExtract(es []scenario.Extract) bool {
	for _, e := range es {
		if e.Kind == scenario.ExtractHeader || e.Kind == scenario.ExtractCookie {
			return true
		}
	}
	return false
}

// keepCookies puts the cookies the response set into the user's jar.
func (u *vu) keepCookies() {
	var cs []*http.Cookie
	for _, h := range u.ex.RespHeaders {
		if strings.EqualFold(h.Name, "Set-Cookie") {
			if c, err := http.ParseSetCookie(string(h.Value)); err == nil {
				cs = append(cs, c)
			}
		}
	}
	if len(cs) == 0 {
		return
	}
	uu, err := url.Parse(string(u.ex.URL))
	if err != nil {
		return
	}
	if u.jar == nil {
		u.jar, _ = cookiejar.New(nil)
	}
	u.jar.SetCookies(uu, cs)
}

// json decodes the response body once per response; nil when it is not JSON.
func (u *vu) json() (any, bool) {
	if u.docN == 0 {
		u.doc = nil
		u.docN = -1
		if json.Unmarshal(u.ex.RespBody, &u.doc) == nil {
			u.docN = 1
		}
	}
	return u.doc, u.docN == 1
}

// judge applies p's checks, then its extractions, to the response. A
// status check replaces the default rule (a status >= 400 is class http).
func (r *runner) judge(req int, p *Prepared, status int, u *vu) metrics.ErrorClass {
	class := metrics.OK
	if c := p.Check; c != nil {
		fails := r.flows.checks[req]
		i := 0
		fail := func(bad bool) {
			if bad {
				fails[i].Add(1)
				class = metrics.Check
			}
			i++
		}
		if c.Status != nil {
			in := false
			for _, sr := range c.Status {
				in = in || (sr.Lo <= status && status <= sr.Hi)
			}
			fail(!in)
		}
		if status >= 400 && c.Status == nil {
			return metrics.HTTP
		}
		body := u.ex.RespBody
		if c.HasContains {
			fail(!bytes.Contains(body, []byte(c.BodyContains)))
		}
		for _, jc := range c.JSON {
			doc, ok := u.json()
			bad := !ok
			if ok {
				got := jc.Query.Select(doc)
				bad = len(got) == 0 || !jsonEqual(got[0], jc.Want)
			}
			fail(bad)
		}
		if c.Matches != nil {
			fail(!c.Matches.Match(body))
		}
		if c.MaxSize > 0 {
			fail(int64(len(body)) > c.MaxSize)
		}
	} else if status >= 400 {
		return metrics.HTTP
	}
	if class != metrics.OK {
		return class
	}
	for _, e := range p.Extract {
		v, ok := u.extract(&e)
		if !ok {
			return metrics.Extract
		}
		u.b.Vars[e.Slot] = append(u.b.Vars[e.Slot][:0], v...)
	}
	return metrics.OK
}

func (u *vu) extract(e *scenario.Extract) ([]byte, bool) {
	switch e.Kind {
	case scenario.ExtractJSON:
		doc, ok := u.json()
		if !ok {
			return nil, false
		}
		got := e.JSON.Select(doc)
		if len(got) == 0 || got[0] == nil {
			return nil, false
		}
		if s, ok := got[0].(string); ok {
			return []byte(s), true
		}
		b, err := json.Marshal(got[0])
		return b, err == nil
	case scenario.ExtractHeader:
		for _, h := range u.ex.RespHeaders {
			if strings.EqualFold(h.Name, e.Expr) {
				return h.Value, true
			}
		}
	case scenario.ExtractRegex:
		if m := e.Regex.FindSubmatch(u.ex.RespBody); m != nil {
			return m[1], true
		}
	case scenario.ExtractCookie:
		for _, h := range u.ex.RespHeaders {
			if strings.EqualFold(h.Name, "Set-Cookie") {
				if c, err := http.ParseSetCookie(string(h.Value)); err == nil && c.Name == e.Expr {
					return []byte(c.Value), true
				}
			}
		}
		if u.jar != nil {
			if uu, err := url.Parse(string(u.ex.URL)); err == nil {
				for _, c := range u.jar.Cookies(uu) {
					if c.Name == e.Expr {
						return []byte(c.Value), true
					}
				}
			}
		}
	}
	return nil, false
}

// jsonEqual compares two values as encoding/json decodes them.
func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
