package compare

import (
	"context"
	"errors"
	"fmt"
)

// Request is `loadplan compare`'s question: two runs named by path, and
// the settings as given (a share of zero is zero here, where in Options
// it means the default).
type Request struct {
	Old, New string // each a result file, a `loadplan run --repeat` directory or a comma-separated list
	Alpha    float64
	// MaxRegression, MinEffect and MinRequestShare are fractions (0.1 for 10%).
	MaxRegression, MinEffect, MinRequestShare float64
	Seed                                      uint64
	Resamples                                 int
}

// InputError is a comparison that cannot be made from what was given: a
// setting out of range, a file that is not a result, no profile in both
// (a usage error, exit 2).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Check checks the settings: Alpha between 0 and 1, Resamples from 1 to
// MaxResamples.
func (r Request) Check() error {
	if !(r.Alpha > 0 && r.Alpha < 1) {
		return &InputError{fmt.Errorf("--alpha %g: want a significance level between 0 and 1, such as 0.05", r.Alpha)}
	}
	if r.Resamples < 1 || r.Resamples > MaxResamples {
		return &InputError{fmt.Errorf("--resamples %d: want 1 to %d (1000 is the default)", r.Resamples, MaxResamples)}
	}
	return nil
}

// Files reads both sides (ReadRuns) and compares them; the comparison
// names the files it read.
func Files(ctx context.Context, r Request) (*Comparison, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	opt := Options{Alpha: r.Alpha, MaxRegression: r.MaxRegression, MinEffect: r.MinEffect, MinRequestShare: r.MinRequestShare, Seed: r.Seed, Resamples: r.Resamples}
	// In Options zero means the default and a negative value zero.
	for _, v := range []*float64{&opt.MaxRegression, &opt.MinEffect, &opt.MinRequestShare} {
		if *v == 0 {
			*v = -1
		}
	}
	older, oldFiles, err := ReadRuns(r.Old)
	if err != nil {
		return nil, &InputError{err}
	}
	newer, newFiles, err := ReadRuns(r.New)
	if err != nil {
		return nil, &InputError{err}
	}
	c, err := CompareRunsContext(ctx, older, newer, opt)
	if none := (*NoCommonProfileError)(nil); errors.As(err, &none) {
		return nil, &InputError{fmt.Errorf("%s and %s: %w", r.Old, r.New, err)}
	}
	if err != nil {
		return nil, err
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
