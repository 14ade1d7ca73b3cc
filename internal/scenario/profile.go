package scenario

import (
	"math"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// MaxSteps bounds the number of stages the stepped shorthand may make, so
// that a slip such as step: 0.001 is an error rather than a run of a
// million stages.
const MaxSteps = 1000

var (
	profileKeys = []string{"rate", "users", "think", "jitter", "duration", "ramp", "stages",
		"step_duration", "step_ramp", "before", "hold", "ramp_down", "after",
		"warmup", "expect", "break", "recovery"}
	// commonKeys are the keys a profile may have whatever its form (rate
	// and users aside); break and recovery are then checked against the
	// profile's kind.
	commonKeys  = []string{"think", "jitter", "warmup", "expect", "break", "recovery"}
	steppedKeys = []string{"start", "step", "max"}
	spikeKeys   = []string{"base", "peak"}
	stageKeys   = []string{"rate", "users", "duration", "ramp"}
)

// form is how a profile is written.
type form int

const (
	steady   form = iota // rate: 100, duration: 30s
	stepped              // rate: {start, step, max}, step_duration
	spike                // rate: {base, peak}, ramp, hold
	explicit             // stages: [...]
	unclear  form = -1   // a rate or users mapping of neither shorthand
)

// formKeys lists the keys each form accepts besides rate/users and the
// commonKeys.
var formKeys = map[form][]string{
	steady:   {"duration", "ramp"},
	stepped:  {"step_duration", "step_ramp"},
	spike:    {"before", "ramp", "hold", "ramp_down", "after"},
	explicit: {"stages"},
}

func (p *parser) profiles(v value, slo SLO) []Profile {
	o, ok := p.mapping(v, nil)
	if !ok {
		return nil
	}
	for _, k := range o.keys {
		if !contains(ProfileNames, k) {
			f := o.fields[k]
			p.errorf(f.at, f.path, "unknown profile %q (allowed: %s)", k, strings.Join(ProfileNames, ", "))
		}
	}
	var out []Profile
	for _, name := range ProfileNames {
		pv, ok := o.get(name)
		if !ok {
			continue
		}
		if prof, ok := p.profile(name, pv, slo); ok {
			out = append(out, prof)
		}
	}
	if len(o.keys) == 0 {
		p.errorf(v.at, v.path, "must list at least one of %s", strings.Join(ProfileNames, ", "))
	}
	return out
}

// profile reads one profile, expands it into stages and fills in how it is
// judged, with slo as the default expectations. It returns false when the
// profile has errors (already reported).
func (p *parser) profile(name string, v value, slo SLO) (Profile, bool) {
	before := len(p.errs)
	prof := Profile{Name: name}
	if isNull(v.n) || v.n.Kind != yaml.MappingNode {
		p.errorf(v.n, v.path, "want a mapping with rate or users (or stages), got %s", describe(v.n))
		return prof, false
	}
	o, _ := p.mapping(v, profileKeys)

	// Which form is it? stages wins; otherwise the shape of rate or users.
	f, loadV, hasLoad := p.profileForm(o, &prof)

	// Keys that belong to another form. When the form is unclear (a rate
	// mapping with neither start nor base) that is the one error to show.
	for _, k := range o.keys {
		if f == unclear || k == "rate" || k == "users" || contains(commonKeys, k) || contains(formKeys[f], k) {
			continue
		}
		kv := o.fields[k]
		p.errorf(kv.at, kv.path, "%s", misplaced(f, k))
	}

	var stages []Stage
	switch f {
	case explicit:
		sv, _ := o.get("stages")
		stages, prof.Model = p.explicitStages(sv)
	case steady:
		if hasLoad {
			stages = p.steadyStages(o, loadV, prof.Model)
		} else {
			// Still check the keys that are there.
			p.reqDuration(o, "duration", "how long the profile runs")
			p.optDuration(o, "ramp", 0, false)
		}
	case stepped:
		stages = p.steppedStages(o, loadV, prof.Model)
	case spike:
		stages = p.spikeStages(o, loadV, prof.Model)
	}

	// think and jitter shape a closed model's users.
	for _, k := range []string{"think", "jitter"} {
		if kv, ok := o.get(k); ok && prof.Model == Open {
			p.errorf(kv.at, kv.path, "only for the closed model (users); rate is the open model, where requests start on schedule")
		}
	}
	prof.Think, _ = p.optDuration(o, "think", 0, false)
	if jv, ok := o.get("jitter"); ok {
		prof.Jitter, _ = p.percent(jv)
	}

	prof.Stages = stages
	p.judging(&prof, o, f, slo)
	return prof, len(p.errs) == before && len(stages) > 0
}

// profileForm says which form the profile o is in: explicit when it has
// stages, else the shape of its rate or users, whose value (loadV, when
// hasLoad) it returns with the load model set in prof. It reports a
// missing or doubled load.
func (p *parser) profileForm(o object, prof *Profile) (f form, loadV value, hasLoad bool) {
	f = steady
	switch rv, hasRate := o.get("rate"); {
	case o.has("stages"):
		f = explicit
		for _, k := range []string{"rate", "users"} {
			if kv, ok := o.get(k); ok {
				p.errorf(kv.at, kv.path, "not allowed with stages (give %s in each stage)", k)
			}
		}
	default:
		uv, hasUsers := o.get("users")
		switch {
		case hasRate && hasUsers:
			p.errorf(uv.at, uv.path, "give either rate (open model) or users (closed model), not both")
			loadV, hasLoad, prof.Model = rv, true, Open
		case hasRate:
			loadV, hasLoad, prof.Model = rv, true, Open
		case hasUsers:
			loadV, hasLoad, prof.Model = uv, true, Closed
		default:
			p.missing(o, "rate", "give rate for the open model, in requests per second, or users for the closed model, in virtual users")
		}
		if hasLoad && loadV.n != nil && loadV.n.Kind == yaml.MappingNode {
			f = p.shorthand(loadV)
		}
	}
	return f, loadV, hasLoad
}

// judging reads the keys that say how a profile is judged: expect, warmup,
// and break or recovery for the kinds of profile that have them. prof has
// its stages (none when they had errors), and f is its form.
func (p *parser) judging(prof *Profile, o object, f form, slo SLO) {
	// Each step of a stepped profile is judged on its own, so the stages
	// of a stress profile are steps whatever its form.
	prof.Stepped = f == stepped || prof.Name == "stress"
	isSpike := prof.Name == "spike"

	ev, _ := o.get("expect")
	prof.Expect = p.expect(ev, slo)

	bv, hasBreak := o.get("break")
	if hasBreak && !prof.Stepped && f != unclear {
		p.errorf(bv.at, bv.path, "only for a stepped profile (the stress profile, or rate or users: {start, step, max}): it says when a step is broken")
	}
	if b := p.breakRule(bv, prof.Expect); prof.Stepped {
		prof.Break = b
	}

	rv, hasRecovery := o.get("recovery")
	if hasRecovery && !isSpike {
		p.errorf(rv.at, rv.path, "only for the spike profile: it says how recovery after the surge is judged")
	}
	if r := p.recoveryRule(rv); isSpike {
		prof.Recovery = r
	}

	w, ok := p.optDuration(o, "warmup", 0, false)
	prof.Warmup = w
	if !ok || w == 0 || len(prof.Stages) == 0 {
		return
	}
	if limit := warmupLimit(*prof); w >= limit {
		wv, _ := o.get("warmup")
		var what string
		switch {
		case f == steady:
			what = "duration - ramp"
		case f == stepped:
			what = "step_duration - step_ramp"
		case prof.Stepped:
			what = "the shortest steady part (duration - ramp) of a step"
		default:
			what = "the longest steady part (duration - ramp) of a stage with load"
		}
		p.errorf(wv.n, wv.path, "must be < %s (%s): it is left out of the checked part, which would be empty; got %s", what, limit, w)
	}
}

// warmupLimit is what a profile's warmup must stay below so that something
// is left to check after it: each step's steady part (the time after its
// ramp) in a stepped profile, since each is judged alone, and the longest
// steady part of a stage with load otherwise. Steps that are all ramp are
// left out: no warmup would make them checkable.
func warmupLimit(prof Profile) time.Duration {
	var limit time.Duration
	found := false
	for _, s := range prof.Stages {
		steady := s.Duration - s.Ramp
		if s.Load <= 0 || steady <= 0 {
			continue
		}
		if !found || (prof.Stepped && steady < limit) || (!prof.Stepped && steady > limit) {
			limit = steady
		}
		found = true
	}
	return limit
}

// shorthand tells the stepped form from the spike form by the keys of the
// rate (or users) mapping.
func (p *parser) shorthand(v value) form {
	for _, pr := range p.pairs(v.n) {
		if k := resolve(pr.Key); k != nil && contains(steppedKeys, k.Value) {
			return stepped
		}
	}
	for _, pr := range p.pairs(v.n) {
		if k := resolve(pr.Key); k != nil && contains(spikeKeys, k.Value) {
			return spike
		}
	}
	p.errorf(v.n, v.path, "want a number, {start, step, max} (stepped) or {base, peak} (spike)")
	return unclear
}

// misplaced explains why key k does not belong to a profile written in
// form f.
func misplaced(f form, k string) string {
	switch {
	case f == explicit:
		return "not allowed with stages (beside stages only " + strings.Join(commonKeys, ", ") + " are)"
	case f == unclear:
		return "not allowed here"
	case k == "stages":
		return "not allowed with the rate or users shorthand (give stages alone, with rate or users in each stage)"
	case k == "step_duration" || k == "step_ramp":
		return "only for the stepped shorthand (rate or users: {start, step, max})"
	case k == "before" || k == "hold" || k == "ramp_down" || k == "after":
		return "only for the spike shorthand (rate or users: {base, peak})"
	case k == "duration" && f == stepped:
		return "not used by the stepped shorthand (each step lasts step_duration)"
	case k == "duration" && f == spike:
		return "not used by the spike shorthand (it lasts before + ramp + hold + ramp_down + after)"
	case k == "ramp" && f == stepped:
		return "not used by the stepped shorthand (use step_ramp)"
	}
	return "not allowed here"
}

// load reads a load level: requests per second for the open model, a whole
// number of users for the closed one. It does not check the sign.
func (p *parser) load(v value, m Model) (float64, bool) {
	f, ok := p.number(v)
	if !ok {
		return 0, false
	}
	if f >= 0 { // the sign is the caller's to check, with its own message
		if err := CheckLoad(f, m); err != nil {
			p.errorf(v.n, v.path, "%v", err)
			return 0, false
		}
	} else if m == Closed && f != math.Trunc(f) {
		p.errorf(v.n, v.path, "want a whole number of users, got %g", f)
		return 0, false
	}
	return f, true
}

func (p *parser) positiveLoad(v value, m Model) (float64, bool) {
	f, ok := p.load(v, m)
	if ok && f <= 0 {
		p.errorf(v.n, v.path, "must be > 0, got %g", f)
		return 0, false
	}
	return f, ok
}

// steadyStages expands rate: N (or users: N), duration, ramp into one
// stage.
func (p *parser) steadyStages(o object, loadV value, m Model) []Stage {
	load, okL := p.positiveLoad(loadV, m)
	d, ramp, okD := p.durationRamp(o, "how long the profile runs")
	if !okL || !okD {
		return nil
	}
	return []Stage{{Load: load, From: 0, Duration: d, Ramp: ramp}}
}

// durationRamp reads a required duration (hint says what it is) and an
// optional ramp within it; ok is false when either is missing or invalid.
func (p *parser) durationRamp(o object, hint string) (d, ramp time.Duration, ok bool) {
	d, okD := p.reqDuration(o, "duration", hint)
	ramp, okR := p.optDuration(o, "ramp", 0, false)
	if okD && okR && ramp > d {
		rv, _ := o.get("ramp")
		p.errorf(rv.n, rv.path, "must be <= duration (%s), got %s", d, ramp)
		okR = false
	}
	return d, ramp, okD && okR
}

// steppedStages expands rate: {start, step, max}, step_duration, step_ramp
// into one stage per level: start, start+step, ... up to the last level
// <= max, then max itself when the steps do not land on it.
func (p *parser) steppedStages(o object, loadV value, m Model) []Stage {
	lo, _ := p.mapping(loadV, steppedKeys)
	get := func(k string) (float64, value, bool) {
		v, has := lo.get(k)
		if !has {
			p.missing(lo, k, "the stepped shorthand needs start, step and max")
			return 0, v, false
		}
		f, ok := p.positiveLoad(v, m)
		return f, v, ok
	}
	start, _, okStart := get("start")
	step, stepV, okStep := get("step")
	max, maxV, okMax := get("max")
	ok := okStart && okStep && okMax
	if okStart && okMax && max < start {
		p.errorf(maxV.n, maxV.path, "must be >= start (%g), got %g", start, max)
		ok = false
	}
	if ok && (max-start)/step >= MaxSteps {
		p.errorf(stepV.n, stepV.path, "makes more than %d steps from start %g to max %g; use a larger step", MaxSteps, start, max)
		ok = false
	}
	sd, okD := p.reqDuration(o, "step_duration", "how long each step lasts")
	sr, okR := p.optDuration(o, "step_ramp", 0, false)
	if okD && okR && sr >= sd {
		rv, _ := o.get("step_ramp")
		p.errorf(rv.n, rv.path, "must be < step_duration (%s), got %s", sd, sr)
		okR = false
	}
	if !ok || !okD || !okR {
		return nil
	}
	return expandStepped(start, step, max, sd, sr)
}

// expandStepped is the stepped expansion; its inputs are valid.
func expandStepped(start, step, max float64, stepDuration, stepRamp time.Duration) []Stage {
	// Levels are computed as start + i*step, not by repeated addition, and
	// a level within rounding of max is max, so 0.1 + 2*0.1 ends at 0.3.
	const eps = 1e-9
	tol := eps * math.Max(1, math.Abs(max))
	n := int(math.Floor((max-start)/step+eps)) + 1
	levels := make([]float64, 0, n+1)
	for i := 0; i < n; i++ {
		l := start + float64(i)*step
		if math.Abs(l-max) <= tol || l > max {
			l = max
		}
		levels = append(levels, l)
	}
	if last := levels[len(levels)-1]; max-last > tol {
		levels = append(levels, max)
	}
	stages := make([]Stage, len(levels))
	for i, l := range levels {
		from := start // no ramp: the first step starts at its level
		if stepRamp > 0 {
			from = 0 // with a ramp the first step ramps up from idle
		}
		if i > 0 {
			from = levels[i-1]
		}
		stages[i] = Stage{Load: l, From: from, Duration: stepDuration, Ramp: stepRamp}
	}
	return stages
}

// spikeStages expands rate: {base, peak}, before, ramp, hold, ramp_down,
// after into the stages of a surge and the recovery after it.
func (p *parser) spikeStages(o object, loadV value, m Model) []Stage {
	lo, _ := p.mapping(loadV, spikeKeys)
	ok := true
	var base, peak float64
	if v, has := lo.get("base"); !has {
		p.missing(lo, "base", "the load before and after the spike; 0 is allowed")
		ok = false
	} else if f, good := p.load(v, m); !good {
		ok = false
	} else if f < 0 {
		p.errorf(v.n, v.path, "must be >= 0, got %g", f)
		ok = false
	} else {
		base = f
	}
	if v, has := lo.get("peak"); !has {
		p.missing(lo, "peak", "the load at the top of the spike")
		ok = false
	} else if f, good := p.positiveLoad(v, m); !good {
		ok = false
	} else if f <= base {
		p.errorf(v.n, v.path, "must be > base (%g), got %g", base, f)
		ok = false
	} else {
		peak = f
	}
	before, ok1 := p.optDuration(o, "before", 0, false)
	ramp, ok2 := p.reqDuration(o, "ramp", "how long the load takes to rise from base to peak")
	hold, ok3 := p.reqDuration(o, "hold", "how long the load stays at peak")
	rampDown, ok4 := p.optDuration(o, "ramp_down", ramp, true)
	after, ok5 := p.optDuration(o, "after", DefaultAfter, false)
	if !ok || !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return nil
	}
	return expandSpike(base, peak, before, ramp, hold, rampDown, after)
}

// expandSpike is the spike expansion; its inputs are valid.
func expandSpike(base, peak float64, before, ramp, hold, rampDown, after time.Duration) []Stage {
	var stages []Stage
	if before > 0 && base > 0 {
		stages = append(stages, Stage{Load: base, From: base, Duration: before})
	}
	stages = append(stages,
		Stage{Load: peak, From: base, Duration: ramp, Ramp: ramp},
		Stage{Load: peak, From: peak, Duration: hold},
		Stage{Load: base, From: peak, Duration: rampDown, Ramp: rampDown},
	)
	// The after stage is the recovery observation: it exists even at base
	// 0, when the engine idles and the service drains its queue.
	if after > 0 {
		stages = append(stages, Stage{Load: base, From: base, Duration: after})
	}
	return stages
}

// explicitStages reads stages: [{rate|users, duration, ramp}, ...]. Loads
// may be 0 (an idle stretch, to watch recovery) as long as one is > 0.
func (p *parser) explicitStages(v value) ([]Stage, Model) {
	if isNull(v.n) || (v.n.Kind == yaml.SequenceNode && len(v.n.Content) == 0) {
		p.errorf(v.at, v.path, "must list at least one stage")
		return nil, ""
	}
	if v.n.Kind != yaml.SequenceNode {
		p.errorf(v.n, v.path, "want a list of stages like {rate: 100, duration: 30s}, got %s", describe(v.n))
		return nil, ""
	}
	var (
		model    Model
		modelAt  string
		stages   []Stage
		ok       = true
		positive = false
		prev     float64
	)
	for i, item := range v.n.Content {
		iv := value{path: index(v.path, i), at: item, n: resolve(item)}
		o, good := p.mapping(iv, stageKeys)
		if !good {
			ok = false
			continue
		}
		var m Model
		key, lv, given := p.oneOf(o, "rate", "users", "give either rate or users, not both")
		switch {
		case !given:
			ok = false
			continue
		case key == "rate":
			m = Open
		case key == "users":
			m = Closed
		default:
			p.missing(o, "rate", "give rate for the open model or users for the closed model")
			ok = false
		}
		if m != "" {
			if model == "" {
				model, modelAt = m, iv.path
			} else if m != model {
				k := "rate"
				if model == Closed {
					k = "users"
				}
				p.errorf(lv.at, lv.path, "stages must not mix rate and users (%s uses %s)", modelAt, k)
				ok = false
				m = ""
			}
		}
		var load float64
		if m != "" {
			f, good := p.load(lv, m)
			switch {
			case !good:
				ok = false
			case f < 0:
				p.errorf(lv.n, lv.path, "must be >= 0, got %g", f)
				ok = false
			default:
				load = f
				positive = positive || f > 0
			}
		}
		d, ramp, okD := p.durationRamp(o, "how long the stage lasts")
		ok = ok && okD
		stages = append(stages, Stage{Load: load, From: prev, Duration: d, Ramp: ramp})
		prev = load
	}
	if ok && !positive {
		p.errorf(v.at, v.path, "every stage has zero load; give at least one stage a %s > 0", describeModel(model))
		ok = false
	}
	if !ok {
		return nil, model
	}
	return stages, model
}

func describeModel(m Model) string {
	if m == Closed {
		return "users"
	}
	return "rate"
}
