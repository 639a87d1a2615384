// Package gosrc reads the string literals of Go source files, for tests
// that hold the texts of the code to a glossary.
package gosrc

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
)

// StringLiterals calls fn with the position and the unquoted value of every
// string literal of files, skipping test files.
func StringLiterals(files []string, fn func(pos token.Position, s string)) error {
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			return fmt.Errorf("parse %s: %w", f, err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil {
				fn(fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	return nil
}
