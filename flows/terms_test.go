package flows_test

import (
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"visitbot/cards"
	"visitbot/internal/gosrc"
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
	scanned := 0
	err := gosrc.StringLiterals(files, func(pos token.Position, s string) {
		if !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			return
		}
		scanned++
		for _, bad := range cards.ForeignTerms(s) {
			t.Errorf("%s: %q says %q; the glossary term is %q", pos, s, bad.Wrong, bad.Term)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 100 {
		t.Fatalf("only %d Chinese literals scanned", scanned)
	}
}
