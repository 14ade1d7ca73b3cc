// Package plan owns the dated resource plan: it turns the capacity a stress
// run measured into a month-by-month projection of demand (a compound
// growth rate, or one fitted to a history of peaks; seasonal peak factors;
// planned launches), the units each resource needs to keep peak
// utilisation under a headroom target (or a queueing latency target), the
// actions that follow with the dates they are needed and must be ordered
// by, their cost, the runway of the capacity in place today, and the risks
// a capacity review should hear about. See docs/plan.md.
//
// Dates are calendar dates in UTC. The rules, in one place:
//
//   - The plan has one row per calendar month from the as-of date's month
//     for Horizon months. A month's projected peak is the highest demand
//     reached in it: with growth, the demand at its end (the start of the
//     next month), so the row for the third month shows the trend three
//     months out.
//   - A need date is the first day of the month in which projected demand
//     first exceeds the headroom-adjusted capacity in place; for the
//     as-of month it is the as-of date itself (needed now).
//   - Order-by = need date − lead time. Lead times are written 14d, 2w,
//     2mo, 1y or combined (1mo2w); years and months are taken off first,
//     with the day clamped to the end of a shorter month (31 March − 1mo
//     is 28 or 29 February, never 3 March), then days.
package plan
