package verdict

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/gonum/mathext"
)

// errorLevel is the one-sided level at which a stress step's errors show
// its true error rate above the break bound (docs/profiles.md, "stress:
// the breaking point"). A step's error rate is a count of a few rare
// events: at a true 0.2% under a 1% bound, 2 errors in a 40 req/s step's
// 160 steady requests read 1.25%, and the bare comparison broke one run
// of an unchanged service a step or more below the other (internal/
// compare's A/A table, 5 s steps). A step breaks on errors only when k
// errors or more in its n requests would come less often than this from
// a rate at the bound.
const errorLevel = 0.05

// errorTail is the one-sided exact binomial p-value of errs errors in
// reqs requests when each fails with probability bound: P(X ≥ errs) for
// X ~ Binomial(reqs, bound), the regularized incomplete beta
// I_bound(errs, reqs − errs + 1).
func errorTail(errs, reqs int64, bound float64) float64 {
	switch {
	case errs <= 0:
		return 1
	case bound <= 0:
		return 0 // no error is allowed: one shows the rate above it
	case bound >= 1 || errs > reqs:
		return 1
	}
	return mathext.RegIncBeta(float64(errs), float64(reqs-errs+1), bound)
}

// errorRule judges a step's errors against the bound: failed when its
// error rate is above the bound on evidence (errorTail below errorLevel),
// or when every request failed, whatever their number. text names the
// figures either way; when the rate is above the bound but not
// significantly, the step holds and text says why its error rate may
// read above the bound. "" when the rate is within the bound.
func errorRule(part Part, bound float64) (failed bool, text string) {
	allFailed := part.Requests > 0 && part.Errors >= part.Requests
	if !(part.ErrorRate > bound) && !allFailed {
		return false, ""
	}
	p := errorTail(part.Errors, part.Requests, bound)
	figures := fmt.Sprintf("error rate %s > %s", pct(part.ErrorRate), pct(bound))
	if !(part.ErrorRate > bound) { // a bound of 100%: none passes a step where nothing succeeded
		figures = fmt.Sprintf("error rate %s, bound %s", pct(part.ErrorRate), pct(bound))
	}
	switch {
	case part.Requests == 1 && part.Errors == 1:
		return true, figures + " (its one request failed)"
	case allFailed:
		return true, figures + fmt.Sprintf(" (every one of %d requests failed)", part.Requests)
	case p < errorLevel:
		return true, figures + fmt.Sprintf(" (%d of %d requests failed, one-sided binomial p %s)", part.Errors, part.Requests, pValue(p))
	}
	return false, figures + fmt.Sprintf(", but not significantly: %d or more errors in %d requests come with probability p %s from a true rate at the bound (one-sided binomial test at %g), so the step is not broken on errors",
		part.Errors, part.Requests, pValue(p), errorLevel)
}

// errorUnder reports whether errs errors in reqs requests show the true
// error rate under bound at errorLevel: k or fewer errors would come less
// often than that from a rate at the bound, P(X ≤ errs) < errorLevel for
// X ~ Binomial(reqs, bound) (errorTail's other side). Never with a bound
// of 0 (no rate is under it) and always with one of 100% or more.
func errorUnder(errs, reqs int64, bound float64) bool {
	switch {
	case bound >= 1:
		return true
	case bound <= 0 || reqs <= 0 || errs >= reqs:
		return false
	}
	return 1-errorTail(errs+1, reqs, bound) < errorLevel
}

// errorUpper is the one-sided upper confidence limit, at 1 − errorLevel,
// of the true error rate behind errs errors in reqs requests (exact,
// Clopper–Pearson): the highest rate that gives as few errors at least
// errorLevel of the time. It is under a bound exactly when errorUnder.
func errorUpper(errs, reqs int64) float64 {
	if reqs <= 0 || errs >= reqs {
		return 1
	}
	return mathext.InvRegIncBeta(float64(errs+1), float64(reqs-errs), 1-errorLevel)
}

// errorFreeNeeded is how many requests without an error show a true error
// rate under bound (errorUnder of 0 errors): (1 − bound)^n < errorLevel.
// 299 for a 1% bound.
func errorFreeNeeded(bound float64) int64 {
	return int64(math.Floor(math.Log(errorLevel)/math.Log1p(-bound))) + 1
}

// upperPct writes an upper confidence limit u at or above bound as pct
// does, or with as many more digits as it takes not to read as the bound
// (as pValue does at the test's level): 0 errors in 298 requests leave up
// to 1.0002%, which pct writes "1%", a rate within a 1% bound.
func upperPct(u, bound float64) string {
	s := pct(u)
	for digits := 4; digits <= 7 && u > bound && s == pct(bound); digits++ {
		s = strconv.FormatFloat(u*100, 'g', digits, 64) + "%"
	}
	return s
}

// errorCount is "1 error" or "n errors".
func errorCount(n int64) string {
	if n == 1 {
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}

// pValue writes a p-value after its sign, with two significant digits
// ("= 0.012", or "< 0.0001" for a smaller one), or three where two would
// round it onto the test's level (0.0497 and 0.0502 both read "0.05",
// one of them significant).
func pValue(p float64) string {
	if p < 1e-4 {
		return "< 0.0001"
	}
	if s := fmt.Sprintf("%.2g", p); s != fmt.Sprintf("%g", errorLevel) {
		return "= " + s
	}
	return fmt.Sprintf("= %.3g", p)
}
