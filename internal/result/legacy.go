package result

import (
	"regexp"
	"strconv"
	"time"
)

// olderBuiltin reads the sentence a run of the built-in target left in
// scenario.target before results carried scenario.builtin.
var olderBuiltin = regexp.MustCompile(`^builtin \(simulated service: (\d+) workers, (\S+) (\S+) service time, queue (\d+), sigma (\S+), kappa (\S+)\)$`)

// upgradeBuiltin gives a result written before scenario.builtin existed
// its typed settings, read from the target sentence, so that later stages
// read one typed field whatever the result's age. Settings that do not
// read (or are out of range) leave Builtin nil.
func upgradeBuiltin(sc *Scenario) {
	if sc.Builtin != nil {
		return
	}
	m := olderBuiltin.FindStringSubmatch(sc.Target)
	if m == nil {
		return
	}
	workers, err1 := strconv.Atoi(m[1])
	st, err2 := time.ParseDuration(m[2])
	queue, err3 := strconv.Atoi(m[4])
	sigma, err4 := strconv.ParseFloat(m[5], 64)
	kappa, err5 := strconv.ParseFloat(m[6], 64)
	for _, err := range []error{err1, err2, err3, err4, err5} {
		if err != nil {
			return
		}
	}
	if workers < 1 || st <= 0 || queue < 0 || sigma < 0 || kappa < 0 {
		return
	}
	sc.Builtin = &Builtin{Workers: workers, ServiceTime: Ms(st), Distribution: m[3], Queue: queue, Sigma: sigma, Kappa: kappa}
}

// upgradeFlowUnits gives the stages of an open-model profile of flows,
// written before results said so, their offered unit: iterations/s, not
// the req/s they read (a 2-step flow's 30 iterations/s offered 60 req/s),
// so that every later stage reads one unit whatever the result's age, and
// a comparison with a run of requests sees two units, not one. A profile
// whose flows do not record their request steps is noted (notePerStart):
// its requests per iteration are measured.
func upgradeFlowUnits(r *Result) {
	for i := range r.Profiles {
		p := &r.Profiles[i]
		if !p.CountsIterations() {
			continue
		}
		notePerStart(p)
		for j := range p.Stages {
			if p.Stages[j].Offered.Unit == "req/s" {
				p.Stages[j].Offered.Unit = UnitIterations
			}
		}
	}
}
