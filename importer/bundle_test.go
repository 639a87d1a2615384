package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// writeBundle writes files (name → content) and bundle.yaml into a new dir.
func writeBundle(t *testing.T, manifest string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["bundle.yaml"] = manifest
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBundleDryRunChecksDependentsAgainstItsOwnRows: doctors listed before
// their hospitals are loaded after them; a dry run checks them against the
// bundle's hospitals (nothing imported yet), names a refused parent row, and
// one bad row anywhere writes nothing.
func TestBundleDryRunChecksDependentsAgainstItsOwnRows(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		im := New(s, Config{})
		dir := writeBundle(t, "files:\n  - {kind: doctors, file: d.csv}\n  - {kind: hospitals, file: h.csv}\n", map[string]string{
			"h.csv": "医院编码,医院名称,医院等级\nH1,甲,三甲\nH2,乙,五星\n",
			"d.csv": "医生编码,姓名,医院编码,科室,职称\nD1,陈,H1,心内科,主任\nD2,刘,H2,心内科,主治\nD3,赵,H9,全科,住院\n",
		})
		b, err := im.OpenBundleDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		res, err := im.ImportBundle(ctx, b, Options{DryRun: true})
		if !errors.Is(err, ErrRejected) || len(res.Files) != 2 || res.Files[0].Kind != "hospitals" {
			t.Fatalf("%v %+v", err, res)
		}
		docs := res.Files[1]
		if docs.BadRows != 2 || docs.Created != 1 {
			t.Fatalf("doctors: %+v", docs)
		}
		got := map[string]string{}
		for _, e := range docs.Errors {
			got[e.Value] = e.Key + ": " + e.Message(LangZH)
		}
		if got["H2"] != "ref_row_refused: 该医院在本次导入中，但其所在行有错误（h.csv 第3行）" ||
			got["H9"] != "unknown_ref_in_bundle: 未知医院编码：本批次的医院文件中没有，系统中也没有" {
			t.Fatalf("errors: %v", got)
		}
		if n := count[models.Hospital](t, s); n != 0 {
			t.Fatalf("a rejected bundle wrote %d hospitals", n)
		}
		// -partial writes the good rows of every file.
		res, err = im.ImportBundle(ctx, b, Options{Partial: true})
		if err != nil || res.Files[0].Created != 1 || res.Files[1].Created != 1 || res.Files[1].Skipped != 2 {
			t.Fatalf("partial: %v %+v", err, res.Files)
		}
	})
}

// TestGroupedErrors: 712 rows with one problem read as one line per
// reason, with the count and the first rows, in Chinese with the English key.
func TestGroupedErrors(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		im := New(s, Config{})
		var b strings.Builder
		b.WriteString("事件编号,客户编码,事件类型,发生时间\n")
		for i := range 712 {
			fmt.Fprintf(&b, "E%d,X%04d,leaflet_view,2026-11-01\n", i, 9000+i)
		}
		b.WriteString("E1,D1,leaflet_view,2026-11-01\nE9000,,leaflet_view,明天\n")
		m := mustMapping(t, "signals", "columns: {事件编号: external_id, 客户编码: doctor_id, 事件类型: kind}")
		dir := writeBundle(t, "files: [{kind: signals, file: s.csv, mapping: m.yaml}, {kind: doctors, file: d.csv}, {kind: hospitals, file: h.csv}]", map[string]string{
			"s.csv":  b.String(),
			"m.yaml": "columns: {事件编号: external_id, 客户编码: doctor_id, 事件类型: kind}",
			"d.csv":  "医生编码,姓名,医院编码,科室,职称\nD1,陈,H1,心内科,主任\n",
			"h.csv":  "医院编码,医院名称,医院等级\nH1,甲,三甲\n",
		})
		_ = m
		bundle, err := im.OpenBundleDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		res, err := im.ImportBundle(context.Background(), bundle, Options{DryRun: true})
		if !errors.Is(err, ErrRejected) {
			t.Fatal(err)
		}
		sig := res.Files[2]
		if sig.ErrorCount != 715 || sig.BadRows != 714 || len(sig.Groups) != 4 {
			t.Fatalf("%d problems in %d rows, groups %+v", sig.ErrorCount, sig.BadRows, sig.Groups)
		}
		zh := sig.Groups[0].Text(LangZH)
		if want := "712 行：列「客户编码」(doctor_id) 未知医生编码：本批次的医生文件中没有，系统中也没有 [unknown_ref_in_bundle]（如第2、3、4、5、6行：X9000、X9001、X9002）"; zh != want {
			t.Fatalf("zh group:\n%s\nwant\n%s", zh, want)
		}
		en := sig.Groups[0].Text(LangEN)
		if want := `712 rows: column "客户编码" (doctor_id): unknown doctor: not in this bundle's doctors and not imported before [unknown_ref_in_bundle] (e.g. row 2, 3, 4, 5, 6: X9000, X9001, X9002)`; en != want {
			t.Fatalf("en group:\n%s\nwant\n%s", en, want)
		}
		joined := strings.Join(sig.Lines(LangZH), "\n")
		for _, w := range []string{"1 行：列「事件编号」(external_id) 与前面的行重复（同一键） [duplicate_key]（如第714行：E1）", "[required]", "[not_time]", "714 行有问题（共 715 处）"} {
			if !strings.Contains(joined, w) {
				t.Errorf("missing %q in\n%s", w, joined)
			}
		}
	})
}

// TestCreateMissingProducts: flow names products the export has no master
// for; -create-missing products makes them, named from the rows.
func TestCreateMissingProducts(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		im := New(s, Config{})
		mustImport(t, im, "hospitals", writeXLSX(t, t.TempDir(), "h.xlsx", hospitalRows))
		flow := "医院编码,科室,产品编码,产品名称,月份,数量\nH001,心内科,P9,新药片,2026-10,10\nH001,心内科,P9,新药片,2026-11,12\n"
		rep, err := importBytes(t, im, "flow", flow, nil, Options{})
		if !errors.Is(err, ErrRejected) || rep.Groups[0].Count != 2 || rep.Groups[0].Key != keyUnknownRef {
			t.Fatalf("%v %+v", err, rep.Groups)
		}
		rep, err = importBytes(t, im, "flow", flow, nil, Options{CreateMissing: []string{"products"}})
		if err != nil || rep.Created != 2 || strings.Join(rep.CreatedProducts, ",") != "P9" {
			t.Fatalf("%v %+v", err, rep)
		}
		var p models.Product
		if err := s.DB(ctx).Where("code = ?", "P9").Take(&p).Error; err != nil || p.Name != "新药片" {
			t.Fatalf("product = %+v %v", p, err)
		}
		if _, err := importBytes(t, im, "flow", flow, nil, Options{CreateMissing: []string{"doctors"}}); err == nil {
			t.Fatal("creating doctors accepted")
		}
	})
}

// TestWrongEncodingIsAnError: bytes that are neither UTF-8 nor GBK used to
// decode into U+FFFD silently; now they are a file problem naming the line.
func TestWrongEncodingIsAnError(t *testing.T) {
	bad := []byte("医院编码,医院名称\nH1,\x81\x20\x81\n") // 0x81 0x20 is no GBK character
	bad = append([]byte(nil), bad...)
	if _, err := DecodeText(bad); !errors.Is(err, ErrEncoding) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v", err)
	}
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("医院编码,医院名称\nH1,瑞金\n"))
	if out, err := DecodeText(gbk); err != nil || !strings.Contains(string(out), "瑞金") {
		t.Fatalf("gbk: %q %v", out, err)
	}
	utf16 := []byte{0xff, 0xfe}
	for _, r := range "医院编码\t医院名称\nH1\t瑞金\n" {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	if out, err := DecodeText(utf16); err != nil || !strings.Contains(string(out), "H1\t瑞金") {
		t.Fatalf("utf-16: %q %v", out, err)
	}
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		im := New(s, Config{})
		for name, data := range map[string][]byte{"bad.csv": bad, "renamed.csv": []byte("PK\x03\x04....")} {
			in, _ := OpenBytes(name, data, "hospitals", nil)
			rep, err := im.Import(context.Background(), "hospitals", in, Options{})
			if !errors.Is(err, ErrRejected) || len(rep.Header) != 1 || rep.Header[0].Key != keyUnreadable {
				t.Fatalf("%s: %v %+v", name, err, rep)
			}
			t.Log(rep.Lines(LangZH))
		}
	})
}

// zipOf builds a zip; names may be GBK bytes, as Chinese Windows writes them.
func zipOf(t *testing.T, files map[string]string, gbkNames bool) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		if gbkNames {
			n, _ := simplifiedchinese.GBK.NewEncoder().String(name)
			h.Name, h.NonUTF8 = n, true
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestUploadZipAndSingleFile: the admin page's upload — a zipped bundle (in
// a folder, GBK file names) or one file with its kind — dry-runs, then
// commits; oversized, bomb-like and escaping archives are refused.
func TestUploadZipAndSingleFile(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		im := New(s, Config{})
		lim := DefaultUploadLimits()
		data := zipOf(t, map[string]string{
			"导出/bundle.yaml":       "files: [{kind: hospitals, file: 医院.csv, mapping: 映射/医院.yaml}]\n",
			"导出/医院.csv":            "代码,名称,等级\nH1,甲,三甲\n",
			"导出/映射/医院.yaml":        "columns: {代码: external_id, 名称: name, 等级: level}\n",
			"__MACOSX/导出/._医院.csv": "junk",
		}, true)
		b, err := im.OpenUpload("export.zip", data, "", nil, lim)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Digest) != 64 {
			t.Fatalf("digest %q", b.Digest)
		}
		if res, err := im.ImportBundle(ctx, b, Options{DryRun: true}); err != nil || res.Files[0].Created != 1 || res.Written {
			t.Fatalf("dry run: %v %+v", err, res)
		}
		if res, err := im.ImportBundle(ctx, b, Options{}); err != nil || !res.Written || !strings.Contains(res.Summary.Text(LangZH), "hospitals：1 行，新建 1") {
			t.Fatalf("commit: %v %+v", err, res.Summary)
		}
		one, err := im.OpenUpload("医院.csv", []byte("代码,名称,等级\nH2,乙,二级\n"), "hospitals", []byte("columns: {代码: external_id, 名称: name, 等级: level}"), lim)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := im.ImportBundle(ctx, one, Options{}); err != nil || res.Files[0].Created != 1 {
			t.Fatalf("single file: %v %+v", err, res)
		}

		bomb := zipOf(t, map[string]string{"bundle.yaml": "files: []", "big.csv": strings.Repeat("0", 2<<20)}, false)
		for name, tc := range map[string]struct {
			data []byte
			lim  UploadLimits
			want string
		}{
			"too large": {data, UploadLimits{MaxBytes: 100}, "larger than 100 bytes"},
			"bomb":      {bomb, UploadLimits{MaxBytes: 1 << 20, MaxFiles: 10, MaxUnzippedBytes: 1 << 20}, "inflates to more than"},
			"entries":   {bomb, UploadLimits{MaxBytes: 1 << 20, MaxFiles: 1}, "at most 1"},
			"escape":    {zipOf(t, map[string]string{"../bundle.yaml": "x"}, false), lim, "leaves the bundle"},
			"no bundle": {zipOf(t, map[string]string{"a/b/bundle.yaml": "x"}, false), lim, "no bundle.yaml"},
		} {
			if _, err := im.OpenUpload("u.zip", tc.data, "", nil, tc.lim); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want %q", name, err, tc.want)
			}
		}
	})
}

// TestBundleManifestProblems are reported all at once.
func TestBundleManifestProblems(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		im := New(s, Config{})
		dir := writeBundle(t, "files:\n  - {kind: patients, file: p.csv}\n  - {kind: hospitals, file: ../h.csv}\n  - {kind: doctors, file: d.csv, mapping: m.yaml}\ncreate_missing: [doctors]\n",
			map[string]string{"d.csv": "x", "m.yaml": "columns: {a: nonsense}"})
		_, err := im.OpenBundleDir(dir)
		for _, w := range []string{`unknown import kind "patients"`, "must be relative to the bundle", `maps to unknown field "nonsense"`, "only products can be created"} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("missing %q in %v", w, err)
			}
		}
	})
}

// TestMessagesRender: every message renders in both languages with the
// arguments its callers give (no %!(MISSING)).
func TestMessagesRender(t *testing.T) {
	args := []string{"a1", "a2", "a3", "a4", "a5", "a6"}
	for key := range messages {
		for _, lang := range []Lang{LangZH, LangEN} {
			for _, group := range []bool{false, true} {
				if s := render(key, args, lang, group); s == "" || strings.Contains(s, "%!") {
					t.Errorf("%s %s: %q", key, lang, s)
				}
			}
		}
	}
	if l, err := ParseLang("EN"); err != nil || l != LangEN {
		t.Fatal(l, err)
	}
	if _, err := ParseLang("fr"); err == nil {
		t.Fatal("fr accepted")
	}
	e := newRowError(7, "职称", "title", "教授", keyNotOneOf, "associate, chief")
	if got := e.Line(LangZH); got != "第7行，列「职称」(title)，值「教授」：不是可用的值（可用：associate, chief）；或在映射文件 values 中把它映射到其中之一 [not_one_of]" {
		t.Fatal(got)
	}
}

// TestManagersInALaterUsersFile: reps and managers in two files of one
// bundle, the reps' file first; managers are linked once both are read.
func TestManagersInALaterUsersFile(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		im := New(s, Config{})
		dir := writeBundle(t, "files:\n  - {kind: users, file: 代表.csv}\n  - {kind: users, file: 经理.csv}\n", map[string]string{
			"代表.csv": "工号,姓名,角色,直属上级\nr1,甲,代表,wx-m1\nr2,乙,代表,wx-nobody\nr3,丙,代表,r1\n",
			"经理.csv": "工号,姓名,角色,企业微信账号\nm1,经理甲,经理,wx-m1\n",
		})
		b, err := im.OpenBundleDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		res, err := im.ImportBundle(ctx, b, Options{})
		if !errors.Is(err, ErrRejected) || res.Files[0].ErrorCount != 2 {
			t.Fatalf("%v %+v", err, res.Files)
		}
		got := map[string]string{}
		for _, e := range res.Files[0].Errors {
			got[e.Value] = e.Key
		}
		if got["wx-nobody"] != keyUnknownRefBundle || got["r1"] != keyWrongRole {
			t.Fatalf("errors: %v", got)
		}
		res, err = im.ImportBundle(ctx, b, Options{Partial: true})
		if err != nil {
			t.Fatal(err)
		}
		r1, _ := s.Users.UserByUserID(ctx, "r1")
		m1, _ := s.Users.UserByUserID(ctx, "m1")
		if r1.ManagerID == nil || *r1.ManagerID != m1.ID {
			t.Fatalf("r1 manager = %v, want %d", r1.ManagerID, m1.ID)
		}
	})
}

// TestWrongEncodingIsFoundAnywhere: a byte that is no GBK character is an
// error wherever it falls in the file (also where its U+FFFD straddles two
// reads of the decoder), and the error names the file.
func TestWrongEncodingIsFoundAnywhere(t *testing.T) {
	head, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("医院编码,医院名称\n"))
	row, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("H1,瑞金医院\n"))
	for pad := 0; pad < 1100; pad++ {
		var b bytes.Buffer
		b.Write(head)
		b.Write(bytes.Repeat([]byte("a"), pad))
		b.WriteString("\x81\x20")
		b.Write(bytes.Repeat(row, 3))
		if out, err := DecodeText(b.Bytes()); !errors.Is(err, ErrEncoding) {
			t.Fatalf("pad %d: err = %v, U+FFFD in the text: %v", pad, err, bytes.Contains(out, []byte("\uFFFD")))
		}
	}
	in, err := OpenBytes("hospitals.csv", []byte("医院编码,医院名称\nH1,\x81\x20\n"), "hospitals", nil)
	if err == nil {
		_, err = in.open()
	}
	if !errors.Is(err, ErrEncoding) || !strings.Contains(err.Error(), "hospitals.csv") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want ErrEncoding naming hospitals.csv and line 2", err)
	}
}
