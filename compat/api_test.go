package netlink_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// v1 is the module version whose exported API this module must keep.
const v1 = "github.com/mdlayher/netlink@v1.11.2"

// The packages of the v1 API, by their directory in the module.
var packages = []struct{ dir, path string }{
	{dir: ".", path: "github.com/mdlayher/netlink"},
	{dir: "nlenc", path: "github.com/mdlayher/netlink/nlenc"},
	{dir: "nltest", path: "github.com/mdlayher/netlink/nltest"},
}

// TestAPI checks that every exported identifier of v1.11.2 exists here with
// the same kind and signature: v1's source, from the module cache (or
// downloaded by the go command), is type-checked against the same
// dependencies as this module, whose packages are read from their export
// data. The top-level names must be exactly v1's; the aliased types may
// have more methods and fields than v1's, except interfaces, to which a
// method cannot be added without breaking their implementations.
func TestAPI(t *testing.T) {
	dir := downloadV1(t)
	exports := exportData(t, v1Imports(t, dir))
	lookup := func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(f)
	}

	fset := token.NewFileSet()
	ours := importer.ForCompiler(fset, "gc", lookup)
	theirs := &sourceImporter{t: t, fset: fset, dir: dir, pkgs: map[string]*types.Package{}, fallback: importer.ForCompiler(fset, "gc", lookup)}

	for _, p := range packages {
		t.Run(p.dir, func(t *testing.T) {
			want, err := theirs.Import(p.path)
			if err != nil {
				t.Fatalf("failed to type-check v1's %s: %v", p.path, err)
			}
			got, err := ours.Import(p.path)
			if err != nil {
				t.Fatalf("failed to import %s: %v", p.path, err)
			}

			if diff := cmp.Diff(exported(want.Scope()), exported(got.Scope())); diff != "" {
				t.Errorf("exported names differ from v1 (-v1 +ours):\n%s", diff)
			}
			wantAPI, gotAPI := api(want), api(got)
			for _, name := range sortedKeys(wantAPI) {
				if diff := cmp.Diff(wantAPI[name], gotAPI[name]); diff != "" {
					t.Errorf("%s differs from v1 (-v1 +ours):\n%s", name, diff)
				}
			}
		})
	}
}

// downloadV1 returns the directory holding v1's source.
func downloadV1(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", v1).Output()
	if err != nil {
		t.Fatalf("go mod download %s: %v\n%s", v1, err, stderr(err))
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("reading go mod download's output: %v", err)
	}
	if m.Dir == "" {
		t.Fatalf("go mod download %s: no directory: %s", v1, m.Error)
	}
	return m.Dir
}

// v1Imports returns the import paths of the packages that v1's packages
// import, and those packages' own.
func v1Imports(t *testing.T, dir string) []string {
	t.Helper()
	seen := make(map[string]bool)
	for _, p := range packages {
		seen[p.path] = true
		for _, f := range sourceFiles(t, filepath.Join(dir, p.dir)) {
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatalf("parsing v1's %s: %v", f, err)
			}
			for _, spec := range af.Imports {
				seen[strings.Trim(spec.Path.Value, `"`)] = true
			}
		}
	}
	return sortedKeys(seen)
}

// sourceFiles returns the paths of the Go files of the package in dir that
// build on this platform, tests left out.
func sourceFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading v1's source: %v", err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := build.Default.MatchFile(dir, name); err != nil {
			t.Fatalf("reading v1's source: %v", err)
		} else if ok {
			files = append(files, filepath.Join(dir, name))
		}
	}
	return files
}

// exportData returns the export data files of the packages at paths and of
// everything they import, by import path. Paths under v1's module path are
// this module's packages.
func exportData(t *testing.T, paths []string) map[string]string {
	t.Helper()
	args := append([]string{"list", "-export", "-deps", "-json=ImportPath,Export"}, paths...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr(err))
	}
	files := make(map[string]string)
	for d := json.NewDecoder(bytes.NewReader(out)); ; {
		var p struct{ ImportPath, Export string }
		if err := d.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list's output: %v", err)
		}
		files[p.ImportPath] = p.Export
	}
	return files
}

// stderr returns what a failed command wrote to its standard error.
func stderr(err error) []byte {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.Stderr
	}
	return nil
}

// A sourceImporter type-checks v1's packages from their source, for this
// platform, and imports anything else from export data.
type sourceImporter struct {
	t        *testing.T
	fset     *token.FileSet
	dir      string
	pkgs     map[string]*types.Package
	fallback types.Importer
}

// Import returns the package at path.
func (si *sourceImporter) Import(path string) (*types.Package, error) {
	if p, ok := si.pkgs[path]; ok {
		return p, nil
	}
	rel, ok := strings.CutPrefix(path, "github.com/mdlayher/netlink")
	if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) {
		return si.fallback.Import(path)
	}
	var files []*ast.File
	for _, name := range sourceFiles(si.t, filepath.Join(si.dir, filepath.FromSlash(rel))) {
		f, err := parser.ParseFile(si.fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	// Only declarations matter here: v1's function bodies need not
	// type-check against newer dependencies.
	conf := types.Config{Importer: si, IgnoreFuncBodies: true}
	p, err := conf.Check(path, si.fset, files, nil)
	if err != nil {
		return nil, err
	}
	si.pkgs[path] = p
	return p, nil
}

// exported returns a package's exported top-level names with their kinds.
func exported(s *types.Scope) []string {
	var names []string
	for _, name := range s.Names() {
		if obj := s.Lookup(name); obj.Exported() {
			names = append(names, fmt.Sprintf("%s %s", kind(obj), name))
		}
	}
	return names
}

// kind names the kind of a declared object.
func kind(obj types.Object) string {
	switch obj.(type) {
	case *types.Const:
		return "const"
	case *types.Var:
		return "var"
	case *types.Func:
		return "func"
	case *types.TypeName:
		return "type"
	}
	return fmt.Sprintf("%T", obj)
}

// api describes the exported API of p: each identifier, field and method
// by its name, and what it is, written in terms that do not depend on the
// package's import path or on parameter names.
func api(p *types.Package) map[string]string {
	m := make(map[string]string)
	s := p.Scope()
	for _, name := range s.Names() {
		obj := s.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Const:
			m[name] = fmt.Sprintf("const %s = %s", typeString(obj.Type()), obj.Val().ExactString())
		case *types.Var:
			m[name] = "var " + typeString(obj.Type())
		case *types.Func:
			m[name] = "func" + signature(obj.Type().(*types.Signature))
		case *types.TypeName:
			describeType(m, name, types.Unalias(obj.Type()))
		}
	}
	return m
}

// describeType adds to m what a named type is: its underlying type, its
// exported fields and methods, and whether it is comparable. An interface
// is described by the list of all its methods.
func describeType(m map[string]string, name string, typ types.Type) {
	switch u := typ.Underlying().(type) {
	case *types.Struct:
		m[name] = "type struct"
		all := true
		var fields []string
		for f := range u.Fields() {
			all = all && f.Exported()
			fields = append(fields, f.Name()+" "+typeString(f.Type()))
			if f.Exported() {
				m[name+"."+f.Name()] = "field " + typeString(f.Type())
			}
		}
		// With only exported fields, a struct can be written as an unkeyed
		// literal and compared whole (as v1's tests compare OpErrors), so
		// its fields must be exactly v1's. Config is the exception: SPEC
		// section 5 adds fields to it.
		if all && name != "Config" {
			m[name+" fields"] = strings.Join(fields, "; ")
		}
	case *types.Interface:
		var methods []string
		for f := range u.Methods() {
			methods = append(methods, f.Name()+signature(f.Type().(*types.Signature)))
		}
		sort.Strings(methods)
		m[name] = "type interface { " + strings.Join(methods, "; ") + " }"
		return
	case *types.Signature:
		m[name] = "type func" + signature(u)
	default:
		m[name] = "type " + typeString(u)
	}
	if types.Comparable(typ) {
		m[name+" =="] = "comparable"
	}
	ms := types.NewMethodSet(types.NewPointer(typ))
	for sel := range ms.Methods() {
		if f := sel.Obj(); f.Exported() {
			m[name+"."+f.Name()] = "method" + signature(f.Type().(*types.Signature))
		}
	}
}

// typeString writes t with packages named by their name, not their path.
func typeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string { return p.Name() })
}

// signature writes a function's parameter and result types, without names.
func signature(sig *types.Signature) string {
	list := func(tuple *types.Tuple, variadic bool) []string {
		var s []string
		for i := range tuple.Len() {
			t := tuple.At(i).Type()
			if variadic && i == tuple.Len()-1 {
				s = append(s, "..."+typeString(t.(*types.Slice).Elem()))
				continue
			}
			s = append(s, typeString(t))
		}
		return s
	}
	return fmt.Sprintf("(%s) (%s)", strings.Join(list(sig.Params(), sig.Variadic()), ", "), strings.Join(list(sig.Results(), false), ", "))
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
