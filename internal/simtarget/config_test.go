package simtarget

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	var c Config
	c.Normalize()
	want := Config{Workers: 16, ServiceTime: 10 * time.Millisecond, Distribution: Exponential, Queue: 1000, LognormalSigma: 0.5}
	if c != want {
		t.Fatalf("Normalize() of the zero Config = %+v, want %+v", c, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("normalized zero Config is invalid: %v", err)
	}

	set := Config{Workers: 3, ServiceTime: time.Second, Distribution: Fixed, Queue: NoQueue, Sigma: 0.1, Kappa: 0.01, LognormalSigma: 1, Seed: 7}
	got := set
	got.Normalize()
	if got != set {
		t.Fatalf("Normalize changed set fields: %+v, want %+v", got, set)
	}
}

func TestValidate(t *testing.T) {
	valid := Config{Workers: 4, ServiceTime: 5 * time.Millisecond, Distribution: Lognormal, Queue: 10, Sigma: 0.05, Kappa: 0.001, LognormalSigma: 0.5}
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string // empty: valid
	}{
		{"valid", func(*Config) {}, ""},
		{"no queue", func(c *Config) { c.Queue = NoQueue }, ""},
		{"sigma one", func(c *Config) { c.Sigma = 1 }, ""},
		{"workers zero", func(c *Config) { c.Workers = 0 }, "workers 0"},
		{"workers negative", func(c *Config) { c.Workers = -2 }, "workers -2"},
		{"service time zero", func(c *Config) { c.ServiceTime = 0 }, "service time"},
		{"service time negative", func(c *Config) { c.ServiceTime = -time.Millisecond }, "service time -1ms"},
		{"unknown distribution", func(c *Config) { c.Distribution = "pareto" }, `distribution "pareto"`},
		{"empty distribution", func(c *Config) { c.Distribution = "" }, "distribution"},
		{"queue below NoQueue", func(c *Config) { c.Queue = -2 }, "queue -2"},
		{"sigma negative", func(c *Config) { c.Sigma = -0.1 }, "sigma -0.1"},
		{"sigma above one", func(c *Config) { c.Sigma = 1.5 }, "sigma 1.5"},
		{"sigma NaN", func(c *Config) { c.Sigma = math.NaN() }, "sigma NaN"},
		{"kappa negative", func(c *Config) { c.Kappa = -1e-3 }, "kappa"},
		{"kappa infinite", func(c *Config) { c.Kappa = math.Inf(1) }, "kappa"},
		{"error rate one", func(c *Config) { c.ErrorRate = 1 }, ""},
		{"error rate above one", func(c *Config) { c.ErrorRate = 1.05 }, "error rate 1.05"},
		{"error rate NaN", func(c *Config) { c.ErrorRate = math.NaN() }, "error rate NaN"},
		{"lognormal sigma negative", func(c *Config) { c.LognormalSigma = -1 }, "lognormal sigma"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("Validate() = nil, want an error containing %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("Validate() = %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestValidateReportsEveryField(t *testing.T) {
	err := Config{Workers: 0, ServiceTime: -1, Distribution: "x", Sigma: -1}.Validate()
	if err == nil {
		t.Fatal("Validate() = nil, want errors")
	}
	for _, want := range []string{"workers", "service time", "distribution", "sigma"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %q, missing %q", err, want)
		}
	}
}

func TestNewPanicsOnInvalidConfig(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New with a negative worker count did not panic")
		}
	}()
	New(Config{Workers: -1})
}

func TestCapacityModel(t *testing.T) {
	const eps = 1e-9
	usl := Config{Workers: 64, ServiceTime: 10 * time.Millisecond, Sigma: 0.05, Kappa: 0.002}
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"capacity", Config{Workers: 8, ServiceTime: 10 * time.Millisecond}.Capacity(), 800},
		{"capacity ignores penalty", usl.Capacity(), 6400},
		{"linear X(1)", Config{Workers: 8, ServiceTime: 10 * time.Millisecond}.USLThroughput(1), 100},
		{"linear X(8)", Config{Workers: 8, ServiceTime: 10 * time.Millisecond}.USLThroughput(8), 800},
		{"X capped at workers", Config{Workers: 8, ServiceTime: 10 * time.Millisecond}.USLThroughput(100), 800},
		{"X(0)", usl.USLThroughput(0), 0},
		{"X(1) has no penalty", usl.USLThroughput(1), 100},
		// 10 / (0.01 · (1 + 0.05·9 + 0.002·10·9)) = 10 / 0.0163
		{"X(10)", usl.USLThroughput(10), 10 / 0.0163},
		{"penalty(10)", usl.Penalty(10), 1.63},
		{"peak concurrency", usl.PeakConcurrency(), math.Sqrt(0.95 / 0.002)},
		{"peak concurrency without kappa", Config{Sigma: 0.1}.PeakConcurrency(), math.Inf(1)},
		// √(0.95/0.002) ≈ 21.8: X(22) = 22 / (0.01 · (1 + 1.05 + 0.924)) beats X(21)
		{"peak throughput", usl.PeakThroughput(), 22 / (0.01 * (1 + 0.05*21 + 0.002*22*21))},
		{"peak throughput capped by workers", Config{Workers: 8, ServiceTime: 10 * time.Millisecond, Sigma: 0.05, Kappa: 0.002}.PeakThroughput(),
			8 / (0.01 * (1 + 0.05*7 + 0.002*8*7))},
		{"peak throughput linear", Config{Workers: 8, ServiceTime: 10 * time.Millisecond}.PeakThroughput(), 800},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want && math.Abs(tc.got-tc.want) > eps*math.Abs(tc.want) {
				t.Fatalf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

// PeakThroughput is computed near PeakConcurrency; check it against a scan.
func TestPeakThroughputIsTheMaximum(t *testing.T) {
	for _, c := range []Config{
		{Workers: 100, ServiceTime: time.Millisecond, Sigma: 0.02, Kappa: 0.0005},
		{Workers: 100, ServiceTime: time.Millisecond, Sigma: 0.9, Kappa: 0.3},
		{Workers: 100, ServiceTime: time.Millisecond, Sigma: 1, Kappa: 0.1},
		{Workers: 5, ServiceTime: time.Millisecond, Sigma: 0.3, Kappa: 1e-6},
		{Workers: 1, ServiceTime: time.Millisecond, Sigma: 0.5, Kappa: 0.5},
	} {
		best := 0.0
		for n := 1; n <= c.Workers; n++ {
			best = max(best, c.USLThroughput(n))
		}
		if got := c.PeakThroughput(); got != best {
			t.Errorf("%+v: PeakThroughput() = %v, scan says %v", c, got, best)
		}
	}
}
