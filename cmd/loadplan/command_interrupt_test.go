package main

import (
	"context"
	"errors"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestEveryCommandInterruptible: every command but run and sim (which read
// the signals themselves to write a partial result) ends with exit 130 on
// SIGINT or SIGTERM, whether it watches its context (it returns at once)
// or not (Run returns after interruptGrace). Before, only run and sim
// read the signals. Real time: a 10 s bound on a 0.5 s grace. The cases
// run side by side, each with its own signal channel (issue 17: make
// check; one after the other they waited out the grace 11 times, 5.5 s).
func TestEveryCommandInterruptible(t *testing.T) {
	t.Parallel() // waits out interruptGrace; its bound is 20 graces
	var wg sync.WaitGroup
	for _, c := range commands() {
		if c.name == "run" || c.name == "sim" {
			continue
		}
		for _, watches := range []bool{true, false} {
			c := c
			release := make(chan struct{})
			c.run = func(ctx context.Context, env *Env, args []string) error {
				if watches {
					<-ctx.Done()
					return ctx.Err()
				}
				<-release // a computation that never looks at ctx
				return nil
			}
			sig := make(chan os.Signal, 1)
			env, _, _ := testEnv(nil)
			env.Signals = sig
			wg.Go(func() {
				defer close(release)
				got := make(chan error, 1)
				go func() { got <- runInterruptible(context.Background(), env, c, nil) }()
				sig <- syscall.SIGTERM
				select {
				case err := <-got:
					var ee *ExitError
					if !errors.As(err, &ee) || ee.Code != ExitInterrupted {
						t.Errorf("%s (watches ctx: %v): %v, want exit %d", c.name, watches, err, ExitInterrupted)
					}
				case <-time.After(10 * time.Second):
					t.Errorf("%s (watches ctx: %v): still running 10 s after SIGTERM", c.name, watches)
				}
			})
		}
	}
	wg.Wait()
}

// Without a signal a command's own result comes back unchanged.
func TestRunInterruptibleKeepsResult(t *testing.T) {
	want := errors.New("boom")
	c := command{name: "report", run: func(context.Context, *Env, []string) error { return want }}
	env, _, _ := testEnv(nil)
	env.Signals = make(chan os.Signal, 1)
	if err := runInterruptible(context.Background(), env, c, nil); err != want {
		t.Errorf("got %v, want %v", err, want)
	}
}
