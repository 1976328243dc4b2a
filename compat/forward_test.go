package netlink_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyForwarders keeps this module free of a second implementation:
// its files may declare only type aliases and constants naming an
// identifier of an imported package, and functions whose body is one call
// to the function of the same name in an imported package. Every exported
// declaration must have a doc comment.
func TestOnlyForwarders(t *testing.T) {
	for _, p := range packages {
		t.Run(p.dir, func(t *testing.T) {
			for _, name := range sourceFiles(t, p.dir) {
				f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ParseComments)
				if err != nil {
					t.Fatalf("failed to parse: %v", err)
				}
				for _, problem := range checkForwarders(f) {
					t.Errorf("%s: %s", filepath.Base(name), problem)
				}
			}
		})
	}
}

// checkForwarders returns what in f is not an alias, a constant or a
// forwarder, or lacks a doc comment.
func checkForwarders(f *ast.File) []string {
	var problems []string
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Doc == nil {
				problems = append(problems, "func "+d.Name.Name+" has no doc comment")
			}
			if d.Recv != nil || !forwards(d) {
				problems = append(problems, "func "+d.Name.Name+" is not a one-line forwarder")
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.ImportSpec:
				case *ast.TypeSpec:
					if s.Doc == nil && d.Doc == nil {
						problems = append(problems, "type "+s.Name.Name+" has no doc comment")
					}
					if !s.Assign.IsValid() || !isQualifiedName(s.Type, s.Name.Name) {
						problems = append(problems, "type "+s.Name.Name+" is not an alias")
					}
				case *ast.ValueSpec:
					if d.Tok != token.CONST {
						problems = append(problems, "variables are not allowed")
						continue
					}
					for i, n := range s.Names {
						if s.Doc == nil && d.Doc == nil {
							problems = append(problems, "const "+n.Name+" has no doc comment")
						}
						if s.Type != nil || i >= len(s.Values) || !isQualifiedName(s.Values[i], n.Name) {
							problems = append(problems, "const "+n.Name+" does not name the constant it forwards")
						}
					}
				}
			}
		}
	}
	return problems
}

// forwards reports whether fn's body is one call, returned or not, to the
// function of the same name in an imported package, with fn's parameters
// in order.
func forwards(fn *ast.FuncDecl) bool {
	if fn.Body == nil || len(fn.Body.List) != 1 {
		return false
	}
	var call ast.Expr
	switch s := fn.Body.List[0].(type) {
	case *ast.ReturnStmt:
		if len(s.Results) != 1 {
			return false
		}
		call = s.Results[0]
	case *ast.ExprStmt:
		call = s.X
	default:
		return false
	}
	c, ok := call.(*ast.CallExpr)
	if !ok || !isQualifiedName(c.Fun, fn.Name.Name) {
		return false
	}
	var params []string
	for _, field := range fn.Type.Params.List {
		for _, n := range field.Names {
			params = append(params, n.Name)
		}
	}
	if len(c.Args) != len(params) {
		return false
	}
	for i, a := range c.Args {
		if id, ok := a.(*ast.Ident); !ok || id.Name != params[i] {
			return false
		}
	}
	return true
}

// isQualified reports whether e is pkg.Name.
func isQualified(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	_, ok = sel.X.(*ast.Ident)
	return ok && !strings.Contains(sel.Sel.Name, ".")
}

// isQualifiedName reports whether e is pkg.name.
func isQualifiedName(e ast.Expr, name string) bool {
	return isQualified(e) && e.(*ast.SelectorExpr).Sel.Name == name
}
