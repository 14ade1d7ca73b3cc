package runner

import (
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// requestRules carries the requests' own expectations (slo: and expect: on
// a request) into a profile's rules, under the names the result reports
// (secrets masked as the recorder's names are).
func requestRules(sc *scenario.Scenario) []result.RequestRule {
	if sc == nil {
		return nil
	}
	m := scenario.NewMasker(sc)
	var out []result.RequestRule
	for _, r := range sc.Requests {
		if r.Expect.HasAny() {
			out = append(out, result.RequestRule{Name: m.Text(r.Name), Expect: resultExpect(r.Expect)})
		}
	}
	return out
}

// resultExpect is an expectation as the result records it.
func resultExpect(e scenario.Expect) result.Expect {
	ms := func(d time.Duration) *result.Millis {
		if d <= 0 {
			return nil
		}
		m := result.Ms(d)
		return &m
	}
	out := result.Expect{P50: ms(e.P50), P95: ms(e.P95), P99: ms(e.P99)}
	if e.HasErrorRate {
		v := e.ErrorRate
		out.ErrorRate = &v
	}
	if e.HasMinThroughput {
		v := e.MinThroughput
		out.MinThroughput = &v
	}
	return out
}
