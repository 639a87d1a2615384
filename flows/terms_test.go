package flows_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"visitbot/cards"
)

// TestGlossaryOverChatSources scans every Chinese string literal of the
// chat code (flows, bot and its adapters) for a wording outside the
// glossary, so texts no scenario reaches keep to it too.
func TestGlossaryOverChatSources(t *testing.T) {
	var files []string
	for _, dir := range []string{".", "../bot", "../bot/console", "../bot/wecom", "../bot/dingtalk"} {
		got, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, got...)
	}
	fset := token.NewFileSet()
	scanned := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				return true
			}
			scanned++
			for _, bad := range cards.ForeignTerms(s) {
				t.Errorf("%s: %q says %q; the glossary term is %q", fset.Position(lit.Pos()), s, bad.Wrong, bad.Term)
			}
			return true
		})
	}
	if scanned < 100 {
		t.Fatalf("only %d Chinese literals scanned", scanned)
	}
}
