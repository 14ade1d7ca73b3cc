package race_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// module is the import path of this repository's module (go.mod).
const module = "github.com/loadplan/loadplan"

// TestRaceFreePackages: the packages the Makefile's NORACE_PKGS runs
// without the race detector (make test-full-size, not the race pass) run
// no goroutine beside the test's: the package's files, its tests among
// them, start no goroutine (a go statement, a WaitGroup's Go) and call no
// t.Parallel, and the files of the loadplan packages it imports (not
// their tests), all the way down, start none. The detector reports two goroutines touching the same
// memory; with one, it has nothing to find. A package that starts one
// must go back to the race pass.
func TestRaceFreePackages(t *testing.T) {
	root := filepath.Join("..", "..")
	pkgs := makeVar(t, filepath.Join(root, "Makefile"), "NORACE_PKGS")
	if len(pkgs) == 0 {
		t.Fatal("Makefile: no NORACE_PKGS")
	}
	for _, pkg := range pkgs {
		checked := map[string]bool{}
		var walk func(dir string, tests bool)
		walk = func(dir string, tests bool) {
			if checked[dir] {
				return
			}
			checked[dir] = true
			for _, imp := range goroutineFree(t, filepath.Join(root, dir), tests) {
				walk(strings.TrimPrefix(imp, module+"/"), false)
			}
		}
		walk(filepath.Clean(pkg), true)
	}
}

// TestGoroutineFreeFindsGoroutines: the check above fails on a go
// statement and on t.Parallel, in a package or in what it imports.
func TestGoroutineFreeFindsGoroutines(t *testing.T) {
	for name, src := range map[string]string{
		"go statement": "package p\nfunc f() { go func() {}() }\n",
		"t.Parallel":   "package p\nimport \"testing\"\nfunc TestX(t *testing.T) { t.Parallel() }\n",
		"wg.Go":        "package p\nimport \"sync\"\nfunc f() { var wg sync.WaitGroup; wg.Go(func() {}) }\n",
		"race.Long":    "package p\nimport \"testing\"\nfunc TestX(t *testing.T) { race.Long(t, \"\") }\n",
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		var found []string
		goroutineFreeIn(dir, true, func(format string, args ...any) { found = append(found, format) })
		if len(found) == 0 {
			t.Errorf("%s: not found", name)
		}
	}
}

// goroutineFree fails t when a .go file of dir (its _test.go files too when
// tests) has a go statement or (when tests) calls Parallel or race.Long, outside the tests that
// make test-full-size skips, and returns the loadplan
// packages those files import.
func goroutineFree(t *testing.T, dir string, tests bool) []string {
	t.Helper()
	return goroutineFreeIn(dir, tests, t.Errorf)
}

func goroutineFreeIn(dir string, tests bool, errorf func(format string, args ...any)) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		errorf("%v", err)
		return nil
	}
	var imports []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || (!tests && strings.HasSuffix(name, "_test.go")) {
			continue
		}
		path := filepath.Join(dir, name)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			errorf("%v", err)
			continue
		}
		for _, imp := range f.Imports {
			if p, err := strconv.Unquote(imp.Path.Value); err == nil && strings.HasPrefix(p, module+"/") {
				imports = append(imports, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				// The run without -race skips these (make test-precision
				// runs them).
				return !skipped(n.Name.Name)
			case *ast.GoStmt:
				errorf("%s: a go statement: the race detector has something to find here; take the package out of the Makefile's NORACE_PKGS", fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if n.Sel.Name == "Go" { // sync.WaitGroup.Go, errgroup.Group.Go
					errorf("%s: %s.Go starts a goroutine: the race detector has something to find here; take the package out of the Makefile's NORACE_PKGS", fset.Position(n.Pos()), types(n.X))
				}
				// In the package itself: what it imports may offer
				// t.Parallel (race.Long) without the package calling it.
				if x, _ := n.X.(*ast.Ident); tests && (n.Sel.Name == "Parallel" || x != nil && x.Name == "race" && n.Sel.Name == "Long") {
					errorf("%s: t.Parallel runs tests side by side: take the package out of the Makefile's NORACE_PKGS", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
	return imports
}

// types is x as written, for a message.
func types(x ast.Expr) string {
	if id, ok := x.(*ast.Ident); ok {
		return id.Name
	}
	return "a value"
}

// skipped reports whether the runs of NORACE_PKGS skip the test name.
func skipped(name string) bool {
	for _, prefix := range []string{"TestAcceptance", "TestPrecision", "TestSlow"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// makeVar is the words of the Makefile's line "name := …".
func makeVar(t *testing.T, makefile, name string) []string {
	t.Helper()
	mk, err := os.ReadFile(makefile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mk), "\n") {
		if k, v, ok := strings.Cut(line, ":="); ok && strings.TrimSpace(k) == name {
			return strings.Fields(v)
		}
	}
	return nil
}
