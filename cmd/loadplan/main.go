// Command loadplan runs load profiles against HTTP targets, records latency
// in HDR histograms, and turns measured capacity into a dated resource plan.
//
// main only wires the process to Run; everything testable lives below it.
package main

import (
	"context"
	"io"
	"log"
	"os"
)

func main() {
	// net/http logs transport oddities of misbehaving targets ("Unsolicited
	// response received on idle HTTP channel") through the standard logger;
	// loadplan counts them as errors instead of printing them over the
	// progress bars.
	log.SetOutput(io.Discard)
	os.Exit(Run(context.Background(), os.Args[1:], StdEnv()))
}
