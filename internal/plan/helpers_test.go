package plan

import (
	"errors"
	"strings"
	"testing"
)

// wantErrors checks that err is an Errors whose messages start, in order,
// with want; what names the call and its other result for the message.
func wantErrors(t *testing.T, err error, what string, want []string) {
	t.Helper()
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("%s, %v; want Errors", what, err)
	}
	if len(es) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(es), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(es[i].Error(), w) {
			t.Errorf("error %d =\n  %q\nwant it to start\n  %q", i, es[i].Error(), w)
		}
	}
}
