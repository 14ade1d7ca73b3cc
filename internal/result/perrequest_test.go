package result

import (
	"math"
	"strings"
	"testing"
)

// TestPerRequestFigures: each request name's count includes its failures,
// and its errors, error rate, classes, throughput and share add up to the
// profile's, counted from the known samples of sample().
func TestPerRequestFigures(t *testing.T) {
	r := sample(t)
	tot := r.Profiles[0].Total
	want := map[string]struct{ requests, errors, http, timeout int64 }{}
	for i := 0; i < 5000; i++ {
		name := []string{"home", "search"}[i%2]
		w := want[name]
		w.requests++
		switch {
		case i%389 == 0:
			w.errors++
			w.timeout++
		case i%97 == 0:
			w.errors++
			w.http++
		}
		want[name] = w
	}
	var sumShare float64
	for _, rs := range tot.PerRequest {
		w := want[rs.Name]
		if !rs.ErrorsCounted || rs.Requests != w.requests || rs.Errors != w.errors || rs.ErrorClasses["http"] != w.http || rs.ErrorClasses["timeout"] != w.timeout {
			t.Errorf("%s: counted %v, %d requests, %d errors %v; want %d, %d (http %d, timeout %d)", rs.Name, rs.ErrorsCounted, rs.Requests, rs.Errors, rs.ErrorClasses, w.requests, w.errors, w.http, w.timeout)
		}
		if rs.OK() != w.requests-w.errors {
			t.Errorf("%s: %d ok, want %d", rs.Name, rs.OK(), w.requests-w.errors)
		}
		if math.Abs(rs.ErrorRate-float64(w.errors)/float64(w.requests)) > 1e-12 {
			t.Errorf("%s: error rate %v", rs.Name, rs.ErrorRate)
		}
		if math.Abs(rs.Throughput-float64(w.requests)/float64(tot.CompletionSpan)) > 1e-9 {
			t.Errorf("%s: throughput %v, want %v", rs.Name, rs.Throughput, float64(w.requests)/float64(tot.CompletionSpan))
		}
		sumShare += rs.Share
	}
	if math.Abs(sumShare-1) > 1e-12 {
		t.Errorf("shares add up to %v, want 1", sumShare)
	}
	// Every second carries each name's part, adding up to the second.
	for _, w := range r.Profiles[0].Windows {
		var n, e int64
		for _, rw := range w.PerRequest {
			n, e = n+rw.Requests, e+rw.Errors
		}
		if len(w.PerRequest) != 2 || n != w.Requests || e != w.Errors {
			t.Fatalf("second %d: per-request %+v do not add up to %d/%d", w.Time, w.PerRequest, w.Requests, w.Errors)
		}
	}
}

// TestPerRequestOldResult: a result written before per-request errors
// reads, and says its per-request errors were not counted.
func TestPerRequestOldResult(t *testing.T) {
	r := sample(t)
	b, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, k := range []string{`"errors_counted": true,`, `"per_request": [`} {
		if !strings.Contains(s, k) {
			t.Fatalf("the result lacks %s", k)
		}
	}
	// Drop the key an older loadplan did not write.
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, `"errors_counted"`) {
			lines = append(lines, l)
		}
	}
	old, err := Parse("old.json", []byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range old.Profiles[0].Total.PerRequest {
		if rs.ErrorsCounted {
			t.Errorf("%s: an older result's per-request errors read as counted", rs.Name)
		}
	}
}
