package simtarget

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestSamplerMoments(t *testing.T) {
	const draws = 200_000
	tests := []struct {
		name   string
		cfg    Config
		wantCV float64 // coefficient of variation of the distribution
	}{
		{"fixed", Config{ServiceTime: 7 * time.Millisecond, Distribution: Fixed}, 0},
		{"exponential", Config{ServiceTime: 10 * time.Millisecond, Distribution: Exponential}, 1},
		{"lognormal default shape", Config{ServiceTime: 10 * time.Millisecond, Distribution: Lognormal}, math.Sqrt(math.Exp(0.25) - 1)},
		{"lognormal wide", Config{ServiceTime: 3 * time.Millisecond, Distribution: Lognormal, LognormalSigma: 1}, math.Sqrt(math.E - 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Normalize()
			s := newSampler(cfg)
			r := rand.New(rand.NewPCG(1, 2))
			var sum, sumSq float64
			for range draws {
				d := s.draw(r)
				if d < 0 {
					t.Fatalf("negative draw %v", d)
				}
				sum += d
				sumSq += d * d
			}
			mean := sum / draws
			sd := math.Sqrt(max(sumSq/draws-mean*mean, 0))
			wantMean := float64(cfg.ServiceTime)
			// 200k draws put the standard error of the mean at CV/447, under
			// 0.4% even for the wide lognormal: 2% is a 5-sigma band.
			if rel := mean/wantMean - 1; math.Abs(rel) > 0.02 {
				t.Errorf("mean %v, want %v ± 2%% (off by %+.2f%%)", time.Duration(mean), cfg.ServiceTime, 100*rel)
			}
			if cv := sd / mean; math.Abs(cv-tc.wantCV) > 0.05 {
				t.Errorf("coefficient of variation %.3f, want %.3f ± 0.05", cv, tc.wantCV)
			}
		})
	}
}

// The sources handed out by the pool are distinct streams: two requests
// served at once must not draw the same sequence.
func TestPooledSourcesDiffer(t *testing.T) {
	s := New(Config{Distribution: Exponential, Seed: 42})
	a := s.tools.Get().(*serviceTools)
	b := s.tools.Get().(*serviceTools)
	if a.rng.Uint64() == b.rng.Uint64() {
		t.Fatal("two pooled sources drew the same first value")
	}
}

func BenchmarkDraw(b *testing.B) {
	for _, dist := range []string{Fixed, Exponential, Lognormal} {
		b.Run(dist, func(b *testing.B) {
			s := New(Config{Distribution: dist})
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				var sum float64
				for pb.Next() {
					tools := s.tools.Get().(*serviceTools)
					sum += s.sampler.draw(tools.rng)
					s.tools.Put(tools)
				}
				_ = sum
			})
		})
	}
}
