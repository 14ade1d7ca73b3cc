package monitor

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/testkit"
)

// TestScrapeSources: one session reads a gauge (summing two matching
// series), a counter as a rate, an exporter that serves garbage and one
// that never answers in time. The good ones get a sample per window with
// the values the exporter set; the bad ones get gaps with their error and
// one warning line each; Finish returns promptly whatever the exporters
// do. Real time: about 3.2 s of scraping; bounds are 10x looser than an
// idle machine needs.
func TestScrapeSources(t *testing.T) {
	t0 := time.Now()
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A counter growing at exactly 250/s from t0, and a gauge of 7
		// split over two series (and one that the selector leaves out).
		c := 250 * time.Since(t0).Seconds()
		fmt.Fprintf(w, "# TYPE busy gauge\nbusy{pool=\"a\",x=\"1\"} 3\nbusy{pool=\"a\",x=\"2\"} 4\nbusy{pool=\"b\"} 100\n# TYPE work_total counter\nwork_total %g\n", c)
	}))
	defer good.Close()
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html>this is not { metrics\n")
	}))
	defer garbage.Close()
	slow := testkit.HangingServer(t)

	mon := &scenario.Monitor{Metrics: []scenario.MonitorMetric{
		{Name: "busy", Scrape: good.URL + "/metrics", Metric: "busy", Labels: map[string]string{"pool": "a"}, Unit: "count", Capacity: 10},
		{Name: "work", Scrape: good.URL + "/metrics", Metric: "work_total", Rate: true, Unit: "req/s"},
		{Name: "junk", Scrape: garbage.URL, Metric: "busy", Unit: "count"},
		{Name: "slow", Scrape: slow.URL, Metric: "busy", Unit: "count"},
	}}
	start := time.Now()
	s := Start(Config{Monitor: mon, ScrapeTimeout: 300 * time.Millisecond}, start)
	time.Sleep(3200 * time.Millisecond)
	end := time.Now()
	spans := []result.Span{{Start: 0, SteadyStart: 0, End: end.Sub(start).Seconds(), Complete: true}}
	got := s.Finish(context.Background(), end, spans)
	if d := time.Since(end); d > 3*time.Second {
		t.Errorf("Finish took %v, want well under a second (the scrape timeout is 300 ms)", d)
	}
	byName := map[string]result.MonitorMetric{}
	for _, m := range got.Metrics {
		byName[m.Name] = m
	}
	busy := byName["busy"]
	if len(busy.Samples) < 2 || len(busy.Samples) > 4 {
		t.Errorf("busy: %d samples in 3.2 s, want 2 to 4 (one per whole second)", len(busy.Samples))
	}
	for _, smp := range busy.Samples {
		if smp.V != 7 {
			t.Errorf("busy sample %v, want 7 (3+4: the pool=\"a\" series summed)", smp)
		}
		// The window a sample describes starts on a whole second.
		at := start.Add(time.Duration(float64(smp.Offset) * float64(time.Second)))
		if frac := at.Sub(at.Truncate(time.Second)); frac > 5*time.Millisecond && frac < 995*time.Millisecond {
			t.Errorf("sample offset %v is not on a whole second (%v past)", smp.Offset, frac)
		}
	}
	if busy.Capacity == nil || *busy.Capacity != 10 || busy.Source != "scrape" || !strings.Contains(busy.Query, `busy{pool="a"}`) {
		t.Errorf("busy metadata: %+v", busy)
	}
	if len(busy.Stages) != 1 || busy.Stages[0].Mean != 7 || busy.Stages[0].Max != 7 {
		t.Errorf("busy stage stats %+v, want mean 7 max 7", busy.Stages)
	}
	if len(busy.Gaps) != 0 {
		t.Errorf("busy gaps: %+v", busy.Gaps)
	}
	work := byName["work"]
	if len(work.Samples) < 2 {
		t.Fatalf("work: %d samples", len(work.Samples))
	}
	for _, smp := range work.Samples {
		// The rate is measured between two readings whose times are taken
		// when the answer arrives: on a busy machine that jitters.
		if math.Abs(smp.V-250) > 50 {
			t.Errorf("work rate %v, want 250/s", smp.V)
		}
	}
	for _, name := range []string{"junk", "slow"} {
		m := byName[name]
		if len(m.Samples) != 0 || len(m.Gaps) == 0 {
			t.Errorf("%s: %d samples, gaps %+v; want none and a gap", name, len(m.Samples), m.Gaps)
		}
	}
	if g := byName["junk"].Gaps; len(g) > 0 && !strings.Contains(g[0].Error, "not Prometheus text format") {
		t.Errorf("junk gap error %q", g[0].Error)
	}
	if g := byName["slow"].Gaps; len(g) > 0 && !strings.Contains(g[0].Error, "no answer within 300ms") {
		t.Errorf("slow gap error %q", g[0].Error)
	}
	// Consecutive windows with the same error are one gap. Its ends are
	// offsets in float seconds, so two whole windows may differ by
	// 1.9999999999999997 (seen once): the bound allows a nanosecond.
	if g := byName["slow"].Gaps; len(g) != 1 || g[0].To-g[0].From < 2-1e-9 {
		t.Errorf("slow gaps %+v, want one gap of 2 s or more", g)
	}
	var warnJunk, warnSlow, warnBusy int
	for _, w := range got.Warnings {
		switch {
		case strings.HasPrefix(w, "monitor junk: no data"):
			warnJunk++
		case strings.HasPrefix(w, "monitor slow: no data"):
			warnSlow++
		case strings.HasPrefix(w, "monitor busy: 2 series match"):
			warnBusy++
		}
	}
	if warnJunk != 1 || warnSlow != 1 || warnBusy != 1 {
		t.Errorf("warnings %q: want one line each for junk, slow and busy's 2 series", got.Warnings)
	}
}

// TestScrapeInFlightAtTheEnd: an exporter that has not answered when the
// profile ends still gets its last window judged: Finish waits for the
// scrape in flight (bounded by its timeout), and the window has its gap
// (here) or its value, not nothing (a 28 s profile read "no data for 27 s").
// The test stops the session once the exporter holds the first window's
// request, so that scrape is always in flight.
func TestScrapeInFlightAtTheEnd(t *testing.T) {
	asked := make(chan struct{}, 8)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked <- struct{}{}
		<-r.Context().Done()
	}))
	defer hang.Close()
	defer hang.CloseClientConnections()
	mon := &scenario.Monitor{Metrics: []scenario.MonitorMetric{{Name: "held", Scrape: hang.URL, Metric: "busy", Unit: "count"}}}
	start := time.Now()
	// A timeout shorter than a window frees the base reading (taken at
	// once) in time for the first window's.
	s := Start(Config{Monitor: mon, ScrapeTimeout: 900 * time.Millisecond}, start)
	<-asked // the base reading
	<-asked // the first window's
	end := time.Now()
	got := s.Finish(context.Background(), end, []result.Span{{End: end.Sub(start).Seconds(), Complete: true}})
	m := got.Metrics[0]
	if len(m.Samples) != 0 || len(m.Gaps) == 0 {
		t.Fatalf("samples %v, gaps %+v: want no sample and a gap", m.Samples, m.Gaps)
	}
	last := m.Gaps[len(m.Gaps)-1]
	if !strings.Contains(last.Error, "no answer within 900ms") {
		t.Errorf("last gap %+v: want the timed-out scrape's", last)
	}
	if d := time.Since(end); d > 9*time.Second {
		t.Errorf("Finish took %v: it waits for the scrape in flight at most its timeout, 900 ms", d)
	}
	if ends := float64(last.To); ends > end.Sub(start).Seconds()+1e-6 || ends < end.Sub(start).Seconds()-1 {
		t.Errorf("last gap ends at %.3f s, the profile at %.3f s: want the window that ended last before it", ends, end.Sub(start).Seconds())
	}
}

func TestNoMonitor(t *testing.T) {
	s := Start(Config{}, time.Now())
	if m := s.Finish(context.Background(), time.Now(), nil); m != nil {
		t.Fatalf("Finish without monitor = %+v, want nil", m)
	}
	s.Stop()
}

func TestStats(t *testing.T) {
	samples := []result.MonitorSample{{Offset: 0, V: 1}, {Offset: 1, V: 2}, {Offset: 2, V: 10}, {Offset: 3, V: 4}, {Offset: 4, V: 6}, {Offset: 5, V: 100}}
	spans := []result.Span{
		{Start: 0, SteadyStart: 1, End: 3}, // windows [1,2) and [2,3)
		{Start: 3, SteadyStart: 3, End: 5}, // [3,4), [4,5)
		{Start: 5, SteadyStart: 5, End: 5}, // nothing steady
	}
	got := Stats(result.MonitorMetric{Samples: samples}, spans)
	want := []result.MonitorStat{{Stage: 0, Samples: 2, Mean: 6, Max: 10}, {Stage: 1, Samples: 2, Mean: 5, Max: 6}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

// TestFill: a query_range answer becomes one sample per step (series
// summed, with a warning), missing steps become gaps, no series is one gap
// over the profile with a warning.
func TestFill(t *testing.T) {
	start := time.Unix(1000, 300e6) // profile starts at 1000.3
	s := &Session{start: start}
	first, last := time.Unix(1001, 0), time.Unix(1004, 0)
	pt := func(sec int64, v float64) model.SamplePair {
		return model.SamplePair{Timestamp: model.TimeFromUnix(sec), Value: model.SampleValue(v)}
	}
	sr := &series{def: scenario.MonitorMetric{Name: "q"}, warned: map[string]bool{}}
	sr.fill(s, model.Matrix{
		{Values: []model.SamplePair{pt(1001, 1), pt(1002, 2), pt(1004, 4)}},
		{Values: []model.SamplePair{pt(1001, 10), pt(1002, 20), pt(1004, 40)}},
	}, first, last)
	if len(sr.out.Samples) != 3 || sr.out.Samples[0].V != 11 || sr.out.Samples[2].V != 44 {
		t.Errorf("samples %+v", sr.out.Samples)
	}
	// The sample at 1001 describes the window [1000, 1001): offset -0.3.
	if off := float64(sr.out.Samples[0].Offset); math.Abs(off+0.3) > 1e-9 {
		t.Errorf("first offset %v, want -0.3", off)
	}
	if len(sr.out.Gaps) != 1 || math.Abs(float64(sr.out.Gaps[0].From)-1.7) > 1e-9 {
		t.Errorf("gaps %+v, want one at the 1003 step (offset 1.7)", sr.out.Gaps)
	}
	if w := sr.warnings(); len(w) != 1 || !strings.Contains(w[0], "returned 2 series") {
		t.Errorf("warnings %q", w)
	}
	empty := &series{def: scenario.MonitorMetric{Name: "e"}, warned: map[string]bool{}}
	empty.fill(s, model.Matrix{}, first, last)
	if len(empty.out.Gaps) != 1 || empty.out.Gaps[0].Error != "query returned no series" {
		t.Errorf("no series: gaps %+v", empty.out.Gaps)
	}
}

// TestStatsLookback: a reading whose query range reaches back before its
// stage began mixes the load before in: a stage does not count it, and a
// stage whose steady readings all do so is named in a warning.
func TestStatsLookback(t *testing.T) {
	// Two 10 s stages with a 2 s warm-up, a reading every second: 1 in
	// the first stage's seconds, 2 in the second's, read through an 8 s
	// range: the second stage's readings at offsets 12–16 still average
	// in seconds of the first.
	m := result.MonitorMetric{Name: "cpu", Lookback: 8}
	for o := range 20 {
		var u float64
		for s := o - 7; s <= o; s++ {
			u += map[bool]float64{true: 1, false: 2}[s < 10]
		}
		m.Samples = append(m.Samples, result.MonitorSample{Offset: result.Seconds(o), V: u / 8})
	}
	spans := []result.Span{{Start: 0, SteadyStart: 2, End: 10}, {Start: 10, SteadyStart: 12, End: 20}}
	got := Stats(m, spans)
	// Stage 0 counts 7–9 (a reading that reaches back before the profile
	// began reaches before its first stage too); stage 1 counts 17–19,
	// all at 2.
	want := []result.MonitorStat{{Stage: 0, Samples: 3, Mean: 1, Max: 1}, {Stage: 1, Samples: 3, Mean: 2, Max: 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Stats with an 8 s lookback = %+v, want %+v", got, want)
	}
	m.Stages = got
	if w := lookbackWarning(m, spans); w != "" {
		t.Errorf("warning %q with every stage read", w)
	}
	// A 15 s range on 10 s stages: no reading of either stage counts.
	m.Lookback = 15
	m.Stages = Stats(m, spans)
	if len(m.Stages) != 0 {
		t.Errorf("Stats with a 15 s lookback = %+v, want none", m.Stages)
	}
	if w := lookbackWarning(m, spans); !strings.Contains(w, "looks back 15 s") || !strings.Contains(w, "stage(s) 1, 2") {
		t.Errorf("warning %q does not name the 15 s range and stages 1, 2", w)
	}
}

// TestRateAcrossCounterReset: a counter read with rate: true that goes
// down (the exporter restarted) leaves a gap for that window only; the
// windows either side read the true rate (10/s here), none a negative or
// a huge one.
func TestRateAcrossCounterReset(t *testing.T) {
	start := time.Unix(1000, 0)
	s := &Session{start: start}
	sr := &series{def: scenario.MonitorMetric{Name: "busy", Metric: "busy_seconds_total", Rate: true}, warned: map[string]bool{}}
	fam := func(v float64) map[string]*dto.MetricFamily {
		name := "busy_seconds_total"
		return map[string]*dto.MetricFamily{name: {
			Name: &name, Type: dto.MetricType_COUNTER.Enum(),
			Metric: []*dto.Metric{{Counter: &dto.Counter{Value: &v}}}}}
	}
	for i, v := range []float64{100, 110, 120, 5, 15, 25} { // restarted between the 3rd and 4th reading
		at := start.Add(time.Duration(i) * time.Second)
		sr.record(s, fam(v), at, at, nil, i == 0)
	}
	var got []float64
	for _, x := range sr.out.Samples {
		got = append(got, x.V)
	}
	if fmt.Sprint(got) != "[10 10 10 10]" || len(sr.out.Gaps) != 1 || !strings.Contains(sr.out.Gaps[0].Error, "reset") || sr.out.Gaps[0].From != 2 {
		t.Errorf("samples %v, gaps %+v: want 10/s in the four windows around one reset gap at offset 2", got, sr.out.Gaps)
	}
}
