package report

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// engineText is which engine ran each profile (result.Generator.Engine),
// profiles that ran on the same one (for the same reason) together:
// "event loop (epoll) for baseline, stress; sender pool for journey (the
// scenario has flows: …)". Empty for a result that does not record it.
func engineText(r *result.Result) string {
	type group struct {
		engine, note string
		names        []string
	}
	var groups []group
next:
	for _, p := range r.Profiles {
		g := p.Generator
		if g.Engine == "" {
			continue
		}
		for i := range groups {
			if groups[i].engine == g.Engine && groups[i].note == g.EngineNote {
				groups[i].names = append(groups[i].names, p.Name)
				continue next
			}
		}
		groups = append(groups, group{g.Engine, g.EngineNote, []string{p.Name}})
	}
	var parts []string
	for _, g := range groups {
		s := g.engine
		switch g.engine {
		case "epoll":
			s = "event loop (epoll)"
		case "pool":
			s = "sender pool"
		case "users":
			s = "closed-model users"
		}
		s += " for " + strings.Join(g.names, ", ")
		if g.note != "" {
			s += " (" + g.note + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// wakeDelayText says where start lateness came from when the machine did
// not run the generator when due (result.Generator.WakeDelays): "start
// lateness p99 1.9ms (max 14ms): the machine did not run the generator
// when due 9 times (41ms in all, longest 13ms: other threads or processes,
// or the hypervisor, had the CPU)". Empty when it always did. It explains
// the figure; the verdict's rules do not read it.
func wakeDelayText(g result.Generator) string {
	if g.WakeDelays <= 0 {
		return ""
	}
	times := fmt.Sprintf("%d times", g.WakeDelays)
	if g.WakeDelays == 1 {
		times = "once"
	}
	return fmt.Sprintf("start lateness p99 %s (max %s): the machine did not run the generator when due %s (%s in all, longest %s: other threads or processes, or the hypervisor, had the CPU)",
		ms(g.LatenessP99), ms(g.LatenessMax), times, ms(g.WakeDelayTotal), ms(g.WakeDelayMax))
}

// earlyText says, after the start lateness, how many starts the pacer sent
// early and how early at most (result.Generator.EarlyStarts): ", 1234
// sent early (at most 490µs, the pacer's early allowance; their latency
// counts from the send)". Empty when none was: the lateness then says the
// schedule's fidelity alone.
func earlyText(g result.Generator) string {
	if g.EarlyStarts <= 0 {
		return ""
	}
	return fmt.Sprintf(", %d sent early (at most %s, the pacer's early allowance; their latency counts from the send)", g.EarlyStarts, ms(g.EarlyMax))
}

// preDialText says, after the start lateness, how many connections were
// open when the profile's clock started (result.Generator.PreDialled,
// run --pre-dial): ", 50 connections opened before the clock (their
// dialling is in no start's lateness)". Empty when none was.
func preDialText(g result.Generator) string {
	if g.PreDialled <= 0 {
		return ""
	}
	if g.PreDialled == 1 {
		return ", 1 connection opened before the clock (its dialling is in no start's lateness)"
	}
	return fmt.Sprintf(", %d connections opened before the clock (their dialling is in no start's lateness)", g.PreDialled)
}

// reuseText says, after the start lateness, how many requests a server's
// close of a reused connection made the generator send again, and how
// many it could not (result.Generator.Retries, ReusedConnErrors): ", 12
// sent again on a new connection (a reused one was closed by the server
// before any byte of the response; their latency holds the lost attempt),
// 3 POST or PATCH errors were such a close (connection_reset), not the
// service's answer". Empty when there were none.
func reuseText(g result.Generator) string {
	s := ""
	if g.Retries > 0 {
		s += fmt.Sprintf(", %d sent again on a new connection (a reused one was closed or reset by the server before any byte of the response; their latency holds the lost attempt; %s)", g.Retries, resetCaveat)
	}
	if g.ReusedConnErrors > 0 {
		s += fmt.Sprintf(", %d errors were such a close of a request that may not be sent again (POST, PATCH: connection_reset), most likely the close racing the reuse, not the service's answer (%s)", g.ReusedConnErrors, resetCaveat)
	}
	return s
}

// resetCaveat says what a reused connection's reset cannot tell: a server
// that read the request and then reset it, without answering, failed; its
// TCP need not have acknowledged the request yet (a delayed ACK), so no
// client can tell that from the close racing the reuse.
const resetCaveat = "a server that reset the connection after reading the request failed it, and nothing tells that apart from the race: docs/reliability.md"
