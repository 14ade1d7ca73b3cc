package engine

// loopDoer is the Doer a fault test gives the run: for the event loop the
// client itself (the loop sends a FastClient's requests on its own
// sockets, so a wrapper would make it fall back to the sender pool).
func loopDoer(client string, traced *tracingDoer) Doer {
	if client == "epoll" {
		return traced.d
	}
	return traced
}

// clientEngine is the engine a fault test's client variant runs: the
// default for "epoll" (the event loop where it applies: an https or
// unresolvable target falls back to the sender pool, as a user's run
// does), the sender pool for the others, so that the pool stays covered.
func clientEngine(client string) Engine {
	if client == "epoll" {
		return EngineAuto
	}
	return EnginePool
}
