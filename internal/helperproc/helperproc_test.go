package helperproc

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

const echoEnv = "LOADPLAN_HELPERPROC_ECHO"

// TestHelperEcho is not a test of its own: with echoEnv set it writes the
// variable's value as its first line, then waits until its standard input
// closes and exits; with the value "silent" it exits at once, writing
// nothing.
func TestHelperEcho(t *testing.T) {
	v := os.Getenv(echoEnv)
	if v == "" {
		return
	}
	if v == "silent" {
		os.Exit(0)
	}
	fmt.Println(v)
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// The child gets the arguments and the variable, its first line comes
// back, and it ends when its standard input closes.
func TestStart(t *testing.T) {
	cmd, stdin, line := Start(t, echoEnv+"=hello 42", "-test.run=^TestHelperEcho$", "-test.count=1")
	if line != "hello 42\n" {
		t.Errorf("first line %q, want %q", line, "hello 42\n")
	}
	stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("child ended with %v, want exit 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("child still running 30 s after its standard input closed")
	}
}

// fatalTB records a fatal failure and ends the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// A child that writes no line before it ends fails the test, saying so.
func TestStartFailsWithoutALine(t *testing.T) {
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	returned := false
	go func() {
		defer close(done)
		_, stdin, _ := Start(f, echoEnv+"=silent", "-test.run=^TestHelperEcho$", "-test.count=1")
		returned = true
		stdin.Close()
	}()
	<-done
	if returned || !strings.Contains(f.msg, "first line") {
		t.Errorf("Start returned %v, failure %q; want a failure about the first line", returned, f.msg)
	}
}
