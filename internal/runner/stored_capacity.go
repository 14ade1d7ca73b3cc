package runner

import (
	"context"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// StoredCapacity is the capacity model of a stored result's stepped
// profile, refitted.
type StoredCapacity struct {
	Profile    *result.Profile
	Capacity   *result.Capacity
	Bottleneck *result.Bottleneck // by the utilisation law (none without a model)
	Notes      []string           // warnings from judging the result again (verdict.Rejudge)
}

// CapacityOf refits the capacity model of the stepped profile named in
// the result file at path, so opt's seed and resamples take effect
// whatever the run stored. The result is judged again first
// (verdict.Rejudge, as loadplan report and plan do), so the model is
// fitted to today's held and broken steps, not to a verdict an older
// loadplan stored; Notes names each stored answer today's judging does
// not give. A result that cannot be read, or has no such
// stepped profile, is a *capacity.InputError (for a profile missing or not
// stepped, with a StoredCapacity that holds only the Notes, so that they
// are still printed); when ctx is done, ctx's error. A profile the model cannot be fitted to is no error: its
// Capacity says why (Error).
func CapacityOf(ctx context.Context, path, profile string, opt capacity.FitOptions) (*StoredCapacity, error) {
	r, err := result.Read(path)
	if err != nil {
		return nil, &capacity.InputError{Msg: err.Error()}
	}
	notes := verdict.Rejudge(r)
	p, err := verdict.SteppedProfile(r, profile, path)
	if err != nil {
		// The notes still say what today's judging changed in the file.
		return &StoredCapacity{Notes: notes}, &capacity.InputError{Msg: err.Error()}
	}
	c, err := capacity.FromProfileContext(ctx, p, opt)
	if err != nil {
		return nil, err // interrupted
	}
	sc := &StoredCapacity{Profile: p, Capacity: c, Notes: notes}
	if c.Error == "" {
		sc.Bottleneck = capacity.BottleneckFor(p, c)
	}
	return sc, nil
}
