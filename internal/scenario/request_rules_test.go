package scenario

import (
	"strings"
	"testing"
	"time"
)

// TestRequestSLOAndExpect: a request's slo: and expect: are its own; its
// expect: overrides its slo: key by key, and a bad value names file, line
// and key.
func TestRequestSLOAndExpect(t *testing.T) {
	src := `version: 1
name: t
target: {url: builtin}
slo: {p95: 300ms}
requests:
  - name: items
    path: /items
    slo: {p95: 50ms, error_rate: 1%}
    expect: {p95: 40ms}
  - name: other
    path: /other
profiles: {baseline: {rate: 1, duration: 1s}}
`
	sc := mustParse(t, src, nil)
	e := sc.Requests[0].Expect
	if e.P95 != 40*time.Millisecond || !e.HasErrorRate || e.ErrorRate != 0.01 {
		t.Errorf("items expect %+v, want p95 40ms (expect over slo) and error rate 1%% (from slo)", e)
	}
	if sc.Requests[1].Expect.HasAny() {
		t.Errorf("other has no expectations of its own, got %+v (the scenario's slo is the profiles')", sc.Requests[1].Expect)
	}
	bad := strings.Replace(src, "expect: {p95: 40ms}", "expect: {p95: fast}", 1)
	_, err := Parse("s.yaml", []byte(bad), env(nil))
	if err == nil || !strings.Contains(err.Error(), "s.yaml:9") || !strings.Contains(err.Error(), "requests[0].expect.p95") {
		t.Errorf("a bad request expect: got %v, want an error at s.yaml:9 naming requests[0].expect.p95", err)
	}
}
