package plan

import (
	"math"
	"sort"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
)

// demandModel projects each driver's demand to a date.
type demandModel struct {
	d0                          Date // when the current demand was measured
	reqBase, userBase, dataBase float64
	g, gUsers, gData            float64
	season                      [12]float64 // 1 where not given
	steps                       []Step      // after d0, in date order
}

func newDemandModel(d0 Date, peak, users, data, g, gUsers, gData float64, season [12]float64, steps []Step) *demandModel {
	m := &demandModel{d0: d0, g: g, gUsers: gUsers, gData: gData}
	for i, f := range season {
		if f == 0 {
			f = 1
		}
		m.season[i] = f
	}
	// The measurement holds its month's seasonal factor: the trend starts
	// from the de-seasonalised level.
	f0 := m.season[d0.Month()-1]
	m.reqBase, m.userBase, m.dataBase = peak/f0, users/f0, data
	for _, s := range steps {
		if s.Date.After(d0.Time) {
			m.steps = append(m.steps, s)
		}
	}
	sort.SliceStable(m.steps, func(i, j int) bool { return m.steps[i].Date.Before(m.steps[j].Date.Time) })
	return m
}

func (m *demandModel) base(driver string) (float64, float64) {
	switch driver {
	case DriverUsers:
		return m.userBase, m.gUsers
	case DriverData:
		return m.dataBase, m.gData
	}
	return m.reqBase, m.g
}

func (m *demandModel) trend(driver string, d Date) float64 {
	b, g := m.base(driver)
	return b * math.Pow(1+g, monthsBetween(m.d0, d))
}

// stepFactor multiplies the steps that have started by d.
func (m *demandModel) stepFactor(d Date) float64 {
	f := 1.0
	for _, s := range m.steps {
		if !s.Date.After(d.Time) {
			f *= 1 + s.Change
		}
	}
	return f
}

func (m *demandModel) seasonal(driver string, month time.Month) float64 {
	if driver == DriverData {
		return 1 // stored data does not peak with the season
	}
	return m.season[month-1]
}

// at is the driver's peak demand on day d.
func (m *demandModel) at(driver string, d Date) float64 {
	return m.trend(driver, d) * m.seasonal(driver, d.Month()) * m.stepFactor(d)
}

// monthPeak is the highest demand of the month from start up to end (the
// first day of the next month): the trend at whichever end is higher (the
// end when growing), the month's seasonal factor, and every step that
// starts in the month.
func (m *demandModel) monthPeak(driver string, start, end Date) (peak, trend, season, step float64) {
	trend = math.Max(m.trend(driver, start), m.trend(driver, end))
	step = math.Max(m.stepFactor(start), m.stepFactor(end.AddDays(-1)))
	season = m.seasonal(driver, start.Month())
	return trend * season * step, trend, season, step
}

// sizing is one resource's capacity as a function of its units, and the
// rule it is sized by.
type sizing struct {
	r        Resource
	measured bool
	perUnit  float64 // capacity of one unit at linear scaling
	ref      float64 // units the reference capacity is for
	scaling  string
	eff      float64
	usl      *capacity.USL
	uslScale float64 // concurrency per unit at the capacity at SLO
	uslBase  float64 // throughput the USL predicts at the measurement
	measRPS  float64
	headroom float64
	// limit is the most units worth having (max_units, or the USL peak);
	// 0: no limit.
	limit    int
	limitWhy string
}

// maxUnitsSearched bounds the search for a unit count.
const maxUnitsSearched = 1_000_000

// capacity is what n units carry at 100%: the capacity at SLO scaled.
func (s *sizing) capacity(n int) float64 {
	x := float64(n)
	if n <= 0 {
		return 0
	}
	if l := s.r.Latency; l != nil {
		return x * float64(l.ServersPerUnit) / l.ServiceTime.Seconds()
	}
	switch s.scaling {
	case ScalingUSL:
		return s.measRPS * s.usl.Throughput(s.uslScale*x) / s.uslBase
	case ScalingEfficiency:
		if x <= s.ref {
			return s.perUnit * x
		}
		return s.perUnit * (s.ref + s.eff*(x-s.ref))
	}
	return s.perUnit * x
}

// usable is the most demand n units carry while meeting the target: the
// headroom share of their capacity, or for latency sizing the highest
// arrival rate whose queueing wait (or response time) meets the target.
func (s *sizing) usable(n int) float64 {
	if s.r.Latency == nil {
		return s.headroom * s.capacity(n)
	}
	if n <= 0 {
		return 0
	}
	lo, hi := 0.0, s.capacity(n)
	for i := 0; i < 60; i++ {
		mid := (lo + hi) / 2
		if s.meetsLatency(n, mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

func (s *sizing) queue(n int, rate float64) capacity.Queue {
	l := s.r.Latency
	return capacity.Queue{ArrivalRate: rate, ServiceTime: l.ServiceTime, Servers: n * l.ServersPerUnit}
}

func (s *sizing) meetsLatency(n int, rate float64) bool {
	l := s.r.Latency
	q := s.queue(n, rate)
	if !q.Stable() {
		return false
	}
	switch l.Question().Ask {
	case capacity.AskWait:
		return q.MeanWait() <= l.MeanWait.Seconds()
	case capacity.AskResponse:
		return q.ResponseLevel(l.ResponseWithin) >= l.Share
	}
	return q.ServiceLevel(l.Within) >= l.Share
}

// required is the fewest units that carry demand d within the target, and
// whether even the limit falls short (then it returns the limit).
func (s *sizing) required(d float64) (int, bool) {
	hi := maxUnitsSearched
	if s.limit > 0 {
		hi = s.limit
	}
	if d <= 0 {
		return 0, false
	}
	if l := s.r.Latency; l != nil {
		q := s.queue(1, d)
		var servers int
		var err error
		switch l.Question().Ask {
		case capacity.AskWait:
			servers, err = q.MinServersForWait(l.MeanWait)
		case capacity.AskResponse:
			servers, err = q.MinServersForResponse(l.ResponseWithin, l.Share)
		default:
			servers, err = q.MinServersForServiceLevel(l.Within, l.Share)
		}
		if err != nil {
			return hi, true
		}
		n := (servers + l.ServersPerUnit - 1) / l.ServersPerUnit
		if n > hi {
			return hi, true
		}
		return n, false
	}
	// A relative tolerance keeps 1,050 req/s on 10 units of 105 from
	// asking for an 11th through rounding.
	fits := func(n int) bool { return s.usable(n) >= d*(1-1e-9) }
	if !fits(hi) {
		return hi, true
	}
	lo := 1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fits(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, false
}

// uslLimit is the unit count at which the scaled USL peaks, or 0 when it
// has no peak.
func uslLimit(u *capacity.USL, scale float64) int {
	if u.Kappa <= 0 {
		return 0
	}
	nStar := math.Sqrt(math.Max(0, 1-u.Sigma)/u.Kappa) / scale
	lo := int(math.Max(1, math.Floor(nStar)))
	hi := lo + 1
	if u.Throughput(scale*float64(hi)) > u.Throughput(scale*float64(lo)) {
		return hi
	}
	return lo
}
