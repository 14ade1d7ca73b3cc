package engine

import (
	"fmt"
	"runtime"
)

// Engine chooses what runs an open-model profile: the epoll event loop
// (ADR 0019) or the sender pool (ADR 0014, ADR 0018). The closed model
// always runs its users.
type Engine uint8

const (
	// EngineAuto runs the event loop where it can serve the run (Linux,
	// the FastClient, plain requests to one http:// address, no flows) and
	// the sender pool otherwise; Stats.NoEventLoop says why.
	EngineAuto Engine = iota
	// EnginePool always runs the sender pool.
	EnginePool
	// EngineEventLoop runs the event loop, or RunOpen fails with an
	// *EventLoopError before anything is sent.
	EngineEventLoop
)

// ParseEngine reads an engine's name as LOADPLAN_ENGINE gives it: "epoll"
// (the event loop), "pool" (the sender pool), "auto" or "" (the event loop
// where it applies).
func ParseEngine(s string) (Engine, error) {
	switch s {
	case "", "auto":
		return EngineAuto, nil
	case "pool":
		return EnginePool, nil
	case "epoll":
		return EngineEventLoop, nil
	}
	return EngineAuto, fmt.Errorf("engine %q: want epoll (the event loop), pool (the sender pool) or auto (the event loop where it applies, else the pool)", s)
}

// EventLoopError is RunOpen's answer when the event loop was asked for
// (EngineEventLoop) and cannot serve the run: nothing was sent.
type EventLoopError struct {
	Why string // the first thing that keeps the loop from the run
}

func (e *EventLoopError) Error() string {
	return "engine: the event loop cannot run this profile: " + e.Why
}

// poolAsked is Stats.NoEventLoop when EnginePool chose the pool.
const poolAsked = "the sender pool was asked for"

// EventLoopRefusal says why the event loop could not serve an open-model
// run with opt ("" when it could, as far as can be told before the run:
// the host's name is resolved, and epoll set up, only when it starts). It
// sends nothing; opt needs Doer, Requests, Weights, Flows and Data.
func EventLoopRefusal(opt Options) string {
	fs, err := newFlowSet(&opt)
	if err != nil {
		return err.Error()
	}
	_, why := loopAddress(&opt, fs)
	return why
}

// loopAddress is the one address the event loop would send opt's
// requests to, or why it cannot run them: it needs a FastClient, no
// flows: section, every request plain (no templates, checks, extraction,
// think time, data or cookies) and plain http to one address.
func loopAddress(opt *Options, fs *flowSet) (addr, why string) {
	if runtime.GOOS != "linux" {
		return "", "the event loop needs Linux (epoll)"
	}
	fc, ok := opt.Doer.(*FastClient)
	if !ok {
		return "", "the event loop needs the fast HTTP/1.1 client (client: std, https, gzip or an HTTP proxy choose net/http)"
	}
	if opt.Flows != nil {
		return "", "the scenario has flows: (the event loop sends plain requests only)"
	}
	for i, p := range opt.Requests {
		if !fs.plain[i] {
			return "", fmt.Sprintf("request %q is not plain (templates, checks, extraction, think time or data; the event loop sends plain requests only)", p.Name)
		}
		fp := fc.prepared(p)
		switch {
		case fp.err != nil:
			return "", fmt.Sprintf("request %q: %v", p.Name, fp.err)
		case fp.host.hc.IsTLS:
			return "", fmt.Sprintf("request %q is https (the event loop speaks plain http only)", p.Name)
		case addr != "" && fp.host.hc.Addr != addr:
			return "", fmt.Sprintf("the requests go to more than one address (%s, %s; the event loop serves one)", addr, fp.host.hc.Addr)
		}
		addr = fp.host.hc.Addr
	}
	if addr == "" {
		return "", ErrNoRequests.Error()
	}
	return addr, ""
}

// noEpoll is why RunOpen fell back when the loop's epoll set or eventfd
// could not be made.
const noEpoll = "the event loop's epoll set or eventfd could not be made"
