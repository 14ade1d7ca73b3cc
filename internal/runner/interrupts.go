package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// Interrupts is how a run answers the signals its user sends: the first
// stops new requests and writes the partial result (graceful stop), the
// second cuts off requests in flight too (both clients can), the third
// exits at once, without a result.
type Interrupts struct {
	Signals <-chan os.Signal // nil: none arrive
	Warn    io.Writer        // each step is said here
	Exit    func(code int)   // the third signal's; nil: os.Exit
}

// Execute runs p as the package's Execute does, answering in's signals.
func (in Interrupts) Execute(ctx context.Context, p Pipeline) (*Outcome, error) {
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	hardCtx, hardStop := context.WithCancel(context.Background())
	defer hardStop()
	var interrupted atomic.Bool
	runDone := make(chan struct{})
	if in.Signals != nil {
		go in.watch(runCtx, stop, hardCtx, hardStop, runDone, &interrupted)
	}
	p.Run.Hard = hardCtx
	p.Interrupted = func() bool { return interrupted.Load() || ctx.Err() != nil }
	afterRun := p.AfterRun
	p.AfterRun = func(res *result.Result) {
		close(runDone)
		if afterRun != nil {
			afterRun(res)
		}
		hardStop() // release the signal goroutine
	}
	return Execute(runCtx, p)
}

// watch turns the first signal into a graceful stop (stop), the second
// into cutting off requests in flight (hardStop) and the third into an
// exit without a result. It returns once runCtx is done before a first
// signal, hardCtx before a second, or runDone is closed before a third.
func (in Interrupts) watch(runCtx context.Context, stop context.CancelFunc, hardCtx context.Context, hardStop context.CancelFunc, runDone <-chan struct{}, interrupted *atomic.Bool) {
	select {
	case <-in.Signals:
	case <-runCtx.Done():
		return
	}
	interrupted.Store(true)
	fmt.Fprintln(in.Warn, "\nloadplan: interrupted — finishing requests in flight and writing the partial result (interrupt again to cut them off)")
	stop()
	select {
	case <-in.Signals:
	case <-hardCtx.Done():
		return
	}
	fmt.Fprintln(in.Warn, "loadplan: interrupted again — cutting off requests in flight and writing the partial result (a third interrupt exits at once, without a result)")
	hardStop()
	select {
	case <-in.Signals:
	case <-runDone:
		return
	}
	fmt.Fprintln(in.Warn, "loadplan: interrupted three times — exiting without a result")
	exit := in.Exit
	if exit == nil {
		exit = os.Exit
	}
	exit(verdict.ExitInterrupted)
}
