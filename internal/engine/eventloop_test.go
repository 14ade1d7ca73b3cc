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
