// Command loadplan runs load profiles against HTTP targets, records latency
// in HDR histograms, and turns measured capacity into a dated resource plan.
//
// main only wires the process to Run; everything testable lives below it.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(Run(context.Background(), os.Args[1:], StdEnv()))
}
