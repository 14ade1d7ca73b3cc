package scenario

// requestExpect reads a request's own slo: and expect: (the keys and
// meaning of the scenario's slo: and a profile's expect:, applied to this
// request's figures alone): expect: overrides slo: key by key.
func (p *parser) requestExpect(o object) Expect {
	var slo SLO
	if sv, ok := o.get("slo"); ok {
		slo = p.slo(sv)
	}
	ev, _ := o.get("expect")
	return p.expect(ev, slo)
}

// HasAny reports whether the expectation checks anything.
func (e Expect) HasAny() bool {
	return e.P50 > 0 || e.P95 > 0 || e.P99 > 0 || e.HasErrorRate || e.HasMinThroughput
}

// ReportName is the scenario's name as outputs show it: a ${secret:VAR} in
// it written as the reference (Masker), as in the result.
func ReportName(sc *Scenario) string { return NewMasker(sc).Text(sc.Name) }

// RequestNames are the requests' names as results report them (a secret
// in a name masked).
func RequestNames(sc *Scenario) []string {
	m := NewMasker(sc)
	names := make([]string, 0, len(sc.Requests))
	for _, r := range sc.Requests {
		names = append(names, m.Text(r.Name))
	}
	return names
}
