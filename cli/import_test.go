package cli

import (
	"archive/zip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
)

func TestImportCLI(t *testing.T) {
	dir := t.TempDir()
	env := []string{"VISITBOT_DATABASE_DSN=" + filepath.Join(dir, "vb.db"), "VISITBOT_LOG_LEVEL=error"}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	tpl := filepath.Join(dir, "hospitals.csv")
	if code, out, stderr := runCLI(t, env, "import", "template", "hospitals", "-o", tpl); code != 0 || !strings.Contains(out, "wrote") {
		t.Fatalf("template: %d %s %s", code, out, stderr)
	}
	if data, _ := os.ReadFile(tpl); !strings.HasPrefix(string(data), "\ufeff医院编码*,医院名称*,医院等级*") {
		t.Fatalf("template = %q", data)
	}

	good := write("h.csv", "医院编码,医院名称,医院等级\nH1,甲医院,三甲\nH2,乙医院,二级\n")
	code, out, stderr := runCLI(t, env, "import", "hospitals", good, "-dry-run")
	if code != 0 || !strings.Contains(out, "试运行，未写入：将新建 2，更新 0，未变 0") {
		t.Fatalf("dry run: %d %q %q", code, out, stderr)
	}
	code, out, _ = runCLI(t, env, "import", "hospitals", good, "-lang", "en")
	if code != 0 || !strings.Contains(out, "created 2, updated 0, unchanged 0") {
		t.Fatalf("import: %d %q", code, out)
	}
	code, out, _ = runCLI(t, env, "import", "-partial", "hospitals", good, "-lang", "en")
	if code != 0 || !strings.Contains(out, "created 0, updated 0, unchanged 2") {
		t.Fatalf("re-import: %d %q", code, out)
	}

	bad := write("bad.csv", "医院编码,医院名称,医院等级\nH3,丙医院,五星\nH4,,三甲\nH5,戊医院,二级\n")
	code, out, stderr = runCLI(t, env, "import", "hospitals", bad, "-v", "-lang", "en")
	if code != 1 || !strings.Contains(out, `row 2, column "医院等级" (level), value "五星"`) || !strings.Contains(out, `row 3, column "医院名称" (name): is required`) ||
		!strings.Contains(out, `1 row: column "医院名称" (name): is required [required] (e.g. row 3)`) ||
		!strings.Contains(stderr, "2 bad rows; nothing imported") {
		t.Fatalf("bad file: %d\n%s\n%s", code, out, stderr)
	}
	// Chinese by default (import.lang), grouped, with the English key.
	code, out, _ = runCLI(t, env, "import", "hospitals", bad)
	if code != 1 || !strings.Contains(out, "1 行：列「医院等级」(level) 不是可用的值") || !strings.Contains(out, "[not_one_of]（如第2行：五星）") {
		t.Fatalf("bad file in Chinese: %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, env, "import", "hospitals", bad, "-partial")
	if code != 0 || !strings.Contains(out, "已写入：新建 1，更新 0，未变 0，跳过 2 个有问题的行") {
		t.Fatalf("partial: %d %q", code, out)
	}
	// A header problem is said as one, not as "row 1 … 1 bad rows".
	headerless := write("nohdr.csv", "编号,名字\nH8,某医院\n")
	code, out, stderr = runCLI(t, env, "import", "hospitals", headerless)
	if code != 1 || !strings.Contains(out, "表头问题：缺少必填列 external_id") || !strings.Contains(stderr, "header problems in nohdr.csv") || strings.Contains(stderr, "bad rows") {
		t.Fatalf("header problem: %d\n%s\n%s", code, out, stderr)
	}

	mapping := write("m.yaml", "columns: {代码: external_id, 名字: name, 级别: level}\nvalues: {level: {A级: 三级甲等}}\n")
	mapped := write("m.csv", "代码,名字,级别\nH9,己医院,A级\n")
	if code, out, stderr := runCLI(t, env, "import", "hospitals", mapped, "-mapping", mapping); code != 0 || !strings.Contains(out, "新建 1") {
		t.Fatalf("mapping: %d %q %q", code, out, stderr)
	}

	for _, args := range [][]string{{"import"}, {"import", "patients", good}, {"import", "hospitals", filepath.Join(dir, "none.csv")}, {"import", "template", "nope"}} {
		if code, _, stderr := runCLI(t, env, args...); code == 0 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

// TestImportedSignalRaisesAlert: a clinical-trial signal loaded with
// `visitbot import` reaches the real-time alert detectors after commit —
// only a recent one (alerts.realtime_max_age): history raises no alert — and
// every committed import is summarised to the admins once.
func TestImportedSignalRaisesAlert(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "vb.db")
	env := []string{"VISITBOT_DATABASE_DSN=" + dbPath, "VISITBOT_LOG_LEVEL=error", "VISITBOT_CONSOLE_ENABLED=true"}
	recent := time.Now().Add(-2 * time.Hour).In(modelstest.Shanghai).Format("2006-01-02 15:04")
	files := []struct{ kind, body string }{
		{"hospitals", "医院编码,医院名称,医院等级\nH1,瑞金医院,三甲\n"},
		{"users", "工号,姓名,角色,上级工号\nadmin,王管理,管理员,\nmgr01,李经理,经理,\nrep01,张三,代表,mgr01\n"},
		{"doctors", "医生编码,姓名,医院编码,科室,职称,是否KOL\nD1,陈静,H1,心内科,主任医师,是\nD2,王芳,H1,心内科,主任医师,否\n"},
		{"assignments", "代表工号,医生编码\nrep01,D1\nrep01,D2\n"},
		{"signals", "信号编码,医生编码,信号类别,信号类型,发生时间,说明\nT0,D2,临床试验,trial_investigator,2020-01-01 10:00,II期研究者\nT1,D1,临床试验,trial_investigator," + recent + ",III期研究者\n"},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.kind+".csv")
		if err := os.WriteFile(p, []byte(f.body), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, out, stderr := runCLI(t, env, "import", f.kind, p); code != 0 {
			t.Fatalf("import %s: %d %s %s", f.kind, code, out, stderr)
		}
	}
	s, err := models.Open(models.Options{Driver: "sqlite", DSN: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var alerts []models.Alert
	if err := s.DB(context.Background()).Find(&alerts).Error; err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].DoctorID == nil || alerts[0].Title != "临床试验：陈静（瑞金医院）" {
		t.Fatalf("alerts after importing a recent and an old trial signal: %+v", alerts)
	}
	var summaries []models.OutboxMessage
	if err := s.DB(context.Background()).Where("purpose LIKE ?", "import:%").Find(&summaries).Error; err != nil {
		t.Fatal(err)
	}
	// Every import after the admin exists (all but the hospitals) is summarised once.
	if len(summaries) != len(files)-1 || !strings.Contains(summaries[len(summaries)-1].Payload, "导入完成") {
		t.Fatalf("admin summaries = %+v", summaries)
	}
}

// TestImportBundleCLI loads the worked example of docs/onboarding.md — a
// company's own export with mapping files only — from its directory and as
// the zip an admin would upload.
func TestImportBundleCLI(t *testing.T) {
	dir := t.TempDir()
	env := []string{"VISITBOT_DATABASE_DSN=" + filepath.Join(dir, "vb.db"), "VISITBOT_LOG_LEVEL=error"}
	bundle := filepath.Join("..", "importer", "testdata", "company")
	code, out, stderr := runCLI(t, env, "import", "bundle", bundle, "-dry-run")
	if code != 0 || !strings.Contains(out, "试运行（未写入）") || !strings.Contains(out, "doctors：30 行，新建 30") || strings.Contains(out, "有问题") {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, env, "import", "bundle", bundle, "-lang", "en")
	if code != 0 || !strings.Contains(out, "Import done") || !strings.Contains(out, "signals: 183 rows, created 183") ||
		!strings.Contains(out, "created products: KR-") {
		t.Fatalf("import: %d\n%s\n%s", code, out, stderr)
	}

	// The same bundle zipped (in a folder) loads again unchanged.
	zipPath := filepath.Join(dir, "export.zip")
	zf, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	err = filepath.WalkDir(bundle, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(bundle, p)
		w, err := zw.Create("company/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil || zw.Close() != nil || zf.Close() != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLI(t, env, "import", "bundle", zipPath)
	if code != 0 || !strings.Contains(out, "signals：183 行，新建 0，更新 0，未变 183") {
		t.Fatalf("zip: %d\n%s\n%s", code, out, stderr)
	}

	// import -h names the signal kinds rules and alerts read.
	_, _, stderr = runCLI(t, env, "import", "-h")
	if !strings.Contains(stderr, "leaflet_search (digital, 搜索产品说明书) — alert silent_kol") || !strings.Contains(stderr, "import bundle") {
		t.Fatalf("help:\n%s", stderr)
	}
}
