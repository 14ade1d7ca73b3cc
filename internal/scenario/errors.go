package scenario

import "github.com/loadplan/loadplan/internal/yamlwalk"

// Error is one problem found in a scenario file: file, line, column, the
// dotted key (profiles.stress.rate.step, requests[2].weight; list indexes
// count from 0) and what is allowed. Its message never contains a secret.
type Error = yamlwalk.Error

// Errors is every problem found in one scenario file, in file order.
// Parse returns an Errors (never an empty one) when the file is not valid.
type Errors = yamlwalk.Errors

// SortErrors orders errors by position so that they read top to bottom.
func SortErrors(es Errors) { yamlwalk.SortErrors(es) }
