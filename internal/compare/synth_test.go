package compare

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// service is a synthetic service measured by a synthetic open-model run:
// each second's arrivals are Poisson, each response time lognormal, each
// request fails with a fixed probability. Two runs of the same service
// with different seeds are two honest measurements of one system.
type service struct {
	median time.Duration // median response time at light load
	sigma  float64       // of the log of the response time
	errP   float64       // probability that a request fails
	// capacity, when set, makes the latency grow with the load as in an
	// M/M/1 queue: the median is median / (1 − load/capacity), and no
	// more than capacity requests complete per second.
	capacity float64
	// exponential, when set, draws each response time from an exponential
	// distribution of mean median (sigma unused), as an M/M/c service time.
	exponential bool
	// drift, when set, makes the seconds' latencies move together: each
	// second's response times are multiplied by e^a, a an AR(1) series
	// (coefficient driftPhi) of stationary standard deviation drift. A
	// live service's seconds do (a GC, a neighbour's burst, a queue that
	// lasts a few seconds).
	drift float64
	// even, when set, spaces each stage's arrivals evenly by its rate, as
	// the engine's open-model schedule does, instead of drawing each
	// second's count from a Poisson law: a second then offers exactly its
	// share of the rate, and every arrival completes in it.
	even bool
	// stall, when its factor is set, multiplies the response times of
	// the profile's seconds at … at+secs−1 (counted from its start) by
	// factor: a stall in one part of a run.
	stall stall
}

// stall is a few seconds of a run slower by a factor.
type stall struct {
	at, secs int
	factor   float64
}

// driftPhi is the lag-1 autocorrelation of service.drift.
const driftPhi = 0.6

// stage is one stage of a synthetic profile: a steady rate.
type stage struct {
	rate float64
	secs int
}

// run measures the service under the stages, with one per-second window
// per second, encoded as the recorder encodes windows (2 significant
// digits).
func (s service) run(t testing.TB, seed uint64, name string, stages []stage) result.Profile {
	t.Helper()
	src := rand.NewPCG(seed, 0x5eed)
	rng := rand.New(src)
	p := result.Profile{Name: name, Model: "open", Status: result.StatusComplete}
	total := metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.SigFigs)
	at := 0
	a := 0.0 // the drift's state, drawn from its stationary law
	if s.drift > 0 {
		a = s.drift * rng.NormFloat64()
	}
	for si, st := range stages {
		stageHist := metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.SigFigs)
		var req, errs int64
		load := st.rate
		median := float64(s.median.Microseconds())
		if s.capacity > 0 {
			rho := min(load/s.capacity, 0.99)
			median /= 1 - rho
		}
		var lat interface{ Rand() float64 } = distuv.LogNormal{Mu: math.Log(median), Sigma: s.sigma, Src: src}
		if s.exponential {
			lat = distuv.Exponential{Rate: 1 / median, Src: src}
		}
		for i := range st.secs {
			scale := 1.0
			if s.drift > 0 {
				a = driftPhi*a + s.drift*math.Sqrt(1-driftPhi*driftPhi)*rng.NormFloat64()
				scale = math.Exp(a)
			}
			if off := at + i; s.stall.factor > 0 && off >= s.stall.at && off < s.stall.at+s.stall.secs {
				scale *= s.stall.factor
			}
			var n int64
			if s.even {
				n = int64(math.Floor(float64(i+1)*st.rate) - math.Floor(float64(i)*st.rate))
			} else {
				n = int64(distuv.Poisson{Lambda: st.rate, Src: src}.Rand())
			}
			if s.capacity > 0 {
				n = min(n, int64(s.capacity))
			}
			var e int64
			for range n {
				if rng.Float64() < s.errP {
					e++
				}
			}
			h := metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.WindowSigFigs)
			for range n - e {
				us := int64(scale * lat.Rand())
				if err := h.RecordValue(us); err != nil {
					t.Fatal(err)
				}
				_ = stageHist.RecordValue(us)
			}
			enc, err := metrics.Encode(h)
			if err != nil {
				t.Fatal(err)
			}
			sum := metrics.Summarize(h)
			off := at + i
			p.Windows = append(p.Windows, result.Window{Time: int64(1_790_000_000 + off), Offset: result.Seconds(off), Offered: st.rate,
				Requests: n, Errors: e, Throughput: float64(n), P50: result.Ms(sum.P50), P95: result.Ms(sum.P95), P99: result.Ms(sum.P99),
				Max: result.Ms(sum.Max), Hist: enc})
			req += n
			errs += e
		}
		total.Merge(stageHist)
		p.Stages = append(p.Stages, result.Stage{Index: si,
			Offered: result.Offered{From: st.rate, Load: st.rate, Unit: "req/s", Duration: result.Seconds(st.secs)},
			Stats:   stats(stageHist, req, errs, st.secs)})
		at += st.secs
	}
	var req, errs int64
	for _, st := range p.Stages {
		req, errs = req+st.Requests, errs+st.Errors
	}
	p.Total = stats(total, req, errs, at)
	return p
}

func stats(h *hdr.Histogram, req, errs int64, secs int) result.Stats {
	s := result.Stats{Elapsed: result.Seconds(secs), Requests: req, Errors: errs, Throughput: float64(req) / float64(secs)}
	if req > 0 {
		s.ErrorRate = float64(errs) / float64(req)
	}
	sum := metrics.Summarize(h)
	s.Response = result.Latency{Count: sum.Count, P50: result.Ms(sum.P50), P90: result.Ms(sum.P90), P95: result.Ms(sum.P95),
		P99: result.Ms(sum.P99), P999: result.Ms(sum.P999), Max: result.Ms(sum.Max)}
	return s
}

// slower is the same service with every response time multiplied by f.
func (s service) slower(f float64) service {
	s.median = time.Duration(float64(s.median) * f)
	return s
}

// doc wraps profiles in a result document, judged as a run would judge it.
func doc(profiles ...result.Profile) *result.Result {
	r := &result.Result{Schema: result.Schema, Status: result.StatusComplete,
		Scenario: result.Scenario{Name: "synthetic", Target: "http://127.0.0.1:1"}, Profiles: profiles}
	verdict.JudgeAll(r)
	return r
}

// checkout is the synthetic service most tests measure: 50 ms median,
// a wide tail, 0.5% errors.
var checkout = service{median: 50 * time.Millisecond, sigma: 0.5, errP: 0.005}

// baselineStages is a minute at 100 req/s.
var baselineStages = []stage{{rate: 100, secs: 60}}

// stressProfile is a stepped run from 60 to 200 req/s in steps of 20
// req/s, 15 s each, judged against p95 ≤ 200 ms.
func stressProfile(t testing.TB, s service, seed uint64) result.Profile {
	var stages []stage
	for rate := 60.0; rate <= 200; rate += 20 {
		stages = append(stages, stage{rate, 15})
	}
	p := s.run(t, seed, "stress", stages)
	p.Rules = result.Rules{Stepped: true, Expect: result.Expect{P95: ptrMs(200 * time.Millisecond)}}
	return p
}

func ptrMs(d time.Duration) *result.Millis { m := result.Ms(d); return &m }

// saturatedRamp is an open stepped run of a service of the capacity given
// (synthetic: Poisson arrivals, no more than capacity completions a second)
// from 250 to 700 req/s by 50, 5 s a step, judged against p95 ≤ 200 ms: a
// service of capacity below 700 req/s is past saturation in its last
// steps, and those measure its ceiling; one of 1,000 req/s keeps up with
// every step and measures none.
func saturatedRamp(t *testing.T, capacity float64, seed uint64) *result.Result {
	t.Helper()
	var stages []stage
	for rate := 250.0; rate <= 700; rate += 50 {
		stages = append(stages, stage{rate, 5})
	}
	svc := service{median: 20 * time.Millisecond, sigma: 0.3, capacity: capacity}
	p := svc.run(t, seed, "stress", stages)
	p.Rules = result.Rules{Stepped: true, Expect: result.Expect{P95: ptrMs(200 * time.Millisecond)}}
	return doc(p)
}
