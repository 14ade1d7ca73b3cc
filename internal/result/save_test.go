package result

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/helperproc"
	"github.com/loadplan/loadplan/internal/race"
)

// saveHelperEnv makes the test binary a process that saves two sets into
// a folder in turn until it is killed (TestMain).
const saveHelperEnv = "LOADPLAN_TEST_SAVE_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(saveHelperEnv); dir != "" {
		saveForever(dir)
		return
	}
	os.Exit(m.Run())
}

// The run files of the two sets: set B writes no plan, so a mix of the two
// shows in the names as well as in the contents.
var crashOwned = []string{"result.json", "summary.md", "report.html", "plan.md"}

func crashSet(tag string) []File {
	names := crashOwned
	if tag == "B" {
		names = names[:3]
	}
	var fs []File
	for _, n := range names {
		// 256 KiB each, so that a save takes long enough to be cut.
		fs = append(fs, File{Name: n, Data: bytes.Repeat([]byte(tag+n+"\n"), 256<<10/(len(tag+n)+1))})
	}
	return fs
}

func saveForever(dir string) {
	fmt.Println("saving")
	for i := 0; ; i++ {
		tag := "A"
		if i%2 == 1 {
			tag = "B"
		}
		if err := SaveDir(dir, crashSet(tag), crashOwned); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
}

// checkSet fails unless dir holds exactly set A or set B (and the user's
// own notes.txt), whole, with no temporary inside.
func checkSet(t *testing.T, dir string, try int) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("try %d: %v", try, err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for _, tag := range []string{"A", "B"} {
		want := []string{"notes.txt"}
		for _, f := range crashSet(tag) {
			want = append(want, f.Name)
		}
		slices.Sort(want)
		if !slices.Equal(names, want) {
			continue
		}
		for _, f := range crashSet(tag) {
			got, err := os.ReadFile(filepath.Join(dir, f.Name))
			if err != nil || !bytes.Equal(got, f.Data) {
				t.Fatalf("try %d: %s is not set %s's whole file (err %v, %d bytes, starts %.12q): a mixed set", try, f.Name, tag, err, len(got), got)
			}
		}
		if notes, err := os.ReadFile(filepath.Join(dir, "notes.txt")); err != nil || string(notes) != "mine\n" {
			t.Fatalf("try %d: the user's notes.txt was lost or changed: %q, %v", try, notes, err)
		}
		return tag
	}
	t.Fatalf("try %d: the folder holds %v: neither set A nor set B whole (temporaries or a mix)", try, names)
	return ""
}

// TestSaveDirSurvivesSIGKILL kills a process that saves two sets into the
// same folder in turn, at a random moment, many times: after each kill the
// folder holds one set whole, never a temporary or a mix, and the next
// save removes what the killed one left beside it. The kill moments are
// drawn from three times the time one save takes on this machine (measured
// here first), so a busy machine stretches the window with the work.
func TestSaveDirSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 40 processes")
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// An old version's leftover inside the folder: not part of any set.
	if err := os.WriteFile(filepath.Join(dir, ".result.json.tmp-123"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	if err := SaveDir(dir, crashSet("A"), crashOwned); err != nil {
		t.Fatal(err)
	}
	one := time.Since(begin)
	checkSet(t, dir, 0)

	// 40 tries; under -race (each start of the binary is slower) 12, and
	// more up to 40 until a kill lands in a save: make test-race runs the
	// 40 without it.
	const most = 40
	least := race.Size(most, 12)
	tries, cut, seen := 0, 0, map[string]int{}
	for try := 1; try <= most && (try <= least || cut == 0); try++ {
		tries = try
		cmd, _, line := helperproc.Start(t, saveHelperEnv+"="+dir, "-test.run=^$")
		if line != "saving\n" {
			t.Fatalf("try %d: helper said %q", try, line)
		}
		time.Sleep(time.Duration(rand.Int64N(int64(3*one) + 1)))
		cmd.Process.Kill() // SIGKILL
		cmd.Wait()
		seen[checkSet(t, dir, try)]++
		left, _ := filepath.Glob(filepath.Join(parent, ".run"+tempTag+"*"))
		if len(left) > 0 {
			cut++
		}
	}
	// The next save clears what the killed ones left beside the folder.
	if err := SaveDir(dir, crashSet("B"), crashOwned); err != nil {
		t.Fatal(err)
	}
	checkSet(t, dir, tries+1)
	if left, _ := filepath.Glob(filepath.Join(parent, ".*")); len(left) > 0 {
		t.Errorf("after a new save, temporaries are still there: %v", left)
	}
	t.Logf("%d tries (one save %s): %d killed in the middle of a save; set A whole %d times, set B %d times", tries, one.Round(time.Microsecond), cut, seen["A"], seen["B"])
	if cut == 0 {
		t.Errorf("no kill landed during a save: the test did not test anything")
	}
}

// TestSaveDirKeepsOtherFilesAndDropsOldRunFiles: a rerun into the same
// folder replaces every run file (an old plan.md does not survive a run
// without a plan) and keeps the user's own files.
func TestSaveDirKeepsOtherFilesAndDropsOldRunFiles(t *testing.T) {
	parent := t.TempDir()
	// Into a folder that does not exist, and into an empty one (as
	// loadplan run leaves it after checking that it can write there).
	if err := SaveDir(filepath.Join(parent, "new", "run"), crashSet("A"), crashOwned); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(parent, "new", "run", "result.json")); !bytes.Equal(got, crashSet("A")[0].Data) {
		t.Fatal("not written into a new folder")
	}
	dir := filepath.Join(parent, "run")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := SaveDir(dir, crashSet("A"), crashOwned); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SaveDir(dir, crashSet("B"), crashOwned); err != nil {
		t.Fatal(err)
	}
	if tag := checkSet(t, dir, 1); tag != "B" {
		t.Fatalf("got set %s, want B", tag)
	}
	// A folder with a subfolder cannot be swapped: files one by one.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := SaveDir(dir, crashSet("A"), crashOwned); err != nil {
		t.Fatal(err)
	}
	for _, f := range crashSet("A") {
		if got, _ := os.ReadFile(filepath.Join(dir, f.Name)); !bytes.Equal(got, f.Data) {
			t.Errorf("%s not written in place", f.Name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sub")); err != nil {
		t.Errorf("the subfolder is gone: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary left: %s", e.Name())
		}
	}
}

// TestCleanStale: a temporary folder of a save still running (this
// process), or of another machine's recent save, stays; one whose process
// is gone, or another machine's an hour old, goes.
func TestCleanStale(t *testing.T) {
	parent := t.TempDir()
	dead := exec.Command(os.Args[0], "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadPID := dead.Process.Pid // ended: no process has it for now
	names := map[string]bool{   // name → kept
		".r" + tempTag + fmt.Sprint(os.Getpid()) + "-" + hostTag() + "-1": true,
		".r" + tempTag + fmt.Sprint(deadPID) + "-" + hostTag() + "-2":     false,
		".r" + tempTag + "5-otherhost-3":                                  true,
		".r" + tempTag + "6-otherhost-4":                                  false, // made old below
	}
	for n := range names {
		if err := os.Mkdir(filepath.Join(parent, n), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleAge)
	if err := os.Chtimes(filepath.Join(parent, ".r"+tempTag+"6-otherhost-4"), old, old); err != nil {
		t.Fatal(err)
	}
	CleanStale(parent)
	for n, kept := range names {
		_, err := os.Stat(filepath.Join(parent, n))
		if (err == nil) != kept {
			t.Errorf("%s: kept %v, want %v", n, err == nil, kept)
		}
	}
}
