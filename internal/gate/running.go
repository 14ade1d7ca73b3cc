package gate

import (
	"errors"
	"fmt"
)

// CheckRunning checks the gates and the baseline against the profiles a
// run will run: a gate on a profile it does not run, or a baseline with no
// profile in common, is an error naming its flag (--gate, --baseline).
func CheckRunning(gs []Gate, b *Baseline, running, requests []string) error {
	err := CheckProfiles(gs, running)
	if err == nil {
		err = CheckRequests(gs, requests)
	}
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("--gate %q: %s", se.Gate, se.Msg)
		}
		return err
	}
	if b != nil {
		if err := b.CheckProfiles(running); err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
	}
	return nil
}
