package plan

import "github.com/loadplan/loadplan/internal/yamlwalk"

// Error is one problem in a plan configuration or a history file: the same
// type as a scenario file's (internal/yamlwalk), since a plan is often a
// scenario's `plan:` section. It names the place (file, line, column), the
// key as a dotted path (plan.resources[1].lead_time; list indexes count
// from 0) or the CSV column, and says what is allowed.
type Error = yamlwalk.Error

// Errors is every problem found in one input, in file order. Functions of
// this package return an Errors (never an empty one) when an input is not
// valid.
type Errors = yamlwalk.Errors

// sortErrors orders errors top to bottom; errors at one place keep the
// order they were found in.
func sortErrors(es Errors) { yamlwalk.SortErrors(es) }
