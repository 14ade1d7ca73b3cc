package compare

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
	"github.com/loadplan/loadplan/internal/verdict"
)

// Request is `loadplan compare`'s question: two runs named by path, and
// the settings as given on the command line.
type Request struct {
	Old, New string // each a result file, a `loadplan run --repeat` directory or a comma-separated list
	Alpha    float64
	// MaxRegression, MinEffect and MinRequestShare are shares: a
	// percentage ("10%") or a fraction ("0.1"); zero is zero here, where
	// in Options it means the default.
	MaxRegression, MinEffect, MinRequestShare string
	Seed                                      uint64
	Resamples                                 int
	// Note receives each warning of a result's verdicts judged again by
	// today's rules (nil: none is passed on; each is in the comparison's
	// warnings too).
	Note func(string)
	// Quiet is set when the Markdown table is not printed (compare -q or
	// --json): then Note also receives the comparison's other warnings
	// and each profile's ("PROFILE: …"), which the table would show.
	Quiet bool
}

// InputError is a comparison that cannot be made from what was given: a
// setting out of range, a file that is not a result, no profile in both
// (a usage error, exit 2).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Check checks the settings (the first mistake, an *InputError): Alpha
// between 0 and 1, the shares, Resamples from 1 to MaxResamples.
func (r Request) Check() error {
	_, err := r.options()
	return err
}

func (r Request) options() (Options, error) {
	opt := Options{Alpha: r.Alpha, Seed: r.Seed, Resamples: r.Resamples}
	if !(r.Alpha > 0 && r.Alpha < 1) {
		return opt, &InputError{fmt.Errorf("--alpha %g: want a significance level between 0 and 1, such as 0.05", r.Alpha)}
	}
	for _, s := range []struct {
		flag, value string
		v           *float64
	}{{"max-regression", r.MaxRegression, &opt.MaxRegression}, {"min-effect", r.MinEffect, &opt.MinEffect}, {"min-request-share", r.MinRequestShare, &opt.MinRequestShare}} {
		v, err := parseShare(s.flag, s.value)
		if err != nil {
			return opt, &InputError{err}
		}
		// In Options zero means the default and a negative value zero.
		if *s.v = v; v == 0 {
			*s.v = -1
		}
	}
	if r.Resamples < 1 || r.Resamples > MaxResamples {
		return opt, &InputError{fmt.Errorf("--resamples %d: want 1 to %d (1000 is the default)", r.Resamples, MaxResamples)}
	}
	return opt, nil
}

// parseShare reads a share given as a percentage ("10%") or a fraction
// ("0.1"). A bare number above 1 is refused: "10" is more likely a
// forgotten % than a thousand per cent.
func parseShare(flag, s string) (float64, error) {
	v, pct, err := units.ParseShare(s)
	if err != nil || v < 0 || (!pct && v > 1) {
		return 0, fmt.Errorf("--%s %q: want a percentage such as 10%% or a fraction such as 0.1", flag, s)
	}
	return v, nil
}

// Files reads both sides (ReadRuns), judges their verdicts again by
// today's rules (verdict.Rejudge, as loadplan report and plan do: a
// capacity at SLO an older loadplan stored is not compared as it was) and
// compares them; the comparison names the files it read, and warns of
// each verdict judged again.
func Files(ctx context.Context, r Request) (*Comparison, error) {
	opt, err := r.options()
	if err != nil {
		return nil, err
	}
	older, oldFiles, err := ReadRuns(r.Old)
	if err != nil {
		return nil, &InputError{err}
	}
	newer, newFiles, err := ReadRuns(r.New)
	if err != nil {
		return nil, &InputError{err}
	}
	judged := rejudgeSide("old", r.Old, oldFiles, older)
	judged = append(judged, rejudgeSide("new", r.New, newFiles, newer)...)
	c, err := CompareRunsContext(ctx, older, newer, opt)
	if none := (*NoCommonProfileError)(nil); errors.As(err, &none) {
		return nil, &InputError{fmt.Errorf("%s and %s: %w", r.Old, r.New, err)}
	}
	if err != nil {
		return nil, err
	}
	if r.Note != nil && r.Quiet {
		for _, w := range c.Warnings {
			r.Note(w)
		}
		for _, p := range c.Profiles {
			for _, w := range p.Warnings {
				r.Note(p.Name + ": " + w)
			}
		}
		if untested := c.UntestedGated(); c.Pass && len(untested) > 0 {
			// The verdict line's "PASS; … not tested", which -q and
			// --json do not print (a failure's exit error names the rest).
			r.Note(fmt.Sprintf("%d gated metric(s) not tested, no evidence either way: %s", len(untested), strings.Join(untested, "; ")))
		}
	}
	for _, w := range judged {
		if r.Note != nil {
			r.Note(w)
		}
		c.Warnings = append(c.Warnings, w)
	}
	c.Old.File, c.New.File = r.Old, r.New
	if len(oldFiles) > 1 {
		c.Old.Files = oldFiles
	}
	if len(newFiles) > 1 {
		c.New.Files = newFiles
	}
	return c, nil
}

// rejudgeSide judges one side's results again by today's rules and
// returns the warnings, each naming the side and the file.
func rejudgeSide(which, arg string, files []string, rs []*result.Result) []string {
	var out []string
	for i, r := range rs {
		file := arg
		if i < len(files) {
			file = files[i]
		}
		for _, n := range verdict.Rejudge(r) {
			out = append(out, fmt.Sprintf("the %s run %s, judged again by today's rules: %s", which, file, n))
		}
	}
	return out
}
