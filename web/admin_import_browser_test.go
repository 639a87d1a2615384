package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"visitbot/models"
)

// TestBrowserAdminImport: an admin uploads the company's zipped export in
// Chromium, reads the dry-run report, confirms, and sees the result; the
// rows are in the store. Screenshots of both pages are kept as artifacts.
func TestBrowserAdminImport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	e := newWorld(t, "sqlite", 0, nil)
	dir := t.ArtifactDir()
	zipPath := filepath.Join(t.TempDir(), "华东一区.zip")
	if err := os.WriteFile(zipPath, companyZip(t), 0o644); err != nil {
		t.Fatal(err)
	}
	doctorsBefore := countRows[models.Doctor](t, e.store, "")
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(v)
	}
	shoot := func(name string) {
		t.Helper()
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", filepath.Join(dir, name))
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/auth/demo?user=admin&next=/admin/import"),
		chromedp.WaitVisible(chromedp.ID("import-form")),
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{zipPath}),
		chromedp.Click(chromedp.ID("import-submit")),
		chromedp.WaitVisible(chromedp.ID("import-commit")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shoot("admin-import-dry-run.png")
	if h := text("#import-report h2"); !strings.Contains(h, "试运行通过") || !strings.Contains(h, "华东一区.zip") {
		t.Fatalf("report heading %q", h)
	}
	if got := text(`#import-counts tr[data-kind="doctors"] td.created`); got != "30" {
		t.Fatalf("doctors to create: %q", got)
	}
	if n := countRows[models.Doctor](t, e.store, ""); n != doctorsBefore {
		t.Fatalf("the dry run wrote doctors: %d → %d", doctorsBefore, n)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("import-commit")), chromedp.WaitVisible(chromedp.ID("import-again"))); err != nil {
		t.Fatal(err)
	}
	shoot("admin-import-done.png")
	if h := text("#import-report h2"); !strings.Contains(h, "导入完成") {
		t.Fatalf("result heading %q", h)
	}
	if got := text(`#import-counts tr[data-kind="signals"] td.created`); got != "183" {
		t.Fatalf("signals created: %q", got)
	}
	if n := countRows[models.Doctor](t, e.store, ""); n != doctorsBefore+30 {
		t.Fatalf("doctors after commit: %d, want %d", n, doctorsBefore+30)
	}
	var u models.User
	if err := e.store.DB(context.Background()).Where("employee_no <> ''").Take(&u).Error; err != nil {
		t.Fatalf("no imported user with an employee number: %v", err)
	}
}
