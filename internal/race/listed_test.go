package race_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFullSizeTestsListed: every test that runs a smaller case count under
// -race (it calls race.Size or race.LeaveOut) is named, with its package,
// in the Makefile's FULL_SIZE_TESTS and FULL_SIZE_PKGS, so that `make
// test-race` runs it whole without -race; and every name listed there is
// such a test (a renamed test would otherwise match nothing, silently).
// A package in NORACE_PKGS needs no such line: make test-full-size runs
// all its tests whole, without -race.
func TestFullSizeTestsListed(t *testing.T) {
	root := filepath.Join("..", "..")
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string][]string{}
	for _, line := range strings.Split(string(mk), "\n") {
		if k, v, ok := strings.Cut(line, ":="); ok && strings.HasPrefix(k, "FULL_SIZE_") {
			listed[strings.TrimSpace(k)] = strings.FieldsFunc(v, func(r rune) bool { return r == '|' || r == ' ' })
		}
	}
	names, pkgs := listed["FULL_SIZE_TESTS"], listed["FULL_SIZE_PKGS"]
	if len(names) == 0 || len(pkgs) == 0 {
		t.Fatalf("Makefile: no FULL_SIZE_TESTS or FULL_SIZE_PKGS (%q)", listed)
	}
	norace := makeVar(t, filepath.Join(root, "Makefile"), "NORACE_PKGS")
	found := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		pkg := "./" + filepath.ToSlash(filepath.Dir(rel)) + "/"
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Test") || !shrinks(fn.Body) {
				continue
			}
			if slices.Contains(norace, pkg) {
				return nil
			}
			found[fn.Name.Name] = true
			if !slices.Contains(names, fn.Name.Name) || !slices.Contains(pkgs, pkg) {
				t.Errorf("%s: %s runs fewer cases under -race but is not in the Makefile's FULL_SIZE_TESTS (%s in FULL_SIZE_PKGS)", path, fn.Name.Name, pkg)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !found[n] {
			t.Errorf("Makefile: FULL_SIZE_TESTS names %s, which calls neither race.Size nor race.LeaveOut", n)
		}
	}
}

// shrinks reports whether body calls race.Size or race.LeaveOut.
func shrinks(body *ast.BlockStmt) bool {
	yes := false
	ast.Inspect(body, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "race" && (sel.Sel.Name == "Size" || sel.Sel.Name == "LeaveOut") {
				yes = true
			}
		}
		return !yes
	})
	return yes
}
