package race

import (
	"flag"
	"strconv"
	"testing"
)

// setShort sets the -short flag for the rest of the test. The test must
// not run in parallel: the flag is the process's.
func setShort(t *testing.T, short bool) {
	was := testing.Short()
	if err := flag.Set("test.short", strconv.FormatBool(short)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flag.Set("test.short", strconv.FormatBool(was)) })
}

// TestLong: Long skips a test with -short and under the race detector,
// and otherwise pauses it to run in parallel (t.Run returns before the
// test goes on; the group's end waits for it).
func TestLong(t *testing.T) {
	for _, short := range []bool{false, true} {
		t.Run("short="+strconv.FormatBool(short), func(t *testing.T) {
			setShort(t, short)
			ran := false
			t.Run("group", func(t *testing.T) {
				t.Run("long", func(t *testing.T) {
					Long(t, "a long test")
					ran = true
				})
				if ran {
					t.Error("Long did not run the test in parallel")
				}
			})
			if want := !short && !Enabled; ran != want {
				t.Errorf("short %v, race %v: the test ran %v, want %v", short, Enabled, ran, want)
			}
		})
	}
}
