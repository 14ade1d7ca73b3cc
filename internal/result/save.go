package result

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// File is one file of a set that SaveDir writes together.
type File struct {
	Name string // a plain file name, no directory
	Data []byte
}

// tempTag marks the temporary folders SaveDir makes beside the output
// folder: .<folder>.loadplan-tmp-<pid>-<host>-<random>. The pid and the
// host let a later save tell a crashed save's leftovers from a save still
// in progress (on a shared volume, another machine's pids mean nothing:
// its folders are left alone for staleAge).
const tempTag = ".loadplan-tmp-"

// staleAge is how old another machine's temporary folder must be before a
// save removes it: far longer than any save takes.
const staleAge = time.Hour

// SaveDir saves files as one set in the folder dir: a reader, and a crash
// at any moment, sees the complete old set or the complete new set, never
// a mix and never a temporary inside dir (docs/reliability.md, "Crash
// safety"). The set replaces the files named in owned (and those of files)
// that dir already holds; any other plain file in dir is kept.
//
// The files are written and synced in a temporary folder beside dir, which
// then takes dir's place in one rename: onto a missing or empty folder
// directly, onto a full one by an atomic exchange (Linux renameat2
// RENAME_EXCHANGE), after which the old set is removed. Temporary folders
// left by a save that was killed are removed by the next save into the
// same parent folder. A dir that holds a subfolder or a special file, a
// parent folder that cannot be written, or a system without hard links or
// the exchange gets the files one by one, each atomic but not as a set.
func SaveDir(dir string, files []File, owned []string) error {
	dir = filepath.Clean(dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if base == "." || base == ".." || base == string(filepath.Separator) || isWorkingDir(dir) {
		return saveInPlace(dir, files) // a folder in use cannot be swapped
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return saveInPlace(dir, files)
	}
	CleanStale(parent)
	keep, empty, ok := carried(dir, files, owned)
	if !ok {
		return saveInPlace(dir, files)
	}
	// Any step of the swap that fails (a parent folder that cannot be
	// written, a file system without hard links or the exchange, a sticky
	// folder) falls back to the files one by one.
	tmp, err := os.MkdirTemp(parent, "."+base+tempTag+strconv.Itoa(os.Getpid())+"-"+hostTag()+"-")
	if err != nil {
		return saveInPlace(dir, files)
	}
	if err := fillTemp(tmp, dir, files); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	for _, name := range keep {
		if err := os.Link(filepath.Join(dir, name), filepath.Join(tmp, name)); err != nil {
			os.RemoveAll(tmp)
			return saveInPlace(dir, files)
		}
	}
	syncDir(tmp)
	if empty {
		// rename(2) replaces a missing or empty folder at once (os.Rename
		// refuses any existing folder).
		err = syscall.Rename(tmp, dir)
	} else {
		err = exchange(tmp, dir)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return saveInPlace(dir, files)
	}
	os.RemoveAll(tmp) // the old set, after an exchange
	syncDir(parent)
	return nil
}

// carried lists the plain files of dir that are not part of the set and
// move over with it. empty is true when dir is missing or has no entry;
// ok is false when dir cannot be replaced as a whole (a subfolder, a
// special file, a symbolic link, or not a folder).
func carried(dir string, files []File, owned []string) (keep []string, empty, ok bool) {
	st, err := os.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, true, true
	}
	if err != nil || !st.IsDir() {
		return nil, false, false
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, false
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() {
			return nil, false, false
		}
		if slices.Contains(owned, name) || slices.ContainsFunc(files, func(f File) bool { return f.Name == name }) || staleInside(name) {
			continue
		}
		keep = append(keep, name)
	}
	return keep, len(entries) == 0, true
}

// fillTemp writes the set into tmp.
func fillTemp(tmp, dir string, files []File) error {
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	for _, f := range files {
		if err := writeSynced(filepath.Join(tmp, f.Name), f.Data); err != nil {
			return fmt.Errorf("write %s: %w", filepath.Join(dir, f.Name), err)
		}
	}
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// saveInPlace writes the files one by one, each atomically, result.json
// last.
func saveInPlace(dir string, files []File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	CleanStale(dir)
	ordered := slices.Clone(files)
	slices.SortStableFunc(ordered, func(a, b File) int {
		return boolInt(a.Name == "result.json") - boolInt(b.Name == "result.json")
	})
	for _, f := range ordered {
		if err := WriteFile(filepath.Join(dir, f.Name), f.Data); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CleanStale removes from folder what a killed save left there: SaveDir's
// temporary folders whose process is gone, and WriteFile's temporary
// files (.NAME.tmp-*). It never fails: what cannot be removed stays.
func CleanStale(folder string) {
	entries, err := os.ReadDir(folder)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir() && strings.HasPrefix(name, ".") && strings.Contains(name, tempTag):
			info, err := e.Info()
			if err == nil && (time.Since(info.ModTime()) > staleAge || !saverAlive(name)) {
				os.RemoveAll(filepath.Join(folder, name))
			}
		case e.Type().IsRegular() && staleInside(name):
			// A minute old: not a write in progress, which takes milliseconds.
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Minute {
				os.Remove(filepath.Join(folder, name))
			}
		}
	}
}

// staleInside reports whether name is a temporary file WriteFile or the
// output check makes inside a folder.
func staleInside(name string) bool {
	return strings.HasPrefix(name, ".") && (strings.Contains(name, ".tmp-") || strings.HasPrefix(name, ".loadplan-check-"))
}

// hostTag is this machine's name as it goes into a temporary folder's
// name: letters and digits only.
func hostTag() string {
	h, _ := os.Hostname()
	var b strings.Builder
	for _, c := range h {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// saverAlive reads the pid and the host from a temporary folder's name and
// reports whether that process may still run (another save in progress):
// true for another host's folder, whose process cannot be asked.
func saverAlive(name string) bool {
	_, rest, _ := strings.Cut(name, tempTag)
	parts := strings.SplitN(rest, "-", 3)
	if len(parts) < 3 {
		return false // not a name SaveDir makes
	}
	if parts[1] != hostTag() {
		return true
	}
	pid, err := strconv.Atoi(parts[0])
	if err != nil || pid <= 0 {
		return false
	}
	return pid == os.Getpid() || processAlive(pid)
}

// isWorkingDir reports whether dir is the process's working folder.
func isWorkingDir(dir string) bool {
	wd, err1 := os.Stat(".")
	st, err2 := os.Stat(dir)
	return err1 == nil && err2 == nil && os.SameFile(wd, st)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
