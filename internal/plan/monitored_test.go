package plan

import (
	"math"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// A monitored resource is sized from its utilisation-law ceiling per unit,
// not from the typed per_unit; the typed figure stays as a cross-check
// when it is more than 20% off.
func TestMonitoredResourcePerUnit(t *testing.T) {
	const cfgText = "demand: {peak_rps: 1000}\ngrowth: {monthly: 10%}\ncapacity: {units: 10}\n" +
		"resources:\n  - {name: api, unit: instance, scaling: linear}\n" +
		"  - {name: db, unit: shard, per_unit: PER, units: 2}\n" +
		"  - {name: cache, unit: node, per_unit: 5000, units: 1}\n"
	res := stressResult(result.StatusComplete, 1500)
	// The pool of db measured a ceiling of 3,000 req/s on its 2 shards
	// (1,500 per shard) over steps 1 and 2; cache is not monitored.
	res.Profiles[0].Bottleneck = &result.Bottleneck{Resource: "db_connections", Ceiling: 3000, Resources: []result.ResourceCeiling{
		{Metric: "busy", Resource: "api", Demand: 1.0 / 4000, Ceiling: 4000, Steps: []int{0, 1}},
		{Metric: "db_connections", Resource: "db", Demand: 1.0 / 3000, Ceiling: 3000, Steps: []int{0, 1}},
		{Metric: "db_cpu", Resource: "db", Demand: 1.0 / 4000, Ceiling: 4000, Steps: []int{0, 1}},
	}}
	for _, tc := range []struct {
		typed   string
		crossed bool
	}{{"1400", false}, {"900", true}} {
		cfg := mustConfig(t, strings.Replace(cfgText, "PER", tc.typed, 1))
		p := mustBuild(t, cfg, res, "2027-01-01")
		db, cache := p.Resources[1], p.Resources[2]
		if math.Abs(db.PerUnit-1500) > 1e-9 || db.MeasuredBy == nil || db.MeasuredBy.Metric != "db_connections" || db.MeasuredBy.Units != 2 {
			t.Fatalf("typed %s: db per unit %v measured by %+v, want 1500 from db_connections on 2 shards", tc.typed, db.PerUnit, db.MeasuredBy)
		}
		if got := db.MeasuredBy.String(); got != "db_connections over step(s) 1, 2 of stress" {
			t.Errorf("measured by %q", got)
		}
		if cache.PerUnit != 5000 || cache.MeasuredBy != nil {
			t.Errorf("cache per unit %v measured by %+v, want the typed 5000", cache.PerUnit, cache.MeasuredBy)
		}
		if got := hasRisk(p, RiskMeasurement, "db: the typed per_unit (900 req/s per shard) is 40% below the 1,500 measured"); got != tc.crossed {
			t.Errorf("typed %s: cross-check risk %v, want %v: %+v", tc.typed, got, tc.crossed, p.Risks)
		}
		// The measured tier stays sized from its capacity at SLO (1,500
		// on 10 instances), its ceiling beside it.
		if api := p.Resources[0]; !api.Measured || api.MeasuredBy != nil || math.Abs(api.PerUnit-150) > 1e-9 {
			t.Errorf("api %+v, want the measured tier at 150 per instance", api)
		}
		for _, want := range []string{
			"db: 1,500 req/s per shard measured by the utilisation law (3,000 req/s on 2 shards",
			"api: the utilisation law puts its ceiling at 400 req/s per instance (4,000 req/s on 10 instances, busy over step(s) 1, 2 of stress); it is sized from its capacity at SLO, 150 req/s per instance, 37.5% of that ceiling.",
		} {
			noted := false
			for _, n := range p.Notes {
				noted = noted || strings.Contains(n, want)
			}
			if !noted {
				t.Errorf("no note %q in %q", want, p.Notes)
			}
		}
	}
}

// A resource sized from a metric whose exporter went away during the
// stress run says so beside its figure and its dates: the resources
// table's "from partial readings", a measurement risk with what was not
// read, and the runway sentence. db's pool was read over held step 1
// (0–10 s) only; step 2 (10–20 s) is a gap. Its ceiling, 3,000 req/s on
// 2 shards, is the plan's runway by hand: 1,000 × 1.1^t = 3,000 at t =
// ln 3 / ln 1.1 = 11.53 months after 2027-01-01: 2027-12-01 + 0.53 × 31 days, 2027-12-18.
func TestMonitoredResourceFromPartialReadings(t *testing.T) {
	for _, whole := range []bool{true, false} {
		pool := result.MonitorMetric{Unit: "count", Source: "prometheus"}
		last := 20
		if !whole {
			last = 10
			pool.Gaps = []result.MonitorGap{{From: 10, To: 30, Error: "no value from Prometheus at this time"}}
		}
		for k := 1; k <= last; k++ {
			pool.Samples = append(pool.Samples, result.MonitorSample{Offset: result.Seconds(k), V: 1})
		}
		p := dbMonitoredPlan(t, pool)
		db := p.Resources[1]
		if p.Runway.Date.String() != "2027-12-18" {
			t.Fatalf("runway %+v, want db's on 2027-12-18", p.Runway)
		}
		said := []bool{
			db.MeasuredBy.Partial == "no reading in held step(s) 2 (left out); 10 of 20 held seconds unread (first error: no value from Prometheus at this time)",
			strings.HasSuffix(db.MeasuredBy.String(), "of stress, from partial readings"),
			hasRisk(p, RiskMeasurement, "db: its capacity, 1,500 req/s per shard, is measured by db_connections from partial readings: no reading in held step(s) 2"),
			strings.Contains(p.Summary, "capacity runs out on 2027-12-18 (db; from partial monitoring, see Risks)"),
			p.MeasureNote("db") != "" && p.MeasureNote("api") == "",
		}
		for i, s := range said {
			if s == whole {
				t.Errorf("whole readings %v: check %d said partial %v (measured by %+v; summary %q; risks %+v)", whole, i, s, db.MeasuredBy, p.Summary, p.Risks)
			}
		}
	}
}

// A resource sized from a metric that did not grow with the load (75% of
// its capacity at 1,000 req/s, 25% at 1,500) says its metric does not
// follow the utilisation law, beside the figure and its runway; the same
// metric growing in proportion (50%, 75%) says nothing.
func TestMonitoredResourceNotFollowingTheLaw(t *testing.T) {
	for _, follows := range []bool{true, false} {
		capy := 4.0
		pool := result.MonitorMetric{Unit: "count", Capacity: &capy, Source: "scrape"}
		read := []float64{3, 1}
		if follows {
			read = []float64{2, 3}
		}
		for k := 1; k <= 20; k++ {
			pool.Samples = append(pool.Samples, result.MonitorSample{Offset: result.Seconds(k), V: read[(k-1)/10]})
		}
		p := dbMonitoredPlan(t, pool)
		db := p.Resources[1]
		said := []bool{
			db.MeasuredBy.Doubt == "did not grow with the load: it read 75% of its capacity at 1,000 req/s (step 1) and 25% at 1,500 req/s (step 2), where U = D·X grows 1.5×",
			strings.HasSuffix(db.MeasuredBy.String(), "of stress, not following the utilisation law"),
			hasRisk(p, RiskMeasurement, "db: its capacity, 1,500 req/s per shard, is measured by db_connections, which did not grow with the load"),
			strings.Contains(p.Summary, "(db; its metric does not follow the utilisation law, see Risks)"),
		}
		for i, s := range said {
			if s == follows {
				t.Errorf("follows the law %v: check %d said %v (measured by %+v; summary %q; risks %+v)", follows, i, s, db.MeasuredBy, p.Summary, p.Risks)
			}
		}
	}
}

// dbMonitoredPlan plans 1,000 req/s growing 10% a month from 2027-01-01
// on api (5,000 req/s at SLO on 10 instances) and db (2 shards), db's
// per-unit capacity measured by pool ("db_connections": a ceiling of
// 3,000 req/s) over held steps 1 and 2 of the stress result (1,000 and
// 1,500 req/s, 10 s each; step 3 broke).
func dbMonitoredPlan(t *testing.T, pool result.MonitorMetric) *Plan {
	t.Helper()
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 10%}\ncapacity: {units: 10}\n"+
		"resources:\n  - {name: api, unit: instance, scaling: linear}\n  - {name: db, unit: shard, per_unit: 1500, units: 2}\n")
	res := stressResult(result.StatusComplete, 5000)
	pr := &res.Profiles[0]
	for i := range pr.Verdict.Stress.Steps {
		st := &pr.Verdict.Stress.Steps[i]
		st.Complete, st.Throughput = true, st.Offered
		pr.Stages = append(pr.Stages, result.Stage{Index: i, Offered: result.Offered{Load: st.Offered, Unit: "req/s", Duration: 10}, Stats: result.Stats{Elapsed: 10}})
	}
	pool.Name, pool.Resource = "db_connections", "db"
	pr.Monitor = &result.Monitor{Metrics: []result.MonitorMetric{pool}}
	pr.Bottleneck = &result.Bottleneck{Resource: "db_connections", Ceiling: 3000, Resources: []result.ResourceCeiling{
		{Metric: "db_connections", Resource: "db", Demand: 1.0 / 3000, Ceiling: 3000, Steps: []int{0}},
	}}
	p := mustBuild(t, cfg, res, "2027-01-01")
	if db := p.Resources[1]; db.MeasuredBy == nil || math.Abs(db.PerUnit-1500) > 1e-9 || p.Runway.Resource != "db" {
		t.Fatalf("db %+v measured by %+v, runway %+v: want 1,500 per shard measured, the runway db's", db, db.MeasuredBy, p.Runway)
	}
	return p
}
