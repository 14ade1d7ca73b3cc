package result

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFiles writes each file into dir (made if missing), each atomically
// (WriteFile), in order, and returns the paths written. Unlike SaveDir the
// files are not one set: the ones before a failure stay written.
func WriteFiles(dir string, files []File) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	var wrote []string
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if err := WriteFile(path, f.Data); err != nil {
			return wrote, err
		}
		wrote = append(wrote, path)
	}
	return wrote, nil
}

// CheckWritable makes sure dir (made if missing) takes a 64 KiB file, so
// that a run's output can be saved before anything is sent.
func CheckWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".loadplan-check-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_, werr := f.Write(make([]byte, 64<<10))
	cerr := f.Close()
	os.Remove(name)
	return errors.Join(werr, cerr)
}
