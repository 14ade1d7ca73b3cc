// Package capacity owns the mathematics of the capacity model: the
// Universal Scalability Law fitted to (concurrency, throughput) points, the
// knee of the fitted curve, a Kneedle knee detector, and Erlang B/C sizing
// of an M/M/c queue.
//
// Everything here is a pure function over numbers: no I/O except
// [ReadPoints], no clocks, no goroutines. Randomness (the bootstrap behind
// the confidence intervals) is seeded, so the same points and options give
// the same answer on every machine.
package capacity
