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
