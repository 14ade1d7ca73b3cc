package verdict

import "github.com/loadplan/loadplan/internal/result"

// findCheck is v's check of that name (the last, if several); nil when
// there is none.
func findCheck(v *result.Verdict, name string) *result.Check {
	var c *result.Check
	for i := range v.Checks {
		if v.Checks[i].Name == name {
			c = &v.Checks[i]
		}
	}
	return c
}
