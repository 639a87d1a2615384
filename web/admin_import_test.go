package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"visitbot/config"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/web"
)

// companyDir is the worked example of a company's own export.
const companyDir = "../importer/testdata/company"

// companyZip zips the example export as an admin would (bundle.yaml at
// the zip's root; the CLI's test zips it inside a folder).
func companyZip(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if err := zw.AddFS(os.DirFS(companyDir)); err != nil || zw.Close() != nil {
		t.Fatalf("zip %s: %v", companyDir, err)
	}
	return buf.Bytes()
}

// upload is the dry-run form: fields in the page's order.
type upload struct {
	csrf, kind, name string
	data, mapping    []byte
	createMissing    bool
}

func postUpload(t testing.TB, c *http.Client, base string, u upload) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", u.csrf)
	mw.WriteField("kind", u.kind)
	if u.createMissing {
		mw.WriteField("create_missing", "products")
	}
	fw, _ := mw.CreateFormFile("file", u.name)
	fw.Write(u.data)
	mf, _ := mw.CreateFormFile("mapping", "")
	mf.Write(u.mapping)
	mw.Close()
	resp, err := c.Post(base+"/admin/import", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var (
	tokenRe  = regexp.MustCompile(`name="token" value="([^"]+)"`)
	digestRe = regexp.MustCompile(`name="digest" value="([^"]+)"`)
)

// commitForm is the 确认导入 form of a passed dry run.
func commitForm(t testing.TB, page string) url.Values {
	t.Helper()
	tm, dm := tokenRe.FindStringSubmatch(page), digestRe.FindStringSubmatch(page)
	if tm == nil || dm == nil {
		t.Fatalf("no commit form in page: %.2000s", page)
	}
	return url.Values{"csrf": {csrfOf(t, page)}, "token": {tm[1]}, "digest": {dm[1]}}
}

func countRows[T any](t testing.TB, s *models.Store, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := s.DB(context.Background()).Model(new(T))
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAdminImportAccess: only admins; signed out goes to the sign-in page.
func TestAdminImportAccess(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	resp, err := e.client(t).Get(e.srv.URL + "/admin/import")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/auth/login?next=%2Fadmin%2Fimport" {
		t.Fatalf("signed out: %d %q", resp.StatusCode, loc)
	}
	rep, mgr := "rep01", managers(t, e.store)[0].UserID
	for _, id := range []string{rep, mgr} {
		c := e.signIn(t, id)
		if _, home := get(t, c, e.srv.URL+"/m/route"); contains(home, `href="/admin/import"`) {
			t.Fatalf("%s sees the import link", id)
		}
		if st, body := get(t, c, e.srv.URL+"/admin/import"); st != http.StatusForbidden || !contains(body, "仅对管理员开放") {
			t.Fatalf("%s GET: %d %.300s", id, st, body)
		}
		// The role is refused before the form is read (a rep's own valid token does not help).
		csrf := "x"
		if id == rep {
			_, checkin := get(t, c, e.srv.URL+"/m/checkin")
			csrf = csrfOf(t, checkin)
		}
		st, body := postUpload(t, c, e.srv.URL, upload{csrf: csrf, name: "h.csv", kind: "hospitals", data: []byte("医院编码,医院名称\nH1,一院\n")})
		if st != http.StatusForbidden || !contains(body, "仅对管理员开放") {
			t.Fatalf("%s POST: %d", id, st)
		}
		if st, body := postForm(t, c, e.srv.URL+"/admin/import/commit", url.Values{"csrf": {csrf}, "token": {"x"}}); st != http.StatusForbidden || !contains(body, "仅对管理员开放") {
			t.Fatalf("%s commit: %d", id, st)
		}
	}
	if n := countRows[models.AuditLog](t, e.store, "action LIKE ?", "import:%"); n != 0 {
		t.Fatalf("%d import audit rows after refusals", n)
	}
}

// TestAdminImportDryRunThenCommit: the company's zipped export is dry-run
// (nothing written, audited), committed once from another replica's pages
// (rows in the store, audit with counts, the admins told), and the token is
// spent.
func TestAdminImportDryRunThenCommit(t *testing.T) {
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			e := newWorld(t, driver, 0, nil)
			ctx := context.Background()
			admin := e.signIn(t, "admin")
			_, dash := get(t, admin, e.srv.URL+"/dashboard")
			if !contains(dash, `href="/admin/import"`) {
				t.Fatal("the admin's pages do not link the import page")
			}
			_, page := get(t, admin, e.srv.URL+"/admin/import")
			doctorsBefore, signalsBefore := countRows[models.Doctor](t, e.store, ""), countRows[models.Signal](t, e.store, "")

			st, page := postUpload(t, admin, e.srv.URL, upload{csrf: csrfOf(t, page), name: "华东一区.zip", data: companyZip(t)})
			if st != http.StatusOK || !contains(page, "试运行通过") || !contains(page, "确认导入") {
				t.Fatalf("dry run: %d %.3000s", st, page)
			}
			for _, want := range []string{`<tr data-kind="doctors"><td>医生</td><td>1</td><td>30</td><td class="created">30</td>`,
				`<tr data-kind="signals"><td>信号</td><td>1</td><td>183</td><td class="created">183</td>`, "客户互动事件.csv"} {
				if !contains(page, want) {
					t.Fatalf("dry-run page lacks %q: %.4000s", want, page)
				}
			}
			if n := countRows[models.Doctor](t, e.store, ""); n != doctorsBefore {
				t.Fatalf("dry run wrote doctors: %d → %d", doctorsBefore, n)
			}
			var dry models.AuditLog
			if err := e.store.DB(ctx).Where("action = ?", "import:dry_run").Take(&dry).Error; err != nil || !strings.Contains(dry.Detail, `"created":30`) || dry.Target != "华东一区.zip" {
				t.Fatalf("dry-run audit %+v %v", dry, err)
			}
			form := commitForm(t, page)

			// The commit lands on another replica: same store, same secret.
			other := newPagesOn(t, e)
			st, done := postForm(t, admin, other.URL+"/admin/import/commit", form)
			if st != http.StatusOK || !contains(done, "导入完成") || contains(done, `id="import-commit"`) {
				t.Fatalf("commit: %d %.3000s", st, done)
			}
			if n := countRows[models.Doctor](t, e.store, ""); n != doctorsBefore+30 {
				t.Fatalf("doctors after commit: %d, want %d", n, doctorsBefore+30)
			}
			if n := countRows[models.Signal](t, e.store, ""); n != signalsBefore+183 {
				t.Fatalf("company signals after commit: %d", n)
			}
			var audit models.AuditLog
			if err := e.store.DB(ctx).Where("action = ?", "import:commit").Take(&audit).Error; err != nil {
				t.Fatal(err)
			}
			var detail struct {
				SHA256 string `json:"sha256"`
				Kinds  []struct {
					Kind    string `json:"kind"`
					Created int    `json:"created"`
				} `json:"kinds"`
			}
			if err := json.Unmarshal([]byte(audit.Detail), &detail); err != nil || detail.SHA256 != form.Get("digest") || len(detail.Kinds) != 8 || audit.ActorID != user(t, e.store, "admin").ID {
				t.Fatalf("commit audit %+v (%v)", audit, err)
			}
			if n := countRows[models.OutboxMessage](t, e.store, "dedupe_key LIKE ?", "%import:web:%"); n == 0 {
				t.Fatal("the admins were not told of the import")
			}
			if n := countRows[models.ImportUpload](t, e.store, ""); n != 0 {
				t.Fatalf("%d uploads kept after commit", n)
			}
			// A second commit (double click, back button) writes nothing.
			if st, body := postForm(t, admin, e.srv.URL+"/admin/import/commit", form); st != http.StatusGone || !contains(body, "已失效") {
				t.Fatalf("second commit: %d %.300s", st, body)
			}
			if n := countRows[models.AuditLog](t, e.store, "action = ?", "import:commit"); n != 1 {
				t.Fatalf("%d commit audits", n)
			}
		})
	}
}

// newPagesOn serves a second set of pages (another replica) on e's store.
func newPagesOn(t testing.TB, e *env) *httptest.Server {
	t.Helper()
	_, srv := servePages(t, e.opts)
	return srv
}

// TestAdminImportRefusals: CSRF, the size cap, a bad file (no commit
// button), another session's token, an expired token, a changed digest.
func TestAdminImportRefusals(t *testing.T) {
	e := newWorld(t, "sqlite", 0, func(o *web.Options) { o.UploadLimits.MaxBytes = 4 << 10 })
	admin := e.signIn(t, "admin")
	_, page := get(t, admin, e.srv.URL+"/admin/import")
	csrf := csrfOf(t, page)
	good := upload{csrf: csrf, name: "医院.csv", kind: "hospitals", data: []byte("医院编码,医院名称,医院等级,城市\nHX1,测试医院,三甲,杭州\n")}

	bad := good
	bad.csrf = "nope"
	if st, _ := postUpload(t, admin, e.srv.URL, bad); st != http.StatusForbidden {
		t.Fatalf("bad csrf: %d", st)
	}
	big := good
	big.data = bytes.Repeat([]byte("HX1,测试医院,三甲,杭州\n"), 300)
	if st, body := postUpload(t, admin, e.srv.URL, big); st != http.StatusRequestEntityTooLarge || !contains(body, "超过上限 4 KB") {
		t.Fatalf("too large: %d %.300s", st, body)
	}
	noKind := good
	noKind.kind = ""
	if st, body := postUpload(t, admin, e.srv.URL, noKind); st != http.StatusBadRequest || !contains(body, "请选择数据类型") {
		t.Fatalf("no kind: %d %.300s", st, body)
	}
	// A header problem is shown as one, and there is nothing to confirm.
	header := good
	header.data = []byte("编号,名字\n1,2\n")
	st, body := postUpload(t, admin, e.srv.URL, header)
	if st != http.StatusOK || !contains(body, "表头问题") || !contains(body, "未写入任何数据") || tokenRe.MatchString(body) {
		t.Fatalf("header problem: %d %.3000s", st, body)
	}

	st, body = postUpload(t, admin, e.srv.URL, good)
	if st != http.StatusOK || !contains(body, "试运行通过") {
		t.Fatalf("good dry run: %d %.3000s", st, body)
	}
	form := commitForm(t, body)
	bad2 := url.Values{"csrf": {"nope"}, "token": form["token"], "digest": form["digest"]}
	if st, _ := postForm(t, admin, e.srv.URL+"/admin/import/commit", bad2); st != http.StatusForbidden {
		t.Fatalf("commit bad csrf: %d", st)
	}
	// The same admin signed in elsewhere (another nonce) cannot use it.
	second := e.signIn(t, "admin")
	_, p2 := get(t, second, e.srv.URL+"/admin/import")
	stolen := url.Values{"csrf": {csrfOf(t, p2)}, "token": form["token"], "digest": form["digest"]}
	if st, body := postForm(t, second, e.srv.URL+"/admin/import/commit", stolen); st != http.StatusForbidden || !contains(body, "另一次登录") {
		t.Fatalf("other session: %d %.300s", st, body)
	}
	changed := url.Values{"csrf": form["csrf"], "token": form["token"], "digest": {strings.Repeat("0", 64)}}
	if st, _ := postForm(t, admin, e.srv.URL+"/admin/import/commit", changed); st != http.StatusConflict {
		t.Fatalf("other digest: %d", st)
	}
	e.clock.Advance(web.UploadTTL + time.Second)
	if st, body := postForm(t, admin, e.srv.URL+"/admin/import/commit", form); st != http.StatusGone || !contains(body, "有效期") {
		t.Fatalf("expired: %d %.300s", st, body)
	}
	if n := countRows[models.Hospital](t, e.store, "external_id = ?", "HX1"); n != 0 {
		t.Fatalf("a refused commit wrote the hospital")
	}
}

// TestAdminImportThroughTheServer: on the wired app the upload may exceed
// server.max_body_bytes up to import.max_upload_bytes (the page's own cap,
// answered in Chinese), while other routes keep the server's cap.
func TestAdminImportThroughTheServer(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	a := apptest.OnStore(t, e.store, func(c *config.Config) {
		c.Server.MaxBodyBytes, c.Import.MaxUploadBytes = 16<<10, 64<<10
		c.Web.SessionSecret = testSecret
	})
	srv := httptest.NewServer(a.Server().Handler())
	t.Cleanup(srv.Close)
	admin := e.client(t)
	if st, _ := get(t, admin, srv.URL+"/auth/demo?user=admin"); st != http.StatusFound {
		t.Fatalf("sign-in: %d", st)
	}
	_, page := get(t, admin, srv.URL+"/admin/import")
	csv := []byte("医院编码,医院名称,医院等级,城市\n")
	for i := 0; len(csv) < 32<<10; i++ {
		csv = append(csv, fmt.Sprintf("HS%05d,第%d医院,三甲,杭州\n", i, i)...)
	}
	st, body := postUpload(t, admin, srv.URL, upload{csrf: csrfOf(t, page), name: "医院.csv", kind: "hospitals", data: csv})
	if st != http.StatusOK || !contains(body, "试运行通过") {
		t.Fatalf("32 KiB upload over a 16 KiB server cap: %d %.2000s", st, body)
	}
	big := append(bytes.Repeat([]byte("x"), 64<<10), csv...)
	if st, body := postUpload(t, admin, srv.URL, upload{csrf: csrfOf(t, page), name: "医院.csv", kind: "hospitals", data: big}); st != http.StatusRequestEntityTooLarge || !contains(body, "超过上限 64 KB") {
		t.Fatalf("over import.max_upload_bytes: %d %.300s", st, body)
	}
	resp, err := admin.Post(srv.URL+"/admin/import/commit", "application/x-www-form-urlencoded", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("the commit form keeps server.max_body_bytes: %d", resp.StatusCode)
	}
}

// TestAdminImportCommitsOnce: two 确认导入 of one upload racing on two
// replicas (a double click behind a load balancer) import it once; the
// other is told so and nothing is doubled.
func TestAdminImportCommitsOnce(t *testing.T) {
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			e := newWorld(t, driver, 0, nil)
			admin := e.signIn(t, "admin")
			_, page := get(t, admin, e.srv.URL+"/admin/import")
			csv := []byte("医院编码,医院名称,医院等级,城市\nHX1,测试一院,三甲,杭州\nHX2,测试二院,二甲,宁波\n")
			st, page := postUpload(t, admin, e.srv.URL, upload{csrf: csrfOf(t, page), name: "医院.csv", kind: "hospitals", data: csv})
			if st != http.StatusOK {
				t.Fatalf("dry run: %d", st)
			}
			form := commitForm(t, page)
			other := newPagesOn(t, e)
			codes := make(chan int, 2)
			for _, base := range []string{e.srv.URL, other.URL} {
				go func() {
					resp, err := admin.PostForm(base+"/admin/import/commit", form)
					if err != nil {
						codes <- 0
						return
					}
					resp.Body.Close()
					codes <- resp.StatusCode
				}()
			}
			a, b := <-codes, <-codes
			if min(a, b) != http.StatusOK || (max(a, b) != http.StatusConflict && max(a, b) != http.StatusGone) {
				t.Fatalf("racing commits answered %d and %d; want 200 and 409/410", a, b)
			}
			if n := countRows[models.Hospital](t, e.store, "external_id IN ?", []string{"HX1", "HX2"}); n != 2 {
				t.Fatalf("%d hospitals", n)
			}
			if n := countRows[models.AuditLog](t, e.store, "action = ?", "import:commit"); n != 1 {
				t.Fatalf("%d commit audits", n)
			}
		})
	}
}
