package result

import "testing"

// reread encodes r and reads it back with the strict reader, as file name.
func reread(t *testing.T, name string, r *Result) *Result {
	t.Helper()
	data, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return back
}
