package web_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"visitbot/cards"
	"visitbot/models"
)

// checkTerms fails for each text that uses a wording outside the glossary
// (cards.Synonyms), naming where it was read.
func checkTerms(t *testing.T, where string, texts []string) {
	t.Helper()
	for _, s := range texts {
		for _, bad := range cards.ForeignTerms(s) {
			t.Errorf("%s: %q says %q; the glossary term is %q", where, s, bad.Wrong, bad.Term)
		}
	}
}

// TestGlossaryOverPageSources scans what the pages can show in any branch:
// every template's text, the page scripts' messages and the Chinese string
// literals of the package's Go code (error messages, labels).
func TestGlossaryOverPageSources(t *testing.T) {
	templates, _ := filepath.Glob(filepath.Join("templates", "*.html"))
	scripts, _ := filepath.Glob(filepath.Join("static", "*.js"))
	if len(templates) == 0 || len(scripts) == 0 {
		t.Fatal("no templates or scripts found")
	}
	for _, f := range templates {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkTerms(t, f, cards.PageTexts(string(raw)))
	}
	for _, f := range scripts {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkTerms(t, f, cards.ScriptTexts(string(raw)))
	}
	sources, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range sources {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && len(cards.ScriptTexts(strconv.Quote(s))) > 0 {
					checkTerms(t, fset.Position(lit.Pos()).String(), []string{s})
				}
			}
			return true
		})
	}
}

// TestGlossaryOverRenderedPages renders the pages a rep, a manager and an
// admin open on a simulated week (an empty week and the error pages too)
// and scans what they read.
func TestGlossaryOverRenderedPages(t *testing.T) {
	e := newWorld(t, "sqlite", 3, nil)
	ctx := context.Background()
	m := managers(t, e.store)[0]
	rep, v := checkedInVisit(t, e)
	var admin models.User
	if err := e.store.DB(ctx).Where("role = ?", models.RoleAdmin).First(&admin).Error; err != nil {
		t.Fatal(err)
	}
	var done models.VisitFeedback
	if err := e.store.DB(ctx).Where("rep_id = ?", rep.ID).First(&done).Error; err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		who   string
		paths []string
	}{
		{"", []string{"/auth/login"}},
		{rep.UserID, []string{"/m/route", "/m/checkin", "/m/doctor/" + itoa(int(v.DoctorID)), "/m/feedback/" + itoa(int(v.ID)),
			"/m/feedback/" + itoa(int(done.VisitID)), "/m/feedback/999999", "/dashboard/api/nothing"}},
		{m.UserID, []string{"/dashboard", "/dashboard?week=2026-W48", "/dashboard?week=2026-W47", "/dashboard?week=2026-W30",
			"/dashboard?week=W48", "/m/doctor/" + itoa(int(v.DoctorID)), "/m/route"}},
		{admin.UserID, []string{"/dashboard", "/dashboard?manager=" + m.UserID}},
	}
	for _, p := range pages {
		c := e.client(t)
		if p.who != "" {
			c = e.signIn(t, p.who)
		}
		for _, path := range p.paths {
			st, body := get(t, c, e.srv.URL+path)
			if st == http.StatusFound || st >= 500 {
				t.Fatalf("%s %s: status %d", p.who, path, st)
			}
			checkTerms(t, p.who+" "+path, cards.PageTexts(body))
		}
	}
}
