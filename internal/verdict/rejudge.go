package verdict

import (
	"fmt"
	"math"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// Rejudge judges a stored result again by today's rules, from the figures
// and the rules it carries (JudgeAll; JudgeMerged for a merged result), so
// that a result written by an older loadplan, whose judging has since been
// mended (a PASS on 100% errors, a spike's unmeasured recovery printed as
// 0 ms, a capacity from steps that did not keep up), is never re-rendered
// with its old answer. The run's gates and baseline checks cannot be
// judged again (their limits and the baseline are not in the result): a
// failed one keeps the result failed. For every profile whose stored
// verdict today's judging does not give — another pass or fail, capacity
// at SLO or spike recovery — it adds a warning to r.Warnings naming the
// stored answer, and returns those warnings. A stored verdict that today's
// judging gives again, in other words or not, adds nothing.
func Rejudge(r *result.Result) []string {
	stored := make([]*result.Verdict, len(r.Profiles))
	for i := range r.Profiles {
		stored[i] = r.Profiles[i].Verdict
	}
	storedPass := r.Pass
	if len(r.Segments) > 0 {
		JudgeMerged(r)
	} else {
		JudgeAll(r)
	}
	for _, g := range r.Gates {
		if !g.Pass {
			r.Pass = false
		}
	}
	by := "an older loadplan"
	if v := r.Environment.LoadplanVersion; v != "" {
		by = "loadplan " + v
	}
	var notes []string
	for i := range r.Profiles {
		p := &r.Profiles[i]
		if why := verdictChange(stored[i], p.Verdict); why != "" {
			notes = append(notes, fmt.Sprintf("%s: the verdict stored by %s (%s) is not today's: %s; judged again from the figures and rules in the result: %s",
				p.Name, by, storedAnswer(stored[i]), why, p.Verdict.Answer))
		}
	}
	if len(notes) == 0 && storedPass && !r.Pass {
		notes = append(notes, fmt.Sprintf("the result stored by %s passed; judged again from its figures and rules, it fails", by))
	}
	r.Warnings = append(r.Warnings, notes...)
	return notes
}

// verdictChange says how today's verdict differs from the stored one in
// what it decides ("" when it does not).
func verdictChange(old, now *result.Verdict) string {
	switch {
	case now == nil:
		return ""
	case old == nil:
		return "it stored none"
	case old.Pass != now.Pass:
		return fmt.Sprintf("it said %s, today's judging says %s", passWord(old.Pass), passWord(now.Pass))
	case old.Stress != nil && now.Stress != nil && !sameFigure(old.Stress.CapacityAtSLO, now.Stress.CapacityAtSLO):
		return fmt.Sprintf("its capacity at SLO was %.1f req/s, today's %.1f req/s", old.Stress.CapacityAtSLO, now.Stress.CapacityAtSLO)
	case old.Spike != nil && now.Spike != nil && (old.Spike.Recovered != now.Spike.Recovered || !sameFigure(float64(old.Spike.RecoveryTime), float64(now.Spike.RecoveryTime))):
		return fmt.Sprintf("its spike recovery was %s, today's %s", recoveryWords(old.Spike), recoveryWords(now.Spike))
	case old.Spike != nil && now.Spike != nil && (now.Spike.PeakUnmeasured && !old.Spike.PeakUnmeasured || now.Spike.LastUnmeasured && !old.Spike.LastUnmeasured):
		return "its spike latencies were printed as measured where no request succeeded (today: " + NoFigure + ")"
	case old.Spike != nil && now.Spike != nil && estimateMoved(old.Spike.RecoveryEstimate, now.Spike.RecoveryEstimate):
		return estimateChange(old.Spike.RecoveryEstimate, now.Spike.RecoveryEstimate)
	}
	return ""
}

// estimateMoved says whether a spike's recovery estimate judged again is
// not the stored one: today's missing where one was stored, or both more
// than 0.05 s apart (the printed figure's resolution is 0.01 s; the
// estimate is good to a few hundredths: docs/profiles.md). None stored is
// no change: a figure added, none changed.
func estimateMoved(old, now *result.Seconds) bool {
	switch {
	case old == nil:
		return false
	case now == nil:
		return true
	}
	return math.Abs(float64(*old-*now)) > 0.05
}

// estimateChange says how a spike's recovery estimate judged again
// differs from the stored one (estimateMoved: old is set), and why when
// both exist: today's estimate dates timeouts by the client timeout and
// solves the kinds of bad answers together (docs/profiles.md).
func estimateChange(old, now *result.Seconds) string {
	if now == nil {
		return fmt.Sprintf("its recovery estimate was %ss, today's judging gives none", num(float64(*old)))
	}
	return fmt.Sprintf("its recovery estimate was %ss, today's %ss (timeouts are now dated by the client timeout, and the kinds of bad answers solved together)", num(float64(*old)), num(float64(*now)))
}

func recoveryWords(s *result.Spike) string {
	if !s.Recovered {
		return "none"
	}
	return fmt.Sprintf("%gs", float64(s.RecoveryTime))
}

func passWord(pass bool) string {
	if pass {
		return "PASS"
	}
	return "FAIL"
}

// storedAnswer is a stored verdict's answer, quoted, or says there was none.
func storedAnswer(v *result.Verdict) string {
	if v == nil {
		return "no verdict"
	}
	return fmt.Sprintf("%s, %q", passWord(v.Pass), strings.TrimSpace(v.Answer))
}

func sameFigure(a, b float64) bool {
	return a == b || (a-b < 1e-9*max(a, b) && b-a < 1e-9*max(a, b))
}
