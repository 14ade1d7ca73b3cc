package export

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/runner"
)

// generatorCPUPerRequest is the open model's CPU per request at 10,000
// req/s (docs/performance.md: 3.77 CPU-s per 100k requests).
const generatorCPUPerRequest = 37700 * time.Nanosecond

// BenchmarkExportSecond is one second of the live export at 10,000 req/s:
// a poll that folds one closed window of 10,000 responses (5 error
// classes), a scrape (gather and encode as OpenMetrics) and a remote-write
// push (protobuf + snappy). share_of_generator_cpu is its cost against the
// generator's CPU for that second's 10,000 requests (target: at most 5%).
func BenchmarkExportSecond(b *testing.B) {
	h := metrics.NewHistogram(time.Minute, 2)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 10000; i++ {
		h.RecordValue(int64(1000 + r.ExpFloat64()*4000))
	}
	enc, err := metrics.Encode(h)
	if err != nil {
		b.Fatal(err)
	}
	e := &Exporter{st: newStore(), opt: Options{Labels: map[string]string{"scenario": "bench"}}}
	f := &follower{e: e, profile: "stress", stages: []time.Duration{time.Hour}, last: -1}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{e})
	sec := int64(1000)
	live := runner.Live{Requests: 1, Unit: "req/s", Epoch: time.Unix(sec, 0),
		WindowsAfter: func(after int64) []metrics.Window {
			return []metrics.Window{{Second: after + 1, Count: 10000, Errors: 50,
				ErrorClasses: map[string]int64{"timeout": 10, "status_5xx": 10, "connect": 10, "reset": 10, "check": 10}, Hist: enc}}
		}}
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		live.Requests += 10000
		f.poll(live)
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeOpenMetrics))
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				b.Fatal(err)
			}
		}
		if len(encode(e.st.snapshot(), e.opt.Labels, time.Unix(sec, 0))) == 0 {
			b.Fatal("empty push")
		}
	}
	perSecond := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	share := perSecond / float64(10000*generatorCPUPerRequest.Nanoseconds())
	b.ReportMetric(share, "share_of_generator_cpu")
	if i := b.N; i > 1 {
		verdict := "met"
		if share > 0.05 {
			verdict = "NOT met"
		}
		b.Logf("export cost at 10,000 req/s: %.3f%% of the generator's CPU (target: at most 5%%): %s", 100*share, verdict)
	}
}
