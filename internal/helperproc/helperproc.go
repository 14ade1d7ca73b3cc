// Package helperproc starts the running test binary again as a helper
// child process (a server or a writer a test kills), for the tests of any
// package; imported by _test.go files only. It imports no internal
// package, so that every package's tests may use it (internal/testkit
// imports result and metrics, whose own tests therefore cannot).
package helperproc

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"testing"
)

// Start starts this test binary again with args (which pick what the
// child does, e.g. -test.run=^TestHelperServer$) and env (KEY=value) added
// to its environment, its standard error on ours, and returns the child, a
// pipe to its standard input and the first line it writes to its standard
// output, newline included. A child that does not start or write a line
// fails the test. The child is killed when the test ends, its standard
// input closed first; a test may kill it and wait for it sooner.
func Start(t testing.TB, env string, args ...string) (cmd *exec.Cmd, stdin io.WriteCloser, line string) {
	t.Helper()
	cmd = exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), env)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err = cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err = bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("helper process %v: first line %q: %v", args, line, err)
	}
	return cmd, stdin, line
}
