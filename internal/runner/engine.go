package runner

import (
	"fmt"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/verdict"
)

// chooseEngine reads LOADPLAN_ENGINE (value): unset or "auto" runs the
// event loop where it can serve a profile and the sender pool otherwise,
// "pool" always the pool, "epoll" always the loop. A run the loop cannot
// serve with "epoll" (a closed-model profile, flows, https, several hosts,
// a request that is not plain, not Linux) is a usage error before anything
// is sent, as is an unknown value.
func chooseEngine(value string, sc *scenario.Scenario, only []string, seg engine.Segment) (engine.Engine, error) {
	eng, err := engine.ParseEngine(value)
	if err != nil {
		return eng, verdict.Usagef("LOADPLAN_ENGINE=%s: %v", value, err)
	}
	if eng != engine.EngineEventLoop {
		return eng, nil
	}
	for _, p := range sc.Profiles {
		if selected(p.Name, only) && p.Model == scenario.Closed {
			return eng, verdict.Usagef("LOADPLAN_ENGINE=epoll: profile %s is closed-model (users:); the event loop runs the open model (rate:) only (unset LOADPLAN_ENGINE: the closed model runs its users)", p.Name)
		}
	}
	// The requests as Run prepares them (a built-in target's address is
	// known only once it runs: any loopback address stands in for it).
	prepared, weights := prepare(sc, "http://127.0.0.1:1")
	var doer engine.Doer = engine.NewHTTPClient(engine.ClientOptions{})
	if useFastClient(sc, prepared) {
		doer = engine.NewFastClient(engine.ClientOptions{})
	}
	why := engine.EventLoopRefusal(engine.Options{Doer: doer, Requests: prepared, Weights: weights, Flows: sc.Flows, Data: engine.NewDataSet(sc.Data, seg)})
	if why != "" {
		return eng, verdict.Usagef("LOADPLAN_ENGINE=epoll: %s (unset LOADPLAN_ENGINE: such a run goes on the sender pool)", why)
	}
	return eng, nil
}

// epollRefused ends a run when the event loop that LOADPLAN_ENGINE=epoll
// forces could not serve profile (base: the target's URL) as it started:
// its host's name did not resolve, or no epoll set could be made. Nothing
// of the profile was sent, so it is a usage error (exit 2), as when
// chooseEngine refuses a run before it starts: with nothing measured, no
// result; after earlier profiles, the result keeps them, judged, with a
// warning, and does not pass (the run did not run every profile).
func epollRefused(res *result.Result, profile, base string, le *engine.EventLoopError) (*result.Result, error) {
	err := verdict.Usagef("LOADPLAN_ENGINE=epoll: profile %s (%s): %s; nothing of it was sent (unset LOADPLAN_ENGINE: the sender pool runs it)", profile, base, le.Why)
	if len(res.Profiles) == 0 {
		return nil, err
	}
	res.Warnings = append(res.Warnings, fmt.Sprintf("profile %s and any after it were not run: %v", profile, err))
	res.Environment.End = time.Now().UTC()
	verdict.JudgeAll(res)
	res.Pass = false
	return res, err
}

// engineOf is what ran profile p (result.Generator.Engine) and, for an
// open-model profile on the sender pool, why (asked: Options.Engine).
func engineOf(p scenario.Profile, st engine.Stats, asked engine.Engine) (name, note string) {
	switch {
	case p.Model == scenario.Closed:
		return "users", ""
	case st.EventLoop:
		return "epoll", ""
	case asked == engine.EnginePool:
		return "pool", "LOADPLAN_ENGINE=pool"
	}
	return "pool", st.NoEventLoop
}
