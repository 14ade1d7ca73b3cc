package result

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteFiles: the files land in a directory made for them, in order;
// a directory that cannot be made is an error, and CheckWritable refuses
// what WriteFiles could not write into.
func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	wrote, err := WriteFiles(dir, []File{{Name: "x.md", Data: []byte("x")}, {Name: "y.csv", Data: []byte("y")}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "x.md"), filepath.Join(dir, "y.csv")}; !slices.Equal(wrote, want) {
		t.Errorf("wrote %q, want %q", wrote, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "y.csv")); string(b) != "y" {
		t.Errorf("y.csv holds %q", b)
	}
	if err := CheckWritable(dir); err != nil {
		t.Errorf("CheckWritable(%s): %v", dir, err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 2 {
		t.Errorf("CheckWritable left files behind: %v", left)
	}
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o644)
	if _, err := WriteFiles(filepath.Join(blocker, "sub"), []File{{Name: "x", Data: nil}}); err == nil {
		t.Error("WriteFiles under a file: no error")
	}
	if err := CheckWritable(filepath.Join(blocker, "sub")); err == nil {
		t.Error("CheckWritable under a file: no error")
	}
}
