package capacity

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func TestErlangBExact(t *testing.T) {
	tests := []struct {
		c    int
		a    float64
		want float64
	}{
		{0, 3, 1},         // no servers: every arrival is blocked
		{1, 1, 0.5},       // B(1, A) = A/(1+A)
		{1, 4, 0.8},       // A/(1+A)
		{2, 1, 0.2},       // (1/2) / (1 + 1 + 1/2)
		{2, 3, 4.5 / 8.5}, // (9/2) / (1 + 3 + 9/2)
		{3, 2, 4.0 / 19},  // (8/6) / (1 + 2 + 2 + 8/6)
		{5, 0, 0},         // no traffic
	}
	for _, tt := range tests {
		if got := ErlangB(tt.c, tt.a); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("ErlangB(%d, %g) = %.17g, want %.17g", tt.c, tt.a, got, tt.want)
		}
	}
}

// TestErlangBPublished checks Erlang B against published traffic tables.
func TestErlangBPublished(t *testing.T) {
	tests := []struct {
		source string
		c      int
		a      float64
		want   float64 // to three decimals
	}{
		// Westbay Engineers' Erlang calculator manual, "How much traffic
		// can a trunk group handle?" (erlang.com/calculatormanual): 15
		// lines at 1% blocking carry 8.108 erlangs.
		{"erlang.com, 15 lines", 15, 8.108, 0.010},
		// Erlang B tables, 1% grade of service (e.g. Carrier Grade Voice
		// over IP, appendix A): 10 channels 4.46 E, 20 channels 12.03 E.
		{"Erlang B table, 10 channels", 10, 4.46, 0.010},
		{"Erlang B table, 20 channels", 20, 12.03, 0.010},
	}
	for _, tt := range tests {
		if got := ErlangB(tt.c, tt.a); round3(got) != tt.want {
			t.Errorf("%s: ErlangB(%d, %g) = %.5f, published %.3f", tt.source, tt.c, tt.a, got, tt.want)
		}
	}
}

func TestErlangCClosedForms(t *testing.T) {
	for _, a := range []float64{0.1, 0.5, 0.9, 1.5, 1.99} {
		if a < 1 {
			// M/M/1: P(wait) = ρ.
			if got := ErlangC(1, a); math.Abs(got-a) > 1e-15 {
				t.Errorf("ErlangC(1, %g) = %g, want ρ", a, got)
			}
		}
		// M/M/2: C = A²/(2+A).
		if got, want := ErlangC(2, a), a*a/(2+a); math.Abs(got-want) > 1e-15 {
			t.Errorf("ErlangC(2, %g) = %g, want %g", a, got, want)
		}
	}
}

func TestErlangInvalidAndUnstable(t *testing.T) {
	for _, tt := range []struct {
		c int
		a float64
	}{{-1, 1}, {3, -1}, {3, math.NaN()}, {3, math.Inf(1)}} {
		if !math.IsNaN(ErlangB(tt.c, tt.a)) || !math.IsNaN(ErlangC(tt.c, tt.a)) {
			t.Errorf("Erlang(%d, %g) should be NaN", tt.c, tt.a)
		}
	}
	if got := ErlangC(4, 4); got != 1 {
		t.Errorf("ErlangC at A = c = %g, want 1", got)
	}
	if got := ErlangC(4, 9); got != 1 {
		t.Errorf("ErlangC overloaded = %g, want 1", got)
	}
	// The recursion stays finite and sensible far beyond where factorials
	// overflow (171! > MaxFloat64).
	if b := ErlangB(10000, 9500); !(b > 0 && b < 0.1) {
		t.Errorf("ErlangB(10000, 9500) = %g", b)
	}
	if c := ErlangC(10000, 9800); !(c > 0 && c < 1) {
		t.Errorf("ErlangC(10000, 9800) = %g", c)
	}
}

// callCentre is the worked example of Call Centre Helper, "Erlang C
// Formula – Made Simple With an Easy Worked Example"
// (callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls in
// 30 minutes, 180 s average handling time (10 erlangs), target 80% answered
// within 20 s. Its figures to three decimals are asserted independently by
// pyworkforce (github.com/rodrigo-arenas/pyworkforce,
// pyworkforce/queuing/tests/test_erlang.py): with 14 agents P(wait) 0.174,
// service level 0.888, occupancy 0.714 and 14 the fewest agents for 80%;
// with 15 agents P(wait) 0.102, service level 0.941, occupancy 0.667.
var callCentre = Queue{ArrivalRate: 100.0 / (30 * 60), ServiceTime: 180 * time.Second}

func TestQueueCallCentreExample(t *testing.T) {
	tests := []struct {
		servers                 int
		probWait, sl20, utilise float64
	}{
		{14, 0.174, 0.888, 0.714},
		{15, 0.102, 0.941, 0.667},
	}
	for _, tt := range tests {
		q := callCentre
		q.Servers = tt.servers
		if got := q.Offered(); math.Abs(got-10) > 1e-12 {
			t.Fatalf("offered load = %g, want 10 erlangs", got)
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"P(wait)", q.ProbWait(), tt.probWait},
			{"service level (20 s)", q.ServiceLevel(20 * time.Second), tt.sl20},
			{"utilisation", q.Utilisation(), tt.utilise},
		} {
			if round3(c.got) != c.want {
				t.Errorf("%d agents: %s = %.5f, published %.3f", tt.servers, c.name, c.got, c.want)
			}
		}
		// Mean wait W_q = C/(cμ − λ); mean response adds the service time.
		wantW := q.ProbWait() / (float64(tt.servers)/180 - 100.0/1800)
		if got := q.MeanWait(); math.Abs(got-wantW) > 1e-12 {
			t.Errorf("%d agents: mean wait %g, want %g", tt.servers, got, wantW)
		}
		if got := q.MeanResponse(); math.Abs(got-(wantW+180)) > 1e-9 {
			t.Errorf("%d agents: mean response %g, want %g", tt.servers, got, wantW+180)
		}
	}
	n, err := callCentre.MinServersForServiceLevel(20*time.Second, 0.8)
	if err != nil || n != 14 {
		t.Errorf("MinServersForServiceLevel(20s, 0.8) = %d, %v; published 14", n, err)
	}
}

// TestQueueTelefonicaExample is the worked example of the Erlang C
// calculator at personal.telefonica.terra.es/web/vr/erlang/eng/mcerlc.htm:
// 600 calls an hour of 120 s (20 erlangs); for a delay probability of at
// most 15% 26 circuits are needed, with an average delay of about 3 s a
// call; 30 circuits cut the delay probability to 2.5%. The source prints
// these rounded, so they are checked at its precision.
func TestQueueTelefonicaExample(t *testing.T) {
	q := Queue{ArrivalRate: 600.0 / 3600, ServiceTime: 120 * time.Second}
	n := q.MinServers()
	for q.Servers = n; ; q.Servers++ {
		if q.ProbWait() <= 0.15 {
			break
		}
	}
	if q.Servers != 26 {
		t.Errorf("fewest circuits for P(wait) ≤ 15%% = %d, published 26", q.Servers)
	}
	if w := q.MeanWait(); math.Round(w) != 3 {
		t.Errorf("mean delay at 26 circuits = %.3f s, published about 3 s", w)
	}
	q.Servers = 30
	if p := q.ProbWait(); math.Round(p*1000)/10 != 2.5 {
		t.Errorf("P(wait) at 30 circuits = %.4f, published 2.5%%", p)
	}
}

func TestQueueMinServersForWait(t *testing.T) {
	q := callCentre
	tests := []struct {
		wait time.Duration
	}{{2 * time.Minute}, {20 * time.Second}, {5 * time.Second}, {time.Second}, {time.Millisecond}}
	for _, tt := range tests {
		n, err := q.MinServersForWait(tt.wait)
		if err != nil {
			t.Fatalf("MinServersForWait(%s): %v", tt.wait, err)
		}
		// The answer meets the target and one fewer does not.
		q.Servers = n
		if q.MeanWait() > tt.wait.Seconds() {
			t.Errorf("%s: %d servers wait %g s", tt.wait, n, q.MeanWait())
		}
		q.Servers = n - 1
		if q.Servers >= 1 && q.MeanWait() <= tt.wait.Seconds() {
			t.Errorf("%s: %d servers already wait only %g s; %d is not the fewest", tt.wait, n-1, q.MeanWait(), n)
		}
	}
	// 11 agents give a mean wait of about 123 s (Call Centre Helper).
	if n, _ := q.MinServersForWait(2 * time.Minute); n != 12 {
		t.Errorf("MinServersForWait(2m) = %d, want 12", n)
	}
}

func TestQueueUnstable(t *testing.T) {
	q := Queue{ArrivalRate: 10, ServiceTime: time.Second, Servers: 10}
	if q.Stable() {
		t.Error("λ = cμ reported stable")
	}
	if !math.IsInf(q.MeanWait(), 1) || !math.IsInf(q.MeanResponse(), 1) {
		t.Errorf("unstable mean wait = %g, response = %g; want +Inf", q.MeanWait(), q.MeanResponse())
	}
	if q.ProbWait() != 1 || q.ServiceLevel(time.Hour) != 0 {
		t.Errorf("unstable P(wait) = %g, SL = %g; want 1 and 0", q.ProbWait(), q.ServiceLevel(time.Hour))
	}
	if q.MinServers() != 11 || q.Utilisation() != 1 {
		t.Errorf("MinServers = %d, ρ = %g; want 11 and 1", q.MinServers(), q.Utilisation())
	}
}

func TestQueueInputErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"negative rate", func() error { return Queue{ArrivalRate: -1, ServiceTime: time.Second, Servers: 1}.Validate() }, "arrival rate"},
		{"NaN rate", func() error { return Queue{ArrivalRate: math.NaN(), ServiceTime: time.Second, Servers: 1}.Validate() }, "arrival rate"},
		{"zero service time", func() error { return Queue{ArrivalRate: 1, Servers: 1}.Validate() }, "service time"},
		{"no servers", func() error { return Queue{ArrivalRate: 1, ServiceTime: time.Second}.Validate() }, "servers must be at least 1"},
		{"zero wait target", func() error { _, err := callCentre.MinServersForWait(0); return err }, "mean wait"},
		{"target of 1", func() error { _, err := callCentre.MinServersForServiceLevel(time.Second, 1); return err }, "probability in (0, 1)"},
		{"target of 80", func() error { _, err := callCentre.MinServersForServiceLevel(time.Second, 80); return err }, "0.8 for 80%"},
		{"negative time", func() error { _, err := callCentre.MinServersForServiceLevel(-time.Second, 0.8); return err }, "must not be negative"},
		{"bad queue in search", func() error { _, err := Queue{ArrivalRate: 1}.MinServersForWait(time.Second); return err }, "service time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want an *InputError containing %q", err, tt.want)
			}
		})
	}
}

func TestQueueNoTraffic(t *testing.T) {
	q := Queue{ArrivalRate: 0, ServiceTime: time.Second, Servers: 1}
	if q.ProbWait() != 0 || q.MeanWait() != 0 || q.ServiceLevel(0) != 1 {
		t.Errorf("idle queue: P(wait)=%g W=%g SL=%g", q.ProbWait(), q.MeanWait(), q.ServiceLevel(0))
	}
	if n, err := q.MinServersForServiceLevel(0, 0.99); n != 1 || err != nil {
		t.Errorf("idle queue needs %d servers (%v), want 1", n, err)
	}
}

func BenchmarkMinServersForServiceLevel(b *testing.B) {
	q := Queue{ArrivalRate: 2000, ServiceTime: 500 * time.Millisecond} // 1000 erlangs
	for b.Loop() {
		if _, err := q.MinServersForServiceLevel(100*time.Millisecond, 0.99); err != nil {
			b.Fatal(err)
		}
	}
}
